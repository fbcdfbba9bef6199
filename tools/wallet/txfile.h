// Transaction files for offline and multi-party signing (TxFile in
// tools/proto/wallet.proto; docs/wallet.md "Transaction files").
//
// A draft written with --out, passed from signer to signer (`sign FILE` on
// each machine, possibly air-gapped) and finally submitted (`submit FILE`).
// The signed bytes (tx.body) never change on the way, so the transaction id
// printed when the draft was made stays the id of what is finally committed.
//
// Reading is strict and hostile-input safe: size limit, strict JSON (unknown
// fields refused), format tag, canonical body (ledger::DecodeTxBody), at most
// ledger::kMaxSignaturesPerTx signatures of the right lengths, no key twice,
// and tx_id / chain_id / expiry_height equal to what the body says. Each
// signature is verified and its validity reported, so `inspect` can show a
// bad one while `sign` and `submit` refuse the file.
//
// Errors (reasons): TXFILE_INVALID, TXFILE_MISMATCH, the ledger's body
// reasons (TX_BODY_NOT_CANONICAL …), file errors (FILE_NOT_FOUND …), and
// FILE_EXISTS when writing over a file without permission to.
// Thread-safe (no shared state).
#ifndef PLEDGER_TOOLS_WALLET_TXFILE_H_
#define PLEDGER_TOOLS_WALLET_TXFILE_H_

#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/proto/ledger.pb.h"
#include "tools/proto/wallet.pb.h"

namespace pledger::tools::wallet {

inline constexpr char kTxFileFormat[] = "pledger-tx/1";
// A transaction is at most 64 KiB; base64 and JSON add about a half.
inline constexpr size_t kMaxTxFileBytes = 256 * 1024;

struct LoadedTx {
  TxFile file;
  ledger::TxBody body;
  ledger::Hash256 id{};
  std::vector<bool> signature_valid;  // one per tx.signatures, in order
  bool AllSignaturesValid() const;
};

// A file for `tx` (whose body must decode), with its description regenerated
// from the body. `created` is an RFC 3339 time stamp.
Result<TxFile> MakeTxFile(const ledger::Transaction& tx, const std::string& created);

std::string TxFileToJson(const TxFile& file);
Result<LoadedTx> ParseTxFile(const std::string& json, const std::string& what);
Result<LoadedTx> ReadTxFile(const std::string& path);
// Atomically writes `file` (mode 0644: it holds no secret). Refuses to
// replace an existing file unless `overwrite`.
Status WriteTxFile(const std::string& path, const TxFile& file, bool overwrite);

// Actions whose transaction creates an object named after the transaction id
// (pledges, valuations, licences, pools: contracts::ObjectIdFromTxId).
bool CreatesObject(const contracts::Action& action);

// The description text the wallet derives from a body (TxFile.description).
std::string DescriptionText(const ledger::TxBody& body);

// RFC 3339 UTC time stamp of now.
std::string NowRfc3339();

}  // namespace pledger::tools::wallet

#endif  // PLEDGER_TOOLS_WALLET_TXFILE_H_
