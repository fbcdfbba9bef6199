#include "tests/support/pki_fixture.h"

#include <stdexcept>

#include "ledger/io/files.h"
#include "ledger/io/pki.h"

namespace pledger::test {

PkiFixture::PkiFixture(const std::string& ca_name, const std::vector<std::string>& node_ids) {
  auto ca = io::GenerateCa(ca_name, 30);
  if (!ca.ok()) throw std::runtime_error(ca.status().ToString());
  if (!io::WriteFileAtomic(ca_file(), ca->cert_pem).ok()) throw std::runtime_error("write ca");
  for (const auto& id : node_ids) {
    auto key = ledger::SecretKey::Generate();
    auto cert = io::IssueNodeCertificate(ca->cert_pem, ca->key_pem, id, "Test Org", key,
                                           {"127.0.0.1", "localhost"}, 30);
    auto pem = io::Ed25519KeyToPem(key);
    if (!cert.ok() || !pem.ok()) throw std::runtime_error("issue cert");
    if (!io::WriteFileAtomic(cert_file(id), *cert).ok() ||
        !io::WriteFileAtomic(key_file(id), *pem, 0600).ok()) {
      throw std::runtime_error("write cert");
    }
    keys_[id] = key.public_key();
  }
}

}  // namespace pledger::test
