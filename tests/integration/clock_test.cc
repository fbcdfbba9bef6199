// Ledger time against a faulty clock (docs/node.md "Ledger time"): one
// node's clock (the test seam, ledger/io/clock.h) runs a year ahead, then a
// year behind, while that node leads. The ledger's date must follow the
// honest majority: block times stay at real time, a valuation does not lapse
// early, an enforcement allowed only after the due date is still refused,
// and /v1/status and /metrics show the skew. Label `integration`.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "contracts/dates.h"
#include "contracts/engine.h"
#include "ledger/tx.h"
#include "tests/integration/cluster.h"
#include "tools/common/workload.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kYearMs = 365ll * 86'400'000ll;
// How far a block's time may be from the test's real clock: readings are
// taken when the leader asks, so a block is at most a round trip old, plus
// the time it takes this test to ask.
constexpr std::int64_t kSlackMs = 15'000;

#define CLUSTER_REQUIRE(c, cond) \
  do {                           \
    if (!(cond)) (c).DumpLogs(); \
    REQUIRE(cond);               \
  } while (0)

std::int64_t RealNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A clock file for one node: the offset it adds to the system clock, an
// int64 that the node maps and reads on every call (ledger/io/clock.cc).
class NodeClock {
 public:
  explicit NodeClock(std::string path) : path_(std::move(path)) { Set(0); }
  void Set(std::int64_t offset_ms) {
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::pwrite(fd, &offset_ms, sizeof offset_ms, 0) == static_cast<ssize_t>(sizeof offset_ms));
    ::close(fd);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Stops whichever other node leads until node `want` does, restarting it.
void MakeLeader(TestCluster& c, int want) {
  for (int round = 0; round < 12; ++round) {
    int leader = c.WaitForLeader(20s);
    CLUSTER_REQUIRE(c, leader >= 0);
    if (leader == want) return;
    c.Stop(leader);
    int next = -1;
    c.WaitFor(
        [&] {
          for (int i = 0; i < c.size(); ++i) {
            if (i == leader || !c.Running(i)) continue;
            auto s = c.Status(i);
            if (s.ok() && s->role() == "LEADER") {
              next = i;
              return true;
            }
          }
          return false;
        },
        20s);
    c.Start(leader);
    if (next == want) break;
  }
  CLUSTER_REQUIRE(c, c.WaitFor([&] {
    auto s = c.Status(want);
    return s.ok() && s->role() == "LEADER";
  }, 20s));
  // Every node (one was just restarted) is up and follows it.
  CLUSTER_REQUIRE(c, c.WaitFor([&] {
    for (int i = 0; i < c.size(); ++i) {
      auto s = c.Status(i);
      if (!s.ok() || s->leader() != c.NodeId(want)) return false;
    }
    return true;
  }, 20s));
}

std::string Sign(const ledger::TxBody& body, const std::vector<const ledger::SecretKey*>& keys) {
  ledger::Transaction tx = ledger::MakeTransaction(body);
  for (const auto* k : keys) ledger::SignTransaction(&tx, *k);
  return tx.SerializeAsString();
}

// Submits to node i and waits for the receipt code.
std::string Commit(TestCluster& c, int i, const std::string& raw) {
  auto st = c.Submit(i, raw);
  CLUSTER_REQUIRE(c, st.ok());
  INFO("submit returned " << *st);
  REQUIRE((*st == 202 || *st == 200));
  auto tx = ledger::DecodeTransaction(raw);
  REQUIRE(tx.ok());
  const ledger::Hash256 id = ledger::TxId(*tx);
  std::string code;
  c.WaitFor(
      [&] {
        auto r = c.ReceiptCode(i, id);
        if (r.ok()) code = *r;
        return !code.empty();
      },
      20s);
  if (code.empty()) c.DumpLogs();
  return code;
}

// The time of node i's last block, after it applied everything it was sent.
std::int64_t LastBlockTime(TestCluster& c, int i) {
  auto s = c.Status(i);
  REQUIRE(s.ok());
  return static_cast<std::int64_t>(s->last_block_time_ms());
}

// What node `at` says of node `who`'s clock offset in the last block.
std::optional<std::int64_t> OffsetOf(TestCluster& c, int at, const std::string& who) {
  auto s = c.Status(at);
  if (!s.ok()) return std::nullopt;
  for (const auto& o : s->clock_offsets()) {
    if (o.node_id() == who) return o.offset_ms();
  }
  return std::nullopt;
}

TEST_CASE("clock: a leader whose clock is a year ahead, then a year behind, does not move the ledger's date",
          "[integration]") {
  TempDir clocks;
  NodeClock skewed(clocks.Sub("n0.clock"));
  skewed.Set(kYearMs);
  TestCluster c;
  c.SetNodeEnv(0, {{"PLEDGER_TEST_CLOCK_FILE", skewed.path()}});
  c.StartAll();
  MakeLeader(c, 0);
  const std::string n0 = c.NodeId(0);

  tools::Workload w(c.Parties(), 16, 1);
  const std::uint64_t expiry = c.Status(0)->height() + 1000;
  const std::int32_t today = tools::Workload::Today();  // real date, CST

  // ---- a year ahead -------------------------------------------------------
  tools::WorkloadTx patent = w.PatentRegister(expiry);
  CHECK(Commit(c, 1, patent.raw) == "OK");
  std::int64_t t = LastBlockTime(c, 1);
  CHECK(std::llabs(t - RealNowMs()) < kSlackMs);

  // A valuation based 10 days ago is valid for a year: with the leader's
  // clock as the date it would have lapsed, and the pledge citing it fail.
  tools::WorkloadTx valuation = w.Valuation(patent.patent_no, expiry);
  CHECK(Commit(c, 0, valuation.raw) == "OK");
  tools::WorkloadTx pledge = w.Pledge(patent.patent_no, valuation.object_id, expiry);
  // Due in 30 days: by the leader's clock the debt would be a year overdue.
  auto tx = ledger::DecodeTransaction(pledge.raw);
  REQUIRE(tx.ok());
  auto body = ledger::DecodeTxBody(tx->body());
  REQUIRE(body.ok());
  body->mutable_action()->mutable_pledge_register()->set_due_date(today + 30);
  const std::string pledge_raw = Sign(*body, {&c.Account("bank-a"), &c.Account("sme"), &c.Account("ipo-a")});
  CHECK(Commit(c, 2, pledge_raw) == "OK");
  auto pledge_tx = ledger::DecodeTransaction(pledge_raw);
  const std::string pledge_id = contracts::ObjectIdFromTxId(ledger::TxId(*pledge_tx));

  ledger::TxBody enforce;
  enforce.set_chain_id(c.chain_id());
  enforce.set_nonce(1601);
  enforce.set_expiry_height(expiry);
  auto* e = enforce.mutable_action()->mutable_pledge_enforce();
  e->set_pledge_id(pledge_id);
  e->set_method(contracts::ENFORCE_AUCTION);
  e->set_proceeds_fen(100'000'000);
  e->set_document_hash(ledger::HexEncode(ledger::Sha256("auction record")));
  CHECK(Commit(c, 0, Sign(enforce, {&c.Account("bank-a")})) == "PLEDGE_NOT_DUE");

  t = LastBlockTime(c, 0);
  CHECK(std::llabs(t - RealNowMs()) < kSlackMs);
  CHECK(contracts::DateOfBlockTime(static_cast<std::uint64_t>(t)) <= today + 1);
  // Every node sees the skew; the skewed node flags itself.
  for (int i = 0; i < c.size(); ++i) {
    auto off = OffsetOf(c, i, n0);
    REQUIRE(off.has_value());
    CHECK(*off > kYearMs - kSlackMs);
    CHECK(*off < kYearMs + kSlackMs);
  }
  auto s0 = c.Status(0);
  REQUIRE(s0.ok());
  CHECK(s0->role() == "LEADER");
  CHECK(s0->clock_skewed());
  CHECK(s0->clock_skew_max_ms() == 30'000);
  for (int i : {1, 2}) {
    auto s = c.Status(i);
    REQUIRE(s.ok());
    CHECK_FALSE(s->clock_skewed());
    for (const auto& o : s->clock_offsets()) {
      if (o.node_id() != n0) CHECK(std::llabs(o.offset_ms()) < kSlackMs);
    }
  }
  CHECK(c.WaitFor([&] { return c.LogContains(0, "CLOCK SKEWED"); }, 5s));
  auto metrics = c.Client(0).Get("/metrics");
  REQUIRE(metrics.ok());
  CHECK_THAT(metrics->body, Catch::Contains("pledger_validator_clock_offset_ms{node=\"" + n0 + "\"}"));
  CHECK_THAT(metrics->body, Catch::Contains("pledger_clock_skewed 1"));

  // ---- a year behind ------------------------------------------------------
  skewed.Set(-kYearMs);
  CLUSTER_REQUIRE(c, (c.Status(0).ok() && c.Status(0)->role() == "LEADER"));
  std::int64_t before = LastBlockTime(c, 0);
  std::this_thread::sleep_for(1500ms);
  CHECK(Commit(c, 1, w.PatentRegister(expiry).raw) == "OK");
  t = LastBlockTime(c, 1);
  // Time moved on with the real clock, not by a millisecond per block.
  CHECK(t >= before + 1400);
  CHECK(std::llabs(t - RealNowMs()) < kSlackMs);
  auto off = OffsetOf(c, 1, n0);
  REQUIRE(off.has_value());
  CHECK(*off < -kYearMs + kSlackMs);
  CHECK(c.Status(0)->clock_skewed());
  CHECK(c.Status(0)->role() == "LEADER");
}

}  // namespace
}  // namespace pledger::test
