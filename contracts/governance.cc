// Governance (IP-office quorum), accounts, roles, parameters, validators, and
// a bank's own lending policy. docs/contracts.md "Governance".
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "contracts/entitlement.h"
#include "contracts/internal/context.h"
#include "contracts/internal/records.h"
#include "contracts/money.h"
#include "contracts/internal/validate.h"
#include "contracts/pool_keys.h"
#include "contracts/state_keys.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/tx.h"

namespace pledger::contracts::internal {

// Which organisation kinds may hold which role. IP-office powers stay with IP
// offices; banks may appraise in-house (R27) and guarantee; anybody but an IP
// office may own patents (a bank after a DISCOUNT enforcement, R17). The
// regulator's role names a supervisor, so only a regulator holds it.
bool RoleAllowedFor(Role role, OrgKind kind) {
  switch (role) {
    case ROLE_IP_OFFICE:
      return kind == ORG_IP_OFFICE;
    case ROLE_BANK:
      return kind == ORG_BANK;
    case ROLE_APPRAISER:
      return kind == ORG_APPRAISER || kind == ORG_BANK;
    case ROLE_TRUSTEE:
      return kind == ORG_TRUSTEE;
    case ROLE_GUARANTOR:
      return kind == ORG_GUARANTOR || kind == ORG_BANK;
    case ROLE_OWNER:
    case ROLE_INVESTOR:
      return kind != ORG_IP_OFFICE;
    case ROLE_AUDITOR:
      return true;
    case ROLE_REGULATOR:
      return kind == ORG_REGULATOR;
    default:
      return false;
  }
}

Status CheckValidatorOperator(const Organisation& org, const Validator& v, std::string* basis) {
  if (v.role() == VALIDATOR_VOTER && !MayVote(org)) {
    return Fail("VALIDATOR_ORG_NOT_IP_OFFICE", "node " + v.node_id() + ": voters are run by IP offices; " + org.id() +
                                                   " (" + OrgKind_Name(org.kind()) +
                                                   ") may at most run a learner");
  }
  *basis = std::string(ReplicaEntitlement(org));
  if (basis->empty()) {
    return Fail("VALIDATOR_ORG_NOT_ENTITLED",
                "organisation " + org.id() + " (" + OrgKind_Name(org.kind()) +
                    ") is not entitled to a full replica: a node receives every block, including other banks' "
                    "loan terms; governance must grant it first (pledger-wallet gov replica-grant " + org.id() + ")");
  }
  return Status::OK();
}

namespace {

Status CheckRoles(const google::protobuf::RepeatedField<int>& roles, OrgKind kind,
                  std::vector<Role>* out) {
  if (roles.empty() || static_cast<size_t>(roles.size()) > kMaxRolesPerAccount) {
    return Fail("ACCOUNT_ROLES_INVALID", "an account needs 1 to 8 roles");
  }
  for (int r : roles) {
    if (!Role_IsValid(r) || r == ROLE_UNSPECIFIED) {
      return Fail("ACCOUNT_ROLES_INVALID", "role " + std::to_string(r) + " is not a known role");
    }
    if (!RoleAllowedFor(static_cast<Role>(r), kind)) {
      return Fail("GOV_ROLE_NOT_ALLOWED", "role " + RoleName(static_cast<Role>(r)) +
                                              " is not allowed for an organisation of kind " +
                                              OrgKind_Name(kind));
    }
    out->push_back(static_cast<Role>(r));
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return Status::OK();
}

}  // namespace

// Shared with genesis.cc through ValidateOrganisation / ValidateParams below.
Status ValidateOrganisation(const Organisation& o) {
  if (!ValidId(o.id())) {
    return Fail("ORG_ID_INVALID", "organisation id " + Quote(o.id()) + " must match [a-z0-9._-]{1,64}");
  }
  if (!ValidText(o.name(), kMaxNameBytes)) {
    return Fail("ORG_NAME_INVALID", "organisation " + o.id() + " needs a name of 1 to 256 bytes (R3)");
  }
  if (!OrgKind_IsValid(o.kind()) || o.kind() == ORG_KIND_UNSPECIFIED) {
    return Fail("ORG_KIND_INVALID", "organisation " + o.id() + " needs a kind (ORG_BANK, ORG_SME …)");
  }
  if (o.address().size() > kMaxTextBytes) {
    return Fail("ORG_ADDRESS_INVALID", "organisation " + o.id() + ": address is over 512 bytes");
  }
  const LendingPolicy& p = o.lending_policy();
  if (p.min_life_days_invention() < 0 || p.min_life_days_other() < 0 ||
      p.min_life_days_invention() > kMaxLifeDays || p.min_life_days_other() > kMaxLifeDays) {
    return Fail("BANK_POLICY_INVALID", "minimum remaining life must be 0 to 36600 days (R29)");
  }
  return ValidateTlsRoots(o.tls_roots(), o.id());
}

namespace {

// The length of a DER element whose header starts at `der` (tag already
// checked): header bytes + content bytes, or 0 if the length field is not a
// minimal definite DER length that fits in `size`. Structure only: what is
// inside is the node's to parse (with OpenSSL; contracts do not link it).
size_t DerElementSize(std::string_view der) {
  if (der.size() < 2) return 0;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(der[i]); };
  const unsigned char first = byte(1);
  if (first < 0x80) return 2 + static_cast<size_t>(first);
  const size_t n = first & 0x7f;
  // 8 KiB needs at most 2 length bytes; 0x80 (indefinite) is BER, not DER.
  if (n == 0 || n > 2 || der.size() < 2 + n || byte(2) == 0) return 0;
  size_t len = 0;
  for (size_t i = 0; i < n; ++i) len = (len << 8) | byte(2 + i);
  if (len < 0x80) return 0;  // not minimal
  return 2 + n + len;
}

}  // namespace

Status ValidateTlsRoots(const google::protobuf::RepeatedPtrField<std::string>& roots, std::string_view org_id) {
  const std::string who = "organisation " + std::string(org_id);
  if (static_cast<size_t>(roots.size()) > kMaxTlsRoots) {
    return Fail("TLS_ROOTS_INVALID", who + ": " + std::to_string(roots.size()) +
                                         " TLS trust roots; at most 8 (keep the CAs in use, drop retired ones)");
  }
  std::set<std::string_view> seen;  // ordered: the first duplicate found is the same on every node
  for (int i = 0; i < roots.size(); ++i) {
    const std::string& r = roots.Get(i);
    const std::string which = who + ": tls_roots[" + std::to_string(i) + "]";
    if (r.empty() || r.size() > kMaxTlsRootBytes) {
      return Fail("TLS_ROOTS_INVALID", which + " is " + std::to_string(r.size()) +
                                           " bytes; a root is one DER certificate of 1 to 8192 bytes");
    }
    if (static_cast<unsigned char>(r[0]) != 0x30 || DerElementSize(r) != r.size()) {
      return Fail("TLS_ROOTS_INVALID",
                  which + " is not one DER certificate (a single ASN.1 SEQUENCE filling the field); give the "
                          "certificate in DER, not PEM (`openssl x509 -outform DER`, or let pledger-wallet "
                          "convert the PEM file: --tls-root FILE)");
    }
    if (!seen.insert(r).second) {
      return Fail("TLS_ROOTS_INVALID", which + " repeats an earlier root; list each certificate once");
    }
  }
  return Status::OK();
}

Status ValidateParams(const Params& p) {
  if (p.max_expiry_window() == 0 || p.max_expiry_window() > kMaxExpiryWindowLimit) {
    return Fail("PARAMS_INVALID", "max_expiry_window must be 1 to 1000000 blocks");
  }
  if (p.caution_credit_limit_fen() < 0 || p.caution_credit_limit_fen() > kMaxAmountFen) {
    return Fail("PARAMS_INVALID", "caution_credit_limit_fen must be 0 to 10^14 fen (R33)");
  }
  if (p.fee_grace_months() > kMaxParamsMonths || p.licence_filing_months() > kMaxParamsMonths ||
      p.fee_surcharge_bps_per_month() > kMaxFeeSurchargeBps) {
    return Fail("PARAMS_INVALID", "fee_grace_months and licence_filing_months must be <= 24, "
                                  "fee_surcharge_bps_per_month <= 10000 (R20, R24)");
  }
  if (static_cast<size_t>(p.holidays_size()) > kMaxHolidays) {
    return Fail("PARAMS_INVALID", "at most 2000 holidays");
  }
  for (int i = 0; i < p.holidays_size(); ++i) {
    if (!ValidDate(p.holidays(i)) || (i > 0 && p.holidays(i) <= p.holidays(i - 1))) {
      return Fail("PARAMS_INVALID", "holidays must be valid dates in strictly increasing order (R20)");
    }
  }
  if (p.clock_skew_max_ms() != 0 &&
      (p.clock_skew_max_ms() < kMinClockSkewMaxMs || p.clock_skew_max_ms() > kMaxClockSkewMaxMs)) {
    return Fail("PARAMS_INVALID", "clock_skew_max_ms must be 0 (the default, 30 s) or 1000 to 86400000 (1 s to a day)");
  }
  return Status::OK();
}

Status ExecOrgAdd(TxContext& c, const OrgAdd& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("OrgAdd"));
  const Organisation& o = a.org();
  PLEDGER_RETURN_IF_ERROR(ValidateOrganisation(o));
  if (o.replica_entitled() || o.removed() || o.removed_height() != 0) {
    return Fail("ORG_FIELD_NOT_SETTABLE", "organisation " + o.id() +
                                              ": replica_entitled is granted with OrgReplicaGrant and removed with "
                                              "OrgRemove, never in OrgAdd; leave them unset");
  }
  c.Touch(keys::Org(o.id()));
  std::optional<std::string> existing;
  PLEDGER_RETURN_IF_ERROR(c.GetRaw(keys::Org(o.id()), &existing));
  if (existing) return Fail("ORG_EXISTS", "organisation " + o.id() + " exists; ids are never reused");
  c.Write(keys::Org(o.id()), o);
  if (o.kind() == ORG_IP_OFFICE) c.Put(keys::IpOffice(o.id()), "1");
  c.Emit("org.added", {{"org_id", o.id()}, {"kind", OrgKind_Name(o.kind())}});
  return Status::OK();
}

