// Transaction commands: one builder per contract action, turning flags in the
// users' terms into the action message, with every local check that can be
// made before signing (docs/contracts.md lists the checks the engine makes
// again). A builder fails with a USAGE status naming the flag at fault.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "contracts/dates.h"
#include "contracts/limits.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {
namespace {

using contracts::Action;

// The limits the engine enforces (contracts/limits.h), checked before signing.
using contracts::kMaxFeeLines;
using contracts::kMaxFeeNameBytes;
using contracts::kMaxFeeSurchargeBps;
using contracts::kMaxExpiryWindowLimit;
using contracts::kMaxHoldersPerTranche;
using contracts::kMaxHolidays;
using contracts::kMaxIdBytes;
using contracts::kMaxLifeDays;
using contracts::kMaxNameBytes;
using contracts::kMaxOwners;
using contracts::kMaxParamsMonths;
using contracts::kMaxPatentsPerAction;
using contracts::kMaxPledgeRateBps;
using contracts::kMaxPoolItemsPerAction;
using contracts::kMaxPoolMembers;
using contracts::kMaxPoolRateBps;
using contracts::kMaxRatingBytes;
using contracts::kMaxRolesPerAccount;
using contracts::kMaxScheduleSteps;
using contracts::kMaxTermExtensionDays;
using contracts::kMaxTextBytes;
using contracts::kMaxTrancheRank;
using contracts::kMaxUnits;
using contracts::kOwnerSharesTotalBps;
using contracts::kUnitFaceFen;

// ---- flag readers ---------------------------------------------------------------

Result<std::string> Required(Context& c, const std::string& flag) { return c.args().Require(flag); }

Result<std::string> Text(Context& c, const std::string& flag, size_t max, bool required) {
  auto v = c.args().Get(flag);
  if (!v || v->empty()) {
    if (required) return UsageError("missing required flag --" + flag);
    return std::string();
  }
  if (v->size() > max) return FlagError(flag, "is " + std::to_string(v->size()) + " bytes; at most " + std::to_string(max));
  return *v;
}

Result<std::string> Patent(Context& c, const std::string& flag) {
  PLEDGER_ASSIGN_OR_RETURN(std::string v, Required(c, flag));
  return ParsePatentNo(flag, v);
}

Result<std::vector<std::string>> Patents(Context& c, const std::string& flag) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& v : c.args().GetAll(flag)) {
    PLEDGER_ASSIGN_OR_RETURN(std::string no, ParsePatentNo(flag, v));
    if (!seen.insert(no).second) return FlagError(flag, no + " is given twice");
    out.push_back(no);
  }
  if (out.empty()) return UsageError("missing required flag --" + flag);
  if (out.size() > kMaxPatentsPerAction) return FlagError(flag, "at most 64 patents in one transaction");
  return out;
}

Result<std::string> Org(Context& c, const std::string& flag, bool required) {
  auto v = c.args().Get(flag);
  if (!v) {
    if (required) return UsageError("missing required flag --" + flag);
    return std::string();
  }
  return ParseOrgId(flag, *v);
}

Result<std::int32_t> Date(Context& c, const std::string& flag) {
  PLEDGER_ASSIGN_OR_RETURN(std::string v, Required(c, flag));
  return ParseDate(flag, v, c.today());
}

Result<std::int32_t> OptDate(Context& c, const std::string& flag) {
  auto v = c.args().Get(flag);
  if (!v) return 0;
  return ParseDate(flag, *v, c.today());
}

Result<std::int64_t> Yuan(Context& c, const std::string& flag, bool required, bool allow_zero) {
  auto v = c.args().Get(flag);
  if (!v) {
    if (required) return UsageError("missing required flag --" + flag);
    return 0;
  }
  return ParseYuan(flag, *v, allow_zero);
}

Result<std::string> Object(Context& c, const std::string& flag) {
  PLEDGER_ASSIGN_OR_RETURN(std::string v, Required(c, flag));
  return ParseObjectId(flag, v);
}

// A document given as --NAME-hash HEX or --NAME FILE (the wallet hashes it).
Result<std::string> DocHash(Context& c, const std::string& name, bool required) {
  auto hex = c.args().Get(name + "-hash");
  auto file = c.args().Get(name);
  if (hex && file) return UsageError("give --" + name + "-hash or --" + name + ", not both");
  if (hex) return ParseHex64(name + "-hash", *hex);
  if (file) return HashOfFile(name, *file);
  if (required) {
    return UsageError("missing required flag --" + name + "-hash HEX (or --" + name +
                      " FILE to hash the document here)");
  }
  return std::string();
}

// ORG or ORG:SHARE (percent or bps). One owner without a share owns 100 %.
Status Owners(Context& c, const std::string& flag, google::protobuf::RepeatedPtrField<contracts::Owner>* out) {
  std::vector<std::string> values = c.args().GetAll(flag);
  if (values.empty()) return UsageError("missing required flag --" + flag + " ORG[:SHARE%]");
  if (values.size() > kMaxOwners) return FlagError(flag, "at most 16 owners");
  std::set<std::string> seen;
  std::int64_t total = 0;
  bool any_without_share = false;
  for (const std::string& v : values) {
    size_t colon = v.find(':');
    PLEDGER_ASSIGN_OR_RETURN(std::string org, ParseOrgId(flag, v.substr(0, colon)));
    if (!seen.insert(org).second) return FlagError(flag, "owner " + org + " is given twice");
    std::uint32_t share = 0;
    if (colon == std::string::npos) {
      any_without_share = true;
      share = kOwnerSharesTotalBps;
    } else {
      PLEDGER_ASSIGN_OR_RETURN(share, ParseBps(flag, v.substr(colon + 1), kOwnerSharesTotalBps));
      if (share == 0) return FlagError(flag, "owner " + org + " has a share of 0");
    }
    auto* o = out->Add();
    o->set_org_id(org);
    o->set_share_bps(share);
    total += share;
  }
  if (any_without_share && values.size() > 1) {
    return FlagError(flag, "with several owners give each one's share, e.g. --" + flag + " lianke:60% --" + flag +
                               " zju:40%");
  }
  if (total != kOwnerSharesTotalBps) {
    return FlagError(flag, "shares add up to " + FormatBps(static_cast<std::uint32_t>(total)) + "; they must add up to 100 %");
  }
  return Status::OK();
}

template <typename E>
Result<E> ChoiceFlag(Context& c, const std::string& flag, const std::vector<Choice<E>>& choices, bool required,
                     E def) {
  auto v = c.args().Get(flag);
  if (!v) {
    if (required) {
      std::string names;
      for (const auto& ch : choices) names += (names.empty() ? "" : ", ") + std::string(ch.name);
      return UsageError("missing required flag --" + flag + " (one of: " + names + ")");
    }
    return def;
  }
  return ParseChoice(flag, *v, choices);
}

Status NotPast(const std::string& flag, std::int32_t day, std::int32_t today) {
  if (day < today) return FlagError(flag, FormatDay(day) + " is in the past (today is " + FormatDay(today) + ")");
  return Status::OK();
}

Status NotFuture(const std::string& flag, std::int32_t day, std::int32_t today) {
  if (day > today) return FlagError(flag, FormatDay(day) + " is in the future (today is " + FormatDay(today) + ")");
  return Status::OK();
}

const std::vector<Choice<contracts::PatentEvent>>& EventChoices() {
  static const std::vector<Choice<contracts::PatentEvent>> kChoices = {
      {"granted", contracts::PATENT_EVENT_GRANTED},
      {"fee-paid", contracts::PATENT_EVENT_FEE_PAID},
      {"fee-grace", contracts::PATENT_EVENT_FEE_GRACE},
      {"terminated-nonpayment", contracts::PATENT_EVENT_TERMINATED_NONPAYMENT},
      {"restored", contracts::PATENT_EVENT_RESTORED},
      {"waived", contracts::PATENT_EVENT_WAIVED},
      {"invalidation-started", contracts::PATENT_EVENT_INVALIDATION_STARTED},
      {"invalidated", contracts::PATENT_EVENT_INVALIDATED},
      {"partially-invalidated", contracts::PATENT_EVENT_PARTIALLY_INVALIDATED},
      {"invalidation-rejected", contracts::PATENT_EVENT_INVALIDATION_REJECTED},
      {"expired", contracts::PATENT_EVENT_EXPIRED},
      {"preservation-on", contracts::PATENT_EVENT_PRESERVATION_ON},
      {"preservation-off", contracts::PATENT_EVENT_PRESERVATION_OFF},
      {"suspension-on", contracts::PATENT_EVENT_SUSPENSION_ON},
      {"suspension-off", contracts::PATENT_EVENT_SUSPENSION_OFF},
  };
  return kChoices;
}

const std::vector<Choice<contracts::RiskClass>>& RiskChoices() {
  static const std::vector<Choice<contracts::RiskClass>> kChoices = {
      {"normal", contracts::RISK_NORMAL},
      {"special-mention", contracts::RISK_SPECIAL_MENTION},
      {"substandard", contracts::RISK_SUBSTANDARD},
      {"doubtful", contracts::RISK_DOUBTFUL},
      {"loss", contracts::RISK_LOSS},
  };
  return kChoices;
}

const std::vector<Choice<contracts::Role>>& RoleChoices() {
  static const std::vector<Choice<contracts::Role>> kChoices = {
      {"ip-office", contracts::ROLE_IP_OFFICE}, {"bank", contracts::ROLE_BANK},
      {"owner", contracts::ROLE_OWNER},         {"appraiser", contracts::ROLE_APPRAISER},
      {"trustee", contracts::ROLE_TRUSTEE},     {"investor", contracts::ROLE_INVESTOR},
      {"guarantor", contracts::ROLE_GUARANTOR}, {"auditor", contracts::ROLE_AUDITOR},
  };
  return kChoices;
}

const std::vector<Choice<contracts::OrgKind>>& KindChoices() {
  static const std::vector<Choice<contracts::OrgKind>> kChoices = {
      {"ip-office", contracts::ORG_IP_OFFICE},
      {"bank", contracts::ORG_BANK},
      {"appraiser", contracts::ORG_APPRAISER},
      {"trustee", contracts::ORG_TRUSTEE},
      {"guarantor", contracts::ORG_GUARANTOR},
      {"auditor", contracts::ORG_AUDITOR},
      {"sme", contracts::ORG_SME},
      {"individual-business", contracts::ORG_INDIVIDUAL_BUSINESS},
      {"enterprise", contracts::ORG_ENTERPRISE},
      {"patent-agency", contracts::ORG_PATENT_AGENCY},
      {"investor", contracts::ORG_INVESTOR},
  };
  return kChoices;
}

// ---- patents ---------------------------------------------------------------------

Result<Action> BuildPatentRegister(Context& c) {
  Action a;
  auto* x = a.mutable_patent_register();
  PLEDGER_ASSIGN_OR_RETURN(std::string no, Patent(c, "patent"));
  x->set_patent_no(no);
  x->set_type(*contracts::ParsePatentNumber(no));  // ParsePatentNo checked it
  PLEDGER_ASSIGN_OR_RETURN(std::string title, Text(c, "title", kMaxTextBytes, true));
  x->set_title(title);
  PLEDGER_ASSIGN_OR_RETURN(std::string ipc, Text(c, "ipc", kMaxIdBytes, true));
  x->set_main_ipc(ipc);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t filed, Date(c, "filed"));
  PLEDGER_RETURN_IF_ERROR(NotFuture("filed", filed, c.today()));
  x->set_filing_date(filed);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t granted, OptDate(c, "granted"));
  if (granted != 0) {
    PLEDGER_RETURN_IF_ERROR(NotFuture("granted", granted, c.today()));
    if (granted < filed) return FlagError("granted", "is before the filing date " + FormatDay(filed));
  }
  x->set_grant_date(granted);
  if (auto v = c.args().Get("term-extension-days")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t days, ParseInt("term-extension-days", *v, 0, kMaxTermExtensionDays));
    if (days > 0 && x->type() != contracts::PATENT_INVENTION) {
      return FlagError("term-extension-days", "only inventions get a term extension (R19)");
    }
    x->set_term_extension_days(static_cast<std::int32_t>(days));
  }
  PLEDGER_RETURN_IF_ERROR(Owners(c, "owner", x->mutable_owners()));
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t paid, OptDate(c, "fee-paid-through"));
  x->set_fee_paid_through(paid);
  if (auto twin = c.args().Get("twin")) {
    PLEDGER_ASSIGN_OR_RETURN(std::string t, ParsePatentNo("twin", *twin));
    if (x->type() != contracts::PATENT_UTILITY || *contracts::ParsePatentNumber(t) != contracts::PATENT_INVENTION) {
      return FlagError("twin", "a twin is the same-day invention application of a utility model (R7j)");
    }
    x->set_twin_patent_no(t);
  }
  x->set_co_owner_agreement(c.args().Has("co-owner-agreement"));
  return a;
}

