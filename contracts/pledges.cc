// The pledge lifecycle: registration (R1-R8, R10, R18, R29, R33), change and
// extension (R11), accrual and repayment (R12, R16), renewal (R34),
// classification, cancellation (R12) and enforcement (R8, R17). Every
// rejection writes nothing; a registration lists every failed ground (R7).
#include <algorithm>
#include <map>
#include <set>

#include "contracts/internal/context.h"
#include "contracts/internal/records.h"
#include "contracts/internal/validate.h"
#include "contracts/money.h"
#include "contracts/state_keys.h"

namespace pledger::contracts::internal {
namespace {

std::string JoinIds(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::string out;
  for (const std::string& s : ids) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Event attributes carry raw fen (`*_fen`); messages speak yuan (YuanText).
std::string Fen(std::int64_t v) { return std::to_string(v); }

// Issue 18 bug 1: what happens to a pledge happens to its patents, so every
// transaction that names a pledge names its patents too, and the patents'
// history (the 'X' index built from TxOutcome::touched) lists partial
// repayments, accruals, classifications, renewals and enforcement, accepted
// or refused, exactly as the pledge's does.
Status LoadPledgeAndPatents(TxContext& c, std::string_view id, Pledge* p) {
  PLEDGER_RETURN_IF_ERROR(LoadPledge(c, id, p));
  for (const std::string& no : p->patent_nos()) c.Touch(keys::Patent(no));
  return Status::OK();
}

// Adds (delta_count, delta_principal) to a bank's exposure to a borrower
// (R33); a bank's entry disappears when it has no active pledge left, the
// record when no bank is left.
Status AdjustExposure(TxContext& c, std::string_view debtor, std::string_view bank, int delta_count,
                      std::int64_t delta_principal) {
  BorrowerLenders all;
  bool found = false;
  const std::string key = keys::Lenders(debtor);
  PLEDGER_RETURN_IF_ERROR(c.Read(key, &all, &found));
  auto* lenders = all.mutable_lenders();
  int idx = 0;
  while (idx < lenders->size() && lenders->Get(idx).bank_org_id() < bank) ++idx;
  if (idx == lenders->size() || lenders->Get(idx).bank_org_id() != bank) {
    lenders->Add()->set_bank_org_id(std::string(bank));
    for (int j = lenders->size() - 1; j > idx; --j) lenders->SwapElements(j, j - 1);  // keep sorted
  }
  LenderExposure* e = lenders->Mutable(idx);
  std::int64_t count = static_cast<std::int64_t>(e->active_pledges()) + delta_count;
  auto principal = CheckedAdd(e->principal_fen(), delta_principal);
  if (count < 0 || !principal || *principal < 0) {
    return c.Fatal(Status::Internal("EXPOSURE_INCONSISTENT",
                                    "lender exposure of " + std::string(debtor) + " would go negative; this is a bug"));
  }
  if (count == 0) {
    lenders->DeleteSubrange(idx, 1);
  } else {
    e->set_active_pledges(static_cast<std::uint32_t>(count));
    e->set_principal_fen(*principal);
  }
  if (lenders->empty()) {
    c.Erase(key);
  } else {
    c.Write(key, all);
  }
  return Status::OK();
}

// Lifts the R13 locks of a pledge that ended (R12) or that the assignment of an
// enforced patent completed.
Status ReleaseLocks(TxContext& c, const Pledge& pledge) {
  for (const std::string& no : pledge.patent_nos()) {
    Patent p;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Patent(no), &p, &found));
    c.Touch(keys::Patent(no));
    if (!found || p.active_pledge_id() != pledge.id()) continue;
    p.clear_active_pledge_id();
    c.Write(keys::Patent(no), p);
  }
  c.Emit("pledge.locks_lifted", {{"pledge_id", pledge.id()}, {"patents", JoinIds(pledge.patent_nos())}, {"rule", "R12"}});
  return Status::OK();
}

Status RequireRegistered(const Pledge& p, std::string_view action) {
  if (p.state() == PLEDGE_REGISTERED) return Status::OK();
  return Fail("PLEDGE_NOT_ACTIVE", std::string(action) + " needs a registered pledge; pledge " + p.id() + " is " +
                                       PledgeState_Name(p.state()) + " (R12)");
}

// R15: court preservation or an ownership-dispute suspension freezes pledge
// procedures on the patent.
Status CheckPledgeNotFrozen(TxContext& c, const Pledge& pledge, std::string_view action) {
  for (const std::string& no : pledge.patent_nos()) {
    Patent p;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Patent(no), &p, &found));
    if (found && (p.preserved() || p.suspended())) {
      return Fail("PLEDGE_FROZEN", std::string(action) + " is frozen while patent " + no + " is under " +
                                       (p.preserved() ? "court preservation" : "an ownership-dispute suspension") +
                                       "; wait until it is lifted (R15)");
    }
  }
  return Status::OK();
}

// R7f: the debt must fall due within every pledged patent's term.
Status CheckDueWithinTerm(TxContext& c, const Pledge& pledge, std::int32_t due) {
  for (const std::string& no : pledge.patent_nos()) {
    Patent p;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Patent(no), &p, &found));
    if (found && due > p.expiry_date()) {
      return Fail("PLEDGE_DEBT_DUE_AFTER_EXPIRY", "the debt would fall due " + FormatDate(due) + ", after patent " + no +
                                                      " expires (" + FormatDate(p.expiry_date()) + "); choose an earlier " +
                                                      Input("due", "new_due_date") + " (R7f)");
    }
  }
  return Status::OK();
}

// Pledgee bank, every pledgor and an IP office: registration and registered changes (R1, R11).
Status RequireJointSigners(TxContext& c, const Pledge& p, std::string_view action) {
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_BANK, p.pledgee_org_id(), action));
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_IP_OFFICE, {}, action));
  for (const std::string& org : p.pledgor_org_ids()) {
    if (c.SignerWithRole(ROLE_OWNER, org) == nullptr) {
      return Fail("PLEDGE_PLEDGOR_SIGNATURE_MISSING", std::string(action) + " needs every pledgor's signature (R1, R11); " +
                                                          org + " has not signed");
    }
  }
  return Status::OK();
}

