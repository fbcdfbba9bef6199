#include "consensus/raft.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "consensus/codec.h"
#include "consensus/conf_change.h"
#include "consensus/limits.h"
#include "consensus/random.h"

namespace pledger::consensus {

namespace {

MessageType VoteRespType(MessageType t) {
  return t == MessageType::kPreVote ? MessageType::kPreVoteResp : MessageType::kVoteResp;
}

// Messages a node may send before the Ready that produced them is durable.
// They are a leader's replication traffic: what they claim (entries, commit
// index, a read index) never depends on this node's unsynced state, because
// the leader's term was made durable before its vote requests left, and its
// own entries count towards commit only once PERSISTED says they are durable.
// Everything else (acknowledgements, votes) waits for durability.
bool SendableBeforePersist(MessageType t) {
  switch (t) {
    case MessageType::kApp:
    case MessageType::kHeartbeat:
    case MessageType::kSnap:
    case MessageType::kTimeoutNow:
    case MessageType::kReadIndexResp:
      return true;
    default:
      return false;
  }
}

Status NotLeader(std::uint64_t lead, std::uint64_t term) {
  return Status::FailedPrecondition(
      "NOT_LEADER", lead == 0 ? "this node is not the leader and knows no leader (term " +
                                    std::to_string(term) + "); retry after an election"
                              : "this node is not the leader; the leader is node " +
                                    std::to_string(lead) + " (term " + std::to_string(term) +
                                    "); send it there");
}

}  // namespace

Raft::Raft(const Config& config) : cfg_(config), log_(config.storage) {}

void Raft::Fail(Status s) {
  if (failure_.ok() && !s.ok()) failure_ = s.WithContext("raft node " + std::to_string(cfg_.id));
}

Status Raft::Init() {
  PLEDGER_RETURN_IF_ERROR(cfg_.Validate());
  PLEDGER_ASSIGN_OR_RETURN(InitialState st, cfg_.storage->GetInitialState());
  log_.Reset();
  const std::uint64_t first = log_.FirstIndex();
  const std::uint64_t last = log_.LastIndex();
  base_conf_ = st.conf_state;
  base_conf_index_ = st.conf_index;
  conf_history_.clear();
  conf_ = base_conf_;
  PLEDGER_ASSIGN_OR_RETURN(std::vector<Entry> confs,
                           cfg_.storage->ConfEntries(std::max(first, st.conf_index + 1), last + 1));
  for (const Entry& e : confs) {
    auto cc = DecodeConfChange(e.data.view());
    if (!cc.ok()) continue;  // deterministic: an undecodable change changes nothing
    auto next = ApplyConfChange(conf_, *cc);
    if (!next.ok()) continue;
    conf_ = *next;
    conf_history_.emplace_back(e.index, conf_);
  }
  const HardState& hs = st.hard_state;
  if (hs.commit > last) {
    return Status::Corruption("RAFT_COMMIT_BEYOND_LOG",
                              "stored commit index " + std::to_string(hs.commit) +
                                  " is beyond the last log index " + std::to_string(last));
  }
  log_.CommitTo(hs.commit);
  std::uint64_t applied = std::max(cfg_.applied, first - 1);
  if (applied > log_.committed()) {
    // The application applied entries whose commit index was not yet
    // durable; having been applied, they were committed.
    if (applied > last) {
      return Status::Corruption("RAFT_APPLIED_BEYOND_LOG",
                                "applied index " + std::to_string(applied) +
                                    " is beyond the last log index " + std::to_string(last));
    }
    log_.CommitTo(applied);
  }
  log_.AppliedTo(applied);
  PLEDGER_ASSIGN_OR_RETURN(std::uint64_t last_term, log_.LastTerm());
  durable_ = EntryId{last, last_term};  // what storage holds after a restart is durable
  term_ = hs.term;
  vote_ = hs.vote;
  BecomeFollower(term_, 0);
  return Status::OK();
}

Role Raft::role() const {
  switch (state_) {
    case State::kLeader: return Role::kLeader;
    case State::kCandidate: return Role::kCandidate;
    case State::kPreCandidate: return Role::kPreCandidate;
    case State::kFollower: return conf_.IsLearner(cfg_.id) ? Role::kLearner : Role::kFollower;
  }
  return Role::kFollower;
}

Result<ConfState> Raft::ConfStateAt(std::uint64_t index) const {
  if (index < base_conf_index_) {
    return Status::Compacted("CONF_STATE_UNKNOWN",
                             "the configuration at index " + std::to_string(index) +
                                 " is no longer tracked (known from " +
                                 std::to_string(base_conf_index_) + ")");
  }
  if (index > log_.LastIndex()) return ErrUnavailable(index, log_.LastIndex());
  const ConfState* cs = &base_conf_;
  for (const auto& [i, c] : conf_history_) {
    if (i > index) break;
    cs = &c;
  }
  return *cs;
}

// ---------------------------------------------------------------- sending

void Raft::Send(Message m) {
  m.from = cfg_.id;
  if (m.term == 0) m.term = term_;
  bool now = SendableBeforePersist(m.type);
  if (cfg_.HasBug(InjectedBug::kAckBeforePersist) && m.type == MessageType::kAppResp) now = true;
  (now ? msgs_ : msgs_after_persist_).push_back(std::move(m));
}

bool Raft::MaybeSendAppend(std::uint64_t to, bool send_if_empty) {
  auto it = prs_.find(to);
  if (it == prs_.end() || to == cfg_.id) return false;
  Progress& pr = it->second;
  if (pr.IsPaused()) return false;
  const std::uint64_t prev_index = pr.next - 1;
  auto prev_term = log_.Term(prev_index);
  const std::uint64_t last = log_.LastIndex();
  Result<std::vector<Entry>> ents = std::vector<Entry>();
  if (prev_term.ok() && pr.next <= last) {
    const std::uint64_t hi = std::min(last + 1, pr.next + limits::kMaxEntriesPerMsg);
    ents = log_.Slice(pr.next, hi, cfg_.max_size_per_msg);
  }
  if (!prev_term.ok() || !ents.ok()) {
    const Status& s = !prev_term.ok() ? prev_term.status() : ents.status();
    if (IsUnavailable(s)) return false;
    if (!IsCompacted(s)) {
      Fail(s);
      return false;
    }
    SendSnapshot(to, pr);
    return true;
  }
  if (ents->empty() && !send_if_empty) return false;
  Message m;
  m.type = MessageType::kApp;
  m.to = to;
  m.index = prev_index;
  m.log_term = *prev_term;
  m.commit = log_.committed();
  pr.sent_commit = std::max(pr.sent_commit, std::min(m.commit, prev_index + ents->size()));
  m.entries = std::move(*ents);
  if (!m.entries.empty()) {
    const std::uint64_t last_sent = m.entries.back().index;
    if (pr.state == ProgressState::kReplicate) {
      pr.next = last_sent + 1;
      pr.inflights.Add(last_sent);
    }
  }
  if (pr.state == ProgressState::kProbe) pr.probe_sent = true;
  Send(std::move(m));
  return true;
}

void Raft::SendSnapshot(std::uint64_t to, Progress& pr) {
  if (!pr.recent_active) return;  // no point shipping a snapshot to a silent peer
  auto snap = cfg_.storage->GetSnapshot();
  if (!snap.ok()) {
    if (!IsUnavailable(snap.status())) Fail(snap.status());
    return;  // SNAPSHOT_TEMPORARILY_UNAVAILABLE: try again on the next heartbeat
  }
  if (snap->empty()) {
    Fail(Status::Internal("RAFT_NO_SNAPSHOT",
                          "entries are compacted but storage has no snapshot covering them"));
    return;
  }
  pr.BecomeSnapshot(std::make_shared<const Snapshot>(std::move(*snap)));
  SendSnapshotChunks(to, pr);
}

void Raft::SendSnapshotChunks(std::uint64_t to, Progress& pr) {
  if (!pr.snapshot) return;
  const Snapshot& snap = *pr.snapshot;
  const std::uint64_t total = snap.data.size();
  const std::uint64_t window = cfg_.snapshot_chunk_bytes * cfg_.snapshot_chunks_in_flight;
  // An empty snapshot is one empty chunk.
  while (!pr.snap_final_sent && pr.snap_sent - pr.snap_acked < window) {
    const std::uint64_t len = std::min(cfg_.snapshot_chunk_bytes, total - pr.snap_sent);
    Message m;
    m.type = MessageType::kSnap;
    m.to = to;
    SnapshotChunk c;
    c.metadata = snap.metadata;
    c.total_bytes = total;
    c.offset = pr.snap_sent;
    c.data = snap.data.Slice(pr.snap_sent, len);
    m.snapshot = std::move(c);
    Send(std::move(m));
    pr.snap_sent += len;
    if (pr.snap_sent == total) pr.snap_final_sent = true;
  }
}

void Raft::BcastAppend(bool send_if_empty) {
  for (auto& [id, pr] : prs_) {
    if (id == cfg_.id) continue;
    // Fill each follower's window (one message in PROBE).
    if (!MaybeSendAppend(id, send_if_empty)) continue;
    while (MaybeSendAppend(id, false)) {
    }
  }
}

void Raft::FlushAppends() {
  if (state_ != State::kLeader) {
    pending_append_bcast_ = pending_commit_bcast_ = false;
    return;
  }
  if (!pending_append_bcast_ && !pending_commit_bcast_) return;
  const bool if_empty = pending_commit_bcast_;
  pending_append_bcast_ = pending_commit_bcast_ = false;
  BcastAppend(if_empty);
}

void Raft::BcastHeartbeat() {
  const std::string ctx = pending_reads_.empty() ? std::string() : pending_reads_.back().context;
  for (auto& [id, pr] : prs_) {
    if (id == cfg_.id) continue;
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = id;
    // Never tell a follower to commit beyond what it is known to hold.
    m.commit = std::min(pr.match, log_.committed());
    pr.sent_commit = std::max(pr.sent_commit, m.commit);
    m.context = ctx;
    Send(std::move(m));
  }
}

void Raft::SendTimeoutNow(std::uint64_t to) {
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = to;
  Send(std::move(m));
}

// ------------------------------------------------------------ role changes

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_timeout_ =
      cfg_.election_tick +
      static_cast<int>(cfg_.random->Uniform(static_cast<std::uint64_t>(cfg_.election_tick)));
}

