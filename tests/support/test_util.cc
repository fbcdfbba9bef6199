#include "tests/support/test_util.h"

#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace pledger::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/pledger-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  // PLEDGER_KEEP_TEST_DIRS=1 keeps them for a post-mortem (logs, data).
  if (const char* keep = std::getenv("PLEDGER_KEEP_TEST_DIRS"); keep && *keep == '1') {
    std::fprintf(stderr, "kept test directory %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string Unhex(std::string_view hex) {
  auto r = ledger::HexDecode(hex);
  if (!r.ok()) throw std::runtime_error("bad hex literal in test: " + r.status().ToString());
  return *r;
}

ledger::Hash256 UnhexHash(std::string_view hex) {
  auto r = ledger::HashFromHex(hex);
  if (!r.ok()) throw std::runtime_error("bad hash literal in test: " + r.status().ToString());
  return *r;
}

std::uint64_t TestSeed(std::string_view test_name) {
  std::uint64_t seed;
  if (const char* env = std::getenv("PLEDGER_SEED"); env && *env) {
    seed = std::strtoull(env, nullptr, 10);
  } else {
    std::random_device rd;
    seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }
  std::fprintf(stderr, "[%.*s] seed %llu (replay with PLEDGER_SEED=%llu)\n",
               static_cast<int>(test_name.size()), test_name.data(),
               static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  return seed;
}

ledger::SecretKey TestKey(std::uint8_t n) {
  std::string seed(32, static_cast<char>(n));
  seed[0] = 'T';  // keep test seeds apart from any vector
  return std::move(ledger::SecretKey::FromSeed(seed)).value();
}

}  // namespace pledger::test
