#include "ledger/tx_id_set.h"

#include <sodium.h>

#include <cstring>
#include <mutex>

#include "ledger/crypto.h"

namespace pledger::ledger {
namespace {
constexpr size_t kInitialSlots = 1u << 16;
}  // namespace

TxIdSet::TxIdSet() : slots_(kInitialSlots, 0) {
  EnsureCryptoInitialized();
  randombytes_buf(key_.data(), key_.size());
}

std::uint64_t TxIdSet::Fingerprint(const Hash256& id) {
  std::uint64_t fp;
  std::memcpy(&fp, id.data(), sizeof(fp));
  return fp == 0 ? 1 : fp;  // 0 marks empty slots; a collision costs only a read
}

size_t TxIdSet::SlotOf(std::uint64_t fp) const {
  unsigned char in[sizeof(fp)];
  std::memcpy(in, &fp, sizeof(fp));
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, in, sizeof(in), key_.data());
  std::uint64_t h;
  std::memcpy(&h, out, sizeof(h));
  return static_cast<size_t>(h) & (slots_.size() - 1);
}

void TxIdSet::InsertLocked(std::uint64_t fp) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = SlotOf(fp);; i = (i + 1) & mask) {
    if (slots_[i] == fp) return;
    if (slots_[i] == 0) {
      slots_[i] = fp;
      ++count_;
      return;
    }
  }
}

void TxIdSet::Grow() {
  std::vector<std::uint64_t> old(slots_.size() * 2, 0);
  old.swap(slots_);
  count_ = 0;
  for (std::uint64_t fp : old) {
    if (fp != 0) InsertLocked(fp);
  }
}

void TxIdSet::Insert(const Hash256& id) { InsertAll(std::span<const Hash256>(&id, 1)); }

void TxIdSet::InsertAll(std::span<const Hash256> ids) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (const Hash256& id : ids) {
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    InsertLocked(Fingerprint(id));
  }
}

bool TxIdSet::MayContain(const Hash256& id) const {
  const std::uint64_t fp = Fingerprint(id);
  std::shared_lock<std::shared_mutex> lock(mu_);
  const size_t mask = slots_.size() - 1;
  for (size_t i = SlotOf(fp);; i = (i + 1) & mask) {
    if (slots_[i] == fp) return true;
    if (slots_[i] == 0) return false;  // the table is never full
  }
}

size_t TxIdSet::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return count_;
}

void TxIdSet::Replace(TxIdSet&& other) {
  if (&other == this) return;
  std::scoped_lock lock(mu_, other.mu_);
  slots_.swap(other.slots_);
  key_.swap(other.key_);
  count_ = other.count_;
  std::vector<std::uint64_t>(kInitialSlots, 0).swap(other.slots_);
  other.count_ = 0;
}

}  // namespace pledger::ledger
