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

#include <cstdint>
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

// The name of the Action `kind` field numbered `number` (history records keep
// the number, contracts/history.h): "" for 0 (no action), "action_<n>" for a
// number this build does not know, so an entry written by a newer build still
// says something true.
inline std::string ActionNameOfNumber(std::uint32_t number) {
  if (number == 0) return "";
  const auto* field = Action::descriptor()->FindFieldByNumber(static_cast<int>(number));
  if (field == nullptr || field->containing_oneof() == nullptr || field->containing_oneof()->name() != "kind") {
    return "action_" + std::to_string(number);
  }
  return field->name();
}

// The field number of a transaction body's action kind (0 if it has none).
inline std::uint32_t ActionNumber(const ledger::TxBody& body) {
  return body.has_action() ? static_cast<std::uint32_t>(body.action().kind_case()) : 0;
}

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_ACTION_NAME_H_
