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
                           const std::vector<Hash256>* tx_ids) {
  PLEDGER_ASSIGN_OR_RETURN(BlockHeader header, blocks_.CheckAppend(block));
  leveldb::WriteBatch batch;
  PLEDGER_ASSIGN_OR_RETURN(StateStore::Staged staged, state_.Stage(writes, &batch));
  PLEDGER_ASSIGN_OR_RETURN(Tip tip,
                           blocks_.StageAppend(block, header, receipts, staged.root, &batch, tx_ids));
  if (extra != nullptr) batch.Append(*extra);
  PLEDGER_RETURN_IF_ERROR(db_->Write(&batch, sync));
  state_.Publish(staged);
  blocks_.PublishTip(tip);
  return Status::OK();
}

ChainImport::ChainImport(Ledger* ledger) : ledger_(ledger), tip_(ledger->blocks().tip()) {}

Status ChainImport::AddBlock(const Block& block, const BlockResults& results) {
  auto bad = [&](std::string_view reason, const std::string& why) {
    return Status::Corruption(reason, "catch-up block " + std::to_string(tip_.height + 1) + ": " + why +
                                          "; the peer served a bad chain, try another peer");
  };
  PLEDGER_ASSIGN_OR_RETURN(BlockHeader h, DecodeBlockHeader(block));
  if (h.chain_id() != ledger_->blocks().identity().chain_id) return bad("IMPORT_WRONG_CHAIN", "another chain");
  if (h.height() != tip_.height + 1) return bad("IMPORT_HEIGHT_MISMATCH", "unexpected height");
  PLEDGER_RETURN_IF_ERROR(CheckBlockContent(block, h));
  auto str = [](const Hash256& x) { return std::string(AsStringView(x)); };
  if (h.prev_hash() != str(tip_.block_hash)) return bad("IMPORT_PREV_HASH_MISMATCH", "does not link");
  // The blocks added so far are stored (not yet the tip), so their results
  // answer for the roots this header names.
  auto base = ledger_->blocks_.RootsAt(h.height(), h.state_root_height());
  if (!base.ok()) return bad("IMPORT_PARENT_ROOTS_MISMATCH", base.status().ToString());
  if (h.prev_state_root() != str(base->state_root) || h.prev_results_root() != str(base->results_root)) {
    return bad("IMPORT_PARENT_ROOTS_MISMATCH",
               "the roots it carries differ from block " + std::to_string(h.state_root_height()) + "'s results");
  }
  Hash256 hash = BlockHash(block);
  if (results.block_hash() != str(hash) || results.receipts_size() != block.txs_size() ||
      results.state_root().size() != 32) {
    return bad("IMPORT_RESULTS_MISMATCH", "results do not belong to the block");
  }
  std::vector<std::string> receipts(results.receipts().begin(), results.receipts().end());
  Hash256 rroot = ResultsRoot(receipts);
  if (results.results_root() != str(rroot)) return bad("IMPORT_RESULTS_MISMATCH", "receipts do not hash to the results root");
  leveldb::WriteBatch batch;
  PLEDGER_RETURN_IF_ERROR(ledger_->blocks_.StageImported(block, results, &batch));
  PLEDGER_RETURN_IF_ERROR(ledger_->db_->Write(&batch, /*sync=*/false));
  tip_.height = h.height();
  tip_.block_hash = hash;
  std::copy(results.state_root().begin(), results.state_root().end(), tip_.state_root.begin());
  tip_.results_root = rroot;
  return Status::OK();
}

Status ChainImport::Finish(const std::map<std::string, std::string, std::less<>>& state,
                           const leveldb::WriteBatch* extra) {
  Hash256 root = StateStore::RootOf(state);
  if (root != tip_.state_root) {
    return Status::Corruption("IMPORT_STATE_ROOT_MISMATCH",
                              "the state fetched for block " + std::to_string(tip_.height) +
                                  " does not hash to its state root; try another peer");
  }
  leveldb::WriteBatch batch;
  // Drop the old state and its commitment...
  for (char prefix : {keys::kState, keys::kCommit, keys::kBucket}) {
    std::string p(1, prefix);
    PLEDGER_RETURN_IF_ERROR(ledger_->db_->Scan(p, p, [&](std::string_view k, std::string_view) {
      batch.Delete(leveldb::Slice(k.data(), k.size()));
      return true;
    }));
  }
  // ...and write the new one (same construction as StateStore::Stage).
  std::map<std::uint16_t, std::vector<std::pair<std::string, Hash256>>> buckets;
  for (const auto& [k, v] : state) {
    Hash256 vh = Sha256(v);
    std::uint16_t b = StateStore::BucketOf(k);
    batch.Put(keys::State(k), v);
    batch.Put(keys::Commit(b, k), std::string(AsStringView(vh)));
    buckets[b].emplace_back(k, vh);
  }
  for (const auto& [b, entries] : buckets) {
    batch.Put(keys::Bucket(b), std::string(AsStringView(StateStore::BucketHash(entries))));
  }
  BlockStore::StageTip(tip_, &batch);
  if (extra != nullptr) batch.Append(*extra);
  PLEDGER_RETURN_IF_ERROR(ledger_->db_->Write(&batch, /*sync=*/true));
  return ledger_->Load();
}

}  // namespace pledger::ledger
