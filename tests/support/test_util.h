// Helpers shared by tests: temporary directories, hex literals, deterministic
// keys. Test-only; never linked into a product binary.
#ifndef PLEDGER_TESTS_SUPPORT_TEST_UTIL_H_
#define PLEDGER_TESTS_SUPPORT_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/crypto.h"

namespace pledger::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// Decodes hex or aborts the test binary: for literals in tests only.
std::string Unhex(std::string_view hex);
ledger::Hash256 UnhexHash(std::string_view hex);

// The seed for a randomised test: $PLEDGER_SEED if set (to replay a failure),
// else a fresh one. Printed to stderr either way, with how to replay it.
std::uint64_t TestSeed(std::string_view test_name);

// A key derived from a fixed seed byte, so tests are reproducible. Never a
// real key: these seeds are public.
ledger::SecretKey TestKey(std::uint8_t n);

}  // namespace pledger::test

#endif  // PLEDGER_TESTS_SUPPORT_TEST_UTIL_H_
