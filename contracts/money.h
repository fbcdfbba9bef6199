// Integer money arithmetic for contracts (docs/contracts.md "Money and rounding").
//
// Money is int64 fen (1 yuan = 100 fen). Contracts accept amounts in
// [0, kMaxAmountFen]; sums are overflow-checked and fail rather than wrap.
// kMaxAmountFen is small enough that amount * 10000 (a rate in basis points)
// never overflows int64, so bps arithmetic needs no wider type.
//
// Pure functions, thread-safe. FormatYuan is in money.cc.
#ifndef PLEDGER_CONTRACTS_MONEY_H_
#define PLEDGER_CONTRACTS_MONEY_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace pledger::contracts {

// 10^14 fen = 1 trillion yuan: far above any single loan or pool.
inline constexpr std::int64_t kMaxAmountFen = 100'000'000'000'000;
inline constexpr std::int64_t kBpsDenominator = 10'000;
static_assert(kMaxAmountFen <= std::numeric_limits<std::int64_t>::max() / kBpsDenominator,
              "amount * bps must fit int64");

// "1,234,567.89" (no unit): fen as people read an amount, grouped in threes.
// Any int64 formats, INT64_MIN included. One formatter for the contracts'
// messages and the tools, so a sum reads the same wherever it is shown.
std::string FormatYuan(std::int64_t fen);
// "1,234,567.89 yuan": FormatYuan with its unit, for messages.
inline std::string YuanText(std::int64_t fen) { return FormatYuan(fen) + " yuan"; }
// "60.00 % (6000 bps)": a rate or ratio as people read it, with the basis
// points the API fields carry in brackets (messages speak percent).
std::string FormatPercentBps(std::uint32_t bps);

inline bool ValidAmount(std::int64_t fen) { return fen >= 0 && fen <= kMaxAmountFen; }

// nullopt on overflow.
inline std::optional<std::int64_t> CheckedAdd(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<std::int64_t> CheckedSub(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// Ratio in basis points, rounded UP (a loan-to-value just above a cap must not
// round down under it). Requires 0 <= num <= kMaxAmountFen and den > 0.
inline std::uint32_t RatioBpsCeil(std::int64_t num, std::int64_t den) {
  std::int64_t scaled = num * kBpsDenominator;  // cannot overflow, see static_assert
  std::int64_t q = scaled / den + (scaled % den != 0 ? 1 : 0);
  return q > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                       : static_cast<std::uint32_t>(q);
}

// Ratio in basis points, rounded DOWN (reports).
inline std::uint32_t RatioBpsFloor(std::int64_t num, std::int64_t den) {
  if (den <= 0) return 0;
  std::int64_t q = num * kBpsDenominator / den;
  return q > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                       : static_cast<std::uint32_t>(q);
}

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_MONEY_H_