Status ExecAccountAdd(TxContext& c, const AccountAdd& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("AccountAdd"));
  if (!ValidHex64(a.public_key_hex())) {
    return Fail("ACCOUNT_KEY_INVALID", "public key " + Quote(a.public_key_hex()) +
                                           " must be 64 lower-case hex characters (Ed25519)");
  }
  c.Touch(keys::Account(a.public_key_hex()));
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.org_id(), &org));
  std::vector<Role> roles;
  PLEDGER_RETURN_IF_ERROR(CheckRoles(a.roles(), org.kind(), &roles));
  std::optional<std::string> existing;
  PLEDGER_RETURN_IF_ERROR(c.GetRaw(keys::Account(a.public_key_hex()), &existing));
  if (existing) {
    return Fail("ACCOUNT_EXISTS", "key " + a.public_key_hex().substr(0, 16) +
                                      "… already belongs to an account (or was retired); use a new key");
  }
  Account acc;
  acc.set_public_key_hex(a.public_key_hex());
  acc.set_org_id(a.org_id());
  for (Role r : roles) acc.add_roles(r);
  acc.set_created_height(c.height());
  c.Write(keys::Account(a.public_key_hex()), acc);
  c.Emit("account.added", {{"public_key", a.public_key_hex()}, {"org_id", a.org_id()}});
  return Status::OK();
}

