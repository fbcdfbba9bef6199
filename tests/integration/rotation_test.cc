// Rotation and revocation on a running consortium (issue 16), with real
// pledgerd processes: while clients keep writing and reading, a node's TLS
// certificate is renewed and reloaded (SIGHUP), then its key is rotated by a
// self-signed ValidatorRotateKey, then an account rotates its own key.
// Nothing acknowledged may be lost, no request may be refused, and
// pledger-audit must verify the chain across the rotation height. Then a
// node is removed by governance: its peer links are cut within a second and
// its later connections are refused.
#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "ledger/tx.h"
#include "tests/integration/cluster.h"
#include "tools/common/workload.h"
#include "tools/proto/admin.pb.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

#define CLUSTER_REQUIRE(c, cond) \
  do {                           \
    if (!(cond)) (c).DumpLogs(); \
    REQUIRE(cond);               \
  } while (0)

std::uint64_t Expiry(TestCluster& c, int i) {
  auto s = c.Status(i);
  return (s.ok() ? s->height() : 0) + 1000;
}

std::string Tx(TestCluster& c, const std::vector<const ledger::SecretKey*>& signers,
               const std::function<void(contracts::Action*)>& fill) {
  static std::atomic<std::uint64_t> nonce{1};
  ledger::TxBody b;
  b.set_chain_id(c.chain_id());
  b.set_nonce(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) + nonce++);
  b.set_expiry_height(Expiry(c, 0));
  fill(b.mutable_action());
  ledger::Transaction tx = ledger::MakeTransaction(b);
  for (const auto* k : signers) ledger::SignTransaction(&tx, *k);
  return tx.SerializeAsString();
}

// Submits through node i, waits for the receipt there; returns its code and height.
std::pair<std::string, std::uint64_t> Commit(TestCluster& c, int i, const std::string& raw) {
  auto st = c.Submit(i, raw);
  if (!st.ok() || (*st != 200 && *st != 202)) return {"SUBMIT_FAILED", 0};
  const ledger::Hash256 id = ledger::TxIdOfBytes(raw);
  std::string code;
  c.WaitFor(
      [&] {
        auto r = c.ReceiptCode(i, id);
        if (r.ok()) code = *r;
        return !code.empty();
      },
      20s);
  std::uint64_t height = 0;
  if (auto r = c.Client(i).Get("/v1/txs/" + ledger::HexEncode(id)); r.ok() && r->status == 200) {
    auto at = r->body.find("\"height\":");
    if (at != std::string::npos) height = std::strtoull(r->body.c_str() + at + 9 + (r->body[at + 9] == '"'), nullptr, 10);
  }
  return {code, height};
}

std::vector<ledger::Hash256> WaitCommitted(TestCluster& c, int i, std::vector<ledger::Hash256> ids,
                                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ids.empty() && std::chrono::steady_clock::now() < deadline) {
    std::vector<ledger::Hash256> left;
    for (const auto& id : ids) {
      auto code = c.ReceiptCode(i, id);
      if (!code.ok() || code->empty()) left.push_back(id);
    }
    ids = std::move(left);
    if (!ids.empty()) std::this_thread::sleep_for(100ms);
  }
  return ids;
}

std::int64_t OwnCertNotAfterMs(TestCluster& c, int i) {
  auto s = c.Status(i);
  if (!s.ok()) return -1;
  for (const auto& cert : s->certificates()) {
    if (cert.kind() == "node") return static_cast<std::int64_t>(cert.not_after_ms());
  }
  return -1;
}

// Clients that keep writing (round-robin over the nodes) and reading (with a
// token the rotating node issued) until stopped; every answer is recorded.
struct Load {
  TestCluster& c;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<ledger::Hash256> acknowledged;
  std::vector<std::string> refusals;  // what went wrong, for the failure message
  std::atomic<std::uint64_t> reads{0};
  std::thread writer, reader;

