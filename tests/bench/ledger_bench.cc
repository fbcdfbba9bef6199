// pledger-ledger-bench: per-operation costs of the ledger core. A program that
// prints figures, not a test: machines here are noisy, so quote ratios, and
// see docs/performance.md for recorded runs.
//
//   build/bin/pledger-ledger-bench [--quick]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ledger/block.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/tx.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

using Clock = std::chrono::steady_clock;

// Runs fn `iters` times and prints ns/op and ops/s.
void Measure(const char* name, long iters, const std::function<void()>& fn) {
  fn();  // warm up caches and lazy initialisation
  auto start = Clock::now();
  for (long i = 0; i < iters; ++i) fn();
  double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / iters;
  std::printf("%-44s %12.0f ns/op %12.0f op/s\n", name, ns, 1e9 / ns);
}

std::string Tx(std::uint64_t nonce, const SecretKey& key) {
  TxBody body;
  body.set_chain_id("bench");
  body.set_nonce(nonce);
  body.set_expiry_height(1000000);
  body.set_memo(std::string(200, 'm'));  // a pledge body is a few hundred bytes
  body.mutable_action()->mutable_noop();
  Transaction tx = MakeTransaction(body);
  SignTransaction(&tx, key);
  return tx.SerializeAsString();
}

int Main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  long scale = quick ? 10 : 1;
  SecretKey key = SecretKey::Generate();
  std::string small(256, 'x');
  std::string kib(1024, 'y');
  volatile std::uint8_t sink = 0;

  Measure("sha256 256 B", 2000000 / scale, [&] { sink = sink ^ Sha256(small)[0]; });
  Measure("sha256 1 KiB", 1000000 / scale, [&] { sink = sink ^ Sha256(kib)[0]; });
  Measure("ed25519 sign 256 B", 50000 / scale, [&] { sink = sink ^ key.Sign(small)[0]; });
  SignatureBytes sig = key.Sign(small);
  Measure("ed25519 verify 256 B", 50000 / scale,
          [&] { sink = sink ^ static_cast<std::uint8_t>(Verify(key.public_key(), AsBytes(small), sig)); });
  std::string tx = Tx(1, key);
  Measure("tx decode + body decode + verify", 30000 / scale, [&] {
    auto t = DecodeTransaction(tx);
    auto b = DecodeTxBody(t->body());
    sink = sink ^ static_cast<std::uint8_t>(VerifyTxSignatures(*t).ok() && b.ok());
  });

  std::vector<Hash256> leaves;
  for (int i = 0; i < 10000; ++i) leaves.push_back(MerkleLeafHash(std::to_string(i)));
  Measure("merkle root, 10,000 leaves", 200 / scale, [&] { sink = sink ^ MerkleRoot(leaves)[0]; });
  Measure("merkle inclusion proof, 10,000 leaves", 200 / scale,
          [&] { sink = sink ^ static_cast<std::uint8_t>(MerkleInclusionProof(leaves, 4321)->size()); });

  for (bool sync : {false, true}) {
    for (int txs : {1, 100}) {
      test::TempDir dir;
      auto ledger = std::move(Ledger::Open(dir.Sub("db"))).value();
      if (!ledger->Initialize("bench", "genesis", {}).ok()) return 1;
      std::vector<std::string> bodies;
      for (int i = 0; i < txs; ++i) bodies.push_back(Tx(i, key));
      std::uint64_t n = 0;
      std::string name = "block append, " + std::to_string(txs) + " tx, 1 write/tx, sync " +
                         (sync ? "on" : "off");
      Measure(name.c_str(), (sync ? 200 : 2000) / scale, [&] {
        Tip tip = ledger->blocks().tip();
        BlockDraft d;
        d.chain_id = "bench";
        d.height = tip.height + 1;
        d.prev_hash = tip.block_hash;
        d.prev_state_root = tip.state_root;
        d.prev_results_root = tip.results_root;
        d.time_ms = d.height;
        d.txs = bodies;
        Block b = SealBlock(d);
        std::vector<std::string> receipts(txs, "r");
        WriteSet ws;
        for (int i = 0; i < txs; ++i) ws["k/" + std::to_string(n++)] = "v";
        Status s = ledger->CommitBlock(b, receipts, ws, sync);
        if (!s.ok()) std::printf("append failed: %s\n", s.ToString().c_str());
      });
    }
  }
  return sink == 255 ? 1 : 0;  // keeps `sink` alive; never 255 in practice
}

}  // namespace
}  // namespace pledger::ledger

int main(int argc, char** argv) { return pledger::ledger::Main(argc, argv); }
