// Running totals that only grow (a pledge's repaid total, a pool member's
// collections) must refuse a transaction that would take them past int64
// rather than wrap or silently keep the old value. The totals are set near the
// limit directly in state: reaching them through transactions would take
// tens of thousands of blocks.
#include <catch2/catch.hpp>

#include <limits>

#include "tests/unit/contracts/harness.h"
#include "tests/unit/contracts/pool_fixture.h"

namespace pledger::contracts::test {
namespace {

constexpr std::int64_t kNearMax = std::numeric_limits<std::int64_t>::max() - 5;

template <typename M>
void Overwrite(World& w, const std::string& key, const M& record) {
  ledger::WriteSet ws;
  ws[key] = EncodeRecord(record);
  w.state().Apply(ws);
}

struct PledgeWithLongHistory {
  World w;
  std::string p1 = Zl(2020, 1, 3000001);
  std::string pledge;
  PledgeWithLongHistory() {
    REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
    auto r = w.Run(w.PledgeAction("bank-a", {"sme-1"}, {p1}), {"bank-a", "sme-1", "ipo-a"});
    INFO(r.message());
    REQUIRE(r.code() == "OK");
    pledge = w.last_object_id();
    Pledge p = w.GetPledge(pledge);
    p.set_repaid_fen(kNearMax);
    Overwrite(w, keys::Pledge(pledge), p);
  }
};

TEST_CASE("LoanRepay: a repaid total past int64 is refused (R16)", "[unit][contracts][R16][overflow]") {
  PledgeWithLongHistory f;
  Action a;
  a.mutable_loan_repay()->set_pledge_id(f.pledge);
  a.mutable_loan_repay()->set_amount_fen(100);
  const ledger::Receipt r = f.w.Run(a, {"bank-a"});
  INFO(r.message());
  CHECK(r.code() == "PLEDGE_AMOUNT_OVERFLOW");
  CHECK(r.rule() == "R16");
  CHECK(f.w.GetPledge(f.pledge).repaid_fen() == kNearMax);
  CHECK(f.w.GetPledge(f.pledge).outstanding_principal_fen() == 100'000'000);
}

TEST_CASE("PledgeEnforce: a repaid total past int64 is refused (R16, R17)", "[unit][contracts][R17][overflow]") {
  PledgeWithLongHistory f;
  f.w.SetToday(DaysFromCivil(2025, 7, 1));  // after the due date
  Action a;
  PledgeEnforce* e = a.mutable_pledge_enforce();
  e->set_pledge_id(f.pledge);
  e->set_method(ENFORCE_AUCTION);
  e->set_proceeds_fen(50'000'000);
  e->set_document_hash(Hash("auction"));
  const ledger::Receipt r = f.w.Run(a, {"bank-a"});
  INFO(r.message());
  CHECK(r.code() == "PLEDGE_AMOUNT_OVERFLOW");
  CHECK(f.w.GetPledge(f.pledge).state() == PLEDGE_REGISTERED);
}

TEST_CASE("PoolCollect: a member's collected total past int64 is refused (H7)", "[unit][contracts][pools][overflow]") {
  StandardDeal d;
  PoolMember m = d.w.Get<PoolMember>(keys::PoolMember(d.pool, d.p1));
  m.set_collected_fen(kNearMax);
  Overwrite(d.w, keys::PoolMember(d.pool, d.p1), m);
  const ledger::Receipt r = d.w.Run(CollectAction(d.pool, {{d.p1, 100}}), {"trustee-1"});
  INFO(r.message());
  CHECK(r.code() == "POOL_AMOUNT_OVERFLOW");
  CHECK(d.w.Get<PoolMember>(keys::PoolMember(d.pool, d.p1)).collected_fen() == kNearMax);
  CHECK(d.GetPool().period_collections_fen() == 0);
}

}  // namespace
}  // namespace pledger::contracts::test
