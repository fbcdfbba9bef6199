// The API's handlers over a ledger of the test's own (a fake ApiBackend): the
// answers a client sees, including the cases where the node's read fails.
#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "contracts/codes.h"
#include "contracts/engine.h"
#include "ledger/block.h"
#include "ledger/bytes.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/tx.h"
#include "node/api/backend.h"
#include "node/api/response.h"
#include "node/api/routes.h"
#include "node/limits.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

const char* kChain = "pledger-test";

std::string SampleTx(std::uint64_t nonce) {
  ledger::TxBody body;
  body.set_chain_id(kChain);
  body.set_nonce(nonce);
  body.set_expiry_height(100);
  body.mutable_action()->mutable_noop();
  ledger::Transaction tx = ledger::MakeTransaction(body);
  ledger::SignTransaction(&tx, test::TestKey(1));
  return tx.SerializeAsString();
}

// An ApiBackend over a real ledger; the work pool runs jobs inline.
class FakeNode final : public ApiBackend {
 public:
  FakeNode() {
    auto l = ledger::Ledger::Open(dir_.Sub("db"));
    REQUIRE(l.ok());
    ledger_ = std::move(*l);
    REQUIRE(ledger_->Initialize(kChain, genesis_, {}).ok());
  }

  ledger::Ledger& ledger() override { return *ledger_; }
  const std::string& genesis_file() const override { return genesis_; }
  std::uint64_t last_block_time_ms() const override { return 0; }
  Result<std::vector<ledger::Attestation>> BlockAttestations(std::uint64_t) override {
    return std::vector<ledger::Attestation>{};
  }
  std::set<std::string> VotingValidators() override { return {"node-1"}; }
  Status Health() override { return Status::OK(); }
  std::string StatusJson() override { return "{}"; }
  std::string MetricsText() override { return ""; }
  bool InMempool(const ledger::Hash256& id) override { return mempool.count(id) > 0; }
  bool RunOnWorkPool(std::function<void()> job) override {
    job();
    return true;
  }
  Status AdmitFromClient(std::string raw, ledger::Hash256* id) override {
    *id = ledger::TxIdOfBytes(raw);
    if (ledger_->blocks().LocateTx(*id).ok()) {
      return Status::AlreadyExists("TX_ALREADY_COMMITTED", "already in the chain");
    }
    mempool.insert(*id);
    return Status::OK();
  }
  std::optional<WaiterTable::Ticket> AddWaiter(const ledger::Hash256& id, Waiter w) override {
    std::lock_guard<std::mutex> lock(mu_);
    return waiters_.Add(id, std::move(w));
  }
  std::optional<Waiter> RemoveWaiter(const WaiterTable::Ticket& t) override {
    std::lock_guard<std::mutex> lock(mu_);
    return waiters_.Remove(t);
  }
  // Signatures are the authenticator's tests' business (auth_test.cc) and the
  // cluster's (access matrix): here any Authorization header stands for the
  // registrar's account, and none for an anonymous reader.
  Result<AuthenticatedReader> Authenticate(const HttpRequest&) override {
    AuthenticatedReader r;
    r.account_key = test::TestKey(2).public_key();
    r.org_id = "ipo-a";
    r.roles = {contracts::ROLE_IP_OFFICE};
    return r;
  }
  std::optional<Result<AuthenticatedReader>> AuthenticateCheap(const HttpRequest&) override { return std::nullopt; }
  Result<api::TokenView> IssueToken(const AuthenticatedReader&) override {
    return Status::FailedPrecondition("AUTH_TOKENS_UNAVAILABLE", "no tokens here");
  }
  bool AnonymousReadsAllowed() const override { return true; }
  const std::string& chain_id() const override { return chain_; }

