// The node itself: health, metrics, status, the genesis file it runs.
#include "node/api/handlers.h"

namespace pledger::node {

void HandleHealth(ApiCall& call) {
  Status health = call.backend.Health();
  HttpResponse r;
  r.content_type = "text/plain";
  r.status = health.ok() ? 200 : 503;
  r.body = health.ok() ? "ok\n" : "unhealthy: " + health.ToString() + "\n";
  call.respond(r);
}

void HandleMetrics(ApiCall& call) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = call.backend.MetricsText();
  call.respond(r);
}

void HandleStatus(ApiCall& call) {
  HttpResponse r;
  r.body = call.backend.StatusJson();
  call.respond(r);
}

// Auditors bring their own copy of the genesis file and compare hashes; they
// never trust this one alone.
void HandleGenesis(ApiCall& call) {
  HttpResponse r;
  r.body = call.backend.genesis_file();
  call.respond(r);
}

}  // namespace pledger::node
