// Raft: the consensus state machine behind RawNode (internal to consensus/;
// applications use raw_node.h).
//
// Pure: no I/O, threads, clock or global randomness. Inputs are Tick(),
// Step(message) and the proposal calls; outputs are the unstable log, the
// hard state, and two outboxes (see RawNode's Ready for their contract).
// Structure follows etcd-raft (raft.go) closely, with two deliberate
// differences documented in docs/consensus.md: membership changes take
// effect when appended (one server at a time), and a node learns that its own
// entries are durable through a node-local PERSISTED message instead of
// counting them at append time.
//
// Thread safety: none. Errors: a storage failure other than the named
// LOG_COMPACTED / LOG_UNAVAILABLE makes the Raft fail-stop: failure() holds
// the first such error and every later call returns it.
#ifndef PLEDGER_CONSENSUS_RAFT_H_
#define PLEDGER_CONSENSUS_RAFT_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "consensus/config.h"
#include "consensus/progress.h"
#include "consensus/raft_log.h"
#include "consensus/status.h"
#include "consensus/storage.h"
#include "consensus/types.h"

namespace pledger::consensus {

class Raft {
 public:
  explicit Raft(const Config& config);
  Raft(const Raft&) = delete;
  Raft& operator=(const Raft&) = delete;

  // Loads hard state, log bounds and configuration from storage.
  Status Init();

  void Tick();
  Status Step(Message m);
  Status Propose(std::string data, EntryId* appended);
  Status ProposeConfChange(const ConfChange& cc, EntryId* appended);
  Status TransferLeadership(std::uint64_t target);
  Status ReadIndex(std::string context);
  Status Campaign();
  void ReportUnreachable(std::uint64_t id);

  // Sends the appends that proposals and commit advances made due (they are
  // coalesced until a Ready is cut, so a burst of proposals becomes one
  // append per follower).
  void FlushAppends();
  bool HasPendingFlush() const { return pending_append_bcast_ || pending_commit_bcast_; }

  // Applied entries up to `index` (Advance).
  void AppliedTo(std::uint64_t index, std::uint64_t applied_bytes);

  // Outboxes, drained by RawNode::GetReady.
  std::vector<Message>& msgs() { return msgs_; }
  std::vector<Message>& msgs_after_persist() { return msgs_after_persist_; }
  std::vector<ReadState>& read_states() { return read_states_; }

  RaftLog& log() { return log_; }
  const RaftLog& log() const { return log_; }
  HardState hard_state() const { return HardState{term_, vote_, log_.committed()}; }
  const Config& config() const { return cfg_; }
  std::uint64_t id() const { return cfg_.id; }
  std::uint64_t term() const { return term_; }
  std::uint64_t vote() const { return vote_; }
  std::uint64_t leader() const { return lead_; }
  Role role() const;
  std::uint64_t lead_transferee() const { return lead_transferee_; }
  const ConfState& conf_state() const { return conf_; }
  Result<ConfState> ConfStateAt(std::uint64_t index) const;
  const std::map<std::uint64_t, Progress>& progress() const { return prs_; }
  EntryId durable() const { return durable_; }
  const Status& failure() const { return failure_; }
  // Makes the node fail-stop with `s` (the first failure wins).
  void Fail(Status s);

 private:
  enum class CampaignType { kPreElection, kElection, kTransfer };
  struct ReadRequest {
    std::uint64_t index = 0;
    std::string context;
    std::uint64_t from = 0;  // requester; our own id for local requests
    std::vector<std::uint64_t> acks;
  };
  // A follower's partly received InstallSnapshot.
  struct IncomingSnapshot {
    std::uint64_t leader_term = 0;
    SnapshotMetadata metadata;
    std::uint64_t total_bytes = 0;
    std::string data;
  };

  void Send(Message m);
  void Reset(std::uint64_t term);
  void ResetRandomizedElectionTimeout();
  void BecomeFollower(std::uint64_t term, std::uint64_t lead);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  bool Promotable() const;
  void Hup(CampaignType t);
  void DoCampaign(CampaignType t);
  enum class VoteResult { kPending, kWon, kLost };
  VoteResult Poll(std::uint64_t from, bool granted);
  std::size_t Quorum() const { return conf_.voters.size() / 2 + 1; }

  void TickElection();
  void TickHeartbeat();

  Status ValidateMessage(const Message& m) const;
  void StepLeader(Message& m);
  void StepCandidate(Message& m);
  void StepFollower(Message& m);
  void HandleVoteRequest(const Message& m);
  void HandleAppendEntries(Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshotChunk(const Message& m);
  void HandleAppResp(const Message& m, Progress& pr);
  void HandleSnapResp(const Message& m, Progress& pr);
  void HandlePersisted(const Message& m);
  void HandleReadIndexRequest(std::uint64_t from, std::string context);
  void HandleReadAck(std::uint64_t from, const std::string& context);
  void ReleaseWaitingReads();
  bool Restore(const Snapshot& snap);

  // Appends to our log, rolling configurations back (truncation) and forward
  // (new CONF_CHANGE entries).
  void AppendToLog(std::vector<Entry>&& entries);
  void SetConf(const ConfState& cs);
  bool MaybeCommit();
  bool CommittedInCurrentTerm() const;

  bool MaybeSendAppend(std::uint64_t to, bool send_if_empty);
  void SendSnapshot(std::uint64_t to, Progress& pr);
  void SendSnapshotChunks(std::uint64_t to, Progress& pr);
  void BcastAppend(bool send_if_empty);
  void BcastHeartbeat();
  void SendTimeoutNow(std::uint64_t to);
  void AbortLeaderTransfer() { lead_transferee_ = 0; }

  Config cfg_;
  RaftLog log_;
  std::uint64_t term_ = 0;
  std::uint64_t vote_ = 0;
  std::uint64_t lead_ = 0;
  enum class State { kFollower, kPreCandidate, kCandidate, kLeader } state_ = State::kFollower;

  // Configuration: `base_conf_` is in effect from the snapshot (or the last
  // applied configuration entry) on; `conf_history_` lists later CONF_CHANGE
  // entries of the log with the configuration each makes. conf_ is the latest.
  ConfState base_conf_;
  std::uint64_t base_conf_index_ = 0;
  std::vector<std::pair<std::uint64_t, ConfState>> conf_history_;
  ConfState conf_;

  std::map<std::uint64_t, Progress> prs_;  // leader only; includes this node
  std::map<std::uint64_t, bool> votes_;

  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  std::uint64_t lead_transferee_ = 0;
  std::uint64_t uncommitted_bytes_ = 0;
  EntryId durable_;  // last entry known durable in our storage, still in our log

  bool pending_append_bcast_ = false;
  bool pending_commit_bcast_ = false;

  std::deque<ReadRequest> pending_reads_;  // leader: waiting for a heartbeat quorum
  std::deque<ReadRequest> waiting_reads_;  // leader: waiting for a commit in its term
  std::vector<ReadState> read_states_;

  std::optional<IncomingSnapshot> incoming_snapshot_;

  std::vector<Message> msgs_;
  std::vector<Message> msgs_after_persist_;
  Status failure_;
};

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_RAFT_H_
