// pledger-wallet end to end: the real pledger-wallet binary against a
// real 3-node cluster, each party with its own wallet home as on its own
// machine, files carried between them.
//
//   the bank drafts a pledge; the SME owner co-signs the file on a wallet with
//   no node (offline); the IP office co-signs; the bank submits and waits;
//   a second bank's pledge on the same patent is refused (R7i);
//   a transfer without the pledgee is held back by the wallet and refused by
//   the ledger (R13); full repayment releases the patent; the transfer, filed
//   again, succeeds.
// Every read is signed with the party's account key (the cluster's
// accounts/NAME.key, imported into each wallet).
//
// A second case checks what each reader sees: the pledgee bank reads its
// pledge in full (signed in with `login`, the token in a 0600 file), another
// bank and an anonymous reader get the gazette view with the withheld fields
// named, a bank's lending figures are refused to another bank in words.
//
// Label `integration`. Needs build/bin/pledgerd and build/bin/pledger-wallet.
#include <catch2/catch.hpp>

#include <google/protobuf/util/json_util.h>

#include <sys/stat.h>

#include <chrono>

#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/io/files.h"
#include "contracts/proto/history.pb.h"
#include "tests/integration/cluster.h"
#include "tests/integration/wallet_runner.h"
#include "tools/proto/wallet.pb.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

constexpr char kPatent[] = "ZL201410362077.3";

