// One test per rule of the Raft paper (Ongaro & Ousterhout, "In Search of an
// Understandable Consensus Algorithm", sections 5.1-5.4, 6 and 7), named after
// the rule. Where our design departs from the paper (section 6: one server
// at a time with learners instead of joint consensus), the test names the
// rule we enforce instead; docs/consensus.md explains why.
#include <catch2/catch.hpp>

#include <set>

#include "consensus/codec.h"
#include "tests/unit/consensus/test_helpers.h"
#include "tests/unit/consensus/test_network.h"

namespace pledger::consensus::testnet {
namespace {

const std::vector<std::uint64_t> kThree = {1, 2, 3};
const std::vector<std::uint64_t> kFive = {1, 2, 3, 4, 5};

std::vector<std::uint64_t> TermsOf(const MemoryLogStorage& s) {
  std::vector<std::uint64_t> t;
  for (std::uint64_t i = s.FirstIndex(); i <= s.LastIndex(); ++i) t.push_back(*s.Term(i));
  return t;
}

// ------------------------------------------------------------------ 5.1

TEST_CASE("5.1 servers start as followers", "[paper]") {
  Solo s(1, kThree, {1, 1}, HardState{3, 0, 0});
  CHECK(s.node->role() == Role::kFollower);
  CHECK(s.node->term() == 3);
  CHECK(s.node->leader_id() == 0);
}

TEST_CASE("5.1 a server that sees a higher term adopts it and reverts to follower", "[paper]") {
  SECTION("follower") {
    Solo s(1, kThree, {1});
    s.Step(Msg(MessageType::kHeartbeat, 2, 1, 5));
    CHECK(s.node->term() == 5);
    CHECK(s.node->role() == Role::kFollower);
    CHECK(s.node->leader_id() == 2);
  }
  SECTION("candidate") {
    Solo s(1, kThree, {1});
    REQUIRE(s.node->Campaign().ok());
    s.Drain();
    REQUIRE(s.node->role() == Role::kCandidate);
    s.Step(Msg(MessageType::kApp, 2, 1, 9));
    CHECK(s.node->term() == 9);
    CHECK(s.node->role() == Role::kFollower);
  }
  SECTION("leader") {
    Solo s(1, kThree, {1});
    s.BecomeLeader({2});
    REQUIRE(s.node->role() == Role::kLeader);
    s.Step(Msg(MessageType::kAppResp, 3, 1, 7));
    CHECK(s.node->term() == 7);
    CHECK(s.node->role() == Role::kFollower);
  }
}

TEST_CASE("5.1 a server rejects requests with a stale term", "[paper]") {
  Solo s(1, kThree, {1, 2}, HardState{3, 0, 0});
  Message app = Msg(MessageType::kApp, 2, 1, 2);
  app.index = 2;
  app.log_term = 2;
  app.entries = Ents(3, {2});
  s.Step(app);
  CHECK(s.storage->LastIndex() == 2);
  CHECK(s.node->term() == 3);
  CHECK(s.node->leader_id() == 0);
}

// ------------------------------------------------------------------ 5.2

TEST_CASE("5.2 a follower that hears nothing for an election timeout becomes candidate and votes for itself",
          "[paper]") {
  Solo s(1, kThree, {1, 1}, HardState{1, 0, 0});
  auto out = s.Tick(20);  // at least 2 * election_tick
  CHECK(s.node->role() == Role::kCandidate);
  CHECK(s.node->term() == 2);
  CHECK(s.node->hard_state().vote == 1);
  auto votes = OfType(out, MessageType::kVote);
  REQUIRE(votes.size() == 2);
  std::set<std::uint64_t> to;
  for (const Message& m : votes) {
    to.insert(m.to);
    CHECK(m.term == 2);
    CHECK(m.index == 2);
    CHECK(m.log_term == 1);
  }
  CHECK(to == std::set<std::uint64_t>{2, 3});
}

TEST_CASE("5.2 a candidate whose election times out starts a new one in a higher term", "[paper]") {
  Solo s(1, kThree, {1});
  REQUIRE(s.node->Campaign().ok());
  s.Drain();
  const std::uint64_t t = s.node->term();
  s.Tick(20);
  CHECK(s.node->role() == Role::kCandidate);
  CHECK(s.node->term() == t + 1);
}

TEST_CASE("5.2 a candidate wins with votes from a majority of the voters", "[paper]") {
  struct Row {
    std::vector<std::uint64_t> voters;
    std::vector<std::uint64_t> grant;
    std::vector<std::uint64_t> reject;
    Role want;
  };
  const std::vector<Row> rows = {
      {{1}, {}, {}, Role::kLeader},
      {{1, 2, 3}, {2, 3}, {}, Role::kLeader},
      {{1, 2, 3}, {2}, {}, Role::kLeader},
      {{1, 2, 3, 4, 5}, {2, 3, 4, 5}, {}, Role::kLeader},
      {{1, 2, 3, 4, 5}, {2, 3}, {}, Role::kLeader},
      {{1, 2, 3, 4, 5}, {2}, {}, Role::kCandidate},
      {{1, 2, 3}, {}, {2}, Role::kCandidate},
      {{1, 2, 3}, {}, {2, 3}, Role::kFollower},  // lost: steps down
      {{1, 2, 3, 4, 5}, {2}, {3, 4, 5}, Role::kFollower},
  };
  for (const Row& r : rows) {
    Solo s(1, r.voters, {1});
    REQUIRE(s.node->Campaign().ok());
    s.Drain();
    for (std::uint64_t g : r.grant) s.Step(Msg(MessageType::kVoteResp, g, 1, s.node->term()));
    for (std::uint64_t g : r.reject) {
      Message m = Msg(MessageType::kVoteResp, g, 1, s.node->term());
      m.reject = true;
      s.Step(m);
    }
    CHECK(s.node->role() == r.want);
  }
}

TEST_CASE("5.2 each server votes for at most one candidate per term, first come first served",
          "[paper]") {
  Solo s(1, kThree, {1}, HardState{1, 0, 0});
  auto vote = [&](std::uint64_t from) {
    Message m = Msg(MessageType::kVote, from, 1, 2);
    m.index = 1;
    m.log_term = 1;
    auto out = OfType(s.Step(m), MessageType::kVoteResp);
    REQUIRE(out.size() == 1);
    return !out[0].reject;
  };
  CHECK(vote(2));
  CHECK(s.node->hard_state().vote == 2);
  CHECK_FALSE(vote(3));  // already voted for 2 in term 2
  CHECK(vote(2));        // a retried request from the same candidate
}

TEST_CASE("5.2 a candidate steps down when a leader of its term appears", "[paper]") {
  for (MessageType t : {MessageType::kApp, MessageType::kHeartbeat}) {
    Solo s(1, kThree, {1});
    REQUIRE(s.node->Campaign().ok());
    s.Drain();
    Message m = Msg(t, 2, 1, s.node->term());
    m.index = 1;
    m.log_term = 1;
    s.Step(m);
    CHECK(s.node->role() == Role::kFollower);
    CHECK(s.node->leader_id() == 2);
  }
}

TEST_CASE("5.2 election timeouts are randomized between election_tick and twice that", "[paper]") {
  std::set<int> seen;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    Solo s(1, kThree, {1}, {}, {}, seed);
    int ticks = 0;
    while (s.node->role() == Role::kFollower && ticks < 100) {
      s.node->Tick();
      s.Drain();
      ++ticks;
    }
    CHECK(ticks >= 10);
    CHECK(ticks < 20);
    seen.insert(ticks);
  }
  CHECK(seen.size() >= 5);  // really spread, so split votes resolve
}

TEST_CASE("5.2 a leader sends heartbeats to every peer each heartbeat interval", "[paper]") {
  Solo s(1, kThree, {1});
  s.BecomeLeader({2});
  auto out = OfType(s.Tick(1), MessageType::kHeartbeat);
  REQUIRE(out.size() == 2);
  for (const Message& m : out) {
    CHECK(m.term == s.node->term());
    CHECK(m.commit == 0);  // never beyond what the follower is known to hold
  }
}

TEST_CASE("5.2 Election Safety: at most one leader can be elected in a given term", "[paper]") {
  // Five nodes campaign at once, repeatedly, with links cut at random.
  Network net(5);
  SeededRandom rng(7);
  std::map<std::uint64_t, std::set<std::uint64_t>> leaders;
  for (int round = 0; round < 40; ++round) {
    net.Heal();
    for (int k = 0; k < 3; ++k) net.Cut(1 + rng.Uniform(5), 1 + rng.Uniform(5));
    for (std::uint64_t id : net.ids()) (void)net.node(id).Campaign();
    net.Stabilize();
    for (std::uint64_t id : net.ids()) {
      if (net.node(id).role() == Role::kLeader) leaders[net.node(id).term()].insert(id);
    }
  }
  for (const auto& [term, ids] : leaders) CHECK(ids.size() == 1);
}

// ------------------------------------------------------------------ 5.3

TEST_CASE("5.3 a leader appends a proposal to its log and replicates it to the followers",
          "[paper]") {
  Network net(3);
  net.Elect(1);
  net.Propose(1, "hello");
  for (std::uint64_t id : {1, 2, 3}) {
    const MemoryLogStorage& st = *net.peer(id).storage;
    auto e = st.Entries(st.LastIndex(), st.LastIndex() + 1, UINT64_MAX);
    REQUIRE(e.ok());
    CHECK(e->front().data.ToString() == "hello");
    CHECK(e->front().term == net.node(1).term());
  }
}

TEST_CASE("5.3 an entry is committed once a majority stores it", "[paper]") {
  struct Row {
    std::vector<std::uint64_t> voters;
    std::vector<std::uint64_t> acks;
    bool committed;
  };
  const std::vector<Row> rows = {
      {{1}, {}, true},
      {{1, 2, 3}, {}, false},
      {{1, 2, 3}, {2}, true},
      {{1, 2, 3, 4, 5}, {2}, false},
      {{1, 2, 3, 4, 5}, {2, 3}, true},
  };
  for (const Row& r : rows) {
    Solo s(1, r.voters, {});
    std::vector<std::uint64_t> granters(r.voters.begin() + 1, r.voters.end());
    s.BecomeLeader(granters);
    REQUIRE(s.node->role() == Role::kLeader);
    EntryId id;
    REQUIRE(s.node->Propose("x", &id).ok());
    s.Drain();
    for (std::uint64_t a : r.acks) {
      Message m = Msg(MessageType::kAppResp, a, 1, s.node->term());
      m.index = id.index;
      s.Step(m);
    }
    CHECK((s.node->commit_index() >= id.index) == r.committed);
    if (r.committed) {
      REQUIRE(!s.applied.empty());
      CHECK(s.applied.back().index == id.index);
    }
  }
}

TEST_CASE("5.3 committing an entry also commits every preceding entry, old terms included",
          "[paper]") {
  Solo s(1, kThree, {1, 2, 2}, HardState{2, 0, 0});
  s.BecomeLeader({2});  // term 3, no-op at 4
  Message m = Msg(MessageType::kAppResp, 2, 1, 3);
  m.index = 4;
  s.Step(m);
  CHECK(s.node->commit_index() == 4);
  REQUIRE(s.applied.size() == 4);
  for (std::uint64_t i = 0; i < 4; ++i) CHECK(s.applied[i].index == i + 1);
}

TEST_CASE("5.3 a follower applies the entries its leader reports committed, in log order",
          "[paper]") {
  Solo s(1, kThree, {});
  Message m = Msg(MessageType::kApp, 2, 1, 1);
  m.entries = Ents(1, {1, 1, 1});
  m.commit = 2;
  s.Step(m);
  REQUIRE(s.applied.size() == 2);
  CHECK(s.applied[0].index == 1);
  CHECK(s.applied[1].index == 2);
  Message hb = Msg(MessageType::kHeartbeat, 2, 1, 1);
  hb.commit = 3;
  s.Step(hb);
  REQUIRE(s.applied.size() == 3);
  CHECK(s.applied[2].index == 3);
}

TEST_CASE("5.3 AppendEntries consistency check: a follower refuses entries whose predecessor it lacks",
          "[paper]") {
  struct Row {
    std::uint64_t prev_index, prev_term;
    bool reject;
  };
  const std::vector<Row> rows = {
      {0, 0, false},  // the start of the log always matches
      {1, 1, false},
      {2, 2, false},
      {2, 1, true},   // term mismatch
      {3, 3, true},   // beyond our log
  };
  for (const Row& r : rows) {
    Solo s(1, kThree, {1, 2}, HardState{2, 0, 0});
    Message m = Msg(MessageType::kApp, 2, 1, 2);
    m.index = r.prev_index;
    m.log_term = r.prev_term;
    auto out = OfType(s.Step(m), MessageType::kAppResp);
    REQUIRE(out.size() == 1);
    CHECK(out[0].reject == r.reject);
  }
}

TEST_CASE("5.3 a follower deletes a conflicting entry and all that follow it, then appends",
          "[paper]") {
  struct Row {
    std::uint64_t prev_index, prev_term;
    std::vector<std::uint64_t> ents;  // terms, from prev_index + 1
    std::vector<std::uint64_t> want;  // the follower's log terms after
  };
  const std::vector<Row> rows = {
      {2, 2, {3}, {1, 2, 3}},
      {1, 1, {3, 4}, {1, 3, 4}},
      {0, 0, {1}, {1, 2}},      // already there: nothing deleted
      {0, 0, {3}, {3}},
  };
  for (const Row& r : rows) {
    Solo s(1, kThree, {1, 2}, HardState{2, 0, 0});
    Message m = Msg(MessageType::kApp, 2, 1, 4);
    m.index = r.prev_index;
    m.log_term = r.prev_term;
    m.entries = Ents(r.prev_index + 1, r.ents);
    s.Step(m);
    CHECK(TermsOf(*s.storage) == r.want);
  }
}

TEST_CASE("5.3 Figure 7: a new leader brings every follower's log into agreement with its own",
          "[paper]") {
  const std::vector<std::uint64_t> leader_log = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  const std::vector<std::vector<std::uint64_t>> followers = {
      {1, 1, 1, 4, 4, 5, 5, 6, 6},           // (a) missing an entry
      {1, 1, 1, 4},                          // (b) missing many
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},     // (c) an extra uncommitted entry
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},  // (d) extra entries of a later term
      {1, 1, 1, 4, 4, 4, 4},                 // (e) missing and extra
      {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},     // (f) a different history
  };
  for (const auto& f : followers) {
    std::map<std::uint64_t, std::unique_ptr<MemoryLogStorage>> st;
    st[1] = StorageWithLog(kThree, leader_log, HardState{7, 0, 0});
    st[2] = StorageWithLog(kThree, f, HardState{7, 0, 0});
    st[3] = StorageWithLog(kThree, leader_log, HardState{7, 0, 0});
    Network net(std::move(st));
    net.Elect(1);
    REQUIRE(net.node(1).role() == Role::kLeader);
    const auto want = TermsOf(*net.peer(1).storage);
    CHECK(want.size() == leader_log.size() + 1);  // + the term-8 no-op
    CHECK(TermsOf(*net.peer(2).storage) == want);
  }
}

