// Loading and checking the records most actions share (internal). Each loader
// validates the id first, marks the entity touched, and turns "absent" into a
// stable result code.
#ifndef PLEDGER_CONTRACTS_INTERNAL_RECORDS_H_
#define PLEDGER_CONTRACTS_INTERNAL_RECORDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "contracts/internal/context.h"

namespace pledger::contracts::internal {

// ACCOUNT_KEY_INVALID, ACCOUNT_NOT_FOUND, ACCOUNT_RETIRED.
Status LoadAccount(TxContext& c, std::string_view key_hex, Account* a);
// ORG_ID_INVALID, ORG_NOT_FOUND, ORG_REMOVED: an action names an organisation
// as a party, and a removed one is party to nothing new.
Status LoadOrg(TxContext& c, std::string_view id, Organisation* org);
// ORG_ID_INVALID, ORG_NOT_FOUND; a removed organisation is returned as it is
// (for the governance actions that act on the record itself).
Status ReadOrg(TxContext& c, std::string_view id, Organisation* org);
// The same without copying a cached record: *org points at the block's
// parsed copy (valid for the rest of the transaction), or at *storage when
// the record had to be read (absent from the cache, or written by this
// transaction).
Status LoadOrgRef(TxContext& c, std::string_view id, Organisation* storage, const Organisation** org);
Status ReadOrgRef(TxContext& c, std::string_view id, Organisation* storage, const Organisation** org);
// PATENT_NUMBER_INVALID, PATENT_CHECK_DIGIT_INVALID, PATENT_NOT_FOUND.
Status LoadPatent(TxContext& c, std::string_view patent_no, Patent* p);
// PLEDGE_ID_INVALID, PLEDGE_NOT_FOUND.
Status LoadPledge(TxContext& c, std::string_view id, Pledge* p);

// Owner organisations with no OWNER-role signer among the transaction's signers.
std::vector<std::string> MissingOwnerSignatures(const TxContext& c,
                                                const google::protobuf::RepeatedPtrField<Owner>& owners);

// Checks a new owner list: 1..16 owners, valid unique ids of existing
// non-IP-office organisations, shares > 0 adding up to 10000 bps.
// PATENT_OWNERS_INVALID, ORG_NOT_FOUND. Returns the owners sorted by org id.
Status CheckOwners(TxContext& c, const google::protobuf::RepeatedPtrField<Owner>& owners,
                   google::protobuf::RepeatedPtrField<Owner>* sorted);

// R14: tells the pledgee of a pledged patent about a register event.
Status NotifyPledgee(TxContext& c, const Patent& p, std::string_view what);

// Shared with genesis: field checks that return the same codes as the actions.
Status ValidateOrganisation(const Organisation& o);
Status ValidateParams(const Params& p);
Status ValidateValidator(const Validator& v);
// TLS_ROOTS_INVALID unless `roots` are at most kMaxTlsRoots distinct DER
// certificates of 1..kMaxTlsRootBytes bytes each (structure only: one ASN.1
// SEQUENCE filling the field; the node parses them). ValidateOrganisation
// runs it on Organisation.tls_roots.
Status ValidateTlsRoots(const google::protobuf::RepeatedPtrField<std::string>& roots, std::string_view org_id);
// Whether an organisation of `kind` may hold `role` (docs/contracts.md "Authorisation").
bool RoleAllowedFor(Role role, OrgKind kind);
// Whether `org` may run `v` (contracts/entitlement.h): voters only IP offices
// (VALIDATOR_ORG_NOT_IP_OFFICE), learners only entitled organisations
// (VALIDATOR_ORG_NOT_ENTITLED). *basis gets the entitlement basis.
Status CheckValidatorOperator(const Organisation& org, const Validator& v, std::string* basis);

}  // namespace pledger::contracts::internal

#endif  // PLEDGER_CONTRACTS_INTERNAL_RECORDS_H_
