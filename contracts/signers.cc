#include "contracts/signers.h"

#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "contracts/dates.h"
#include "contracts/pool_queries.h"
#include "contracts/money.h"
#include "contracts/queries.h"
#include "contracts/state_keys.h"

namespace pledger::contracts {
namespace {

// How people read an amount they are asked to sign for.
std::string Yuan(std::int64_t fen) { return FormatYuan(fen) + " yuan"; }

std::string Day(std::int32_t day) { return day == 0 ? "-" : FormatDate(day); }

Party IpOffice(const std::string& why) { return Party{"an IP office (" + why + ")", ROLE_IP_OFFICE, {}, true, 0, {}}; }
Party Bank(const std::string& org, const std::string& why) { return Party{"bank " + org + " (" + why + ")", ROLE_BANK, {org}, true, 0, {}}; }
Party Owner(const std::string& org, const std::string& why) {
  return Party{"owner " + org + " (" + why + ")", ROLE_OWNER, {org}, true, 0, {}};
}
Party Unknown(const std::string& label, Role role) { return Party{label, role, {}, false, 0, {}}; }

Result<contracts::Pledge> ReadPledge(const std::string& id, LedgerLookup* lookup) {
  return lookup ? lookup->Pledge(id) : Result<contracts::Pledge>(Status::Unavailable("OFFLINE", "no node"));
}

// Pledgee, every pledgor and an IP office: registration-like pledge actions (R1, R11).
void JointSigners(const std::string& pledge_id, LedgerLookup* lookup, Requirements* r) {
  Result<contracts::Pledge> p = ReadPledge(pledge_id, lookup);
  if (p.ok()) {
    r->parties.push_back(Bank(p->pledgee_org_id(), "pledgee"));
    for (const auto& org : p->pledgor_org_ids()) r->parties.push_back(Owner(org, "pledgor"));
  } else {
    r->parties.push_back(Unknown("the pledgee bank of pledge " + pledge_id, ROLE_BANK));
    r->parties.push_back(Unknown("an owner of every pledgor of pledge " + pledge_id, ROLE_OWNER));
    if (lookup) r->notes.push_back("could not read pledge " + pledge_id + ": " + std::string(p.status().message()));
  }
  r->parties.push_back(IpOffice("registers the change"));
}

void PledgeeSigner(const std::string& pledge_id, LedgerLookup* lookup, Requirements* r) {
  Result<contracts::Pledge> p = ReadPledge(pledge_id, lookup);
  if (p.ok()) {
    r->parties.push_back(Bank(p->pledgee_org_id(), "pledgee"));
  } else {
    r->parties.push_back(Unknown("the pledgee bank of pledge " + pledge_id, ROLE_BANK));
    if (lookup) r->notes.push_back("could not read pledge " + pledge_id + ": " + std::string(p.status().message()));
  }
}

// The patent's record, when the lookup can tell.
std::optional<PatentView> LookupPatent(const std::string& no, LedgerLookup* lookup, Requirements* r) {
  if (!lookup) return std::nullopt;
  auto v = lookup->Patent(no);
  if (!v.ok()) {
    r->notes.push_back("could not read patent " + no + ": " + std::string(v.status().message()));
    return std::nullopt;
  }
  return *v;
}

// R13: the pledgee co-signs while a pledge holds the patent.
void PledgeLock(const std::string& no, const std::optional<PatentView>& v, Requirements* r) {
  if (!v) {
    r->parties.push_back(Unknown("the pledgee bank, if " + no + " is pledged (R13)", ROLE_BANK));
    return;
  }
  if (!v->patent().active_pledge_id().empty()) {
    std::string pledgee = v->active_pledge().pledgee_org_id();
    if (pledgee.empty()) {
      r->parties.push_back(Unknown("the pledgee bank of pledge " + v->patent().active_pledge_id() + " (R13)", ROLE_BANK));
    } else {
      r->parties.push_back(Bank(pledgee, "pledgee of " + no + ", R13"));
    }
  }
}

void EveryOwner(const std::string& no, const std::optional<PatentView>& v, const std::string& why, Requirements* r) {
  if (!v) {
    r->parties.push_back(Unknown("every current owner of " + no + " (" + why + ")", ROLE_OWNER));
    return;
  }
  for (const auto& o : v->patent().owners()) r->parties.push_back(Owner(o.org_id(), why));
}

// More than half of the IP-office organisations (docs/contracts.md "Authorisation").
void Governance(LedgerLookup* lookup, Requirements* r) {
  Party p{"IP offices of more than half of the IP-office organisations (governance quorum)", ROLE_IP_OFFICE, {}, true, -1, {}};
  if (lookup) {
    auto n = lookup->IpOffices();
    if (n.ok() && n->count > 0) {
      p.quorum = n->count / 2 + 1;
      p.label = "IP offices of " + std::to_string(p.quorum) + " different IP-office organisations (more than half of " +
                std::to_string(n->count) + ")";
      if (!n->exact) {
        r->notes.push_back("the quorum counts the IP offices in the genesis (the node does not list the ledger's "
                           "organisations); if offices were added or removed since, the quorum differs");
      }
    } else if (!n.ok()) {
      r->notes.push_back("could not count the IP-office organisations to size the quorum: " +
                         std::string(n.status().message()));
    }
  }
  r->parties.push_back(std::move(p));
}

// AccountRotateKey: carrying new_key_proof, it is meant to be self-signed
// by the old key (the governance path stays open to the same transaction).
void AccountRotationSigners(const AccountRotateKey& x, LedgerLookup* lookup, Requirements* r) {
  if (x.new_key_proof().empty()) return Governance(lookup, r);
  Party p{"the account itself: its current key " + x.old_public_key_hex().substr(0, 16) +
              "… (a self-signed rotation; without it, the governance quorum)",
          ROLE_UNSPECIFIED, {}, true, 0, x.old_public_key_hex()};
  r->parties.push_back(std::move(p));
}

// ValidatorRotateKey: carrying old_key_proof, an account of the node's own
// organisation signs; without it, governance.
void ValidatorRotationSigners(const ValidatorRotateKey& x, LedgerLookup* lookup, Requirements* r) {
  if (x.old_key_proof().empty()) return Governance(lookup, r);
  Result<contracts::Validator> v =
      lookup ? lookup->ValidatorRecord(x.node_id())
             : Result<contracts::Validator>(Status::Unavailable("OFFLINE", "no node"));
  if (v.ok()) {
    r->parties.push_back(Party{"an account of " + v->org_id() + ", operator of node " + x.node_id() +
                                   " (a self-signed rotation; without it, the governance quorum)",
                               ROLE_UNSPECIFIED, {v->org_id()}, true, 0, {}});
  } else {
    r->parties.push_back(Unknown("an account of the organisation operating node " + x.node_id() +
                                     " (a self-signed rotation)",
                                 ROLE_UNSPECIFIED));
    if (lookup) r->notes.push_back("could not read node " + x.node_id() + ": " + std::string(v.status().message()));
  }
}

void AssignSigners(const PatentAssign& x, LedgerLookup* lookup, Requirements* r) {
  r->parties.push_back(IpOffice("registers the assignment"));
  auto v = LookupPatent(x.patent_no(), lookup, r);
  if (x.basis() == TRANSFER_CONTRACT) {
    EveryOwner(x.patent_no(), v, "assignor, R22", r);
    std::set<std::string> current;
    if (v) {
      for (const auto& o : v->patent().owners()) current.insert(o.org_id());
    }
    for (const auto& o : x.new_owners()) {
      if (current.count(o.org_id())) continue;
      r->parties.push_back(Owner(o.org_id(), v ? "assignee, R22" : "assignee unless already an owner, R22"));
    }
  }
  PledgeLock(x.patent_no(), v, r);
}

// R23: without an agreement among co-owners, one owner grants an ordinary
// licence; every other licence needs every owner.
void LicenceSigners(const LicenceFile& x, LedgerLookup* lookup, Requirements* r) {
  r->parties.push_back(IpOffice("files the licence"));
  auto v = LookupPatent(x.patent_no(), lookup, r);
  LicenceType type = x.type();
  if (type == LICENCE_TYPE_UNSPECIFIED || (x.sublicence() && type != LICENCE_OPEN)) type = LICENCE_ORDINARY;
  if (!v) {
    r->parties.push_back(Unknown(type == LICENCE_ORDINARY
                                     ? "one owner of " + x.patent_no() + " (every owner if the co-owners agreed otherwise, R23)"
                                     : "every owner of " + x.patent_no() + " (R23)",
                                 ROLE_OWNER));
  } else if (type == LICENCE_ORDINARY && !v->patent().co_owner_agreement()) {
    Party any{"one owner of " + x.patent_no() + " (licensor, R23)", ROLE_OWNER, {}, true, 0, {}};
    for (const auto& o : v->patent().owners()) any.orgs.push_back(o.org_id());
    r->parties.push_back(std::move(any));
  } else {
    EveryOwner(x.patent_no(), v, "licensor, R23", r);
  }
  PledgeLock(x.patent_no(), v, r);
}

// ---- pools ----------------------------------------------------------------------

Party Trustee(const std::string& org, const std::string& why) {
  return Party{"trustee " + org + " (" + why + ")", ROLE_TRUSTEE, {org}, true, 0, {}};
}

// The pool's record, when the lookup can tell.
std::optional<PoolView> LookupPool(const std::string& id, LedgerLookup* lookup, Requirements* r) {
  if (!lookup) return std::nullopt;
  auto v = lookup->Pool(id);
  if (!v.ok()) {
    r->notes.push_back("could not read pool " + id + ": " + std::string(v.status().message()));
    return std::nullopt;
  }
  return *v;
}

void PoolTrustee(const std::optional<PoolView>& pool, const std::string& id, Requirements* r) {
  if (pool) {
    r->parties.push_back(Trustee(pool->pool().trustee_org_id(), "runs the pool"));
  } else {
    r->parties.push_back(Unknown("the trustee of pool " + id, ROLE_TRUSTEE));
  }
}

void TrusteeOf(const std::string& pool_id, LedgerLookup* lookup, Requirements* r) {
  PoolTrustee(LookupPool(pool_id, lookup, r), pool_id, r);
}

// PoolPay: the guarantor co-signs when the waterfall draws on it (H5). The
// preview is the same waterfall over the collections recorded so far; the
// label says how much, so a guarantor sees what it signs.
void Guarantor(const PoolPay& x, const std::optional<PoolView>& pool, LedgerLookup* lookup, Requirements* r) {
  if (x.no_shortfall_draw()) return;
  if (pool && pool->pool().guarantor_org_id().empty()) return;
  const std::string who = pool ? "guarantor " + pool->pool().guarantor_org_id() : "the pool's guarantor";
  const std::int32_t date = x.payment_date();
  if (!pool || date == 0) {  // date 0: the block's date, unknown until it is ordered
    r->parties.push_back(Unknown(who + ", if the waterfall draws on it (H5)", ROLE_GUARANTOR));
    return;
  }
  auto st = lookup->PoolPaymentPreview(x.pool_id(), date, true);
  if (!st.ok()) {
    r->parties.push_back(Unknown(who + ", if the waterfall draws on it (H5)", ROLE_GUARANTOR));
    r->notes.push_back("could not preview the payment date " + Day(date) + ": " + std::string(st.status().message()));
    return;
  }
  if (st->guarantor_draw_fen() == 0) return;
  r->parties.push_back(Party{who + " (shortfall provider: the waterfall on " + Day(date) + " draws " +
                                 Yuan(st->guarantor_draw_fen()) + " from it, H5)",
                             ROLE_GUARANTOR,
                             {pool->pool().guarantor_org_id()},
                             true,
                             0,
                             {}});
  r->notes.push_back("the guarantor's draw is the node's preview with the collections recorded so far; "
                     "`pledger-wallet pool preview " + x.pool_id() + " --date " + Day(date) +
                     "` shows the whole waterfall");
}

void AdmitPatentsSigners(const PoolAdmitPatents& x, LedgerLookup* lookup, Requirements* r) {
  TrusteeOf(x.pool_id(), lookup, r);
  std::set<std::string> owners;  // one party per organisation, however many patents it owns
  for (const std::string& no : x.patent_nos()) {
    auto v = LookupPatent(no, lookup, r);
    if (!v) {
      r->parties.push_back(Unknown("every owner of " + no + " (R31)", ROLE_OWNER));
    } else {
      for (const auto& o : v->patent().owners()) {
        if (owners.insert(o.org_id()).second) r->parties.push_back(Owner(o.org_id(), "admits its patent, R31"));
      }
    }
    PledgeLock(no, v, r);
  }
}

void AdmitPledgesSigners(const PoolAdmitPledges& x, LedgerLookup* lookup, Requirements* r) {
  TrusteeOf(x.pool_id(), lookup, r);
  std::set<std::string> banks;
  for (const std::string& id : x.pledge_ids()) {
    Result<contracts::Pledge> p = ReadPledge(id, lookup);
    if (p.ok()) {
      if (banks.insert(p->pledgee_org_id()).second) r->parties.push_back(Bank(p->pledgee_org_id(), "sells the loan, R31"));
    } else {
      r->parties.push_back(Unknown("the pledgee bank of pledge " + id + " (sells the loan, R31)", ROLE_BANK));
      if (lookup) r->notes.push_back("could not read pledge " + id + ": " + std::string(p.status().message()));
    }
  }
}

void PoolSigners(const Action& a, LedgerLookup* lookup, Requirements* r) {
  switch (a.kind_case()) {
    case Action::kPoolCreate:
      r->parties.push_back(Trustee(a.pool_create().trustee_org_id(), "creates the pool"));
      break;
    case Action::kPoolAdmitPatents:
      AdmitPatentsSigners(a.pool_admit_patents(), lookup, r);
      break;
    case Action::kPoolAdmitPledges:
      AdmitPledgesSigners(a.pool_admit_pledges(), lookup, r);
      break;
    case Action::kPoolRemove:
      TrusteeOf(a.pool_remove().pool_id(), lookup, r);
      break;
    case Action::kTrancheIssue:
      TrusteeOf(a.tranche_issue().pool_id(), lookup, r);
      break;
    case Action::kHoldingTransfer: {
      const auto& x = a.holding_transfer();
      r->parties.push_back(Party{"investor " + x.from_org_id() + " (the holder gives the units)", ROLE_INVESTOR,
                                 {x.from_org_id()}, true, 0, {}});
      break;
    }
    case Action::kPoolCollect:
      TrusteeOf(a.pool_collect().pool_id(), lookup, r);
      break;
    case Action::kPoolPay: {
      const auto& x = a.pool_pay();
      auto pool = LookupPool(x.pool_id(), lookup, r);
      PoolTrustee(pool, x.pool_id(), r);
      Guarantor(x, pool, lookup, r);
      break;
    }
    case Action::kPoolTrigger:
      TrusteeOf(a.pool_trigger().pool_id(), lookup, r);
      break;
    case Action::kPoolWindDown:
      TrusteeOf(a.pool_wind_down().pool_id(), lookup, r);
      break;
    default:
      break;
  }
}

void PatentSigners(const Action& a, LedgerLookup* lookup, Requirements* r) {
  switch (a.kind_case()) {
    case Action::kPatentRegister:
      r->parties.push_back(IpOffice("keeps the register"));
      break;
    case Action::kPatentStatus:
      r->parties.push_back(IpOffice("keeps the register"));
      if (a.patent_status().event() == PATENT_EVENT_WAIVED) {
        const std::string& no = a.patent_status().patent_no();
        auto v = LookupPatent(no, lookup, r);
        EveryOwner(no, v, "waives, R21", r);
        PledgeLock(no, v, r);
      }
      break;
    case Action::kPatentAssign:
      AssignSigners(a.patent_assign(), lookup, r);
      break;
    case Action::kLicenceFile:
      LicenceSigners(a.licence_file(), lookup, r);
      break;
    case Action::kValuationRecord:
      r->parties.push_back(Party{"an appraiser (an APPRAISER account; banks may hold the role, R27)", ROLE_APPRAISER,
                                 {}, true, 0, {}});
      break;
    default:
      break;
  }
}

void PledgeSigners(const Action& a, LedgerLookup* lookup, Requirements* r) {
  switch (a.kind_case()) {
    case Action::kPledgeRegister: {
      const auto& x = a.pledge_register();
      r->parties.push_back(Bank(x.pledgee_org_id(), "pledgee"));
      for (const auto& org : x.pledgor_org_ids()) r->parties.push_back(Owner(org, "pledgor"));
      r->parties.push_back(IpOffice("registers the pledge, R1"));
      break;
    }
    case Action::kPledgeChange:
      JointSigners(a.pledge_change().pledge_id(), lookup, r);
      break;
    case Action::kLoanRenew:
      JointSigners(a.loan_renew().pledge_id(), lookup, r);
      break;
    case Action::kLoanAccrue:
      PledgeeSigner(a.loan_accrue().pledge_id(), lookup, r);
      break;
    case Action::kLoanRepay:
      PledgeeSigner(a.loan_repay().pledge_id(), lookup, r);
      break;
    case Action::kLoanClassify:
      PledgeeSigner(a.loan_classify().pledge_id(), lookup, r);
      break;
    case Action::kPledgeEnforce:
      PledgeeSigner(a.pledge_enforce().pledge_id(), lookup, r);
      break;
    case Action::kPledgeCancel:
      if (a.pledge_cancel().ground() == CANCEL_COURT_ORDER) {
        r->parties.push_back(IpOffice("cancels on a court order, R12"));
      } else {
        PledgeeSigner(a.pledge_cancel().pledge_id(), lookup, r);
      }
      break;
    default:
      break;
  }
}

}  // namespace

Requirements RequiredSigners(const Action& a, LedgerLookup* lookup) {
  Requirements r;
  switch (a.kind_case()) {
    case Action::kOrgAdd:
    case Action::kAccountAdd:
    case Action::kAccountSuspend:
    case Action::kRoleGrant:
    case Action::kRoleRevoke:
    case Action::kParamsSet:
    case Action::kValidatorAdd:
    case Action::kValidatorPromote:
    case Action::kValidatorRemove:
    case Action::kOrgReplicaGrant:
    case Action::kOrgRemove:
    case Action::kOrgTlsRootsSet:
      Governance(lookup, &r);
      break;
    case Action::kAccountRotateKey:
      AccountRotationSigners(a.account_rotate_key(), lookup, &r);
      break;
    case Action::kValidatorRotateKey:
      ValidatorRotationSigners(a.validator_rotate_key(), lookup, &r);
      break;
    case Action::kBankPolicySet:
      r.parties.push_back(Bank(a.bank_policy_set().bank_org_id(), "sets its own policy"));
      break;
    case Action::kPatentRegister:
    case Action::kPatentStatus:
    case Action::kPatentAssign:
    case Action::kLicenceFile:
    case Action::kValuationRecord:
      PatentSigners(a, lookup, &r);
      break;
    case Action::kPledgeRegister:
    case Action::kPledgeChange:
    case Action::kLoanRenew:
    case Action::kLoanAccrue:
    case Action::kLoanRepay:
    case Action::kLoanClassify:
    case Action::kPledgeEnforce:
    case Action::kPledgeCancel:
      PledgeSigners(a, lookup, &r);
      break;
    case Action::kPoolCreate:
    case Action::kPoolAdmitPatents:
    case Action::kPoolAdmitPledges:
    case Action::kPoolRemove:
    case Action::kTrancheIssue:
    case Action::kHoldingTransfer:
    case Action::kPoolCollect:
    case Action::kPoolPay:
    case Action::kPoolTrigger:
    case Action::kPoolWindDown:
      PoolSigners(a, lookup, &r);
      break;
    case Action::kNoop:
    case Action::KIND_NOT_SET:
      break;
  }
  return r;
}

// ---- StateLedgerLookup --------------------------------------------------------------

Result<PatentView> StateLedgerLookup::Patent(const std::string& patent_no) {
  return QueryPatent(state_, patent_no, as_of_ms_);
}

Result<contracts::Pledge> StateLedgerLookup::Pledge(const std::string& pledge_id) {
  return QueryPledge(state_, pledge_id);
}

Result<PoolView> StateLedgerLookup::Pool(const std::string& pool_id) { return QueryPool(state_, pool_id); }

Result<PoolStatement> StateLedgerLookup::PoolPaymentPreview(const std::string& pool_id, std::int32_t payment_date,
                                                            bool allow_draw) {
  return QueryPoolPaymentPreview(state_, pool_id, payment_date, allow_draw);
}

Result<contracts::Validator> StateLedgerLookup::ValidatorRecord(const std::string& node_id) {
  contracts::Validator v;
  auto raw = state_.Get(keys::Validator(node_id));
  if (!raw.ok()) return std::move(raw).TakeStatus();
  if (!raw->has_value()) return Status::NotFound("VALIDATOR_NOT_FOUND", "no node " + node_id + " in the validator set");
  if (!v.ParseFromString(**raw)) return Status::Corruption("STATE_RECORD_CORRUPT", "validator " + node_id + " does not parse");
  return v;
}

Result<IpOfficeCount> StateLedgerLookup::IpOffices() {
  IpOfficeCount n;
  PLEDGER_RETURN_IF_ERROR(state_.Scan(keys::kIpOfficePrefix, [&](std::string_view, std::string_view) {
    ++n.count;
    return true;
  }));
  return n;
}

}  // namespace pledger::contracts
