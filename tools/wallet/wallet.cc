// Command-line dispatch: finds the command row, parses its flags, runs it.
#include "tools/wallet/wallet.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "ledger/crypto.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/errors.h"

namespace pledger::tools::wallet {

void AddKeyCommands(std::vector<Command>* out);
void AddTxCommands(std::vector<Command>* out);
void AddQueryCommands(std::vector<Command>* out);
void AddFileCommands(std::vector<Command>* out);
void AddSessionCommands(std::vector<Command>* out);

namespace {

constexpr char kVersion[] = "pledger-wallet 0.1.0";

// Words users may type for a group.
std::string CanonicalGroup(const std::string& word) {
  if (word == "license") return "licence";  // US spelling
  if (word == "governance") return "gov";
  return word;
}

bool IsHelp(const std::string& w) { return w == "--help" || w == "-h"; }

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    prev.swap(cur);
  }
  return prev[b.size()];
}

std::string Suggest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 3;
  for (const auto& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

// Whether the command line asks for JSON (before a Context exists).
bool WantsJson(const std::vector<std::string>& args) {
  for (const auto& w : args) {
    if (w == "--") break;
    if (w == "--json") return true;
  }
  return false;
}

int Usage(WalletIo& io, const std::string& message, const std::string& hint, bool json) {
  *io.err << "pledger-wallet: usage error: " << message << "\n" << hint << "\n";
  if (json) PrintJsonError(*io.out, ErrorOf(UsageError(message)));
  return kExitUsage;
}

const FlagDef* FindFlag(const std::vector<FlagDef>& flags, const std::string& name) {
  for (const auto& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

const std::vector<FlagDef>& GlobalFlags() {
  static const std::vector<FlagDef> kFlags = {
      {"profile", "NAME", "use this profile (default: $PLEDGER_PROFILE, else the current one)", false, false},
      {"node", "URL", "talk to this node instead of the profile's", false, false},
      {"chain-id", "ID", "the chain id (default: the profile's, else the node's)", false, false},
      {"ca", "FILE", "consortium CA certificate for an https node", false, false},
      {"home", "DIR", "wallet directory (default: $PLEDGER_HOME, else ~/.pledger)", false, false},
      {"json", "", "machine-readable output (protobuf JSON) on standard output", false, false},
      {"help", "", "show help", false, false},
  };
  return kFlags;
}

const std::vector<FlagDef>& TxFlags() {
  static const std::vector<FlagDef> kFlags = {
      {"out", "FILE", "write the transaction to FILE for co-signers instead of submitting it", false, false},
      {"no-sign", "", "with --out: write it unsigned (sign later, e.g. on an air-gapped machine)", false, false},
      {"dry-run", "", "check and explain the transaction; sign and send nothing", false, false},
      {"wait", "", "wait for the receipt (the default)", false, false},
      {"no-wait", "", "return once the node admitted the transaction", false, false},
      {"timeout", "SECONDS", "how long to wait for the receipt (default 120)", false, false},
      {"key", "NAME", "sign with this key instead of the profile's", false, false},
      {"passphrase-fd", "N", "read the key's passphrase from file descriptor N", false, false},
      {"passphrase-env", "VAR", "read the key's passphrase from environment variable VAR", false, false},
      {"memo", "TEXT", "a note for people, stored with the transaction (<= 256 bytes)", false, false},
      {"expiry-height", "H", "valid up to block H (default: from the node's height)", false, false},
      {"expires-in", "BLOCKS", "valid for this many more blocks (default: the whole window for --out, else 1000)",
       false, false},
      {"nonce", "N", "a fixed nonce (default: random); equal bodies are one transaction", false, false},
      {"force", "",
       "overwrite --out; sign and submit even if a required signature seems missing, the pre-flight check says the "
       "ledger would refuse it or the node does not answer it",
       false, false},
      {"quiet", "", "print only the id of what is created (pledge, valuation, licence, pool) or the transaction id, "
                    "for ID=$(pledger-wallet ...)", false, false},
  };
  return kFlags;
}

const std::vector<FlagDef>& ReadFlags() {
  static const std::vector<FlagDef> kFlags = {
      {"key", "NAME", "read as this key's account instead of the profile's", false, false},
      {"passphrase-fd", "N", "read the key's passphrase from file descriptor N (reads are signed)", false, false},
      {"passphrase-env", "VAR", "read the key's passphrase from environment variable VAR (reads are signed)", false,
       false},
      {"anonymous", "", "read without signing: the public (gazette) view, amounts withheld", false, false},
  };
  return kFlags;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = [] {
    std::vector<Command> all;
    AddKeyCommands(&all);
    AddTxCommands(&all);
    AddQueryCommands(&all);
    AddFileCommands(&all);
    AddSessionCommands(&all);
    // Keep each group's commands together (help lists them in table order).
    std::stable_sort(all.begin(), all.end(), [](const Command& a, const Command& b) {
      return a.group.empty() != b.group.empty() ? !a.group.empty() : false;
    });
    return all;
  }();
  return kCommands;
}

WalletIo ProcessIo() {
  WalletIo io;
  io.out = &std::cout;
  io.err = &std::cerr;
  io.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  io.prompt = PromptOnTty;
  io.connect = [](const NodeEndpoint& endpoint) { return ConnectHttp(endpoint, std::chrono::milliseconds(30000)); };
  io.nonce = [] {
    ledger::EnsureCryptoInitialized();
    std::uint64_t n = 0;
    while (n == 0) randombytes_buf(&n, sizeof n);
    return n;
  };
  io.interactive = ::isatty(STDERR_FILENO) == 1 && ::isatty(STDIN_FILENO) == 1;
  return io;
}

int RunWallet(const std::vector<std::string>& args, WalletIo& io) {
  if (io.out == nullptr) io.out = &std::cout;
  if (io.err == nullptr) io.err = &std::cerr;
  const std::string hint = "Run `pledger-wallet --help` for the commands.";
  const bool json = WantsJson(args);

  // Global flags may come before the command words.
  std::vector<std::string> pre;
  size_t i = 0;
  for (; i < args.size() && args[i].rfind("-", 0) == 0; ++i) {
    const std::string& w = args[i];
    if (IsHelp(w)) {
      PrintMainHelp(*io.out);
      return kExitOk;
    }
    if (w == "--version") {
      *io.out << kVersion << "\n";
      return kExitOk;
    }
    std::string name = w.substr(w.rfind("--", 0) == 0 ? 2 : 1);
    std::string bare = name.substr(0, name.find('='));
    const FlagDef* f = FindFlag(GlobalFlags(), bare);
    if (f == nullptr) {
      return Usage(io, "unknown flag " + w + " before the command (only --profile, --node, --chain-id, --ca, --home, "
                       "--json go there)", hint, json);
    }
    pre.push_back(w);
    if (!f->value.empty() && name.find('=') == std::string::npos) {
      if (i + 1 >= args.size()) return Usage(io, "flag --" + bare + " needs a value", hint, json);
      pre.push_back(args[++i]);
    }
  }
  if (i >= args.size()) {
    PrintMainHelp(*io.err);
    return kExitUsage;
  }
  std::string word = CanonicalGroup(args[i++]);
  if (word == "version") {
    *io.out << kVersion << "\n";
    return kExitOk;
  }
  bool help_request = false;
  if (word == "help") {
    if (i >= args.size()) {
      PrintMainHelp(*io.out);
      return kExitOk;
    }
    help_request = true;
    word = CanonicalGroup(args[i++]);
  }

  std::vector<std::string> group_words, top_words;
  for (const auto& c : Commands()) {
    if (c.group.empty()) {
      top_words.push_back(c.name);
    } else if (std::find(group_words.begin(), group_words.end(), c.group) == group_words.end()) {
      group_words.push_back(c.group);
    }
  }
  const Command* cmd = nullptr;
  if (std::find(group_words.begin(), group_words.end(), word) != group_words.end()) {
    if (i >= args.size() || IsHelp(args[i])) {
      const bool asked = help_request || (i < args.size() && IsHelp(args[i]));
      PrintGroupHelp(asked ? *io.out : *io.err, word);
      return asked ? kExitOk : kExitUsage;
    }
    const std::string sub = args[i++];
    std::vector<std::string> subs;
    for (const auto& c : Commands()) {
      if (c.group != word) continue;
      subs.push_back(c.name);
      if (c.name == sub) cmd = &c;
    }
    if (cmd == nullptr) {
      return Usage(io, "unknown command '" + word + " " + sub + "'" + Suggest(sub, subs),
                   "Run `pledger-wallet " + word + " --help` for its commands.", json);
    }
  } else {
    for (const auto& c : Commands()) {
      if (c.group.empty() && c.name == word) cmd = &c;
    }
    if (cmd == nullptr) {
      std::vector<std::string> all = group_words;
      all.insert(all.end(), top_words.begin(), top_words.end());
      return Usage(io, "unknown command '" + word + "'" + Suggest(word, all), hint, json);
    }
  }

  std::vector<std::string> rest = pre;
  rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  for (const auto& w : rest) {
    if (w == "--") break;
    if (IsHelp(w)) help_request = true;
  }
  if (help_request) {
    PrintCommandHelp(*io.out, *cmd);
    return kExitOk;
  }

  // The command's own flags win over global and transaction flags of the same name.
  std::vector<FlagDef> defs = cmd->flags;
  auto add = [&](const std::vector<FlagDef>& more) {
    for (const auto& f : more) {
      if (FindFlag(defs, f.name) == nullptr) defs.push_back(f);
    }
  };
  add(GlobalFlags());
  if (cmd->kind == CommandKind::kTx) add(TxFlags());
  if (cmd->kind == CommandKind::kQuery) add(ReadFlags());
  std::vector<FlagSpec> specs;
  for (const auto& f : defs) specs.emplace_back(f.name.c_str(), !f.value.empty(), f.repeated);
  auto parsed = Args::Parse(rest, specs);
  if (!parsed.ok()) {
    return Usage(io, std::string(parsed.status().message()),
                 "Run `pledger-wallet " + cmd->Words() + " --help` for its flags.", json);
  }
  if (cmd->operands.empty() && !parsed->positional().empty()) {
    return Usage(io, "unexpected argument '" + parsed->positional()[0] + "'",
                 "Run `pledger-wallet " + cmd->Words() + " --help`.", json);
  }
  Context ctx(io, *cmd, std::move(*parsed));
  if (cmd->kind == CommandKind::kTx) return RunTxCommand(ctx);
  return cmd->run(ctx);
}

}  // namespace pledger::tools::wallet
