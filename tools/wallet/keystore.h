// Keystore: Ed25519 keys encrypted at rest (libsodium: Argon2id key
// derivation, XChaCha20-Poly1305 authenticated encryption).
//
// Layout: <home>/keys/<name>.json (mode 0600) in a directory of mode 0700.
// <home> is $PLEDGER_HOME, else ~/.pledger. Files are written atomically, so
// an interrupted write or a wrong passphrase never leaves a partial file.
//
// Secrets: passphrases and seeds are held in std::string only as long as
// needed and wiped (sodium_memzero) after use; nothing here logs them.
//
// Errors (reasons): KEY_EXISTS, KEY_NOT_FOUND, KEY_NAME_INVALID,
// KEYFILE_CORRUPT, WRONG_PASSPHRASE, PASSPHRASE_EMPTY, KEYFILE_PERMISSIONS.
// Thread-compatible (no shared state besides the file system).
#ifndef PLEDGER_TOOLS_WALLET_KEYSTORE_H_
#define PLEDGER_TOOLS_WALLET_KEYSTORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/crypto.h"
#include "tools/proto/wallet.pb.h"

namespace pledger::tools {

// Key derivation cost. The defaults are libsodium's "interactive" limits
// (about 0.1 s and 64 MiB on this class of machine); files record their own
// limits, so stronger ones can be chosen per key.
struct KdfLimits {
  std::uint64_t opslimit;
  std::uint64_t memlimit;
};
KdfLimits DefaultKdfLimits();

class Keystore {
 public:
  explicit Keystore(std::string home);
  // $PLEDGER_HOME or ~/.pledger.
  static std::string DefaultHome();

  const std::string& home() const { return home_; }
  std::string KeyPath(const std::string& name) const;

  // Encrypts and stores `key` under `name`. Refuses to overwrite.
  Status Save(const std::string& name, const ledger::SecretKey& key, const std::string& passphrase,
              KdfLimits limits = DefaultKdfLimits());
  // Decrypts the key. WRONG_PASSPHRASE if the passphrase (or the file) does
  // not authenticate.
  Result<ledger::SecretKey> Load(const std::string& name, const std::string& passphrase) const;
  // The public part, without a passphrase.
  Result<KeyFile> Info(const std::string& name) const;
  // The names of all key files (NAME.json), sorted; whether or not they open.
  std::vector<std::string> Names() const;
  // Every key whose file passes Info (unreadable or unsafe files are left
  // out: call Info on Names() to report them).
  Result<std::vector<KeyFile>> List() const;

  // Encrypts a key into a KeyFile message (for export to another machine).
  static Result<KeyFile> Encrypt(const std::string& name, const ledger::SecretKey& key,
                                 const std::string& passphrase, KdfLimits limits);
  static Result<ledger::SecretKey> Decrypt(const KeyFile& file, const std::string& passphrase);
  static Result<KeyFile> ParseKeyFile(const std::string& json);
  static std::string KeyFileToJson(const KeyFile& file);

 private:
  std::string home_;
};

// Key names: 1..64 of [A-Za-z0-9._-], not starting with '.'.
Status ValidateKeyName(const std::string& name);

}  // namespace pledger::tools

#endif  // PLEDGER_TOOLS_WALLET_KEYSTORE_H_
