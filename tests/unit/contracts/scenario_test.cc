// A realistic SME pledge, end to end through the engine: co-owned patents,
// appraisal, pledge, refusals, repayment and transfer.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/unit/contracts/harness.h"

namespace pledger::contracts::test {
namespace {

TEST_CASE("scenario: SME co-owned patents, appraisal, pledge, refusals, repayment, transfer", "[unit][contracts][scenario]") {
  World w;
  // Hangzhou SME sme-1 co-owns two inventions with the founder's individual business.
  const std::string pa = "ZL201410362077.3";
  const std::string pb = Zl(2019, 1, 2345678);
  REQUIRE(w.RegisterPatent(pa, {{"sme-1", 7000}, {"indiv-1", 3000}}, DaysFromCivil(2014, 7, 28),
                           DaysFromCivil(2016, 1, 6)).code() == "OK");
  REQUIRE(w.RegisterPatent(pb, {{"sme-1", 7000}, {"indiv-1", 3000}}, DaysFromCivil(2019, 5, 20),
                           DaysFromCivil(2021, 8, 3)).code() == "OK");

  // An appraiser values both: 8,000,000 yuan, realisable 5,000,000 yuan.
  auto val = w.Valuate({pa, pb}, 800'000'000, 500'000'000);
  REQUIRE(val.code() == "OK");
  const std::string valuation = w.last_object_id();

  // Bank A lends 1,500,000 yuan against both, with a 40 % LTV cap.
  Action pol;
  pol.mutable_bank_policy_set()->set_bank_org_id("bank-a");
  pol.mutable_bank_policy_set()->mutable_policy()->set_ltv_cap_bps(4000);
  pol.mutable_bank_policy_set()->mutable_policy()->set_valuation_required(true);
  REQUIRE(w.Run(pol, {"bank-a"}).code() == "OK");
  Action pledge = w.PledgeAction("bank-a", {"sme-1", "indiv-1"}, {pa, pb}, 150'000'000, valuation);
  pledge.mutable_pledge_register()->set_debtor_org_id("sme-1");
  auto reg = w.Run(pledge, {"bank-a", "sme-1", "indiv-1", "ipo-a"});
  REQUIRE(reg.code() == "OK");
  const std::string pledge_id = w.last_object_id();
  Pledge p = w.GetPledge(pledge_id);
  CHECK(p.ltv_bps() == 3000);
  CHECK(w.GetPatent(pa).active_pledge_id() == pledge_id);
  CHECK(w.GetPatent(pb).active_pledge_id() == pledge_id);

  // Bank B tries a second pledge on patent A: refused (R7i), nothing written.
  auto before = w.state().data();
  auto second = w.Run(w.PledgeAction("bank-b", {"sme-1", "indiv-1"}, {pa}, 50'000'000),
                      {"bank-b", "sme-1", "indiv-1", "ipo-b"});
  CHECK(second.code() == "PLEDGE_PATENT_ALREADY_PLEDGED");
  CHECK(second.rule() == "R7i");
  for (const auto& [k, v] : w.state().data()) {
    if (k.rfind("rp/", 0) != 0) CHECK(before.count(k) == 1);
  }

  // The owners try to sell patent B to sme-3 without the bank: refused (R13).
  Action sale;
  sale.mutable_patent_assign()->set_patent_no(pb);
  sale.mutable_patent_assign()->set_basis(TRANSFER_CONTRACT);
  sale.mutable_patent_assign()->set_document_hash(Hash("sale-contract"));
  auto* o = sale.mutable_patent_assign()->add_new_owners();
  o->set_org_id("sme-3");
  o->set_share_bps(10000);
  auto refused = w.Run(sale, {"ipo-a", "sme-1", "indiv-1", "sme-3"});
  CHECK(refused.code() == "PATENT_PLEDGEE_CONSENT_MISSING");
  CHECK(refused.rule() == "R13");

  // Interest accrues; a partial repayment goes to interest first (R16).
  Action acc;
  acc.mutable_loan_accrue()->set_pledge_id(pledge_id);
  acc.mutable_loan_accrue()->set_interest_fen(2'887'500);  // 3.85 % for six months, computed by the bank
  REQUIRE(w.Run(acc, {"bank-a"}).code() == "OK");
  w.SetToday(DaysFromCivil(2024, 12, 3));
  Action rep;
  rep.mutable_loan_repay()->set_pledge_id(pledge_id);
  rep.mutable_loan_repay()->set_amount_fen(52'887'500);
  REQUIRE(w.Run(rep, {"bank-a"}).code() == "OK");
  p = w.GetPledge(pledge_id);
  CHECK(p.outstanding_interest_fen() == 0);
  CHECK(p.outstanding_principal_fen() == 100'000'000);
  CHECK(p.state() == PLEDGE_REGISTERED);
  CHECK(w.Run(sale, {"ipo-a", "sme-1", "indiv-1", "sme-3"}).code() == "PATENT_PLEDGEE_CONSENT_MISSING");

  // Full repayment: the pledge is cancelled and the locks are lifted (R12).
  rep.mutable_loan_repay()->set_amount_fen(100'000'000);
  auto full = w.Run(rep, {"bank-a"});
  REQUIRE(full.code() == "OK");
  p = w.GetPledge(pledge_id);
  CHECK(p.state() == PLEDGE_CANCELLED);
  CHECK(p.cancel_ground() == CANCEL_REPAID);
  CHECK(p.repaid_fen() == 152'887'500);
  CHECK(w.GetPatent(pa).active_pledge_id().empty());

  // Now the sale goes through without the bank.
  auto done = w.Run(sale, {"ipo-a", "sme-1", "indiv-1", "sme-3"});
  CHECK(done.code() == "OK");
  CHECK(w.GetPatent(pb).owners(0).org_id() == "sme-3");
  std::vector<std::string> expected_touched{"account/" + w.KeyHex("indiv-1"), "account/" + w.KeyHex("ipo-a"),
                                 "account/" + w.KeyHex("sme-1"), "account/" + w.KeyHex("sme-3"), "org/sme-3",
                                 "patent/" + pb};
  std::sort(expected_touched.begin(), expected_touched.end());
  CHECK(w.last_outcome().touched == expected_touched);

  // The bank's view: one pledge, cancelled, first in R18 order.
  auto list = QueryPledgesOfBank(w.state(), "bank-a");
  REQUIRE(list.ok());
  REQUIRE(list->pledges_size() == 1);
  CHECK(list->pledges(0).pledge().state() == PLEDGE_CANCELLED);
  auto view = QueryPatent(w.state(), pa, 0);
  REQUIRE(view.ok());
  CHECK(!view->pledged());
  CHECK(view->pledge_ids_size() == 1);
  CHECK(view->valuations_size() == 1);
}

}  // namespace
}  // namespace pledger::contracts::test
