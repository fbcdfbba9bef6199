#include "tools/wallet/describe.h"

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <map>
#include <set>

#include "contracts/dates.h"
#include "contracts/limits.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "tools/common/text.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {
namespace {

using contracts::Action;

std::string YesNo(bool b) { return b ? "yes" : "no"; }
std::string Yuan(std::int64_t fen) { return FormatYuan(fen) + " yuan"; }
std::string Hash(const std::string& h) { return h.empty() ? "(none)" : "sha256 " + h; }
std::string OrNone(const std::string& s) { return s.empty() ? "(none)" : s; }
std::string Plural(size_t n, const std::string& one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); }

std::string Owners(const google::protobuf::RepeatedPtrField<contracts::Owner>& owners) {
  std::string out;
  for (const auto& o : owners) {
    out += (out.empty() ? "" : ", ") + o.org_id() + " " + FormatBps(o.share_bps());
  }
  return out;
}

std::string PolicyText(const contracts::LendingPolicy& p) {
  return std::string("LTV cap ") + (p.ltv_cap_bps() == 0 ? "none" : FormatBps(p.ltv_cap_bps())) +
         "; minimum remaining life " + std::to_string(p.min_life_days_invention()) + " days (inventions), " +
         std::to_string(p.min_life_days_other()) + " days (utility models, designs); valuation required: " +
         YesNo(p.valuation_required());
}

std::string RolesText(const google::protobuf::RepeatedField<int>& roles) {
  std::string out;
  for (int r : roles) out += (out.empty() ? "" : ", ") + RoleWord(static_cast<contracts::Role>(r));
  return out;
}

// One TLS trust root in words: its SHA-256 fingerprint and, when it parses,
// its subject CN (the ledger checks structure only; a root the node cannot
// parse never matches a peer, so say so before anyone signs it).
std::string RootText(const std::string& der) {
  std::string out = "sha256 " + ledger::HexEncode(ledger::ByteSpan(ledger::Sha256(der))).substr(0, 16) + "…, " +
                    std::to_string(der.size()) + " bytes";
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) return out + ", NOT A PARSABLE CERTIFICATE (no peer will ever match it)";
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn) > 0) {
    out += ", CN=" + Printable(cn);
  }
  if (X509_check_issued(x, x) == X509_V_OK) out += ", self-signed";
  X509_free(x);
  return out;
}

void RootFields(const google::protobuf::RepeatedPtrField<std::string>& roots, Description* d) {
  if (roots.empty()) {
    d->fields.emplace_back("TLS roots", "(none: the organisation vouches for no certificate)");
    return;
  }
  for (int i = 0; i < roots.size(); ++i) {
    d->fields.emplace_back("TLS root " + std::to_string(i + 1), RootText(roots.Get(i)));
  }
}

