// History indexes, written in the same batch as each block, so any entity's
// history and any record's past value are answered by one range read, never
// by scanning the chain:
//
//   'X' entity 0x00 be64(height) be32(index)  -> HistoryRecord
//       every transaction that named the entity (accepted or refused), in
//       chain order. Entities come from contracts' TxOutcome::touched:
//       "patent/ZL…", "pledge/<id>", "account/<hex>", "org/<id>", ...
//       The value holds only what the key does not (history.proto); queries
//       answer HistoryEntry.
//   'V' state-key 0x00 be64(height)            -> 0x01 value | 0x00 (absent)
//       the value an entity record had *before* each block that wrote it (an
//       undo record), so the state of a patent or pledge as of any height is
//       one seek: the first record after that height, or the current state.
//       A record created by a block costs one byte, not a copy of 'S'.
//
// Thread-safe (reads and batch staging only).
#ifndef PLEDGER_CONTRACTS_HISTORY_H_
#define PLEDGER_CONTRACTS_HISTORY_H_

#include <leveldb/iterator.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "consensus/status.h"
#include "contracts/action_name.h"
#include "contracts/engine.h"
#include "ledger/db.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/state_store.h"
#include "contracts/proto/history.pb.h"

namespace pledger::contracts {

// Stages the history and version records of one applied block. `before` is
// the committed state the block was executed against (the version records
// keep the values it replaces); errors are its read errors, and then nothing
// of the block may be committed.
Status StageHistoryRecords(const ledger::BlockHeader& header,
                           std::span<const contracts::PreparedTx* const> txs,
                           const contracts::BlockOutcome& outcome, const ledger::StateReader& before,
                           leveldb::WriteBatch* batch);
Status StageHistoryRecords(const ledger::BlockHeader& header,
                           const std::vector<contracts::PreparedTx>& txs,
                           const contracts::BlockOutcome& outcome, const ledger::StateReader& before,
                           leveldb::WriteBatch* batch);

// Where the history queries read the indexes from: LevelDB iterators over a
// node's key space, and how their errors are reported. pledgerd reads its own
// Database (DatabaseIndexReader); pledger-audit reads a read-only copy of a
// data directory with its own error reasons. Both answer through the functions
// below, so a history page or a past record means the same on both sides.
class IndexReader {
 public:
  virtual ~IndexReader() = default;
  // An iterator over the whole key space (one consistent view); never null.
  virtual std::unique_ptr<leveldb::Iterator> NewIterator() const = 0;
  // A failed iterator status as this reader reports it (DB_CORRUPT, DB_IO …).
  virtual Status Error(const leveldb::Status& s) const = 0;
};

// IndexReader over a node's Database (errors as Database::FromLevelDb). Holds
// a reference: `db` must outlive it.
class DatabaseIndexReader final : public IndexReader {
 public:
  explicit DatabaseIndexReader(const ledger::Database& db) : db_(db) {}
  std::unique_ptr<leveldb::Iterator> NewIterator() const override { return db_.NewIterator(); }
  Status Error(const leveldb::Status& s) const override;

 private:
  const ledger::Database& db_;
};

// One page of `entity`'s history, oldest first, after `cursor` ("" = from the
// start). limit is clamped to 1..1000. Reasons: CURSOR_INVALID,
// HISTORY_RECORD_CORRUPT (a record under the entity's prefix whose key or
// value does not parse: the index is damaged, so no page is given rather than
// one with a gap), and the reader's errors.
Result<HistoryPage> QueryHistory(const IndexReader& reader, const std::string& entity,
                                 const std::string& cursor, size_t limit);
Result<HistoryPage> QueryHistory(const ledger::Database& db, const std::string& entity,
                                 const std::string& cursor, size_t limit);

// The value of state `key` after block `height` (nullopt: absent then);
// height 0 is the genesis state, a height past the tip the current state.
// Only entity records are versioned (not indexes): see IsVersionedKey; for
// other keys this answers the current state. Reasons: VERSION_RECORD_CORRUPT
// (the version's value is neither 0x00 nor 0x01 + value), and the reader's
// errors.
Result<std::optional<std::string>> StateAsOf(const IndexReader& reader, const std::string& key,
                                             std::uint64_t height);
Result<std::optional<std::string>> StateAsOf(const ledger::Database& db, const std::string& key,
                                             std::uint64_t height);
bool IsVersionedKey(std::string_view key);

// Every change blocks made to the versioned records under `state_prefix`
// ("validator/"), by key and then height, with the value each block left
// (nullopt: deleted). The current state is read through a second iterator,
// so the reader must not change meanwhile (a replica, or a node's own writer
// thread). Reasons: VERSION_RECORD_CORRUPT, and the reader's errors.
struct RecordChange {
  std::string key;
  std::uint64_t height = 0;
  std::optional<std::string> after;
};
Result<std::vector<RecordChange>> RecordChanges(const IndexReader& reader, std::string_view state_prefix);

// The parts of a history key ('X' entity 0x00 be64(height) be32(index)) and
// of a version key ('V' state-key 0x00 be64(height)); nullopt for any other
// key. The views point into the key.
struct HistoryKeyParts {
  std::string_view entity;
  std::uint64_t height = 0;
  std::uint32_t index = 0;
};
std::optional<HistoryKeyParts> ParseHistoryKey(std::string_view key);
struct VersionKeyParts {
  std::string_view state_key;
  std::uint64_t height = 0;
};
std::optional<VersionKeyParts> ParseVersionKey(std::string_view key);
// A version record's value: the record before the block, or nullopt when it
// was absent then. Reasons: VERSION_RECORD_CORRUPT.
Result<std::optional<std::string>> ParseVersionValue(std::string_view value);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_HISTORY_H_
