// pledger-stats-bench: the statistics index (node/stats.h) at chain scale.
//
// Feeds N synthetic accepted transactions (registrations, partial and full
// repayments, renewals, cancellations, valuations, with the receipts' events
// the contracts emit) through StatsBuilder — the code the applier runs for
// every block — into a LevelDB, in blocks of --block-txs over --days ledger
// dates, then times the query functions the /v1/stats routes call (p50/p99
// over --reps runs each). Not a test: it prints figures
// (docs/performance.md "Statistics API").
//
//   pledger-stats-bench [--txs 1000000] [--block-txs 100] [--days 365]
//                       [--banks 20] [--debtors 5000] [--reps 200] [--dir DIR]
//
// With --dir holding the index of an earlier run of the same size, the
// index is not built again: only the queries are measured.
//
// What it does not measure: contract execution, consensus and HTTP; the
// HTTP route figures in docs/performance.md come from a real cluster.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "contracts/dates.h"
#include "ledger/db.h"
#include "ledger/proto/contract_types.pb.h"
#include "node/stats.h"
#include "tests/support/test_util.h"

namespace pledger::node::stats {
namespace {

using Clock = std::chrono::steady_clock;

// This thread's CPU time in microseconds: on a shared machine the wall time
// of a query is mostly waiting for a core; this is what the query costs.
double CpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

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
};

struct Tx {
  ledger::TxBody body;
  ledger::Receipt receipt;
};

void Event(Tx* t, const std::string& type, std::vector<std::pair<std::string, std::string>> attrs) {
  auto* e = t->receipt.add_events();
  e->set_type(type);
  for (auto& [k, v] : attrs) {
    auto* a = e->add_attributes();
    a->set_key(k);
    a->set_value(v);
  }
}

std::uint64_t Arg(int argc, char** argv, const char* name, std::uint64_t def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == name) return std::strtoull(argv[i + 1], nullptr, 10);
  }
  return def;
}

struct Live {
  std::string id;
  std::int64_t outstanding;
};

