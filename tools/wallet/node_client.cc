#include "tools/wallet/node_client.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <thread>

#include "contracts/dates.h"
#include "ledger/io/api_json.h"
#include "ledger/io/http_client.h"

namespace pledger::tools::wallet {
namespace {

using std::chrono::milliseconds;

// The node holds a waiting request for at most 60 s (its API's wait limit);
// the transport's own deadline must be longer than the wait it asked for.
constexpr milliseconds kMaxServerWait{60000};
constexpr milliseconds kTransportSlack{10000};
constexpr milliseconds kQueryTimeout{15000};
// Back-pressure (503 MEMPOOL_FULL, NODE_BUSY): resubmitting is harmless (same
// transaction id), so the wallet retries a few times before giving up.
constexpr int kBusyRetries = 3;
// While waiting for a receipt: how often to ask a node that does not answer,
// and how long a node may not know the transaction before it gets it again.
constexpr milliseconds kUnreachableRetry{1000};
constexpr milliseconds kResubmitAfter{1000};

class HttpTransport : public NodeTransport {
 public:
  explicit HttpTransport(std::unique_ptr<io::HttpClient> client) : client_(std::move(client)) {}
  Result<io::HttpResponse> Request(const std::string& method, const std::string& target,
                                     const std::string& body, const std::string& content_type,
                                     milliseconds timeout) override {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    return client_->Request(method, target, body, headers, timeout);
  }

 private:
  std::unique_ptr<io::HttpClient> client_;
};

StatusCode CategoryOfHttp(int status) {
  switch (status) {
    case 400: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409: return StatusCode::kFailedPrecondition;
    case 413: return StatusCode::kInvalidArgument;
    case 503: return StatusCode::kResourceExhausted;
    case 504: return StatusCode::kDeadlineExceeded;
    default: return status >= 500 ? StatusCode::kInternal : StatusCode::kInvalidArgument;
  }
}

}  // namespace

Result<std::unique_ptr<NodeTransport>> ConnectHttp(const NodeEndpoint& endpoint, milliseconds timeout) {
  io::HttpClientOptions o;
  o.ca_file = endpoint.ca_file;
  o.credentials = endpoint.credentials;
  o.timeout = timeout;
  PLEDGER_ASSIGN_OR_RETURN(std::unique_ptr<io::HttpClient> client, io::HttpClient::Create(endpoint.url, o));
  return std::unique_ptr<NodeTransport>(std::make_unique<HttpTransport>(std::move(client)));
}

pledger::Status ParseApiJson(const std::string& json, google::protobuf::Message* msg, const std::string& what) {
  // API JSON (ISO dates, RFC 3339 instants, hex bytes) back into the view.
  auto st = io::ApiJsonToMessage(json, msg, what, /*ignore_unknown_fields=*/true);
  if (!st.ok()) {
    return pledger::Status::Internal("NODE_RESPONSE_INVALID",
                                     "the node's answer to " + what + " does not parse: " + std::string(st.message()));
  }
  return pledger::Status::OK();
}

std::string SignInHint(ReaderKind reader) {
  if (reader == ReaderKind::kAnonymous) {
    return "use a profile with your account's key (`pledger-wallet profile add NAME --node URL --key KEY`), "
           "without --anonymous";
  }
  return "run `pledger-wallet login`";
}

pledger::Status ApiError(const io::HttpResponse& response, ReaderKind reader) {
  api::ErrorView view;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  if (google::protobuf::util::JsonStringToMessage(response.body, &view, opts).ok() &&
      !view.error().code().empty()) {
    if (IsAccessRefusal(view.error().code())) {
      return AccessRefusal(response.status, view.error().code(), reader, SignInHint(reader), view.error().message());
    }
    return pledger::Status(CategoryOfHttp(response.status), view.error().code(), view.error().message());
  }
  std::string body = response.body.substr(0, 200);
  return pledger::Status(CategoryOfHttp(response.status), "HTTP_" + std::to_string(response.status),
                         "the node answered HTTP " + std::to_string(response.status) +
                             (body.empty() ? "" : ": " + body));
}

Result<io::HttpResponse> NodeClient::Call(const std::string& method, const std::string& target,
                                            const std::string& body, const std::string& content_type,
                                            milliseconds timeout) {
  return transport_->Request(method, target, body, content_type, timeout);
}

pledger::Status NodeClient::Get(const std::string& target, google::protobuf::Message* msg) {
  PLEDGER_ASSIGN_OR_RETURN(std::string body, GetBody(target));
  return ParseApiJson(body, msg, "GET " + target);
}

Result<std::string> NodeClient::GetBody(const std::string& target) {
  PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r, Call("GET", target, "", "", kQueryTimeout));
  if (r.status < 200 || r.status >= 300) return ApiError(r, reader_);
  return std::move(r.body);
}

