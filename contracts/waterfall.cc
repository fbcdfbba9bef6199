#include "contracts/waterfall.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <string>

#include "contracts/codes.h"
#include "contracts/dates.h"
#include "contracts/money.h"

namespace pledger::contracts {
namespace {

// Products of an amount, a rate and a day count exceed int64 long before any
// real deal does (10^14 fen x 10^4 bps x 10^5 days); a 128-bit intermediate
// keeps the rounding exact instead of splitting the division. GCC's
// __extension__ keeps -Wpedantic quiet about the non-standard type.
__extension__ typedef __int128 Int128;

constexpr std::int64_t kDaysPerYear = 365;  // ACT/365 fixed: leap days accrue, the year stays 365
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

Status Overflow(std::string_view what) {
  return Fail("POOL_AMOUNT_OVERFLOW", std::string(what) +
                                          " does not fit in 64-bit fen; the deal's amounts or arrears have grown "
                                          "beyond what the ledger can carry: wind the pool down");
}

// Adds `v` to `*acc`, remembering an overflow in `*ok` instead of wrapping.
void Add(std::int64_t* acc, std::int64_t v, bool* ok) {
  auto r = CheckedAdd(*acc, v);
  if (!r) {
    *ok = false;
    return;
  }
  *acc = *r;
}

bool IsClass(const Tranche& t, TrancheClass c) { return t.tranche_class() == c; }

// Working figures of one tranche for this payment date.
struct Work {
  std::int64_t balance_before = 0;
  std::int64_t interest_due = 0;     // arrears + this period's interest
  std::int64_t interest_cash = 0;    // paid from the pool's cash
  std::int64_t principal_due = 0;    // scheduled; H5 backs it for seniors
  std::int64_t principal_cash = 0;
  std::int64_t guarantor_interest = 0;
  std::int64_t guarantor_principal = 0;
  std::int64_t residual = 0;
};

// One payment date over one deal. Every step takes from `cash_` and records
// itself in the statement in execution order.
class Run {
 public:
  Run(DealState* deal, std::int32_t date) : d_(*deal), date_(date) {}

  Result<PoolStatement> Execute(bool allow_draw);

 private:
  // True if every tranche ranked above index i is paid off (sequential principal).
  bool HigherPaidOff(size_t i) const {
    for (size_t j = 0; j < i; ++j) {
      if (d_.tranches[j].outstanding_fen() > 0) return false;
    }
    return true;
  }
  // Every SENIOR and MEZZANINE tranche is paid off (the last tranche is the subordinated one).
  bool AllRatedPaidOff() const { return HigherPaidOff(d_.tranches.size() - 1); }
  void Step(std::string_view id, std::string what, std::uint32_t rank, std::int64_t amount) {
    WaterfallStep* s = st_.add_steps();
    s->set_step(std::string(id));
    s->set_what(std::move(what));
    s->set_rank(rank);
    s->set_amount_fen(amount);
  }
  // Takes up to `want` from the cash left.
  std::int64_t Take(std::int64_t want) {
    std::int64_t pay = std::min(cash_, std::max<std::int64_t>(want, 0));
    cash_ -= pay;
    return pay;
  }
  Status Fees(std::int64_t balance, std::int64_t days);
  void PayInterest(TrancheClass cls);
  void PayPrincipal(TrancheClass cls, std::string_view step, bool all_cash);
  void CallShortfallProvider(bool allow_draw);
  void Residual();
  void Settle();
  Status PayHolders();

