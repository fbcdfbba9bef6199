#include "tools/admin/consortium.h"

#include <chrono>
#include <set>

#include "contracts/genesis.h"
#include "ledger/bytes.h"
#include "ledger/io/files.h"
#include "ledger/io/pki.h"
#include "ledger/io/json.h"

namespace pledger::tools {
namespace {

Status Invalid(const std::string& msg) { return Status::InvalidArgument("SPEC_INVALID", msg); }

config::NodeConfig BaseConfig(const std::string& chain_id, const std::string& node_id,
                            const std::string& peer, const std::string& api, bool api_tls) {
  config::NodeConfig c;
  c.set_node_id(node_id);
  c.set_chain_id(chain_id);
  c.set_data_dir("data");
  c.set_genesis_file("genesis.json");
  c.set_peer_listen(peer);
  c.set_api_listen(api);
  c.set_api_tls(api_tls);
  c.set_tls_ca_file("ca.crt");
  c.set_tls_cert_file("node.crt");
  c.set_tls_key_file("node.key");
  c.set_log_level("info");
  return c;
}

Status WriteNode(const std::string& dir, const std::string& ca_cert, const std::string& genesis,
                 const std::string& cert, const std::string& key_pem,
                 const config::NodeConfig& config) {
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(dir, 0700));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/ca.crt", ca_cert, 0644));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/genesis.json", genesis, 0644));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/node.crt", cert, 0644));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/node.key", key_pem, 0600));
  return io::WriteFileAtomic(dir + "/config.json", io::ToJson(config), 0600);
}

}  // namespace

std::string HostOf(const std::string& hp) { return hp.substr(0, hp.rfind(':')); }

Status ValidateHostPort(const std::string& hp, const std::string& what) {
  auto colon = hp.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Invalid(what + " '" + hp + "' must be host:port");
  }
  std::string port = hp.substr(colon + 1);
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p <= 0 || p > 65535) {
    return Invalid(what + " '" + hp + "' has a bad port");
  }
  return Status::OK();
}

Status ValidateSpec(const ConsortiumSpec& spec) {
  if (spec.chain_id().empty()) return Invalid("chain_id is missing");
  if (spec.nodes().empty()) return Invalid("nodes: a consortium needs at least one node");
  std::set<std::string> orgs;
  for (const auto& o : spec.organisations()) orgs.insert(o.id());
  std::set<std::string> ids, addrs;
  int voters = 0;
  for (int i = 0; i < spec.nodes_size(); ++i) {
    const auto& n = spec.nodes(i);
    std::string at = "nodes[" + std::to_string(i) + "]";
    Status s = io::ValidateNodeId(n.id());
    if (!s.ok()) return Invalid(at + ".id: " + std::string(s.message()));
    if (!ids.insert(n.id()).second) return Invalid(at + ".id '" + n.id() + "' is used twice");
    if (!orgs.count(n.org_id())) return Invalid(at + ".org_id '" + n.org_id() + "' is not an organisation");
    PLEDGER_RETURN_IF_ERROR(ValidateHostPort(n.peer_address(), at + ".peer_address"));
    PLEDGER_RETURN_IF_ERROR(ValidateHostPort(n.api_address(), at + ".api_address"));
    if (!addrs.insert(n.peer_address()).second || !addrs.insert(n.api_address()).second) {
      return Invalid(at + ": address used twice");
    }
    if (!n.learner()) ++voters;
  }
  if (voters == 0) return Invalid("nodes: at least one must be a voting validator (learner: false)");
  std::set<std::string> names;
  for (int i = 0; i < spec.accounts_size(); ++i) {
    const auto& a = spec.accounts(i);
    std::string at = "accounts[" + std::to_string(i) + "]";
    if (a.name().empty() || !names.insert(a.name()).second) return Invalid(at + ".name is empty or repeated");
    if (!orgs.count(a.org_id())) return Invalid(at + ".org_id '" + a.org_id() + "' is not an organisation");
  }
  return Status::OK();
}

