// The API's routes: one table (routes.cc) of method, path pattern, handler
// and the limits that apply, and the dispatcher that matches a request
// against it. The table is the source of truth for what the API serves
// (docs/api.md); access rules attach to a route by its stable id.
//
// Patterns are literal segments and parameters: "/v1/pools/{id}/statements/{date}".
// A parameter matches one non-empty segment; a last parameter written
// "{name...}" matches one or more segments, joined by '/'. Empty segments in
// a request path are ignored ("/v1//status/" is "/v1/status").
//
// Dispatch: a path no route matches is 404 ROUTE_NOT_FOUND; a path some
// route matches with another method is 405 METHOD_NOT_ALLOWED with an Allow
// header. Then who is asking: a request without an Authorization header is
// an anonymous reader, handled on the API thread; one with it is checked on
// the work pool (an Ed25519 verification) and its handler runs there (503
// NODE_BUSY when the pool's queue is full). The route's policy (access.h)
// decides before the handler runs: 401 with WWW-Authenticate, or 403.
// Handlers must not block: anything that verifies signatures or waits goes
// to the work pool or the waiter table.
#ifndef PLEDGER_NODE_API_ROUTES_H_
#define PLEDGER_NODE_API_ROUTES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/api/access.h"
#include "node/api/backend.h"
#include "node/http_server.h"

namespace pledger::node {

// The limits a route applies (0: not applicable). Handlers read them from
// their route, so the table shows every bound a client can meet.
struct RouteLimits {
  std::uint64_t wait_ms_max = 0;  // ?wait=MS
  std::uint64_t items_max = 0;    // entries in one answer (blocks, history entries, organisations)
  std::uint64_t bytes_max = 0;    // bytes of one answer
};

struct ApiRoute;

// One request being handled: the request, the values of the route's path
// parameters, who is asking (checked against the route's policy before the
// handler runs), and the responder (call it once, now or later from any
// thread).
struct ApiCall {
  ApiBackend& backend;
  const ApiRoute& route;
  HttpRequest req;
  std::vector<std::pair<std::string_view, std::string>> params;
  HttpResponder respond;
  Reader reader;

  // The value of path parameter `name` (empty if the pattern has none).
  const std::string& Param(std::string_view name) const;
};

using ApiHandler = void (*)(ApiCall& call);

struct ApiRoute {
  std::string_view id;       // stable: "pools.statement"; never reused for another route
  std::string_view method;   // GET or POST
  std::string_view pattern;  // "/v1/pools/{id}/statements/{date}"
  ApiHandler handler;
  RouteLimits limits;
};

// Every route the node serves, in no particular order (patterns do not overlap).
std::span<const ApiRoute> ApiRoutes();

// Matches `path` against `pattern`; on a match fills *params (if given).
bool MatchRoute(std::string_view pattern, std::string_view path,
                std::vector<std::pair<std::string_view, std::string>>* params);

// Finds the route for the request and runs its handler, or answers 404/405.
void DispatchApi(ApiBackend& backend, HttpRequest req, HttpResponder respond);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_API_ROUTES_H_
