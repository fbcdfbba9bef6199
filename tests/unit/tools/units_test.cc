// Values in the users' terms: yuan, percentages, dates, patent numbers, ids.
#include <catch2/catch.hpp>

#include "contracts/dates.h"
#include "contracts/money.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/io/files.h"
#include "tests/support/test_util.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {
namespace {

// The message of a failed parse, which must name the flag.
template <typename T>
std::string Err(const Result<T>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "USAGE");
  return std::string(r.status().message());
}

TEST_CASE("units: yuan amounts parse exactly into fen", "[unit][wallet]") {
  struct Case {
    const char* text;
    std::int64_t fen;
  };
  for (const Case& c : {Case{"5000000", 500000000}, Case{"5000000.00", 500000000}, Case{"5000000.5", 500000050},
                        Case{"5,000,000.01", 500000001}, Case{"0.01", 1}, Case{"0.10", 10}, Case{"1", 100},
                        Case{"007.07", 707}, Case{"999,999,999,999.99", 99999999999999},
                        Case{"1000000000000", 100000000000000}, Case{"1,000,000,000,000.00", 100000000000000},
                        Case{"0.29", 29}, Case{"1234567.89", 123456789}}) {
    INFO(c.text);
    auto r = ParseYuan("principal", c.text, false);
    REQUIRE(r.ok());
    CHECK(*r == c.fen);
  }
  // 0.29 and 1234567.89 are the classic floating-point traps: exact here.
  CHECK(*ParseYuan("amount", "0", true) == 0);
  CHECK(*ParseYuan("amount", "0.00", true) == 0);
}

TEST_CASE("units: bad amounts are refused with the flag named", "[unit][wallet]") {
  for (const char* bad : {"", "-1", "-0.01", "+5", "5.001", "5.", ".5", "1e6", "5 000", "5,00", "5,0000", ",500",
                          "50,000,00.00", "5000,000", "１２", "12a", "0x10", "1,000,000,000,000.01",
                          "10000000000000", "99999999999999999999999", "NaN", "inf", "5..0", "5.0.0"}) {
    INFO(bad);
    std::string m = Err(ParseYuan("principal", bad, false));
    CHECK(m.rfind("--principal: ", 0) == 0);
  }
  CHECK(Err(ParseYuan("amount", "0", false)).find("more than 0.00") != std::string::npos);
  CHECK(Err(ParseYuan("amount", "5.001", false)).find("more than 2 decimals") != std::string::npos);
  CHECK(Err(ParseYuan("amount", "1000000000000.01", false)).find("limit") != std::string::npos);
}

TEST_CASE("units: yuan formatting groups thousands", "[unit][wallet]") {
  CHECK(FormatYuan(0) == "0.00");
  CHECK(FormatYuan(1) == "0.01");
  CHECK(FormatYuan(500000000) == "5,000,000.00");
  CHECK(FormatYuan(123456789) == "1,234,567.89");
  CHECK(FormatYuan(contracts::kMaxAmountFen) == "1,000,000,000,000.00");
  CHECK(FormatYuan(-150) == "-1.50");
  CHECK(FormatYuan(std::numeric_limits<std::int64_t>::min()) == "-92,233,720,368,547,758.08");
  // Round trip.
  for (std::int64_t fen : {std::int64_t{1}, std::int64_t{99}, std::int64_t{100000}, std::int64_t{987654321012}}) {
    CHECK(*ParseYuan("x", FormatYuan(fen), false) == fen);
  }
}

TEST_CASE("units: rates are percent or bps, exactly", "[unit][wallet]") {
  CHECK(*ParseBps("rate", "3.85", 100000) == 385);
  CHECK(*ParseBps("rate", "3.85%", 100000) == 385);
  CHECK(*ParseBps("rate", "385bps", 100000) == 385);
  CHECK(*ParseBps("rate", "385BPS", 100000) == 385);
  CHECK(*ParseBps("rate", "4", 100000) == 400);
  CHECK(*ParseBps("rate", "0.5", 100000) == 50);
  CHECK(*ParseBps("rate", "0", 100000) == 0);
  CHECK(*ParseBps("rate", "100%", 10000) == 10000);
  for (const char* bad : {"", "3.855", "-1", "3,85", "3.85 %", "bps", "3.5bps", "%", "1e2", "abc", "101", "10001bps"}) {
    INFO(bad);
    CHECK(Err(ParseBps("rate", bad, 10000)).rfind("--rate: ", 0) == 0);
  }
  CHECK(FormatBps(385) == "3.85 %");
  CHECK(FormatBps(5000) == "50.00 %");
  CHECK(FormatBps(5) == "0.05 %");
}

TEST_CASE("units: dates are calendar dates in the ledger's range", "[unit][wallet]") {
  const std::int32_t today = contracts::DaysFromCivil(2026, 11, 27);
  CHECK(*ParseDate("due", "2027-06-30", today) == contracts::DaysFromCivil(2027, 6, 30));
  CHECK(*ParseDate("due", "2024-02-29", today) == contracts::DaysFromCivil(2024, 2, 29));
  CHECK(*ParseDate("due", "1950-01-01", today) == contracts::kMinDate);
  CHECK(*ParseDate("due", "2200-12-31", today) == contracts::kMaxDate);
  CHECK(*ParseDate("due", "today", today) == today);
  CHECK(*ParseDate("due", "TODAY", today) == today);
  CHECK(*ParseDate("due", "today+730", today) == today + 730);
  CHECK(*ParseDate("due", "today-30", today) == today - 30);
  for (const char* bad : {"", "2027-6-30", "2027/06/30", "20270630", "2027-13-01", "2027-00-10", "2027-02-29",
                          "2023-02-29", "2027-04-31", "2027-06-00", "1949-12-31", "2201-01-01", "today+", "today*3",
                          "tomorrow", "today+abc", "today+99999999", "27-06-30", "2027-06-30T00:00"}) {
    INFO(bad);
    CHECK(Err(ParseDate("due", bad, today)).rfind("--due: ", 0) == 0);
  }
  CHECK(FormatDay(contracts::DaysFromCivil(2027, 6, 30)) == "2027-06-30");
  CHECK(FormatDay(0) == "-");
}

