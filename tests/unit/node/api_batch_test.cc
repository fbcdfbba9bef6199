// POST /v1/txs/batch over a ledger of the test's own (a fake ApiBackend, as
// api_test.cc): per-transaction outcomes in request order, the wait path,
// the limits, and that each entry reads exactly as POST /v1/txs answers the
// same reader.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "contracts/engine.h"
#include "ledger/block.h"
#include "ledger/bytes.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "ledger/io/proto/api.pb.h"
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

ledger::Transaction SampleTxMsg(std::uint64_t nonce, const std::string& chain = kChain) {
  ledger::TxBody body;
  body.set_chain_id(chain);
  body.set_nonce(nonce);
  body.set_expiry_height(100);
  body.mutable_action()->mutable_noop();
  ledger::Transaction tx = ledger::MakeTransaction(body);
  ledger::SignTransaction(&tx, test::TestKey(1));
  return tx;
}
std::string SampleTx(std::uint64_t nonce, const std::string& chain = kChain) {
  return SampleTxMsg(nonce, chain).SerializeAsString();
}
std::string Hex(const std::string& raw) { return ledger::HexEncode(ledger::TxIdOfBytes(raw)); }

// An ApiBackend over a real ledger that admits as the node's admission does
// in outline: strict decoding, the chain id, a full mempool for the ids in
// `mempool_full`; the work pool runs jobs inline and counts them.
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
    if (pool_full) return false;
    ++jobs;
    job();
    return true;
  }
  Status AdmitFromClient(std::string raw, ledger::Hash256* id) override {
    ++admissions;
    auto tx = ledger::DecodeTransaction(raw);
    if (!tx.ok()) return tx.status();
    *id = ledger::TxIdOfBytes(raw);
    if (ledger_->blocks().LocateTx(*id).ok()) {
      return Status::AlreadyExists("TX_ALREADY_COMMITTED", "already in the chain");
    }
    ledger::TxBody body;
    if (!body.ParseFromString(tx->body()) || body.chain_id() != kChain) {
      return Status::InvalidArgument("TX_WRONG_CHAIN", "built for another chain");
    }
    if (mempool_full.count(*id) > 0) return Status::ResourceExhausted("MEMPOOL_FULL", "the mempool is full");
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
  // Any Authorization header stands for the IP office's account (a full
  // reader), none for an anonymous reader (the public view).
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

  // Commits a block of `txs` (receipt code `codes[raw]`, "OK" if absent),
  // then answers their waiters as the applier does.
  void CommitAndNotify(const std::vector<std::string>& txs, const std::map<std::string, std::string>& codes = {}) {
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
    std::vector<ledger::Receipt> receipts;
    std::vector<std::string> stored;
    for (const auto& raw : txs) {
      ledger::Receipt r;
      ledger::Hash256 id = contracts::PrepareTx(raw).id;
      r.set_tx_id(std::string(ledger::AsStringView(id)));
      auto c = codes.find(raw);
      r.set_code(c == codes.end() ? "OK" : c->second);
      receipts.push_back(r);
      stored.push_back(ledger::SerializeCanonical(r));
      mempool.erase(id);
    }
    REQUIRE(ledger_->CommitBlock(b, stored, {}, /*sync=*/false).ok());
    for (size_t i = 0; i < txs.size(); ++i) {
      ledger::Hash256 id = contracts::PrepareTx(txs[i]).id;
      std::vector<Waiter> ready;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ready = waiters_.Take(id);
      }
      for (auto& w : ready) w.respond(CommittedAnswer(id, receipts[i], d.height, static_cast<std::uint32_t>(i)));
    }
  }
  // The expiry sweep: every waiter is answered "still pending".
  void ExpireAll() {
    std::vector<Waiter> gone;
    {
      std::lock_guard<std::mutex> lock(mu_);
      gone = waiters_.TakeExpired(std::chrono::steady_clock::now() + std::chrono::hours(1));
    }
    for (auto& w : gone) w.respond(StillPendingAnswer(w.tx_id_hex));
  }
  size_t waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiters_.size();
  }

  std::set<ledger::Hash256> mempool;
  std::set<ledger::Hash256> mempool_full;
  bool pool_full = false;
  int jobs = 0;
  int admissions = 0;

 private:
  test::TempDir dir_;
  std::string genesis_ = "genesis-bytes";
  std::string chain_ = kChain;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::mutex mu_;
  WaiterTable waiters_{limits::kWaitersMax};
};

