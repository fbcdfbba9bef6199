// Builders for pool and tranche actions, and the small deal most pool tests
// start from. Test-only.
//
// The standard deal (StandardDeal): trustee-1 runs a LICENSE pool maturing
// 2027-06-30 over three inventions owned by sme-1, sme-2 and sme-3, each
// licensed to trustee-1 until 2027-12-31. Deal size 10,000,000 yuan:
//   rank 1 SENIOR      "AAA" 8,000,000 yuan, 3.65 %, 4,000,000 on 2025-06-01 and 2026-06-01;
//                      units: inv-1 40,000, inv-2 20,000, inv-3 20,000
//   rank 2 MEZZANINE   "AA"  1,500,000 yuan, 7.30 %, bullet 2026-12-01;
//                      units: inv-1 5,000, inv-2 5,000, inv-3 5,000
//   rank 3 SUBORDINATED       500,000 yuan; units: inv-3 3,000, sme-1 2,000
// Fees: "manager" 1,000 yuan per payment date to trustee-1, "custodian" 0.73 %
// a year to bank-a. Guarantor guarantor-1 up to 2,000,000 yuan. Reserve
// target 100,000 yuan. Issued on 2024-06-03.
#ifndef PLEDGER_TESTS_UNIT_CONTRACTS_POOL_FIXTURE_H_
#define PLEDGER_TESTS_UNIT_CONTRACTS_POOL_FIXTURE_H_

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "tests/unit/contracts/harness.h"

