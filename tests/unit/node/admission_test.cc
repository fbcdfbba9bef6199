// Admission control (node/admission.h, issue 20): the gate's limit follows
// the shortest admission-to-commit wait, and the mempool counts what this
// node's own clients have in flight.
#include <catch2/catch.hpp>

#include <memory>
#include <thread>

#include "contracts/engine.h"
#include "ledger/tx.h"
#include "node/admission.h"
#include "node/mempool.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

using namespace std::chrono_literals;
using Clock = AdmissionGate::Clock;

AdmissionGate::Options Opts() {
  AdmissionGate::Options o;
  o.target = 50ms;
  o.interval = 100ms;
  o.min_limit = 8;
  o.max_limit = 1000;
  o.initial_limit = 100;
  return o;
}

// Fills one interval: in-flight counts seen by Allow, then commits whose
// shortest wait is `shortest`, the last one closing the interval.
void Interval(AdmissionGate& g, Clock::time_point* now, size_t in_flight, Clock::duration shortest) {
  (void)g.Allow(in_flight);
  g.OnCommitted(*now, shortest + 30ms);
  g.OnCommitted(*now + 40ms, shortest);
  *now += 100ms;
  g.OnCommitted(*now, shortest + 10ms);
}

TEST_CASE("admission: refuses at the limit, and only there", "[node][admission]") {
  AdmissionGate g(Opts());
  CHECK(g.Allow(0));
  CHECK(g.Allow(99));
  CHECK_FALSE(g.Allow(100));
  CHECK_FALSE(g.Allow(5000));
  CHECK(g.refused() == 2);
}

TEST_CASE("admission: a standing queue shrinks the limit to its floor, a short one lets it grow back",
          "[node][admission]") {
  AdmissionGate g(Opts());
  Clock::time_point now = Clock::now();
  // The chain's own pace, unloaded: 10 ms.
  Interval(g, &now, 0, 10ms);
  size_t last = g.limit();
  REQUIRE(last == 100);
  // Even the quickest transaction waited 80 ms: a fifth off each interval.
  for (int i = 0; i < 3; ++i) {
    Interval(g, &now, g.limit(), 80ms);
    CHECK(g.limit() < last);
    last = g.limit();
  }
  CHECK(g.limit() == 51);  // 100 * 0.8^3
  CHECK(g.last_shortest_wait_us() == 80'000);
  for (int i = 0; i < 40; ++i) Interval(g, &now, g.limit(), 200ms);
  CHECK(g.limit() == 8);  // never below the floor
  // The queue is gone (20 ms) and clients use the limit: it grows.
  last = g.limit();
  for (int i = 0; i < 5; ++i) {
    Interval(g, &now, g.limit(), 20ms);
    CHECK(g.limit() > last);
    last = g.limit();
  }
  CHECK(g.limit() > 8);
  CHECK(g.limit() < 30);  // by a tenth (plus one) each interval, not at once
}

TEST_CASE("admission: a limit the clients do not use does not grow", "[node][admission]") {
  AdmissionGate g(Opts());
  Clock::time_point now = Clock::now();
  for (int i = 0; i < 20; ++i) Interval(g, &now, 10, 5ms);  // 10 in flight of 100
  CHECK(g.limit() == 100);
}

TEST_CASE("admission: a zero target turns the gate off", "[node][admission]") {
  AdmissionGate::Options o = Opts();
  o.target = 0ms;
  AdmissionGate g(o);
  CHECK_FALSE(g.enabled());
  CHECK(g.Allow(1'000'000));
  Clock::time_point now = Clock::now();
  for (int i = 0; i < 10; ++i) Interval(g, &now, 1'000'000, 10s);
  CHECK(g.Allow(1'000'000));
  CHECK(g.refused() == 0);
}

std::shared_ptr<const contracts::PreparedTx> Noop(std::uint64_t nonce) {
  ledger::TxBody body;
  body.set_chain_id("pledger-test");
  body.set_nonce(nonce);
  body.set_expiry_height(100);
  body.mutable_action()->mutable_noop();
  ledger::Transaction tx = ledger::MakeTransaction(body);
  ledger::SignTransaction(&tx, test::TestKey(1));
  return std::make_shared<const contracts::PreparedTx>(contracts::PrepareTx(tx.SerializeAsString()));
}

TEST_CASE("mempool: counts its own clients' transactions and reports the quickest one's wait at commit",
          "[node][admission]") {
  Mempool m(100, 1 << 20);
  auto a = Noop(1), b = Noop(2), c = Noop(3);
  REQUIRE(m.Add(a, 100, /*local=*/true).ok());
  std::this_thread::sleep_for(20ms);
  REQUIRE(m.Add(b, 100, /*local=*/false).ok());  // forwarded by a peer
  REQUIRE(m.Add(c, 100, /*local=*/true).ok());
  CHECK(m.size() == 3);
  CHECK(m.local() == 2);

  Clock::duration shortest{};
  // Only the peer's: no local wait to report.
  CHECK_FALSE(m.Remove({b->id}, &shortest));
  CHECK(m.local() == 2);
  // a waited 20 ms longer than c: the shortest is c's.
  REQUIRE(m.Remove({a->id, c->id}, &shortest));
  CHECK(shortest < 20ms);
  CHECK(m.local() == 0);
  CHECK(m.size() == 0);

  // Expiry and the in-flight hand-back keep the count too.
  REQUIRE(m.Add(Noop(4), 5, /*local=*/true).ok());
  REQUIRE(m.Add(Noop(5), 100, /*local=*/true).ok());
  CHECK(m.TakeForBlock(10, 1 << 20).size() == 2);
  m.ReleaseInFlight();
  CHECK(m.RemoveExpired(6) == 1);
  CHECK(m.local() == 1);
}

}  // namespace
}  // namespace pledger::node

namespace pledger::node {
namespace {

TEST_CASE("admission: a chain slow without any queue is not throttled for its own pace", "[node][admission]") {
  // Every commit takes at least 80 ms here (say a sanitizer build): above the
  // 50 ms target, but no queue. Twice the best seen is the bar.
  AdmissionGate g(Opts());
  Clock::time_point now = Clock::now();
  for (int i = 0; i < 10; ++i) Interval(g, &now, g.limit(), 80ms + std::chrono::milliseconds(i % 3) * 20);
  CHECK(g.limit() > 100);
  // A queue on top of that pace (200 ms) still shrinks it.
  const size_t before = g.limit();
  Interval(g, &now, g.limit(), 200ms);
  CHECK(g.limit() < before);
}

}  // namespace
}  // namespace pledger::node
