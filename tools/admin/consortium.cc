#include "tools/admin/consortium.h"

#include <chrono>
#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "contracts/genesis.h"
#include "ledger/bytes.h"
#include "ledger/io/files.h"
#include "ledger/io/pki.h"
#include "ledger/io/json.h"
#include "ledger/tx.h"

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

std::string HostOfAddress(const std::string& hp) { return hp.substr(0, hp.rfind(':')); }

std::uint64_t NowMs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::vector<std::string> CertHosts(const std::string& peer, const std::string& api) {
  std::vector<std::string> hosts{HostOfAddress(peer)};
  if (HostOfAddress(api) != hosts[0]) hosts.push_back(HostOfAddress(api));
  if (hosts[0] == "127.0.0.1") hosts.push_back("localhost");
  return hosts;
}

// A node's key, its certificate (from `ca`, or self-signed when null) and its
// validator record.
struct IssuedNode {
  std::string cert, key_pem;
  contracts::Validator validator;
};
Result<IssuedNode> IssueNode(const NodeSpec& n, const std::string& org_id, bool learner,
                             const io::CertAndKey* ca, int days) {
  ledger::SecretKey key = ledger::SecretKey::Generate();
  IssuedNode out;
  std::vector<std::string> hosts = CertHosts(n.peer_address(), n.api_address());
  if (ca != nullptr) {
    PLEDGER_ASSIGN_OR_RETURN(out.cert, io::IssueNodeCertificate(ca->cert_pem, ca->key_pem, n.id(), org_id,
                                                                 key, hosts, days));
  } else {
    PLEDGER_ASSIGN_OR_RETURN(out.cert, io::IssueSelfSignedNodeCertificate(n.id(), org_id, key, hosts, days));
  }
  PLEDGER_ASSIGN_OR_RETURN(out.key_pem, io::Ed25519KeyToPem(key));
  auto& v = out.validator;
  v.set_node_id(n.id());
  v.set_public_key_hex(ledger::HexEncode(key.public_key()));
  v.set_role(learner ? contracts::VALIDATOR_LEARNER : contracts::VALIDATOR_VOTER);
  v.set_org_id(org_id);
  v.set_peer_address(n.peer_address());
  v.set_api_address(n.api_address());
  return out;
}

struct IssuedAccount {
  std::string key_pem;
  OrgAccountPublic pub;
};
Result<IssuedAccount> IssueAccount(const AccountSpec& a, const std::string& org_id) {
  ledger::SecretKey key = ledger::SecretKey::Generate();
  IssuedAccount out;
  PLEDGER_ASSIGN_OR_RETURN(out.key_pem, io::Ed25519KeyToPem(key));
  out.pub.set_name(a.name());
  out.pub.set_public_key_hex(ledger::HexEncode(key.public_key()));
  out.pub.set_org_id(org_id);
  for (int r : a.roles()) out.pub.add_roles(static_cast<contracts::Role>(r));
  return out;
}

Status WriteAccounts(const std::string& dir, const std::vector<IssuedAccount>& accounts) {
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(dir, 0700));
  for (const auto& a : accounts) {
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/" + a.pub.name() + ".key", a.key_pem, 0600));
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/" + a.pub.name() + ".pub", a.pub.public_key_hex() + "\n", 0644));
  }
  return Status::OK();
}

// An account name becomes a file name.
Status ValidateAccountName(const std::string& name, const std::string& at) {
  bool ok = !name.empty() && name.size() <= 64 && name[0] != '.';
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
          ch == '_' || ch == '-')) {
      ok = false;
    }
  }
  if (!ok) return Invalid(at + ".name '" + name + "' must be 1-64 characters of A-Z a-z 0-9 . _ -");
  return Status::OK();
}

