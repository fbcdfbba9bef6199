// Issue 17 (hardening), against real pledgerd processes: a node behind the
// chain answers 503 NODE_BEHIND rather than 400 TX_EXPIRY_TOO_FAR; a
// catch-up whose peer dies mid-way goes on from another peer; a catch-up
// that reaches another chain than the Raft snapshot's manifest fail-stops
// (CATCHUP_FORK), and does so again after a restart. Label `integration`.
//
// Slowness comes from PLEDGER_TEST_APPLY_DELAY_MS (node/applier.cc,
// docs/node.md "Test seams"): without it a node applies and catches up in
// milliseconds, too fast to be seen behind or to be cut off mid-way.
#include <catch2/catch.hpp>

#include <boost/asio.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "node/limits.h"
#include "node/proto/node.pb.h"
#include "node/transport.h"
#include "tests/integration/cluster.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
namespace limits = node::limits;

constexpr const char* kApplyDelayEnv = "PLEDGER_TEST_APPLY_DELAY_MS";

#define CLUSTER_REQUIRE(c, cond) \
  do {                           \
    if (!(cond)) (c).DumpLogs(); \
    REQUIRE(cond);               \
  } while (0)

std::uint64_t Expiry(TestCluster& c, int i) {
  auto s = c.Status(i);
  return (s.ok() ? s->height() : 0) + 1000;
}

