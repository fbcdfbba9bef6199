// pledger-bench --batch N against a real cluster (every transaction counted
// on its own, only what the chain committed), and its back-pressure against
// a fake node that answers every write 503 TX_BACKLOG with retry_after_ms
// (the node-side admission control's answer) or a batch whose entries are
// all refused as retryable: counted busy, never committed, and the client
// waits as long as the node asks.
//
// Label `integration`. Needs build/bin/pledgerd and build/bin/pledger-bench.
#include <catch2/catch.hpp>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <sys/wait.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/io/proto/api.pb.h"
#include "node/http_server.h"
#include "tests/integration/cluster.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct BenchRun {
  int exit_code = -1;
  std::string out;
  std::string json;  // the last line's summary
};

BenchRun RunBench(const std::vector<std::string>& args) {
  std::string cmd = std::string(PLEDGER_BIN_DIR) + "/pledger-bench";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  BenchRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const auto brace = r.out.rfind("{\"committed_tps\"");
  if (brace != std::string::npos) r.json = r.out.substr(brace);
  return r;
}

double Number(const std::string& json, const std::string& key) {
  google::protobuf::Struct s;
  if (!google::protobuf::util::JsonStringToMessage(json, &s).ok()) return -1;
  auto it = s.fields().find(key);
  return it == s.fields().end() ? -1 : it->second.number_value();
}

std::vector<std::string> Parties(const TestCluster& c) {
  return {"--accounts", c.dir() + "/accounts", "--chain", c.chain_id(), "--ip-office", "ipo-a", "--bank", "bank-a",
          "--owner", "sme", "--appraiser", "appraiser", "--bank-org", "bank-a", "--owner-org", "sme"};
}

TEST_CASE("bench batch: --batch 8 counts each transaction the chain committed", "[integration]") {
  TestCluster c;
  c.StartAll();
  REQUIRE(c.WaitForLeader(20s) >= 0);
  std::string nodes;
  for (int i = 0; i < c.size(); ++i) nodes += (i ? "," : "") + c.ApiUrl(i);
  const std::string record = c.dir() + "/bench-record.txt";
  std::vector<std::string> args{"--nodes", nodes, "--mix", "patent", "--batch", "8", "--clients", "4",
                                "--duration", "4", "--warmup", "1", "--record", record};
  for (const auto& a : Parties(c)) args.push_back(a);
  BenchRun r = RunBench(args);
  INFO(r.out);
  REQUIRE_FALSE(r.json.empty());
  CHECK(r.exit_code == 0);
  CHECK(Number(r.json, "batch") == 8);
  const double committed_all = Number(r.json, "committed_all");
  CHECK(committed_all > 40);
  CHECK(Number(r.json, "errors") * 100 <= committed_all);
  std::ifstream in(record);
  double lines = 0;
  for (std::string l; std::getline(in, l);) lines += l.size() == 64;
  CHECK(lines == committed_all);
  std::vector<std::string> check{"--check", record, "--nodes", nodes};
  for (const auto& a : Parties(c)) check.push_back(a);
  BenchRun checked = RunBench(check);
  INFO(checked.out);
  CHECK(checked.exit_code == 0);

  // The flow's steps wait for each other's receipts: not batched.
  std::vector<std::string> flow{"--nodes", nodes, "--mix", "flow", "--batch", "4"};
  for (const auto& a : Parties(c)) flow.push_back(a);
  BenchRun refused = RunBench(flow);
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.find("--batch needs --mix patent") != std::string::npos);
}