std::string InDir(const std::string& dir, const std::string& f) {
  return !f.empty() && f[0] == '/' ? f : dir + "/" + f;
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
  // The genesis is assembled as `pledger-admin genesis` assembles it from
  // each organisation's public.json: here one CA stands for every
  // organisation that runs a node, so each gets it as its tls_roots.
  PLEDGER_ASSIGN_OR_RETURN(io::CertAndKey ca, io::GenerateCa(spec.chain_id() + " consortium CA", days));
  PLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> ca_der, io::CertBundlePemToDer(ca.cert_pem));
  std::set<std::string> run_nodes;
  for (const auto& n : spec.nodes()) run_nodes.insert(n.org_id());
  GenesisParts parts;
  parts.chain_id = spec.chain_id();
  for (const auto& o : spec.organisations()) {
    contracts::Organisation org = o;
    if (run_nodes.count(o.id())) {
      bool listed = false;
      for (const auto& r : org.tls_roots()) listed = listed || r == ca_der[0];
      if (!listed) org.add_tls_roots(ca_der[0]);
    }
    parts.organisations.push_back(std::move(org));
  }
  std::vector<IssuedNode> nodes;
  for (const auto& n : spec.nodes()) {
    PLEDGER_ASSIGN_OR_RETURN(IssuedNode in, IssueNode(n, n.org_id(), n.learner(), &ca, days));
    parts.validators.push_back(in.validator);
    nodes.push_back(std::move(in));
  }
  std::vector<IssuedAccount> accounts;
  for (const auto& a : spec.accounts()) {
    PLEDGER_ASSIGN_OR_RETURN(IssuedAccount ia, IssueAccount(a, a.org_id()));
    parts.accounts.push_back(ia.pub);
    accounts.push_back(std::move(ia));
  }
  PLEDGER_ASSIGN_OR_RETURN(contracts::Genesis g,
                           AssembleGenesis(parts, spec.has_params() ? &spec.params() : nullptr));
  std::string genesis = contracts::GenesisToJson(g);

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
  PLEDGER_RETURN_IF_ERROR(WriteAccounts(out + "/accounts", accounts));
  return files;
}

Status ValidateOrgSpec(const OrgSpec& spec) {
  const auto& org = spec.organisation();
  if (org.id().empty()) return Invalid("organisation.id is missing");
  if (org.kind() == contracts::ORG_KIND_UNSPECIFIED) return Invalid("organisation.kind is missing");
  if (!org.tls_roots().empty()) {
    return Invalid("organisation.tls_roots: leave it empty; org init fills it in with the organisation's CA");
  }
  std::set<std::string> ids, addrs;
  for (int i = 0; i < spec.nodes_size(); ++i) {
    const auto& n = spec.nodes(i);
    std::string at = "nodes[" + std::to_string(i) + "]";
    Status s = io::ValidateNodeId(n.id());
    if (!s.ok()) return Invalid(at + ".id: " + std::string(s.message()));
    if (!ids.insert(n.id()).second) return Invalid(at + ".id '" + n.id() + "' is used twice");
    if (!n.org_id().empty() && n.org_id() != org.id()) {
      return Invalid(at + ".org_id '" + n.org_id() + "': an organisation prepares only its own nodes");
    }
    PLEDGER_RETURN_IF_ERROR(ValidateHostPort(n.peer_address(), at + ".peer_address"));
    PLEDGER_RETURN_IF_ERROR(ValidateHostPort(n.api_address(), at + ".api_address"));
    if (!addrs.insert(n.peer_address()).second || !addrs.insert(n.api_address()).second) {
      return Invalid(at + ": address used twice");
    }
  }
  std::set<std::string> names;
  for (int i = 0; i < spec.accounts_size(); ++i) {
    const auto& a = spec.accounts(i);
    std::string at = "accounts[" + std::to_string(i) + "]";
    PLEDGER_RETURN_IF_ERROR(ValidateAccountName(a.name(), at));
    if (!names.insert(a.name()).second) return Invalid(at + ".name '" + a.name() + "' is repeated");
    if (!a.org_id().empty() && a.org_id() != org.id()) {
      return Invalid(at + ".org_id '" + a.org_id() + "': an organisation prepares only its own accounts");
    }
    if (a.roles().empty()) return Invalid(at + ".roles: at least one role");
  }
  if (spec.nodes().empty() && spec.accounts().empty()) {
    return Invalid("an organisation needs at least one node or one account");
  }
  return Status::OK();
}

