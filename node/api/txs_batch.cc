// Batch submission (POST /v1/txs/batch[?wait=MS], docs/api.md "Batches"):
// many signed transactions in one request, each admitted on its own as
// POST /v1/txs would admit it. What a batch saves is the per-request cost
// (TLS record, HTTP parse, token check, pool hand-off, answer), paid once for
// up to limits::kTxBatchTxsMax transactions (issue 20, lever 3).
//
// One work-pool job admits the whole batch in request order. With ?wait,
// each admitted transaction gets a waiter of its own in the node's table
// (so the applier and the expiry sweep treat it like any other), and the
// batch answers when the last of them is answered: committed, or still
// pending when the shared deadline passed.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "ledger/tx.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {
namespace {

using Clock = std::chrono::steady_clock;

// A refused entry: not admitted, with the reason POST /v1/txs would answer.
std::string RefusedJson(const std::string& hex, const Status& s) {
  api::TxBatchResult r;
  r.set_tx_id(hex);
  r.set_status("REFUSED");
  r.set_code(s.reason().empty() ? std::string(StatusCodeName(s.code())) : std::string(s.reason()));
  r.set_message(std::string(s.message()));
  // Back-pressure and a node catching up (503 on POST /v1/txs) pass; a
  // malformed, badly signed or expired transaction stays refused however
  // often it is sent.
  const bool retryable = HttpStatusOf(s) == 503;
  r.set_retryable(retryable);
  // The pause POST /v1/txs's 503 asks for the same reason (response.cc).
  if (retryable) r.set_retry_after_ms(RetryAfterMsOf(s));
  return io::ApiJsonFromMessage(r);
}

// An admitted entry as POST /v1/txs answers it without ?wait.
std::string AdmittedJson(const std::string& hex, const Status& s) {
  api::SubmitResponse resp;
  resp.set_tx_id(hex);
  resp.set_status(s.ok() ? "PENDING" : "COMMITTED");
  resp.set_message(s.ok() ? "admitted; GET /v1/txs/" + hex + " for the receipt" : std::string(s.message()));
  return io::ApiJsonFromMessage(resp);
}

// An admitted entry whose wait could not be registered or whose committed
// view could not be read: it stays admitted, and GET /v1/txs/{id} has the
// rest. `status` says what the node knows (PENDING or COMMITTED).
std::string AdmittedWithoutViewJson(const std::string& hex, const std::string& status, const Status& why) {
  api::TxBatchResult r;
  r.set_tx_id(hex);
  r.set_status(status);
  r.set_code(std::string(why.reason()));
  r.set_message(std::string(why.message()) + "; the transaction is admitted: GET /v1/txs/" + hex +
                "?wait=MS for its receipt");
  return io::ApiJsonFromMessage(r);
}

// One batch request in flight. Shared by the admission job and the waiters
// of its transactions; the last one to finish answers the client.
class BatchCall : public std::enable_shared_from_this<BatchCall> {
 public:
  BatchCall(ApiBackend* backend, Reader reader, HttpResponder respond, std::vector<std::string> txs,
            std::chrono::milliseconds wait)
      : backend_(backend),
        reader_(std::move(reader)),
        respond_(std::move(respond)),
        txs_(std::move(txs)),
        wait_(wait),
        results_(txs_.size()),
        whole_(txs_.size(), false),
        reread_(txs_.size(), false),
        ids_(txs_.size()) {}

  // Work pool: admits every transaction in request order, then answers, or
  // leaves the answer to the last waiter.
  void Run() {
    const Clock::time_point deadline = Clock::now() + wait_;
    outstanding_ = 1;  // this job; each registered waiter adds one
    for (size_t i = 0; i < txs_.size(); ++i) Admit(i, deadline);
    Release();
  }

