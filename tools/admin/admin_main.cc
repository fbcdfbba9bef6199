// pledger-admin: sets up a consortium and its nodes.
//
//   pledger-admin init --spec consortium.json --out DIR        (one machine: a devnet)
//   pledger-admin org init --spec ORG.json --out DIR [--join]  (each organisation, its own machine)
//   pledger-admin org install-genesis --org-dir DIR --genesis FILE
//   pledger-admin ca-bundle --org A/public.json ... --out consortium-ca.crt
//   pledger-admin genesis --chain-id ID --org A/public.json --org B/public.json ... [--params FILE] --out DIR
//   pledger-admin rotate-key --node-dir DIR (--ca DIR | --self-signed) [--days N] [--org ORG] [--replace]
//   pledger-admin add-node --ca DIR/ca --genesis DIR/genesis.json --id ID --org ORG
//                          --peer HOST:PORT --api HOST:PORT --join-peer ID=HOST:PORT...
//                          --out DIR/nodes/ID [--plain-api]
//   pledger-admin add-account --name NAME --out DIR
//   pledger-admin renew-cert --ca DIR/ca --node-dir DIR/nodes/ID --org ORG [--days N]
//
// Exit codes: 0 ok, 2 usage error, 1 anything else. Everything written that
// holds a key has mode 0600; no key is ever printed.
#include <cstdio>
#include <ctime>
#include <string>

#include <map>

#include "ledger/block_store.h"
#include "ledger/crypto.h"
#include "ledger/db.h"
#include "ledger/keys.h"
#include "ledger/io/files.h"
#include "ledger/io/pki.h"
#include "tools/admin/consortium.h"
#include "tools/common/args.h"
#include "ledger/io/json.h"
#include "contracts/genesis.h"

