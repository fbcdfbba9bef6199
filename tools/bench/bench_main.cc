// pledger-bench: drives a running Pledger cluster with concurrent clients
// sending realistic signed transactions or authenticated reads, and prints
// committed tx/s (or reads/s) and latency. A program that prints figures,
// not a test.
//
//   pledger-bench [--nodes URL,URL,...] [--duration SECONDS] [--clients N]
//                 [--mix flow|patent|read] [--auth sign|token|none] [--anonymous]
//                 [--record FILE] [--accounts DIR] [--ca FILE] [--warmup SECONDS]
//                 [--threads N] [--chain ID] [--simulators N [--simulate-rate PER_S]]
//                 [--batch N]
//
// Defaults target tools/devnet.sh: nodes https://127.0.0.1:26601..26603 with
// the devnet's CA (devnet/consortium-ca.crt) and its account keys in
// devnet/accounts.
//
// Each client has its own connection to one node (round-robin) and one
// request in flight. All clients share --threads io threads (default 1).
//
// Writes, submitted with ?wait so the latency is from submission to the
// committed receipt: --mix flow (default) runs, per patent, a registration
// (1 signature, IP office), a valuation (1 signature, appraiser) and a pledge
// registration (3 signatures: bank, owner, IP office); --mix patent sends
// registrations only (single-signature workload).
//
// Batches, --batch N (default 1: one transaction per request): each write
// client sends N patent registrations per request, POST /v1/txs/batch?wait
// (a bank's core system submitting what it has at once; docs/api.md
// "Batches"). Only with --mix patent: the flow's valuation and pledge need
// the receipt of the step before, so batching them would batch across
// patents and change what the flow measures; --batch N with --mix flow or
// read is refused. Each transaction of a batch counts on its own, as a
// single one would: committed only with its receipt in the answer, an
// admission refusal by its code ("BATCH:CODE"), a retryable refusal
// (MEMPOOL_FULL, TX_BACKLOG, NODE_BEHIND ...) as busy and sent again in the
// client's next request; its latency is its request's.
//
// Back-pressure: on any 503 (or a batch entry marked retryable) the client
// pauses as long as the node asks, the JSON error's retry_after_ms or else
// the Retry-After header (seconds), with +-20 % jitter so clients do not
// return together; 50 ms when the node names no pause. Such answers count
// as busy, never as committed.
//
// Reads, --mix read: each client first files one patent, valuation and
// pledge as the flow does (not measured; the run starts once every client
// has one), then reads them in turn, GET /v1/patents/{no} and GET
// /v1/pledges/{id}, as the bank that holds the pledge (the full view). Only
// 200 answers count; anything else is listed by its code.
//
// Who the requests come from (docs/api.md "Access"), --auth:
//   token  (default) each client asks once per account for a bearer token
//          (a signed POST /v1/auth/token) and sends it with that account's
//          requests: what a long-running client (a bank's core system) does;
//   sign   every request signed by its account's key, a fresh nonce each:
//          the submitting party for a write (IP office, appraiser, bank), the
//          bank for a read; the cost of one more signature per request;
//   none   (or --anonymous; reads only) no credentials: the public view.
// The read mix files its patents and pledges signed whatever --auth says:
// they are the set-up, and a node shows a receipt only to its signers.
//
// Pre-flight load, --simulators N: N more clients, each sending one
// POST /v1/txs/simulate after another (a fresh patent registration, signed by
// the IP office, never submitted) next to the --clients that commit: the
// committed figures with and without them show what simulations cost commits
// (docs/performance.md). Their rate and latency are printed apart.
// --simulate-rate R paces them to about R simulations per second in all
// (each waits its share of a second between answers); without it they send
// as fast as the node answers.
//
// What counts (issue 17): a write counts as committed only when the node
// answers 200 with the committed receipt (code OK, or a contract's refusal:
// the chain committed it either way). An admission refusal (4xx, e.g.
// TX_EXPIRED), a 503 and a transport failure are never committed: they are
// counted apart, by code, and never enter a figure of committed tx/s or the
// latencies. Each transaction's expiry is the newest height the client has
// seen (from its last receipt, or the probe each second) plus
// --expiry-blocks (default 3000), so a fast chain never outruns it. A 401 to
// a request sent with a token (an expired token, or one whose issuing node's
// key was rotated: AUTH_TOKEN_*, AUTH_EXPIRED, AUTH_SIGNATURE_INVALID) makes
// the client fetch a fresh token and send that request once more.
//
// Output: one line per second, a summary, and a last line of JSON:
//   writes: {"committed_tps": ..., "committed": ... (measured window), "committed_all": ... (warm-up too),
//            "refused_by_contract": ..., "p50_ms": ..., "p99_ms": ..., "max_ms": ..., "errors": ... (not
//            committed), "refused_at_admission": ..., "busy": ... (503s), "token_retries": ...,
//            "error_codes": {code: count, ...}, "flagged": ..., ..., "simulations_per_s": ..., "simulators": ...,
//            "batch": N}
//   reads:  {"reads_per_s": ..., "p50_ms": ..., "p99_ms": ..., "max_ms": ..., "errors": ..., "auth": ...}
// A run whose errors (not committed, 503s aside) exceed 1 % of its requests
// is flagged ("flagged": true, a WARNING line) and exits 1.
// --record FILE writes the id of every transaction acknowledged as committed
// (one hex id per line), so a check after a fault can prove none was lost:
// `pledger-bench --check FILE [--nodes ...]` asks every node for every id and
// exits 1 if any node lacks any of them.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <google/protobuf/util/json_util.h>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include "ledger/io/clock.h"
#include "ledger/io/files.h"
#include "ledger/io/http_client.h"
#include "ledger/io/request_auth.h"
#include "ledger/io/pki.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/io/proto/config.pb.h"
#include "tools/common/args.h"
#include "tools/common/workload.h"