// R16: a payment goes to costs, then interest, then principal.
struct Allocation {
  std::int64_t costs = 0, interest = 0, principal = 0;
};
Allocation Allocate(Pledge* p, std::int64_t amount) {
  Allocation a;
  a.costs = std::min(amount, p->outstanding_costs_fen());
  amount -= a.costs;
  a.interest = std::min(amount, p->outstanding_interest_fen());
  amount -= a.interest;
  a.principal = std::min(amount, p->outstanding_principal_fen());
  p->set_outstanding_costs_fen(p->outstanding_costs_fen() - a.costs);
  p->set_outstanding_interest_fen(p->outstanding_interest_fen() - a.interest);
  p->set_outstanding_principal_fen(p->outstanding_principal_fen() - a.principal);
  return a;
}

// The repaid total only grows: repeated accrue-and-repay cycles can in
// principle push it past int64, and a wrapped total would misstate R16.
Status RepaidOverflow(const Pledge& p) {
  return Fail("PLEDGE_AMOUNT_OVERFLOW", "pledge " + p.id() + " has recorded " + YuanText(p.repaid_fen()) +
                                            " of repayments; a larger total no longer fits 64-bit fen. Cancel "
                                            "the pledge and register a new one for the remaining debt (R16)");
}

std::optional<std::int64_t> Claim(const Pledge& p) {
  auto ci = CheckedAdd(p.outstanding_costs_fen(), p.outstanding_interest_fen());
  if (!ci) return std::nullopt;
  return CheckedAdd(*ci, p.outstanding_principal_fen());
}

Status EndPledge(TxContext& c, Pledge* p, CancelGround ground, std::string_view document) {
  // An enforced pledge left the exposure when it was enforced.
  if (p->state() == PLEDGE_REGISTERED) {
    PLEDGER_RETURN_IF_ERROR(
        AdjustExposure(c, p->debtor_org_id(), p->pledgee_org_id(), -1, -p->outstanding_principal_fen()));
  }
  p->set_state(PLEDGE_CANCELLED);
  p->set_cancel_ground(ground);
  p->set_cancel_date(c.today());
  p->set_cancel_document_hash(std::string(document));
  c.Write(keys::Pledge(p->id()), *p);
  PLEDGER_RETURN_IF_ERROR(ReleaseLocks(c, *p));
  c.Emit("pledge.cancelled", {{"pledge_id", p->id()},
                              {"ground", CancelGround_Name(ground)},
                              {"cancel_date", FormatDate(c.today())},
                              {"rule", "R12"}});
  // R10: cancellations are announced like registrations.
  c.Emit("gazette.pledge_cancelled", {{"pledge_id", p->id()},
                                      {"pledgee", p->pledgee_org_id()},
                                      {"patents", JoinIds(p->patent_nos())},
                                      {"cancel_date", FormatDate(c.today())}});
  return Status::OK();
}

bool Flagged(RiskClass r) { return r == RISK_SUBSTANDARD || r == RISK_DOUBTFUL || r == RISK_LOSS; }

// ---- PledgeRegister ------------------------------------------------------------

// Malformed input fails at once, before any ground is collected.
Status CheckRegisterShape(const PledgeRegister& a, std::set<std::string>* patent_set,
                          std::set<std::string>* pledgor_set) {
  if (a.patent_nos().empty() || static_cast<size_t>(a.patent_nos_size()) > kMaxPatentsPerAction ||
      a.pledgor_org_ids().empty() || static_cast<size_t>(a.pledgor_org_ids_size()) > kMaxOwners) {
    return Fail("PLEDGE_INVALID", "a pledge names 1 to 64 patents and 1 to 16 pledgors");
  }
  if (!ValidAmount(a.principal_fen()) || a.debt_type().size() > kMaxNameBytes || a.scope().size() > kMaxTextBytes ||
      (a.due_date() != 0 && !ValidDate(a.due_date())) || a.interest_rate_bps() > kMaxPledgeRateBps ||
      !RiskClass_IsValid(a.risk_class()) || (!a.contract_hash().empty() && !ValidHex64(a.contract_hash()))) {
    return Fail("PLEDGE_INVALID", "principal 0 to " + YuanText(kMaxAmountFen) +
                                      ", debt type <= 256 bytes, scope <= 512 bytes, a real due date, rate <= " +
                                      FormatPercentBps(kMaxPledgeRateBps) +
                                      ", a known risk class, contract hash as 64 hex");
  }
  patent_set->insert(a.patent_nos().begin(), a.patent_nos().end());
  pledgor_set->insert(a.pledgor_org_ids().begin(), a.pledgor_org_ids().end());
  if (patent_set->size() != static_cast<size_t>(a.patent_nos_size()) ||
      pledgor_set->size() != static_cast<size_t>(a.pledgor_org_ids_size())) {
    return Fail("PLEDGE_INVALID", "a patent or pledgor is listed twice");
  }
  return Status::OK();
}

// The parties of a registration, loaded once the signers who must be there in
// any case have been checked.
// The parties point into the block's organisation cache (LoadOrgRef), or at
// the *_read records when they had to be read.
struct RegisterParties {
  Organisation pledgee_read, debtor_read;
  std::map<std::string, Organisation> pledgors_read;
  const Organisation* pledgee = nullptr;
  const Organisation* debtor = nullptr;
  std::map<std::string, const Organisation*> pledgors;
};

Status LoadRegisterParties(TxContext& c, const PledgeRegister& a, const std::set<std::string>& pledgor_set,
                           RegisterParties* out) {
  PLEDGER_RETURN_IF_ERROR(LoadOrgRef(c, a.pledgee_org_id(), &out->pledgee_read, &out->pledgee));
  if (out->pledgee->kind() != ORG_BANK) {
    return Fail("PLEDGE_PLEDGEE_NOT_BANK", a.pledgee_org_id() + " is not a bank; pledgees on this ledger are banks");
  }
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_BANK, a.pledgee_org_id(), "PledgeRegister"));
  // R1: the pledge arises when the IP office registers it: its signature is the registration.
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_IP_OFFICE, {}, "PledgeRegister (R1)"));
  PLEDGER_RETURN_IF_ERROR(LoadOrgRef(c, a.debtor_org_id(), &out->debtor_read, &out->debtor));
  for (const std::string& id : pledgor_set) {
    PLEDGER_RETURN_IF_ERROR(LoadOrgRef(c, id, &out->pledgors_read[id], &out->pledgors[id]));
  }
  return Status::OK();
}

