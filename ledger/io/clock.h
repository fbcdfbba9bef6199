// Clock: where pledgerd and the tools read the wall clock.
//
// The ledger's date comes from the validators' clocks (their signed clock
// readings give the block time, ledger/block_time.h) and the
// wallet's "today" from the user's; both read it only through a Clock, so a
// test can move the date of every process without touching the system clock
// or preloading a shim. Durations and timeouts use std::chrono::steady_clock
// directly: they must never jump, and no test needs to move them.
//
// ProcessClock() is the system clock, unless the environment variable
// PLEDGER_TEST_CLOCK_FILE names a file: then it is the system clock plus an
// offset in milliseconds, an int64 at the start of that file, read on every
// call so a test moves every process's date with one store (tests/integration/
// wallet_runner.h, TestClock). The variable is a test-only seam: no config
// file field, API request or peer message can set it, and pledgerd logs a
// warning when it is in force. An operator who sets it moves only the date of
// the node they already control.
//
// Thread-safe: NowMs may be called from any thread.
#ifndef PLEDGER_LEDGER_IO_CLOCK_H_
#define PLEDGER_LEDGER_IO_CLOCK_H_

#include <cstdint>
#include <string>

namespace pledger::io {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since 1970-01-01T00:00:00Z.
  virtual std::uint64_t NowMs() const = 0;
  // "system", or "test (<file>)" for the log and the status page.
  virtual std::string Describe() const = 0;
};

// The system clock (std::chrono::system_clock).
const Clock& SystemClock();

// The clock this process reads (see above). Created once, never destroyed.
// If PLEDGER_TEST_CLOCK_FILE names a file that cannot be opened or mapped,
// the process exits with a message: a test that asked for a clock must not
// run silently on the real one.
const Clock& ProcessClock();

// The name of the variable, for test harnesses.
inline constexpr const char* kTestClockEnv = "PLEDGER_TEST_CLOCK_FILE";

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_CLOCK_H_
