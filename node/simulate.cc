#include "node/simulate.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "contracts/action_name.h"
#include "contracts/engine.h"
#include "contracts/state_keys.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/tx.h"

namespace pledger::node {
namespace {

// An account as far as signing goes.
struct Candidate {
  std::string key_hex;
  std::string org_id;
  std::vector<contracts::Role> roles;
  bool active = false;  // not suspended, not retired, its organisation not removed
};

bool HasRole(const Candidate& c, contracts::Role role) {
  return role == contracts::ROLE_UNSPECIFIED || std::find(c.roles.begin(), c.roles.end(), role) != c.roles.end();
}

// Whether `c` counts for `p` (one signer of a quorum party counts once).
bool Fits(const contracts::Party& p, const Candidate& c) {
  if (!c.active) return false;
  if (!p.key_hex.empty() && p.key_hex != c.key_hex) return false;
  if (!HasRole(c, p.role)) return false;
  if (!p.orgs.empty() && std::find(p.orgs.begin(), p.orgs.end(), c.org_id) == p.orgs.end()) return false;
  return true;
}

// Reads accounts and their organisations' removal from `state`, once each.
class Accounts {
 public:
  explicit Accounts(const ledger::StateReader& state) : state_(state) {}

  // The account under `key_hex`; nullopt if there is none.
  Result<std::optional<Candidate>> Get(const std::string& key_hex) {
    PLEDGER_ASSIGN_OR_RETURN(std::optional<std::string> raw, state_.Get(contracts::keys::Account(key_hex)));
    if (!raw) return std::optional<Candidate>();
    return Parse(key_hex, *raw);
  }

  // Every account, in key order (for stand-ins); read once.
  Result<const std::vector<Candidate>*> All() {
    if (all_) return &*all_;
    std::vector<std::pair<std::string, std::string>> raw;
    PLEDGER_RETURN_IF_ERROR(state_.Scan("account/", [&](std::string_view k, std::string_view v) {
      raw.emplace_back(std::string(k.substr(8)), std::string(v));
      return true;
    }));
    std::vector<Candidate> out;
    out.reserve(raw.size());
    for (auto& [hex, bytes] : raw) {
      PLEDGER_ASSIGN_OR_RETURN(std::optional<Candidate> c, Parse(hex, bytes));
      if (c && c->active) out.push_back(std::move(*c));
    }
    all_ = std::move(out);
    return &*all_;
  }

 private:
  Result<std::optional<Candidate>> Parse(const std::string& key_hex, const std::string& raw) {
    contracts::Account a;
    if (!a.ParseFromString(raw)) {
      return Status::Corruption("STATE_RECORD_CORRUPT", "account record of " + key_hex + " does not parse");
    }
    Candidate c;
    c.key_hex = key_hex;
    c.org_id = a.org_id();
    for (int r : a.roles()) c.roles.push_back(static_cast<contracts::Role>(r));
    PLEDGER_ASSIGN_OR_RETURN(bool removed, OrgRemoved(a.org_id()));
    c.active = !a.suspended() && a.rotated_to_hex().empty() && !removed;
    return std::optional<Candidate>(std::move(c));
  }

  Result<bool> OrgRemoved(const std::string& org) {
    if (auto it = removed_.find(org); it != removed_.end()) return it->second;
    PLEDGER_ASSIGN_OR_RETURN(std::optional<std::string> raw, state_.Get(contracts::keys::Org(org)));
    bool removed = false;
    if (raw) {
      contracts::Organisation o;
      if (!o.ParseFromString(*raw)) {
        return Status::Corruption("STATE_RECORD_CORRUPT", "organisation record of " + org + " does not parse");
      }
      removed = o.removed();
    }
    removed_[org] = removed;
    return removed;
  }

