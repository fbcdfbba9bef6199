#include <algorithm>
#include <random>
#include <stdexcept>

#include "ledger/io/api_json.h"
#include "tests/faults/suite.h"

namespace pledger::faults {

using namespace std::chrono_literals;

namespace {

// Blocks a transaction stays valid: inside the genesis window (3,600) with
// room for a client that read the height of a node ahead of the one it
// submits to, and long enough that one acknowledged early in a long
// scenario (~3,000 blocks at ~45 a second) can still be submitted again at
// its end.
constexpr std::uint64_t kExpiryBlocks = 3400;

}  // namespace

Load::Load(test::TestCluster& cluster, LoadOptions options) : c_(cluster), o_(options) {}

Load::~Load() { Stop(); }

void Load::Start() {
  if (!stop_.exchange(false)) return;
  for (int i = 0; i < o_.threads; ++i) threads_.emplace_back([this, i] { Client(i); });
}

void Load::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Load::NoteDown(int node) {
  std::lock_guard<std::mutex> lock(mu_);
  downs_.emplace_back(node, Clock::now());
}

std::vector<Ack> Load::AtRisk() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Ack> out;
  for (const Ack& a : acks_) {
    if (a.committed) continue;
    // From the moment it was sent, not acknowledged: an answer the node
    // wrote just before it died can be read by the client just after.
    for (const auto& [node, at] : downs_) {
      if (node == a.node && at >= a.sent) {
        out.push_back(a);
        break;
      }
    }
  }
  return out;
}

std::vector<Ack> Load::Acks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acks_;
}

std::size_t Load::CommittedBetween(Clock::time_point from, Clock::time_point to, int node) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t n = 0;
  for (const Ack& a : acks_) n += a.committed && a.at >= from && a.at <= to && (node < 0 || a.node == node);
  return n;
}

std::optional<Clock::time_point> Load::FirstCommitAfter(Clock::time_point since) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<Clock::time_point> first;
  for (const Ack& a : acks_) {
    if (a.committed && a.sent > since && (!first || a.at < *first)) first = a.at;
  }
  return first;
}

std::map<std::string, std::uint64_t> Load::Errors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errors_;
}

