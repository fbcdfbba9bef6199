// GET /v1/patents/{no}[?height=H]: the patent now (PatentView), or its record
// as it was after block H.
#include "contracts/queries.h"
#include "node/api/handlers.h"

namespace pledger::node {

void HandlePatent(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  const std::string& no = call.Param("no");
  if (*as_of > 0) {
    contracts::Patent p;
    return ReplyAsOf(call, "patent/" + no, *as_of, &p);
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  Reply(call, contracts::QueryPatent(*state, no, call.backend.last_block_time_ms()));
}

}  // namespace pledger::node
