// Membership changes, one server at a time (Raft thesis 4.1).
//
// A configuration takes effect on a node as soon as its CONF_CHANGE entry is
// in that node's log, committed or not, and is rolled back if the entry is
// truncated. Safety rests on three rules, enforced by the leader when it
// accepts a proposal (Raft::ProposeConfChange) and documented in docs/consensus.md:
//   1. each change adds or removes at most one voter, so the majorities of
//      the old and new configuration overlap;
//   2. a change is proposed only once the previous one is committed;
//   3. a change is proposed only once the leader has committed an entry of its
//      own term (the fix for the single-server change bug found in 2015).
// A new server joins as a learner (non-voting) and is promoted when it has
// caught up; the leader cannot remove or demote itself (transfer leadership
// first).
//
// Thread safety: pure functions.
#ifndef PLEDGER_CONSENSUS_CONF_CHANGE_H_
#define PLEDGER_CONSENSUS_CONF_CHANGE_H_

#include "consensus/status.h"
#include "consensus/types.h"

namespace pledger::consensus {

// The configuration after `cc`. Errors (INVALID_ARGUMENT, reason
// CONF_CHANGE_INVALID): adding a member twice, promoting a non-learner,
// removing a non-member, exceeding limits::kMaxVoters / kMaxLearners,
// removing the last voter.
//
// When a committed log carries a change that does not apply (only possible
// if a leader skipped validation), every node keeps the old configuration:
// the outcome is a deterministic function of the log.
Result<ConfState> ApplyConfChange(const ConfState& cs, const ConfChange& cc);

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_CONF_CHANGE_H_
