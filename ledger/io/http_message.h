// An HTTP request and response as plain values: what node/http_server.h hands
// to the API's handlers and what ledger/io/http_client.h returns to the tools.
// They live here, below both, so a client never includes the server.
#ifndef PLEDGER_LEDGER_IO_HTTP_MESSAGE_H_
#define PLEDGER_LEDGER_IO_HTTP_MESSAGE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pledger::io {

struct HttpRequest {
  std::string method;   // GET, POST, ...
  std::string target;   // as sent, e.g. /v1/txs/ab12?wait=5000
  std::string path;     // target without the query, percent-decoded
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string remote;   // peer IP
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_HTTP_MESSAGE_H_
