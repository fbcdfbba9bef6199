// Transactions: decoding hostile bytes, ids, signatures, building and signing.
//
// A transaction is Transaction{body, signatures}; body is a serialized TxBody
// kept as the exact bytes that were signed. The id is SHA-256(body), so adding
// a co-signature does not change the id, and an id names one body forever.
//
// Decoding is strict: bodies must be in protobuf's deterministic encoding and
// carry no unknown fields, so every node (and the auditor) interprets the
// signed bytes the same way, and a transaction has exactly one encoding.
//
// All functions are pure and thread-safe.
#ifndef PLEDGER_LEDGER_TX_H_
#define PLEDGER_LEDGER_TX_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/proto/ledger.pb.h"

namespace pledger::ledger {

// Limits on what a client may submit. A block of kMaxTxsPerBlock transactions of
// kMaxTxBytes each must fit a Raft entry (see node/limits.h).
inline constexpr size_t kMaxTxBytes = 64 * 1024;   // whole envelope; a pledge is ~1 KiB
inline constexpr size_t kMaxSignaturesPerTx = 16;  // pledgee + co-owners + IP-office quorum
inline constexpr size_t kMaxMemoBytes = 256;
inline constexpr size_t kMaxChainIdBytes = 64;

// Parses an envelope from untrusted bytes (size limit, protobuf well-formedness,
// signature count and field lengths). Does not verify signatures.
// Reasons: TX_TOO_LARGE, TX_MALFORMED, TX_NO_SIGNATURES, TX_TOO_MANY_SIGNATURES,
// KEY_LENGTH_INVALID, SIGNATURE_LENGTH_INVALID, TX_DUPLICATE_SIGNER.
Result<Transaction> DecodeTransaction(std::string_view bytes);

// Parses a body from untrusted bytes. Reasons: TX_BODY_MALFORMED,
// TX_BODY_NOT_CANONICAL, TX_UNKNOWN_FIELDS, TX_MEMO_TOO_LONG, TX_CHAIN_ID_INVALID.
Result<TxBody> DecodeTxBody(std::string_view body_bytes);

// Deterministic serialization (the canonical encoding DecodeTxBody accepts).
std::string SerializeCanonical(const google::protobuf::Message& message);

Hash256 TxId(std::string_view body_bytes);
inline Hash256 TxId(const Transaction& tx) { return TxId(tx.body()); }

// The id under which any transaction bytes found in a block are known (its
// receipt and the transaction index): SHA-256(body) when the bytes decode as
// a transaction envelope (DecodeTransaction), else SHA-256 of the bytes, so
// even garbage a block carried has one stable id.
Hash256 TxIdOfBytes(std::string_view raw);

// A guess at TxIdOfBytes without decoding: SHA-256 of the leading body field
// when the bytes start with one (as every encoder writes the envelope), else
// SHA-256 of the bytes. Equal to TxIdOfBytes for well-formed envelopes; may
// differ for odd encodings, so use it only as a lookup key that is checked
// afterwards (the node's mempool also compares the bytes).
Hash256 LikelyTxIdOfBytes(std::string_view raw);

// Verifies every signature over the exact body bytes. Reasons as for VerifyRaw.
Status VerifyTxSignatures(const Transaction& tx);

// The public keys that signed, in envelope order. Call after VerifyTxSignatures.
std::vector<PublicKey> TxSigners(const Transaction& tx);

// Appends `key`'s signature over the body. Replaces an existing signature by the
// same key rather than adding a duplicate.
void SignTransaction(Transaction* tx, const SecretKey& key);

// Builds an unsigned envelope from a body (serialized canonically).
Transaction MakeTransaction(const TxBody& body);

// What a key signs to take part in a key rotation (AccountRotateKey,
// ValidatorRotateKey): the chain, the subject ("account:<old key hex>" or
// "node:<node id>"), the old and the new key (64 hex each), length-prefixed.
// Binding the chain and both keys means a proof cannot be replayed on another
// chain or for another rotation.
std::string KeyRotationMessage(std::string_view chain_id, std::string_view subject,
                               std::string_view old_public_key_hex, std::string_view new_public_key_hex);

// True if `message` or any message nested in it carries unknown fields.
bool HasUnknownFields(const google::protobuf::Message& message);

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_TX_H_
