#include "tools/wallet/units.h"

#include <chrono>
#include <cstdio>

#include "contracts/dates.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/io/clock.h"
#include "ledger/io/files.h"
#include "tools/common/args.h"

namespace pledger::tools::wallet {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string Shown(std::string_view text) {
  std::string s(text.substr(0, 80));
  if (text.size() > 80) s += "...";
  return "'" + s + "'";
}

// Splits "123.45" into integer digits and up to `max_decimals` decimal digits,
// with optional comma grouping in the integer part. Returns false on any other
// shape. The decimal part is right-padded with zeros to max_decimals.
bool SplitDecimal(std::string_view text, int max_decimals, std::string* int_part,
                  std::string* frac_part, std::string* why) {
  size_t dot = text.find('.');
  std::string_view ip = text.substr(0, dot);
  std::string_view fp = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (ip.empty()) {
    *why = "must start with a digit";
    return false;
  }
  if (dot != std::string_view::npos && fp.empty()) {
    *why = "has a '.' with no digits after it";
    return false;
  }
  if (ip.find(',') != std::string_view::npos) {
    // Grouped: 1-3 digits, then groups of exactly three.
    size_t first = ip.find(',');
    if (first == 0 || first > 3) {
      *why = "has misplaced commas (group digits in threes: 5,000,000.00)";
      return false;
    }
    for (size_t i = first; i < ip.size(); i += 4) {
      if (ip[i] != ',' || i + 4 > ip.size()) {
        *why = "has misplaced commas (group digits in threes: 5,000,000.00)";
        return false;
      }
      for (size_t k = i + 1; k < i + 4; ++k) {
        if (!IsDigit(ip[k])) {
          *why = "has misplaced commas (group digits in threes: 5,000,000.00)";
          return false;
        }
      }
    }
  }
  int_part->clear();
  for (char c : ip) {
    if (c == ',') continue;
    if (!IsDigit(c)) {
      *why = "is not a plain decimal number";
      return false;
    }
    int_part->push_back(c);
  }
  for (char c : fp) {
    if (!IsDigit(c)) {
      *why = "is not a plain decimal number";
      return false;
    }
  }
  if (static_cast<int>(fp.size()) > max_decimals) {
    *why = "has more than " + std::to_string(max_decimals) + " decimals";
    return false;
  }
  *frac_part = std::string(fp);
  frac_part->append(static_cast<size_t>(max_decimals) - fp.size(), '0');
  // Drop leading zeros so the length check below means magnitude.
  size_t nz = int_part->find_first_not_of('0');
  *int_part = nz == std::string::npos ? "0" : int_part->substr(nz);
  return true;
}

// Digits to int64 for strings already known to be short enough.
std::int64_t DigitsValue(const std::string& digits) {
  std::int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

Status FlagError(std::string_view flag, std::string_view message) {
  return UsageError("--" + std::string(flag) + ": " + std::string(message));
}

std::string NormaliseWord(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '_') c = '-';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

// ---- money -------------------------------------------------------------------

Result<std::int64_t> ParseYuan(std::string_view flag, std::string_view text, bool allow_zero) {
  const std::string hint = "; write yuan with at most two decimals, e.g. 5000000.00 or 5,000,000.00";
  if (text.empty()) return FlagError(flag, "needs an amount" + hint);
  if (text[0] == '-') return FlagError(flag, Shown(text) + " is negative" + hint);
  std::string ip, fp, why;
  if (!SplitDecimal(text, 2, &ip, &fp, &why)) return FlagError(flag, Shown(text) + " " + why + hint);
  // kMaxAmountFen = 10^14 fen = 10^12 yuan: at most 13 integer digits before
  // the comparison, so the arithmetic below cannot overflow.
  const std::int64_t max_yuan = contracts::kMaxAmountFen / 100;
  if (ip.size() > 13 || DigitsValue(ip) > max_yuan) {
    return FlagError(flag, Shown(text) + " is above the ledger's limit of " +
                               FormatYuan(contracts::kMaxAmountFen) + " yuan");
  }
  const std::int64_t fen = DigitsValue(ip) * 100 + DigitsValue(fp);
  if (fen > contracts::kMaxAmountFen) {
    return FlagError(flag, Shown(text) + " is above the ledger's limit of " +
                               FormatYuan(contracts::kMaxAmountFen) + " yuan");
  }
  if (fen == 0 && !allow_zero) return FlagError(flag, "must be more than 0.00 yuan");
  return fen;
}

// ---- rates -----------------------------------------------------------------------

Result<std::uint32_t> ParseBps(std::string_view flag, std::string_view text, std::uint32_t max_bps) {
  const std::string hint = "; write a percentage with at most two decimals (3.85 or 3.85%) or basis points (385bps)";
  if (text.empty()) return FlagError(flag, "needs a value" + hint);
  if (text[0] == '-') return FlagError(flag, Shown(text) + " is negative" + hint);
  std::int64_t bps = 0;
  if (text.size() > 3 && NormaliseWord(text.substr(text.size() - 3)) == "bps") {
    std::string_view digits = text.substr(0, text.size() - 3);
    if (digits.empty() || digits.size() > 9) return FlagError(flag, Shown(text) + " is not a whole number of bps" + hint);
    for (char c : digits) {
      if (!IsDigit(c)) return FlagError(flag, Shown(text) + " is not a whole number of bps" + hint);
    }
    bps = DigitsValue(std::string(digits));
  } else {
    std::string_view number = text;
    if (!number.empty() && number.back() == '%') number.remove_suffix(1);
    if (number.find(',') != std::string_view::npos) return FlagError(flag, Shown(text) + " has a comma" + hint);
    std::string ip, fp, why;
    if (!SplitDecimal(number, 2, &ip, &fp, &why)) return FlagError(flag, Shown(text) + " " + why + hint);
    if (ip.size() > 7) return FlagError(flag, Shown(text) + " is too large" + hint);
    bps = DigitsValue(ip) * 100 + DigitsValue(fp);
  }
  if (bps > max_bps) {
    return FlagError(flag, Shown(text) + " is above the limit of " + FormatBps(max_bps));
  }
  return static_cast<std::uint32_t>(bps);
}

std::string FormatBps(std::uint32_t bps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u.%02u %%", bps / 100, bps % 100);
  return buf;
}

// ---- dates -------------------------------------------------------------------------

std::int32_t TodayCst() { return contracts::DateOfBlockTime(io::ProcessClock().NowMs()); }

Result<std::int32_t> ParseDate(std::string_view flag, std::string_view text, std::int32_t today) {
  const std::string hint = "; write YYYY-MM-DD (e.g. 2027-06-30), today, or today+N / today-N days";
  std::int32_t day = 0;
  const std::string word = NormaliseWord(text);
  if (word.rfind("today", 0) == 0) {
    std::string_view rest = std::string_view(word).substr(5);
    std::int64_t offset = 0;
    if (!rest.empty()) {
      if ((rest[0] != '+' && rest[0] != '-') || rest.size() < 2 || rest.size() > 7) {
        return FlagError(flag, Shown(text) + " is not a date" + hint);
      }
      for (char c : rest.substr(1)) {
        if (!IsDigit(c)) return FlagError(flag, Shown(text) + " is not a date" + hint);
      }
      offset = DigitsValue(std::string(rest.substr(1)));
      if (rest[0] == '-') offset = -offset;
    }
    day = static_cast<std::int32_t>(today + offset);
  } else {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
      return FlagError(flag, Shown(text) + " is not a date" + hint);
    }
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
      if (!IsDigit(text[i])) return FlagError(flag, Shown(text) + " is not a date" + hint);
    }
    const int y = static_cast<int>(DigitsValue(std::string(text.substr(0, 4))));
    const unsigned m = static_cast<unsigned>(DigitsValue(std::string(text.substr(5, 2))));
    const unsigned d = static_cast<unsigned>(DigitsValue(std::string(text.substr(8, 2))));
    if (m < 1 || m > 12 || d < 1 || d > contracts::DaysInMonth(y, m)) {
      return FlagError(flag, Shown(text) + " is not a calendar date" + hint);
    }
    day = contracts::DaysFromCivil(y, m, d);
  }
  if (day < contracts::kMinDate || day > contracts::kMaxDate) {
    return FlagError(flag, Shown(text) + " is outside 1950-01-01..2200-12-31, the dates the ledger accepts");
  }
  return day;
}

