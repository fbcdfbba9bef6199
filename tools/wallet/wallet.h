// pledger-wallet as a library: RunWallet runs one command line in-process with
// the given I/O, so tests drive every command without a subprocess, and the
// program (wallet_main.cc) is a thin shell around it. docs/wallet.md is the
// user's reference.
//
// Exit codes (kExit*): 0 success; 2 usage error or local validation failure
// (the message names the flag); 3 node unreachable; 4 transaction rejected
// (refused at admission or committed with a non-OK receipt); 5 the node
// refused the reader (401 AUTH_*, 403 READ_FORBIDDEN, 503 AUTH_BUSY); 1
// anything else.
//
// Secrets: no passphrase, seed or token is ever written to `out`/`err` or
// put in an error message (see secret.h, keystore.h, signin.h); the one
// exception is the token `login --print-token` is asked to print.
//
// Thread safety: RunWallet keeps its state on the stack; concurrent calls
// with distinct WalletIo values are safe except for terminal prompts
// (PromptOnTty), which must not run in two threads at once.
#ifndef PLEDGER_TOOLS_WALLET_WALLET_H_
#define PLEDGER_TOOLS_WALLET_WALLET_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "tools/wallet/keystore.h"
#include "tools/wallet/node_client.h"
#include "tools/wallet/secret.h"

namespace pledger::tools::wallet {

inline constexpr int kExitOk = 0;
inline constexpr int kExitOther = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitRejected = 4;
inline constexpr int kExitDenied = 5;

// Everything a command touches outside its arguments.
struct WalletIo {
  std::ostream* out = nullptr;  // results (tables or --json)
  std::ostream* err = nullptr;  // errors, notes and progress
  // Environment variables (PLEDGER_HOME, PLEDGER_PROFILE, --passphrase-env).
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  // The no-echo passphrase prompt; unset: no terminal.
  std::function<Result<Secret>(const std::string& prompt)> prompt;
  // Opens a transport to a node (https needs the CA file), sending the
  // endpoint's credentials with every request.
  std::function<Result<std::unique_ptr<NodeTransport>>(const NodeEndpoint& endpoint)> connect;
  // Unix milliseconds, for the expiry of saved sign-ins; unset: the system
  // clock (the one request signatures and the nodes' token expiries use; a
  // test clock moves only the ledger's dates).
  std::function<std::uint64_t()> now_ms;
  // Fresh transaction nonces (random in production, fixed in tests).
  std::function<std::uint64_t()> nonce;
  std::optional<std::int32_t> today;  // pinned "today" (days since 1970, CST); unset: the clock
  std::optional<KdfLimits> kdf;       // key-derivation cost for new key files; unset: the default
  bool interactive = false;           // a person at a terminal: show what is signed before prompting
};

// The real process environment: std::cout/std::cerr, getenv, /dev/tty
// prompts, HTTP(S) connections, libsodium random nonces, the clock.
WalletIo ProcessIo();

// Runs one command line (without the program name). Returns the exit code.
int RunWallet(const std::vector<std::string>& args, WalletIo& io);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_WALLET_H_