namespace pledger::tools {
namespace {

constexpr char kUsage[] =
    "pledger-admin: set up a Pledger consortium\n"
    "\n"
    "  init --spec FILE --out DIR\n"
    "      Create a CA, node certificates and keys, account keys, genesis.json and one\n"
    "      config per node from a consortium description (see tools/devnet/consortium.json).\n"
    "      Node APIs serve HTTPS with the consortium CA unless the spec says \"api_tls\": false;\n"
    "      clients pin DIR/consortium-ca.crt (wallet profiles' --ca, curl --cacert).\n"
    "  org init --spec ORG.json --out DIR [--join]\n"
    "      One organisation's own files, made on its own machine: its CA (DIR/ca/, or none\n"
    "      with \"self_signed\": true in the spec), node keys, certificates and configs\n"
    "      (DIR/nodes/ID/), account keys (DIR/accounts/) and DIR/public.json, the only file\n"
    "      it sends the consortium (no private key in it). --join: for an organisation\n"
    "      admitted later by governance (its nodes start as joining learners).\n"
    "  genesis --chain-id ID --org FILE [--org FILE ...] [--params FILE] --out DIR\n"
    "      The genesis from the organisations' public.json files: DIR/genesis.json and\n"
    "      DIR/consortium-ca.crt (every organisation's roots: what clients pin).\n"
    "  org install-genesis --org-dir DIR --genesis FILE\n"
    "      Copies the genesis into each of the organisation's node directories and sets\n"
    "      their chain id (checks each node is in it with its key, unless --join).\n"
    "  ca-bundle --org FILE [--org FILE ...] --out FILE\n"
    "      consortium-ca.crt again from the members' public.json files (after admitting one).\n"
    "  rotate-key --node-dir DIR (--ca ORG_CA_DIR | --self-signed) [--days N] [--org ORG] [--replace]\n"
    "      Stages the node's next key and certificate (<key>.next, <cert>.next) and\n"
    "      DIR/rotation.json for `pledger-wallet gov validator-rotate-key --rotation FILE`;\n"
    "      the node switches when the chain applies the rotation.\n"
    "  add-node --ca DIR --genesis FILE --id ID --org ORG --peer HOST:PORT --api HOST:PORT\n"
    "           --join-peer ID=HOST:PORT [--join-peer ...] --out DIR [--plain-api]\n"
    "      Certificate, key and config for a node joining later, from its organisation's CA\n"
    "      (ORG_DIR/ca, or DIR/ca of init); prints its public key\n"
    "      for the governance transaction that admits it. The API serves HTTPS with the\n"
    "      node certificate unless --plain-api.\n"
    "  renew-cert --ca DIR --node-dir DIR --org ORG [--days N]\n"
    "      A new certificate for an existing node (same id and key: no governance step),\n"
    "      valid N days (default 825); the node picks it up on SIGHUP (kill -HUP PID) or a\n"
    "      restart. docs/operations.md.\n"
    "  add-account --name NAME --out DIR\n"
    "      A new account key pair: DIR/NAME.key (0600) and DIR/NAME.pub.\n"
    "  inspect DATA_DIR [--keys PREFIX]\n"
    "      Offline inspector of a stopped node's data directory: chain, tip, Raft log\n"
    "      range, records and bytes per keyspace. Refuses a directory in use (DB_LOCKED).\n";

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
  Status s = io::ReadJsonFile(*spec_path, &spec);
  if (!s.ok()) return Fail(s);
  auto files = CreateConsortium(spec, *out);
  if (!files.ok()) return Fail(files.status());
  const bool tls = !spec.has_api_tls() || spec.api_tls();
  std::printf("consortium '%s' created in %s\n", spec.chain_id().c_str(), out->c_str());
  std::printf("  genesis: %s\n", files->genesis_file.c_str());
  for (int i = 0; i < spec.nodes_size(); ++i) {
    std::printf("  node:    %s  (API %s://%s)\n", files->node_configs[static_cast<size_t>(i)].c_str(),
                tls ? "https" : "http", spec.nodes(i).api_address().c_str());
  }
  std::printf("  account keys: %s/accounts/ (import with `pledger-wallet key import`)\n", out->c_str());
  std::printf("  consortium CA for clients: %s (pledger-wallet profile add ... --ca FILE, pledger-audit --ca FILE,\n"
              "    curl --cacert FILE); keep %s/ca/ (the CA's private key) offline\n",
              files->client_ca_file.c_str(), out->c_str());
  if (!tls) std::printf("  the APIs serve plain HTTP (\"api_tls\": false): loopback only\n");
  return 0;
}

int OrgInit(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 3, {{"spec"}, {"out"}, {"join", false}});
  if (!args.ok()) return Fail(args.status());
  auto spec_path = args->Require("spec");
  auto out = args->Require("out");
  if (!spec_path.ok()) return Fail(spec_path.status());
  if (!out.ok()) return Fail(out.status());
  OrgSpec spec;
  Status s = io::ReadJsonFile(*spec_path, &spec);
  if (!s.ok()) return Fail(s);
  const bool join = args->Has("join");
  auto files = CreateOrg(spec, *out, join);
  if (!files.ok()) return Fail(files.status());
  const std::string& id = spec.organisation().id();
  std::printf("organisation '%s' prepared in %s\n", id.c_str(), out->c_str());
  if (spec.self_signed()) {
    std::printf("  no CA: each node certificate is self-signed and is itself one of %s's trust roots\n", id.c_str());
  } else {
    std::printf("  CA: %s/ca/ (its private key never leaves this machine)\n", out->c_str());
  }
  for (const auto& c : files->node_configs) std::printf("  node:    %s\n", c.c_str());
  if (spec.accounts_size() > 0) std::printf("  account keys: %s/accounts/\n", out->c_str());
  std::printf("  send the consortium only %s (public keys, addresses, trust roots)\n", files->public_file.c_str());
  if (join) {
    std::printf("Next: the IP offices admit '%s' by governance (pledger-wallet gov org-add --tls-root ...,\n"
                "gov validator-add ... --learner, gov account-add); then copy the consortium's genesis.json in with\n"
                "  pledger-admin org install-genesis --org-dir %s --genesis genesis.json\n"
                "and start the nodes: pledgerd --config %s/nodes/ID/config.json\n",
                id.c_str(), out->c_str(), out->c_str());
  } else {
    std::printf("Next: whoever assembles the genesis runs `pledger-admin genesis --org .../public.json ...`;\n"
                "with the genesis.json it sends back:\n"
                "  pledger-admin org install-genesis --org-dir %s --genesis genesis.json\n",
                out->c_str());
  }
  return 0;
}

int OrgInstallGenesis(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 3, {{"org-dir"}, {"genesis"}});
  if (!args.ok()) return Fail(args.status());
  auto dir = args->Require("org-dir");
  auto genesis = args->Require("genesis");
  if (!dir.ok()) return Fail(dir.status());
  if (!genesis.ok()) return Fail(genesis.status());
  auto dirs = InstallGenesis(*dir, *genesis);
  if (!dirs.ok()) return Fail(dirs.status());
  for (const auto& d : *dirs) {
    std::printf("installed %s/genesis.json; start with: pledgerd --config %s/config.json\n", d.c_str(), d.c_str());
  }
  if (dirs->empty()) std::printf("no node directory under %s/nodes: nothing to install\n", dir->c_str());
  return 0;
}

