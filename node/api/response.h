// Building API answers: JSON bodies and the one error shape
// {"error": {"code", "message"}} (docs/api.md, "Errors"). Thread-safe.
#ifndef PLEDGER_NODE_API_RESPONSE_H_
#define PLEDGER_NODE_API_RESPONSE_H_

#include <google/protobuf/message.h>

#include <string>

#include "consensus/status.h"
#include "node/http_server.h"

namespace pledger::node {

// `status` with `m` in protobuf's JSON mapping (proto field names).
HttpResponse Json(int status, const google::protobuf::Message& m);

// The HTTP status a Status maps to: InvalidArgument 400, PermissionDenied 403,
// NotFound 404, FailedPrecondition 409, ResourceExhausted/Unavailable 503
// (with Retry-After), anything else (Corruption, IOError, Internal) 500.
int HttpStatusOf(const Status& s);

// An error answer carrying the Status's reason as its code.
HttpResponse Error(const Status& s);
HttpResponse Error(int status, const std::string& code, const std::string& message);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_API_RESPONSE_H_