int Main(int argc, char** argv) {
  const std::uint64_t n_txs = Arg(argc, argv, "--txs", 1'000'000);
  const std::uint64_t block_txs = std::max<std::uint64_t>(1, Arg(argc, argv, "--block-txs", 100));
  const std::uint64_t days = std::max<std::uint64_t>(1, Arg(argc, argv, "--days", 365));
  const std::uint64_t banks = std::max<std::uint64_t>(1, Arg(argc, argv, "--banks", 20));
  const std::uint64_t debtors = std::max<std::uint64_t>(1, Arg(argc, argv, "--debtors", 5000));
  const std::uint64_t reps = std::max<std::uint64_t>(1, Arg(argc, argv, "--reps", 200));
  test::TempDir tmp;
  std::string dir = tmp.Sub("db");
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--dir") dir = argv[i + 1];
  }
  auto db = ledger::Database::Open(dir);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  MapState state;
  for (std::uint64_t d = 0; d < debtors; ++d) {
    contracts::Organisation o;
    o.set_id("debtor-" + std::to_string(d));
    o.set_kind(d % 3 == 0 ? contracts::ORG_ENTERPRISE : contracts::ORG_SME);
    state.kv["org/" + o.id()] = o.SerializeAsString();
  }
  std::mt19937_64 rng(19);
  auto pick = [&](std::uint64_t n) { return static_cast<std::uint64_t>(rng() % n); };
  const std::int32_t day0 = contracts::DaysFromCivil(2026, 1, 1);
  const std::uint64_t blocks = (n_txs + block_txs - 1) / block_txs;
  std::vector<Live> live;
  std::uint64_t next_pledge = 0, done = 0;
  const auto build_start = Clock::now();
  StatsBuilder builder(**db, state);
  if (!builder.Open().ok()) return 1;
  const bool reuse = builder.height() >= blocks;  // --dir holding a finished run: measure only
  if (reuse) std::printf("reusing the index in %s (height %llu)\n", dir.c_str(),
                         static_cast<unsigned long long>(builder.height()));
  for (std::uint64_t h = 1; h <= blocks && !reuse; ++h) {
    const std::int32_t day = day0 + static_cast<std::int32_t>((h - 1) * days / blocks);
    const std::uint64_t time_ms = static_cast<std::uint64_t>(day) * 86'400'000ull + (h % 1000) * 1000;
    std::vector<Tx> txs;
    for (std::uint64_t i = 0; i < block_txs && done < n_txs; ++i, ++done) {
      Tx t;
      t.receipt.set_code("OK");
      const std::uint64_t kind = pick(100);
      if (kind < 40 || live.size() < 10) {
        const std::string id = "p" + std::to_string(next_pledge++);
        const std::string bank = "bank-" + std::to_string(pick(banks));
        const std::string debtor = "debtor-" + std::to_string(pick(debtors));
        const std::int64_t principal = 100'000'00 + static_cast<std::int64_t>(pick(10'000)) * 1'000'00;
        auto* r = t.body.mutable_action()->mutable_pledge_register();
        r->set_pledgee_org_id(bank);
        r->set_debtor_org_id(debtor);
        r->set_principal_fen(principal);
        r->set_interest_rate_bps(250 + static_cast<std::uint32_t>(pick(700)));
        Event(&t, "pledge.registered", {{"pledge_id", id}, {"ltv_bps", std::to_string(pick(6000))}});
        if (pick(50) == 0) Event(&t, "caution.partner_bank", {{"pledge_id", id}});
        live.push_back({id, principal});
      } else if (kind < 70) {
        Live& l = live[pick(live.size())];
        const std::int64_t pay = std::max<std::int64_t>(1, l.outstanding / 10);
        l.outstanding -= pay;
        t.body.mutable_action()->mutable_loan_repay()->set_pledge_id(l.id);
        t.body.mutable_action()->mutable_loan_repay()->set_amount_fen(pay);
        Event(&t, "loan.repaid", {{"to_principal_fen", std::to_string(pay)},
                                  {"outstanding_principal_fen", std::to_string(l.outstanding)}});
      } else if (kind < 80) {
        Live& l = live[pick(live.size())];
        t.body.mutable_action()->mutable_loan_renew()->set_pledge_id(l.id);
        static const char* kClasses[] = {"RISK_NORMAL", "RISK_NORMAL", "RISK_SPECIAL_MENTION", "RISK_SUBSTANDARD"};
        Event(&t, "loan.renewed", {{"risk_class", kClasses[pick(4)]}});
      } else if (kind < 90) {
        t.body.mutable_action()->mutable_valuation_record()->set_realisable_value_fen(600'000'00);
        Event(&t, "valuation.recorded",
              {{"appraiser_org_id", "appraiser-" + std::to_string(pick(10))}, {"value_fen", "1000000000"}});
      } else {
        const size_t at = pick(live.size());
        t.body.mutable_action()->mutable_pledge_cancel()->set_pledge_id(live[at].id);
        Event(&t, "pledge.cancelled", {{"pledge_id", live[at].id}});
        live[at] = live.back();
        live.pop_back();
      }
      txs.push_back(std::move(t));
    }
    std::vector<StatsTx> refs;
    refs.reserve(txs.size());
    for (auto& t : txs) refs.push_back({&t.body, &t.receipt});
    Status s = builder.AddBlock(h, time_ms, refs);
    if (!s.ok()) {
      std::fprintf(stderr, "block %llu: %s\n", static_cast<unsigned long long>(h), s.ToString().c_str());
      return 1;
    }
    // One batch per block, as the applier writes it.
    leveldb::WriteBatch batch;
    builder.Stage(&batch);
    if (!(*db)->Write(&batch, false).ok()) return 1;
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - build_start).count();
  const double build_cpu_s = CpuUs() / 1e6;
  if (!reuse) {
    std::printf("index built: %llu transactions in %llu blocks over %llu days, %llu banks, %llu debtors: %.1f s "
                "wall, %.1f s CPU (%.0f us CPU per block of %llu)\n",
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(blocks),
                static_cast<unsigned long long>(days), static_cast<unsigned long long>(banks),
                static_cast<unsigned long long>(debtors), build_s, build_cpu_s,
                build_cpu_s * 1e6 / static_cast<double>(blocks), static_cast<unsigned long long>(block_txs));
  }

  const std::int32_t last = day0 + static_cast<std::int32_t>(days) - 1;
  struct Case {
    const char* name;
    Query q;
    std::function<Status(const Query&)> run;
  };
  auto wrap = [&](auto fn) {
    return [&, fn](const Query& q) -> Status { return fn(**db, q).status(); };
  };
  auto query = [&](std::int32_t from, std::int32_t to, bool monthly, const std::string& series, bool breakdown) {
    Query q;
    q.from = from;
    q.to = to;
    q.monthly = monthly;
    q.series = series;
    q.breakdown = breakdown;
    return q;
  };
  const std::int32_t month_from = contracts::DaysFromCivil(2026, 1, 1);
  std::vector<Case> cases = {
      {"pledges by=day 30 days, all banks + breakdown", query(last - 29, last, false, "", true), wrap(QueryPledges)},
      {"pledges by=day 366 days, all banks + breakdown", query(last - 365, last, false, "", true), wrap(QueryPledges)},
      {"pledges by=month 12 months, one bank", query(month_from, last, true, "bank-3", false), wrap(QueryPledges)},
      {"outstanding by=month 12 months + breakdown", query(month_from, last, true, "", true), wrap(QueryOutstanding)},
      {"borrowers by=day 30 days + breakdown", query(last - 29, last, false, "", true), wrap(QueryBorrowers)},
      {"renewals by=month 12 months + breakdown", query(month_from, last, true, "", true), wrap(QueryRenewals)},
      {"distributions 365 days, all banks", query(last - 364, last, false, "", false), wrap(QueryDistributions)},
      {"cautions by=day 30 days + breakdown", query(last - 29, last, false, "", true), wrap(QueryCautions)},
      {"valuations by=month 12 months + breakdown", query(month_from, last, true, "", true), wrap(QueryValuations)},
  };
  std::printf("%-50s %9s %9s %9s %9s\n", "query (node/stats.h, as the route runs it)", "p50 us", "p99 us",
              "cpu p50", "cpu p99");
  for (const Case& c : cases) {
    std::vector<double> us, cpu;
    us.reserve(reps);
    cpu.reserve(reps);
    for (std::uint64_t i = 0; i < reps; ++i) {
      const auto t0 = Clock::now();
      const double c0 = CpuUs();
      Status s = c.run(c.q);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      cpu.push_back(CpuUs() - c0);
      if (!s.ok()) {
        std::fprintf(stderr, "%s: %s\n", c.name, s.ToString().c_str());
        return 1;
      }
    }
    std::sort(us.begin(), us.end());
    std::sort(cpu.begin(), cpu.end());
    auto pct = [](const std::vector<double>& v, double p) {
      return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
    };
    std::printf("%-50s %9.0f %9.0f %9.0f %9.0f\n", c.name, pct(us, 0.50), pct(us, 0.99), pct(cpu, 0.50),
                pct(cpu, 0.99));
  }
  return 0;
}

}  // namespace
}  // namespace pledger::node::stats

int main(int argc, char** argv) { return pledger::node::stats::Main(argc, argv); }
