// Creating a consortium: CA, node certificates and keys, account keys, the
// genesis file and one configuration per node, from a ConsortiumSpec.
// Used by pledger-admin, tools/devnet.sh (through pledger-admin) and the
// integration tests.
//
// Output layout under `out`:
//   ca/ca.crt, ca/ca.key (0600)
//   consortium-ca.crt          the CA certificate clients pin (wallet profiles'
//                              --ca, pledger-audit --ca, curl --cacert): a copy
//                              of ca/ca.crt outside the directory with the key
//   genesis.json
//   nodes/<id>/{config.json, node.crt, node.key (0600), ca.crt, genesis.json}   dir 0700
//   accounts/<name>.key (PKCS#8 PEM, 0600), accounts/<name>.pub (hex public key)
// A node directory is self-contained: copy it to the node's host.
//
// Errors: SPEC_INVALID (naming the field), file errors. Nothing is written
// unless the spec is valid; an existing `out` with a ca/ is refused
// (CONSORTIUM_EXISTS) so a second run cannot clobber keys.
#ifndef PLEDGER_TOOLS_ADMIN_CONSORTIUM_H_
#define PLEDGER_TOOLS_ADMIN_CONSORTIUM_H_

#include <string>
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/state.pb.h"
#include "ledger/io/proto/config.pb.h"
#include "tools/proto/admin.pb.h"

namespace pledger::tools {

Status ValidateSpec(const ConsortiumSpec& spec);

struct ConsortiumFiles {
  std::string genesis_file;
  std::string client_ca_file;             // consortium-ca.crt
  std::vector<std::string> node_configs;  // one per node, spec order
};
Result<ConsortiumFiles> CreateConsortium(const ConsortiumSpec& spec, const std::string& out);

// Certificate, key and configuration for one more node (joining later).
// `peers` are the nodes it dials at first. Writes into `node_dir`.
struct NewNode {
  std::string node_id;
  std::string org_id;
  std::string peer_address;
  std::string api_address;
  bool api_tls = false;
  std::string public_key_hex;  // filled in: for the governance transaction
};
Status CreateNodeFiles(const std::string& ca_dir, const std::string& genesis_file,
                       const std::vector<config::PeerConfig>& peers, NewNode* node,
                       const std::string& node_dir, int validity_days);

// A new certificate for the node in `node_dir` (its config.json and key stay
// as they are): same node id and key, so no governance step, valid
// `validity_days` from now, signed by the CA in `ca_dir`. Written atomically
// over the certificate the config names; the node reads it at its next
// start. Returns the new certificate's end of validity (Unix seconds).
// Reasons: the files' and the PKI's.
Result<std::int64_t> RenewNodeCertificate(const std::string& ca_dir, const std::string& node_dir,
                                          const std::string& org_id, int validity_days);

// host:port with a numeric port. Reason: SPEC_INVALID / USAGE per caller.
Status ValidateHostPort(const std::string& hp, const std::string& what);
std::string HostOf(const std::string& hp);

}  // namespace pledger::tools

#endif  // PLEDGER_TOOLS_ADMIN_CONSORTIUM_H_