namespace pledger::tools {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

enum class Auth { kSign, kToken, kNone };
const char* AuthName(Auth a) { return a == Auth::kSign ? "sign" : a == Auth::kToken ? "token" : "none"; }

enum class Mix { kFlow, kPatent, kRead };

// The pause a busy answer asks for: the JSON body's "retry_after_ms"
// (number or decimal string), else the Retry-After header in seconds, else
// 0 (the node named none).
std::chrono::milliseconds RetryAfterOf(const std::string& retry_after_header, const std::string& body) {
  const std::string key = "\"retry_after_ms\":";
  auto p = body.find(key);
  if (p != std::string::npos) {
    p += key.size();
    while (p < body.size() && (body[p] == ' ' || body[p] == '"')) ++p;
    std::uint64_t ms = 0;
    bool digits = false;
    for (; p < body.size() && body[p] >= '0' && body[p] <= '9' && ms < 3'600'000; ++p) {
      ms = ms * 10 + static_cast<std::uint64_t>(body[p] - '0');
      digits = true;
    }
    if (digits && ms > 0) return std::chrono::milliseconds(std::min<std::uint64_t>(ms, 60'000));
  }
  std::uint64_t sec = 0;
  bool digits = !retry_after_header.empty();
  for (char c : retry_after_header) {
    if (c < '0' || c > '9' || sec > 3600) {
      digits = false;  // an HTTP date or garbage: no usable pause
      break;
    }
    sec = sec * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (digits && sec > 0) return std::chrono::milliseconds(std::min<std::uint64_t>(sec, 60) * 1000);
  return std::chrono::milliseconds(0);
}

struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<bool> measuring{false};
  std::atomic<std::uint64_t> reads{0};         // 200 answers in the measured window
  std::atomic<int> seeded{0};                  // read mix: clients with their patent and pledge
  std::atomic<std::uint64_t> tokens{0};        // tokens obtained
  std::atomic<std::uint64_t> committed{0};     // measured window only
  std::atomic<std::uint64_t> committed_all{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> rejected{0};      // committed with a refusal code
  std::atomic<std::uint64_t> busy{0};          // 503 answers (backpressure)
  std::atomic<std::uint64_t> simulations{0};   // --simulators: 200 answers in the measured window
  std::atomic<std::uint64_t> height{0};        // the newest height seen (probe and receipts)
  std::uint64_t expiry_blocks = 3000;          // --expiry-blocks
  std::atomic<std::uint64_t> refusals{0};      // admission refusals (4xx): never committed
  std::atomic<std::uint64_t> token_retries{0}; // requests sent again with a fresh token
  std::mutex mu;
  std::vector<double> latencies_ms;  // measured window only
  std::vector<double> sim_latencies_ms;  // --simulators, measured window only
  std::ofstream record;
  std::map<std::string, std::uint64_t> error_codes;
};

std::string CodeOf(const std::string& body) {
  auto p = body.find("\"code\":\"");
  if (p == std::string::npos) return "?";
  auto e = body.find('"', p + 8);
  return body.substr(p + 8, e - p - 8);
}

// The receipt code of a ?wait answer, "BUSY" when the node pushed back, or
// HTTP_<status>:<code> for a refusal before ordering.
std::string CodeOfAnswer(int status, const std::string& body) {
  if (status == 503) return "BUSY";
  if (status != 200) return "HTTP_" + std::to_string(status) + ":" + CodeOf(body);
  auto p = body.find("\"receipt_code\":\"");
  if (p == std::string::npos) return "NO_RECEIPT";
  auto e = body.find('"', p + 16);
  return body.substr(p + 16, e - p - 16);
}

// The value of "name":"..." in a small JSON answer, "" if absent.
std::string JsonString(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  auto p = body.find(key);
  if (p == std::string::npos) return "";
  auto e = body.find('"', p + key.size());
  return e == std::string::npos ? "" : body.substr(p + key.size(), e - p - key.size());
}

// One simulated client: its own keep-alive connection to one node and one
// request in flight (a transaction submitted with ?wait, or a read). Every
// client of a run shares one io thread: the load generator runs on the same
// two cores as the nodes, and a thread per client would spend a large share
// of the machine's CPU on context switches and per-thread timers.
//
// Lifetime: owned by the shared_ptrs its pending handlers hold; it stops
// issuing requests once Shared::stop is set.
class AsyncClient : public std::enable_shared_from_this<AsyncClient> {
 public:
  AsyncClient(asio::io_context& io, ssl::context* tls, Shared* s, const WorkloadParties& parties,
              io::Url url, std::uint32_t run, std::uint32_t id, Mix mix, Auth auth, bool simulator = false,
              std::chrono::microseconds sim_interval = {}, int batch = 1)
      : io_(io), tls_(tls), s_(s), url_(std::move(url)), mix_(mix), auth_(auth), simulator_(simulator),
        sim_interval_(sim_interval), batch_(simulator ? 1 : batch), parties_(parties), w_(parties, run, id),
        resolver_(io), pause_(io), rng_(run * 7919u + id) {}

  void Start() { Connect(); }

 private:
  enum class Kind { kTx, kBatch, kToken, kRead, kSimulate };

  beast::tcp_stream& Tcp() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }
  bool Flow() const { return mix_ != Mix::kPatent; }

  void Connect() {
    if (s_->stop) return;
    secure_.reset();
    plain_.reset();
    if (url_.tls) {
      secure_.emplace(beast::tcp_stream(io_), *tls_);
      SSL_set_tlsext_host_name(secure_->native_handle(), url_.host.c_str());
      secure_->set_verify_callback(ssl::host_name_verification(url_.host));
    } else {
      plain_.emplace(io_);
    }
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = shared_from_this()](error_code ec, tcp::resolver::results_type r) {
                              if (ec) return self->Fail();
                              self->Tcp().expires_after(10s);
                              self->Tcp().async_connect(r, [self](error_code e, const tcp::endpoint&) {
                                if (e) return self->Fail();
                                beast::error_code nd;
                                self->Tcp().socket().set_option(tcp::no_delay(true), nd);
                                if (!self->secure_) return self->Connected();
                                self->secure_->async_handshake(ssl::stream_base::client, [self](error_code h) {
                                  if (h) return self->Fail();
                                  self->Connected();
                                });
                              });
                            });
  }

  void Connected() {
    if (resend_after_connect_) {
      resend_after_connect_ = false;
      return SendPending();
    }
    Next();
  }

  // The next request: the flow's next step after an accepted one, or a new
  // patent; in the read mix, once the client has its pledge, reads. With
  // --auth token, a request whose account has no token yet waits behind one
  // signed POST /v1/auth/token for that account.
  void Next() {
    if (s_->stop) return;
    if (batch_ <= 1 || batch_txs_.empty()) attempts_ = 0;
    token_retried_ = false;
    if (simulator_) {
      tx_ = w_.PatentRegister(s_->height.load() + s_->expiry_blocks);
      kind_ = Kind::kSimulate;
      method_ = "POST";
      target_ = "/v1/txs/simulate";
      body_ = tx_.raw;
      signer_ = tx_.submitter.get();
      return SendPending();
    }
    if (batch_ > 1) {
      // Registrations still owed a retry (a retryable refusal) go first, the
      // batch filled up with new ones.
      const std::uint64_t expiry = s_->height.load() + s_->expiry_blocks;
      while (batch_txs_.size() < static_cast<size_t>(batch_)) batch_txs_.push_back(w_.PatentRegister(expiry));
      return SendBatch();
    }
    if (mix_ == Mix::kRead && seeded_) {
      kind_ = Kind::kRead;
      read_pledge_ = !read_pledge_;
      method_ = "GET";
      target_ = read_pledge_ ? "/v1/pledges/" + pledge_id_ : "/v1/patents/" + patent_.patent_no;
      body_.clear();
      signer_ = parties_.bank.get();
    } else {
      // Per transaction: from the newest height this run has seen.
      const std::uint64_t expiry = s_->height.load() + s_->expiry_blocks;
      if (Flow() && step_ == 1) {
        tx_ = w_.Valuation(patent_.patent_no, expiry);
      } else if (Flow() && step_ == 2) {
        tx_ = w_.Pledge(patent_.patent_no, valuation_.object_id, expiry);
      } else {
        step_ = 0;
        tx_ = w_.PatentRegister(expiry);
      }
      kind_ = Kind::kTx;
      method_ = "POST";
      target_ = "/v1/txs?wait=20000";
      body_ = tx_.raw;
      signer_ = tx_.submitter.get();
    }
    SendPending();
  }

  // Sends batch_txs_ as one POST /v1/txs/batch?wait (all registrations:
  // the IP office submits them).
  void SendBatch() {
    api::TxBatch b;
    for (const auto& t : batch_txs_) b.add_txs(t.raw);
    kind_ = Kind::kBatch;
    method_ = "POST";
    target_ = "/v1/txs/batch?wait=20000";
    body_ = b.SerializeAsString();
    signer_ = batch_txs_.front().submitter.get();
    SendPending();
  }

  // How the pending request proves its account: the read mix files its
  // patents and pledges signed whatever --auth says (they are the set-up,
  // not what is measured, and a receipt is shown only to the signers).
  Auth AuthOfPending() const { return mix_ == Mix::kRead && kind_ == Kind::kTx ? Auth::kSign : auth_; }

  void SendPending() {
    if (AuthOfPending() == Auth::kToken && tokens_[signer_].empty()) {
      waiting_kind_ = kind_;
      kind_ = Kind::kToken;
      return Send("POST", "/v1/auth/token", "", signer_, Auth::kSign);
    }
    Send(method_, target_, body_, signer_, AuthOfPending());
  }

  // Sends one request: signed by `signer` (afresh for every send, retries
  // included: a nonce is good once), with `signer`'s token, or with nothing.
  void Send(const std::string& method, const std::string& target, const std::string& body,
            const ledger::SecretKey* signer, Auth auth) {
    if (s_->stop) return;
    req_ = {};
    req_.method_string(method);
    req_.target(url_.base_path + target);
    req_.version(11);
    req_.set(http::field::host, url_.host);
    if (!body.empty()) req_.set(http::field::content_type, "application/x-protobuf");
    req_.keep_alive(true);
    req_.body() = body;
    req_.prepare_payload();
    if (auth == Auth::kSign && signer != nullptr) {
      auto header = io::SignRequestHeader(*signer, parties_.chain_id, method, url_.base_path + target, body,
                                          io::SystemClock().NowMs(), io::RandomRequestNonce());
      if (!header.ok()) {
        std::fprintf(stderr, "pledger-bench: %s\n", header.status().ToString().c_str());
        std::exit(2);
      }
      req_.set(http::field::authorization, *header);
    } else if (auth == Auth::kToken) {
      req_.set(http::field::authorization, "Bearer " + tokens_[signer]);
    }
    sent_at_ = Clock::now();
    Tcp().expires_after(25s);
    auto done = [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->Fail();
      self->Read();
    };
    if (secure_) {
      http::async_write(*secure_, req_, std::move(done));
    } else {
      http::async_write(*plain_, req_, std::move(done));
    }
  }

  void Resend() { SendPending(); }

  void Read() {
    parser_.emplace();
    parser_->body_limit(4u << 20);
    auto done = [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->Fail();
      self->OnAnswer();
    };
    if (secure_) {
      http::async_read(*secure_, buffer_, *parser_, std::move(done));
    } else {
      http::async_read(*plain_, buffer_, *parser_, std::move(done));
    }
  }

  void Count(const std::string& code) {
    std::lock_guard<std::mutex> lock(s_->mu);
    ++s_->error_codes[code];
  }

  void OnAnswer() {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent_at_).count();
    auto& res = parser_->get();
    const bool keep_alive = res.keep_alive();
    const int status = static_cast<int>(res.result_int());
    asked_ = status == 503 ? RetryAfterOf(std::string(res[http::field::retry_after]), res.body())
                 : std::chrono::milliseconds(0);
    if (kind_ == Kind::kToken) {
      kind_ = waiting_kind_;
      std::string& token = tokens_[signer_];
      token = status == 200 ? JsonString(res.body(), "token") : "";
      if (token.empty()) {
        ++s_->errors;
        Count("TOKEN:HTTP_" + std::to_string(status) + ":" + CodeOf(res.body()));
        return Pause(keep_alive);
      }
      ++s_->tokens;
      if (!keep_alive) return Connect();  // Connect ends in Next: the request is built again
      return SendPending();
    }
    // A refused token (expired, or its node's key rotated): fetch a fresh
    // one and send this request once more; the next request of that account
    // asks again in any case.
    if (status == 401 && AuthOfPending() == Auth::kToken) {
      tokens_[signer_].clear();
      if (!token_retried_) {
        token_retried_ = true;
        ++s_->token_retries;
        if (!keep_alive) return Reconnect();
        return SendPending();
      }
    }
    if (kind_ == Kind::kRead) return OnRead(status, res.body(), ms, keep_alive);
    if (kind_ == Kind::kSimulate) return OnSimulated(status, res.body(), ms, keep_alive);
    if (kind_ == Kind::kBatch) return OnBatch(status, res.body(), ms, keep_alive, asked_);
    const std::string code = CodeOfAnswer(status, res.body());
    if (code == "BUSY") {
      ++s_->busy;
      if (++attempts_ >= 50) {
        step_ = 0;
        return Continue(keep_alive);
      }
      pause_.expires_after(BusyPause(asked_));
      pause_.async_wait([self = shared_from_this(), keep_alive](error_code ec) {
        if (ec) return;
        if (!keep_alive) return self->Connect();  // Connect ends in Next: a fresh transaction
        self->Resend();
      });
      return;
    }
    if (status != 200 || code == "NO_RECEIPT") {
      // Refused before ordering (TX_EXPIRED, a bad signature, ...) or an
      // answer without a receipt: never committed, never in a figure.
      ++s_->refusals;
      ++s_->errors;
      Count(code);
      step_ = 0;
      return Pause(keep_alive);
    }
    if (const std::string h = JsonString(res.body(), "height"); !h.empty()) NoteHeight(std::strtoull(h.c_str(), nullptr, 10));
    ++s_->committed_all;
    const bool ok = code == "OK";
    {
      std::lock_guard<std::mutex> lock(s_->mu);
      if (!ok) ++s_->error_codes[code];
      if (s_->measuring && mix_ != Mix::kRead) s_->latencies_ms.push_back(ms);
      if (s_->record.is_open()) s_->record << ledger::HexEncode(tx_.id) << "\n";
    }
    if (!ok) ++s_->rejected;
    if (s_->measuring && mix_ != Mix::kRead) ++s_->committed;
    if (ok && Flow() && step_ == 0) {
      patent_ = tx_;
      step_ = 1;
    } else if (ok && Flow() && step_ == 1) {
      valuation_ = tx_;
      step_ = 2;
    } else {
      if (ok && mix_ == Mix::kRead && step_ == 2 && !seeded_) {
        seeded_ = true;
        pledge_id_ = tx_.object_id;
        ++s_->seeded;
      }
      step_ = 0;
    }
    Continue(keep_alive);
  }

