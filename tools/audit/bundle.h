// Evidence bundles (tools/proto/audit.proto, docs/audit.md): building the
// proof of one transaction from exact block bytes, and checking proofs with
// nothing but the genesis file.
//
// The check, in order, each step on bytes already checked:
//   1. the bundle is canonical protobuf with no unknown fields, format 1,
//      for the genesis file's chain id and hash;
//   2. the genesis voters are the trusted validator set;
//   3. each validator-set change, in chain order and below the subject's
//      height: its block is proven by the set in force for it (CheckBlockProof),
//      the transaction is in that block (RFC 6962 path to tx_root), its receipt
//      is under the block's results root and says OK, and the change is applied;
//   4. the subject transaction, the same way, with the set in force for its block.
// A check reports what it checked, one line per step, and stops at the first
// failure with a stable reason.
//
// Pure functions, thread-safe.
#ifndef PLEDGER_TOOLS_AUDIT_BUNDLE_H_
#define PLEDGER_TOOLS_AUDIT_BUNDLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/proto/ledger.pb.h"
#include "tools/audit/validators.h"
#include "tools/proto/audit.pb.h"

namespace pledger::tools::audit {

inline constexpr std::uint32_t kBundleFormat = 1;

// A block whose header was proven by attestations.
struct ProvenBlock {
  ledger::BlockHeader header;
  ledger::Hash256 hash{};
  ledger::Hash256 state_root{};    // after the block
  ledger::Hash256 results_root{};  // of the block's receipts
  std::uint64_t anchor_height = 0;
  std::vector<std::string> signers;  // validator ids, sorted
};

// A transaction proven to be in a proven block, with its receipt.
struct ProvenTx {
  ProvenBlock block;
  std::uint32_t index = 0;
  ledger::Hash256 id{};
  ledger::Transaction tx;
  bool body_ok = false;  // the body decodes (strictly); if not, `body` is empty
  ledger::TxBody body;
  ledger::Receipt receipt;
};

// Lines of a check: what was checked, in order.
using CheckLog = std::vector<std::string>;

// Checks a block proof against `set`, the validator set in force for the
// proven block. Reasons: BUNDLE_HEADER_INVALID, BUNDLE_CHAIN_MISMATCH,
// BUNDLE_LINK_BROKEN, ATTESTATION_* (validators.h), ATTESTATION_DUPLICATE,
// ATTESTATION_DISAGREES, ATTESTATION_QUORUM_NOT_MET.
Result<ProvenBlock> CheckBlockProof(const std::string& chain_id, const BlockProof& proof, const ValidatorSet& set,
                                    CheckLog* log);

// Checks a transaction proof (block proof, inclusion of the transaction and of
// its receipt). Reasons: those of CheckBlockProof, BUNDLE_TX_INVALID,
// BUNDLE_TX_NOT_INCLUDED, BUNDLE_RECEIPT_INVALID, BUNDLE_RECEIPT_NOT_INCLUDED,
// BUNDLE_RECEIPT_MISMATCH.
Result<ProvenTx> CheckTxProof(const std::string& chain_id, const TxProof& proof, const ValidatorSet& set,
                              CheckLog* log);

// The whole offline check of check-proof. Reasons: those above plus
// BUNDLE_MALFORMED, BUNDLE_FORMAT_UNSUPPORTED, GENESIS_MISMATCH,
// BUNDLE_ORDER_INVALID, VALIDATOR_CHANGE_INVALID, and ParseGenesis's.
Result<ProvenTx> CheckBundle(std::string_view bundle_bytes, std::string_view genesis_bytes, CheckLog* log);

// Builds the transaction part of a proof (transaction, receipt, both paths,
// header) from a block and its results; the caller adds the block proof's
// links and attestations. Reasons: BLOCK_MALFORMED, RESULTS_MALFORMED,
// TX_INDEX_OUT_OF_RANGE.
Result<TxProof> MakeTxProof(const ledger::Block& block, const ledger::BlockResults& results, std::uint32_t index);

// "2026-11-27 10:15:02 UTC".
std::string FormatTimeMs(std::uint64_t time_ms);
// First 16 hex characters and an ellipsis, for lines people read.
std::string ShortHex(std::string_view raw);

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_BUNDLE_H_