// R7g / R3 / R2: the written contract and its required data; R5: the agency
// acting for a foreign party without residence.
Status AddContractGrounds(TxContext& c, const PledgeRegister& a, const RegisterParties& parties) {
  std::vector<std::string> missing_data;
  if (a.debt_type().empty()) missing_data.push_back("debt type");
  if (a.principal_fen() <= 0) missing_data.push_back("debt amount");
  if (a.due_date() == 0) missing_data.push_back("performance term (due date)");
  if (a.scope().empty()) missing_data.push_back("scope of the security");
  if (parties.pledgee->name().empty() || parties.pledgee->address().empty()) missing_data.push_back("pledgee name/address");
  for (const auto& [id, org] : parties.pledgors) {
    if (org->name().empty() || org->address().empty()) missing_data.push_back("name/address of pledgor " + id);
  }
  if (!missing_data.empty()) {
    std::string list;
    for (const auto& m : missing_data) list += (list.empty() ? "" : ", ") + m;
    c.AddGround("PLEDGE_CONTRACT_DATA_MISSING", "the pledge contract data lacks: " + list + " (R3, R7g)");
  }
  if (a.contract_hash().empty()) {
    c.AddGround("PLEDGE_CONTRACT_MISSING", "a written pledge contract is required: give it with --contract FILE or "
                                           "its SHA-256 with " + Input("contract-hash", "contract_hash") + " (R2)");
  }
  if (a.due_date() != 0 && a.due_date() < c.today()) {
    c.AddGround("PLEDGE_CONTRACT_DATA_MISSING", "the debt's due date " + FormatDate(a.due_date()) +
                                                    " is already past (R3, R7g)");
  }
  bool foreign = parties.pledgee->foreign_non_resident();
  for (const auto& [id, org] : parties.pledgors) foreign = foreign || org->foreign_non_resident();
  if (!foreign) return Status::OK();
  bool ok = false;
  if (ValidId(a.agency_org_id())) {
    Organisation agency;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Org(a.agency_org_id()), &agency, &found));
    ok = found && agency.kind() == ORG_PATENT_AGENCY;
  }
  if (!ok) {
    c.AddGround("PLEDGE_AGENCY_REQUIRED", "a party is foreign without residence in China: name the patent agency "
                                          "acting for it with " + Input("agency", "agency_org_id") + " (R5)");
  }
  return Status::OK();
}

// R7a-f, R7i-k, R29 life, R31 lock: the grounds one pledged patent can fail.
void AddPatentGrounds(TxContext& c, const PledgeRegister& a, const Patent& p, const std::set<std::string>& pledgor_set,
                      const LendingPolicy& policy) {
  const std::string& no = p.patent_no();
  const std::int32_t today = c.today();
  const PatentStatus eff = EffectiveStatus(p, today);
  std::set<std::string> owners;
  for (const Owner& o : p.owners()) owners.insert(o.org_id());
  if (owners != pledgor_set && !std::includes(pledgor_set.begin(), pledgor_set.end(), owners.begin(), owners.end())) {
    c.AddGround("PLEDGE_PLEDGOR_NOT_PATENTEE", "the pledgors are not the registered patentees of " + no +
                                                   "; every owner must be a pledgor (R6, R7a)");
  }
  if (eff == PATENT_TERMINATED_NONPAYMENT || eff == PATENT_WAIVED || eff == PATENT_INVALIDATED || eff == PATENT_EXPIRED) {
    c.AddGround("PLEDGE_PATENT_NOT_IN_FORCE", "patent " + no + " is " + StatusName(eff) + " (R7b)");
  } else if (eff == PATENT_APPLICATION || p.grant_date() == 0) {
    c.AddGround("PLEDGE_PATENT_NOT_GRANTED", "patent " + no + " is not granted yet (R7c)");
  } else if (eff == PATENT_FEE_GRACE || p.fee_paid_through() < today) {
    c.AddGround("PLEDGE_PATENT_FEE_UNPAID", "annual fees of " + no + " are unpaid (paid through " +
                                                FormatDate(p.fee_paid_through()) + "); pay them first (R7d, R20)");
  }
  if (p.preserved() || p.suspended()) {
    c.AddGround("PLEDGE_PATENT_FROZEN", "patent " + no + " is under " +
                                            (p.preserved() ? "court preservation" : "an ownership-dispute suspension") + " (R7e, R15)");
  }
  if (a.due_date() != 0 && a.due_date() > p.expiry_date()) {
    c.AddGround("PLEDGE_DEBT_DUE_AFTER_EXPIRY", "the debt falls due " + FormatDate(a.due_date()) + ", after " + no +
                                                    " expires on " + FormatDate(p.expiry_date()) + " (R7f)");
  }
  if (!p.active_pledge_id().empty()) {
    c.AddGround("PLEDGE_PATENT_ALREADY_PLEDGED", "patent " + no + " is already pledged under pledge " +
                                                     p.active_pledge_id() + "; it must be cancelled first (R7i)");
  }
  if (!p.pool_id().empty()) {
    c.AddGround("PLEDGE_PATENT_POOLED", "patent " + no + " is locked in pool " + p.pool_id() + " (R31)");
  }
  if (p.type() == PATENT_UTILITY && !p.twin_patent_no().empty() && !a.risk_ack()) {
    c.AddGround("PLEDGE_TWIN_APPLICATION_UNACKNOWLEDGED", "utility model " + no + " has a same-day invention twin " +
                                                              p.twin_patent_no() + "; if the parties, informed, still proceed, add " +
                                                              Input("risk-ack", "risk_ack") + " (R7j)");
  }
  if (p.invalidation_pending() && !a.risk_ack()) {
    c.AddGround("PLEDGE_INVALIDATION_PENDING_UNACKNOWLEDGED", "invalidation proceedings against " + no +
                                                                  " have started; if the parties, informed, still proceed, add " +
                                                                  Input("risk-ack", "risk_ack") + " (R7k)");
  }
  const std::int32_t min_life = p.type() == PATENT_INVENTION ? policy.min_life_days_invention() : policy.min_life_days_other();
  if (min_life > 0 && p.expiry_date() - today < min_life) {
    c.AddGround("PLEDGE_PATENT_LIFE_TOO_SHORT", "patent " + no + " has " + std::to_string(p.expiry_date() - today) +
                                                    " days left; " + a.pledgee_org_id() + " requires " +
                                                    std::to_string(min_life) + " (R29)");
  }
}

