// BlockTxs: how the applier gets a committed block's transactions ready. The
// branch for a transaction an earlier block already holds runs only when a
// leader is faulty, so it is driven here directly.
#include <catch2/catch.hpp>

#include <memory>

#include "contracts/engine.h"
#include "ledger/block.h"
#include "ledger/ledger.h"
#include "ledger/tx.h"
#include "node/block_txs.h"
#include "node/mempool.h"
#include "ledger/io/work_pool.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

const char* kChain = "pledger-test";

std::string SignedNoop(std::uint64_t nonce) {
  ledger::TxBody body;
  body.set_chain_id(kChain);
  body.set_nonce(nonce);
  body.set_expiry_height(100);
  body.mutable_action()->mutable_noop();
  ledger::Transaction tx = ledger::MakeTransaction(body);
  ledger::SignTransaction(&tx, test::TestKey(1));
  return tx.SerializeAsString();
}

ledger::Block BlockOf(const ledger::Tip& tip, const std::vector<std::string>& txs) {
  ledger::BlockDraft d;
  d.chain_id = kChain;
  d.height = tip.height + 1;
  d.prev_hash = tip.block_hash;
  d.prev_state_root = tip.state_root;
  d.prev_results_root = tip.results_root;
  d.state_root_height = tip.height;
  d.time_ms = 1700000000000 + d.height;
  d.proposer_id = "node-1";
  d.raft_term = 1;
  d.raft_index = d.height + 1;
  d.txs = txs;
  return ledger::SealBlock(d);
}

PreparedTxPtr Admitted(const std::string& raw) {
  return std::make_shared<const contracts::PreparedTx>(contracts::PrepareTx(raw));
}

TEST_CASE("block txs: mempool copies reused in place, others verified, chain replays refused on a copy",
          "[node][apply]") {
  test::TempDir dir;
  auto l = ledger::Ledger::Open(dir.Sub("db"));
  REQUIRE(l.ok());
  std::unique_ptr<ledger::Ledger> ledger = std::move(*l);
  REQUIRE(ledger->Initialize(kChain, "genesis-bytes", {{"genesis/param", "1"}}).ok());

  // Block 1 commits `old`.
  const std::string old = SignedNoop(1);
  ledger::Block b1 = BlockOf(ledger->blocks().tip(), {old});
  ledger::Receipt r;
  r.set_tx_id(std::string(ledger::AsStringView(ledger::TxIdOfBytes(old))));
  r.set_code("OK");
  REQUIRE(ledger->CommitBlock(b1, {ledger::SerializeCanonical(r)}, {}, false).ok());

  // This node admitted `pending` and (again, say a client resubmitted it)
  // `old`; `fresh` it never saw; `forged` carries a signature over other bytes.
  const std::string pending = SignedNoop(2);
  const std::string fresh = SignedNoop(3);
  ledger::Transaction forged_tx;
  REQUIRE(forged_tx.ParseFromString(SignedNoop(4)));
  forged_tx.mutable_signatures(0)->set_signature(std::string(ledger::kSignatureSize, '\x01'));
  const std::string forged = forged_tx.SerializeAsString();

  Mempool mempool(100, 1 << 20);
  PreparedTxPtr in_pool = Admitted(pending);
  PreparedTxPtr old_in_pool = Admitted(old);
  REQUIRE(mempool.Add(in_pool, 100).ok());
  REQUIRE(mempool.Add(old_in_pool, 100).ok());
  io::WorkPool pool(2, 16);

  ledger::Block b2 = BlockOf(ledger->blocks().tip(), {pending, fresh, old, forged});
  BlockTxs prepared = BlockTxs::Prepare(b2, mempool, pool, ledger->blocks());
  auto txs = prepared.txs();
  REQUIRE(txs.size() == 4);
  CHECK(prepared.reused() == 2);
  CHECK(prepared.verified() == 2);
  CHECK(prepared.replays() == 1);

  // The admitted transaction is executed in place: no second verification.
  CHECK(txs[0] == in_pool.get());
  CHECK(txs[0]->status.ok());
  // The one this node never saw was verified here.
  CHECK(txs[1]->status.ok());
  CHECK(txs[1]->id == ledger::TxIdOfBytes(fresh));
  CHECK(txs[1]->raw == fresh);
  // The replay is refused, on a copy: the mempool's shared entry is untouched.
  CHECK(txs[2]->status.reason() == "TX_REPLAYED");
  CHECK(txs[2]->id == old_in_pool->id);
  CHECK(txs[2] != old_in_pool.get());
  CHECK(old_in_pool->status.ok());
  CHECK(mempool.Find(old_in_pool->id, old)->status.ok());
  // A bad signature is a refusal, never an execution.
  CHECK(txs[3]->status.reason() == "SIGNATURE_INVALID");

  // The pointers outlive a move of their owner.
  const contracts::PreparedTx* before = txs[1];
  BlockTxs moved = std::move(prepared);
  CHECK(moved.txs()[1] == before);
  CHECK(moved.txs()[1]->raw == fresh);
}

TEST_CASE("block txs: bytes that differ from the mempool's copy are verified, not reused", "[node][apply]") {
  test::TempDir dir;
  auto l = ledger::Ledger::Open(dir.Sub("db"));
  REQUIRE(l.ok());
  REQUIRE((*l)->Initialize(kChain, "genesis-bytes", {}).ok());

  // Same body (so the same id), a different signature byte: the block's bytes
  // are not what this node verified, so they get their own check and fail it.
  const std::string good = SignedNoop(7);
  ledger::Transaction t;
  REQUIRE(t.ParseFromString(good));
  std::string sig = t.signatures(0).signature();
  sig[0] = static_cast<char>(sig[0] ^ 1);
  t.mutable_signatures(0)->set_signature(sig);
  const std::string altered = t.SerializeAsString();

  Mempool mempool(100, 1 << 20);
  PreparedTxPtr in_pool = Admitted(good);
  REQUIRE(mempool.Add(in_pool, 100).ok());
  io::WorkPool pool(1, 16);
  ledger::Block b = BlockOf((*l)->blocks().tip(), {altered});
  BlockTxs prepared = BlockTxs::Prepare(b, mempool, pool, (*l)->blocks());
  REQUIRE(prepared.txs().size() == 1);
  CHECK(prepared.reused() == 0);
  CHECK(prepared.verified() == 1);
  CHECK(prepared.txs()[0] != in_pool.get());
  CHECK(prepared.txs()[0]->status.reason() == "SIGNATURE_INVALID");
}

}  // namespace
}  // namespace pledger::node
