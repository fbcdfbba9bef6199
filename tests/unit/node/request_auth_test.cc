// ledger/io/request_auth: canonical bytes, the signed header, the strict
// parser, and the worked example of docs/api.md ("Access (authentication)"),
// which this test checks against the page itself.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/io/request_auth.h"
#include "tests/support/test_util.h"

namespace pledger::io {
namespace {

// The worked example's inputs. The seed stays here: the page shows only the
// public key, so readers verify the signature rather than forge one.
ledger::SecretKey ExampleKey() {
  const ledger::Hash256 seed = ledger::Sha256(std::string_view("pledger docs: Access worked example"));
  return ledger::SecretKey::FromSeed(ledger::AsStringView(ledger::ByteSpan(seed))).value();
}
constexpr std::string_view kExChain = "pledger-devnet";
constexpr std::string_view kExMethod = "POST";
constexpr std::string_view kExTarget = "/v1/txs?wait=5000";
constexpr std::string_view kExBody = R"({"body":"CgVoZWxsbw==","signatures":[]})";
constexpr std::uint64_t kExTs = 1767225600000;  // 2026-01-01T00:00:00Z
RequestNonce ExampleNonce() {
  RequestNonce n{};
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(i);
  return n;
}

// The values docs/api.md shows, checked below against the code and the page
// (a Python implementation with the `cryptography` package gives the same).
constexpr std::string_view kExPublicKeyHex = "03b9afdef1126c5e9f88f13d03aa05d3e96f795c0c585b1b1acb7a0daedfc449";
constexpr std::string_view kExBodySha = "566ebbe9e31dcae54181439ca2e9e649463dd308c4c30c8f52820fa31f1d4409";
constexpr std::string_view kExCanonicalSha = "09315f3d93446584dfedafbc0e1d9b1008cd4a6f8444d5709a6c85e8cf31f7dd";
constexpr std::string_view kExSignature = "6811b9e49db0836c9fb44ccb0056c2bd026bd6c15819a1d3c35ab2b87268cd63"
    "e410dbc2871d9d6ba1f73c52e512e8c092b81e0c27d8cd5a3bdd58e93d12160c";

// The canonical bytes with "\n" shown as the two characters \n, as on the page.
std::string Escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

TEST_CASE("request auth: canonical bytes are eight lines in the documented order", "[unit][io][auth]") {
  RequestAuthFields f;
  f.chain_id = "c";
  f.method = "GET";
  f.target = "/v1/pledges?bank=b&limit=2";
  f.body = "";
  f.timestamp_ms = 42;
  f.nonce = ExampleNonce();
  f.public_key = ExampleKey().public_key();
  CHECK(RequestSigningBytes(f) ==
        "pledger-request-v1\nc\nGET\n/v1/pledges?bank=b&limit=2\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n42\n"
        "000102030405060708090a0b0c0d0e0f\n" +
            ledger::HexEncode(ledger::ByteSpan(f.public_key)) + "\n");
}

TEST_CASE("request auth: the worked example of docs/api.md", "[unit][io][auth][docs]") {
  const ledger::SecretKey key = ExampleKey();
  RequestAuthFields f;
  f.chain_id = kExChain;
  f.method = kExMethod;
  f.target = kExTarget;
  f.body = kExBody;
  f.timestamp_ms = kExTs;
  f.nonce = ExampleNonce();
  f.public_key = key.public_key();
  const std::string canonical = RequestSigningBytes(f);
  const std::string header =
      SignRequestHeader(key, kExChain, kExMethod, kExTarget, kExBody, kExTs, ExampleNonce()).value();
  const std::string pub = ledger::HexEncode(ledger::ByteSpan(key.public_key()));
  const std::string sig = ledger::HexEncode(ledger::ByteSpan(key.Sign(canonical)));
  // Printed so the page can be regenerated when the example changes.
  INFO("public key " << pub);
  INFO("body sha256 " << ledger::HexEncode(ledger::Sha256(kExBody)));
  INFO("canonical (escaped) " << Escaped(canonical));
  INFO("canonical sha256 " << ledger::HexEncode(ledger::Sha256(canonical)));
  INFO("signature " << sig);
  INFO("header " << header);
  CHECK(pub == kExPublicKeyHex);
  CHECK(ledger::HexEncode(ledger::Sha256(kExBody)) == kExBodySha);
  CHECK(ledger::HexEncode(ledger::Sha256(canonical)) == kExCanonicalSha);
  CHECK(sig == kExSignature);
  CHECK(header == "Pledger-Ed25519 key=" + pub + ", ts=1767225600000, nonce=" +
                      "000102030405060708090a0b0c0d0e0f, sig=" + sig);
  // A reader's check: the documented signature verifies under the documented key.
  const ledger::PublicKey pk = ledger::PublicKeyFromHex(kExPublicKeyHex).value();
  const std::string sig_raw = test::Unhex(kExSignature);
  ledger::SignatureBytes sb{};
  std::copy(sig_raw.begin(), sig_raw.end(), sb.begin());
  CHECK(ledger::Verify(pk, ledger::AsBytes(canonical), sb));

  // The page shows the same values, so a change on either side fails here.
  std::ifstream in(std::string(PLEDGER_SOURCE_DIR) + "/docs/api.md");
  REQUIRE(in.good());
  std::stringstream page;
  page << in.rdbuf();
  const std::string doc = page.str();
  CHECK(doc.find(Escaped(canonical)) != std::string::npos);
  CHECK(doc.find(std::string(kExBody)) != std::string::npos);
  CHECK(doc.find("body (" + std::to_string(kExBody.size()) + " bytes)") != std::string::npos);
  CHECK(doc.find("canonical bytes (" + std::to_string(canonical.size()) + " bytes)") !=
        std::string::npos);
  CHECK(doc.find(pub) != std::string::npos);
  CHECK(doc.find(std::string(kExBodySha)) != std::string::npos);
  CHECK(doc.find(std::string(kExCanonicalSha)) != std::string::npos);
  // The signature is wrapped on the page: check it in its two halves.
  CHECK(doc.find(std::string(kExSignature.substr(0, 64))) != std::string::npos);
  CHECK(doc.find(std::string(kExSignature.substr(64))) != std::string::npos);
  // ...and never the seed.
  const ledger::Hash256 seed = ledger::Sha256(std::string_view("pledger docs: Access worked example"));
  CHECK(doc.find(ledger::HexEncode(seed)) == std::string::npos);
}

TEST_CASE("request auth: a signed header parses back to what was signed", "[unit][io][auth]") {
  const ledger::SecretKey key = test::TestKey(7);
  const RequestNonce nonce = RandomRequestNonce();
  const std::string h =
      SignRequestHeader(key, "chain", "GET", "/v1/status", "", 1'700'000'000'123, nonce).value();
  auto p = ParseAuthorization(h);
  REQUIRE(p.ok());
  CHECK(p->kind == ParsedAuth::Kind::kSigned);
  CHECK(p->public_key == key.public_key());
  CHECK(p->timestamp_ms == 1'700'000'000'123);
  CHECK(p->nonce == nonce);
  RequestAuthFields f{"chain", "GET", "/v1/status", "", 1'700'000'000'123, nonce, key.public_key()};
  CHECK(ledger::Verify(key.public_key(), ledger::AsBytes(RequestSigningBytes(f)), p->signature));

  // Parameters in another order, extra spaces, scheme in another case: the same.
  const std::string k = "key=" + ledger::HexEncode(ledger::ByteSpan(key.public_key()));
  const std::string n = "nonce=" + ledger::HexEncode(ledger::ByteSpan(nonce));
  const std::string s = "sig=" + ledger::HexEncode(ledger::ByteSpan(p->signature));
  auto q = ParseAuthorization("  pledger-ed25519 " + s + " ,  " + n + ",ts=1700000000123, " + k + " ");
  REQUIRE(q.ok());
  CHECK(q->signature == p->signature);
  CHECK(q->nonce == nonce);
}

TEST_CASE("request auth: the bearer form", "[unit][io][auth]") {
  auto p = ParseAuthorization("Bearer AQZub2RlLTE-_x");
  REQUIRE(p.ok());
  CHECK(p->kind == ParsedAuth::Kind::kBearer);
  CHECK(p->token == "AQZub2RlLTE-_x");
  CHECK(ParseAuthorization("bearer abc").ok());
  for (const std::string& bad : std::vector<std::string>{"Bearer", "Bearer ", "Bearer abc=", "Bearer ab+c", "Bearer ab/c",
                          "Bearer a b", "Bearer " + std::string(kBearerTokenCharsMax + 1, 'A')}) {
    INFO(bad.substr(0, 40));
    auto r = ParseAuthorization(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "AUTH_MALFORMED");
  }
}

TEST_CASE("request auth: malformed headers are refused with AUTH_MALFORMED", "[unit][io][auth]") {
  const std::string key(64, 'a'), nonce(32, 'b'), sig(128, 'c');
  auto H = [&](std::string_view extra_first, std::string_view k, std::string_view ts,
               std::string_view n, std::string_view s) {
    return std::string("Pledger-Ed25519 ") + std::string(extra_first) + "key=" + std::string(k) +
           ", ts=" + std::string(ts) + ", nonce=" + std::string(n) + ", sig=" + std::string(s);
  };
  REQUIRE(ParseAuthorization(H("", key, "1", nonce, sig)).ok());
  const std::string cases[] = {
      "",
      "   ",
      "Pledger-Ed25519",
      "Basic dXNlcjpwYXNz",
      "Pledger-Ed25519X " + H("", key, "1", nonce, sig).substr(16),
      H("", std::string(63, 'a'), "1", nonce, sig),             // short key
      H("", std::string(66, 'a'), "1", nonce, sig),             // long key
      H("", std::string(64, 'A'), "1", nonce, sig),             // upper-case hex
      H("", std::string(63, 'a') + "g", "1", nonce, sig),       // not hex
      H("", key, "1", std::string(30, 'b'), sig),               // short nonce
      H("", key, "1", nonce, std::string(127, 'c') + "z"),      // bad sig
      H("", key, "", nonce, sig),                               // empty ts
      H("", key, "01", nonce, sig),                             // leading zero
      H("", key, "-1", nonce, sig),                             // sign
      H("", key, "+1", nonce, sig),
      H("", key, "1e3", nonce, sig),
      H("", key, "12345678901234567", nonce, sig),              // 17 digits
      H("key=" + key + ", ", key, "1", nonce, sig),             // duplicate key
      H("ts=2, ", key, "1", nonce, sig),                        // duplicate ts
      H("extra=1, ", key, "1", nonce, sig),                     // extra field
      H("", key, "1", nonce, sig) + ", ",                       // trailing comma
      H("", key, "1", nonce, sig) + ",x=y",                     // extra at the end
      H("", key, "1", nonce, sig + "\""),                       // quoting
      "Pledger-Ed25519 key=\"" + key + "\", ts=1, nonce=" + nonce + ", sig=" + sig,
      "Pledger-Ed25519 key=" + key + ", ts=1, nonce=" + nonce,  // missing sig
      "Pledger-Ed25519 ts=1, nonce=" + nonce + ", sig=" + sig,  // missing key
      "Pledger-Ed25519 key=" + key + "; ts=1; nonce=" + nonce + "; sig=" + sig,
      "Pledger-Ed25519 key " + key + ", ts=1, nonce=" + nonce + ", sig=" + sig,
      H("", key, "1", nonce, sig) + std::string(16 << 10, ' ') + "x",  // 16 KiB header
      std::string(16 << 10, 'A'),
  };
  for (const std::string& c : cases) {
    INFO("header: " << c.substr(0, 120) << (c.size() > 120 ? "..." : ""));
    auto r = ParseAuthorization(c);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "AUTH_MALFORMED");
    CHECK(r.status().message().size() < 400);  // never echoes the header
  }
}

TEST_CASE("request auth: random garbage never parses as a signed header by accident", "[unit][io][auth]") {
  const std::uint64_t seed = test::TestSeed("request auth garbage");
  std::mt19937_64 rng(seed);
  const std::string good = "Pledger-Ed25519 key=" + std::string(64, 'a') + ", ts=1, nonce=" +
                           std::string(32, 'b') + ", sig=" + std::string(128, 'c');
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string h = good;
    // Flip 1-3 bytes to random values.
    for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) {
      h[rng() % h.size()] = static_cast<char>(rng() % 256);
    }
    auto r = ParseAuthorization(h);
    if (r.ok()) {
      ++accepted;
      // Only changes that keep the form valid may pass: check the round trip.
      CHECK(r->kind == ParsedAuth::Kind::kSigned);
    } else {
      CHECK(r.status().reason() == "AUTH_MALFORMED");
    }
  }
  CHECK(accepted < 20000);
}

TEST_CASE("request auth: SignRequestHeader refuses what the server would not see as signed", "[unit][io][auth]") {
  const ledger::SecretKey key = test::TestKey(3);
  const RequestNonce n = ExampleNonce();
  for (auto [method, target] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"get", "/v1/status"},
           {"", "/v1/status"},
           {"GET", "v1/status"},
           {"GET", ""},
           {"GET", "/v1/patents/a b"},
           {"GET", "/v1/status\n"},
           {"GET", "/v1/\xe4\xb8\xad"}}) {
    auto r = SignRequestHeader(key, "chain", method, target, "", 1, n);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "AUTH_REQUEST_INVALID");
  }
  CHECK_FALSE(SignRequestHeader(key, "", "GET", "/", "", 1, n).ok());
}

TEST_CASE("request auth: random nonces differ", "[unit][io][auth]") {
  CHECK(RandomRequestNonce() != RandomRequestNonce());
}

}  // namespace
}  // namespace pledger::io
