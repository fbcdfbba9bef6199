// Verifier: checks a whole chain from the genesis file, block by block.
//
// Full mode (`verify`): for every block, in order,
//   - the header: canonical, chain id, height, prev_hash = the previous
//     block's hash (the genesis file's hash for block 1), time increasing,
//     tx_count/tx_root/attestations_root over the block's exact bytes, and the
//     parent state and results roots equal to those the replay computed;
//   - every transaction decoded strictly and every Ed25519 signature verified
//     (on all cores; a transaction with a bad signature must carry the
//     SIGNATURE_INVALID receipt, and does: the replay gives it one);
//   - re-execution through the contracts (contracts::Engine) into a scratch
//     ledger (ledger::Ledger in a temporary directory, or the replica of
//     --keep), and the source's receipts, results root and state root compared
//     with the replay's;
//   - every attestation the block carries: by a validator of the set in force
//     for the attested block (from the replayed state), signature valid, and
//     signing exactly the block hash, state root and results root the replay
//     computed for that height.
// Then, for a data directory read to its tip, the directory's state, state
// commitment, indexes (hash, transaction, history, versions, attestations)
// and tip record are compared with the replica's, key by key.
//
// Light mode (export): the same header, link, results-root and attestation
// checks, without signatures or execution; the validator set follows the
// receipts of validator-set changes. What it proves rests on the validators'
// attestations instead of re-execution.
//
// The first failure stops the run; the report names its height, a stable
// reason and what differs. Errors of the source (unreachable node, locked
// directory) are returned as a Status instead.
//
// Threads: a fetch thread reads blocks and prepares transactions on a pool of
// `threads` (signature verification, the expensive part); the calling thread
// executes in order. Verify itself must be called from one thread.
#ifndef PLEDGER_TOOLS_AUDIT_VERIFIER_H_
#define PLEDGER_TOOLS_AUDIT_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "consensus/status.h"
#include "ledger/proto/ledger.pb.h"
#include "tools/audit/source.h"
#include "tools/proto/audit.pb.h"

namespace pledger::tools::audit {

struct VerifyProgress {
  std::uint64_t height = 0;    // last block done
  std::uint64_t target = 0;    // last block to do
  std::uint64_t transactions = 0;
  std::uint64_t attested_height = 0;
  double seconds = 0;
};

// Called for each checked block, in order (light mode: export folds the
// register from it). `results` are the checked results of the block.
using BlockVisitor = std::function<Status(const ledger::BlockHeader& header, const ledger::Block& block,
                                          const ledger::BlockResults& results)>;

struct VerifyOptions {
  std::string genesis_bytes;        // the auditor's genesis file (trusted)
  std::uint64_t to_height = 0;      // 0: the source's tip when the run starts
  bool execute = true;              // false: light mode (no signatures, no re-execution)
  std::string keep_dir;             // full mode: keep (or resume) the replica here
  size_t threads = 0;               // signature-verification threads; 0: all cores
  bool require_attested = false;    // fail if a block with transactions is not attested
  // Progress reports, at most every `progress_every_ms`.
  std::function<void(const VerifyProgress&)> progress;
  std::uint64_t progress_every_ms = 2000;
  BlockVisitor visitor;             // optional
};

// Returns the report (ok or the first failure), or a Status for problems that
// are not findings about the chain: the source failed (NODE_UNREACHABLE,
// DB_LOCKED, ...), the genesis file is invalid, the replica cannot be used
// (REPLICA_MISMATCH, REPLICA_INCONSISTENT) or the scratch database failed.
Result<VerifyReport> Verify(ChainSource* source, const VerifyOptions& options);

// Whether `dir` holds a replica written by `verify --keep` (its ReplicaMeta).
Result<bool> IsReplica(DirSource* dir, ReplicaMeta* meta);

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_VERIFIER_H_
