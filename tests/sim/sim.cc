#include "tests/sim/sim.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "consensus/codec.h"
#include "consensus/random.h"
#include "consensus/raw_node.h"
#include "consensus/storage.h"
#include "tests/sim/bug_injector.h"

namespace pledger::sim {

using namespace consensus;  // NOLINT: test code over one namespace

namespace {

// ------------------------------------------------------------- hashing

std::uint64_t Mix(std::uint64_t h, std::uint64_t v) {
  std::uint64_t s = h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
  return SplitMix64(&s);
}

std::uint64_t HashBytes(std::string_view b) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : b) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// Chain hash over a log prefix: equal chains at index i <=> equal prefixes
// (up to hash collisions) — the Log Matching and State Machine Safety checks
// compare these.
std::uint64_t ChainStep(std::uint64_t prev, const Entry& e) {
  return Mix(Mix(Mix(prev, e.term), static_cast<std::uint64_t>(e.type)), HashBytes(e.data.view()));
}

// Little-endian u64 at `off`, 0 when `d` is too short.
std::uint64_t LoadU64(std::string_view d, std::size_t off) {
  std::uint64_t v = 0;
  if (d.size() < off + 8) return 0;
  for (std::size_t i = 0; i < 8; ++i) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(d[off + i])) << (8 * i);
  }
  return v;
}