Result<TokenAnswer> NodeClient::IssueToken() {
  PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r, Call("POST", "/v1/auth/token", "", "", kQueryTimeout));
  if (r.status == 404) {
    pledger::Status s = ApiError(r, reader_);
    if (s.reason() == "ROUTE_NOT_FOUND" || s.reason() == "HTTP_404") {
      return pledger::Status::FailedPrecondition(
          "TOKENS_UNSUPPORTED", "the node at " + url_ + " does not issue tokens (a pledgerd before request "
                                "authentication); reads are signed with your key instead, so give "
                                "--passphrase-env/--passphrase-fd or answer the prompt on each command");
    }
    return s;
  }
  if (r.status != 200) return ApiError(r, reader_);
  TokenAnswer t;
  PLEDGER_RETURN_IF_ERROR(ParseApiJson(r.body, &t, "POST /v1/auth/token"));
  return t;
}

Result<WhoAmIAnswer> NodeClient::WhoAmI() {
  WhoAmIAnswer v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/auth/whoami", &v));
  return v;
}

Result<api::StatusView> NodeClient::NodeStatus() {
  api::StatusView v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/status", &v));
  return v;
}

Result<contracts::Params> NodeClient::Params() {
  contracts::Params v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/params", &v));
  return v;
}

Result<contracts::Account> NodeClient::Account(const std::string& public_key_hex) {
  contracts::Account v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/accounts/" + public_key_hex, &v));
  return v;
}

Result<contracts::PatentView> NodeClient::Patent(const std::string& patent_no) {
  contracts::PatentView v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/patents/" + patent_no, &v));
  return v;
}

Result<contracts::Pledge> NodeClient::Pledge(const std::string& pledge_id) {
  contracts::Pledge v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/pledges/" + pledge_id, &v));
  return v;
}

Result<contracts::Organisation> NodeClient::Org(const std::string& org_id) {
  contracts::Organisation v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/orgs/" + org_id, &v));
  return v;
}

Result<contracts::ValidatorSet> NodeClient::Validators() {
  contracts::ValidatorSet v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/validators", &v));
  return v;
}

Result<contracts::Genesis> NodeClient::Genesis() {
  contracts::Genesis v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/genesis", &v));
  return v;
}

Result<contracts::PoolView> NodeClient::Pool(const std::string& pool_id) {
  contracts::PoolView v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/pools/" + pool_id, &v));
  return v;
}

Result<contracts::PoolStatement> NodeClient::PoolPreview(const std::string& pool_id, std::int32_t payment_date,
                                                         bool allow_draw) {
  contracts::PoolStatement v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/pools/" + pool_id + "/preview?date=" + contracts::FormatDate(payment_date) +
                                  (allow_draw ? "" : "&no_shortfall_draw=true"),
                              &v));
  return v;
}

Result<api::OrgList> NodeClient::Orgs(contracts::OrgKind kind) {
  api::OrgList v;
  PLEDGER_RETURN_IF_ERROR(Get("/v1/orgs?kind=" + contracts::OrgKind_Name(kind), &v));
  return v;
}

Result<api::SubmitResponse> NodeClient::Submit(const std::string& raw_tx, milliseconds wait) {
  wait = std::min(wait, kMaxServerWait);
  std::string target = "/v1/txs";
  if (wait.count() > 0) target += "?wait=" + std::to_string(wait.count());
  for (int attempt = 0;; ++attempt) {
    PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r, Call("POST", target, raw_tx, "application/x-protobuf",
                                                        wait + kTransportSlack));
    if (r.status == 503 && attempt < kBusyRetries) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (r.status != 200 && r.status != 202) return ApiError(r, reader_);
    api::SubmitResponse resp;
    PLEDGER_RETURN_IF_ERROR(ParseApiJson(r.body, &resp, "POST /v1/txs"));
    return resp;
  }
}

