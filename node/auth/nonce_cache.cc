#include "node/auth/nonce_cache.h"

namespace pledger::node {

NonceCache::NonceCache(std::size_t max_entries) : max_entries_(max_entries) {
  // Reuses the nonce generator: 16 bytes from the operating system.
  salt_ = io::RandomRequestNonce();
}

void NonceCache::ExpireLocked(std::uint64_t now_ms) {
  while (!expiry_.empty() && expiry_.top().first < now_ms) {
    seen_.erase(expiry_.top().second);
    expiry_.pop();
  }
}

NonceCache::Outcome NonceCache::Insert(const ledger::PublicKey& key,
                                       const io::RequestNonce& nonce, std::uint64_t expires_ms,
                                       std::uint64_t now_ms) {
  ledger::Sha256Hasher h;
  h.Update(ledger::ByteSpan(salt_)).Update(ledger::ByteSpan(key)).Update(ledger::ByteSpan(nonce));
  const ledger::Hash256 digest = h.Finish();
  Id id;
  std::memcpy(id.data(), digest.data(), id.size());

  io::MutexLock lock(&mu_);
  ExpireLocked(now_ms);
  if (seen_.contains(id)) return Outcome::kReplayed;
  if (seen_.size() >= max_entries_) return Outcome::kFull;
  seen_.insert(id);
  expiry_.emplace(expires_ms, id);
  return Outcome::kFresh;
}

std::size_t NonceCache::size() const {
  io::MutexLock lock(&mu_);
  return seen_.size();
}

}  // namespace pledger::node
