#include "tests/unit/consensus/test_network.h"

#include <stdexcept>

namespace pledger::consensus::testnet {

std::unique_ptr<MemoryLogStorage> StorageWithLog(const std::vector<std::uint64_t>& voters,
                                                 const std::vector<std::uint64_t>& terms,
                                                 HardState hs) {
  auto s = std::make_unique<MemoryLogStorage>();
  Snapshot base;  // index 0: carries only the configuration
  base.metadata.conf_state.voters = voters;
  (void)s->ApplySnapshot(base);
  std::vector<Entry> ents;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    Entry e;
    e.index = i + 1;
    e.term = terms[i];
    e.data = Payload("e" + std::to_string(i + 1));
    ents.push_back(std::move(e));
  }
  (void)s->Append(ents);
  if (hs.term == 0 && !terms.empty()) hs.term = terms.back();
  s->SetHardState(hs);
  return s;
}

Config TestConfig(std::uint64_t id, LogStorage* storage, Random* random) {
  Config c;
  c.id = id;
  c.election_tick = 10;
  c.heartbeat_tick = 1;
  c.pre_vote = false;
  c.check_quorum = false;
  c.max_size_per_msg = 1 << 20;
  c.max_inflight_msgs = 256;
  c.storage = storage;
  c.random = random;
  return c;
}

Network::Network(int voters, Tweak tweak) : tweak_(std::move(tweak)) {
  std::vector<std::uint64_t> ids;
  for (int i = 1; i <= voters; ++i) ids.push_back(static_cast<std::uint64_t>(i));
  for (std::uint64_t id : ids) {
    Peer& p = peers_[id];
    p.id = id;
    p.storage = std::make_unique<MemoryLogStorage>();
    Status s = Bootstrap(p.storage.get(), ids);
    if (!s.ok()) throw std::runtime_error(s.ToString());
    StartNode(p);
  }
}

Network::Network(std::map<std::uint64_t, std::unique_ptr<MemoryLogStorage>> storages, Tweak tweak)
    : tweak_(std::move(tweak)) {
  for (auto& [id, st] : storages) {
    Peer& p = peers_[id];
    p.id = id;
    p.storage = std::move(st);
    StartNode(p);
  }
}

void Network::StartNode(Peer& p) {
  p.random = std::make_unique<SeededRandom>(p.id * 7919);
  Config c = TestConfig(p.id, p.storage.get(), p.random.get());
  auto snap = p.storage->GetSnapshot();
  if (snap.ok()) c.applied = snap->metadata.index;
  if (tweak_) tweak_(&c);
  auto node = RawNode::Create(c);
  if (!node.ok()) throw std::runtime_error(node.status().ToString());
  p.node = std::move(node).value();
  p.up = true;
}

std::vector<std::uint64_t> Network::ids() const {
  std::vector<std::uint64_t> out;
  for (const auto& [id, p] : peers_) out.push_back(id);
  return out;
}

void Network::AddEmptyNode(std::uint64_t id) {
  Peer& p = peers_[id];
  p.id = id;
  p.storage = std::make_unique<MemoryLogStorage>();
  StartNode(p);
}

void Network::Crash(std::uint64_t id) {
  Peer& p = peers_.at(id);
  p.node.reset();
  p.up = false;
}

void Network::Restart(std::uint64_t id) { StartNode(peers_.at(id)); }

void Network::Enqueue(Message m) {
  sent.push_back(m);
  if (cut_.count({m.from, m.to}) || ignored_.count(m.type)) return;
  if (filter && !filter(m)) return;
  queue_.push_back(std::move(m));
}

void Network::HandleReady(Peer& p) {
  while (p.up && p.node->HasReady()) {
    Ready rd = p.node->GetReady();
    for (Message& m : rd.messages) Enqueue(std::move(m));
    if (rd.snapshot) p.installed.push_back(*rd.snapshot);
    Status s = WriteReady(p.storage.get(), rd, true);
    if (!s.ok()) throw std::runtime_error("storage: " + s.ToString());
    for (const Entry& e : rd.committed_entries) p.applied.push_back(e);
    for (const ReadState& r : rd.read_states) p.reads.push_back(r);
    p.node->Advance(rd);
    for (Message& m : rd.persisted_messages) {
      if (m.to == p.id) {
        Status st = p.node->Step(std::move(m));
        if (!st.ok()) throw std::runtime_error("PERSISTED: " + st.ToString());
      } else {
        Enqueue(std::move(m));
      }
    }
  }
}

void Network::Stabilize() {
  for (int round = 0; round < 100000; ++round) {
    bool moved = false;
    for (auto& [id, p] : peers_) {
      if (p.up && p.node->HasReady()) {
        HandleReady(p);
        moved = true;
      }
    }
    while (!queue_.empty()) {
      Message m = std::move(queue_.front());
      queue_.pop_front();
      auto it = peers_.find(m.to);
      if (it == peers_.end() || !it->second.up) continue;
      (void)it->second.node->Step(std::move(m));
      HandleReady(it->second);
      moved = true;
    }
    if (!moved) return;
  }
  throw std::runtime_error("network did not stabilize");
}

void Network::TickAll(int n) {
  for (int i = 0; i < n; ++i) {
    for (auto& [id, p] : peers_) {
      if (p.up) p.node->Tick();
    }
    Stabilize();
  }
}

void Network::Tick(std::uint64_t id, int n) {
  for (int i = 0; i < n; ++i) {
    node(id).Tick();
    Stabilize();
  }
}

void Network::Elect(std::uint64_t id) {
  Status s = node(id).Campaign();
  if (!s.ok()) throw std::runtime_error(s.ToString());
  Stabilize();
}

void Network::Propose(std::uint64_t id, const std::string& data) {
  Status s = node(id).Propose(data);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  Stabilize();
}

void Network::Cut(std::uint64_t a, std::uint64_t b) {
  cut_.insert({a, b});
  cut_.insert({b, a});
}

void Network::Isolate(std::uint64_t id) {
  for (const auto& [other, p] : peers_) {
    if (other != id) Cut(id, other);
  }
}

void Network::Heal() { cut_.clear(); }

std::uint64_t Network::leader() const {
  std::uint64_t best = 0, term = 0;
  for (const auto& [id, p] : peers_) {
    if (p.up && p.node->role() == Role::kLeader && p.node->term() >= term) {
      best = id;
      term = p.node->term();
    }
  }
  return best;
}

std::vector<Message> DrainNode(RawNode* node, MutableLogStorage* storage,
                               std::vector<Entry>* applied) {
  std::vector<Message> out;
  while (node->HasReady()) {
    Ready rd = node->GetReady();
    for (Message& m : rd.messages) out.push_back(std::move(m));
    Status s = WriteReady(storage, rd, true);
    if (!s.ok()) throw std::runtime_error(s.ToString());
    if (applied) {
      for (const Entry& e : rd.committed_entries) applied->push_back(e);
    }
    node->Advance(rd);
    for (Message& m : rd.persisted_messages) {
      if (m.to == node->id()) {
        (void)node->Step(std::move(m));
      } else {
        out.push_back(std::move(m));
      }
    }
  }
  return out;
}

}  // namespace pledger::consensus::testnet
