// One passing and one failing case per rule (R1-R34 as they concern patents,
// valuations and pledges), with the exact result code and rule id.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/unit/contracts/harness.h"

namespace pledger::contracts::test {
namespace {

bool HasEvent(const ledger::Receipt& r, std::string_view type) {
  return std::any_of(r.events().begin(), r.events().end(), [&](const ledger::Event& e) { return e.type() == type; });
}

std::string Attr(const ledger::Receipt& r, std::string_view type, std::string_view key) {
  for (const auto& e : r.events()) {
    if (e.type() != type) continue;
    for (const auto& a : e.attributes()) {
      if (a.key() == key) return a.value();
    }
  }
  return "";
}

// Each macro evaluates its receipt expression once (it usually runs a transaction).
#define CHECK_OK(expr)                     \
  do {                                     \
    const ledger::Receipt r_ = (expr);     \
    INFO(r_.code() << ": " << r_.message()); \
    CHECK(r_.code() == "OK");              \
  } while (0)
#define CHECK_CODE(expr, c, rule_id)       \
  do {                                     \
    const ledger::Receipt r_ = (expr);     \
    INFO(r_.message());                    \
    CHECK(r_.code() == (c));               \
    CHECK(r_.rule() == (rule_id));         \
  } while (0)

// A world with one granted invention P1 owned by sme-1 and one co-owned P2 (sme-1, sme-2).
struct Fixture {
  World w;
  std::string p1 = Zl(2020, 1, 1000001);
  std::string p2 = Zl(2020, 1, 1000002);
  Fixture() {
    REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
    REQUIRE(w.RegisterPatent(p2, {{"sme-1", 6000}, {"sme-2", 4000}}).code() == "OK");
  }
  std::string Pledge(std::string bank = "bank-a") {
    auto r = w.Run(w.PledgeAction(bank, {"sme-1"}, {p1}), {bank, "sme-1", "ipo-a"});
    REQUIRE(r.code() == "OK");
    return w.last_object_id();
  }
  ledger::Receipt Status(const std::string& no, PatentEvent e, std::string doc = Hash("doc"),
                         std::initializer_list<std::string_view> signers = {"ipo-a"}) {
    Action a;
    a.mutable_patent_status()->set_patent_no(no);
    a.mutable_patent_status()->set_event(e);
    a.mutable_patent_status()->set_document_hash(doc);
    return w.Run(a, signers);
  }
};

TEST_CASE("R25: patent numbers carry a mod-11 check character", "[unit][contracts][R25]") {
  CHECK(PatentCheckChar("201410362077") == '3');
  CHECK(ParsePatentNumber("ZL201410362077.3").ok());
  auto bad = ParsePatentNumber("ZL201910123456.7");
  REQUIRE(!bad.ok());
  CHECK(bad.status().reason() == "PATENT_CHECK_DIGIT_INVALID");
  CHECK(PatentCheckChar("201910123456") == 'X');
  CHECK(ParsePatentNumber("ZL201910123456.X").ok());
  CHECK(ParsePatentNumber("ZL98123456." + std::string(1, PatentCheckChar("98123456"))).ok());  // pre-2003
  CHECK(ParsePatentNumber("ZL2014 10362077.3").status().reason() == "PATENT_NUMBER_INVALID");
  CHECK(*ParsePatentNumber(Zl(2020, 2, 5)) == PATENT_UTILITY);
  CHECK(*ParsePatentNumber(Zl(2020, 3, 5)) == PATENT_DESIGN);

  World w;
  CHECK_OK(w.RegisterPatent("ZL201410362077.3", {{"sme-1", 10000}}, DaysFromCivil(2014, 7, 28), DaysFromCivil(2016, 1, 6)));
  Action a;
  a.mutable_patent_register()->set_patent_no("ZL201910123456.7");
  a.mutable_patent_register()->set_type(PATENT_INVENTION);
  CHECK_CODE(w.Run(a, {"ipo-a"}), "PATENT_CHECK_DIGIT_INVALID", "R25");
}

TEST_CASE("R19: the term runs from the filing date, adjustment only for inventions", "[unit][contracts][R19]") {
  World w;
  REQUIRE(w.RegisterPatent("ZL201410362077.3", {{"sme-1", 10000}}, DaysFromCivil(2014, 7, 28), DaysFromCivil(2016, 1, 6)).code() == "OK");
  CHECK(w.GetPatent("ZL201410362077.3").expiry_date() == DaysFromCivil(2034, 7, 27));
  std::string design_new = Zl(2021, 3, 7), design_old = Zl(2021, 3, 8), utility = Zl(2021, 2, 9);
  REQUIRE(w.RegisterPatent(design_new, {{"sme-1", 10000}}, DaysFromCivil(2021, 6, 1), DaysFromCivil(2022, 1, 1)).code() == "OK");
  REQUIRE(w.RegisterPatent(design_old, {{"sme-1", 10000}}, DaysFromCivil(2021, 5, 31), DaysFromCivil(2022, 1, 1)).code() == "OK");
  REQUIRE(w.RegisterPatent(utility, {{"sme-1", 10000}}, DaysFromCivil(2021, 5, 31), DaysFromCivil(2022, 1, 1)).code() == "OK");
  CHECK(w.GetPatent(design_new).expiry_date() == DaysFromCivil(2036, 5, 31));
  CHECK(w.GetPatent(design_old).expiry_date() == DaysFromCivil(2031, 5, 30));
  CHECK(w.GetPatent(utility).expiry_date() == DaysFromCivil(2031, 5, 30));

  Action a;
  auto* r = a.mutable_patent_register();
  r->set_patent_no(Zl(2021, 2, 10));
  r->set_type(PATENT_UTILITY);
  r->set_title("t");
  r->set_main_ipc("A01B 1/00");
  r->set_filing_date(DaysFromCivil(2021, 1, 1));
  r->set_term_extension_days(100);
  r->add_owners()->set_org_id("sme-1");
  r->mutable_owners(0)->set_share_bps(10000);
  CHECK_CODE(w.Run(a, {"ipo-a"}), "PATENT_DATES_INVALID", "R19");
  r->set_patent_no(Zl(2021, 1, 10));
  r->set_type(PATENT_INVENTION);
  CHECK_OK(w.Run(a, {"ipo-a"}));
  CHECK(w.GetPatent(Zl(2021, 1, 10)).expiry_date() == DaysFromCivil(2040, 12, 31) + 100);
  CHECK(w.GetPatent(Zl(2021, 1, 10)).status() == PATENT_APPLICATION);
  r->set_patent_no(Zl(2021, 1, 11));
  r->set_type(PATENT_UTILITY);
  CHECK_CODE(w.Run(a, {"ipo-a"}), "PATENT_TYPE_MISMATCH", "R25");
}

TEST_CASE("R1: a pledge needs the bank, every pledgor and an IP office, it is effective on registration", "[unit][contracts][R1]") {
  Fixture f;
  Action a = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1});
  CHECK_CODE(f.w.Run(a, {"bank-a", "sme-1"}), "AUTH_ROLE_MISSING", "");
  CHECK_CODE(f.w.Run(a, {"sme-1", "ipo-a"}), "AUTH_ROLE_MISSING", "");
  CHECK_CODE(f.w.Run(a, {"bank-b", "sme-1", "ipo-a"}), "AUTH_ROLE_MISSING", "");
  CHECK_CODE(f.w.Run(a, {"bank-a", "ipo-a"}), "PLEDGE_PLEDGOR_SIGNATURE_MISSING", "R1");
  CHECK(f.w.GetPatent(f.p1).active_pledge_id().empty());
  auto ok = f.w.Run(a, {"bank-a", "sme-1", "ipo-a"});
  CHECK_OK(ok);
  Pledge p = f.w.GetPledge(f.w.last_object_id());
  CHECK(p.state() == PLEDGE_REGISTERED);
  CHECK(p.reg_date() == f.w.today());
  CHECK(p.received_at_ms() == p.decided_at_ms());  // R9: one-step registration
  CHECK(f.w.GetPatent(f.p1).active_pledge_id() == p.id());
  // R10: the gazette data.
  CHECK(Attr(ok, "gazette.pledge_registered", "patent_no") == f.p1);
  CHECK(Attr(ok, "gazette.pledge_registered", "main_ipc") == "G06F 16/23");
  CHECK(Attr(ok, "gazette.pledge_registered", "pledgee") == "bank-a");
}