Result<Action> BuildPatentStatus(Context& c) {
  Action a;
  auto* x = a.mutable_patent_status();
  PLEDGER_ASSIGN_OR_RETURN(std::string no, Patent(c, "patent"));
  x->set_patent_no(no);
  PLEDGER_ASSIGN_OR_RETURN(contracts::PatentEvent ev,
                           ChoiceFlag(c, "event", EventChoices(), true, contracts::PATENT_EVENT_UNSPECIFIED));
  x->set_event(ev);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t date, OptDate(c, "date"));
  if (date != 0) PLEDGER_RETURN_IF_ERROR(NotFuture("date", date, c.today()));
  x->set_date(date);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t paid, OptDate(c, "paid-through"));
  const bool takes_paid = ev == contracts::PATENT_EVENT_FEE_PAID || ev == contracts::PATENT_EVENT_GRANTED ||
                          ev == contracts::PATENT_EVENT_RESTORED;
  if (ev == contracts::PATENT_EVENT_FEE_PAID && paid == 0) {
    return UsageError("missing required flag --paid-through DATE (the new paid-through date) for --event fee-paid");
  }
  if (paid != 0 && !takes_paid) {
    return FlagError("paid-through", "only goes with --event fee-paid, granted or restored");
  }
  x->set_paid_through(paid);
  const bool needs_doc = ev == contracts::PATENT_EVENT_RESTORED || ev == contracts::PATENT_EVENT_WAIVED ||
                         ev == contracts::PATENT_EVENT_INVALIDATED ||
                         ev == contracts::PATENT_EVENT_PARTIALLY_INVALIDATED ||
                         ev == contracts::PATENT_EVENT_INVALIDATION_REJECTED ||
                         ev == contracts::PATENT_EVENT_PRESERVATION_ON || ev == contracts::PATENT_EVENT_SUSPENSION_ON;
  PLEDGER_ASSIGN_OR_RETURN(std::string doc, DocHash(c, "document", needs_doc));
  x->set_document_hash(doc);
  return a;
}

Result<Action> BuildPatentAssign(Context& c) {
  Action a;
  auto* x = a.mutable_patent_assign();
  PLEDGER_ASSIGN_OR_RETURN(std::string no, Patent(c, "patent"));
  x->set_patent_no(no);
  PLEDGER_RETURN_IF_ERROR(Owners(c, "to", x->mutable_new_owners()));
  PLEDGER_ASSIGN_OR_RETURN(
      contracts::TransferBasis basis,
      ChoiceFlag<contracts::TransferBasis>(c, "basis",
                                           {{"contract", contracts::TRANSFER_CONTRACT},
                                            {"inherit", contracts::TRANSFER_INHERIT},
                                            {"court", contracts::TRANSFER_COURT}},
                                           false, contracts::TRANSFER_CONTRACT));
  x->set_basis(basis);
  PLEDGER_ASSIGN_OR_RETURN(std::string doc, DocHash(c, "document", true));
  x->set_document_hash(doc);
  return a;
}

Result<Action> BuildLicenceFile(Context& c) {
  Action a;
  auto* x = a.mutable_licence_file();
  PLEDGER_ASSIGN_OR_RETURN(std::string no, Patent(c, "patent"));
  x->set_patent_no(no);
  PLEDGER_ASSIGN_OR_RETURN(contracts::LicenceType type,
                           ChoiceFlag<contracts::LicenceType>(c, "type",
                                                              {{"exclusive", contracts::LICENCE_EXCLUSIVE},
                                                               {"sole", contracts::LICENCE_SOLE},
                                                               {"ordinary", contracts::LICENCE_ORDINARY},
                                                               {"open", contracts::LICENCE_OPEN}},
                                                              true, contracts::LICENCE_TYPE_UNSPECIFIED));
  x->set_type(type);
  PLEDGER_ASSIGN_OR_RETURN(std::string licensee, Org(c, "licensee", false));
  if (type == contracts::LICENCE_OPEN && !licensee.empty()) {
    return FlagError("licensee", "an open licence names no licensee");
  }
  if (type != contracts::LICENCE_OPEN && licensee.empty()) return UsageError("missing required flag --licensee ORG");
  x->set_licensee_org_id(licensee);
  x->set_sublicence(c.args().Has("sublicence"));
  if (x->sublicence() && type == contracts::LICENCE_OPEN) return FlagError("sublicence", "does not apply to an open licence");
  PLEDGER_ASSIGN_OR_RETURN(std::string territory, Text(c, "territory", kMaxNameBytes, false));
  x->set_territory(territory);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t start, Date(c, "start"));
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t end, Date(c, "end"));
  if (end < start) return FlagError("end", "is before --start " + FormatDay(start));
  x->set_start_date(start);
  x->set_end_date(end);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t royalty, Yuan(c, "royalty", false, true));
  x->set_royalty_fen(royalty);
  PLEDGER_ASSIGN_OR_RETURN(std::string contract, DocHash(c, "contract", type != contracts::LICENCE_OPEN));
  x->set_contract_hash(contract);
  return a;
}

// ---- valuations and pledges -------------------------------------------------------------

Result<Action> BuildValuationRecord(Context& c) {
  Action a;
  auto* x = a.mutable_valuation_record();
  PLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> nos, Patents(c, "patent"));
  for (auto& no : nos) x->add_patent_nos(no);
  PLEDGER_ASSIGN_OR_RETURN(contracts::ValuationMethod method,
                           ChoiceFlag<contracts::ValuationMethod>(c, "method",
                                                                  {{"income", contracts::VALUATION_INCOME},
                                                                   {"market", contracts::VALUATION_MARKET},
                                                                   {"cost", contracts::VALUATION_COST}},
                                                                  true, contracts::VALUATION_METHOD_UNSPECIFIED));
  x->set_method(method);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t base, Date(c, "base-date"));
  PLEDGER_RETURN_IF_ERROR(NotFuture("base-date", base, c.today()));
  if (contracts::AddYears(base, 1) < c.today()) {
    return FlagError("base-date", "a report is valid one year from its base date; " + FormatDay(base) +
                                      " lapsed on " + FormatDay(contracts::AddYears(base, 1)) + " (R28)");
  }
  x->set_base_date(base);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t value, Yuan(c, "value", true, false));
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t realisable, Yuan(c, "realisable", false, true));
  if (realisable > value) return FlagError("realisable", "is more than --value; the realisable value is at most the value");
  x->set_value_fen(value);
  x->set_realisable_value_fen(realisable);
  PLEDGER_ASSIGN_OR_RETURN(std::string report, DocHash(c, "report", true));
  x->set_report_hash(report);
  PLEDGER_ASSIGN_OR_RETURN(std::string licence, Text(c, "licence-no", kMaxIdBytes, true));
  x->set_appraiser_licence_no(licence);
  return a;
}

// The statutory default scope of a security (CC 389, R16).
constexpr char kDefaultScope[] =
    "principal, interest, penalty, damages, custody costs and enforcement costs";

Result<Action> BuildPledgeRegister(Context& c) {
  Action a;
  auto* x = a.mutable_pledge_register();
  PLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> nos, Patents(c, "patent"));
  for (auto& no : nos) x->add_patent_nos(no);
  PLEDGER_ASSIGN_OR_RETURN(std::string pledgee, Org(c, "pledgee", true));
  x->set_pledgee_org_id(pledgee);
  std::vector<std::string> pledgors;
  std::set<std::string> seen;
  for (const std::string& v : c.args().GetAll("pledgor")) {
    PLEDGER_ASSIGN_OR_RETURN(std::string org, ParseOrgId("pledgor", v));
    if (!seen.insert(org).second) return FlagError("pledgor", org + " is given twice");
    pledgors.push_back(org);
  }
  if (pledgors.empty()) {
    // R6/R7a: the pledgors are exactly the registered owners; a node can say who they are.
    if (!c.HasNodeUrl()) {
      return UsageError("missing required flag --pledgor ORG (every registered owner of the patents; with a node "
                        "configured the wallet reads them from the register)");
    }
    for (const auto& no : nos) {
      PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
      auto v = n->Patent(no);
      c.Observe(v.status());
      if (!v.ok()) {
        return Status(v.status().code(), v.status().reason(),
                      "cannot read the owners of " + no + " to use as pledgors (" + std::string(v.status().message()) +
                          "); give --pledgor ORG");
      }
      for (const auto& o : v->patent().owners()) {
        if (seen.insert(o.org_id()).second) pledgors.push_back(o.org_id());
      }
    }
    c.Note("pledgors (the registered owners): " + [&] {
      std::string s;
      for (const auto& p : pledgors) s += (s.empty() ? "" : ", ") + p;
      return s;
    }());
  }
  if (pledgors.size() > kMaxOwners) return FlagError("pledgor", "at most 16 pledgors");
  for (auto& p : pledgors) x->add_pledgor_org_ids(p);
  PLEDGER_ASSIGN_OR_RETURN(std::string debtor, Org(c, "debtor", false));
  if (debtor.empty()) {
    if (pledgors.size() != 1) return UsageError("missing required flag --debtor ORG (the borrower)");
    debtor = pledgors[0];
  }
  x->set_debtor_org_id(debtor);
  PLEDGER_ASSIGN_OR_RETURN(std::string debt_type, Text(c, "debt-type", kMaxNameBytes, true));
  x->set_debt_type(debt_type);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t principal, Yuan(c, "principal", true, false));
  x->set_principal_fen(principal);
  PLEDGER_ASSIGN_OR_RETURN(std::string rate_text, Required(c, "rate"));
  PLEDGER_ASSIGN_OR_RETURN(std::uint32_t rate, ParseBps("rate", rate_text, kMaxPledgeRateBps));
  x->set_interest_rate_bps(rate);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t due, Date(c, "due"));
  PLEDGER_RETURN_IF_ERROR(NotPast("due", due, c.today()));
  x->set_due_date(due);
  PLEDGER_ASSIGN_OR_RETURN(std::string scope, Text(c, "scope", kMaxTextBytes, false));
  x->set_scope(scope.empty() ? kDefaultScope : scope);
  if (auto v = c.args().Get("valuation")) {
    PLEDGER_ASSIGN_OR_RETURN(std::string id, ParseObjectId("valuation", *v));
    x->set_valuation_id(id);
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string contract, DocHash(c, "contract", true));
  x->set_contract_hash(contract);
  x->set_forfeiture_clause(c.args().Has("forfeiture-clause"));
  x->set_risk_ack(c.args().Has("risk-ack"));
  x->set_caution_ack(c.args().Has("caution-ack"));
  PLEDGER_ASSIGN_OR_RETURN(std::string agency, Org(c, "agency", false));
  x->set_agency_org_id(agency);
  PLEDGER_ASSIGN_OR_RETURN(contracts::RiskClass risk,
                           ChoiceFlag(c, "risk-class", RiskChoices(), false, contracts::RISK_CLASS_UNSPECIFIED));
  x->set_risk_class(risk);
  return a;
}

Result<Action> BuildPledgeChange(Context& c) {
  Action a;
  auto* x = a.mutable_pledge_change();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Object(c, "pledge"));
  x->set_pledge_id(id);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t principal, Yuan(c, "principal", false, false));
  x->set_new_principal_fen(principal);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t due, OptDate(c, "due"));
  if (due != 0) PLEDGER_RETURN_IF_ERROR(NotPast("due", due, c.today()));
  x->set_new_due_date(due);
  PLEDGER_ASSIGN_OR_RETURN(std::string scope, Text(c, "scope", kMaxTextBytes, false));
  x->set_new_scope(scope);
  PLEDGER_ASSIGN_OR_RETURN(std::string debt_type, Text(c, "debt-type", kMaxNameBytes, false));
  x->set_new_debt_type(debt_type);
  if (principal == 0 && due == 0 && scope.empty() && debt_type.empty()) {
    return UsageError("the change changes nothing: give at least one of --principal, --due, --scope, --debt-type (R11)");
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string agreement, DocHash(c, "agreement", true));
  x->set_agreement_hash(agreement);
  return a;
}

Result<Action> BuildPledgeExtend(Context& c) {
  Action a;
  auto* x = a.mutable_pledge_change();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Object(c, "pledge"));
  x->set_pledge_id(id);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t due, Date(c, "due"));
  PLEDGER_RETURN_IF_ERROR(NotPast("due", due, c.today()));
  x->set_new_due_date(due);
  PLEDGER_ASSIGN_OR_RETURN(std::string agreement, DocHash(c, "agreement", true));
  x->set_agreement_hash(agreement);
  return a;
}