std::vector<ledger::Hash256> WaitCommitted(TestCluster& c, int i, std::vector<ledger::Hash256> ids,
                                           std::chrono::milliseconds timeout) {
  auto deadline = SteadyClock::now() + timeout;
  while (!ids.empty() && SteadyClock::now() < deadline) {
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

// Every running node has the same block hash and state root at `height`.
bool SameChain(TestCluster& c, std::uint64_t height) {
  std::set<std::string> hashes, roots;
  int nodes = 0;
  for (int i = 0; i < c.size(); ++i) {
    if (!c.Running(i)) continue;
    ++nodes;
    auto r = c.Client(i).Get("/v1/blocks/" + std::to_string(height));
    if (!r.ok() || r->status != 200) return false;
    auto h = r->body.find("\"hash\":\"");
    auto s = r->body.find("\"state_root\":\"");
    if (h == std::string::npos || s == std::string::npos) return false;
    hashes.insert(r->body.substr(h + 8, 64));
    roots.insert(r->body.substr(s + 14, 64));
  }
  return nodes >= 2 && hashes.size() == 1 && roots.size() == 1;
}

// Node i's log lines from `from_line` on.
std::vector<std::string> LogFrom(TestCluster& c, int i, size_t from_line) {
  std::ifstream in(c.NodeDir(i) + "/pledgerd.log");
  std::vector<std::string> out;
  std::string line;
  for (size_t n = 0; std::getline(in, line); ++n) {
    if (n >= from_line) out.push_back(line);
  }
  return out;
}

// The first match of `re` in node i's log from `from_line` on.
std::optional<std::smatch> FindLog(TestCluster& c, int i, size_t from_line, const std::regex& re,
                                   std::vector<std::string>* keep) {
  *keep = LogFrom(c, i, from_line);
  for (const auto& line : *keep) {
    std::smatch m;
    if (std::regex_search(line, m, re)) return m;
  }
  return std::nullopt;
}

int IndexOf(TestCluster& c, const std::string& node_id) {
  for (int i = 0; i < c.size(); ++i) {
    if (c.NodeId(i) == node_id) return i;
  }
  return -1;
}

// Commits registrations through `via` and `also`, a few at a time so that
// they land in many blocks, until node `via` is at `height` or more.
void GrowChainTo(TestCluster& c, int via, int also, tools::Workload& w, std::uint64_t height) {
  const auto deadline = SteadyClock::now() + 90s;
  for (;;) {
    auto s = c.Status(via);
    REQUIRE(s.ok());
    if (s->height() >= height) return;
    INFO("node " << via << " is at height " << s->height() << ", wanted " << height);
    REQUIRE(SteadyClock::now() < deadline);
    const std::uint64_t expiry = s->height() + 1000;
    std::vector<ledger::Hash256> ids;
    for (int k = 0; k < 8; ++k) {
      tools::WorkloadTx tx = w.PatentRegister(expiry);
      auto r = c.Submit(k % 2 == 0 ? via : also, tx.raw);
      if (r.ok() && (*r == 202 || *r == 200)) ids.push_back(tx.id);
      std::this_thread::sleep_for(15ms);
    }
    CLUSTER_REQUIRE(c, WaitCommitted(c, via, ids, 30s).empty());
  }
}

// Waits until the Raft log of every node listed starts after `index + 1`.
bool CompactedPast(TestCluster& c, const std::vector<int>& nodes, std::uint64_t index) {
  return c.WaitFor(
      [&] {
        for (int i : nodes) {
          auto s = c.Status(i);
          if (!s.ok() || s->raft_first_index() <= index + 1) return false;
        }
        return true;
      },
      30s);
}

std::string Header(const io::HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return "";
}

// The chain's expiry window (GET /v1/params; uint64 fields may be quoted).
std::uint64_t MaxExpiryWindow(TestCluster& c, int i) {
  auto r = c.Client(i).Get("/v1/params");
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  auto at = r->body.find("\"max_expiry_window\"");
  REQUIRE(at != std::string::npos);
  at = r->body.find_first_of("0123456789", at);
  REQUIRE(at != std::string::npos);
  return std::stoull(r->body.substr(at));
}

// ---------------------------------------------------------------------------
// 503 NODE_BEHIND (node/node.cc NodeImpl::Admit)

TEST_CASE("catch-up: a node behind the chain answers a transaction with a far expiry 503 NODE_BEHIND, "
          "and admits the same transaction once it has caught up",
          "[integration]") {
  TestCluster c;
  const int slow = 2;
  // Its applier takes 300 ms a block: Raft keeps committing (its commit
  // index runs ahead of its applied index) while its height lags.
  c.SetNodeEnv(slow, {{kApplyDelayEnv, "300"}});
  // The others first: the slow one must not lead, or the chain waits for it.
  c.Start(0);
  c.Start(1);
  const int leader = c.WaitForLeader(20s);
  CLUSTER_REQUIRE(c, (leader == 0 || leader == 1));
  const int other = 1 - leader;
  c.Start(slow);
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto l = c.Status(leader);
                           auto s = c.Status(slow);
                           return l.ok() && s.ok() && s->role() == "FOLLOWER" && s->height() >= l->height();
                         },
                         30s));
  const std::uint64_t window = MaxExpiryWindow(c, leader);

  // About 20 blocks in 2 s (each transaction's block, then its attestations'),
  // which the slow node needs about 6 s to apply.
  tools::Workload w(c.Parties(), 21, 1);
  std::vector<ledger::Hash256> ids;
  for (int k = 0; k < 12; ++k) {
    tools::WorkloadTx tx = w.PatentRegister(Expiry(c, leader));
    REQUIRE(c.Submit(k % 2 == 0 ? leader : other, tx.raw).ok());
    ids.push_back(tx.id);
    std::this_thread::sleep_for(150ms);
  }
  CLUSTER_REQUIRE(c, WaitCommitted(c, leader, ids, 20s).empty());
  auto top = c.Status(leader);
  REQUIRE(top.ok());
  auto behind = c.Status(slow);
  REQUIRE(behind.ok());
  INFO("leader at height " << top->height() << "; slow node at height " << behind->height() << ", applied index "
                           << behind->applied_index() << ", commit index " << behind->commit_index());
  // The precondition of the case under test: the slow node knows it is behind.
  CLUSTER_REQUIRE(c, behind->commit_index() > behind->applied_index());
  CLUSTER_REQUIRE(c, top->height() >= behind->height() + 4);

  // Valid for the chain (the widest window from its height), too far ahead
  // of the slow node's own height.
  tools::WorkloadTx far = w.PatentRegister(top->height() + window);
  const std::vector<std::pair<std::string, std::string>> proto = {{"Content-Type", "application/x-protobuf"}};
  auto r = c.Client(slow).Request("POST", "/v1/txs", far.raw, proto);
  REQUIRE(r.ok());
  INFO("answer while behind: " << r->status << " " << r->body);
  CHECK(r->status == 503);
  CHECK(r->body.find("NODE_BEHIND") != std::string::npos);
  CHECK(r->body.find("TX_EXPIRY_TOO_FAR") == std::string::npos);
  CHECK_FALSE(Header(*r, "Retry-After").empty());
  // Still behind when it answered, so the answer was judged while lagging.
  auto after = c.Status(slow);
  REQUIRE(after.ok());
  CHECK(after->height() < top->height());

  // Once it has applied everything Raft committed, the same bytes are admitted
  // there and commit.
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto s = c.Status(slow);
                           return s.ok() && !s->catching_up() && s->height() >= top->height() &&
                                  s->applied_index() >= s->commit_index();
                         },
                         30s));
  // Not behind any more, it must not answer a retryable 503 to a transaction
  // that is too far ahead of the chain itself: clients would retry it forever.
  auto now = c.Status(slow);
  REQUIRE(now.ok());
  tools::WorkloadTx too_far = w.PatentRegister(now->height() + window + 10);
  auto refused = c.Client(slow).Request("POST", "/v1/txs", too_far.raw, proto);
  REQUIRE(refused.ok());
  INFO("answer to a truly too far expiry: " << refused->status << " " << refused->body);
  CHECK(refused->status == 400);
  CHECK(refused->body.find("TX_EXPIRY_TOO_FAR") != std::string::npos);
  auto again = c.Client(slow).Request("POST", "/v1/txs", far.raw, proto);
  REQUIRE(again.ok());
  INFO("answer once caught up: " << again->status << " " << again->body);
  CHECK((again->status == 202 || again->status == 200));
  CLUSTER_REQUIRE(c, WaitCommitted(c, leader, {far.id}, 20s).empty());
  auto code = c.ReceiptCode(leader, far.id);
  REQUIRE(code.ok());
  CHECK(*code == "OK");
}

