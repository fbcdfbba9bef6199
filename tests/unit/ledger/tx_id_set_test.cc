#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "ledger/tx_id_set.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

Hash256 RandomId(std::mt19937_64& rng) {
  Hash256 id;
  for (auto& b : id) b = static_cast<std::uint8_t>(rng());
  return id;
}

TEST_CASE("tx id set: every inserted id is found, through growth, others are not", "[txidset]") {
  std::uint64_t seed = test::TestSeed("tx id set random");
  INFO("seed " << seed << " (replay with PLEDGER_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  TxIdSet set;
  std::vector<Hash256> in;
  // Well past the initial 65,536 slots, so the table doubles several times.
  for (int i = 0; i < 200000; ++i) in.push_back(RandomId(rng));
  for (size_t i = 0; i < in.size(); i += 1000) {
    set.InsertAll(std::span<const Hash256>(in.data() + i, std::min<size_t>(1000, in.size() - i)));
  }
  CHECK(set.size() == in.size());
  for (const Hash256& id : in) REQUIRE(set.MayContain(id));
  // A random absent id matches a 64-bit fingerprint with chance 2e5 / 2^64.
  int false_maybes = 0;
  for (int i = 0; i < 20000; ++i) false_maybes += set.MayContain(RandomId(rng)) ? 1 : 0;
  CHECK(false_maybes == 0);
  set.Insert(in[7]);  // inserting again changes nothing
  CHECK(set.size() == in.size());
}

TEST_CASE("tx id set: ids sharing their first 8 bytes both answer maybe", "[txidset]") {
  TxIdSet set;
  Hash256 a{}, b{};
  a.fill(0x11);
  b.fill(0x11);
  b[31] = 0x22;  // same fingerprint, different id
  set.Insert(a);
  CHECK(set.MayContain(a));
  CHECK(set.MayContain(b));  // a "maybe" the caller settles by reading the index
  Hash256 zero{};            // fingerprint 0 is remapped, not lost
  CHECK_FALSE(set.MayContain(zero));
  set.Insert(zero);
  CHECK(set.MayContain(zero));
}

TEST_CASE("tx id set: Replace swaps contents at once, readers never see an empty set",
          "[txidset]") {
  std::uint64_t seed = test::TestSeed("tx id set replace");
  INFO("seed " << seed << " (replay with PLEDGER_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  std::vector<Hash256> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back(RandomId(rng));
  TxIdSet set;
  set.InsertAll(ids);
  std::atomic<bool> stop{false};
  std::atomic<int> misses{0};
  std::thread reader([&] {
    while (!stop.load()) {
      for (const Hash256& id : ids) {
        if (!set.MayContain(id)) ++misses;
      }
    }
  });
  for (int round = 0; round < 20; ++round) {
    TxIdSet fresh;
    fresh.InsertAll(ids);
    set.Replace(std::move(fresh));
    CHECK(fresh.size() == 0);
  }
  stop = true;
  reader.join();
  CHECK(misses.load() == 0);
  for (const Hash256& id : ids) CHECK(set.MayContain(id));
}

}  // namespace
}  // namespace pledger::ledger
