#include <catch2/catch.hpp>

#include "ledger/crypto.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

using test::Unhex;

TEST_CASE("SHA-256: FIPS 180-2 examples", "[crypto]") {
  CHECK(HexEncode(Sha256(std::string_view(""))) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(HexEncode(Sha256(std::string_view("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(HexEncode(Sha256(std::string_view(
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  CHECK(HexEncode(Sha256(million)) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256: incremental hashing equals one-shot", "[crypto]") {
  Sha256Hasher h;
  h.Update(std::string_view("abcdbcdecdefdefgefgh")).Update(std::string_view(
      "fghighijhijkijkljklmklmnlmnomnopnopq"));
  CHECK(HexEncode(h.Finish()) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Finish resets the hasher.
  h.Update(std::string_view("abc"));
  CHECK(HexEncode(h.Finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

struct Ed25519Vector {
  const char* name;
  const char* seed;
  const char* pub;
  const char* msg;
  const char* sig;
};

// RFC 8032 section 7.1 (TEST 1, 2, 3 and SHA(abc)).
const Ed25519Vector kRfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46"
     "bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8"
     "c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc65"
     "94a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebb"
     "d454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e03"
     "03dca179c138ac17ad9bef1177331a704"},
};

TEST_CASE("Ed25519: RFC 8032 section 7.1 vectors", "[crypto]") {
  for (const auto& v : kRfc8032) {
    INFO(v.name);
    auto key = SecretKey::FromSeed(Unhex(v.seed));
    REQUIRE(key.ok());
    CHECK(HexEncode(key->public_key()) == v.pub);
    std::string msg = Unhex(v.msg);
    SignatureBytes sig = key->Sign(msg);
    CHECK(HexEncode(sig) == v.sig);
    CHECK(Verify(key->public_key(), AsBytes(msg), sig));
    CHECK(VerifyRaw(Unhex(v.pub), msg, Unhex(v.sig)).ok());
    // One flipped bit anywhere is refused.
    SignatureBytes bad = sig;
    bad[10] ^= 0x01;
    CHECK_FALSE(Verify(key->public_key(), AsBytes(msg), bad));
    CHECK(VerifyRaw(Unhex(v.pub), msg + "x", Unhex(v.sig)).reason() == "SIGNATURE_INVALID");
  }
}

TEST_CASE("Ed25519: wrong lengths are clear errors", "[crypto]") {
  std::string pub = Unhex(kRfc8032[0].pub);
  std::string sig = Unhex(kRfc8032[0].sig);
  CHECK(VerifyRaw(pub.substr(0, 31), "", sig).reason() == "KEY_LENGTH_INVALID");
  CHECK(VerifyRaw(pub, "", sig + "0").reason() == "SIGNATURE_LENGTH_INVALID");
  CHECK(SecretKey::FromSeed("short").status().reason() == "KEY_LENGTH_INVALID");
  CHECK(PublicKeyFromHex("00").status().reason() == "KEY_LENGTH_INVALID");
}

TEST_CASE("Ed25519: generated keys sign and verify, seeds round-trip", "[crypto]") {
  SecretKey a = SecretKey::Generate();
  SecretKey b = SecretKey::Generate();
  CHECK(a.public_key() != b.public_key());
  auto again = SecretKey::FromSeed(a.ExportSeed());
  REQUIRE(again.ok());
  CHECK(again->public_key() == a.public_key());
  auto sig = a.Sign(std::string_view("pledge"));
  CHECK(Verify(a.public_key(), AsBytes(std::string_view("pledge")), sig));
  CHECK_FALSE(Verify(b.public_key(), AsBytes(std::string_view("pledge")), sig));
}

}  // namespace
}  // namespace pledger::ledger
