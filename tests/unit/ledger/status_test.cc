#include <catch2/catch.hpp>

#include "consensus/status.h"

namespace pledger {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("ODD", "cannot halve an odd number");
  return x / 2;
}

Result<int> Quarter(int x) {
  PLEDGER_ASSIGN_OR_RETURN(int h, Half(x));
  PLEDGER_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckPositive(int x) {
  PLEDGER_RETURN_IF_ERROR(Half(x * 2));
  if (x <= 0) return Status::FailedPrecondition("NOT_POSITIVE", "x must be > 0");
  return Status::OK();
}

TEST_CASE("Status: OK is the default and carries no reason", "[status]") {
  Status s;
  CHECK(s.ok());
  CHECK(s.code() == StatusCode::kOk);
  CHECK(s.reason().empty());
  CHECK(s.ToString() == "OK");
}

TEST_CASE("Status: errors keep code, reason and message through copies", "[status]") {
  Status s = Status::NotFound("TX_NOT_FOUND", "no such tx");
  Status copy = s;
  CHECK_FALSE(copy.ok());
  CHECK(copy.IsNotFound());
  CHECK(copy.reason() == "TX_NOT_FOUND");
  CHECK(copy.ToString() == "NOT_FOUND TX_NOT_FOUND: no such tx");
  CHECK(copy.WithContext("GET /v1/txs").message() == "GET /v1/txs: no such tx");
}

TEST_CASE("Result: values and errors propagate through the macros", "[status]") {
  CHECK(*Quarter(8) == 2);
  auto r = Quarter(6);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().reason() == "ODD");
  CHECK(CheckPositive(3).ok());
  CHECK(CheckPositive(-1).reason() == "NOT_POSITIVE");
}

}  // namespace
}  // namespace pledger
