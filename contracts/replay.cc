#include "contracts/replay.h"

#include <string>

#include "ledger/bytes.h"

namespace pledger::contracts {

std::vector<std::pair<size_t, Status>> FindChainReplays(const ledger::BlockStore& blocks,
                                                        std::span<const contracts::PreparedTx* const> txs) {
  std::vector<std::pair<size_t, Status>> out;
  for (size_t i = 0; i < txs.size(); ++i) {
    const contracts::PreparedTx& p = *txs[i];
    if (!p.status.ok()) continue;
    auto earlier = blocks.LocateTx(p.id);
    if (!earlier.ok()) continue;
    out.emplace_back(i, Status::AlreadyExists("TX_REPLAYED", "transaction " + ledger::HexEncode(p.id) +
                                                                 " is already in block " +
                                                                 std::to_string(earlier->height()) +
                                                                 "; draft a new transaction to try again"));
  }
  return out;
}

void RefuseChainReplays(const ledger::BlockStore& blocks, std::span<contracts::PreparedTx> txs) {
  for (auto& [i, status] : FindChainReplays(blocks, contracts::PointersTo(txs))) txs[i].status = std::move(status);
}

}  // namespace pledger::contracts