// ---------------------------------------------------------------------------
// Catch-up from another peer (node/catchup.cc NodeImpl::InstallSnapshot)

// Stops `down`, grows the chain on the other two to more than `blocks` past
// it, and waits until their Raft snapshots are `blocks` entries past it (the
// snapshot is taken once a second, at most 15 entries behind the tip at
// raft_log_retain 20, so a snapshot may trail a fast-growing chain by many
// blocks; a catch-up fetches up to the snapshot's height). The others are restarted:
// their transports keep frames for a vanished peer (up to
// limits::kPeerQueueFramesMax) and would replay entries from them, while
// the returning node must be sent a snapshot.
struct Behind {
  int down;
  std::uint64_t down_height;
  std::uint64_t down_applied_index;
};

Behind StopOneAndGrow(TestCluster& c, tools::Workload& w, std::uint64_t blocks) {
  int leader = c.WaitForLeader(20s);
  CLUSTER_REQUIRE(c, leader >= 0);
  Behind b{(leader + 1) % 3, 0, 0};
  const int other = 3 - leader - b.down;
  // Stopped with nothing in flight, what it reports now is what it holds:
  // the tests compare its first fetched height and its applied index with it.
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto l = c.Status(leader);
                           auto s = c.Status(b.down);
                           if (!l.ok() || !s.ok() || s->height() != l->height() ||
                               s->applied_index() != s->commit_index()) {
                             return false;
                           }
                           std::this_thread::sleep_for(500ms);
                           auto again = c.Status(b.down);
                           return again.ok() && again->applied_index() == s->applied_index();
                         },
                         20s));
  auto before = c.Status(b.down);
  REQUIRE(before.ok());
  b.down_height = before->height();
  b.down_applied_index = before->applied_index();
  c.Stop(b.down);
  GrowChainTo(c, leader, other, w, b.down_height + blocks + 30);
  CLUSTER_REQUIRE(c, CompactedPast(c, {leader, other}, b.down_applied_index + blocks));
  return b;
}

