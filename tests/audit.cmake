# pledger-audit's tests (docs/audit.md). Included by tests/CMakeLists.txt after
# integration.cmake (which defines pledger_cluster_harness).
include_guard(GLOBAL)

# Unit tests: chains built in-process the way pledgerd builds them
# (unit/tools/audit_chain.h), bundles, verify, history, export, the CLI.
pledger_unit_test(audit_unit_test
  SOURCES
    unit/tools/audit_chain.cc
    unit/tools/audit_bundle_test.cc
    unit/tools/audit_verify_test.cc
    unit/tools/audit_history_test.cc
    unit/tools/audit_cli_test.cc
  LIBS pledger_audit)

# Against a real 3-node cluster: verify over the API and on a stopped node's
# copied, tampered data directory; proofs; history on a random workload.
add_executable(audit_cluster_test integration/audit_test.cc support/catch_main.cc)
pledger_target_defaults(audit_cluster_test)
target_link_libraries(audit_cluster_test PRIVATE pledger_cluster_harness pledger_audit Catch2::Catch2)
set_target_properties(audit_cluster_test PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
add_dependencies(audit_cluster_test pledgerd pledger-audit)
catch_discover_tests(audit_cluster_test TEST_PREFIX "audit_cluster_test: " PROPERTIES LABELS integration
                     RUN_SERIAL TRUE TIMEOUT 600)

# Benchmark (a program that prints figures; docs/performance.md "Audit").
add_executable(pledger-audit-bench bench/audit_bench.cc unit/tools/audit_chain.cc support/test_util.cc)
pledger_target_defaults(pledger-audit-bench)
target_link_libraries(pledger-audit-bench PRIVATE pledger_audit)