TEST_CASE("5.3 a leader never overwrites or deletes entries in its own log", "[paper]") {
  Solo s(1, kThree, {1, 2}, HardState{2, 0, 0});
  s.BecomeLeader({2});
  const auto before = s.LogTerms();
  // A message from a deposed leader of an older term, with other entries.
  Message m = Msg(MessageType::kApp, 3, 1, 2);
  m.index = 1;
  m.log_term = 1;
  m.entries = Ents(2, {2, 2, 2});
  s.Step(m);
  CHECK(s.LogTerms() == before);
  CHECK(s.node->role() == Role::kLeader);
}

// ------------------------------------------------------------------ 5.4

TEST_CASE("5.4.1 a voter denies its vote to a candidate whose log is less up to date", "[paper]") {
  struct Row {
    std::vector<std::uint64_t> log;  // voter's log terms
    std::uint64_t cand_index, cand_term;
    bool granted;
  };
  const std::vector<Row> rows = {
      {{1, 1}, 2, 1, true},   // same
      {{1, 1}, 1, 1, false},  // shorter, same last term
      {{1, 1}, 3, 1, true},   // longer
      {{1, 1}, 1, 2, true},   // later last term wins over length
      {{2, 2}, 5, 1, false},  // earlier last term loses despite length
      {{1, 2}, 2, 2, true},
  };
  for (const Row& r : rows) {
    Solo s(1, kThree, r.log, HardState{2, 0, 0});
    Message m = Msg(MessageType::kVote, 2, 1, 3);
    m.index = r.cand_index;
    m.log_term = r.cand_term;
    auto out = OfType(s.Step(m), MessageType::kVoteResp);
    REQUIRE(out.size() == 1);
    CHECK(!out[0].reject == r.granted);
  }
}

