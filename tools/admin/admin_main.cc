// pledger-admin: sets up a consortium and its nodes.
//
//   pledger-admin init --spec consortium.json --out DIR
//   pledger-admin add-node --ca DIR/ca --genesis DIR/genesis.json --id ID --org ORG
//                          --peer HOST:PORT --api HOST:PORT --join-peer ID=HOST:PORT...
//                          --out DIR/nodes/ID [--api-tls]
//   pledger-admin add-account --name NAME --out DIR
//
// Exit codes: 0 ok, 2 usage error, 1 anything else. Everything written that
// holds a key has mode 0600; no key is ever printed.
#include <cstdio>
#include <string>

#include "ledger/crypto.h"
#include "node/files.h"
#include "node/pki.h"
#include "tools/admin/consortium.h"
#include "tools/common/args.h"
#include "node/json.h"

namespace pledger::tools {
namespace {

constexpr char kUsage[] =
    "pledger-admin: set up a Pledger consortium\n"
    "\n"
    "  init --spec FILE --out DIR\n"
    "      Create a CA, node certificates and keys, account keys, genesis.json and one\n"
    "      config per node from a consortium description (see tools/devnet/consortium.json).\n"
    "  add-node --ca DIR --genesis FILE --id ID --org ORG --peer HOST:PORT --api HOST:PORT\n"
    "           --join-peer ID=HOST:PORT [--join-peer ...] --out DIR [--api-tls]\n"
    "      Certificate, key and config for a node joining later; prints its public key\n"
    "      for the governance transaction that admits it.\n"
    "  add-account --name NAME --out DIR\n"
    "      A new account key pair: DIR/NAME.key (0600) and DIR/NAME.pub.\n";

int Fail(const Status& s) {
  std::fprintf(stderr, "pledger-admin: %s\n", s.ToString().c_str());
  return s.reason() == "USAGE" ? 2 : 1;
}

int Init(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {{"spec"}, {"out"}});
  if (!args.ok()) return Fail(args.status());
  auto spec_path = args->Require("spec");
  auto out = args->Require("out");
  if (!spec_path.ok()) return Fail(spec_path.status());
  if (!out.ok()) return Fail(out.status());
  ConsortiumSpec spec;
  Status s = node::ReadJsonFile(*spec_path, &spec);
  if (!s.ok()) return Fail(s);
  auto files = CreateConsortium(spec, *out);
  if (!files.ok()) return Fail(files.status());
  std::printf("consortium '%s' created in %s\n", spec.chain_id().c_str(), out->c_str());
  std::printf("  genesis: %s\n", files->genesis_file.c_str());
  for (const auto& c : files->node_configs) std::printf("  node:    %s\n", c.c_str());
  std::printf("  account keys: %s/accounts/ (import with `pledger-wallet key import`)\n", out->c_str());
  return 0;
}

int AddNode(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2,
                          {{"ca"}, {"genesis"}, {"id"}, {"org"}, {"peer"}, {"api"},
                           {"join-peer", true, true}, {"out"}, {"api-tls", false}, {"days"}});
  if (!args.ok()) return Fail(args.status());
  NewNode n;
  for (auto [flag, dst] : {std::pair{"id", &n.node_id}, std::pair{"org", &n.org_id},
                           std::pair{"peer", &n.peer_address}, std::pair{"api", &n.api_address}}) {
    auto v = args->Require(flag);
    if (!v.ok()) return Fail(v.status());
    *dst = *v;
  }
  n.api_tls = args->Has("api-tls");
  auto ca = args->Require("ca");
  auto genesis = args->Require("genesis");
  auto out = args->Require("out");
  auto days = args->GetInt("days", 825, 1, 3650);
  for (const Status* st : {&ca.status(), &genesis.status(), &out.status(), &days.status()}) {
    if (!st->ok()) return Fail(*st);
  }
  std::vector<node::PeerConfig> peers;
  for (const auto& jp : args->GetAll("join-peer")) {
    auto eq = jp.find('=');
    if (eq == std::string::npos) return Fail(UsageError("--join-peer takes ID=HOST:PORT, got '" + jp + "'"));
    node::PeerConfig p;
    p.set_node_id(jp.substr(0, eq));
    p.set_address(jp.substr(eq + 1));
    Status hs = ValidateHostPort(p.address(), "--join-peer");
    if (!hs.ok()) return Fail(UsageError(std::string(hs.message())));
    peers.push_back(p);
  }
  if (peers.empty()) return Fail(UsageError("add-node needs at least one --join-peer ID=HOST:PORT"));
  Status s = CreateNodeFiles(*ca, *genesis, peers, &n, *out, static_cast<int>(*days));
  if (!s.ok()) return Fail(s);
  std::printf("node '%s' prepared in %s\n", n.node_id.c_str(), out->c_str());
  std::printf("  node public key: %s\n", n.public_key_hex.c_str());
  std::printf("Admit it with a governance transaction signed by a majority of IP offices, e.g.\n"
              "  pledger-wallet gov validator-add --node-id %s --public-key %s --org %s "
              "--peer %s --api %s --learner\n"
              "then start it: pledgerd --config %s/config.json\n",
              n.node_id.c_str(), n.public_key_hex.c_str(), n.org_id.c_str(),
              n.peer_address.c_str(), n.api_address.c_str(), out->c_str());
  return 0;
}

int AddAccount(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {{"name"}, {"out"}});
  if (!args.ok()) return Fail(args.status());
  auto name = args->Require("name");
  auto out = args->Require("out");
  if (!name.ok()) return Fail(name.status());
  if (!out.ok()) return Fail(out.status());
  Status s = node::MakeDirs(*out, 0700);
  if (!s.ok()) return Fail(s);
  ledger::SecretKey key = ledger::SecretKey::Generate();
  auto pem = node::Ed25519KeyToPem(key);
  if (!pem.ok()) return Fail(pem.status());
  s = node::WriteFileAtomic(*out + "/" + *name + ".key", *pem, 0600, /*exclusive=*/true);
  if (!s.ok()) return Fail(s);
  std::string pub = ledger::HexEncode(key.public_key());
  s = node::WriteFileAtomic(*out + "/" + *name + ".pub", pub + "\n", 0644);
  if (!s.ok()) return Fail(s);
  std::printf("account key %s/%s.key (public key %s)\n", out->c_str(), name->c_str(), pub.c_str());
  return 0;
}

}  // namespace
}  // namespace pledger::tools

int main(int argc, char** argv) {
  using namespace pledger::tools;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  if (cmd == "init") return Init(argc, argv);
  if (cmd == "add-node") return AddNode(argc, argv);
  if (cmd == "add-account") return AddAccount(argc, argv);
  std::fprintf(stderr, "pledger-admin: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
