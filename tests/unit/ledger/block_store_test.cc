#include <catch2/catch.hpp>

#include <filesystem>

#include "ledger/block.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/tx.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

const char* kChain = "pledger-test";

std::string SampleTx(std::uint64_t nonce) {
  TxBody body;
  body.set_chain_id(kChain);
  body.set_nonce(nonce);
  body.set_expiry_height(100);
  body.mutable_action()->mutable_noop();
  Transaction tx = MakeTransaction(body);
  SignTransaction(&tx, test::TestKey(1));
  return tx.SerializeAsString();
}

std::vector<std::string> Receipts(const Block& block) {
  std::vector<std::string> out;
  for (const auto& raw : block.txs()) {
    Transaction tx;
    tx.ParseFromString(raw);
    Receipt r;
    Hash256 id = TxId(tx);
    r.set_tx_id(std::string(AsStringView(id)));
    r.set_code("OK");
    out.push_back(SerializeCanonical(r));
  }
  return out;
}

// A ledger with `n` blocks of 3 transactions each (no state writes).
struct Chain {
  test::TempDir dir;
  std::unique_ptr<Ledger> ledger;
  std::vector<Block> blocks;

  explicit Chain(int n) {
    auto l = Ledger::Open(dir.Sub("db"));
    REQUIRE(l.ok());
    ledger = std::move(*l);
    REQUIRE(ledger->Initialize(kChain, "genesis-bytes", {{"genesis/param", "1"}}).ok());
    for (int i = 0; i < n; ++i) AppendNext(3);
  }

  Block Next(int txs) {
    Tip tip = ledger->blocks().tip();
    BlockDraft d;
    d.chain_id = kChain;
    d.height = tip.height + 1;
    d.prev_hash = tip.block_hash;
    d.prev_state_root = tip.state_root;
    d.prev_results_root = tip.results_root;
    d.time_ms = 1700000000000 + d.height;
    d.proposer_id = "node-1";
    d.raft_term = 1;
    d.raft_index = d.height + 1;
    for (int t = 0; t < txs; ++t) d.txs.push_back(SampleTx(d.height * 100 + t));
    return SealBlock(d);
  }

  void AppendNext(int txs) {
    Block b = Next(txs);
    WriteSet ws{{"height", std::to_string(blocks.size() + 1)}};
    REQUIRE(ledger->CommitBlock(b, Receipts(b), ws, /*sync=*/false).ok());
    blocks.push_back(b);
  }
};

// Catch-up (node/catchup.cc) executes a fetched block and passes the results
// the peer recorded: a block whose execution here gives other roots is not
// written at all.
TEST_CASE("ledger: a block whose execution differs from the expected results is not written",
          "[blockstore]") {
  Chain peer(2), here(2);
  REQUIRE(AsStringView(peer.ledger->blocks().tip().block_hash) == AsStringView(here.ledger->blocks().tip().block_hash));
  Block b = peer.Next(3);
  const WriteSet ws{{"height", "3"}};
  REQUIRE(peer.ledger->CommitBlock(b, Receipts(b), ws, /*sync=*/false).ok());
  auto recorded = peer.ledger->blocks().GetResults(3);
  REQUIRE(recorded.ok());

  const WriteSet other{{"height", "three"}};  // another state: another state root
  Status s = here.ledger->CommitBlock(b, Receipts(b), other, /*sync=*/false, nullptr, nullptr, &*recorded);
  CHECK(s.reason() == "BLOCK_RESULTS_DIVERGE");
  CHECK(here.ledger->blocks().tip().height == 2);
  CHECK(here.ledger->blocks().GetBlock(3).status().reason() == "BLOCK_NOT_FOUND");
  auto height = here.ledger->state().Get("height");
  REQUIRE(height.ok());
  REQUIRE(height->has_value());
  CHECK(**height == "2");  // the state of block 2, untouched

  std::vector<std::string> receipts = Receipts(b);
  receipts[0] += "x";  // another results root
  CHECK(here.ledger->CommitBlock(b, receipts, ws, false, nullptr, nullptr, &*recorded).reason() ==
        "BLOCK_RESULTS_DIVERGE");

  REQUIRE(here.ledger->CommitBlock(b, Receipts(b), ws, false, nullptr, nullptr, &*recorded).ok());
  CHECK(AsStringView(here.ledger->blocks().tip().state_root) == recorded->state_root());
}

