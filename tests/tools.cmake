# Unit tests of the tools: key store, pledger-wallet (argument validation,
# value parsing, transaction building byte-exact against the ledger library,
# offline signing on files, a fake node for submission and inspection).
pledger_unit_test(tools_test
  SOURCES
    unit/tools/keystore_test.cc
    unit/tools/units_test.cc
    unit/tools/wallet_cli_test.cc
    unit/tools/wallet_tx_test.cc
    unit/tools/wallet_pool_test.cc
    unit/tools/wallet_signin_test.cc
    unit/tools/wallet_preflight_test.cc
    unit/tools/wallet_issue18_test.cc
    unit/tools/wallet_batch_submit_test.cc
    unit/tools/wallet_harness.cc
  LIBS pledger_wallet)

