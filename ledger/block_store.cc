#include "ledger/block_store.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "ledger/block.h"
#include "ledger/crypto.h"
#include "ledger/keys.h"
#include "ledger/tx.h"

namespace pledger::ledger {
namespace {

std::string Str(const Hash256& h) { return std::string(AsStringView(h)); }

Hash256 HashOf(const std::string& s) {
  Hash256 h{};
  if (s.size() == h.size()) std::copy(s.begin(), s.end(), h.begin());
  return h;
}

const std::string kChainKey = keys::Meta("chain");
const std::string kTipKey = keys::Meta("tip");

std::string H(std::uint64_t h) { return std::to_string(h); }

}  // namespace

BlockStore::BlockStore(Database* db) : db_(db) {}

Status BlockStore::Initialize(const ChainIdentity& id) {
  PLEDGER_ASSIGN_OR_RETURN(auto existing, db_->Get(kChainKey));
  if (existing) {
    return Status::AlreadyExists("CHAIN_ALREADY_INITIALISED",
                                 "this data directory already holds a chain; use an empty "
                                 "directory for a new node");
  }
  if (id.chain_id.empty()) {
    return Status::InvalidArgument("CHAIN_ID_INVALID", "chain id must not be empty");
  }
  ChainMeta meta;
  meta.set_chain_id(id.chain_id);
  meta.set_genesis_hash(Str(id.genesis_hash));
  meta.set_genesis_state_root(Str(id.genesis_state_root));
  meta.set_format_version(keys::kDiskFormatVersion);
  ChainTip tip;
  tip.set_height(0);
  tip.set_block_hash(Str(id.genesis_hash));
  tip.set_state_root(Str(id.genesis_state_root));
  tip.set_results_root(Str(ResultsRoot({})));
  leveldb::WriteBatch batch;
  batch.Put(kChainKey, SerializeCanonical(meta));
  batch.Put(kTipKey, SerializeCanonical(tip));
  PLEDGER_RETURN_IF_ERROR(db_->Write(&batch, /*sync=*/true));
  return Load();
}

Status BlockStore::Load() {
  PLEDGER_ASSIGN_OR_RETURN(auto meta_bytes, db_->Get(kChainKey));
  if (!meta_bytes) {
    return Status::NotFound("CHAIN_NOT_INITIALISED",
                            "no chain in this data directory; initialise it from a genesis file");
  }
  ChainMeta meta;
  if (!meta.ParseFromString(*meta_bytes) || meta.genesis_hash().size() != 32 ||
      meta.genesis_state_root().size() != 32) {
    return Status::Corruption("CHAIN_META_CORRUPT", "chain identity record is damaged");
  }
  if (meta.format_version() != keys::kDiskFormatVersion) {
    return Status::FailedPrecondition(
        "DISK_FORMAT_UNSUPPORTED",
        "data directory has disk format " + std::to_string(meta.format_version()) +
            ", this build reads format " + std::to_string(keys::kDiskFormatVersion) +
            "; use a matching pledgerd release");
  }
  PLEDGER_ASSIGN_OR_RETURN(auto tip_bytes, db_->Get(kTipKey));
  ChainTip tip;
  if (!tip_bytes || !tip.ParseFromString(*tip_bytes) || tip.block_hash().size() != 32 ||
      tip.state_root().size() != 32 || tip.results_root().size() != 32) {
    return Status::Corruption("CHAIN_TIP_CORRUPT", "chain tip record is missing or damaged");
  }
  // The tx index's in-memory front: one pass over its keys at start, after
  // which absent ids cost no read.
  TxIdSet fresh;
  std::vector<Hash256> ids;
  const std::string tx_prefix(1, keys::kTx);
  PLEDGER_RETURN_IF_ERROR(db_->Scan(tx_prefix, tx_prefix, [&](std::string_view k, std::string_view) {
    if (k.size() == 1 + sizeof(Hash256)) {
      Hash256 id;
      std::memcpy(id.data(), k.data() + 1, id.size());
      ids.push_back(id);
      if (ids.size() == 65536) {
        fresh.InsertAll(ids);
        ids.clear();
      }
    }
    return true;
  }));
  fresh.InsertAll(ids);
  tx_ids_.Replace(std::move(fresh));
  std::lock_guard<std::mutex> lock(mu_);
  identity_.chain_id = meta.chain_id();
  identity_.genesis_hash = HashOf(meta.genesis_hash());
  identity_.genesis_state_root = HashOf(meta.genesis_state_root());
  recent_tips_ = {};
  tip_.height = tip.height();
  tip_.block_hash = HashOf(tip.block_hash());
  tip_.state_root = HashOf(tip.state_root());
  tip_.results_root = HashOf(tip.results_root());
  return Status::OK();
}

ChainIdentity BlockStore::identity() const {
  std::lock_guard<std::mutex> lock(mu_);
  return identity_;
}

Tip BlockStore::tip() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tip_;
}