// Every pledged patent's grounds, then the pledgors' (R7a: each owns a pledged
// patent; R1 / R6 / R7h: each signs, a missing co-owner being R7h). The
// patents that loaded are returned for the effects.
Status AddPatentsAndPledgorGrounds(TxContext& c, const PledgeRegister& a, const std::set<std::string>& patent_set,
                                   const std::set<std::string>& pledgor_set, const LendingPolicy& policy,
                                   std::vector<Patent>* patents) {
  std::set<std::string> owner_orgs;
  bool co_owned = false;
  for (const std::string& no : patent_set) {
    Patent p;
    Status s = LoadPatent(c, no, &p);
    if (!s.ok()) {
      if (!c.fatal().ok()) return s;
      c.AddGround(s.reason() == "PATENT_NOT_FOUND" ? "PLEDGE_PATENT_UNKNOWN" : std::string(s.reason()),
                  std::string(s.message()) + " (R3)");
      continue;
    }
    if (p.owners_size() > 1) co_owned = true;
    for (const Owner& o : p.owners()) owner_orgs.insert(o.org_id());
    AddPatentGrounds(c, a, p, pledgor_set, policy);
    patents->push_back(std::move(p));
  }
  for (const std::string& id : pledgor_set) {
    if (!owner_orgs.count(id) && patents->size() == patent_set.size()) {
      c.AddGround("PLEDGE_PLEDGOR_NOT_PATENTEE", id + " owns none of the pledged patents (R7a)");
    }
  }
  for (const std::string& id : pledgor_set) {
    if (c.SignerWithRole(ROLE_OWNER, id) != nullptr) continue;
    if (co_owned && !a.risk_ack()) {
      c.AddGround("PLEDGE_CO_OWNER_CONSENT_MISSING", "co-owner " + id + " has not consented (signed) (R6, R7h)");
    } else {
      c.AddGround("PLEDGE_PLEDGOR_SIGNATURE_MISSING", "pledgor " + id + " has not signed; pledgor and pledgee apply jointly (R1)");
    }
  }
  return Status::OK();
}

// R4, R28, R29: the valuation must exist, cover every patent and be valid when
// the bank requires one or caps the loan-to-value, which must then be within
// the cap. *ltv_bps is 0 without a valid valuation.
Status AddValuationGrounds(TxContext& c, const PledgeRegister& a, const std::set<std::string>& patent_set,
                           const LendingPolicy& policy, std::uint32_t* ltv_bps) {
  Valuation valuation;
  bool have_valuation = false, valuation_valid = false;
  if (!a.valuation_id().empty()) {
    bool found = false;
    if (ValidObjectId(a.valuation_id())) {
      c.Touch(keys::Valuation(a.valuation_id()));
      PLEDGER_RETURN_IF_ERROR(c.Read(keys::Valuation(a.valuation_id()), &valuation, &found));
    }
    if (!found) {
      c.AddGround("PLEDGE_VALUATION_NOT_FOUND", "valuation " + Quote(a.valuation_id()) + " is not on the ledger (R4)");
    } else {
      have_valuation = true;
      std::set<std::string> covered(valuation.patent_nos().begin(), valuation.patent_nos().end());
      if (!std::includes(covered.begin(), covered.end(), patent_set.begin(), patent_set.end())) {
        c.AddGround("PLEDGE_VALUATION_MISMATCH", "valuation " + a.valuation_id() + " does not cover every pledged patent (R4)");
      }
      valuation_valid = valuation.valid_until() >= c.today();
      if (!valuation_valid) {
        c.Emit("valuation.stale", {{"valuation_id", valuation.id()}, {"valid_until", FormatDate(valuation.valid_until())}, {"rule", "R28"}});
      }
    }
  }
  *ltv_bps = 0;
  if (have_valuation && valuation_valid) {
    const std::int64_t base = valuation.realisable_value_fen() > 0 ? valuation.realisable_value_fen() : valuation.value_fen();
    *ltv_bps = RatioBpsCeil(a.principal_fen(), base);
    if (policy.ltv_cap_bps() > 0 && *ltv_bps > policy.ltv_cap_bps()) {
      c.AddGround("PLEDGE_LTV_EXCEEDED", "loan-to-value is " + FormatPercentBps(*ltv_bps) + "; " + a.pledgee_org_id() +
                                             " allows at most " + FormatPercentBps(policy.ltv_cap_bps()) + ": lower " +
                                             Input("principal", "principal_fen") + " or pledge more value (R29)");
    }
  } else if (policy.valuation_required() || (policy.ltv_cap_bps() > 0 && have_valuation)) {
    c.AddGround(have_valuation ? "PLEDGE_VALUATION_EXPIRED" : "PLEDGE_VALUATION_REQUIRED",
                have_valuation ? "valuation " + valuation.id() + " was valid until " + FormatDate(valuation.valid_until()) +
                                     " and lapsed on " + FormatDate(valuation.valid_until() + 1) +
                                     "; have the patents re-appraised and give the new one with " +
                                     Input("valuation", "valuation_id") + " (R28, R29)"
                               : a.pledgee_org_id() + " requires a valid valuation for a pledge: give one with " +
                                     Input("valuation", "valuation_id") + " (R29)");
  }
  return Status::OK();
}

// R33: a small borrower already served by more banks than the threshold gets
// a caution when a new bank enters; the bank must acknowledge it.
struct PartnerBankCaution {
  bool caution = false;
  size_t banks_before = 0;
  std::uint32_t threshold = 0;
};

