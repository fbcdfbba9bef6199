// Ledger time (docs/node.md "Ledger time"): voters send the leader signed
// readings of their clocks; the leader carries a majority of them in each
// block and stamps the time ledger/block_time.h computes from them; every
// applier recomputes it and skips a block whose time differs. This file holds
// the node's side: sending, receiving and choosing readings, and reporting
// each validator's offset from the ledger time.
#include <algorithm>
#include <cstdlib>

#include "contracts/limits.h"
#include "contracts/queries.h"
#include "ledger/clock_reading.h"
#include "node/limits.h"
#include "node/log.h"
#include "node/node_impl.h"

namespace pledger::node {

using SteadyClock = std::chrono::steady_clock;

void NodeImpl::RememberOwn(const std::string& signed_bytes, const std::string& signature) {
  verified_sigs_.Remember(ledger::AsStringView(NodeKey()->public_key()), signed_bytes, signature);
}

ledger::VoterKeys NodeImpl::MemberVoters() {
  ledger::VoterKeys out;
  io::MutexLock lock(&members_mu_);
  for (const auto& [id, m] : members_) {
    if (m.on_ledger && m.voter && m.key) out[id] = *m.key;
  }
  return out;
}

const ledger::VoterKeys& NodeImpl::ApplyVoters() {
  if (!apply_voters_) {
    ledger::VoterKeys keys;
    auto snap = ledger_->state().SnapshotReader();
    auto vs = contracts::QueryValidators(*snap);
    if (vs.ok()) {
      for (const auto& v : vs->validators()) {
        if (v.role() != contracts::VALIDATOR_VOTER) continue;
        auto k = ledger::PublicKeyFromHex(v.public_key_hex());
        if (k.ok()) keys[v.node_id()] = *k;
      }
    }
    // An unreadable validator set leaves no voters: every block is then
    // skipped, as the applier must not guess.
    apply_voters_ = std::move(keys);
  }
  return *apply_voters_;
}

void NodeImpl::SendClockReading(std::uint64_t leader) {
  bool voter = false;
  {
    io::MutexLock lock(&members_mu_);
    auto it = members_.find(node_id_);
    voter = it != members_.end() && it->second.on_ledger && it->second.voter;
  }
  if (!voter || !transport_) return;
  if (leader == 0) {
    io::MutexLock lock(&status_mu_);
    leader = raft_status_.leader_id;
  }
  if (leader == 0 || leader == raft_id_) return;  // the leader reads its own clock when it proposes
  std::string to = NodeIdOfRaft(leader);
  if (to.empty()) return;
  ledger::ClockReading r =
      ledger::SignClockReading(genesis_.chain_id(), node_id_, applied_height_.load(), clock_.NowMs(), *NodeKey());
  RememberOwn(ledger::ClockReadingSigningBytes(genesis_.chain_id(), r), r.signature());
  PeerMessage pm;
  pm.set_clock_reading(ledger::SerializeCanonical(r));
  transport_->Send(to, pm.SerializeAsString());
}

void NodeImpl::OnClockReading(const std::string& from, const std::string& bytes) {
  auto r = ledger::DecodeClockReading(bytes);
  if (!r.ok() || r->validator_id() != from) {
    PLOG(kWarn, "clock") << "malformed clock reading from " << from;
    return;
  }
  std::optional<ledger::PublicKey> key;
  {
    io::MutexLock lock(&members_mu_);
    auto it = members_.find(from);
    if (it != members_.end() && it->second.on_ledger && it->second.voter) key = it->second.key;
  }
  if (!key) return;  // not a voter (yet): its reading would not count
  if (!ledger::VerifyClockReading(genesis_.chain_id(), *r, *key, &verified_sigs_).ok()) {
    PLOG(kWarn, "clock") << "clock reading from " << from << " does not verify; dropped";
    return;
  }
  {
    io::MutexLock lock(&clock_mu_);
    HeldReading& h = held_readings_[from];
    // The latest by height, then by clock (a reading is never replaced by an
    // older one that arrives late).
    if (!h.bytes.empty() && (r->after_height() < h.after_height ||
                             (r->after_height() == h.after_height && r->clock_ms() < h.clock_ms))) {
      return;
    }
    h = HeldReading{r->after_height(), r->clock_ms(), bytes, SteadyClock::now()};
  }
  PostRaft([] {});  // a proposer waiting for readings may go on
}

void NodeImpl::OnClockRequest(const std::string& from) {
  std::uint64_t leader;
  {
    io::MutexLock lock(&status_mu_);
    leader = raft_status_.leader_id;
  }
  // Only the leader we follow may ask (each answer costs a signature).
  if (leader == 0 || RaftIdOf(from) != leader) return;
  SendClockReading();
}

bool NodeImpl::ClockReadingsFor(std::uint64_t height, const ledger::VoterKeys& voters,
                                SteadyClock::time_point fresh_after, std::vector<std::string>* out) {
  const auto now = SteadyClock::now();
  const std::uint64_t oldest = height > ledger::kClockReadingMaxAge ? height - ledger::kClockReadingMaxAge : 0;
  const bool self_votes = voters.count(node_id_) > 0;
  std::map<std::string, std::string> chosen;  // by validator id: sorted
  size_t responsive = self_votes ? 1 : 0;     // voters heard from lately, at a usable height
  {
    io::MutexLock lock(&clock_mu_);
    for (const auto& [id, h] : held_readings_) {
      if (id == node_id_ || !voters.count(id)) continue;
      if (h.after_height < oldest || h.after_height + 1 > height) continue;
      if (now - h.received <= std::chrono::milliseconds(limits::kClockReadingFreshMs)) ++responsive;
      if (h.received >= fresh_after) chosen[id] = h.bytes;
    }
  }
  const size_t have = chosen.size() + (self_votes ? 1 : 0);
  const size_t quorum = voters.size() / 2 + 1;
  if (have < voters.size()) {
    if (now - last_clock_request_ >= std::chrono::milliseconds(limits::kClockRequestIntervalMs)) {
      last_clock_request_ = now;
      PeerMessage pm;
      pm.set_clock_request(height);
      const std::string frame = pm.SerializeAsString();
      for (const auto& [id, key] : voters) {
        if (id != node_id_ && !chosen.count(id)) transport_->Send(id, frame);
      }
    }
    if (clock_wait_since_ == SteadyClock::time_point{}) clock_wait_since_ = now;
  }
  // Every voter that answers lately, or a majority once the wait is over: a
  // full set of readings keeps the date between honest clocks (a slow clock
  // alone cannot hold it back), and a dead voter does not stall the chain.
  const bool ready = have >= quorum &&
                     (have >= responsive ||
                      now - clock_wait_since_ >= std::chrono::milliseconds(limits::kClockWaitAllMs));
  if (!ready) return false;
  clock_wait_since_ = {};
  if (self_votes) {
    std::uint64_t own_height = std::min(applied_height_.load(), height - 1);
    ledger::ClockReading own =
        ledger::SignClockReading(genesis_.chain_id(), node_id_, own_height, clock_.NowMs(), *NodeKey());
    RememberOwn(ledger::ClockReadingSigningBytes(genesis_.chain_id(), own), own.signature());
    chosen[node_id_] = ledger::SerializeCanonical(own);
  }
  out->clear();
  out->reserve(chosen.size());
  for (auto& [id, bytes] : chosen) out->push_back(std::move(bytes));
  return true;
}

void NodeImpl::NoteBlockClock(const ledger::BlockHeader& header, const ledger::ClockTally& clock) {
  std::vector<std::pair<std::string, std::int64_t>> offsets;
  std::optional<std::int64_t> own;
  for (const auto& [id, ms] : clock.counted) {
    std::int64_t off = static_cast<std::int64_t>(ms) - static_cast<std::int64_t>(header.time_ms());
    offsets.emplace_back(id, off);
    if (id == node_id_) own = off;
  }
  std::uint64_t limit = contracts::kClockSkewMaxMsDefault;
  {
    auto snap = ledger_->state().SnapshotReader();
    auto p = contracts::QueryParams(*snap);
    if (p.ok() && p->clock_skew_max_ms() != 0) limit = p->clock_skew_max_ms();
  }
  bool skewed;
  {
    io::MutexLock lock(&clock_mu_);
    clock_offsets_ = std::move(offsets);
    clock_skew_max_ms_ = limit;
    // Without a reading of ours in the block, the last verdict stands.
    if (own) clock_skewed_ = static_cast<std::uint64_t>(std::llabs(*own)) > limit;
    skewed = clock_skewed_;
  }
  auto now = SteadyClock::now();
  if (skewed && own && (last_skew_warning_ == SteadyClock::time_point{} ||
                        now - last_skew_warning_ >= std::chrono::milliseconds(limits::kClockSkewWarnIntervalMs))) {
    last_skew_warning_ = now;
    PLOG(kWarn, "clock") << "CLOCK SKEWED: this node's clock (" << clock_.Describe() << ") is "
                         << (*own > 0 ? "ahead of" : "behind") << " the ledger time by " << std::llabs(*own)
                         << " ms at block " << header.height() << ", more than the chain's clock_skew_max_ms "
                         << limit << ": fix its time source (NTP). The ledger's date does not follow it";
  }
}

}  // namespace pledger::node
