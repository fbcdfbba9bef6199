// The wallet's view of a node's HTTP API (docs/api.md): typed queries,
// submission and waiting for a receipt.
//
// NodeTransport is the one seam between the wallet and the network: the real
// one wraps io::HttpClient (plain HTTP or HTTPS pinned to the consortium
// CA); unit tests plug in a fake node. NodeClient turns responses into proto
// messages and API errors into Status values:
//   - transport failures: reason NODE_UNREACHABLE (the wallet exits with 3);
//   - {"error": {"code", "message"}} answers: reason = the API's code, category
//     from the HTTP status (404 -> NotFound, 409 -> FailedPrecondition, ...);
//   - a body that does not parse: reason NODE_RESPONSE_INVALID.
// Unknown JSON fields are ignored when reading, so a newer node still talks to
// this wallet.
//
// Thread safety: one NodeClient per thread (as io::HttpClient).
#ifndef PLEDGER_TOOLS_WALLET_NODE_CLIENT_H_
#define PLEDGER_TOOLS_WALLET_NODE_CLIENT_H_

#include <google/protobuf/message.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "consensus/status.h"
#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/io/http_message.h"
#include "ledger/io/proto/api.pb.h"

namespace pledger::tools::wallet {

class NodeTransport {
 public:
  virtual ~NodeTransport() = default;
  // One request. Transport failures: NODE_UNREACHABLE. HTTP error statuses
  // are answers, not errors.
  virtual Result<io::HttpResponse> Request(const std::string& method, const std::string& target,
                                             const std::string& body, const std::string& content_type,
                                             std::chrono::milliseconds timeout) = 0;
};

// An HTTP(S) transport to `url`. For https, `ca_file` is the consortium CA.
// Reasons: URL_INVALID, TLS_CONFIG_INVALID.
Result<std::unique_ptr<NodeTransport>> ConnectHttp(const std::string& url, const std::string& ca_file,
                                                   std::chrono::milliseconds timeout);

class NodeClient {
 public:
  NodeClient(std::unique_ptr<NodeTransport> transport, std::string url)
      : transport_(std::move(transport)), url_(std::move(url)) {}

  const std::string& url() const { return url_; }

  // GET `target` into `msg`. Errors as described above.
  pledger::Status Get(const std::string& target, google::protobuf::Message* msg);

  Result<api::StatusView> NodeStatus();
  Result<contracts::Params> Params();
  Result<contracts::Account> Account(const std::string& public_key_hex);
  Result<contracts::PatentView> Patent(const std::string& patent_no);
  Result<contracts::Pledge> Pledge(const std::string& pledge_id);
  Result<contracts::Organisation> Org(const std::string& org_id);
  Result<contracts::Genesis> Genesis();
  Result<contracts::PoolView> Pool(const std::string& pool_id);
  // What PoolPay would do on `payment_date` (GET /v1/pools/{id}/preview).
  Result<contracts::PoolStatement> PoolPreview(const std::string& pool_id, std::int32_t payment_date,
                                               bool allow_draw);
  // Every organisation of one kind (GET /v1/orgs?kind=...).
  Result<api::OrgList> Orgs(contracts::OrgKind kind);

  // POSTs the exact transaction bytes. With wait > 0 the node holds the
  // request until the transaction is committed or the wait runs out.
  // Admission refusals come back as errors carrying the API's code.
  Result<api::SubmitResponse> Submit(const std::string& raw_tx, std::chrono::milliseconds wait);

  // Polls GET /v1/txs/{id}?wait=... until the transaction is committed or
  // `deadline` passes. Returns the committed view, or a TxView with status
  // PENDING when the deadline passed first.
  Result<api::TxView> WaitForTx(const std::string& tx_id_hex,
                                std::chrono::steady_clock::time_point deadline);

 private:
  Result<io::HttpResponse> Call(const std::string& method, const std::string& target,
                                  const std::string& body, const std::string& content_type,
                                  std::chrono::milliseconds timeout);
  std::unique_ptr<NodeTransport> transport_;
  std::string url_;
};

// Parses a JSON answer leniently (unknown fields ignored).
pledger::Status ParseApiJson(const std::string& json, google::protobuf::Message* msg, const std::string& what);

// The error a non-2xx answer stands for.
pledger::Status ApiError(const io::HttpResponse& response);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_NODE_CLIENT_H_
