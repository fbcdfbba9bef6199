#include "ledger/io/clock.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cerrno>
#include <string>
#include <utility>

namespace pledger::io {
namespace {

std::int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class System final : public Clock {
 public:
  std::uint64_t NowMs() const override { return static_cast<std::uint64_t>(SystemNowMs()); }
  std::string Describe() const override { return "system"; }
};

// The system clock plus an offset the test writes into a shared mapping.
class Shifted final : public Clock {
 public:
  Shifted(std::string path, const std::int64_t* offset_ms) : path_(std::move(path)), offset_ms_(offset_ms) {}
  std::uint64_t NowMs() const override {
    const std::int64_t now = SystemNowMs() + __atomic_load_n(offset_ms_, __ATOMIC_RELAXED);
    return now < 0 ? 0 : static_cast<std::uint64_t>(now);
  }
  std::string Describe() const override { return "test (" + path_ + ")"; }

 private:
  std::string path_;
  const std::int64_t* offset_ms_;  // mapped for the life of the process
};

[[noreturn]] void Die(const std::string& path, const char* what) {
  std::fprintf(stderr, "%s=%s: cannot %s it (%s); unset the variable or create the file\n", kTestClockEnv,
               path.c_str(), what, std::strerror(errno));
  std::exit(2);
}

const Clock* MakeProcessClock() {
  const char* path = std::getenv(kTestClockEnv);
  if (path == nullptr || *path == '\0') return &SystemClock();
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) Die(path, "open");
  void* p = ::mmap(nullptr, sizeof(std::int64_t), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) Die(path, "map");
  return new Shifted(path, static_cast<const std::int64_t*>(p));
}

}  // namespace

const Clock& SystemClock() {
  static const System clock;
  return clock;
}

const Clock& ProcessClock() {
  static const Clock* clock = MakeProcessClock();
  return *clock;
}

}  // namespace pledger::io