void DescribeGovernance(const Action& a, Description* d) {
  auto f = [&](std::string l, std::string v) { d->fields.emplace_back(std::move(l), std::move(v)); };
  switch (a.kind_case()) {
    case Action::kOrgAdd: {
      const auto& o = a.org_add().org();
      d->title = "Add organisation " + o.id() + " (" + Friendly(contracts::OrgKind_Name(o.kind()), "ORG_") + ")";
      f("Id", o.id());
      f("Name", o.name());
      f("Kind", Friendly(contracts::OrgKind_Name(o.kind()), "ORG_"));
      f("Address", OrNone(o.address()));
      if (o.foreign_non_resident()) f("Foreign non-resident", "yes (needs a patent agency, R5)");
      if (o.kind() == contracts::ORG_BANK) f("Lending policy", PolicyText(o.lending_policy()));
      if (o.tls_roots_size() > 0) RootFields(o.tls_roots(), d);
      break;
    }
    case Action::kAccountAdd: {
      const auto& x = a.account_add();
      d->title = "Add an account for organisation " + x.org_id();
      f("Public key", x.public_key_hex());
      f("Organisation", x.org_id());
      f("Roles", RolesText(x.roles()));
      break;
    }
    case Action::kAccountSuspend: {
      const auto& x = a.account_suspend();
      d->title = x.suspended() ? "Suspend an account (its signatures stop counting)" : "Reinstate a suspended account";
      f("Public key", x.public_key_hex());
      break;
    }
    case Action::kAccountRotateKey: {
      const auto& x = a.account_rotate_key();
      d->title = "Move an account to a new key (the old key is retired for good)";
      f("Old public key", x.old_public_key_hex());
      f("New public key", x.new_public_key_hex());
      f("Authority", x.new_key_proof().empty()
                         ? "governance (no proof from the new key)"
                         : "self-signed by the old key, with the new key's proof (or governance)");
      break;
    }
    case Action::kRoleGrant:
      d->title = "Grant role " + RoleWord(a.role_grant().role()) + " to an account";
      f("Public key", a.role_grant().public_key_hex());
      f("Role", RoleWord(a.role_grant().role()));
      break;
    case Action::kRoleRevoke:
      d->title = "Revoke role " + RoleWord(a.role_revoke().role()) + " from an account";
      f("Public key", a.role_revoke().public_key_hex());
      f("Role", RoleWord(a.role_revoke().role()));
      break;
    case Action::kParamsSet: {
      const auto& p = a.params_set().params();
      d->title = "Replace the chain parameters";
      f("Expiry window", std::to_string(p.max_expiry_window()) + " blocks");
      f("R33 caution", "borrowers with at most " + Yuan(p.caution_credit_limit_fen()) + " of credit and more than " +
                           std::to_string(p.caution_bank_threshold()) + " banks (" +
                           std::to_string(p.caution_bank_threshold_individual()) + " for individual businesses)");
      f("Fee grace (R20)", std::to_string(p.fee_grace_months()) + " months, surcharge " +
                               FormatBps(p.fee_surcharge_bps_per_month()) + " of the annual fee per month");
      f("Licence filing (R24)", std::to_string(p.licence_filing_months()) + " months");
      f("Change filing (R11)", std::to_string(p.change_filing_days()) + " days");
      f("Decision SLA (R9)", std::to_string(p.decision_sla_days()) + " days");
      std::string hol;
      for (int h : p.holidays()) hol += (hol.empty() ? "" : ", ") + FormatDay(h);
      f("Holidays", hol.empty() ? "(none)" : std::to_string(p.holidays_size()) + ": " + hol);
      break;
    }
    case Action::kValidatorAdd: {
      const auto& v = a.validator_add().validator();
      d->title = "Add node " + v.node_id() + " as a " +
                 Friendly(contracts::ValidatorRole_Name(v.role()), "VALIDATOR_");
      f("Node id", v.node_id());
      f("Node key", v.public_key_hex());
      f("Operated by", v.org_id());
      f("Peer address", v.peer_address());
      f("API address", OrNone(v.api_address()));
      f("Role", Friendly(contracts::ValidatorRole_Name(v.role()), "VALIDATOR_"));
      break;
    }
    case Action::kValidatorPromote:
      d->title = "Promote node " + a.validator_promote().node_id() + " from learner to voter";
      f("Node id", a.validator_promote().node_id());
      break;
    case Action::kValidatorRemove:
      d->title = "Remove node " + a.validator_remove().node_id() + " from the validator set";
      f("Node id", a.validator_remove().node_id());
      break;
    case Action::kValidatorRotateKey: {
      const auto& x = a.validator_rotate_key();
      d->title = "Replace node " + x.node_id() + "'s key (attestations, clock readings, TLS) from the next block on";
      f("Node id", x.node_id());
      f("New node key", x.new_public_key_hex());
      f("New key's proof", x.new_key_proof().empty() ? "MISSING (the ledger refuses it)" : "present");
      f("Authority", x.old_key_proof().empty()
                         ? "governance (the current key does not consent: lost or compromised)"
                         : "self-signed by the node's organisation, with the current key's consent (or governance)");
      break;
    }
    case Action::kOrgTlsRootsSet: {
      const auto& x = a.org_tls_roots_set();
      d->title = "Replace organisation " + x.org_id() + "'s TLS trust roots (" + std::to_string(x.tls_roots_size()) +
                 "); its peers must chain to them from this block on";
      f("Organisation", x.org_id());
      RootFields(x.tls_roots(), d);
      break;
    }
    case Action::kBankPolicySet:
      d->title = "Set the lending policy of bank " + a.bank_policy_set().bank_org_id();
      f("Bank", a.bank_policy_set().bank_org_id());
      f("Policy", PolicyText(a.bank_policy_set().policy()));
      break;
    case Action::kOrgReplicaGrant: {
      const auto& x = a.org_replica_grant();
      d->title = x.entitled() ? "Entitle organisation " + x.org_id() + " to run a full replica (it will see every block)"
                              : "Revoke organisation " + x.org_id() + "'s entitlement to run a full replica";
      f("Organisation", x.org_id());
      f("Replica", x.entitled() ? "granted" : "revoked");
      break;
    }
    case Action::kOrgRemove:
      d->title = "Remove organisation " + a.org_remove().org_id() + " for good (its accounts stop signing)";
      f("Organisation", a.org_remove().org_id());
      break;
    default:
      break;
  }
}

