// The transaction commands' shared pieces (internal to tools/wallet): flag
// readers that turn a flag in the users' terms into a value with the checks
// that can be made before signing, the helpers that build a command row, and
// one registration function per domain. The builders themselves live by
// domain: actions_patents.cc, actions_pledges.cc, actions_governance.cc and
// actions_pools.cc; AddTxCommands (actions.cc) lists them in help order.
//
// A reader or builder fails with a USAGE status naming the flag at fault.
// Context is per invocation; nothing here is shared between threads.
#ifndef PLEDGER_TOOLS_WALLET_ACTIONS_H_
#define PLEDGER_TOOLS_WALLET_ACTIONS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "contracts/limits.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet::actions {

using contracts::Action;

// The limits the engine enforces (contracts/limits.h), checked before signing.
using contracts::kMaxExpiryWindowLimit;
using contracts::kMaxFeeLines;
using contracts::kMaxFeeNameBytes;
using contracts::kMaxFeeSurchargeBps;
using contracts::kMaxHoldersPerTranche;
using contracts::kMaxHolidays;
using contracts::kMaxIdBytes;
using contracts::kMaxLifeDays;
using contracts::kMaxNameBytes;
using contracts::kMaxOwners;
using contracts::kMaxParamsMonths;
using contracts::kMaxPatentsPerAction;
using contracts::kMaxPledgeRateBps;
using contracts::kMaxPoolItemsPerAction;
using contracts::kMaxPoolMembers;
using contracts::kMaxPoolRateBps;
using contracts::kMaxRatingBytes;
using contracts::kMaxRolesPerAccount;
using contracts::kMaxTlsRootBytes;
using contracts::kMaxTlsRoots;
using contracts::kMaxScheduleSteps;
using contracts::kMaxTermExtensionDays;
using contracts::kMaxTextBytes;
using contracts::kMaxTrancheRank;
using contracts::kMaxUnits;
using contracts::kOwnerSharesTotalBps;
using contracts::kUnitFaceFen;

// ---- flag readers ---------------------------------------------------------------

Result<std::string> Required(Context& c, const std::string& flag);
// At most `max` bytes; "" when absent or empty and not required.
Result<std::string> Text(Context& c, const std::string& flag, size_t max, bool required);
// One patent number (required), and 1 to kMaxPatentsPerAction distinct ones.
Result<std::string> Patent(Context& c, const std::string& flag);
Result<std::vector<std::string>> Patents(Context& c, const std::string& flag);
// An organisation id; "" when absent and not required.
Result<std::string> Org(Context& c, const std::string& flag, bool required);
// A required date, and an optional one (0 when absent).
Result<std::int32_t> Date(Context& c, const std::string& flag);
Result<std::int32_t> OptDate(Context& c, const std::string& flag);
// An amount in fen; 0 when absent and not required.
Result<std::int64_t> Yuan(Context& c, const std::string& flag, bool required, bool allow_zero);
// A pledge, valuation or pool id (required).
Result<std::string> Object(Context& c, const std::string& flag);
// A document given as --NAME-hash HEX or --NAME FILE (the wallet hashes it);
// "" when neither is given and it is not required.
Result<std::string> DocHash(Context& c, const std::string& name, bool required);
// ORG or ORG:SHARE (percent or bps). One owner without a share owns 100 %.
Status Owners(Context& c, const std::string& flag, google::protobuf::RepeatedPtrField<contracts::Owner>* out);

template <typename E>
Result<E> ChoiceFlag(Context& c, const std::string& flag, const std::vector<Choice<E>>& choices, bool required,
                     E def) {
  auto v = c.args().Get(flag);
  if (!v) {
    if (required) {
      std::string names;
      for (const auto& ch : choices) names += (names.empty() ? "" : ", ") + std::string(ch.name);
      return UsageError("missing required flag --" + flag + " (one of: " + names + ")");
    }
    return def;
  }
  return ParseChoice(flag, *v, choices);
}

// `day` is today or later / today or earlier.
Status NotPast(const std::string& flag, std::int32_t day, std::int32_t today);
Status NotFuture(const std::string& flag, std::int32_t day, std::int32_t today);

// ---- command rows -----------------------------------------------------------------

// A flag with a value, a repeatable one, a switch, and a document given by
// hash (--NAME-hash) or by file (--NAME).
FlagDef F(std::string name, std::string value, std::string help, bool required = false);
FlagDef Many(std::string name, std::string value, std::string help, bool required = false);
FlagDef Switch(std::string name, std::string help);
FlagDef Doc(const std::string& name, const std::string& what, bool required);
FlagDef DocFile(const std::string& name, const std::string& what);

// A transaction command: its words, help and the builder of its action.
Command Tx(std::string group, std::string name, std::string summary, std::string details,
           std::vector<FlagDef> flags, std::vector<std::string> examples,
           std::function<Result<Action>(Context&)> build);

// The rows of each domain, appended in help order.
void AddPatentCommands(std::vector<Command>* out);      // actions_patents.cc
void AddPledgeCommands(std::vector<Command>* out);      // actions_pledges.cc (with valuations)
void AddGovernanceCommands(std::vector<Command>* out);  // actions_governance.cc (with bank policy)
void AddPoolCommands(std::vector<Command>* out);        // actions_pools.cc (with tranches)

}  // namespace pledger::tools::wallet::actions

#endif  // PLEDGER_TOOLS_WALLET_ACTIONS_H_
