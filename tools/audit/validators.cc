#include "tools/audit/validators.h"

#include "ledger/attestation.h"
#include "ledger/bytes.h"

namespace pledger::tools::audit {
namespace {

Status Invalid(const std::string& why) { return Status::Corruption("VALIDATOR_CHANGE_INVALID", why); }

// The value of attribute `key` of the receipt's first event of `type`.
const ledger::Event* FindEvent(const ledger::Receipt& r, const std::string& type) {
  for (const auto& e : r.events()) {
    if (e.type() == type) return &e;
  }
  return nullptr;
}

std::string Attr(const ledger::Event& e, const std::string& key) {
  for (const auto& a : e.attributes()) {
    if (a.key() == key) return a.value();
  }
  return "";
}

}  // namespace

Result<ValidatorSet> ValidatorSet::FromRecords(const std::vector<contracts::Validator>& records) {
  ValidatorSet s;
  for (const auto& v : records) {
    auto key = ledger::PublicKeyFromHex(v.public_key_hex());
    if (!key.ok()) {
      return Status::Corruption("STATE_RECORD_CORRUPT", "validator " + v.node_id() + " has a malformed key");
    }
    ValidatorInfo info{v.node_id(), *key, v.role() == contracts::VALIDATOR_VOTER, std::nullopt, v.key_height()};
    if (!v.previous_public_key_hex().empty()) {
      auto prev = ledger::PublicKeyFromHex(v.previous_public_key_hex());
      if (!prev.ok()) {
        return Status::Corruption("STATE_RECORD_CORRUPT", "validator " + v.node_id() + " has a malformed previous key");
      }
      info.previous_key = *prev;
    }
    s.members_[v.node_id()] = std::move(info);
  }
  return s;
}

Result<ValidatorSet> ValidatorSet::FromGenesis(const contracts::Genesis& genesis) {
  std::vector<contracts::Validator> records(genesis.validators().begin(), genesis.validators().end());
  auto s = FromRecords(records);
  if (!s.ok()) return Status::InvalidArgument("GENESIS_INVALID", std::string(s.status().message()));
  return s;
}

bool IsValidatorChange(const ledger::TxBody& body) {
  if (!body.has_action()) return false;
  const auto& a = body.action();
  return a.has_validator_add() || a.has_validator_promote() || a.has_validator_remove() ||
         a.has_validator_rotate_key();
}

Status ValidatorSet::Apply(const ledger::TxBody& body, const ledger::Receipt& receipt, std::uint64_t height) {
  if (receipt.code() != "OK") return Invalid("a refused transaction changes nothing (" + receipt.code() + ")");
  const auto& a = body.action();
  if (a.has_validator_add()) {
    const contracts::Validator& v = a.validator_add().validator();
    const ledger::Event* e = FindEvent(receipt, "validator.added");
    if (e == nullptr || Attr(*e, "node_id") != v.node_id() || Attr(*e, "public_key") != v.public_key_hex() ||
        Attr(*e, "role") != contracts::ValidatorRole_Name(v.role())) {
      return Invalid("validator_add of " + v.node_id() + ": the receipt's validator.added event does not match");
    }
    auto key = ledger::PublicKeyFromHex(v.public_key_hex());
    if (!key.ok() || members_.count(v.node_id())) {
      return Invalid("validator_add of " + v.node_id() + " cannot apply to " + Describe());
    }
    members_[v.node_id()] = ValidatorInfo{v.node_id(), *key, v.role() == contracts::VALIDATOR_VOTER, std::nullopt, 0};
    return Status::OK();
  }
  if (a.has_validator_promote()) {
    const std::string& id = a.validator_promote().node_id();
    const ledger::Event* e = FindEvent(receipt, "validator.promoted");
    auto it = members_.find(id);
    if (e == nullptr || Attr(*e, "node_id") != id || it == members_.end() || it->second.voter) {
      return Invalid("validator_promote of " + id + " does not match its receipt or " + Describe());
    }
    it->second.voter = true;
    return Status::OK();
  }
  if (a.has_validator_remove()) {
    const std::string& id = a.validator_remove().node_id();
    const ledger::Event* e = FindEvent(receipt, "validator.removed");
    if (e == nullptr || Attr(*e, "node_id") != id || members_.erase(id) == 0) {
      return Invalid("validator_remove of " + id + " does not match its receipt or " + Describe());
    }
    return Status::OK();
  }
  if (a.has_validator_rotate_key()) {
    const contracts::ValidatorRotateKey& x = a.validator_rotate_key();
    const ledger::Event* e = FindEvent(receipt, "validator.key_rotated");
    auto it = members_.find(x.node_id());
    auto key = ledger::PublicKeyFromHex(x.new_public_key_hex());
    if (e == nullptr || Attr(*e, "node_id") != x.node_id() || Attr(*e, "new_public_key") != x.new_public_key_hex() ||
        it == members_.end() || !key.ok() || Attr(*e, "old_public_key") != ledger::HexEncode(it->second.key)) {
      return Invalid("validator_rotate_key of " + x.node_id() + " does not match its receipt or " + Describe());
    }
    it->second.previous_key = it->second.key;
    it->second.key = *key;
    it->second.key_height = height;
    return Status::OK();
  }
  return Invalid("not a validator-set change");
}

const ValidatorInfo* ValidatorSet::Find(const std::string& node_id) const {
  auto it = members_.find(node_id);
  return it == members_.end() ? nullptr : &it->second;
}

size_t ValidatorSet::voters() const {
  size_t n = 0;
  for (const auto& [id, v] : members_) n += v.voter ? 1 : 0;
  return n;
}

std::string ValidatorSet::Describe() const {
  std::string voters, learners;
  for (const auto& [id, v] : members_) {
    std::string& list = v.voter ? voters : learners;
    list += (list.empty() ? "" : ", ") + id;
  }
  std::string out = "voters " + (voters.empty() ? std::string("(none)") : voters);
  if (!learners.empty()) out += "; learners " + learners;
  return out;
}

bool ValidatorSet::operator==(const ValidatorSet& o) const {
  if (members_.size() != o.members_.size()) return false;
  for (const auto& [id, v] : members_) {
    const ValidatorInfo* w = o.Find(id);
    if (w == nullptr || w->key != v.key || w->voter != v.voter || w->previous_key != v.previous_key ||
        w->key_height != v.key_height) {
      return false;
    }
  }
  return true;
}

ValidatorTimeline::ValidatorTimeline(ValidatorSet genesis) { sets_.emplace(1, std::move(genesis)); }

const ValidatorSet& ValidatorTimeline::InForce(std::uint64_t height) const {
  auto it = sets_.upper_bound(height);
  if (it != sets_.begin()) --it;
  return it->second;
}

void ValidatorTimeline::SetAfter(std::uint64_t height, ValidatorSet set) {
  sets_.erase(sets_.upper_bound(height), sets_.end());
  if (InForce(height + 1) == set) return;
  sets_[height + 1] = std::move(set);
}

Status CheckAttestation(const std::string& chain_id, const ledger::Attestation& a, std::uint64_t height,
                        const ValidatorSet& set) {
  if (a.height() != height) {
    return Status::Corruption("ATTESTATION_WRONG_HEIGHT", "an attestation of block " + std::to_string(a.height()) +
                                                              " stands for block " + std::to_string(height));
  }
  const ValidatorInfo* v = set.Find(a.validator_id());
  if (v == nullptr) {
    return Status::Corruption("ATTESTATION_UNKNOWN_VALIDATOR",
                              "attestation of block " + std::to_string(height) + " by '" + a.validator_id() +
                                  "', which is not in the validator set in force for it (" + set.Describe() + ")");
  }
  if (!v->voter) {
    return Status::Corruption("ATTESTATION_NOT_A_VOTER", "attestation of block " + std::to_string(height) + " by " +
                                                             a.validator_id() + ", a learner then; only voters count");
  }
  Status s = ledger::VerifyAttestation(chain_id, a, v->key);
  if (s.reason() == "ATTESTATION_MALFORMED") {
    return Status::Corruption("ATTESTATION_MALFORMED", "attestation of block " + std::to_string(height) + " by " +
                                                           a.validator_id() + ": " + std::string(s.message()));
  }
  if (!s.ok()) {
    return Status::Corruption("ATTESTATION_SIGNATURE_INVALID",
                              "attestation of block " + std::to_string(height) + " by " + a.validator_id() +
                                  ": the signature does not verify with its key " +
                                  ledger::HexEncode(v->key).substr(0, 16) + "… (forged or altered)");
  }
  return Status::OK();
}

}  // namespace pledger::tools::audit