Status ExecAccountSuspend(TxContext& c, const AccountSuspend& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("AccountSuspend"));
  Account acc;
  PLEDGER_RETURN_IF_ERROR(LoadAccount(c, a.public_key_hex(), &acc));
  if (acc.suspended() == a.suspended()) {
    return Fail("ACCOUNT_UNCHANGED", std::string("the account is already ") +
                                         (a.suspended() ? "suspended" : "active"));
  }
  acc.set_suspended(a.suspended());
  c.Write(keys::Account(a.public_key_hex()), acc);
  c.Emit(a.suspended() ? "account.suspended" : "account.reinstated",
         {{"public_key", a.public_key_hex()}, {"org_id", acc.org_id()}});
  return Status::OK();
}

namespace {

// Whether `proof` is `key_hex`'s Ed25519 signature over `message`. Empty,
// malformed and wrong proofs are all simply false.
bool ProofVerifies(std::string_view key_hex, std::string_view message, std::string_view proof) {
  if (proof.empty()) return false;
  auto key = ledger::HexDecode(key_hex);
  if (!key.ok()) return false;
  return ledger::VerifyRaw(*key, message, proof).ok();
}

}  // namespace

// Two ways in (docs/contracts.md "Key rotation"): governance (a lost or
// compromised key), or self-signed: the old key signs the transaction itself
// and new_key_proof shows the new key's holder asked for it. A proof present
// on the governance path is checked too, so a wrong one never lands.
Status ExecAccountRotateKey(TxContext& c, const AccountRotateKey& a) {
  const std::string& old_hex = a.old_public_key_hex();
  const std::string& new_hex = a.new_public_key_hex();
  const bool self_signed =
      !a.new_key_proof().empty() && std::any_of(c.signers().begin(), c.signers().end(),
                                                [&](const Signer* s) { return s->key_hex == old_hex; });
  if (!self_signed) {
    Status q = c.RequireGovernanceQuorum("AccountRotateKey");
    if (!q.ok()) {
      if (q.reason() != "GOV_QUORUM_NOT_MET") return q;
      return Fail("GOV_QUORUM_NOT_MET",
                  std::string(q.message()) +
                      "; or rotate it yourself: sign with the old key and include new_key_proof, the new key's "
                      "signature over the rotation message (pledger-wallet key rotate NAME)");
    }
  }
  Account acc;
  PLEDGER_RETURN_IF_ERROR(LoadAccount(c, old_hex, &acc));
  // The new key would be a new account of the organisation.
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, acc.org_id(), &org));
  if (!ValidHex64(new_hex)) {
    return Fail("ACCOUNT_KEY_INVALID", "new public key must be 64 lower-case hex characters");
  }
  c.Touch(keys::Account(new_hex));
  std::optional<std::string> existing;
  PLEDGER_RETURN_IF_ERROR(c.GetRaw(keys::Account(new_hex), &existing));
  if (existing) return Fail("ACCOUNT_EXISTS", "the new key already belongs to an account; use a fresh key");
  if (!a.new_key_proof().empty() &&
      !ProofVerifies(new_hex, ledger::KeyRotationMessage(c.chain_id(), "account:" + old_hex, old_hex, new_hex),
                     a.new_key_proof())) {
    return Fail("KEY_PROOF_INVALID",
                "new_key_proof is not the new key's Ed25519 signature over the rotation message (chain " +
                    c.chain_id() + ", subject account:" + old_hex.substr(0, 16) +
                    "…, old key, new key); sign ledger::KeyRotationMessage with the new key again");
  }
  Account moved = acc;
  moved.set_public_key_hex(new_hex);
  moved.set_created_height(c.height());
  // The old record stays as a tombstone: the key can never sign or be re-added.
  acc.set_rotated_to_hex(new_hex);
  acc.set_suspended(true);
  c.Write(keys::Account(old_hex), acc);
  c.Write(keys::Account(new_hex), moved);
  c.Emit("account.key_rotated", {{"old_public_key", old_hex},
                                 {"new_public_key", new_hex},
                                 {"org_id", acc.org_id()},
                                 {"basis", self_signed ? "self" : "governance"}});
  return Status::OK();
}

