#include "tools/wallet/signin.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "contracts/dates.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"

namespace pledger::tools::wallet {
namespace {

// A saved sign-in is a few hundred bytes; anything much larger is not one.
constexpr size_t kMaxTokenFileBytes = 64 << 10;

}  // namespace

Result<std::optional<SavedToken>> TokenStore::Load(const std::string& profile) const {
  const std::string path = PathFor(profile);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<SavedToken>();
    return Status::IOError("FILE_IO", "cannot read " + path + ": " + std::strerror(errno));
  }
  // Readable by others means the token may already have been copied: using
  // it quietly would hide that.
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 0777));
    return Status::PermissionDenied("TOKEN_FILE_PERMISSIONS",
                                    path + " (a saved sign-in) has mode " + std::string(mode) +
                                        ": other users may have copied the token in it. Run `pledger-wallet "
                                        "logout` (which deletes it) and `pledger-wallet login` again");
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string json, io::ReadFile(path, kMaxTokenFileBytes));
  SavedToken t;
  Status s = io::ParseJson(json, &t, path);
  if (!s.ok() || t.version() != 1 || t.token().empty()) {
    return Status::InvalidArgument("TOKEN_FILE_CORRUPT", path + " is not a saved sign-in this wallet can read; run "
                                                                "`pledger-wallet logout` and `pledger-wallet login` again");
  }
  return std::optional<SavedToken>(std::move(t));
}

Status TokenStore::Save(const SavedToken& token) const {
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(dir(), 0700));
  return io::WriteFileAtomic(PathFor(token.profile()), io::ToJson(token), 0600);
}

Result<bool> TokenStore::Remove(const std::string& profile) const {
  const std::string path = PathFor(profile);
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return Status::IOError("FILE_IO", "cannot delete " + path + ": " + std::strerror(errno));
}

std::string WhyNotUsable(const SavedToken& token, const std::string& chain_id, const std::string& account_hex,
                         std::uint64_t now_ms) {
  if (!chain_id.empty() && token.chain_id() != chain_id) {
    return "it is for chain '" + token.chain_id() + "', not '" + chain_id + "'";
  }
  if (token.account() != account_hex) return "it is for another key than the profile's";
  if (token.expires_ms() <= now_ms + kTokenExpiryMarginMs) {
    return "it expired at " + FormatTimeCst(token.expires_ms());
  }
  return "";
}

std::string FormatTimeCst(std::uint64_t ms) {
  if (ms == 0) return "-";
  const std::uint64_t local = ms + contracts::kChinaOffsetMs;
  const auto day = static_cast<std::int32_t>(local / contracts::kMsPerDay);
  const std::uint64_t secs = (local % contracts::kMsPerDay) / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, " %02u:%02u:%02u CST", static_cast<unsigned>(secs / 3600),
                static_cast<unsigned>(secs / 60 % 60), static_cast<unsigned>(secs % 60));
  return contracts::FormatDate(day) + buf;
}

}  // namespace pledger::tools::wallet
