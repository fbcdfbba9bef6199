// pledger-wallet's command line: every kind of bad flag value is a usage
// error (exit 2) naming the flag; exit codes; help; keys and profiles.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "ledger/bytes.h"
#include "ledger/io/files.h"
#include "ledger/io/pki.h"
#include "tests/unit/tools/wallet_harness.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/keystore.h"

namespace pledger::test {
namespace {

using tools::wallet::kExitOk;
using tools::wallet::kExitOther;
using tools::wallet::kExitRejected;
using tools::wallet::kExitUnreachable;
using tools::wallet::kExitUsage;

const char kHash[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// A complete, valid offline pledge draft; tests replace one flag at a time.
std::vector<std::string> PledgeArgs() {
  return {"pledge",      "register",       "--patent",     "ZL201410362077.3",
          "--pledgee",   "qtbank",         "--pledgor",    "lianke",
          "--debt-type", "working-capital loan", "--principal", "5000000.00",
          "--rate",      "3.85",           "--due",        "2027-06-30",
          "--contract-hash", kHash,        "--chain-id",   "test-chain",
          "--expiry-height", "100",        "--no-sign",    "--out"};
}

std::vector<std::string> With(std::vector<std::string> args, const std::string& flag, const std::string& value) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) {
      args[i + 1] = value;
      return args;
    }
  }
  // Before the trailing "--out" (whose value the test appends).
  args.insert(args.end() - 1, {flag, value});
  return args;
}

std::vector<std::string> Without(std::vector<std::string> args, const std::string& flag) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag) {
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      break;
    }
  }
  return args;
}

TEST_CASE("wallet cli: a valid offline pledge draft passes local validation", "[unit][wallet]") {
  WalletHarness h;
  auto args = PledgeArgs();
  args.push_back(h.Path("p.json"));
  WalletRun r = h.Run(args);
  INFO(r.err);
  CHECK(r.code == kExitOk);
  CHECK(io::FileExists(h.Path("p.json")));
}

TEST_CASE("wallet cli: every bad pledge flag is a usage error naming the flag", "[unit][wallet]") {
  struct Case {
    std::string flag;   // flag to change ("" = remove `remove`)
    std::string value;
    std::string remove;
    std::string expect;  // text the error must contain
  };
  const std::vector<Case> cases = {
      {"--patent", "ZL201910123456.7", "", "--patent: ZL201910123456.7 fails the check digit"},
      {"--patent", "ZL20141036207", "", "--patent:"},
      {"", "", "--patent", "missing required flag --patent"},
      {"--pledgee", "Qt Bank", "", "--pledgee:"},
      {"", "", "--pledgee", "missing required flag --pledgee"},
      {"--pledgor", "LIANKE", "", "--pledgor:"},
      {"--principal", "5000000.001", "", "--principal: '5000000.001' has more than 2 decimals"},
      {"--principal", "-5", "", "--principal: '-5' is negative"},
      {"--principal", "0", "", "--principal: must be more than 0.00 yuan"},
      {"--principal", "5e6", "", "--principal:"},
      {"--principal", "2000000000000", "", "--principal:"},
      {"", "", "--principal", "missing required flag --principal"},
      {"--rate", "3.855", "", "--rate:"},
      {"--rate", "2000", "", "--rate:"},
      {"", "", "--rate", "missing required flag --rate"},
      {"--due", "2027-02-30", "", "--due: '2027-02-30' is not a calendar date"},
      {"--due", "30/06/2027", "", "--due:"},
      {"--due", "2020-01-01", "", "--due: 2020-01-01 is in the past"},
      {"", "", "--due", "missing required flag --due"},
      {"--contract-hash", "abc", "", "--contract-hash:"},
      {"", "", "--contract-hash", "missing required flag --contract-hash"},
      {"--valuation", "not-an-id", "", "--valuation:"},
      {"--risk-class", "bad", "", "--risk-class: 'bad' is not one of"},
      {"--debt-type", std::string(300, 'x'), "", "--debt-type:"},
      {"--memo", std::string(300, 'm'), "", "--memo:"},
      {"--timeout", "0", "", "--timeout:"},
      {"--expiry-height", "soon", "", "--expiry-height:"},
      {"--nonce", "-1", "", "--nonce:"},
      {"--agency", "Agency!", "", "--agency:"},
      {"", "", "--chain-id", "--chain-id: no chain id"},
      {"", "", "--expiry-height", "--expiry-height: no reachable node"},
  };
  for (const Case& c : cases) {
    WalletHarness h;
    auto args = c.flag.empty() ? Without(PledgeArgs(), c.remove) : With(PledgeArgs(), c.flag, c.value);
    args.push_back(h.Path("p.json"));
    WalletRun r = h.Run(args);
    INFO(c.flag << c.remove << " -> " << r.err);
    CHECK(r.code == kExitUsage);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK_FALSE(io::FileExists(h.Path("p.json")));  // nothing written on a usage error
  }
}