Status CheckPartnerBankCaution(TxContext& c, const PledgeRegister& a, const Organisation& debtor, const Params& params,
                               PartnerBankCaution* out) {
  std::set<std::string> lenders;
  std::int64_t borrower_credit = a.principal_fen();
  bool credit_overflow = false;
  BorrowerLenders all;
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Lenders(a.debtor_org_id()), &all, &found));
  for (const LenderExposure& e : all.lenders()) {
    if (e.active_pledges() == 0) continue;
    lenders.insert(e.bank_org_id());
    auto sum = CheckedAdd(borrower_credit, e.principal_fen());
    if (sum) borrower_credit = *sum; else credit_overflow = true;
  }
  out->threshold = debtor.kind() == ORG_INDIVIDUAL_BUSINESS ? params.caution_bank_threshold_individual()
                                                            : params.caution_bank_threshold();
  out->banks_before = lenders.size();
  const bool small_borrower = !credit_overflow && borrower_credit <= params.caution_credit_limit_fen();
  out->caution = small_borrower && !lenders.count(a.pledgee_org_id()) && lenders.size() > out->threshold;
  if (out->caution && !a.caution_ack()) {
    c.AddGround("PLEDGE_CAUTION_ACK_REQUIRED", a.debtor_org_id() + " already borrows from " + std::to_string(lenders.size()) +
                                                   " banks (more than " + std::to_string(out->threshold) +
                                                   "): enter cautiously; to proceed, the bank adds " +
                                                   Input("caution-ack", "caution_ack") + " (R33)");
  }
  return Status::OK();
}

Pledge NewPledge(const TxContext& c, const PledgeRegister& a, const std::set<std::string>& pledgor_set,
                 const std::set<std::string>& patent_set, std::uint32_t ltv_bps) {
  Pledge pl;
  pl.set_id(c.NewObjectId());
  pl.set_state(PLEDGE_REGISTERED);
  pl.set_pledgee_org_id(a.pledgee_org_id());
  for (const std::string& id : pledgor_set) pl.add_pledgor_org_ids(id);
  pl.set_debtor_org_id(a.debtor_org_id());
  pl.set_debt_type(a.debt_type());
  pl.set_principal_fen(a.principal_fen());
  pl.set_interest_rate_bps(a.interest_rate_bps());
  pl.set_due_date(a.due_date());
  pl.set_scope(a.scope());
  for (const std::string& no : patent_set) pl.add_patent_nos(no);
  pl.set_valuation_id(a.valuation_id());
  pl.set_ltv_bps(ltv_bps);
  pl.set_contract_hash(a.contract_hash());
  pl.set_forfeiture_clause(a.forfeiture_clause());
  pl.set_risk_ack(a.risk_ack());
  pl.set_caution_ack(a.caution_ack());
  pl.set_agency_org_id(a.agency_org_id());
  pl.set_outstanding_principal_fen(a.principal_fen());
  pl.set_risk_class(a.risk_class() == RISK_CLASS_UNSPECIFIED ? RISK_NORMAL : a.risk_class());
  pl.set_reg_date(c.today());
  pl.set_reg_height(c.height());
  pl.set_reg_index(c.index());
  pl.set_received_at_ms(c.time_ms());
  pl.set_decided_at_ms(c.time_ms());
  return pl;
}

// The record, its R18 order indexes, the R13 locks and the R33 exposure.
Status WritePledge(TxContext& c, const Pledge& pl, std::vector<Patent>& patents) {
  std::string key = keys::Pledge(pl.id());
  c.Touch(key);
  c.Write(std::move(key), pl);
  const std::string order = keys::OrderKey(c.height(), c.index());
  c.Put(keys::BankPledgePrefix(pl.pledgee_org_id()) + order, pl.id());
  c.Put(keys::BorrowerPledgePrefix(pl.debtor_org_id()) + order, pl.id());
  for (const std::string& org : pl.pledgor_org_ids()) c.Put(keys::PledgorPledgePrefix(org) + order, pl.id());
  for (Patent& p : patents) {
    p.set_active_pledge_id(pl.id());
    c.Write(keys::Patent(p.patent_no()), p);
    c.Put(keys::PatentPledgePrefix(p.patent_no()) + order, pl.id());
  }
  return AdjustExposure(c, pl.debtor_org_id(), pl.pledgee_org_id(), +1, pl.principal_fen());
}

void EmitRegistered(TxContext& c, const Pledge& pl, const std::vector<Patent>& patents,
                    const PartnerBankCaution& caution) {
  const std::int32_t today = c.today();
  // A principal is at least 1 fen, so ltv_bps is 0 only without a valid
  // valuation: say so rather than "0 bps" (issue 18 bug 7).
  if (pl.ltv_bps() > 0) {
    c.Emit("pledge.registered", {{"pledge_id", pl.id()},
                                 {"pledgee", pl.pledgee_org_id()},
                                 {"debtor", pl.debtor_org_id()},
                                 {"principal_fen", Fen(pl.principal_fen())},
                                 {"reg_date", FormatDate(today)},
                                 {"ltv_bps", std::to_string(pl.ltv_bps())}});
  } else {
    c.Emit("pledge.registered", {{"pledge_id", pl.id()},
                                 {"pledgee", pl.pledgee_org_id()},
                                 {"debtor", pl.debtor_org_id()},
                                 {"principal_fen", Fen(pl.principal_fen())},
                                 {"reg_date", FormatDate(today)},
                                 {"ltv", pl.valuation_id().empty() ? "no valuation" : "no valid valuation"}});
  }
  for (const Patent& p : patents) {
    // R10: what the gazette announces.
    c.Emit("gazette.pledge_registered", {{"pledge_id", pl.id()},
                                         {"pledgors", JoinIds(pl.pledgor_org_ids())},
                                         {"pledgee", pl.pledgee_org_id()},
                                         {"main_ipc", p.main_ipc()},
                                         {"patent_no", p.patent_no()},
                                         {"grant_date", FormatDate(p.grant_date())},
                                         {"reg_date", FormatDate(today)}});
  }
  if (pl.forfeiture_clause()) {
    c.Emit("pledge.forfeiture_clause", {{"pledge_id", pl.id()}, {"effect", "priority payment only; never a transfer"}, {"rule", "R8"}});
  }
  if (pl.risk_ack()) c.Emit("pledge.risk_acknowledged", {{"pledge_id", pl.id()}, {"rule", "R7j/R7k"}});
  if (caution.caution) {
    c.Emit("caution.partner_bank", {{"pledge_id", pl.id()},
                                    {"debtor", pl.debtor_org_id()},
                                    {"banks_before", std::to_string(caution.banks_before)},
                                    {"threshold", std::to_string(caution.threshold)},
                                    {"rule", "R33"}});
  }
}

}  // namespace

