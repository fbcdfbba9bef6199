// Prover: builds proofs of transactions from an untrusted source (a node or a
// data directory) and checks each one as it builds it, so it never hands out
// a proof that does not verify: evidence bundles for `proof`, and per-entry
// checks for `history`.
//
// The validator set is established the way check-proof does it: from the
// genesis voters, through every accepted validator-set change, each proven by
// the set in force before its block. Changes are discovered through the
// source's history index ("validator/<id>" entities) for the validators named
// in the genesis file and those the source lists now (docs/audit.md, "Limits":
// a validator added and removed again since is only found if the source lists
// it; check-proof cannot tell either way, verify can).
//
// A block is proven by the attestations of the first block at or after it
// (at most kMaxAnchorDistance later) that more than half of the voters in force
// for it attested; the headers in between link the two, and one of them must
// carry the block's roots (BlockHeader.state_root_height).
//
// Not thread-safe (uses its source, which is single-threaded).
#ifndef PLEDGER_TOOLS_AUDIT_PROVER_H_
#define PLEDGER_TOOLS_AUDIT_PROVER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/state.pb.h"
#include "tools/audit/bundle.h"
#include "tools/audit/source.h"
#include "tools/audit/validators.h"
#include "tools/proto/audit.pb.h"

namespace pledger::tools::audit {

// How far after a block the prover looks for an attested descendant.
inline constexpr std::uint64_t kMaxAnchorDistance = 64;

class Prover {
 public:
  // `genesis_bytes` is the auditor's genesis file (its validators are trusted).
  // Reasons: ParseGenesis's.
  static Result<std::unique_ptr<Prover>> Create(ChainSource* source, std::string genesis_bytes);

  // Proves every validator-set change below `height` (once; later calls
  // continue). Reasons: VALIDATOR_CHANGE_INVALID, BLOCK_NOT_ATTESTED, the
  // source's and the checks' reasons.
  Status EstablishTo(std::uint64_t height);
  // The set in force for block `height`; call EstablishTo(height) first.
  const ValidatorSet& InForce(std::uint64_t height) const { return timeline_.InForce(height); }

  // A checked proof of transaction `index` of block `height`, its block proven
  // by the set in force. Reasons: BLOCK_NOT_ATTESTED (not yet: attestations
  // ride in later blocks), TX_INDEX_OUT_OF_RANGE, the checks' reasons.
  Result<TxProof> ProveTx(std::uint64_t height, std::uint32_t index);
  // The same, checked, with what the check established.
  Result<ProvenTx> ProveAndCheck(std::uint64_t height, std::uint32_t index);

  // The evidence bundle of a committed transaction, checked by CheckBundle
  // against the genesis file before it is returned.
  Result<EvidenceBundle> MakeBundle(const std::string& tx_id_hex);

  const contracts::Genesis& genesis() const { return genesis_; }
  size_t changes_proven() const { return proven_.size(); }

 private:
  struct Change {
    std::uint64_t height = 0;
    std::uint32_t index = 0;
  };
  Prover(ChainSource* source, std::string genesis_bytes, contracts::Genesis genesis, ValidatorSet set);
  Status Discover();
  Result<const RawBlock*> Block(std::uint64_t height);
  Result<BlockProof> ProveBlock(std::uint64_t height, const ValidatorSet& set);

  ChainSource* source_;
  std::string genesis_bytes_;
  contracts::Genesis genesis_;
  ValidatorTimeline timeline_;
  bool discovered_ = false;
  std::vector<Change> changes_;                     // discovered, chain order
  size_t next_change_ = 0;                          // first change not yet proven
  std::vector<std::pair<Change, TxProof>> proven_;  // proven changes, chain order
  std::map<std::uint64_t, RawBlock> cache_;         // recently read blocks
  std::uint64_t tip_ = 0;
};

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_PROVER_H_
