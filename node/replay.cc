#include "node/replay.h"

#include <string>

#include "ledger/bytes.h"

namespace pledger::node {

void RefuseChainReplays(const ledger::BlockStore& blocks, std::span<contracts::PreparedTx> txs) {
  for (contracts::PreparedTx& p : txs) {
    if (!p.status.ok()) continue;
    auto earlier = blocks.LocateTx(p.id);
    if (!earlier.ok()) continue;
    p.status = Status::AlreadyExists("TX_REPLAYED", "transaction " + ledger::HexEncode(p.id) + " is already in block " +
                                                        std::to_string(earlier->height()) +
                                                        "; draft a new transaction to try again");
  }
}

}  // namespace pledger::node
