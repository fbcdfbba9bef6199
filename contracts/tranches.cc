// Securitisation tranches: issuance once (R32), investor holdings
// and their transfers, and the payment date that runs the waterfall
// (contracts/waterfall.h, H1-H8) and leaves its statement on the ledger.
// docs/contracts.md "Pools and tranches".
#include <algorithm>
#include <map>
#include <set>

#include "contracts/internal/pools.h"
#include "contracts/internal/records.h"
#include "contracts/internal/validate.h"
#include "contracts/money.h"
#include "contracts/pool_keys.h"

namespace pledger::contracts::internal {
namespace {

// Amounts in messages: yuan with thousands separators (money.h).
std::string Yuan(std::int64_t fen) { return YuanText(fen); }

// Class order by rank: seniors, then mezzanines, then the one subordinated tranche last.
Status CheckStructure(const std::vector<const TrancheSpec*>& by_rank) {
  if (by_rank.size() < kMinTranches || by_rank.size() > kMaxTranches) {
    return Fail("TRANCHE_STRUCTURE_INVALID", "issue 2 to 9 tranches: at least one SENIOR and exactly one "
                                             "SUBORDINATED (R32)");
  }
  size_t seniors = 0, subordinated = 0;
  for (size_t i = 0; i < by_rank.size(); ++i) {
    const TrancheClass cls = by_rank[i]->tranche_class();
    seniors += cls == TRANCHE_SENIOR ? 1 : 0;
    subordinated += cls == TRANCHE_SUBORDINATED ? 1 : 0;
    if (i > 0 && cls < by_rank[i - 1]->tranche_class()) {
      return Fail("TRANCHE_STRUCTURE_INVALID", "rank " + std::to_string(by_rank[i]->rank()) + " (" +
                                                   TrancheClass_Name(cls) + ") ranks below a more junior class; "
                                                   "ranks run SENIOR, then MEZZANINE, then SUBORDINATED (R32)");
    }
  }
  if (seniors == 0 || subordinated != 1) {
    return Fail("TRANCHE_STRUCTURE_INVALID", "a deal has at least one SENIOR tranche and exactly one SUBORDINATED "
                                             "tranche, ranked last (R32)");
  }
  return Status::OK();
}

// H3/H4: a rated tranche's schedule: 1..120 steps, dates increasing after
// today and not after the legal maturity, positive amounts adding up to the
// principal, and starting no earlier than the previous rated tranche's last
// step, so principal stays sequential by construction.
Status CheckSchedule(const TrancheSpec& t, std::int32_t today, std::int32_t maturity, std::int32_t* previous_last) {
  const std::string which = "tranche rank " + std::to_string(t.rank());
  if (t.schedule().empty() || static_cast<size_t>(t.schedule_size()) > kMaxScheduleSteps) {
    return Fail("TRANCHE_SCHEDULE_INVALID", which + " needs a principal schedule of 1 to 120 steps (a bullet is one "
                                                    "step on its expected maturity) (H3)");
  }
  std::int64_t sum = 0;
  std::int32_t last = 0;
  for (const PrincipalStep& s : t.schedule()) {
    if (!ValidDate(s.date()) || s.date() <= today || s.date() > maturity || s.date() <= last) {
      return Fail("TRANCHE_SCHEDULE_INVALID", which + ": schedule dates must increase, lie after today and not after "
                                                      "the legal maturity " + FormatDate(maturity) + " (H3)");
    }
    if (s.amount_fen() <= 0 || !ValidAmount(s.amount_fen())) {
      return Fail("TRANCHE_SCHEDULE_INVALID", which + ": each scheduled amount is 1 to 10^14 fen (H3)");
    }
    sum += s.amount_fen();  // <= 120 x 10^14: fits
    last = s.date();
  }
  if (sum != t.principal_fen()) {
    return Fail("TRANCHE_SCHEDULE_INVALID", which + ": the schedule adds up to " + Yuan(sum) + ", not the principal " +
                                                Yuan(t.principal_fen()) + " (H3)");
  }
  if (t.schedule(0).date() < *previous_last) {
    return Fail("TRANCHE_SCHEDULE_INVALID", which + " is scheduled to receive principal before the tranche above it "
                                                    "is repaid (" + FormatDate(*previous_last) +
                                                    "); principal is sequential (H3, H4)");
  }
  *previous_last = last;
  return Status::OK();
}

// Reads a holding (absent: units 0, *found false).
Status ReadHolding(TxContext& c, std::string_view pool, std::uint32_t rank, std::string_view org, Holding* h,
                   bool* found) {
  return c.Read(keys::Holding(pool, rank, org), h, found);
}

// One tranche's own terms (R32): a class, a principal in whole units of face
// value, coupon and rating within bounds; the subordinated tranche takes the
// residual (H6), the others carry a rating.
Status CheckTrancheTerms(const TrancheSpec& t) {
  const std::string which = "tranche rank " + std::to_string(t.rank());
  if (t.tranche_class() != TRANCHE_SENIOR && t.tranche_class() != TRANCHE_MEZZANINE &&
      t.tranche_class() != TRANCHE_SUBORDINATED) {
    return Fail("TRANCHE_INVALID", which + ": class must be TRANCHE_SENIOR, TRANCHE_MEZZANINE or TRANCHE_SUBORDINATED");
  }
  if (t.principal_fen() <= 0 || !ValidAmount(t.principal_fen()) || t.principal_fen() % kUnitFaceFen != 0) {
    return Fail("TRANCHE_INVALID", which + ": principal must be a positive multiple of the unit face value, "
                                           "100.00 yuan, at most " + Yuan(kMaxAmountFen));
  }
  if (t.coupon_bps() > kMaxPoolRateBps || t.rating().size() > kMaxRatingBytes) {
    return Fail("TRANCHE_INVALID", which + ": coupon 0 to 10000 bps a year, rating label at most 16 bytes");
  }
  if (t.tranche_class() == TRANCHE_SUBORDINATED && (t.coupon_bps() != 0 || !t.schedule().empty())) {
    return Fail("TRANCHE_INVALID", which + ": the subordinated tranche has no coupon and no schedule; it takes "
                                           "the residual (H6)");
  }
  if (t.tranche_class() != TRANCHE_SUBORDINATED && t.rating().empty()) {
    return Fail("TRANCHE_INVALID", which + ": a senior or mezzanine tranche needs its rating label (e.g. AAA)");
  }
  return Status::OK();
}

// Each tranche on its own, in the order given: its rank first (distinct, 1 to
// 9), then its terms. Fills *by_rank.
Status CheckTranches(const TrancheIssue& a, std::map<std::uint32_t, const TrancheSpec*>* by_rank) {
  for (const TrancheSpec& t : a.tranches()) {
    if (t.rank() < 1 || t.rank() > kMaxTrancheRank || !by_rank->emplace(t.rank(), &t).second) {
      return Fail("TRANCHE_RANK_INVALID", "ranks are distinct numbers 1 to 9, 1 the most senior (R32); " +
                                              std::to_string(t.rank()) + " is out of range or repeated");
    }
    PLEDGER_RETURN_IF_ERROR(CheckTrancheTerms(t));
  }
  return Status::OK();
}

// The tranches together, by rank: the class order (R32), principal adding up
// to the deal size (R32), and the rated tranches' schedules, sequential
// (H3, H4).
Status CheckDeal(const std::vector<const TrancheSpec*>& by_rank, const Pool& pool, std::int32_t today) {
  PLEDGER_RETURN_IF_ERROR(CheckStructure(by_rank));
  std::int64_t total = 0;
  for (const TrancheSpec* t : by_rank) total += t->principal_fen();  // <= 9 x 10^14: fits
  if (total != pool.deal_size_fen()) {
    return Fail("TRANCHE_PRINCIPAL_MISMATCH", "the tranches add up to " + Yuan(total) + "; the deal size is " +
                                                  Yuan(pool.deal_size_fen()) + " (R32)");
  }
  std::int32_t previous_last = 0;
  for (const TrancheSpec* t : by_rank) {
    if (t->tranche_class() == TRANCHE_SUBORDINATED) continue;
    PLEDGER_RETURN_IF_ERROR(CheckSchedule(*t, today, pool.legal_maturity_date(), &previous_last));
  }
  return Status::OK();
}

// Units per investor, per rank.
using Placement = std::map<std::uint32_t, std::map<std::string, std::int64_t>>;

// R32: every unit placed. Each allocation names an issued rank, a positive
// number of units and an investor that is not an IP office, once per rank;
// per rank the allocations add up to principal / face value, with at most
// 200 holders.
Status PlaceUnits(TxContext& c, const TrancheIssue& a, const std::vector<const TrancheSpec*>& by_rank,
                  Placement* placed) {
  for (const UnitAllocation& u : a.allocations()) {
    const bool issued = std::any_of(by_rank.begin(), by_rank.end(),
                                    [&](const TrancheSpec* t) { return t->rank() == u.rank(); });
    if (!issued) {
      return Fail("TRANCHE_ALLOCATION_INVALID", "an allocation names rank " + std::to_string(u.rank()) +
                                                    ", which is not issued (R32)");
    }
    if (u.units() <= 0 || u.units() > kMaxUnits) {
      return Fail("TRANCHE_ALLOCATION_INVALID", "allocated units must be positive (R32)");
    }
    Organisation investor;
    PLEDGER_RETURN_IF_ERROR(LoadOrg(c, u.investor_org_id(), &investor));
    if (investor.kind() == ORG_IP_OFFICE) {
      return Fail("TRANCHE_ALLOCATION_INVALID", "an IP office cannot hold tranche units");
    }
    if (!(*placed)[u.rank()].emplace(u.investor_org_id(), u.units()).second) {
      return Fail("TRANCHE_ALLOCATION_INVALID", u.investor_org_id() + " is allocated rank " +
                                                    std::to_string(u.rank()) + " twice; merge the allocations");
    }
  }
  for (const TrancheSpec* t : by_rank) {
    const std::map<std::string, std::int64_t>& holders = (*placed)[t->rank()];
    std::int64_t units = 0;
    for (const auto& [org, n] : holders) units += n;  // each <= 10^10, <= 200 of them
    const std::int64_t issued = t->principal_fen() / kUnitFaceFen;
    if (units != issued || holders.size() > kMaxHoldersPerTranche) {
      return Fail("TRANCHE_ALLOCATION_INVALID", "rank " + std::to_string(t->rank()) + " issues " + std::to_string(issued) +
                                                    " units to at most 200 holders; the allocations place " +
                                                    std::to_string(units) + " units with " +
                                                    std::to_string(holders.size()) + " holders (R32)");
    }
  }
  return Status::OK();
}

// Writes one issued tranche, its holdings and each holder's index entry, and
// announces it.
void WriteTranche(TxContext& c, const Pool& pool, const TrancheSpec& spec,
                  const std::map<std::string, std::int64_t>& holders) {
  Tranche t;
  t.set_pool_id(pool.id());
  t.set_rank(spec.rank());
  t.set_tranche_class(spec.tranche_class());
  t.set_principal_fen(spec.principal_fen());
  t.set_coupon_bps(spec.coupon_bps());
  t.set_rating(spec.rating());
  *t.mutable_schedule() = spec.schedule();
  t.set_units(spec.principal_fen() / kUnitFaceFen);
  t.set_outstanding_fen(spec.principal_fen());
  t.set_holders(static_cast<std::uint32_t>(holders.size()));
  const std::string key = keys::Tranche(pool.id(), t.rank());
  c.Touch(key);
  c.Write(key, t);
  for (const auto& [org, units] : holders) {
    Holding h;
    h.set_pool_id(pool.id());
    h.set_rank(t.rank());
    h.set_investor_org_id(org);
    h.set_units(units);
    c.Write(keys::Holding(pool.id(), t.rank(), org), h);
    c.Put(keys::InvestorHolding(org, pool.id(), t.rank()), "1");
  }
  c.Emit("tranche.issued", {{"pool_id", pool.id()},
                            {"rank", std::to_string(t.rank())},
                            {"class", TrancheClass_Name(t.tranche_class())},
                            {"principal_fen", std::to_string(t.principal_fen())},
                            {"coupon_bps", std::to_string(t.coupon_bps())},
                            {"rating", t.rating()},
                            {"units", std::to_string(t.units())},
                            {"rule", "R32"}});
}

}  // namespace

Status ExecTrancheIssue(TxContext& c, const TrancheIssue& a) {
  Pool pool;
  PLEDGER_RETURN_IF_ERROR(LoadPool(c, a.pool_id(), &pool));
  PLEDGER_RETURN_IF_ERROR(RequireTrustee(c, pool, "TrancheIssue"));
  PLEDGER_RETURN_IF_ERROR(RequireNotWoundDown(pool, "TrancheIssue"));
  if (pool.state() != POOL_OPEN) {
    return Fail("TRANCHE_ALREADY_ISSUED", "pool " + pool.id() + " issued its tranches on " +
                                              FormatDate(pool.issue_date()) + "; tranches are issued once (R32)");
  }
  if (pool.active_members() == 0) {
    return Fail("POOL_EMPTY", "pool " + pool.id() + " has no members; admit its assets before issuing (R31)");
  }
  if (!ValidHex64(a.document_hash())) {
    return Fail("DOCUMENT_HASH_MISSING", "an issuance needs the SHA-256 (64 lower-case hex) of the offering document");
  }
  const std::int32_t today = c.today();
  std::map<std::uint32_t, const TrancheSpec*> specs;
  PLEDGER_RETURN_IF_ERROR(CheckTranches(a, &specs));
  std::vector<const TrancheSpec*> by_rank;
  for (const auto& [rank, t] : specs) by_rank.push_back(t);
  PLEDGER_RETURN_IF_ERROR(CheckDeal(by_rank, pool, today));
  Placement placed;
  PLEDGER_RETURN_IF_ERROR(PlaceUnits(c, a, by_rank, &placed));

  for (const TrancheSpec* spec : by_rank) WriteTranche(c, pool, *spec, placed[spec->rank()]);
  pool.set_state(POOL_ISSUED);
  pool.set_issue_date(today);
  pool.set_last_payment_date(today);  // interest accrues from the issue date
  pool.set_offering_document_hash(a.document_hash());
  pool.set_tranche_count(static_cast<std::uint32_t>(by_rank.size()));
  c.Write(keys::Pool(pool.id()), pool);
  c.Emit("pool.issued", {{"pool_id", pool.id()},
                         {"issue_date", FormatDate(today)},
                         {"deal_size_fen", std::to_string(pool.deal_size_fen())},
                         {"tranches", std::to_string(by_rank.size())}});
  return Status::OK();
}

Status ExecHoldingTransfer(TxContext& c, const HoldingTransfer& a) {
  Pool pool;
  PLEDGER_RETURN_IF_ERROR(LoadPool(c, a.pool_id(), &pool));
  if (!ValidId(a.from_org_id())) {
    return Fail("ORG_ID_INVALID", Input("from", "from_org_id") + " " + Quote(a.from_org_id()) +
                                      " must match [a-z0-9._-]{1,64}");
  }
  // The holder gives the units away: only its signature counts.
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_INVESTOR, a.from_org_id(), "HoldingTransfer"));
  PLEDGER_RETURN_IF_ERROR(RequireNotWoundDown(pool, "HoldingTransfer"));
  if (pool.state() != POOL_ISSUED) {
    return Fail("TRANCHE_NOT_ISSUED", "pool " + pool.id() + " has not issued its tranches yet");
  }
  Tranche t;
  bool found = false;
  if (a.rank() >= 1 && a.rank() <= kMaxTrancheRank) {
    c.Touch(keys::Tranche(pool.id(), a.rank()));
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Tranche(pool.id(), a.rank()), &t, &found));
  }
  if (!found) {
    return Fail("TRANCHE_NOT_FOUND", "pool " + pool.id() + " has no tranche of rank " + std::to_string(a.rank()));
  }
  Organisation from, to;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.from_org_id(), &from));
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.to_org_id(), &to));
  if (a.to_org_id() == a.from_org_id() || to.kind() == ORG_IP_OFFICE || a.units() <= 0) {
    return Fail("HOLDING_INVALID", "transfer a positive number of units to another organisation (not an IP office)");
  }
  Holding src, dst;
  bool have_src = false, have_dst = false;
  PLEDGER_RETURN_IF_ERROR(ReadHolding(c, pool.id(), t.rank(), a.from_org_id(), &src, &have_src));
  if (!have_src || src.units() < a.units()) {
    return Fail("HOLDING_INSUFFICIENT", a.from_org_id() + " holds " + std::to_string(have_src ? src.units() : 0) +
                                            " units of rank " + std::to_string(t.rank()) + "; it cannot transfer " +
                                            std::to_string(a.units()) + " (R32)");
  }
  PLEDGER_RETURN_IF_ERROR(ReadHolding(c, pool.id(), t.rank(), a.to_org_id(), &dst, &have_dst));
  if (!have_dst && src.units() != a.units() && t.holders() >= kMaxHoldersPerTranche) {
    return Fail("TRANCHE_HOLDER_LIMIT", "rank " + std::to_string(t.rank()) + " already has 200 holders, the "
                                        "ledger's limit; transfer to an existing holder or transfer everything");
  }
  std::uint32_t holders = t.holders();
  src.set_units(src.units() - a.units());
  if (src.units() == 0) {
    c.Erase(keys::Holding(pool.id(), t.rank(), a.from_org_id()));
    c.Erase(keys::InvestorHolding(a.from_org_id(), pool.id(), t.rank()));
    --holders;
  } else {
    c.Write(keys::Holding(pool.id(), t.rank(), a.from_org_id()), src);
  }
  if (!have_dst) {
    dst.set_pool_id(pool.id());
    dst.set_rank(t.rank());
    dst.set_investor_org_id(a.to_org_id());
    c.Put(keys::InvestorHolding(a.to_org_id(), pool.id(), t.rank()), "1");
    ++holders;
  }
  dst.set_units(dst.units() + a.units());  // both <= the tranche's units
  c.Write(keys::Holding(pool.id(), t.rank(), a.to_org_id()), dst);
  if (holders != t.holders()) {
    t.set_holders(holders);
    c.Write(keys::Tranche(pool.id(), t.rank()), t);
  }
  c.Emit("holding.transferred", {{"pool_id", pool.id()},
                                 {"rank", std::to_string(t.rank())},
                                 {"from_org_id", a.from_org_id()},
                                 {"to_org_id", a.to_org_id()},
                                 {"units", std::to_string(a.units())}});
  return Status::OK();
}

