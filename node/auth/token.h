// Bearer tokens: the fixed binary layout, its base64url text, and the
// signature that lets any node of the consortium check a token another node
// issued without shared state. Used by RequestAuthenticator (authenticator.h);
// docs/api.md ("Access (authentication)") documents the layout for clients,
// who never need to look inside a token.
//
// Layout (all integers big-endian), at most 178 bytes:
//
//   offset  size  field
//   0       1     version = 1
//   1       1     n = length of the issuing node's id (1..64)
//   2       n     issuing node id ([a-z0-9._-], the validator's node_id)
//   2+n     32    account public key (Ed25519)
//   34+n    8     issued_ms (Unix ms, the issuing node's clock)
//   42+n    8     expires_ms (issued_ms < expires_ms <= issued_ms + 15 min)
//   50+n    64    Ed25519 signature by the issuing node's key over
//                 "pledger-token-v1\n" || chain_id || "\n" || bytes [0, 50+n)
//
// The text form is the whole byte string in base64url without padding (RFC
// 4648 section 5). Nothing follows the signature. The chain id is signed but
// not carried: a token from another chain fails its signature check. The
// domain tag differs from the attestation tag ("pledger/attestation/v1\0"),
// the only other thing a node key signs, so neither can pass for the other.
//
// Pure functions; thread-safe.
#ifndef PLEDGER_NODE_AUTH_TOKEN_H_
#define PLEDGER_NODE_AUTH_TOKEN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/status.h"
#include "ledger/crypto.h"

namespace pledger::node {

inline constexpr std::uint8_t kTokenVersion = 1;
inline constexpr std::string_view kTokenDomain = "pledger-token-v1";
inline constexpr std::size_t kTokenNodeIdBytesMax = 64;
inline constexpr std::size_t kTokenBytesMax = 2 + kTokenNodeIdBytesMax + 32 + 8 + 8 + 64;

struct TokenFields {
  std::string issuer_node_id;
  ledger::PublicKey account_key{};
  std::uint64_t issued_ms = 0;
  std::uint64_t expires_ms = 0;
};

// The signed part of the layout: bytes [0, 50+n).
std::string TokenPayload(const TokenFields& t);
// What the issuing node signs: domain tag, chain id, payload.
std::string TokenSigningBytes(std::string_view chain_id, std::string_view payload);

// base64url text of payload || Ed25519(node_key, signing bytes).
std::string EncodeToken(std::string_view chain_id, const TokenFields& t,
                        const ledger::SecretKey& node_key);

// A decoded token before its signature is checked.
struct DecodedToken {
  TokenFields fields;
  std::string payload;  // bytes [0, 50+n), what the signature covers with the chain id
  ledger::SignatureBytes signature{};
};

// Strict: base64url without padding and with zero trailing bits, exact
// layout, version 1, node id 1..64 of [a-z0-9._-], no trailing bytes.
// Reason AUTH_MALFORMED (Unauthenticated).
Result<DecodedToken> DecodeToken(std::string_view text);

// base64url without padding, strict decoding (helpers for the above, exposed
// for tests).
std::string Base64UrlEncode(std::string_view bytes);
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_AUTH_TOKEN_H_
