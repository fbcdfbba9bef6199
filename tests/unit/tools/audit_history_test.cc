// pledger-audit history: equal to a brute-force scan of the chain (every
// block re-executed from the genesis file, collecting what each transaction
// touched) on a random workload; pagination; --as-of; replicas.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "contracts/engine.h"
#include "contracts/genesis.h"
#include "ledger/block.h"
#include "node/history.h"
#include "tests/support/test_util.h"
#include "tests/unit/tools/audit_chain.h"
#include "tests/unit/tools/audit_testing.h"
#include "tools/audit/source.h"
#include "tools/audit/verifier.h"

namespace pledger::test {
namespace {

class MemState final : public ledger::StateReader {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = data_.find(key);
    if (it == data_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    for (auto it = data_.lower_bound(prefix); it != data_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      if (!fn(it->first, it->second)) break;
    }
    return Status::OK();
  }
  void Apply(const ledger::WriteSet& ws) {
    for (const auto& [k, v] : ws) {
      if (v) {
        data_[k] = *v;
      } else {
        data_.erase(k);
      }
    }
  }

 private:
  std::map<std::string, std::string, std::less<>> data_;
};

struct Expected {
  std::string tx_id, code, action;
  std::uint64_t height = 0, time_ms = 0;
  std::uint32_t index = 0;
};

// The brute force: every block from the directory, re-executed from genesis.
std::map<std::string, std::vector<Expected>> ScanChain(const std::string& dir, const contracts::Genesis& genesis) {
  auto src = tools::audit::DirSource::Open(dir);
  REQUIRE(src.ok());
  MemState state;
  state.Apply(*contracts::GenesisState(genesis));
  contracts::Engine engine;
  std::map<std::string, std::vector<Expected>> out;
  const std::uint64_t tip = *(*src)->TipHeight();
  for (std::uint64_t h = 1; h <= tip;) {
    auto blocks = (*src)->ReadBlocks(h, tip);
    REQUIRE(blocks.ok());
    REQUIRE_FALSE(blocks->empty());
    for (const auto& raw : *blocks) {
      ledger::Block b;
      REQUIRE(b.ParseFromString(raw.block));
      auto header = ledger::DecodeBlockHeader(b);
      REQUIRE(header.ok());
      std::vector<contracts::PreparedTx> txs;
      for (const auto& t : b.txs()) txs.push_back(contracts::PrepareTx(t));
      auto o = engine.ExecuteBlock(state, {genesis.chain_id(), h, header->time_ms()}, txs);
      REQUIRE(o.status.ok());
      for (size_t i = 0; i < o.txs.size(); ++i) {
        for (const auto& entity : o.txs[i].touched) {
          Expected e;
          e.tx_id = ledger::HexEncode(o.txs[i].receipt.tx_id());
          e.code = o.txs[i].receipt.code();
          e.action = txs[i].status.ok() ? node::ActionName(txs[i].body) : "";
          e.height = h;
          e.time_ms = header->time_ms();
          e.index = static_cast<std::uint32_t>(i);
          out[entity].push_back(e);
        }
      }
      state.Apply(o.writes);
      ++h;
    }
  }
  return out;
}

tools::audit::HistoryReport History(const TestChain& c, const std::string& dir, const std::string& entity,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"history", entity, "--data-dir", dir, "--genesis", c.genesis_path(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  CliResult r = RunCli(args);
  INFO(entity << ": " << r.err);
  REQUIRE(r.code == 0);
  return ParseJsonOut<tools::audit::HistoryReport>(r.out);
}

void CompareHistory(const tools::audit::HistoryReport& got, const std::vector<Expected>& want) {
  INFO(got.entity());
  REQUIRE(got.entries_size() == static_cast<int>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& g = got.entries(static_cast<int>(i));
    CHECK(g.tx_id() == want[i].tx_id);
    CHECK(g.height() == want[i].height);
    CHECK(g.index() == want[i].index);
    CHECK(g.code() == want[i].code);
    CHECK(g.action() == want[i].action);
    CHECK(g.time_ms() == want[i].time_ms);
  }
}

}  // namespace

TEST_CASE("history equals a brute-force scan of the chain on a random workload") {
  const std::uint64_t seed = TestSeed("audit history vs brute force");
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(seed, 160, 9);
  c.Flush();
  c.Flush();
  c.Close();
  const auto expected = ScanChain(c.data_dir(), c.genesis());
  REQUIRE(expected.size() > 20);

  size_t refused = 0, checked_entries = 0;
  for (const auto& [entity, want] : expected) {
    // Small pages, so the cursor is exercised on every entity with history.
    auto got = History(c, c.data_dir(), entity, {"--page-size", "7"});
    CHECK(got.trust() == "attested");
    CompareHistory(got, want);
    for (const auto& e : got.entries()) {
      refused += e.code() != "OK";
      // Every entry of a data directory's index was checked against its
      // attested block, except the last block's (not attested yet).
      if (e.height() + 1 < c.height()) CHECK(e.attested_by() >= 2);
      ++checked_entries;
    }
  }
  CHECK(refused > 0);  // refusals are history too
  CHECK(checked_entries > 160);

  // Semantic cross-check, independent of the engine's bookkeeping: every
  // accepted transaction that names a patent is in that patent's history.
  auto src = tools::audit::DirSource::Open(c.data_dir());
  REQUIRE(src.ok());
  for (const std::string& no : c.patents()) {
    std::set<std::pair<std::uint64_t, std::uint32_t>> listed;
    for (const auto& e : expected.at("patent/" + no)) listed.emplace(e.height, e.index);
    auto blocks = (*src)->ReadBlocks(1, c.height());
    REQUIRE(blocks.ok());
    for (const auto& raw : *blocks) {
      ledger::Block b;
      ledger::BlockResults res;
      REQUIRE(b.ParseFromString(raw.block));
      REQUIRE(res.ParseFromString(raw.results));
      for (int i = 0; i < b.txs_size(); ++i) {
        ledger::Receipt rc;
        REQUIRE(rc.ParseFromString(res.receipts(i)));
        if (rc.code() == "OK" && b.txs(i).find(no) != std::string::npos) {
          CHECK(listed.count({raw.height, static_cast<std::uint32_t>(i)}) == 1);
        }
      }
    }
  }
}

TEST_CASE("history pages with --limit and --after, prints CSV, and answers from a replica") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(301, 60, 6);
  c.Flush();
  c.Flush();
  c.Close();
  const std::string account = "account/" + ledger::HexEncode(ledger::ByteSpan(TestKey(10).public_key()));  // ipo-a
  auto all = History(c, c.data_dir(), account);
  REQUIRE(all.entries_size() > 10);

