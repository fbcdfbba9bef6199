// pledger-audit against a real 3-node cluster (label `integration`):
//   - an auditor with the genesis file and one node's API verifies the whole
//     chain, proves a transaction offline, lists history equal to a
//     brute-force scan of the chain (random workload), exports the register,
//     every read signed with the auditor account's key (the cluster's
//     accounts/auditor.key);
//   - a bank's key, a key that is no account and no key at all are refused
//     the raw blocks, with the node's code and words, exit 5;
//   - a running node's data directory is refused (DB_LOCKED); a stopped
//     node's copied directory verifies, and a changed block, state record or
//     forged attestation in a copy is caught and named.
#include <catch2/catch.hpp>

#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <map>
#include <random>

#include "contracts/engine.h"
#include "contracts/genesis.h"
#include "ledger/attestation.h"
#include "ledger/block.h"
#include "ledger/keys.h"
#include "ledger/tx.h"
#include "ledger/io/api_json.h"
#include "ledger/io/files.h"
#include "ledger/io/pki.h"
#include "contracts/history.h"
#include "tests/integration/cluster.h"
#include "tests/unit/tools/audit_testing.h"
#include "tools/audit/source.h"
#include "tools/proto/audit.pb.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

#define CLUSTER_REQUIRE(c, cond) \
  do {                           \
    if (!(cond)) (c).DumpLogs(); \
    REQUIRE(cond);               \
  } while (0)

std::uint64_t Height(TestCluster& c, int i) {
  auto s = c.Status(i);
  return s.ok() ? s->height() : 0;
}

// Submits, then waits for every receipt; returns the codes.
std::vector<std::string> Commit(TestCluster& c, const std::vector<tools::WorkloadTx>& txs) {
  for (size_t k = 0; k < txs.size(); ++k) {
    auto st = c.Submit(static_cast<int>(k % 3), txs[k].raw);
    const bool admitted = st.ok() && (*st == 202 || *st == 200);
    CLUSTER_REQUIRE(c, admitted);
  }
  std::vector<std::string> codes(txs.size());
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           for (size_t k = 0; k < txs.size(); ++k) {
                             if (!codes[k].empty()) continue;
                             auto code = c.ReceiptCode(0, txs[k].id);
                             if (code.ok()) codes[k] = *code;
                             if (codes[k].empty()) return false;
                           }
                           return true;
                         },
                         60s));
  return codes;
}

tools::WorkloadTx Cancel(TestCluster& c, const std::string& pledge_id, std::uint64_t expiry, std::uint64_t nonce) {
  ledger::TxBody b;
  b.set_chain_id(c.chain_id());
  b.set_nonce(nonce);
  b.set_expiry_height(expiry);
  auto* a = b.mutable_action()->mutable_pledge_cancel();
  a->set_pledge_id(pledge_id);
  a->set_ground(contracts::CANCEL_WAIVED);
  ledger::Transaction tx = ledger::MakeTransaction(b);
  ledger::SignTransaction(&tx, c.Account("bank-a"));
  tools::WorkloadTx out;
  out.raw = tx.SerializeAsString();
  out.id = ledger::TxId(tx);
  return out;
}

// A random workload in waves: patents; valuations of some; pledges (some on
// patents without a valuation or already pledged: refused); cancellations
// (some of pledges already cancelled: refused). Returns the accepted pledges.
std::vector<std::string> RandomWorkload(TestCluster& c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  tools::Workload w(c.Parties(), static_cast<std::uint32_t>(seed % 1000), 1);
  const std::uint64_t expiry = Height(c, 0) + 1000;
  std::vector<tools::WorkloadTx> patents;
  for (int k = 0; k < 20 + static_cast<int>(rng() % 10); ++k) patents.push_back(w.PatentRegister(expiry));
  for (const auto& code : Commit(c, patents)) REQUIRE(code == "OK");
  std::vector<tools::WorkloadTx> valuations;
  std::map<std::string, std::string> valuation_of;
  for (const auto& p : patents) {
    if (rng() % 3 == 0) continue;
    valuations.push_back(w.Valuation(p.patent_no, expiry));
    valuation_of[p.patent_no] = valuations.back().object_id;
  }
  Commit(c, valuations);
  std::vector<tools::WorkloadTx> pledges;
  for (int k = 0; k < 25; ++k) {
    const auto& p = patents[rng() % patents.size()];
    auto v = valuation_of.find(p.patent_no);
    pledges.push_back(w.Pledge(p.patent_no, v == valuation_of.end() ? "" : v->second, expiry));
  }
  std::vector<std::string> accepted;
  auto codes = Commit(c, pledges);
  for (size_t k = 0; k < codes.size(); ++k) {
    if (codes[k] == "OK") accepted.push_back(pledges[k].object_id);
  }
  REQUIRE(accepted.size() < pledges.size());  // some refused, by design
  std::vector<tools::WorkloadTx> cancels;
  for (int k = 0; k < 8 && !accepted.empty(); ++k) {
    cancels.push_back(Cancel(c, accepted[rng() % accepted.size()], expiry, 900000 + rng() % 100000));
  }
  Commit(c, cancels);
  return accepted;
}

