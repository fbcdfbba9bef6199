# Multi-process integration tests: real pledgerd processes on 127.0.0.1.
add_library(pledger_cluster_harness STATIC integration/cluster.cc support/pki_fixture.cc)
pledger_target_defaults(pledger_cluster_harness)
target_link_libraries(pledger_cluster_harness PUBLIC pledger_tools pledger_test_support)
target_compile_definitions(pledger_cluster_harness PUBLIC PLEDGER_BIN_DIR="${PROJECT_BINARY_DIR}/bin")

pledger_integration_test(cluster_test SOURCES integration/cluster_test.cc LIBS pledger_node pledger_wallet_runner
                         DEPENDS pledgerd pledger-wallet pledger-admin)
# Issue 17: fail-stop on storage failures (injected, and a full tmpfs when it
# can be mounted), mempools after failovers, pledger-bench's counting.
pledger_integration_test(hardening_test SOURCES integration/hardening_test.cc LIBS pledger_node
                         DEPENDS pledgerd pledger-bench TIMEOUT 600)
# pledger-bench --batch N on a real cluster (each transaction counted on its
# own), and its pauses on 503 TX_BACKLOG / retryable batch entries against a
# fake node. About 20 s.
pledger_integration_test(bench_batch_test SOURCES integration/bench_batch_test.cc LIBS pledger_node
                         DEPENDS pledgerd pledger-bench TIMEOUT 180)
# Issue 17: NODE_BEHIND from a node held behind the chain, a catch-up that
# loses its peer mid-way, a catch-up served another chain (CATCHUP_FORK).
# Uses PLEDGER_TEST_APPLY_DELAY_MS (docs/node.md "Test seams"). About 20, 35
# and 35 s; the last two wait out one unanswered catch-up request (15 s).
pledger_integration_test(catchup_test SOURCES integration/catchup_test.cc LIBS pledger_node DEPENDS pledgerd
                         TIMEOUT 300)
pledger_integration_test(access_test SOURCES integration/access_test.cc LIBS pledger_node DEPENDS pledgerd)
# access_test validates every answer of its matrix against docs/openapi.yaml
# (tools/openapi/check_answers.py, python3-jsonschema).
target_compile_definitions(access_test PRIVATE PLEDGER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                               PLEDGER_PYTHON3="${PLEDGER_PYTHON3}")

# Ledger time against one faulty clock (docs/node.md "Ledger time"): the
# leader's clock a year ahead, then behind. 3 to 10 s.
pledger_integration_test(clock_test SOURCES integration/clock_test.cc LIBS pledger_node DEPENDS pledgerd TIMEOUT 120)

# Pre-flight (POST /v1/txs/simulate) on a real cluster: refusal grounds,
# an OK pledge, nothing written or admitted. About 10 s.
pledger_integration_test(simulate_test SOURCES integration/simulate_test.cc LIBS pledger_node DEPENDS pledgerd
                         TIMEOUT 120)

# Issue 19: the supervision statistics (/v1/stats) to the fen on every node,
# after a restart and after the index is rebuilt; answers checked against
# docs/openapi.yaml. About 30 s.
pledger_integration_test(stats_test SOURCES integration/stats_test.cc LIBS pledger_node pledger_wallet_runner
                         DEPENDS pledgerd TIMEOUT 300)
target_compile_definitions(stats_test PRIVATE PLEDGER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                             PLEDGER_PYTHON3="${PLEDGER_PYTHON3}")