  // What the applier does after committing a block: answer the waiters.
  void Notify(const ledger::Hash256& id, std::uint64_t height, std::uint32_t index) {
    std::vector<Waiter> ready;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready = waiters_.Take(id);
    }
    ledger::Receipt r;
    r.set_code("OK");
    for (auto& w : ready) w.respond(CommittedAnswer(id, r, height, index));
  }
  size_t waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiters_.size();
  }

  // Commits a block carrying `txs`, with receipts under the ids the
  // contracts' engine gives them.
  void Commit(const std::vector<std::string>& txs) {
    ledger::Tip tip = ledger_->blocks().tip();
    ledger::BlockDraft d;
    d.chain_id = kChain;
    d.height = tip.height + 1;
    d.prev_hash = tip.block_hash;
    d.prev_state_root = tip.state_root;
    d.prev_results_root = tip.results_root;
    d.time_ms = 1700000000000 + d.height;
    d.proposer_id = "node-1";
    d.raft_term = 1;
    d.raft_index = d.height + 1;
    d.txs = txs;
    ledger::Block b = ledger::SealBlock(d);
    std::vector<std::string> receipts;
    for (const auto& raw : txs) {
      ledger::Receipt r;
      ledger::Hash256 id = contracts::PrepareTx(raw).id;
      r.set_tx_id(std::string(ledger::AsStringView(id)));
      r.set_code("OK");
      receipts.push_back(ledger::SerializeCanonical(r));
      mempool.erase(id);
    }
    REQUIRE(ledger_->CommitBlock(b, receipts, {}, /*sync=*/false).ok());
  }

  std::set<ledger::Hash256> mempool;

 private:
  test::TempDir dir_;
  std::string genesis_ = "genesis-bytes";
  std::string chain_ = kChain;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::mutex mu_;
  WaiterTable waiters_{limits::kWaitersMax};
};

// A request's answer, once the handler gave it.
struct Answer {
  std::shared_ptr<std::optional<HttpResponse>> got = std::make_shared<std::optional<HttpResponse>>();
  bool ready() const { return got->has_value(); }
  const HttpResponse& operator*() const { return **got; }
  const HttpResponse* operator->() const { return &**got; }
};

// Sends a request as the registrar (`as_registrar`) or anonymously.
Answer Send(FakeNode& node, const std::string& method, const std::string& target, std::string body = "",
            const std::string& content_type = "", bool as_registrar = true) {
  HttpRequest req;
  req.method = method;
  req.target = target;
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string rest = target.substr(q + 1);
    size_t pos = 0;
    while (pos <= rest.size()) {
      size_t amp = rest.find('&', pos);
      std::string kv = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      size_t eq = kv.find('=');
      req.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
  }
  if (!content_type.empty()) req.headers["content-type"] = content_type;
  if (as_registrar) req.headers["authorization"] = "registrar";
  req.body = std::move(body);
  Answer a;
  auto got = a.got;
  DispatchApi(node, std::move(req), [got](HttpResponse r) {
    if (!got->has_value()) *got = std::move(r);
  });
  return a;
}

std::string CodeOf(const HttpResponse& r) {
  api::ErrorView e;
  if (!io::ApiJsonToMessage(r.body, &e, "error", /*ignore_unknown_fields=*/false).ok()) return "";
  return e.error().code();
}

TEST_CASE("api: unknown paths are 404, known paths with another method 405 with Allow", "[api]") {
  FakeNode node;
  auto a = Send(node, "GET", "/v1/nothing");
  CHECK(a->status == 404);
  CHECK(CodeOf(*a) == "ROUTE_NOT_FOUND");
  a = Send(node, "GET", "/v2/status");
  CHECK(a->status == 404);
  a = Send(node, "GET", "/v1/txs");
  CHECK(a->status == 405);
  CHECK(CodeOf(*a) == "METHOD_NOT_ALLOWED");
  REQUIRE(a->headers.size() == 1);
  CHECK(a->headers[0] == std::pair<std::string, std::string>{"Allow", "POST"});
  a = Send(node, "POST", "/v1/blocks/1");
  CHECK(a->status == 405);
  CHECK(a->headers[0].second == "GET");
  a = Send(node, "GET", "/v1/genesis");
  CHECK(a->status == 200);
  CHECK(a->body == "genesis-bytes");
}

