# Contracts: unit tests (label `unit`, also run under ASan+UBSan) and the
# execution benchmark (a program that prints figures, never a timed test).
pledger_unit_test(contracts_test
  SOURCES
    unit/contracts/harness.cc
    unit/contracts/basics_test.cc
    unit/contracts/rules_test.cc
    unit/contracts/governance_test.cc
    unit/contracts/scenario_test.cc
    unit/contracts/determinism_test.cc
    unit/contracts/pools_test.cc
    unit/contracts/waterfall_test.cc
    unit/contracts/overflow_test.cc
    unit/contracts/signers_test.cc
    unit/contracts/orgs_test.cc
    unit/contracts/issue18_test.cc
  LIBS pledger_contracts
  SINGLE_THREAD)
target_compile_definitions(contracts_test PRIVATE PLEDGER_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

add_executable(pledger-contracts-bench bench/contracts_bench.cc)
pledger_target_defaults(pledger-contracts-bench)
target_link_libraries(pledger-contracts-bench PRIVATE pledger_contracts)
set_target_properties(pledger-contracts-bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