struct Answer {
  std::shared_ptr<std::optional<HttpResponse>> got = std::make_shared<std::optional<HttpResponse>>();
  bool ready() const { return got->has_value(); }
  const HttpResponse& operator*() const { return **got; }
  const HttpResponse* operator->() const { return &**got; }
};

// Sends a request as the IP office (`as_registrar`) or anonymously.
Answer Send(FakeNode& node, const std::string& target, std::string body, const std::string& content_type,
            bool as_registrar = true) {
  HttpRequest req;
  req.method = "POST";
  req.target = target;
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string kv = target.substr(q + 1);
    size_t eq = kv.find('=');
    req.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  if (!content_type.empty()) req.headers["content-type"] = content_type;
  if (as_registrar) req.headers["authorization"] = "registrar";
  req.body = std::move(body);
  Answer a;
  auto got = a.got;
  DispatchApi(node, std::move(req), [got](HttpResponse r) {
    REQUIRE_FALSE(got->has_value());  // a request is answered once
    *got = std::move(r);
  });
  return a;
}

std::string ProtoBatch(const std::vector<std::string>& txs) {
  api::TxBatch b;
  for (const auto& t : txs) b.add_txs(t);
  return b.SerializeAsString();
}

std::string CodeOf(const HttpResponse& r) {
  api::ErrorView e;
  if (!io::ApiJsonToMessage(r.body, &e, "error", /*ignore_unknown_fields=*/false).ok()) return "";
  return e.error().code();
}

api::TxBatchResponse Results(const HttpResponse& r) {
  api::TxBatchResponse resp;
  REQUIRE(io::ApiJsonToMessage(r.body, &resp, "batch", /*ignore_unknown_fields=*/true).ok());
  return resp;
}

TEST_CASE("batch: each transaction is admitted on its own and answered in request order", "[api][batch]") {
  FakeNode node;
  const std::string committed = SampleTx(1);
  node.CommitAndNotify({committed});
  const std::string good = SampleTx(2);
  const std::string full = SampleTx(3);
  node.mempool_full.insert(ledger::TxIdOfBytes(full));
  const std::string wrong_chain = SampleTx(4, "another-chain");
  const std::string garbage("\x0a\x03" "abc", 5);  // an envelope without signatures
  const std::string good2 = SampleTx(5);
  const std::vector<std::string> txs{good, good, garbage, wrong_chain, committed, full, good2};

  const int jobs_before = node.jobs;
  // Anonymous: no work-pool hop to check a signed request's credentials.
  Answer a = Send(node, "/v1/txs/batch", ProtoBatch(txs), "application/x-protobuf", /*as_registrar=*/false);
  REQUIRE(a.ready());
  REQUIRE(a->status == 200);
  CHECK(node.jobs - jobs_before == 1);  // one work-pool job for the whole batch
  api::TxBatchResponse r = Results(*a);
  REQUIRE(r.results_size() == 7);

  CHECK(r.results(0).tx_id() == Hex(good));
  CHECK(r.results(0).status() == "PENDING");
  CHECK(r.results(1).tx_id() == Hex(good));  // a duplicate is the same mempool entry
  CHECK(r.results(1).status() == "PENDING");
  CHECK(r.results(2).tx_id() == Hex(garbage));
  CHECK(r.results(2).status() == "REFUSED");
  CHECK(r.results(2).code() == ledger::DecodeTransaction(garbage).status().reason());  // TX_NO_SIGNATURES
  CHECK_FALSE(r.results(2).retryable());
  CHECK(r.results(3).status() == "REFUSED");
  CHECK(r.results(3).code() == "TX_WRONG_CHAIN");
  CHECK_FALSE(r.results(3).retryable());
  CHECK(r.results(4).tx_id() == Hex(committed));
  CHECK(r.results(4).status() == "COMMITTED");
  CHECK(r.results(5).status() == "REFUSED");
  CHECK(r.results(5).code() == "MEMPOOL_FULL");
  CHECK(r.results(5).retryable());
  CHECK(r.results(5).retry_after_ms() == 1000);
  CHECK(r.results(6).status() == "PENDING");
  CHECK(node.mempool == std::set<ledger::Hash256>{ledger::TxIdOfBytes(good), ledger::TxIdOfBytes(good2)});

  // An admitted entry reads exactly as POST /v1/txs answers it.
  Answer single = Send(node, "/v1/txs", good2, "application/x-protobuf");
  REQUIRE(single->status == 202);
  CHECK(a->body.find(single->body) != std::string::npos);
}