void Raft::Reset(std::uint64_t term) {
  if (term_ != term) {
    term_ = term;
    vote_ = 0;
  }
  lead_ = 0;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  AbortLeaderTransfer();
  votes_.clear();
  prs_.clear();
  uncommitted_bytes_ = 0;
  pending_reads_.clear();
  waiting_reads_.clear();
  pending_append_bcast_ = pending_commit_bcast_ = false;
}

void Raft::BecomeFollower(std::uint64_t term, std::uint64_t lead) {
  Reset(term);
  state_ = State::kFollower;
  lead_ = lead;
}

void Raft::BecomePreCandidate() {
  assert(state_ != State::kLeader);
  // Pre-vote changes neither term nor vote: losing it leaves no trace.
  votes_.clear();
  state_ = State::kPreCandidate;
  lead_ = 0;
}

void Raft::BecomeCandidate() {
  assert(state_ != State::kLeader);
  Reset(term_ + 1);
  vote_ = cfg_.id;
  state_ = State::kCandidate;
}

void Raft::BecomeLeader() {
  assert(state_ == State::kCandidate);
  Reset(term_);
  state_ = State::kLeader;
  lead_ = cfg_.id;
  const std::uint64_t last = log_.LastIndex();
  for (std::uint64_t v : conf_.voters) prs_.emplace(v, Progress(cfg_.max_inflight_msgs));
  for (std::uint64_t l : conf_.learners) {
    prs_.emplace(l, Progress(cfg_.max_inflight_msgs)).first->second.is_learner = true;
  }
  for (auto& [id, pr] : prs_) {
    pr.next = last + 1;
    pr.recent_active = true;  // give every peer one check-quorum round
  }
  Progress& self = prs_.at(cfg_.id);
  self.BecomeReplicate();
  self.match = durable_.index;
  self.next = last + 1;
  // The no-op of the new term: committing it commits every earlier entry
  // (section 5.4.2) and lets ReadIndex and membership changes proceed.
  Entry noop;
  noop.term = term_;
  noop.index = last + 1;
  std::vector<Entry> ents;
  ents.push_back(std::move(noop));
  AppendToLog(std::move(ents));
  pending_append_bcast_ = true;
}