  // The pause before sending again after a busy answer: what the node asked
  // for with +-20 % jitter, or the old fixed 50 ms when it named nothing.
  std::chrono::milliseconds BusyPause(std::chrono::milliseconds asked) {
    if (asked.count() <= 0) return 50ms;
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    return std::chrono::milliseconds(
        std::max<std::int64_t>(1, static_cast<std::int64_t>(static_cast<double>(asked.count()) * jitter(rng_))));
  }

  // A batch's answer: every entry counts on its own, as a single request's
  // answer would. A 503 is the whole batch (nothing admitted): sent again
  // whole. Entries refused as retryable stay in batch_txs_ for the next
  // request, after the pause the node asked for.
  void OnBatch(int status, const std::string& body, double ms, bool keep_alive, std::chrono::milliseconds asked) {
    const std::uint64_t n = batch_txs_.size();
    if (status == 503) {
      s_->busy += n;
      if (++attempts_ >= 50) {
        batch_txs_.clear();
        return Continue(keep_alive);
      }
      pause_.expires_after(BusyPause(asked));
      pause_.async_wait([self = shared_from_this(), keep_alive](error_code ec) {
        if (ec) return;
        if (!keep_alive) return self->Reconnect();
        self->Resend();
      });
      return;
    }
    api::TxBatchResponse resp;
    if (status != 200 || !io::ApiJsonToMessage(body, &resp, "batch answer").ok() ||
        resp.results_size() != static_cast<int>(n)) {
      // Refused whole (a limit, a malformed batch) or an answer that cannot
      // be matched to the transactions: none of them counts as committed.
      s_->refusals += n;
      s_->errors += n;
      {
        std::lock_guard<std::mutex> lock(s_->mu);
        s_->error_codes["HTTP_" + std::to_string(status) + ":" + CodeOf(body)] += n;
      }
      batch_txs_.clear();
      return Pause(keep_alive);
    }
    std::vector<WorkloadTx> again;
    std::chrono::milliseconds retry_after{0};
    for (int i = 0; i < resp.results_size(); ++i) {
      const api::TxBatchResult& r = resp.results(i);
      WorkloadTx& tx = batch_txs_[static_cast<size_t>(i)];
      if (r.status() == "REFUSED") {
        if (r.retryable()) {
          ++s_->busy;
          retry_after = std::max(retry_after, std::chrono::milliseconds(r.retry_after_ms()));
          again.push_back(std::move(tx));
        } else {
          ++s_->refusals;
          ++s_->errors;
          Count("BATCH:" + r.code());
        }
        continue;
      }
      const std::string& code = r.tx().receipt_code();
      if (r.status() != "COMMITTED" || code.empty()) {
        // Still pending when the wait ended, or committed without a receipt
        // in the answer: not counted, as for a single request.
        ++s_->errors;
        Count(r.status() == "COMMITTED" ? "NO_RECEIPT" : "BATCH:" + (r.code().empty() ? r.status() : r.code()));
        continue;
      }
      NoteHeight(r.tx().height());
      ++s_->committed_all;
      const bool ok = code == "OK";
      {
        std::lock_guard<std::mutex> lock(s_->mu);
        if (!ok) ++s_->error_codes[code];
        if (s_->measuring) s_->latencies_ms.push_back(ms);
        if (s_->record.is_open()) s_->record << ledger::HexEncode(tx.id) << "\n";
      }
      if (!ok) ++s_->rejected;
      if (s_->measuring) ++s_->committed;
    }
    batch_txs_ = std::move(again);
    if (batch_txs_.empty()) {
      attempts_ = 0;
      return Continue(keep_alive);
    }
    if (++attempts_ >= 50) {
      batch_txs_.clear();
      return Continue(keep_alive);
    }
    pause_.expires_after(BusyPause(retry_after.count() > 0 ? retry_after : asked));
    pause_.async_wait([self = shared_from_this(), keep_alive](error_code ec) {
      if (!ec) self->Continue(keep_alive);  // Next fills the batch up again
    });
  }

