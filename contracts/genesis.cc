#include "contracts/genesis.h"

#include <google/protobuf/util/json_util.h>

#include <map>
#include <set>

#include "contracts/entitlement.h"
#include "contracts/internal/records.h"
#include "contracts/internal/validate.h"
#include "contracts/state_keys.h"
#include "ledger/tx.h"

namespace pledger::contracts {
namespace {

Status Invalid(const std::string& field, std::string_view why) {
  return Status::InvalidArgument("GENESIS_INVALID", field + ": " + std::string(why));
}

Status Invalid(const std::string& field, const Status& s) { return Invalid(field, s.message()); }

}  // namespace

Params DefaultParams() {
  Params p;
  p.set_max_expiry_window(3600);
  p.set_caution_credit_limit_fen(1'000'000'000);  // 10 million yuan (R33)
  p.set_caution_bank_threshold(3);
  p.set_caution_bank_threshold_individual(2);
  p.set_fee_grace_months(6);
  p.set_fee_surcharge_bps_per_month(500);
  p.set_licence_filing_months(3);
  p.set_change_filing_days(30);
  p.set_decision_sla_days(7);
  return p;
}

Status ValidateGenesis(const Genesis& g) {
  if (g.chain_id().empty() || g.chain_id().size() > ledger::kMaxChainIdBytes) {
    return Invalid("chain_id", "must be 1 to 64 bytes");
  }
  if (!g.has_params()) return Invalid("params", "missing; start from DefaultParams()");
  if (Status s = internal::ValidateParams(g.params()); !s.ok()) return Invalid("params", s);
  std::map<std::string, const Organisation*> orgs;
  size_t ip_offices = 0;
  for (int i = 0; i < g.organisations_size(); ++i) {
    const Organisation& o = g.organisations(i);
    const std::string field = "organisations[" + std::to_string(i) + "]";
    if (Status s = internal::ValidateOrganisation(o); !s.ok()) return Invalid(field, s);
    if (!orgs.emplace(o.id(), &o).second) return Invalid(field + ".id", "duplicate organisation id " + o.id());
    if (o.removed() || o.removed_height() != 0) {
      return Invalid(field + ".removed", "a genesis organisation cannot start removed; leave it out instead");
    }
    if (o.replica_entitled() && EntitledByKind(o.kind())) {
      return Invalid(field + ".replica_entitled", OrgKind_Name(o.kind()) +
                                                      " organisations may run a replica by their kind; leave it unset");
    }
    if (o.kind() == ORG_IP_OFFICE) ++ip_offices;
  }
  if (ip_offices == 0) return Invalid("organisations", "at least one ORG_IP_OFFICE is needed for governance");
  std::set<std::string> keys_seen;
  std::set<std::string> ip_orgs_with_account;
  for (int i = 0; i < g.accounts_size(); ++i) {
    const GenesisAccount& a = g.accounts(i);
    const std::string field = "accounts[" + std::to_string(i) + "]";
    if (!internal::ValidHex64(a.public_key_hex())) {
      return Invalid(field + ".public_key_hex", "must be 64 lower-case hex characters");
    }
    if (!keys_seen.insert(a.public_key_hex()).second) return Invalid(field + ".public_key_hex", "duplicate key");
    auto org = orgs.find(a.org_id());
    if (org == orgs.end()) return Invalid(field + ".org_id", "no organisation " + a.org_id());
    const OrgKind kind = org->second->kind();
    if (a.roles().empty()) return Invalid(field + ".roles", "at least one role");
    for (int r : a.roles()) {
      if (!Role_IsValid(r) || r == ROLE_UNSPECIFIED) return Invalid(field + ".roles", "unknown role");
      // The same table as AccountAdd and RoleGrant, so a genesis cannot hand
      // out a role governance could not.
      if (!internal::RoleAllowedFor(static_cast<Role>(r), kind)) {
        return Invalid(field + ".roles", Role_Name(static_cast<Role>(r)) + " is not allowed for " + a.org_id() +
                                             " (" + OrgKind_Name(kind) + ")");
      }
      if (r == ROLE_IP_OFFICE) ip_orgs_with_account.insert(a.org_id());
    }
  }
  if (ip_orgs_with_account.size() * 2 <= ip_offices) {
    return Invalid("accounts", "more than half of the IP offices need a ROLE_IP_OFFICE account, or governance is stuck");
  }
  std::set<std::string> nodes, node_keys;
  size_t voters = 0;
  for (int i = 0; i < g.validators_size(); ++i) {
    const Validator& v = g.validators(i);
    const std::string field = "validators[" + std::to_string(i) + "]";
    if (Status s = internal::ValidateValidator(v); !s.ok()) return Invalid(field, s);
    if (!nodes.insert(v.node_id()).second) return Invalid(field + ".node_id", "duplicate node id");
    if (!node_keys.insert(v.public_key_hex()).second) return Invalid(field + ".public_key_hex", "duplicate node key");
    auto org = orgs.find(v.org_id());
    if (org == orgs.end()) return Invalid(field + ".org_id", "no organisation " + v.org_id());
    std::string basis;
    if (Status s = internal::CheckValidatorOperator(*org->second, v, &basis); !s.ok()) {
      return Invalid(field + ".org_id", s);
    }
    if (v.role() == VALIDATOR_VOTER) ++voters;
  }
  if (voters == 0) return Invalid("validators", "at least one VALIDATOR_VOTER");
  return Status::OK();
}

Result<Genesis> ParseGenesis(std::string_view json) {
  Genesis g;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &g, opts);
  if (!st.ok()) {
    return Status::InvalidArgument("GENESIS_JSON_INVALID",
                                   "genesis file is not a valid Genesis JSON: " + std::string(st.message()));
  }
  PLEDGER_RETURN_IF_ERROR(ValidateGenesis(g));
  return g;
}

Result<ledger::WriteSet> GenesisState(const Genesis& g) {
  PLEDGER_RETURN_IF_ERROR(ValidateGenesis(g));
  ledger::WriteSet ws;
  ws[std::string(keys::kChain)] = g.chain_id();
  ws[std::string(keys::kParams)] = ledger::SerializeCanonical(g.params());
  for (const Organisation& o : g.organisations()) {
    ws[keys::Org(o.id())] = ledger::SerializeCanonical(o);
    if (o.kind() == ORG_IP_OFFICE) ws[keys::IpOffice(o.id())] = "1";
  }
  for (const GenesisAccount& a : g.accounts()) {
    Account acc;
    acc.set_public_key_hex(a.public_key_hex());
    acc.set_org_id(a.org_id());
    std::set<int> roles(a.roles().begin(), a.roles().end());
    for (int r : roles) acc.add_roles(static_cast<Role>(r));
    ws[keys::Account(a.public_key_hex())] = ledger::SerializeCanonical(acc);
  }
  for (const Validator& v : g.validators()) ws[keys::Validator(v.node_id())] = ledger::SerializeCanonical(v);
  return ws;
}

std::string GenesisToJson(const Genesis& g) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(g, &out, opts);
  return out;
}

}  // namespace pledger::contracts
