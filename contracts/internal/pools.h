// Patent pools and securitisation tranches, internal: the action handlers the
// engine dispatches to, and the loaders they share. Their limits are public,
// in contracts/limits.h.
// docs/contracts.md "Pools and tranches" is the user-facing contract.
#ifndef PLEDGER_CONTRACTS_INTERNAL_POOLS_H_
#define PLEDGER_CONTRACTS_INTERNAL_POOLS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "contracts/internal/context.h"
#include "contracts/limits.h"
#include "contracts/waterfall.h"

namespace pledger::contracts::internal {

// POOL_ID_INVALID, POOL_NOT_FOUND. Touches "pool/<id>".
Status LoadPool(TxContext& c, std::string_view id, Pool* pool);
// AUTH_ROLE_MISSING unless a TRUSTEE account of the pool's trustee signed.
Status RequireTrustee(const TxContext& c, const Pool& pool, std::string_view action);
// POOL_CLOSED once wound down.
Status RequireNotWoundDown(const Pool& pool, std::string_view action);
// The pool's tranches by rank and each tranche's holdings by investor org.
// Touches every "tranche/<pool>/<rank>".
Status LoadDeal(TxContext& c, const Pool& pool, DealState* deal);
// Writes a deal back: pool, tranches and holdings (holdings with no units left
// are deleted with their investor index entry).
void StoreDeal(TxContext& c, const DealState& deal);

// Handlers (pools.cc, tranches.cc).
Status ExecPoolCreate(TxContext& c, const PoolCreate& a);
Status ExecPoolAdmitPatents(TxContext& c, const PoolAdmitPatents& a);
Status ExecPoolAdmitPledges(TxContext& c, const PoolAdmitPledges& a);
Status ExecPoolRemove(TxContext& c, const PoolRemove& a);
Status ExecPoolCollect(TxContext& c, const PoolCollect& a);
Status ExecPoolTrigger(TxContext& c, const PoolTrigger& a);
Status ExecPoolWindDown(TxContext& c, const PoolWindDown& a);
Status ExecTrancheIssue(TxContext& c, const TrancheIssue& a);
Status ExecHoldingTransfer(TxContext& c, const HoldingTransfer& a);
Status ExecPoolPay(TxContext& c, const PoolPay& a);

}  // namespace pledger::contracts::internal

#endif  // PLEDGER_CONTRACTS_INTERNAL_POOLS_H_
