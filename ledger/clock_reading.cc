#include "ledger/clock_reading.h"

#include "ledger/bytes.h"
#include "ledger/tx.h"

namespace pledger::ledger {
namespace {

bool WellFormed(const ClockReading& r) {
  return !r.validator_id().empty() && r.validator_id().size() <= 64 && r.signature().size() == kSignatureSize;
}

}  // namespace

std::string ClockReadingSigningBytes(const std::string& chain_id, const ClockReading& r) {
  std::string out(kClockReadingDomain);
  out.push_back('\0');
  PutLen16(&out, chain_id);
  PutLen16(&out, r.validator_id());
  PutBigEndian64(&out, r.after_height());
  PutBigEndian64(&out, r.clock_ms());
  return out;
}

ClockReading SignClockReading(const std::string& chain_id, const std::string& validator_id,
                              std::uint64_t after_height, std::uint64_t clock_ms, const SecretKey& key) {
  ClockReading r;
  r.set_validator_id(validator_id);
  r.set_after_height(after_height);
  r.set_clock_ms(clock_ms);
  SignatureBytes sig = key.Sign(ClockReadingSigningBytes(chain_id, r));
  r.set_signature(std::string(AsStringView(sig)));
  return r;
}

Result<ClockReading> DecodeClockReading(std::string_view bytes) {
  ClockReading r;
  if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || HasUnknownFields(r) ||
      SerializeCanonical(r) != bytes || !WellFormed(r)) {
    return Status::InvalidArgument("CLOCK_READING_MALFORMED",
                                   "a clock reading is not a canonical ClockReading with a validator id of 1 to 64 "
                                   "bytes and a 64-byte signature");
  }
  return r;
}

Status VerifyClockReading(const std::string& chain_id, const ClockReading& r, const PublicKey& key,
                          VerifiedSignatures* memo) {
  if (!WellFormed(r)) {
    return Status::InvalidArgument("CLOCK_READING_MALFORMED", "clock reading fields have the wrong sizes");
  }
  return VerifyWith(memo, AsStringView(key), ClockReadingSigningBytes(chain_id, r), r.signature());
}

}  // namespace pledger::ledger
