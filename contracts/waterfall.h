// The payment-date waterfall of a securitisation pool (RULES.md section H;
// docs/contracts.md "Waterfall"). One pure function, used by the PoolPay
// action and by the payment preview query, so what a trustee previews is
// exactly what the ledger executes.
//
// Order in normal mode:   H1 fees, H2 senior interest, H2 mezzanine interest,
//                         H3 senior principal (scheduled), H5 shortfall provider,
//                         H4 mezzanine principal (scheduled), H6 reserve and residual.
// Order after a trigger:  H1 fees, H2 senior interest, H3 senior principal (all cash),
//                         H5 shortfall provider, H2 mezzanine interest,
//                         H4 mezzanine principal (all cash), H6 residual (no reserve).
// Principal is sequential in both: a tranche receives principal only once every
// higher rank is paid off. Interest is ACT/365 fixed on integer days, rounded
// down to the fen; holders are paid pro rata to units, rounding by largest
// remainder (H7).
//
// Determinism: integer arithmetic only (a 128-bit intermediate for products),
// vectors in rank / org-id order, no clock. Pure and thread-safe.
#ifndef PLEDGER_CONTRACTS_WATERFALL_H_
#define PLEDGER_CONTRACTS_WATERFALL_H_

#include <cstdint>
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/state.pb.h"

namespace pledger::contracts {

// Everything a payment date reads and changes.
struct DealState {
  Pool pool;
  std::vector<Tranche> tranches;              // by rank (most senior first); the last is SUBORDINATED
  std::vector<std::vector<Holding>> holdings;  // holdings[i]: tranche i's holders, by investor org id
};

// Interest or fee accrual: floor(base * rate_bps * days / (10000 * 365)).
// Requires base, rate_bps, days >= 0. Reason POOL_AMOUNT_OVERFLOW if the result
// does not fit int64.
Result<std::int64_t> AccrueAct365(std::int64_t base_fen, std::int64_t rate_bps, std::int64_t days);

// Splits `amount` over holders pro rata to `units` (which sum to a positive
// total): everyone gets floor(amount * units / total), then the fen left over
// go one each to the largest remainders, ties to the earlier holder (org-id
// order). Sums to `amount` exactly; nobody gets more than one fen above the
// exact share.
std::vector<std::int64_t> ProRata(std::int64_t amount, const std::vector<std::int64_t>& units);

// The principal a senior or mezzanine tranche is scheduled to have received by
// `date` and has not: min(outstanding, max(0, scheduled through date - paid)).
// On or after the legal maturity everything outstanding is due.
std::int64_t ScheduledPrincipalDue(const Tranche& t, std::int32_t date, std::int32_t legal_maturity);

// Runs the waterfall of `deal` for `payment_date` (> pool.last_payment_date)
// and leaves `deal` as it stands afterwards (pool cash, arrears, guarantor
// total, tranche balances and totals, holders' totals). The shortfall provider
// is called only if `allow_draw` and the pool has one; the returned statement
// says how much was needed and drawn. The caller checks who signed.
//
// Errors: POOL_PAYMENT_DATE_INVALID (date not after the last one),
// POOL_AMOUNT_OVERFLOW (an amount would not fit int64), and Internal
// WATERFALL_INCONSISTENT if the deal's records disagree with each other
// (holdings not adding up to the units issued): a damaged state, not a rule.
Result<PoolStatement> RunWaterfall(DealState* deal, std::int32_t payment_date, bool allow_draw);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_WATERFALL_H_