int Org(int argc, char** argv) {
  std::string sub = argc > 2 ? argv[2] : "";
  if (sub == "init") return OrgInit(argc, argv);
  if (sub == "install-genesis") return OrgInstallGenesis(argc, argv);
  return Fail(UsageError("org takes init or install-genesis"));
}

int Genesis(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {{"chain-id"}, {"org", true, true}, {"params"}, {"out"}});
  if (!args.ok()) return Fail(args.status());
  auto chain = args->Require("chain-id");
  auto out = args->Require("out");
  if (!chain.ok()) return Fail(chain.status());
  if (!out.ok()) return Fail(out.status());
  if (args->GetAll("org").empty()) return Fail(UsageError("genesis needs --org FILE (each organisation's public.json)"));
  if (io::FileExists(*out + "/genesis.json")) {
    return Fail(Status::AlreadyExists("GENESIS_EXISTS", *out + "/genesis.json exists; use an empty directory"));
  }
  GenesisParts parts;
  parts.chain_id = *chain;
  for (const auto& f : args->GetAll("org")) {
    OrgPublic pub;
    Status s = io::ReadJsonFile(f, &pub);
    if (!s.ok()) return Fail(s);
    s = AddOrgPublic(pub, f, &parts);
    if (!s.ok()) return Fail(s);
  }
  contracts::Params params;
  if (auto p = args->Get("params")) {
    Status s = io::ReadJsonFile(*p, &params);
    if (!s.ok()) return Fail(s);
  }
  auto g = AssembleGenesis(parts, args->Has("params") ? &params : nullptr);
  if (!g.ok()) return Fail(g.status());
  auto bundle = ClientCaBundle(*g);
  if (!bundle.ok()) return Fail(bundle.status());
  Status s = io::MakeDirs(*out, 0755);
  if (s.ok()) s = io::WriteFileAtomic(*out + "/genesis.json", contracts::GenesisToJson(*g), 0644);
  if (s.ok()) s = io::WriteFileAtomic(*out + "/consortium-ca.crt", *bundle, 0644);
  if (!s.ok()) return Fail(s);
  std::printf("genesis of '%s': %d organisations, %d nodes, %d accounts\n", chain->c_str(), g->organisations_size(),
              g->validators_size(), g->accounts_size());
  std::printf("  %s/genesis.json: send it to every organisation; each runs\n"
              "    pledger-admin org install-genesis --org-dir ORG_DIR --genesis genesis.json\n",
              out->c_str());
  std::printf("  %s/consortium-ca.crt: every organisation's trust roots, for clients to pin\n"
              "    (pledger-wallet profile add ... --ca FILE, pledger-audit --ca FILE, curl --cacert FILE)\n",
              out->c_str());
  return 0;
}

int CaBundle(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {{"org", true, true}, {"out"}});
  if (!args.ok()) return Fail(args.status());
  auto out = args->Require("out");
  if (!out.ok()) return Fail(out.status());
  if (args->GetAll("org").empty()) return Fail(UsageError("ca-bundle needs --org FILE (each organisation's public.json)"));
  contracts::Genesis members;  // only the organisations and their nodes matter here
  for (const auto& f : args->GetAll("org")) {
    OrgPublic pub;
    Status s = io::ReadJsonFile(f, &pub);
    if (!s.ok()) return Fail(s);
    *members.add_organisations() = pub.organisation();
    for (const auto& v : pub.validators()) *members.add_validators() = v;
  }
  auto bundle = ClientCaBundle(members);
  if (!bundle.ok()) return Fail(bundle.status());
  Status s = io::WriteFileAtomic(*out, *bundle, 0644);
  if (!s.ok()) return Fail(s);
  std::printf("wrote %s: the trust roots of every organisation given that runs a node\n", out->c_str());
  return 0;
}

