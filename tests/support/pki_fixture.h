// A throwaway consortium PKI in a temp directory for node tests: a CA and
// certificate + key files for the node ids asked for. Test-only keys.
#ifndef PLEDGER_TESTS_SUPPORT_PKI_FIXTURE_H_
#define PLEDGER_TESTS_SUPPORT_PKI_FIXTURE_H_

#include <map>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "tests/support/test_util.h"

namespace pledger::test {

class PkiFixture {
 public:
  // Creates a CA named `ca_name` and one certificate per node id.
  PkiFixture(const std::string& ca_name, const std::vector<std::string>& node_ids);

  std::string ca_file() const { return dir_.Sub("ca.pem"); }
  std::string cert_file(const std::string& id) const { return dir_.Sub(id + ".crt"); }
  std::string key_file(const std::string& id) const { return dir_.Sub(id + ".key"); }
  const ledger::PublicKey& public_key(const std::string& id) const { return keys_.at(id); }

 private:
  TempDir dir_;
  std::map<std::string, ledger::PublicKey> keys_;
};

}  // namespace pledger::test

#endif  // PLEDGER_TESTS_SUPPORT_PKI_FIXTURE_H_