TEST_CASE("batch: JSON takes the transactions as POST /v1/txs does", "[api][batch]") {
  FakeNode node;
  api::TxBatchRequest req;
  *req.add_txs() = SampleTxMsg(1);
  *req.add_txs() = SampleTxMsg(2);
  req.add_txs()->set_body("not a body");  // decodes as an envelope, fails the strict checks
  Answer a = Send(node, "/v1/txs/batch", io::ToJson(req, /*pretty=*/false), "application/json");
  REQUIRE(a->status == 200);
  api::TxBatchResponse r = Results(*a);
  REQUIRE(r.results_size() == 3);
  CHECK(r.results(0).tx_id() == Hex(SampleTx(1)));
  CHECK(r.results(0).status() == "PENDING");
  CHECK(r.results(1).tx_id() == Hex(SampleTx(2)));
  CHECK(r.results(2).status() == "REFUSED");
  CHECK_FALSE(r.results(2).code().empty());
  CHECK(node.mempool.size() == 2);
}

TEST_CASE("batch: a batch that is malformed or over a limit is refused whole, nothing admitted", "[api][batch]") {
  FakeNode node;
  struct Case {
    std::string name, body, content_type;
    int status;
    std::string code;
  };
  std::vector<std::string> many;
  for (std::uint64_t i = 0; i < limits::kTxBatchTxsMax + 1; ++i) many.push_back(SampleTx(100 + i));
  std::vector<std::string> big(limits::kTxBatchBytesMax / (60u << 10) + 2, std::string(60u << 10, 'x'));
  big.front() = SampleTx(1);  // a good one first: still not admitted
  api::TxBatchRequest many_json;
  for (std::uint64_t i = 0; i < limits::kTxBatchTxsMax + 1; ++i) *many_json.add_txs() = SampleTxMsg(100 + i);
  for (const Case& c : std::vector<Case>{
           {"too many", ProtoBatch(many), "application/x-protobuf", 413, "TX_BATCH_TOO_MANY"},
           {"too many as JSON", io::ToJson(many_json, false), "application/json", 413, "TX_BATCH_TOO_MANY"},
           {"too many bytes", ProtoBatch(big), "application/x-protobuf", 413, "TX_BATCH_TOO_LARGE"},
           {"not a TxBatch", "garbage", "application/x-protobuf", 400, "TX_BATCH_MALFORMED"},
           {"not JSON", "{\"txs\": 1}", "application/json", 400, "TX_BATCH_JSON_INVALID"},
           {"unknown field", "{\"tx\": []}", "application/json", 400, "TX_BATCH_JSON_INVALID"},
           {"empty", "{\"txs\": []}", "application/json", 400, "TX_BATCH_EMPTY"},
           {"empty protobuf", "", "application/x-protobuf", 400, "TX_BATCH_EMPTY"},
       }) {
    INFO(c.name);
    Answer a = Send(node, "/v1/txs/batch", c.body, c.content_type);
    REQUIRE(a.ready());
    CHECK(a->status == c.status);
    CHECK(CodeOf(*a) == c.code);
  }
  CHECK(node.admissions == 0);
  CHECK(node.mempool.empty());

  // At the limit exactly, everything goes in.
  many.pop_back();
  Answer a = Send(node, "/v1/txs/batch", ProtoBatch(many), "application/x-protobuf");
  REQUIRE(a->status == 200);
  CHECK(Results(*a).results_size() == static_cast<int>(limits::kTxBatchTxsMax));
  CHECK(node.mempool.size() == limits::kTxBatchTxsMax);

  Answer w = Send(node, "/v1/txs/batch?wait=60001", ProtoBatch({SampleTx(1)}), "application/x-protobuf");
  CHECK(w->status == 400);
  CHECK(CodeOf(*w) == "WAIT_INVALID");
}

TEST_CASE("batch: a full work pool is 503 NODE_BUSY for the whole batch, nothing admitted", "[api][batch]") {
  FakeNode node;
  node.pool_full = true;
  Answer a = Send(node, "/v1/txs/batch", ProtoBatch({SampleTx(1), SampleTx(2)}), "application/x-protobuf",
                  /*as_registrar=*/false);
  REQUIRE(a.ready());
  CHECK(a->status == 503);
  CHECK(CodeOf(*a) == "NODE_BUSY");
  bool retry_after = false;
  for (const auto& [k, v] : a->headers) retry_after = retry_after || k == "Retry-After";
  CHECK(retry_after);
  CHECK(node.admissions == 0);
}