void DescribePatent(const Action& a, Description* d) {
  auto f = [&](std::string l, std::string v) { d->fields.emplace_back(std::move(l), std::move(v)); };
  switch (a.kind_case()) {
    case Action::kPatentRegister: {
      const auto& x = a.patent_register();
      d->title = "Register " + Friendly(contracts::PatentType_Name(x.type()), "PATENT_") + " " + x.patent_no() +
                 (x.grant_date() == 0 ? " (application)" : "");
      f("Patent", x.patent_no());
      f("Type", Friendly(contracts::PatentType_Name(x.type()), "PATENT_"));
      f("Title", x.title());
      f("Main IPC", x.main_ipc());
      f("Filed", FormatDay(x.filing_date()));
      f("Granted", x.grant_date() == 0 ? "not yet (application)" : FormatDay(x.grant_date()));
      if (x.term_extension_days() > 0) f("Term extension", std::to_string(x.term_extension_days()) + " days");
      f("Owners", Owners(x.owners()));
      f("Fees paid through", FormatDay(x.fee_paid_through()));
      if (!x.twin_patent_no().empty()) f("Twin invention application", x.twin_patent_no());
      if (x.co_owner_agreement()) f("Co-owner agreement", "yes (R6, R23)");
      break;
    }
    case Action::kPatentStatus: {
      const auto& x = a.patent_status();
      d->title = "Record register event '" + Friendly(contracts::PatentEvent_Name(x.event()), "PATENT_EVENT_") +
                 "' for " + x.patent_no();
      f("Patent", x.patent_no());
      f("Event", Friendly(contracts::PatentEvent_Name(x.event()), "PATENT_EVENT_"));
      f("Date", x.date() == 0 ? "the block's date" : FormatDay(x.date()));
      if (x.paid_through() != 0) f("Fees paid through", FormatDay(x.paid_through()));
      if (!x.document_hash().empty()) f("Document", Hash(x.document_hash()));
      break;
    }
    case Action::kPatentAssign: {
      const auto& x = a.patent_assign();
      d->title = "Assign " + x.patent_no() + " to " + Owners(x.new_owners());
      f("Patent", x.patent_no());
      f("New owners", Owners(x.new_owners()));
      f("Basis", Friendly(contracts::TransferBasis_Name(x.basis()), "TRANSFER_"));
      f("Document", Hash(x.document_hash()));
      break;
    }
    case Action::kLicenceFile: {
      const auto& x = a.licence_file();
      std::string type = Friendly(contracts::LicenceType_Name(x.type()), "LICENCE_");
      if (x.type() == contracts::LICENCE_TYPE_UNSPECIFIED) type = "unspecified (filed as ordinary, R24)";
      const bool vowel = std::string("aeiou").find(type[0]) != std::string::npos;
      d->title = std::string(vowel ? "File an " : "File a ") + type + " licence of " + x.patent_no() +
                 (x.licensee_org_id().empty() ? "" : " to " + x.licensee_org_id());
      f("Patent", x.patent_no());
      f("Licensee", x.licensee_org_id().empty() ? "anyone (open licence)" : x.licensee_org_id());
      f("Type", type + (x.sublicence() ? ", sublicence (counts as ordinary, R24)" : ""));
      f("Territory", OrNone(x.territory()));
      f("Term", FormatDay(x.start_date()) + " to " + FormatDay(x.end_date()));
      f("Royalty", Yuan(x.royalty_fen()));
      f("Contract", Hash(x.contract_hash()));
      break;
    }
    default:
      break;
  }
}

