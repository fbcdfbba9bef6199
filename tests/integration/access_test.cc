// Access control on a real 3-node cluster (node/api/access.h is the policy):
// every route of the API table (node/api/routes.cc, walked here, so a route
// added without a row below fails this test) read by every kind of reader —
// anonymous, the registrar, an auditor, a regulator, the pledgee bank (by
// signature and by token), another bank, the owner, the appraiser, a trustee,
// an investor, a suspended account (by signature and by a token it obtained
// before its suspension), and a valid key signing for another chain — with
// the status, the error code of a refusal and, for scoped answers, which
// fields are there and which are withheld and named in "redacted". Then
// hostile requests (tampered, stale, replayed, oversized and doubled
// Authorization headers; suspended, foreign-chain and altered tokens), each
// followed by a check that the node still serves; a token used on another
// node than its issuer; and a node configured with "api_anonymous_reads":
// false. Label `integration`. Needs build/bin/pledgerd.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "contracts/dates.h"
#include "contracts/engine.h"
#include "contracts/proto/history.pb.h"
#include "ledger/bytes.h"
#include "ledger/io/clock.h"
#include "ledger/io/files.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "ledger/io/proto/config.pb.h"
#include "ledger/io/request_auth.h"
#include "ledger/tx.h"
#include "node/api/routes.h"
#include "node/auth/token.h"
#include "tests/integration/cluster.h"
#include "tools/common/workload.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;
using google::protobuf::Value;

#define CLUSTER_REQUIRE(c, cond) \
  do {                           \
    if (!(cond)) (c).DumpLogs(); \
    REQUIRE(cond);               \
  } while (0)

constexpr const char* kOtherChain = "pledger-elsewhere";
// The node that refuses anonymous readers ("api_anonymous_reads": false).
constexpr int kClosedNode = 2;

// ---------------------------------------------------------------------------
// JSON answers, read generically (google.protobuf.Value).

std::optional<Value> ParseJson(const std::string& body) {
  Value v;
  if (!google::protobuf::util::JsonStringToMessage(body, &v).ok()) return std::nullopt;
  return v;
}

// "a.b[0].c": nullptr when any step is missing.
const Value* At(const Value& root, std::string_view path) {
  const Value* v = &root;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view seg = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    std::optional<size_t> index;
    if (size_t br = seg.find('['); br != std::string_view::npos) {
      index = std::stoul(std::string(seg.substr(br + 1, seg.find(']') - br - 1)));
      seg = seg.substr(0, br);
    }
    if (!v->has_struct_value()) return nullptr;
    const auto& fields = v->struct_value().fields();
    auto it = fields.find(std::string(seg));
    if (it == fields.end()) return nullptr;
    v = &it->second;
    if (index) {
      if (!v->has_list_value() || static_cast<size_t>(v->list_value().values_size()) <= *index) return nullptr;
      v = &v->list_value().values(static_cast<int>(*index));
    }
  }
  return v;
}

std::string Text(const Value* v) {
  if (v == nullptr) return "<absent>";
  switch (v->kind_case()) {
    case Value::kStringValue: return v->string_value();
    case Value::kBoolValue: return v->bool_value() ? "true" : "false";
    case Value::kNumberValue: {
      std::ostringstream s;
      s.precision(17);
      s << v->number_value();
      return s.str();
    }
    case Value::kNullValue: return "null";
    default: {
      std::string out;
      (void)google::protobuf::util::MessageToJsonString(*v, &out);
      return out;
    }
  }
}

std::set<std::string> RedactedOf(const Value& root) {
  std::set<std::string> out;
  if (const Value* r = At(root, "redacted"); r && r->has_list_value()) {
    for (const auto& e : r->list_value().values()) out.insert(e.string_value());
  }
  return out;
}

std::string Header(const io::HttpResponse& r, std::string name) {
  auto lower = [](std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  name = lower(name);
  for (const auto& [k, v] : r.headers) {
    if (lower(k) == name) return v;
  }
  return "";
}

// ---------------------------------------------------------------------------
// Raw HTTP, for what io::HttpClient will not send (two Authorization headers;
// a 16 KiB one): one request on a fresh connection, "Connection: close".

struct RawAnswer {
  std::string error;  // transport failure, else ""
  io::HttpResponse response;
};

RawAnswer RawHttp(std::uint16_t port, const std::string& method, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers) {
  RawAnswer out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    out.error = "socket";
    return out;
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    out.error = "connect";
    return out;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close before reading it all
    sent += static_cast<size_t>(n);
  }
  std::string in;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t head_end = in.find("\r\n\r\n");
  if (in.compare(0, 9, "HTTP/1.1 ") != 0 || head_end == std::string::npos) {
    out.error = in.empty() ? "no answer (connection closed or reset)" : "not HTTP: " + in.substr(0, 80);
    return out;
  }
  out.response.status = std::stoi(in.substr(9, 3));
  std::istringstream lines(in.substr(0, head_end));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    out.response.headers.emplace_back(line.substr(0, colon), v);
  }
  out.response.body = in.substr(head_end + 4);
  return out;
}

std::uint16_t PortOf(TestCluster& c, int i) {
  auto url = io::ParseUrl(c.ApiUrl(i));
  REQUIRE(url.ok());
  return url->port;
}

std::string SignedHeader(const ledger::SecretKey& key, const std::string& chain, const std::string& method,
                         const std::string& target, std::uint64_t now_ms) {
  auto h = io::SignRequestHeader(key, chain, method, target, "", now_ms, io::RandomRequestNonce());
  REQUIRE(h.ok());
  return *h;
}

std::uint64_t NowMs() { return io::SystemClock().NowMs(); }

std::string ErrorCode(const io::HttpResponse& r) {
  auto v = ParseJson(r.body);
  return v ? Text(At(*v, "error.code")) : "<not JSON: " + r.body.substr(0, 80) + ">";
}

// ---------------------------------------------------------------------------
// Putting records on chain.

std::uint64_t Expiry(TestCluster& c) {
  auto s = c.Status(0);
  return (s.ok() ? s->height() : 0) + 1000;
}

// Submits through node 0 and waits for the receipt; returns its height.
std::uint64_t Commit(TestCluster& c, const std::string& what, const std::string& raw) {
  auto r = c.Client(0).Request("POST", "/v1/txs?wait=15000", raw, {{"Content-Type", "application/x-protobuf"}}, 20s);
  INFO(what << ": " << (r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString()));
  CLUSTER_REQUIRE(c, r.ok());
  CLUSTER_REQUIRE(c, r->status == 200);
  api::SubmitResponse s;
  REQUIRE(io::ApiJsonToMessage(r->body, &s, "submit answer").ok());
  REQUIRE(s.status() == "COMMITTED");
  REQUIRE(s.tx().receipt_code() == "OK");
  return s.tx().height();
}

std::string SignedTx(TestCluster& c, const std::function<void(contracts::Action*)>& fill,
                     std::initializer_list<const char*> signers, ledger::Hash256* id = nullptr) {
  static std::uint64_t nonce = 0;
  ledger::TxBody b;
  b.set_chain_id(c.chain_id());
  b.set_nonce(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) + ++nonce);
  b.set_expiry_height(Expiry(c));
  fill(b.mutable_action());
  ledger::Transaction tx = ledger::MakeTransaction(b);
  for (const char* s : signers) ledger::SignTransaction(&tx, c.Account(s));
  if (id) *id = ledger::TxId(tx);
  return tx.SerializeAsString();
}