Status ExecRoleGrant(TxContext& c, const RoleGrant& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("RoleGrant"));
  Account acc;
  PLEDGER_RETURN_IF_ERROR(LoadAccount(c, a.public_key_hex(), &acc));
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, acc.org_id(), &org));
  google::protobuf::RepeatedField<int> one;
  one.Add(a.role());
  std::vector<Role> roles;
  PLEDGER_RETURN_IF_ERROR(CheckRoles(one, org.kind(), &roles));
  if (HasRole(acc, a.role())) return Fail("ACCOUNT_UNCHANGED", "the account already has " + RoleName(a.role()));
  if (static_cast<size_t>(acc.roles_size()) >= kMaxRolesPerAccount) {
    return Fail("ACCOUNT_ROLES_INVALID", "an account holds at most 8 roles");
  }
  for (int r : acc.roles()) roles.push_back(static_cast<Role>(r));
  std::sort(roles.begin(), roles.end());
  acc.clear_roles();
  for (Role r : roles) acc.add_roles(r);
  c.Write(keys::Account(a.public_key_hex()), acc);
  c.Emit("account.role_granted", {{"public_key", a.public_key_hex()}, {"role", RoleName(a.role())}});
  return Status::OK();
}

Status ExecRoleRevoke(TxContext& c, const RoleRevoke& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("RoleRevoke"));
  Account acc;
  PLEDGER_RETURN_IF_ERROR(LoadAccount(c, a.public_key_hex(), &acc));
  if (!HasRole(acc, a.role())) {
    return Fail("ACCOUNT_UNCHANGED", "the account does not hold " + RoleName(a.role()));
  }
  if (acc.roles_size() == 1) {
    return Fail("ACCOUNT_ROLES_INVALID", "an account keeps at least one role; suspend it instead");
  }
  google::protobuf::RepeatedField<int> kept;
  for (int r : acc.roles()) {
    if (r != a.role()) kept.Add(r);
  }
  *acc.mutable_roles() = kept;
  c.Write(keys::Account(a.public_key_hex()), acc);
  c.Emit("account.role_revoked", {{"public_key", a.public_key_hex()}, {"role", RoleName(a.role())}});
  return Status::OK();
}

Status ExecParamsSet(TxContext& c, const ParamsSet& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("ParamsSet"));
  PLEDGER_RETURN_IF_ERROR(ValidateParams(a.params()));
  c.Touch("params");
  c.Write(std::string(keys::kParams), a.params());
  c.Emit("params.set", {{"max_expiry_window", std::to_string(a.params().max_expiry_window())}});
  return Status::OK();
}

Status ValidateValidator(const Validator& v) {
  if (!ValidId(v.node_id())) {
    return Fail("VALIDATOR_INVALID", "node id " + Quote(v.node_id()) + " must match [a-z0-9._-]{1,64}");
  }
  if (!ValidHex64(v.public_key_hex())) {
    return Fail("VALIDATOR_INVALID", "node " + v.node_id() + ": public key must be 64 lower-case hex");
  }
  if (v.role() != VALIDATOR_VOTER && v.role() != VALIDATOR_LEARNER) {
    return Fail("VALIDATOR_INVALID", "node " + v.node_id() + ": role must be VALIDATOR_VOTER or VALIDATOR_LEARNER");
  }
  if (!v.previous_public_key_hex().empty() || v.key_height() != 0) {
    // The key history decides which key verifies which block's attestations:
    // only ValidatorRotateKey writes it, never an admission.
    return Fail("VALIDATOR_INVALID", "node " + v.node_id() +
                                         ": previous_public_key_hex and key_height are set by ValidatorRotateKey "
                                         "only; leave them unset");
  }
  return Status::OK();
}

namespace {

Status LoadValidators(TxContext& c, std::vector<Validator>* out) {
  Status bad;
  PLEDGER_RETURN_IF_ERROR(c.Scan(keys::kValidatorPrefix, [&](std::string_view, std::string_view v) {
    Validator val;
    if (!val.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = c.Fatal(Status::Corruption("STATE_RECORD_CORRUPT", "a validator record does not parse"));
      return false;
    }
    out->push_back(std::move(val));
    return true;
  }));
  return bad;
}

}  // namespace

