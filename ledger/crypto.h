// SHA-256 (OpenSSL EVP) and Ed25519 (libsodium).
//
// Thread safety: every function is safe to call from any thread. Sha256Hasher
// is a value used by one thread at a time.
//
// Secret keys: SecretKey never prints itself, zeroes its memory when destroyed
// and has no implicit conversion to bytes. The only way out is
// SecretKey::ExportSeed(), which key stores call to encrypt the seed; nothing
// else may log, print or persist it.
#ifndef PLEDGER_LEDGER_CRYPTO_H_
#define PLEDGER_LEDGER_CRYPTO_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "consensus/status.h"
#include "ledger/bytes.h"

namespace pledger::ledger {

// ---- SHA-256 -----------------------------------------------------------------

Hash256 Sha256(ByteSpan data);
inline Hash256 Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

// Incremental SHA-256, for hashing a message from several pieces without
// concatenating them first.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  Sha256Hasher& Update(ByteSpan data);
  Sha256Hasher& Update(std::string_view data) { return Update(AsBytes(data)); }
  Sha256Hasher& Update(const Hash256& h) { return Update(ByteSpan(h)); }
  // Returns the digest and resets the hasher for reuse.
  Hash256 Finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// ---- Ed25519 -------------------------------------------------------------------

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSignatureSize = 64;
inline constexpr size_t kSeedSize = 32;

using PublicKey = std::array<std::uint8_t, kPublicKeySize>;
using SignatureBytes = std::array<std::uint8_t, kSignatureSize>;

// An Ed25519 signing key. Move-only; memory is wiped on destruction.
class SecretKey {
 public:
  // A fresh key from the operating system's entropy (libsodium randombytes).
  // Never call this from contracts: they must be deterministic.
  static SecretKey Generate();
  // The key derived from a 32-byte seed (RFC 8032 "secret key").
  static Result<SecretKey> FromSeed(std::string_view seed);

  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  const PublicKey& public_key() const { return public_key_; }
  SignatureBytes Sign(ByteSpan message) const;
  SignatureBytes Sign(std::string_view message) const { return Sign(AsBytes(message)); }

  // The 32-byte seed. For encrypted key stores only.
  std::string ExportSeed() const;

 private:
  SecretKey() = default;
  std::array<std::uint8_t, 64> sk_{};  // libsodium layout: seed || public key
  PublicKey public_key_{};
};

// True iff `signature` is a valid Ed25519 signature of `message` by `public_key`.
bool Verify(const PublicKey& public_key, ByteSpan message, const SignatureBytes& signature);

// Checks lengths and the signature; the reasons are stable:
// KEY_LENGTH_INVALID, SIGNATURE_LENGTH_INVALID, SIGNATURE_INVALID.
Status VerifyRaw(std::string_view public_key, std::string_view message,
                 std::string_view signature);

Result<PublicKey> PublicKeyFromBytes(std::string_view raw);
Result<PublicKey> PublicKeyFromHex(std::string_view hex);

// Makes sure libsodium is initialised. Called by the functions above; cheap.
void EnsureCryptoInitialized();

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_CRYPTO_H_
