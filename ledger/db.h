// Database: the one LevelDB instance behind a node's data directory.
//
// Every persistent record of a node (Raft log, blocks, receipts, state, indexes)
// lives in this one LevelDB under the key prefixes of ledger/keys.h. One
// instance means one write-ahead log: a block's records and its state writes go
// in one atomic WriteBatch, and a synced write also makes every earlier
// unsynced write durable (LevelDB's log is sequential), which the node relies
// on for ordering Raft-log syncs against block application.
//
// Thread safety: Database is safe for concurrent use (LevelDB is). Ownership:
// the caller owns the returned Database; destroying it closes LevelDB and
// releases the directory lock.
//
// Errors (reasons): DB_NOT_FOUND (directory missing and create_if_missing off),
// DB_LOCKED (another process, or this one, has it open), DB_CORRUPT, DB_IO.
#ifndef PLEDGER_LEDGER_DB_H_
#define PLEDGER_LEDGER_DB_H_

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/status.h"

namespace pledger::ledger {

struct DatabaseOptions {
  bool create_if_missing = true;
  size_t block_cache_bytes = 64 << 20;
  size_t write_buffer_bytes = 32 << 20;
  // Snappy-compressed tables (config storage.compression); see Open.
  bool compress = false;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }

  // nullopt if absent.
  Result<std::optional<std::string>> Get(std::string_view key) const;
  // Writes atomically; with sync, returns only once the batch is on stable
  // storage (fsync/fdatasync through LevelDB).
  Status Write(leveldb::WriteBatch* batch, bool sync);
  Status Put(std::string_view key, std::string_view value, bool sync);

  // Calls fn(key, value) for every key starting with `prefix`, in key order,
  // from `start` (>= prefix) on, until fn returns false.
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view key, std::string_view value)>& fn) const;

  std::unique_ptr<leveldb::Iterator> NewIterator() const;
  leveldb::DB* raw() { return db_.get(); }

  // Converts a LevelDB status into ours; `what` says what was being done.
  static Status FromLevelDb(const leveldb::Status& s, std::string_view what);

 private:
  Database(std::string path, std::unique_ptr<leveldb::DB> db,
           std::unique_ptr<leveldb::Cache> cache);
  std::string path_;
  std::unique_ptr<leveldb::Cache> cache_;  // outlives db_ (declared first, destroyed last)
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_DB_H_
