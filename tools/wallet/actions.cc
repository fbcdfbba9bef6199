// Transaction commands: one builder per contract action, turning flags in the
// users' terms into the action message, with every local check that can be
// made before signing (docs/contracts.md lists the checks the engine makes
// again). A builder fails with a USAGE status naming the flag at fault.
#include <algorithm>
#include <set>

#include "contracts/dates.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "ledger/tx.h"
#include "node/files.h"
#include "node/json.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {
namespace {

using contracts::Action;

// Length limits the engine enforces (contracts/internal/validate.h).
constexpr size_t kMaxIdBytes = 64;
constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxTextBytes = 512;
constexpr size_t kMaxOwners = 16;
constexpr size_t kMaxPatentsPerAction = 64;
constexpr int kMaxTermExtensionDays = 1827;
constexpr std::uint32_t kMaxRateBps = 100'000;  // pledge rates (1000 %)

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
      share = 10000;
    } else {
      PLEDGER_ASSIGN_OR_RETURN(share, ParseBps(flag, v.substr(colon + 1), 10000));
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
  if (total != 10000) {
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
  PLEDGER_ASSIGN_OR_RETURN(std::uint32_t rate, ParseBps("rate", rate_text, kMaxRateBps));
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
      PLEDGER_ASSIGN_OR_RETURN(std::int64_t days, ParseInt(flag, *v, 0, 36600));
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
  if (roles.size() > 8) return FlagError("role", "an account has at most 8 roles");
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
    auto json = node::ReadFile(*from, 1 << 20);
    if (!json.ok()) return FlagError("from", "cannot read " + *from + ": " + std::string(json.status().message()));
    Status s = node::ParseJson(*json, &file, *from);
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
  auto uint_flag = [&](const char* flag, std::int64_t max, auto setter) -> Status {
    if (auto v = c.args().Get(flag)) {
      PLEDGER_ASSIGN_OR_RETURN(std::int64_t n, ParseInt(flag, *v, 0, max));
      setter(n);
    }
    return Status::OK();
  };
  PLEDGER_RETURN_IF_ERROR(uint_flag("max-expiry-window", 1'000'000, [&](std::int64_t n) {
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
  PLEDGER_RETURN_IF_ERROR(uint_flag("fee-grace-months", 24, [&](std::int64_t n) {
    p->set_fee_grace_months(static_cast<std::uint32_t>(n));
  }));
  if (auto v = c.args().Get("fee-surcharge")) {
    PLEDGER_ASSIGN_OR_RETURN(std::uint32_t bps, ParseBps("fee-surcharge", *v, 10000));
    p->set_fee_surcharge_bps_per_month(bps);
  }
  PLEDGER_RETURN_IF_ERROR(uint_flag("licence-filing-months", 24, [&](std::int64_t n) {
    p->set_licence_filing_months(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("change-filing-days", 36600, [&](std::int64_t n) {
    p->set_change_filing_days(static_cast<std::uint32_t>(n));
  }));
  PLEDGER_RETURN_IF_ERROR(uint_flag("decision-sla-days", 36600, [&](std::int64_t n) {
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
  if (holidays.size() > 2000) return FlagError("add-holiday", "at most 2000 holidays");
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
}

}  // namespace pledger::tools::wallet
