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
#include "ledger/crypto.h"
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

// Who the client reads as (docs/api.md "Access"). With `key` set, every
// request carries a fresh Pledger-Ed25519 signature over the target as sent
// (base path included), the body, the chain id, the clock and a random nonce;
// a retry on a new connection is signed afresh, so it is never a replay. With
// `bearer_token` set instead, every request carries that token. Neither: the
// client is anonymous and the node answers with the public (gazette) view.
struct RequestCredentials {
  std::string chain_id;                                // required with `key`
  std::shared_ptr<const ledger::SecretKey> key;        // shared with the caller; never printed
  std::string bearer_token;
};

struct HttpClientOptions {
  std::string ca_file;  // required for https
  RequestCredentials credentials;
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
  // Replaces the credentials for the following requests (e.g. a token obtained
  // with a signed request). Not while a request runs.
  void SetCredentials(RequestCredentials credentials);

 private:
  struct Impl;
  HttpClient(Url url, HttpClientOptions options);
  Url url_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_HTTP_CLIENT_H_
