// The chain's accounts and validators as the authenticator needs them, read
// from the node's state as of the last applied block: a suspension, a key
// rotation, an organisation's removal or a validator's removal takes effect
// for API access from the block that records it.
//
// Thread-safe: every call reads its own state snapshot. Errors: the state
// reader's, and STATE_RECORD_CORRUPT for a record that does not parse.
#ifndef PLEDGER_NODE_AUTH_STATE_DIRECTORY_H_
#define PLEDGER_NODE_AUTH_STATE_DIRECTORY_H_

#include <optional>
#include <string_view>

#include "ledger/state_store.h"
#include "node/auth/authenticator.h"

namespace pledger::node {

class StateAccountDirectory final : public AccountDirectory {
 public:
  explicit StateAccountDirectory(const ledger::StateStore& state) : state_(state) {}
  Result<AccountInfo> LookupAccount(const ledger::PublicKey& key) const override;
  // A ValidatorKeySource over the same state (voters and learners).
  // previous_until_ms is left 0 (this directory knows no block times): the
  // node fills it from the rotating block (node.cc).
  std::optional<IssuerKeys> ValidatorKey(std::string_view node_id) const;

 private:
  const ledger::StateStore& state_;  // not owned; outlives this
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_AUTH_STATE_DIRECTORY_H_
