// Patent pools: creation, admission of patents (LICENSE model) and
// of registered pledges' loans (LOAN model) under R31, the pool lock
// (Patent.pool_id, Pledge.pool_id), removal with bottom-up loss allocation
// (R32), collections (H7), trigger events (H8) and wind-down. Tranches and
// payment dates are in tranches.cc. docs/contracts.md "Pools and tranches".
#include <algorithm>
#include <map>
#include <set>

#include "contracts/internal/pools.h"
#include "contracts/internal/records.h"
#include "contracts/internal/validate.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "contracts/pool_keys.h"

namespace pledger::contracts::internal {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

Status RequireDocumentHash(std::string_view hash, std::string_view what) {
  if (ValidHex64(hash)) return Status::OK();
  return Fail("DOCUMENT_HASH_MISSING",
              std::string(what) + " needs the SHA-256 (64 lower-case hex) of its supporting document");
}

// The most members a pool may hold at once.
std::uint32_t MemberLimit(const Pool& pool) {
  const std::uint32_t own = pool.eligibility().max_members();
  return own == 0 || own > kMaxPoolMembers ? static_cast<std::uint32_t>(kMaxPoolMembers) : own;
}

// Room for `n` more members, `fresh` of them never admitted before.
Status CheckCapacity(const Pool& pool, size_t n, size_t fresh) {
  if (pool.active_members() + n > MemberLimit(pool)) {
    return Fail("POOL_MEMBER_LIMIT", "pool " + pool.id() + " holds at most " + std::to_string(MemberLimit(pool)) +
                                         " members at once; it has " + std::to_string(pool.active_members()));
  }
  if (pool.member_records() + fresh > kMaxPoolMembers) {
    return Fail("POOL_MEMBER_LIMIT", "pool " + pool.id() + " has had 512 different members, the ledger's limit; "
                                     "create another pool");
  }
  return Status::OK();
}

// A valuation of the patent still valid today (R28), for pools that require one.
Status HasValidValuation(TxContext& c, std::string_view patent_no, bool* valid) {
  std::vector<std::string> ids;
  PLEDGER_RETURN_IF_ERROR(c.Scan(keys::PatentValuationPrefix(patent_no), [&](std::string_view, std::string_view id) {
    ids.emplace_back(id);
    return true;
  }));
  *valid = false;
  // Newest first: a recent report is the likely valid one.
  for (auto it = ids.rbegin(); it != ids.rend() && !*valid; ++it) {
    Valuation v;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Valuation(*it), &v, &found));
    *valid = found && v.valid_until() >= c.today() && v.base_date() <= c.today();
  }
  return Status::OK();
}

// R31 and the pool's eligibility rules for one patent (in a LICENSE pool, or
// pledged under a loan of a LOAN pool). Every failure is added as a ground.
Status CheckPatentEligible(TxContext& c, const Pool& pool, const Patent& p) {
  const std::string& no = p.patent_no();
  const std::int32_t today = c.today();
  const PatentStatus eff = EffectiveStatus(p, today);
  if (eff != PATENT_VALID && eff != PATENT_RESTORED) {
    c.AddGround("POOL_PATENT_NOT_VALID", "patent " + no + " is " + StatusName(eff) +
                                             "; only a VALID patent enters a pool (R31)");
  } else if (p.fee_paid_through() < today) {
    c.AddGround("POOL_PATENT_NOT_VALID", "annual fees of " + no + " are paid only through " +
                                             FormatDate(p.fee_paid_through()) + "; pay them first (R31, R20)");
  }
  if (p.preserved() || p.suspended()) {
    c.AddGround("POOL_PATENT_NOT_VALID", "patent " + no + " is under " +
                                             (p.preserved() ? "court preservation" : "an ownership-dispute suspension") +
                                             "; wait until it is lifted (R31, R15)");
  }
  if (p.invalidation_pending()) {
    c.AddGround("POOL_PATENT_NOT_VALID", "invalidation proceedings against " + no +
                                             " are pending; wait for the decision (R31, R7k)");
  }
  const std::int64_t needed = static_cast<std::int64_t>(pool.legal_maturity_date()) +
                              pool.eligibility().min_life_beyond_maturity_days();
  if (p.expiry_date() < needed) {
    c.AddGround("POOL_PATENT_LIFE_TOO_SHORT", "patent " + no + " expires " + FormatDate(p.expiry_date()) +
                                                  ", before the pool's legal maturity " +
                                                  FormatDate(pool.legal_maturity_date()) +
                                                  (pool.eligibility().min_life_beyond_maturity_days() > 0
                                                       ? " plus " + std::to_string(pool.eligibility().min_life_beyond_maturity_days()) + " days"
                                                       : std::string()) +
                                                  " (R31)");
  }
  const auto& types = pool.eligibility().patent_types();
  if (!types.empty() && std::find(types.begin(), types.end(), p.type()) == types.end()) {
    c.AddGround("POOL_PATENT_INELIGIBLE", "patent " + no + " is a " + PatentType_Name(p.type()) +
                                              "; this pool admits only the types in its eligibility rules (R31)");
  }
  if (pool.eligibility().valuation_required()) {
    bool valid = false;
    PLEDGER_RETURN_IF_ERROR(HasValidValuation(c, no, &valid));
    if (!valid) {
      c.AddGround("POOL_PATENT_INELIGIBLE", "this pool requires a valuation of " + no +
                                                " valid today; record an appraisal first (R31, R28)");
    }
  }
  return Status::OK();
}

// Reads the member record of `ref` (absent: *found = false).
Status ReadMember(TxContext& c, const Pool& pool, std::string_view ref, PoolMember* m, bool* found) {
  return c.Read(keys::PoolMember(pool.id(), ref), m, found);
}

