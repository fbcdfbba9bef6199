#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "ledger/io/files.h"
#include "ledger/io/pki.h"
#include "tests/support/test_util.h"
#include "tests/unit/tools/wallet_harness.h"
#include "tools/wallet/keystore.h"

namespace pledger::tools {
namespace {

// Cheap limits: these tests check the format, not the KDF's strength.
constexpr KdfLimits kFast{1, 8192};

TEST_CASE("keystore: save and load round trip, file mode 0600", "[keystore]") {
  test::TempDir dir;
  Keystore ks(dir.path());
  auto key = ledger::SecretKey::Generate();
  REQUIRE(ks.Save("bank-a", key, "correct horse", kFast).ok());
  struct stat st {};
  REQUIRE(::stat(ks.KeyPath("bank-a").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = ks.Load("bank-a", "correct horse");
  REQUIRE(loaded.ok());
  CHECK(loaded->public_key() == key.public_key());
  auto list = ks.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].public_key_hex() == ledger::HexEncode(key.public_key()));
  // The seed is nowhere in the file.
  std::string file = *io::ReadFile(ks.KeyPath("bank-a"));
  CHECK(file.find(ledger::HexEncode(key.ExportSeed())) == std::string::npos);
}

TEST_CASE("keystore: a wrong passphrase is a clear error and changes nothing", "[keystore]") {
  test::TempDir dir;
  Keystore ks(dir.path());
  auto key = ledger::SecretKey::Generate();
  REQUIRE(ks.Save("k", key, "right", kFast).ok());
  std::string before = *io::ReadFile(ks.KeyPath("k"));
  auto r = ks.Load("k", "wrong");
  CHECK(r.status().reason() == "WRONG_PASSPHRASE");
  CHECK(*io::ReadFile(ks.KeyPath("k")) == before);
  CHECK(ks.Save("k", key, "right", kFast).reason() == "KEY_EXISTS");
  CHECK(ks.Save("x", key, "", kFast).reason() == "PASSPHRASE_EMPTY");
  CHECK(ks.Save("../evil", key, "p", kFast).reason() == "KEY_NAME_INVALID");
  CHECK(ks.Load("missing", "p").status().reason() == "KEY_NOT_FOUND");
}

TEST_CASE("keystore: corrupted or edited files are refused", "[keystore]") {
  test::TempDir dir;
  Keystore ks(dir.path());
  auto key = ledger::SecretKey::Generate();
  REQUIRE(ks.Save("k", key, "pw", kFast).ok());
  std::string path = ks.KeyPath("k");
  std::string good = *io::ReadFile(path);

  SECTION("garbage") {
    REQUIRE(io::WriteFileAtomic(path, "{not json", 0600).ok());
    CHECK(ks.Load("k", "pw").status().reason() == "KEYFILE_CORRUPT");
  }
  SECTION("a flipped ciphertext byte") {
    auto f = *Keystore::ParseKeyFile(good);
    std::string ct = f.ciphertext_hex();
    ct[0] = ct[0] == 'a' ? 'b' : 'a';
    f.set_ciphertext_hex(ct);
    REQUIRE(io::WriteFileAtomic(path, Keystore::KeyFileToJson(f), 0600).ok());
    CHECK(ks.Load("k", "pw").status().reason() == "WRONG_PASSPHRASE");
  }
  SECTION("a swapped public key label") {
    auto f = *Keystore::ParseKeyFile(good);
    f.set_public_key_hex(ledger::HexEncode(ledger::SecretKey::Generate().public_key()));
    REQUIRE(io::WriteFileAtomic(path, Keystore::KeyFileToJson(f), 0600).ok());
    CHECK(ks.Load("k", "pw").status().reason() == "WRONG_PASSPHRASE");
  }
  SECTION("truncated") {
    REQUIRE(io::WriteFileAtomic(path, good.substr(0, good.size() / 2), 0600).ok());
    CHECK(ks.Load("k", "pw").status().reason() == "KEYFILE_CORRUPT");
  }
  SECTION("readable by others") {
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    CHECK(ks.Load("k", "pw").status().reason() == "KEYFILE_PERMISSIONS");
  }
}

TEST_CASE("keystore: key-derivation limits out of range are a damaged file, not a hang", "[keystore]") {
  test::TempDir dir;
  Keystore ks(dir.path());
  REQUIRE(ks.Save("k", ledger::SecretKey::Generate(), "pw", kFast).ok());
  auto f = *Keystore::ParseKeyFile(*io::ReadFile(ks.KeyPath("k")));
  f.set_kdf_memlimit(std::uint64_t{1} << 40);  // 1 TiB: refused before allocating
  REQUIRE(io::WriteFileAtomic(ks.KeyPath("k"), Keystore::KeyFileToJson(f), 0600).ok());
  CHECK(ks.Load("k", "pw").status().reason() == "KEYFILE_CORRUPT");
  f.set_kdf("scrypt");
  REQUIRE(io::WriteFileAtomic(ks.KeyPath("k"), Keystore::KeyFileToJson(f), 0600).ok());
  CHECK(ks.Load("k", "pw").status().reason() == "KEYFILE_CORRUPT");
}

TEST_CASE("keystore: export re-encrypts, import takes exports and PEM files", "[keystore]") {
  test::WalletHarness h;
  h.ImportKey("bank", test::TestKey(1));
  const std::string pub = ledger::HexEncode(test::TestKey(1).public_key());
  const std::string seed_hex = ledger::HexEncode(test::TestKey(1).ExportSeed());

  test::WalletRun r = h.Run({"key", "export", "bank", "--out", h.Path("bank.json"), "--passphrase-env", "PW"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  struct stat st {};
  REQUIRE(::stat(h.Path("bank.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto exported = Keystore::ParseKeyFile(*io::ReadFile(h.Path("bank.json")));
  REQUIRE(exported.ok());
  auto original = Keystore(h.home()).Info("bank");
  REQUIRE(original.ok());
  CHECK(exported->kdf_salt_hex() != original->kdf_salt_hex());  // fresh salt and nonce
  CHECK(exported->nonce_hex() != original->nonce_hex());
  CHECK(Keystore::Decrypt(*exported, h.env["PW"])->public_key() == test::TestKey(1).public_key());
  CHECK(io::ReadFile(h.Path("bank.json"))->find(seed_hex) == std::string::npos);

  // Never over a file, never to standard output.
  r = h.Run({"key", "export", "bank", "--out", h.Path("bank.json"), "--passphrase-env", "PW"});
  CHECK(r.code == 2);
  CHECK(r.err.find("already exists") != std::string::npos);
  r = h.Run({"key", "export", "bank", "--out", "-", "--passphrase-env", "PW"});
  CHECK(r.code == 2);

  // Import the export under another name (the name is bound to the
  // ciphertext, so the wallet re-encrypts), with the same or a new passphrase.
  r = h.Run({"key", "import", "bank2", "--from", h.Path("bank.json"), "--passphrase-env", "PW"});
  REQUIRE(r.code == 0);
  CHECK(Keystore(h.home()).Load("bank2", h.env["PW"])->public_key() == test::TestKey(1).public_key());
  r = h.Run({"key", "import", "bank3", "--from", h.Path("bank.json"), "--passphrase-env", "PW", "--change-passphrase"});
  CHECK(r.code == 1);  // no terminal to ask on
  CHECK(r.err.find("PASSPHRASE_UNAVAILABLE") != std::string::npos);
  h.env["NEW"] = "a new passphrase";
  r = h.Run({"key", "import", "bank3", "--from", h.Path("bank.json"), "--passphrase-env", "PW", "--new-passphrase-env",
             "NEW"});
  REQUIRE(r.code == 0);
  CHECK(Keystore(h.home()).Load("bank3", "a new passphrase").ok());
  CHECK(Keystore(h.home()).Load("bank3", h.env["PW"]).status().reason() == "WRONG_PASSPHRASE");
  r = h.Run({"key", "import", "bank4", "--from", h.Path("bank.json"), "--passphrase-env", "NEW"});
  CHECK(r.code == 1);
  CHECK(r.err.find("WRONG_PASSPHRASE") != std::string::npos);
  CHECK_FALSE(io::FileExists(Keystore(h.home()).KeyPath("bank4")));

  // Plaintext only with the flag that says so, 0600, with a warning.
  r = h.Run({"key", "export", "bank", "--out", h.Path("bank-export.pem"), "--passphrase-env", "PW",
             "--insecure-plaintext-pem"});
  REQUIRE(r.code == 0);
  CHECK(r.err.find("WARNING") != std::string::npos);
  CHECK(r.out.find("PRIVATE KEY") == std::string::npos);
  REQUIRE(::stat(h.Path("bank-export.pem").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto pem_key = io::Ed25519KeyFromPem(*io::ReadFile(h.Path("bank-export.pem")));
  REQUIRE(pem_key.ok());
  CHECK(pem_key->public_key() == test::TestKey(1).public_key());

  // Importing a PEM reminds the user to delete it; garbage is refused by flag.
  r = h.Run({"key", "import", "bank5", "--from", h.Path("bank-export.pem"), "--passphrase-env", "PW"});
  CHECK(r.code == 0);
  CHECK(r.err.find("still holds the key unencrypted") != std::string::npos);
  REQUIRE(io::WriteFileAtomic(h.Path("junk"), "hello").ok());
  r = h.Run({"key", "import", "bank6", "--from", h.Path("junk"), "--passphrase-env", "PW"});
  CHECK(r.code == 2);
  CHECK(r.err.find("--from:") != std::string::npos);
  r = h.Run({"key", "import", "bank", "--from", h.Path("bank-export.pem"), "--passphrase-env", "PW"});
  CHECK(r.code == 1);
  CHECK(r.err.find("KEY_EXISTS") != std::string::npos);

  // No command printed the seed or the passphrase.
  for (const auto& args : std::vector<std::vector<std::string>>{{"key", "list"}, {"key", "show", "bank"}}) {
    r = h.Run(args);
    CHECK(r.out.find(seed_hex) == std::string::npos);
    CHECK(r.out.find(h.env["PW"]) == std::string::npos);
    CHECK(r.out.find(pub) != std::string::npos);
  }
}

TEST_CASE("keystore: key list reports a key file it cannot use", "[keystore]") {
  test::WalletHarness h;
  h.ImportKey("bank", test::TestKey(1));
  REQUIRE(::chmod(Keystore(h.home()).KeyPath("bank").c_str(), 0644) == 0);
  test::WalletRun r = h.Run({"key", "list"});
  CHECK(r.code == 0);
  CHECK(r.err.find("key 'bank' is not usable") != std::string::npos);
  CHECK(r.err.find("chmod 600") != std::string::npos);
}

}  // namespace
}  // namespace pledger::tools
