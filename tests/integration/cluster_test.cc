// Multi-process tests of pledgerd: real processes, real TLS, real LevelDB,
// 127.0.0.1 only, free ports. Label `integration`.
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "tests/integration/cluster.h"
#include "tests/integration/wallet_runner.h"
#include "ledger/io/proto/config.pb.h"
#include "node/limits.h"
#include "node/transport.h"
#include "tests/support/pki_fixture.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

// Fails the test with every node's log tail.
#define CLUSTER_REQUIRE(c, cond) \
  do {                           \
    if (!(cond)) (c).DumpLogs(); \
    REQUIRE(cond);               \
  } while (0)

std::uint64_t Expiry(TestCluster& c, int i) {
  auto s = c.Status(i);
  return (s.ok() ? s->height() : 0) + 1000;
}

// Waits until every id has a receipt on node i; returns the ids still missing.
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

// Every running node has the same block hash at `height` and the same state root.
bool SameChain(TestCluster& c, std::uint64_t height) {
  std::set<std::string> hashes, roots;
  for (int i = 0; i < c.size(); ++i) {
    if (!c.Running(i)) continue;
    auto r = c.Client(i).Get("/v1/blocks/" + std::to_string(height));
    if (!r.ok() || r->status != 200) return false;
    auto h = r->body.find("\"hash\":\"");
    if (h == std::string::npos) return false;
    hashes.insert(r->body.substr(h + 8, 64));
    auto s = r->body.find("\"state_root\":\"");
    if (s == std::string::npos) return false;
    roots.insert(r->body.substr(s + 14, 64));
  }
  return hashes.size() == 1 && roots.size() == 1;
}

