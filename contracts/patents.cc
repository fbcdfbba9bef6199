// The patent register: registration (R19, R25), register events (R14, R15,
// R20, R21, R26), assignment (R13, R15, R22, R23) and licence filing (R13,
// R15, R23, R24). An IP office signs every one of them. docs/contracts.md.
#include <algorithm>

#include "contracts/internal/context.h"
#include "contracts/internal/records.h"
#include "contracts/internal/validate.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "contracts/state_keys.h"

namespace pledger::contracts::internal {
namespace {

constexpr std::int32_t kDesignTerm15From = DaysFromCivil(2021, 6, 1);

// R19: the last day of the term. A term of N years from the filing date ends the
// day before the N-th anniversary (from 29 February: on 28 February, see
// TermLastDay); term adjustment extends it day for day.
std::int32_t ExpiryDate(PatentType type, std::int32_t filing, std::int32_t extension_days) {
  int years = 20;
  if (type == PATENT_UTILITY) years = 10;
  if (type == PATENT_DESIGN) years = filing >= kDesignTerm15From ? 15 : 10;
  return TermLastDay(filing, years) + extension_days;
}

bool OwnerOf(const Patent& p, std::string_view org) {
  for (const Owner& o : p.owners()) {
    if (o.org_id() == org) return true;
  }
  return false;
}

// R13: while a pledge holds the patent (registered, or enforced and not yet
// assigned), the pledgee must co-sign assignments, licences and waivers.
Status CheckPledgeLock(TxContext& c, const Patent& p, std::string_view action) {
  if (p.active_pledge_id().empty()) return Status::OK();
  Pledge pledge;
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pledge(p.active_pledge_id()), &pledge, &found));
  c.Touch(keys::Pledge(p.active_pledge_id()));
  if (c.SignerWithRole(ROLE_BANK, pledge.pledgee_org_id()) != nullptr) return Status::OK();
  return Fail("PATENT_PLEDGEE_CONSENT_MISSING",
              std::string(action) + " of pledged patent " + p.patent_no() + " needs the consent of pledgee " +
                  pledge.pledgee_org_id() + " (pledge " + p.active_pledge_id() +
                  "): have one of its BANK accounts co-sign, or cancel the pledge first");
}

Status CheckPoolLock(const Patent& p, std::string_view action) {
  if (p.pool_id().empty()) return Status::OK();
  return Fail("PATENT_POOLED", std::string(action) + " of patent " + p.patent_no() + " is locked by pool " +
                                   p.pool_id() + "; remove it from the pool first (R31)");
}

Status CheckNotFrozen(const Patent& p, std::string_view action) {
  if (!p.preserved() && !p.suspended()) return Status::OK();
  return Fail("PATENT_FROZEN", std::string(action) + " is not possible while patent " + p.patent_no() +
                                   " is under " + (p.preserved() ? "court preservation" : "an ownership-dispute suspension") +
                                   "; wait until it is lifted (R15)");
}

// `flag` names the wallet's document flag ("document": --document FILE or
// --document-hash HEX) and `field` the API field.
Status RequireDocument(std::string_view hash, std::string_view what, std::string_view flag = "document",
                       std::string_view field = "document_hash") {
  if (ValidHex64(hash)) return Status::OK();
  return Fail("DOCUMENT_HASH_MISSING", std::string(what) + " needs its supporting document: --" + std::string(flag) +
                                           " FILE, or its SHA-256 (64 lower-case hex) with " +
                                           Input(std::string(flag) + "-hash", field));
}

// R26: the event does not apply to the patent's current register status.
// Every event checks this before it changes anything, so p.status() is still
// the status the event was refused in.
Status TransitionInvalid(const PatentStatusUpdate& a, const Patent& p) {
  return Fail("PATENT_TRANSITION_INVALID", PatentEvent_Name(a.event()) + " is not possible for patent " +
                                               p.patent_no() + " in status " + StatusName(p.status()) +
                                               " (R26); check the register");
}

// An optional new paid-through date carried by a grant or a restoration.
Status TakePaidThrough(const PatentStatusUpdate& a, Patent* p) {
  if (a.paid_through() == 0) return Status::OK();
  if (!ValidDate(a.paid_through())) {
    return Fail("PATENT_DATES_INVALID", Input("paid-through", "paid_through") + " is not a date between 1950 and 2200");
  }
  p->set_fee_paid_through(a.paid_through());
  return Status::OK();
}

