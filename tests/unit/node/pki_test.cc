#include <catch2/catch.hpp>

#include "ledger/io/pki.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

TEST_CASE("pki: node certificates carry the node id and the node key", "[pki]") {
  auto ca = io::GenerateCa("Test Consortium CA", 30);
  REQUIRE(ca.ok());
  auto key = test::TestKey(7);
  auto cert = io::IssueNodeCertificate(ca->cert_pem, ca->key_pem, "ipo-zj-1", "Zhejiang IPO", key,
                                   {"127.0.0.1", "node1.example"}, 30);
  REQUIRE(cert.ok());
  auto id = io::IdentityFromCertPem(*cert);
  REQUIRE(id.ok());
  CHECK(id->node_id == "ipo-zj-1");
  CHECK(id->key == key.public_key());
}

TEST_CASE("pki: keys round-trip through PEM", "[pki]") {
  auto key = test::TestKey(8);
  auto pem = io::Ed25519KeyToPem(key);
  REQUIRE(pem.ok());
  auto back = io::Ed25519KeyFromPem(*pem);
  REQUIRE(back.ok());
  CHECK(back->public_key() == key.public_key());
  CHECK(io::Ed25519KeyFromPem("not a key").status().reason() == "KEY_INVALID");
}

TEST_CASE("pki: bad node ids and bad certificates are refused", "[pki]") {
  CHECK(io::ValidateNodeId("").reason() == "NODE_ID_INVALID");
  CHECK(io::ValidateNodeId("a b").reason() == "NODE_ID_INVALID");
  CHECK(io::ValidateNodeId(std::string(65, 'a')).reason() == "NODE_ID_INVALID");
  CHECK(io::ValidateNodeId("bank-A_1.x").ok());
  CHECK(io::IdentityFromCertPem("garbage").status().reason() == "CERT_INVALID");
}

}  // namespace
}  // namespace pledger::node
