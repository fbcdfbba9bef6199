// The /v1/stats routes (docs/api.md "Statistics"): parameters checked here,
// the reader's scope from access.h, the figures from the statistics index
// (node/stats.h), which every node keeps with each block. Each answer is a
// few range reads of that index, never a scan of the chain.
#include <string>

#include "contracts/dates.h"
#include "node/api/access.h"
#include "node/api/handlers.h"
#include "node/api/params.h"
#include "node/stats.h"

namespace pledger::node {
namespace {

enum class Kind { kBank, kDistribution, kAppraiser };

bool ValidOrgId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::int32_t FirstOfMonth(std::int32_t day) {
  const contracts::CivilDate c = contracts::CivilFromDays(day);
  return contracts::DaysFromCivil(c.year, c.month, 1);
}

std::int32_t LastOfMonth(std::int32_t day) {
  const contracts::CivilDate c = contracts::CivilFromDays(day);
  return contracts::DaysFromCivil(c.year, c.month, contracts::DaysInMonth(c.year, c.month));
}

int MonthIndex(std::int32_t day) {
  const contracts::CivilDate c = contracts::CivilFromDays(day);
  return c.year * 12 + static_cast<int>(c.month) - 1;
}

// The query a request asks for, checked, and cut to what the reader may see.
// Reasons: DATE_INVALID, RANGE_INVALID, PARAM_INVALID (400); AUTH_MISSING,
// READ_FORBIDDEN from access.h.
Result<stats::Query> QueryOf(const ApiCall& call, Kind kind) {
  stats::Query q;
  // Who may read which series first: a reader without the right is refused
  // whatever else the request says.
  const char* name = kind == Kind::kAppraiser ? "appraiser" : "bank";
  std::string requested;
  if (auto s = QueryString(call.req, name)) {
    if (!ValidOrgId(*s)) {
      return Status::InvalidArgument(kParamInvalid, std::string(name) +
                                                        " is an organisation id: 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    requested = *s;
  }
  PLEDGER_ASSIGN_OR_RETURN(StatsScope scope, kind == Kind::kAppraiser ? ScopeAppraiserStats(call.reader, requested)
                                                                      : ScopeBankStats(call.reader, requested));
  q.series = scope.series;
  q.breakdown = scope.breakdown;
  std::string by = "day";
  if (kind != Kind::kDistribution) {
    if (auto b = QueryString(call.req, "by")) by = *b;
    if (by != "day" && by != "month") {
      return Status::InvalidArgument(kParamInvalid, "by is day or month, not '" + by.substr(0, 16) + "'");
    }
  }
  q.monthly = by == "month";
  auto date = [&](std::string_view param) -> Result<std::optional<std::int32_t>> {
    auto text = QueryString(call.req, param);
    if (!text) return std::optional<std::int32_t>();
    auto d = ParseIsoDate(*text);
    if (!d) {
      return Status::InvalidArgument("DATE_INVALID", std::string(param) +
                                                         " is a ledger date YYYY-MM-DD between 1950-01-01 and "
                                                         "2200-12-31 (China time)");
    }
    return std::optional<std::int32_t>(*d);
  };
  PLEDGER_ASSIGN_OR_RETURN(auto from, date("from"));
  PLEDGER_ASSIGN_OR_RETURN(auto to, date("to"));
  // Defaults: up to the last block's date; 30 days, or 12 months, or (for
  // distributions) a year back.
  q.to = to ? *to : contracts::DateOfBlockTime(call.backend.last_block_time_ms());
  if (from) {
    q.from = *from;
  } else if (kind == Kind::kDistribution) {
    q.from = q.to - 365;
  } else if (q.monthly) {
    q.from = contracts::AddMonths(FirstOfMonth(q.to), -11);
  } else {
    q.from = q.to - 29;
  }
  if (q.from > q.to) {
    return Status::InvalidArgument("RANGE_INVALID", "from (" + contracts::FormatDate(q.from) + ") is after to (" +
                                                        contracts::FormatDate(q.to) + ")");
  }
  if (kind == Kind::kDistribution) {
    if (q.to - q.from + 1 > stats::kMaxDistributionSpan) {
      return Status::InvalidArgument("RANGE_INVALID", "a distribution covers at most " +
                                                          std::to_string(stats::kMaxDistributionSpan) +
                                                          " days; narrow from..to");
    }
  } else if (q.monthly) {
    q.from = FirstOfMonth(q.from);
    q.to = LastOfMonth(q.to);
    if (MonthIndex(q.to) - MonthIndex(q.from) + 1 > stats::kMaxMonthSpan) {
      return Status::InvalidArgument("RANGE_INVALID", "by=month covers at most " +
                                                          std::to_string(stats::kMaxMonthSpan) +
                                                          " months; narrow from..to");
    }
  } else if (q.to - q.from + 1 > stats::kMaxDaySpan) {
    return Status::InvalidArgument("RANGE_INVALID", "by=day covers at most " + std::to_string(stats::kMaxDaySpan) +
                                                        " days; use by=month or narrow from..to");
  }
  return q;
}

template <typename F>
void Answer(ApiCall& call, Kind kind, F query) {
  auto q = QueryOf(call, kind);
  // A 401 names the schemes to sign in with (WWW-Authenticate), as everywhere.
  if (!q.ok()) return call.respond(AuthError(q.status(), call.backend.chain_id()));
  Reply(call, query(call.backend.ledger().db(), *q));
}

}  // namespace

void HandleStatsPledges(ApiCall& call) { Answer(call, Kind::kBank, stats::QueryPledges); }
void HandleStatsOutstanding(ApiCall& call) { Answer(call, Kind::kBank, stats::QueryOutstanding); }
void HandleStatsBorrowers(ApiCall& call) { Answer(call, Kind::kBank, stats::QueryBorrowers); }
void HandleStatsRenewals(ApiCall& call) { Answer(call, Kind::kBank, stats::QueryRenewals); }
void HandleStatsDistributions(ApiCall& call) { Answer(call, Kind::kDistribution, stats::QueryDistributions); }
void HandleStatsCautions(ApiCall& call) { Answer(call, Kind::kBank, stats::QueryCautions); }
void HandleStatsValuations(ApiCall& call) { Answer(call, Kind::kAppraiser, stats::QueryValuations); }

}  // namespace pledger::node
