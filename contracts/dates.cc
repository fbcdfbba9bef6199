#include "contracts/dates.h"

#include <algorithm>

namespace pledger::contracts {

CivilDate CivilFromDays(std::int32_t days) {
  const int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (m <= 2 ? 1 : 0), m, d};
}

unsigned DaysInMonth(int year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

std::int32_t AddMonths(std::int32_t day, int months) {
  CivilDate c = CivilFromDays(day);
  // Work in a month index that is never negative for the supported range.
  int index = c.year * 12 + static_cast<int>(c.month - 1) + months;
  int year = index / 12;
  unsigned month = static_cast<unsigned>(index % 12) + 1;
  unsigned d = std::min(c.day, DaysInMonth(year, month));
  return DaysFromCivil(year, month, d);
}

std::int32_t TermLastDay(std::int32_t start, int years) {
  const CivilDate c = CivilFromDays(start);
  if (c.month == 2 && c.day == 29) return DaysFromCivil(c.year + years, 2, 28);
  return AddYears(start, years) - 1;
}

int Weekday(std::int32_t day) {
  // Days since 1970-01-01 (a Thursday = 4); keep the result in 0..6 for negatives.
  int w = (day + 4) % 7;
  return w < 0 ? w + 7 : w;
}

std::int32_t RollToWorkingDay(std::int32_t day, std::span<const std::int32_t> holidays) {
  // Bounded: no run of weekends and holidays is longer than the holiday list + 2.
  for (size_t guard = 0; guard <= holidays.size() + 2; ++guard) {
    int w = Weekday(day);
    bool holiday = std::binary_search(holidays.begin(), holidays.end(), day);
    if (w != 0 && w != 6 && !holiday) return day;
    ++day;
  }
  return day;
}

std::string FormatDate(std::int32_t day) {
  // Hand-rolled rather than snprintf: receipts format several dates per
  // transaction and this sits on the execution hot path.
  CivilDate c = CivilFromDays(day);
  if (c.year < 0 || c.year > 9999) return std::to_string(day);
  std::string out(10, '-');
  unsigned y = static_cast<unsigned>(c.year);
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + c.month / 10);
  out[6] = static_cast<char>('0' + c.month % 10);
  out[8] = static_cast<char>('0' + c.day / 10);
  out[9] = static_cast<char>('0' + c.day % 10);
  return out;
}

}  // namespace pledger::contracts
