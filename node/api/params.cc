#include "node/api/params.h"

#include <limits>

#include "contracts/dates.h"

namespace pledger::node {

Result<std::uint64_t> ParseUintParam(std::string_view name, std::string_view text, std::uint64_t min,
                                     std::uint64_t max, std::string_view code) {
  auto refuse = [&] {
    std::string range = max == std::numeric_limits<std::uint64_t>::max()
                            ? "an integer >= " + std::to_string(min)
                            : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    return Status::InvalidArgument(std::string(code), std::string(name) + " must be " + range +
                                                          " in decimal digits (got '" +
                                                          std::string(text.substr(0, 32)) + "')");
  };
  if (text.empty() || text.size() > 20) return refuse();
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return refuse();
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return refuse();
    v = v * 10 + d;
  }
  if (v < min || v > max) return refuse();
  return v;
}

Result<std::uint64_t> QueryUint(const HttpRequest& req, std::string_view name, std::uint64_t def,
                                std::uint64_t min, std::uint64_t max, std::string_view code) {
  auto it = req.query.find(std::string(name));
  if (it == req.query.end()) return def;
  return ParseUintParam(name, it->second, min, max, code);
}

Result<std::chrono::milliseconds> QueryWait(const HttpRequest& req, std::uint64_t max_ms) {
  PLEDGER_ASSIGN_OR_RETURN(std::uint64_t ms, QueryUint(req, "wait", 0, 0, max_ms, "WAIT_INVALID"));
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(ms));
}

Result<bool> QueryBool(const HttpRequest& req, std::string_view name, bool def) {
  auto it = req.query.find(std::string(name));
  if (it == req.query.end()) return def;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return Status::InvalidArgument(kParamInvalid, std::string(name) + " must be true or false");
}

std::optional<std::string> QueryString(const HttpRequest& req, std::string_view name) {
  auto it = req.query.find(std::string(name));
  if (it == req.query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int32_t> ParseIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  auto num = [&](size_t from, size_t n) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const int y = num(0, 4);
  const auto m = static_cast<unsigned>(num(5, 2));
  const auto d = static_cast<unsigned>(num(8, 2));
  if (m < 1 || m > 12 || d < 1 || d > contracts::DaysInMonth(y, m)) return std::nullopt;
  const std::int32_t day = contracts::DaysFromCivil(y, m, d);
  if (day < contracts::kMinDate || day > contracts::kMaxDate) return std::nullopt;
  return day;
}

}  // namespace pledger::node
