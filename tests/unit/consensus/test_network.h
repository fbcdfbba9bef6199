// A hand-driven in-memory cluster for unit tests (etcd-raft's `network`):
// RawNodes over MemoryLogStorage, a FIFO network that can drop, cut, isolate
// and filter, and a Ready loop that persists synchronously, sends, applies
// and advances. Deterministic: election jitter comes from seeded PRNGs.
#ifndef PLEDGER_TESTS_UNIT_CONSENSUS_TEST_NETWORK_H_
#define PLEDGER_TESTS_UNIT_CONSENSUS_TEST_NETWORK_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "consensus/random.h"
#include "consensus/raw_node.h"
#include "consensus/storage.h"

namespace pledger::consensus::testnet {

struct Peer {
  std::uint64_t id = 0;
  std::unique_ptr<MemoryLogStorage> storage;
  std::unique_ptr<SeededRandom> random;
  std::unique_ptr<RawNode> node;
  std::vector<Entry> applied;      // committed entries applied, in order
  std::vector<ReadState> reads;    // ReadIndex answers
  std::vector<Snapshot> installed;  // snapshots installed
  bool up = true;
};

// A MemoryLogStorage holding `terms.size()` entries (entry i+1 has term
// terms[i]) under the configuration `voters`, for tests that need a given log.
std::unique_ptr<MemoryLogStorage> StorageWithLog(const std::vector<std::uint64_t>& voters,
                                                 const std::vector<std::uint64_t>& terms,
                                                 HardState hs = {});

// The default test Config for node `id` (election 10, heartbeat 1,
// pre_vote and check_quorum off unless `tweak` turns them on).
Config TestConfig(std::uint64_t id, LogStorage* storage, Random* random);

class Network {
 public:
  using Tweak = std::function<void(Config*)>;
  // `voters` founding voters with ids 1..voters, bootstrapped.
  explicit Network(int voters, Tweak tweak = {});
  // Peers with the given storages (ids are the map keys).
  Network(std::map<std::uint64_t, std::unique_ptr<MemoryLogStorage>> storages, Tweak tweak = {});

  Peer& peer(std::uint64_t id) { return peers_.at(id); }
  RawNode& node(std::uint64_t id) { return *peers_.at(id).node; }
  std::vector<std::uint64_t> ids() const;

  // Adds an empty node (a future learner).
  void AddEmptyNode(std::uint64_t id);
  // Stops a node, keeping its storage; Restart brings it back from storage.
  void Crash(std::uint64_t id);
  void Restart(std::uint64_t id);

  // Handles every Ready and delivers every message until nothing moves.
  void Stabilize();
  // Ticks every up node once, then stabilizes; `n` times.
  void TickAll(int n = 1);
  // Ticks one node `n` times (stabilizing after each tick).
  void Tick(std::uint64_t id, int n = 1);
  // node.Campaign() and stabilize.
  void Elect(std::uint64_t id);
  // Proposes on `id` (must succeed) and stabilizes.
  void Propose(std::uint64_t id, const std::string& data);

  // Network faults.
  void Cut(std::uint64_t a, std::uint64_t b);  // both directions
  void Isolate(std::uint64_t id);
  void Heal();
  void Ignore(MessageType t) { ignored_.insert(t); }
  void Recover() { ignored_.clear(); }
  // Called for every message before delivery; return false to drop it.
  std::function<bool(const Message&)> filter;

  // Every message sent so far (for assertions on traffic).
  std::vector<Message> sent;
  std::uint64_t leader() const;  // the up leader with the highest term, or 0

 private:
  void HandleReady(Peer& p);
  void Enqueue(Message m);
  void StartNode(Peer& p);

  Tweak tweak_;
  std::map<std::uint64_t, Peer> peers_;
  std::deque<Message> queue_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> cut_;
  std::set<MessageType> ignored_;
};

// Collects the messages a single node sends (for node-level tests that
// drive one RawNode by hand): handles the Ready (persist, apply, advance),
// feeds PERSISTED back, and returns the outgoing messages.
std::vector<Message> DrainNode(RawNode* node, MutableLogStorage* storage,
                               std::vector<Entry>* applied = nullptr);

}  // namespace pledger::consensus::testnet

#endif  // PLEDGER_TESTS_UNIT_CONSENSUS_TEST_NETWORK_H_
