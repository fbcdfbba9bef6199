#include "tools/wallet/keystore.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <dirent.h>
#include <google/protobuf/util/json_util.h>

#include "ledger/bytes.h"
#include "ledger/io/files.h"

namespace pledger::tools {
namespace {

constexpr char kKdf[] = "argon2id13";
constexpr char kCipher[] = "xchacha20poly1305-ietf";
constexpr size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
static_assert(kSaltBytes == 16, "key file format fixes a 16-byte salt");
static_assert(kNonceBytes == 24, "key file format fixes a 24-byte nonce");

// Wipes a secret string when it leaves scope.
struct Wipe {
  std::string& s;
  ~Wipe() { sodium_memzero(s.data(), s.size()); }
};

std::string Aad(const KeyFile& f) { return "pledger-key-v1|" + f.name() + "|" + f.public_key_hex(); }

Status DeriveKey(const std::string& passphrase, const std::string& salt, std::uint64_t ops,
                 std::uint64_t mem, unsigned char out[kKeyBytes]) {
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_MAX ||
      mem < crypto_pwhash_MEMLIMIT_MIN || mem > (std::uint64_t{4} << 30)) {
    return Status::InvalidArgument("KEYFILE_CORRUPT",
                                   "key file has key-derivation limits out of range");
  }
  if (crypto_pwhash(out, kKeyBytes, passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), ops,
                    static_cast<size_t>(mem), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("KDF_FAILED",
                                     "key derivation ran out of memory; free memory and retry");
  }
  return Status::OK();
}

std::string Now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

KdfLimits DefaultKdfLimits() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Status ValidateKeyName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && name[0] != '.';
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') ok = false;
  }
  if (!ok) {
    return Status::InvalidArgument("KEY_NAME_INVALID",
                                   "key name '" + name +
                                       "' must be 1-64 characters of A-Z a-z 0-9 . _ - "
                                       "(not starting with '.')");
  }
  return Status::OK();
}

Keystore::Keystore(std::string home) : home_(std::move(home)) {}

std::string Keystore::DefaultHome() {
  if (const char* h = std::getenv("PLEDGER_HOME"); h && *h) return h;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.pledger";
}

std::string Keystore::KeyPath(const std::string& name) const { return home_ + "/keys/" + name + ".json"; }

Result<KeyFile> Keystore::Encrypt(const std::string& name, const ledger::SecretKey& key,
                                  const std::string& passphrase, KdfLimits limits) {
  PLEDGER_RETURN_IF_ERROR(ValidateKeyName(name));
  if (passphrase.empty()) {
    return Status::InvalidArgument("PASSPHRASE_EMPTY",
                                   "a key needs a non-empty passphrase to be stored encrypted");
  }
  ledger::EnsureCryptoInitialized();
  KeyFile f;
  f.set_version(1);
  f.set_name(name);
  f.set_public_key_hex(ledger::HexEncode(key.public_key()));
  f.set_kdf(kKdf);
  f.set_kdf_opslimit(limits.opslimit);
  f.set_kdf_memlimit(limits.memlimit);
  std::string salt(kSaltBytes, '\0'), nonce(kNonceBytes, '\0');
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  f.set_kdf_salt_hex(ledger::HexEncode(salt));
  f.set_cipher(kCipher);
  f.set_nonce_hex(ledger::HexEncode(nonce));
  f.set_created(Now());

  unsigned char k[kKeyBytes];
  PLEDGER_RETURN_IF_ERROR(DeriveKey(passphrase, salt, limits.opslimit, limits.memlimit, k));
  std::string seed = key.ExportSeed();
  Wipe wipe_seed{seed};
  std::string aad = Aad(f);
  std::string ct(seed.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(ct.data()), &ct_len,
      reinterpret_cast<const unsigned char*>(seed.data()), seed.size(),
      reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), nullptr,
      reinterpret_cast<const unsigned char*>(nonce.data()), k);
  sodium_memzero(k, sizeof(k));
  ct.resize(ct_len);
  f.set_ciphertext_hex(ledger::HexEncode(ct));
  return f;
}

