#include "contracts/internal/state_view.h"

#include <map>

namespace pledger::contracts::internal {
namespace {

// Overlays `writes` (sorted) on `base` (sorted) for keys under `prefix`.
void Overlay(const ledger::WriteSet& writes, std::string_view prefix,
             std::map<std::string, std::string, std::less<>>* base) {
  for (auto it = writes.lower_bound(prefix); it != writes.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (it->second) {
      (*base)[it->first] = *it->second;
    } else {
      base->erase(it->first);
    }
  }
}

}  // namespace

Status BlockState::Get(std::string_view key, std::optional<std::string>* out) {
  const std::string* found = nullptr;
  PLEDGER_RETURN_IF_ERROR(Find(key, &found));
  *out = found ? std::optional<std::string>(*found) : std::nullopt;
  return Status::OK();
}

Status BlockState::Find(std::string_view key, const std::string** out) {
  if (auto it = pending_.find(key); it != pending_.end()) {
    *out = it->second ? &*it->second : nullptr;
    return Status::OK();
  }
  if (auto it = memo_.find(key); it != memo_.end()) {
    *out = it->second ? &*it->second : nullptr;
    return Status::OK();
  }
  auto r = committed_.Get(key);
  if (!r.ok()) return std::move(r).TakeStatus();
  // References to unordered_map elements survive rehashing.
  auto it = memo_.emplace(std::string(key), std::move(*r)).first;
  *out = it->second ? &*it->second : nullptr;
  return Status::OK();
}

Status BlockState::Scan(std::string_view prefix, const ScanFn& fn) {
  // Scans serve small keyspaces (a borrower's lenders, the IP offices, a
  // pool's members), so materialising the merge is cheap and simple.
  std::map<std::string, std::string, std::less<>> merged;
  PLEDGER_RETURN_IF_ERROR(committed_.Scan(prefix, [&](std::string_view k, std::string_view v) {
    merged.emplace(std::string(k), std::string(v));
    return true;
  }));
  Overlay(pending_, prefix, &merged);
  for (const auto& [k, v] : merged) {
    if (!fn(k, v)) break;
  }
  return Status::OK();
}

void BlockState::Apply(ledger::WriteSet&& writes) {
  if (writes.count("params")) params_.reset();  // contracts/state_keys.h kParams
  if (auto it = writes.lower_bound(std::string_view("org/")); it != writes.end() && it->first.rfind("org/", 0) == 0) {
    orgs_.clear();
  }
  // Move the nodes across instead of copying keys and values.
  // One search per key: insert returns the node when the key is already
  // pending, and then only the value moves.
  while (!writes.empty()) {
    auto r = pending_.insert(writes.extract(writes.begin()));
    if (!r.inserted) r.position->second = std::move(r.node.mapped());
  }
}

Status TxState::Get(std::string_view key, std::optional<std::string>* out) {
  if (auto it = writes_.find(key); it != writes_.end()) {
    *out = it->second;
    return Status::OK();
  }
  return block_->Get(key, out);
}

Status TxState::Find(std::string_view key, const std::string** out) {
  if (auto it = writes_.find(key); it != writes_.end()) {
    *out = it->second ? &*it->second : nullptr;
    return Status::OK();
  }
  return block_->Find(key, out);
}

Status TxState::Scan(std::string_view prefix, const ScanFn& fn) {
  std::map<std::string, std::string, std::less<>> merged;
  PLEDGER_RETURN_IF_ERROR(block_->Scan(prefix, [&](std::string_view k, std::string_view v) {
    merged.emplace(std::string(k), std::string(v));
    return true;
  }));
  Overlay(writes_, prefix, &merged);
  for (const auto& [k, v] : merged) {
    if (!fn(k, v)) break;
  }
  return Status::OK();
}

}  // namespace pledger::contracts::internal