Result<OrgFiles> CreateOrg(const OrgSpec& spec, const std::string& out, bool join) {
  PLEDGER_RETURN_IF_ERROR(ValidateOrgSpec(spec));
  if (io::FileExists(out + "/public.json") || io::FileExists(out + "/ca/ca.key")) {
    return Status::AlreadyExists("ORG_EXISTS", out + " already holds an organisation's files; use an empty directory");
  }
  const int days = spec.cert_validity_days() ? static_cast<int>(spec.cert_validity_days()) : 825;
  const std::string& org_id = spec.organisation().id();
  const bool api_tls = !spec.has_api_tls() || spec.api_tls();

  std::optional<io::CertAndKey> ca;
  OrgFiles files;
  files.pub.set_join(join);
  *files.pub.mutable_organisation() = spec.organisation();
  if (!spec.self_signed()) {
    PLEDGER_ASSIGN_OR_RETURN(ca, io::GenerateCa(org_id + " organisation CA", days));
    PLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> der, io::CertBundlePemToDer(ca->cert_pem));
    files.pub.mutable_organisation()->add_tls_roots(der[0]);
  }
  std::vector<IssuedNode> nodes;
  for (const auto& n : spec.nodes()) {
    // A joining organisation's nodes are admitted as learners (ValidatorAdd),
    // then promoted if they are to vote.
    PLEDGER_ASSIGN_OR_RETURN(IssuedNode in, IssueNode(n, org_id, n.learner() || join, ca ? &*ca : nullptr, days));
    if (!ca) {
      PLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> der, io::CertBundlePemToDer(in.cert));
      files.pub.mutable_organisation()->add_tls_roots(der[0]);
    }
    *files.pub.add_validators() = in.validator;
    nodes.push_back(std::move(in));
  }
  std::vector<IssuedAccount> accounts;
  for (const auto& a : spec.accounts()) {
    PLEDGER_ASSIGN_OR_RETURN(IssuedAccount ia, IssueAccount(a, org_id));
    *files.pub.add_accounts() = ia.pub;
    accounts.push_back(std::move(ia));
  }

  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(out, 0755));
  if (ca) {
    PLEDGER_RETURN_IF_ERROR(io::MakeDirs(out + "/ca", 0700));
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out + "/ca/ca.key", ca->key_pem, 0600, true));
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out + "/ca/ca.crt", ca->cert_pem, 0644));
  }
  for (int i = 0; i < spec.nodes_size(); ++i) {
    const auto& n = spec.nodes(i);
    config::NodeConfig c = BaseConfig(spec.chain_id(), n.id(), n.peer_address(), n.api_address(), api_tls);
    // Peers are checked against their organisation's tls_roots on chain; no
    // CA file of the node's own. No peers either: the node dials the
    // validators' peer addresses on chain.
    c.clear_tls_ca_file();
    c.set_join(join);
    std::string dir = out + "/nodes/" + n.id();
    PLEDGER_RETURN_IF_ERROR(io::MakeDirs(dir, 0700));
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/node.key", nodes[i].key_pem, 0600, true));
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/node.crt", nodes[i].cert, 0644));
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dir + "/config.json", io::ToJson(c), 0600));
    files.node_configs.push_back(dir + "/config.json");
  }
  if (!accounts.empty()) PLEDGER_RETURN_IF_ERROR(WriteAccounts(out + "/accounts", accounts));
  files.public_file = out + "/public.json";
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(files.public_file, io::ToJson(files.pub), 0644));
  return files;
}

Status AddOrgPublic(const OrgPublic& pub, const std::string& source, GenesisParts* parts) {
  const std::string& id = pub.organisation().id();
  if (id.empty()) return Invalid(source + ": organisation.id is missing");
  if (pub.join()) {
    return Invalid(source + ": organisation '" + id +
                   "' prepared its files with --join: admit it by governance (OrgAdd, ValidatorAdd), not in the genesis");
  }
  for (const auto& v : pub.validators()) {
    if (v.org_id() != id) {
      return Invalid(source + ": node '" + v.node_id() + "' names organisation '" + v.org_id() + "', not '" + id + "'");
    }
    parts->validators.push_back(v);
  }
  for (const auto& a : pub.accounts()) {
    if (a.org_id() != id) {
      return Invalid(source + ": account '" + a.name() + "' names organisation '" + a.org_id() + "', not '" + id + "'");
    }
    parts->accounts.push_back(a);
  }
  parts->organisations.push_back(pub.organisation());
  return Status::OK();
}