  const ledger::StateReader& state_;
  std::optional<std::vector<Candidate>> all_;
  std::map<std::string, bool> removed_;
};

// How far `signers` satisfy `p`: the keys that count, and whether that is
// enough (a quorum party needs `quorum` distinct organisations).
bool Satisfied(const contracts::Party& p, const std::vector<Candidate>& signers, std::vector<std::string>* by) {
  std::set<std::string> orgs;
  for (const Candidate& s : signers) {
    if (!Fits(p, s)) continue;
    if (p.quorum != 0 && !orgs.insert(s.org_id).second) continue;
    by->push_back(s.key_hex);
  }
  if (p.quorum > 0) return static_cast<int>(orgs.size()) >= p.quorum;
  if (p.quorum < 0) return false;  // a quorum of unknown size: never over a committed state
  return !by->empty();
}

}  // namespace

Result<ledger::Transaction> DecodeForSimulation(std::string_view raw) {
  auto tx = ledger::DecodeTransaction(raw);
  if (tx.ok() || tx.status().reason() != "TX_NO_SIGNATURES") return tx;
  ledger::Transaction unsigned_tx;
  if (!unsigned_tx.ParseFromArray(raw.data(), static_cast<int>(raw.size()))) return tx.status();
  return unsigned_tx;
}

Result<api::SimulateView> SimulateTransaction(const ledger::StateReader& state, const SimulationPoint& at,
                                              std::string_view raw) {
  PLEDGER_ASSIGN_OR_RETURN(ledger::Transaction tx, DecodeForSimulation(raw));
  PLEDGER_ASSIGN_OR_RETURN(ledger::TxBody body, ledger::DecodeTxBody(tx.body()));
  const ledger::Hash256 id = ledger::TxId(tx);

  api::SimulateView v;
  v.set_tx_id(ledger::HexEncode(id));
  v.set_action(contracts::ActionName(body));
  v.set_height(at.state_height + 1);
  v.set_block_time_ms(at.next_time_ms);
  v.set_advisory(true);

  // Each signature on its own: the valid ones sign, the others are named.
  Accounts accounts(state);
  std::vector<ledger::PublicKey> keys;
  std::vector<Candidate> signers;
  for (const auto& sig : tx.signatures()) {
    const std::string hex = ledger::HexEncode(std::string_view(sig.public_key()));
    if (!ledger::VerifyRaw(sig.public_key(), tx.body(), sig.signature()).ok()) {
      v.add_invalid_signatures(hex);
      continue;
    }
    PLEDGER_ASSIGN_OR_RETURN(ledger::PublicKey k, ledger::PublicKeyFromBytes(sig.public_key()));
    keys.push_back(k);
    PLEDGER_ASSIGN_OR_RETURN(std::optional<Candidate> c, accounts.Get(hex));
    if (c) signers.push_back(std::move(*c));
  }
  if (v.invalid_signatures_size() > 0) {
    v.add_notes("signatures that do not verify over the body were left out; submitted as it is, the node refuses "
                "the transaction (SIGNATURE_INVALID): drop them and sign again");
  }

  // The parties the action needs, and stand-ins for the ones missing.
  contracts::StateLedgerLookup lookup(state, at.last_time_ms);
  contracts::Requirements req = contracts::RequiredSigners(body.action(), &lookup);
  for (const auto& n : req.notes) v.add_notes(n);
  std::set<std::string> present;
  for (const Candidate& s : signers) present.insert(s.key_hex);
  std::vector<Candidate> assumed = signers;  // signers plus stand-ins, for later parties' checks
  bool all_signed = v.invalid_signatures_size() == 0;
  for (const contracts::Party& p : req.parties) {
    api::SimulatedParty* sp = v.add_required();
    sp->set_party(p.label);
    std::vector<std::string> by;
    if (Satisfied(p, signers, &by)) {
      sp->set_state("SIGNED");
      for (auto& k : by) sp->add_signed_by(k);
      continue;
    }
    for (auto& k : by) sp->add_signed_by(k);
    sp->set_state("MISSING");
    v.add_missing(p.label);
    all_signed = false;
    // Stand in with active accounts that fit, until the party is satisfied.
    std::vector<std::string> assumed_by;
    if (Satisfied(p, assumed, &assumed_by)) continue;
    PLEDGER_ASSIGN_OR_RETURN(const std::vector<Candidate>* all, accounts.All());
    for (const Candidate& c : *all) {
      if (present.count(c.key_hex) != 0 || !Fits(p, c)) continue;
      assumed.push_back(c);
      assumed_by.clear();
      auto k = ledger::PublicKeyFromHex(c.key_hex);
      if (!k.ok()) continue;
      keys.push_back(*k);
      present.insert(c.key_hex);
      if (Satisfied(p, assumed, &assumed_by)) break;
    }
    assumed_by.clear();
    if (!Satisfied(p, assumed, &assumed_by)) {
      v.add_notes("no active account can sign as " + p.label + ": the transaction cannot succeed as it stands");
    }
  }
  v.set_signatures_checked(all_signed);
  if (v.missing_size() > 0) {
    v.add_notes("signatures not checked: run as if the missing parties had signed; they must still sign "
                "(pledger-wallet sign FILE) before it can be committed");
  }

  contracts::PreparedTx p;
  p.raw.assign(raw);
  p.id = id;
  p.tx = std::move(tx);
  p.body = std::move(body);
  p.signers = std::move(keys);
  contracts::BlockContext ctx{at.chain_id, at.state_height + 1, at.next_time_ms};
  contracts::Engine engine;
  contracts::BlockOutcome out = engine.ExecuteBlock(state, ctx, std::span<const contracts::PreparedTx>(&p, 1));
  if (!out.status.ok()) return out.status;
  if (out.txs.size() != 1) return Status::Internal("SIMULATION_FAILED", "the engine gave no receipt");
  const ledger::Receipt& r = out.txs[0].receipt;
  v.set_code(r.code());
  v.set_message(r.message());
  v.set_rule(r.rule());
  for (const auto& g : r.grounds()) v.add_grounds(g);
  for (const auto& e : r.events()) *v.add_events() = e;
  const auto& a = p.body.action();
  if (r.code() == "OK" &&
      (a.has_pledge_register() || a.has_valuation_record() || a.has_licence_file() || a.has_pool_create())) {
    v.set_object_id(contracts::ObjectIdFromTxId(id));
  }
  return v;
}

Result<bool> IsRequiredParty(const ledger::StateReader& state, std::uint64_t as_of_ms, const contracts::Action& action,
                             std::string_view org_id, const std::vector<contracts::Role>& roles,
                             std::string_view key_hex) {
  contracts::StateLedgerLookup lookup(state, as_of_ms);
  contracts::Requirements req = contracts::RequiredSigners(action, &lookup);
  Candidate me;
  me.key_hex = std::string(key_hex);
  me.org_id = std::string(org_id);
  me.roles = roles;
  me.active = true;
  for (const contracts::Party& p : req.parties) {
    if (Fits(p, me)) return true;
  }
  return false;
}

}  // namespace pledger::node
