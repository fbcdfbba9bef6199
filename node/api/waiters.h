// WaiterTable: clients waiting for a transaction's receipt (?wait=MS on
// POST /v1/txs and GET /v1/txs/{id}). Several clients may wait for the same
// transaction; each Add returns a ticket naming that one waiter, so a handler
// that answers its own client removes only its own entry.
//
// Not thread-safe: the owner guards it with one mutex (NodeImpl: wait_mu_).
// Responders are called by the caller after it released that mutex.
#ifndef PLEDGER_NODE_API_WAITERS_H_
#define PLEDGER_NODE_API_WAITERS_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/proto/ledger.pb.h"
#include "node/http_server.h"

namespace pledger::node {

// A client waiting for a transaction's receipt.
struct Waiter {
  HttpResponder respond;
  std::chrono::steady_clock::time_point deadline;
  std::string tx_id_hex;
};

class WaiterTable {
 public:
  struct Ticket {
    ledger::Hash256 id{};
    std::uint64_t seq = 0;
  };

  explicit WaiterTable(std::size_t max_waiters);

  // nullopt when the table holds max_waiters already.
  std::optional<Ticket> Add(const ledger::Hash256& id, Waiter waiter);
  // Removes the one waiter `ticket` names; nullopt if it was taken already
  // (answered by Take or TakeExpired).
  std::optional<Waiter> Remove(const Ticket& ticket);
  // Removes and returns every waiter for `id`.
  std::vector<Waiter> Take(const ledger::Hash256& id);
  // Removes and returns every waiter whose deadline is not after `now`.
  std::vector<Waiter> TakeExpired(std::chrono::steady_clock::time_point now);

  bool empty() const { return waiters_.empty(); }
  std::size_t size() const { return waiters_.size(); }
  void clear() { waiters_.clear(); }

 private:
  std::size_t max_waiters_;
  std::uint64_t next_seq_ = 0;
  // By (transaction id, ticket sequence).
  std::map<std::pair<ledger::Hash256, std::uint64_t>, Waiter> waiters_;
};

// The answer for every client waiting on a transaction that was just
// committed: 200 {"status": "COMMITTED", "tx": {...receipt, height, index}}.
HttpResponse CommittedAnswer(const ledger::Hash256& id, const ledger::Receipt& receipt,
                             std::uint64_t height, std::uint32_t index);
// The answer when the wait ran out: 202 PENDING, ask again.
HttpResponse StillPendingAnswer(const std::string& tx_id_hex);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_API_WAITERS_H_
