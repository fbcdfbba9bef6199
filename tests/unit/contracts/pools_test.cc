// Pools and tranches: creation, admission under R31 (one passing
// and one failing case per ground, with code and rule), the pool lock against
// assignment, new pledges and licences, the LOAN model, tranche issuance under
// R32, holdings and transfers, collections, payment-date and wind-down codes,
// and the touched entities the node's history index is built from.
#include <catch2/catch.hpp>

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tests/unit/contracts/harness.h"
#include "tests/unit/contracts/pool_fixture.h"

namespace pledger::contracts::test {
namespace {

#define CHECK_OK(expr)                       \
  do {                                       \
    const ledger::Receipt r_ = (expr);       \
    INFO(r_.code() << ": " << r_.message()); \
    CHECK(r_.code() == "OK");                \
  } while (0)
#define CHECK_CODE(expr, c, rule_id)         \
  do {                                       \
    const ledger::Receipt r_ = (expr);       \
    INFO(r_.message());                      \
    CHECK(r_.code() == (c));                 \
    CHECK(r_.rule() == (rule_id));           \
  } while (0)

bool HasEvent(const ledger::Receipt& r, std::string_view type) {
  return std::any_of(r.events().begin(), r.events().end(), [&](const ledger::Event& e) { return e.type() == type; });
}

bool HasGround(const ledger::Receipt& r, std::string_view code) {
  return std::any_of(r.grounds().begin(), r.grounds().end(),
                     [&](const std::string& g) { return g.rfind(std::string(code) + " ", 0) == 0; });
}

bool Touched(const World& w, std::string_view entity) {
  const auto& t = w.last_outcome().touched;
  return std::find(t.begin(), t.end(), entity) != t.end();
}

TEST_CASE("pools: creation checks and the trustee's pools", "[unit][contracts][pools]") {
  World w;
  Action a = CreatePoolAction();
  a.mutable_pool_create()->set_trustee_org_id("bank-a");
  CHECK_CODE(w.Run(a, {"bank-a"}), "POOL_TRUSTEE_INVALID", "");
  CHECK_CODE(w.Run(CreatePoolAction(), {"trustee-2"}), "AUTH_ROLE_MISSING", "");
  a = CreatePoolAction();
  a.mutable_pool_create()->set_legal_maturity_date(w.today());
  CHECK_CODE(w.Run(a, {"trustee-1"}), "POOL_INVALID", "");
  a = CreatePoolAction();
  a.mutable_pool_create()->set_model(POOL_MODEL_UNSPECIFIED);
  CHECK_CODE(w.Run(a, {"trustee-1"}), "POOL_INVALID", "");
  a = CreatePoolAction();
  a.mutable_pool_create()->mutable_eligibility()->add_patent_types(PATENT_INVENTION);
  a.mutable_pool_create()->mutable_eligibility()->add_patent_types(PATENT_INVENTION);
  CHECK_CODE(w.Run(a, {"trustee-1"}), "POOL_ELIGIBILITY_INVALID", "R31");
  a = CreatePoolAction();
  a.mutable_pool_create()->mutable_fees(1)->set_rate_bps(20'000);
  CHECK_CODE(w.Run(a, {"trustee-1"}), "POOL_FEES_INVALID", "H1");
  a = CreatePoolAction();
  a.mutable_pool_create()->mutable_fees(1)->set_payee_org_id("nobody");
  CHECK_CODE(w.Run(a, {"trustee-1"}), "ORG_NOT_FOUND", "");
  a = CreatePoolAction();
  a.mutable_pool_create()->set_guarantor_org_id("sme-1");
  CHECK_CODE(w.Run(a, {"trustee-1"}), "POOL_GUARANTOR_INVALID", "H5");
  a = CreatePoolAction();
  a.mutable_pool_create()->set_guarantee_limit_fen(0);
  CHECK_CODE(w.Run(a, {"trustee-1"}), "POOL_GUARANTOR_INVALID", "H5");
  a = CreatePoolAction();
  a.mutable_pool_create()->clear_document_hash();
  CHECK_CODE(w.Run(a, {"trustee-1"}), "DOCUMENT_HASH_MISSING", "");

  auto r = w.Run(CreatePoolAction(), {"trustee-1"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "pool.created"));
  const std::string id = w.last_object_id();
  CHECK(Touched(w, "pool/" + id));
  CHECK(Touched(w, "account/" + w.KeyHex("trustee-1")));
  Pool p = w.Get<Pool>(keys::Pool(id));
  CHECK(p.state() == POOL_OPEN);
  CHECK(p.fee_arrears_fen_size() == 2);
  auto list = QueryPoolsOfTrustee(w.state(), "trustee-1");
  REQUIRE(list.ok());
  REQUIRE(list->pools_size() == 1);
  CHECK(list->pools(0).id() == id);
}

struct Fixture {
  World w;
  std::string p1 = Zl(2020, 1, 1000001), p2 = Zl(2020, 1, 1000002);
  std::string pool;
  Fixture() {
    REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
    REQUIRE(w.RegisterPatent(p2, {{"sme-1", 6000}, {"sme-2", 4000}}).code() == "OK");
    REQUIRE(w.Run(CreatePoolAction(), {"trustee-1"}).code() == "OK");
    pool = w.last_object_id();
  }
  ledger::Receipt Licence(const std::string& no, std::int32_t end = DaysFromCivil(2027, 12, 31)) {
    auto r = w.Run(LicenceToTrusteeAction(no, "trustee-1", end), {"ipo-a", "sme-1", "sme-2"});
    return r;
  }
};

TEST_CASE("pools: admission grounds of R31", "[unit][contracts][pools][R31]") {
  Fixture f;
  World& w = f.w;
  // No licence to the trustee on file.
  CHECK_CODE(w.Run(AdmitPatentsAction(f.pool, {f.p1}), {"trustee-1", "sme-1"}), "POOL_LICENCE_MISSING", "R31");
  // A licence that ends before the legal maturity is not enough.
  CHECK_OK(f.Licence(f.p1, DaysFromCivil(2027, 6, 29)));
  CHECK_CODE(w.Run(AdmitPatentsAction(f.pool, {f.p1}), {"trustee-1", "sme-1"}), "POOL_LICENCE_MISSING", "R31");
  CHECK_OK(f.Licence(f.p2));
  // Every owner signs: sme-2 co-owns p2.
  auto r = w.Run(AdmitPatentsAction(f.pool, {f.p2}), {"trustee-1", "sme-1"});
  CHECK(r.code() == "POOL_OWNER_SIGNATURE_MISSING");
  CHECK(r.rule() == "R31");
  // Both patents at once: every ground of every patent is listed.
  r = w.Run(AdmitPatentsAction(f.pool, {f.p1, f.p2}), {"trustee-1", "sme-1"});
  CHECK(r.code() == "POOL_LICENCE_MISSING");
  CHECK(HasGround(r, "POOL_LICENCE_MISSING"));
  CHECK(HasGround(r, "POOL_OWNER_SIGNATURE_MISSING"));
  CHECK(r.grounds(0).find("(R31)") != std::string::npos);
  // Unknown patents and the model are checked too.
  CHECK_CODE(w.Run(AdmitPatentsAction(f.pool, {Zl(2020, 1, 1999999)}), {"trustee-1"}), "PATENT_NOT_FOUND", "");
  CHECK_CODE(w.Run(AdmitPatentsAction(f.pool, {f.p2, f.p2}), {"trustee-1"}), "POOL_MEMBERS_INVALID", "");
  // Passing case: p2 with both owners.
  r = w.Run(AdmitPatentsAction(f.pool, {f.p2}), {"trustee-1", "sme-1", "sme-2"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "pool.patent_admitted"));
  CHECK(w.GetPatent(f.p2).pool_id() == f.pool);
  CHECK(w.Get<Pool>(keys::Pool(f.pool)).active_members() == 1);
  auto member = w.Get<PoolMember>(keys::PoolMember(f.pool, f.p2));
  CHECK(member.state() == POOL_MEMBER_ACTIVE);
  CHECK(!member.licence_id().empty());
  // Already pooled: in this pool or another.
  CHECK_CODE(w.Run(AdmitPatentsAction(f.pool, {f.p2}), {"trustee-1", "sme-1", "sme-2"}), "POOL_PATENT_ALREADY_POOLED",
             "R31");
  REQUIRE(w.Run(CreatePoolAction(), {"trustee-1"}).code() == "OK");
  const std::string other = w.last_object_id();
  CHECK_CODE(w.Run(AdmitPatentsAction(other, {f.p2}), {"trustee-1", "sme-1", "sme-2"}), "POOL_PATENT_ALREADY_POOLED",
             "R31");
  // A LOAN pool takes pledges, not patents.
  REQUIRE(w.Run(CreatePoolAction("trustee-1", POOL_LOAN), {"trustee-1"}).code() == "OK");
  CHECK_CODE(w.Run(AdmitPatentsAction(w.last_object_id(), {f.p1}), {"trustee-1", "sme-1"}), "POOL_MODEL_MISMATCH",
             "R31");
}

TEST_CASE("pools: remaining life, status, fees and eligibility rules (R31)", "[unit][contracts][pools][R31]") {
  Fixture f;
  World& w = f.w;
  // Filed 2007-06-01: the term ends 2027-05-31, before the legal maturity 2027-06-30.
  const std::string old = Zl(2007, 1, 1000003);
  REQUIRE(w.RegisterPatent(old, {{"sme-1", 10000}}, DaysFromCivil(2007, 6, 1), DaysFromCivil(2010, 1, 1)).code() == "OK");
  CHECK_OK(w.Run(LicenceToTrusteeAction(old, "trustee-1", DaysFromCivil(2027, 5, 31)), {"ipo-a", "sme-1"}));
  auto r = w.Run(AdmitPatentsAction(f.pool, {old}), {"trustee-1", "sme-1"});
  CHECK(r.code() == "POOL_PATENT_LIFE_TOO_SHORT");
  CHECK(r.rule() == "R31");
  CHECK(HasGround(r, "POOL_LICENCE_MISSING"));  // its licence cannot outlive the patent either

  // Eligibility: only utility models, and a valuation valid today.
  Action a = CreatePoolAction();
  a.mutable_pool_create()->mutable_eligibility()->add_patent_types(PATENT_UTILITY);
  a.mutable_pool_create()->mutable_eligibility()->set_valuation_required(true);
  REQUIRE(w.Run(a, {"trustee-1"}).code() == "OK");
  const std::string picky = w.last_object_id();
  CHECK_OK(f.Licence(f.p1));
  r = w.Run(AdmitPatentsAction(picky, {f.p1}), {"trustee-1", "sme-1"});
  CHECK(r.code() == "POOL_PATENT_INELIGIBLE");
  CHECK(r.grounds_size() == 2);  // the type and the missing valuation
  a.mutable_pool_create()->mutable_eligibility()->clear_patent_types();
  REQUIRE(w.Run(a, {"trustee-1"}).code() == "OK");
  const std::string valued = w.last_object_id();
  CHECK_CODE(w.Run(AdmitPatentsAction(valued, {f.p1}), {"trustee-1", "sme-1"}), "POOL_PATENT_INELIGIBLE", "R31");
  REQUIRE(w.Valuate({f.p1}, 500'000'000, 300'000'000).code() == "OK");
  CHECK_OK(w.Run(AdmitPatentsAction(valued, {f.p1}), {"trustee-1", "sme-1"}));

  // Fees unpaid (paid through 2025-02-28) and a patent under invalidation.
  Fixture g;
  CHECK_OK(g.Licence(g.p1));
  Action inv;
  inv.mutable_patent_status()->set_patent_no(g.p1);
  inv.mutable_patent_status()->set_event(PATENT_EVENT_INVALIDATION_STARTED);
  CHECK_OK(g.w.Run(inv, {"ipo-a"}));
  CHECK_CODE(g.w.Run(AdmitPatentsAction(g.pool, {g.p1}), {"trustee-1", "sme-1"}), "POOL_PATENT_NOT_VALID", "R31");
  g.w.SetToday(DaysFromCivil(2025, 3, 10));
  CHECK_OK(g.Licence(g.p2));
  CHECK_CODE(g.w.Run(AdmitPatentsAction(g.pool, {g.p2}), {"trustee-1", "sme-1", "sme-2"}), "POOL_PATENT_NOT_VALID",
             "R31");
}

TEST_CASE("pools: a pledged patent enters only with the pledgee's consent", "[unit][contracts][pools][R31]") {
  Fixture f;
  World& w = f.w;
  CHECK_OK(f.Licence(f.p1));
  REQUIRE(w.Run(w.PledgeAction("bank-a", {"sme-1"}, {f.p1}), {"bank-a", "sme-1", "ipo-a"}).code() == "OK");
  const std::string pledge = w.last_object_id();
  CHECK_CODE(w.Run(AdmitPatentsAction(f.pool, {f.p1}), {"trustee-1", "sme-1"}), "POOL_PLEDGEE_CONSENT_MISSING", "R31");
  CHECK_CODE(w.Run(AdmitPatentsAction(f.pool, {f.p1}), {"trustee-1", "sme-1", "bank-b"}),
             "POOL_PLEDGEE_CONSENT_MISSING", "R31");
  CHECK_OK(w.Run(AdmitPatentsAction(f.pool, {f.p1}), {"trustee-1", "sme-1", "bank-a"}));
  Patent p = w.GetPatent(f.p1);
  CHECK(p.pool_id() == f.pool);
  CHECK(p.active_pledge_id() == pledge);
  CHECK(w.Get<PoolMember>(keys::PoolMember(f.pool, f.p1)).pledgee_org_id() == "bank-a");
}

TEST_CASE("pools: the pool lock refuses assignment, a new pledge and licences, removal and wind-down free it",
          "[unit][contracts][pools][locks]") {
  Fixture f;
  World& w = f.w;
  CHECK_OK(f.Licence(f.p1));
  CHECK_OK(w.Run(AdmitPatentsAction(f.pool, {f.p1}), {"trustee-1", "sme-1"}));

  Action assign;
  PatentAssign* as = assign.mutable_patent_assign();
  as->set_patent_no(f.p1);
  as->set_basis(TRANSFER_CONTRACT);
  as->set_document_hash(Hash("assignment"));
  Owner* o = as->add_new_owners();
  o->set_org_id("sme-3");
  o->set_share_bps(10000);
  CHECK_CODE(w.Run(assign, {"ipo-a", "sme-1", "sme-3"}), "PATENT_POOLED", "R31");
  auto pledge = w.Run(w.PledgeAction("bank-a", {"sme-1"}, {f.p1}), {"bank-a", "sme-1", "ipo-a"});
  CHECK(pledge.code() == "PLEDGE_PATENT_POOLED");
  CHECK(pledge.rule() == "R31");
  Action lic = LicenceToTrusteeAction(f.p1, "trustee-2");
  lic.mutable_licence_file()->set_type(LICENCE_ORDINARY);
  CHECK_CODE(w.Run(lic, {"ipo-a", "sme-1"}), "PATENT_POOLED", "R31");

  // Before issuance a member may simply be withdrawn: the lock goes with it.
  Action rm;
  rm.mutable_pool_remove()->set_pool_id(f.pool);
  rm.mutable_pool_remove()->set_member(f.p1);
  rm.mutable_pool_remove()->set_reason(POOL_REMOVE_WITHDRAWN);
  CHECK_CODE(w.Run(rm, {"trustee-2"}), "AUTH_ROLE_MISSING", "");
  auto r = w.Run(rm, {"trustee-1"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "pool.locks_lifted"));
  CHECK(w.GetPatent(f.p1).pool_id().empty());
  CHECK(w.Get<PoolMember>(keys::PoolMember(f.pool, f.p1)).state() == POOL_MEMBER_REMOVED);
  CHECK_CODE(w.Run(rm, {"trustee-1"}), "POOL_MEMBER_NOT_FOUND", "");
  // Re-admitted, then the pool is wound down (never issued): the lock lifts and
  // the patent can be assigned and pledged again.
  CHECK_OK(w.Run(AdmitPatentsAction(f.pool, {f.p1}), {"trustee-1", "sme-1"}));
  CHECK(w.Get<Pool>(keys::Pool(f.pool)).member_records() == 1);
  CHECK_CODE(w.Run(assign, {"ipo-a", "sme-1", "sme-3"}), "PATENT_POOLED", "R31");
  Action wd;
  wd.mutable_pool_wind_down()->set_pool_id(f.pool);
  r = w.Run(wd, {"trustee-1"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "pool.wound_down"));
  CHECK(Touched(w, "patent/" + f.p1));
  CHECK(w.GetPatent(f.p1).pool_id().empty());
  CHECK(w.Get<PoolMember>(keys::PoolMember(f.pool, f.p1)).state() == POOL_MEMBER_RELEASED);
  CHECK_OK(w.Run(w.PledgeAction("bank-a", {"sme-1"}, {f.p1}), {"bank-a", "sme-1", "ipo-a"}));
  CHECK_CODE(w.Run(wd, {"trustee-1"}), "POOL_CLOSED", "");
  CHECK_CODE(w.Run(AdmitPatentsAction(f.pool, {f.p2}), {"trustee-1", "sme-1", "sme-2"}), "POOL_CLOSED", "");
}

TEST_CASE("pools: the LOAN model admits registered pledges with the pledgee's signature",
          "[unit][contracts][pools][loan]") {
  Fixture f;
  World& w = f.w;
  REQUIRE(w.Run(w.PledgeAction("bank-a", {"sme-1"}, {f.p1}), {"bank-a", "sme-1", "ipo-a"}).code() == "OK");
  const std::string pledge = w.last_object_id();
  REQUIRE(w.Run(CreatePoolAction("trustee-1", POOL_LOAN), {"trustee-1"}).code() == "OK");
  const std::string pool = w.last_object_id();
  Action a;
  a.mutable_pool_admit_pledges()->set_pool_id(pool);
  a.mutable_pool_admit_pledges()->add_pledge_ids(pledge);
  CHECK_CODE(w.Run(a, {"trustee-1"}), "POOL_PLEDGEE_CONSENT_MISSING", "R31");
  Action lic = a;
  lic.mutable_pool_admit_pledges()->set_pool_id(f.pool);
  CHECK_CODE(w.Run(lic, {"trustee-1", "bank-a"}), "POOL_MODEL_MISMATCH", "R31");
  auto r = w.Run(a, {"trustee-1", "bank-a"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "pool.pledge_admitted"));
  CHECK(Touched(w, "pledge/" + pledge));
  CHECK(w.GetPledge(pledge).pool_id() == pool);
  CHECK(w.GetPatent(f.p1).pool_id().empty());  // the loan is pooled; its collateral stays the pledgee's
  auto m = w.Get<PoolMember>(keys::PoolMember(pool, pledge));
  CHECK(m.kind() == POOL_MEMBER_PLEDGE);
  CHECK(m.principal_fen() == 100'000'000);
  CHECK_CODE(w.Run(a, {"trustee-1", "bank-a"}), "POOL_PLEDGE_ALREADY_POOLED", "R31");
  // Loan repayments are collected per loan; royalties are for patents.
  CHECK_OK(w.Run(CollectAction(pool, {{pledge, 5'000'000}}, COLLECTION_LOAN_REPAYMENT), {"trustee-1"}));
  CHECK(Touched(w, "pledge/" + pledge));
  CHECK_CODE(w.Run(CollectAction(pool, {{pledge, 5'000'000}}), {"trustee-1"}), "POOL_COLLECTION_INVALID", "H7");
  CHECK(w.Get<PoolMember>(keys::PoolMember(pool, pledge)).collected_fen() == 5'000'000);

  // A cancelled pledge, or one due after the legal maturity, is not eligible.
  REQUIRE(w.Run(w.PledgeAction("bank-b", {"sme-1", "sme-2"}, {f.p2}), {"bank-b", "sme-1", "sme-2", "ipo-a"}).code() == "OK");
  const std::string late = w.last_object_id();
  Action change;
  change.mutable_pledge_change()->set_pledge_id(late);
  change.mutable_pledge_change()->set_new_due_date(DaysFromCivil(2028, 1, 1));
  change.mutable_pledge_change()->set_agreement_hash(Hash("change"));
  REQUIRE(w.Run(change, {"bank-b", "sme-1", "sme-2", "ipo-a"}).code() == "OK");
  Action b = a;
  b.mutable_pool_admit_pledges()->set_pledge_ids(0, late);
  CHECK_CODE(w.Run(b, {"trustee-1", "bank-b"}), "POOL_PLEDGE_NOT_ELIGIBLE", "R31");

  // Wind-down (never issued) returns the collected cash and unlinks the loan.
  Action wd;
  wd.mutable_pool_wind_down()->set_pool_id(pool);
  r = w.Run(wd, {"trustee-1"});
  CHECK_OK(r);
  CHECK(w.GetPledge(pledge).pool_id().empty());
}

TEST_CASE("tranches: issuance once, structure and allocation (R32)", "[unit][contracts][pools][R32]") {
  StandardDeal d(/*issue=*/false);
  World& w = d.w;
  const std::string& pool = d.pool;
  auto issue = [&](const std::function<void(TrancheIssue*)>& edit) {
    Action a = StandardIssueAction(pool);
    edit(a.mutable_tranche_issue());
    return w.Run(a, {"trustee-1"});
  };
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_tranches(2)->set_principal_fen(600'000 * kYuan); }),
             "TRANCHE_PRINCIPAL_MISMATCH", "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_tranches(1)->set_rank(1); }), "TRANCHE_RANK_INVALID", "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_tranches(2)->set_rank(10); }), "TRANCHE_RANK_INVALID", "R32");
  // The subordinated tranche must rank last.
  CHECK_CODE(issue([](TrancheIssue* t) {
               t->mutable_tranches(1)->set_rank(3);
               t->mutable_tranches(2)->set_rank(2);
             }),
             "TRANCHE_STRUCTURE_INVALID", "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_tranches(0)->set_tranche_class(TRANCHE_MEZZANINE); }),
             "TRANCHE_STRUCTURE_INVALID", "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_tranches(0)->set_principal_fen(8'000'000 * kYuan + 1); }),
             "TRANCHE_INVALID", "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_tranches(2)->set_coupon_bps(100); }), "TRANCHE_INVALID", "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_tranches(1)->clear_rating(); }), "TRANCHE_INVALID", "R32");
  // Schedules: add up to the principal; sequential (mezzanine not before the senior's last step).
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_tranches(0)->mutable_schedule(1)->set_amount_fen(1); }),
             "TRANCHE_SCHEDULE_INVALID", "H3");
  CHECK_CODE(issue([](TrancheIssue* t) {
               t->mutable_tranches(1)->mutable_schedule(0)->set_date(DaysFromCivil(2026, 1, 1));
             }),
             "TRANCHE_SCHEDULE_INVALID", "H3");
  CHECK_CODE(issue([](TrancheIssue* t) {
               t->mutable_tranches(1)->mutable_schedule(0)->set_date(DaysFromCivil(2027, 7, 1));
             }),
             "TRANCHE_SCHEDULE_INVALID", "H3");
  // Every unit placed, once per holder.
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_allocations(0)->set_units(39'999); }), "TRANCHE_ALLOCATION_INVALID",
             "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_allocations(1)->set_investor_org_id("inv-1"); }),
             "TRANCHE_ALLOCATION_INVALID", "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->mutable_allocations(1)->set_investor_org_id("ipo-a"); }),
             "TRANCHE_ALLOCATION_INVALID", "R32");
  CHECK_CODE(issue([](TrancheIssue* t) { t->clear_document_hash(); }), "DOCUMENT_HASH_MISSING", "");

  auto r = issue([](TrancheIssue*) {});
  CHECK_OK(r);
  CHECK(HasEvent(r, "pool.issued"));
  CHECK(Touched(w, "tranche/" + pool + "/1"));
  CHECK(Touched(w, "tranche/" + pool + "/3"));
  CHECK(d.GetPool().state() == POOL_ISSUED);
  CHECK(d.GetPool().last_payment_date() == w.today());
  Tranche senior = d.GetTranche(1);
  CHECK(senior.units() == 80'000);
  CHECK(senior.holders() == 3);
  CHECK(senior.outstanding_fen() == 800'000'000);
  CHECK(d.GetHolding(3, "sme-1").units() == 2'000);
  CHECK_CODE(issue([](TrancheIssue*) {}), "TRANCHE_ALREADY_ISSUED", "R32");

  // After issuance a member leaves only on substitution or default.
  Action rm;
  rm.mutable_pool_remove()->set_pool_id(pool);
  rm.mutable_pool_remove()->set_member(d.p1);
  rm.mutable_pool_remove()->set_reason(POOL_REMOVE_WITHDRAWN);
  CHECK_CODE(w.Run(rm, {"trustee-1"}), "POOL_REMOVE_INVALID", "R31");
  rm.mutable_pool_remove()->set_reason(POOL_REMOVE_SUBSTITUTION);
  rm.mutable_pool_remove()->set_loss_fen(1);
  CHECK_CODE(w.Run(rm, {"trustee-1"}), "POOL_LOSS_INVALID", "R32");
  rm.mutable_pool_remove()->set_reason(POOL_REMOVE_DEFAULT);
  rm.mutable_pool_remove()->set_loss_fen(1'000'000'001);
  rm.mutable_pool_remove()->set_document_hash(Hash("default"));
  CHECK_CODE(w.Run(rm, {"trustee-1"}), "POOL_LOSS_INVALID", "R32");
  rm.mutable_pool_remove()->set_reason(POOL_REMOVE_SUBSTITUTION);
  rm.mutable_pool_remove()->set_loss_fen(0);
  CHECK_OK(w.Run(rm, {"trustee-1"}));
  CHECK(d.GetPool().active_members() == 2);
}

TEST_CASE("tranches: an empty pool cannot issue", "[unit][contracts][pools][R32]") {
  World w;
  REQUIRE(w.Run(CreatePoolAction(), {"trustee-1"}).code() == "OK");
  CHECK_CODE(w.Run(StandardIssueAction(w.last_object_id()), {"trustee-1"}), "POOL_EMPTY", "R31");
}

TEST_CASE("holdings: transfers need the holder's signature and never overdraw", "[unit][contracts][pools][holdings]") {
  StandardDeal d;
  World& w = d.w;
  auto transfer = [&](std::string from, std::string to, std::int64_t units, std::uint32_t rank,
                      std::initializer_list<std::string_view> signers) {
    Action a;
    HoldingTransfer* t = a.mutable_holding_transfer();
    t->set_pool_id(d.pool);
    t->set_rank(rank);
    t->set_from_org_id(from);
    t->set_to_org_id(to);
    t->set_units(units);
    return w.Run(a, signers);
  };
  CHECK_CODE(transfer("inv-1", "inv-2", 100, 1, {"inv-2"}), "AUTH_ROLE_MISSING", "");
  CHECK_CODE(transfer("inv-1", "inv-2", 40'001, 1, {"inv-1"}), "HOLDING_INSUFFICIENT", "R32");
  CHECK_CODE(transfer("inv-1", "inv-1", 1, 1, {"inv-1"}), "HOLDING_INVALID", "");
  CHECK_CODE(transfer("inv-1", "inv-2", 0, 1, {"inv-1"}), "HOLDING_INVALID", "");
  CHECK_CODE(transfer("inv-1", "inv-2", 1, 7, {"inv-1"}), "TRANCHE_NOT_FOUND", "");
  CHECK_CODE(transfer("inv-1", "bank-c", 1, 3, {"inv-1"}), "HOLDING_INSUFFICIENT", "R32");
  // Partial transfer to a new holder: one more holder.
  auto r = transfer("inv-1", "bank-c", 10'000, 1, {"inv-1"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "holding.transferred"));
  CHECK(d.GetHolding(1, "inv-1").units() == 30'000);
  CHECK(d.GetHolding(1, "bank-c").units() == 10'000);
  CHECK(d.GetTranche(1).holders() == 4);
  // Everything to an existing holder: the empty holding disappears.
  CHECK_OK(transfer("inv-3", "inv-2", 20'000, 1, {"inv-3"}));
  CHECK(!w.Has(keys::Holding(d.pool, 1, "inv-3")));
  CHECK(!w.Has(keys::InvestorHolding("inv-3", d.pool, 1)));
  CHECK(d.GetTranche(1).holders() == 3);
  CHECK(d.GetHolding(1, "inv-2").units() == 40'000);
  auto held = QueryHoldingsOfInvestor(w.state(), "inv-2");
  REQUIRE(held.ok());
  REQUIRE(held->holdings_size() == 2);
  CHECK(held->holdings(0).rank() == 1);
  CHECK(held->holdings(0).units() == 40'000);
  CHECK(held->holdings(1).rank() == 2);
  CHECK(QueryHoldingsOfInvestor(w.state(), "bank-c")->holdings_size() == 1);
  // The units of a tranche still add up to its issuance.
  std::int64_t units = 0;
  for (const char* org : {"inv-1", "inv-2", "bank-c"}) units += d.GetHolding(1, org).units();
  CHECK(units == d.GetTranche(1).units());
}

TEST_CASE("pools: collections, payment dates and wind-down codes", "[unit][contracts][pools][H7]") {
  StandardDeal open(/*issue=*/false);
  CHECK_CODE(open.w.Run(PayAction(open.pool, 0), {"trustee-1"}), "TRANCHE_NOT_ISSUED", "R32");
  Action trig;
  trig.mutable_pool_trigger()->set_pool_id(open.pool);
  trig.mutable_pool_trigger()->set_reason(POOL_TRIGGER_OTHER);
  trig.mutable_pool_trigger()->set_document_hash(Hash("n"));
  CHECK_CODE(open.w.Run(trig, {"trustee-1"}), "TRANCHE_NOT_ISSUED", "R32");

  StandardDeal d;
  World& w = d.w;
  CHECK_CODE(w.Run(PayAction(d.pool, w.today()), {"trustee-1"}), "POOL_PAYMENT_DATE_INVALID", "H7");
  CHECK_CODE(w.Run(PayAction(d.pool, w.today() + 1), {"trustee-1"}), "POOL_PAYMENT_DATE_INVALID", "H7");
  CHECK_CODE(w.Run(CollectAction(d.pool, {{d.p1, 0}}), {"trustee-1"}), "POOL_COLLECTION_INVALID", "H7");
  CHECK_CODE(w.Run(CollectAction(d.pool, {{Zl(2020, 1, 1000001), 5}}), {"trustee-1"}), "POOL_MEMBER_NOT_FOUND", "");
  CHECK_CODE(w.Run(CollectAction(d.pool, {{d.p1, 5}}, COLLECTION_LOAN_REPAYMENT), {"trustee-1"}),
             "POOL_COLLECTION_INVALID", "H7");
  Action future = CollectAction(d.pool, {{d.p1, 5}});
  future.mutable_pool_collect()->set_collection_date(w.today() + 1);
  CHECK_CODE(w.Run(future, {"trustee-1"}), "POOL_COLLECTION_INVALID", "H7");
  trig.mutable_pool_trigger()->set_pool_id(d.pool);
  trig.mutable_pool_trigger()->set_reason(POOL_TRIGGER_REASON_UNSPECIFIED);
  CHECK_CODE(w.Run(trig, {"trustee-1"}), "POOL_TRIGGER_INVALID", "H8");

  // A payment date with too little cash and no guarantor money: the senior
  // shortfall stays unpaid and the receipt says so.
  w.SetToday(DaysFromCivil(2024, 9, 1));
  CHECK_OK(w.Run(CollectAction(d.pool, {{d.p1, 2'000'000}}), {"trustee-1"}));
  auto r = w.Run(PayAction(d.pool, 0, /*no_draw=*/true), {"trustee-1"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "pool.senior_shortfall"));
  CHECK(!HasEvent(r, "pool.shortfall_drawn"));
  for (std::uint32_t rank : {1u, 2u, 3u}) CHECK(Touched(w, "tranche/" + d.pool + "/" + std::to_string(rank)));
  CHECK(Touched(w, "org/inv-1"));
  CHECK(Touched(w, "pool/" + d.pool));
  PoolStatement st = d.GetStatement(DaysFromCivil(2024, 9, 1));
  // 2,000,000 - fees 1,900,000 = 100,000 for senior interest due 7,200,000.
  CHECK(st.tranches(0).interest_paid_fen() == 100'000);
  CHECK(st.senior_shortfall_fen() == 7'100'000);
  CHECK(st.guarantor_draw_needed_fen() == 7'100'000);
  CHECK(st.guarantor_draw_fen() == 0);
  CHECK(d.GetTranche(1).interest_arrears_fen() == 7'100'000);
  auto q = QueryPoolStatement(w.state(), d.pool, DaysFromCivil(2024, 9, 1));
  REQUIRE(q.ok());
  CHECK(q->senior_shortfall_fen() == 7'100'000);
  CHECK(QueryPoolStatement(w.state(), d.pool, DaysFromCivil(2024, 9, 2)).status().reason() ==
        "POOL_STATEMENT_NOT_FOUND");
  CHECK_CODE(w.Run(PayAction(d.pool, 0), {"trustee-1"}), "POOL_PAYMENT_DATE_INVALID", "H7");

  // Wind-down: not before the legal maturity while rated principal is owed,
  // and never with cash undistributed.
  Action wd;
  wd.mutable_pool_wind_down()->set_pool_id(d.pool);
  CHECK_CODE(w.Run(wd, {"trustee-1"}), "POOL_WIND_DOWN_NOT_DUE", "R31");
  w.SetToday(DaysFromCivil(2027, 7, 1));
  CHECK_OK(w.Run(CollectAction(d.pool, {{d.p1, 1'000}}), {"trustee-1"}));
  CHECK_CODE(w.Run(wd, {"trustee-1"}), "POOL_CASH_UNDISTRIBUTED", "H7");
  CHECK_OK(w.Run(PayAction(d.pool, 0), {"trustee-1", "guarantor-1"}));
  r = w.Run(wd, {"trustee-1"});
  CHECK_OK(r);
  CHECK(HasEvent(r, "tranche.written_off"));
  CHECK(d.GetTranche(1).outstanding_fen() == 0);
  CHECK(d.GetTranche(1).losses_fen() > 0);
  CHECK(w.GetPatent(d.p1).pool_id().empty());
  CHECK_CODE(w.Run(CollectAction(d.pool, {{d.p1, 5}}), {"trustee-1"}), "POOL_CLOSED", "");
  auto view = QueryPool(w.state(), d.pool);
  REQUIRE(view.ok());
  CHECK(view->tranches_size() == 3);
  CHECK(view->holdings_size() == 8);
  CHECK(view->members_size() == 3);
  CHECK(view->statement_dates_size() == 2);
}

TEST_CASE("docs: every pool action example in docs/contracts.md parses as an Action", "[unit][contracts][pools][docs]") {
  std::ifstream in(std::string(PLEDGER_SOURCE_DIR) + "/docs/contracts.md");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string open = "```json action\n";
  int blocks = 0;
  for (size_t at = doc.find(open); at != std::string::npos; at = doc.find(open, at)) {
    at += open.size();
    const size_t end = doc.find("```", at);
    REQUIRE(end != std::string::npos);
    Action a;
    google::protobuf::util::JsonParseOptions strict;  // unknown fields are errors
    const auto st = google::protobuf::util::JsonStringToMessage(doc.substr(at, end - at), &a, strict);
    INFO(doc.substr(at, end - at));
    CHECK(st.ok());
    CHECK(a.kind_case() != Action::KIND_NOT_SET);
    ++blocks;
  }
  CHECK(blocks >= 2);
  // The one-line actions of the small deal, written inline as `{"...": {...}}`.
  const size_t from = doc.find("### A small deal, step by step");
  const size_t to = doc.find("### ", from + 4);
  REQUIRE(from != std::string::npos);
  int inline_actions = 0;
  for (size_t at = doc.find("`{\"", from); at < to; at = doc.find("`{\"", at)) {
    const size_t end = doc.find("}`", at);
    REQUIRE(end != std::string::npos);
    const std::string json = doc.substr(at + 1, end + 1 - (at + 1));
    Action a;
    INFO(json);
    CHECK(google::protobuf::util::JsonStringToMessage(json, &a, google::protobuf::util::JsonParseOptions()).ok());
    CHECK(a.kind_case() != Action::KIND_NOT_SET);
    at = end;
    ++inline_actions;
  }
  CHECK(inline_actions >= 6);
}

}  // namespace
}  // namespace pledger::contracts::test
