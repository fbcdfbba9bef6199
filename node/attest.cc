// Attestations: after applying a block every voting validator signs (height,
// block hash, state root, results root) with its node key and sends it to the
// leader, which puts it into a later block. When a block carrying
// attestations is applied, each one is checked against the validator set and
// against this node's own results for that height, and indexed ('A' keys) so
// the API can say whether a block is attested (more than half of the voting
// validators signed the same state). A validator that computed a different
// state root is logged loudly and counted (status, /metrics).
//
// Empty blocks: the leader cuts a block only for attestations when some of
// them attest a block that carried transactions; attestations of
// attestation-only blocks ride along with the next transactions. An idle
// chain therefore stops after one attestation block instead of attesting its
// own attestations forever.
#include "contracts/queries.h"
#include "ledger/attestation.h"
#include "ledger/keys.h"
#include "node/limits.h"
#include "node/log.h"
#include "node/node_impl.h"

namespace pledger::node {
namespace {

constexpr size_t kMaxPendingAttestations = limits::kPendingAttestationsMax;
constexpr size_t kMaxAttestationsPerBlock = limits::kAttestationsPerBlockMax;

std::string AttestationKey(std::uint64_t height, const std::string& validator) {
  std::string k(1, ledger::keys::kAttestation);
  ledger::PutBigEndian64(&k, height);
  k += validator;
  return k;
}

}  // namespace

void NodeImpl::Attest(const ledger::BlockHeader& header, const ledger::Hash256& hash) {
  bool voter = false;
  {
    io::MutexLock lock(&members_mu_);
    auto it = members_.find(node_id_);
    voter = it != members_.end() && it->second.on_ledger && it->second.voter;
  }
  {
    io::MutexLock lock(&attest_mu_);
    recent_tx_counts_[header.height()] = header.tx_count();
    while (recent_tx_counts_.size() > 4096) recent_tx_counts_.erase(recent_tx_counts_.begin());
  }
  ledger::Tip tip = ledger_->blocks().tip();
  recent_roots_[header.height()] = {tip.state_root, hash};
  while (recent_roots_.size() > 256) recent_roots_.erase(recent_roots_.begin());
  if (!voter) return;
  ledger::Attestation a = ledger::SignAttestation(genesis_.chain_id(), node_id_, header.height(), hash,
                                                  tip.state_root, tip.results_root, *NodeKey());
  RememberOwn(ledger::AttestationSigningBytes(genesis_.chain_id(), a), a.signature());
  std::uint64_t leader;
  {
    io::MutexLock lock(&status_mu_);
    leader = raft_status_.leader_id;
  }
  if (leader == raft_id_ || leader == 0) {
    AddPendingAttestation(a.SerializeAsString(), a.height());
  } else {
    PeerMessage pm;
    pm.set_attestation(a.SerializeAsString());
    transport_->Send(NodeIdOfRaft(leader), pm.SerializeAsString());
  }
}

void NodeImpl::AddPendingAttestation(std::string bytes, std::uint64_t height) {
  io::MutexLock lock(&attest_mu_);
  if (pending_attestations_.size() >= kMaxPendingAttestations) pending_attestations_.pop_front();
  pending_attestations_.emplace_back(height, std::move(bytes));
}

void NodeImpl::OnAttestation(const std::string& from, const std::string& bytes) {
  ledger::Attestation a;
  if (!a.ParseFromString(bytes) || a.validator_id() != from) {
    PLOG(kWarn, "attest") << "malformed attestation from " << from;
    return;
  }
  std::optional<ledger::PublicKey> key;
  {
    io::MutexLock lock(&members_mu_);
    auto it = members_.find(from);
    // The key in force for that block: an attestation of the block that
    // rotated the sender's key is signed with the old one.
    if (it != members_.end() && it->second.on_ledger) key = KeyAt(it->second, a.height());
  }
  if (!key || !ledger::VerifyAttestation(genesis_.chain_id(), a, *key, &verified_sigs_).ok()) {
    PLOG(kWarn, "attest") << "attestation from " << from << " does not verify; dropped";
    return;
  }
  AddPendingAttestation(bytes, a.height());
}

bool NodeImpl::HasPendingAttestations() {
  io::MutexLock lock(&attest_mu_);
  for (const auto& [h, bytes] : pending_attestations_) {
    auto it = recent_tx_counts_.find(h);
    if (it == recent_tx_counts_.end() || it->second > 0) return true;
  }
  return false;
}

std::vector<std::string> NodeImpl::TakeAttestations(std::uint64_t height) {
  io::MutexLock lock(&attest_mu_);
  std::vector<std::string> out;
  std::deque<std::pair<std::uint64_t, std::string>> keep;
  for (auto& p : pending_attestations_) {
    if (p.first < height && out.size() < kMaxAttestationsPerBlock) {
      out.push_back(std::move(p.second));
    } else if (p.first >= height) {
      keep.push_back(std::move(p));
    }
  }
  pending_attestations_ = std::move(keep);
  return out;
}

void NodeImpl::ReturnAttestations(const std::vector<std::string>& taken) {
  io::MutexLock lock(&attest_mu_);
  for (const auto& bytes : taken) {
    ledger::Attestation a;
    if (a.ParseFromString(bytes)) pending_attestations_.emplace_front(a.height(), bytes);
  }
}

void NodeImpl::StageAttestations(const ledger::Block& block, const ledger::BlockHeader& header,
                                 leveldb::WriteBatch* batch) {
  if (block.attestations_size() == 0) return;
  auto snap = ledger_->state().SnapshotReader();
  auto vs = contracts::QueryValidators(*snap);
  if (!vs.ok()) return;
  // An attestation verifies with the key in force for the block it attests
  // (Validator.key_height; pledger-audit checks the same).
  std::map<std::string, Member> keys;
  for (const auto& v : vs->validators()) {
    Member m;
    if (auto k = ledger::PublicKeyFromHex(v.public_key_hex()); k.ok()) m.key = *k;
    if (auto k = ledger::PublicKeyFromHex(v.previous_public_key_hex()); k.ok()) m.previous_key = *k;
    m.key_height = v.key_height();
    keys[v.node_id()] = std::move(m);
  }
  for (const auto& bytes : block.attestations()) {
    ledger::Attestation a;
    if (!a.ParseFromString(bytes) || a.height() == 0 || a.height() >= header.height()) continue;
    auto k = keys.find(a.validator_id());
    if (k == keys.end()) continue;
    auto key = KeyAt(k->second, a.height());
    if (!key || !ledger::VerifyAttestation(header.chain_id(), a, *key, &verified_sigs_).ok()) continue;
    batch->Put(AttestationKey(a.height(), a.validator_id()), bytes);
    // Our own roots for that height: attestations name recent blocks, whose
    // roots the applier keeps, so the stored results are rarely parsed.
    std::string our_root, our_hash;
    if (auto r = recent_roots_.find(a.height()); r != recent_roots_.end()) {
      our_root = std::string(ledger::AsStringView(r->second.first));
      our_hash = std::string(ledger::AsStringView(r->second.second));
    } else if (auto ours = ledger_->blocks().GetResults(a.height()); ours.ok()) {
      our_root = ours->state_root();
      our_hash = ours->block_hash();
    } else {
      continue;
    }
    if (our_root != a.state_root() || our_hash != a.block_hash()) {
      ++metrics_.state_root_mismatches;
      PLOG(kError, "attest") << "STATE ROOT MISMATCH at height " << a.height() << ": validator "
                             << a.validator_id() << " computed "
                             << ledger::HexEncode(a.state_root()).substr(0, 16) << "…, this node "
                             << ledger::HexEncode(our_root).substr(0, 16)
                             << "…. One of us executed differently: stop and audit "
                                "(pledger-audit verify)";
    }
  }
}

Result<std::vector<ledger::Attestation>> NodeImpl::AttestationsOf(std::uint64_t height) {
  std::string prefix(1, ledger::keys::kAttestation);
  ledger::PutBigEndian64(&prefix, height);
  std::vector<ledger::Attestation> out;
  PLEDGER_RETURN_IF_ERROR(ledger_->db().Scan(prefix, prefix, [&](std::string_view, std::string_view v) {
    ledger::Attestation a;
    if (a.ParseFromArray(v.data(), static_cast<int>(v.size()))) out.push_back(std::move(a));
    return true;
  }));
  return out;
}

}  // namespace pledger::node