  DealState& d_;
  std::int32_t date_;
  std::int64_t cash_ = 0;     // cash not yet paid out
  std::int64_t cash_in_ = 0;  // carried in + collections + guarantor draw
  std::vector<Work> work_;
  PoolStatement st_;
  bool ok_ = true;            // false once a checked sum overflowed
};

// H1: fee lines in schedule order; what is unpaid becomes arrears, due first next time.
Status Run::Fees(std::int64_t balance, std::int64_t days) {
  Pool& p = d_.pool;
  p.mutable_fee_arrears_fen()->Resize(p.fees_size(), 0);
  for (int i = 0; i < p.fees_size(); ++i) {
    const FeeLine& f = p.fees(i);
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t accrued, AccrueAct365(balance, f.rate_bps(), days));
    std::int64_t due = p.fee_arrears_fen(i);
    Add(&due, f.fixed_fen(), &ok_);
    Add(&due, accrued, &ok_);
    const std::int64_t paid = Take(due);
    p.set_fee_arrears_fen(i, due - paid);
    FeePayment* fp = st_.add_fees();
    fp->set_name(f.name());
    fp->set_payee_org_id(f.payee_org_id());
    fp->set_due_fen(due);
    fp->set_paid_fen(paid);
    fp->set_arrears_after_fen(due - paid);
    st_.set_fees_paid_fen(st_.fees_paid_fen() + paid);
    Step("H1", "fee " + f.name(), 0, paid);
  }
  return Status::OK();
}

// H2: interest (arrears first, as part of one amount) to each tranche of a class, by rank.
void Run::PayInterest(TrancheClass cls) {
  for (size_t i = 0; i < d_.tranches.size(); ++i) {
    if (!IsClass(d_.tranches[i], cls)) continue;
    Work& w = work_[i];
    w.interest_cash = Take(w.interest_due);
    Step("H2", "interest", d_.tranches[i].rank(), w.interest_cash);
  }
}

// H3 / H4: sequential principal to the tranches of one class. `all_cash`
// (after a trigger) pays down whatever is outstanding; otherwise only what the
// schedule says is due.
void Run::PayPrincipal(TrancheClass cls, std::string_view step, bool all_cash) {
  for (size_t i = 0; i < d_.tranches.size(); ++i) {
    Tranche& t = d_.tranches[i];
    if (!IsClass(t, cls)) continue;
    Work& w = work_[i];
    if (HigherPaidOff(i)) {
      w.principal_cash = Take(all_cash ? t.outstanding_fen() : std::min(t.outstanding_fen(), w.principal_due));
      t.set_outstanding_fen(t.outstanding_fen() - w.principal_cash);
    }
    Step(step, "principal", t.rank(), w.principal_cash);
  }
}

// H5: the shortfall provider pays what the cash left unpaid of senior interest
// and senior scheduled principal, up to its remaining commitment.
void Run::CallShortfallProvider(bool allow_draw) {
  std::int64_t needed = 0;
  for (size_t i = 0; i < d_.tranches.size(); ++i) {
    if (!IsClass(d_.tranches[i], TRANCHE_SENIOR)) continue;
    Add(&needed, work_[i].interest_due - work_[i].interest_cash, &ok_);
    Add(&needed, std::max<std::int64_t>(0, work_[i].principal_due - work_[i].principal_cash), &ok_);
  }
  Pool& p = d_.pool;
  std::int64_t draw = 0;
  if (allow_draw && !p.guarantor_org_id().empty()) {
    draw = std::min(needed, std::max<std::int64_t>(0, p.guarantee_limit_fen() - p.guarantor_drawn_fen()));
  }
  st_.set_guarantor_draw_needed_fen(needed);
  st_.set_guarantor_draw_fen(draw);
  st_.set_senior_shortfall_fen(needed - draw);
  // Interest first, then principal, each by rank; principal stays sequential.
  // The draw never exceeds the shortfalls, and a lower senior is due only once
  // every higher one is due in full (schedule rule), so the draw is used up.
  std::int64_t left = draw;
  for (size_t i = 0; i < d_.tranches.size(); ++i) {
    if (!IsClass(d_.tranches[i], TRANCHE_SENIOR)) continue;
    Work& w = work_[i];
    w.guarantor_interest = std::min(left, w.interest_due - w.interest_cash);
    left -= w.guarantor_interest;
    Step("H5", "shortfall interest", d_.tranches[i].rank(), w.guarantor_interest);
  }
  for (size_t i = 0; i < d_.tranches.size(); ++i) {
    Tranche& t = d_.tranches[i];
    if (!IsClass(t, TRANCHE_SENIOR)) continue;
    Work& w = work_[i];
    if (HigherPaidOff(i)) {
      w.guarantor_principal =
          std::min({left, std::max<std::int64_t>(0, w.principal_due - w.principal_cash), t.outstanding_fen()});
      left -= w.guarantor_principal;
      t.set_outstanding_fen(t.outstanding_fen() - w.guarantor_principal);
    }
    Step("H5", "shortfall principal", t.rank(), w.guarantor_principal);
  }
  // A shortfall that could not be placed (it cannot happen, see above) stays
  // with the guarantor rather than vanishing: count only what was applied.
  draw -= left;
  st_.set_guarantor_draw_fen(draw);
  st_.set_senior_shortfall_fen(needed - draw);
  p.set_guarantor_drawn_fen(p.guarantor_drawn_fen() + draw);
  Add(&cash_in_, draw, &ok_);
}

// H6: the reserve is topped up (normal mode, while rated tranches are
// outstanding and before the legal maturity); the rest goes to the
// subordinated tranche: principal once every rated tranche is paid off, the
// remainder as residual.
void Run::Residual() {
  const Pool& p = d_.pool;
  const bool release = p.triggered() || AllRatedPaidOff() || date_ >= p.legal_maturity_date();
  const std::int64_t retained = Take(release ? 0 : p.reserve_target_fen());
  Step("H6", "reserve", 0, retained);
  st_.set_carried_out_fen(retained);
  const size_t s = d_.tranches.size() - 1;
  Tranche& sub = d_.tranches[s];
  Work& w = work_[s];
  if (AllRatedPaidOff()) {
    w.principal_cash = Take(sub.outstanding_fen());
    sub.set_outstanding_fen(sub.outstanding_fen() - w.principal_cash);
  }
  Step("H6", "principal", sub.rank(), w.principal_cash);
  w.residual = Take(cash_);
  Step("H6", "residual", sub.rank(), w.residual);
}

// Folds the day's figures into the tranche records and the statement.
void Run::Settle() {
  for (size_t i = 0; i < d_.tranches.size(); ++i) {
    Tranche& t = d_.tranches[i];
    const Work& w = work_[i];
    const std::int64_t interest = w.interest_cash + w.guarantor_interest;
    const std::int64_t principal = w.principal_cash + w.guarantor_principal;
    const std::int64_t arrears = w.interest_due - interest;
    t.set_interest_arrears_fen(arrears);
    std::int64_t v = t.interest_paid_fen();
    Add(&v, interest, &ok_);
    t.set_interest_paid_fen(v);
    v = t.principal_paid_fen();
    Add(&v, principal, &ok_);
    t.set_principal_paid_fen(v);
    v = t.residual_paid_fen();
    Add(&v, w.residual, &ok_);
    t.set_residual_paid_fen(v);
    v = t.guarantor_paid_fen();
    Add(&v, w.guarantor_interest + w.guarantor_principal, &ok_);
    t.set_guarantor_paid_fen(v);
    TranchePayment* tp = st_.add_tranches();
    tp->set_rank(t.rank());
    tp->set_tranche_class(t.tranche_class());
    tp->set_balance_before_fen(w.balance_before);
    tp->set_interest_due_fen(w.interest_due);
    tp->set_interest_paid_fen(interest);
    tp->set_interest_arrears_after_fen(arrears);
    tp->set_principal_due_fen(w.principal_due);
    tp->set_principal_paid_fen(principal);
    tp->set_guarantor_interest_fen(w.guarantor_interest);
    tp->set_guarantor_principal_fen(w.guarantor_principal);
    tp->set_residual_paid_fen(w.residual);
    tp->set_balance_after_fen(t.outstanding_fen());
    st_.set_interest_paid_fen(st_.interest_paid_fen() + interest);
    st_.set_principal_paid_fen(st_.principal_paid_fen() + principal);
    st_.set_residual_paid_fen(st_.residual_paid_fen() + w.residual);
  }
}

// H7: each tranche's interest, principal and residual, split over its holders
// pro rata to units (largest remainder), added to their totals.
Status Run::PayHolders() {
  for (size_t i = 0; i < d_.tranches.size(); ++i) {
    const Tranche& t = d_.tranches[i];
    std::vector<Holding>& hs = d_.holdings[i];
    std::vector<std::int64_t> units;
    std::int64_t total = 0;
    for (const Holding& h : hs) {
      units.push_back(h.units());
      Add(&total, h.units(), &ok_);
    }
    if (total != t.units() || total <= 0) {
      return Status::Internal("WATERFALL_INCONSISTENT",
                              "holdings of tranche " + std::to_string(t.rank()) + " of pool " + d_.pool.id() +
                                  " add up to " + std::to_string(total) + " units, not the " +
                                  std::to_string(t.units()) + " issued; the state is damaged");
    }
    const TranchePayment& tp = st_.tranches(static_cast<int>(i));
    const auto interest = ProRata(tp.interest_paid_fen(), units);
    const auto principal = ProRata(tp.principal_paid_fen(), units);
    const auto residual = ProRata(tp.residual_paid_fen(), units);
    for (size_t j = 0; j < hs.size(); ++j) {
      if (interest[j] == 0 && principal[j] == 0 && residual[j] == 0) continue;
      Holding& h = hs[j];
      std::int64_t v = h.interest_received_fen();
      Add(&v, interest[j], &ok_);
      h.set_interest_received_fen(v);
      v = h.principal_received_fen();
      Add(&v, principal[j], &ok_);
      h.set_principal_received_fen(v);
      v = h.residual_received_fen();
      Add(&v, residual[j], &ok_);
      h.set_residual_received_fen(v);
      HolderPayment* hp = st_.add_holders();
      hp->set_rank(t.rank());
      hp->set_investor_org_id(h.investor_org_id());
      hp->set_units(h.units());
      hp->set_interest_fen(interest[j]);
      hp->set_principal_fen(principal[j]);
      hp->set_residual_fen(residual[j]);
    }
  }
  return Status::OK();
}

Result<PoolStatement> Run::Execute(bool allow_draw) {
  Pool& p = d_.pool;
  const std::int32_t start = p.last_payment_date();
  if (date_ <= start) {
    return Fail("POOL_PAYMENT_DATE_INVALID", "the payment date " + FormatDate(date_) +
                                                 " must be after the previous one, " + FormatDate(start) + " (H7)");
  }
  if (d_.tranches.empty() || d_.holdings.size() != d_.tranches.size() ||
      !IsClass(d_.tranches.back(), TRANCHE_SUBORDINATED)) {
    return Status::Internal("WATERFALL_INCONSISTENT", "pool " + p.id() + " has no complete tranche set");
  }
  const std::int64_t days = date_ - start;
  st_.set_pool_id(p.id());
  st_.set_payment_date(date_);
  st_.set_period_start_date(start);
  st_.set_days(static_cast<std::int32_t>(days));
  st_.set_sequence(p.payment_count() + 1);
  st_.set_triggered(p.triggered());
  st_.set_carried_in_fen(p.carried_fen());
  st_.set_collections_fen(p.period_collections_fen());
  Add(&cash_, p.carried_fen(), &ok_);
  Add(&cash_, p.period_collections_fen(), &ok_);
  cash_in_ = cash_;

  // Fees accrue on every tranche's outstanding principal at the period start.
  std::int64_t balance = 0;
  for (const Tranche& t : d_.tranches) Add(&balance, t.outstanding_fen(), &ok_);
  if (!ok_) return Overflow("the pool's cash or balance");
  PLEDGER_RETURN_IF_ERROR(Fees(balance, days));

  work_.resize(d_.tranches.size());
  for (size_t i = 0; i < d_.tranches.size(); ++i) {
    const Tranche& t = d_.tranches[i];
    Work& w = work_[i];
    w.balance_before = t.outstanding_fen();
    if (IsClass(t, TRANCHE_SUBORDINATED)) continue;
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t accrued, AccrueAct365(t.outstanding_fen(), t.coupon_bps(), days));
    w.interest_due = t.interest_arrears_fen();
    Add(&w.interest_due, accrued, &ok_);
    w.principal_due = ScheduledPrincipalDue(t, date_, p.legal_maturity_date());
  }
  if (!ok_) return Overflow("a fee or interest amount");

