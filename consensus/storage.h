// LogStorage: the Raft log as the core sees it, and MemoryLogStorage.
//
// The core only READS storage (LogStorage). The driver WRITES it
// (MutableLogStorage) from each Ready: hard state, snapshot, entries. Between
// the two, the storage view must include everything written so far, synced
// or not: the core hands entries to storage and then forgets them.
//
// Indexes: the log holds entries FirstIndex()..LastIndex(). Everything up to
// FirstIndex() - 1 is covered by the snapshot (SnapshotMetadata.index), whose
// term Term(FirstIndex() - 1) still answers. An empty log has FirstIndex() =
// snapshot index + 1 and LastIndex() = snapshot index.
//
// Errors are named, and the core depends on the names:
//   code kCompacted,  reason LOG_COMPACTED:   below FirstIndex() (or its term
//                                              below the snapshot)
//   code kUnavailable, reason LOG_UNAVAILABLE: above LastIndex()
//   code kUnavailable, reason SNAPSHOT_TEMPORARILY_UNAVAILABLE: GetSnapshot
//                                              cannot produce one right now
// Any other error (I/O, corruption) is fatal to the RawNode that sees it.
#ifndef PLEDGER_CONSENSUS_STORAGE_H_
#define PLEDGER_CONSENSUS_STORAGE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "consensus/status.h"
#include "consensus/types.h"

namespace pledger::consensus {

// The named storage errors.
Status ErrCompacted(std::uint64_t index, std::uint64_t first_index);
Status ErrUnavailable(std::uint64_t index, std::uint64_t last_index);
Status ErrSnapshotTemporarilyUnavailable();
inline bool IsCompacted(const Status& s) { return s.code() == StatusCode::kCompacted; }
inline bool IsUnavailable(const Status& s) { return s.code() == StatusCode::kUnavailable; }

struct InitialState {
  HardState hard_state;
  // The configuration as of index `conf_index` (the snapshot's index, 0 for
  // none); CONF_CHANGE entries after it are replayed on top.
  ConfState conf_state;
  std::uint64_t conf_index = 0;
};

class LogStorage {
 public:
  virtual ~LogStorage() = default;

  virtual Result<InitialState> GetInitialState() const = 0;
  // Entries [lo, hi), stopping once their EntrySizeBytes total would exceed
  // max_bytes, but always at least one entry when lo < hi.
  virtual Result<std::vector<Entry>> Entries(std::uint64_t lo, std::uint64_t hi,
                                             std::uint64_t max_bytes) const = 0;
  // Term of the entry at `index`, for FirstIndex() - 1 <= index <= LastIndex().
  virtual Result<std::uint64_t> Term(std::uint64_t index) const = 0;
  virtual std::uint64_t FirstIndex() const = 0;
  virtual std::uint64_t LastIndex() const = 0;
  // The most recent snapshot (metadata and data).
  virtual Result<Snapshot> GetSnapshot() const = 0;
  // The CONF_CHANGE entries with index in [lo, hi). Configurations take
  // effect when appended, so a restarting core must find the latest one
  // without reading every (large) normal entry.
  virtual Result<std::vector<Entry>> ConfEntries(std::uint64_t lo, std::uint64_t hi) const = 0;

 protected:
  LogStorage() = default;
  LogStorage(const LogStorage&) = default;
  LogStorage& operator=(const LogStorage&) = default;
};

// The write side, used by the driver (never by the core).
class MutableLogStorage : public LogStorage {
 public:
  // Writes, in one atomic step and in this order: the snapshot (dropping
  // every entry it covers, or the whole log if it does not match), the
  // entries (first dropping any existing entries from entries[0].index on),
  // and the hard state. Null / empty parts are skipped. With `sync`, returns
  // only once this and every earlier write are durable.
  virtual Status Write(const HardState* hard_state, const Snapshot* snapshot,
                       std::span<const Entry> entries, bool sync) = 0;
  // Makes every earlier write durable (group commit: several unsynced Writes,
  // then one Sync).
  virtual Status Sync() = 0;
  // Records a snapshot of the application state at `index` (<= LastIndex(),
  // >= the current snapshot index) with the configuration `conf_state` as of
  // that index. Does not discard entries: Compact does.
  virtual Status CreateSnapshot(std::uint64_t index, const ConfState& conf_state,
                                Payload data) = 0;
  // Discards entries up to and including `index`, which must not exceed the
  // snapshot index (a follower that needs them then gets the snapshot).
  virtual Status Compact(std::uint64_t index) = 0;

 protected:
  MutableLogStorage() = default;
  MutableLogStorage(const MutableLogStorage&) = default;
  MutableLogStorage& operator=(const MutableLogStorage&) = default;
};

// Writes the initial configuration of a brand-new cluster into an empty
// storage: one CONF_CHANGE entry (ADD_VOTER) per voter at indexes 1..n, term
// 1, committed, synced. Every founding node bootstraps with the same list;
// nodes that join later start from empty storage and learn the configuration
// from the log or a snapshot. FAILED_PRECONDITION / STORAGE_NOT_EMPTY if the
// storage already holds a log or hard state.
Status Bootstrap(MutableLogStorage* storage, const std::vector<std::uint64_t>& voters);

// An in-memory log for tests, the simulator and the benchmark. Copyable (the
// simulator copies a node's durable state to model a crash). Writes are
// visible at once; Sync does nothing. Not thread-safe.
class MemoryLogStorage final : public MutableLogStorage {
 public:
  MemoryLogStorage();
  MemoryLogStorage(const MemoryLogStorage&) = default;
  MemoryLogStorage& operator=(const MemoryLogStorage&) = default;

  Result<InitialState> GetInitialState() const override;
  Result<std::vector<Entry>> Entries(std::uint64_t lo, std::uint64_t hi,
                                     std::uint64_t max_bytes) const override;
  Result<std::uint64_t> Term(std::uint64_t index) const override;
  std::uint64_t FirstIndex() const override;
  std::uint64_t LastIndex() const override;
  Result<Snapshot> GetSnapshot() const override;
  Result<std::vector<Entry>> ConfEntries(std::uint64_t lo, std::uint64_t hi) const override;

  Status Write(const HardState* hard_state, const Snapshot* snapshot,
               std::span<const Entry> entries, bool sync) override;
  Status Sync() override { return Status::OK(); }
  Status CreateSnapshot(std::uint64_t index, const ConfState& conf_state, Payload data) override;
  Status Compact(std::uint64_t index) override;

  // The pieces of Write, for tests.
  void SetHardState(const HardState& hs) { hard_state_ = hs; }
  Status Append(std::span<const Entry> entries);
  Status ApplySnapshot(const Snapshot& snapshot);

  const HardState& hard_state() const { return hard_state_; }

 private:
  HardState hard_state_;
  Snapshot snapshot_;
  // entries_[0] is a dummy standing for the snapshot: its index and term are
  // the snapshot's. Real entries follow, contiguous.
  std::vector<Entry> entries_;
};

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_STORAGE_H_