TEST_CASE("5.4.2 Figure 8: a leader commits an old-term entry only by committing one of its own term",
          "[paper]") {
  // Leader of term 3 with an entry of term 2 at index 2 that a majority has.
  Solo s(1, kThree, {1, 2}, HardState{2, 0, 1});
  s.BecomeLeader({2});  // term 3, no-op at index 3
  REQUIRE(s.node->term() == 3);
  Message ack2 = Msg(MessageType::kAppResp, 2, 1, 3);
  ack2.index = 2;
  s.Step(ack2);
  CHECK(s.node->commit_index() == 1);  // counting replicas of index 2 is not enough
  Message ack3 = Msg(MessageType::kAppResp, 2, 1, 3);
  ack3.index = 3;
  s.Step(ack3);
  CHECK(s.node->commit_index() == 3);  // the term-3 no-op commits, and index 2 with it
}

TEST_CASE("5.4.3 Leader Completeness: every committed entry is in the log of every later leader",
          "[paper]") {
  Network net(5);
  net.Elect(1);
  net.Propose(1, "committed");
  const std::uint64_t idx = net.node(1).commit_index();
  // Node 5 missed the entry (crashed with it lost); the rest stay.
  net.Crash(1);
  net.Isolate(5);
  net.TickAll(30);
  net.Heal();
  // Whoever leads now (not 5, whose log is behind) has the entry.
  net.TickAll(30);
  const std::uint64_t l = net.leader();
  REQUIRE(l != 0);
  auto e = net.peer(l).storage->Entries(idx, idx + 1, UINT64_MAX);
  REQUIRE(e.ok());
  CHECK(e->front().data.ToString() == "committed");
}

