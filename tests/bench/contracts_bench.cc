// pledger-contracts-bench: contract execution throughput over a large state.
//
// Committed state lives in a real LevelDB (ledger::Database + StateStore
// reads): genesis, 1,000 SME owners with accounts and --patents granted
// patents (default 1,000,000). Then --txs transactions (default 100,000) in
// blocks of --block (default 1,000) run through Engine::ExecuteBlock, in a mix
// of 40 % patent registrations, 30 % valuations and 30 % pledge registrations.
//
// What is timed: ExecuteBlock only (state reads, checks, record encoding,
// receipts). Signing, PrepareTx (decoding + Ed25519 verification, which the
// node runs on a thread pool) and committing each block's writes are timed
// separately and reported but not included. The prefilled patents are written
// as plain state records without the state-root commitment index (building it
// for a million keys takes minutes and is the ledger benchmark's business).
//
//   pledger-contracts-bench [--patents N] [--txs N] [--block N] [--db DIR] [--cache-mb N] [--memory]
//
// --memory executes against an in-memory copy of the same state, to separate
// the engine's cost from LevelDB's read path.
// --cache-mb sets the LevelDB block cache (default: the node's DatabaseOptions).
//
// With --db, an existing prefilled directory is reused (same --patents).
//
//   pledger-contracts-bench --waterfall [N]
//
// times instead the pool waterfall alone (contracts/waterfall.h) on
// the largest deal the ledger admits: 9 tranches of 200 holders each and 8
// fee lines, N payment dates 30 days apart (default 500), one thread, no
// state access.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <unordered_map>
#include <random>
#include <string>
#include <vector>

#include "contracts/contracts.h"
#include "ledger/db.h"
#include "ledger/keys.h"
#include "ledger/state_store.h"
#include "ledger/tx.h"

namespace pc = pledger::contracts;
namespace pl = pledger::ledger;

namespace {

// Committed state held in memory (--memory): isolates the engine's own cost
// from LevelDB's read path. Point reads use a hash index, scans the sorted map.
class MapState final : public pl::StateReader {
 public:
  pledger::Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = index_.find(std::string(key));
    if (it == index_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second->second);
  }
  void Put(std::string k, std::string v) {
    auto [it, fresh] = data_.insert_or_assign(std::move(k), std::move(v));
    if (fresh) index_.emplace(it->first, it);
  }
  void Erase(const std::string& k) {
    index_.erase(k);
    data_.erase(k);
  }
  pledger::Status Scan(std::string_view prefix,
                       const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    for (auto it = data_.lower_bound(prefix); it != data_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      if (!fn(it->first, it->second)) break;
    }
    return pledger::Status::OK();
  }
  std::map<std::string, std::string, std::less<>> data_;
  std::unordered_map<std::string, std::map<std::string, std::string, std::less<>>::iterator> index_;
};

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// CPU time of this thread: unlike wall time, it does not count the time other
// processes on a shared machine take from us.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

pl::SecretKey Key(const std::string& name) {
  std::string seed = pl::ToString(pl::ByteSpan(pl::Sha256("bench-key/" + name)));
  return std::move(pl::SecretKey::FromSeed(seed)).value();
}
std::string Hex(const pl::SecretKey& k) { return pl::HexEncode(pl::ByteSpan(k.public_key())); }

std::string PatentNo(std::uint64_t i) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%04d1%07d", 2005 + static_cast<int>(i % 10), 1000000 + static_cast<int>(i / 10));
  return std::string("ZL") + digits + "." + pc::PatentCheckChar(digits);
}

constexpr int kSmes = 1000;
const char* kChain = "bench";

void Die(const pledger::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}


