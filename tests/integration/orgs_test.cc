// A consortium of equals (issue 16, item 1): each organisation runs
// `pledger-admin org init` in its own directory and hands over only its
// public.json; the genesis is assembled from those; a fourth organisation
// joins later by governance; a node whose certificate comes from a CA the
// consortium has not admitted for its organisation is refused. The real
// pledger-admin binary, real pledgerd processes, 127.0.0.1 only. Label
// `integration`.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "contracts/genesis.h"
#include "ledger/bytes.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "ledger/io/proto/config.pb.h"
#include "ledger/tx.h"
#include "tests/integration/cluster.h"
#include "tools/common/workload.h"
#include "tools/proto/admin.pb.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Evaluates `cond` once; fails the test with every node's log tail.
#define CLUSTER_REQUIRE(c, cond)   \
  do {                             \
    const bool ok_ = (cond);       \
    if (!ok_) (c).DumpLogs();      \
    INFO(#cond);                   \
    REQUIRE(ok_);                  \
  } while (0)

// Runs pledger-admin; fails the test with its output unless it exits 0.
std::string Admin(const std::vector<std::string>& args) {
  RunResult r = RunProgram("pledger-admin", args, 60s);
  INFO("pledger-admin output:\n" << r.output);
  REQUIRE(r.exit_code == 0);
  return r.output;
}

// Runs pledger-admin expecting a refusal; returns its output.
std::string AdminFails(const std::vector<std::string>& args) {
  RunResult r = RunProgram("pledger-admin", args, 60s);
  INFO("pledger-admin output:\n" << r.output);
  REQUIRE(r.exit_code != 0);
  return r.output;
}

struct NodeDesc {
  std::string id;
  bool learner = false;
};

// Writes an OrgSpec to `path`: the organisation, nodes on free ports (API
// over HTTPS), one account per (name, role).
void WriteOrgSpec(const std::string& path, const std::string& id, contracts::OrgKind kind,
                  const std::vector<NodeDesc>& nodes,
                  const std::vector<std::pair<std::string, contracts::Role>>& accounts, bool self_signed = false) {
  tools::OrgSpec spec;
  auto* o = spec.mutable_organisation();
  o->set_id(id);
  o->set_name("Test " + id);
  o->set_kind(kind);
  o->set_address("Hangzhou");
  for (const auto& n : nodes) {
    auto* ns = spec.add_nodes();
    ns->set_id(n.id);
    ns->set_peer_address("127.0.0.1:" + std::to_string(FreePort()));
    ns->set_api_address("127.0.0.1:" + std::to_string(FreePort()));
    ns->set_learner(n.learner);
  }
  for (const auto& [name, role] : accounts) {
    auto* a = spec.add_accounts();
    a->set_name(name);
    a->add_roles(role);
  }
  spec.set_self_signed(self_signed);
  spec.set_cert_validity_days(30);
  REQUIRE(io::WriteFileAtomic(path, io::ToJson(spec), 0644).ok());
}

// Every regular file under `dir`: path -> contents.
std::map<std::string, std::string> FilesUnder(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    out[e.path().string()].assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

// The private keys held under `dir` (every *.key file): the file's PEM body
// and the key's 32-byte seed in raw, hex and base64 form.
std::vector<std::string> SecretsUnder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& [path, text] : FilesUnder(dir)) {
    if (path.size() < 4 || path.substr(path.size() - 4) != ".key") continue;
    auto key = io::Ed25519KeyFromPem(text);
    REQUIRE(key.ok());
    std::string seed = key->ExportSeed();
    out.push_back(seed);
    out.push_back(ledger::HexEncode(seed));
    out.push_back(ledger::Base64Encode(seed));
    // The PEM body without its armour lines.
    auto begin = text.find('\n');
    auto end = text.find("-----END");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    out.push_back(text.substr(begin + 1, end - begin - 1));
  }
  return out;
}

void RequireNoSecret(const std::string& what, const std::string& text, const std::vector<std::string>& secrets) {
  INFO(what);
  CHECK(text.find("PRIVATE KEY") == std::string::npos);
  for (const auto& s : secrets) CHECK(text.find(s) == std::string::npos);
}

