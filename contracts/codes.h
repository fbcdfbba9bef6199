// Result codes: the stable names in Receipt.code, each tied to the domain rule
// it enforces (Receipt.rule) and to a Status category. The table in codes.cc
// is the single list; docs/contracts.md documents every entry and a unit test
// checks that the two agree.
//
// A code is never renamed or reused once published: wallets and auditors
// branch on it. Messages are for people and may improve over time.
//
// Thread-safe: the table is immutable.
#ifndef PLEDGER_CONTRACTS_CODES_H_
#define PLEDGER_CONTRACTS_CODES_H_

#include <span>
#include <string>
#include <string_view>

#include "consensus/status.h"

namespace pledger::contracts {

struct CodeInfo {
  std::string_view code;
  std::string_view rule;  // "R7i", "R13" …; "" for codes that enforce no domain rule
  StatusCode category;
};

// Every code the engine can put in a receipt, sorted by code.
std::span<const CodeInfo> AllCodes();
// nullptr if unknown.
const CodeInfo* FindCode(std::string_view code);
// The rule id of a code, "" if none or unknown.
std::string_view RuleOf(std::string_view code);

// A failed check: Status(category of `code`, code, message). An unknown code
// becomes kInternal so a typo shows up in tests instead of on the wire.
Status Fail(std::string_view code, std::string message);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_CODES_H_
