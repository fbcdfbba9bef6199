#include "contracts/internal/context.h"

#include "contracts/dates.h"
#include "contracts/internal/validate.h"
#include "contracts/state_keys.h"

namespace pledger::contracts::internal {

std::int32_t TxContext::DateOfBlockTimeChecked(std::uint64_t time_ms) {
  // A block time past year 2200 is nonsense; clamp so the int32 date stays
  // meaningful instead of overflowing.
  std::uint64_t max_ms = static_cast<std::uint64_t>(kMaxDate) * kMsPerDay;
  return DateOfBlockTime(time_ms > max_ms ? max_ms : time_ms);
}

Status TxContext::GetRaw(std::string_view key, std::optional<std::string>* out) {
  Status s = state_.Get(key, out);
  if (!s.ok()) return Fatal(std::move(s));
  return Status::OK();
}

Status TxContext::FindRaw(std::string_view key, const std::string** out) {
  Status s = state_.Find(key, out);
  if (!s.ok()) return Fatal(std::move(s));
  return Status::OK();
}

Status TxContext::Scan(std::string_view prefix, const ScanFn& fn) {
  Status s = state_.Scan(prefix, fn);
  if (!s.ok()) return Fatal(std::move(s));
  return Status::OK();
}

Status TxContext::LoadParams(const Params** out) {
  // The block's cache serves unless this transaction rewrote the parameters.
  const bool own = state_.Writes(keys::kParams);
  std::optional<Params>& cached = own ? params_ : state_.block()->params_cache();
  if (own || !cached) {
    Params p;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(Read(keys::kParams, &p, &found));
    if (!found) {
      return Fatal(Status::Corruption("STATE_PARAMS_MISSING",
                                      "the chain parameters are missing from state; the node was "
                                      "not initialised from a genesis file"));
    }
    cached = std::move(p);
  }
  *out = &*cached;
  return Status::OK();
}

void TxContext::Emit(std::string_view type,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> attributes) {
  ledger::Event& e = *events_.Add();
  e.set_type(type.data(), type.size());
  e.mutable_attributes()->Reserve(static_cast<int>(attributes.size()));
  for (const auto& [k, v] : attributes) {
    auto* a = e.add_attributes();
    a->set_key(k.data(), k.size());
    a->set_value(v.data(), v.size());
  }
}

Status TxContext::RefuseWithGrounds() const {
  const Ground& g = grounds_.front();
  std::string msg = g.message;
  if (grounds_.size() > 1) {
    msg += " (and " + std::to_string(grounds_.size() - 1) +
           " more ground(s) listed in the receipt; cure all of them before resubmitting)";
  }
  return Fail(g.code, msg);
}

const Signer* TxContext::SignerWithRole(Role role, std::string_view org) const {
  for (const Signer* s : signers_) {
    if ((org.empty() || s->account.org_id() == org) && HasRole(s->account, role)) return s;
  }
  return nullptr;
}

Status TxContext::RequireRole(Role role, std::string_view org, std::string_view action) const {
  if (SignerWithRole(role, org) != nullptr) return Status::OK();
  std::string who = "an account with role " + RoleName(role);
  if (!org.empty()) who += " of organisation " + std::string(org);
  return Fail("AUTH_ROLE_MISSING",
              std::string(action) + " must be signed by " + who + "; have such an account co-sign");
}

std::set<std::string> TxContext::SigningOrgs(Role role) const {
  std::set<std::string> orgs;
  for (const Signer* s : signers_) {
    if (HasRole(s->account, role)) orgs.insert(s->account.org_id());
  }
  return orgs;
}

Status TxContext::RequireGovernanceQuorum(std::string_view action) {
  std::set<std::string> signing = SigningOrgs(ROLE_IP_OFFICE);
  size_t total = 0, approving = 0;
  PLEDGER_RETURN_IF_ERROR(Scan(keys::kIpOfficePrefix, [&](std::string_view k, std::string_view) {
    ++total;
    if (signing.count(std::string(k.substr(keys::kIpOfficePrefix.size())))) ++approving;
    return true;
  }));
  if (total > 0 && approving * 2 > total) return Status::OK();
  return Fail("GOV_QUORUM_NOT_MET",
              std::string(action) + " needs signatures of more than half of the " +
                  std::to_string(total) + " IP-office organisations (" +
                  std::to_string(total / 2 + 1) + "); it has " + std::to_string(approving) +
                  ". Collect more IP-office signatures on the same transaction");
}

}  // namespace pledger::contracts::internal