Status ExecValidatorAdd(TxContext& c, const ValidatorAdd& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("ValidatorAdd"));
  const Validator& v = a.validator();
  PLEDGER_RETURN_IF_ERROR(ValidateValidator(v));
  c.Touch(keys::Validator(v.node_id()));
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, v.org_id(), &org));
  std::string basis;
  PLEDGER_RETURN_IF_ERROR(CheckValidatorOperator(org, v, &basis));
  std::vector<Validator> all;
  PLEDGER_RETURN_IF_ERROR(LoadValidators(c, &all));
  for (const Validator& e : all) {
    if (e.node_id() == v.node_id() || e.public_key_hex() == v.public_key_hex()) {
      return Fail("VALIDATOR_EXISTS", "node id or key already in the validator set; remove it first");
    }
  }
  c.Write(keys::Validator(v.node_id()), v);
  c.Emit("validator.added", {{"node_id", v.node_id()},
                             {"role", ValidatorRole_Name(v.role())},
                             {"public_key", v.public_key_hex()},
                             {"org_id", v.org_id()},
                             {"entitlement", basis}});
  return Status::OK();
}

Status ExecValidatorPromote(TxContext& c, const ValidatorPromote& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("ValidatorPromote"));
  if (!ValidId(a.node_id())) return Fail("VALIDATOR_INVALID", "node id must match [a-z0-9._-]{1,64}");
  c.Touch(keys::Validator(a.node_id()));
  Validator v;
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Validator(a.node_id()), &v, &found));
  if (!found) return Fail("VALIDATOR_NOT_FOUND", "no node " + a.node_id() + " in the validator set");
  if (v.role() != VALIDATOR_LEARNER) return Fail("VALIDATOR_NOT_LEARNER", "node " + a.node_id() + " is already a voter");
  // The learner was admitted on its operator's replica entitlement; voting
  // is the IP offices' alone, checked as if the node were added as a voter.
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, v.org_id(), &org));
  v.set_role(VALIDATOR_VOTER);
  std::string basis;
  PLEDGER_RETURN_IF_ERROR(CheckValidatorOperator(org, v, &basis));
  c.Write(keys::Validator(a.node_id()), v);
  c.Emit("validator.promoted", {{"node_id", v.node_id()}});
  return Status::OK();
}

Status ExecValidatorRemove(TxContext& c, const ValidatorRemove& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("ValidatorRemove"));
  if (!ValidId(a.node_id())) return Fail("VALIDATOR_INVALID", "node id must match [a-z0-9._-]{1,64}");
  c.Touch(keys::Validator(a.node_id()));
  std::vector<Validator> all;
  PLEDGER_RETURN_IF_ERROR(LoadValidators(c, &all));
  const Validator* target = nullptr;
  size_t voters = 0;
  for (const Validator& v : all) {
    if (v.role() == VALIDATOR_VOTER) ++voters;
    if (v.node_id() == a.node_id()) target = &v;
  }
  if (target == nullptr) return Fail("VALIDATOR_NOT_FOUND", "no node " + a.node_id() + " in the validator set");
  if (target->role() == VALIDATOR_VOTER && voters <= 1) {
    return Fail("VALIDATOR_LAST_VOTER", "node " + a.node_id() +
                                            " is the last voter; add and promote another node first");
  }
  c.Erase(keys::Validator(a.node_id()));
  c.Emit("validator.removed", {{"node_id", a.node_id()}, {"role", ValidatorRole_Name(target->role())}});
  return Status::OK();
}

