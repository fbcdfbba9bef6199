#include "node/stats.h"

#include <leveldb/iterator.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "contracts/dates.h"
#include "ledger/proto/contract_types.pb.h"
#include "contracts/state_keys.h"
#include "ledger/block.h"
#include "ledger/bytes.h"
#include "ledger/keys.h"
#include "ledger/tx.h"

namespace pledger::node::stats {
namespace {

constexpr char kHeight = 'h';
constexpr char kDay = 'd';
constexpr char kStock = 's';
constexpr char kValDay = 'a';
constexpr char kAppraiser = 'n';
constexpr char kPledge = 'p';
constexpr char kBorrower = 'w';

std::string Key2(char kind) { return std::string{kPrefix, kind}; }

// A series id in a key: one length byte, then the id, so that "qt" and
// "qtbank" never share a day range. Org ids are at most 64 bytes (the
// contracts' kMaxIdBytes); a longer one is cut at 255, which only merges
// series no contract can create.
void PutSeries(std::string* k, std::string_view series) {
  const size_t n = std::min<size_t>(series.size(), 255);
  k->push_back(static_cast<char>(n));
  k->append(series.substr(0, n));
}

void PutDay(std::string* k, std::int32_t day) {
  const auto u = static_cast<std::uint32_t>(day);  // ledger dates are after 1970: positive
  for (int s = 24; s >= 0; s -= 8) k->push_back(static_cast<char>((u >> s) & 0xff));
}

std::int32_t GetDay(std::string_view b) {
  std::uint32_t u = 0;
  for (int i = 0; i < 4; ++i) u = (u << 8) | static_cast<unsigned char>(b[i]);
  return static_cast<std::int32_t>(u);
}

std::string SeriesPrefix(char kind, std::string_view series) {
  std::string k = Key2(kind);
  PutSeries(&k, series);
  return k;
}

// Saturating sums: a wrapped total would be a wrong figure, a saturated one
// is recognisably at the limit (and unreachable with the contracts' amount
// caps in any real chain).
std::int64_t SatAdd(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  }
  return r;
}
std::uint64_t Dec(std::uint64_t v) { return v == 0 ? 0 : v - 1; }
std::uint32_t Clamp32(std::uint64_t v) {
  return v > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                        : static_cast<std::uint32_t>(v);
}

const ledger::Event* FindEvent(const ledger::Receipt& r, std::string_view type) {
  for (const auto& e : r.events()) {
    if (e.type() == type) return &e;
  }
  return nullptr;
}

std::optional<std::string_view> Attr(const ledger::Event& e, std::string_view key) {
  for (const auto& a : e.attributes()) {
    if (a.key() == key) return std::string_view(a.value());
  }
  return std::nullopt;
}

// A decimal integer attribute as the contracts write them (std::to_string).
std::optional<std::int64_t> IntAttr(const ledger::Event& e, std::string_view key) {
  auto v = Attr(e, key);
  if (!v || v->empty() || v->size() > 20) return std::nullopt;
  bool neg = (*v)[0] == '-';
  std::string_view d = neg ? v->substr(1) : *v;
  if (d.empty()) return std::nullopt;
  std::int64_t out = 0;
  for (char c : d) {
    if (c < '0' || c > '9') return std::nullopt;
    if (__builtin_mul_overflow(out, 10, &out) || __builtin_add_overflow(out, c - '0', &out)) return std::nullopt;
  }
  return neg ? -out : out;
}

Status Corrupt(const std::string& key) {
  return Status::Corruption("STATS_RECORD_CORRUPT",
                            "statistics record " + ledger::HexEncode(key) +
                                " does not parse; the index is damaged: stop the node, delete the 'Y' keyspace "
                                "with pledger-admin or resynchronise, and it is rebuilt from the blocks");
}

template <typename M>
void SizeBuckets(M* repeated, size_t n) {
  while (static_cast<size_t>(repeated->size()) < n) repeated->Add(0);
}

StatsRenewals* RenewalsOf(StatsDay* d, int risk_class) {
  auto* rs = d->mutable_renewals();
  int i = 0;
  while (i < rs->size() && rs->Get(i).risk_class() < risk_class) ++i;
  if (i < rs->size() && rs->Get(i).risk_class() == risk_class) return rs->Mutable(i);
  StatsRenewals* added = rs->Add();
  added->set_risk_class(risk_class);
  for (int j = rs->size() - 1; j > i; --j) rs->SwapElements(j, j - 1);
  return rs->Mutable(i);
}

std::string HeightValue(std::uint64_t height, std::int32_t date) {
  std::string v;
  ledger::PutBigEndian64(&v, height);
  PutDay(&v, date);
  return v;
}

}  // namespace

size_t RateBucket(std::uint32_t bps) {
  size_t i = kRateBuckets.size() - 1;
  while (i > 0 && bps < kRateBuckets[i]) --i;
  return i;
}

size_t LtvBucket(std::uint32_t bps) {
  size_t i = kLtvBuckets.size() - 1;
  while (i > 0 && bps < kLtvBuckets[i]) --i;
  return i;
}

std::string HeightKey() { return Key2(kHeight); }
std::string DayKey(std::string_view series, std::int32_t day) {
  std::string k = SeriesPrefix(kDay, series);
  PutDay(&k, day);
  return k;
}
std::string StockKey(std::string_view series) { return SeriesPrefix(kStock, series); }
std::string ValuationDayKey(std::string_view appraiser, std::int32_t day) {
  std::string k = SeriesPrefix(kValDay, appraiser);
  PutDay(&k, day);
  return k;
}
std::string AppraiserKey(std::string_view appraiser) { return SeriesPrefix(kAppraiser, appraiser); }
std::string PledgeKey(std::string_view pledge_id) { return Key2(kPledge) + std::string(pledge_id); }
std::string BorrowerKey(std::string_view debtor) { return Key2(kBorrower) + std::string(debtor); }

