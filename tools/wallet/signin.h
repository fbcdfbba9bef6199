// Saved sign-ins: the bearer tokens `pledger-wallet login` obtains, one per
// profile, in <home>/tokens/<profile>.json (docs/wallet.md "Signing in").
//
// Why a token at all: a key is encrypted at rest, so signing every read
// would ask for its passphrase on every command. A clerk signs in once
// (one passphrase), and for the token's life (15 minutes, set by the nodes)
// every read carries the token instead; any node of the chain accepts it.
//
// A token is a bearer credential: anyone who copies the file reads the ledger
// as the account until the token expires, and nothing can revoke it sooner.
// So the file is created with mode 0600 in a 0700 directory, written
// atomically (never half a token), a file other users could read is refused
// (TOKEN_FILE_PERMISSIONS) rather than used, and no command prints a token
// unless asked to with `login --print-token`.
//
// Errors (reasons): TOKEN_FILE_CORRUPT, TOKEN_FILE_PERMISSIONS, file errors.
// Thread-compatible (no shared state besides the file system).
#ifndef PLEDGER_TOOLS_WALLET_SIGNIN_H_
#define PLEDGER_TOOLS_WALLET_SIGNIN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "consensus/status.h"
#include "tools/proto/wallet.pb.h"

namespace pledger::tools::wallet {

// A token this close to its expiry is not used: a read started now must not
// arrive after it. Longer than any query timeout the wallet sets (15 s).
inline constexpr std::uint64_t kTokenExpiryMarginMs = 30'000;

class TokenStore {
 public:
  explicit TokenStore(std::string home) : home_(std::move(home)) {}

  std::string dir() const { return home_ + "/tokens"; }
  std::string PathFor(const std::string& profile) const { return dir() + "/" + profile + ".json"; }

  // The saved sign-in of `profile`, nullopt if there is none.
  Result<std::optional<SavedToken>> Load(const std::string& profile) const;
  // Saves (replaces) the sign-in of token.profile().
  Status Save(const SavedToken& token) const;
  // Deletes the sign-in of `profile`; true if there was one.
  Result<bool> Remove(const std::string& profile) const;

 private:
  std::string home_;
};

// Why a saved sign-in cannot stand for the reader now, or "" if it can:
// it must be for `chain_id` and for the account of `account_hex` (the
// profile's key), and at least kTokenExpiryMarginMs from its expiry at
// `now_ms`.
std::string WhyNotUsable(const SavedToken& token, const std::string& chain_id, const std::string& account_hex,
                         std::uint64_t now_ms);

// "2026-11-27 10:15:00 CST", for expiries.
std::string FormatTimeCst(std::uint64_t ms);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_SIGNIN_H_