// The largest deal the limits allow (contracts/internal/pools.h): 8 fee lines,
// 8 seniors and mezzanines with schedules plus the subordinated tranche, 200
// holders each. Payment dates every 30 days with enough cash for interest and
// part of the principal, so every step does work.
int BenchWaterfall(std::uint64_t rounds) {
  pc::DealState deal;
  pc::Pool& p = deal.pool;
  p.set_id("00000000000000000000000000000001");
  p.set_state(pc::POOL_ISSUED);
  p.set_issue_date(pc::DaysFromCivil(2024, 1, 1));
  p.set_last_payment_date(p.issue_date());
  p.set_legal_maturity_date(pc::DaysFromCivil(2200, 1, 1));
  p.set_guarantor_org_id("guarantor");
  p.set_guarantee_limit_fen(10'000'000'000);
  p.set_reserve_target_fen(1'000'000);
  for (int i = 0; i < 8; ++i) {
    pc::FeeLine* f = p.add_fees();
    f->set_name("fee-" + std::to_string(i));
    f->set_payee_org_id("trustee");
    f->set_fixed_fen(10'000);
    f->set_rate_bps(5);
    p.add_fee_arrears_fen(0);
  }
  std::int64_t size = 0;
  for (std::uint32_t rank = 1; rank <= 9; ++rank) {
    pc::Tranche t;
    t.set_pool_id(p.id());
    t.set_rank(rank);
    t.set_tranche_class(rank <= 5 ? pc::TRANCHE_SENIOR : rank <= 8 ? pc::TRANCHE_MEZZANINE : pc::TRANCHE_SUBORDINATED);
    t.set_units(200 * 1'000);
    t.set_principal_fen(t.units() * 10'000);
    t.set_outstanding_fen(t.principal_fen());
    if (rank < 9) {
      t.set_coupon_bps(300 + 50 * rank);
      pc::PrincipalStep* step = t.add_schedule();
      step->set_date(pc::DaysFromCivil(2030 + static_cast<int>(rank), 1, 1));
      step->set_amount_fen(t.principal_fen());
    }
    size += t.principal_fen();
    std::vector<pc::Holding> hs;
    for (int h = 0; h < 200; ++h) {
      pc::Holding x;
      x.set_pool_id(p.id());
      x.set_rank(rank);
      char org[16];
      std::snprintf(org, sizeof org, "inv-%03d", h);
      x.set_investor_org_id(org);
      x.set_units(1'000);
      hs.push_back(std::move(x));
    }
    deal.tranches.push_back(std::move(t));
    deal.holdings.push_back(std::move(hs));
  }
  p.set_deal_size_fen(size);
  p.set_tranche_count(9);
  std::int32_t date = p.last_payment_date();
  size_t statement_bytes = 0;
  const double c0 = ThreadCpuSeconds();
  auto t0 = Clock::now();
  for (std::uint64_t i = 0; i < rounds; ++i) {
    date += 30;
    deal.pool.set_period_collections_fen(size / 200);
    auto st = pc::RunWaterfall(&deal, date, true);
    Die(st.status(), "waterfall");
    statement_bytes = std::max(statement_bytes, pc::EncodeRecord(*st).size());
  }
  const double wall = Seconds(t0, Clock::now()), cpu = ThreadCpuSeconds() - c0;
  std::printf("waterfall: %llu payment dates of a 9-tranche, 1,800-holder deal: %.0f dates/s wall (%.0f us each), "
              "%.0f per CPU-second; largest statement %zu bytes\n",
              static_cast<unsigned long long>(rounds), static_cast<double>(rounds) / wall,
              wall * 1e6 / static_cast<double>(rounds), static_cast<double>(rounds) / cpu, statement_bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--waterfall") {
    return BenchWaterfall(argc >= 3 ? std::strtoull(argv[2], nullptr, 10) : 500);
  }
  std::uint64_t patents = 1'000'000, txs = 100'000, block = 1'000;
  pl::DatabaseOptions options;  // the node's defaults unless --cache-mb
  std::string dir;
  bool memory = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--memory") {
      memory = true;
      for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
      --argc;
      break;
    }
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--patents") patents = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--txs") txs = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--block") block = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--db") dir = argv[i + 1];
    else if (a == "--cache-mb") options.block_cache_bytes = std::strtoull(argv[i + 1], nullptr, 10) << 20;
    else {
      std::fprintf(stderr, "usage: %s [--patents N] [--txs N] [--block N] [--db DIR] [--cache-mb N]\n", argv[0]);
      return 2;
    }
  }
  bool temp = dir.empty();
  if (temp) dir = (std::filesystem::temp_directory_path() / ("pledger-contracts-bench-" + std::to_string(::getpid()))).string();
  auto db = pl::Database::Open(dir, options);
  Die(db.ok() ? pledger::Status() : db.status(), "open");
  pl::StateStore store(db->get());
  Die(store.Load(), "load");

  pl::SecretKey ipo = Key("ipo"), bank = Key("bank"), appraiser = Key("appraiser");
  std::vector<pl::SecretKey> smes;
  for (int i = 0; i < kSmes; ++i) smes.push_back(Key("sme-" + std::to_string(i)));

  auto existing = store.Get(pc::keys::kChain);
  if (!existing.ok() || !existing->has_value()) {
    auto t0 = Clock::now();
    pc::Genesis g;
    g.set_chain_id(kChain);
    *g.mutable_params() = pc::DefaultParams();
    auto add_org = [&](const std::string& id, pc::OrgKind kind) {
      auto* o = g.add_organisations();
      o->set_id(id);
      o->set_name("Org " + id);
      o->set_kind(kind);
      o->set_address("Hangzhou");
    };
    auto add_acc = [&](const pl::SecretKey& k, const std::string& org, pc::Role role) {
      auto* a = g.add_accounts();
      a->set_public_key_hex(Hex(k));
      a->set_org_id(org);
      a->add_roles(role);
    };
    add_org("ipo", pc::ORG_IP_OFFICE);
    add_org("bank", pc::ORG_BANK);
    add_org("appraiser", pc::ORG_APPRAISER);
    add_acc(ipo, "ipo", pc::ROLE_IP_OFFICE);
    add_acc(bank, "bank", pc::ROLE_BANK);
    add_acc(appraiser, "appraiser", pc::ROLE_APPRAISER);
    for (int i = 0; i < kSmes; ++i) {
      add_org("sme-" + std::to_string(i), pc::ORG_SME);
      add_acc(smes[static_cast<size_t>(i)], "sme-" + std::to_string(i), pc::ROLE_OWNER);
    }
    auto* v = g.add_validators();
    v->set_node_id("node-1");
    v->set_public_key_hex(Hex(ipo));
    v->set_role(pc::VALIDATOR_VOTER);
    v->set_org_id("ipo");
    auto ws = pc::GenesisState(g);
    Die(ws.ok() ? pledger::Status() : ws.status(), "genesis");
    leveldb::WriteBatch batch;
    auto staged = store.Stage(*ws, &batch);
    Die(staged.ok() ? pledger::Status() : staged.status(), "stage");
    Die((*db)->Write(&batch, false), "write");
    store.Publish(*staged);
    // The patents: plain state records (see the header comment).
    pc::Patent p;
    p.set_type(pc::PATENT_INVENTION);
    p.set_title("A method and device for processing pledge data");
    p.set_main_ipc("G06F 16/23");
    p.set_filing_date(pc::DaysFromCivil(2015, 3, 1));
    p.set_grant_date(pc::DaysFromCivil(2018, 3, 1));
    p.set_expiry_date(pc::DaysFromCivil(2035, 2, 28));
    p.set_status(pc::PATENT_VALID);
    p.set_fee_paid_through(pc::DaysFromCivil(2030, 2, 28));
    p.add_owners()->set_share_bps(10000);
    leveldb::WriteBatch pb;
    for (std::uint64_t i = 0; i < patents; ++i) {
      p.set_patent_no(PatentNo(i));
      p.mutable_owners(0)->set_org_id("sme-" + std::to_string(i % kSmes));
      pb.Put(pl::keys::State(pc::keys::Patent(p.patent_no())), pl::SerializeCanonical(p));
      if (pb.ApproximateSize() > (4 << 20)) {
        Die((*db)->Write(&pb, false), "prefill");
        pb.Clear();
      }
    }
    Die((*db)->Write(&pb, false), "prefill");
    // A long-running node's state is mostly compacted; measure that, not a
    // pile of fresh level-0 files.
    (*db)->raw()->CompactRange(nullptr, nullptr);
    std::printf("prefill: %llu patents, %d SMEs in %.1f s (%s)\n", static_cast<unsigned long long>(patents), kSmes,
                Seconds(t0, Clock::now()), dir.c_str());
  }

  // ---- the workload
  std::mt19937_64 rng(42);
  std::vector<std::uint64_t> order(patents);
  for (std::uint64_t i = 0; i < patents; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::uint64_t next_pledge = 0, next_new = patents;
  std::uint64_t blocks = (txs + block - 1) / block;
  const std::uint64_t t_base = static_cast<std::uint64_t>(pc::DaysFromCivil(2024, 6, 3)) * pc::kMsPerDay;
  auto t_sign0 = Clock::now();
  std::vector<std::vector<std::string>> raw(blocks);
  std::uint64_t nonce = 0;
  int mix[3] = {0, 0, 0};
  for (std::uint64_t b = 0; b < blocks; ++b) {
    for (std::uint64_t i = 0; i < block && b * block + i < txs; ++i) {
      pc::Action a;
      std::vector<const pl::SecretKey*> signers;
      int kind = static_cast<int>(rng() % 10);
      if (kind < 4) {
        std::uint64_t n = next_new++;
        auto* r = a.mutable_patent_register();
        r->set_patent_no(PatentNo(n));
        r->set_type(pc::PATENT_INVENTION);
        r->set_title("A new method");
        r->set_main_ipc("H04L 9/32");
        r->set_filing_date(pc::DaysFromCivil(2019, 1, 1));
        r->set_grant_date(pc::DaysFromCivil(2022, 1, 1));
        r->set_fee_paid_through(pc::DaysFromCivil(2025, 1, 1));
        auto* o = r->add_owners();
        o->set_org_id("sme-" + std::to_string(n % kSmes));
        o->set_share_bps(10000);
        signers = {&ipo};
        ++mix[0];
      } else if (kind < 7) {
        auto* v = a.mutable_valuation_record();
        v->add_patent_nos(PatentNo(rng() % patents));
        v->set_method(pc::VALUATION_INCOME);
        v->set_base_date(pc::DaysFromCivil(2024, 5, 1));
        v->set_value_fen(500'000'000);
        v->set_realisable_value_fen(300'000'000);
        v->set_report_hash(pl::HexEncode(pl::ByteSpan(pl::Sha256(std::to_string(nonce)))));
        signers = {&appraiser};
        ++mix[1];
      } else {
        std::uint64_t n = order[next_pledge++ % patents];
        auto* p = a.mutable_pledge_register();
        const std::string sme = "sme-" + std::to_string(n % kSmes);
        p->set_pledgee_org_id("bank");
        p->add_pledgor_org_ids(sme);
        p->set_debtor_org_id(sme);
        p->set_debt_type("working-capital loan");
        p->set_principal_fen(100'000'000);
        p->set_interest_rate_bps(385);
        p->set_due_date(pc::DaysFromCivil(2026, 6, 1));
        p->set_scope("principal and interest");
        p->add_patent_nos(PatentNo(n));
        p->set_contract_hash(pl::HexEncode(pl::ByteSpan(pl::Sha256("c" + std::to_string(n)))));
        signers = {&bank, &smes[n % kSmes], &ipo};
        ++mix[2];
      }
      pl::TxBody body;
      body.set_chain_id(kChain);
      body.set_nonce(++nonce);
      body.set_expiry_height(b + 1 + 100);
      *body.mutable_action() = std::move(a);
      pl::Transaction tx = pl::MakeTransaction(body);
      for (const auto* k : signers) pl::SignTransaction(&tx, *k);
      raw[b].push_back(tx.SerializeAsString());
    }
  }
  auto t_sign1 = Clock::now();
  std::vector<std::vector<pc::PreparedTx>> prepared(blocks);
  for (std::uint64_t b = 0; b < blocks; ++b) {
    for (const auto& r : raw[b]) prepared[b].push_back(pc::PrepareTx(r));
  }
  auto t_prep1 = Clock::now();

  MapState mem;
  if (memory) {
    Die((*db)->Scan(std::string(1, pl::keys::kState), std::string(1, pl::keys::kState),
                    [&](std::string_view k, std::string_view v) {
                      mem.Put(std::string(k.substr(1)), std::string(v));
                      return true;
                    }),
        "load into memory");
  }
  const pl::StateReader& committed = memory ? static_cast<const pl::StateReader&>(mem) : store;
  std::fprintf(stderr, "executing %llu blocks\n", static_cast<unsigned long long>(blocks));
  pc::Engine engine;
  double exec_s = 0, commit_s = 0, exec_cpu_s = 0;
  std::uint64_t ok = 0, total = 0;
  for (std::uint64_t b = 0; b < blocks; ++b) {
    pc::BlockContext ctx{kChain, b + 1, t_base + b * 1000};
    const double c0 = ThreadCpuSeconds();
    auto t0 = Clock::now();
    pc::BlockOutcome out = engine.ExecuteBlock(committed, ctx, prepared[b]);
    auto t1 = Clock::now();
    exec_cpu_s += ThreadCpuSeconds() - c0;
    Die(out.status, "execute");
    exec_s += Seconds(t0, t1);
    for (const auto& t : out.txs) {
      ++total;
      if (t.receipt.code() == "OK") ++ok;
      else if (total - ok <= 3) std::fprintf(stderr, "rejected: %s %s\n", t.receipt.code().c_str(), t.receipt.message().c_str());
    }
    // Make the block's writes visible to the next block (plain records, untimed).
    leveldb::WriteBatch wb;
    for (const auto& [k, v] : out.writes) {
      if (v) wb.Put(pl::keys::State(k), *v); else wb.Delete(pl::keys::State(k));
    }
    Die((*db)->Write(&wb, false), "commit");
    if (memory) {
      for (const auto& [k, v] : out.writes) {
        if (v) mem.Put(k, *v); else mem.Erase(k);
      }
    }
    commit_s += Seconds(t1, Clock::now());
  }

  if (memory) {
    std::printf("state: %llu prefilled patents, read from memory (std::map copy of the LevelDB state)\n",
                static_cast<unsigned long long>(patents));
  } else {
    std::printf("state: %llu prefilled patents in LevelDB (%s), block cache %zu MiB\n",
                static_cast<unsigned long long>(patents), dir.c_str(), options.block_cache_bytes >> 20);
  }
  std::printf("workload: %llu txs in %llu blocks of %llu: %d registrations, %d valuations, %d pledges; %llu accepted\n",
              static_cast<unsigned long long>(total), static_cast<unsigned long long>(blocks),
              static_cast<unsigned long long>(block), mix[0], mix[1], mix[2], static_cast<unsigned long long>(ok));
  std::printf("sign (client side, 1-3 signatures): %.0f tx/s\n", static_cast<double>(total) / Seconds(t_sign0, t_sign1));
  std::printf("PrepareTx (decode + verify, one core): %.0f tx/s\n", static_cast<double>(total) / Seconds(t_sign1, t_prep1));
  std::printf("ExecuteBlock (one core, signatures excluded): %.0f tx/s wall (%.2f us/tx), %.0f tx per CPU-second\n",
              static_cast<double>(total) / exec_s, exec_s * 1e6 / static_cast<double>(total),
              static_cast<double>(total) / exec_cpu_s);
  std::printf("write-back of block writes (not timed above): %.2f s\n", commit_s);
  db->reset();
  if (temp) std::filesystem::remove_all(dir);
  return ok == total ? 0 : 1;
}