  if (!p.triggered()) {
    PayInterest(TRANCHE_SENIOR);
    PayInterest(TRANCHE_MEZZANINE);
    PayPrincipal(TRANCHE_SENIOR, "H3", false);
    CallShortfallProvider(allow_draw);
    PayPrincipal(TRANCHE_MEZZANINE, "H4", false);
  } else {
    // H8: after a trigger every coin goes to the seniors first; mezzanine
    // interest waits behind senior principal.
    PayInterest(TRANCHE_SENIOR);
    PayPrincipal(TRANCHE_SENIOR, "H3", true);
    CallShortfallProvider(allow_draw);
    PayInterest(TRANCHE_MEZZANINE);
    PayPrincipal(TRANCHE_MEZZANINE, "H4", true);
  }
  Residual();
  Settle();
  st_.set_cash_in_fen(cash_in_);
  PLEDGER_RETURN_IF_ERROR(PayHolders());
  if (!ok_) return Overflow("a payment total");

  // Conservation: nothing is created or lost on a payment date.
  std::int64_t out = st_.fees_paid_fen();
  for (std::int64_t v : {st_.interest_paid_fen(), st_.principal_paid_fen(), st_.residual_paid_fen(),
                         st_.carried_out_fen()}) {
    Add(&out, v, &ok_);
  }
  if (!ok_ || out != cash_in_ || cash_ != 0) {
    return Status::Internal("WATERFALL_INCONSISTENT", "pool " + p.id() + ": cash in " + std::to_string(cash_in_) +
                                                          " != paid and carried " + std::to_string(out));
  }
  p.set_carried_fen(st_.carried_out_fen());
  p.set_period_collections_fen(0);
  p.set_last_payment_date(date_);
  p.set_payment_count(p.payment_count() + 1);
  return std::move(st_);
}

}  // namespace