Result<Action> BuildLoanAccrue(Context& c) {
  Action a;
  auto* x = a.mutable_loan_accrue();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Object(c, "pledge"));
  x->set_pledge_id(id);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t interest, Yuan(c, "interest", false, true));
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t costs, Yuan(c, "costs", false, true));
  if (interest == 0 && costs == 0) return UsageError("give --interest YUAN or --costs YUAN (not both zero)");
  x->set_interest_fen(interest);
  x->set_costs_fen(costs);
  return a;
}

Result<Action> BuildLoanRepay(Context& c) {
  Action a;
  auto* x = a.mutable_loan_repay();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Object(c, "pledge"));
  x->set_pledge_id(id);
  const bool full = c.args().Has("full");
  if (full == c.args().Has("amount")) {
    return UsageError("give either --amount YUAN or --full (everything outstanding, read from the node)");
  }
  if (full) {
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
    auto p = n->Pledge(id);
    c.Observe(p.status());
    if (!p.ok()) {
      return Status(p.status().code(), p.status().reason(),
                    "--full: cannot read pledge " + id + " (" + std::string(p.status().message()) + ")");
    }
    auto claim = contracts::CheckedAdd(p->outstanding_costs_fen(), p->outstanding_interest_fen());
    if (claim) claim = contracts::CheckedAdd(*claim, p->outstanding_principal_fen());
    if (!claim || *claim <= 0) return FlagError("full", "pledge " + id + " has nothing outstanding");
    x->set_amount_fen(*claim);
    c.Note("outstanding on pledge " + id + ": " + FormatYuan(*claim) + " yuan (costs " +
           FormatYuan(p->outstanding_costs_fen()) + ", interest " + FormatYuan(p->outstanding_interest_fen()) +
           ", principal " + FormatYuan(p->outstanding_principal_fen()) + ")");
  } else {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t amount, Yuan(c, "amount", true, false));
    x->set_amount_fen(amount);
  }
  return a;
}

Result<Action> BuildLoanRenew(Context& c) {
  Action a;
  auto* x = a.mutable_loan_renew();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Object(c, "pledge"));
  x->set_pledge_id(id);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t due, Date(c, "due"));
  PLEDGER_RETURN_IF_ERROR(NotPast("due", due, c.today()));
  x->set_new_due_date(due);
  PLEDGER_ASSIGN_OR_RETURN(std::string agreement, DocHash(c, "agreement", true));
  x->set_agreement_hash(agreement);
  return a;
}

Result<Action> BuildLoanClassify(Context& c) {
  Action a;
  auto* x = a.mutable_loan_classify();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Object(c, "pledge"));
  x->set_pledge_id(id);
  PLEDGER_ASSIGN_OR_RETURN(contracts::RiskClass risk,
                           ChoiceFlag(c, "class", RiskChoices(), true, contracts::RISK_CLASS_UNSPECIFIED));
  x->set_risk_class(risk);
  return a;
}

Result<Action> BuildPledgeCancel(Context& c) {
  Action a;
  auto* x = a.mutable_pledge_cancel();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Object(c, "pledge"));
  x->set_pledge_id(id);
  PLEDGER_ASSIGN_OR_RETURN(contracts::CancelGround ground,
                           ChoiceFlag<contracts::CancelGround>(c, "ground",
                                                               {{"repaid", contracts::CANCEL_REPAID},
                                                                {"waived", contracts::CANCEL_WAIVED},
                                                                {"contract-void", contracts::CANCEL_CONTRACT_VOID},
                                                                {"court-order", contracts::CANCEL_COURT_ORDER},
                                                                {"other", contracts::CANCEL_OTHER}},
                                                               true, contracts::CANCEL_GROUND_UNSPECIFIED));
  x->set_ground(ground);
  const bool needs_doc = ground == contracts::CANCEL_COURT_ORDER || ground == contracts::CANCEL_CONTRACT_VOID;
  PLEDGER_ASSIGN_OR_RETURN(std::string doc, DocHash(c, "document", needs_doc));
  x->set_document_hash(doc);
  return a;
}

Result<Action> BuildPledgeEnforce(Context& c) {
  Action a;
  auto* x = a.mutable_pledge_enforce();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Object(c, "pledge"));
  x->set_pledge_id(id);
  PLEDGER_ASSIGN_OR_RETURN(contracts::EnforceMethod method,
                           ChoiceFlag<contracts::EnforceMethod>(c, "method",
                                                                {{"discount", contracts::ENFORCE_DISCOUNT},
                                                                 {"auction", contracts::ENFORCE_AUCTION},
                                                                 {"sale", contracts::ENFORCE_SALE}},
                                                                true, contracts::ENFORCE_METHOD_UNSPECIFIED));
  x->set_method(method);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t proceeds, Yuan(c, "proceeds", true, true));
  x->set_proceeds_fen(proceeds);
  PLEDGER_ASSIGN_OR_RETURN(std::string doc, DocHash(c, "document", true));
  x->set_document_hash(doc);
  return a;
}

// ---- governance and bank policy ------------------------------------------------------------