bool Raft::Promotable() const {
  return conf_.IsVoter(cfg_.id) && !log_.unstable_snapshot().has_value();
}

void Raft::Hup(CampaignType t) {
  if (state_ == State::kLeader || !Promotable()) return;
  if (t == CampaignType::kPreElection && !cfg_.pre_vote) t = CampaignType::kElection;
  DoCampaign(t);
}

void Raft::DoCampaign(CampaignType t) {
  std::uint64_t term;
  MessageType type;
  if (t == CampaignType::kPreElection) {
    BecomePreCandidate();
    type = MessageType::kPreVote;
    term = term_ + 1;  // the term we would campaign in; ours stays
  } else {
    BecomeCandidate();
    type = MessageType::kVote;
    term = term_;
  }
  if (Poll(cfg_.id, true) == VoteResult::kWon) {
    // A single voter wins at once.
    if (t == CampaignType::kPreElection) {
      DoCampaign(CampaignType::kElection);
    } else {
      BecomeLeader();
    }
    return;
  }
  auto last_term = log_.LastTerm();
  if (!last_term.ok()) {
    Fail(last_term.status());
    return;
  }
  for (std::uint64_t v : conf_.voters) {
    if (v == cfg_.id) continue;
    Message m;
    m.type = type;
    m.to = v;
    m.term = term;
    m.index = log_.LastIndex();
    m.log_term = *last_term;
    m.leader_transfer = t == CampaignType::kTransfer;
    Send(std::move(m));
  }
}

Raft::VoteResult Raft::Poll(std::uint64_t from, bool granted) {
  votes_.emplace(from, granted);  // the first answer of each voter counts
  std::size_t yes = 0, no = 0;
  for (const auto& [id, g] : votes_) {
    if (!conf_.IsVoter(id)) continue;
    (g ? yes : no) += 1;
  }
  const std::size_t q = Quorum();
  if (yes >= q) return VoteResult::kWon;
  if (no > conf_.voters.size() - q) return VoteResult::kLost;
  return VoteResult::kPending;
}

// ------------------------------------------------------------------ ticks

void Raft::Tick() {
  if (!failure_.ok()) return;
  if (state_ == State::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void Raft::TickElection() {
  ++election_elapsed_;
  if (Promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Hup(CampaignType::kPreElection);
  }
}

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= cfg_.election_tick) {
    election_elapsed_ = 0;
    if (cfg_.check_quorum) {
      std::size_t active = 0;
      for (auto& [id, pr] : prs_) {
        if (conf_.IsVoter(id) && (id == cfg_.id || pr.recent_active)) ++active;
        if (id != cfg_.id) pr.recent_active = false;
      }
      if (active < Quorum()) {
        BecomeFollower(term_, 0);  // cannot hear a quorum: stop serving
        return;
      }
    }
    // A transfer that did not finish within an election timeout is abandoned.
    AbortLeaderTransfer();
  }
  // A snapshot transfer that made no progress for an election timeout is
  // restarted from the last acknowledged byte (a chunk or ack was lost).
  for (auto& [id, pr] : prs_) {
    if (pr.state != ProgressState::kSnapshot || id == cfg_.id) continue;
    if (++pr.snap_ticks_without_progress >= static_cast<std::uint64_t>(cfg_.election_tick)) {
      pr.snap_ticks_without_progress = 0;
      // Fully acknowledged but never confirmed installed: resend from the
      // start; the first chunk's answer tells us where the follower stands.
      if (pr.snap_acked >= pr.snapshot->data.size()) pr.snap_acked = 0;
      pr.snap_sent = pr.snap_acked;
      pr.snap_final_sent = false;
      SendSnapshotChunks(id, pr);
    }
  }
  if (heartbeat_elapsed_ >= cfg_.heartbeat_tick) {
    heartbeat_elapsed_ = 0;
    BcastHeartbeat();
  }
}

// ------------------------------------------------------------------- step

