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
  // `expected` (optional): results another node recorded for this block (a
  // catch-up fetches them with the block); nothing is written unless this
  // node's own execution gives the same block hash, state root and results
  // root. Reason: BLOCK_RESULTS_DIVERGE.
  Status CommitBlock(const Block& block, const std::vector<std::string>& receipts,
                     const WriteSet& writes, bool sync,
                     const leveldb::WriteBatch* extra = nullptr,
                     const std::vector<Hash256>* tx_ids = nullptr,
                     const BlockResults* expected = nullptr);

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

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_LEDGER_H_
