// The wallet's machine-readable errors (docs/wallet.md "Error codes"): every
// failure in --json mode prints {"error": {"code", "message", ...}} with a
// specific, stable code and the exit code it stands for. One table here maps
// statuses to codes; the command code keeps producing ordinary Status values.
//
// Thread safety: pure functions.
#ifndef PLEDGER_TOOLS_WALLET_ERRORS_H_
#define PLEDGER_TOOLS_WALLET_ERRORS_H_

#include <ostream>
#include <string>

#include "consensus/status.h"
#include "tools/proto/wallet.pb.h"

namespace pledger::tools::wallet {

// The wallet's error for `s`: its code (USAGE refined into FLAG_INVALID,
// FLAG_MISSING, FLAG_UNKNOWN, FLAG_CONFLICT, ARGUMENT_MISSING,
// ARGUMENT_UNEXPECTED, COMMAND_UNKNOWN where the message says which, with
// the flag named), message and exit code; any other reason is kept as is.
WalletError ErrorOf(const Status& s);

// Prints `e` as {"error": {...}} (protobuf JSON, proto field names).
void PrintJsonError(std::ostream& out, const WalletError& e);

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_ERRORS_H_
