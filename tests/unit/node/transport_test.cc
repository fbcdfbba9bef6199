#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "ledger/io/files.h"
#include "ledger/io/pki.h"
#include "node/transport.h"
#include "tests/support/pki_fixture.h"

namespace pledger::node {
namespace {

using namespace std::chrono_literals;

// Frames received by one transport, for tests to wait on.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<std::string, std::string>> frames;

  void Push(const std::string& from, std::string frame) {
    std::lock_guard<std::mutex> lock(mu);
    frames.emplace_back(from, std::move(frame));
    cv.notify_all();
  }
  bool WaitFor(size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return frames.size() >= n; });
  }
};

// One node's transport on its own io thread.
struct Node {
  boost::asio::io_context io;
  Inbox inbox;
  std::set<std::string> allowed;
  std::mutex allowed_mu;
  std::unique_ptr<PeerTransport> transport;
  std::thread thread;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};

  Node(const test::PkiFixture& pki, const std::string& id, std::set<std::string> allow,
       size_t max_frame = 1 << 20, std::chrono::milliseconds idle = 15000ms) : allowed(std::move(allow)) {
    TransportOptions o;
    o.node_id = id;
    // The node's Authorizer checks the chain against the ledger's roots; here
    // the fixture's CA is the one root.
    auto ca_pem = io::ReadFile(pki.ca_file());
    REQUIRE(ca_pem.ok());
    auto roots = io::CertsPemToDer(*ca_pem);
    REQUIRE(roots.ok());
    o.cert_file = pki.cert_file(id);
    o.key_file = pki.key_file(id);
    o.max_frame_bytes = max_frame;
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    o.handshake_timeout = 2000ms;
    o.idle_timeout = idle;
    transport = std::make_unique<PeerTransport>(
        io, o, [this](const std::string& from, std::string f) { inbox.Push(from, std::move(f)); },
        [this, roots = *roots](const PeerCertificate& peer) {
          {
            std::lock_guard<std::mutex> lock(allowed_mu);
            if (!allowed.count(peer.node_id)) return Status::PermissionDenied("NODE_NOT_ADMITTED", peer.node_id);
          }
          return io::VerifyCertChain(peer.chain_der, roots, std::time(nullptr));
        });
    REQUIRE(transport->Start().ok());
    thread = std::thread([this] { io.run(); });
  }
  ~Node() {
    transport->Stop();
    work.reset();
    io.stop();
    thread.join();
  }
  PeerAddress Address() const { return {"127.0.0.1", transport->port()}; }
};

TEST_CASE("transport: authorised peers exchange frames over mutual TLS", "[transport]") {
  test::PkiFixture pki("Consortium CA", {"n1", "n2"});
  Node a(pki, "n1", {"n2"});
  Node b(pki, "n2", {"n1"});
  a.transport->SetPeers({{"n2", b.Address()}});
  b.transport->SetPeers({{"n1", a.Address()}});
  for (int i = 0; i < 100; ++i) REQUIRE(a.transport->Send("n2", "frame-" + std::to_string(i)));
  REQUIRE(b.inbox.WaitFor(100));
  CHECK(b.inbox.frames.front().first == "n1");
  CHECK(b.inbox.frames.front().second == "frame-0");
  CHECK(b.inbox.frames.back().second == "frame-99");
  REQUIRE(b.transport->Send("n1", std::string(100000, 'x')));
  REQUIRE(a.inbox.WaitFor(1));
  CHECK(a.inbox.frames.front().second.size() == 100000);
  CHECK_FALSE(a.transport->Send("unknown-node", "x"));
}

