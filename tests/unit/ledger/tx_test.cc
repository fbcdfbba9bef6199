#include <catch2/catch.hpp>

#include "ledger/tx.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

TxBody SampleBody() {
  TxBody body;
  body.set_chain_id("pledger-test");
  body.set_nonce(42);
  body.set_expiry_height(1000);
  body.set_memo("pledge of ZL201410362077.3");
  body.mutable_action()->mutable_noop();
  return body;
}

TEST_CASE("tx: build, sign, encode and decode round trip", "[tx]") {
  auto bank = test::TestKey(1);
  auto owner = test::TestKey(2);
  Transaction tx = MakeTransaction(SampleBody());
  SignTransaction(&tx, bank);
  SignTransaction(&tx, owner);
  SignTransaction(&tx, bank);  // re-signing replaces, never duplicates
  REQUIRE(tx.signatures_size() == 2);

  std::string wire = tx.SerializeAsString();
  auto decoded = DecodeTransaction(wire);
  REQUIRE(decoded.ok());
  CHECK(VerifyTxSignatures(*decoded).ok());
  CHECK(TxId(*decoded) == Sha256(tx.body()));
  auto body = DecodeTxBody(decoded->body());
  REQUIRE(body.ok());
  CHECK(body->nonce() == 42);
  CHECK(body->memo() == "pledge of ZL201410362077.3");
  auto signers = TxSigners(*decoded);
  REQUIRE(signers.size() == 2);
  CHECK(signers[0] == bank.public_key());
  CHECK(signers[1] == owner.public_key());
}

TEST_CASE("tx: the id names the body only, not the signatures", "[tx]") {
  Transaction a = MakeTransaction(SampleBody());
  Transaction b = a;
  SignTransaction(&a, test::TestKey(1));
  CHECK(TxId(a) == TxId(b));
}

TEST_CASE("tx: the id guessed off the bytes is the id for envelopes, a hash for garbage", "[tx]") {
  for (int sigs = 1; sigs <= 3; ++sigs) {
    TxBody body = SampleBody();
    body.set_memo(std::string(static_cast<size_t>(sigs) * 80, 'm'));  // bodies over 127 bytes: 2-byte lengths
    Transaction tx = MakeTransaction(body);
    for (int k = 0; k < sigs; ++k) SignTransaction(&tx, test::TestKey(10 + k));
    const std::string raw = tx.SerializeAsString();
    CHECK(LikelyTxIdOfBytes(raw) == TxIdOfBytes(raw));
    CHECK(LikelyTxIdOfBytes(raw) == TxId(tx));
  }
  for (std::string junk : {std::string(), std::string("\x0a"), std::string("\x0a\x05" "ab"),
                           std::string("\x0a\xff\xff\xff\xff\xff\xff"), std::string("hello")}) {
    CHECK(LikelyTxIdOfBytes(junk) == Sha256(junk));
  }
}

TEST_CASE("tx: truncated or garbage bytes are clear errors", "[tx]") {
  Transaction tx = MakeTransaction(SampleBody());
  SignTransaction(&tx, test::TestKey(1));
  std::string wire = tx.SerializeAsString();
  for (size_t cut = 1; cut < wire.size(); cut += 7) {
    auto r = DecodeTransaction(wire.substr(0, wire.size() - cut));
    if (r.ok()) {
      // A cut at a field boundary can still parse; then signatures must fail
      // or the body must be rejected.
      bool sig_ok = VerifyTxSignatures(*r).ok();
      bool body_ok = DecodeTxBody(r->body()).ok();
      CHECK_FALSE((sig_ok && body_ok && r->body() == tx.body() &&
                   r->signatures_size() == tx.signatures_size()));
    } else {
      CHECK_FALSE(r.status().reason().empty());
    }
  }
  CHECK(DecodeTransaction(std::string("\xff\xff\xff\xff\xff", 5)).status().reason() ==
        "TX_MALFORMED");
  CHECK(DecodeTransaction(std::string(kMaxTxBytes + 1, 'a')).status().reason() == "TX_TOO_LARGE");
  CHECK(DecodeTxBody("\x0a\x05" "ab").status().reason() == "TX_BODY_MALFORMED");
}

TEST_CASE("tx: signature problems are named", "[tx]") {
  Transaction tx = MakeTransaction(SampleBody());
  CHECK(DecodeTransaction(tx.SerializeAsString()).status().reason() == "TX_NO_SIGNATURES");

  SignTransaction(&tx, test::TestKey(1));
  Transaction wrong_key = tx;
  wrong_key.mutable_signatures(0)->set_public_key(std::string(31, 'k'));
  CHECK(DecodeTransaction(wrong_key.SerializeAsString()).status().reason() == "KEY_LENGTH_INVALID");

  Transaction short_sig = tx;
  short_sig.mutable_signatures(0)->set_signature("sig");
  CHECK(DecodeTransaction(short_sig.SerializeAsString()).status().reason() ==
        "SIGNATURE_LENGTH_INVALID");

  Transaction dup = tx;
  *dup.add_signatures() = tx.signatures(0);
  CHECK(DecodeTransaction(dup.SerializeAsString()).status().reason() == "TX_DUPLICATE_SIGNER");

  Transaction forged = tx;
  std::string sig = forged.signatures(0).signature();
  sig[5] ^= 0x20;
  forged.mutable_signatures(0)->set_signature(sig);
  auto decoded = DecodeTransaction(forged.SerializeAsString());
  REQUIRE(decoded.ok());
  CHECK(VerifyTxSignatures(*decoded).reason() == "SIGNATURE_INVALID");

  Transaction tampered = tx;
  tampered.set_body(tx.body() + std::string("\x20\x01", 2));  // appends expiry_height again
  CHECK(VerifyTxSignatures(tampered).reason() == "SIGNATURE_INVALID");
}

TEST_CASE("tx: bodies must be canonical and fully understood", "[tx]") {
  std::string canonical = SerializeCanonical(SampleBody());
  // The same fields, serialized in a different order, are not canonical.
  TxBody b = SampleBody();
  TxBody only_nonce;
  only_nonce.set_nonce(b.nonce());
  TxBody rest = b;
  rest.clear_nonce();
  std::string reordered = SerializeCanonical(rest) + SerializeCanonical(only_nonce);
  auto parsed = DecodeTxBody(reordered);
  CHECK(parsed.status().reason() == "TX_BODY_NOT_CANONICAL");
  // An unknown field (number 99, varint) is refused.
  std::string unknown = canonical + std::string("\x98\x06\x01", 3);
  CHECK(DecodeTxBody(unknown).status().reason() == "TX_UNKNOWN_FIELDS");
  TxBody long_memo = SampleBody();
  long_memo.set_memo(std::string(kMaxMemoBytes + 1, 'm'));
  CHECK(DecodeTxBody(SerializeCanonical(long_memo)).status().reason() == "TX_MEMO_TOO_LONG");
  TxBody no_chain = SampleBody();
  no_chain.clear_chain_id();
  CHECK(DecodeTxBody(SerializeCanonical(no_chain)).status().reason() == "TX_CHAIN_ID_INVALID");
}

}  // namespace
}  // namespace pledger::ledger