Result<BlockStore::BaseRoots> BlockStore::RootsAt(std::uint64_t height,
                                                  std::uint64_t base_height) const {
  if (base_height >= height || height - base_height > kMaxStateRootLag) {
    return Status::FailedPrecondition(
        "BLOCK_STATE_ROOT_HEIGHT_INVALID",
        "block " + H(height) + " names the state of block " + H(base_height) +
            "; it must be one of the " + std::to_string(kMaxStateRootLag) + " blocks before it");
  }
  BaseRoots r;
  if (base_height == 0) {
    r.state_root = identity().genesis_state_root;
    r.results_root = ResultsRoot({});
    return r;
  }
  // Blocks name the tip or, from a pipelining leader, one of the few blocks
  // before it, whose roots are in memory: no need to parse every receipt of
  // its stored results.
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Tip* known = tip_.height == base_height ? &tip_ : nullptr;
    for (const Tip& t : recent_tips_) {
      if (!known && t.height == base_height) known = &t;
    }
    if (known) {
      r.state_root = known->state_root;
      r.results_root = known->results_root;
      return r;
    }
  }
  PLEDGER_ASSIGN_OR_RETURN(BlockResults res, GetResults(base_height));
  if (res.state_root().size() != 32 || res.results_root().size() != 32) {
    return Status::Corruption("RESULTS_MALFORMED", "stored results " + H(base_height) + " are damaged");
  }
  r.state_root = HashOf(res.state_root());
  r.results_root = HashOf(res.results_root());
  return r;
}

Result<BlockHeader> BlockStore::CheckAppend(const Block& block) const {
  PLEDGER_ASSIGN_OR_RETURN(BlockHeader h, DecodeBlockHeader(block));
  Tip t = tip();
  if (const std::string chain = identity().chain_id; h.chain_id() != chain) {
    return Status::InvalidArgument("BLOCK_WRONG_CHAIN", "block is for chain '" + h.chain_id() +
                                                            "', this node keeps '" + chain + "'");
  }
  if (h.height() != t.height + 1) {
    return Status::FailedPrecondition("BLOCK_HEIGHT_MISMATCH",
                                      "block has height " + H(h.height()) + ", next is " +
                                          H(t.height + 1));
  }
  PLEDGER_RETURN_IF_ERROR(CheckBlockContent(block, h));
  if (h.prev_hash() != Str(t.block_hash)) {
    return Status::FailedPrecondition("BLOCK_PREV_HASH_MISMATCH",
                                      "block " + H(h.height()) + " does not link to block " +
                                          H(t.height));
  }
  PLEDGER_ASSIGN_OR_RETURN(BaseRoots base, RootsAt(h.height(), h.state_root_height()));
  if (h.prev_state_root() != Str(base.state_root)) {
    return Status::FailedPrecondition("BLOCK_PREV_STATE_ROOT_MISMATCH",
                                      "block " + H(h.height()) + " carries a state root for block " +
                                          H(h.state_root_height()) +
                                          " that differs from this node's");
  }
  if (h.prev_results_root() != Str(base.results_root)) {
    return Status::FailedPrecondition("BLOCK_PREV_RESULTS_ROOT_MISMATCH",
                                      "block " + H(h.height()) + " carries a results root for block " +
                                          H(h.state_root_height()) +
                                          " that differs from this node's");
  }
  return h;
}

