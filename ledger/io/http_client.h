// HttpClient: a small blocking HTTP/1.1 client (plain or HTTPS) for the tools
// and tests: pledger-wallet, pledger-audit, pledger-bench.
//
// Keeps one connection open and reconnects when the server closed it. Every
// request has a deadline (connect + write + read); a node that does not answer
// in time gives NODE_UNREACHABLE rather than a hang. For HTTPS the server
// certificate must chain to the given CA file (the consortium CA) and match
// the host name.
//
// Thread safety: one HttpClient per thread.
#ifndef PLEDGER_LEDGER_IO_HTTP_CLIENT_H_
#define PLEDGER_LEDGER_IO_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "ledger/io/http_message.h"

namespace pledger::io {

struct Url {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string base_path;  // "" or "/prefix"
};
// Parses http://host:port[/path] or https://... Reason: URL_INVALID.
Result<Url> ParseUrl(const std::string& url);

struct HttpClientOptions {
  std::string ca_file;  // required for https
  std::chrono::milliseconds timeout{30000};
  size_t response_limit = 64 << 20;
};

class HttpClient {
 public:
  // Reasons: URL_INVALID, TLS_CONFIG_INVALID.
  static Result<std::unique_ptr<HttpClient>> Create(const std::string& url,
                                                    HttpClientOptions options = {});
  ~HttpClient();

  // Sends one request. Transport failures: NODE_UNREACHABLE (connect, TLS,
  // timeout, closed). HTTP error statuses are not errors: check .status.
  Result<HttpResponse> Request(const std::string& method, const std::string& target,
                               const std::string& body = "",
                               const std::vector<std::pair<std::string, std::string>>& headers = {},
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  Result<HttpResponse> Get(const std::string& target) { return Request("GET", target); }
  Result<HttpResponse> Post(const std::string& target, const std::string& body) {
    return Request("POST", target, body, {{"Content-Type", "application/json"}});
  }
  const Url& url() const { return url_; }

 private:
  struct Impl;
  HttpClient(Url url, HttpClientOptions options);
  Url url_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_HTTP_CLIENT_H_
