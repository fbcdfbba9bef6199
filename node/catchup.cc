// Catch-up: a node that was down longer than the retained Raft log (or a new
// node) receives a Raft snapshot whose data is only a manifest (the ledger tip
// at that index). It then fetches from a peer the blocks it lacks and the
// state as of the peer's tip, checks every block's links and roots onto its
// own tip and the state against the last block's state root
// (ledger::ChainImport), installs them in one batch and follows the log.
//
// Serving side: state is served from a LevelDB snapshot pinned at the first
// request, so the chunks of one transfer are consistent while the server
// keeps applying blocks. One transfer per requesting peer; an idle one is
// dropped after kSessionIdle.
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
constexpr auto kSessionIdle = std::chrono::milliseconds(limits::kCatchupSessionIdleMs);
constexpr size_t kStateChunkBytes = limits::kCatchupStateChunkBytes;
constexpr size_t kBlocksPerResponse = limits::kCatchupBlocksPerResponse;
constexpr size_t kBlockResponseBytes = limits::kCatchupResponseBytesMax;

}  // namespace

bool NodeImpl::CatchupIdle() const { return !catching_up_.load(); }

void NodeImpl::ReleaseSessions(bool all) {
  io::MutexLock lock(&serve_mu_);
  auto now = Clock::now();
  for (auto it = serve_sessions_.begin(); it != serve_sessions_.end();) {
    if (all || now - it->second.last_used > kSessionIdle) {
      ledger_->db().raw()->ReleaseSnapshot(it->second.snapshot);
      it = serve_sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

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
  } else if (msg.has_state_request()) {
    const auto& req = msg.state_request();
    auto* resp = reply.mutable_state_response();
    resp->set_request_id(req.request_id());
    ReleaseSessions(/*all=*/false);
    io::MutexLock lock(&serve_mu_);
    auto it = serve_sessions_.find(from);
    if (req.after_key().empty()) {
      if (it != serve_sessions_.end()) {
        ledger_->db().raw()->ReleaseSnapshot(it->second.snapshot);
        serve_sessions_.erase(it);
      }
      ServeSession s;
      s.snapshot = ledger_->db().raw()->GetSnapshot();
      leveldb::ReadOptions ro;
      ro.snapshot = s.snapshot;
      std::string tip_bytes;
      ledger::ChainTip tip;
      if (!ledger_->db().raw()->Get(ro, ledger::keys::Meta("tip"), &tip_bytes).ok() ||
          !tip.ParseFromString(tip_bytes)) {
        ledger_->db().raw()->ReleaseSnapshot(s.snapshot);
        resp->set_error("tip unreadable");
      } else {
        s.height = tip.height();
        it = serve_sessions_.emplace(from, s).first;
      }
    } else if (it == serve_sessions_.end()) {
      resp->set_error("no transfer in progress; start again");
    }
    if (resp->error().empty()) {
      it->second.last_used = Clock::now();
      resp->set_height(it->second.height);
      leveldb::ReadOptions ro;
      ro.snapshot = it->second.snapshot;
      std::unique_ptr<leveldb::Iterator> iter(ledger_->db().raw()->NewIterator(ro));
      std::string start = ledger::keys::State(req.after_key());
      iter->Seek(start);
      if (!req.after_key().empty() && iter->Valid() && iter->key().ToString() == start) iter->Next();
      size_t bytes = 0;
      bool done = true;
      for (; iter->Valid(); iter->Next()) {
        if (iter->key()[0] != ledger::keys::kState) break;
        if (bytes >= kStateChunkBytes) {
          done = false;
          break;
        }
        resp->add_keys(iter->key().ToString().substr(1));
        resp->add_values(iter->value().ToString());
        bytes += iter->key().size() + iter->value().size();
      }
      resp->set_done(done);
      if (done) {
        ledger_->db().raw()->ReleaseSnapshot(it->second.snapshot);
        serve_sessions_.erase(it);
      }
    }
  }
  transport_->Send(from, reply.SerializeAsString());
}

void NodeImpl::OnCatchupResponse(const std::string& from, PeerMessage msg) {
  std::uint64_t id = msg.has_block_response() ? msg.block_response().request_id()
                                              : msg.state_response().request_id();
  io::MutexLock lock(&catchup_mu_);
  if (id != catchup_request_id_ || from != catchup_peer_) return;  // stale or unsolicited
  catchup_reply_ = std::move(msg);
  catchup_cv_.NotifyAll();
}

Result<PeerMessage> NodeImpl::CatchupRequest(const std::string& peer, PeerMessage req) {
  {
    io::MutexLock lock(&catchup_mu_);
    std::uint64_t id = ++catchup_request_id_;
    if (req.has_block_request()) req.mutable_block_request()->set_request_id(id);
    if (req.has_state_request()) req.mutable_state_request()->set_request_id(id);
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
  if (!manifest.ParseFromString(snap.data.ToString())) {
    return Status::Corruption("SNAPSHOT_MANIFEST_INVALID", "the Raft snapshot carries no ledger manifest");
  }
  if (manifest.height() <= ledger_->blocks().tip().height) {
    // Our ledger already holds that position.
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
  Status last = Status::Unavailable("NO_PEER", "no peer to catch up from");
  for (const auto& peer : peers) {
    if (stopped_) return Status::Aborted("STOPPING", "node is stopping");
    PLOG(kInfo, "catchup") << "fetching state and blocks up to at least height " << manifest.height()
                           << " from " << peer;
    // 1. The state, pinned at the peer's tip.
    std::map<std::string, std::string, std::less<>> state;
    std::uint64_t height = 0;
    std::string after;
    bool ok = true;
    for (;;) {
      PeerMessage req;
      req.mutable_state_request()->set_after_key(after);
      auto reply = CatchupRequest(peer, std::move(req));
      if (!reply.ok() || !reply->has_state_response() || !reply->state_response().error().empty()) {
        last = reply.ok() ? Status::Unavailable("PEER_CANNOT_SERVE", reply->state_response().error())
                          : reply.status();
        ok = false;
        break;
      }
      const auto& sr = reply->state_response();
      if (height != 0 && sr.height() != height) {
        last = Status::Corruption("CATCHUP_INCONSISTENT", "state chunks from two heights");
        ok = false;
        break;
      }
      height = sr.height();
      for (int i = 0; i < sr.keys_size() && i < sr.values_size(); ++i) {
        if (!after.empty() && sr.keys(i) <= after) {
          last = Status::Corruption("CATCHUP_INCONSISTENT", "state keys out of order");
          ok = false;
          break;
        }
        after = sr.keys(i);
        state.emplace(sr.keys(i), sr.values(i));
      }
      if (!ok || sr.done()) break;
      if (sr.keys_size() == 0) {
        last = Status::Corruption("CATCHUP_INCONSISTENT", "empty state chunk before the end");
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (height < manifest.height()) {
      last = Status::Unavailable("PEER_BEHIND", peer + " is at height " + std::to_string(height));
      continue;
    }
    // 2. The blocks we lack, checked link by link.
    ledger::ChainImport import(ledger_.get());
    std::uint64_t last_time = 0;
    while (ok && import.height() < height) {
      PeerMessage req;
      req.mutable_block_request()->set_from_height(import.height() + 1);
      req.mutable_block_request()->set_to_height(height);
      auto reply = CatchupRequest(peer, std::move(req));
      if (!reply.ok() || !reply->has_block_response() || reply->block_response().blocks_size() == 0) {
        last = reply.ok() ? Status::Unavailable("PEER_CANNOT_SERVE", reply->block_response().error())
                          : reply.status();
        ok = false;
        break;
      }
      const auto& br = reply->block_response();
      for (int i = 0; i < br.blocks_size() && ok; ++i) {
        ledger::Block b;
        ledger::BlockResults r;
        if (i >= br.results_size() || !b.ParseFromString(br.blocks(i)) || !r.ParseFromString(br.results(i))) {
          last = Status::Corruption("CATCHUP_BLOCK_INVALID", "undecodable block from " + peer);
          ok = false;
          break;
        }
        Status s = import.AddBlock(b, r);
        if (!s.ok()) {
          last = s;
          ok = false;
          break;
        }
        auto h = ledger::DecodeBlockHeader(b);
        if (h.ok()) last_time = h->time_ms();
      }
    }
    if (!ok) continue;
    // 3. Install: state, tip and applied index in one synced batch.
    leveldb::WriteBatch extra;
    std::string applied;
    ledger::PutBigEndian64(&applied, snap.metadata.index);
    extra.Put(ledger::keys::Meta("applied"), applied);
    Status s = import.Finish(state, &extra);
    if (!s.ok()) {
      last = s;
      continue;
    }
    applied_index_ = std::max(applied_index_.load(), snap.metadata.index);
    applied_height_ = height;
    last_applied_time_ms_ = std::max(last_applied_time_ms_.load(), last_time);
    PLOG(kInfo, "catchup") << "caught up to height " << height << " (" << state.size()
                           << " state records) from " << peer;
    // The fetched blocks were stored, not executed: index their statistics
    // from their checked receipts (node/stats.h).
    CatchUpStatsIndex();
    RefreshMembers();
    MaybeInstallRotatedKey();  // the snapshot may carry a rotation of this node's key
    return Status::OK();
  }
  return last;
}

}  // namespace pledger::node
