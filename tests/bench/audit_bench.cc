// pledger-audit-bench: the audit figures of docs/performance.md ("Audit").
//
//   history  latency of history and as-of queries at several chain lengths
//            (default 10,000 and 1,000,000 transactions): the node's own
//            query (contracts::QueryHistory / StateAsOf, what GET /v1/history and
//            ?height= serve, without HTTP) and pledger-audit's read-only
//            data-directory path (DirSource). The chains are built directly
//            through ledger::Ledger, the contracts and the node's history
//            staging (tests/unit/tools/audit_chain.h), without signatures,
//            so a million transactions are affordable.
//   verify   throughput of `verify` (full replay: signatures on all cores,
//            execution, every root and attestation) on a data directory,
//            for a mixed workload and for single-signature transactions,
//            next to the rate of signature verification alone.
//
//   pledger-audit-bench [history|verify|all] [--history-txs 10000,1000000]
//                       [--verify-txs 20000] [--queries 2000] [--threads N]
//                       [--dir DIR]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "contracts/engine.h"
#include "ledger/bytes.h"
#include "contracts/history.h"
#include "ledger/io/work_pool.h"
#include "tests/support/test_util.h"
#include "tests/unit/tools/audit_chain.h"
#include "tools/audit/source.h"
#include "tools/audit/verifier.h"
#include "tools/common/args.h"

namespace pledger {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Latency {
  std::vector<double> us;
  void Add(Clock::time_point t0) { us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count()); }
  double Pct(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    return us[std::min(us.size() - 1, static_cast<size_t>(p * static_cast<double>(us.size())))];
  }
};

std::string Cursor(std::uint64_t height, std::uint32_t index) {
  std::string raw;
  ledger::PutBigEndian64(&raw, height);
  ledger::PutBigEndian32(&raw, index);
  return ledger::HexEncode(raw);
}

void Row(const char* what, Latency& l, size_t results) {
  std::printf("  %-44s p50 %8.1f us   p99 %8.1f us   (%zu queries, %zu entries returned)\n", what, l.Pct(0.5),
              l.Pct(0.99), l.us.size(), results);
}

int HistoryBench(const std::string& base, std::uint64_t txs, size_t queries) {
  test::TempDir tmp;
  const std::string dir = base.empty() ? tmp.Sub("history") : base + "/history-" + std::to_string(txs);
  test::TestChainOptions o;
  o.unsigned_txs = true;  // the index, not Ed25519, is what is measured here
  o.attest = false;
  test::TestChain chain(dir, o);
  std::printf("history: building a chain of %llu transactions in %s ...\n", static_cast<unsigned long long>(txs),
              dir.c_str());
  std::fflush(stdout);
  auto t0 = Clock::now();
  chain.RandomWorkload(20261127, txs, 1000);
  const double build = Seconds(t0);
  const std::uint64_t tip = chain.height();
  std::printf("  built %llu blocks in %.1f s (%.0f tx/s, contracts + ledger + history staging)\n",
              static_cast<unsigned long long>(tip), build, static_cast<double>(txs) / build);

  std::mt19937_64 rng(7);
  const auto& patents = chain.patents();
  const auto& pledges = chain.pledges();
  const std::string big = "account/" + ledger::HexEncode(ledger::ByteSpan(test::TestKey(10).public_key()));
  auto measure = [&](const char* label, auto&& history, auto&& as_of) {
    std::printf("%s\n", label);
    Latency patent_page, pledge_page, deep_page, asof;
    size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;
    for (size_t q = 0; q < queries; ++q) {
      auto t = Clock::now();
      n1 += history("patent/" + patents[rng() % patents.size()], "", 100);
      patent_page.Add(t);
      if (!pledges.empty()) {
        t = Clock::now();
        n2 += history("pledge/" + pledges[rng() % pledges.size()], "", 100);
        pledge_page.Add(t);
      }
      // A page of 100 from anywhere in the longest history: the IP office
      // account that signs most transactions.
      const std::string cursor = Cursor(1 + rng() % tip, 0);
      t = Clock::now();
      n3 += history(big, cursor, 100);
      deep_page.Add(t);
      t = Clock::now();
      n4 += as_of("patent/" + patents[rng() % patents.size()], 1 + rng() % tip);
      asof.Add(t);
    }
    Row("patent history, first page (limit 100)", patent_page, n1);
    Row("pledge history, first page (limit 100)", pledge_page, n2);
    Row("busiest account, page of 100 at a random point", deep_page, n3);
    Row("patent as of a random height (?height=)", asof, n4);
  };

  ledger::Database& db = chain.ledger().db();
  measure(
      "  node index queries (contracts::QueryHistory / contracts::StateAsOf on the node's LevelDB):",
      [&](const std::string& e, const std::string& c, size_t limit) {
        auto p = contracts::QueryHistory(db, e, c, limit);
        return p.ok() ? static_cast<size_t>(p->entries_size()) : 0;
      },
      [&](const std::string& key, std::uint64_t h) {
        auto v = contracts::StateAsOf(db, key, h);
        return v.ok() && v->has_value() ? size_t{1} : size_t{0};
      });
  chain.Close();
  auto src = tools::audit::DirSource::Open(dir + "/data");
  if (!src.ok()) {
    std::fprintf(stderr, "%s\n", src.status().ToString().c_str());
    return 1;
  }
  measure(
      "  pledger-audit's read-only data-directory source (DirSource, the same queries):",
      [&](const std::string& e, const std::string& c, size_t limit) {
        auto p = (*src)->History(e, c, limit);
        return p.ok() ? static_cast<size_t>(p->entries_size()) : 0;
      },
      [&](const std::string& key, std::uint64_t h) {
        auto v = (*src)->RecordAsOf(key, h);
        return v.ok() && v->has_value() ? size_t{1} : size_t{0};
      });
  return 0;
}