  auto first = History(c, c.data_dir(), account, {"--limit", "4"});
  REQUIRE(first.entries_size() == 4);
  REQUIRE_FALSE(first.next_cursor().empty());
  auto rest = History(c, c.data_dir(), account, {"--after", first.next_cursor()});
  REQUIRE(first.entries_size() + rest.entries_size() == all.entries_size());
  for (int i = 0; i < all.entries_size(); ++i) {
    const auto& e = i < 4 ? first.entries(i) : rest.entries(i - 4);
    CHECK(e.tx_id() == all.entries(i).tx_id());
  }

  CliResult csv = RunCli({"history", account, "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--csv"});
  REQUIRE(csv.code == 0);
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == all.entries_size() + 1);
  CliResult table = RunCli({"history", "org", "bank-b", "--data-dir", c.data_dir(), "--genesis", c.genesis_path()});
  REQUIRE(table.code == 0);
  CHECK_THAT(table.out, Catch::Contains("history of org/bank-b"));

  // A replica built by verify --keep answers the same, trusted as a replica.
  const std::string replica = tmp.Sub("replica");
  CliResult v = RunCli({"verify", "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--keep", replica, "--quiet"});
  INFO(v.out << v.err);
  REQUIRE(v.code == 0);
  auto from_replica = History(c, replica, account);
  CHECK(from_replica.trust() == "replica");
  REQUIRE(from_replica.entries_size() == all.entries_size());
  for (int i = 0; i < all.entries_size(); ++i) CHECK(from_replica.entries(i).tx_id() == all.entries(i).tx_id());
}

TEST_CASE("history --as-of shows a pledge or patent as it was after a block") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(302, 40, 4);
  REQUIRE_FALSE(c.pledges().empty());
  const std::string pledge = c.pledges().front();
  REQUIRE(c.AddBlock({c.PledgeCancel(pledge)}).size() == 1);
  c.Flush();
  c.Close();
  auto hist = History(c, c.data_dir(), "pledge/" + pledge);
  REQUIRE(hist.entries_size() >= 2);
  const std::uint64_t registered = hist.entries(0).height();

  auto as_of = [&](std::uint64_t h) {
    CliResult r = RunCli({"history", "pledge", pledge, "--data-dir", c.data_dir(), "--genesis", c.genesis_path(),
                          "--as-of", std::to_string(h), "--json"});
    INFO(r.err);
    return std::make_pair(r.code, r.out.empty() ? tools::audit::AsOfReport() : ParseJsonOut<tools::audit::AsOfReport>(r.out));
  };
  auto [code_before, before] = as_of(registered - 1);
  CHECK(code_before == 1);
  CHECK_FALSE(before.found());
  auto [code_at, at] = as_of(registered);
  REQUIRE(code_at == 0);
  CHECK(at.trust() == "unchecked");
  contracts::Pledge p;
  REQUIRE(google::protobuf::util::JsonStringToMessage(at.record_json(), &p).ok());
  CHECK(p.state() == contracts::PLEDGE_REGISTERED);
  auto [code_now, now] = as_of(c.height());
  REQUIRE(code_now == 0);
  REQUIRE(google::protobuf::util::JsonStringToMessage(now.record_json(), &p).ok());
  bool cancelled = false;
  for (const auto& e : hist.entries()) cancelled = cancelled || (e.action() == "pledge_cancel" && e.code() == "OK");
  CHECK((p.state() == contracts::PLEDGE_CANCELLED) == cancelled);
  CHECK(RunCli({"history", "org", "bank-a", "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--as-of", "3"}).code == 2);
}

}  // namespace pledger::test
