// pledger-audit verify on data directories built the way pledgerd builds them:
// a clean chain verifies (and is not modified by being read); a changed block,
// header, receipt, state root, state record, state commitment, index, history
// or version record, chain meta record, attestation index entry or carried
// attestation is caught and named, as is a validly signed attestation of
// another result; replicas resume.
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger/attestation.h"
#include "ledger/block.h"
#include "ledger/merkle.h"
#include "contracts/history.h"
#include "contracts/queries.h"
#include "tests/support/test_util.h"
#include "tests/unit/tools/audit_chain.h"
#include "tests/unit/tools/audit_testing.h"
#include "tools/audit/source.h"
#include "tools/audit/verifier.h"

namespace pledger::test {
namespace {

using tools::audit::DirSource;
using tools::audit::VerifyOptions;
using tools::audit::VerifyReport;

// A chain with a random workload, a bad signature and validator-set changes,
// its last blocks attested. 3 voters at genesis; v4 joins, v3 leaves.
void BuildChain(TestChain* c, std::uint64_t seed) {
  c->RandomWorkload(seed, 40, 6);
  auto v4 = std::make_shared<const ledger::SecretKey>(TestKey(104));
  c->AddValidatorKey("v4", v4);
  REQUIRE(c->AddBlock({c->ValidatorAdd("v4", *v4, contracts::VALIDATOR_LEARNER)}) == std::vector<std::string>{"OK"});
  REQUIRE(c->AddBlock({c->ValidatorPromote("v4")}) == std::vector<std::string>{"OK"});
  c->RandomWorkload(seed + 1, 20, 6);
  REQUIRE(c->AddBlock({c->ValidatorRemove("v3")}) == std::vector<std::string>{"OK"});
  // A transaction with a broken signature: committed with SIGNATURE_INVALID.
  ledger::TxBody b = c->Body();
  b.mutable_action()->mutable_bank_policy_set()->set_bank_org_id("bank-b");
  REQUIRE(c->AddBlock({c->BadSignature(c->Sign(b, {"bank-b"}))}) == std::vector<std::string>{"SIGNATURE_INVALID"});
  c->RandomWorkload(seed + 2, 20, 6);
  c->Flush();
  c->Flush();
}

VerifyReport VerifyDir(const std::string& dir, const std::string& genesis, const std::string& keep = "") {
  auto src = DirSource::Open(dir);
  REQUIRE(src.ok());
  VerifyOptions o;
  o.genesis_bytes = genesis;
  o.keep_dir = keep;
  o.threads = 2;
  auto r = tools::audit::Verify(src->get(), o);
  REQUIRE(r.ok());
  return *r;
}

std::string Key(char prefix, std::uint64_t height) {
  std::string k(1, prefix);
  ledger::PutBigEndian64(&k, height);
  return k;
}

// The first (key, value) under `prefix` whose key `match` accepts (any key without one).
std::pair<std::string, std::string> FindRecord(ledger::Database& db, const std::string& prefix,
                                               const std::function<bool(std::string_view)>& match = nullptr) {
  std::pair<std::string, std::string> found;
  REQUIRE(db.Scan(prefix, prefix, [&](std::string_view k, std::string_view v) {
              if (match && !match(k)) return true;
              found = {std::string(k), std::string(v)};
              return false;
            }).ok());
  REQUIRE_FALSE(found.first.empty());
  return found;
}

std::string FlipFirstByte(std::string s) {
  s[0] = static_cast<char>(s[0] ^ 1);
  return s;
}

}  // namespace

TEST_CASE("verify re-executes a clean chain from the genesis file and reads the directory without changing it") {
  TempDir tmp;
  TestChainOptions pipelined;
  pipelined.state_lag = 2;  // headers carry the roots of the block before last
  TestChain c(tmp.Sub("chain"), pipelined);
  BuildChain(&c, 11);
  const std::uint64_t tip = c.height();
  c.Close();
  const auto before = Fingerprint(c.data_dir());

  VerifyReport r = VerifyDir(c.data_dir(), c.genesis_bytes());
  INFO(r.reason() << ": " << r.detail());
  CHECK(r.ok());
  CHECK(r.verified_height() == tip);
  CHECK(r.tip_height() == tip);
  CHECK(r.transactions() > 80);
  CHECK(r.signatures() > r.transactions());
  CHECK(r.invalid_signature_txs() >= 1);
  CHECK(r.attestations() > tip);
  // The last block is attested only by attestations it does not yet carry.
  CHECK(r.attested_height() >= tip - 2);
  CHECK(r.attested_height() < tip);

  // Not one byte of the directory changed, although LevelDB had a log to replay.
  CHECK(Fingerprint(c.data_dir()) == before);
}

TEST_CASE("verify --require-attested fails only while a block with transactions is unattested") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(21, 12, 4);
  const std::uint64_t last_tx_block = c.height();
  auto run = [&] {
    c.Close();
    auto src = DirSource::Open(c.data_dir());
    REQUIRE(src.ok());
    VerifyOptions o;
    o.genesis_bytes = c.genesis_bytes();
    o.require_attested = true;
    auto r = tools::audit::Verify(src->get(), o);
    REQUIRE(r.ok());
    c.Reopen();
    return *r;
  };
  // The last block has transactions and nothing carries its attestations yet.
  VerifyReport early = run();
  CHECK_FALSE(early.ok());
  CHECK(early.reason() == "NOT_ATTESTED");
  CHECK(early.first_bad_height() == early.attested_height() + 1);
  CHECK(early.first_bad_height() <= last_tx_block);