Status ApplyGrant(const PatentStatusUpdate& a, std::int32_t date, Patent* p) {
  if (p->status() != PATENT_APPLICATION) return TransitionInvalid(a, *p);
  if (date < p->filing_date()) return Fail("PATENT_DATES_INVALID", "grant date is before the filing date");
  p->set_status(PATENT_VALID);
  p->set_grant_date(date);
  return TakePaidThrough(a, p);
}

// R20: a fee payment moves paid-through forward and ends a grace period; a late
// one is surcharged 5 % of the annual fee per month (begun) late, counted from
// the due date.
Status ApplyFeePaid(TxContext& c, const PatentStatusUpdate& a, const Params& params, std::int32_t date,
                    Patent* p) {
  if (!InForceStatus(p->status())) return TransitionInvalid(a, *p);
  if (!ValidDate(a.paid_through()) || a.paid_through() <= p->fee_paid_through()) {
    return Fail("PATENT_FEE_INVALID", "give " + Input("paid-through", "paid_through") + " after the current " +
                                          FormatDate(p->fee_paid_through()) + " (R20)");
  }
  const std::int32_t due = p->fee_paid_through();
  std::uint32_t months_late = 0;
  if (due > 0) {
    while (months_late < 1200 && AddMonths(due, static_cast<int>(months_late)) < date) ++months_late;
  }
  if (months_late > 0) {
    c.Emit("patent.fee_surcharge", {{"patent_no", p->patent_no()},
                                    {"months_late", std::to_string(months_late)},
                                    {"surcharge_bps_of_annual_fee",
                                     std::to_string(months_late * params.fee_surcharge_bps_per_month())},
                                    {"rule", "R20"}});
  }
  p->set_fee_paid_through(a.paid_through());
  if (p->status() == PATENT_FEE_GRACE) {
    p->set_status(PATENT_VALID);
    p->set_grace_end(0);
  }
  return Status::OK();
}

// R20: the grace period opens once fees are overdue and ends, rolled to a
// working day, fee_grace_months after the due date.
Status ApplyFeeGrace(TxContext& c, const PatentStatusUpdate& a, const Params& params, Patent* p,
                     std::string* notice) {
  if (!InForceStatus(p->status()) || p->status() == PATENT_FEE_GRACE) return TransitionInvalid(a, *p);
  if (c.today() <= p->fee_paid_through()) {
    return Fail("PATENT_FEE_NOT_OVERDUE", "fees are paid through " + FormatDate(p->fee_paid_through()) +
                                              "; the grace period starts only after that (R20)");
  }
  p->set_status(PATENT_FEE_GRACE);
  p->set_grace_end(RollToWorkingDay(AddMonths(p->fee_paid_through(), static_cast<int>(params.fee_grace_months())),
                                    std::span<const std::int32_t>(params.holidays().data(),
                                                                  static_cast<size_t>(params.holidays_size()))));
  *notice = "FEE_GRACE";
  return Status::OK();
}

Status ApplyTermination(TxContext& c, const PatentStatusUpdate& a, Patent* p, std::string* notice) {
  if (p->status() != PATENT_FEE_GRACE) return TransitionInvalid(a, *p);
  if (c.today() <= p->grace_end()) {
    return Fail("PATENT_GRACE_NOT_OVER", "the fee grace runs until " + FormatDate(p->grace_end()) +
                                             "; terminate only after it (R20)");
  }
  p->set_status(PATENT_TERMINATED_NONPAYMENT);
  // R20: the termination takes effect retroactively from the due date.
  p->set_status_date(p->fee_paid_through() + 1);
  *notice = "TERMINATED_NONPAYMENT";
  return Status::OK();
}

Status ApplyRestoration(const PatentStatusUpdate& a, Patent* p) {
  if (p->status() != PATENT_TERMINATED_NONPAYMENT) return TransitionInvalid(a, *p);
  PLEDGER_RETURN_IF_ERROR(RequireDocument(a.document_hash(), "restoration"));
  p->set_status(PATENT_RESTORED);
  p->set_grace_end(0);
  return TakePaidThrough(a, p);
}