// ---- building ----

// The records one block changes, loaded once and written at its end.
struct StatsBuilder::Block {
  std::int32_t day = 0;
  std::map<std::string, StatsDay> days;     // series -> the day's record
  std::map<std::string, StatsStock> stocks; // series -> stocks now
  std::map<std::string, StatsValuationDay> valuations;  // appraiser series -> the day's record
};

StatsBuilder::StatsBuilder(const ledger::Database& db, const ledger::StateReader& state) : db_(db), state_(state) {}

Result<std::optional<std::string>> StatsBuilder::Get(const std::string& key) const {
  auto it = pending_.find(key);
  if (it != pending_.end()) return std::optional<std::string>(it->second);
  return db_.Get(key);
}

template <typename M>
Status StatsBuilder::Load(const std::string& key, M* m, bool* found) const {
  PLEDGER_ASSIGN_OR_RETURN(auto v, Get(key));
  *found = v.has_value();
  m->Clear();
  if (v && !m->ParseFromString(*v)) return Corrupt(key);
  return Status::OK();
}

template <typename M>
void StatsBuilder::Put(const std::string& key, const M& m) {
  std::string v;
  m.SerializeToString(&v);
  pending_[key] = std::move(v);
}

Status StatsBuilder::Open() {
  PLEDGER_ASSIGN_OR_RETURN(auto v, Get(HeightKey()));
  height_ = 0;
  if (v) {
    if (v->size() != 12) return Corrupt(HeightKey());
    height_ = ledger::GetBigEndian64(v->data());
  }
  return Status::OK();
}

Status StatsBuilder::Touch(Block& b, const std::string& series, StatsDay** day, StatsStock** stock) {
  auto d = b.days.find(series);
  if (d == b.days.end()) {
    StatsDay rec;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(Load(DayKey(series, b.day), &rec, &found));
    d = b.days.emplace(series, std::move(rec)).first;
  }
  auto s = b.stocks.find(series);
  if (s == b.stocks.end()) {
    StatsStock rec;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(Load(StockKey(series), &rec, &found));
    s = b.stocks.emplace(series, std::move(rec)).first;
  }
  *day = &d->second;
  *stock = &s->second;
  return Status::OK();
}

Status StatsBuilder::AddBlock(std::uint64_t height, std::uint64_t time_ms, std::span<const StatsTx> txs) {
  if (height != height_ + 1) {
    return Status::FailedPrecondition("STATS_HEIGHT_MISMATCH", "the statistics index is at height " +
                                                                   std::to_string(height_) + ", not before block " +
                                                                   std::to_string(height));
  }
  Block b;
  b.day = contracts::DateOfBlockTime(time_ms);
  for (const StatsTx& t : txs) {
    if (t.body == nullptr || t.receipt == nullptr || t.receipt->code() != "OK") continue;  // refusals change nothing
    PLEDGER_RETURN_IF_ERROR(Apply(b, *t.body, *t.receipt));
  }
  PLEDGER_RETURN_IF_ERROR(Finish(b));
  height_ = height;
  pending_[HeightKey()] = HeightValue(height, b.day);
  return Status::OK();
}

Status StatsBuilder::Finish(Block& b) {
  for (auto& [series, day] : b.days) {
    const StatsStock& s = b.stocks[series];  // Touch loaded both
    day.set_outstanding_principal_fen(s.outstanding_principal_fen());
    day.set_active_pledges(s.active_pledges());
    day.set_borrowers_with_outstanding(s.borrowers_with_outstanding());
    Put(DayKey(series, b.day), day);
  }
  for (const auto& [series, stock] : b.stocks) Put(StockKey(series), stock);
  for (const auto& [appraiser, v] : b.valuations) {
    Put(ValuationDayKey(appraiser, b.day), v);
    if (!appraiser.empty()) pending_[AppraiserKey(appraiser)] = "";
  }
  return Status::OK();
}

