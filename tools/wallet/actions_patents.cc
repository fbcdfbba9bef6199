// Transaction commands of the patent register: registration, register
// events, assignments and licences (docs/contracts.md "Patents").
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

}  // namespace

void AddPatentCommands(std::vector<Command>* out) {
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
}

}  // namespace pledger::tools::wallet::actions
