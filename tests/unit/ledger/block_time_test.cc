// Ledger time (ledger/block_time.h): the block time follows from the voters'
// signed clock readings, the same function on every node and in pledger-audit.
#include <catch2/catch.hpp>

#include "ledger/block.h"
#include "ledger/block_time.h"
#include "ledger/clock_reading.h"
#include "ledger/tx.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

const std::string kChain = "pledger-test";
constexpr std::uint64_t kNow = 1'800'000'000'000ull;      // honest clocks read this
constexpr std::uint64_t kYearMs = 365ull * 86'400'000ull;
constexpr std::uint64_t kHeight = 20;

// Voters v1..v<n> with keys TestKey(40 + i).
struct Voters {
  explicit Voters(int n) {
    for (int i = 1; i <= n; ++i) {
      keys.push_back(test::TestKey(static_cast<std::uint8_t>(40 + i)));
      set["v" + std::to_string(i)] = keys.back().public_key();
    }
  }
  const SecretKey& Key(int i) const { return keys[static_cast<size_t>(i - 1)]; }
  std::string Read(int i, std::uint64_t clock_ms, std::uint64_t after = kHeight - 1) const {
    return SerializeCanonical(SignClockReading(kChain, "v" + std::to_string(i), after, clock_ms, Key(i)));
  }
  std::vector<SecretKey> keys;
  VoterKeys set;
};

Result<std::uint64_t> Time(const Voters& v, const std::vector<std::string>& readings,
                           std::uint64_t prev = kNow - 10'000, ClockTally* tally = nullptr) {
  return LedgerTime(kChain, kHeight, prev, v.set, std::vector<std::string_view>(readings.begin(), readings.end()),
                    tally);
}

TEST_CASE("ledger time: a clock a year ahead or behind among three does not move the date", "[blocktime]") {
  Voters v(3);
  SECTION("all honest") { CHECK(*Time(v, {v.Read(1, kNow), v.Read(2, kNow + 5), v.Read(3, kNow - 5)}) == kNow); }
  SECTION("one a year ahead") {
    CHECK(*Time(v, {v.Read(1, kNow + kYearMs), v.Read(2, kNow), v.Read(3, kNow + 7)}) == kNow + 7);
  }
  SECTION("one a year behind") {
    CHECK(*Time(v, {v.Read(1, kNow - kYearMs), v.Read(2, kNow), v.Read(3, kNow + 7)}) == kNow);
  }
  SECTION("one missing: the lower of two, so a fast clock cannot lead") {
    CHECK(*Time(v, {v.Read(1, kNow + kYearMs), v.Read(3, kNow)}) == kNow);
    CHECK(*Time(v, {v.Read(1, kNow), v.Read(2, kNow + 3)}) == kNow);
  }
}

TEST_CASE("ledger time: five voters, two clocks ahead, three readings: still an honest clock", "[blocktime]") {
  // The (f+1)-th largest with f = 2: the smallest of three here.
  Voters v(5);
  CHECK(*Time(v, {v.Read(1, kNow + kYearMs), v.Read(2, kNow + kYearMs), v.Read(4, kNow)}) == kNow);
  // All five: the median.
  CHECK(*Time(v, {v.Read(1, kNow + kYearMs), v.Read(2, kNow + kYearMs), v.Read(3, kNow - 3), v.Read(4, kNow),
                  v.Read(5, kNow + 2)}) == kNow + 2);
  CHECK_FALSE(Time(v, {v.Read(1, kNow), v.Read(2, kNow)}).ok());
}

TEST_CASE("ledger time: the monotonic floor", "[blocktime]") {
  Voters v(3);
  // Every clock behind the previous block: one millisecond after it.
  const std::uint64_t prev = kNow + 60'000;
  CHECK(*Time(v, {v.Read(1, kNow), v.Read(2, kNow), v.Read(3, kNow)}, prev) == prev + 1);
  // Height 1 takes the genesis time as the previous time.
  auto t1 = LedgerTime(kChain, 1, kNow, v.set,
                       {v.Read(1, kNow - 1, 0), v.Read(2, kNow - 1, 0)});
  REQUIRE(t1.ok());
  CHECK(*t1 == kNow + 1);
}

