// NonceCache: the nonces of accepted signed requests, so a captured request
// cannot be sent again while its timestamp is still inside the window.
//
// An entry is kept until its request would be refused as stale anyway
// (timestamp + clock skew); the cache never holds more than `max_entries`
// entries and says kFull instead of growing. Entries are keyed by a salted
// SHA-256 of (account key, nonce), truncated to 16 bytes: the salt is random
// per cache, so a client cannot choose nonces that pile into one hash bucket.
//
// Thread-safe: every method takes the cache's lock.
#ifndef PLEDGER_NODE_AUTH_NONCE_CACHE_H_
#define PLEDGER_NODE_AUTH_NONCE_CACHE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <queue>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/io/request_auth.h"
#include "ledger/io/sync.h"

namespace pledger::node {

class NonceCache {
 public:
  enum class Outcome { kFresh, kReplayed, kFull };

  explicit NonceCache(std::size_t max_entries);
  NonceCache(const NonceCache&) = delete;
  NonceCache& operator=(const NonceCache&) = delete;

  // Records (key, nonce) until `expires_ms`, after dropping every entry that
  // expired before `now_ms`. kReplayed if it is already recorded, kFull if
  // the cache holds max_entries live entries (nothing is recorded then).
  Outcome Insert(const ledger::PublicKey& key, const io::RequestNonce& nonce,
                 std::uint64_t expires_ms, std::uint64_t now_ms) EXCLUDES(mu_);

  std::size_t size() const EXCLUDES(mu_);
  std::size_t max_entries() const { return max_entries_; }

 private:
  using Id = std::array<std::uint8_t, 16>;
  struct IdHash {
    std::size_t operator()(const Id& id) const {
      std::size_t h;
      std::memcpy(&h, id.data(), sizeof h);
      return h;
    }
  };
  using Expiry = std::pair<std::uint64_t, Id>;

  void ExpireLocked(std::uint64_t now_ms) REQUIRES(mu_);

  const std::size_t max_entries_;
  std::array<std::uint8_t, 16> salt_{};
  mutable io::Mutex mu_;
  std::unordered_set<Id, IdHash> seen_ GUARDED_BY(mu_);
  // Earliest expiry on top.
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> expiry_ GUARDED_BY(mu_);
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_AUTH_NONCE_CACHE_H_
