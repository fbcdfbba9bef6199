#include "tests/unit/contracts/harness.h"

#include <catch2/catch.hpp>

#include <cstdio>

namespace pledger::contracts::test {
namespace {

struct AccountSpec {
  const char* name;  // also the organisation id
  OrgKind kind;
  std::vector<Role> roles;
  std::uint8_t key;
};

const std::vector<AccountSpec>& Accounts() {
  static const std::vector<AccountSpec> kAccounts = {
      {"ipo-a", ORG_IP_OFFICE, {ROLE_IP_OFFICE}, 1},
      {"ipo-b", ORG_IP_OFFICE, {ROLE_IP_OFFICE}, 2},
      {"ipo-c", ORG_IP_OFFICE, {ROLE_IP_OFFICE}, 3},
      {"bank-a", ORG_BANK, {ROLE_BANK, ROLE_APPRAISER}, 10},
      {"bank-b", ORG_BANK, {ROLE_BANK}, 11},
      {"bank-c", ORG_BANK, {ROLE_BANK}, 12},
      {"bank-d", ORG_BANK, {ROLE_BANK}, 13},
      {"bank-e", ORG_BANK, {ROLE_BANK}, 14},
      {"appr-1", ORG_APPRAISER, {ROLE_APPRAISER}, 20},
      {"sme-1", ORG_SME, {ROLE_OWNER}, 30},
      {"sme-2", ORG_SME, {ROLE_OWNER}, 31},
      {"sme-3", ORG_SME, {ROLE_OWNER}, 32},
      {"indiv-1", ORG_INDIVIDUAL_BUSINESS, {ROLE_OWNER}, 33},
      {"foreign-1", ORG_ENTERPRISE, {ROLE_OWNER}, 34},
      {"agency-1", ORG_PATENT_AGENCY, {ROLE_AUDITOR}, 40},
      {"auditor-1", ORG_AUDITOR, {ROLE_AUDITOR}, 41},
      {"reg-1", ORG_REGULATOR, {ROLE_REGULATOR}, 42},
      // Pools and tranches.
      {"trustee-1", ORG_TRUSTEE, {ROLE_TRUSTEE}, 50},
      {"trustee-2", ORG_TRUSTEE, {ROLE_TRUSTEE}, 51},
      {"guarantor-1", ORG_GUARANTOR, {ROLE_GUARANTOR}, 52},
      {"inv-1", ORG_INVESTOR, {ROLE_INVESTOR}, 53},
      {"inv-2", ORG_INVESTOR, {ROLE_INVESTOR}, 54},
      {"inv-3", ORG_INVESTOR, {ROLE_INVESTOR}, 55},
  };
  return kAccounts;
}

}  // namespace

std::string Zl(int year, int type_digit, int serial) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%04d%d%07d", year, type_digit, serial);
  return std::string("ZL") + digits + "." + PatentCheckChar(digits);
}

std::string Hash(std::string_view seed) {
  return ledger::HexEncode(ledger::ByteSpan(ledger::Sha256(seed)));
}

Genesis TestGenesis() {
  Genesis g;
  g.set_chain_id(kChain);
  *g.mutable_params() = DefaultParams();
  for (const AccountSpec& a : Accounts()) {
    Organisation* o = g.add_organisations();
    o->set_id(a.name);
    o->set_name(std::string("Org ") + a.name);
    o->set_kind(a.kind);
    o->set_address("1 Example Road, Hangzhou");
    if (std::string_view(a.name) == "foreign-1") o->set_foreign_non_resident(true);
    GenesisAccount* acc = g.add_accounts();
    acc->set_public_key_hex(ledger::HexEncode(ledger::ByteSpan(pledger::test::TestKey(a.key).public_key())));
    acc->set_org_id(a.name);
    for (Role r : a.roles) acc->add_roles(r);
  }
  Validator* v = g.add_validators();
  v->set_node_id("node-a");
  v->set_public_key_hex(Hash("node-a"));
  v->set_role(VALIDATOR_VOTER);
  v->set_org_id("ipo-a");
  return g;
}

World::World() {
  for (const AccountSpec& a : Accounts()) keys_.emplace(a.name, pledger::test::TestKey(a.key));
  auto ws = GenesisState(TestGenesis());
  REQUIRE(ws.ok());
  state_.Apply(*ws);
  SetToday(DaysFromCivil(2024, 6, 3));
}

const ledger::SecretKey& World::Key(std::string_view name) const {
  auto it = keys_.find(name);
  REQUIRE(it != keys_.end());
  return it->second;
}

std::string World::KeyHex(std::string_view name) const {
  return ledger::HexEncode(ledger::ByteSpan(Key(name).public_key()));
}

