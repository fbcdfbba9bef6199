#include "node/mempool.h"

namespace pledger::node {

Status Mempool::Add(PreparedTxPtr tx, std::uint64_t expiry_height, bool local) {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_id_.count(tx->id)) {
    return Status::AlreadyExists("TX_DUPLICATE", "transaction " + ledger::HexEncode(tx->id) +
                                                     " is already pending");
  }
  if (by_id_.size() >= max_txs_ || bytes_ + tx->raw.size() > max_bytes_) {
    return Status::ResourceExhausted("MEMPOOL_FULL",
                                     "the node's mempool is full; retry after a few seconds");
  }
  Entry e;
  e.seq = next_seq_++;
  e.expiry_height = expiry_height;
  e.received = std::chrono::steady_clock::now();
  e.swept = e.received;
  e.local = local;
  if (local) ++local_;
  bytes_ += tx->raw.size();
  order_.emplace(e.seq, tx->id);
  e.tx = std::move(tx);
  by_id_.emplace(e.tx->id, std::move(e));
  return Status::OK();
}

std::vector<PreparedTxPtr> Mempool::TakeForBlock(size_t max_txs, size_t max_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PreparedTxPtr> out;
  size_t total = 0;
  for (const auto& [seq, id] : order_) {
    if (out.size() >= max_txs) break;
    Entry& e = by_id_.at(id);
    if (e.in_flight) continue;
    if (total + e.tx->raw.size() > max_bytes && !out.empty()) break;
    total += e.tx->raw.size();
    e.in_flight = true;
    ++in_flight_;
    out.push_back(e.tx);
  }
  return out;
}

void Mempool::ReleaseInFlight() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, e] : by_id_) e.in_flight = false;
  in_flight_ = 0;
}

void Mempool::Erase(std::unordered_map<ledger::Hash256, Entry, HashOf>::iterator it) {
  bytes_ -= it->second.tx->raw.size();
  if (it->second.in_flight) --in_flight_;
  if (it->second.local) --local_;
  order_.erase(it->second.seq);
  by_id_.erase(it);
}

bool Mempool::Remove(const std::vector<ledger::Hash256>& ids,
                     std::chrono::steady_clock::duration* shortest_local_wait) {
  const auto now = std::chrono::steady_clock::now();
  bool any_local = false;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& id : ids) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) continue;
    if (shortest_local_wait != nullptr && it->second.local) {
      const auto waited = now - it->second.received;
      if (!any_local || waited < *shortest_local_wait) *shortest_local_wait = waited;
      any_local = true;
    }
    Erase(it);
  }
  return any_local;
}

size_t Mempool::RemoveExpired(std::uint64_t next_height) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (auto it = by_id_.begin(); it != by_id_.end();) {
    auto next = std::next(it);
    if (it->second.expiry_height < next_height && !it->second.in_flight) {
      Erase(it);
      ++n;
    }
    it = next;
  }
  return n;
}

PreparedTxPtr Mempool::Find(const ledger::Hash256& id, std::string_view raw) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.tx->raw != raw) return nullptr;
  return it->second.tx;
}

bool Mempool::Contains(const ledger::Hash256& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.count(id) > 0;
}

std::vector<std::string> Mempool::PendingRaw(size_t max_txs) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [seq, id] : order_) {
    if (out.size() >= max_txs) break;
    const Entry& e = by_id_.at(id);
    if (!e.in_flight) out.push_back(e.tx->raw);
  }
  return out;
}

std::vector<PreparedTxPtr> Mempool::Stale(std::chrono::milliseconds age, size_t max_txs) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::vector<PreparedTxPtr> out;
  for (const auto& [seq, id] : order_) {
    if (out.size() >= max_txs) break;
    Entry& e = by_id_.at(id);
    if (e.in_flight || now - e.swept < age) continue;
    e.swept = now;
    out.push_back(e.tx);
  }
  return out;
}

size_t Mempool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

size_t Mempool::local() const {
  std::lock_guard<std::mutex> lock(mu_);
  return local_;
}

size_t Mempool::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t Mempool::proposable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size() - in_flight_;
}

std::chrono::milliseconds Mempool::OldestAge() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [seq, id] : order_) {
    const Entry& e = by_id_.at(id);
    if (e.in_flight) continue;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 e.received);
  }
  return std::chrono::milliseconds(0);
}

}  // namespace pledger::node
