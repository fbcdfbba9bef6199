# The fault suite of issue 17 (docs/reliability.md "Fault suite"):
# pledger-faults runs real pledgerd clusters through leader kills, a stopped
# leader, a power cut, a full disk, a partition and a connection flood.
# tools/faults.sh runs the long size; here each scenario's short size is one
# ctest entry (label `faults`, not `integration`: the TSan run leaves them
# out), so `ctest -j2` runs two at a time: about 3 minutes in all on 2 cores.
add_executable(pledger-faults faults/faults_main.cc faults/load.cc faults/checker.cc faults/proxy.cc)
pledger_target_defaults(pledger-faults)
target_link_libraries(pledger-faults PRIVATE pledger_cluster_harness)
add_dependencies(pledger-faults pledgerd)

foreach(scenario leader-kill leader-stop all-kill disk-full partition flood)
  add_test(NAME faults-${scenario} COMMAND pledger-faults --scenario ${scenario} --short)
  set_tests_properties(faults-${scenario} PROPERTIES LABELS faults TIMEOUT 240)
endforeach()
