// Feature tests beyond the paper's core: pre-vote, check-quorum, leader
// transfer, ReadIndex, flow control and batching, fast backtracking,
// backpressure, hostile input, restart.
#include <catch2/catch.hpp>

#include "consensus/limits.h"
#include "tests/unit/consensus/test_helpers.h"
#include "tests/unit/consensus/test_network.h"

namespace pledger::consensus::testnet {
namespace {

const std::vector<std::uint64_t> kThree = {1, 2, 3};

auto PreVoteCheckQuorum = [](Config* c) {
  c->pre_vote = true;
  c->check_quorum = true;
};

TEST_CASE("pre-vote: a partitioned node does not bump its term, and rejoins without disruption",
          "[raft]") {
  Network net(3, PreVoteCheckQuorum);
  net.Elect(1);
  const std::uint64_t term = net.node(1).term();
  net.Isolate(3);
  net.TickAll(100);
  CHECK(net.node(3).term() == term);  // pre-votes failed; no new terms
  CHECK(net.node(3).role() == Role::kPreCandidate);
  net.Heal();
  net.TickAll(5);
  CHECK(net.node(1).role() == Role::kLeader);
  CHECK(net.node(1).term() == term);
  CHECK(net.node(3).leader_id() == 1);
}

TEST_CASE("without pre-vote a rejoining node forces a new election (the problem pre-vote solves)",
          "[raft]") {
  Network net(3);
  net.Elect(1);
  const std::uint64_t term = net.node(1).term();
  net.Isolate(3);
  net.TickAll(50);
  CHECK(net.node(3).term() > term);
  net.Heal();
  net.TickAll(30);
  CHECK(net.node(net.leader()).term() > term);
}

TEST_CASE("check-quorum: a leader that cannot hear a quorum steps down", "[raft]") {
  Network net(3, PreVoteCheckQuorum);
  net.Elect(1);
  net.Isolate(1);
  net.Tick(1, 25);  // > 2 election timeouts
  CHECK(net.node(1).role() == Role::kFollower);
  CHECK(net.node(1).Propose("x").reason() == "NOT_LEADER");
}

TEST_CASE("leader transfer: the target is caught up, then campaigns and wins", "[raft]") {
  Network net(3, PreVoteCheckQuorum);
  net.Elect(1);
  net.Isolate(3);
  for (int i = 0; i < 5; ++i) net.Propose(1, "p");
  net.Heal();
  REQUIRE(net.node(1).TransferLeadership(3).ok());
  CHECK(net.node(1).Propose("during").reason() == "TRANSFER_IN_PROGRESS");
  net.Stabilize();
  CHECK(net.node(3).role() == Role::kLeader);
  CHECK(net.node(1).role() == Role::kFollower);
  CHECK(net.node(3).last_index() >= 7);
  CHECK(net.node(1).TransferLeadership(2).reason() == "NOT_LEADER");
  CHECK(net.node(3).TransferLeadership(9).reason() == "TRANSFER_TARGET_INVALID");
}

TEST_CASE("leader transfer to an unreachable node is abandoned after an election timeout",
          "[raft]") {
  Network net(3);
  net.Elect(1);
  net.Isolate(3);
  REQUIRE(net.node(1).TransferLeadership(3).ok());
  net.Tick(1, 11);
  CHECK(net.node(1).role() == Role::kLeader);
  CHECK(net.node(1).Propose("resumed").ok());
}

TEST_CASE("ReadIndex on the leader: answered after a heartbeat quorum, at the commit index",
          "[raft]") {
  Network net(3);
  net.Elect(1);
  net.Propose(1, "a");
  REQUIRE(net.node(1).ReadIndex("req-1").ok());
  net.Stabilize();
  auto& reads = net.peer(1).reads;
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].context == "req-1");
  CHECK(reads[0].index == net.node(1).commit_index());
}

TEST_CASE("ReadIndex is not answered without a quorum (a deposed leader cannot serve reads)",
          "[raft]") {
  Network net(3);
  net.Elect(1);
  net.Isolate(1);
  REQUIRE(net.node(1).ReadIndex("stale").ok());
  net.Stabilize();
  CHECK(net.peer(1).reads.empty());
}