// Shape, then the parties and the signers needed in any case, then every
// ground collected (R7 lists all of them in the receipt), then the effects.
Status ExecPledgeRegister(TxContext& c, const PledgeRegister& a) {
  std::set<std::string> patent_set, pledgor_set;
  PLEDGER_RETURN_IF_ERROR(CheckRegisterShape(a, &patent_set, &pledgor_set));
  RegisterParties parties;
  PLEDGER_RETURN_IF_ERROR(LoadRegisterParties(c, a, pledgor_set, &parties));
  const Params* params = nullptr;
  PLEDGER_RETURN_IF_ERROR(c.LoadParams(&params));

  const LendingPolicy& policy = parties.pledgee->lending_policy();
  PLEDGER_RETURN_IF_ERROR(AddContractGrounds(c, a, parties));
  std::vector<Patent> patents;
  PLEDGER_RETURN_IF_ERROR(AddPatentsAndPledgorGrounds(c, a, patent_set, pledgor_set, policy, &patents));
  std::uint32_t ltv_bps = 0;
  PLEDGER_RETURN_IF_ERROR(AddValuationGrounds(c, a, patent_set, policy, &ltv_bps));
  PartnerBankCaution caution;
  PLEDGER_RETURN_IF_ERROR(CheckPartnerBankCaution(c, a, *parties.debtor, *params, &caution));
  if (c.has_grounds()) return c.RefuseWithGrounds();

  const Pledge pl = NewPledge(c, a, pledgor_set, patent_set, ltv_bps);
  PLEDGER_RETURN_IF_ERROR(WritePledge(c, pl, patents));
  EmitRegistered(c, pl, patents, caution);
  return Status::OK();
}

Status ExecPledgeChange(TxContext& c, const PledgeChange& a) {
  Pledge p;
  PLEDGER_RETURN_IF_ERROR(LoadPledgeAndPatents(c, a.pledge_id(), &p));
  PLEDGER_RETURN_IF_ERROR(RequireJointSigners(c, p, "PledgeChange"));
  PLEDGER_RETURN_IF_ERROR(RequireRegistered(p, "PledgeChange"));
  if (!ValidHex64(a.agreement_hash())) {
    return Fail("PLEDGE_CHANGE_AGREEMENT_MISSING", "a change needs the change agreement: --agreement FILE, or its "
                                                   "SHA-256 with " + Input("agreement-hash", "agreement_hash") + " (R11)");
  }
  if (a.new_principal_fen() == 0 && a.new_due_date() == 0 && a.new_scope().empty() && a.new_debt_type().empty()) {
    return Fail("PLEDGE_CHANGE_EMPTY", "the change changes nothing; give at least one of --principal, --due, --scope, "
                                       "--debt-type (API fields new_principal_fen, new_due_date, new_scope, "
                                       "new_debt_type) (R11)");
  }
  if (!ValidAmount(a.new_principal_fen()) || a.new_scope().size() > kMaxTextBytes ||
      a.new_debt_type().size() > kMaxNameBytes || (a.new_due_date() != 0 && (!ValidDate(a.new_due_date()) || a.new_due_date() < c.today()))) {
    return Fail("PLEDGE_CHANGE_INVALID", "--principal 0 to " + YuanText(kMaxAmountFen) +
                                             ", --scope <= 512 bytes, --debt-type <= 256 bytes, --due not past (R11)");
  }
  PLEDGER_RETURN_IF_ERROR(CheckPledgeNotFrozen(c, p, "PledgeChange"));
  if (a.new_due_date() != 0) PLEDGER_RETURN_IF_ERROR(CheckDueWithinTerm(c, p, a.new_due_date()));
  if (a.new_principal_fen() != 0) {
    const std::int64_t delta = a.new_principal_fen() - p.principal_fen();
    auto outstanding = CheckedAdd(p.outstanding_principal_fen(), delta);
    if (!outstanding || *outstanding < 0) {
      return Fail("PLEDGE_CHANGE_INVALID", "the new principal (" + Input("principal", "new_principal_fen") +
                                             ") is below the " + YuanText(p.principal_fen() - p.outstanding_principal_fen()) +
                                             " of principal already repaid (R11)");
    }
    PLEDGER_RETURN_IF_ERROR(AdjustExposure(c, p.debtor_org_id(), p.pledgee_org_id(), 0, delta));
    p.set_principal_fen(a.new_principal_fen());
    p.set_outstanding_principal_fen(*outstanding);
  }
  const bool extension = a.new_due_date() > p.due_date();
  if (a.new_due_date() != 0) p.set_due_date(a.new_due_date());
  if (!a.new_scope().empty()) p.set_scope(a.new_scope());
  if (!a.new_debt_type().empty()) p.set_debt_type(a.new_debt_type());
  p.set_changes(p.changes() + 1);
  c.Write(keys::Pledge(p.id()), p);
  c.Emit("pledge.changed", {{"pledge_id", p.id()},
                            {"principal_fen", Fen(p.principal_fen())},
                            {"due_date", FormatDate(p.due_date())},
                            {"extension", extension ? "true" : "false"},
                            {"rule", "R11"}});
  c.Emit("gazette.pledge_changed", {{"pledge_id", p.id()}, {"patents", JoinIds(p.patent_nos())}, {"date", FormatDate(c.today())}});
  return Status::OK();
}

Status ExecLoanAccrue(TxContext& c, const LoanAccrue& a) {
  Pledge p;
  PLEDGER_RETURN_IF_ERROR(LoadPledgeAndPatents(c, a.pledge_id(), &p));
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_BANK, p.pledgee_org_id(), "LoanAccrue"));
  PLEDGER_RETURN_IF_ERROR(RequireRegistered(p, "LoanAccrue"));
  if (!ValidAmount(a.interest_fen()) || !ValidAmount(a.costs_fen()) || (a.interest_fen() == 0 && a.costs_fen() == 0)) {
    return Fail("LOAN_AMOUNT_INVALID", "give --interest or --costs (API fields interest_fen, costs_fen), each 0 to " +
                                           YuanText(kMaxAmountFen) + ", not both 0 (R16)");
  }
  auto interest = CheckedAdd(p.outstanding_interest_fen(), a.interest_fen());
  auto costs = CheckedAdd(p.outstanding_costs_fen(), a.costs_fen());
  if (!interest || !costs || *interest > kMaxAmountFen || *costs > kMaxAmountFen) {
    return Fail("LOAN_AMOUNT_INVALID", "outstanding interest or costs would exceed " + YuanText(kMaxAmountFen) +
                                           "; lower --interest or --costs (R16)");
  }
  p.set_outstanding_interest_fen(*interest);
  p.set_outstanding_costs_fen(*costs);
  c.Write(keys::Pledge(p.id()), p);
  c.Emit("loan.accrued", {{"pledge_id", p.id()}, {"interest_fen", Fen(a.interest_fen())}, {"costs_fen", Fen(a.costs_fen())}});
  return Status::OK();
}