  // Empty blocks carry the attestations: the empty tail itself stays
  // unattested, which is not a failure.
  c.Flush();
  c.Flush();
  VerifyReport later = run();
  INFO(later.reason() << ": " << later.detail());
  CHECK(later.ok());
  CHECK(later.attested_height() >= last_tx_block);
  CHECK(later.attested_height() < later.verified_height());
  CHECK(later.warnings_size() == 1);
}

// Pipelined leaders can put a transaction that is already in the chain into
// a later block; the node refuses it as TX_REPLAYED before the contracts run
// (contracts/replay.h). A replay must reach the same receipts, byte for byte.
TEST_CASE("verify reproduces the node's TX_REPLAYED receipts for transactions a later block carries again") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(31, 10, 4);
  // One accepted and one refused transaction, each carried again later.
  ledger::TxBody b = c.Body();
  b.mutable_action()->mutable_bank_policy_set()->set_bank_org_id("bank-b");
  const std::string accepted = c.Sign(b, {"bank-b"});
  const std::string refused = c.PledgeCancel("00000000000000000000000000000000");
  const auto first = c.AddBlock({accepted, refused});
  REQUIRE(first[0] == "OK");
  REQUIRE(first[1] != "OK");
  REQUIRE(first[1] != "TX_REPLAYED");
  CHECK(c.AddBlock({refused, accepted}) == std::vector<std::string>{"TX_REPLAYED", "TX_REPLAYED"});
  c.Flush();
  c.Close();
  VerifyReport r = VerifyDir(c.data_dir(), c.genesis_bytes());
  INFO(r.reason() << ": " << r.detail());
  CHECK(r.ok());
  CHECK(r.verified_height() == c.height());
}

