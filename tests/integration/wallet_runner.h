// End-to-end helpers for tests that drive the real pledger-wallet (and
// pledger-audit) binaries against a TestCluster: one wallet home per party as
// on its own machine, files carried between them, JSON outputs parsed, and a
// test clock that moves the date of every node and wallet (ledger/io/clock.h).
//
// Test-only; uses Catch2 assertions. Not thread-safe.
#ifndef PLEDGER_TESTS_INTEGRATION_WALLET_RUNNER_H_
#define PLEDGER_TESTS_INTEGRATION_WALLET_RUNNER_H_

#include <catch2/catch.hpp>
#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ledger/io/api_json.h"
#include "tests/integration/cluster.h"

namespace pledger::test {

// Every wallet's passphrase ($PW); no output of any program may contain it.
inline constexpr char kWalletPassphrase[] = "e2e passphrase, never printed";

struct Run {
  int code = -1;
  std::string out;
  std::string err;
  std::string command;
};

// Runs build/bin/<program> with `args` and `env` added to the test's
// environment, stdin from /dev/null, in its own session (no controlling
// terminal: a missing passphrase fails, never hangs). Output goes through
// files in `scratch_dir`.
Run RunProgram(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env, const std::string& scratch_dir);

// RunProgram without Catch2 assertions, for a test's helper thread: Catch2's
// assertion handling is not thread-safe. A failed fork gives code -1. The
// caller checks the output (CheckNoPassphrase) back on the test's thread.
Run RunProgramUnchecked(const std::string& program, const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env, const std::string& scratch_dir);

// Neither output of `r` carries the wallet passphrase.
void CheckNoPassphrase(const Run& r);

// One party's wallet: its own home directory, as on its own machine.
class Wallet {
 public:
  // `env`: extra environment of every run (e.g. TestClock::Env()).
  Wallet(const std::string& root, std::string name, std::map<std::string, std::string> env = {});
  const std::string& home() const { return home_; }
  const std::string& name() const { return name_; }
  std::string Path(const std::string& file) const { return home_ + "/" + file; }

  // Runs pledger-wallet with PLEDGER_HOME=home and the passphrase in $PW.
  Run operator()(std::vector<std::string> args) const;
  // The same without assertions, safe on a helper thread (RunProgramUnchecked).
  // Only one run at a time per wallet: runs share the home's output files.
  Run RunUnchecked(std::vector<std::string> args) const;

  // Imports the account key pledger-admin wrote and points a profile at a node.
  void Setup(const TestCluster& c, const std::string& account, int node_index) const;

 private:
  std::string name_;
  std::string home_;
  std::map<std::string, std::string> env_;
};

// Carries a file from one party's machine to another's.
void Carry(const Wallet& from, const Wallet& to, const std::string& file);

// The wallet's own messages (package pledger.tools) are in the plain protobuf
// JSON mapping; a node's answer, which `--json` prints unchanged, is API JSON
// (ledger/io/api_json.h).
template <typename M>
M ParseOut(const Run& r) {
  M m;
  INFO(r.command << "\n" << r.out << r.err);
  if (M::descriptor()->file()->package().rfind("pledger.tools", 0) == 0) {
    google::protobuf::util::JsonParseOptions o;
    o.ignore_unknown_fields = true;
    REQUIRE(google::protobuf::util::JsonStringToMessage(r.out, &m, o).ok());
  } else {
    REQUIRE(io::ApiJsonToMessage(r.out, &m, r.command).ok());
  }
  return m;
}

// Waits until every node has applied the highest block any node has, so the
// next party's wallet (talking to another node) sees what was just committed.
void Sync(TestCluster& c);

// A REQUIRE on a program's exit code that prints the command, its output and
// (on failure) the nodes' logs, then syncs the cluster.
#define EXPECT_EXIT(cluster, run, want)                              \
  do {                                                               \
    const ::pledger::test::Run& r_ = (run);                          \
    if (r_.code != (want)) (cluster).DumpLogs();                     \
    INFO(r_.command << "\n" << r_.out << r_.err);                    \
    REQUIRE(r_.code == (want));                                      \
    ::pledger::test::Sync(cluster);                                  \
  } while (0)

// The date every node and wallet started with Env() sees: the real clock
// plus an offset kept in a file that each process maps (ledger/io/clock.h).
// The test sets the date to noon, China Standard Time, of a chosen day, so a
// test of a few minutes never crosses midnight and "today" is the same for
// the blocks and the wallets.
class TestClock {
 public:
  // Creates `path` holding offset 0.
  explicit TestClock(std::string path);
  ~TestClock();
  TestClock(const TestClock&) = delete;
  TestClock& operator=(const TestClock&) = delete;

  // PLEDGER_TEST_CLOCK_FILE for the processes to start.
  std::map<std::string, std::string> Env() const;
  // Moves the clocks to 12:00 CST of `day` (days since 1970-01-01); only
  // ever forward (block times must increase).
  void SetNoonOf(std::int32_t day);
  // The date the processes see now (contracts::DateOfBlockTime).
  std::int32_t Today() const;
  // The real date now, CST.
  static std::int32_t RealToday();

 private:
  std::string path_;
  std::int64_t* offset_ms_ = nullptr;
};

}  // namespace pledger::test

#endif  // PLEDGER_TESTS_INTEGRATION_WALLET_RUNNER_H_
