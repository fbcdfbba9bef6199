#include "ledger/verified_signatures.h"

#include "ledger/crypto.h"

namespace pledger::ledger {

VerifiedSignatures::VerifiedSignatures(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

Hash256 VerifiedSignatures::Digest(std::string_view public_key, std::string_view message,
                                   std::string_view signature) {
  // Key and signature have fixed lengths once VerifyRaw accepted them, so the
  // concatenation is unambiguous.
  Sha256Hasher h;
  h.Update(public_key).Update(signature).Update(message);
  return h.Finish();
}

void VerifiedSignatures::Insert(const Hash256& d) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!known_.insert(d).second) return;
  order_.push_back(d);
  while (order_.size() > capacity_) {
    known_.erase(order_.front());
    order_.pop_front();
  }
}

Status VerifiedSignatures::Verify(std::string_view public_key, std::string_view message,
                                  std::string_view signature) {
  if (public_key.size() != kPublicKeySize || signature.size() != kSignatureSize) {
    return VerifyRaw(public_key, message, signature);  // its length reasons
  }
  const Hash256 d = Digest(public_key, message, signature);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (known_.count(d) != 0) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return Status::OK();
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  Status s = VerifyRaw(public_key, message, signature);
  if (s.ok()) Insert(d);
  return s;
}

void VerifiedSignatures::Remember(std::string_view public_key, std::string_view message,
                                  std::string_view signature) {
  if (public_key.size() != kPublicKeySize || signature.size() != kSignatureSize) return;
  Insert(Digest(public_key, message, signature));
}

Status VerifyWith(VerifiedSignatures* memo, std::string_view public_key, std::string_view message,
                  std::string_view signature) {
  if (memo == nullptr) return VerifyRaw(public_key, message, signature);
  return memo->Verify(public_key, message, signature);
}

}  // namespace pledger::ledger
