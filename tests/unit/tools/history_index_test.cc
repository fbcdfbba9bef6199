// The history and version index queries (contracts/history.h) are one code
// path for pledgerd (over its Database) and pledger-audit (over a read-only
// data directory): both give the same pages and past records on an honest
// chain, and both refuse a damaged record with the same reason instead of
// leaving it out.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "contracts/history.h"
#include "contracts/proto/state.pb.h"
#include "ledger/bytes.h"
#include "ledger/keys.h"
#include "tests/support/test_util.h"
#include "tests/unit/tools/audit_chain.h"
#include "tests/unit/tools/audit_testing.h"
#include "tools/audit/source.h"

namespace pledger::test {
namespace {

// The first record under `prefix` (its key), or "" if none.
std::string FirstKey(ledger::Database& db, const std::string& prefix) {
  std::string key;
  REQUIRE(db.Scan(prefix, prefix, [&](std::string_view k, std::string_view) {
              key = std::string(k);
              return false;
            }).ok());
  return key;
}

std::vector<std::string> TxIds(const contracts::HistoryPage& page) {
  std::vector<std::string> ids;
  for (const auto& e : page.entries()) ids.push_back(e.tx_id() + "@" + std::to_string(e.height()));
  return ids;
}

// Every record under `prefixes` in the committed state, by key.
std::map<std::string, std::string> Records(TestChain& c, const std::vector<std::string>& prefixes) {
  std::map<std::string, std::string> out;
  for (const auto& p : prefixes) {
    REQUIRE(c.ledger().state().Scan(p, [&](std::string_view k, std::string_view v) {
      out.emplace(std::string(k), std::string(v));
      return true;
    }).ok());
  }
  return out;
}

}  // namespace

TEST_CASE("a record as of any height is the value it had after that block, created, changed or deleted") {
  // Version records keep the value each block replaced (undo records), so the
  // value as of a height comes from the next change after it or from the
  // current state. Checked against the state itself, taken after each block.
  const std::uint64_t seed = 20261207;
  INFO("seed " << seed);
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  auto v4 = std::make_shared<const ledger::SecretKey>(TestKey(104));
  c.AddValidatorKey("v4", v4);
  const std::vector<std::string> prefixes = {"patent/", "pledge/", "validator/", "account/", "org/"};
  std::map<std::uint64_t, std::map<std::string, std::string>> at;  // height -> records after it
  at[0] = Records(c, prefixes);
  for (int round = 0; round < 12; ++round) {
    c.RandomWorkload(seed + static_cast<std::uint64_t>(round), 3, 1);
    if (round == 3) REQUIRE(c.AddBlock({c.ValidatorAdd("v4", *v4, contracts::VALIDATOR_LEARNER)}) == std::vector<std::string>{"OK"});
    if (round == 5) REQUIRE(c.AddBlock({c.ValidatorPromote("v4")}) == std::vector<std::string>{"OK"});
    if (round == 7) REQUIRE(c.AddBlock({c.ValidatorRemove("v4")}) == std::vector<std::string>{"OK"});
    if (round == 9 && !c.pledges().empty()) c.AddBlock({c.PledgeChange(c.pledges().front(), 777'00)});
    if (round == 10) {  // a record genesis wrote, changed by a block
      auto fresh = std::make_shared<const ledger::SecretKey>(TestKey(123));
      REQUIRE(c.AddBlock({c.ValidatorRotateKey("v2", c.ValidatorKey("v2"), *fresh, "ipo-b")}) ==
              std::vector<std::string>{"OK"});
      c.AddValidatorKey("v2", fresh);
    }
    at[c.height()] = Records(c, prefixes);
  }
  c.Flush();
  at[c.height()] = Records(c, prefixes);
  std::set<std::string> keys;
  for (const auto& [h, records] : at) {
    for (const auto& [k, v] : records) keys.insert(k);
  }
  REQUIRE(keys.count("validator/v4") == 1);
  REQUIRE(at.rbegin()->second.count("validator/v4") == 0);  // removed by then
  c.Close();

  auto db = OpenForTampering(c.data_dir());
  size_t changed = 0;
  for (const auto& [h, records] : at) {
    for (const auto& k : keys) {
      auto v = contracts::StateAsOf(*db, k, h);
      REQUIRE(v.ok());
      auto want = records.find(k);
      INFO(k << " at height " << h);
      if (want == records.end()) {
        CHECK_FALSE(v->has_value());
      } else {
        REQUIRE(v->has_value());
        CHECK(**v == want->second);
        if (h > 0 && at.begin()->second.count(k) && at.begin()->second.at(k) != want->second) ++changed;
      }
    }
  }
  CHECK(changed > 0);  // genesis records changed by blocks were among those checked
  // Past the tip: the current state.
  auto now = contracts::StateAsOf(*db, "validator/v1", UINT64_MAX);
  REQUIRE(now.ok());
  CHECK(*now == std::optional<std::string>(at.rbegin()->second.at("validator/v1")));

  // The validators' changes, as pledger-audit rebuilds its validator timeline
  // from a kept replica: each block's value after it, by key then height.
  auto changes = contracts::RecordChanges(contracts::DatabaseIndexReader(*db), "validator/");
  REQUIRE(changes.ok());
  std::vector<std::string> v4_changes;
  for (const auto& ch : *changes) {
    auto after = at.lower_bound(ch.height);
    REQUIRE(after != at.end());
    INFO(ch.key << " at " << ch.height);
    if (after->first == ch.height) {
      auto want = after->second.find(ch.key);
      CHECK(ch.after == (want == after->second.end() ? std::nullopt : std::optional<std::string>(want->second)));
    }
    if (ch.key == "validator/v4") v4_changes.push_back(ch.after ? "set" : "deleted");
  }
  CHECK(v4_changes == std::vector<std::string>{"set", "set", "deleted"});
  size_t v2_changes = 0;
  for (const auto& ch : *changes) v2_changes += ch.key == "validator/v2" ? 1 : 0;
  CHECK(v2_changes == 1);
}

TEST_CASE("history keys and version keys parse into their parts") {
  std::string h(1, ledger::keys::kHistory);
  h += "patent/ZL201410362077.3";
  h.push_back('\0');
  ledger::PutBigEndian64(&h, 7);
  ledger::PutBigEndian32(&h, 3);
  auto hp = contracts::ParseHistoryKey(h);
  REQUIRE(hp);
  CHECK(hp->entity == "patent/ZL201410362077.3");
  CHECK(hp->height == 7);
  CHECK(hp->index == 3);
  CHECK_FALSE(contracts::ParseHistoryKey(h.substr(0, h.size() - 1)));
  CHECK_FALSE(contracts::ParseVersionKey(h));

  std::string v(1, ledger::keys::kVersion);
  v += "pledge/p1";
  v.push_back('\0');
  ledger::PutBigEndian64(&v, 256);  // the height's bytes hold zeros
  auto vp = contracts::ParseVersionKey(v);
  REQUIRE(vp);
  CHECK(vp->state_key == "pledge/p1");
  CHECK(vp->height == 256);
  CHECK_FALSE(contracts::ParseVersionKey(v.substr(0, v.size() - 1)));
  CHECK_FALSE(contracts::ParseHistoryKey(v));
}

TEST_CASE("the node's and the auditor's history queries give the same pages and past records") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(77, 40, 4);
  c.Flush();
  c.Close();
  const std::string entity = "patent/" + c.patents().front();
  REQUIRE_FALSE(c.pledges().empty());
  const std::string pledge_key = "pledge/" + c.pledges().front();

  std::vector<std::vector<std::string>> node_pages, audit_pages;
  std::vector<std::optional<std::string>> node_records, audit_records;
  {
    auto db = OpenForTampering(c.data_dir());
    std::string cursor;
    do {
      auto page = contracts::QueryHistory(*db, entity, cursor, 2);
      REQUIRE(page.ok());
      node_pages.push_back(TxIds(*page));
      cursor = page->next_cursor();
    } while (!cursor.empty());
    for (std::uint64_t h = 0; h <= c.height(); ++h) {
      auto v = contracts::StateAsOf(*db, pledge_key, h);
      REQUIRE(v.ok());
      node_records.push_back(*v);
    }
  }
  {
    auto src = tools::audit::DirSource::Open(c.data_dir());
    REQUIRE(src.ok());
    std::string cursor;
    do {
      auto page = (*src)->History(entity, cursor, 2);
      REQUIRE(page.ok());
      audit_pages.push_back(TxIds(*page));
      cursor = page->next_cursor();
    } while (!cursor.empty());
    for (std::uint64_t h = 0; h <= c.height(); ++h) {
      auto v = (*src)->RecordAsOf(pledge_key, h);
      REQUIRE(v.ok());
      audit_records.push_back(*v);
    }
  }
  REQUIRE_FALSE(node_pages.front().empty());
  CHECK(node_pages == audit_pages);
  CHECK(node_records == audit_records);
  CHECK_FALSE(node_records.front().has_value());  // before the pledge's block
  CHECK(node_records.back().has_value());
}

TEST_CASE("a damaged history record fails with HISTORY_RECORD_CORRUPT for the node and the auditor") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(78, 20, 4);
  c.Flush();
  c.Close();
  const std::string entity = "patent/" + c.patents().front();
  const std::string copy = tmp.Sub("copy");
  CopyDir(c.data_dir(), copy);
  {
    auto db = OpenForTampering(copy);
    const std::string key = FirstKey(*db, std::string(1, ledger::keys::kHistory) + entity + '\0');
    REQUIRE_FALSE(key.empty());
    MustPut(*db, key, "\xff\xff not a HistoryEntry");

    // The node's path (GET /v1/history answers from this).
    auto page = contracts::QueryHistory(*db, entity, "", 100);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().reason() == "HISTORY_RECORD_CORRUPT");
  }
  // The auditor's read-only source.
  {
    auto src = tools::audit::DirSource::Open(copy);
    REQUIRE(src.ok());
    auto page = (*src)->History(entity, "", 100);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().reason() == "HISTORY_RECORD_CORRUPT");
  }
  // And pledger-audit history says so.
  CliResult r = RunCli({"history", entity, "--data-dir", copy, "--genesis", c.genesis_path()});
  INFO(r.out << r.err);
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("HISTORY_RECORD_CORRUPT"));
}

