#include "consensus/storage.h"

#include <string>

#include "consensus/codec.h"

namespace pledger::consensus {

Status ErrCompacted(std::uint64_t index, std::uint64_t first_index) {
  return Status::Compacted("LOG_COMPACTED", "index " + std::to_string(index) +
                                                " was compacted away (first index " +
                                                std::to_string(first_index) + ")");
}

Status ErrUnavailable(std::uint64_t index, std::uint64_t last_index) {
  return Status::Unavailable("LOG_UNAVAILABLE", "index " + std::to_string(index) +
                                                    " is beyond the last index " +
                                                    std::to_string(last_index));
}

Status ErrSnapshotTemporarilyUnavailable() {
  return Status::Unavailable("SNAPSHOT_TEMPORARILY_UNAVAILABLE",
                             "the application cannot produce a snapshot right now; retry");
}

Status Bootstrap(MutableLogStorage* storage, const std::vector<std::uint64_t>& voters) {
  if (voters.empty()) {
    return Status::InvalidArgument("CONF_CHANGE_INVALID", "bootstrap needs at least one voter");
  }
  PLEDGER_ASSIGN_OR_RETURN(InitialState st, storage->GetInitialState());
  if (storage->LastIndex() != 0 || !st.hard_state.empty()) {
    return Status::FailedPrecondition("STORAGE_NOT_EMPTY",
                                      "bootstrap needs an empty log; this node already has one");
  }
  std::vector<Entry> entries;
  ConfState cs;
  for (std::uint64_t id : voters) {
    ConfChange cc{ConfChangeType::kAddVoter, id, {}};
    Entry e;
    e.term = 1;
    e.index = entries.size() + 1;
    e.type = EntryType::kConfChange;
    e.data = Payload(EncodeConfChange(cc));
    entries.push_back(std::move(e));
  }
  HardState hs{1, 0, entries.size()};
  return storage->Write(&hs, nullptr, entries, /*sync=*/true);
}

MemoryLogStorage::MemoryLogStorage() { entries_.emplace_back(); }

Result<InitialState> MemoryLogStorage::GetInitialState() const {
  return InitialState{hard_state_, snapshot_.metadata.conf_state, snapshot_.metadata.index};
}

std::uint64_t MemoryLogStorage::FirstIndex() const { return entries_[0].index + 1; }

std::uint64_t MemoryLogStorage::LastIndex() const {
  return entries_[0].index + entries_.size() - 1;
}

Result<std::vector<Entry>> MemoryLogStorage::Entries(std::uint64_t lo, std::uint64_t hi,
                                                     std::uint64_t max_bytes) const {
  const std::uint64_t offset = entries_[0].index;
  if (lo <= offset) return ErrCompacted(lo, FirstIndex());
  if (hi > LastIndex() + 1) return ErrUnavailable(hi - 1, LastIndex());
  std::vector<Entry> out;
  std::uint64_t bytes = 0;
  for (std::uint64_t i = lo; i < hi; ++i) {
    const Entry& e = entries_[i - offset];
    bytes += EntrySizeBytes(e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

Result<std::uint64_t> MemoryLogStorage::Term(std::uint64_t index) const {
  const std::uint64_t offset = entries_[0].index;
  if (index < offset) return ErrCompacted(index, FirstIndex());
  if (index - offset >= entries_.size()) return ErrUnavailable(index, LastIndex());
  return entries_[index - offset].term;
}

Result<Snapshot> MemoryLogStorage::GetSnapshot() const { return snapshot_; }

Result<std::vector<Entry>> MemoryLogStorage::ConfEntries(std::uint64_t lo, std::uint64_t hi) const {
  std::vector<Entry> out;
  const std::uint64_t offset = entries_[0].index;
  lo = lo <= offset ? offset + 1 : lo;
  hi = hi > LastIndex() + 1 ? LastIndex() + 1 : hi;
  for (std::uint64_t i = lo; i < hi; ++i) {
    if (entries_[i - offset].type == EntryType::kConfChange) out.push_back(entries_[i - offset]);
  }
  return out;
}

Status MemoryLogStorage::Append(std::span<const Entry> entries) {
  if (entries.empty()) return Status::OK();
  const std::uint64_t first = FirstIndex();
  const std::uint64_t last_new = entries.back().index;
  if (last_new < first) return Status::OK();  // all covered by the snapshot
  if (entries.front().index > LastIndex() + 1) {
    return Status::Internal("LOG_GAP", "append at " + std::to_string(entries.front().index) +
                                           " leaves a gap after " + std::to_string(LastIndex()));
  }
  // Skip entries already covered by the snapshot.
  if (entries.front().index < first) entries = entries.subspan(first - entries.front().index);
  const std::uint64_t offset = entries_[0].index;
  entries_.resize(entries.front().index - offset);  // truncates a conflicting suffix
  entries_.insert(entries_.end(), entries.begin(), entries.end());
  return Status::OK();
}

Status MemoryLogStorage::ApplySnapshot(const Snapshot& snapshot) {
  if (snapshot.metadata.index < snapshot_.metadata.index) {
    return Status::FailedPrecondition("SNAPSHOT_OUT_OF_DATE",
                                      "snapshot at " + std::to_string(snapshot.metadata.index) +
                                          " is older than the stored one");
  }
  snapshot_ = snapshot;
  Entry dummy;
  dummy.index = snapshot.metadata.index;
  dummy.term = snapshot.metadata.term;
  // The whole log goes: the core installs a snapshot only when its log does
  // not already contain the snapshot's last entry (otherwise it just moves
  // its commit index), so nothing after the snapshot can be kept.
  std::vector<Entry> kept;
  kept.push_back(dummy);
  entries_ = std::move(kept);
  return Status::OK();
}

Status MemoryLogStorage::Write(const HardState* hard_state, const Snapshot* snapshot,
                               std::span<const Entry> entries, bool /*sync*/) {
  if (snapshot != nullptr && !snapshot->empty()) PLEDGER_RETURN_IF_ERROR(ApplySnapshot(*snapshot));
  PLEDGER_RETURN_IF_ERROR(Append(entries));
  if (hard_state != nullptr) hard_state_ = *hard_state;
  return Status::OK();
}

Status MemoryLogStorage::CreateSnapshot(std::uint64_t index, const ConfState& conf_state,
                                        Payload data) {
  if (index < snapshot_.metadata.index) {
    return Status::FailedPrecondition("SNAPSHOT_OUT_OF_DATE",
                                      "snapshot index " + std::to_string(index) +
                                          " is below the current snapshot");
  }
  if (index > LastIndex()) return ErrUnavailable(index, LastIndex());
  PLEDGER_ASSIGN_OR_RETURN(std::uint64_t term, Term(index));
  snapshot_.metadata.index = index;
  snapshot_.metadata.term = term;
  snapshot_.metadata.conf_state = conf_state;
  snapshot_.data = std::move(data);
  return Status::OK();
}

Status MemoryLogStorage::Compact(std::uint64_t index) {
  const std::uint64_t offset = entries_[0].index;
  if (index <= offset) return Status::OK();  // already compacted
  if (index > snapshot_.metadata.index) {
    return Status::FailedPrecondition(
        "COMPACT_BEYOND_SNAPSHOT", "compacting to " + std::to_string(index) +
                                       " would drop entries no snapshot covers (snapshot at " +
                                       std::to_string(snapshot_.metadata.index) + ")");
  }
  std::vector<Entry> kept;
  kept.reserve(entries_.size() - (index - offset));
  Entry dummy;
  dummy.index = index;
  dummy.term = entries_[index - offset].term;
  kept.push_back(dummy);
  kept.insert(kept.end(), entries_.begin() + static_cast<std::ptrdiff_t>(index - offset + 1),
              entries_.end());
  entries_ = std::move(kept);
  return Status::OK();
}

}  // namespace pledger::consensus
