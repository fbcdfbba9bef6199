// Transaction commands of valuations, pledges and the loans they secure
// (docs/contracts.md "Valuations", "Pledges").
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "contracts/dates.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "tools/wallet/actions.h"

namespace pledger::tools::wallet::actions {
namespace {

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
    // The last valid day is AddYears(base, 1), inclusive: it lapsed the day after.
    return FlagError("base-date", "a report is valid one year from its base date; one based " + FormatDay(base) +
                                      " was valid until " + FormatDay(contracts::AddYears(base, 1)) + " and lapsed on " +
                                      FormatDay(contracts::AddYears(base, 1) + 1) + " (R28)");
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
  std::string co_owned;  // "ZL… is co-owned by a, b" for each patent with several owners (from the register)
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
      std::string owners;
      for (const auto& o : v->patent().owners()) {
        owners += (owners.empty() ? "" : ", ") + o.org_id();
        if (seen.insert(o.org_id()).second) pledgors.push_back(o.org_id());
      }
      if (v->patent().owners_size() > 1) {
        co_owned += (co_owned.empty() ? "" : "; ") + no + " is co-owned by " + owners;
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
    if (pledgors.size() != 1) {
      std::string names;
      for (const auto& p : pledgors) names += (names.empty() ? "" : ", ") + p;
      return UsageError("missing required flag --debtor ORG (the borrower): " +
                        (co_owned.empty() ? "there are several pledgors (" + names + ")"
                                          : co_owned + ", so every owner is a pledgor (R6)") +
                        " and the wallet cannot tell which of them borrows; name the debtor with --debtor ORG "
                        "(one of them, or another borrower the pledge secures, R3)");
    }
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

const char kJointSigners[] =
    "Signed by the pledgee bank, an OWNER account of every pledgor and an IP office (R1, R11): draft it with "
    "--out FILE, have the others run `pledger-wallet sign FILE`, then `pledger-wallet submit FILE`.";
const char kPledgeeSigns[] = "Signed by a BANK account of the pledgee.";

}  // namespace

void AddPledgeCommands(std::vector<Command>* out) {
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
}

}  // namespace pledger::tools::wallet::actions
