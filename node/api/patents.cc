// GET /v1/patents/{no}[?height=H]: the patent now (PatentView), or its record
// as it was after block H; both as the reader may see them (access.h). A
// malformed number is a 400 with its R25 reason (PATENT_NUMBER_INVALID,
// PATENT_CHECK_DIGIT_INVALID) on every patent route, now or as of a height.
#include "contracts/queries.h"
#include "node/api/handlers.h"

namespace pledger::node {

void HandlePatent(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  const std::string& no = call.Param("no");
  if (Status s = contracts::CheckEntityId("patent/" + no); !s.ok()) return call.respond(Error(s));
  Withheld w;
  if (*as_of > 0) {
    contracts::Patent p;
    if (!LoadAsOf(call, "patent/" + no, *as_of, &p)) return;
    ScopePatent(call.reader, &p, "", &w);
    return ReplyScoped(call, p, w);
  }
  auto state = call.backend.ledger().state().SnapshotReader();
  auto v = contracts::QueryPatent(*state, no, call.backend.last_block_time_ms());
  if (!v.ok()) return call.respond(Error(v.status()));
  if (Status s = ScopePatentView(call.reader, *state, &*v, &w); !s.ok()) return call.respond(Error(s));
  ReplyScoped(call, *v, w);
}

}  // namespace pledger::node
