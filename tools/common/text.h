// Small text formatting the tools share for what they print to people.
//
// Pure functions; thread-safe.
#ifndef PLEDGER_TOOLS_COMMON_TEXT_H_
#define PLEDGER_TOOLS_COMMON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pledger::tools {

// The items joined by `sep`: "a, b, c". Empty items add nothing, not even a
// separator. Any range of strings (a vector, a protobuf repeated field).
template <typename Range>
std::string Join(const Range& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// A count with thousands separators: "1,234,567".
inline std::string Count(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace pledger::tools

#endif  // PLEDGER_TOOLS_COMMON_TEXT_H_
