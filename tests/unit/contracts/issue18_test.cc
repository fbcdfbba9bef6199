// Issue 18 regressions: the register's wrong or misleading answers (bugs 1-4,
// 6-8) and refusal messages that name what the user types. Each case fails
// without its fix.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/unit/contracts/harness.h"

namespace pledger::contracts::test {
namespace {

bool Touched(const World& w, const std::string& entity) {
  const auto& t = w.last_outcome().touched;
  return std::find(t.begin(), t.end(), entity) != t.end();
}

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

Action PatentEvent(const std::string& no, PatentEvent e, std::int32_t date = 0) {
  Action a;
  a.mutable_patent_status()->set_patent_no(no);
  a.mutable_patent_status()->set_event(e);
  a.mutable_patent_status()->set_document_hash(Hash("decision"));
  a.mutable_patent_status()->set_date(date);
  return a;
}

// The value of attribute `key` of the first event of `type` ("" if none), and
// whether the event has the attribute at all.
std::string Attr(const ledger::Receipt& r, std::string_view type, std::string_view key, bool* present = nullptr) {
  if (present) *present = false;
  for (const auto& e : r.events()) {
    if (e.type() != type) continue;
    for (const auto& a : e.attributes()) {
      if (a.key() != key) continue;
      if (present) *present = true;
      return a.value();
    }
  }
  return "";
}

// The receipt's ground of `code` ("CODE (rule): message"), or "".
std::string Ground(const ledger::Receipt& r, std::string_view code) {
  for (const auto& g : r.grounds()) {
    if (g.rfind(std::string(code) + " ", 0) == 0) return g;
  }
  return "";
}

Action Policy(std::uint32_t ltv_cap_bps, bool valuation_required) {
  Action pol;
  pol.mutable_bank_policy_set()->set_bank_org_id("bank-a");
  pol.mutable_bank_policy_set()->mutable_policy()->set_ltv_cap_bps(ltv_cap_bps);
  pol.mutable_bank_policy_set()->mutable_policy()->set_valuation_required(valuation_required);
  return pol;
}

}  // namespace

TEST_CASE("issue 18 bug 1: a patent's history lists what happens to it through its pledge",
          "[unit][contracts][issue18]") {
  World w;
  const std::string p1 = Zl(2020, 1, 1800001), p2 = Zl(2020, 1, 1800002);
  REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
  REQUIRE(w.RegisterPatent(p2, {{"sme-1", 10000}}).code() == "OK");
  REQUIRE(w.Run(w.PledgeAction("bank-a", {"sme-1"}, {p1, p2}), {"bank-a", "sme-1", "ipo-a"}).code() == "OK");
  const std::string id = w.last_object_id();
  // The history index is built from the touched entities (contracts/history.h).
  auto all_named = [&] {
    return Touched(w, "pledge/" + id) && Touched(w, "patent/" + p1) && Touched(w, "patent/" + p2);
  };

  Action accrue;
  accrue.mutable_loan_accrue()->set_pledge_id(id);
  accrue.mutable_loan_accrue()->set_interest_fen(100'000);
  REQUIRE(w.Run(accrue, {"bank-a"}).code() == "OK");
  CHECK(all_named());

  Action repay;  // partial: the pledge stays registered
  repay.mutable_loan_repay()->set_pledge_id(id);
  repay.mutable_loan_repay()->set_amount_fen(50'000);
  REQUIRE(w.Run(repay, {"bank-a"}).code() == "OK");
  CHECK(w.GetPledge(id).state() == PLEDGE_REGISTERED);
  CHECK(all_named());

  Action classify;
  classify.mutable_loan_classify()->set_pledge_id(id);
  classify.mutable_loan_classify()->set_risk_class(RISK_SPECIAL_MENTION);
  REQUIRE(w.Run(classify, {"bank-a"}).code() == "OK");
  CHECK(all_named());
  // A refusal is history too, on the patent as on the pledge.
  REQUIRE(w.Run(classify, {"bank-a"}).code() == "LOAN_CLASS_INVALID");
  CHECK(all_named());

  Action renew;
  renew.mutable_loan_renew()->set_pledge_id(id);
  renew.mutable_loan_renew()->set_new_due_date(DaysFromCivil(2025, 12, 1));
  renew.mutable_loan_renew()->set_agreement_hash(Hash("renewal"));
  REQUIRE(w.Run(renew, {"bank-a", "sme-1", "ipo-a"}).code() == "OK");
  CHECK(all_named());

  Action change;
  change.mutable_pledge_change()->set_pledge_id(id);
  change.mutable_pledge_change()->set_new_scope("principal and interest");
  change.mutable_pledge_change()->set_agreement_hash(Hash("change"));
  REQUIRE(w.Run(change, {"bank-a", "sme-1", "ipo-a"}).code() == "OK");
  CHECK(all_named());

  w.SetToday(DaysFromCivil(2025, 12, 2));
  Action enforce;
  enforce.mutable_pledge_enforce()->set_pledge_id(id);
  enforce.mutable_pledge_enforce()->set_method(ENFORCE_AUCTION);
  enforce.mutable_pledge_enforce()->set_proceeds_fen(80'000'000);
  enforce.mutable_pledge_enforce()->set_document_hash(Hash("auction"));
  REQUIRE(w.Run(enforce, {"bank-a"}).code() == "OK");
  CHECK(all_named());

  Action cancel;
  cancel.mutable_pledge_cancel()->set_pledge_id(id);
  cancel.mutable_pledge_cancel()->set_ground(CANCEL_OTHER);
  REQUIRE(w.Run(cancel, {"bank-a"}).code() == "OK");
  CHECK(all_named());
}

TEST_CASE("issue 18 bug 2: a term from 29 February ends on 28 February, a day after 28 February's",
          "[unit][contracts][issue18][R19]") {
  CHECK(TermLastDay(DaysFromCivil(2020, 2, 29), 10) == DaysFromCivil(2030, 2, 28));
  CHECK(TermLastDay(DaysFromCivil(2020, 2, 28), 10) == DaysFromCivil(2030, 2, 27));
  CHECK(TermLastDay(DaysFromCivil(2020, 2, 29), 20) == DaysFromCivil(2040, 2, 28));  // a leap end year too
  CHECK(TermLastDay(DaysFromCivil(2020, 3, 1), 20) == DaysFromCivil(2040, 2, 29));
  CHECK(TermLastDay(DaysFromCivil(2021, 3, 1), 3) == DaysFromCivil(2024, 2, 29));
  CHECK(TermLastDay(DaysFromCivil(2014, 7, 28), 20) == DaysFromCivil(2034, 7, 27));

  World w;
  struct Case {
    int type_digit, year;
    std::int32_t leap_end, eve_end;  // expiry when filed on 29 February, and on 28 February
  };
  // Designs filed from 2021-06-01 have 15 years (R19).
  const Case cases[] = {{1, 2020, DaysFromCivil(2040, 2, 28), DaysFromCivil(2040, 2, 27)},
                        {2, 2020, DaysFromCivil(2030, 2, 28), DaysFromCivil(2030, 2, 27)},
                        {3, 2024, DaysFromCivil(2039, 2, 28), DaysFromCivil(2039, 2, 27)}};
  int serial = 1820000;
  for (const Case& c : cases) {
    INFO("type digit " << c.type_digit);
    const std::string leap = Zl(c.year, c.type_digit, ++serial), eve = Zl(c.year, c.type_digit, ++serial);
    REQUIRE(w.RegisterPatent(leap, {{"sme-1", 10000}}, DaysFromCivil(c.year, 2, 29), DaysFromCivil(2024, 5, 1)).code() == "OK");
    REQUIRE(w.RegisterPatent(eve, {{"sme-1", 10000}}, DaysFromCivil(c.year, 2, 28), DaysFromCivil(2024, 5, 1)).code() == "OK");
    CHECK(w.GetPatent(leap).expiry_date() == c.leap_end);
    CHECK(w.GetPatent(eve).expiry_date() == c.eve_end);
  }
}

TEST_CASE("issue 18 bug 4: a failed check digit does not reveal the right check character",
          "[unit][contracts][issue18][R25]") {
  // R25's own example: the right check character of 201910123456 is X.
  auto bad = ParsePatentNumber("ZL201910123456.7");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().reason() == "PATENT_CHECK_DIGIT_INVALID");
  CHECK(std::string(bad.status().message()).find('X') == std::string::npos);
  // 201410362077's is 3.
  auto other = ParsePatentNumber("ZL201410362077.5");
  REQUIRE_FALSE(other.ok());
  CHECK_FALSE(Contains(std::string(other.status().message()), "is 3"));
  CHECK_FALSE(Contains(std::string(other.status().message()), "077.3"));

  World w;
  Action a;
  a.mutable_patent_register()->set_patent_no("ZL201910123456.7");
  a.mutable_patent_register()->set_type(PATENT_INVENTION);
  auto r = w.Run(a, {"ipo-a"});
  CHECK(r.code() == "PATENT_CHECK_DIGIT_INVALID");
  CHECK(r.message().find('X') == std::string::npos);
}

TEST_CASE("issue 18 bug 6: a second invalidation request says one is already pending",
          "[unit][contracts][issue18][R26]") {
  World w;
  const std::string p1 = Zl(2020, 1, 1860001);
  REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
  auto decided = w.Run(PatentEvent(p1, PATENT_EVENT_INVALIDATION_REJECTED), {"ipo-a"});
  CHECK(decided.code() == "PATENT_TRANSITION_INVALID");
  CHECK(Contains(decided.message(), "none is pending"));
  REQUIRE(w.Run(PatentEvent(p1, PATENT_EVENT_INVALIDATION_STARTED), {"ipo-a"}).code() == "OK");
  auto again = w.Run(PatentEvent(p1, PATENT_EVENT_INVALIDATION_STARTED), {"ipo-a"});
  CHECK(again.code() == "PATENT_INVALIDATION_PENDING");
  CHECK(again.rule() == "R26");
  CHECK(Contains(again.message(), "already pending"));
  CHECK_FALSE(Contains(again.message(), "PATENT_VALID"));
  // A freeze flag already set is named as such, not by the status.
  REQUIRE(w.Run(PatentEvent(p1, PATENT_EVENT_PRESERVATION_ON), {"ipo-a"}).code() == "OK");
  auto twice = w.Run(PatentEvent(p1, PATENT_EVENT_PRESERVATION_ON), {"ipo-a"});
  CHECK(twice.code() == "PATENT_TRANSITION_INVALID");
  CHECK(Contains(twice.message(), "already under court preservation"));
}

TEST_CASE("issue 18 bug 7: effective dates of retroactive statuses", "[unit][contracts][issue18][R19][R20]") {
  World w;
  const std::string p1 = Zl(2020, 1, 1870001);
  REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");  // fees paid through 2025-02-28
  w.SetToday(DaysFromCivil(2025, 3, 5));
  REQUIRE(w.Run(PatentEvent(p1, PATENT_EVENT_FEE_GRACE), {"ipo-a"}).code() == "OK");
  w.SetToday(DaysFromCivil(2025, 9, 1));
  auto term = w.Run(PatentEvent(p1, PATENT_EVENT_TERMINATED_NONPAYMENT), {"ipo-a"});
  REQUIRE(term.code() == "OK");
  // R20: effective from the due date, recorded today.
  CHECK(Attr(term, "patent.status", "date") == "2025-03-01");
  CHECK(Attr(term, "patent.status", "recorded_date") == "2025-09-01");
  CHECK(w.GetPatent(p1).status_date() == DaysFromCivil(2025, 3, 1));

  // R19: a utility model filed 2010-01-10 expired after 2020-01-09, whenever recorded.
  const std::string um = Zl(2010, 2, 1870002);
  REQUIRE(w.RegisterPatent(um, {{"sme-1", 10000}}, DaysFromCivil(2010, 1, 10), DaysFromCivil(2011, 1, 10)).code() == "OK");
  auto view = QueryPatent(w.state(), um, w.time_ms());
  REQUIRE(view.ok());
  CHECK(view->effective_status() == PATENT_EXPIRED);
  auto expired = w.Run(PatentEvent(um, PATENT_EVENT_EXPIRED), {"ipo-a"});
  REQUIRE(expired.code() == "OK");
  CHECK(Attr(expired, "patent.status", "date") == "2020-01-10");
  CHECK(Attr(expired, "patent.status", "recorded_date") == "2025-09-01");
  CHECK(w.GetPatent(um).status_date() == DaysFromCivil(2020, 1, 10));
}

TEST_CASE("issue 18 bug 3: a lapsed valuation is named by its last valid day and the day after",
          "[unit][contracts][issue18][R28]") {
  World w;
  const std::string p1 = Zl(2020, 1, 1830001);
  REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
  // Base 2023-06-02: valid until 2024-06-02 inclusive, lapsed on 2024-06-03 (today).
  Action v;
  auto* r = v.mutable_valuation_record();
  r->add_patent_nos(p1);
  r->set_method(VALUATION_INCOME);
  r->set_base_date(DaysFromCivil(2023, 6, 2));
  r->set_value_fen(500'000'000);
  r->set_report_hash(Hash("report"));
  auto lapsed = w.Run(v, {"appr-1"});
  CHECK(lapsed.code() == "VALUATION_EXPIRED");
  CHECK(Contains(lapsed.message(), "valid until 2024-06-02 and lapsed on 2024-06-03"));
  CHECK_FALSE(Contains(lapsed.message(), "lapsed on 2024-06-02"));

  REQUIRE(w.Valuate({p1}, 500'000'000, 300'000'000).code() == "OK");  // base today - 10 = 2024-05-24
  const std::string vid = w.last_object_id();
  REQUIRE(w.Run(Policy(0, true), {"bank-a"}).code() == "OK");
  w.SetToday(DaysFromCivil(2025, 5, 25));
  auto pledge = w.Run(w.PledgeAction("bank-a", {"sme-1"}, {p1}, 100'000'000, vid), {"bank-a", "sme-1", "ipo-a"});
  const std::string g = Ground(pledge, "PLEDGE_VALUATION_EXPIRED");
  INFO(g);
  CHECK(Contains(g, "was valid until 2025-05-24 and lapsed on 2025-05-25"));
  CHECK(Contains(g, "--valuation (API field valuation_id)"));
}

TEST_CASE("issue 18 bug 7: no valuation is no LTV, LTV speaks percent, amounts have separators",
          "[unit][contracts][issue18][R29][R16]") {
  CHECK(FormatPercentBps(6000) == "60.00 % (6000 bps)");
  CHECK(FormatPercentBps(3334) == "33.34 % (3334 bps)");
  CHECK(FormatPercentBps(5) == "0.05 % (5 bps)");
  CHECK(YuanText(100'000'001) == "1,000,000.01 yuan");

  World w;
  const std::string p1 = Zl(2020, 1, 1870101), p2 = Zl(2020, 1, 1870102);
  REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
  REQUIRE(w.RegisterPatent(p2, {{"sme-2", 10000}}).code() == "OK");
  auto plain = w.Run(w.PledgeAction("bank-a", {"sme-1"}, {p1}), {"bank-a", "sme-1", "ipo-a"});
  REQUIRE(plain.code() == "OK");
  const std::string id = w.last_object_id();
  bool has_bps = true;
  Attr(plain, "pledge.registered", "ltv_bps", &has_bps);
  CHECK_FALSE(has_bps);
  CHECK(Attr(plain, "pledge.registered", "ltv") == "no valuation");

  Action repay;
  repay.mutable_loan_repay()->set_pledge_id(id);
  repay.mutable_loan_repay()->set_amount_fen(100'000'001);
  auto over = w.Run(repay, {"bank-a"});
  CHECK(over.code() == "LOAN_OVERPAYMENT");
  CHECK(Contains(over.message(), "1,000,000.01 yuan exceeds the 1,000,000.00 yuan outstanding"));
  CHECK(Contains(over.message(), "--amount (API field amount_fen)"));

  REQUIRE(w.Run(Policy(3000, false), {"bank-a"}).code() == "OK");
  REQUIRE(w.Valuate({p2}, 500'000'000, 300'000'000).code() == "OK");
  const std::string vid = w.last_object_id();
  auto ltv = w.Run(w.PledgeAction("bank-a", {"sme-2"}, {p2}, 100'000'000, vid), {"bank-a", "sme-2", "ipo-a"});
  CHECK(ltv.code() == "PLEDGE_LTV_EXCEEDED");
  CHECK(Contains(ltv.message(), "loan-to-value is 33.34 % (3334 bps)"));
  CHECK(Contains(ltv.message(), "at most 30.00 % (3000 bps)"));
  CHECK(Contains(ltv.message(), "--principal (API field principal_fen)"));
  auto ok = w.Run(w.PledgeAction("bank-a", {"sme-2"}, {p2}, 90'000'000, vid), {"bank-a", "sme-2", "ipo-a"});
  REQUIRE(ok.code() == "OK");
  CHECK(Attr(ok, "pledge.registered", "ltv_bps") == "3000");
}

TEST_CASE("issue 18: refusal messages name the wallet flag and the API field that fix them",
          "[unit][contracts][issue18]") {
  World w;
  std::vector<std::string> banks = {"bank-a", "bank-b", "bank-c", "bank-d", "bank-e"};
  for (int i = 0; i < 5; ++i) REQUIRE(w.RegisterPatent(Zl(2020, 1, 1880000 + i), {{"sme-1", 10000}}).code() == "OK");
  std::string first_pledge;
  for (int i = 0; i < 4; ++i) {
    REQUIRE(w.Run(w.PledgeAction(banks[i], {"sme-1"}, {Zl(2020, 1, 1880000 + i)}), {banks[i], "sme-1", "ipo-a"}).code() ==
            "OK");
    if (i == 0) first_pledge = w.last_object_id();
  }
  auto caution = w.Run(w.PledgeAction("bank-e", {"sme-1"}, {Zl(2020, 1, 1880004)}), {"bank-e", "sme-1", "ipo-a"});
  CHECK(caution.code() == "PLEDGE_CAUTION_ACK_REQUIRED");
  CHECK(Contains(caution.message(), "--caution-ack (API field caution_ack)"));

  const std::string inv = Zl(2020, 1, 1880010);
  REQUIRE(w.RegisterPatent(inv, {{"sme-2", 10000}}).code() == "OK");
  REQUIRE(w.Run(PatentEvent(inv, PATENT_EVENT_INVALIDATION_STARTED), {"ipo-a"}).code() == "OK");
  auto risk = w.Run(w.PledgeAction("bank-a", {"sme-2"}, {inv}), {"bank-a", "sme-2", "ipo-a"});
  CHECK(risk.code() == "PLEDGE_INVALIDATION_PENDING_UNACKNOWLEDGED");
  CHECK(Contains(risk.message(), "--risk-ack (API field risk_ack)"));

  Action pay;
  pay.mutable_patent_status()->set_patent_no(inv);
  pay.mutable_patent_status()->set_event(PATENT_EVENT_FEE_PAID);
  pay.mutable_patent_status()->set_paid_through(DaysFromCivil(2024, 1, 1));
  auto fee = w.Run(pay, {"ipo-a"});
  CHECK(fee.code() == "PATENT_FEE_INVALID");
  CHECK(Contains(fee.message(), "--paid-through (API field paid_through)"));

  Action enforce;
  enforce.mutable_pledge_enforce()->set_pledge_id(first_pledge);
  enforce.mutable_pledge_enforce()->set_method(ENFORCE_SALE);
  auto doc = w.Run(enforce, {"bank-a"});
  CHECK(doc.code() == "DOCUMENT_HASH_MISSING");
  CHECK(Contains(doc.message(), "--document FILE"));
  CHECK(Contains(doc.message(), "--document-hash (API field document_hash)"));
}

TEST_CASE("issue 18 bug 8: a malformed patent number is refused as such by the queries", "[unit][contracts][issue18]") {
  World w;
  auto q = QueryPatent(w.state(), "ZL201910123456.7", w.time_ms());
  REQUIRE_FALSE(q.ok());
  CHECK(q.status().reason() == "PATENT_CHECK_DIGIT_INVALID");
  CHECK(q.status().code() == StatusCode::kInvalidArgument);
  CHECK(QueryPatent(w.state(), "ZL201910123456.X", w.time_ms()).status().reason() == "PATENT_NOT_FOUND");
  CHECK(CheckEntityId("patent/ZL201910123456.7").reason() == "PATENT_CHECK_DIGIT_INVALID");
  CHECK(CheckEntityId("patent/ZL2019").reason() == "PATENT_NUMBER_INVALID");
  CHECK(CheckEntityId("patent/ZL201910123456.X").ok());
  CHECK(CheckEntityId("pledge/P1").reason() == "PLEDGE_ID_INVALID");
  CHECK(CheckEntityId("pledge/" + std::string(32, 'a')).ok());
  CHECK(CheckEntityId("valuation/x").reason() == "VALUATION_ID_INVALID");
  CHECK(CheckEntityId("account/x").reason() == "ACCOUNT_KEY_INVALID");
  CHECK(CheckEntityId("org/Bank A").reason() == "ORG_ID_INVALID");
  CHECK(CheckEntityId("pool/x").reason() == "POOL_ID_INVALID");
  CHECK(CheckEntityId("tranche/x/1").reason() == "POOL_ID_INVALID");
  CHECK(CheckEntityId("tranche/" + std::string(32, 'b') + "/1").ok());
  CHECK(CheckEntityId("params").ok());
}

}  // namespace pledger::contracts::test