// R21: a written waiver by every owner ends the patent early; R13: a pledgee
// holding it must consent.
Status ApplyWaiver(TxContext& c, const PatentStatusUpdate& a, Patent* p, std::string* notice) {
  if (!InForceStatus(p->status()) && p->status() != PATENT_APPLICATION) return TransitionInvalid(a, *p);
  PLEDGER_RETURN_IF_ERROR(RequireDocument(a.document_hash(), "a waiver"));
  auto missing = MissingOwnerSignatures(c, p->owners());
  if (!missing.empty()) {
    return Fail("PATENT_OWNER_SIGNATURE_MISSING", "a waiver needs every owner's signature (R21, R23); " +
                                                      missing.front() + " has not signed");
  }
  PLEDGER_RETURN_IF_ERROR(CheckPledgeLock(c, *p, "waiver"));
  p->set_status(PATENT_WAIVED);
  *notice = "WAIVED";
  return Status::OK();
}

Status ApplyInvalidationStarted(const PatentStatusUpdate& a, Patent* p, std::string* notice) {
  if (p->invalidation_pending()) {
    // Issue 18 bug 6: say what is wrong, not "not possible in status VALID".
    return Fail("PATENT_INVALIDATION_PENDING",
                "invalidation proceedings against " + p->patent_no() +
                    " are already pending; record the decision (--event invalidated, partially-invalidated or "
                    "invalidation-rejected) before another request starts (R21, R26)");
  }
  if (!InForceStatus(p->status())) return TransitionInvalid(a, *p);
  p->set_invalidation_pending(true);
  *notice = "INVALIDATION_STARTED";
  return Status::OK();
}

// The decision on a pending invalidation: the patent is invalidated, partly
// invalidated (R21, IR 73) or the request is rejected and the status stands.
Status ApplyInvalidationDecision(const PatentStatusUpdate& a, Patent* p, std::string* notice) {
  if (!p->invalidation_pending()) {
    return Fail("PATENT_TRANSITION_INVALID", PatentEvent_Name(a.event()) + " decides an invalidation request, and none "
                                                 "is pending against " + p->patent_no() +
                                                 "; record --event invalidation-started first (R21, R26)");
  }
  PLEDGER_RETURN_IF_ERROR(RequireDocument(a.document_hash(), "an invalidation decision"));
  p->set_invalidation_pending(false);
  if (a.event() == PATENT_EVENT_INVALIDATED) {
    // R21: void from the start; performed licences and assignments stand.
    p->set_status(PATENT_INVALIDATED);
    *notice = "INVALIDATED";
  } else if (a.event() == PATENT_EVENT_PARTIALLY_INVALIDATED) {
    p->set_status(PATENT_PARTIALLY_INVALID);
    *notice = "PARTIALLY_INVALIDATED";
  }
  return Status::OK();
}

Status ApplyExpiry(TxContext& c, const PatentStatusUpdate& a, Patent* p, std::string* notice) {
  if (!InForceStatus(p->status()) && p->status() != PATENT_APPLICATION) return TransitionInvalid(a, *p);
  if (c.today() <= p->expiry_date()) {
    return Fail("PATENT_NOT_YET_EXPIRED", "the term runs until " + FormatDate(p->expiry_date()) + " (R19)");
  }
  p->set_status(PATENT_EXPIRED);
  // R19: the patent expired when its term ended, whenever the office records it.
  p->set_status_date(p->expiry_date() + 1);
  *notice = "EXPIRED";
  return Status::OK();
}

// A freeze flag already in the state the event would put it in: the status is
// beside the point (R15 flags sit beside it), so the message names the flag.
Status FlagAlready(const PatentStatusUpdate& a, const Patent& p, std::string_view state) {
  return Fail("PATENT_TRANSITION_INVALID", PatentEvent_Name(a.event()) + " is not possible: patent " + p.patent_no() +
                                               " is " + std::string(state) + " (R15, R26); check the register");
}

