// Transaction commands of governance (organisations, accounts, roles, chain
// parameters, validators: a quorum of IP offices signs) and of a bank's own
// lending policy (docs/contracts.md "Governance").
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "contracts/dates.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "tools/wallet/actions.h"

namespace pledger::tools::wallet::actions {
namespace {

const std::vector<Choice<contracts::Role>>& RoleChoices() {
  static const std::vector<Choice<contracts::Role>> kChoices = {
      {"ip-office", contracts::ROLE_IP_OFFICE}, {"bank", contracts::ROLE_BANK},
      {"owner", contracts::ROLE_OWNER},         {"appraiser", contracts::ROLE_APPRAISER},
      {"trustee", contracts::ROLE_TRUSTEE},     {"investor", contracts::ROLE_INVESTOR},
      {"guarantor", contracts::ROLE_GUARANTOR}, {"auditor", contracts::ROLE_AUDITOR},
      {"regulator", contracts::ROLE_REGULATOR},
  };
  return kChoices;
}

const std::vector<Choice<contracts::OrgKind>>& KindChoices() {
  static const std::vector<Choice<contracts::OrgKind>> kChoices = {
      {"ip-office", contracts::ORG_IP_OFFICE},
      {"bank", contracts::ORG_BANK},
      {"appraiser", contracts::ORG_APPRAISER},
      {"trustee", contracts::ORG_TRUSTEE},
      {"guarantor", contracts::ORG_GUARANTOR},
      {"auditor", contracts::ORG_AUDITOR},
      {"sme", contracts::ORG_SME},
      {"individual-business", contracts::ORG_INDIVIDUAL_BUSINESS},
      {"enterprise", contracts::ORG_ENTERPRISE},
      {"patent-agency", contracts::ORG_PATENT_AGENCY},
      {"investor", contracts::ORG_INVESTOR},
      {"regulator", contracts::ORG_REGULATOR},
  };
  return kChoices;
}

// Lending-policy flags over `base` (the bank's current policy when known).
Status PolicyFlags(Context& c, contracts::LendingPolicy* p, bool require_all) {
  auto need = [&](const std::string& flag) -> Status {
    if (require_all && !c.args().Has(flag)) {
      return UsageError("missing required flag --" + flag +
                        " (no node to read the current policy from, so every part of it must be given)");
    }
    return Status::OK();
  };
  PLEDGER_RETURN_IF_ERROR(need("ltv-cap"));
  if (auto v = c.args().Get("ltv-cap")) {
    if (NormaliseWord(*v) == "none") {
      p->set_ltv_cap_bps(0);
    } else {
      PLEDGER_ASSIGN_OR_RETURN(std::uint32_t cap, ParseBps("ltv-cap", *v, 100'000));
      if (cap == 0) return FlagError("ltv-cap", "write 'none' for no cap");
      p->set_ltv_cap_bps(cap);
    }
  }
  for (const char* flag : {"min-life-invention-days", "min-life-other-days"}) {
    PLEDGER_RETURN_IF_ERROR(need(flag));
    if (auto v = c.args().Get(flag)) {
      PLEDGER_ASSIGN_OR_RETURN(std::int64_t days, ParseInt(flag, *v, 0, kMaxLifeDays));
      if (std::string(flag) == "min-life-invention-days") {
        p->set_min_life_days_invention(static_cast<std::int32_t>(days));
      } else {
        p->set_min_life_days_other(static_cast<std::int32_t>(days));
      }
    }
  }
  const bool on = c.args().Has("valuation-required");
  const bool off = c.args().Has("no-valuation-required");
  if (on && off) return UsageError("give --valuation-required or --no-valuation-required, not both");
  if (require_all && !on && !off) {
    return UsageError("missing required flag --valuation-required or --no-valuation-required (no node to read the "
                      "current policy from)");
  }
  if (on) p->set_valuation_required(true);
  if (off) p->set_valuation_required(false);
  return Status::OK();
}

Result<Action> BuildBankPolicySet(Context& c) {
  Action a;
  auto* x = a.mutable_bank_policy_set();
  PLEDGER_ASSIGN_OR_RETURN(std::string bank, Org(c, "bank", true));
  x->set_bank_org_id(bank);
  // Flags left out keep the bank's current value, which only a node knows.
  bool have_base = false;
  if (c.HasNodeUrl()) {
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
    auto org = n->Org(bank);
    c.Observe(org.status());
    if (org.ok()) {
      *x->mutable_policy() = org->lending_policy();
      have_base = true;
    } else if (!org.status().IsNotFound()) {
      return org.status();
    }
  }
  PLEDGER_RETURN_IF_ERROR(PolicyFlags(c, x->mutable_policy(), !have_base));
  return a;
}

// --FLAG FILE (repeatable): trust roots, each file a PEM certificate or a
// bundle of them (each becomes one root), or one DER certificate. Checked
// here as the ledger checks them (contracts/limits.h), so a wrong file fails
// before anyone signs.
Result<std::vector<std::string>> TlsRoots(Context& c, const std::string& flag) {
  std::vector<std::string> roots;
  for (const std::string& path : c.args().GetAll(flag)) {
    auto data = io::ReadFile(path, 1 << 20);
    if (!data.ok()) return FlagError(flag, "cannot read " + path + ": " + std::string(data.status().message()));
    if (data->find("-----BEGIN") != std::string::npos) {
      if (data->find("PRIVATE KEY") != std::string::npos) {
        return FlagError(flag, path + " holds a PRIVATE KEY: give only the certificate (never send a key to anyone)");
      }
      auto ders = io::CertsPemToDer(*data);
      if (!ders.ok()) {
        return FlagError(flag, path + " is not a PEM certificate: " + std::string(ders.status().message()));
      }
      for (auto& d : *ders) roots.push_back(std::move(d));
    } else if (!data->empty() && static_cast<unsigned char>((*data)[0]) == 0x30) {
      roots.push_back(std::move(*data));
    } else {
      return FlagError(flag, path + " is neither a PEM nor a DER certificate");
    }
  }
  if (roots.size() > kMaxTlsRoots) {
    return FlagError(flag, std::to_string(roots.size()) + " certificates; an organisation lists at most " +
                               std::to_string(kMaxTlsRoots) + " TLS trust roots");
  }
  for (size_t i = 0; i < roots.size(); ++i) {
    if (roots[i].size() > kMaxTlsRootBytes) {
      return FlagError(flag, "certificate " + std::to_string(i + 1) + " is " + std::to_string(roots[i].size()) +
                                 " bytes; the ledger takes at most 8192");
    }
    for (size_t j = 0; j < i; ++j) {
      if (roots[i] == roots[j]) return FlagError(flag, "certificate " + std::to_string(i + 1) + " is given twice");
    }
  }
  return roots;
}

Result<Action> BuildOrgTlsRoots(Context& c) {
  Action a;
  auto* x = a.mutable_org_tls_roots_set();
  PLEDGER_ASSIGN_OR_RETURN(std::string org, Org(c, "org", true));
  x->set_org_id(org);
  PLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> roots, TlsRoots(c, "root"));
  if (roots.empty() && !c.args().Has("none")) {
    return UsageError("missing required flag --root FILE (or --none to withdraw every root of " + org + ")");
  }
  if (!roots.empty() && c.args().Has("none")) return UsageError("give --root FILE or --none, not both");
  for (auto& r : roots) x->add_tls_roots(std::move(r));
  return a;
}

// The file `pledger-admin rotate-key` writes (docs/wallet.md "Rotating a
// node's key"): JSON with string fields node_id, chain_id,
// old_public_key_hex, new_public_key_hex, new_key_proof_hex and
// old_key_proof_hex (the last may be empty: a governance rotation).
// Other fields are ignored, so the admin tool may add its own.
Result<Action> BuildValidatorRotateKey(Context& c) {
  PLEDGER_ASSIGN_OR_RETURN(std::string path, Required(c, "rotation"));
  auto data = io::ReadFile(path, 64 << 10);
  if (!data.ok()) return FlagError("rotation", "cannot read " + path + ": " + std::string(data.status().message()));
  google::protobuf::Struct doc;
  auto st = google::protobuf::util::JsonStringToMessage(*data, &doc);
  if (!st.ok()) return FlagError("rotation", path + " is not JSON: " + std::string(st.message()));
  auto field = [&](const std::string& name, bool required) -> Result<std::string> {
    auto it = doc.fields().find(name);
    if (it == doc.fields().end() || it->second.kind_case() != google::protobuf::Value::kStringValue) {
      if (!required) return std::string();
      return FlagError("rotation", path + " has no string field \"" + name + "\" (written by pledger-admin rotate-key?)");
    }
    return it->second.string_value();
  };
  PLEDGER_ASSIGN_OR_RETURN(std::string node_id, field("node_id", true));
  PLEDGER_ASSIGN_OR_RETURN(std::string chain_id, field("chain_id", true));
  PLEDGER_ASSIGN_OR_RETURN(std::string old_hex, field("old_public_key_hex", true));
  PLEDGER_ASSIGN_OR_RETURN(std::string new_hex, field("new_public_key_hex", true));
  PLEDGER_ASSIGN_OR_RETURN(std::string new_proof_hex, field("new_key_proof_hex", true));
  PLEDGER_ASSIGN_OR_RETURN(std::string old_proof_hex, field("old_key_proof_hex", false));
  if (!ParseOrgId("node_id", node_id).ok()) return FlagError("rotation", "node_id '" + node_id + "' is not a node id");
  auto old_key = ledger::PublicKeyFromHex(old_hex);
  auto new_key = ledger::PublicKeyFromHex(new_hex);
  if (!old_key.ok() || !new_key.ok() || old_hex == new_hex) {
    return FlagError("rotation", "old_public_key_hex and new_public_key_hex must be two different 64-hex keys");
  }
  // The proofs are checked here as the ledger will, so a file for another
  // chain, node or pair of keys fails before anyone signs it.
  const std::string msg = ledger::KeyRotationMessage(chain_id, "node:" + node_id, old_hex, new_hex);
  auto new_proof = ledger::HexDecode(new_proof_hex);
  if (!new_proof.ok() || !ledger::VerifyRaw(ledger::ToString(*new_key), msg, *new_proof).ok()) {
    return FlagError("rotation", "new_key_proof_hex is not the new key's signature over this rotation (chain " +
                                     chain_id + ", node " + node_id + "); make the file again with pledger-admin "
                                     "rotate-key");
  }
  std::string old_proof;
  if (!old_proof_hex.empty()) {
    auto p = ledger::HexDecode(old_proof_hex);
    if (!p.ok() || !ledger::VerifyRaw(ledger::ToString(*old_key), msg, *p).ok()) {
      return FlagError("rotation", "old_key_proof_hex is not the current key's signature over this rotation");
    }
    old_proof = std::move(*p);
  }
  if (auto s = c.settings(); s.ok() && !s->chain_id.empty() && s->chain_id != chain_id) {
    return FlagError("rotation", path + " is for chain '" + chain_id + "' but your profile uses '" + s->chain_id + "'");
  }
  // The current key must be the one on the ledger, or the proofs are void.
  if (c.HasNodeUrl() && c.lookup() != nullptr) {
    auto v = c.lookup()->ValidatorRecord(node_id);
    if (v.ok() && v->public_key_hex() != old_hex) {
      return FlagError("rotation", "node " + node_id + "'s key on the ledger is " + Short(v->public_key_hex()) +
                                       ", not the file's old key " + Short(old_hex) + "; the rotation is stale");
    }
    if (!v.ok() && v.status().IsNotFound()) return FlagError("rotation", "no node " + node_id + " on the ledger");
  }
  Action a;
  auto* x = a.mutable_validator_rotate_key();
  x->set_node_id(node_id);
  x->set_new_public_key_hex(new_hex);
  x->set_new_key_proof(std::move(*new_proof));
  x->set_old_key_proof(std::move(old_proof));
  return a;
}

Result<Action> BuildOrgAdd(Context& c) {
  Action a;
  auto* o = a.mutable_org_add()->mutable_org();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Org(c, "id", true));
  o->set_id(id);
  PLEDGER_ASSIGN_OR_RETURN(std::string name, Text(c, "name", kMaxNameBytes, true));
  o->set_name(name);
  PLEDGER_ASSIGN_OR_RETURN(contracts::OrgKind kind,
                           ChoiceFlag(c, "kind", KindChoices(), true, contracts::ORG_KIND_UNSPECIFIED));
  o->set_kind(kind);
  PLEDGER_ASSIGN_OR_RETURN(std::string address, Text(c, "address", kMaxTextBytes, true));
  o->set_address(address);
  o->set_foreign_non_resident(c.args().Has("foreign-non-resident"));
  const bool policy_given = c.args().Has("ltv-cap") || c.args().Has("min-life-invention-days") ||
                            c.args().Has("min-life-other-days") || c.args().Has("valuation-required") ||
                            c.args().Has("no-valuation-required");
  if (policy_given && kind != contracts::ORG_BANK) {
    return UsageError("lending-policy flags (--ltv-cap …) are for banks only (R29)");
  }
  if (policy_given) PLEDGER_RETURN_IF_ERROR(PolicyFlags(c, o->mutable_lending_policy(), false));
  PLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> roots, TlsRoots(c, "tls-root"));
  for (auto& r : roots) o->add_tls_roots(std::move(r));
  return a;
}

Result<std::vector<contracts::Role>> Roles(Context& c) {
  std::vector<contracts::Role> roles;
  for (const std::string& v : c.args().GetAll("role")) {
    PLEDGER_ASSIGN_OR_RETURN(contracts::Role r, ParseChoice("role", v, RoleChoices()));
    if (std::find(roles.begin(), roles.end(), r) != roles.end()) return FlagError("role", v + " is given twice");
    roles.push_back(r);
  }
  if (roles.empty()) return UsageError("missing required flag --role ROLE");
  if (roles.size() > kMaxRolesPerAccount) return FlagError("role", "an account has at most 8 roles");
  return roles;
}

Result<Action> BuildAccountAdd(Context& c) {
  Action a;
  auto* x = a.mutable_account_add();
  PLEDGER_ASSIGN_OR_RETURN(std::string key_text, Required(c, "public-key"));
  PLEDGER_ASSIGN_OR_RETURN(std::string key, ParsePublicKey("public-key", key_text));
  x->set_public_key_hex(key);
  PLEDGER_ASSIGN_OR_RETURN(std::string org, Org(c, "org", true));
  x->set_org_id(org);
  PLEDGER_ASSIGN_OR_RETURN(std::vector<contracts::Role> roles, Roles(c));
  for (auto r : roles) x->add_roles(r);
  return a;
}

Result<std::string> KeyFlag(Context& c, const std::string& flag) {
  PLEDGER_ASSIGN_OR_RETURN(std::string text, Required(c, flag));
  return ParsePublicKey(flag, text);
}

Result<Action> BuildAccountSuspend(Context& c) {
  Action a;
  auto* x = a.mutable_account_suspend();
  PLEDGER_ASSIGN_OR_RETURN(std::string key, KeyFlag(c, "public-key"));
  x->set_public_key_hex(key);
  x->set_suspended(!c.args().Has("reinstate"));
  return a;
}

Result<Action> BuildAccountRotate(Context& c) {
  Action a;
  auto* x = a.mutable_account_rotate_key();
  PLEDGER_ASSIGN_OR_RETURN(std::string old_key, KeyFlag(c, "public-key"));
  PLEDGER_ASSIGN_OR_RETURN(std::string new_key, KeyFlag(c, "new-public-key"));
  if (old_key == new_key) return FlagError("new-public-key", "is the same key as --public-key");
  x->set_old_public_key_hex(old_key);
  x->set_new_public_key_hex(new_key);
  return a;
}

Result<Action> BuildRole(Context& c, bool grant) {
  Action a;
  PLEDGER_ASSIGN_OR_RETURN(std::string key, KeyFlag(c, "public-key"));
  PLEDGER_ASSIGN_OR_RETURN(std::string text, Required(c, "role"));
  PLEDGER_ASSIGN_OR_RETURN(contracts::Role role, ParseChoice("role", text, RoleChoices()));
  if (grant) {
    a.mutable_role_grant()->set_public_key_hex(key);
    a.mutable_role_grant()->set_role(role);
  } else {
    a.mutable_role_revoke()->set_public_key_hex(key);
    a.mutable_role_revoke()->set_role(role);
  }
  return a;
}

Result<Action> BuildParamsSet(Context& c) {
  Action a;
  contracts::Params* p = a.mutable_params_set()->mutable_params();
  // ParamsSet replaces the parameters as a whole: start from a file or from
  // what the chain has now, never from zeros.
  if (auto from = c.args().Get("from")) {
    contracts::Params file;
    auto json = io::ReadFile(*from, 1 << 20);
    if (!json.ok()) return FlagError("from", "cannot read " + *from + ": " + std::string(json.status().message()));
    Status s = io::ParseJson(*json, &file, *from);
    if (!s.ok()) return FlagError("from", std::string(s.message()));
    *p = file;
  } else {
    if (!c.HasNodeUrl()) {
      return UsageError("missing required flag --from FILE (parameters as JSON): without a node the wallet cannot "
                        "read the current parameters to change");
    }
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
    auto cur = n->Params();
    c.Observe(cur.status());
    if (!cur.ok()) return cur.status();
    *p = *cur;
  }
  // The engine does not bound the filing and decision periods; a century of
  // days catches a value typed in the wrong unit.
  constexpr std::int64_t kMaxPeriodDays = 36'600;
  auto uint_flag = [&](const char* flag, std::int64_t max, auto setter) -> Status {
    if (auto v = c.args().Get(flag)) {
      PLEDGER_ASSIGN_OR_RETURN(std::int64_t n, ParseInt(flag, *v, 0, max));
      setter(n);
    }
    return Status::OK();
  };
  PLEDGER_RETURN_IF_ERROR(uint_flag("max-expiry-window", kMaxExpiryWindowLimit, [&](std::int64_t n) {
    p->set_max_expiry_window(static_cast<std::uint64_t>(n));
  }));
  if (p->max_expiry_window() == 0) return FlagError("max-expiry-window", "must be at least 1 block");
  if (auto v = c.args().Get("caution-credit-limit")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t fen, ParseYuan("caution-credit-limit", *v, true));
    p->set_caution_credit_limit_fen(fen);
  }
  PLEDGER_RETURN_IF_ERROR(uint_flag("caution-bank-threshold", 1000, [&](std::int64_t n) {
    p->set_caution_bank_threshold(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("caution-bank-threshold-individual", 1000, [&](std::int64_t n) {
    p->set_caution_bank_threshold_individual(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("fee-grace-months", kMaxParamsMonths, [&](std::int64_t n) {
    p->set_fee_grace_months(static_cast<std::uint32_t>(n));
  }));
  if (auto v = c.args().Get("fee-surcharge")) {
    PLEDGER_ASSIGN_OR_RETURN(std::uint32_t bps, ParseBps("fee-surcharge", *v, kMaxFeeSurchargeBps));
    p->set_fee_surcharge_bps_per_month(bps);
  }
  PLEDGER_RETURN_IF_ERROR(uint_flag("licence-filing-months", kMaxParamsMonths, [&](std::int64_t n) {
    p->set_licence_filing_months(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("change-filing-days", kMaxPeriodDays, [&](std::int64_t n) {
    p->set_change_filing_days(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("decision-sla-days", kMaxPeriodDays, [&](std::int64_t n) {
    p->set_decision_sla_days(static_cast<std::uint32_t>(n));
  }));
  std::set<std::int32_t> holidays(p->holidays().begin(), p->holidays().end());
  for (const std::string& v : c.args().GetAll("add-holiday")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int32_t d, ParseDate("add-holiday", v, c.today()));
    holidays.insert(d);
  }
  for (const std::string& v : c.args().GetAll("remove-holiday")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int32_t d, ParseDate("remove-holiday", v, c.today()));
    if (!holidays.erase(d)) return FlagError("remove-holiday", FormatDay(d) + " is not a holiday now");
  }
  if (holidays.size() > kMaxHolidays) return FlagError("add-holiday", "at most 2000 holidays");
  p->clear_holidays();
  for (std::int32_t d : holidays) p->add_holidays(d);
  return a;
}

Result<Action> BuildValidatorAdd(Context& c) {
  Action a;
  auto* v = a.mutable_validator_add()->mutable_validator();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Org(c, "node-id", true));
  v->set_node_id(id);
  PLEDGER_ASSIGN_OR_RETURN(std::string key, KeyFlag(c, "public-key"));
  v->set_public_key_hex(key);
  PLEDGER_ASSIGN_OR_RETURN(std::string org, Org(c, "org", true));
  v->set_org_id(org);
  PLEDGER_ASSIGN_OR_RETURN(std::string peer_text, Required(c, "peer"));
  PLEDGER_ASSIGN_OR_RETURN(std::string peer, ParseHostPort("peer", peer_text));
  v->set_peer_address(peer);
  PLEDGER_ASSIGN_OR_RETURN(std::string api_text, Required(c, "api"));
  PLEDGER_ASSIGN_OR_RETURN(std::string api, ParseHostPort("api", api_text));
  v->set_api_address(api);
  if (c.args().Has("learner") && c.args().Has("voter")) return UsageError("give --learner or --voter, not both");
  // A new node joins as a learner and is promoted once it caught up; voting
  // from the start is possible but risks the quorum while it catches up.
  v->set_role(c.args().Has("voter") ? contracts::VALIDATOR_VOTER : contracts::VALIDATOR_LEARNER);
  return a;
}

Result<Action> BuildValidatorNode(Context& c, bool promote) {
  Action a;
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Org(c, "node-id", true));
  if (promote) {
    a.mutable_validator_promote()->set_node_id(id);
  } else {
    a.mutable_validator_remove()->set_node_id(id);
  }
  return a;
}

// The organisation is the command's operand (`gov org-remove qtbank`), the
// form the ledger's refusals quote.
Result<std::string> OrgOperand(Context& c) {
  const auto& pos = c.args().positional();
  if (pos.empty()) return UsageError("missing organisation id (pledger-wallet " + c.command().Words() + " ORG)");
  if (pos.size() > 1) return UsageError("unexpected argument '" + pos[1] + "': give one organisation");
  auto id = ParseOrgId("org", pos[0]);
  if (!id.ok()) return UsageError("ORG: '" + pos[0] + "' is not an id; ids are 1-64 characters of a-z 0-9 . _ -");
  return *id;
}

Result<Action> BuildReplicaGrant(Context& c) {
  Action a;
  PLEDGER_ASSIGN_OR_RETURN(std::string org, OrgOperand(c));
  a.mutable_org_replica_grant()->set_org_id(org);
  a.mutable_org_replica_grant()->set_entitled(!c.args().Has("revoke"));
  return a;
}

Result<Action> BuildOrgRemove(Context& c) {
  Action a;
  PLEDGER_ASSIGN_OR_RETURN(std::string org, OrgOperand(c));
  a.mutable_org_remove()->set_org_id(org);
  return a;
}

const char kQuorum[] =
    "Governance: signed by IP-office accounts of more than half of the IP-office organisations. Draft it with "
    "--out FILE and collect the signatures with `pledger-wallet sign FILE`.";

std::vector<FlagDef> PolicyFlagDefs() {
  return {F("ltv-cap", "PCT", "loan-to-value cap, e.g. 50% or 5000bps; 'none' for no cap (R29)"),
          F("min-life-invention-days", "DAYS", "minimum remaining term of pledged inventions (R29)"),
          F("min-life-other-days", "DAYS", "minimum remaining term of utility models and designs (R29)"),
          Switch("valuation-required", "refuse pledges without a valid valuation (R29)"),
          Switch("no-valuation-required", "accept pledges without a valuation")};
}

}  // namespace

void AddGovernanceCommands(std::vector<Command>* out) {
  out->push_back(Tx("bank", "policy-set", "Set a bank's own lending policy (R29) (that bank)",
                    "Signed by a BANK account of the bank. Flags left out keep their current value (read from the "
                    "node); without a node every part must be given.",
                    [] {
                      std::vector<FlagDef> f{F("bank", "ORG", "the bank", true)};
                      for (auto& d : PolicyFlagDefs()) f.push_back(d);
                      return f;
                    }(),
                    {"pledger-wallet bank policy-set --bank qtbank --ltv-cap 50% --min-life-invention-days 1825"},
                    BuildBankPolicySet));
  out->push_back(Tx("gov", "org-add", "Add an organisation", kQuorum,
                    [] {
                      std::vector<FlagDef> f{
                          F("id", "ID", "organisation id ([a-z0-9._-], never reused)", true),
                          F("name", "TEXT", "legal name (R3)", true),
                          F("kind", "KIND", "ip-office, bank, appraiser, trustee, guarantor, auditor, sme, "
                                            "individual-business, enterprise, patent-agency, investor or regulator",
                            true),
                          F("address", "TEXT", "registered address (R3)", true),
                          Switch("foreign-non-resident", "a foreign party without residence in China (R5)"),
                          Many("tls-root", "FILE", "a TLS trust root it vouches for: its CA's (or a node's "
                                                   "self-signed) certificate, PEM or DER; repeatable, at most 8")};
                      for (auto& d : PolicyFlagDefs()) f.push_back(d);
                      return f;
                    }(),
                    {"pledger-wallet gov org-add --id buyer --name \"Buyer Tech Co.\" --kind enterprise --address "
                     "Hangzhou --out org.json"},
                    BuildOrgAdd));
  out->push_back(Tx("gov", "account-add", "Bind a public key to an organisation with roles", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's Ed25519 public key (or a .pub file)", true),
                     F("org", "ORG", "its organisation", true),
                     Many("role", "ROLE", "ip-office, bank, owner, appraiser, trustee, investor, guarantor, auditor or "
                                         "regulator (regulators only)", true)},
                    {"pledger-wallet gov account-add --public-key 8a88e3dd… --org buyer --role owner --out acct.json"},
                    BuildAccountAdd));
  out->push_back(Tx("gov", "account-suspend", "Suspend (or with --reinstate, reinstate) an account", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's public key", true),
                     Switch("reinstate", "lift a suspension instead")},
                    {"pledger-wallet gov account-suspend --public-key 8a88e3dd… --out suspend.json"},
                    BuildAccountSuspend));
  out->push_back(Tx("gov", "account-rotate-key", "Move an account to a new key; the old key is retired for good", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's current key", true),
                     F("new-public-key", "HEX|FILE", "its new key", true)},
                    {"pledger-wallet gov account-rotate-key --public-key 8a88… --new-public-key 3d40… --out rotate.json"},
                    BuildAccountRotate));
  out->push_back(Tx("gov", "role-grant", "Grant a role to an account", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's key", true), F("role", "ROLE", "the role", true)},
                    {"pledger-wallet gov role-grant --public-key 3d40… --role appraiser --out grant.json"},
                    [](Context& c) { return BuildRole(c, true); }));
  out->push_back(Tx("gov", "role-revoke", "Revoke a role from an account", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's key", true), F("role", "ROLE", "the role", true)},
                    {"pledger-wallet gov role-revoke --public-key 3d40… --role appraiser --out revoke.json"},
                    [](Context& c) { return BuildRole(c, false); }));
  out->push_back(Tx("gov", "params-set", "Change chain parameters (replaces them as a whole)",
                    std::string(kQuorum) +
                        " Starts from the chain's current parameters (read from the node) or from --from FILE, then "
                        "applies the flags given.",
                    {F("from", "FILE", "parameters as JSON (the shape of GET /v1/params)"),
                     F("max-expiry-window", "BLOCKS", "replay window"),
                     F("caution-credit-limit", "YUAN", "R33: borrowers with at most this much credit"),
                     F("caution-bank-threshold", "N", "R33: ...and more than N banks need a caution ack"),
                     F("caution-bank-threshold-individual", "N", "R33: the same for individual businesses"),
                     F("fee-grace-months", "N", "R20 grace period"),
                     F("fee-surcharge", "PCT", "R20 surcharge per month late, e.g. 5%"),
                     F("licence-filing-months", "N", "R24 filing period"),
                     F("change-filing-days", "N", "R11 change filing period (reported)"),
                     F("decision-sla-days", "N", "R9 decision time (reported)"),
                     Many("add-holiday", "DATE", "add an official holiday (R20 working-day roll)"),
                     Many("remove-holiday", "DATE", "remove a holiday")},
                    {"pledger-wallet gov params-set --add-holiday 2027-10-01 --add-holiday 2027-10-02 --out params.json"},
                    BuildParamsSet));
  out->push_back(Tx("gov", "validator-add", "Admit a consensus node (as a learner unless --voter)", kQuorum,
                    {F("node-id", "ID", "node id (its certificate CN)", true),
                     F("public-key", "HEX|FILE", "the node's Ed25519 key (printed by pledger-admin add-node)", true),
                     F("org", "ORG", "the IP office operating it", true),
                     F("peer", "HOST:PORT", "its peer listener (Validator.peer_address)", true),
                     F("api", "HOST:PORT", "its HTTP API (Validator.api_address)", true),
                     Switch("learner", "join as a non-voting learner (default)"),
                     Switch("voter", "join as a voter straight away")},
                    {"pledger-wallet gov validator-add --node-id node4 --public-key 2781… --org zjipo --peer "
                     "127.0.0.1:26704 --api 127.0.0.1:26604 --learner --out node4.json"},
                    BuildValidatorAdd));
  out->push_back(Tx("gov", "validator-promote", "Promote a learner to voter", kQuorum,
                    {F("node-id", "ID", "node id", true)},
                    {"pledger-wallet gov validator-promote --node-id node4 --out promote.json"},
                    [](Context& c) { return BuildValidatorNode(c, true); }));
  out->push_back(Tx("gov", "validator-remove", "Remove a node from the validator set", kQuorum,
                    {F("node-id", "ID", "node id", true)},
                    {"pledger-wallet gov validator-remove --node-id node4 --out remove.json"},
                    [](Context& c) { return BuildValidatorNode(c, false); }));
  out->push_back(Tx("gov", "validator-rotate-key", "Replace a node's key (from pledger-admin rotate-key)",
                    "Reads the rotation file pledger-admin rotate-key wrote on the node's machine (node id, chain, "
                    "old and new public key, the new key's proof and, unless the old key is lost, the old key's). "
                    "With the old key's proof an account of the node's own organisation signs it alone; without, "
                    "governance: IP offices of more than half of the IP-office organisations. The new key is in "
                    "force from the block after the one that commits it.",
                    {F("rotation", "FILE", "the rotation file (JSON) written by pledger-admin rotate-key", true)},
                    {"pledger-wallet gov validator-rotate-key --rotation node4-rotation.json",
                     "pledger-wallet gov validator-rotate-key --rotation node4-rotation.json --out rotate.json"},
                    BuildValidatorRotateKey));
  out->push_back(Tx("gov", "org-tls-roots", "Replace an organisation's TLS trust roots",
                    std::string(kQuorum) +
                        " The roots replace the current ones as a whole, at once: nodes of the organisation whose "
                        "certificate chains to none of them are disconnected when the block applies. During a CA "
                        "rotation list the old and the new CA, then drop the old one.",
                    {F("org", "ORG", "the organisation", true),
                     Many("root", "FILE", "a trust root certificate, PEM (a bundle adds each) or DER; at most 8"),
                     Switch("none", "withdraw every root (no node of it is accepted)")},
                    {"pledger-wallet gov org-tls-roots --org zjipo --root zjipo-ca.crt --root zjipo-ca-2027.crt "
                     "--out roots.json"},
                    BuildOrgTlsRoots));
  Command grant = Tx("gov", "replica-grant", "Entitle an organisation to run a full replica (or --revoke)",
                     std::string(kQuorum) +
                         " A node receives every block, including every bank's loan terms: only an entitled "
                         "organisation may run a learner node (validator-add). IP offices, auditors and regulators "
                         "are entitled by kind. A revocation is refused while the organisation's node is in the "
                         "validator set: remove the node first.",
                     {Switch("revoke", "withdraw the entitlement instead")},
                     {"pledger-wallet gov replica-grant qtbank --out grant.json",
                      "pledger-wallet gov replica-grant qtbank --revoke --out revoke.json"},
                     BuildReplicaGrant);
  grant.operands = "ORG";
  out->push_back(std::move(grant));
  Command remove = Tx("gov", "org-remove", "Remove an organisation for good (its accounts stop signing)",
                      std::string(kQuorum) +
                          " Refused while it runs a node in the validator set, is party to a registered pledge "
                          "(pledgee, pledgor or debtor), is trustee or guarantor of a pool not wound down, or "
                          "holds tranche units of one. The record stays readable and the id is never reused.",
                      {},
                      {"pledger-wallet gov org-remove oldbank --out remove-org.json"},
                      BuildOrgRemove);
  remove.operands = "ORG";
  out->push_back(std::move(remove));
}

}  // namespace pledger::tools::wallet::actions
