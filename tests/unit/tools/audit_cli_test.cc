// pledger-audit's command line: usage errors and exit codes, export of the
// pledge register, verify's report.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "contracts/genesis.h"
#include "ledger/io/files.h"
#include "ledger/io/pki.h"
#include "tools/wallet/config.h"
#include "tools/wallet/keystore.h"
#include "tests/support/test_util.h"
#include "tests/unit/tools/audit_chain.h"
#include "tests/unit/tools/audit_testing.h"
#include "tools/proto/audit.pb.h"

namespace pledger::test {

TEST_CASE("usage errors exit 2 and say what to do") {
  CHECK(RunCli({}).code == 2);
  CHECK(RunCli({"--help"}).code == 0);
  CHECK(RunCli({"verify", "--help"}).code == 0);
  CliResult unknown = RunCli({"verfiy"});
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown command"));
  CliResult flag = RunCli({"verify", "--genesis", "g.json", "--nodee", "http://x"});
  CHECK(flag.code == 2);
  CHECK_THAT(flag.err, Catch::Contains("--node"));
  CliResult both = RunCli({"verify", "--node", "http://127.0.0.1:1", "--data-dir", "/tmp"});
  CHECK(both.code == 2);
  CHECK(RunCli({"history", "patent", "--node", "http://127.0.0.1:1"}).code == 2);
  CHECK(RunCli({"history", "planet/x", "--node", "http://127.0.0.1:1"}).code == 2);
  CHECK(RunCli({"proof", "not-hex", "--node", "http://127.0.0.1:1", "--out", "x"}).code == 2);
  CHECK(RunCli({"check-proof", "x.pb"}).code == 2);  // --genesis is required
}

TEST_CASE("an unreachable node exits 3, a file that is no bundle fails with its reason") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.Close();
  // Port 1 on loopback: nothing listens there.
  CliResult r = RunCli({"verify", "--node", "http://127.0.0.1:1", "--genesis", c.genesis_path(), "--quiet"});
  CHECK(r.code == 3);
  CHECK_THAT(r.err, Catch::Contains("NODE_UNREACHABLE"));
  REQUIRE(io::WriteFileAtomic(tmp.Sub("junk.pb"), "not a bundle").ok());
  CliResult bad = RunCli({"check-proof", tmp.Sub("junk.pb"), "--genesis", c.genesis_path()});
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("BUNDLE_MALFORMED"));
  CliResult missing = RunCli({"verify", "--data-dir", tmp.Sub("nowhere"), "--genesis", c.genesis_path()});
  CHECK(missing.code == 1);
  CHECK_THAT(missing.err, Catch::Contains("DB_NOT_FOUND"));
}

TEST_CASE("verify --json reports what it checked") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(401, 20, 4);
  c.Flush();
  c.Close();
  CliResult r = RunCli({"verify", "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--json", "--quiet"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  auto report = ParseJsonOut<tools::audit::VerifyReport>(r.out);
  CHECK(report.ok());
  CHECK(report.verified_height() == report.tip_height());
  CHECK(report.transactions() == 20);
  CliResult text = RunCli({"verify", "--data-dir", c.data_dir(), "--genesis", c.genesis_path()});
  REQUIRE(text.code == 0);
  CHECK_THAT(text.out, Catch::Contains("verify: OK"));
  CHECK_THAT(text.err, Catch::Contains("verify: block"));  // progress, at least the last line
}

TEST_CASE("export lists the pledge register with the gazette's columns and its announcements") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(402, 80, 6);
  c.Flush();
  c.Flush();
  c.Close();
  CliResult j = RunCli({"export", "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--format", "json"});
  INFO(j.err);
  REQUIRE(j.code == 0);
  auto e = ParseJsonOut<tools::audit::RegisterExport>(j.out);
  CHECK(e.chain_id() == "audit-test");
  CHECK(e.height() == c.height());
  CHECK(e.trust() == "attested");
  // One row per registered pledge (each on one patent in this workload).
  REQUIRE(e.rows_size() == static_cast<int>(c.pledges().size()));
  size_t registrations = 0, cancellations = 0, cancelled_rows = 0, changes = 0;
  for (const auto& a : e.announcements()) {
    registrations += a.kind() == "REGISTRATION";
    cancellations += a.kind() == "CANCELLATION";
  }
  for (const auto& row : e.rows()) {
    CHECK_FALSE(row.pledgor().empty());
    CHECK_THAT(row.pledgee(), Catch::StartsWith("Test bank-"));
    CHECK_FALSE(row.main_ipc().empty());
    CHECK_THAT(row.patent_no(), Catch::StartsWith("ZL"));
    CHECK(row.grant_date().size() == 10);
    CHECK(row.registration_date().size() == 10);
    cancelled_rows += row.status() == "CANCELLED";
    changes += row.changes();
    if (row.status() == "CANCELLED") CHECK(row.cancellation_date().size() == 10);
  }
  CHECK(registrations == c.pledges().size());
  CHECK(cancellations == cancelled_rows);
  CHECK(cancelled_rows > 0);
  CHECK(changes > 0);

  CliResult csv = RunCli({"export", "--data-dir", c.data_dir(), "--genesis", c.genesis_path()});
  REQUIRE(csv.code == 0);
  CHECK_THAT(csv.out, Catch::StartsWith("pledge_id,status,pledgor,pledgee,main_ipc,patent_no,grant_date,registration_date"));
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == e.rows_size() + 1);
  CliResult active = RunCli({"export", "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--active-only",
                             "--format", "json"});
  REQUIRE(active.code == 0);
  auto ae = ParseJsonOut<tools::audit::RegisterExport>(active.out);
  CHECK(ae.rows_size() == e.rows_size() - static_cast<int>(cancelled_rows));
  CliResult ann = RunCli({"export", "--data-dir", c.data_dir(), "--genesis", c.genesis_path(), "--announcements",
                          "--out", tmp.Sub("gazette.csv")});
  REQUIRE(ann.code == 0);
  auto text = io::ReadFile(tmp.Sub("gazette.csv"));
  REQUIRE(text.ok());
  CHECK_THAT(*text, Catch::StartsWith("kind,date,pledge_id"));
  CHECK(std::count(text->begin(), text->end(), '\n') == e.announcements_size() + 1);
}

