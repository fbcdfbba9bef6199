// Named limits of the Raft core. Each says why it has its value; the
// static_asserts tie them together. Config (config.h) holds the tunable ones
// and Config::Validate() checks them against these bounds.
#ifndef PLEDGER_CONSENSUS_LIMITS_H_
#define PLEDGER_CONSENSUS_LIMITS_H_

#include <cstdint>

namespace pledger::consensus::limits {

// Voters per configuration. A consortium of IP offices is a handful of
// validators; every extra voter adds a replica to each commit's quorum and
// makes commits slower, so beyond this the cluster is surely misconfigured.
inline constexpr std::uint32_t kMaxVoters = 15;
// Learners (auditors' non-voting replicas) cost the leader bandwidth only.
inline constexpr std::uint32_t kMaxLearners = 64;
inline constexpr std::uint32_t kMaxMembers = kMaxVoters + kMaxLearners;

// One entry is one serialized ledger block; the node caps blocks well below
// this. The cap keeps a hostile or buggy proposer from forcing multi-GiB
// messages and allocations on every replica.
inline constexpr std::uint64_t kMaxEntryBytes = 64ull << 20;

// Upper bound for Config::max_size_per_msg. A single entry may exceed the
// configured batch size (an append always carries at least one entry).
inline constexpr std::uint64_t kMaxMsgBytesLimit = 256ull << 20;

// Entries in one AppendEntries message, whatever their size: bounds the
// follower's per-message work and the codec's allocation for tiny entries.
inline constexpr std::uint64_t kMaxEntriesPerMsg = 1u << 16;

// In-flight AppendEntries per follower (Config::max_inflight_msgs upper bound).
inline constexpr std::uint32_t kMaxInflightMsgsLimit = 4096;

// Snapshot chunk size bounds. The receiver refuses bigger chunks.
inline constexpr std::uint64_t kMinSnapshotChunkBytes = 1;
inline constexpr std::uint64_t kMaxSnapshotChunkBytes = 64ull << 20;
// Chunks a leader keeps in flight per follower during InstallSnapshot.
inline constexpr std::uint32_t kMaxSnapshotChunksInFlight = 64;
// Largest snapshot a follower agrees to assemble in memory.
inline constexpr std::uint64_t kMaxSnapshotBytesLimit = 16ull << 30;

// ReadIndex requests a leader queues while it waits for its first commit in
// its term or for heartbeat quorums; beyond this it rejects (backpressure).
inline constexpr std::uint32_t kMaxPendingReadIndexLimit = 1u << 16;
// Size of a ReadIndex context (the application's request id).
inline constexpr std::uint64_t kMaxReadContextBytes = 1024;
// ConfChange::context (a peer address and the like).
inline constexpr std::uint64_t kMaxConfChangeContextBytes = 4096;

// Ticks: an election timeout of more than this many heartbeats only delays
// failover, and the randomised timeout [e, 2e) must not overflow an int.
inline constexpr int kMaxElectionTick = 1 << 20;

static_assert(kMaxVoters % 2 == 1, "an even voter cap wastes a replica");
static_assert(kMaxEntryBytes <= kMaxMsgBytesLimit,
              "an append of one maximal entry must fit the largest message");
static_assert(kMaxSnapshotChunkBytes <= kMaxMsgBytesLimit,
              "a snapshot chunk must fit the largest message");
static_assert(kMinSnapshotChunkBytes <= kMaxSnapshotChunkBytes);
static_assert(kMaxSnapshotChunksInFlight * kMaxSnapshotChunkBytes <= (8ull << 30),
              "a snapshot window must stay a bounded amount of memory");
static_assert(kMaxElectionTick < (1 << 30), "2 * election_tick must fit an int");

}  // namespace pledger::consensus::limits

#endif  // PLEDGER_CONSENSUS_LIMITS_H_
