// pledger-audit history: equal to a brute-force scan of the chain (every
// block re-executed from the genesis file, collecting what each transaction
// touched) on a random workload; a false entry a source serves is refused;
// pagination; --as-of; replicas.
#include <catch2/catch.hpp>

#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "contracts/dates.h"
#include "contracts/engine.h"
#include "contracts/genesis.h"
#include "ledger/block.h"
#include "ledger/crypto.h"
#include "ledger/keys.h"
#include "ledger/tx.h"
#include "contracts/history.h"
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
          e.action = txs[i].status.ok() ? contracts::ActionName(txs[i].body) : "";
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

std::string DocHash(const std::string& what) { return ledger::HexEncode(ledger::Sha256(what)); }

// The id a transaction's receipt names, and the object id it creates.
std::string TxIdOf(const std::string& raw) {
  ledger::Transaction tx;
  REQUIRE(tx.ParseFromString(raw));
  return ledger::HexEncode(ledger::TxId(tx));
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
  // A limited CSV stays one table; the cursor to continue goes to stderr.
  CliResult csv4 = RunCli({"history", account, "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--csv",
                           "--limit", "4"});
  REQUIRE(csv4.code == 0);
  CHECK(std::count(csv4.out.begin(), csv4.out.end(), '\n') == 5);
  CHECK_THAT(csv4.err, Catch::Contains("more: --after " + first.next_cursor()));
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

// The history index is the source's word: a node's API and a data directory
// serve it alike (tools/audit/source.h), and both answer with entries a block
// must bear out. Here a data directory's index is edited, as a node's disk or
// a node itself could serve it.
TEST_CASE("a false entry in a source's history stops history with HISTORY_ENTRY_MISMATCH") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(304, 30, 4);
  c.Flush();
  c.Flush();
  c.Close();
  const std::string entity = "patent/" + c.patents().front();
  const std::vector<std::string> args = {"history", entity, "--data-dir", "", "--genesis", c.genesis_path()};
  auto run = [&](const std::string& dir) {
    std::vector<std::string> a = args;
    a[3] = dir;
    return RunCli(a);
  };
  // The honest directory lists the entry, attested: the failures below are the edit's.
  {
    CliResult honest = run(c.data_dir());
    INFO(honest.err);
    REQUIRE(honest.code == 0);
  }

  const std::string copy = tmp.Sub("copy");
  CopyDir(c.data_dir(), copy);
  const std::string prefix = std::string(1, ledger::keys::kHistory) + entity + '\0';
  std::string key;
  contracts::HistoryRecord entry;  // as stored: the key holds height and index
  std::uint64_t height = 0;
  std::uint32_t index = 0;
  {
    auto db = OpenForTampering(copy);
    REQUIRE(db->Scan(prefix, prefix, [&](std::string_view k, std::string_view v) {
                  key = std::string(k);
                  REQUIRE(entry.ParseFromArray(v.data(), static_cast<int>(v.size())));
                  return false;  // the first: the patent's registration
                }).ok());
  }
  REQUIRE_FALSE(key.empty());
  {
    auto parts = contracts::ParseHistoryKey(key);
    REQUIRE(parts);
    height = parts->height;
    index = parts->index;
  }
  REQUIRE(height + 2 < c.height());  // attested by now

  contracts::HistoryRecord lie = entry;
  std::string because;
  SECTION("another transaction id") {
    lie.set_tx_id(std::string(ledger::AsStringView(c.tx_ids().back())));
    because = "but the block holds transaction " + ledger::HexEncode(entry.tx_id());
  }
  SECTION("another receipt code") {
    lie.set_code(entry.code() == "OK" ? "PATENT_ALREADY_REGISTERED" : "OK");
    because = "but its receipt says " + entry.code();
  }
  SECTION("another block time") {
    lie.set_time_ms(entry.time_ms() + 1);
    because = "but the block's time differs";
  }
  SECTION("another action") {
    lie.set_action(static_cast<std::uint32_t>(contracts::Action::kPledgeCancel));
    REQUIRE(lie.action() != entry.action());  // the entry is the patent's registration
    because = "but the action differs";
  }
  {
    auto db = OpenForTampering(copy);
    MustPut(*db, key, ledger::SerializeCanonical(lie));
  }
  CliResult r = run(copy);
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("HISTORY_ENTRY_MISMATCH"));
  CHECK_THAT(r.err, Catch::Contains("the source's history lists transaction " + ledger::HexEncode(lie.tx_id()) +
                                    " at block " + std::to_string(height) + " index " + std::to_string(index)));
  CHECK_THAT(r.err, Catch::Contains(because));
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

