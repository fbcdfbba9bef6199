#include "node/api/routes.h"

#include <array>
#include <memory>

#include "node/api/handlers.h"
#include "node/limits.h"

namespace pledger::node {
namespace {

constexpr RouteLimits kNone{};
constexpr RouteLimits kWait{.wait_ms_max = limits::kWaitMsMax};
constexpr RouteLimits kHistoryPage{.items_max = limits::kHistoryPageMax};

// The API. Ids are stable: access rules and metrics refer to them.
constexpr std::array kRoutes{
    // The node itself.
    ApiRoute{"node.health", "GET", "/healthz", HandleHealth, kNone},
    ApiRoute{"node.metrics", "GET", "/metrics", HandleMetrics, kNone},
    ApiRoute{"node.status", "GET", "/v1/status", HandleStatus, kNone},
    ApiRoute{"node.genesis", "GET", "/v1/genesis", HandleGenesis, kNone},
    // Access.
    ApiRoute{"auth.token", "POST", "/v1/auth/token", HandleAuthToken, kNone},
    ApiRoute{"auth.whoami", "GET", "/v1/auth/whoami", HandleWhoAmI, kNone},
    // Transactions.
    ApiRoute{"txs.submit", "POST", "/v1/txs", HandleSubmitTx, kWait},
    ApiRoute{"txs.batch", "POST", "/v1/txs/batch", HandleSubmitTxBatch,
             {.wait_ms_max = limits::kWaitMsMax, .items_max = limits::kTxBatchTxsMax,
              .bytes_max = limits::kTxBatchBytesMax}},
    ApiRoute{"txs.simulate", "POST", "/v1/txs/simulate", HandleSimulateTx, kNone},
    ApiRoute{"txs.get", "GET", "/v1/txs/{id}", HandleGetTx, kWait},
    // Blocks.
    ApiRoute{"blocks.list", "GET", "/v1/blocks", HandleBlockList, {.items_max = limits::kBlockListMax}},
    ApiRoute{"blocks.get", "GET", "/v1/blocks/{id}", HandleBlock, kNone},
    ApiRoute{"blocks.attestations", "GET", "/v1/blocks/{height}/attestations", HandleBlockAttestations, kNone},
    ApiRoute{"raw.blocks", "GET", "/v1/raw/blocks", HandleRawBlocks,
             {.items_max = limits::kRawBlocksMax, .bytes_max = limits::kRawBlocksBytesMax}},
    // History of any entity.
    ApiRoute{"history.entity", "GET", "/v1/history/{entity...}", HandleHistory, kHistoryPage},
    // Registers (contract state).
    ApiRoute{"patents.get", "GET", "/v1/patents/{no}", HandlePatent, kNone},
    ApiRoute{"patents.history", "GET", "/v1/patents/{no}/history", HandlePatentHistory, kHistoryPage},
    ApiRoute{"pledges.get", "GET", "/v1/pledges/{id}", HandlePledge, kNone},
    ApiRoute{"pledges.list", "GET", "/v1/pledges", HandlePledgeList, kNone},
    ApiRoute{"valuations.get", "GET", "/v1/valuations/{id}", HandleValuation, kNone},
    ApiRoute{"accounts.get", "GET", "/v1/accounts/{key}", HandleAccount, kNone},
    ApiRoute{"orgs.list", "GET", "/v1/orgs", HandleOrgList, {.items_max = limits::kOrgListMax}},
    ApiRoute{"orgs.get", "GET", "/v1/orgs/{id}", HandleOrg, kNone},
    ApiRoute{"orgs.lending", "GET", "/v1/orgs/{id}/lending", HandleOrgLending, kNone},
    ApiRoute{"pools.list", "GET", "/v1/pools", HandlePoolList, kNone},
    ApiRoute{"pools.get", "GET", "/v1/pools/{id}", HandlePool, kNone},
    ApiRoute{"pools.statement", "GET", "/v1/pools/{id}/statements/{date}", HandlePoolStatement, kNone},
    ApiRoute{"pools.preview", "GET", "/v1/pools/{id}/preview", HandlePoolPreview, kNone},
    ApiRoute{"holdings.list", "GET", "/v1/holdings", HandleHoldings, kNone},
    ApiRoute{"validators.list", "GET", "/v1/validators", HandleValidators, kNone},
    ApiRoute{"params.get", "GET", "/v1/params", HandleParams, kNone},
    // Supervision statistics (the statistics index, node/stats.h).
    ApiRoute{"stats.pledges", "GET", "/v1/stats/pledges", HandleStatsPledges, kNone},
    ApiRoute{"stats.outstanding", "GET", "/v1/stats/outstanding", HandleStatsOutstanding, kNone},
    ApiRoute{"stats.borrowers", "GET", "/v1/stats/borrowers", HandleStatsBorrowers, kNone},
    ApiRoute{"stats.renewals", "GET", "/v1/stats/renewals", HandleStatsRenewals, kNone},
    ApiRoute{"stats.distributions", "GET", "/v1/stats/distributions", HandleStatsDistributions, kNone},
    ApiRoute{"stats.cautions", "GET", "/v1/stats/cautions", HandleStatsCautions, kNone},
    ApiRoute{"stats.valuations", "GET", "/v1/stats/valuations", HandleStatsValuations, kNone},
    // The explorer's static files (docs/explorer.md).
    ApiRoute{"explorer.index", "GET", "/explorer", HandleExplorerIndex, kNone},
    ApiRoute{"explorer.assets", "GET", "/explorer/{path...}", HandleExplorerAsset, kNone},
};

// Yields the non-empty '/'-separated segments of a path, one at a time.
class Segments {
 public:
  explicit Segments(std::string_view path) : rest_(path) {}
  bool Next(std::string_view* seg) {
    while (!rest_.empty() && rest_.front() == '/') rest_.remove_prefix(1);
    if (rest_.empty()) return false;
    size_t end = rest_.find('/');
    *seg = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end);
    return true;
  }

