# pledger-audit (docs/audit.md): a library, so tests run its commands
# in-process, and a thin main. Included by tools/CMakeLists.txt.
add_library(pledger_audit STATIC
  audit/bundle.cc
  audit/cli.cc
  audit/prover.cc
  audit/readonly_env.cc
  audit/register.cc
  audit/source.cc
  audit/validators.cc
  audit/verifier.cc
)
pledger_target_defaults(pledger_audit)
target_link_libraries(pledger_audit PUBLIC pledger_tools)

add_executable(pledger-audit audit/audit_main.cc)
pledger_target_defaults(pledger-audit)
target_link_libraries(pledger-audit PRIVATE pledger_audit)
pledger_link_allocator(pledger-audit)