// Lending-policy flags over `base` (the bank's current policy when known).
Status PolicyFlags(Context& c, contracts::LendingPolicy* p, bool require_all) {
  auto need = [&](const std::string& flag) -> Status {
    if (require_all && !c.args().Has(flag)) {
      return UsageError("missing required flag --" + flag +
                        " (no node to read the current policy from, so every part of it must be given)");
    }
    return Status::OK();
  };
  PLEDGER_RETURN_IF_ERROR(need("ltv-cap"));
  if (auto v = c.args().Get("ltv-cap")) {
    if (NormaliseWord(*v) == "none") {
      p->set_ltv_cap_bps(0);
    } else {
      PLEDGER_ASSIGN_OR_RETURN(std::uint32_t cap, ParseBps("ltv-cap", *v, 100'000));
      if (cap == 0) return FlagError("ltv-cap", "write 'none' for no cap");
      p->set_ltv_cap_bps(cap);
    }
  }
  for (const char* flag : {"min-life-invention-days", "min-life-other-days"}) {
    PLEDGER_RETURN_IF_ERROR(need(flag));
    if (auto v = c.args().Get(flag)) {
      PLEDGER_ASSIGN_OR_RETURN(std::int64_t days, ParseInt(flag, *v, 0, kMaxLifeDays));
      if (std::string(flag) == "min-life-invention-days") {
        p->set_min_life_days_invention(static_cast<std::int32_t>(days));
      } else {
        p->set_min_life_days_other(static_cast<std::int32_t>(days));
      }
    }
  }
  const bool on = c.args().Has("valuation-required");
  const bool off = c.args().Has("no-valuation-required");
  if (on && off) return UsageError("give --valuation-required or --no-valuation-required, not both");
  if (require_all && !on && !off) {
    return UsageError("missing required flag --valuation-required or --no-valuation-required (no node to read the "
                      "current policy from)");
  }
  if (on) p->set_valuation_required(true);
  if (off) p->set_valuation_required(false);
  return Status::OK();
}

Result<Action> BuildBankPolicySet(Context& c) {
  Action a;
  auto* x = a.mutable_bank_policy_set();
  PLEDGER_ASSIGN_OR_RETURN(std::string bank, Org(c, "bank", true));
  x->set_bank_org_id(bank);
  // Flags left out keep the bank's current value, which only a node knows.
  bool have_base = false;
  if (c.HasNodeUrl()) {
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
    auto org = n->Org(bank);
    c.Observe(org.status());
    if (org.ok()) {
      *x->mutable_policy() = org->lending_policy();
      have_base = true;
    } else if (!org.status().IsNotFound()) {
      return org.status();
    }
  }
  PLEDGER_RETURN_IF_ERROR(PolicyFlags(c, x->mutable_policy(), !have_base));
  return a;
}

Result<Action> BuildOrgAdd(Context& c) {
  Action a;
  auto* o = a.mutable_org_add()->mutable_org();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Org(c, "id", true));
  o->set_id(id);
  PLEDGER_ASSIGN_OR_RETURN(std::string name, Text(c, "name", kMaxNameBytes, true));
  o->set_name(name);
  PLEDGER_ASSIGN_OR_RETURN(contracts::OrgKind kind,
                           ChoiceFlag(c, "kind", KindChoices(), true, contracts::ORG_KIND_UNSPECIFIED));
  o->set_kind(kind);
  PLEDGER_ASSIGN_OR_RETURN(std::string address, Text(c, "address", kMaxTextBytes, true));
  o->set_address(address);
  o->set_foreign_non_resident(c.args().Has("foreign-non-resident"));
  const bool policy_given = c.args().Has("ltv-cap") || c.args().Has("min-life-invention-days") ||
                            c.args().Has("min-life-other-days") || c.args().Has("valuation-required") ||
                            c.args().Has("no-valuation-required");
  if (policy_given && kind != contracts::ORG_BANK) {
    return UsageError("lending-policy flags (--ltv-cap …) are for banks only (R29)");
  }
  if (policy_given) PLEDGER_RETURN_IF_ERROR(PolicyFlags(c, o->mutable_lending_policy(), false));
  return a;
}

Result<std::vector<contracts::Role>> Roles(Context& c) {
  std::vector<contracts::Role> roles;
  for (const std::string& v : c.args().GetAll("role")) {
    PLEDGER_ASSIGN_OR_RETURN(contracts::Role r, ParseChoice("role", v, RoleChoices()));
    if (std::find(roles.begin(), roles.end(), r) != roles.end()) return FlagError("role", v + " is given twice");
    roles.push_back(r);
  }
  if (roles.empty()) return UsageError("missing required flag --role ROLE");
  if (roles.size() > kMaxRolesPerAccount) return FlagError("role", "an account has at most 8 roles");
  return roles;
}

Result<Action> BuildAccountAdd(Context& c) {
  Action a;
  auto* x = a.mutable_account_add();
  PLEDGER_ASSIGN_OR_RETURN(std::string key_text, Required(c, "public-key"));
  PLEDGER_ASSIGN_OR_RETURN(std::string key, ParsePublicKey("public-key", key_text));
  x->set_public_key_hex(key);
  PLEDGER_ASSIGN_OR_RETURN(std::string org, Org(c, "org", true));
  x->set_org_id(org);
  PLEDGER_ASSIGN_OR_RETURN(std::vector<contracts::Role> roles, Roles(c));
  for (auto r : roles) x->add_roles(r);
  return a;
}

Result<std::string> KeyFlag(Context& c, const std::string& flag) {
  PLEDGER_ASSIGN_OR_RETURN(std::string text, Required(c, flag));
  return ParsePublicKey(flag, text);
}

Result<Action> BuildAccountSuspend(Context& c) {
  Action a;
  auto* x = a.mutable_account_suspend();
  PLEDGER_ASSIGN_OR_RETURN(std::string key, KeyFlag(c, "public-key"));
  x->set_public_key_hex(key);
  x->set_suspended(!c.args().Has("reinstate"));
  return a;
}

Result<Action> BuildAccountRotate(Context& c) {
  Action a;
  auto* x = a.mutable_account_rotate_key();
  PLEDGER_ASSIGN_OR_RETURN(std::string old_key, KeyFlag(c, "public-key"));
  PLEDGER_ASSIGN_OR_RETURN(std::string new_key, KeyFlag(c, "new-public-key"));
  if (old_key == new_key) return FlagError("new-public-key", "is the same key as --public-key");
  x->set_old_public_key_hex(old_key);
  x->set_new_public_key_hex(new_key);
  return a;
}

Result<Action> BuildRole(Context& c, bool grant) {
  Action a;
  PLEDGER_ASSIGN_OR_RETURN(std::string key, KeyFlag(c, "public-key"));
  PLEDGER_ASSIGN_OR_RETURN(std::string text, Required(c, "role"));
  PLEDGER_ASSIGN_OR_RETURN(contracts::Role role, ParseChoice("role", text, RoleChoices()));
  if (grant) {
    a.mutable_role_grant()->set_public_key_hex(key);
    a.mutable_role_grant()->set_role(role);
  } else {
    a.mutable_role_revoke()->set_public_key_hex(key);
    a.mutable_role_revoke()->set_role(role);
  }
  return a;
}

Result<Action> BuildParamsSet(Context& c) {
  Action a;
  contracts::Params* p = a.mutable_params_set()->mutable_params();
  // ParamsSet replaces the parameters as a whole: start from a file or from
  // what the chain has now, never from zeros.
  if (auto from = c.args().Get("from")) {
    contracts::Params file;
    auto json = io::ReadFile(*from, 1 << 20);
    if (!json.ok()) return FlagError("from", "cannot read " + *from + ": " + std::string(json.status().message()));
    Status s = io::ParseJson(*json, &file, *from);
    if (!s.ok()) return FlagError("from", std::string(s.message()));
    *p = file;
  } else {
    if (!c.HasNodeUrl()) {
      return UsageError("missing required flag --from FILE (parameters as JSON): without a node the wallet cannot "
                        "read the current parameters to change");
    }
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
    auto cur = n->Params();
    c.Observe(cur.status());
    if (!cur.ok()) return cur.status();
    *p = *cur;
  }
  // The engine does not bound the filing and decision periods; a century of
  // days catches a value typed in the wrong unit.
  constexpr std::int64_t kMaxPeriodDays = 36'600;
  auto uint_flag = [&](const char* flag, std::int64_t max, auto setter) -> Status {
    if (auto v = c.args().Get(flag)) {
      PLEDGER_ASSIGN_OR_RETURN(std::int64_t n, ParseInt(flag, *v, 0, max));
      setter(n);
    }
    return Status::OK();
  };
  PLEDGER_RETURN_IF_ERROR(uint_flag("max-expiry-window", kMaxExpiryWindowLimit, [&](std::int64_t n) {
    p->set_max_expiry_window(static_cast<std::uint64_t>(n));
  }));
  if (p->max_expiry_window() == 0) return FlagError("max-expiry-window", "must be at least 1 block");
  if (auto v = c.args().Get("caution-credit-limit")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t fen, ParseYuan("caution-credit-limit", *v, true));
    p->set_caution_credit_limit_fen(fen);
  }
  PLEDGER_RETURN_IF_ERROR(uint_flag("caution-bank-threshold", 1000, [&](std::int64_t n) {
    p->set_caution_bank_threshold(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("caution-bank-threshold-individual", 1000, [&](std::int64_t n) {
    p->set_caution_bank_threshold_individual(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("fee-grace-months", kMaxParamsMonths, [&](std::int64_t n) {
    p->set_fee_grace_months(static_cast<std::uint32_t>(n));
  }));
  if (auto v = c.args().Get("fee-surcharge")) {
    PLEDGER_ASSIGN_OR_RETURN(std::uint32_t bps, ParseBps("fee-surcharge", *v, kMaxFeeSurchargeBps));
    p->set_fee_surcharge_bps_per_month(bps);
  }
  PLEDGER_RETURN_IF_ERROR(uint_flag("licence-filing-months", kMaxParamsMonths, [&](std::int64_t n) {
    p->set_licence_filing_months(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("change-filing-days", kMaxPeriodDays, [&](std::int64_t n) {
    p->set_change_filing_days(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("decision-sla-days", kMaxPeriodDays, [&](std::int64_t n) {
    p->set_decision_sla_days(static_cast<std::uint32_t>(n));
  }));
  std::set<std::int32_t> holidays(p->holidays().begin(), p->holidays().end());
  for (const std::string& v : c.args().GetAll("add-holiday")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int32_t d, ParseDate("add-holiday", v, c.today()));
    holidays.insert(d);
  }
  for (const std::string& v : c.args().GetAll("remove-holiday")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int32_t d, ParseDate("remove-holiday", v, c.today()));
    if (!holidays.erase(d)) return FlagError("remove-holiday", FormatDay(d) + " is not a holiday now");
  }
  if (holidays.size() > kMaxHolidays) return FlagError("add-holiday", "at most 2000 holidays");
  p->clear_holidays();
  for (std::int32_t d : holidays) p->add_holidays(d);
  return a;
}

Result<Action> BuildValidatorAdd(Context& c) {
  Action a;
  auto* v = a.mutable_validator_add()->mutable_validator();
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Org(c, "node-id", true));
  v->set_node_id(id);
  PLEDGER_ASSIGN_OR_RETURN(std::string key, KeyFlag(c, "public-key"));
  v->set_public_key_hex(key);
  PLEDGER_ASSIGN_OR_RETURN(std::string org, Org(c, "org", true));
  v->set_org_id(org);
  PLEDGER_ASSIGN_OR_RETURN(std::string peer_text, Required(c, "peer"));
  PLEDGER_ASSIGN_OR_RETURN(std::string peer, ParseHostPort("peer", peer_text));
  v->set_peer_address(peer);
  PLEDGER_ASSIGN_OR_RETURN(std::string api_text, Required(c, "api"));
  PLEDGER_ASSIGN_OR_RETURN(std::string api, ParseHostPort("api", api_text));
  v->set_api_address(api);
  if (c.args().Has("learner") && c.args().Has("voter")) return UsageError("give --learner or --voter, not both");
  // A new node joins as a learner and is promoted once it caught up; voting
  // from the start is possible but risks the quorum while it catches up.
  v->set_role(c.args().Has("voter") ? contracts::VALIDATOR_VOTER : contracts::VALIDATOR_LEARNER);
  return a;
}

Result<Action> BuildValidatorNode(Context& c, bool promote) {
  Action a;
  PLEDGER_ASSIGN_OR_RETURN(std::string id, Org(c, "node-id", true));
  if (promote) {
    a.mutable_validator_promote()->set_node_id(id);
  } else {
    a.mutable_validator_remove()->set_node_id(id);
  }
  return a;
}

// ---- pools and tranches (issue 8; docs/contracts.md "Pools and tranches") ----------------

// The parts of a compound flag value, split at ':' ("1:senior:800000:3.65:AAA").
std::vector<std::string> SplitColons(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t colon = v.find(':', start);
    out.push_back(v.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) return out;
    start = colon + 1;
  }
}

// "1,000" for unit counts.
std::string Units(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// A pool member as typed: a patent number (LICENSE pools) or a pledge id (LOAN pools).
Result<std::string> ParseMember(const std::string& flag, const std::string& text) {
  if (auto no = ParsePatentNo(flag, text); no.ok()) return *no;
  if (auto id = ParseObjectId(flag, text); id.ok()) return *id;
  return FlagError(flag, "'" + Printable(text) + "' is neither a patent number (ZL…) nor a pledge id (32 hex)");
}

// The pool as the node has it. nullopt when no node is configured or it
// could not answer (the ledger checks again); a USAGE error naming --pool when
// the node says there is no such pool.
Result<std::optional<contracts::PoolView>> PoolIfKnown(Context& c, const std::string& id) {
  if (!c.HasNodeUrl() || c.node_down()) return std::optional<contracts::PoolView>();
  PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
  auto v = n->Pool(id);
  c.Observe(v.status());
  if (v.ok()) return std::optional<contracts::PoolView>(*v);
  if (v.status().IsNotFound() && v.status().reason() == "POOL_NOT_FOUND") {
    return FlagError("pool", "there is no pool " + id + " on the ledger (its id is the first 32 characters of the "
                             "pool create transaction id)");
  }
  c.Note("note: could not read pool " + id + " (" + std::string(v.status().message()) +
         "); the checks that need it are left to the ledger");
  return std::optional<contracts::PoolView>();
}

const std::vector<Choice<contracts::PoolModel>>& ModelChoices() {
  static const std::vector<Choice<contracts::PoolModel>> kChoices = {
      {"license", contracts::POOL_LICENSE}, {"licence", contracts::POOL_LICENSE}, {"loan", contracts::POOL_LOAN}};
  return kChoices;
}

const std::vector<Choice<contracts::PatentType>>& PatentTypeChoices() {
  static const std::vector<Choice<contracts::PatentType>> kChoices = {
      {"invention", contracts::PATENT_INVENTION},
      {"utility-model", contracts::PATENT_UTILITY},
      {"utility", contracts::PATENT_UTILITY},
      {"design", contracts::PATENT_DESIGN}};
  return kChoices;
}

const std::vector<Choice<contracts::TrancheClass>>& TrancheClassChoices() {
  static const std::vector<Choice<contracts::TrancheClass>> kChoices = {
      {"senior", contracts::TRANCHE_SENIOR},
      {"mezzanine", contracts::TRANCHE_MEZZANINE},
      {"subordinated", contracts::TRANCHE_SUBORDINATED}};
  return kChoices;
}

Result<std::string> PoolFlag(Context& c) { return Object(c, "pool"); }

Result<Action> BuildPoolCreate(Context& c) {
  Action a;
  auto* x = a.mutable_pool_create();
  PLEDGER_ASSIGN_OR_RETURN(std::string name, Text(c, "name", kMaxNameBytes, true));
  x->set_name(name);
  PLEDGER_ASSIGN_OR_RETURN(std::string trustee, Org(c, "trustee", true));
  x->set_trustee_org_id(trustee);
  PLEDGER_ASSIGN_OR_RETURN(contracts::PoolModel model,
                           ChoiceFlag(c, "model", ModelChoices(), true, contracts::POOL_MODEL_UNSPECIFIED));
  x->set_model(model);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t maturity, Date(c, "maturity"));
  if (maturity <= c.today()) {
    return FlagError("maturity", FormatDay(maturity) + " is not after today (" + FormatDay(c.today()) +
                                     "); the legal maturity lies in the future (R31)");
  }
  x->set_legal_maturity_date(maturity);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t size, Yuan(c, "deal-size", true, false));
  x->set_deal_size_fen(size);

  auto* e = x->mutable_eligibility();
  std::set<int> types;  // the ledger keeps them sorted; so does the wallet
  for (const std::string& v : c.args().GetAll("patent-type")) {
    PLEDGER_ASSIGN_OR_RETURN(contracts::PatentType t, ParseChoice("patent-type", v, PatentTypeChoices()));
    if (!types.insert(t).second) return FlagError("patent-type", v + " is given twice");
  }
  for (int t : types) e->add_patent_types(static_cast<contracts::PatentType>(t));
  if (auto v = c.args().Get("min-life-beyond-maturity-days")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t days, ParseInt("min-life-beyond-maturity-days", *v, 0, kMaxLifeDays));
    e->set_min_life_beyond_maturity_days(static_cast<std::int32_t>(days));
  }
  if (auto v = c.args().Get("max-members")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t n, ParseInt("max-members", *v, 1, kMaxPoolMembers));
    e->set_max_members(static_cast<std::uint32_t>(n));
  }
  e->set_valuation_required(c.args().Has("valuation-required"));

  const std::vector<std::string> fees = c.args().GetAll("fee");
  if (fees.size() > kMaxFeeLines) return FlagError("fee", "at most 8 fee lines (H1)");
  std::set<std::string> fee_names;
  for (const std::string& v : fees) {
    const std::vector<std::string> p = SplitColons(v);
    if (p.size() < 3 || p.size() > 4) {
      return FlagError("fee", "'" + Printable(v) + "' is not NAME:PAYEE:YUAN[:RATE] (e.g. manager:spv1:5000.00, or "
                              "custodian:qtbank:0:0.05% for a yearly rate on the tranches' outstanding principal)");
    }
    if (p[0].empty() || p[0].size() > kMaxFeeNameBytes) return FlagError("fee", "a fee's name is 1 to 64 bytes");
    if (!fee_names.insert(p[0]).second) return FlagError("fee", "fee '" + Printable(p[0]) + "' is given twice");
    auto* f = x->add_fees();
    f->set_name(p[0]);
    PLEDGER_ASSIGN_OR_RETURN(std::string payee, ParseOrgId("fee", p[1]));
    f->set_payee_org_id(payee);
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t fixed, ParseYuan("fee", p[2], true));
    f->set_fixed_fen(fixed);
    if (p.size() == 4) {
      PLEDGER_ASSIGN_OR_RETURN(std::uint32_t rate, ParseBps("fee", p[3], kMaxPoolRateBps));
      f->set_rate_bps(rate);
    }
    if (f->fixed_fen() == 0 && f->rate_bps() == 0) {
      return FlagError("fee", "fee '" + Printable(p[0]) + "' is zero: give an amount per payment date, a yearly rate, or both");
    }
  }

  PLEDGER_ASSIGN_OR_RETURN(std::string guarantor, Org(c, "guarantor", false));
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t limit, Yuan(c, "guarantee-limit", false, false));
  if (!guarantor.empty() && limit == 0) {
    return UsageError("missing required flag --guarantee-limit YUAN (the guarantor's total commitment, H5)");
  }
  if (guarantor.empty() && limit != 0) return FlagError("guarantee-limit", "goes with --guarantor ORG (H5)");
  x->set_guarantor_org_id(guarantor);
  x->set_guarantee_limit_fen(limit);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t reserve, Yuan(c, "reserve", false, true));
  x->set_reserve_target_fen(reserve);
  PLEDGER_ASSIGN_OR_RETURN(std::string deed, DocHash(c, "deed", true));
  x->set_document_hash(deed);
  return a;
}

Result<Action> BuildPoolAdmitPatents(Context& c) {
  Action a;
  auto* x = a.mutable_pool_admit_patents();
  PLEDGER_ASSIGN_OR_RETURN(std::string pool, PoolFlag(c));
  x->set_pool_id(pool);
  PLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> nos, Patents(c, "patent"));
  for (auto& no : nos) x->add_patent_nos(no);
  return a;
}

Result<Action> BuildPoolAdmitPledges(Context& c) {
  Action a;
  auto* x = a.mutable_pool_admit_pledges();
  PLEDGER_ASSIGN_OR_RETURN(std::string pool, PoolFlag(c));
  x->set_pool_id(pool);
  std::set<std::string> seen;
  for (const std::string& v : c.args().GetAll("pledge")) {
    PLEDGER_ASSIGN_OR_RETURN(std::string id, ParseObjectId("pledge", v));
    if (!seen.insert(id).second) return FlagError("pledge", id + " is given twice");
    x->add_pledge_ids(id);
  }
  if (x->pledge_ids().empty()) return UsageError("missing required flag --pledge ID");
  if (static_cast<size_t>(x->pledge_ids_size()) > kMaxPoolItemsPerAction) {
    return FlagError("pledge", "at most 64 pledges in one transaction");
  }
  return a;
}

Result<Action> BuildPoolRemove(Context& c) {
  Action a;
  auto* x = a.mutable_pool_remove();
  PLEDGER_ASSIGN_OR_RETURN(std::string pool, PoolFlag(c));
  x->set_pool_id(pool);
  PLEDGER_ASSIGN_OR_RETURN(std::string member_text, Required(c, "member"));
  PLEDGER_ASSIGN_OR_RETURN(std::string member, ParseMember("member", member_text));
  x->set_member(member);
  PLEDGER_ASSIGN_OR_RETURN(contracts::PoolRemoveReason reason,
                           ChoiceFlag<contracts::PoolRemoveReason>(
                               c, "reason",
                               {{"withdrawn", contracts::POOL_REMOVE_WITHDRAWN},
                                {"substitution", contracts::POOL_REMOVE_SUBSTITUTION},
                                {"default", contracts::POOL_REMOVE_DEFAULT}},
                               true, contracts::POOL_REMOVE_REASON_UNSPECIFIED));
  x->set_reason(reason);
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t loss, Yuan(c, "loss", false, false));
  if (loss != 0 && reason != contracts::POOL_REMOVE_DEFAULT) {
    return FlagError("loss", "a loss goes only with --reason default (R32)");
  }
  x->set_loss_fen(loss);
  PLEDGER_ASSIGN_OR_RETURN(std::string doc, DocHash(c, "document", reason == contracts::POOL_REMOVE_DEFAULT));
  x->set_document_hash(doc);
  return a;
}

