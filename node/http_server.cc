#include "node/http_server.h"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>

#include "node/log.h"

namespace pledger::node {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string JsonError(std::string_view code, std::string_view message) {
  // Codes and messages here are ours (no client text), so no escaping needed.
  return "{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\"" +
         std::string(message) + "\"}}";
}

}  // namespace

Result<std::string> UrlDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) {
        return Status::InvalidArgument("URL_INVALID", "truncated percent-escape in URL");
      }
      int hi = HexDigit(in[i + 1]);
      int lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return Status::InvalidArgument("URL_INVALID", "bad percent-escape in URL");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

namespace {

// What admission needs of a connection, whatever its stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection from its own strand (admission runs elsewhere).
  virtual void Evict() = 0;
};

using SteadyClock = std::chrono::steady_clock;

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io_, HttpOptions o, HttpHandler h)
      : io(io_), opt(std::move(o)), handler(std::move(h)), acceptor(asio::make_strand(io_)),
        tls_ctx(ssl::context::tls_server) {}

  asio::io_context& io;
  HttpOptions opt;
  HttpHandler handler;
  tcp::acceptor acceptor;
  ssl::context tls_ctx;
  bool use_tls = false;
  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> stopped{false};

  // ---- admission (see the header) ----
  struct Tracked {
    std::weak_ptr<SessionBase> session;
    std::string remote;
    bool waiting = false;       // between "may send a request" and a parsed one
    std::uint64_t waiting_seq = 0;  // when it started waiting: lower is older
    bool evicting = false;
  };
  mutable std::mutex mu;
  std::map<std::uint64_t, Tracked> sessions;    // by id; guarded by mu
  std::map<std::string, size_t> per_remote;     // guarded by mu
  std::uint64_t next_id = 1;                    // guarded by mu
  std::uint64_t next_seq = 1;                   // guarded by mu
  HttpStats stats;                              // counters; guarded by mu (open is sessions.size())
  SteadyClock::time_point last_refusal_log{};   // guarded by mu
  std::uint64_t unlogged_evictions = 0, unlogged_refusals = 0;  // guarded by mu
  std::atomic<size_t> refusals_in_flight{0};

  void Accept();
  // Registers an admitted session; the id is its handle for the calls below.
  std::uint64_t Register(const std::shared_ptr<SessionBase>& s, const std::string& remote);
  void Unregister(std::uint64_t id);
  void SetWaiting(std::uint64_t id, bool waiting);
  void ObserveLatency(double seconds);
  // Under mu: the oldest waiting session of `remote` (or of any address if
  // empty, preferring the address holding the most), marked as evicting.
  std::shared_ptr<SessionBase> TakeVictimLocked(const std::string& remote);
  void Refuse(tcp::socket socket, bool address);
  void LogRefusalsLocked(SteadyClock::time_point now);
};

