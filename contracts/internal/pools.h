// Patent pools and securitisation tranches (issue 8), internal: the action
// handlers the engine dispatches to, and the loaders they share.
// docs/contracts.md "Pools and tranches" is the user-facing contract.
#ifndef PLEDGER_CONTRACTS_INTERNAL_POOLS_H_
#define PLEDGER_CONTRACTS_INTERNAL_POOLS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "contracts/internal/context.h"
#include "contracts/waterfall.h"

namespace pledger::contracts::internal {

// Limits. Each bounds what one pool makes a single transaction read or write.
inline constexpr size_t kMaxPoolMembers = 512;         // member records per pool, removed ones included
inline constexpr size_t kMaxPoolItemsPerAction = 64;   // patents, pledges or collections in one action
inline constexpr size_t kMaxFeeLines = 8;
inline constexpr size_t kMaxTranches = 9;              // ranks are one digit: key order = rank order
inline constexpr size_t kMinTranches = 2;              // at least a senior and the subordinated tranche
inline constexpr size_t kMaxScheduleSteps = 120;       // ten years of monthly amortisation
inline constexpr size_t kMaxHoldersPerTranche = 200;   // a payment date pays each of them
inline constexpr size_t kMaxFeeNameBytes = 64;
inline constexpr size_t kMaxRatingBytes = 16;
// Chinese ABS units have a face value of 100 yuan; principal is issued in whole units.
inline constexpr std::int64_t kUnitFaceFen = 10'000;
// Coupons and fee rates: at most 100 % a year, far above any real deal.
inline constexpr std::uint32_t kMaxRateBps = 10'000;
inline constexpr std::int32_t kMaxLifeMarginDays = 36'600;

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