int VerifyOne(const char* label, const std::string& dir, const std::string& genesis, size_t threads) {
  auto src = tools::audit::DirSource::Open(dir);
  if (!src.ok()) {
    std::fprintf(stderr, "%s\n", src.status().ToString().c_str());
    return 1;
  }
  tools::audit::VerifyOptions o;
  o.genesis_bytes = genesis;
  o.threads = threads;
  const double cpu0 = CpuSeconds();
  auto r = tools::audit::Verify(src->get(), o);
  const double cpu = CpuSeconds() - cpu0;
  if (!r.ok() || !r->ok()) {
    std::fprintf(stderr, "verify failed: %s\n", r.ok() ? (r->reason() + ": " + r->detail()).c_str() : r.status().ToString().c_str());
    return 1;
  }
  std::printf("  %-40s %7.0f tx/s  %8.0f signatures/s  (%llu txs, %llu signatures, %.2f s wall, %.2f CPU-s, "
              "%.0f tx per CPU-second)\n",
              label, r->tx_per_second(), static_cast<double>(r->signatures()) / r->seconds(),
              static_cast<unsigned long long>(r->transactions()), static_cast<unsigned long long>(r->signatures()),
              r->seconds(), cpu, static_cast<double>(r->transactions()) / cpu);
  return 0;
}

// Signature verification alone (contracts::PrepareTx over every block's
// transactions on `threads` threads): the ceiling verify can approach.
void PrepareOnly(const char* label, const std::string& dir, size_t threads) {
  auto src = tools::audit::DirSource::Open(dir);
  if (!src.ok()) return;
  std::vector<std::string> txs;
  const std::uint64_t tip = *(*src)->TipHeight();
  for (std::uint64_t h = 1; h <= tip;) {
    auto blocks = (*src)->ReadBlocks(h, tip);
    if (!blocks.ok() || blocks->empty()) break;
    for (const auto& b : *blocks) {
      ledger::Block block;
      block.ParseFromString(b.block);
      for (const auto& t : block.txs()) txs.push_back(t);
      h = b.height + 1;
    }
  }
  io::WorkPool pool(threads > 1 ? threads - 1 : 1, 1);
  std::atomic<size_t> sigs{0};
  auto t0 = Clock::now();
  pool.ParallelFor(txs.size(), [&](size_t i) { sigs += contracts::PrepareTx(txs[i]).signers.size(); });
  const double s = Seconds(t0);
  std::printf("  %-40s %7.0f tx/s  %8.0f signatures/s  (decode + Ed25519 only, %zu threads)\n", label,
              static_cast<double>(txs.size()) / s, static_cast<double>(sigs.load()) / s, threads);
}

