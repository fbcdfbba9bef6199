#include "consensus/raw_node.h"

#include <cassert>

#include "consensus/raft.h"

namespace pledger::consensus {

Result<std::unique_ptr<RawNode>> RawNode::Create(const Config& config) {
  auto raft = std::make_unique<Raft>(config);
  PLEDGER_RETURN_IF_ERROR(raft->Init());
  std::unique_ptr<RawNode> node(new RawNode(std::move(raft)));
  return node;
}

RawNode::RawNode(std::unique_ptr<Raft> raft)
    : raft_(std::move(raft)), prev_hard_state_(raft_->hard_state()) {}

RawNode::~RawNode() = default;

namespace {
// Calling in between GetReady and Advance is a driver bug: the Ready would no
// longer describe the node's state. Refused (and asserted in debug builds).
Status ReadyOutstanding() {
  assert(false && "RawNode called between GetReady() and Advance()");
  return Status::FailedPrecondition("READY_NOT_ADVANCED",
                                    "call Advance() for the last Ready before anything else");
}
}  // namespace

void RawNode::Tick() {
  if (ready_outstanding_) {
    (void)ReadyOutstanding();
    return;
  }
  raft_->Tick();
}

Status RawNode::Step(Message m) {
  if (ready_outstanding_) return ReadyOutstanding();
  return raft_->Step(std::move(m));
}

Status RawNode::Propose(std::string data, EntryId* appended) {
  if (ready_outstanding_) return ReadyOutstanding();
  return raft_->Propose(std::move(data), appended);
}

Status RawNode::ProposeConfChange(const ConfChange& cc, EntryId* appended) {
  if (ready_outstanding_) return ReadyOutstanding();
  return raft_->ProposeConfChange(cc, appended);
}

Status RawNode::TransferLeadership(std::uint64_t target) {
  if (ready_outstanding_) return ReadyOutstanding();
  return raft_->TransferLeadership(target);
}

Status RawNode::ReadIndex(std::string context) {
  if (ready_outstanding_) return ReadyOutstanding();
  return raft_->ReadIndex(std::move(context));
}

Status RawNode::Campaign() {
  if (ready_outstanding_) return ReadyOutstanding();
  return raft_->Campaign();
}

void RawNode::ReportUnreachable(std::uint64_t id) { raft_->ReportUnreachable(id); }

bool RawNode::HasReady() {
  if (!raft_->failure().ok() || ready_outstanding_) return false;
  const RaftLog& log = raft_->log();
  return raft_->HasPendingFlush() || !raft_->msgs().empty() ||
         !raft_->msgs_after_persist().empty() || !log.unstable_entries().empty() ||
         log.unstable_snapshot().has_value() || log.HasNextCommittedEntries() ||
         !raft_->read_states().empty() || raft_->hard_state() != prev_hard_state_;
}

Ready RawNode::GetReady() {
  Ready rd;
  if (ready_outstanding_ || !raft_->failure().ok()) return rd;
  raft_->FlushAppends();
  RaftLog& log = raft_->log();
  rd.entries = log.unstable_entries();
  rd.snapshot = log.unstable_snapshot();
  auto committed = log.NextCommittedEntries(raft_->config().max_committed_size_per_ready);
  if (!committed.ok()) {
    raft_->Fail(committed.status());
    return rd;
  }
  rd.committed_entries = std::move(*committed);
  const HardState hs = raft_->hard_state();
  if (hs != prev_hard_state_) {
    rd.hard_state = hs;
    rd.must_sync = hs.term != prev_hard_state_.term || hs.vote != prev_hard_state_.vote;
    if (raft_->config().HasBug(InjectedBug::kForgetVote)) {
      // Injected bug: the vote never reaches storage.
      rd.hard_state->vote = 0;
    }
  }
  rd.messages = std::move(raft_->msgs());
  raft_->msgs().clear();
  rd.persisted_messages = std::move(raft_->msgs_after_persist());
  raft_->msgs_after_persist().clear();
  rd.read_states = std::move(raft_->read_states());
  raft_->read_states().clear();
  if (!rd.entries.empty() || rd.snapshot) {
    rd.must_sync = true;
    // Tells this node, once the write is durable, that it may count these
    // entries as its own replica (commit) and as durable.
    Message p;
    p.type = MessageType::kPersisted;
    p.from = p.to = raft_->id();
    p.term = raft_->term();
    if (!rd.entries.empty()) {
      p.index = rd.entries.back().index;
      p.log_term = rd.entries.back().term;
    } else {
      p.index = rd.snapshot->metadata.index;
      p.log_term = rd.snapshot->metadata.term;
    }
    rd.persisted_messages.push_back(std::move(p));
  }
  ready_outstanding_ = true;
  prev_hard_state_ = hs;
  return rd;
}

void RawNode::Advance(const Ready& rd) {
  if (!ready_outstanding_) return;  // nothing handed out
  ready_outstanding_ = false;
  RaftLog& log = raft_->log();
  if (rd.snapshot) log.StableSnapTo(rd.snapshot->metadata.index);
  if (!rd.entries.empty()) log.StableTo(EntryId{rd.entries.back().index, rd.entries.back().term});
  std::uint64_t applied = rd.snapshot ? rd.snapshot->metadata.index : 0;
  std::uint64_t applied_bytes = 0;
  for (const Entry& e : rd.committed_entries) applied_bytes += EntrySizeBytes(e);
  if (!rd.committed_entries.empty()) applied = rd.committed_entries.back().index;
  if (applied > 0) raft_->AppliedTo(applied, applied_bytes);
}

std::uint64_t RawNode::id() const { return raft_->id(); }
Role RawNode::role() const { return raft_->role(); }
std::uint64_t RawNode::term() const { return raft_->term(); }
std::uint64_t RawNode::leader_id() const { return raft_->leader(); }
std::uint64_t RawNode::commit_index() const { return raft_->log().committed(); }
std::uint64_t RawNode::applied_index() const { return raft_->log().applied(); }
std::uint64_t RawNode::last_index() const { return raft_->log().LastIndex(); }
HardState RawNode::hard_state() const { return raft_->hard_state(); }
const ConfState& RawNode::conf_state() const { return raft_->conf_state(); }
Result<ConfState> RawNode::ConfStateAt(std::uint64_t index) const {
  return raft_->ConfStateAt(index);
}
const Status& RawNode::failure() const { return raft_->failure(); }

std::vector<PeerProgress> RawNode::Progress() const {
  std::vector<PeerProgress> out;
  if (raft_->role() != Role::kLeader) return out;
  for (const auto& [id, pr] : raft_->progress()) {
    out.push_back(PeerProgress{id, pr.match, pr.next, pr.state, pr.is_learner, pr.recent_active});
  }
  return out;
}

NodeStatus RawNode::GetStatus() const {
  NodeStatus s;
  s.id = id();
  s.role = role();
  s.term = term();
  s.vote = raft_->vote();
  s.leader_id = leader_id();
  s.commit_index = commit_index();
  s.applied_index = applied_index();
  s.first_index = raft_->log().FirstIndex();
  s.last_index = last_index();
  s.lead_transferee = raft_->lead_transferee();
  s.conf_state = conf_state();
  s.progress = Progress();
  return s;
}

Status WriteReady(MutableLogStorage* storage, const Ready& rd, bool sync) {
  const HardState* hs = rd.hard_state ? &*rd.hard_state : nullptr;
  const Snapshot* snap = rd.snapshot ? &*rd.snapshot : nullptr;
  if (hs == nullptr && snap == nullptr && rd.entries.empty()) {
    return sync ? storage->Sync() : Status::OK();
  }
  return storage->Write(hs, snap, rd.entries, sync);
}

}  // namespace pledger::consensus