Result<contracts::Genesis> AssembleGenesis(const GenesisParts& parts, const contracts::Params* params) {
  if (parts.chain_id.empty()) return Invalid("the chain id is missing");
  contracts::Genesis g;
  g.set_chain_id(parts.chain_id);
  g.set_genesis_time_ms(NowMs());
  *g.mutable_params() = params != nullptr ? *params : contracts::DefaultParams();
  std::map<std::string, const contracts::Organisation*> orgs;
  for (const auto& o : parts.organisations) {
    if (!orgs.emplace(o.id(), &o).second) return Invalid("organisation '" + o.id() + "' is given twice");
    for (int r = 0; r < o.tls_roots_size(); ++r) {
      auto pem = io::CertDerToPem(o.tls_roots(r));
      if (!pem.ok()) {
        return Invalid("organisation '" + o.id() + "': tls_roots[" + std::to_string(r) + "] is not a certificate");
      }
    }
    *g.add_organisations() = o;
  }
  std::set<std::string> nodes, keys, addrs;
  int voters = 0;
  for (const auto& v : parts.validators) {
    const std::string at = "node '" + v.node_id() + "'";
    if (!nodes.insert(v.node_id()).second) return Invalid(at + " is given twice");
    if (!keys.insert(v.public_key_hex()).second) return Invalid(at + ": its public key is used twice");
    for (const std::string* a : {&v.peer_address(), &v.api_address()}) {
      if (!a->empty() && !addrs.insert(*a).second) return Invalid(at + ": address " + *a + " is used twice");
    }
    auto org = orgs.find(v.org_id());
    if (org == orgs.end()) return Invalid(at + ": organisation '" + v.org_id() + "' is not in the genesis");
    if (org->second->tls_roots().empty()) {
      return Invalid(at + ": its organisation '" + v.org_id() +
                     "' has no tls_roots, so no peer would accept it");
    }
    if (v.role() == contracts::VALIDATOR_VOTER) ++voters;
    *g.add_validators() = v;
  }
  if (voters == 0) return Invalid("at least one node must be a voting validator (learner: false)");
  for (const auto& a : parts.accounts) {
    const std::string at = "account '" + a.name() + "' of '" + a.org_id() + "'";
    if (!keys.insert(a.public_key_hex()).second) return Invalid(at + ": its public key is used twice");
    if (!orgs.count(a.org_id())) return Invalid(at + ": organisation '" + a.org_id() + "' is not in the genesis");
    auto* ga = g.add_accounts();
    ga->set_public_key_hex(a.public_key_hex());
    ga->set_org_id(a.org_id());
    for (int r : a.roles()) ga->add_roles(static_cast<contracts::Role>(r));
  }
  auto check = contracts::ParseGenesis(contracts::GenesisToJson(g));
  if (!check.ok()) return Invalid("the genesis would be invalid: " + check.status().ToString());
  return g;
}

Result<std::string> ClientCaBundle(const contracts::Genesis& g) {
  std::set<std::string> run_nodes, seen;
  for (const auto& v : g.validators()) run_nodes.insert(v.org_id());
  std::string bundle;
  for (const auto& o : g.organisations()) {
    if (!run_nodes.count(o.id())) continue;
    for (const auto& der : o.tls_roots()) {
      if (!seen.insert(der).second) continue;
      PLEDGER_ASSIGN_OR_RETURN(std::string pem, io::CertDerToPem(der));
      bundle += pem;
    }
  }
  if (bundle.empty()) return Invalid("no organisation that runs a node has tls_roots");
  return bundle;
}

Result<std::vector<std::string>> InstallGenesis(const std::string& org_dir, const std::string& genesis_file) {
  PLEDGER_ASSIGN_OR_RETURN(std::string genesis_bytes, io::ReadFile(genesis_file));
  PLEDGER_ASSIGN_OR_RETURN(contracts::Genesis g, contracts::ParseGenesis(genesis_bytes));
  std::vector<std::string> dirs;
  std::error_code ec;
  if (!std::filesystem::is_directory(org_dir + "/nodes", ec)) return dirs;  // an organisation without nodes
  for (const auto& entry : std::filesystem::directory_iterator(org_dir + "/nodes", ec)) {
    if (entry.is_directory() && io::FileExists(entry.path().string() + "/config.json")) {
      dirs.push_back(entry.path().string());
    }
  }
  if (ec) return Status::NotFound("NO_NODES", org_dir + "/nodes: " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  // Check every node before writing into any.
  std::vector<config::NodeConfig> configs;
  for (const auto& dir : dirs) {
    config::NodeConfig c;
    PLEDGER_RETURN_IF_ERROR(io::ReadJsonFile(dir + "/config.json", &c));
    if (!c.join()) {
      PLEDGER_ASSIGN_OR_RETURN(std::string cert, io::ReadFile(InDir(dir, c.tls_cert_file())));
      PLEDGER_ASSIGN_OR_RETURN(io::CertIdentity id, io::IdentityFromCertPem(cert));
      bool found = false;
      for (const auto& v : g.validators()) {
        if (v.node_id() == c.node_id() && v.public_key_hex() == ledger::HexEncode(id.key)) found = true;
      }
      if (!found) {
        return Status::NotFound("NODE_NOT_IN_GENESIS", "node '" + c.node_id() + "' (" + dir +
                                                           ") is not a validator of this genesis with its key; "
                                                           "a node joining later is prepared with --join");
      }
    }
    c.set_chain_id(g.chain_id());
    c.set_genesis_file("genesis.json");
    configs.push_back(std::move(c));
  }
  for (size_t i = 0; i < dirs.size(); ++i) {
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dirs[i] + "/genesis.json", genesis_bytes, 0644));
    PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(dirs[i] + "/config.json", io::ToJson(configs[i]), 0600));
  }
  return dirs;
}

