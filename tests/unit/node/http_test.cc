#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <vector>
#include <thread>

#include "ledger/io/http_client.h"
#include "node/http_server.h"
#include "tests/support/pki_fixture.h"

namespace pledger::node {
namespace {

using namespace std::chrono_literals;

struct Server {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<HttpServer> server;
  std::thread thread;
  // Requests to /hold are never answered while the test runs: their
  // connections stay busy, as long-polls keep them. Declared last, so the
  // sessions they hold go before the io_context.
  std::mutex held_mu;
  std::vector<HttpResponder> held;
  // Threads answering /later. Each holds a Responder, which owns its
  // connection: joined in ~Server before the io_context goes. They used to
  // be detached, and one still holding its Responder when the test ended
  // destroyed the connection's socket after the io_context (heap use after
  // free in the reactor, a segfault in the next test about 1 run in 12).
  std::mutex later_mu;
  std::vector<std::thread> later;

  explicit Server(HttpOptions o) {
    server = std::make_unique<HttpServer>(io, o, [this](HttpRequest req, HttpResponder respond) {
      HttpResponse r;
      if (req.path == "/hold") {
        std::lock_guard<std::mutex> lock(held_mu);
        held.push_back(std::move(respond));
        return;
      }
      if (req.path == "/later") {
        // Answer from another thread, as a long-poll does.
        std::lock_guard<std::mutex> lock(later_mu);
        later.emplace_back([respond] {
          std::this_thread::sleep_for(50ms);
          HttpResponse late;
          late.body = "{\"late\":true}";
          respond(late);
        });
        return;
      }
      r.body = req.method + " " + req.path + " q=" + (req.query.count("a") ? req.query["a"] : "") +
               " body=" + std::to_string(req.body.size());
      r.content_type = "text/plain";
      respond(r);
    });
    REQUIRE(server->Start().ok());
    thread = std::thread([this] { io.run(); });
  }
  ~Server() {
    {
      std::lock_guard<std::mutex> lock(later_mu);
      for (auto& t : later) t.join();
    }
    server->Stop();
    work.reset();
    io.stop();
    thread.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
};

std::string RawExchange(std::uint16_t port, const std::string& bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(s, boost::asio::buffer(bytes));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    size_t n = s.read_some(boost::asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

TEST_CASE("http: requests are parsed and answered, also later from another thread", "[http]") {
  Server s({});
  auto client = io::HttpClient::Create(s.Url());
  REQUIRE(client.ok());
  auto r = (*client)->Get("/v1/x%20y?a=b%2Fc");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "GET /v1/x y q=b/c body=0");
  auto p = (*client)->Post("/v1/txs", std::string(1000, 'x'));
  REQUIRE(p.ok());
  CHECK(p->body == "POST /v1/txs q= body=1000");
  auto later = (*client)->Get("/later");
  REQUIRE(later.ok());
  CHECK(later->body == "{\"late\":true}");
}

TEST_CASE("http: oversize bodies get 413, malformed requests 400", "[http]") {
  HttpOptions o;
  o.body_limit = 1000;
  Server s(o);
  auto client = io::HttpClient::Create(s.Url());
  REQUIRE(client.ok());
  auto big = (*client)->Post("/v1/txs", std::string(5000, 'x'));
  REQUIRE(big.ok());
  CHECK(big->status == 413);
  CHECK(big->body.find("REQUEST_TOO_LARGE") != std::string::npos);
  std::string bad = RawExchange(s.server->port(), "THIS IS NOT HTTP\r\n\r\n");
  CHECK(bad.find("400") != std::string::npos);
  std::string bad_escape = RawExchange(s.server->port(), "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(bad_escape.find("URL_INVALID") != std::string::npos);
  // The server still works.
  auto ok = (*client)->Get("/still-alive");
  REQUIRE(ok.ok());
  CHECK(ok->status == 200);
}

TEST_CASE("http: a client that stalls mid-request is cut off", "[http]") {
  HttpOptions o;
  o.read_timeout = 300ms;
  Server s(o);
  auto start = std::chrono::steady_clock::now();
  std::string out = RawExchange(s.server->port(), "GET /slow HTTP/1.1\r\nHost: x\r\n");
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(out.empty());
}

// Admission (http_server.h): waiting connections make room for new ones;
// when every connection is busy, a new one is answered 503 with Retry-After.
TEST_CASE("http: a full server evicts waiting connections first, then answers 503", "[http]") {
  HttpOptions o;
  o.max_connections = 4;
  o.max_connections_per_address = 100;  // the whole cap, not one address's share, is what fills
  Server s(o);
  boost::asio::io_context io;
  const boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), s.server->port());
  auto connect = [&] {
    boost::asio::ip::tcp::socket sock(io);
    sock.connect(ep);
    return sock;
  };
  auto wait_for = [](const std::function<bool()>& cond) {
    for (int i = 0; i < 200 && !cond(); ++i) std::this_thread::sleep_for(10ms);
    return cond();
  };
  // Three idle connections; the fourth passes 3/4 of the cap and closes the oldest.
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(connect());
  REQUIRE(wait_for([&] { return s.server->Stats().open == 3; }));
  auto fourth = connect();
  REQUIRE(wait_for([&] { return s.server->Stats().evicted_waiting == 1; }));
  char byte;
  boost::system::error_code ec;
  idle[0].read_some(boost::asio::buffer(&byte, 1), ec);
  CHECK(ec == boost::asio::error::eof);  // closed by the server, not reset by the kernel
  // Now make every connection busy: each sends a request the handler holds.
  const std::string hold = "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n";
  for (auto* sock : {&idle[1], &idle[2], &fourth}) boost::asio::write(*sock, boost::asio::buffer(hold));
  auto fifth = connect();
  boost::asio::write(fifth, boost::asio::buffer(hold));
  REQUIRE(wait_for([&] {
    std::lock_guard<std::mutex> lock(s.held_mu);
    return s.held.size() == 4;
  }));
  // Nothing is waiting any more: the sixth is refused in words.
  std::string refused = RawExchange(s.server->port(), "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(refused.find("503") != std::string::npos);
  CHECK(refused.find("Retry-After: 1") != std::string::npos);
  CHECK(refused.find("NODE_BUSY") != std::string::npos);
  CHECK(s.server->Stats().refused_full == 1);
}

TEST_CASE("http: HTTPS with the consortium CA, and the client checks it", "[http]") {
  test::PkiFixture pki("Consortium CA", {"api"});
  test::PkiFixture other("Other CA", {"x"});
  HttpOptions o;
  o.tls_cert_file = pki.cert_file("api");
  o.tls_key_file = pki.key_file("api");
  Server s(o);
  std::string url = "https://127.0.0.1:" + std::to_string(s.server->port());
  io::HttpClientOptions co;
  co.ca_file = pki.ca_file();
  auto client = io::HttpClient::Create(url, co);
  REQUIRE(client.ok());
  auto r = (*client)->Get("/secure");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  co.ca_file = other.ca_file();
  auto wrong = io::HttpClient::Create(url, co);
  REQUIRE(wrong.ok());
  auto refused = (*wrong)->Get("/secure");
  CHECK(refused.status().reason() == "NODE_UNREACHABLE");
  CHECK(io::HttpClient::Create(url, {}).status().reason() == "TLS_CONFIG_INVALID");
}

TEST_CASE("http: unreachable nodes and bad URLs are clear errors", "[http]") {
  CHECK(io::ParseUrl("ftp://x").status().reason() == "URL_INVALID");
  CHECK(io::ParseUrl("http://x:99999").status().reason() == "URL_INVALID");
  auto u = io::ParseUrl("https://node1:26601/api/");
  REQUIRE(u.ok());
  CHECK(u->tls);
  CHECK(u->port == 26601);
  CHECK(u->base_path == "/api");
  io::HttpClientOptions o;
  o.timeout = 500ms;
  auto c = io::HttpClient::Create("http://127.0.0.1:1", o);
  REQUIRE(c.ok());
  CHECK((*c)->Get("/").status().reason() == "NODE_UNREACHABLE");
}

}  // namespace
}  // namespace pledger::node
