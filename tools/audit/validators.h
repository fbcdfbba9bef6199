// The validator set as an auditor tracks it: the genesis validators, then
// every accepted validator-set change (validator_add, validator_promote,
// validator_remove, validator_rotate_key), and which set is in force for which
// block.
//
// The set in force for block h is the set in the state after block h-1 (the
// genesis set for block 1): it is fixed before h is proposed, so a block can
// never choose the validators that vouch for it. Attestations of block h count
// only from voters of that set; "attested" means more than half of them signed
// the same block hash, state root and results root.
//
// Key rotation follows the same rule: a ValidatorRotateKey in block H changes
// the set after H, so attestations of blocks <= H verify with the old key (the
// set in force for them) and of blocks > H with the new one. Each member also
// keeps the key it replaced and key_height (Validator.previous_public_key_hex,
// key_height), for the node's rule on carried attestations: KeyFor.
//
// Pure values; thread-compatible (const methods may be called concurrently).
#ifndef PLEDGER_TOOLS_AUDIT_VALIDATORS_H_
#define PLEDGER_TOOLS_AUDIT_VALIDATORS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/state.pb.h"
#include "ledger/crypto.h"
#include "ledger/proto/ledger.pb.h"

namespace pledger::tools::audit {

struct ValidatorInfo {
  std::string node_id;
  ledger::PublicKey key{};
  bool voter = false;  // VALIDATOR_VOTER; learners attest nothing that counts
  // The key `key` replaced and the block that replaced it (0: never rotated).
  std::optional<ledger::PublicKey> previous_key;
  std::uint64_t key_height = 0;

  // The key the record says was in force for block `height`: the previous
  // key for blocks up to key_height, else the current one. The node's rule
  // for indexing a carried attestation (node/attest.cc), applied to the
  // record as it stood before the carrying block.
  const ledger::PublicKey& KeyFor(std::uint64_t height) const {
    return (height <= key_height && previous_key) ? *previous_key : key;
  }
};

class ValidatorSet {
 public:
  // The genesis validators. Reason: GENESIS_INVALID (a key that is not hex).
  static Result<ValidatorSet> FromGenesis(const contracts::Genesis& genesis);
  // From validator records (e.g. a replayed state). Reason: STATE_RECORD_CORRUPT.
  static Result<ValidatorSet> FromRecords(const std::vector<contracts::Validator>& records);

  // Applies one accepted change of block `height`: `body` is the
  // transaction's body, `receipt` its receipt (code OK). The receipt's
  // validator.* event must agree with the body, so this never interprets a
  // transaction differently from the contracts. A key rotation records
  // `height` as the member's key_height. Reasons: VALIDATOR_CHANGE_INVALID.
  Status Apply(const ledger::TxBody& body, const ledger::Receipt& receipt, std::uint64_t height);

  const ValidatorInfo* Find(const std::string& node_id) const;
  size_t voters() const;
  // More than half of the voters: the smallest count that is attested.
  size_t quorum() const { return voters() / 2 + 1; }
  // "voters n1, n2, n3; learners n4".
  std::string Describe() const;
  const std::map<std::string, ValidatorInfo>& members() const { return members_; }
  bool operator==(const ValidatorSet& other) const;

 private:
  std::map<std::string, ValidatorInfo> members_;  // by node id
};

// True if the body's action changes the validator set.
bool IsValidatorChange(const ledger::TxBody& body);

// Which set is in force for which height.
class ValidatorTimeline {
 public:
  explicit ValidatorTimeline(ValidatorSet genesis);
  // The set in force for block `height` (>= 1).
  const ValidatorSet& InForce(std::uint64_t height) const;
  // `set` is the state after block `height`, so in force from height + 1.
  void SetAfter(std::uint64_t height, ValidatorSet set);
  const ValidatorSet& Latest() const { return sets_.rbegin()->second; }

 private:
  std::map<std::uint64_t, ValidatorSet> sets_;  // first height in force -> set
};

// Checks one attestation of block `height` against `set` (the set in force
// for that block): well formed, by a voter of the set, signature valid over
// the chain id. Reasons: ATTESTATION_MALFORMED, ATTESTATION_WRONG_HEIGHT,
// ATTESTATION_UNKNOWN_VALIDATOR, ATTESTATION_NOT_A_VOTER,
// ATTESTATION_SIGNATURE_INVALID.
Status CheckAttestation(const std::string& chain_id, const ledger::Attestation& a, std::uint64_t height,
                        const ValidatorSet& set);

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_VALIDATORS_H_