Result<Tip> BlockStore::StageAppend(const Block& block, const BlockHeader& header,
                                    const std::vector<std::string>& receipts,
                                    const Hash256& state_root, leveldb::WriteBatch* batch,
                                    const std::vector<Hash256>* tx_ids) const {
  if (receipts.size() != static_cast<size_t>(block.txs_size())) {
    return Status::Internal("RECEIPT_COUNT_MISMATCH",
                            "block " + H(header.height()) + " has " +
                                std::to_string(block.txs_size()) + " transactions but " +
                                std::to_string(receipts.size()) + " receipts");
  }
  Tip next;
  next.height = header.height();
  next.block_hash = BlockHash(block);
  next.state_root = state_root;
  next.results_root = ResultsRoot(receipts);

  BlockResults results;
  for (const auto& r : receipts) results.add_receipts(r);
  results.set_state_root(Str(next.state_root));
  results.set_results_root(Str(next.results_root));
  results.set_block_hash(Str(next.block_hash));

  batch->Put(keys::Block(next.height), block.SerializeAsString());
  batch->Put(keys::Results(next.height), SerializeCanonical(results));
  std::string height_bytes;
  PutBigEndian64(&height_bytes, next.height);
  batch->Put(keys::BlockHash(next.block_hash), height_bytes);
  // The index names the first occurrence of a body: a later copy (a replay,
  // rejected by the contracts with its own receipt) must not move it.
  std::set<Hash256> seen;
  std::vector<Hash256> added;
  bool have_ids = tx_ids != nullptr && tx_ids->size() == static_cast<size_t>(block.txs_size());
  for (int i = 0; i < block.txs_size(); ++i) {
    Hash256 id;
    if (have_ids) {
      id = (*tx_ids)[static_cast<size_t>(i)];
    } else {
      id = TxIdOfBytes(block.txs(i));
    }
    if (!seen.insert(id).second) continue;
    if (tx_ids_.MayContain(id)) {
      PLEDGER_ASSIGN_OR_RETURN(auto existing, db_->Get(keys::Tx(id)));
      if (existing) continue;
    }
    TxLocation loc;
    loc.set_height(next.height);
    loc.set_index(static_cast<std::uint32_t>(i));
    batch->Put(keys::Tx(id), SerializeCanonical(loc));
    added.push_back(id);
  }
  // Before the batch is written: a reader must never miss an id the index
  // may already hold. An id whose batch then fails stays, as a false "maybe".
  tx_ids_.InsertAll(added);
  ChainTip tip;
  tip.set_height(next.height);
  tip.set_block_hash(Str(next.block_hash));
  tip.set_state_root(Str(next.state_root));
  tip.set_results_root(Str(next.results_root));
  batch->Put(kTipKey, SerializeCanonical(tip));
  return next;
}

void BlockStore::PublishTip(const Tip& tip) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tip.height == tip_.height + 1) {
    std::move_backward(recent_tips_.begin(), recent_tips_.end() - 1, recent_tips_.end());
    recent_tips_[0] = tip_;
  } else {
    recent_tips_ = {};  // a jump (catch-up): the old neighbours are not this tip's
  }
  tip_ = tip;
}

Status BlockStore::Append(const Block& block, const std::vector<std::string>& receipts,
                          const Hash256& state_root, bool sync) {
  PLEDGER_ASSIGN_OR_RETURN(BlockHeader header, CheckAppend(block));
  leveldb::WriteBatch batch;
  PLEDGER_ASSIGN_OR_RETURN(Tip next, StageAppend(block, header, receipts, state_root, &batch));
  PLEDGER_RETURN_IF_ERROR(db_->Write(&batch, sync));
  PublishTip(next);
  return Status::OK();
}

