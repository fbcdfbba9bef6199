#include "consensus/conf_change.h"

#include <algorithm>
#include <string>

#include "consensus/limits.h"

namespace pledger::consensus {

namespace {

Status Invalid(const ConfChange& cc, const std::string& why) {
  return Status::InvalidArgument(
      "CONF_CHANGE_INVALID", std::string(ConfChangeTypeName(cc.type)) + " node " +
                                 std::to_string(cc.node_id) + ": " + why);
}

void Insert(std::vector<std::uint64_t>* ids, std::uint64_t id) {
  ids->insert(std::lower_bound(ids->begin(), ids->end(), id), id);
}

void Erase(std::vector<std::uint64_t>* ids, std::uint64_t id) {
  auto it = std::lower_bound(ids->begin(), ids->end(), id);
  if (it != ids->end() && *it == id) ids->erase(it);
}

}  // namespace

Result<ConfState> ApplyConfChange(const ConfState& cs, const ConfChange& cc) {
  if (cc.node_id == 0) return Invalid(cc, "node id 0 is reserved");
  ConfState out = cs;
  switch (cc.type) {
    case ConfChangeType::kAddLearner:
      if (cs.IsMember(cc.node_id)) return Invalid(cc, "already a member");
      if (cs.learners.size() >= limits::kMaxLearners) {
        return Invalid(cc, "limits::kMaxLearners reached");
      }
      Insert(&out.learners, cc.node_id);
      break;
    case ConfChangeType::kAddVoter:
      if (cs.IsVoter(cc.node_id)) return Invalid(cc, "already a voter");
      if (cs.voters.size() >= limits::kMaxVoters) return Invalid(cc, "limits::kMaxVoters reached");
      // Bootstrap adds founding voters directly; proposals must promote a
      // learner (checked by the leader, see raft.cc).
      Erase(&out.learners, cc.node_id);
      Insert(&out.voters, cc.node_id);
      break;
    case ConfChangeType::kRemoveNode:
      if (!cs.IsMember(cc.node_id)) return Invalid(cc, "not a member");
      if (cs.IsVoter(cc.node_id) && cs.voters.size() == 1) {
        return Invalid(cc, "cannot remove the last voter");
      }
      Erase(&out.voters, cc.node_id);
      Erase(&out.learners, cc.node_id);
      break;
  }
  return out;
}

}  // namespace pledger::consensus