TEST_CASE("ledger time: too few valid readings make the block invalid", "[blocktime]") {
  Voters v(3);
  SECTION("one reading of three") {
    auto t = Time(v, {v.Read(1, kNow)});
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().reason() == "CLOCK_READINGS_NO_MAJORITY");
  }
  SECTION("a stale reading does not count") {
    // after_height must be within kClockReadingMaxAge of the block.
    auto t = Time(v, {v.Read(1, kNow), v.Read(2, kNow, kHeight - 1 - kClockReadingMaxAge)});
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().reason() == "CLOCK_READINGS_NO_MAJORITY");
    CHECK(Time(v, {v.Read(1, kNow), v.Read(2, kNow, kHeight - kClockReadingMaxAge)}).ok());
  }
  SECTION("a reading from the future (after this block) does not count") {
    CHECK_FALSE(Time(v, {v.Read(1, kNow), v.Read(2, kNow, kHeight)}).ok());
  }
  SECTION("a wrong signature does not count") {
    ClockReading r = SignClockReading(kChain, "v2", kHeight - 1, kNow, v.Key(1));  // v1's key
    auto t = Time(v, {v.Read(1, kNow), SerializeCanonical(r)});
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().reason() == "CLOCK_READINGS_NO_MAJORITY");
    // Nor one signed for another chain.
    ClockReading other = SignClockReading("another-chain", "v2", kHeight - 1, kNow, v.Key(2));
    CHECK_FALSE(Time(v, {v.Read(1, kNow), SerializeCanonical(other)}).ok());
  }
  SECTION("a non-voter's reading is ignored") {
    SecretKey learner = test::TestKey(77);
    std::string r = SerializeCanonical(SignClockReading(kChain, "v9", kHeight - 1, kNow + kYearMs, learner));
    ClockTally tally;
    CHECK_FALSE(Time(v, {v.Read(1, kNow), r}).ok());
    // With a majority besides, it neither counts nor moves the time.
    auto t = Time(v, {v.Read(1, kNow), v.Read(2, kNow + 1), r}, kNow - 10'000, &tally);
    REQUIRE(t.ok());
    CHECK(*t == kNow);
    REQUIRE(tally.counted.size() == 2);
    CHECK(tally.counted[0].first == "v1");
    CHECK(tally.voters == 3);
  }
}

TEST_CASE("ledger time: malformed, duplicate or unsorted readings make the block invalid", "[blocktime]") {
  Voters v(3);
  SECTION("duplicate validator") {
    auto t = Time(v, {v.Read(1, kNow), v.Read(1, kNow + 1), v.Read(2, kNow)});
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().reason() == "CLOCK_READINGS_UNSORTED");
  }
  SECTION("unsorted") {
    auto t = Time(v, {v.Read(2, kNow), v.Read(1, kNow), v.Read(3, kNow)});
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().reason() == "CLOCK_READINGS_UNSORTED");
  }
  SECTION("bytes that do not parse") {
    auto t = Time(v, {v.Read(1, kNow), "\xff\xff not a reading", v.Read(2, kNow)});
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().reason() == "CLOCK_READING_MALFORMED");
  }
  SECTION("a non-canonical encoding of a valid reading") {
    // Field 1 twice: parses (the last wins) but is not the canonical bytes.
    const std::string twice = v.Read(2, kNow) + "\x0a\x02v2";
    ClockReading parsed;
    REQUIRE(parsed.ParseFromString(twice));
    auto t = Time(v, {v.Read(1, kNow), twice});
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().reason() == "CLOCK_READING_MALFORMED");
  }
  SECTION("too many") {
    std::vector<std::string> many;
    for (size_t i = 0; i <= kMaxClockReadingsPerBlock; ++i) many.push_back(v.Read(1, kNow));
    auto t = Time(v, many);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().reason() == "CLOCK_READINGS_TOO_MANY");
  }
}

