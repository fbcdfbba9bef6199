// Transaction building, byte-exact against the ledger library, and the
// offline multi-party signing flow on files (draft, co-sign, inspect,
// submit), against a fake node where a node is needed.
#include <catch2/catch.hpp>

#include "contracts/dates.h"
#include "contracts/engine.h"
#include "ledger/bytes.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "tests/unit/tools/wallet_harness.h"
#include "tools/proto/wallet.pb.h"
#include "tools/wallet/txfile.h"

namespace pledger::test {
namespace {

using contracts::Action;
using contracts::DaysFromCivil;
using tools::wallet::kExitOk;
using tools::wallet::kExitOther;
using tools::wallet::kExitRejected;
using tools::wallet::kExitUsage;

const std::string kHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kPledgeId = "0123456789abcdef0123456789abcdef";
const std::string kPatent = "ZL201410362077.3";

// The wallet's body must be exactly SerializeCanonical of the hand-built one.
void ExpectBody(const std::vector<std::string>& args, const Action& expected) {
  WalletHarness h;
  WalletRun r = h.Run(Offline(args, h.Path("t.json")));
  INFO(args[0] << " " << args[1] << ": " << r.err);
  REQUIRE(r.code == kExitOk);
  tools::TxFile f = ReadTxFile(h.Path("t.json"));
  const std::string want = ledger::SerializeCanonical(Body(expected));
  if (f.tx().body() != want) {
    ledger::TxBody got;
    got.ParseFromString(f.tx().body());
    INFO("got:  " << got.ShortDebugString());
    INFO("want: " << Body(expected).ShortDebugString());
    CHECK(f.tx().body() == want);
  }
  CHECK(f.tx_id() == ledger::HexEncode(ledger::TxId(want)));
  CHECK(f.format() == "pledger-tx/1");
  CHECK(f.chain_id() == "test-chain");
  CHECK(f.expiry_height() == 100);
  CHECK(f.tx().signatures_size() == 0);
  CHECK_FALSE(f.description().empty());
}

TEST_CASE("wallet tx: patent actions are built byte-exactly", "[unit][wallet]") {
  {
    Action a;
    auto* x = a.mutable_patent_register();
    x->set_patent_no(kPatent);
    x->set_type(contracts::PATENT_INVENTION);
    x->set_title("Torque sensor calibration");
    x->set_main_ipc("G01L 25/00");
    x->set_filing_date(DaysFromCivil(2014, 7, 28));
    x->set_grant_date(DaysFromCivil(2016, 3, 2));
    auto* o = x->add_owners();
    o->set_org_id("lianke");
    o->set_share_bps(10000);
    x->set_fee_paid_through(DaysFromCivil(2027, 7, 27));
    ExpectBody({"patent", "register", "--patent", "ZL 2014 1 0362077.3", "--title", "Torque sensor calibration", "--ipc",
                "G01L 25/00", "--filed", "2014-07-28", "--granted", "2016-03-02", "--owner", "lianke",
                "--fee-paid-through", "2027-07-27"},
               a);
    // Co-owned, with a term extension and a co-owner agreement; an application.
    x->clear_owners();
    auto* o1 = x->add_owners();
    o1->set_org_id("lianke");
    o1->set_share_bps(6000);
    auto* o2 = x->add_owners();
    o2->set_org_id("zju");
    o2->set_share_bps(4000);
    x->set_grant_date(0);
    x->set_term_extension_days(100);
    x->set_co_owner_agreement(true);
    x->set_fee_paid_through(0);
    ExpectBody({"patent", "register", "--patent", kPatent, "--title", "Torque sensor calibration", "--ipc", "G01L 25/00",
                "--filed", "2014-07-28", "--owner", "lianke:60%", "--owner", "zju:40", "--term-extension-days", "100",
                "--co-owner-agreement"},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_patent_register();
    x->set_patent_no("ZL201420362077.9");
    x->set_type(contracts::PATENT_UTILITY);
    x->set_title("Housing");
    x->set_main_ipc("G01L 1/00");
    x->set_filing_date(DaysFromCivil(2014, 7, 28));
    auto* o = x->add_owners();
    o->set_org_id("lianke");
    o->set_share_bps(10000);
    x->set_twin_patent_no(kPatent);
    ExpectBody({"patent", "register", "--patent", "ZL201420362077.9", "--title", "Housing", "--ipc", "G01L 1/00",
                "--filed", "2014-07-28", "--owner", "lianke", "--twin", kPatent},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_patent_status();
    x->set_patent_no(kPatent);
    x->set_event(contracts::PATENT_EVENT_FEE_PAID);
    x->set_date(DaysFromCivil(2026, 11, 20));
    x->set_paid_through(DaysFromCivil(2028, 7, 27));
    ExpectBody({"patent", "status", "--patent", kPatent, "--event", "fee-paid", "--date", "2026-11-20",
                "--paid-through", "2028-07-27"},
               a);
  }
  {
    WalletHarness tmp;
    REQUIRE(io::WriteFileAtomic(tmp.Path("order.pdf"), "court order 17").ok());
    Action a;
    auto* x = a.mutable_patent_status();
    x->set_patent_no(kPatent);
    x->set_event(contracts::PATENT_EVENT_PRESERVATION_ON);
    x->set_document_hash(ledger::HexEncode(ledger::Sha256("court order 17")));
    ExpectBody({"patent", "status", "--patent", kPatent, "--event", "PRESERVATION_ON", "--document",
                tmp.Path("order.pdf")},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_patent_assign();
    x->set_patent_no(kPatent);
    auto* o = x->add_new_owners();
    o->set_org_id("buyer");
    o->set_share_bps(10000);
    x->set_basis(contracts::TRANSFER_CONTRACT);
    x->set_document_hash(kHash);
    ExpectBody({"patent", "assign", "--patent", kPatent, "--to", "buyer", "--document-hash", kHash}, a);
    x->set_basis(contracts::TRANSFER_COURT);
    ExpectBody({"patent", "assign", "--patent", kPatent, "--to", "buyer", "--basis", "court", "--document-hash",
                std::string(kHash).substr(0, 0) + "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_licence_file();
    x->set_patent_no(kPatent);
    x->set_licensee_org_id("xyz");
    x->set_type(contracts::LICENCE_ORDINARY);
    x->set_territory("PRC");
    x->set_start_date(DaysFromCivil(2026, 12, 1));
    x->set_end_date(DaysFromCivil(2029, 11, 30));
    x->set_royalty_fen(12000050);
    x->set_contract_hash(kHash);
    x->set_sublicence(true);
    ExpectBody({"licence", "file", "--patent", kPatent, "--type", "ordinary", "--licensee", "xyz", "--sublicence",
                "--territory", "PRC", "--start", "2026-12-01", "--end", "2029-11-30", "--royalty", "120,000.50",
                "--contract-hash", kHash},
               a);
    Action open;
    auto* y = open.mutable_licence_file();
    y->set_patent_no(kPatent);
    y->set_type(contracts::LICENCE_OPEN);
    y->set_start_date(DaysFromCivil(2026, 12, 1));
    y->set_end_date(DaysFromCivil(2027, 11, 30));
    ExpectBody({"license", "file", "--patent", kPatent, "--type", "open", "--start", "2026-12-01", "--end",
                "2027-11-30"},
               open);
  }
}

TEST_CASE("wallet tx: valuation and pledge actions are built byte-exactly", "[unit][wallet]") {
  {
    Action a;
    auto* x = a.mutable_valuation_record();
    x->add_patent_nos(kPatent);
    x->add_patent_nos("ZL201420362077.9");
    x->set_method(contracts::VALUATION_INCOME);
    x->set_base_date(WalletToday() - 10);
    x->set_value_fen(2000000000);
    x->set_realisable_value_fen(1200000000);
    x->set_report_hash(kHash);
    x->set_appraiser_licence_no("ZJ-AP-2024-017");
    ExpectBody({"valuation", "record", "--patent", kPatent, "--patent", "ZL201420362077.9", "--method", "income",
                "--base-date", "today-10", "--value", "20,000,000", "--realisable", "12000000.00", "--report-hash",
                kHash, "--licence-no", "ZJ-AP-2024-017"},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_pledge_register();
    x->set_pledgee_org_id("qtbank");
    x->add_pledgor_org_ids("lianke");
    x->set_debtor_org_id("lianke");
    x->set_debt_type("working-capital loan");
    x->set_principal_fen(500000000);
    x->set_interest_rate_bps(385);
    x->set_due_date(DaysFromCivil(2027, 6, 30));
    x->set_scope("principal, interest, penalty, damages, custody costs and enforcement costs");
    x->add_patent_nos(kPatent);
    x->set_valuation_id(kPledgeId);
    x->set_contract_hash(kHash);
    ExpectBody({"pledge", "register", "--patent", kPatent, "--pledgee", "qtbank", "--pledgor", "lianke",
                "--debt-type", "working-capital loan", "--principal", "5000000.00", "--rate", "3.85", "--due",
                "2027-06-30", "--valuation", kPledgeId, "--contract-hash", kHash},
               a);
    x->clear_pledgor_org_ids();
    x->add_pledgor_org_ids("lianke");
    x->add_pledgor_org_ids("zju");
    x->set_debtor_org_id("lianke");
    x->set_scope("principal and interest");
    x->set_forfeiture_clause(true);
    x->set_risk_ack(true);
    x->set_caution_ack(true);
    x->set_agency_org_id("agency1");
    x->set_risk_class(contracts::RISK_SPECIAL_MENTION);
    x->set_interest_rate_bps(420);
    x->clear_valuation_id();
    ExpectBody({"pledge", "register", "--patent", kPatent, "--pledgee", "qtbank", "--pledgor", "lianke", "--pledgor",
                "zju", "--debtor", "lianke", "--debt-type", "working-capital loan", "--principal", "5,000,000",
                "--rate", "420bps", "--due", "2027-06-30", "--scope", "principal and interest", "--contract-hash",
                kHash, "--forfeiture-clause", "--risk-ack", "--caution-ack", "--agency", "agency1", "--risk-class",
                "special_mention"},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_pledge_change();
    x->set_pledge_id(kPledgeId);
    x->set_new_principal_fen(600000000);
    x->set_new_scope("principal only");
    x->set_agreement_hash(kHash);
    ExpectBody({"pledge", "change", "--pledge", kPledgeId, "--principal", "6000000", "--scope", "principal only",
                "--agreement-hash", kHash},
               a);
    Action e;
    e.mutable_pledge_change()->set_pledge_id(kPledgeId);
    e.mutable_pledge_change()->set_new_due_date(DaysFromCivil(2028, 6, 30));
    e.mutable_pledge_change()->set_agreement_hash(kHash);
    // A 64-hex transaction id is accepted for the pledge id (its first half).
    ExpectBody({"pledge", "extend", "--pledge", kPledgeId + std::string(32, 'f'), "--due", "2028-06-30",
                "--agreement-hash", kHash},
               e);
  }
  {
    Action a;
    a.mutable_loan_accrue()->set_pledge_id(kPledgeId);
    a.mutable_loan_accrue()->set_interest_fen(1604167);
    a.mutable_loan_accrue()->set_costs_fen(50000);
    ExpectBody({"pledge", "accrue", "--pledge", kPledgeId, "--interest", "16041.67", "--costs", "500"}, a);
  }
  {
    Action a;
    a.mutable_loan_repay()->set_pledge_id(kPledgeId);
    a.mutable_loan_repay()->set_amount_fen(100000000);
    ExpectBody({"pledge", "repay", "--pledge", kPledgeId, "--amount", "1000000"}, a);
  }
  {
    Action a;
    a.mutable_loan_renew()->set_pledge_id(kPledgeId);
    a.mutable_loan_renew()->set_new_due_date(DaysFromCivil(2028, 6, 30));
    a.mutable_loan_renew()->set_agreement_hash(kHash);
    ExpectBody({"pledge", "renew", "--pledge", kPledgeId, "--due", "2028-06-30", "--agreement-hash", kHash}, a);
  }
  {
    Action a;
    a.mutable_loan_classify()->set_pledge_id(kPledgeId);
    a.mutable_loan_classify()->set_risk_class(contracts::RISK_SUBSTANDARD);
    ExpectBody({"pledge", "classify", "--pledge", kPledgeId, "--class", "substandard"}, a);
  }
  {
    Action a;
    a.mutable_pledge_cancel()->set_pledge_id(kPledgeId);
    a.mutable_pledge_cancel()->set_ground(contracts::CANCEL_WAIVED);
    ExpectBody({"pledge", "cancel", "--pledge", kPledgeId, "--ground", "waived"}, a);
    a.mutable_pledge_cancel()->set_ground(contracts::CANCEL_COURT_ORDER);
    a.mutable_pledge_cancel()->set_document_hash(kHash);
    ExpectBody({"pledge", "cancel", "--pledge", kPledgeId, "--ground", "court-order", "--document-hash", kHash}, a);
  }
  {
    Action a;
    auto* x = a.mutable_pledge_enforce();
    x->set_pledge_id(kPledgeId);
    x->set_method(contracts::ENFORCE_AUCTION);
    x->set_proceeds_fen(420000000);
    x->set_document_hash(kHash);
    ExpectBody({"pledge", "enforce", "--pledge", kPledgeId, "--method", "auction", "--proceeds", "4200000",
                "--document-hash", kHash},
               a);
  }
}

TEST_CASE("wallet tx: governance and bank-policy actions are built byte-exactly", "[unit][wallet]") {
  const std::string k1 = ledger::HexEncode(TestKey(1).public_key());
  const std::string k2 = ledger::HexEncode(TestKey(2).public_key());
  {
    Action a;
    auto* x = a.mutable_bank_policy_set();
    x->set_bank_org_id("qtbank");
    x->mutable_policy()->set_ltv_cap_bps(5000);
    x->mutable_policy()->set_min_life_days_invention(1825);
    x->mutable_policy()->set_min_life_days_other(730);
    x->mutable_policy()->set_valuation_required(true);
    ExpectBody({"bank", "policy-set", "--bank", "qtbank", "--ltv-cap", "50%", "--min-life-invention-days", "1825",
                "--min-life-other-days", "730", "--valuation-required"},
               a);
  }
  {
    Action a;
    auto* o = a.mutable_org_add()->mutable_org();
    o->set_id("xhbank");
    o->set_name("Xihu Rural Bank");
    o->set_kind(contracts::ORG_BANK);
    o->set_address("Hangzhou");
    o->mutable_lending_policy()->set_ltv_cap_bps(3000);
    o->mutable_lending_policy()->set_valuation_required(true);
    ExpectBody({"gov", "org-add", "--id", "xhbank", "--name", "Xihu Rural Bank", "--kind", "bank", "--address",
                "Hangzhou", "--ltv-cap", "30", "--valuation-required"},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_account_add();
    x->set_public_key_hex(k1);
    x->set_org_id("qtbank");
    x->add_roles(contracts::ROLE_BANK);
    x->add_roles(contracts::ROLE_APPRAISER);
    ExpectBody({"gov", "account-add", "--public-key", k1, "--org", "qtbank", "--role", "bank", "--role", "appraiser"}, a);
  }
  {
    Action a;
    a.mutable_account_suspend()->set_public_key_hex(k1);
    a.mutable_account_suspend()->set_suspended(true);
    ExpectBody({"gov", "account-suspend", "--public-key", k1}, a);
    a.mutable_account_suspend()->set_suspended(false);
    ExpectBody({"gov", "account-suspend", "--public-key", k1, "--reinstate"}, a);
  }
  {
    Action a;
    a.mutable_account_rotate_key()->set_old_public_key_hex(k1);
    a.mutable_account_rotate_key()->set_new_public_key_hex(k2);
    ExpectBody({"gov", "account-rotate-key", "--public-key", k1, "--new-public-key", k2}, a);
  }
  {
    Action a;
    a.mutable_role_grant()->set_public_key_hex(k1);
    a.mutable_role_grant()->set_role(contracts::ROLE_GUARANTOR);
    ExpectBody({"gov", "role-grant", "--public-key", k1, "--role", "guarantor"}, a);
    Action b;
    b.mutable_role_revoke()->set_public_key_hex(k1);
    b.mutable_role_revoke()->set_role(contracts::ROLE_APPRAISER);
    ExpectBody({"gov", "role-revoke", "--public-key", k1, "--role", "APPRAISER"}, b);
  }
  {
    WalletHarness tmp;
    contracts::Params p;
    p.set_max_expiry_window(3600);
    p.set_caution_credit_limit_fen(1000000000);
    p.set_caution_bank_threshold(3);
    p.set_caution_bank_threshold_individual(2);
    p.set_fee_grace_months(6);
    p.set_fee_surcharge_bps_per_month(500);
    p.set_licence_filing_months(3);
    p.add_holidays(DaysFromCivil(2027, 1, 1));
    p.add_holidays(DaysFromCivil(2027, 5, 1));
    REQUIRE(io::WriteFileAtomic(tmp.Path("params.json"), io::ToJson(p)).ok());
    Action a;
    contracts::Params* q = a.mutable_params_set()->mutable_params();
    *q = p;
    q->set_fee_grace_months(5);
    q->set_fee_surcharge_bps_per_month(450);
    q->set_caution_credit_limit_fen(1500000000);
    q->clear_holidays();
    q->add_holidays(DaysFromCivil(2027, 1, 1));
    q->add_holidays(DaysFromCivil(2027, 10, 1));
    ExpectBody({"gov", "params-set", "--from", tmp.Path("params.json"), "--fee-grace-months", "5", "--fee-surcharge",
                "4.5%", "--caution-credit-limit", "15000000", "--add-holiday", "2027-10-01", "--remove-holiday",
                "2027-05-01"},
               a);
  }
  {
    Action a;
    auto* v = a.mutable_validator_add()->mutable_validator();
    v->set_node_id("node4");
    v->set_public_key_hex(k2);
    v->set_org_id("zjipo");
    v->set_peer_address("127.0.0.1:26704");
    v->set_api_address("127.0.0.1:26604");
    v->set_role(contracts::VALIDATOR_LEARNER);
    // Exactly the command pledger-admin add-node prints.
    ExpectBody({"gov", "validator-add", "--node-id", "node4", "--public-key", k2, "--org", "zjipo", "--peer",
                "127.0.0.1:26704", "--api", "127.0.0.1:26604", "--learner"},
               a);
    Action p;
    p.mutable_validator_promote()->set_node_id("node4");
    ExpectBody({"gov", "validator-promote", "--node-id", "node4"}, p);
    Action r;
    r.mutable_validator_remove()->set_node_id("node4");
    ExpectBody({"gov", "validator-remove", "--node-id", "node4"}, r);
  }
}

TEST_CASE("wallet tx: a signed draft is exactly what the ledger library signs", "[unit][wallet]") {
  WalletHarness h;
  h.ImportKey("qtbank", TestKey(1));
  WalletRun r = h.Run({"pledge", "accrue", "--pledge", kPledgeId, "--interest", "10", "--chain-id", "test-chain",
                       "--nonce", "7", "--expiry-height", "100", "--key", "qtbank", "--passphrase-env", "PW", "--out",
                       h.Path("a.json")});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  Action a;
  a.mutable_loan_accrue()->set_pledge_id(kPledgeId);
  a.mutable_loan_accrue()->set_interest_fen(1000);
  ledger::Transaction want = ledger::MakeTransaction(Body(a));
  ledger::SignTransaction(&want, TestKey(1));
  tools::TxFile f = ReadTxFile(h.Path("a.json"));
  CHECK(ledger::SerializeCanonical(f.tx()) == ledger::SerializeCanonical(want));
  CHECK(ledger::VerifyTxSignatures(f.tx()).ok());
  // The passphrase and the seed appear nowhere.
  CHECK(r.out.find(h.env["PW"]) == std::string::npos);
  CHECK(r.err.find(h.env["PW"]) == std::string::npos);
  // Refuses to overwrite a draft without --force.
  r = h.Run({"pledge", "accrue", "--pledge", kPledgeId, "--interest", "10", "--chain-id", "test-chain",
             "--expiry-height", "100", "--no-sign", "--out", h.Path("a.json")});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("already exists") != std::string::npos);
}

// Three machines: the bank drafts, the SME owner and the IP office co-sign.
struct Parties {
  WalletHarness bank, owner, office;
  std::shared_ptr<FakeNodeState> node = MakeFakeNode();
  Parties() {
    bank.ImportKey("qtbank", TestKey(1));
    owner.ImportKey("lianke", TestKey(2));
    office.ImportKey("zjipo", TestKey(3));
    node->AddAccount(TestKey(1), "qtbank", contracts::ROLE_BANK);
    node->AddAccount(TestKey(2), "lianke", contracts::ROLE_OWNER);
    node->AddAccount(TestKey(3), "zjipo", contracts::ROLE_IP_OFFICE);
    node->AddAccount(TestKey(4), "nbipo", contracts::ROLE_IP_OFFICE);
    node->AddAccount(TestKey(5), "appraisal", contracts::ROLE_APPRAISER);
    for (const char* org : {"zjipo", "nbipo"}) {
      auto* o = node->genesis.add_organisations();
      o->set_id(org);
      o->set_kind(contracts::ORG_IP_OFFICE);
    }
  }
  // Copies a file from one machine to another (the USB stick).
  static void Carry(const WalletHarness& from, WalletHarness& to, const std::string& name) {
    auto data = io::ReadFile(from.Path(name));
    REQUIRE(data.ok());
    REQUIRE(io::WriteFileAtomic(to.Path(name), *data).ok());
  }
};

std::vector<std::string> DraftPledge(const WalletHarness& bank) {
  return {"pledge", "register", "--patent", kPatent, "--pledgee", "qtbank", "--pledgor", "lianke", "--debt-type",
          "working-capital loan", "--principal", "5000000.00", "--rate", "3.85", "--due", "2027-06-30",
          "--contract-hash", kHash, "--chain-id", "test-chain", "--expiry-height", "500", "--key", "qtbank",
          "--passphrase-env", "PW", "--out", bank.Path("pledge.json")};
}

TEST_CASE("wallet tx: offline co-signing: draft by the bank, owner co-signs, inspect lists both", "[unit][wallet]") {
  Parties p;
  WalletRun r = p.bank.Run(DraftPledge(p.bank));
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("Wrote ") != std::string::npos);
  tools::TxFile draft = ReadTxFile(p.bank.Path("pledge.json"));
  const std::string id = draft.tx_id();
  {
    auto quiet = DraftPledge(p.bank);
    quiet.back() = p.bank.Path("quiet.json");
    quiet.push_back("--quiet");
    WalletRun q = p.bank.Run(quiet);
    REQUIRE(q.code == kExitOk);
    CHECK(q.out == ReadTxFile(p.bank.Path("quiet.json")).object_id() + "\n");
  }
  REQUIRE(draft.tx().signatures_size() == 1);
  CHECK(draft.object_id() == id.substr(0, 32));
  CHECK(draft.action() == "pledge_register");
  CHECK(draft.description().find("Register a pledge of 1 patent to bank qtbank securing 5,000,000.00 yuan") !=
        std::string::npos);

  Parties::Carry(p.bank, p.owner, "pledge.json");
  r = p.owner.Run({"sign", p.owner.Path("pledge.json"), "--key", "lianke", "--passphrase-env", "PW"});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("Transaction id unchanged: " + id) != std::string::npos);
  CHECK(r.out.find("Signing transaction " + id) != std::string::npos);
  tools::TxFile cosigned = ReadTxFile(p.owner.Path("pledge.json"));
  CHECK(cosigned.tx_id() == id);
  CHECK(cosigned.tx().body() == draft.tx().body());
  REQUIRE(cosigned.tx().signatures_size() == 2);
  CHECK(ledger::VerifyTxSignatures(cosigned.tx()).ok());
  CHECK(ledger::HexEncode(cosigned.tx().signatures(0).public_key()) == ledger::HexEncode(TestKey(1).public_key()));
  CHECK(ledger::HexEncode(cosigned.tx().signatures(1).public_key()) == ledger::HexEncode(TestKey(2).public_key()));

  // Offline inspect: both signatures, valid; the owner's own key recognised.
  r = p.owner.Run({"inspect", p.owner.Path("pledge.json")});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("Signatures (2)") != std::string::npos);
  CHECK(r.out.find(ledger::HexEncode(TestKey(1).public_key())) != std::string::npos);
  CHECK(r.out.find(ledger::HexEncode(TestKey(2).public_key()) + "  your key 'lianke'") != std::string::npos);
  CHECK(r.out.find("[INVALID]") == std::string::npos);
  CHECK(r.out.find("no node configured") != std::string::npos);

  // With a node: keys resolve to organisations; the IP office is still missing.
  p.owner.node = p.node;
  r = p.owner.Run({"--node", "http://127.0.0.1:1", "inspect", p.owner.Path("pledge.json")});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("qtbank (bank)") != std::string::npos);
  CHECK(r.out.find("lianke (owner)") != std::string::npos);
  CHECK(r.out.find("[signed]  bank qtbank (pledgee)") != std::string::npos);
  CHECK(r.out.find("[signed]  owner lianke (pledgor)") != std::string::npos);
  CHECK(r.out.find("[MISSING] an IP office (registers the pledge, R1)") != std::string::npos);
  CHECK(r.out.find("Still to sign: an IP office") != std::string::npos);

  r = p.owner.Run({"--node", "http://127.0.0.1:1", "inspect", p.owner.Path("pledge.json"), "--json"});
  REQUIRE(r.code == kExitOk);
  tools::InspectView v;
  REQUIRE(io::ParseJson(r.out, &v, "inspect").ok());
  CHECK(v.tx_id() == id);
  CHECK(v.signatures_size() == 2);
  CHECK(v.signatures(0).org_id() == "qtbank");
  CHECK(v.signatures(1).local_key() == "lianke");
  REQUIRE(v.required_size() == 3);
  CHECK(v.required(0).state() == "SIGNED");
  CHECK(v.required(1).state() == "SIGNED");
  CHECK(v.required(2).state() == "MISSING");
  CHECK_FALSE(v.complete());
  CHECK(v.node_height() == 40);

  // Submitting now is refused locally: the IP office has not signed; the
  // message says who signs the file and how (issue 18, bug 9).
  r = p.owner.Run({"--node", "http://127.0.0.1:1", "submit", p.owner.Path("pledge.json")});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("still needs the signature of: an IP office") != std::string::npos);
  CHECK(r.err.find("pledger-wallet sign " + p.owner.Path("pledge.json")) != std::string::npos);
  CHECK(r.err.find("--out FILE") == std::string::npos);
  CHECK(p.node->submitted.empty());

  // The IP office signs; complete; the bank submits and waits.
  Parties::Carry(p.owner, p.office, "pledge.json");
  r = p.office.Run({"sign", p.office.Path("pledge.json"), "--key", "zjipo", "--passphrase-env", "PW"});
  REQUIRE(r.code == kExitOk);
  Parties::Carry(p.office, p.bank, "pledge.json");
  p.bank.node = p.node;
  r = p.bank.Run({"--node", "http://127.0.0.1:1", "inspect", p.bank.Path("pledge.json")});
  CHECK(r.out.find("Complete: every required party signed") != std::string::npos);
  p.node->receipt.add_events()->set_type("pledge.registered");
  r = p.bank.Run({"--node", "http://127.0.0.1:1", "submit", p.bank.Path("pledge.json")});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("Committed at height 41: OK") != std::string::npos);
  CHECK(r.out.find("pledge id") != std::string::npos);
  CHECK(r.out.find(id.substr(0, 32)) != std::string::npos);
  REQUIRE(p.node->submitted.size() == 1);
  CHECK(ledger::HexEncode(ledger::TxId(p.node->submitted[0])) == id);
  CHECK(p.node->submitted[0].signatures_size() == 3);

  // The same file refused by the ledger: exit 4 with code, rule and grounds.
  p.node->receipt.Clear();
  p.node->receipt.set_code("PLEDGE_PATENT_ALREADY_PLEDGED");
  p.node->receipt.set_rule("R7i");
  p.node->receipt.set_message("patent ZL201410362077.3 is already pledged; cancel the existing pledge first");
  p.node->receipt.add_grounds("PLEDGE_PATENT_ALREADY_PLEDGED (R7i): patent ZL201410362077.3 is already pledged");
  p.node->receipt.add_grounds("PLEDGE_LTV_EXCEEDED (R29): LTV 60.00 % is above the cap");
  r = p.bank.Run({"--node", "http://127.0.0.1:1", "submit", p.bank.Path("pledge.json")});
  CHECK(r.code == kExitRejected);
  CHECK(r.out.find("REFUSED at height 41: PLEDGE_PATENT_ALREADY_PLEDGED") != std::string::npos);
  CHECK(r.out.find("R7i (refused: another pledge is still active)") != std::string::npos);
  CHECK(r.out.find("- PLEDGE_LTV_EXCEEDED (R29)") != std::string::npos);
  r = p.bank.Run({"--node", "http://127.0.0.1:1", "submit", p.bank.Path("pledge.json"), "--json"});
  CHECK(r.code == kExitRejected);
  tools::SubmitResult sr;
  REQUIRE(io::ParseJson(r.out, &sr, "submit").ok());
  CHECK(sr.code() == "PLEDGE_PATENT_ALREADY_PLEDGED");
  CHECK(sr.rule() == "R7i");
  CHECK(sr.grounds_size() == 2);
  CHECK(sr.tx_id() == id);

  // Refused at admission (before ordering): exit 4 as well.
  p.node->refuse_status = 409;
  p.node->refuse_code = "TX_REPLAYED";
  r = p.bank.Run({"--node", "http://127.0.0.1:1", "submit", p.bank.Path("pledge.json")});
  CHECK(r.code == kExitRejected);
  CHECK(r.out.find("REFUSED by the node before ordering: TX_REPLAYED") != std::string::npos);
}

TEST_CASE("wallet tx: tampered files are caught", "[unit][wallet]") {
  Parties p;
  REQUIRE(p.bank.Run(DraftPledge(p.bank)).code == kExitOk);
  const std::string path = p.bank.Path("pledge.json");
  tools::TxFile good = ReadTxFile(path);

  SECTION("a changed body no longer matches its id") {
    tools::TxFile f = good;
    ledger::TxBody body;
    REQUIRE(body.ParseFromString(f.tx().body()));
    body.mutable_action()->mutable_pledge_register()->set_principal_fen(900000000);
    f.mutable_tx()->set_body(ledger::SerializeCanonical(body));
    REQUIRE(io::WriteFileAtomic(path, io::ToJson(f)).ok());
    WalletRun r = p.bank.Run({"inspect", path});
    CHECK(r.code == kExitOther);
    CHECK(r.err.find("TXFILE_MISMATCH") != std::string::npos);
  }
  SECTION("a forged signature shows as invalid and blocks sign and submit") {
    tools::TxFile f = good;
    std::string sig = f.tx().signatures(0).signature();
    sig[5] ^= 1;
    f.mutable_tx()->mutable_signatures(0)->set_signature(sig);
    REQUIRE(io::WriteFileAtomic(path, io::ToJson(f)).ok());
    WalletRun r = p.bank.Run({"inspect", path});
    CHECK(r.code == kExitOk);
    CHECK(r.out.find("[INVALID]") != std::string::npos);
    r = p.bank.Run({"sign", path, "--key", "qtbank", "--passphrase-env", "PW"});
    CHECK(r.code == kExitOther);
    CHECK(r.err.find("SIGNATURE_INVALID") != std::string::npos);
    p.bank.node = p.node;
    r = p.bank.Run({"--node", "http://127.0.0.1:1", "submit", path, "--force"});
    CHECK(r.code == kExitOther);
    CHECK(p.node->submitted.empty());
  }
  SECTION("an edited description is pointed out; the explanation comes from the body") {
    tools::TxFile f = good;
    f.set_description("Give the bank a free pony");
    REQUIRE(io::WriteFileAtomic(path, io::ToJson(f)).ok());
    WalletRun r = p.bank.Run({"inspect", path});
    CHECK(r.code == kExitOk);
    CHECK(r.out.find("description text differs") != std::string::npos);
    CHECK(r.out.find("free pony") == std::string::npos);
    CHECK(r.out.find("securing 5,000,000.00 yuan") != std::string::npos);
  }
  SECTION("not a transaction file") {
    REQUIRE(io::WriteFileAtomic(path, "{\"format\": \"something-else\"}").ok());
    WalletRun r = p.bank.Run({"inspect", path});
    CHECK(r.code == kExitOther);
    CHECK(r.err.find("TXFILE_INVALID") != std::string::npos);
  }
  SECTION("signing a file for another chain needs --force") {
    REQUIRE(p.owner.Run({"profile", "add", "lk", "--node", "http://127.0.0.1:1", "--key", "lianke", "--chain-id", "other"}).code ==
            kExitOk);
    Parties::Carry(p.bank, p.owner, "pledge.json");
    WalletRun r = p.owner.Run({"sign", p.owner.Path("pledge.json"), "--passphrase-env", "PW"});
    CHECK(r.code == kExitUsage);
    CHECK(r.err.find("for chain 'test-chain'") != std::string::npos);
  }
}

TEST_CASE("wallet tx: escapes and bidi overrides in signed text are shown, not obeyed", "[unit][wallet]") {
  WalletHarness h;
  // A title that would clear the screen, and a memo that would display reversed.
  const std::string title = "Sensor\x1b[2J\x1b[Hcalibration";
  const std::string memo = "pay to \xE2\x80\xAEknab";
  WalletRun r = h.Run(Offline({"patent", "register", "--patent", kPatent, "--title", title, "--ipc", "G01", "--filed",
                               "2014-07-28", "--owner", "lianke", "--memo", memo},
                              h.Path("t.json")));
  REQUIRE(r.code == kExitOk);
  r = h.Run({"inspect", h.Path("t.json")});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find("Sensor\\x1b[2J\\x1b[Hcalibration") != std::string::npos);
  CHECK(r.out.find("\xE2\x80\xAE") == std::string::npos);
  CHECK(r.out.find("pay to \\u202eknab") != std::string::npos);
  // The signed body keeps the exact bytes.
  ledger::TxBody body;
  REQUIRE(body.ParseFromString(ReadTxFile(h.Path("t.json")).tx().body()));
  CHECK(body.action().patent_register().title() == title);
  CHECK(body.memo() == memo);
}

TEST_CASE("wallet tx: direct submission checks signers, signs, submits and waits", "[unit][wallet]") {
  Parties p;
  p.bank.node = p.node;
  // A pledge needs three parties: submitting it alone is refused before signing anything.
  auto args = DraftPledge(p.bank);
  args.resize(args.size() - 2);  // no --out
  args.push_back("--node");
  args.push_back("http://127.0.0.1:1");
  args = std::vector<std::string>(args.begin(), args.end());
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--expiry-height") args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
  }
  WalletRun r = p.bank.Run(args);
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("also needs the signature of: owner lianke (pledgor); an IP office") != std::string::npos);
  CHECK(p.node->submitted.empty());