void StoreU64(std::string* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// --------------------------------------------------------------- storage

// A MutableLogStorage that models power loss: writes are visible at once but
// durable only after a sync; a crash keeps the durable state plus a random
// prefix of the unsynced writes (a sequential write-ahead log may have
// reached the disk partly).
class SimStorage final : public MutableLogStorage {
 public:
  Result<InitialState> GetInitialState() const override { return visible_.GetInitialState(); }
  Result<std::vector<Entry>> Entries(std::uint64_t lo, std::uint64_t hi,
                                     std::uint64_t max_bytes) const override {
    return visible_.Entries(lo, hi, max_bytes);
  }
  Result<std::uint64_t> Term(std::uint64_t i) const override { return visible_.Term(i); }
  std::uint64_t FirstIndex() const override { return visible_.FirstIndex(); }
  std::uint64_t LastIndex() const override { return visible_.LastIndex(); }
  Result<Snapshot> GetSnapshot() const override { return visible_.GetSnapshot(); }
  Result<std::vector<Entry>> ConfEntries(std::uint64_t lo, std::uint64_t hi) const override {
    return visible_.ConfEntries(lo, hi);
  }

  Status Write(const HardState* hs, const Snapshot* snap, std::span<const Entry> entries,
               bool sync) override {
    Op op;
    op.kind = Op::kWrite;
    if (hs) op.hs = *hs;
    if (snap) op.snap = *snap;
    op.entries.assign(entries.begin(), entries.end());
    PLEDGER_RETURN_IF_ERROR(ApplyOp(&visible_, op));
    pending_.push_back(std::move(op));
    return sync ? Sync() : Status::OK();
  }
  Status Sync() override {
    for (const Op& op : pending_) PLEDGER_RETURN_IF_ERROR(ApplyOp(&durable_, op));
    pending_.clear();
    return Status::OK();
  }
  Status CreateSnapshot(std::uint64_t index, const ConfState& cs, Payload data) override {
    Op op;
    op.kind = Op::kCreateSnapshot;
    op.index = index;
    op.cs = cs;
    op.data = std::move(data);
    PLEDGER_RETURN_IF_ERROR(ApplyOp(&visible_, op));
    pending_.push_back(std::move(op));
    return Status::OK();
  }
  Status Compact(std::uint64_t index) override {
    Op op;
    op.kind = Op::kCompact;
    op.index = index;
    PLEDGER_RETURN_IF_ERROR(ApplyOp(&visible_, op));
    pending_.push_back(std::move(op));
    return Status::OK();
  }

  // Power loss: keep a random prefix of the unsynced writes.
  std::size_t Crash(Random* rng) {
    const std::size_t keep = static_cast<std::size_t>(rng->Uniform(pending_.size() + 1));
    for (std::size_t i = 0; i < keep; ++i) (void)ApplyOp(&durable_, pending_[i]);
    const std::size_t lost = pending_.size() - keep;
    pending_.clear();
    visible_ = durable_;
    return lost;
  }
  const MemoryLogStorage& durable() const { return durable_; }
  bool has_unsynced() const { return !pending_.empty(); }

 private:
  struct Op {
    enum Kind { kWrite, kCreateSnapshot, kCompact } kind = kWrite;
    std::optional<HardState> hs;
    std::optional<Snapshot> snap;
    std::vector<Entry> entries;
    std::uint64_t index = 0;
    ConfState cs;
    Payload data;
  };
  static Status ApplyOp(MemoryLogStorage* s, const Op& op) {
    switch (op.kind) {
      case Op::kWrite:
        return s->Write(op.hs ? &*op.hs : nullptr, op.snap ? &*op.snap : nullptr, op.entries,
                        false);
      case Op::kCreateSnapshot: return s->CreateSnapshot(op.index, op.cs, op.data);
      case Op::kCompact: return s->Compact(op.index);
    }
    return Status::OK();
  }

  MemoryLogStorage visible_;
  MemoryLogStorage durable_;
  std::vector<Op> pending_;
};

// ------------------------------------------------------------------ trace

struct TraceEvent {
  std::uint64_t slot = 0;
  bool is_msg = false;
  std::string text;  // non-message events
  // message events
  char verb = ' ';  // '>' delivered, 'x' dropped, '2' duplicated
  MessageType type = MessageType::kApp;
  std::uint64_t from = 0, to = 0, term = 0, index = 0, log_term = 0, commit = 0;
  std::uint64_t first = 0, last = 0;
  bool reject = false;
};

constexpr int kSlotsPerTick = 8;  // network time resolution: 1/8 tick

// -------------------------------------------------------------- scenario

struct Scenario {
  int voters = 3;
  double faults = 0.5;
  int election_tick = 10;
  int heartbeat_tick = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  std::uint64_t max_size_per_msg = 1024;
  std::uint32_t max_inflight = 16;
  std::uint64_t chunk_bytes = 64;
  std::uint32_t chunks_in_flight = 2;
  double drop = 0, dup = 0, slow = 0;
  double crash_per_tick = 0, restart_per_tick = 0, partition_per_tick = 0, heal_per_tick = 0;
  // Power loss in the middle of work: after a step, before its sync.
  double crash_per_step = 0;
  double crash_hot = 0;
  // Share of crashes and isolations aimed at the current leader.
  double target_leader = 0.5;
  double request_per_tick = 0.3;
  double conf_change_per_tick = 0.004;
  double sync_now = 0.7;  // probability a Ready is synced at once (else group commit)
  int snapshot_every_min = 20, snapshot_every_max = 150;
};

struct SimNode {
  std::uint64_t id = 0;
  bool exists = false;  // created (founders, or learners once proposed)
  bool up = false;
  bool retired = false;  // removed from the cluster: stays down
  int incarnation = 0;
  std::unique_ptr<SeededRandom> rng;
  std::unique_ptr<SimStorage> storage;
  std::unique_ptr<RawNode> raft;
  std::vector<Message> held;  // persisted_messages waiting for a sync
  // Application (an "echo" state machine: a chain hash of what it applied).
  std::uint64_t applied = 0;
  std::uint64_t app_hash = 0;
  std::uint64_t last_snapshot = 0;
  std::uint64_t snapshot_every = 50;
  // Chain hashes of the log as written to storage: chain[i - chain_base].
  std::uint64_t chain_base = 0;
  std::vector<std::uint64_t> chain{0};
  // What the invariants remember (per incarnation unless noted).
  std::uint64_t seen_term = 0;
  std::uint64_t seen_commit = 0;
  Role seen_role = Role::kFollower;
  std::uint64_t durable_term = 0;  // across incarnations
};

class Cluster {
 public:
  explicit Cluster(const SimOptions& opt) : opt_(opt), rng_(opt.seed) {}

  SimResult Run();

 private:
  // setup
  void ChooseScenario();
  void StartNode(SimNode& n, bool fresh);
  Config MakeConfig(SimNode& n);
  // driving
  void Drive(SimNode& n);
  void SyncNode(SimNode& n);
  void Send(Message m);
  void Deliver(Message m);
  void TickAll();
  void FaultActions();
  void ClientActions();
  void AdminActions();
  void Crash(SimNode& n, const char* why);
  void Restart(SimNode& n);
  void HealAll();
  SimNode* Leader();
  // application
  void Apply(SimNode& n, const Entry& e);
  void InstallSnapshot(SimNode& n, const Snapshot& s);
  void MaybeTakeSnapshot(SimNode& n);
  void WriteChain(SimNode& n, const Ready& rd);
  void RebuildChain(SimNode& n);
  // invariants
  void Check(SimNode& n);
  bool Converged();
  void Violation(const std::string& what);
  // trace
  void Trace(std::string text);
  void TraceMsg(char verb, const Message& m);
  std::string FormatTrace() const;

  SimOptions opt_;
  SeededRandom rng_;
  Scenario sc_;
  std::map<std::uint64_t, SimNode> nodes_;
  std::uint64_t next_node_id_ = 1;

  struct InFlight {
    std::uint64_t at;
    std::uint64_t order;
    // Boxed: the heap moves its elements on every push and pop, and a
    // Message with entries is large (this was a fifth of the simulator's time).
    std::unique_ptr<Message> m;
    bool operator>(const InFlight& o) const {
      return at != o.at ? at > o.at : order > o.order;
    }
  };
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> net_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> blocked_;  // (from, to)

  std::uint64_t slot_ = 0;
  std::uint64_t tick_ = 0;
  bool healing_ = false;
  std::uint64_t steps_ = 0;

  // Invariant state.
  std::map<std::uint64_t, std::uint64_t> leader_of_term_;
  std::vector<std::uint64_t> committed_chain_{0};  // committed_chain_[i], 0 = unknown
  std::vector<bool> committed_known_{true};
  // The term of the node that first saw index i committed (its current term
  // then: the committing leader's, or a follower's that learnt it from that
  // leader). Leader completeness (Raft, Figure 3) binds the leaders of
  // LATER terms only: a stale candidate can still win an older term with
  // votes granted before a newer leader committed anything (seed 14780).
  std::vector<std::uint64_t> commit_term_{0};
  std::uint64_t max_committed_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> entry_chain_;  // (index, term) -> chain

  // Clients.
  struct Request {
    std::uint64_t id;
    std::uint64_t last_try;
    EntryId at;  // where the last accepted proposal of it went
  };
  std::deque<Request> pending_;
  std::uint64_t next_request_ = 1;
  std::uint64_t acked_ = 0;
  std::map<std::uint64_t, std::uint64_t> acked_at_;  // request id -> index

  bool failed_ = false;
  std::string violation_;
  std::deque<TraceEvent> trace_;
  std::uint64_t crashes_ = 0, restarts_ = 0, partitions_ = 0, conf_changes_ = 0,
                snapshots_ = 0, snapshots_installed_ = 0, dropped_ = 0, lost_writes_ = 0;
};

// ------------------------------------------------------------------ setup

void Cluster::ChooseScenario() {
  static const int kSizes[] = {3, 5, 7};
  sc_.voters = opt_.nodes > 0 ? opt_.nodes : kSizes[rng_.Uniform(3)];
  sc_.faults = opt_.faults >= 0 ? opt_.faults : rng_.NextDouble();
  const double f = sc_.faults;
  sc_.election_tick = 8 + static_cast<int>(rng_.Uniform(8));
  sc_.heartbeat_tick = 1 + static_cast<int>(rng_.Uniform(2));
  sc_.pre_vote = !rng_.OneIn(5);
  sc_.check_quorum = !rng_.OneIn(5);
  sc_.max_size_per_msg = 64 + rng_.Uniform(2048);
  sc_.max_inflight = 1 + static_cast<std::uint32_t>(rng_.Uniform(32));
  sc_.chunk_bytes = 16 + rng_.Uniform(256);
  sc_.chunks_in_flight = 1 + static_cast<std::uint32_t>(rng_.Uniform(4));
  sc_.drop = 0.15 * f;
  sc_.dup = 0.05 * f;
  sc_.slow = 0.1 * f;
  sc_.crash_per_tick = 0.004 * f;
  sc_.crash_per_step = 0.0003 * f;
  sc_.crash_hot = 0.05 * f * rng_.NextDouble();
  sc_.restart_per_tick = 0.01 + 0.2 * rng_.NextDouble();
  sc_.target_leader = rng_.NextDouble();
  sc_.partition_per_tick = 0.01 * f;
  sc_.heal_per_tick = 0.02;
  sc_.request_per_tick = 0.1 + 0.4 * rng_.NextDouble();
  sc_.sync_now = rng_.NextDouble();
}

Config Cluster::MakeConfig(SimNode& n) {
  Config c;
  c.id = n.id;
  c.election_tick = sc_.election_tick;
  c.heartbeat_tick = sc_.heartbeat_tick;
  c.pre_vote = sc_.pre_vote;
  c.check_quorum = sc_.check_quorum;
  c.max_size_per_msg = sc_.max_size_per_msg;
  c.max_inflight_msgs = sc_.max_inflight;
  c.snapshot_chunk_bytes = sc_.chunk_bytes;
  c.snapshot_chunks_in_flight = sc_.chunks_in_flight;
  c.max_committed_size_per_ready = 4096;
  c.max_entry_bytes = 1 << 12;
  c.max_uncommitted_bytes = 1 << 16;
  c.applied = n.applied;
  c.random = n.rng.get();
  c.storage = n.storage.get();
  consensus::test::BugInjector::Inject(&c, opt_.bugs);
  return c;
}

void Cluster::StartNode(SimNode& n, bool fresh) {
  std::uint64_t s = opt_.seed ^ (n.id * 0x100000001b3ull) ^ (static_cast<std::uint64_t>(n.incarnation) << 40);
  n.rng = std::make_unique<SeededRandom>(SplitMix64(&s));
  if (fresh) n.storage = std::make_unique<SimStorage>();
  // The application restarts from the durable snapshot (its state is not
  // durable on its own in this model) and re-applies the log.
  n.applied = 0;
  n.app_hash = 0;
  auto snap = n.storage->GetSnapshot();
  if (snap.ok() && !snap->empty()) {
    n.applied = snap->metadata.index;
    n.app_hash = LoadU64(snap->data.view(), 8);
  }
  n.last_snapshot = n.applied;
  n.snapshot_every = static_cast<std::uint64_t>(sc_.snapshot_every_min) +
                     rng_.Uniform(static_cast<std::uint64_t>(sc_.snapshot_every_max - sc_.snapshot_every_min));
  RebuildChain(n);
  auto node = RawNode::Create(MakeConfig(n));
  if (!node.ok()) {
    Violation("node " + std::to_string(n.id) + " failed to start: " + node.status().ToString());
    return;
  }
  n.raft = std::move(node).value();
  n.up = true;
  n.exists = true;
  n.held.clear();
  n.seen_term = n.raft->term();
  n.seen_commit = n.raft->commit_index();
  n.seen_role = n.raft->role();
}

void Cluster::RebuildChain(SimNode& n) {
  // The chain starts at the snapshot, whose hash is the application's; log
  // entries at or below it (kept by a lagging Compact) are not re-hashed.
  const std::uint64_t last = n.storage->LastIndex();
  n.chain_base = n.applied;
  n.chain.assign(1, n.app_hash);
  if (last > n.chain_base) {
    auto ents = n.storage->Entries(n.chain_base + 1, last + 1, UINT64_MAX);
    if (!ents.ok()) {
      Violation("reading the log of node " + std::to_string(n.id) + ": " + ents.status().ToString());
      return;
    }
    for (const Entry& e : *ents) n.chain.push_back(ChainStep(n.chain.back(), e));
  }
}

// ---------------------------------------------------------------- driving

void Cluster::Drive(SimNode& n) {
  while (!failed_ && n.up && n.raft->HasReady()) {
    Ready rd = n.raft->GetReady();
    if (!n.raft->failure().ok()) {
      Violation("node " + std::to_string(n.id) + " failed: " + n.raft->failure().ToString());
      return;
    }
    // 1. Leader traffic may go before the write.
    for (Message& m : rd.messages) Send(std::move(m));
    // 2. The write (unsynced; the sync comes now or later: group commit).
    if (rd.snapshot) InstallSnapshot(n, *rd.snapshot);
    Status s = WriteReady(n.storage.get(), rd, false);
    if (!s.ok()) {
      Violation("node " + std::to_string(n.id) + " storage write: " + s.ToString());
      return;
    }
    WriteChain(n, rd);
    // 3. Apply.
    for (const Entry& e : rd.committed_entries) Apply(n, e);
    n.raft->Advance(rd);
    MaybeTakeSnapshot(n);
    for (Message& m : rd.persisted_messages) n.held.push_back(std::move(m));
    // 5. Sync now, or leave it for a later step.
    if (rng_.NextDouble() < sc_.sync_now) SyncNode(n);
    Check(n);
  }
}

void Cluster::SyncNode(SimNode& n) {
  if (!n.up) return;
  Status s = n.storage->Sync();
  if (!s.ok()) {
    Violation("sync: " + s.ToString());
    return;
  }
  const std::uint64_t t = n.storage->durable().hard_state().term;
  if (t < n.durable_term) {
    Violation("durable term of node " + std::to_string(n.id) + " went back from " +
              std::to_string(n.durable_term) + " to " + std::to_string(t));
  }
  n.durable_term = t;
  std::vector<Message> held;
  held.swap(n.held);
  for (Message& m : held) {
    if (m.to == n.id) {
      Status st = n.raft->Step(std::move(m));
      if (!st.ok()) Violation("stepping PERSISTED: " + st.ToString());
    } else {
      Send(std::move(m));
    }
  }
}

void Cluster::Send(Message m) {
  if (blocked_.count({m.from, m.to}) || (!healing_ && rng_.NextDouble() < sc_.drop)) {
    ++dropped_;
    TraceMsg('x', m);
    return;
  }
  auto delay = [&]() -> std::uint64_t {
    if (!healing_ && rng_.NextDouble() < sc_.slow) {
      return 1 + rng_.Uniform(4 * kSlotsPerTick);  // a slow path: up to 4 ticks
    }
    return 1 + rng_.Uniform(kSlotsPerTick / 2);
  };
  // Now and then, send through the wire codec, so the simulator also
  // exercises encoding and decoding.
  if (rng_.OneIn(64)) {
    auto decoded = DecodeMessage(EncodeMessage(m));
    if (!decoded.ok()) {
      Violation("codec round trip failed: " + decoded.status().ToString());
      return;
    }
    m = std::move(decoded).value();
  }
  if (!healing_ && rng_.NextDouble() < sc_.dup) {
    TraceMsg('2', m);
    net_.push(InFlight{slot_ + delay(), rng_.Next(), std::make_unique<Message>(m)});
  }
  net_.push(InFlight{slot_ + delay(), rng_.Next(), std::make_unique<Message>(std::move(m))});
}

void Cluster::Deliver(Message m) {
  auto it = nodes_.find(m.to);
  if (it == nodes_.end() || !it->second.up) return;
  SimNode& n = it->second;
  TraceMsg('>', m);
  ++steps_;
  const MessageType type = m.type;
  Status s = n.raft->Step(std::move(m));
  if (!s.ok()) {
    Violation("node " + std::to_string(n.id) + " Step: " + s.ToString());
    return;
  }
  const bool hot = type == MessageType::kVote || type == MessageType::kAppResp ||
                   type == MessageType::kVoteResp;
  Drive(n);
  // Crashes land anywhere, but more often right after the hazardous steps
  // (a vote granted, a vote counted, an acknowledgement counted towards a
  // commit), where a lost write or a forgotten vote does damage.
  if (!healing_ && rng_.NextDouble() < (hot ? sc_.crash_hot : sc_.crash_per_step)) {
    Crash(n, "power loss mid-step");
    // Often a supervisor restarts the process at once: the node is back
    // while the election or replication it was part of is still going on.
    if (rng_.OneIn(2)) Restart(n);
  }
}

void Cluster::TickAll() {
  std::vector<SimNode*> order;
  for (auto& [id, n] : nodes_) {
    if (n.up) order.push_back(&n);
  }
  // Random order each tick: no node is always first.
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[rng_.Uniform(i)]);
  }
  for (SimNode* n : order) {
    if (failed_) return;
    if (!n->up) continue;  // retired by an earlier node's apply this tick
    ++steps_;
    n->raft->Tick();
    Drive(*n);
    // Group commit: whatever a node left unsynced is synced by the next tick.
    if (n->up && (n->storage->has_unsynced() || !n->held.empty())) {
      if (rng_.NextDouble() < 0.5) SyncNode(*n);
    }
    Drive(*n);
  }
}