 private:
  void Admit(size_t i, Clock::time_point deadline) {
    whole_[i] = SeesWhole(reader_, txs_[i]);
    ledger::Hash256 id{};
    // A copy: the bytes are needed for the id of a transaction refused
    // before the node named it (garbage is known by the hash of its bytes).
    Status s = backend_->AdmitFromClient(txs_[i], &id);
    if (id == ledger::Hash256{}) id = ledger::TxIdOfBytes(txs_[i]);
    ids_[i] = id;
    const std::string hex = ledger::HexEncode(id);
    if (!s.ok() && s.reason() != "TX_ALREADY_COMMITTED") return Set(i, RefusedJson(hex, s));
    if (wait_.count() == 0) return Set(i, AdmittedJson(hex, s));
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++outstanding_;
    }
    std::shared_ptr<BatchCall> self = shared_from_this();
    auto ticket = backend_->AddWaiter(id, Waiter{[self, i](HttpResponse r) { self->OnWaiter(i, std::move(r)); },
                                                 deadline, hex});
    if (!ticket) {
      Set(i, AdmittedWithoutViewJson(hex, "PENDING",
                                     Status::ResourceExhausted("TOO_MANY_WAITERS", "too many clients are waiting")));
      return Release();
    }
    // Committed meanwhile (or before, TX_ALREADY_COMMITTED)? Then answer this
    // entry now, withdrawing only its own waiter, as POST /v1/txs does.
    auto view = TxViewOf(*backend_, id);
    if (!view.ok() && view.status().IsNotFound()) return;  // the applier answers when it commits
    if (!backend_->RemoveWaiter(*ticket)) return;            // it did already
    Set(i, view.ok() ? CommittedView(reader_, hex, std::move(*view)).body
                     : AdmittedWithoutViewJson(hex, "COMMITTED", view.status()));
    Release();
  }

  // Called by the applier (committed), the expiry sweep (202 still pending)
  // or a node stopping (an error): never blocks, never reads the ledger.
  void OnWaiter(size_t i, HttpResponse r) {
    const std::string hex = ledger::HexEncode(ids_[i]);
    if (r.status == 200 && whole_[i]) {
      Set(i, std::move(r.body));  // the applier's answer is this reader's answer
    } else if (r.status == 200) {
      std::lock_guard<std::mutex> lock(mu_);
      reread_[i] = true;  // cut to what the reader may see, on the pool
    } else if (r.status == 202) {
      Set(i, std::move(r.body));
    } else {
      api::ErrorView e;
      Status why = Status::Unavailable("WAIT_FAILED", "the node could not wait for the commit");
      if (io::ApiJsonToMessage(r.body, &e, "waiter answer", /*ignore_unknown_fields=*/true).ok() &&
          !e.error().code().empty()) {
        why = Status::Unavailable(e.error().code(), e.error().message());
      }
      Set(i, AdmittedWithoutViewJson(hex, "PENDING", why));
    }
    Release();
  }

  void Set(size_t i, std::string json) {
    std::lock_guard<std::mutex> lock(mu_);
    results_[i] = std::move(json);
  }

  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--outstanding_ > 0) return;
    }
    Finish();
  }

  // Every entry has its outcome; committed entries the reader may not see
  // whole are re-read and scoped on the work pool (one job for all).
  void Finish() {
    bool any_reread = false;
    for (size_t i = 0; i < reread_.size(); ++i) any_reread = any_reread || reread_[i];
    if (!any_reread) return Answer();
    std::shared_ptr<BatchCall> self = shared_from_this();
    bool queued = backend_->RunOnWorkPool([self] {
      for (size_t i = 0; i < self->reread_.size(); ++i) {
        if (!self->reread_[i]) continue;
        const std::string hex = ledger::HexEncode(self->ids_[i]);
        auto view = TxViewOf(*self->backend_, self->ids_[i]);
        self->results_[i] = view.ok() ? CommittedView(self->reader_, hex, std::move(*view)).body
                                      : AdmittedWithoutViewJson(hex, "COMMITTED", view.status());
      }
      self->Answer();
    });
    if (queued) return;
    for (size_t i = 0; i < reread_.size(); ++i) {
      if (!reread_[i]) continue;
      results_[i] = AdmittedWithoutViewJson(ledger::HexEncode(ids_[i]), "COMMITTED",
                                            Status::ResourceExhausted("NODE_BUSY", "the node was too busy to read "
                                                                                   "the committed transaction back"));
    }
    Answer();
  }

  void Answer() {
    std::string body = "{\"results\":[";
    for (size_t i = 0; i < results_.size(); ++i) {
      if (i > 0) body += ',';
      body += results_[i];
    }
    body += "]}";
    HttpResponse r;
    r.status = 200;
    r.body = std::move(body);
    respond_(std::move(r));
  }

  ApiBackend* const backend_;
  const Reader reader_;
  HttpResponder respond_;
  const std::vector<std::string> txs_;
  const std::chrono::milliseconds wait_;

  std::mutex mu_;
  // One entry per transaction, in request order. results_[i] and reread_[i]
  // are written by exactly one party: the admission job, or the waiter the
  // job registered for i (RemoveWaiter settles which).
  std::vector<std::string> results_;
  std::vector<char> whole_;   // written by the job before its waiter exists (char: no shared bits)
  std::vector<char> reread_;  // guarded by mu_ until outstanding_ reaches 0
  std::vector<ledger::Hash256> ids_;
  size_t outstanding_ = 0;  // guarded by mu_: the job plus waiters not yet answered
};

