// RaftLog: the core's view of the log: the storage (what the driver has
// written) plus the unstable tail (entries and a snapshot not yet handed to
// storage), and the commit and apply cursors.
//
//   [ compacted | storage: FirstIndex() .. offset-1 | unstable: offset .. LastIndex() ]
//                                     applied <= committed <= LastIndex()
//
// When a follower's log conflicts with its leader's, the unstable tail starts
// below the storage's last index: storage entries from `offset` on are stale
// and are overwritten when the next Ready is written.
//
// Errors: storage errors pass through (LOG_COMPACTED / LOG_UNAVAILABLE are
// expected in places and handled by the caller; anything else is fatal).
// Thread safety: none (owned by one Raft).
#ifndef PLEDGER_CONSENSUS_RAFT_LOG_H_
#define PLEDGER_CONSENSUS_RAFT_LOG_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "consensus/status.h"
#include "consensus/storage.h"
#include "consensus/types.h"

namespace pledger::consensus {

class RaftLog {
 public:
  explicit RaftLog(const LogStorage* storage) : storage_(storage) {}

  // Loads the bounds from storage; committed and applied start at the
  // snapshot index (the caller then raises them from the hard state).
  void Reset();

  std::uint64_t FirstIndex() const;
  std::uint64_t LastIndex() const;
  Result<std::uint64_t> Term(std::uint64_t index) const;
  Result<std::uint64_t> LastTerm() const { return Term(LastIndex()); }
  // Term(index) == term; false for compacted or missing indexes.
  bool MatchTerm(std::uint64_t index, std::uint64_t term) const;
  // Term(index), or 0 when the index is compacted or beyond the log; other
  // errors pass through.
  Result<std::uint64_t> TermOrZero(std::uint64_t index) const;

  // Section 5.4.1: a candidate's log (last_index, last_term) is at least as
  // up to date as ours.
  Result<bool> IsUpToDate(std::uint64_t last_index, std::uint64_t last_term) const;

  // The first index in `entries` whose term differs from ours (or that we do
  // not have), or 0 if we hold all of them.
  Result<std::uint64_t> FindConflict(std::span<const Entry> entries) const;
  // Fast backtracking: the largest index <= `index` whose term is <= `term`,
  // and that term. A leader that sees a rejection probes there next.
  Result<EntryId> FindConflictByTerm(std::uint64_t index, std::uint64_t term) const;

  // Appends to the unstable tail, truncating a conflicting suffix first.
  // Precondition: entries[0].index > committed() and <= LastIndex() + 1.
  void Append(std::span<const Entry> entries);
  void Append(std::vector<Entry>&& entries);

  // Entries [lo, hi) up to max_bytes (at least one).
  Result<std::vector<Entry>> Slice(std::uint64_t lo, std::uint64_t hi,
                                   std::uint64_t max_bytes) const;

  std::uint64_t committed() const { return committed_; }
  std::uint64_t applied() const { return applied_; }
  void CommitTo(std::uint64_t index);
  // Commits up to `index` if its entry is of `term` (the leader's commit
  // rule, section 5.4.2). Returns whether committed() moved.
  Result<bool> MaybeCommit(std::uint64_t index, std::uint64_t term);
  void AppliedTo(std::uint64_t index);

  // Committed entries not yet applied (starting after any pending snapshot),
  // up to max_bytes (at least one).
  bool HasNextCommittedEntries() const;
  Result<std::vector<Entry>> NextCommittedEntries(std::uint64_t max_bytes) const;

  // The unstable tail, handed out in a Ready.
  const std::vector<Entry>& unstable_entries() const { return unstable_; }
  const std::optional<Snapshot>& unstable_snapshot() const { return unstable_snapshot_; }
  // The driver wrote the tail up to `id` / the snapshot at `index` to storage.
  void StableTo(EntryId id);
  void StableSnapTo(std::uint64_t index);

  // Replaces the whole log by a snapshot (commit moves to its index).
  void Restore(const Snapshot& snapshot);

 private:
  const LogStorage* storage_;
  std::vector<Entry> unstable_;      // indexes offset_ .. offset_ + size - 1
  std::uint64_t offset_ = 1;
  std::optional<Snapshot> unstable_snapshot_;
  std::uint64_t committed_ = 0;
  std::uint64_t applied_ = 0;
};

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_RAFT_LOG_H_