std::string GovTx(TestCluster& c, const std::function<void(contracts::Action*)>& fill) {
  ledger::TxBody b;
  b.set_chain_id(c.chain_id());
  b.set_nonce(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  b.set_expiry_height(Expiry(c, 0));
  fill(b.mutable_action());
  ledger::Transaction tx = ledger::MakeTransaction(b);
  ledger::SignTransaction(&tx, c.Account("ipo-a"));
  ledger::SignTransaction(&tx, c.Account("ipo-b"));
  return tx.SerializeAsString();
}

TEST_CASE("cluster: 1000 transactions round-robin all commit and every node agrees", "[integration]") {
  TestCluster c;
  // One node keeps Snappy-compressed tables (storage.compression): the disk
  // layout is LevelDB's business, the chain the same.
  {
    config::NodeConfig cfg;
    REQUIRE(io::ReadJsonFile(c.ConfigPath(2), &cfg).ok());
    cfg.mutable_storage()->set_compression("snappy");
    REQUIRE(io::WriteFileAtomic(c.ConfigPath(2), io::ToJson(cfg), 0600).ok());
  }
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  tools::Workload w(c.Parties(), 1, 1);
  std::vector<ledger::Hash256> ids;
  std::vector<std::string> raws;
  std::uint64_t expiry = Expiry(c, 0);
  for (int k = 0; k < 1000; ++k) {
    tools::WorkloadTx tx = w.PatentRegister(expiry);
    int node = k % c.size();
    auto st = c.Submit(node, tx.raw);
    // 503 TX_BACKLOG is admission control asking this client to pace itself
    // (its node already lets as many of its clients' transactions wait as it
    // will; docs/node.md "Mempool and admission"); a client retries after the
    // interval it is given. Under TSan the commits are slow enough for ~333
    // unwaited submissions per node to reach the limit.
    for (const auto until = std::chrono::steady_clock::now() + 30s;
         st.ok() && *st == 503 && std::chrono::steady_clock::now() < until;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(node::limits::kAdmissionRetryAfterMs));
      st = c.Submit(node, tx.raw);
    }
    CLUSTER_REQUIRE(c, st.ok());
    INFO("submit to node " << node << " returned " << *st);
    REQUIRE((*st == 202 || *st == 200));
    ids.push_back(tx.id);
    raws.push_back(tx.raw);
  }
  auto missing = WaitCommitted(c, 0, ids, 60s);
  CLUSTER_REQUIRE(c, missing.empty());
  for (const auto& id : ids) REQUIRE(*c.ReceiptCode(0, id) == "OK");
  auto st = c.Status(0);
  REQUIRE(st.ok());
  std::uint64_t height = st->height();
  for (int i = 0; i < c.size(); ++i) CLUSTER_REQUIRE(c, c.WaitForHeight(i, height, 20s));
  for (std::uint64_t h = 1; h <= height; ++h) CLUSTER_REQUIRE(c, SameChain(c, h));

  // Replay protection is the chain's tx index alone (docs/contracts.md): a
  // committed transaction sent again, still inside its expiry window, is
  // answered by every node with the block that already holds it (with
  // ?wait, with the receipt it already has), never admitted or run twice.
  auto height_of = [](const std::string& body) {
    auto p = body.find("\"height\":\"");
    return p == std::string::npos ? std::string() : body.substr(p + 10, body.find('"', p + 10) - p - 10);
  };
  for (int i = 0; i < c.size(); ++i) {
    const size_t k = static_cast<size_t>(i) * 97;
    const std::vector<std::pair<std::string, std::string>> proto = {{"Content-Type", "application/x-protobuf"}};
    auto again = c.Client(i).Request("POST", "/v1/txs", raws[k], proto, 10s);
    REQUIRE(again.ok());
    INFO(again->body);
    CHECK(again->status == 200);
    CHECK(again->body.find("\"status\":\"COMMITTED\"") != std::string::npos);
    CHECK(again->body.find("is already in block") != std::string::npos);
    auto first = c.Client(i).Get("/v1/txs/" + ledger::HexEncode(ids[k]));
    auto waited = c.Client(i).Request("POST", "/v1/txs?wait=2000", raws[k], proto, 10s);
    REQUIRE((first.ok() && waited.ok()));
    CHECK(waited->status == 200);
    CHECK(!height_of(first->body).empty());
    CHECK(height_of(waited->body) == height_of(first->body));
  }

  // /metrics is Prometheus text, and its counters agree with what happened:
  // every node applied the 1,000 transactions once (the resubmissions above
  // were not run again) and holds their ids in its tx index's front.
  auto value_of = [](const std::string& text, const std::string& name) -> std::optional<double> {
    auto p = text.find("\n" + name + " ");
    if (p == std::string::npos) return std::nullopt;
    return std::stod(text.substr(p + name.size() + 2));
  };
  for (int i = 0; i < c.size(); ++i) {
    auto m = c.Client(i).Get("/metrics");
    REQUIRE(m.ok());
    REQUIRE(m->status == 200);
    INFO("node " << i << "\n" << m->body.substr(0, 2000));
    CHECK(m->body.find("# TYPE pledger_txs_committed_total counter\n") != std::string::npos);
    CHECK(value_of(m->body, "pledger_txs_committed_total") == std::optional<double>(1000));
    CHECK(value_of(m->body, "pledger_tx_index_memory_ids") == std::optional<double>(1000));
    auto applied = value_of(m->body, "pledger_block_height");
    REQUIRE(applied.has_value());
    CHECK(*applied >= static_cast<double>(height));
    auto copy = value_of(m->body, "pledger_state_bucket_copy_bytes");
    REQUIRE(copy.has_value());
    CHECK(*copy > 0);
    CHECK(*copy <= 128.0 * 1024 * 1024);
  }
  // Restarted, the compressing node (last: its counters restart) writes what its LevelDB log held as a
  // compressed table and reads the chain back from it.
  c.Stop(2);
  c.Start(2);
  CLUSTER_REQUIRE(c, c.WaitForHeight(2, height, 20s));
  for (std::uint64_t h = 1; h <= height; ++h) CLUSTER_REQUIRE(c, SameChain(c, h));
}

