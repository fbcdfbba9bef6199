// Pledges (one, or a bank's or borrower's in registration order) and
// valuations.
#include "contracts/queries.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {

void HandlePledge(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  const std::string& id = call.Param("id");
  if (*as_of > 0) {
    contracts::Pledge p;
    return ReplyAsOf(call, "pledge/" + id, *as_of, &p);
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryPledge(*state, id));
}

void HandlePledgeList(ApiCall& call) {
  auto state = call.backend.ledger().state().SnapshotReader();
  if (auto bank = QueryString(call.req, "bank")) return Reply(call, contracts::QueryPledgesOfBank(*state, *bank));
  if (auto borrower = QueryString(call.req, "borrower")) {
    return Reply(call, contracts::QueryPledgesOfBorrower(*state, *borrower));
  }
  call.respond(Error(400, "QUERY_INVALID", "give ?bank=ORG or ?borrower=ORG"));
}

void HandleValuation(ApiCall& call) {
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryValuation(*state, call.Param("id")));
}

}  // namespace pledger::node
