// Layered state views used during execution (internal to contracts/).
//
//   committed (ledger::StateReader)  <-  BlockState (writes of earlier accepted
//   transactions of this block, plus a memo of committed reads)  <-  TxState
//   (writes of the transaction being executed).
//
// A transaction's writes reach the block only if it is accepted
// (BlockState::Apply); a rejected transaction's TxState is dropped, so it
// writes nothing. Writes are std::map (sorted), so the merged write set and
// every scan are in key order regardless of the order of execution.
//
// Not thread-safe: one block executes on one thread.
#ifndef PLEDGER_CONTRACTS_INTERNAL_STATE_VIEW_H_
#define PLEDGER_CONTRACTS_INTERNAL_STATE_VIEW_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "consensus/status.h"
#include "contracts/proto/state.pb.h"
#include "ledger/state_store.h"

namespace pledger::contracts::internal {

using ScanFn = std::function<bool(std::string_view key, std::string_view value)>;

class BlockState {
 public:
  explicit BlockState(const ledger::StateReader& committed) : committed_(committed) {}

  // Errors: whatever the committed reader reports (I/O, corruption).
  Status Get(std::string_view key, std::optional<std::string>* out);
  // The same without copying: *out points at the value held by the block
  // (pending write or memo of a committed read), nullptr if the key is absent
  // or erased. Valid until the next Put, Apply or Find of this BlockState.
  Status Find(std::string_view key, const std::string** out);
  // Committed entries under `prefix` overlaid with this block's writes, in key order.
  Status Scan(std::string_view prefix, const ScanFn& fn);
  void Apply(ledger::WriteSet&& writes);
  void Put(std::string key, std::optional<std::string> value) { pending_[std::move(key)] = std::move(value); }
  const ledger::WriteSet& pending() const { return pending_; }
  ledger::WriteSet TakePending() { return std::move(pending_); }

  // Parsed chain parameters, cached for the block (most transactions read
  // them); Apply drops the cache when a transaction rewrites them.
  std::optional<Params>& params_cache() { return params_; }
  // Parsed organisations, by id, for the block; Apply drops the cache when a
  // transaction writes any organisation. Looked up only, never iterated.
  // Looked up by string_view (no key string built).
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using OrgCache = std::unordered_map<std::string, Organisation, Hash, std::equal_to<>>;
  OrgCache& org_cache() { return orgs_; }

 private:
  const ledger::StateReader& committed_;
  ledger::WriteSet pending_;
  // Memo of committed point reads (hits and misses) for this block: accounts,
  // organisations and parameters are read by most transactions. Only looked up,
  // never iterated, so its hash order cannot leak into results.
  std::unordered_map<std::string, std::optional<std::string>, Hash, std::equal_to<>> memo_;
  std::optional<Params> params_;
  OrgCache orgs_;
};

class TxState {
 public:
  explicit TxState(BlockState* block) : block_(block) {}
  Status Get(std::string_view key, std::optional<std::string>* out);
  // As BlockState::Find, looking at this transaction's own writes first.
  // Valid until the next write or read through this TxState.
  Status Find(std::string_view key, const std::string** out);
  Status Scan(std::string_view prefix, const ScanFn& fn);
  void Put(std::string key, std::string value) { writes_[std::move(key)] = std::move(value); }
  void Erase(std::string key) { writes_[std::move(key)] = std::nullopt; }
  ledger::WriteSet TakeWrites() { return std::move(writes_); }
  bool empty() const { return writes_.empty(); }
  bool Writes(std::string_view key) const { return writes_.find(key) != writes_.end(); }
  BlockState* block() { return block_; }

 private:
  BlockState* block_;
  ledger::WriteSet writes_;
};

}  // namespace pledger::contracts::internal

#endif  // PLEDGER_CONTRACTS_INTERNAL_STATE_VIEW_H_