// --tranche RANK:CLASS:PRINCIPAL[:COUPON[:RATING]], --schedule RANK:DATE[:YUAN],
// --allocate RANK:ORG:UNITS: the tranches in rank order, each with its
// schedule steps in the order given, then the allocations in the order given.
Result<Action> BuildTrancheIssue(Context& c) {
  Action a;
  auto* x = a.mutable_tranche_issue();
  PLEDGER_ASSIGN_OR_RETURN(std::string pool_id, PoolFlag(c));
  x->set_pool_id(pool_id);
  PLEDGER_ASSIGN_OR_RETURN(std::optional<contracts::PoolView> pool, PoolIfKnown(c, pool_id));

  std::map<std::int64_t, contracts::TrancheSpec> by_rank;
  for (const std::string& v : c.args().GetAll("tranche")) {
    const std::vector<std::string> p = SplitColons(v);
    if (p.size() < 3 || p.size() > 5) {
      return FlagError("tranche", "'" + Printable(v) + "' is not RANK:CLASS:PRINCIPAL[:COUPON[:RATING]] (e.g. "
                                  "1:senior:800000:3.65:AAA or 3:subordinated:50000)");
    }
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t rank, ParseInt("tranche", p[0], 1, kMaxTrancheRank));
    const std::string which = "rank " + std::to_string(rank);
    if (by_rank.count(rank)) return FlagError("tranche", which + " is given twice; ranks are unique (R32)");
    contracts::TrancheSpec t;
    t.set_rank(static_cast<std::uint32_t>(rank));
    PLEDGER_ASSIGN_OR_RETURN(contracts::TrancheClass cls, ParseChoice("tranche", p[1], TrancheClassChoices()));
    t.set_tranche_class(cls);
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t principal, ParseYuan("tranche", p[2], false));
    if (principal % kUnitFaceFen != 0) {
      return FlagError("tranche", which + ": " + FormatYuan(principal) +
                                      " yuan is not a whole number of units of 100 yuan");
    }
    t.set_principal_fen(principal);
    if (p.size() >= 4 && !p[3].empty()) {
      PLEDGER_ASSIGN_OR_RETURN(std::uint32_t coupon, ParseBps("tranche", p[3], kMaxPoolRateBps));
      t.set_coupon_bps(coupon);
    }
    if (p.size() == 5) {
      if (p[4].size() > kMaxRatingBytes) return FlagError("tranche", which + ": a rating label is at most 16 bytes");
      t.set_rating(p[4]);
    }
    if (cls == contracts::TRANCHE_SUBORDINATED && t.coupon_bps() != 0) {
      return FlagError("tranche", which + ": the subordinated tranche has no coupon; it takes the residual (H6)");
    }
    if (cls != contracts::TRANCHE_SUBORDINATED && t.rating().empty()) {
      return FlagError("tranche", which + ": a senior or mezzanine tranche needs its rating, e.g. " + p[0] + ":" +
                                      p[1] + ":" + p[2] + ":" + (p.size() >= 4 && !p[3].empty() ? p[3] : "3.65") +
                                      ":AAA");
    }
    by_rank.emplace(rank, std::move(t));
  }
  if (by_rank.empty()) return UsageError("missing required flag --tranche RANK:CLASS:PRINCIPAL[:COUPON[:RATING]]");
  if (by_rank.size() < 2) {
    return FlagError("tranche", "a deal has at least one senior tranche and the subordinated one (R32)");
  }
  // Structure (R32): seniors, then mezzanines, then exactly one subordinated tranche, last.
  std::int64_t total = 0;
  int seniors = 0, subordinated = 0;
  contracts::TrancheClass previous = contracts::TRANCHE_SENIOR;
  for (const auto& [rank, t] : by_rank) {
    if (t.tranche_class() < previous) {
      return FlagError("tranche", "rank " + std::to_string(rank) + " (" +
                                      Friendly(contracts::TrancheClass_Name(t.tranche_class()), "TRANCHE_") +
                                      ") ranks below a more junior class; ranks run senior, mezzanine, subordinated (R32)");
    }
    previous = t.tranche_class();
    seniors += t.tranche_class() == contracts::TRANCHE_SENIOR ? 1 : 0;
    subordinated += t.tranche_class() == contracts::TRANCHE_SUBORDINATED ? 1 : 0;
    total += t.principal_fen();  // at most 9 x 10^14: fits
  }
  if (seniors == 0 || subordinated != 1) {
    return FlagError("tranche", "a deal has at least one senior tranche and exactly one subordinated tranche (R32)");
  }
  if (pool && total != pool->pool().deal_size_fen()) {
    return FlagError("tranche", "the tranches add up to " + FormatYuan(total) + " yuan; the deal size of pool " +
                                    pool_id + " is " + FormatYuan(pool->pool().deal_size_fen()) + " yuan (R32)");
  }

  // Principal schedules of the rated tranches (H3, H4).
  std::map<std::int64_t, std::vector<std::pair<std::int32_t, std::string>>> steps;  // rank -> (date, amount text)
  for (const std::string& v : c.args().GetAll("schedule")) {
    const std::vector<std::string> p = SplitColons(v);
    if (p.size() < 2 || p.size() > 3) {
      return FlagError("schedule", "'" + Printable(v) + "' is not RANK:DATE[:YUAN] (e.g. 1:2027-06-30:400000; a "
                                   "bullet repayment is one step without an amount: 1:2027-06-30)");
    }
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t rank, ParseInt("schedule", p[0], 1, kMaxTrancheRank));
    auto it = by_rank.find(rank);
    if (it == by_rank.end()) return FlagError("schedule", "rank " + std::to_string(rank) + " is not a --tranche");
    if (it->second.tranche_class() == contracts::TRANCHE_SUBORDINATED) {
      return FlagError("schedule", "the subordinated tranche has no schedule; it takes the residual (H6)");
    }
    PLEDGER_ASSIGN_OR_RETURN(std::int32_t date, ParseDate("schedule", p[1], c.today()));
    steps[rank].emplace_back(date, p.size() == 3 ? p[2] : std::string());
  }
  std::int32_t previous_last = 0;
  for (auto& [rank, t] : by_rank) {
    if (t.tranche_class() == contracts::TRANCHE_SUBORDINATED) continue;
    const std::string which = "rank " + std::to_string(rank);
    const auto& s = steps[rank];
    if (s.empty()) {
      return UsageError("missing required flag --schedule " + std::to_string(rank) + ":DATE[:YUAN] for " + which +
                        " (a bullet repayment is one step: --schedule " + std::to_string(rank) + ":2027-06-30)");
    }
    if (s.size() > kMaxScheduleSteps) return FlagError("schedule", which + ": at most 120 steps");
    std::int64_t sum = 0;
    std::int32_t last = 0;
    for (const auto& [date, amount_text] : s) {
      if (date <= c.today()) return FlagError("schedule", which + ": " + FormatDay(date) + " is not after today");
      if (date <= last) return FlagError("schedule", which + ": dates must increase (" + FormatDay(date) + " after " + FormatDay(last) + ")");
      if (pool && date > pool->pool().legal_maturity_date()) {
        return FlagError("schedule", which + ": " + FormatDay(date) + " is after the pool's legal maturity " +
                                         FormatDay(pool->pool().legal_maturity_date()));
      }
      std::int64_t amount = t.principal_fen();
      if (!amount_text.empty()) {
        PLEDGER_ASSIGN_OR_RETURN(amount, ParseYuan("schedule", amount_text, false));
      } else if (s.size() > 1) {
        return FlagError("schedule", which + ": give each step's amount (RANK:DATE:YUAN) when there are several");
      }
      auto* step = t.add_schedule();
      step->set_date(date);
      step->set_amount_fen(amount);
      sum += amount;  // at most 120 x 10^14: fits
      last = date;
    }
    if (sum != t.principal_fen()) {
      return FlagError("schedule", which + ": the steps add up to " + FormatYuan(sum) + " yuan, not its principal " +
                                       FormatYuan(t.principal_fen()) + " yuan (H3)");
    }
    if (s.front().first < previous_last) {
      return FlagError("schedule", which + " would receive principal from " + FormatDay(s.front().first) +
                                       ", before the tranche above it is repaid (" + FormatDay(previous_last) +
                                       "); principal is sequential (H3, H4)");
    }
    previous_last = last;
  }
  for (auto& [rank, t] : by_rank) *x->add_tranches() = t;

  // Every unit placed: per rank the allocations add up to principal / 100 yuan.
  std::map<std::int64_t, std::set<std::string>> holders;
  std::map<std::int64_t, std::int64_t> placed;
  for (const std::string& v : c.args().GetAll("allocate")) {
    const std::vector<std::string> p = SplitColons(v);
    if (p.size() != 3) return FlagError("allocate", "'" + Printable(v) + "' is not RANK:ORG:UNITS (e.g. 1:inv-1:5000)");
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t rank, ParseInt("allocate", p[0], 1, kMaxTrancheRank));
    if (!by_rank.count(rank)) return FlagError("allocate", "rank " + std::to_string(rank) + " is not a --tranche");
    PLEDGER_ASSIGN_OR_RETURN(std::string org, ParseOrgId("allocate", p[1]));
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t units, ParseInt("allocate", p[2], 1, kMaxUnits));
    if (!holders[rank].insert(org).second) {
      return FlagError("allocate", org + " is allocated rank " + std::to_string(rank) + " twice; merge the allocations");
    }
    placed[rank] += units;  // at most 200 x 10^10: fits
    auto* u = x->add_allocations();
    u->set_rank(static_cast<std::uint32_t>(rank));
    u->set_investor_org_id(org);
    u->set_units(units);
  }
  for (const auto& [rank, t] : by_rank) {
    const std::int64_t issued = t.principal_fen() / kUnitFaceFen;
    if (placed[rank] != issued) {
      return FlagError("allocate", "rank " + std::to_string(rank) + " issues " + Units(issued) +
                                       " units (its principal in units of 100 yuan); the allocations place " +
                                       Units(placed[rank]) + " (R32)");
    }
    if (holders[rank].size() > kMaxHoldersPerTranche) {
      return FlagError("allocate", "rank " + std::to_string(rank) + " has more than 200 holders");
    }
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string doc, DocHash(c, "offering", true));
  x->set_document_hash(doc);
  return a;
}

