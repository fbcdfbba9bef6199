// Governance, accounts, validators, the engine's envelope checks (chain,
// expiry, replay, signers) and a wrong-signer case for every action.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/unit/contracts/harness.h"
#include "tests/unit/contracts/pool_fixture.h"

namespace pledger::contracts::test {
namespace {

bool HasEvent(const ledger::Receipt& r, std::string_view type) {
  return std::any_of(r.events().begin(), r.events().end(), [&](const ledger::Event& e) { return e.type() == type; });
}

TEST_CASE("governance: more than half of the IP offices approve", "[unit][contracts][gov]") {
  World w;
  std::string key = ledger::HexEncode(ledger::ByteSpan(pledger::test::TestKey(90).public_key()));
  Action a;
  a.mutable_account_add()->set_public_key_hex(key);
  a.mutable_account_add()->set_org_id("sme-3");
  a.mutable_account_add()->add_roles(ROLE_OWNER);
  auto r = w.Run(a, {"ipo-a"});
  CHECK(r.code() == "GOV_QUORUM_NOT_MET");
  CHECK(w.Run(a, {"ipo-a", "bank-a"}).code() == "GOV_QUORUM_NOT_MET");
  a.mutable_account_add()->set_roles(0, ROLE_BANK);
  CHECK(w.Run(a, {"ipo-a", "ipo-b"}).code() == "GOV_ROLE_NOT_ALLOWED");
  a.mutable_account_add()->set_roles(0, ROLE_OWNER);
  CHECK(w.Run(a, {"ipo-a", "ipo-b"}).code() == "OK");
  CHECK(w.Run(a, {"ipo-a", "ipo-c"}).code() == "ACCOUNT_EXISTS");
  auto acc = QueryAccount(w.state(), key);
  REQUIRE(acc.ok());
  CHECK(acc->org_id() == "sme-3");

  // Suspension: the suspended key can no longer sign anything.
  Action s;
  s.mutable_account_suspend()->set_public_key_hex(w.KeyHex("sme-2"));
  s.mutable_account_suspend()->set_suspended(true);
  CHECK(w.Run(s, {"ipo-b", "ipo-c"}).code() == "OK");
  Action reg;
  reg.mutable_bank_policy_set()->set_bank_org_id("bank-a");
  CHECK(w.Run(reg, {"bank-a", "sme-2"}).code() == "SIGNER_SUSPENDED");

  // Key rotation moves the account; the old key is retired.
  Action rot;
  std::string new_key = ledger::HexEncode(ledger::ByteSpan(pledger::test::TestKey(91).public_key()));
  rot.mutable_account_rotate_key()->set_old_public_key_hex(w.KeyHex("bank-b"));
  rot.mutable_account_rotate_key()->set_new_public_key_hex(new_key);
  CHECK(w.Run(rot, {"ipo-a", "ipo-b"}).code() == "OK");
  reg.mutable_bank_policy_set()->set_bank_org_id("bank-b");
  CHECK(w.Run(reg, {"bank-b"}).code() == "SIGNER_SUSPENDED");
  CHECK(QueryAccount(w.state(), new_key)->org_id() == "bank-b");

  // Roles.
  Action g;
  g.mutable_role_grant()->set_public_key_hex(w.KeyHex("bank-c"));
  g.mutable_role_grant()->set_role(ROLE_APPRAISER);
  CHECK(w.Run(g, {"ipo-a", "ipo-b"}).code() == "OK");
  Action rv;
  rv.mutable_role_revoke()->set_public_key_hex(w.KeyHex("bank-c"));
  rv.mutable_role_revoke()->set_role(ROLE_APPRAISER);
  CHECK(w.Run(rv, {"ipo-c", "ipo-b"}).code() == "OK");
  CHECK(w.Run(rv, {"ipo-a", "ipo-b"}).code() == "ACCOUNT_UNCHANGED");

  // Parameters and organisations.
  Action ps;
  *ps.mutable_params_set()->mutable_params() = DefaultParams();
  ps.mutable_params_set()->mutable_params()->set_max_expiry_window(0);
  CHECK(w.Run(ps, {"ipo-a", "ipo-b"}).code() == "PARAMS_INVALID");
  ps.mutable_params_set()->mutable_params()->set_max_expiry_window(100);
  // The clock skew flag's limit (docs/node.md "Ledger time"): 0 or 1 s to a day.
  ps.mutable_params_set()->mutable_params()->set_clock_skew_max_ms(999);
  CHECK(w.Run(ps, {"ipo-a", "ipo-b"}).code() == "PARAMS_INVALID");
  ps.mutable_params_set()->mutable_params()->set_clock_skew_max_ms(86'400'001);
  CHECK(w.Run(ps, {"ipo-a", "ipo-b"}).code() == "PARAMS_INVALID");
  ps.mutable_params_set()->mutable_params()->set_clock_skew_max_ms(5'000);
  CHECK(w.Run(ps, {"ipo-a", "ipo-b"}).code() == "OK");
  CHECK(QueryParams(w.state())->max_expiry_window() == 100);
  CHECK(QueryParams(w.state())->clock_skew_max_ms() == 5'000);
  Action org;
  org.mutable_org_add()->mutable_org()->set_id("ipo-d");
  org.mutable_org_add()->mutable_org()->set_name("IP office D");
  org.mutable_org_add()->mutable_org()->set_kind(ORG_IP_OFFICE);
  CHECK(w.Run(org, {"ipo-a", "ipo-b"}).code() == "OK");
  // Four IP offices now: two are no longer more than half.
  ps.mutable_params_set()->mutable_params()->set_max_expiry_window(200);
  CHECK(w.Run(ps, {"ipo-a", "ipo-b"}).code() == "GOV_QUORUM_NOT_MET");
  CHECK(w.Run(ps, {"ipo-a", "ipo-b", "ipo-c"}).code() == "OK");
}

TEST_CASE("validators: add, promote, remove, with events for the node", "[unit][contracts][gov]") {
  World w;
  Action add;
  Validator* v = add.mutable_validator_add()->mutable_validator();
  v->set_node_id("node-b");
  v->set_public_key_hex(Hash("node-b"));
  v->set_role(VALIDATOR_LEARNER);
  v->set_org_id("ipo-b");
  auto r = w.Run(add, {"ipo-a", "ipo-b"});
  CHECK(r.code() == "OK");
  REQUIRE(r.events_size() == 1);
  CHECK(r.events(0).type() == "validator.added");
  CHECK(r.events(0).attributes(1).value() == "VALIDATOR_LEARNER");
  CHECK(w.Run(add, {"ipo-a", "ipo-c"}).code() == "VALIDATOR_EXISTS");
  Action pro;
  pro.mutable_validator_promote()->set_node_id("node-b");
  CHECK(w.Run(pro, {"ipo-a"}).code() == "GOV_QUORUM_NOT_MET");
  CHECK(HasEvent(w.Run(pro, {"ipo-a", "ipo-b"}), "validator.promoted"));
  CHECK(w.Run(pro, {"ipo-a", "ipo-c"}).code() == "VALIDATOR_NOT_LEARNER");
  auto set = QueryValidators(w.state());
  REQUIRE(set.ok());
  REQUIRE(set->validators_size() == 2);
  CHECK(set->validators(1).role() == VALIDATOR_VOTER);
  Action rm;
  rm.mutable_validator_remove()->set_node_id("node-a");
  CHECK(HasEvent(w.Run(rm, {"ipo-a", "ipo-b"}), "validator.removed"));
  rm.mutable_validator_remove()->set_node_id("node-b");
  CHECK(w.Run(rm, {"ipo-a", "ipo-c"}).code() == "VALIDATOR_LAST_VOTER");
}

TEST_CASE("engine: chain, expiry window, replay, unknown signers, bad signatures", "[unit][contracts][engine]") {
  World w;
  Action a;
  a.mutable_bank_policy_set()->set_bank_org_id("bank-a");
  auto make = [&](std::string chain, std::uint64_t expiry, std::string_view signer, std::uint64_t nonce) {
    ledger::TxBody body;
    body.set_chain_id(chain);
    body.set_nonce(nonce);
    body.set_expiry_height(expiry);
    *body.mutable_action() = a;
    ledger::Transaction tx = ledger::MakeTransaction(body);
    ledger::SignTransaction(&tx, w.Key(signer));
    return tx.SerializeAsString();
  };
  std::uint64_t h = w.height() + 1;
  const std::string executed = make(kChain, h + 5, "bank-a", 4);
  auto out = w.Block({make("other-chain", h, "bank-a", 1), make(kChain, h - 1, "bank-a", 2),
                      make(kChain, h + 3601, "bank-a", 3), make(kChain, h + 5, "bank-a", 4),
                      executed, "garbage"});
  CHECK(out.txs[0].receipt.code() == "TX_WRONG_CHAIN");
  CHECK(out.txs[1].receipt.code() == "TX_EXPIRED");
  CHECK(out.txs[2].receipt.code() == "TX_EXPIRY_TOO_FAR");
  CHECK(out.txs[3].receipt.code() == "OK");
  CHECK(out.txs[4].receipt.code() == "TX_REPLAYED");  // the same transaction twice in one block
  CHECK(out.txs[5].receipt.code() == "TX_MALFORMED");
  CHECK(out.receipts.size() == 6);

  // Unknown signer and admission.
  std::string stranger;
  {
    ledger::TxBody body;
    body.set_chain_id(kChain);
    body.set_expiry_height(w.height() + 2);
    *body.mutable_action() = a;
    ledger::Transaction tx = ledger::MakeTransaction(body);
    ledger::SignTransaction(&tx, pledger::test::TestKey(99));
    stranger = tx.SerializeAsString();
  }
  CHECK(w.Block({stranger}).txs[0].receipt.code() == "SIGNER_UNKNOWN");
  CHECK(CheckAdmission(w.state(), PrepareTx(stranger), w.height() + 1).reason() == "SIGNER_UNKNOWN");
  // Already executed: admission against state alone cannot tell (the node's
  // tx index answers TX_ALREADY_COMMITTED before this runs).
  CHECK(CheckAdmission(w.state(), PrepareTx(executed), w.height() + 1).ok());
  std::string fresh = make(kChain, w.height() + 5, "bank-a", 77);
  CHECK(CheckAdmission(w.state(), PrepareTx(fresh), w.height() + 1).ok());
  CHECK(CheckAdmission(w.state(), PrepareTx(fresh), w.height() + 100).reason() == "TX_EXPIRED");

  // A tampered signature fails in PrepareTx and still gets a receipt.
  ledger::Transaction tx;
  REQUIRE(tx.ParseFromString(fresh));
  (*tx.mutable_signatures(0)->mutable_signature())[0] ^= 1;
  auto bad = w.Block({tx.SerializeAsString()});
  CHECK(bad.txs[0].receipt.code() == "SIGNATURE_INVALID");

  // Noop is rejected with a stable code.
  Action noop;
  noop.mutable_noop();
  CHECK(w.Run(noop, {"bank-a"}).code() == "ACTION_NOT_SUPPORTED");
}

// Replay across blocks is refused by the executor from the chain's tx index
// (contracts/replay.h, tested with the applier and the auditor). The engine keeps
// no replay records in state, so an accepted transaction writes only what its
// action writes; what it still refuses is a repeat inside the block it runs.
TEST_CASE("engine: no replay records in state, a repeat inside one block is TX_REPLAYED", "[unit][contracts][engine]") {
  World w;
  Action a;
  a.mutable_bank_policy_set()->set_bank_org_id("bank-a");
  const std::string tx = w.Build(a, {"bank-a"});
  Action b = a;
  b.mutable_bank_policy_set()->set_bank_org_id("no-such-bank");
  const std::string refused = w.Build(b, {"bank-a"});
  BlockOutcome out = w.Block({tx, refused, tx, refused});
  REQUIRE(out.status.ok());
  REQUIRE(out.txs.size() == 4);
  CHECK(out.txs[0].receipt.code() == "OK");
  CHECK(out.txs[1].receipt.code() != "OK");
  CHECK(out.txs[1].receipt.code() != "TX_REPLAYED");
  CHECK(out.txs[2].receipt.code() == "TX_REPLAYED");
  CHECK(out.txs[3].receipt.code() == "TX_REPLAYED");
  CHECK_THAT(out.txs[2].receipt.message(), Catch::Contains("earlier in this block"));
  for (const auto& [k, v] : out.writes) {
    INFO(k);
    CHECK(k == "org/bank-a");
  }
  size_t replay_keys = 0;
  REQUIRE(w.state().Scan("rp/", [&](std::string_view, std::string_view) { ++replay_keys; return true; }).ok());
  CHECK(replay_keys == 0);
}

// Every action signed by an account without the needed role is refused with
// the authorisation code, and writes nothing.
TEST_CASE("wrong signer: every action refuses an unauthorised signer", "[unit][contracts][auth]") {
  World w;
  std::string p1 = Zl(2020, 1, 9000001);
  REQUIRE(w.RegisterPatent(p1, {{"sme-1", 10000}}).code() == "OK");
  REQUIRE(w.Run(w.PledgeAction("bank-a", {"sme-1"}, {p1}), {"bank-a", "sme-1", "ipo-a"}).code() == "OK");
  std::string pledge = w.last_object_id();
  REQUIRE(w.Run(CreatePoolAction(), {"trustee-1"}).code() == "OK");
  std::string pool = w.last_object_id();

  struct Row {
    const char* name;
    std::function<void(Action*)> build;
    const char* code;
  };
  std::vector<Row> rows = {
      {"OrgAdd", [](Action* a) { a->mutable_org_add()->mutable_org()->set_id("x"); }, "GOV_QUORUM_NOT_MET"},
      {"AccountAdd", [](Action* a) { a->mutable_account_add()->set_org_id("sme-1"); }, "GOV_QUORUM_NOT_MET"},
      {"AccountSuspend", [](Action* a) { a->mutable_account_suspend(); }, "GOV_QUORUM_NOT_MET"},
      {"AccountRotateKey", [](Action* a) { a->mutable_account_rotate_key(); }, "GOV_QUORUM_NOT_MET"},
      {"RoleGrant", [](Action* a) { a->mutable_role_grant(); }, "GOV_QUORUM_NOT_MET"},
      {"RoleRevoke", [](Action* a) { a->mutable_role_revoke(); }, "GOV_QUORUM_NOT_MET"},
      {"ParamsSet", [](Action* a) { *a->mutable_params_set()->mutable_params() = DefaultParams(); }, "GOV_QUORUM_NOT_MET"},
      {"ValidatorAdd", [](Action* a) { a->mutable_validator_add(); }, "GOV_QUORUM_NOT_MET"},
      {"ValidatorPromote", [](Action* a) { a->mutable_validator_promote()->set_node_id("node-a"); }, "GOV_QUORUM_NOT_MET"},
      {"ValidatorRemove", [](Action* a) { a->mutable_validator_remove()->set_node_id("node-a"); }, "GOV_QUORUM_NOT_MET"},
      {"OrgReplicaGrant", [](Action* a) { a->mutable_org_replica_grant()->set_org_id("bank-a"); }, "GOV_QUORUM_NOT_MET"},
      {"OrgRemove", [](Action* a) { a->mutable_org_remove()->set_org_id("sme-3"); }, "GOV_QUORUM_NOT_MET"},
      {"ValidatorRotateKey", [](Action* a) { a->mutable_validator_rotate_key()->set_node_id("node-a"); }, "GOV_QUORUM_NOT_MET"},
      {"OrgTlsRootsSet", [](Action* a) { a->mutable_org_tls_roots_set()->set_org_id("bank-a"); }, "GOV_QUORUM_NOT_MET"},
      {"BankPolicySet", [](Action* a) { a->mutable_bank_policy_set()->set_bank_org_id("bank-a"); }, "AUTH_ROLE_MISSING"},
      {"PatentRegister", [](Action* a) { a->mutable_patent_register()->set_patent_no(Zl(2020, 1, 9000002)); }, "AUTH_ROLE_MISSING"},
      {"PatentStatusUpdate", [&](Action* a) { a->mutable_patent_status()->set_patent_no(p1); }, "AUTH_ROLE_MISSING"},
      {"PatentAssign", [&](Action* a) { a->mutable_patent_assign()->set_patent_no(p1); }, "AUTH_ROLE_MISSING"},
      {"LicenceFile", [&](Action* a) { a->mutable_licence_file()->set_patent_no(p1); }, "AUTH_ROLE_MISSING"},
      {"ValuationRecord", [&](Action* a) { a->mutable_valuation_record()->add_patent_nos(p1); }, "AUTH_ROLE_MISSING"},
      {"PledgeRegister", [&](Action* a) { *a = w.PledgeAction("bank-b", {"sme-1"}, {p1}); }, "AUTH_ROLE_MISSING"},
      {"PledgeChange", [&](Action* a) { a->mutable_pledge_change()->set_pledge_id(pledge); }, "AUTH_ROLE_MISSING"},
      {"LoanAccrue", [&](Action* a) { a->mutable_loan_accrue()->set_pledge_id(pledge); }, "AUTH_ROLE_MISSING"},
      {"LoanRepay", [&](Action* a) { a->mutable_loan_repay()->set_pledge_id(pledge); }, "AUTH_ROLE_MISSING"},
      {"LoanRenew", [&](Action* a) { a->mutable_loan_renew()->set_pledge_id(pledge); }, "AUTH_ROLE_MISSING"},
      {"LoanClassify", [&](Action* a) { a->mutable_loan_classify()->set_pledge_id(pledge); }, "AUTH_ROLE_MISSING"},
      {"PledgeCancel", [&](Action* a) {
         a->mutable_pledge_cancel()->set_pledge_id(pledge);
         a->mutable_pledge_cancel()->set_ground(CANCEL_WAIVED);
       }, "AUTH_ROLE_MISSING"},
      {"PledgeEnforce", [&](Action* a) { a->mutable_pledge_enforce()->set_pledge_id(pledge); }, "AUTH_ROLE_MISSING"},
      // Pools and tranches: the pool's trustee signs; a transfer, the holder.
      {"PoolCreate", [](Action* a) { *a = CreatePoolAction(); }, "AUTH_ROLE_MISSING"},
      {"PoolAdmitPatents", [&](Action* a) { *a = AdmitPatentsAction(pool, {p1}); }, "AUTH_ROLE_MISSING"},
      {"PoolAdmitPledges", [&](Action* a) {
         a->mutable_pool_admit_pledges()->set_pool_id(pool);
         a->mutable_pool_admit_pledges()->add_pledge_ids(pledge);
       }, "AUTH_ROLE_MISSING"},
      {"PoolRemove", [&](Action* a) {
         a->mutable_pool_remove()->set_pool_id(pool);
         a->mutable_pool_remove()->set_member(p1);
       }, "AUTH_ROLE_MISSING"},
      {"TrancheIssue", [&](Action* a) { *a = StandardIssueAction(pool); }, "AUTH_ROLE_MISSING"},
      {"HoldingTransfer", [&](Action* a) {
         HoldingTransfer* t = a->mutable_holding_transfer();
         t->set_pool_id(pool);
         t->set_rank(1);
         t->set_from_org_id("inv-1");
         t->set_to_org_id("inv-2");
         t->set_units(1);
       }, "AUTH_ROLE_MISSING"},
      {"PoolCollect", [&](Action* a) { *a = CollectAction(pool, {{p1, 100}}); }, "AUTH_ROLE_MISSING"},
      {"PoolPay", [&](Action* a) { *a = PayAction(pool, 0); }, "AUTH_ROLE_MISSING"},
      {"PoolTrigger", [&](Action* a) {
         a->mutable_pool_trigger()->set_pool_id(pool);
         a->mutable_pool_trigger()->set_reason(POOL_TRIGGER_OTHER);
         a->mutable_pool_trigger()->set_document_hash(Hash("notice"));
       }, "AUTH_ROLE_MISSING"},
      {"PoolWindDown", [&](Action* a) { a->mutable_pool_wind_down()->set_pool_id(pool); }, "AUTH_ROLE_MISSING"},
  };
  // Every action kind but Noop has a row.
  CHECK(rows.size() == static_cast<size_t>(Action::descriptor()->field_count() - 1));
  // bank-b is a real, active account: it just holds the wrong role or
  // organisation. Auditors and regulators are read-only: with them alone,
  // every action is refused the same way.
  for (const std::vector<std::string>& signers :
       {std::vector<std::string>{"bank-b", "auditor-1"}, std::vector<std::string>{"auditor-1", "reg-1"}}) {
    for (const Row& row : rows) {
      INFO(row.name << " signed by " << signers.front() << " and " << signers.back());
      Action a;
      row.build(&a);
      auto before = w.state().data();
      auto r = w.Run(a, signers);
      CHECK(r.code() == row.code);
      CHECK(r.events_size() == 0);
      for (const auto& [k, v] : w.state().data()) {
        if (k.rfind("rp/", 0) == 0) continue;
        auto it = before.find(k);
        CHECK((it != before.end() && it->second == v));
      }
    }
  }
}

// ---- issue 16: key rotation and TLS trust roots ----------------------------

std::string KeyHexOf(const ledger::SecretKey& k) { return ledger::HexEncode(ledger::ByteSpan(k.public_key())); }

std::string Proof(const ledger::SecretKey& by, std::string_view subject, const std::string& old_hex,
                  const std::string& new_hex, std::string_view chain = kChain) {
  return ledger::ToString(ledger::ByteSpan(by.Sign(ledger::KeyRotationMessage(chain, subject, old_hex, new_hex))));
}

// A transaction signed by keys the harness does not name (rotated-in keys).
std::string SignedBy(World& w, const Action& a, const std::vector<const ledger::SecretKey*>& keys) {
  static std::uint64_t nonce = 1'000'000;
  ledger::TxBody body;
  body.set_chain_id(kChain);
  body.set_nonce(++nonce);
  body.set_expiry_height(w.height() + 10);
  *body.mutable_action() = a;
  ledger::Transaction tx = ledger::MakeTransaction(body);
  for (const ledger::SecretKey* k : keys) ledger::SignTransaction(&tx, *k);
  return tx.SerializeAsString();
}

std::string Attr(const ledger::Event& e, std::string_view key) {
  for (const auto& a : e.attributes()) {
    if (a.key() == key) return a.value();
  }
  return "";
}

Action RotateNode(const std::string& node, const std::string& old_hex, const ledger::SecretKey& fresh,
                  const ledger::SecretKey* old_key) {
  Action a;
  ValidatorRotateKey* x = a.mutable_validator_rotate_key();
  x->set_node_id(node);
  x->set_new_public_key_hex(KeyHexOf(fresh));
  x->set_new_key_proof(Proof(fresh, "node:" + node, old_hex, KeyHexOf(fresh)));
  if (old_key) x->set_old_key_proof(Proof(*old_key, "node:" + node, old_hex, KeyHexOf(fresh)));
  return a;
}

TEST_CASE("ValidatorRotateKey: self-signed by the node's organisation, or by governance", "[unit][contracts][gov][rotation]") {
  World w;
  const ledger::SecretKey k1 = pledger::test::TestKey(100), k2 = pledger::test::TestKey(101),
                          k3 = pledger::test::TestKey(102), k4 = pledger::test::TestKey(103),
                          k5 = pledger::test::TestKey(104);
  Action add;
  Validator* v = add.mutable_validator_add()->mutable_validator();
  v->set_node_id("node-b");
  v->set_public_key_hex(KeyHexOf(k1));
  v->set_role(VALIDATOR_LEARNER);
  v->set_org_id("ipo-b");
  // The key history is the rotation's to write, not an admission's.
  Action forged = add;
  forged.mutable_validator_add()->mutable_validator()->set_previous_public_key_hex(KeyHexOf(k5));
  forged.mutable_validator_add()->mutable_validator()->set_key_height(1);
  CHECK(w.Run(forged, {"ipo-a", "ipo-b"}).code() == "VALIDATOR_INVALID");
  Genesis g = TestGenesis();
  g.mutable_validators(0)->set_key_height(3);
  CHECK(ValidateGenesis(g).reason() == "GENESIS_INVALID");
  REQUIRE(w.Run(add, {"ipo-a", "ipo-b"}).code() == "OK");

  const Action self = RotateNode("node-b", KeyHexOf(k1), k2, &k1);
  // Authorisation: neither the quorum nor the node's organisation.
  auto r = w.Run(self, {"bank-a"});
  CHECK(r.code() == "GOV_QUORUM_NOT_MET");
  CHECK(r.message().find("ipo-b") != std::string::npos);
  CHECK(w.Run(self, {"ipo-a"}).code() == "GOV_QUORUM_NOT_MET");  // another office alone
  // The organisation signs, but the current key's consent is missing or wrong.
  Action a = self;
  a.mutable_validator_rotate_key()->clear_old_key_proof();
  CHECK(w.Run(a, {"ipo-b"}).code() == "KEY_PROOF_INVALID");
  a.mutable_validator_rotate_key()->set_old_key_proof(Proof(k2, "node:node-b", KeyHexOf(k1), KeyHexOf(k2)));
  CHECK(w.Run(a, {"ipo-b"}).code() == "KEY_PROOF_INVALID");
  // The new key's proof: missing, by another key, for another chain, for another node.
  a = self;
  a.mutable_validator_rotate_key()->clear_new_key_proof();
  CHECK(w.Run(a, {"ipo-b"}).code() == "KEY_PROOF_INVALID");
  CHECK(w.Run(a, {"ipo-a", "ipo-c"}).code() == "KEY_PROOF_INVALID");  // governance needs it too
  a.mutable_validator_rotate_key()->set_new_key_proof(Proof(k1, "node:node-b", KeyHexOf(k1), KeyHexOf(k2)));
  CHECK(w.Run(a, {"ipo-b"}).code() == "KEY_PROOF_INVALID");
  a.mutable_validator_rotate_key()->set_new_key_proof(Proof(k2, "node:node-b", KeyHexOf(k1), KeyHexOf(k2), "other-chain"));
  CHECK(w.Run(a, {"ipo-b"}).code() == "KEY_PROOF_INVALID");
  a.mutable_validator_rotate_key()->set_new_key_proof(Proof(k2, "node:node-a", KeyHexOf(k1), KeyHexOf(k2)));
  CHECK(w.Run(a, {"ipo-b"}).code() == "KEY_PROOF_INVALID");
  // The node and the key.
  a = self;
  a.mutable_validator_rotate_key()->set_node_id("node-x");
  CHECK(w.Run(a, {"ipo-a", "ipo-b"}).code() == "VALIDATOR_NOT_FOUND");
  a.mutable_validator_rotate_key()->set_node_id("Node B");
  CHECK(w.Run(a, {"ipo-a", "ipo-b"}).code() == "VALIDATOR_INVALID");
  a = self;
  a.mutable_validator_rotate_key()->set_new_public_key_hex("ABC");
  CHECK(w.Run(a, {"ipo-b"}).code() == "VALIDATOR_INVALID");
  CHECK(w.Run(RotateNode("node-b", KeyHexOf(k1), k1, &k1), {"ipo-b"}).code() == "VALIDATOR_KEY_UNCHANGED");
  a = self;
  a.mutable_validator_rotate_key()->set_new_public_key_hex(Hash("node-a"));  // node-a's key
  CHECK(w.Run(a, {"ipo-a", "ipo-b"}).code() == "VALIDATOR_EXISTS");
  CHECK(QueryValidators(w.state())->validators(1).public_key_hex() == KeyHexOf(k1));  // nothing written

  // Self-signed: ipo-b's account and both proofs.
  r = w.Run(self, {"ipo-b"});
  REQUIRE(r.code() == "OK");
  REQUIRE(r.events_size() == 1);
  CHECK(r.events(0).type() == "validator.key_rotated");
  CHECK(Attr(r.events(0), "node_id") == "node-b");
  CHECK(Attr(r.events(0), "old_public_key") == KeyHexOf(k1));
  CHECK(Attr(r.events(0), "new_public_key") == KeyHexOf(k2));
  CHECK(Attr(r.events(0), "basis") == "self");
  const std::uint64_t h = w.height();
  Validator rec = w.Get<Validator>(keys::Validator("node-b"));
  CHECK(rec.public_key_hex() == KeyHexOf(k2));
  CHECK(rec.previous_public_key_hex() == KeyHexOf(k1));
  CHECK(rec.key_height() == h);
  CHECK(rec.role() == VALIDATOR_LEARNER);
  CHECK(rec.org_id() == "ipo-b");
  // Never back to the key it replaced.
  CHECK(w.Run(RotateNode("node-b", KeyHexOf(k2), k1, &k2), {"ipo-b"}).code() == "VALIDATOR_KEY_UNCHANGED");
  // The old key's consent no longer works: the message names the current key.
  CHECK(w.Run(RotateNode("node-b", KeyHexOf(k1), k3, &k1), {"ipo-b"}).code() == "KEY_PROOF_INVALID");

  // Governance: the current key lost, only the new key's proof.
  r = w.Run(RotateNode("node-b", KeyHexOf(k2), k3, nullptr), {"ipo-a", "ipo-c"});
  REQUIRE(r.code() == "OK");
  CHECK(Attr(r.events(0), "basis") == "governance");
  rec = w.Get<Validator>(keys::Validator("node-b"));
  CHECK(rec.previous_public_key_hex() == KeyHexOf(k2));
  CHECK(rec.public_key_hex() == KeyHexOf(k3));
  CHECK(rec.key_height() == w.height());

  // Two rotations of one node in one block: the second waits.
  auto out = w.Block({w.Build(RotateNode("node-b", KeyHexOf(k3), k4, nullptr), {"ipo-a", "ipo-b"}),
                      w.Build(RotateNode("node-b", KeyHexOf(k4), k5, nullptr), {"ipo-a", "ipo-b"})});
  REQUIRE(out.status.ok());
  REQUIRE(out.txs.size() == 2);
  CHECK(out.txs[0].receipt.code() == "OK");
  CHECK(out.txs[1].receipt.code() == "VALIDATOR_KEY_ROTATED_THIS_BLOCK");
  CHECK(w.Get<Validator>(keys::Validator("node-b")).public_key_hex() == KeyHexOf(k4));
  CHECK(w.Run(RotateNode("node-b", KeyHexOf(k4), k5, nullptr), {"ipo-a", "ipo-b"}).code() == "OK");
}

TEST_CASE("AccountRotateKey: self-signed by the old key with the new key's proof", "[unit][contracts][gov][rotation]") {
  World w;
  const std::string old_hex = w.KeyHex("sme-1");
  const ledger::SecretKey fresh = pledger::test::TestKey(92), next = pledger::test::TestKey(94);
  const std::string new_hex = KeyHexOf(fresh);
  Action rot;
  rot.mutable_account_rotate_key()->set_old_public_key_hex(old_hex);
  rot.mutable_account_rotate_key()->set_new_public_key_hex(new_hex);
  // Without a proof, the old key alone is no authority.
  auto r = w.Run(rot, {"sme-1"});
  CHECK(r.code() == "GOV_QUORUM_NOT_MET");
  CHECK(r.message().find("new_key_proof") != std::string::npos);
  // A proof, but signed by another account: not self-signed.
  rot.mutable_account_rotate_key()->set_new_key_proof(Proof(fresh, "account:" + old_hex, old_hex, new_hex));
  CHECK(w.Run(rot, {"sme-2"}).code() == "GOV_QUORUM_NOT_MET");
  // Wrong proofs: by the old key, for another subject, for another chain.
  Action bad = rot;
  bad.mutable_account_rotate_key()->set_new_key_proof(Proof(w.Key("sme-1"), "account:" + old_hex, old_hex, new_hex));
  CHECK(w.Run(bad, {"sme-1"}).code() == "KEY_PROOF_INVALID");
  bad.mutable_account_rotate_key()->set_new_key_proof(Proof(fresh, "node:" + old_hex, old_hex, new_hex));
  CHECK(w.Run(bad, {"sme-1"}).code() == "KEY_PROOF_INVALID");
  bad.mutable_account_rotate_key()->set_new_key_proof(Proof(fresh, "account:" + old_hex, old_hex, new_hex, "x"));
  CHECK(w.Run(bad, {"sme-1"}).code() == "KEY_PROOF_INVALID");
  // The governance path checks a proof it carries, too.
  CHECK(w.Run(bad, {"ipo-a", "ipo-b"}).code() == "KEY_PROOF_INVALID");
  // The new key must be fresh.
  bad = rot;
  bad.mutable_account_rotate_key()->set_new_public_key_hex(w.KeyHex("sme-2"));
  CHECK(w.Run(bad, {"sme-1"}).code() == "ACCOUNT_EXISTS");

  r = w.Run(rot, {"sme-1"});
  REQUIRE(r.code() == "OK");
  REQUIRE(r.events_size() == 1);
  CHECK(r.events(0).type() == "account.key_rotated");
  CHECK(Attr(r.events(0), "basis") == "self");
  CHECK(QueryAccount(w.state(), new_hex)->org_id() == "sme-1");
  auto retired = QueryAccount(w.state(), old_hex);
  REQUIRE(retired.ok());
  CHECK(retired->rotated_to_hex() == new_hex);
  // The old key signs nothing now, itself included.
  CHECK(w.Run(rot, {"sme-1"}).code() == "SIGNER_SUSPENDED");
  // The new key rotates itself on.
  Action again;
  again.mutable_account_rotate_key()->set_old_public_key_hex(new_hex);
  again.mutable_account_rotate_key()->set_new_public_key_hex(KeyHexOf(next));
  again.mutable_account_rotate_key()->set_new_key_proof(
      Proof(next, "account:" + new_hex, new_hex, KeyHexOf(next)));
  auto out = w.Block({SignedBy(w, again, {&fresh})});
  REQUIRE(out.txs.size() == 1);
  CHECK(out.txs[0].receipt.code() == "OK");
  CHECK(QueryAccount(w.state(), KeyHexOf(next))->org_id() == "sme-1");
  // The governance path, with a proof, still works for another account.
  const ledger::SecretKey gov_new = pledger::test::TestKey(95);
  Action g;
  g.mutable_account_rotate_key()->set_old_public_key_hex(w.KeyHex("sme-2"));
  g.mutable_account_rotate_key()->set_new_public_key_hex(KeyHexOf(gov_new));
  g.mutable_account_rotate_key()->set_new_key_proof(
      Proof(gov_new, "account:" + w.KeyHex("sme-2"), w.KeyHex("sme-2"), KeyHexOf(gov_new)));
  r = w.Run(g, {"ipo-a", "ipo-b"});
  CHECK(r.code() == "OK");
  CHECK(Attr(r.events(0), "basis") == "governance");
}

// One DER element: SEQUENCE of `content_bytes` filler bytes.
std::string Der(size_t content_bytes, char fill = 'x') {
  std::string d(1, '\x30');
  if (content_bytes < 0x80) {
    d += static_cast<char>(content_bytes);
  } else if (content_bytes < 0x100) {
    d += '\x81';
    d += static_cast<char>(content_bytes);
  } else {
    d += '\x82';
    d += static_cast<char>(content_bytes >> 8);
    d += static_cast<char>(content_bytes & 0xff);
  }
  return d + std::string(content_bytes, fill);
}

TEST_CASE("TLS trust roots: OrgAdd, OrgTlsRootsSet and the genesis check them alike", "[unit][contracts][gov][tls]") {
  World w;
  Action add;
  Organisation* o = add.mutable_org_add()->mutable_org();
  o->set_id("ipo-d");
  o->set_name("IP office D");
  o->set_kind(ORG_IP_OFFICE);
  const auto refused = [&](const std::vector<std::string>& roots) {
    Action a = add;
    a.mutable_org_add()->mutable_org()->clear_tls_roots();
    for (const auto& r : roots) a.mutable_org_add()->mutable_org()->add_tls_roots(r);
    auto r = w.Run(a, {"ipo-a", "ipo-b"});
    INFO(r.message());
    return r.code() == "TLS_ROOTS_INVALID";
  };
  CHECK(refused({"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"}));  // PEM, not DER
  CHECK(refused({""}));
  CHECK(refused({Der(8192 - 4 + 1)}));          // 8193 bytes
  CHECK(refused({Der(10).substr(0, 8)}));       // truncated
  CHECK(refused({Der(10) + "tail"}));           // trailing bytes
  CHECK(refused({std::string("\x30\x80", 2) + "xx"}));       // BER indefinite length
  CHECK(refused({std::string("\x30\x81\x05", 3) + "xxxxx"}));  // non-minimal length
  CHECK(refused({Der(10), Der(20), Der(10)}));  // duplicate
  std::vector<std::string> nine;
  for (int i = 0; i < 9; ++i) nine.push_back(Der(10 + i));
  CHECK(refused(nine));
  // Largest and most: accepted.
  o->add_tls_roots(Der(8192 - 4));
  for (int i = 0; i < 7; ++i) o->add_tls_roots(Der(100 + i));
  REQUIRE(w.Run(add, {"ipo-a", "ipo-b"}).code() == "OK");
  CHECK(w.Get<Organisation>(keys::Org("ipo-d")).tls_roots_size() == 8);

  // OrgTlsRootsSet.
  Action set;
  set.mutable_org_tls_roots_set()->set_org_id("bank-a");
  set.mutable_org_tls_roots_set()->add_tls_roots(Der(30, 'a'));
  set.mutable_org_tls_roots_set()->add_tls_roots(Der(300, 'b'));
  CHECK(w.Run(set, {"ipo-a", "ipo-b"}).code() == "GOV_QUORUM_NOT_MET");  // four offices now
  CHECK(w.Run(set, {"bank-a"}).code() == "GOV_QUORUM_NOT_MET");          // nor the organisation itself
  Action other = set;
  other.mutable_org_tls_roots_set()->set_org_id("bank-zz");
  CHECK(w.Run(other, {"ipo-a", "ipo-b", "ipo-c"}).code() == "ORG_NOT_FOUND");
  other = set;
  other.mutable_org_tls_roots_set()->add_tls_roots("PEM");
  CHECK(w.Run(other, {"ipo-a", "ipo-b", "ipo-c"}).code() == "TLS_ROOTS_INVALID");
  auto r = w.Run(set, {"ipo-a", "ipo-b", "ipo-c"});
  REQUIRE(r.code() == "OK");
  REQUIRE(r.events_size() == 1);
  CHECK(r.events(0).type() == "org.tls_roots_set");
  CHECK(Attr(r.events(0), "org_id") == "bank-a");
  CHECK(Attr(r.events(0), "count") == "2");
  CHECK(Attr(r.events(0), "sha256") == Hash(Der(30, 'a')) + "," + Hash(Der(300, 'b')));
  Organisation bank = w.Get<Organisation>(keys::Org("bank-a"));
  REQUIRE(bank.tls_roots_size() == 2);
  CHECK(bank.tls_roots(1) == Der(300, 'b'));
  CHECK(bank.kind() == ORG_BANK);  // the rest of the record is kept
  CHECK(w.Run(set, {"ipo-a", "ipo-b", "ipo-c"}).code() == "ORG_UNCHANGED");
  // Withdrawing every root is a decision governance may take.
  Action none;
  none.mutable_org_tls_roots_set()->set_org_id("bank-a");
  CHECK(w.Run(none, {"ipo-a", "ipo-b", "ipo-c"}).code() == "OK");
  CHECK(w.Get<Organisation>(keys::Org("bank-a")).tls_roots_size() == 0);
  // A removed organisation is party to nothing new.
  Action rm;
  rm.mutable_org_remove()->set_org_id("sme-3");
  REQUIRE(w.Run(rm, {"ipo-a", "ipo-b", "ipo-c"}).code() == "OK");
  set.mutable_org_tls_roots_set()->set_org_id("sme-3");
  CHECK(w.Run(set, {"ipo-a", "ipo-b", "ipo-c"}).code() == "ORG_REMOVED");

  // The genesis: the same checks, named by field.
  Genesis g = TestGenesis();
  g.mutable_organisations(1)->add_tls_roots(Der(40));
  CHECK(ValidateGenesis(g).ok());
  g.mutable_organisations(1)->add_tls_roots(Der(40));
  Status s = ValidateGenesis(g);
  CHECK(s.reason() == "GENESIS_INVALID");
  CHECK(std::string(s.message()).find("organisations[1]") != std::string::npos);
  CHECK(std::string(s.message()).find("repeats") != std::string::npos);
  g.mutable_organisations(1)->mutable_tls_roots()->RemoveLast();
  auto parsed = ParseGenesis(GenesisToJson(g));
  REQUIRE(parsed.ok());
  CHECK(parsed->organisations(1).tls_roots(0) == Der(40));
  CHECK(!GenesisState(g).ok() == false);
  g.mutable_organisations(1)->set_tls_roots(0, "not der");
  CHECK(!ParseGenesis(GenesisToJson(g)).ok());
  CHECK(!GenesisState(g).ok());
}

}  // namespace
}  // namespace pledger::contracts::test
