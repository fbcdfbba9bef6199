// Request authentication, the client and server halves of one scheme: the
// bytes a client signs for an API request, the Authorization header that
// carries the signature, and its strict parser. pledgerd (node/auth/) and the
// tools both call RequestSigningBytes, so they cannot disagree on what is
// signed. docs/api.md ("Access (authentication)") is the specification for
// clients in other languages; this header and that page must say the same.
//
// Two header forms (RFC 9110 credentials syntax, narrowed):
//
//   Authorization: Pledger-Ed25519 key=<64 hex>, ts=<ms>, nonce=<32 hex>, sig=<128 hex>
//   Authorization: Bearer <token>
//
// Signed form. `key` is the account's Ed25519 public key, `ts` the client's
// clock in Unix milliseconds (decimal, no sign, no leading zero, at most 16
// digits), `nonce` 16 random bytes, `sig` the Ed25519 signature of
// RequestSigningBytes. Hex is lower case. The scheme name is matched without
// regard to case (RFC 9110 11.1); the four parameters must each appear exactly
// once, in any order, separated by a comma with optional spaces; no other
// parameter, no quoting, nothing after the last one. The whole header value is
// at most kAuthorizationBytesMax bytes.
//
// Canonical bytes (RequestSigningBytes): eight lines, each ended by "\n"
// (0x0A), no other separator, nothing trimmed or case-folded:
//
//   pledger-request-v1
//   <chain id, as in the genesis file>
//   <method, as sent: GET, POST>
//   <request target, as sent on the request line, byte for byte>
//   <SHA-256 of the exact body bytes, 64 lower-case hex; of "" when no body>
//   <ts, the same decimal string as in the header>
//   <nonce, the same 32 lower-case hex as in the header>
//   <key, the same 64 lower-case hex as in the header>
//
// The request target is the origin-form target ("/v1/pledges?bank=bank-a")
// exactly as it appears on the request line: the query is not sorted,
// decoded, re-encoded or otherwise canonicalised, and the server signs over
// the bytes it received. A client therefore signs the string it hands its
// HTTP library, and must make sure the library sends it unchanged. Every line
// but the chain id is free of "\n" (methods and targets cannot contain one on
// the wire, and SignRequestHeader refuses them), so the eight lines split one
// way only.
//
// Why this cannot be mistaken for another signature by the same key: account
// keys otherwise sign only serialized TxBody messages. The canonical bytes
// begin with 'p' (0x70), which as protobuf is the tag of field 14, varint;
// TxBody has no field 14 and every node refuses a body with unknown fields,
// so signed request bytes never decode as a transaction. Node keys sign
// attestations ("pledger/attestation/v1\0...") and tokens ("pledger-token-v1\n...",
// node/auth/), never requests.
//
// Bearer form. `<token>` is 1 to kBearerTokenCharsMax characters of the
// base64url alphabet without padding (RFC 4648 section 5); its contents are
// the node's business (node/auth/token layout, docs/api.md).
//
// Reasons (stable; docs/api.md): AUTH_MALFORMED for any header that is not
// exactly one of the two forms above. The parser reads hostile input: every
// length is bounded before anything is copied, and its messages quote no
// more than the offending parameter's name.
//
// Thread safety: pure functions, callable from any thread. No function here
// logs, prints or returns a secret key.
#ifndef PLEDGER_LEDGER_IO_REQUEST_AUTH_H_
#define PLEDGER_LEDGER_IO_REQUEST_AUTH_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"

namespace pledger::io {

// The domain tag, first line of the canonical bytes.
inline constexpr std::string_view kRequestAuthDomain = "pledger-request-v1";
// Scheme names as written in the header.
inline constexpr std::string_view kSignedAuthScheme = "Pledger-Ed25519";
inline constexpr std::string_view kBearerAuthScheme = "Bearer";

// A signed header is about 270 bytes; a bearer header about 190. 1 KiB leaves
// room for spaces and refuses anything that is plainly not ours before any of
// it is copied.
inline constexpr std::size_t kAuthorizationBytesMax = 1024;
// A token (node/auth/token.h) is at most 178 bytes, 238 base64url characters.
inline constexpr std::size_t kBearerTokenCharsMax = 512;
// Unix milliseconds fit 16 decimal digits until the year 318857.
inline constexpr std::size_t kTimestampDigitsMax = 16;

inline constexpr std::size_t kRequestNonceSize = 16;
using RequestNonce = std::array<std::uint8_t, kRequestNonceSize>;

// 16 bytes from the operating system's generator (OpenSSL RAND_bytes).
RequestNonce RandomRequestNonce();

// What a signed request's signature covers (besides the domain tag).
struct RequestAuthFields {
  std::string_view chain_id;
  std::string_view method;   // "GET"
  std::string_view target;   // "/v1/pledges?bank=bank-a", as sent
  std::string_view body;     // exact body bytes; "" for none
  std::uint64_t timestamp_ms = 0;
  RequestNonce nonce{};
  ledger::PublicKey public_key{};
};

// The canonical bytes above. Total: the caller checks the fields (the signer
// through SignRequestHeader, the node by receiving them off the wire).
std::string RequestSigningBytes(const RequestAuthFields& fields);

// The Authorization header value (signed form) for one request, signed with
// `key`. Refuses (AUTH_REQUEST_INVALID) a method that is not 1 to 16
// upper-case letters and a target that does not start with '/' or holds a
// byte outside 0x21-0x7E: the server would see other bytes than were signed.
// The error never mentions the key.
Result<std::string> SignRequestHeader(const ledger::SecretKey& key, std::string_view chain_id,
                                      std::string_view method, std::string_view target,
                                      std::string_view body, std::uint64_t now_ms,
                                      const RequestNonce& nonce);

// The header value as the parser found it.
struct ParsedAuth {
  enum class Kind { kSigned, kBearer };
  Kind kind = Kind::kSigned;
  // kSigned:
  ledger::PublicKey public_key{};
  std::uint64_t timestamp_ms = 0;
  RequestNonce nonce{};
  ledger::SignatureBytes signature{};
  // kBearer: the token text (base64url, checked for alphabet and length only).
  std::string token;
};

// Parses an Authorization header value strictly (see the top of this file).
// Any failure is Unauthenticated with reason AUTH_MALFORMED (the node
// answers 401, as for every AUTH_ reason but AUTH_BUSY); an empty value
// too (a missing header is the caller's AUTH_MISSING).
Result<ParsedAuth> ParseAuthorization(std::string_view header);

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_REQUEST_AUTH_H_