void Cluster::Crash(SimNode& n, const char* why) {
  if (!n.up) return;
  const std::size_t lost = n.storage->Crash(&rng_);
  lost_writes_ += lost;
  n.up = false;
  n.raft.reset();
  n.held.clear();
  ++crashes_;
  Trace(std::string("CRASH n") + std::to_string(n.id) + " (" + why + ", lost " +
        std::to_string(lost) + " unsynced writes)");
}

void Cluster::Restart(SimNode& n) {
  if (n.up || n.retired || !n.exists) return;
  ++n.incarnation;
  ++restarts_;
  StartNode(n, false);
  Trace("RESTART n" + std::to_string(n.id) + " term=" + std::to_string(n.raft ? n.raft->term() : 0) +
        " log=" + std::to_string(n.storage->FirstIndex()) + ".." +
        std::to_string(n.storage->LastIndex()));
}

void Cluster::HealAll() {
  if (!blocked_.empty()) Trace("HEAL all links");
  blocked_.clear();
}

void Cluster::FaultActions() {
  std::vector<SimNode*> live, down;
  for (auto& [id, n] : nodes_) {
    if (n.retired || !n.exists) continue;
    (n.up ? live : down).push_back(&n);
  }
  if (!live.empty() && rng_.NextDouble() < sc_.crash_per_tick) {
    SimNode* leader = Leader();
    Crash(leader != nullptr && rng_.NextDouble() < sc_.target_leader ? *leader
                                                                       : *live[rng_.Uniform(live.size())],
          "fault");
  }
  for (SimNode* n : down) {
    if (rng_.NextDouble() < sc_.restart_per_tick) Restart(*n);
  }
  if (rng_.NextDouble() < sc_.heal_per_tick) HealAll();
  if (rng_.NextDouble() < sc_.partition_per_tick && live.size() >= 2) {
    ++partitions_;
    std::vector<std::uint64_t> ids;
    for (auto& [id, n] : nodes_) {
      if (n.exists && !n.retired) ids.push_back(id);
    }
    switch (rng_.Uniform(3)) {
      case 0: {  // isolate one node, often the leader
        SimNode* leader = Leader();
        std::uint64_t x = leader != nullptr && rng_.NextDouble() < sc_.target_leader
                              ? leader->id
                              : ids[rng_.Uniform(ids.size())];
        for (std::uint64_t y : ids) {
          if (y != x) blocked_.insert({x, y}), blocked_.insert({y, x});
        }
        Trace("PARTITION isolate n" + std::to_string(x));
        break;
      }
      case 1: {  // split in two
        std::set<std::uint64_t> side;
        for (std::uint64_t y : ids) {
          if (rng_.OneIn(2)) side.insert(y);
        }
        std::string desc = "PARTITION split {";
        for (std::uint64_t y : side) desc += " " + std::to_string(y);
        desc += " } | rest";
        for (std::uint64_t a : ids) {
          for (std::uint64_t b : ids) {
            if (side.count(a) != side.count(b)) blocked_.insert({a, b});
          }
        }
        Trace(desc);
        break;
      }
      default: {  // one-way links
        std::string desc = "PARTITION one-way";
        for (int k = 0; k < 2; ++k) {
          std::uint64_t a = ids[rng_.Uniform(ids.size())], b = ids[rng_.Uniform(ids.size())];
          if (a == b) continue;
          blocked_.insert({a, b});
          desc += " " + std::to_string(a) + "-/->" + std::to_string(b);
        }
        Trace(desc);
        break;
      }
    }
  }
}

