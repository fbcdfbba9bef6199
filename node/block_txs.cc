#include "node/block_txs.h"

#include "ledger/tx.h"
#include "contracts/replay.h"

namespace pledger::node {

BlockTxs BlockTxs::Prepare(const ledger::Block& block, const Mempool& mempool, io::WorkPool& pool,
                           const ledger::BlockStore& blocks) {
  BlockTxs out;
  const size_t n = static_cast<size_t>(block.txs_size());
  out.txs_.assign(n, nullptr);
  out.reused_.resize(n);
  std::vector<size_t> todo;
  for (size_t i = 0; i < n; ++i) {
    const std::string& raw = block.txs(static_cast<int>(i));
    // The id guessed off the bytes: a wrong guess is only a miss, since Find
    // also compares the bytes.
    out.reused_[i] = mempool.Find(ledger::LikelyTxIdOfBytes(raw), raw);
    if (out.reused_[i]) {
      out.txs_[i] = out.reused_[i].get();
    } else {
      todo.push_back(i);
    }
  }
  out.missing_ = todo.size();
  out.fresh_.resize(todo.size());
  pool.ParallelFor(todo.size(), [&](size_t k) {
    out.fresh_[k] = contracts::PrepareTx(block.txs(static_cast<int>(todo[k])));
  });
  for (size_t k = 0; k < todo.size(); ++k) out.txs_[todo[k]] = &out.fresh_[k];
  // Rare: only a faulty leader proposes a transaction the chain holds.
  for (auto& [i, status] : contracts::FindChainReplays(blocks, out.txs_)) {
    out.refused_.push_back(*out.txs_[i]);
    out.refused_.back().status = std::move(status);
    out.txs_[i] = &out.refused_.back();
  }
  return out;
}

}  // namespace pledger::node