Status Raft::ValidateMessage(const Message& m) const {
  auto invalid = [&](const char* why) {
    return Status::InvalidArgument("RAFT_MESSAGE_INVALID",
                                   std::string(why) + ": " + DescribeMessage(m));
  };
  if (m.type == MessageType::kPersisted) {
    if (m.from != cfg_.id || m.to != cfg_.id) return invalid("PERSISTED from another node");
    return Status::OK();
  }
  if (m.type < MessageType::kApp || m.type > MessageType::kReadIndexResp) {
    return invalid("unknown message type");
  }
  if (m.from == 0 || m.from == cfg_.id) return invalid("bad sender id");
  if (m.to != cfg_.id) return invalid("addressed to another node");
  if (m.term == 0) return invalid("term 0");
  if (m.entries.size() > limits::kMaxEntriesPerMsg) return invalid("too many entries");
  if (m.context.size() > limits::kMaxReadContextBytes) return invalid("context too large");
  if (m.type == MessageType::kApp) {
    std::uint64_t prev_term = m.log_term;
    for (std::size_t i = 0; i < m.entries.size(); ++i) {
      const Entry& e = m.entries[i];
      if (e.index != m.index + 1 + i) return invalid("entries are not contiguous after prev");
      if (e.term < prev_term || e.term > m.term) return invalid("entry terms out of order");
      if (e.data.size() > limits::kMaxEntryBytes) return invalid("entry too large");
      prev_term = e.term;
    }
    if (m.index > UINT64_MAX - m.entries.size() - 1) return invalid("index overflow");
  } else if (!m.entries.empty()) {
    return invalid("entries on a message that carries none");
  }
  if (m.type == MessageType::kSnap) {
    if (!m.snapshot) return invalid("SNAP without a chunk");
    const SnapshotChunk& c = *m.snapshot;
    if (c.metadata.index == 0 || c.metadata.term == 0 || c.metadata.term > m.term) {
      return invalid("snapshot metadata out of range");
    }
    if (c.data.size() > limits::kMaxSnapshotChunkBytes || c.offset > c.total_bytes ||
        c.data.size() > c.total_bytes - c.offset) {
      return invalid("snapshot chunk out of range");
    }
  }
  return Status::OK();
}

Status Raft::Step(Message m) {
  if (!failure_.ok()) return failure_;
  PLEDGER_RETURN_IF_ERROR(ValidateMessage(m));
  if (m.type == MessageType::kPersisted) {
    HandlePersisted(m);
    return failure_;
  }

  if (m.term > term_) {
    if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
      // The lease: while we hear from a leader, a vote request is a
      // disruption (a partitioned or removed node), unless the leader itself
      // asked for it by transferring leadership.
      const bool in_lease =
          cfg_.check_quorum && lead_ != 0 && election_elapsed_ < cfg_.election_tick;
      if (!m.leader_transfer && in_lease) return Status::OK();
    }
    if (m.type == MessageType::kPreVote) {
      // Never change term on a pre-vote.
    } else if (m.type == MessageType::kPreVoteResp && !m.reject) {
      // A granted pre-vote answers at the term we would campaign in; the
      // term moves only if the real election is won.
    } else {
      const bool from_leader = m.type == MessageType::kApp ||
                               m.type == MessageType::kHeartbeat || m.type == MessageType::kSnap;
      BecomeFollower(m.term, from_leader ? m.from : 0);
    }
  } else if (m.term < term_) {
    if ((cfg_.check_quorum || cfg_.pre_vote) &&
        (m.type == MessageType::kHeartbeat || m.type == MessageType::kApp)) {
      // A stale leader (say, after a partition) would otherwise never learn
      // of the new term, because with pre-vote and check-quorum nobody bumps
      // it with a vote request. Tell it.
      Message r;
      r.type = MessageType::kAppResp;
      r.to = m.from;
      Send(std::move(r));
    } else if (m.type == MessageType::kPreVote) {
      Message r;
      r.type = MessageType::kPreVoteResp;
      r.to = m.from;
      r.reject = true;
      Send(std::move(r));
    }
    return Status::OK();  // everything else from an old term is ignored
  }

  if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
    HandleVoteRequest(m);
    return failure_;
  }
  switch (state_) {
    case State::kLeader: StepLeader(m); break;
    case State::kCandidate:
    case State::kPreCandidate: StepCandidate(m); break;
    case State::kFollower: StepFollower(m); break;
  }
  return failure_;
}

void Raft::HandleVoteRequest(const Message& m) {
  // We can vote for the candidate if we already did this term (a retry), or
  // have voted for nobody and know no leader, or it is a pre-vote for a
  // future term.
  const bool can_vote = vote_ == m.from || (vote_ == 0 && lead_ == 0) ||
                        (m.type == MessageType::kPreVote && m.term > term_);
  bool up_to_date = false;
  if (can_vote) {
    auto r = log_.IsUpToDate(m.index, m.log_term);
    if (!r.ok()) {
      Fail(r.status());
      return;
    }
    up_to_date = *r || cfg_.HasBug(InjectedBug::kVoteIgnoresLog);
  }
  Message resp;
  resp.type = VoteRespType(m.type);
  resp.to = m.from;
  if (can_vote && up_to_date) {
    // Answer at the candidate's term: for a vote that is ours now; for a
    // pre-vote it is the future term the pre-candidate counts responses for.
    resp.term = m.term;
    if (m.type == MessageType::kVote) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    resp.term = term_;
    resp.reject = true;
  }
  Send(std::move(resp));
}

void Raft::StepLeader(Message& m) {
  auto it = prs_.find(m.from);
  if (m.type == MessageType::kReadIndex) {
    HandleReadIndexRequest(m.from, std::move(m.context));
    return;
  }
  if (it == prs_.end()) return;  // not (or no longer) a member
  Progress& pr = it->second;
  switch (m.type) {
    case MessageType::kAppResp:
      pr.recent_active = true;
      HandleAppResp(m, pr);
      break;
    case MessageType::kHeartbeatResp:
      pr.recent_active = true;
      pr.probe_sent = false;
      // Appends were lost with the window full: free one slot, so the next
      // append goes out, is rejected for its gap, and the follower is probed.
      if (pr.state == ProgressState::kReplicate && pr.inflights.Full()) pr.inflights.FreeFirst();
      // A lagging follower gets an append even without new entries: if the
      // earlier ones were lost it rejects it, and the leader backs up.
      if (pr.match < log_.LastIndex()) MaybeSendAppend(m.from, true);
      if (!m.context.empty()) HandleReadAck(m.from, m.context);
      break;
    case MessageType::kSnapResp:
      pr.recent_active = true;
      HandleSnapResp(m, pr);
      break;
    default:
      break;  // vote answers after winning, or a second leader's traffic: ignore
  }
}