SimNode* Cluster::Leader() {
  SimNode* best = nullptr;
  for (auto& [id, n] : nodes_) {
    if (n.up && n.raft->role() == Role::kLeader &&
        (best == nullptr || n.raft->term() > best->raft->term())) {
      best = &n;
    }
  }
  return best;
}

void Cluster::ClientActions() {
  const std::size_t kMaxOutstanding = 24;
  const std::uint64_t retry_ticks = static_cast<std::uint64_t>(sc_.election_tick);
  if (!healing_ && pending_.size() < kMaxOutstanding && rng_.NextDouble() < sc_.request_per_tick) {
    pending_.push_back(Request{next_request_++, 0, {}});
  }
  SimNode* leader = Leader();
  if (leader == nullptr) return;
  bool proposed = false;
  for (Request& r : pending_) {
    if (r.last_try != 0 && tick_ - r.last_try < retry_ticks) continue;
    // Like a real client with a request id: re-propose only if the earlier
    // proposal can no longer commit (another term's leader, or its index
    // committed with something else), not merely because it is slow.
    if (r.at.index != 0 && r.at.term == leader->raft->term() &&
        leader->raft->commit_index() < r.at.index) {
      continue;
    }
    r.last_try = tick_;
    std::string data(1, 'r');
    StoreU64(&data, r.id);
    data.append(static_cast<std::size_t>(rng_.Uniform(48)), static_cast<char>('a' + r.id % 26));
    EntryId at;
    Status s = leader->raft->Propose(std::move(data), &at);
    if (s.ok()) {
      proposed = true;
      r.at = at;
      if (opt_.verbose) {
        Trace("PROPOSE r" + std::to_string(r.id) + " at n" + std::to_string(leader->id) +
              " idx " + std::to_string(at.index));
      }
    }
  }
  if (proposed) Drive(*leader);
}