TEST_CASE("block store: append, then read by height, hash and tx id", "[blockstore]") {
  Chain c(5);
  const auto& bs = c.ledger->blocks();
  CHECK(bs.tip().height == 5);
  for (std::uint64_t h = 1; h <= 5; ++h) {
    auto b = bs.GetBlock(h);
    REQUIRE(b.ok());
    CHECK(b->SerializeAsString() == c.blocks[h - 1].SerializeAsString());
    CHECK(*bs.HeightOfHash(BlockHash(*b)) == h);
    auto r = bs.GetResults(h);
    REQUIRE(r.ok());
    CHECK(r->receipts_size() == 3);
    for (int i = 0; i < b->txs_size(); ++i) {
      Transaction tx;
      REQUIRE(tx.ParseFromString(b->txs(i)));
      auto loc = bs.LocateTx(TxId(tx));
      REQUIRE(loc.ok());
      CHECK(loc->height() == h);
      CHECK(loc->index() == static_cast<std::uint32_t>(i));
    }
  }
  std::vector<std::uint64_t> seen;
  REQUIRE(bs.ForEachBlock(2, 4, [&](std::uint64_t h, const Block&) {
                seen.push_back(h);
                return true;
              }).ok());
  CHECK(seen == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(bs.GetBlock(6).status().reason() == "BLOCK_NOT_FOUND");
  CHECK(bs.LocateTx(Sha256(std::string_view("nope"))).status().reason() == "TX_NOT_FOUND");
  auto report = bs.VerifyChain(1, 100);
  REQUIRE(report.ok());
  CHECK(report->ok);
  CHECK(report->checked == 5);
}

TEST_CASE("block store: a reopened ledger resumes at the same tip and state root", "[blockstore]") {
  test::TempDir dir;
  Tip tip;
  Hash256 root;
  std::vector<Block> blocks;
  {
    Chain c(4);
    tip = c.ledger->blocks().tip();
    root = c.ledger->state().root();
    blocks = c.blocks;
    c.ledger.reset();
    std::filesystem::rename(c.dir.Sub("db"), dir.Sub("db"));
  }
  auto l = Ledger::Open(dir.Sub("db"));
  REQUIRE(l.ok());
  REQUIRE((*l)->Load().ok());
  CHECK((*l)->blocks().tip().height == 4);
  CHECK((*l)->blocks().tip().block_hash == tip.block_hash);
  CHECK((*l)->state().root() == root);
  CHECK(*(*l)->state().Get("height") == std::optional<std::string>("4"));
  // The tx index's in-memory front is rebuilt from disk: every earlier
  // transaction is still found (a miss here would let a replay run again).
  for (size_t h = 0; h < blocks.size(); ++h) {
    for (int i = 0; i < blocks[h].txs_size(); ++i) {
      auto loc = (*l)->blocks().LocateTx(TxIdOfBytes(blocks[h].txs(i)));
      REQUIRE(loc.ok());
      CHECK(loc->height() == h + 1);
      CHECK(loc->index() == static_cast<std::uint32_t>(i));
    }
  }
  CHECK((*l)->blocks().LocateTx(Sha256(std::string_view("nope"))).status().reason() == "TX_NOT_FOUND");
}

TEST_CASE("block store: blocks that do not extend the tip are refused, nothing written",
          "[blockstore]") {
  Chain c(2);
  auto& bs = c.ledger->blocks();
  Block next = c.Next(1);

  SECTION("wrong height") {
    BlockHeader h = *DecodeBlockHeader(next);
    h.set_height(7);
    Block b = next;
    b.set_header(SerializeCanonical(h));
    CHECK(bs.Append(b, Receipts(b), {}, false).reason() == "BLOCK_HEIGHT_MISMATCH");
  }
  SECTION("wrong parent") {
    BlockHeader h = *DecodeBlockHeader(next);
    h.set_prev_hash(std::string(32, 'x'));
    Block b = next;
    b.set_header(SerializeCanonical(h));
    CHECK(bs.Append(b, Receipts(b), {}, false).reason() == "BLOCK_PREV_HASH_MISMATCH");
  }
  SECTION("a transaction swapped after sealing") {
    Block b = next;
    b.set_txs(0, SampleTx(999999));
    CHECK(bs.Append(b, Receipts(b), {}, false).reason() == "BLOCK_TX_ROOT_MISMATCH");
  }
  SECTION("another chain") {
    BlockHeader h = *DecodeBlockHeader(next);
    h.set_chain_id("other");
    Block b = next;
    b.set_header(SerializeCanonical(h));
    CHECK(bs.Append(b, Receipts(b), {}, false).reason() == "BLOCK_WRONG_CHAIN");
  }
  SECTION("a garbage header") {
    Block b = next;
    b.set_header("\xff\xff garbage");
    CHECK(bs.Append(b, Receipts(b), {}, false).reason() == "BLOCK_HEADER_MALFORMED");
  }
  CHECK(bs.tip().height == 2);
  CHECK(bs.GetBlock(3).status().reason() == "BLOCK_NOT_FOUND");
  CHECK(bs.VerifyChain(1, 10)->ok);
}

TEST_CASE("block store: flipping one stored byte is found and the height named", "[blockstore]") {
  Chain c(6);
  auto& db = c.ledger->db();
  auto raw = db.Get(keys::Block(4));
  REQUIRE(raw.ok());
  REQUIRE(raw->has_value());
  std::string bytes = **raw;
  // Flip one byte in every position class: header, first tx, last byte.
  for (size_t pos : {size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    INFO("flipped byte " << pos);
    std::string bad = bytes;
    bad[pos] ^= 0x01;
    REQUIRE(db.Put(keys::Block(4), bad, false).ok());
    auto report = c.ledger->blocks().VerifyChain(1, 100);
    REQUIRE(report.ok());
    CHECK_FALSE(report->ok);
    CHECK(report->first_bad_height == 4);
    CHECK_FALSE(report->reason.empty());
  }
  REQUIRE(db.Put(keys::Block(4), bytes, false).ok());
  CHECK(c.ledger->blocks().VerifyChain(1, 100)->ok);
}

TEST_CASE("block store: tampered results are found", "[blockstore]") {
  Chain c(3);
  auto& db = c.ledger->db();
  auto results = c.ledger->blocks().GetResults(2);
  REQUIRE(results.ok());
  BlockResults r = *results;
  Receipt rc;
  rc.set_code("FORGED");
  r.set_receipts(1, SerializeCanonical(rc));
  REQUIRE(db.Put(keys::Results(2), SerializeCanonical(r), false).ok());
  auto report = c.ledger->blocks().VerifyChain(1, 100);
  REQUIRE(report.ok());
  CHECK(report->first_bad_height == 2);
  CHECK(report->reason == "RESULTS_ROOT_MISMATCH");
}

TEST_CASE("block store: a header may name the state of an earlier block, within the lag",
          "[blockstore]") {
  Chain c(3);
  auto& bs = c.ledger->blocks();
  auto draft_at = [&](std::uint64_t base) {
    Tip tip = bs.tip();
    BlockDraft d;
    d.chain_id = kChain;
    d.height = tip.height + 1;
    d.prev_hash = tip.block_hash;
    d.time_ms = 1700000000000 + d.height;
    d.txs.push_back(SampleTx(d.height * 100));
    d.state_root_height = base;
    auto roots = bs.RootsAt(d.height, base);
    if (roots.ok()) {
      d.prev_state_root = roots->state_root;
      d.prev_results_root = roots->results_root;
    }
    return d;
  };
  // Pipelining leaders name the state of block height - 2.
  BlockDraft lag2 = draft_at(bs.tip().height - 1);
  Block b = SealBlock(lag2);
  REQUIRE(bs.Append(b, Receipts(b), {}, false).ok());
  CHECK(DecodeBlockHeader(b)->state_root_height() == bs.tip().height - 2);

  // Beyond kMaxStateRootLag, or the block itself, is refused.
  std::uint64_t h = bs.tip().height + 1;
  BlockDraft far = draft_at(0);
  far.state_root_height = h - kMaxStateRootLag - 1;
  Block bf = SealBlock(far);
  CHECK(bs.Append(bf, Receipts(bf), {}, false).reason() == "BLOCK_STATE_ROOT_HEIGHT_INVALID");
  BlockDraft self = draft_at(0);
  self.state_root_height = h;
  Block bs_self = SealBlock(self);
  CHECK(bs.Append(bs_self, Receipts(bs_self), {}, false).reason() == "BLOCK_STATE_ROOT_HEIGHT_INVALID");

  // Roots of another block than the one named are refused.
  BlockDraft wrong = draft_at(h - 2);
  wrong.prev_state_root = bs.tip().state_root;  // the roots of h - 1, named as h - 2
  wrong.state_root_height = h - 2;
  Block bw = SealBlock(wrong);
  Status st = bs.Append(bw, Receipts(bw), {}, false);
  CHECK((st.reason() == "BLOCK_PREV_STATE_ROOT_MISMATCH" || st.reason() == "BLOCK_PREV_RESULTS_ROOT_MISMATCH"));

  // The tip's roots are answered from memory: they equal its stored results,
  // and a block naming the tip with an older block's roots is refused.
  auto fast = bs.RootsAt(h, h - 1);
  auto stored = bs.GetResults(h - 1);
  REQUIRE(fast.ok());
  REQUIRE(stored.ok());
  CHECK(std::string(AsStringView(fast->state_root)) == stored->state_root());
  CHECK(std::string(AsStringView(fast->results_root)) == stored->results_root());
  BlockDraft stale = draft_at(h - 1);
  auto older = bs.RootsAt(h, h - 2);
  REQUIRE(older.ok());
  stale.prev_results_root = older->results_root;  // a results root is new with every block
  Block bst = SealBlock(stale);
  CHECK(bs.Append(bst, Receipts(bst), {}, false).reason() == "BLOCK_PREV_RESULTS_ROOT_MISMATCH");
  CHECK(bs.VerifyChain(1, 100)->ok);
}

TEST_CASE("block store: the roots a header may name come from memory, equal to the stored ones",
          "[blockstore]") {
  test::TempDir dir;
  std::vector<BlockResults> stored;
  const std::uint64_t h = 7;  // the next block's height
  {
    Chain c(6);
    auto& bs = c.ledger->blocks();
    for (std::uint64_t b = 1; b < h; ++b) stored.push_back(*bs.GetResults(b));
    // Every block changes the state ("height"), so each base has its own roots.
    CHECK(stored[h - 2].state_root() != stored[h - 3].state_root());
    // Damage the stored results of every block a header may name: the answers
    // must still be right, so they cannot have come from disk.
    for (std::uint64_t base = h - kMaxStateRootLag; base < h; ++base) {
      REQUIRE(c.ledger->db().Put(keys::Results(base), "damaged", false).ok());
    }
    for (std::uint64_t base = h - kMaxStateRootLag; base < h; ++base) {
      auto roots = bs.RootsAt(h, base);
      REQUIRE(roots.ok());
      CHECK(std::string(AsStringView(roots->state_root)) == stored[base - 1].state_root());
      CHECK(std::string(AsStringView(roots->results_root)) == stored[base - 1].results_root());
    }
    c.ledger.reset();
    std::filesystem::rename(c.dir.Sub("db"), dir.Sub("db"));
  }
  // Reopened, only the tip is in memory: the older bases are read (and their
  // damage found) rather than answered from a stale memory.
  auto l = Ledger::Open(dir.Sub("db"));
  REQUIRE(l.ok());
  REQUIRE((*l)->Load().ok());
  auto tip_roots = (*l)->blocks().RootsAt(h, h - 1);
  REQUIRE(tip_roots.ok());
  CHECK(std::string(AsStringView(tip_roots->state_root)) == stored[h - 2].state_root());
  CHECK_FALSE((*l)->blocks().RootsAt(h, h - 2).ok());
}

TEST_CASE("block store: a second initialisation is refused", "[blockstore]") {
  Chain c(1);
  CHECK(c.ledger->Initialize(kChain, "other genesis", {}).reason() == "CHAIN_ALREADY_INITIALISED");
}

}  // namespace
}  // namespace pledger::ledger