void DescribePledge(const Action& a, Description* d) {
  auto f = [&](std::string l, std::string v) { d->fields.emplace_back(std::move(l), std::move(v)); };
  switch (a.kind_case()) {
    case Action::kValuationRecord: {
      const auto& x = a.valuation_record();
      d->title = "Record a valuation of " + Plural(static_cast<size_t>(x.patent_nos_size()), "patent") + " at " +
                 Yuan(x.value_fen());
      f("Patents", Join(x.patent_nos()));
      f("Method", Friendly(contracts::ValuationMethod_Name(x.method()), "VALUATION_"));
      // valid_until is inclusive: the report lapses the day after (R28).
      f("Base date", FormatDay(x.base_date()) + " (valid until " + FormatDay(contracts::AddYears(x.base_date(), 1)) +
                         ", lapses " + FormatDay(contracts::AddYears(x.base_date(), 1) + 1) + ", R28)");
      f("Value", Yuan(x.value_fen()));
      f("Realisable value", Yuan(x.realisable_value_fen()));
      f("Report", Hash(x.report_hash()));
      f("Appraiser licence", x.appraiser_licence_no());
      break;
    }
    case Action::kPledgeRegister: {
      const auto& x = a.pledge_register();
      d->title = "Register a pledge of " + Plural(static_cast<size_t>(x.patent_nos_size()), "patent") +
                 " to bank " + x.pledgee_org_id() + " securing " + Yuan(x.principal_fen());
      f("Patents", Join(x.patent_nos()));
      f("Pledgee (bank)", x.pledgee_org_id());
      f("Pledgors", Join(x.pledgor_org_ids()));
      f("Debtor", x.debtor_org_id());
      f("Debt", x.debt_type() + ", principal " + Yuan(x.principal_fen()) + ", interest " +
                    FormatBps(x.interest_rate_bps()));
      f("Due", FormatDay(x.due_date()));
      f("Scope", x.scope());
      f("Valuation", OrNone(x.valuation_id()));
      f("Contract", Hash(x.contract_hash()));
      f("Forfeiture clause", x.forfeiture_clause() ? "yes (R8: recorded and flagged; never a transfer)" : "no");
      f("Risk ack (R7j/k)", YesNo(x.risk_ack()));
      f("Caution ack (R33)", YesNo(x.caution_ack()));
      if (!x.agency_org_id().empty()) f("Patent agency (R5)", x.agency_org_id());
      f("Risk class", x.risk_class() == contracts::RISK_CLASS_UNSPECIFIED
                          ? "normal"
                          : Friendly(contracts::RiskClass_Name(x.risk_class()), "RISK_"));
      break;
    }
    case Action::kPledgeChange: {
      const auto& x = a.pledge_change();
      const bool only_due = x.new_principal_fen() == 0 && x.new_scope().empty() && x.new_debt_type().empty() &&
                            x.new_due_date() != 0;
      d->title = (only_due ? "Extend pledge " : "Change pledge ") + x.pledge_id() + " (R11)";
      f("Pledge", x.pledge_id());
      if (x.new_principal_fen() != 0) f("New principal", Yuan(x.new_principal_fen()));
      if (x.new_due_date() != 0) f("New due date", FormatDay(x.new_due_date()));
      if (!x.new_scope().empty()) f("New scope", x.new_scope());
      if (!x.new_debt_type().empty()) f("New debt type", x.new_debt_type());
      f("Change agreement", Hash(x.agreement_hash()));
      break;
    }
    case Action::kLoanAccrue:
      d->title = "Record interest and costs due on pledge " + a.loan_accrue().pledge_id();
      f("Pledge", a.loan_accrue().pledge_id());
      f("Interest", Yuan(a.loan_accrue().interest_fen()));
      f("Costs", Yuan(a.loan_accrue().costs_fen()));
      break;
    case Action::kLoanRepay:
      d->title = "Record a repayment of " + Yuan(a.loan_repay().amount_fen()) + " on pledge " +
                 a.loan_repay().pledge_id();
      f("Pledge", a.loan_repay().pledge_id());
      f("Amount", Yuan(a.loan_repay().amount_fen()) +
                      " (applied to costs, then interest, then principal, R16; paying everything cancels the pledge, R12)");
      break;
    case Action::kLoanRenew:
      d->title = "Renew the loan of pledge " + a.loan_renew().pledge_id() + " without principal repayment (R34)";
      f("Pledge", a.loan_renew().pledge_id());
      f("New due date", FormatDay(a.loan_renew().new_due_date()));
      f("Renewal agreement", Hash(a.loan_renew().agreement_hash()));
      break;
    case Action::kLoanClassify:
      d->title = "Classify the loan of pledge " + a.loan_classify().pledge_id() + " as " +
                 Friendly(contracts::RiskClass_Name(a.loan_classify().risk_class()), "RISK_");
      f("Pledge", a.loan_classify().pledge_id());
      f("Risk class", Friendly(contracts::RiskClass_Name(a.loan_classify().risk_class()), "RISK_"));
      break;
    case Action::kPledgeCancel:
      d->title = "Cancel pledge " + a.pledge_cancel().pledge_id() + " (" +
                 Friendly(contracts::CancelGround_Name(a.pledge_cancel().ground()), "CANCEL_") + ")";
      f("Pledge", a.pledge_cancel().pledge_id());
      f("Ground", Friendly(contracts::CancelGround_Name(a.pledge_cancel().ground()), "CANCEL_"));
      if (!a.pledge_cancel().document_hash().empty()) f("Document", Hash(a.pledge_cancel().document_hash()));
      break;
    case Action::kPledgeEnforce:
      d->title = "Enforce pledge " + a.pledge_enforce().pledge_id() + " by " +
                 Friendly(contracts::EnforceMethod_Name(a.pledge_enforce().method()), "ENFORCE_");
      f("Pledge", a.pledge_enforce().pledge_id());
      f("Method", Friendly(contracts::EnforceMethod_Name(a.pledge_enforce().method()), "ENFORCE_"));
      f("Proceeds", Yuan(a.pledge_enforce().proceeds_fen()) + " (the bank gets at most its claim, R17)");
      f("Document", Hash(a.pledge_enforce().document_hash()));
      break;
    default:
      break;
  }
}


