// Building blocks: dates, money, result codes (and their documentation),
// genesis parsing.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "contracts/encode.h"
#include "tests/unit/contracts/harness.h"

namespace pledger::contracts::test {
namespace {

TEST_CASE("dates: civil conversion round-trips and weekdays", "[unit][contracts][dates]") {
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(2000, 3, 1) == 11017);
  for (std::int32_t d = kMinDate; d <= kMaxDate; d += 37) {
    CivilDate c = CivilFromDays(d);
    REQUIRE(DaysFromCivil(c.year, c.month, c.day) == d);
  }
  CHECK(Weekday(0) == 4);  // Thursday
  CHECK(FormatDate(DaysFromCivil(2024, 2, 29)) == "2024-02-29");
  CHECK(AddYears(DaysFromCivil(2024, 2, 29), 1) == DaysFromCivil(2025, 2, 28));
  // Block time to Beijing date: 2024-06-02 16:00 UTC is 2024-06-03 00:00 in Beijing.
  std::uint64_t t = static_cast<std::uint64_t>(DaysFromCivil(2024, 6, 2)) * kMsPerDay + 16 * 3600 * 1000ull;
  CHECK(DateOfBlockTime(t) == DaysFromCivil(2024, 6, 3));
  CHECK(DateOfBlockTime(t - 1) == DaysFromCivil(2024, 6, 2));
}

TEST_CASE("money: checked sums and bps rounding", "[unit][contracts][money]") {
  CHECK(!CheckedAdd(INT64_MAX, 1));
  CHECK(*CheckedAdd(1, 2) == 3);
  CHECK(!CheckedSub(INT64_MIN, 1));
  CHECK(RatioBpsCeil(1, 3) == 3334);
  CHECK(RatioBpsCeil(3, 10) == 3000);
  CHECK(RatioBpsFloor(1, 3) == 3333);
  CHECK(RatioBpsCeil(kMaxAmountFen, 1) == UINT32_MAX);
  CHECK(ValidAmount(kMaxAmountFen));
  CHECK(!ValidAmount(kMaxAmountFen + 1));
  CHECK(!ValidAmount(-1));
}

TEST_CASE("codes: sorted, unique, and every one documented in docs/contracts.md", "[unit][contracts][codes]") {
  auto codes = AllCodes();
  for (size_t i = 1; i < codes.size(); ++i) REQUIRE(codes[i - 1].code < codes[i].code);
  CHECK(RuleOf("PLEDGE_PATENT_ALREADY_PLEDGED") == "R7i");
  CHECK(Fail("NO_SUCH_CODE", "x").code() == StatusCode::kInternal);
  CHECK(Fail("PLEDGE_LTV_EXCEEDED", "x").reason() == "PLEDGE_LTV_EXCEEDED");
  std::ifstream in(std::string(PLEDGER_SOURCE_DIR) + "/docs/contracts.md");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (const CodeInfo& c : codes) {
    INFO(c.code);
    CHECK(doc.find("`" + std::string(c.code) + "`") != std::string::npos);
  }
}

// EncodeRecord relies on contract records and receipts having no map fields.
bool HasMapField(const google::protobuf::Descriptor* d, std::set<const google::protobuf::Descriptor*>* seen) {
  if (!seen->insert(d).second) return false;
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->is_map()) return true;
    if (f->message_type() != nullptr && HasMapField(f->message_type(), seen)) return true;
  }
  return false;
}

TEST_CASE("encode: records and receipts have no map fields, EncodeRecord == SerializeCanonical",
          "[unit][contracts][encode]") {
  std::set<const google::protobuf::Descriptor*> seen;
  for (const auto* d : {Account::descriptor(), Patent::descriptor(), Pledge::descriptor(), Valuation::descriptor(),
                        BorrowerLenders::descriptor(), Organisation::descriptor(),
                        Params::descriptor(), Validator::descriptor(), ledger::Receipt::descriptor()}) {
    INFO(d->full_name());
    CHECK(!HasMapField(d, &seen));
  }
  World w;
  std::string no = Zl(2020, 1, 42);
  REQUIRE(w.RegisterPatent(no, {{"sme-1", 6000}, {"sme-2", 4000}}).code() == "OK");
  auto r = w.Run(w.PledgeAction("bank-a", {"sme-1", "sme-2"}, {no}), {"bank-a", "sme-1", "sme-2", "ipo-a"});
  REQUIRE(r.code() == "OK");
  CHECK(EncodeRecord(r) == ledger::SerializeCanonical(r));
  Patent p = w.GetPatent(no);
  CHECK(EncodeRecord(p) == ledger::SerializeCanonical(p));
  Pledge pl = w.GetPledge(w.last_object_id());
  CHECK(EncodeRecord(pl) == ledger::SerializeCanonical(pl));
}

TEST_CASE("genesis: strict JSON, errors name the field, state is reproducible", "[unit][contracts][genesis]") {
  Genesis g = TestGenesis();
  std::string json = GenesisToJson(g);
  auto parsed = ParseGenesis(json);
  REQUIRE(parsed.ok());
  CHECK(parsed->SerializeAsString() == g.SerializeAsString());
  auto s1 = GenesisState(*parsed);
  auto s2 = GenesisState(g);
  REQUIRE(s1.ok());
  CHECK(*s1 == *s2);

  CHECK(ParseGenesis("{").status().reason() == "GENESIS_JSON_INVALID");
  auto unknown = ParseGenesis(R"({"chain_id": "x", "colour": "red"})");
  CHECK(unknown.status().reason() == "GENESIS_JSON_INVALID");

  Genesis bad = g;
  bad.mutable_accounts(3)->set_org_id("nobody");
  auto r = GenesisState(bad);
  REQUIRE(!r.ok());
  CHECK(r.status().reason() == "GENESIS_INVALID");
  CHECK_THAT(std::string(r.status().message()), Catch::StartsWith("accounts[3].org_id"));
  bad = g;
  bad.mutable_organisations(1)->set_id("Bad Id");
  CHECK_THAT(std::string(GenesisState(bad).status().message()), Catch::StartsWith("organisations[1]"));
  bad = g;
  bad.clear_validators();
  CHECK_THAT(std::string(GenesisState(bad).status().message()), Catch::StartsWith("validators"));
  bad = g;
  bad.mutable_params()->set_max_expiry_window(0);
  CHECK_THAT(std::string(GenesisState(bad).status().message()), Catch::StartsWith("params"));
}

TEST_CASE("genesis: the documented example parses", "[unit][contracts][genesis]") {
  std::ifstream in(std::string(PLEDGER_SOURCE_DIR) + "/docs/contracts.md");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string open = "```json\n";
  auto start = doc.find(open);
  REQUIRE(start != std::string::npos);
  start += open.size();
  auto end = doc.find("```", start);
  auto g = ParseGenesis(doc.substr(start, end - start));
  INFO(g.status().ToString());
  REQUIRE(g.ok());
  CHECK(GenesisState(*g).ok());
}

}  // namespace
}  // namespace pledger::contracts::test