 private:
  std::string_view rest_;
};

}  // namespace

const std::string& ApiCall::Param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return kEmpty;
}

std::span<const ApiRoute> ApiRoutes() { return kRoutes; }

bool MatchRoute(std::string_view pattern, std::string_view path,
                std::vector<std::pair<std::string_view, std::string>>* params) {
  Segments pat(pattern), got(path);
  std::vector<std::pair<std::string_view, std::string>> found;
  std::string_view p, s;
  while (pat.Next(&p)) {
    if (!got.Next(&s)) return false;
    const bool param = p.size() >= 2 && p.front() == '{' && p.back() == '}';
    if (!param) {
      if (p != s) return false;
      continue;
    }
    std::string_view name = p.substr(1, p.size() - 2);
    std::string value(s);
    if (name.size() > 3 && name.substr(name.size() - 3) == "...") {
      name.remove_suffix(3);
      while (got.Next(&s)) value.append("/").append(s);
    }
    found.emplace_back(name, std::move(value));
  }
  if (got.Next(&s)) return false;
  if (params) *params = std::move(found);
  return true;
}

namespace {

// Runs the route's handler for `reader` if the route's policy lets it in.
void RunGuarded(ApiBackend& backend, const ApiRoute& route, HttpRequest req,
                std::vector<std::pair<std::string_view, std::string>> params, HttpResponder respond,
                Reader reader) {
  const RoutePolicy* policy = FindRoutePolicy(route.id);
  if (policy == nullptr) {
    // Fail closed: a route nobody wrote a policy for serves nobody.
    return respond(Error(500, "ROUTE_POLICY_MISSING", std::string(route.id) + " has no read policy"));
  }
  Status allowed = CheckRouteAccess(*policy, reader, backend.AnonymousReadsAllowed());
  if (!allowed.ok()) return respond(AuthError(allowed, backend.chain_id()));
  ApiCall call{backend, route, std::move(req), std::move(params), std::move(respond), std::move(reader)};
  route.handler(call);
}

Reader ReaderOf(const AuthenticatedReader& a) {
  Reader r;
  r.anonymous = false;
  r.key = a.account_key;
  r.org_id = a.org_id;
  r.roles = a.roles;
  r.via_token = a.via == AuthenticatedReader::Via::kToken;
  return r;
}

}  // namespace

void DispatchApi(ApiBackend& backend, HttpRequest req, HttpResponder respond) {
  std::string allow;
  for (const ApiRoute& route : kRoutes) {
    std::vector<std::pair<std::string_view, std::string>> params;
    if (!MatchRoute(route.pattern, req.path, &params)) continue;
    if (route.method != req.method) {
      if (allow.find(route.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + std::string(route.method);
      continue;
    }
    if (req.headers.find("authorization") == req.headers.end()) {
      return RunGuarded(backend, route, std::move(req), std::move(params), std::move(respond), Reader{});
    }
    // A token seen before needs no verification: answer on the API thread,
    // as for an anonymous reader, without a hop to the pool.
    if (auto known = backend.AuthenticateCheap(req)) {
      if (!known->ok()) return respond(AuthError(known->status(), backend.chain_id()));
      return RunGuarded(backend, route, std::move(req), std::move(params), std::move(respond), ReaderOf(**known));
    }
    // Checking a signature costs a verification: not on the API thread.
    auto shared = std::make_shared<HttpResponder>(std::move(respond));
    ApiBackend* b = &backend;
    const ApiRoute* r = &route;
    bool queued = backend.RunOnWorkPool(
        [b, r, req = std::move(req), params = std::move(params), shared]() mutable {
          auto who = b->Authenticate(req);
          if (!who.ok()) return (*shared)(AuthError(who.status(), b->chain_id()));
          RunGuarded(*b, *r, std::move(req), std::move(params), std::move(*shared), ReaderOf(*who));
        });
    if (!queued) (*shared)(Error(Status::ResourceExhausted("NODE_BUSY", "the node is busy; retry shortly")));
    return;
  }
  if (!allow.empty()) {
    HttpResponse r = Error(405, "METHOD_NOT_ALLOWED", req.method + " is not allowed on " + req.path + "; use " + allow);
    r.headers.emplace_back("Allow", allow);
    return respond(r);
  }
  respond(Error(404, "ROUTE_NOT_FOUND", "no such endpoint: " + req.path + "; see docs/api.md"));
}

}  // namespace pledger::node