Result<Action> BuildHoldingTransfer(Context& c) {
  Action a;
  auto* x = a.mutable_holding_transfer();
  PLEDGER_ASSIGN_OR_RETURN(std::string pool, PoolFlag(c));
  x->set_pool_id(pool);
  PLEDGER_ASSIGN_OR_RETURN(std::string rank_text, Required(c, "rank"));
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t rank, ParseInt("rank", rank_text, 1, kMaxTrancheRank));
  x->set_rank(static_cast<std::uint32_t>(rank));
  PLEDGER_ASSIGN_OR_RETURN(std::string from, Org(c, "from", true));
  PLEDGER_ASSIGN_OR_RETURN(std::string to, Org(c, "to", true));
  if (from == to) return FlagError("to", "is the holder itself (--from " + from + ")");
  x->set_from_org_id(from);
  x->set_to_org_id(to);
  PLEDGER_ASSIGN_OR_RETURN(std::string units_text, Required(c, "units"));
  PLEDGER_ASSIGN_OR_RETURN(std::int64_t units, ParseInt("units", units_text, 1, kMaxUnits));
  x->set_units(units);
  return a;
}

// One collection flag's items: MEMBER:YUAN each.
Status CollectionItems(Context& c, const std::string& flag, contracts::CollectionKind kind,
                       contracts::PoolCollect* x) {
  for (const std::string& v : c.args().GetAll(flag)) {
    const size_t colon = v.rfind(':');
    if (colon == std::string::npos) {
      return FlagError(flag, "'" + Printable(v) + "' is not MEMBER:YUAN (e.g. ZL201410362077.3:5000.00)");
    }
    std::string member;
    if (kind == contracts::COLLECTION_ROYALTY) {
      PLEDGER_ASSIGN_OR_RETURN(member, ParsePatentNo(flag, v.substr(0, colon)));
    } else if (kind == contracts::COLLECTION_LOAN_REPAYMENT) {
      PLEDGER_ASSIGN_OR_RETURN(member, ParseObjectId(flag, v.substr(0, colon)));
    } else {
      PLEDGER_ASSIGN_OR_RETURN(member, ParseMember(flag, v.substr(0, colon)));
    }
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t amount, ParseYuan(flag, v.substr(colon + 1), false));
    auto* item = x->add_items();
    item->set_member(member);
    item->set_kind(kind);
    item->set_amount_fen(amount);
  }
  return Status::OK();
}

Result<Action> BuildPoolCollect(Context& c) {
  Action a;
  auto* x = a.mutable_pool_collect();
  PLEDGER_ASSIGN_OR_RETURN(std::string pool, PoolFlag(c));
  x->set_pool_id(pool);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t date, OptDate(c, "date"));
  if (date == 0) date = c.today();
  PLEDGER_RETURN_IF_ERROR(NotFuture("date", date, c.today()));
  x->set_collection_date(date);
  PLEDGER_RETURN_IF_ERROR(CollectionItems(c, "royalty", contracts::COLLECTION_ROYALTY, x));
  PLEDGER_RETURN_IF_ERROR(CollectionItems(c, "repayment", contracts::COLLECTION_LOAN_REPAYMENT, x));
  PLEDGER_RETURN_IF_ERROR(CollectionItems(c, "recovery", contracts::COLLECTION_RECOVERY, x));
  if (x->items().empty()) {
    return UsageError("missing required flag: give --royalty PATENT:YUAN, --repayment PLEDGE:YUAN or --recovery "
                      "MEMBER:YUAN (H7)");
  }
  if (static_cast<size_t>(x->items_size()) > kMaxPoolItemsPerAction) {
    return UsageError("at most 64 collections in one transaction; split them");
  }
  return a;
}

Result<Action> BuildPoolPay(Context& c) {
  Action a;
  auto* x = a.mutable_pool_pay();
  PLEDGER_ASSIGN_OR_RETURN(std::string pool, PoolFlag(c));
  x->set_pool_id(pool);
  PLEDGER_ASSIGN_OR_RETURN(std::int32_t date, OptDate(c, "date"));
  if (date == 0) date = c.today();
  PLEDGER_RETURN_IF_ERROR(NotFuture("date", date, c.today()));
  x->set_payment_date(date);
  x->set_no_shortfall_draw(c.args().Has("no-shortfall-draw"));
  // What the waterfall will do, so the trustee knows before signing whether
  // the guarantor must co-sign (H5). Advice: the ledger computes it again.
  if (c.HasNodeUrl() && !c.node_down()) {
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
    auto st = n->PoolPreview(pool, date, !x->no_shortfall_draw());
    c.Observe(st.status());
    if (!st.ok()) {
      if (st.status().IsNotFound() && st.status().reason() == "POOL_NOT_FOUND") {
        return FlagError("pool", "there is no pool " + pool + " on the ledger");
      }
      if (st.status().reason() == "POOL_PAYMENT_DATE_INVALID" || st.status().reason() == "TRANCHE_NOT_ISSUED") {
        return FlagError(st.status().reason() == "TRANCHE_NOT_ISSUED" ? "pool" : "date",
                         std::string(st.status().message()));
      }
      c.Note("note: no payment preview (" + std::string(st.status().message()) + ")");
    } else {
      c.Note("preview of " + FormatDay(date) + " with the collections recorded so far: cash " +
             FormatYuan(st->cash_in_fen()) + " yuan (guarantor " + FormatYuan(st->guarantor_draw_fen()) +
             "); fees " + FormatYuan(st->fees_paid_fen()) + ", interest " + FormatYuan(st->interest_paid_fen()) +
             ", principal " + FormatYuan(st->principal_paid_fen()) + ", residual " +
             FormatYuan(st->residual_paid_fen()) + ", kept " + FormatYuan(st->carried_out_fen()) + " yuan");
      if (st->senior_shortfall_fen() > 0) {
        c.Note("senior interest or scheduled principal of " + FormatYuan(st->senior_shortfall_fen()) +
               " yuan stays unpaid (H5): grounds for `pledger-wallet pool trigger`");
      }
    }
  }
  return a;
}

Result<Action> BuildPoolTrigger(Context& c) {
  Action a;
  auto* x = a.mutable_pool_trigger();
  PLEDGER_ASSIGN_OR_RETURN(std::string pool, PoolFlag(c));
  x->set_pool_id(pool);
  PLEDGER_ASSIGN_OR_RETURN(contracts::PoolTriggerReason reason,
                           ChoiceFlag<contracts::PoolTriggerReason>(
                               c, "reason",
                               {{"senior-shortfall", contracts::POOL_TRIGGER_SENIOR_SHORTFALL},
                                {"collateral-default", contracts::POOL_TRIGGER_COLLATERAL_DEFAULT},
                                {"guarantor-default", contracts::POOL_TRIGGER_GUARANTOR_DEFAULT},
                                {"rating-downgrade", contracts::POOL_TRIGGER_RATING_DOWNGRADE},
                                {"other", contracts::POOL_TRIGGER_OTHER}},
                               true, contracts::POOL_TRIGGER_REASON_UNSPECIFIED));
  x->set_reason(reason);
  PLEDGER_ASSIGN_OR_RETURN(std::string notice, DocHash(c, "notice", true));
  x->set_document_hash(notice);
  return a;
}

Result<Action> BuildPoolWindDown(Context& c) {
  Action a;
  PLEDGER_ASSIGN_OR_RETURN(std::string pool, PoolFlag(c));
  a.mutable_pool_wind_down()->set_pool_id(pool);
  return a;
}

// ---- the command rows ------------------------------------------------------------------

const char kJointSigners[] =
    "Signed by the pledgee bank, an OWNER account of every pledgor and an IP office (R1, R11): draft it with "
    "--out FILE, have the others run `pledger-wallet sign FILE`, then `pledger-wallet submit FILE`.";
const char kPledgeeSigns[] = "Signed by a BANK account of the pledgee.";
const char kQuorum[] =
    "Governance: signed by IP-office accounts of more than half of the IP-office organisations. Draft it with "
    "--out FILE and collect the signatures with `pledger-wallet sign FILE`.";

FlagDef F(std::string name, std::string value, std::string help, bool required = false) {
  return FlagDef{std::move(name), std::move(value), std::move(help), false, required};
}
FlagDef Many(std::string name, std::string value, std::string help, bool required = false) {
  return FlagDef{std::move(name), std::move(value), std::move(help), true, required};
}
FlagDef Switch(std::string name, std::string help) { return FlagDef{std::move(name), "", std::move(help), false, false}; }
FlagDef Doc(const std::string& name, const std::string& what, bool required) {
  return FlagDef{name + "-hash", "HEX", "SHA-256 of " + what + " (or --" + name + " FILE to hash the file here)",
                 false, required};
}
FlagDef DocFile(const std::string& name, const std::string& what) {
  return FlagDef{name, "FILE", what + " to hash (instead of --" + name + "-hash)", false, false};
}

Command Tx(std::string group, std::string name, std::string summary, std::string details,
           std::vector<FlagDef> flags, std::vector<std::string> examples,
           std::function<Result<Action>(Context&)> build) {
  Command c;
  c.group = std::move(group);
  c.name = std::move(name);
  c.summary = std::move(summary);
  c.details = std::move(details);
  c.flags = std::move(flags);
  c.examples = std::move(examples);
  c.kind = CommandKind::kTx;
  c.build = std::move(build);
  return c;
}

std::vector<FlagDef> PolicyFlagDefs() {
  return {F("ltv-cap", "PCT", "loan-to-value cap, e.g. 50% or 5000bps; 'none' for no cap (R29)"),
          F("min-life-invention-days", "DAYS", "minimum remaining term of pledged inventions (R29)"),
          F("min-life-other-days", "DAYS", "minimum remaining term of utility models and designs (R29)"),
          Switch("valuation-required", "refuse pledges without a valid valuation (R29)"),
          Switch("no-valuation-required", "accept pledges without a valuation")};
}

}  // namespace