TEST_CASE("cluster: kill -9 the leader under load and nothing acknowledged is lost", "[integration]") {
  TestCluster c;
  c.StartAll();
  int leader = c.WaitForLeader(20s);
  CLUSTER_REQUIRE(c, leader >= 0);

  // Clients submit through the followers and wait for receipts, recording
  // every transaction acknowledged as committed.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<ledger::Hash256> acknowledged;
  std::vector<std::thread> clients;
  for (int t = 0; t < 2; ++t) {
    int via = (leader + 1 + t) % c.size();
    clients.emplace_back([&, t, via] {
      tools::Workload w(c.Parties(), 2, 10 + t);
      io::HttpClientOptions o;
      o.timeout = 10s;
      auto client = io::HttpClient::Create(c.ApiUrl(via), o);
      if (!client.ok()) return;
      std::uint64_t expiry = 3000;  // within the chain's replay window from height 0
      while (!stop) {
        tools::WorkloadTx tx = w.PatentRegister(expiry);
        auto r = (*client)->Request("POST", "/v1/txs?wait=5000", tx.raw,
                                    {{"Content-Type", "application/x-protobuf"}});
        if (r.ok() && r->status == 200 && r->body.find("\"COMMITTED\"") != std::string::npos) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(tx.id);
        }
      }
    });
  }
  std::this_thread::sleep_for(2s);
  size_t before_kill;
  {
    std::lock_guard<std::mutex> lock(mu);
    before_kill = acknowledged.size();
  }
  c.Kill(leader);
  auto killed_at = std::chrono::steady_clock::now();
  int next = -1;
  c.WaitFor(
      [&] {
        for (int i = 0; i < c.size(); ++i) {
          if (i == leader) continue;
          auto s = c.Status(i);
          if (s.ok() && s->role() == "LEADER") {
            next = i;
            return true;
          }
        }
        return false;
      },
      10s);
  CLUSTER_REQUIRE(c, next >= 0);
  auto elected_in = std::chrono::steady_clock::now() - killed_at;
  CHECK(elected_in < 5s);
  std::this_thread::sleep_for(2s);
  stop = true;
  for (auto& t : clients) t.join();
  CLUSTER_REQUIRE(c, before_kill > 0);
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(acknowledged.size() > before_kill);  // the cluster kept committing
  }
  // The old leader comes back and catches up; every acknowledged transaction
  // is on every node.
  c.Start(leader);
  auto s = c.Status(next);
  REQUIRE(s.ok());
  CLUSTER_REQUIRE(c, c.WaitForHeight(leader, s->height(), 30s));
  for (int i = 0; i < c.size(); ++i) {
    auto missing = WaitCommitted(c, i, acknowledged, 30s);
    INFO("node " << i << " is missing " << missing.size() << " acknowledged transactions");
    CLUSTER_REQUIRE(c, missing.empty());
  }
  CLUSTER_REQUIRE(c, SameChain(c, s->height()));
}

TEST_CASE("cluster: after log compaction a new node joins as learner then is promoted and the "
          "cluster survives losing an original node",
          "[integration]") {
  ClusterOptions o;
  o.raft_log_retain = 20;  // compact often
  TestCluster c(o);
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  tools::Workload w(c.Parties(), 3, 1);
  std::vector<ledger::Hash256> ids;
  // Enough blocks that the log is compacted past the start.
  for (int k = 0; k < 60; ++k) {
    tools::WorkloadTx tx = w.PatentRegister(Expiry(c, 0));
    REQUIRE(c.Submit(k % 3, tx.raw).ok());
    ids.push_back(tx.id);
    if (k % 5 == 4) std::this_thread::sleep_for(50ms);  // spread over many blocks
  }
  CLUSTER_REQUIRE(c, WaitCommitted(c, 0, ids, 30s).empty());
  // Every node compacts its log (a housekeeping pass once a second).
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           for (int i = 0; i < c.size(); ++i) {
                             auto s = c.Status(i);
                             if (!s.ok() || s->raft_first_index() <= 10) return false;
                           }
                           return true;
                         },
                         20s));

  int fresh = c.PrepareJoiningNode();
  std::string add = GovTx(c, [&](contracts::Action* a) {
    auto* v = a->mutable_validator_add()->mutable_validator();
    v->set_node_id(c.NodeId(fresh));
    v->set_public_key_hex(c.PublicKeyHex(fresh));
    v->set_role(contracts::VALIDATOR_LEARNER);
    v->set_org_id("ipo-a");
    v->set_peer_address(c.PeerAddress(fresh));
    v->set_api_address(c.ApiAddress(fresh));
  });
  REQUIRE(c.Submit(0, add).ok());
  ledger::Transaction add_tx;
  add_tx.ParseFromString(add);
  CLUSTER_REQUIRE(c, WaitCommitted(c, 0, {ledger::TxId(add_tx)}, 20s).empty());
  REQUIRE(*c.ReceiptCode(0, ledger::TxId(add_tx)) == "OK");
  c.Start(fresh);
  auto st0 = c.Status(0);
  REQUIRE(st0.ok());
  CLUSTER_REQUIRE(c, c.WaitForHeight(fresh, st0->height(), 40s));
  auto st_fresh = c.Status(fresh);
  REQUIRE(st_fresh.ok());
  CHECK(st_fresh->role() == "LEARNER");
  // It came in through a snapshot (the log no longer held the start).
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.LogContains(fresh, "caught up to height"); }, 5s));

  std::string promote = GovTx(c, [&](contracts::Action* a) {
    a->mutable_validator_promote()->set_node_id(c.NodeId(fresh));
  });
  REQUIRE(c.Submit(1, promote).ok());
  ledger::Transaction promote_tx;
  promote_tx.ParseFromString(promote);
  CLUSTER_REQUIRE(c, WaitCommitted(c, 0, {ledger::TxId(promote_tx)}, 20s).empty());
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto s = c.Status(fresh);
                           return s.ok() && (s->role() == "FOLLOWER" || s->role() == "LEADER");
                         },
                         20s));

  // Stop one original node that is not the leader: 3 of 4 voters remain.
  int leader = c.WaitForLeader(10s);
  int victim = leader == 0 ? 1 : 0;
  c.Stop(victim);
  std::vector<ledger::Hash256> more;
  std::uint64_t expiry = Expiry(c, fresh);
  for (int k = 0; k < 20; ++k) {
    tools::WorkloadTx tx = w.PatentRegister(expiry);
    int via = (victim + 1 + k % 3) % c.size();
    REQUIRE(c.Submit(via, tx.raw).ok());
    more.push_back(tx.id);
  }
  CLUSTER_REQUIRE(c, WaitCommitted(c, fresh, more, 30s).empty());
  auto s = c.Status(fresh);
  REQUIRE(s.ok());
  for (int i = 0; i < c.size(); ++i) {
    if (c.Running(i)) CLUSTER_REQUIRE(c, c.WaitForHeight(i, s->height(), 20s));
  }
  CLUSTER_REQUIRE(c, SameChain(c, s->height()));
}