TEST_CASE("api: bad numbers are 400 with a code naming the parameter", "[api]") {
  FakeNode node;
  node.Commit({SampleTx(1)});
  struct Case {
    const char* target;
    const char* code;
  };
  for (const Case& c : {Case{"/v1/blocks?from=-1", "PARAM_INVALID"}, Case{"/v1/blocks?to=1e3", "PARAM_INVALID"},
                        Case{"/v1/blocks?from=%201", "PARAM_INVALID"}, Case{"/v1/blocks?from=1&to=200", "RANGE_INVALID"},
                        Case{"/v1/blocks/-1", "BLOCK_ID_INVALID"}, Case{"/v1/blocks/+1", "BLOCK_ID_INVALID"},
                        Case{"/v1/blocks/0/attestations", "BLOCK_ID_INVALID"},
                        Case{"/v1/raw/blocks?from=1", "RANGE_INVALID"},
                        Case{"/v1/raw/blocks?from=1&to=-1", "PARAM_INVALID"},
                        Case{"/v1/history/params?limit=0", "PARAM_INVALID"},
                        Case{"/v1/history/params?limit=1001", "PARAM_INVALID"},
                        Case{"/v1/patents/ZL1/history?limit=-5", "PARAM_INVALID"},
                        Case{"/v1/params?height=-1", "PARAM_INVALID"},
                        Case{"/v1/pledges/P1?height=1e3", "PARAM_INVALID"},
                        Case{"/v1/pools/P1/preview?date=2024-01-31&no_shortfall_draw=yes", "PARAM_INVALID"}}) {
    INFO(c.target);
    auto a = Send(node, "GET", c.target);
    CHECK(a->status == 400);
    CHECK(CodeOf(*a) == c.code);
  }
  auto a = Send(node, "GET", "/v1/txs/" + std::string(64, 'a') + "?wait=60001");
  CHECK(a->status == 400);
  CHECK(CodeOf(*a) == "WAIT_INVALID");
  a = Send(node, "POST", "/v1/txs?wait=-1", SampleTx(2), "application/x-protobuf");
  CHECK(a->status == 400);
  CHECK(CodeOf(*a) == "WAIT_INVALID");
  a = Send(node, "GET", "/v1/blocks?from=1&to=1");
  CHECK(a->status == 200);
  a = Send(node, "GET", "/v1/history/params?limit=1000");
  CHECK(a->status == 200);
}

// Issue 18 bug 8: a malformed id is a 400 with its format code on every
// route that reads a record, now, as of a height and in history, as the
// current-state routes give it; never 404 PATENT_NOT_FOUND or
// NOT_FOUND_AT_HEIGHT. A well-formed id not on the ledger stays a 404.
TEST_CASE("api: a malformed id is 400 with its format code now, as of a height and in history", "[api]") {
  FakeNode node;
  node.Commit({SampleTx(1)});
  struct Case {
    const char* target;
    int status;
    const char* code;
  };
  for (const Case& c : {Case{"/v1/patents/ZL201910123456.7", 400, "PATENT_CHECK_DIGIT_INVALID"},
                        Case{"/v1/patents/ZL201910123456.7?height=1", 400, "PATENT_CHECK_DIGIT_INVALID"},
                        Case{"/v1/patents/ZL201910123456.7/history", 400, "PATENT_CHECK_DIGIT_INVALID"},
                        Case{"/v1/history/patent/ZL201910123456.7", 400, "PATENT_CHECK_DIGIT_INVALID"},
                        Case{"/v1/patents/ZL2019?height=1", 400, "PATENT_NUMBER_INVALID"},
                        Case{"/v1/pledges/P1?height=1", 400, "PLEDGE_ID_INVALID"},
                        Case{"/v1/pledges/P1", 400, "PLEDGE_ID_INVALID"},
                        Case{"/v1/history/pledge/P1", 400, "PLEDGE_ID_INVALID"},
                        Case{"/v1/patents/ZL201910123456.X", 404, "PATENT_NOT_FOUND"},
                        Case{"/v1/patents/ZL201910123456.X?height=1", 404, "NOT_FOUND_AT_HEIGHT"},
                        Case{"/v1/patents/ZL201910123456.X/history", 200, ""}}) {
    INFO(c.target);
    auto a = Send(node, "GET", c.target);
    CHECK(a->status == c.status);
    if (c.status != 200) CHECK(CodeOf(*a) == c.code);
  }
}