  // An appraiser's valuation is a one-party transaction.
  WalletHarness appraiser;
  appraiser.ImportKey("appraiser", TestKey(5));
  appraiser.node = p.node;
  REQUIRE(appraiser.Run({"profile", "add", "ap", "--node", "http://127.0.0.1:1", "--key", "appraiser"}).code == kExitOk);
  r = appraiser.Run({"valuation", "record", "--patent", kPatent, "--method", "income", "--base-date", "today",
                     "--value", "20000000", "--realisable", "12000000", "--report-hash", kHash, "--licence-no", "L-1",
                     "--passphrase-env", "PW", "--json"});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  tools::SubmitResult sr;
  REQUIRE(io::ParseJson(r.out, &sr, "submit").ok());
  CHECK(sr.code() == "OK");
  CHECK(sr.status() == "COMMITTED");
  REQUIRE(p.node->submitted.size() == 1);
  CHECK(sr.object_id() == contracts::ObjectIdFromTxId(ledger::TxId(p.node->submitted[0])));
  ledger::TxBody body;
  REQUIRE(body.ParseFromString(p.node->submitted[0].body()));
  CHECK(body.chain_id() == "test-chain");             // from the profile (read from the node)
  CHECK(body.expiry_height() == 40 + 1000);           // node height + the direct-submission window
  CHECK(body.nonce() == 42);
  CHECK(body.action().valuation_record().base_date() == WalletToday());