// Issue 17 (soak finding): a node that catches up after the log was
// compacted executes the blocks it missed, so its history and version
// indexes have no holes, and it answers reads about those heights exactly
// as a node that never stopped.
TEST_CASE("cluster: a follower stopped past the retained log executes the blocks it missed and answers "
          "history and as-of reads like the others",
          "[integration]") {
  ClusterOptions o;
  o.raft_log_retain = 20;  // compact often
  TestCluster c(o);
  c.StartAll();
  int leader = c.WaitForLeader(20s);
  CLUSTER_REQUIRE(c, leader >= 0);
  const int down = (leader + 1) % c.size();
  int other = (leader + 2) % c.size();
  auto before = c.Status(down);
  REQUIRE(before.ok());
  c.Stop(down);

  tools::Workload w(c.Parties(), 7, 1);
  std::vector<tools::WorkloadTx> first, second;
  auto submit_batch = [&](std::vector<tools::WorkloadTx>* out, int n) {
    std::vector<ledger::Hash256> ids;
    for (int k = 0; k < n; ++k) {
      tools::WorkloadTx tx = w.PatentRegister(Expiry(c, leader));
      REQUIRE(c.Submit(k % 2 == 0 ? leader : other, tx.raw).ok());
      ids.push_back(tx.id);
      out->push_back(tx);
      if (k % 4 == 3) std::this_thread::sleep_for(50ms);  // spread over many blocks
    }
    CLUSTER_REQUIRE(c, WaitCommitted(c, leader, ids, 30s).empty());
  };
  submit_batch(&first, 30);
  auto mid = c.Status(leader);
  REQUIRE(mid.ok());
  const std::uint64_t mid_height = mid->height();
  submit_batch(&second, 30);
  // The running nodes compact their logs past where the stopped one was.
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           for (int i : {leader, other}) {
                             auto s = c.Status(i);
                             if (!s.ok() || s->raft_first_index() <= before->applied_index() + 1) return false;
                           }
                           return true;
                         },
                         20s));

  // The others' transports keep frames for a vanished peer (up to
  // limits::kPeerQueueFramesMax) and would replay the entries from there:
  // restart them so the returning node must be sent a snapshot.
  c.Stop(leader);
  c.Stop(other);
  c.Start(leader);
  c.Start(other);
  leader = c.WaitForLeader(20s);
  CLUSTER_REQUIRE(c, (leader >= 0 && leader != down));
  other = 3 - leader - down;  // the third of nodes 0, 1, 2
  const size_t log_from = c.LogLines(down);
  c.Start(down);
  auto top = c.Status(leader);
  REQUIRE(top.ok());
  CLUSTER_REQUIRE(c, c.WaitForHeight(down, top->height(), 40s));
  // It came in through a snapshot and executed the blocks, not a state copy.
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.LogContains(down, "blocks fetched and executed", log_from); }, 10s));
  CLUSTER_REQUIRE(c, SameChain(c, top->height()));

  auto same = [&](const std::string& target) {
    auto want = c.Client(leader).Get(target);
    auto got = c.Client(down).Get(target);
    REQUIRE(want.ok());
    REQUIRE(got.ok());
    INFO(target << "\nleader: " << want->status << " " << want->body << "\ncaught up: " << got->status << " "
                << got->body);
    CHECK(want->status == 200);
    CHECK(got->status == want->status);
    CHECK(got->body == want->body);
  };
  for (const auto* batch : {&first, &second}) {
    for (size_t k = 0; k < batch->size(); k += 5) {
      const tools::WorkloadTx& tx = (*batch)[k];
      same("/v1/history/patent/" + tx.patent_no);
      same("/v1/patents/" + tx.patent_no + "?height=" + std::to_string(top->height()));
    }
  }
  for (size_t k = 0; k < first.size(); k += 5) {
    same("/v1/patents/" + first[k].patent_no + "?height=" + std::to_string(mid_height));
  }
  same("/v1/stats/pledges");

  // And it takes part again: a transaction submitted to it commits everywhere.
  tools::WorkloadTx last = w.PatentRegister(Expiry(c, down));
  REQUIRE(c.Submit(down, last.raw).ok());
  for (int i = 0; i < c.size(); ++i) CLUSTER_REQUIRE(c, WaitCommitted(c, i, {last.id}, 20s).empty());
}