void World::SetToday(std::int32_t day) {
  std::uint64_t t = static_cast<std::uint64_t>(day) * kMsPerDay;  // 08:00 Beijing = 00:00 UTC
  if (t > time_ms_) time_ms_ = t;
}

std::string World::Build(const Action& action, std::initializer_list<std::string_view> signers) {
  return Build(action, std::vector<std::string>(signers.begin(), signers.end()));
}

std::string World::Build(const Action& action, const std::vector<std::string>& signers) {
  ledger::TxBody body;
  body.set_chain_id(kChain);
  body.set_nonce(++nonce_);
  body.set_expiry_height(height_ + 10);
  *body.mutable_action() = action;
  ledger::Transaction tx = ledger::MakeTransaction(body);
  for (const std::string& s : signers) ledger::SignTransaction(&tx, Key(s));
  return tx.SerializeAsString();
}

BlockOutcome World::Block(const std::vector<std::string>& raw_txs) {
  std::vector<PreparedTx> prepared;
  for (const auto& raw : raw_txs) prepared.push_back(PrepareTx(raw));
  BlockContext ctx{kChain, ++height_, time_ms_ += 1000};
  BlockOutcome out = engine_.ExecuteBlock(state_, ctx, prepared);
  REQUIRE(out.status.ok());
  state_.Apply(out.writes);
  if (!prepared.empty()) last_object_id_ = ObjectIdFromTxId(prepared.back().id);
  return out;
}

ledger::Receipt World::Run(const Action& action, std::initializer_list<std::string_view> signers) {
  return Run(action, std::vector<std::string>(signers.begin(), signers.end()));
}

ledger::Receipt World::Run(const Action& action, const std::vector<std::string>& signers) {
  BlockOutcome out = Block({Build(action, signers)});
  REQUIRE(out.txs.size() == 1);
  last_outcome_ = out.txs[0];
  return out.txs[0].receipt;
}

Patent World::GetPatent(std::string_view no) const {
  Patent p;
  auto raw = state_.Get(keys::Patent(no));
  REQUIRE(raw.ok());
  REQUIRE(raw->has_value());
  REQUIRE(p.ParseFromString(**raw));
  return p;
}

Pledge World::GetPledge(std::string_view id) const {
  Pledge p;
  auto raw = state_.Get(keys::Pledge(id));
  REQUIRE(raw.ok());
  REQUIRE(raw->has_value());
  REQUIRE(p.ParseFromString(**raw));
  return p;
}

ledger::Receipt World::RegisterPatent(const std::string& no, std::vector<std::pair<std::string, std::uint32_t>> owners,
                                      std::int32_t filing, std::int32_t grant) {
  Action a;
  PatentRegister* r = a.mutable_patent_register();
  r->set_patent_no(no);
  auto type = ParsePatentNumber(no);
  REQUIRE(type.ok());
  r->set_type(*type);
  r->set_title("A method for " + no);
  r->set_main_ipc("G06F 16/23");
  r->set_filing_date(filing ? filing : DaysFromCivil(2020, 3, 1));
  r->set_grant_date(grant ? grant : DaysFromCivil(2022, 3, 1));
  r->set_fee_paid_through(DaysFromCivil(2025, 2, 28));
  for (auto& [org, share] : owners) {
    Owner* o = r->add_owners();
    o->set_org_id(org);
    o->set_share_bps(share);
  }
  return Run(a, {"ipo-a"});
}

Action World::PledgeAction(const std::string& bank, std::vector<std::string> pledgors, std::vector<std::string> patents,
                           std::int64_t principal, std::string valuation) {
  Action a;
  PledgeRegister* p = a.mutable_pledge_register();
  p->set_pledgee_org_id(bank);
  for (auto& s : pledgors) p->add_pledgor_org_ids(s);
  p->set_debtor_org_id(pledgors.front());
  p->set_debt_type("working-capital loan");
  p->set_principal_fen(principal);
  p->set_interest_rate_bps(385);
  p->set_due_date(DaysFromCivil(2025, 6, 1));
  p->set_scope("principal, interest, penalty, damages and enforcement costs");
  for (auto& n : patents) p->add_patent_nos(n);
  p->set_valuation_id(valuation);
  p->set_contract_hash(Hash("contract-" + bank));
  return a;
}

ledger::Receipt World::Valuate(std::vector<std::string> patents, std::int64_t value, std::int64_t realisable) {
  Action a;
  ValuationRecord* v = a.mutable_valuation_record();
  for (auto& n : patents) v->add_patent_nos(n);
  v->set_method(VALUATION_INCOME);
  v->set_base_date(today() - 10);
  v->set_value_fen(value);
  v->set_realisable_value_fen(realisable);
  v->set_report_hash(Hash("report"));
  v->set_appraiser_licence_no("ZJ-2024-001");
  return Run(a, {"appr-1"});
}

}  // namespace pledger::contracts::test