TEST_CASE("a damaged version record fails with VERSION_RECORD_CORRUPT for the node and the auditor") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(79, 20, 4);
  c.Flush();
  c.Close();
  const std::string key = "patent/" + c.patents().front();
  const std::string copy = tmp.Sub("copy");
  CopyDir(c.data_dir(), copy);
  std::uint64_t height = 0;
  {
    auto db = OpenForTampering(copy);
    const std::string vkey = FirstKey(*db, std::string(1, ledger::keys::kVersion) + key + '\0');
    REQUIRE_FALSE(vkey.empty());
    auto parts = contracts::ParseVersionKey(vkey);
    REQUIRE(parts);
    REQUIRE(parts->height > 0);
    height = parts->height - 1;  // the record before that block is the value then
    MustPut(*db, vkey, "\x07garbage");
    auto v = contracts::StateAsOf(*db, key, height);
    REQUIRE_FALSE(v.ok());
    CHECK(v.status().reason() == "VERSION_RECORD_CORRUPT");
  }
  auto src = tools::audit::DirSource::Open(copy);
  REQUIRE(src.ok());
  auto v = (*src)->RecordAsOf(key, height);
  REQUIRE_FALSE(v.ok());
  CHECK(v.status().reason() == "VERSION_RECORD_CORRUPT");
}

}  // namespace pledger::test