Status ExecLoanRepay(TxContext& c, const LoanRepay& a) {
  Pledge p;
  PLEDGER_RETURN_IF_ERROR(LoadPledgeAndPatents(c, a.pledge_id(), &p));
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_BANK, p.pledgee_org_id(), "LoanRepay"));
  PLEDGER_RETURN_IF_ERROR(RequireRegistered(p, "LoanRepay"));
  if (a.amount_fen() <= 0 || !ValidAmount(a.amount_fen())) {
    return Fail("LOAN_AMOUNT_INVALID", "a repayment (" + Input("amount", "amount_fen") + ") is 0.01 to " +
                                           YuanText(kMaxAmountFen) + " (R16)");
  }
  auto claim = Claim(p);
  if (!claim) return c.Fatal(Status::Internal("CLAIM_OVERFLOW", "outstanding amounts overflow; this is a bug"));
  if (a.amount_fen() > *claim) {
    return Fail("LOAN_OVERPAYMENT", "the repayment of " + YuanText(a.amount_fen()) + " exceeds the " +
                                        YuanText(*claim) + " outstanding; lower " + Input("amount", "amount_fen") +
                                        " or repay everything with --full (R16)");
  }
  auto repaid = CheckedAdd(p.repaid_fen(), a.amount_fen());
  if (!repaid) return RepaidOverflow(p);
  Allocation al = Allocate(&p, a.amount_fen());
  p.set_repaid_fen(*repaid);
  c.Emit("loan.repaid", {{"pledge_id", p.id()},
                         {"to_costs_fen", Fen(al.costs)},
                         {"to_interest_fen", Fen(al.interest)},
                         {"to_principal_fen", Fen(al.principal)},
                         {"outstanding_principal_fen", Fen(p.outstanding_principal_fen())},
                         {"rule", "R16"}});
  if (a.amount_fen() == *claim) {
    // R12: full repayment cancels the pledge and lifts the locks.
    PLEDGER_RETURN_IF_ERROR(AdjustExposure(c, p.debtor_org_id(), p.pledgee_org_id(), 0, -al.principal));
    return EndPledge(c, &p, CANCEL_REPAID, "");
  }
  PLEDGER_RETURN_IF_ERROR(AdjustExposure(c, p.debtor_org_id(), p.pledgee_org_id(), 0, -al.principal));
  c.Write(keys::Pledge(p.id()), p);
  return Status::OK();
}

Status ExecLoanRenew(TxContext& c, const LoanRenew& a) {
  Pledge p;
  PLEDGER_RETURN_IF_ERROR(LoadPledgeAndPatents(c, a.pledge_id(), &p));
  PLEDGER_RETURN_IF_ERROR(RequireJointSigners(c, p, "LoanRenew"));
  PLEDGER_RETURN_IF_ERROR(RequireRegistered(p, "LoanRenew"));
  if (!ValidHex64(a.agreement_hash())) {
    return Fail("PLEDGE_CHANGE_AGREEMENT_MISSING", "a renewal needs the renewal agreement: --agreement FILE, or its "
                                                   "SHA-256 with " + Input("agreement-hash", "agreement_hash") + " (R11, R34)");
  }
  if (!ValidDate(a.new_due_date()) || a.new_due_date() <= p.due_date()) {
    return Fail("LOAN_RENEW_INVALID", "a renewal moves the due date later: give " + Input("due", "new_due_date") +
                                          " after " + FormatDate(p.due_date()) + " (R34)");
  }
  PLEDGER_RETURN_IF_ERROR(CheckPledgeNotFrozen(c, p, "LoanRenew"));
  PLEDGER_RETURN_IF_ERROR(CheckDueWithinTerm(c, p, a.new_due_date()));
  // R34: the renewal neither worsens nor improves the risk class, and the rate
  // stays (no longer-term rate through a renewal): both are carried forward.
  const std::int32_t old_due = p.due_date();
  p.set_due_date(a.new_due_date());
  p.set_renewals(p.renewals() + 1);
  c.Write(keys::Pledge(p.id()), p);
  c.Emit("loan.renewed", {{"pledge_id", p.id()},
                          {"old_due_date", FormatDate(old_due)},
                          {"new_due_date", FormatDate(p.due_date())},
                          {"risk_class", RiskClass_Name(p.risk_class())},
                          {"interest_rate_bps", std::to_string(p.interest_rate_bps())},
                          {"rule", "R34"}});
  if (Flagged(p.risk_class())) {
    c.Emit("loan.renewal_flagged", {{"pledge_id", p.id()}, {"risk_class", RiskClass_Name(p.risk_class())}, {"rule", "R34"}});
  }
  return Status::OK();
}

Status ExecLoanClassify(TxContext& c, const LoanClassify& a) {
  Pledge p;
  PLEDGER_RETURN_IF_ERROR(LoadPledgeAndPatents(c, a.pledge_id(), &p));
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_BANK, p.pledgee_org_id(), "LoanClassify"));
  PLEDGER_RETURN_IF_ERROR(RequireRegistered(p, "LoanClassify"));
  if (!RiskClass_IsValid(a.risk_class()) || a.risk_class() == RISK_CLASS_UNSPECIFIED) {
    return Fail("LOAN_CLASS_INVALID", "give " + Input("class", "risk_class") +
                                          ": normal, special-mention, substandard, doubtful or loss (RISK_NORMAL … "
                                          "RISK_LOSS) (R34)");
  }
  if (a.risk_class() == p.risk_class()) {
    return Fail("LOAN_CLASS_INVALID", "the loan is already classed " + RiskClass_Name(p.risk_class()) +
                                          "; give another --class (R34)");
  }
  const RiskClass old = p.risk_class();
  p.set_risk_class(a.risk_class());
  c.Write(keys::Pledge(p.id()), p);
  c.Emit("loan.classified", {{"pledge_id", p.id()}, {"from", RiskClass_Name(old)}, {"to", RiskClass_Name(a.risk_class())}});
  return Status::OK();
}

