#include "tests/unit/tools/audit_chain.h"

#include <chrono>
#include <stdexcept>

#include "contracts/genesis.h"
#include "contracts/queries.h"
#include "ledger/attestation.h"
#include "ledger/block.h"
#include "ledger/block_time.h"
#include "ledger/clock_reading.h"
#include "ledger/keys.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "contracts/history.h"
#include "contracts/replay.h"
#include "tests/support/test_util.h"

namespace pledger::test {
namespace {

void Check(const Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.ToString());
}

std::string KeyHex(const ledger::SecretKey& k) { return ledger::HexEncode(ledger::ByteSpan(k.public_key())); }

std::string DocHash(const std::string& what) { return ledger::HexEncode(ledger::Sha256(what)); }

struct OrgSpec {
  const char* id;
  contracts::OrgKind kind;
  contracts::Role role;
  std::uint8_t key;
};

const std::vector<OrgSpec>& Orgs() {
  static const std::vector<OrgSpec> kOrgs = {
      {"ipo-a", contracts::ORG_IP_OFFICE, contracts::ROLE_IP_OFFICE, 10},
      {"ipo-b", contracts::ORG_IP_OFFICE, contracts::ROLE_IP_OFFICE, 11},
      {"bank-a", contracts::ORG_BANK, contracts::ROLE_BANK, 12},
      {"bank-b", contracts::ORG_BANK, contracts::ROLE_BANK, 13},
      {"appraiser", contracts::ORG_APPRAISER, contracts::ROLE_APPRAISER, 14},
      {"sme", contracts::ORG_SME, contracts::ROLE_OWNER, 15},
      {"sme-2", contracts::ORG_SME, contracts::ROLE_OWNER, 16},
  };
  return kOrgs;
}

}  // namespace