// docs/contracts.md "Key rotation". The new key proves it asked to be the
// node's key (always); then governance, or the node's own organisation with
// the current key's consent (old_key_proof). Blocks up to and including this
// one were made under the old key (Validator.key_height), so their
// attestations keep verifying with previous_public_key_hex.
Status ExecValidatorRotateKey(TxContext& c, const ValidatorRotateKey& a) {
  if (!ValidId(a.node_id())) return Fail("VALIDATOR_INVALID", "node id must match [a-z0-9._-]{1,64}");
  c.Touch(keys::Validator(a.node_id()));
  Validator v;
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Validator(a.node_id()), &v, &found));
  if (!found) return Fail("VALIDATOR_NOT_FOUND", "no node " + a.node_id() + " in the validator set");
  const std::string old_hex = v.public_key_hex();
  const std::string& new_hex = a.new_public_key_hex();
  const std::string message = ledger::KeyRotationMessage(c.chain_id(), "node:" + a.node_id(), old_hex, new_hex);

  // Authorisation first: governance, else self-signed by the organisation.
  std::string basis = "governance";
  Status q = c.RequireGovernanceQuorum("ValidatorRotateKey");
  if (!q.ok()) {
    if (q.reason() != "GOV_QUORUM_NOT_MET") return q;
    const bool org_signed = std::any_of(c.signers().begin(), c.signers().end(),
                                        [&](const Signer* s) { return s->account.org_id() == v.org_id(); });
    if (!org_signed) {
      return Fail("GOV_QUORUM_NOT_MET",
                  std::string(q.message()) + "; or have an account of " + v.org_id() +
                      " (the node's operator) sign it with old_key_proof, the current key's signature "
                      "(pledger-admin rotate-key, then pledger-wallet gov validator-rotate-key --rotation FILE)");
    }
    basis = "self";
  }
  if (!ValidHex64(new_hex)) {
    return Fail("VALIDATOR_INVALID", "node " + a.node_id() + ": the new public key must be 64 lower-case hex");
  }
  if (new_hex == old_hex || new_hex == v.previous_public_key_hex()) {
    return Fail("VALIDATOR_KEY_UNCHANGED", "node " + a.node_id() + ": " + new_hex.substr(0, 16) + "… is " +
                                               (new_hex == old_hex ? "its current key" : "the key it replaced") +
                                               "; a node key is never reused: generate a fresh one");
  }
  if (v.key_height() == c.height()) {
    // A second rotation in the block would record a key that never signed
    // anything as the one in force for the blocks up to this one.
    return Fail("VALIDATOR_KEY_ROTATED_THIS_BLOCK", "node " + a.node_id() +
                                                        " already had its key rotated in this block; submit the "
                                                        "next rotation after it commits");
  }
  std::vector<Validator> all;
  PLEDGER_RETURN_IF_ERROR(LoadValidators(c, &all));
  for (const Validator& e : all) {
    if (e.node_id() != a.node_id() && e.public_key_hex() == new_hex) {
      return Fail("VALIDATOR_EXISTS", "node " + e.node_id() + " already uses key " + new_hex.substr(0, 16) +
                                          "…; every node needs a key of its own");
    }
  }
  if (!ProofVerifies(new_hex, message, a.new_key_proof())) {
    return Fail("KEY_PROOF_INVALID",
                "node " + a.node_id() + ": new_key_proof " + (a.new_key_proof().empty() ? "is missing" : "does not verify") +
                    "; it must be the new key's Ed25519 signature over the rotation message (chain " + c.chain_id() +
                    ", subject node:" + a.node_id() + ", current key, new key): pledger-admin rotate-key writes it");
  }
  if (basis == "self" && !ProofVerifies(old_hex, message, a.old_key_proof())) {
    return Fail("KEY_PROOF_INVALID",
                "node " + a.node_id() + ": without the governance quorum, old_key_proof must be the current key's (" +
                    old_hex.substr(0, 16) + "…) signature over the rotation message, and it " +
                    (a.old_key_proof().empty() ? "is missing" : "does not verify") +
                    "; if the current key is lost, the IP offices rotate it by quorum");
  }
  v.set_previous_public_key_hex(old_hex);
  v.set_public_key_hex(new_hex);
  v.set_key_height(c.height());
  c.Write(keys::Validator(a.node_id()), v);
  c.Emit("validator.key_rotated", {{"node_id", v.node_id()},
                                   {"old_public_key", old_hex},
                                   {"new_public_key", new_hex},
                                   {"org_id", v.org_id()},
                                   {"basis", basis}});
  return Status::OK();
}

// Replaces the roots at once (docs/contracts.md "TLS trust roots").
Status ExecOrgTlsRootsSet(TxContext& c, const OrgTlsRootsSet& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("OrgTlsRootsSet"));
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.org_id(), &org));
  PLEDGER_RETURN_IF_ERROR(ValidateTlsRoots(a.tls_roots(), org.id()));
  const bool same = org.tls_roots_size() == a.tls_roots_size() &&
                    std::equal(org.tls_roots().begin(), org.tls_roots().end(), a.tls_roots().begin());
  if (same) return Fail("ORG_UNCHANGED", a.org_id() + " already has exactly these TLS trust roots");
  *org.mutable_tls_roots() = a.tls_roots();
  c.Write(keys::Org(org.id()), org);
  std::string fingerprints;
  for (const std::string& r : a.tls_roots()) {
    if (!fingerprints.empty()) fingerprints += ',';
    fingerprints += ledger::HexEncode(ledger::ByteSpan(ledger::Sha256(r)));
  }
  c.Emit("org.tls_roots_set",
         {{"org_id", org.id()}, {"count", std::to_string(a.tls_roots_size())}, {"sha256", fingerprints}});
  return Status::OK();
}