// Waits until the chain stopped and its last block with transactions is
// attested (its attestations ride in a later block).
// Waits until the last block with transactions is attested and every node has
// the tip; returns that block's height.
std::uint64_t WaitAttested(TestCluster& c) {
  std::uint64_t last_tx_block = 0;
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           std::uint64_t h = Height(c, 0);
                           for (std::uint64_t k = h; k >= 1 && last_tx_block == 0; --k) {
                             auto r = c.Client(0).Get("/v1/blocks/" + std::to_string(k));
                             if (!r.ok() || r->status != 200) return false;
                             api::BlockView v;
                             if (!io::ApiJsonToMessage(r->body, &v, "block").ok()) return false;
                             if (v.header().tx_count() > 0) last_tx_block = k;
                           }
                           auto r = c.Client(0).Get("/v1/blocks/" + std::to_string(last_tx_block));
                           return r.ok() && r->body.find("\"attested\":true") != std::string::npos;
                         },
                         30s));
  // Every node has the final block.
  const std::uint64_t h = Height(c, 0);
  for (int i = 0; i < c.size(); ++i) CLUSTER_REQUIRE(c, c.WaitForHeight(i, h, 20s));
  return last_tx_block;
}

std::string DataDir(TestCluster& c, int i) { return c.dir() + "/nodes/" + c.NodeId(i) + "/data"; }

// A cluster whose genesis also has an audit office with an AUDITOR account,
// "auditor" (its key in dir()/accounts/auditor.key).
ClusterOptions WithAuditor() {
  ClusterOptions o;
  o.extra_orgs = {{"audit-office", contracts::ORG_AUDITOR}};
  o.extra_accounts = {{"auditor", "audit-office", contracts::ROLE_AUDITOR}};
  return o;
}

}  // namespace

