// Pools and tranches (contracts/pool_queries.h): a trustee's pools, one pool,
// a payment date's statement, the preview of a payment, an investor's holdings.
#include "contracts/pool_keys.h"
#include "contracts/pool_queries.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {

void HandlePoolList(ApiCall& call) {
  auto trustee = QueryString(call.req, "trustee");
  if (!trustee) return call.respond(Error(400, "QUERY_INVALID", "give ?trustee=ORG"));
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryPoolsOfTrustee(*state, *trustee));
}

void HandlePool(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  const std::string& id = call.Param("id");
  if (*as_of > 0) {
    contracts::Pool p;
    return ReplyAsOf(call, contracts::keys::Pool(id), *as_of, &p);
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryPool(*state, id));
}

void HandlePoolStatement(ApiCall& call) {
  auto day = ParseIsoDate(call.Param("date"));
  if (!day) return call.respond(Error(400, "DATE_INVALID", "a statement's payment date is YYYY-MM-DD"));
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryPoolStatement(*state, call.Param("id"), *day));
}

void HandlePoolPreview(ApiCall& call) {
  auto date = QueryString(call.req, "date");
  auto day = date ? ParseIsoDate(*date) : std::nullopt;
  if (!day) return call.respond(Error(400, "DATE_INVALID", "give the payment date: ?date=YYYY-MM-DD"));
  auto no_draw = QueryBool(call.req, "no_shortfall_draw", false);
  if (!no_draw.ok()) return call.respond(Error(no_draw.status()));
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryPoolPaymentPreview(*state, call.Param("id"), *day, /*allow_draw=*/!*no_draw));
}

void HandleHoldings(ApiCall& call) {
  auto investor = QueryString(call.req, "investor");
  if (!investor) return call.respond(Error(400, "QUERY_INVALID", "give ?investor=ORG"));
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryHoldingsOfInvestor(*state, *investor));
}

}  // namespace pledger::node
