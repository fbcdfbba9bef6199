// The statistics index (node/stats.h): blocks of hand-built transactions and
// receipts (the events the contracts emit) go through StatsBuilder into a real
// LevelDB, and every query's figures are checked to the fen.
#include <catch2/catch.hpp>

#include <map>

#include "contracts/dates.h"
#include "ledger/db.h"
#include "ledger/proto/contract_types.pb.h"
#include "node/stats.h"
#include "tests/support/test_util.h"

namespace pledger::node::stats {
namespace {

using contracts::DaysFromCivil;

class MapState final : public ledger::StateReader {
 public:
  std::map<std::string, std::string, std::less<>> kv;
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = kv.find(key);
    if (it == kv.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Scan(std::string_view, const std::function<bool(std::string_view, std::string_view)>&) const override {
    return Status::OK();
  }
  void Org(const std::string& id, contracts::OrgKind kind) {
    contracts::Organisation o;
    o.set_id(id);
    o.set_kind(kind);
    kv["org/" + id] = o.SerializeAsString();
  }
};

// One transaction: its body and the receipt the contracts would give it.
struct Tx {
  ledger::TxBody body;
  ledger::Receipt receipt;
};

ledger::Event Ev(const std::string& type, std::vector<std::pair<std::string, std::string>> attrs) {
  ledger::Event e;
  e.set_type(type);
  for (auto& [k, v] : attrs) {
    auto* a = e.add_attributes();
    a->set_key(k);
    a->set_value(v);
  }
  return e;
}

Tx Ok(contracts::Action action, std::vector<ledger::Event> events) {
  Tx t;
  *t.body.mutable_action() = std::move(action);
  t.receipt.set_code("OK");
  for (auto& e : events) *t.receipt.add_events() = std::move(e);
  return t;
}

Tx Register(const std::string& id, const std::string& bank, const std::string& debtor, std::int64_t principal,
            std::uint32_t rate, std::uint32_t ltv, bool caution = false) {
  contracts::Action a;
  auto* r = a.mutable_pledge_register();
  r->set_pledgee_org_id(bank);
  r->set_debtor_org_id(debtor);
  r->set_principal_fen(principal);
  r->set_interest_rate_bps(rate);
  std::vector<std::pair<std::string, std::string>> attrs{{"pledge_id", id}, {"pledgee", bank}, {"debtor", debtor},
                                                         {"principal_fen", std::to_string(principal)}};
  if (ltv > 0) attrs.emplace_back("ltv_bps", std::to_string(ltv));
  std::vector<ledger::Event> evs{Ev("pledge.registered", attrs)};
  if (caution) evs.push_back(Ev("caution.partner_bank", {{"pledge_id", id}, {"debtor", debtor}}));
  return Ok(a, evs);
}

Tx Repay(const std::string& id, std::int64_t amount, std::int64_t to_principal, std::int64_t left, bool full = false) {
  contracts::Action a;
  a.mutable_loan_repay()->set_pledge_id(id);
  a.mutable_loan_repay()->set_amount_fen(amount);
  std::vector<ledger::Event> evs{Ev("loan.repaid", {{"pledge_id", id},
                                                    {"to_principal_fen", std::to_string(to_principal)},
                                                    {"outstanding_principal_fen", std::to_string(left)}})};
  if (full) evs.push_back(Ev("pledge.cancelled", {{"pledge_id", id}}));
  return Ok(a, evs);
}

Tx Renew(const std::string& id, const std::string& risk_class) {
  contracts::Action a;
  a.mutable_loan_renew()->set_pledge_id(id);
  return Ok(a, {Ev("loan.renewed", {{"pledge_id", id}, {"risk_class", risk_class}})});
}

Tx Cancel(const std::string& id) {
  contracts::Action a;
  a.mutable_pledge_cancel()->set_pledge_id(id);
  return Ok(a, {Ev("pledge.cancelled", {{"pledge_id", id}})});
}

Tx Value(const std::string& appraiser, std::int64_t value, std::int64_t realisable) {
  contracts::Action a;
  a.mutable_valuation_record()->set_value_fen(value);
  a.mutable_valuation_record()->set_realisable_value_fen(realisable);
  return Ok(a, {Ev("valuation.recorded", {{"appraiser_org_id", appraiser}, {"value_fen", std::to_string(value)}})});
}

// Noon, China time, on y-m-d.
std::uint64_t Noon(int y, unsigned m, unsigned d) {
  return static_cast<std::uint64_t>(DaysFromCivil(y, m, d)) * 86'400'000ull + 4ull * 3600 * 1000;
}

class Chain {
 public:
  Chain() {
    auto db = ledger::Database::Open(dir_.Sub("db"));
    REQUIRE(db.ok());
    db_ = std::move(*db);
    state_.Org("sme1", contracts::ORG_SME);
    state_.Org("sme2", contracts::ORG_INDIVIDUAL_BUSINESS);
    state_.Org("corp", contracts::ORG_ENTERPRISE);
  }
  void Block(std::uint64_t time_ms, std::vector<Tx> txs) {
    StatsBuilder b(*db_, state_);
    REQUIRE(b.Open().ok());
    std::vector<StatsTx> refs;
    for (auto& t : txs) refs.push_back({&t.body, &t.receipt});
    Status s = b.AddBlock(b.height() + 1, time_ms, refs);
    REQUIRE(s.ok());
    leveldb::WriteBatch batch;
    b.Stage(&batch);
    REQUIRE(db_->Write(&batch, false).ok());
  }
  const ledger::Database& db() const { return *db_; }