TestChain::TestChain(const std::string& dir, TestChainOptions options) : dir_(dir), options_(std::move(options)) {
  genesis_.set_chain_id("audit-test");
  genesis_.set_genesis_time_ms(1700000000000ull);
  *genesis_.mutable_params() = contracts::DefaultParams();
  std::vector<OrgSpec> orgs = Orgs();
  if (options_.pool_parties) {
    orgs.push_back({"spv", contracts::ORG_TRUSTEE, contracts::ROLE_TRUSTEE, 17});
    orgs.push_back({"inv-a", contracts::ORG_INVESTOR, contracts::ROLE_INVESTOR, 18});
    orgs.push_back({"inv-b", contracts::ORG_INVESTOR, contracts::ROLE_INVESTOR, 19});
    orgs.push_back({"guar", contracts::ORG_GUARANTOR, contracts::ROLE_GUARANTOR, 20});
  }
  for (const OrgSpec& s : orgs) {
    auto* o = genesis_.add_organisations();
    o->set_id(s.id);
    o->set_name(std::string("Test ") + s.id + " Co., Ltd.");
    o->set_kind(s.kind);
    o->set_address("1 Example Road, Hangzhou");
    if (s.kind == contracts::ORG_BANK && std::string(s.id) == "bank-a") {
      o->mutable_lending_policy()->set_ltv_cap_bps(5000);
      o->mutable_lending_policy()->set_valuation_required(true);
    }
    auto key = std::make_shared<const ledger::SecretKey>(TestKey(s.key));
    auto* a = genesis_.add_accounts();
    a->set_public_key_hex(KeyHex(*key));
    a->set_org_id(s.id);
    a->add_roles(s.role);
    accounts_[s.id] = key;
  }
  for (int i = 1; i <= options_.validators; ++i) {
    const std::string id = "v" + std::to_string(i);
    auto key = std::make_shared<const ledger::SecretKey>(TestKey(static_cast<std::uint8_t>(100 + i)));
    auto* v = genesis_.add_validators();
    v->set_node_id(id);
    v->set_public_key_hex(KeyHex(*key));
    v->set_role(contracts::VALIDATOR_VOTER);
    v->set_org_id(i % 2 ? "ipo-a" : "ipo-b");
    validator_keys_[id] = key;
  }
  genesis_bytes_ = contracts::GenesisToJson(genesis_);
  Check(io::MakeDirs(dir_), "mkdir");
  Check(io::WriteFileAtomic(genesis_path(), genesis_bytes_), "genesis");
  auto l = ledger::Ledger::Open(data_dir());
  Check(l.status(), "open ledger");
  ledger_ = std::move(*l);
  auto ws = contracts::GenesisState(genesis_);
  Check(ws.status(), "genesis state");
  Check(ledger_->Initialize(genesis_.chain_id(), genesis_bytes_, *ws), "initialize");
  tools::WorkloadParties p;
  p.chain_id = genesis_.chain_id();
  p.ip_office = accounts_["ipo-a"];
  p.bank = accounts_["bank-a"];
  p.owner = accounts_["sme"];
  p.appraiser = accounts_["appraiser"];
  p.bank_org = "bank-a";
  p.owner_org = "sme";
  workload_ = std::make_unique<tools::Workload>(p, 7, 1);
  time_ms_ = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

TestChain::~TestChain() = default;

void TestChain::Close() {
  closed_height_ = height();
  ledger_.reset();
}

void TestChain::Reopen() {
  auto l = ledger::Ledger::Open(data_dir());
  Check(l.status(), "reopen ledger");
  ledger_ = std::move(*l);
  Check(ledger_->Load(), "load ledger");
}

std::uint64_t TestChain::height() const { return ledger_ ? ledger_->blocks().tip().height : closed_height_; }

ledger::TxBody TestChain::Body() {
  ledger::TxBody b;
  b.set_chain_id(genesis_.chain_id());
  b.set_nonce(++nonce_);
  b.set_expiry_height(height() + 1000);
  return b;
}

std::string TestChain::Sign(const ledger::TxBody& body, const std::vector<std::string>& signers) {
  ledger::Transaction tx = ledger::MakeTransaction(body);
  for (const auto& name : signers) {
    const ledger::SecretKey& k = *accounts_.at(name);
    if (options_.unsigned_txs) {
      auto* s = tx.add_signatures();
      s->set_public_key(std::string(ledger::AsStringView(ledger::ByteSpan(k.public_key()))));
      s->set_signature(std::string(ledger::kSignatureSize, '\0'));
    } else {
      ledger::SignTransaction(&tx, k);
    }
  }
  return tx.SerializeAsString();
}

std::vector<std::string> TestChain::AddBlock(const std::vector<std::string>& raw_txs) {
  ledger::Tip tip = ledger_->blocks().tip();
  const std::uint64_t h = tip.height + 1;
  std::vector<contracts::PreparedTx> prepared;
  prepared.reserve(raw_txs.size());
  for (const auto& raw : raw_txs) {
    if (!options_.unsigned_txs) {
      prepared.push_back(contracts::PrepareTx(raw));
      continue;
    }
    // As if verified: decode, and take the envelope's keys as the signers.
    contracts::PreparedTx p;
    p.raw = raw;
    auto tx = ledger::DecodeTransaction(raw);
    Check(tx.status(), "decode");
    p.tx = *tx;
    p.id = ledger::TxId(p.tx);
    auto body = ledger::DecodeTxBody(p.tx.body());
    Check(body.status(), "decode body");
    p.body = *body;
    for (const auto& s : p.tx.signatures()) {
      ledger::PublicKey k{};
      std::copy(s.public_key().begin(), s.public_key().end(), k.begin());
      p.signers.push_back(k);
    }
    prepared.push_back(std::move(p));
  }
  ledger::BlockDraft d;
  d.chain_id = genesis_.chain_id();
  d.height = h;
  d.prev_hash = tip.block_hash;
  const std::uint64_t base = h > options_.state_lag ? h - options_.state_lag : 0;
  auto roots = ledger_->blocks().RootsAt(h, base);
  Check(roots.status(), "roots");
  d.prev_state_root = roots->state_root;
  d.prev_results_root = roots->results_root;
  d.state_root_height = base;
  {
    // Clock readings of the voters in the state after block h - 1, as the
    // node's leader carries them (node/clock.cc), and the time they give.
    const std::uint64_t clock = ++time_ms_;
    auto vs = contracts::QueryValidators(ledger_->state());
    Check(vs.status(), "validators");
    ledger::VoterKeys voters;
    std::map<std::string, std::string> readings;
    for (const auto& v : vs->validators()) {
      if (v.role() != contracts::VALIDATOR_VOTER) continue;
      auto k = ledger::PublicKeyFromHex(v.public_key_hex());
      Check(k.status(), "validator key");
      voters[v.node_id()] = *k;
      auto key = validator_keys_.find(v.node_id());
      if (key == validator_keys_.end()) continue;
      auto skew = clock_skew_.find(v.node_id());
      const std::uint64_t reads = clock + static_cast<std::uint64_t>(skew == clock_skew_.end() ? 0 : skew->second);
      readings[v.node_id()] = ledger::SerializeCanonical(
          ledger::SignClockReading(genesis_.chain_id(), v.node_id(), h - 1, reads, *key->second));
    }
    for (auto& [id, bytes] : readings) d.clock_readings.push_back(std::move(bytes));
    std::uint64_t prev = genesis_.genesis_time_ms();
    if (tip.height > 0) {
      auto prev_block = ledger_->blocks().GetBlock(tip.height);
      Check(prev_block.status(), "previous block");
      auto prev_header = ledger::DecodeBlockHeader(*prev_block);
      Check(prev_header.status(), "previous header");
      prev = prev_header->time_ms();
    }
    auto t = ledger::LedgerTime(genesis_.chain_id(), h, prev, voters,
                                std::vector<std::string_view>(d.clock_readings.begin(), d.clock_readings.end()));
    Check(t.status(), "ledger time");
    d.time_ms = *t + static_cast<std::uint64_t>(time_fault_ms_);
    time_fault_ms_ = 0;
  }
  d.proposer_id = "v1";
  d.raft_term = 1;
  d.raft_index = h + 10;
  d.txs = raw_txs;
  d.attestations = std::move(pending_attestations_);
  pending_attestations_.clear();
  ledger::Block block = ledger::SealBlock(d);
  auto header = ledger::DecodeBlockHeader(block);
  Check(header.status(), "header");

  contracts::RefuseChainReplays(ledger_->blocks(), prepared);
  contracts::BlockContext ctx{d.chain_id, h, d.time_ms};
  contracts::BlockOutcome outcome = engine_.ExecuteBlock(ledger_->state(), ctx, prepared);
  Check(outcome.status, "execute");
  leveldb::WriteBatch extra;
  Check(contracts::StageHistoryRecords(*header, prepared, outcome, ledger_->state(), &extra), "history");
  // The node's attestation index (node/attest.cc StageAttestations).
  if (!d.attestations.empty()) {
    auto vs = contracts::QueryValidators(ledger_->state());
    Check(vs.status(), "validators");
    for (const auto& bytes : d.attestations) {
      ledger::Attestation a;
      if (!a.ParseFromString(bytes)) continue;
      for (const auto& v : vs->validators()) {
        if (v.node_id() != a.validator_id()) continue;
        // The key the record says was in force for the attested block
        // (node/attest.cc KeyAt): the previous one up to key_height.
        const bool before_rotation = a.height() <= v.key_height() && !v.previous_public_key_hex().empty();
        auto k = ledger::PublicKeyFromHex(before_rotation ? v.previous_public_key_hex() : v.public_key_hex());
        if (!k.ok() || !ledger::VerifyAttestation(d.chain_id, a, *k).ok()) continue;
        std::string key(1, ledger::keys::kAttestation);
        ledger::PutBigEndian64(&key, a.height());
        key += a.validator_id();
        extra.Put(key, bytes);
      }
    }
  }
  Check(ledger_->CommitBlock(block, outcome.receipts, outcome.writes, /*sync=*/false, &extra), "commit");

  std::vector<std::string> codes;
  for (const auto& o : outcome.txs) codes.push_back(o.receipt.code());
  for (const auto& p : prepared) tx_ids_.push_back(p.id);

  if (options_.attest) {
    // Voters of the state after the block sign it (node/attest.cc Attest).
    auto vs = contracts::QueryValidators(ledger_->state());
    Check(vs.status(), "validators");
    ledger::Tip now = ledger_->blocks().tip();
    for (const auto& v : vs->validators()) {
      if (v.role() != contracts::VALIDATOR_VOTER) continue;
      if (!options_.attesters.empty() &&
          std::find(options_.attesters.begin(), options_.attesters.end(), v.node_id()) == options_.attesters.end()) {
        continue;
      }
      auto key = validator_keys_.find(v.node_id());
      if (key == validator_keys_.end()) continue;
      ledger::Tip signs = now;
      if (attestation_fault_) attestation_fault_(v.node_id(), h, &signs);
      ledger::Attestation a = ledger::SignAttestation(d.chain_id, v.node_id(), h, signs.block_hash, signs.state_root,
                                                      signs.results_root, *key->second);
      pending_attestations_.push_back(a.SerializeAsString());
    }
  }
  return codes;
}

std::string TestChain::ValidatorAdd(const std::string& id, const ledger::SecretKey& key, contracts::ValidatorRole role) {
  ledger::TxBody b = Body();
  auto* v = b.mutable_action()->mutable_validator_add()->mutable_validator();
  v->set_node_id(id);
  v->set_public_key_hex(KeyHex(key));
  v->set_role(role);
  v->set_org_id("ipo-b");
  return Sign(b, {"ipo-a", "ipo-b"});
}

std::string TestChain::ValidatorRotateKey(const std::string& id, const ledger::SecretKey& old_key,
                                          const ledger::SecretKey& new_key, const std::string& org) {
  ledger::TxBody b = Body();
  auto* x = b.mutable_action()->mutable_validator_rotate_key();
  const std::string msg = ledger::KeyRotationMessage(genesis_.chain_id(), "node:" + id, KeyHex(old_key), KeyHex(new_key));
  x->set_node_id(id);
  x->set_new_public_key_hex(KeyHex(new_key));
  x->set_new_key_proof(ledger::ToString(ledger::ByteSpan(new_key.Sign(msg))));
  x->set_old_key_proof(ledger::ToString(ledger::ByteSpan(old_key.Sign(msg))));
  return Sign(b, {org});
}

std::string TestChain::ValidatorPromote(const std::string& id) {
  ledger::TxBody b = Body();
  b.mutable_action()->mutable_validator_promote()->set_node_id(id);
  return Sign(b, {"ipo-a", "ipo-b"});
}

std::string TestChain::ValidatorRemove(const std::string& id) {
  ledger::TxBody b = Body();
  b.mutable_action()->mutable_validator_remove()->set_node_id(id);
  return Sign(b, {"ipo-a", "ipo-b"});
}

std::string TestChain::PledgeCancel(const std::string& pledge_id) {
  ledger::TxBody b = Body();
  auto* c = b.mutable_action()->mutable_pledge_cancel();
  c->set_pledge_id(pledge_id);
  c->set_ground(contracts::CANCEL_WAIVED);
  return Sign(b, {"bank-b"});
}

std::string TestChain::PledgeChange(const std::string& pledge_id, std::int64_t new_principal_fen) {
  ledger::TxBody b = Body();
  auto* c = b.mutable_action()->mutable_pledge_change();
  c->set_pledge_id(pledge_id);
  c->set_new_principal_fen(new_principal_fen);
  c->set_agreement_hash(DocHash("change " + pledge_id + std::to_string(nonce_)));
  return Sign(b, {"bank-b", "sme", "ipo-a"});
}

std::string TestChain::BadSignature(const std::string& raw_tx) {
  ledger::Transaction tx;
  tx.ParseFromString(raw_tx);
  if (tx.signatures_size() > 0) {
    std::string sig = tx.signatures(0).signature();
    sig[5] = static_cast<char>(sig[5] ^ 0x40);
    tx.mutable_signatures(0)->set_signature(sig);
  }
  return tx.SerializeAsString();
}

void TestChain::RandomWorkload(std::uint64_t seed, size_t txs, size_t max_block) {
  std::mt19937_64 rng(seed);
  const std::int32_t today = tools::Workload::Today();
  std::uint32_t serial = static_cast<std::uint32_t>(patents_.size());
  std::map<std::string, std::string> owner;  // patent -> owner org
  for (const auto& p : patents_) owner[p] = "sme";
  size_t made = 0;
  while (made < txs) {
    const size_t n = std::min(txs - made, 1 + static_cast<size_t>(rng() % max_block));
    std::vector<std::string> block;
    struct Pending {
      int kind;  // 0 patent, 1 valuation, 2 pledge, 3 other
      std::string patent, object;
    };
    std::vector<Pending> info;
    for (size_t k = 0; k < n; ++k) {
      const unsigned r = static_cast<unsigned>(rng() % 100);
      if (patents_.empty() || r < 35) {
        const std::string no = tools::Workload::PatentNumber(2016 + static_cast<int>(seed % 8), 1, 2000000 + serial++);
        const std::string org = (rng() % 3 == 0) ? "sme-2" : "sme";
        ledger::TxBody b = Body();
        auto* pr = b.mutable_action()->mutable_patent_register();
        pr->set_patent_no(no);
        pr->set_type(contracts::PATENT_INVENTION);
        pr->set_title("Audit test method " + no.substr(2, 12));
        pr->set_main_ipc(rng() % 2 ? "G06F 16/27" : "H04L 9/32");
        pr->set_filing_date(today - 3 * 365);
        pr->set_grant_date(today - 365);
        pr->set_fee_paid_through(today + 365);
        auto* o = pr->add_owners();
        o->set_org_id(org);
        o->set_share_bps(10000);
        owner[no] = org;
        block.push_back(Sign(b, {"ipo-a"}));
        info.push_back({0, no, ""});
      } else if (r < 55) {
        const std::string& no = patents_[rng() % patents_.size()];
        ledger::TxBody b = Body();
        auto* v = b.mutable_action()->mutable_valuation_record();
        v->add_patent_nos(no);
        v->set_method(contracts::VALUATION_INCOME);
        v->set_base_date(today - 10);
        v->set_value_fen(2000000000);
        v->set_realisable_value_fen(1200000000);
        v->set_report_hash(DocHash("report " + no));
        v->set_appraiser_licence_no("ZJ-AP-2024-017");
        std::string raw = Sign(b, {"appraiser"});
        ledger::Transaction tx;
        tx.ParseFromString(raw);
        block.push_back(raw);
        info.push_back({1, no, contracts::ObjectIdFromTxId(ledger::TxId(tx))});
      } else if (r < 80) {
        const std::string& no = patents_[rng() % patents_.size()];
        const bool bank_a = rng() % 2 == 0 && valuation_of_.count(no);
        const std::string org = owner.count(no) ? owner[no] : "sme";
        ledger::TxBody b = Body();
        auto* p = b.mutable_action()->mutable_pledge_register();
        p->set_pledgee_org_id(bank_a ? "bank-a" : "bank-b");
        p->add_pledgor_org_ids(org);
        p->set_debtor_org_id(org);
        p->set_debt_type("working-capital loan");
        p->set_principal_fen(300000000);
        p->set_interest_rate_bps(385);
        p->set_due_date(today + 2 * 365);
        p->set_scope("principal, interest, penalty, damages and enforcement costs");
        p->add_patent_nos(no);
        if (bank_a) p->set_valuation_id(valuation_of_[no]);
        p->set_contract_hash(DocHash("loan contract " + no + std::to_string(nonce_)));
        std::string raw = Sign(b, {bank_a ? "bank-a" : "bank-b", org, "ipo-a"});
        ledger::Transaction tx;
        tx.ParseFromString(raw);
        if (!options_.unsigned_txs && rng() % 20 == 0) raw = BadSignature(raw);
        block.push_back(raw);
        info.push_back({2, no, contracts::ObjectIdFromTxId(ledger::TxId(tx))});
      } else if (!pledges_.empty() && r < 90) {
        block.push_back(PledgeCancel(pledges_[rng() % pledges_.size()]));
        info.push_back({3, "", ""});
      } else if (!pledges_.empty()) {
        block.push_back(PledgeChange(pledges_[rng() % pledges_.size()], 200000000 + static_cast<std::int64_t>(rng() % 1000) * 100));
        info.push_back({3, "", ""});
      } else {
        continue;
      }
    }
    if (block.empty()) continue;
    std::vector<std::string> codes = AddBlock(block);
    for (size_t k = 0; k < codes.size(); ++k) {
      if (codes[k] != "OK") continue;
      if (info[k].kind == 0) patents_.push_back(info[k].patent);
      if (info[k].kind == 1) valuation_of_[info[k].patent] = info[k].object;
      if (info[k].kind == 2) pledges_.push_back(info[k].object);
    }
    made += block.size();
  }
}

}  // namespace pledger::test