// R15: court preservation and an ownership-dispute suspension are flags beside
// the status, not statuses; setting one needs its supporting document, lifting
// it does not.
Status ApplyFreeze(const PatentStatusUpdate& a, Patent* p, std::string* notice) {
  switch (a.event()) {
    case PATENT_EVENT_PRESERVATION_ON:
      if (p->preserved()) return FlagAlready(a, *p, "already under court preservation");
      PLEDGER_RETURN_IF_ERROR(RequireDocument(a.document_hash(), "court preservation"));
      p->set_preserved(true);
      *notice = "PRESERVATION_ON";
      return Status::OK();
    case PATENT_EVENT_PRESERVATION_OFF:
      if (!p->preserved()) return FlagAlready(a, *p, "not under court preservation");
      p->set_preserved(false);
      return Status::OK();
    case PATENT_EVENT_SUSPENSION_ON:
      if (p->suspended()) return FlagAlready(a, *p, "already under an ownership-dispute suspension");
      PLEDGER_RETURN_IF_ERROR(RequireDocument(a.document_hash(), "an ownership-dispute suspension"));
      p->set_suspended(true);
      *notice = "SUSPENSION_ON";
      return Status::OK();
    case PATENT_EVENT_SUSPENSION_OFF:
    default:  // ApplyEvent sends only the four freeze events here
      if (!p->suspended()) return FlagAlready(a, *p, "not under an ownership-dispute suspension");
      p->set_suspended(false);
      return Status::OK();
  }
}

// What the event does to the register record. Sets *notice to the register
// event the pledgee must hear about (R14), if any.
Status ApplyEvent(TxContext& c, const PatentStatusUpdate& a, const Params& params, std::int32_t date, Patent* p,
                  std::string* notice) {
  switch (a.event()) {
    case PATENT_EVENT_GRANTED:
      return ApplyGrant(a, date, p);
    case PATENT_EVENT_FEE_PAID:
      return ApplyFeePaid(c, a, params, date, p);
    case PATENT_EVENT_FEE_GRACE:
      return ApplyFeeGrace(c, a, params, p, notice);
    case PATENT_EVENT_TERMINATED_NONPAYMENT:
      return ApplyTermination(c, a, p, notice);
    case PATENT_EVENT_RESTORED:
      return ApplyRestoration(a, p);
    case PATENT_EVENT_WAIVED:
      return ApplyWaiver(c, a, p, notice);
    case PATENT_EVENT_INVALIDATION_STARTED:
      return ApplyInvalidationStarted(a, p, notice);
    case PATENT_EVENT_INVALIDATED:
    case PATENT_EVENT_PARTIALLY_INVALIDATED:
    case PATENT_EVENT_INVALIDATION_REJECTED:
      return ApplyInvalidationDecision(a, p, notice);
    case PATENT_EVENT_EXPIRED:
      return ApplyExpiry(c, a, p, notice);
    case PATENT_EVENT_PRESERVATION_ON:
    case PATENT_EVENT_PRESERVATION_OFF:
    case PATENT_EVENT_SUSPENSION_ON:
    case PATENT_EVENT_SUSPENSION_OFF:
      return ApplyFreeze(a, p, notice);
    default:
      return Fail("PATENT_EVENT_INVALID", "event must be one of the PATENT_EVENT_* values");
  }
}

// R24: an unclear type, or a sublicence, counts as ordinary.
LicenceType FiledLicenceType(const LicenceFile& a) {
  if (a.type() == LICENCE_TYPE_UNSPECIFIED || (a.sublicence() && a.type() != LICENCE_OPEN)) return LICENCE_ORDINARY;
  return a.type();
}

// The licence on its own: its licensee (none for an open licence; otherwise an
// organisation that does not own the patent, with a filed contract), territory,
// royalty and dates, ending within the patent's term (R24).
Status CheckLicenceTerms(TxContext& c, const Patent& p, const LicenceFile& a, LicenceType type) {
  if (type == LICENCE_OPEN) {
    if (!a.licensee_org_id().empty()) return Fail("LICENCE_INVALID", "an open licence names no licensee");
  } else {
    Organisation licensee;
    PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.licensee_org_id(), &licensee));
    if (OwnerOf(p, a.licensee_org_id())) return Fail("LICENCE_INVALID", "the licensee already owns the patent");
    PLEDGER_RETURN_IF_ERROR(RequireDocument(a.contract_hash(), "a licence contract", "contract", "contract_hash"));
  }
  if (a.territory().size() > kMaxNameBytes || !ValidAmount(a.royalty_fen())) {
    return Fail("LICENCE_INVALID", "--territory is at most 256 bytes; --royalty (API field royalty_fen) 0 to " +
                                       YuanText(kMaxAmountFen));
  }
  if (!ValidDate(a.start_date()) || !ValidDate(a.end_date()) || a.end_date() < a.start_date()) {
    return Fail("LICENCE_INVALID", "a licence needs start and end dates, end not before start");
  }
  if (a.end_date() > p.expiry_date()) {
    return Fail("LICENCE_BEYOND_TERM", "the licence ends " + FormatDate(a.end_date()) + ", after the patent's term (" +
                                           FormatDate(p.expiry_date()) + "); shorten it (R24, CC 865)");
  }
  return Status::OK();
}