// A block may carry bytes that are not a transaction; the contracts refuse
// them with a receipt under SHA-256 of the bytes. The block view must list
// the same id, or a client cannot find that receipt.
TEST_CASE("api: a block view lists an undecodable transaction under its receipt's id", "[api]") {
  FakeNode node;
  const std::string good = SampleTx(1);
  const std::string garbage("\x0a\x03" "abc", 5);  // parses as an envelope without signatures
  REQUIRE_FALSE(ledger::DecodeTransaction(garbage).ok());
  node.Commit({good, garbage});
  auto a = Send(node, "GET", "/v1/blocks/1");
  REQUIRE(a->status == 200);
  api::BlockView v;
  REQUIRE(io::ApiJsonToMessage(a->body, &v, "block", /*ignore_unknown_fields=*/false).ok());
  REQUIRE(v.tx_ids_size() == 2);
  const std::string receipt_id = ledger::HexEncode(contracts::PrepareTx(garbage).id);
  CHECK(v.tx_ids(0) == ledger::HexEncode(contracts::PrepareTx(good).id));
  CHECK(v.tx_ids(1) == receipt_id);
  auto tx = Send(node, "GET", "/v1/txs/" + v.tx_ids(1));
  CHECK(tx->status == 200);
}

// Raw blocks are complete up to their last block: a block missing below the
// tip (a damaged database) is an error, not a shorter 200 the auditor would
// take for the end of the chain.
TEST_CASE("api: a read failure in /v1/raw/blocks is a 5xx, never a truncated 200", "[api]") {
  FakeNode node;
  for (int i = 0; i < 3; ++i) node.Commit({SampleTx(10 + i)});
  auto whole = Send(node, "GET", "/v1/raw/blocks?from=1&to=3");
  REQUIRE(whole->status == 200);
  api::BlockResponse resp;
  REQUIRE(resp.ParseFromString(whole->body));
  CHECK(resp.blocks_size() == 3);

  leveldb::WriteBatch batch;
  batch.Delete(ledger::keys::Block(2));
  REQUIRE(node.ledger().db().Write(&batch, /*sync=*/false).ok());
  auto damaged = Send(node, "GET", "/v1/raw/blocks?from=1&to=3");
  CHECK(damaged->status >= 500);
  CHECK(CodeOf(*damaged) == "BLOCK_MISSING");
}

// Two clients wait for one transaction: one by GET ?wait, one by POST ?wait
// that finds it already committed. The POST answers its own client and must
// leave the GET's waiter for the applier to answer.
TEST_CASE("api: a POST ?wait that finds its transaction committed leaves other waiters", "[api]") {
  FakeNode node;
  const std::string raw = SampleTx(7);
  const ledger::Hash256 id = ledger::TxIdOfBytes(raw);
  const std::string hex = ledger::HexEncode(id);

  auto first = Send(node, "POST", "/v1/txs", raw, "application/x-protobuf");
  REQUIRE(first->status == 202);
  auto getter = Send(node, "GET", "/v1/txs/" + hex + "?wait=30000");
  REQUIRE_FALSE(getter.ready());
  REQUIRE(node.waiting() == 1);

  // The block commits; before the applier answers the waiters, the same
  // transaction is submitted again with ?wait.
  node.Commit({raw});
  auto poster = Send(node, "POST", "/v1/txs?wait=30000", raw, "application/x-protobuf");
  REQUIRE(poster.ready());
  CHECK(poster->status == 200);
  CHECK(node.waiting() == 1);  // the GET's waiter is still there

  node.Notify(id, 1, 0);
  REQUIRE(getter.ready());
  CHECK(getter->status == 200);
  // GET answers a TxView however it waited (docs/openapi.yaml), not POST's
  // SubmitResponse, whose `tx` a TxView parser would take for the transaction.
  api::TxView got;
  INFO(getter->body);
  REQUIRE(io::ApiJsonToMessage(getter->body, &got, "answer", /*ignore_unknown_fields=*/false).ok());
  CHECK(got.status() == "COMMITTED");
  CHECK(got.tx_id() == hex);
  CHECK(got.height() == 1);
  CHECK(got.has_receipt());
  CHECK(got.has_tx());
}

