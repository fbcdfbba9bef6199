// Config: everything a RawNode needs to start. Validate() before use; RawNode
// does, and refuses a bad Config with INVALID_ARGUMENT / RAFT_CONFIG_INVALID.
//
// Ownership: `storage` and `random` are not owned; both must outlive the
// RawNode. Thread safety: a plain value.
#ifndef PLEDGER_CONSENSUS_CONFIG_H_
#define PLEDGER_CONSENSUS_CONFIG_H_

#include <cstdint>

#include "consensus/limits.h"
#include "consensus/status.h"

namespace pledger::consensus {

class LogStorage;
class Random;

namespace test {
struct BugInjector;  // defined only under tests/: see Config::injected_bugs_
}  // namespace test

// Known bugs the core can be built to exhibit, so the simulator can prove it
// catches them (tests/sim/bug_injector.h). Bit flags.
enum class InjectedBug : std::uint32_t {
  kNone = 0,
  // A leader commits an old-term entry by counting replicas (paper Figure 8).
  kCommitOldTermByCount = 1u << 0,
  // The vote is never handed to storage, so a restart forgets it.
  kForgetVote = 1u << 1,
  // A voter grants its vote without the up-to-date log check (section 5.4.1).
  kVoteIgnoresLog = 1u << 2,
  // A follower acknowledges appended entries before they are durable.
  kAckBeforePersist = 1u << 3,
};

struct Config {
  // This node's id; never 0 (0 means "none" everywhere).
  std::uint64_t id = 0;

  // Ticks without hearing from a leader before a follower campaigns. The
  // actual timeout is drawn from [election_tick, 2 * election_tick).
  int election_tick = 10;
  // Ticks between a leader's heartbeats. Must be < election_tick.
  int heartbeat_tick = 1;

  // Highest index the application had applied before this restart (its own
  // durable state); committed entries are handed out from applied + 1.
  std::uint64_t applied = 0;

  // Flow control: AppendEntries in flight per follower in the replicate state,
  // and the soft byte budget of one AppendEntries (at least one entry is always
  // sent, however large).
  std::uint32_t max_inflight_msgs = 256;
  std::uint64_t max_size_per_msg = 1ull << 20;
  // Bytes of committed entries one Ready may carry (at least one entry).
  std::uint64_t max_committed_size_per_ready = 64ull << 20;
  // Bytes of proposed-but-uncommitted entries a leader accepts before it
  // rejects proposals with RESOURCE_EXHAUSTED / PROPOSALS_BACKLOGGED.
  // 0 = no limit.
  std::uint64_t max_uncommitted_bytes = 256ull << 20;
  // Largest proposal (entry payload) accepted.
  std::uint64_t max_entry_bytes = 16ull << 20;

  // Pre-vote (Raft thesis 9.6): a node first asks whether it could win, so a
  // partitioned node rejoining does not disrupt the cluster with a new term.
  bool pre_vote = true;
  // A leader that has not heard from a quorum for an election timeout steps
  // down; followers then also ignore vote requests while they have a leader
  // (the lease that keeps removed or partitioned nodes from disrupting).
  bool check_quorum = true;

  // InstallSnapshot chunking.
  std::uint64_t snapshot_chunk_bytes = 1ull << 20;
  std::uint32_t snapshot_chunks_in_flight = 4;
  // Largest snapshot this node agrees to receive.
  std::uint64_t max_snapshot_bytes = 4ull << 30;

  // ReadIndex requests queued at the leader before it rejects.
  std::uint32_t max_pending_read_index = 4096;

  Random* random = nullptr;       // election jitter; not owned
  LogStorage* storage = nullptr;  // the log; not owned

  Status Validate() const;

  bool HasBug(InjectedBug bug) const {
    return (injected_bugs_ & static_cast<std::uint32_t>(bug)) != 0;
  }

 private:
  // Test-only fault injection. Settable only through test::BugInjector, which
  // is defined in tests/ and nowhere else, so production code cannot turn a
  // bug on. Always 0 outside the simulator's self-test.
  friend struct test::BugInjector;
  std::uint32_t injected_bugs_ = 0;
};

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_CONFIG_H_