Result<api::TxBatchResponse> NodeClient::SubmitBatch(const std::vector<std::string>& raw_txs, milliseconds wait) {
  wait = std::min(wait, kMaxServerWait);
  std::string target = "/v1/txs/batch";
  if (wait.count() > 0) target += "?wait=" + std::to_string(wait.count());
  api::TxBatch batch;
  for (const auto& raw : raw_txs) batch.add_txs(raw);
  const std::string body = batch.SerializeAsString();
  for (int attempt = 0;; ++attempt) {
    PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r,
                             Call("POST", target, body, "application/x-protobuf", wait + kTransportSlack));
    // Only the whole batch is ever busy (NODE_BUSY): nothing of it was admitted.
    if (r.status == 503 && attempt < kBusyRetries) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (r.status == 404 || r.status == 405) {
      pledger::Status s = ApiError(r, reader_);
      if (s.reason() == "ROUTE_NOT_FOUND" || s.reason() == "METHOD_NOT_ALLOWED" || s.reason() == "TX_ID_INVALID") {
        return pledger::Status::FailedPrecondition("BATCH_UNSUPPORTED",
                                                   "the node at " + url_ + " does not take batches (a pledgerd "
                                                   "before POST /v1/txs/batch); submit the files one at a time");
      }
      return s;
    }
    if (r.status != 200) return ApiError(r, reader_);
    api::TxBatchResponse resp;
    PLEDGER_RETURN_IF_ERROR(ParseApiJson(r.body, &resp, "POST /v1/txs/batch"));
    if (resp.results_size() != static_cast<int>(raw_txs.size())) {
      return pledger::Status::Internal("NODE_RESPONSE_INVALID",
                                       "the node answered " + std::to_string(resp.results_size()) + " results for " +
                                           std::to_string(raw_txs.size()) + " transactions");
    }
    return resp;
  }
}

Result<api::SimulateView> NodeClient::Simulate(const std::string& raw_tx) {
  PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r,
                           Call("POST", "/v1/txs/simulate", raw_tx, "application/x-protobuf", kQueryTimeout));
  if (r.status == 404 || r.status == 405) {
    pledger::Status s = ApiError(r, reader_);
    if (s.reason() == "ROUTE_NOT_FOUND" || s.reason() == "METHOD_NOT_ALLOWED" || s.reason().rfind("HTTP_", 0) == 0) {
      return pledger::Status::FailedPrecondition("SIMULATION_UNSUPPORTED",
                                                 "the node at " + url_ + " does not run pre-flight checks (a pledgerd "
                                                 "before POST /v1/txs/simulate)");
    }
    return s;
  }
  if (r.status != 200) return ApiError(r, reader_);
  api::SimulateView v;
  PLEDGER_RETURN_IF_ERROR(ParseApiJson(r.body, &v, "POST /v1/txs/simulate"));
  return v;
}

Result<api::TxView> NodeClient::WaitForTx(const std::string& tx_id_hex,
                                          std::chrono::steady_clock::time_point deadline,
                                          const std::string* resubmit) {
  auto last_submit = std::chrono::steady_clock::now();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    milliseconds wait = std::clamp(left, milliseconds(0), kMaxServerWait);
    std::string target = "/v1/txs/" + tx_id_hex;
    if (wait.count() > 0) target += "?wait=" + std::to_string(wait.count());
    Result<io::HttpResponse> got = Call("GET", target, "", "", wait + kTransportSlack);
    if (!got.ok()) {
      // The node went away mid-wait (killed, restarting): what it had
      // admitted may still commit through the others, so keep asking.
      if (got.status().reason() == "NODE_UNREACHABLE" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::min<milliseconds>(
            kUnreachableRetry, std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now())));
        continue;
      }
      return got.status();
    }
    io::HttpResponse& r = *got;
    if (r.status == 200 || r.status == 202) {
      api::TxView v;
      PLEDGER_RETURN_IF_ERROR(ParseApiJson(r.body, &v, "GET " + target));
      if (r.status == 200 && v.status().empty()) v.set_status("COMMITTED");
      if (v.status() == "COMMITTED" || std::chrono::steady_clock::now() >= deadline) return v;
      if (wait.count() == 0) return v;
      // A quick PENDING answer (the node's waiter table was full): do not spin.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (r.status == 404 && std::chrono::steady_clock::now() < deadline) {
      // Neither in the chain nor in this node's mempool: lost with a mempool
      // (the node that held it was killed before a block carried it), or, just
      // after admission, held by another node. Resubmitting is harmless (same
      // id), so hand it over again rather than wait for what may never come.
      if (resubmit != nullptr && std::chrono::steady_clock::now() - last_submit >= kResubmitAfter) {
        last_submit = std::chrono::steady_clock::now();
        auto again = Submit(*resubmit, milliseconds(0));
        if (!again.ok() && again.status().code() != StatusCode::kUnavailable &&
            again.status().code() != StatusCode::kResourceExhausted) {
          return again.status();  // refused now: expired, or no longer admissible
        }
        continue;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    if (r.status == 404) {
      api::TxView v;
      v.set_tx_id(tx_id_hex);
      v.set_status("PENDING");
      return v;
    }
    return ApiError(r, reader_);
  }
}

}  // namespace pledger::tools::wallet