void Load::Client(int index) {
  const int n = c_.size();
  std::mt19937_64 rng(o_.seed * 1000003 + static_cast<std::uint64_t>(index));
  tools::Workload w(c_.Parties(), o_.run, static_cast<std::uint32_t>(index));
  std::vector<std::unique_ptr<io::HttpClient>> http(static_cast<size_t>(n));
  auto client = [&](int i) -> io::HttpClient& {
    auto& h = http[static_cast<size_t>(i)];
    if (!h) {
      io::HttpClientOptions opt;
      // Longer than ?wait, short enough that a stopped node does not hold a
      // client for long.
      opt.timeout = std::chrono::milliseconds(o_.wait_ms) + 3s;
      auto made = io::HttpClient::Create(c_.ApiUrl(i), opt);
      if (!made.ok()) throw std::runtime_error(made.status().ToString());
      h = std::move(*made);
    }
    return *h;
  };
  auto error = [&](const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    ++errors_[why];
  };
  int node = static_cast<int>(rng() % static_cast<std::uint64_t>(n));
  // A node that could not be reached or could not commit within the wait
  // is avoided for a while, as a client in a hurry would; then tried again,
  // so a node that is cut off or stopped still gets some of the load.
  std::vector<Clock::time_point> avoid_until(static_cast<size_t>(n));
  auto move_on = [&] {
    std::vector<int> candidates;
    for (int i = 0; i < n; ++i) {
      if (i != node && avoid_until[static_cast<size_t>(i)] <= Clock::now()) candidates.push_back(i);
    }
    if (candidates.empty()) {
      node = (node + 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(n - 1))) % n;
    } else {
      node = candidates[rng() % candidates.size()];
    }
  };
  auto avoid = [&] {
    avoid_until[static_cast<size_t>(node)] = Clock::now() + 3s;
    move_on();
  };
  std::uint64_t expiry = 0;
  Clock::time_point expiry_read{};
  // The flow of one patent: registered, then valued, then pledged, each only
  // once the step before committed OK (the contracts need it).
  std::string patent;
  std::string valuation;
  const std::string target = "/v1/txs?wait=" + std::to_string(o_.wait_ms);
  while (!stop_) {
    if (!c_.Running(node)) {
      move_on();
      std::this_thread::sleep_for(20ms);
      continue;
    }
    if (expiry == 0 || Clock::now() - expiry_read > 2s) {
      auto st = client(node).Get("/v1/status");
      api::StatusView v;
      if (st.ok() && st->status == 200 && io::ApiJsonToMessage(st->body, &v, "/v1/status").ok()) {
        expiry = std::max(expiry, v.height() + kExpiryBlocks);
        expiry_read = Clock::now();
      } else if (expiry == 0) {
        error(st.ok() ? "status " + std::to_string(st->status) : "unreachable");
        http[static_cast<size_t>(node)].reset();
        move_on();
        std::this_thread::sleep_for(100ms);
        continue;
      }
    }
    enum { kRegister, kValue, kPledge } step = kRegister;
    tools::WorkloadTx tx;
    if (!valuation.empty()) {
      step = kPledge;
      tx = w.Pledge(patent, valuation, expiry);
    } else if (!patent.empty()) {
      step = kValue;
      tx = w.Valuation(patent, expiry);
    } else {
      tx = w.PatentRegister(expiry);
    }
    // One registration in four is not waited for: a bare `202 PENDING`,
    // which the node that gave it must carry to a commit on its own (forward
    // it, and again after a leader change).
    const bool no_wait = step == kRegister && rng() % 4 == 0;
    const auto sent = Clock::now();
    auto r = client(node).Request("POST", no_wait ? std::string("/v1/txs") : target, tx.raw,
                                  {{"Content-Type", "application/x-protobuf"}});
    if (!r.ok()) {
      // Down, stopped or cut off: this client tries another node. The
      // transaction was not acknowledged, so nothing is owed for it.
      error("unreachable");
      http[static_cast<size_t>(node)].reset();
      avoid();
      patent.clear();
      valuation.clear();
      std::this_thread::sleep_for(20ms);  // a node restarting refuses at once
      continue;
    }
    if (r->status != 200 && r->status != 202) {
      std::string code;
      if (auto p = r->body.find("\"code\""); p != std::string::npos) {
        auto q = r->body.find('"', r->body.find(':', p) + 1);
        auto end = q == std::string::npos ? q : r->body.find('"', q + 1);
        if (end != std::string::npos) code = r->body.substr(q + 1, end - q - 1);
      }
      error(std::to_string(r->status) + " " + code);
      move_on();
      patent.clear();
      valuation.clear();
      std::this_thread::sleep_for(50ms);
      continue;
    }
    api::SubmitResponse resp;
    if (!io::ApiJsonToMessage(r->body, &resp, "/v1/txs").ok()) {
      error("unparsable submit answer");
      continue;
    }
    const std::string hex = ledger::HexEncode(tx.id);
    if (!resp.tx_id().empty() && resp.tx_id() != hex) error("tx_id mismatch");
    Ack a;
    a.id = tx.id;
    a.raw = tx.raw;
    a.node = node;
    a.sent = sent;
    a.at = Clock::now();
    const bool a_committed = r->status == 200 && resp.status() == "COMMITTED";
    a.committed = a_committed;
    {
      std::lock_guard<std::mutex> lock(mu_);
      acks_.push_back(std::move(a));
    }
    ++acked_;
    if (a_committed) ++committed_acks_;
    const bool ok = a_committed && resp.tx().receipt_code() == "OK";
    if (ok && step == kRegister && !no_wait) {
      patent = tx.patent_no;
    } else if (ok && step == kValue) {
      valuation = tx.object_id;
    } else {
      patent.clear();
      valuation.clear();
    }
    // Spread the load: most submissions stay on one connection, some move.
    if (!no_wait && !a_committed) avoid();
    else if (rng() % 4 == 0) move_on();
  }
}

std::size_t Resubmit(test::TestCluster& c, const std::vector<Ack>& acks, std::chrono::seconds timeout,
                     std::string* failure) {
  std::size_t already = 0;
  std::vector<std::unique_ptr<io::HttpClient>> http(static_cast<size_t>(c.size()));
  for (const Ack& a : acks) {
    const auto deadline = Clock::now() + timeout;
    bool done = false;
    std::string last;
    for (int node = 0; !done && Clock::now() < deadline; node = (node + 1) % c.size()) {
      if (!c.Running(node)) continue;
      // Already in the chain (the usual case: it was committed before its
      // node went down): nothing to submit.
      if (auto code = c.ReceiptCode(node, a.id); code.ok() && !code->empty()) {
        ++already;
        done = true;
        break;
      }
      auto& h = http[static_cast<size_t>(node)];
      if (!h) {
        io::HttpClientOptions opt;
        opt.timeout = 15s;
        auto made = io::HttpClient::Create(c.ApiUrl(node), opt);
        if (!made.ok()) continue;
        h = std::move(*made);
      }
      auto r = h->Request("POST", "/v1/txs?wait=10000", a.raw, {{"Content-Type", "application/x-protobuf"}});
      if (!r.ok()) {
        h.reset();
        last = r.status().ToString();
        continue;
      }
      if (r->status == 200 && r->body.find("COMMITTED") != std::string::npos) {
        done = true;
      } else {
        last = std::to_string(r->status) + " " + r->body.substr(0, 200);
        std::this_thread::sleep_for(200ms);
      }
    }
    if (!done) {
      *failure = "transaction " + ledger::HexEncode(a.id) + " acknowledged PENDING by node " +
                 std::to_string(a.node) + " could not be committed when submitted again: " + last;
      return already;
    }
  }
  return already;
}

}  // namespace pledger::faults