TEST_CASE("catch-up: when the peer it fetches from dies mid-way, the node goes on from another peer and "
          "ends with the same chain",
          "[integration]") {
  ClusterOptions o;
  o.raft_log_retain = 20;
  TestCluster c(o);
  c.StartAll();
  tools::Workload w(c.Parties(), 22, 1);
  // More blocks than one catch-up response carries, so that the node asks
  // the same peer again after the first batch.
  const Behind b = StopOneAndGrow(c, w, limits::kCatchupBlocksPerResponse + 40);
  for (int i = 0; i < 3; ++i) {
    if (i != b.down) c.Stop(i);
  }
  for (int i = 0; i < 3; ++i) {
    if (i != b.down) c.Start(i);
  }
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);

  // 20 ms a block: the first batch takes about 5 s to execute, time to kill
  // the peer that served it.
  c.SetNodeEnv(b.down, {{kApplyDelayEnv, "20"}});
  const size_t log_from = c.LogLines(b.down);
  c.Start(b.down);
  const std::regex fetching(R"(fetching blocks (\d+) to (\d+) from (\S+) to execute them)");
  std::vector<std::string> log;
  std::optional<std::smatch> first;
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return (first = FindLog(c, b.down, log_from, fetching, &log)).has_value(); },
                               20s));
  const std::uint64_t target = std::stoull((*first)[2].str());
  const std::string first_peer = (*first)[3].str();
  const int served = IndexOf(c, first_peer);
  REQUIRE(served >= 0);
  REQUIRE(served != b.down);
  REQUIRE(std::stoull((*first)[1].str()) == b.down_height + 1);
  REQUIRE(target > b.down_height + limits::kCatchupBlocksPerResponse);
  // It has the first batch and is executing it: the peer dies now.
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto s = c.Status(b.down);
                           return s.ok() && s->height() > b.down_height;
                         },
                         10s));
  c.Kill(served);
  auto mid = c.Status(b.down);
  REQUIRE(mid.ok());
  INFO("killed " << first_peer << " with the catching-up node at height " << mid->height() << " of " << target);
  REQUIRE(mid->height() < b.down_height + limits::kCatchupBlocksPerResponse);

  // The request after the first batch goes unanswered (15 s,
  // limits::kCatchupRequestTimeoutMs); the node goes on from the other peer
  // where it stopped, neither from the start nor giving up.
  const int survivor = 3 - served - b.down;
  CLUSTER_REQUIRE(c, c.WaitForHeight(b.down, target, 45s));
  const std::regex stopped("catch-up from " + first_peer + R"( stopped at height (\d+))");
  auto stop = FindLog(c, b.down, log_from, stopped, &log);
  CLUSTER_REQUIRE(c, stop.has_value());
  const std::uint64_t stopped_at = std::stoull((*stop)[1].str());
  CHECK(stopped_at > b.down_height);
  CHECK(stopped_at < target);
  const std::regex resumed("fetching blocks " + std::to_string(stopped_at + 1) + " to " + std::to_string(target) +
                           " from " + c.NodeId(survivor) + " to execute them");
  CLUSTER_REQUIRE(c, FindLog(c, b.down, log_from, resumed, &log).has_value());
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.LogContains(b.down, "blocks fetched and executed", log_from); }, 10s));
  CHECK_FALSE(c.LogContains(b.down, "cannot catch up", log_from));

  // The same chain as the others: the survivor now, and the killed peer once
  // it is back (it catches up through the Raft log).
  CLUSTER_REQUIRE(c, SameChain(c, target));
  CLUSTER_REQUIRE(c, SameChain(c, b.down_height + 1));
  c.Start(served);
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  tools::WorkloadTx last = w.PatentRegister(Expiry(c, survivor));
  REQUIRE(c.Submit(b.down, last.raw).ok());
  for (int i = 0; i < 3; ++i) CLUSTER_REQUIRE(c, WaitCommitted(c, i, {last.id}, 30s).empty());
  auto end = c.Status(survivor);
  REQUIRE(end.ok());
  for (int i = 0; i < 3; ++i) CLUSTER_REQUIRE(c, c.WaitForHeight(i, end->height(), 20s));
  CLUSTER_REQUIRE(c, SameChain(c, end->height()));
  CLUSTER_REQUIRE(c, SameChain(c, target));
}

// ---------------------------------------------------------------------------
// CATCHUP_FORK (node/catchup.cc)

namespace fs = std::filesystem;

void CopyData(TestCluster& c, int i, const std::string& to) {
  fs::remove_all(to);
  fs::create_directories(fs::path(to).parent_path());
  fs::copy(c.NodeDir(i) + "/data", to, fs::copy_options::recursive);
}

void RestoreData(TestCluster& c, int i, const std::string& from) {
  fs::remove_all(c.NodeDir(i) + "/data");
  fs::copy(from, c.NodeDir(i) + "/data", fs::copy_options::recursive);
}

