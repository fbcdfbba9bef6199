// The Ready/Advance contract of RawNode: what must be persisted, what may be
// sent when, and how durability comes back (PERSISTED), including group
// commit over several Readies.
#include <catch2/catch.hpp>

#include "tests/unit/consensus/test_helpers.h"

namespace pledger::consensus::testnet {
namespace {

const std::vector<std::uint64_t> kThree = {1, 2, 3};

TEST_CASE("Ready: a vote is hard state that must be synced before the response leaves",
          "[raw_node]") {
  Solo s(1, kThree, {1}, HardState{1, 0, 0});
  Message v = Msg(MessageType::kVote, 2, 1, 2);
  v.index = 1;
  v.log_term = 1;
  REQUIRE(s.node->Step(v).ok());
  REQUIRE(s.node->HasReady());
  Ready rd = s.node->GetReady();
  REQUIRE(rd.hard_state.has_value());
  CHECK(rd.hard_state->term == 2);
  CHECK(rd.hard_state->vote == 2);
  CHECK(rd.must_sync);
  CHECK(rd.messages.empty());
  REQUIRE(rd.persisted_messages.size() == 1);
  CHECK(rd.persisted_messages[0].type == MessageType::kVoteResp);
  s.node->Advance(rd);
  CHECK_FALSE(s.node->HasReady());
}

TEST_CASE("Ready: a follower acknowledges entries only after they are durable", "[raw_node]") {
  Solo s(1, kThree, {}, {});
  Message app = Msg(MessageType::kApp, 2, 1, 1);
  app.entries = Ents(1, {1, 1});
  REQUIRE(s.node->Step(app).ok());
  Ready rd = s.node->GetReady();
  CHECK(rd.entries.size() == 2);
  CHECK(rd.must_sync);
  CHECK(rd.messages.empty());
  bool ack = false, persisted = false;
  for (const Message& m : rd.persisted_messages) {
    ack |= m.type == MessageType::kAppResp && m.to == 2 && m.index == 2;
    persisted |= m.type == MessageType::kPersisted && m.to == 1 && m.index == 2;
  }
  CHECK(ack);
  CHECK(persisted);
  s.node->Advance(rd);
}

TEST_CASE("Ready: a leader's appends may go before its own write, and it counts itself once durable",
          "[raw_node]") {
  Solo s(1, kThree, {}, {});
  s.BecomeLeader({2});
  Message noop_ack = Msg(MessageType::kAppResp, 2, 1, s.node->term());
  noop_ack.index = 1;
  s.Step(noop_ack);  // 2 is in REPLICATE now
  REQUIRE(s.node->Propose("x").ok());
  Ready rd = s.node->GetReady();
  CHECK(!OfType(rd.messages, MessageType::kApp).empty());  // sendable at once
  REQUIRE(rd.entries.size() == 1);
  const std::uint64_t idx = rd.entries[0].index;
  REQUIRE(WriteReady(s.storage.get(), rd, false).ok());
  s.node->Advance(rd);
  // A follower's ack alone is not a majority of 3 without our durable copy.
  Message ack = Msg(MessageType::kAppResp, 2, 1, s.node->term());
  ack.index = idx;
  REQUIRE(s.node->Step(ack).ok());
  CHECK(s.node->commit_index() < idx);
  // The sync lands: PERSISTED goes back in, and the entry commits.
  for (Message& m : rd.persisted_messages) {
    if (m.to == 1) REQUIRE(s.node->Step(m).ok());
  }
  CHECK(s.node->commit_index() == idx);
}

TEST_CASE("Ready: group commit, several Readies written unsynced then one sync", "[raw_node]") {
  Solo s(1, kThree, {}, {});
  s.BecomeLeader({2});
  Message first = Msg(MessageType::kAppResp, 2, 1, s.node->term());
  first.index = 1;
  s.Step(first);
  std::vector<Message> held;
  for (int round = 0; round < 3; ++round) {
    REQUIRE(s.node->Propose("p" + std::to_string(round)).ok());
    Ready rd = s.node->GetReady();
    REQUIRE(WriteReady(s.storage.get(), rd, /*sync=*/false).ok());
    s.node->Advance(rd);
    for (Message& m : rd.persisted_messages) held.push_back(m);
  }
  REQUIRE(s.storage->Sync().ok());  // one fsync for three rounds
  for (Message& m : held) {
    if (m.to == 1) REQUIRE(s.node->Step(m).ok());
  }
  Message ack = Msg(MessageType::kAppResp, 2, 1, s.node->term());
  ack.index = s.node->last_index();
  s.Step(ack);
  CHECK(s.node->commit_index() == s.node->last_index());
}

TEST_CASE("Ready: a commit-only change is hard state without must_sync", "[raw_node]") {
  Solo s(1, kThree, {1, 1}, HardState{1, 0, 0});
  Message hb = Msg(MessageType::kHeartbeat, 2, 1, 1);
  hb.commit = 2;
  REQUIRE(s.node->Step(hb).ok());
  Ready rd = s.node->GetReady();
  REQUIRE(rd.hard_state.has_value());
  CHECK(rd.hard_state->commit == 2);
  CHECK_FALSE(rd.must_sync);
  CHECK(rd.committed_entries.size() == 2);
  s.node->Advance(rd);
  CHECK(s.node->applied_index() == 2);
}

TEST_CASE("Ready: committed entries are capped by max_committed_size_per_ready", "[raw_node]") {
  Solo s(1, kThree, {1, 1, 1, 1, 1, 1}, HardState{1, 0, 0},
         [](Config* c) { c->max_committed_size_per_ready = 1; });
  Message hb = Msg(MessageType::kHeartbeat, 2, 1, 1);
  hb.commit = 6;
  REQUIRE(s.node->Step(hb).ok());
  int readies = 0;
  while (s.node->HasReady()) {
    Ready rd = s.node->GetReady();
    CHECK(rd.committed_entries.size() <= 1);
    s.node->Advance(rd);
    ++readies;
  }
  CHECK(readies >= 6);
  CHECK(s.node->applied_index() == 6);
}

TEST_CASE("restart with Config::applied resumes applying after it", "[raw_node]") {
  auto st = StorageWithLog(kThree, {1, 1, 1, 1}, HardState{1, 0, 4});
  SeededRandom r(1);
  Config c = TestConfig(1, st.get(), &r);
  c.applied = 2;
  auto n = RawNode::Create(c);
  REQUIRE(n.ok());
  Ready rd = (*n)->GetReady();
  REQUIRE(rd.committed_entries.size() == 2);
  CHECK(rd.committed_entries[0].index == 3);
  (*n)->Advance(rd);
  c.applied = 9;  // beyond the log: corrupt state, refused
  CHECK(RawNode::Create(c).status().reason() == "RAFT_APPLIED_BEYOND_LOG");
}

TEST_CASE("status getters report role, leader and follower progress", "[raw_node]") {
  Network net(3);
  net.Elect(2);
  net.Propose(2, "x");
  NodeStatus st = net.node(2).GetStatus();
  CHECK(st.role == Role::kLeader);
  CHECK(st.leader_id == 2);
  CHECK(st.commit_index == st.last_index);
  REQUIRE(st.progress.size() == 3);
  for (const PeerProgress& p : st.progress) {
    CHECK(p.match == st.last_index);
    CHECK(p.state == ProgressState::kReplicate);
  }
  CHECK(net.node(1).Progress().empty());
  CHECK(RoleName(net.node(1).role()) == "FOLLOWER");
}

}  // namespace
}  // namespace pledger::consensus::testnet
