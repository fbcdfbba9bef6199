// Civil-date arithmetic for contracts: days since 1970-01-01, month and year
// steps with the R20 month-end rule, working-day roll, and the block date.
//
// Convention (docs/contracts.md "Dates"): a date is an int32 count of days since
// 1970-01-01 in the proleptic Gregorian calendar. The date of a block is its
// proposer time in China Standard Time (UTC+8, no daylight saving), because the
// register's deadlines are Beijing dates.
//
// Pure integer functions (no time zone database, no clock): thread-safe and
// deterministic on every platform. Valid for years 1..9999; callers bound input
// dates with kMinDate / kMaxDate first.
#ifndef PLEDGER_CONTRACTS_DATES_H_
#define PLEDGER_CONTRACTS_DATES_H_

#include <cstdint>
#include <span>
#include <string>

namespace pledger::contracts {

struct CivilDate {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms).
constexpr std::int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int32_t>(era * 146097 + static_cast<int>(doe) - 719468);
}
CivilDate CivilFromDays(std::int32_t days);

constexpr bool IsLeapYear(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }
unsigned DaysInMonth(int year, unsigned month);

// Input dates outside [kMinDate, kMaxDate] are rejected by the contracts.
inline constexpr std::int32_t kMinDate = DaysFromCivil(1950, 1, 1);
inline constexpr std::int32_t kMaxDate = DaysFromCivil(2200, 12, 31);

// R20 (IR 5): a period of n months from `day` ends on the same day-of-month n
// months later, or on that month's last day if it has no such day
// (2024-01-31 + 1 month = 2024-02-29). The start day itself is not counted,
// which is what "same day-of-month" expresses. n may be negative.
std::int32_t AddMonths(std::int32_t day, int months);
inline std::int32_t AddYears(std::int32_t day, int years) { return AddMonths(day, 12 * years); }

// R19: the last day of a term of `years` years from `start`: the day before
// the anniversary. The anniversary of 29 February in a common year is 1 March,
// so a term from 29 February always ends on 28 February (2020-02-29 + 10 years
// ends 2030-02-28, a day after 2020-02-28's term, which ends 2030-02-27; in a
// leap end year, 2040-02-28 as well). AddYears alone would clamp 29 February
// to the 28th and end both terms on the same day.
std::int32_t TermLastDay(std::int32_t start, int years);

// 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday).
int Weekday(std::int32_t day);

// R20 (IR 5): a deadline falling on a Saturday, Sunday or listed holiday rolls to
// the next working day. `holidays` must be sorted ascending.
std::int32_t RollToWorkingDay(std::int32_t day, std::span<const std::int32_t> holidays);

// The Beijing date of a block stamped `time_ms` (ms since the Unix epoch, UTC).
inline constexpr std::uint64_t kChinaOffsetMs = 8ull * 3600 * 1000;
inline constexpr std::uint64_t kMsPerDay = 86'400'000;
inline std::int32_t DateOfBlockTime(std::uint64_t time_ms) {
  return static_cast<std::int32_t>((time_ms + kChinaOffsetMs) / kMsPerDay);
}

// "YYYY-MM-DD", for messages and events.
std::string FormatDate(std::int32_t day);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_DATES_H_
