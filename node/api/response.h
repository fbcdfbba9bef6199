// Building API answers: JSON bodies and the one error shape
// {"error": {"code", "message"}} (docs/api.md, "Errors"). Thread-safe.
#ifndef PLEDGER_NODE_API_RESPONSE_H_
#define PLEDGER_NODE_API_RESPONSE_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <string>

#include "consensus/status.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/proto/ledger.pb.h"
#include "node/http_server.h"

namespace pledger::node {

// `status` with `m` as API JSON (ledger/io/api_json.h: protobuf's JSON
// mapping, proto field names, dates ISO 8601, instants RFC 3339, bytes hex).
HttpResponse Json(int status, const google::protobuf::Message& m);
// The API's view of a stored receipt: tx_id in hex (api.proto ReceiptView).
api::ReceiptView ReceiptViewOf(const ledger::Receipt& r);

// The HTTP status a Status maps to: Unauthenticated with an AUTH_ reason 401
// (other Unauthenticated reasons, such as a transaction's bad signature,
// 400), InvalidArgument 400, PermissionDenied 403,
// NotFound 404, FailedPrecondition 409, ResourceExhausted/Unavailable 503
// (with Retry-After), anything else (Corruption, IOError, Internal) 500.
int HttpStatusOf(const Status& s);
// For a 503: when to try again, in ms (retry_after_ms in the error body and
// in a batch's refused entries): 100 for TX_BACKLOG (admission control
// judges again every 100 ms), 1,000 otherwise.
std::uint32_t RetryAfterMsOf(const Status& s);

// An error answer carrying the Status's reason as its code.
HttpResponse Error(const Status& s);
HttpResponse Error(int status, const std::string& code, const std::string& message);
// Error(s), and on a 401 the WWW-Authenticate header naming both schemes
// with the chain id as realm.
HttpResponse AuthError(const Status& s, const std::string& chain_id);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_API_RESPONSE_H_
