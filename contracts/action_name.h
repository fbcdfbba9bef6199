// The name of an action's kind: the field name of the Action `kind` oneof
// ("pledge_register"). It is what history entries record (contracts/history.h),
// what the wallet writes into receipts and transaction files, and what
// pledger-audit compares, so it is defined once. Stable: a field name never
// changes once published (ledger/proto/actions.proto).
//
// Pure functions; thread-safe.
#ifndef PLEDGER_CONTRACTS_ACTION_NAME_H_
#define PLEDGER_CONTRACTS_ACTION_NAME_H_

#include <google/protobuf/descriptor.h>

#include <string>

#include "ledger/proto/ledger.pb.h"

namespace pledger::contracts {

// "" when no kind is set (or one this build does not know).
inline std::string ActionName(const Action& action) {
  const auto* oneof = action.GetDescriptor()->FindOneofByName("kind");
  if (oneof == nullptr) return "";
  const auto* field = action.GetReflection()->GetOneofFieldDescriptor(action, oneof);
  return field ? field->name() : "";
}

// The action name of a transaction body ("" if it has no action).
inline std::string ActionName(const ledger::TxBody& body) {
  return body.has_action() ? ActionName(body.action()) : "";
}

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_ACTION_NAME_H_