TEST_CASE("verify names the first bad height and what differs in a tampered copy") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  BuildChain(&c, 12);
  const std::uint64_t tip = c.height();
  const std::uint64_t k = tip / 2;
  c.Close();
  const std::string copy = tmp.Sub("copy");
  CopyDir(c.data_dir(), copy);

  auto tampered = [&](const std::function<void(ledger::Database&)>& change) {
    {
      auto db = OpenForTampering(copy);
      change(*db);
    }
    return VerifyDir(copy, c.genesis_bytes());
  };

  SECTION("a transaction's bytes in a block") {
    // The first block at or after k with a transaction.
    std::uint64_t h = k;
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::Block b;
      for (;; ++h) {
        REQUIRE(b.ParseFromString(MustGet(db, Key(ledger::keys::kBlock, h))));
        if (b.txs_size() > 0) break;
      }
      std::string tx = b.txs(0);
      tx[tx.size() / 2] = static_cast<char>(tx[tx.size() / 2] ^ 1);
      b.set_txs(0, tx);
      MustPut(db, Key(ledger::keys::kBlock, h), b.SerializeAsString());
    });
    CHECK_FALSE(r.ok());
    CHECK(r.first_bad_height() == h);
    CHECK(r.reason() == "BLOCK_TX_ROOT_MISMATCH");
    CHECK(r.verified_height() == h - 1);
  }

  SECTION("a block header (its time)") {
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::Block b;
      REQUIRE(b.ParseFromString(MustGet(db, Key(ledger::keys::kBlock, k))));
      ledger::BlockHeader h = *ledger::DecodeBlockHeader(b);
      h.set_time_ms(h.time_ms() - 1);
      b.set_header(ledger::SerializeCanonical(h));
      MustPut(db, Key(ledger::keys::kBlock, k), b.SerializeAsString());
    });
    CHECK(r.first_bad_height() == k);
    CHECK(r.reason() == "BLOCK_HASH_MISMATCH");
  }

  SECTION("a receipt, with the stored results root recomputed to match") {
    std::uint64_t h = k;
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::BlockResults res;
      for (;; ++h) {
        REQUIRE(res.ParseFromString(MustGet(db, Key(ledger::keys::kResults, h))));
        if (res.receipts_size() > 0) break;
      }
      ledger::Receipt rc;
      REQUIRE(rc.ParseFromString(res.receipts(0)));
      rc.set_code(rc.code() == "OK" ? "PLEDGE_PATENT_ALREADY_PLEDGED" : "OK");
      res.set_receipts(0, ledger::SerializeCanonical(rc));
      std::vector<std::string> all(res.receipts().begin(), res.receipts().end());
      res.set_results_root(std::string(ledger::AsStringView(ledger::ResultsRoot(all))));
      MustPut(db, Key(ledger::keys::kResults, h), ledger::SerializeCanonical(res));
    });
    CHECK(r.first_bad_height() == h);
    CHECK(r.reason() == "RECEIPT_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("transaction 0"));
  }

  SECTION("the state root recorded after a block") {
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::BlockResults res;
      REQUIRE(res.ParseFromString(MustGet(db, Key(ledger::keys::kResults, k))));
      std::string root = res.state_root();
      root[0] = static_cast<char>(root[0] ^ 1);
      res.set_state_root(root);
      MustPut(db, Key(ledger::keys::kResults, k), ledger::SerializeCanonical(res));
    });
    CHECK(r.first_bad_height() == k);
    CHECK(r.reason() == "STATE_ROOT_MISMATCH");
  }

  SECTION("a state record") {
    const std::string key = ledger::keys::State("patent/" + c.patents().front());
    VerifyReport r = tampered([&](ledger::Database& db) {
      contracts::Patent p;
      REQUIRE(p.ParseFromString(MustGet(db, key)));
      p.set_title("A different invention");
      MustPut(db, key, ledger::SerializeCanonical(p));
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == tip);
    CHECK(r.reason() == "STATE_RECORD_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("state record patent/" + c.patents().front()));
  }

  SECTION("a forged attestation in the attestation index") {
    const std::uint64_t h = 3;
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::BlockResults res;
      REQUIRE(res.ParseFromString(MustGet(db, Key(ledger::keys::kResults, h))));
      // v2 "attests" another state root, signed by someone else's key.
      std::string bad_root(32, '\x07');
      ledger::Attestation a = ledger::SignAttestation(c.genesis().chain_id(), "v2", h,
                                                      *ledger::HashFromBytes(res.block_hash(), "hash"),
                                                      *ledger::HashFromBytes(bad_root, "root"),
                                                      *ledger::HashFromBytes(res.results_root(), "root"), TestKey(222));
      std::string key = Key(ledger::keys::kAttestation, h) + "v2";
      MustPut(db, key, a.SerializeAsString());
    });
    CHECK(r.first_bad_height() == h);
    CHECK(r.reason() == "ATTESTATION_INDEX_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("forged"));
  }

  SECTION("a forged attestation carried by a rewritten tip block, every link and index fixed up") {
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::ChainTip t;
      REQUIRE(t.ParseFromString(MustGet(db, ledger::keys::Meta("tip"))));
      ledger::Block b;
      REQUIRE(b.ParseFromString(MustGet(db, Key(ledger::keys::kBlock, t.height()))));
      ledger::BlockResults prev;
      REQUIRE(prev.ParseFromString(MustGet(db, Key(ledger::keys::kResults, t.height() - 1))));
      ledger::Attestation a = ledger::SignAttestation(
          c.genesis().chain_id(), "v1", t.height() - 1, *ledger::HashFromBytes(prev.block_hash(), "h"),
          *ledger::HashFromBytes(prev.state_root(), "s"), *ledger::HashFromBytes(prev.results_root(), "r"),
          TestKey(223));
      b.add_attestations(a.SerializeAsString());
      ledger::BlockHeader h = *ledger::DecodeBlockHeader(b);
      std::vector<std::string> atts(b.attestations().begin(), b.attestations().end());
      h.set_attestations_root(std::string(ledger::AsStringView(ledger::MerkleRootOfData(atts))));
      b.set_header(ledger::SerializeCanonical(h));
      const std::string old_hash = t.block_hash();
      const std::string new_hash(ledger::AsStringView(ledger::BlockHash(b)));
      ledger::BlockResults res;
      REQUIRE(res.ParseFromString(MustGet(db, Key(ledger::keys::kResults, t.height()))));
      res.set_block_hash(new_hash);
      t.set_block_hash(new_hash);
      MustPut(db, Key(ledger::keys::kBlock, t.height()), b.SerializeAsString());
      MustPut(db, Key(ledger::keys::kResults, t.height()), ledger::SerializeCanonical(res));
      MustPut(db, ledger::keys::Meta("tip"), ledger::SerializeCanonical(t));
      REQUIRE(db.raw()->Delete(leveldb::WriteOptions(), std::string(1, ledger::keys::kBlockHash) + old_hash).ok());
      std::string height;
      ledger::PutBigEndian64(&height, t.height());
      MustPut(db, std::string(1, ledger::keys::kBlockHash) + new_hash, height);
    });
    CHECK(r.first_bad_height() == tip);
    CHECK(r.reason() == "ATTESTATION_SIGNATURE_INVALID");
    CHECK(r.verified_height() == tip - 1);
  }

  // The records below are compared with the replay's only after the last
  // block: every block still verifies, so the run reaches the tip.

  SECTION("a state commitment record") {
    const std::string record = "patent/" + c.patents().front();
    VerifyReport r = tampered([&](ledger::Database& db) {
      // 'K' be16(bucket) state-key
      auto [key, value] = FindRecord(db, std::string(1, ledger::keys::kCommit),
                                     [&](std::string_view found) { return found.substr(3) == record; });
      MustPut(db, key, FlipFirstByte(value));
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == tip);
    CHECK(r.reason() == "STATE_COMMITMENT_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("state commitment of " + record + " differs"));
  }

  SECTION("a state bucket hash") {
    std::string bucket;
    VerifyReport r = tampered([&](ledger::Database& db) {
      auto [key, value] = FindRecord(db, std::string(1, ledger::keys::kBucket));
      REQUIRE(key.size() == 3);
      bucket = std::to_string((static_cast<std::uint8_t>(key[1]) << 8) | static_cast<std::uint8_t>(key[2]));
      MustPut(db, key, FlipFirstByte(value));
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == tip);
    CHECK(r.reason() == "STATE_COMMITMENT_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("state bucket " + bucket + " differs"));
  }

  SECTION("a block-hash index entry pointing at another height") {
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::BlockResults res;
      REQUIRE(res.ParseFromString(MustGet(db, Key(ledger::keys::kResults, k))));
      std::string height;
      ledger::PutBigEndian64(&height, k + 1);
      MustPut(db, std::string(1, ledger::keys::kBlockHash) + res.block_hash(), height);
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == tip);
    CHECK(r.reason() == "INDEX_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("block-hash index entry"));
  }

  SECTION("a transaction index entry pointing at another position") {
    const ledger::Hash256 id = c.tx_ids()[c.tx_ids().size() / 2];
    VerifyReport r = tampered([&](ledger::Database& db) {
      const std::string key = ledger::keys::Tx(id);
      ledger::TxLocation at;
      REQUIRE(at.ParseFromString(MustGet(db, key)));
      at.set_index(at.index() + 1);
      MustPut(db, key, ledger::SerializeCanonical(at));
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == tip);
    CHECK(r.reason() == "INDEX_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("transaction index entry"));
  }

  SECTION("a history entry (its receipt code)") {
    const std::string entity = "patent/" + c.patents().front();
    contracts::HistoryKeyParts at;
    VerifyReport r = tampered([&](ledger::Database& db) {
      auto [key, value] = FindRecord(db, std::string(1, ledger::keys::kHistory) + entity + '\0');
      auto parts = contracts::ParseHistoryKey(key);
      REQUIRE(parts);
      at = {"", parts->height, parts->index};
      contracts::HistoryRecord changed;
      REQUIRE(changed.ParseFromString(value));
      changed.set_code(changed.code() == "OK" ? "PATENT_ALREADY_REGISTERED" : "OK");
      MustPut(db, key, ledger::SerializeCanonical(changed));
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == at.height);
    CHECK(r.reason() == "HISTORY_INDEX_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("history entry of " + entity + " at block " + std::to_string(at.height) +
                                           " index " + std::to_string(at.index) + " differs"));
  }

  SECTION("a history entry left out") {
    // The one omission history over a node or directory cannot notice
    // (docs/audit.md "Limits"); verify --data-dir does.
    const std::string entity = "patent/" + c.patents().front();
    contracts::HistoryKeyParts at;
    VerifyReport r = tampered([&](ledger::Database& db) {
      auto [key, value] = FindRecord(db, std::string(1, ledger::keys::kHistory) + entity + '\0');
      auto parts = contracts::ParseHistoryKey(key);
      REQUIRE(parts);
      at = {"", parts->height, parts->index};
      REQUIRE(db.raw()->Delete(leveldb::WriteOptions(), key).ok());
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == at.height);
    CHECK(r.reason() == "HISTORY_INDEX_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("history entry of " + entity + " at block " + std::to_string(at.height) +
                                           " index " + std::to_string(at.index) + " is missing from the data directory"));
  }

  SECTION("a past version of a state record") {
    const std::string record = "patent/" + c.patents().front();
    const std::string prefix = std::string(1, ledger::keys::kVersion) + record + '\0';
    std::uint64_t block = 0;
    VerifyReport r = tampered([&](ledger::Database& db) {
      // The patent's first version record: the block that registered it, and
      // the value before it (absent). The lie: it existed already.
      auto [key, value] = FindRecord(db, prefix);
      REQUIRE(key.size() == prefix.size() + 8);
      block = ledger::GetBigEndian64(key.data() + prefix.size());
      REQUIRE(value == std::string("\x00", 1));
      auto now = db.Get(ledger::keys::State(record));
      REQUIRE(now.ok());
      REQUIRE(now->has_value());
      contracts::Patent p;
      REQUIRE(p.ParseFromString(**now));
      p.set_title("A different invention");
      MustPut(db, key, "\x01" + ledger::SerializeCanonical(p));
    });
    CHECK(r.verified_height() == tip);
    CHECK(block > 0);
    CHECK(r.first_bad_height() == block);
    CHECK(r.reason() == "HISTORY_INDEX_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("version of " + record + " before block " + std::to_string(block) + " differs"));
  }

  SECTION("the chain identity record (its genesis hash)") {
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::ChainMeta m;
      REQUIRE(m.ParseFromString(MustGet(db, ledger::keys::Meta("chain"))));
      m.set_genesis_hash(FlipFirstByte(m.genesis_hash()));
      MustPut(db, ledger::keys::Meta("chain"), ledger::SerializeCanonical(m));
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == tip);
    CHECK(r.reason() == "CHAIN_META_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("chain record differs"));
  }

  SECTION("the chain tip record (its state root)") {
    VerifyReport r = tampered([&](ledger::Database& db) {
      ledger::ChainTip t;
      REQUIRE(t.ParseFromString(MustGet(db, ledger::keys::Meta("tip"))));
      t.set_state_root(FlipFirstByte(t.state_root()));
      MustPut(db, ledger::keys::Meta("tip"), ledger::SerializeCanonical(t));
    });
    CHECK(r.verified_height() == tip);
    CHECK(r.first_bad_height() == tip);
    CHECK(r.reason() == "CHAIN_META_MISMATCH");
    CHECK_THAT(r.detail(), Catch::Contains("tip record differs"));
  }
}

// A validator whose own execution diverged signs with its real key, and the
// node carries and indexes its attestation like any other (node/attest.cc):
// no signature check can tell, only the replay's roots.
TEST_CASE("verify names a validly signed attestation of another block hash, state root or results root") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(51, 12, 4);
  const std::uint64_t k = c.height() + 1;  // the block v2 signs wrongly
  std::function<void(ledger::Tip*)> skew;
  std::string what;
  SECTION("another block hash") {
    skew = [](ledger::Tip* t) { t->block_hash[0] ^= 1; };
    what = "block hash";
  }
  SECTION("another state root") {
    skew = [](ledger::Tip* t) { t->state_root[0] ^= 1; };
    what = "state root";
  }
  SECTION("another results root") {
    skew = [](ledger::Tip* t) { t->results_root[0] ^= 1; };
    what = "results root";
  }
  c.SetAttestationFault([&](const std::string& validator, std::uint64_t height, ledger::Tip* signs) {
    if (validator == "v2" && height == k) skew(signs);
  });
  c.RandomWorkload(52, 12, 4);
  c.Flush();
  c.Flush();
  c.Close();

  VerifyReport r = VerifyDir(c.data_dir(), c.genesis_bytes());
  CHECK_FALSE(r.ok());
  CHECK(r.reason() == "ATTESTATION_DISAGREES");
  CHECK(r.first_bad_height() == k);
  // Found while checking the block that carries it, before that block counts.
  CHECK(r.verified_height() == k);
  CHECK_THAT(r.detail(), Catch::Contains("validator v2 signed " + what));
  CHECK_THAT(r.detail(), Catch::Contains("for block " + std::to_string(k) + " (carried by block " +
                                         std::to_string(k + 1) + ")"));
}

// Verifies `c` into `replica`, grows the chain by a random workload, and
// verifies again: the second run resumes from the replica right after the
// first run's height and reaches the new tip.
static void KeepThenExtend(TestChain& c, const std::string& replica, std::uint64_t seed) {
  const std::uint64_t first = c.height();
  c.Close();
  VerifyReport r1 = VerifyDir(c.data_dir(), c.genesis_bytes(), replica);
  INFO(r1.reason() << ": " << r1.detail());
  REQUIRE(r1.ok());
  CHECK(r1.verified_height() == first);

  c.Reopen();
  c.RandomWorkload(seed, 30, 5);
  c.Flush();
  c.Flush();
  const std::uint64_t second = c.height();
  c.Close();
  VerifyReport r2 = VerifyDir(c.data_dir(), c.genesis_bytes(), replica);
  INFO(r2.reason() << ": " << r2.detail());
  REQUIRE(r2.ok());
  CHECK(r2.from_height() == first + 1);
  CHECK(r2.verified_height() == second);
  CHECK(r2.attested_height() >= second - 2);
}

TEST_CASE("verify --keep builds a replica that later runs extend, and refuses one of another chain") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(21, 30, 5);
  c.Flush();
  const std::string replica = tmp.Sub("replica");
  KeepThenExtend(c, replica, 22);

  // The replica is itself a directory verify can check.
  VerifyReport r3 = VerifyDir(replica, c.genesis_bytes());
  INFO(r3.reason() << ": " << r3.detail());
  CHECK(r3.ok());

  // Another genesis file: the replica refuses.
  TestChainOptions two;
  two.validators = 2;
  TestChain other(tmp.Sub("other"), two);
  other.Close();
  auto src = DirSource::Open(c.data_dir());
  REQUIRE(src.ok());
  VerifyOptions o;
  o.genesis_bytes = other.genesis_bytes();
  o.keep_dir = replica;
  auto bad = tools::audit::Verify(src->get(), o);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().reason() == "REPLICA_MISMATCH");

  // A node's data directory (its LevelDB in db/) is refused, and nothing is
  // created in it.
  const std::string node_dir = tmp.Sub("node-data");
  std::filesystem::create_directories(node_dir);
  CopyDir(c.data_dir(), node_dir + "/db");
  const auto before = Fingerprint(node_dir);
  o.genesis_bytes = c.genesis_bytes();
  o.keep_dir = node_dir;
  auto refused = tools::audit::Verify(src->get(), o);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().reason() == "REPLICA_MISMATCH");
  CHECK(Fingerprint(node_dir) == before);
}

// A resumed run learns the validator sets from the replica's own version
// records of validator/…; blocks after the resume carry attestations of a
// validator the genesis file does not name and none of one it removed.
TEST_CASE("verify --keep resumes a replica across validator-set changes") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  BuildChain(&c, 13);  // v4 joins, v3 leaves
  KeepThenExtend(c, tmp.Sub("replica"), 14);
}

TEST_CASE("verify with another genesis file fails at block 1") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(31, 10, 5);
  c.Close();
  TestChainOptions two;
  two.validators = 2;
  TestChain other(tmp.Sub("other"), two);
  other.Close();
  VerifyReport r = VerifyDir(c.data_dir(), other.genesis_bytes());
  CHECK_FALSE(r.ok());
  CHECK(r.first_bad_height() == 1);
  CHECK(r.reason() == "BLOCK_PREV_HASH_MISMATCH");
  CHECK_THAT(r.detail(), Catch::Contains("genesis"));
}

