// Issue 18 in the wallet's words: a lapsed valuation named by its last valid
// day and the day after (bug 3); `patent show` dating an expiry not yet
// recorded from the end of the term, and `pledge show` saying that no LTV was
// measured instead of 0.00 % (bug 7). Each case fails without its fix.
#include <catch2/catch.hpp>

#include "contracts/dates.h"
#include "tests/unit/tools/wallet_harness.h"
#include "tools/wallet/wallet.h"

namespace pledger::test {
namespace {

using tools::wallet::kExitOk;
using tools::wallet::kExitUsage;

const std::string kHash(64, 'a');

}  // namespace

TEST_CASE("wallet issue 18: a lapsed base date names its last valid day and the day after", "[unit][wallet]") {
  WalletHarness h;
  // Today is 2026-11-27: a report based 2025-11-26 was valid until 2026-11-26.
  WalletRun r = h.Run({"valuation", "record", "--patent", "ZL201410362077.3", "--method", "income", "--base-date",
                       "2025-11-26", "--value", "100", "--report-hash", kHash, "--licence-no", "L1", "--chain-id",
                       "test-chain", "--nonce", "1", "--expiry-height", "100", "--no-sign", "--out", h.Path("v.json")});
  INFO(r.err);
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("was valid until 2026-11-26 and lapsed on 2026-11-27") != std::string::npos);
  // One based a day later is still valid today, and the draft says until when.
  r = h.Run({"valuation", "record", "--patent", "ZL201410362077.3", "--method", "income", "--base-date", "2025-11-27",
             "--value", "100", "--report-hash", kHash, "--licence-no", "L1", "--chain-id", "test-chain", "--nonce", "1",
             "--expiry-height", "100", "--no-sign", "--out", h.Path("v2.json")});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK((r.out + r.err).find("valid until 2026-11-27, lapses 2026-11-28") != std::string::npos);
}

TEST_CASE("wallet issue 18: patent show dates an unrecorded expiry from the term's end, pledge show says no LTV",
          "[unit][wallet]") {
  WalletHarness h;
  h.node = MakeFakeNode();
  const std::string no = "ZL201410362077.3";
  contracts::PatentView v;
  auto* p = v.mutable_patent();
  p->set_patent_no(no);
  p->set_type(contracts::PATENT_UTILITY);
  p->set_filing_date(contracts::DaysFromCivil(2010, 1, 10));
  p->set_grant_date(contracts::DaysFromCivil(2011, 1, 10));
  p->set_expiry_date(contracts::DaysFromCivil(2020, 1, 9));
  p->set_status(contracts::PATENT_VALID);
  p->set_status_date(contracts::DaysFromCivil(2011, 1, 10));
  v.set_effective_status(contracts::PATENT_EXPIRED);
  h.node->patents[no] = v;
  WalletRun r = h.Run({"--node", "http://127.0.0.1:1", "patent", "show", no, "--anonymous"});
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("expired (recorded: valid) since 2020-01-10 (the term ended 2020-01-09)") != std::string::npos);
  CHECK(r.out.find("since 2011-01-10") == std::string::npos);

  const std::string none = "0123456789abcdef0123456789abcdef", lapsed = "fedcba9876543210fedcba9876543210";
  contracts::Pledge pl;
  pl.set_id(none);
  pl.set_state(contracts::PLEDGE_REGISTERED);
  pl.set_principal_fen(500'000'000);
  h.node->pledges[none] = pl;
  pl.set_id(lapsed);
  pl.set_valuation_id("9c1d0e0123456789abcdef0123456789");
  h.node->pledges[lapsed] = pl;
  r = h.Run({"--node", "http://127.0.0.1:1", "pledge", "show", none, "--anonymous"});
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("(none): no LTV measured") != std::string::npos);
  CHECK(r.out.find("LTV 0.00 %") == std::string::npos);
  r = h.Run({"--node", "http://127.0.0.1:1", "pledge", "show", lapsed, "--anonymous"});
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("lapsed at registration: no LTV measured") != std::string::npos);
  CHECK(r.out.find("LTV 0.00 %") == std::string::npos);
}

}  // namespace pledger::test