  // A read counts only when answered 200; anything else is listed by code.
  void OnRead(int status, const std::string& body, double ms, bool keep_alive) {
    if (status == 200) {
      if (s_->measuring) {
        ++s_->reads;
        std::lock_guard<std::mutex> lock(s_->mu);
        s_->latencies_ms.push_back(ms);
      }
      return Continue(keep_alive);
    }
    ++s_->errors;
    Count("READ:HTTP_" + std::to_string(status) + ":" + CodeOf(body));
    if (status == 503) {
      ++s_->busy;
      return Pause(keep_alive, BusyPause(asked_));
    }
    Pause(keep_alive);
  }

  // A simulation counts when answered 200 (whatever receipt it predicts).
  void OnSimulated(int status, const std::string& body, double ms, bool keep_alive) {
    if (status == 200) {
      if (s_->measuring) {
        ++s_->simulations;
        std::lock_guard<std::mutex> lock(s_->mu);
        s_->sim_latencies_ms.push_back(ms);
      }
      const auto wait = sim_interval_ - std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::duration<double, std::milli>(ms));
      if (wait.count() <= 0) return Continue(keep_alive);
      pause_.expires_after(wait);
      pause_.async_wait([self = shared_from_this(), keep_alive](error_code ec) {
        if (!ec) self->Continue(keep_alive);
      });
      return;
    }
    Count("SIMULATE:HTTP_" + std::to_string(status) + ":" + CodeOf(body));
    if (status == 503) {
      ++s_->busy;
      return Pause(keep_alive, BusyPause(asked_));
    }
    Pause(keep_alive);
  }

  void Continue(bool keep_alive) {
    if (keep_alive) return Next();
    Connect();
  }

  void NoteHeight(std::uint64_t h) {
    std::uint64_t seen = s_->height.load();
    while (h > seen && !s_->height.compare_exchange_weak(seen, h)) {
    }
  }

  // A new connection, then the pending request again (not a new one).
  void Reconnect() {
    resend_after_connect_ = true;
    Connect();
  }

  // After a refusal: a short pause so a misconfigured run does not spin.
  void Pause(bool keep_alive, std::chrono::milliseconds pause = 50ms) {
    pause_.expires_after(pause);
    pause_.async_wait([self = shared_from_this(), keep_alive](error_code ec) {
      if (!ec) self->Continue(keep_alive);
    });
  }

  // A transport failure abandons the request in flight (a transaction may
  // still commit; it is not counted) and redials after a pause.
  void Fail() {
    if (s_->stop) return;
    resend_after_connect_ = false;
    const std::uint64_t lost = kind_ == Kind::kBatch && !batch_txs_.empty() ? batch_txs_.size() : 1;
    s_->errors += lost;
    {
      std::lock_guard<std::mutex> lock(s_->mu);
      s_->error_codes["NODE_UNREACHABLE"] += lost;
    }
    batch_txs_.clear();
    step_ = 0;
    pause_.expires_after(100ms);
    pause_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->Connect();
    });
  }

  asio::io_context& io_;
  ssl::context* tls_;
  Shared* s_;
  io::Url url_;
  Mix mix_;
  Auth auth_;
  bool simulator_;  // --simulators: only POST /v1/txs/simulate
  std::chrono::microseconds sim_interval_;  // --simulate-rate: at least this long from one to the next
  int batch_;       // --batch: transactions per request (patent mix)
  std::vector<WorkloadTx> batch_txs_;  // the batch in flight, or owed a retry
  std::chrono::milliseconds asked_{0};  // the pause the last answer asked for (RetryAfterOf)
  WorkloadParties parties_;
  Workload w_;
  tcp::resolver resolver_;
  asio::steady_timer pause_;
  std::mt19937 rng_;  // retry jitter
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  WorkloadTx tx_, patent_, valuation_;
  int step_ = 0;  // flow: 0 patent, 1 valuation, 2 pledge
  int attempts_ = 0;
  bool token_retried_ = false;        // this request was sent again with a fresh token
  bool resend_after_connect_ = false;  // Reconnect: the pending request, not a new one
  Kind kind_ = Kind::kTx;
  // The request in flight (or waiting for its account's token).
  std::string method_, target_, body_;
  const ledger::SecretKey* signer_ = nullptr;
  Kind waiting_kind_ = Kind::kTx;
  std::map<const ledger::SecretKey*, std::string> tokens_;  // --auth token: one per account
  bool seeded_ = false;      // read mix: patent_ and pledge_id_ are on the ledger
  bool read_pledge_ = false;
  std::string pledge_id_;
  Clock::time_point sent_at_;
};