// Followers have nothing to say to each other between elections; the
// receiving side closes a silent connection after idle_timeout. Keepalives
// hold the link up without reaching the frame handler or the counters.
TEST_CASE("transport: an idle link stays up on keepalives, which are not frames", "[transport]") {
  test::PkiFixture pki("Consortium CA", {"n1", "n2"});
  Node a(pki, "n1", {"n2"}, 1 << 20, 300ms);
  Node b(pki, "n2", {"n1"}, 1 << 20, 300ms);
  a.transport->SetPeers({{"n2", b.Address()}});
  REQUIRE(a.transport->Send("n2", "before"));
  REQUIRE(b.inbox.WaitFor(1));
  std::this_thread::sleep_for(1500ms);  // five idle timeouts
  REQUIRE(a.transport->Send("n2", "after"));
  REQUIRE(b.inbox.WaitFor(2));
  std::this_thread::sleep_for(100ms);
  auto stats = a.transport->Stats()["n2"];
  CHECK(stats.connected);
  CHECK(stats.connects == 1);
  CHECK(stats.frames_sent == 2);
  CHECK(b.transport->Stats()["n1"].frames_received == 2);
  std::lock_guard<std::mutex> lock(b.inbox.mu);
  CHECK(b.inbox.frames.size() == 2);
  CHECK_FALSE(a.transport->Send("n2", ""));  // empty is the keepalive's encoding
}

TEST_CASE("transport: a certificate from another CA is refused", "[transport]") {
  test::PkiFixture pki("Consortium CA", {"n1"});
  test::PkiFixture rogue("Rogue CA", {"n2"});
  Node a(pki, "n1", {"n2"});
  Node evil(rogue, "n2", {"n1"});
  evil.transport->SetPeers({{"n1", a.Address()}});
  for (int i = 0; i < 5; ++i) evil.transport->Send("n1", "let me in");
  CHECK_FALSE(a.inbox.WaitFor(1, 1500ms));
  CHECK_FALSE(evil.transport->Stats()["n1"].connected);
}

TEST_CASE("transport: a node id outside the validator set is refused", "[transport]") {
  test::PkiFixture pki("Consortium CA", {"n1", "n3"});
  Node a(pki, "n1", {"n2"});  // n3 has a valid certificate but is not a member
  Node c(pki, "n3", {"n1"});
  c.transport->SetPeers({{"n1", a.Address()}});
  c.transport->Send("n1", "hello");
  CHECK_FALSE(a.inbox.WaitFor(1, 1500ms));

  // Once admitted (membership change), the same node gets through.
  {
    std::lock_guard<std::mutex> lock(a.allowed_mu);
    a.allowed.insert("n3");
  }
  for (int i = 0; i < 50 && a.inbox.frames.empty(); ++i) {
    c.transport->Send("n1", "hello again");
    std::this_thread::sleep_for(100ms);
  }
  CHECK(a.inbox.WaitFor(1, 5s));

  // And after removal it is cut off.
  {
    std::lock_guard<std::mutex> lock(a.allowed_mu);
    a.allowed.erase("n3");
  }
  a.transport->Revalidate();
  std::this_thread::sleep_for(300ms);
  size_t before;
  {
    std::lock_guard<std::mutex> lock(a.inbox.mu);
    before = a.inbox.frames.size();
  }
  for (int i = 0; i < 5; ++i) c.transport->Send("n1", "after removal");
  std::this_thread::sleep_for(800ms);
  std::lock_guard<std::mutex> lock(a.inbox.mu);
  CHECK(a.inbox.frames.size() == before);
}

TEST_CASE("transport: garbage and oversize frames do not harm the listener", "[transport]") {
  test::PkiFixture pki("Consortium CA", {"n1", "n2"});
  Node a(pki, "n1", {"n2"}, /*max_frame=*/1024);
  Node b(pki, "n2", {"n1"});
  // Raw garbage on the peer port, several connections.
  for (int i = 0; i < 5; ++i) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), a.transport->port()});
    std::string junk(4096, static_cast<char>(0x16 + i));
    boost::system::error_code ec;
    boost::asio::write(s, boost::asio::buffer(junk), ec);
  }
  // An oversize frame from an authorised peer closes that connection ...
  b.transport->SetPeers({{"n1", a.Address()}});
  b.transport->Send("n1", std::string(4096, 'x'));
  // ... and the peer reconnects and later frames arrive.
  bool got = false;
  for (int i = 0; i < 50 && !got; ++i) {
    b.transport->Send("n1", "small");
    got = a.inbox.WaitFor(1, 100ms);
  }
  CHECK(got);
  CHECK(a.inbox.frames.front().second == "small");
}

}  // namespace
}  // namespace pledger::node
