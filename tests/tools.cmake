# Unit tests of the tools (key store, argument parsing, transaction building).
pledger_unit_test(tools_test
  SOURCES
    unit/tools/keystore_test.cc
  LIBS pledger_tools)
