// pledger-apply-bench: the cost of applying one block on a node, piece by
// piece: decoding + signature checks (PrepareTx), contract execution, history
// staging, and the ledger commit (state commitment + one LevelDB batch). A
// program that prints figures, not a test (docs/performance.md).
//
//   pledger-apply-bench [--blocks N] [--txs-per-block N] [--sync]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "contracts/engine.h"
#include "contracts/genesis.h"
#include "ledger/block.h"
#include "ledger/ledger.h"
#include "ledger/tx.h"
#include "contracts/history.h"
#include "tests/support/test_util.h"
#include "tools/common/workload.h"

namespace pledger {
namespace {

using Clock = std::chrono::steady_clock;
double Us(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

int Main(int argc, char** argv) {
  int blocks = 50, per_block = 500;
  bool sync = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--blocks") && i + 1 < argc) blocks = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--txs-per-block") && i + 1 < argc) per_block = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--sync")) sync = true;
  }
  auto key = [](const char* n) {
    return std::make_shared<const ledger::SecretKey>(
        std::move(ledger::SecretKey::FromSeed(ledger::ToString(ledger::Sha256(std::string("apply-bench/") + n)))).value());
  };
  tools::WorkloadParties p;
  p.chain_id = "apply-bench";
  p.ip_office = key("ipo");
  p.bank = key("bank");
  p.owner = key("owner");
  p.appraiser = key("appraiser");
  p.bank_org = "bank";
  p.owner_org = "sme";
  contracts::Genesis g;
  g.set_chain_id(p.chain_id);
  *g.mutable_params() = contracts::DefaultParams();
  auto org = [&](const char* id, contracts::OrgKind kind) {
    auto* o = g.add_organisations();
    o->set_id(id);
    o->set_name(id);
    o->set_kind(kind);
    o->set_address("Hangzhou");
  };
  org("ipo", contracts::ORG_IP_OFFICE);
  org("bank", contracts::ORG_BANK);
  org("appraiser", contracts::ORG_APPRAISER);
  org("sme", contracts::ORG_SME);
  auto acct = [&](const ledger::SecretKey& k, const char* o, contracts::Role r) {
    auto* a = g.add_accounts();
    a->set_public_key_hex(ledger::HexEncode(k.public_key()));
    a->set_org_id(o);
    a->add_roles(r);
  };
  acct(*p.ip_office, "ipo", contracts::ROLE_IP_OFFICE);
  acct(*p.bank, "bank", contracts::ROLE_BANK);
  acct(*p.owner, "sme", contracts::ROLE_OWNER);
  acct(*p.appraiser, "appraiser", contracts::ROLE_APPRAISER);
  auto* v = g.add_validators();
  v->set_node_id("n1");
  v->set_public_key_hex(ledger::HexEncode(p.ip_office->public_key()));
  v->set_role(contracts::VALIDATOR_VOTER);
  v->set_org_id("ipo");
  std::string genesis = contracts::GenesisToJson(g);
  auto state = contracts::GenesisState(g);
  if (!state.ok()) {
    std::printf("genesis: %s\n", state.status().ToString().c_str());
    return 1;
  }
  test::TempDir dir;
  auto ledger = std::move(ledger::Ledger::Open(dir.Sub("db"))).value();
  if (!ledger->Initialize(p.chain_id, genesis, *state).ok()) return 1;

