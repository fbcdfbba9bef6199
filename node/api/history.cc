// History: every transaction that touched an entity (a page of the history
// index), and one record as it was after a given block (the version index).
#include "contracts/history.h"
#include "contracts/queries.h"
#include "node/api/handlers.h"
#include "node/api/params.h"
#include "node/limits.h"

namespace pledger::node {
namespace {

// One page of `entity`'s history: ?after=CURSOR&limit=N, in full for the
// entity's parties, else its gazetted entries (access.h).
void ReplyHistoryPage(ApiCall& call, const std::string& entity) {
  auto limit = QueryUint(call.req, "limit", limits::kHistoryPageDefault, 1, call.route.limits.items_max);
  if (!limit.ok()) return call.respond(Error(limit.status()));
  // A malformed id is a 400 with the reason its current record gives, not an
  // empty history (contracts::CheckEntityId).
  if (Status s = contracts::CheckEntityId(entity); !s.ok()) return call.respond(Error(s));
  auto page = contracts::QueryHistory(call.backend.ledger().db(), entity, QueryString(call.req, "after").value_or(""),
                                      static_cast<size_t>(*limit));
  if (!page.ok()) return call.respond(Error(page.status()));
  auto state = call.backend.ledger().state().SnapshotReader();
  auto party = IsPartyToEntity(call.reader, *state, entity);
  if (!party.ok()) return call.respond(Error(party.status()));
  Withheld w;
  ScopeHistoryPage(call.reader, *party, &*page, &w);
  ReplyScoped(call, *page, w);
}

}  // namespace

// /v1/history/{entity...}: one segment ("params"), or several ("patent/ZL…",
// "tranche/<pool>/<rank>").
void HandleHistory(ApiCall& call) { ReplyHistoryPage(call, call.Param("entity")); }

void HandlePatentHistory(ApiCall& call) { ReplyHistoryPage(call, "patent/" + call.Param("no")); }

Result<std::uint64_t> AsOfHeight(const ApiCall& call) { return QueryUint(call.req, "height", 0, 0, UINT64_MAX); }

bool LoadAsOf(ApiCall& call, const std::string& key, std::uint64_t height, google::protobuf::Message* msg) {
  // A malformed id is a 400 as on the current-state route, not NOT_FOUND_AT_HEIGHT.
  if (Status s = contracts::CheckEntityId(key); !s.ok()) {
    call.respond(Error(s));
    return false;
  }
  auto v = contracts::StateAsOf(call.backend.ledger().db(), key, height);
  if (!v.ok()) {
    call.respond(Error(v.status()));
    return false;
  }
  if (!v->has_value()) {
    call.respond(Error(404, "NOT_FOUND_AT_HEIGHT", key + " did not exist at height " + std::to_string(height)));
    return false;
  }
  if (!msg->ParseFromString(**v)) {
    call.respond(Error(Status::Corruption(
        "STATE_RECORD_CORRUPT", "the version of " + key + " at height " + std::to_string(height) + " does not parse")));
    return false;
  }
  return true;
}

void ReplyScoped(ApiCall& call, const google::protobuf::Message& record, const Withheld& withheld) {
  HttpResponse r;
  r.status = 200;
  r.body = ScopedJson(record, withheld);
  call.respond(std::move(r));
}

}  // namespace pledger::node
