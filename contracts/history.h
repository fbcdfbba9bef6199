// History indexes, written in the same batch as each block, so any entity's
// history and any record's past value are answered by one range read, never
// by scanning the chain:
//
//   'X' entity 0x00 be64(height) be32(index)  -> HistoryEntry
//       every transaction that named the entity (accepted or refused), in
//       chain order. Entities come from contracts' TxOutcome::touched:
//       "patent/ZL…", "pledge/<id>", "account/<hex>", "org/<id>", ...
//   'V' state-key 0x00 be64(height)            -> 0x01 value | 0x00 (deleted)
//       the value of an entity record after each block that wrote it, so the
//       state of a patent or pledge as of any height is one seek.
//
// Thread-safe (reads and batch staging only).
#ifndef PLEDGER_CONTRACTS_HISTORY_H_
#define PLEDGER_CONTRACTS_HISTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "consensus/status.h"
#include "contracts/engine.h"
#include "ledger/db.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/state_store.h"
#include "contracts/proto/history.pb.h"

namespace pledger::contracts {

// Stages the history and version records of one applied block.
void StageHistoryRecords(const ledger::BlockHeader& header,
                         std::span<const contracts::PreparedTx* const> txs,
                         const contracts::BlockOutcome& outcome, leveldb::WriteBatch* batch);
void StageHistoryRecords(const ledger::BlockHeader& header,
                         const std::vector<contracts::PreparedTx>& txs,
                         const contracts::BlockOutcome& outcome, leveldb::WriteBatch* batch);

// One page of `entity`'s history, oldest first, after `cursor` ("" = from the
// start). limit is clamped to 1..1000. Reasons: CURSOR_INVALID.
Result<HistoryPage> QueryHistory(const ledger::Database& db, const std::string& entity,
                                 const std::string& cursor, size_t limit);

// The value of state `key` after block `height` (nullopt: absent then).
// Only entity records are versioned (not indexes): see IsVersionedKey.
// Blocks write version records, genesis does not: with no record at or below
// `height` the key is as genesis left it, its value in `genesis` (if given;
// without it, absent).
Result<std::optional<std::string>> StateAsOf(const ledger::Database& db, const std::string& key,
                                             std::uint64_t height, const ledger::WriteSet* genesis = nullptr);
bool IsVersionedKey(std::string_view key);

// The action name of a transaction body ("" if none).
std::string ActionName(const ledger::TxBody& body);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_HISTORY_H_
