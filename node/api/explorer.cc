// The explorer (docs/explorer.md): static files built into the program
// (node/explorer/assets.h), served to anyone. They carry no ledger data: the
// page reads the API like any other client, with the reader's own token, and
// verifies what it is told in the browser.
#include <string>

#include "node/api/handlers.h"
#include "node/explorer/assets.h"

namespace pledger::node {
namespace {

// The page runs only its own scripts and talks only to this node: no inline
// script or style, no other origin, no framing, no plugins. Chart.js draws on
// canvases and needs nothing more.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void AddHeaders(HttpResponse* r, const char* cache_control) {
  r->headers.emplace_back("Cache-Control", cache_control);
  r->headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("Referrer-Policy", "no-referrer");
  r->headers.emplace_back("X-Frame-Options", "DENY");
}

void ServeAsset(ApiCall& call, std::string_view name) {
  const ExplorerAsset* asset = FindExplorerAsset(name);
  if (asset == nullptr) {
    // Names are matched exactly against a fixed table, so "..", "%2e%2e" or
    // "a/b" can name nothing outside it.
    return call.respond(Error(404, "FILE_NOT_FOUND",
                              "the explorer has no file " + std::string(name) + "; start at /explorer/"));
  }
  HttpResponse r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->bytes);
  // Files change only with the program: a browser may keep them briefly, and
  // must revalidate after an upgrade of the node (no fingerprinted names).
  AddHeaders(&r, name == "index.html" ? "no-cache" : "public, max-age=300");
  call.respond(r);
}

// routes.json: the ids, methods and patterns of this node's route table, so
// that the page offers only what the node serves (the dashboard needs the
// statistics routes) without probing for them: a probe's 404 would be an
// error in the browser's console. The table only, no data.
void ServeRoutes(ApiCall& call) {
  std::string body = "{\"routes\":[";
  bool first = true;
  for (const ApiRoute& route : ApiRoutes()) {
    // Ids, methods and patterns are compile-time ASCII without quotes or
    // backslashes: nothing to escape.
    body += first ? "" : ",";
    first = false;
    body += "{\"id\":\"" + std::string(route.id) + "\",\"method\":\"" + std::string(route.method) +
            "\",\"pattern\":\"" + std::string(route.pattern) + "\"}";
  }
  body += "]}";
  HttpResponse r;
  r.body = std::move(body);
  AddHeaders(&r, "no-cache");
  call.respond(r);
}

}  // namespace

void HandleExplorerIndex(ApiCall& call) { ServeAsset(call, "index.html"); }

void HandleExplorerAsset(ApiCall& call) {
  const std::string& name = call.Param("path");
  if (name == "routes.json") return ServeRoutes(call);
  ServeAsset(call, name);
}

}  // namespace pledger::node
