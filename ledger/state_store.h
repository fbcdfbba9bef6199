// StateStore: the contracts' key-value state, and its state root.
//
// Records live under 'S' + key. The state root commits to the *whole* state,
// not just to the history of writes, so a node that receives a state snapshot
// can check it against a root signed by the validators (catch-up, audits):
//
//   bucket(key)  = first 16 bits of SHA-256(key)                 (65,536 buckets)
//   bucket hash  = 32 zero bytes if the bucket is empty, else
//                  SHA-256(0x02 || for each (key, value) in the bucket, by key:
//                          be32(len(key)) || key || SHA-256(value))
//   state root   = RFC 6962 tree hash over the 65,536 bucket hashes taken as
//                  leaf hashes (a complete binary tree of depth 16; inner
//                  nodes SHA-256(0x01 || left || right), see ledger/merkle.h)
//
// Updating a block's write set touches one bucket per written key: the bucket
// is re-hashed from its commitment index ('K' + bucket + key -> SHA-256(value),
// a handful of entries per bucket up to millions of keys) and 16 inner nodes
// per bucket are recomputed from an in-memory copy of the tree (4 MiB).
// The construction is deterministic: it depends only on the set of (key,
// value) pairs, never on write order or history. docs/formats.md has it too.
//
// Re-hashing a bucket needs all its entries. Reading them back through a
// LevelDB iterator (a seek into every table that may hold the bucket) was the
// larger part of staging a block, so the writer keeps a copy of the buckets it
// has touched: Publish installs each touched bucket's new entries, Stage reads
// a cached bucket instead of the database, a bucket whose hash in the tree is
// the empty bucket's (32 zero bytes, which no SHA-256 is) holds nothing and is
// not read at all (on a young chain, and in every replay from genesis, most
// touched buckets are empty), and any other bucket not cached is read through
// the iterator. The copy holds only committed entries (a staged write set that
// is never published leaves it alone) and is bounded (kBucketCacheBytes): past
// the bound, a bucket that does not fit is dropped from the copy and read from
// the database. Load and Initialize start it empty; nothing else writes the
// commitment index ('K'), which is what keeps the copy exact.
//
// Thread safety: Get/Scan/root may be called from any thread concurrently
// with one writer calling Stage/Publish. Ownership: the Database is not owned
// and must outlive the StateStore.
#ifndef PLEDGER_LEDGER_STATE_STORE_H_
#define PLEDGER_LEDGER_STATE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/db.h"

namespace pledger::ledger {

// Writes of one block (or one transaction), sorted by key. nullopt deletes.
using WriteSet = std::map<std::string, std::optional<std::string>, std::less<>>;

inline constexpr unsigned kStateBucketBits = 16;
inline constexpr std::uint32_t kStateBuckets = 1u << kStateBucketBits;
inline constexpr size_t kMaxStateKeyBytes = 512;
inline constexpr size_t kMaxStateValueBytes = 1 << 20;

// Read access to state, as contracts see it. Implemented by StateStore
// (committed state) and by the contract engine's overlay (committed + pending).
class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;
  // Calls fn for keys with `prefix` in key order until fn returns false.
  virtual Status Scan(std::string_view prefix,
                      const std::function<bool(std::string_view key, std::string_view value)>& fn)
      const = 0;
};

class StateStore final : public StateReader {
 public:
  // A write set staged into a batch, not yet visible. Publish it once the batch
  // is written.
  // A bucket's committed entries: (key, SHA-256(value)) in key order.
  using BucketEntries = std::vector<std::pair<std::string, Hash256>>;
  struct Staged {
    std::vector<std::pair<std::uint32_t, Hash256>> nodes;  // tree index -> hash
    Hash256 root{};
    // Each touched bucket's entries once the batch is written.
    std::vector<std::pair<std::uint16_t, std::shared_ptr<const BucketEntries>>> buckets;
  };
  // Bound on the writer's copy of bucket entries (about 100 bytes per state
  // key: a million keys and more fit).
  static constexpr size_t kBucketCacheBytes = 128u << 20;
  // Bytes the copy holds now (for tests and metrics).
  size_t bucket_cache_bytes() const;

  // `bucket_cache_bytes` bounds the writer's copy of buckets (0: none).
  explicit StateStore(Database* db, size_t bucket_cache_bytes = kBucketCacheBytes);
  // Reads the bucket hashes and builds the in-memory tree.
  Status Load();

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override;
  Hash256 root() const;

  // Adds the records of `writes` and the updated commitment to `batch` and
  // computes the root the state will have once the batch is written. Does not
  // change what readers see. Reasons: STATE_KEY_INVALID, STATE_VALUE_TOO_LARGE.
  Result<Staged> Stage(const WriteSet& writes, leveldb::WriteBatch* batch) const;
  void Publish(const Staged& staged);

  // A reader over the state as it is now, unaffected by later commits (a
  // LevelDB snapshot): for queries that read several records, and for
  // serving state to a catching-up peer. Thread-safe.
  std::unique_ptr<StateReader> SnapshotReader() const;

  static std::uint16_t BucketOf(std::string_view key);
  // Bucket hash from its (key, SHA-256(value)) entries in key order.
  static Hash256 BucketHash(const std::vector<std::pair<std::string, Hash256>>& entries);
  // Root of a whole state given as sorted (key, value) pairs; for snapshot
  // verification and tests (O(n), no database).
  static Hash256 RootOf(const std::map<std::string, std::string, std::less<>>& state);

 private:
  static size_t CostOf(const BucketEntries& entries);
  // The committed entries of `bucket`, from the copy or read through `*it`
  // (created on first use).
  Result<std::shared_ptr<const BucketEntries>> CommittedBucket(
      std::uint16_t bucket, std::unique_ptr<leveldb::Iterator>* it) const;

  Database* db_;
  mutable std::mutex mu_;
  std::vector<Hash256> tree_;  // heap layout: 1 = root, leaves at kStateBuckets + b
  // The writer's copy of committed buckets (null: not held), and its size.
  // Guarded by cache_mu_.
  mutable std::mutex cache_mu_;
  const size_t bucket_cache_limit_;
  std::vector<std::shared_ptr<const BucketEntries>> bucket_cache_;
  size_t bucket_cache_bytes_ = 0;
};

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_STATE_STORE_H_