Status ExecOrgReplicaGrant(TxContext& c, const OrgReplicaGrant& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("OrgReplicaGrant"));
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.org_id(), &org));
  if (EntitledByKind(org.kind())) {
    return Fail("ORG_UNCHANGED", a.org_id() + " (" + OrgKind_Name(org.kind()) +
                                     ") may run a replica by its kind; there is nothing to grant or revoke");
  }
  if (org.replica_entitled() == a.entitled()) {
    return Fail("ORG_UNCHANGED", a.org_id() + (a.entitled() ? " is already" : " is not") + " entitled to a replica");
  }
  if (!a.entitled()) {
    // A revocation with the node still in the set would leave the node
    // receiving every block under an entitlement the ledger says is gone.
    std::vector<Validator> all;
    PLEDGER_RETURN_IF_ERROR(LoadValidators(c, &all));
    for (const Validator& v : all) {
      if (v.org_id() != a.org_id()) continue;
      return Fail("ORG_OPERATES_VALIDATOR", "node " + v.node_id() + " of " + a.org_id() +
                                                " is in the validator set; remove it first (pledger-wallet gov "
                                                "validator-remove --node-id " + v.node_id() + "), then revoke");
    }
  }
  org.set_replica_entitled(a.entitled());
  c.Write(keys::Org(org.id()), org);
  c.Emit(a.entitled() ? "org.replica_granted" : "org.replica_revoked",
         {{"org_id", org.id()}, {"kind", OrgKind_Name(org.kind())}});
  return Status::OK();
}

namespace {

// Whether a pledge still needs its parties: REGISTERED, or (when
// `enforced_counts`) ENFORCED with a patent still locked until the sale is
// assigned, which takes the pledgee's co-signature (R17).
Status PledgeRunning(TxContext& c, const Pledge& p, bool enforced_counts, bool* running) {
  *running = p.state() == PLEDGE_REGISTERED;
  if (*running || !enforced_counts || p.state() != PLEDGE_ENFORCED) return Status::OK();
  for (const std::string& no : p.patent_nos()) {
    Patent patent;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Patent(no), &patent, &found));
    if (found && patent.active_pledge_id() == p.id()) {
      *running = true;
      return Status::OK();
    }
  }
  return Status::OK();
}

// The first pledge listed under an order index (ix/bank/, ix/borrower/,
// ix/pledgor/) that still runs; *id is "" if none.
Status FirstRunningPledge(TxContext& c, const std::string& prefix, bool enforced_counts, Pledge* out,
                          std::string* id) {
  std::vector<std::string> ids;
  PLEDGER_RETURN_IF_ERROR(c.Scan(prefix, [&](std::string_view, std::string_view v) {
    ids.emplace_back(v);
    return true;
  }));
  id->clear();
  for (const std::string& pid : ids) {
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pledge(pid), out, &found));
    bool running = false;
    if (found) PLEDGER_RETURN_IF_ERROR(PledgeRunning(c, *out, enforced_counts, &running));
    if (running) {
      *id = pid;
      return Status::OK();
    }
  }
  return Status::OK();
}

// The first pool listed under an order index (ix/trustee-pool/,
// ix/guarantor-pool/) that is not wound down; "" if none.
Status FirstLivePool(TxContext& c, const std::string& prefix, std::string* id) {
  std::vector<std::string> ids;
  PLEDGER_RETURN_IF_ERROR(c.Scan(prefix, [&](std::string_view, std::string_view v) {
    ids.emplace_back(v);
    return true;
  }));
  for (const std::string& pid : ids) {
    Pool p;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pool(pid), &p, &found));
    if (found && p.state() != POOL_WOUND_DOWN) {
      *id = pid;
      return Status::OK();
    }
  }
  id->clear();
  return Status::OK();
}

// Nothing still running may lose a party that can no longer sign: a pledge
// needs its pledgee and pledgors to change or end, a pool its trustee and
// guarantor, a holding its holder to move.
Status CheckNothingRunning(TxContext& c, const std::string& org) {
  struct Side {
    std::string prefix;  // an order index of the organisation's records
    const char* as;
  };
  const Side sides[] = {{keys::BankPledgePrefix(org), "pledgee"},
                        {keys::PledgorPledgePrefix(org), "pledgor"},
                        {keys::BorrowerPledgePrefix(org), "debtor"}};
  for (const Side& side : sides) {
    const bool pledgee = side.prefix == keys::BankPledgePrefix(org);
    Pledge p;
    std::string id;
    PLEDGER_RETURN_IF_ERROR(FirstRunningPledge(c, side.prefix, pledgee, &p, &id));
    if (id.empty()) continue;
    if (p.state() == PLEDGE_ENFORCED) {
      return Fail("ORG_HAS_ACTIVE_PLEDGES", org + " is pledgee of pledge " + id +
                                                ", enforced, whose sale still waits for its assignment (R17); "
                                                "complete it (PatentAssign co-signed by " + org +
                                                ") or cancel the pledge before removing " + org);
    }
    return Fail("ORG_HAS_ACTIVE_PLEDGES", org + " is " + side.as + " of registered pledge " + id +
                                              "; every pledge it is party to must be repaid, cancelled or "
                                              "enforced before it is removed");
  }
  const Side pools[] = {{keys::TrusteePoolPrefix(org), "trustee"}, {keys::GuarantorPoolPrefix(org), "guarantor"}};
  for (const Side& side : pools) {
    std::string id;
    PLEDGER_RETURN_IF_ERROR(FirstLivePool(c, side.prefix, &id));
    if (!id.empty()) {
      return Fail("ORG_HAS_ACTIVE_POOLS", org + " is " + side.as + " of pool " + id +
                                              ", which is not wound down; the trustee winds it down first "
                                              "(PoolWindDown)");
    }
  }
  const std::string holdings = keys::InvestorHoldingPrefix(org);
  std::vector<std::string> refs;  // "<pool>/<rank>"
  PLEDGER_RETURN_IF_ERROR(c.Scan(holdings, [&](std::string_view k, std::string_view) {
    refs.emplace_back(k.substr(holdings.size()));
    return true;
  }));
  for (const std::string& ref : refs) {
    const std::string pool_id = ref.substr(0, ref.find('/'));
    Pool p;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pool(pool_id), &p, &found));
    if (found && p.state() != POOL_WOUND_DOWN) {
      return Fail("ORG_HAS_HOLDINGS", org + " holds units of tranche " + ref +
                                          " and the pool is not wound down; transfer them to another investor "
                                          "first (HoldingTransfer)");
    }
  }
  return Status::OK();
}