TEST_CASE("cluster: foreign certificates and unknown node ids and garbage are refused", "[integration]") {
  TestCluster c;
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);

  // Garbage on the peer and API ports of every node.
  for (int i = 0; i < c.size(); ++i) {
    for (bool api : {false, true}) {
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket s(io);
      std::string url = c.ApiUrl(i);
      std::uint16_t port = api ? static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)))
                               : static_cast<std::uint16_t>(std::stoi(c.PeerAddress(i).substr(10)));
      s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
      std::string junk(10000, '\x16');
      for (size_t k = 0; k < junk.size(); ++k) junk[k] = static_cast<char>((k * 7919) & 0xff);
      boost::system::error_code ec;
      boost::asio::write(s, boost::asio::buffer(junk), ec);
    }
  }
  // A node with a certificate from another CA, claiming a member's id, and a
  // node with a valid certificate but an id that is not in the validator set,
  // try to talk to node 0 through the real transport.
  PkiFixture rogue("Rogue CA", {"n2"});
  {
    boost::asio::io_context io;
    node::TransportOptions o;
    o.node_id = "n2";
    o.cert_file = rogue.cert_file("n2");
    o.key_file = rogue.key_file("n2");
    o.reconnect_min = 100ms;
    node::PeerTransport evil(io, o, [](const std::string&, std::string) {},
                             [](const node::PeerCertificate&) { return Status::OK(); });
    REQUIRE(evil.Start().ok());
    auto hp = c.PeerAddress(0);
    evil.SetPeers({{"n1", {"127.0.0.1", static_cast<std::uint16_t>(std::stoi(hp.substr(hp.rfind(':') + 1)))}}});
    evil.Send("n1", "hello");
    // Under TLS 1.3 the rogue's side of the handshake completes before node 0
    // has checked its certificate, so each redial shows the link up for the
    // moment node 0 takes to refuse it and close. One sample could land in
    // that moment (it did, under TSan); what must never happen is a link that
    // stays up, and the rogue must back off rather than redial at its minimum.
    auto longest_up = 0ms;
    auto up_since = std::chrono::steady_clock::time_point{};
    bool was_up = false;
    for (auto end = std::chrono::steady_clock::now() + 3s; std::chrono::steady_clock::now() < end;) {
      io.run_for(10ms);
      const bool up = evil.Stats()["n1"].connected;
      const auto now = std::chrono::steady_clock::now();
      if (up && !was_up) up_since = now;
      if (up) longest_up = std::max(longest_up, std::chrono::duration_cast<std::chrono::milliseconds>(now - up_since));
      was_up = up;
    }
    CHECK(longest_up < 1s);
    const auto connects = evil.Stats()["n1"].connects;
    CHECK(connects >= 1);  // it did reach node 0, which cut it
    CHECK(connects <= 8);  // 100 ms doubling: ~5 redials in 3 s, not 30
    evil.Stop();
    io.run_for(100ms);
  }
  int outsider = c.PrepareJoiningNode();  // certified by the consortium CA, not on the ledger
  c.Start(outsider);
  std::this_thread::sleep_for(3s);
  auto os = c.Status(outsider);
  if (os.ok()) CHECK(os->height() == 0);  // nobody talks to it: it learns nothing

  // The cluster is unharmed: it still commits.
  tools::Workload w(c.Parties(), 4, 1);
  tools::WorkloadTx tx = w.PatentRegister(Expiry(c, 0));
  REQUIRE(c.Submit(0, tx.raw).ok());
  CLUSTER_REQUIRE(c, WaitCommitted(c, 0, {tx.id}, 20s).empty());
  for (int i = 0; i < 3; ++i) {
    auto h = c.Client(i).Get("/healthz");
    REQUIRE(h.ok());
    CHECK(h->status == 200);
  }
  // The members' logs name the refusals.
  bool refused = false;
  for (int i = 0; i < 3; ++i) refused = refused || c.LogContains(i, "refused inbound");
  CHECK(refused);
  c.Stop(outsider);
}