TEST_CASE("5.5 RPCs are idempotent: a duplicated AppendEntries changes nothing", "[paper]") {
  Solo s(1, kThree, {});
  Message m = Msg(MessageType::kApp, 2, 1, 1);
  m.entries = Ents(1, {1, 1});
  m.commit = 1;
  s.Step(m);
  const auto terms = s.LogTerms();
  const auto applied = s.applied.size();
  auto out = OfType(s.Step(m), MessageType::kAppResp);
  CHECK(s.LogTerms() == terms);
  CHECK(s.applied.size() == applied);
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].reject);
  CHECK(out[0].index >= 1);
}

// --------------------------------------------------------------------- 6

ConfChange Change(ConfChangeType t, std::uint64_t id) { return ConfChange{t, id, "addr"}; }

TEST_CASE("6 a new server joins as a learner: it replicates the log but neither votes nor counts",
          "[paper]") {
  Network net(3);
  net.Elect(1);
  net.AddEmptyNode(4);
  REQUIRE(net.node(1).ProposeConfChange(Change(ConfChangeType::kAddLearner, 4)).ok());
  net.Stabilize();
  net.Propose(1, "data");
  CHECK(net.node(4).role() == Role::kLearner);
  CHECK(net.node(4).commit_index() == net.node(1).commit_index());
  CHECK(net.node(1).conf_state().learners == std::vector<std::uint64_t>{4});
  // It does not count: with 2 and 3 gone, nothing commits.
  net.Isolate(2);
  net.Isolate(3);
  const std::uint64_t c = net.node(1).commit_index();
  REQUIRE(net.node(1).Propose("stuck").ok());
  net.Stabilize();
  CHECK(net.node(1).commit_index() == c);
  // And it never campaigns.
  net.Isolate(1);
  net.Tick(4, 50);
  CHECK(net.node(4).role() == Role::kLearner);
}

