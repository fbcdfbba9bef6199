#include "ledger/io/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "ledger/io/clock.h"
#include "ledger/io/request_auth.h"

namespace pledger::io {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

Status Unreachable(const Url& u, std::string_view what, const error_code& ec) {
  return Status::Unavailable("NODE_UNREACHABLE",
                             std::string(what) + " " + (u.tls ? "https://" : "http://") + u.host +
                                 ":" + std::to_string(u.port) + ": " + ec.message() +
                                 "; check the node URL and that the node is running");
}

}  // namespace

Result<Url> ParseUrl(const std::string& url) {
  Url u;
  std::string_view rest(url);
  if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else if (rest.substr(0, 8) == "https://") {
    u.tls = true;
    rest.remove_prefix(8);
  } else {
    return Status::InvalidArgument("URL_INVALID",
                                   "node URL '" + url + "' must start with http:// or https://");
  }
  auto slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    u.base_path = std::string(rest.substr(slash));
    while (!u.base_path.empty() && u.base_path.back() == '/') u.base_path.pop_back();
  }
  auto colon = hostport.rfind(':');
  if (colon == std::string_view::npos) {
    u.host = std::string(hostport);
    u.port = u.tls ? 443 : 80;
  } else {
    u.host = std::string(hostport.substr(0, colon));
    std::string p(hostport.substr(colon + 1));
    char* end = nullptr;
    long port = std::strtol(p.c_str(), &end, 10);
    if (p.empty() || *end != '\0' || port <= 0 || port > 65535) {
      return Status::InvalidArgument("URL_INVALID", "node URL '" + url + "' has a bad port");
    }
    u.port = static_cast<std::uint16_t>(port);
  }
  if (u.host.empty()) return Status::InvalidArgument("URL_INVALID", "node URL '" + url + "' has no host");
  return u;
}

struct HttpClient::Impl {
  explicit Impl(HttpClientOptions o) : opt(std::move(o)), ctx(ssl::context::tls_client) {}
  HttpClientOptions opt;
  asio::io_context io;
  ssl::context ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  bool connected = false;

  beast::tcp_stream& Tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  void Reset() {
    if (secure) beast::get_lowest_layer(*secure).close();
    if (plain) plain->close();
    secure.reset();
    plain.reset();
    connected = false;
  }

  // Runs queued async work until done (or the stream's deadline fires).
  void Run() {
    io.restart();
    io.run();
  }

  Status Connect(const Url& u, std::chrono::milliseconds timeout) {
    Reset();
    error_code ec;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(u.host, std::to_string(u.port), ec);
    if (ec) return Unreachable(u, "cannot resolve", ec);
    if (u.tls) {
      secure.emplace(beast::tcp_stream(io), ctx);
      if (!SSL_set_tlsext_host_name(secure->native_handle(), u.host.c_str())) {
        return Status::Internal("TLS_SNI", "cannot set TLS server name");
      }
      secure->set_verify_callback(ssl::host_name_verification(u.host));
    } else {
      plain.emplace(io);
    }
    Tcp().expires_after(timeout);
    Tcp().async_connect(results, [&](error_code e, const tcp::endpoint&) { ec = e; });
    Run();
    if (ec) return Unreachable(u, "cannot connect to", ec);
    if (secure) {
      secure->async_handshake(ssl::stream_base::client, [&](error_code e) { ec = e; });
      Run();
      if (ec) return Unreachable(u, "TLS handshake failed with", ec);
    }
    connected = true;
    return Status::OK();
  }

  template <typename Stream>
  Result<HttpResponse> Exchange(Stream& stream, const Url& u, http::request<http::string_body>& req,
                                std::chrono::milliseconds timeout, bool* retryable) {
    error_code ec;
    Tcp().expires_after(timeout);
    http::async_write(stream, req, [&](error_code e, size_t) { ec = e; });
    Run();
    if (ec) {
      *retryable = true;
      return Unreachable(u, "cannot send to", ec);
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(opt.response_limit);
    http::async_read(stream, buffer, parser, [&](error_code e, size_t) { ec = e; });
    Run();
    if (ec) {
      *retryable = ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                   ec == asio::error::eof;
      return Unreachable(u, "no answer from", ec);
    }
    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(res.body());
    if (!res.keep_alive()) Reset();
    return out;
  }
};

HttpClient::HttpClient(Url url, HttpClientOptions options)
    : url_(std::move(url)), impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& url,
                                                       HttpClientOptions options) {
  PLEDGER_ASSIGN_OR_RETURN(Url u, ParseUrl(url));
  std::unique_ptr<HttpClient> c(new HttpClient(u, std::move(options)));
  if (u.tls) {
    error_code ec;
    c->impl_->ctx.set_verify_mode(ssl::verify_peer, ec);
    if (c->impl_->opt.ca_file.empty()) {
      return Status::InvalidArgument("TLS_CONFIG_INVALID",
                                     "an https:// node URL needs the consortium CA certificate "
                                     "(--ca FILE or the profile's ca_file)");
    }
    c->impl_->ctx.load_verify_file(c->impl_->opt.ca_file, ec);
    if (ec) {
      return Status::InvalidArgument("TLS_CONFIG_INVALID", "cannot load CA certificate " +
                                                               c->impl_->opt.ca_file + ": " +
                                                               ec.message());
    }
  }
  return c;
}

Result<HttpResponse> HttpClient::Request(const std::string& method, const std::string& target,
                                         const std::string& body,
                                         const std::vector<std::pair<std::string, std::string>>& headers,
                                         std::chrono::milliseconds timeout) {
  if (timeout.count() == 0) timeout = impl_->opt.timeout;
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(url_.base_path + target);
  req.version(11);
  req.set(http::field::host, url_.host);
  req.set(http::field::user_agent, "pledger-client");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  const RequestCredentials& cred = impl_->opt.credentials;
  if (!cred.key && !cred.bearer_token.empty()) {
    req.set(http::field::authorization, std::string(kBearerAuthScheme) + " " + cred.bearer_token);
  }
  // One retry on a fresh connection if a kept-alive one turned out stale.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (cred.key) {
      // Signed per attempt: the node refuses a nonce it has seen, and the
      // first attempt may have reached it.
      // The wall clock the node judges the window on (node.cc: io::SystemClock).
      const std::uint64_t now_ms = SystemClock().NowMs();
      PLEDGER_ASSIGN_OR_RETURN(std::string auth,
                               SignRequestHeader(*cred.key, cred.chain_id, method, url_.base_path + target, body,
                                                 now_ms, RandomRequestNonce()));
      req.set(http::field::authorization, auth);
    }
    bool reused = impl_->connected;
    if (!impl_->connected) PLEDGER_RETURN_IF_ERROR(impl_->Connect(url_, timeout));
    bool retryable = false;
    Result<HttpResponse> r =
        impl_->secure ? impl_->Exchange(*impl_->secure, url_, req, timeout, &retryable)
                      : impl_->Exchange(*impl_->plain, url_, req, timeout, &retryable);
    if (r.ok()) return r;
    impl_->Reset();
    if (!(reused && retryable)) return r;
  }
  return Status::Unavailable("NODE_UNREACHABLE", "connection to the node keeps closing");
}

void HttpClient::SetCredentials(RequestCredentials credentials) { impl_->opt.credentials = std::move(credentials); }

}  // namespace pledger::io