void Raft::HandleAppResp(const Message& m, Progress& pr) {
  if (m.index > log_.LastIndex()) return;  // acknowledges entries we never sent
  if (m.reject) {
    std::uint64_t next_probe = m.reject_hint;
    if (m.log_term > 0) {
      // Fast backtracking: skip every entry of a term the follower's log does
      // not have at that position.
      auto c = log_.FindConflictByTerm(m.reject_hint, m.log_term);
      if (!c.ok()) {
        Fail(c.status());
        return;
      }
      next_probe = c->index;
    }
    if (pr.MaybeDecrTo(m.index, next_probe)) {
      if (pr.state == ProgressState::kReplicate) pr.BecomeProbe();
      MaybeSendAppend(m.from, true);
    }
    return;
  }
  const bool was_paused = pr.IsPaused();
  const bool updated = pr.MaybeUpdate(m.index);
  if (updated && MaybeCommit()) pending_commit_bcast_ = true;
  if (pr.state == ProgressState::kSnapshot) {
    if (m.index < pr.pending_snapshot()) return;  // not installed yet
    // Installed, or made moot by the follower's own progress. Continue with
    // appends, or (if our log was compacted further meanwhile) the probe
    // finds that out and a fresh snapshot goes.
    pr.BecomeProbe();
    if (pr.match + 1 >= log_.FirstIndex()) pr.BecomeReplicate();
  } else if (!updated) {
    // A duplicate or old acknowledgement; it still answers an outstanding
    // probe.
    if (pr.state == ProgressState::kProbe && was_paused && m.index + 1 >= pr.next) {
      pr.probe_sent = false;
      MaybeSendAppend(m.from, false);
    }
    return;
  } else if (pr.state == ProgressState::kProbe) {
    pr.BecomeReplicate();
  } else {
    pr.inflights.FreeLE(m.index);
  }
  // Fill the window.
  bool sent = false;
  while (MaybeSendAppend(m.from, false)) sent = true;
  // A follower that caught up after the commit index moved would otherwise
  // learn the commit only from the next heartbeat.
  if (!sent && pr.sent_commit < std::min(pr.match, log_.committed())) {
    MaybeSendAppend(m.from, true);
  }
  if (m.from == lead_transferee_ && pr.match == log_.LastIndex()) SendTimeoutNow(m.from);
}

void Raft::HandleSnapResp(const Message& m, Progress& pr) {
  if (pr.state != ProgressState::kSnapshot || m.index != pr.pending_snapshot()) return;
  if (m.reject) {
    // The follower is at a different offset (restarted, or chunks were
    // lost): continue from what it has.
    pr.snap_acked = std::min(m.offset, pr.snapshot->data.size());
    pr.snap_sent = pr.snap_acked;
    pr.snap_final_sent = false;
  } else if (m.offset > pr.snap_acked) {
    pr.snap_acked = std::min(m.offset, pr.snapshot->data.size());
    pr.snap_sent = std::max(pr.snap_sent, pr.snap_acked);
    pr.snap_ticks_without_progress = 0;
  }
  SendSnapshotChunks(m.from, pr);
}

void Raft::HandlePersisted(const Message& m) {
  // Storage made everything up to (m.index, m.log_term) durable. Count it
  // only if that entry is still in our log (a later Ready may have replaced
  // it, and the replacement is not durable yet).
  if (m.index > durable_.index && log_.MatchTerm(m.index, m.log_term)) {
    durable_ = EntryId{m.index, m.log_term};
  }
  if (state_ == State::kLeader) {
    Progress& self = prs_.at(cfg_.id);
    if (durable_.index > self.match) {
      self.match = durable_.index;
      if (MaybeCommit()) pending_commit_bcast_ = true;
    }
  }
}

bool Raft::CommittedInCurrentTerm() const {
  auto t = log_.Term(log_.committed());
  return t.ok() && *t == term_;
}

bool Raft::MaybeCommit() {
  std::vector<std::uint64_t> matches;
  matches.reserve(conf_.voters.size());
  for (std::uint64_t v : conf_.voters) {
    auto it = prs_.find(v);
    matches.push_back(it == prs_.end() ? 0 : it->second.match);
  }
  if (matches.empty()) return false;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const std::uint64_t mci = matches[Quorum() - 1];
  const bool had_commit_in_term = CommittedInCurrentTerm();
  bool moved;
  if (cfg_.HasBug(InjectedBug::kCommitOldTermByCount)) {
    // Injected bug: count replicas of any term (what Figure 8 forbids).
    moved = mci > log_.committed() && mci <= log_.LastIndex();
    if (moved) log_.CommitTo(mci);
  } else {
    auto r = log_.MaybeCommit(mci, term_);
    if (!r.ok()) {
      Fail(r.status());
      return false;
    }
    moved = *r;
  }
  if (moved && !had_commit_in_term && CommittedInCurrentTerm()) ReleaseWaitingReads();
  return moved;
}

void Raft::StepCandidate(Message& m) {
  const MessageType my_resp =
      state_ == State::kPreCandidate ? MessageType::kPreVoteResp : MessageType::kVoteResp;
  switch (m.type) {
    case MessageType::kApp:
      BecomeFollower(m.term, m.from);
      HandleAppendEntries(m);
      return;
    case MessageType::kHeartbeat:
      BecomeFollower(m.term, m.from);
      HandleHeartbeat(m);
      return;
    case MessageType::kSnap:
      BecomeFollower(m.term, m.from);
      HandleSnapshotChunk(m);
      return;
    default:
      break;
  }
  if (m.type != my_resp) return;
  switch (Poll(m.from, !m.reject)) {
    case VoteResult::kWon:
      if (state_ == State::kPreCandidate) {
        DoCampaign(CampaignType::kElection);
      } else {
        BecomeLeader();
      }
      break;
    case VoteResult::kLost:
      // A pre-candidate stays in its term; a candidate keeps its vote.
      BecomeFollower(term_, 0);
      break;
    case VoteResult::kPending:
      break;
  }
}

