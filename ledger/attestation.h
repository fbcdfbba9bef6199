// Attestations: a validator's signature over the outcome of applying a block.
//
// Signed bytes (fixed layout, not protobuf, so no encoding ambiguity):
//   "pledger/attestation/v1" 0x00
//   be16 len(chain_id) chain_id
//   be16 len(validator_id) validator_id
//   be64 height
//   block_hash (32) state_root (32) results_root (32)
// signed with the validator's node key (Ed25519), whose public key is in the
// validator set on the ledger (genesis and governance).
//
// Pure functions, thread-safe.
#ifndef PLEDGER_LEDGER_ATTESTATION_H_
#define PLEDGER_LEDGER_ATTESTATION_H_

#include <string>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/verified_signatures.h"

namespace pledger::ledger {

std::string AttestationSigningBytes(const std::string& chain_id, const Attestation& a);

Attestation SignAttestation(const std::string& chain_id, const std::string& validator_id,
                            std::uint64_t height, const Hash256& block_hash,
                            const Hash256& state_root, const Hash256& results_root,
                            const SecretKey& key);

// Checks field sizes and the signature. Reasons: ATTESTATION_MALFORMED,
// SIGNATURE_INVALID. With `memo`, a signature already verified by this
// process is not verified again (ledger/verified_signatures.h).
Status VerifyAttestation(const std::string& chain_id, const Attestation& a, const PublicKey& key,
                         VerifiedSignatures* memo = nullptr);

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_ATTESTATION_H_
