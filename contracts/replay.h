// The chain-level replay rule every executor of a block applies before the
// contracts run: pledgerd's applier, pledger-audit's replay and the test
// chains. It lives in one place because the receipts it produces are part of
// the results root, so any two implementations that differ by one byte of a
// message would make an honest chain fail verification.
//
// Stateless; thread-safe as far as the BlockStore's reads are.
#ifndef PLEDGER_CONTRACTS_REPLAY_H_
#define PLEDGER_CONTRACTS_REPLAY_H_

#include <span>
#include <utility>
#include <vector>

#include "contracts/engine.h"
#include "ledger/block_store.h"

namespace pledger::contracts {

// A transaction already in an earlier block (accepted or refused) is not
// run again, even if a leader puts it in another block: its signers
// consented once. This is the chain's only replay rule across blocks (the
// contracts keep no replay records in state; they refuse only a repeat
// inside one block), and it does not expire. The tx index is built from the
// blocks alone, so every executor decides the same. Marks such transactions
// TX_REPLAYED (their status, so the engine writes the refusal receipt).
// `blocks` holds the chain up to the block before the one being executed.
void RefuseChainReplays(const ledger::BlockStore& blocks, std::span<contracts::PreparedTx> txs);

// The same rule for transactions the caller does not own: the positions in
// `txs` the chain already holds, each with the TX_REPLAYED status it gets.
std::vector<std::pair<size_t, Status>> FindChainReplays(const ledger::BlockStore& blocks,
                                                        std::span<const contracts::PreparedTx* const> txs);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_REPLAY_H_
