#include "contracts/money.h"

#include <cstdio>

namespace pledger::contracts {

std::string FormatYuan(std::int64_t fen) {
  const bool negative = fen < 0;
  // Work in unsigned so INT64_MIN formats too.
  std::uint64_t v = negative ? static_cast<std::uint64_t>(-(fen + 1)) + 1 : static_cast<std::uint64_t>(fen);
  std::string digits = std::to_string(v / 100);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  char frac[4];
  std::snprintf(frac, sizeof frac, "%02u", static_cast<unsigned>(v % 100));
  return (negative ? "-" : "") + grouped + "." + frac;
}

std::string FormatPercentBps(std::uint32_t bps) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%u.%02u %% (%u bps)", bps / 100, bps % 100, bps);
  return buf;
}

}  // namespace pledger::contracts