TEST_CASE("6 a caught-up learner is promoted to voter, and then counts towards quorums", "[paper]") {
  Network net(3);
  net.Elect(1);
  net.AddEmptyNode(4);
  REQUIRE(net.node(1).ProposeConfChange(Change(ConfChangeType::kAddLearner, 4)).ok());
  net.Stabilize();
  CHECK(net.node(1).ProposeConfChange(Change(ConfChangeType::kAddVoter, 5)).reason() ==
        "CONF_CHANGE_NOT_LEARNER");
  REQUIRE(net.node(1).ProposeConfChange(Change(ConfChangeType::kAddVoter, 4)).ok());
  net.Stabilize();
  CHECK(net.node(4).role() == Role::kFollower);
  CHECK(net.node(1).conf_state().voters == std::vector<std::uint64_t>{1, 2, 3, 4});
  // Quorum is now 3 of 4: with 2 and 3 cut off, 1 and 4 cannot commit.
  net.Isolate(2);
  net.Isolate(3);
  const std::uint64_t c = net.node(1).commit_index();
  REQUIRE(net.node(1).Propose("x").ok());
  net.Stabilize();
  CHECK(net.node(1).commit_index() == c);
  net.Heal();
  net.TickAll(2);
  CHECK(net.node(1).commit_index() > c);
}

