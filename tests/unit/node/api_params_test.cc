#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "node/api/params.h"
#include "node/api/routes.h"

namespace pledger::node {
namespace {

TEST_CASE("api params: numbers are plain decimal digits within the range", "[api]") {
  for (const char* bad : {"-1", "+1", "1e3", "", " 1", "1 ", "0x10", "1.0", "1,000", "１", "18446744073709551616",
                          "99999999999999999999", "123456789012345678901"}) {
    INFO(bad);
    auto v = ParseUintParam("limit", bad, 0, UINT64_MAX);
    REQUIRE_FALSE(v.ok());
    CHECK(v.status().reason() == "PARAM_INVALID");
    CHECK(v.status().message().find("limit") != std::string_view::npos);
  }
  CHECK(*ParseUintParam("n", "0", 0, 10) == 0);
  CHECK(*ParseUintParam("n", "007", 0, 10) == 7);
  CHECK(*ParseUintParam("n", "18446744073709551615", 0, UINT64_MAX) == UINT64_MAX);

  auto high = ParseUintParam("limit", "1001", 1, 1000);
  REQUIRE_FALSE(high.ok());
  CHECK(high.status().message().find("from 1 to 1000") != std::string_view::npos);
  CHECK_FALSE(ParseUintParam("limit", "0", 1, 1000).ok());
  CHECK(ParseUintParam("height", "x", 1, UINT64_MAX, "BLOCK_ID_INVALID").status().reason() == "BLOCK_ID_INVALID");
}

TEST_CASE("api params: wait, booleans, dates", "[api]") {
  HttpRequest req;
  CHECK(QueryWait(req, 60000)->count() == 0);
  req.query["wait"] = "60000";
  CHECK(QueryWait(req, 60000)->count() == 60000);
  for (const char* bad : {"60001", "-1", "1e3", ""}) {
    req.query["wait"] = bad;
    auto w = QueryWait(req, 60000);
    REQUIRE_FALSE(w.ok());
    CHECK(w.status().reason() == "WAIT_INVALID");
  }
  req.query["b"] = "true";
  CHECK(*QueryBool(req, "b", false));
  req.query["b"] = "1";
  CHECK_FALSE(QueryBool(req, "b", false).ok());
  CHECK(*QueryBool(req, "absent", true));

  CHECK(ParseIsoDate("2024-02-29").has_value());
  CHECK_FALSE(ParseIsoDate("2023-02-29").has_value());
  CHECK_FALSE(ParseIsoDate("2024-2-29").has_value());
  CHECK_FALSE(ParseIsoDate("1900-01-01").has_value());  // before the contracts' range
}

TEST_CASE("api routes: patterns match whole segments, {x...} takes the rest", "[api]") {
  std::vector<std::pair<std::string_view, std::string>> params;
  CHECK(MatchRoute("/v1/status", "/v1/status", &params));
  CHECK(MatchRoute("/v1/status", "/v1//status/", &params));
  CHECK_FALSE(MatchRoute("/v1/status", "/v1/status/x", &params));
  CHECK_FALSE(MatchRoute("/v1/txs/{id}", "/v1/txs", &params));
  REQUIRE(MatchRoute("/v1/pools/{id}/statements/{date}", "/v1/pools/P1/statements/2024-01-31", &params));
  REQUIRE(params.size() == 2);
  CHECK(params[0].second == "P1");
  CHECK(params[1].second == "2024-01-31");
  REQUIRE(MatchRoute("/v1/history/{entity...}", "/v1/history/tranche/P1/2", &params));
  CHECK(params[0].first == "entity");
  CHECK(params[0].second == "tranche/P1/2");
  CHECK_FALSE(MatchRoute("/v1/history/{entity...}", "/v1/history", &params));
}

// Every route has a unique stable id and a pattern no other route of the same
// method matches: the table is unambiguous, so a rule attached to a route id
// covers exactly the requests that route serves.
TEST_CASE("api routes: ids are unique and patterns do not overlap", "[api]") {
  std::set<std::string_view> ids;
  for (const ApiRoute& r : ApiRoutes()) {
    INFO(r.id);
    CHECK(ids.insert(r.id).second);
    CHECK(r.handler != nullptr);
    CHECK((r.method == "GET" || r.method == "POST"));
    std::string sample;
    for (size_t i = 0; i < r.pattern.size(); ++i) {
      if (r.pattern[i] == '{') {
        sample += "x";
        i = r.pattern.find('}', i);
      } else {
        sample += r.pattern[i];
      }
    }
    int matches = 0;
    for (const ApiRoute& other : ApiRoutes()) {
      if (other.method == r.method && MatchRoute(other.pattern, sample, nullptr)) ++matches;
    }
    CHECK(matches == 1);
  }
}

}  // namespace
}  // namespace pledger::node