void Raft::StepFollower(Message& m) {
  switch (m.type) {
    case MessageType::kApp:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleAppendEntries(m);
      break;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleHeartbeat(m);
      break;
    case MessageType::kSnap:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleSnapshotChunk(m);
      break;
    case MessageType::kTimeoutNow:
      // The leader hands over: campaign at once, without pre-vote, and ask
      // voters to ignore their lease.
      Hup(CampaignType::kTransfer);
      break;
    case MessageType::kReadIndexResp:
      read_states_.push_back(ReadState{m.index, std::move(m.context)});
      break;
    default:
      break;
  }
}

void Raft::HandleAppendEntries(Message& m) {
  Message resp;
  resp.type = MessageType::kAppResp;
  resp.to = m.from;
  if (m.index < log_.committed()) {
    // Everything up to our commit index matches the leader already.
    resp.index = log_.committed();
    Send(std::move(resp));
    return;
  }
  if (log_.MatchTerm(m.index, m.log_term)) {
    const std::uint64_t last_new = m.index + m.entries.size();
    auto conflict = log_.FindConflict(m.entries);
    if (!conflict.ok()) {
      Fail(conflict.status());
      return;
    }
    if (*conflict != 0) {
      if (*conflict <= log_.committed()) {
        // Only a second leader in our term could send this; refuse it.
        Fail(Status::Corruption("RAFT_COMMITTED_CONFLICT",
                                "leader " + std::to_string(m.from) +
                                    " tried to overwrite committed index " +
                                    std::to_string(*conflict)));
        return;
      }
      m.entries.erase(m.entries.begin(),
                      m.entries.begin() + static_cast<std::ptrdiff_t>(*conflict - m.index - 1));
      AppendToLog(std::move(m.entries));
    }
    log_.CommitTo(std::min(m.commit, last_new));
    resp.index = last_new;
    Send(std::move(resp));
    return;
  }
  // Reject, with a hint: the last index (<= m.index) whose term is <= the
  // leader's term at m.index. The leader skips whole terms at once.
  auto hint = log_.FindConflictByTerm(std::min(m.index, log_.LastIndex()), m.log_term);
  if (!hint.ok()) {
    Fail(hint.status());
    return;
  }
  resp.index = m.index;
  resp.reject = true;
  resp.reject_hint = hint->index;
  resp.log_term = hint->term;
  Send(std::move(resp));
}

void Raft::HandleHeartbeat(const Message& m) {
  log_.CommitTo(std::min(m.commit, log_.LastIndex()));
  Message resp;
  resp.type = MessageType::kHeartbeatResp;
  resp.to = m.from;
  resp.context = m.context;
  Send(std::move(resp));
}

void Raft::HandleSnapshotChunk(const Message& m) {
  const SnapshotChunk& c = *m.snapshot;
  const std::uint64_t idx = c.metadata.index;
  auto reply_app = [&](std::uint64_t index) {
    Message r;
    r.type = MessageType::kAppResp;
    r.to = m.from;
    r.index = index;
    Send(std::move(r));
  };
  auto reply_snap = [&](std::uint64_t offset, bool reject) {
    Message r;
    r.type = MessageType::kSnapResp;
    r.to = m.from;
    r.index = idx;
    r.offset = offset;
    r.reject = reject;
    Send(std::move(r));
  };
  if (idx <= log_.committed()) {
    // We already have everything it covers.
    incoming_snapshot_.reset();
    reply_app(log_.committed());
    return;
  }
  if (c.total_bytes > cfg_.max_snapshot_bytes) return;  // refused; see Config
  IncomingSnapshot* in = incoming_snapshot_ ? &*incoming_snapshot_ : nullptr;
  const bool same = in != nullptr && in->leader_term == term_ && in->metadata == c.metadata &&
                    in->total_bytes == c.total_bytes;
  if (c.offset == 0 && !(same && !in->data.empty())) {
    incoming_snapshot_ = IncomingSnapshot{term_, c.metadata, c.total_bytes, {}};
    in = &*incoming_snapshot_;
  } else if (!same) {
    reply_snap(0, true);  // we are not assembling this one: start over
    return;
  }
  if (c.offset != in->data.size()) {
    // A duplicate (acknowledge where we are) or a gap (ask for a rewind).
    reply_snap(in->data.size(), c.offset > in->data.size());
    return;
  }
  in->data.append(c.data.view());
  if (in->data.size() < in->total_bytes) {
    reply_snap(in->data.size(), false);
    return;
  }
  Snapshot snap;
  snap.metadata = in->metadata;
  snap.data = Payload(std::move(in->data));
  incoming_snapshot_.reset();
  reply_snap(snap.data.size(), false);
  if (Restore(snap)) {
    reply_app(log_.LastIndex());
  } else {
    reply_app(log_.committed());
  }
}

bool Raft::Restore(const Snapshot& snap) {
  const SnapshotMetadata& md = snap.metadata;
  if (md.index <= log_.committed()) return false;
  if (state_ != State::kFollower) return false;
  // The snapshot's configuration need not include us: a learner added after
  // the leader's last snapshot learns of itself from the entries that follow
  // (configurations take effect when appended). A removed node installing
  // one is harmless: it is not a voter, so it never campaigns.
  if (log_.MatchTerm(md.index, md.term)) {
    // Our log already contains the snapshot's last entry: keep the log (and
    // whatever follows) and just move the commit index.
    log_.CommitTo(md.index);
    return false;
  }
  log_.Restore(snap);
  durable_ = EntryId{};  // until PERSISTED confirms the snapshot is stored
  base_conf_ = md.conf_state;
  base_conf_index_ = md.index;
  conf_history_.clear();
  SetConf(base_conf_);
  return true;
}

// -------------------------------------------------------- log and configs

