// The supervision statistics (issue 19; docs/api.md "Statistics") on a real
// 3-node cluster: a chain with known totals — six pledges by four banks over
// two ledger dates (moved by the test clock), a partial repayment, a renewal
// without principal repayment, a partner-bank caution (R33), valuations by
// two appraisers — and every figure checked to the fen on every node, after
// a restart, and after the index was deleted and rebuilt from the stored
// blocks; bad input and readers without the right are refused; every answer
// is validated against docs/openapi.yaml. About 30 s.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "contracts/dates.h"
#include "contracts/engine.h"
#include "ledger/db.h"
#include "ledger/io/api_json.h"
#include "ledger/io/clock.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "ledger/io/proto/config.pb.h"
#include "ledger/tx.h"
#include "node/stats.h"
#include "tests/integration/cluster.h"
#include "tests/integration/wallet_runner.h"
#include "tools/common/workload.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

#define CLUSTER_REQUIRE(c, cond) \
  do {                           \
    if (!(cond)) (c).DumpLogs(); \
    REQUIRE(cond);               \
  } while (0)

ClusterOptions Options() {
  ClusterOptions o;
  o.extra_orgs = {{"bank-c", contracts::ORG_BANK},
                  {"bank-d", contracts::ORG_BANK},
                  {"appraiser-b", contracts::ORG_APPRAISER},
                  {"indiv", contracts::ORG_INDIVIDUAL_BUSINESS},
                  {"regulator", contracts::ORG_REGULATOR}};
  o.extra_accounts = {{"bank-c", "bank-c", contracts::ROLE_BANK},
                      {"bank-d", "bank-d", contracts::ROLE_BANK},
                      {"appraiser-b", "appraiser-b", contracts::ROLE_APPRAISER},
                      {"indiv", "indiv", contracts::ROLE_OWNER},
                      {"regulator", "regulator", contracts::ROLE_REGULATOR}};
  return o;
}

std::uint64_t Expiry(TestCluster& c) {
  auto s = c.Status(0);
  return (s.ok() ? s->height() : 0) + 1000;
}

std::string Hex64(const std::string& what) { return ledger::HexEncode(ledger::Sha256(what)); }

std::string SignedTx(TestCluster& c, const std::function<void(contracts::Action*)>& fill,
                     const std::vector<std::string>& signers, ledger::Hash256* id = nullptr) {
  static std::uint64_t nonce = 0;
  ledger::TxBody b;
  b.set_chain_id(c.chain_id());
  b.set_nonce(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) + ++nonce);
  b.set_expiry_height(Expiry(c));
  fill(b.mutable_action());
  ledger::Transaction tx = ledger::MakeTransaction(b);
  for (const std::string& s : signers) ledger::SignTransaction(&tx, c.Account(s));
  if (id) *id = ledger::TxId(tx);
  return tx.SerializeAsString();
}

// Submits through node 0, waits for the commit; returns the transaction view.
api::TxView Commit(TestCluster& c, const std::string& what, const std::string& raw) {
  auto r = c.Client(0).Request("POST", "/v1/txs?wait=15000", raw, {{"Content-Type", "application/x-protobuf"}}, 20s);
  INFO(what << ": " << (r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString()));
  CLUSTER_REQUIRE(c, r.ok());
  CLUSTER_REQUIRE(c, r->status == 200);
  api::SubmitResponse s;
  REQUIRE(io::ApiJsonToMessage(r->body, &s, "submit answer").ok());
  REQUIRE(s.status() == "COMMITTED");
  REQUIRE(s.tx().receipt_code() == "OK");
  return s.tx();
}

// The ledger date of the block that holds `tx` (the submit answer names the
// height; the block's header has the time).
std::int32_t DateOf(TestCluster& c, const api::TxView& tx) {
  auto r = c.Client(0).Get("/v1/blocks/" + std::to_string(tx.height()));
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  api::BlockView b;
  REQUIRE(io::ApiJsonToMessage(r->body, &b, "block").ok());
  return contracts::DateOfBlockTime(b.header().time_ms());
}

