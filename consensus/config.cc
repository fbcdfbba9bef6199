#include "consensus/config.h"

#include <string>

namespace pledger::consensus {

namespace {
Status Invalid(const std::string& what) {
  return Status::InvalidArgument("RAFT_CONFIG_INVALID", what);
}
}  // namespace

Status Config::Validate() const {
  if (id == 0) return Invalid("id must not be 0 (0 means 'no node')");
  if (heartbeat_tick <= 0) return Invalid("heartbeat_tick must be > 0");
  if (election_tick <= heartbeat_tick) {
    return Invalid("election_tick must be greater than heartbeat_tick (10x is usual)");
  }
  if (election_tick > limits::kMaxElectionTick) {
    return Invalid("election_tick is above limits::kMaxElectionTick");
  }
  if (max_inflight_msgs == 0 || max_inflight_msgs > limits::kMaxInflightMsgsLimit) {
    return Invalid("max_inflight_msgs must be in [1, limits::kMaxInflightMsgsLimit]");
  }
  if (max_size_per_msg == 0 || max_size_per_msg > limits::kMaxMsgBytesLimit) {
    return Invalid("max_size_per_msg must be in [1, limits::kMaxMsgBytesLimit]");
  }
  if (max_committed_size_per_ready == 0) return Invalid("max_committed_size_per_ready must be > 0");
  if (max_entry_bytes == 0 || max_entry_bytes > limits::kMaxEntryBytes) {
    return Invalid("max_entry_bytes must be in [1, limits::kMaxEntryBytes]");
  }
  if (max_uncommitted_bytes != 0 && max_uncommitted_bytes < max_entry_bytes) {
    return Invalid("max_uncommitted_bytes must be 0 (no limit) or >= max_entry_bytes");
  }
  if (snapshot_chunk_bytes < limits::kMinSnapshotChunkBytes ||
      snapshot_chunk_bytes > limits::kMaxSnapshotChunkBytes) {
    return Invalid("snapshot_chunk_bytes must be in [kMinSnapshotChunkBytes, kMaxSnapshotChunkBytes]");
  }
  if (snapshot_chunks_in_flight == 0 ||
      snapshot_chunks_in_flight > limits::kMaxSnapshotChunksInFlight) {
    return Invalid("snapshot_chunks_in_flight must be in [1, kMaxSnapshotChunksInFlight]");
  }
  if (max_snapshot_bytes > limits::kMaxSnapshotBytesLimit) {
    return Invalid("max_snapshot_bytes is above limits::kMaxSnapshotBytesLimit");
  }
  if (max_pending_read_index == 0 || max_pending_read_index > limits::kMaxPendingReadIndexLimit) {
    return Invalid("max_pending_read_index must be in [1, kMaxPendingReadIndexLimit]");
  }
  if (random == nullptr) return Invalid("random must be set (election jitter source)");
  if (storage == nullptr) return Invalid("storage must be set");
  return Status::OK();
}

}  // namespace pledger::consensus
