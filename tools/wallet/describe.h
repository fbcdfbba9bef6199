// What a transaction does and who has to sign it, derived from the signed
// body alone (plus, where the contracts decide from ledger state, what a node
// says about that state). Used by `inspect`, `sign`, drafts written with
// --out, and the check before submitting that every required party signed.
//
// The signer rules mirror docs/contracts.md ("Actions", column "Who signs",
// and "Pools and tranches", "Who signs");
// the contracts remain the authority: this is advice that prevents a wasted
// submission, never a substitute for the engine's checks.
//
// Pure functions over their inputs; thread-safe. LedgerLookup implementations
// carry their own thread-safety notes.
#ifndef PLEDGER_TOOLS_WALLET_DESCRIBE_H_
#define PLEDGER_TOOLS_WALLET_DESCRIBE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/proto/ledger.pb.h"

namespace pledger::tools::wallet {

struct Description {
  std::string title;  // one line: "Register a pledge of 1 patent to bank qtbank"
  std::vector<std::pair<std::string, std::string>> fields;  // label, value
  // Title, then "  Label: value" lines.
  std::vector<std::string> Lines() const;
};

// The Action oneof's field name ("pledge_register"), "" if none.
std::string ActionName(const contracts::Action& action);
// Plain words for an action's kind ("pledge register").
std::string ActionWords(const std::string& action_name);

Description Describe(const contracts::Action& action);

// Text from a transaction made safe to show a signer: control characters and
// the Unicode bidirectional overrides (which can make a terminal display text
// in another order than it is signed) become visible escapes (\x1b, \u202e).
std::string Printable(std::string_view text);

// Friendly forms of enum values: "PATENT_EVENT_FEE_PAID" -> "fee paid".
std::string Friendly(const std::string& enum_name, const std::string& prefix);
std::string RoleWord(contracts::Role role);

// How many IP-office organisations the governance quorum counts.
struct IpOfficeCount {
  int count = 0;
  // True when read from the ledger's current organisations; false when only
  // the genesis could be read (a lower bound: organisations are never removed).
  bool exact = true;
};

// Ledger state that decides some signer requirements (assignment, licence,
// waiver, the pledge and pool actions, the governance quorum). Implemented
// over a node, or absent offline.
class LedgerLookup {
 public:
  virtual ~LedgerLookup() = default;
  virtual Result<contracts::PatentView> Patent(const std::string& patent_no) = 0;
  virtual Result<contracts::Pledge> Pledge(const std::string& pledge_id) = 0;
  virtual Result<contracts::PoolView> Pool(const std::string& pool_id) = 0;
  // What PoolPay would do on `payment_date` now (the node's preview query):
  // its guarantor_draw_fen decides whether the guarantor co-signs (H5).
  virtual Result<contracts::PoolStatement> PoolPaymentPreview(const std::string& pool_id, std::int32_t payment_date,
                                                              bool allow_draw) = 0;
  virtual Result<IpOfficeCount> IpOffices() = 0;
};

// One party whose signature the action needs.
struct Party {
  std::string label;                 // "bank qtbank (pledgee)"
  contracts::Role role = contracts::ROLE_UNSPECIFIED;
  std::vector<std::string> orgs;     // any one of these organisations; empty = any
  bool orgs_known = true;            // false: depends on ledger state that could not be read
  int quorum = 0;                    // >0: distinct IP offices needed; -1: a quorum of unknown size
};

struct Requirements {
  std::vector<Party> parties;
  std::vector<std::string> notes;    // e.g. "could not read patent ZL…: node unreachable"
};

// `lookup` may be null (offline): state-dependent parties then have
// orgs_known = false.
Requirements RequiredSigners(const contracts::Action& action, LedgerLookup* lookup);

// A signature's key and, when a node could be asked, its account.
struct SignerInfo {
  std::string public_key_hex;
  bool resolved = false;                     // the node was asked
  std::optional<contracts::Account> account; // nullopt when resolved: not an account
};

enum class PartyState { kSigned, kMissing, kUnknown };
const char* PartyStateName(PartyState s);  // SIGNED, MISSING, UNKNOWN

// Whether `signers` satisfy `party`; `by` receives the keys that do.
PartyState EvaluateParty(const Party& party, const std::vector<SignerInfo>& signers,
                         std::vector<std::string>* by);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_DESCRIBE_H_
