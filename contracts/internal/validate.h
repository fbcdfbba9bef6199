// Field validation shared by the handlers (internal). The limits themselves
// are public, in contracts/limits.h, so clients check the same numbers.
#ifndef PLEDGER_CONTRACTS_INTERNAL_VALIDATE_H_
#define PLEDGER_CONTRACTS_INTERNAL_VALIDATE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "contracts/dates.h"
#include "contracts/limits.h"
#include "contracts/proto/state.pb.h"

namespace pledger::contracts::internal {

// Organisation and node ids: [a-z0-9._-]{1,64}.
inline bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
  });
}

// 64 lower-case hex characters: public keys and document hashes.
inline bool ValidHex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
}

// Ledger-made object ids: 32 lower-case hex characters.
inline bool ValidObjectId(std::string_view s) {
  if (s.size() != 32) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
}

inline bool ValidText(std::string_view s, size_t max = kMaxTextBytes) {
  return !s.empty() && s.size() <= max;
}

inline bool ValidDate(std::int32_t d) { return d >= kMinDate && d <= kMaxDate; }

// What a refusal tells the user to type: the wallet flag and, in brackets, the
// API (protobuf JSON) field that carries it, e.g. Input("caution-ack",
// "caution_ack") = "--caution-ack (API field caution_ack)". Messages name
// what fixes them, not only the protobuf field (docs/contracts.md "Messages").
inline std::string Input(std::string_view flag, std::string_view field) {
  return "--" + std::string(flag) + " (API field " + std::string(field) + ")";
}

// Short printable form of untrusted text for messages.
inline std::string Quote(std::string_view s) {
  std::string out = "'";
  out.append(s.substr(0, 64));
  if (s.size() > 64) out.append("…");
  out.append("'");
  return out;
}

inline std::string RoleName(Role r) {
  const std::string& n = Role_Name(r);
  return n.empty() ? std::to_string(static_cast<int>(r)) : n;
}

inline bool HasRole(const Account& a, Role r) {
  return std::find(a.roles().begin(), a.roles().end(), r) != a.roles().end();
}

// Statuses in which a granted patent is in force (R26).
inline bool InForceStatus(PatentStatus s) {
  return s == PATENT_VALID || s == PATENT_FEE_GRACE || s == PATENT_PARTIALLY_INVALID ||
         s == PATENT_RESTORED;
}

// The register status as of `today`: EXPIRED once the term is over even if the
// IP office has not recorded it yet (R19).
inline PatentStatus EffectiveStatus(const Patent& p, std::int32_t today) {
  if (p.expiry_date() > 0 && today > p.expiry_date() &&
      (InForceStatus(p.status()) || p.status() == PATENT_APPLICATION)) {
    return PATENT_EXPIRED;
  }
  return p.status();
}

inline std::string StatusName(PatentStatus s) { return PatentStatus_Name(s); }

}  // namespace pledger::contracts::internal

#endif  // PLEDGER_CONTRACTS_INTERNAL_VALIDATE_H_
