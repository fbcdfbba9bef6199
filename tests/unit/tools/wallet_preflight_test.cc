// pledger-wallet's pre-flight (the node's simulation before drafting, signing
// and submitting), its machine-readable errors in --json mode, and the
// messages of issue 18's bugs 5 and 9, against the fake node.
#include <catch2/catch.hpp>

#include "ledger/bytes.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "ledger/io/api_json.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/tx.h"
#include "tests/unit/tools/wallet_harness.h"
#include "tools/proto/wallet.pb.h"
#include "tools/wallet/preflight.h"
#include "tools/wallet/txfile.h"

namespace pledger::test {
namespace {

using tools::wallet::kExitOk;
using tools::wallet::kExitRejected;
using tools::wallet::kExitUnreachable;
using tools::wallet::kExitUsage;

const std::string kHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kPatent = "ZL201410362077.3";
const std::string kNode = "http://127.0.0.1:1";

struct Parties {
  WalletHarness bank, owner;
  std::shared_ptr<FakeNodeState> node = MakeFakeNode();
  Parties() {
    bank.ImportKey("qtbank", TestKey(1));
    owner.ImportKey("lianke", TestKey(2));
    node->AddAccount(TestKey(1), "qtbank", contracts::ROLE_BANK);
    node->AddAccount(TestKey(2), "lianke", contracts::ROLE_OWNER);
    node->AddAccount(TestKey(3), "zjipo", contracts::ROLE_IP_OFFICE);
    bank.node = node;
    owner.node = node;
  }
  static void Carry(const WalletHarness& from, WalletHarness& to, const std::string& name) {
    auto data = io::ReadFile(from.Path(name));
    REQUIRE(data.ok());
    REQUIRE(io::WriteFileAtomic(to.Path(name), *data).ok());
  }
};

std::vector<std::string> Draft(const WalletHarness& bank, std::vector<std::string> more = {}) {
  std::vector<std::string> a{"pledge", "register", "--patent", kPatent, "--pledgee", "qtbank", "--pledgor", "lianke",
                             "--debt-type", "working-capital loan", "--principal", "5000000.00", "--rate", "3.85",
                             "--due", "2027-06-30", "--contract-hash", kHash, "--chain-id", "test-chain",
                             "--expiry-height", "500", "--key", "qtbank", "--passphrase-env", "PW", "--out",
                             bank.Path("pledge.json")};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

tools::WalletError JsonError(const WalletRun& r) {
  tools::WalletErrorView v;
  INFO(r.out << r.err);
  REQUIRE(io::ParseJson(r.out, &v, "error").ok());
  return v.error();
}

// The node's simulation answers that the partner-bank caution was not acknowledged.
void CannedCautionRefusal(FakeNodeState& node) {
  api::SimulateView v;
  v.set_code("PLEDGE_CAUTION_ACK_REQUIRED");
  v.set_rule("R33");
  v.set_message("lianke already borrows from 2 banks: enter cautiously and set caution_ack to proceed (R33)");
  v.add_grounds("PLEDGE_CAUTION_ACK_REQUIRED (R33): lianke already borrows from 2 banks: enter cautiously and set "
                "caution_ack to proceed (R33)");
  v.add_missing("an IP office (registers the pledge, R1)");
  v.set_height(41);
  v.set_advisory(true);
  node.canned["POST /v1/txs/simulate"] = {200, io::ApiJsonFromMessage(v)};  // as pledgerd renders it
}

TEST_CASE("wallet preflight: the remedy table and the field names in wallet terms", "[unit][wallet]") {
  using tools::wallet::InWalletTerms;
  using tools::wallet::RemedyFor;
  CHECK(InWalletTerms("enter cautiously and set caution_ack to proceed") ==
        "enter cautiously and give --caution-ack to proceed");
  CHECK(InWalletTerms("co-sign, or set no_shortfall_draw if it did not pay") ==
        "co-sign, or give --no-shortfall-draw if it did not pay");
  CHECK(InWalletTerms("set risk_ack to proceed (R7j)") == "give --risk-ack to proceed (R7j)");
  CHECK(InWalletTerms("set risk_acknowledged") == "set risk_acknowledged");  // only whole names
  REQUIRE(RemedyFor("PLEDGE_CAUTION_ACK_REQUIRED") != nullptr);
  CHECK(RemedyFor("PLEDGE_CAUTION_ACK_REQUIRED")->flag == "--caution-ack");
  CHECK(RemedyFor("POOL_SHORTFALL_SIGNATURE_MISSING")->flag == "--no-shortfall-draw");
  CHECK(RemedyFor("PLEDGE_INVALIDATION_PENDING_UNACKNOWLEDGED")->flag == "--risk-ack");
  CHECK(RemedyFor("NO_SUCH_CODE") == nullptr);
  CHECK(tools::wallet::GroundCode("PLEDGE_LTV_EXCEEDED (R29): loan-to-value") == "PLEDGE_LTV_EXCEEDED");
}

TEST_CASE("wallet preflight: a refusal the node foresees stops drafting and signing, and --force goes on",
          "[unit][wallet]") {
  Parties p;
  CannedCautionRefusal(*p.node);
  // Drafting with a node: stopped before anything is signed or written.
  WalletRun r = p.bank.Run(Draft(p.bank, {"--node", kNode}));
  INFO(r.out << r.err);
  CHECK(r.code == kExitRejected);
  CHECK(r.err.find("would REFUSE") != std::string::npos);
  CHECK(r.err.find("give --caution-ack to proceed") != std::string::npos);
  CHECK(r.err.find("fix: --caution-ack") != std::string::npos);
  CHECK_FALSE(io::FileExists(p.bank.Path("pledge.json")));
  // --json: the ledger's code, marked as a simulation, with the remedy.
  r = p.bank.Run(Draft(p.bank, {"--node", kNode, "--json"}));
  CHECK(r.code == kExitRejected);
  tools::WalletError e = JsonError(r);
  CHECK(e.code() == "PLEDGE_CAUTION_ACK_REQUIRED");
  CHECK(e.rule() == "R33");
  CHECK(e.simulated());
  CHECK(e.exit_code() == kExitRejected);
  REQUIRE(e.remedies_size() == 1);
  CHECK(e.remedies(0).rfind("--caution-ack", 0) == 0);
  REQUIRE(e.missing_size() == 1);
  // Forced: drafted and signed by the bank, with the warning.
  r = p.bank.Run(Draft(p.bank, {"--node", kNode, "--force"}));
  CHECK(r.code == kExitOk);
  CHECK(r.err.find("--force: signing anyway") != std::string::npos);
  REQUIRE(ReadTxFile(p.bank.Path("pledge.json")).tx().signatures_size() == 1);

  // The owner's sign: stopped before its signature is added; forced, signed.
  Parties::Carry(p.bank, p.owner, "pledge.json");
  r = p.owner.Run({"--node", kNode, "sign", p.owner.Path("pledge.json"), "--key", "lianke", "--passphrase-env", "PW"});
  CHECK(r.code == kExitRejected);
  CHECK(r.err.find("stopped before signing it") != std::string::npos);
  CHECK(ReadTxFile(p.owner.Path("pledge.json")).tx().signatures_size() == 1);
  r = p.owner.Run({"--node", kNode, "sign", p.owner.Path("pledge.json"), "--key", "lianke", "--passphrase-env", "PW",
                   "--force"});
  CHECK(r.code == kExitOk);
  CHECK(ReadTxFile(p.owner.Path("pledge.json")).tx().signatures_size() == 2);

  // A node that does not simulate (an older one): a note, and signing goes on.
  p.node->canned.clear();
  r = p.bank.Run(Draft(p.bank, {"--node", kNode, "--force"}));
  CHECK(r.code == kExitOk);
  CHECK(r.err.find("Pre-flight not available") != std::string::npos);
}

TEST_CASE("wallet preflight: an unreachable node stops signing unless --force, and no node at all goes on",
          "[unit][wallet]") {
  Parties p;
  REQUIRE(p.bank.Run(Draft(p.bank)).code == kExitOk);  // no node: drafted offline
  Parties::Carry(p.bank, p.owner, "pledge.json");
  p.owner.node = nullptr;  // every connection is unreachable
  WalletRun r = p.owner.Run({"--node", "http://127.0.0.1:9", "--chain-id", "test-chain", "sign",
                             p.owner.Path("pledge.json"), "--key", "lianke", "--passphrase-env", "PW", "--json"});
  CHECK(r.code == kExitUnreachable);
  CHECK(JsonError(r).code() == "NODE_UNREACHABLE");
  r = p.owner.Run({"--node", "http://127.0.0.1:9", "--chain-id", "test-chain", "sign", p.owner.Path("pledge.json"),
                   "--key", "lianke", "--passphrase-env", "PW", "--force"});
  CHECK(r.code == kExitOk);
  r = p.owner.Run({"sign", p.owner.Path("pledge.json"), "--key", "lianke", "--passphrase-env", "PW"});
  CHECK(r.code == kExitOk);
  CHECK(r.err.find("no node configured") != std::string::npos);
}

TEST_CASE("wallet: sign warns of an invalid patent number in the body (issue 18, bug 5)", "[unit][wallet]") {
  Parties p;
  contracts::Action a;
  auto* x = a.mutable_pledge_register();
  x->add_patent_nos("ZL201910123456.7");  // a wrong check character (docs/wallet.md)
  x->set_pledgee_org_id("qtbank");
  x->add_pledgor_org_ids("lianke");
  x->set_debtor_org_id("lianke");
  ledger::TxBody body = Body(a, 500);
  auto file = tools::wallet::MakeTxFile(ledger::MakeTransaction(body), "2026-11-27T02:17:40Z");
  REQUIRE(file.ok());
  REQUIRE(tools::wallet::WriteTxFile(p.owner.Path("bad.json"), *file, false).ok());
  WalletRun r = p.owner.Run({"sign", p.owner.Path("bad.json"), "--key", "lianke", "--passphrase-env", "PW", "--json"});
  INFO(r.out << r.err);
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("WARNING: PATENT_CHECK_DIGIT_INVALID") != std::string::npos);
  CHECK(JsonError(r).code() == "PATENT_CHECK_DIGIT_INVALID");
  CHECK(JsonError(r).flag() == "patent");
  CHECK(ReadTxFile(p.owner.Path("bad.json")).tx().signatures_size() == 0);
  r = p.owner.Run({"sign", p.owner.Path("bad.json"), "--key", "lianke", "--passphrase-env", "PW", "--force"});
  CHECK(r.code == kExitOk);
  CHECK(r.err.find("WARNING: PATENT_CHECK_DIGIT_INVALID") != std::string::npos);
}

TEST_CASE("wallet: submit FILE with a signature missing says who signs it and how (issue 18, bug 9)",
          "[unit][wallet]") {
  Parties p;
  REQUIRE(p.bank.Run(Draft(p.bank)).code == kExitOk);
  // The bank's wallet also holds the owner's key under a profile of its own.
  p.bank.ImportKey("lianke", TestKey(2));
  REQUIRE(p.bank.Run({"profile", "add", "owner", "--node", kNode, "--key", "lianke", "--chain-id", "test-chain"}).code ==
          kExitOk);
  REQUIRE(p.bank.Run({"profile", "use", "owner"}).code == kExitOk);
  WalletRun r = p.bank.Run({"submit", p.bank.Path("pledge.json"), "--key", "qtbank", "--passphrase-env", "PW"});
  INFO(r.out << r.err);
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--out FILE") == std::string::npos);
  CHECK(r.err.find(p.bank.Path("pledge.json") + " still needs the signature of: owner lianke") != std::string::npos);
  CHECK(r.err.find("`pledger-wallet --profile owner sign " + p.bank.Path("pledge.json") + "`") != std::string::npos);
  CHECK(r.err.find("an account of that party runs `pledger-wallet sign") != std::string::npos);  // the IP office
  CHECK(p.node->submitted.empty());
  r = p.bank.Run({"submit", p.bank.Path("pledge.json"), "--key", "qtbank", "--passphrase-env", "PW", "--json"});
  tools::WalletError e = JsonError(r);
  CHECK(e.code() == "SIGNATURE_MISSING");
  CHECK(e.exit_code() == kExitUsage);
  CHECK(e.missing_size() == 2);
}

TEST_CASE("wallet: a co-owned patent's pledge without --debtor says why (issue 18, bug 9)", "[unit][wallet]") {
  Parties p;
  contracts::PatentView v;
  v.mutable_patent()->set_patent_no(kPatent);
  for (const char* o : {"lianke", "zju"}) v.mutable_patent()->add_owners()->set_org_id(o);
  p.node->patents[kPatent] = v;
  std::vector<std::string> args{"pledge", "register", "--patent", kPatent, "--pledgee", "qtbank", "--debt-type",
                                "loan", "--principal", "1000000", "--rate", "3.85", "--due", "2027-06-30",
                                "--contract-hash", kHash, "--node", kNode, "--key", "qtbank", "--passphrase-env", "PW",
                                "--out", p.bank.Path("co.json"), "--json"};
  WalletRun r = p.bank.Run(args);
  INFO(r.out << r.err);
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("ZL201410362077.3 is co-owned by lianke, zju") != std::string::npos);
  CHECK(r.err.find("name the debtor with --debtor ORG") != std::string::npos);
  tools::WalletError e = JsonError(r);
  CHECK(e.code() == "FLAG_MISSING");
  CHECK(e.flag() == "debtor");
}

TEST_CASE("wallet: --json failures carry specific codes and exit codes", "[unit][wallet]") {
  Parties p;
  struct Case {
    std::vector<std::string> args;
    std::string code;
    std::string flag;
    int exit;
  };
  const std::vector<Case> cases = {
      {{"pledge", "register", "--bogus", "--json"}, "FLAG_UNKNOWN", "bogus", kExitUsage},
      {{"frobnicate", "--json"}, "COMMAND_UNKNOWN", "", kExitUsage},
      {{"pledge", "register", "--patent", kPatent, "--json"}, "FLAG_MISSING", "pledgee", kExitUsage},
      {{"pledge", "register", "--patent", "ZL201910123456.7", "--json"}, "FLAG_INVALID", "patent", kExitUsage},
      {Draft(p.bank, {"--principal", "-5", "--json"}), "FLAG_INVALID", "principal", kExitUsage},
      {{"submit", "--wait", "--no-wait", "x.json", "--json"}, "FLAG_CONFLICT", "wait", kExitUsage},
      {{"inspect", "--json"}, "ARGUMENT_MISSING", "", kExitUsage},
      {{"inspect", p.bank.Path("none.json"), "--json"}, "FILE_NOT_FOUND", "", 1},
      {{"--node", "http://127.0.0.1:9", "status", "--json"}, "NODE_UNREACHABLE", "", kExitUnreachable},
  };
  for (const Case& c : cases) {
    WalletHarness h;
    WalletRun r = h.Run(c.args);
    std::string line;
    for (const auto& a : c.args) line += a + " ";
    INFO(line << "\n" << r.out << r.err);
    CHECK(r.code == c.exit);
    tools::WalletError e = JsonError(r);
    CHECK(e.code() == c.code);
    CHECK(e.flag() == c.flag);
    CHECK(e.exit_code() == c.exit);
    CHECK_FALSE(e.message().empty());
  }
}

}  // namespace
}  // namespace pledger::test
