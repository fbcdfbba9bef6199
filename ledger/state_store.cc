#include "ledger/state_store.h"

#include <cstring>
#include <set>

#include "ledger/crypto.h"
#include "ledger/keys.h"
#include "ledger/merkle.h"

namespace pledger::ledger {
namespace {

constexpr Hash256 kEmptyBucket{};

// Builds every inner node of a heap-layout tree from its leaves.
void BuildInner(std::vector<Hash256>* tree) {
  for (std::uint32_t i = kStateBuckets - 1; i >= 1; --i) {
    (*tree)[i] = MerkleNodeHash((*tree)[2 * i], (*tree)[2 * i + 1]);
  }
}

}  // namespace

StateStore::StateStore(Database* db, size_t bucket_cache_bytes)
    : db_(db), tree_(2 * kStateBuckets), bucket_cache_limit_(bucket_cache_bytes), bucket_cache_(kStateBuckets) {}

size_t StateStore::bucket_cache_bytes() const {
  std::lock_guard<std::mutex> lock(cache_mu_);
  return bucket_cache_bytes_;
}

size_t StateStore::CostOf(const BucketEntries& entries) {
  size_t bytes = sizeof(BucketEntries);
  for (const auto& [key, vh] : entries) bytes += sizeof(entries[0]) + key.size();
  return bytes;
}

std::uint16_t StateStore::BucketOf(std::string_view key) {
  Hash256 h = Sha256(key);
  return static_cast<std::uint16_t>((h[0] << 8) | h[1]);
}

// The one definition of a bucket hash (Stage, RootOf and catch-up use it).
Hash256 StateStore::BucketHash(const std::vector<std::pair<std::string, Hash256>>& entries) {
  if (entries.empty()) return kEmptyBucket;
  Sha256Hasher h;
  static constexpr std::uint8_t kBucketPrefix = 0x02;
  h.Update(ByteSpan(&kBucketPrefix, 1));
  std::string len;
  for (const auto& [key, value_hash] : entries) {
    len.clear();
    PutBigEndian32(&len, static_cast<std::uint32_t>(key.size()));
    h.Update(len).Update(key).Update(value_hash);
  }
  return h.Finish();
}

Hash256 StateStore::RootOf(const std::map<std::string, std::string, std::less<>>& state) {
  std::vector<std::vector<std::pair<std::string, Hash256>>> buckets(kStateBuckets);
  for (const auto& [k, v] : state) buckets[BucketOf(k)].emplace_back(k, Sha256(v));
  std::vector<Hash256> tree(2 * kStateBuckets);
  for (std::uint32_t b = 0; b < kStateBuckets; ++b) tree[kStateBuckets + b] = BucketHash(buckets[b]);
  BuildInner(&tree);
  return tree[1];
}

Status StateStore::Load() {
  std::vector<Hash256> tree(2 * kStateBuckets);
  std::string prefix(1, keys::kBucket);
  Status bad;
  PLEDGER_RETURN_IF_ERROR(db_->Scan(prefix, prefix, [&](std::string_view k, std::string_view v) {
    if (k.size() != 3 || v.size() != 32) {
      bad = Status::Corruption("STATE_COMMITMENT_CORRUPT",
                               "state bucket record has the wrong size; the data directory is "
                               "damaged, resynchronise the node");
      return false;
    }
    std::uint32_t b = (static_cast<std::uint8_t>(k[1]) << 8) | static_cast<std::uint8_t>(k[2]);
    std::copy(v.begin(), v.end(), tree[kStateBuckets + b].begin());
    return true;
  }));
  PLEDGER_RETURN_IF_ERROR(bad);
  BuildInner(&tree);
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    bucket_cache_.assign(kStateBuckets, nullptr);
    bucket_cache_bytes_ = 0;
  }
  std::lock_guard<std::mutex> lock(mu_);
  tree_ = std::move(tree);
  return Status::OK();
}

Result<std::optional<std::string>> StateStore::Get(std::string_view key) const {
  return db_->Get(keys::State(key));
}

Status StateStore::Scan(std::string_view prefix,
                        const std::function<bool(std::string_view, std::string_view)>& fn) const {
  std::string p = keys::State(prefix);
  return db_->Scan(p, p, [&](std::string_view k, std::string_view v) { return fn(k.substr(1), v); });
}

namespace {

// StateReader over a LevelDB snapshot; releases it when destroyed.
class SnapshotStateReader final : public StateReader {
 public:
  SnapshotStateReader(leveldb::DB* db) : db_(db), snap_(db->GetSnapshot()) {}
  ~SnapshotStateReader() override { db_->ReleaseSnapshot(snap_); }

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    leveldb::ReadOptions ro;
    ro.snapshot = snap_;
    std::string value;
    leveldb::Status s = db_->Get(ro, keys::State(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return Database::FromLevelDb(s, "reading state");
    return std::optional<std::string>(std::move(value));
  }

  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    leveldb::ReadOptions ro;
    ro.snapshot = snap_;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
    std::string p = keys::State(prefix);
    for (it->Seek(p); it->Valid(); it->Next()) {
      std::string_view k(it->key().data(), it->key().size());
      if (k.substr(0, p.size()) != p) break;
      if (!fn(k.substr(1), std::string_view(it->value().data(), it->value().size()))) break;
    }
    return Database::FromLevelDb(it->status(), "scanning state");
  }

 private:
  leveldb::DB* db_;
  const leveldb::Snapshot* snap_;
};

}  // namespace

std::unique_ptr<StateReader> StateStore::SnapshotReader() const {
  return std::make_unique<SnapshotStateReader>(db_->raw());
}

Hash256 StateStore::root() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tree_[1];
}

