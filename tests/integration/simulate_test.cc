// Pre-flight on a real 3-node cluster (POST /v1/txs/simulate, docs/api.md
// "Pre-flight"): a pledge above the bank's LTV cap simulates to its refusal
// with its grounds, unsigned; a good pledge simulates OK; nothing is written
// or admitted (height and mempool unchanged, the transactions unknown after);
// a reader who is no party is refused.
//
// Label `integration`. Needs build/bin/pledgerd.
#include <catch2/catch.hpp>

#include <google/protobuf/util/json_util.h>

#include <chrono>

#include "ledger/bytes.h"
#include "ledger/io/api_json.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/tx.h"
#include "tests/integration/cluster.h"
#include "tools/common/workload.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

std::uint64_t Expiry(TestCluster& c) {
  auto s = c.Status(0);
  return (s.ok() ? s->height() : 0) + 1000;
}

void Commit(TestCluster& c, const std::string& what, const std::string& raw) {
  auto r = c.Client(0).Request("POST", "/v1/txs?wait=15000", raw, {{"Content-Type", "application/x-protobuf"}}, 20s);
  INFO(what << ": " << (r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString()));
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  api::SubmitResponse s;
  REQUIRE(io::ApiJsonToMessage(r->body, &s, "submit answer").ok());
  REQUIRE(s.status() == "COMMITTED");
  REQUIRE(s.tx().receipt_code() == "OK");
}

struct Simulated {
  int status = 0;
  std::string body;
  api::SimulateView view;
};

Simulated Simulate(TestCluster& c, int node, const std::string& account, const std::string& raw) {
  auto r = c.ClientAs(node, account)
               ->Request("POST", "/v1/txs/simulate", raw, {{"Content-Type", "application/x-protobuf"}}, 10s);
  REQUIRE(r.ok());
  Simulated s;
  s.status = r->status;
  s.body = r->body;
  if (r->status == 200) {
    REQUIRE(io::ApiJsonToMessage(r->body, &s.view, "simulation").ok());
  }
  return s;
}

// The pledge `w` would build, with another principal and only `signers`.
std::string PledgeWith(TestCluster& c, const tools::WorkloadTx& base, std::int64_t principal_fen,
                       std::initializer_list<const char*> signers) {
  ledger::Transaction tx;
  REQUIRE(tx.ParseFromString(base.raw));
  ledger::TxBody body;
  REQUIRE(body.ParseFromString(tx.body()));
  body.set_nonce(body.nonce() + 1);
  body.mutable_action()->mutable_pledge_register()->set_principal_fen(principal_fen);
  ledger::Transaction out = ledger::MakeTransaction(body);
  for (const char* s : signers) ledger::SignTransaction(&out, c.Account(s));
  return out.SerializeAsString();
}

TEST_CASE("simulate: refused and good pledges on a cluster, nothing written or admitted", "[integration]") {
  TestCluster c;
  c.StartAll();
  REQUIRE(c.WaitForLeader(30s) >= 0);

  tools::Workload w(c.Parties(), 18, 1);
  tools::WorkloadTx patent = w.PatentRegister(Expiry(c));
  Commit(c, "patent", patent.raw);
  tools::WorkloadTx valuation = w.Valuation(patent.patent_no, Expiry(c));
  Commit(c, "valuation", valuation.raw);
  // Realisable 12,000,000 yuan; bank-a lends at most 50 % of it (the cluster's genesis).
  tools::WorkloadTx good = w.Pledge(patent.patent_no, valuation.object_id, Expiry(c));  // 3,000,000: 25 %
  const std::string too_much = PledgeWith(c, good, 700'000'000, {});                    // 7,000,000: 58 %
  REQUIRE(c.WaitFor([&] {
    auto s0 = c.Status(0), s1 = c.Status(1), s2 = c.Status(2);
    return s0.ok() && s1.ok() && s2.ok() && s0->height() == s1->height() && s1->height() == s2->height();
  }, 10s));
  auto before = c.Status(1);
  REQUIRE(before.ok());

  // Unsigned, above the cap: the refusal with its ground, and who must sign.
  Simulated refused = Simulate(c, 1, "bank-a", too_much);
  INFO(refused.body);
  REQUIRE(refused.status == 200);
  CHECK(refused.view.code() == "PLEDGE_LTV_EXCEEDED");
  CHECK(refused.view.rule() == "R29");
  bool ground = false;
  for (const auto& g : refused.view.grounds()) ground = ground || g.find("PLEDGE_LTV_EXCEEDED") != std::string::npos;
  CHECK(ground);
  CHECK_FALSE(refused.view.signatures_checked());
  CHECK(refused.view.missing_size() == 3);
  CHECK(refused.view.advisory());
  CHECK(refused.view.height() >= before->height() + 1);

  // Fully signed and within the cap: OK, nothing assumed, the pledge it would create.
  Simulated ok = Simulate(c, 1, "bank-a", good.raw);
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK(ok.view.code() == "OK");
  CHECK(ok.view.signatures_checked());
  CHECK(ok.view.missing_size() == 0);
  CHECK(ok.view.object_id() == good.object_id);
  CHECK(ok.view.events_size() > 0);

  // The owner (a party) may simulate too; another bank may not; nor may the public.
  CHECK(Simulate(c, 2, "sme", good.raw).status == 200);
  Simulated other = Simulate(c, 2, "bank-b", good.raw);
  CHECK(other.status == 403);
  CHECK(other.body.find("READ_FORBIDDEN") != std::string::npos);
  CHECK(Simulate(c, 2, "", good.raw).status == 401);

  // Nothing written, nothing admitted. (A block carrying only the last
  // block's attestations may follow, so the height is compared through the
  // state: no transaction of those blocks changed it.)
  auto after = c.Status(1);
  REQUIRE(after.ok());
  CHECK(after->mempool_txs() == 0);
  CHECK(after->mempool_txs() == before->mempool_txs());
  CHECK(after->state_root() == before->state_root());
  for (std::uint64_t h = before->height() + 1; h <= after->height(); ++h) {
    auto b = c.ClientAs(1, "ipo-a")->Get("/v1/blocks/" + std::to_string(h));
    REQUIRE(b.ok());
    api::BlockView bv;
    REQUIRE(io::ApiJsonToMessage(b->body, &bv, "block").ok());
    CHECK(bv.tx_ids_size() == 0);
  }
  for (int i = 0; i < c.size(); ++i) {
    for (const std::string* raw : std::initializer_list<const std::string*>{&good.raw, &too_much}) {
      auto id = ledger::HexEncode(ledger::TxIdOfBytes(*raw));
      auto r = c.ClientAs(i, "ipo-a")->Get("/v1/txs/" + id);
      REQUIRE(r.ok());
      CHECK(r->status == 404);
    }
  }

  // The good pledge then commits as simulated.
  Commit(c, "pledge", good.raw);
}

}  // namespace
}  // namespace pledger::test
