// LevelDbLogStorage: the Raft log (consensus::MutableLogStorage) in the
// node's single LevelDB (ledger/db.h), under key prefix keys::kRaft ('r').
//
// Sharing the node's LevelDB means one write-ahead log for Raft entries and
// blocks: a synced write makes every earlier write durable, whatever its
// keyspace, and a block applied after its log entries can never be durable
// without them. That is the ordering RawNode's driver relies on
// (consensus/raw_node.h, docs/consensus.md "Durability contract").
//
// Disk format (all under 'r'; integers in keys are big-endian):
//   'r' 'f'               raftpb.LogStoreFormat   format version (kRaftLogFormatVersion)
//   'r' 'h'               raftpb.HardState        term, vote, commit
//   'r' 's'               raftpb.SnapshotMetadata the latest snapshot's metadata
//   'r' 'd'               bytes                   the snapshot's data (absent with a SnapshotSource)
//   'r' 'c'               be64 index + be64 term  the compaction point (FirstIndex() - 1)
//   'r' 'e' + be64 index  raftpb.Entry            one log entry, exactly as replicated
//   'r' 'm' + be64 index  raftpb.LogEntryMeta     its term and type (loaded at Open)
//   'r' 'y'               empty                   written by Sync() to force an fsync
// Every Write is one LevelDB WriteBatch: a crash leaves all of it or none.
//
// Memory: terms of the live log (8 bytes per entry) and its CONF_CHANGE
// entries stay in memory, so Term() and the core's startup never read
// multi-MiB block payloads; Entries() reads from LevelDB.
//
// Thread safety: all methods are safe to call concurrently (one mutex);
// writes are expected from one thread (the Raft driver). Ownership: the
// Database is not owned and must outlive this object.
//
// Errors: the named consensus errors (LOG_COMPACTED, LOG_UNAVAILABLE,
// SNAPSHOT_TEMPORARILY_UNAVAILABLE), DB_* from ledger::Database, and
// CORRUPTION / RAFT_LOG_CORRUPT when the stored log is inconsistent (a gap,
// an unparsable record, an unknown format version).
#ifndef PLEDGER_LEDGER_RAFT_LOG_STORE_H_
#define PLEDGER_LEDGER_RAFT_LOG_STORE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "consensus/storage.h"
#include "ledger/db.h"

namespace pledger::ledger {

inline constexpr std::uint32_t kRaftLogFormatVersion = 1;

class LevelDbLogStorage final : public consensus::MutableLogStorage {
 public:
  // Produces a snapshot (metadata and data) of the application's current
  // state on demand, for a node whose state lives elsewhere in the database
  // (the ledger) rather than as a blob. The metadata's index must be >= the
  // last CreateSnapshot index and <= LastIndex().
  using SnapshotSource = std::function<Result<consensus::Snapshot>()>;

  // Loads the log from `db` (creating an empty one on first use) and issues
  // a synced write, so that whatever LevelDB recovered is durable before the
  // core treats it so.
  static Result<std::unique_ptr<LevelDbLogStorage>> Open(Database* db);

  LevelDbLogStorage(const LevelDbLogStorage&) = delete;
  LevelDbLogStorage& operator=(const LevelDbLogStorage&) = delete;

  // With a source, CreateSnapshot stores metadata only and GetSnapshot asks
  // the source.
  void SetSnapshotSource(SnapshotSource source);

  // consensus::LogStorage
  Result<consensus::InitialState> GetInitialState() const override;
  Result<std::vector<consensus::Entry>> Entries(std::uint64_t lo, std::uint64_t hi,
                                                std::uint64_t max_bytes) const override;
  Result<std::uint64_t> Term(std::uint64_t index) const override;
  std::uint64_t FirstIndex() const override;
  std::uint64_t LastIndex() const override;
  Result<consensus::Snapshot> GetSnapshot() const override;
  Result<std::vector<consensus::Entry>> ConfEntries(std::uint64_t lo,
                                                    std::uint64_t hi) const override;

  // consensus::MutableLogStorage
  Status Write(const consensus::HardState* hard_state, const consensus::Snapshot* snapshot,
               std::span<const consensus::Entry> entries, bool sync) override;
  Status Sync() override;
  Status CreateSnapshot(std::uint64_t index, const consensus::ConfState& conf_state,
                        consensus::Payload data) override;
  Status Compact(std::uint64_t index) override;

  // Synced writes so far (for tests and metrics: group commit means fewer).
  std::uint64_t synced_writes() const;

 private:
  explicit LevelDbLogStorage(Database* db) : db_(db) {}
  Status Load();
  // Adds deletes of entries [from, to] to `batch`.
  void DeleteRange(std::uint64_t from, std::uint64_t to, leveldb::WriteBatch* batch) const;
  std::uint64_t LastIndexLocked() const { return compact_index_ + terms_.size(); }
  Result<std::uint64_t> TermLocked(std::uint64_t index) const;

  Database* db_;
  mutable std::mutex mu_;
  consensus::HardState hard_state_;                // guarded by mu_
  consensus::SnapshotMetadata snapshot_;           // guarded by mu_
  std::uint64_t compact_index_ = 0;                // guarded by mu_
  std::uint64_t compact_term_ = 0;                 // guarded by mu_
  std::deque<std::uint64_t> terms_;                // terms of compact_index_+1.., guarded by mu_
  std::map<std::uint64_t, consensus::Entry> confs_;  // CONF_CHANGE entries, guarded by mu_
  SnapshotSource source_;                          // guarded by mu_
  std::uint64_t synced_writes_ = 0;                // guarded by mu_
};

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_RAFT_LOG_STORE_H_