Status StatsBuilder::Register(Block& b, const ledger::Receipt& r, const std::string& pledge_id,
                              const std::string& bank, const std::string& debtor, std::int64_t principal,
                              std::uint32_t rate_bps, std::uint32_t ltv_bps, bool caution) {
  (void)r;
  StatsBorrower borrower;
  bool known = false;
  PLEDGER_RETURN_IF_ERROR(Load(BorrowerKey(debtor), &borrower, &known));
  const bool first = !known;
  if (first) {
    borrower.set_first_date(b.day);
    PLEDGER_ASSIGN_OR_RETURN(auto org_bytes, state_.Get(contracts::keys::Org(debtor)));
    contracts::Organisation org;
    if (org_bytes && org.ParseFromString(*org_bytes)) {
      borrower.set_sme(org.kind() == contracts::ORG_SME || org.kind() == contracts::ORG_INDIVIDUAL_BUSINESS);
    }
  }
  const size_t rb = RateBucket(rate_bps), lb = LtvBucket(ltv_bps);
  // Distinct borrowers with an active pledge: per bank, and once over all banks.
  StatsBankCount* at_bank = nullptr;
  {
    auto* banks = borrower.mutable_banks();
    int i = 0;
    while (i < banks->size() && banks->Get(i).bank_org_id() < bank) ++i;
    if (i == banks->size() || banks->Get(i).bank_org_id() != bank) {
      banks->Add()->set_bank_org_id(bank);
      for (int j = banks->size() - 1; j > i; --j) banks->SwapElements(j, j - 1);
    }
    at_bank = banks->Mutable(i);
  }
  const bool new_at_bank = at_bank->active_pledges() == 0;
  const bool new_overall = borrower.active_pledges() == 0;
  at_bank->set_active_pledges(at_bank->active_pledges() + 1);
  borrower.set_active_pledges(borrower.active_pledges() + 1);
  for (const std::string& series : {bank, std::string()}) {
    StatsDay* d;
    StatsStock* s;
    PLEDGER_RETURN_IF_ERROR(Touch(b, series, &d, &s));
    d->set_registrations(d->registrations() + 1);
    d->set_principal_fen(SatAdd(d->principal_fen(), principal));
    if (borrower.sme()) {
      d->set_sme_registrations(d->sme_registrations() + 1);
      d->set_sme_principal_fen(SatAdd(d->sme_principal_fen(), principal));
    }
    if (first) {
      d->set_first_time_borrowers(d->first_time_borrowers() + 1);
      if (borrower.sme()) d->set_first_time_sme_borrowers(d->first_time_sme_borrowers() + 1);
    }
    if (caution) {
      d->set_cautions(d->cautions() + 1);
      d->set_cautioned_principal_fen(SatAdd(d->cautioned_principal_fen(), principal));
    }
    SizeBuckets(d->mutable_rate_pledges(), kRateBuckets.size());
    SizeBuckets(d->mutable_rate_principal_fen(), kRateBuckets.size());
    SizeBuckets(d->mutable_ltv_pledges(), kLtvBuckets.size());
    SizeBuckets(d->mutable_ltv_principal_fen(), kLtvBuckets.size());
    d->set_rate_pledges(static_cast<int>(rb), d->rate_pledges(static_cast<int>(rb)) + 1);
    d->set_rate_principal_fen(static_cast<int>(rb), SatAdd(d->rate_principal_fen(static_cast<int>(rb)), principal));
    d->set_ltv_pledges(static_cast<int>(lb), d->ltv_pledges(static_cast<int>(lb)) + 1);
    d->set_ltv_principal_fen(static_cast<int>(lb), SatAdd(d->ltv_principal_fen(static_cast<int>(lb)), principal));
    s->set_outstanding_principal_fen(SatAdd(s->outstanding_principal_fen(), principal));
    s->set_active_pledges(s->active_pledges() + 1);
    if (series.empty() ? new_overall : new_at_bank) {
      s->set_borrowers_with_outstanding(s->borrowers_with_outstanding() + 1);
    }
  }
  Put(BorrowerKey(debtor), borrower);
  StatsPledge p;
  p.set_bank_org_id(bank);
  p.set_debtor_org_id(debtor);
  p.set_principal_fen(principal);
  p.set_outstanding_principal_fen(principal);
  p.set_active(true);
  Put(PledgeKey(pledge_id), p);
  return Status::OK();
}

// The pledge leaves the stocks (cancelled, repaid in full, enforced).
Status StatsBuilder::Deactivate(Block& b, StatsPledge& p) {
  StatsBorrower borrower;
  bool known = false;
  PLEDGER_RETURN_IF_ERROR(Load(BorrowerKey(p.debtor_org_id()), &borrower, &known));
  bool gone_at_bank = false;
  auto* banks = borrower.mutable_banks();
  for (int i = 0; i < banks->size(); ++i) {
    if (banks->Get(i).bank_org_id() != p.bank_org_id()) continue;
    auto* c = banks->Mutable(i);
    c->set_active_pledges(Dec(c->active_pledges()));
    if (c->active_pledges() == 0) {
      gone_at_bank = true;
      banks->DeleteSubrange(i, 1);
    }
    break;
  }
  borrower.set_active_pledges(Dec(borrower.active_pledges()));
  const bool gone_overall = borrower.active_pledges() == 0;
  for (const std::string& series : {p.bank_org_id(), std::string()}) {
    StatsDay* d;
    StatsStock* s;
    PLEDGER_RETURN_IF_ERROR(Touch(b, series, &d, &s));
    s->set_outstanding_principal_fen(SatAdd(s->outstanding_principal_fen(), -p.outstanding_principal_fen()));
    s->set_active_pledges(Dec(s->active_pledges()));
    if (series.empty() ? gone_overall : gone_at_bank) {
      s->set_borrowers_with_outstanding(Dec(s->borrowers_with_outstanding()));
    }
  }
  if (known) Put(BorrowerKey(p.debtor_org_id()), borrower);
  p.set_active(false);
  return Status::OK();
}

