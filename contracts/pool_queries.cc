#include "contracts/pool_queries.h"

#include <string>
#include <vector>

#include "contracts/dates.h"
#include "contracts/internal/validate.h"
#include "contracts/pool_keys.h"
#include "contracts/waterfall.h"

namespace pledger::contracts {
namespace {

constexpr size_t kDefaultLimit = 1000;

template <typename M>
Status Parse(std::string_view key, std::string_view value, M* out) {
  if (!out->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return Status::Corruption("STATE_RECORD_CORRUPT", "state record " + std::string(key) + " does not parse");
  }
  return Status::OK();
}

template <typename M>
Status ReadOne(const ledger::StateReader& s, const std::string& key, std::string_view not_found_reason,
               std::string_view what, M* out) {
  auto raw = s.Get(key);
  if (!raw.ok()) return std::move(raw).TakeStatus();
  if (!raw->has_value()) return Status::NotFound(not_found_reason, "no " + std::string(what) + " " + key);
  return Parse(key, **raw, out);
}

// Scans `prefix`, parsing every value as M into `out`.
template <typename M, typename Add>
Status ScanAll(const ledger::StateReader& s, const std::string& prefix, Add&& add) {
  Status bad;
  PLEDGER_RETURN_IF_ERROR(s.Scan(prefix, [&](std::string_view k, std::string_view v) {
    M m;
    bad = Parse(k, v, &m);
    if (!bad.ok()) return false;
    add(std::move(m));
    return true;
  }));
  return bad;
}

Status CheckPoolId(std::string_view id) {
  if (internal::ValidObjectId(id)) return Status::OK();
  return Status::InvalidArgument("POOL_ID_INVALID", "a pool id is 32 lower-case hex characters");
}

Status LoadDeal(const ledger::StateReader& s, std::string_view pool_id, DealState* deal) {
  PLEDGER_RETURN_IF_ERROR(ReadOne(s, keys::Pool(pool_id), "POOL_NOT_FOUND", "pool", &deal->pool));
  PLEDGER_RETURN_IF_ERROR(
      ScanAll<Tranche>(s, keys::TranchePrefix(pool_id), [&](Tranche t) { deal->tranches.push_back(std::move(t)); }));
  for (const Tranche& t : deal->tranches) {
    auto& hs = deal->holdings.emplace_back();
    PLEDGER_RETURN_IF_ERROR(
        ScanAll<Holding>(s, keys::HoldingPrefix(pool_id, t.rank()), [&](Holding h) { hs.push_back(std::move(h)); }));
  }
  return Status::OK();
}

}  // namespace

Result<PoolView> QueryPool(const ledger::StateReader& s, std::string_view pool_id) {
  PLEDGER_RETURN_IF_ERROR(CheckPoolId(pool_id));
  PoolView v;
  PLEDGER_RETURN_IF_ERROR(ReadOne(s, keys::Pool(pool_id), "POOL_NOT_FOUND", "pool", v.mutable_pool()));
  PLEDGER_RETURN_IF_ERROR(ScanAll<PoolMember>(s, keys::PoolMemberPrefix(pool_id),
                                              [&](PoolMember m) { *v.add_members() = std::move(m); }));
  PLEDGER_RETURN_IF_ERROR(
      ScanAll<Tranche>(s, keys::TranchePrefix(pool_id), [&](Tranche t) { *v.add_tranches() = std::move(t); }));
  for (const Tranche& t : v.tranches()) {
    PLEDGER_RETURN_IF_ERROR(ScanAll<Holding>(s, keys::HoldingPrefix(pool_id, t.rank()),
                                             [&](Holding h) { *v.add_holdings() = std::move(h); }));
  }
  PLEDGER_RETURN_IF_ERROR(ScanAll<PoolStatement>(s, keys::PoolStatementPrefix(pool_id), [&](PoolStatement st) {
    v.add_statement_dates(st.payment_date());
  }));
  return v;
}

Result<PoolStatement> QueryPoolStatement(const ledger::StateReader& s, std::string_view pool_id,
                                         std::int32_t payment_date) {
  PLEDGER_RETURN_IF_ERROR(CheckPoolId(pool_id));
  if (!internal::ValidDate(payment_date)) {
    return Status::InvalidArgument("POOL_PAYMENT_DATE_INVALID", "the payment date is not a date");
  }
  PoolStatement st;
  PLEDGER_RETURN_IF_ERROR(ReadOne(s, keys::PoolStatement(pool_id, FormatDate(payment_date)),
                                  "POOL_STATEMENT_NOT_FOUND", "statement", &st));
  return st;
}

Result<HoldingList> QueryHoldingsOfInvestor(const ledger::StateReader& s, std::string_view org) {
  if (!internal::ValidId(org)) return Status::InvalidArgument("ORG_ID_INVALID", "bad organisation id");
  std::vector<std::string> refs;  // "<pool>/<rank>"
  const std::string prefix = keys::InvestorHoldingPrefix(org);
  PLEDGER_RETURN_IF_ERROR(s.Scan(prefix, [&](std::string_view k, std::string_view) {
    refs.emplace_back(k.substr(prefix.size()));
    return true;
  }));
  HoldingList out;
  for (const std::string& ref : refs) {
    const size_t slash = ref.find('/');
    if (slash == std::string::npos) continue;
    const std::string key = "holding/" + ref + "/" + std::string(org);
    PLEDGER_RETURN_IF_ERROR(ReadOne(s, key, "HOLDING_NOT_FOUND", "holding", out.add_holdings()));
  }
  return out;
}

Result<PoolList> QueryPoolsOfTrustee(const ledger::StateReader& s, std::string_view org, size_t limit) {
  if (!internal::ValidId(org)) return Status::InvalidArgument("ORG_ID_INVALID", "bad organisation id");
  if (limit == 0) limit = kDefaultLimit;
  std::vector<std::string> ids;
  PLEDGER_RETURN_IF_ERROR(s.Scan(keys::TrusteePoolPrefix(org), [&](std::string_view, std::string_view id) {
    ids.emplace_back(id);
    return ids.size() < limit;
  }));
  PoolList out;
  for (const std::string& id : ids) {
    PLEDGER_RETURN_IF_ERROR(ReadOne(s, keys::Pool(id), "POOL_NOT_FOUND", "pool", out.add_pools()));
  }
  return out;
}

Result<PoolStatement> QueryPoolPaymentPreview(const ledger::StateReader& s, std::string_view pool_id,
                                              std::int32_t payment_date, bool allow_draw) {
  PLEDGER_RETURN_IF_ERROR(CheckPoolId(pool_id));
  DealState deal;
  PLEDGER_RETURN_IF_ERROR(LoadDeal(s, pool_id, &deal));
  if (deal.pool.state() != POOL_ISSUED) {
    return Status::FailedPrecondition("TRANCHE_NOT_ISSUED", "the pool has no tranches, or was wound down");
  }
  if (!internal::ValidDate(payment_date)) {
    return Status::InvalidArgument("POOL_PAYMENT_DATE_INVALID", "the payment date is not a date");
  }
  return RunWaterfall(&deal, payment_date, allow_draw);
}

}  // namespace pledger::contracts
