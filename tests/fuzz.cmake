# Fuzz targets (tests/fuzz/). Always built as replay tests (label `unit`): a
# few thousand mutated inputs from one printed seed. With clang and
# -DPLEDGER_FUZZ=ON also as libFuzzer programs build/bin/fuzz-<name>.
# (PLEDGER_FUZZ is defined in cmake/PledgerCompile.cmake, which instruments
# every library for coverage when it is on.)
foreach(target tx action peer json)
  add_executable(fuzz-${target}-replay fuzz/fuzz_${target}.cc fuzz/fuzz_driver.cc)
  pledger_target_defaults(fuzz-${target}-replay)
  target_link_libraries(fuzz-${target}-replay PRIVATE pledger_node pledger_tools pledger_test_support)
  set_target_properties(fuzz-${target}-replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  add_test(NAME "fuzz: ${target} (mutated inputs, replay with PLEDGER_SEED)"
           COMMAND fuzz-${target}-replay 3000)
  set_tests_properties("fuzz: ${target} (mutated inputs, replay with PLEDGER_SEED)"
                       PROPERTIES LABELS unit-single-thread TIMEOUT 300)
  add_test(NAME "fuzz: ${target} (the kept libFuzzer corpus, every input once)"
           COMMAND fuzz-${target}-replay --corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${target})
  set_tests_properties("fuzz: ${target} (the kept libFuzzer corpus, every input once)"
                       PROPERTIES LABELS unit-single-thread TIMEOUT 600)
  set_property(GLOBAL APPEND PROPERTY PLEDGER_UNIT_TARGETS fuzz-${target}-replay)
  if(PLEDGER_FUZZ AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_executable(fuzz-${target} fuzz/fuzz_${target}.cc)
    target_compile_definitions(fuzz-${target} PRIVATE PLEDGER_LIBFUZZER)
    target_compile_options(fuzz-${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz-${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    pledger_target_defaults(fuzz-${target})
    target_link_libraries(fuzz-${target} PRIVATE pledger_node pledger_tools pledger_test_support)
  endif()
endforeach()