  Load(TestCluster& cluster, int token_node, const std::string& reader_account) : c(cluster) {
    // Every client its own connections: the harness's per-node clients are
    // not shared across threads.
    std::vector<std::unique_ptr<io::HttpClient>> writers;
    for (int i = 0; i < c.size(); ++i) writers.push_back(c.ClientAs(i, "ipo-a"));
    writer = std::thread([this, w = std::move(writers)]() mutable {
      tools::Workload work(c.Parties(), 7, 1);
      std::uint64_t expiry = 0;
      for (int k = 0; !stop; ++k) {
        if (k % 200 == 0) {
          auto s = w[0]->Get("/v1/status");
          if (s.ok() && s->status == 200) {
            auto at = s->body.find("\"height\":");
            std::uint64_t h = at == std::string::npos ? 0 : std::strtoull(s->body.c_str() + at + 9 + (s->body[at + 9] == '"'), nullptr, 10);
            expiry = h + 1000;
          }
        }
        tools::WorkloadTx tx = work.PatentRegister(expiry);
        auto r = w[static_cast<size_t>(k) % w.size()]->Request("POST", "/v1/txs", tx.raw, {{"Content-Type", "application/x-protobuf"}});
        std::lock_guard<std::mutex> lock(mu);
        if (r.ok() && (r->status == 200 || r->status == 202)) {
          acknowledged.push_back(tx.id);
        } else {
          refusals.push_back("submit: " + (r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString()));
        }
        if (k % 20 == 19) std::this_thread::sleep_for(10ms);
      }
    });
    auto issuer = c.ClientAs(token_node, reader_account);
    auto t = issuer->Post("/v1/auth/token", "");
    REQUIRE(t.ok());
    REQUIRE(t->status == 200);
    auto at = t->body.find("\"token\":\"");
    REQUIRE(at != std::string::npos);
    std::string token = t->body.substr(at + 9, t->body.find('"', at + 9) - at - 9);
    std::vector<std::unique_ptr<io::HttpClient>> readers;
    for (int i = 0; i < c.size(); ++i) {
      readers.push_back(c.ClientAs(i, ""));
      io::RequestCredentials cred;
      cred.bearer_token = token;
      readers.back()->SetCredentials(cred);
    }
    reader = std::thread([this, r = std::move(readers)]() mutable {
      for (int k = 0; !stop; ++k) {
        auto a = r[static_cast<size_t>(k) % r.size()]->Get("/v1/auth/whoami");
        if (a.ok() && a->status == 200) {
          ++reads;
        } else {
          std::lock_guard<std::mutex> lock(mu);
          refusals.push_back("read: " + (a.ok() ? std::to_string(a->status) + " " + a->body : a.status().ToString()));
        }
        std::this_thread::sleep_for(20ms);
      }
    });
  }
  void Stop() {
    stop = true;
    if (writer.joinable()) writer.join();
    if (reader.joinable()) reader.join();
  }
  ~Load() { Stop(); }
};

