#include <catch2/catch.hpp>

#include "ledger/bytes.h"

namespace pledger::ledger {
namespace {

TEST_CASE("hex: round trip and strict decoding", "[bytes]") {
  std::string raw("\x00\x01\xab\xff", 4);
  CHECK(HexEncode(raw) == "0001abff");
  CHECK(*HexDecode("0001ABff") == raw);
  CHECK(HexDecode("abc").status().reason() == "HEX_INVALID");
  CHECK(HexDecode("zz").status().reason() == "HEX_INVALID");
  CHECK(HashFromHex("00").status().reason() == "HASH_INVALID");
}

TEST_CASE("base64: RFC 4648 test vectors", "[bytes]") {
  // RFC 4648 section 10.
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CHECK(Base64Encode(std::string_view(plain)) == encoded);
    CHECK(*Base64Decode(encoded) == plain);
  }
}

TEST_CASE("base64: rejects malformed input", "[bytes]") {
  CHECK(Base64Decode("Zg=").status().reason() == "BASE64_INVALID");    // length
  CHECK(Base64Decode("Z===").status().reason() == "BASE64_INVALID");   // too much padding
  CHECK(Base64Decode("Zh==").status().reason() == "BASE64_INVALID");   // non-canonical bits
  CHECK(Base64Decode("Zm9v\n").status().reason() == "BASE64_INVALID");
  CHECK(Base64Decode("Zg==Zg==").status().reason() == "BASE64_INVALID");  // padding mid-text
}

TEST_CASE("big-endian keys sort numerically", "[bytes]") {
  std::string a, b;
  PutBigEndian64(&a, 255);
  PutBigEndian64(&b, 256);
  CHECK(a < b);
  CHECK(GetBigEndian64(b.data()) == 256);
  std::string c;
  PutBigEndian32(&c, 0xdeadbeef);
  CHECK(GetBigEndian32(c.data()) == 0xdeadbeefu);
}

}  // namespace
}  // namespace pledger::ledger
