// GET /v1/raw/blocks?from=&to=: the exact stored block and results bytes (a
// BlockResponse, protobuf binary) for auditors, so nothing is re-encoded on
// the way. Consecutive heights from `from`, up to the tip, `to` or the
// route's limits, whichever comes first; a short answer is complete up to
// its last block, never cut by a read error.
#include <algorithm>

#include "ledger/keys.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {

void HandleRawBlocks(ApiCall& call) {
  auto from = QueryUint(call.req, "from", 1, 1, UINT64_MAX);
  if (!from.ok()) return call.respond(Error(from.status()));
  if (!call.req.query.count("to")) {
    return call.respond(Error(400, "RANGE_INVALID", "give from >= 1 and to >= from"));
  }
  auto to = QueryUint(call.req, "to", 0, 1, UINT64_MAX);
  if (!to.ok()) return call.respond(Error(to.status()));
  if (*to < *from) return call.respond(Error(400, "RANGE_INVALID", "give from >= 1 and to >= from"));
  ledger::Ledger& l = call.backend.ledger();
  const std::uint64_t tip = l.blocks().tip().height;
  api::BlockResponse out;
  size_t bytes = 0;
  for (std::uint64_t h = *from; h <= std::min(*to, tip); ++h) {
    auto b = l.db().Get(ledger::keys::Block(h));
    if (!b.ok()) return call.respond(Error(b.status()));
    auto r = l.db().Get(ledger::keys::Results(h));
    if (!r.ok()) return call.respond(Error(r.status()));
    if (!b->has_value() || !r->has_value()) {
      return call.respond(Error(Status::Corruption(
          "BLOCK_MISSING", "block " + std::to_string(h) + " or its results are missing below the tip " +
                               std::to_string(tip) + "; the node's database is damaged")));
    }
    bytes += (*b)->size() + (*r)->size();
    out.add_blocks(std::move(**b));
    out.add_results(std::move(**r));
    if (static_cast<std::uint64_t>(out.blocks_size()) >= call.route.limits.items_max ||
        bytes > call.route.limits.bytes_max) {
      break;
    }
  }
  HttpResponse resp;
  resp.content_type = "application/x-protobuf";
  resp.body = out.SerializeAsString();
  call.respond(resp);
}

}  // namespace pledger::node
