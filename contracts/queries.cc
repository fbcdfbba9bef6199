#include "contracts/queries.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "contracts/dates.h"
#include "contracts/internal/validate.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "contracts/state_keys.h"

namespace pledger::contracts {
namespace {

constexpr size_t kDefaultLimit = 1000;

template <typename M>
Status ReadRecord(const ledger::StateReader& s, const std::string& key, std::string_view not_found_reason,
                  std::string_view what, M* out) {
  auto raw = s.Get(key);
  if (!raw.ok()) return std::move(raw).TakeStatus();
  if (!raw->has_value()) {
    return Status::NotFound(not_found_reason, "no " + std::string(what) + " " + key.substr(key.find('/') + 1));
  }
  if (!out->ParseFromString(**raw)) {
    return Status::Corruption("STATE_RECORD_CORRUPT", "state record " + key + " does not parse");
  }
  return Status::OK();
}

// Skipping `after` index entries reads only their small keys, never the
// pledges, so a page deep into a bank's 10^5 pledges costs milliseconds.
Result<PledgeList> ListPledges(const ledger::StateReader& s, const std::string& prefix, size_t limit,
                               std::uint64_t after) {
  if (limit == 0) limit = kDefaultLimit;
  std::vector<std::string> ids;
  std::uint64_t seen = 0;
  bool more = false;
  PLEDGER_RETURN_IF_ERROR(s.Scan(prefix, [&](std::string_view, std::string_view v) {
    if (++seen <= after) return true;
    if (ids.size() == limit) {
      more = true;
      return false;
    }
    ids.emplace_back(v);
    return true;
  }));
  PledgeList out;
  std::uint64_t rank = after;
  for (const std::string& id : ids) {
    RankedPledge* rp = out.add_pledges();
    rp->set_rank(static_cast<std::uint32_t>(++rank));
    PLEDGER_RETURN_IF_ERROR(ReadRecord(s, keys::Pledge(id), "PLEDGE_NOT_FOUND", "pledge", rp->mutable_pledge()));
  }
  if (more) out.set_next_cursor(std::to_string(rank));
  return out;
}

}  // namespace

Status CheckEntityId(std::string_view entity) {
  auto id_of = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (entity.substr(0, prefix.size()) != prefix) return std::nullopt;
    return entity.substr(prefix.size());
  };
  if (auto no = id_of("patent/")) return ParsePatentNumber(*no).status();
  if (auto id = id_of("pledge/"); id && !internal::ValidObjectId(*id)) {
    return Status::InvalidArgument("PLEDGE_ID_INVALID", "a pledge id is 32 lower-case hex characters");
  }
  if (auto id = id_of("valuation/"); id && !internal::ValidObjectId(*id)) {
    return Status::InvalidArgument("VALUATION_ID_INVALID", "a valuation id is 32 lower-case hex characters");
  }
  if (auto key = id_of("account/"); key && !internal::ValidHex64(*key)) {
    return Status::InvalidArgument("ACCOUNT_KEY_INVALID", "a public key is 64 lower-case hex characters");
  }
  if (auto id = id_of("org/"); id && !internal::ValidId(*id)) {
    return Status::InvalidArgument("ORG_ID_INVALID", "an organisation id matches [a-z0-9._-]{1,64}");
  }
  std::optional<std::string_view> pool = id_of("pool/");
  if (auto t = id_of("tranche/")) pool = t->substr(0, t->find('/'));
  if (pool && !internal::ValidObjectId(*pool)) {
    return Status::InvalidArgument("POOL_ID_INVALID", "a pool id is 32 lower-case hex characters");
  }
  return Status::OK();
}

Result<PatentView> QueryPatent(const ledger::StateReader& s, std::string_view patent_no, std::uint64_t as_of_ms) {
  if (auto type = ParsePatentNumber(patent_no); !type.ok()) return type.status();
  PatentView v;
  PLEDGER_RETURN_IF_ERROR(
      ReadRecord(s, keys::Patent(patent_no), "PATENT_NOT_FOUND", "patent", v.mutable_patent()));
  const Patent& p = v.patent();
  v.set_effective_status(internal::EffectiveStatus(p, DateOfBlockTime(as_of_ms)));
  v.set_pledged(!p.active_pledge_id().empty());
  v.set_licensed(p.licences_size() > 0);
  if (!p.active_pledge_id().empty()) {
    PLEDGER_RETURN_IF_ERROR(ReadRecord(s, keys::Pledge(p.active_pledge_id()), "PLEDGE_NOT_FOUND", "pledge",
                                       v.mutable_active_pledge()));
  }
  std::vector<std::string> valuation_ids;
  PLEDGER_RETURN_IF_ERROR(s.Scan(keys::PatentValuationPrefix(patent_no), [&](std::string_view, std::string_view id) {
    valuation_ids.emplace_back(id);
    return valuation_ids.size() < kDefaultLimit;
  }));
  for (const std::string& id : valuation_ids) {
    PLEDGER_RETURN_IF_ERROR(
        ReadRecord(s, keys::Valuation(id), "VALUATION_NOT_FOUND", "valuation", v.add_valuations()));
  }
  PLEDGER_RETURN_IF_ERROR(s.Scan(keys::PatentPledgePrefix(patent_no), [&](std::string_view, std::string_view id) {
    v.add_pledge_ids(std::string(id));
    return static_cast<size_t>(v.pledge_ids_size()) < kDefaultLimit;
  }));
  return v;
}

