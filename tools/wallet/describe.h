// What a transaction does, derived from the signed body alone, and whether the
// signatures it carries satisfy the parties contracts::RequiredSigners names
// (contracts/signers.h: the one rule of who signs; the wallet supplies a
// LedgerLookup over its node, cli.h). Used by `inspect`, `sign`, drafts
// written with --out, and the check before submitting that every required
// party signed. The engine remains the authority: this is advice that
// prevents a wasted submission, never a substitute for its checks.
//
// Pure functions over their inputs; thread-safe.
#ifndef PLEDGER_TOOLS_WALLET_DESCRIBE_H_
#define PLEDGER_TOOLS_WALLET_DESCRIBE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "contracts/action_name.h"
#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "contracts/signers.h"
#include "ledger/proto/ledger.pb.h"

namespace pledger::tools::wallet {

struct Description {
  std::string title;  // one line: "Register a pledge of 1 patent to bank qtbank"
  std::vector<std::pair<std::string, std::string>> fields;  // label, value
  // Title, then "  Label: value" lines.
  std::vector<std::string> Lines() const;
};

// Plain words for an action's kind, from contracts::ActionName
// ("pledge_register" -> "pledge register").
std::string ActionWords(const std::string& action_name);

Description Describe(const contracts::Action& action);

// Text from a transaction made safe to show a signer: control characters and
// the Unicode bidirectional overrides (which can make a terminal display text
// in another order than it is signed) become visible escapes (\x1b, \u202e).
std::string Printable(std::string_view text);

// Friendly forms of enum values: "PATENT_EVENT_FEE_PAID" -> "fee paid".
std::string Friendly(const std::string& enum_name, const std::string& prefix);
std::string RoleWord(contracts::Role role);

// A signature's key and, when a node could be asked, its account.
struct SignerInfo {
  std::string public_key_hex;
  bool resolved = false;                     // the node was asked
  std::optional<contracts::Account> account; // nullopt when resolved: not an account
};

enum class PartyState { kSigned, kMissing, kUnknown };
const char* PartyStateName(PartyState s);  // SIGNED, MISSING, UNKNOWN

// Whether `signers` satisfy `party`; `by` receives the keys that do.
PartyState EvaluateParty(const contracts::Party& party, const std::vector<SignerInfo>& signers,
                         std::vector<std::string>* by);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_DESCRIBE_H_