std::string KeyHex(const ledger::SecretKey& k) { return ledger::HexEncode(ledger::ByteSpan(k.public_key())); }

// ---------------------------------------------------------------------------
// Every answer of the matrix, kept for tools/openapi/check_answers.py, which
// validates them against docs/openapi.yaml: NNNN.meta holds "METHOD PATH
// STATUS CONTENT-TYPE" (PATH the route's pattern as docs/openapi.yaml writes
// it), NNNN.body the body as received.
class AnswerLog {
 public:
  void Save(const std::string& route_id, const std::string& method, const io::HttpResponse& r) {
    std::string pattern;
    for (const auto& route : node::ApiRoutes()) {
      if (route.id == route_id) pattern = std::string(route.pattern);
    }
    if (size_t at = pattern.find("...}"); at != std::string::npos) pattern.erase(at, 3);
    char name[16];
    std::snprintf(name, sizeof name, "%04d", n_++);
    REQUIRE(io::WriteFileAtomic(dir_.Sub(std::string(name) + ".meta"),
                                method + " " + pattern + " " + std::to_string(r.status) + " " + r.content_type + "\n",
                                0644)
                .ok());
    REQUIRE(io::WriteFileAtomic(dir_.Sub(std::string(name) + ".body"), r.body, 0644).ok());
  }
  // Runs the validator; its report goes to stdout. True when every answer
  // matches its route's documented response.
  bool Validate() const {
    const std::string cmd = std::string(PLEDGER_PYTHON3) + " " + std::string(PLEDGER_SOURCE_DIR) + "/tools/openapi/check_answers.py " +
                            std::string(PLEDGER_SOURCE_DIR) + "/docs/openapi.yaml " + dir_.path() + " 2>&1";
    std::fflush(stdout);
    return std::system(cmd.c_str()) == 0;
  }
  int size() const { return n_; }

 private:
  test::TempDir dir_;
  int n_ = 0;
};

// ---------------------------------------------------------------------------
// The matrix.

struct ReaderSpec {
  std::string name;     // column
  std::string org;      // "" for anonymous
  bool anonymous = false;
  bool full = false;    // IP office, auditor, regulator
  bool token = false;   // reads with a bearer token
  std::string refused;  // every request is 401 with this code (bad credentials)
  std::unique_ptr<io::HttpClient> client;
  bool Is(const std::string& o) const { return !anonymous && org == o; }
};

struct Expect {
  int status = 200;
  std::string code;  // error.code of a refusal
  enum class View { kAny, kWhole, kGazette } view = View::kAny;
  std::vector<std::string> present;           // JSON paths that must exist
  std::vector<std::string> absent;            // JSON paths that must not
  std::vector<std::string> redacted;          // must be named in "redacted"
  std::map<std::string, std::string> equals;  // path -> text
  std::function<void(const Value&, std::vector<std::string>*)> check;  // anything else
  std::vector<std::string> body_lacks;        // substrings the answer must not contain
  bool json = true;
};

Expect Status200() { return Expect{}; }
Expect Plain200() {
  Expect e;
  e.json = false;
  return e;
}
Expect Whole(std::vector<std::string> present = {}) {
  Expect e;
  e.view = Expect::View::kWhole;
  e.present = std::move(present);
  return e;
}
Expect Gazette(std::vector<std::string> redacted, std::vector<std::string> absent, std::vector<std::string> present) {
  Expect e;
  e.view = Expect::View::kGazette;
  e.redacted = std::move(redacted);
  e.absent = std::move(absent);
  e.present = std::move(present);
  return e;
}
Expect Error(int status, std::string code) {
  Expect e;
  e.status = status;
  e.code = std::move(code);
  return e;
}
// A record the reader may not see at all.
Expect Refused(const ReaderSpec& r) {
  return r.anonymous ? Error(401, "AUTH_MISSING") : Error(403, "READ_FORBIDDEN");
}
Expect With(Expect e, std::map<std::string, std::string> equals) {
  for (auto& [k, v] : equals) e.equals[k] = v;
  return e;
}

struct Probe {
  std::string route;  // route id it must reach
  std::string label;  // short, for the summary
  std::string method = "GET";
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::function<Expect(const ReaderSpec&)> expect;
};

// What went wrong with one answer, "" if nothing.
std::string Judge(const Expect& e, const io::HttpResponse& r) {
  std::vector<std::string> why;
  if (r.status != e.status) why.push_back("status " + std::to_string(r.status) + ", expected " + std::to_string(e.status));
  if (r.status == 401 && Header(r, "WWW-Authenticate").empty()) why.push_back("401 without WWW-Authenticate");
  if (r.status == e.status && !e.code.empty()) {
    std::string got = ErrorCode(r);
    if (got != e.code) why.push_back("error code " + got + ", expected " + e.code);
  }
  for (const auto& text : e.body_lacks) {
    if (r.body.find(text) != std::string::npos) why.push_back("the answer contains \"" + text + "\"");
  }
  if (r.status == e.status && e.status == 200 && e.json) {
    auto v = ParseJson(r.body);
    if (!v) {
      why.push_back("body is not JSON");
    } else {
      const bool gazette = At(*v, "redacted") != nullptr;
      if (e.view == Expect::View::kWhole && gazette) {
        why.push_back("expected the whole record, got view " + Text(At(*v, "view")) + " redacted " +
                      Text(At(*v, "redacted")));
      }
      if (e.view == Expect::View::kGazette && (!gazette || Text(At(*v, "view")) != "gazette")) {
        why.push_back("expected the gazette view with \"redacted\", got the whole record");
      }
      std::set<std::string> red = RedactedOf(*v);
      for (const auto& p : e.redacted) {
        if (!red.count(p)) why.push_back("\"" + p + "\" not named in redacted " + Text(At(*v, "redacted")));
      }
      for (const auto& p : e.present) {
        if (!At(*v, p)) why.push_back(p + " absent");
      }
      for (const auto& p : e.absent) {
        if (At(*v, p)) why.push_back(p + " present (" + Text(At(*v, p)) + ") but must be withheld");
      }
      for (const auto& [p, want] : e.equals) {
        if (Text(At(*v, p)) != want) why.push_back(p + " = " + Text(At(*v, p)) + ", expected " + want);
      }
      if (e.check) e.check(*v, &why);
    }
  }
  std::string out;
  for (const auto& w : why) out += (out.empty() ? "" : "; ") + w;
  return out;
}

// "200", "200g" (gazette view), "401", ... for the summary grid.
std::string Short(const io::HttpResponse& r) {
  std::string s = std::to_string(r.status);
  if (r.status == 200 && r.body.find("\"redacted\":[") != std::string::npos) s += "g";
  return s;
}

// The route the dispatcher picks for method + target (first match in table order).
std::string RouteOf(const std::string& method, const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  for (const auto& route : node::ApiRoutes()) {
    if (route.method == method && node::MatchRoute(route.pattern, path, nullptr)) return std::string(route.id);
  }
  return "";
}

const std::set<std::string> kGazetted = {"patent_register", "pledge_register", "pool_create", "account_suspend"};