int VerifyBench(const std::string& base, std::uint64_t txs, size_t threads) {
  test::TempDir tmp;
  const std::string root = base.empty() ? tmp.path() : base;
  // A mixed workload (patents 1 signature, valuations 1, pledges and changes
  // 3, cancellations 1; some refused, some with broken signatures).
  test::TestChain mixed(root + "/verify-mixed");
  std::printf("verify: building a signed, attested chain of %llu mixed transactions ...\n",
              static_cast<unsigned long long>(txs));
  std::fflush(stdout);
  mixed.RandomWorkload(42, txs, 1000);
  mixed.Flush();
  mixed.Flush();
  mixed.Close();
  // Single-signature transactions: patent registrations, an IP office signs.
  test::TestChain single(root + "/verify-single");
  std::printf("verify: building a chain of %llu single-signature transactions ...\n",
              static_cast<unsigned long long>(txs));
  std::fflush(stdout);
  for (std::uint64_t made = 0; made < txs;) {
    std::vector<std::string> block;
    for (size_t k = 0; k < 1000 && made < txs; ++k, ++made) {
      block.push_back(single.workload().PatentRegister(single.height() + 1000).raw);
    }
    single.AddBlock(block);
  }
  single.Flush();
  single.Flush();
  single.Close();
  std::printf("verify (full replay from genesis into a scratch ledger), data directory source:\n");
  for (size_t t : {threads, size_t{1}}) {
    const std::string suffix = " (" + std::to_string(t) + (t == 1 ? " thread)" : " threads)");
    if (VerifyOne(("mixed workload" + suffix).c_str(), mixed.data_dir(), mixed.genesis_bytes(), t) != 0) return 1;
    if (VerifyOne(("single-signature" + suffix).c_str(), single.data_dir(), single.genesis_bytes(), t) != 0) return 1;
  }
  PrepareOnly("signatures alone, mixed", mixed.data_dir(), threads);
  PrepareOnly("signatures alone, single-signature", single.data_dir(), threads);
  return 0;
}

std::vector<std::uint64_t> Sizes(const std::string& list) {
  std::vector<std::uint64_t> out;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(std::stoull(item));
  return out;
}

}  // namespace
}  // namespace pledger

int main(int argc, char** argv) {
  using namespace pledger;
  auto args = tools::Args::Parse(argc, argv, 1,
                                 {{"history-txs"}, {"verify-txs"}, {"queries"}, {"threads"}, {"dir"}});
  if (!args.ok()) {
    std::fprintf(stderr, "pledger-audit-bench: %s\n", args.status().ToString().c_str());
    return 2;
  }
  const std::string what = args->positional().empty() ? "all" : args->positional()[0];
  const size_t queries = static_cast<size_t>(args->GetInt("queries", 2000, 1, 1000000).value());
  const size_t threads = static_cast<size_t>(
      args->GetInt("threads", std::max<unsigned>(1, std::thread::hardware_concurrency()), 1, 256).value());
  const std::string dir = args->Get("dir").value_or("");
  std::printf("pledger-audit-bench on %u cores\n", std::thread::hardware_concurrency());
  if (what == "history" || what == "all") {
    for (std::uint64_t n : Sizes(args->Get("history-txs").value_or("10000,1000000"))) {
      if (HistoryBench(dir, n, queries) != 0) return 1;
    }
  }
  if (what == "verify" || what == "all") {
    if (VerifyBench(dir, static_cast<std::uint64_t>(args->GetInt("verify-txs", 20000, 1, 100000000).value()), threads) != 0) {
      return 1;
    }
  }
  return 0;
}
