#include "consensus/progress.h"

#include <algorithm>

namespace pledger::consensus {

void Inflights::Add(std::uint64_t last_index) {
  // Callers check Full() first; dropping the oldest would lose flow control,
  // so an overflow keeps the ring as it is.
  if (Full()) return;
  buf_[(start_ + count_) % buf_.size()] = last_index;
  ++count_;
}

void Inflights::FreeLE(std::uint64_t index) {
  while (count_ > 0 && buf_[start_] <= index) {
    start_ = static_cast<std::uint32_t>((start_ + 1) % buf_.size());
    --count_;
  }
  if (count_ == 0) start_ = 0;
}

std::string_view ProgressStateName(ProgressState s) {
  switch (s) {
    case ProgressState::kProbe: return "PROBE";
    case ProgressState::kReplicate: return "REPLICATE";
    case ProgressState::kSnapshot: return "SNAPSHOT";
  }
  return "UNKNOWN";
}

void Progress::ResetState(ProgressState s) {
  probe_sent = false;
  state = s;
  inflights.Reset();
  snapshot.reset();
  snap_sent = snap_acked = snap_ticks_without_progress = 0;
  snap_final_sent = false;
}

void Progress::BecomeProbe() {
  // After a snapshot, the follower has at least the snapshot: probe after it.
  const std::uint64_t pending = pending_snapshot();
  const bool from_snapshot = state == ProgressState::kSnapshot;
  ResetState(ProgressState::kProbe);
  next = from_snapshot ? std::max(match + 1, pending + 1) : match + 1;
}

void Progress::BecomeReplicate() {
  ResetState(ProgressState::kReplicate);
  next = match + 1;
}

void Progress::BecomeSnapshot(std::shared_ptr<const Snapshot> snap) {
  ResetState(ProgressState::kSnapshot);
  snapshot = std::move(snap);
}

bool Progress::MaybeUpdate(std::uint64_t n) {
  bool updated = false;
  if (match < n) {
    match = n;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, n + 1);
  return updated;
}

bool Progress::MaybeDecrTo(std::uint64_t rejected, std::uint64_t hint) {
  if (state == ProgressState::kReplicate) {
    // A rejection at or below match is stale (a reordered old response).
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // In PROBE only the answer to the outstanding probe counts.
  if (next == 0 || next - 1 != rejected) return false;
  next = std::max(std::min(rejected, hint + 1), match + 1);
  probe_sent = false;
  return true;
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe: return probe_sent;
    case ProgressState::kReplicate: return inflights.Full();
    case ProgressState::kSnapshot: return true;
  }
  return true;
}

}  // namespace pledger::consensus