// A file's contents; fails the test if it cannot be read.
std::string Read(const std::string& path) {
  auto r = io::ReadFile(path, 1 << 20);
  INFO(path);
  REQUIRE(r.ok());
  return *r;
}

std::string Unhex(const std::string& hex) {
  auto r = ledger::HexDecode(hex);
  REQUIRE(r.ok());
  return *r;
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

tools::OrgPublic ReadPublic(const std::string& path) {
  tools::OrgPublic pub;
  REQUIRE(io::ReadJsonFile(path, &pub).ok());
  return pub;
}

std::string Der(const std::string& pem_file) {
  auto pem = io::ReadFile(pem_file);
  REQUIRE(pem.ok());
  auto der = io::CertBundlePemToDer(*pem);
  REQUIRE(der.ok());
  return (*der)[0];
}

std::uint64_t Expiry(TestCluster& c, int i) {
  auto s = c.Status(i);
  return (s.ok() ? s->height() : 0) + 1000;
}

// Submits `raw` through node i and waits for its receipt; returns the code.
std::string Commit(TestCluster& c, int i, const std::string& raw, std::chrono::milliseconds timeout = 20s) {
  auto st = c.Submit(i, raw);
  if (!st.ok() || (*st != 200 && *st != 202)) return "SUBMIT_FAILED";
  ledger::Hash256 id = ledger::TxIdOfBytes(raw);
  std::string code;
  c.WaitFor(
      [&] {
        auto r = c.ReceiptCode(i, id);
        if (r.ok()) code = *r;
        return !code.empty();
      },
      timeout);
  return code;
}

// A governance transaction signed by the given accounts.
std::string Signed(TestCluster& c, const std::vector<std::string>& signers,
                   const std::function<void(contracts::Action*)>& fill) {
  static std::uint64_t nonce = 1;
  ledger::TxBody b;
  b.set_chain_id(c.chain_id());
  b.set_nonce(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) + nonce++);
  b.set_expiry_height(Expiry(c, 0));
  fill(b.mutable_action());
  ledger::Transaction tx = ledger::MakeTransaction(b);
  for (const auto& s : signers) ledger::SignTransaction(&tx, c.Account(s));
  return tx.SerializeAsString();
}

// A copy of node directory `from` at `to` with a fresh data directory and
// the certificate replaced by `cert_pem` (same id and key).
std::string Impostor(const std::string& from, const std::string& to, const std::string& cert_pem) {
  fs::create_directories(to);
  for (const char* f : {"config.json", "node.key", "genesis.json"}) {
    fs::copy_file(from + "/" + f, to + "/" + f, fs::copy_options::overwrite_existing);
  }
  REQUIRE(io::WriteFileAtomic(to + "/node.crt", cert_pem, 0644).ok());
  // Its API on plain HTTP (loopback): clients pin the consortium's roots,
  // which do not vouch for this certificate, and the test reads its status.
  config::NodeConfig c;
  REQUIRE(io::ReadJsonFile(to + "/config.json", &c).ok());
  c.set_api_tls(false);
  REQUIRE(io::WriteFileAtomic(to + "/config.json", io::ToJson(c), 0600).ok());
  return to + "/config.json";
}

