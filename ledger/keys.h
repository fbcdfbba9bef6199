// Key layout of the node database (one LevelDB, see ledger/db.h).
//
// Every key starts with a one-byte prefix naming its keyspace. Integers in keys
// are big-endian so LevelDB's byte order is numeric order. Changing any of this
// changes the disk format: bump kDiskFormatVersion and document it in
// docs/formats.md.
//
//   'M' + name                    meta records (chain id, genesis, tip, format version)
//   'B' + be64 height             Block (exact bytes as proposed)
//   'R' + be64 height             BlockResults (receipts, state root, results root, block hash)
//   'H' + hash32                  be64 height of the block with that hash
//   'T' + txid32                  TxLocation (height and index of its first occurrence)
//   'S' + state key               state value
//   'K' + be16 bucket + state key SHA-256 of the value (state commitment index)
//   'Q' + be16 bucket             bucket hash (absent = empty bucket)
//   'X' + entity + 0x00 + be64 height + be32 index   history record (contracts/history.h)
//   'V' + state key + 0x00 + be64 height            the record's value before that block
//                                                   (0x01 + value, or 0x00 if absent)
//   'A' + be64 height + validator id                an attestation of that block
//   'Y' ...                       statistics index (node/stats.h): derived,
//                                 outside the state root, rebuilt from blocks
//   'r' ...                       Raft log storage (ledger/raft_log_store.h)
#ifndef PLEDGER_LEDGER_KEYS_H_
#define PLEDGER_LEDGER_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/bytes.h"

namespace pledger::ledger::keys {

// 2: no replay records in state (their state root differs from version 1's).
// 3: blocks carry clock readings and a clock_root, and their time must follow
//    from the readings (ledger/block_time.h): version-2 blocks do not validate.
// 4: the contracts' results changed (organisations' trust roots and
//    validators' key history in state; pledge actions in their patents'
//    history; terms from 29 February; receipt messages): replaying a
//    version-3 chain gives other receipts and roots.
// 5: history values are HistoryRecord (binary tx id, action number) and version
//    records keep the value each block replaced, not the one it left; blocks,
//    receipts and roots are those of version 4.
inline constexpr std::uint32_t kDiskFormatVersion = 5;

inline constexpr char kMeta = 'M';
inline constexpr char kBlock = 'B';
inline constexpr char kResults = 'R';
inline constexpr char kBlockHash = 'H';
inline constexpr char kTx = 'T';
inline constexpr char kState = 'S';
inline constexpr char kCommit = 'K';
inline constexpr char kBucket = 'Q';
inline constexpr char kHistory = 'X';
inline constexpr char kVersion = 'V';
inline constexpr char kAttestation = 'A';
inline constexpr char kRaft = 'r';

inline std::string Meta(std::string_view name) { return std::string(1, kMeta) + std::string(name); }
inline std::string Block(std::uint64_t height) {
  std::string k(1, kBlock);
  PutBigEndian64(&k, height);
  return k;
}
inline std::string Results(std::uint64_t height) {
  std::string k(1, kResults);
  PutBigEndian64(&k, height);
  return k;
}
inline std::string BlockHash(const Hash256& h) {
  return std::string(1, kBlockHash) + std::string(AsStringView(h));
}
inline std::string Tx(const Hash256& id) { return std::string(1, kTx) + std::string(AsStringView(id)); }
inline std::string State(std::string_view key) { return std::string(1, kState) + std::string(key); }
inline std::string Commit(std::uint16_t bucket, std::string_view key) {
  std::string k(1, kCommit);
  k.push_back(static_cast<char>(bucket >> 8));
  k.push_back(static_cast<char>(bucket & 0xff));
  k.append(key);
  return k;
}
inline std::string Bucket(std::uint16_t bucket) {
  std::string k(1, kBucket);
  k.push_back(static_cast<char>(bucket >> 8));
  k.push_back(static_cast<char>(bucket & 0xff));
  return k;
}

}  // namespace pledger::ledger::keys

#endif  // PLEDGER_LEDGER_KEYS_H_