// R23: without an agreement among co-owners each may grant ordinary licences
// alone; everything else needs every co-owner.
Status CheckLicensorsSigned(const TxContext& c, const Patent& p, LicenceType type) {
  if (type == LICENCE_ORDINARY && !p.co_owner_agreement()) {
    bool any = false;
    for (const Owner& o : p.owners()) any = any || c.SignerWithRole(ROLE_OWNER, o.org_id()) != nullptr;
    if (!any) {
      return Fail("PATENT_OWNER_SIGNATURE_MISSING", "an ordinary licence needs the signature of at least one owner (R23)");
    }
    return Status::OK();
  }
  auto missing = MissingOwnerSignatures(c, p.owners());
  if (!missing.empty()) {
    return Fail("PATENT_OWNER_SIGNATURE_MISSING", LicenceType_Name(type) + " needs every owner's signature (R23); " +
                                                      missing.front() + " has not signed");
  }
  return Status::OK();
}

// Licences that ended before today no longer conflict and are dropped from the
// record (they stay in history through the receipts).
google::protobuf::RepeatedPtrField<Licence> CurrentLicences(const Patent& p, std::int32_t today) {
  google::protobuf::RepeatedPtrField<Licence> current;
  for (const Licence& l : p.licences()) {
    if (l.end_date() >= today) *current.Add() = l;
  }
  return current;
}

// The new licence beside the current ones (R24, IR 86): no open licence during
// an exclusive or sole one or while fees are in grace, no other licence
// overlapping an exclusive or sole one, and room on the record.
Status CheckLicenceFits(const google::protobuf::RepeatedPtrField<Licence>& current, const LicenceFile& a,
                        LicenceType type, PatentStatus eff) {
  for (const Licence& l : current) {
    bool overlap = l.start_date() <= a.end_date() && a.start_date() <= l.end_date();
    if (!overlap) continue;
    bool exclusive_like = l.type() == LICENCE_EXCLUSIVE || l.type() == LICENCE_SOLE;
    if (type == LICENCE_OPEN && exclusive_like) {
      return Fail("LICENCE_OPEN_NOT_ALLOWED", "no open licence during exclusive or sole licence " + l.id() + " (R24, IR 86)");
    }
    // R24: an exclusive or sole licence admits no other licensee for its time.
    bool new_exclusive_like = type == LICENCE_EXCLUSIVE || type == LICENCE_SOLE;
    if (exclusive_like || new_exclusive_like) {
      return Fail("LICENCE_CONFLICT", LicenceType_Name(type) + " overlaps " + LicenceType_Name(l.type()) +
                                          " licence " + l.id() + " in time (R24); end or narrow one of them");
    }
  }
  if (type == LICENCE_OPEN && (eff == PATENT_FEE_GRACE)) {
    return Fail("LICENCE_OPEN_NOT_ALLOWED", "no open licence while annual fees are unpaid (R24, IR 86)");
  }
  if (static_cast<size_t>(current.size()) >= kMaxLicencesPerPatent) {
    return Fail("LICENCE_LIMIT", "a patent carries at most 32 licences in force on this ledger");
  }
  return Status::OK();
}

