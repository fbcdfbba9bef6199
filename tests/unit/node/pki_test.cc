#include <catch2/catch.hpp>

#include "node/pki.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

TEST_CASE("pki: node certificates carry the node id and the node key", "[pki]") {
  auto ca = GenerateCa("Test Consortium CA", 30);
  REQUIRE(ca.ok());
  auto key = test::TestKey(7);
  auto cert = IssueNodeCertificate(ca->cert_pem, ca->key_pem, "ipo-zj-1", "Zhejiang IPO", key,
                                   {"127.0.0.1", "node1.example"}, 30);
  REQUIRE(cert.ok());
  auto id = IdentityFromCertPem(*cert);
  REQUIRE(id.ok());
  CHECK(id->node_id == "ipo-zj-1");
  CHECK(id->key == key.public_key());
}

TEST_CASE("pki: keys round-trip through PEM", "[pki]") {
  auto key = test::TestKey(8);
  auto pem = Ed25519KeyToPem(key);
  REQUIRE(pem.ok());
  auto back = Ed25519KeyFromPem(*pem);
  REQUIRE(back.ok());
  CHECK(back->public_key() == key.public_key());
  CHECK(Ed25519KeyFromPem("not a key").status().reason() == "KEY_INVALID");
}

TEST_CASE("pki: bad node ids and bad certificates are refused", "[pki]") {
  CHECK(ValidateNodeId("").reason() == "NODE_ID_INVALID");
  CHECK(ValidateNodeId("a b").reason() == "NODE_ID_INVALID");
  CHECK(ValidateNodeId(std::string(65, 'a')).reason() == "NODE_ID_INVALID");
  CHECK(ValidateNodeId("bank-A_1.x").ok());
  CHECK(IdentityFromCertPem("garbage").status().reason() == "CERT_INVALID");
}

}  // namespace
}  // namespace pledger::node