Result<Block> BlockStore::GetBlock(std::uint64_t height) const {
  PLEDGER_ASSIGN_OR_RETURN(auto bytes, db_->Get(keys::Block(height)));
  if (!bytes) {
    return Status::NotFound("BLOCK_NOT_FOUND", "no block at height " + H(height) +
                                                   " (tip is " + H(tip().height) + ")");
  }
  Block block;
  if (!block.ParseFromString(*bytes)) {
    return Status::Corruption("BLOCK_MALFORMED", "stored block " + H(height) + " does not parse");
  }
  return block;
}

Result<BlockResults> BlockStore::GetResults(std::uint64_t height) const {
  PLEDGER_ASSIGN_OR_RETURN(auto bytes, db_->Get(keys::Results(height)));
  if (!bytes) return Status::NotFound("BLOCK_NOT_FOUND", "no results for height " + H(height));
  BlockResults r;
  if (!r.ParseFromString(*bytes)) {
    return Status::Corruption("RESULTS_MALFORMED", "stored results " + H(height) + " do not parse");
  }
  return r;
}

Result<std::uint64_t> BlockStore::HeightOfHash(const Hash256& hash) const {
  PLEDGER_ASSIGN_OR_RETURN(auto bytes, db_->Get(keys::BlockHash(hash)));
  if (!bytes) return Status::NotFound("BLOCK_NOT_FOUND", "no block with hash " + HexEncode(hash));
  if (bytes->size() != 8) return Status::Corruption("INDEX_CORRUPT", "block hash index damaged");
  return GetBigEndian64(bytes->data());
}

Result<TxLocation> BlockStore::LocateTx(const Hash256& tx_id) const {
  std::optional<std::string> bytes;
  if (tx_ids_.MayContain(tx_id)) {
    PLEDGER_ASSIGN_OR_RETURN(bytes, db_->Get(keys::Tx(tx_id)));
  }
  if (!bytes) {
    return Status::NotFound("TX_NOT_FOUND", "no committed transaction with id " + HexEncode(tx_id));
  }
  TxLocation loc;
  if (!loc.ParseFromString(*bytes)) return Status::Corruption("INDEX_CORRUPT", "tx index damaged");
  return loc;
}

Status BlockStore::ForEachBlock(
    std::uint64_t from, std::uint64_t to,
    const std::function<bool(std::uint64_t, const Block&)>& fn) const {
  std::uint64_t last = std::min(to, tip().height);
  for (std::uint64_t h = std::max<std::uint64_t>(from, 1); h <= last; ++h) {
    PLEDGER_ASSIGN_OR_RETURN(Block b, GetBlock(h));
    if (!fn(h, b)) break;
  }
  return Status::OK();
}