void AddTxCommands(std::vector<Command>* out) {
  out->push_back(Tx(
      "patent", "register", "Register a granted patent or an application (IP office)",
      "Signed by an IP office. The type (invention, utility model, design) follows from the number's type digit; "
      "the term and expiry date follow from it and the filing date (R19).",
      {F("patent", "ZL…", "patent number with check character, e.g. ZL201410362077.3 (R25)", true),
       F("title", "TEXT", "title of the invention (1-512 bytes)", true),
       F("ipc", "CODE", "main IPC class, e.g. \"G01D 18/00\"", true),
       F("filed", "DATE", "filing date", true),
       F("granted", "DATE", "grant date; leave out for an application"),
       Many("owner", "ORG[:SHARE]", "owner organisation and share (e.g. lianke:60%); one owner alone owns 100 %", true),
       F("fee-paid-through", "DATE", "annual fees are paid through this date (R20)"),
       F("term-extension-days", "DAYS", "term adjustment of an invention, at most 1827 (R19)"),
       F("twin", "ZL…", "same-day invention application of this utility model (R7j)"),
       Switch("co-owner-agreement", "the co-owners agreed otherwise than the statutory default (R6, R23)")},
      {"pledger-wallet patent register --patent ZL201410362077.3 --title \"Calibration method for a torque "
       "sensor\" --ipc \"G01L 25/00\" --filed 2014-07-28 --granted 2016-03-02 --owner lianke --fee-paid-through "
       "2027-07-27"},
      BuildPatentRegister));
  out->push_back(Tx(
      "patent", "status", "Record a register event: grant, fees, invalidation, court orders (IP office)",
      "Signed by an IP office; a waiver also by every owner and, while pledged, by the pledgee (R13, R21). Events: "
      "granted, fee-paid (--paid-through), fee-grace, terminated-nonpayment, restored, waived, invalidation-started, "
      "invalidated, partially-invalidated, invalidation-rejected, expired, preservation-on/off, suspension-on/off. "
      "Restoration, waiver, invalidation decisions and court measures need --document-hash.",
      {F("patent", "ZL…", "patent number", true), F("event", "EVENT", "the register event (see above)", true),
       F("date", "DATE", "the event's date (default: the block's date)"),
       F("paid-through", "DATE", "new paid-through date (fee-paid; optional for granted, restored)"),
       Doc("document", "the decision, order or waiver", false), DocFile("document", "the decision, order or waiver")},
      {"pledger-wallet patent status --patent ZL201410362077.3 --event fee-paid --paid-through 2028-07-27",
       "pledger-wallet patent status --patent ZL201410362077.3 --event preservation-on --document court-order.pdf"},
      BuildPatentStatus));
  out->push_back(Tx(
      "patent", "assign", "Assign a patent to new owners (IP office, owners, assignees, pledgee)",
      "Signed by an IP office; for a contract assignment also by every current owner and every new owner; while the "
      "patent is pledged also by the pledgee (R13: without it the ledger refuses with "
      "PATENT_PLEDGEE_CONSENT_MISSING).",
      {F("patent", "ZL…", "patent number", true),
       Many("to", "ORG[:SHARE]", "new owner and share; one new owner alone owns 100 %", true),
       F("basis", "BASIS", "contract (default), inherit or court (R22)"),
       Doc("document", "the assignment contract, inheritance papers or judgment", true),
       DocFile("document", "the assignment contract, inheritance papers or judgment")},
      {"pledger-wallet patent assign --patent ZL201410362077.3 --to buyer --document assignment.pdf --out assign.json"},
      BuildPatentAssign));
  out->push_back(Tx(
      "licence", "file", "File a licence of a patent (IP office, licensors, pledgee)",
      "Signed by an IP office and the licensor: one owner for an ordinary licence without a co-owner agreement, "
      "otherwise every owner (R23); while pledged also by the pledgee (R13). A sublicence counts as ordinary "
      "(R24). Filed more than 3 months after its start it is accepted and flagged.",
      {F("patent", "ZL…", "patent number", true),
       F("type", "TYPE", "exclusive, sole, ordinary or open (R24)", true),
       F("licensee", "ORG", "the licensee (not for an open licence)"),
       Switch("sublicence", "this is a sublicence"), F("territory", "TEXT", "territory, e.g. \"PRC\""),
       F("start", "DATE", "first day", true), F("end", "DATE", "last day (within the patent term)", true),
       F("royalty", "YUAN", "royalty in yuan"), Doc("contract", "the licence contract", false),
       DocFile("contract", "the licence contract")},
      {"pledger-wallet licence file --patent ZL201410362077.3 --type ordinary --licensee xyz --start 2026-12-01 "
       "--end 2029-11-30 --royalty 120000 --contract licence.pdf --out licence.json"},
      BuildLicenceFile));
  out->push_back(Tx(
      "valuation", "record", "Record an appraisal of one or more patents (appraiser)",
      "Signed by an APPRAISER account (banks may hold the role for in-house appraisal, R27). A report is valid one "
      "year from its base date (R28). The valuation's id is printed: give it to `pledge register --valuation`.",
      {Many("patent", "ZL…", "appraised patent (1-64)", true),
       F("method", "METHOD", "income, market or cost (R27)", true), F("base-date", "DATE", "valuation base date", true),
       F("value", "YUAN", "appraised value", true), F("realisable", "YUAN", "realisable value (at most the value; LTV is measured against it)"),
       Doc("report", "the appraisal report (R4)", true), DocFile("report", "the appraisal report"),
       F("licence-no", "TEXT", "the appraisal institution's licence number", true)},
      {"pledger-wallet valuation record --patent ZL201410362077.3 --method income --base-date today --value "
       "20000000 --realisable 12000000 --report report.pdf --licence-no ZJ-AP-2024-017"},
      BuildValuationRecord));
  out->push_back(Tx(
      "pledge", "register", "Register a patent pledge securing a loan (bank, pledgors, IP office)",
      std::string("Signed jointly by the pledgee bank, an OWNER account of every pledgor and an IP office, whose "
                  "signature is the registration (R1). The bank drafts it with --out FILE, the owner and the IP "
                  "office add their signatures with `pledger-wallet sign FILE`, and `pledger-wallet submit FILE` "
                  "sends it. Every refusal ground of R7 is listed in the receipt. The pledge id is the first 32 "
                  "characters of the transaction id and is printed with the draft. ") +
          "Pledgors default to the patents' registered owners (read from the node); the debtor defaults to the "
          "single pledgor; the scope defaults to the statutory scope (CC 389).",
      {Many("patent", "ZL…", "pledged patent (1-64)", true), F("pledgee", "ORG", "the lending bank", true),
       Many("pledgor", "ORG", "every registered owner of the patents (default: read from the register)"),
       F("debtor", "ORG", "the borrower (default: the single pledgor)"),
       F("debt-type", "TEXT", "type of the secured debt, e.g. \"working-capital loan\" (R3)", true),
       F("principal", "YUAN", "principal in yuan, e.g. 5000000.00 (R3)", true),
       F("rate", "PCT", "interest rate, e.g. 3.85 (percent) or 385bps", true),
       F("due", "DATE", "the debtor's performance term (R3, R7f)", true),
       F("scope", "TEXT", "scope of the security (default: principal, interest, penalty, damages, custody and "
                         "enforcement costs)"),
       F("valuation", "ID", "the valuation backing the LTV (R4, R29)"),
       Doc("contract", "the written pledge contract (R2)", true), DocFile("contract", "the written pledge contract"),
       Switch("forfeiture-clause", "the contract has a forfeiture (流质) clause: recorded and flagged (R8)"),
       Switch("risk-ack", "the parties proceed despite a twin application or pending invalidation (R7j, R7k)"),
       Switch("caution-ack", "the bank acknowledges the partner-bank caution (R33)"),
       F("agency", "ORG", "patent agency acting for a foreign party (R5)"),
       F("risk-class", "CLASS", "initial loan class: normal (default), special-mention, substandard, doubtful, loss")},
      {"pledger-wallet pledge register --patent ZL201410362077.3 --pledgee qtbank --pledgor lianke --debt-type "
       "\"working-capital loan\" --principal 5000000.00 --rate 3.85 --due 2027-06-30 --valuation 3f2a… --contract "
       "contract.pdf --out pledge.json"},
      BuildPledgeRegister));
  out->push_back(Tx("pledge", "change", "Change the secured debt or scope of a pledge (R11)",
                    std::string(kJointSigners) + " A new due date re-checks R7f.",
                    {F("pledge", "ID", "pledge id", true), F("principal", "YUAN", "new principal"),
                     F("due", "DATE", "new due date"), F("scope", "TEXT", "new scope"),
                     F("debt-type", "TEXT", "new debt type"), Doc("agreement", "the change agreement (R11)", true),
                     DocFile("agreement", "the change agreement")},
                    {"pledger-wallet pledge change --pledge 3f2a… --principal 6000000 --agreement change.pdf --out change.json"},
                    BuildPledgeChange));
  out->push_back(Tx("pledge", "extend", "Extend a pledge's due date (a registered change, R11)",
                    std::string(kJointSigners) + " The new due date must fall within every patent's term (R7f).",
                    {F("pledge", "ID", "pledge id", true), F("due", "DATE", "new due date", true),
                     Doc("agreement", "the extension agreement (R11)", true), DocFile("agreement", "the extension agreement")},
                    {"pledger-wallet pledge extend --pledge 3f2a… --due 2028-06-30 --agreement ext.pdf --out extend.json"},
                    BuildPledgeExtend));
  out->push_back(Tx("pledge", "accrue", "Record interest or costs that fell due (pledgee)", kPledgeeSigns,
                    {F("pledge", "ID", "pledge id", true), F("interest", "YUAN", "interest due"),
                     F("costs", "YUAN", "costs due")},
                    {"pledger-wallet pledge accrue --pledge 3f2a… --interest 16041.67"}, BuildLoanAccrue));
  out->push_back(Tx("pledge", "repay", "Record a repayment; full repayment cancels the pledge (pledgee)",
                    std::string(kPledgeeSigns) +
                        " Applied to costs, then interest, then principal (R16); paying everything off cancels the "
                        "pledge and lifts its locks on the patents (R12). --full reads the outstanding amount from the node.",
                    {F("pledge", "ID", "pledge id", true), F("amount", "YUAN", "amount received"),
                     Switch("full", "repay everything outstanding")},
                    {"pledger-wallet pledge repay --pledge 3f2a… --amount 1000000", "pledger-wallet pledge repay --pledge 3f2a… --full"},
                    BuildLoanRepay));
  out->push_back(Tx("pledge", "renew", "Renew the loan without principal repayment (无还本续贷, R34)",
                    std::string(kJointSigners) + " The risk class and rate are carried forward unchanged (R34).",
                    {F("pledge", "ID", "pledge id", true), F("due", "DATE", "new due date (later than the current one)", true),
                     Doc("agreement", "the renewal agreement", true), DocFile("agreement", "the renewal agreement")},
                    {"pledger-wallet pledge renew --pledge 3f2a… --due 2028-06-30 --agreement renewal.pdf --out renew.json"},
                    BuildLoanRenew));
  out->push_back(Tx("pledge", "classify", "Classify the secured loan (five categories, R34) (pledgee)", kPledgeeSigns,
                    {F("pledge", "ID", "pledge id", true),
                     F("class", "CLASS", "normal, special-mention, substandard, doubtful or loss", true)},
                    {"pledger-wallet pledge classify --pledge 3f2a… --class special-mention"}, BuildLoanClassify));
  out->push_back(Tx("pledge", "cancel", "Cancel a pledge (pledgee; IP office on a court order, R12)",
                    "Signed by the pledgee bank, or by an IP office for --ground court-order. Court orders and void "
                    "contracts need --document-hash.",
                    {F("pledge", "ID", "pledge id", true),
                     F("ground", "GROUND", "repaid, waived, contract-void, court-order or other (R12)", true),
                     Doc("document", "the court order or judgment", false), DocFile("document", "the court order or judgment")},
                    {"pledger-wallet pledge cancel --pledge 3f2a… --ground waived"}, BuildPledgeCancel));
  out->push_back(Tx("pledge", "enforce", "Enforce a pledge after default (pledgee, R17)",
                    std::string(kPledgeeSigns) +
                        " The bank receives at most its claim; surplus and shortfall are recorded. The buyer's "
                        "assignment is a separate `patent assign` co-signed by the pledgee (R8: never automatic).",
                    {F("pledge", "ID", "pledge id", true), F("method", "METHOD", "discount, auction or sale (R17)", true),
                     F("proceeds", "YUAN", "proceeds of the sale", true),
                     Doc("document", "the sale contract, auction record or price agreement", true),
                     DocFile("document", "the sale contract, auction record or price agreement")},
                    {"pledger-wallet pledge enforce --pledge 3f2a… --method auction --proceeds 4200000 --document auction.pdf"},
                    BuildPledgeEnforce));
  out->push_back(Tx("bank", "policy-set", "Set a bank's own lending policy (R29) (that bank)",
                    "Signed by a BANK account of the bank. Flags left out keep their current value (read from the "
                    "node); without a node every part must be given.",
                    [] {
                      std::vector<FlagDef> f{F("bank", "ORG", "the bank", true)};
                      for (auto& d : PolicyFlagDefs()) f.push_back(d);
                      return f;
                    }(),
                    {"pledger-wallet bank policy-set --bank qtbank --ltv-cap 50% --min-life-invention-days 1825"},
                    BuildBankPolicySet));
  out->push_back(Tx("gov", "org-add", "Add an organisation", kQuorum,
                    [] {
                      std::vector<FlagDef> f{
                          F("id", "ID", "organisation id ([a-z0-9._-], never reused)", true),
                          F("name", "TEXT", "legal name (R3)", true),
                          F("kind", "KIND", "ip-office, bank, appraiser, trustee, guarantor, auditor, sme, "
                                            "individual-business, enterprise, patent-agency or investor", true),
                          F("address", "TEXT", "registered address (R3)", true),
                          Switch("foreign-non-resident", "a foreign party without residence in China (R5)")};
                      for (auto& d : PolicyFlagDefs()) f.push_back(d);
                      return f;
                    }(),
                    {"pledger-wallet gov org-add --id buyer --name \"Buyer Tech Co.\" --kind enterprise --address "
                     "Hangzhou --out org.json"},
                    BuildOrgAdd));
  out->push_back(Tx("gov", "account-add", "Bind a public key to an organisation with roles", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's Ed25519 public key (or a .pub file)", true),
                     F("org", "ORG", "its organisation", true),
                     Many("role", "ROLE", "ip-office, bank, owner, appraiser, trustee, investor, guarantor or auditor", true)},
                    {"pledger-wallet gov account-add --public-key 8a88e3dd… --org buyer --role owner --out acct.json"},
                    BuildAccountAdd));
  out->push_back(Tx("gov", "account-suspend", "Suspend (or with --reinstate, reinstate) an account", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's public key", true),
                     Switch("reinstate", "lift a suspension instead")},
                    {"pledger-wallet gov account-suspend --public-key 8a88e3dd… --out suspend.json"},
                    BuildAccountSuspend));
  out->push_back(Tx("gov", "account-rotate-key", "Move an account to a new key; the old key is retired for good", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's current key", true),
                     F("new-public-key", "HEX|FILE", "its new key", true)},
                    {"pledger-wallet gov account-rotate-key --public-key 8a88… --new-public-key 3d40… --out rotate.json"},
                    BuildAccountRotate));
  out->push_back(Tx("gov", "role-grant", "Grant a role to an account", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's key", true), F("role", "ROLE", "the role", true)},
                    {"pledger-wallet gov role-grant --public-key 3d40… --role appraiser --out grant.json"},
                    [](Context& c) { return BuildRole(c, true); }));
  out->push_back(Tx("gov", "role-revoke", "Revoke a role from an account", kQuorum,
                    {F("public-key", "HEX|FILE", "the account's key", true), F("role", "ROLE", "the role", true)},
                    {"pledger-wallet gov role-revoke --public-key 3d40… --role appraiser --out revoke.json"},
                    [](Context& c) { return BuildRole(c, false); }));
  out->push_back(Tx("gov", "params-set", "Change chain parameters (replaces them as a whole)",
                    std::string(kQuorum) +
                        " Starts from the chain's current parameters (read from the node) or from --from FILE, then "
                        "applies the flags given.",
                    {F("from", "FILE", "parameters as JSON (the shape of GET /v1/params)"),
                     F("max-expiry-window", "BLOCKS", "replay window"),
                     F("caution-credit-limit", "YUAN", "R33: borrowers with at most this much credit"),
                     F("caution-bank-threshold", "N", "R33: ...and more than N banks need a caution ack"),
                     F("caution-bank-threshold-individual", "N", "R33: the same for individual businesses"),
                     F("fee-grace-months", "N", "R20 grace period"),
                     F("fee-surcharge", "PCT", "R20 surcharge per month late, e.g. 5%"),
                     F("licence-filing-months", "N", "R24 filing period"),
                     F("change-filing-days", "N", "R11 change filing period (reported)"),
                     F("decision-sla-days", "N", "R9 decision time (reported)"),
                     Many("add-holiday", "DATE", "add an official holiday (R20 working-day roll)"),
                     Many("remove-holiday", "DATE", "remove a holiday")},
                    {"pledger-wallet gov params-set --add-holiday 2027-10-01 --add-holiday 2027-10-02 --out params.json"},
                    BuildParamsSet));
  out->push_back(Tx("gov", "validator-add", "Admit a consensus node (as a learner unless --voter)", kQuorum,
                    {F("node-id", "ID", "node id (its certificate CN)", true),
                     F("public-key", "HEX|FILE", "the node's Ed25519 key (printed by pledger-admin add-node)", true),
                     F("org", "ORG", "the IP office operating it", true),
                     F("peer", "HOST:PORT", "its peer listener (Validator.peer_address)", true),
                     F("api", "HOST:PORT", "its HTTP API (Validator.api_address)", true),
                     Switch("learner", "join as a non-voting learner (default)"),
                     Switch("voter", "join as a voter straight away")},
                    {"pledger-wallet gov validator-add --node-id node4 --public-key 2781… --org zjipo --peer "
                     "127.0.0.1:26704 --api 127.0.0.1:26604 --learner --out node4.json"},
                    BuildValidatorAdd));
  out->push_back(Tx("gov", "validator-promote", "Promote a learner to voter", kQuorum,
                    {F("node-id", "ID", "node id", true)},
                    {"pledger-wallet gov validator-promote --node-id node4 --out promote.json"},
                    [](Context& c) { return BuildValidatorNode(c, true); }));
  out->push_back(Tx("gov", "validator-remove", "Remove a node from the validator set", kQuorum,
                    {F("node-id", "ID", "node id", true)},
                    {"pledger-wallet gov validator-remove --node-id node4 --out remove.json"},
                    [](Context& c) { return BuildValidatorNode(c, false); }));

  // Pools and tranches (issue 8): the trustee signs every pool action.
  const std::string trustee_signs = "Signed by a TRUSTEE account of the pool's trustee.";
  const FlagDef pool_flag = F("pool", "ID", "the pool id (printed by `pool create`; 32 hex)", true);
  out->push_back(Tx(
      "pool", "create", "Create a patent pool for securitisation (trustee)",
      "Signed by a TRUSTEE account of the trustee. --model license: the owners license their patents to the trustee "
      "and the royalties are the cash (licence-sublicence); --model loan: banks sell registered pledges' loans to the "
      "pool and the repayments are the cash. Every patent admitted later must be valid and last at least until the "
      "legal maturity (R31). The tranches issued later add up to the deal size (R32). The pool id is the first 32 "
      "characters of the transaction id and is printed with the receipt (or the draft).",
      {F("name", "TEXT", "the pool's name (1-256 bytes)", true), F("trustee", "ORG", "the trustee / SPV running it", true),
       F("model", "MODEL", "license (licence-sublicence, royalties) or loan (pledge-loan receivables)", true),
       F("maturity", "DATE", "legal maturity: all principal is due then; admitted patents must last at least this long",
         true),
       F("deal-size", "YUAN", "the tranches' principals add up to this (R32)", true),
       Many("patent-type", "TYPE", "admit only these types: invention, utility-model, design (default: any)"),
       F("min-life-beyond-maturity-days", "DAYS", "patents must expire at least this many days after the maturity"),
       F("max-members", "N", "at most N members at once (1-512; default the ledger's 512)"),
       Switch("valuation-required", "each admitted patent needs a valuation valid on the admission day (R28)"),
       Many("fee", "NAME:PAYEE:YUAN[:RATE]",
            "a fee line paid first on every payment date (H1), in the order given: a fixed amount per payment date "
            "and/or a yearly rate on the tranches' outstanding principal, e.g. manager:spv1:5000 or "
            "custodian:qtbank:0:0.05%"),
       F("guarantor", "ORG", "the shortfall provider (差额支付, H5): a guarantor or a bank"),
       F("guarantee-limit", "YUAN", "the guarantor's total commitment over the deal (with --guarantor)"),
       F("reserve", "YUAN", "cash kept back on each payment date (H6)"), Doc("deed", "the trust deed or plan", true),
       DocFile("deed", "the trust deed or plan")},
      {"pledger-wallet pool create --name \"Hangzhou SME patent pool 2027-1\" --trustee spv1 --model license "
       "--maturity 2031-06-30 --deal-size 1000000 --fee manager:spv1:500 --guarantor zjguarantee --guarantee-limit "
       "100000 --deed deed.pdf"},
      BuildPoolCreate));
  out->push_back(Tx("pool", "admit-patents", "Admit patents into a licence pool and lock them (trustee, owners)",
                    "Signed by the trustee, an OWNER account of every owner of every patent and, for a pledged "
                    "patent, the pledgee bank (R31, R13). Each patent must be valid with its fees paid, last until "
                    "the legal maturity, and carry a filed licence to the trustee running that long (`licence file "
                    "--licensee TRUSTEE`). Admission locks the patent: assignment, licences and new pledges are "
                    "refused (PATENT_POOLED, PLEDGE_PATENT_POOLED) until it leaves the pool.",
                    {pool_flag, Many("patent", "ZL…", "patent to admit (1-64)", true)},
                    {"pledger-wallet pool admit-patents --pool 5be1… --patent ZL201410362077.3 --out admit.json"},
                    BuildPoolAdmitPatents));
  out->push_back(Tx("pool", "admit-pledges", "Admit registered pledges' loans into a loan pool (trustee, pledgees)",
                    "Signed by the trustee and a BANK account of each pledge's pledgee, which sells the loan to the "
                    "pool (R31). The loans must fall due by the legal maturity; the pledged patents stay locked by "
                    "their pledges.",
                    {pool_flag, Many("pledge", "ID", "pledge whose loan the pool buys (1-64)", true)},
                    {"pledger-wallet pool admit-pledges --pool 5be1… --pledge 3f2a… --out admit.json"},
                    BuildPoolAdmitPledges));
  out->push_back(Tx("pool", "remove", "Remove a member from a pool, lifting its lock (trustee)",
                    trustee_signs +
                        " --reason withdrawn only before issuance; substitution or default after. A default may carry "
                        "--loss, written off the lowest rank first (R32), and needs --document.",
                    {pool_flag, F("member", "ZL…|ID", "the patent number or pledge id, as admitted", true),
                     F("reason", "REASON", "withdrawn, substitution or default", true),
                     F("loss", "YUAN", "principal lost with a defaulted member (after issuance)"),
                     Doc("document", "the default notice", false), DocFile("document", "the default notice")},
                    {"pledger-wallet pool remove --pool 5be1… --member ZL201410362077.3 --reason withdrawn"},
                    BuildPoolRemove));
  out->push_back(Tx(
      "tranche", "issue", "Issue a pool's tranches once and place every unit (trustee)",
      trustee_signs +
          " Ranks are unique, 1 the most senior: senior tranches, then mezzanine, then exactly one subordinated "
          "tranche last (R32). Principals are whole units of 100 yuan and add up to the deal size. Senior and "
          "mezzanine tranches need a rating and a principal schedule (--schedule; a bullet is one step); the "
          "subordinated tranche has neither and takes the residual (H6). Every unit is allocated (--allocate). "
          "Coupons accrue ACT/365 from the issue date.",
      {pool_flag,
       Many("tranche", "RANK:CLASS:YUAN[:COUPON[:RATING]]",
            "a tranche: rank 1-9, class senior|mezzanine|subordinated, principal, coupon a year (percent or bps), "
            "rating, e.g. 1:senior:800000:3.65:AAA or 3:subordinated:50000",
            true),
       Many("schedule", "RANK:DATE[:YUAN]",
            "a principal payment of a senior or mezzanine tranche; without an amount, a bullet of the whole principal"),
       Many("allocate", "RANK:ORG:UNITS", "units of a tranche placed with an investor (1 unit = 100 yuan)", true),
       Doc("offering", "the offering document", true), DocFile("offering", "the offering document")},
      {"pledger-wallet tranche issue --pool 5be1… --tranche 1:senior:800000:3.65:AAA --schedule 1:2028-06-01 "
       "--tranche 2:mezzanine:150000:7.30:AA --schedule 2:2028-06-01 --tranche 3:subordinated:50000 --allocate "
       "1:inv-a:5000 --allocate 1:inv-b:3000 --allocate 2:inv-c:1500 --allocate 3:lianke:500 --offering offering.pdf"},
      BuildTrancheIssue));
  out->push_back(Tx("holding", "transfer", "Transfer tranche units to another organisation (the holder)",
                    "Signed by an INVESTOR account of the holder (--from). Units are held by organisations; a "
                    "holding never goes below zero.",
                    {pool_flag, F("rank", "N", "the tranche's rank", true), F("from", "ORG", "the holder", true),
                     F("to", "ORG", "the buyer (any organisation but an IP office)", true),
                     F("units", "N", "units of 100 yuan face to transfer", true)},
                    {"pledger-wallet holding transfer --pool 5be1… --rank 1 --from inv-b --to inv-c --units 1000"},
                    BuildHoldingTransfer));
  out->push_back(Tx("pool", "collect", "Record cash collected for a pool: royalties, repayments, recoveries (trustee)",
                    trustee_signs +
                        " The cash adds to the next payment date (H7). Items go into the transaction as royalties, "
                        "then repayments, then recoveries, each in the order given.",
                    {pool_flag, Many("royalty", "ZL…:YUAN", "royalty collected on a patent member (licence pool)"),
                     Many("repayment", "ID:YUAN", "loan repayment collected on a pledge member (loan pool)"),
                     Many("recovery", "MEMBER:YUAN", "recovery on any member ever admitted (e.g. a defaulted one)"),
                     F("date", "DATE", "collection date (default today; not in the future)")},
                    {"pledger-wallet pool collect --pool 5be1… --royalty ZL201410362077.3:5000 --royalty "
                     "ZL201520123456.0:5000"},
                    BuildPoolCollect));
  out->push_back(Tx(
      "pool", "pay", "Run a payment date: the waterfall pays fees, interest and principal (trustee, guarantor)",
      trustee_signs +
          " When senior interest or scheduled senior principal falls short, the shortfall provider pays it (H5): "
          "then a GUARANTOR account of the pool's guarantor co-signs. With a node the wallet runs the preview first "
          "and says whether it must (see `pool preview`); draft with --out and have the guarantor `sign` the file. "
          "--no-shortfall-draw runs the date without the guarantor's money (it did not pay).",
      {pool_flag, F("date", "DATE", "the payment date (default today; after the previous one, not in the future)"),
       Switch("no-shortfall-draw", "the guarantor did not pay: run without its money")},
      {"pledger-wallet pool pay --pool 5be1… --date 2027-12-01 --out pay.json"}, BuildPoolPay));
  out->push_back(Tx("pool", "trigger", "Declare a trigger event: from now on all cash goes to senior (trustee, H8)",
                    trustee_signs +
                        " Irreversible. After it the waterfall pays senior principal with all cash after senior "
                        "interest, keeps no reserve, and pays the subordinated tranche nothing until every rated "
                        "tranche is repaid.",
                    {pool_flag,
                     F("reason", "REASON",
                       "senior-shortfall, collateral-default, guarantor-default, rating-downgrade or other", true),
                     Doc("notice", "the trustee's notice", true), DocFile("notice", "the trustee's notice")},
                    {"pledger-wallet pool trigger --pool 5be1… --reason senior-shortfall --notice notice.pdf"},
                    BuildPoolTrigger));
  out->push_back(Tx("pool", "wind-down", "Wind a pool down, releasing every lock (trustee)",
                    trustee_signs +
                        " After issuance: at or after the legal maturity, or once every senior and mezzanine tranche "
                        "is repaid and no cash is left; principal still outstanding is written off.",
                    {pool_flag}, {"pledger-wallet pool wind-down --pool 5be1…"}, BuildPoolWindDown));
}

}  // namespace pledger::tools::wallet