TEST_CASE("audit: with the genesis file and one untrusted node, an auditor checks the whole history",
          "[integration]") {
  const std::uint64_t seed = TestSeed("audit cluster workload");
  TestCluster c(WithAuditor());
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  const std::vector<std::string> pledges = RandomWorkload(c, seed);
  const std::uint64_t last_tx_block = WaitAttested(c);
  const std::string genesis = c.dir() + "/genesis.json";
  const std::string url = c.ApiUrl(1);
  const std::string key = c.dir() + "/accounts/auditor.key";
  const std::uint64_t tip = Height(c, 1);

  // verify over the API: replay from genesis, every root and attestation.
  CliResult v = RunCli({"verify", "--node", url, "--key", key, "--genesis", genesis, "--json", "--quiet"});
  INFO(v.out << v.err);
  REQUIRE(v.code == 0);
  auto report = ParseJsonOut<tools::audit::VerifyReport>(v.out);
  CHECK(report.ok());
  CHECK(report.verified_height() >= tip);
  CHECK(report.signatures() > report.transactions());
  // Every block with transactions is attested; the empty blocks after it that
  // only carried attestations need not be (they never prompt another block),
  // and with pipelined proposing there can be several of them.
  CHECK(report.attested_height() >= last_tx_block);

  // A proof of a pledge registration, checked offline.
  const std::string bundle = c.dir() + "/pledge.bundle";
  io::RequestCredentials auditor;
  auditor.chain_id = c.chain_id();
  auditor.key = c.SharedAccount("auditor");
  auto src = tools::audit::NodeSource::Connect(url, "", auditor);
  REQUIRE(src.ok());
  auto hist = (*src)->History("pledge/" + pledges.front(), "", 10);
  REQUIRE(hist.ok());
  REQUIRE(hist->entries_size() >= 1);
  const std::string tx_id = hist->entries(0).tx_id();
  CliResult p = RunCli({"proof", tx_id, "--node", url, "--key", key, "--genesis", genesis, "--out", bundle});
  INFO(p.out << p.err);
  REQUIRE(p.code == 0);
  CliResult ok = RunCli({"check-proof", bundle, "--genesis", genesis});
  INFO(ok.out);
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("VERIFIED"));
  CHECK_THAT(ok.out, Catch::Contains("pledge_register"));
  auto bytes = io::ReadFile(bundle);
  REQUIRE(bytes.ok());
  std::string changed = *bytes;
  changed[changed.size() / 3] = static_cast<char>(changed[changed.size() / 3] ^ 0x10);
  REQUIRE(io::WriteFileAtomic(bundle + ".changed", changed).ok());
  CliResult bad = RunCli({"check-proof", bundle + ".changed", "--genesis", genesis});
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("NOT VERIFIED"));

  // History equals a brute-force scan: every block fetched and re-executed
  // from the genesis file, collecting what each transaction touched.
  auto genesis_bytes = io::ReadFile(genesis);
  REQUIRE(genesis_bytes.ok());
  auto g = contracts::ParseGenesis(*genesis_bytes);
  REQUIRE(g.ok());
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint32_t>>> expected;
  {
    class Mem final : public ledger::StateReader {
     public:
      std::map<std::string, std::string, std::less<>> d;
      Result<std::optional<std::string>> Get(std::string_view k) const override {
        auto it = d.find(k);
        return it == d.end() ? std::optional<std::string>() : std::optional<std::string>(it->second);
      }
      Status Scan(std::string_view p, const std::function<bool(std::string_view, std::string_view)>& fn) const override {
        for (auto it = d.lower_bound(p); it != d.end() && it->first.compare(0, p.size(), p) == 0; ++it) {
          if (!fn(it->first, it->second)) break;
        }
        return Status::OK();
      }
    } state;
    auto initial = contracts::GenesisState(*g);
    REQUIRE(initial.ok());
    for (auto& [k, val] : *initial) state.d[k] = *val;
    contracts::Engine engine;
    for (std::uint64_t h = 1; h <= tip;) {
      auto blocks = (*src)->ReadBlocks(h, tip);
      REQUIRE(blocks.ok());
      REQUIRE_FALSE(blocks->empty());
      for (const auto& raw : *blocks) {
        ledger::Block b;
        REQUIRE(b.ParseFromString(raw.block));
        auto header = ledger::DecodeBlockHeader(b);
        REQUIRE(header.ok());
        std::vector<contracts::PreparedTx> txs;
        for (const auto& t : b.txs()) txs.push_back(contracts::PrepareTx(t));
        auto o = engine.ExecuteBlock(state, {g->chain_id(), h, header->time_ms()}, txs);
        REQUIRE(o.status.ok());
        for (size_t i = 0; i < o.txs.size(); ++i) {
          for (const auto& e : o.txs[i].touched) expected[e].emplace_back(h, static_cast<std::uint32_t>(i));
        }
        for (auto& [k, val] : o.writes) {
          if (val) {
            state.d[k] = *val;
          } else {
            state.d.erase(k);
          }
        }
        ++h;
      }
    }
  }
  REQUIRE(expected.size() > 30);
  for (const auto& [entity, want] : expected) {
    CliResult r = RunCli(
        {"history", entity, "--node", url, "--key", key, "--genesis", genesis, "--json", "--page-size", "9"});
    INFO(entity << ": " << r.err);
    REQUIRE(r.code == 0);
    auto got = ParseJsonOut<tools::audit::HistoryReport>(r.out);
    CHECK(got.trust() == "attested");
    REQUIRE(got.entries_size() == static_cast<int>(want.size()));
    for (size_t k = 0; k < want.size(); ++k) {
      CHECK(got.entries(static_cast<int>(k)).height() == want[k].first);
      CHECK(got.entries(static_cast<int>(k)).index() == want[k].second);
    }
  }

  // The register from the node's chain, checked block by block.
  CliResult e = RunCli({"export", "--node", url, "--key", key, "--genesis", genesis, "--format", "json"});
  INFO(e.err);
  REQUIRE(e.code == 0);
  auto reg = ParseJsonOut<tools::audit::RegisterExport>(e.out);
  CHECK(reg.rows_size() == static_cast<int>(pledges.size()));

  // A running node's directory is refused, with what to do.
  CliResult locked = RunCli({"verify", "--data-dir", DataDir(c, 0), "--genesis", genesis, "--quiet"});
  CHECK(locked.code == 1);
  CHECK_THAT(locked.err, Catch::Contains("DB_LOCKED"));
  CHECK_THAT(locked.err, Catch::Contains("Stop the node"));
}

