#include "contracts/patent_number.h"

#include <string>

namespace pledger::contracts {

char PatentCheckChar(std::string_view digits) {
  // R25: weights 2,3,...,9 then 2,3,4,5 for the 12-digit form; 2..9 for 8 digits.
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    int w = static_cast<int>(i % 8) + 2;
    sum += (digits[i] - '0') * w;
  }
  int c = sum % 11;
  return c == 10 ? 'X' : static_cast<char>('0' + c);
}

Result<PatentType> ParsePatentNumber(std::string_view no) {
  auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument(
        "PATENT_NUMBER_INVALID",
        "patent number '" + std::string(no.substr(0, 40)) + "' " + std::string(why) +
            "; write it as ZL + the application number, e.g. ZL201410362077.3 (R25)");
  };
  if (no.size() < 2 || no.substr(0, 2) != "ZL") return invalid("does not start with ZL");
  std::string_view rest = no.substr(2);
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos || dot + 2 != rest.size()) {
    return invalid("needs one '.' followed by the check character");
  }
  std::string_view digits = rest.substr(0, dot);
  if (digits.size() != 12 && digits.size() != 8) return invalid("must have 8 or 12 digits before '.'");
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return invalid("has a non-digit before '.'");
  }
  char type_digit = digits.size() == 12 ? digits[4] : digits[2];
  PatentType type;
  switch (type_digit) {
    case '1':
    case '8':
      type = PATENT_INVENTION;
      break;
    case '2':
    case '9':
      type = PATENT_UTILITY;
      break;
    case '3':
      type = PATENT_DESIGN;
      break;
    default:
      return invalid("has an unknown type digit (1, 2, 3, 8 or 9)");
  }
  if (rest.back() != PatentCheckChar(digits)) {
    // The right check character is deliberately not named (docs/wallet.md):
    // a typo in the digits must not be "fixed" by changing the check character.
    return Status::InvalidArgument(
        "PATENT_CHECK_DIGIT_INVALID",
        "patent number " + std::string(no) +
            " fails the check digit: a digit or the check character is mistyped; copy the number again "
            "from the certificate or the register (R25)");
  }
  return type;
}

}  // namespace pledger::contracts
