// Transaction commands of patent pools and their tranches: creation,
// admissions, issuance, unit transfers, collections and payment dates
// (docs/contracts.md "Pools and tranches").
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

// Every pool action is signed by the pool's trustee.
std::string TrusteeSigns() { return "Signed by a TRUSTEE account of the pool's trustee."; }
FlagDef PoolIdFlag() { return F("pool", "ID", "the pool id (printed by `pool create`; 32 hex)", true); }

// A pool's creation, admissions and removals.
void AddPoolMembershipCommands(std::vector<Command>* out) {
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
                    {PoolIdFlag(), Many("patent", "ZL…", "patent to admit (1-64)", true)},
                    {"pledger-wallet pool admit-patents --pool 5be1… --patent ZL201410362077.3 --out admit.json"},
                    BuildPoolAdmitPatents));
  out->push_back(Tx("pool", "admit-pledges", "Admit registered pledges' loans into a loan pool (trustee, pledgees)",
                    "Signed by the trustee and a BANK account of each pledge's pledgee, which sells the loan to the "
                    "pool (R31). The loans must fall due by the legal maturity; the pledged patents stay locked by "
                    "their pledges.",
                    {PoolIdFlag(), Many("pledge", "ID", "pledge whose loan the pool buys (1-64)", true)},
                    {"pledger-wallet pool admit-pledges --pool 5be1… --pledge 3f2a… --out admit.json"},
                    BuildPoolAdmitPledges));
  out->push_back(Tx("pool", "remove", "Remove a member from a pool, lifting its lock (trustee)",
                    TrusteeSigns() +
                        " --reason withdrawn only before issuance; substitution or default after. A default may carry "
                        "--loss, written off the lowest rank first (R32), and needs --document.",
                    {PoolIdFlag(), F("member", "ZL…|ID", "the patent number or pledge id, as admitted", true),
                     F("reason", "REASON", "withdrawn, substitution or default", true),
                     F("loss", "YUAN", "principal lost with a defaulted member (after issuance)"),
                     Doc("document", "the default notice", false), DocFile("document", "the default notice")},
                    {"pledger-wallet pool remove --pool 5be1… --member ZL201410362077.3 --reason withdrawn"},
                    BuildPoolRemove));
}

// Issuing tranches and transferring units.
void AddTrancheCommands(std::vector<Command>* out) {
  out->push_back(Tx(
      "tranche", "issue", "Issue a pool's tranches once and place every unit (trustee)",
      TrusteeSigns() +
          " Ranks are unique, 1 the most senior: senior tranches, then mezzanine, then exactly one subordinated "
          "tranche last (R32). Principals are whole units of 100 yuan and add up to the deal size. Senior and "
          "mezzanine tranches need a rating and a principal schedule (--schedule; a bullet is one step); the "
          "subordinated tranche has neither and takes the residual (H6). Every unit is allocated (--allocate). "
          "Coupons accrue ACT/365 from the issue date.",
      {PoolIdFlag(),
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
                    {PoolIdFlag(), F("rank", "N", "the tranche's rank", true), F("from", "ORG", "the holder", true),
                     F("to", "ORG", "the buyer (any organisation but an IP office)", true),
                     F("units", "N", "units of 100 yuan face to transfer", true)},
                    {"pledger-wallet holding transfer --pool 5be1… --rank 1 --from inv-b --to inv-c --units 1000"},
                    BuildHoldingTransfer));
}

// Collections, payment dates, triggers and the wind-down.
void AddPoolPaymentCommands(std::vector<Command>* out) {
  out->push_back(Tx("pool", "collect", "Record cash collected for a pool: royalties, repayments, recoveries (trustee)",
                    TrusteeSigns() +
                        " The cash adds to the next payment date (H7). Items go into the transaction as royalties, "
                        "then repayments, then recoveries, each in the order given.",
                    {PoolIdFlag(), Many("royalty", "ZL…:YUAN", "royalty collected on a patent member (licence pool)"),
                     Many("repayment", "ID:YUAN", "loan repayment collected on a pledge member (loan pool)"),
                     Many("recovery", "MEMBER:YUAN", "recovery on any member ever admitted (e.g. a defaulted one)"),
                     F("date", "DATE", "collection date (default today; not in the future)")},
                    {"pledger-wallet pool collect --pool 5be1… --royalty ZL201410362077.3:5000 --royalty "
                     "ZL201520123456.0:5000"},
                    BuildPoolCollect));
  out->push_back(Tx(
      "pool", "pay", "Run a payment date: the waterfall pays fees, interest and principal (trustee, guarantor)",
      TrusteeSigns() +
          " When senior interest or scheduled senior principal falls short, the shortfall provider pays it (H5): "
          "then a GUARANTOR account of the pool's guarantor co-signs. With a node the wallet runs the preview first "
          "and says whether it must (see `pool preview`); draft with --out and have the guarantor `sign` the file. "
          "--no-shortfall-draw runs the date without the guarantor's money (it did not pay).",
      {PoolIdFlag(), F("date", "DATE", "the payment date (default today; after the previous one, not in the future)"),
       Switch("no-shortfall-draw", "the guarantor did not pay: run without its money")},
      {"pledger-wallet pool pay --pool 5be1… --date 2027-12-01 --out pay.json"}, BuildPoolPay));
  out->push_back(Tx("pool", "trigger", "Declare a trigger event: from now on all cash goes to senior (trustee, H8)",
                    TrusteeSigns() +
                        " Irreversible. After it the waterfall pays senior principal with all cash after senior "
                        "interest, keeps no reserve, and pays the subordinated tranche nothing until every rated "
                        "tranche is repaid.",
                    {PoolIdFlag(),
                     F("reason", "REASON",
                       "senior-shortfall, collateral-default, guarantor-default, rating-downgrade or other", true),
                     Doc("notice", "the trustee's notice", true), DocFile("notice", "the trustee's notice")},
                    {"pledger-wallet pool trigger --pool 5be1… --reason senior-shortfall --notice notice.pdf"},
                    BuildPoolTrigger));
  out->push_back(Tx("pool", "wind-down", "Wind a pool down, releasing every lock (trustee)",
                    TrusteeSigns() +
                        " After issuance: at or after the legal maturity, or once every senior and mezzanine tranche "
                        "is repaid and no cash is left; principal still outstanding is written off.",
                    {PoolIdFlag()}, {"pledger-wallet pool wind-down --pool 5be1…"}, BuildPoolWindDown));
}

}  // namespace

void AddPoolCommands(std::vector<Command>* out) {
  AddPoolMembershipCommands(out);
  AddTrancheCommands(out);
  AddPoolPaymentCommands(out);
}

}  // namespace pledger::tools::wallet::actions
