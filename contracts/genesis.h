// Genesis: the chain's initial state, from a JSON file that pledger-admin
// generates (protobuf JSON mapping of contracts.Genesis; docs/contracts.md
// "Genesis" has the shape and an example).
//
// Pure functions, thread-safe.
#ifndef PLEDGER_CONTRACTS_GENESIS_H_
#define PLEDGER_CONTRACTS_GENESIS_H_

#include <string>
#include <string_view>

#include "consensus/status.h"
#include "contracts/proto/state.pb.h"
#include "ledger/state_store.h"

namespace pledger::contracts {

// Parses and validates a genesis file. Strict: unknown fields are errors, and
// every error message names the offending field (e.g. "accounts[3].org_id").
// Reasons: GENESIS_JSON_INVALID, GENESIS_INVALID.
Result<Genesis> ParseGenesis(std::string_view json_bytes);

// Validation alone (ParseGenesis runs it). Reason: GENESIS_INVALID.
Status ValidateGenesis(const Genesis& g);

// The initial state: chain id, parameters, organisations (and the IP-office
// index), accounts and validators. Validates first.
Result<ledger::WriteSet> GenesisState(const Genesis& g);

// Canonical JSON of a genesis message (what pledger-admin should write).
std::string GenesisToJson(const Genesis& g);

// Parameter defaults for new chains, with the values of the domain rules
// (R20 grace 6 months / 5 % per month, R24 3 months, R33 10M yuan / 3 / 2 banks).
Params DefaultParams();

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_GENESIS_H_