TEST_CASE("clock readings: signed bytes are the documented layout, apart from attestations'", "[blocktime]") {
  ClockReading r;
  r.set_validator_id("n1");
  r.set_after_height(0x0102);
  r.set_clock_ms(0x0A0B);
  const std::string b = ClockReadingSigningBytes("c", r);
  const std::string want = std::string("pledger/clock/v1") + std::string(1, '\0') + std::string("\x00\x01", 2) + "c" +
                           std::string("\x00\x02", 2) + "n1" + std::string("\x00\x00\x00\x00\x00\x00\x01\x02", 8) +
                           std::string("\x00\x00\x00\x00\x00\x00\x0a\x0b", 8);
  CHECK(b == want);
  const SecretKey k = test::TestKey(5);
  ClockReading s = SignClockReading("c", "n1", 1, 2, k);
  CHECK(VerifyClockReading("c", s, k.public_key()).ok());
  s.set_clock_ms(3);
  CHECK_FALSE(VerifyClockReading("c", s, k.public_key()).ok());
}

TEST_CASE("blocks: the header commits to the clock readings (clock_root)", "[blocktime]") {
  Voters v(3);
  BlockDraft d;
  d.chain_id = kChain;
  d.height = kHeight;
  d.time_ms = kNow;
  d.clock_readings = {v.Read(1, kNow), v.Read(2, kNow), v.Read(3, kNow)};
  Block block = SealBlock(d);
  auto h = DecodeBlockHeader(block);
  REQUIRE(h.ok());
  CHECK(h->clock_root().size() == 32);
  CHECK(CheckBlockContent(block, *h).ok());
  CHECK(CheckBlockTime(kChain, *h, block, kNow - 1, v.set).ok());

  SECTION("a reading changed, dropped or added after sealing") {
    Block changed = block;
    changed.set_clock_readings(2, v.Read(3, kNow + kYearMs));
    CHECK(CheckBlockContent(changed, *h).reason() == "BLOCK_CLOCK_ROOT_MISMATCH");
    Block dropped = block;
    dropped.mutable_clock_readings()->RemoveLast();
    CHECK(CheckBlockContent(dropped, *h).reason() == "BLOCK_CLOCK_ROOT_MISMATCH");
    Block added = block;
    added.add_clock_readings(v.Read(3, kNow));
    CHECK(CheckBlockContent(added, *h).reason() == "BLOCK_CLOCK_ROOT_MISMATCH");
  }
  SECTION("a header without a clock root (a format-2 block)") {
    BlockHeader old = *h;
    old.clear_clock_root();
    CHECK(CheckBlockContent(block, old).reason() == "BLOCK_FIELD_INVALID");
  }
  SECTION("a header time other than the readings give") {
    for (std::uint64_t t : {kNow - 1, kNow + 1, kNow + kYearMs}) {
      BlockDraft wrong = d;
      wrong.time_ms = t;
      Block b = SealBlock(wrong);
      auto wh = DecodeBlockHeader(b);
      REQUIRE(wh.ok());
      Status s = CheckBlockTime(kChain, *wh, b, kNow - 10, v.set);
      CHECK(s.reason() == "BLOCK_TIME_INVALID");
    }
  }
  SECTION("an empty block with no readings") {
    BlockDraft empty = d;
    empty.clock_readings.clear();
    Block b = SealBlock(empty);
    auto eh = DecodeBlockHeader(b);
    REQUIRE(eh.ok());
    CHECK(CheckBlockContent(b, *eh).ok());
    Status s = CheckBlockTime(kChain, *eh, b, kNow - 10, v.set);
    CHECK(s.reason() == "BLOCK_TIME_INVALID");
    CHECK_THAT(std::string(s.message()), Catch::Contains("CLOCK_READINGS_NO_MAJORITY"));
  }
}

}  // namespace
}  // namespace pledger::ledger

