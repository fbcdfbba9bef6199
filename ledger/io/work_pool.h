// WorkPool: a fixed set of worker threads for CPU work kept off the threads
// that must stay responsive: in pledgerd, signature verification of submitted
// transactions and of the transactions of committed blocks, off the network
// and Raft threads; in pledger-audit verify, preparing blocks ahead of the
// executing thread.
//
// Submit is bounded: when the queue holds max_queue jobs it refuses (the API
// answers 503) instead of growing. ParallelFor splits a loop over the workers
// and the calling thread and returns when all of it is done.
//
// Thread-safe. Destruction finishes the queued jobs, then joins.
#ifndef PLEDGER_LEDGER_IO_WORK_POOL_H_
#define PLEDGER_LEDGER_IO_WORK_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pledger::io {

class WorkPool {
 public:
  WorkPool(size_t threads, size_t max_queue);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // False if the queue is full (the job is not run).
  bool Submit(std::function<void()> job);
  // Runs fn(i) for i in [0, n) on the workers and this thread; returns when done.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);
  size_t threads() const { return workers_.size(); }
  size_t queued() const;

 private:
  void Run();
  const size_t max_queue_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_WORK_POOL_H_
