// Which organisations may run a consensus node, and as what
// (docs/contracts.md "Replica entitlement").
//
// A node receives every block over the peer port, so its operator reads every
// bank's loan terms, every valuation and every pool statement. Voting nodes
// stay with the IP offices, who keep the register. A learner (a full, non-voting
// replica) is run by an IP office, by an auditor or regulator (whose job is to
// see everything), or by another organisation only once the consortium has
// granted it (OrgReplicaGrant sets Organisation.replica_entitled). A removed
// organisation is entitled to nothing, whatever its kind.
//
// The contracts (ValidatorAdd, ValidatorPromote, genesis) and the node's read
// scoping decide from this one function. Pure; thread-safe.
#ifndef PLEDGER_CONTRACTS_ENTITLEMENT_H_
#define PLEDGER_CONTRACTS_ENTITLEMENT_H_

#include <string_view>

#include "ledger/proto/contract_types.pb.h"

namespace pledger::contracts {

// Why `org` may run a full replica: "ip_office", "auditor", "regulator" or
// "granted" (recorded in the validator.added event); "" if it may not.
inline std::string_view ReplicaEntitlement(const Organisation& org) {
  if (org.removed()) return "";
  switch (org.kind()) {
    case ORG_IP_OFFICE:
      return "ip_office";
    case ORG_AUDITOR:
      return "auditor";
    case ORG_REGULATOR:
      return "regulator";
    default:
      return org.replica_entitled() ? "granted" : "";
  }
}

// Entitled by kind: a grant would change nothing, so OrgReplicaGrant and the
// genesis refuse to set replica_entitled on these.
inline bool EntitledByKind(OrgKind kind) {
  return kind == ORG_IP_OFFICE || kind == ORG_AUDITOR || kind == ORG_REGULATOR;
}

// Only IP offices run voting nodes.
inline bool MayVote(const Organisation& org) { return !org.removed() && org.kind() == ORG_IP_OFFICE; }

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_ENTITLEMENT_H_