// ---- pools and tranches ------------------------------------------------------------

std::string ModelText(contracts::PoolModel m) {
  switch (m) {
    case contracts::POOL_LICENSE:
      return "licence-sublicence: the owners license their patents to the trustee; the royalties are the cash";
    case contracts::POOL_LOAN:
      return "pledge-loan receivables: banks sell registered pledges' loans; the repayments are the cash";
    default:
      return "unspecified (the ledger refuses it)";
  }
}

std::string ClassWord(contracts::TrancheClass c) { return Friendly(contracts::TrancheClass_Name(c), "TRANCHE_"); }

std::string FeeText(const contracts::FeeLine& f) {
  std::string amount;
  if (f.fixed_fen() != 0) amount = Yuan(f.fixed_fen()) + " per payment date";
  if (f.rate_bps() != 0) {
    amount += (amount.empty() ? "" : " + ") + FormatBps(f.rate_bps()) + " a year of the outstanding principal";
  }
  return f.name() + " to " + f.payee_org_id() + ": " + (amount.empty() ? "nothing" : amount);
}

std::string EligibilityText(const contracts::PoolEligibility& e) {
  std::string types;
  for (int t : e.patent_types()) {
    types += (types.empty() ? "" : ", ") + Friendly(contracts::PatentType_Name(static_cast<contracts::PatentType>(t)), "PATENT_");
  }
  std::string out = types.empty() ? "any patent type" : types + " only";
  out += "; expiry at least " + std::to_string(e.min_life_beyond_maturity_days()) + " days after the maturity";
  out += "; at most " + (e.max_members() == 0 ? std::string("512") : std::to_string(e.max_members())) + " members";
  out += "; valuation required: " + YesNo(e.valuation_required());
  return out;
}

std::string CollectionWord(contracts::CollectionKind k) {
  switch (k) {
    case contracts::COLLECTION_ROYALTY: return "royalty";
    case contracts::COLLECTION_LOAN_REPAYMENT: return "loan repayment";
    case contracts::COLLECTION_RECOVERY: return "recovery";
    default: return "unspecified (the ledger refuses it)";
  }
}

