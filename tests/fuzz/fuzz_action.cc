// Fuzz target: the contracts behind the signature gate (issue 17). fuzz-tx
// feeds whole signed transactions, so nearly every mutation breaks the
// signature and the actions are never decoded or executed. Here the input is
// up to kTxsMax transaction *bodies*; the harness makes each canonical,
// pins its chain id and a valid expiry, and signs it inside the target with
// fixed test keys (one byte chooses which), so every mutation of an action
// reaches the contracts' decoding, checks and execution. The bodies run as
// one block against a genesis with every kind of organisation.
//
// Input: repeated [signers: 1 byte, bit i = kSigners[i]] [length: 2 bytes,
// little-endian] [TxBody bytes]. Checked: nothing crashes; the block
// executes; a block of refused transactions writes nothing; executing the
// same block twice gives the same receipts and writes (determinism).
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "contracts/engine.h"
#include "contracts/genesis.h"
#include "ledger/tx.h"
#include "tests/fuzz/fuzz.h"
#include "tests/support/test_util.h"
#include "tools/common/workload.h"

namespace pledger::fuzz {

const char kTargetName[] = "action";

namespace {

constexpr const char* kChain = "fuzz";
constexpr size_t kTxsMax = 4;
constexpr std::uint64_t kTimeMs = 1'800'000'000'000;

struct AccountSpec {
  const char* name;  // also the organisation id
  contracts::OrgKind kind;
  std::vector<contracts::Role> roles;
  std::uint8_t key;
};

// As tests/unit/contracts/harness.cc, the parties an action can name.
const std::vector<AccountSpec>& Accounts() {
  static const std::vector<AccountSpec> kAccounts = {
      {"ipo-a", contracts::ORG_IP_OFFICE, {contracts::ROLE_IP_OFFICE}, 1},
      {"ipo-b", contracts::ORG_IP_OFFICE, {contracts::ROLE_IP_OFFICE}, 2},
      {"bank-a", contracts::ORG_BANK, {contracts::ROLE_BANK}, 10},
      {"bank-b", contracts::ORG_BANK, {contracts::ROLE_BANK}, 11},
      {"appr-1", contracts::ORG_APPRAISER, {contracts::ROLE_APPRAISER}, 20},
      {"sme-1", contracts::ORG_SME, {contracts::ROLE_OWNER}, 30},
      {"sme-2", contracts::ORG_SME, {contracts::ROLE_OWNER}, 31},
      {"trustee-1", contracts::ORG_TRUSTEE, {contracts::ROLE_TRUSTEE}, 50},
      {"inv-1", contracts::ORG_INVESTOR, {contracts::ROLE_INVESTOR}, 53},
      {"auditor-1", contracts::ORG_AUDITOR, {contracts::ROLE_AUDITOR}, 41},
  };
  return kAccounts;
}

// Bit i of a transaction's signer byte: Accounts()[i] signs.
constexpr size_t kSigners = 8;

class MapState final : public ledger::StateReader {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = data.find(key);
    if (it == data.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    for (auto it = data.lower_bound(prefix); it != data.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      if (!fn(it->first, it->second)) break;
    }
    return Status::OK();
  }
  std::map<std::string, std::string, std::less<>> data;
};

const MapState& Genesis() {
  static const MapState* state = [] {
    auto* s = new MapState();
    contracts::Genesis g;
    g.set_chain_id(kChain);
    *g.mutable_params() = contracts::DefaultParams();
    for (const AccountSpec& a : Accounts()) {
      auto* o = g.add_organisations();
      o->set_id(a.name);
      o->set_name(std::string("Org ") + a.name);
      o->set_kind(a.kind);
      o->set_address("1 Example Road, Hangzhou");
      auto* acc = g.add_accounts();
      acc->set_public_key_hex(ledger::HexEncode(test::TestKey(a.key).public_key()));
      acc->set_org_id(a.name);
      for (auto r : a.roles) acc->add_roles(r);
    }
    auto* v = g.add_validators();
    v->set_node_id("n1");
    v->set_public_key_hex(ledger::HexEncode(test::TestKey(99).public_key()));
    v->set_role(contracts::VALIDATOR_VOTER);
    v->set_org_id("ipo-a");
    auto ws = contracts::GenesisState(g);
    if (!ws.ok()) std::abort();
    for (const auto& [k, val] : *ws) {
      if (val) s->data[k] = *val;
    }
    return s;
  }();
  return *state;
}

const std::vector<ledger::SecretKey>& Keys() {
  static const auto* keys = [] {
    auto* k = new std::vector<ledger::SecretKey>();
    for (size_t i = 0; i < kSigners; ++i) k->push_back(test::TestKey(Accounts()[i].key));
    return k;
  }();
  return *keys;
}

// The body made admissible where it does not concern the contracts: this
// chain, an expiry in the window, a canonical encoding; then signed.
std::string Sign(ledger::TxBody body, std::uint8_t signers) {
  body.set_chain_id(kChain);
  body.set_expiry_height(1 + body.expiry_height() % 100);
  ledger::Transaction tx = ledger::MakeTransaction(body);
  for (size_t i = 0; i < kSigners; ++i) {
    if (signers & (1u << i)) ledger::SignTransaction(&tx, Keys()[i]);
  }
  return tx.SerializeAsString();
}

std::string Frame(std::uint8_t signers, const std::string& body) {
  std::string out;
  out.push_back(static_cast<char>(signers));
  const size_t n = std::min<size_t>(body.size(), 0xffff);
  out.push_back(static_cast<char>(n & 0xff));
  out.push_back(static_cast<char>(n >> 8));
  out.append(body, 0, n);
  return out;
}

std::uint8_t MaskOf(std::initializer_list<const char*> names) {
  std::uint8_t m = 0;
  for (const char* n : names) {
    for (size_t i = 0; i < kSigners; ++i) {
      if (std::string_view(Accounts()[i].name) == n) m |= static_cast<std::uint8_t>(1u << i);
    }
  }
  return m;
}

std::string BodyOf(const tools::WorkloadTx& tx) {
  ledger::Transaction t;
  if (!t.ParseFromString(tx.raw)) std::abort();
  return t.body();
}

}  // namespace

int FuzzOne(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> raws;
  size_t at = 0;
  while (raws.size() < kTxsMax && at + 3 <= size) {
    const std::uint8_t signers = data[at];
    const size_t n = std::min<size_t>(data[at + 1] | (static_cast<size_t>(data[at + 2]) << 8), size - at - 3);
    ledger::TxBody body;
    if (!body.ParseFromArray(data + at + 3, static_cast<int>(n))) {
      // Not a body: still give the contracts something, an empty action.
      body.Clear();
    }
    raws.push_back(Sign(std::move(body), signers));
    at += 3 + n;
  }
  if (raws.empty()) return 0;
  std::vector<contracts::PreparedTx> prepared;
  prepared.reserve(raws.size());
  for (const auto& raw : raws) prepared.push_back(contracts::PrepareTx(raw));
  std::vector<const contracts::PreparedTx*> ptrs;
  for (const auto& p : prepared) ptrs.push_back(&p);
  const MapState& state = Genesis();
  for (const auto* p : ptrs) (void)contracts::CheckAdmission(state, *p, 1);
  contracts::Engine engine;
  const contracts::BlockContext ctx{kChain, 1, kTimeMs};
  contracts::BlockOutcome out = engine.ExecuteBlock(state, ctx, ptrs);
  if (!out.status.ok()) return 0;  // a block-level failure is reported, not a crash
  if (out.txs.size() != ptrs.size()) std::abort();
  bool any_ok = false;
  for (const auto& t : out.txs) any_ok = any_ok || t.receipt.code() == "OK";
  if (!any_ok && !out.writes.empty()) std::abort();  // refusals write nothing
  // Deterministic: the same block gives the same receipts and writes.
  contracts::Engine again;
  contracts::BlockOutcome out2 = again.ExecuteBlock(state, ctx, ptrs);
  if (out2.txs.size() != out.txs.size() || out2.writes != out.writes) std::abort();
  for (size_t i = 0; i < out.txs.size(); ++i) {
    if (out.txs[i].receipt.SerializeAsString() != out2.txs[i].receipt.SerializeAsString()) std::abort();
  }
  return 0;
}

std::vector<std::string> SeedInputs() {
  std::vector<std::string> out;
  // A valid flow: a patent registered, valued and pledged in one block.
  tools::WorkloadParties parties;
  parties.chain_id = kChain;
  parties.ip_office = std::make_shared<const ledger::SecretKey>(test::TestKey(1));
  parties.bank = std::make_shared<const ledger::SecretKey>(test::TestKey(10));
  parties.owner = std::make_shared<const ledger::SecretKey>(test::TestKey(30));
  parties.appraiser = std::make_shared<const ledger::SecretKey>(test::TestKey(20));
  parties.bank_org = "bank-a";
  parties.owner_org = "sme-1";
  tools::Workload w(parties, 17, 0);
  tools::WorkloadTx reg = w.PatentRegister(50);
  tools::WorkloadTx val = w.Valuation(reg.patent_no, 50);
  tools::WorkloadTx pledge = w.Pledge(reg.patent_no, val.object_id, 50);
  const std::string r = Frame(MaskOf({"ipo-a"}), BodyOf(reg));
  const std::string v = Frame(MaskOf({"appr-1"}), BodyOf(val));
  const std::string p = Frame(MaskOf({"bank-a", "sme-1", "ipo-a"}), BodyOf(pledge));
  out.push_back(r);
  out.push_back(r + v);
  out.push_back(r + v + p);
  // Every action the contracts know, empty, signed by an IP office, a bank
  // and an owner: a seed that reaches each action's decoding and checks.
  const auto* oneof = contracts::Action::descriptor()->FindOneofByName("kind");
  const auto* action_fields = contracts::Action::descriptor();
  for (int i = 0; i < action_fields->field_count(); ++i) {
    const auto* f = action_fields->field(i);
    if (f->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) continue;
    if (oneof != nullptr && f->containing_oneof() != oneof) continue;
    ledger::TxBody b;
    b.set_nonce(static_cast<std::uint64_t>(i) + 1);
    b.set_expiry_height(50);
    b.mutable_action()->GetReflection()->MutableMessage(b.mutable_action(), f);
    out.push_back(r + Frame(MaskOf({"ipo-a", "bank-a", "sme-1"}), b.SerializeAsString()));
  }
  return out;
}

}  // namespace pledger::fuzz