Result<Pledge> QueryPledge(const ledger::StateReader& s, std::string_view pledge_id) {
  if (!internal::ValidObjectId(pledge_id)) {
    return Status::InvalidArgument("PLEDGE_ID_INVALID", "a pledge id is 32 lower-case hex characters");
  }
  Pledge p;
  PLEDGER_RETURN_IF_ERROR(ReadRecord(s, keys::Pledge(pledge_id), "PLEDGE_NOT_FOUND", "pledge", &p));
  return p;
}

Result<PledgeList> QueryPledgesOfBank(const ledger::StateReader& s, std::string_view bank, size_t limit,
                                      std::uint64_t after) {
  if (!internal::ValidId(bank)) return Status::InvalidArgument("ORG_ID_INVALID", "bad organisation id");
  return ListPledges(s, keys::BankPledgePrefix(bank), limit, after);
}

Result<PledgeList> QueryPledgesOfBorrower(const ledger::StateReader& s, std::string_view debtor, size_t limit,
                                          std::uint64_t after) {
  if (!internal::ValidId(debtor)) return Status::InvalidArgument("ORG_ID_INVALID", "bad organisation id");
  return ListPledges(s, keys::BorrowerPledgePrefix(debtor), limit, after);
}

Result<PledgeList> QueryPledgesOfPledgor(const ledger::StateReader& s, std::string_view pledgor, size_t limit) {
  if (!internal::ValidId(pledgor)) return Status::InvalidArgument("ORG_ID_INVALID", "bad organisation id");
  return ListPledges(s, keys::PledgorPledgePrefix(pledgor), limit, 0);
}

Result<Valuation> QueryValuation(const ledger::StateReader& s, std::string_view id) {
  if (!internal::ValidObjectId(id)) {
    return Status::InvalidArgument("VALUATION_ID_INVALID", "a valuation id is 32 lower-case hex characters");
  }
  Valuation v;
  PLEDGER_RETURN_IF_ERROR(ReadRecord(s, keys::Valuation(id), "VALUATION_NOT_FOUND", "valuation", &v));
  return v;
}

Result<Account> QueryAccount(const ledger::StateReader& s, std::string_view key_hex) {
  if (!internal::ValidHex64(key_hex)) {
    return Status::InvalidArgument("ACCOUNT_KEY_INVALID", "a public key is 64 lower-case hex characters");
  }
  Account a;
  PLEDGER_RETURN_IF_ERROR(ReadRecord(s, keys::Account(key_hex), "ACCOUNT_NOT_FOUND", "account", &a));
  return a;
}

Result<Organisation> QueryOrganisation(const ledger::StateReader& s, std::string_view org_id) {
  if (!internal::ValidId(org_id)) return Status::InvalidArgument("ORG_ID_INVALID", "bad organisation id");
  Organisation o;
  PLEDGER_RETURN_IF_ERROR(ReadRecord(s, keys::Org(org_id), "ORG_NOT_FOUND", "organisation", &o));
  return o;
}

Result<ValidatorSet> QueryValidators(const ledger::StateReader& s) {
  ValidatorSet out;
  Status bad;
  PLEDGER_RETURN_IF_ERROR(s.Scan(keys::kValidatorPrefix, [&](std::string_view k, std::string_view v) {
    if (!out.add_validators()->ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = Status::Corruption("STATE_RECORD_CORRUPT", "validator record " + std::string(k) + " does not parse");
      return false;
    }
    return true;
  }));
  PLEDGER_RETURN_IF_ERROR(bad);
  return out;
}

Result<Params> QueryParams(const ledger::StateReader& s) {
  Params p;
  PLEDGER_RETURN_IF_ERROR(ReadRecord(s, std::string(keys::kParams), "PARAMS_NOT_FOUND", "parameters", &p));
  return p;
}

Result<LendingReport> QueryLendingReport(const ledger::StateReader& s, std::string_view bank) {
  PLEDGER_ASSIGN_OR_RETURN(PledgeList list, QueryPledgesOfBank(s, bank, 1'000'000));
  LendingReport r;
  r.set_bank_org_id(std::string(bank));
  std::set<std::string> borrowers;
  std::int64_t active = 0, npl = 0;
  for (const RankedPledge& rp : list.pledges()) {
    const Pledge& p = rp.pledge();
    r.set_pledges_total(r.pledges_total() + 1);
    r.set_renewals(r.renewals() + p.renewals());
    borrowers.insert(p.debtor_org_id());
    if (p.state() != PLEDGE_REGISTERED) continue;
    r.set_pledges_active(r.pledges_active() + 1);
    active = CheckedAdd(active, p.outstanding_principal_fen()).value_or(kMaxAmountFen);
    if (p.risk_class() >= RISK_SUBSTANDARD) {
      npl = CheckedAdd(npl, p.outstanding_principal_fen()).value_or(kMaxAmountFen);
    }
  }
  r.set_active_principal_fen(active);
  r.set_npl_principal_fen(npl);
  r.set_npl_ratio_bps(RatioBpsFloor(std::min(npl, kMaxAmountFen), active));
  r.set_borrowers(static_cast<std::uint32_t>(borrowers.size()));
  // R35: a first-time borrower's earliest pledge on the ledger is with this bank.
  std::uint32_t first = 0;
  for (const std::string& b : borrowers) {
    std::string first_id;
    PLEDGER_RETURN_IF_ERROR(s.Scan(keys::BorrowerPledgePrefix(b), [&](std::string_view, std::string_view id) {
      first_id = std::string(id);
      return false;
    }));
    Pledge p;
    if (!first_id.empty() && ReadRecord(s, keys::Pledge(first_id), "PLEDGE_NOT_FOUND", "pledge", &p).ok() &&
        p.pledgee_org_id() == bank) {
      ++first;
    }
  }
  r.set_first_time_borrowers(first);
  return r;
}

}  // namespace pledger::contracts
