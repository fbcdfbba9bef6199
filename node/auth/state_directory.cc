#include "node/auth/state_directory.h"

#include "contracts/proto/state.pb.h"
#include "contracts/state_keys.h"
#include "ledger/bytes.h"

namespace pledger::node {

Result<AccountInfo> StateAccountDirectory::LookupAccount(const ledger::PublicKey& key) const {
  auto s = state_.SnapshotReader();
  const std::string hex = ledger::HexEncode(ledger::ByteSpan(key));
  AccountInfo info;
  PLEDGER_ASSIGN_OR_RETURN(auto raw, s->Get(contracts::keys::Account(hex)));
  if (!raw) return info;
  contracts::Account a;
  if (!a.ParseFromString(*raw)) {
    return Status::Corruption("STATE_RECORD_CORRUPT", "account record " + hex + " does not parse");
  }
  info.exists = true;
  info.suspended = a.suspended();
  info.retired = !a.rotated_to_hex().empty();
  info.org_id = a.org_id();
  for (int r : a.roles()) info.roles.push_back(static_cast<contracts::Role>(r));
  PLEDGER_ASSIGN_OR_RETURN(auto org_raw, s->Get(contracts::keys::Org(a.org_id())));
  contracts::Organisation org;
  if (!org_raw || !org.ParseFromString(*org_raw)) {
    return Status::Corruption("STATE_RECORD_CORRUPT", "the organisation of account " + hex + " does not parse");
  }
  info.org_removed = org.removed();
  return info;
}

std::optional<IssuerKeys> StateAccountDirectory::ValidatorKey(std::string_view node_id) const {
  auto s = state_.SnapshotReader();
  auto raw = s->Get(contracts::keys::Validator(node_id));
  if (!raw.ok() || !*raw) return std::nullopt;
  contracts::Validator v;
  if (!v.ParseFromString(**raw)) return std::nullopt;
  auto key = ledger::PublicKeyFromHex(v.public_key_hex());
  if (!key.ok()) return std::nullopt;
  IssuerKeys keys;
  keys.current = *key;
  if (auto prev = ledger::PublicKeyFromHex(v.previous_public_key_hex()); prev.ok()) keys.previous = *prev;
  return keys;
}

}  // namespace pledger::node
