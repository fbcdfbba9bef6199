// Admission control for clients' transactions (issue 20): keep the queue
// between a client's submission and its commit short by refusing the excess
// at the door (503 TX_BACKLOG with a retry hint) instead of letting every
// client's transaction wait in line.
//
// Why a limit on transactions in flight and not on requests per second: past
// the point where the node's CPU is busy, more transactions in flight only
// lengthen the queue (Little's law: 256 clients at 1,500 tx/s wait 170 ms
// each), and each costs more CPU in the queue's hand-offs than at the door.
// The right number in flight depends on the machine, the mix and the
// cluster's load, so it is found, not configured: after each interval the
// gate looks at the shortest wait (admission to commit on this node) of this
// node's clients' transactions committed in it. If even the shortest waited
// longer than the target, a queue stands in front of every transaction, and
// the limit shrinks by a fifth. If not, and clients used more than half the
// limit, it grows by a tenth. (The shortest wait, not the mean, is CoDel's
// signal: a burst raises the mean but leaves the shortest low, a standing
// queue raises both.) On a chain slow even without a queue (a slow disk, a
// sanitizer build) the target is at least twice the shortest wait ever seen,
// so the gate does not take the chain's own pace for a queue and starve it.
//
// Each node gates its own clients only; transactions forwarded by peers were
// admitted by their gate already.
//
// Thread-safe: one mutex; every method is cheap.
#ifndef PLEDGER_NODE_ADMISSION_H_
#define PLEDGER_NODE_ADMISSION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace pledger::node {

class AdmissionGate {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::chrono::milliseconds target{100};    // 0: the gate never refuses
    std::chrono::milliseconds interval{100};  // one judgement per interval
    size_t min_limit = 8;
    size_t max_limit = 100'000;
    size_t initial_limit = 256;
  };

  explicit AdmissionGate(Options o);

  // Whether one more client transaction may enter while `in_flight` of this
  // node's clients' transactions are admitted and not yet committed.
  bool Allow(size_t in_flight);

  // A block was applied at `now`; `shortest_wait` is the shortest admission-
  // to-commit wait of this node's clients' transactions in it (none in it:
  // do not call).
  void OnCommitted(Clock::time_point now, Clock::duration shortest_wait);

  size_t limit() const;
  std::uint64_t refused() const;
  // The shortest wait judged at the end of the last interval, in µs.
  std::int64_t last_shortest_wait_us() const;
  bool enabled() const { return opt_.target.count() > 0; }

 private:
  const Options opt_;
  mutable std::mutex mu_;
  double limit_;                           // guarded by mu_
  size_t peak_in_flight_ = 0;              // guarded by mu_; in this interval
  Clock::time_point window_start_{};       // guarded by mu_
  Clock::duration window_shortest_ = Clock::duration::max();  // guarded by mu_
  std::int64_t last_shortest_us_ = 0;      // guarded by mu_
  Clock::duration best_ = Clock::duration::max();  // guarded by mu_; shortest ever judged
  std::uint64_t refused_ = 0;              // guarded by mu_
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_ADMISSION_H_