// Lifts the pool lock of one member (if it is still this pool's).
Status Unlock(TxContext& c, const Pool& pool, const PoolMember& m) {
  if (m.kind() == POOL_MEMBER_PATENT) {
    Patent p;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Patent(m.ref()), &p, &found));
    c.Touch(keys::Patent(m.ref()));
    if (found && p.pool_id() == pool.id()) {
      p.clear_pool_id();
      c.Write(keys::Patent(m.ref()), p);
    }
  } else {
    Pledge pl;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pledge(m.ref()), &pl, &found));
    c.Touch(keys::Pledge(m.ref()));
    if (found && pl.pool_id() == pool.id()) {
      pl.clear_pool_id();
      c.Write(keys::Pledge(m.ref()), pl);
    }
  }
  return Status::OK();
}

Status ReadTranches(TxContext& c, const Pool& pool, std::vector<Tranche>* out) {
  Status bad;
  PLEDGER_RETURN_IF_ERROR(c.Scan(keys::TranchePrefix(pool.id()), [&](std::string_view k, std::string_view v) {
    Tranche t;
    if (!t.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = c.Fatal(Status::Corruption("STATE_RECORD_CORRUPT", "tranche record " + std::string(k) + " does not parse"));
      return false;
    }
    c.Touch(std::string(k));
    out->push_back(std::move(t));
    return true;
  }));
  PLEDGER_RETURN_IF_ERROR(bad);
  if (out->size() != pool.tranche_count()) {
    return c.Fatal(Status::Corruption("STATE_RECORD_CORRUPT", "pool " + pool.id() + " lists " +
                                                                  std::to_string(pool.tranche_count()) +
                                                                  " tranches but state holds " + std::to_string(out->size())));
  }
  return Status::OK();
}

// R32: a loss is written off the lowest rank first, moving up only once a
// tranche's outstanding principal is exhausted.
void AllocateLoss(TxContext& c, Pool* pool, std::vector<Tranche>* tranches, std::int64_t loss) {
  for (auto it = tranches->rbegin(); it != tranches->rend() && loss > 0; ++it) {
    const std::int64_t take = std::min(loss, it->outstanding_fen());
    if (take == 0) continue;
    loss -= take;
    it->set_outstanding_fen(it->outstanding_fen() - take);
    it->set_losses_fen(it->losses_fen() + take);
    c.Write(keys::Tranche(pool->id(), it->rank()), *it);
    c.Emit("tranche.loss_allocated", {{"pool_id", pool->id()},
                                      {"rank", std::to_string(it->rank())},
                                      {"loss_fen", std::to_string(take)},
                                      {"balance_after_fen", std::to_string(it->outstanding_fen())},
                                      {"rule", "R32"}});
  }
}

}  // namespace

// ---- shared loaders ---------------------------------------------------------

Status LoadPool(TxContext& c, std::string_view id, Pool* pool) {
  if (!ValidObjectId(id)) {
    return Fail("POOL_ID_INVALID", "pool id " + Quote(id) +
                                       " must be 32 lower-case hex characters (from the creating receipt)");
  }
  c.Touch(keys::Pool(id));
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pool(id), pool, &found));
  if (!found) return Fail("POOL_NOT_FOUND", "no pool " + std::string(id) + "; check the id");
  return Status::OK();
}

Status RequireTrustee(const TxContext& c, const Pool& pool, std::string_view action) {
  return c.RequireRole(ROLE_TRUSTEE, pool.trustee_org_id(), action);
}

Status RequireNotWoundDown(const Pool& pool, std::string_view action) {
  if (pool.state() != POOL_WOUND_DOWN) return Status::OK();
  return Fail("POOL_CLOSED", std::string(action) + ": pool " + pool.id() + " was wound down on " +
                                 FormatDate(pool.wound_down_date()) + "; nothing more can happen in it");
}

Status LoadDeal(TxContext& c, const Pool& pool, DealState* deal) {
  deal->pool = pool;
  PLEDGER_RETURN_IF_ERROR(ReadTranches(c, pool, &deal->tranches));
  deal->holdings.assign(deal->tranches.size(), {});
  for (size_t i = 0; i < deal->tranches.size(); ++i) {
    Status bad;
    PLEDGER_RETURN_IF_ERROR(c.Scan(keys::HoldingPrefix(pool.id(), deal->tranches[i].rank()),
                                   [&](std::string_view k, std::string_view v) {
                                     Holding h;
                                     if (!h.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
                                       bad = c.Fatal(Status::Corruption("STATE_RECORD_CORRUPT", "holding record " +
                                                                                                    std::string(k) +
                                                                                                    " does not parse"));
                                       return false;
                                     }
                                     deal->holdings[i].push_back(std::move(h));
                                     return true;
                                   }));
    PLEDGER_RETURN_IF_ERROR(bad);
  }
  return Status::OK();
}

// ---- actions ----------------------------------------------------------------

