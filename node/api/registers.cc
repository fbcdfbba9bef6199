// Accounts, organisations, validators and the chain parameters.
#include "contracts/queries.h"
#include "contracts/state_keys.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {
namespace {

// The organisations of `kind` (every organisation for ORG_KIND_UNSPECIFIED),
// in id order, at most `max` (then `truncated`): a scan of the state's "org/"
// records. Reasons: STATE_RECORD_CORRUPT and the reader's errors.
Result<api::OrgList> OrgsOfKind(const ledger::StateReader& s, contracts::OrgKind kind, size_t max) {
  api::OrgList out;
  Status bad;
  PLEDGER_RETURN_IF_ERROR(s.Scan(contracts::keys::Org(""), [&](std::string_view k, std::string_view v) {
    contracts::Organisation o;
    if (!o.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = Status::Corruption("STATE_RECORD_CORRUPT", "organisation record " + std::string(k) + " does not parse");
      return false;
    }
    if (kind != contracts::ORG_KIND_UNSPECIFIED && o.kind() != kind) return true;
    if (static_cast<size_t>(out.organisations_size()) == max) {
      out.set_truncated(true);
      return false;
    }
    *out.add_organisations() = std::move(o);
    return true;
  }));
  PLEDGER_RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace

void HandleAccount(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  const std::string& key = call.Param("key");
  if (*as_of > 0) {
    contracts::Account a;
    if (LoadAsOf(call, contracts::keys::Account(key), *as_of, &a)) call.respond(Json(200, a));
    return;
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryAccount(*state, key));
}

void HandleOrgList(ApiCall& call) {
  contracts::OrgKind kind = contracts::ORG_KIND_UNSPECIFIED;
  if (auto name = QueryString(call.req, "kind");
      name && (!contracts::OrgKind_Parse(*name, &kind) || kind == contracts::ORG_KIND_UNSPECIFIED)) {
    return call.respond(
        Error(400, "QUERY_INVALID", "kind must be an OrgKind name such as ORG_IP_OFFICE or ORG_TRUSTEE"));
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, OrgsOfKind(*state, kind, static_cast<size_t>(call.route.limits.items_max)));
}

void HandleOrg(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  const std::string& id = call.Param("id");
  contracts::Organisation o;
  if (*as_of > 0) {
    if (!LoadAsOf(call, contracts::keys::Org(id), *as_of, &o)) return;
  } else {
    auto state = call.backend.ledger().state().SnapshotReader();
    auto now = contracts::QueryOrganisation(*state, id);
    if (!now.ok()) return call.respond(Error(now.status()));
    o = std::move(*now);
  }
  call.respond(Json(200, o));
}

void HandleOrgLending(ApiCall& call) {
  if (!MayReadLending(call.reader, call.Param("id"))) {
    return call.respond(AuthError(
        Forbidden(call.reader, call.Param("id") + "'s lending figures", "the bank itself, IP offices, auditors and regulators"),
        call.backend.chain_id()));
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryLendingReport(*state, call.Param("id")));
}

void HandleValidators(ApiCall& call) {
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryValidators(*state));
}

void HandleParams(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  if (*as_of > 0) {
    contracts::Params p;
    if (LoadAsOf(call, std::string(contracts::keys::kParams), *as_of, &p)) call.respond(Json(200, p));
    return;
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryParams(*state));
}

}  // namespace pledger::node