TEST_CASE("cluster: a node refuses a data directory in use or of another chain", "[integration]") {
  TestCluster c;
  c.Start(0);
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.Status(0).ok(); }, 20s));
  // The same data directory again, while the first process holds it.
  RunResult twice = RunPledgerd(c.ConfigPath(0), 20s);
  INFO(twice.output);
  CHECK(twice.exit_code == 1);
  CHECK(twice.output.find("DB_LOCKED") != std::string::npos);
  c.Stop(0);

  // Another consortium's node pointed at this node's data directory.
  TestCluster other;
  config::NodeConfig cfg;
  REQUIRE(io::ReadJsonFile(other.ConfigPath(0), &cfg).ok());
  cfg.set_data_dir(c.dir() + "/nodes/" + c.NodeId(0) + "/data");
  std::string path = other.dir() + "/nodes/" + other.NodeId(0) + "/foreign.json";
  REQUIRE(io::WriteFileAtomic(path, io::ToJson(cfg), 0600).ok());
  RunResult foreign = RunPledgerd(path, 20s);
  INFO(foreign.output);
  CHECK(foreign.exit_code == 1);
  CHECK(foreign.output.find("CHAIN_MISMATCH") != std::string::npos);

  // A configuration with a bad field names the field and exits 2.
  cfg.set_api_listen("not-an-address");
  cfg.set_data_dir("data");
  REQUIRE(io::WriteFileAtomic(path, io::ToJson(cfg), 0600).ok());
  RunResult bad = RunPledgerd(path, 20s);
  INFO(bad.output);
  CHECK(bad.exit_code != 0);
  CHECK(bad.output.find("api_listen") != std::string::npos);
  REQUIRE(io::WriteFileAtomic(path, "{\"node_id\": \"n1\", \"no_such_field\": 1}", 0600).ok());
  RunResult unknown = RunPledgerd(path, 20s);
  INFO(unknown.output);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("no_such_field") != std::string::npos);
  cfg.set_api_listen(c.ApiAddress(0));
  cfg.mutable_storage()->set_compression("zstd");
  REQUIRE(io::WriteFileAtomic(path, io::ToJson(cfg), 0600).ok());
  RunResult compression = RunPledgerd(path, 20s);
  INFO(compression.output);
  CHECK(compression.exit_code == 2);
  CHECK(compression.output.find("CONFIG_INVALID") != std::string::npos);
  CHECK(compression.output.find("storage.compression") != std::string::npos);
}


