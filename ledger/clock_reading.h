// Clock readings: a validator's signed statement "after applying block
// after_height my clock read clock_ms". Blocks carry them and the block time
// is computed from them (ledger/block_time.h).
//
// Signed bytes (fixed layout, not protobuf, so no encoding ambiguity):
//   "pledger/clock/v1" 0x00
//   be16 len(chain_id) chain_id
//   be16 len(validator_id) validator_id
//   be64 after_height
//   be64 clock_ms
// signed with the validator's node key (Ed25519), the key of its attestations.
// The domain tag differs from the attestations' ("pledger/attestation/v1")
// and the API tokens' ("pledger-token-v1\n"), so no signature of one kind
// can be presented as another.
//
// Pure functions, thread-safe.
#ifndef PLEDGER_LEDGER_CLOCK_READING_H_
#define PLEDGER_LEDGER_CLOCK_READING_H_

#include <cstdint>
#include <string>

#include "consensus/status.h"
#include "ledger/crypto.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/verified_signatures.h"

namespace pledger::ledger {

inline constexpr char kClockReadingDomain[] = "pledger/clock/v1";

std::string ClockReadingSigningBytes(const std::string& chain_id, const ClockReading& r);

ClockReading SignClockReading(const std::string& chain_id, const std::string& validator_id,
                              std::uint64_t after_height, std::uint64_t clock_ms, const SecretKey& key);

// Strict decoding of a reading as carried in a block: canonical protobuf
// encoding, no unknown fields, validator_id 1..64 bytes, a 64-byte
// signature. Reason: CLOCK_READING_MALFORMED.
Result<ClockReading> DecodeClockReading(std::string_view bytes);

// Checks the signature (fields must be well formed, as DecodeClockReading
// checks). Reasons: CLOCK_READING_MALFORMED, SIGNATURE_INVALID. With `memo`,
// a signature already verified by this process is not verified again
// (ledger/verified_signatures.h).
Status VerifyClockReading(const std::string& chain_id, const ClockReading& r, const PublicKey& key,
                          VerifiedSignatures* memo = nullptr);

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_CLOCK_READING_H_