Status StatsBuilder::Apply(Block& b, const ledger::TxBody& body, const ledger::Receipt& r) {
  const contracts::Action& a = body.action();
  if (a.kind_case() == contracts::Action::kPledgeRegister) {
    const auto& reg = a.pledge_register();
    const ledger::Event* ev = FindEvent(r, "pledge.registered");
    if (ev == nullptr) return Status::OK();
    auto id = Attr(*ev, "pledge_id");
    if (!id) return Status::OK();
    auto ltv = IntAttr(*ev, "ltv_bps");  // absent: no valid valuation
    const std::uint32_t ltv_bps = ltv && *ltv > 0 && *ltv <= std::numeric_limits<std::uint32_t>::max()
                                      ? static_cast<std::uint32_t>(*ltv)
                                      : 0;
    return Register(b, r, std::string(*id), reg.pledgee_org_id(), reg.debtor_org_id(), reg.principal_fen(),
                    reg.interest_rate_bps(), ltv_bps, FindEvent(r, "caution.partner_bank") != nullptr);
  }
  if (a.kind_case() == contracts::Action::kValuationRecord) {
    const ledger::Event* ev = FindEvent(r, "valuation.recorded");
    if (ev == nullptr) return Status::OK();
    auto appraiser = Attr(*ev, "appraiser_org_id");
    auto value = IntAttr(*ev, "value_fen");
    if (!appraiser || !value) return Status::OK();
    for (const std::string& series : {std::string(*appraiser), std::string()}) {
      auto it = b.valuations.find(series);
      if (it == b.valuations.end()) {
        StatsValuationDay rec;
        bool found = false;
        PLEDGER_RETURN_IF_ERROR(Load(ValuationDayKey(series, b.day), &rec, &found));
        it = b.valuations.emplace(series, std::move(rec)).first;
      }
      StatsValuationDay& v = it->second;
      v.set_valuations(v.valuations() + 1);
      v.set_value_fen(SatAdd(v.value_fen(), *value));
      v.set_realisable_value_fen(SatAdd(v.realisable_value_fen(), a.valuation_record().realisable_value_fen()));
    }
    return Status::OK();
  }
  // The rest act on a registered pledge.
  std::string pledge_id;
  switch (a.kind_case()) {
    case contracts::Action::kLoanRepay: pledge_id = a.loan_repay().pledge_id(); break;
    case contracts::Action::kPledgeChange: pledge_id = a.pledge_change().pledge_id(); break;
    case contracts::Action::kLoanRenew: pledge_id = a.loan_renew().pledge_id(); break;
    case contracts::Action::kPledgeCancel: pledge_id = a.pledge_cancel().pledge_id(); break;
    case contracts::Action::kPledgeEnforce: pledge_id = a.pledge_enforce().pledge_id(); break;
    default: return Status::OK();
  }
  StatsPledge p;
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(Load(PledgeKey(pledge_id), &p, &found));
  if (!found || !p.active()) return Status::OK();
  const std::array<std::string, 2> series{p.bank_org_id(), std::string()};
  StatsDay* d;
  StatsStock* s;
  switch (a.kind_case()) {
    case contracts::Action::kLoanRepay: {
      const ledger::Event* ev = FindEvent(r, "loan.repaid");
      if (ev == nullptr) return Status::OK();
      const std::int64_t to_principal = IntAttr(*ev, "to_principal_fen").value_or(0);
      const std::int64_t left = IntAttr(*ev, "outstanding_principal_fen").value_or(p.outstanding_principal_fen());
      const std::int64_t delta = left - p.outstanding_principal_fen();
      for (const std::string& x : series) {
        PLEDGER_RETURN_IF_ERROR(Touch(b, x, &d, &s));
        d->set_repayments(d->repayments() + 1);
        d->set_repaid_fen(SatAdd(d->repaid_fen(), a.loan_repay().amount_fen()));
        d->set_repaid_principal_fen(SatAdd(d->repaid_principal_fen(), to_principal));
        s->set_outstanding_principal_fen(SatAdd(s->outstanding_principal_fen(), delta));
      }
      p.set_outstanding_principal_fen(left);
      if (FindEvent(r, "pledge.cancelled") != nullptr) {  // repaid in full (R12)
        for (const std::string& x : series) {
          PLEDGER_RETURN_IF_ERROR(Touch(b, x, &d, &s));
          d->set_closures(d->closures() + 1);
        }
        PLEDGER_RETURN_IF_ERROR(Deactivate(b, p));
      }
      break;
    }
    case contracts::Action::kPledgeChange: {
      const ledger::Event* ev = FindEvent(r, "pledge.changed");
      auto principal = ev ? IntAttr(*ev, "principal_fen") : std::nullopt;
      if (!principal || *principal == p.principal_fen()) return Status::OK();
      const std::int64_t delta = *principal - p.principal_fen();
      for (const std::string& x : series) {
        PLEDGER_RETURN_IF_ERROR(Touch(b, x, &d, &s));
        s->set_outstanding_principal_fen(SatAdd(s->outstanding_principal_fen(), delta));
      }
      p.set_principal_fen(*principal);
      p.set_outstanding_principal_fen(SatAdd(p.outstanding_principal_fen(), delta));
      break;
    }
    case contracts::Action::kLoanRenew: {
      const ledger::Event* ev = FindEvent(r, "loan.renewed");
      if (ev == nullptr) return Status::OK();
      contracts::RiskClass rc = contracts::RISK_NORMAL;
      if (auto name = Attr(*ev, "risk_class")) {
        if (!contracts::RiskClass_Parse(std::string(*name), &rc)) rc = contracts::RISK_CLASS_UNSPECIFIED;
      }
      // 无还本续贷 (§8): renewed with none of the principal repaid.
      const bool without = p.outstanding_principal_fen() == p.principal_fen();
      for (const std::string& x : series) {
        PLEDGER_RETURN_IF_ERROR(Touch(b, x, &d, &s));
        StatsRenewals* rn = RenewalsOf(d, static_cast<int>(rc));
        if (without) {
          rn->set_without_principal_repaid(rn->without_principal_repaid() + 1);
        } else {
          rn->set_after_principal_repaid(rn->after_principal_repaid() + 1);
        }
        rn->set_principal_fen(SatAdd(rn->principal_fen(), p.outstanding_principal_fen()));
      }
      return Status::OK();  // the pledge record is unchanged
    }
    case contracts::Action::kPledgeCancel:
    case contracts::Action::kPledgeEnforce: {
      const bool enforce = a.kind_case() == contracts::Action::kPledgeEnforce;
      if (FindEvent(r, enforce ? "pledge.enforced" : "pledge.cancelled") == nullptr) return Status::OK();
      for (const std::string& x : series) {
        PLEDGER_RETURN_IF_ERROR(Touch(b, x, &d, &s));
        if (enforce) {
          d->set_enforcements(d->enforcements() + 1);
        } else {
          d->set_closures(d->closures() + 1);
        }
      }
      PLEDGER_RETURN_IF_ERROR(Deactivate(b, p));
      break;
    }
    default:
      return Status::OK();
  }
  Put(PledgeKey(pledge_id), p);
  return Status::OK();
}