// The licence record; filed late when filed more than licence_filing_months
// after its start (R24).
Licence NewLicence(const TxContext& c, const LicenceFile& a, LicenceType type, const Params& params) {
  Licence l;
  l.set_id(c.NewObjectId());
  l.set_licensee_org_id(a.licensee_org_id());
  l.set_type(type);
  l.set_sublicence(a.sublicence());
  l.set_territory(a.territory());
  l.set_start_date(a.start_date());
  l.set_end_date(a.end_date());
  l.set_royalty_fen(a.royalty_fen());
  l.set_contract_hash(a.contract_hash());
  l.set_filed_date(c.today());
  l.set_filed_late(c.today() > AddMonths(a.start_date(), static_cast<int>(params.licence_filing_months())));
  return l;
}

}  // namespace

Status ExecPatentRegister(TxContext& c, const PatentRegister& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_IP_OFFICE, {}, "PatentRegister"));
  auto type = ParsePatentNumber(a.patent_no());
  if (!type.ok()) return Fail(type.status().reason(), std::string(type.status().message()));
  std::string key = keys::Patent(a.patent_no());
  c.Touch(key);
  if (a.type() != *type) {
    return Fail("PATENT_TYPE_MISMATCH", "patent " + a.patent_no() + " is a " + PatentType_Name(*type) +
                                            " by its type digit, not " + PatentType_Name(a.type()) + " (R25)");
  }
  if (!ValidText(a.title()) || !ValidText(a.main_ipc(), kMaxIdBytes)) {
    return Fail("PATENT_DATA_INVALID", "a patent needs a title (1-512 bytes) and a main IPC (1-64 bytes)");
  }
  if (!ValidDate(a.filing_date()) || a.filing_date() > c.today()) {
    return Fail("PATENT_DATES_INVALID", "filing date must be a real date not after today (R19)");
  }
  if (a.grant_date() != 0 && (!ValidDate(a.grant_date()) || a.grant_date() < a.filing_date() ||
                              a.grant_date() > c.today())) {
    return Fail("PATENT_DATES_INVALID", "grant date must be 0 (application) or between filing date and today");
  }
  if (a.term_extension_days() < 0 || a.term_extension_days() > kMaxTermExtensionDays ||
      (a.term_extension_days() > 0 && a.type() != PATENT_INVENTION)) {
    return Fail("PATENT_DATES_INVALID", "term extension is 0 to 1827 days and only for inventions (R19)");
  }
  if (a.fee_paid_through() != 0 && !ValidDate(a.fee_paid_through())) {
    return Fail("PATENT_DATES_INVALID", Input("fee-paid-through", "fee_paid_through") + " must be a real date, or "
                                        "left out (R20)");
  }
  Patent p;
  PLEDGER_RETURN_IF_ERROR(CheckOwners(c, a.owners(), p.mutable_owners()));
  if (!a.twin_patent_no().empty()) {
    auto twin = ParsePatentNumber(a.twin_patent_no());
    if (!twin.ok() || *twin != PATENT_INVENTION || a.type() != PATENT_UTILITY) {
      return Fail("PATENT_TWIN_INVALID", "a twin must be the same-day invention application of a "
                                         "utility model, written as a valid ZL number (R7j)");
    }
  }
  std::optional<std::string> existing;
  PLEDGER_RETURN_IF_ERROR(c.GetRaw(key, &existing));
  if (existing) return Fail("PATENT_EXISTS", "patent " + a.patent_no() + " is already registered");

  p.set_patent_no(a.patent_no());
  p.set_type(a.type());
  p.set_title(a.title());
  p.set_main_ipc(a.main_ipc());
  p.set_filing_date(a.filing_date());
  p.set_grant_date(a.grant_date());
  p.set_expiry_date(ExpiryDate(a.type(), a.filing_date(), a.term_extension_days()));
  p.set_status(a.grant_date() == 0 ? PATENT_APPLICATION : PATENT_VALID);
  p.set_status_date(a.grant_date() == 0 ? a.filing_date() : a.grant_date());
  p.set_fee_paid_through(a.fee_paid_through());
  p.set_twin_patent_no(a.twin_patent_no());
  p.set_co_owner_agreement(a.co_owner_agreement());
  p.set_registered_height(c.height());
  c.Write(std::move(key), p);
  c.Emit("patent.registered", {{"patent_no", p.patent_no()},
                               {"status", StatusName(p.status())},
                               {"expiry_date", FormatDate(p.expiry_date())}});
  return Status::OK();
}

