// Locks the compiler checks: a Mutex, its scoped lock and a condition
// variable, annotated for Clang's thread-safety analysis (-Wthread-safety).
//
// A field written under a lock says so with GUARDED_BY(mu_); a function that
// needs the lock held says REQUIRES(mu_), one that takes it EXCLUDES(mu_).
// The clang builds (tools/test.sh --tsan) compile with -Wthread-safety
// -Werror, so reading a guarded field without its lock fails the build; with
// g++ the annotations compile to nothing. State owned by one thread instead
// of a lock is marked with a ThreadRole (below) the same way.
//
// std::mutex itself carries no annotations in libstdc++, hence the wrapper
// (as LevelDB's port::Mutex and Abseil's Mutex do). Thread-safe by purpose.
#ifndef PLEDGER_LEDGER_IO_SYNC_H_
#define PLEDGER_LEDGER_IO_SYNC_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define PLEDGER_TSA(x) __attribute__((x))
#else
#define PLEDGER_TSA(x)
#endif

#define CAPABILITY(x) PLEDGER_TSA(capability(x))
#define SCOPED_CAPABILITY PLEDGER_TSA(scoped_lockable)
#define GUARDED_BY(x) PLEDGER_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) PLEDGER_TSA(pt_guarded_by(x))
#define REQUIRES(...) PLEDGER_TSA(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) PLEDGER_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) PLEDGER_TSA(release_capability(__VA_ARGS__))
#define EXCLUDES(...) PLEDGER_TSA(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) PLEDGER_TSA(assert_capability(x))
#define NO_THREAD_SAFETY_ANALYSIS PLEDGER_TSA(no_thread_safety_analysis)

namespace pledger::io {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For code the analysis cannot follow (a callback known to run under the lock).
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable; every wait names the Mutex it holds (as Abseil's
// CondVar does), so the analysis knows which lock the predicate reads under.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Waits until pred() holds (checked under *mu).
  template <typename Pred>
  void Wait(Mutex* mu, Pred pred) REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock, pred);
    lock.release();  // the caller's MutexLock still owns it
  }
  // As Wait, for at most `timeout`; returns pred().
  template <typename Pred>
  bool WaitFor(Mutex* mu, std::chrono::steady_clock::duration timeout, Pred pred) REQUIRES(mu)
      NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool ok = cv_.wait_for(lock, timeout, pred);
    lock.release();
    return ok;
  }
  // As Wait, until `deadline` at the latest; returns pred().
  template <typename Pred>
  bool WaitUntil(Mutex* mu, std::chrono::steady_clock::time_point deadline, Pred pred) REQUIRES(mu)
      NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool ok = cv_.wait_until(lock, deadline, pred);
    lock.release();
    return ok;
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

// State that one thread owns (the Raft thread, the apply thread) is
// GUARDED_BY that thread's role; code running on it says REQUIRES(role), and
// the thread's entry point (or a task posted to it) asserts the role with
// Assume(). The role costs nothing at run time: it exists for the analysis.
class CAPABILITY("role") ThreadRole {
 public:
  void Assume() const ASSERT_CAPABILITY(this) {}
};

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_SYNC_H_
