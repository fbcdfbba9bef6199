#include "ledger/io/request_auth.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>

namespace pledger::io {
namespace {

Status Malformed(std::string_view what) {
  return Status::Unauthenticated(
      "AUTH_MALFORMED",
      std::string("the Authorization header is malformed: ") + std::string(what) +
          ". Send 'Pledger-Ed25519 key=<64 hex>, ts=<unix ms>, nonce=<32 hex>, sig=<128 hex>' "
          "or 'Bearer <token>' (docs/api.md, \"Access\")");
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Exactly `n` bytes from exactly 2n lower-case hex characters.
template <std::size_t N>
bool DecodeLowerHex(std::string_view hex, std::array<std::uint8_t, N>* out) {
  if (hex.size() != 2 * N) return false;
  for (char c : hex) {
    if (!IsLowerHex(c)) return false;
  }
  auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < N; ++i) {
    (*out)[i] = static_cast<std::uint8_t>(nib(hex[2 * i]) << 4 | nib(hex[2 * i + 1]));
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

// Decimal, no sign, no leading zero, at most kTimestampDigitsMax digits.
bool ParseTimestamp(std::string_view s, std::uint64_t* out) {
  if (s.empty() || s.size() > kTimestampDigitsMax) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

Result<ParsedAuth> ParseSigned(std::string_view params) {
  ParsedAuth out;
  out.kind = ParsedAuth::Kind::kSigned;
  bool have_key = false, have_ts = false, have_nonce = false, have_sig = false;
  int count = 0;
  while (true) {
    std::size_t comma = params.find(',');
    std::string_view item = TrimSpaces(params.substr(0, comma));
    if (++count > 4) return Malformed("it has more than the four parameters key, ts, nonce, sig");
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return Malformed("a parameter is not name=value");
    std::string_view name = item.substr(0, eq);
    std::string_view value = item.substr(eq + 1);
    if (name == "key") {
      if (have_key) return Malformed("parameter key appears twice");
      have_key = true;
      if (!DecodeLowerHex(value, &out.public_key)) {
        return Malformed("key must be 64 lower-case hex characters (an Ed25519 public key)");
      }
    } else if (name == "ts") {
      if (have_ts) return Malformed("parameter ts appears twice");
      have_ts = true;
      if (!ParseTimestamp(value, &out.timestamp_ms)) {
        return Malformed("ts must be Unix milliseconds in decimal, without sign or leading zero");
      }
    } else if (name == "nonce") {
      if (have_nonce) return Malformed("parameter nonce appears twice");
      have_nonce = true;
      if (!DecodeLowerHex(value, &out.nonce)) {
        return Malformed("nonce must be 32 lower-case hex characters (16 random bytes)");
      }
    } else if (name == "sig") {
      if (have_sig) return Malformed("parameter sig appears twice");
      have_sig = true;
      if (!DecodeLowerHex(value, &out.signature)) {
        return Malformed("sig must be 128 lower-case hex characters (an Ed25519 signature)");
      }
    } else {
      return Malformed("it has a parameter other than key, ts, nonce and sig");
    }
    if (comma == std::string_view::npos) break;
    params.remove_prefix(comma + 1);
  }
  if (!(have_key && have_ts && have_nonce && have_sig)) {
    return Malformed("it lacks one of the parameters key, ts, nonce, sig");
  }
  return out;
}

}  // namespace

RequestNonce RandomRequestNonce() {
  RequestNonce n{};
  if (RAND_bytes(n.data(), static_cast<int>(n.size())) != 1) {
    // A process without an entropy source must not send predictable nonces.
    std::abort();
  }
  return n;
}

std::string RequestSigningBytes(const RequestAuthFields& f) {
  std::string out;
  out.reserve(kRequestAuthDomain.size() + f.chain_id.size() + f.method.size() + f.target.size() +
              64 + 20 + 32 + 64 + 8);
  auto line = [&out](std::string_view s) {
    out.append(s);
    out.push_back('\n');
  };
  line(kRequestAuthDomain);
  line(f.chain_id);
  line(f.method);
  line(f.target);
  line(ledger::HexEncode(ledger::Sha256(f.body)));
  line(std::to_string(f.timestamp_ms));
  line(ledger::HexEncode(ledger::ByteSpan(f.nonce)));
  line(ledger::HexEncode(ledger::ByteSpan(f.public_key)));
  return out;
}

Result<std::string> SignRequestHeader(const ledger::SecretKey& key, std::string_view chain_id,
                                      std::string_view method, std::string_view target,
                                      std::string_view body, std::uint64_t now_ms,
                                      const RequestNonce& nonce) {
  if (method.empty() || method.size() > 16) {
    return Status::InvalidArgument("AUTH_REQUEST_INVALID",
                                   "the method to sign must be 1 to 16 upper-case letters");
  }
  for (char c : method) {
    if (c < 'A' || c > 'Z') {
      return Status::InvalidArgument("AUTH_REQUEST_INVALID",
                                     "the method to sign must be 1 to 16 upper-case letters");
    }
  }
  if (target.empty() || target[0] != '/') {
    return Status::InvalidArgument("AUTH_REQUEST_INVALID",
                                   "the request target to sign must start with '/'");
  }
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) {
      return Status::InvalidArgument(
          "AUTH_REQUEST_INVALID",
          "the request target to sign holds a space, control or non-ASCII byte: "
          "percent-encode it first, then sign and send the encoded target");
    }
  }
  if (chain_id.empty()) {
    return Status::InvalidArgument("AUTH_REQUEST_INVALID", "the chain id to sign is empty");
  }
  RequestAuthFields f;
  f.chain_id = chain_id;
  f.method = method;
  f.target = target;
  f.body = body;
  f.timestamp_ms = now_ms;
  f.nonce = nonce;
  f.public_key = key.public_key();
  const ledger::SignatureBytes sig = key.Sign(RequestSigningBytes(f));
  std::string out(kSignedAuthScheme);
  out += " key=";
  out += ledger::HexEncode(ledger::ByteSpan(f.public_key));
  out += ", ts=";
  out += std::to_string(now_ms);
  out += ", nonce=";
  out += ledger::HexEncode(ledger::ByteSpan(nonce));
  out += ", sig=";
  out += ledger::HexEncode(ledger::ByteSpan(sig));
  return out;
}

Result<ParsedAuth> ParseAuthorization(std::string_view header) {
  if (header.size() > kAuthorizationBytesMax) {
    return Malformed("it is longer than " + std::to_string(kAuthorizationBytesMax) + " bytes");
  }
  header = TrimSpaces(header);
  if (header.empty()) return Malformed("it is empty");
  const std::size_t sp = header.find(' ');
  if (sp == std::string_view::npos) return Malformed("it has no scheme followed by a space");
  const std::string_view scheme = header.substr(0, sp);
  const std::string_view rest = header.substr(sp + 1);
  if (EqualsIgnoreCase(scheme, kSignedAuthScheme)) return ParseSigned(rest);
  if (EqualsIgnoreCase(scheme, kBearerAuthScheme)) {
    if (rest.empty() || rest.size() > kBearerTokenCharsMax) {
      return Malformed("the bearer token must be 1 to " + std::to_string(kBearerTokenCharsMax) +
                       " characters");
    }
    for (char c : rest) {
      if (!IsBase64UrlChar(c)) {
        return Malformed("the bearer token must be base64url (A-Z a-z 0-9 - _) without padding");
      }
    }
    ParsedAuth out;
    out.kind = ParsedAuth::Kind::kBearer;
    out.token = std::string(rest);
    return out;
  }
  return Malformed("the scheme is neither Pledger-Ed25519 nor Bearer");
}

}  // namespace pledger::io