// Every stats answer, kept for tools/openapi/check_answers.py (as access_test).
class AnswerLog {
 public:
  void Save(const std::string& pattern, const io::HttpResponse& r) {
    char name[16];
    std::snprintf(name, sizeof name, "%04d", n_++);
    REQUIRE(io::WriteFileAtomic(dir_.Sub(std::string(name) + ".meta"),
                                "GET " + pattern + " " + std::to_string(r.status) + " " + r.content_type + "\n", 0644)
                .ok());
    REQUIRE(io::WriteFileAtomic(dir_.Sub(std::string(name) + ".body"), r.body, 0644).ok());
  }
  bool Validate() const {
    const std::string cmd = std::string(PLEDGER_PYTHON3) + " " + std::string(PLEDGER_SOURCE_DIR) +
                            "/tools/openapi/check_answers.py " + std::string(PLEDGER_SOURCE_DIR) +
                            "/docs/openapi.yaml " + dir_.path() + " 2>&1";
    std::fflush(stdout);
    return std::system(cmd.c_str()) == 0;
  }

 private:
  TempDir dir_;
  int n_ = 0;
};

struct Reader {
  TestCluster& c;
  AnswerLog& log;
  // GET `route` + `query` on node `i` as `account`; the HTTP answer.
  io::HttpResponse Get(int i, const std::string& account, const std::string& route, const std::string& query) {
    auto client = c.ClientAs(i, account);
    auto r = client->Get(route + query);
    INFO("GET " << route << query << " on node " << i << " as " << account);
    CLUSTER_REQUIRE(c, r.ok());
    log.Save(route, *r);
    return *r;
  }
  template <typename V>
  V View(int i, const std::string& account, const std::string& route, const std::string& query) {
    io::HttpResponse r = Get(i, account, route, query);
    INFO(r.body);
    REQUIRE(r.status == 200);
    V v;
    REQUIRE(io::ApiJsonToMessage(r.body, &v, "stats answer").ok());
    return v;
  }
  std::string ErrorCode(int i, const std::string& account, const std::string& route, const std::string& query,
                        int status) {
    io::HttpResponse r = Get(i, account, route, query);
    INFO(r.body);
    CHECK(r.status == status);
    api::ErrorView e;
    REQUIRE(io::ApiJsonToMessage(r.body, &e, "error").ok());
    return e.error().code();
  }
};

std::string Iso(std::int32_t day) { return *io::IsoDate(day); }

template <typename Row>
const Row& BankRow(const google::protobuf::RepeatedPtrField<Row>& rows, const std::string& bank) {
  for (const Row& r : rows) {
    if (r.bank_org_id() == bank) return r;
  }
  FAIL("no row for " << bank);
  return rows.Get(0);
}