// Removing an IP office shrinks the electorate. The offices that signed this
// removal must still be a quorum of the offices left, or the consortium could
// be left with no set of signers able to govern (offices without an active
// IP_OFFICE account still count in the total).
Status CheckQuorumAfterRemoval(TxContext& c, const std::string& org) {
  const std::set<std::string> signing = c.SigningOrgs(ROLE_IP_OFFICE);
  size_t left = 0, approving = 0;
  PLEDGER_RETURN_IF_ERROR(c.Scan(keys::kIpOfficePrefix, [&](std::string_view k, std::string_view) {
    const std::string office(k.substr(keys::kIpOfficePrefix.size()));
    if (office == org) return true;
    ++left;
    if (signing.count(office)) ++approving;
    return true;
  }));
  if (left == 0) {
    return Fail("ORG_REMOVE_BREAKS_QUORUM", org + " is the last IP office; governance needs at least one");
  }
  if (approving * 2 <= left) {
    return Fail("ORG_REMOVE_BREAKS_QUORUM",
                "after removing " + org + ", " + std::to_string(left) + " IP offices remain and governance needs " +
                    std::to_string(left / 2 + 1) + " of them; this removal is signed by " +
                    std::to_string(approving) + ". Have IP offices of at least " + std::to_string(left / 2 + 1) +
                    " remaining organisations co-sign it, so the remaining offices can still govern");
  }
  return Status::OK();
}

}  // namespace

Status ExecOrgRemove(TxContext& c, const OrgRemove& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireGovernanceQuorum("OrgRemove"));
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(ReadOrg(c, a.org_id(), &org));
  if (org.removed()) {
    return Fail("ORG_REMOVED", a.org_id() + " was already removed at height " + std::to_string(org.removed_height()));
  }
  std::vector<Validator> all;
  PLEDGER_RETURN_IF_ERROR(LoadValidators(c, &all));
  for (const Validator& v : all) {
    if (v.org_id() != a.org_id()) continue;
    return Fail("ORG_OPERATES_VALIDATOR", "node " + v.node_id() + " of " + a.org_id() +
                                              " is in the validator set; remove it first (pledger-wallet gov "
                                              "validator-remove --node-id " + v.node_id() + ")");
  }
  PLEDGER_RETURN_IF_ERROR(CheckNothingRunning(c, a.org_id()));
  if (org.kind() == ORG_IP_OFFICE) PLEDGER_RETURN_IF_ERROR(CheckQuorumAfterRemoval(c, a.org_id()));

  org.set_removed(true);
  org.set_removed_height(c.height());
  org.set_replica_entitled(false);
  c.Write(keys::Org(org.id()), org);
  // Out of the electorate: the quorum no longer counts it.
  if (org.kind() == ORG_IP_OFFICE) c.Erase(keys::IpOffice(org.id()));
  c.Emit("org.removed", {{"org_id", org.id()}, {"kind", OrgKind_Name(org.kind())}});
  return Status::OK();
}

Status ExecBankPolicySet(TxContext& c, const BankPolicySet& a) {
  Organisation org;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.bank_org_id(), &org));
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_BANK, a.bank_org_id(), "BankPolicySet"));
  if (org.kind() != ORG_BANK) return Fail("BANK_POLICY_NOT_A_BANK", a.bank_org_id() + " is not a bank");
  *org.mutable_lending_policy() = a.policy();
  PLEDGER_RETURN_IF_ERROR(ValidateOrganisation(org));
  c.Write(keys::Org(org.id()), org);
  c.Emit("bank.policy_set", {{"org_id", org.id()},
                             {"ltv_cap_bps", std::to_string(a.policy().ltv_cap_bps())},
                             {"valuation_required", a.policy().valuation_required() ? "true" : "false"}});
  return Status::OK();
}

}  // namespace pledger::contracts::internal
