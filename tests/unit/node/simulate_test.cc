// Pre-flight (node/simulate.h) over the contracts' test world: the receipt a
// transaction would get, signed or not, and nothing written.
#include <catch2/catch.hpp>

#include "ledger/bytes.h"
#include "ledger/tx.h"
#include "node/simulate.h"
#include "tests/unit/contracts/harness.h"

namespace pledger::node {
namespace {

using contracts::test::World;
using contracts::test::Zl;

struct Fixture {
  World w;
  std::string p1 = Zl(2020, 1, 1000001);
  std::string vid;
  Fixture() {
    REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
    contracts::Action pol;
    pol.mutable_bank_policy_set()->set_bank_org_id("bank-a");
    pol.mutable_bank_policy_set()->mutable_policy()->set_ltv_cap_bps(3000);
    REQUIRE(w.Run(pol, {"bank-a"}).code() == "OK");
    REQUIRE(w.Valuate({p1}, 500'000'000, 300'000'000).code() == "OK");
    vid = w.last_object_id();
  }
  SimulationPoint At() const {
    SimulationPoint at;
    at.chain_id = contracts::test::kChain;
    at.state_height = w.height();
    at.last_time_ms = w.time_ms();
    at.next_time_ms = w.time_ms() + 1000;
    return at;
  }
  Result<api::SimulateView> Simulate(const std::string& raw) { return SimulateTransaction(w.state(), At(), raw); }
};

bool Has(const google::protobuf::RepeatedPtrField<std::string>& list, std::string_view prefix) {
  for (const auto& s : list) {
    if (s.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

TEST_CASE("simulate: a pledge above the bank's LTV cap simulates to its refusal, with grounds", "[unit][simulate]") {
  Fixture f;
  const auto before = f.w.state().data();
  // 1,000,000 yuan against 3,000,000 realisable: 33 % over a 30 % cap.
  auto action = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1}, 100'000'000, f.vid);
  auto v = f.Simulate(f.w.Build(action, {"bank-a", "sme-1", "ipo-a"}));
  REQUIRE(v.ok());
  CHECK(v->code() == "PLEDGE_LTV_EXCEEDED");
  CHECK(v->rule() == "R29");
  CHECK(Has(v->grounds(), "PLEDGE_LTV_EXCEEDED"));
  CHECK(v->signatures_checked());
  CHECK(v->missing().empty());
  CHECK(v->advisory());
  CHECK(v->height() == f.w.height() + 1);
  CHECK(v->object_id().empty());
  CHECK(f.w.state().data() == before);  // nothing written
}

TEST_CASE("simulate: unsigned, the required parties stand in, and the answer names who must sign", "[unit][simulate]") {
  Fixture f;
  auto action = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1}, 50'000'000, f.vid);  // 1/6: within the cap
  auto unsigned_tx = f.Simulate(f.w.Build(action, {}));
  REQUIRE(unsigned_tx.ok());
  CHECK(unsigned_tx->code() == "OK");
  CHECK_FALSE(unsigned_tx->signatures_checked());
  CHECK(unsigned_tx->missing_size() == 3);  // bank, owner, IP office
  CHECK_FALSE(unsigned_tx->object_id().empty());
  CHECK(Has(unsigned_tx->notes(), "signatures not checked"));
  for (const auto& p : unsigned_tx->required()) CHECK(p.state() == "MISSING");

  // Partly signed: the bank's signature counts, the others are missing.
  auto partly = f.Simulate(f.w.Build(action, {"bank-a"}));
  REQUIRE(partly.ok());
  CHECK(partly->code() == "OK");
  CHECK(partly->missing_size() == 2);
  CHECK_FALSE(partly->signatures_checked());

  // Fully signed: OK, nothing assumed.
  auto full = f.Simulate(f.w.Build(action, {"bank-a", "sme-1", "ipo-a"}));
  REQUIRE(full.ok());
  CHECK(full->code() == "OK");
  CHECK(full->signatures_checked());
  CHECK(full->missing().empty());
  CHECK(full->events_size() > 0);
}

TEST_CASE("simulate: an invalid signature is named and left out", "[unit][simulate]") {
  Fixture f;
  auto action = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1}, 50'000'000, f.vid);
  ledger::Transaction tx;
  REQUIRE(tx.ParseFromString(f.w.Build(action, {"bank-a", "sme-1", "ipo-a"})));
  std::string* sig = tx.mutable_signatures(1)->mutable_signature();
  (*sig)[0] = static_cast<char>((*sig)[0] ^ 1);
  auto v = f.Simulate(tx.SerializeAsString());
  REQUIRE(v.ok());
  CHECK(v->invalid_signatures_size() == 1);
  CHECK(v->invalid_signatures(0) == f.w.KeyHex("sme-1"));
  CHECK_FALSE(v->signatures_checked());
  CHECK(v->missing_size() == 1);  // the owner's signature did not count
  CHECK(v->code() == "OK");       // as if it had signed
}

TEST_CASE("simulate: bytes that do not decode are an error, not a receipt", "[unit][simulate]") {
  Fixture f;
  auto v = f.Simulate("not a transaction");
  CHECK_FALSE(v.ok());
}

TEST_CASE("simulate: only the parties of a transaction count as its parties", "[unit][simulate]") {
  Fixture f;
  auto action = f.w.PledgeAction("bank-a", {"sme-1"}, {f.p1}, 50'000'000, f.vid);
  auto party = [&](const std::string& org, contracts::Role role) {
    auto r = IsRequiredParty(f.w.state(), f.w.time_ms(), action, org, {role}, std::string(64, 'a'));
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(party("bank-a", contracts::ROLE_BANK));
  CHECK(party("sme-1", contracts::ROLE_OWNER));
  CHECK_FALSE(party("bank-b", contracts::ROLE_BANK));
  CHECK_FALSE(party("sme-2", contracts::ROLE_OWNER));
}

}  // namespace
}  // namespace pledger::node