// A pool's history is every transaction that named the pool, in
// chain order, refusals included; a tranche's is every one that named that
// tranche. A small licence deal from creation to a trigger, on the chain
// pledgerd would write.
TEST_CASE("history of a pool and of a tranche lists the deal's transactions in order") {
  TempDir tmp;
  TestChainOptions o;
  o.pool_parties = true;
  TestChain c(tmp.Sub("chain"), o);
  const std::int32_t today = contracts::DateOfBlockTime(c.time_ms() + 1);
  const std::string p1 = tools::Workload::PatentNumber(2018, 1, 4000001);
  const std::string p2 = tools::Workload::PatentNumber(2018, 1, 4000002);
  std::vector<std::string> setup;
  for (const std::string& no : {p1, p2}) {
    ledger::TxBody b = c.Body();
    auto* pr = b.mutable_action()->mutable_patent_register();
    pr->set_patent_no(no);
    pr->set_type(contracts::PATENT_INVENTION);
    pr->set_title("Pooled method " + no);
    pr->set_main_ipc("G06F 16/27");
    pr->set_filing_date(today - 3 * 365);
    pr->set_grant_date(today - 365);
    pr->set_fee_paid_through(today + 365);
    auto* own = pr->add_owners();
    own->set_org_id("sme");
    own->set_share_bps(10000);
    setup.push_back(c.Sign(b, {"ipo-a"}));
    // The licence to the trustee that R31 requires, running past the maturity.
    ledger::TxBody l = c.Body();
    auto* lf = l.mutable_action()->mutable_licence_file();
    lf->set_patent_no(no);
    lf->set_licensee_org_id("spv");
    lf->set_type(contracts::LICENCE_EXCLUSIVE);
    lf->set_start_date(today);
    lf->set_end_date(today + 3 * 365);
    lf->set_contract_hash(DocHash("licence " + no));
    setup.push_back(c.Sign(l, {"ipo-a", "sme"}));
  }
  for (const auto& code : c.AddBlock(setup)) REQUIRE(code == "OK");

  std::vector<std::string> pool_txs, rank1_txs;  // expected, in chain order
  auto run = [&](const ledger::TxBody& b, const std::vector<std::string>& signers, const std::string& want) {
    const std::string raw = c.Sign(b, signers);
    auto codes = c.AddBlock({raw});
    REQUIRE(codes.size() == 1);
    INFO(b.action().ShortDebugString());
    REQUIRE(codes[0] == want);
    pool_txs.push_back(TxIdOf(raw));
    return TxIdOf(raw);
  };

  ledger::TxBody create = c.Body();
  auto* pc = create.mutable_action()->mutable_pool_create();
  pc->set_name("Audit test pool");
  pc->set_trustee_org_id("spv");
  pc->set_model(contracts::POOL_LICENSE);
  pc->set_legal_maturity_date(today + 2 * 365);
  pc->set_deal_size_fen(1'000'000'00);
  pc->set_document_hash(DocHash("trust deed"));
  const std::string pool = run(create, {"spv"}, "OK").substr(0, 32);

  ledger::TxBody admit = c.Body();
  admit.mutable_action()->mutable_pool_admit_patents()->set_pool_id(pool);
  admit.mutable_action()->mutable_pool_admit_patents()->add_patent_nos(p1);
  admit.mutable_action()->mutable_pool_admit_patents()->add_patent_nos(p2);
  run(admit, {"spv"}, "POOL_OWNER_SIGNATURE_MISSING");  // refusals are history too
  admit.set_nonce(admit.nonce() + 1000);
  run(admit, {"spv", "sme"}, "OK");

  ledger::TxBody issue = c.Body();
  auto* ti = issue.mutable_action()->mutable_tranche_issue();
  ti->set_pool_id(pool);
  ti->set_document_hash(DocHash("offering"));
  auto* senior = ti->add_tranches();
  senior->set_tranche_class(contracts::TRANCHE_SENIOR);
  senior->set_rank(1);
  senior->set_principal_fen(900'000'00);
  senior->set_coupon_bps(365);
  senior->set_rating("AAA");
  auto* step = senior->add_schedule();
  step->set_date(today + 365);
  step->set_amount_fen(900'000'00);
  auto* sub = ti->add_tranches();
  sub->set_tranche_class(contracts::TRANCHE_SUBORDINATED);
  sub->set_rank(2);
  sub->set_principal_fen(100'000'00);
  for (auto [rank, org, units] : std::vector<std::tuple<std::uint32_t, std::string, std::int64_t>>{
           {1, "inv-a", 9000}, {2, "sme", 1000}}) {
    auto* u = ti->add_allocations();
    u->set_rank(rank);
    u->set_investor_org_id(org);
    u->set_units(units);
  }
  rank1_txs.push_back(run(issue, {"spv"}, "OK"));

  ledger::TxBody transfer = c.Body();
  auto* ht = transfer.mutable_action()->mutable_holding_transfer();
  ht->set_pool_id(pool);
  ht->set_rank(1);
  ht->set_from_org_id("inv-a");
  ht->set_to_org_id("inv-b");
  ht->set_units(2500);
  rank1_txs.push_back(run(transfer, {"inv-a"}, "OK"));

  ledger::TxBody collect = c.Body();
  auto* pcl = collect.mutable_action()->mutable_pool_collect();
  pcl->set_pool_id(pool);
  auto* item = pcl->add_items();
  item->set_member(p1);
  item->set_kind(contracts::COLLECTION_ROYALTY);
  item->set_amount_fen(20'000'00);
  run(collect, {"spv"}, "OK");

  c.AdvanceDays(30);  // the first payment date, a month after issuance
  ledger::TxBody pay = c.Body();
  pay.mutable_action()->mutable_pool_pay()->set_pool_id(pool);
  run(pay, {"spv"}, "OK");
  ledger::TxBody trigger = c.Body();
  trigger.mutable_action()->mutable_pool_trigger()->set_pool_id(pool);
  trigger.mutable_action()->mutable_pool_trigger()->set_reason(contracts::POOL_TRIGGER_OTHER);
  trigger.mutable_action()->mutable_pool_trigger()->set_document_hash(DocHash("notice"));
  run(trigger, {"spv"}, "OK");
  // Unrelated traffic in between does not show.
  c.RandomWorkload(303, 12, 3);
  c.Flush();
  c.Flush();
  c.Close();

  const auto expected = ScanChain(c.data_dir(), c.genesis());
  // The pool: every pool transaction, in order, as the brute force finds them.
  auto hist = History(c, c.data_dir(), "pool/" + pool);
  CompareHistory(hist, expected.at("pool/" + pool));
  REQUIRE(hist.entries_size() == static_cast<int>(pool_txs.size()));
  for (size_t i = 0; i < pool_txs.size(); ++i) CHECK(hist.entries(static_cast<int>(i)).tx_id() == pool_txs[i]);
  CHECK(hist.entries(0).action() == "pool_create");
  CHECK(hist.entries(1).code() == "POOL_OWNER_SIGNATURE_MISSING");
  CHECK(hist.entries(static_cast<int>(pool_txs.size()) - 1).action() == "pool_trigger");
  for (const auto& e : hist.entries()) {
    if (e.height() + 1 < c.height()) CHECK(e.attested_by() >= 2);
  }
  // Upper-case ids and the two-word form name the same entity.
  std::string upper = pool;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  CliResult words = RunCli({"history", "pool", upper, "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--json"});
  INFO(words.err);
  REQUIRE(words.code == 0);
  CHECK(ParseJsonOut<tools::audit::HistoryReport>(words.out).entries_size() == hist.entries_size());

  // A tranche: its issuance and the transfer of its units (and the payment date that paid it).
  auto rank1 = History(c, c.data_dir(), "tranche/" + pool + "/1");
  CompareHistory(rank1, expected.at("tranche/" + pool + "/1"));
  REQUIRE(rank1.entries_size() >= 2);
  CHECK(rank1.entries(0).tx_id() == rank1_txs[0]);
  CHECK(rank1.entries(1).tx_id() == rank1_txs[1]);
  CHECK(rank1.entries(1).action() == "holding_transfer");
  for (const auto& form : std::vector<std::vector<std::string>>{{"tranche", pool, "1"}, {"tranche", pool + "/1"}}) {
    std::vector<std::string> args = {"history"};
    args.insert(args.end(), form.begin(), form.end());
    args.insert(args.end(), {"--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--json"});
    CliResult r = RunCli(args);
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto got = ParseJsonOut<tools::audit::HistoryReport>(r.out);
    CHECK(got.entity() == "tranche/" + pool + "/1");
    CHECK(got.entries_size() == rank1.entries_size());
  }

  // --as-of: the pool as it was before issuance, and now.
  const std::uint64_t created = hist.entries(0).height();
  const std::uint64_t issued = hist.entries(3).height();
  auto as_of = [&](const std::vector<std::string>& entity, std::uint64_t h) {
    std::vector<std::string> args = {"history"};
    args.insert(args.end(), entity.begin(), entity.end());
    args.insert(args.end(), {"--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--as-of", std::to_string(h),
                             "--json"});
    CliResult r = RunCli(args);
    INFO(r.err);
    return std::make_pair(r.code, r.out.empty() ? tools::audit::AsOfReport() : ParseJsonOut<tools::audit::AsOfReport>(r.out));
  };
  auto [code_before, before] = as_of({"pool", pool}, created - 1);
  CHECK(code_before == 1);
  CHECK_FALSE(before.found());
  auto [code_open, open] = as_of({"pool", pool}, issued - 1);
  REQUIRE(code_open == 0);
  contracts::Pool p;
  REQUIRE(google::protobuf::util::JsonStringToMessage(open.record_json(), &p).ok());
  CHECK(p.state() == contracts::POOL_OPEN);
  CHECK(p.active_members() == 2);
  auto [code_now, now] = as_of({"pool", pool}, c.height());
  REQUIRE(code_now == 0);
  REQUIRE(google::protobuf::util::JsonStringToMessage(now.record_json(), &p).ok());
  CHECK(p.state() == contracts::POOL_ISSUED);
  CHECK(p.triggered());
  CHECK(p.payment_count() == 1);
  auto [code_tranche, tranche] = as_of({"tranche", pool, "1"}, c.height());
  REQUIRE(code_tranche == 0);
  contracts::Tranche t;
  REQUIRE(google::protobuf::util::JsonStringToMessage(tranche.record_json(), &t).ok());
  CHECK(t.units() == 9000);
  CHECK(t.interest_paid_fen() > 0);

  // Malformed pool and tranche entities are usage errors (exit 2).
  for (const auto& bad : std::vector<std::vector<std::string>>{{"pool", "5be1"},
                                                              {"pool", pool + "/1"},
                                                              {"tranche", pool},
                                                              {"tranche", pool, "0"},
                                                              {"tranche", pool, "10"},
                                                              {"tranche", "xyz", "1"},
                                                              {"pledge", pool, "1"}}) {
    std::vector<std::string> args = {"history"};
    args.insert(args.end(), bad.begin(), bad.end());
    args.insert(args.end(), {"--data-dir", c.data_dir(), "--genesis", c.genesis_path()});
    CliResult r = RunCli(args);
    INFO(bad[0] << " " << bad[1] << " -> " << r.err);
    CHECK(r.code == 2);
  }
}

}  // namespace pledger::test
