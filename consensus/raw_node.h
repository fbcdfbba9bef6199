// RawNode: the public face of the Raft core, in the etcd-raft Ready/Advance
// shape. This is what node/ drives.
//
// The driver loop (one thread owns the RawNode):
//
//   loop:
//     feed inputs:   node.Tick() every tick; node.Step(msg) for each message
//                    from a peer; node.Propose(...) etc. for local requests
//     if node.HasReady():
//       Ready rd = node.GetReady();
//       1. send rd.messages (may go before or while persisting);
//       2. write to storage, in one write, in this order: rd.snapshot (after
//          restoring the application state from it), rd.entries (truncating
//          any stale suffix), rd.hard_state   [MutableLogStorage::Write]
//          -- synced if rd.must_sync, or left unsynced for group commit;
//       3. apply rd.committed_entries in order (after the write of step 2 is
//          issued: storage must be ordered, so that state the application
//          persists is never durable without the log writes before it);
//       4. node.Advance(rd);
//       5. once a sync covers the write of step 2: send
//          rd.persisted_messages; those addressed to this node itself
//          (to == id, type PERSISTED) go back in through node.Step().
//
// Group commit: run steps 1-4 for several Readies with unsynced writes,
// keeping their persisted_messages in order, then one Sync() and step 5 for
// all of them. Until step 5 nothing acknowledges the unsynced data: a crash
// loses it with no harm (docs/consensus.md, "Durability contract").
//
// No other RawNode call may come between GetReady() and Advance(): such
// calls are refused with FAILED_PRECONDITION / READY_NOT_ADVANCED.
//
// Errors: every call returns the first fatal error once storage has failed
// (failure()). Not-leader refusals carry reason NOT_LEADER and name the
// leader (also leader_id()).
// Thread safety: none; one thread owns the RawNode and its Config's storage
// view. Ownership: Config::storage and Config::random must outlive the node.
#ifndef PLEDGER_CONSENSUS_RAW_NODE_H_
#define PLEDGER_CONSENSUS_RAW_NODE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/config.h"
#include "consensus/progress.h"
#include "consensus/status.h"
#include "consensus/storage.h"
#include "consensus/types.h"

namespace pledger::consensus {

class Raft;

struct Ready {
  // Set when term, vote or commit changed since the last Ready: persist it.
  std::optional<HardState> hard_state;
  // Entries to append to storage (truncating any stored entries from
  // entries.front().index on).
  std::vector<Entry> entries;
  // A snapshot received from the leader: restore the application from its
  // data and store it (it replaces the whole log).
  std::optional<Snapshot> snapshot;
  // Messages that may be sent at once, before or while persisting.
  std::vector<Message> messages;
  // Messages that may leave only once everything this Ready (and every
  // earlier one) wrote is durable. Those with to == this node (PERSISTED)
  // are fed back with Step().
  std::vector<Message> persisted_messages;
  // Committed entries to apply, in order.
  std::vector<Entry> committed_entries;
  // Answers to ReadIndex requests: serve the read once applied >= index.
  std::vector<ReadState> read_states;
  // Whether hard_state (term or vote), entries or snapshot must be synced
  // before persisted_messages go out. A commit-only change does not: after
  // a crash the commit index is recomputed from the cluster.
  bool must_sync = false;

  bool empty() const {
    return !hard_state && entries.empty() && !snapshot && messages.empty() &&
           persisted_messages.empty() && committed_entries.empty() && read_states.empty();
  }
};

// Replication state of one peer, as the leader sees it (for lag reporting).
struct PeerProgress {
  std::uint64_t id = 0;
  std::uint64_t match = 0;
  std::uint64_t next = 0;
  ProgressState state = ProgressState::kProbe;
  bool is_learner = false;
  bool recent_active = false;
};

struct NodeStatus {
  std::uint64_t id = 0;
  Role role = Role::kFollower;
  std::uint64_t term = 0;
  std::uint64_t vote = 0;
  std::uint64_t leader_id = 0;
  std::uint64_t commit_index = 0;
  std::uint64_t applied_index = 0;
  std::uint64_t first_index = 0;
  std::uint64_t last_index = 0;
  std::uint64_t lead_transferee = 0;
  ConfState conf_state;
  std::vector<PeerProgress> progress;  // leader only
};

class RawNode {
 public:
  // Validates the config and loads the durable state from config.storage.
  // Errors: RAFT_CONFIG_INVALID, storage errors, RAFT_COMMIT_BEYOND_LOG /
  // RAFT_APPLIED_BEYOND_LOG (corrupt storage or a wrong Config::applied).
  static Result<std::unique_ptr<RawNode>> Create(const Config& config);
  ~RawNode();
  RawNode(const RawNode&) = delete;
  RawNode& operator=(const RawNode&) = delete;