  // --quiet prints just the new valuation's id, for ID=$(pledger-wallet ...).
  r = appraiser.Run({"valuation", "record", "--patent", kPatent, "--method", "market", "--base-date", "today",
                     "--value", "30000000", "--report-hash", kHash, "--licence-no", "L-1", "--passphrase-env", "PW",
                     "--quiet"});
  REQUIRE(r.code == kExitOk);
  REQUIRE(p.node->submitted.size() == 2);
  CHECK(r.out == contracts::ObjectIdFromTxId(ledger::TxId(p.node->submitted[1])) + "\n");
  p.node->submitted.pop_back();

  // --dry-run signs and sends no transaction (its reads are signed, as every read).
  r = appraiser.Run({"valuation", "record", "--patent", kPatent, "--method", "cost", "--base-date", "today",
                     "--value", "1", "--report-hash", kHash, "--licence-no", "L-1", "--dry-run", "--passphrase-env",
                     "PW"});
  CHECK(r.code == kExitOk);
  CHECK(r.out.find("Dry run") != std::string::npos);
  CHECK(p.node->submitted.size() == 1);

  // --full reads the outstanding claim from the node.
  contracts::Pledge pl;
  pl.set_id(kPledgeId);
  pl.set_pledgee_org_id("qtbank");
  pl.set_outstanding_principal_fen(500000000);
  pl.set_outstanding_interest_fen(1604167);
  pl.set_outstanding_costs_fen(50000);
  p.node->pledges[kPledgeId] = pl;
  r = p.bank.Run({"--node", "http://127.0.0.1:1", "pledge", "repay", "--pledge", kPledgeId, "--full", "--key", "qtbank",
                  "--passphrase-env", "PW"});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.err.find("outstanding on pledge " + kPledgeId + ": 5,016,541.67 yuan") != std::string::npos);
  REQUIRE(p.node->submitted.size() == 2);
  REQUIRE(body.ParseFromString(p.node->submitted[1].body()));
  CHECK(body.action().loan_repay().amount_fen() == 501654167);

  // A key that is not the pledgee's: the check before submitting says so.
  r = p.bank.Run({"--node", "http://127.0.0.1:1", "pledge", "classify", "--pledge", kPledgeId, "--class", "loss", "--key",
                  "qtbank", "--passphrase-env", "PW", "--no-wait"});
  CHECK(r.code == kExitOk);
  CHECK(r.out.find("Submitted") != std::string::npos);
  pl.set_pledgee_org_id("xhbank");
  p.node->pledges[kPledgeId] = pl;
  r = p.bank.Run({"--node", "http://127.0.0.1:1", "pledge", "classify", "--pledge", kPledgeId, "--class", "loss", "--key",
                  "qtbank", "--passphrase-env", "PW"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("bank xhbank (pledgee)") != std::string::npos);
}