Result<ledger::SecretKey> Keystore::Decrypt(const KeyFile& f, const std::string& passphrase) {
  if (f.version() != 1 || f.kdf() != kKdf || f.cipher() != kCipher) {
    return Status::InvalidArgument("KEYFILE_CORRUPT",
                                   "key file '" + f.name() + "' has an unknown version or algorithm");
  }
  auto salt = ledger::HexDecode(f.kdf_salt_hex());
  auto nonce = ledger::HexDecode(f.nonce_hex());
  auto ct = ledger::HexDecode(f.ciphertext_hex());
  if (!salt.ok() || !nonce.ok() || !ct.ok() || salt->size() != kSaltBytes ||
      nonce->size() != kNonceBytes ||
      ct->size() != ledger::kSeedSize + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return Status::InvalidArgument("KEYFILE_CORRUPT", "key file '" + f.name() +
                                                          "' is damaged (bad salt, nonce or "
                                                          "ciphertext)");
  }
  ledger::EnsureCryptoInitialized();
  unsigned char k[kKeyBytes];
  PLEDGER_RETURN_IF_ERROR(DeriveKey(passphrase, *salt, f.kdf_opslimit(), f.kdf_memlimit(), k));
  std::string seed(ledger::kSeedSize, '\0');
  Wipe wipe_seed{seed};
  unsigned long long seed_len = 0;
  std::string aad = Aad(f);
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(seed.data()), &seed_len, nullptr,
      reinterpret_cast<const unsigned char*>(ct->data()), ct->size(),
      reinterpret_cast<const unsigned char*>(aad.data()), aad.size(),
      reinterpret_cast<const unsigned char*>(nonce->data()), k);
  sodium_memzero(k, sizeof(k));
  if (rc != 0) {
    return Status::Unauthenticated("WRONG_PASSPHRASE",
                                   "the passphrase does not open key '" + f.name() +
                                       "' (or the key file was altered)");
  }
  auto key = ledger::SecretKey::FromSeed(seed);
  if (!key.ok()) return key.status();
  if (ledger::HexEncode(key->public_key()) != f.public_key_hex()) {
    return Status::InvalidArgument("KEYFILE_CORRUPT", "key file '" + f.name() +
                                                          "' decrypts to another public key");
  }
  return key;
}

Result<KeyFile> Keystore::ParseKeyFile(const std::string& json) {
  KeyFile f;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(json, &f, opts);
  if (!st.ok()) {
    return Status::InvalidArgument("KEYFILE_CORRUPT",
                                   "key file is not valid JSON for a key: " + st.ToString());
  }
  return f;
}

std::string Keystore::KeyFileToJson(const KeyFile& file) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(file, &out, opts);
  return out;
}

Status Keystore::Save(const std::string& name, const ledger::SecretKey& key,
                      const std::string& passphrase, KdfLimits limits) {
  PLEDGER_RETURN_IF_ERROR(ValidateKeyName(name));
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(home_, 0700));
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(home_ + "/keys", 0700));
  if (io::FileExists(KeyPath(name))) {
    return Status::AlreadyExists("KEY_EXISTS", "a key named '" + name +
                                                   "' already exists; pick another name or "
                                                   "remove " + KeyPath(name) + " first");
  }
  PLEDGER_ASSIGN_OR_RETURN(KeyFile f, Encrypt(name, key, passphrase, limits));
  Status s = io::WriteFileAtomic(KeyPath(name), KeyFileToJson(f), 0600, /*exclusive=*/true);
  if (s.reason() == "FILE_EXISTS") {
    return Status::AlreadyExists("KEY_EXISTS", "a key named '" + name + "' already exists");
  }
  return s;
}

Result<KeyFile> Keystore::Info(const std::string& name) const {
  PLEDGER_RETURN_IF_ERROR(ValidateKeyName(name));
  std::string path = KeyPath(name);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("KEY_NOT_FOUND", "no key named '" + name + "' in " + home_ +
                                                 "/keys; see `pledger-wallet key list`");
  }
  if ((st.st_mode & 0077) != 0) {
    return Status::PermissionDenied("KEYFILE_PERMISSIONS",
                                    path + " is readable by others; run chmod 600 " + path);
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string json, io::ReadFile(path, 64 << 10));
  PLEDGER_ASSIGN_OR_RETURN(KeyFile f, ParseKeyFile(json));
  if (f.name() != name) {
    return Status::InvalidArgument("KEYFILE_CORRUPT", path + " holds a key named '" + f.name() +
                                                          "', not '" + name + "'");
  }
  return f;
}

Result<ledger::SecretKey> Keystore::Load(const std::string& name, const std::string& passphrase) const {
  PLEDGER_ASSIGN_OR_RETURN(KeyFile f, Info(name));
  return Decrypt(f, passphrase);
}

std::vector<std::string> Keystore::Names() const {
  std::vector<std::string> names;
  std::string dir = home_ + "/keys";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    // Temporary files of an interrupted atomic write start with '.'.
    if (n.size() > 5 && n[0] != '.' && n.substr(n.size() - 5) == ".json") names.push_back(n.substr(0, n.size() - 5));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<KeyFile>> Keystore::List() const {
  std::vector<KeyFile> out;
  for (const auto& n : Names()) {
    auto f = Info(n);
    if (f.ok()) out.push_back(*f);
  }
  return out;
}

}  // namespace pledger::tools