TEST_CASE("rotation: under load a node's certificate is renewed, then its key and an account key are rotated, "
          "nothing lost or refused, the audit verifies across",
          "[integration]") {
  TestCluster c;
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  const int target = 1;  // n2, operated by ipo-b
  const std::string node_dir = c.NodeDir(target);
  Load load(c, target, "appraiser");
  std::this_thread::sleep_for(2s);

  // 1. Renew the certificate (same key) and reload it without a restart.
  const std::int64_t before = OwnCertNotAfterMs(c, target);
  auto renew = RunProgram("pledger-admin",
                          {"renew-cert", "--ca", c.dir() + "/ca", "--node-dir", node_dir, "--org", "ipo-b", "--days", "400"},
                          30s);
  INFO(renew.output);
  REQUIRE(renew.exit_code == 0);
  size_t log_from = c.LogLines(target);
  c.Signal(target, SIGHUP);
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.LogContains(target, "reloaded the node certificate", log_from); }, 10s));
  CHECK(OwnCertNotAfterMs(c, target) != before);
  std::this_thread::sleep_for(1s);

  // 2. Rotate its key: staged by pledger-admin, self-signed by its own
  // organisation's account with both proofs.
  auto staged = RunProgram("pledger-admin", {"rotate-key", "--node-dir", node_dir, "--ca", c.dir() + "/ca"}, 30s);
  INFO(staged.output);
  REQUIRE(staged.exit_code == 0);
  tools::KeyRotation rot;
  REQUIRE(io::ReadJsonFile(node_dir + "/rotation.json", &rot).ok());
  CHECK(rot.old_public_key_hex() == c.PublicKeyHex(target));
  const std::string old_pub = rot.old_public_key_hex();
  auto hex = [](const std::string& h) { return ledger::HexDecode(h).value(); };
  log_from = c.LogLines(target);
  auto [code, rotation_height] = Commit(c, 0, Tx(c, {&c.Account("ipo-b")}, [&](contracts::Action* a) {
    auto* r = a->mutable_validator_rotate_key();
    r->set_node_id(rot.node_id());
    r->set_new_public_key_hex(rot.new_public_key_hex());
    r->set_new_key_proof(hex(rot.new_key_proof_hex()));
    r->set_old_key_proof(hex(rot.old_key_proof_hex()));
  }));
  CLUSTER_REQUIRE(c, code == "OK");
  REQUIRE(rotation_height > 0);
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.LogContains(target, "installed the rotated node key", log_from); }, 10s));
  // The node now presents the new key: its peers take it back.
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto s = c.Status(0);
                           if (!s.ok()) return false;
                           for (const auto& p : s->peers()) {
                             if (p.node_id() == c.NodeId(target) && !p.connected()) return false;
                           }
                           auto t = c.Status(target);
                           if (!t.ok()) return false;
                           for (const auto& p : t->peers()) {
                             if (!p.connected()) return false;
                           }
                           return true;
                         },
                         15s));
  std::this_thread::sleep_for(2s);

  // 3. An account rotates its own key (signed by the old key, the new key's proof).
  ledger::SecretKey next = ledger::SecretKey::Generate();
  const std::string bank_old = ledger::HexEncode(c.Account("bank-b").public_key());
  const std::string bank_new = ledger::HexEncode(next.public_key());
  auto proof = next.Sign(ledger::KeyRotationMessage(c.chain_id(), "account:" + bank_old, bank_old, bank_new));
  auto [acode, aheight] = Commit(c, 2, Tx(c, {&c.Account("bank-b")}, [&](contracts::Action* a) {
    auto* r = a->mutable_account_rotate_key();
    r->set_old_public_key_hex(bank_old);
    r->set_new_public_key_hex(bank_new);
    r->set_new_key_proof(std::string(reinterpret_cast<const char*>(proof.data()), proof.size()));
  }));
  CLUSTER_REQUIRE(c, acode == "OK");
  CHECK(aheight > rotation_height);
  std::this_thread::sleep_for(2s);
  load.Stop();

  // The old account key is refused from that block on; the new one reads.
  auto old_client = c.ClientAs(0, "bank-b");
  auto refused = old_client->Get("/v1/auth/whoami");
  REQUIRE(refused.ok());
  CHECK(refused->status == 401);
  io::RequestCredentials fresh;
  fresh.chain_id = c.chain_id();
  fresh.key = std::make_shared<const ledger::SecretKey>(std::move(next));
  old_client->SetCredentials(fresh);
  auto accepted = old_client->Get("/v1/auth/whoami");
  REQUIRE(accepted.ok());
  CHECK(accepted->status == 200);
  CHECK(accepted->body.find("bank-b") != std::string::npos);

  // Nothing acknowledged was lost, nothing refused.
  std::vector<ledger::Hash256> acked;
  std::vector<std::string> refusals;
  {
    std::lock_guard<std::mutex> lock(load.mu);
    acked = load.acknowledged;
    refusals = load.refusals;
  }
  INFO(acked.size() << " acknowledged, " << load.reads.load() << " reads; first refusal: "
                    << (refusals.empty() ? std::string("none") : refusals.front()));
  CHECK(acked.size() > 200);
  CHECK(load.reads.load() > 50);
  CHECK(refusals.empty());
  for (int i = 0; i < c.size(); ++i) CLUSTER_REQUIRE(c, WaitCommitted(c, i, acked, 60s).empty());

  // Attestations after the rotation are signed with the new key and count.
  auto s0 = c.Status(0);
  REQUIRE(s0.ok());
  CHECK(s0->height() > rotation_height + 2);

  // The auditor replays everything and checks every attestation with the key
  // in force at its height, across the rotation.
  auto audit = RunProgram("pledger-audit",
                          {"verify", "--node", c.ApiUrl(0), "--genesis", c.dir() + "/genesis.json", "--key",
                           c.dir() + "/accounts/ipo-a.key", "--json", "--quiet"},
                          120s);
  INFO(audit.output);
  CHECK(audit.exit_code == 0);
}

