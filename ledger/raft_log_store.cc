#include "ledger/raft_log_store.h"

#include <algorithm>
#include <string>

#include "consensus/codec.h"
#include "consensus/proto/raft.pb.h"
#include "ledger/bytes.h"
#include "ledger/keys.h"

namespace pledger::ledger {

using consensus::Entry;
using consensus::EntryType;

namespace {

// Sub-keys under keys::kRaft; see the header for the layout.
constexpr char kFormat = 'f';
constexpr char kHardState = 'h';
constexpr char kSnapMeta = 's';
constexpr char kSnapData = 'd';
constexpr char kCompaction = 'c';
constexpr char kEntry = 'e';
constexpr char kEntryMeta = 'm';
constexpr char kSyncMarker = 'y';

std::string Key(char sub) { return std::string{keys::kRaft, sub}; }

std::string IndexKey(char sub, std::uint64_t index) {
  std::string k = Key(sub);
  PutBigEndian64(&k, index);
  return k;
}

leveldb::Slice S(const std::string& s) { return leveldb::Slice(s.data(), s.size()); }

Status Corrupt(const std::string& what) {
  return Status::Corruption("RAFT_LOG_CORRUPT",
                            what + "; the Raft log in this data directory is damaged: restore it "
                                   "or resynchronise the node from its peers");
}

}  // namespace

Result<std::unique_ptr<LevelDbLogStorage>> LevelDbLogStorage::Open(Database* db) {
  std::unique_ptr<LevelDbLogStorage> s(new LevelDbLogStorage(db));
  PLEDGER_RETURN_IF_ERROR(s->Load());
  PLEDGER_RETURN_IF_ERROR(s->Sync());
  return s;
}

Status LevelDbLogStorage::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  PLEDGER_ASSIGN_OR_RETURN(auto fmt, db_->Get(Key(kFormat)));
  if (!fmt) {
    raftpb::LogStoreFormat f;
    f.set_version(kRaftLogFormatVersion);
    PLEDGER_RETURN_IF_ERROR(db_->Put(Key(kFormat), f.SerializeAsString(), /*sync=*/true));
  } else {
    raftpb::LogStoreFormat f;
    if (!f.ParseFromString(*fmt)) return Corrupt("unparsable format record");
    if (f.version() != kRaftLogFormatVersion) {
      return Status::FailedPrecondition(
          "RAFT_LOG_FORMAT_UNSUPPORTED",
          "Raft log format version " + std::to_string(f.version()) + " is not " +
              std::to_string(kRaftLogFormatVersion) + "; use a matching pledgerd");
    }
  }
  PLEDGER_ASSIGN_OR_RETURN(auto hs, db_->Get(Key(kHardState)));
  if (hs) {
    raftpb::HardState pb;
    if (!pb.ParseFromString(*hs)) return Corrupt("unparsable hard state");
    hard_state_ = consensus::FromProto(pb);
  }
  PLEDGER_ASSIGN_OR_RETURN(auto meta, db_->Get(Key(kSnapMeta)));
  if (meta) {
    raftpb::SnapshotMetadata pb;
    if (!pb.ParseFromString(*meta)) return Corrupt("unparsable snapshot metadata");
    auto m = consensus::FromProto(pb);
    if (!m.ok()) return Corrupt("invalid snapshot metadata: " + m.status().ToString());
    snapshot_ = *m;
  }
  PLEDGER_ASSIGN_OR_RETURN(auto cp, db_->Get(Key(kCompaction)));
  if (cp) {
    if (cp->size() != 16) return Corrupt("bad compaction record");
    compact_index_ = GetBigEndian64(cp->data());
    compact_term_ = GetBigEndian64(cp->data() + 8);
  }
  // Entry metadata must be contiguous from the compaction point.
  Status scan_error;
  std::vector<std::uint64_t> conf_indexes;
  const std::string prefix = Key(kEntryMeta);
  Status s = db_->Scan(prefix, IndexKey(kEntryMeta, compact_index_ + 1),
                       [&](std::string_view key, std::string_view value) {
                         if (key.size() != prefix.size() + 8) {
                           scan_error = Corrupt("bad entry meta key");
                           return false;
                         }
                         const std::uint64_t index = GetBigEndian64(key.data() + prefix.size());
                         if (index != compact_index_ + terms_.size() + 1) {
                           scan_error = Corrupt("gap in the log at index " +
                                                std::to_string(compact_index_ + terms_.size() + 1));
                           return false;
                         }
                         raftpb::LogEntryMeta m;
                         if (!m.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                           scan_error = Corrupt("unparsable entry meta at " + std::to_string(index));
                           return false;
                         }
                         terms_.push_back(m.term());
                         if (m.type() == raftpb::ENTRY_CONF_CHANGE) conf_indexes.push_back(index);
                         return true;
                       });
  PLEDGER_RETURN_IF_ERROR(s);
  PLEDGER_RETURN_IF_ERROR(scan_error);
  for (std::uint64_t index : conf_indexes) {
    PLEDGER_ASSIGN_OR_RETURN(auto raw, db_->Get(IndexKey(kEntry, index)));
    if (!raw) return Corrupt("missing entry " + std::to_string(index));
    raftpb::Entry pb;
    if (!pb.ParseFromString(*raw)) return Corrupt("unparsable entry " + std::to_string(index));
    auto e = consensus::FromProto(&pb);
    if (!e.ok() || e->index != index) return Corrupt("bad entry " + std::to_string(index));
    confs_.emplace(index, std::move(*e));
  }
  return Status::OK();
}

