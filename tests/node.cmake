# Unit tests of node/ building blocks and of the ledger/io plumbing they use
# (PKI, files, the HTTP client; real TLS and sockets on 127.0.0.1).
pledger_unit_test(node_test
  SOURCES
    unit/node/pki_test.cc
    unit/node/transport_test.cc
    unit/node/http_test.cc
    unit/node/files_test.cc
    unit/node/submit_json_test.cc
    unit/node/api_json_test.cc
    unit/node/openapi_test.cc
    unit/node/block_txs_test.cc
    unit/node/api_params_test.cc
    unit/node/access_test.cc
    unit/node/api_test.cc
    unit/node/api_batch_test.cc
    unit/node/request_auth_test.cc
    unit/node/auth_test.cc
    unit/node/simulate_test.cc
    unit/node/stats_test.cc
    unit/node/admission_test.cc
    unit/contracts/harness.cc
    support/pki_fixture.cc
  LIBS pledger_node)

# Benchmark of the node's apply path (not a test).
add_executable(pledger-apply-bench bench/apply_bench.cc)
pledger_target_defaults(pledger-apply-bench)
target_link_libraries(pledger-apply-bench PRIVATE pledger_tools pledger_test_support)

# The statistics index at chain scale (docs/performance.md "Statistics API").
add_executable(pledger-stats-bench bench/stats_bench.cc)
pledger_target_defaults(pledger-stats-bench)
target_link_libraries(pledger-stats-bench PRIVATE pledger_node pledger_test_support)

# request_auth_test checks the worked example of docs/api.md ("Access") against the page.
target_compile_definitions(node_test PRIVATE PLEDGER_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# docs/openapi.yaml is tools/openapi/gen.py's output from the current .proto
# files and route list (the route list itself is checked against the node's
# table by node_test "openapi: the description lists exactly the route table").
# Debian's python3 first: tools/install-deps.sh installs python3-jsonschema
# and python3-yaml for it.
find_program(PLEDGER_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(PLEDGER_PYTHON3 NAMES python3)
add_test(NAME "openapi: docs/openapi.yaml is current (tools/openapi/gen.py --check)"
         COMMAND ${PLEDGER_PYTHON3} ${PROJECT_SOURCE_DIR}/tools/openapi/gen.py --check)
set_tests_properties("openapi: docs/openapi.yaml is current (tools/openapi/gen.py --check)" PROPERTIES LABELS unit-single-thread)
add_test(NAME "openapi: the answer checker refuses what the schemas do not allow"
         COMMAND ${PLEDGER_PYTHON3} ${PROJECT_SOURCE_DIR}/tools/openapi/check_answers.py --self-test
                 ${PROJECT_SOURCE_DIR}/docs/openapi.yaml)
set_tests_properties("openapi: the answer checker refuses what the schemas do not allow" PROPERTIES LABELS unit-single-thread)