namespace {

// The pool's own terms: a name, a model, a legal maturity after today, the deal
// size (R32), the reserve target (H6) and its trust deed or plan document.
Status CheckPoolTerms(const PoolCreate& a, std::int32_t today) {
  if (!ValidText(a.name(), kMaxNameBytes)) return Fail("POOL_INVALID", "a pool needs a name of 1 to 256 bytes");
  if (a.model() != POOL_LICENSE && a.model() != POOL_LOAN) {
    return Fail("POOL_INVALID", "model must be POOL_LICENSE (licence-sublicence) or POOL_LOAN (pledge-loan receivables)");
  }
  if (!ValidDate(a.legal_maturity_date()) || a.legal_maturity_date() <= today) {
    return Fail("POOL_INVALID", "the legal maturity date must be a date after today (" + FormatDate(today) + ")");
  }
  if (a.deal_size_fen() <= 0 || !ValidAmount(a.deal_size_fen())) {
    return Fail("POOL_INVALID", "the deal size must be 1 to 10^14 fen (R32)");
  }
  if (!ValidAmount(a.reserve_target_fen())) return Fail("POOL_INVALID", "the reserve target must be 0 to 10^14 fen (H6)");
  return RequireDocumentHash(a.document_hash(), "a pool (its trust deed or plan document)");
}

// R31: the pool's own eligibility criteria, on top of the ledger's.
Status CheckEligibility(const PoolEligibility& e) {
  std::set<int> types;
  for (int t : e.patent_types()) {
    if (!PatentType_IsValid(t) || t == PATENT_TYPE_UNSPECIFIED || !types.insert(t).second) {
      return Fail("POOL_ELIGIBILITY_INVALID", "eligible patent types must be distinct PATENT_INVENTION, "
                                              "PATENT_UTILITY or PATENT_DESIGN (R31)");
    }
  }
  if (e.min_life_beyond_maturity_days() < 0 || e.min_life_beyond_maturity_days() > kMaxLifeDays ||
      e.max_members() > kMaxPoolMembers) {
    return Fail("POOL_ELIGIBILITY_INVALID", Input("min-life-beyond-maturity-days", "min_life_beyond_maturity_days") +
                                                " must be 0 to 36600 and " + Input("max-members", "max_members") +
                                                " 0 to 512 (R31)");
  }
  return Status::OK();
}

// H1: the fee schedule: at most 8 distinct lines, each a fixed amount per
// payment date and/or a yearly rate, paid to an organisation of the ledger.
Status CheckFees(TxContext& c, const PoolCreate& a) {
  if (static_cast<size_t>(a.fees_size()) > kMaxFeeLines) {
    return Fail("POOL_FEES_INVALID", "a fee schedule has at most 8 lines (H1)");
  }
  std::set<std::string> fee_names;
  for (const FeeLine& f : a.fees()) {
    if (!ValidText(f.name(), kMaxFeeNameBytes) || !fee_names.insert(f.name()).second) {
      return Fail("POOL_FEES_INVALID", "each fee line needs a distinct name of 1 to 64 bytes (H1)");
    }
    if (!ValidAmount(f.fixed_fen()) || f.rate_bps() > kMaxPoolRateBps || (f.fixed_fen() == 0 && f.rate_bps() == 0)) {
      return Fail("POOL_FEES_INVALID", "fee " + Quote(f.name()) +
                                           ": fixed 0 to 10^14 fen per payment date and rate 0 to 10000 bps a year, "
                                           "not both zero (H1)");
    }
    Organisation payee;
    PLEDGER_RETURN_IF_ERROR(LoadOrg(c, f.payee_org_id(), &payee));
  }
  return Status::OK();
}

// H5: an optional shortfall provider, a guarantor or a bank, with a positive
// commitment; no commitment without one.
Status CheckGuarantor(TxContext& c, const PoolCreate& a) {
  if (a.guarantor_org_id().empty()) {
    if (a.guarantee_limit_fen() != 0) {
      return Fail("POOL_GUARANTOR_INVALID", "a guarantee limit needs the guarantor: add " +
                                                Input("guarantor", "guarantor_org_id") + " (H5)");
    }
    return Status::OK();
  }
  Organisation g;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.guarantor_org_id(), &g));
  if (g.kind() != ORG_GUARANTOR && g.kind() != ORG_BANK) {
    return Fail("POOL_GUARANTOR_INVALID", a.guarantor_org_id() + " is neither a guarantor nor a bank; "
                                          "name the shortfall provider's organisation (H5)");
  }
  if (a.guarantee_limit_fen() <= 0 || !ValidAmount(a.guarantee_limit_fen())) {
    return Fail("POOL_GUARANTOR_INVALID", "the guarantor's commitment, " + Input("guarantee-limit", "guarantee_limit_fen") +
                                              ", must be 0.01 to " + YuanText(kMaxAmountFen) + " (H5)");
  }
  return Status::OK();
}

// The new pool record, open for admissions.
Pool NewPool(const TxContext& c, const PoolCreate& a) {
  Pool p;
  p.set_id(c.NewObjectId());
  p.set_name(a.name());
  p.set_trustee_org_id(a.trustee_org_id());
  p.set_model(a.model());
  p.set_state(POOL_OPEN);
  p.set_created_date(c.today());
  p.set_created_height(c.height());
  p.set_legal_maturity_date(a.legal_maturity_date());
  p.set_deal_size_fen(a.deal_size_fen());
  *p.mutable_eligibility() = a.eligibility();
  std::sort(p.mutable_eligibility()->mutable_patent_types()->begin(),
            p.mutable_eligibility()->mutable_patent_types()->end());
  *p.mutable_fees() = a.fees();
  p.mutable_fee_arrears_fen()->Resize(a.fees_size(), 0);
  p.set_guarantor_org_id(a.guarantor_org_id());
  p.set_guarantee_limit_fen(a.guarantee_limit_fen());
  p.set_reserve_target_fen(a.reserve_target_fen());
  p.set_document_hash(a.document_hash());
  return p;
}

}  // namespace