TEST_CASE("ReadIndex from a follower or learner is forwarded to the leader", "[raft]") {
  Network net(3);
  net.Elect(1);
  net.Propose(1, "a");
  REQUIRE(net.node(2).ReadIndex("f").ok());
  net.Stabilize();
  REQUIRE(net.peer(2).reads.size() == 1);
  CHECK(net.peer(2).reads[0].index == net.node(1).commit_index());
  Network lone(3);
  CHECK(lone.node(2).ReadIndex("x").reason() == "NOT_LEADER");
}

TEST_CASE("ReadIndex waits until a new leader commits an entry of its term", "[raft]") {
  Solo s(1, kThree, {1}, HardState{1, 0, 1});
  s.BecomeLeader({2});
  REQUIRE(s.node->ReadIndex("early").ok());
  auto out = s.Drain();
  CHECK(OfType(out, MessageType::kHeartbeat).empty());  // queued, not yet asked
  Message ack = Msg(MessageType::kAppResp, 2, 1, s.node->term());
  ack.index = 2;
  out = s.Step(ack);
  auto hbs = OfType(out, MessageType::kHeartbeat);
  REQUIRE(!hbs.empty());
  CHECK(hbs[0].context == "early");
}

TEST_CASE("batching: an append respects max_size_per_msg but always carries one entry", "[raft]") {
  Solo s(1, kThree, {}, {}, [](Config* c) { c->max_size_per_msg = 100; });
  s.BecomeLeader({2});
  Message ack = Msg(MessageType::kAppResp, 2, 1, s.node->term());
  ack.index = 1;
  s.Step(ack);  // 2 is in REPLICATE
  for (int i = 0; i < 10; ++i) REQUIRE(s.node->Propose(std::string(30, 'a')).ok());
  REQUIRE(s.node->Propose(std::string(1000, 'b')).ok());  // larger than a message
  auto apps = OfType(s.Drain(), MessageType::kApp);
  std::size_t to2 = 0;
  for (const Message& m : apps) {
    if (m.to != 2) continue;
    ++to2;
    REQUIRE(!m.entries.empty());
    std::uint64_t bytes = 0;
    for (const Entry& e : m.entries) bytes += EntrySizeBytes(e);
    CHECK((bytes <= 100 || m.entries.size() == 1));
  }
  CHECK(to2 >= 5);
}

TEST_CASE("flow control: at most max_inflight_msgs unacknowledged appends per follower",
          "[raft]") {
  Solo s(1, kThree, {}, {}, [](Config* c) {
    c->max_inflight_msgs = 3;
    c->max_size_per_msg = 1;  // one entry per append
  });
  s.BecomeLeader({2});
  Message ack = Msg(MessageType::kAppResp, 2, 1, s.node->term());
  ack.index = 1;
  s.Step(ack);
  for (int i = 0; i < 10; ++i) REQUIRE(s.node->Propose("e").ok());
  auto apps = OfType(s.Drain(), MessageType::kApp);
  std::size_t to2 = 0;
  for (const Message& m : apps) to2 += m.to == 2 && !m.entries.empty();
  CHECK(to2 == 3);
}

TEST_CASE("fast backtracking: a divergent follower is repaired in a few round trips", "[raft]") {
  std::vector<std::uint64_t> leader_log(1, 1), follower_log(1, 1);
  for (int i = 0; i < 200; ++i) leader_log.push_back(5);
  for (int i = 0; i < 300; ++i) follower_log.push_back(3);
  std::map<std::uint64_t, std::unique_ptr<MemoryLogStorage>> st;
  st[1] = StorageWithLog(kThree, leader_log, HardState{5, 0, 1});
  st[2] = StorageWithLog(kThree, follower_log, HardState{5, 0, 1});
  st[3] = StorageWithLog(kThree, leader_log, HardState{5, 0, 1});
  Network net(std::move(st));
  net.Elect(1);
  std::size_t rejects = 0;
  for (const Message& m : net.sent) rejects += m.type == MessageType::kAppResp && m.reject && m.from == 2;
  CHECK(rejects <= 3);  // one per divergent term, not one per entry
  CHECK(net.node(2).commit_index() == net.node(1).commit_index());
}