TEST_CASE("wallet cli: bad flags of other actions name the flag", "[unit][wallet]") {
  const std::vector<std::string> tail = {"--chain-id", "c", "--expiry-height", "9", "--no-sign", "--out"};
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"patent", "register", "--patent", "ZL201410362077.3", "--title", "T", "--ipc", "G01", "--filed", "2014-07-28",
        "--owner", "a:60", "--owner", "b:30"},
       "--owner: shares add up to 90.00 %"},
      {{"patent", "register", "--patent", "ZL201410362077.3", "--title", "T", "--ipc", "G01", "--filed", "2014-07-28",
        "--owner", "a", "--owner", "b"},
       "--owner: with several owners give each one's share"},
      {{"patent", "register", "--patent", "ZL201410362077.3", "--title", "T", "--ipc", "G01", "--filed", "2027-01-01",
        "--owner", "a"},
       "--filed: 2027-01-01 is in the future"},
      {{"patent", "register", "--patent", "ZL201410362077.3", "--title", "T", "--ipc", "G01", "--filed", "2014-07-28",
        "--granted", "2014-01-01", "--owner", "a"},
       "--granted: is before the filing date"},
      {{"patent", "register", "--patent", "ZL201420362077.9", "--title", "T", "--ipc", "G01", "--filed", "2014-07-28",
        "--owner", "a", "--term-extension-days", "10"},
       "--term-extension-days"},
      {{"patent", "register", "--patent", "ZL201410362077.3", "--ipc", "G01", "--filed", "2014-07-28", "--owner", "a"},
       "missing required flag --title"},
      {{"patent", "status", "--patent", "ZL201410362077.3", "--event", "exploded"}, "--event: 'exploded' is not one of"},
      {{"patent", "status", "--patent", "ZL201410362077.3", "--event", "fee-paid"}, "--paid-through"},
      {{"patent", "status", "--patent", "ZL201410362077.3", "--event", "waived"}, "--document-hash"},
      {{"patent", "status", "--patent", "ZL201410362077.3", "--event", "fee-grace", "--paid-through", "2027-01-01"},
       "--paid-through: only goes with"},
      {{"patent", "assign", "--patent", "ZL201410362077.3", "--to", "buyer", "--basis", "gift", "--document-hash", kHash},
       "--basis: 'gift' is not one of"},
      {{"patent", "assign", "--patent", "ZL201410362077.3", "--to", "buyer", "--document-hash", kHash, "--document",
        "/x"},
       "give --document-hash or --document, not both"},
      {{"licence", "file", "--patent", "ZL201410362077.3", "--type", "open", "--licensee", "x", "--start",
        "2026-12-01", "--end", "2027-12-01"},
       "--licensee: an open licence names no licensee"},
      {{"licence", "file", "--patent", "ZL201410362077.3", "--type", "ordinary", "--licensee", "x", "--start",
        "2026-12-01", "--end", "2026-11-01", "--contract-hash", kHash},
       "--end: is before --start"},
      {{"license", "file", "--patent", "ZL201410362077.3", "--type", "sole", "--start", "2026-12-01", "--end",
        "2027-11-01", "--contract-hash", kHash},
       "missing required flag --licensee"},
      {{"valuation", "record", "--patent", "ZL201410362077.3", "--method", "guess", "--base-date", "today", "--value",
        "100", "--report-hash", kHash, "--licence-no", "L1"},
       "--method: 'guess' is not one of"},
      {{"valuation", "record", "--patent", "ZL201410362077.3", "--method", "income", "--base-date", "2025-11-01",
        "--value", "100", "--report-hash", kHash, "--licence-no", "L1"},
       "--base-date: a report is valid one year"},
      {{"valuation", "record", "--patent", "ZL201410362077.3", "--method", "income", "--base-date", "today",
        "--value", "100", "--realisable", "200", "--report-hash", kHash, "--licence-no", "L1"},
       "--realisable: is more than --value"},
      {{"valuation", "record", "--patent", "ZL201410362077.3", "--patent", "zl 2014 1 0362077.3", "--method",
        "income", "--base-date", "today", "--value", "100", "--report-hash", kHash, "--licence-no", "L1"},
       "--patent: ZL201410362077.3 is given twice"},
      {{"pledge", "repay", "--pledge", "0123456789abcdef0123456789abcdef"}, "give either --amount YUAN or --full"},
      {{"pledge", "repay", "--pledge", "0123456789abcdef0123456789abcdef", "--amount", "1.234"}, "--amount:"},
      {{"pledge", "accrue", "--pledge", "0123456789abcdef0123456789abcdef", "--interest", "0"},
       "give --interest YUAN or --costs YUAN"},
      {{"pledge", "change", "--pledge", "0123456789abcdef0123456789abcdef", "--agreement-hash", kHash},
       "the change changes nothing"},
      {{"pledge", "extend", "--pledge", "0123", "--due", "2028-01-01", "--agreement-hash", kHash}, "--pledge:"},
      {{"pledge", "classify", "--pledge", "0123456789abcdef0123456789abcdef", "--class", "great"}, "--class:"},
      {{"pledge", "cancel", "--pledge", "0123456789abcdef0123456789abcdef", "--ground", "court-order"},
       "--document-hash"},
      {{"pledge", "enforce", "--pledge", "0123456789abcdef0123456789abcdef", "--method", "auction", "--proceeds",
        "-1", "--document-hash", kHash},
       "--proceeds:"},
      {{"gov", "validator-add", "--node-id", "node4", "--public-key", std::string(64, 'a'), "--org", "zjipo",
        "--peer", "localhost", "--api", "127.0.0.1:26604"},
       "--peer: 'localhost' is not HOST:PORT"},
      {{"gov", "validator-add", "--node-id", "Node 4", "--public-key", std::string(64, 'a'), "--org", "zjipo",
        "--peer", "127.0.0.1:1", "--api", "127.0.0.1:2"},
       "--node-id:"},
      {{"gov", "account-add", "--public-key", std::string(64, 'a'), "--org", "x", "--role", "king"},
       "--role: 'king' is not one of"},
      {{"gov", "account-add", "--public-key", "xyz", "--org", "x", "--role", "owner"}, "--public-key:"},
      {{"gov", "org-add", "--id", "x", "--name", "X", "--kind", "sme", "--address", "A", "--ltv-cap", "50%"},
       "lending-policy flags (--ltv-cap …) are for banks only"},
      {{"gov", "params-set", "--fee-grace-months", "6"}, "missing required flag --from FILE"},
      {{"gov", "account-rotate-key", "--public-key", std::string(64, 'a'), "--new-public-key", std::string(64, 'A')},
       "--new-public-key: is the same key"},
      {{"bank", "policy-set", "--bank", "qtbank", "--ltv-cap", "50%"}, "missing required flag --min-life-invention-days"},
      {{"bank", "policy-set", "--bank", "qtbank", "--ltv-cap", "0", "--min-life-invention-days", "1",
        "--min-life-other-days", "1", "--valuation-required"},
       "--ltv-cap: write 'none' for no cap"},
  };
  for (const Case& c : cases) {
    WalletHarness h;
    auto args = c.args;
    args.insert(args.end(), tail.begin(), tail.end());
    args.push_back(h.Path("t.json"));
    WalletRun r = h.Run(args);
    INFO(args[0] << " " << args[1] << " -> " << r.err);
    CHECK(r.code == kExitUsage);
    CHECK(r.err.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("wallet cli: unknown commands and flags get suggestions, help exits 0", "[unit][wallet]") {
  WalletHarness h;
  WalletRun r = h.Run({"pledge", "regster"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("did you mean 'register'") != std::string::npos);
  r = h.Run({"pldge"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("did you mean 'pledge'") != std::string::npos);
  r = h.Run({"pledge", "register", "--principle", "5"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("did you mean --principal?") != std::string::npos);
  r = h.Run({"pledge", "register", "--principal", "5", "--principal", "6"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--principal given twice") != std::string::npos);
  r = h.Run({"status", "extra"});
  CHECK(r.code == kExitUsage);

  r = h.Run({"--help"});
  CHECK(r.code == kExitOk);
  CHECK(r.out.find("pledge register") != std::string::npos);
  CHECK(r.out.find("Exit codes") != std::string::npos);
  r = h.Run({"pledge", "--help"});
  CHECK(r.code == kExitOk);
  CHECK(r.out.find("pledger-wallet pledge repay") != std::string::npos);
  r = h.Run({"help", "pledge", "register"});
  CHECK(r.code == kExitOk);
  CHECK(r.out.find("--principal YUAN") != std::string::npos);
  CHECK(r.out.find("Transaction flags") != std::string::npos);
  r = h.Run({"pledge"});
  CHECK(r.code == kExitUsage);
  r = h.Run({});
  CHECK(r.code == kExitUsage);
}

TEST_CASE("wallet cli: every command has help that mentions its flags", "[unit][wallet]") {
  WalletHarness h;
  for (const auto& c : tools::wallet::Commands()) {
    std::vector<std::string> args;
    if (!c.group.empty()) args.push_back(c.group);
    args.push_back(c.name);
    args.push_back("--help");
    WalletRun r = h.Run(args);
    INFO(c.Words());
    CHECK(r.code == kExitOk);
    CHECK_FALSE(c.summary.empty());
    CHECK_FALSE(c.examples.empty());
    for (const auto& f : c.flags) CHECK(r.out.find("--" + f.name) != std::string::npos);
  }
}

TEST_CASE("wallet cli: exit code 3 when the node is unreachable", "[unit][wallet]") {
  WalletHarness h;  // no fake node: every connection fails
  WalletRun r = h.Run({"--node", "http://127.0.0.1:9", "status"});
  CHECK(r.code == kExitUnreachable);
  CHECK(r.err.find("NODE_UNREACHABLE") != std::string::npos);
  h.ImportKey("bank", TestKey(1));
  // A direct submission (no --out, no --no-sign, height from the node).
  auto args = Without(PledgeArgs(), "--expiry-height");
  args.resize(args.size() - 2);  // drop "--no-sign", "--out"
  args.insert(args.end(), {"--key", "bank", "--node", "http://127.0.0.1:9", "--passphrase-env", "PW"});
  r = h.Run(args);
  CHECK(r.code == kExitUnreachable);
  // Without any node configured, submitting is a usage error that says what to do.
  r = h.Run({"pledge", "show", "0123456789abcdef0123456789abcdef"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--node") != std::string::npos);
  // --json errors come as {"error": ...} on stdout too.
  r = h.Run({"--node", "http://127.0.0.1:9", "status", "--json"});
  CHECK(r.code == kExitUnreachable);
  CHECK(r.out.find("\"code\": \"NODE_UNREACHABLE\"") != std::string::npos);
}

TEST_CASE("wallet cli: passphrase sources", "[unit][wallet]") {
  WalletHarness h;
  WalletRun r = h.Run({"key", "new", "k", "--passphrase-env", "NOPE"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--passphrase-env: environment variable NOPE is not set") != std::string::npos);
  r = h.Run({"key", "new", "k", "--passphrase-fd", "three"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--passphrase-fd") != std::string::npos);
  r = h.Run({"key", "new", "k", "--passphrase-fd", "3", "--passphrase-env", "PW"});
  CHECK(r.code == kExitUsage);
  // No terminal and no flag: a clear error, not a hang.
  r = h.Run({"key", "new", "k"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("PASSPHRASE_UNAVAILABLE") != std::string::npos);
  h.env["EMPTY"] = "";
  r = h.Run({"key", "new", "k", "--passphrase-env", "EMPTY"});
  CHECK(r.err.find("PASSPHRASE_EMPTY") != std::string::npos);
  CHECK_FALSE(io::FileExists(h.home() + "/keys/k.json"));

  // From a file descriptor: one line each.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::string line = "pipe passphrase\n";
  REQUIRE(::write(fds[1], line.data(), line.size()) == static_cast<ssize_t>(line.size()));
  ::close(fds[1]);
  r = h.Run({"key", "new", "k", "--passphrase-fd", std::to_string(fds[0])});
  ::close(fds[0]);
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  h.env["PIPE"] = "pipe passphrase";
  r = h.Run({"key", "export", "k", "--out", h.Path("k.export"), "--passphrase-env", "PIPE"});
  CHECK(r.code == kExitOk);
  r = h.Run({"key", "export", "k", "--out", h.Path("k2.export"), "--passphrase-env", "PW"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("WRONG_PASSPHRASE") != std::string::npos);
}

TEST_CASE("wallet cli: key new/list/show never print a secret", "[unit][wallet]") {
  WalletHarness h;
  WalletRun r = h.Run({"key", "new", "qtbank", "--passphrase-env", "PW"});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("Public key") != std::string::npos);
  auto ks = tools::Keystore(h.home());
  auto key = ks.Load("qtbank", h.env["PW"]);
  REQUIRE(key.ok());
  const std::string seed_hex = ledger::HexEncode(key->ExportSeed());
  for (auto args : std::vector<std::vector<std::string>>{{"key", "list"},
                                                         {"key", "list", "--json"},
                                                         {"key", "show", "qtbank"},
                                                         {"key", "show", "qtbank", "--json"}}) {
    WalletRun q = h.Run(args);
    CHECK(q.code == kExitOk);
    CHECK(q.out.find(ledger::HexEncode(key->public_key())) != std::string::npos);
    CHECK(q.out.find(seed_hex) == std::string::npos);
    CHECK(q.out.find(h.env["PW"]) == std::string::npos);
    CHECK(q.err.find(h.env["PW"]) == std::string::npos);
  }
  r = h.Run({"key", "new", "qtbank", "--passphrase-env", "PW"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("KEY_EXISTS") != std::string::npos);
  r = h.Run({"key", "new", "../evil", "--passphrase-env", "PW"});
  CHECK(r.code == kExitUsage);
}

TEST_CASE("wallet cli: profiles", "[unit][wallet]") {
  WalletHarness h;
  WalletRun r = h.Run({"profile", "add", "qt", "--node", "ftp://x", "--key", "qtbank", "--chain-id", "c"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--node:") != std::string::npos);
  r = h.Run({"profile", "add", "qt", "--node", "https://127.0.0.1:1", "--key", "qtbank", "--chain-id", "c"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--ca:") != std::string::npos);
  // Without --chain-id the node is asked; unreachable -> the error names --chain-id.
  r = h.Run({"profile", "add", "qt", "--node", "http://127.0.0.1:1", "--key", "qtbank"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--chain-id:") != std::string::npos);

  h.node = MakeFakeNode();
  r = h.Run({"profile", "add", "qt", "--node", "http://127.0.0.1:1", "--key", "qtbank"});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("test-chain") != std::string::npos);  // read from the node
  CHECK(r.err.find("there is no key 'qtbank' yet") != std::string::npos);
  r = h.Run({"profile", "add", "lk", "--node", "http://127.0.0.1:2", "--key", "lianke", "--chain-id", "test-chain"});
  REQUIRE(r.code == kExitOk);
  r = h.Run({"profile", "list"});
  CHECK(r.out.find("* ") != std::string::npos);
  CHECK(r.out.find("qt") != std::string::npos);
  r = h.Run({"profile", "show"});
  CHECK(r.out.find("Profile:  qt (current)") != std::string::npos);
  r = h.Run({"profile", "use", "lk"});
  CHECK(r.code == kExitOk);
  r = h.Run({"profile", "show", "--json"});
  CHECK(r.out.find("\"name\": \"lk\"") != std::string::npos);
  r = h.Run({"profile", "add", "lk", "--node", "http://x:1", "--key", "k", "--chain-id", "c"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("PROFILE_EXISTS") != std::string::npos);
  r = h.Run({"--profile", "nope", "status"});
  CHECK(r.code == kExitUsage);
  h.env["PLEDGER_PROFILE"] = "qt";
  r = h.Run({"profile", "show"});  // show uses the config's current profile
  CHECK(r.out.find("lk") != std::string::npos);
  r = h.Run({"status"});  // commands use PLEDGER_PROFILE
  CHECK(r.code == kExitOk);
  r = h.Run({"profile", "remove", "lk"});
  CHECK(r.code == kExitOk);
  struct stat st {};
  REQUIRE(::stat((h.home() + "/config.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

}  // namespace
}  // namespace pledger::test