Status ExecPoolCreate(TxContext& c, const PoolCreate& a) {
  Organisation trustee;
  PLEDGER_RETURN_IF_ERROR(LoadOrg(c, a.trustee_org_id(), &trustee));
  if (trustee.kind() != ORG_TRUSTEE) {
    return Fail("POOL_TRUSTEE_INVALID", a.trustee_org_id() + " is not a trustee organisation (ORG_TRUSTEE); "
                                        "pools are run by trustees / SPVs");
  }
  PLEDGER_RETURN_IF_ERROR(c.RequireRole(ROLE_TRUSTEE, a.trustee_org_id(), "PoolCreate"));
  PLEDGER_RETURN_IF_ERROR(CheckPoolTerms(a, c.today()));
  PLEDGER_RETURN_IF_ERROR(CheckEligibility(a.eligibility()));
  PLEDGER_RETURN_IF_ERROR(CheckFees(c, a));
  PLEDGER_RETURN_IF_ERROR(CheckGuarantor(c, a));

  const Pool p = NewPool(c, a);
  c.Touch(keys::Pool(p.id()));
  c.Write(keys::Pool(p.id()), p);
  const std::string order = keys::OrderKey(c.height(), c.index());
  c.Put(keys::TrusteePoolPrefix(p.trustee_org_id()) + order, p.id());
  if (!p.guarantor_org_id().empty()) c.Put(keys::GuarantorPoolPrefix(p.guarantor_org_id()) + order, p.id());
  c.Emit("pool.created", {{"pool_id", p.id()},
                          {"trustee_org_id", p.trustee_org_id()},
                          {"model", PoolModel_Name(p.model())},
                          {"legal_maturity_date", FormatDate(p.legal_maturity_date())},
                          {"deal_size_fen", std::to_string(p.deal_size_fen())}});
  return Status::OK();
}

namespace {

// What both admissions check before any asset: the pool, its trustee's
// signature, that it is not wound down, that the assets fit its model (R31:
// patents go into LICENSE pools, pledges into LOAN pools) and 1-64 distinct
// items. `items` are patent numbers or pledge ids, by the model.
Status OpenAdmission(TxContext& c, std::string_view pool_id, PoolModel model,
                     const google::protobuf::RepeatedPtrField<std::string>& items, Pool* pool,
                     std::set<std::string>* distinct) {
  const bool patents = model == POOL_LICENSE;
  const std::string_view action = patents ? "PoolAdmitPatents" : "PoolAdmitPledges";
  PLEDGER_RETURN_IF_ERROR(LoadPool(c, pool_id, pool));
  PLEDGER_RETURN_IF_ERROR(RequireTrustee(c, *pool, action));
  PLEDGER_RETURN_IF_ERROR(RequireNotWoundDown(*pool, action));
  if (pool->model() != model) {
    return Fail("POOL_MODEL_MISMATCH", patents ? "pool " + pool->id() + " is a LOAN pool: admit registered pledges with "
                                                 "PoolAdmitPledges (R31)"
                                               : "pool " + pool->id() + " is a LICENSE pool: admit patents with "
                                                 "PoolAdmitPatents (R31)");
  }
  distinct->insert(items.begin(), items.end());
  if (distinct->empty() || distinct->size() > kMaxPoolItemsPerAction ||
      distinct->size() != static_cast<size_t>(items.size())) {
    return Fail("POOL_MEMBERS_INVALID", patents ? "admit 1 to 64 distinct patents per transaction"
                                                : "admit 1 to 64 distinct pledges per transaction");
  }
  return Status::OK();
}

// R31, licence model: the owners license the patent to the trustee for at
// least the life of the deal; the royalties are the pool's cash flow. Null if
// no such licence is on file.
const Licence* TrusteeLicence(const Patent& p, const Pool& pool) {
  for (const Licence& l : p.licences()) {
    if (l.licensee_org_id() == pool.trustee_org_id() && l.end_date() >= pool.legal_maturity_date()) return &l;
  }
  return nullptr;
}

// R13 carried into R31: a pledged patent enters only with its pledgee's
// consent, and not while the pledge is being enforced. Sets *pledgee to the
// pledgee of the patent's active pledge, if any.
Status AddPledgedPatentGrounds(TxContext& c, const std::string& no, const Patent& p, std::string* pledgee) {
  if (p.active_pledge_id().empty()) return Status::OK();
  Pledge pl;
  bool pfound = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pledge(p.active_pledge_id()), &pl, &pfound));
  c.Touch(keys::Pledge(p.active_pledge_id()));
  *pledgee = pl.pledgee_org_id();
  if (pl.state() == PLEDGE_ENFORCED) {
    c.AddGround("POOL_PATENT_NOT_VALID", "patent " + no + " is being sold under the enforced pledge " +
                                             pl.id() + " (R17, R31)");
  } else if (c.SignerWithRole(ROLE_BANK, *pledgee) == nullptr) {
    c.AddGround("POOL_PLEDGEE_CONSENT_MISSING", "patent " + no + " is pledged to " + *pledgee + " (pledge " + pl.id() +
                                                    "): a BANK account of the pledgee must co-sign (R31, R13)");
  }
  return Status::OK();
}

// A patent on its way into a pool: the patent, its member record (read back if
// it was a member before) and whether the pool never held it.
struct PatentAdmission {
  Patent patent;
  PoolMember member;
  bool fresh = true;
};

