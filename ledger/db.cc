#include "ledger/db.h"

#include <leveldb/cache.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>

namespace pledger::ledger {

Status Database::FromLevelDb(const leveldb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string detail = s.ToString();
  std::string msg = std::string(what) + ": " + detail;
  if (s.IsIOError() && detail.find("lock") != std::string::npos) {
    return Status::FailedPrecondition(
        "DB_LOCKED", msg + "; another pledgerd (or tool) has this data directory open. Stop it, "
                           "or use another data directory");
  }
  if (s.IsInvalidArgument() && detail.find("does not exist") != std::string::npos) {
    return Status::NotFound("DB_NOT_FOUND",
                            msg + "; check the data directory path, or initialise the node first");
  }
  if (s.IsCorruption()) {
    return Status::Corruption("DB_CORRUPT",
                              msg + "; the data directory is damaged. Restore it from a backup or "
                                    "resynchronise the node from its peers");
  }
  if (s.IsNotFound()) return Status::NotFound("DB_NOT_FOUND", msg);
  return Status::IOError("DB_IO", msg + "; check disk space and permissions");
}

Database::Database(std::string path, std::unique_ptr<leveldb::DB> db,
                   std::unique_ptr<leveldb::Cache> cache)
    : path_(std::move(path)), cache_(std::move(cache)), db_(std::move(db)) {}

Database::~Database() { db_.reset(); }

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const DatabaseOptions& options) {
  leveldb::Options opts;
  opts.create_if_missing = options.create_if_missing;
  opts.paranoid_checks = true;
  opts.write_buffer_size = options.write_buffer_bytes;
  std::unique_ptr<leveldb::Cache> cache(leveldb::NewLRUCache(options.block_cache_bytes));
  opts.block_cache = cache.get();
  // A Bloom filter makes point reads of absent keys (duplicate-tx checks,
  // fresh state keys) skip disk reads. The policy is a process-wide singleton.
  static const leveldb::FilterPolicy* bloom = leveldb::NewBloomFilterPolicy(10);
  opts.filter_policy = bloom;
  // No Snappy by default: it about halves the disk use of the benchmark's
  // data, but compressing every table LevelDB writes (and inflating every
  // block it reads back) was 5-6 % of a follower's CPU on a grown chain, most
  // of it in compactions (docs/performance.md, "Node"). An operator short of
  // disk rather than CPU turns it on (storage.compression).
  opts.compression = options.compress ? leveldb::kSnappyCompression : leveldb::kNoCompression;
  // 16 KiB table blocks instead of 4: LevelDB writes (and reads back) a
  // table one block per system call, and on a grown chain compactions'
  // block writes were a quarter of a follower's kernel time. Point reads
  // mostly hit the block cache or stop at the Bloom filter.
  opts.block_size = 16 * 1024;
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(opts, path, &raw);
  if (!s.ok()) return FromLevelDb(s, "opening database " + path);
  return std::unique_ptr<Database>(
      new Database(path, std::unique_ptr<leveldb::DB>(raw), std::move(cache)));
}

Result<std::optional<std::string>> Database::Get(std::string_view key) const {
  std::string value;
  leveldb::Status s =
      db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromLevelDb(s, "reading " + path_);
  return std::optional<std::string>(std::move(value));
}

Status Database::Write(leveldb::WriteBatch* batch, bool sync) {
  leveldb::WriteOptions wo;
  wo.sync = sync;
  return FromLevelDb(db_->Write(wo, batch), "writing " + path_);
}

Status Database::Put(std::string_view key, std::string_view value, bool sync) {
  leveldb::WriteBatch batch;
  batch.Put(leveldb::Slice(key.data(), key.size()), leveldb::Slice(value.data(), value.size()));
  return Write(&batch, sync);
}

Status Database::Scan(
    std::string_view prefix, std::string_view start,
    const std::function<bool(std::string_view key, std::string_view value)>& fn) const {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  std::string_view from = start < prefix ? prefix : start;
  for (it->Seek(leveldb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (k.substr(0, prefix.size()) != prefix) break;
    if (!fn(k, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromLevelDb(it->status(), "scanning " + path_);
}

std::unique_ptr<leveldb::Iterator> Database::NewIterator() const {
  return std::unique_ptr<leveldb::Iterator>(db_->NewIterator(leveldb::ReadOptions()));
}

}  // namespace pledger::ledger