Status ExecPoolPay(TxContext& c, const PoolPay& a) {
  Pool pool;
  PLEDGER_RETURN_IF_ERROR(LoadPool(c, a.pool_id(), &pool));
  PLEDGER_RETURN_IF_ERROR(RequireTrustee(c, pool, "PoolPay"));
  PLEDGER_RETURN_IF_ERROR(RequireNotWoundDown(pool, "PoolPay"));
  if (pool.state() != POOL_ISSUED) {
    return Fail("TRANCHE_NOT_ISSUED", "pool " + pool.id() + " has no tranches yet; issue them before a payment date");
  }
  const std::int32_t date = a.payment_date() == 0 ? c.today() : a.payment_date();
  if (!ValidDate(date) || date <= pool.last_payment_date() || date > c.today()) {
    return Fail("POOL_PAYMENT_DATE_INVALID", "the payment date must be after the previous one (" +
                                                FormatDate(pool.last_payment_date()) + ") and not after today (" +
                                                FormatDate(c.today()) + ") (H7)");
  }
  DealState deal;
  PLEDGER_RETURN_IF_ERROR(LoadDeal(c, pool, &deal));
  auto st = RunWaterfall(&deal, date, !a.no_shortfall_draw());
  if (!st.ok()) {
    // An inconsistent deal is a damaged state, not a rule: stop the block.
    if (st.status().code() == StatusCode::kInternal) return c.Fatal(st.status());
    return st.status();
  }
  if (st->guarantor_draw_fen() > 0 && c.SignerWithRole(ROLE_GUARANTOR, pool.guarantor_org_id()) == nullptr) {
    return Fail("POOL_SHORTFALL_SIGNATURE_MISSING",
                "this payment date needs " + Yuan(st->guarantor_draw_fen()) + " from shortfall provider " +
                    pool.guarantor_org_id() + " (H5): have a GUARANTOR account of it co-sign, or, if it did not "
                    "pay, add " + Input("no-shortfall-draw", "no_shortfall_draw"));
  }
  st->set_height(c.height());

  c.Write(keys::Pool(pool.id()), deal.pool);
  for (const Tranche& t : deal.tranches) c.Write(keys::Tranche(pool.id(), t.rank()), t);
  // Only holders who were paid changed.
  std::set<std::pair<std::uint32_t, std::string>> paid;
  for (const HolderPayment& hp : st->holders()) paid.emplace(hp.rank(), hp.investor_org_id());
  for (const auto& hs : deal.holdings) {
    for (const Holding& h : hs) {
      if (paid.count({h.rank(), h.investor_org_id()}) == 0) continue;
      c.Write(keys::Holding(pool.id(), h.rank(), h.investor_org_id()), h);
      c.Touch(keys::Org(h.investor_org_id()));
    }
  }
  c.Write(keys::PoolStatement(pool.id(), FormatDate(date)), *st);
  c.Emit("pool.paid", {{"pool_id", pool.id()},
                       {"payment_date", FormatDate(date)},
                       {"cash_in_fen", std::to_string(st->cash_in_fen())},
                       {"fees_fen", std::to_string(st->fees_paid_fen())},
                       {"interest_fen", std::to_string(st->interest_paid_fen())},
                       {"principal_fen", std::to_string(st->principal_paid_fen())},
                       {"residual_fen", std::to_string(st->residual_paid_fen())},
                       {"carried_fen", std::to_string(st->carried_out_fen())},
                       {"triggered", st->triggered() ? "true" : "false"}});
  if (st->guarantor_draw_fen() > 0) {
    c.Touch(keys::Org(pool.guarantor_org_id()));
    c.Emit("pool.shortfall_drawn", {{"pool_id", pool.id()},
                                    {"guarantor_org_id", pool.guarantor_org_id()},
                                    {"amount_fen", std::to_string(st->guarantor_draw_fen())},
                                    {"rule", "H5"}});
  }
  if (st->senior_shortfall_fen() > 0) {
    // Senior interest or scheduled principal went unpaid: the trustee decides
    // whether this is a trigger event (H8); the ledger says so loudly.
    c.Emit("pool.senior_shortfall", {{"pool_id", pool.id()},
                                     {"unpaid_fen", std::to_string(st->senior_shortfall_fen())},
                                     {"rule", "H5"}});
  }
  return Status::OK();
}

}  // namespace pledger::contracts::internal
