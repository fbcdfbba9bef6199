// pledger-bench: drives a running Pledger cluster with concurrent clients
// sending realistic signed transactions, and prints committed tx/s and
// submit-to-commit latency. A program that prints figures, not a test.
//
//   pledger-bench [--nodes URL,URL,...] [--duration SECONDS] [--clients N]
//                 [--mix flow|patent] [--record FILE] [--accounts DIR]
//                 [--ca FILE] [--warmup SECONDS] [--threads N]
//
// Defaults target tools/devnet.sh: nodes http://127.0.0.1:26601..26603 and
// the devnet's account keys in devnet/accounts.
//
// Each client has its own connection to one node (round-robin) and one
// transaction in flight, submitted with ?wait so the latency is from
// submission to the committed receipt. All clients share --threads io
// threads (default 1). --mix flow (default) runs, per patent,
// a registration (1 signature, IP office), a valuation (1 signature,
// appraiser) and a pledge registration (3 signatures: bank, owner, IP office);
// --mix patent sends registrations only (single-signature workload).
//
// Output: one line per second, a summary, and a last line of JSON:
//   {"committed_tps": ..., "p50_ms": ..., "p99_ms": ..., "max_ms": ..., "errors": ...}
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

#include "ledger/io/files.h"
#include "ledger/io/http_client.h"
#include "ledger/io/pki.h"
#include "ledger/io/proto/api.pb.h"
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

struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<bool> measuring{false};
  std::atomic<std::uint64_t> committed{0};     // measured window only
  std::atomic<std::uint64_t> committed_all{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> rejected{0};      // committed with a refusal code
  std::atomic<std::uint64_t> busy{0};          // 503 answers (backpressure)
  std::atomic<std::uint64_t> expiry{0};
  std::mutex mu;
  std::vector<double> latencies_ms;  // measured window only
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

// One simulated client: its own keep-alive connection to one node and one
// transaction in flight, submitted with ?wait. Every client of a run shares
// one io thread: the load generator runs on the same two cores as the nodes,
// and a thread per client would spend a large share of the machine's CPU on
// context switches and per-thread timers.
//
// Lifetime: owned by the shared_ptrs its pending handlers hold; it stops
// issuing requests once Shared::stop is set.
class AsyncClient : public std::enable_shared_from_this<AsyncClient> {
 public:
  AsyncClient(asio::io_context& io, ssl::context* tls, Shared* s, const WorkloadParties& parties,
              io::Url url, std::uint32_t run, std::uint32_t id, bool flow)
      : io_(io), tls_(tls), s_(s), url_(std::move(url)), flow_(flow), w_(parties, run, id), resolver_(io),
        pause_(io) {}

  void Start() { Connect(); }

 private:
  beast::tcp_stream& Tcp() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }

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
                                if (!self->secure_) return self->Next();
                                self->secure_->async_handshake(ssl::stream_base::client, [self](error_code h) {
                                  if (h) return self->Fail();
                                  self->Next();
                                });
                              });
                            });
  }

  // The next transaction: the flow's next step after an accepted one, else a
  // new patent.
  void Next() {
    if (s_->stop) return;
    const std::uint64_t expiry = s_->expiry.load();
    if (flow_ && step_ == 1) {
      tx_ = w_.Valuation(patent_.patent_no, expiry);
    } else if (flow_ && step_ == 2) {
      tx_ = w_.Pledge(patent_.patent_no, valuation_.object_id, expiry);
    } else {
      step_ = 0;
      tx_ = w_.PatentRegister(expiry);
    }
    attempts_ = 0;
    Send();
  }

  void Send() {
    if (s_->stop) return;
    req_ = {};
    req_.method(http::verb::post);
    req_.target(url_.base_path + "/v1/txs?wait=20000");
    req_.version(11);
    req_.set(http::field::host, url_.host);
    req_.set(http::field::content_type, "application/x-protobuf");
    req_.keep_alive(true);
    req_.body() = tx_.raw;
    req_.prepare_payload();
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

  void OnAnswer() {
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent_at_).count();
    auto& res = parser_->get();
    const bool keep_alive = res.keep_alive();
    const std::string code = CodeOfAnswer(static_cast<int>(res.result_int()), res.body());
    if (code == "BUSY") {
      ++s_->busy;
      if (++attempts_ >= 50) {
        step_ = 0;
        return Continue(keep_alive);
      }
      pause_.expires_after(50ms);
      pause_.async_wait([self = shared_from_this(), keep_alive](error_code ec) {
        if (ec) return;
        if (!keep_alive) return self->Connect();  // Connect ends in Next: a fresh transaction
        self->Send();
      });
      return;
    }
    ++s_->committed_all;
    const bool ok = code == "OK";
    {
      std::lock_guard<std::mutex> lock(s_->mu);
      if (!ok) ++s_->error_codes[code];
      if (s_->measuring) s_->latencies_ms.push_back(ms);
      if (s_->record.is_open() && code.rfind("HTTP_", 0) != 0) s_->record << ledger::HexEncode(tx_.id) << "\n";
    }
    if (!ok) ++s_->rejected;
    if (s_->measuring) ++s_->committed;
    if (ok && flow_ && step_ == 0) {
      patent_ = tx_;
      step_ = 1;
    } else if (ok && flow_ && step_ == 1) {
      valuation_ = tx_;
      step_ = 2;
    } else {
      step_ = 0;
    }
    Continue(keep_alive);
  }

  void Continue(bool keep_alive) {
    if (keep_alive) return Next();
    Connect();
  }

  // A transport failure abandons the transaction in flight (it may still
  // commit; it is not counted) and redials after a pause.
  void Fail() {
    if (s_->stop) return;
    ++s_->errors;
    {
      std::lock_guard<std::mutex> lock(s_->mu);
      ++s_->error_codes["NODE_UNREACHABLE"];
    }
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
  bool flow_;
  Workload w_;
  tcp::resolver resolver_;
  asio::steady_timer pause_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  WorkloadTx tx_, patent_, valuation_;
  int step_ = 0;  // flow: 0 patent, 1 valuation, 2 pledge
  int attempts_ = 0;
  Clock::time_point sent_at_;
};