Result<StateStore::Staged> StateStore::Stage(const WriteSet& writes,
                                             leveldb::WriteBatch* batch) const {
  // Group the writes by bucket; each group stays sorted by key.
  std::map<std::uint16_t, std::vector<std::pair<std::string_view, const std::optional<std::string>*>>>
      by_bucket;
  for (const auto& [key, value] : writes) {
    if (key.empty() || key.size() > kMaxStateKeyBytes) {
      return Status::InvalidArgument("STATE_KEY_INVALID",
                                     "state keys must be 1 to 512 bytes, got " +
                                         std::to_string(key.size()));
    }
    if (value && value->size() > kMaxStateValueBytes) {
      return Status::InvalidArgument("STATE_VALUE_TOO_LARGE",
                                     "state value for a key is over 1 MiB");
    }
    by_bucket[BucketOf(key)].emplace_back(key, &value);
  }

  Staged staged;
  std::map<std::uint32_t, Hash256> changed;  // tree index -> new hash
  // One iterator for every bucket not in the writer's copy: creating one per
  // bucket costs more than reading the bucket. Buckets are visited in key
  // order, so its seeks move forward. Each bucket's committed entries and this
  // write set's entries, both in key order (LevelDB's bytewise order being
  // std::string's), are merged into the bucket's new entries.
  std::unique_ptr<leveldb::Iterator> it;
  for (const auto& [bucket, group] : by_bucket) {
    PLEDGER_ASSIGN_OR_RETURN(std::shared_ptr<const BucketEntries> committed, CommittedBucket(bucket, &it));
    auto fresh = std::make_shared<BucketEntries>();
    fresh->reserve(committed->size() + group.size());
    auto c = committed->begin();
    auto w = group.begin();
    while (c != committed->end() || w != group.end()) {
      if (c != committed->end() && (w == group.end() || c->first < w->first)) {
        fresh->push_back(*c);  // untouched by this write set
        ++c;
        continue;
      }
      const auto& [key, value] = *w;
      if (c != committed->end() && c->first == key) ++c;  // replaced or deleted
      std::string ck = keys::Commit(bucket, key);
      if (value->has_value()) {
        Hash256 vh = Sha256(**value);
        fresh->emplace_back(std::string(key), vh);
        batch->Put(keys::State(key), **value);
        batch->Put(ck, std::string(AsStringView(vh)));
      } else {
        batch->Delete(keys::State(key));
        batch->Delete(ck);
      }
      ++w;
    }
    Hash256 bh = BucketHash(*fresh);
    if (fresh->empty()) {
      batch->Delete(keys::Bucket(bucket));
    } else {
      batch->Put(keys::Bucket(bucket), std::string(AsStringView(bh)));
    }
    changed[kStateBuckets + bucket] = bh;
    staged.buckets.emplace_back(bucket, std::move(fresh));
  }

  std::lock_guard<std::mutex> lock(mu_);
  auto node = [&](std::uint32_t i) -> const Hash256& {
    auto found = changed.find(i);
    return found != changed.end() ? found->second : tree_[i];
  };
  std::set<std::uint32_t> level;
  for (const auto& [i, h] : changed) level.insert(i);
  while (!level.empty() && *level.begin() > 1) {
    std::set<std::uint32_t> parents;
    for (std::uint32_t i : level) parents.insert(i / 2);
    for (std::uint32_t p : parents) changed[p] = MerkleNodeHash(node(2 * p), node(2 * p + 1));
    level = std::move(parents);
  }
  staged.nodes.assign(changed.begin(), changed.end());
  staged.root = node(1);
  return staged;
}

Result<std::shared_ptr<const StateStore::BucketEntries>> StateStore::CommittedBucket(
    std::uint16_t bucket, std::unique_ptr<leveldb::Iterator>* it) const {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (bucket_cache_[bucket] != nullptr) return bucket_cache_[bucket];
  }
  {
    // An empty bucket needs no seek to learn that it is empty (header).
    std::lock_guard<std::mutex> lock(mu_);
    if (tree_[kStateBuckets + bucket] == kEmptyBucket) return std::make_shared<const BucketEntries>();
  }
  if (*it == nullptr) *it = db_->NewIterator();
  auto entries = std::make_shared<BucketEntries>();
  const std::string prefix = keys::Commit(bucket, "");
  for ((*it)->Seek(prefix); (*it)->Valid(); (*it)->Next()) {
    std::string_view k((*it)->key().data(), (*it)->key().size());
    if (k.substr(0, prefix.size()) != prefix) break;
    // A value of the wrong size hashes as zeros, as BucketHash's callers
    // always treated it.
    Hash256 vh{};
    if ((*it)->value().size() == vh.size()) std::memcpy(vh.data(), (*it)->value().data(), vh.size());
    entries->emplace_back(std::string(k.substr(prefix.size())), vh);
  }
  PLEDGER_RETURN_IF_ERROR(Database::FromLevelDb((*it)->status(), "reading state commitment"));
  return std::shared_ptr<const BucketEntries>(std::move(entries));
}

void StateStore::Publish(const Staged& staged) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    for (const auto& [bucket, entries] : staged.buckets) {
      auto& slot = bucket_cache_[bucket];
      if (slot != nullptr) {
        bucket_cache_bytes_ -= CostOf(*slot);
        slot = nullptr;
      }
      const size_t cost = CostOf(*entries);
      if (bucket_cache_bytes_ + cost > bucket_cache_limit_) continue;  // full: read from disk
      slot = entries;
      bucket_cache_bytes_ += cost;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [i, h] : staged.nodes) tree_[i] = h;
}

}  // namespace pledger::ledger
