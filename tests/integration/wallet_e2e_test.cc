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
//
// Label `integration`. Needs build/bin/pledgerd and build/bin/pledger-wallet.
#include <catch2/catch.hpp>

#include <google/protobuf/util/json_util.h>

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
  Run inspect = bank_a({"inspect", bank_a.Path("pledge.json"), "--json"});
  EXPECT_EXIT(c, inspect, 0);
  tools::InspectView view = ParseOut<tools::InspectView>(inspect);
  CHECK(view.tx_id() == tx_id);
  CHECK(view.complete());
  REQUIRE(view.signatures_size() == 3);
  CHECK(view.signatures(0).org_id() == "bank-a");
  CHECK(view.signatures(1).org_id() == "sme");
  CHECK(view.signatures(2).org_id() == "ipo-a");

  // 4. The bank submits and waits for the receipt.
  Run submitted = bank_a({"submit", bank_a.Path("pledge.json")});
  EXPECT_EXIT(c, submitted, 0);
  CHECK(submitted.out.find(": OK") != std::string::npos);
  CHECK(submitted.out.find(pledge_id) != std::string::npos);
  Run shown = bank_a({"pledge", "show", pledge_id, "--json"});
  EXPECT_EXIT(c, shown, 0);
  CHECK(ParseOut<contracts::Pledge>(shown).state() == contracts::PLEDGE_REGISTERED);

  // 5. Bank B's pledge on the same patent: signed by every party, refused (R7i).
  EXPECT_EXIT(c,
              bank_b({"pledge", "register", "--patent", kPatent, "--pledgee", "bank-b", "--pledgor", "sme",
                      "--debt-type", "working-capital loan", "--principal", "1000000", "--rate", "4.10", "--due",
                      "today+365", "--valuation", valuation_id, "--contract-hash", doc, "--passphrase-env", "PW",
                      "--out", bank_b.Path("pledge-b.json")}),
              0);
  Carry(bank_b, sme_offline, "pledge-b.json");
  EXPECT_EXIT(c, sme_offline({"sign", sme_offline.Path("pledge-b.json"), "--key", "sme", "--passphrase-env", "PW"}), 0);
  Carry(sme_offline, ipo_b, "pledge-b.json");
  EXPECT_EXIT(c, ipo_b({"sign", ipo_b.Path("pledge-b.json"), "--passphrase-env", "PW"}), 0);
  Carry(ipo_b, bank_b, "pledge-b.json");
  Run refused = bank_b({"submit", bank_b.Path("pledge-b.json"), "--json"});
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
  EXPECT_EXIT(c, ipo_b({"submit", ipo_b.Path("org.json")}), 0);
  EXPECT_EXIT(c,
              ipo_a({"gov", "account-add", "--public-key", buyer_key, "--org", "buyer", "--role", "owner",
                     "--passphrase-env", "PW", "--out", ipo_a.Path("account.json")}),
              0);
  Carry(ipo_a, ipo_b, "account.json");
  EXPECT_EXIT(c, ipo_b({"sign", ipo_b.Path("account.json"), "--passphrase-env", "PW"}), 0);
  EXPECT_EXIT(c, ipo_b({"submit", ipo_b.Path("account.json")}), 0);

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
  Run held = buyer({"submit", buyer.Path("assign.json")});
  EXPECT_EXIT(c, held, 2);
  CHECK(held.err.find("bank bank-a") != std::string::npos);
  Run forced = buyer({"submit", buyer.Path("assign.json"), "--force", "--json"});
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
  Run patent = bank_a({"patent", "show", kPatent, "--json"});
  EXPECT_EXIT(c, patent, 0);
  contracts::PatentView pv = ParseOut<contracts::PatentView>(patent);
  CHECK_FALSE(pv.pledged());
  CHECK(pv.patent().active_pledge_id().empty());

  // 9. The transfer, filed again, now goes through. (The refused transaction
  //    keeps its receipt for good: resubmitting the same file only reports it.)
  Run again = buyer({"submit", buyer.Path("assign.json"), "--force"});
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
  Run transfer = buyer({"submit", buyer.Path("assign2.json")});
  EXPECT_EXIT(c, transfer, 0);
  patent = buyer({"patent", "show", kPatent, "--json"});
  EXPECT_EXIT(c, patent, 0);
  pv = ParseOut<contracts::PatentView>(patent);
  REQUIRE(pv.patent().owners_size() == 1);
  CHECK(pv.patent().owners(0).org_id() == "buyer");

  // The patent's history tells the whole story, refusals included.
  Run history = buyer({"patent", "history", kPatent});
  EXPECT_EXIT(c, history, 0);
  CHECK(history.out.find("PLEDGE_PATENT_ALREADY_PLEDGED") != std::string::npos);
  CHECK(history.out.find("PATENT_PLEDGEE_CONSENT_MISSING") != std::string::npos);

  // 9. The IP offices change a chain parameter (governance quorum). The
  //    parameters' history and their value before the change stay queryable.
  Run before = buyer({"params", "show", "--json"});
  EXPECT_EXIT(c, before, 0);
  const contracts::Params old_params = ParseOut<contracts::Params>(before);
  const std::uint32_t new_grace = old_params.fee_grace_months() + 1;
  EXPECT_EXIT(c,
              ipo_a({"gov", "params-set", "--fee-grace-months", std::to_string(new_grace), "--passphrase-env", "PW",
                     "--out", ipo_a.Path("params.json")}),
              0);
  Carry(ipo_a, ipo_b, "params.json");
  EXPECT_EXIT(c, ipo_b({"sign", ipo_b.Path("params.json"), "--passphrase-env", "PW"}), 0);
  Run changed = ipo_b({"submit", ipo_b.Path("params.json"), "--json"});
  EXPECT_EXIT(c, changed, 0);
  const tools::SubmitResult change = ParseOut<tools::SubmitResult>(changed);
  REQUIRE(change.code() == "OK");
  REQUIRE(change.height() > 1);

  Run now = buyer({"params", "show", "--json"});
  EXPECT_EXIT(c, now, 0);
  CHECK(ParseOut<contracts::Params>(now).fee_grace_months() == new_grace);
  Run then = buyer({"params", "show", "--height", std::to_string(change.height() - 1), "--json"});
  EXPECT_EXIT(c, then, 0);
  CHECK(ParseOut<contracts::Params>(then).fee_grace_months() == old_params.fee_grace_months());
  Run params_history = buyer({"history", "params", "--json"});
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
  Run buyer_then = buyer({"org", "show", "buyer", "--height", "1", "--json"});
  CHECK(buyer_then.code != 0);
  CHECK(buyer_then.out.find("NOT_FOUND_AT_HEIGHT") != std::string::npos);
  Run buyer_account_then = buyer({"account", "show", buyer_key, "--height", "1", "--json"});
  CHECK(buyer_account_then.code != 0);
  CHECK(buyer_account_then.out.find("NOT_FOUND_AT_HEIGHT") != std::string::npos);
  Run buyer_account_now = buyer({"account", "show", buyer_key, "--height", std::to_string(change.height()), "--json"});
  EXPECT_EXIT(c, buyer_account_now, 0);
  CHECK(ParseOut<contracts::Account>(buyer_account_now).org_id() == "buyer");
  Run bank_then = buyer({"org", "show", "bank-a", "--height", "1", "--json"});
  EXPECT_EXIT(c, bank_then, 0);
  CHECK(ParseOut<contracts::Organisation>(bank_then).kind() == contracts::ORG_BANK);
}

}  // namespace
}  // namespace pledger::test
