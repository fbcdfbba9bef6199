// A bounded memo of Ed25519 signatures this process has already verified.
//
// Why: a node meets the same clock reading or attestation several times. A
// reading is verified when it arrives, again when the leader computes the
// block time at proposal, and again by every node's applier; an attestation
// on arrival and again at apply. Issue 20's profile found the cluster
// verifying each block's readings and attestations about 25 times (90 µs of
// ~1,000 µs of CPU per transaction at 13 transactions per block). Ed25519
// verification is a pure function of (public key, message, signature), so a
// triple that verified once verifies again: remembering it changes no
// outcome, only the cost. Only successes are remembered; a bad signature is
// checked (and refused) every time.
//
// The memo is keyed by SHA-256(key || signature || message): finding a second
// triple with the same digest is a SHA-256 collision. It holds at most
// `capacity` digests and forgets the oldest first; a forgotten triple is just
// verified again.
//
// Determinism: passing a memo or not gives the same answers, so ledger/ code
// may take one as an optional argument; pledger-audit's replay passes none
// and verifies everything.
//
// Thread-safe: one mutex around the memo; verification runs outside it.
#ifndef PLEDGER_LEDGER_VERIFIED_SIGNATURES_H_
#define PLEDGER_LEDGER_VERIFIED_SIGNATURES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string_view>

#include "consensus/status.h"
#include "ledger/bytes.h"

namespace pledger::ledger {

class VerifiedSignatures {
 public:
  explicit VerifiedSignatures(size_t capacity);
  VerifiedSignatures(const VerifiedSignatures&) = delete;
  VerifiedSignatures& operator=(const VerifiedSignatures&) = delete;

  // VerifyRaw (ledger/crypto.h) with the memo in front: the same reasons
  // (KEY_LENGTH_INVALID, SIGNATURE_LENGTH_INVALID, SIGNATURE_INVALID).
  Status Verify(std::string_view public_key, std::string_view message, std::string_view signature);

  // Records a signature this process made itself with `public_key`'s secret
  // key, so it is never verified here at all.
  void Remember(std::string_view public_key, std::string_view message, std::string_view signature);

  // For metrics: verifications answered from the memo, and those done.
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static Hash256 Digest(std::string_view public_key, std::string_view message, std::string_view signature);
  void Insert(const Hash256& d);

  const size_t capacity_;
  std::mutex mu_;
  std::set<Hash256> known_;     // guarded by mu_
  std::deque<Hash256> order_;   // guarded by mu_; oldest first
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

// Verifies with `memo` when one is given, else with VerifyRaw.
Status VerifyWith(VerifiedSignatures* memo, std::string_view public_key, std::string_view message,
                  std::string_view signature);

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_VERIFIED_SIGNATURES_H_