TEST_CASE("wallet tx: governance needs a quorum of IP offices", "[unit][wallet]") {
  Parties p;
  p.office.node = p.node;
  WalletRun r = p.office.Run({"--node", "http://127.0.0.1:1", "gov", "org-add", "--id", "buyer", "--name", "Buyer Co.",
                              "--kind", "enterprise", "--address", "Hangzhou", "--key", "zjipo", "--passphrase-env",
                              "PW", "--out", p.office.Path("org.json")});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("[MISSING] IP offices of 2 different IP-office organisations (more than half of 2)") !=
        std::string::npos);
  tools::TxFile f = ReadTxFile(p.office.Path("org.json"));
  CHECK(f.expiry_height() == 40 + 3600);  // a draft gets the whole window
  WalletHarness nb;
  nb.ImportKey("nbipo", TestKey(4));
  nb.node = p.node;
  Parties::Carry(p.office, nb, "org.json");
  r = nb.Run({"--node", "http://127.0.0.1:1", "sign", nb.Path("org.json"), "--key", "nbipo", "--passphrase-env", "PW"});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("[signed]  IP offices of 2 different") != std::string::npos);
  // A key that is no account would spoil the file: sign refuses.
  nb.ImportKey("stranger", TestKey(9));
  r = nb.Run({"--node", "http://127.0.0.1:1", "sign", nb.Path("org.json"), "--key", "stranger", "--passphrase-env", "PW"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("is not an account on this chain") != std::string::npos);
}

