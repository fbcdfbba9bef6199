#include "contracts/codes.h"

#include <algorithm>
#include <array>

namespace pledger::contracts {
namespace {

constexpr StatusCode I = StatusCode::kInvalidArgument;
constexpr StatusCode F = StatusCode::kFailedPrecondition;
constexpr StatusCode P = StatusCode::kPermissionDenied;
constexpr StatusCode U = StatusCode::kUnauthenticated;
constexpr StatusCode N = StatusCode::kNotFound;
constexpr StatusCode A = StatusCode::kAlreadyExists;

// Sorted by code (checked by a unit test and at first use).
constexpr std::array kCodes = {
    CodeInfo{"ACCOUNT_EXISTS", "", A},
    CodeInfo{"ACCOUNT_KEY_INVALID", "", I},
    CodeInfo{"ACCOUNT_NOT_FOUND", "", N},
    CodeInfo{"ACCOUNT_ORG_REMOVED", "", P},
    CodeInfo{"ACCOUNT_RETIRED", "", F},
    CodeInfo{"ACCOUNT_ROLES_INVALID", "", I},
    CodeInfo{"ACCOUNT_UNCHANGED", "", F},
    CodeInfo{"ACTION_MISSING", "", I},
    CodeInfo{"ACTION_NOT_SUPPORTED", "", I},
    CodeInfo{"AUTH_ROLE_MISSING", "", P},
    CodeInfo{"BANK_POLICY_INVALID", "R29", I},
    CodeInfo{"BANK_POLICY_NOT_A_BANK", "R29", F},
    CodeInfo{"DOCUMENT_HASH_MISSING", "", I},
    CodeInfo{"GOV_QUORUM_NOT_MET", "", P},
    CodeInfo{"GOV_ROLE_NOT_ALLOWED", "", F},
    CodeInfo{"HOLDING_INSUFFICIENT", "R32", F},
    CodeInfo{"HOLDING_INVALID", "", I},
    CodeInfo{"KEY_LENGTH_INVALID", "", I},
    CodeInfo{"LICENCE_BEYOND_TERM", "R24", F},
    CodeInfo{"LICENCE_CONFLICT", "R24", F},
    CodeInfo{"LICENCE_INVALID", "R24", I},
    CodeInfo{"LICENCE_LIMIT", "", F},
    CodeInfo{"LICENCE_OPEN_NOT_ALLOWED", "R24", F},
    CodeInfo{"LICENCE_PATENT_NOT_IN_FORCE", "R24", F},
    CodeInfo{"LOAN_AMOUNT_INVALID", "R16", I},
    CodeInfo{"LOAN_CLASS_INVALID", "R34", I},
    CodeInfo{"LOAN_OVERPAYMENT", "R16", F},
    CodeInfo{"LOAN_RENEW_INVALID", "R34", I},
    CodeInfo{"ORG_ADDRESS_INVALID", "R3", I},
    CodeInfo{"ORG_EXISTS", "", A},
    CodeInfo{"ORG_FIELD_NOT_SETTABLE", "", I},
    CodeInfo{"ORG_HAS_ACTIVE_PLEDGES", "", F},
    CodeInfo{"ORG_HAS_ACTIVE_POOLS", "", F},
    CodeInfo{"ORG_HAS_HOLDINGS", "", F},
    CodeInfo{"ORG_ID_INVALID", "", I},
    CodeInfo{"ORG_KIND_INVALID", "", I},
    CodeInfo{"ORG_NAME_INVALID", "R3", I},
    CodeInfo{"ORG_NOT_FOUND", "", N},
    CodeInfo{"ORG_OPERATES_VALIDATOR", "", F},
    CodeInfo{"ORG_REMOVED", "", F},
    CodeInfo{"ORG_REMOVE_BREAKS_QUORUM", "", F},
    CodeInfo{"ORG_UNCHANGED", "", F},
    CodeInfo{"PARAMS_INVALID", "", I},
    CodeInfo{"PATENT_ASSIGNEE_SIGNATURE_MISSING", "R22", P},
    CodeInfo{"PATENT_ASSIGN_INVALID", "R22", I},
    CodeInfo{"PATENT_CHECK_DIGIT_INVALID", "R25", I},
    CodeInfo{"PATENT_DATA_INVALID", "R26", I},
    CodeInfo{"PATENT_DATES_INVALID", "R19", I},
    CodeInfo{"PATENT_EVENT_INVALID", "R26", I},
    CodeInfo{"PATENT_EXISTS", "", A},
    CodeInfo{"PATENT_FEE_INVALID", "R20", I},
    CodeInfo{"PATENT_FEE_NOT_OVERDUE", "R20", F},
    CodeInfo{"PATENT_FROZEN", "R15", F},
    CodeInfo{"PATENT_GRACE_NOT_OVER", "R20", F},
    CodeInfo{"PATENT_NOT_FOUND", "", N},
    CodeInfo{"PATENT_NOT_IN_FORCE", "R21", F},
    CodeInfo{"PATENT_NOT_YET_EXPIRED", "R19", F},
    CodeInfo{"PATENT_NUMBER_INVALID", "R25", I},
    CodeInfo{"PATENT_OWNERS_INVALID", "R6", I},
    CodeInfo{"PATENT_OWNER_SIGNATURE_MISSING", "R23", P},
    CodeInfo{"PATENT_PLEDGEE_CONSENT_MISSING", "R13", P},
    CodeInfo{"PATENT_POOLED", "R31", F},
    CodeInfo{"PATENT_TRANSITION_INVALID", "R26", F},
    CodeInfo{"PATENT_TWIN_INVALID", "R7j", I},
    CodeInfo{"PATENT_TYPE_MISMATCH", "R25", I},
    CodeInfo{"PLEDGE_AGENCY_REQUIRED", "R5", F},
    CodeInfo{"PLEDGE_AMOUNT_OVERFLOW", "R16", F},
    CodeInfo{"PLEDGE_CANCEL_INVALID", "R12", I},
    CodeInfo{"PLEDGE_CAUTION_ACK_REQUIRED", "R33", F},
    CodeInfo{"PLEDGE_CHANGE_AGREEMENT_MISSING", "R11", I},
    CodeInfo{"PLEDGE_CHANGE_EMPTY", "R11", I},
    CodeInfo{"PLEDGE_CHANGE_INVALID", "R11", I},
    CodeInfo{"PLEDGE_CONTRACT_DATA_MISSING", "R7g", F},
    CodeInfo{"PLEDGE_CONTRACT_MISSING", "R2", F},
    CodeInfo{"PLEDGE_CO_OWNER_CONSENT_MISSING", "R7h", F},
    CodeInfo{"PLEDGE_DEBT_DUE_AFTER_EXPIRY", "R7f", F},
    CodeInfo{"PLEDGE_ENFORCE_INVALID", "R17", I},
    CodeInfo{"PLEDGE_FROZEN", "R15", F},
    CodeInfo{"PLEDGE_ID_INVALID", "", I},
    CodeInfo{"PLEDGE_INVALID", "R3", I},
    CodeInfo{"PLEDGE_INVALIDATION_PENDING_UNACKNOWLEDGED", "R7k", F},
    CodeInfo{"PLEDGE_LTV_EXCEEDED", "R29", F},
    CodeInfo{"PLEDGE_NOT_ACTIVE", "R12", F},
    CodeInfo{"PLEDGE_NOT_DUE", "R17", F},
    CodeInfo{"PLEDGE_NOT_FOUND", "", N},
    CodeInfo{"PLEDGE_PATENT_ALREADY_PLEDGED", "R7i", F},
    CodeInfo{"PLEDGE_PATENT_FEE_UNPAID", "R7d", F},
    CodeInfo{"PLEDGE_PATENT_FROZEN", "R7e", F},
    CodeInfo{"PLEDGE_PATENT_LIFE_TOO_SHORT", "R29", F},
    CodeInfo{"PLEDGE_PATENT_NOT_GRANTED", "R7c", F},
    CodeInfo{"PLEDGE_PATENT_NOT_IN_FORCE", "R7b", F},
    CodeInfo{"PLEDGE_PATENT_POOLED", "R31", F},
    CodeInfo{"PLEDGE_PATENT_UNKNOWN", "R3", F},
    CodeInfo{"PLEDGE_PLEDGEE_NOT_BANK", "R1", F},
    CodeInfo{"PLEDGE_PLEDGOR_NOT_PATENTEE", "R7a", F},
    CodeInfo{"PLEDGE_PLEDGOR_SIGNATURE_MISSING", "R1", P},
    CodeInfo{"PLEDGE_TWIN_APPLICATION_UNACKNOWLEDGED", "R7j", F},
    CodeInfo{"PLEDGE_VALUATION_EXPIRED", "R28", F},
    CodeInfo{"PLEDGE_VALUATION_MISMATCH", "R4", F},
    CodeInfo{"PLEDGE_VALUATION_NOT_FOUND", "R4", F},
    CodeInfo{"PLEDGE_VALUATION_REQUIRED", "R29", F},
    CodeInfo{"POOL_AMOUNT_OVERFLOW", "", F},
    CodeInfo{"POOL_CASH_UNDISTRIBUTED", "H7", F},
    CodeInfo{"POOL_CLOSED", "", F},
    CodeInfo{"POOL_COLLECTION_INVALID", "H7", I},
    CodeInfo{"POOL_ELIGIBILITY_INVALID", "R31", I},
    CodeInfo{"POOL_EMPTY", "R31", F},
    CodeInfo{"POOL_FEES_INVALID", "H1", I},
    CodeInfo{"POOL_GUARANTOR_INVALID", "H5", I},
    CodeInfo{"POOL_ID_INVALID", "", I},
    CodeInfo{"POOL_INVALID", "", I},
    CodeInfo{"POOL_LICENCE_MISSING", "R31", F},
    CodeInfo{"POOL_LOSS_INVALID", "R32", I},
    CodeInfo{"POOL_MEMBERS_INVALID", "", I},
    CodeInfo{"POOL_MEMBER_LIMIT", "", F},
    CodeInfo{"POOL_MEMBER_NOT_FOUND", "", N},
    CodeInfo{"POOL_MODEL_MISMATCH", "R31", F},
    CodeInfo{"POOL_NOT_FOUND", "", N},
    CodeInfo{"POOL_OWNER_SIGNATURE_MISSING", "R31", P},
    CodeInfo{"POOL_PATENT_ALREADY_POOLED", "R31", F},
    CodeInfo{"POOL_PATENT_INELIGIBLE", "R31", F},
    CodeInfo{"POOL_PATENT_LIFE_TOO_SHORT", "R31", F},
    CodeInfo{"POOL_PATENT_NOT_VALID", "R31", F},
    CodeInfo{"POOL_PAYMENT_DATE_INVALID", "H7", F},
    CodeInfo{"POOL_PLEDGEE_CONSENT_MISSING", "R31", P},
    CodeInfo{"POOL_PLEDGE_ALREADY_POOLED", "R31", F},
    CodeInfo{"POOL_PLEDGE_NOT_ELIGIBLE", "R31", F},
    CodeInfo{"POOL_REMOVE_INVALID", "R31", I},
    CodeInfo{"POOL_SHORTFALL_SIGNATURE_MISSING", "H5", P},
    CodeInfo{"POOL_TRIGGER_ALREADY_DECLARED", "H8", F},
    CodeInfo{"POOL_TRIGGER_INVALID", "H8", I},
    CodeInfo{"POOL_TRUSTEE_INVALID", "", F},
    CodeInfo{"POOL_WIND_DOWN_NOT_DUE", "R31", F},
    CodeInfo{"SIGNATURE_INVALID", "", U},
    CodeInfo{"SIGNATURE_LENGTH_INVALID", "", I},
    CodeInfo{"SIGNER_SUSPENDED", "", P},
    CodeInfo{"SIGNER_UNKNOWN", "", P},
    CodeInfo{"TRANCHE_ALLOCATION_INVALID", "R32", I},
    CodeInfo{"TRANCHE_ALREADY_ISSUED", "R32", A},
    CodeInfo{"TRANCHE_HOLDER_LIMIT", "", F},
    CodeInfo{"TRANCHE_INVALID", "R32", I},
    CodeInfo{"TRANCHE_NOT_FOUND", "", N},
    CodeInfo{"TRANCHE_NOT_ISSUED", "R32", F},
    CodeInfo{"TRANCHE_PRINCIPAL_MISMATCH", "R32", F},
    CodeInfo{"TRANCHE_RANK_INVALID", "R32", I},
    CodeInfo{"TRANCHE_SCHEDULE_INVALID", "H3", I},
    CodeInfo{"TRANCHE_STRUCTURE_INVALID", "R32", I},
    CodeInfo{"TX_BODY_MALFORMED", "", I},
    CodeInfo{"TX_BODY_NOT_CANONICAL", "", I},
    CodeInfo{"TX_CHAIN_ID_INVALID", "", I},
    CodeInfo{"TX_DUPLICATE_SIGNER", "", I},
    CodeInfo{"TX_EXPIRED", "", F},
    CodeInfo{"TX_EXPIRY_TOO_FAR", "", I},
    CodeInfo{"TX_MALFORMED", "", I},
    CodeInfo{"TX_MEMO_TOO_LONG", "", I},
    CodeInfo{"TX_NO_SIGNATURES", "", I},
    CodeInfo{"TX_REPLAYED", "", A},
    CodeInfo{"TX_TOO_LARGE", "", I},
    CodeInfo{"TX_TOO_MANY_SIGNATURES", "", I},
    CodeInfo{"TX_UNKNOWN_FIELDS", "", I},
    CodeInfo{"TX_WRONG_CHAIN", "", I},
    CodeInfo{"VALIDATOR_EXISTS", "", A},
    CodeInfo{"VALIDATOR_INVALID", "", I},
    CodeInfo{"VALIDATOR_LAST_VOTER", "", F},
    CodeInfo{"VALIDATOR_NOT_FOUND", "", N},
    CodeInfo{"VALIDATOR_NOT_LEARNER", "", F},
    CodeInfo{"VALIDATOR_ORG_NOT_ENTITLED", "", F},
    CodeInfo{"VALIDATOR_ORG_NOT_IP_OFFICE", "", F},
    CodeInfo{"VALUATION_AMOUNT_INVALID", "R27", I},
    CodeInfo{"VALUATION_BASE_DATE_INVALID", "R28", I},
    CodeInfo{"VALUATION_EXPIRED", "R28", F},
    CodeInfo{"VALUATION_INVALID", "R27", I},
    CodeInfo{"VALUATION_REPORT_MISSING", "R4", I},
};

}  // namespace

std::span<const CodeInfo> AllCodes() { return kCodes; }

const CodeInfo* FindCode(std::string_view code) {
  auto it = std::lower_bound(kCodes.begin(), kCodes.end(), code,
                             [](const CodeInfo& c, std::string_view v) { return c.code < v; });
  if (it == kCodes.end() || it->code != code) return nullptr;
  return &*it;
}

std::string_view RuleOf(std::string_view code) {
  const CodeInfo* c = FindCode(code);
  return c ? c->rule : std::string_view();
}

Status Fail(std::string_view code, std::string message) {
  const CodeInfo* c = FindCode(code);
  if (c == nullptr) {
    return Status::Internal("CODE_UNKNOWN", "unregistered result code " + std::string(code) + ": " + message);
  }
  return Status(c->category, code, message);
}

}  // namespace pledger::contracts