std::string FormatDay(std::int32_t day) { return day == 0 ? "-" : contracts::FormatDate(day); }

// ---- patents, ids ---------------------------------------------------------------------

Result<std::string> ParsePatentNo(std::string_view flag, std::string_view text) {
  std::string no;
  for (char c : text) {
    if (c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    no.push_back(c);
  }
  if (!no.empty() && IsDigit(no[0])) no = "ZL" + no;  // an application number
  auto type = contracts::ParsePatentNumber(no);
  if (type.ok()) return no;
  if (type.status().reason() == "PATENT_CHECK_DIGIT_INVALID") {
    // Deliberately not telling the expected character: a typo in the digits
    // would otherwise be "fixed" by changing the check character.
    return FlagError(flag, no + " fails the check digit (R25): the check character after '.' does not "
                                "match the digits; re-read the number from the patent certificate");
  }
  return FlagError(flag, Shown(text) +
                             " is not a patent number; write ZL + the application number with its "
                             "check character, e.g. ZL201410362077.3 (R25)");
}

Result<std::string> ParseOrgId(std::string_view flag, std::string_view text) {
  bool ok = !text.empty() && text.size() <= 64;
  for (char c : text) {
    ok = ok && ((c >= 'a' && c <= 'z') || IsDigit(c) || c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    return FlagError(flag, Shown(text) + " is not an id; ids are 1-64 characters of a-z 0-9 . _ - (e.g. qtbank)");
  }
  return std::string(text);
}

Result<std::string> ParseObjectId(std::string_view flag, std::string_view text) {
  bool hex = !text.empty();
  for (char c : text) hex = hex && IsHex(c);
  if (!hex || (text.size() != 32 && text.size() != 64)) {
    return FlagError(flag, Shown(text) +
                               " is not an id; pledge, valuation, licence and pool ids are 32 hex characters "
                               "(the first half of the transaction id that created them)");
  }
  return NormaliseWord(text.substr(0, 32));
}

Result<std::string> ParseHex64(std::string_view flag, std::string_view text) {
  bool hex = text.size() == 64;
  for (char c : text) hex = hex && IsHex(c);
  if (!hex) return FlagError(flag, Shown(text) + " is not 64 hex characters (a SHA-256 hash)");
  return NormaliseWord(text);
}

Result<std::string> HashOfFile(std::string_view flag, const std::string& path) {
  // Contracts and reports are documents of a few MiB; 256 MiB bounds memory.
  auto data = io::ReadFile(path, 256u << 20);
  if (!data.ok()) return FlagError(flag, "cannot read " + path + ": " + std::string(data.status().message()));
  return ledger::HexEncode(ledger::Sha256(*data));
}

Result<std::string> ParsePublicKey(std::string_view flag, std::string_view text) {
  std::string candidate(text);
  bool hex = text.size() == 64;
  for (char c : text) hex = hex && IsHex(c);
  if (!hex) {
    auto data = io::ReadFile(std::string(text), 4096);
    if (!data.ok()) {
      return FlagError(flag, Shown(text) +
                                 " is neither 64 hex characters nor a readable .pub file holding them");
    }
    candidate = *data;
    while (!candidate.empty() && (candidate.back() == '\n' || candidate.back() == '\r' ||
                                  candidate.back() == ' ')) {
      candidate.pop_back();
    }
  }
  auto key = ledger::PublicKeyFromHex(candidate);
  if (!key.ok() || candidate.size() != 64) {
    return FlagError(flag, Shown(text) + " does not hold an Ed25519 public key (64 hex characters)");
  }
  return NormaliseWord(candidate);
}

Result<std::string> ParseHostPort(std::string_view flag, std::string_view text) {
  size_t colon = text.rfind(':');
  bool ok = colon != std::string_view::npos && colon > 0 && colon + 1 < text.size() &&
            text.size() - colon - 1 <= 5;
  std::int64_t port = 0;
  if (ok) {
    for (char c : text.substr(colon + 1)) ok = ok && IsDigit(c);
  }
  if (ok) port = DigitsValue(std::string(text.substr(colon + 1)));
  if (!ok || port < 1 || port > 65535) {
    return FlagError(flag, Shown(text) + " is not HOST:PORT (e.g. 10.0.0.5:26701)");
  }
  return std::string(text);
}

Result<std::int64_t> ParseInt(std::string_view flag, std::string_view text, std::int64_t min,
                              std::int64_t max) {
  bool ok = !text.empty() && text.size() <= 18;
  for (char c : text) ok = ok && IsDigit(c);
  std::int64_t v = ok ? DigitsValue(std::string(text)) : 0;
  if (!ok || v < min || v > max) {
    return FlagError(flag, Shown(text) + " must be a whole number from " + std::to_string(min) + " to " +
                               std::to_string(max));
  }
  return v;
}

}  // namespace pledger::tools::wallet