void LevelDbLogStorage::SetSnapshotSource(SnapshotSource source) {
  std::lock_guard<std::mutex> lock(mu_);
  source_ = std::move(source);
}

Result<consensus::InitialState> LevelDbLogStorage::GetInitialState() const {
  std::lock_guard<std::mutex> lock(mu_);
  return consensus::InitialState{hard_state_, snapshot_.conf_state, snapshot_.index};
}

std::uint64_t LevelDbLogStorage::FirstIndex() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compact_index_ + 1;
}

std::uint64_t LevelDbLogStorage::LastIndex() const {
  std::lock_guard<std::mutex> lock(mu_);
  return LastIndexLocked();
}

Result<std::uint64_t> LevelDbLogStorage::TermLocked(std::uint64_t index) const {
  if (index < compact_index_) return consensus::ErrCompacted(index, compact_index_ + 1);
  if (index == compact_index_) return compact_term_;
  if (index > LastIndexLocked()) return consensus::ErrUnavailable(index, LastIndexLocked());
  return terms_[index - compact_index_ - 1];
}

Result<std::uint64_t> LevelDbLogStorage::Term(std::uint64_t index) const {
  std::lock_guard<std::mutex> lock(mu_);
  return TermLocked(index);
}

Result<std::vector<Entry>> LevelDbLogStorage::Entries(std::uint64_t lo, std::uint64_t hi,
                                                      std::uint64_t max_bytes) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (lo <= compact_index_) return consensus::ErrCompacted(lo, compact_index_ + 1);
    if (hi > LastIndexLocked() + 1) return consensus::ErrUnavailable(hi - 1, LastIndexLocked());
  }
  std::vector<Entry> out;
  if (lo >= hi) return out;
  std::uint64_t bytes = 0;
  std::unique_ptr<leveldb::Iterator> it = db_->NewIterator();
  const std::string start = IndexKey(kEntry, lo);
  it->Seek(S(start));
  for (std::uint64_t want = lo; want < hi; ++want, it->Next()) {
    if (!it->Valid()) break;
    const leveldb::Slice k = it->key();
    if (k.size() != 10 || k[0] != keys::kRaft || k[1] != kEntry ||
        GetBigEndian64(k.data() + 2) != want) {
      return Corrupt("entry " + std::to_string(want) + " is missing");
    }
    raftpb::Entry pb;
    if (!pb.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Corrupt("unparsable entry " + std::to_string(want));
    }
    auto e = consensus::FromProto(&pb);
    if (!e.ok() || e->index != want) return Corrupt("bad entry " + std::to_string(want));
    bytes += consensus::EntrySizeBytes(*e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(std::move(*e));
  }
  PLEDGER_RETURN_IF_ERROR(Database::FromLevelDb(it->status(), "reading the Raft log"));
  if (out.empty()) return Corrupt("entry " + std::to_string(lo) + " is missing");
  return out;
}

