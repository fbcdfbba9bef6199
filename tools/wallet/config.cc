#include "tools/wallet/config.h"

#include <cctype>

#include "ledger/io/files.h"
#include "ledger/io/json.h"

namespace pledger::tools::wallet {

Result<WalletConfig> ConfigStore::Load() const {
  WalletConfig config;
  if (!io::FileExists(path())) return config;
  PLEDGER_ASSIGN_OR_RETURN(std::string json, io::ReadFile(path(), 1 << 20));
  Status s = io::ParseJson(json, &config, path());
  if (!s.ok()) {
    return Status::InvalidArgument("CONFIG_CORRUPT",
                                   std::string(s.message()) + "; fix or remove " + path());
  }
  return config;
}

Status ConfigStore::Save(const WalletConfig& config) const {
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(home_, 0700));
  return io::WriteFileAtomic(path(), io::ToJson(config), 0600);
}

Status ValidateProfileName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && name[0] != '.';
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    return Status::InvalidArgument("PROFILE_NAME_INVALID",
                                   "profile name '" + name +
                                       "' must be 1-64 characters of A-Z a-z 0-9 . _ - (not starting with '.')");
  }
  return Status::OK();
}

const Profile* FindProfile(const WalletConfig& config, const std::string& name) {
  for (const Profile& p : config.profiles()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

}  // namespace pledger::tools::wallet