Result<ConsortiumFiles> CreateConsortium(const ConsortiumSpec& spec, const std::string& out) {
  PLEDGER_RETURN_IF_ERROR(ValidateSpec(spec));
  if (io::FileExists(out + "/ca/ca.crt")) {
    return Status::AlreadyExists("CONSORTIUM_EXISTS",
                                 out + " already holds a consortium; use an empty directory");
  }
  int days = spec.cert_validity_days() ? static_cast<int>(spec.cert_validity_days()) : 825;

  // Everything is generated in memory and validated before the first write.
  PLEDGER_ASSIGN_OR_RETURN(io::CertAndKey ca, io::GenerateCa(spec.chain_id() + " consortium CA", days));
  contracts::Genesis g;
  g.set_chain_id(spec.chain_id());
  g.set_genesis_time_ms(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count()));
  *g.mutable_params() = spec.has_params() ? spec.params() : contracts::DefaultParams();
  for (const auto& o : spec.organisations()) *g.add_organisations() = o;

  struct NodeOut {
    std::string cert, key_pem;
  };
  std::vector<NodeOut> nodes;
  for (const auto& n : spec.nodes()) {
    ledger::SecretKey key = ledger::SecretKey::Generate();
    NodeOut no;
    std::vector<std::string> hosts{HostOf(n.peer_address())};
    if (HostOf(n.api_address()) != hosts[0]) hosts.push_back(HostOf(n.api_address()));
    if (hosts[0] == "127.0.0.1") hosts.push_back("localhost");
    PLEDGER_ASSIGN_OR_RETURN(no.cert, io::IssueNodeCertificate(ca.cert_pem, ca.key_pem, n.id(),
                                                                  n.org_id(), key, hosts, days));
    PLEDGER_ASSIGN_OR_RETURN(no.key_pem, io::Ed25519KeyToPem(key));
    auto* v = g.add_validators();
    v->set_node_id(n.id());
    v->set_public_key_hex(ledger::HexEncode(key.public_key()));
    v->set_role(n.learner() ? contracts::VALIDATOR_LEARNER : contracts::VALIDATOR_VOTER);
    v->set_org_id(n.org_id());
    v->set_peer_address(n.peer_address());
    v->set_api_address(n.api_address());
    nodes.push_back(std::move(no));
  }
  struct AccountOut {
    std::string name, key_pem, pub_hex;
  };
  std::vector<AccountOut> accounts;
  for (const auto& a : spec.accounts()) {
    ledger::SecretKey key = ledger::SecretKey::Generate();
    AccountOut ao;
    ao.name = a.name();
    PLEDGER_ASSIGN_OR_RETURN(ao.key_pem, io::Ed25519KeyToPem(key));
    ao.pub_hex = ledger::HexEncode(key.public_key());
    auto* ga = g.add_accounts();
    ga->set_public_key_hex(ao.pub_hex);
    ga->set_org_id(a.org_id());
    for (int r : a.roles()) ga->add_roles(static_cast<contracts::Role>(r));
    accounts.push_back(std::move(ao));
  }
  std::string genesis = contracts::GenesisToJson(g);
  {
    auto check = contracts::ParseGenesis(genesis);
    if (!check.ok()) return Invalid("the genesis built from this spec is invalid: " + check.status().ToString());
  }

  ConsortiumFiles files;
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(out + "/ca", 0700));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out + "/ca/ca.key", ca.key_pem, 0600, true));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out + "/ca/ca.crt", ca.cert_pem, 0644));
  // The certificate clients pin, outside ca/: ca/ holds the CA's private key
  // and is never handed out, so wallets, auditors and curl get this copy.
  files.client_ca_file = out + "/consortium-ca.crt";
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(files.client_ca_file, ca.cert_pem, 0644));
  files.genesis_file = out + "/genesis.json";
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(files.genesis_file, genesis, 0644));
  for (int i = 0; i < spec.nodes_size(); ++i) {
    const auto& n = spec.nodes(i);
    config::NodeConfig c = BaseConfig(spec.chain_id(), n.id(), n.peer_address(), n.api_address(),
                                    !spec.has_api_tls() || spec.api_tls());
    for (const auto& other : spec.nodes()) {
      if (other.id() == n.id()) continue;
      auto* p = c.add_peers();
      p->set_node_id(other.id());
      p->set_address(other.peer_address());
    }
    std::string dir = out + "/nodes/" + n.id();
    PLEDGER_RETURN_IF_ERROR(WriteNode(dir, ca.cert_pem, genesis, nodes[i].cert, nodes[i].key_pem, c));
    files.node_configs.push_back(dir + "/config.json");
  }
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(out + "/accounts", 0700));
  for (const auto& a : accounts) {
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out + "/accounts/" + a.name + ".key", a.key_pem, 0600));
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out + "/accounts/" + a.name + ".pub", a.pub_hex + "\n", 0644));
  }
  return files;
}

