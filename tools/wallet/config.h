// The wallet's configuration file: profiles (node URL, key, chain id, CA file)
// and which one is current. <home>/config.json, mode 0600, written atomically
// (docs/wallet.md "Profiles").
//
// A missing file is an empty configuration. The file holds no secret (a key
// is named, never included), but 0600 keeps other users from learning which
// node and key a bank uses.
//
// Errors (reasons): CONFIG_CORRUPT, PROFILE_NOT_FOUND, PROFILE_EXISTS,
// PROFILE_NAME_INVALID, and file errors. Thread-compatible.
#ifndef PLEDGER_TOOLS_WALLET_CONFIG_H_
#define PLEDGER_TOOLS_WALLET_CONFIG_H_

#include <string>

#include "consensus/status.h"
#include "tools/proto/wallet.pb.h"

namespace pledger::tools::wallet {

class ConfigStore {
 public:
  explicit ConfigStore(std::string home) : home_(std::move(home)) {}

  std::string path() const { return home_ + "/config.json"; }
  Result<WalletConfig> Load() const;
  Status Save(const WalletConfig& config) const;

 private:
  std::string home_;
};

// Profile names: 1..64 of [A-Za-z0-9._-], not starting with '.'.
Status ValidateProfileName(const std::string& name);

// The profile named `name`, or nullptr.
const Profile* FindProfile(const WalletConfig& config, const std::string& name);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_CONFIG_H_
