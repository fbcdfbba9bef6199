// pledger-wallet submit FILE FILE... against a fake node: one POST
// /v1/txs/batch, one line per file in order, exit 4 when any is refused; a
// node without the route is named; one file still goes to POST /v1/txs.
// (tests/integration/wallet_batch_test.cc runs the same against a cluster.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/tools/wallet_harness.h"
#include "tools/wallet/wallet.h"

namespace pledger::test {
namespace {

using tools::wallet::kExitOk;
using tools::wallet::kExitRejected;

const std::string kHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kPatent = "ZL201410362077.3";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// An appraiser's wallet with a profile on the fake node and two signed
// valuation files, v1.json and v2.json.
struct Appraiser {
  WalletHarness h;
  std::string v1, v2, id1, id2;
  Appraiser() {
    h.ImportKey("appraiser", TestKey(5));
    h.node = MakeFakeNode();
    h.node->AddAccount(TestKey(5), "appraisal", contracts::ROLE_APPRAISER);
    REQUIRE(h.Run({"profile", "add", "ap", "--node", "http://127.0.0.1:1", "--key", "appraiser"}).code == kExitOk);
    for (const char* v : {"v1", "v2"}) {
      WalletRun r = h.Run({"valuation", "record", "--patent", kPatent, "--method", "income", "--base-date", "today",
                           "--value", std::string(v) == "v1" ? "20000000" : "30000000", "--report-hash", kHash,
                           "--licence-no", "L-1", "--passphrase-env", "PW", "--out", h.Path(std::string(v) + ".json")});
      INFO(r.err);
      REQUIRE(r.code == kExitOk);
    }
    v1 = h.Path("v1.json");
    v2 = h.Path("v2.json");
    id1 = ReadTxFile(v1).tx_id();
    id2 = ReadTxFile(v2).tx_id();
    REQUIRE(id1 != id2);
  }
  long Requests(const std::string& what) const {
    return std::count(h.node->requests.begin(), h.node->requests.end(), what);
  }
};

TEST_CASE("wallet submit: several files go in one batch request, one line each, in order", "[unit][wallet]") {
  Appraiser a;
  a.h.node->canned["POST /v1/txs/batch"] = {
      200, "{\"results\":[{\"tx_id\":\"" + a.id1 + "\",\"status\":\"COMMITTED\",\"tx\":{\"tx_id\":\"" + a.id1 +
               "\",\"status\":\"COMMITTED\",\"height\":\"41\",\"receipt\":{\"code\":\"OK\"},\"receipt_code\":\"OK\"}},"
               "{\"tx_id\":\"" + a.id2 + "\",\"status\":\"REFUSED\",\"code\":\"MEMPOOL_FULL\",\"message\":\"the "
               "mempool is full\",\"retryable\":true,\"retry_after_ms\":1000}]}"};
  WalletRun r = a.h.Run({"submit", a.v1, a.v2, "--passphrase-env", "PW"});
  INFO(r.out << r.err);
  CHECK(r.code == kExitRejected);  // one was refused
  CHECK(a.Requests("POST /v1/txs/batch") == 1);
  CHECK(a.Requests("POST /v1/txs") == 0);
  std::vector<std::string> lines = Lines(r.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind(a.v1 + ": Committed at height 41: OK, id ", 0) == 0);
  CHECK(lines[0].find("; transaction " + a.id1) != std::string::npos);
  CHECK(lines[1] == a.v2 + ": REFUSED by the node before ordering: MEMPOOL_FULL: the mempool is full (the node is "
                           "busy or catching up: submit it again later); transaction " + a.id2);

  // All committed: exit 0.
  a.h.node->canned["POST /v1/txs/batch"] = {
      200, "{\"results\":[{\"tx_id\":\"" + a.id1 + "\",\"status\":\"COMMITTED\",\"tx\":{\"height\":\"41\","
               "\"receipt\":{\"code\":\"OK\"}}},{\"tx_id\":\"" + a.id2 + "\",\"status\":\"COMMITTED\",\"tx\":{"
               "\"height\":\"42\",\"receipt\":{\"code\":\"OK\"}}}]}"};
  r = a.h.Run({"submit", a.v1, a.v2, "--passphrase-env", "PW", "--quiet"});
  CHECK(r.code == kExitOk);
  CHECK(Lines(r.out).size() == 2);
}

TEST_CASE("wallet submit: a node without the batch route is named, one file goes as before", "[unit][wallet]") {
  Appraiser a;
  a.h.node->canned["POST /v1/txs/batch"] = {
      404, "{\"error\":{\"code\":\"ROUTE_NOT_FOUND\",\"message\":\"no such endpoint\"}}"};
  WalletRun r = a.h.Run({"submit", a.v1, a.v2, "--passphrase-env", "PW"});
  INFO(r.out << r.err);
  CHECK(r.code != kExitOk);
  CHECK(r.err.find("BATCH_UNSUPPORTED") != std::string::npos);
  CHECK(r.err.find("submit the files one at a time") != std::string::npos);
  CHECK(a.h.node->submitted.empty());

  r = a.h.Run({"submit", a.v1, "--passphrase-env", "PW"});
  CHECK(r.code == kExitOk);
  CHECK(a.Requests("POST /v1/txs") == 1);
  CHECK(a.h.node->submitted.size() == 1);
  CHECK(r.out.find("Committed at height") != std::string::npos);  // the single-file receipt, as before
}

}  // namespace
}  // namespace pledger::test