namespace pledger::contracts::test {

inline constexpr std::int64_t kYuan = 100;  // fen

inline Action CreatePoolAction(std::string trustee = "trustee-1", PoolModel model = POOL_LICENSE) {
  Action a;
  PoolCreate* p = a.mutable_pool_create();
  p->set_name("Zhejiang SME patent pool 2024-1");
  p->set_trustee_org_id(trustee);
  p->set_model(model);
  p->set_legal_maturity_date(DaysFromCivil(2027, 6, 30));
  p->set_deal_size_fen(10'000'000 * kYuan);
  FeeLine* f = p->add_fees();
  f->set_name("manager");
  f->set_payee_org_id("trustee-1");
  f->set_fixed_fen(1'000 * kYuan);
  f = p->add_fees();
  f->set_name("custodian");
  f->set_payee_org_id("bank-a");
  f->set_rate_bps(73);
  p->set_guarantor_org_id("guarantor-1");
  p->set_guarantee_limit_fen(2'000'000 * kYuan);
  p->set_reserve_target_fen(100'000 * kYuan);
  p->set_document_hash(Hash("trust deed"));
  return a;
}

inline Action LicenceToTrusteeAction(const std::string& no, const std::string& trustee = "trustee-1",
                                     std::int32_t end = DaysFromCivil(2027, 12, 31)) {
  Action a;
  LicenceFile* l = a.mutable_licence_file();
  l->set_patent_no(no);
  l->set_licensee_org_id(trustee);
  l->set_type(LICENCE_EXCLUSIVE);
  l->set_territory("PRC");
  l->set_start_date(DaysFromCivil(2024, 6, 1));
  l->set_end_date(end);
  l->set_royalty_fen(0);
  l->set_contract_hash(Hash("licence " + no));
  return a;
}

inline Action AdmitPatentsAction(const std::string& pool, std::vector<std::string> nos) {
  Action a;
  a.mutable_pool_admit_patents()->set_pool_id(pool);
  for (auto& n : nos) a.mutable_pool_admit_patents()->add_patent_nos(n);
  return a;
}

inline PrincipalStep Step(std::int32_t date, std::int64_t fen) {
  PrincipalStep s;
  s.set_date(date);
  s.set_amount_fen(fen);
  return s;
}

inline Action StandardIssueAction(const std::string& pool) {
  Action a;
  TrancheIssue* t = a.mutable_tranche_issue();
  t->set_pool_id(pool);
  t->set_document_hash(Hash("offering circular"));
  TrancheSpec* s = t->add_tranches();
  s->set_tranche_class(TRANCHE_SENIOR);
  s->set_rank(1);
  s->set_principal_fen(8'000'000 * kYuan);
  s->set_coupon_bps(365);
  s->set_rating("AAA");
  *s->add_schedule() = Step(DaysFromCivil(2025, 6, 1), 4'000'000 * kYuan);
  *s->add_schedule() = Step(DaysFromCivil(2026, 6, 1), 4'000'000 * kYuan);
  s = t->add_tranches();
  s->set_tranche_class(TRANCHE_MEZZANINE);
  s->set_rank(2);
  s->set_principal_fen(1'500'000 * kYuan);
  s->set_coupon_bps(730);
  s->set_rating("AA");
  *s->add_schedule() = Step(DaysFromCivil(2026, 12, 1), 1'500'000 * kYuan);
  s = t->add_tranches();
  s->set_tranche_class(TRANCHE_SUBORDINATED);
  s->set_rank(3);
  s->set_principal_fen(500'000 * kYuan);
  for (auto [rank, org, units] : std::vector<std::tuple<std::uint32_t, std::string, std::int64_t>>{
           {1, "inv-1", 40'000}, {1, "inv-2", 20'000}, {1, "inv-3", 20'000},
           {2, "inv-1", 5'000}, {2, "inv-2", 5'000}, {2, "inv-3", 5'000},
           {3, "inv-3", 3'000}, {3, "sme-1", 2'000}}) {
    UnitAllocation* u = t->add_allocations();
    u->set_rank(rank);
    u->set_investor_org_id(org);
    u->set_units(units);
  }
  return a;
}

inline Action CollectAction(const std::string& pool, std::vector<std::pair<std::string, std::int64_t>> items,
                            CollectionKind kind = COLLECTION_ROYALTY) {
  Action a;
  a.mutable_pool_collect()->set_pool_id(pool);
  for (auto& [member, fen] : items) {
    Collection* c = a.mutable_pool_collect()->add_items();
    c->set_member(member);
    c->set_kind(kind);
    c->set_amount_fen(fen);
  }
  return a;
}

inline Action PayAction(const std::string& pool, std::int32_t date, bool no_draw = false) {
  Action a;
  a.mutable_pool_pay()->set_pool_id(pool);
  a.mutable_pool_pay()->set_payment_date(date);
  a.mutable_pool_pay()->set_no_shortfall_draw(no_draw);
  return a;
}

// The standard deal, created, filled and issued on 2024-06-03.
struct StandardDeal {
  World w;
  std::string p1 = Zl(2020, 1, 7000001), p2 = Zl(2020, 1, 7000002), p3 = Zl(2020, 1, 7000003);
  std::string pool;

  explicit StandardDeal(bool issue = true) {
    REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
    REQUIRE(w.RegisterPatent(p2, {{"sme-2", 10000}}).code() == "OK");
    REQUIRE(w.RegisterPatent(p3, {{"sme-3", 10000}}).code() == "OK");
    REQUIRE(w.Run(LicenceToTrusteeAction(p1), {"ipo-a", "sme-1"}).code() == "OK");
    REQUIRE(w.Run(LicenceToTrusteeAction(p2), {"ipo-a", "sme-2"}).code() == "OK");
    REQUIRE(w.Run(LicenceToTrusteeAction(p3), {"ipo-a", "sme-3"}).code() == "OK");
    auto r = w.Run(CreatePoolAction(), {"trustee-1"});
    INFO(r.message());
    REQUIRE(r.code() == "OK");
    pool = w.last_object_id();
    r = w.Run(AdmitPatentsAction(pool, {p1, p2, p3}), {"trustee-1", "sme-1", "sme-2", "sme-3"});
    INFO(r.message());
    REQUIRE(r.code() == "OK");
    if (issue) {
      r = w.Run(StandardIssueAction(pool), {"trustee-1"});
      INFO(r.message());
      REQUIRE(r.code() == "OK");
    }
  }
  Pool GetPool() const { return w.Get<Pool>(keys::Pool(pool)); }
  Tranche GetTranche(std::uint32_t rank) const { return w.Get<Tranche>(keys::Tranche(pool, rank)); }
  Holding GetHolding(std::uint32_t rank, const std::string& org) const {
    return w.Get<Holding>(keys::Holding(pool, rank, org));
  }
  PoolStatement GetStatement(std::int32_t date) const {
    return w.Get<PoolStatement>(keys::PoolStatement(pool, FormatDate(date)));
  }
};

}  // namespace pledger::contracts::test

#endif  // PLEDGER_TESTS_UNIT_CONTRACTS_POOL_FIXTURE_H_