Status ExecPatentStatus(TxContext& c, const PatentStatusUpdate& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_IP_OFFICE, {}, "PatentStatusUpdate"));
  Patent p;
  PLEDGER_RETURN_IF_ERROR(LoadPatent(c, a.patent_no(), &p));
  const Params* params = nullptr;
  PLEDGER_RETURN_IF_ERROR(c.LoadParams(&params));
  const std::int32_t date = a.date() == 0 ? c.today() : a.date();
  if (!ValidDate(date) || date > c.today()) {
    return Fail("PATENT_DATES_INVALID", "the event date must be a real date not after today");
  }
  const PatentStatus before = p.status();
  std::string notice;  // R14: register events the pledgee must hear about
  PLEDGER_RETURN_IF_ERROR(ApplyEvent(c, a, *params, date, &p, &notice));
  // A termination dates itself back to the due date (R20), an expiry to the
  // end of the term (R19): the status takes effect then, not when recorded.
  const bool dated_back = a.event() == PATENT_EVENT_TERMINATED_NONPAYMENT || a.event() == PATENT_EVENT_EXPIRED;
  if (p.status() != before) {
    if (!dated_back) p.set_status_date(date);
    if (p.status() != PATENT_FEE_GRACE) p.set_grace_end(0);
  }
  c.Write(keys::Patent(p.patent_no()), p);
  if (dated_back) {
    // "date" is when the status took effect; "recorded_date" when the office recorded it.
    c.Emit("patent.status", {{"patent_no", p.patent_no()},
                             {"event", PatentEvent_Name(a.event())},
                             {"status", StatusName(p.status())},
                             {"date", FormatDate(p.status_date())},
                             {"recorded_date", FormatDate(date)}});
  } else {
    c.Emit("patent.status", {{"patent_no", p.patent_no()},
                             {"event", PatentEvent_Name(a.event())},
                             {"status", StatusName(p.status())},
                             {"date", FormatDate(date)}});
  }
  if (!notice.empty()) PLEDGER_RETURN_IF_ERROR(NotifyPledgee(c, p, notice));
  return Status::OK();
}

Status ExecPatentAssign(TxContext& c, const PatentAssign& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_IP_OFFICE, {}, "PatentAssign"));
  Patent p;
  PLEDGER_RETURN_IF_ERROR(LoadPatent(c, a.patent_no(), &p));
  if (a.basis() != TRANSFER_CONTRACT && a.basis() != TRANSFER_INHERIT && a.basis() != TRANSFER_COURT) {
    return Fail("PATENT_ASSIGN_INVALID", "basis must be TRANSFER_CONTRACT, TRANSFER_INHERIT or TRANSFER_COURT (R22)");
  }
  PLEDGER_RETURN_IF_ERROR(RequireDocument(a.document_hash(), "an assignment (R22)"));
  google::protobuf::RepeatedPtrField<Owner> new_owners;
  PLEDGER_RETURN_IF_ERROR(CheckOwners(c, a.new_owners(), &new_owners));
  bool same = new_owners.size() == p.owners().size();
  for (int i = 0; same && i < new_owners.size(); ++i) {
    same = new_owners[i].org_id() == p.owners(i).org_id() && new_owners[i].share_bps() == p.owners(i).share_bps();
  }
  if (same) return Fail("PATENT_ASSIGN_INVALID", "the new owners are the current owners; nothing to assign");
  const PatentStatus eff = EffectiveStatus(p, c.today());
  if (!InForceStatus(eff) && eff != PATENT_APPLICATION) {
    return Fail("PATENT_NOT_IN_FORCE", "patent " + p.patent_no() + " is " + StatusName(eff) +
                                           "; only a patent or application in force can be assigned (R21)");
  }
  if (a.basis() != TRANSFER_COURT) PLEDGER_RETURN_IF_ERROR(CheckNotFrozen(p, "assignment"));
  PLEDGER_RETURN_IF_ERROR(CheckPoolLock(p, "assignment"));
  PLEDGER_RETURN_IF_ERROR(CheckPledgeLock(c, p, "assignment"));
  if (a.basis() == TRANSFER_CONTRACT) {
    auto missing = MissingOwnerSignatures(c, p.owners());
    if (!missing.empty()) {
      return Fail("PATENT_OWNER_SIGNATURE_MISSING", "an assignment needs every current owner's signature (R22, R23); " +
                                                        missing.front() + " has not signed");
    }
    for (const Owner& o : new_owners) {
      if (OwnerOf(p, o.org_id())) continue;
      if (c.SignerWithRole(ROLE_OWNER, o.org_id()) == nullptr) {
        return Fail("PATENT_ASSIGNEE_SIGNATURE_MISSING", "assignee " + o.org_id() +
                                                             " must co-sign the assignment (R22) with an OWNER account");
      }
    }
  }
  std::string released;
  if (!p.active_pledge_id().empty()) {
    Pledge pledge;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pledge(p.active_pledge_id()), &pledge, &found));
    if (found && pledge.state() == PLEDGE_ENFORCED) {
      // R17: the enforcement sale completes with this assignment; the lock ends.
      std::string buyers;
      for (const Owner& o : new_owners) buyers += (buyers.empty() ? "" : ",") + o.org_id();
      pledge.set_assigned_to_org_ids(buyers);
      c.Write(keys::Pledge(pledge.id()), pledge);
      released = pledge.id();
      p.clear_active_pledge_id();
    }
  }
  *p.mutable_owners() = new_owners;
  c.Write(keys::Patent(p.patent_no()), p);
  std::string owners;
  for (const Owner& o : new_owners) owners += (owners.empty() ? "" : ",") + o.org_id();
  c.Emit("patent.assigned", {{"patent_no", p.patent_no()},
                             {"basis", TransferBasis_Name(a.basis())},
                             {"new_owners", owners},
                             {"effective_date", FormatDate(c.today())}});
  if (!released.empty()) {
    c.Emit("pledge.locks_lifted", {{"pledge_id", released}, {"patent_no", p.patent_no()}, {"rule", "R17"}});
  }
  return Status::OK();
}

