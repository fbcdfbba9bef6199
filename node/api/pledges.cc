// Pledges (one, or a bank's or borrower's in registration order) and
// valuations, as the reader may see them (access.h).
#include <cstdint>
#include <limits>

#include "contracts/queries.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {

void HandlePledge(ApiCall& call) {
  auto as_of = AsOfHeight(call);
  if (!as_of.ok()) return call.respond(Error(as_of.status()));
  const std::string& id = call.Param("id");
  Withheld w;
  contracts::Pledge p;
  if (*as_of > 0) {
    if (!LoadAsOf(call, "pledge/" + id, *as_of, &p)) return;
  } else {
    auto state = call.backend.ledger().state().SnapshotReader();
    auto now = contracts::QueryPledge(*state, id);
    if (!now.ok()) return call.respond(Error(now.status()));
    p = std::move(*now);
  }
  ScopePledge(call.reader, &p, "", &w);
  ReplyScoped(call, p, w);
}

void HandlePledgeList(ApiCall& call) {
  // A bank of a large register has 10^5 pledges: pages of at most 1,000,
  // continued with ?after=next_cursor.
  auto limit = QueryUint(call.req, "limit", 1000, 1, 1000);
  if (!limit.ok()) return call.respond(Error(limit.status()));
  auto after = QueryUint(call.req, "after", 0, 0, std::numeric_limits<std::uint32_t>::max());
  if (!after.ok()) return call.respond(Error(after.status()));
  auto state = call.backend.ledger().state().SnapshotReader();
  Result<contracts::PledgeList> list = Status::InvalidArgument("QUERY_INVALID", "give ?bank=ORG or ?borrower=ORG");
  if (auto bank = QueryString(call.req, "bank")) {
    list = contracts::QueryPledgesOfBank(*state, *bank, *limit, *after);
  } else if (auto borrower = QueryString(call.req, "borrower")) {
    list = contracts::QueryPledgesOfBorrower(*state, *borrower, *limit, *after);
  }
  if (!list.ok()) return call.respond(Error(list.status()));
  Withheld w;
  ScopePledgeList(call.reader, &*list, &w);
  ReplyScoped(call, *list, w);
}

void HandleValuation(ApiCall& call) {
  auto state = call.backend.ledger().state().SnapshotReader();
  auto v = contracts::QueryValuation(*state, call.Param("id"));
  auto forbidden = [&] {
    call.respond(AuthError(Forbidden(call.reader, "valuation " + call.Param("id"),
                                     "its appraiser, the owners of the valued patents, the banks that "
                                     "lend against it, IP offices, auditors and regulators"),
                           call.backend.chain_id()));
  };
  // Only full readers learn that an id is no valuation: for anyone else a
  // 404 beside a 403 would tell which transactions recorded valuations.
  if (!v.ok()) return v.status().IsNotFound() && !call.reader.full() ? forbidden() : call.respond(Error(v.status()));
  auto may = MayReadValuation(call.reader, *state, *v);
  if (!may.ok()) return call.respond(Error(may.status()));
  if (!*may) return forbidden();
  Reply(call, v);
}

}  // namespace pledger::node
