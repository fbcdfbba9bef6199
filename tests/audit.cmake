# pledger-audit's tests (docs/audit.md). Included by tests/CMakeLists.txt after
# integration.cmake (which defines pledger_cluster_harness).
include_guard(GLOBAL)

# Unit tests: chains built in-process the way pledgerd builds them
# (unit/tools/audit_chain.h), bundles, verify, history, export, the CLI, and
# the history index queries pledgerd and pledger-audit share
# (contracts/history.h).
pledger_unit_test(audit_unit_test
  SOURCES
    unit/tools/audit_chain.cc
    unit/tools/audit_bundle_test.cc
    unit/tools/audit_verify_test.cc
    unit/tools/audit_history_test.cc
    unit/tools/audit_cli_test.cc
    unit/tools/history_index_test.cc
  LIBS pledger_audit)

# Against a real 3-node cluster: verify over the API and on a stopped node's
# copied, tampered data directory; proofs; history on a random workload.
pledger_integration_test(audit_cluster_test SOURCES integration/audit_test.cc LIBS pledger_audit
                         DEPENDS pledgerd pledger-audit TIMEOUT 600)

# Benchmark (a program that prints figures; docs/performance.md "Audit").
add_executable(pledger-audit-bench bench/audit_bench.cc unit/tools/audit_chain.cc)
pledger_target_defaults(pledger-audit-bench)
target_link_libraries(pledger-audit-bench PRIVATE pledger_audit pledger_test_support)