Result<std::uint64_t> Height(io::HttpClient& c) {
  PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r, c.Get("/v1/status"));
  api::StatusView v;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  if (r.status != 200 || !google::protobuf::util::JsonStringToMessage(r.body, &v, opts).ok()) {
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

// --check FILE: every recorded id must be committed on every node.
int Check(const std::string& file, const std::vector<std::string>& nodes, const std::string& ca) {
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

int Main(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1,
                          {{"check"}, {"nodes"}, {"duration"}, {"clients"}, {"mix"}, {"record"}, {"accounts"},
                           {"ca"}, {"warmup"}, {"threads"}, {"chain"}, {"ip-office"}, {"bank"}, {"owner"},
                           {"appraiser"}, {"bank-org"}, {"owner-org"}, {"help", false}});
  if (!args.ok()) {
    std::fprintf(stderr, "pledger-bench: %s\n", args.status().ToString().c_str());
    return 2;
  }
  if (args->Has("help")) {
    std::puts("usage: pledger-bench [--nodes URL,...] [--duration S] [--clients N] [--mix flow|patent]\n"
              "                     [--record FILE] [--accounts DIR] [--ca FILE] [--warmup S] [--threads N]\n"
              "       pledger-bench --check FILE [--nodes URL,...]   every recorded id committed everywhere?");
    return 0;
  }
  std::string nodes_arg = args->Get("nodes").value_or(
      "http://127.0.0.1:26601,http://127.0.0.1:26602,http://127.0.0.1:26603");
  std::vector<std::string> nodes;
  std::stringstream ss(nodes_arg);
  for (std::string u; std::getline(ss, u, ',');) {
    if (!u.empty()) nodes.push_back(u);
  }
  if (auto check = args->Get("check")) return Check(*check, nodes, args->Get("ca").value_or(""));
  auto duration = args->GetInt("duration", 30, 1, 86400);
  auto clients = args->GetInt("clients", 64, 1, 4096);
  auto warmup = args->GetInt("warmup", 3, 0, 600);
  auto threads = args->GetInt("threads", 1, 1, 64);
  for (const Status* st : {&duration.status(), &clients.status(), &warmup.status(), &threads.status()}) {
    if (!st->ok()) {
      std::fprintf(stderr, "pledger-bench: %s\n", st->ToString().c_str());
      return 2;
    }
  }
  std::string mix = args->Get("mix").value_or("flow");
  if (mix != "flow" && mix != "patent") {
    std::fprintf(stderr, "pledger-bench: --mix must be flow or patent\n");
    return 2;
  }
  std::string accounts = args->Get("accounts").value_or("devnet/accounts");
  std::string ca = args->Get("ca").value_or("");

  WorkloadParties parties;
  parties.chain_id = args->Get("chain").value_or("pledger-devnet");
  parties.ip_office = LoadKey(accounts, args->Get("ip-office").value_or("zjipo-clerk"));
  parties.bank = LoadKey(accounts, args->Get("bank").value_or("qtbank"));
  parties.owner = LoadKey(accounts, args->Get("owner").value_or("lianke-owner"));
  parties.appraiser = LoadKey(accounts, args->Get("appraiser").value_or("appraiser"));
  parties.bank_org = args->Get("bank-org").value_or("qtbank");
  parties.owner_org = args->Get("owner-org").value_or("lianke");

  io::HttpClientOptions co;
  co.ca_file = ca;
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
  // Expiry: well inside the chain's replay window (default 3600 blocks).
  s.expiry = *h + 3000;
  if (auto rec = args->Get("record")) {
    s.record.open(*rec, std::ios::out | std::ios::trunc);
    if (!s.record) {
      std::fprintf(stderr, "pledger-bench: cannot write %s\n", rec->c_str());
      return 2;
    }
  }
  std::uint32_t run = static_cast<std::uint32_t>(std::random_device{}());
  std::printf("pledger-bench: %zu node(s), %lld clients, mix %s, warm-up %lld s, duration %lld s\n",
              nodes.size(), static_cast<long long>(*clients), mix.c_str(),
              static_cast<long long>(*warmup), static_cast<long long>(*duration));
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
                                  static_cast<std::uint32_t>(i), mix == "flow")
        ->Start();
  }
  std::vector<std::thread> threads_run;
  for (auto& io : ios) threads_run.emplace_back([&io] { io->run(); });
  std::this_thread::sleep_for(std::chrono::seconds(*warmup));
  s.measuring = true;
  auto start = Clock::now();
  std::uint64_t last = 0;
  for (std::int64_t sec = 1; sec <= *duration; ++sec) {
    std::this_thread::sleep_until(start + std::chrono::seconds(sec));
    std::uint64_t now = s.committed.load();
    std::printf("  t=%3llds  committed %6llu tx/s  (total %llu, errors %llu, busy %llu)\n",
                static_cast<long long>(sec), static_cast<unsigned long long>(now - last),
                static_cast<unsigned long long>(now), static_cast<unsigned long long>(s.errors + s.rejected),
                static_cast<unsigned long long>(s.busy.load()));
    std::fflush(stdout);
    last = now;
    if (sec % 10 == 0) {
      auto hh = Height(**probe);
      if (hh.ok()) s.expiry = *hh + 3000;
    }
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  s.measuring = false;
  std::uint64_t committed = s.committed.load();
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
  std::uint64_t errors = s.errors.load() + s.rejected.load();
  std::printf("committed %llu transactions in %.1f s: %.0f tx/s\n",
              static_cast<unsigned long long>(committed), elapsed, tps);
  std::printf("latency submit->commit: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(0.50), pct(0.99),
              lat.empty() ? 0.0 : lat.back());
  std::printf("errors %llu (refused receipts %llu), 503 backpressure answers %llu\n",
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(s.rejected.load()),
              static_cast<unsigned long long>(s.busy.load()));
  for (const auto& [code, n] : s.error_codes) {
    std::printf("  %s: %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("{\"committed_tps\": %.0f, \"p50_ms\": %.1f, \"p99_ms\": %.1f, \"max_ms\": %.1f, "
              "\"errors\": %llu, \"clients\": %lld, \"mix\": \"%s\", \"duration_s\": %.1f}\n",
              tps, pct(0.50), pct(0.99), lat.empty() ? 0.0 : lat.back(),
              static_cast<unsigned long long>(errors), static_cast<long long>(*clients), mix.c_str(),
              elapsed);
  return 0;
}

}  // namespace
}  // namespace pledger::tools

int main(int argc, char** argv) { return pledger::tools::Main(argc, argv); }
