// Catch-up: a node that was down longer than the retained Raft log (or a new
// node) receives a Raft snapshot whose data is only a manifest (the ledger tip
// at that index). It then fetches from a peer, in batches, the blocks it lacks
// with the results the peer recorded, and EXECUTES them like blocks from the
// log (NodeImpl::ApplyBlock): the same checks (links, parent roots, ledger
// time), the same contracts, the same history, version, statistics and
// attestation indexes. A block is written only if this node's own execution
// gives the roots the peer recorded, and the last one must be the manifest's
// block. So a caught-up node answers every read as a node that never fell
// behind, it trusts no peer's state, and it needs memory for one batch of
// blocks, not for the whole state.
//
// Why not a state transfer: an earlier version copied the peer's state and
// stored the blocks unexecuted; its indexes had holes for the fetched heights
// and it held the whole state in memory (0.5-1.5 GB in the soak,
// docs/reliability.md). Executing costs CPU time (the contracts run at tens of
// thousands of transactions a second, docs/performance.md), which is cheap
// next to either.
#include <chrono>

#include "ledger/block.h"
#include "ledger/keys.h"
#include "node/limits.h"
#include "node/log.h"
#include "node/node_impl.h"

namespace pledger::node {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRequestTimeout = std::chrono::milliseconds(limits::kCatchupRequestTimeoutMs);
constexpr size_t kBlocksPerResponse = limits::kCatchupBlocksPerResponse;
constexpr size_t kBlockResponseBytes = limits::kCatchupResponseBytesMax;

}  // namespace

bool NodeImpl::CatchupIdle() const { return !catching_up_.load(); }

void NodeImpl::ServeCatchup(const std::string& from, const PeerMessage& msg) {
  PeerMessage reply;
  if (msg.has_block_request()) {
    const auto& req = msg.block_request();
    auto* resp = reply.mutable_block_response();
    resp->set_request_id(req.request_id());
    std::uint64_t tip = ledger_->blocks().tip().height;
    size_t bytes = 0;
    for (std::uint64_t h = req.from_height(); h <= std::min(req.to_height(), tip) && h > 0; ++h) {
      auto b = ledger_->db().Get(ledger::keys::Block(h));
      auto r = ledger_->db().Get(ledger::keys::Results(h));
      if (!b.ok() || !r.ok() || !b->has_value() || !r->has_value()) {
        resp->set_error("block " + std::to_string(h) + " is not available here");
        break;
      }
      bytes += (*b)->size() + (*r)->size();
      resp->add_blocks(std::move(**b));
      resp->add_results(std::move(**r));
      if (static_cast<size_t>(resp->blocks_size()) >= kBlocksPerResponse || bytes >= kBlockResponseBytes) break;
    }
  }
  transport_->Send(from, reply.SerializeAsString());
}

void NodeImpl::OnCatchupResponse(const std::string& from, PeerMessage msg) {
  std::uint64_t id = msg.block_response().request_id();
  io::MutexLock lock(&catchup_mu_);
  if (id != catchup_request_id_ || from != catchup_peer_) return;  // stale or unsolicited
  catchup_reply_ = std::move(msg);
  catchup_cv_.NotifyAll();
}

Result<PeerMessage> NodeImpl::CatchupRequest(const std::string& peer, PeerMessage req) {
  {
    io::MutexLock lock(&catchup_mu_);
    std::uint64_t id = ++catchup_request_id_;
    req.mutable_block_request()->set_request_id(id);
    catchup_peer_ = peer;
    catchup_reply_.reset();
  }
  if (!transport_->Send(peer, req.SerializeAsString())) {
    return Status::Unavailable("PEER_UNREACHABLE", "cannot send to " + peer);
  }
  io::MutexLock lock(&catchup_mu_);
  bool got = catchup_cv_.WaitFor(&catchup_mu_, kRequestTimeout, [&]() REQUIRES(catchup_mu_) {
    return catchup_reply_.has_value() || stopped_.load();
  });
  if (!got || !catchup_reply_) {
    return Status::DeadlineExceeded("PEER_TIMEOUT", "peer " + peer + " did not answer in time");
  }
  PeerMessage reply = std::move(*catchup_reply_);
  catchup_reply_.reset();
  return reply;
}