Result<consensus::Snapshot> LevelDbLogStorage::GetSnapshot() const {
  SnapshotSource source;
  consensus::Snapshot snap;
  {
    std::lock_guard<std::mutex> lock(mu_);
    source = source_;
    snap.metadata = snapshot_;
  }
  if (source) return source();
  if (snap.metadata.index == 0) return snap;
  PLEDGER_ASSIGN_OR_RETURN(auto data, db_->Get(Key(kSnapData)));
  if (!data) return Corrupt("snapshot data missing");
  snap.data = consensus::Payload(std::move(*data));
  return snap;
}

Result<std::vector<Entry>> LevelDbLogStorage::ConfEntries(std::uint64_t lo,
                                                          std::uint64_t hi) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Entry> out;
  for (auto it = confs_.lower_bound(lo); it != confs_.end() && it->first < hi; ++it) {
    out.push_back(it->second);
  }
  return out;
}

void LevelDbLogStorage::DeleteRange(std::uint64_t from, std::uint64_t to,
                                    leveldb::WriteBatch* batch) const {
  for (std::uint64_t i = from; i <= to && i != 0; ++i) {
    batch->Delete(S(IndexKey(kEntry, i)));
    batch->Delete(S(IndexKey(kEntryMeta, i)));
  }
}

Status LevelDbLogStorage::Write(const consensus::HardState* hard_state,
                                const consensus::Snapshot* snapshot,
                                std::span<const Entry> entries, bool sync) {
  std::lock_guard<std::mutex> lock(mu_);
  // Validate and build one batch; memory changes only once LevelDB took it.
  const bool has_snap = snapshot != nullptr && !snapshot->empty();
  if (has_snap && snapshot->metadata.index < snapshot_.index) {
    return Status::FailedPrecondition("SNAPSHOT_OUT_OF_DATE",
                                      "snapshot at " + std::to_string(snapshot->metadata.index) +
                                          " is older than the stored one");
  }
  const std::uint64_t base = has_snap ? snapshot->metadata.index : compact_index_;
  const std::uint64_t base_last = has_snap ? base : LastIndexLocked();
  while (!entries.empty() && entries.front().index <= base) entries = entries.subspan(1);
  const std::uint64_t first = entries.empty() ? 0 : entries.front().index;
  if (!entries.empty()) {
    if (first > base_last + 1) {
      return Status::Internal("LOG_GAP", "append at " + std::to_string(first) +
                                             " leaves a gap after " + std::to_string(base_last));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].index != first + i) {
        return Status::InvalidArgument("LOG_GAP", "entries to append are not contiguous");
      }
    }
  }

  leveldb::WriteBatch batch;
  if (has_snap) {
    const auto& md = snapshot->metadata;
    DeleteRange(compact_index_ + 1, LastIndexLocked(), &batch);
    raftpb::SnapshotMetadata pb;
    consensus::ToProto(md, &pb);
    batch.Put(S(Key(kSnapMeta)), S(pb.SerializeAsString()));
    const std::string_view data = snapshot->data.view();
    batch.Put(S(Key(kSnapData)), leveldb::Slice(data.data(), data.size()));
    std::string cp;
    PutBigEndian64(&cp, md.index);
    PutBigEndian64(&cp, md.term);
    batch.Put(S(Key(kCompaction)), S(cp));
  }
  if (!entries.empty()) {
    DeleteRange(first, base_last, &batch);  // the conflicting suffix, if any
    raftpb::Entry pb;
    raftpb::LogEntryMeta meta;
    for (const Entry& e : entries) {
      consensus::ToProto(e, &pb);
      batch.Put(S(IndexKey(kEntry, e.index)), S(pb.SerializeAsString()));
      meta.set_term(e.term);
      meta.set_type(e.type == EntryType::kConfChange ? raftpb::ENTRY_CONF_CHANGE
                                                      : raftpb::ENTRY_NORMAL);
      batch.Put(S(IndexKey(kEntryMeta, e.index)), S(meta.SerializeAsString()));
    }
  }
  if (hard_state != nullptr) {
    raftpb::HardState pb;
    consensus::ToProto(*hard_state, &pb);
    batch.Put(S(Key(kHardState)), S(pb.SerializeAsString()));
  }
  PLEDGER_RETURN_IF_ERROR(db_->Write(&batch, sync));
  if (sync) ++synced_writes_;

  if (has_snap) {
    terms_.clear();
    confs_.clear();
    compact_index_ = snapshot->metadata.index;
    compact_term_ = snapshot->metadata.term;
    snapshot_ = snapshot->metadata;
  }
  if (!entries.empty()) {
    terms_.resize(first - compact_index_ - 1);
    confs_.erase(confs_.lower_bound(first), confs_.end());
    for (const Entry& e : entries) {
      terms_.push_back(e.term);
      if (e.type == EntryType::kConfChange) confs_.emplace(e.index, e);
    }
  }
  if (hard_state != nullptr) hard_state_ = *hard_state;
  return Status::OK();
}