void Cluster::AdminActions() {
  if (healing_ || rng_.NextDouble() >= sc_.conf_change_per_tick) return;
  SimNode* leader = Leader();
  if (leader == nullptr) return;
  const ConfState cs = leader->raft->conf_state();
  std::vector<PeerProgress> prs = leader->raft->Progress();
  ConfChange cc;
  const std::uint64_t r = rng_.Uniform(4);
  if (r == 0 && !cs.learners.empty() && cs.voters.size() < 7) {
    cc.type = ConfChangeType::kAddVoter;
    cc.node_id = cs.learners[rng_.Uniform(cs.learners.size())];
  } else if (r == 1 && cs.voters.size() > 3) {
    cc.type = ConfChangeType::kRemoveNode;
    cc.node_id = cs.voters[rng_.Uniform(cs.voters.size())];
    if (cc.node_id == leader->id) return;
  } else if (r == 2 && cs.learners.size() < 2) {
    cc.type = ConfChangeType::kAddLearner;
    cc.node_id = next_node_id_;
  } else if (r == 3 && !cs.learners.empty()) {
    cc.type = ConfChangeType::kRemoveNode;
    cc.node_id = cs.learners[rng_.Uniform(cs.learners.size())];
  } else {
    return;
  }
  cc.context = "sim";
  Status s = leader->raft->ProposeConfChange(cc);
  Trace("CONF " + std::string(ConfChangeTypeName(cc.type)) + " n" + std::to_string(cc.node_id) +
        " via n" + std::to_string(leader->id) + ": " + (s.ok() ? "proposed" : std::string(s.reason())));
  if (!s.ok()) return;
  ++conf_changes_;
  if (cc.type == ConfChangeType::kAddLearner) {
    SimNode& n = nodes_[next_node_id_];
    n.id = next_node_id_++;
    StartNode(n, true);
  }
  Drive(*leader);
}

// ------------------------------------------------------------ application