// The transactions of a batch request, checked against the route's limits.
// Reasons: TX_BATCH_MALFORMED, TX_BATCH_JSON_INVALID, TX_BATCH_EMPTY (400);
// TX_BATCH_TOO_MANY, TX_BATCH_TOO_LARGE (413, answered by the caller).
Result<std::vector<std::string>> BatchOfRequest(ApiCall& call) {
  std::vector<std::string> txs;
  auto ct = call.req.headers.find("content-type");
  if (ct != call.req.headers.end() && ct->second.find("application/x-protobuf") != std::string::npos) {
    api::TxBatch batch;
    if (!batch.ParseFromString(call.req.body)) {
      return Status::InvalidArgument("TX_BATCH_MALFORMED",
                                     "the body is not a pledger.api.TxBatch (repeated bytes txs = 1, each a "
                                     "serialized pledger.ledger.Transaction)");
    }
    txs.assign(std::make_move_iterator(batch.mutable_txs()->begin()),
               std::make_move_iterator(batch.mutable_txs()->end()));
  } else {
    api::TxBatchRequest batch;
    Status s = io::ParseJson(call.req.body, &batch, "request body");
    if (!s.ok()) {
      return Status::InvalidArgument("TX_BATCH_JSON_INVALID",
                                     std::string(s.message()) +
                                         "; send {\"txs\": [tx, ...]}, each tx as POST /v1/txs takes it: "
                                         "{\"body\": base64, \"signatures\": [{\"public_key\": base64, "
                                         "\"signature\": base64}]}; nothing was admitted");
    }
    txs.reserve(static_cast<size_t>(batch.txs_size()));
    for (const auto& tx : batch.txs()) txs.push_back(tx.SerializeAsString());
  }
  if (txs.empty()) return Status::InvalidArgument("TX_BATCH_EMPTY", "the batch holds no transactions");
  return txs;
}

}  // namespace

void HandleSubmitTxBatch(ApiCall& call) {
  auto wait = QueryWait(call.req, call.route.limits.wait_ms_max);
  if (!wait.ok()) return call.respond(Error(wait.status()));
  auto txs = BatchOfRequest(call);
  if (!txs.ok()) return call.respond(Error(txs.status()));
  // A batch over a limit is refused whole, before anything is admitted: a
  // client that split it knows exactly what went in.
  const std::uint64_t txs_max = call.route.limits.items_max;
  if (txs->size() > txs_max) {
    return call.respond(Error(413, "TX_BATCH_TOO_MANY",
                              std::to_string(txs->size()) + " transactions in one batch; at most " +
                                  std::to_string(txs_max) + ": split it (nothing was admitted)"));
  }
  std::uint64_t bytes = 0;
  for (const std::string& raw : *txs) bytes += raw.size();
  if (bytes > call.route.limits.bytes_max) {
    return call.respond(Error(413, "TX_BATCH_TOO_LARGE",
                              std::to_string(bytes) + " bytes of transactions in one batch; at most " +
                                  std::to_string(call.route.limits.bytes_max) +
                                  ": split it (nothing was admitted)"));
  }
  auto batch = std::make_shared<BatchCall>(&call.backend, call.reader, call.respond, std::move(*txs), *wait);
  bool queued = call.backend.RunOnWorkPool([batch] { batch->Run(); });
  if (!queued) call.respond(Error(Status::ResourceExhausted("NODE_BUSY", "the node is busy; retry shortly")));
}

}  // namespace pledger::node