TEST_CASE("wallet e2e: co-signed pledge, refused second pledge and transfer, repayment, transfer",
          "[integration]") {
  TestCluster c;
  c.StartAll();
  REQUIRE(c.WaitForLeader(30s) >= 0);

  const std::string root = c.dir();
  Wallet ipo_a(root, "ipo-a"), ipo_b(root, "ipo-b"), bank_a(root, "bank-a"), bank_b(root, "bank-b");
  Wallet appraiser(root, "appraiser"), sme(root, "sme"), buyer(root, "buyer");
  // The SME owner signs on a machine without any node: key only, no profile.
  Wallet sme_offline(root, "sme-offline");
  ipo_a.Setup(c, "ipo-a", 0);
  ipo_b.Setup(c, "ipo-b", 1);
  bank_a.Setup(c, "bank-a", 2);
  bank_b.Setup(c, "bank-b", 1);
  appraiser.Setup(c, "appraiser", 0);
  sme.Setup(c, "sme", 2);
  {
    Run r = sme_offline({"key", "import", "sme", "--from", root + "/accounts/sme.key", "--passphrase-env", "PW"});
    EXPECT_EXIT(c, r, 0);
  }
  const std::string doc = ledger::HexEncode(ledger::Sha256(std::string("pledge contract no. 2026-117")));

  // 1. The IP office registers the SME's patent; the appraiser values it.
  EXPECT_EXIT(c,
              ipo_a({"patent", "register", "--patent", kPatent, "--title", "Calibration method for a torque sensor",
                     "--ipc", "G01L 25/00", "--filed", "2014-07-28", "--granted", "2016-03-02", "--owner", "sme",
                     "--fee-paid-through", "today+365", "--passphrase-env", "PW"}),
              0);
  Run val = appraiser({"valuation", "record", "--patent", kPatent, "--method", "income", "--base-date", "today",
                       "--value", "20,000,000.00", "--realisable", "12,000,000.00", "--report-hash", doc,
                       "--licence-no", "ZJ-AP-2024-017", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, val, 0);
  const std::string valuation_id = ParseOut<tools::SubmitResult>(val).object_id();
  REQUIRE(valuation_id.size() == 32);

  // 2. Bank A drafts the pledge (pledgors read from the register) and signs it.
  EXPECT_EXIT(c,
              bank_a({"pledge", "register", "--patent", kPatent, "--pledgee", "bank-a", "--debt-type",
                      "working-capital loan", "--principal", "5000000.00", "--rate", "3.85", "--due", "today+730",
                      "--valuation", valuation_id, "--contract-hash", doc, "--passphrase-env", "PW", "--out",
                      bank_a.Path("pledge.json")}),
              0);
  auto draft = io::ReadFile(bank_a.Path("pledge.json"));
  REQUIRE(draft.ok());
  tools::TxFile draft_file;
  REQUIRE(google::protobuf::util::JsonStringToMessage(*draft, &draft_file).ok());
  const std::string tx_id = draft_file.tx_id();
  const std::string pledge_id = tx_id.substr(0, 32);
  REQUIRE(draft_file.tx().signatures_size() == 1);

  // 3. The SME owner co-signs offline; the IP office co-signs; the id never changes.
  Carry(bank_a, sme_offline, "pledge.json");
  Run signed_by_sme = sme_offline({"sign", sme_offline.Path("pledge.json"), "--key", "sme", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, signed_by_sme, 0);
  CHECK(signed_by_sme.out.find("Transaction id unchanged: " + tx_id) != std::string::npos);
  Carry(sme_offline, ipo_a, "pledge.json");
  EXPECT_EXIT(c, ipo_a({"sign", ipo_a.Path("pledge.json"), "--passphrase-env", "PW"}), 0);
  Carry(ipo_a, bank_a, "pledge.json");
  Run inspect = bank_a({"inspect", bank_a.Path("pledge.json"), "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, inspect, 0);
  tools::InspectView view = ParseOut<tools::InspectView>(inspect);
  CHECK(view.tx_id() == tx_id);
  CHECK(view.complete());
  REQUIRE(view.signatures_size() == 3);
  CHECK(view.signatures(0).org_id() == "bank-a");
  CHECK(view.signatures(1).org_id() == "sme");
  CHECK(view.signatures(2).org_id() == "ipo-a");

  // 4. The bank submits and waits for the receipt.
  Run submitted = bank_a({"submit", bank_a.Path("pledge.json"), "--passphrase-env", "PW"});
  EXPECT_EXIT(c, submitted, 0);
  CHECK(submitted.out.find(": OK") != std::string::npos);
  CHECK(submitted.out.find(pledge_id) != std::string::npos);
  Run shown = bank_a({"pledge", "show", pledge_id, "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, shown, 0);
  CHECK(ParseOut<contracts::Pledge>(shown).state() == contracts::PLEDGE_REGISTERED);

  // 5. Bank B's pledge on the same patent: the pre-flight stops the draft
  //    (R7i, exit 4, nothing written); forced, signed by every party (each
  //    signer's pre-flight stops too until forced), refused by the ledger.
  const std::vector<std::string> pledge_b{"pledge", "register", "--patent", kPatent, "--pledgee", "bank-b",
                                          "--pledgor", "sme", "--debt-type", "working-capital loan", "--principal",
                                          "1000000", "--rate", "4.10", "--due", "today+365", "--valuation",
                                          valuation_id, "--contract-hash", doc, "--passphrase-env", "PW", "--out",
                                          bank_b.Path("pledge-b.json")};
  auto with = [](std::vector<std::string> args, std::vector<std::string> more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  Run preflight = bank_b(with(pledge_b, {"--json"}));
  EXPECT_EXIT(c, preflight, 4);
  tools::WalletErrorView stopped = ParseOut<tools::WalletErrorView>(preflight);
  CHECK(stopped.error().code() == "PLEDGE_PATENT_ALREADY_PLEDGED");
  CHECK(stopped.error().simulated());
  CHECK(preflight.err.find("would REFUSE") != std::string::npos);
  CHECK_FALSE(io::FileExists(bank_b.Path("pledge-b.json")));
  EXPECT_EXIT(c, bank_b(with(pledge_b, {"--force"})), 0);
  Carry(bank_b, sme_offline, "pledge-b.json");
  // Offline (a wallet without a node): no pre-flight, signing goes on.
  EXPECT_EXIT(c, sme_offline({"sign", sme_offline.Path("pledge-b.json"), "--key", "sme", "--passphrase-env", "PW"}), 0);
  Carry(sme_offline, ipo_b, "pledge-b.json");
  Run ipo_stopped = ipo_b({"sign", ipo_b.Path("pledge-b.json"), "--passphrase-env", "PW"});
  EXPECT_EXIT(c, ipo_stopped, 4);
  CHECK(ipo_stopped.err.find("PLEDGE_PATENT_ALREADY_PLEDGED") != std::string::npos);
  EXPECT_EXIT(c, ipo_b({"sign", ipo_b.Path("pledge-b.json"), "--force", "--passphrase-env", "PW"}), 0);
  Carry(ipo_b, bank_b, "pledge-b.json");
  Run refused = bank_b({"submit", bank_b.Path("pledge-b.json"), "--force", "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, refused, 4);
  tools::SubmitResult second = ParseOut<tools::SubmitResult>(refused);
  CHECK(second.code() == "PLEDGE_PATENT_ALREADY_PLEDGED");
  CHECK(second.rule() == "R7i");
  CHECK(second.status() == "COMMITTED");
  bool ground = false;
  for (const auto& g : second.grounds()) ground = ground || g.find("PLEDGE_PATENT_ALREADY_PLEDGED") != std::string::npos;
  CHECK(ground);

  // 6. A buyer joins: its key, an organisation and an OWNER account (governance quorum).
  Run made = buyer({"key", "new", "buyer", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, made, 0);
  const std::string buyer_key = ParseOut<tools::KeyView>(made).public_key_hex();
  REQUIRE(buyer_key.size() == 64);
  REQUIRE(buyer({"profile", "add", "buyer", "--node", c.ApiUrl(0), "--key", "buyer"}).code == 0);
  EXPECT_EXIT(c,
              ipo_a({"gov", "org-add", "--id", "buyer", "--name", "Buyer Technology Co.", "--kind", "enterprise",
                     "--address", "Hangzhou", "--passphrase-env", "PW", "--out", ipo_a.Path("org.json")}),
              0);
  Carry(ipo_a, ipo_b, "org.json");
  EXPECT_EXIT(c, ipo_b({"sign", ipo_b.Path("org.json"), "--passphrase-env", "PW"}), 0);
  EXPECT_EXIT(c, ipo_b({"submit", ipo_b.Path("org.json"), "--passphrase-env", "PW"}), 0);
  EXPECT_EXIT(c,
              ipo_a({"gov", "account-add", "--public-key", buyer_key, "--org", "buyer", "--role", "owner",
                     "--passphrase-env", "PW", "--out", ipo_a.Path("account.json")}),
              0);
  Carry(ipo_a, ipo_b, "account.json");
  EXPECT_EXIT(c, ipo_b({"sign", ipo_b.Path("account.json"), "--passphrase-env", "PW"}), 0);
  EXPECT_EXIT(c, ipo_b({"submit", ipo_b.Path("account.json"), "--passphrase-env", "PW"}), 0);

  // 7. The transfer to the buyer without the pledgee: the wallet holds it back
  //    (exit 2); forced through, the ledger refuses it (R13, exit 4).
  EXPECT_EXIT(c,
              ipo_a({"patent", "assign", "--patent", kPatent, "--to", "buyer", "--document-hash", doc,
                     "--passphrase-env", "PW", "--out", ipo_a.Path("assign.json")}),
              0);
  Carry(ipo_a, sme, "assign.json");
  EXPECT_EXIT(c, sme({"sign", sme.Path("assign.json"), "--passphrase-env", "PW"}), 0);
  Carry(sme, buyer, "assign.json");
  EXPECT_EXIT(c, buyer({"sign", buyer.Path("assign.json"), "--passphrase-env", "PW"}), 0);
  Run held = buyer({"submit", buyer.Path("assign.json"), "--passphrase-env", "PW"});
  EXPECT_EXIT(c, held, 2);
  CHECK(held.err.find("bank bank-a") != std::string::npos);
  Run forced = buyer({"submit", buyer.Path("assign.json"), "--force", "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, forced, 4);
  CHECK(ParseOut<tools::SubmitResult>(forced).code() == "PATENT_PLEDGEE_CONSENT_MISSING");

  // 8. Full repayment cancels the pledge and releases the patent (R12).
  Run repaid = bank_a({"pledge", "repay", "--pledge", pledge_id, "--full", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, repaid, 0);
  tools::SubmitResult rep = ParseOut<tools::SubmitResult>(repaid);
  CHECK(rep.code() == "OK");
  bool lifted = false;
  for (const auto& e : rep.events()) lifted = lifted || e.type() == "pledge.locks_lifted";
  CHECK(lifted);
  Run patent = bank_a({"patent", "show", kPatent, "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, patent, 0);
  contracts::PatentView pv = ParseOut<contracts::PatentView>(patent);
  CHECK_FALSE(pv.pledged());
  CHECK(pv.patent().active_pledge_id().empty());

  // 9. The transfer, filed again, now goes through. (The refused transaction
  //    keeps its receipt for good: resubmitting the same file only reports it.)
  Run again = buyer({"submit", buyer.Path("assign.json"), "--force", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, again, 4);
  CHECK(again.out.find("already committed") != std::string::npos);
  EXPECT_EXIT(c,
              ipo_a({"patent", "assign", "--patent", kPatent, "--to", "buyer", "--document-hash", doc,
                     "--passphrase-env", "PW", "--out", ipo_a.Path("assign2.json")}),
              0);
  Carry(ipo_a, sme, "assign2.json");
  EXPECT_EXIT(c, sme({"sign", sme.Path("assign2.json"), "--passphrase-env", "PW"}), 0);
  Carry(sme, buyer, "assign2.json");
  EXPECT_EXIT(c, buyer({"sign", buyer.Path("assign2.json"), "--passphrase-env", "PW"}), 0);
  Run transfer = buyer({"submit", buyer.Path("assign2.json"), "--passphrase-env", "PW"});
  EXPECT_EXIT(c, transfer, 0);
  patent = buyer({"patent", "show", kPatent, "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, patent, 0);
  pv = ParseOut<contracts::PatentView>(patent);
  REQUIRE(pv.patent().owners_size() == 1);
  CHECK(pv.patent().owners(0).org_id() == "buyer");

  // The patent's history tells the whole story, refusals included.
  Run history = buyer({"patent", "history", kPatent, "--passphrase-env", "PW"});
  EXPECT_EXIT(c, history, 0);
  CHECK(history.out.find("PLEDGE_PATENT_ALREADY_PLEDGED") != std::string::npos);
  CHECK(history.out.find("PATENT_PLEDGEE_CONSENT_MISSING") != std::string::npos);

  // 9. The IP offices change a chain parameter (governance quorum). The
  //    parameters' history and their value before the change stay queryable.
  Run before = buyer({"params", "show", "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, before, 0);
  const contracts::Params old_params = ParseOut<contracts::Params>(before);
  const std::uint32_t new_grace = old_params.fee_grace_months() + 1;
  EXPECT_EXIT(c,
              ipo_a({"gov", "params-set", "--fee-grace-months", std::to_string(new_grace), "--passphrase-env", "PW",
                     "--out", ipo_a.Path("params.json")}),
              0);
  Carry(ipo_a, ipo_b, "params.json");
  EXPECT_EXIT(c, ipo_b({"sign", ipo_b.Path("params.json"), "--passphrase-env", "PW"}), 0);
  Run changed = ipo_b({"submit", ipo_b.Path("params.json"), "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, changed, 0);
  const tools::SubmitResult change = ParseOut<tools::SubmitResult>(changed);
  REQUIRE(change.code() == "OK");
  REQUIRE(change.height() > 1);

  Run now = buyer({"params", "show", "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, now, 0);
  CHECK(ParseOut<contracts::Params>(now).fee_grace_months() == new_grace);
  Run then = buyer(
      {"params", "show", "--height", std::to_string(change.height() - 1), "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, then, 0);
  CHECK(ParseOut<contracts::Params>(then).fee_grace_months() == old_params.fee_grace_months());
  Run params_history = buyer({"history", "params", "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, params_history, 0);
  const contracts::HistoryPage page = ParseOut<contracts::HistoryPage>(params_history);
  bool found = false;
  for (const auto& e : page.entries()) {
    found = found || (e.tx_id() == change.tx_id() && e.action() == "params_set" && e.code() == "OK" &&
                      e.height() == change.height());
  }
  CHECK(found);

  // Organisations and accounts as they were: the buyer's, added in step 6,
  // did not exist after block 1; bank A's, from the genesis file, did.
  Run buyer_then = buyer({"org", "show", "buyer", "--height", "1", "--json", "--passphrase-env", "PW"});
  CHECK(buyer_then.code != 0);
  CHECK(buyer_then.out.find("NOT_FOUND_AT_HEIGHT") != std::string::npos);
  Run buyer_account_then = buyer({"account", "show", buyer_key, "--height", "1", "--json", "--passphrase-env", "PW"});
  CHECK(buyer_account_then.code != 0);
  CHECK(buyer_account_then.out.find("NOT_FOUND_AT_HEIGHT") != std::string::npos);
  Run buyer_account_now = buyer({"account", "show", buyer_key, "--height", std::to_string(change.height()), "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, buyer_account_now, 0);
  CHECK(ParseOut<contracts::Account>(buyer_account_now).org_id() == "buyer");
  Run bank_then = buyer({"org", "show", "bank-a", "--height", "1", "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, bank_then, 0);
  CHECK(ParseOut<contracts::Organisation>(bank_then).kind() == contracts::ORG_BANK);
}

// Needs the node side of request authentication (tokens, the read policy);
// until it is in, login finds no token route and every reader sees all.
TEST_CASE("wallet e2e: the pledgee reads its pledge in full, another bank and the public get the gazette view",
          "[integration][access]") {
  TestCluster c;
  c.StartAll();
  REQUIRE(c.WaitForLeader(30s) >= 0);
  const std::string root = c.dir();
  Wallet ipo_a(root, "ipo-a"), bank_a(root, "bank-a"), bank_b(root, "bank-b"), appraiser(root, "appraiser"),
      sme(root, "sme"), stranger(root, "stranger");
  ipo_a.Setup(c, "ipo-a", 0);
  bank_a.Setup(c, "bank-a", 2);
  bank_b.Setup(c, "bank-b", 1);
  appraiser.Setup(c, "appraiser", 0);
  sme.Setup(c, "sme", 2);
  const std::string doc = ledger::HexEncode(ledger::Sha256(std::string("pledge contract no. 2026-118")));
  const std::vector<std::string> pw = {"--passphrase-env", "PW"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };

  // The pledge: registered, valued, drafted by bank A, co-signed, submitted.
  EXPECT_EXIT(c,
              ipo_a(with({"patent", "register", "--patent", kPatent, "--title", "Calibration method", "--ipc",
                          "G01L 25/00", "--filed", "2014-07-28", "--granted", "2016-03-02", "--owner", "sme",
                          "--fee-paid-through", "today+365"},
                         pw)),
              0);
  Run val = appraiser(with({"valuation", "record", "--patent", kPatent, "--method", "income", "--base-date", "today",
                            "--value", "20000000", "--realisable", "12000000", "--report-hash", doc, "--licence-no",
                            "ZJ-AP-2024-017", "--quiet"},
                           pw));
  EXPECT_EXIT(c, val, 0);
  const std::string valuation_id = val.out.substr(0, 32);
  Run draft = bank_a(with({"pledge", "register", "--patent", kPatent, "--pledgee", "bank-a", "--debt-type",
                           "working-capital loan", "--principal", "5000000.00", "--rate", "3.85", "--due", "today+730",
                           "--valuation", valuation_id, "--contract-hash", doc, "--out", bank_a.Path("p.json"),
                           "--quiet"},
                          pw));
  EXPECT_EXIT(c, draft, 0);
  const std::string pledge_id = draft.out.substr(0, 32);
  Carry(bank_a, sme, "p.json");
  EXPECT_EXIT(c, sme(with({"sign", sme.Path("p.json")}, pw)), 0);
  Carry(sme, ipo_a, "p.json");
  EXPECT_EXIT(c, ipo_a(with({"sign", ipo_a.Path("p.json")}, pw)), 0);
  Carry(ipo_a, bank_a, "p.json");
  EXPECT_EXIT(c, bank_a(with({"submit", bank_a.Path("p.json")}, pw)), 0);

  // Bank A signs in once; its token, a bearer credential, is kept 0600.
  Run login = bank_a(with({"login"}, pw));
  EXPECT_EXIT(c, login, 0);
  CHECK(login.out.find("Signed in to chain " + c.chain_id() + " as bank-a") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(bank_a.Path("tokens/bank-a.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  Run who = bank_a({"whoami", "--json"});
  EXPECT_EXIT(c, who, 0);
  CHECK(who.out.find("\"via\":\"token\"") != std::string::npos);

  // The pledgee, with its token and no passphrase: the principal, no marks.
  Run own = bank_a({"pledge", "show", pledge_id, "--json"});
  EXPECT_EXIT(c, own, 0);
  CHECK(ParseOut<contracts::Pledge>(own).principal_fen() == 500'000'000);
  CHECK(own.out.find("\"redacted\"") == std::string::npos);
  Run own_text = bank_a({"pledge", "show", pledge_id});
  EXPECT_EXIT(c, own_text, 0);
  CHECK(own_text.out.find("5,000,000.00 yuan") != std::string::npos);
  CHECK(own_text.out.find("withheld") == std::string::npos);

  // Another bank, signing its reads: the gazette view, the withheld fields named.
  Run other = bank_b(with({"pledge", "show", pledge_id, "--json"}, pw));
  EXPECT_EXIT(c, other, 0);
  CHECK(ParseOut<contracts::Pledge>(other).principal_fen() == 0);
  CHECK(other.out.find("\"view\":\"gazette\"") != std::string::npos);
  CHECK(other.out.find("principal_fen") != std::string::npos);  // named in "redacted"
  CHECK(other.out.find("bank-a") != std::string::npos);         // the gazette keeps the pledgee
  Run other_text = bank_b(with({"pledge", "show", pledge_id}, pw));
  EXPECT_EXIT(c, other_text, 0);
  CHECK(other_text.out.find("5,000,000.00") == std::string::npos);
  CHECK(other_text.out.find("(withheld)") != std::string::npos);
  CHECK(other_text.out.find("you are not a party to this pledge (gazette view)") != std::string::npos);
  Run patent = bank_b(with({"patent", "show", kPatent}, pw));
  EXPECT_EXIT(c, patent, 0);
  CHECK(patent.out.find("5,000,000.00") == std::string::npos);
  CHECK(patent.out.find("withheld") != std::string::npos);

  // Nobody at all: the same public view, and the hint says how to sign in.
  Run anonymous = bank_b({"pledge", "show", pledge_id, "--anonymous"});
  EXPECT_EXIT(c, anonymous, 0);
  CHECK(anonymous.out.find("you read anonymously (gazette view)") != std::string::npos);

  // The registrar sees everything.
  Run registrar = ipo_a(with({"pledge", "show", pledge_id, "--json"}, pw));
  EXPECT_EXIT(c, registrar, 0);
  CHECK(ParseOut<contracts::Pledge>(registrar).principal_fen() == 500'000'000);

  // A bank's lending figures are the bank's: refused to the other, in words, exit 5.
  EXPECT_EXIT(c, bank_a({"org", "lending", "bank-a"}), 0);
  Run lending = bank_b(with({"org", "lending", "bank-a"}, pw));
  EXPECT_EXIT(c, lending, 5);
  CHECK(lending.err.find("READ_FORBIDDEN") != std::string::npos);
  CHECK(lending.err.find("sign in with an account entitled to it") != std::string::npos);
  Run lending_json = bank_b(with({"org", "lending", "bank-a", "--json"}, pw));
  EXPECT_EXIT(c, lending_json, 5);
  CHECK(lending_json.out.find("\"code\": \"READ_FORBIDDEN\"") != std::string::npos);

  // A key that is no account on this chain.
  EXPECT_EXIT(c, stranger({"key", "new", "stranger", "--passphrase-env", "PW"}), 0);
  REQUIRE(stranger({"profile", "add", "stranger", "--node", c.ApiUrl(0), "--key", "stranger"}).code == 0);
  Run unknown = stranger(with({"pledge", "show", pledge_id}, pw));
  EXPECT_EXIT(c, unknown, 5);
  CHECK(unknown.err.find("AUTH_UNKNOWN_ACCOUNT: this key is not an account on this chain") != std::string::npos);

  // Signed out, reads ask for the passphrase again (none here: a clear error).
  EXPECT_EXIT(c, bank_a({"logout"}), 0);
  Run after = bank_a({"pledge", "show", pledge_id});
  EXPECT_EXIT(c, after, 1);
  CHECK(after.err.find("PASSPHRASE_UNAVAILABLE") != std::string::npos);
}

}  // namespace
}  // namespace pledger::test