namespace {

// One connection. Stream is beast::tcp_stream or beast::ssl_stream<tcp_stream>.
template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<HttpServer::Impl> server, Stream stream, std::string remote)
      : server_(std::move(server)), stream_(std::move(stream)), remote_(std::move(remote)) {}
  ~Session() override {
    if (id_ != 0) server_->Unregister(id_);
  }

  void Run(std::uint64_t id) {
    id_ = id;
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Handshake(); });
  }

  void Evict() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

 private:
  beast::tcp_stream& Tcp() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      return stream_;
    } else {
      return beast::get_lowest_layer(stream_);
    }
  }

  void Handshake() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      DoRead();
    } else {
      Tcp().expires_after(server_->opt.read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code ec) {
                                if (ec) return self->Close();
                                self->DoRead();
                              });
    }
  }

  void DoRead() {
    server_->SetWaiting(id_, true);
    parser_.emplace();
    parser_->body_limit(server_->opt.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_->opt.header_limit));
    Tcp().expires_after(server_->opt.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(error_code ec) {
    server_->SetWaiting(id_, false);
    started_ = SteadyClock::now();
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::eof) {
      return Close();
    }
    if (ec) {
      int status = (ec == http::error::body_limit || ec == http::error::header_limit) ? 413 : 400;
      HttpResponse r;
      r.status = status;
      r.body = JsonError(status == 413 ? "REQUEST_TOO_LARGE" : "HTTP_MALFORMED",
                         status == 413 ? "request headers or body exceed the node's limits"
                                       : "the request is not valid HTTP/1.1");
      keep_alive_ = false;
      return Write(std::move(r));
    }
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    HttpRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    out.remote = remote_;
    std::string_view target(req.target().data(), req.target().size());
    auto q = target.find('?');
    auto path = UrlDecode(target.substr(0, q));
    if (!path.ok() || target.empty() || target[0] != '/') {
      HttpResponse r;
      r.status = 400;
      r.body = JsonError("URL_INVALID", "the request target is not a valid path");
      return Write(std::move(r));
    }
    out.path = *path;
    if (q != std::string_view::npos) {
      std::string_view rest = target.substr(q + 1);
      while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view kv = rest.substr(0, amp);
        auto eq = kv.find('=');
        auto k = UrlDecode(kv.substr(0, eq));
        auto v = UrlDecode(eq == std::string_view::npos ? "" : kv.substr(eq + 1));
        if (!k.ok() || !v.ok()) {
          HttpResponse r;
          r.status = 400;
          r.body = JsonError("URL_INVALID", "the query string is not valid");
          return Write(std::move(r));
        }
        out.query[*k] = *v;
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
      }
    }
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      // A repeated field is one comma-joined value (RFC 9110 5.3), so two
      // Authorization headers are one malformed credential, never "the last".
      auto [it, fresh] = out.headers.try_emplace(name, std::string(f.value()));
      if (!fresh) it->second.append(", ").append(f.value().data(), f.value().size());
    }
    out.body = std::move(req.body());
    version_ = req.version();
    // No read timeout while the handler works (long-polls set their own limit).
    Tcp().expires_never();
    auto self = this->shared_from_this();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    HttpResponder respond = [self, answered](HttpResponse r) {
      if (answered->exchange(true)) return;
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
    };
    server_->handler(std::move(out), std::move(respond));
  }

  void Write(HttpResponse r) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, "pledgerd");
    res->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(keep_alive_ && !server_->stopped);
    res->body() = std::move(r.body);
    res->prepare_payload();
    Tcp().expires_after(server_->opt.write_timeout);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](error_code ec, size_t) {
      self->server_->ObserveLatency(std::chrono::duration<double>(SteadyClock::now() - self->started_).count());
      if (ec || !res->keep_alive()) return self->Close();
      self->DoRead();
    });
  }

  void Close() {
    error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    Tcp().close();
  }

  std::shared_ptr<HttpServer::Impl> server_;
  Stream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::uint64_t id_ = 0;  // admission handle, set by Run
  SteadyClock::time_point started_{};
};

// The answer to a connection admission turned away: 503 with Retry-After,
// then close. On HTTPS it needs a handshake first, with a short deadline.
template <typename Stream>
class Refusal : public std::enable_shared_from_this<Refusal<Stream>> {
 public:
  Refusal(std::shared_ptr<HttpServer::Impl> server, Stream stream, std::string body)
      : server_(std::move(server)), stream_(std::move(stream)), body_(std::move(body)) {}
  ~Refusal() { --server_->refusals_in_flight; }

