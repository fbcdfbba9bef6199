# Multi-process integration tests: real pledgerd processes on 127.0.0.1.
add_library(pledger_cluster_harness STATIC integration/cluster.cc support/test_util.cc support/pki_fixture.cc)
pledger_target_defaults(pledger_cluster_harness)
target_link_libraries(pledger_cluster_harness PUBLIC pledger_tools)
target_compile_definitions(pledger_cluster_harness PUBLIC PLEDGER_BIN_DIR="${PROJECT_BINARY_DIR}/bin")

add_executable(cluster_test integration/cluster_test.cc support/catch_main.cc)
pledger_target_defaults(cluster_test)
target_link_libraries(cluster_test PRIVATE pledger_cluster_harness Catch2::Catch2)
set_target_properties(cluster_test PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
add_dependencies(cluster_test pledgerd)
catch_discover_tests(cluster_test TEST_PREFIX "cluster_test: " PROPERTIES LABELS integration
                     RUN_SERIAL TRUE TIMEOUT 300)