void StatsBuilder::Stage(leveldb::WriteBatch* batch) {
  for (const auto& [k, v] : pending_) batch->Put(k, v);
  pending_.clear();
}

namespace {

// The transactions and receipts of a stored block, decoded for the index.
struct DecodedBlock {
  std::vector<ledger::TxBody> bodies;
  std::vector<bool> decoded;
  std::vector<ledger::Receipt> receipts;
  std::vector<StatsTx> txs;
};

Status DecodeStored(const ledger::Block& block, const ledger::BlockResults& results, DecodedBlock* out) {
  const int n = block.txs_size();
  if (results.receipts_size() != n) {
    return Status::Corruption("STATS_BLOCK_UNREADABLE", "stored results do not match their block");
  }
  out->bodies.resize(n);
  out->decoded.assign(n, false);
  out->receipts.resize(n);
  for (int i = 0; i < n; ++i) {
    if (!out->receipts[i].ParseFromString(results.receipts(i))) {
      return Status::Corruption("STATS_BLOCK_UNREADABLE", "a stored receipt does not parse");
    }
    if (out->receipts[i].code() != "OK") continue;  // only accepted ones count: skip decoding
    auto tx = ledger::DecodeTransaction(block.txs(i));
    if (!tx.ok()) continue;
    auto body = ledger::DecodeTxBody(tx->body());
    if (!body.ok()) continue;
    out->bodies[i] = std::move(*body);
    out->decoded[i] = true;
  }
  out->txs.resize(n);
  for (int i = 0; i < n; ++i) {
    out->txs[i].body = out->decoded[i] ? &out->bodies[i] : nullptr;
    out->txs[i].receipt = &out->receipts[i];
  }
  return Status::OK();
}

}  // namespace

Result<std::uint64_t> CatchUpStats(ledger::Ledger& ledger, std::uint64_t blocks_per_batch) {
  StatsBuilder builder(ledger.db(), ledger.state());
  PLEDGER_RETURN_IF_ERROR(builder.Open());
  const std::uint64_t tip = ledger.blocks().tip().height;
  const std::uint64_t start = builder.height();
  std::uint64_t since_write = 0;
  for (std::uint64_t h = start + 1; h <= tip; ++h) {
    auto block = ledger.blocks().GetBlock(h);
    if (!block.ok()) return block.status().WithContext("statistics index: block " + std::to_string(h));
    auto results = ledger.blocks().GetResults(h);
    if (!results.ok()) return results.status().WithContext("statistics index: results " + std::to_string(h));
    auto header = ledger::DecodeBlockHeader(*block);
    if (!header.ok()) return header.status().WithContext("statistics index: block " + std::to_string(h));
    DecodedBlock d;
    PLEDGER_RETURN_IF_ERROR(DecodeStored(*block, *results, &d));
    PLEDGER_RETURN_IF_ERROR(builder.AddBlock(h, header->time_ms(), d.txs));
    if (++since_write >= blocks_per_batch || h == tip) {
      leveldb::WriteBatch batch;
      builder.Stage(&batch);
      PLEDGER_RETURN_IF_ERROR(ledger.db().Write(&batch, /*sync=*/false));
      since_write = 0;
    }
  }
  return tip > start ? tip - start : 0;
}

Status StageBlockStats(ledger::Ledger& ledger, const ledger::BlockHeader& header, std::span<const StatsTx> txs,
                       leveldb::WriteBatch* batch) {
  StatsBuilder builder(ledger.db(), ledger.state());
  PLEDGER_RETURN_IF_ERROR(builder.Open());
  if (builder.height() >= header.height()) return Status::OK();  // indexed already
  if (builder.height() + 1 < header.height()) {
    PLEDGER_RETURN_IF_ERROR(CatchUpStats(ledger).status());
    PLEDGER_RETURN_IF_ERROR(builder.Open());
  }
  PLEDGER_RETURN_IF_ERROR(builder.AddBlock(header.height(), header.time_ms(), txs));
  builder.Stage(batch);
  return Status::OK();
}

// ---- queries ----

namespace {

// One consistent view of the index for one answer.
class View {
 public:
  explicit View(const ledger::Database& db) : it_(db.NewIterator()) {}

  Result<Indexed> Height() {
    Indexed out;
    const std::string k = HeightKey();
    it_->Seek(k);
    if (it_->Valid() && it_->key().ToString() == k) {
      std::string v = it_->value().ToString();
      if (v.size() != 12) return Corrupt(k);
      out.height = ledger::GetBigEndian64(v.data());
      out.last_date = GetDay(std::string_view(v).substr(8));
    }
    PLEDGER_RETURN_IF_ERROR(Check());
    return out;
  }

  // Records under `prefix` with a 4-byte day suffix in [from, to], in order.
  template <typename M>
  Result<std::vector<std::pair<std::int32_t, M>>> Days(const std::string& prefix, std::int32_t from,
                                                      std::int32_t to) {
    std::vector<std::pair<std::int32_t, M>> out;
    std::string start = prefix;
    PutDay(&start, from);
    for (it_->Seek(start); it_->Valid(); it_->Next()) {
      std::string_view k(it_->key().data(), it_->key().size());
      if (k.size() != prefix.size() + 4 || k.substr(0, prefix.size()) != prefix) break;
      const std::int32_t day = GetDay(k.substr(prefix.size()));
      if (day > to) break;
      M m;
      if (!m.ParseFromArray(it_->value().data(), static_cast<int>(it_->value().size()))) return Corrupt(std::string(k));
      out.emplace_back(day, std::move(m));
    }
    PLEDGER_RETURN_IF_ERROR(Check());
    return out;
  }

