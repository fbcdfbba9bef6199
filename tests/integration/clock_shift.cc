// A test clock for integration tests, loaded with LD_PRELOAD into pledgerd
// and pledger-wallet: CLOCK_REALTIME (what std::chrono::system_clock reads)
// runs ahead by an offset in milliseconds that the test sets while the
// processes run. The offset is an int64 at the start of the file named by
// $PLEDGER_TEST_CLOCK_FILE, mapped once and read on every call, so moving
// every process's clock is one store by the test (TestClock in
// tests/integration/wallet_runner.h). Without the variable or the file the
// clock is untouched.
//
// Why: a pool's payment dates must each be after the previous one and not
// after the block's date (docs/contracts.md, PoolPay), and the block's date
// is the leader's clock; a test of several payment dates moves that clock by
// days. Only CLOCK_REALTIME moves: the monotonic clock that drives Raft's
// ticks and every timeout does not, and OpenSSL's certificate checks read
// time() (the vDSO), so TLS keeps seeing the real date.
//
// Test-only. Never linked into a program; the build makes it a shared
// library (tests/wallet.cmake).
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace {

using ClockGettime = int (*)(clockid_t, struct timespec*);

ClockGettime Real() {
  static ClockGettime real = reinterpret_cast<ClockGettime>(::dlsym(RTLD_NEXT, "clock_gettime"));
  return real;
}

const std::int64_t* offset_ms = nullptr;

__attribute__((constructor)) void MapOffset() {
  const char* path = std::getenv("PLEDGER_TEST_CLOCK_FILE");
  if (path == nullptr) return;
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  void* p = ::mmap(nullptr, sizeof(std::int64_t), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p != MAP_FAILED) offset_ms = static_cast<const std::int64_t*>(p);
}

}  // namespace

extern "C" int clock_gettime(clockid_t clock, struct timespec* ts) __THROW {
  const int rc = Real()(clock, ts);
  if (rc != 0 || offset_ms == nullptr || (clock != CLOCK_REALTIME && clock != CLOCK_REALTIME_COARSE)) return rc;
  const std::int64_t off = __atomic_load_n(offset_ms, __ATOMIC_RELAXED);
  std::int64_t ns = static_cast<std::int64_t>(ts->tv_nsec) + (off % 1000) * 1'000'000;
  std::int64_t s = static_cast<std::int64_t>(ts->tv_sec) + off / 1000;
  while (ns < 0) {
    ns += 1'000'000'000;
    --s;
  }
  while (ns >= 1'000'000'000) {
    ns -= 1'000'000'000;
    ++s;
  }
  ts->tv_sec = static_cast<time_t>(s);
  ts->tv_nsec = static_cast<long>(ns);
  return rc;
}