  void Run() {
    Tcp().expires_after(std::chrono::seconds(5));
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      Write();
    } else {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
        if (!ec) self->Write();
      });
    }
  }

 private:
  beast::tcp_stream& Tcp() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      return stream_;
    } else {
      return beast::get_lowest_layer(stream_);
    }
  }
  void Write() {
    res_.version(11);
    res_.result(http::status::service_unavailable);
    res_.set(http::field::server, "pledgerd");
    res_.set(http::field::content_type, "application/json");
    res_.set(http::field::retry_after, "1");
    res_.keep_alive(false);
    res_.body() = body_;
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = this->shared_from_this()](error_code, size_t) {
      error_code ignored;
      self->Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->Tcp().close();
    });
  }

  std::shared_ptr<HttpServer::Impl> server_;
  Stream stream_;
  std::string body_;
  http::response<http::string_body> res_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](error_code ec,
                                                                           tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) {
      error_code rec;
      auto ep = socket.remote_endpoint(rec);
      std::string remote = rec ? "?" : ep.address().to_string();
      // Admission: make room from waiting connections, or refuse.
      std::shared_ptr<SessionBase> victim;
      int refuse = 0;  // 1: full, 2: the address's share
      {
        std::lock_guard<std::mutex> lock(self->mu);
        const size_t total = self->sessions.size();
        const size_t mine = self->per_remote.count(remote) ? self->per_remote[remote] : 0;
        if (mine >= self->opt.max_connections_per_address) {
          victim = self->TakeVictimLocked(remote);
          if (!victim) refuse = 2;
        } else if (total >= self->opt.max_connections * 3 / 4) {
          victim = self->TakeVictimLocked("");
          if (!victim && total >= self->opt.max_connections) refuse = 1;
        }
        if (victim) {
          ++self->stats.evicted_waiting;
          ++self->unlogged_evictions;
        }
        if (refuse) {
          ++(refuse == 1 ? self->stats.refused_full : self->stats.refused_address);
          ++self->unlogged_refusals;
        }
        if (victim || refuse) self->LogRefusalsLocked(SteadyClock::now());
      }
      if (victim) victim->Evict();
      if (refuse) {
        self->Refuse(std::move(socket), refuse == 2);
      } else if (self->use_tls) {
        auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            self, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), self->tls_ctx),
            remote);
        s->Run(self->Register(s, remote));
      } else {
        auto s = std::make_shared<Session<beast::tcp_stream>>(self, beast::tcp_stream(std::move(socket)), remote);
        s->Run(self->Register(s, remote));
      }
    }
    self->Accept();
  });
}

std::uint64_t HttpServer::Impl::Register(const std::shared_ptr<SessionBase>& s, const std::string& remote) {
  std::lock_guard<std::mutex> lock(mu);
  const std::uint64_t id = next_id++;
  // Waiting from the start: a client that connects and never completes the
  // TLS handshake or sends a byte is as evictable as an idle keep-alive.
  sessions[id] = Tracked{s, remote, true, next_seq++, false};
  ++per_remote[remote];
  ++stats.accepted;
  return id;
}

void HttpServer::Impl::Unregister(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = sessions.find(id);
  if (it == sessions.end()) return;
  auto pr = per_remote.find(it->second.remote);
  if (pr != per_remote.end() && --pr->second == 0) per_remote.erase(pr);
  sessions.erase(it);
}

void HttpServer::Impl::SetWaiting(std::uint64_t id, bool waiting) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = sessions.find(id);
  if (it == sessions.end()) return;
  it->second.waiting = waiting;
  if (waiting) it->second.waiting_seq = next_seq++;
}

void HttpServer::Impl::ObserveLatency(double seconds) {
  std::lock_guard<std::mutex> lock(mu);
  ++stats.requests;
  stats.latency_sum_s += seconds;
  size_t i = 0;
  for (; i < std::size(HttpStats::kLatencyBounds); ++i) {
    if (seconds <= HttpStats::kLatencyBounds[i]) break;
  }
  // Cumulative buckets: this request counts in its bound and every larger one.
  for (size_t j = i; j < std::size(stats.latency_buckets); ++j) ++stats.latency_buckets[j];
}

std::shared_ptr<SessionBase> HttpServer::Impl::TakeVictimLocked(const std::string& remote) {
  std::string from = remote;
  if (from.empty()) {
    // The address holding the most connections gives first.
    size_t most = 0;
    for (const auto& [addr, n] : per_remote) {
      if (n > most) most = n, from = addr;
    }
  }
  for (int pass = 0; pass < 2; ++pass) {
    std::map<std::uint64_t, Tracked>::iterator best = sessions.end();
    for (auto it = sessions.begin(); it != sessions.end(); ++it) {
      const Tracked& t = it->second;
      if (!t.waiting || t.evicting || (pass == 0 && t.remote != from)) continue;
      if (best == sessions.end() || t.waiting_seq < best->second.waiting_seq) best = it;
    }
    if (best != sessions.end()) {
      auto s = best->second.session.lock();
      if (s) {
        best->second.evicting = true;
        return s;
      }
    }
    if (!remote.empty()) break;  // an address over its share only gives its own
  }
  return nullptr;
}