  // The last day record of `series` before `day` (its stocks are the stocks
  // at the start of `day`); an empty record if none.
  Result<StatsDay> Before(const std::string& series, std::int32_t day) {
    const std::string prefix = SeriesPrefix(kDay, series);
    std::string k = prefix;
    PutDay(&k, day);
    it_->Seek(k);
    if (it_->Valid()) {
      it_->Prev();
    } else {
      it_->SeekToLast();
    }
    StatsDay out;
    if (it_->Valid()) {
      std::string_view key(it_->key().data(), it_->key().size());
      if (key.size() == prefix.size() + 4 && key.substr(0, prefix.size()) == prefix) {
        if (!out.ParseFromArray(it_->value().data(), static_cast<int>(it_->value().size()))) {
          return Corrupt(std::string(key));
        }
      }
    }
    PLEDGER_RETURN_IF_ERROR(Check());
    return out;
  }

  // The series ids recorded under `kind` ('s' banks, 'n' appraisers), but "".
  Result<std::vector<std::string>> Series(char kind) {
    std::vector<std::string> out;
    const std::string prefix = Key2(kind);
    for (it_->Seek(prefix); it_->Valid(); it_->Next()) {
      std::string_view k(it_->key().data(), it_->key().size());
      if (k.substr(0, 2) != prefix) break;
      if (k.size() < 3) continue;
      const size_t n = static_cast<unsigned char>(k[2]);
      if (n == 0 || k.size() != 3 + n) continue;
      out.emplace_back(k.substr(3));
    }
    PLEDGER_RETURN_IF_ERROR(Check());
    return out;
  }

 private:
  Status Check() {
    if (!it_->status().ok()) return ledger::Database::FromLevelDb(it_->status(), "reading the statistics index");
    return Status::OK();
  }
  std::unique_ptr<leveldb::Iterator> it_;
};

void AddFlows(StatsDay* into, const StatsDay& d) {
  into->set_registrations(into->registrations() + d.registrations());
  into->set_principal_fen(SatAdd(into->principal_fen(), d.principal_fen()));
  into->set_repayments(into->repayments() + d.repayments());
  into->set_repaid_fen(SatAdd(into->repaid_fen(), d.repaid_fen()));
  into->set_repaid_principal_fen(SatAdd(into->repaid_principal_fen(), d.repaid_principal_fen()));
  into->set_closures(into->closures() + d.closures());
  into->set_enforcements(into->enforcements() + d.enforcements());
  into->set_sme_registrations(into->sme_registrations() + d.sme_registrations());
  into->set_sme_principal_fen(SatAdd(into->sme_principal_fen(), d.sme_principal_fen()));
  into->set_first_time_borrowers(into->first_time_borrowers() + d.first_time_borrowers());
  into->set_first_time_sme_borrowers(into->first_time_sme_borrowers() + d.first_time_sme_borrowers());
  into->set_cautions(into->cautions() + d.cautions());
  into->set_cautioned_principal_fen(SatAdd(into->cautioned_principal_fen(), d.cautioned_principal_fen()));
  for (const StatsRenewals& r : d.renewals()) {
    StatsRenewals* t = RenewalsOf(into, r.risk_class());
    t->set_without_principal_repaid(t->without_principal_repaid() + r.without_principal_repaid());
    t->set_after_principal_repaid(t->after_principal_repaid() + r.after_principal_repaid());
    t->set_principal_fen(SatAdd(t->principal_fen(), r.principal_fen()));
  }
  SizeBuckets(into->mutable_rate_pledges(), kRateBuckets.size());
  SizeBuckets(into->mutable_rate_principal_fen(), kRateBuckets.size());
  SizeBuckets(into->mutable_ltv_pledges(), kLtvBuckets.size());
  SizeBuckets(into->mutable_ltv_principal_fen(), kLtvBuckets.size());
  for (int i = 0; i < d.rate_pledges_size() && i < static_cast<int>(kRateBuckets.size()); ++i) {
    into->set_rate_pledges(i, into->rate_pledges(i) + d.rate_pledges(i));
    if (i < d.rate_principal_fen_size()) {
      into->set_rate_principal_fen(i, SatAdd(into->rate_principal_fen(i), d.rate_principal_fen(i)));
    }
  }
  for (int i = 0; i < d.ltv_pledges_size() && i < static_cast<int>(kLtvBuckets.size()); ++i) {
    into->set_ltv_pledges(i, into->ltv_pledges(i) + d.ltv_pledges(i));
    if (i < d.ltv_principal_fen_size()) {
      into->set_ltv_principal_fen(i, SatAdd(into->ltv_principal_fen(i), d.ltv_principal_fen(i)));
    }
  }
}

void SetStocks(StatsDay* into, const StatsDay& d) {
  into->set_outstanding_principal_fen(d.outstanding_principal_fen());
  into->set_active_pledges(d.active_pledges());
  into->set_borrowers_with_outstanding(d.borrowers_with_outstanding());
}

// One series over the query's periods: flows summed per period and stocks at
// each period's close; `total` the flows over the range and the stocks at
// its end.
struct Aggregated {
  std::vector<std::pair<std::int32_t, StatsDay>> periods;  // (first day, figures)
  StatsDay total;
};

Result<Aggregated> Aggregate(View& view, const Query& q, const std::string& series) {
  Aggregated out;
  PLEDGER_ASSIGN_OR_RETURN(StatsDay carried, view.Before(series, q.from));
  PLEDGER_ASSIGN_OR_RETURN(auto days, (view.Days<StatsDay>(SeriesPrefix(kDay, series), q.from, q.to)));
  size_t next = 0;
  for (const auto& [start, end] : Periods(q)) {
    StatsDay p;
    for (; next < days.size() && days[next].first <= end; ++next) {
      AddFlows(&p, days[next].second);
      AddFlows(&out.total, days[next].second);
      carried = days[next].second;
    }
    SetStocks(&p, carried);
    out.periods.emplace_back(start, std::move(p));
  }
  SetStocks(&out.total, carried);
  return out;
}

// The view's common fields.
template <typename V>
Status Head(View& view, const Query& q, V* v) {
  PLEDGER_ASSIGN_OR_RETURN(Indexed at, view.Height());
  v->set_from_date(q.from);
  v->set_to_date(q.to);
  v->set_height(at.height);
  v->set_last_block_date(at.last_date);
  return Status::OK();
}

// Runs `row(date, series, figures, add)` for each period of the scope series
// and, with a breakdown, for each bank's range total (date 0).
template <typename V, typename Row>
Result<V> Series(const ledger::Database& db, const Query& q, Row row) {
  View view(db);
  V v;
  PLEDGER_RETURN_IF_ERROR(Head(view, q, &v));
  v.set_by(q.monthly ? "month" : "day");
  v.set_bank_org_id(q.series);
  PLEDGER_ASSIGN_OR_RETURN(Aggregated scope, Aggregate(view, q, q.series));
  for (const auto& [start, figures] : scope.periods) row(&v, /*point=*/true, start, q.series, figures);
  if (q.breakdown && q.series.empty()) {
    PLEDGER_ASSIGN_OR_RETURN(auto banks, view.Series(kStock));
    for (const std::string& bank : banks) {
      PLEDGER_ASSIGN_OR_RETURN(Aggregated a, Aggregate(view, q, bank));
      row(&v, /*point=*/false, 0, bank, a.total);
    }
  }
  return v;
}

bool Quiet(const StatsDay& d) {
  return d.registrations() == 0 && d.repayments() == 0 && d.closures() == 0 && d.enforcements() == 0 &&
         d.renewals_size() == 0 && d.cautions() == 0 && d.outstanding_principal_fen() == 0 && d.active_pledges() == 0;
}

}  // namespace