void Raft::AppendToLog(std::vector<Entry>&& entries) {
  if (entries.empty()) return;
  const std::uint64_t first = entries.front().index;
  if (first <= durable_.index) durable_ = EntryId{first - 1, 0};
  bool conf_changed = false;
  while (!conf_history_.empty() && conf_history_.back().first >= first) {
    conf_history_.pop_back();
    conf_changed = true;
  }
  const ConfState* current = conf_history_.empty() ? &base_conf_ : &conf_history_.back().second;
  for (const Entry& e : entries) {
    if (e.type != EntryType::kConfChange) continue;
    auto cc = DecodeConfChange(e.data.view());
    if (!cc.ok()) continue;  // deterministic no-op on every node
    auto next = ApplyConfChange(*current, *cc);
    if (!next.ok()) continue;
    conf_history_.emplace_back(e.index, std::move(*next));
    current = &conf_history_.back().second;
    conf_changed = true;
  }
  log_.Append(std::move(entries));
  if (conf_changed) SetConf(*current);
}

void Raft::SetConf(const ConfState& cs) {
  conf_ = cs;
  if (state_ != State::kLeader) return;
  // Add progress for new members, drop removed ones, mark learners.
  const std::uint64_t last = log_.LastIndex();
  for (auto it = prs_.begin(); it != prs_.end();) {
    if (!conf_.IsMember(it->first)) {
      if (it->first == lead_transferee_) AbortLeaderTransfer();
      it = prs_.erase(it);
    } else {
      it->second.is_learner = conf_.IsLearner(it->first);
      ++it;
    }
  }
  auto add = [&](std::uint64_t id, bool learner) {
    auto [it, inserted] = prs_.emplace(id, Progress(cfg_.max_inflight_msgs));
    if (inserted) {
      it->second.next = std::max<std::uint64_t>(last, 1);  // probe from the end

      it->second.recent_active = true;
      pending_append_bcast_ = true;
    }
    it->second.is_learner = learner;
  };
  for (std::uint64_t v : conf_.voters) add(v, false);
  for (std::uint64_t l : conf_.learners) add(l, true);
  // Fewer voters can mean a smaller quorum: the commit index may move.
  if (MaybeCommit()) pending_commit_bcast_ = true;
}