TEST_CASE("rotation: a removed node is disconnected within a second and its later connections are refused",
          "[integration]") {
  TestCluster c;
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  tools::Workload w(c.Parties(), 5, 1);
  auto first = Commit(c, 0, w.PatentRegister(Expiry(c, 0)).raw);
  CLUSTER_REQUIRE(c, first.first == "OK");
  // Remove a follower: two voters remain, a quorum of two.
  int leader = c.WaitForLeader(10s);
  const int victim = leader == 2 ? 1 : 2;
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto s = c.Status(victim);
                           if (!s.ok() || s->peers().empty()) return false;
                           for (const auto& p : s->peers()) {
                             if (!p.connected()) return false;
                           }
                           return true;
                         },
                         10s));
  const std::string remove = Tx(c, {&c.Account("ipo-a"), &c.Account("ipo-b")}, [&](contracts::Action* a) {
    a->mutable_validator_remove()->set_node_id(c.NodeId(victim));
  });
  const ledger::Hash256 id = ledger::TxIdOfBytes(remove);
  auto st = c.Submit(leader, remove);
  REQUIRE(st.ok());
  // The moment the leader has applied the removing block...
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto r = c.ReceiptCode(leader, id);
                           return r.ok() && !r->empty();
                         },
                         20s));
  REQUIRE(*c.ReceiptCode(leader, id) == "OK");
  const auto applied = std::chrono::steady_clock::now();
  // ... the removed node has no live peer link within a second.
  bool cut = c.WaitFor(
      [&] {
        auto s = c.Status(victim);
        if (!s.ok()) return false;
        for (const auto& p : s->peers()) {
          if (p.connected()) return false;
        }
        return true;
      },
      3s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - applied);
  INFO("cut after " << took.count() << " ms");
  CLUSTER_REQUIRE(c, cut);
  CHECK(took < 1000ms);
  // Later connections are refused, and it learns no more blocks.
  auto frozen = c.Status(victim);
  REQUIRE(frozen.ok());
  for (int k = 0; k < 5; ++k) {
    auto r = Commit(c, leader, w.PatentRegister(Expiry(c, leader)).raw);
    CLUSTER_REQUIRE(c, r.first == "OK");
  }
  std::this_thread::sleep_for(2s);
  auto later = c.Status(victim);
  REQUIRE(later.ok());
  CHECK(later->height() == frozen->height());
  bool refused = false;
  for (int i = 0; i < c.size(); ++i) {
    if (i != victim) refused = refused || c.LogContains(i, "refused inbound peer '" + c.NodeId(victim) + "'");
  }
  CHECK(refused);
}

// An organisation's trust roots change by governance and take effect live:
// withdrawn, its node is cut at once; restored, it is taken back and catches up.
TEST_CASE("rotation: replacing an organisation's trust roots cuts its nodes at once, restoring them lets them back",
          "[integration]") {
  TestCluster c;
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  const int b = 1;  // n2, of ipo-b
  auto ca_pem = io::ReadFile(c.dir() + "/consortium-ca.crt");
  REQUIRE(ca_pem.ok());
  auto ca_der = io::CertPemToDer(*ca_pem);
  REQUIRE(ca_der.ok());
  auto other = io::GenerateCa("Another CA of ipo-b", 30);
  REQUIRE(other.ok());
  auto other_der = io::CertPemToDer(other->cert_pem);
  REQUIRE(other_der.ok());
  int leader = c.WaitForLeader(10s);
  const int via = leader == b ? 0 : leader;
  auto set_roots = [&](const std::string& der) {
    return Commit(c, via, Tx(c, {&c.Account("ipo-a"), &c.Account("ipo-b")}, [&](contracts::Action* a) {
      a->mutable_org_tls_roots_set()->set_org_id("ipo-b");
      a->mutable_org_tls_roots_set()->add_tls_roots(der);
    }));
  };
  size_t from0 = c.LogLines(0);
  // ipo-b now vouches only for a CA that did not issue n2's certificate.
  auto withdrawn = set_roots(*other_der);
  CLUSTER_REQUIRE(c, withdrawn.first == "OK");
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto s = c.Status(b);
                           if (!s.ok()) return false;
                           for (const auto& p : s->peers()) {
                             if (p.connected()) return false;
                           }
                           return true;
                         },
                         5s));
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.LogContains(0, "CERT_UNTRUSTED", from0); }, 5s));
  // The other two go on without it.
  tools::Workload w(c.Parties(), 9, 1);
  auto during = Commit(c, via, w.PatentRegister(Expiry(c, via)).raw);
  CLUSTER_REQUIRE(c, during.first == "OK");
  // Restored: n2 is taken back and catches up.
  auto restored = set_roots(*ca_der);
  CLUSTER_REQUIRE(c, restored.first == "OK");
  auto after = Commit(c, via, w.PatentRegister(Expiry(c, via)).raw);
  CLUSTER_REQUIRE(c, after.first == "OK");
  CLUSTER_REQUIRE(c, c.WaitForHeight(b, after.second, 20s));
}

}  // namespace
}  // namespace pledger::test
