// Fuzz target: JSON from files and HTTP clients: node configuration, genesis,
// a submitted transaction, a wallet key file. Errors are fine; crashes are not.
#include "contracts/genesis.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/io/json.h"
#include "node/node.h"
#include "tests/fuzz/fuzz.h"
#include "tools/wallet/keystore.h"

namespace pledger::fuzz {

const char kTargetName[] = "json";

int FuzzOne(const std::uint8_t* data, std::size_t size) {
  std::string json(reinterpret_cast<const char*>(data), size);
  config::NodeConfig c;
  (void)node::ParseNodeConfig(json, &c, "fuzz");
  (void)contracts::ParseGenesis(json);
  ledger::Transaction tx;
  (void)io::ParseJson(json, &tx, "fuzz");
  auto kf = tools::Keystore::ParseKeyFile(json);
  if (kf.ok()) (void)tools::Keystore::Decrypt(*kf, "passphrase");
  return 0;
}

std::vector<std::string> SeedInputs() {
  return {
      R"({"node_id":"n1","chain_id":"c","data_dir":"data","peers":[{"node_id":"n2","address":"127.0.0.1:1"}],"raft":{"tick_ms":100}})",
      R"({"chain_id":"c","params":{"max_expiry_window":"3600"},"organisations":[{"id":"o","name":"O","kind":"ORG_IP_OFFICE","address":"a"}],"accounts":[],"validators":[{"node_id":"n1","public_key_hex":"00","role":"VALIDATOR_VOTER","org_id":"o"}]})",
      R"({"body":"CgVmdXp6","signatures":[{"public_key":"AAAA","signature":"AAAA"}]})",
      R"({"version":1,"name":"k","public_key_hex":"00","kdf":"argon2id13","kdf_opslimit":"1","kdf_memlimit":"8192","kdf_salt_hex":"00000000000000000000000000000000","cipher":"xchacha20poly1305-ietf","nonce_hex":"000000000000000000000000000000000000000000000000","ciphertext_hex":"00"})",
  };
}

}  // namespace pledger::fuzz
