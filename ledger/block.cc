#include "ledger/block.h"

#include "ledger/crypto.h"
#include "ledger/merkle.h"
#include "ledger/tx.h"

namespace pledger::ledger {
namespace {

std::string Str(const Hash256& h) { return std::string(AsStringView(h)); }

Hash256 RootOf(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::vector<Hash256> leaves;
  leaves.reserve(items.size());
  for (const auto& item : items) leaves.push_back(MerkleLeafHash(item));
  return MerkleRoot(leaves);
}

}  // namespace

Block SealBlock(const BlockDraft& d) {
  Block block;
  for (const auto& tx : d.txs) block.add_txs(tx);
  for (const auto& a : d.attestations) block.add_attestations(a);
  for (const auto& r : d.clock_readings) block.add_clock_readings(r);
  BlockHeader h;
  h.set_chain_id(d.chain_id);
  h.set_height(d.height);
  h.set_prev_hash(Str(d.prev_hash));
  h.set_tx_root(Str(RootOf(block.txs())));
  h.set_tx_count(static_cast<std::uint32_t>(d.txs.size()));
  h.set_prev_state_root(Str(d.prev_state_root));
  h.set_prev_results_root(Str(d.prev_results_root));
  h.set_time_ms(d.time_ms);
  h.set_proposer_id(d.proposer_id);
  h.set_raft_term(d.raft_term);
  h.set_raft_index(d.raft_index);
  h.set_attestations_root(Str(RootOf(block.attestations())));
  h.set_state_root_height(d.state_root_height ? *d.state_root_height : (d.height > 0 ? d.height - 1 : 0));
  h.set_clock_root(Str(RootOf(block.clock_readings())));
  block.set_header(SerializeCanonical(h));
  return block;
}

Hash256 BlockHash(const Block& block) { return Sha256(block.header()); }

Result<BlockHeader> DecodeBlockHeader(const Block& block) {
  BlockHeader h;
  if (!h.ParseFromString(block.header()) || HasUnknownFields(h) ||
      SerializeCanonical(h) != block.header()) {
    return Status::Corruption("BLOCK_HEADER_MALFORMED",
                              "block header is not a canonical BlockHeader message");
  }
  return h;
}

Status CheckBlockContent(const Block& block, const BlockHeader& h) {
  for (const std::string* f : {&h.prev_hash(), &h.tx_root(), &h.prev_state_root(),
                               &h.prev_results_root(), &h.attestations_root(), &h.clock_root()}) {
    if (f->size() != 32) {
      return Status::Corruption("BLOCK_FIELD_INVALID",
                                "block " + std::to_string(h.height()) +
                                    " has a hash field that is not 32 bytes");
    }
  }
  if (h.tx_count() != static_cast<std::uint32_t>(block.txs_size())) {
    return Status::Corruption("BLOCK_TX_COUNT_MISMATCH",
                              "block " + std::to_string(h.height()) + " header says " +
                                  std::to_string(h.tx_count()) + " transactions, body has " +
                                  std::to_string(block.txs_size()));
  }
  if (Str(RootOf(block.txs())) != h.tx_root()) {
    return Status::Corruption("BLOCK_TX_ROOT_MISMATCH",
                              "block " + std::to_string(h.height()) +
                                  ": transactions do not hash to the header's tx_root");
  }
  if (Str(RootOf(block.attestations())) != h.attestations_root()) {
    return Status::Corruption("BLOCK_ATTESTATIONS_ROOT_MISMATCH",
                              "block " + std::to_string(h.height()) +
                                  ": attestations do not hash to the header's attestations_root");
  }
  if (Str(RootOf(block.clock_readings())) != h.clock_root()) {
    return Status::Corruption("BLOCK_CLOCK_ROOT_MISMATCH",
                              "block " + std::to_string(h.height()) +
                                  ": clock readings do not hash to the header's clock_root");
  }
  return Status::OK();
}

Hash256 ResultsRoot(const std::vector<std::string>& receipts) { return MerkleRootOfData(receipts); }

Hash256 GenesisHash(std::string_view genesis_bytes) { return Sha256(genesis_bytes); }

}  // namespace pledger::ledger