Status NodeImpl::InstallSnapshot(const consensus::Snapshot& snap) {
  ledger::ChainTip manifest;
  if (!manifest.ParseFromString(snap.data.ToString()) || manifest.block_hash().size() != 32) {
    return Status::Corruption("SNAPSHOT_MANIFEST_INVALID", "the Raft snapshot carries no ledger manifest");
  }
  const std::uint64_t target = manifest.height();
  // The manifest came through Raft from the leader: the block this node holds
  // at its height must be the one the consortium has there.
  auto check_manifest_block = [&]() -> Status {
    const ledger::Tip tip = ledger_->blocks().tip();
    std::string at_target(ledger::AsStringView(tip.block_hash));
    if (tip.height > target) {
      PLEDGER_ASSIGN_OR_RETURN(ledger::BlockResults stored, ledger_->blocks().GetResults(target));
      at_target = stored.block_hash();
    }
    if (at_target == manifest.block_hash()) return Status::OK();
    return Status::Corruption("CATCHUP_FORK",
                              "block " + std::to_string(target) +
                                  " differs from the one the Raft snapshot names; the peers served another "
                                  "chain. Stop this node, move its data directory aside and let it resynchronise");
  };
  if (target <= ledger_->blocks().tip().height) {
    // Our ledger already holds that position: after a restart, it may hold
    // it because a catch-up that ended in CATCHUP_FORK wrote the other
    // chain's blocks. Accepting them here would leave the node on that chain
    // for good, skipping every later block as unlinkable.
    PLEDGER_RETURN_IF_ERROR(check_manifest_block());
    return RecordApplied(snap.metadata.index);
  }
  catching_up_ = true;
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag = false; }
  } done{catching_up_};

  // Candidates: the leader first, then every other member.
  std::vector<std::string> peers;
  {
    io::MutexLock lock(&status_mu_);
    std::string leader = NodeIdOfRaft(raft_status_.leader_id);
    if (!leader.empty() && leader != node_id_) peers.push_back(leader);
  }
  {
    io::MutexLock lock(&members_mu_);
    for (const auto& [id, m] : members_) {
      if (id != node_id_ && (peers.empty() || peers[0] != id)) peers.push_back(id);
    }
  }
  const std::uint64_t start = ledger_->blocks().tip().height;
  Status last = Status::Unavailable("NO_PEER", "no peer to catch up from");
  for (const auto& peer : peers) {
    if (ledger_->blocks().tip().height >= target) break;
    PLOG(kInfo, "catchup") << "fetching blocks " << ledger_->blocks().tip().height + 1 << " to " << target
                           << " from " << peer << " to execute them";
    Status s = FetchAndExecute(peer, target);
    if (s.ok()) break;
    last = s;
    // This node's own storage failing is not the peer's fault: fail-stop.
    if (s.Is(StatusCode::kIOError) || s.Is(StatusCode::kAborted)) return s;
    PLOG(kWarn, "catchup") << "catch-up from " << peer << " stopped at height "
                           << ledger_->blocks().tip().height << ": " << s.ToString();
  }
  const ledger::Tip tip = ledger_->blocks().tip();
  if (tip.height < target) return last;
  PLEDGER_RETURN_IF_ERROR(check_manifest_block());
  PLEDGER_RETURN_IF_ERROR(RecordApplied(snap.metadata.index));
  PLOG(kInfo, "catchup") << "caught up to height " << tip.height << " (" << tip.height - start
                         << " blocks fetched and executed)";
  CatchUpStatsIndex();
  RefreshMembers();
  MaybeInstallRotatedKey();  // the blocks may carry a rotation of this node's key
  return Status::OK();
}

Status NodeImpl::FetchAndExecute(const std::string& peer, std::uint64_t target) {
  while (ledger_->blocks().tip().height < target) {
    if (stopped_) return Status::Aborted("STOPPING", "node is stopping");
    if (Status f = Fatal(); !f.ok()) return Status::Aborted("NODE_FAILED", "the node has stopped applying");
    PeerMessage req;
    req.mutable_block_request()->set_from_height(ledger_->blocks().tip().height + 1);
    req.mutable_block_request()->set_to_height(target);
    PLEDGER_ASSIGN_OR_RETURN(PeerMessage reply, CatchupRequest(peer, std::move(req)));
    if (!reply.has_block_response() || reply.block_response().blocks_size() == 0) {
      const std::string& why = reply.block_response().error();
      return Status::Unavailable("PEER_CANNOT_SERVE", why.empty() ? peer + " sent no blocks" : why);
    }
    const auto& br = reply.block_response();
    if (br.results_size() != br.blocks_size()) {
      return Status::Corruption("CATCHUP_BLOCK_INVALID", peer + " sent blocks without their results");
    }
    for (int i = 0; i < br.blocks_size(); ++i) {
      ledger::Block block;
      ledger::BlockResults results;
      if (!block.ParseFromString(br.blocks(i)) || !results.ParseFromString(br.results(i))) {
        return Status::Corruption("CATCHUP_BLOCK_INVALID", "undecodable block from " + peer);
      }
      PLEDGER_RETURN_IF_ERROR(ExecuteFetchedBlock(block, results));
    }
  }
  return Status::OK();
}

Status NodeImpl::ExecuteFetchedBlock(const ledger::Block& block, const ledger::BlockResults& results) {
  const std::uint64_t expect = ledger_->blocks().tip().height + 1;
  auto bad = [&](std::string_view reason, const std::string& why) {
    return Status::Corruption(reason, "catch-up block " + std::to_string(expect) + ": " + why +
                                          "; the peer served a bad chain, trying another");
  };
  auto header = ledger::DecodeBlockHeader(block);
  if (!header.ok()) return bad("CATCHUP_BLOCK_INVALID", header.status().ToString());
  if (header->height() != expect) {
    return bad("CATCHUP_HEIGHT_MISMATCH", "the peer sent height " + std::to_string(header->height()));
  }
  if (header->chain_id() != genesis_.chain_id()) return bad("CATCHUP_WRONG_CHAIN", "a block of another chain");
  if (header->tx_count() > ledger::kMaxTxsPerBlock) return bad("CATCHUP_BLOCK_INVALID", "too many transactions");
  // Links and parent roots against our own results (which are the roots
  // this node computed, not the peer's).
  auto checked = ledger_->blocks().CheckAppend(block);
  if (!checked.ok()) return bad("CATCHUP_BLOCK_INVALID", checked.status().ToString());
  ledger::ClockTally clock;
  const std::uint64_t prev_time = header->height() == 1 ? genesis_.genesis_time_ms() : last_applied_time_ms_.load();
  Status timed = ledger::CheckBlockTime(genesis_.chain_id(), *header, block, prev_time, ApplyVoters(), &clock);
  if (!timed.ok()) return bad("CATCHUP_BLOCK_INVALID", timed.ToString());
  return ApplyBlock(applied_index_.load(), block, *header, clock, &results);
}

}  // namespace pledger::node