std::vector<std::pair<std::int32_t, std::int32_t>> Periods(const Query& q) {
  std::vector<std::pair<std::int32_t, std::int32_t>> out;
  if (!q.monthly) {
    for (std::int32_t d = q.from; d <= q.to; ++d) out.emplace_back(d, d);
    return out;
  }
  for (std::int32_t d = q.from; d <= q.to;) {
    const contracts::CivilDate c = contracts::CivilFromDays(d);
    const std::int32_t last = contracts::DaysFromCivil(c.year, c.month, contracts::DaysInMonth(c.year, c.month));
    out.emplace_back(d, std::min(last, q.to));
    d = last + 1;
  }
  return out;
}

Result<Indexed> IndexedAt(const ledger::Database& db) {
  View view(db);
  return view.Height();
}

Result<api::PledgeStatsView> QueryPledges(const ledger::Database& db, const Query& q) {
  return Series<api::PledgeStatsView>(db, q, [](api::PledgeStatsView* v, bool point, std::int32_t date,
                                                const std::string& bank, const StatsDay& d) {
    if (!point && Quiet(d)) return;
    api::PledgeStatsRow* r = point ? v->add_points() : v->add_banks();
    r->set_date(date);
    r->set_bank_org_id(bank);
    r->set_registrations(Clamp32(d.registrations()));
    r->set_principal_fen(d.principal_fen());
    r->set_repayments(Clamp32(d.repayments()));
    r->set_repaid_fen(d.repaid_fen());
    r->set_repaid_principal_fen(d.repaid_principal_fen());
    r->set_closures(Clamp32(d.closures()));
    r->set_enforcements(Clamp32(d.enforcements()));
  });
}

Result<api::OutstandingStatsView> QueryOutstanding(const ledger::Database& db, const Query& q) {
  return Series<api::OutstandingStatsView>(db, q, [](api::OutstandingStatsView* v, bool point, std::int32_t date,
                                                     const std::string& bank, const StatsDay& d) {
    if (!point && Quiet(d)) return;
    api::OutstandingStatsRow* r = point ? v->add_points() : v->add_banks();
    r->set_date(date);
    r->set_bank_org_id(bank);
    r->set_outstanding_principal_fen(d.outstanding_principal_fen());
    r->set_active_pledges(Clamp32(d.active_pledges()));
  });
}

Result<api::BorrowerStatsView> QueryBorrowers(const ledger::Database& db, const Query& q) {
  return Series<api::BorrowerStatsView>(db, q, [](api::BorrowerStatsView* v, bool point, std::int32_t date,
                                                  const std::string& bank, const StatsDay& d) {
    if (!point && Quiet(d)) return;
    api::BorrowerStatsRow* r = point ? v->add_points() : v->add_banks();
    r->set_date(date);
    r->set_bank_org_id(bank);
    r->set_registrations(Clamp32(d.registrations()));
    r->set_sme_registrations(Clamp32(d.sme_registrations()));
    r->set_sme_principal_fen(d.sme_principal_fen());
    r->set_first_time_borrowers(Clamp32(d.first_time_borrowers()));
    r->set_first_time_sme_borrowers(Clamp32(d.first_time_sme_borrowers()));
    r->set_borrowers_with_outstanding(Clamp32(d.borrowers_with_outstanding()));
  });
}

