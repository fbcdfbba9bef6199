// RequiredSigners (contracts/signers.h) against the engine: for every action
// the harness can build, a transaction signed by exactly the parties the
// function names is accepted, and dropping any one of them is refused. A
// disagreement means the published signer rule and the contracts' own role
// checks have drifted apart.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "contracts/signers.h"
#include "tests/unit/contracts/harness.h"
#include "tests/unit/contracts/pool_fixture.h"

namespace pledger::contracts::test {
namespace {

// The harness names each account after its organisation; these are the
// accounts used where any organisation with the role will do.
const std::map<Role, std::vector<std::string>>& AnyOf() {
  static const std::map<Role, std::vector<std::string>> kAny = {
      {ROLE_IP_OFFICE, {"ipo-a", "ipo-b", "ipo-c"}},
      {ROLE_APPRAISER, {"appr-1"}},
  };
  return kAny;
}

// Harness accounts and their roles (harness.cc), to check a named org can sign.
bool HarnessHolds(const std::string& account, Role role) {
  static const std::map<std::string, std::set<Role>> kRoles = {
      {"ipo-a", {ROLE_IP_OFFICE}}, {"ipo-b", {ROLE_IP_OFFICE}}, {"ipo-c", {ROLE_IP_OFFICE}},
      {"bank-a", {ROLE_BANK, ROLE_APPRAISER}}, {"bank-b", {ROLE_BANK}}, {"bank-c", {ROLE_BANK}},
      {"bank-d", {ROLE_BANK}}, {"bank-e", {ROLE_BANK}}, {"appr-1", {ROLE_APPRAISER}},
      {"sme-1", {ROLE_OWNER}}, {"sme-2", {ROLE_OWNER}}, {"sme-3", {ROLE_OWNER}},
      {"indiv-1", {ROLE_OWNER}}, {"foreign-1", {ROLE_OWNER}}, {"trustee-1", {ROLE_TRUSTEE}},
      {"trustee-2", {ROLE_TRUSTEE}}, {"guarantor-1", {ROLE_GUARANTOR}}, {"inv-1", {ROLE_INVESTOR}},
      {"inv-2", {ROLE_INVESTOR}}, {"inv-3", {ROLE_INVESTOR}}, {"agency-1", {ROLE_AUDITOR}},
      {"auditor-1", {ROLE_AUDITOR}}, {"reg-1", {ROLE_REGULATOR}},
  };
  auto it = kRoles.find(account);
  return it != kRoles.end() && it->second.count(role);
}

// The accounts that satisfy one party.
std::vector<std::string> AccountsFor(const Party& p, const World& w) {
  INFO(p.label);
  REQUIRE(p.orgs_known);
  if (!p.key_hex.empty()) {  // one account key (a self-signed rotation)
    for (const char* name : {"ipo-a", "ipo-b", "ipo-c", "bank-a", "bank-b", "sme-1", "sme-2", "sme-3"}) {
      if (w.KeyHex(name) == p.key_hex) return {name};
    }
    FAIL("no harness account has key " << p.key_hex);
  }
  if (p.role == ROLE_UNSPECIFIED) {  // any account of the organisation
    REQUIRE(!p.orgs.empty());
    return {p.orgs.front()};
  }
  if (p.quorum != 0) {
    REQUIRE(p.quorum > 0);
    const auto& ipos = AnyOf().at(ROLE_IP_OFFICE);
    REQUIRE(static_cast<size_t>(p.quorum) <= ipos.size());
    return std::vector<std::string>(ipos.begin(), ipos.begin() + p.quorum);
  }
  if (p.orgs.empty()) {
    auto it = AnyOf().find(p.role);
    REQUIRE(it != AnyOf().end());
    return {it->second.front()};
  }
  for (const std::string& org : p.orgs) {
    if (HarnessHolds(org, p.role)) return {org};
  }
  FAIL("no harness account of " << p.orgs.front() << " holds " << Role_Name(p.role));
  return {};
}

struct Row {
  const char* name;
  // Prepares a fresh world and returns the action to sign (run in the next block).
  std::function<Action(World&)> setup;
};

// ---- set-ups ----------------------------------------------------------------------

const std::string kP1 = Zl(2020, 1, 4000001);  // sme-1
const std::string kP2 = Zl(2020, 1, 4000002);  // sme-1 6000, sme-2 4000

void Patents(World& w) {
  REQUIRE(w.RegisterPatent(kP1, {{"sme-1", 10000}}).code() == "OK");
  REQUIRE(w.RegisterPatent(kP2, {{"sme-1", 6000}, {"sme-2", 4000}}).code() == "OK");
}

std::string PledgeP1(World& w) {
  Patents(w);
  auto r = w.Run(w.PledgeAction("bank-a", {"sme-1"}, {kP1}), {"bank-a", "sme-1", "ipo-a"});
  INFO(r.message());
  REQUIRE(r.code() == "OK");
  return w.last_object_id();
}

std::string NewKey(std::uint8_t seed) {
  return ledger::HexEncode(ledger::ByteSpan(pledger::test::TestKey(seed).public_key()));
}

Action AddLearner(const std::string& node) {
  Action a;
  Validator* v = a.mutable_validator_add()->mutable_validator();
  v->set_node_id(node);
  v->set_public_key_hex(Hash(node));
  v->set_role(VALIDATOR_LEARNER);
  v->set_org_id("ipo-b");
  return a;
}

Action Status(const std::string& no, PatentEvent e) {
  Action a;
  a.mutable_patent_status()->set_patent_no(no);
  a.mutable_patent_status()->set_event(e);
  a.mutable_patent_status()->set_document_hash(Hash("decision"));
  return a;
}

Action Assign(const std::string& no, TransferBasis basis, const std::string& to) {
  Action a;
  PatentAssign* x = a.mutable_patent_assign();
  x->set_patent_no(no);
  x->set_basis(basis);
  x->set_document_hash(Hash("assignment"));
  Owner* o = x->add_new_owners();
  o->set_org_id(to);
  o->set_share_bps(10000);
  return a;
}

Action Licence(const std::string& no, LicenceType type) {
  Action a = LicenceToTrusteeAction(no, "sme-3");
  a.mutable_licence_file()->set_type(type);
  return a;
}

Action Cancel(const std::string& id, CancelGround ground) {
  Action a;
  a.mutable_pledge_cancel()->set_pledge_id(id);
  a.mutable_pledge_cancel()->set_ground(ground);
  a.mutable_pledge_cancel()->set_document_hash(Hash("order"));
  return a;
}

// A learner of ipo-b with a real key (TestKey(100)), and its rotation to
// TestKey(101) with the new key's proof (and the old key's when self-signed).
Action RotatableNode() {
  Action a;
  Validator* v = a.mutable_validator_add()->mutable_validator();
  v->set_node_id("node-r");
  v->set_public_key_hex(NewKey(100));
  v->set_role(VALIDATOR_LEARNER);
  v->set_org_id("ipo-b");
  return a;
}

Action RotateNode(bool self_signed) {
  const std::string msg = ledger::KeyRotationMessage(kChain, "node:node-r", NewKey(100), NewKey(101));
  Action a;
  ValidatorRotateKey* x = a.mutable_validator_rotate_key();
  x->set_node_id("node-r");
  x->set_new_public_key_hex(NewKey(101));
  x->set_new_key_proof(ledger::ToString(ledger::ByteSpan(pledger::test::TestKey(101).Sign(msg))));
  if (self_signed) x->set_old_key_proof(ledger::ToString(ledger::ByteSpan(pledger::test::TestKey(100).Sign(msg))));
  return a;
}

std::vector<Row> Rows() {
  return {
      // ---- governance
      {"OrgAdd", [](World&) {
         Action a;
         Organisation* o = a.mutable_org_add()->mutable_org();
         o->set_id("sme-9");
         o->set_name("SME nine");
         o->set_kind(ORG_SME);
         return a;
       }},
      {"AccountAdd", [](World&) {
         Action a;
         a.mutable_account_add()->set_public_key_hex(NewKey(90));
         a.mutable_account_add()->set_org_id("sme-3");
         a.mutable_account_add()->add_roles(ROLE_OWNER);
         return a;
       }},
      {"AccountSuspend", [](World& w) {
         Action a;
         a.mutable_account_suspend()->set_public_key_hex(w.KeyHex("sme-2"));
         a.mutable_account_suspend()->set_suspended(true);
         return a;
       }},
      {"AccountRotateKey", [](World& w) {
         Action a;
         a.mutable_account_rotate_key()->set_old_public_key_hex(w.KeyHex("bank-b"));
         a.mutable_account_rotate_key()->set_new_public_key_hex(NewKey(91));
         return a;
       }},
      {"AccountRotateKey (self-signed)", [](World& w) {
         Action a;
         const ledger::SecretKey fresh = pledger::test::TestKey(93);
         const std::string old_hex = w.KeyHex("sme-2"), new_hex = NewKey(93);
         a.mutable_account_rotate_key()->set_old_public_key_hex(old_hex);
         a.mutable_account_rotate_key()->set_new_public_key_hex(new_hex);
         a.mutable_account_rotate_key()->set_new_key_proof(ledger::ToString(ledger::ByteSpan(
             fresh.Sign(ledger::KeyRotationMessage(kChain, "account:" + old_hex, old_hex, new_hex)))));
         return a;
       }},
      {"ValidatorRotateKey (governance)", [](World& w) {
         REQUIRE(w.Run(RotatableNode(), {"ipo-a", "ipo-b"}).code() == "OK");
         return RotateNode(/*self_signed=*/false);
       }},
      {"ValidatorRotateKey (self-signed by its organisation)", [](World& w) {
         REQUIRE(w.Run(RotatableNode(), {"ipo-a", "ipo-b"}).code() == "OK");
         return RotateNode(/*self_signed=*/true);
       }},
      {"OrgTlsRootsSet", [](World&) {
         Action a;
         a.mutable_org_tls_roots_set()->set_org_id("bank-a");
         a.mutable_org_tls_roots_set()->add_tls_roots(std::string("\x30\x03\x02\x01\x07", 5));
         return a;
       }},
      {"RoleGrant", [](World& w) {
         Action a;
         a.mutable_role_grant()->set_public_key_hex(w.KeyHex("bank-c"));
         a.mutable_role_grant()->set_role(ROLE_APPRAISER);
         return a;
       }},
      {"RoleRevoke", [](World& w) {
         Action a;
         a.mutable_role_revoke()->set_public_key_hex(w.KeyHex("bank-a"));
         a.mutable_role_revoke()->set_role(ROLE_APPRAISER);
         return a;
       }},
      {"ParamsSet", [](World&) {
         Action a;
         *a.mutable_params_set()->mutable_params() = DefaultParams();
         a.mutable_params_set()->mutable_params()->set_max_expiry_window(100);
         return a;
       }},
      {"ValidatorAdd", [](World&) { return AddLearner("node-b"); }},
      {"ValidatorPromote", [](World& w) {
         REQUIRE(w.Run(AddLearner("node-b"), {"ipo-a", "ipo-b"}).code() == "OK");
         Action a;
         a.mutable_validator_promote()->set_node_id("node-b");
         return a;
       }},
      {"ValidatorRemove", [](World& w) {
         REQUIRE(w.Run(AddLearner("node-b"), {"ipo-a", "ipo-b"}).code() == "OK");
         Action a;
         a.mutable_validator_remove()->set_node_id("node-b");
         return a;
       }},
      {"OrgReplicaGrant", [](World&) {
         Action a;
         a.mutable_org_replica_grant()->set_org_id("bank-c");
         a.mutable_org_replica_grant()->set_entitled(true);
         return a;
       }},
      {"OrgRemove", [](World&) {
         Action a;
         a.mutable_org_remove()->set_org_id("sme-3");
         return a;
       }},
      {"BankPolicySet", [](World&) {
         Action a;
         a.mutable_bank_policy_set()->set_bank_org_id("bank-a");
         a.mutable_bank_policy_set()->mutable_policy()->set_ltv_cap_bps(6000);
         return a;
       }},
      // ---- patents and valuations
      {"PatentRegister", [](World&) {
         Action a;
         PatentRegister* r = a.mutable_patent_register();
         r->set_patent_no(kP1);
         r->set_type(PATENT_INVENTION);
         r->set_title("A method");
         r->set_main_ipc("G06F 16/23");
         r->set_filing_date(DaysFromCivil(2020, 3, 1));
         r->set_grant_date(DaysFromCivil(2022, 3, 1));
         r->set_fee_paid_through(DaysFromCivil(2025, 2, 28));
         Owner* o = r->add_owners();
         o->set_org_id("sme-1");
         o->set_share_bps(10000);
         return a;
       }},
      {"PatentStatus (invalidation started)", [](World& w) {
         Patents(w);
         return Status(kP1, PATENT_EVENT_INVALIDATION_STARTED);
       }},
      {"PatentStatus (waiver of a co-owned patent)", [](World& w) {
         Patents(w);
         return Status(kP2, PATENT_EVENT_WAIVED);
       }},
      {"PatentStatus (waiver of a pledged patent)", [](World& w) {
         PledgeP1(w);
         return Status(kP1, PATENT_EVENT_WAIVED);
       }},
      {"PatentAssign (contract, co-owned)", [](World& w) {
         Patents(w);
         return Assign(kP2, TRANSFER_CONTRACT, "sme-3");
       }},
      {"PatentAssign (contract, pledged)", [](World& w) {
         PledgeP1(w);
         return Assign(kP1, TRANSFER_CONTRACT, "sme-3");
       }},
      {"PatentAssign (court, pledged)", [](World& w) {
         PledgeP1(w);
         return Assign(kP1, TRANSFER_COURT, "sme-3");
       }},
      {"LicenceFile (ordinary, co-owned)", [](World& w) {
         Patents(w);
         return Licence(kP2, LICENCE_ORDINARY);
       }},
      {"LicenceFile (exclusive, co-owned)", [](World& w) {
         Patents(w);
         return Licence(kP2, LICENCE_EXCLUSIVE);
       }},
      {"LicenceFile (ordinary, pledged)", [](World& w) {
         PledgeP1(w);
         return Licence(kP1, LICENCE_ORDINARY);
       }},
      {"ValuationRecord", [](World& w) {
         Patents(w);
         Action a;
         ValuationRecord* v = a.mutable_valuation_record();
         v->add_patent_nos(kP1);
         v->set_method(VALUATION_INCOME);
         v->set_base_date(w.today() - 10);
         v->set_value_fen(500'000'000);
         v->set_realisable_value_fen(300'000'000);
         v->set_report_hash(Hash("report"));
         v->set_appraiser_licence_no("ZJ-2024-001");
         return a;
       }},
      // ---- pledges
      {"PledgeRegister", [](World& w) {
         Patents(w);
         return w.PledgeAction("bank-a", {"sme-1"}, {kP1});
       }},
      {"PledgeRegister (co-owned)", [](World& w) {
         Patents(w);
         return w.PledgeAction("bank-b", {"sme-1", "sme-2"}, {kP2});
       }},
      {"PledgeChange", [](World& w) {
         Action a;
         a.mutable_pledge_change()->set_pledge_id(PledgeP1(w));
         a.mutable_pledge_change()->set_new_principal_fen(120'000'000);
         a.mutable_pledge_change()->set_agreement_hash(Hash("change"));
         return a;
       }},
      {"LoanAccrue", [](World& w) {
         Action a;
         a.mutable_loan_accrue()->set_pledge_id(PledgeP1(w));
         a.mutable_loan_accrue()->set_interest_fen(1'000);
         return a;
       }},
      {"LoanRepay", [](World& w) {
         Action a;
         a.mutable_loan_repay()->set_pledge_id(PledgeP1(w));
         a.mutable_loan_repay()->set_amount_fen(1'000);
         return a;
       }},
      {"LoanRenew", [](World& w) {
         Action a;
         a.mutable_loan_renew()->set_pledge_id(PledgeP1(w));
         a.mutable_loan_renew()->set_new_due_date(DaysFromCivil(2026, 6, 1));
         a.mutable_loan_renew()->set_agreement_hash(Hash("renewal"));
         return a;
       }},
      {"LoanClassify", [](World& w) {
         Action a;
         a.mutable_loan_classify()->set_pledge_id(PledgeP1(w));
         a.mutable_loan_classify()->set_risk_class(RISK_SUBSTANDARD);
         return a;
       }},
      {"PledgeCancel (waived by the pledgee)", [](World& w) { return Cancel(PledgeP1(w), CANCEL_WAIVED); }},
      {"PledgeCancel (court order)", [](World& w) { return Cancel(PledgeP1(w), CANCEL_COURT_ORDER); }},
      {"PledgeEnforce", [](World& w) {
         const std::string id = PledgeP1(w);
         w.SetToday(DaysFromCivil(2025, 7, 1));
         Action a;
         a.mutable_pledge_enforce()->set_pledge_id(id);
         a.mutable_pledge_enforce()->set_method(ENFORCE_AUCTION);
         a.mutable_pledge_enforce()->set_proceeds_fen(50'000'000);
         a.mutable_pledge_enforce()->set_document_hash(Hash("auction"));
         return a;
       }},
      // ---- pools and tranches
      {"PoolCreate", [](World&) { return CreatePoolAction(); }},
      {"PoolAdmitPatents (co-owned, pledged)", [](World& w) {
         Patents(w);
         REQUIRE(w.Run(LicenceToTrusteeAction(kP2), {"ipo-a", "sme-1", "sme-2"}).code() == "OK");
         REQUIRE(w.Run(w.PledgeAction("bank-b", {"sme-1", "sme-2"}, {kP2}), {"bank-b", "sme-1", "sme-2", "ipo-a"})
                     .code() == "OK");
         REQUIRE(w.Run(CreatePoolAction(), {"trustee-1"}).code() == "OK");
         return AdmitPatentsAction(w.last_object_id(), {kP2});
       }},
      {"PoolAdmitPledges", [](World& w) {
         const std::string pledge = PledgeP1(w);
         REQUIRE(w.Run(CreatePoolAction("trustee-1", POOL_LOAN), {"trustee-1"}).code() == "OK");
         Action a;
         a.mutable_pool_admit_pledges()->set_pool_id(w.last_object_id());
         a.mutable_pool_admit_pledges()->add_pledge_ids(pledge);
         return a;
       }},
  };
}

// The pool rows start from the standard deal (pool_fixture.h), open or issued.
struct PoolRow {
  const char* name;
  bool issued;
  std::function<Action(StandardDeal&)> setup;
};

std::vector<PoolRow> PoolRows() {
  return {
      {"PoolRemove", false, [](StandardDeal& d) {
         Action a;
         a.mutable_pool_remove()->set_pool_id(d.pool);
         a.mutable_pool_remove()->set_member(d.p1);
         a.mutable_pool_remove()->set_reason(POOL_REMOVE_WITHDRAWN);
         return a;
       }},
      {"TrancheIssue", false, [](StandardDeal& d) { return StandardIssueAction(d.pool); }},
      {"HoldingTransfer", true, [](StandardDeal& d) {
         Action a;
         HoldingTransfer* t = a.mutable_holding_transfer();
         t->set_pool_id(d.pool);
         t->set_rank(1);
         t->set_from_org_id("inv-1");
         t->set_to_org_id("inv-2");
         t->set_units(100);
         return a;
       }},
      {"PoolCollect", true, [](StandardDeal& d) { return CollectAction(d.pool, {{d.p1, 5'000}}); }},
      {"PoolPay (no draw on the guarantor)", true, [](StandardDeal& d) {
         d.w.SetToday(DaysFromCivil(2024, 9, 1));
         REQUIRE(d.w.Run(CollectAction(d.pool, {{d.p1, 20'000'000 * kYuan}}), {"trustee-1"}).code() == "OK");
         return PayAction(d.pool, DaysFromCivil(2024, 9, 1));
       }},
      {"PoolPay (draws on the guarantor)", true, [](StandardDeal& d) {
         d.w.SetToday(DaysFromCivil(2024, 9, 1));
         REQUIRE(d.w.Run(CollectAction(d.pool, {{d.p1, 2'000'000}}), {"trustee-1"}).code() == "OK");
         return PayAction(d.pool, DaysFromCivil(2024, 9, 1));
       }},
      {"PoolPay (draw refused in advance)", true, [](StandardDeal& d) {
         d.w.SetToday(DaysFromCivil(2024, 9, 1));
         REQUIRE(d.w.Run(CollectAction(d.pool, {{d.p1, 2'000'000}}), {"trustee-1"}).code() == "OK");
         return PayAction(d.pool, DaysFromCivil(2024, 9, 1), /*no_draw=*/true);
       }},
      {"PoolTrigger", true, [](StandardDeal& d) {
         Action a;
         a.mutable_pool_trigger()->set_pool_id(d.pool);
         a.mutable_pool_trigger()->set_reason(POOL_TRIGGER_OTHER);
         a.mutable_pool_trigger()->set_document_hash(Hash("notice"));
         return a;
       }},
      {"PoolWindDown", false, [](StandardDeal& d) {
         Action a;
         a.mutable_pool_wind_down()->set_pool_id(d.pool);
         return a;
       }},
  };
}

// Runs one row: required parties from the state the set-up left, then the
// action signed by all of them, then by all but one, each on a fresh world.
void Check(const std::string& name, const std::function<std::pair<World*, Action>()>& fresh,
           size_t* skipped) {
  INFO("action: " << name);
  auto [w0, action] = fresh();
  StateLedgerLookup lookup(w0->state(), w0->time_ms());
  const Requirements req = RequiredSigners(action, &lookup);
  std::string notes;
  for (const std::string& n : req.notes) notes += n + "; ";
  INFO("notes: " << notes);
  REQUIRE(!req.parties.empty());
  std::vector<std::vector<std::string>> per_party;
  for (const Party& p : req.parties) per_party.push_back(AccountsFor(p, *w0));

  auto signers_without = [&](size_t skip) {
    std::vector<std::string> out;
    for (size_t i = 0; i < per_party.size(); ++i) {
      if (i == skip) continue;
      for (const std::string& s : per_party[i]) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
      }
    }
    return out;
  };
  {
    const ledger::Receipt r = w0->Run(action, signers_without(per_party.size()));
    INFO("signed by every required party: " << r.code() << ": " << r.message());
    CHECK(r.code() == "OK");
  }
  for (size_t i = 0; i < req.parties.size(); ++i) {
    std::vector<std::string> signers = signers_without(i);
    const std::vector<std::string>& mine = per_party[i];
    // A quorum loses one office; any other party loses its account.
    std::vector<std::string> gone(mine.begin(), req.parties[i].quorum > 0 ? mine.begin() + 1 : mine.end());
    if (req.parties[i].quorum > 0) {
      for (size_t k = 1; k < mine.size(); ++k) {
        if (std::find(signers.begin(), signers.end(), mine[k]) == signers.end()) signers.push_back(mine[k]);
      }
    }
    if (std::any_of(gone.begin(), gone.end(), [&](const std::string& s) {
          return std::find(signers.begin(), signers.end(), s) != signers.end();
        })) {
      ++*skipped;  // another party needs the same account: nothing to drop
      continue;
    }
    auto [w, again] = fresh();
    const ledger::Receipt r = w->Run(again, signers);
    INFO("without " << req.parties[i].label << ": " << r.code() << ": " << r.message());
    CHECK(r.code() != "OK");
  }
}

TEST_CASE("RequiredSigners: the named parties are exactly what the engine requires", "[unit][contracts][signers]") {
  size_t skipped = 0;
  for (const Row& row : Rows()) {
    std::unique_ptr<World> world;
    auto fresh = [&]() {
      world = std::make_unique<World>();
      Action a = row.setup(*world);
      return std::pair<World*, Action>(world.get(), a);
    };
    Check(row.name, fresh, &skipped);
  }
  for (const PoolRow& row : PoolRows()) {
    std::unique_ptr<StandardDeal> deal;
    auto fresh = [&]() {
      deal = std::make_unique<StandardDeal>(row.issued);
      Action a = row.setup(*deal);
      return std::pair<World*, Action>(&deal->w, a);
    };
    Check(row.name, fresh, &skipped);
  }
  CHECK(skipped == 0);
}

TEST_CASE("RequiredSigners: offline, state-dependent parties are unknown", "[unit][contracts][signers]") {
  Action a;
  a.mutable_loan_repay()->set_pledge_id(std::string(32, 'a'));
  Requirements r = RequiredSigners(a, nullptr);
  REQUIRE(r.parties.size() == 1);
  CHECK(r.parties[0].role == ROLE_BANK);
  CHECK(!r.parties[0].orgs_known);
  Action gov;
  *gov.mutable_params_set()->mutable_params() = DefaultParams();
  r = RequiredSigners(gov, nullptr);
  REQUIRE(r.parties.size() == 1);
  CHECK(r.parties[0].quorum == -1);
  CHECK(RequiredSigners(Action(), nullptr).parties.empty());
}

}  // namespace
}  // namespace pledger::contracts::test
