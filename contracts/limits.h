// The limits the contracts enforce on what one transaction may carry, in one
// public place so that clients (the wallet) check the same numbers before
// signing instead of copying them. The engine stays the authority: a client
// that checks less only wastes a submission.
//
// Each limit bounds what one transaction can make every node store or loop
// over, or mirrors a rule of the domain. Changing one changes which
// transactions are accepted, so it is a consensus change: every node must run
// the same values (docs/contracts.md lists them with the checks).
//
// Constants only; thread-safe.
#ifndef PLEDGER_CONTRACTS_LIMITS_H_
#define PLEDGER_CONTRACTS_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "contracts/money.h"

namespace pledger::contracts {

// ---- identifiers and text --------------------------------------------------

// Organisation, node and IPC ids, licence numbers: short keys in state.
inline constexpr std::size_t kMaxIdBytes = 64;
// Legal names, debt types, territories: one line of a register entry (R3).
inline constexpr std::size_t kMaxNameBytes = 256;
// Addresses, titles, the scope of a security: a paragraph at most.
inline constexpr std::size_t kMaxTextBytes = 512;

// ---- patents, pledges, accounts ---------------------------------------------

// Co-owners of one patent, and pledgors of one pledge (every owner pledges, R6).
inline constexpr std::size_t kMaxOwners = 16;
// Owner shares add up to exactly this (100 % in basis points, R6).
inline constexpr std::uint32_t kOwnerSharesTotalBps = 10'000;
// Patents in one pledge or valuation: each is read and locked in one transaction.
inline constexpr std::size_t kMaxPatentsPerAction = 64;
// Roles one account may hold; there are fewer kinds of role than this.
inline constexpr std::size_t kMaxRolesPerAccount = 8;

// ---- organisations' TLS trust roots (issue 16) ------------------------------

// Trust roots one organisation vouches for (Organisation.tls_roots): a CA or
// two during a CA rotation, or a few self-signed node certificates. Every
// node checks every peer's chain against them on each handshake.
inline constexpr std::size_t kMaxTlsRoots = 8;
// One DER certificate: a CA certificate is 1-2 KiB; 8 KiB leaves room for
// long names and extensions, and bounds a root set at 64 KiB of state.
inline constexpr std::size_t kMaxTlsRootBytes = 8192;
// Licences in force on one patent at once: a licence filing scans them all (R24).
inline constexpr std::size_t kMaxLicencesPerPatent = 32;
// R19: an invention's term adjustment is at most five years.
inline constexpr std::int32_t kMaxTermExtensionDays = 1827;
// A pledge's interest rate: 1000 % a year, far above any lawful rate, so a
// typo in the units is refused rather than recorded.
inline constexpr std::uint32_t kMaxPledgeRateBps = 100'000;
// Minimum remaining patent life a bank's lending policy may demand (R29), and
// a pool's life margin beyond its legal maturity (R31): a century of days.
inline constexpr std::int32_t kMaxLifeDays = 36'600;

// ---- chain parameters --------------------------------------------------------

// Holidays in the parameters: every fee deadline may roll over them (R20).
inline constexpr std::size_t kMaxHolidays = 2000;
// Upper bound of params.max_expiry_window (blocks a signed transaction stays valid).
inline constexpr std::uint64_t kMaxExpiryWindowLimit = 1'000'000;
// Fee grace and licence filing periods in months (R20, R24): the law's are 6 and 3.
inline constexpr std::uint32_t kMaxParamsMonths = 24;
// Params.clock_skew_max_ms (docs/node.md "Ledger time"): 0 means this
// default. Below a second, ordinary network delay between a reading and the
// block that carries it would flag healthy clocks; above a day the flag
// would come too late to matter for dates.
inline constexpr std::uint64_t kClockSkewMaxMsDefault = 30'000;
inline constexpr std::uint64_t kMinClockSkewMaxMs = 1'000;
inline constexpr std::uint64_t kMaxClockSkewMaxMs = 86'400'000;
// The monthly late-fee surcharge: at most the whole annual fee per month (R20).
inline constexpr std::uint32_t kMaxFeeSurchargeBps = 10'000;

// ---- pools and tranches -------------------------------------------------------

// Member records per pool, removed ones included: a wind-down visits them all.
inline constexpr std::size_t kMaxPoolMembers = 512;
// Patents, pledges or collections in one pool action.
inline constexpr std::size_t kMaxPoolItemsPerAction = 64;
// Fee lines of a pool (H1): each is paid on every payment date.
inline constexpr std::size_t kMaxFeeLines = 8;
inline constexpr std::size_t kMaxFeeNameBytes = 64;
// Tranches of a deal: ranks are one digit, so key order is rank order.
inline constexpr std::size_t kMaxTranches = 9;
// At least a senior tranche and the subordinated one (R32).
inline constexpr std::size_t kMinTranches = 2;
// Ranks run 1 (most senior) to kMaxTrancheRank: one rank per tranche.
inline constexpr std::uint32_t kMaxTrancheRank = static_cast<std::uint32_t>(kMaxTranches);
// Steps of one tranche's principal schedule: ten years of monthly amortisation.
inline constexpr std::size_t kMaxScheduleSteps = 120;
// Holders of one tranche: every payment date pays each of them.
inline constexpr std::size_t kMaxHoldersPerTranche = 200;
// A rating label ("AAA", "AA+ (CCXI)").
inline constexpr std::size_t kMaxRatingBytes = 16;
// Chinese ABS units have a face value of 100 yuan; principal is issued in whole units.
inline constexpr std::int64_t kUnitFaceFen = 10'000;
// Units in one allocation or transfer: a tranche's largest possible principal.
inline constexpr std::int64_t kMaxUnits = kMaxAmountFen / kUnitFaceFen;
// Coupons and fee rates: at most 100 % a year, far above any real deal.
inline constexpr std::uint32_t kMaxPoolRateBps = 10'000;

static_assert(kMaxTranches <= 9, "tranche keys order ranks as one digit");
static_assert(kMinTranches <= kMaxTranches);
static_assert(kMaxPoolItemsPerAction <= kMaxPoolMembers, "one admission must fit an empty pool");

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_LIMITS_H_