TEST_CASE("units: patent numbers are normalised and their check digit verified (R25)", "[unit][wallet]") {
  CHECK(*ParsePatentNo("patent", "ZL201410362077.3") == "ZL201410362077.3");
  CHECK(*ParsePatentNo("patent", "zl201410362077.3") == "ZL201410362077.3");
  CHECK(*ParsePatentNo("patent", "ZL 2014 1 0362077.3") == "ZL201410362077.3");
  CHECK(*ParsePatentNo("patent", "201410362077.3") == "ZL201410362077.3");
  CHECK(*ParsePatentNo("patent", "ZL201910123456.X") == "ZL201910123456.X");
  CHECK(*ParsePatentNo("patent", "ZL201910123456.x") == "ZL201910123456.X");
  // The domain rules' own counter-example: the check character is X, not 7.
  std::string m = Err(ParsePatentNo("patent", "ZL201910123456.7"));
  CHECK(m.rfind("--patent: ", 0) == 0);
  CHECK(m.find("check digit") != std::string::npos);
  CHECK(m.find(".X") == std::string::npos);  // the expected character is not given away
  for (const char* bad : {"", "ZL", "ZL2014103620773", "ZL201410362077", "ZL20141036207.3", "ZL201440362077.3",
                          "CN201410362077.3", "ZL2014103620A7.3", "ZL201410362077.33"}) {
    INFO(bad);
    CHECK(Err(ParsePatentNo("patent", bad)).rfind("--patent: ", 0) == 0);
  }
}

TEST_CASE("units: ids, hashes, keys and addresses", "[unit][wallet]") {
  CHECK(*ParseOrgId("pledgee", "qtbank") == "qtbank");
  CHECK(*ParseOrgId("pledgee", "bank-a.hz_1") == "bank-a.hz_1");
  for (const char* bad : {"", "QtBank", "qt bank", "qt/bank", "银行"}) {
    INFO(bad);
    CHECK(Err(ParseOrgId("pledgee", bad)).rfind("--pledgee: ", 0) == 0);
  }
  CHECK(Err(ParseOrgId("pledgee", std::string(65, 'a'))).rfind("--pledgee: ", 0) == 0);

  const std::string id32 = "0123456789abcdef0123456789abcdef";
  CHECK(*ParseObjectId("pledge", id32) == id32);
  CHECK(*ParseObjectId("pledge", "0123456789ABCDEF0123456789ABCDEF") == id32);
  CHECK(*ParseObjectId("pledge", id32 + "ffffffffffffffffffffffffffffffff") == id32);  // a tx id
  for (const char* bad : {"", "0123", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef0"}) {
    INFO(bad);
    CHECK(Err(ParseObjectId("pledge", bad)).rfind("--pledge: ", 0) == 0);
  }

  const std::string h(64, 'a');
  CHECK(*ParseHex64("contract-hash", std::string(64, 'A')) == h);
  CHECK(Err(ParseHex64("contract-hash", h.substr(1))).rfind("--contract-hash: ", 0) == 0);
  CHECK(Err(ParseHex64("contract-hash", h.substr(1) + "g")).rfind("--contract-hash: ", 0) == 0);

  test::TempDir dir;
  REQUIRE(io::WriteFileAtomic(dir.Sub("contract.pdf"), "the contract").ok());
  CHECK(*HashOfFile("contract", dir.Sub("contract.pdf")) == ledger::HexEncode(ledger::Sha256("the contract")));
  CHECK(Err(HashOfFile("contract", dir.Sub("missing.pdf"))).rfind("--contract: ", 0) == 0);

  auto key = test::TestKey(3);
  const std::string hex = ledger::HexEncode(key.public_key());
  CHECK(*ParsePublicKey("public-key", hex) == hex);
  REQUIRE(io::WriteFileAtomic(dir.Sub("k.pub"), hex + "\n").ok());
  CHECK(*ParsePublicKey("public-key", dir.Sub("k.pub")) == hex);
  CHECK(Err(ParsePublicKey("public-key", "abc")).rfind("--public-key: ", 0) == 0);

  CHECK(*ParseHostPort("peer", "10.0.0.5:26701") == "10.0.0.5:26701");
  for (const char* bad : {"", "host", ":80", "host:", "host:0", "host:65536", "host:80a", "host:123456"}) {
    INFO(bad);
    CHECK(Err(ParseHostPort("peer", bad)).rfind("--peer: ", 0) == 0);
  }
  CHECK(*ParseInt("limit", "10", 1, 1000) == 10);
  CHECK(Err(ParseInt("limit", "0", 1, 1000)).rfind("--limit: ", 0) == 0);
  CHECK(Err(ParseInt("limit", "-3", 1, 1000)).rfind("--limit: ", 0) == 0);
  CHECK(Err(ParseInt("limit", "1e3", 1, 1000)).rfind("--limit: ", 0) == 0);
}

}  // namespace
}  // namespace pledger::tools::wallet