void DescribePool(const Action& a, Description* d) {
  auto f = [&](std::string l, std::string v) { d->fields.emplace_back(std::move(l), std::move(v)); };
  switch (a.kind_case()) {
    case Action::kPoolCreate: {
      const auto& x = a.pool_create();
      d->title = "Create pool '" + x.name() + "' of " + Yuan(x.deal_size_fen()) + " run by trustee " +
                 x.trustee_org_id() + ", legal maturity " + FormatDay(x.legal_maturity_date());
      f("Name", x.name());
      f("Trustee", x.trustee_org_id());
      f("Model", ModelText(x.model()));
      f("Legal maturity", FormatDay(x.legal_maturity_date()) + " (patents must last at least this long, R31)");
      f("Deal size", Yuan(x.deal_size_fen()) + " (the tranches add up to it, R32)");
      f("Eligibility", EligibilityText(x.eligibility()));
      if (x.fees().empty()) {
        f("Fees", "(none)");
      } else {
        for (int i = 0; i < x.fees_size(); ++i) f("Fee " + std::to_string(i + 1) + " (H1)", FeeText(x.fees(i)));
      }
      f("Guarantor", x.guarantor_org_id().empty()
                         ? "(none)"
                         : x.guarantor_org_id() + ", pays senior shortfalls up to " + Yuan(x.guarantee_limit_fen()) +
                               " in all (H5)");
      f("Reserve kept", Yuan(x.reserve_target_fen()) + " on each payment date (H6)");
      f("Trust deed", Hash(x.document_hash()));
      break;
    }
    case Action::kPoolAdmitPatents: {
      const auto& x = a.pool_admit_patents();
      d->title = "Admit " + Plural(static_cast<size_t>(x.patent_nos_size()), "patent") + " into pool " + x.pool_id() +
                 " and lock them (R31)";
      f("Pool", x.pool_id());
      f("Patents", Join(x.patent_nos()));
      f("Lock", "assignment, licences and new pledges are refused until the patents leave the pool");
      break;
    }
    case Action::kPoolAdmitPledges: {
      const auto& x = a.pool_admit_pledges();
      d->title = "Sell the loans of " + Plural(static_cast<size_t>(x.pledge_ids_size()), "pledge") + " to pool " +
                 x.pool_id() + " (R31)";
      f("Pool", x.pool_id());
      f("Pledges", Join(x.pledge_ids()));
      break;
    }
    case Action::kPoolRemove: {
      const auto& x = a.pool_remove();
      d->title = "Remove " + x.member() + " from pool " + x.pool_id() + " (" +
                 Friendly(contracts::PoolRemoveReason_Name(x.reason()), "POOL_REMOVE_") + ")";
      f("Pool", x.pool_id());
      f("Member", x.member() + " (its pool lock is lifted)");
      f("Reason", Friendly(contracts::PoolRemoveReason_Name(x.reason()), "POOL_REMOVE_"));
      if (x.loss_fen() != 0) f("Loss", Yuan(x.loss_fen()) + ", written off the lowest rank first (R32)");
      if (!x.document_hash().empty()) f("Document", Hash(x.document_hash()));
      break;
    }
    case Action::kTrancheIssue: {
      const auto& x = a.tranche_issue();
      std::int64_t total = 0;
      for (const auto& t : x.tranches()) total += t.principal_fen();
      d->title = "Issue " + Plural(static_cast<size_t>(x.tranches_size()), "tranche") + " of pool " + x.pool_id() +
                 " (" + Yuan(total) + ")";
      f("Pool", x.pool_id());
      for (const auto& t : x.tranches()) {
        std::string v = ClassWord(t.tranche_class()) + ", " + Yuan(t.principal_fen()) + " (" +
                        Count(t.principal_fen() / contracts::kUnitFaceFen) + " units)";
        if (t.tranche_class() != contracts::TRANCHE_SUBORDINATED || t.coupon_bps() != 0) {
          v += ", coupon " + FormatBps(t.coupon_bps()) + " a year (ACT/365)";
        }
        if (!t.rating().empty()) v += ", rated " + t.rating();
        if (t.schedule().empty()) {
          v += t.tranche_class() == contracts::TRANCHE_SUBORDINATED ? ", takes the residual (H6)" : "";
        } else {
          std::string s;
          for (const auto& step : t.schedule()) {
            s += (s.empty() ? "" : ", ") + Yuan(step.amount_fen()) + " on " + FormatDay(step.date());
          }
          v += "; principal " + s;
        }
        f("Rank " + std::to_string(t.rank()), v);
      }
      std::map<std::uint32_t, std::string> placed;
      for (const auto& u : x.allocations()) {
        std::string& s = placed[u.rank()];
        s += (s.empty() ? "" : ", ") + u.investor_org_id() + " " + Count(u.units());
      }
      for (const auto& [rank, s] : placed) f("Rank " + std::to_string(rank) + " units", s);
      f("Offering document", Hash(x.document_hash()));
      break;
    }
    case Action::kHoldingTransfer: {
      const auto& x = a.holding_transfer();
      d->title = "Transfer " + Count(x.units()) + " units of rank " + std::to_string(x.rank()) + " of pool " +
                 x.pool_id() + " from " + x.from_org_id() + " to " + x.to_org_id();
      f("Pool", x.pool_id());
      f("Tranche", "rank " + std::to_string(x.rank()));
      f("From (holder)", x.from_org_id());
      f("To", x.to_org_id());
      f("Units", Count(x.units()) + " (" + Yuan(x.units() * contracts::kUnitFaceFen) + " face)");
      break;
    }
    case Action::kPoolCollect: {
      const auto& x = a.pool_collect();
      std::int64_t total = 0;
      for (const auto& i : x.items()) total += i.amount_fen();
      d->title = "Record " + Yuan(total) + " collected for pool " + x.pool_id() + " (" +
                 Plural(static_cast<size_t>(x.items_size()), "item") + ", H7)";
      f("Pool", x.pool_id());
      f("Collected on", x.collection_date() == 0 ? "the block's date" : FormatDay(x.collection_date()));
      for (const auto& i : x.items()) f(i.member(), CollectionWord(i.kind()) + " " + Yuan(i.amount_fen()));
      break;
    }
    case Action::kPoolPay: {
      const auto& x = a.pool_pay();
      const std::string date = x.payment_date() == 0 ? "the block's date" : FormatDay(x.payment_date());
      d->title = "Run the payment date " + date + " of pool " + x.pool_id() + " (waterfall H1-H6)";
      f("Pool", x.pool_id());
      f("Payment date", date);
      f("Pays", "fees, interest by rank, scheduled principal by rank, then the reserve and the residual, "
                "pro rata to units (H1-H7)");
      f("Shortfall provider", x.no_shortfall_draw()
                                  ? "not drawn: it did not pay (the senior shortfall stays unpaid)"
                                  : "pays unpaid senior interest and scheduled senior principal (H5); it co-signs "
                                    "when it is drawn");
      break;
    }
    case Action::kPoolTrigger: {
      const auto& x = a.pool_trigger();
      const std::string reason = Friendly(contracts::PoolTriggerReason_Name(x.reason()), "POOL_TRIGGER_");
      d->title = "Declare a trigger event on pool " + x.pool_id() + ": " + reason + " (irreversible, H8)";
      f("Pool", x.pool_id());
      f("Reason", reason);
      f("Effect", "from the next payment date all cash after senior interest repays senior principal; no reserve; "
                  "nothing to the subordinated tranche until every rated tranche is repaid");
      f("Notice", Hash(x.document_hash()));
      break;
    }
    case Action::kPoolWindDown:
      d->title = "Wind down pool " + a.pool_wind_down().pool_id() + " (releases every lock)";
      f("Pool", a.pool_wind_down().pool_id());
      f("Effect", "every member is released; principal still outstanding is written off (R32); nothing more "
                  "happens in the pool");
      break;
    default:
      break;
  }
}

}  // namespace

