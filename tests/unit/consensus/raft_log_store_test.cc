// LevelDbLogStorage: the Raft log in the node's LevelDB. Restart must
// recover term, vote, log and commit index exactly; writes are atomic;
// group commit makes several rounds durable with one sync.
#include <catch2/catch.hpp>

#include "consensus/codec.h"
#include "consensus/random.h"
#include "consensus/raw_node.h"
#include "ledger/db.h"
#include "ledger/keys.h"
#include "ledger/raft_log_store.h"
#include "tests/support/test_util.h"
#include "tests/unit/consensus/test_helpers.h"

namespace pledger::ledger {
namespace {

using consensus::Entry;
using consensus::HardState;
using consensus::testnet::Ents;

struct Opened {
  std::unique_ptr<Database> db;
  std::unique_ptr<LevelDbLogStorage> log;
};

Opened OpenAt(const std::string& path) {
  Opened o;
  auto db = Database::Open(path);
  REQUIRE(db.ok());
  o.db = std::move(db).value();
  auto log = LevelDbLogStorage::Open(o.db.get());
  REQUIRE(log.ok());
  o.log = std::move(log).value();
  return o;
}

TEST_CASE("LevelDbLogStorage: restart recovers hard state, log and configuration exactly",
          "[raft_log_store]") {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    Opened o = OpenAt(path);
    CHECK(o.log->FirstIndex() == 1);
    CHECK(o.log->LastIndex() == 0);
    REQUIRE(consensus::Bootstrap(o.log.get(), {1, 2, 3}).ok());
    HardState hs{7, 2, 5};
    auto ents = Ents(4, {2, 2, 7});
    REQUIRE(o.log->Write(&hs, nullptr, ents, /*sync=*/true).ok());
  }
  Opened o = OpenAt(path);
  auto st = o.log->GetInitialState();
  REQUIRE(st.ok());
  CHECK(st->hard_state == HardState{7, 2, 5});
  CHECK(o.log->FirstIndex() == 1);
  CHECK(o.log->LastIndex() == 6);
  CHECK(*o.log->Term(6) == 7);
  CHECK(*o.log->Term(0) == 0);
  auto e = o.log->Entries(4, 7, UINT64_MAX);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 3);
  CHECK((*e)[0].data.ToString() == "x4");
  auto confs = o.log->ConfEntries(1, 100);
  REQUIRE(confs.ok());
  CHECK(confs->size() == 3);
  CHECK(o.log->Entries(2, 8, UINT64_MAX).status().reason() == "LOG_UNAVAILABLE");
}

TEST_CASE("LevelDbLogStorage: a conflicting append replaces the suffix, also after restart",
          "[raft_log_store]") {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    Opened o = OpenAt(path);
    REQUIRE(o.log->Write(nullptr, nullptr, Ents(1, {1, 1, 1, 1}), false).ok());
    REQUIRE(o.log->Write(nullptr, nullptr, Ents(3, {2}), true).ok());
    CHECK(o.log->LastIndex() == 3);
    CHECK(*o.log->Term(3) == 2);
    CHECK(o.log->Write(nullptr, nullptr, Ents(9, {2}), false).reason() == "LOG_GAP");
  }
  Opened o = OpenAt(path);
  CHECK(o.log->LastIndex() == 3);
  CHECK(*o.log->Term(3) == 2);
}

TEST_CASE("LevelDbLogStorage: snapshots, compaction and installing a leader's snapshot",
          "[raft_log_store]") {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  consensus::ConfState cs;
  cs.voters = {1, 2, 3};
  {
    Opened o = OpenAt(path);
    REQUIRE(o.log->Write(nullptr, nullptr, Ents(1, {1, 1, 2, 2, 3}), false).ok());
    CHECK(o.log->Compact(2).reason() == "COMPACT_BEYOND_SNAPSHOT");
    REQUIRE(o.log->CreateSnapshot(4, cs, consensus::Payload("state@4")).ok());
    REQUIRE(o.log->Compact(3).ok());
    CHECK(o.log->FirstIndex() == 4);
    CHECK(*o.log->Term(3) == 2);
    CHECK(o.log->Entries(3, 5, UINT64_MAX).status().reason() == "LOG_COMPACTED");
    REQUIRE(o.log->Sync().ok());
  }
  {
    Opened o = OpenAt(path);
    CHECK(o.log->FirstIndex() == 4);
    CHECK(o.log->LastIndex() == 5);
    auto snap = o.log->GetSnapshot();
    REQUIRE(snap.ok());
    CHECK(snap->metadata.index == 4);
    CHECK(snap->metadata.term == 2);
    CHECK(snap->data.ToString() == "state@4");
    CHECK(o.log->GetInitialState()->conf_index == 4);
    // A leader's snapshot replaces the whole log.
    consensus::Snapshot s;
    s.metadata = {20, 6, cs};
    s.data = consensus::Payload("state@20");
    HardState hs{6, 0, 20};
    REQUIRE(o.log->Write(&hs, &s, Ents(21, {6}), true).ok());
  }
  Opened o = OpenAt(path);
  CHECK(o.log->FirstIndex() == 21);
  CHECK(o.log->LastIndex() == 21);
  CHECK(*o.log->Term(20) == 6);
  CHECK(o.log->GetSnapshot()->data.ToString() == "state@20");
}

