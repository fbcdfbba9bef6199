#include <catch2/catch.hpp>
#include <google/protobuf/stubs/logging.h>

#include <random>
#include <string>
#include <vector>

#include "ledger/io/api_json.h"
#include "node/submit_json.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

// Pieces strings are made of: the first group is what the fast encoder must
// handle itself, the second what makes it fall back to protobuf's printer.
const std::vector<std::string> kSafe = {"a", "Z", "0", " ", "\"", "\\", "<", ">", "&", "'", "=", "/", "…",
                                        "中", "é", "\xf0\x9f\x98\x80", "patent.registered", "ZL2021"};
const std::vector<std::string> kRisky = {"\n", "\t", std::string(1, '\0'), "\x7f", "\xff", "\x80", "\xc0\x80",
                                         "\xe2\x80\xa8", "\xe2\x80\xa9", "\xed\xa0\x80", "\xe4\xb8", "\xf4\x90\x80\x80"};

std::string RandomString(std::mt19937_64& rng, bool risky) {
  std::string s;
  const size_t n = rng() % 6;
  for (size_t i = 0; i < n; ++i) {
    if (risky && rng() % 8 == 0) {
      s += kRisky[rng() % kRisky.size()];
    } else {
      s += kSafe[rng() % kSafe.size()];
    }
  }
  return s;
}

// The shape CommittedAnswer builds, with random contents.
api::SubmitResponse RandomResponse(std::mt19937_64& rng, bool risky) {
  api::SubmitResponse r;
  r.set_tx_id(RandomString(rng, risky));
  r.set_status(RandomString(rng, risky));
  if (rng() % 4 == 0) r.set_message(RandomString(rng, risky));
  if (rng() % 8 == 0) return r;  // no tx view
  api::TxView* t = r.mutable_tx();
  t->set_tx_id(RandomString(rng, risky));
  t->set_status(RandomString(rng, risky));
  t->set_height(rng() % 3 == 0 ? rng() : rng() % 1000);
  t->set_index(static_cast<std::uint32_t>(rng()));
  if (rng() % 4 == 0) t->set_block_hash(RandomString(rng, risky));
  if (rng() % 4 == 0) t->set_block_time_ms(rng());
  if (rng() % 6 != 0) {
    api::ReceiptView* rc = t->mutable_receipt();
    std::string id(rng() % 40, '\0');
    for (char& c : id) c = "0123456789abcdef"[rng() % 16];
    rc->set_tx_id(id);
    rc->set_code(RandomString(rng, risky));
    rc->set_message(RandomString(rng, risky));
    rc->set_rule(RandomString(rng, risky));
    for (size_t e = rng() % 4; e > 0; --e) {
      ledger::Event* ev = rc->add_events();
      ev->set_type(RandomString(rng, risky));
      for (size_t a = rng() % 4; a > 0; --a) {
        ledger::Attribute* at = ev->add_attributes();
        at->set_key(RandomString(rng, risky));
        at->set_value(RandomString(rng, risky));
      }
    }
    for (size_t g = rng() % 3; g > 0; --g) rc->add_grounds(RandomString(rng, risky));
  }
  t->set_receipt_code(RandomString(rng, risky));
  return r;
}

TEST_CASE("submit json: the waiter answer is byte for byte the API's JSON", "[unit][node][json]") {
  const std::uint64_t seed = test::TestSeed("submit json");
  google::protobuf::LogSilencer quiet;  // the invalid UTF-8 cases make protobuf complain
  std::mt19937_64 rng(seed);
  int fast = 0, fallback = 0;
  for (int i = 0; i < 4000; ++i) {
    const bool risky = i % 2 == 1;
    api::SubmitResponse r = RandomResponse(rng, risky);
    INFO("case " << i << ": " << r.ShortDebugString());
    const std::string expected = io::ApiJsonFromMessage(r);
    CHECK(SubmitResponseJson(r) == expected);
    std::string out;
    if (FastSubmitResponseJson(r, &out)) {
      ++fast;
      CHECK(out == expected);
    } else {
      ++fallback;
      CHECK(risky);  // safe strings never need the fallback
    }
  }
  CHECK(fast > 2000);
  CHECK(fallback > 100);
}

TEST_CASE("submit json: a committed receipt takes the fast path, other views fall back", "[unit][node][json]") {
  api::SubmitResponse r;
  r.set_tx_id("ab12");
  r.set_status("COMMITTED");
  api::TxView* t = r.mutable_tx();
  t->set_tx_id("ab12");
  t->set_status("COMMITTED");
  t->set_height(42);
  t->set_index(7);
  api::ReceiptView* rc = t->mutable_receipt();
  rc->set_tx_id("01ff10");
  rc->set_code("TX_REPLAYED");
  rc->set_message("transaction 0123456789abcdef… appears earlier in this block");
  ledger::Event* ev = rc->add_events();
  ev->set_type("patent.registered");
  ledger::Attribute* at = ev->add_attributes();
  at->set_key("title");
  at->set_value("一种<专利>");
  t->set_receipt_code("TX_REPLAYED");
  std::string out;
  REQUIRE(FastSubmitResponseJson(r, &out));
  CHECK(out ==
        "{\"tx_id\":\"ab12\",\"status\":\"COMMITTED\",\"message\":\"\",\"tx\":{\"tx_id\":\"ab12\",\"status\":"
        "\"COMMITTED\",\"height\":\"42\",\"index\":7,\"block_hash\":\"\",\"receipt\":{"
        "\"tx_id\":\"01ff10\",\"code\":\"TX_REPLAYED\",\"message\":\"transaction 0123456789abcdef… appears earlier in "
        "this block\",\"events\":[{\"type\":\"patent.registered\",\"attributes\":[{\"key\":\"title\",\"value\":"
        "\"一种\\u003c专利\\u003e\"}]}],\"grounds\":[],\"rule\":\"\"},\"receipt_code\":\"TX_REPLAYED\",\"action\":\"\"}}");
  CHECK(out == io::ApiJsonFromMessage(r));

  t->mutable_proof();  // a field CommittedAnswer never sets
  CHECK_FALSE(FastSubmitResponseJson(r, &out));
  CHECK(SubmitResponseJson(r) == io::ApiJsonFromMessage(r));
}

}  // namespace
}  // namespace pledger::node
