// docs/openapi.yaml describes exactly the node's route table: every route,
// with its method, and no path or method the node does not serve.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "node/api/routes.h"

namespace pledger::node {
namespace {

// (METHOD, path) pairs under "paths:" of the YAML, by its layout: a path is a
// line "  /...:" (two spaces), its operations lines "    get:" (four).
std::set<std::pair<std::string, std::string>> OpenApiOperations(const std::string& yaml_text) {
  std::set<std::pair<std::string, std::string>> out;
  std::istringstream in(yaml_text);
  std::string line, path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    if (!line.empty() && line[0] != ' ' && line[0] != '#') break;  // the next top-level key
    if ((line.rfind("  /", 0) == 0 || line.rfind("  '/", 0) == 0) && line.back() == ':') {
      path = line.substr(2, line.size() - 3);
      if (path.size() > 1 && path.front() == '\'' && path.back() == '\'') path = path.substr(1, path.size() - 2);
      continue;
    }
    for (const char* m : {"get", "post", "put", "delete", "patch", "head", "options"}) {
      if (line == std::string("    ") + m + ":") {
        std::string upper = m;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out.emplace(upper, path);
      }
    }
  }
  return out;
}

TEST_CASE("openapi: the description lists exactly the route table", "[unit][node][openapi]") {
  std::ifstream f(std::string(PLEDGER_SOURCE_DIR) + "/docs/openapi.yaml");
  REQUIRE(f.good());
  std::stringstream text;
  text << f.rdbuf();
  const auto described = OpenApiOperations(text.str());
  std::set<std::pair<std::string, std::string>> served;
  for (const ApiRoute& r : ApiRoutes()) {
    std::string pattern(r.pattern);
    // "{entity...}" (the rest of the path, slashes included) is one OpenAPI
    // parameter "{entity}" whose description says so.
    for (size_t at = pattern.find("...}"); at != std::string::npos; at = pattern.find("...}")) {
      pattern.erase(at, 3);
    }
    served.emplace(std::string(r.method), pattern);
  }
  REQUIRE(served.size() == ApiRoutes().size());
  for (const auto& [m, p] : served) {
    INFO("served, not in docs/openapi.yaml (add it to ROUTES in tools/openapi/gen.py): " << m << " " << p);
    CHECK(described.count({m, p}) == 1);
  }
  for (const auto& [m, p] : described) {
    INFO("in docs/openapi.yaml, not served by node/api/routes.cc (stale): " << m << " " << p);
    CHECK(served.count({m, p}) == 1);
  }
}

TEST_CASE("openapi: the reader of paths sees through quoting and other sections", "[unit][node][openapi]") {
  const std::string yaml =
      "openapi: 3.0.3\n"
      "paths:\n"
      "  /v1/a:\n"
      "    get:\n"
      "      summary: x\n"
      "      responses:\n"
      "        '200':\n"
      "          description: OK\n"
      "  '/v1/b/{id}':\n"
      "    post:\n"
      "      operationId: b\n"
      "    get:\n"
      "      operationId: b2\n"
      "components:\n"
      "  schemas:\n"
      "    get:\n";
  CHECK(OpenApiOperations(yaml) == std::set<std::pair<std::string, std::string>>{
                                       {"GET", "/v1/a"}, {"POST", "/v1/b/{id}"}, {"GET", "/v1/b/{id}"}});
}

}  // namespace
}  // namespace pledger::node