TEST_CASE("orgs: org init hands over only public material and genesis checks what the organisations sent "
          "and rotate-key stages a key with both proofs",
          "[integration]") {
  TempDir tmp;
  const std::string d = tmp.path();
  WriteOrgSpec(d + "/a.json", "ipo-a", contracts::ORG_IP_OFFICE, {{"a1"}, {"a2", true}},
               {{"clerk", contracts::ROLE_IP_OFFICE}});
  WriteOrgSpec(d + "/b.json", "ipo-b", contracts::ORG_IP_OFFICE, {{"b1"}, {"b2"}},
               {{"clerk", contracts::ROLE_IP_OFFICE}}, /*self_signed=*/true);
  WriteOrgSpec(d + "/j.json", "audit", contracts::ORG_AUDITOR, {{"j1"}}, {{"auditor", contracts::ROLE_AUDITOR}});
  Admin({"org", "init", "--spec", d + "/a.json", "--out", d + "/a"});
  Admin({"org", "init", "--spec", d + "/b.json", "--out", d + "/b"});
  Admin({"org", "init", "--spec", d + "/j.json", "--out", d + "/j", "--join"});
  // A second run over the same directory clobbers nothing.
  CHECK(AdminFails({"org", "init", "--spec", d + "/a.json", "--out", d + "/a"}).find("ORG_EXISTS") !=
        std::string::npos);

  // Layout and modes.
  CHECK(Mode(d + "/a/ca") == 0700);
  CHECK(Mode(d + "/a/ca/ca.key") == 0600);
  CHECK(Mode(d + "/a/nodes/a1") == 0700);
  CHECK(Mode(d + "/a/nodes/a1/node.key") == 0600);
  CHECK(Mode(d + "/a/accounts/clerk.key") == 0600);
  CHECK_FALSE(io::FileExists(d + "/b/ca/ca.key"));  // self-signed: no CA
  config::NodeConfig cfg;
  REQUIRE(io::ReadJsonFile(d + "/a/nodes/a1/config.json", &cfg).ok());
  CHECK(cfg.node_id() == "a1");
  CHECK(cfg.genesis_file() == "genesis.json");
  CHECK(cfg.peers().empty());
  CHECK(cfg.tls_ca_file().empty());
  CHECK_FALSE(cfg.join());
  REQUIRE(io::ReadJsonFile(d + "/j/nodes/j1/config.json", &cfg).ok());
  CHECK(cfg.join());

  // public.json: the record with its roots, the nodes' and accounts' public
  // keys; nothing secret.
  for (const char* org : {"a", "b", "j"}) {
    auto text = io::ReadFile(d + "/" + org + "/public.json");
    REQUIRE(text.ok());
    RequireNoSecret(std::string(org) + "/public.json", *text, SecretsUnder(d + "/" + org));
  }
  tools::OrgPublic a = ReadPublic(d + "/a/public.json");
  REQUIRE(a.organisation().tls_roots_size() == 1);
  CHECK(a.organisation().tls_roots(0) == Der(d + "/a/ca/ca.crt"));
  REQUIRE(a.validators_size() == 2);
  CHECK(a.validators(0).role() == contracts::VALIDATOR_VOTER);
  CHECK(a.validators(1).role() == contracts::VALIDATOR_LEARNER);
  auto a1_cert = io::ReadFile(d + "/a/nodes/a1/node.crt");
  REQUIRE(a1_cert.ok());
  auto a1_id = io::IdentityFromCertPem(*a1_cert);
  REQUIRE(a1_id.ok());
  CHECK(a.validators(0).public_key_hex() == ledger::HexEncode(a1_id->key));
  REQUIRE(a.accounts_size() == 1);
  CHECK(a.accounts(0).org_id() == "ipo-a");
  tools::OrgPublic b = ReadPublic(d + "/b/public.json");
  REQUIRE(b.organisation().tls_roots_size() == 2);  // each node's own certificate
  CHECK(b.organisation().tls_roots(0) == Der(d + "/b/nodes/b1/node.crt"));
  CHECK(b.organisation().tls_roots(1) == Der(d + "/b/nodes/b2/node.crt"));
  tools::OrgPublic j = ReadPublic(d + "/j/public.json");
  CHECK(j.join());
  REQUIRE(j.validators_size() == 1);
  CHECK(j.validators(0).role() == contracts::VALIDATOR_LEARNER);

  // The genesis from the public files only.
  Admin({"genesis", "--chain-id", "pledger-orgs-unit", "--org", d + "/a/public.json", "--org",
         d + "/b/public.json", "--out", d + "/g"});
  auto gtext = io::ReadFile(d + "/g/genesis.json", 1 << 20);
  REQUIRE(gtext.ok());
  auto g = contracts::ParseGenesis(*gtext);
  REQUIRE(g.ok());
  CHECK(g->validators_size() == 4);
  CHECK(g->organisations(0).tls_roots(0) == a.organisation().tls_roots(0));
  auto bundle = io::ReadFile(d + "/g/consortium-ca.crt");
  REQUIRE(bundle.ok());
  auto bundle_der = io::CertBundlePemToDer(*bundle);
  REQUIRE(bundle_der.ok());
  CHECK(bundle_der->size() == 3);  // ipo-a's CA, ipo-b's two node certificates
  for (const auto& [path, text] : FilesUnder(d + "/g")) {
    RequireNoSecret(path, text, SecretsUnder(d + "/a"));
    RequireNoSecret(path, text, SecretsUnder(d + "/b"));
  }

  // What the assembly refuses.
  CHECK(AdminFails({"genesis", "--chain-id", "x", "--org", d + "/a/public.json", "--org", d + "/a/public.json",
                    "--out", d + "/g2"})
            .find("given twice") != std::string::npos);
  CHECK(AdminFails({"genesis", "--chain-id", "x", "--org", d + "/a/public.json", "--org", d + "/j/public.json",
                    "--out", d + "/g2"})
            .find("--join") != std::string::npos);
  tools::OrgPublic rootless = a;
  rootless.mutable_organisation()->clear_tls_roots();
  REQUIRE(io::WriteFileAtomic(d + "/rootless.json", io::ToJson(rootless), 0644).ok());
  CHECK(AdminFails({"genesis", "--chain-id", "x", "--org", d + "/rootless.json", "--out", d + "/g2"})
            .find("no tls_roots") != std::string::npos);
  tools::OrgPublic clash = b;  // another organisation claiming ipo-a's node address
  clash.mutable_organisation()->set_id("ipo-c");
  for (auto& v : *clash.mutable_validators()) v.set_org_id("ipo-c");
  for (auto& acc : *clash.mutable_accounts()) acc.set_org_id("ipo-c");
  clash.mutable_validators(0)->set_peer_address(a.validators(0).peer_address());
  clash.mutable_validators(0)->set_node_id("c1");
  clash.mutable_validators(1)->set_node_id("c2");
  clash.mutable_validators(0)->set_public_key_hex(std::string(64, 'c'));
  clash.mutable_validators(1)->set_public_key_hex(std::string(63, 'c') + "d");
  clash.mutable_accounts(0)->set_public_key_hex(std::string(63, 'c') + "e");
  REQUIRE(io::WriteFileAtomic(d + "/clash.json", io::ToJson(clash), 0644).ok());
  CHECK(AdminFails({"genesis", "--chain-id", "x", "--org", d + "/a/public.json", "--org", d + "/clash.json",
                    "--out", d + "/g2"})
            .find("used twice") != std::string::npos);
  CHECK_FALSE(io::FileExists(d + "/g2/genesis.json"));

  // rotate-key needs the chain id, which install-genesis writes.
  CHECK(AdminFails({"rotate-key", "--node-dir", d + "/a/nodes/a1", "--ca", d + "/a/ca"}).find("CHAIN_ID_MISSING") !=
        std::string::npos);
  Admin({"org", "install-genesis", "--org-dir", d + "/a", "--genesis", d + "/g/genesis.json"});
  Admin({"org", "install-genesis", "--org-dir", d + "/b", "--genesis", d + "/g/genesis.json"});
  Admin({"org", "install-genesis", "--org-dir", d + "/j", "--genesis", d + "/g/genesis.json"});  // --join: allowed
  REQUIRE(io::ReadJsonFile(d + "/a/nodes/a1/config.json", &cfg).ok());
  CHECK(cfg.chain_id() == "pledger-orgs-unit");
  CHECK(Read(d + "/a/nodes/a2/genesis.json") == *gtext);
  // A node that is not in this genesis (and was not prepared with --join).
  WriteOrgSpec(d + "/x.json", "ipo-x", contracts::ORG_IP_OFFICE, {{"x1"}}, {{"clerk", contracts::ROLE_IP_OFFICE}});
  Admin({"org", "init", "--spec", d + "/x.json", "--out", d + "/x"});
  CHECK(AdminFails({"org", "install-genesis", "--org-dir", d + "/x", "--genesis", d + "/g/genesis.json"})
            .find("NODE_NOT_IN_GENESIS") != std::string::npos);

  // rotate-key: the next key and certificate beside the current ones, and
  // both proofs over KeyRotationMessage.
  const std::string nd = d + "/a/nodes/a1";
  std::string out = Admin({"rotate-key", "--node-dir", nd, "--ca", d + "/a/ca", "--days", "10"});
  CHECK(out.find("pledger-wallet gov validator-rotate-key --rotation " + nd + "/rotation.json") != std::string::npos);
  CHECK(Mode(nd + "/node.key.next") == 0600);
  tools::KeyRotation r;
  REQUIRE(io::ReadJsonFile(nd + "/rotation.json", &r).ok());
  CHECK(r.node_id() == "a1");
  CHECK(r.chain_id() == "pledger-orgs-unit");
  CHECK(r.old_public_key_hex() == ledger::HexEncode(a1_id->key));
  auto next_key = io::Ed25519KeyFromPem(Read(nd + "/node.key.next"));
  REQUIRE(next_key.ok());
  CHECK(r.new_public_key_hex() == ledger::HexEncode(next_key->public_key()));
  auto next_id = io::IdentityFromCertPem(Read(nd + "/node.crt.next"));
  REQUIRE(next_id.ok());
  CHECK(next_id->node_id == "a1");
  CHECK(next_id->key == next_key->public_key());
  const std::string msg =
      ledger::KeyRotationMessage(r.chain_id(), "node:a1", r.old_public_key_hex(), r.new_public_key_hex());
  auto old_pub = ledger::PublicKeyFromHex(r.old_public_key_hex());
  REQUIRE(old_pub.ok());
  CHECK(ledger::VerifyRaw(std::string(reinterpret_cast<const char*>(next_key->public_key().data()), 32), msg,
                          Unhex(r.new_key_proof_hex()))
            .ok());
  CHECK(ledger::VerifyRaw(std::string(reinterpret_cast<const char*>(old_pub->data()), 32), msg,
                          Unhex(r.old_key_proof_hex()))
            .ok());
  // The current files are untouched; a second staging is refused unless --replace.
  CHECK(Read(nd + "/node.crt") == *a1_cert);
  CHECK(AdminFails({"rotate-key", "--node-dir", nd, "--ca", d + "/a/ca"}).find("ROTATION_PENDING") !=
        std::string::npos);
  Admin({"rotate-key", "--node-dir", nd, "--ca", d + "/a/ca", "--replace"});
  tools::KeyRotation r2;
  REQUIRE(io::ReadJsonFile(nd + "/rotation.json", &r2).ok());
  CHECK(r2.new_public_key_hex() != r.new_public_key_hex());
  // A self-signed organisation's node: a self-signed next certificate.
  Admin({"rotate-key", "--node-dir", d + "/b/nodes/b1", "--self-signed"});
  auto b1_next = io::ReadFile(d + "/b/nodes/b1/node.crt.next");
  REQUIRE(b1_next.ok());
  auto b1_id = io::IdentityFromCertPem(*b1_next);
  REQUIRE(b1_id.ok());
  CHECK(b1_id->node_id == "b1");
  CHECK(Read(d + "/b/nodes/b1/node.crt") != *b1_next);
  CHECK(AdminFails({"rotate-key", "--node-dir", d + "/b/nodes/b2"}).find("USAGE") != std::string::npos);
}

