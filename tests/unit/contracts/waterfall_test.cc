// The payment-date waterfall (RULES.md section H, docs/contracts.md
// "Waterfall"): a worked example computed by hand over six payment dates with
// a guarantor shortfall payment, a default loss and a trigger event; the
// rounding helpers; and properties over random deals and cash flows (seeded,
// replay with PLEDGER_SEED).
#include <catch2/catch.hpp>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "tests/unit/contracts/harness.h"
#include "tests/unit/contracts/pool_fixture.h"

namespace pledger::contracts::test {
namespace {

#define CHECK_OK(expr)                       \
  do {                                       \
    const ledger::Receipt r_ = (expr);       \
    INFO(r_.code() << ": " << r_.message()); \
    REQUIRE(r_.code() == "OK");              \
  } while (0)

const HolderPayment* FindHolder(const PoolStatement& st, std::uint32_t rank, std::string_view org) {
  for (const HolderPayment& h : st.holders()) {
    if (h.rank() == rank && h.investor_org_id() == org) return &h;
  }
  return nullptr;
}

std::int64_t HolderInterest(const PoolStatement& st, std::uint32_t rank, std::string_view org) {
  const HolderPayment* h = FindHolder(st, rank, org);
  return h ? h->interest_fen() : 0;
}
std::int64_t HolderPrincipal(const PoolStatement& st, std::uint32_t rank, std::string_view org) {
  const HolderPayment* h = FindHolder(st, rank, org);
  return h ? h->principal_fen() : 0;
}
std::int64_t HolderResidual(const PoolStatement& st, std::uint32_t rank, std::string_view org) {
  const HolderPayment* h = FindHolder(st, rank, org);
  return h ? h->residual_fen() : 0;
}

// cash in = everything paid + what is carried, and holders get exactly what
// their tranche got.
void CheckConservation(const PoolStatement& st) {
  INFO("payment date " << FormatDate(st.payment_date()));
  CHECK(st.cash_in_fen() == st.carried_in_fen() + st.collections_fen() + st.guarantor_draw_fen());
  CHECK(st.cash_in_fen() == st.fees_paid_fen() + st.interest_paid_fen() + st.principal_paid_fen() +
                                st.residual_paid_fen() + st.carried_out_fen());
  std::int64_t steps = 0;
  for (const WaterfallStep& s : st.steps()) {
    CHECK(s.amount_fen() >= 0);
    if (s.what() != "reserve") steps += s.amount_fen();
  }
  CHECK(steps == st.fees_paid_fen() + st.interest_paid_fen() + st.principal_paid_fen() + st.residual_paid_fen());
  for (const TranchePayment& tp : st.tranches()) {
    std::int64_t i = 0, p = 0, r = 0;
    for (const HolderPayment& h : st.holders()) {
      if (h.rank() != tp.rank()) continue;
      i += h.interest_fen();
      p += h.principal_fen();
      r += h.residual_fen();
    }
    CHECK(i == tp.interest_paid_fen());
    CHECK(p == tp.principal_paid_fen());
    CHECK(r == tp.residual_paid_fen());
    CHECK(tp.balance_after_fen() >= 0);
    CHECK(tp.balance_after_fen() == tp.balance_before_fen() - tp.principal_paid_fen());
  }
}

TEST_CASE("waterfall: ACT/365 accrual and largest-remainder pro rata", "[unit][contracts][pools][waterfall]") {
  // 8,000,000 yuan at 3.65 % for 90 days: 800,000,000 x 365 x 90 / 3,650,000 = 7,200,000 fen.
  CHECK(*AccrueAct365(800'000'000, 365, 90) == 7'200'000);
  // Rounded down: 309,396,400 x 0.0182 = 5,631,014.48 -> 5,631,014.
  CHECK(*AccrueAct365(309'396'400, 365, 182) == 5'631'014);
  // A leap year does not change the denominator: 366 days at 3.65 % is 3.66 %.
  CHECK(*AccrueAct365(1'000'000, 365, 366) == 36'600);
  CHECK(*AccrueAct365(0, 365, 90) == 0);
  CHECK(*AccrueAct365(kMaxAmountFen, 10'000, 36'500) == 100 * kMaxAmountFen);  // 128-bit intermediate
  CHECK(AccrueAct365(kMaxAmountFen, 10'000, 365'000'000).status().reason() == "POOL_AMOUNT_OVERFLOW");

  // 800,000 fen over three equal holders: 266,666 each and 2 fen left; the
  // remainders tie, so the first two holders (org-id order) get one more.
  CHECK(ProRata(800'000, {5'000, 5'000, 5'000}) == std::vector<std::int64_t>{266'667, 266'667, 266'666});
  // Largest remainder wins: 10 fen over 1:2 units -> 3.33 / 6.67 -> 3 and 7.
  CHECK(ProRata(10, {1, 2}) == std::vector<std::int64_t>{3, 7});
  CHECK(ProRata(0, {1, 2}) == std::vector<std::int64_t>{0, 0});
  CHECK(ProRata(kMaxAmountFen, {10'000'000'000, 1}) ==
        std::vector<std::int64_t>{99'999'999'990'000, 10'000});  // 10^14 x 10^10 needs 128 bits
}

TEST_CASE("waterfall: scheduled principal due", "[unit][contracts][pools][waterfall]") {
  Tranche t;
  t.set_outstanding_fen(800);
  t.set_principal_fen(800);
  *t.add_schedule() = Step(100, 400);
  *t.add_schedule() = Step(200, 400);
  const std::int32_t maturity = 300;
  CHECK(ScheduledPrincipalDue(t, 99, maturity) == 0);
  CHECK(ScheduledPrincipalDue(t, 100, maturity) == 400);
  CHECK(ScheduledPrincipalDue(t, 250, maturity) == 800);
  t.set_principal_paid_fen(300);  // a shortfall rolls forward
  t.set_outstanding_fen(500);
  CHECK(ScheduledPrincipalDue(t, 150, maturity) == 100);
  t.set_outstanding_fen(50);  // losses cap it at what is outstanding
  CHECK(ScheduledPrincipalDue(t, 250, maturity) == 50);
  t.set_outstanding_fen(500);
  CHECK(ScheduledPrincipalDue(t, 50, maturity) == 0);
  CHECK(ScheduledPrincipalDue(t, 300, maturity) == 500);  // at legal maturity everything is due
}

// The worked example. The deal is the standard one of pool_fixture.h:
//   senior  rank 1: 800,000,000 fen at 365 bps -> interest = balance x days / 10,000
//   mezz    rank 2: 150,000,000 fen at 730 bps -> interest = balance x days x 2 / 10,000
//   sub     rank 3:  50,000,000 fen
//   fees: manager 100,000 fen per date; custodian 73 bps -> balance x days x 2 / 1,000,000
//   guarantor limit 200,000,000 fen; reserve target 10,000,000 fen.
// Holders: senior inv-1 1/2, inv-2 1/4, inv-3 1/4; mezz 1/3 each; sub inv-3 3/5, sme-1 2/5.
TEST_CASE("waterfall: worked example, six payment dates with a shortfall, a loss and a trigger",
          "[unit][contracts][pools][waterfall]") {
  StandardDeal d;
  World& w = d.w;
  const std::string& pool = d.pool;

  // ---- Date 1: 2024-09-01, 90 days after the issue on 2024-06-03.
  // Collections 30,000,000 (10,000,000 royalties per patent); nothing carried.
  //   H1 manager 100,000; custodian 1,000,000,000 x 73 x 90 / 3,650,000 = 1,800,000  -> cash 28,100,000
  //   H2 senior interest 800,000,000 x 90 / 10,000 = 7,200,000                       -> 20,900,000
  //   H2 mezz interest 150,000,000 x 90 x 2 / 10,000 = 2,700,000                     -> 18,200,000
  //   H3 nothing scheduled yet; H5 no shortfall; H4 nothing scheduled
  //   H6 reserve kept 10,000,000; residual to the subordinated holders 8,200,000
  const std::int32_t d1 = DaysFromCivil(2024, 9, 1);
  w.SetToday(d1);
  CHECK_OK(w.Run(CollectAction(pool, {{d.p1, 10'000'000}, {d.p2, 10'000'000}, {d.p3, 10'000'000}}), {"trustee-1"}));
  CHECK_OK(w.Run(PayAction(pool, d1), {"trustee-1"}));
  PoolStatement s1 = d.GetStatement(d1);
  CheckConservation(s1);
  CHECK(s1.days() == 90);
  CHECK(s1.cash_in_fen() == 30'000'000);
  CHECK(s1.fees_paid_fen() == 1'900'000);
  CHECK(s1.tranches(0).interest_paid_fen() == 7'200'000);
  CHECK(s1.tranches(1).interest_paid_fen() == 2'700'000);
  CHECK(s1.principal_paid_fen() == 0);
  CHECK(s1.carried_out_fen() == 10'000'000);
  CHECK(s1.tranches(2).residual_paid_fen() == 8'200'000);
  CHECK(HolderInterest(s1, 1, "inv-1") == 3'600'000);
  CHECK(HolderInterest(s1, 1, "inv-2") == 1'800'000);
  CHECK(HolderInterest(s1, 2, "inv-3") == 900'000);
  CHECK(HolderResidual(s1, 3, "inv-3") == 4'920'000);
  CHECK(HolderResidual(s1, 3, "sme-1") == 3'280'000);

  // ---- Date 2: 2024-12-01, 91 days, no collections: the reserve pays.
  //   cash 10,000,000 carried
  //   H1 100,000 + 1,000,000,000 x 73 x 91 / 3,650,000 = 1,820,000 -> 1,920,000     -> 8,080,000
  //   H2 senior 800,000,000 x 91 / 10,000 = 7,280,000                               -> 800,000
  //   H2 mezz due 150,000,000 x 91 x 2 / 10,000 = 2,730,000; paid 800,000; arrears 1,930,000
  //   Mezz holders: 800,000 / 3 = 266,666 r 2 -> the tie goes by org id: inv-1, inv-2 +1 fen.
  const std::int32_t d2 = DaysFromCivil(2024, 12, 1);
  w.SetToday(d2);
  CHECK_OK(w.Run(PayAction(pool, d2), {"trustee-1"}));
  PoolStatement s2 = d.GetStatement(d2);
  CheckConservation(s2);
  CHECK(s2.carried_in_fen() == 10'000'000);
  CHECK(s2.fees_paid_fen() == 1'920'000);
  CHECK(s2.tranches(0).interest_paid_fen() == 7'280'000);
  CHECK(s2.tranches(1).interest_due_fen() == 2'730'000);
  CHECK(s2.tranches(1).interest_paid_fen() == 800'000);
  CHECK(s2.tranches(1).interest_arrears_after_fen() == 1'930'000);
  CHECK(s2.carried_out_fen() == 0);
  CHECK(HolderInterest(s2, 2, "inv-1") == 266'667);
  CHECK(HolderInterest(s2, 2, "inv-2") == 266'667);
  CHECK(HolderInterest(s2, 2, "inv-3") == 266'666);
  CHECK(d.GetTranche(2).interest_arrears_fen() == 1'930'000);

  // ---- Date 3: 2025-06-01, 182 days; the first senior instalment (400,000,000) is due.
  // Collections 300,000,000.
  //   H1 100,000 + 1,000,000,000 x 73 x 182 / 3,650,000 = 3,640,000 -> 3,740,000    -> 296,260,000
  //   H2 senior 800,000,000 x 182 / 10,000 = 14,560,000                            -> 281,700,000
  //   H2 mezz 1,930,000 arrears + 150,000,000 x 182 x 2 / 10,000 = 5,460,000 -> 7,390,000 -> 274,310,000
  //   H3 senior principal due 400,000,000; paid 274,310,000                        -> 0
  //   H5 shortfall 125,690,000 <= the guarantor's 200,000,000: it pays the rest
  //   H4, H6 nothing left.
  const std::int32_t d3 = DaysFromCivil(2025, 6, 1);
  w.SetToday(d3);
  CHECK_OK(w.Run(CollectAction(pool, {{d.p1, 100'000'000}, {d.p2, 100'000'000}, {d.p3, 100'000'000}}), {"trustee-1"}));
  // The preview tells the trustee what the guarantor must pay, before anyone signs.
  auto preview = QueryPoolPaymentPreview(w.state(), pool, d3);
  REQUIRE(preview.ok());
  CHECK(preview->guarantor_draw_fen() == 125'690'000);
  // Without the guarantor's signature the payment date is refused, naming the amount.
  auto refused = w.Run(PayAction(pool, d3), {"trustee-1"});
  CHECK(refused.code() == "POOL_SHORTFALL_SIGNATURE_MISSING");
  CHECK(refused.rule() == "H5");
  CHECK(refused.message().find("1,256,900.00 yuan") != std::string::npos);
  CHECK(refused.message().find("--no-shortfall-draw (API field no_shortfall_draw)") != std::string::npos);
  CHECK_OK(w.Run(PayAction(pool, d3), {"trustee-1", "guarantor-1"}));
  PoolStatement s3 = d.GetStatement(d3);
  CheckConservation(s3);
  CHECK(s3.fees_paid_fen() == 3'740'000);
  CHECK(s3.tranches(0).interest_paid_fen() == 14'560'000);
  CHECK(s3.tranches(1).interest_paid_fen() == 7'390'000);
  CHECK(s3.tranches(0).principal_due_fen() == 400'000'000);
  CHECK(s3.tranches(0).guarantor_principal_fen() == 125'690'000);
  CHECK(s3.tranches(0).principal_paid_fen() == 400'000'000);
  CHECK(s3.guarantor_draw_fen() == 125'690'000);
  CHECK(s3.senior_shortfall_fen() == 0);
  CHECK(s3.cash_in_fen() == 425'690'000);
  CHECK(HolderPrincipal(s3, 1, "inv-1") == 200'000'000);
  CHECK(HolderPrincipal(s3, 1, "inv-3") == 100'000'000);
  // 7,390,000 / 3 = 2,463,333 r 1: inv-1 gets the fen.
  CHECK(HolderInterest(s3, 2, "inv-1") == 2'463'334);
  CHECK(HolderInterest(s3, 2, "inv-2") == 2'463'333);
  CHECK(d.GetPool().guarantor_drawn_fen() == 125'690'000);
  CHECK(d.GetTranche(1).outstanding_fen() == 400'000'000);
  CHECK(d.GetTranche(1).guarantor_paid_fen() == 125'690'000);

  // ---- 2025-06-15: patent 3 defaults with a loss of 60,000,000, allocated
  // bottom-up (R32): the subordinated 50,000,000 first, then 10,000,000 of the
  // mezzanine. The trustee declares a trigger event (H8).
  w.SetToday(DaysFromCivil(2025, 6, 15));
  Action rm;
  rm.mutable_pool_remove()->set_pool_id(pool);
  rm.mutable_pool_remove()->set_member(d.p3);
  rm.mutable_pool_remove()->set_reason(POOL_REMOVE_DEFAULT);
  rm.mutable_pool_remove()->set_loss_fen(60'000'000);
  rm.mutable_pool_remove()->set_document_hash(Hash("default notice"));
  CHECK_OK(w.Run(rm, {"trustee-1"}));
  CHECK(d.GetTranche(3).outstanding_fen() == 0);
  CHECK(d.GetTranche(3).losses_fen() == 50'000'000);
  CHECK(d.GetTranche(2).outstanding_fen() == 140'000'000);
  CHECK(d.GetTranche(2).losses_fen() == 10'000'000);
  CHECK(d.GetTranche(1).losses_fen() == 0);
  CHECK(w.GetPatent(d.p3).pool_id().empty());
  Action trig;
  trig.mutable_pool_trigger()->set_pool_id(pool);
  trig.mutable_pool_trigger()->set_reason(POOL_TRIGGER_COLLATERAL_DEFAULT);
  trig.mutable_pool_trigger()->set_document_hash(Hash("trigger notice"));
  CHECK_OK(w.Run(trig, {"trustee-1"}));
  CHECK(w.Run(trig, {"trustee-1"}).code() == "POOL_TRIGGER_ALREADY_DECLARED");

  // ---- Date 4: 2025-12-01, 183 days, trigger order. Collections 100,000,000.
  //   balance at the start 400,000,000 + 140,000,000 + 0 = 540,000,000
  //   H1 100,000 + 540,000,000 x 73 x 183 / 3,650,000 = 1,976,400 -> 2,076,400     -> 97,923,600
  //   H2 senior 400,000,000 x 183 / 10,000 = 7,320,000                            -> 90,603,600
  //   H3 all cash to senior principal: 90,603,600 (balance 309,396,400)           -> 0
  //   H5 nothing scheduled is unpaid (the schedule's 400,000,000 was paid on date 3)
  //   H2 mezz (after senior principal): due 140,000,000 x 183 x 2 / 10,000 = 5,124,000; paid 0
  //   H4, H6 nothing; no reserve after a trigger.
  const std::int32_t d4 = DaysFromCivil(2025, 12, 1);
  w.SetToday(d4);
  CHECK_OK(w.Run(CollectAction(pool, {{d.p1, 50'000'000}, {d.p2, 50'000'000}}), {"trustee-1"}));
  CHECK_OK(w.Run(PayAction(pool, d4), {"trustee-1"}));
  PoolStatement s4 = d.GetStatement(d4);
  CheckConservation(s4);
  CHECK(s4.triggered());
  CHECK(s4.fees_paid_fen() == 2'076'400);
  CHECK(s4.tranches(0).interest_paid_fen() == 7'320'000);
  CHECK(s4.tranches(0).principal_paid_fen() == 90'603'600);
  CHECK(s4.tranches(0).balance_after_fen() == 309'396'400);
  CHECK(s4.tranches(1).interest_due_fen() == 5'124'000);
  CHECK(s4.tranches(1).interest_paid_fen() == 0);
  CHECK(s4.carried_out_fen() == 0);
  CHECK(s4.guarantor_draw_fen() == 0);
  // Trigger order in the steps: senior interest, senior principal, H5, then mezzanine interest.
  std::vector<std::string> order;
  for (const WaterfallStep& s : s4.steps()) order.push_back(s.step() + " " + s.what() + " " + std::to_string(s.rank()));
  CHECK(order == std::vector<std::string>{"H1 fee manager 0", "H1 fee custodian 0", "H2 interest 1", "H3 principal 1",
                                          "H5 shortfall interest 1", "H5 shortfall principal 1", "H2 interest 2",
                                          "H4 principal 2", "H6 reserve 0", "H6 principal 3", "H6 residual 3"});
  CHECK(HolderPrincipal(s4, 1, "inv-1") == 45'301'800);
  CHECK(HolderPrincipal(s4, 1, "inv-2") == 22'650'900);

  // ---- Date 5: 2026-06-01, 182 days, trigger order. Collections 400,000,000.
  //   balance 309,396,400 + 140,000,000 = 449,396,400
  //   H1 100,000 + 449,396,400 x 0.00364 = 1,635,802.896 -> 1,635,802; total 1,735,802 -> 398,264,198
  //   H2 senior 309,396,400 x 0.0182 = 5,631,014.48 -> 5,631,014                   -> 392,633,184
  //   H3 senior principal, all of it: 309,396,400                                  -> 83,236,784
  //   H5 none: the schedule's 800,000,000 is paid in full
  //   H2 mezz 5,124,000 arrears + 140,000,000 x 182 x 2 / 10,000 = 5,096,000 -> 10,220,000 -> 73,016,784
  //   H4 mezz principal, all cash (senior is paid off): 73,016,784 (balance 66,983,216)
  //   Senior interest 5,631,014 over 1/2, 1/4, 1/4: 2,815,507 + 1,407,753.5 x 2 -> the
  //   half fen ties between inv-2 and inv-3; inv-2 comes first.
  const std::int32_t d5 = DaysFromCivil(2026, 6, 1);
  w.SetToday(d5);
  CHECK_OK(w.Run(CollectAction(pool, {{d.p1, 200'000'000}, {d.p2, 200'000'000}}), {"trustee-1"}));
  CHECK_OK(w.Run(PayAction(pool, d5), {"trustee-1"}));
  PoolStatement s5 = d.GetStatement(d5);
  CheckConservation(s5);
  CHECK(s5.fees_paid_fen() == 1'735'802);
  CHECK(s5.tranches(0).interest_paid_fen() == 5'631'014);
  CHECK(s5.tranches(0).principal_paid_fen() == 309'396'400);
  CHECK(s5.tranches(0).balance_after_fen() == 0);
  CHECK(s5.tranches(1).interest_paid_fen() == 10'220'000);
  CHECK(s5.tranches(1).principal_paid_fen() == 73'016'784);
  CHECK(s5.tranches(1).balance_after_fen() == 66'983'216);
  CHECK(HolderInterest(s5, 1, "inv-1") == 2'815'507);
  CHECK(HolderInterest(s5, 1, "inv-2") == 1'407'754);
  CHECK(HolderInterest(s5, 1, "inv-3") == 1'407'753);
  CHECK(HolderPrincipal(s5, 2, "inv-3") == 24'338'928);

  // ---- Date 6: 2026-12-01, 183 days. Collections 80,000,000.
  //   H1 100,000 + 66,983,216 x 0.00366 = 245,158.57 -> 245,158; total 345,158   -> 79,654,842
  //   H2 mezz 66,983,216 x 0.0366 = 2,451,585.7 -> 2,451,585                      -> 77,203,257
  //   H4 mezz principal 66,983,216                                                -> 10,220,041
  //   H6 the subordinated tranche lost its principal: all 10,220,041 is residual;
  //      inv-3 3/5 = 6,132,024.6, sme-1 2/5 = 4,088,016.4 -> inv-3 has the larger remainder.
  const std::int32_t d6 = DaysFromCivil(2026, 12, 1);
  w.SetToday(d6);
  CHECK_OK(w.Run(CollectAction(pool, {{d.p1, 80'000'000}}), {"trustee-1"}));
  CHECK_OK(w.Run(PayAction(pool, d6), {"trustee-1"}));
  PoolStatement s6 = d.GetStatement(d6);
  CheckConservation(s6);
  CHECK(s6.fees_paid_fen() == 345'158);
  CHECK(s6.tranches(1).interest_paid_fen() == 2'451'585);
  CHECK(s6.tranches(1).principal_paid_fen() == 66'983'216);
  CHECK(s6.tranches(2).residual_paid_fen() == 10'220'041);
  CHECK(HolderResidual(s6, 3, "inv-3") == 6'132'025);
  CHECK(HolderResidual(s6, 3, "sme-1") == 4'088'016);

  // Totals on the tranche and holding records.
  CHECK(d.GetTranche(1).principal_paid_fen() == 800'000'000);
  CHECK(d.GetTranche(2).principal_paid_fen() == 140'000'000);
  CHECK(d.GetTranche(3).residual_paid_fen() == 8'200'000 + 10'220'041);
  CHECK(d.GetHolding(1, "inv-1").principal_received_fen() == 400'000'000);
  CHECK(d.GetHolding(3, "sme-1").residual_received_fen() == 3'280'000 + 4'088'016);

  // ---- Wind-down: every rated tranche is repaid, so it may happen before the
  // legal maturity; the patents still in the pool are released.
  REQUIRE(w.GetPatent(d.p1).pool_id() == pool);
  Action wd;
  wd.mutable_pool_wind_down()->set_pool_id(pool);
  CHECK_OK(w.Run(wd, {"trustee-1"}));
  CHECK(w.GetPatent(d.p1).pool_id().empty());
  CHECK(w.GetPatent(d.p2).pool_id().empty());
  CHECK(d.GetPool().state() == POOL_WOUND_DOWN);
  CHECK(d.GetPool().losses_fen() == 60'000'000);
  auto view = QueryPool(w.state(), pool);
  REQUIRE(view.ok());
  CHECK(view->statement_dates_size() == 6);
  CHECK(view->members_size() == 3);
}

// The example deal of docs/contracts.md ("A small deal, step by step"), action
// for action: if this test changes, the documentation changes with it.
TEST_CASE("waterfall: the small deal of docs/contracts.md", "[unit][contracts][pools][waterfall][docs]") {
  World w;  // today 2024-06-03
  const std::string p1 = Zl(2020, 1, 8000001), p2 = Zl(2020, 1, 8000002);
  REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
  REQUIRE(w.RegisterPatent(p2, {{"sme-2", 10000}}).code() == "OK");
  // 1. Licences of both patents to the trustee, running to the legal maturity 2025-12-31 (R31).
  CHECK_OK(w.Run(LicenceToTrusteeAction(p1, "trustee-1", DaysFromCivil(2025, 12, 31)), {"ipo-a", "sme-1"}));
  CHECK_OK(w.Run(LicenceToTrusteeAction(p2, "trustee-1", DaysFromCivil(2025, 12, 31)), {"ipo-a", "sme-2"}));
  // 2. PoolCreate.
  Action create;
  PoolCreate* pc = create.mutable_pool_create();
  pc->set_name("Hangzhou SME patent pool 2024-1");
  pc->set_trustee_org_id("trustee-1");
  pc->set_model(POOL_LICENSE);
  pc->set_legal_maturity_date(DaysFromCivil(2025, 12, 31));
  pc->set_deal_size_fen(100'000'000);
  FeeLine* fee = pc->add_fees();
  fee->set_name("manager");
  fee->set_payee_org_id("trustee-1");
  fee->set_fixed_fen(50'000);
  pc->set_guarantor_org_id("guarantor-1");
  pc->set_guarantee_limit_fen(10'000'000);
  pc->set_document_hash(Hash("trust deed"));
  CHECK_OK(w.Run(create, {"trustee-1"}));
  const std::string pool = w.last_object_id();
  // 3. PoolAdmitPatents, signed by the trustee and both owners.
  CHECK_OK(w.Run(AdmitPatentsAction(pool, {p1, p2}), {"trustee-1", "sme-1", "sme-2"}));
  // 4. TrancheIssue.
  Action issue;
  TrancheIssue* ti = issue.mutable_tranche_issue();
  ti->set_pool_id(pool);
  ti->set_document_hash(Hash("offering circular"));
  TrancheSpec* t = ti->add_tranches();
  t->set_tranche_class(TRANCHE_SENIOR);
  t->set_rank(1);
  t->set_principal_fen(80'000'000);
  t->set_coupon_bps(365);
  t->set_rating("AAA");
  *t->add_schedule() = Step(DaysFromCivil(2025, 6, 1), 80'000'000);
  t = ti->add_tranches();
  t->set_tranche_class(TRANCHE_MEZZANINE);
  t->set_rank(2);
  t->set_principal_fen(15'000'000);
  t->set_coupon_bps(730);
  t->set_rating("AA");
  *t->add_schedule() = Step(DaysFromCivil(2025, 6, 1), 15'000'000);
  t = ti->add_tranches();
  t->set_tranche_class(TRANCHE_SUBORDINATED);
  t->set_rank(3);
  t->set_principal_fen(5'000'000);
  for (auto [rank, org, units] : std::vector<std::tuple<std::uint32_t, std::string, std::int64_t>>{
           {1, "inv-1", 5'000}, {1, "inv-2", 3'000}, {2, "inv-3", 1'500}, {3, "sme-1", 500}}) {
    UnitAllocation* u = ti->add_allocations();
    u->set_rank(rank);
    u->set_investor_org_id(org);
    u->set_units(units);
  }
  CHECK_OK(w.Run(issue, {"trustee-1"}));

  // 5. 2024-12-01: royalties of 5,000 yuan per patent; payment date 1 needs the guarantor.
  const std::int32_t d1 = DaysFromCivil(2024, 12, 1);
  w.SetToday(d1);
  CHECK_OK(w.Run(CollectAction(pool, {{p1, 500'000}, {p2, 500'000}}), {"trustee-1"}));
  auto preview = QueryPoolPaymentPreview(w.state(), pool, d1);
  REQUIRE(preview.ok());
  CHECK(preview->guarantor_draw_fen() == 498'000);
  CHECK(w.Run(PayAction(pool, d1), {"trustee-1"}).code() == "POOL_SHORTFALL_SIGNATURE_MISSING");
  CHECK_OK(w.Run(PayAction(pool, d1), {"trustee-1", "guarantor-1"}));
  PoolStatement s1 = w.Get<PoolStatement>(keys::PoolStatement(pool, "2024-12-01"));
  CheckConservation(s1);
  CHECK(s1.days() == 181);
  CHECK(s1.cash_in_fen() == 1'498'000);
  CHECK(s1.fees_paid_fen() == 50'000);
  CHECK(s1.tranches(0).interest_due_fen() == 1'448'000);
  CHECK(s1.tranches(0).guarantor_interest_fen() == 498'000);
  CHECK(s1.tranches(1).interest_arrears_after_fen() == 543'000);
  CHECK(HolderInterest(s1, 1, "inv-1") == 905'000);
  CHECK(HolderInterest(s1, 1, "inv-2") == 543'000);

  // 6. inv-2 sells 1,000 senior units to inv-3.
  Action tr;
  HoldingTransfer* h = tr.mutable_holding_transfer();
  h->set_pool_id(pool);
  h->set_rank(1);
  h->set_from_org_id("inv-2");
  h->set_to_org_id("inv-3");
  h->set_units(1'000);
  CHECK_OK(w.Run(tr, {"inv-2"}));

  // 7. 2025-06-01: royalties of 500,000 yuan per patent; payment date 2 repays the rated tranches.
  const std::int32_t d2 = DaysFromCivil(2025, 6, 1);
  w.SetToday(d2);
  CHECK_OK(w.Run(CollectAction(pool, {{p1, 50'000'000}, {p2, 50'000'000}}), {"trustee-1"}));
  CHECK_OK(w.Run(PayAction(pool, d2), {"trustee-1"}));
  PoolStatement s2 = w.Get<PoolStatement>(keys::PoolStatement(pool, "2025-06-01"));
  CheckConservation(s2);
  CHECK(s2.cash_in_fen() == 100'000'000);
  CHECK(s2.tranches(0).interest_paid_fen() == 1'456'000);
  CHECK(s2.tranches(0).principal_paid_fen() == 80'000'000);
  CHECK(s2.tranches(1).interest_paid_fen() == 1'089'000);
  CHECK(s2.tranches(1).principal_paid_fen() == 15'000'000);
  CHECK(s2.tranches(2).principal_paid_fen() == 2'405'000);
  CHECK(s2.tranches(2).balance_after_fen() == 2'595'000);
  CHECK(HolderInterest(s2, 1, "inv-2") == 364'000);
  CHECK(HolderPrincipal(s2, 1, "inv-1") == 50'000'000);
  CHECK(HolderPrincipal(s2, 1, "inv-3") == 10'000'000);
  CHECK(HolderPrincipal(s2, 3, "sme-1") == 2'405'000);

  // 8. 2025-06-02: wind-down; the rest of the subordinated principal is written off.
  w.SetToday(DaysFromCivil(2025, 6, 2));
  Action wd;
  wd.mutable_pool_wind_down()->set_pool_id(pool);
  const ledger::Receipt r = w.Run(wd, {"trustee-1"});
  CHECK(r.code() == "OK");
  CHECK(w.Get<Tranche>(keys::Tranche(pool, 3)).losses_fen() == 2'595'000);
  CHECK(w.GetPatent(p1).pool_id().empty());
  CHECK(w.GetPatent(p2).pool_id().empty());
}

// ---- properties -------------------------------------------------------------

using Rng = std::mt19937_64;
std::int64_t Between(Rng& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
}

// A random deal straight into DealState (no engine): 1-3 seniors, 0-2
// mezzanines, one subordinated tranche, 1-4 holders each, random fees,
// guarantor and reserve.
DealState RandomDeal(Rng& rng) {
  DealState d;
  Pool& p = d.pool;
  p.set_id("0123456789abcdef0123456789abcdef");
  p.set_state(POOL_ISSUED);
  const std::int32_t issue = DaysFromCivil(2024, 1, 1);
  p.set_issue_date(issue);
  p.set_last_payment_date(issue);
  p.set_legal_maturity_date(issue + static_cast<std::int32_t>(Between(rng, 400, 3000)));
  const int fees = static_cast<int>(Between(rng, 0, 3));
  for (int i = 0; i < fees; ++i) {
    FeeLine* f = p.add_fees();
    f->set_name("fee" + std::to_string(i));
    f->set_payee_org_id("trustee-1");
    f->set_fixed_fen(Between(rng, 0, 3) == 0 ? 0 : Between(rng, 0, 5'000'000));
    f->set_rate_bps(static_cast<std::uint32_t>(Between(rng, f->fixed_fen() == 0 ? 1 : 0, 200)));
    p.add_fee_arrears_fen(0);
  }
  if (Between(rng, 0, 2) > 0) {
    p.set_guarantor_org_id("guarantor-1");
    p.set_guarantee_limit_fen(Between(rng, 1, 500'000'000));
  }
  if (Between(rng, 0, 1)) p.set_reserve_target_fen(Between(rng, 0, 50'000'000));
  const int seniors = static_cast<int>(Between(rng, 1, 3)), mezz = static_cast<int>(Between(rng, 0, 2));
  std::int32_t last = issue;
  const std::int32_t span = p.legal_maturity_date() - issue;
  std::uint32_t rank = 0;
  auto add = [&](TrancheClass cls) {
    Tranche t;
    t.set_pool_id(p.id());
    t.set_rank(++rank);
    t.set_tranche_class(cls);
    const std::int64_t units = Between(rng, 1, 50'000);
    t.set_units(units);
    t.set_principal_fen(units * 10'000);
    t.set_outstanding_fen(t.principal_fen());
    if (cls != TRANCHE_SUBORDINATED) {
      t.set_coupon_bps(static_cast<std::uint32_t>(Between(rng, 0, 1200)));
      // 1-3 steps after the previous tranche's last, before the maturity.
      const int steps = static_cast<int>(Between(rng, 1, 3));
      std::int64_t left = t.principal_fen();
      for (int s = 0; s < steps; ++s) {
        const std::int32_t room = p.legal_maturity_date() - last;
        std::int32_t date = last + static_cast<std::int32_t>(Between(rng, room > 1 ? 1 : 0, std::max(1, std::min(room, span / 4))));
        date = std::min(date, p.legal_maturity_date());
        if (date <= last && s > 0) date = last + 1;
        const std::int64_t amount = s + 1 == steps ? left : Between(rng, 1, std::max<std::int64_t>(1, left - 1));
        if (amount <= 0) break;
        *t.add_schedule() = Step(date, amount);
        left -= amount;
        last = date;
      }
    }
    std::vector<Holding> hs;
    std::int64_t left = units;
    const int holders = static_cast<int>(Between(rng, 1, 4));
    for (int h = 0; h < holders && left > 0; ++h) {
      Holding x;
      x.set_pool_id(p.id());
      x.set_rank(t.rank());
      x.set_investor_org_id("inv-" + std::to_string(h));
      x.set_units(h + 1 == holders ? left : Between(rng, 1, left));
      left -= x.units();
      hs.push_back(x);
    }
    d.tranches.push_back(t);
    d.holdings.push_back(hs);
  };
  for (int i = 0; i < seniors; ++i) add(TRANCHE_SENIOR);
  for (int i = 0; i < mezz; ++i) add(TRANCHE_MEZZANINE);
  add(TRANCHE_SUBORDINATED);
  p.set_tranche_count(rank);
  std::int64_t size = 0;
  for (const Tranche& t : d.tranches) size += t.principal_fen();
  p.set_deal_size_fen(size);
  return d;
}

TEST_CASE("waterfall properties: conservation, sequential principal, no negative balance",
          "[unit][contracts][pools][waterfall][property]") {
  const std::uint64_t seed = pledger::test::TestSeed("pool waterfall properties");
  Rng rng(seed);
  int payments = 0, draws = 0, triggers = 0, residuals = 0;
  for (int deal_no = 0; deal_no < 300; ++deal_no) {
    DealState d = RandomDeal(rng);
    INFO("deal " << deal_no);
    std::int32_t date = d.pool.last_payment_date();
    const int periods = static_cast<int>(Between(rng, 1, 16));
    for (int k = 0; k < periods; ++k) {
      date += static_cast<std::int32_t>(Between(rng, 1, 200));
      const int mode = static_cast<int>(Between(rng, 0, 9));
      std::int64_t cash = mode == 0 ? 0 : mode < 8 ? Between(rng, 0, d.pool.deal_size_fen() / 3 + 1) : Between(rng, 0, 2 * d.pool.deal_size_fen());
      d.pool.set_period_collections_fen(cash);
      if (!d.pool.triggered() && Between(rng, 0, 12) == 0) {
        d.pool.set_triggered(true);
        ++triggers;
      }
      const bool allow = Between(rng, 0, 5) > 0;
      // Balances and the guarantor's account before the date.
      std::vector<std::int64_t> before;
      for (const Tranche& t : d.tranches) before.push_back(t.outstanding_fen());
      const std::int64_t drawn_before = d.pool.guarantor_drawn_fen();
      auto st = RunWaterfall(&d, date, allow);
      REQUIRE(st.ok());
      ++payments;
      CheckConservation(*st);
      draws += st->guarantor_draw_fen() > 0;
      residuals += st->residual_paid_fen() > 0;
      // Sequential: a tranche paid principal means every higher rank ended the date paid off.
      for (int i = 0; i < st->tranches_size(); ++i) {
        if (st->tranches(i).principal_paid_fen() == 0) continue;
        for (int j = 0; j < i; ++j) {
          INFO("rank " << st->tranches(i).rank() << " paid principal while rank " << st->tranches(j).rank()
                       << " still owes " << st->tranches(j).balance_after_fen());
          CHECK(st->tranches(j).balance_after_fen() == 0);
        }
      }
      // The guarantor backs only seniors, within its limit, and only when allowed.
      CHECK(d.pool.guarantor_drawn_fen() <= std::max<std::int64_t>(d.pool.guarantee_limit_fen(), 0));
      CHECK(d.pool.guarantor_drawn_fen() - drawn_before == st->guarantor_draw_fen());
      if (!allow || d.pool.guarantor_org_id().empty()) CHECK(st->guarantor_draw_fen() == 0);
      for (const TranchePayment& tp : st->tranches()) {
        if (tp.tranche_class() != TRANCHE_SENIOR) CHECK(tp.guarantor_interest_fen() + tp.guarantor_principal_fen() == 0);
      }
      // No balance or holding below zero; holdings still add up to the units issued.
      CHECK(d.pool.carried_fen() >= 0);
      CHECK(d.pool.period_collections_fen() == 0);
      for (size_t i = 0; i < d.tranches.size(); ++i) {
        const Tranche& t = d.tranches[i];
        CHECK(t.outstanding_fen() >= 0);
        CHECK(t.outstanding_fen() <= before[i]);
        CHECK(t.interest_arrears_fen() >= 0);
        std::int64_t units = 0;
        for (const Holding& h : d.holdings[i]) {
          CHECK(h.units() > 0);
          CHECK(h.interest_received_fen() >= 0);
          CHECK(h.principal_received_fen() >= 0);
          units += h.units();
        }
        CHECK(units == t.units());
        CHECK(t.principal_paid_fen() + t.outstanding_fen() + t.losses_fen() == t.principal_fen());
      }
      for (std::int64_t a : d.pool.fee_arrears_fen()) CHECK(a >= 0);
    }
  }
  // The random deals reach every branch.
  CHECK(payments > 1000);
  CHECK(draws > 10);
  CHECK(triggers > 10);
  CHECK(residuals > 10);
}


// ---- whole deals through the engine ----------------------------------------

// A random deal run through the engine: random patents, tranches, schedules
// and holders; random collections, transfers, defaults with losses, a trigger
// now and then, payment dates, and the wind-down after the legal maturity.
// Returns every receipt code; checks each statement as it goes.
std::vector<std::string> RunRandomDeal(std::uint64_t seed, World& w) {
  Rng rng(seed);
  std::vector<std::string> codes;
  auto run = [&](const Action& a, std::initializer_list<std::string_view> signers) {
    ledger::Receipt r = w.Run(a, signers);
    codes.push_back(r.code());
    return r;
  };
  const std::vector<std::string> owners = {"sme-1", "sme-2", "sme-3"};
  std::vector<std::string> patents;
  const int n = static_cast<int>(Between(rng, 2, 5));
  for (int i = 0; i < n; ++i) {
    const std::string no = Zl(2021, 1, 3000000 + i);
    const std::string& owner = owners[static_cast<size_t>(i) % owners.size()];
    REQUIRE(w.RegisterPatent(no, {{owner, 10000}}, DaysFromCivil(2021, 1, 1), DaysFromCivil(2023, 1, 1)).code() == "OK");
    REQUIRE(w.Run(LicenceToTrusteeAction(no), {"ipo-a", owner}).code() == "OK");
    patents.push_back(no);
  }
  // Tranches: 1-2 seniors, 0-1 mezzanine, the subordinated one.
  const std::int32_t issue = w.today();
  const std::int32_t maturity = DaysFromCivil(2027, 6, 30);
  Action create = CreatePoolAction();
  Action issue_action;
  TrancheIssue* ti = issue_action.mutable_tranche_issue();
  ti->set_document_hash(Hash("offering"));
  const int seniors = static_cast<int>(Between(rng, 1, 2)), mezz = static_cast<int>(Between(rng, 0, 1));
  std::int64_t deal = 0;
  std::int32_t last = issue;
  std::uint32_t rank = 0;
  const std::vector<std::string> investors = {"inv-1", "inv-2", "inv-3", "sme-1"};
  auto add = [&](TrancheClass cls) {
    TrancheSpec* t = ti->add_tranches();
    t->set_tranche_class(cls);
    t->set_rank(++rank);
    const std::int64_t units = Between(rng, 1, 30'000);
    t->set_principal_fen(units * 10'000);
    deal += t->principal_fen();
    if (cls != TRANCHE_SUBORDINATED) {
      t->set_coupon_bps(static_cast<std::uint32_t>(Between(rng, 100, 900)));
      t->set_rating(cls == TRANCHE_SENIOR ? "AAA" : "AA");
      const int steps = static_cast<int>(Between(rng, 1, 2));
      std::int64_t left = t->principal_fen();
      for (int s = 0; s < steps; ++s) {
        last = std::min<std::int32_t>(maturity, last + static_cast<std::int32_t>(Between(rng, 60, 300)));
        // A step clamped to the maturity must be the tranche's last: the
        // next one could not come later.
        const std::int64_t amount = s + 1 == steps || left < 2 || last == maturity ? left : Between(rng, 1, left - 1);
        *t->add_schedule() = Step(last, amount);
        left -= amount;
        if (left == 0) break;
      }
    }
    // 1-3 holders.
    std::int64_t left = units;
    const int holders = static_cast<int>(Between(rng, 1, 3));
    for (int h = 0; h < holders && left > 0; ++h) {
      UnitAllocation* u = ti->add_allocations();
      u->set_rank(t->rank());
      u->set_investor_org_id(investors[static_cast<size_t>(h)]);
      u->set_units(h + 1 == holders ? left : Between(rng, 1, left));
      left -= u->units();
    }
  };
  for (int i = 0; i < seniors; ++i) add(TRANCHE_SENIOR);
  for (int i = 0; i < mezz; ++i) add(TRANCHE_MEZZANINE);
  add(TRANCHE_SUBORDINATED);
  create.mutable_pool_create()->set_deal_size_fen(deal);
  create.mutable_pool_create()->set_guarantee_limit_fen(Between(rng, 1, deal));
  create.mutable_pool_create()->set_reserve_target_fen(Between(rng, 0, deal / 20));
  REQUIRE(run(create, {"trustee-1"}).code() == "OK");
  const std::string pool = w.last_object_id();
  ti->set_pool_id(pool);
  REQUIRE(run(AdmitPatentsAction(pool, patents), {"trustee-1", "sme-1", "sme-2", "sme-3"}).code() == "OK");
  {
    ledger::Receipt r = run(issue_action, {"trustee-1"});
    INFO(r.message());
    REQUIRE(r.code() == "OK");
  }
  std::vector<std::string> active = patents;
  std::int32_t date = issue;
  int paid = 0;
  while (date < maturity + 200) {
    date += static_cast<std::int32_t>(Between(rng, 30, 200));
    w.SetToday(date);
    std::vector<std::pair<std::string, std::int64_t>> items;
    for (const std::string& no : active) {
      if (Between(rng, 0, 3) > 0) items.emplace_back(no, Between(rng, 1, deal / 8 + 1));
    }
    if (!items.empty()) run(CollectAction(pool, items), {"trustee-1"});
    if (Between(rng, 0, 4) == 0) {
      Action t;
      HoldingTransfer* h = t.mutable_holding_transfer();
      h->set_pool_id(pool);
      h->set_rank(static_cast<std::uint32_t>(Between(rng, 1, rank)));
      const std::string& from = investors[static_cast<size_t>(Between(rng, 0, 3))];
      h->set_from_org_id(from);
      h->set_to_org_id(investors[static_cast<size_t>(Between(rng, 0, 3))]);
      h->set_units(Between(rng, 1, 20'000));
      run(t, {from});
    }
    if (active.size() > 1 && Between(rng, 0, 6) == 0) {
      Action rm;
      rm.mutable_pool_remove()->set_pool_id(pool);
      rm.mutable_pool_remove()->set_member(active.back());
      rm.mutable_pool_remove()->set_reason(POOL_REMOVE_DEFAULT);
      rm.mutable_pool_remove()->set_loss_fen(Between(rng, 0, deal / 4));
      rm.mutable_pool_remove()->set_document_hash(Hash("default"));
      if (run(rm, {"trustee-1"}).code() == "OK") active.pop_back();
    }
    if (Between(rng, 0, 9) == 0) {
      Action trig;
      trig.mutable_pool_trigger()->set_pool_id(pool);
      trig.mutable_pool_trigger()->set_reason(POOL_TRIGGER_SENIOR_SHORTFALL);
      trig.mutable_pool_trigger()->set_document_hash(Hash("notice"));
      run(trig, {"trustee-1"});
    }
    const bool no_draw = Between(rng, 0, 9) == 0;
    ledger::Receipt r = run(PayAction(pool, date, no_draw), {"trustee-1", "guarantor-1"});
    INFO(r.message());
    REQUIRE(r.code() == "OK");
    ++paid;
    CheckConservation(w.Get<PoolStatement>(keys::PoolStatement(pool, FormatDate(date))));
    // Holdings of every tranche still add up to its units.
    auto view = QueryPool(w.state(), pool);
    REQUIRE(view.ok());
    for (const Tranche& t : view->tranches()) {
      std::int64_t units = 0;
      for (const Holding& h : view->holdings()) units += h.rank() == t.rank() ? h.units() : 0;
      CHECK(units == t.units());
      CHECK(t.outstanding_fen() >= 0);
    }
  }
  CHECK(paid > 3);
  Action wd;
  wd.mutable_pool_wind_down()->set_pool_id(pool);
  const ledger::Receipt r = run(wd, {"trustee-1"});
  INFO(r.message());
  CHECK(r.code() == "OK");
  for (const std::string& no : patents) CHECK(w.GetPatent(no).pool_id().empty());
  return codes;
}

TEST_CASE("pools determinism: the same random deal twice reaches the same state root",
          "[unit][contracts][pools][determinism]") {
  const std::uint64_t seed = pledger::test::TestSeed("pool deal determinism");
  for (std::uint64_t k = 0; k < 8; ++k) {
    INFO("deal " << k);
    World a, b;
    const auto codes_a = RunRandomDeal(seed + k, a);
    const auto codes_b = RunRandomDeal(seed + k, b);
    CHECK(codes_a == codes_b);
    CHECK(ledger::StateStore::RootOf(a.state().data()) == ledger::StateStore::RootOf(b.state().data()));
    for (const std::string& c : codes_a) CHECK((c == "OK" || FindCode(c) != nullptr));
  }
}

// Valid pool actions with random fields replaced by extreme values, signed by
// everybody who could sign them: never a crash, never an unknown code, never
// a write on rejection, and the deal's invariants hold after every accepted one.
void Mutate(google::protobuf::Message* m, Rng& rng, int depth) {
  using google::protobuf::FieldDescriptor;
  static const std::int64_t kInts[] = {0, -1, 1, 9, 10, 10'000, 2'000'000'000, -2'000'000'000, INT64_MAX, INT64_MIN,
                                       100'000'000'000'000, 100'000'000'000'001, DaysFromCivil(2024, 6, 3),
                                       DaysFromCivil(2200, 12, 31) + 1};
  static const std::vector<std::string> kStrings = {"", "inv-1", "sme-1", "ipo-a", "trustee-1", "guarantor-1",
                                                    Zl(2020, 1, 7000001), "0123456789abcdef0123456789abcdef",
                                                    std::string(300, 'x'), "../pool", Hash("x"), "ZL"};
  const auto* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        const int size = r->FieldSize(*m, f);
        if (size > 0 && Between(rng, 0, 4) == 0) r->RemoveLast(m, f);
        for (int k = 0; k < r->FieldSize(*m, f) && depth < 2; ++k) Mutate(r->MutableRepeatedMessage(m, f, k), rng, depth + 1);
      } else if (depth < 2) {
        Mutate(r->MutableMessage(m, f), rng, depth + 1);
      }
      continue;
    }
    if (Between(rng, 0, 4) != 0) continue;
    const std::int64_t v = kInts[Between(rng, 0, 13)];
    const std::string s = kStrings[static_cast<size_t>(Between(rng, 0, static_cast<std::int64_t>(kStrings.size()) - 1))];
    if (f->is_repeated()) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) r->AddString(m, f, s);
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: r->SetInt32(m, f, static_cast<std::int32_t>(v)); break;
      case FieldDescriptor::CPPTYPE_INT64: r->SetInt64(m, f, v); break;
      case FieldDescriptor::CPPTYPE_UINT32: r->SetUInt32(m, f, static_cast<std::uint32_t>(v)); break;
      case FieldDescriptor::CPPTYPE_BOOL: r->SetBool(m, f, v & 1); break;
      case FieldDescriptor::CPPTYPE_ENUM: r->SetEnumValue(m, f, static_cast<int>(Between(rng, -1, 6))); break;
      case FieldDescriptor::CPPTYPE_STRING: r->SetString(m, f, s); break;
      default: break;
    }
  }
}

TEST_CASE("pools hostile: mutated pool actions never crash and never write when rejected",
          "[unit][contracts][pools][hostile]") {
  const std::uint64_t seed = pledger::test::TestSeed("pool hostile");
  Rng rng(seed);
  int accepted = 0;
  std::map<std::string, int> seen;
  // Several deals: a mutated collection large enough to repay every rated
  // tranche lets a wind-down through and ends a deal early.
  for (int round = 0; round < 4; ++round) {
  StandardDeal d;
  World& w = d.w;
  std::vector<Action> bases;
  bases.push_back(CreatePoolAction());
  bases.push_back(AdmitPatentsAction(d.pool, {d.p1}));
  bases.push_back(StandardIssueAction(d.pool));
  bases.push_back(CollectAction(d.pool, {{d.p1, 1'000'000}, {d.p2, 5}}));
  bases.push_back(PayAction(d.pool, 0));
  {
    Action a;
    a.mutable_pool_remove()->set_pool_id(d.pool);
    a.mutable_pool_remove()->set_member(d.p3);
    a.mutable_pool_remove()->set_reason(POOL_REMOVE_DEFAULT);
    a.mutable_pool_remove()->set_loss_fen(1'000'000);
    a.mutable_pool_remove()->set_document_hash(Hash("d"));
    bases.push_back(a);
    Action t;
    t.mutable_holding_transfer()->set_pool_id(d.pool);
    t.mutable_holding_transfer()->set_rank(1);
    t.mutable_holding_transfer()->set_from_org_id("inv-1");
    t.mutable_holding_transfer()->set_to_org_id("inv-2");
    t.mutable_holding_transfer()->set_units(10);
    bases.push_back(t);
    Action g;
    g.mutable_pool_trigger()->set_pool_id(d.pool);
    g.mutable_pool_trigger()->set_reason(POOL_TRIGGER_OTHER);
    g.mutable_pool_trigger()->set_document_hash(Hash("n"));
    bases.push_back(g);
    Action p;
    p.mutable_pool_admit_pledges()->set_pool_id(d.pool);
    p.mutable_pool_admit_pledges()->add_pledge_ids("0123456789abcdef0123456789abcdef");
    bases.push_back(p);
    Action wd;
    wd.mutable_pool_wind_down()->set_pool_id(d.pool);
    bases.push_back(wd);
  }
  for (int i = 0; i < 300; ++i) {
    if (i % 50 == 0) w.SetToday(w.today() + static_cast<std::int32_t>(Between(rng, 1, 40)));
    Action a = bases[static_cast<size_t>(Between(rng, 0, static_cast<std::int64_t>(bases.size()) - 1))];
    // Mutate the action's payload (the oneof member that is set), not Action itself.
    const auto* kind = a.GetReflection()->GetOneofFieldDescriptor(a, Action::descriptor()->FindOneofByName("kind"));
    REQUIRE(kind != nullptr);
    Mutate(a.GetReflection()->MutableMessage(&a, kind), rng, 0);
    BlockOutcome out =
        w.Block({w.Build(a, {"trustee-1", "guarantor-1", "inv-1", "sme-1", "sme-2", "sme-3", "bank-a"})});
    REQUIRE(out.txs.size() == 1);
    const auto& r = out.txs[0].receipt;
    INFO("iteration " << i << " code " << r.code() << ": " << r.message());
    REQUIRE((r.code() == "OK" || FindCode(r.code()) != nullptr));
    ++seen[r.code()];
    if (r.code() != "OK") {
      for (const auto& [k, v] : out.writes) {
        CHECK(k.rfind("rp/", 0) == 0);
        CHECK(!v.has_value());
      }
      continue;
    }
    ++accepted;
    auto view = QueryPool(w.state(), d.pool);
    REQUIRE(view.ok());
    for (const Tranche& t : view->tranches()) {
      std::int64_t units = 0;
      for (const Holding& h : view->holdings()) {
        CHECK(h.units() > 0);
        units += h.rank() == t.rank() ? h.units() : 0;
      }
      CHECK(units == t.units());
      CHECK(t.outstanding_fen() >= 0);
      CHECK(t.outstanding_fen() + t.principal_paid_fen() + t.losses_fen() == t.principal_fen());
    }
  }
  }
  std::string histogram;
  for (const auto& [code, n] : seen) histogram += code + "=" + std::to_string(n) + " ";
  INFO(histogram);
  CHECK(accepted > 20);
}

}  // namespace
}  // namespace pledger::contracts::test
