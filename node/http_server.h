// HttpServer: a small HTTP/1.1 server on Boost.Beast, plain or TLS.
//
// Every connection has its own strand and owns itself through
// shared_from_this; one request is handled at a time per connection
// (keep-alive, no pipelining). Inputs are bounded: header and body limits,
// a read timeout (a client that dribbles bytes is cut off), a cap on
// concurrent connections. Malformed HTTP gets a 400 and the connection closes.
//
// Admission, so that no client can lock the others out by holding
// connections: a connection is "waiting" from the moment it may send a
// request until one is parsed (an idle keep-alive, a slow or silent client),
// and "busy" while its request is handled and answered. A new connection is
// always admitted while a waiting one can make room: past 3/4 of the cap, or
// past its address's share, the oldest waiting connection of the address
// holding the most (or of its own address) is closed. Only when every
// connection in the way is busy is the new one answered 503 with
// Retry-After and closed. Refusals are logged at most once per interval
// with counts; Stats() has the figures.
//
// The handler receives the parsed request and a Responder. It may answer at
// once or later from any thread (long-polling "wait for commit"); the
// Responder posts back to the connection's strand. Calling it more than once
// is ignored. If the connection is gone by then, the answer is dropped.
// A Responder owns its connection (socket and all), so every copy must be
// destroyed before the io_context is: a copy that outlives it closes its
// socket in a reactor that no longer exists (use after free; issue 17 found
// a test thread doing exactly that).
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
  size_t max_connections_per_address = limits::kHttpConnectionsPerAddressMax;
};

// What the server did with connections and requests, for /metrics.
struct HttpStats {
  std::uint64_t open = 0;              // connections now
  std::uint64_t accepted = 0;          // connections admitted, in total
  std::uint64_t evicted_waiting = 0;   // closed while waiting for a request, to make room
  std::uint64_t refused_full = 0;      // 503: every connection busy with a request
  std::uint64_t refused_address = 0;   // 503: the address's share is busy
  std::uint64_t dropped = 0;           // closed unanswered: too many refusals in flight
  // Request latency (parsed request to response written) as a histogram:
  // counts per upper bound in seconds (kLatencyBounds), then +Inf.
  static constexpr double kLatencyBounds[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0};
  std::uint64_t latency_buckets[9] = {};  // cumulative as Prometheus wants them
  double latency_sum_s = 0;
  std::uint64_t requests = 0;
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
  HttpStats Stats() const;
  void Stop();

  struct Impl;  // implementation detail (public only so connection code can name it)

 private:
  std::shared_ptr<Impl> impl_;
};

// Percent-decoding for paths and query values. Reason: URL_INVALID.
Result<std::string> UrlDecode(std::string_view in);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_HTTP_SERVER_H_
