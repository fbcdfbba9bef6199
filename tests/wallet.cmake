# pledger-wallet end to end against a real 3-node cluster: the real binary,
# one wallet home per party, files carried between them. Label
# `integration`; needs pledgerd. Included by tests/CMakeLists.txt after
# integration.cmake (which defines pledger_cluster_harness).
include_guard(GLOBAL)

# Running the wallet (and pledger-audit) binaries as the parties would
# (integration/wallet_runner.h), shared by the tests below.
add_library(pledger_wallet_runner STATIC integration/wallet_runner.cc)
pledger_target_defaults(pledger_wallet_runner)
target_link_libraries(pledger_wallet_runner PUBLIC pledger_cluster_harness Catch2::Catch2)

# A co-signed pledge, refusals (R7i, R13), repayment, a transfer.
pledger_integration_test(wallet_e2e_test SOURCES integration/wallet_e2e_test.cc LIBS pledger_wallet_runner
                         DEPENDS pledgerd pledger-wallet TIMEOUT 300)

# submit FILE FILE...: one batch request (POST /v1/txs/batch), one line per
# file, a contract refusal of one not holding the others. About 15 s.
pledger_integration_test(wallet_batch_test SOURCES integration/wallet_batch_test.cc LIBS pledger_wallet_runner
                         DEPENDS pledgerd pledger-wallet TIMEOUT 180)

# A licence pool from creation to wind-down on the test clock: the
# pool lock (R31), tranches (R32), three payment dates (H1-H8), the auditor's
# pool history. About a minute on two cores.
pledger_integration_test(pool_e2e_test SOURCES integration/pool_e2e_test.cc LIBS pledger_wallet_runner
                         DEPENDS pledgerd pledger-wallet pledger-audit TIMEOUT 240)