TEST_CASE("audit: verify catches a tampered block, state record and attestation in a stopped node's copied data "
          "directory",
          "[integration]") {
  const std::uint64_t seed = TestSeed("audit cluster tampering");
  TestCluster c;
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  RandomWorkload(c, seed);
  WaitAttested(c);
  const std::string genesis = c.dir() + "/genesis.json";
  c.Stop(2);
  const std::string original = DataDir(c, 2);
  const auto fingerprint = Fingerprint(original);

  // The stopped node's own directory verifies, read-only.
  CliResult clean = RunCli({"verify", "--data-dir", original, "--genesis", genesis, "--json", "--quiet"});
  INFO(clean.out << clean.err);
  REQUIRE(clean.code == 0);
  auto r0 = ParseJsonOut<tools::audit::VerifyReport>(clean.out);
  const std::uint64_t tip = r0.verified_height();
  REQUIRE(tip >= 4);
  CHECK(Fingerprint(original) == fingerprint);

  int copies = 0;
  auto tamper = [&](const std::function<void(ledger::Database&)>& change) {
    const std::string copy = c.dir() + "/copy" + std::to_string(++copies);
    CopyDir(original, copy);
    {
      auto db = OpenForTampering(copy + "/db");  // pledgerd's LevelDB is data_dir/db
      change(*db);
    }
    CliResult r = RunCli({"verify", "--data-dir", copy, "--genesis", genesis, "--json", "--quiet"});
    INFO(r.err);
    CHECK(r.code == 1);
    return ParseJsonOut<tools::audit::VerifyReport>(r.out);
  };
  auto key = [](char prefix, std::uint64_t h) {
    std::string k(1, prefix);
    ledger::PutBigEndian64(&k, h);
    return k;
  };

  // A transaction's bytes inside the first block with transactions.
  std::uint64_t tx_block = 0;
  auto blk = tamper([&](ledger::Database& db) {
    for (std::uint64_t h = 1; h <= tip; ++h) {
      ledger::Block b;
      REQUIRE(b.ParseFromString(MustGet(db, key(ledger::keys::kBlock, h))));
      if (b.txs_size() == 0) continue;
      std::string tx = b.txs(0);
      tx[tx.size() - 3] = static_cast<char>(tx[tx.size() - 3] ^ 0x04);
      b.set_txs(0, tx);
      MustPut(db, key(ledger::keys::kBlock, h), b.SerializeAsString());
      tx_block = h;
      return;
    }
  });
  CHECK(blk.first_bad_height() == tx_block);
  CHECK(blk.reason() == "BLOCK_TX_ROOT_MISMATCH");

  // A state record: the first patent's owner.
  auto st = tamper([&](ledger::Database& db) {
    const std::string prefix = ledger::keys::State("patent/");
    std::string k, v;
    REQUIRE(db.Scan(prefix, prefix, [&](std::string_view kk, std::string_view vv) {
                k = std::string(kk);
                v = std::string(vv);
                return false;
              }).ok());
    contracts::Patent p;
    REQUIRE(p.ParseFromString(v));
    p.mutable_owners(0)->set_org_id("bank-b");
    MustPut(db, k, ledger::SerializeCanonical(p));
  });
  CHECK(st.reason() == "STATE_RECORD_MISMATCH");
  CHECK(st.first_bad_height() == tip);
  CHECK_THAT(st.detail(), Catch::Contains("state record patent/"));

  // A forged attestation: n2's attestation of an early block, re-signed by a
  // key that is not n2's, claiming another state root.
  auto att = tamper([&](ledger::Database& db) {
    for (std::uint64_t h = 1; h <= tip; ++h) {
      auto existing = db.Get(key(ledger::keys::kAttestation, h) + c.NodeId(1));
      REQUIRE(existing.ok());
      if (!existing->has_value()) continue;
      ledger::Attestation a;
      REQUIRE(a.ParseFromString(**existing));
      ledger::Attestation forged = ledger::SignAttestation(
          c.chain_id(), a.validator_id(), a.height(), *ledger::HashFromBytes(a.block_hash(), "h"),
          *ledger::HashFromBytes(std::string(32, '\x05'), "s"), *ledger::HashFromBytes(a.results_root(), "r"),
          ledger::SecretKey::Generate());
      MustPut(db, key(ledger::keys::kAttestation, h) + c.NodeId(1), forged.SerializeAsString());
      tx_block = h;
      return;
    }
    FAIL("no attestation by " << c.NodeId(1) << " in the index");
  });
  CHECK(att.reason() == "ATTESTATION_INDEX_MISMATCH");
  CHECK(att.first_bad_height() == tx_block);
  CHECK_THAT(att.detail(), Catch::Contains("forged"));
}