TEST_CASE("orgs: init (one machine) gives every organisation that runs a node the consortium CA as its roots",
          "[integration]") {
  TempDir tmp;
  Admin({"init", "--spec", std::string(PLEDGER_SOURCE_DIR) + "/tools/devnet/consortium.json", "--out",
         tmp.path() + "/dn"});
  auto text = io::ReadFile(tmp.path() + "/dn/genesis.json", 1 << 20);
  REQUIRE(text.ok());
  auto g = contracts::ParseGenesis(*text);
  REQUIRE(g.ok());
  const std::string ca = Der(tmp.path() + "/dn/ca/ca.crt");
  std::set<std::string> run_nodes;
  for (const auto& v : g->validators()) run_nodes.insert(v.org_id());
  for (const auto& o : g->organisations()) {
    INFO(o.id());
    if (run_nodes.count(o.id())) {
      REQUIRE(o.tls_roots_size() == 1);
      CHECK(o.tls_roots(0) == ca);
    } else {
      CHECK(o.tls_roots().empty());
    }
  }
  CHECK(Read(tmp.path() + "/dn/consortium-ca.crt") ==
        Read(tmp.path() + "/dn/ca/ca.crt"));
  for (const char* f : {"config.json", "node.crt", "node.key", "ca.crt", "genesis.json"}) {
    CHECK(io::FileExists(tmp.path() + "/dn/nodes/node1/" + f));
  }
}