// The figures the chain below must give, on node `i`.
void CheckFigures(Reader& rd, int i, std::int32_t d0, std::int32_t d1, std::uint64_t height) {
  INFO("node " << i);
  const std::string range = "?from=" + Iso(d0) + "&to=" + Iso(d1);
  const std::string reg = "regulator";

  auto p = rd.View<api::PledgeStatsView>(i, reg, "/v1/stats/pledges", range + "&by=day");
  CHECK(p.height() >= height);
  CHECK(p.from_date() == d0);
  CHECK(p.to_date() == d1);
  CHECK(p.bank_org_id() == "");
  REQUIRE(p.points_size() == 2);
  CHECK(p.points(0).date() == d0);
  CHECK(p.points(0).registrations() == 3);
  CHECK(p.points(0).principal_fen() == 600'000'000);
  CHECK(p.points(0).repayments() == 0);
  CHECK(p.points(1).registrations() == 3);
  CHECK(p.points(1).principal_fen() == 120'000'000);
  CHECK(p.points(1).repayments() == 1);
  CHECK(p.points(1).repaid_fen() == 100'000'000);
  CHECK(p.points(1).repaid_principal_fen() == 100'000'000);
  CHECK(p.points(1).closures() == 0);
  REQUIRE(p.banks_size() == 4);
  CHECK(BankRow(p.banks(), "bank-a").registrations() == 2);
  CHECK(BankRow(p.banks(), "bank-a").principal_fen() == 400'000'000);
  CHECK(BankRow(p.banks(), "bank-a").repaid_fen() == 100'000'000);
  CHECK(BankRow(p.banks(), "bank-b").principal_fen() == 250'000'000);
  CHECK(BankRow(p.banks(), "bank-c").principal_fen() == 40'000'000);
  CHECK(BankRow(p.banks(), "bank-d").principal_fen() == 30'000'000);

  // One bank's daily series.
  auto pb = rd.View<api::PledgeStatsView>(i, reg, "/v1/stats/pledges", range + "&bank=bank-b");
  CHECK(pb.bank_org_id() == "bank-b");
  CHECK(pb.banks_size() == 0);
  REQUIRE(pb.points_size() == 2);
  CHECK(pb.points(0).principal_fen() == 200'000'000);
  CHECK(pb.points(1).principal_fen() == 50'000'000);

  // By month: the same totals (one month, or two when d1 starts a month).
  auto pm = rd.View<api::PledgeStatsView>(i, reg, "/v1/stats/pledges", range + "&by=month");
  std::int64_t month_total = 0;
  std::uint32_t month_regs = 0;
  for (const auto& pt : pm.points()) {
    month_total += pt.principal_fen();
    month_regs += pt.registrations();
  }
  CHECK(month_total == 720'000'000);
  CHECK(month_regs == 6);
  CHECK(pm.by() == "month");

  auto o = rd.View<api::OutstandingStatsView>(i, reg, "/v1/stats/outstanding", range);
  REQUIRE(o.points_size() == 2);
  CHECK(o.points(0).outstanding_principal_fen() == 600'000'000);
  CHECK(o.points(0).active_pledges() == 3);
  CHECK(o.points(1).outstanding_principal_fen() == 620'000'000);
  CHECK(o.points(1).active_pledges() == 6);
  CHECK(BankRow(o.banks(), "bank-a").outstanding_principal_fen() == 300'000'000);
  CHECK(BankRow(o.banks(), "bank-b").outstanding_principal_fen() == 250'000'000);
  CHECK(BankRow(o.banks(), "bank-c").outstanding_principal_fen() == 40'000'000);
  CHECK(BankRow(o.banks(), "bank-d").outstanding_principal_fen() == 30'000'000);

  auto b = rd.View<api::BorrowerStatsView>(i, reg, "/v1/stats/borrowers", range);
  REQUIRE(b.points_size() == 2);
  CHECK(b.points(0).registrations() == 3);
  CHECK(b.points(0).sme_registrations() == 3);
  CHECK(b.points(0).sme_principal_fen() == 600'000'000);
  CHECK(b.points(0).first_time_borrowers() == 2);
  CHECK(b.points(0).first_time_sme_borrowers() == 2);
  CHECK(b.points(0).borrowers_with_outstanding() == 2);
  CHECK(b.points(1).first_time_borrowers() == 0);
  CHECK(b.points(1).sme_principal_fen() == 120'000'000);
  CHECK(b.points(1).borrowers_with_outstanding() == 2);
  CHECK(BankRow(b.banks(), "bank-a").first_time_borrowers() == 2);
  CHECK(BankRow(b.banks(), "bank-a").borrowers_with_outstanding() == 2);
  CHECK(BankRow(b.banks(), "bank-d").borrowers_with_outstanding() == 1);

  auto rn = rd.View<api::RenewalStatsView>(i, reg, "/v1/stats/renewals", range);
  REQUIRE(rn.rows_size() == 1);
  CHECK(rn.rows(0).date() == d1);
  CHECK(rn.rows(0).risk_class() == contracts::RISK_NORMAL);
  CHECK(rn.rows(0).renewals_without_principal_repaid() == 1);
  CHECK(rn.rows(0).renewals_after_principal_repaid() == 0);
  CHECK(rn.rows(0).renewed_principal_fen() == 200'000'000);
  REQUIRE(rn.banks_size() == 1);
  CHECK(rn.banks(0).bank_org_id() == "bank-b");

  auto d = rd.View<api::DistributionStatsView>(i, reg, "/v1/stats/distributions", range);
  REQUIRE(d.rate_size() == 8);
  REQUIRE(d.ltv_size() == 8);
  CHECK(d.rate(2).low_bps() == 350);
  CHECK(d.rate(2).pledges() == 1);
  CHECK(d.rate(2).principal_fen() == 300'000'000);
  CHECK(d.rate(4).principal_fen() == 200'000'000);
  CHECK(d.rate(5).principal_fen() == 100'000'000);
  CHECK(d.rate(6).pledges() == 2);
  CHECK(d.rate(6).principal_fen() == 90'000'000);
  CHECK(d.rate(7).principal_fen() == 30'000'000);
  CHECK(d.ltv(0).pledges() == 0);
  CHECK(d.ltv(1).pledges() == 3);
  CHECK(d.ltv(1).principal_fen() == 120'000'000);
  CHECK(d.ltv(2).pledges() == 2);
  CHECK(d.ltv(2).principal_fen() == 300'000'000);
  CHECK(d.ltv(3).pledges() == 1);
  CHECK(d.ltv(3).principal_fen() == 300'000'000);

  auto ca = rd.View<api::CautionStatsView>(i, reg, "/v1/stats/cautions", range);
  REQUIRE(ca.points_size() == 2);
  CHECK(ca.points(0).cautions() == 0);
  CHECK(ca.points(1).cautions() == 1);
  CHECK(ca.points(1).cautioned_principal_fen() == 30'000'000);
  REQUIRE(ca.banks_size() == 1);
  CHECK(ca.banks(0).bank_org_id() == "bank-d");

  auto v = rd.View<api::ValuationStatsView>(i, reg, "/v1/stats/valuations", range);
  REQUIRE(v.points_size() == 2);
  CHECK(v.points(0).valuations() == 4);
  CHECK(v.points(0).value_fen() == 6'000'000'000);
  CHECK(v.points(0).realisable_value_fen() == 3'600'000'000);
  CHECK(v.points(1).valuations() == 2);
  CHECK(v.points(1).value_fen() == 2'000'000'000);
  REQUIRE(v.appraisers_size() == 2);
  CHECK(v.appraisers(0).appraiser_org_id() == "appraiser");
  CHECK(v.appraisers(0).valuations() == 2);
  CHECK(v.appraisers(0).value_fen() == 4'000'000'000);
  CHECK(v.appraisers(1).appraiser_org_id() == "appraiser-b");
  CHECK(v.appraisers(1).valuations() == 4);
  CHECK(v.appraisers(1).realisable_value_fen() == 2'400'000'000);
}

std::filesystem::path DbDir(TestCluster& c, int i) {
  config::NodeConfig cfg;
  REQUIRE(io::ReadJsonFile(c.ConfigPath(i), &cfg).ok());
  const std::filesystem::path node_dir = std::filesystem::path(c.ConfigPath(i)).parent_path();
  const std::filesystem::path data = cfg.data_dir()[0] == '/' ? std::filesystem::path(cfg.data_dir())
                                                              : node_dir / cfg.data_dir();
  return data / "db";
}

TEST_CASE("stats: dashboard figures to the fen on every node, after a restart and a rebuild", "[integration]") {
  TempDir clock_dir;  // outlives the cluster, whose processes map the file
  TestClock clock(clock_dir.Sub("clock"));
  ClusterOptions options = Options();
  options.env = clock.Env();
  const std::int32_t d0 = TestClock::RealToday() + 1;
  const std::int32_t d1 = d0 + 1;
  clock.SetNoonOf(d0);
  TestCluster c(options);
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(30s) >= 0);
  AnswerLog log;
  Reader rd{c, log};

  const std::int32_t today = d0;
  std::vector<std::string> patents;
  auto patent = [&](int n, const std::string& owner) -> std::string {
    const std::string no = tools::Workload::PatentNumber(2015, 1, 419000 + static_cast<std::uint32_t>(n));
    Commit(c, "patent " + no, SignedTx(c, [&](contracts::Action* a) {
             auto* r = a->mutable_patent_register();
             r->set_patent_no(no);
             r->set_type(contracts::PATENT_INVENTION);
             r->set_title("Statistics test invention " + std::to_string(n));
             r->set_main_ipc("G06F 16/23");
             r->set_filing_date(today - 3 * 365);
             r->set_grant_date(today - 365);
             r->set_fee_paid_through(today + 365);
             auto* o = r->add_owners();
             o->set_org_id(owner);
             o->set_share_bps(10000);
           }, {"ipo-a"}));
    patents.push_back(no);
    return no;
  };
  auto valuation = [&](const std::string& no, const std::string& appraiser, std::int64_t value,
                       std::int64_t realisable) {
    ledger::Hash256 id{};
    Commit(c, "valuation " + no, SignedTx(c, [&](contracts::Action* a) {
             auto* v = a->mutable_valuation_record();
             v->add_patent_nos(no);
             v->set_method(contracts::VALUATION_INCOME);
             v->set_base_date(clock.Today() - 10);
             v->set_value_fen(value);
             v->set_realisable_value_fen(realisable);
             v->set_report_hash(Hex64("report " + no));
             v->set_appraiser_licence_no("ZJ-AP-2026-019");
           }, {appraiser}, &id));
    return contracts::ObjectIdFromTxId(id);
  };
  auto pledge = [&](const std::string& bank, const std::string& debtor, const std::string& no,
                    const std::string& val, std::int64_t principal, std::uint32_t rate, bool caution_ack) {
    ledger::Hash256 id{};
    api::TxView tx = Commit(c, "pledge " + no, SignedTx(c, [&](contracts::Action* a) {
                              auto* p = a->mutable_pledge_register();
                              p->set_pledgee_org_id(bank);
                              p->add_pledgor_org_ids(debtor);
                              p->set_debtor_org_id(debtor);
                              p->set_debt_type("working-capital loan");
                              p->set_principal_fen(principal);
                              p->set_interest_rate_bps(rate);
                              p->set_due_date(clock.Today() + 730);
                              p->set_scope("principal, interest, penalty, damages and enforcement costs");
                              p->add_patent_nos(no);
                              p->set_valuation_id(val);
                              p->set_contract_hash(Hex64("loan contract " + no));
                              p->set_caution_ack(caution_ack);
                            }, {bank, debtor, "ipo-a"}, &id));
    return std::make_pair(contracts::ObjectIdFromTxId(id), tx);
  };

  // ---- Date d0: six patents, four valuations, three pledges.
  for (int n = 1; n <= 6; ++n) patent(n, n <= 2 ? "sme" : "indiv");
  const std::string v1 = valuation(patents[0], "appraiser", 2'000'000'000, 1'200'000'000);
  const std::string v2 = valuation(patents[1], "appraiser", 2'000'000'000, 1'200'000'000);
  const std::string v3 = valuation(patents[2], "appraiser-b", 1'000'000'000, 600'000'000);
  const std::string v4 = valuation(patents[3], "appraiser-b", 1'000'000'000, 600'000'000);
  auto pl1 = pledge("bank-a", "sme", patents[0], v1, 300'000'000, 385, false);
  auto pl2 = pledge("bank-b", "sme", patents[1], v2, 200'000'000, 450, false);
  auto pl3 = pledge("bank-a", "indiv", patents[2], v3, 100'000'000, 520, false);
  REQUIRE(DateOf(c, pl3.second) == d0);

  // ---- Date d1: the clocks move on; blocks follow once the validators'
  // readings do (a few filler blocks).
  clock.SetNoonOf(d1);
  for (int tries = 0;; ++tries) {
    REQUIRE(tries < 20);
    // A patent registration as a filler block: it counts in no statistic.
    patent(100 + tries, "sme");
    auto s = c.Status(0);
    REQUIRE(s.ok());
    if (contracts::DateOfBlockTime(s->last_block_time_ms()) == d1) break;
  }
  const std::string v5 = valuation(patents[4], "appraiser-b", 1'000'000'000, 600'000'000);
  const std::string v6 = valuation(patents[5], "appraiser-b", 1'000'000'000, 600'000'000);
  auto pl4 = pledge("bank-b", "indiv", patents[3], v4, 50'000'000, 600, false);
  auto pl5 = pledge("bank-c", "indiv", patents[4], v5, 40'000'000, 700, false);
  // indiv (an individual business, threshold 2) already borrows from three banks (R33).
  auto pl6 = pledge("bank-d", "indiv", patents[5], v6, 30'000'000, 820, true);
  bool cautioned = false;
  for (const auto& e : pl6.second.receipt().events()) cautioned |= e.type() == "caution.partner_bank";
  CHECK(cautioned);
  Commit(c, "partial repayment", SignedTx(c, [&](contracts::Action* a) {
           a->mutable_loan_repay()->set_pledge_id(pl1.first);
           a->mutable_loan_repay()->set_amount_fen(100'000'000);
         }, {"bank-a"}));
  api::TxView last = Commit(c, "renewal", SignedTx(c, [&](contracts::Action* a) {
                              a->mutable_loan_renew()->set_pledge_id(pl2.first);
                              a->mutable_loan_renew()->set_new_due_date(clock.Today() + 1095);
                              a->mutable_loan_renew()->set_agreement_hash(Hex64("renewal agreement"));
                            }, {"bank-b", "sme", "ipo-a"}));
  REQUIRE(DateOf(c, last) == d1);
  const std::uint64_t height = last.height();

  // ---- Every node, to the fen.
  for (int i = 0; i < c.size(); ++i) {
    CLUSTER_REQUIRE(c, c.WaitForHeight(i, height, 20s));
    CheckFigures(rd, i, d0, d1, height);
  }

  // ---- Readers: a bank its own figures, never another's; others refused.
  const std::string range = "?from=" + Iso(d0) + "&to=" + Iso(d1);
  {
    auto own = rd.View<api::PledgeStatsView>(0, "bank-a", "/v1/stats/pledges", range);
    CHECK(own.bank_org_id() == "bank-a");
    CHECK(own.banks_size() == 0);
    REQUIRE(own.points_size() == 2);
    CHECK(own.points(0).principal_fen() == 400'000'000);
    auto own_out = rd.View<api::OutstandingStatsView>(0, "bank-d", "/v1/stats/outstanding", range);
    CHECK(own_out.points(1).outstanding_principal_fen() == 30'000'000);
    auto own_val = rd.View<api::ValuationStatsView>(0, "appraiser-b", "/v1/stats/valuations", range);
    CHECK(own_val.appraiser_org_id() == "appraiser-b");
    CHECK(own_val.points(0).valuations() == 2);
    CHECK(own_val.appraisers_size() == 0);
  }
  CHECK(rd.ErrorCode(0, "bank-a", "/v1/stats/pledges", range + "&bank=bank-b", 403) == "READ_FORBIDDEN");
  CHECK(rd.ErrorCode(0, "", "/v1/stats/pledges", range, 401) == "AUTH_MISSING");
  CHECK(rd.ErrorCode(0, "sme", "/v1/stats/outstanding", range, 403) == "READ_FORBIDDEN");
  CHECK(rd.ErrorCode(0, "appraiser", "/v1/stats/pledges", range, 403) == "READ_FORBIDDEN");
  CHECK(rd.ErrorCode(0, "bank-a", "/v1/stats/valuations", range, 403) == "READ_FORBIDDEN");
  CHECK(rd.ErrorCode(0, "appraiser", "/v1/stats/valuations", range + "&appraiser=appraiser-b", 403) ==
        "READ_FORBIDDEN");

  // ---- Bad input: stable codes.
  const std::string reg = "regulator";
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/pledges", "?from=2026-13-01", 400) == "DATE_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/pledges", "?to=20261201", 400) == "DATE_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/pledges", "?from=1900-01-01", 400) == "DATE_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/pledges", "?from=" + Iso(d1) + "&to=" + Iso(d0), 400) == "RANGE_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/pledges", "?from=" + Iso(d0 - 400) + "&to=" + Iso(d0), 400) ==
        "RANGE_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/pledges", "?from=2000-01-01&to=2026-01-01&by=month", 400) ==
        "RANGE_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/distributions", "?from=2000-01-01&to=2026-01-01", 400) == "RANGE_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/pledges", "?by=week", 400) == "PARAM_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/pledges", "?bank=%00bank", 400) == "PARAM_INVALID");
  CHECK(rd.ErrorCode(0, reg, "/v1/stats/cautions", "?bank=" + std::string(65, 'b'), 400) == "PARAM_INVALID");
  {
    // A month-wide default range answers 30 days up to the last block's date.
    auto def = rd.View<api::PledgeStatsView>(0, reg, "/v1/stats/pledges", "");
    CHECK(def.to_date() == d1);
    CHECK(def.points_size() == 30);
  }

  // ---- After a restart: the same figures (the index is on disk).
  c.Stop(1);
  c.Start(1);
  CLUSTER_REQUIRE(c, c.WaitForLeader(30s) >= 0);
  CLUSTER_REQUIRE(c, c.WaitForHeight(1, height, 30s));
  CheckFigures(rd, 1, d0, d1, height);

  // ---- After the index is deleted: rebuilt from the stored blocks at start.
  c.Stop(2);
  {
    auto db = ledger::Database::Open(DbDir(c, 2).string(), {.create_if_missing = false});
    REQUIRE(db.ok());
    leveldb::WriteBatch wipe;
    size_t n = 0;
    REQUIRE((*db)->Scan(std::string(1, node::stats::kPrefix), std::string(1, node::stats::kPrefix),
                        [&](std::string_view k, std::string_view) {
                          wipe.Delete(leveldb::Slice(k.data(), k.size()));
                          ++n;
                          return true;
                        })
                .ok());
    CHECK(n > 10);
    REQUIRE((*db)->Write(&wipe, true).ok());
  }
  c.Start(2);
  CLUSTER_REQUIRE(c, c.WaitForHeight(2, height, 30s));
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.LogContains(2, "statistics index built for"); }, 30s));
  CheckFigures(rd, 2, d0, d1, height);

  // ---- Every answer above matches docs/openapi.yaml.
  CHECK(log.Validate());
}

