// pledger-audit's commands: argument handling, and the output people and
// scripts read. The checks themselves live in bundle.h, prover.h and
// verifier.h; this file only wires them to sources and streams.
#include <google/protobuf/util/json_util.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iomanip>
#include <memory>
#include <sstream>
#include <thread>

#include "contracts/genesis.h"
#include "contracts/proto/state.pb.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "contracts/history.h"
#include "ledger/io/json.h"
#include "tools/audit/audit.h"
#include "tools/audit/bundle.h"
#include "tools/audit/prover.h"
#include "tools/audit/register.h"
#include "tools/audit/source.h"
#include "tools/audit/verifier.h"
#include "ledger/io/pki.h"
#include "tools/common/access.h"
#include "tools/common/args.h"
#include "tools/wallet/config.h"
#include "tools/wallet/keystore.h"

namespace pledger::tools::audit {
namespace {

constexpr char kVersion[] = "pledger-audit 0.1.0";
constexpr size_t kMaxBundleBytes = 256u << 20;
constexpr size_t kMaxGenesisBytes = 16u << 20;

struct Flag {
  const char* name;
  const char* value;  // placeholder, "" for a switch
  const char* help;
};

struct Command {
  const char* name;
  const char* operands;
  const char* summary;
  std::vector<Flag> flags;
  std::function<int(AuditIo&, const Args&)> run;
};

const Flag kNode{"node", "URL", "read from this node's API (http://host:port or https://...)"};
const Flag kDataDir{"data-dir", "DIR", "read from a data directory instead: a stopped node's, or a replica of verify --keep"};
const Flag kCa{"ca", "FILE", "consortium CA certificate, for an https node"};
const Flag kKey{"key", "FILE", "sign every read with this account key: a PEM (pledger-admin) or a wallet key file"};
const Flag kProfile{"profile", "NAME", "sign every read as a pledger-wallet profile's key (its node and CA too)"};
const Flag kHome{"home", "DIR", "the wallet directory of --profile (default: $PLEDGER_HOME, else ~/.pledger)"};
const Flag kPassFd{"passphrase-fd", "N", "read the key's passphrase from file descriptor N"};
const Flag kPassEnv{"passphrase-env", "VAR", "read the key's passphrase from environment variable VAR"};
const Flag kGenesis{"genesis", "FILE", "your copy of the chain's genesis file: the root of every check (required)"};
const Flag kJson{"json", "", "machine-readable output (protobuf JSON) on standard output"};

// ---- output helpers ---------------------------------------------------------

int ExitFor(const Status& s) {
  if (s.reason() == "USAGE") return kExitUsage;
  if (s.reason() == "NODE_UNREACHABLE") return kExitUnreachable;
  if (IsAccessRefusal(s.reason())) return kExitDenied;
  return kExitFailed;
}

int Fail(AuditIo& io, const std::string& command, const Status& s) {
  *io.err << "pledger-audit " << command << ": " << (s.reason().empty() ? "ERROR" : std::string(s.reason())) << ": "
          << s.message() << "\n";
  if (s.reason() == "USAGE") *io.err << "Run `pledger-audit " << command << " --help` for its flags.\n";
  if (s.reason() == "NODE_UNREACHABLE") *io.err << "Check --node (and --ca for https), or read a data directory with --data-dir.\n";
  if (IsAccessRefusal(s.reason())) {
    *io.err << "A data directory (--data-dir, a stopped node's or a replica) needs no key.\n";
  }
  return ExitFor(s);
}

std::string Grouped(std::uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string Fixed(double v, int digits) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

std::string Json(const google::protobuf::Message& m) { return io::ToJson(m, /*pretty=*/true); }

Result<std::string> ReadGenesis(const Args& args) {
  PLEDGER_ASSIGN_OR_RETURN(std::string path, args.Require("genesis"));
  auto bytes = io::ReadFile(path, kMaxGenesisBytes);
  if (!bytes.ok()) return Status::NotFound("GENESIS_UNREADABLE", "cannot read the genesis file " + path + ": " +
                                                                     std::string(bytes.status().message()));
  PLEDGER_RETURN_IF_ERROR(contracts::ParseGenesis(*bytes).status());
  return bytes;
}

// The wallet directory a --profile is read from: --home, $PLEDGER_HOME, ~/.pledger.
std::string WalletHome(AuditIo& io, const Args& args) {
  if (auto h = args.Get("home"); h && !h->empty()) return *h;
  if (io.getenv) {
    if (auto h = io.getenv("PLEDGER_HOME"); h && !h->empty()) return *h;
    if (auto h = io.getenv("HOME"); h && !h->empty()) return *h + "/.pledger";
  }
  return "./.pledger";
}

Result<wallet::Secret> ReadAuditPassphrase(AuditIo& io, const Args& args, const std::string& prompt) {
  wallet::PassphraseSource src;
  if (auto fd = args.Get("passphrase-fd")) {
    auto n = args.GetInt("passphrase-fd", 0, 0, 65535);
    if (!n.ok()) return n.status();
    src.fd = static_cast<int>(*n);
  }
  if (auto env = args.Get("passphrase-env")) src.env_var = *env;
  if (src.fd && src.env_var) return UsageError("give one of --passphrase-fd and --passphrase-env, not both");
  wallet::SecretIo sio{io.getenv, io.prompt};
  return wallet::ReadPassphrase(src, "passphrase", prompt, /*confirm=*/false, sio);
}

// The account key of --key FILE: a PEM file (pledger-admin's accounts/NAME.key)
// or a wallet key file (`pledger-wallet key export`, asks its passphrase).
Result<std::shared_ptr<const ledger::SecretKey>> KeyFromFile(AuditIo& io, const Args& args, const std::string& path) {
  auto data = io::ReadFile(path, 64 << 10);
  if (!data.ok()) return UsageError("--key: cannot read " + path + ": " + std::string(data.status().message()));
  struct Wipe {
    std::string& s;
    ~Wipe() { sodium_memzero(s.data(), s.size()); }
  } wipe{*data};
  if (data->find("-----BEGIN") != std::string::npos) {
    auto k = io::Ed25519KeyFromPem(*data);
    if (!k.ok()) return UsageError("--key: " + path + " is not an Ed25519 private key in PKCS#8 PEM");
    return std::make_shared<const ledger::SecretKey>(std::move(*k));
  }
  auto file = Keystore::ParseKeyFile(*data);
  if (!file.ok()) {
    return UsageError("--key: " + path + " is neither a PEM private key nor a pledger-wallet key file");
  }
  PLEDGER_ASSIGN_OR_RETURN(wallet::Secret pass, ReadAuditPassphrase(io, args, "Passphrase of the key file " + path + ": "));
  PLEDGER_ASSIGN_OR_RETURN(ledger::SecretKey k, Keystore::Decrypt(*file, pass.view()));
  return std::make_shared<const ledger::SecretKey>(std::move(k));
}

// Where and as whom to read a node: --node/--ca, else the profile's, with
// the key of --key or of the profile; anonymous without either.
struct NodeAccess {
  std::string url;
  std::string ca_file;
  io::RequestCredentials credentials;
};

Result<NodeAccess> ResolveNodeAccess(AuditIo& io, const Args& args, const std::string& chain_id) {
  NodeAccess a;
  a.url = args.Get("node").value_or("");
  a.ca_file = args.Get("ca").value_or("");
  if (args.Has("key") && args.Has("profile")) return UsageError("give --key FILE or --profile NAME, not both");
  if (auto path = args.Get("key")) {
    PLEDGER_ASSIGN_OR_RETURN(a.credentials.key, KeyFromFile(io, args, *path));
  } else if (auto name = args.Get("profile")) {
    const std::string home = WalletHome(io, args);
    PLEDGER_ASSIGN_OR_RETURN(WalletConfig cfg, wallet::ConfigStore(home).Load());
    const Profile* p = wallet::FindProfile(cfg, *name);
    if (p == nullptr) return UsageError("--profile: no profile named '" + *name + "' in " + home + "/config.json");
    if (!p->chain_id().empty() && p->chain_id() != chain_id) {
      return UsageError("--profile: profile '" + *name + "' is for chain '" + p->chain_id() +
                        "' but the genesis file is chain '" + chain_id + "'");
    }
    if (a.url.empty()) a.url = p->node_url();
    if (a.ca_file.empty()) a.ca_file = p->ca_file();
    if (p->key().empty()) return UsageError("--profile: profile '" + *name + "' has no key to sign with");
    Keystore ks(home);
    PLEDGER_RETURN_IF_ERROR(ks.Info(p->key()).status());
    PLEDGER_ASSIGN_OR_RETURN(wallet::Secret pass,
                             ReadAuditPassphrase(io, args, "Passphrase for key '" + p->key() + "': "));
    PLEDGER_ASSIGN_OR_RETURN(ledger::SecretKey k, ks.Load(p->key(), pass.view()));
    a.credentials.key = std::make_shared<const ledger::SecretKey>(std::move(k));
  }
  if (a.credentials.key) a.credentials.chain_id = chain_id;
  return a;
}

// The source of the flags: a data directory (read without any key), or a
// node read as the account of --key or --profile.
Result<std::unique_ptr<ChainSource>> OpenSource(AuditIo& io, const Args& args, const std::string& genesis_bytes) {
  const bool node = args.Has("node") || (args.Has("profile") && !args.Has("data-dir"));
  const bool dir = args.Has("data-dir");
  if (node == dir) return UsageError("give exactly one source: --node URL (or --profile NAME) or --data-dir DIR");
  if (dir) {
    PLEDGER_ASSIGN_OR_RETURN(auto d, DirSource::Open(*args.Get("data-dir")));
    return std::unique_ptr<ChainSource>(std::move(d));
  }
  PLEDGER_ASSIGN_OR_RETURN(contracts::Genesis g, contracts::ParseGenesis(genesis_bytes));
  PLEDGER_ASSIGN_OR_RETURN(NodeAccess a, ResolveNodeAccess(io, args, g.chain_id()));
  if (a.url.empty()) return UsageError("--node: profile '" + *args.Get("profile") + "' names no node; give --node URL");
  PLEDGER_ASSIGN_OR_RETURN(auto n, NodeSource::Connect(a.url, a.ca_file, std::move(a.credentials)));
  return std::unique_ptr<ChainSource>(std::move(n));
}

// A replica built by verify --keep from this genesis file, or nullopt.
Result<std::optional<ReplicaMeta>> ReplicaOf(ChainSource* src, const std::string& genesis_bytes) {
  auto* dir = dynamic_cast<DirSource*>(src);
  if (dir == nullptr) return std::optional<ReplicaMeta>();
  ReplicaMeta meta;
  PLEDGER_ASSIGN_OR_RETURN(bool replica, IsReplica(dir, &meta));
  if (!replica) return std::optional<ReplicaMeta>();
  if (meta.genesis_hash() != std::string(ledger::AsStringView(ledger::Sha256(genesis_bytes)))) {
    return Status::FailedPrecondition("REPLICA_MISMATCH", dir->dir() + " is a replica of another genesis file");
  }
  return std::optional<ReplicaMeta>(meta);
}

// The node's genesis must be the auditor's: otherwise nothing would match,
// and saying so first is clearer.
Status CompareNodeGenesis(ChainSource* src, const std::string& genesis_bytes) {
  auto* node = dynamic_cast<NodeSource*>(src);
  if (node == nullptr) return Status::OK();
  PLEDGER_ASSIGN_OR_RETURN(std::string theirs, node->GenesisBytes());
  if (theirs != genesis_bytes) {
    return Status::FailedPrecondition("GENESIS_MISMATCH",
                                      "the node runs another genesis file (SHA-256 " + ShortHex(std::string(ledger::AsStringView(ledger::Sha256(theirs)))) +
                                          ", yours " + ShortHex(std::string(ledger::AsStringView(ledger::Sha256(genesis_bytes)))) +
                                          "): wrong node, or wrong genesis file");
  }
  return Status::OK();
}

std::string CursorOf(std::uint64_t height, std::uint32_t index) {
  std::string raw;
  ledger::PutBigEndian64(&raw, height);
  ledger::PutBigEndian32(&raw, index);
  return ledger::HexEncode(raw);
}

// ---- history --------------------------------------------------------------------

int AsOf(AuditIo& io, const Args& args, ChainSource* src, const std::string& entity, const std::string& genesis) {
  auto height = args.GetInt("as-of", 0, 1, INT64_MAX);
  if (!height.ok()) return Fail(io, "history", height.status());
  // The records whose versions the node keeps (contracts/history.h) and that
  // have one message type: patents, pledges, pools and tranches.
  std::unique_ptr<google::protobuf::Message> msg;
  if (entity.rfind("patent/", 0) == 0) {
    msg = std::make_unique<contracts::Patent>();
  } else if (entity.rfind("pledge/", 0) == 0) {
    msg = std::make_unique<contracts::Pledge>();
  } else if (entity.rfind("pool/", 0) == 0) {
    msg = std::make_unique<contracts::Pool>();
  } else if (entity.rfind("tranche/", 0) == 0) {
    msg = std::make_unique<contracts::Tranche>();
  } else {
    return Fail(io, "history", UsageError("--as-of shows patents, pledges, pools and tranches only"));
  }
  auto replica = ReplicaOf(src, genesis);
  if (!replica.ok()) return Fail(io, "history", replica.status());
  auto rec = src->RecordAsOf(entity, static_cast<std::uint64_t>(*height));
  if (!rec.ok()) return Fail(io, "history", rec.status());
  AsOfReport r;
  r.set_entity(entity);
  r.set_height(static_cast<std::uint64_t>(*height));
  r.set_found(rec->has_value());
  r.set_trust(replica->has_value() ? "replica" : "unchecked");
  if (rec->has_value()) {
    if (!msg->ParseFromString(**rec)) {
      return Fail(io, "history", Status::Corruption("RECORD_CORRUPT", "the record of " + entity + " does not parse"));
    }
    r.set_record_json(io::ToJson(*msg, /*pretty=*/!args.Has("json")));
  }
  if (!replica->has_value()) {
    *io.err << "note: a past record is the source's word: no root commits to it. For a checked answer, build a "
               "replica with `pledger-audit verify --keep DIR` and ask it with --data-dir DIR.\n";
  }
  if (args.Has("json")) {
    *io.out << Json(r);
  } else if (!r.found()) {
    *io.out << entity << " did not exist after block " << r.height() << "\n";
  } else {
    *io.out << entity << " after block " << r.height() << " (trust: " << r.trust() << "):\n" << r.record_json();
  }
  return r.found() ? kExitOk : kExitFailed;
}

int HistoryCmd(AuditIo& io, const Args& args) {
  auto entity = EntityFromWords(args.positional());
  if (!entity.ok()) return Fail(io, "history", entity.status());
  if (args.Has("json") + args.Has("csv") > 1) return Fail(io, "history", UsageError("give --json or --csv, not both"));
  auto genesis = ReadGenesis(args);
  if (!genesis.ok()) return Fail(io, "history", genesis.status());
  auto src = OpenSource(io, args, *genesis);
  if (!src.ok()) return Fail(io, "history", src.status());
  if (args.Has("as-of")) return AsOf(io, args, src->get(), *entity, *genesis);
  auto limit = args.GetInt("limit", 0, 0, INT64_MAX);
  auto page_size = args.GetInt("page-size", 1000, 1, 1000);
  if (!limit.ok()) return Fail(io, "history", limit.status());
  if (!page_size.ok()) return Fail(io, "history", page_size.status());
  auto replica = ReplicaOf(src->get(), *genesis);
  if (!replica.ok()) return Fail(io, "history", replica.status());
  if (Status s = CompareNodeGenesis(src->get(), *genesis); !s.ok()) return Fail(io, "history", s);
  std::unique_ptr<Prover> prover;
  if (!replica->has_value()) {
    auto p = Prover::Create(src->get(), *genesis);
    if (!p.ok()) return Fail(io, "history", p.status());
    prover = std::move(*p);
  }

  HistoryReport report;
  report.set_entity(*entity);
  report.set_source((*src)->Describe());
  report.set_trust(replica->has_value() ? "replica" : "attested");
  std::string cursor = args.Get("after").value_or("");
  size_t unattested = 0;
  bool done = false;
  while (!done) {
    auto page = (*src)->History(*entity, cursor, static_cast<size_t>(*page_size));
    if (!page.ok()) return Fail(io, "history", page.status());
    for (const auto& e : page->entries()) {
      if (*limit > 0 && report.entries_size() >= *limit) {
        const auto& last = report.entries(report.entries_size() - 1);
        report.set_next_cursor(CursorOf(last.height(), last.index()));
        done = true;
        break;
      }
      HistoryLine* line = report.add_entries();
      line->set_tx_id(e.tx_id());
      line->set_height(e.height());
      line->set_index(e.index());
      line->set_time_ms(e.time_ms());
      line->set_time(FormatTimeMs(e.time_ms()));
      line->set_code(e.code());
      line->set_action(e.action());
      if (!prover) continue;
      // The index is the source's word: check the entry against the block's
      // exact bytes, and the block against its validators' attestations.
      auto t = prover->ProveAndCheck(e.height(), e.index());
      if (!t.ok()) {
        if (t.status().reason() == "BLOCK_NOT_ATTESTED") {
          ++unattested;
          continue;
        }
        return Fail(io, "history", t.status().WithContext("checking the entry at block " + std::to_string(e.height())));
      }
      std::string mismatch;
      if (ledger::HexEncode(t->id) != e.tx_id()) mismatch = "the block holds transaction " + ledger::HexEncode(t->id);
      else if (t->receipt.code() != e.code()) mismatch = "its receipt says " + t->receipt.code();
      else if (t->block.header.time_ms() != e.time_ms()) mismatch = "the block's time differs";
      else if ((t->body_ok ? contracts::ActionName(t->body) : std::string()) != e.action()) mismatch = "the action differs";
      if (!mismatch.empty()) {
        return Fail(io, "history", Status::Corruption("HISTORY_ENTRY_MISMATCH",
                                                      "the source's history lists transaction " + e.tx_id() + " at block " +
                                                          std::to_string(e.height()) + " index " + std::to_string(e.index()) +
                                                          " (" + e.code() + "), but " + mismatch));
      }
      line->set_attested_by(static_cast<std::uint32_t>(t->block.signers.size()));
    }
    if (page->next_cursor().empty()) break;
    cursor = page->next_cursor();
  }

  if (args.Has("json")) {
    *io.out << Json(report);
  } else if (args.Has("csv")) {
    *io.out << "tx_id,height,index,time_ms,time,code,action,attested_by\r\n";
    for (const auto& l : report.entries()) {
      *io.out << l.tx_id() << ',' << l.height() << ',' << l.index() << ',' << l.time_ms() << ',' << CsvField(l.time())
              << ',' << CsvField(l.code()) << ',' << CsvField(l.action()) << ',' << l.attested_by() << "\r\n";
    }
    // Not in the CSV itself, which stays one table for spreadsheets.
    if (!report.next_cursor().empty()) *io.err << "more: --after " << report.next_cursor() << "\n";
  } else {
    *io.out << "history of " << *entity << ": " << report.entries_size() << " transaction(s), from " << report.source()
            << "\n";
    *io.out << (report.trust() == "replica"
                    ? "(from a replica verify built and checked from the genesis file: trust replica)\n"
                    : "(each entry checked against its block's exact bytes, the block attested by a majority of the "
                      "validators in force for it: trust attested)\n");
    *io.out << std::left << std::setw(9) << "HEIGHT" << std::setw(6) << "INDEX" << std::setw(25) << "TIME"
            << std::setw(22) << "ACTION" << std::setw(34) << "RESULT" << std::setw(9) << "ATTESTED"
            << "TRANSACTION\n";
    for (const auto& l : report.entries()) {
      *io.out << std::left << std::setw(9) << l.height() << std::setw(6) << l.index() << std::setw(25) << l.time()
              << std::setw(22) << (l.action().empty() ? "-" : l.action()) << std::setw(34) << l.code() << std::setw(9)
              << (report.trust() == "replica" ? std::string("replica") : (l.attested_by() ? std::to_string(l.attested_by()) : "not yet"))
              << l.tx_id() << "\n";
    }
    if (!report.next_cursor().empty()) {
      *io.out << "more: --after " << report.next_cursor() << "\n";
    }
  }
  if (unattested > 0) {
    *io.err << "note: " << unattested << " entr" << (unattested == 1 ? "y is" : "ies are")
            << " in blocks not attested yet (their attestations ride in later blocks): checked against the "
               "blocks' bytes only when attested; run again later\n";
  }
  return kExitOk;
}

// ---- proof / check-proof ------------------------------------------------------------

int ProofCmd(AuditIo& io, const Args& args) {
  if (args.positional().size() != 1) return Fail(io, "proof", UsageError("give one transaction id (64 hex characters)"));
  std::string id = args.positional()[0];
  std::transform(id.begin(), id.end(), id.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  if (!ledger::HashFromHex(id).ok()) return Fail(io, "proof", UsageError("'" + id + "' is not a transaction id (64 hex characters)"));
  auto out = args.Require("out");
  if (!out.ok()) return Fail(io, "proof", out.status());
  if (io::FileExists(*out) && !args.Has("force")) {
    return Fail(io, "proof", Status::AlreadyExists("FILE_EXISTS", *out + " exists; give --force to replace it"));
  }
  auto genesis = ReadGenesis(args);
  if (!genesis.ok()) return Fail(io, "proof", genesis.status());
  auto src = OpenSource(io, args, *genesis);
  if (!src.ok()) return Fail(io, "proof", src.status());
  if (Status s = CompareNodeGenesis(src->get(), *genesis); !s.ok()) return Fail(io, "proof", s);
  auto prover = Prover::Create(src->get(), *genesis);
  if (!prover.ok()) return Fail(io, "proof", prover.status());
  auto bundle = (*prover)->MakeBundle(id);
  if (!bundle.ok()) return Fail(io, "proof", bundle.status());
  const std::string bytes = ledger::SerializeCanonical(*bundle);
  if (Status s = io::WriteFileAtomic(*out, bytes, 0644); !s.ok()) return Fail(io, "proof", s);
  CheckLog log;
  auto t = CheckBundle(bytes, *genesis, &log);
  *io.out << "wrote " << *out << " (" << Grouped(bytes.size()) << " bytes): transaction " << id << "\n"
          << "  block " << t->block.header.height() << " index " << t->index << ", " << FormatTimeMs(t->block.header.time_ms())
          << ", receipt " << t->receipt.code() << "\n"
          << "  attested by " << t->block.signers.size() << " of " << (*prover)->InForce(t->block.header.height()).voters()
          << " voters at block " << t->block.anchor_height << "; " << bundle->validator_changes_size()
          << " validator-set change(s) since genesis, each proven\n"
          << "check it anywhere, offline: pledger-audit check-proof " << *out << " --genesis GENESIS\n";
  return kExitOk;
}

void DescribeTx(AuditIo& io, const ProvenTx& t) {
  *io.out << "  transaction  " << ledger::HexEncode(t.id) << "\n";
  *io.out << "  block        " << t.block.header.height() << " (" << ledger::HexEncode(t.block.hash) << "), index " << t.index
          << ", time " << FormatTimeMs(t.block.header.time_ms()) << "\n";
  if (t.body_ok) {
    *io.out << "  action       " << (contracts::ActionName(t.body).empty() ? "(none)" : contracts::ActionName(t.body)) << "\n";
    if (!t.body.memo().empty()) *io.out << "  memo         " << t.body.memo() << "\n";
  }
  for (const auto& s : t.tx.signatures()) *io.out << "  signed by    " << ledger::HexEncode(s.public_key()) << "\n";
  *io.out << "  receipt      " << t.receipt.code() << (t.receipt.rule().empty() ? "" : " (" + t.receipt.rule() + ")")
          << (t.receipt.message().empty() ? "" : ": " + t.receipt.message()) << "\n";
  for (const auto& g : t.receipt.grounds()) *io.out << "  ground       " << g << "\n";
  for (const auto& e : t.receipt.events()) {
    *io.out << "  event        " << e.type();
    for (const auto& a : e.attributes()) *io.out << " " << a.key() << "=" << a.value();
    *io.out << "\n";
  }
  *io.out << "  attested by  ";
  for (size_t i = 0; i < t.block.signers.size(); ++i) *io.out << (i ? ", " : "") << t.block.signers[i];
  *io.out << " (at block " << t.block.anchor_height << ")\n";
}

int CheckProofCmd(AuditIo& io, const Args& args) {
  if (args.positional().size() != 1) return Fail(io, "check-proof", UsageError("give one bundle file"));
  auto genesis = ReadGenesis(args);
  if (!genesis.ok()) return Fail(io, "check-proof", genesis.status());
  auto bytes = io::ReadFile(args.positional()[0], kMaxBundleBytes);
  if (!bytes.ok()) return Fail(io, "check-proof", bytes.status());
  CheckLog log;
  auto t = CheckBundle(*bytes, *genesis, &log);
  CheckProofReport r;
  r.set_ok(t.ok());
  for (const auto& l : log) r.add_checks(l);
  if (t.ok()) {
    r.set_tx_id(ledger::HexEncode(t->id));
    r.set_height(t->block.header.height());
    r.set_receipt_code(t->receipt.code());
  } else {
    r.set_reason(std::string(t.status().reason()));
    r.set_detail(std::string(t.status().message()));
  }
  if (args.Has("json")) {
    *io.out << Json(r);
  } else {
    *io.out << "check-proof " << args.positional()[0] << " with genesis " << *args.Get("genesis") << "\n";
    for (const auto& l : log) *io.out << "  " << l << "\n";
    if (t.ok()) {
      *io.out << "VERIFIED: with only the genesis file, this bundle proves:\n";
      DescribeTx(io, *t);
    } else {
      *io.out << "  FAIL " << t.status().reason() << ": " << t.status().message() << "\n";
      *io.out << "NOT VERIFIED: the bundle does not prove its transaction (first failure above)\n";
    }
  }
  return t.ok() ? kExitOk : kExitFailed;
}

// ---- verify ----------------------------------------------------------------------

void PrintProgress(AuditIo& io, const VerifyProgress& p) {
  const double pct = p.target ? 100.0 * static_cast<double>(p.height) / static_cast<double>(p.target) : 100.0;
  const double rate = p.seconds > 0 ? static_cast<double>(p.transactions) / p.seconds : 0;
  *io.err << "verify: block " << Grouped(p.height) << "/" << Grouped(p.target) << " (" << Fixed(pct, 1) << "%), "
          << Grouped(p.transactions) << " txs, " << Grouped(static_cast<std::uint64_t>(rate)) << " tx/s, attested to "
          << Grouped(p.attested_height) << ", " << Fixed(p.seconds, 1) << " s\n";
}

int VerifyCmd(AuditIo& io, const Args& args) {
  if (!args.positional().empty()) return Fail(io, "verify", UsageError("verify takes no operands"));
  auto genesis = ReadGenesis(args);
  if (!genesis.ok()) return Fail(io, "verify", genesis.status());
  auto to = args.GetInt("to", 0, 0, INT64_MAX);
  auto threads = args.GetInt("threads", 0, 0, 256);
  if (!to.ok()) return Fail(io, "verify", to.status());
  if (!threads.ok()) return Fail(io, "verify", threads.status());
  auto src = OpenSource(io, args, *genesis);
  if (!src.ok()) return Fail(io, "verify", src.status());
  if (Status s = CompareNodeGenesis(src->get(), *genesis); !s.ok()) return Fail(io, "verify", s);
  VerifyOptions o;
  o.genesis_bytes = *genesis;
  o.to_height = static_cast<std::uint64_t>(*to);
  o.keep_dir = args.Get("keep").value_or("");
  o.threads = static_cast<size_t>(*threads);
  o.require_attested = args.Has("require-attested");
  if (!args.Has("quiet")) o.progress = [&io](const VerifyProgress& p) { PrintProgress(io, p); };
  auto r = Verify(src->get(), o);
  if (!r.ok()) return Fail(io, "verify", r.status());
  if (args.Has("json")) {
    *io.out << Json(*r);
    return r->ok() ? kExitOk : kExitFailed;
  }
  const bool dir = dynamic_cast<DirSource*>(src->get()) != nullptr;
  if (r->ok()) {
    *io.out << "verify: OK: blocks " << r->from_height() << ".." << r->verified_height() << " of " << r->source()
            << " re-executed from the genesis file; every block, signature, receipt, state root and attestation "
               "checked\n";
  } else {
    *io.out << "verify: FAILED at block " << r->first_bad_height() << ": " << r->reason() << "\n  " << r->detail() << "\n";
    if (r->verified_height() > 0) *io.out << "  (blocks up to " << r->verified_height() << " verified before it)\n";
  }
  *io.out << "  blocks        " << Grouped(r->verified_height() + 1 - std::min(r->verified_height() + 1, r->from_height()))
          << " checked in this run (source tip " << Grouped(r->tip_height()) << ")\n"
          << "  transactions  " << Grouped(r->transactions()) << ", " << Grouped(r->signatures())
          << " signatures verified";
  if (r->invalid_signature_txs() > 0) *io.out << ", " << r->invalid_signature_txs() << " refused for bad signatures as their receipts say";
  *io.out << "\n  attestations  " << Grouped(r->attestations()) << " checked; blocks up to " << Grouped(r->attested_height())
          << " attested by a majority of their validators\n";
  if (dir && r->ok() && r->verified_height() == r->tip_height()) {
    *io.out << "  data dir      state, state commitment, hash/tx/history/version/attestation indexes and tip equal "
               "the replay's\n";
  }
  if (!o.keep_dir.empty()) *io.out << "  replica       " << o.keep_dir << " (query it with --data-dir; verify again to extend it)\n";
  *io.out << "  time          " << Fixed(r->seconds(), 1) << " s, " << Grouped(static_cast<std::uint64_t>(r->tx_per_second()))
          << " tx/s\n";
  for (const auto& w : r->warnings()) *io.err << "warning: " << w << "\n";
  return r->ok() ? kExitOk : kExitFailed;
}

// ---- export ----------------------------------------------------------------------

int ExportCmd(AuditIo& io, const Args& args) {
  if (!args.positional().empty()) return Fail(io, "export", UsageError("export takes no operands"));
  const std::string format = args.Get("format").value_or("csv");
  if (format != "csv" && format != "json") return Fail(io, "export", UsageError("--format is csv or json"));
  auto genesis = ReadGenesis(args);
  if (!genesis.ok()) return Fail(io, "export", genesis.status());
  auto to = args.GetInt("to", 0, 0, INT64_MAX);
  if (!to.ok()) return Fail(io, "export", to.status());
  auto src = OpenSource(io, args, *genesis);
  if (!src.ok()) return Fail(io, "export", src.status());
  if (Status s = CompareNodeGenesis(src->get(), *genesis); !s.ok()) return Fail(io, "export", s);
  auto replica = ReplicaOf(src->get(), *genesis);
  if (!replica.ok()) return Fail(io, "export", replica.status());
  auto g = contracts::ParseGenesis(*genesis);
  RegisterBuilder builder(*g);
  VerifyOptions o;
  o.genesis_bytes = *genesis;
  o.to_height = static_cast<std::uint64_t>(*to);
  o.execute = false;  // light: links, roots and attestations; no re-execution
  o.visitor = [&builder](const ledger::BlockHeader& h, const ledger::Block& b, const ledger::BlockResults& r) {
    return builder.Visit(h, b, r);
  };
  auto r = Verify(src->get(), o);
  if (!r.ok()) return Fail(io, "export", r.status());
  if (!r->ok()) {
    *io.err << "pledger-audit export: the chain does not check at block " << r->first_bad_height() << ": " << r->reason()
            << ": " << r->detail() << "\nnothing exported\n";
    return kExitFailed;
  }
  RegisterExport e = builder.Finish(args.Has("active-only"));
  e.set_chain_id(g->chain_id());
  e.set_attested_height(r->attested_height());
  e.set_source(r->source());
  e.set_trust(replica->has_value() ? "replica" : "attested");
  std::string text;
  if (format == "json") {
    text = Json(e);
  } else {
    text = args.Has("announcements") ? AnnouncementsCsv(e) : RegisterCsv(e);
  }
  if (auto out = args.Get("out")) {
    if (Status s = io::WriteFileAtomic(*out, text, 0644); !s.ok()) return Fail(io, "export", s);
  } else {
    *io.out << text;
  }
  size_t active = 0;
  for (const auto& row : e.rows()) active += row.status() == "REGISTERED" ? 1 : 0;
  *io.err << "export: " << e.rows_size() << " register row(s) (" << active << " active), " << e.announcements_size()
          << " announcement(s), as of block " << e.height() << "; blocks up to " << e.attested_height()
          << " attested by a majority of their validators (trust: " << e.trust() << ")\n";
  for (const auto& w : r->warnings()) *io.err << "warning: " << w << "\n";
  return kExitOk;
}

// ---- the command table and help ---------------------------------------------------

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"history", "ENTITY",
       "every transaction that touched a patent, pledge, pool, tranche, account or organisation, oldest first",
       {kNode, kDataDir, kCa, kKey, kProfile, kHome, kPassFd, kPassEnv, kGenesis, kJson,
        {"csv", "", "CSV output"},
        {"as-of", "HEIGHT", "instead: the patent, pledge, pool or tranche record as it was after block HEIGHT"},
        {"limit", "N", "stop after N entries (prints the cursor to continue)"},
        {"after", "CURSOR", "start after this cursor (from a previous --limit)"},
        {"page-size", "N", "entries per request to the source (1..1000, default 1000)"}},
       HistoryCmd},
      {"proof", "TX_ID", "write an evidence bundle that proves a committed transaction offline",
       {kNode, kDataDir, kCa, kKey, kProfile, kHome, kPassFd, kPassEnv, kGenesis, {"out", "FILE", "where to write the bundle (required)"},
        {"force", "", "replace FILE if it exists"}},
       ProofCmd},
      {"check-proof", "FILE", "check an evidence bundle with nothing but the genesis file",
       {kGenesis, kJson}, CheckProofCmd},
      {"verify", "", "re-execute and check the whole chain from the genesis file",
       {kNode, kDataDir, kCa, kKey, kProfile, kHome, kPassFd, kPassEnv, kGenesis, kJson,
        {"keep", "DIR", "keep the checked replica in DIR (resumes if DIR holds one); query it with --data-dir"},
        {"to", "HEIGHT", "stop after block HEIGHT (default: the source's tip)"},
        {"threads", "N", "signature-verification threads (default: all cores)"},
        {"require-attested", "", "fail if a block with transactions is not attested yet"},
        {"quiet", "", "no progress lines"}},
       VerifyCmd},
      {"export", "", "the pledge register (active and historical) with the gazette's columns (R10)",
       {kNode, kDataDir, kCa, kKey, kProfile, kHome, kPassFd, kPassEnv, kGenesis, {"format", "csv|json", "output format (default csv)"},
        {"out", "FILE", "write to FILE instead of standard output"},
        {"announcements", "", "CSV of the gazette announcements (registrations, changes, cancellations) instead"},
        {"active-only", "", "only pledges in force"},
        {"to", "HEIGHT", "the register as of block HEIGHT"}},
       ExportCmd},
  };
  return kCommands;
}

void MainHelp(std::ostream& o) {
  o << "pledger-audit: check a Pledger chain without trusting any node (docs/audit.md)\n\n"
       "usage: pledger-audit COMMAND [flags]\n\n";
  for (const auto& c : Commands()) {
    std::string head = std::string(c.name) + (*c.operands ? std::string(" ") + c.operands : "");
    o << "  " << std::left << std::setw(22) << head << c.summary << "\n";
  }
  o << "\nEvery command takes --genesis FILE, your own copy of the genesis file: it is the root of trust.\n"
       "Sources: --node URL (any node; verify, proof and history check what it serves against signatures and\n"
       "attestations, but history cannot see entries a node leaves out and --as-of records are its word; see\n"
       "docs/audit.md) or --data-dir DIR (a stopped node's directory, opened read-only, or a replica written\n"
       "by verify --keep).\n"
       "A node serves raw blocks only to IP offices, auditors and regulators: every read is signed with such an\n"
       "account's key, --key FILE (pledger-admin's PEM or a wallet key file) or --profile NAME (a wallet\n"
       "profile: its key, node and CA). A data directory needs no key.\n\n"
       "Exit codes: 0 everything checked, 1 a check failed (or another error), 2 usage, 3 node unreachable,\n"
       "5 the node refused the reader (AUTH_*, READ_FORBIDDEN).\n"
       "`pledger-audit COMMAND --help` shows a command's flags.\n";
}

void CommandHelp(std::ostream& o, const Command& c) {
  o << "usage: pledger-audit " << c.name << (*c.operands ? std::string(" ") + c.operands : "") << " [flags]\n\n"
    << c.summary << "\n\nflags:\n";
  for (const auto& f : c.flags) {
    std::string head = std::string("--") + f.name + (*f.value ? std::string(" ") + f.value : "");
    o << "  " << std::left << std::setw(22) << head << f.help << "\n";
  }
  if (std::string(c.name) == "history") {
    o << "\nENTITY is KIND ID or KIND/ID: patent ZL201410362077.3, pledge <32 hex>, account <64 hex>, org bank-hz,\n"
         "valuation <id>, validator <node id>, pool <32 hex>, tranche <pool id> <rank> (or tranche <pool id>/<rank>).\n";
  }
}

}  // namespace

int RunAudit(const std::vector<std::string>& args, AuditIo& io) {
  if (args.empty()) {
    MainHelp(*io.err);
    return kExitUsage;
  }
  const std::string& word = args[0];
  if (word == "--help" || word == "-h" || word == "help") {
    MainHelp(*io.out);
    return kExitOk;
  }
  if (word == "--version" || word == "version") {
    *io.out << kVersion << "\n";
    return kExitOk;
  }
  const Command* cmd = nullptr;
  for (const auto& c : Commands()) {
    if (word == c.name) cmd = &c;
  }
  if (cmd == nullptr) {
    *io.err << "pledger-audit: usage error: unknown command '" << word << "'\n";
    MainHelp(*io.err);
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const auto& w : rest) {
    if (w == "--") break;
    if (w == "--help" || w == "-h") {
      CommandHelp(*io.out, *cmd);
      return kExitOk;
    }
  }
  std::vector<FlagSpec> specs;
  for (const auto& f : cmd->flags) specs.emplace_back(f.name, *f.value != '\0');
  auto parsed = Args::Parse(rest, specs);
  if (!parsed.ok()) return Fail(io, cmd->name, parsed.status());
  return cmd->run(io, *parsed);
}

}  // namespace pledger::tools::audit