int RotateKey(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2,
                          {{"node-dir"}, {"ca"}, {"self-signed", false}, {"days"}, {"org"}, {"replace", false}});
  if (!args.ok()) return Fail(args.status());
  auto node_dir = args->Require("node-dir");
  auto days = args->GetInt("days", 825, 1, 3650);
  if (!node_dir.ok()) return Fail(node_dir.status());
  if (!days.ok()) return Fail(days.status());
  if (args->Has("ca") == args->Has("self-signed")) {
    return Fail(UsageError("rotate-key takes one of --ca ORG_CA_DIR and --self-signed"));
  }
  auto staged = StageKeyRotation(*node_dir, args->Get("ca").value_or(""), args->Get("org").value_or(""),
                                 static_cast<int>(*days), args->Has("replace"));
  if (!staged.ok()) return Fail(staged.status());
  const KeyRotation& r = staged->rotation;
  std::printf("staged the next key of node '%s' (chain %s)\n", r.node_id().c_str(), r.chain_id().c_str());
  std::printf("  current key: %s\n  next key:    %s\n", r.old_public_key_hex().c_str(),
              r.new_public_key_hex().c_str());
  std::printf("  %s (0600), %s\n  %s\n", staged->next_key_file.c_str(), staged->next_cert_file.c_str(),
              staged->rotation_file.c_str());
  std::printf("Next: an account of the node's organisation submits the rotation (the current key's proof\n"
              "makes it self-signed; without it, a majority of the IP offices must sign):\n"
              "  pledger-wallet gov validator-rotate-key --rotation %s\n"
              "The node switches to the .next files when the chain applies it; nothing to restart.\n",
              staged->rotation_file.c_str());
  if (args->Has("self-signed")) {
    std::printf("The new certificate is self-signed: it is a trust root only once the organisation's tls_roots\n"
                "list it. Add it first (gov org-tls-roots, with the roots in force plus %s), then rotate.\n",
                staged->next_cert_file.c_str());
  }
  return 0;
}

int AddNode(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2,
                          {{"ca"}, {"genesis"}, {"id"}, {"org"}, {"peer"}, {"api"},
                           {"join-peer", true, true}, {"out"}, {"plain-api", false}, {"days"}});
  if (!args.ok()) return Fail(args.status());
  NewNode n;
  for (auto [flag, dst] : {std::pair{"id", &n.node_id}, std::pair{"org", &n.org_id},
                           std::pair{"peer", &n.peer_address}, std::pair{"api", &n.api_address}}) {
    auto v = args->Require(flag);
    if (!v.ok()) return Fail(v.status());
    *dst = *v;
  }
  n.api_tls = !args->Has("plain-api");  // HTTPS unless asked otherwise
  auto ca = args->Require("ca");
  auto genesis = args->Require("genesis");
  auto out = args->Require("out");
  auto days = args->GetInt("days", 825, 1, 3650);
  for (const Status* st : {&ca.status(), &genesis.status(), &out.status(), &days.status()}) {
    if (!st->ok()) return Fail(*st);
  }
  std::vector<config::PeerConfig> peers;
  for (const auto& jp : args->GetAll("join-peer")) {
    auto eq = jp.find('=');
    if (eq == std::string::npos) return Fail(UsageError("--join-peer takes ID=HOST:PORT, got '" + jp + "'"));
    config::PeerConfig p;
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

int RenewCert(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {{"ca"}, {"node-dir"}, {"org"}, {"days"}});
  if (!args.ok()) return Fail(args.status());
  auto ca = args->Require("ca");
  auto node_dir = args->Require("node-dir");
  auto org = args->Require("org");
  auto days = args->GetInt("days", 825, 1, 3650);
  for (const Status* st : {&ca.status(), &node_dir.status(), &org.status(), &days.status()}) {
    if (!st->ok()) return Fail(*st);
  }
  auto not_after = RenewNodeCertificate(*ca, *node_dir, *org, static_cast<int>(*days));
  if (!not_after.ok()) return Fail(not_after.status());
  std::time_t t = static_cast<std::time_t>(*not_after);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d", std::gmtime(&t));
  std::printf("renewed the certificate in %s, valid until %s UTC\n"
              "the node picks up a renewed certificate without a restart: send SIGHUP to pledgerd\n"
              "(kill -HUP PID) or restart it\n",
              node_dir->c_str(), when);
  return 0;
}

int AddAccount(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {{"name"}, {"out"}});
  if (!args.ok()) return Fail(args.status());
  auto name = args->Require("name");
  auto out = args->Require("out");
  if (!name.ok()) return Fail(name.status());
  if (!out.ok()) return Fail(out.status());
  Status s = io::MakeDirs(*out, 0700);
  if (!s.ok()) return Fail(s);
  ledger::SecretKey key = ledger::SecretKey::Generate();
  auto pem = io::Ed25519KeyToPem(key);
  if (!pem.ok()) return Fail(pem.status());
  s = io::WriteFileAtomic(*out + "/" + *name + ".key", *pem, 0600, /*exclusive=*/true);
  if (!s.ok()) return Fail(s);
  std::string pub = ledger::HexEncode(key.public_key());
  s = io::WriteFileAtomic(*out + "/" + *name + ".pub", pub + "\n", 0644);
  if (!s.ok()) return Fail(s);
  std::printf("account key %s/%s.key (public key %s)\n", out->c_str(), name->c_str(), pub.c_str());
  return 0;
}

