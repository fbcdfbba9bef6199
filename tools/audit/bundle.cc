#include "tools/audit/bundle.h"

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>

#include "contracts/engine.h"
#include "contracts/genesis.h"
#include "ledger/block.h"
#include "ledger/crypto.h"
#include "ledger/merkle.h"
#include "ledger/tx.h"
#include "tools/common/text.h"

namespace pledger::tools::audit {
namespace {

std::string Str(const ledger::Hash256& h) { return std::string(ledger::AsStringView(h)); }
std::string H(std::uint64_t v) { return std::to_string(v); }

ledger::Hash256 HashOf(const std::string& raw) {
  ledger::Hash256 h{};
  if (raw.size() == h.size()) std::copy(raw.begin(), raw.end(), h.begin());
  return h;
}

// True if `bytes` is exactly the deterministic encoding of a message with no
// unknown fields: then every byte is meaningful and none can change unseen.
bool ParseCanonical(std::string_view bytes, google::protobuf::Message* m) {
  return m->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && !ledger::HasUnknownFields(*m) &&
         ledger::SerializeCanonical(*m) == bytes;
}

Result<ledger::BlockHeader> DecodeHeader(const std::string& bytes, const std::string& chain_id,
                                         const std::string& what) {
  ledger::Block wrapper;
  wrapper.set_header(bytes);
  auto h = ledger::DecodeBlockHeader(wrapper);
  if (!h.ok()) {
    return Status::Corruption("BUNDLE_HEADER_INVALID", what + " is not a canonical block header");
  }
  for (const std::string* f : {&h->prev_hash(), &h->tx_root(), &h->prev_state_root(), &h->prev_results_root(),
                               &h->attestations_root()}) {
    if (f->size() != 32) return Status::Corruption("BUNDLE_HEADER_INVALID", what + " has a hash field that is not 32 bytes");
  }
  if (h->height() == 0) return Status::Corruption("BUNDLE_HEADER_INVALID", what + " has height 0");
  if (h->chain_id() != chain_id) {
    return Status::Corruption("BUNDLE_CHAIN_MISMATCH",
                              what + " belongs to chain '" + h->chain_id() + "', not '" + chain_id + "'");
  }
  return h;
}

Result<std::vector<ledger::Hash256>> PathOf(const google::protobuf::RepeatedPtrField<std::string>& raw,
                                            const char* reason, const std::string& what) {
  std::vector<ledger::Hash256> path;
  for (const auto& p : raw) {
    if (p.size() != 32) return Status::Corruption(reason, what + ": a path element is not 32 bytes");
    path.push_back(HashOf(p));
  }
  return path;
}

}  // namespace

std::string ShortHex(std::string_view raw) { return ledger::HexEncode(raw).substr(0, 16) + "…"; }

std::string FormatTimeMs(std::uint64_t time_ms) {
  std::time_t secs = static_cast<std::time_t>(time_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

Result<ProvenBlock> CheckBlockProof(const std::string& chain_id, const BlockProof& proof, const ValidatorSet& set,
                                    CheckLog* log) {
  ProvenBlock out;
  PLEDGER_ASSIGN_OR_RETURN(out.header, DecodeHeader(proof.header(), chain_id, "the block header"));
  const std::uint64_t height = out.header.height();
  out.hash = ledger::Sha256(proof.header());
  log->push_back("ok   block " + H(height) + ": header of chain " + chain_id + " hashes to " +
                 ShortHex(Str(out.hash)) + ", time " + FormatTimeMs(out.header.time_ms()) + ", " +
                 H(out.header.tx_count()) + " transactions");

  // Link the following headers up to the anchor.
  ledger::Hash256 anchor_hash = out.hash;
  std::uint64_t anchor_height = height;
  // The first linked header that names the proven block as the one whose
  // roots it carries (BlockHeader.state_root_height).
  std::optional<ledger::BlockHeader> names_it;
  for (int i = 0; i < proof.link_headers_size(); ++i) {
    const std::string what = "link header " + H(anchor_height + 1);
    PLEDGER_ASSIGN_OR_RETURN(ledger::BlockHeader link, DecodeHeader(proof.link_headers(i), chain_id, what));
    if (link.height() != anchor_height + 1) {
      return Status::Corruption("BUNDLE_LINK_BROKEN", what + " says height " + H(link.height()));
    }
    if (link.prev_hash() != Str(anchor_hash)) {
      return Status::Corruption("BUNDLE_LINK_BROKEN", what + " does not name block " + H(anchor_height) +
                                                          " (" + ShortHex(Str(anchor_hash)) + ") as its parent");
    }
    if (!names_it && link.state_root_height() == height) names_it = link;
    anchor_hash = ledger::Sha256(proof.link_headers(i));
    anchor_height = link.height();
  }
  if (proof.link_headers_size() > 0) {
    log->push_back("ok   headers " + H(height + 1) + ".." + H(anchor_height) +
                   " each name the previous block's hash: attesting block " + H(anchor_height) +
                   " vouches for block " + H(height));
  }
  out.anchor_height = anchor_height;
  if (proof.link_headers_size() > 0 && !names_it) {
    return Status::Corruption("BUNDLE_LINK_BROKEN", "no linked header carries block " + H(height) +
                                                        "'s roots (state_root_height), so its results root is unproven");
  }

  // The anchor's attestations, by voters of the set in force for the proven block.
  if (proof.attestations_size() == 0) {
    return Status::Corruption("ATTESTATION_QUORUM_NOT_MET", "block " + H(anchor_height) + " carries no attestations in the bundle; " +
                                                                H(set.quorum()) + " of " + H(set.voters()) +
                                                                " voters (" + set.Describe() + ") are needed");
  }
  std::set<std::string> signers;
  std::string state_root, results_root, first_signer;
  for (int i = 0; i < proof.attestations_size(); ++i) {
    ledger::Attestation a;
    if (!ParseCanonical(proof.attestations(i), &a)) {
      return Status::Corruption("ATTESTATION_MALFORMED", "attestation " + H(static_cast<std::uint64_t>(i)) +
                                                             " of block " + H(anchor_height) + " is not a canonical Attestation");
    }
    PLEDGER_RETURN_IF_ERROR(CheckAttestation(chain_id, a, anchor_height, set));
    if (!signers.insert(a.validator_id()).second) {
      return Status::Corruption("ATTESTATION_DUPLICATE", "two attestations of block " + H(anchor_height) + " by " +
                                                             a.validator_id());
    }
    if (a.block_hash() != Str(anchor_hash)) {
      return Status::Corruption("ATTESTATION_DISAGREES", a.validator_id() + " attested block hash " +
                                                             ShortHex(a.block_hash()) + " for height " + H(anchor_height) +
                                                             ", the header hashes to " + ShortHex(Str(anchor_hash)));
    }
    if (i == 0) {
      state_root = a.state_root();
      results_root = a.results_root();
      first_signer = a.validator_id();
    } else if (a.state_root() != state_root || a.results_root() != results_root) {
      return Status::Corruption("ATTESTATION_DISAGREES", a.validator_id() + " attested another state or results root for block " +
                                                             H(anchor_height) + " than " + first_signer);
    }
  }
  if (signers.size() < set.quorum()) {
    return Status::Corruption("ATTESTATION_QUORUM_NOT_MET",
                              "block " + H(anchor_height) + " is attested by " + H(signers.size()) + " of " +
                                  H(set.voters()) + " voters (" + Join(signers) +
                                  "); more than half, " + H(set.quorum()) + ", are needed");
  }
  out.signers.assign(signers.begin(), signers.end());
  log->push_back("ok   block " + H(anchor_height) + " attested by " + H(signers.size()) + " of " + H(set.voters()) +
                 " voters in force for block " + H(height) + " (" + Join(out.signers) +
                 "): signatures verify, all sign block hash " + ShortHex(Str(anchor_hash)) + ", state root " +
                 ShortHex(state_root) + ", results root " + ShortHex(results_root));
  if (proof.link_headers_size() == 0) {
    out.state_root = HashOf(state_root);
    out.results_root = HashOf(results_root);
  } else {
    // A later header names the proven block and carries its roots.
    out.state_root = HashOf(names_it->prev_state_root());
    out.results_root = HashOf(names_it->prev_results_root());
    log->push_back("ok   block " + H(names_it->height()) + "'s header carries block " + H(height) +
                   "'s results root " + ShortHex(Str(out.results_root)) + " (its state_root_height)");
  }
  return out;
}

Result<ProvenTx> CheckTxProof(const std::string& chain_id, const TxProof& proof, const ValidatorSet& set,
                              CheckLog* log) {
  ProvenTx out;
  if (!proof.has_block()) return Status::Corruption("BUNDLE_TX_INVALID", "the proof has no block");
  PLEDGER_ASSIGN_OR_RETURN(out.block, CheckBlockProof(chain_id, proof.block(), set, log));
  const ledger::BlockHeader& h = out.block.header;
  const std::uint64_t n = h.tx_count();
  out.index = proof.index();
  if (out.index >= n) {
    return Status::Corruption("BUNDLE_TX_NOT_INCLUDED", "index " + H(out.index) + " is outside block " + H(h.height()) +
                                                            "'s " + H(n) + " transactions");
  }
  if (proof.tx().empty()) return Status::Corruption("BUNDLE_TX_INVALID", "the proof carries no transaction");
  // PrepareTx names the transaction the way the contracts do (SHA-256 of the
  // body; of the raw bytes if the envelope is malformed) and checks signatures.
  contracts::PreparedTx p = contracts::PrepareTx(proof.tx());
  out.id = p.id;
  out.tx = p.tx;
  out.body_ok = p.status.ok() || p.body.ByteSizeLong() > 0;
  out.body = p.body;
  PLEDGER_ASSIGN_OR_RETURN(auto tx_path, PathOf(proof.tx_path(), "BUNDLE_TX_NOT_INCLUDED", "transaction path"));
  if (!ledger::VerifyMerkleInclusion(ledger::MerkleLeafHash(proof.tx()), out.index, n, tx_path,
                                     HashOf(h.tx_root()))) {
    return Status::Corruption("BUNDLE_TX_NOT_INCLUDED", "transaction " + ShortHex(Str(out.id)) + " is not leaf " +
                                                            H(out.index) + " of block " + H(h.height()) +
                                                            "'s transaction tree (the path does not lead to tx_root)");
  }
  log->push_back("ok   transaction " + ShortHex(Str(out.id)) + " is leaf " + H(out.index) + " of " + H(n) +
                 " under block " + H(h.height()) + "'s tx_root (RFC 6962 path of " + H(tx_path.size()) + " hashes)");
  log->push_back(std::string(p.status.ok() ? "ok   " : "note ") + "signatures: " +
                 (p.status.ok() ? H(p.signers.size()) + " Ed25519 signature(s) over the exact body verify"
                                : "the transaction does not pass decoding and signature checks (" +
                                      std::string(p.status.reason()) + "); its receipt must say so"));
  if (!ParseCanonical(proof.receipt(), &out.receipt)) {
    return Status::Corruption("BUNDLE_RECEIPT_INVALID", "the receipt is not a canonical Receipt");
  }
  if (out.receipt.tx_id() != Str(out.id)) {
    return Status::Corruption("BUNDLE_RECEIPT_MISMATCH", "the receipt is for transaction " +
                                                             ShortHex(out.receipt.tx_id()) + ", not " + ShortHex(Str(out.id)));
  }
  if (!p.status.ok() && out.receipt.code() == "OK") {
    return Status::Corruption("BUNDLE_RECEIPT_MISMATCH", "the receipt says OK for a transaction that fails " +
                                                             std::string(p.status.reason()));
  }
  PLEDGER_ASSIGN_OR_RETURN(auto r_path, PathOf(proof.receipt_path(), "BUNDLE_RECEIPT_NOT_INCLUDED", "receipt path"));
  if (!ledger::VerifyMerkleInclusion(ledger::MerkleLeafHash(proof.receipt()), out.index, n, r_path,
                                     out.block.results_root)) {
    return Status::Corruption("BUNDLE_RECEIPT_NOT_INCLUDED", "the receipt is not leaf " + H(out.index) +
                                                                 " under block " + H(h.height()) + "'s results root " +
                                                                 ShortHex(Str(out.block.results_root)));
  }
  log->push_back("ok   receipt " + out.receipt.code() + " is leaf " + H(out.index) + " under block " + H(h.height()) +
                 "'s attested results root (RFC 6962 path of " + H(r_path.size()) + " hashes)");
  return out;
}

Result<ProvenTx> CheckBundle(std::string_view bundle_bytes, std::string_view genesis_bytes, CheckLog* log) {
  EvidenceBundle b;
  if (!ParseCanonical(bundle_bytes, &b)) {
    return Status::Corruption("BUNDLE_MALFORMED",
                              "the file is not an evidence bundle (canonical protobuf with no unknown fields)");
  }
  if (b.format() != kBundleFormat) {
    return Status::Corruption("BUNDLE_FORMAT_UNSUPPORTED", "bundle format " + H(b.format()) +
                                                               "; this pledger-audit reads format " + H(kBundleFormat));
  }
  log->push_back("ok   bundle format " + H(b.format()) + ", " + H(bundle_bytes.size()) + " bytes, canonical encoding");
  PLEDGER_ASSIGN_OR_RETURN(contracts::Genesis genesis, contracts::ParseGenesis(genesis_bytes));
  const std::string genesis_hash = Str(ledger::Sha256(genesis_bytes));
  if (b.chain_id() != genesis.chain_id()) {
    return Status::Corruption("GENESIS_MISMATCH", "the bundle is for chain '" + b.chain_id() +
                                                      "', the genesis file for '" + genesis.chain_id() + "'");
  }
  if (b.genesis_hash() != genesis_hash) {
    return Status::Corruption("GENESIS_MISMATCH", "the bundle was made for genesis " + ShortHex(b.genesis_hash()) +
                                                      ", this genesis file hashes to " + ShortHex(genesis_hash));
  }
  PLEDGER_ASSIGN_OR_RETURN(ValidatorSet next, ValidatorSet::FromGenesis(genesis));
  log->push_back("ok   genesis file hashes to " + ShortHex(genesis_hash) + " (as the bundle says), chain " +
                 genesis.chain_id() + "; trusted validators: " + next.Describe());
  if (!b.has_subject()) return Status::Corruption("BUNDLE_MALFORMED", "the bundle has no subject transaction");
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockHeader subject_header,
                           DecodeHeader(b.subject().block().header(), genesis.chain_id(), "the subject's block header"));
  const std::uint64_t subject_height = subject_header.height();

  // The changes must be in chain order and below the subject: checked first,
  // so a reordered bundle is named as such.
  std::vector<std::uint64_t> heights;
  std::uint64_t prev_height = 0;
  std::int64_t prev_index = -1;
  for (int i = 0; i < b.validator_changes_size(); ++i) {
    const TxProof& c = b.validator_changes(i);
    PLEDGER_ASSIGN_OR_RETURN(ledger::BlockHeader ch,
                             DecodeHeader(c.block().header(), genesis.chain_id(), "change " + H(i + 1) + "'s header"));
    if (ch.height() >= subject_height || ch.height() < prev_height ||
        (ch.height() == prev_height && static_cast<std::int64_t>(c.index()) <= prev_index)) {
      return Status::Corruption("BUNDLE_ORDER_INVALID", "validator-set change " + H(i + 1) + " (block " + H(ch.height()) +
                                                            ") is out of chain order or not below the subject's block " +
                                                            H(subject_height));
    }
    prev_height = ch.height();
    prev_index = c.index();
    heights.push_back(ch.height());
  }
  log->push_back("ok   " + H(b.validator_changes_size()) + " validator-set change(s), in chain order, all below block " +
                 H(subject_height));
  ValidatorSet in_force = next;  // the set in force for the block being checked
  std::uint64_t block_height = 0;
  for (int i = 0; i < b.validator_changes_size(); ++i) {
    const TxProof& c = b.validator_changes(i);
    const std::uint64_t g = heights[static_cast<size_t>(i)];
    // Changes take effect after their block: every change of one block is
    // proven by the set in force before any of them.
    if (g != block_height) in_force = next;
    block_height = g;
    log->push_back("change " + H(i + 1) + ", block " + H(g) + " index " + H(c.index()) +
                   ", checked with the set in force for it: " + in_force.Describe());
    PLEDGER_ASSIGN_OR_RETURN(ProvenTx t, CheckTxProof(genesis.chain_id(), c, in_force, log));
    if (!t.body_ok || !IsValidatorChange(t.body)) {
      return Status::Corruption("VALIDATOR_CHANGE_INVALID", "change " + H(i + 1) + " is not a validator_add, "
                                                                "validator_promote, validator_remove or "
                                                                "validator_rotate_key transaction");
    }
    PLEDGER_RETURN_IF_ERROR(next.Apply(t.body, t.receipt, g));
    log->push_back("ok   applied: the set after block " + H(g) + " is " + next.Describe());
  }
  in_force = next;
  log->push_back("subject, block " + H(subject_height) + " index " + H(b.subject().index()) +
                 ", checked with the set in force for it: " + in_force.Describe());
  PLEDGER_ASSIGN_OR_RETURN(ProvenTx subject, CheckTxProof(genesis.chain_id(), b.subject(), in_force, log));
  return subject;
}

Result<TxProof> MakeTxProof(const ledger::Block& block, const ledger::BlockResults& results, std::uint32_t index) {
  if (index >= static_cast<std::uint32_t>(block.txs_size()) ||
      index >= static_cast<std::uint32_t>(results.receipts_size())) {
    return Status::InvalidArgument("TX_INDEX_OUT_OF_RANGE", "no transaction " + H(index) + " in the block");
  }
  TxProof p;
  p.set_index(index);
  p.set_tx(block.txs(static_cast<int>(index)));
  p.set_receipt(results.receipts(static_cast<int>(index)));
  std::vector<ledger::Hash256> leaves;
  leaves.reserve(static_cast<size_t>(block.txs_size()));
  for (const auto& raw : block.txs()) leaves.push_back(ledger::MerkleLeafHash(raw));
  PLEDGER_ASSIGN_OR_RETURN(auto tx_path, ledger::MerkleInclusionProof(leaves, index));
  for (const auto& h : tx_path) p.add_tx_path(Str(h));
  leaves.clear();
  for (const auto& raw : results.receipts()) leaves.push_back(ledger::MerkleLeafHash(raw));
  PLEDGER_ASSIGN_OR_RETURN(auto r_path, ledger::MerkleInclusionProof(leaves, index));
  for (const auto& h : r_path) p.add_receipt_path(Str(h));
  p.mutable_block()->set_header(block.header());
  return p;
}

}  // namespace pledger::tools::audit
