// Ledger: one node's durable chain: Database + BlockStore + StateStore, and
// the atomic commit of a block with its receipts and state writes.
//
// Thread safety: CommitBlock must be called by one thread at a time (the
// node's applier); reads through blocks() and state() may run concurrently.
// Ownership: Ledger owns its Database and stores.
#ifndef PLEDGER_LEDGER_LEDGER_H_
#define PLEDGER_LEDGER_LEDGER_H_

#include <memory>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/block_store.h"
#include "ledger/db.h"
#include "ledger/state_store.h"

namespace pledger::ledger {

class Ledger {
 public:
  // Opens (creating if allowed) the database in `dir`. Does not require an
  // initialised chain: call Initialize on a fresh one, Load otherwise.
  static Result<std::unique_ptr<Ledger>> Open(const std::string& dir,
                                              const DatabaseOptions& options = {});

  // Fresh database only: applies the genesis state and records the chain
  // identity (genesis hash = SHA-256 of the genesis bytes), in one sync write.
  Status Initialize(const std::string& chain_id, std::string_view genesis_bytes,
                    const WriteSet& genesis_state);
  // Existing database: loads chain identity, tip and state commitment.
  Status Load();
  bool initialized() const { return initialized_; }

  // Appends a block (checked against the tip), its receipts, the state writes
  // it produced and `extra` records (indexes) in one LevelDB batch. With sync
  // the batch is on stable storage before this returns.
  // `tx_ids` (optional): the ids of block.txs, if the caller has them.
  Status CommitBlock(const Block& block, const std::vector<std::string>& receipts,
                     const WriteSet& writes, bool sync,
                     const leveldb::WriteBatch* extra = nullptr,
                     const std::vector<Hash256>* tx_ids = nullptr);

  // Catch-up from a peer (a node that missed more than the Raft log holds):
  // blocks fetched from the peer are checked link by link onto the current tip
  // and stored without being executed; then the whole state is replaced by the
  // peer's state at the last block, which must hash to that block's recorded
  // state root. See ChainImport.
  friend class ChainImport;

  Database& db() { return *db_; }
  BlockStore& blocks() { return blocks_; }
  const BlockStore& blocks() const { return blocks_; }
  StateStore& state() { return state_; }
  const StateStore& state() const { return state_; }

 private:
  explicit Ledger(std::unique_ptr<Database> db);
  std::unique_ptr<Database> db_;
  BlockStore blocks_;
  StateStore state_;
  bool initialized_ = false;
};

// One catch-up: AddBlock for tip+1, tip+2, ... (each written at once, but
// the tip does not move), then Finish with the state as of the last block.
// A crash before Finish leaves the old tip and state intact (the stored blocks
// above the tip are overwritten by the next attempt).
// Reasons: IMPORT_* plus those of CheckBlockContent.
class ChainImport {
 public:
  explicit ChainImport(Ledger* ledger);
  Status AddBlock(const Block& block, const BlockResults& results);
  std::uint64_t height() const { return tip_.height; }
  // Replaces the state and moves the tip, in one synced batch with `extra`.
  Status Finish(const std::map<std::string, std::string, std::less<>>& state,
                const leveldb::WriteBatch* extra);

 private:
  Ledger* ledger_;
  Tip tip_;  // the last block added (starts at the ledger's tip)
};

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_LEDGER_H_