// ---- issue 16: TLS roots, node and account key rotation ----------------------------

// A rotation file as pledger-admin rotate-key writes it (docs/wallet.md).
std::string RotationJson(const std::string& chain, const std::string& node, const ledger::SecretKey& old_key,
                         const ledger::SecretKey& new_key, bool with_old_proof, const ledger::SecretKey* new_signer = nullptr) {
  const std::string old_hex = ledger::HexEncode(old_key.public_key()), new_hex = ledger::HexEncode(new_key.public_key());
  const std::string msg = ledger::KeyRotationMessage(chain, "node:" + node, old_hex, new_hex);
  const ledger::SecretKey& signer = new_signer ? *new_signer : new_key;
  return "{\"node_id\": \"" + node + "\", \"chain_id\": \"" + chain + "\", \"old_public_key_hex\": \"" + old_hex +
         "\", \"new_public_key_hex\": \"" + new_hex + "\", \"new_key_proof_hex\": \"" +
         ledger::HexEncode(signer.Sign(msg)) + "\", \"old_key_proof_hex\": \"" +
         (with_old_proof ? ledger::HexEncode(old_key.Sign(msg)) : std::string()) + "\"}";
}

TEST_CASE("wallet tx: TLS roots and node key rotation are built byte-exactly", "[unit][wallet][issue16]") {
  WalletHarness files;
  auto ca = io::GenerateCa("zjipo-ca", 365);
  REQUIRE(ca.ok());
  auto ca2 = io::GenerateCa("zjipo-ca-2027", 365);
  REQUIRE(ca2.ok());
  REQUIRE(io::WriteFileAtomic(files.Path("ca.crt"), ca->cert_pem).ok());
  auto der = io::CertPemToDer(ca->cert_pem);
  auto der2 = io::CertPemToDer(ca2->cert_pem);
  REQUIRE(der.ok());
  REQUIRE(der2.ok());
  REQUIRE(io::WriteFileAtomic(files.Path("ca2.der"), *der2).ok());
  {
    Action a;
    auto* o = a.mutable_org_add()->mutable_org();
    o->set_id("zjipo2");
    o->set_name("Zhejiang IP Office 2");
    o->set_kind(contracts::ORG_IP_OFFICE);
    o->set_address("Hangzhou");
    o->add_tls_roots(*der);
    o->add_tls_roots(*der2);
    ExpectBody({"gov", "org-add", "--id", "zjipo2", "--name", "Zhejiang IP Office 2", "--kind", "ip-office",
                "--address", "Hangzhou", "--tls-root", files.Path("ca.crt"), "--tls-root", files.Path("ca2.der")},
               a);
  }
  {
    Action a;
    a.mutable_org_tls_roots_set()->set_org_id("zjipo");
    a.mutable_org_tls_roots_set()->add_tls_roots(*der2);
    a.mutable_org_tls_roots_set()->add_tls_roots(*der);
    ExpectBody({"gov", "org-tls-roots", "--org", "zjipo", "--root", files.Path("ca2.der"), "--root", files.Path("ca.crt")}, a);
    Action none;
    none.mutable_org_tls_roots_set()->set_org_id("zjipo");
    ExpectBody({"gov", "org-tls-roots", "--org", "zjipo", "--none"}, none);
  }
  {
    // The description names each root by fingerprint and CN.
    WalletHarness h;
    WalletRun r = h.Run(Offline({"gov", "org-tls-roots", "--org", "zjipo", "--root", files.Path("ca.crt")}, h.Path("t.json")));
    REQUIRE(r.code == kExitOk);
    CHECK(r.out.find("CN=zjipo-ca") != std::string::npos);
    CHECK(r.out.find("self-signed") != std::string::npos);
    CHECK(r.out.find(ledger::HexEncode(ledger::Sha256(*der)).substr(0, 16)) != std::string::npos);
    // Refusals before anything is signed: a key file, a duplicate, garbage, no root at all.
    REQUIRE(io::WriteFileAtomic(files.Path("ca.key"), ca->key_pem).ok());
    REQUIRE(io::WriteFileAtomic(files.Path("junk.txt"), "hello").ok());
    for (const auto& bad : std::vector<std::vector<std::string>>{
             {"--root", files.Path("ca.key")},
             {"--root", files.Path("ca.crt"), "--root", files.Path("ca.crt")},
             {"--root", files.Path("junk.txt")},
             {}}) {
      std::vector<std::string> args{"gov", "org-tls-roots", "--org", "zjipo"};
      args.insert(args.end(), bad.begin(), bad.end());
      r = h.Run(Offline(args, h.Path("bad.json")));
      INFO(r.err);
      CHECK(r.code == kExitUsage);
    }
  }
  {
    const ledger::SecretKey old_key = TestKey(60), new_key = TestKey(61);
    const std::string msg = ledger::KeyRotationMessage("test-chain", "node:node4", ledger::HexEncode(old_key.public_key()),
                                                       ledger::HexEncode(new_key.public_key()));
    Action a;
    auto* x = a.mutable_validator_rotate_key();
    x->set_node_id("node4");
    x->set_new_public_key_hex(ledger::HexEncode(new_key.public_key()));
    x->set_new_key_proof(ledger::ToString(ledger::ByteSpan(new_key.Sign(msg))));
    x->set_old_key_proof(ledger::ToString(ledger::ByteSpan(old_key.Sign(msg))));
    REQUIRE(io::WriteFileAtomic(files.Path("rot.json"), RotationJson("test-chain", "node4", old_key, new_key, true)).ok());
    ExpectBody({"gov", "validator-rotate-key", "--rotation", files.Path("rot.json")}, a);
    x->clear_old_key_proof();  // the old key lost: governance
    REQUIRE(io::WriteFileAtomic(files.Path("gov.json"), RotationJson("test-chain", "node4", old_key, new_key, false)).ok());
    ExpectBody({"gov", "validator-rotate-key", "--rotation", files.Path("gov.json")}, a);
    // Files that would only be refused by the ledger are refused here.
    WalletHarness h;
    REQUIRE(io::WriteFileAtomic(files.Path("other-chain.json"), RotationJson("prod-chain", "node4", old_key, new_key, true)).ok());
    REQUIRE(io::WriteFileAtomic(files.Path("forged.json"), RotationJson("test-chain", "node4", old_key, new_key, true, &old_key)).ok());
    REQUIRE(io::WriteFileAtomic(files.Path("short.json"), "{\"node_id\": \"node4\"}").ok());
    for (const char* f : {"other-chain.json", "forged.json", "short.json"}) {
      WalletRun r = h.Run(Offline({"gov", "validator-rotate-key", "--rotation", files.Path(f)}, h.Path("bad.json")));
      INFO(f << ": " << r.err);
      CHECK(r.code == kExitUsage);
    }
  }
}

