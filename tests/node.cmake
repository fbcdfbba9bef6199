# Unit tests of node/ building blocks and of the ledger/io plumbing they use
# (PKI, files, the HTTP client; real TLS and sockets on 127.0.0.1).
pledger_unit_test(node_test
  SOURCES
    unit/node/pki_test.cc
    unit/node/transport_test.cc
    unit/node/http_test.cc
    unit/node/files_test.cc
    unit/node/submit_json_test.cc
    unit/node/block_txs_test.cc
    unit/node/api_params_test.cc
    unit/node/access_test.cc
    unit/node/api_test.cc
    unit/node/request_auth_test.cc
    unit/node/auth_test.cc
    unit/node/simulate_test.cc
    unit/contracts/harness.cc
    support/pki_fixture.cc
  LIBS pledger_node)

# Benchmark of the node's apply path (not a test).
add_executable(pledger-apply-bench bench/apply_bench.cc)
pledger_target_defaults(pledger-apply-bench)
target_link_libraries(pledger-apply-bench PRIVATE pledger_tools pledger_test_support)

# request_auth_test checks the worked example of docs/api.md ("Access") against the page.
target_compile_definitions(node_test PRIVATE PLEDGER_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