Result<std::int64_t> AccrueAct365(std::int64_t base_fen, std::int64_t rate_bps, std::int64_t days) {
  if (base_fen <= 0 || rate_bps <= 0 || days <= 0) return std::int64_t{0};
  const Int128 q = static_cast<Int128>(base_fen) * rate_bps * days / (static_cast<Int128>(kBpsDenominator) * kDaysPerYear);
  if (q > kInt64Max) return Overflow("an accrual");
  return static_cast<std::int64_t>(q);
}

std::vector<std::int64_t> ProRata(std::int64_t amount, const std::vector<std::int64_t>& units) {
  std::vector<std::int64_t> out(units.size(), 0);
  Int128 total = 0;
  for (std::int64_t u : units) total += std::max<std::int64_t>(u, 0);
  if (amount <= 0 || total <= 0) return out;
  std::vector<Int128> remainder(units.size(), 0);
  std::int64_t given = 0;
  for (size_t j = 0; j < units.size(); ++j) {
    const Int128 exact = static_cast<Int128>(amount) * std::max<std::int64_t>(units[j], 0);
    out[j] = static_cast<std::int64_t>(exact / total);
    remainder[j] = exact % total;
    given += out[j];
  }
  // Fewer fen are left than there are holders: one each, largest remainder first.
  std::vector<size_t> order(units.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (std::int64_t k = 0; k < amount - given; ++k) ++out[order[static_cast<size_t>(k)]];
  return out;
}

std::int64_t ScheduledPrincipalDue(const Tranche& t, std::int32_t date, std::int32_t legal_maturity) {
  if (date >= legal_maturity) return t.outstanding_fen();
  std::int64_t scheduled = 0;
  for (const PrincipalStep& s : t.schedule()) {
    if (s.date() <= date) scheduled = CheckedAdd(scheduled, s.amount_fen()).value_or(kInt64Max);
  }
  const std::int64_t due = std::max<std::int64_t>(0, scheduled - t.principal_paid_fen());
  return std::min(due, t.outstanding_fen());
}

Result<PoolStatement> RunWaterfall(DealState* deal, std::int32_t payment_date, bool allow_draw) {
  Run run(deal, payment_date);
  return run.Execute(allow_draw);
}

}  // namespace pledger::contracts