Status ExecPledgeCancel(TxContext& c, const PledgeCancel& a) {
  Pledge p;
  PLEDGER_RETURN_IF_ERROR(LoadPledgeAndPatents(c, a.pledge_id(), &p));
  if (!CancelGround_IsValid(a.ground()) || a.ground() == CANCEL_GROUND_UNSPECIFIED) {
    return Fail("PLEDGE_CANCEL_INVALID", "give " + Input("ground", "ground") +
                                             ": repaid, waived, contract-void, court-order or other (CANCEL_*) (R12)");
  }
  if (a.ground() == CANCEL_COURT_ORDER) {
    PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_IP_OFFICE, {}, "PledgeCancel on a court order"));
  } else {
    PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_BANK, p.pledgee_org_id(), "PledgeCancel"));
  }
  // R12 lists enforcement among the grounds: an enforced pledge whose patents
  // were not (all) sold can be cancelled, which lifts its remaining locks.
  if (p.state() != PLEDGE_ENFORCED) PLEDGER_RETURN_IF_ERROR(RequireRegistered(p, "PledgeCancel"));
  if ((a.ground() == CANCEL_COURT_ORDER || a.ground() == CANCEL_CONTRACT_VOID) && !ValidHex64(a.document_hash())) {
    return Fail("DOCUMENT_HASH_MISSING", "this ground needs the court order or judgment: --document FILE, or its "
                                         "SHA-256 with " + Input("document-hash", "document_hash") + " (R12)");
  }
  if (!a.document_hash().empty() && !ValidHex64(a.document_hash())) {
    return Fail("DOCUMENT_HASH_MISSING", Input("document-hash", "document_hash") +
                                             " must be 64 lower-case hex characters, or give the file with --document FILE");
  }
  if (a.ground() != CANCEL_COURT_ORDER) PLEDGER_RETURN_IF_ERROR(CheckPledgeNotFrozen(c, p, "PledgeCancel"));
  return EndPledge(c, &p, a.ground(), a.document_hash());
}

Status ExecPledgeEnforce(TxContext& c, const PledgeEnforce& a) {
  Pledge p;
  PLEDGER_RETURN_IF_ERROR(LoadPledgeAndPatents(c, a.pledge_id(), &p));
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_BANK, p.pledgee_org_id(), "PledgeEnforce"));
  PLEDGER_RETURN_IF_ERROR(RequireRegistered(p, "PledgeEnforce"));
  if (!EnforceMethod_IsValid(a.method()) || a.method() == ENFORCE_METHOD_UNSPECIFIED) {
    return Fail("PLEDGE_ENFORCE_INVALID", "give " + Input("method", "method") +
                                              ": discount, auction or sale (ENFORCE_*) (R17)");
  }
  if (!ValidAmount(a.proceeds_fen())) {
    return Fail("PLEDGE_ENFORCE_INVALID", Input("proceeds", "proceeds_fen") + " is 0 to " + YuanText(kMaxAmountFen) + " (R17)");
  }
  if (!ValidHex64(a.document_hash())) {
    return Fail("DOCUMENT_HASH_MISSING", "enforcement needs the sale contract, auction record or price agreement: "
                                         "--document FILE, or its SHA-256 with " +
                                             Input("document-hash", "document_hash") + " (R17)");
  }
  if (c.today() <= p.due_date()) {
    return Fail("PLEDGE_NOT_DUE", "the debt falls due " + FormatDate(p.due_date()) +
                                      "; a pledge is enforced only after the debtor defaults (R17)");
  }
  PLEDGER_RETURN_IF_ERROR(CheckPledgeNotFrozen(c, p, "PledgeEnforce"));
  auto claim = Claim(p);
  if (!claim) return c.Fatal(Status::Internal("CLAIM_OVERFLOW", "outstanding amounts overflow; this is a bug"));
  const std::int64_t principal_before = p.outstanding_principal_fen();
  const std::int64_t to_pledgee = std::min(a.proceeds_fen(), *claim);  // R17
  auto repaid = CheckedAdd(p.repaid_fen(), to_pledgee);
  if (!repaid) return RepaidOverflow(p);
  Allocation al = Allocate(&p, to_pledgee);                            // R16 order
  Enforcement* e = p.mutable_enforcement();
  e->set_method(a.method());
  e->set_proceeds_fen(a.proceeds_fen());
  e->set_to_pledgee_fen(to_pledgee);
  e->set_surplus_fen(a.proceeds_fen() - to_pledgee);  // to the pledgor (CC 438)
  e->set_shortfall_fen(*claim - to_pledgee);          // still owed by the debtor (CC 438)
  e->set_date(c.today());
  e->set_document_hash(a.document_hash());
  p.set_repaid_fen(*repaid);
  p.set_state(PLEDGE_ENFORCED);
  PLEDGER_RETURN_IF_ERROR(AdjustExposure(c, p.debtor_org_id(), p.pledgee_org_id(), -1, -principal_before));
  c.Write(keys::Pledge(p.id()), p);
  c.Emit("pledge.enforced", {{"pledge_id", p.id()},
                             {"method", EnforceMethod_Name(a.method())},
                             {"proceeds_fen", Fen(a.proceeds_fen())},
                             {"to_pledgee_fen", Fen(to_pledgee)},
                             {"to_principal_fen", Fen(al.principal)},
                             {"surplus_fen", Fen(e->surplus_fen())},
                             {"shortfall_fen", Fen(e->shortfall_fen())},
                             {"rule", "R17"}});
  if (p.forfeiture_clause()) {
    // R8: the clause gives priority payment only; ownership moves only through
    // a PatentAssign signed by the parties and the IP office.
    c.Emit("pledge.forfeiture_not_applied", {{"pledge_id", p.id()}, {"rule", "R8"}});
  }
  return Status::OK();
}

}  // namespace pledger::contracts::internal