TEST_CASE("orgs: three organisations with their own keys form a consortium and a fourth joins by governance "
          "and a certificate from a CA not admitted for its organisation is refused",
          "[integration]") {
  auto cp = TestCluster::Empty("pledger-orgs");
  TestCluster& c = *cp;
  const std::string d = c.dir();
  // Each organisation on "its own machine": its own directory, its own run of
  // the real pledger-admin.
  const std::vector<std::string> offices = {"ipo-a", "ipo-b", "ipo-c"};
  for (const auto& o : offices) {
    WriteOrgSpec(d + "/" + o + ".json", o, contracts::ORG_IP_OFFICE, {{o + "-n1"}},
                 {{o + "-clerk", contracts::ROLE_IP_OFFICE}});
    Admin({"org", "init", "--spec", d + "/" + o + ".json", "--out", d + "/" + o});
  }
  // A patent owner with an account and no node.
  WriteOrgSpec(d + "/sme.json", "sme", contracts::ORG_SME, {}, {{"sme-owner", contracts::ROLE_OWNER}});
  Admin({"org", "init", "--spec", d + "/sme.json", "--out", d + "/sme"});

  // What each sends: public.json, and nothing else, into the assembler's
  // directory, which assembles the genesis.
  const std::string asm_dir = d + "/consortium";
  fs::create_directories(asm_dir + "/received");
  std::vector<std::string> genesis_args = {"genesis", "--chain-id", "pledger-orgs", "--out", asm_dir};
  for (const std::string o : {"ipo-a", "ipo-b", "ipo-c", "sme"}) {
    fs::copy_file(d + "/" + o + "/public.json", asm_dir + "/received/" + o + ".json");
    genesis_args.push_back("--org");
    genesis_args.push_back(asm_dir + "/received/" + o + ".json");
  }
  Admin(genesis_args);
  // The assembler's directory holds no key of anyone's.
  std::vector<std::string> all_secrets;
  for (const std::string o : {"ipo-a", "ipo-b", "ipo-c", "sme"}) {
    for (auto& s : SecretsUnder(d + "/" + o)) all_secrets.push_back(std::move(s));
  }
  for (const auto& [path, text] : FilesUnder(asm_dir)) RequireNoSecret(path, text, all_secrets);
  // No organisation's key is in another organisation's directory.
  for (const std::string o : {"ipo-a", "ipo-b", "ipo-c", "sme"}) {
    for (const std::string other : {"ipo-a", "ipo-b", "ipo-c", "sme"}) {
      if (other == o) continue;
      for (const auto& [path, text] : FilesUnder(d + "/" + other)) {
        INFO(o << "'s keys in " << path);
        for (const auto& s : SecretsUnder(d + "/" + o)) CHECK(text.find(s) == std::string::npos);
      }
    }
  }
  // The genesis (public) goes back to each organisation.
  for (const std::string o : {"ipo-a", "ipo-b", "ipo-c", "sme"}) {
    Admin({"org", "install-genesis", "--org-dir", d + "/" + o, "--genesis", asm_dir + "/genesis.json"});
  }

  c.SetApiCaFile(asm_dir + "/consortium-ca.crt");  // clients pin the bundle
  for (const auto& o : offices) {
    c.AddNode(d + "/" + o + "/nodes/" + o + "-n1/config.json");
    c.AddAccount(o, d + "/" + o + "/accounts/" + o + "-clerk.key");
  }
  c.AddAccount("sme", d + "/sme/accounts/sme-owner.key");
  c.SetReader("ipo-a");
  c.StartAll();
  CLUSTER_REQUIRE(c, c.WaitForLeader(30s) >= 0);

  // A smoke transaction: a patent registration by ipo-a for the SME.
  tools::WorkloadParties parties;
  parties.chain_id = c.chain_id();
  parties.ip_office = c.SharedAccount("ipo-a");
  parties.bank = parties.appraiser = parties.ip_office;
  parties.owner = c.SharedAccount("sme");
  parties.owner_org = "sme";
  tools::Workload w(parties, 7, 1);
  CLUSTER_REQUIRE(c, Commit(c, 0, w.PatentRegister(Expiry(c, 0)).raw) == "OK");
  // Every node's API answers over HTTPS to a client pinning consortium-ca.crt.
  for (int i = 0; i < 3; ++i) {
    auto h = c.Client(i).Get("/healthz");
    CLUSTER_REQUIRE(c, (h.ok() && h->status == 200));
  }

  // A fourth organisation (an audit office) prepares its files with --join,
  // and sends public.json.
  WriteOrgSpec(d + "/audit.json", "audit", contracts::ORG_AUDITOR, {{"audit-n1"}},
               {{"auditor", contracts::ROLE_AUDITOR}});
  Admin({"org", "init", "--spec", d + "/audit.json", "--out", d + "/audit", "--join"});
  fs::copy_file(d + "/audit/public.json", asm_dir + "/received/audit.json");
  tools::OrgPublic audit = ReadPublic(asm_dir + "/received/audit.json");
  REQUIRE(audit.organisation().tls_roots_size() == 1);
  REQUIRE(audit.validators_size() == 1);
  // Two of the three IP offices admit it: the organisation with its roots,
  // its node as a learner, its account.
  CLUSTER_REQUIRE(c, Commit(c, 0, Signed(c, {"ipo-a", "ipo-b"}, [&](contracts::Action* a) {
                              *a->mutable_org_add()->mutable_org() = audit.organisation();
                            })) == "OK");
  CLUSTER_REQUIRE(c, Commit(c, 0, Signed(c, {"ipo-a", "ipo-b"}, [&](contracts::Action* a) {
                              *a->mutable_validator_add()->mutable_validator() = audit.validators(0);
                            })) == "OK");
  CLUSTER_REQUIRE(c, Commit(c, 0, Signed(c, {"ipo-a", "ipo-b"}, [&](contracts::Action* a) {
                              auto* add = a->mutable_account_add();
                              add->set_public_key_hex(audit.accounts(0).public_key_hex());
                              add->set_org_id("audit");
                              add->add_roles(contracts::ROLE_AUDITOR);
                            })) == "OK");
  // Clients now pin its root too.
  {
    std::vector<std::string> args = {"ca-bundle", "--out", asm_dir + "/consortium-ca.crt"};
    for (const std::string o : {"ipo-a", "ipo-b", "ipo-c", "sme", "audit"}) {
      args.push_back("--org");
      args.push_back(asm_dir + "/received/" + o + ".json");
    }
    Admin(args);
    auto bundle = io::CertBundlePemToDer(Read(asm_dir + "/consortium-ca.crt"));
    REQUIRE(bundle.ok());
    CHECK(bundle->size() == 4);  // the three IP offices' CAs and the audit office's
  }
  // It installs the consortium's genesis (public) and starts; it catches up.
  Admin({"org", "install-genesis", "--org-dir", d + "/audit", "--genesis", asm_dir + "/genesis.json"});
  const int joiner = c.AddNode(d + "/audit/nodes/audit-n1/config.json");
  c.Start(joiner);
  auto st0 = c.Status(0);
  REQUIRE(st0.ok());
  CLUSTER_REQUIRE(c, c.WaitForHeight(joiner, st0->height(), 40s));
  auto sj = c.Status(joiner);
  REQUIRE(sj.ok());
  CHECK(sj->role() == "LEARNER");
  // It keeps up with a later block.
  CLUSTER_REQUIRE(c, Commit(c, 0, w.PatentRegister(Expiry(c, 0)).raw) == "OK");
  auto st1 = c.Status(0);
  REQUIRE(st1.ok());
  CLUSTER_REQUIRE(c, c.WaitForHeight(joiner, st1->height(), 20s));

  // Impostors of the admitted node: its id and its key, but a certificate
  // (1) from a CA no organisation was admitted with (a fifth organisation's,
  // unknown to the consortium), and (2) from ipo-a's CA, admitted, but for
  // ipo-a's nodes, not the audit office's. Each starts with an empty data
  // directory in the node's place; its peers must refuse it: it learns
  // nothing while the consortium goes on.
  WriteOrgSpec(d + "/rogue.json", "rogue", contracts::ORG_AUDITOR, {{"rogue-n1"}},
               {{"rogue", contracts::ROLE_AUDITOR}});
  Admin({"org", "init", "--spec", d + "/rogue.json", "--out", d + "/rogue", "--join"});
  const std::string node_dir = d + "/audit/nodes/audit-n1";
  auto key = io::Ed25519KeyFromPem(Read(node_dir + "/node.key"));
  REQUIRE(key.ok());
  struct Case {
    const char* name;
    std::string ca_dir;
  };
  for (const Case& k : {Case{"rogue-ca", d + "/rogue/ca"}, Case{"other-org-ca", d + "/ipo-a/ca"}}) {
    INFO("impostor " << k.name);
    auto cert = io::IssueNodeCertificate(Read(k.ca_dir + "/ca.crt"),
                                         Read(k.ca_dir + "/ca.key"), "audit-n1", "audit", *key,
                                         {"127.0.0.1", "localhost"}, 30);
    REQUIRE(cert.ok());
    c.Stop(joiner);
    std::vector<size_t> log_from;
    for (int i = 0; i < 3; ++i) log_from.push_back(c.LogLines(i));
    const int imp = c.AddNode(Impostor(node_dir, d + "/impostor-" + k.name, *cert));
    c.Start(imp);
    CLUSTER_REQUIRE(c, c.WaitFor([&] { return c.Status(imp).ok(); }, 20s));
    // The consortium commits; the impostor gets nothing of it.
    CLUSTER_REQUIRE(c, Commit(c, 0, w.PatentRegister(Expiry(c, 0)).raw) == "OK");
    std::this_thread::sleep_for(4s);
    auto si = c.Status(imp);
    REQUIRE(si.ok());
    CHECK(si->height() == 0);
    // Its own dial succeeds at the TLS layer for a moment before the member
    // refuses it and closes, so a single look may catch a link "up" while
    // it redials: it must be seen with every link down.
    CHECK(c.WaitFor(
        [&] {
          auto s = c.Status(imp);
          if (!s.ok()) return false;
          for (const auto& p : s->peers()) {
            if (p.connected()) return false;
          }
          return true;
        },
        5s));
    // The members say why in their logs.
    bool refused = false;
    for (int i = 0; i < 3; ++i) refused = refused || c.LogContains(i, "refused", log_from[static_cast<size_t>(i)]);
    if (!refused) c.DumpLogs();
    CHECK(refused);
    c.Stop(imp);
  }
  // The genuine node, with its own certificate, is taken back.
  c.Start(joiner);
  auto st2 = c.Status(0);
  REQUIRE(st2.ok());
  CLUSTER_REQUIRE(c, c.WaitForHeight(joiner, st2->height(), 30s));
}

}  // namespace
}  // namespace pledger::test