TEST_CASE("reading a node as an account: --key FILE or a wallet --profile, the chain from the genesis") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.Close();
  const std::string g = c.genesis_path();
  auto genesis = contracts::ParseGenesis(*io::ReadFile(g));
  REQUIRE(genesis.ok());
  std::map<std::string, std::string> env{{"PW", "auditor passphrase"}};
  auto run = [&](const std::vector<std::string>& args) {
    std::ostringstream out, err;
    tools::audit::AuditIo io{&out, &err};
    io.getenv = [&](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    CliResult r;
    r.code = tools::audit::RunAudit(args, io);
    r.out = out.str();
    r.err = err.str();
    return r;
  };
  const std::vector<std::string> verify = {"verify", "--genesis", g, "--quiet"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> a = verify;
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };

  CliResult r = run(with({"--node", "http://127.0.0.1:1", "--key", tmp.Sub("missing.key")}));
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("--key: cannot read"));
  REQUIRE(io::WriteFileAtomic(tmp.Sub("auditor.key"), *io::Ed25519KeyToPem(TestKey(5)), 0600).ok());
  r = run(with({"--node", "http://127.0.0.1:1", "--key", tmp.Sub("auditor.key"), "--profile", "a"}));
  CHECK(r.code == 2);
  // A usable key, then the node: unreachable (3), not a key error.
  r = run(with({"--node", "http://127.0.0.1:1", "--key", tmp.Sub("auditor.key")}));
  CHECK(r.code == 3);
  CHECK_THAT(r.err, Catch::Contains("NODE_UNREACHABLE"));

  // A wallet profile: its key (with its passphrase), node and chain.
  const std::string home = tmp.Sub("wallet");
  tools::Keystore ks(home);
  REQUIRE(ks.Save("auditor", TestKey(5), env["PW"], tools::KdfLimits{1, 8192}).ok());
  tools::WalletConfig cfg;
  auto* p = cfg.add_profiles();
  p->set_name("audit");
  p->set_node_url("http://127.0.0.1:1");
  p->set_key("auditor");
  p->set_chain_id(genesis->chain_id());
  auto* other = cfg.add_profiles();
  *other = *p;
  other->set_name("elsewhere");
  other->set_chain_id("another-chain");
  REQUIRE(tools::wallet::ConfigStore(home).Save(cfg).ok());
  r = run(with({"--profile", "nope", "--home", home}));
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("no profile named 'nope'"));
  r = run(with({"--profile", "elsewhere", "--home", home, "--passphrase-env", "PW"}));
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("is for chain 'another-chain'"));
  r = run(with({"--profile", "audit", "--home", home}));
  CHECK(r.code == 1);  // no terminal, no passphrase flag
  CHECK_THAT(r.err, Catch::Contains("PASSPHRASE_UNAVAILABLE"));
  env["WRONG"] = "not it";
  r = run(with({"--profile", "audit", "--home", home, "--passphrase-env", "WRONG"}));
  CHECK_THAT(r.err, Catch::Contains("WRONG_PASSPHRASE"));
  r = run(with({"--profile", "audit", "--home", home, "--passphrase-env", "PW"}));
  CHECK(r.code == 3);  // the profile's node
  CHECK(r.err.find(env["PW"]) == std::string::npos);
  // A data directory needs no key, whatever else is given.
  r = run({"verify", "--data-dir", tmp.Sub("nowhere"), "--genesis", g, "--key", tmp.Sub("missing.key")});
  CHECK_THAT(r.err, Catch::Contains("DB_NOT_FOUND"));
}

}  // namespace pledger::test
