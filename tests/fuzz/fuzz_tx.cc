// Fuzz target: a transaction from the network (the node's admission path and
// the contracts' decoding): envelope, body, signatures, then execution of the
// decoded action against a small genesis state. Nothing may crash, and a
// refused transaction writes nothing.
#include <cstdlib>

#include "contracts/engine.h"
#include "contracts/genesis.h"
#include "ledger/tx.h"
#include "tests/fuzz/fuzz.h"
#include "tests/support/test_util.h"

namespace pledger::fuzz {

const char kTargetName[] = "tx";

namespace {

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
    g.set_chain_id("fuzz");
    *g.mutable_params() = contracts::DefaultParams();
    auto* o = g.add_organisations();
    o->set_id("ipo");
    o->set_name("IPO");
    o->set_kind(contracts::ORG_IP_OFFICE);
    o->set_address("Hangzhou");
    auto* a = g.add_accounts();
    a->set_public_key_hex(ledger::HexEncode(test::TestKey(1).public_key()));
    a->set_org_id("ipo");
    a->add_roles(contracts::ROLE_IP_OFFICE);
    auto* v = g.add_validators();
    v->set_node_id("n1");
    v->set_public_key_hex(ledger::HexEncode(test::TestKey(2).public_key()));
    v->set_role(contracts::VALIDATOR_VOTER);
    v->set_org_id("ipo");
    auto ws = contracts::GenesisState(g);
    if (!ws.ok()) std::abort();
    for (const auto& [k, val] : *ws) {
      if (val) s->data[k] = *val;
    }
    return s;
  }();
  return *state;
}

}  // namespace

int FuzzOne(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  (void)ledger::DecodeTxBody(raw);
  contracts::PreparedTx p = contracts::PrepareTx(raw);
  const MapState& state = Genesis();
  (void)contracts::CheckAdmission(state, p, 1);
  contracts::Engine engine;
  contracts::BlockOutcome out = engine.ExecuteBlock(state, {"fuzz", 1, 1800000000000}, {&p, 1});
  if (out.txs.size() != 1) std::abort();
  if (out.txs[0].receipt.code() != "OK") {
    // A refusal writes nothing.
    if (!out.writes.empty()) std::abort();
  }
  return 0;
}

std::vector<std::string> SeedInputs() {
  std::vector<std::string> out;
  auto key = test::TestKey(1);
  ledger::TxBody b;
  b.set_chain_id("fuzz");
  b.set_nonce(1);
  b.set_expiry_height(10);
  auto* r = b.mutable_action()->mutable_patent_register();
  r->set_patent_no("ZL201410362077.3");
  r->set_type(contracts::PATENT_INVENTION);
  r->set_title("t");
  r->set_main_ipc("G01L 25/00");
  r->set_filing_date(16279);
  r->set_grant_date(16862);
  auto* o = r->add_owners();
  o->set_org_id("ipo");
  o->set_share_bps(10000);
  ledger::Transaction tx = ledger::MakeTransaction(b);
  ledger::SignTransaction(&tx, key);
  out.push_back(tx.SerializeAsString());
  b.mutable_action()->mutable_pledge_register()->set_pledgee_org_id("ipo");
  tx = ledger::MakeTransaction(b);
  ledger::SignTransaction(&tx, key);
  out.push_back(tx.SerializeAsString());
  return out;
}

}  // namespace pledger::fuzz