Result<api::RenewalStatsView> QueryRenewals(const ledger::Database& db, const Query& q) {
  return Series<api::RenewalStatsView>(db, q, [](api::RenewalStatsView* v, bool point, std::int32_t date,
                                                 const std::string& bank, const StatsDay& d) {
    for (const StatsRenewals& rn : d.renewals()) {
      if (rn.without_principal_repaid() == 0 && rn.after_principal_repaid() == 0) continue;
      api::RenewalStatsRow* r = point ? v->add_rows() : v->add_banks();
      r->set_date(date);
      r->set_bank_org_id(bank);
      r->set_risk_class(contracts::RiskClass_IsValid(rn.risk_class())
                            ? static_cast<contracts::RiskClass>(rn.risk_class())
                            : contracts::RISK_CLASS_UNSPECIFIED);
      r->set_renewals_without_principal_repaid(Clamp32(rn.without_principal_repaid()));
      r->set_renewals_after_principal_repaid(Clamp32(rn.after_principal_repaid()));
      r->set_renewed_principal_fen(rn.principal_fen());
    }
  });
}

Result<api::CautionStatsView> QueryCautions(const ledger::Database& db, const Query& q) {
  return Series<api::CautionStatsView>(db, q, [](api::CautionStatsView* v, bool point, std::int32_t date,
                                                 const std::string& bank, const StatsDay& d) {
    if (!point && d.cautions() == 0) return;
    api::CautionStatsRow* r = point ? v->add_points() : v->add_banks();
    r->set_date(date);
    r->set_bank_org_id(bank);
    r->set_cautions(Clamp32(d.cautions()));
    r->set_cautioned_principal_fen(d.cautioned_principal_fen());
  });
}

Result<api::DistributionStatsView> QueryDistributions(const ledger::Database& db, const Query& q) {
  View view(db);
  api::DistributionStatsView v;
  PLEDGER_RETURN_IF_ERROR(Head(view, q, &v));
  v.set_bank_org_id(q.series);
  PLEDGER_ASSIGN_OR_RETURN(auto days, (view.Days<StatsDay>(SeriesPrefix(kDay, q.series), q.from, q.to)));
  StatsDay total;
  for (const auto& [day, d] : days) AddFlows(&total, d);
  SizeBuckets(total.mutable_rate_pledges(), kRateBuckets.size());
  SizeBuckets(total.mutable_rate_principal_fen(), kRateBuckets.size());
  SizeBuckets(total.mutable_ltv_pledges(), kLtvBuckets.size());
  SizeBuckets(total.mutable_ltv_principal_fen(), kLtvBuckets.size());
  for (size_t i = 0; i < kRateBuckets.size(); ++i) {
    api::StatsBucket* b = v.add_rate();
    b->set_low_bps(kRateBuckets[i]);
    b->set_high_bps(i + 1 < kRateBuckets.size() ? kRateBuckets[i + 1] : 0);
    b->set_pledges(Clamp32(total.rate_pledges(static_cast<int>(i))));
    b->set_principal_fen(total.rate_principal_fen(static_cast<int>(i)));
  }
  for (size_t i = 0; i < kLtvBuckets.size(); ++i) {
    api::StatsBucket* b = v.add_ltv();
    b->set_low_bps(kLtvBuckets[i]);
    // Bucket 0 is "no valid valuation": [0, 0).
    b->set_high_bps(i == 0 ? 0 : (i + 1 < kLtvBuckets.size() ? kLtvBuckets[i + 1] : 0));
    b->set_pledges(Clamp32(total.ltv_pledges(static_cast<int>(i))));
    b->set_principal_fen(total.ltv_principal_fen(static_cast<int>(i)));
  }
  return v;
}

Result<api::ValuationStatsView> QueryValuations(const ledger::Database& db, const Query& q) {
  View view(db);
  api::ValuationStatsView v;
  PLEDGER_RETURN_IF_ERROR(Head(view, q, &v));
  v.set_by(q.monthly ? "month" : "day");
  v.set_appraiser_org_id(q.series);
  auto sum = [&](const std::string& series, bool points, api::ValuationStatsRow* total) -> Status {
    PLEDGER_ASSIGN_OR_RETURN(auto days, (view.Days<StatsValuationDay>(SeriesPrefix(kValDay, series), q.from, q.to)));
    size_t next = 0;
    for (const auto& [start, end] : Periods(q)) {
      api::ValuationStatsRow* r = points ? v.add_points() : nullptr;
      if (r) {
        r->set_date(start);
        r->set_appraiser_org_id(series);
      }
      for (; next < days.size() && days[next].first <= end; ++next) {
        const StatsValuationDay& d = days[next].second;
        for (api::ValuationStatsRow* t : {r, total}) {
          if (t == nullptr) continue;
          t->set_valuations(Clamp32(std::uint64_t{t->valuations()} + d.valuations()));
          t->set_value_fen(SatAdd(t->value_fen(), d.value_fen()));
          t->set_realisable_value_fen(SatAdd(t->realisable_value_fen(), d.realisable_value_fen()));
        }
      }
    }
    return Status::OK();
  };
  PLEDGER_RETURN_IF_ERROR(sum(q.series, true, nullptr));
  if (q.breakdown && q.series.empty()) {
    PLEDGER_ASSIGN_OR_RETURN(auto appraisers, view.Series(kAppraiser));
    for (const std::string& a : appraisers) {
      api::ValuationStatsRow t;
      t.set_appraiser_org_id(a);
      PLEDGER_RETURN_IF_ERROR(sum(a, false, &t));
      if (t.valuations() > 0) *v.add_appraisers() = std::move(t);
    }
  }
  return v;
}

}  // namespace pledger::node::stats
