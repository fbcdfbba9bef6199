// Blocks: sealing a proposal into a Block, hashing, and checking that a block's
// content matches its header. See ledger/proto/ledger.proto for the fields.
//
// Pure functions, thread-safe.
#ifndef PLEDGER_LEDGER_BLOCK_H_
#define PLEDGER_LEDGER_BLOCK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/proto/ledger.pb.h"

namespace pledger::ledger {

// How far behind its own height a header's state root may be (see
// BlockHeader.state_root_height): a proposer may keep up to this many blocks
// in flight between proposing and executing.
inline constexpr std::uint64_t kMaxStateRootLag = 4;

// The most transactions one block may carry. Consensus-critical: every node's
// applier refuses a committed block above it and pledger-audit fails such a
// block (BLOCK_TOO_LARGE), so nodes and auditors must use the same number.
// It also caps a proposer's configured block.max_txs.
inline constexpr std::uint32_t kMaxTxsPerBlock = 20'000;

// Everything a proposer decides about a block; SealBlock computes the rest.
struct BlockDraft {
  std::string chain_id;
  std::uint64_t height = 0;
  Hash256 prev_hash{};
  Hash256 prev_state_root{};    // after block state_root_height
  Hash256 prev_results_root{};  // of block state_root_height
  std::optional<std::uint64_t> state_root_height;  // unset: height - 1
  std::uint64_t time_ms = 0;
  std::string proposer_id;
  std::uint64_t raft_term = 0;
  std::uint64_t raft_index = 0;
  std::vector<std::string> txs;           // serialized Transactions
  std::vector<std::string> attestations;  // serialized Attestations
  // Serialized ClockReadings, sorted by validator id (ledger/block_time.h);
  // time_ms must be LedgerTime over them.
  std::vector<std::string> clock_readings;
};

// Computes tx_root, tx_count, attestations_root and clock_root and serializes
// the header.
Block SealBlock(const BlockDraft& draft);

// SHA-256 of the exact header bytes.
Hash256 BlockHash(const Block& block);

// Parses the header (strict: canonical encoding, no unknown fields).
// Reasons: BLOCK_HEADER_MALFORMED.
Result<BlockHeader> DecodeBlockHeader(const Block& block);

// Checks that tx_count, tx_root, attestations_root and clock_root match the
// block's content and that the root fields are 32 bytes. (Whether the time
// follows from the readings is ledger/block_time.h's CheckBlockTime: it needs
// the validator set.) Reasons: BLOCK_TX_COUNT_MISMATCH, BLOCK_TX_ROOT_MISMATCH,
// BLOCK_ATTESTATIONS_ROOT_MISMATCH, BLOCK_CLOCK_ROOT_MISMATCH, BLOCK_FIELD_INVALID.
Status CheckBlockContent(const Block& block, const BlockHeader& header);

// RFC 6962 root over serialized receipts (the results root).
Hash256 ResultsRoot(const std::vector<std::string>& receipts);

// The hash of the genesis "block": SHA-256 over the exact genesis file bytes.
Hash256 GenesisHash(std::string_view genesis_bytes);

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_BLOCK_H_
