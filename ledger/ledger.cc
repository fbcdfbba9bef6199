#include "ledger/ledger.h"

#include "ledger/block.h"
#include "ledger/crypto.h"
#include "ledger/keys.h"

namespace pledger::ledger {

Ledger::Ledger(std::unique_ptr<Database> db)
    : db_(std::move(db)), blocks_(db_.get()), state_(db_.get()) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& dir,
                                             const DatabaseOptions& options) {
  PLEDGER_ASSIGN_OR_RETURN(auto db, Database::Open(dir, options));
  return std::unique_ptr<Ledger>(new Ledger(std::move(db)));
}

Status Ledger::Initialize(const std::string& chain_id, std::string_view genesis_bytes,
                          const WriteSet& genesis_state) {
  PLEDGER_RETURN_IF_ERROR(state_.Load());
  leveldb::WriteBatch batch;
  PLEDGER_ASSIGN_OR_RETURN(StateStore::Staged staged, state_.Stage(genesis_state, &batch));
  // The state goes first, unsynced; Initialize's identity write is synced and
  // LevelDB's sequential log makes the earlier write durable with it.
  PLEDGER_RETURN_IF_ERROR(db_->Write(&batch, /*sync=*/false));
  state_.Publish(staged);
  ChainIdentity id;
  id.chain_id = chain_id;
  id.genesis_hash = GenesisHash(genesis_bytes);
  id.genesis_state_root = staged.root;
  PLEDGER_RETURN_IF_ERROR(blocks_.Initialize(id));
  initialized_ = true;
  return Status::OK();
}

Status Ledger::Load() {
  PLEDGER_RETURN_IF_ERROR(blocks_.Load());
  PLEDGER_RETURN_IF_ERROR(state_.Load());
  if (state_.root() != blocks_.tip().state_root) {
    return Status::Corruption("STATE_ROOT_MISMATCH",
                              "the stored state does not hash to the state root recorded at "
                              "the chain tip; the data directory is damaged, resynchronise");
  }
  initialized_ = true;
  return Status::OK();
}

Status Ledger::CommitBlock(const Block& block, const std::vector<std::string>& receipts,
                           const WriteSet& writes, bool sync, const leveldb::WriteBatch* extra,
                           const std::vector<Hash256>* tx_ids, const BlockResults* expected) {
  PLEDGER_ASSIGN_OR_RETURN(BlockHeader header, blocks_.CheckAppend(block));
  leveldb::WriteBatch batch;
  PLEDGER_ASSIGN_OR_RETURN(StateStore::Staged staged, state_.Stage(writes, &batch));
  PLEDGER_ASSIGN_OR_RETURN(Tip tip,
                           blocks_.StageAppend(block, header, receipts, staged.root, &batch, tx_ids));
  if (expected != nullptr) {
    auto same = [](const Hash256& ours, const std::string& theirs) { return AsStringView(ours) == theirs; };
    if (!same(tip.block_hash, expected->block_hash()) || !same(tip.state_root, expected->state_root()) ||
        !same(tip.results_root, expected->results_root())) {
      return Status::Corruption(
          "BLOCK_RESULTS_DIVERGE",
          "block " + std::to_string(header.height()) + " executed here gives " +
              (same(tip.block_hash, expected->block_hash()) ? std::string("other roots")
                                                            : std::string("another block hash")) +
              " than the results the peer recorded; either the peer serves a false chain (try another) or "
              "this build executes differently from the consortium's (check the version)");
    }
  }
  if (extra != nullptr) batch.Append(*extra);
  PLEDGER_RETURN_IF_ERROR(db_->Write(&batch, sync));
  state_.Publish(staged);
  blocks_.PublishTip(tip);
  return Status::OK();
}

}  // namespace pledger::ledger
