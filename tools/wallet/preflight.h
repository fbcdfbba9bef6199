// Pre-flight (docs/wallet.md "Pre-flight"): before a transaction is drafted,
// signed or submitted, the wallet asks the node what receipt it would get now
// (POST /v1/txs/simulate), prints the refusal grounds with the wallet flag
// that fixes each, and stops before anyone signs or sends a transaction the
// ledger would refuse (--force goes on). A local check of the body (patent
// numbers, R25) runs with or without a node.
//
// Not thread-safe (uses the command's Context).
#ifndef PLEDGER_TOOLS_WALLET_PREFLIGHT_H_
#define PLEDGER_TOOLS_WALLET_PREFLIGHT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/proto/actions.pb.h"
#include "ledger/proto/ledger.pb.h"
#include "tools/wallet/cli.h"

namespace pledger::tools::wallet {

// What fixes a refusal code, in the wallet's terms: a flag of the command
// that drafts the transaction, or a step. The one table of these is in
// preflight.cc.
struct Remedy {
  std::string_view code;   // the ledger's result code
  std::string_view flag;   // "--caution-ack", or "" when the fix is not a flag
  std::string_view words;  // what to do
};
// The remedy of `code`; nullptr if the table has none.
const Remedy* RemedyFor(std::string_view code);
// `text` with the contracts' protobuf field names replaced by the wallet's
// flags ("set caution_ack" -> "give --caution-ack").
std::string InWalletTerms(std::string text);
// The code at the start of a receipt's ground ("PLEDGE_LTV_EXCEEDED (R29): …").
std::string GroundCode(std::string_view ground);

enum class PreflightStage { kDraft, kSign, kSubmit, kDryRun };

// Runs the pre-flight of `tx` for `stage` and prints its findings (standard
// error; --json: nothing unless it stops). Returns nullopt to go on, or the
// exit code after reporting why it stopped: the ledger's code (exit 4) when
// the simulation refuses the transaction, NODE_UNREACHABLE (3) when the
// configured node does not answer; neither with --force, which says it goes
// on anyway. No node configured, a node without the route, or a reader the
// node does not answer: a note, and it goes on. `file` names the draft, if any.
std::optional<int> Preflight(Context& c, const ledger::Transaction& tx, const ledger::TxBody& body,
                             PreflightStage stage, const std::string& file = "");

// Problems of the body that need no node: every patent number in the action
// checked as R25 does (shape, type digit, check character). One line each.
std::vector<std::string> LocalBodyProblems(const contracts::Action& action);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_PREFLIGHT_H_