  // Advances logical time by one tick (election and heartbeat timers).
  void Tick();
  // Feeds a message from a peer (or a PERSISTED one from persisted_messages).
  // INVALID_ARGUMENT / RAFT_MESSAGE_INVALID for malformed input (dropped;
  // the node is unaffected).
  Status Step(Message m);

  // Appends `data` as a NORMAL entry. Leader only. Errors: NOT_LEADER,
  // TRANSFER_IN_PROGRESS, PROPOSAL_TOO_LARGE, PROPOSALS_BACKLOGGED
  // (RESOURCE_EXHAUSTED: too much uncommitted; retry later). On success the
  // entry's (index, term) is stored in *appended when given; it is committed
  // when a committed entry with that index has that term. A proposal can be
  // lost if leadership changes before it commits: clients retry.
  Status Propose(std::string data, EntryId* appended = nullptr);
  // Proposes a membership change (conf_change.h for the rules). Errors:
  // NOT_LEADER, CONF_CHANGE_LEADER_NOT_READY, CONF_CHANGE_PENDING,
  // CONF_CHANGE_NOT_LEARNER, CONF_CHANGE_REMOVES_LEADER, CONF_CHANGE_INVALID.
  Status ProposeConfChange(const ConfChange& cc, EntryId* appended = nullptr);
  // Hands leadership to `target` (a voter): brings it up to date, then tells
  // it to campaign. Proposals are refused meanwhile; abandoned after an
  // election timeout. Errors: NOT_LEADER, TRANSFER_TARGET_INVALID.
  Status TransferLeadership(std::uint64_t target);
  // Requests a linearizable read point. The answer comes as a ReadState with
  // the same context in a later Ready (on this node; a follower asks its
  // leader). A request may be dropped silently on a leadership change:
  // time out and retry. Errors: NOT_LEADER (no leader known),
  // READ_INDEX_BACKLOGGED.
  Status ReadIndex(std::string context);
  // Starts an election now (tests, or an operator's nudge).
  Status Campaign();
  // The transport could not reach `id`: stop streaming appends to it.
  void ReportUnreachable(std::uint64_t id);

  bool HasReady();
  Ready GetReady();
  void Advance(const Ready& rd);

  std::uint64_t id() const;
  Role role() const;
  std::uint64_t term() const;
  std::uint64_t leader_id() const;
  std::uint64_t commit_index() const;
  std::uint64_t applied_index() const;
  std::uint64_t last_index() const;
  HardState hard_state() const;
  // The configuration in effect (the latest in the log).
  const ConfState& conf_state() const;
  // The configuration as of `index`, for applied_index() <= index <=
  // last_index(): what a snapshot taken at the applied index must record.
  Result<ConfState> ConfStateAt(std::uint64_t index) const;
  std::vector<PeerProgress> Progress() const;
  NodeStatus GetStatus() const;
  const Status& failure() const;

 private:
  explicit RawNode(std::unique_ptr<Raft> raft);
  std::unique_ptr<Raft> raft_;
  HardState prev_hard_state_;
  bool ready_outstanding_ = false;
};

// Convenience for drivers: writes rd's snapshot, entries and hard state to
// `storage` in one Write (unsynced unless `sync`).
Status WriteReady(MutableLogStorage* storage, const Ready& rd, bool sync);

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_RAW_NODE_H_