TEST_CASE("api: waiters on one id are removed one by one", "[api]") {
  WaiterTable t(3);
  ledger::Hash256 a{}, b{};
  b[0] = 1;
  auto t1 = t.Add(a, Waiter{});
  auto t2 = t.Add(a, Waiter{});
  auto t3 = t.Add(b, Waiter{});
  REQUIRE((t1 && t2 && t3));
  CHECK_FALSE(t.Add(b, Waiter{}).has_value());  // full
  CHECK(t.Remove(*t1).has_value());
  CHECK_FALSE(t.Remove(*t1).has_value());
  CHECK(t.Take(a).size() == 1);
  CHECK_FALSE(t.Remove(*t2).has_value());
  CHECK(t.size() == 1);
  CHECK(t.TakeExpired(std::chrono::steady_clock::now()).size() == 1);  // deadline {} is long past
  CHECK(t.empty());
}

TEST_CASE("access: every route has a read policy, and every policy a route", "[api][access]") {
  std::set<std::string_view> routes;
  for (const ApiRoute& r : ApiRoutes()) {
    routes.insert(r.id);
    INFO(r.id);
    CHECK(FindRoutePolicy(r.id) != nullptr);  // a new route needs its line in access.cc
  }
  for (const RoutePolicy& p : RoutePolicies()) {
    INFO(p.route_id);
    CHECK(routes.count(p.route_id) == 1);  // no policy for a route that is gone
  }
}

TEST_CASE("access: an anonymous reader gets 401 with WWW-Authenticate where an account is needed", "[api][access]") {
  FakeNode node;
  for (const char* target : {"/v1/raw/blocks?from=1&to=1"}) {
    Answer a = Send(node, "GET", target, "", "", /*as_registrar=*/false);
    REQUIRE(a.ready());
    INFO(target);
    CHECK(a->status == 401);
    CHECK(CodeOf(*a) == "AUTH_MISSING");
    bool challenge = false;
    for (const auto& [k, v] : a->headers) {
      challenge = challenge || (k == "WWW-Authenticate" && v.find("Pledger-Ed25519 realm=\"pledger-test\"") == 0);
    }
    CHECK(challenge);
  }
  Answer token = Send(node, "POST", "/v1/auth/token", "", "", /*as_registrar=*/false);
  CHECK(token->status == 401);
  // Public routes stay open, and whoami says what the reader gets.
  Answer who = Send(node, "GET", "/v1/auth/whoami", "", "", /*as_registrar=*/false);
  REQUIRE(who->status == 200);
  api::WhoAmIView w;
  REQUIRE(io::ApiJsonToMessage(who->body, &w, "whoami", /*ignore_unknown_fields=*/false).ok());
  CHECK(w.via() == "anonymous");
  CHECK(w.view() == "gazette");
  Answer as_registrar = Send(node, "GET", "/v1/auth/whoami");
  REQUIRE(io::ApiJsonToMessage(as_registrar->body, &w, "whoami", /*ignore_unknown_fields=*/false).ok());
  CHECK(w.view() == "full");
  CHECK(w.org_id() == "ipo-a");
}