// Adds every ground that keeps patent `no` out of the pool (R31) and fills
// *ad. *loaded is false when the patent could not be loaded (a ground too).
Status CheckPatentAdmission(TxContext& c, const Pool& pool, const std::string& no, PatentAdmission* ad,
                            bool* loaded) {
  Patent& p = ad->patent;
  Status s = LoadPatent(c, no, &p);
  *loaded = s.ok();
  if (!s.ok()) {
    if (!c.fatal().ok()) return s;
    c.AddGround(s.reason(), std::string(s.message()));
    return Status::OK();
  }
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(ReadMember(c, pool, no, &ad->member, &found));
  ad->fresh = !found;
  if (!p.pool_id().empty()) {
    c.AddGround("POOL_PATENT_ALREADY_POOLED", "patent " + no + " is already in pool " + p.pool_id() +
                                                  "; a patent belongs to one pool at a time (R31)");
  }
  PLEDGER_RETURN_IF_ERROR(CheckPatentEligible(c, pool, p));
  const Licence* licence = TrusteeLicence(p, pool);
  if (licence == nullptr) {
    c.AddGround("POOL_LICENCE_MISSING", "no licence of " + no + " to trustee " + pool.trustee_org_id() +
                                            " running to the legal maturity " + FormatDate(pool.legal_maturity_date()) +
                                            " is on file; file it with LicenceFile first (R31)");
  }
  std::string pledgee;
  PLEDGER_RETURN_IF_ERROR(AddPledgedPatentGrounds(c, no, p, &pledgee));
  auto missing = MissingOwnerSignatures(c, p.owners());
  if (!missing.empty()) {
    c.AddGround("POOL_OWNER_SIGNATURE_MISSING", "every owner of " + no + " signs its admission (R31); " +
                                                    missing.front() + " has not signed with an OWNER account");
  }
  PoolMember& m = ad->member;
  m.set_pool_id(pool.id());
  m.set_ref(no);
  m.set_kind(POOL_MEMBER_PATENT);
  m.set_state(POOL_MEMBER_ACTIVE);
  m.clear_owner_org_ids();
  for (const Owner& o : p.owners()) m.add_owner_org_ids(o.org_id());
  m.set_pledgee_org_id(pledgee);
  m.set_licence_id(licence ? licence->id() : "");
  m.set_admitted_date(c.today());
  m.set_left_date(0);
  m.set_remove_reason(POOL_REMOVE_REASON_UNSPECIFIED);
  m.set_loss_fen(0);
  return Status::OK();
}

}  // namespace

Status ExecPoolAdmitPatents(TxContext& c, const PoolAdmitPatents& a) {
  Pool pool;
  std::set<std::string> nos;
  PLEDGER_RETURN_IF_ERROR(OpenAdmission(c, a.pool_id(), POOL_LICENSE, a.patent_nos(), &pool, &nos));

  // Every ground of every patent is collected, as for a pledge registration.
  std::vector<PatentAdmission> admitted;
  for (const std::string& no : nos) {
    PatentAdmission ad;
    bool loaded = false;
    PLEDGER_RETURN_IF_ERROR(CheckPatentAdmission(c, pool, no, &ad, &loaded));
    if (loaded) admitted.push_back(std::move(ad));
  }
  if (c.has_grounds()) return c.RefuseWithGrounds();
  size_t fresh = 0;
  for (const PatentAdmission& ad : admitted) fresh += ad.fresh ? 1 : 0;
  PLEDGER_RETURN_IF_ERROR(CheckCapacity(pool, admitted.size(), fresh));

  for (PatentAdmission& ad : admitted) {
    ad.patent.set_pool_id(pool.id());
    c.Write(keys::Patent(ad.patent.patent_no()), ad.patent);
    c.Write(keys::PoolMember(pool.id(), ad.member.ref()), ad.member);
    c.Emit("pool.patent_admitted", {{"pool_id", pool.id()},
                                    {"patent_no", ad.patent.patent_no()},
                                    {"owners", Join(std::vector<std::string>(ad.member.owner_org_ids().begin(),
                                                                        ad.member.owner_org_ids().end()))},
                                    {"licence_id", ad.member.licence_id()},
                                    {"rule", "R31"}});
  }
  pool.set_active_members(pool.active_members() + static_cast<std::uint32_t>(admitted.size()));
  pool.set_member_records(pool.member_records() + static_cast<std::uint32_t>(fresh));
  c.Write(keys::Pool(pool.id()), pool);
  return Status::OK();
}

namespace {

// A registered pledge's loan on its way into a pool: the pledge, its member
// record (read back if it was a member before) and whether the pool never
// held it.
struct PledgeAdmission {
  Pledge pledge;
  PoolMember member;
  bool fresh = true;
};

// Adds every ground that keeps pledge `id`'s loan out of the pool (R31) and
// fills *ad. *loaded is false when the pledge could not be loaded (a ground
// too).
Status CheckPledgeAdmission(TxContext& c, const Pool& pool, const std::string& id, PledgeAdmission* ad,
                            bool* loaded) {
  Pledge& pl = ad->pledge;
  Status s = LoadPledge(c, id, &pl);
  *loaded = s.ok();
  if (!s.ok()) {
    if (!c.fatal().ok()) return s;
    c.AddGround(s.reason(), std::string(s.message()));
    return Status::OK();
  }
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(ReadMember(c, pool, id, &ad->member, &found));
  ad->fresh = !found;
  if (!pl.pool_id().empty()) {
    c.AddGround("POOL_PLEDGE_ALREADY_POOLED", "the loan of pledge " + id + " is already in pool " + pl.pool_id() + " (R31)");
  }
  if (pl.state() != PLEDGE_REGISTERED) {
    c.AddGround("POOL_PLEDGE_NOT_ELIGIBLE", "pledge " + id + " is " + PledgeState_Name(pl.state()) +
                                                "; only a registered pledge's loan enters a pool (R31)");
  } else if (pl.due_date() > pool.legal_maturity_date()) {
    c.AddGround("POOL_PLEDGE_NOT_ELIGIBLE", "the loan of pledge " + id + " falls due " + FormatDate(pl.due_date()) +
                                                ", after the pool's legal maturity " +
                                                FormatDate(pool.legal_maturity_date()) + " (R31)");
  }
  // The pledgee sells its receivable to the pool: its consent is the sale.
  if (c.SignerWithRole(ROLE_BANK, pl.pledgee_org_id()) == nullptr) {
    c.AddGround("POOL_PLEDGEE_CONSENT_MISSING", "the loan of pledge " + id + " belongs to " + pl.pledgee_org_id() +
                                                    ": a BANK account of the pledgee must co-sign (R31)");
  }
  for (const std::string& no : pl.patent_nos()) {
    Patent p;
    bool pfound = false;
    PLEDGER_RETURN_IF_ERROR(c.Read(keys::Patent(no), &p, &pfound));
    c.Touch(keys::Patent(no));
    if (!pfound) continue;
    if (!p.pool_id().empty()) {
      c.AddGround("POOL_PATENT_ALREADY_POOLED", "patent " + no + " of pledge " + id + " is in pool " + p.pool_id() + " (R31)");
    }
    PLEDGER_RETURN_IF_ERROR(CheckPatentEligible(c, pool, p));
  }
  PoolMember& m = ad->member;
  m.set_pool_id(pool.id());
  m.set_ref(id);
  m.set_kind(POOL_MEMBER_PLEDGE);
  m.set_state(POOL_MEMBER_ACTIVE);
  *m.mutable_owner_org_ids() = pl.pledgor_org_ids();
  m.set_pledgee_org_id(pl.pledgee_org_id());
  *m.mutable_patent_nos() = pl.patent_nos();
  m.set_principal_fen(pl.outstanding_principal_fen());
  m.set_admitted_date(c.today());
  m.set_left_date(0);
  m.set_remove_reason(POOL_REMOVE_REASON_UNSPECIFIED);
  m.set_loss_fen(0);
  return Status::OK();
}

}  // namespace

