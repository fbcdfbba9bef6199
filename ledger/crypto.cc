#include "ledger/crypto.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace pledger::ledger {
namespace {

// The SHA-256 implementation is fetched once: OpenSSL 3 does a provider lookup
// on every implicit fetch otherwise, which costs more than hashing a tx body.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) std::abort();  // OpenSSL without SHA-256 cannot run a ledger.
    return m;
  }();
  return md;
}

}  // namespace

void EnsureCryptoInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable entropy source: nothing is safe
  });
}

struct Sha256Hasher::Ctx {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256Hasher::Sha256Hasher() : ctx_(std::make_unique<Ctx>()) {
  ctx_->ctx = EVP_MD_CTX_new();
  if (ctx_->ctx == nullptr || EVP_DigestInit_ex(ctx_->ctx, Sha256Md(), nullptr) != 1) std::abort();
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_->ctx); }

Sha256Hasher& Sha256Hasher::Update(ByteSpan data) {
  if (EVP_DigestUpdate(ctx_->ctx, data.data(), data.size()) != 1) std::abort();
  return *this;
}

Hash256 Sha256Hasher::Finish() {
  Hash256 out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->ctx, out.data(), &len) != 1 || len != out.size()) std::abort();
  if (EVP_DigestInit_ex(ctx_->ctx, Sha256Md(), nullptr) != 1) std::abort();
  return out;
}

Hash256 Sha256(ByteSpan data) {
  // One context per thread, reused: EVP_MD_CTX_new per call dominates the cost
  // of hashing small inputs such as Merkle nodes.
  thread_local Sha256Hasher hasher;
  hasher.Update(data);
  return hasher.Finish();
}

SecretKey SecretKey::Generate() {
  EnsureCryptoInitialized();
  SecretKey k;
  crypto_sign_keypair(k.public_key_.data(), k.sk_.data());
  return k;
}

Result<SecretKey> SecretKey::FromSeed(std::string_view seed) {
  if (seed.size() != kSeedSize) {
    return Status::InvalidArgument("KEY_LENGTH_INVALID",
                                   "an Ed25519 seed is 32 bytes, got " + std::to_string(seed.size()));
  }
  EnsureCryptoInitialized();
  SecretKey k;
  crypto_sign_seed_keypair(k.public_key_.data(), k.sk_.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return k;
}

SecretKey::SecretKey(SecretKey&& other) noexcept : sk_(other.sk_), public_key_(other.public_key_) {
  sodium_memzero(other.sk_.data(), other.sk_.size());
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    sk_ = other.sk_;
    public_key_ = other.public_key_;
    sodium_memzero(other.sk_.data(), other.sk_.size());
  }
  return *this;
}

SecretKey::~SecretKey() { sodium_memzero(sk_.data(), sk_.size()); }

SignatureBytes SecretKey::Sign(ByteSpan message) const {
  SignatureBytes sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk_.data());
  return sig;
}

std::string SecretKey::ExportSeed() const {
  return std::string(reinterpret_cast<const char*>(sk_.data()), kSeedSize);
}

bool Verify(const PublicKey& public_key, ByteSpan message, const SignatureBytes& signature) {
  EnsureCryptoInitialized();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

Status VerifyRaw(std::string_view public_key, std::string_view message,
                 std::string_view signature) {
  if (public_key.size() != kPublicKeySize) {
    return Status::InvalidArgument("KEY_LENGTH_INVALID", "an Ed25519 public key is 32 bytes, got " +
                                                             std::to_string(public_key.size()));
  }
  if (signature.size() != kSignatureSize) {
    return Status::InvalidArgument("SIGNATURE_LENGTH_INVALID",
                                   "an Ed25519 signature is 64 bytes, got " +
                                       std::to_string(signature.size()));
  }
  PublicKey pk;
  SignatureBytes sig;
  std::memcpy(pk.data(), public_key.data(), pk.size());
  std::memcpy(sig.data(), signature.data(), sig.size());
  if (!Verify(pk, AsBytes(message), sig)) {
    return Status::Unauthenticated(
        "SIGNATURE_INVALID", "signature by key " + HexEncode(public_key).substr(0, 16) +
                                 "… does not verify; sign the exact body bytes with that key");
  }
  return Status::OK();
}

Result<PublicKey> PublicKeyFromBytes(std::string_view raw) {
  if (raw.size() != kPublicKeySize) {
    return Status::InvalidArgument("KEY_LENGTH_INVALID", "an Ed25519 public key is 32 bytes, got " +
                                                             std::to_string(raw.size()));
  }
  PublicKey pk;
  std::memcpy(pk.data(), raw.data(), pk.size());
  return pk;
}

Result<PublicKey> PublicKeyFromHex(std::string_view hex) {
  PLEDGER_ASSIGN_OR_RETURN(std::string raw, HexDecode(hex));
  return PublicKeyFromBytes(raw);
}

}  // namespace pledger::ledger