void Raft::AppliedTo(std::uint64_t index, std::uint64_t applied_bytes) {
  log_.AppliedTo(index);
  uncommitted_bytes_ = applied_bytes >= uncommitted_bytes_ ? 0 : uncommitted_bytes_ - applied_bytes;
  // Configurations at or below the applied index can never be rolled back:
  // fold them into the base.
  std::size_t n = 0;
  while (n < conf_history_.size() && conf_history_[n].first <= index) ++n;
  if (n > 0) {
    base_conf_ = conf_history_[n - 1].second;
    base_conf_index_ = conf_history_[n - 1].first;
    conf_history_.erase(conf_history_.begin(), conf_history_.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

// -------------------------------------------------------------- proposals

Status Raft::Propose(std::string data, EntryId* appended) {
  if (!failure_.ok()) return failure_;
  if (state_ != State::kLeader) return NotLeader(lead_, term_);
  if (lead_transferee_ != 0) {
    return Status::Unavailable("TRANSFER_IN_PROGRESS",
                               "leadership is moving to node " + std::to_string(lead_transferee_) +
                                   "; retry there shortly");
  }
  if (data.size() > cfg_.max_entry_bytes) {
    return Status::InvalidArgument("PROPOSAL_TOO_LARGE",
                                   "proposal of " + std::to_string(data.size()) +
                                       " bytes exceeds max_entry_bytes " +
                                       std::to_string(cfg_.max_entry_bytes));
  }
  Entry e;
  e.term = term_;
  e.index = log_.LastIndex() + 1;
  e.data = Payload(std::move(data));
  const std::uint64_t size = EntrySizeBytes(e);
  if (cfg_.max_uncommitted_bytes != 0 && uncommitted_bytes_ > 0 &&
      uncommitted_bytes_ + size > cfg_.max_uncommitted_bytes) {
    return Status::ResourceExhausted("PROPOSALS_BACKLOGGED",
                                     "uncommitted proposals exceed max_uncommitted_bytes; "
                                     "retry once earlier ones commit");
  }
  uncommitted_bytes_ += size;
  if (appended) *appended = EntryId{e.index, e.term};
  std::vector<Entry> ents;
  ents.push_back(std::move(e));
  log_.Append(std::move(ents));  // NORMAL entries cannot change the configuration
  pending_append_bcast_ = true;
  return Status::OK();
}

Status Raft::ProposeConfChange(const ConfChange& cc, EntryId* appended) {
  if (!failure_.ok()) return failure_;
  if (state_ != State::kLeader) return NotLeader(lead_, term_);
  if (lead_transferee_ != 0) {
    return Status::Unavailable("TRANSFER_IN_PROGRESS", "leadership is moving; retry there");
  }
  if (!CommittedInCurrentTerm()) {
    return Status::Unavailable("CONF_CHANGE_LEADER_NOT_READY",
                               "a new leader changes membership only after committing an entry "
                               "of its term; retry shortly");
  }
  if (!conf_history_.empty() && conf_history_.back().first > log_.committed()) {
    return Status::FailedPrecondition(
        "CONF_CHANGE_PENDING", "membership change at index " +
                                   std::to_string(conf_history_.back().first) +
                                   " is not committed yet; one change at a time");
  }
  if (cc.node_id == cfg_.id &&
      (cc.type == ConfChangeType::kRemoveNode || cc.type == ConfChangeType::kAddLearner)) {
    return Status::FailedPrecondition(
        "CONF_CHANGE_REMOVES_LEADER",
        "the leader cannot remove or demote itself; transfer leadership first");
  }
  if (cc.type == ConfChangeType::kAddVoter && !conf_.IsLearner(cc.node_id)) {
    return Status::FailedPrecondition(
        "CONF_CHANGE_NOT_LEARNER", "node " + std::to_string(cc.node_id) +
                                       " must first join as a learner and catch up, then be "
                                       "promoted");
  }
  if (cc.context.size() > limits::kMaxConfChangeContextBytes) {
    return Status::InvalidArgument("CONF_CHANGE_INVALID",
                                   "context exceeds limits::kMaxConfChangeContextBytes");
  }
  PLEDGER_RETURN_IF_ERROR(ApplyConfChange(conf_, cc).status());
  Entry e;
  e.term = term_;
  e.index = log_.LastIndex() + 1;
  e.type = EntryType::kConfChange;
  e.data = Payload(EncodeConfChange(cc));
  if (appended) *appended = EntryId{e.index, e.term};
  std::vector<Entry> ents;
  ents.push_back(std::move(e));
  AppendToLog(std::move(ents));
  pending_append_bcast_ = true;
  return failure_;
}

Status Raft::TransferLeadership(std::uint64_t target) {
  if (!failure_.ok()) return failure_;
  if (state_ != State::kLeader) return NotLeader(lead_, term_);
  if (target == cfg_.id) return Status::OK();
  if (!conf_.IsVoter(target)) {
    return Status::InvalidArgument("TRANSFER_TARGET_INVALID",
                                   "node " + std::to_string(target) + " is not a voter");
  }
  if (lead_transferee_ == target) return Status::OK();
  lead_transferee_ = target;
  election_elapsed_ = 0;  // the transfer must finish within an election timeout
  Progress& pr = prs_.at(target);
  if (pr.match == log_.LastIndex()) {
    SendTimeoutNow(target);
  } else {
    MaybeSendAppend(target, true);
  }
  return Status::OK();
}

Status Raft::Campaign() {
  if (!failure_.ok()) return failure_;
  if (!Promotable()) {
    return Status::FailedPrecondition("NOT_PROMOTABLE",
                                      "this node is not a voter in its configuration");
  }
  Hup(CampaignType::kElection);
  return failure_;
}

void Raft::ReportUnreachable(std::uint64_t id) {
  if (state_ != State::kLeader) return;
  auto it = prs_.find(id);
  if (it == prs_.end()) return;
  // Stop streaming into the void; probe when it answers again.
  if (it->second.state == ProgressState::kReplicate) it->second.BecomeProbe();
}

// --------------------------------------------------------------- ReadIndex

Status Raft::ReadIndex(std::string context) {
  if (!failure_.ok()) return failure_;
  if (context.size() > limits::kMaxReadContextBytes) {
    return Status::InvalidArgument("READ_CONTEXT_TOO_LARGE",
                                   "read context exceeds limits::kMaxReadContextBytes");
  }
  if (state_ != State::kLeader) {
    if (lead_ == 0) return NotLeader(0, term_);
    Message m;
    m.type = MessageType::kReadIndex;
    m.to = lead_;
    m.context = std::move(context);
    Send(std::move(m));
    return Status::OK();
  }
  if (pending_reads_.size() + waiting_reads_.size() >= cfg_.max_pending_read_index) {
    return Status::ResourceExhausted("READ_INDEX_BACKLOGGED",
                                     "too many ReadIndex requests in flight; retry later");
  }
  HandleReadIndexRequest(cfg_.id, std::move(context));
  return Status::OK();
}

void Raft::HandleReadIndexRequest(std::uint64_t from, std::string context) {
  if (pending_reads_.size() + waiting_reads_.size() >= cfg_.max_pending_read_index) return;
  ReadRequest req;
  req.from = from;
  req.context = std::move(context);
  if (!CommittedInCurrentTerm()) {
    // Our commit index may lag the true one until our no-op commits.
    waiting_reads_.push_back(std::move(req));
    return;
  }
  req.index = log_.committed();
  if (conf_.voters.size() == 1) {
    if (from == cfg_.id) {
      read_states_.push_back(ReadState{req.index, std::move(req.context)});
    } else {
      Message m;
      m.type = MessageType::kReadIndexResp;
      m.to = from;
      m.index = req.index;
      m.context = std::move(req.context);
      Send(std::move(m));
    }
    return;
  }
  req.acks.push_back(cfg_.id);
  pending_reads_.push_back(std::move(req));
  BcastHeartbeat();
}

void Raft::ReleaseWaitingReads() {
  std::deque<ReadRequest> waiting;
  waiting.swap(waiting_reads_);
  for (ReadRequest& r : waiting) HandleReadIndexRequest(r.from, std::move(r.context));
}

void Raft::HandleReadAck(std::uint64_t from, const std::string& context) {
  if (!conf_.IsVoter(from)) return;
  auto it = std::find_if(pending_reads_.begin(), pending_reads_.end(),
                         [&](const ReadRequest& r) { return r.context == context; });
  if (it == pending_reads_.end()) return;
  if (std::find(it->acks.begin(), it->acks.end(), from) == it->acks.end()) {
    it->acks.push_back(from);
  }
  std::size_t voters_acked = 0;
  for (std::uint64_t a : it->acks) voters_acked += conf_.IsVoter(a) ? 1 : 0;
  if (voters_acked < Quorum()) return;
  // A quorum confirmed our leadership after this request arrived, so also
  // after every earlier one: release them all, in order.
  const auto end = it + 1;
  for (auto r = pending_reads_.begin(); r != end; ++r) {
    if (r->from == cfg_.id) {
      read_states_.push_back(ReadState{r->index, std::move(r->context)});
    } else {
      Message m;
      m.type = MessageType::kReadIndexResp;
      m.to = r->from;
      m.index = r->index;
      m.context = std::move(r->context);
      Send(std::move(m));
    }
  }
  pending_reads_.erase(pending_reads_.begin(), end);
}

}  // namespace pledger::consensus