Status ExecPoolAdmitPledges(TxContext& c, const PoolAdmitPledges& a) {
  Pool pool;
  std::set<std::string> ids;
  PLEDGER_RETURN_IF_ERROR(OpenAdmission(c, a.pool_id(), POOL_LOAN, a.pledge_ids(), &pool, &ids));
  std::vector<PledgeAdmission> admitted;
  for (const std::string& id : ids) {
    PledgeAdmission ad;
    bool loaded = false;
    PLEDGER_RETURN_IF_ERROR(CheckPledgeAdmission(c, pool, id, &ad, &loaded));
    if (loaded) admitted.push_back(std::move(ad));
  }
  if (c.has_grounds()) return c.RefuseWithGrounds();
  size_t fresh = 0;
  for (const PledgeAdmission& ad : admitted) fresh += ad.fresh ? 1 : 0;
  PLEDGER_RETURN_IF_ERROR(CheckCapacity(pool, admitted.size(), fresh));

  for (PledgeAdmission& ad : admitted) {
    ad.pledge.set_pool_id(pool.id());
    c.Write(keys::Pledge(ad.pledge.id()), ad.pledge);
    c.Write(keys::PoolMember(pool.id(), ad.member.ref()), ad.member);
    c.Emit("pool.pledge_admitted", {{"pool_id", pool.id()},
                                    {"pledge_id", ad.pledge.id()},
                                    {"pledgee_org_id", ad.pledge.pledgee_org_id()},
                                    {"principal_fen", std::to_string(ad.member.principal_fen())},
                                    {"rule", "R31"}});
  }
  pool.set_active_members(pool.active_members() + static_cast<std::uint32_t>(admitted.size()));
  pool.set_member_records(pool.member_records() + static_cast<std::uint32_t>(fresh));
  c.Write(keys::Pool(pool.id()), pool);
  return Status::OK();
}

Status ExecPoolRemove(TxContext& c, const PoolRemove& a) {
  Pool pool;
  PLEDGER_RETURN_IF_ERROR(LoadPool(c, a.pool_id(), &pool));
  PLEDGER_RETURN_IF_ERROR(RequireTrustee(c, pool, "PoolRemove"));
  PLEDGER_RETURN_IF_ERROR(RequireNotWoundDown(pool, "PoolRemove"));
  PoolMember m;
  bool found = false;
  const bool well_formed = ValidObjectId(a.member()) || ParsePatentNumber(a.member()).ok();
  if (well_formed) PLEDGER_RETURN_IF_ERROR(ReadMember(c, pool, a.member(), &m, &found));
  if (!found || m.state() != POOL_MEMBER_ACTIVE) {
    return Fail("POOL_MEMBER_NOT_FOUND", Quote(a.member()) + " is not an active member of pool " + pool.id() +
                                             "; give the patent number or pledge id as admitted");
  }
  if (a.reason() != POOL_REMOVE_WITHDRAWN && a.reason() != POOL_REMOVE_SUBSTITUTION &&
      a.reason() != POOL_REMOVE_DEFAULT) {
    return Fail("POOL_REMOVE_INVALID", "reason must be POOL_REMOVE_WITHDRAWN, POOL_REMOVE_SUBSTITUTION or "
                                       "POOL_REMOVE_DEFAULT (R31)");
  }
  if (a.reason() == POOL_REMOVE_WITHDRAWN && pool.state() != POOL_OPEN) {
    return Fail("POOL_REMOVE_INVALID", "after issuance a member leaves only on substitution or default (R31)");
  }
  std::vector<Tranche> tranches;
  if (a.loss_fen() != 0) {
    if (!ValidAmount(a.loss_fen()) || a.reason() != POOL_REMOVE_DEFAULT || pool.state() != POOL_ISSUED) {
      return Fail("POOL_LOSS_INVALID", "a loss of 1 to 10^14 fen goes only with a DEFAULT removal after issuance (R32)");
    }
    PLEDGER_RETURN_IF_ERROR(ReadTranches(c, pool, &tranches));
    std::int64_t outstanding = 0;
    for (const Tranche& t : tranches) outstanding += t.outstanding_fen();  // <= deal size <= 10^14 each
    if (a.loss_fen() > outstanding) {
      return Fail("POOL_LOSS_INVALID", "the loss " + YuanText(a.loss_fen()) +
                                           " exceeds the tranches' outstanding principal " + YuanText(outstanding) +
                                           " (R32)");
    }
  }
  if (a.reason() == POOL_REMOVE_DEFAULT) {
    PLEDGER_RETURN_IF_ERROR(RequireDocumentHash(a.document_hash(), "a removal on default"));
  }

  m.set_state(POOL_MEMBER_REMOVED);
  m.set_left_date(c.today());
  m.set_remove_reason(a.reason());
  m.set_loss_fen(a.loss_fen());
  c.Write(keys::PoolMember(pool.id(), m.ref()), m);
  PLEDGER_RETURN_IF_ERROR(Unlock(c, pool, m));
  pool.set_active_members(pool.active_members() - 1);
  if (a.loss_fen() > 0) {
    pool.set_losses_fen(pool.losses_fen() + a.loss_fen());
    AllocateLoss(c, &pool, &tranches, a.loss_fen());
  }
  c.Write(keys::Pool(pool.id()), pool);
  c.Emit("pool.member_removed", {{"pool_id", pool.id()},
                                 {"member", m.ref()},
                                 {"reason", PoolRemoveReason_Name(a.reason())},
                                 {"loss_fen", std::to_string(a.loss_fen())}});
  c.Emit("pool.locks_lifted", {{"pool_id", pool.id()}, {"members", m.ref()}, {"rule", "R31"}});
  return Status::OK();
}