Status LevelDbLogStorage::Sync() {
  std::lock_guard<std::mutex> lock(mu_);
  // A synced write of a tiny record: LevelDB fsyncs its log, which makes
  // every earlier (unsynced) write durable too.
  PLEDGER_RETURN_IF_ERROR(db_->Put(Key(kSyncMarker), "", /*sync=*/true));
  ++synced_writes_;
  return Status::OK();
}

Status LevelDbLogStorage::CreateSnapshot(std::uint64_t index, const consensus::ConfState& cs,
                                         consensus::Payload data) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index < snapshot_.index) {
    return Status::FailedPrecondition("SNAPSHOT_OUT_OF_DATE",
                                      "snapshot index " + std::to_string(index) +
                                          " is below the current snapshot");
  }
  PLEDGER_ASSIGN_OR_RETURN(std::uint64_t term, TermLocked(index));
  consensus::SnapshotMetadata md{index, term, cs};
  raftpb::SnapshotMetadata pb;
  consensus::ToProto(md, &pb);
  leveldb::WriteBatch batch;
  batch.Put(S(Key(kSnapMeta)), S(pb.SerializeAsString()));
  if (!source_) {
    const std::string_view d = data.view();
    batch.Put(S(Key(kSnapData)), leveldb::Slice(d.data(), d.size()));
  }
  PLEDGER_RETURN_IF_ERROR(db_->Write(&batch, /*sync=*/false));
  snapshot_ = md;
  return Status::OK();
}

Status LevelDbLogStorage::Compact(std::uint64_t index) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index <= compact_index_) return Status::OK();
  if (index > snapshot_.index) {
    return Status::FailedPrecondition(
        "COMPACT_BEYOND_SNAPSHOT", "compacting to " + std::to_string(index) +
                                       " would drop entries no snapshot covers (snapshot at " +
                                       std::to_string(snapshot_.index) + ")");
  }
  PLEDGER_ASSIGN_OR_RETURN(std::uint64_t term, TermLocked(index));
  leveldb::WriteBatch batch;
  DeleteRange(compact_index_ + 1, index, &batch);
  std::string cp;
  PutBigEndian64(&cp, index);
  PutBigEndian64(&cp, term);
  batch.Put(S(Key(kCompaction)), S(cp));
  PLEDGER_RETURN_IF_ERROR(db_->Write(&batch, /*sync=*/false));
  terms_.erase(terms_.begin(), terms_.begin() + static_cast<std::ptrdiff_t>(index - compact_index_));
  confs_.erase(confs_.begin(), confs_.upper_bound(index));
  compact_index_ = index;
  compact_term_ = term;
  return Status::OK();
}

std::uint64_t LevelDbLogStorage::synced_writes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return synced_writes_;
}

}  // namespace pledger::ledger
