#include "ledger/bytes.h"

#include <cstring>

namespace pledger::ledger {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string HexEncode(ByteSpan data) {
  std::string out;
  out.resize(data.size() * 2);
  for (size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 0x0f];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("HEX_INVALID",
                                   "hex string has an odd number of characters (" +
                                       std::to_string(hex.size()) + "); give whole bytes");
  }
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument(
          "HEX_INVALID", "character at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1) +
                             " is not a hex digit; use 0-9 and a-f");
    }
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

Result<Hash256> HashFromHex(std::string_view hex) {
  if (hex.size() != 64) {
    return Status::InvalidArgument("HASH_INVALID", "a hash is 64 hex characters, got " +
                                                       std::to_string(hex.size()));
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string raw, HexDecode(hex));
  return HashFromBytes(raw, "hash");
}

Result<Hash256> HashFromBytes(std::string_view raw, std::string_view what) {
  Hash256 h{};
  if (raw.size() != h.size()) {
    return Status::InvalidArgument("HASH_INVALID", std::string(what) + " must be 32 bytes, got " +
                                                       std::to_string(raw.size()));
  }
  std::memcpy(h.data(), raw.data(), h.size());
  return h;
}

std::string Base64Encode(ByteSpan data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    std::uint32_t v = data[i] << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return Status::InvalidArgument("BASE64_INVALID",
                                   "base64 length must be a multiple of 4 (padded), got " +
                                       std::to_string(text.size()));
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || (v[k] = B64Value(c)) < 0) {
        return Status::InvalidArgument("BASE64_INVALID",
                                       "invalid base64 character at offset " +
                                           std::to_string(i + k));
      }
    }
    std::uint32_t w = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((w >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((w >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(w & 0xff);
    // Reject non-canonical encodings: the bits dropped by padding must be zero.
    if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0)) {
      return Status::InvalidArgument("BASE64_INVALID",
                                     "non-canonical base64 padding at offset " + std::to_string(i));
    }
  }
  return out;
}

void PutBigEndian64(std::string* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutBigEndian32(std::string* out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutLen16(std::string* out, std::string_view s) {
  out->push_back(static_cast<char>((s.size() >> 8) & 0xff));
  out->push_back(static_cast<char>(s.size() & 0xff));
  out->append(s);
}

std::uint64_t GetBigEndian64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}

std::uint32_t GetBigEndian32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}

}  // namespace pledger::ledger