// A member's identity on its peer port, serving block requests from another
// data directory (a copy of that member's ledger on a fork) and ignoring
// everything else: the peer of a catch-up that serves another chain. It
// answers as node/catchup.cc NodeImpl::ServeCatchup does.
class ForkedPeer {
 public:
  ForkedPeer(TestCluster& c, int as, const std::string& db_dir, std::map<std::string, node::PeerAddress> peers) {
    auto opened = ledger::Ledger::Open(db_dir);
    REQUIRE(opened.ok());
    ledger_ = std::move(*opened);
    node::TransportOptions o;
    o.node_id = c.NodeId(as);
    o.listen_port = static_cast<std::uint16_t>(std::stoi(c.PeerAddress(as).substr(10)));
    o.cert_file = c.NodeDir(as) + "/node.crt";
    o.key_file = c.NodeDir(as) + "/node.key";
    o.reconnect_min = 100ms;
    transport_ = std::make_unique<node::PeerTransport>(
        io_, o, [this](const std::string& from, std::string frame) { OnFrame(from, frame); },
        [](const node::PeerCertificate&) { return Status::OK(); });
    Status s = transport_->Start();
    INFO(s.ToString());
    REQUIRE(s.ok());
    transport_->SetPeers(peers);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ForkedPeer() {
    transport_->Stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  std::uint64_t served() const { return served_.load(); }

 private:
  void OnFrame(const std::string& from, const std::string& frame) {
    node::PeerMessage msg;
    if (!msg.ParseFromString(frame) || !msg.has_block_request()) return;
    const auto& req = msg.block_request();
    node::PeerMessage reply;
    auto* resp = reply.mutable_block_response();
    resp->set_request_id(req.request_id());
    for (std::uint64_t h = req.from_height(); h <= req.to_height() && h > 0; ++h) {
      auto b = ledger_->db().Get(ledger::keys::Block(h));
      auto r = ledger_->db().Get(ledger::keys::Results(h));
      if (!b.ok() || !r.ok() || !b->has_value() || !r->has_value()) break;
      resp->add_blocks(std::move(**b));
      resp->add_results(std::move(**r));
      ++served_;
      if (static_cast<size_t>(resp->blocks_size()) >= limits::kCatchupBlocksPerResponse) break;
    }
    if (resp->blocks_size() == 0) resp->set_error("no such block here");
    transport_->Send(from, reply.SerializeAsString());
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<node::PeerTransport> transport_;
  std::atomic<std::uint64_t> served_{0};
  std::thread thread_;
};

// Two histories from one data directory copy: the Raft snapshot's manifest
// names a block of one, and the only peer left to fetch from serves the
// other. A real consortium gets there only through a bug or a dishonest
// member; the node must not join the peer's chain.
TEST_CASE("catch-up: a node whose peers serve another chain than the Raft snapshot names fail-stops with "
          "CATCHUP_FORK and does so again after a restart",
          "[integration]") {
  ClusterOptions o;
  o.raft_log_retain = 20;
  TestCluster c(o);
  c.StartAll();
  tools::Workload w(c.Parties(), 23, 1);
  // The common prefix must hold the first batch the node fetches from the
  // honest leader, so that it switches to the forked peer where the two
  // chains are still one.
  const Behind b = StopOneAndGrow(c, w, limits::kCatchupBlocksPerResponse + 20);
  const int a = c.WaitForLeader(20s);
  CLUSTER_REQUIRE(c, a >= 0);
  const int f = 3 - a - b.down;  // the member whose copy serves the fork
  auto fork_top = c.Status(a);
  REQUIRE(fork_top.ok());
  const std::uint64_t fork_height = fork_top->height();
  c.Stop(a);
  c.Stop(f);
  const std::string saves = c.dir() + "/saves";
  CopyData(c, a, saves + "/a-prefix");
  CopyData(c, f, saves + "/f-prefix");

  // The fork: a longer history after the prefix, kept only as a copy of f's
  // ledger.
  c.Start(a);
  c.Start(f);
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  GrowChainTo(c, a, f, w, fork_height + 80);
  auto fork_end = c.Status(f);
  REQUIRE(fork_end.ok());
  c.Stop(a);
  c.Stop(f);
  CopyData(c, f, saves + "/f-fork");

  // The chain the consortium keeps: another, shorter history after the
  // prefix, compacted so that the Raft snapshot names one of its blocks.
  RestoreData(c, a, saves + "/a-prefix");
  RestoreData(c, f, saves + "/f-prefix");
  c.Start(a);
  c.Start(f);
  CLUSTER_REQUIRE(c, c.WaitForLeader(20s) >= 0);
  auto base = c.Status(a);
  REQUIRE(base.ok());
  GrowChainTo(c, a, f, w, fork_height + 30);
  CLUSTER_REQUIRE(c, CompactedPast(c, {a}, base->applied_index() + 10));
  c.Stop(f);
  c.Stop(a);

  // The returning node gets the snapshot from a (with its vote, a leads)
  // and fetches the first batch from it; a dies; f's identity serves the fork.
  const std::string down_peer = c.PeerAddress(b.down);
  ForkedPeer fake(c, f, saves + "/f-fork/db",
                  {{c.NodeId(b.down), {"127.0.0.1", static_cast<std::uint16_t>(std::stoi(down_peer.substr(10)))}}});
  c.SetNodeEnv(b.down, {{kApplyDelayEnv, "20"}});
  c.SetNodeArgs(b.down, {"--stay-up-on-failure"});
  const size_t log_from = c.LogLines(b.down);
  c.Start(a);
  c.Start(b.down);
  const std::regex fetching(R"(fetching blocks (\d+) to (\d+) from (\S+) to execute them)");
  std::vector<std::string> log;
  std::optional<std::smatch> first;
  CLUSTER_REQUIRE(c, c.WaitFor([&] { return (first = FindLog(c, b.down, log_from, fetching, &log)).has_value(); },
                               30s));
  const std::uint64_t target = std::stoull((*first)[2].str());
  // From the leader, a, first (node/catchup.cc); should it not know the
  // leader yet and start with f, the fork is only served sooner.
  const bool from_a = (*first)[3].str() == c.NodeId(a);
  INFO("the fork starts after height " << fork_height << "; the forked copy ends at " << fork_end->height()
                                       << "; the snapshot names height " << target);
  // The setup holds: the manifest's height is past the fork and the forked
  // copy has a block there.
  REQUIRE(target > fork_height);
  REQUIRE(fork_end->height() >= target);
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto s = c.Status(b.down);
                           return s.ok() && s->height() > b.down_height;
                         },
                         10s));
  c.Kill(a);
  auto mid = c.Status(b.down);
  REQUIRE(mid.ok());
  if (from_a) REQUIRE(mid->height() < b.down_height + limits::kCatchupBlocksPerResponse);

