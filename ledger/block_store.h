// BlockStore: blocks and their results on LevelDB, with lookups by height,
// hash and transaction id, and a verifier for the stored chain.
//
// Appending is two-phase so that a block, its receipts, the state writes it
// produced and any index records land in ONE LevelDB batch (ledger/ledger.h does
// that): CheckAppend validates, StageAppend adds records to a batch, and
// PublishTip makes the new tip visible after the batch is written. Append does
// all three for callers without state.
//
// Thread safety: reads may run concurrently with one appending thread.
// Ownership: the Database is not owned and must outlive the BlockStore.
//
// The tx index has an in-memory front (TxIdSet): Load reads every tx id once,
// staging adds each block's, and LocateTx answers "not found" from memory
// without touching LevelDB. Every tx index record is written through
// StageAppend, which is what keeps that front complete.
#ifndef PLEDGER_LEDGER_BLOCK_STORE_H_
#define PLEDGER_LEDGER_BLOCK_STORE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/block.h"
#include "ledger/bytes.h"
#include "ledger/db.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/tx_id_set.h"

namespace pledger::ledger {

// The chain's identity, fixed at initialisation.
struct ChainIdentity {
  std::string chain_id;
  Hash256 genesis_hash{};        // SHA-256 of the genesis file bytes
  Hash256 genesis_state_root{};  // state root after applying genesis
};

// A tip in memory; height 0 means only genesis.
struct Tip {
  std::uint64_t height = 0;
  Hash256 block_hash{};  // genesis hash at height 0
  Hash256 state_root{};
  Hash256 results_root{};
};

// Result of VerifyChain: ok, or the first bad height and why.
struct ChainReport {
  bool ok = true;
  std::uint64_t checked = 0;          // blocks checked
  std::uint64_t first_bad_height = 0;  // 0 if ok
  std::string reason;                  // stable reason code (e.g. BLOCK_TX_ROOT_MISMATCH)
  std::string detail;                  // what differs
};

class BlockStore {
 public:
  explicit BlockStore(Database* db);

  // Records the chain identity in a fresh database; fails with
  // CHAIN_ALREADY_INITIALISED if one is recorded. Sync write.
  Status Initialize(const ChainIdentity& id);
  // Loads identity and tip. NotFound (CHAIN_NOT_INITIALISED) on a fresh database.
  Status Load();

  // A copy: a catch-up (Load) rewrites it while API threads read it.
  ChainIdentity identity() const;
  Tip tip() const;

  // Parses and checks a block for appending on the current tip: header well
  // formed, chain id, height = tip+1, prev_hash = tip hash, the roots it
  // carries equal this node's results for block state_root_height (at most
  // kMaxStateRootLag back), content matches header. Reasons: BLOCK_HEADER_MALFORMED,
  // BLOCK_WRONG_CHAIN, BLOCK_HEIGHT_MISMATCH, BLOCK_PREV_HASH_MISMATCH,
  // BLOCK_STATE_ROOT_HEIGHT_INVALID, BLOCK_PREV_STATE_ROOT_MISMATCH,
  // BLOCK_PREV_RESULTS_ROOT_MISMATCH and
  // those of CheckBlockContent.
  Result<BlockHeader> CheckAppend(const Block& block) const;

  // Adds the block, its results and its indexes to `batch`; returns the tip it
  // will make. `receipts` are serialized Receipts, one per transaction.
  // `tx_ids`, when given, are the ids of block.txs (the caller decoded them
  // already); otherwise they are computed here.
  Result<Tip> StageAppend(const Block& block, const BlockHeader& header,
                          const std::vector<std::string>& receipts, const Hash256& state_root,
                          leveldb::WriteBatch* batch,
                          const std::vector<Hash256>* tx_ids = nullptr) const;
  void PublishTip(const Tip& tip);

  // CheckAppend + StageAppend + write + PublishTip, for a block whose state root
  // is known (or unchanged, as in tests without contracts).
  Status Append(const Block& block, const std::vector<std::string>& receipts,
                const Hash256& state_root, bool sync);

  // The state and results roots a header of block `height` must carry when it
  // names `base_height` (BlockHeader.state_root_height): genesis for 0, else
  // the stored results of that block. Reasons: BLOCK_STATE_ROOT_HEIGHT_INVALID
  // (not one of the kMaxStateRootLag blocks before), BLOCK_NOT_FOUND.
  struct BaseRoots {
    Hash256 state_root{};
    Hash256 results_root{};
  };
  Result<BaseRoots> RootsAt(std::uint64_t height, std::uint64_t base_height) const;

  // Reads. NotFound reasons: BLOCK_NOT_FOUND, TX_NOT_FOUND.
  Result<Block> GetBlock(std::uint64_t height) const;
  Result<BlockResults> GetResults(std::uint64_t height) const;
  Result<std::uint64_t> HeightOfHash(const Hash256& hash) const;
  Result<TxLocation> LocateTx(const Hash256& tx_id) const;
  // Ids held in the tx index's in-memory front (for /metrics): the indexed
  // transactions, plus any of a staged batch that was never written.
  size_t tx_front_size() const { return tx_ids_.size(); }
  // Calls fn for heights from..to inclusive (clamped to the tip) until it returns false.
  Status ForEachBlock(std::uint64_t from, std::uint64_t to,
                      const std::function<bool(std::uint64_t height, const Block& block)>& fn) const;

  // Re-checks the stored chain from `from` to `to` (clamped to the tip): every
  // header parses, heights are consecutive, prev_hash links, tx and
  // attestation roots, stored results (receipt count and results root), the
  // roots each header carries for its predecessor, the hash and tx indexes.
  // Stops at the first bad height.
  Result<ChainReport> VerifyChain(std::uint64_t from, std::uint64_t to) const;

 private:
  Database* db_;
  ChainIdentity identity_;
  mutable std::mutex mu_;
  Tip tip_;  // guarded by mu_
  // The tips published just before tip_, newest first (height 0 = none), so
  // RootsAt answers a pipelining leader's headers, which name a block up to
  // kMaxStateRootLag back, without parsing that block's stored results.
  // Guarded by mu_; emptied when a tip does not follow the last one.
  std::array<Tip, kMaxStateRootLag> recent_tips_{};
  // Every id in the tx index, and possibly ids of batches staged but never
  // written (harmless: a "maybe" is settled by reading the index).
  mutable TxIdSet tx_ids_;
};

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_BLOCK_STORE_H_