std::string Printable(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      continue;
    }
    // U+202A..U+202E and U+2066..U+2069 (E2 80 AA..AE, E2 81 A6..A9) reorder
    // what a terminal shows: a signer must see the text in its real order.
    if (c == 0xE2 && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9)) {
        out += "\\u";
        out += b1 == 0x80 ? "202" : "206";
        out += b1 == 0x80 ? static_cast<char>("abcde"[b2 - 0xAA]) : static_cast<char>('6' + (b2 - 0xA6));
        i += 2;
        continue;
      }
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::vector<std::string> Description::Lines() const {
  std::vector<std::string> out{Printable(title)};
  size_t width = 0;
  for (const auto& [label, value] : fields) width = std::max(width, label.size());
  for (const auto& [label, value] : fields) {
    out.push_back("  " + label + ":" + std::string(width - label.size() + 1, ' ') + Printable(value));
  }
  return out;
}

std::string ActionWords(const std::string& action_name) {
  std::string out = action_name;
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string Friendly(const std::string& enum_name, const std::string& prefix) {
  std::string s = enum_name.rfind(prefix, 0) == 0 ? enum_name.substr(prefix.size()) : enum_name;
  for (char& c : s) {
    if (c == '_') c = ' ';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s.empty() ? "unspecified" : s;
}

std::string RoleWord(contracts::Role role) { return Friendly(contracts::Role_Name(role), "ROLE_"); }

Description Describe(const contracts::Action& action) {
  Description d;
  switch (action.kind_case()) {
    case Action::kOrgAdd:
    case Action::kAccountAdd:
    case Action::kAccountSuspend:
    case Action::kAccountRotateKey:
    case Action::kRoleGrant:
    case Action::kRoleRevoke:
    case Action::kParamsSet:
    case Action::kValidatorAdd:
    case Action::kValidatorPromote:
    case Action::kValidatorRemove:
    case Action::kBankPolicySet:
    case Action::kOrgReplicaGrant:
    case Action::kOrgRemove:
    case Action::kValidatorRotateKey:
    case Action::kOrgTlsRootsSet:
      DescribeGovernance(action, &d);
      break;
    case Action::kPatentRegister:
    case Action::kPatentStatus:
    case Action::kPatentAssign:
    case Action::kLicenceFile:
      DescribePatent(action, &d);
      break;
    case Action::kValuationRecord:
    case Action::kPledgeRegister:
    case Action::kPledgeChange:
    case Action::kLoanAccrue:
    case Action::kLoanRepay:
    case Action::kLoanRenew:
    case Action::kLoanClassify:
    case Action::kPledgeCancel:
    case Action::kPledgeEnforce:
      DescribePledge(action, &d);
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
      DescribePool(action, &d);
      break;
    case Action::kNoop:
      d.title = "Do nothing (Noop; the ledger refuses it with ACTION_NOT_SUPPORTED)";
      break;
    case Action::KIND_NOT_SET:
      d.title = "No action (the ledger refuses it with ACTION_MISSING)";
      break;
  }
  if (d.title.empty()) d.title = "An action this wallet does not know (" + contracts::ActionName(action) + "); upgrade the wallet";
  return d;
}

const char* PartyStateName(PartyState s) {
  switch (s) {
    case PartyState::kSigned: return "SIGNED";
    case PartyState::kMissing: return "MISSING";
    case PartyState::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

PartyState EvaluateParty(const contracts::Party& party, const std::vector<SignerInfo>& signers, std::vector<std::string>* by) {
  bool any_unresolved = false;
  bool role_candidate = false;  // an active signer holds the role (its org may or may not be the one)
  std::set<std::string> orgs_signed;
  for (const SignerInfo& s : signers) {
    if (!s.resolved) {
      any_unresolved = true;
      continue;
    }
    if (!s.account) continue;
    const contracts::Account& acc = *s.account;
    if (acc.suspended() || !acc.rotated_to_hex().empty()) continue;
    if (!party.key_hex.empty() && s.public_key_hex != party.key_hex) continue;  // that very key
    if (party.role != contracts::ROLE_UNSPECIFIED &&  // unspecified: any role
        std::find(acc.roles().begin(), acc.roles().end(), party.role) == acc.roles().end()) {
      continue;
    }
    role_candidate = true;
    if (!party.orgs.empty() && std::find(party.orgs.begin(), party.orgs.end(), acc.org_id()) == party.orgs.end()) {
      continue;
    }
    if (!party.orgs_known) continue;  // cannot tell whether this org is the one needed
    orgs_signed.insert(acc.org_id());
    if (by) by->push_back(s.public_key_hex);
  }
  if (party.quorum != 0) {
    if (party.quorum > 0 && static_cast<int>(orgs_signed.size()) >= party.quorum) return PartyState::kSigned;
    if (party.quorum < 0 && !orgs_signed.empty()) return PartyState::kUnknown;
    return any_unresolved ? PartyState::kUnknown : PartyState::kMissing;
  }
  if (!orgs_signed.empty()) return PartyState::kSigned;
  if (any_unresolved) return PartyState::kUnknown;
  // Orgs unknown: only a signer holding the role could be the one needed.
  if (!party.orgs_known && role_candidate) return PartyState::kUnknown;
  return PartyState::kMissing;
}

}  // namespace pledger::tools::wallet
