#include "tools/wallet/txfile.h"

#include <google/protobuf/util/json_util.h>

#include <ctime>
#include <set>

#include "contracts/engine.h"
#include "ledger/crypto.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "tools/wallet/describe.h"

namespace pledger::tools::wallet {
namespace {

Status Invalid(const std::string& what, const std::string& why) {
  return Status::InvalidArgument("TXFILE_INVALID", what + " is not a usable transaction file: " + why);
}

}  // namespace

bool CreatesObject(const contracts::Action& a) {
  return a.has_pledge_register() || a.has_valuation_record() || a.has_licence_file() || a.has_pool_create();
}

bool LoadedTx::AllSignaturesValid() const {
  for (bool v : signature_valid) {
    if (!v) return false;
  }
  return true;
}

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string DescriptionText(const ledger::TxBody& body) {
  std::string out;
  for (const std::string& line : Describe(body.action()).Lines()) out += line + "\n";
  if (!body.memo().empty()) out += "  Memo: " + Printable(body.memo()) + "\n";
  return out;
}

Result<TxFile> MakeTxFile(const ledger::Transaction& tx, const std::string& created) {
  PLEDGER_ASSIGN_OR_RETURN(ledger::TxBody body, ledger::DecodeTxBody(tx.body()));
  TxFile f;
  f.set_format(kTxFileFormat);
  f.set_chain_id(body.chain_id());
  const ledger::Hash256 id = ledger::TxId(tx);
  f.set_tx_id(ledger::HexEncode(id));
  f.set_action(contracts::ActionName(body.action()));
  f.set_description(DescriptionText(body));
  f.set_expiry_height(body.expiry_height());
  f.set_created(created);
  *f.mutable_tx() = tx;
  if (CreatesObject(body.action())) f.set_object_id(contracts::ObjectIdFromTxId(id));
  return f;
}

std::string TxFileToJson(const TxFile& file) { return io::ToJson(file, /*pretty=*/true) + "\n"; }

Result<LoadedTx> ParseTxFile(const std::string& json, const std::string& what) {
  if (json.size() > kMaxTxFileBytes) return Invalid(what, "larger than 256 KiB");
  LoadedTx out;
  Status s = io::ParseJson(json, &out.file, what);
  if (!s.ok()) return Invalid(what, std::string(s.message()));
  const TxFile& f = out.file;
  if (f.format() != kTxFileFormat) {
    return Invalid(what, "format is '" + f.format() + "', expected '" + kTxFileFormat + "'");
  }
  const ledger::Transaction& tx = f.tx();
  if (static_cast<size_t>(tx.signatures_size()) > ledger::kMaxSignaturesPerTx) {
    return Invalid(what, "more than " + std::to_string(ledger::kMaxSignaturesPerTx) + " signatures");
  }
  auto body = ledger::DecodeTxBody(tx.body());
  if (!body.ok()) return Status(body.status().code(), body.status().reason(), what + ": " + std::string(body.status().message()));
  out.body = *body;
  out.id = ledger::TxId(tx);
  const std::string id_hex = ledger::HexEncode(out.id);
  if (f.tx_id() != id_hex) {
    return Status::InvalidArgument("TXFILE_MISMATCH", what + " says its transaction id is " + f.tx_id() +
                                                          " but its body hashes to " + id_hex +
                                                          "; the file was edited: get a fresh copy from the drafter");
  }
  if (f.chain_id() != out.body.chain_id() || f.expiry_height() != out.body.expiry_height()) {
    return Status::InvalidArgument("TXFILE_MISMATCH", what + ": chain id or expiry height in the file differ from "
                                                             "the signed body; the file was edited");
  }
  const std::string expected_object =
      CreatesObject(out.body.action()) ? contracts::ObjectIdFromTxId(out.id) : std::string();
  if (f.object_id() != expected_object) {
    return Status::InvalidArgument("TXFILE_MISMATCH", what + ": object_id does not follow from the transaction id; "
                                                             "the file was edited");
  }
  std::set<std::string> seen;
  for (int i = 0; i < tx.signatures_size(); ++i) {
    const auto& sig = tx.signatures(i);
    if (sig.public_key().size() != ledger::kPublicKeySize || sig.signature().size() != ledger::kSignatureSize) {
      return Invalid(what, "signature " + std::to_string(i + 1) + " has a key or signature of the wrong length");
    }
    if (!seen.insert(sig.public_key()).second) {
      return Invalid(what, "key " + ledger::HexEncode(sig.public_key()) + " signed twice");
    }
    out.signature_valid.push_back(ledger::VerifyRaw(sig.public_key(), tx.body(), sig.signature()).ok());
  }
  return out;
}

Result<LoadedTx> ReadTxFile(const std::string& path) {
  PLEDGER_ASSIGN_OR_RETURN(std::string json, io::ReadFile(path, kMaxTxFileBytes));
  return ParseTxFile(json, path);
}

Status WriteTxFile(const std::string& path, const TxFile& file, bool overwrite) {
  Status s = io::WriteFileAtomic(path, TxFileToJson(file), 0644, /*exclusive=*/!overwrite);
  if (s.reason() == "FILE_EXISTS") {
    return Status::AlreadyExists("FILE_EXISTS", path + " already exists; choose another --out file or add --force");
  }
  return s;
}

}  // namespace pledger::tools::wallet
