// HttpServer: a small HTTP/1.1 server on Boost.Beast, plain or TLS.
//
// Every connection has its own strand and owns itself through
// shared_from_this; one request is handled at a time per connection
// (keep-alive, no pipelining). Inputs are bounded: header and body limits,
// a read timeout (a client that dribbles bytes is cut off), a cap on
// concurrent connections. Malformed HTTP gets a 400 and the connection closes.
//
// The handler receives the parsed request and a Responder. It may answer at
// once or later from any thread (long-polling "wait for commit"); the
// Responder posts back to the connection's strand. Calling it more than once
// is ignored. If the connection is gone by then, the answer is dropped.
//
// Threading: run the io_context from one or more threads; handlers run on
// connection strands, so a handler must be quick or hand work elsewhere.
#ifndef PLEDGER_NODE_HTTP_SERVER_H_
#define PLEDGER_NODE_HTTP_SERVER_H_

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "ledger/io/http_message.h"
#include "node/limits.h"

namespace pledger::node {

struct HttpOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = pick a free port
  // TLS: serve HTTPS when both are set.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Defaults and their reasons: node/limits.h.
  size_t body_limit = limits::kHttpBodyBytesMax;
  size_t header_limit = limits::kHttpHeaderBytesMax;
  std::chrono::milliseconds read_timeout{limits::kHttpReadTimeoutMs};
  std::chrono::milliseconds write_timeout{limits::kHttpWriteTimeoutMs};
  size_t max_connections = limits::kHttpConnectionsMax;
};

using io::HttpRequest;
using io::HttpResponse;

using HttpResponder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest, HttpResponder)>;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Reasons: LISTEN_FAILED, TLS_CONFIG_INVALID.
  Status Start();
  std::uint16_t port() const;
  bool tls() const;
  // Serves new connections with this certificate chain and key (a renewal or
  // a key rotation); open connections keep theirs. Checked before anything
  // changes. Reason: TLS_CONFIG_INVALID. No-op without TLS.
  Status ReloadCertificate(const std::string& cert_file, const std::string& key_file);
  void Stop();

  struct Impl;  // implementation detail (public only so connection code can name it)

 private:
  std::shared_ptr<Impl> impl_;
};

// Percent-decoding for paths and query values. Reason: URL_INVALID.
Result<std::string> UrlDecode(std::string_view in);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_HTTP_SERVER_H_