// Needs the node side of request authentication (raw blocks for full
// readers only); until it is in, a node serves everyone and this fails.
TEST_CASE("audit: a node serves raw blocks only to full readers, and refuses the others in words",
          "[integration][access]") {
  TestCluster c(WithAuditor());
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  tools::Workload w(c.Parties(), 7, 1);
  Commit(c, {w.PatentRegister(Height(c, 0) + 1000)});
  const std::string genesis = c.dir() + "/genesis.json";
  const std::string url = c.ApiUrl(0);
  const std::vector<std::string> verify = {"verify", "--node", url, "--genesis", genesis, "--quiet"};
  auto as = [&](std::vector<std::string> more) {
    std::vector<std::string> a = verify;
    a.insert(a.end(), more.begin(), more.end());
    return RunCli(a);
  };
  CliResult ok = as({"--key", c.dir() + "/accounts/auditor.key"});
  INFO(ok.out << ok.err);
  CHECK(ok.code == 0);
  // The registrar reads everything too.
  CHECK(as({"--key", c.dir() + "/accounts/ipo-a.key"}).code == 0);

  CliResult bank = as({"--key", c.dir() + "/accounts/bank-a.key"});
  INFO(bank.out << bank.err);
  CHECK(bank.code == tools::audit::kExitDenied);
  CHECK_THAT(bank.err, Catch::Contains("READ_FORBIDDEN"));
  CHECK_THAT(bank.err, Catch::Contains("sign in with an account entitled to it"));
  CHECK_THAT(bank.err, Catch::Contains("needs no key"));

  CliResult anonymous = as({});
  INFO(anonymous.out << anonymous.err);
  CHECK(anonymous.code == tools::audit::kExitDenied);
  CHECK_THAT(anonymous.err, Catch::Contains("--key FILE or --profile NAME"));

  REQUIRE(io::WriteFileAtomic(c.dir() + "/stranger.key", *io::Ed25519KeyToPem(TestKey(99)), 0600).ok());
  CliResult stranger = as({"--key", c.dir() + "/stranger.key"});
  INFO(stranger.out << stranger.err);
  CHECK(stranger.code == tools::audit::kExitDenied);
  CHECK_THAT(stranger.err, Catch::Contains("AUTH_UNKNOWN_ACCOUNT: this key is not an account on this chain"));

  // A stopped node's directory needs no key at all.
  c.Stop(0);
  CliResult dir = RunCli({"verify", "--data-dir", DataDir(c, 0), "--genesis", genesis, "--quiet"});
  INFO(dir.err);
  CHECK(dir.code == 0);
}

}  // namespace pledger::test
