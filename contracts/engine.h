// The contract engine: turns one block's transactions into receipts and one
// write set, identically on every node (docs/contracts.md).
//
// Flow for the node:
//   1. PrepareTx on each raw transaction (decoding + Ed25519 checks). Pure and
//      thread-safe: run it on a thread pool, before or after ordering.
//   2. CheckAdmission against committed state before admitting to the mempool.
//   3. Engine::ExecuteBlock on the committed block, in order, single-threaded
//      per block. It reads committed state plus the block's own earlier writes
//      and never writes to `committed`; the node commits BlockOutcome::writes
//      and the receipts together (ledger::Ledger::CommitBlock).
//
// Determinism: execution reads only the state, the transactions and the
// BlockContext. No clocks, randomness, floating point, I/O, globals or
// iteration over unordered containers; money is checked int64 fen.
//
// Errors: a transaction that breaks a rule gets a receipt with a stable code
// (docs/contracts.md) and writes nothing. A failure of the state reader itself
// (I/O, corruption) is not a rule failure: BlockOutcome::status is then non-OK,
// the outcome must be discarded and the node must stop applying blocks.
#ifndef PLEDGER_CONTRACTS_ENGINE_H_
#define PLEDGER_CONTRACTS_ENGINE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/state_store.h"

namespace pledger::contracts {

// What the proposer fixed for the block. time_ms is the ledger time (computed
// from the voters' clock readings, ledger/block_time.h), strictly increasing
// along the chain; contracts take "today" from it
// (DateOfBlockTime, China Standard Time).
struct BlockContext {
  std::string chain_id;
  std::uint64_t height = 0;
  std::uint64_t time_ms = 0;
};

// A decoded and signature-checked transaction.
struct PreparedTx {
  std::string raw;             // the exact bytes as submitted / carried in the block
  ledger::Hash256 id{};        // SHA-256(body); SHA-256(raw) if the envelope did not decode
  pledger::Status status;      // non-OK: rejected receipt with this reason, no execution
  ledger::Transaction tx;
  ledger::TxBody body;
  std::vector<ledger::PublicKey> signers;  // verified, envelope order
};

// The address of each of `txs`, in order: for the functions that take
// transactions by pointer (the node executes its mempool's in place).
std::vector<const PreparedTx*> PointersTo(std::span<const PreparedTx> txs);

// Decodes (ledger::DecodeTransaction, strict DecodeTxBody) and verifies every
// signature. Never fails as a call: problems land in PreparedTx::status with
// the ledger's reasons (TX_MALFORMED, TX_BODY_NOT_CANONICAL, SIGNATURE_INVALID …).
PreparedTx PrepareTx(std::string_view raw_tx_bytes);

struct TxOutcome {
  ledger::Receipt receipt;
  // Entities the transaction named, accepted or not, sorted and unique, for the
  // history indexes: "patent/ZL…", "pledge/<id>", "valuation/<id>",
  // "account/<key hex>", "org/<id>", "validator/<node id>", "params",
  // "pool/<id>", "tranche/<pool id>/<rank>".
  std::vector<std::string> touched;
};

struct BlockOutcome {
  pledger::Status status;             // non-OK: the state reader failed; discard everything
  std::vector<TxOutcome> txs;         // one per transaction, in block order
  std::vector<std::string> receipts;  // the receipts, serialized canonically
  ledger::WriteSet writes;            // merged writes of the whole block
};

// Stateless: one Engine may serve any number of blocks and threads; a call to
// ExecuteBlock keeps all its state on its own stack.
//
// ExecuteBlock refuses a transaction id repeated inside the block
// (TX_REPLAYED), but knows nothing of earlier blocks: the caller must first
// mark transactions the chain already holds (contracts::RefuseChainReplays), or
// one could run twice.
class Engine {
 public:
  BlockOutcome ExecuteBlock(const ledger::StateReader& committed, const BlockContext& ctx,
                            std::span<const PreparedTx> txs) const;
  // The same over transactions held elsewhere (the node reuses what its
  // mempool verified at admission rather than copying it).
  BlockOutcome ExecuteBlock(const ledger::StateReader& committed, const BlockContext& ctx,
                            std::span<const PreparedTx* const> txs) const;
};

// Mempool admission against committed state, for a transaction to be included
// at `next_height` or later: the prepared status, chain id, expiry window,
// every signer a known active account. Whether the id is already in the chain
// is the node's tx index to answer (TX_ALREADY_COMMITTED). Cheap: a handful
// of point reads. Passing is no promise that execution succeeds.
// Reasons: the PrepareTx reasons, TX_WRONG_CHAIN, TX_EXPIRED, TX_EXPIRY_TOO_FAR,
// SIGNER_UNKNOWN, SIGNER_SUSPENDED, ACTION_MISSING; state read errors as is.
pledger::Status CheckAdmission(const ledger::StateReader& committed, const PreparedTx& tx,
                               std::uint64_t next_height);

// The id under which an action that creates a pledge, valuation, licence or pool
// stores it: the first 16 bytes of the transaction id, lower-case hex.
std::string ObjectIdFromTxId(const ledger::Hash256& tx_id);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_ENGINE_H_
