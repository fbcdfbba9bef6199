// The regulator, replica entitlement (who may run a node, and as what) and
// the removal of an organisation, in the engine and in the genesis.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/unit/contracts/harness.h"
#include "tests/unit/contracts/pool_fixture.h"

namespace pledger::contracts::test {
namespace {

const ledger::Event* FindEvent(const ledger::Receipt& r, std::string_view type) {
  for (const auto& e : r.events()) {
    if (e.type() == type) return &e;
  }
  return nullptr;
}

std::string Attr(const ledger::Event& e, std::string_view key) {
  for (const auto& a : e.attributes()) {
    if (a.key() == key) return a.value();
  }
  return "<absent>";
}

std::string NewKey(std::uint8_t seed) {
  return ledger::HexEncode(ledger::ByteSpan(pledger::test::TestKey(seed).public_key()));
}

Action AddNode(const std::string& node, const std::string& org, ValidatorRole role = VALIDATOR_LEARNER) {
  Action a;
  Validator* v = a.mutable_validator_add()->mutable_validator();
  v->set_node_id(node);
  v->set_public_key_hex(Hash(node));
  v->set_role(role);
  v->set_org_id(org);
  return a;
}

Action Promote(const std::string& node) {
  Action a;
  a.mutable_validator_promote()->set_node_id(node);
  return a;
}

Action RemoveNode(const std::string& node) {
  Action a;
  a.mutable_validator_remove()->set_node_id(node);
  return a;
}

Action Grant(const std::string& org, bool entitled = true) {
  Action a;
  a.mutable_org_replica_grant()->set_org_id(org);
  a.mutable_org_replica_grant()->set_entitled(entitled);
  return a;
}

Action Remove(const std::string& org) {
  Action a;
  a.mutable_org_remove()->set_org_id(org);
  return a;
}

Action AddAccount(const std::string& org, Role role, std::uint8_t key) {
  Action a;
  a.mutable_account_add()->set_public_key_hex(NewKey(key));
  a.mutable_account_add()->set_org_id(org);
  a.mutable_account_add()->add_roles(role);
  return a;
}

Action SetWindow(std::uint64_t blocks) {
  Action a;
  *a.mutable_params_set()->mutable_params() = DefaultParams();
  a.mutable_params_set()->mutable_params()->set_max_expiry_window(blocks);
  return a;
}

Organisation Org(World& w, const std::string& id) {
  auto o = QueryOrganisation(w.state(), id);
  REQUIRE(o.ok());
  return *o;
}

const std::vector<std::string> kQuorum = {"ipo-a", "ipo-b"};

TEST_CASE("regulator: the role belongs to regulators alone, and it signs nothing", "[unit][contracts][orgs]") {
  World w;
  CHECK(w.Run(AddAccount("bank-c", ROLE_REGULATOR, 90), kQuorum).code() == "GOV_ROLE_NOT_ALLOWED");
  CHECK(w.Run(AddAccount("auditor-1", ROLE_REGULATOR, 90), kQuorum).code() == "GOV_ROLE_NOT_ALLOWED");
  CHECK(w.Run(AddAccount("reg-1", ROLE_REGULATOR, 90), kQuorum).code() == "OK");
  // An auditor's read-only role is allowed anywhere, a regulator included.
  CHECK(w.Run(AddAccount("reg-1", ROLE_AUDITOR, 91), kQuorum).code() == "OK");
  Action g;
  g.mutable_role_grant()->set_public_key_hex(w.KeyHex("sme-1"));
  g.mutable_role_grant()->set_role(ROLE_REGULATOR);
  CHECK(w.Run(g, kQuorum).code() == "GOV_ROLE_NOT_ALLOWED");

  Action org;
  Organisation* o = org.mutable_org_add()->mutable_org();
  o->set_id("cbirc-zj");
  o->set_name("Zhejiang banking regulator");
  o->set_kind(ORG_REGULATOR);
  auto r = w.Run(org, kQuorum);
  REQUIRE(r.code() == "OK");
  REQUIRE(FindEvent(r, "org.added") != nullptr);
  CHECK(Attr(*FindEvent(r, "org.added"), "kind") == "ORG_REGULATOR");

  // A regulator's signature counts for no quorum and no party.
  CHECK(w.Run(SetWindow(100), {"reg-1"}).code() == "GOV_QUORUM_NOT_MET");
  CHECK(w.Run(SetWindow(100), {"ipo-a", "reg-1"}).code() == "GOV_QUORUM_NOT_MET");
  Action policy;
  policy.mutable_bank_policy_set()->set_bank_org_id("bank-a");
  CHECK(w.Run(policy, {"reg-1"}).code() == "AUTH_ROLE_MISSING");
}

TEST_CASE("validators: voters are IP offices, learners need an entitlement", "[unit][contracts][orgs]") {
  World w;
  SECTION("by kind: IP offices, auditors and regulators") {
    auto r = w.Run(AddNode("node-b", "ipo-b", VALIDATOR_VOTER), kQuorum);
    REQUIRE(r.code() == "OK");
    const ledger::Event* e = FindEvent(r, "validator.added");
    REQUIRE(e != nullptr);
    CHECK(Attr(*e, "org_id") == "ipo-b");
    CHECK(Attr(*e, "entitlement") == "ip_office");
    // The node reads these two by position.
    CHECK(e->attributes(0).key() == "node_id");
    CHECK(e->attributes(1).value() == "VALIDATOR_VOTER");

    r = w.Run(AddNode("audit-node", "auditor-1"), kQuorum);
    REQUIRE(r.code() == "OK");
    CHECK(Attr(*FindEvent(r, "validator.added"), "entitlement") == "auditor");
    r = w.Run(AddNode("reg-node", "reg-1"), kQuorum);
    REQUIRE(r.code() == "OK");
    CHECK(Attr(*FindEvent(r, "validator.added"), "entitlement") == "regulator");

    // Never voters, neither added as one nor promoted.
    CHECK(w.Run(AddNode("audit-voter", "auditor-1", VALIDATOR_VOTER), kQuorum).code() ==
          "VALIDATOR_ORG_NOT_IP_OFFICE");
    CHECK(w.Run(AddNode("reg-voter", "reg-1", VALIDATOR_VOTER), kQuorum).code() == "VALIDATOR_ORG_NOT_IP_OFFICE");
    CHECK(w.Run(Promote("audit-node"), kQuorum).code() == "VALIDATOR_ORG_NOT_IP_OFFICE");
    CHECK(w.Run(Promote("reg-node"), kQuorum).code() == "VALIDATOR_ORG_NOT_IP_OFFICE");
    CHECK(w.Get<Validator>(keys::Validator("reg-node")).role() == VALIDATOR_LEARNER);

    // Nothing to grant to them.
    CHECK(w.Run(Grant("auditor-1"), kQuorum).code() == "ORG_UNCHANGED");
    CHECK(w.Run(Grant("reg-1"), kQuorum).code() == "ORG_UNCHANGED");
    CHECK(w.Run(Grant("ipo-c"), kQuorum).code() == "ORG_UNCHANGED");
    CHECK(w.Run(Grant("auditor-1", false), kQuorum).code() == "ORG_UNCHANGED");
  }
  SECTION("any other kind: only after a grant, and only as a learner") {
    auto r = w.Run(AddNode("bank-node", "bank-a"), kQuorum);
    CHECK(r.code() == "VALIDATOR_ORG_NOT_ENTITLED");
    CHECK_THAT(r.message(), Catch::Contains("organisation bank-a (ORG_BANK) is not entitled to a full replica"));
    CHECK_THAT(r.message(), Catch::Contains("pledger-wallet gov replica-grant bank-a"));
    CHECK(w.Run(AddNode("bank-node", "bank-a", VALIDATOR_VOTER), kQuorum).code() == "VALIDATOR_ORG_NOT_IP_OFFICE");

    CHECK(w.Run(Grant("bank-a"), {"ipo-a"}).code() == "GOV_QUORUM_NOT_MET");
    CHECK(w.Run(Grant("no-such-org"), kQuorum).code() == "ORG_NOT_FOUND");
    CHECK(w.Run(Grant("Bad Id"), kQuorum).code() == "ORG_ID_INVALID");
    CHECK(w.Run(Grant("bank-a", false), kQuorum).code() == "ORG_UNCHANGED");
    r = w.Run(Grant("bank-a"), kQuorum);
    REQUIRE(r.code() == "OK");
    REQUIRE(FindEvent(r, "org.replica_granted") != nullptr);
    CHECK(Attr(*FindEvent(r, "org.replica_granted"), "org_id") == "bank-a");
    CHECK(Org(w, "bank-a").replica_entitled());
    CHECK(w.Run(Grant("bank-a"), kQuorum).code() == "ORG_UNCHANGED");
    // The grant does not touch the bank's lending policy (one record).
    CHECK(Org(w, "bank-a").kind() == ORG_BANK);

    r = w.Run(AddNode("bank-node", "bank-a"), kQuorum);
    REQUIRE(r.code() == "OK");
    CHECK(Attr(*FindEvent(r, "validator.added"), "entitlement") == "granted");
    CHECK(w.Run(Promote("bank-node"), kQuorum).code() == "VALIDATOR_ORG_NOT_IP_OFFICE");
    CHECK(w.Run(AddNode("bank-voter", "bank-a", VALIDATOR_VOTER), kQuorum).code() == "VALIDATOR_ORG_NOT_IP_OFFICE");

    // The revocation waits until the node has left the set.
    r = w.Run(Grant("bank-a", false), kQuorum);
    CHECK(r.code() == "ORG_OPERATES_VALIDATOR");
    CHECK_THAT(r.message(), Catch::Contains("node bank-node"));
    CHECK(Org(w, "bank-a").replica_entitled());
    REQUIRE(w.Run(RemoveNode("bank-node"), kQuorum).code() == "OK");
    r = w.Run(Grant("bank-a", false), kQuorum);
    REQUIRE(r.code() == "OK");
    CHECK(FindEvent(r, "org.replica_revoked") != nullptr);
    CHECK(!Org(w, "bank-a").replica_entitled());
    CHECK(w.Run(AddNode("bank-node-2", "bank-a"), kQuorum).code() == "VALIDATOR_ORG_NOT_ENTITLED");
  }
  SECTION("OrgAdd cannot set the entitlement or the removal") {
    Action org;
    Organisation* o = org.mutable_org_add()->mutable_org();
    o->set_id("bank-z");
    o->set_name("Bank Z");
    o->set_kind(ORG_BANK);
    o->set_replica_entitled(true);
    CHECK(w.Run(org, kQuorum).code() == "ORG_FIELD_NOT_SETTABLE");
    o->set_replica_entitled(false);
    o->set_removed(true);
    CHECK(w.Run(org, kQuorum).code() == "ORG_FIELD_NOT_SETTABLE");
    o->set_removed(false);
    o->set_removed_height(7);
    CHECK(w.Run(org, kQuorum).code() == "ORG_FIELD_NOT_SETTABLE");
    o->set_removed_height(0);
    CHECK(w.Run(org, kQuorum).code() == "OK");
  }
}

TEST_CASE("ReplicaEntitlement: the basis for each kind", "[unit][contracts][orgs]") {
  Organisation o;
  o.set_kind(ORG_IP_OFFICE);
  CHECK(ReplicaEntitlement(o) == "ip_office");
  o.set_kind(ORG_AUDITOR);
  CHECK(ReplicaEntitlement(o) == "auditor");
  o.set_kind(ORG_REGULATOR);
  CHECK(ReplicaEntitlement(o) == "regulator");
  for (OrgKind k : {ORG_BANK, ORG_SME, ORG_TRUSTEE, ORG_INVESTOR, ORG_APPRAISER}) {
    o.set_kind(k);
    o.set_replica_entitled(false);
    CHECK(ReplicaEntitlement(o).empty());
    o.set_replica_entitled(true);
    CHECK(ReplicaEntitlement(o) == "granted");
  }
  o.set_kind(ORG_IP_OFFICE);
  o.set_removed(true);
  CHECK(ReplicaEntitlement(o).empty());
  CHECK(!MayVote(o));
}

TEST_CASE("org removal: refused while the organisation is party to something running", "[unit][contracts][orgs]") {
  World w;
  SECTION("a node in the validator set") {
    auto r = w.Run(Remove("ipo-a"), kQuorum);
    CHECK(r.code() == "ORG_OPERATES_VALIDATOR");
    CHECK_THAT(r.message(), Catch::Contains("node node-a"));
    REQUIRE(w.Run(AddNode("audit-node", "auditor-1"), kQuorum).code() == "OK");
    CHECK(w.Run(Remove("auditor-1"), kQuorum).code() == "ORG_OPERATES_VALIDATOR");
    REQUIRE(w.Run(RemoveNode("audit-node"), kQuorum).code() == "OK");
    CHECK(w.Run(Remove("auditor-1"), kQuorum).code() == "OK");
  }
  SECTION("a registered pledge: as pledgee, pledgor or debtor, until it ends") {
    const std::string no = Zl(2020, 1, 8100001);
    REQUIRE(w.RegisterPatent(no, {{"sme-2", 10000}}).code() == "OK");
    Action pledge = w.PledgeAction("bank-b", {"sme-2"}, {no});
    pledge.mutable_pledge_register()->set_debtor_org_id("indiv-1");  // a third party borrows
    REQUIRE(w.Run(pledge, {"bank-b", "sme-2", "ipo-a"}).code() == "OK");
    const std::string id = w.last_object_id();

    auto r = w.Run(Remove("bank-b"), kQuorum);
    CHECK(r.code() == "ORG_HAS_ACTIVE_PLEDGES");
    CHECK_THAT(r.message(), Catch::Contains("pledgee of registered pledge " + id));
    r = w.Run(Remove("sme-2"), kQuorum);
    CHECK(r.code() == "ORG_HAS_ACTIVE_PLEDGES");
    CHECK_THAT(r.message(), Catch::Contains("pledgor of registered pledge " + id));
    r = w.Run(Remove("indiv-1"), kQuorum);
    CHECK(r.code() == "ORG_HAS_ACTIVE_PLEDGES");
    CHECK_THAT(r.message(), Catch::Contains("debtor of registered pledge " + id));

    // The pledgor's own index lists it (the debtor is someone else).
    auto mine = QueryPledgesOfPledgor(w.state(), "sme-2");
    REQUIRE(mine.ok());
    REQUIRE(mine->pledges_size() == 1);
    CHECK(mine->pledges(0).pledge().id() == id);
    CHECK(QueryPledgesOfPledgor(w.state(), "indiv-1")->pledges_size() == 0);

    Action repay;
    repay.mutable_loan_repay()->set_pledge_id(id);
    repay.mutable_loan_repay()->set_amount_fen(w.GetPledge(id).outstanding_principal_fen());
    REQUIRE(w.Run(repay, {"bank-b"}).code() == "OK");
    REQUIRE(w.GetPledge(id).state() == PLEDGE_CANCELLED);
    CHECK(w.Run(Remove("bank-b"), kQuorum).code() == "OK");
    CHECK(w.Run(Remove("sme-2"), kQuorum).code() == "OK");
    CHECK(w.Run(Remove("indiv-1"), kQuorum).code() == "OK");
  }
  SECTION("an enforced pledge holds its pledgee until the sale is assigned") {
    const std::string no = Zl(2020, 1, 8100002);
    REQUIRE(w.RegisterPatent(no, {{"sme-1", 10000}}).code() == "OK");
    REQUIRE(w.Run(w.PledgeAction("bank-c", {"sme-1"}, {no}), {"bank-c", "sme-1", "ipo-a"}).code() == "OK");
    const std::string id = w.last_object_id();
    w.SetToday(DaysFromCivil(2025, 7, 1));
    Action enforce;
    enforce.mutable_pledge_enforce()->set_pledge_id(id);
    enforce.mutable_pledge_enforce()->set_method(ENFORCE_AUCTION);
    enforce.mutable_pledge_enforce()->set_proceeds_fen(50'000'000);
    enforce.mutable_pledge_enforce()->set_document_hash(Hash("auction"));
    REQUIRE(w.Run(enforce, {"bank-c"}).code() == "OK");
    REQUIRE(w.GetPledge(id).state() == PLEDGE_ENFORCED);

    auto r = w.Run(Remove("bank-c"), kQuorum);
    CHECK(r.code() == "ORG_HAS_ACTIVE_PLEDGES");
    CHECK_THAT(r.message(), Catch::Contains("whose sale still waits for its assignment"));
    // The pledgor's and debtor's part ended with the enforcement.
    CHECK(w.Run(Remove("sme-1"), kQuorum).code() == "OK");

    Action sale;
    PatentAssign* x = sale.mutable_patent_assign();
    x->set_patent_no(no);
    x->set_basis(TRANSFER_COURT);
    x->set_document_hash(Hash("enforcement ruling"));
    Owner* o = x->add_new_owners();
    o->set_org_id("sme-3");
    o->set_share_bps(10000);
    REQUIRE(w.Run(sale, {"ipo-a", "bank-c"}).code() == "OK");
    CHECK(w.Run(Remove("bank-c"), kQuorum).code() == "OK");
  }
}

TEST_CASE("org removal: pools and holdings are settled first", "[unit][contracts][orgs]") {
  SECTION("trustee and guarantor of a pool not wound down") {
    StandardDeal d(/*issue=*/false);
    auto r = d.w.Run(Remove("trustee-1"), kQuorum);
    CHECK(r.code() == "ORG_HAS_ACTIVE_POOLS");
    CHECK_THAT(r.message(), Catch::Contains("trustee of pool " + d.pool));
    r = d.w.Run(Remove("guarantor-1"), kQuorum);
    CHECK(r.code() == "ORG_HAS_ACTIVE_POOLS");
    CHECK_THAT(r.message(), Catch::Contains("guarantor of pool " + d.pool));
    Action down;
    down.mutable_pool_wind_down()->set_pool_id(d.pool);
    REQUIRE(d.w.Run(down, {"trustee-1"}).code() == "OK");
    CHECK(d.w.Run(Remove("trustee-1"), kQuorum).code() == "OK");
    CHECK(d.w.Run(Remove("guarantor-1"), kQuorum).code() == "OK");
  }
  SECTION("tranche units of a live pool") {
    StandardDeal d(/*issue=*/true);
    auto r = d.w.Run(Remove("inv-2"), kQuorum);
    CHECK(r.code() == "ORG_HAS_HOLDINGS");
    CHECK_THAT(r.message(), Catch::Contains(d.pool + "/1"));
    // Once it transferred everything, nothing holds it back.
    for (std::uint32_t rank : {1u, 2u}) {
      Action t;
      HoldingTransfer* x = t.mutable_holding_transfer();
      x->set_pool_id(d.pool);
      x->set_rank(rank);
      x->set_from_org_id("inv-2");
      x->set_to_org_id("inv-1");
      x->set_units(d.GetHolding(rank, "inv-2").units());
      REQUIRE(d.w.Run(t, {"inv-2"}).code() == "OK");
    }
    CHECK(d.w.Run(Remove("inv-2"), kQuorum).code() == "OK");
  }
}

TEST_CASE("org removal: afterwards the organisation signs nothing and gains nothing", "[unit][contracts][orgs]") {
  World w;
  CHECK(w.Run(Remove("sme-3"), {"ipo-a"}).code() == "GOV_QUORUM_NOT_MET");
  CHECK(w.Run(Remove("nobody"), kQuorum).code() == "ORG_NOT_FOUND");
  CHECK(w.Run(Remove("Not An Id"), kQuorum).code() == "ORG_ID_INVALID");
  auto r = w.Run(Remove("sme-3"), kQuorum);
  REQUIRE(r.code() == "OK");
  const std::uint64_t at = w.height();
  REQUIRE(FindEvent(r, "org.removed") != nullptr);
  CHECK(Attr(*FindEvent(r, "org.removed"), "org_id") == "sme-3");
  CHECK(std::find(w.last_outcome().touched.begin(), w.last_outcome().touched.end(), "org/sme-3") !=
        w.last_outcome().touched.end());

  // The record stays readable.
  const Organisation o = Org(w, "sme-3");
  CHECK(o.removed());
  CHECK(o.removed_height() == at);
  CHECK(o.name() == "Org sme-3");

  // Its account signs nothing, alone or as a co-signer, in a block or at admission.
  r = w.Run(SetWindow(100), {"ipo-a", "ipo-b", "sme-3"});
  CHECK(r.code() == "ACCOUNT_ORG_REMOVED");
  CHECK_THAT(r.message(), Catch::Contains("sme-3"));
  const std::string tx = w.Build(SetWindow(100), {"ipo-a", "ipo-b", "sme-3"});
  CHECK(CheckAdmission(w.state(), PrepareTx(tx), w.height() + 1).reason() == "ACCOUNT_ORG_REMOVED");

  // No new accounts, keys or roles; the id is never reused.
  CHECK(w.Run(AddAccount("sme-3", ROLE_OWNER, 92), kQuorum).code() == "ORG_REMOVED");
  Action g;
  g.mutable_role_grant()->set_public_key_hex(w.KeyHex("sme-3"));
  g.mutable_role_grant()->set_role(ROLE_INVESTOR);
  CHECK(w.Run(g, kQuorum).code() == "ORG_REMOVED");
  Action rot;
  rot.mutable_account_rotate_key()->set_old_public_key_hex(w.KeyHex("sme-3"));
  rot.mutable_account_rotate_key()->set_new_public_key_hex(NewKey(93));
  CHECK(w.Run(rot, kQuorum).code() == "ORG_REMOVED");
  Action again;
  Organisation* n = again.mutable_org_add()->mutable_org();
  n->set_id("sme-3");
  n->set_name("A new SME");
  n->set_kind(ORG_SME);
  CHECK(w.Run(again, kQuorum).code() == "ORG_EXISTS");
  CHECK(w.Run(Remove("sme-3"), kQuorum).code() == "ORG_REMOVED");
  CHECK(w.Run(Grant("sme-3"), kQuorum).code() == "ORG_REMOVED");
  CHECK(w.Run(AddNode("sme-node", "sme-3"), kQuorum).code() == "ORG_REMOVED");

  // Nor is it named as a party in anything new.
  CHECK(w.RegisterPatent(Zl(2020, 1, 8200001), {{"sme-3", 10000}}).code() == "ORG_REMOVED");
}

TEST_CASE("org removal: takes effect for the rest of the same block", "[unit][contracts][orgs]") {
  World w;
  // The first transaction resolves sme-3's account; the removal must not be
  // hidden by anything remembered from it.
  BlockOutcome out = w.Block({w.Build(SetWindow(100), {"ipo-a", "ipo-b", "sme-3"}), w.Build(Remove("sme-3"), kQuorum),
                              w.Build(SetWindow(200), {"ipo-a", "ipo-b", "sme-3"})});
  REQUIRE(out.txs.size() == 3);
  CHECK(out.txs[0].receipt.code() == "OK");
  CHECK(out.txs[1].receipt.code() == "OK");
  CHECK(out.txs[2].receipt.code() == "ACCOUNT_ORG_REMOVED");
  CHECK(QueryParams(w.state())->max_expiry_window() == 100);
}

TEST_CASE("org removal: an IP office leaves the electorate", "[unit][contracts][orgs][gov]") {
  World w;
  auto offices = [&] {
    StateLedgerLookup lookup(w.state(), w.time_ms());
    auto n = lookup.IpOffices();
    REQUIRE(n.ok());
    return n->count;
  };
  REQUIRE(offices() == 3);
  SECTION("the quorum is counted over the offices left") {
    REQUIRE(w.Run(Remove("ipo-c"), kQuorum).code() == "OK");
    CHECK(!w.Has(keys::IpOffice("ipo-c")));
    CHECK(offices() == 2);
    // Two offices left: one is not more than half, both are.
    auto r = w.Run(SetWindow(100), {"ipo-a"});
    CHECK(r.code() == "GOV_QUORUM_NOT_MET");
    CHECK_THAT(r.message(), Catch::Contains("of the 2 IP-office organisations"));
    CHECK(w.Run(SetWindow(100), kQuorum).code() == "OK");
    // The removed office's accounts no longer sign, so they cannot make up a quorum either.
    CHECK(w.Run(SetWindow(200), {"ipo-a", "ipo-c"}).code() == "ACCOUNT_ORG_REMOVED");
  }
  SECTION("refused when the offices left could not reach a quorum") {
    // Five offices, two of them without any account: three must sign.
    for (const char* id : {"ipo-d", "ipo-e"}) {
      Action org;
      Organisation* o = org.mutable_org_add()->mutable_org();
      o->set_id(id);
      o->set_name(std::string("IP office ") + id);
      o->set_kind(ORG_IP_OFFICE);
      REQUIRE(w.Run(org, {"ipo-a", "ipo-b", "ipo-c"}).code() == "OK");
    }
    REQUIRE(offices() == 5);
    // Without ipo-c, four offices are left and two signatures are not a quorum of them.
    auto r = w.Run(Remove("ipo-c"), {"ipo-a", "ipo-b", "ipo-c"});
    CHECK(r.code() == "ORG_REMOVE_BREAKS_QUORUM");
    CHECK_THAT(r.message(), Catch::Contains("4 IP offices remain"));
    CHECK(!Org(w, "ipo-c").removed());
    // An office without accounts can go: the three signers stay a quorum of four.
    CHECK(w.Run(Remove("ipo-e"), {"ipo-a", "ipo-b", "ipo-c"}).code() == "OK");
    CHECK(offices() == 4);
    CHECK(w.Run(SetWindow(100), {"ipo-a", "ipo-b"}).code() == "GOV_QUORUM_NOT_MET");
    CHECK(w.Run(SetWindow(100), {"ipo-a", "ipo-b", "ipo-c"}).code() == "OK");
  }
}

// ---- genesis ----------------------------------------------------------------

Validator GenesisNode(const std::string& id, const std::string& org, ValidatorRole role) {
  Validator v;
  v.set_node_id(id);
  v.set_public_key_hex(Hash(id));
  v.set_role(role);
  v.set_org_id(org);
  return v;
}

Organisation* GenesisOrg(Genesis& g, const std::string& id) {
  for (auto& o : *g.mutable_organisations()) {
    if (o.id() == id) return &o;
  }
  FAIL("no organisation " << id << " in the test genesis");
  return nullptr;
}

void CheckRefused(const Genesis& g, std::string_view field_and_reason) {
  Status s = ValidateGenesis(g);
  INFO(s.message());
  CHECK(s.reason() == "GENESIS_INVALID");
  CHECK_THAT(std::string(s.message()), Catch::Contains(std::string(field_and_reason)));
}

TEST_CASE("genesis: the same entitlement rules for the first validators", "[unit][contracts][genesis][orgs]") {
  Genesis g = TestGenesis();
  REQUIRE(ValidateGenesis(g).ok());
  SECTION("a learner of an organisation entitled by kind") {
    *g.add_validators() = GenesisNode("audit-node", "auditor-1", VALIDATOR_LEARNER);
    *g.add_validators() = GenesisNode("reg-node", "reg-1", VALIDATOR_LEARNER);
    CHECK(ValidateGenesis(g).ok());
  }
  SECTION("voters are IP offices") {
    *g.add_validators() = GenesisNode("audit-node", "auditor-1", VALIDATOR_VOTER);
    CheckRefused(g, "validators[1].org_id: node audit-node: voters are run by IP offices");
  }
  SECTION("a bank's learner needs replica_entitled, which the JSON carries") {
    *g.add_validators() = GenesisNode("bank-node", "bank-a", VALIDATOR_LEARNER);
    CheckRefused(g, "validators[1].org_id: organisation bank-a (ORG_BANK) is not entitled to a full replica");
    GenesisOrg(g, "bank-a")->set_replica_entitled(true);
    REQUIRE(ValidateGenesis(g).ok());
    auto parsed = ParseGenesis(GenesisToJson(g));
    REQUIRE(parsed.ok());
    auto ws = GenesisState(*parsed);
    REQUIRE(ws.ok());
    Organisation bank;
    REQUIRE(bank.ParseFromString(*ws->at(keys::Org("bank-a"))));
    CHECK(bank.replica_entitled());
  }
  SECTION("organisations entitled by kind carry no flag") {
    GenesisOrg(g, "auditor-1")->set_replica_entitled(true);
    CheckRefused(g, "replica_entitled");
  }
  SECTION("nobody starts removed") {
    GenesisOrg(g, "sme-3")->set_removed(true);
    CheckRefused(g, ".removed");
  }
  SECTION("roles follow the same table as governance") {
    g.mutable_accounts(3)->add_roles(ROLE_REGULATOR);  // bank-a
    CheckRefused(g, "ROLE_REGULATOR is not allowed for bank-a (ORG_BANK)");
  }
}

}  // namespace
}  // namespace pledger::contracts::test