 private:
  test::TempDir dir_;
  std::unique_ptr<ledger::Database> db_;
  MapState state_;
};

Query Days(int y, unsigned m, unsigned d1, unsigned d2, std::string series = "", bool breakdown = true) {
  Query q;
  q.from = DaysFromCivil(y, m, d1);
  q.to = DaysFromCivil(y, m, d2);
  q.series = std::move(series);
  q.breakdown = breakdown;
  return q;
}

// The chain of the integration test in miniature: two banks, two dates.
void Build(Chain& c) {
  // 2026-12-01: bankA lends twice (sme1 first-time, corp first-time), bankB once to sme1 (not first-time).
  c.Block(Noon(2026, 12, 1), {Register("p1", "bankA", "sme1", 1'000'000'00, 420, 2500),
                              Register("p2", "bankA", "corp", 500'000'00, 650, 0)});
  c.Block(Noon(2026, 12, 1) + 1000, {Register("p3", "bankB", "sme1", 300'000'00, 380, 4500, /*caution=*/true),
                                     Value("apprX", 4'000'000'00, 3'000'000'00)});
  // 2026-12-03: a partial repayment of p1, a renewal of p2 (nothing repaid),
  // a renewal of p1 (after the repayment), p3 cancelled, another valuation,
  // and a refused registration that must change nothing.
  Tx refused = Register("p9", "bankB", "sme2", 9'999'00, 500, 0);
  refused.receipt.set_code("PLEDGE_PATENT_ALREADY_PLEDGED");
  c.Block(Noon(2026, 12, 3), {Repay("p1", 250'000'00, 200'000'00, 800'000'00), Renew("p2", "RISK_SUBSTANDARD"),
                              Renew("p1", "RISK_NORMAL"), Cancel("p3"), Value("apprY", 700'000'00, 500'000'00),
                              refused});
  // 2026-12-04: p2 repaid in full (closure) — sme2 registers at bankB.
  c.Block(Noon(2026, 12, 4), {Repay("p2", 520'000'00, 500'000'00, 0, /*full=*/true),
                              Register("p4", "bankB", "sme2", 200'000'00, 800, 6500)});
}

TEST_CASE("stats: pledges per day and per bank, to the fen") {
  Chain c;
  Build(c);
  auto v = QueryPledges(c.db(), Days(2026, 12, 1, 4));
  REQUIRE(v.ok());
  CHECK(v->height() == 4);
  CHECK(v->last_block_date() == DaysFromCivil(2026, 12, 4));
  REQUIRE(v->points_size() == 4);  // one per day, the empty 2 December included
  CHECK(v->points(0).date() == DaysFromCivil(2026, 12, 1));
  CHECK(v->points(0).registrations() == 3);
  CHECK(v->points(0).principal_fen() == 1'800'000'00);
  CHECK(v->points(1).registrations() == 0);
  CHECK(v->points(2).repayments() == 1);
  CHECK(v->points(2).repaid_fen() == 250'000'00);
  CHECK(v->points(2).repaid_principal_fen() == 200'000'00);
  CHECK(v->points(2).closures() == 1);
  CHECK(v->points(3).closures() == 1);
  CHECK(v->points(3).registrations() == 1);
  REQUIRE(v->banks_size() == 2);
  CHECK(v->banks(0).bank_org_id() == "bankA");
  CHECK(v->banks(0).registrations() == 2);
  CHECK(v->banks(0).principal_fen() == 1'500'000'00);
  CHECK(v->banks(0).repaid_fen() == 770'000'00);
  CHECK(v->banks(1).bank_org_id() == "bankB");
  CHECK(v->banks(1).registrations() == 2);
  CHECK(v->banks(1).principal_fen() == 500'000'00);

  auto b = QueryPledges(c.db(), Days(2026, 12, 1, 4, "bankB", false));
  REQUIRE(b.ok());
  CHECK(b->bank_org_id() == "bankB");
  CHECK(b->banks_size() == 0);
  CHECK(b->points(0).registrations() == 1);
  CHECK(b->points(0).principal_fen() == 300'000'00);
}

TEST_CASE("stats: outstanding principal and borrowers are stocks carried over empty days") {
  Chain c;
  Build(c);
  auto v = QueryOutstanding(c.db(), Days(2026, 12, 1, 5));
  REQUIRE(v.ok());
  REQUIRE(v->points_size() == 5);
  CHECK(v->points(0).outstanding_principal_fen() == 1'800'000'00);
  CHECK(v->points(0).active_pledges() == 3);
  CHECK(v->points(1).outstanding_principal_fen() == 1'800'000'00);  // carried over 2 December
  // 3 December: p1 800,000 + p2 500,000 (p3 cancelled).
  CHECK(v->points(2).outstanding_principal_fen() == 1'300'000'00);
  CHECK(v->points(2).active_pledges() == 2);
  // 4 December: p1 800,000 + p4 200,000.
  CHECK(v->points(3).outstanding_principal_fen() == 1'000'000'00);
  CHECK(v->points(4).outstanding_principal_fen() == 1'000'000'00);
  REQUIRE(v->banks_size() == 2);
  CHECK(v->banks(0).outstanding_principal_fen() == 800'000'00);
  CHECK(v->banks(1).outstanding_principal_fen() == 200'000'00);
  // A range that starts later still knows the stock before it.
  auto later = QueryOutstanding(c.db(), Days(2026, 12, 10, 10));
  REQUIRE(later.ok());
  CHECK(later->points(0).outstanding_principal_fen() == 1'000'000'00);

  auto br = QueryBorrowers(c.db(), Days(2026, 12, 1, 4));
  REQUIRE(br.ok());
  CHECK(br->points(0).registrations() == 3);
  CHECK(br->points(0).sme_registrations() == 2);  // p1, p3 to sme1
  CHECK(br->points(0).sme_principal_fen() == 1'300'000'00);
  CHECK(br->points(0).first_time_borrowers() == 2);  // sme1, corp
  CHECK(br->points(0).first_time_sme_borrowers() == 1);
  CHECK(br->points(0).borrowers_with_outstanding() == 2);  // sme1 counted once over both banks
  CHECK(br->points(3).first_time_borrowers() == 1);      // sme2
  CHECK(br->points(3).borrowers_with_outstanding() == 2);  // sme1 (p1), sme2 (p4); corp repaid
}

TEST_CASE("stats: renewals by risk class, with and without principal repaid (R34)") {
  Chain c;
  Build(c);
  auto v = QueryRenewals(c.db(), Days(2026, 12, 1, 4));
  REQUIRE(v.ok());
  REQUIRE(v->rows_size() == 2);
  CHECK(v->rows(0).risk_class() == contracts::RISK_NORMAL);
  CHECK(v->rows(0).renewals_without_principal_repaid() == 0);
  CHECK(v->rows(0).renewals_after_principal_repaid() == 1);
  CHECK(v->rows(0).renewed_principal_fen() == 800'000'00);
  CHECK(v->rows(1).risk_class() == contracts::RISK_SUBSTANDARD);
  CHECK(v->rows(1).renewals_without_principal_repaid() == 1);
  CHECK(v->rows(1).renewed_principal_fen() == 500'000'00);
  CHECK(v->banks_size() == 2);  // both of bankA's classes
}

TEST_CASE("stats: rate and LTV distributions, cautions, valuations by appraiser") {
  Chain c;
  Build(c);
  auto d = QueryDistributions(c.db(), Days(2026, 12, 1, 4));
  REQUIRE(d.ok());
  REQUIRE(d->rate_size() == static_cast<int>(kRateBuckets.size()));
  // 380 -> [350,400), 420 -> [400,450), 650 -> [600,800), 800 -> [800,-).
  CHECK(d->rate(2).pledges() == 1);
  CHECK(d->rate(2).principal_fen() == 300'000'00);
  CHECK(d->rate(3).pledges() == 1);
  CHECK(d->rate(6).pledges() == 1);
  CHECK(d->rate(7).pledges() == 1);
  CHECK(d->rate(7).high_bps() == 0);
  // LTV: p2 none; 2500 -> [2000,3000); 4500 -> [4000,5000); 6500 -> [6000,-).
  CHECK(d->ltv(0).pledges() == 1);
  CHECK(d->ltv(0).principal_fen() == 500'000'00);
  CHECK(d->ltv(3).pledges() == 1);
  CHECK(d->ltv(5).pledges() == 1);
  CHECK(d->ltv(7).pledges() == 1);

  auto ca = QueryCautions(c.db(), Days(2026, 12, 1, 4));
  REQUIRE(ca.ok());
  CHECK(ca->points(0).cautions() == 1);
  CHECK(ca->points(0).cautioned_principal_fen() == 300'000'00);
  REQUIRE(ca->banks_size() == 1);
  CHECK(ca->banks(0).bank_org_id() == "bankB");

  auto va = QueryValuations(c.db(), Days(2026, 12, 1, 4));
  REQUIRE(va.ok());
  CHECK(va->points(0).valuations() == 1);
  CHECK(va->points(0).value_fen() == 4'000'000'00);
  CHECK(va->points(2).realisable_value_fen() == 500'000'00);
  REQUIRE(va->appraisers_size() == 2);
  CHECK(va->appraisers(0).appraiser_org_id() == "apprX");
  CHECK(va->appraisers(1).appraiser_org_id() == "apprY");
  CHECK(va->appraisers(1).value_fen() == 700'000'00);
}

TEST_CASE("stats: by=month sums the days and closes on the month's last stock") {
  Chain c;
  Build(c);
  c.Block(Noon(2027, 1, 15), {Register("p5", "bankA", "corp", 100'00, 300, 0)});
  Query q;
  q.from = DaysFromCivil(2026, 11, 1);
  q.to = DaysFromCivil(2027, 1, 31);
  q.monthly = true;
  q.breakdown = true;
  auto periods = Periods(q);
  REQUIRE(periods.size() == 3);
  CHECK(periods[1].first == DaysFromCivil(2026, 12, 1));
  CHECK(periods[1].second == DaysFromCivil(2026, 12, 31));
  auto v = QueryPledges(c.db(), q);
  REQUIRE(v.ok());
  REQUIRE(v->points_size() == 3);
  CHECK(v->points(0).registrations() == 0);
  CHECK(v->points(1).registrations() == 4);
  CHECK(v->points(1).principal_fen() == 2'000'000'00);
  CHECK(v->points(2).registrations() == 1);
  auto o = QueryOutstanding(c.db(), q);
  REQUIRE(o.ok());
  CHECK(o->points(1).outstanding_principal_fen() == 1'000'000'00);
  CHECK(o->points(2).outstanding_principal_fen() == 1'000'000'00 + 100'00);
}

TEST_CASE("stats: a block out of order is refused and nothing is written") {
  Chain c;
  Build(c);
  MapState state;
  StatsBuilder b(c.db(), state);
  REQUIRE(b.Open().ok());
  CHECK(b.height() == 4);
  Status s = b.AddBlock(9, Noon(2027, 1, 1), {});
  CHECK(s.reason() == "STATS_HEIGHT_MISMATCH");
  CHECK(b.pending() == 0);
}

TEST_CASE("stats: bucket bounds") {
  CHECK(RateBucket(0) == 0);
  CHECK(RateBucket(299) == 0);
  CHECK(RateBucket(300) == 1);
  CHECK(RateBucket(100000) == kRateBuckets.size() - 1);
  CHECK(LtvBucket(0) == 0);
  CHECK(LtvBucket(1) == 1);
  CHECK(LtvBucket(999) == 1);
  CHECK(LtvBucket(1000) == 2);
  CHECK(LtvBucket(9999) == kLtvBuckets.size() - 1);
}

}  // namespace
}  // namespace pledger::node::stats
