#include "ledger/tx.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/unknown_field_set.h>

#include <set>

#include "ledger/bytes.h"

namespace pledger::ledger {

std::string SerializeCanonical(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

bool HasUnknownFields(const google::protobuf::Message& message) {
  const auto* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) return true;
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      int n = reflection->FieldSize(message, field);
      for (int i = 0; i < n; ++i) {
        if (HasUnknownFields(reflection->GetRepeatedMessage(message, field, i))) return true;
      }
    } else if (HasUnknownFields(reflection->GetMessage(message, field))) {
      return true;
    }
  }
  return false;
}

Result<Transaction> DecodeTransaction(std::string_view bytes) {
  if (bytes.size() > kMaxTxBytes) {
    return Status::InvalidArgument("TX_TOO_LARGE", "transaction is " + std::to_string(bytes.size()) +
                                                       " bytes; the limit is " +
                                                       std::to_string(kMaxTxBytes));
  }
  Transaction tx;
  if (!tx.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("TX_MALFORMED",
                                   "transaction bytes are not a valid Transaction message; "
                                   "send the envelope built by pledger-wallet");
  }
  if (HasUnknownFields(tx)) {
    return Status::InvalidArgument("TX_UNKNOWN_FIELDS",
                                   "transaction envelope has fields this node does not know; "
                                   "upgrade the node or the wallet so both speak one format");
  }
  if (tx.signatures_size() == 0) {
    return Status::InvalidArgument("TX_NO_SIGNATURES",
                                   "transaction carries no signature; sign it before submitting");
  }
  if (static_cast<size_t>(tx.signatures_size()) > kMaxSignaturesPerTx) {
    return Status::InvalidArgument("TX_TOO_MANY_SIGNATURES",
                                   "transaction carries " + std::to_string(tx.signatures_size()) +
                                       " signatures; the limit is " +
                                       std::to_string(kMaxSignaturesPerTx));
  }
  std::set<std::string> seen;
  for (int i = 0; i < tx.signatures_size(); ++i) {
    const auto& s = tx.signatures(i);
    if (s.public_key().size() != kPublicKeySize) {
      return Status::InvalidArgument("KEY_LENGTH_INVALID",
                                     "signature " + std::to_string(i) +
                                         ": an Ed25519 public key is 32 bytes, got " +
                                         std::to_string(s.public_key().size()));
    }
    if (s.signature().size() != kSignatureSize) {
      return Status::InvalidArgument("SIGNATURE_LENGTH_INVALID",
                                     "signature " + std::to_string(i) +
                                         ": an Ed25519 signature is 64 bytes, got " +
                                         std::to_string(s.signature().size()));
    }
    if (!seen.insert(s.public_key()).second) {
      return Status::InvalidArgument("TX_DUPLICATE_SIGNER",
                                     "key " + HexEncode(s.public_key()).substr(0, 16) +
                                         "… signed twice; keep one signature per key");
    }
  }
  return tx;
}

Result<TxBody> DecodeTxBody(std::string_view body_bytes) {
  TxBody body;
  if (!body.ParseFromArray(body_bytes.data(), static_cast<int>(body_bytes.size()))) {
    return Status::InvalidArgument("TX_BODY_MALFORMED",
                                   "transaction body is not a valid TxBody message");
  }
  if (HasUnknownFields(body)) {
    return Status::InvalidArgument("TX_UNKNOWN_FIELDS",
                                   "transaction body has fields this node does not know; "
                                   "upgrade the node or build the body with a matching wallet");
  }
  if (SerializeCanonical(body) != body_bytes) {
    return Status::InvalidArgument("TX_BODY_NOT_CANONICAL",
                                   "transaction body is not in canonical (deterministic) protobuf "
                                   "encoding; build it with pledger-wallet or SerializeCanonical");
  }
  if (body.memo().size() > kMaxMemoBytes) {
    return Status::InvalidArgument("TX_MEMO_TOO_LONG", "memo is " +
                                                           std::to_string(body.memo().size()) +
                                                           " bytes; the limit is " +
                                                           std::to_string(kMaxMemoBytes));
  }
  if (body.chain_id().empty() || body.chain_id().size() > kMaxChainIdBytes) {
    return Status::InvalidArgument("TX_CHAIN_ID_INVALID",
                                   "chain id must be 1 to 64 bytes; take it from the genesis file");
  }
  return body;
}

Hash256 TxId(std::string_view body_bytes) { return Sha256(body_bytes); }

Hash256 TxIdOfBytes(std::string_view raw) {
  auto tx = DecodeTransaction(raw);
  return tx.ok() ? TxId(*tx) : Sha256(raw);
}

Hash256 LikelyTxIdOfBytes(std::string_view raw) {
  // Field 1, length-delimited (tag 0x0a), then a varint length of at most 5 bytes.
  if (raw.size() < 2 || static_cast<std::uint8_t>(raw[0]) != 0x0a) return Sha256(raw);
  std::uint64_t len = 0;
  size_t pos = 1;
  for (int shift = 0; pos < raw.size() && shift <= 28; shift += 7) {
    const auto b = static_cast<std::uint8_t>(raw[pos++]);
    len |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      if (len > raw.size() - pos) break;
      return TxId(raw.substr(pos, len));
    }
  }
  return Sha256(raw);
}

std::string KeyRotationMessage(std::string_view chain_id, std::string_view subject,
                               std::string_view old_public_key_hex, std::string_view new_public_key_hex) {
  std::string m = "pledger/key-rotation/v1";
  for (std::string_view part : {chain_id, subject, old_public_key_hex, new_public_key_hex}) {
    PutBigEndian64(&m, part.size());
    m.append(part);
  }
  return m;
}

Status VerifyTxSignatures(const Transaction& tx) {
  if (tx.signatures_size() == 0) {
    return Status::InvalidArgument("TX_NO_SIGNATURES", "transaction carries no signature");
  }
  for (const auto& s : tx.signatures()) {
    PLEDGER_RETURN_IF_ERROR(VerifyRaw(s.public_key(), tx.body(), s.signature()));
  }
  return Status::OK();
}

std::vector<PublicKey> TxSigners(const Transaction& tx) {
  std::vector<PublicKey> out;
  out.reserve(tx.signatures_size());
  for (const auto& s : tx.signatures()) {
    auto pk = PublicKeyFromBytes(s.public_key());
    if (pk.ok()) out.push_back(*pk);
  }
  return out;
}

void SignTransaction(Transaction* tx, const SecretKey& key) {
  SignatureBytes sig = key.Sign(tx->body());
  std::string pk(reinterpret_cast<const char*>(key.public_key().data()), kPublicKeySize);
  std::string sig_str(reinterpret_cast<const char*>(sig.data()), sig.size());
  for (auto& s : *tx->mutable_signatures()) {
    if (s.public_key() == pk) {
      s.set_signature(sig_str);
      return;
    }
  }
  auto* s = tx->add_signatures();
  s->set_public_key(pk);
  s->set_signature(sig_str);
}

Transaction MakeTransaction(const TxBody& body) {
  Transaction tx;
  tx.set_body(SerializeCanonical(body));
  return tx;
}

}  // namespace pledger::ledger