Status CreateNodeFiles(const std::string& ca_dir, const std::string& genesis_file,
                       const std::vector<config::PeerConfig>& peers, NewNode* n,
                       const std::string& node_dir, int validity_days) {
  PLEDGER_RETURN_IF_ERROR(io::ValidateNodeId(n->node_id));
  PLEDGER_RETURN_IF_ERROR(ValidateHostPort(n->peer_address, "--peer"));
  PLEDGER_RETURN_IF_ERROR(ValidateHostPort(n->api_address, "--api"));
  PLEDGER_ASSIGN_OR_RETURN(std::string ca_cert, io::ReadFile(ca_dir + "/ca.crt"));
  PLEDGER_ASSIGN_OR_RETURN(std::string ca_key, io::ReadFile(ca_dir + "/ca.key"));
  PLEDGER_ASSIGN_OR_RETURN(std::string genesis_bytes, io::ReadFile(genesis_file));
  PLEDGER_ASSIGN_OR_RETURN(contracts::Genesis g, contracts::ParseGenesis(genesis_bytes));
  if (io::FileExists(node_dir + "/node.key")) {
    return Status::AlreadyExists("NODE_EXISTS", node_dir + " already holds a node key");
  }
  ledger::SecretKey key = ledger::SecretKey::Generate();
  std::vector<std::string> hosts{HostOf(n->peer_address)};
  if (HostOf(n->api_address) != hosts[0]) hosts.push_back(HostOf(n->api_address));
  PLEDGER_ASSIGN_OR_RETURN(std::string cert, io::IssueNodeCertificate(ca_cert, ca_key, n->node_id,
                                                                        n->org_id, key, hosts,
                                                                        validity_days));
  PLEDGER_ASSIGN_OR_RETURN(std::string key_pem, io::Ed25519KeyToPem(key));
  config::NodeConfig c = BaseConfig(g.chain_id(), n->node_id, n->peer_address, n->api_address, n->api_tls);
  c.set_join(true);
  for (const auto& p : peers) *c.add_peers() = p;
  n->public_key_hex = ledger::HexEncode(key.public_key());
  return WriteNode(node_dir, ca_cert, genesis_bytes, cert, key_pem, c);
}

Result<std::int64_t> RenewNodeCertificate(const std::string& ca_dir, const std::string& node_dir,
                                          const std::string& org_id, int validity_days) {
  config::NodeConfig c;
  PLEDGER_RETURN_IF_ERROR(io::ReadJsonFile(node_dir + "/config.json", &c));
  auto in_dir = [&](const std::string& f) { return !f.empty() && f[0] == '/' ? f : node_dir + "/" + f; };
  PLEDGER_ASSIGN_OR_RETURN(std::string ca_cert, io::ReadFile(ca_dir + "/ca.crt"));
  PLEDGER_ASSIGN_OR_RETURN(std::string ca_key, io::ReadFile(ca_dir + "/ca.key"));
  PLEDGER_ASSIGN_OR_RETURN(std::string key_pem, io::ReadFile(in_dir(c.tls_key_file())));
  PLEDGER_ASSIGN_OR_RETURN(ledger::SecretKey key, io::Ed25519KeyFromPem(key_pem));
  std::vector<std::string> hosts{HostOf(c.peer_listen())};
  if (HostOf(c.api_listen()) != hosts[0]) hosts.push_back(HostOf(c.api_listen()));
  if (hosts[0] == "127.0.0.1") hosts.push_back("localhost");
  PLEDGER_ASSIGN_OR_RETURN(std::string cert, io::IssueNodeCertificate(ca_cert, ca_key, c.node_id(), org_id, key,
                                                                        hosts, validity_days));
  PLEDGER_ASSIGN_OR_RETURN(io::CertValidity v, io::CertValidityFromPem(cert));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(in_dir(c.tls_cert_file()), cert, 0644));
  return v.not_after_s;
}

}  // namespace pledger::tools
