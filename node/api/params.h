// Parsing the parameters of API requests, in one place, so every route
// accepts and refuses the same spellings.
//
// Numbers are plain decimal digits: no sign, no spaces, no exponent, no
// fraction, nothing before or after, and within the range the parameter
// allows. Anything else is a 400 whose code names the problem (PARAM_INVALID
// unless the caller gives another stable code) and whose message names the
// parameter and its range. Thread-safe.
#ifndef PLEDGER_NODE_API_PARAMS_H_
#define PLEDGER_NODE_API_PARAMS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/status.h"
#include "node/http_server.h"

namespace pledger::node {

inline constexpr char kParamInvalid[] = "PARAM_INVALID";

// `text` as an integer in [min, max]. Reason: `code` (PARAM_INVALID).
Result<std::uint64_t> ParseUintParam(std::string_view name, std::string_view text, std::uint64_t min,
                                     std::uint64_t max, std::string_view code = kParamInvalid);

// The query parameter `name` as an integer in [min, max], or `def` when the
// request does not carry it. Reason: `code` (PARAM_INVALID).
Result<std::uint64_t> QueryUint(const HttpRequest& req, std::string_view name, std::uint64_t def,
                                std::uint64_t min, std::uint64_t max, std::string_view code = kParamInvalid);

// ?wait=MS, 0 when absent, at most `max_ms`. Reason: WAIT_INVALID.
Result<std::chrono::milliseconds> QueryWait(const HttpRequest& req, std::uint64_t max_ms);

// ?name=true|false, `def` when absent. Reason: PARAM_INVALID.
Result<bool> QueryBool(const HttpRequest& req, std::string_view name, bool def);

// The query parameter `name`, if the request carries it.
std::optional<std::string> QueryString(const HttpRequest& req, std::string_view name);

// "YYYY-MM-DD" as days since 1970-01-01; nullopt unless it is a calendar
// date within the range the contracts accept.
std::optional<std::int32_t> ParseIsoDate(std::string_view s);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_API_PARAMS_H_
