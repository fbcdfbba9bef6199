// State keys of patent pools and securitisation tranches
// (docs/contracts.md "State key layout"). Kept apart from state_keys.h so the
// pool family is one reviewable unit; the conventions are the same: printable
// ASCII, ids without '/', zero-padded order keys.
//
// Records with a version history (contracts/history.cc versions every key
// starting "pool/", "tranche/" or "holding/") live under those prefixes;
// indexes live under "ix/" and are not versioned.
//
// Pure functions, thread-safe.
#ifndef PLEDGER_CONTRACTS_POOL_KEYS_H_
#define PLEDGER_CONTRACTS_POOL_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "contracts/state_keys.h"

namespace pledger::contracts::keys {

// "pool/<id>" -> Pool. The pool's members and statements sort right after it.
inline std::string Pool(std::string_view id) { return Cat("pool/", id); }
// "pool/<id>/member/<patent no or pledge id>" -> PoolMember.
inline std::string PoolMemberPrefix(std::string_view pool) { return Cat(Pool(pool), "/member/"); }
inline std::string PoolMember(std::string_view pool, std::string_view ref) {
  return Cat(PoolMemberPrefix(pool), ref);
}
// "pool/<id>/statement/<YYYY-MM-DD>" -> PoolStatement. The date text sorts in
// date order for every year the contracts accept (1950..2200).
inline std::string PoolStatementPrefix(std::string_view pool) { return Cat(Pool(pool), "/statement/"); }
inline std::string PoolStatement(std::string_view pool, std::string_view yyyy_mm_dd) {
  return Cat(PoolStatementPrefix(pool), yyyy_mm_dd);
}

// "tranche/<pool>/<rank>" -> Tranche. Ranks are one digit (1..9), so byte
// order is rank order; the same string is the history entity of the tranche.
inline std::string TranchePrefix(std::string_view pool) { return "tranche/" + std::string(pool) + "/"; }
inline std::string Tranche(std::string_view pool, std::uint32_t rank) {
  return TranchePrefix(pool) + std::to_string(rank);
}

// "holding/<pool>/<rank>/<investor org>" -> Holding: a tranche's holders in
// org-id order, which is the order holders are paid in.
inline std::string HoldingPrefix(std::string_view pool, std::uint32_t rank) {
  return "holding/" + std::string(pool) + "/" + std::to_string(rank) + "/";
}
inline std::string Holding(std::string_view pool, std::uint32_t rank, std::string_view org) {
  return Cat(HoldingPrefix(pool, rank), org);
}

// "ix/investor/<org>/<pool>/<rank>" -> "1": the holdings of an investor.
inline std::string InvestorHoldingPrefix(std::string_view org) { return "ix/investor/" + std::string(org) + "/"; }
inline std::string InvestorHolding(std::string_view org, std::string_view pool, std::uint32_t rank) {
  return InvestorHoldingPrefix(org) + std::string(pool) + "/" + std::to_string(rank);
}

// "ix/trustee-pool/<org>/<order>" -> pool id: a trustee's pools in creation order.
inline std::string TrusteePoolPrefix(std::string_view org) { return "ix/trustee-pool/" + std::string(org) + "/"; }
// "ix/guarantor-pool/<org>/<order>" -> pool id: the pools a guarantor backs (H5).
inline std::string GuarantorPoolPrefix(std::string_view org) { return "ix/guarantor-pool/" + std::string(org) + "/"; }

}  // namespace pledger::contracts::keys

#endif  // PLEDGER_CONTRACTS_POOL_KEYS_H_
