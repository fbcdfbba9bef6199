// The wallet's command table and the per-invocation context handlers use
// (internal to tools/wallet; the public entry point is wallet.h).
//
// Every command is a row in Commands(): its words, flags with help, a summary,
// details and examples (help is generated from the row, so it cannot drift
// from what the parser accepts), and either a handler (key, profile, query and
// file commands) or an action builder (transaction commands, which all share
// one flow in txflow.cc: build, validate, sign, write a draft or submit, wait,
// report).
//
// Context is created per invocation and is not thread-safe.
#ifndef PLEDGER_TOOLS_WALLET_CLI_H_
#define PLEDGER_TOOLS_WALLET_CLI_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/proto/ledger.pb.h"
#include "tools/common/args.h"
#include "tools/proto/wallet.pb.h"
#include "tools/wallet/config.h"
#include "tools/wallet/describe.h"
#include "tools/wallet/keystore.h"
#include "tools/wallet/node_client.h"
#include "tools/wallet/secret.h"
#include "tools/wallet/signin.h"
#include "tools/wallet/wallet.h"

namespace pledger::tools::wallet {

struct FlagDef {
  std::string name;        // without dashes
  std::string value;       // placeholder such as "YUAN"; "" for a switch
  std::string help;
  bool repeated = false;
  bool required = false;   // shown in the synopsis; builders enforce it
};

class Context;

enum class CommandKind { kLocal, kQuery, kTx };

struct Command {
  std::string group;       // "pledge"; "" for a top-level command
  std::string name;        // "register"
  std::string operands;    // positional synopsis, e.g. "FILE" or "NAME"
  std::string summary;     // one line
  std::string details;     // paragraphs: who signs, what is checked
  std::vector<FlagDef> flags;
  std::vector<std::string> examples;
  CommandKind kind = CommandKind::kLocal;
  std::function<int(Context&)> run;                                // kLocal, kQuery
  std::function<Result<contracts::Action>(Context&)> build;        // kTx

  std::string Words() const { return group.empty() ? name : group + " " + name; }
};

const std::vector<Command>& Commands();
// Flags every command takes, the extra flags of transaction commands, and
// those of commands that read from a node as an account (queries, submit).
const std::vector<FlagDef>& GlobalFlags();
const std::vector<FlagDef>& TxFlags();
const std::vector<FlagDef>& ReadFlags();

// The effective settings of this invocation: flags over PLEDGER_PROFILE over
// the config's current profile.
struct Settings {
  std::string profile;
  std::string node_url;
  std::string key;
  std::string chain_id;
  std::string ca_file;
};

class Context {
 public:
  Context(WalletIo& io, const Command& command, Args args);
  ~Context();

  WalletIo& io() { return io_; }
  const Command& command() const { return command_; }
  const Args& args() const { return args_; }
  bool json() const { return args_.Has("json"); }
  std::ostream& out() { return *io_.out; }
  std::ostream& err() { return *io_.err; }
  std::int32_t today() const { return today_; }

  const std::string& home() const { return home_; }
  Keystore& keystore() { return keystore_; }
  ConfigStore config() const { return ConfigStore(home_); }

  Result<Settings> settings();

  // The node of the settings, connected on first use, reading as the
  // settings' account (see Credentials). USAGE when no node URL is
  // configured (the message names --node and `profile add`); transport
  // errors surface on the first request (NODE_UNREACHABLE).
  Result<NodeClient*> node();
  // Who node() reads as, in this order: nobody with --anonymous or without a
  // key (and, after ReadWithoutKey, unless a saved sign-in applies); the
  // profile's saved sign-in (signin.h) when it is for this chain and key and
  // not about to expire; else the key itself, unlocked with the command's
  // passphrase source or a prompt, signing every request. Reasons: the
  // passphrase ones (secret.h), TOKEN_FILE_PERMISSIONS, TOKEN_FILE_CORRUPT,
  // USAGE (no chain id to sign for).
  Result<NodeEndpoint> Endpoint();
  // A client for `endpoint` outside node()'s choice of reader (login signs
  // even when a saved sign-in exists). Refuses credentials over plain http to
  // another machine (USAGE naming --node).
  Result<std::unique_ptr<NodeClient>> Connect(const NodeEndpoint& endpoint);
  // For commands that promise not to ask for a passphrase (`key show`,
  // `profile add`): node() reads with a saved sign-in or anonymously.
  void ReadWithoutKey() { read_without_key_ = true; }
  // How node() reads (anonymous until it connected).
  ReaderKind reader() const { return node_ ? node_->reader() : ReaderKind::kAnonymous; }
  // Unix ms (WalletIo::now_ms, else the system clock).
  std::uint64_t NowMs() const;
  TokenStore tokens() const { return TokenStore(home_); }
  // True when a node URL is configured (whether or not it answers).
  bool HasNodeUrl();
  // True once a request to the node failed with NODE_UNREACHABLE, so later
  // optional look-ups skip it instead of waiting again.
  bool node_down() const { return node_down_; }
  // Ledger look-ups for signer requirements: over the node, or nullptr when
  // no node is configured or it did not answer.
  contracts::LedgerLookup* lookup();
  // Records the outcome of a node call; returns `s` unchanged.
  const Status& Observe(const Status& s);