TEST_CASE("wallet tx: a self-signed node rotation names the node's organisation as the signer", "[unit][wallet][issue16]") {
  Parties p;
  p.office.node = p.node;
  const ledger::SecretKey old_key = TestKey(60), new_key = TestKey(61);
  auto* v = p.node->validators.add_validators();
  v->set_node_id("node4");
  v->set_public_key_hex(ledger::HexEncode(old_key.public_key()));
  v->set_org_id("zjipo");
  v->set_role(contracts::VALIDATOR_VOTER);
  REQUIRE(io::WriteFileAtomic(p.office.Path("rot.json"), RotationJson("test-chain", "node4", old_key, new_key, true)).ok());
  WalletRun r = p.office.Run({"--node", "http://127.0.0.1:1", "gov", "validator-rotate-key", "--rotation",
                              p.office.Path("rot.json"), "--key", "zjipo", "--passphrase-env", "PW"});
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  REQUIRE(p.node->submitted.size() == 1);
  ledger::TxBody body;
  REQUIRE(body.ParseFromString(p.node->submitted[0].body()));
  CHECK(body.action().validator_rotate_key().node_id() == "node4");
  // Without the old key's proof the same file needs the quorum: one office is not enough.
  REQUIRE(io::WriteFileAtomic(p.office.Path("gov.json"), RotationJson("test-chain", "node4", old_key, new_key, false)).ok());
  r = p.office.Run({"--node", "http://127.0.0.1:1", "gov", "validator-rotate-key", "--rotation", p.office.Path("gov.json"),
                    "--key", "zjipo", "--passphrase-env", "PW"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("IP offices of 2 different IP-office organisations") != std::string::npos);
  // A stale file (the ledger's key moved on) is refused before signing.
  v->set_public_key_hex(ledger::HexEncode(TestKey(62).public_key()));
  r = p.office.Run({"--node", "http://127.0.0.1:1", "gov", "validator-rotate-key", "--rotation", p.office.Path("rot.json"),
                    "--key", "zjipo", "--passphrase-env", "PW"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("stale") != std::string::npos);
  CHECK(p.node->submitted.size() == 1);
}

TEST_CASE("wallet key rotate: self-signed, waits for the commit, then swaps the key and keeps the old one",
          "[unit][wallet][issue16]") {
  WalletHarness h;
  h.node = MakeFakeNode();
  const ledger::SecretKey old_key = TestKey(70);
  const std::string old_hex = ledger::HexEncode(old_key.public_key());
  h.ImportKey("lianke", old_key);
  h.node->AddAccount(old_key, "lianke", contracts::ROLE_OWNER);
  REQUIRE(h.Run({"profile", "add", "l", "--node", "http://127.0.0.1:1", "--key", "lianke"}).code == kExitOk);
  const std::string retired = "lianke.old-" + old_hex.substr(0, 8);
  auto show = [&](const std::string& name) {
    WalletRun s = h.Run({"key", "show", name, "--json"});
    tools::KeyView v;
    if (s.code == kExitOk) REQUIRE(io::ParseJson(s.out, &v, "key show").ok());
    return v.public_key_hex();
  };

  // Refused by the chain: nothing changes but the staged new key.
  h.node->receipt.set_code("GOV_QUORUM_NOT_MET");
  WalletRun r = h.Run({"key", "rotate", "lianke", "--passphrase-env", "PW"});
  INFO(r.out << r.err);
  CHECK(r.code == kExitRejected);
  CHECK(show("lianke") == old_hex);
  const std::string staged = show("lianke.next");
  REQUIRE(staged.size() == 64);
  CHECK(r.err.find("lianke.next") != std::string::npos);
  REQUIRE(h.node->submitted.size() == 1);

  // Accepted: the staged key is reused, NAME becomes it, the old key is kept retired.
  h.node->receipt.set_code("OK");
  r = h.Run({"key", "rotate", "lianke", "--passphrase-env", "PW"});
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  REQUIRE(h.node->submitted.size() == 2);
  const ledger::Transaction& tx = h.node->submitted[1];
  ledger::TxBody body;
  REQUIRE(body.ParseFromString(tx.body()));
  const auto& x = body.action().account_rotate_key();
  CHECK(x.old_public_key_hex() == old_hex);
  CHECK(x.new_public_key_hex() == staged);
  // Signed by the old key alone, with the new key's proof for this chain.
  REQUIRE(tx.signatures_size() == 1);
  CHECK(ledger::HexEncode(tx.signatures(0).public_key()) == old_hex);
  auto new_pub = ledger::HexDecode(staged);
  REQUIRE(new_pub.ok());
  CHECK(ledger::VerifyRaw(*new_pub, ledger::KeyRotationMessage("test-chain", "account:" + old_hex, old_hex, staged),
                          x.new_key_proof())
            .ok());
  CHECK(show("lianke") == staged);
  CHECK(show(retired) == old_hex);
  CHECK(show("lianke.next").empty());
  CHECK(r.out.find("is now " + staged) != std::string::npos);
  CHECK(r.out.find(retired) != std::string::npos);
  // No private key was printed.
  CHECK(r.out.find("PRIVATE") == std::string::npos);

  // The new key signs from now on; the retired account cannot rotate again.
  contracts::Account gone = h.node->accounts[old_hex];
  gone.set_rotated_to_hex(staged);
  gone.set_suspended(true);
  h.node->accounts[old_hex] = gone;
  h.node->AddAccount(TestKey(70), "lianke", contracts::ROLE_OWNER);  // (the fake keeps the old record too)
  h.node->accounts[old_hex] = gone;
  r = h.Run({"key", "rotate", retired, "--passphrase-env", "PW"});
  CHECK(r.code != kExitOk);
  CHECK(h.node->submitted.size() == 2);
}

TEST_CASE("wallet key rotate: an interrupted rotation the chain committed is finished without a new transaction",
          "[unit][wallet][issue16]") {
  WalletHarness h;
  h.node = MakeFakeNode();
  const ledger::SecretKey old_key = TestKey(71), next = TestKey(72);
  const std::string old_hex = ledger::HexEncode(old_key.public_key());
  h.ImportKey("lianke", old_key);
  h.ImportKey("lianke.next", next);  // staged by the interrupted run
  h.node->AddAccount(old_key, "lianke", contracts::ROLE_OWNER);
  h.node->accounts[old_hex].set_rotated_to_hex(ledger::HexEncode(next.public_key()));
  h.node->accounts[old_hex].set_suspended(true);
  WalletRun r = h.Run({"--node", "http://127.0.0.1:1", "key", "rotate", "lianke", "--passphrase-env", "PW"});
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(h.node->submitted.empty());
  WalletRun s = h.Run({"key", "show", "lianke", "--json"});
  CHECK(s.out.find(ledger::HexEncode(next.public_key())) != std::string::npos);
}

}  // namespace
}  // namespace pledger::test
