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
// Every organisation that runs a node gets tls_roots = [the CA's DER] in the
// genesis (the same assembly as `pledger-admin genesis`).
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

// ---- Each organisation its own keys (issue 16) ----
//
// An organisation runs CreateOrg on its own machine; it hands the
// consortium only DIR/public.json. Layout under `out`:
//   ca/ca.crt, ca/ca.key (0600)       dir 0700; absent with self_signed
//   nodes/<id>/{node.key (0600), node.crt, config.json}   dir 0700
//                                     (genesis.json arrives later:
//                                     InstallGenesis)
//   accounts/<name>.key (0600), accounts/<name>.pub
//   public.json                       OrgPublic: public material only
// Node configs name no peers (a node dials the validators' peer addresses
// on chain) and no tls_ca_file (peers are checked against their
// organisation's tls_roots on chain). Errors: SPEC_INVALID, ORG_EXISTS
// (out already holds public.json), file errors. Nothing is written unless
// the spec is valid.
struct OrgFiles {
  std::string public_file;                // public.json
  std::vector<std::string> node_configs;  // spec order
  OrgPublic pub;
};
Status ValidateOrgSpec(const OrgSpec& spec);
Result<OrgFiles> CreateOrg(const OrgSpec& spec, const std::string& out, bool join);

// What the genesis is assembled from: organisations, their validators and
// accounts, in the order they go into the genesis.
struct GenesisParts {
  std::string chain_id;
  std::vector<contracts::Organisation> organisations;
  std::vector<contracts::Validator> validators;
  std::vector<OrgAccountPublic> accounts;
};
// Adds one organisation's public.json to `parts`, checking that it names
// only itself. Reason: SPEC_INVALID.
Status AddOrgPublic(const OrgPublic& pub, const std::string& source, GenesisParts* parts);
// The genesis from `parts` after checking: no duplicate organisation, node,
// key or address; at least one voting validator; every validator's
// organisation has tls_roots that parse as certificates; the result passes
// contracts::ParseGenesis. `params` null: the defaults. Reason: SPEC_INVALID
// (naming the organisation or node).
Result<contracts::Genesis> AssembleGenesis(const GenesisParts& parts, const contracts::Params* params);
// The PEM bundle clients pin (consortium-ca.crt): every distinct tls_root of
// every organisation that runs a node in `g`, in genesis order (a node's API
// serves HTTPS with its certificate, which chains to its organisation's root).
Result<std::string> ClientCaBundle(const contracts::Genesis& g);

// Copies the genesis into every node directory under org_dir/nodes and sets
// each config's chain_id. A node not prepared with --join must be a
// validator of this genesis with its key. Returns the node directories
// updated. Reasons: GENESIS_*, NODE_NOT_IN_GENESIS, file errors.
Result<std::vector<std::string>> InstallGenesis(const std::string& org_dir, const std::string& genesis_file);

// Stages the next key of the node in `node_dir`: a new Ed25519 key and a
// certificate for it (issued by the CA in ca_dir, or self-signed if ca_dir
// is ""), written beside the current ones as <tls_key_file>.next (0600) and
// <tls_cert_file>.next, and node_dir/rotation.json (KeyRotation) with both
// proofs. `org` "" takes the current certificate's O. Refused while .next
// files exist (ROTATION_PENDING) unless `replace`. Reasons: also
// CHAIN_ID_MISSING (install the genesis first), the files' and the PKI's.
struct StagedRotation {
  KeyRotation rotation;
  std::string rotation_file, next_key_file, next_cert_file;
};
Result<StagedRotation> StageKeyRotation(const std::string& node_dir, const std::string& ca_dir,
                                        const std::string& org, int validity_days, bool replace);

// host:port with a numeric port. Reason: SPEC_INVALID / USAGE per caller.
Status ValidateHostPort(const std::string& hp, const std::string& what);
std::string HostOf(const std::string& hp);

}  // namespace pledger::tools

#endif  // PLEDGER_TOOLS_ADMIN_CONSORTIUM_H_