Status ExecPoolCollect(TxContext& c, const PoolCollect& a) {
  Pool pool;
  PLEDGER_RETURN_IF_ERROR(LoadPool(c, a.pool_id(), &pool));
  PLEDGER_RETURN_IF_ERROR(RequireTrustee(c, pool, "PoolCollect"));
  PLEDGER_RETURN_IF_ERROR(RequireNotWoundDown(pool, "PoolCollect"));
  const std::int32_t date = a.collection_date() == 0 ? c.today() : a.collection_date();
  if (!ValidDate(date) || date > c.today() || date < pool.created_date()) {
    return Fail("POOL_COLLECTION_INVALID", "the collection date must lie between the pool's creation (" +
                                               FormatDate(pool.created_date()) + ") and today (H7)");
  }
  if (a.items().empty() || static_cast<size_t>(a.items_size()) > kMaxPoolItemsPerAction) {
    return Fail("POOL_COLLECTION_INVALID", "record 1 to 64 collections per transaction (H7)");
  }
  std::map<std::string, std::int64_t> per_member;
  std::map<std::string, PoolMember> members;
  std::int64_t total = 0;
  for (const Collection& item : a.items()) {
    if (item.amount_fen() <= 0 || !ValidAmount(item.amount_fen())) {
      return Fail("POOL_COLLECTION_INVALID", "each collection is 1 to 10^14 fen (H7)");
    }
    auto it = members.find(item.member());
    if (it == members.end()) {
      PoolMember m;
      bool found = false;
      if (ValidObjectId(item.member()) || ParsePatentNumber(item.member()).ok()) {
        PLEDGER_RETURN_IF_ERROR(ReadMember(c, pool, item.member(), &m, &found));
      }
      if (!found) {
        return Fail("POOL_MEMBER_NOT_FOUND", Quote(item.member()) + " was never a member of pool " + pool.id() +
                                                 "; collections are recorded per member");
      }
      it = members.emplace(item.member(), std::move(m)).first;
    }
    const PoolMember& m = it->second;
    const bool active = m.state() == POOL_MEMBER_ACTIVE;
    const bool ok = (item.kind() == COLLECTION_ROYALTY && m.kind() == POOL_MEMBER_PATENT && active) ||
                    (item.kind() == COLLECTION_LOAN_REPAYMENT && m.kind() == POOL_MEMBER_PLEDGE && active) ||
                    item.kind() == COLLECTION_RECOVERY;
    if (!ok) {
      return Fail("POOL_COLLECTION_INVALID", "collection for " + m.ref() +
                                                 ": ROYALTY is for an active patent member, LOAN_REPAYMENT for an "
                                                 "active pledge member, RECOVERY for any member (H7)");
    }
    per_member[item.member()] += item.amount_fen();  // <= 64 x 10^14: fits
    total += item.amount_fen();
  }
  auto pending = CheckedAdd(pool.carried_fen(), pool.period_collections_fen());
  if (pending) pending = CheckedAdd(*pending, total);
  auto lifetime = CheckedAdd(pool.collected_total_fen(), total);
  if (!pending || *pending > kMaxAmountFen || !lifetime) {
    return Fail("POOL_COLLECTION_INVALID", "the pool's undistributed cash would exceed 10^14 fen; run a payment "
                                           "date first (H7)");
  }
  for (auto& [ref, amount] : per_member) {
    PoolMember& m = members[ref];
    auto collected = CheckedAdd(m.collected_fen(), amount);
    if (!collected) {
      return Fail("POOL_AMOUNT_OVERFLOW", "member " + ref + " of pool " + pool.id() + " has " +
                                              YuanText(m.collected_fen()) + " collected; adding " + YuanText(amount) +
                                              " no longer fits 64-bit fen (H7)");
    }
    m.set_collected_fen(*collected);
    c.Write(keys::PoolMember(pool.id(), ref), m);
    c.Touch(m.kind() == POOL_MEMBER_PATENT ? keys::Patent(ref) : keys::Pledge(ref));
  }
  pool.set_period_collections_fen(pool.period_collections_fen() + total);
  pool.set_collected_total_fen(*lifetime);
  c.Write(keys::Pool(pool.id()), pool);
  c.Emit("pool.collected", {{"pool_id", pool.id()},
                            {"collection_date", FormatDate(date)},
                            {"items", std::to_string(a.items_size())},
                            {"amount_fen", std::to_string(total)},
                            {"rule", "H7"}});
  return Status::OK();
}

