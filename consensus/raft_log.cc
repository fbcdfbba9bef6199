#include "consensus/raft_log.h"

#include <algorithm>
#include <cassert>

namespace pledger::consensus {

void RaftLog::Reset() {
  unstable_.clear();
  unstable_snapshot_.reset();
  offset_ = storage_->LastIndex() + 1;
  committed_ = storage_->FirstIndex() - 1;
  applied_ = committed_;
}

std::uint64_t RaftLog::FirstIndex() const {
  if (unstable_snapshot_) return unstable_snapshot_->metadata.index + 1;
  return storage_->FirstIndex();
}

std::uint64_t RaftLog::LastIndex() const {
  if (!unstable_.empty()) return offset_ + unstable_.size() - 1;
  if (unstable_snapshot_) return unstable_snapshot_->metadata.index;
  // offset_ - 1 may be below the storage's last index after a conflict
  // truncated everything from offset_ on, before the Ready is written.
  return std::min(storage_->LastIndex(), offset_ - 1);
}

Result<std::uint64_t> RaftLog::Term(std::uint64_t index) const {
  const std::uint64_t first = FirstIndex();
  if (index + 1 < first) return ErrCompacted(index, first);
  const std::uint64_t last = LastIndex();
  if (index > last) return ErrUnavailable(index, last);
  if (!unstable_.empty() && index >= offset_) return unstable_[index - offset_].term;
  if (unstable_snapshot_ && index == unstable_snapshot_->metadata.index) {
    return unstable_snapshot_->metadata.term;
  }
  return storage_->Term(index);
}

bool RaftLog::MatchTerm(std::uint64_t index, std::uint64_t term) const {
  auto t = Term(index);
  return t.ok() && *t == term;
}

Result<std::uint64_t> RaftLog::TermOrZero(std::uint64_t index) const {
  auto t = Term(index);
  if (t.ok()) return *t;
  if (IsCompacted(t.status()) || IsUnavailable(t.status())) return std::uint64_t{0};
  return std::move(t).TakeStatus();
}

Result<bool> RaftLog::IsUpToDate(std::uint64_t last_index, std::uint64_t last_term) const {
  PLEDGER_ASSIGN_OR_RETURN(std::uint64_t our_term, LastTerm());
  return last_term > our_term || (last_term == our_term && last_index >= LastIndex());
}

Result<std::uint64_t> RaftLog::FindConflict(std::span<const Entry> entries) const {
  for (const Entry& e : entries) {
    if (e.index > LastIndex()) return e.index;
    PLEDGER_ASSIGN_OR_RETURN(std::uint64_t t, TermOrZero(e.index));
    // A compacted index (t == 0 below FirstIndex) is committed and therefore
    // matches whatever a legitimate leader sends.
    if (t == 0 && e.index < FirstIndex()) continue;
    if (t != e.term) return e.index;
  }
  return std::uint64_t{0};
}

Result<EntryId> RaftLog::FindConflictByTerm(std::uint64_t index, std::uint64_t term) const {
  index = std::min(index, LastIndex());
  for (;;) {
    auto t = Term(index);
    if (!t.ok()) {
      if (IsCompacted(t.status())) return EntryId{index, 0};
      return std::move(t).TakeStatus();
    }
    if (*t <= term || index == 0) return EntryId{index, *t};
    --index;
  }
}

void RaftLog::Append(std::span<const Entry> entries) {
  if (entries.empty()) return;
  assert(entries.front().index > committed_ && "never overwrite committed entries");
  const std::uint64_t after = entries.front().index;
  if (after == offset_ + unstable_.size()) {
    // The common case: extends the tail.
  } else if (after <= offset_) {
    // Replaces the whole unstable tail; storage entries from `after` on are stale.
    offset_ = after;
    unstable_.clear();
  } else {
    unstable_.resize(after - offset_);
  }
  unstable_.insert(unstable_.end(), entries.begin(), entries.end());
}

void RaftLog::Append(std::vector<Entry>&& entries) {
  if (entries.empty()) return;
  if (entries.front().index == offset_ + unstable_.size() && unstable_.empty()) {
    unstable_ = std::move(entries);
    return;
  }
  Append(std::span<const Entry>(entries));
}

Result<std::vector<Entry>> RaftLog::Slice(std::uint64_t lo, std::uint64_t hi,
                                          std::uint64_t max_bytes) const {
  std::vector<Entry> out;
  if (lo >= hi) return out;
  const std::uint64_t first = FirstIndex();
  if (lo < first) return ErrCompacted(lo, first);
  if (hi > LastIndex() + 1) return ErrUnavailable(hi - 1, LastIndex());
  std::uint64_t bytes = 0;
  const std::uint64_t storage_hi = unstable_.empty() ? hi : std::min(hi, offset_);
  if (lo < storage_hi) {
    PLEDGER_ASSIGN_OR_RETURN(out, storage_->Entries(lo, storage_hi, max_bytes));
    for (const Entry& e : out) bytes += EntrySizeBytes(e);
    if (out.size() < storage_hi - lo) return out;  // the byte budget ran out
  }
  for (std::uint64_t i = std::max(lo, offset_); i < hi && !unstable_.empty(); ++i) {
    const Entry& e = unstable_[i - offset_];
    bytes += EntrySizeBytes(e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

void RaftLog::CommitTo(std::uint64_t index) {
  if (index > committed_) {
    assert(index <= LastIndex());
    committed_ = index;
  }
}

Result<bool> RaftLog::MaybeCommit(std::uint64_t index, std::uint64_t term) {
  if (index <= committed_) return false;
  PLEDGER_ASSIGN_OR_RETURN(std::uint64_t t, TermOrZero(index));
  if (t != term) return false;
  CommitTo(index);
  return true;
}

void RaftLog::AppliedTo(std::uint64_t index) {
  assert(index <= committed_);
  if (index > applied_) applied_ = index;
}

bool RaftLog::HasNextCommittedEntries() const {
  return committed_ + 1 > std::max(applied_ + 1, FirstIndex());
}

Result<std::vector<Entry>> RaftLog::NextCommittedEntries(std::uint64_t max_bytes) const {
  const std::uint64_t lo = std::max(applied_ + 1, FirstIndex());
  if (committed_ + 1 <= lo) return std::vector<Entry>();
  return Slice(lo, committed_ + 1, max_bytes);
}

void RaftLog::StableTo(EntryId id) {
  if (unstable_.empty() || id.index < offset_) return;
  if (id.index >= offset_ + unstable_.size()) return;
  // The entry may have been replaced since the Ready was cut; then the newer
  // one is still unstable.
  if (unstable_[id.index - offset_].term != id.term) return;
  unstable_.erase(unstable_.begin(),
                  unstable_.begin() + static_cast<std::ptrdiff_t>(id.index + 1 - offset_));
  offset_ = id.index + 1;
}

void RaftLog::StableSnapTo(std::uint64_t index) {
  if (unstable_snapshot_ && unstable_snapshot_->metadata.index == index) {
    unstable_snapshot_.reset();
  }
}

void RaftLog::Restore(const Snapshot& snapshot) {
  committed_ = snapshot.metadata.index;
  unstable_.clear();
  offset_ = snapshot.metadata.index + 1;
  unstable_snapshot_ = snapshot;
}

}  // namespace pledger::consensus
