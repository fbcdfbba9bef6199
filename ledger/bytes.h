// Byte helpers shared by the ledger: fixed-size digests, hex and base64,
// big-endian integer encoding for ordered LevelDB keys.
//
// All functions are pure and thread-safe. Decoders take hostile input and
// report bad input as a Status (reason HEX_INVALID / BASE64_INVALID).
#ifndef PLEDGER_LEDGER_BYTES_H_
#define PLEDGER_LEDGER_BYTES_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/status.h"

namespace pledger::ledger {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

// A SHA-256 digest. Ordered and comparable so it can key a std::map.
using Hash256 = std::array<std::uint8_t, 32>;

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsStringView(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline std::string ToString(ByteSpan b) { return std::string(AsStringView(b)); }

// Lower-case hex.
std::string HexEncode(ByteSpan data);
inline std::string HexEncode(std::string_view data) { return HexEncode(AsBytes(data)); }
// Accepts upper or lower case; rejects odd length and non-hex characters.
Result<std::string> HexDecode(std::string_view hex);
// Decodes exactly 32 bytes of hex (64 characters) into a digest.
Result<Hash256> HashFromHex(std::string_view hex);
// Copies 32 raw bytes; fails with `reason` if the length is not 32.
Result<Hash256> HashFromBytes(std::string_view raw, std::string_view what);

// RFC 4648 base64 with padding.
std::string Base64Encode(ByteSpan data);
inline std::string Base64Encode(std::string_view data) { return Base64Encode(AsBytes(data)); }
// Strict: standard alphabet, padding required, no whitespace.
Result<std::string> Base64Decode(std::string_view text);

// Big-endian fixed-width encodings, so integer keys sort numerically in LevelDB.
void PutBigEndian64(std::string* out, std::uint64_t v);
void PutBigEndian32(std::string* out, std::uint32_t v);
// Two big-endian length bytes, then the bytes: the framing of strings in
// signed messages (attestations, clock readings). Callers keep `s` under 64 KiB.
void PutLen16(std::string* out, std::string_view s);
std::uint64_t GetBigEndian64(const char* p);
std::uint32_t GetBigEndian32(const char* p);

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_BYTES_H_
