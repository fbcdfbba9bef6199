#include "node/api/response.h"

#include "ledger/bytes.h"
#include "ledger/io/api_json.h"
#include "ledger/io/proto/api.pb.h"
#include "node/limits.h"

namespace pledger::node {

HttpResponse Json(int status, const google::protobuf::Message& m) {
  HttpResponse r;
  r.status = status;
  r.body = io::ApiJsonFromMessage(m);
  return r;
}

api::ReceiptView ReceiptViewOf(const ledger::Receipt& r) {
  api::ReceiptView v;
  v.set_tx_id(ledger::HexEncode(ledger::AsBytes(r.tx_id())));
  v.set_code(r.code());
  v.set_message(r.message());
  *v.mutable_events() = r.events();
  *v.mutable_grounds() = r.grounds();
  v.set_rule(r.rule());
  return v;
}

int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kUnauthenticated:
      // Who-is-asking failures; a transaction's bad signature stays a 400.
      return s.reason().substr(0, 5) == "AUTH_" ? 401 : 400;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

std::uint32_t RetryAfterMsOf(const Status& s) {
  return s.reason() == "TX_BACKLOG" ? static_cast<std::uint32_t>(limits::kAdmissionRetryAfterMs) : 1'000;
}

HttpResponse Error(const Status& s) {
  api::ErrorView v;
  v.mutable_error()->set_code(s.reason().empty() ? std::string(StatusCodeName(s.code())) : std::string(s.reason()));
  v.mutable_error()->set_message(std::string(s.message()));
  if (HttpStatusOf(s) == 503) v.mutable_error()->set_retry_after_ms(RetryAfterMsOf(s));
  HttpResponse r = Json(HttpStatusOf(s), v);
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse AuthError(const Status& s, const std::string& chain_id) {
  HttpResponse r = Error(s);
  if (r.status == 401) {
    // RFC 9110 11.6.1: a 401 names the schemes that would be accepted.
    r.headers.emplace_back("WWW-Authenticate",
                           "Pledger-Ed25519 realm=\"" + chain_id + "\", Bearer realm=\"" + chain_id + "\"");
  }
  return r;
}

HttpResponse Error(int status, const std::string& code, const std::string& message) {
  api::ErrorView v;
  v.mutable_error()->set_code(code);
  v.mutable_error()->set_message(message);
  return Json(status, v);
}

}  // namespace pledger::node