int Inspect(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {{"keys"}});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 1) return Fail(UsageError("inspect takes one DATA_DIR"));
  std::string dir = args->positional()[0];
  // The node keeps its LevelDB in DATA_DIR/db; accept either.
  std::string db_dir = io::FileExists(dir + "/db/CURRENT") ? dir + "/db" : dir;
  ledger::DatabaseOptions opts;
  opts.create_if_missing = false;
  auto db = ledger::Database::Open(db_dir, opts);
  if (!db.ok()) return Fail(db.status());
  ledger::BlockStore blocks(db->get());
  Status s = blocks.Load();
  if (!s.ok()) return Fail(s);
  ledger::Tip tip = blocks.tip();
  std::printf("chain       %s\n", blocks.identity().chain_id.c_str());
  std::printf("genesis     %s\n", ledger::HexEncode(blocks.identity().genesis_hash).c_str());
  std::printf("tip         height %llu, block %s\n", static_cast<unsigned long long>(tip.height),
              ledger::HexEncode(tip.block_hash).c_str());
  std::printf("state root  %s\n", ledger::HexEncode(tip.state_root).c_str());
  auto applied = (*db)->Get(ledger::keys::Meta("applied"));
  if (applied.ok() && applied->has_value() && (*applied)->size() == 8) {
    std::printf("applied     Raft index %llu\n",
                static_cast<unsigned long long>(ledger::GetBigEndian64((*applied)->data())));
  }
  std::map<char, std::pair<std::uint64_t, std::uint64_t>> per;  // prefix -> (records, bytes)
  std::map<std::string, std::uint64_t> state_spaces;              // contract keyspace -> records
  auto it = (*db)->NewIterator();
  std::string filter = args->Get("keys").value_or("");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    auto& p = per[k[0]];
    ++p.first;
    p.second += k.size() + it->value().size();
    if (k[0] == ledger::keys::kState) {
      std::string_view rest = k.substr(1);
      auto slash = rest.find('/');
      std::string space(rest.substr(0, slash == std::string_view::npos ? rest.size() : slash));
      if (space == "ix" || space == "rp") {
        auto second = rest.find('/', slash + 1);
        space = std::string(rest.substr(0, second));
      }
      ++state_spaces[space];
    }
    if (!filter.empty() && k.substr(0, filter.size()) == filter) {
      std::printf("  %s (%zu bytes)\n", ledger::HexEncode(k).c_str(), it->value().size());
    }
  }
  const std::map<char, const char*> names = {
      {'M', "meta"}, {'B', "blocks"}, {'R', "block results"}, {'H', "block hash index"},
      {'T', "tx index"}, {'S', "state"}, {'K', "state commitment"}, {'Q', "state buckets"},
      {'X', "history"}, {'V', "record versions"}, {'A', "attestations"}, {'r', "Raft log"}};
  std::printf("%-20s %12s %14s\n", "keyspace", "records", "bytes");
  for (const auto& [prefix, v] : per) {
    auto n = names.find(prefix);
    std::printf("%-20s %12llu %14llu\n", n == names.end() ? std::string(1, prefix).c_str() : n->second,
                static_cast<unsigned long long>(v.first), static_cast<unsigned long long>(v.second));
  }
  std::printf("state records by contract keyspace:\n");
  for (const auto& [space, n] : state_spaces) {
    std::printf("  %-28s %10llu\n", space.c_str(), static_cast<unsigned long long>(n));
  }
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
  if (cmd == "org") return Org(argc, argv);
  if (cmd == "genesis") return Genesis(argc, argv);
  if (cmd == "rotate-key") return RotateKey(argc, argv);
  if (cmd == "ca-bundle") return CaBundle(argc, argv);
  if (cmd == "add-node") return AddNode(argc, argv);
  if (cmd == "add-account") return AddAccount(argc, argv);
  if (cmd == "renew-cert") return RenewCert(argc, argv);
  if (cmd == "inspect") return Inspect(argc, argv);
  std::fprintf(stderr, "pledger-admin: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