void HttpServer::Impl::Refuse(tcp::socket socket, bool address) {
  if (refusals_in_flight.fetch_add(1) >= limits::kHttpRefusalsInFlightMax) {
    --refusals_in_flight;
    std::lock_guard<std::mutex> lock(mu);
    ++stats.dropped;
    error_code ignored;
    socket.close(ignored);
    return;
  }
  std::string body = JsonError("NODE_BUSY", address ? "this address holds as many busy connections as the node "
                                                      "gives one client; retry after Retry-After seconds"
                                                    : "every connection is busy; retry after Retry-After seconds");
  if (use_tls) {
    std::make_shared<Refusal<beast::ssl_stream<beast::tcp_stream>>>(
        shared_from_this(), beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), tls_ctx),
        std::move(body))
        ->Run();
  } else {
    std::make_shared<Refusal<beast::tcp_stream>>(shared_from_this(), beast::tcp_stream(std::move(socket)),
                                                 std::move(body))
        ->Run();
  }
}

void HttpServer::Impl::LogRefusalsLocked(SteadyClock::time_point now) {
  if (last_refusal_log != SteadyClock::time_point{} &&
      now - last_refusal_log < std::chrono::milliseconds(limits::kHttpRefusalLogIntervalMs)) {
    return;
  }
  last_refusal_log = now;
  PLOG(kWarn, "http") << "connections under pressure: " << unlogged_evictions
                      << " waiting connections closed to make room and " << unlogged_refusals
                      << " new ones refused with 503 since the last such line; " << sessions.size()
                      << " open (cap " << opt.max_connections << ", " << opt.max_connections_per_address
                      << " per address)";
  unlogged_evictions = 0;
  unlogged_refusals = 0;
}

HttpServer::HttpServer(asio::io_context& io, HttpOptions options, HttpHandler handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  error_code ec;
  if (!impl_->opt.tls_cert_file.empty() || !impl_->opt.tls_key_file.empty()) {
    impl_->use_tls = true;
    auto& ctx = impl_->tls_ctx;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                    ec);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (!ec) ctx.use_certificate_chain_file(impl_->opt.tls_cert_file, ec);
    if (!ec) ctx.use_private_key_file(impl_->opt.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument("TLS_CONFIG_INVALID",
                                     "cannot load the API certificate or key: " + ec.message());
    }
  }
  auto addr = asio::ip::make_address(impl_->opt.host, ec);
  if (ec) {
    return Status::InvalidArgument("LISTEN_FAILED",
                                   "API listen host '" + impl_->opt.host + "' is not an IP address");
  }
  tcp::endpoint ep(addr, impl_->opt.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("LISTEN_FAILED", "cannot listen for HTTP on " + impl_->opt.host +
                                                    ":" + std::to_string(impl_->opt.port) + ": " +
                                                    ec.message());
  }
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] { impl->Accept(); });
  return Status::OK();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

HttpStats HttpServer::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  HttpStats s = impl_->stats;
  s.open = impl_->sessions.size();
  return s;
}
bool HttpServer::tls() const { return impl_->use_tls; }

Status HttpServer::ReloadCertificate(const std::string& cert_file, const std::string& key_file) {
  if (!impl_->use_tls) return Status::OK();
  {
    // A trial load, so a bad pair never reaches the serving context.
    ssl::context trial(ssl::context::tls_server);
    error_code ec;
    trial.use_certificate_chain_file(cert_file, ec);
    if (!ec) trial.use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec || SSL_CTX_check_private_key(trial.native_handle()) != 1) {
      return Status::InvalidArgument("TLS_CONFIG_INVALID", "cannot load the API certificate " + cert_file +
                                                               " with key " + key_file +
                                                               (ec ? ": " + ec.message() : ": they do not match"));
    }
  }
  // Sessions copy the certificate from the context when they are made, so
  // changing it on the accepting thread touches no open connection.
  asio::post(impl_->acceptor.get_executor(), [impl = impl_, cert_file, key_file] {
    SSL_CTX* ctx = impl->tls_ctx.native_handle();
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      PLOG(kError, "http") << "reloading the API certificate " << cert_file << " failed after a successful trial load";
    }
  });
  return Status::OK();
}

void HttpServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    error_code ec;
    impl->acceptor.close(ec);
  });
}

}  // namespace pledger::node
