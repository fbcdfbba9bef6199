// Access: a bearer token for a signed request (POST /v1/auth/token), and who
// the node takes the reader for (GET /v1/auth/whoami). docs/api.md, "Access".
#include "ledger/bytes.h"
#include "node/api/handlers.h"

namespace pledger::node {

void HandleAuthToken(ApiCall& call) {
  // The route's policy (kSigned) let only a signed request in.
  AuthenticatedReader a;
  a.account_key = call.reader.key;
  a.org_id = call.reader.org_id;
  a.roles = call.reader.roles;
  a.via = AuthenticatedReader::Via::kSignature;
  auto token = call.backend.IssueToken(a);
  if (!token.ok()) return call.respond(AuthError(token.status(), call.backend.chain_id()));
  call.respond(Json(200, *token));
}

void HandleWhoAmI(ApiCall& call) {
  const Reader& r = call.reader;
  api::WhoAmIView v;
  v.set_anonymous_reads(call.backend.AnonymousReadsAllowed());
  if (r.anonymous) {
    v.set_via("anonymous");
    v.set_view("gazette");
    return call.respond(Json(200, v));
  }
  v.set_via(r.via_token ? "token" : "signature");
  v.set_view(r.full() ? "full" : "party");
  v.set_account(ledger::HexEncode(ledger::ByteSpan(r.key)));
  v.set_org_id(r.org_id);
  for (contracts::Role role : r.roles) v.add_roles(role);
  call.respond(Json(200, v));
}

}  // namespace pledger::node