TEST_CASE("6 a configuration takes effect when appended and is rolled back when truncated",
          "[paper]") {
  Solo s(1, kThree, {1}, HardState{1, 0, 1});
  // Leader 2 (term 2) appends "add learner 4" at index 2, uncommitted.
  Message m = Msg(MessageType::kApp, 2, 1, 2);
  m.index = 1;
  m.log_term = 1;
  Entry cc;
  cc.index = 2;
  cc.term = 2;
  cc.type = EntryType::kConfChange;
  cc.data = Payload(EncodeConfChange(Change(ConfChangeType::kAddLearner, 4)));
  m.entries = {cc};
  s.Step(m);
  CHECK(s.node->conf_state().learners == std::vector<std::uint64_t>{4});
  // Leader 3 of term 3 overwrites index 2: the change is undone.
  Message m3 = Msg(MessageType::kApp, 3, 1, 3);
  m3.index = 1;
  m3.log_term = 1;
  m3.entries = Ents(2, {3});
  s.Step(m3);
  CHECK(s.node->conf_state().learners.empty());
  CHECK(s.node->conf_state().voters == kThree);
}

TEST_CASE("6 one membership change at a time, and only after the leader committed in its term",
          "[paper]") {
  Solo s(1, kThree, {1}, HardState{1, 0, 1});
  s.BecomeLeader({2});
  CHECK(s.node->ProposeConfChange(Change(ConfChangeType::kAddLearner, 4)).reason() ==
        "CONF_CHANGE_LEADER_NOT_READY");
  Message ack = Msg(MessageType::kAppResp, 2, 1, s.node->term());
  ack.index = 2;
  s.Step(ack);  // the no-op commits
  REQUIRE(s.node->ProposeConfChange(Change(ConfChangeType::kAddLearner, 4)).ok());
  CHECK(s.node->ProposeConfChange(Change(ConfChangeType::kAddLearner, 5)).reason() ==
        "CONF_CHANGE_PENDING");
  CHECK(s.node->ProposeConfChange(Change(ConfChangeType::kRemoveNode, 1)).reason() ==
        "CONF_CHANGE_PENDING");
}

