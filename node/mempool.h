// Mempool: transactions admitted by this node and not yet committed.
//
// Every node keeps what it admitted (directly from a client or forwarded by a
// peer), not only the leader: when leadership moves, the new leader already
// holds them, and followers re-forward theirs to it. Transactions leave when a
// block carrying them is applied (or they expire). Because a transaction can
// be admitted just after the block carrying it was applied, and a forward can
// be lost while leadership moves, the node also sweeps what has waited long
// (Stale, issue 17): committed or no longer admissible ones are removed, the
// rest forwarded to the leader again. The leader marks what it
// put in a proposed block as in flight so it does not propose it twice;
// ReleaseInFlight hands them back if that block never commits.
//
// Bounded by count and bytes: Add refuses with MEMPOOL_FULL rather than grow
// (the API answers 503 with Retry-After).
//
// A PreparedTx in the mempool has been decoded and signature-checked by this
// node, so the applier reuses it for an identical transaction in a block
// (Find) instead of verifying the signatures again.
//
// Thread-safe: all methods lock one mutex.
#ifndef PLEDGER_NODE_MEMPOOL_H_
#define PLEDGER_NODE_MEMPOOL_H_

#include <chrono>
#include <cstring>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "consensus/status.h"
#include "contracts/engine.h"
#include "ledger/bytes.h"

namespace pledger::node {

using PreparedTxPtr = std::shared_ptr<const contracts::PreparedTx>;

class Mempool {
 public:
  Mempool(size_t max_txs, size_t max_bytes) : max_txs_(max_txs), max_bytes_(max_bytes) {}

  // Reasons: TX_DUPLICATE (already pending; not an error for idempotent
  // resubmission), MEMPOOL_FULL. `local`: admitted from this node's own
  // client (not forwarded by a peer); admission control counts those.
  Status Add(PreparedTxPtr tx, std::uint64_t expiry_height, bool local = false);
  // Oldest first, not in flight, within the limits; marks them in flight.
  std::vector<PreparedTxPtr> TakeForBlock(size_t max_txs, size_t max_bytes);
  // Every in-flight transaction becomes proposable again.
  void ReleaseInFlight();
  // Drops committed transactions (by id). With `shortest_local_wait`, sets it
  // to the shortest time a removed local transaction spent here and returns
  // whether there was one (admission control's signal, node/admission.h).
  bool Remove(const std::vector<ledger::Hash256>& ids,
              std::chrono::steady_clock::duration* shortest_local_wait = nullptr);
  // Drops transactions that cannot be included at `next_height` or later.
  size_t RemoveExpired(std::uint64_t next_height);
  // The pending transaction with this id, if its bytes are exactly `raw`.
  PreparedTxPtr Find(const ledger::Hash256& id, std::string_view raw) const;
  bool Contains(const ledger::Hash256& id) const;
  // Raw bytes of everything pending and not in flight (re-forwarding).
  std::vector<std::string> PendingRaw(size_t max_txs) const;
  // At most `max_txs` pending transactions, oldest first, not in flight,
  // that were received or last returned by Stale more than `age` ago; each
  // returned one is not returned again for another `age` (the sweep looks at
  // a transaction once per `age`, not on every pass).
  std::vector<PreparedTxPtr> Stale(std::chrono::milliseconds age, size_t max_txs);

  size_t size() const;
  // Transactions pending from this node's own clients.
  size_t local() const;
  size_t bytes() const;
  size_t proposable() const;
  // Age of the oldest proposable transaction (zero if none).
  std::chrono::milliseconds OldestAge() const;

 private:
  struct Entry {
    PreparedTxPtr tx;
    std::uint64_t seq = 0;
    std::uint64_t expiry_height = 0;
    std::chrono::steady_clock::time_point received;
    std::chrono::steady_clock::time_point swept;  // received, or last returned by Stale
    bool in_flight = false;
    bool local = false;
  };
  struct HashOf {
    size_t operator()(const ledger::Hash256& h) const {
      size_t v;
      std::memcpy(&v, h.data(), sizeof(v));
      return v;
    }
  };

  void Erase(std::unordered_map<ledger::Hash256, Entry, HashOf>::iterator it);

  const size_t max_txs_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<ledger::Hash256, Entry, HashOf> by_id_;
  std::map<std::uint64_t, ledger::Hash256> order_;  // seq -> id, FIFO
  std::uint64_t next_seq_ = 0;
  size_t bytes_ = 0;
  size_t in_flight_ = 0;
  size_t local_ = 0;
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_MEMPOOL_H_