// History pages: a party (and full readers) see every entry whole; others
// every entry, with the action and code only of gazetted actions.
std::function<Expect(const ReaderSpec&)> HistoryExpect(std::function<bool(const ReaderSpec&)> party,
                                                       const contracts::HistoryPage& whole) {
  bool any_hidden = false;
  for (const auto& e : whole.entries()) any_hidden = any_hidden || !kGazetted.count(e.action());
  return [party, whole, any_hidden](const ReaderSpec& r) {
    Expect e;
    if (party(r)) {
      e = Whole({"entries[0].action"});
      e.check = [whole](const Value& v, std::vector<std::string>* why) {
        for (int k = 0; k < whole.entries_size(); ++k) {
          std::string got = Text(At(v, "entries[" + std::to_string(k) + "].action"));
          if (got != whole.entries(k).action()) why->push_back("entry " + std::to_string(k) + " action " + got);
        }
      };
      return e;
    }
    e = any_hidden ? Gazette({"entries[].action", "entries[].code"}, {}, {}) : Whole();
    e.check = [whole](const Value& v, std::vector<std::string>* why) {
      const Value* list = At(v, "entries");
      int n = list && list->has_list_value() ? list->list_value().values_size() : 0;
      if (n != whole.entries_size()) {
        why->push_back(std::to_string(n) + " entries, the whole history has " + std::to_string(whole.entries_size()));
        return;
      }
      for (int k = 0; k < n; ++k) {
        const std::string at = "entries[" + std::to_string(k) + "]";
        const std::string& action = whole.entries(k).action();
        if (Text(At(v, at + ".tx_id")) != whole.entries(k).tx_id()) why->push_back(at + ".tx_id differs");
        if (kGazetted.count(action)) {
          if (Text(At(v, at + ".action")) != action) why->push_back(at + ": gazetted " + action + " not shown");
        } else if (At(v, at + ".action") || At(v, at + ".code")) {
          why->push_back(at + ": " + action + " (not gazetted) shown to a non-party");
        }
      }
    };
    return e;
  };
}

contracts::HistoryPage WholeHistory(TestCluster& c, const std::string& target) {
  auto r = c.Client(0).Get(target);
  REQUIRE(r.ok());
  INFO(target << " " << r->body);
  REQUIRE(r->status == 200);
  contracts::HistoryPage page;
  REQUIRE(io::ApiJsonToMessage(r->body, &page, "history page").ok());
  REQUIRE(page.entries_size() > 0);
  return page;
}

void ExpectServing(TestCluster& c, int i, const std::string& after) {
  auto client = c.ClientAs(i, i == kClosedNode ? "bank-b" : "");
  auto r = client->Get("/v1/status");
  INFO("node " << i << " after " << after);
  CLUSTER_REQUIRE(c, r.ok());
  CHECK(r->status == 200);
}

ClusterOptions Options() {
  ClusterOptions o;
  o.extra_orgs = {{"auditor", contracts::ORG_AUDITOR},
                  {"regulator", contracts::ORG_REGULATOR},
                  {"trustee", contracts::ORG_TRUSTEE},
                  {"investor", contracts::ORG_INVESTOR}};
  o.extra_accounts = {{"auditor", "auditor", contracts::ROLE_AUDITOR},
                      {"regulator", "regulator", contracts::ROLE_REGULATOR},
                      {"trustee", "trustee", contracts::ROLE_TRUSTEE},
                      {"investor", "investor", contracts::ROLE_INVESTOR},
                      // A second account of the owner, suspended on chain below.
                      {"sme-2", "sme", contracts::ROLE_OWNER}};
  return o;
}

std::string MintToken(TestCluster& c, int node, const std::string& account) {
  auto client = c.ClientAs(node, account);
  auto r = client->Post("/v1/auth/token", "");
  INFO("token for " << account << ": " << (r.ok() ? r->body : r.status().ToString()));
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  auto v = ParseJson(r->body);
  REQUIRE(v);
  CHECK(Text(At(*v, "issuer")) == c.NodeId(node));
  std::string token = Text(At(*v, "token"));
  REQUIRE(!token.empty());
  return token;
}

std::unique_ptr<io::HttpClient> Client(TestCluster& c, int node, io::RequestCredentials cred) {
  io::HttpClientOptions o;
  o.timeout = 10s;
  o.credentials = std::move(cred);
  auto client = io::HttpClient::Create(c.ApiUrl(node), o);
  REQUIRE(client.ok());
  return std::move(*client);
}

std::unique_ptr<io::HttpClient> TokenClient(TestCluster& c, int node, const std::string& token) {
  io::RequestCredentials cred;
  cred.bearer_token = token;
  return Client(c, node, std::move(cred));
}

// Node 0's key (it signs tokens), from its configuration.
ledger::SecretKey NodeKey(TestCluster& c, int i) {
  config::NodeConfig cfg;
  REQUIRE(io::ReadJsonFile(c.ConfigPath(i), &cfg).ok());
  std::filesystem::path p(cfg.tls_key_file());
  if (p.is_relative()) p = std::filesystem::path(c.ConfigPath(i)).parent_path() / p;
  auto pem = io::ReadFile(p.string());
  REQUIRE(pem.ok());
  auto key = io::Ed25519KeyFromPem(*pem);
  REQUIRE(key.ok());
  return std::move(*key);
}