TEST_CASE("proposals: errors name the problem and the leader", "[raft]") {
  Network net(3, [](Config* c) {
    c->max_entry_bytes = 1000;
    c->max_uncommitted_bytes = 2000;
  });
  net.Elect(1);
  Status s = net.node(2).Propose("x");
  CHECK(s.reason() == "NOT_LEADER");
  CHECK(s.message().find("node 1") != std::string_view::npos);
  CHECK(net.node(2).leader_id() == 1);
  CHECK(net.node(1).Propose(std::string(1001, 'x')).reason() == "PROPOSAL_TOO_LARGE");
  net.Isolate(1);  // nothing commits: the backlog grows
  Status last;
  for (int i = 0; i < 10 && last.ok(); ++i) last = net.node(1).Propose(std::string(900, 'y'));
  CHECK(last.reason() == "PROPOSALS_BACKLOGGED");
  CHECK(last.code() == StatusCode::kResourceExhausted);
}

TEST_CASE("hostile messages are refused with RAFT_MESSAGE_INVALID and change nothing", "[raft]") {
  Solo s(1, kThree, {1, 1}, HardState{1, 0, 0});
  std::vector<Message> bad;
  Message gap = Msg(MessageType::kApp, 2, 1, 2);  // entries not contiguous after prev
  gap.index = 2;
  gap.log_term = 1;
  gap.entries = Ents(5, {2});
  bad.push_back(gap);
  Message future = Msg(MessageType::kApp, 2, 1, 2);  // entry term above the message term
  future.index = 2;
  future.log_term = 1;
  future.entries = Ents(3, {9});
  bad.push_back(future);
  bad.push_back(Msg(MessageType::kApp, 0, 1, 2));             // no sender
  bad.push_back(Msg(MessageType::kApp, 2, 7, 2));             // not for us
  bad.push_back(Msg(MessageType::kPersisted, 2, 1, 2));       // local type from a peer
  bad.push_back(Msg(static_cast<MessageType>(99), 2, 1, 2));  // unknown
  Message snap = Msg(MessageType::kSnap, 2, 1, 2);            // chunk beyond its snapshot
  SnapshotChunk c;
  c.metadata.index = 9;
  c.metadata.term = 2;
  c.total_bytes = 3;
  c.offset = 2;
  c.data = Payload("abc");
  snap.snapshot = c;
  bad.push_back(snap);
  bad.push_back(Msg(MessageType::kSnap, 2, 1, 2));  // no chunk
  for (Message& m : bad) {
    Status st = s.node->Step(m);
    CHECK(st.reason() == "RAFT_MESSAGE_INVALID");
  }
  CHECK(s.node->term() == 1);
  CHECK(s.node->last_index() == 2);
  CHECK(s.node->failure().ok());
}

TEST_CASE("restart recovers term, vote, log and commit index", "[raft]") {
  Network net(3);
  net.Elect(1);
  net.Propose(1, "a");
  net.Propose(1, "b");
  const HardState before = net.node(2).hard_state();
  const std::uint64_t last = net.node(2).last_index();
  net.Crash(2);
  net.Restart(2);
  CHECK(net.node(2).hard_state() == before);
  CHECK(net.node(2).last_index() == last);
  CHECK(net.node(2).role() == Role::kFollower);
  net.Propose(1, "c");
  CHECK(net.node(2).commit_index() == net.node(1).commit_index());
}

TEST_CASE("a single-voter cluster elects itself and commits once its own write is durable",
          "[raft]") {
  Network net(1);
  net.Elect(1);
  CHECK(net.node(1).role() == Role::kLeader);
  net.Propose(1, "solo");
  CHECK(net.peer(1).applied.back().data.ToString() == "solo");
}

TEST_CASE("Config::Validate names what is wrong", "[raft]") {
  MemoryLogStorage st;
  SeededRandom r(1);
  Config c = TestConfig(1, &st, &r);
  REQUIRE(c.Validate().ok());
  Config bad = c;
  bad.id = 0;
  CHECK(bad.Validate().reason() == "RAFT_CONFIG_INVALID");
  bad = c;
  bad.election_tick = 1;
  CHECK(!bad.Validate().ok());
  bad = c;
  bad.max_size_per_msg = limits::kMaxMsgBytesLimit + 1;
  CHECK(!bad.Validate().ok());
  bad = c;
  bad.storage = nullptr;
  CHECK(!RawNode::Create(bad).ok());
}

}  // namespace
}  // namespace pledger::consensus::testnet