TEST_CASE("LevelDbLogStorage: group commit, many unsynced rounds and one fsync", "[raft_log_store]") {
  test::TempDir dir;
  Opened o = OpenAt(dir.Sub("db"));
  const std::uint64_t before = o.log->synced_writes();
  for (std::uint64_t i = 1; i <= 50; ++i) {
    HardState hs{1, 0, i - 1};
    REQUIRE(o.log->Write(&hs, nullptr, Ents(i, {1}), /*sync=*/false).ok());
  }
  REQUIRE(o.log->Sync().ok());
  CHECK(o.log->synced_writes() == before + 1);
  CHECK(o.log->LastIndex() == 50);
}

TEST_CASE("LevelDbLogStorage: a gap in the stored log is reported as corruption", "[raft_log_store]") {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    Opened o = OpenAt(path);
    REQUIRE(o.log->Write(nullptr, nullptr, Ents(1, {1, 1, 1}), true).ok());
    std::string k(1, keys::kRaft);
    k.push_back('m');
    PutBigEndian64(&k, 2);
    leveldb::WriteBatch b;
    b.Delete(leveldb::Slice(k));
    REQUIRE(o.db->Write(&b, true).ok());
  }
  auto db = Database::Open(path);
  REQUIRE(db.ok());
  auto log = LevelDbLogStorage::Open(db->get());
  CHECK(log.status().reason() == "RAFT_LOG_CORRUPT");
}

TEST_CASE("LevelDbLogStorage: a snapshot source serves snapshots from the application",
          "[raft_log_store]") {
  test::TempDir dir;
  Opened o = OpenAt(dir.Sub("db"));
  REQUIRE(o.log->Write(nullptr, nullptr, Ents(1, {1, 1}), true).ok());
  o.log->SetSnapshotSource([]() -> Result<consensus::Snapshot> {
    consensus::Snapshot s;
    s.metadata.index = 2;
    s.metadata.term = 1;
    s.data = consensus::Payload("ledger state");
    return s;
  });
  REQUIRE(o.log->CreateSnapshot(2, {}, consensus::Payload()).ok());
  REQUIRE(o.log->Compact(2).ok());
  CHECK(o.log->GetSnapshot()->data.ToString() == "ledger state");
}

TEST_CASE("a RawNode on LevelDbLogStorage survives restarts with its state intact",
          "[raft_log_store]") {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  consensus::SeededRandom rng(5);
  std::vector<Entry> applied;
  HardState hs_before;
  std::uint64_t last_before = 0;
  {
    Opened o = OpenAt(path);
    REQUIRE(consensus::Bootstrap(o.log.get(), {1}).ok());
    auto node = consensus::RawNode::Create(consensus::testnet::TestConfig(1, o.log.get(), &rng));
    REQUIRE(node.ok());
    REQUIRE((*node)->Campaign().ok());
    consensus::testnet::DrainNode(node->get(), o.log.get(), &applied);
    for (int i = 0; i < 20; ++i) {
      REQUIRE((*node)->Propose("block " + std::to_string(i)).ok());
      consensus::testnet::DrainNode(node->get(), o.log.get(), &applied);
    }
    hs_before = (*node)->hard_state();
    last_before = (*node)->last_index();
    CHECK((*node)->commit_index() == last_before);
  }
  Opened o = OpenAt(path);
  auto node = consensus::RawNode::Create(consensus::testnet::TestConfig(1, o.log.get(), &rng));
  REQUIRE(node.ok());
  CHECK((*node)->hard_state() == hs_before);
  CHECK((*node)->last_index() == last_before);
  CHECK((*node)->conf_state().voters == std::vector<std::uint64_t>{1});
  REQUIRE((*node)->Campaign().ok());
  consensus::testnet::DrainNode(node->get(), o.log.get(), &applied);
  REQUIRE((*node)->Propose("after restart").ok());
  consensus::testnet::DrainNode(node->get(), o.log.get(), &applied);
  CHECK(applied.back().data.ToString() == "after restart");
}

}  // namespace
}  // namespace pledger::ledger
