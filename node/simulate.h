// Pre-flight: the receipt a transaction would get if it entered the next
// block now (POST /v1/txs/simulate, docs/api.md "Pre-flight").
//
// One execution of the contracts' engine over a read snapshot of committed
// state, as the block after the last applied one, at the node's view of the
// next block's time. Nothing is written, nothing admitted: the engine never
// writes to the state it reads, and the outcome's write set is dropped.
//
// Signatures. A transaction may be simulated before every party signed. Each
// signature present is verified on its own; the valid ones count as signers.
// For every party the action needs (contracts::RequiredSigners, from the same
// snapshot) that no valid signature satisfies, an active account of the
// state that would satisfy it stands in, so the execution shows the grounds a
// fully signed transaction would meet; the answer lists those parties as
// `missing` and says `signatures_checked: false`. An invalid signature is
// left out and named (`invalid_signatures`): submitted as it is, the node
// would refuse the transaction (SIGNATURE_INVALID). A party no active account
// can satisfy is left missing and the execution shows its refusal.
//
// Thread safety: pure over its arguments; reads `state` only.
#ifndef PLEDGER_NODE_SIMULATE_H_
#define PLEDGER_NODE_SIMULATE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/status.h"
#include "contracts/proto/query.pb.h"
#include "contracts/signers.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/state_store.h"

namespace pledger::node {

struct SimulationPoint {
  std::string chain_id;
  std::uint64_t state_height = 0;     // the last applied block: `state` is the state after it
  std::uint64_t last_time_ms = 0;     // that block's ledger time (decides patents' effective status)
  std::uint64_t next_time_ms = 0;     // the time the simulated block gets (> last_time_ms)
};

// ledger::DecodeTransaction, except that a transaction without any
// signature decodes too (the only check that depends on there being one:
// the others it makes before are the same).
Result<ledger::Transaction> DecodeForSimulation(std::string_view raw);

// The decoded transaction `raw` (protobuf bytes of ledger.Transaction).
// Reasons: the decoders' (TX_MALFORMED, TX_BODY_NOT_CANONICAL, ...) for
// bytes that do not decode; a state read failure (the engine's fatal
// status, 500). A transaction the contracts refuse is an OK result with a
// non-OK `code`.
Result<api::SimulateView> SimulateTransaction(const ledger::StateReader& state, const SimulationPoint& at,
                                              std::string_view raw);

// Whether the account (org, roles, key) could satisfy one of the parties
// `action` needs, as RequiredSigners names them over `state`: the simulation
// route answers only such parties and full readers (docs/api.md).
Result<bool> IsRequiredParty(const ledger::StateReader& state, std::uint64_t as_of_ms, const contracts::Action& action,
                             std::string_view org_id, const std::vector<contracts::Role>& roles,
                             std::string_view key_hex);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_SIMULATE_H_
