#include "tools/audit/prover.h"

#include <algorithm>
#include <set>

#include "contracts/genesis.h"
#include "ledger/crypto.h"
#include "ledger/tx.h"

namespace pledger::tools::audit {
namespace {

constexpr size_t kBlockCacheSize = 256;
constexpr size_t kHistoryPage = 1000;

std::string H(std::uint64_t v) { return std::to_string(v); }

bool IsChangeAction(const std::string& action) {
  return action == "validator_add" || action == "validator_promote" || action == "validator_remove" ||
         action == "validator_rotate_key";
}

}  // namespace

Prover::Prover(ChainSource* source, std::string genesis_bytes, contracts::Genesis genesis, ValidatorSet set)
    : source_(source),
      genesis_bytes_(std::move(genesis_bytes)),
      genesis_(std::move(genesis)),
      timeline_(std::move(set)) {}

Result<std::unique_ptr<Prover>> Prover::Create(ChainSource* source, std::string genesis_bytes) {
  PLEDGER_ASSIGN_OR_RETURN(contracts::Genesis g, contracts::ParseGenesis(genesis_bytes));
  PLEDGER_ASSIGN_OR_RETURN(ValidatorSet set, ValidatorSet::FromGenesis(g));
  return std::unique_ptr<Prover>(new Prover(source, std::move(genesis_bytes), std::move(g), std::move(set)));
}

Status Prover::Discover() {
  if (discovered_) return Status::OK();
  std::set<std::string> ids;
  for (const auto& v : genesis_.validators()) ids.insert(v.node_id());
  PLEDGER_ASSIGN_OR_RETURN(auto now, source_->ValidatorIds());
  ids.insert(now.begin(), now.end());
  std::set<std::pair<std::uint64_t, std::uint32_t>> found;
  for (const auto& id : ids) {
    std::string cursor;
    for (;;) {
      PLEDGER_ASSIGN_OR_RETURN(contracts::HistoryPage page, source_->History("validator/" + id, cursor, kHistoryPage));
      for (const auto& e : page.entries()) {
        // Refused changes change nothing; the checks below re-derive all of it.
        if (e.code() == "OK" && IsChangeAction(e.action())) found.emplace(e.height(), e.index());
      }
      if (page.next_cursor().empty()) break;
      cursor = page.next_cursor();
    }
  }
  for (const auto& [h, i] : found) changes_.push_back(Change{h, i});
  discovered_ = true;
  return Status::OK();
}

Result<const RawBlock*> Prover::Block(std::uint64_t height) {
  if (auto it = cache_.find(height); it != cache_.end()) return &it->second;
  PLEDGER_ASSIGN_OR_RETURN(auto blocks, source_->ReadBlocks(height, height + 15));
  if (blocks.empty()) {
    return Status::NotFound("BLOCK_NOT_FOUND", "the source has no block " + H(height));
  }
  for (auto& b : blocks) {
    if (cache_.size() >= kBlockCacheSize) cache_.erase(cache_.begin());
    std::uint64_t h = b.height;
    cache_[h] = std::move(b);
  }
  auto it = cache_.find(height);
  if (it == cache_.end()) return Status::NotFound("BLOCK_NOT_FOUND", "the source has no block " + H(height));
  return &it->second;
}

Result<BlockProof> Prover::ProveBlock(std::uint64_t height, const ValidatorSet& set) {
  PLEDGER_ASSIGN_OR_RETURN(tip_, source_->TipHeight());
  BlockProof proof;
  size_t best = 0;
  std::uint64_t best_at = height;
  std::vector<std::string> links;
  // A later anchor proves the block only through a linked header that carries
  // its roots (BlockHeader.state_root_height == height).
  bool named = false;
  for (std::uint64_t a = height; a <= std::min(tip_, height + kMaxAnchorDistance); ++a) {
    PLEDGER_ASSIGN_OR_RETURN(const RawBlock* raw, Block(a));
    ledger::Block block;
    if (!block.ParseFromString(raw->block)) {
      return Status::Corruption("BLOCK_MALFORMED", "the source's block " + H(a) + " does not parse");
    }
    if (a == height) {
      proof.set_header(block.header());
    } else {
      links.push_back(block.header());
      ledger::BlockHeader lh;
      if (lh.ParseFromString(block.header()) && lh.state_root_height() == height) named = true;
    }
    if (a > height && !named) continue;
    const std::string hash(ledger::AsStringView(ledger::Sha256(block.header())));
    PLEDGER_ASSIGN_OR_RETURN(auto atts, source_->Attestations(a));
    // Keep the valid attestations by voters of `set`, grouped by what they sign.
    std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> groups;
    for (const auto& bytes : atts) {
      ledger::Attestation at;
      if (!at.ParseFromString(bytes) || at.block_hash() != hash) continue;
      if (!CheckAttestation(genesis_.chain_id(), at, a, set).ok()) continue;
      groups[{at.state_root(), at.results_root()}][at.validator_id()] = ledger::SerializeCanonical(at);
    }
    for (const auto& [roots, by_validator] : groups) {
      if (by_validator.size() > best) {
        best = by_validator.size();
        best_at = a;
      }
      if (by_validator.size() >= set.quorum()) {
        for (const auto& l : links) proof.add_link_headers(l);
        for (const auto& [id, bytes] : by_validator) proof.add_attestations(bytes);
        return proof;
      }
    }
  }
  return Status::FailedPrecondition(
      "BLOCK_NOT_ATTESTED", "block " + H(height) + " is not attested yet by more than half of the voters in force for it (" +
                                set.Describe() + "): the best is " + H(best) + " of " + H(set.voters()) +
                                " at block " + H(best_at) +
                                ". Attestations ride in later blocks; try again once the chain has moved on");
}

Result<TxProof> Prover::ProveTx(std::uint64_t height, std::uint32_t index) {
  PLEDGER_ASSIGN_OR_RETURN(const RawBlock* raw, Block(height));
  ledger::Block block;
  ledger::BlockResults results;
  if (!block.ParseFromString(raw->block) || !results.ParseFromString(raw->results)) {
    return Status::Corruption("BLOCK_MALFORMED", "the source's block " + H(height) + " or its results do not parse");
  }
  PLEDGER_ASSIGN_OR_RETURN(TxProof p, MakeTxProof(block, results, index));
  PLEDGER_ASSIGN_OR_RETURN(BlockProof bp, ProveBlock(height, InForce(height)));
  *p.mutable_block() = std::move(bp);
  return p;
}

Result<ProvenTx> Prover::ProveAndCheck(std::uint64_t height, std::uint32_t index) {
  PLEDGER_RETURN_IF_ERROR(EstablishTo(height));
  PLEDGER_ASSIGN_OR_RETURN(TxProof p, ProveTx(height, index));
  CheckLog log;
  return CheckTxProof(genesis_.chain_id(), p, InForce(height), &log);
}

Status Prover::EstablishTo(std::uint64_t height) {
  PLEDGER_RETURN_IF_ERROR(Discover());
  while (next_change_ < changes_.size() && changes_[next_change_].height < height) {
    // Every change of one block is proven by the set in force before it and
    // takes effect after the block.
    const std::uint64_t g = changes_[next_change_].height;
    const ValidatorSet in_force = timeline_.InForce(g);
    ValidatorSet next = in_force;
    for (; next_change_ < changes_.size() && changes_[next_change_].height == g; ++next_change_) {
      const Change c = changes_[next_change_];
      PLEDGER_ASSIGN_OR_RETURN(TxProof p, ProveTx(c.height, c.index));
      CheckLog log;
      auto t = CheckTxProof(genesis_.chain_id(), p, in_force, &log);
      if (!t.ok()) return t.status().WithContext("proving validator-set change at block " + H(g));
      if (!t->body_ok || !IsValidatorChange(t->body) || t->receipt.code() != "OK") {
        return Status::Corruption("VALIDATOR_CHANGE_INVALID",
                                  "the source's history lists transaction " + H(c.index) + " of block " + H(g) +
                                      " as an accepted validator-set change; the block says otherwise");
      }
      PLEDGER_RETURN_IF_ERROR(next.Apply(t->body, t->receipt, g));
      proven_.emplace_back(c, std::move(p));
    }
    timeline_.SetAfter(g, std::move(next));
  }
  return Status::OK();
}

Result<EvidenceBundle> Prover::MakeBundle(const std::string& tx_id_hex) {
  PLEDGER_ASSIGN_OR_RETURN(auto loc, source_->LocateTx(tx_id_hex));
  PLEDGER_RETURN_IF_ERROR(EstablishTo(loc.first));
  EvidenceBundle b;
  b.set_format(kBundleFormat);
  b.set_chain_id(genesis_.chain_id());
  b.set_genesis_hash(std::string(ledger::AsStringView(ledger::Sha256(genesis_bytes_))));
  for (const auto& [c, p] : proven_) {
    if (c.height < loc.first) *b.add_validator_changes() = p;
  }
  PLEDGER_ASSIGN_OR_RETURN(*b.mutable_subject(), ProveTx(loc.first, loc.second));
  // Never hand out a bundle that does not check.
  CheckLog log;
  auto checked = CheckBundle(ledger::SerializeCanonical(b), genesis_bytes_, &log);
  if (!checked.ok()) return checked.status().WithContext("the bundle built from " + source_->Describe() + " does not check");
  if (ledger::HexEncode(checked->id) != tx_id_hex) {
    return Status::Corruption("TX_INDEX_MISMATCH", "the source's transaction index points at another transaction");
  }
  return b;
}

}  // namespace pledger::tools::audit