Result<ChainReport> BlockStore::VerifyChain(std::uint64_t from, std::uint64_t to) const {
  ChainReport report;
  Tip t = tip();
  std::uint64_t last = std::min(to, t.height);
  from = std::max<std::uint64_t>(from, 1);
  auto fail = [&](std::uint64_t h, std::string reason, std::string detail) {
    report.ok = false;
    report.first_bad_height = h;
    report.reason = std::move(reason);
    report.detail = std::move(detail);
    return report;
  };

  // What block `from` must link to.
  const ChainIdentity id = identity();
  Hash256 prev_hash = id.genesis_hash;
  std::string prev_state = Str(id.genesis_state_root);
  std::string prev_results = Str(ResultsRoot({}));
  if (from > 1 && from <= last) {
    auto prev = GetResults(from - 1);
    if (!prev.ok()) return fail(from - 1, "RESULTS_MISSING", prev.status().ToString());
    prev_hash = HashOf(prev->block_hash());
    prev_state = prev->state_root();
    prev_results = prev->results_root();
  }

  for (std::uint64_t h = from; h <= last; ++h) {
    auto bytes = db_->Get(keys::Block(h));
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) return fail(h, "BLOCK_MISSING", "no block stored at this height");
    Block block;
    if (!block.ParseFromString(**bytes)) {
      return fail(h, "BLOCK_MALFORMED", "stored block bytes do not parse as a Block");
    }
    auto header = DecodeBlockHeader(block);
    if (!header.ok()) return fail(h, "BLOCK_HEADER_MALFORMED", header.status().ToString());
    if (header->height() != h) {
      return fail(h, "BLOCK_HEIGHT_MISMATCH", "header says height " + H(header->height()));
    }
    if (header->chain_id() != id.chain_id) {
      return fail(h, "BLOCK_WRONG_CHAIN", "header names chain '" + header->chain_id() + "'");
    }
    if (header->prev_hash() != Str(prev_hash)) {
      return fail(h, "BLOCK_PREV_HASH_MISMATCH",
                  "prev_hash " + HexEncode(header->prev_hash()) + " but block " + H(h - 1) +
                      " hashes to " + HexEncode(prev_hash));
    }
    Status content = CheckBlockContent(block, *header);
    if (!content.ok()) return fail(h, std::string(content.reason()), std::string(content.message()));
    auto base = RootsAt(h, header->state_root_height());
    if (!base.ok()) return fail(h, std::string(base.status().reason()), std::string(base.status().message()));
    if (header->prev_state_root() != Str(base->state_root)) {
      return fail(h, "BLOCK_PREV_STATE_ROOT_MISMATCH",
                  "header's state root for block " + H(header->state_root_height()) +
                      " differs from the state root recorded for it");
    }
    if (header->prev_results_root() != Str(base->results_root)) {
      return fail(h, "BLOCK_PREV_RESULTS_ROOT_MISMATCH",
                  "header's results root for block " + H(header->state_root_height()) +
                      " differs from that block's receipts");
    }
    auto results = GetResults(h);
    if (!results.ok()) return fail(h, "RESULTS_MISSING", results.status().ToString());
    Hash256 hash = BlockHash(block);
    if (results->block_hash() != Str(hash)) {
      return fail(h, "BLOCK_HASH_MISMATCH",
                  "header hashes to " + HexEncode(hash) + " but " +
                      HexEncode(results->block_hash()) + " was recorded when it was appended");
    }
    if (results->receipts_size() != block.txs_size()) {
      return fail(h, "RESULTS_COUNT_MISMATCH",
                  std::to_string(results->receipts_size()) + " receipts for " +
                      std::to_string(block.txs_size()) + " transactions");
    }
    std::vector<std::string> receipts(results->receipts().begin(), results->receipts().end());
    if (Str(ResultsRoot(receipts)) != results->results_root()) {
      return fail(h, "RESULTS_ROOT_MISMATCH", "stored receipts do not hash to the results root");
    }
    auto hi = HeightOfHash(hash);
    if (!hi.ok() || *hi != h) return fail(h, "INDEX_MISMATCH", "block hash index does not point here");
    for (int i = 0; i < block.txs_size(); ++i) {
      // Garbage a block carried is indexed too (it has a refusal receipt).
      auto loc = LocateTx(TxIdOfBytes(block.txs(i)));
      // A later block may legitimately carry the same body again (rejected as a
      // replay by the contracts); the index points at the first occurrence.
      if (!loc.ok() || loc->height() > h || (loc->height() == h && loc->index() > static_cast<std::uint32_t>(i))) {
        return fail(h, "INDEX_MISMATCH",
                    "transaction index does not locate transaction " + std::to_string(i));
      }
    }
    prev_hash = hash;
    prev_state = results->state_root();
    prev_results = results->results_root();
    ++report.checked;
  }
  if (last == t.height && last >= from) {
    if (prev_state != Str(t.state_root) || Str(prev_hash) != Str(t.block_hash)) {
      return fail(last, "TIP_MISMATCH", "chain tip record disagrees with the last block");
    }
  }
  return report;
}

}  // namespace pledger::ledger