TEST_CASE("6 the leader cannot remove or demote itself but transfers leadership first", "[paper]") {
  Network net(3);
  net.Elect(1);
  CHECK(net.node(1).ProposeConfChange(Change(ConfChangeType::kRemoveNode, 1)).reason() ==
        "CONF_CHANGE_REMOVES_LEADER");
  REQUIRE(net.node(1).TransferLeadership(2).ok());
  net.Stabilize();
  REQUIRE(net.node(2).role() == Role::kLeader);
  REQUIRE(net.node(2).ProposeConfChange(Change(ConfChangeType::kRemoveNode, 1)).ok());
  net.Stabilize();
  CHECK(net.node(2).conf_state().voters == std::vector<std::uint64_t>{2, 3});
  net.Propose(2, "after");
  CHECK(net.node(3).commit_index() == net.node(2).commit_index());
}

TEST_CASE("6 a removed server does not disrupt the cluster (pre-vote and leader lease)", "[paper]") {
  Network net(3, [](Config* c) {
    c->pre_vote = true;
    c->check_quorum = true;
  });
  net.Elect(1);
  net.Isolate(3);  // 3 never hears of its removal
  REQUIRE(net.node(1).ProposeConfChange(Change(ConfChangeType::kRemoveNode, 3)).ok());
  net.Stabilize();
  const std::uint64_t term = net.node(1).term();
  net.Heal();
  net.TickAll(100);  // 3 times out again and again
  CHECK(net.node(1).role() == Role::kLeader);
  CHECK(net.node(1).term() == term);
}

// --------------------------------------------------------------------- 7

TEST_CASE("7 a follower behind the compacted log receives a chunked snapshot and catches up",
          "[paper]") {
  Network net(3, [](Config* c) {
    c->snapshot_chunk_bytes = 7;
    c->snapshot_chunks_in_flight = 2;
  });
  net.Elect(1);
  net.Isolate(3);
  for (int i = 0; i < 20; ++i) net.Propose(1, "v" + std::to_string(i));
  const std::uint64_t applied = net.node(1).applied_index();
  MemoryLogStorage& st = *net.peer(1).storage;
  REQUIRE(st.CreateSnapshot(applied, *net.node(1).ConfStateAt(applied),
                            Payload("application state at " + std::to_string(applied)))
              .ok());
  REQUIRE(st.Compact(applied).ok());
  net.Heal();
  net.TickAll(3);
  const Peer& p3 = net.peer(3);
  REQUIRE(p3.installed.size() == 1);
  CHECK(p3.installed[0].metadata.index == applied);
  CHECK(p3.installed[0].data.ToString() == "application state at " + std::to_string(applied));
  std::size_t chunks = 0;
  for (const Message& m : net.sent) chunks += m.type == MessageType::kSnap && m.to == 3;
  CHECK(chunks >= 4);  // really chunked
  net.Propose(1, "after");
  CHECK(net.node(3).commit_index() == net.node(1).commit_index());
  CHECK(net.node(3).applied_index() == net.node(1).applied_index());
}

TEST_CASE("7 a snapshot replaces a conflicting log, and one that matches the log only moves commit",
          "[paper]") {
  auto chunk = [](std::uint64_t index, std::uint64_t term) {
    Message m = Msg(MessageType::kSnap, 2, 1, 5);
    SnapshotChunk c;
    c.metadata.index = index;
    c.metadata.term = term;
    c.metadata.conf_state.voters = kThree;
    c.data = Payload("state");
    c.total_bytes = 5;
    m.snapshot = c;
    return m;
  };
  SECTION("conflicting: log discarded") {
    Solo s(1, kThree, {1, 1, 1}, HardState{1, 0, 0});
    s.Step(chunk(5, 3));
    CHECK(s.storage->FirstIndex() == 6);
    CHECK(s.storage->LastIndex() == 5);
    CHECK(s.node->commit_index() == 5);
  }
  SECTION("matching prefix: entries kept") {
    Solo s(1, kThree, {1, 1, 1, 1}, HardState{1, 0, 0});
    s.Step(chunk(2, 1));
    CHECK(s.storage->LastIndex() == 4);
    CHECK(s.node->commit_index() == 2);
  }
}

}  // namespace
}  // namespace pledger::consensus::testnet