void Cluster::Apply(SimNode& n, const Entry& e) {
  if (e.index != n.applied + 1) {
    Violation("node " + std::to_string(n.id) + " applied index " + std::to_string(e.index) +
              " after " + std::to_string(n.applied) + " (gap or reorder)");
    return;
  }
  n.applied = e.index;
  n.app_hash = ChainStep(n.app_hash, e);
  // State machine safety: every node applies the same entry at an index.
  if (e.index >= committed_chain_.size()) {
    committed_chain_.resize(e.index + 1, 0);
    committed_known_.resize(e.index + 1, false);
    commit_term_.resize(e.index + 1, 0);
  }
  if (committed_known_[e.index]) {
    if (committed_chain_[e.index] != n.app_hash) {
      Violation("STATE MACHINE SAFETY: node " + std::to_string(n.id) + " applied a different entry at index " +
                std::to_string(e.index) + " (term " + std::to_string(e.term) + ") than another node");
      return;
    }
  } else {
    committed_known_[e.index] = true;
    committed_chain_[e.index] = n.app_hash;
    commit_term_[e.index] = n.raft->term();
  }
  max_committed_ = std::max(max_committed_, e.index);
  const std::string_view d = e.data.view();
  if (e.type == EntryType::kNormal && d.size() >= 9 && d.front() == 'r') {
    const std::uint64_t id = LoadU64(d, 1);
    auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Request& r) { return r.id == id; });
    if (it != pending_.end()) {
      pending_.erase(it);
      ++acked_;
      acked_at_[id] = e.index;
    }
  } else if (e.type == EntryType::kConfChange) {
    auto cc = DecodeConfChange(e.data.view());
    if (cc.ok() && cc->type == ConfChangeType::kRemoveNode) {
      auto it = nodes_.find(cc->node_id);
      if (it != nodes_.end() && !it->second.retired && it->second.id != n.id) {
        // A committed removal: the operator shuts the removed server down.
        Crash(it->second, "removed from the cluster");
        it->second.retired = true;
      }
    }
  }
}

void Cluster::InstallSnapshot(SimNode& n, const Snapshot& s) {
  ++snapshots_installed_;
  const std::uint64_t idx = LoadU64(s.data.view(), 0);
  const std::uint64_t h = LoadU64(s.data.view(), 8);
  if (idx != s.metadata.index) {
    Violation("snapshot data/metadata mismatch");
    return;
  }
  if (idx < committed_known_.size() && committed_known_[idx] && committed_chain_[idx] != h) {
    Violation("STATE MACHINE SAFETY: node " + std::to_string(n.id) + " installed a snapshot at " +
              std::to_string(idx) + " that disagrees with the committed log");
    return;
  }
  n.applied = idx;
  n.app_hash = h;
  n.last_snapshot = idx;
  Trace("SNAPSHOT installed at n" + std::to_string(n.id) + " idx=" + std::to_string(idx));
}

void Cluster::MaybeTakeSnapshot(SimNode& n) {
  if (n.applied < n.last_snapshot + n.snapshot_every) return;
  auto cs = n.raft->ConfStateAt(n.applied);
  if (!cs.ok()) {
    Violation("ConfStateAt(" + std::to_string(n.applied) + "): " + cs.status().ToString());
    return;
  }
  // Data: applied index, app hash, then padding so the snapshot spans several
  // chunks.
  std::string data;
  StoreU64(&data, n.applied);
  StoreU64(&data, n.app_hash);
  data.append(64 + n.applied % 700, 'S');
  Status s = n.storage->CreateSnapshot(n.applied, *cs, Payload(std::move(data)));
  if (s.ok()) {
    const std::uint64_t keep = rng_.Uniform(20);
    if (n.applied > keep) s = n.storage->Compact(n.applied - keep);
  }
  if (!s.ok()) {
    Violation("snapshot at node " + std::to_string(n.id) + ": " + s.ToString());
    return;
  }
  ++snapshots_;
  n.last_snapshot = n.applied;
}

void Cluster::WriteChain(SimNode& n, const Ready& rd) {
  if (rd.snapshot) {
    n.chain_base = rd.snapshot->metadata.index;
    n.chain.assign(1, n.app_hash);
  }
  if (rd.entries.empty()) return;
  const std::uint64_t first = rd.entries.front().index;
  if (first <= n.chain_base) {
    Violation("node " + std::to_string(n.id) + " rewrites entries below its snapshot");
    return;
  }
  n.chain.resize(first - n.chain_base);
  for (const Entry& e : rd.entries) {
    n.chain.push_back(ChainStep(n.chain.back(), e));
    // Log Matching: two entries with the same index and term have the same
    // log up to there.
    // Exact key: terms stay far below 2^24 and indexes below 2^40 here.
    const std::uint64_t key = (e.index << 24) | (e.term & 0xffffff);
    auto [it, inserted] = entry_chain_.emplace(key, n.chain.back());
    if (!inserted && it->second != n.chain.back()) {
      Violation("LOG MATCHING: node " + std::to_string(n.id) + " holds entry " +
                std::to_string(e.index) + "/t" + std::to_string(e.term) +
                " with a different log prefix than another node");
      return;
    }
  }
}

// -------------------------------------------------------------- invariants