Status ExecPoolTrigger(TxContext& c, const PoolTrigger& a) {
  Pool pool;
  PLEDGER_RETURN_IF_ERROR(LoadPool(c, a.pool_id(), &pool));
  PLEDGER_RETURN_IF_ERROR(RequireTrustee(c, pool, "PoolTrigger"));
  PLEDGER_RETURN_IF_ERROR(RequireNotWoundDown(pool, "PoolTrigger"));
  if (pool.state() != POOL_ISSUED) {
    return Fail("TRANCHE_NOT_ISSUED", "pool " + pool.id() + " has no tranches yet; a trigger event concerns issued "
                                      "tranches (H8)");
  }
  if (pool.triggered()) {
    return Fail("POOL_TRIGGER_ALREADY_DECLARED", "a trigger event was declared on " + FormatDate(pool.trigger_date()) +
                                                     "; it stays in force until wind-down (H8)");
  }
  if (a.reason() == POOL_TRIGGER_REASON_UNSPECIFIED || !PoolTriggerReason_IsValid(a.reason())) {
    return Fail("POOL_TRIGGER_INVALID", "give the trigger reason (POOL_TRIGGER_SENIOR_SHORTFALL …) (H8)");
  }
  PLEDGER_RETURN_IF_ERROR(RequireDocumentHash(a.document_hash(), "a trigger event (the trustee's notice)"));
  pool.set_triggered(true);
  pool.set_trigger_date(c.today());
  pool.set_trigger_reason(a.reason());
  pool.set_trigger_document_hash(a.document_hash());
  c.Write(keys::Pool(pool.id()), pool);
  c.Emit("pool.trigger_declared", {{"pool_id", pool.id()},
                                   {"reason", PoolTriggerReason_Name(a.reason())},
                                   {"date", FormatDate(c.today())},
                                   {"rule", "H8"}});
  return Status::OK();
}

Status ExecPoolWindDown(TxContext& c, const PoolWindDown& a) {
  Pool pool;
  PLEDGER_RETURN_IF_ERROR(LoadPool(c, a.pool_id(), &pool));
  PLEDGER_RETURN_IF_ERROR(RequireTrustee(c, pool, "PoolWindDown"));
  PLEDGER_RETURN_IF_ERROR(RequireNotWoundDown(pool, "PoolWindDown"));
  std::vector<Tranche> tranches;
  std::int64_t cash_returned = 0;
  if (pool.state() == POOL_ISSUED) {
    PLEDGER_RETURN_IF_ERROR(ReadTranches(c, pool, &tranches));
    bool rated_paid_off = true;
    for (const Tranche& t : tranches) {
      if (t.tranche_class() != TRANCHE_SUBORDINATED && t.outstanding_fen() > 0) rated_paid_off = false;
    }
    if (c.today() < pool.legal_maturity_date() && !rated_paid_off) {
      return Fail("POOL_WIND_DOWN_NOT_DUE", "pool " + pool.id() + " reaches its legal maturity on " +
                                                FormatDate(pool.legal_maturity_date()) +
                                                " and senior or mezzanine principal is outstanding; wind down then");
    }
    if (pool.carried_fen() != 0 || pool.period_collections_fen() != 0) {
      return Fail("POOL_CASH_UNDISTRIBUTED", "pool " + pool.id() + " still holds " +
                                                 YuanText(pool.carried_fen() + pool.period_collections_fen()) +
                                                 "; run a final payment date (`pool pay`, PoolPay) first (H7)");
    }
  } else {
    // Never issued: cash collected before issuance goes back to the originators.
    cash_returned = pool.carried_fen() + pool.period_collections_fen();
    pool.set_carried_fen(0);
    pool.set_period_collections_fen(0);
  }

  std::vector<PoolMember> members;
  Status bad;
  PLEDGER_RETURN_IF_ERROR(c.Scan(keys::PoolMemberPrefix(pool.id()), [&](std::string_view k, std::string_view v) {
    PoolMember m;
    if (!m.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = c.Fatal(Status::Corruption("STATE_RECORD_CORRUPT", "member record " + std::string(k) + " does not parse"));
      return false;
    }
    if (m.state() == POOL_MEMBER_ACTIVE) members.push_back(std::move(m));
    return true;
  }));
  PLEDGER_RETURN_IF_ERROR(bad);
  std::vector<std::string> released;
  for (PoolMember& m : members) {
    PLEDGER_RETURN_IF_ERROR(Unlock(c, pool, m));
    m.set_state(POOL_MEMBER_RELEASED);
    m.set_left_date(c.today());
    c.Write(keys::PoolMember(pool.id(), m.ref()), m);
    released.push_back(m.ref());
  }
  // What is still owed when the deal ends is lost to its holders.
  std::int64_t written_off = 0;
  for (Tranche& t : tranches) {
    if (t.outstanding_fen() == 0) continue;
    const std::int64_t amount = t.outstanding_fen();
    written_off += amount;
    t.set_losses_fen(t.losses_fen() + amount);
    t.set_outstanding_fen(0);
    c.Write(keys::Tranche(pool.id(), t.rank()), t);
    c.Emit("tranche.written_off", {{"pool_id", pool.id()},
                                   {"rank", std::to_string(t.rank())},
                                   {"amount_fen", std::to_string(amount)},
                                   {"rule", "R32"}});
  }
  pool.set_losses_fen(pool.losses_fen() + written_off);
  pool.set_state(POOL_WOUND_DOWN);
  pool.set_wound_down_date(c.today());
  pool.set_active_members(0);
  c.Write(keys::Pool(pool.id()), pool);
  if (!released.empty()) {
    c.Emit("pool.locks_lifted", {{"pool_id", pool.id()}, {"members", Join(released)}, {"rule", "R31"}});
  }
  c.Emit("pool.wound_down", {{"pool_id", pool.id()},
                             {"date", FormatDate(c.today())},
                             {"members_released", std::to_string(released.size())},
                             {"written_off_fen", std::to_string(written_off)},
                             {"cash_returned_fen", std::to_string(cash_returned)}});
  return Status::OK();
}

}  // namespace pledger::contracts::internal