TEST_CASE("R2, R3/R7g: a written contract and complete contract data", "[unit][contracts][R2][R3][R7g]") {
  Fixture f;
  Action a = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1});
  a.mutable_pledge_register()->clear_contract_hash();
  CHECK_CODE(f.w.Run(a, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_CONTRACT_MISSING", "R2");
  a = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1});
  a.mutable_pledge_register()->clear_scope();
  CHECK_CODE(f.w.Run(a, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_CONTRACT_DATA_MISSING", "R7g");
  a.mutable_pledge_register()->set_scope("principal and interest");
  CHECK_OK(f.w.Run(a, {"bank-a", "sme-1", "ipo-a"}));
}

TEST_CASE("R5: a foreign party without residence acts through a patent agency", "[unit][contracts][R5]") {
  World w;
  std::string p = Zl(2020, 1, 2000001);
  REQUIRE(w.RegisterPatent(p, {{"foreign-1", 10000}}).code() == "OK");
  Action a = w.PledgeAction("bank-a", {"foreign-1"}, {p});
  CHECK_CODE(w.Run(a, {"bank-a", "foreign-1", "ipo-a"}), "PLEDGE_AGENCY_REQUIRED", "R5");
  a.mutable_pledge_register()->set_agency_org_id("agency-1");
  CHECK_OK(w.Run(a, {"bank-a", "foreign-1", "ipo-a"}));
}

TEST_CASE("R6, R7a, R7h: every co-owner is a pledgor and consents", "[unit][contracts][R6][R7a][R7h]") {
  Fixture f;
  Action only_one = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p2});
  CHECK_CODE(f.w.Run(only_one, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_PLEDGOR_NOT_PATENTEE", "R7a");
  Action both = f.w.PledgeAction("bank-a", {"sme-1", "sme-2"}, {f.p2});
  CHECK_CODE(f.w.Run(both, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_CO_OWNER_CONSENT_MISSING", "R7h");
  CHECK_OK(f.w.Run(both, {"bank-a", "sme-1", "sme-2", "ipo-a"}));
}

TEST_CASE("R7b-e: patent not in force, not granted, fees unpaid, frozen", "[unit][contracts][R7]") {
  Fixture f;
  auto pledge = [&](const std::string& no) {
    return f.w.Run(f.w.PledgeAction("bank-a", {"sme-1"}, {no}), {"bank-a", "sme-1", "ipo-a"});
  };
  // b: waived
  std::string waived = Zl(2020, 1, 3000001);
  REQUIRE(f.w.RegisterPatent(waived, {{"sme-1", 10000}}).code() == "OK");
  REQUIRE(f.Status(waived, PATENT_EVENT_WAIVED, Hash("w"), {"ipo-a", "sme-1"}).code() == "OK");
  CHECK_CODE(pledge(waived), "PLEDGE_PATENT_NOT_IN_FORCE", "R7b");
  // c: application only
  Action reg;
  auto* r = reg.mutable_patent_register();
  std::string app = Zl(2021, 1, 3000002);
  r->set_patent_no(app);
  r->set_type(PATENT_INVENTION);
  r->set_title("t");
  r->set_main_ipc("H01M 10/05");
  r->set_filing_date(DaysFromCivil(2021, 1, 1));
  r->set_fee_paid_through(DaysFromCivil(2025, 1, 1));
  r->add_owners()->set_org_id("sme-1");
  r->mutable_owners(0)->set_share_bps(10000);
  REQUIRE(f.w.Run(reg, {"ipo-a"}).code() == "OK");
  CHECK_CODE(pledge(app), "PLEDGE_PATENT_NOT_GRANTED", "R7c");
  Action grant;
  grant.mutable_patent_status()->set_patent_no(app);
  grant.mutable_patent_status()->set_event(PATENT_EVENT_GRANTED);
  REQUIRE(f.w.Run(grant, {"ipo-a"}).code() == "OK");
  CHECK_OK(pledge(app));
  // d: fee grace
  std::string grace = Zl(2020, 1, 3000003);
  REQUIRE(f.w.RegisterPatent(grace, {{"sme-1", 10000}}).code() == "OK");
  f.w.SetToday(DaysFromCivil(2025, 3, 10));
  REQUIRE(f.Status(grace, PATENT_EVENT_FEE_GRACE).code() == "OK");
  CHECK_CODE(pledge(grace), "PLEDGE_PATENT_FEE_UNPAID", "R7d");
  // e: preservation
  std::string frozen = Zl(2020, 1, 3000004);
  REQUIRE(f.w.RegisterPatent(frozen, {{"sme-1", 10000}}).code() == "OK");
  Action pay;
  pay.mutable_patent_status()->set_patent_no(frozen);
  pay.mutable_patent_status()->set_event(PATENT_EVENT_FEE_PAID);
  pay.mutable_patent_status()->set_paid_through(DaysFromCivil(2026, 2, 28));
  REQUIRE(f.w.Run(pay, {"ipo-a"}).code() == "OK");
  REQUIRE(f.Status(frozen, PATENT_EVENT_PRESERVATION_ON).code() == "OK");
  CHECK_CODE(pledge(frozen), "PLEDGE_PATENT_FROZEN", "R7e");
  // p1's fees are overdue by now (paid through 2025-02-28) and it is preserved: both grounds are listed.
  REQUIRE(f.Status(f.p1, PATENT_EVENT_PRESERVATION_ON).code() == "OK");
  auto fr = pledge(f.p1);
  CHECK(fr.code() == "PLEDGE_PATENT_FEE_UNPAID");
  REQUIRE(fr.grounds_size() == 2);
  CHECK_THAT(fr.grounds(1), Catch::StartsWith("PLEDGE_PATENT_FROZEN (R7e)"));
}

TEST_CASE("R7f, R7i: due date within the term, one active pledge", "[unit][contracts][R7f][R7i]") {
  Fixture f;
  Action a = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1});
  a.mutable_pledge_register()->set_due_date(DaysFromCivil(2041, 1, 1));
  CHECK_CODE(f.w.Run(a, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_DEBT_DUE_AFTER_EXPIRY", "R7f");
  f.Pledge("bank-a");
  auto second = f.w.Run(f.w.PledgeAction("bank-b", {"sme-1"}, {f.p1}), {"bank-b", "sme-1", "ipo-a"});
  CHECK_CODE(second, "PLEDGE_PATENT_ALREADY_PLEDGED", "R7i");
}

TEST_CASE("R7j, R7k: twin applications and pending invalidation need risk_ack", "[unit][contracts][R7j][R7k]") {
  World w;
  std::string um = Zl(2020, 2, 4000001);
  Action reg;
  auto* r = reg.mutable_patent_register();
  r->set_patent_no(um);
  r->set_type(PATENT_UTILITY);
  r->set_title("t");
  r->set_main_ipc("B65D 1/00");
  r->set_filing_date(DaysFromCivil(2020, 3, 1));
  r->set_grant_date(DaysFromCivil(2020, 9, 1));
  r->set_fee_paid_through(DaysFromCivil(2025, 2, 28));
  r->set_twin_patent_no(Zl(2020, 1, 4000001));
  r->add_owners()->set_org_id("sme-1");
  r->mutable_owners(0)->set_share_bps(10000);
  REQUIRE(w.Run(reg, {"ipo-a"}).code() == "OK");
  Action a = w.PledgeAction("bank-a", {"sme-1"}, {um});
  CHECK_CODE(w.Run(a, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_TWIN_APPLICATION_UNACKNOWLEDGED", "R7j");
  a.mutable_pledge_register()->set_risk_ack(true);
  auto ok = w.Run(a, {"bank-a", "sme-1", "ipo-a"});
  CHECK_OK(ok);
  CHECK(HasEvent(ok, "pledge.risk_acknowledged"));

  std::string inv = Zl(2020, 1, 4000002);
  REQUIRE(w.RegisterPatent(inv, {{"sme-2", 10000}}).code() == "OK");
  Action st;
  st.mutable_patent_status()->set_patent_no(inv);
  st.mutable_patent_status()->set_event(PATENT_EVENT_INVALIDATION_STARTED);
  REQUIRE(w.Run(st, {"ipo-b"}).code() == "OK");
  Action b = w.PledgeAction("bank-a", {"sme-2"}, {inv});
  CHECK_CODE(w.Run(b, {"bank-a", "sme-2", "ipo-a"}), "PLEDGE_INVALIDATION_PENDING_UNACKNOWLEDGED", "R7k");
  b.mutable_pledge_register()->set_risk_ack(true);
  CHECK_OK(w.Run(b, {"bank-a", "sme-2", "ipo-a"}));
}

TEST_CASE("R7: the receipt lists every failed ground and the rejection writes nothing", "[unit][contracts][R7]") {
  Fixture f;
  f.Pledge("bank-a");
  auto before = f.w.state().data();
  Action a = f.w.PledgeAction("bank-b", {"sme-1"}, {f.p1});
  a.mutable_pledge_register()->set_due_date(DaysFromCivil(2041, 1, 1));
  a.mutable_pledge_register()->clear_scope();
  a.mutable_pledge_register()->clear_contract_hash();
  auto r = f.w.Run(a, {"bank-b", "sme-1", "ipo-a"});
  CHECK(r.code() == "PLEDGE_CONTRACT_DATA_MISSING");
  REQUIRE(r.grounds_size() == 4);
  CHECK_THAT(r.grounds(0), Catch::StartsWith("PLEDGE_CONTRACT_DATA_MISSING (R7g)"));
  CHECK_THAT(r.grounds(1), Catch::StartsWith("PLEDGE_CONTRACT_MISSING (R2)"));
  CHECK_THAT(r.grounds(2), Catch::StartsWith("PLEDGE_DEBT_DUE_AFTER_EXPIRY (R7f)"));
  CHECK_THAT(r.grounds(3), Catch::StartsWith("PLEDGE_PATENT_ALREADY_PLEDGED (R7i)"));
  // The rejected transaction wrote nothing.
  CHECK(f.w.state().data() == before);
}

TEST_CASE("R8: a forfeiture clause is flagged and never transfers the patent", "[unit][contracts][R8][R17]") {
  Fixture f;
  Action a = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1});
  a.mutable_pledge_register()->set_forfeiture_clause(true);
  auto r = f.w.Run(a, {"bank-a", "sme-1", "ipo-a"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "pledge.forfeiture_clause"));
  std::string id = f.w.last_object_id();
  f.w.SetToday(DaysFromCivil(2025, 7, 1));
  Action e;
  e.mutable_pledge_enforce()->set_pledge_id(id);
  e.mutable_pledge_enforce()->set_method(ENFORCE_DISCOUNT);
  e.mutable_pledge_enforce()->set_proceeds_fen(50'000'000);
  e.mutable_pledge_enforce()->set_document_hash(Hash("price"));
  auto er = f.w.Run(e, {"bank-a"});
  CHECK_OK(er);
  CHECK(HasEvent(er, "pledge.forfeiture_not_applied"));
  CHECK(f.w.GetPatent(f.p1).owners(0).org_id() == "sme-1");
}

TEST_CASE("R11: changes need the agreement, an extension re-checks R7f", "[unit][contracts][R11]") {
  Fixture f;
  std::string id = f.Pledge();
  Action c;
  auto* ch = c.mutable_pledge_change();
  ch->set_pledge_id(id);
  ch->set_new_due_date(DaysFromCivil(2026, 6, 1));
  CHECK_CODE(f.w.Run(c, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_CHANGE_AGREEMENT_MISSING", "R11");
  ch->set_agreement_hash(Hash("change"));
  CHECK_CODE(f.w.Run(c, {"bank-a", "ipo-a"}), "PLEDGE_PLEDGOR_SIGNATURE_MISSING", "R1");
  ch->set_new_due_date(DaysFromCivil(2041, 1, 1));
  CHECK_CODE(f.w.Run(c, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_DEBT_DUE_AFTER_EXPIRY", "R7f");
  ch->set_new_due_date(DaysFromCivil(2026, 6, 1));
  ch->set_new_principal_fen(150'000'000);
  auto ok = f.w.Run(c, {"bank-a", "sme-1", "ipo-a"});
  CHECK_OK(ok);
  CHECK(HasEvent(ok, "gazette.pledge_changed"));
  Pledge p = f.w.GetPledge(id);
  CHECK(p.due_date() == DaysFromCivil(2026, 6, 1));
  CHECK(p.outstanding_principal_fen() == 150'000'000);
  CHECK(p.changes() == 1);
}

TEST_CASE("R12, R16: payments go to costs, interest, principal, full repayment cancels and unlocks", "[unit][contracts][R12][R16]") {
  Fixture f;
  std::string id = f.Pledge();
  Action acc;
  acc.mutable_loan_accrue()->set_pledge_id(id);
  acc.mutable_loan_accrue()->set_interest_fen(2'000);
  acc.mutable_loan_accrue()->set_costs_fen(1'000);
  CHECK_CODE(f.w.Run(acc, {"bank-b"}), "AUTH_ROLE_MISSING", "");
  CHECK_OK(f.w.Run(acc, {"bank-a"}));
  Action rep;
  rep.mutable_loan_repay()->set_pledge_id(id);
  rep.mutable_loan_repay()->set_amount_fen(2'500);
  auto r = f.w.Run(rep, {"bank-a"});
  CHECK_OK(r);
  CHECK(Attr(r, "loan.repaid", "to_costs_fen") == "1000");
  CHECK(Attr(r, "loan.repaid", "to_interest_fen") == "1500");
  CHECK(Attr(r, "loan.repaid", "to_principal_fen") == "0");
  rep.mutable_loan_repay()->set_amount_fen(100'000'501);
  CHECK_CODE(f.w.Run(rep, {"bank-a"}), "LOAN_OVERPAYMENT", "R16");
  rep.mutable_loan_repay()->set_amount_fen(100'000'500);
  auto full = f.w.Run(rep, {"bank-a"});
  CHECK_OK(full);
  CHECK(HasEvent(full, "pledge.cancelled"));
  CHECK(HasEvent(full, "pledge.locks_lifted"));
  CHECK(HasEvent(full, "gazette.pledge_cancelled"));
  CHECK(f.w.GetPledge(id).state() == PLEDGE_CANCELLED);
  CHECK(f.w.GetPledge(id).cancel_ground() == CANCEL_REPAID);
  CHECK(f.w.GetPatent(f.p1).active_pledge_id().empty());
  CHECK_CODE(f.w.Run(rep, {"bank-a"}), "PLEDGE_NOT_ACTIVE", "R12");
}

TEST_CASE("R12: cancellation by the pledgee or, on a court order, by an IP office", "[unit][contracts][R12]") {
  Fixture f;
  std::string id = f.Pledge();
  Action c;
  c.mutable_pledge_cancel()->set_pledge_id(id);
  c.mutable_pledge_cancel()->set_ground(CANCEL_COURT_ORDER);
  CHECK_CODE(f.w.Run(c, {"bank-a"}), "AUTH_ROLE_MISSING", "");
  CHECK_CODE(f.w.Run(c, {"ipo-b"}), "DOCUMENT_HASH_MISSING", "");
  c.mutable_pledge_cancel()->set_document_hash(Hash("order"));
  CHECK_OK(f.w.Run(c, {"ipo-b"}));
  CHECK(f.w.GetPatent(f.p1).active_pledge_id().empty());
  std::string id2 = f.Pledge("bank-b");
  Action w;
  w.mutable_pledge_cancel()->set_pledge_id(id2);
  w.mutable_pledge_cancel()->set_ground(CANCEL_WAIVED);
  CHECK_CODE(f.w.Run(w, {"bank-a"}), "AUTH_ROLE_MISSING", "");
  CHECK_OK(f.w.Run(w, {"bank-b"}));
}

TEST_CASE("R13: assignment, licence and waiver of a pledged patent need the pledgee", "[unit][contracts][R13]") {
  Fixture f;
  f.Pledge();
  Action as;
  as.mutable_patent_assign()->set_patent_no(f.p1);
  as.mutable_patent_assign()->set_basis(TRANSFER_CONTRACT);
  as.mutable_patent_assign()->set_document_hash(Hash("assign"));
  auto* o = as.mutable_patent_assign()->add_new_owners();
  o->set_org_id("sme-3");
  o->set_share_bps(10000);
  CHECK_CODE(f.w.Run(as, {"ipo-a", "sme-1", "sme-3"}), "PATENT_PLEDGEE_CONSENT_MISSING", "R13");
  Action li;
  auto* l = li.mutable_licence_file();
  l->set_patent_no(f.p1);
  l->set_licensee_org_id("sme-3");
  l->set_type(LICENCE_ORDINARY);
  l->set_start_date(f.w.today());
  l->set_end_date(f.w.today() + 365);
  l->set_contract_hash(Hash("lic"));
  CHECK_CODE(f.w.Run(li, {"ipo-a", "sme-1"}), "PATENT_PLEDGEE_CONSENT_MISSING", "R13");
  CHECK_CODE(f.Status(f.p1, PATENT_EVENT_WAIVED, Hash("w"), {"ipo-a", "sme-1"}), "PATENT_PLEDGEE_CONSENT_MISSING", "R13");
  CHECK_OK(f.w.Run(li, {"ipo-a", "sme-1", "bank-a"}));
  CHECK_OK(f.w.Run(as, {"ipo-a", "sme-1", "sme-3", "bank-a"}));
  CHECK(f.w.GetPatent(f.p1).owners(0).org_id() == "sme-3");
}

TEST_CASE("R14: register events on a pledged patent notify the pledgee", "[unit][contracts][R14]") {
  Fixture f;
  auto unpledged = f.Status(f.p2, PATENT_EVENT_INVALIDATION_STARTED);
  CHECK_OK(unpledged);
  CHECK(!HasEvent(unpledged, "pledgee.notice"));
  std::string id = f.Pledge();
  auto r = f.Status(f.p1, PATENT_EVENT_INVALIDATION_STARTED);
  CHECK_OK(r);
  CHECK(Attr(r, "pledgee.notice", "pledgee_org_id") == "bank-a");
  CHECK(Attr(r, "pledgee.notice", "pledge_id") == id);
}

TEST_CASE("R15: preservation and suspension freeze assignments and pledge procedures", "[unit][contracts][R15]") {
  Fixture f;
  std::string id = f.Pledge();
  REQUIRE(f.Status(f.p1, PATENT_EVENT_SUSPENSION_ON).code() == "OK");
  Action c;
  c.mutable_pledge_change()->set_pledge_id(id);
  c.mutable_pledge_change()->set_new_scope("principal only");
  c.mutable_pledge_change()->set_agreement_hash(Hash("c"));
  CHECK_CODE(f.w.Run(c, {"bank-a", "sme-1", "ipo-a"}), "PLEDGE_FROZEN", "R15");
  Action as;
  as.mutable_patent_assign()->set_patent_no(f.p2);
  as.mutable_patent_assign()->set_basis(TRANSFER_CONTRACT);
  as.mutable_patent_assign()->set_document_hash(Hash("a"));
  auto* o = as.mutable_patent_assign()->add_new_owners();
  o->set_org_id("sme-3");
  o->set_share_bps(10000);
  REQUIRE(f.Status(f.p2, PATENT_EVENT_PRESERVATION_ON).code() == "OK");
  CHECK_CODE(f.w.Run(as, {"ipo-a", "sme-1", "sme-2", "sme-3"}), "PATENT_FROZEN", "R15");
  REQUIRE(f.Status(f.p1, PATENT_EVENT_SUSPENSION_OFF).code() == "OK");
  CHECK_OK(f.w.Run(c, {"bank-a", "sme-1", "ipo-a"}));
  REQUIRE(f.Status(f.p2, PATENT_EVENT_PRESERVATION_OFF).code() == "OK");
  CHECK_OK(f.w.Run(as, {"ipo-a", "sme-1", "sme-2", "sme-3"}));
}

TEST_CASE("R17: enforcement after default, pledgee gets min(proceeds, claim)", "[unit][contracts][R17]") {
  Fixture f;
  std::string id = f.Pledge();
  Action e;
  e.mutable_pledge_enforce()->set_pledge_id(id);
  e.mutable_pledge_enforce()->set_method(ENFORCE_AUCTION);
  e.mutable_pledge_enforce()->set_proceeds_fen(130'000'000);
  e.mutable_pledge_enforce()->set_document_hash(Hash("auction"));
  CHECK_CODE(f.w.Run(e, {"bank-a"}), "PLEDGE_NOT_DUE", "R17");
  f.w.SetToday(DaysFromCivil(2025, 6, 2));
  CHECK_CODE(f.w.Run(e, {"bank-b"}), "AUTH_ROLE_MISSING", "");
  auto r = f.w.Run(e, {"bank-a"});
  CHECK_OK(r);
  CHECK(Attr(r, "pledge.enforced", "to_pledgee_fen") == "100000000");
  CHECK(Attr(r, "pledge.enforced", "surplus_fen") == "30000000");
  CHECK(Attr(r, "pledge.enforced", "shortfall_fen") == "0");
  // The patent stays locked until the buyer's assignment, signed by the pledgee.
  CHECK(f.w.GetPatent(f.p1).active_pledge_id() == id);
  Action as;
  as.mutable_patent_assign()->set_patent_no(f.p1);
  as.mutable_patent_assign()->set_basis(TRANSFER_CONTRACT);
  as.mutable_patent_assign()->set_document_hash(Hash("sale"));
  auto* o = as.mutable_patent_assign()->add_new_owners();
  o->set_org_id("sme-3");
  o->set_share_bps(10000);
  CHECK_CODE(f.w.Run(as, {"ipo-a", "sme-1", "sme-3"}), "PATENT_PLEDGEE_CONSENT_MISSING", "R13");
  CHECK_OK(f.w.Run(as, {"ipo-a", "sme-1", "sme-3", "bank-a"}));
  CHECK(f.w.GetPatent(f.p1).active_pledge_id().empty());
  CHECK(f.w.GetPledge(id).assigned_to_org_ids() == "sme-3");
  // R12: the enforced pledge is then cancelled (enforcement is a ground).
  Action c;
  c.mutable_pledge_cancel()->set_pledge_id(id);
  c.mutable_pledge_cancel()->set_ground(CANCEL_OTHER);
  CHECK_OK(f.w.Run(c, {"bank-a"}));
  CHECK(f.w.GetPledge(id).state() == PLEDGE_CANCELLED);
  CHECK_CODE(f.w.Run(c, {"bank-a"}), "PLEDGE_NOT_ACTIVE", "R12");
}

TEST_CASE("R18: a bank's and a borrower's pledges list in registration order", "[unit][contracts][R18]") {
  Fixture f;
  std::string p3 = Zl(2020, 1, 5000003);
  REQUIRE(f.w.RegisterPatent(p3, {{"sme-1", 10000}}).code() == "OK");
  std::string first = f.Pledge("bank-a");
  REQUIRE(f.w.Run(f.w.PledgeAction("bank-a", {"sme-1"}, {p3}), {"bank-a", "sme-1", "ipo-a"}).code() == "OK");
  std::string second = f.w.last_object_id();
  auto list = QueryPledgesOfBank(f.w.state(), "bank-a");
  REQUIRE(list.ok());
  REQUIRE(list->pledges_size() == 2);
  CHECK(list->pledges(0).rank() == 1);
  CHECK(list->pledges(0).pledge().id() == first);
  CHECK(list->pledges(1).pledge().id() == second);
  auto borrower = QueryPledgesOfBorrower(f.w.state(), "sme-1");
  REQUIRE(borrower.ok());
  CHECK(borrower->pledges_size() == 2);
  auto view = QueryPatent(f.w.state(), f.p1, f.w.height());
  REQUIRE(view.ok());
  CHECK(view->pledged());
  CHECK(view->active_pledge().id() == first);
  // A large register comes in pages: ranks continue across pages and the
  // cursor is the last rank of a page that has a successor.
  std::string p4 = Zl(2020, 1, 5000004);
  REQUIRE(f.w.RegisterPatent(p4, {{"sme-1", 10000}}).code() == "OK");
  REQUIRE(f.w.Run(f.w.PledgeAction("bank-a", {"sme-1"}, {p4}), {"bank-a", "sme-1", "ipo-a"}).code() == "OK");
  std::string third = f.w.last_object_id();
  CHECK(QueryPledgesOfBank(f.w.state(), "bank-a")->next_cursor().empty());
  auto page1 = QueryPledgesOfBank(f.w.state(), "bank-a", 2);
  REQUIRE(page1.ok());
  REQUIRE(page1->pledges_size() == 2);
  CHECK(page1->pledges(1).pledge().id() == second);
  CHECK(page1->next_cursor() == "2");
  auto page2 = QueryPledgesOfBank(f.w.state(), "bank-a", 2, 2);
  REQUIRE(page2.ok());
  REQUIRE(page2->pledges_size() == 1);
  CHECK(page2->pledges(0).rank() == 3);
  CHECK(page2->pledges(0).pledge().id() == third);
  CHECK(page2->next_cursor().empty());
  auto exact = QueryPledgesOfBorrower(f.w.state(), "sme-1", 3);
  REQUIRE(exact.ok());
  CHECK(exact->pledges_size() == 3);
  CHECK(exact->next_cursor().empty());  // no successor, no cursor
  CHECK(QueryPledgesOfBank(f.w.state(), "bank-a", 2, 3)->pledges_size() == 0);
}

TEST_CASE("R20: fee grace, surcharge and retroactive termination, month-end rule", "[unit][contracts][R20]") {
  CHECK(AddMonths(DaysFromCivil(2024, 8, 31), 6) == DaysFromCivil(2025, 2, 28));
  CHECK(AddMonths(DaysFromCivil(2024, 1, 31), 1) == DaysFromCivil(2024, 2, 29));
  CHECK(AddMonths(DaysFromCivil(2024, 3, 15), -3) == DaysFromCivil(2023, 12, 15));
  CHECK(RollToWorkingDay(DaysFromCivil(2024, 6, 1), {}) == DaysFromCivil(2024, 6, 3));  // Saturday -> Monday
  std::int32_t holiday = DaysFromCivil(2024, 6, 3);
  CHECK(RollToWorkingDay(DaysFromCivil(2024, 6, 1), std::span<const std::int32_t>(&holiday, 1)) == DaysFromCivil(2024, 6, 4));

  Fixture f;
  CHECK_CODE(f.Status(f.p1, PATENT_EVENT_FEE_GRACE), "PATENT_FEE_NOT_OVERDUE", "R20");
  f.w.SetToday(DaysFromCivil(2025, 3, 5));
  CHECK_OK(f.Status(f.p1, PATENT_EVENT_FEE_GRACE));
  Patent p = f.w.GetPatent(f.p1);
  CHECK(p.status() == PATENT_FEE_GRACE);
  CHECK(p.grace_end() == DaysFromCivil(2025, 8, 28));  // 2025-02-28 + 6 months, a Thursday
  CHECK_CODE(f.Status(f.p1, PATENT_EVENT_TERMINATED_NONPAYMENT), "PATENT_GRACE_NOT_OVER", "R20");
  // Paying in grace: two months begun late -> 10 % surcharge.
  Action pay;
  pay.mutable_patent_status()->set_patent_no(f.p2);
  pay.mutable_patent_status()->set_event(PATENT_EVENT_FEE_PAID);
  pay.mutable_patent_status()->set_paid_through(DaysFromCivil(2026, 2, 28));
  f.w.SetToday(DaysFromCivil(2025, 4, 10));
  auto paid = f.w.Run(pay, {"ipo-a"});
  CHECK_OK(paid);
  CHECK(Attr(paid, "patent.fee_surcharge", "months_late") == "2");
  CHECK(Attr(paid, "patent.fee_surcharge", "surcharge_bps_of_annual_fee") == "1000");
  f.w.SetToday(DaysFromCivil(2025, 9, 1));
  CHECK_OK(f.Status(f.p1, PATENT_EVENT_TERMINATED_NONPAYMENT));
  p = f.w.GetPatent(f.p1);
  CHECK(p.status() == PATENT_TERMINATED_NONPAYMENT);
  CHECK(p.status_date() == DaysFromCivil(2025, 3, 1));  // retroactive to the due date
  CHECK_CODE(f.Status(f.p1, PATENT_EVENT_RESTORED, ""), "DOCUMENT_HASH_MISSING", "");
  CHECK_OK(f.Status(f.p1, PATENT_EVENT_RESTORED));
  CHECK(f.w.GetPatent(f.p1).status() == PATENT_RESTORED);
}

TEST_CASE("R21, R26: register transitions, invalid patents cannot be assigned", "[unit][contracts][R21][R26]") {
  Fixture f;
  CHECK_CODE(f.Status(f.p1, PATENT_EVENT_INVALIDATED), "PATENT_TRANSITION_INVALID", "R26");
  CHECK_CODE(f.Status(f.p1, PATENT_EVENT_GRANTED), "PATENT_TRANSITION_INVALID", "R26");
  CHECK_CODE(f.Status(f.p1, PATENT_EVENT_EXPIRED), "PATENT_NOT_YET_EXPIRED", "R19");
  CHECK_OK(f.Status(f.p1, PATENT_EVENT_INVALIDATION_STARTED));
  CHECK_OK(f.Status(f.p1, PATENT_EVENT_INVALIDATED));
  Action as;
  as.mutable_patent_assign()->set_patent_no(f.p1);
  as.mutable_patent_assign()->set_basis(TRANSFER_CONTRACT);
  as.mutable_patent_assign()->set_document_hash(Hash("a"));
  auto* o = as.mutable_patent_assign()->add_new_owners();
  o->set_org_id("sme-3");
  o->set_share_bps(10000);
  CHECK_CODE(f.w.Run(as, {"ipo-a", "sme-1", "sme-3"}), "PATENT_NOT_IN_FORCE", "R21");
  CHECK_OK(f.Status(f.p2, PATENT_EVENT_INVALIDATION_STARTED));
  CHECK_OK(f.Status(f.p2, PATENT_EVENT_PARTIALLY_INVALIDATED));
  CHECK(f.w.GetPatent(f.p2).status() == PATENT_PARTIALLY_INVALID);
}

TEST_CASE("R22, R23: assignments need every owner and the assignee, licences by co-owners", "[unit][contracts][R22][R23]") {
  Fixture f;
  Action as;
  as.mutable_patent_assign()->set_patent_no(f.p2);
  as.mutable_patent_assign()->set_basis(TRANSFER_CONTRACT);
  as.mutable_patent_assign()->set_document_hash(Hash("a"));
  auto* o = as.mutable_patent_assign()->add_new_owners();
  o->set_org_id("sme-3");
  o->set_share_bps(10000);
  CHECK_CODE(f.w.Run(as, {"ipo-a", "sme-1", "sme-3"}), "PATENT_OWNER_SIGNATURE_MISSING", "R23");
  CHECK_CODE(f.w.Run(as, {"ipo-a", "sme-1", "sme-2"}), "PATENT_ASSIGNEE_SIGNATURE_MISSING", "R22");
  as.mutable_patent_assign()->set_basis(TRANSFER_COURT);
  CHECK_OK(f.w.Run(as, {"ipo-a"}));  // a court transfer needs the judgment, not the owners

  Action li;
  auto* l = li.mutable_licence_file();
  l->set_patent_no(f.p1);
  l->set_licensee_org_id("sme-2");
  l->set_type(LICENCE_EXCLUSIVE);
  l->set_start_date(f.w.today());
  l->set_end_date(f.w.today() + 365);
  l->set_contract_hash(Hash("lic"));
  std::string co = Zl(2020, 1, 6000001);
  REQUIRE(f.w.RegisterPatent(co, {{"sme-1", 5000}, {"indiv-1", 5000}}).code() == "OK");
  l->set_patent_no(co);
  l->set_licensee_org_id("sme-3");
  CHECK_CODE(f.w.Run(li, {"ipo-a", "sme-1"}), "PATENT_OWNER_SIGNATURE_MISSING", "R23");
  l->set_type(LICENCE_ORDINARY);
  CHECK_OK(f.w.Run(li, {"ipo-a", "sme-1"}));  // each co-owner may grant ordinary licences
}

TEST_CASE("R24: licence term, conflicts, open licences and late filing", "[unit][contracts][R24]") {
  Fixture f;
  Action li;
  auto* l = li.mutable_licence_file();
  l->set_patent_no(f.p1);
  l->set_licensee_org_id("sme-2");
  l->set_type(LICENCE_EXCLUSIVE);
  l->set_start_date(f.w.today());
  l->set_end_date(DaysFromCivil(2041, 1, 1));
  l->set_contract_hash(Hash("lic"));
  CHECK_CODE(f.w.Run(li, {"ipo-a", "sme-1"}), "LICENCE_BEYOND_TERM", "R24");
  l->set_end_date(f.w.today() + 365);
  CHECK_OK(f.w.Run(li, {"ipo-a", "sme-1"}));
  l->set_licensee_org_id("sme-3");
  l->set_type(LICENCE_TYPE_UNSPECIFIED);  // counts as ordinary, still conflicts with the exclusive one
  CHECK_CODE(f.w.Run(li, {"ipo-a", "sme-1"}), "LICENCE_CONFLICT", "R24");
  l->clear_licensee_org_id();
  l->set_type(LICENCE_OPEN);
  CHECK_CODE(f.w.Run(li, {"ipo-a", "sme-1"}), "LICENCE_OPEN_NOT_ALLOWED", "R24");
  // After the exclusive term, an ordinary licence filed 4 months after its start is late.
  l->set_type(LICENCE_ORDINARY);
  l->set_licensee_org_id("sme-3");
  l->set_start_date(f.w.today() + 400);
  l->set_end_date(f.w.today() + 800);
  f.w.SetToday(f.w.today() + 400 + 125);
  auto late = f.w.Run(li, {"ipo-a", "sme-1"});
  CHECK_OK(late);
  CHECK(HasEvent(late, "licence.filed_late"));
  CHECK(f.w.GetPatent(f.p1).licences_size() == 1);  // the ended exclusive licence was pruned
}

TEST_CASE("R27, R28, R4: valuations by appraisers, valid one year, covering the pledged patents", "[unit][contracts][R27][R28][R4]") {
  Fixture f;
  Action v;
  auto* r = v.mutable_valuation_record();
  r->add_patent_nos(f.p1);
  r->set_method(VALUATION_INCOME);
  r->set_base_date(f.w.today() - 30);
  r->set_value_fen(500'000'000);
  r->set_realisable_value_fen(600'000'000);
  r->set_report_hash(Hash("rep"));
  CHECK_CODE(f.w.Run(v, {"bank-b"}), "AUTH_ROLE_MISSING", "");
  CHECK_CODE(f.w.Run(v, {"appr-1"}), "VALUATION_AMOUNT_INVALID", "R27");
  r->set_realisable_value_fen(300'000'000);
  r->set_base_date(AddYears(f.w.today(), -1) - 1);
  CHECK_CODE(f.w.Run(v, {"appr-1"}), "VALUATION_EXPIRED", "R28");
  r->set_base_date(f.w.today() - 30);
  r->clear_report_hash();
  CHECK_CODE(f.w.Run(v, {"appr-1"}), "VALUATION_REPORT_MISSING", "R4");
  r->set_report_hash(Hash("rep"));
  CHECK_OK(f.w.Run(v, {"bank-a"}));  // in-house appraisal (R27)
  std::string vid = f.w.last_object_id();
  auto val = QueryValuation(f.w.state(), vid);
  REQUIRE(val.ok());
  CHECK(val->valid_until() == AddYears(f.w.today() - 30, 1));
  Action p = f.w.PledgeAction("bank-a", {"sme-1", "sme-2"}, {f.p1, f.p2}, 100'000'000, vid);
  CHECK_CODE(f.w.Run(p, {"bank-a", "sme-1", "sme-2", "ipo-a"}), "PLEDGE_VALUATION_MISMATCH", "R4");
  p = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1}, 100'000'000, vid);
  CHECK_OK(f.w.Run(p, {"bank-a", "sme-1", "ipo-a"}));
  CHECK(f.w.GetPledge(f.w.last_object_id()).ltv_bps() == 3334);  // 1e8 / 3e8, rounded up
  auto view = QueryPatent(f.w.state(), f.p1, 0);
  REQUIRE(view.ok());
  CHECK(view->valuations_size() == 1);
}

TEST_CASE("R29: the bank's LTV cap, valuation requirement and minimum life", "[unit][contracts][R29]") {
  Fixture f;
  Action pol;
  pol.mutable_bank_policy_set()->set_bank_org_id("bank-a");
  pol.mutable_bank_policy_set()->mutable_policy()->set_ltv_cap_bps(3000);
  pol.mutable_bank_policy_set()->mutable_policy()->set_valuation_required(true);
  pol.mutable_bank_policy_set()->mutable_policy()->set_min_life_days_invention(10 * 365);
  CHECK_CODE(f.w.Run(pol, {"bank-b"}), "AUTH_ROLE_MISSING", "");
  CHECK_OK(f.w.Run(pol, {"bank-a"}));
  auto r = f.w.Run(f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1}), {"bank-a", "sme-1", "ipo-a"});
  CHECK_CODE(r, "PLEDGE_VALUATION_REQUIRED", "R29");
  REQUIRE(f.w.Valuate({f.p1}, 500'000'000, 300'000'000).code() == "OK");
  std::string vid = f.w.last_object_id();
  r = f.w.Run(f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1}, 100'000'000, vid), {"bank-a", "sme-1", "ipo-a"});
  CHECK_CODE(r, "PLEDGE_LTV_EXCEEDED", "R29");
  CHECK_OK(f.w.Run(f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1}, 90'000'000, vid), {"bank-a", "sme-1", "ipo-a"}));
  // A utility model has 10 years in total; with a 12-year requirement for "other" it fails.
  pol.mutable_bank_policy_set()->mutable_policy()->set_min_life_days_other(12 * 365);
  pol.mutable_bank_policy_set()->mutable_policy()->set_valuation_required(false);
  REQUIRE(f.w.Run(pol, {"bank-a"}).code() == "OK");
  std::string um = Zl(2020, 2, 7000001);
  REQUIRE(f.w.RegisterPatent(um, {{"sme-2", 10000}}).code() == "OK");
  CHECK_CODE(f.w.Run(f.w.PledgeAction("bank-a", {"sme-2"}, {um}), {"bank-a", "sme-2", "ipo-a"}),
             "PLEDGE_PATENT_LIFE_TOO_SHORT", "R29");
}

TEST_CASE("R33: more than 3 banks (2 for individual businesses) need the caution ack", "[unit][contracts][R33]") {
  World w;
  std::vector<std::string> banks = {"bank-a", "bank-b", "bank-c", "bank-d", "bank-e"};
  std::vector<std::string> patents;
  for (int i = 0; i < 5; ++i) {
    patents.push_back(Zl(2020, 1, 8000000 + i));
    REQUIRE(w.RegisterPatent(patents.back(), {{"sme-1", 10000}}).code() == "OK");
  }
  for (int i = 0; i < 4; ++i) {
    auto r = w.Run(w.PledgeAction(banks[i], {"sme-1"}, {patents[i]}), {banks[i], "sme-1", "ipo-a"});
    REQUIRE(r.code() == "OK");
    CHECK(!HasEvent(r, "caution.partner_bank"));
  }
  Action fifth = w.PledgeAction("bank-e", {"sme-1"}, {patents[4]});
  CHECK_CODE(w.Run(fifth, {"bank-e", "sme-1", "ipo-a"}), "PLEDGE_CAUTION_ACK_REQUIRED", "R33");
  fifth.mutable_pledge_register()->set_caution_ack(true);
  auto ok = w.Run(fifth, {"bank-e", "sme-1", "ipo-a"});
  CHECK_OK(ok);
  CHECK(Attr(ok, "caution.partner_bank", "banks_before") == "4");

  // Individual business: threshold 2.
  std::vector<std::string> ip;
  for (int i = 0; i < 4; ++i) {
    ip.push_back(Zl(2020, 1, 8100000 + i));
    REQUIRE(w.RegisterPatent(ip.back(), {{"indiv-1", 10000}}).code() == "OK");
  }
  for (int i = 0; i < 3; ++i) {
    REQUIRE(w.Run(w.PledgeAction(banks[i], {"indiv-1"}, {ip[i]}), {banks[i], "indiv-1", "ipo-a"}).code() == "OK");
  }
  CHECK_CODE(w.Run(w.PledgeAction("bank-d", {"indiv-1"}, {ip[3]}), {"bank-d", "indiv-1", "ipo-a"}),
             "PLEDGE_CAUTION_ACK_REQUIRED", "R33");
  // A bank that already lends to the borrower is not a new entrant.
  std::string extra = Zl(2020, 1, 8100009);
  REQUIRE(w.RegisterPatent(extra, {{"indiv-1", 10000}}).code() == "OK");
  CHECK_OK(w.Run(w.PledgeAction("bank-a", {"indiv-1"}, {extra}), {"bank-a", "indiv-1", "ipo-a"}));
}

TEST_CASE("R34: a renewal carries the risk class forward and flags substandard loans", "[unit][contracts][R34][R30][R35]") {
  Fixture f;
  std::string id = f.Pledge();
  Action rn;
  rn.mutable_loan_renew()->set_pledge_id(id);
  rn.mutable_loan_renew()->set_new_due_date(DaysFromCivil(2025, 1, 1));
  rn.mutable_loan_renew()->set_agreement_hash(Hash("renew"));
  CHECK_CODE(f.w.Run(rn, {"bank-a", "sme-1", "ipo-a"}), "LOAN_RENEW_INVALID", "R34");
  rn.mutable_loan_renew()->set_new_due_date(DaysFromCivil(2026, 6, 1));
  auto r = f.w.Run(rn, {"bank-a", "sme-1", "ipo-a"});
  CHECK_OK(r);
  CHECK(Attr(r, "loan.renewed", "risk_class") == "RISK_NORMAL");
  CHECK(!HasEvent(r, "loan.renewal_flagged"));
  Action cl;
  cl.mutable_loan_classify()->set_pledge_id(id);
  cl.mutable_loan_classify()->set_risk_class(RISK_SUBSTANDARD);
  CHECK_CODE(f.w.Run(cl, {"bank-b"}), "AUTH_ROLE_MISSING", "");
  CHECK_OK(f.w.Run(cl, {"bank-a"}));
  rn.mutable_loan_renew()->set_new_due_date(DaysFromCivil(2027, 6, 1));
  r = f.w.Run(rn, {"bank-a", "sme-1", "ipo-a"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "loan.renewal_flagged"));
  Pledge p = f.w.GetPledge(id);
  CHECK(p.risk_class() == RISK_SUBSTANDARD);
  CHECK(p.interest_rate_bps() == 385);
  CHECK(p.renewals() == 2);
  auto rep = QueryLendingReport(f.w.state(), "bank-a");
  REQUIRE(rep.ok());
  CHECK(rep->pledges_active() == 1);
  CHECK(rep->npl_ratio_bps() == 10000);
  CHECK(rep->renewals() == 2);
  CHECK(rep->first_time_borrowers() == 1);
}

}  // namespace
}  // namespace pledger::contracts::test