  // A workload numbers at most 20,000 patents per client; long runs move on
  // to the next client's numbers.
  std::vector<std::unique_ptr<tools::Workload>> clients;
  auto next_patent = [&](std::uint64_t expiry, std::uint64_t k) {
    const size_t c = static_cast<size_t>(k / 19000);
    while (clients.size() <= c) {
      clients.push_back(std::make_unique<tools::Workload>(p, 1, static_cast<std::uint32_t>(clients.size() + 1)));
    }
    return clients[c]->PatentRegister(expiry).raw;
  };
  // Per-window figures show how the cost moves as the database grows.
  const int window = blocks >= 2000 ? 1000 : blocks;
  double w_apply = 0;
  contracts::Engine engine;
  double t_prepare = 0, t_exec = 0, t_hist = 0, t_commit = 0, t_stage = 0, t_blocks = 0, t_write = 0;
  std::uint64_t txs = 0;
  std::uint64_t time_ms = 1800000000000;
  for (int b = 0; b < blocks; ++b) {
    ledger::Tip tip = ledger->blocks().tip();
    ledger::BlockDraft d;
    d.chain_id = p.chain_id;
    d.height = tip.height + 1;
    d.prev_hash = tip.block_hash;
    d.prev_state_root = tip.state_root;
    d.prev_results_root = tip.results_root;
    d.time_ms = ++time_ms;
    for (int i = 0; i < per_block; ++i) {
      d.txs.push_back(next_patent(d.height + 1000, txs + static_cast<std::uint64_t>(i)));
    }
    ledger::Block block = ledger::SealBlock(d);
    auto header = ledger::DecodeBlockHeader(block);
    auto t0 = Clock::now();
    std::vector<contracts::PreparedTx> prepared;
    for (const auto& raw : block.txs()) prepared.push_back(contracts::PrepareTx(raw));
    auto t1 = Clock::now();
    contracts::BlockOutcome out =
        engine.ExecuteBlock(ledger->state(), {p.chain_id, d.height, d.time_ms}, prepared);
    auto t2 = Clock::now();
    leveldb::WriteBatch extra;
    if (Status s = contracts::StageHistoryRecords(*header, prepared, out, ledger->state(), &extra); !s.ok()) {
      std::cerr << "apply_bench: " << s.ToString() << "\n";
      return 1;
    }
    auto t3 = Clock::now();
    // CommitBlock, in its parts, to see where the time goes.
    auto h = ledger->blocks().CheckAppend(block);
    leveldb::WriteBatch batch;
    auto staged = ledger->state().Stage(out.writes, &batch);
    auto t3b = Clock::now();
    std::vector<ledger::Hash256> ids;
    for (const auto& pt : prepared) ids.push_back(pt.id);
    auto tip2 = ledger->blocks().StageAppend(block, *h, out.receipts, staged->root, &batch, &ids);
    batch.Append(extra);
    auto t3c = Clock::now();
    Status s = ledger->db().Write(&batch, sync);
    ledger->state().Publish(*staged);
    ledger->blocks().PublishTip(*tip2);
    auto t4 = Clock::now();
    t_stage += Us(t3, t3b);
    t_blocks += Us(t3b, t3c);
    t_write += Us(t3c, t4);
    if (!s.ok() || !out.status.ok()) {
      std::printf("block %d: %s %s\n", b, s.ToString().c_str(), out.status.ToString().c_str());
      return 1;
    }
    for (const auto& t : out.txs) {
      if (t.receipt.code() != "OK") {
        std::printf("tx refused: %s %s\n", t.receipt.code().c_str(), t.receipt.message().c_str());
        return 1;
      }
    }
    t_prepare += Us(t0, t1);
    t_exec += Us(t1, t2);
    t_hist += Us(t2, t3);
    t_commit += Us(t3, t4);
    txs += static_cast<std::uint64_t>(per_block);
    w_apply += Us(t1, t4);
    if ((b + 1) % window == 0 && window != blocks) {
      std::printf("  blocks %6d-%-6d apply without verification %6.1f us/tx\n", b + 2 - window, b + 1,
                  w_apply / (window * per_block));
      w_apply = 0;
    }
  }
  double n = static_cast<double>(txs);
  std::printf("%d blocks x %d patent registrations, commit sync %s\n", blocks, per_block, sync ? "on" : "off");
  std::printf("  decode + verify (PrepareTx)   %8.1f us/tx\n", t_prepare / n);
  std::printf("  execute (contracts)           %8.1f us/tx\n", t_exec / n);
  std::printf("  stage history indexes         %8.1f us/tx\n", t_hist / n);
  std::printf("  commit (state root + batch)   %8.1f us/tx\n", t_commit / n);
  std::printf("    state commitment (Stage)     %8.1f us/tx\n", t_stage / n);
  std::printf("    block records (StageAppend)%8.1f us/tx\n", t_blocks / n);
  std::printf("    LevelDB write              %8.1f us/tx\n", t_write / n);
  std::printf("  apply without verification    %8.1f us/tx  (%.0f tx/s on one core)\n",
              (t_exec + t_hist + t_commit) / n, 1e6 * n / (t_exec + t_hist + t_commit));
  return 0;
}

}  // namespace
}  // namespace pledger

int main(int argc, char** argv) { return pledger::Main(argc, argv); }