  // The forked peer's blocks are valid one by one; the block at the manifest's
  // height is not the manifest's: fail-stop, with the reason.
  CLUSTER_REQUIRE(c, c.WaitFor(
                         [&] {
                           auto h = c.Client(b.down).Get("/healthz");
                           return h.ok() && h->status != 200;
                         },
                         45s));
  auto health = c.Client(b.down).Get("/healthz");
  REQUIRE(health.ok());
  INFO("healthz: " << health->status << " " << health->body);
  CHECK(health->status == 503);
  CHECK(health->body.find("CATCHUP_FORK") != std::string::npos);
  CHECK(fake.served() > 0);
  CHECK(c.LogContains(b.down, "CATCHUP_FORK", log_from));
  CHECK_FALSE(c.LogContains(b.down, "blocks fetched and executed", log_from));
  // The snapshot was not recorded as applied: the Raft position stays where
  // the node stopped, so nothing treats the fetched blocks as the chain.
  auto failed = c.Status(b.down);
  REQUIRE(failed.ok());
  CHECK(failed->applied_index() == b.down_applied_index);

  // After a restart the ledger holds the fork's block at the manifest's
  // height: still not the consortium's chain. It must fail again, not
  // record the snapshot as applied and carry on.
  c.Stop(b.down);
  c.SetNodeArgs(b.down, {});
  const size_t restart_from = c.LogLines(b.down);
  c.Start(b.down);
  const int code = c.WaitForExit(b.down, 20s);
  INFO("exit code after the restart: " << code);
  if (code != 3) c.DumpLogs();
  CHECK(code == 3);
  CHECK(c.LogContains(b.down, "CATCHUP_FORK", restart_from));
}

}  // namespace
}  // namespace pledger::test