TEST_CASE("access: every route x every reader, hostile requests, tokens across nodes, a closed node",
          "[integration]") {
  const auto started = std::chrono::steady_clock::now();
  TestCluster c(Options());
  {
    config::NodeConfig cfg;
    REQUIRE(io::ReadJsonFile(c.ConfigPath(kClosedNode), &cfg).ok());
    cfg.set_api_anonymous_reads(false);
    REQUIRE(io::WriteFileAtomic(c.ConfigPath(kClosedNode), io::ToJson(cfg), 0600).ok());
  }
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(30s) >= 0);

  // ---- Records: a patent of "sme", its valuation by "appraiser", a pledge
  // to "bank-a", and a pool of "trustee".
  tools::Workload w(c.Parties(), 7, 1);
  tools::WorkloadTx patent = w.PatentRegister(Expiry(c));
  Commit(c, "patent", patent.raw);
  tools::WorkloadTx valuation = w.Valuation(patent.patent_no, Expiry(c));
  Commit(c, "valuation", valuation.raw);
  tools::WorkloadTx pledge = w.Pledge(patent.patent_no, valuation.object_id, Expiry(c));
  Commit(c, "pledge", pledge.raw);
  const std::int32_t today = tools::Workload::Today();
  ledger::Hash256 pool_tx{};
  std::string pool_raw = SignedTx(
      c,
      [&](contracts::Action* a) {
        auto* p = a->mutable_pool_create();
        p->set_name("Access test pool");
        p->set_trustee_org_id("trustee");
        p->set_model(contracts::POOL_LICENSE);
        p->set_legal_maturity_date(today + 3 * 365);
        p->set_deal_size_fen(1'000'000'000);
        p->set_document_hash(ledger::HexEncode(ledger::Sha256("trust deed")));
      },
      {"trustee"}, &pool_tx);
  Commit(c, "pool", pool_raw);
  const std::string pool_id = contracts::ObjectIdFromTxId(pool_tx);

  // Tokens obtained before the suspension: bank-a's (node 0) and sme-2's.
  const std::string bank_a_token = MintToken(c, 0, "bank-a");
  const std::string suspended_token = MintToken(c, 0, "sme-2");
  {
    auto r = TokenClient(c, 0, suspended_token)->Get("/v1/auth/whoami");
    REQUIRE(r.ok());
    CHECK(r->status == 200);  // the token works until the suspension
  }
  const std::string sme2_hex = KeyHex(c.Account("sme-2"));
  std::uint64_t suspended_at = Commit(c, "suspension", SignedTx(
                                                            c,
                                                            [&](contracts::Action* a) {
                                                              a->mutable_account_suspend()->set_public_key_hex(sme2_hex);
                                                              a->mutable_account_suspend()->set_suspended(true);
                                                            },
                                                            {"ipo-a", "ipo-b"}));
  for (int i = 0; i < c.size(); ++i) CLUSTER_REQUIRE(c, c.WaitForHeight(i, suspended_at, 20s));

  const std::string pledge_tx = ledger::HexEncode(pledge.id);
  const std::string valuation_tx = ledger::HexEncode(valuation.id);
  const std::string bank_a_hex = KeyHex(c.Account("bank-a"));
  const std::string today_iso = contracts::FormatDate(today);
  const contracts::HistoryPage patent_history = WholeHistory(c, "/v1/history/patent/" + patent.patent_no);
  const contracts::HistoryPage valuation_history = WholeHistory(c, "/v1/history/valuation/" + valuation.object_id);
  const contracts::HistoryPage pledge_history = WholeHistory(c, "/v1/history/pledge/" + pledge.object_id);

  // ---- Readers, all on node 0 (which answers anonymous readers).
  std::vector<ReaderSpec> readers;
  auto add = [&](std::string name, std::string account, std::string org, bool full) {
    ReaderSpec r;
    r.name = std::move(name);
    r.org = std::move(org);
    r.anonymous = account.empty();
    r.full = full;
    r.client = c.ClientAs(0, account);
    readers.push_back(std::move(r));
  };
  add("anon", "", "", false);
  add("ipo-a", "ipo-a", "ipo-a", true);
  add("auditor", "auditor", "auditor", true);
  add("regulator", "regulator", "regulator", true);
  add("bank-a", "bank-a", "bank-a", false);
  {
    ReaderSpec r;
    r.name = "bank-a/tok";
    r.org = "bank-a";
    r.token = true;
    r.client = TokenClient(c, 0, bank_a_token);
    readers.push_back(std::move(r));
  }
  add("bank-b", "bank-b", "bank-b", false);
  add("sme", "sme", "sme", false);
  add("appraiser", "appraiser", "appraiser", false);
  add("trustee", "trustee", "trustee", false);
  add("investor", "investor", "investor", false);
  add("suspended", "sme-2", "sme", false);
  readers.back().refused = "AUTH_SUSPENDED";
  {
    ReaderSpec r;
    r.name = "susp/tok";
    r.org = "sme";
    r.token = true;
    r.refused = "AUTH_SUSPENDED";
    r.client = TokenClient(c, 0, suspended_token);
    readers.push_back(std::move(r));
  }
  {
    ReaderSpec r;
    r.name = "otherchain";
    r.org = "bank-a";
    r.refused = "AUTH_SIGNATURE_INVALID";
    io::RequestCredentials cred;
    cred.chain_id = kOtherChain;
    cred.key = c.SharedAccount("bank-a");
    r.client = Client(c, 0, std::move(cred));
    readers.push_back(std::move(r));
  }

  auto pledge_party = [](const ReaderSpec& r) { return r.full || r.Is("bank-a") || r.Is("sme"); };
  auto owner = [](const ReaderSpec& r) { return r.full || r.Is("sme"); };
  auto valuation_reader = [](const ReaderSpec& r) {
    return r.full || r.Is("appraiser") || r.Is("sme") || r.Is("bank-a");
  };
  auto pool_manager = [](const ReaderSpec& r) { return r.full || r.Is("trustee"); };
  const std::vector<std::string> pledge_terms = {"principal_fen", "interest_rate_bps", "debtor_org_id",
                                                 "valuation_id", "due_date", "contract_hash"};

  api::TxBatch batch;
  batch.add_txs(pledge.raw);
  const std::string batch_of_pledge = batch.SerializeAsString();
  // ---- The rows: every route of the table needs at least one.
  std::vector<Probe> probes = {
      {"node.health", "", "GET", "/healthz", "", {}, [](const ReaderSpec&) { return Plain200(); }},
      {"node.metrics", "", "GET", "/metrics", "", {}, [](const ReaderSpec&) { return Plain200(); }},
      // The explorer's files: the same bytes for everyone (docs/explorer.md).
      {"explorer.index", "", "GET", "/explorer/", "", {}, [](const ReaderSpec&) { return Plain200(); }},
      {"explorer.assets", "", "GET", "/explorer/app.js", "", {}, [](const ReaderSpec&) { return Plain200(); }},
      {"explorer.assets", "missing", "GET", "/explorer/no-such-file.js", "", {},
       [](const ReaderSpec&) { return Error(404, "FILE_NOT_FOUND"); }},
      {"node.status", "", "GET", "/v1/status", "", {}, [](const ReaderSpec&) { return Status200(); }},
      {"node.genesis", "", "GET", "/v1/genesis", "", {},
       [](const ReaderSpec&) { return With(Status200(), {{"chain_id", "pledger-it"}}); }},
      {"auth.token", "", "POST", "/v1/auth/token", "", {{"Content-Type", "application/json"}},
       [](const ReaderSpec& r) {
         if (r.anonymous) return Error(401, "AUTH_MISSING");
         if (r.token) return Error(401, "AUTH_SIGNATURE_REQUIRED");
         return With(Whole({"token", "expires_ms"}), {{"org_id", r.org}, {"issuer", "n1"}});
       }},
      {"auth.whoami", "", "GET", "/v1/auth/whoami", "", {},
       [](const ReaderSpec& r) {
         if (r.anonymous) return With(Status200(), {{"via", "anonymous"}, {"view", "gazette"}});
         return With(Status200(), {{"via", r.token ? "token" : "signature"},
                                   {"view", r.full ? "full" : "party"},
                                   {"org_id", r.org}});
       }},
      // A committed transaction sent again: answered, never run twice.
      {"txs.submit", "", "POST", "/v1/txs", pledge.raw, {{"Content-Type", "application/x-protobuf"}},
       [](const ReaderSpec&) { return With(Status200(), {{"status", "COMMITTED"}}); }},
      // The same with ?wait: the answer carries the committed transaction's
      // view, which must be the reader's view: the receipt's events name the
      // principal and the LTV (from the valuation), which non-parties never see.
      {"txs.submit", "again, ?wait", "POST", "/v1/txs?wait=2000", pledge.raw,
       {{"Content-Type", "application/x-protobuf"}},
       [&](const ReaderSpec& r) {
         Expect e = With(Status200(), {{"status", "COMMITTED"}});
         if (pledge_party(r)) {
           e.present = {"tx.receipt.events"};
         } else {
           e.body_lacks = {"ltv_bps", "\"events\""};
         }
         return e;
       }},
      // The same in a batch: each entry is the reader's view, exactly as
      // txs.submit scopes it (docs/api.md "Batches").
      {"txs.batch", "committed pledge, ?wait", "POST", "/v1/txs/batch?wait=2000", batch_of_pledge,
       {{"Content-Type", "application/x-protobuf"}},
       [&](const ReaderSpec& r) {
         Expect e = With(Status200(), {{"results[0].status", "COMMITTED"}, {"results[0].tx_id", pledge_tx}});
         if (pledge_party(r)) {
           e.present = {"results[0].tx.receipt.events"};
         } else {
           e.body_lacks = {"ltv_bps", "\"events\""};
         }
         return e;
       }},
      // Pre-flight: the receipt is the parties' (and full readers') to see;
      // a committed transaction only reports the chain's replay rule.
      {"txs.simulate", "committed pledge", "POST", "/v1/txs/simulate", pledge.raw,
       {{"Content-Type", "application/x-protobuf"}},
       [&](const ReaderSpec& r) {
         if (!pledge_party(r)) return Refused(r);
         return With(Status200(), {{"code", "TX_ALREADY_COMMITTED"}, {"advisory", "true"}});
       }},
      {"txs.get", "pledge tx", "GET", "/v1/txs/" + pledge_tx, "", {},
       [&](const ReaderSpec& r) {
         // Signed by bank-a, sme and ipo-a.
         if (pledge_party(r)) {
           return With(Whole({"tx.signatures", "body.action.pledge_register.principal_fen", "receipt.events"}),
                       {{"action", "pledge_register"}, {"receipt_code", "OK"}});
         }
         return With(Gazette({"tx", "body", "receipt.message", "receipt.events"}, {"tx", "body", "receipt.events"},
                             {"height", "block_hash", "proof"}),
                     {{"action", "pledge_register"}, {"receipt_code", "OK"}, {"receipt.code", "OK"}});
       }},
      {"txs.get", "valuation tx", "GET", "/v1/txs/" + valuation_tx, "", {},
       [&](const ReaderSpec& r) {
         // Signed by the appraiser alone; valuation_record is not gazetted.
         if (r.full || r.Is("appraiser")) {
           return With(Whole({"body.action.valuation_record.value_fen"}), {{"action", "valuation_record"}});
         }
         return Gazette({"tx", "body", "action", "receipt", "receipt_code"},
                        {"tx", "body", "action", "receipt", "receipt_code"}, {"height", "tx_id"});
       }},
      {"blocks.list", "", "GET", "/v1/blocks", "", {},
       [](const ReaderSpec&) { return Whole({"blocks[0].header", "blocks[0].hash"}); }},
      {"blocks.get", "", "GET", "/v1/blocks/1", "", {}, [](const ReaderSpec&) { return Whole({"header"}); }},
      {"blocks.attestations", "", "GET", "/v1/blocks/1/attestations", "", {},
       [](const ReaderSpec&) { return Status200(); }},
      {"raw.blocks", "", "GET", "/v1/raw/blocks?from=1&to=2", "", {},
       [](const ReaderSpec& r) {
         if (r.full) return Plain200();
         return r.anonymous ? Error(401, "AUTH_MISSING") : Error(403, "READ_FORBIDDEN");
       }},
      {"history.entity", "patent", "GET", "/v1/history/patent/" + patent.patent_no, "", {},
       HistoryExpect(owner, patent_history)},
      {"history.entity", "valuation", "GET", "/v1/history/valuation/" + valuation.object_id, "", {},
       HistoryExpect(valuation_reader, valuation_history)},
      {"history.entity", "pledge", "GET", "/v1/history/pledge/" + pledge.object_id, "", {},
       HistoryExpect(pledge_party, pledge_history)},
      {"patents.get", "", "GET", "/v1/patents/" + patent.patent_no, "", {},
       [&](const ReaderSpec& r) {
         if (owner(r) || r.Is("bank-a")) {
           // The pledgee: its own pledge in full, and the valuation its loan names.
           return With(Whole({"active_pledge.principal_fen", "valuations[0].value_fen"}),
                       {{"patent.owners[0].org_id", "sme"}});
         }
         if (r.Is("appraiser")) {
           return Gazette({"active_pledge.principal_fen"}, {"active_pledge.principal_fen"},
                          {"valuations[0].value_fen", "active_pledge.pledgee_org_id"});
         }
         return With(Gazette({"active_pledge.principal_fen", "active_pledge.interest_rate_bps", "valuations[]"},
                             {"active_pledge.principal_fen", "active_pledge.interest_rate_bps", "valuations"},
                             {"patent.patent_no", "pledge_ids[0]"}),
                     {{"active_pledge.pledgee_org_id", "bank-a"}, {"patent.owners[0].org_id", "sme"}});
       }},
      {"patents.history", "", "GET", "/v1/patents/" + patent.patent_no + "/history", "", {},
       HistoryExpect(owner, patent_history)},
      {"pledges.get", "", "GET", "/v1/pledges/" + pledge.object_id, "", {},
       [&](const ReaderSpec& r) {
         if (pledge_party(r)) return With(Whole({"principal_fen", "interest_rate_bps"}), {{"principal_fen", "300000000"}});
         return With(Gazette(pledge_terms, pledge_terms, {"id", "patent_nos", "pledgor_org_ids", "reg_date"}),
                     {{"pledgee_org_id", "bank-a"}, {"pledgor_org_ids[0]", "sme"}});
       }},
      {"pledges.list", "bank", "GET", "/v1/pledges?bank=bank-a", "", {},
       [&](const ReaderSpec& r) {
         if (pledge_party(r)) return Whole({"pledges[0].pledge.principal_fen"});
         return Gazette({"pledges[].pledge.principal_fen", "pledges[].pledge.interest_rate_bps"},
                        {"pledges[0].pledge.principal_fen"}, {"pledges[0].pledge.pledgee_org_id"});
       }},
      {"pledges.list", "borrower", "GET", "/v1/pledges?borrower=sme", "", {},
       [&](const ReaderSpec& r) {
         if (pledge_party(r)) return Whole({"pledges[0].pledge.principal_fen"});
         return Gazette({"pledges[].pledge.principal_fen"}, {"pledges[0].pledge.principal_fen"},
                        {"pledges[0].pledge.id"});
       }},
      {"valuations.get", "", "GET", "/v1/valuations/" + valuation.object_id, "", {},
       [&](const ReaderSpec& r) {
         if (valuation_reader(r)) return With(Whole({"value_fen"}), {{"appraiser_org_id", "appraiser"}});
         return Refused(r);
       }},
      // An id that is no valuation (the pool's: the object id of a pool_create
      // transaction). Only full readers learn it is none (404); everyone else
      // gets the refusal a real valuation would give them, so a 404 beside a
      // 403 cannot tell which transactions recorded valuations (an action
      // txs.get withholds from non-parties).
      {"valuations.get", "not a valuation", "GET", "/v1/valuations/" + pool_id, "", {},
       [](const ReaderSpec& r) { return r.full ? Error(404, "VALUATION_NOT_FOUND") : Refused(r); }},
      {"accounts.get", "", "GET", "/v1/accounts/" + bank_a_hex, "", {},
       [](const ReaderSpec&) { return With(Whole(), {{"org_id", "bank-a"}}); }},
      // Organisations are public, a bank's lending policy included (its
      // published terms; the genesis file carries them anyway).
      {"orgs.list", "", "GET", "/v1/orgs?kind=ORG_BANK", "", {},
       [](const ReaderSpec&) {
         return With(Whole({"organisations[0].lending_policy", "organisations[1].lending_policy"}),
                     {{"organisations[0].id", "bank-a"}});
       }},
      {"orgs.get", "", "GET", "/v1/orgs/bank-a", "", {},
       [](const ReaderSpec&) { return With(Whole(), {{"lending_policy.ltv_cap_bps", "5000"}}); }},
      {"orgs.lending", "", "GET", "/v1/orgs/bank-a/lending", "", {},
       [](const ReaderSpec& r) {
         if (r.full || r.Is("bank-a")) {
           return With(Whole(), {{"bank_org_id", "bank-a"}, {"active_principal_fen", "300000000"}});
         }
         return Refused(r);
       }},
      {"pools.list", "", "GET", "/v1/pools?trustee=trustee", "", {},
       [&](const ReaderSpec& r) {
         if (pool_manager(r)) return Whole({"pools[0].deal_size_fen"});
         return With(Gazette({"pools[].deal_size_fen"}, {"pools[0].deal_size_fen"}, {"pools[0].name"}),
                     {{"pools[0].trustee_org_id", "trustee"}});
       }},
      {"pools.get", "", "GET", "/v1/pools/" + pool_id, "", {},
       [&](const ReaderSpec& r) {
         if (pool_manager(r)) return Whole({"pool.deal_size_fen", "pool.document_hash"});
         return With(Gazette({"pool.deal_size_fen", "pool.document_hash"}, {"pool.deal_size_fen", "pool.document_hash"},
                             {"pool.name"}),
                     {{"pool.id", pool_id}});
       }},
      // No statement on that date. A manager learns that (404); anyone else
      // may not see the pool's statements at all, and is refused before the
      // node says whether one exists (statement_dates are withheld from them
      // in pools.get).
      {"pools.statement", "", "GET", "/v1/pools/" + pool_id + "/statements/" + today_iso, "", {},
       [&](const ReaderSpec& r) {
         if (pool_manager(r)) return Error(404, "POOL_STATEMENT_NOT_FOUND");
         return Refused(r);
       }},
      {"pools.preview", "", "GET", "/v1/pools/" + pool_id + "/preview?date=" + today_iso, "", {},
       [&](const ReaderSpec& r) {
         if (pool_manager(r)) return Error(409, "TRANCHE_NOT_ISSUED");  // no tranches yet
         return Refused(r);
       }},
      {"holdings.list", "", "GET", "/v1/holdings?investor=investor", "", {},
       [](const ReaderSpec& r) {
         if (r.full || r.Is("investor")) return Status200();
         return Refused(r);
       }},
      {"validators.list", "", "GET", "/v1/validators", "", {},
       [](const ReaderSpec&) { return Whole({"validators[2]"}); }},
      {"params.get", "", "GET", "/v1/params", "", {}, [](const ReaderSpec&) { return Status200(); }},
      // Statistics (docs/api.md "Statistics"): the pledge above is bank-a's
      // 3,000,000.00 yuan, registered today.
      {"stats.pledges", "", "GET", "/v1/stats/pledges", "", {},
       [](const ReaderSpec& r) {
         if (r.full) {
           return With(Whole({"points[29]"}), {{"bank_org_id", ""}, {"banks[0].bank_org_id", "bank-a"},
                                                 {"banks[0].principal_fen", "300000000"}});
         }
         if (r.Is("bank-a") || r.Is("bank-b")) return With(Whole({"points[29]"}), {{"bank_org_id", r.org}});
         return Refused(r);
       }},
      {"stats.pledges", "another bank", "GET", "/v1/stats/pledges?bank=bank-b&by=month", "", {},
       [](const ReaderSpec& r) {
         if (r.full || r.Is("bank-b")) return With(Whole(), {{"bank_org_id", "bank-b"}, {"by", "month"}});
         return Refused(r);
       }},
      {"stats.pledges", "bad date", "GET", "/v1/stats/pledges?from=2026-02-30", "", {},
       [](const ReaderSpec& r) {
         if (r.full || r.Is("bank-a") || r.Is("bank-b")) return Error(400, "DATE_INVALID");
         return Refused(r);
       }},
      {"stats.pledges", "span", "GET", "/v1/stats/pledges?from=2020-01-01&to=2026-01-01", "", {},
       [](const ReaderSpec& r) {
         if (r.full || r.Is("bank-a") || r.Is("bank-b")) return Error(400, "RANGE_INVALID");
         return Refused(r);
       }},
      {"stats.outstanding", "", "GET", "/v1/stats/outstanding?by=month", "", {},
       [](const ReaderSpec& r) {
         if (r.full) return With(Whole({"points[11]"}), {{"banks[0].outstanding_principal_fen", "300000000"}});
         if (r.Is("bank-a")) return With(Whole(), {{"points[11].outstanding_principal_fen", "300000000"}});
         if (r.Is("bank-b")) return With(Whole(), {{"points[11].outstanding_principal_fen", "0"}});
         return Refused(r);
       }},
      {"stats.borrowers", "", "GET", "/v1/stats/borrowers", "", {},
       [](const ReaderSpec& r) {
         if (r.full) return With(Whole(), {{"banks[0].first_time_borrowers", "1"}});
         if (r.Is("bank-a") || r.Is("bank-b")) return Whole();
         return Refused(r);
       }},
      {"stats.renewals", "", "GET", "/v1/stats/renewals", "", {},
       [](const ReaderSpec& r) {
         if (r.full || r.Is("bank-a") || r.Is("bank-b")) return Whole();
         return Refused(r);
       }},
      {"stats.distributions", "", "GET", "/v1/stats/distributions", "", {},
       [](const ReaderSpec& r) {
         if (r.full) return With(Whole({"rate[7]", "ltv[7]"}), {{"rate[2].pledges", "1"}});
         if (r.Is("bank-a") || r.Is("bank-b")) return Whole({"rate[7]"});
         return Refused(r);
       }},
      {"stats.cautions", "", "GET", "/v1/stats/cautions?by=day", "", {},
       [](const ReaderSpec& r) {
         if (r.full || r.Is("bank-a") || r.Is("bank-b")) return Whole();
         return Refused(r);
       }},
      {"stats.valuations", "", "GET", "/v1/stats/valuations", "", {},
       [](const ReaderSpec& r) {
         if (r.full) return With(Whole(), {{"appraisers[0].appraiser_org_id", "appraiser"}});
         if (r.Is("appraiser")) return With(Whole(), {{"appraiser_org_id", "appraiser"}});
         return Refused(r);
       }},
  };

  // Every route in the table has a row, and every row reaches its route.
  std::set<std::string> covered;
  for (const Probe& p : probes) {
    INFO("row " << p.route << " " << p.label << ": " << p.method << " " << p.target);
    CHECK(RouteOf(p.method, p.target) == p.route);
    covered.insert(p.route);
  }
  for (const auto& route : node::ApiRoutes()) {
    if (!covered.count(std::string(route.id))) {
      FAIL_CHECK("route " << route.id << " (" << route.method << " " << route.pattern
                          << ") has no row in the access matrix: add its expectations for every reader");
    }
  }

  // ---- Run it.
  AnswerLog answers;
  int cells = 0, failed = 0;
  std::vector<std::vector<std::string>> grid(probes.size(), std::vector<std::string>(readers.size()));
  for (size_t pi = 0; pi < probes.size(); ++pi) {
    const Probe& p = probes[pi];
    for (size_t ri = 0; ri < readers.size(); ++ri) {
      ReaderSpec& r = readers[ri];
      Expect e = r.refused.empty() ? p.expect(r) : Error(401, r.refused);
      auto got = r.client->Request(p.method, p.target, p.body, p.headers);
      ++cells;
      std::string why;
      if (!got.ok()) {
        why = "transport: " + got.status().ToString();
        grid[pi][ri] = "ERR";
      } else {
        why = Judge(e, *got);
        grid[pi][ri] = Short(*got);
        answers.Save(p.route, p.method, *got);
      }
      if (!why.empty()) {
        ++failed;
        grid[pi][ri] += "!";
        FAIL_CHECK("CELL [" << p.route << (p.label.empty() ? "" : " (" + p.label + ")") << "] x [" << r.name
                            << "]: " << p.method << " " << p.target << "\n  " << why << "\n  body: "
                            << (got.ok() ? got->body.substr(0, 600) : std::string()));
      }
    }
  }
  // The grid, always printed: status per cell, "g" = gazette view (fields
  // withheld and named), "!" = not as expected.
  std::printf("\naccess matrix on node 0 (%d cells, %d not as expected):\n%-34s", cells, failed, "");
  for (const auto& r : readers) std::printf(" %-10s", r.name.c_str());
  std::printf("\n");
  for (size_t pi = 0; pi < probes.size(); ++pi) {
    std::string row = probes[pi].route + (probes[pi].label.empty() ? "" : " (" + probes[pi].label + ")");
    std::printf("%-34s", row.c_str());
    for (const auto& cell : grid[pi]) std::printf(" %-10s", cell.c_str());
    std::printf("\n");
  }
  std::fflush(stdout);

  // ---- Every answer above (whole records, gazette and party views, errors)
  // against the schemas of docs/openapi.yaml.
  CHECK(answers.size() == cells);
  CHECK(answers.Validate());

  // ---- The closed node: anonymous readers get 401 AUTH_MISSING on every
  // route but /healthz and the explorer's files; accounts read as anywhere else.
  {
    auto anon = c.ClientAs(kClosedNode, "");
    for (const Probe& p : probes) {
      auto got = anon->Request(p.method, p.target, p.body, p.headers);
      REQUIRE(got.ok());
      // The explorer's files hold no data: a closed node serves them too.
      const bool open = p.route == "node.health" || (p.route.rfind("explorer.", 0) == 0 && p.label.empty());
      Expect e = open ? Plain200() : p.route == "explorer.assets" ? Error(404, "FILE_NOT_FOUND")
                                                                  : Error(401, "AUTH_MISSING");
      e.view = Expect::View::kAny;
      std::string why = Judge(e, *got);
      if (!why.empty()) {
        FAIL_CHECK("closed node, anonymous, [" << p.route << " " << p.label << "] " << p.target << ": " << why
                                               << "\n  body: " << got->body.substr(0, 300));
      }
    }
    auto signed_reader = c.ClientAs(kClosedNode, "bank-b");
    auto st = signed_reader->Get("/v1/status");
    REQUIRE(st.ok());
    CHECK(st->status == 200);
    auto who = signed_reader->Get("/v1/auth/whoami");
    REQUIRE(who.ok());
    CHECK(who->status == 200);
    auto v = ParseJson(who->body);
    REQUIRE(v);
    CHECK(Text(At(*v, "anonymous_reads")) == "false");
    CHECK(Text(At(*v, "org_id")) == "bank-b");
    auto open = c.ClientAs(0, "bank-b")->Get("/v1/auth/whoami");
    REQUIRE(open.ok());
    auto ov = ParseJson(open->body);
    REQUIRE(ov);
    CHECK(Text(At(*ov, "anonymous_reads")) == "true");
  }

  // ---- Tokens travel: node 0's token works on nodes 1 and 2 (2 refuses
  // anonymous readers, so this is the token's doing).
  for (int i : {1, 2}) {
    auto tc = TokenClient(c, i, bank_a_token);
    auto who = tc->Get("/v1/auth/whoami");
    REQUIRE(who.ok());
    INFO("node " << i << ": " << who->body);
    CHECK(who->status == 200);
    auto v = ParseJson(who->body);
    REQUIRE(v);
    CHECK(Text(At(*v, "via")) == "token");
    CHECK(Text(At(*v, "org_id")) == "bank-a");
    auto pl = tc->Get("/v1/pledges/" + pledge.object_id);
    REQUIRE(pl.ok());
    CHECK(pl->status == 200);
    CHECK(Judge(With(Whole({"principal_fen"}), {{"principal_fen", "300000000"}}), *pl) == "");
    // The suspended account's token is refused on every node.
    auto sus = TokenClient(c, i, suspended_token)->Get("/v1/status");
    REQUIRE(sus.ok());
    CHECK(sus->status == 401);
    CHECK(ErrorCode(*sus) == "AUTH_SUSPENDED");
  }

  // ---- A transaction submitted by someone who did not sign it (submission
  // is public: anyone may relay), with ?wait: the answer the applier gives
  // when it commits must be the submitter's view too (no LTV, no receipt
  // events for a non-party), as for the resubmission row of the matrix.
  {
    tools::WorkloadTx p2 = w.PatentRegister(Expiry(c));
    Commit(c, "second patent", p2.raw);
    tools::WorkloadTx v2 = w.Valuation(p2.patent_no, Expiry(c));
    Commit(c, "second valuation", v2.raw);
    tools::WorkloadTx pl2 = w.Pledge(p2.patent_no, v2.object_id, Expiry(c));
    auto relay = c.ClientAs(1, "");
    auto r = relay->Request("POST", "/v1/txs?wait=15000", pl2.raw, {{"Content-Type", "application/x-protobuf"}}, 20s);
    REQUIRE(r.ok());
    Expect e = With(Status200(), {{"status", "COMMITTED"}});
    e.body_lacks = {"ltv_bps", "\"events\""};
    std::string why = Judge(e, *r);
    if (!why.empty()) {
      FAIL_CHECK("anonymous relay of a new pledge with ?wait: " << why << "\n  body: " << r->body.substr(0, 600));
    }
    auto committed = c.ClientAs(1, "ipo-a")->Get("/v1/txs/" + ledger::HexEncode(pl2.id));
    REQUIRE(committed.ok());
    CHECK(Judge(With(Whole(), {{"receipt_code", "OK"}}), *committed) == "");
  }

  // ---- Hostile requests, each a 401 with its reason; the node keeps serving.
  const std::uint16_t port0 = PortOf(c, 0);
  const std::string target = "/v1/pledges/" + pledge.object_id;
  auto raw_get = [&](int node, const std::string& t, const std::vector<std::pair<std::string, std::string>>& h) {
    RawAnswer a = RawHttp(PortOf(c, node), "GET", t, h);
    INFO("raw GET " << t << ": " << a.error);
    REQUIRE(a.error.empty());
    return a.response;
  };
  auto expect_401 = [&](const std::string& what, const io::HttpResponse& r, const std::string& code) {
    INFO(what << ": " << r.status << " " << r.body);
    CHECK(r.status == 401);
    CHECK(ErrorCode(r) == code);
    CHECK(!Header(r, "WWW-Authenticate").empty());
    ExpectServing(c, 0, what);
  };
  {
    // A correct header works (the control for the cases below).
    auto ok = raw_get(0, target, {{"Authorization", SignedHeader(c.Account("bank-b"), c.chain_id(), "GET", target, NowMs())}});
    CHECK(ok.status == 200);
    CHECK(Judge(Gazette(pledge_terms, pledge_terms, {"id"}), ok) == "");
  }
  {
    std::string h = SignedHeader(c.Account("bank-a"), c.chain_id(), "GET", target, NowMs());
    size_t sig = h.find("sig=");
    REQUIRE(sig != std::string::npos);
    char& ch = h[sig + 4 + 10];
    ch = ch == '0' ? '1' : '0';
    expect_401("tampered signature", raw_get(0, target, {{"Authorization", h}}), "AUTH_SIGNATURE_INVALID");
  }
  {
    // Signed for another target: the signature covers the target as sent.
    std::string h = SignedHeader(c.Account("bank-a"), c.chain_id(), "GET", "/v1/pledges?bank=bank-a", NowMs());
    expect_401("signature for another target", raw_get(0, target, {{"Authorization", h}}), "AUTH_SIGNATURE_INVALID");
  }
  {
    std::string h = SignedHeader(c.Account("bank-a"), c.chain_id(), "GET", target, NowMs() - 10 * 60 * 1000);
    expect_401("timestamp 10 minutes old", raw_get(0, target, {{"Authorization", h}}), "AUTH_EXPIRED");
    std::string future = SignedHeader(c.Account("bank-a"), c.chain_id(), "GET", target, NowMs() + 10 * 60 * 1000);
    expect_401("timestamp 10 minutes ahead", raw_get(0, target, {{"Authorization", future}}), "AUTH_EXPIRED");
  }
  {
    std::string h = SignedHeader(c.Account("bank-a"), c.chain_id(), "GET", target, NowMs());
    auto first = raw_get(0, target, {{"Authorization", h}});
    CHECK(first.status == 200);
    expect_401("the same signed header again", raw_get(0, target, {{"Authorization", h}}), "AUTH_REPLAYED");
    // On another node the nonce was not seen: each node keeps its own cache.
    auto elsewhere = raw_get(1, target, {{"Authorization", h}});
    INFO("replayed header on node 1: " << elsewhere.status << " " << elsewhere.body);
    CHECK(elsewhere.status == 200);
  }
  {
    std::string h = SignedHeader(c.Account("bank-a"), c.chain_id(), "GET", target, NowMs());
    std::string h2 = SignedHeader(c.Account("bank-a"), c.chain_id(), "GET", target, NowMs());
    expect_401("two Authorization headers", raw_get(0, target, {{"Authorization", h}, {"Authorization", h2}}),
               "AUTH_MALFORMED");
    // Even when the second is a bearer token.
    expect_401("a signature and a token",
               raw_get(0, target, {{"Authorization", "Bearer " + bank_a_token}, {"Authorization", h2}}),
               "AUTH_MALFORMED");
  }
  {
    // 2 KiB: past the scheme's 1 KiB limit, within the server's header limit.
    std::string big = "Pledger-Ed25519 key=" + std::string(2048, 'a');
    expect_401("a 2 KiB Authorization header", raw_get(0, target, {{"Authorization", big}}), "AUTH_MALFORMED");
    // 16 KiB: past the HTTP server's header limit (16 KiB for all headers).
    std::string huge = "Pledger-Ed25519 key=" + std::string(16 * 1024, 'a');
    RawAnswer a = RawHttp(port0, "GET", target, {{"Authorization", huge}});
    INFO("16 KiB Authorization: " << a.error << " " << a.response.status << " " << a.response.body);
    CHECK(a.error.empty());
    CHECK(a.response.status == 413);
    CHECK(ErrorCode(a.response) == "REQUEST_TOO_LARGE");
    ExpectServing(c, 0, "a 16 KiB Authorization header");
  }
  {
    auto r = raw_get(0, target, {{"Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"}});
    expect_401("another scheme", r, "AUTH_MALFORMED");
    auto empty_bearer = raw_get(0, target, {{"Authorization", "Bearer "}});
    expect_401("an empty bearer token", empty_bearer, "AUTH_MALFORMED");
  }
  {
    auto r = raw_get(0, target, {{"Authorization", "Bearer " + suspended_token}});
    expect_401("a token after its account's suspension", r, "AUTH_SUSPENDED");
  }
  {
    // Tokens minted with node n1's own key: for this chain (the control),
    // and for another chain id, which is signed but not carried.
    const ledger::SecretKey n1 = NodeKey(c, 0);
    node::TokenFields f;
    f.issuer_node_id = c.NodeId(0);
    f.account_key = c.Account("bank-a").public_key();
    f.issued_ms = NowMs() - 1000;
    f.expires_ms = f.issued_ms + 10 * 60 * 1000;
    std::string ours = node::EncodeToken(c.chain_id(), f, n1);
    auto control = raw_get(1, target, {{"Authorization", "Bearer " + ours}});
    INFO("hand-minted token for this chain: " << control.body);
    CHECK(control.status == 200);
    std::string foreign = node::EncodeToken(kOtherChain, f, n1);
    expect_401("a token for another chain", raw_get(0, target, {{"Authorization", "Bearer " + foreign}}),
               "AUTH_SIGNATURE_INVALID");
    // Altered bytes: in the signature, and in the expiry (signed payload).
    std::string t = bank_a_token;
    char& s = t[t.size() - 10];
    s = s == 'A' ? 'B' : 'A';
    expect_401("a token with an altered signature", raw_get(0, target, {{"Authorization", "Bearer " + t}}),
               "AUTH_SIGNATURE_INVALID");
    auto bytes = node::Base64UrlDecode(bank_a_token);
    REQUIRE(bytes.ok());
    // expires_ms one second earlier (big-endian at 42+n): still a valid layout.
    std::string earlier = *bytes;
    const size_t at = 2 + c.NodeId(0).size() + 32 + 8;
    std::uint64_t exp = 0;
    for (size_t k = 0; k < 8; ++k) exp = (exp << 8) | static_cast<std::uint8_t>(earlier[at + k]);
    exp -= 1000;
    for (size_t k = 0; k < 8; ++k) earlier[at + k] = static_cast<char>((exp >> (56 - 8 * k)) & 0xff);
    expect_401("a token with an altered expiry",
               raw_get(0, target, {{"Authorization", "Bearer " + node::Base64UrlEncode(earlier)}}),
               "AUTH_SIGNATURE_INVALID");
    std::string bad_version = *bytes;
    bad_version[0] = 2;
    expect_401("a token of another version",
               raw_get(0, target, {{"Authorization", "Bearer " + node::Base64UrlEncode(bad_version)}}),
               "AUTH_MALFORMED");
    expect_401("a token with bytes appended",
               raw_get(0, target, {{"Authorization", "Bearer " + node::Base64UrlEncode(*bytes + "x")}}),
               "AUTH_MALFORMED");
  }
  for (int i = 0; i < c.size(); ++i) ExpectServing(c, i, "the hostile requests");

  const auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  std::printf("access test: %lld s\n", static_cast<long long>(took.count()));
  if (failed > 0) c.DumpLogs(20);
}

}  // namespace
}  // namespace pledger::test
