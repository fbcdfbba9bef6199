#include "ledger/attestation.h"

namespace pledger::ledger {

std::string AttestationSigningBytes(const std::string& chain_id, const Attestation& a) {
  std::string out("pledger/attestation/v1");
  out.push_back('\0');
  PutLen16(&out, chain_id);
  PutLen16(&out, a.validator_id());
  PutBigEndian64(&out, a.height());
  out.append(a.block_hash());
  out.append(a.state_root());
  out.append(a.results_root());
  return out;
}

Attestation SignAttestation(const std::string& chain_id, const std::string& validator_id,
                            std::uint64_t height, const Hash256& block_hash,
                            const Hash256& state_root, const Hash256& results_root,
                            const SecretKey& key) {
  Attestation a;
  a.set_validator_id(validator_id);
  a.set_height(height);
  a.set_block_hash(std::string(AsStringView(block_hash)));
  a.set_state_root(std::string(AsStringView(state_root)));
  a.set_results_root(std::string(AsStringView(results_root)));
  SignatureBytes sig = key.Sign(AttestationSigningBytes(chain_id, a));
  a.set_signature(std::string(AsStringView(sig)));
  return a;
}

Status VerifyAttestation(const std::string& chain_id, const Attestation& a, const PublicKey& key,
                         VerifiedSignatures* memo) {
  if (a.block_hash().size() != 32 || a.state_root().size() != 32 ||
      a.results_root().size() != 32 || a.signature().size() != kSignatureSize ||
      a.validator_id().empty() || a.validator_id().size() > 64 || a.height() == 0) {
    return Status::InvalidArgument("ATTESTATION_MALFORMED",
                                   "attestation fields have the wrong sizes");
  }
  return VerifyWith(memo, AsStringView(key), AttestationSigningBytes(chain_id, a), a.signature());
}

}  // namespace pledger::ledger