namespace pledger::ledger {
namespace {

// Issue 20: a node verifies each reading once and remembers it; the memo must
// never change an answer, only skip work.
TEST_CASE("ledger time: with a signature memo the answers are the same, and a verified reading is not checked again",
          "[blocktime]") {
  Voters v(3);
  VerifiedSignatures memo(64);
  const std::vector<std::string> readings = {v.Read(1, kNow), v.Read(2, kNow + 5), v.Read(3, kNow - 5)};
  const std::vector<std::string_view> views(readings.begin(), readings.end());
  auto first = LedgerTime(kChain, kHeight, kNow - 10'000, v.set, views, nullptr, &memo);
  REQUIRE(first.ok());
  CHECK(*first == *Time(v, readings));
  CHECK(memo.misses() == 3);
  CHECK(memo.hits() == 0);
  auto again = LedgerTime(kChain, kHeight, kNow - 10'000, v.set, views, nullptr, &memo);
  REQUIRE(again.ok());
  CHECK(*again == *first);
  CHECK(memo.misses() == 3);
  CHECK(memo.hits() == 3);

  SECTION("a reading with a broken signature is refused each time, never remembered") {
    ClockReading bad = SignClockReading(kChain, "v2", kHeight - 1, kNow, v.Key(2));
    std::string sig = bad.signature();
    sig[0] ^= 1;
    bad.set_signature(sig);
    for (int i = 0; i < 2; ++i) {
      CHECK(VerifyClockReading(kChain, bad, v.Key(2).public_key(), &memo).reason() == "SIGNATURE_INVALID");
    }
    CHECK(memo.misses() == 5);
    // Two good readings and the broken one: no majority, with or without the memo.
    const std::vector<std::string> two = {v.Read(1, kNow), SerializeCanonical(bad)};
    auto t = LedgerTime(kChain, kHeight, kNow - 10'000, v.set, std::vector<std::string_view>(two.begin(), two.end()),
                        nullptr, &memo);
    CHECK(t.status().reason() == "CLOCK_READINGS_NO_MAJORITY");
  }
  SECTION("a remembered signature counts only for its own key and bytes") {
    // The same bytes judged against another voter's key: v1's reading claims
    // to be from v1, so give the set v1 -> v2's key.
    VoterKeys swapped = v.set;
    swapped["v1"] = v.Key(2).public_key();
    auto t = LedgerTime(kChain, kHeight, kNow - 10'000, swapped, views, nullptr, &memo);
    REQUIRE(t.ok());  // v2 and v3 still make a majority
    ClockTally tally;
    (void)LedgerTime(kChain, kHeight, kNow - 10'000, swapped, views, &tally, &memo);
    REQUIRE(tally.counted.size() == 2);
    CHECK(tally.counted[0].first == "v2");
  }
}

TEST_CASE("signature memo: forgets the oldest past its capacity and then verifies again", "[crypto]") {
  VerifiedSignatures memo(2);
  const SecretKey k = test::TestKey(7);
  const std::string pk(AsStringView(k.public_key()));
  auto sig = [&](const std::string& m) { return std::string(AsStringView(k.Sign(m))); };
  const std::string a = "a", b = "b", c = "c";
  const std::string sa = sig(a), sb = sig(b), sc = sig(c);
  REQUIRE(memo.Verify(pk, a, sa).ok());
  REQUIRE(memo.Verify(pk, b, sb).ok());
  REQUIRE(memo.Verify(pk, a, sa).ok());
  CHECK(memo.hits() == 1);
  REQUIRE(memo.Verify(pk, c, sc).ok());  // evicts a, the oldest
  CHECK(memo.misses() == 3);
  REQUIRE(memo.Verify(pk, a, sa).ok());
  CHECK(memo.misses() == 4);
  // A signature of one message does not pass for another.
  CHECK(memo.Verify(pk, b, sa).reason() == "SIGNATURE_INVALID");
  CHECK(memo.Verify(pk, b, "short").reason() == "SIGNATURE_LENGTH_INVALID");
  // What this process signed itself is taken as verified.
  const std::string d = "d", sd = sig(d);
  memo.Remember(pk, d, sd);
  const auto hits = memo.hits();
  CHECK(memo.Verify(pk, d, sd).ok());
  CHECK(memo.hits() == hits + 1);
}

}  // namespace
}  // namespace pledger::ledger
