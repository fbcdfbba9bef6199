// Pools and tranches (contracts/pool_queries.h): a trustee's pools, one pool,
// a payment date's statement, the preview of a payment, an investor's
// holdings; each as the reader may see it (access.h).
#include "contracts/pool_keys.h"
#include "contracts/pool_queries.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {
namespace {

constexpr const char* kManagers = "its trustee, its guarantor, IP offices, auditors and regulators";

}  // namespace

void HandlePoolList(ApiCall& call) {
  auto trustee = QueryString(call.req, "trustee");
  if (!trustee) return call.respond(Error(400, "QUERY_INVALID", "give ?trustee=ORG"));
  auto state = call.backend.ledger().state().SnapshotReader();
  auto list = contracts::QueryPoolsOfTrustee(*state, *trustee);
  if (!list.ok()) return call.respond(Error(list.status()));
  Withheld w;
  ScopePoolList(call.reader, &*list, &w);
  ReplyScoped(call, *list, w);
}

void HandlePool(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  const std::string& id = call.Param("id");
  Withheld w;
  if (*as_of > 0) {
    contracts::Pool p;
    if (!LoadAsOf(call, contracts::keys::Pool(id), *as_of, &p)) return;
    ScopePool(call.reader, &p, "", &w);
    return ReplyScoped(call, p, w);
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  auto v = contracts::QueryPool(*state, id);
  if (!v.ok()) return call.respond(Error(v.status()));
  ScopePoolView(call.reader, &*v, &w);
  ReplyScoped(call, *v, w);
}

void HandlePoolStatement(ApiCall& call) {
  auto day = ParseIsoDate(call.Param("date"));
  if (!day) return call.respond(Error(400, "DATE_INVALID", "a statement's payment date is YYYY-MM-DD"));
  auto state = call.backend.ledger().state().SnapshotReader();
  auto pool = contracts::QueryPool(*state, call.Param("id"));
  if (!pool.ok()) return call.respond(Error(pool.status()));
  // Access first: which dates have a statement is itself withheld from
  // non-parties (pools.get), so they get the same refusal for every date.
  contracts::PoolStatement probe;
  Withheld w;
  if (Status s = ScopePoolStatement(call.reader, *pool, &probe, &w); !s.ok()) {
    return call.respond(AuthError(s, call.backend.chain_id()));
  }
  auto st = contracts::QueryPoolStatement(*state, call.Param("id"), *day);
  if (!st.ok()) return call.respond(Error(st.status()));
  w = Withheld();
  (void)ScopePoolStatement(call.reader, *pool, &*st, &w);
  ReplyScoped(call, *st, w);
}

void HandlePoolPreview(ApiCall& call) {
  auto date = QueryString(call.req, "date");
  auto day = date ? ParseIsoDate(*date) : std::nullopt;
  if (!day) return call.respond(Error(400, "DATE_INVALID", "give the payment date: ?date=YYYY-MM-DD"));
  auto no_draw = QueryBool(call.req, "no_shortfall_draw", false);
  if (!no_draw.ok()) return call.respond(Error(no_draw.status()));
  auto state = call.backend.ledger().state().SnapshotReader();
  auto pool = contracts::QueryPool(*state, call.Param("id"));
  if (!pool.ok()) return call.respond(Error(pool.status()));
  if (!IsPoolManager(call.reader, pool->pool())) {
    return call.respond(
        AuthError(Forbidden(call.reader, "a payment preview of pool " + pool->pool().id(), kManagers),
                  call.backend.chain_id()));
  }
  Reply(call, contracts::QueryPoolPaymentPreview(*state, call.Param("id"), *day, /*allow_draw=*/!*no_draw));
}

void HandleHoldings(ApiCall& call) {
  auto investor = QueryString(call.req, "investor");
  if (!investor) return call.respond(Error(400, "QUERY_INVALID", "give ?investor=ORG"));
  if (!MayReadHoldings(call.reader, *investor)) {
    return call.respond(AuthError(
        Forbidden(call.reader, *investor + "'s holdings", "the investor itself, IP offices, auditors and regulators"),
        call.backend.chain_id()));
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryHoldingsOfInvestor(*state, *investor));
}

}  // namespace pledger::node