// Issue 17 (an API no client can lock): one address holding 1,000 idle
// connections and 200 that dribble a request never finish, and /v1/status
// still answers another client within a second; the pressure shows in
// /metrics, and the log carries a summary line, not one per connection.
TEST_CASE("cluster: 1000 idle and 200 slowloris connections leave the API answering", "[integration]") {
  if (rlimit rl{}; getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
  ClusterOptions one;
  one.nodes = 1;
  TestCluster c(one);
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  boost::asio::io_context io;
  const auto api = boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  static_cast<unsigned short>(std::stoi(c.ApiAddress(0).substr(10))));
  std::vector<boost::asio::ip::tcp::socket> held;
  held.reserve(1200);
  size_t opened = 0;
  for (int i = 0; i < 1200; ++i) {
    boost::asio::ip::tcp::socket s(io);
    boost::system::error_code ec;
    s.connect(api, ec);
    if (ec) continue;
    ++opened;
    if (i >= 1000) {
      // Slowloris: a request line and half a header, then nothing.
      const std::string part = "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a";
      boost::asio::write(s, boost::asio::buffer(part), ec);
    }
    held.push_back(std::move(s));
  }
  CHECK(opened >= 1150);  // the node accepts; it makes room instead of resetting
  // Another client, now.
  auto fresh = c.ClientAs(0, "");
  const auto start = std::chrono::steady_clock::now();
  auto status = fresh->Get("/v1/status");
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(status.ok());
  CHECK(status->status == 200);
  CHECK(took < 1s);
  auto metrics = fresh->Get("/metrics");
  REQUIRE(metrics.ok());
  CHECK(metrics->body.find("pledger_http_connections_closed_total{reason=\"evicted_waiting\"} 0\n") ==
        std::string::npos);
  CHECK(metrics->body.find("pledger_http_request_seconds_bucket{le=\"+Inf\"}") != std::string::npos);
  size_t pressure_lines = 0;
  {
    std::ifstream in(c.dir() + "/nodes/" + c.NodeId(0) + "/pledgerd.log");
    for (std::string line; std::getline(in, line);) pressure_lines += line.find("connections under pressure") != std::string::npos;
  }
  CHECK(pressure_lines >= 1);
  CHECK(pressure_lines <= 3);  // one per 10 s, not one per connection
  for (auto& s : held) {
    boost::system::error_code ignored;
    s.close(ignored);
  }
}

// Issue 16 (expiry is visible): a certificate within 30 days of expiry shows
// in the node's own status and metrics and in its peers', and an expired one
// stops the node at start, naming the file.
TEST_CASE("cluster: certificate expiry is shown 30 days ahead, and an expired certificate stops the node",
          "[integration]") {
  TestCluster c;
  const std::string node_dir = c.dir() + "/nodes/" + c.NodeId(0);
  auto ca_cert = io::ReadFile(c.dir() + "/ca/ca.crt");
  auto ca_key = io::ReadFile(c.dir() + "/ca/ca.key");
  auto key_pem = io::ReadFile(node_dir + "/node.key");
  REQUIRE((ca_cert.ok() && ca_key.ok() && key_pem.ok()));
  auto key = io::Ed25519KeyFromPem(*key_pem);
  REQUIRE(key.ok());
  auto reissue = [&](int days) {
    auto cert = io::IssueNodeCertificate(*ca_cert, *ca_key, c.NodeId(0), "ipo-a", *key, {"127.0.0.1", "localhost"}, days);
    REQUIRE(cert.ok());
    REQUIRE(io::WriteFileAtomic(node_dir + "/node.crt", *cert, 0644).ok());
  };
  reissue(10);
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  // Its peers have connected to it, so they know its certificate too.
  CLUSTER_REQUIRE(c, c.WaitFor([&] {
    auto st = c.Status(1);
    if (!st.ok()) return false;
    for (const auto& cert : st->certificates()) {
      if (cert.kind() == "peer" && cert.subject() == c.NodeId(0) && cert.expiring()) return true;
    }
    return false;
  }, 20s));
  auto own = c.Status(0);
  REQUIRE(own.ok());
  bool warned = false;
  for (const auto& w : own->warnings()) UNSCOPED_INFO(w);
  for (const auto& w : own->warnings()) warned = warned || w.find("node certificate " + c.NodeId(0) + " expires in 10 days") != std::string::npos;
  CHECK(warned);
  bool ca_listed = false;
  for (const auto& cert : own->certificates()) {
    if (cert.kind() == "ca") {
      ca_listed = true;
      CHECK_FALSE(cert.expiring());
    }
  }
  CHECK(ca_listed);
  auto metrics = c.Client(0).Get("/metrics");
  REQUIRE(metrics.ok());
  CHECK(metrics->body.find("pledger_cert_expiry_seconds{kind=\"node\",subject=\"" + c.NodeId(0) + "\"} ") !=
        std::string::npos);
  CHECK(c.LogContains(0, "node certificate " + c.NodeId(0) + " expires in 10 days"));
  // The operator's wallet says so too, in the status it prints.
  Run status = RunProgram("pledger-wallet", {"--node", c.ApiUrl(0), "status", "--anonymous"}, {}, c.dir());
  INFO(status.out << status.err);
  CHECK(status.code == 0);
  CHECK(status.out.find("Warning: node certificate " + c.NodeId(0) + " expires in 10 days") != std::string::npos);
  CHECK(status.out.find("EXPIRES IN 10 DAYS") != std::string::npos);

  c.Stop(0);
  reissue(-1);
  RunResult expired = RunPledgerd(c.ConfigPath(0), 20s);
  INFO(expired.output);
  CHECK(expired.exit_code != 0);
  CHECK(expired.output.find("CERT_EXPIRED") != std::string::npos);
  CHECK(expired.output.find("node.crt") != std::string::npos);

  // The operator's way out: a renewed certificate for the same node and key
  // (no governance step), then a restart; its peers take it back.
  Run renew = RunProgram("pledger-admin", {"renew-cert", "--ca", c.dir() + "/ca", "--node-dir", node_dir, "--org",
                                           "ipo-a", "--days", "400"}, {}, c.dir());
  INFO(renew.out << renew.err);
  REQUIRE(renew.code == 0);
  c.Start(0);
  CLUSTER_REQUIRE(c, c.WaitFor([&] {
    auto st = c.Status(1);
    if (!st.ok()) return false;
    for (const auto& cert : st->certificates()) {
      if (cert.kind() == "peer" && cert.subject() == c.NodeId(0)) return !cert.expiring();
    }
    return false;
  }, 20s));
  auto renewed = c.Status(0);
  REQUIRE(renewed.ok());
  CHECK(renewed->warnings_size() == 0);
}

