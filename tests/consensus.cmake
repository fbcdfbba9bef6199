# Consensus tests. Included by tests/CMakeLists.txt.
#
#   consensus_test       unit + paper tests (label unit; rerun under ASan/UBSan)
#   pledger-sim          the simulator runner, build/bin/pledger-sim
#   sim seeds entries    label sim: 1,200 seeds x 5,000 ticks, split in parallel runs
#   sim_selftest         label sim: the simulator finds injected bugs
#   pledger-raft-bench   benchmark program, build/bin/pledger-raft-bench

add_library(pledger_sim STATIC sim/sim.cc)
pledger_target_defaults(pledger_sim)
target_link_libraries(pledger_sim PUBLIC pledger_consensus)

add_executable(pledger-sim sim/sim_main.cc)
pledger_target_defaults(pledger-sim)
target_link_libraries(pledger-sim PRIVATE pledger_sim Threads::Threads)
# A million seeds are CPU-hours; a fifth of the simulator's instructions are
# malloc and free, and tcmalloc takes 14 % off its CPU time.
pledger_link_allocator(pledger-sim)
set_target_properties(pledger-sim PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)

pledger_unit_test(consensus_test
  SOURCES
    unit/consensus/test_network.cc
    unit/consensus/codec_test.cc
    unit/consensus/storage_test.cc
    unit/consensus/raft_log_test.cc
    unit/consensus/paper_test.cc
    unit/consensus/features_test.cc
    unit/consensus/raw_node_test.cc
    unit/consensus/raft_log_store_test.cc
  LIBS pledger_consensus pledger_ledger
  SINGLE_THREAD)

pledger_unit_test(sim_selftest
  SOURCES sim/sim_selftest.cc
  LIBS pledger_sim
  LABELS sim)

# CI: 1,200 seeds of 5,000 ticks with mixed sizes and fault rates, in
# independent chunks so ctest -j runs them in parallel. Measured in
# docs/performance.md ("Consensus").
set(PLEDGER_SIM_CHUNK 200)
foreach(chunk RANGE 0 5)
  math(EXPR first "${chunk} * ${PLEDGER_SIM_CHUNK} + 1")
  add_test(NAME "sim: seeds ${first}+${PLEDGER_SIM_CHUNK}"
           COMMAND pledger-sim --seed ${first} --seeds ${PLEDGER_SIM_CHUNK} --ticks 5000 --quiet)
  set_tests_properties("sim: seeds ${first}+${PLEDGER_SIM_CHUNK}" PROPERTIES LABELS sim TIMEOUT 900)
endforeach()

add_executable(pledger-raft-bench bench/raft_bench.cc)
pledger_target_defaults(pledger-raft-bench)
target_link_libraries(pledger-raft-bench PRIVATE pledger_sim pledger_consensus)
set_target_properties(pledger-raft-bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
