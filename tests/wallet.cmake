# pledger-wallet end to end against a real 3-node cluster (issue 6): the real
# binary, one wallet home per party, files carried between them. Label
# `integration`; needs pledgerd. Included by tests/CMakeLists.txt after
# integration.cmake (which defines pledger_cluster_harness).
include_guard(GLOBAL)

add_executable(wallet_e2e_test integration/wallet_e2e_test.cc support/catch_main.cc)
pledger_target_defaults(wallet_e2e_test)
target_link_libraries(wallet_e2e_test PRIVATE pledger_cluster_harness Catch2::Catch2)
set_target_properties(wallet_e2e_test PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
add_dependencies(wallet_e2e_test pledgerd pledger-wallet)
catch_discover_tests(wallet_e2e_test TEST_PREFIX "wallet_e2e_test: " PROPERTIES LABELS integration
                     RUN_SERIAL TRUE TIMEOUT 300)
