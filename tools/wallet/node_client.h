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
//   - access refusals (401 AUTH_*, 403 READ_FORBIDDEN, 503 AUTH_BUSY): the
//     node's code, and a message in words that fit how the wallet asked
//     (tools/common/access.h);
//   - a body that does not parse: reason NODE_RESPONSE_INVALID.
//
// Who the wallet reads as is fixed when the transport is opened
// (NodeEndpoint::credentials): every request is then signed with the
// account's key (afresh on a retry) or carries a saved token, or neither.
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
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/io/http_client.h"
#include "ledger/io/http_message.h"
#include "ledger/io/proto/api.pb.h"
#include "tools/common/access.h"
#include "tools/proto/wallet.pb.h"

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

// Where and as whom the wallet talks to a node.
struct NodeEndpoint {
  std::string url;
  std::string ca_file;                  // the consortium CA, for https
  io::RequestCredentials credentials;   // none: anonymous
  ReaderKind reader() const {
    if (credentials.key) return ReaderKind::kSigned;
    return credentials.bearer_token.empty() ? ReaderKind::kAnonymous : ReaderKind::kToken;
  }
};

// An HTTP(S) transport to the endpoint (its credentials on every request).
// Reasons: URL_INVALID, TLS_CONFIG_INVALID.
Result<std::unique_ptr<NodeTransport>> ConnectHttp(const NodeEndpoint& endpoint, std::chrono::milliseconds timeout);

class NodeClient {
 public:
  NodeClient(std::unique_ptr<NodeTransport> transport, std::string url, ReaderKind reader = ReaderKind::kAnonymous)
      : transport_(std::move(transport)), url_(std::move(url)), reader_(reader) {}

  const std::string& url() const { return url_; }
  ReaderKind reader() const { return reader_; }

  // GET `target` into `msg`. Errors as described above.
  pledger::Status Get(const std::string& target, google::protobuf::Message* msg);
  // GET `target`: the body of a 2xx answer, as the node sent it.
  Result<std::string> GetBody(const std::string& target);

  Result<api::StatusView> NodeStatus();
  Result<contracts::Params> Params();
  Result<contracts::Account> Account(const std::string& public_key_hex);
  Result<contracts::PatentView> Patent(const std::string& patent_no);
  Result<contracts::Pledge> Pledge(const std::string& pledge_id);
  Result<contracts::Organisation> Org(const std::string& org_id);
  Result<contracts::Genesis> Genesis();
  // The validator records now (GET /v1/validators).
  Result<contracts::ValidatorSet> Validators();
  Result<contracts::PoolView> Pool(const std::string& pool_id);
  // What PoolPay would do on `payment_date` (GET /v1/pools/{id}/preview).
  Result<contracts::PoolStatement> PoolPreview(const std::string& pool_id, std::int32_t payment_date,
                                               bool allow_draw);
  // Every organisation of one kind (GET /v1/orgs?kind=...).
  Result<api::OrgList> Orgs(contracts::OrgKind kind);

  // A bearer token for the account that signs this request (POST
  // /v1/auth/token; the client must sign with its key).
  Result<TokenAnswer> IssueToken();
  // Who the node takes this client for (GET /v1/auth/whoami).
  Result<WhoAmIAnswer> WhoAmI();

  // POSTs the exact transaction bytes. With wait > 0 the node holds the
  // request until the transaction is committed or the wait runs out.
  // Admission refusals come back as errors carrying the API's code.
  Result<api::SubmitResponse> Submit(const std::string& raw_tx, std::chrono::milliseconds wait);

  // POSTs several transactions in one request (POST /v1/txs/batch, at most
  // kBatchTxsMax and kBatchBytesMax of them): one result per transaction, in order. Whole-batch
  // refusals (too many or too large, a busy node after the retries) come
  // back as errors; BATCH_UNSUPPORTED when the node predates the route.
  // The node's limits (node/limits.h kTxBatchTxsMax, kTxBatchBytesMax).
  static constexpr size_t kBatchTxsMax = 256;
  static constexpr size_t kBatchBytesMax = 512u << 10;
  Result<api::TxBatchResponse> SubmitBatch(const std::vector<std::string>& raw_txs, std::chrono::milliseconds wait);

  // POST /v1/txs/simulate: the receipt the transaction would get in the next
  // block now (advisory). SIMULATION_UNSUPPORTED when the node predates the
  // route; access refusals and the API's codes as errors.
  Result<api::SimulateView> Simulate(const std::string& raw_tx);

  // Polls GET /v1/txs/{id}?wait=... until the transaction is committed or
  // `deadline` passes. Returns the committed view, or a TxView with status
  // PENDING when the deadline passed first.
  //
  // A node that is unreachable for a while (restarting) does not end the
  // wait: it is asked again until the deadline, and only an unreachable node
  // at the deadline is an error (NODE_UNREACHABLE). With `resubmit` (the
  // transaction's exact bytes), a node that does not know the transaction
  // (404: it lost its mempool in a crash, docs/api.md) gets it again, at most
  // once a second; a refusal of that resubmission (TX_EXPIRED, ...) is
  // returned as the error.
  Result<api::TxView> WaitForTx(const std::string& tx_id_hex,
                                std::chrono::steady_clock::time_point deadline,
                                const std::string* resubmit = nullptr);

 private:
  Result<io::HttpResponse> Call(const std::string& method, const std::string& target,
                                  const std::string& body, const std::string& content_type,
                                  std::chrono::milliseconds timeout);
  std::unique_ptr<NodeTransport> transport_;
  std::string url_;
  ReaderKind reader_;
};

// Parses a JSON answer leniently (unknown fields ignored).
pledger::Status ParseApiJson(const std::string& json, google::protobuf::Message* msg, const std::string& what);

// The error a non-2xx answer stands for, for a client that asked as `reader`.
pledger::Status ApiError(const io::HttpResponse& response, ReaderKind reader = ReaderKind::kAnonymous);

// How to sign in, for the words of an access refusal to a reader of this kind.
std::string SignInHint(ReaderKind reader);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_NODE_CLIENT_H_