// Not run by ctest (hidden tag): the HTTP latency of the /v1/stats routes on
// a real 3-node cluster after loading it with the bank's flow (patent,
// valuation, pledge), for docs/performance.md "Statistics API":
//
//   PLEDGER_STATS_BENCH_TXS=60000 build/tests/stats_test "[.bench]"
//
// Loads in rounds of kRound flows submitted without waiting (patents, then
// their valuations, then the pledges), then reads every route as the
// regulator, one request at a time on one connection, PLEDGER_STATS_BENCH_REPS
// times (default 200), and prints p50/p99/max.
TEST_CASE("stats: route latency on a loaded cluster", "[.bench]") {
  const char* want = std::getenv("PLEDGER_STATS_BENCH_TXS");
  const std::uint64_t target = want ? std::strtoull(want, nullptr, 10) : 30000;
  const char* reps_env = std::getenv("PLEDGER_STATS_BENCH_REPS");
  const int reps = reps_env ? std::atoi(reps_env) : 200;
  TestCluster c(Options());
  c.StartAll();
  const int leader = c.WaitForLeader(30s);
  CLUSTER_REQUIRE(c, leader >= 0);
  tools::Workload w(c.Parties(), static_cast<std::uint32_t>(std::time(nullptr) % 1000), 1);
  constexpr int kRound = 200;
  std::uint64_t sent = 0, ok = 0;
  const auto load_start = std::chrono::steady_clock::now();
  auto submit_all = [&](std::vector<tools::WorkloadTx>& txs) {
    for (auto& t : txs) {
      for (int tries = 0; tries < 50; ++tries) {
        auto r = c.Submit(leader, t.raw);
        if (r.ok() && (*r == 202 || *r == 200)) break;
        std::this_thread::sleep_for(20ms);  // back-pressure: retry
      }
      ++sent;
    }
    // Wait for the last one (the leader takes them in order).
    REQUIRE(c.WaitFor([&] {
      auto code = c.ReceiptCode(leader, txs.back().id);
      return code.ok() && !code->empty();
    }, 120s));
  };
  while (sent < target) {
    const std::uint64_t expiry = Expiry(c);
    std::vector<tools::WorkloadTx> patents, vals, pledges;
    for (int i = 0; i < kRound; ++i) patents.push_back(w.PatentRegister(expiry));
    submit_all(patents);
    for (auto& p : patents) vals.push_back(w.Valuation(p.patent_no, expiry));
    submit_all(vals);
    for (size_t i = 0; i < vals.size(); ++i) pledges.push_back(w.Pledge(patents[i].patent_no, vals[i].object_id, expiry));
    submit_all(pledges);
    auto code = c.ReceiptCode(leader, pledges.back().id);
    if (code.ok() && *code == "OK") ok += 3 * kRound;
  }
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  auto st = c.Status(leader);
  REQUIRE(st.ok());
  std::printf("loaded %llu transactions (%llu in rounds whose last pledge was OK) in %.0f s, height %llu\n",
              static_cast<unsigned long long>(sent), static_cast<unsigned long long>(ok), load_s,
              static_cast<unsigned long long>(st->height()));
  auto client = c.ClientAs(leader, "regulator");
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"pledges by=day, 30 days", "/v1/stats/pledges?by=day"},
      {"pledges by=month, 12 months", "/v1/stats/pledges?by=month"},
      {"outstanding by=month", "/v1/stats/outstanding?by=month"},
      {"borrowers by=day", "/v1/stats/borrowers"},
      {"renewals by=month", "/v1/stats/renewals?by=month"},
      {"distributions, 366 days", "/v1/stats/distributions"},
      {"cautions by=day", "/v1/stats/cautions"},
      {"valuations by=month", "/v1/stats/valuations?by=month"},
  };
  std::printf("%-32s %8s %8s %8s %8s\n", "route (as the regulator)", "p50 ms", "p99 ms", "max ms", "bytes");
  for (const auto& [name, target_path] : routes) {
    std::vector<double> ms;
    size_t bytes = 0;
    for (int i = 0; i < reps; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = client->Get(target_path);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      REQUIRE(r.ok());
      REQUIRE(r->status == 200);
      bytes = r->body.size();
    }
    std::sort(ms.begin(), ms.end());
    const double p50 = ms[ms.size() / 2];
    const double p99 = ms[std::min(ms.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(ms.size() - 1) + 0.5))];
    std::printf("%-32s %8.2f %8.2f %8.2f %8zu\n", name.c_str(), p50, p99, ms.back(), bytes);
  }
}

}  // namespace
}  // namespace pledger::test