TEST_CASE("a data directory another process holds open is refused with DB_LOCKED") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  c.RandomWorkload(41, 5, 5);
  c.Close();
  int to_child[2], to_parent[2];
  REQUIRE(::pipe(to_child) == 0);
  REQUIRE(::pipe(to_parent) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child plays the running node: it holds LevelDB's lock.
    auto db = ledger::Database::Open(c.data_dir());
    char x = db.ok() ? 'y' : 'n';
    (void)!::write(to_parent[1], &x, 1);
    (void)!::read(to_child[0], &x, 1);
    _exit(0);
  }
  char ready = 0;
  REQUIRE(::read(to_parent[0], &ready, 1) == 1);
  REQUIRE(ready == 'y');
  auto src = DirSource::Open(c.data_dir());
  char go = 'x';
  (void)!::write(to_child[1], &go, 1);
  ::waitpid(pid, nullptr, 0);
  REQUIRE_FALSE(src.ok());
  CHECK(src.status().reason() == "DB_LOCKED");
  CHECK_THAT(std::string(src.status().message()), Catch::Contains("Stop the node"));
  // Once the holder is gone, it opens.
  CHECK(DirSource::Open(c.data_dir()).ok());
}

}  // namespace pledger::test

namespace pledger::test {
namespace {

// Ledger time (ledger/block_time.h): the replay recomputes each block's time
// from its clock readings, as every node's applier does.
TEST_CASE("verify checks each block's time against its clock readings") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  constexpr std::int64_t kYear = 365ll * 86'400'000ll;
  SECTION("a validator's clock a year ahead does not move the time, and verifies") {
    c.SetClockSkew("v2", kYear);
    c.RandomWorkload(41, 8, 3);
    c.Flush();
    auto tip = c.ledger().blocks().GetBlock(c.height());
    REQUIRE(tip.ok());
    auto header = ledger::DecodeBlockHeader(*tip);
    REQUIRE(header.ok());
    CHECK(header->time_ms() == c.time_ms());  // the honest clocks' time
    CHECK(tip->clock_readings_size() == 3);
    c.Close();
    VerifyReport r = VerifyDir(c.data_dir(), c.genesis_bytes());
    INFO(r.reason() << ": " << r.detail());
    CHECK(r.ok());
  }
  SECTION("a block whose header claims another time fails BLOCK_TIME_INVALID at its height") {
    c.RandomWorkload(42, 6, 3);
    const std::uint64_t bad = c.height() + 1;
    c.SetTimeFault(kYear);  // a leader stamping its own clock, a year ahead
    c.Flush();
    c.Flush();
    c.Close();
    VerifyReport r = VerifyDir(c.data_dir(), c.genesis_bytes());
    CHECK_FALSE(r.ok());
    CHECK(r.first_bad_height() == bad);
    CHECK(r.reason() == "BLOCK_TIME_INVALID");
    CHECK_THAT(r.detail(), Catch::Contains("clock readings give"));
    CHECK(r.verified_height() == bad - 1);
  }
}

// ---- key rotation (issue 16) ---------------------------------------------------

namespace {

// A chain whose v2 (operated by ipo-b) rotates its key, self-signed, in block
// H; v2 signs with the old key up to its attestation of H and with the new
// key afterwards, as the node does. Returns H.
std::uint64_t BuildRotatedChain(TestChain* c, std::uint64_t seed, std::shared_ptr<const ledger::SecretKey> fresh) {
  c->RandomWorkload(seed, 12, 4);
  REQUIRE(c->AddBlock({c->ValidatorRotateKey("v2", c->ValidatorKey("v2"), *fresh, "ipo-b")}) ==
          std::vector<std::string>{"OK"});
  const std::uint64_t rotated_at = c->height();
  c->AddValidatorKey("v2", std::move(fresh));
  return rotated_at;
}

VerifyReport VerifyLight(const std::string& dir, const std::string& genesis) {
  auto src = DirSource::Open(dir);
  REQUIRE(src.ok());
  VerifyOptions o;
  o.genesis_bytes = genesis;
  o.execute = false;
  auto r = tools::audit::Verify(src->get(), o);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("verify checks attestations across a validator key rotation with the key in force for each block",
          "[rotation]") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  const std::uint64_t rotated_at = BuildRotatedChain(&c, 61, std::make_shared<const ledger::SecretKey>(TestKey(120)));
  c.RandomWorkload(62, 12, 4);
  c.Flush();
  c.Flush();
  const std::uint64_t tip = c.height();
  REQUIRE(tip > rotated_at + 3);
  {
    // The data directory's index holds v2's attestations on both sides of
    // the rotation, each verifying with the key the node's rule names.
    auto vs = contracts::QueryValidators(c.ledger().state());
    REQUIRE(vs.ok());
    bool found = false;
    for (const auto& v : vs->validators()) {
      if (v.node_id() != "v2") continue;
      found = true;
      CHECK(v.key_height() == rotated_at);
      CHECK(v.previous_public_key_hex() == ledger::HexEncode(ledger::ByteSpan(TestKey(102).public_key())));
      CHECK(v.public_key_hex() == ledger::HexEncode(ledger::ByteSpan(TestKey(120).public_key())));
    }
    CHECK(found);
  }
  c.Close();

  VerifyReport full = VerifyDir(c.data_dir(), c.genesis_bytes());
  INFO(full.reason() << ": " << full.detail());
  CHECK(full.ok());
  CHECK(full.verified_height() == tip);
  CHECK(full.attested_height() >= tip - 2);

  VerifyReport light = VerifyLight(c.data_dir(), c.genesis_bytes());
  INFO(light.reason() << ": " << light.detail());
  CHECK(light.ok());
  CHECK(light.verified_height() == tip);
  CHECK(light.attested_height() >= tip - 2);
}

TEST_CASE("verify --keep resumes a replica across a validator key rotation", "[rotation]") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  BuildRotatedChain(&c, 63, std::make_shared<const ledger::SecretKey>(TestKey(121)));
  c.Flush();
  c.Flush();
  KeepThenExtend(c, tmp.Sub("replica"), 64);
}

TEST_CASE("verify flags an attestation of a block after the rotation signed with the old key", "[rotation]") {
  TempDir tmp;
  TestChain c(tmp.Sub("chain"));
  const std::shared_ptr<const ledger::SecretKey> old_key = std::make_shared<const ledger::SecretKey>(TestKey(102));
  const std::uint64_t rotated_at = BuildRotatedChain(&c, 65, std::make_shared<const ledger::SecretKey>(TestKey(122)));
  // Block H+1: v2 does not attest it with its new key; an attestation by the
  // old key, validly signed by that key, rides in block H+2 instead.
  c.SetAttesters({"v1", "v3"});
  c.Flush();
  const ledger::Tip after = c.ledger().blocks().tip();
  REQUIRE(after.height == rotated_at + 1);
  c.CarryAttestation(ledger::SignAttestation(c.genesis().chain_id(), "v2", after.height, after.block_hash,
                                             after.state_root, after.results_root, *old_key)
                         .SerializeAsString());
  c.SetAttesters({});
  c.Flush();
  c.Flush();
  c.Close();

  for (bool light : {false, true}) {
    INFO((light ? "light" : "full") << " mode");
    VerifyReport r = light ? VerifyLight(c.data_dir(), c.genesis_bytes()) : VerifyDir(c.data_dir(), c.genesis_bytes());
    CHECK_FALSE(r.ok());
    CHECK(r.reason() == "ATTESTATION_SIGNATURE_INVALID");
    CHECK(r.first_bad_height() == rotated_at + 2);  // the block that carries it
    CHECK_THAT(r.detail(), Catch::Contains("v2"));
    CHECK_THAT(r.detail(), Catch::Contains("block " + std::to_string(rotated_at + 1)));
  }
}

}  // namespace
}  // namespace pledger::test
