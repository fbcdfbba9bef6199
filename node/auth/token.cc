#include "node/auth/token.h"

#include <cstring>

#include "ledger/bytes.h"

namespace pledger::node {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

Status Malformed(std::string_view what) {
  return Status::Unauthenticated(
      "AUTH_MALFORMED", std::string("the bearer token is malformed: ") + std::string(what) +
                            ". Ask a node for a new token with a signed request");
}

bool IsNodeIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::size_t i = 0;
  auto b = [&in](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = b(i) << 16 | b(i + 1) << 8 | b(i + 2);
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(kAlphabet[v >> 6 & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (in.size() - i == 1) {
    const std::uint32_t v = b(i) << 16;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
  } else if (in.size() - i == 2) {
    const std::uint32_t v = b(i) << 16 | b(i + 1) << 8;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(kAlphabet[v >> 6 & 63]);
  }
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return Malformed("its length is not a base64url length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int s = Sextet(c);
    if (s < 0) return Malformed("it holds a character outside base64url");
    acc = acc << 6 | static_cast<std::uint32_t>(s);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>(acc >> bits & 0xff));
    }
  }
  // Leftover bits must be zero, so every byte string has exactly one text.
  if ((acc & ((1u << bits) - 1)) != 0) return Malformed("its last character has stray bits");
  return out;
}

std::string TokenPayload(const TokenFields& t) {
  std::string out;
  out.push_back(static_cast<char>(kTokenVersion));
  out.push_back(static_cast<char>(t.issuer_node_id.size()));
  out.append(t.issuer_node_id);
  out.append(ledger::AsStringView(ledger::ByteSpan(t.account_key)));
  ledger::PutBigEndian64(&out, t.issued_ms);
  ledger::PutBigEndian64(&out, t.expires_ms);
  return out;
}

std::string TokenSigningBytes(std::string_view chain_id, std::string_view payload) {
  std::string out(kTokenDomain);
  out.push_back('\n');
  out.append(chain_id);
  out.push_back('\n');
  out.append(payload);
  return out;
}

std::string EncodeToken(std::string_view chain_id, const TokenFields& t,
                        const ledger::SecretKey& node_key) {
  std::string bytes = TokenPayload(t);
  const ledger::SignatureBytes sig = node_key.Sign(TokenSigningBytes(chain_id, bytes));
  bytes.append(ledger::AsStringView(ledger::ByteSpan(sig)));
  return Base64UrlEncode(bytes);
}

Result<DecodedToken> DecodeToken(std::string_view text) {
  if (text.empty() || text.size() > (kTokenBytesMax * 4 + 2) / 3) {
    return Malformed("it is longer than any token");
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string raw, Base64UrlDecode(text));
  if (raw.size() < 2) return Malformed("it is too short");
  if (static_cast<std::uint8_t>(raw[0]) != kTokenVersion) {
    return Malformed("its version is not 1");
  }
  const std::size_t n = static_cast<std::uint8_t>(raw[1]);
  if (n == 0 || n > kTokenNodeIdBytesMax) return Malformed("its node id length is out of range");
  const std::size_t payload_size = 2 + n + 32 + 8 + 8;
  if (raw.size() != payload_size + ledger::kSignatureSize) {
    return Malformed("its length does not match its layout");
  }
  DecodedToken out;
  out.fields.issuer_node_id = raw.substr(2, n);
  for (char c : out.fields.issuer_node_id) {
    if (!IsNodeIdChar(c)) return Malformed("its node id holds a character outside [a-z0-9._-]");
  }
  std::memcpy(out.fields.account_key.data(), raw.data() + 2 + n, 32);
  out.fields.issued_ms = ledger::GetBigEndian64(raw.data() + 34 + n);
  out.fields.expires_ms = ledger::GetBigEndian64(raw.data() + 42 + n);
  out.payload = raw.substr(0, payload_size);
  std::memcpy(out.signature.data(), raw.data() + payload_size, ledger::kSignatureSize);
  return out;
}

}  // namespace pledger::node
