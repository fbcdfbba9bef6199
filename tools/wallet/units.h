// Parsing and printing values in the users' terms: yuan amounts, percentages,
// dates, patent numbers, ids, hashes and keys (docs/wallet.md "Values").
//
// Every parser takes the flag it reads (e.g. "principal") and, on bad input,
// returns a USAGE status whose message starts with "--principal: " and says
// what a good value looks like, so the user knows which flag to fix. Nothing
// here uses floating point: "5,000,000.01" becomes 500000001 fen by integer
// arithmetic, and a value that cannot be represented exactly (a third decimal,
// a rate of 3.855 %) is refused rather than rounded.
//
// Pure functions except HashOfFile and ParsePublicKey (which may read a file)
// and TodayCst (which reads the clock). Thread-safe.
#ifndef PLEDGER_TOOLS_WALLET_UNITS_H_
#define PLEDGER_TOOLS_WALLET_UNITS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "contracts/money.h"

namespace pledger::tools::wallet {

// A USAGE status "--flag: message".
Status FlagError(std::string_view flag, std::string_view message);

// ---- money -----------------------------------------------------------------

// Yuan with at most two decimals, optionally grouped with commas in threes:
// "5000000", "5000000.5", "5,000,000.00". Returns fen. Refuses negatives,
// signs, exponents, a third decimal, misplaced commas and anything above
// contracts::kMaxAmountFen. Zero only with allow_zero.
Result<std::int64_t> ParseYuan(std::string_view flag, std::string_view text, bool allow_zero);
// "5,000,000.00" (no unit): the contracts' formatter, one for every reader.
using contracts::FormatYuan;

// ---- rates and shares --------------------------------------------------------

// A percentage with at most two decimals ("3.85", "3.85%") or basis points
// ("385bps"). Returns bps; refuses values above max_bps.
Result<std::uint32_t> ParseBps(std::string_view flag, std::string_view text, std::uint32_t max_bps);
// "3.85 %".
std::string FormatBps(std::uint32_t bps);

// ---- dates -------------------------------------------------------------------

// YYYY-MM-DD (a real calendar date within 1950-01-01..2200-12-31, the range the
// contracts accept), or "today", "today+N", "today-N" (N days) relative to
// `today`. Returns days since 1970-01-01.
Result<std::int32_t> ParseDate(std::string_view flag, std::string_view text, std::int32_t today);
// YYYY-MM-DD; "-" for 0 (the contracts' "not set").
std::string FormatDay(std::int32_t day);
// Today's date in China Standard Time, as the contracts count it.
std::int32_t TodayCst();

// ---- patents, ids, hashes, keys -----------------------------------------------

// A patent number as printed on certificates or typed by hand ("ZL 2014 1
// 0362077.3", "zl201410362077.3", "201410362077.3") in canonical form
// ("ZL201410362077.3"), with its check character verified (R25).
Result<std::string> ParsePatentNo(std::string_view flag, std::string_view text);

// Organisation and node ids: [a-z0-9._-]{1,64}.
Result<std::string> ParseOrgId(std::string_view flag, std::string_view text);

// A pledge, valuation, licence or pool id: 32 hex characters. The 64-hex id of the
// transaction that created it is accepted too (the object id is its first 32
// characters, docs/contracts.md). Lower-cased.
Result<std::string> ParseObjectId(std::string_view flag, std::string_view text);

// 64 hex characters (SHA-256 document hashes, public keys), lower-cased.
Result<std::string> ParseHex64(std::string_view flag, std::string_view text);

// SHA-256 of a file's bytes, in lower-case hex. Errors name the flag.
Result<std::string> HashOfFile(std::string_view flag, const std::string& path);

// An Ed25519 public key: 64 hex characters, or the path of a file holding
// them (pledger-admin's accounts/NAME.pub).
Result<std::string> ParsePublicKey(std::string_view flag, std::string_view text);

// "host:port" with a numeric port 1..65535.
Result<std::string> ParseHostPort(std::string_view flag, std::string_view text);

// A non-negative integer within [min, max].
Result<std::int64_t> ParseInt(std::string_view flag, std::string_view text, std::int64_t min,
                              std::int64_t max);

// One of `choices` (friendly names such as "fee-paid"); matching ignores case
// and treats '_' as '-'. The error lists the choices.
template <typename E>
struct Choice {
  const char* name;
  E value;
};
template <typename E>
Result<E> ParseChoice(std::string_view flag, std::string_view text,
                      const std::vector<Choice<E>>& choices);

// Normalises a choice word: lower case, '_' -> '-'.
std::string NormaliseWord(std::string_view text);

template <typename E>
Result<E> ParseChoice(std::string_view flag, std::string_view text,
                      const std::vector<Choice<E>>& choices) {
  const std::string word = NormaliseWord(text);
  std::string names;
  for (const auto& c : choices) {
    if (word == c.name) return c.value;
    names += (names.empty() ? "" : ", ") + std::string(c.name);
  }
  return FlagError(flag, "'" + std::string(text) + "' is not one of: " + names);
}

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_UNITS_H_