void Cluster::Check(SimNode& n) {
  if (failed_ || !n.up) return;
  RawNode& r = *n.raft;
  if (!r.failure().ok()) {
    Violation("node " + std::to_string(n.id) + " failed: " + r.failure().ToString());
    return;
  }
  const std::uint64_t term = r.term();
  if (term < n.seen_term) {
    Violation("TERM DECREASED on node " + std::to_string(n.id) + ": " + std::to_string(n.seen_term) +
              " -> " + std::to_string(term));
    return;
  }
  if (term < n.durable_term) {
    Violation("node " + std::to_string(n.id) + " runs at term " + std::to_string(term) +
              " below its durable term " + std::to_string(n.durable_term));
    return;
  }
  const std::uint64_t commit = r.commit_index();
  if (commit < n.seen_commit) {
    Violation("COMMIT WENT BACK on node " + std::to_string(n.id) + ": " +
              std::to_string(n.seen_commit) + " -> " + std::to_string(commit));
    return;
  }
  // Committed entries, as this node's log has them, must agree with what
  // anybody else has seen committed.
  for (std::uint64_t i = std::max(n.seen_commit + 1, n.chain_base); i <= commit; ++i) {
    if (i - n.chain_base >= n.chain.size()) break;
    const std::uint64_t h = n.chain[i - n.chain_base];
    if (i >= committed_chain_.size()) {
      committed_chain_.resize(i + 1, 0);
      committed_known_.resize(i + 1, false);
      commit_term_.resize(i + 1, 0);
    }
    if (committed_known_[i] && committed_chain_[i] != h) {
      Violation("COMMITTED ENTRY DIFFERS: node " + std::to_string(n.id) + " committed index " +
                std::to_string(i) + " with a log that differs from the committed one");
      return;
    }
    if (!committed_known_[i]) commit_term_[i] = term;
    committed_known_[i] = true;
    committed_chain_[i] = h;
    max_committed_ = std::max(max_committed_, i);
  }
  const Role role = r.role();
  if (role == Role::kLeader) {
    auto [it, inserted] = leader_of_term_.emplace(term, n.id);
    if (!inserted && it->second != n.id) {
      Violation("ELECTION SAFETY: two leaders in term " + std::to_string(term) + ": n" +
                std::to_string(it->second) + " and n" + std::to_string(n.id));
      return;
    }
    if (n.seen_role != Role::kLeader) {
      Trace("LEADER n" + std::to_string(n.id) + " term " + std::to_string(term) + " last=" +
            std::to_string(r.last_index()) + " commit=" + std::to_string(commit));
      // Leader completeness: the new leader holds every entry committed in
      // an earlier term. The last such index is enough: chain hashes cover
      // the whole prefix.
      std::uint64_t f = max_committed_;
      while (f > 0 && !(committed_known_[f] && commit_term_[f] < term)) --f;
      const std::uint64_t last = n.chain_base + n.chain.size() - 1;
      bool ok = true;
      if (f > last) {
        ok = false;
      } else if (f >= n.chain_base) {
        ok = !committed_known_[f] || committed_chain_[f] == n.chain[f - n.chain_base];
      }
      if (!ok) {
        Violation("LEADER COMPLETENESS: n" + std::to_string(n.id) + " became leader of term " +
                  std::to_string(term) + " without committed entry " + std::to_string(f) +
                  " (its log ends at " + std::to_string(last) + ")");
        return;
      }
    }
  }
  n.seen_term = term;
  n.seen_commit = commit;
  n.seen_role = role;
}

bool Cluster::Converged() {
  SimNode* leader = Leader();
  if (leader == nullptr || !pending_.empty()) return false;
  const RawNode& l = *leader->raft;
  if (l.commit_index() != l.last_index()) return false;
  const ConfState& cs = l.conf_state();
  for (const auto* ids : {&cs.voters, &cs.learners}) {
    for (std::uint64_t id : *ids) {
      auto it = nodes_.find(id);
      if (it == nodes_.end() || !it->second.up) continue;  // retired / never started
      const SimNode& n = it->second;
      if (n.raft->leader_id() != leader->id || n.applied != l.commit_index()) return false;
    }
  }
  return leader->applied == l.commit_index();
}

void Cluster::Violation(const std::string& what) {
  if (failed_) return;
  failed_ = true;
  violation_ = "tick " + std::to_string(tick_) + ": " + what;
}

// ------------------------------------------------------------------ trace

void Cluster::Trace(std::string text) {
  TraceEvent ev;
  ev.slot = slot_;
  ev.text = std::move(text);
  if (opt_.verbose) {
    std::fprintf(stderr, "[%6.2f] %s\n", static_cast<double>(slot_) / kSlotsPerTick, ev.text.c_str());
  }
  trace_.push_back(std::move(ev));
  while (trace_.size() > static_cast<std::size_t>(std::max(opt_.trace_events, 1))) trace_.pop_front();
}

void Cluster::TraceMsg(char verb, const Message& m) {
  if (opt_.verbose) {
    std::fprintf(stderr, "[%6.2f] %c %s\n", static_cast<double>(slot_) / kSlotsPerTick, verb,
                 DescribeMessage(m).c_str());
  }
  TraceEvent ev;
  ev.slot = slot_;
  ev.is_msg = true;
  ev.verb = verb;
  ev.type = m.type;
  ev.from = m.from;
  ev.to = m.to;
  ev.term = m.term;
  ev.index = m.index;
  ev.log_term = m.log_term;
  ev.commit = m.commit;
  ev.reject = m.reject;
  if (!m.entries.empty()) {
    ev.first = m.entries.front().index;
    ev.last = m.entries.back().index;
  }
  trace_.push_back(std::move(ev));
  while (trace_.size() > static_cast<std::size_t>(std::max(opt_.trace_events, 1))) trace_.pop_front();
}

std::string Cluster::FormatTrace() const {
  std::string out;
  char buf[256];
  for (const TraceEvent& ev : trace_) {
    std::snprintf(buf, sizeof buf, "  [t%7.2f] ", static_cast<double>(ev.slot) / kSlotsPerTick);
    out += buf;
    if (!ev.is_msg) {
      out += ev.text;
    } else {
      const char* verb = ev.verb == '>' ? "deliver" : ev.verb == 'x' ? "DROP   " : "DUP    ";
      std::snprintf(buf, sizeof buf, "%s %-14s n%" PRIu64 "->n%" PRIu64 " t%" PRIu64 " idx=%" PRIu64
                    " lt=%" PRIu64 " commit=%" PRIu64 "%s",
                    verb, std::string(MessageTypeName(ev.type)).c_str(), ev.from, ev.to, ev.term,
                    ev.index, ev.log_term, ev.commit, ev.reject ? " REJECT" : "");
      out += buf;
      if (ev.last != 0) {
        std::snprintf(buf, sizeof buf, " ents=[%" PRIu64 "..%" PRIu64 "]", ev.first, ev.last);
        out += buf;
      }
    }
    out += '\n';
  }
  return out;
}