Result<std::uint64_t> Height(io::HttpClient& c) {
  PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r, c.Get("/v1/status"));
  api::StatusView v;
  if (r.status != 200 || !io::ApiJsonToMessage(r.body, &v, "/v1/status").ok()) {
    return Status::Unavailable("NODE_UNREACHABLE", "bad /v1/status answer");
  }
  return v.height();
}

std::shared_ptr<const ledger::SecretKey> LoadKey(const std::string& dir, const std::string& name) {
  auto pem = io::ReadFile(dir + "/" + name + ".key");
  if (!pem.ok()) {
    std::fprintf(stderr, "pledger-bench: %s\n", pem.status().ToString().c_str());
    std::exit(2);
  }
  auto key = io::Ed25519KeyFromPem(*pem);
  if (!key.ok()) {
    std::fprintf(stderr, "pledger-bench: %s: %s\n", name.c_str(), key.status().ToString().c_str());
    std::exit(2);
  }
  return std::make_shared<const ledger::SecretKey>(std::move(*key));
}

// --check FILE: every recorded id must be committed on every node. Asked as
// the IP office (a full reader: every transaction in full).
int Check(const std::string& file, const std::vector<std::string>& nodes, const std::string& ca,
          const io::RequestCredentials& credentials) {
  std::ifstream in(file);
  if (!in) {
    std::fprintf(stderr, "pledger-bench: cannot read %s\n", file.c_str());
    return 2;
  }
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    if (line.size() == 64) ids.push_back(line);
  }
  int missing_total = 0;
  for (const auto& url : nodes) {
    io::HttpClientOptions o;
    o.ca_file = ca;
    o.credentials = credentials;
    o.timeout = 10s;
    auto c = io::HttpClient::Create(url, o);
    if (!c.ok()) {
      std::fprintf(stderr, "pledger-bench: %s\n", c.status().ToString().c_str());
      return 3;
    }
    int missing = 0;
    for (const auto& id : ids) {
      auto r = (*c)->Get("/v1/txs/" + id);
      if (!r.ok()) {
        std::fprintf(stderr, "pledger-bench: %s: %s\n", url.c_str(), r.status().ToString().c_str());
        return 3;
      }
      if (r->status == 401 || r->status == 403) {
        std::fprintf(stderr, "pledger-bench: %s refused the reader: HTTP %d %s\n", url.c_str(), r->status,
                     CodeOf(r->body).c_str());
        return 3;
      }
      if (r->status != 200) {
        if (missing < 10) std::printf("  %s: %s is not committed (HTTP %d)\n", url.c_str(), id.c_str(), r->status);
        ++missing;
      }
    }
    std::printf("%s: %zu of %zu recorded transactions committed\n", url.c_str(), ids.size() - missing, ids.size());
    missing_total += missing;
  }
  return missing_total == 0 ? 0 : 1;
}