  // The passphrase flags of this command (--passphrase-fd / -env, or with
  // prefix "new-passphrase" the --new-passphrase-* pair).
  PassphraseSource SourceFor(const std::string& prefix) const;
  Result<Secret> ReadSecret(const std::string& prefix, const std::string& prompt, bool confirm);
  // The key named `name`, decrypted with the command's passphrase source
  // (`prompt` replaces the terminal prompt's words). Unlocked once per
  // invocation: reading and signing in one command ask one passphrase.
  Result<std::shared_ptr<const ledger::SecretKey>> UnlockKey(const std::string& name, const std::string& prompt = "");
  KdfLimits kdf() const;

  // Prints the error (and, with --json, {"error": {...}} on stdout) and returns
  // the exit code it stands for.
  int Fail(const Status& s);
  // The same for an error already in the wallet's terms (errors.h): a
  // refusal by the node's pre-flight simulation, a missing signature.
  int Fail(const WalletError& e);
  // A line on stderr for people (never a secret).
  void Note(const std::string& line) { err() << line << "\n"; }

 private:
  class NodeLookup;
  WalletIo& io_;
  const Command& command_;
  Args args_;
  std::int32_t today_;
  std::string home_;
  Keystore keystore_;
  std::optional<Settings> settings_;
  std::unique_ptr<NodeClient> node_;
  std::unique_ptr<NodeLookup> lookup_;
  bool node_down_ = false;
  bool read_without_key_ = false;
  std::map<std::string, std::shared_ptr<const ledger::SecretKey>> unlocked_;
};

// Exit code for an error status: USAGE (and the flag-naming parsers) and
// SIGNATURE_MISSING -> 2,
// NODE_UNREACHABLE -> 3, the node's access refusals -> 5, everything else ->
// 1. Rejections are reported by the transaction flow itself (4).
int ExitCodeFor(const Status& s);

// Transaction flow (txflow.cc).
int RunTxCommand(Context& c);
// Submits a (fully signed) transaction, waits unless --no-wait, prints the
// receipt; returns 0, 3, 4 or 1.
int SubmitAndReport(Context& c, const ledger::Transaction& tx, const ledger::TxBody& body);
// The signatures' keys, each resolved to its account through the node when
// one is configured and answering (SignerInfo::resolved says whether it was).
std::vector<SignerInfo> ResolveSigners(Context& c, const ledger::Transaction& tx);
// The requirements of `body` evaluated against `signers`, as views.
std::vector<RequirementView> EvaluateRequirements(const contracts::Requirements& req,
                                                  const std::vector<SignerInfo>& signers, bool* complete,
                                                  bool* any_missing);

// Help (help.cc).
void PrintMainHelp(std::ostream& o);
void PrintGroupHelp(std::ostream& o, const std::string& group);
void PrintCommandHelp(std::ostream& o, const Command& c);

// Output helpers (output.cc).
std::string RuleTitle(const std::string& rule);
void PrintReceipt(std::ostream& o, const SubmitResult& r);
void PrintTable(std::ostream& o, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);
void PrintFields(std::ostream& o, const std::vector<std::pair<std::string, std::string>>& fields,
                 const std::string& indent = "");
size_t DisplayWidth(const std::string& utf8);
std::string Short(const std::string& hex, size_t keep = 16);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_CLI_H_
