// BlockTxs: the transactions of a committed block, ready for the engine.
//
// Every transaction a node executes has had its signatures checked by that
// node: either at admission (the mempool holds the verified PreparedTx, and an
// identical transaction in a block reuses it in place) or here, spread over
// the work pool. Then the chain's replay rule (contracts/replay.h) marks the ones
// an earlier block holds; their refusal goes on a copy, since the mempool's
// entry is shared and stays as it was.
//
// Owns the verified copies and keeps the reused mempool entries alive, so the
// pointers of txs() are valid while the BlockTxs lives (moving it keeps them
// valid). Not thread-safe; Prepare blocks until the pool is done.
#ifndef PLEDGER_NODE_BLOCK_TXS_H_
#define PLEDGER_NODE_BLOCK_TXS_H_

#include <cstddef>
#include <deque>
#include <span>
#include <vector>

#include "contracts/engine.h"
#include "ledger/block_store.h"
#include "node/mempool.h"
#include "ledger/io/work_pool.h"

namespace pledger::node {

class BlockTxs {
 public:
  // `blocks` holds the chain up to the block before `block`.
  static BlockTxs Prepare(const ledger::Block& block, const Mempool& mempool, io::WorkPool& pool,
                          const ledger::BlockStore& blocks);

  BlockTxs(BlockTxs&&) = default;
  BlockTxs& operator=(BlockTxs&&) = default;
  BlockTxs(const BlockTxs&) = delete;
  BlockTxs& operator=(const BlockTxs&) = delete;

  // In block order.
  std::span<const contracts::PreparedTx* const> txs() const { return txs_; }
  // How many came from the mempool, were verified here, and were refused as
  // replays of an earlier block.
  size_t reused() const { return reused_.size() - missing_; }
  size_t verified() const { return fresh_.size(); }
  size_t replays() const { return refused_.size(); }

 private:
  BlockTxs() = default;
  std::vector<const contracts::PreparedTx*> txs_;
  std::vector<PreparedTxPtr> reused_;  // null where the mempool had no copy
  size_t missing_ = 0;
  std::vector<contracts::PreparedTx> fresh_;
  std::deque<contracts::PreparedTx> refused_;
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_BLOCK_TXS_H_
