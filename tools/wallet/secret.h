// Passphrases: a wiping string holder and the three places a passphrase may
// come from (docs/wallet.md "Passphrases").
//
//   --passphrase-fd N     one line read from file descriptor N (scripts, agents)
//   --passphrase-env VAR  the value of environment variable VAR
//   (neither)             a prompt on /dev/tty with echo switched off
//
// A passphrase is never printed, logged, put in an error message or written
// anywhere but into Argon2id. Secret wipes its buffer (sodium_memzero) when it
// dies; callers keep it in a Secret for as long as they need it and pass
// `view()` to the key store.
//
// Thread safety: PromptOnTty changes the terminal's echo mode and installs
// signal handlers for its duration; call it from one thread at a time.
#ifndef PLEDGER_TOOLS_WALLET_SECRET_H_
#define PLEDGER_TOOLS_WALLET_SECRET_H_

#include <functional>
#include <optional>
#include <string>

#include "consensus/status.h"

namespace pledger::tools::wallet {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret();

  const std::string& view() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  void Wipe();
  std::string value_;
};

// Longest passphrase accepted from a descriptor or a terminal. Argon2id takes
// any length; the bound only keeps a runaway pipe from filling memory.
inline constexpr size_t kMaxPassphraseBytes = 1024;

// Reads one line (without its "\n" or "\r\n") from `fd`, byte by byte so that
// several passphrases can be read from one descriptor in turn.
// Reasons: PASSPHRASE_UNAVAILABLE (read error, EOF before any byte),
// PASSPHRASE_TOO_LONG.
Result<Secret> ReadPassphraseFromFd(int fd);

// Asks on /dev/tty with echo off. Reasons: PASSPHRASE_UNAVAILABLE (no terminal:
// the message says to use --passphrase-fd or --passphrase-env),
// PASSPHRASE_TOO_LONG. Ctrl-C restores the terminal before the process dies.
Result<Secret> PromptOnTty(const std::string& prompt);

// Where one passphrase comes from, as the flags said.
struct PassphraseSource {
  std::optional<int> fd;
  std::optional<std::string> env_var;
  bool Given() const { return fd.has_value() || env_var.has_value(); }
};

// The injectable parts of the environment a passphrase is read from, so tests
// can run commands in-process.
struct SecretIo {
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  std::function<Result<Secret>(const std::string& prompt)> prompt;  // no-echo prompt
};

// Reads a passphrase from `source`, or prompts (twice when `confirm`, for a
// passphrase that is about to protect something). `flag_prefix` names the
// flags in errors ("passphrase" or "new-passphrase").
// Reasons: PASSPHRASE_UNAVAILABLE, PASSPHRASE_TOO_LONG, PASSPHRASE_EMPTY,
// PASSPHRASE_MISMATCH, USAGE (the named variable is not set).
Result<Secret> ReadPassphrase(const PassphraseSource& source, const std::string& flag_prefix,
                              const std::string& prompt, bool confirm, const SecretIo& io);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_SECRET_H_