// The applier's first fatal error is written by the apply thread and read by
// the API thread for /healthz; this runs both at once. Under the ThreadSanitizer
// flavour (tools/test.sh --tsan, halt_on_error) an unguarded error kills the
// node at the first concurrent read, and the last health check below fails.
TEST_CASE("cluster: a follower whose applier fails says so in /healthz while polled, and the others go on",
          "[integration]") {
  TestCluster c;
  c.StartAll();
  const int leader = c.WaitForLeader(20s);
  CLUSTER_REQUIRE(c, leader >= 0);
  const int follower = (leader + 1) % c.size();
  tools::Workload w(c.Parties(), 7, 1);
  tools::WorkloadTx first = w.PatentRegister(Expiry(c, leader));
  REQUIRE(c.Submit(leader, first.raw).ok());
  CLUSTER_REQUIRE(c, WaitCommitted(c, leader, {first.id}, 20s).empty());
  auto st = c.Status(leader);
  REQUIRE(st.ok());
  const std::uint64_t fail_at = st->height() + 2;

  c.Stop(follower);
  c.SetNodeEnv(follower, {{"PLEDGER_TEST_FAIL_APPLY_AT", std::to_string(fail_at)}});
  // Up for inspection after the failure (else it exits 3: hardening_test.cc).
  c.SetNodeArgs(follower, {"--stay-up-on-failure"});
  c.Start(follower);
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.Status(follower).ok(); }, 20s));

  std::atomic<bool> done{false};
  std::thread poller([&] {
    auto client = io::HttpClient::Create(c.ApiUrl(follower));
    if (!client.ok()) return;
    while (!done.load()) (void)(*client)->Get("/healthz");
  });
  std::vector<ledger::Hash256> ids;
  for (int k = 0; k < 4; ++k) {
    tools::WorkloadTx tx = w.PatentRegister(Expiry(c, leader));
    REQUIRE(c.Submit(leader, tx.raw).ok());
    ids.push_back(tx.id);
    CLUSTER_REQUIRE(c, WaitCommitted(c, leader, {tx.id}, 20s).empty());
  }
  bool reported = c.WaitFor(
      [&] {
        auto h = c.Client(follower).Get("/healthz");
        return h.ok() && h->status == 503 && h->body.find("TEST_FAULT_INJECTED") != std::string::npos;
      },
      20s);
  done.store(true);
  poller.join();
  CLUSTER_REQUIRE(c, reported);
  // The others committed everything; the failed follower stopped below fail_at.
  const int other = (leader + 2) % c.size();
  CLUSTER_REQUIRE(c, WaitCommitted(c, other, ids, 20s).empty());
  auto fs = c.Status(follower);
  CLUSTER_REQUIRE(c, fs.ok());
  CHECK(fs->height() < fail_at);
  auto h = c.Client(follower).Get("/healthz");
  CLUSTER_REQUIRE(c, h.ok());
  CHECK(h->status == 503);
}

}  // namespace
}  // namespace pledger::test
