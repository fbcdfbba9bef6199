// Progress: a leader's view of one follower (etcd-raft's tracker.Progress).
//
// A follower is in one of three states:
//   PROBE      the leader does not know where the logs agree: it sends one
//              append at a time and waits for the answer (or a heartbeat
//              response) before sending the next.
//   REPLICATE  logs agree up to `match`: the leader streams appends
//              optimistically, at most max_inflight_msgs unacknowledged.
//   SNAPSHOT   the entries the follower needs are compacted: the leader sends
//              the snapshot in chunks and nothing else until it is installed.
//
// Thread safety: none (owned by one Raft).
#ifndef PLEDGER_CONSENSUS_PROGRESS_H_
#define PLEDGER_CONSENSUS_PROGRESS_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "consensus/types.h"

namespace pledger::consensus {

// A bounded ring of the last index of each in-flight append.
class Inflights {
 public:
  explicit Inflights(std::uint32_t capacity = 1) : buf_(capacity) {}
  void Add(std::uint64_t last_index);
  // Frees every append whose last index is <= `index` (acknowledged).
  void FreeLE(std::uint64_t index);
  // Frees the oldest in-flight append (lost, as far as the leader can tell).
  void FreeFirst() { FreeLE(count_ > 0 ? buf_[start_] : 0); }
  bool Full() const { return count_ == buf_.size(); }
  std::uint32_t count() const { return count_; }
  void Reset() { start_ = count_ = 0; }

 private:
  std::vector<std::uint64_t> buf_;
  std::uint32_t start_ = 0;
  std::uint32_t count_ = 0;
};

enum class ProgressState : std::uint8_t { kProbe, kReplicate, kSnapshot };
std::string_view ProgressStateName(ProgressState s);

struct Progress {
  explicit Progress(std::uint32_t max_inflight = 1) : inflights(max_inflight) {}

  std::uint64_t match = 0;  // highest index known replicated (durably) on the follower
  std::uint64_t next = 1;   // next index to send
  ProgressState state = ProgressState::kProbe;
  bool probe_sent = false;     // PROBE: an append is out, wait for its answer
  bool recent_active = false;  // heard from since the last check-quorum round
  bool is_learner = false;
  std::uint64_t sent_commit = 0;  // highest commit index told to the follower
  Inflights inflights;

  // SNAPSHOT state: the snapshot being sent and how far the chunks got.
  std::shared_ptr<const Snapshot> snapshot;
  std::uint64_t snap_sent = 0;   // bytes sent (not necessarily received)
  std::uint64_t snap_acked = 0;  // bytes the follower confirmed
  bool snap_final_sent = false;  // the last chunk is out
  std::uint64_t snap_ticks_without_progress = 0;  // to detect a stalled transfer

  std::uint64_t pending_snapshot() const { return snapshot ? snapshot->metadata.index : 0; }

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(std::shared_ptr<const Snapshot> snap);

  // The follower acknowledged `n`. Returns whether match moved.
  bool MaybeUpdate(std::uint64_t n);
  // The follower rejected an append whose previous index was `rejected`;
  // `hint` is where to probe next. Returns false for a stale rejection.
  bool MaybeDecrTo(std::uint64_t rejected, std::uint64_t hint);
  // Whether the leader must hold appends to this follower.
  bool IsPaused() const;

 private:
  void ResetState(ProgressState s);
};

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_PROGRESS_H_
