// The fault suite's two halves that every scenario shares (issue 17): a load
// of real signed transactions that records what the cluster acknowledged,
// and the checker run once the faults have healed and the chain is idle.
#ifndef PLEDGER_TESTS_FAULTS_SUITE_H_
#define PLEDGER_TESTS_FAULTS_SUITE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/crypto.h"
#include "tests/integration/cluster.h"

namespace pledger::faults {

using Clock = std::chrono::steady_clock;

// The start of the running scenario: times in its messages ("t=12.3s") count
// from here.
inline Clock::time_point& Origin() {
  static Clock::time_point origin = Clock::now();
  return origin;
}

// A transaction the cluster acknowledged: `200 COMMITTED` (durable: a
// majority holds it) or `202 PENDING` (admitted to `node`'s mempool only).
struct Ack {
  ledger::Hash256 id{};
  std::string raw;
  int node = -1;
  Clock::time_point sent;  // the submission began
  Clock::time_point at;    // the acknowledgement arrived
  bool committed = false;
};

struct LoadOptions {
  int threads = 4;
  std::uint32_t run = 1;      // makes patent numbers unique per run
  std::uint64_t seed = 1;     // which node each client starts on and moves to
  int wait_ms = 2000;         // ?wait= of each submission
};

// Client threads submitting patent registrations, valuations and pledges
// (tools/common/workload.h) to every running node, anonymously, each with
// an expiry refreshed from the node's height. Thread-safe.
class Load {
 public:
  Load(test::TestCluster& cluster, LoadOptions options);
  ~Load();
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  void Start();
  void Stop();

  // Node i is down now: a `202 PENDING` it gave earlier lived only in its
  // mempool and may be gone (docs/api.md). Call once it is dead (after Kill,
  // KillAll or Stop return): a call before the kill left a window in which a
  // 202 sent after the call, and lost with the node, counted as owed (CI
  // all-kill, seed 367589202).
  void NoteDown(int node);
  // Pending acknowledgements of transactions sent to a node that went down
  // afterwards: the client's part is to submit them again (Resubmit).
  std::vector<Ack> AtRisk() const;

  std::vector<Ack> Acks() const;
  // `200 COMMITTED` acknowledgements that arrived in [from, to] (given by
  // `node` only, if >= 0).
  std::size_t CommittedBetween(Clock::time_point from, Clock::time_point to, int node = -1) const;
  // When the first `200 COMMITTED` of a transaction submitted after `since`
  // arrived, if one did: commits resumed after a fault at `since`.
  std::optional<Clock::time_point> FirstCommitAfter(Clock::time_point since) const;
  std::uint64_t acked() const { return acked_.load(); }
  std::uint64_t committed_acks() const { return committed_acks_.load(); }
  // Refusals and transport errors by reason ("503 NODE_BUSY", "unreachable").
  std::map<std::string, std::uint64_t> Errors() const;

 private:
  void Client(int index);

  test::TestCluster& c_;
  LoadOptions o_;
  std::atomic<bool> stop_{true};
  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> acked_{0};
  std::atomic<std::uint64_t> committed_acks_{0};
  mutable std::mutex mu_;
  std::vector<Ack> acks_;                              // guarded by mu_
  std::vector<std::pair<int, Clock::time_point>> downs_;  // guarded by mu_
  std::map<std::string, std::uint64_t> errors_;       // guarded by mu_
};

// Submits each transaction again, with ?wait, through any running node until
// it is committed. Returns how many were already in the chain; `failure` is
// set when one cannot be committed within `timeout`.
std::size_t Resubmit(test::TestCluster& c, const std::vector<Ack>& acks, std::chrono::seconds timeout,
                     std::string* failure);

struct CheckReport {
  bool ok = false;
  std::string failure;            // the first violation, for the one-line result
  std::uint64_t height = 0;
  std::size_t acked = 0;
  std::size_t committed = 0;      // acknowledged and committed on every node
  std::size_t chain_txs = 0;      // transactions in blocks 1..height
  double settle_s = 0;            // from the call to an idle, agreeing cluster
};

// Waits (up to `settle`) until every node runs, agrees on height, last block
// hash and state root, has an empty mempool, and nothing moves for a moment;
// then checks, on every node: each acknowledged transaction has a committed
// receipt (GET /v1/txs/{id}) in the same block; blocks 1..H have the same
// hash, state root and results root (GET /v1/blocks), chain by prev_hash, and
// each header's prev_state_root equals the root every node computed for the
// block it names; no transaction is in the chain twice; no node counted a
// state-root mismatch.
CheckReport CheckCluster(test::TestCluster& c, const std::vector<Ack>& acks, std::chrono::seconds settle);

}  // namespace pledger::faults

#endif  // PLEDGER_TESTS_FAULTS_SUITE_H_
