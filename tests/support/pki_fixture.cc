#include "tests/support/pki_fixture.h"

#include <stdexcept>

#include "node/files.h"
#include "node/pki.h"

namespace pledger::test {

PkiFixture::PkiFixture(const std::string& ca_name, const std::vector<std::string>& node_ids) {
  auto ca = node::GenerateCa(ca_name, 30);
  if (!ca.ok()) throw std::runtime_error(ca.status().ToString());
  if (!node::WriteFileAtomic(ca_file(), ca->cert_pem).ok()) throw std::runtime_error("write ca");
  for (const auto& id : node_ids) {
    auto key = ledger::SecretKey::Generate();
    auto cert = node::IssueNodeCertificate(ca->cert_pem, ca->key_pem, id, "Test Org", key,
                                           {"127.0.0.1", "localhost"}, 30);
    auto pem = node::Ed25519KeyToPem(key);
    if (!cert.ok() || !pem.ok()) throw std::runtime_error("issue cert");
    if (!node::WriteFileAtomic(cert_file(id), *cert).ok() ||
        !node::WriteFileAtomic(key_file(id), *pem, 0600).ok()) {
      throw std::runtime_error("write cert");
    }
    keys_[id] = key.public_key();
  }
}

}  // namespace pledger::test