TEST_CASE("api: POST /v1/txs/simulate refuses anonymous readers and bodies that are not transactions",
          "[api][simulate]") {
  FakeNode node;
  const std::string raw = SampleTx(7);
  // Anonymous: the answer would tell a receipt, which is its parties' to see.
  Answer anon = Send(node, "POST", "/v1/txs/simulate", raw, "application/x-protobuf", /*as_registrar=*/false);
  REQUIRE(anon.ready());
  CHECK(anon->status == 401);
  CHECK(CodeOf(*anon) == "AUTH_MISSING");
  Answer bad = Send(node, "POST", "/v1/txs/simulate", "{\"body\": 1}", "application/json");
  REQUIRE(bad.ready());
  CHECK(bad->status == 400);
  CHECK(CodeOf(*bad) == "TX_JSON_INVALID");
  Answer garbage = Send(node, "POST", "/v1/txs/simulate", "garbage", "application/x-protobuf");
  REQUIRE(garbage.ready());
  CHECK(garbage->status == 400);
  // Admits nothing: the mempool stays empty whatever the answer.
  Answer ok = Send(node, "POST", "/v1/txs/simulate", raw, "application/x-protobuf");
  REQUIRE(ok.ready());
  CHECK(node.mempool.empty());
  // Once committed, a simulation reports the chain's replay rule.
  node.Commit({raw});
  Answer again = Send(node, "POST", "/v1/txs/simulate", raw, "application/x-protobuf");
  REQUIRE(again.ready());
  REQUIRE(again->status == 200);
  api::SimulateView v;
  REQUIRE(io::ApiJsonToMessage(again->body, &v, "simulate", /*ignore_unknown_fields=*/false).ok());
  CHECK(v.code() == "TX_ALREADY_COMMITTED");
  CHECK(v.advisory());
}

// docs/api.md's error table says which HTTP status each code gets; for the
// codes the contracts define (admission refusals), the node's mapping must
// agree (issue 17: TX_EXPIRED was documented as 400 and answered 409).
TEST_CASE("api: every contract code in the docs' error table gets the documented HTTP status", "[api]") {
  std::ifstream in(std::string(PLEDGER_SOURCE_DIR) + "/docs/api.md");
  REQUIRE(in);
  int checked = 0;
  bool table = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| HTTP | when |", 0) == 0) table = true;
    if (!table) continue;
    if (line.empty()) break;
    if (line.size() < 6 || line[0] != '|' || !std::isdigit(static_cast<unsigned char>(line[2]))) continue;
    const int status = std::stoi(line.substr(2, 3));
    for (size_t p = line.find('`'); p != std::string::npos; p = line.find('`', p + 1)) {
      const size_t e = line.find('`', p + 1);
      if (e == std::string::npos) break;
      const std::string code = line.substr(p + 1, e - p - 1);
      p = e;
      const Status s = contracts::Fail(code, "x");
      if (s.reason() == "CODE_UNKNOWN") continue;  // not a contract code
      INFO(code << " is listed under " << status);
      CHECK(HttpStatusOf(s) == status);
      ++checked;
    }
  }
  CHECK(checked >= 5);
}

// Issue 17: receipt.tx_id in JSON answers is hex like the top-level tx_id
// (it was base64, the JSON mapping of the stored receipt's bytes).
TEST_CASE("api: a receipt's tx_id is hex in JSON, as the transaction's id", "[api]") {
  ledger::Receipt stored;
  ledger::Hash256 id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(0xa0 + i);
  stored.set_tx_id(std::string(reinterpret_cast<const char*>(id.data()), id.size()));
  stored.set_code("OK");
  api::TxView v;
  v.set_tx_id(ledger::HexEncode(id));
  *v.mutable_receipt() = ReceiptViewOf(stored);
  const std::string json = io::ToJson(v, /*pretty=*/false);
  CHECK(json.find("\"receipt\":{\"tx_id\":\"" + ledger::HexEncode(id) + "\"") != std::string::npos);
}

}  // namespace
}  // namespace pledger::node