// A node whose every write is pushed back: POST /v1/txs 503 TX_BACKLOG with
// retry_after_ms (and Retry-After), POST /v1/txs/batch 200 with every entry
// REFUSED retryable. Records when each write came.
class BusyNode {
 public:
  // `retry_after_ms` 0: no JSON field, only the Retry-After header (seconds).
  BusyNode(std::uint32_t retry_after_ms, std::string retry_after_header)
      : retry_after_ms_(retry_after_ms), header_(std::move(retry_after_header)) {
    node::HttpOptions o;
    server_ = std::make_unique<node::HttpServer>(io_, o, [this](node::HttpRequest req, node::HttpResponder respond) {
      Answer(std::move(req), std::move(respond));
    });
    REQUIRE(server_->Start().ok());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~BusyNode() {
    server_->Stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<Clock::time_point> Writes() {
    std::lock_guard<std::mutex> lock(mu_);
    return writes_;
  }

 private:
  void Answer(node::HttpRequest req, const node::HttpResponder& respond) {
    node::HttpResponse r;
    if (req.method == "GET" && req.path == "/v1/status") {
      r.body = "{\"height\":\"5\"}";
      return respond(r);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      writes_.push_back(Clock::now());
    }
    const std::string ms = retry_after_ms_ > 0 ? ",\"retry_after_ms\":" + std::to_string(retry_after_ms_) : "";
    if (req.path == "/v1/txs/batch") {
      api::TxBatch batch;
      if (!batch.ParseFromString(req.body)) {  // the count checks then fail: no answer entries
        r.status = 400;
        r.body = "{\"error\":{\"code\":\"TX_BATCH_MALFORMED\",\"message\":\"\"}}";
        return respond(r);
      }
      r.body = "{\"results\":[";
      for (int i = 0; i < batch.txs_size(); ++i) {
        r.body += std::string(i ? "," : "") +
                  "{\"tx_id\":\"00\",\"status\":\"REFUSED\",\"code\":\"TX_BACKLOG\",\"message\":\"busy\","
                  "\"retryable\":true" + ms + "}";
      }
      r.body += "]}";
      return respond(r);
    }
    r.status = 503;
    r.body = "{\"error\":{\"code\":\"TX_BACKLOG\",\"message\":\"the node has too much to order\"" + ms + "}}";
    if (!header_.empty()) r.headers.emplace_back("Retry-After", header_);
    respond(r);
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<node::HttpServer> server_;
  std::thread thread_;
  std::uint32_t retry_after_ms_;
  std::string header_;
  std::mutex mu_;
  std::vector<Clock::time_point> writes_;
};

TEST_CASE("bench batch: 503 TX_BACKLOG and retryable batch entries are busy, paced as the node asks",
          "[integration]") {
  TestCluster c;  // not started: its account keys sign the bench's transactions
  struct Case {
    const char* name;
    std::uint32_t retry_after_ms;
    const char* header;
    const char* batch;
    double min_gap_ms;  // the pause asked for, less the 20 % jitter
    size_t max_writes;  // in a 2 s run
  };
  for (const Case& k : {Case{"503, retry_after_ms 400", 400, "1", "1", 320, 8},
                        Case{"503, Retry-After: 1 only", 0, "1", "1", 800, 4},
                        Case{"batch entries retryable, retry_after_ms 400", 400, "", "4", 320, 8}}) {
    INFO(k.name);
    BusyNode node(k.retry_after_ms, k.header);
    std::vector<std::string> args{"--nodes", node.Url(), "--mix", "patent", "--batch", k.batch, "--clients", "1",
                                  "--duration", "2", "--warmup", "0", "--auth", "sign"};
    for (const auto& a : Parties(c)) args.push_back(a);
    BenchRun r = RunBench(args);
    INFO(r.out);
    REQUIRE_FALSE(r.json.empty());
    CHECK(Number(r.json, "committed") == 0);
    CHECK(Number(r.json, "committed_all") == 0);
    CHECK(Number(r.json, "errors") == 0);
    std::vector<Clock::time_point> writes = node.Writes();
    REQUIRE(writes.size() >= 2);
    CHECK(Number(r.json, "busy") >= static_cast<double>((writes.size() - 1) * std::stoul(k.batch)));
    CHECK(writes.size() <= k.max_writes);  // at the old fixed 50 ms, about 40
    for (size_t i = 1; i < writes.size(); ++i) {
      const double gap = std::chrono::duration<double, std::milli>(writes[i] - writes[i - 1]).count();
      INFO("write " << i << " came " << gap << " ms after the one before");
      CHECK(gap >= k.min_gap_ms);
    }
  }
}

}  // namespace
}  // namespace pledger::test