// -------------------------------------------------------------------- run

SimResult Cluster::Run() {
  ChooseScenario();
  std::vector<std::uint64_t> voters;
  for (int i = 0; i < sc_.voters; ++i) voters.push_back(next_node_id_++);
  for (std::uint64_t id : voters) {
    SimNode& n = nodes_[id];
    n.id = id;
    n.storage = std::make_unique<SimStorage>();
    Status s = Bootstrap(n.storage.get(), voters);
    if (!s.ok()) Violation("bootstrap: " + s.ToString());
    StartNode(n, false);
    n.durable_term = 1;
  }
  SimResult res;
  // The liveness bound, in ticks after healing: elections need a few
  // randomised timeouts (split votes, pre-vote rounds, a leader's
  // check-quorum step-down); lagging nodes then catch up via appends or a
  // chunked snapshot, and clients retry once per election timeout.
  res.liveness_bound_ticks = 60 * sc_.election_tick;
  const std::uint64_t fault_ticks = static_cast<std::uint64_t>(opt_.ticks);
  std::uint64_t heal_tick = 0;
  while (!failed_) {
    // Deliver everything due in this tick's slots.
    for (int s = 0; s < kSlotsPerTick && !failed_; ++s, ++slot_) {
      while (!net_.empty() && net_.top().at <= slot_ && !failed_) {
        // top() is const; only the box moves out, and pop compares at/order only.
        std::unique_ptr<Message> m = std::move(const_cast<InFlight&>(net_.top()).m);
        net_.pop();
        Deliver(std::move(*m));
      }
    }
    if (failed_) break;
    ++tick_;
    if (!healing_ && tick_ >= fault_ticks) {
      healing_ = true;
      heal_tick = tick_;
      HealAll();
      for (auto& [id, n] : nodes_) Restart(n);
      Trace("HEALED: no more faults; liveness phase");
    }
    if (!healing_) {
      FaultActions();
      AdminActions();
    }
    ClientActions();
    TickAll();
    if (healing_) {
      if (Converged()) break;
      if (tick_ - heal_tick > static_cast<std::uint64_t>(res.liveness_bound_ticks)) {
        std::string who;
        for (auto& [id, n] : nodes_) {
          if (!n.up) continue;
          who += " n" + std::to_string(id) + "(" + std::string(RoleName(n.raft->role())) + " t" +
                 std::to_string(n.raft->term()) + " lead=" + std::to_string(n.raft->leader_id()) +
                 " commit=" + std::to_string(n.raft->commit_index()) + " last=" +
                 std::to_string(n.raft->last_index()) + " applied=" + std::to_string(n.applied) + ")";
        }
        Violation("LIVENESS: no convergence within " + std::to_string(res.liveness_bound_ticks) +
                  " ticks of healing; pending requests " + std::to_string(pending_.size()) + ";" + who);
        break;
      }
    }
  }
  // Nothing committed (and so nothing acknowledged to a client) is lost: the
  // final leader's log holds the committed prefix, and every live member
  // applied exactly it.
  if (!failed_) {
    SimNode* leader = Leader();
    if (leader != nullptr) {
      const std::uint64_t f = max_committed_;
      const std::uint64_t last = leader->chain_base + leader->chain.size() - 1;
      if (f > last || (f >= leader->chain_base && committed_known_[f] &&
                       committed_chain_[f] != leader->chain[f - leader->chain_base])) {
        Violation("COMMITTED ENTRY LOST: the final leader n" + std::to_string(leader->id) +
                  " lacks committed index " + std::to_string(f));
      }
      for (const auto& [req, idx] : acked_at_) {
        if (idx > leader->applied) {
          Violation("ACKNOWLEDGED REQUEST LOST: r" + std::to_string(req) + " at index " +
                    std::to_string(idx) + " is beyond the final applied index");
          break;
        }
      }
    }
  }
  res.ok = !failed_;
  res.violation = violation_;
  if (failed_) res.trace = FormatTrace();
  res.steps = steps_;
  res.ticks = tick_;
  res.committed = max_committed_;
  res.acked_requests = acked_;
  res.liveness_ticks_used = healing_ ? static_cast<int>(tick_ - heal_tick) : 0;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "seed %" PRIu64 ": %d voters, faults %.2f, election %d, heartbeat %d, pre_vote %d, "
                "check_quorum %d; %" PRIu64 " ticks, %" PRIu64 " steps, committed %" PRIu64
                ", acked %" PRIu64 ", crashes %" PRIu64 ", lost writes %" PRIu64
                ", partitions %" PRIu64 ", conf changes %" PRIu64 ", snapshots %" PRIu64
                " taken / %" PRIu64 " installed, dropped %" PRIu64 ", liveness %d/%d ticks",
                opt_.seed, sc_.voters, sc_.faults, sc_.election_tick, sc_.heartbeat_tick,
                sc_.pre_vote, sc_.check_quorum, tick_, steps_, max_committed_, acked_, crashes_,
                lost_writes_, partitions_, conf_changes_, snapshots_, snapshots_installed_,
                dropped_, res.liveness_ticks_used, res.liveness_bound_ticks);
  res.summary = buf;
  return res;
}

}  // namespace

SimResult RunSimulation(const SimOptions& options) {
  Cluster c(options);
  return c.Run();
}

}  // namespace pledger::sim