Result<StagedRotation> StageKeyRotation(const std::string& node_dir, const std::string& ca_dir,
                                        const std::string& org, int validity_days, bool replace) {
  config::NodeConfig c;
  PLEDGER_RETURN_IF_ERROR(io::ReadJsonFile(node_dir + "/config.json", &c));
  if (c.chain_id().empty()) {
    return Status::FailedPrecondition("CHAIN_ID_MISSING", node_dir +
                                                              "/config.json names no chain; install the genesis first "
                                                              "(pledger-admin org install-genesis)");
  }
  StagedRotation out;
  const std::string key_file = InDir(node_dir, c.tls_key_file());
  const std::string cert_file = InDir(node_dir, c.tls_cert_file());
  out.next_key_file = key_file + ".next";
  out.next_cert_file = cert_file + ".next";
  out.rotation_file = node_dir + "/rotation.json";
  if (!replace && (io::FileExists(out.next_key_file) || io::FileExists(out.next_cert_file))) {
    return Status::AlreadyExists("ROTATION_PENDING",
                                 out.next_key_file + " already exists: a rotation is staged and not yet applied "
                                 "(--replace stages a new one in its place)");
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string key_pem, io::ReadFile(key_file));
  PLEDGER_ASSIGN_OR_RETURN(ledger::SecretKey old_key, io::Ed25519KeyFromPem(key_pem));
  std::string org_id = org;
  if (org_id.empty()) {
    PLEDGER_ASSIGN_OR_RETURN(std::string cert_pem, io::ReadFile(cert_file));
    PLEDGER_ASSIGN_OR_RETURN(org_id, io::CertSubjectOrgFromPem(cert_pem));
  }
  ledger::SecretKey new_key = ledger::SecretKey::Generate();
  std::vector<std::string> hosts = CertHosts(c.peer_listen(), c.api_listen());
  std::string cert;
  if (!ca_dir.empty()) {
    PLEDGER_ASSIGN_OR_RETURN(std::string ca_cert, io::ReadFile(ca_dir + "/ca.crt"));
    PLEDGER_ASSIGN_OR_RETURN(std::string ca_key, io::ReadFile(ca_dir + "/ca.key"));
    PLEDGER_ASSIGN_OR_RETURN(cert, io::IssueNodeCertificate(ca_cert, ca_key, c.node_id(), org_id, new_key, hosts,
                                                            validity_days));
  } else {
    PLEDGER_ASSIGN_OR_RETURN(cert, io::IssueSelfSignedNodeCertificate(c.node_id(), org_id, new_key, hosts,
                                                                      validity_days));
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string new_key_pem, io::Ed25519KeyToPem(new_key));
  KeyRotation& r = out.rotation;
  r.set_node_id(c.node_id());
  r.set_chain_id(c.chain_id());
  r.set_old_public_key_hex(ledger::HexEncode(old_key.public_key()));
  r.set_new_public_key_hex(ledger::HexEncode(new_key.public_key()));
  const std::string message = ledger::KeyRotationMessage(r.chain_id(), "node:" + r.node_id(),
                                                         r.old_public_key_hex(), r.new_public_key_hex());
  r.set_new_key_proof_hex(ledger::HexEncode(new_key.Sign(message)));
  r.set_old_key_proof_hex(ledger::HexEncode(old_key.Sign(message)));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out.next_key_file, new_key_pem, 0600));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out.next_cert_file, cert, 0644));
  PLEDGER_RETURN_IF_ERROR(io::WriteFileAtomic(out.rotation_file, io::ToJson(r), 0644));
  return out;
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
