#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "node/files.h"
#include "tests/support/test_util.h"
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
  std::string file = *node::ReadFile(ks.KeyPath("bank-a"));
  CHECK(file.find(ledger::HexEncode(key.ExportSeed())) == std::string::npos);
}

TEST_CASE("keystore: a wrong passphrase is a clear error and changes nothing", "[keystore]") {
  test::TempDir dir;
  Keystore ks(dir.path());
  auto key = ledger::SecretKey::Generate();
  REQUIRE(ks.Save("k", key, "right", kFast).ok());
  std::string before = *node::ReadFile(ks.KeyPath("k"));
  auto r = ks.Load("k", "wrong");
  CHECK(r.status().reason() == "WRONG_PASSPHRASE");
  CHECK(*node::ReadFile(ks.KeyPath("k")) == before);
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
  std::string good = *node::ReadFile(path);

  SECTION("garbage") {
    REQUIRE(node::WriteFileAtomic(path, "{not json", 0600).ok());
    CHECK(ks.Load("k", "pw").status().reason() == "KEYFILE_CORRUPT");
  }
  SECTION("a flipped ciphertext byte") {
    auto f = *Keystore::ParseKeyFile(good);
    std::string ct = f.ciphertext_hex();
    ct[0] = ct[0] == 'a' ? 'b' : 'a';
    f.set_ciphertext_hex(ct);
    REQUIRE(node::WriteFileAtomic(path, Keystore::KeyFileToJson(f), 0600).ok());
    CHECK(ks.Load("k", "pw").status().reason() == "WRONG_PASSPHRASE");
  }
  SECTION("a swapped public key label") {
    auto f = *Keystore::ParseKeyFile(good);
    f.set_public_key_hex(ledger::HexEncode(ledger::SecretKey::Generate().public_key()));
    REQUIRE(node::WriteFileAtomic(path, Keystore::KeyFileToJson(f), 0600).ok());
    CHECK(ks.Load("k", "pw").status().reason() == "WRONG_PASSPHRASE");
  }
  SECTION("truncated") {
    REQUIRE(node::WriteFileAtomic(path, good.substr(0, good.size() / 2), 0600).ok());
    CHECK(ks.Load("k", "pw").status().reason() == "KEYFILE_CORRUPT");
  }
  SECTION("readable by others") {
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    CHECK(ks.Load("k", "pw").status().reason() == "KEYFILE_PERMISSIONS");
  }
}

}  // namespace
}  // namespace pledger::tools
