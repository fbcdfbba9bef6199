// The validator set as an auditor tracks it: the genesis validators, then
// every accepted validator-set change (validator_add, validator_promote,
// validator_remove), and which set is in force for which block.
//
// The set in force for block h is the set in the state after block h-1 (the
// genesis set for block 1): it is fixed before h is proposed, so a block can
// never choose the validators that vouch for it. Attestations of block h count
// only from voters of that set; "attested" means more than half of them signed
// the same block hash, state root and results root.
//
// Pure values; thread-compatible (const methods may be called concurrently).
#ifndef PLEDGER_TOOLS_AUDIT_VALIDATORS_H_
#define PLEDGER_TOOLS_AUDIT_VALIDATORS_H_

#include <cstdint>
#include <map>
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
};

class ValidatorSet {
 public:
  // The genesis validators. Reason: GENESIS_INVALID (a key that is not hex).
  static Result<ValidatorSet> FromGenesis(const contracts::Genesis& genesis);
  // From validator records (e.g. a replayed state). Reason: STATE_RECORD_CORRUPT.
  static Result<ValidatorSet> FromRecords(const std::vector<contracts::Validator>& records);

  // Applies one accepted change: `body` is the transaction's body, `receipt`
  // its receipt (code OK). The receipt's validator.* event must agree with the
  // body, so this never interprets a transaction differently from the
  // contracts. Reasons: VALIDATOR_CHANGE_INVALID.
  Status Apply(const ledger::TxBody& body, const ledger::Receipt& receipt);

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
