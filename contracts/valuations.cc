// Valuations (R4, R27, R28): an appraiser (or a bank's in-house appraisal
// account, R27) records a report covering one or more patents.
#include <set>

#include "contracts/internal/context.h"
#include "contracts/internal/records.h"
#include "contracts/internal/validate.h"
#include "contracts/money.h"
#include "contracts/state_keys.h"

namespace pledger::contracts::internal {

Status ExecValuationRecord(TxContext& c, const ValuationRecord& a) {
  const Signer* appraiser = c.SignerWithRole(ROLE_APPRAISER);
  if (appraiser == nullptr) {
    return Fail("AUTH_ROLE_MISSING", "ValuationRecord must be signed by an account with role ROLE_APPRAISER (R27)");
  }
  if (a.patent_nos().empty() || static_cast<size_t>(a.patent_nos_size()) > kMaxPatentsPerAction) {
    return Fail("VALUATION_INVALID", "a valuation covers 1 to 64 patents");
  }
  if (!ValuationMethod_IsValid(a.method()) || a.method() == VALUATION_METHOD_UNSPECIFIED) {
    return Fail("VALUATION_INVALID", "method must be VALUATION_INCOME, VALUATION_MARKET or VALUATION_COST (R27)");
  }
  if (a.appraiser_licence_no().size() > kMaxIdBytes) {
    return Fail("VALUATION_INVALID", "appraiser licence number is at most 64 bytes");
  }
  if (!ValidDate(a.base_date()) || a.base_date() > c.today()) {
    return Fail("VALUATION_BASE_DATE_INVALID", "the base date must be a real date not after today (R28)");
  }
  const std::int32_t valid_until = AddYears(a.base_date(), 1);  // R28, R20 month rule
  if (valid_until < c.today()) {
    // valid_until is inclusive: the report lapsed the day after (issue 18 bug 3).
    return Fail("VALUATION_EXPIRED", "a report is valid one year from its base date; this one was valid until " +
                                         FormatDate(valid_until) + " and lapsed on " + FormatDate(valid_until + 1) +
                                         ". Have the patents re-appraised and give the new --base-date (API field "
                                         "base_date) (R28)");
  }
  if (a.value_fen() <= 0 || !ValidAmount(a.value_fen()) || a.realisable_value_fen() < 0 ||
      a.realisable_value_fen() > a.value_fen()) {
    return Fail("VALUATION_AMOUNT_INVALID", Input("value", "value_fen") + " must be 0.01 to " + YuanText(kMaxAmountFen) +
                                                " and " + Input("realisable", "realisable_value_fen") +
                                                " 0 to the value (R27)");
  }
  if (!ValidHex64(a.report_hash())) {
    return Fail("VALUATION_REPORT_MISSING", "a valuation needs the appraisal report: --report FILE, or its SHA-256 "
                                            "with " + Input("report-hash", "report_hash") + " (R4)");
  }
  std::set<std::string> seen;
  for (const std::string& no : a.patent_nos()) {
    if (!seen.insert(no).second) return Fail("VALUATION_INVALID", "patent " + Quote(no) + " is listed twice");
    Patent p;
    PLEDGER_RETURN_IF_ERROR(LoadPatent(c, no, &p));
  }
  Valuation v;
  v.set_id(c.NewObjectId());
  for (const std::string& no : seen) v.add_patent_nos(no);  // sorted
  v.set_appraiser_org_id(appraiser->account.org_id());
  v.set_appraiser_key_hex(appraiser->key_hex);
  v.set_appraiser_licence_no(a.appraiser_licence_no());
  v.set_method(a.method());
  v.set_base_date(a.base_date());
  v.set_valid_until(valid_until);
  v.set_value_fen(a.value_fen());
  v.set_realisable_value_fen(a.realisable_value_fen());
  v.set_report_hash(a.report_hash());
  v.set_recorded_height(c.height());
  std::string key = keys::Valuation(v.id());
  c.Touch(key);
  c.Write(std::move(key), v);
  const std::string order = keys::OrderKey(c.height(), c.index());
  for (const std::string& no : v.patent_nos()) c.Put(keys::PatentValuationPrefix(no) + order, v.id());
  c.Emit("valuation.recorded", {{"valuation_id", v.id()},
                                {"appraiser_org_id", v.appraiser_org_id()},
                                {"value_fen", std::to_string(v.value_fen())},
                                {"valid_until", FormatDate(valid_until)}});
  return Status::OK();
}

}  // namespace pledger::contracts::internal
