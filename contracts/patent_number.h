// Chinese patent and application numbers (R25).
//
//   application number  YYYY T NNNNNNN . C   (from 2003: 12 digits, weights 2..9,2..5)
//                       YY T NNNNN . C       (before 2003: 8 digits, weights 2..9)
//   patent number       "ZL" + application number, e.g. ZL201410362077.3
//
// T is the type digit: 1 invention, 2 utility model, 3 design, 8 PCT invention,
// 9 PCT utility model. C = sum(digit * weight) mod 11, written "X" for 10.
// The ledger stores patents under their canonical patent number: "ZL", the
// digits, ".", the check character, no spaces.
//
// Pure functions, thread-safe.
#ifndef PLEDGER_CONTRACTS_PATENT_NUMBER_H_
#define PLEDGER_CONTRACTS_PATENT_NUMBER_H_

#include <string_view>

#include "consensus/status.h"
#include "ledger/proto/contract_types.pb.h"

namespace pledger::contracts {

// The check character ('0'..'9' or 'X') of 8 or 12 application digits.
char PatentCheckChar(std::string_view digits);

// Validates a canonical patent number and returns the type its type digit
// names. Reasons: PATENT_NUMBER_INVALID (shape), PATENT_CHECK_DIGIT_INVALID.
Result<PatentType> ParsePatentNumber(std::string_view patent_no);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_PATENT_NUMBER_H_