// The devnet's node URLs and CA (tools/devnet.sh), from its node configs:
// https unless a config says "api_tls": false, on the ports it chose.
struct Targets {
  std::vector<std::string> nodes;
  std::string ca;
};
Targets DevnetTargets() {
  Targets t;
  for (int n = 1; n <= 3; ++n) {
    const std::string dir = "devnet/nodes/node" + std::to_string(n);
    config::NodeConfig c;
    if (!io::ReadJsonFile(dir + "/config.json", &c).ok() || c.api_listen().empty()) continue;
    const bool tls = !c.has_api_tls() || c.api_tls();
    t.nodes.push_back(std::string(tls ? "https://" : "http://") + c.api_listen());
    if (tls && t.ca.empty() && !c.tls_ca_file().empty()) {
      t.ca = c.tls_ca_file()[0] == '/' ? c.tls_ca_file() : dir + "/" + c.tls_ca_file();
    }
  }
  if (t.nodes.empty()) t.nodes = {"https://127.0.0.1:26601", "https://127.0.0.1:26602", "https://127.0.0.1:26603"};
  if (t.ca.empty() && io::FileExists("devnet/consortium-ca.crt")) t.ca = "devnet/consortium-ca.crt";
  return t;
}

int Main(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1,
                          {{"check"}, {"nodes"}, {"duration"}, {"clients"}, {"mix"}, {"auth"}, {"anonymous", false},
                           {"record"}, {"accounts"}, {"ca"}, {"warmup"}, {"threads"}, {"chain"}, {"ip-office"},
                           {"bank"}, {"owner"}, {"appraiser"}, {"bank-org"}, {"owner-org"}, {"expiry-blocks"},
                           {"simulators"}, {"simulate-rate"}, {"batch"}, {"help", false}});
  if (!args.ok()) {
    std::fprintf(stderr, "pledger-bench: %s\n", args.status().ToString().c_str());
    return 2;
  }
  if (args->Has("help")) {
    std::puts("usage: pledger-bench [--nodes URL,...] [--duration S] [--clients N] [--mix flow|patent|read]\n"
              "                     [--auth sign|token|none] [--anonymous] [--record FILE] [--accounts DIR]\n"
              "                     [--ca FILE] [--warmup S] [--threads N] [--chain ID] [--expiry-blocks N]\n"
              "                     [--simulators N] [--simulate-rate PER_S] [--batch N (with --mix patent)]\n"
              "       pledger-bench --check FILE [--nodes URL,...]   every recorded id committed everywhere?\n"
              "Defaults: the devnet's nodes and CA (devnet/nodes/*/config.json), its keys in devnet/accounts,\n"
              "chain pledger-devnet, requests carry its accounts' session tokens (--auth token).");
    return 0;
  }
  const Targets devnet = DevnetTargets();
  std::vector<std::string> nodes;
  if (auto list = args->Get("nodes")) {
    std::stringstream ss(*list);
    for (std::string u; std::getline(ss, u, ',');) {
      if (!u.empty()) nodes.push_back(u);
    }
  } else {
    nodes = devnet.nodes;
  }
  if (nodes.empty()) {
    std::fprintf(stderr, "pledger-bench: --nodes names no node\n");
    return 2;
  }
  std::string ca = args->Get("ca").value_or(args->Has("nodes") ? "" : devnet.ca);
  std::string accounts = args->Get("accounts").value_or("devnet/accounts");
  WorkloadParties parties;
  parties.chain_id = args->Get("chain").value_or("pledger-devnet");
  parties.ip_office = LoadKey(accounts, args->Get("ip-office").value_or("zjipo-clerk"));
  parties.bank = LoadKey(accounts, args->Get("bank").value_or("qtbank"));
  parties.owner = LoadKey(accounts, args->Get("owner").value_or("lianke-owner"));
  parties.appraiser = LoadKey(accounts, args->Get("appraiser").value_or("appraiser"));
  parties.bank_org = args->Get("bank-org").value_or("qtbank");
  parties.owner_org = args->Get("owner-org").value_or("lianke");
  // The IP office reads everything (a full reader): the probe and --check ask as it.
  io::RequestCredentials office;
  office.key = parties.ip_office;
  office.chain_id = parties.chain_id;
  if (auto check = args->Get("check")) return Check(*check, nodes, ca, office);

  auto duration = args->GetInt("duration", 30, 1, 86400);
  auto clients = args->GetInt("clients", 64, 1, 4096);
  auto warmup = args->GetInt("warmup", 3, 0, 600);
  auto threads = args->GetInt("threads", 1, 1, 64);
  auto simulators = args->GetInt("simulators", 0, 0, 4096);
  auto simulate_rate = args->GetInt("simulate-rate", 0, 0, 1000000);
  for (const Status* st : {&simulators.status(), &simulate_rate.status()}) {
    if (!st->ok()) {
      std::fprintf(stderr, "pledger-bench: %s\n", st->ToString().c_str());
      return 2;
    }
  }
  auto batch = args->GetInt("batch", 1, 1, 256);
  if (!batch.ok()) {
    std::fprintf(stderr, "pledger-bench: %s (a node takes at most 256 transactions a request)\n",
                 batch.status().ToString().c_str());
    return 2;
  }
  const std::chrono::microseconds sim_interval{*simulate_rate > 0 ? *simulators * 1000000 / *simulate_rate : 0};
  auto expiry_blocks = args->GetInt("expiry-blocks", 3000, 2, 1'000'000);
  for (const Status* st :
       {&duration.status(), &clients.status(), &warmup.status(), &threads.status(), &expiry_blocks.status()}) {
    if (!st->ok()) {
      std::fprintf(stderr, "pledger-bench: %s\n", st->ToString().c_str());
      return 2;
    }
  }
  const std::string mix_word = args->Get("mix").value_or("flow");
  Mix mix = Mix::kFlow;
  if (mix_word == "patent") {
    mix = Mix::kPatent;
  } else if (mix_word == "read") {
    mix = Mix::kRead;
  } else if (mix_word != "flow") {
    std::fprintf(stderr, "pledger-bench: --mix must be flow, patent or read\n");
    return 2;
  }
  if (*batch > 1 && mix != Mix::kPatent) {
    std::fprintf(stderr, "pledger-bench: --batch needs --mix patent: the flow's valuation and pledge wait for the "
                         "receipt of the step before, so they cannot go in one request\n");
    return 2;
  }
  const std::string auth_word = args->Get("auth").value_or(args->Has("anonymous") ? "none" : "token");
  Auth auth = Auth::kSign;
  if (auth_word == "token") {
    auth = Auth::kToken;
  } else if (auth_word == "none") {
    auth = Auth::kNone;
  } else if (auth_word != "sign") {
    std::fprintf(stderr, "pledger-bench: --auth must be sign, token or none\n");
    return 2;
  }
  if (args->Has("anonymous") && auth != Auth::kNone) {
    std::fprintf(stderr, "pledger-bench: --anonymous is --auth none; give one of them\n");
    return 2;
  }
  if (auth == Auth::kNone && mix != Mix::kRead) {
    // A node shows a receipt only to the transaction's signers and full
    // readers: anonymous writes could not tell OK from a refusal.
    std::fprintf(stderr, "pledger-bench: --auth none (--anonymous) measures reads: give --mix read\n");
    return 2;
  }

  io::HttpClientOptions co;
  co.ca_file = ca;
  co.credentials = office;
  co.timeout = 5s;
  auto probe = io::HttpClient::Create(nodes[0], co);
  if (!probe.ok()) {
    std::fprintf(stderr, "pledger-bench: %s\n", probe.status().ToString().c_str());
    return 2;
  }
  auto h = Height(**probe);
  if (!h.ok()) {
    std::fprintf(stderr, "pledger-bench: %s (is the cluster running? tools/devnet.sh)\n",
                 h.status().ToString().c_str());
    return 3;
  }
  Shared s;
  // Expiry: the newest height seen plus --expiry-blocks, by default well
  // inside the chain's replay window (default 3600 blocks).
  s.height = *h;
  s.expiry_blocks = static_cast<std::uint64_t>(*expiry_blocks);
  auto refresh_height = [&] {
    auto hh = Height(**probe);
    if (!hh.ok()) return;
    std::uint64_t seen = s.height.load();
    while (*hh > seen && !s.height.compare_exchange_weak(seen, *hh)) {
    }
  };
  if (auto rec = args->Get("record")) {
    s.record.open(*rec, std::ios::out | std::ios::trunc);
    if (!s.record) {
      std::fprintf(stderr, "pledger-bench: cannot write %s\n", rec->c_str());
      return 2;
    }
  }
  std::uint32_t run = static_cast<std::uint32_t>(std::random_device{}());
  std::printf("pledger-bench: %zu node(s), %lld clients, mix %s, auth %s, warm-up %lld s, duration %lld s, "
              "%lld transaction(s) per request\n",
              nodes.size(), static_cast<long long>(*clients), mix_word.c_str(), AuthName(auth),
              static_cast<long long>(*warmup), static_cast<long long>(*duration), static_cast<long long>(*batch));
  // Clients are spread over --threads io threads (default 1: enough for
  // several thousand tx/s, and the fewest context switches).
  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (std::int64_t t = 0; t < *threads; ++t) ios.push_back(std::make_unique<asio::io_context>());
  ssl::context tls(ssl::context::tls_client);
  bool any_tls = false;
  std::vector<io::Url> urls;
  for (const auto& u : nodes) {
    auto parsed = io::ParseUrl(u);
    if (!parsed.ok()) {
      std::fprintf(stderr, "pledger-bench: %s\n", parsed.status().ToString().c_str());
      return 2;
    }
    any_tls = any_tls || parsed->tls;
    urls.push_back(*parsed);
  }
  if (any_tls) {
    if (ca.empty()) {
      std::fprintf(stderr, "pledger-bench: https:// nodes need --ca (the consortium CA certificate)\n");
      return 2;
    }
    error_code ec;
    tls.set_verify_mode(ssl::verify_peer, ec);
    tls.load_verify_file(ca, ec);
    if (ec) {
      std::fprintf(stderr, "pledger-bench: cannot load CA %s: %s\n", ca.c_str(), ec.message().c_str());
      return 2;
    }
  }
  for (std::int64_t i = 0; i < *clients; ++i) {
    auto& io = *ios[static_cast<size_t>(i % *threads)];
    std::make_shared<AsyncClient>(io, &tls, &s, parties, urls[static_cast<size_t>(i) % urls.size()], run,
                                  static_cast<std::uint32_t>(i), mix, auth, /*simulator=*/false,
                                  std::chrono::microseconds{}, static_cast<int>(*batch))
        ->Start();
  }
  for (std::int64_t i = 0; i < *simulators; ++i) {
    const std::int64_t k = *clients + i;
    auto& io = *ios[static_cast<size_t>(k % *threads)];
    std::make_shared<AsyncClient>(io, &tls, &s, parties, urls[static_cast<size_t>(k) % urls.size()], run,
                                  static_cast<std::uint32_t>(k), Mix::kPatent, auth, /*simulator=*/true, sim_interval)
        ->Start();
  }
  std::vector<std::thread> threads_run;
  for (auto& io : ios) threads_run.emplace_back([&io] { io->run(); });
  const bool reads = mix == Mix::kRead;
  if (reads) {
    // Every client files its patent and pledge before anything is measured.
    std::printf("pledger-bench: filing one patent, valuation and pledge per client to read...\n");
    std::fflush(stdout);
    const auto deadline = Clock::now() + 300s;
    for (int tick = 1; s.seeded.load() < *clients && Clock::now() < deadline; ++tick) {
      std::this_thread::sleep_for(100ms);
      if (tick % 10 == 0) refresh_height();
    }
    if (s.seeded.load() < *clients) {
      std::fprintf(stderr, "pledger-bench: only %d of %lld clients filed their pledge in 300 s\n", s.seeded.load(),
                   static_cast<long long>(*clients));
      for (const auto& [code, n] : s.error_codes) {
        std::fprintf(stderr, "  %s: %llu\n", code.c_str(), static_cast<unsigned long long>(n));
      }
      s.stop = true;
      for (auto& io : ios) io->stop();
      for (auto& t : threads_run) t.join();
      return 1;
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(*warmup));
  s.measuring = true;
  auto start = Clock::now();
  std::uint64_t last = 0;
  for (std::int64_t sec = 1; sec <= *duration; ++sec) {
    std::this_thread::sleep_until(start + std::chrono::seconds(sec));
    std::uint64_t now = reads ? s.reads.load() : s.committed.load();
    std::printf("  t=%3llds  %s %6llu %s  (total %llu, refused by a contract %llu, not committed %llu, busy %llu)\n",
                static_cast<long long>(sec), reads ? "read" : "committed", static_cast<unsigned long long>(now - last),
                reads ? "reads/s" : "tx/s", static_cast<unsigned long long>(now),
                static_cast<unsigned long long>(s.rejected.load()), static_cast<unsigned long long>(s.errors.load()),
                static_cast<unsigned long long>(s.busy.load()));
    std::fflush(stdout);
    last = now;
    refresh_height();
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  s.measuring = false;
  std::uint64_t committed = s.committed.load();
  const std::uint64_t read_count = s.reads.load();
  s.stop = true;
  // Requests still waiting for their receipts are abandoned, not counted.
  for (auto& io : ios) io->stop();
  for (auto& t : threads_run) t.join();

  std::vector<double> lat;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    lat = s.latencies_ms;
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    if (lat.empty()) return 0.0;
    size_t k = static_cast<size_t>(p * static_cast<double>(lat.size() - 1));
    return lat[k];
  };
  double tps = static_cast<double>(committed) / elapsed;
  // Not committed (admission refusals, token failures, transport failures);
  // 503s are counted apart (back-pressure, retried).
  const std::uint64_t errors = s.errors.load();
  const std::uint64_t attempts = s.committed_all.load() + errors + s.reads.load();
  const bool flagged = attempts > 0 && static_cast<double>(errors) > 0.01 * static_cast<double>(attempts);
  std::string codes_json = "{";
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (const auto& [code, n] : s.error_codes) {
      if (codes_json.size() > 1) codes_json += ", ";
      codes_json += "\"" + code + "\": " + std::to_string(n);
    }
  }
  codes_json += "}";
  if (flagged) {
    std::printf("WARNING: %llu of %llu requests (over 1 %%) were not committed or answered: the figures below "
                "describe a run with errors, not the chain's throughput\n",
                static_cast<unsigned long long>(errors), static_cast<unsigned long long>(attempts));
  }
  if (reads) {
    const double rps = static_cast<double>(read_count) / elapsed;
    std::printf("read %llu records (200 answers) in %.1f s: %.0f reads/s, auth %s (%llu tokens)\n",
                static_cast<unsigned long long>(read_count), elapsed, rps, AuthName(auth),
                static_cast<unsigned long long>(s.tokens.load()));
    std::printf("latency request->answer: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", pct(0.50), pct(0.99),
                lat.empty() ? 0.0 : lat.back());
    std::printf("errors %llu, 503 answers %llu\n", static_cast<unsigned long long>(errors),
                static_cast<unsigned long long>(s.busy.load()));
    for (const auto& [code, n] : s.error_codes) {
      std::printf("  %s: %llu\n", code.c_str(), static_cast<unsigned long long>(n));
    }
    std::printf("{\"reads_per_s\": %.0f, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, "
                "\"errors\": %llu, \"busy\": %llu, \"error_codes\": %s, \"flagged\": %s, \"clients\": %lld, "
                "\"mix\": \"read\", \"auth\": \"%s\", \"duration_s\": %.1f}\n",
                rps, pct(0.50), pct(0.99), lat.empty() ? 0.0 : lat.back(), static_cast<unsigned long long>(errors),
                static_cast<unsigned long long>(s.busy.load()), codes_json.c_str(), flagged ? "true" : "false",
                static_cast<long long>(*clients), AuthName(auth), elapsed);
    return flagged ? 1 : 0;
  }
  std::printf("committed %llu transactions in %.1f s: %.0f tx/s (%llu refused by a contract, committed all the same)\n",
              static_cast<unsigned long long>(committed), elapsed, tps,
              static_cast<unsigned long long>(s.rejected.load()));
  std::printf("latency submit->commit: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(0.50), pct(0.99),
              lat.empty() ? 0.0 : lat.back());
  std::printf("not committed %llu (refused at admission %llu), 503 back-pressure answers %llu, requests sent again "
              "with a fresh token %llu\n",
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(s.refusals.load()),
              static_cast<unsigned long long>(s.busy.load()), static_cast<unsigned long long>(s.token_retries.load()));
  for (const auto& [code, n] : s.error_codes) {
    std::printf("  %s: %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  }
  double sims_per_s = 0;
  if (*simulators > 0) {
    std::vector<double> sl;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      sl = s.sim_latencies_ms;
    }
    std::sort(sl.begin(), sl.end());
    auto spct = [&](double p) { return sl.empty() ? 0.0 : sl[static_cast<size_t>(p * static_cast<double>(sl.size() - 1))]; };
    sims_per_s = static_cast<double>(s.simulations.load()) / elapsed;
    std::printf("simulated %llu transactions alongside (%lld simulating clients): %.0f simulations/s, p50 %.1f ms, "
                "p99 %.1f ms\n",
                static_cast<unsigned long long>(s.simulations.load()), static_cast<long long>(*simulators),
                sims_per_s, spct(0.50), spct(0.99));
  }
  // One JSON object on the last line: scripts parse it whole.
  std::printf("{\"committed_tps\": %.0f, \"committed\": %llu, \"committed_all\": %llu, \"refused_by_contract\": %llu, "
              "\"p50_ms\": %.1f, \"p99_ms\": %.1f, \"max_ms\": %.1f, \"errors\": %llu, \"refused_at_admission\": %llu, "
              "\"busy\": %llu, \"token_retries\": %llu, \"error_codes\": %s, \"flagged\": %s, \"clients\": %lld, "
              "\"mix\": \"%s\", \"auth\": \"%s\", \"duration_s\": %.1f, \"simulations_per_s\": %.0f, \"simulators\": %lld, "
              "\"batch\": %lld}\n",
              tps, static_cast<unsigned long long>(committed), static_cast<unsigned long long>(s.committed_all.load()),
              static_cast<unsigned long long>(s.rejected.load()), pct(0.50), pct(0.99), lat.empty() ? 0.0 : lat.back(),
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(s.refusals.load()),
              static_cast<unsigned long long>(s.busy.load()), static_cast<unsigned long long>(s.token_retries.load()),
              codes_json.c_str(), flagged ? "true" : "false", static_cast<long long>(*clients), mix_word.c_str(),
              AuthName(auth), elapsed, sims_per_s, static_cast<long long>(*simulators), static_cast<long long>(*batch));
  return flagged ? 1 : 0;
}

}  // namespace
}  // namespace pledger::tools

int main(int argc, char** argv) { return pledger::tools::Main(argc, argv); }