Status ExecLicenceFile(TxContext& c, const LicenceFile& a) {
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_IP_OFFICE, {}, "LicenceFile"));
  Patent p;
  PLEDGER_RETURN_IF_ERROR(LoadPatent(c, a.patent_no(), &p));
  const Params* params = nullptr;
  PLEDGER_RETURN_IF_ERROR(c.LoadParams(&params));
  if (!LicenceType_IsValid(a.type())) return Fail("LICENCE_INVALID", "unknown licence type");
  const LicenceType type = FiledLicenceType(a);
  PLEDGER_RETURN_IF_ERROR(CheckLicenceTerms(c, p, a, type));
  const PatentStatus eff = EffectiveStatus(p, c.today());
  if (!InForceStatus(eff)) {
    return Fail("LICENCE_PATENT_NOT_IN_FORCE", "patent " + p.patent_no() + " is " + StatusName(eff) +
                                                   "; only a patent in force can be licensed (R24)");
  }
  PLEDGER_RETURN_IF_ERROR(CheckNotFrozen(p, "a licence"));
  PLEDGER_RETURN_IF_ERROR(CheckPoolLock(p, "a licence"));
  PLEDGER_RETURN_IF_ERROR(CheckPledgeLock(c, p, "a licence"));
  PLEDGER_RETURN_IF_ERROR(CheckLicensorsSigned(c, p, type));
  google::protobuf::RepeatedPtrField<Licence> current = CurrentLicences(p, c.today());
  PLEDGER_RETURN_IF_ERROR(CheckLicenceFits(current, a, type, eff));

  const Licence l = NewLicence(c, a, type, *params);
  *current.Add() = l;
  *p.mutable_licences() = std::move(current);
  if (type == LICENCE_OPEN) p.set_open_licensed(true);
  c.Write(keys::Patent(p.patent_no()), p);
  c.Emit("licence.filed", {{"licence_id", l.id()},
                           {"patent_no", p.patent_no()},
                           {"type", LicenceType_Name(type)},
                           {"licensee_org_id", a.licensee_org_id()}});
  if (l.filed_late()) {
    c.Emit("licence.filed_late", {{"licence_id", l.id()},
                                  {"start_date", FormatDate(a.start_date())},
                                  {"rule", "R24"}});
  }
  return Status::OK();
}

}  // namespace pledger::contracts::internal