TEST_CASE("batch: ?wait answers once every admitted transaction committed, refusals do not hold it",
          "[api][batch]") {
  FakeNode node;
  const std::string a1 = SampleTx(1), a2 = SampleTx(2), refused = SampleTx(3, "elsewhere");
  Answer a = Send(node, "/v1/txs/batch?wait=30000", ProtoBatch({a1, refused, a2}), "application/x-protobuf");
  REQUIRE_FALSE(a.ready());
  CHECK(node.waiting() == 2);
  node.CommitAndNotify({a1});
  REQUIRE_FALSE(a.ready());  // a2 still pending
  node.CommitAndNotify({a2}, {{a2, "PLEDGE_LTV_EXCEEDED"}});
  REQUIRE(a.ready());
  REQUIRE(a->status == 200);
  api::TxBatchResponse r = Results(*a);
  REQUIRE(r.results_size() == 3);
  CHECK(r.results(0).status() == "COMMITTED");
  CHECK(r.results(0).tx().height() == 1);
  CHECK(r.results(0).tx().receipt().code() == "OK");
  CHECK(r.results(1).status() == "REFUSED");
  CHECK(r.results(1).code() == "TX_WRONG_CHAIN");
  CHECK(r.results(2).status() == "COMMITTED");
  CHECK(r.results(2).tx().height() == 2);
  CHECK(r.results(2).tx().receipt_code() == "PLEDGE_LTV_EXCEEDED");  // a contract refusal is a receipt
  CHECK(node.waiting() == 0);
}

TEST_CASE("batch: ?wait that runs out answers the rest PENDING, committed ones at once",
          "[api][batch]") {
  FakeNode node;
  const std::string before = SampleTx(1), later = SampleTx(2), never = SampleTx(3);
  node.CommitAndNotify({before});
  Answer a = Send(node, "/v1/txs/batch?wait=1000", ProtoBatch({before, later, never}), "application/x-protobuf");
  REQUIRE_FALSE(a.ready());
  CHECK(node.waiting() == 2);  // the committed one answered from the chain, its waiter withdrawn
  node.CommitAndNotify({later});
  REQUIRE_FALSE(a.ready());
  node.ExpireAll();
  REQUIRE(a.ready());
  api::TxBatchResponse r = Results(*a);
  REQUIRE(r.results_size() == 3);
  CHECK(r.results(0).status() == "COMMITTED");
  CHECK(r.results(0).tx().proof().tree_size() == 1);  // read from the chain: the full view
  CHECK(r.results(1).status() == "COMMITTED");
  CHECK(r.results(2).status() == "PENDING");
  CHECK(r.results(2).tx_id() == Hex(never));

  // Every transaction settled already: the batch answers without waiting.
  Answer b = Send(node, "/v1/txs/batch?wait=1000", ProtoBatch({before, later}), "application/x-protobuf");
  REQUIRE(b.ready());
  CHECK(Results(*b).results(1).status() == "COMMITTED");
  CHECK(node.waiting() == 0);
}

// A reader who is not a signer (anonymous here) sees each committed entry
// exactly as POST /v1/txs?wait shows that reader the same transaction, and
// a full reader too: the batch's body is the single answers, in order.
TEST_CASE("batch: each committed entry is scoped exactly as POST /v1/txs?wait scopes it for the reader",
          "[api][batch][access]") {
  for (bool as_registrar : {false, true}) {
    INFO((as_registrar ? "IP office" : "anonymous"));
    FakeNode node;
    const std::string t1 = SampleTx(1), t2 = SampleTx(2);
    Answer batch = Send(node, "/v1/txs/batch?wait=30000", ProtoBatch({t1, t2}), "application/x-protobuf",
                        as_registrar);
    Answer s1 = Send(node, "/v1/txs?wait=30000", t1, "application/x-protobuf", as_registrar);
    Answer s2 = Send(node, "/v1/txs?wait=30000", t2, "application/x-protobuf", as_registrar);
    REQUIRE_FALSE(batch.ready());
    node.CommitAndNotify({t1, t2});
    REQUIRE(batch.ready());
    REQUIRE(s1.ready());
    REQUIRE(s2.ready());
    CHECK(s1->status == 200);
    CHECK(batch->body == "{\"results\":[" + s1->body + "," + s2->body + "]}");
    if (!as_registrar) CHECK(batch->body.find("\"view\":\"gazette\"") != std::string::npos);
  }
}

TEST_CASE("batch: the route is public like txs.submit", "[api][batch][access]") {
  const RoutePolicy* batch = FindRoutePolicy("txs.batch");
  const RoutePolicy* submit = FindRoutePolicy("txs.submit");
  REQUIRE(batch != nullptr);
  REQUIRE(submit != nullptr);
  CHECK(batch->access == submit->access);
}

}  // namespace
}  // namespace pledger::node
