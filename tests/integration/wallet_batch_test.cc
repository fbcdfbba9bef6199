// pledger-wallet submit of several files against a real 3-node cluster: one
// batch request (POST /v1/txs/batch?wait), one line per file in the order
// given, a contract refusal of one file not holding the others back, and the
// exit code saying whether any was refused.
//
// Label `integration`. Needs build/bin/pledgerd and build/bin/pledger-wallet.
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ledger/io/proto/api.pb.h"
#include "tests/integration/cluster.h"
#include "tests/integration/wallet_runner.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

// Valid numbers (R25 check digit) of three patents.
constexpr char kP1[] = "ZL201410362077.3";
constexpr char kP2[] = "ZL201410362078.8";
constexpr char kP3[] = "ZL201410362079.2";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

TEST_CASE("wallet batch: submit FILE FILE sends one batch and prints one line per file", "[integration]") {
  TestCluster c;
  c.StartAll();
  REQUIRE(c.WaitForLeader(30s) >= 0);
  Wallet ipo(c.dir(), "ipo-a");
  ipo.Setup(c, "ipo-a", 0);

  auto draft = [&](const std::string& patent, const std::string& title, const std::string& file) {
    EXPECT_EXIT(c,
                ipo({"patent", "register", "--patent", patent, "--title", title, "--ipc", "G01L 25/00", "--filed",
                     "2014-07-28", "--granted", "2016-03-02", "--owner", "sme", "--fee-paid-through", "today+365",
                     "--passphrase-env", "PW", "--out", ipo.Path(file)}),
                0);
    return ipo.Path(file);
  };
  const std::string p1 = draft(kP1, "Calibration method for a torque sensor", "p1.json");
  const std::string p2 = draft(kP2, "Torque sensor housing", "p2.json");
  const std::string p1_again = draft(kP1, "The same patent filed twice", "p1-again.json");
  const std::string p3 = draft(kP3, "Sensor mounting bracket", "p3.json");

  // Two good files: both committed, in the order given.
  Run both = ipo({"submit", p1, p2, "--passphrase-env", "PW"});
  EXPECT_EXIT(c, both, 0);
  std::vector<std::string> lines = Lines(both.out);
  REQUIRE(lines.size() == 2);
  CHECK(StartsWith(lines[0], p1 + ": Committed at height "));
  CHECK(lines[0].find(": OK") != std::string::npos);
  CHECK(StartsWith(lines[1], p2 + ": Committed at height "));
  Run shown = ipo({"patent", "show", kP2, "--passphrase-env", "PW"});
  EXPECT_EXIT(c, shown, 0);

  // The same files again: the pre-flight stops them, as it stops one file
  // (TX_ALREADY_COMMITTED); with --force the node answers with the receipts
  // already in the chain, and runs nothing again.
  Run stale = ipo({"submit", p1, p2, "--passphrase-env", "PW"});
  CHECK(stale.code == 4);
  CHECK(stale.err.find("TX_ALREADY_COMMITTED") != std::string::npos);
  Run again = ipo({"submit", p1, p2, "--force", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, again, 0);
  api::TxBatchResponse resp = ParseOut<api::TxBatchResponse>(again);
  REQUIRE(resp.results_size() == 2);
  CHECK(resp.results(0).status() == "COMMITTED");
  CHECK(resp.results(1).status() == "COMMITTED");
  CHECK(resp.results(0).tx_id() != resp.results(1).tx_id());

  // A file the pre-flight says the ledger would refuse stops the command
  // before anything is sent: p3 is not submitted either.
  Run stopped = ipo({"submit", p3, p1_again, "--passphrase-env", "PW"});
  INFO(stopped.out << stopped.err);
  CHECK(stopped.code != 0);
  Sync(c);
  Run absent = ipo({"patent", "show", kP3, "--passphrase-env", "PW"});
  CHECK(absent.code != 0);

  // --force: both go; the ledger refuses the second registration of P1 with a
  // receipt, P3 is committed all the same, and the exit code says refused.
  Run forced = ipo({"submit", p3, p1_again, "--force", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, forced, 4);
  lines = Lines(forced.out);
  REQUIRE(lines.size() == 2);
  CHECK(StartsWith(lines[0], p3 + ": Committed at height "));
  CHECK(StartsWith(lines[1], p1_again + ": REFUSED at height "));
  EXPECT_EXIT(c, ipo({"patent", "show", kP3, "--passphrase-env", "PW"}), 0);
}

// The wallet's node holds the transaction in its mempool and is killed before
// any block carries it (here it knows no leader: the others are down), so the
// transaction is gone (docs/api.md: 202 is admission, not durability). The
// wallet, waiting for the receipt, keeps asking the restarting node, finds it
// does not know the transaction, hands it over again, and reports the commit.
TEST_CASE("wallet: a transaction lost with a killed node's mempool is submitted again while the wallet waits",
          "[integration]") {
  TestCluster c;
  c.StartAll();
  REQUIRE(c.WaitForLeader(30s) >= 0);
  Wallet ipo(c.dir(), "ipo-a");
  ipo.Setup(c, "ipo-a", 0);
  const std::string file = ipo.Path("p1.json");
  EXPECT_EXIT(c,
              ipo({"patent", "register", "--patent", kP1, "--title", "Calibration method for a torque sensor", "--ipc",
                   "G01L 25/00", "--filed", "2014-07-28", "--granted", "2016-03-02", "--owner", "sme",
                   "--fee-paid-through", "today+365", "--passphrase-env", "PW", "--out", file}),
              0);
  c.Kill(1);
  c.Kill(2);
  Run submitted;
  std::thread wallet(
      [&] { submitted = ipo.RunUnchecked({"submit", file, "--timeout", "120", "--passphrase-env", "PW"}); });
  // Admitted by node 0 alone, which cannot commit it.
  const bool held = c.WaitFor(
      [&] {
        auto s = c.Status(0);
        return s.ok() && s->mempool_txs() == 1;
      },
      30s);
  if (!held) {
    c.DumpLogs();
    c.Start(1);  // let the wallet finish before failing
    c.Start(2);
    wallet.join();
  }
  REQUIRE(held);
  c.Kill(0);
  std::this_thread::sleep_for(2s);  // the wallet finds its node gone, and keeps waiting
  c.Start(0);
  c.Start(1);
  c.Start(2);
  wallet.join();
  CheckNoPassphrase(submitted);
  INFO(submitted.out << submitted.err);
  EXPECT_EXIT(c, submitted, 0);
  CHECK(submitted.out.find("Committed at height") != std::string::npos);
  EXPECT_EXIT(c, ipo({"patent", "show", kP1, "--passphrase-env", "PW"}), 0);
}

}  // namespace
}  // namespace pledger::test
