#include "consensus/types.h"

#include <algorithm>

namespace pledger::consensus {

bool ConfState::IsVoter(std::uint64_t id) const {
  return std::binary_search(voters.begin(), voters.end(), id);
}

bool ConfState::IsLearner(std::uint64_t id) const {
  return std::binary_search(learners.begin(), learners.end(), id);
}

namespace {
void AppendIds(std::string* out, const std::vector<std::uint64_t>& ids) {
  out->push_back('[');
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out->push_back(',');
    *out += std::to_string(ids[i]);
  }
  out->push_back(']');
}
}  // namespace

std::string ConfState::ToString() const {
  std::string s = "voters=";
  AppendIds(&s, voters);
  s += " learners=";
  AppendIds(&s, learners);
  return s;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kFollower: return "FOLLOWER";
    case Role::kPreCandidate: return "PRE_CANDIDATE";
    case Role::kCandidate: return "CANDIDATE";
    case Role::kLeader: return "LEADER";
    case Role::kLearner: return "LEARNER";
  }
  return "UNKNOWN";
}

std::string_view MessageTypeName(MessageType t) {
  switch (t) {
    case MessageType::kApp: return "APP";
    case MessageType::kAppResp: return "APP_RESP";
    case MessageType::kVote: return "VOTE";
    case MessageType::kVoteResp: return "VOTE_RESP";
    case MessageType::kPreVote: return "PRE_VOTE";
    case MessageType::kPreVoteResp: return "PRE_VOTE_RESP";
    case MessageType::kSnap: return "SNAP";
    case MessageType::kSnapResp: return "SNAP_RESP";
    case MessageType::kHeartbeat: return "HEARTBEAT";
    case MessageType::kHeartbeatResp: return "HEARTBEAT_RESP";
    case MessageType::kTimeoutNow: return "TIMEOUT_NOW";
    case MessageType::kReadIndex: return "READ_INDEX";
    case MessageType::kReadIndexResp: return "READ_INDEX_RESP";
    case MessageType::kPersisted: return "PERSISTED";
  }
  return "UNKNOWN";
}

std::string_view ConfChangeTypeName(ConfChangeType t) {
  switch (t) {
    case ConfChangeType::kAddLearner: return "ADD_LEARNER";
    case ConfChangeType::kAddVoter: return "ADD_VOTER";
    case ConfChangeType::kRemoveNode: return "REMOVE_NODE";
  }
  return "UNKNOWN";
}

std::string DescribeMessage(const Message& m) {
  std::string s(MessageTypeName(m.type));
  s += ' ' + std::to_string(m.from) + "->" + std::to_string(m.to) + " t" + std::to_string(m.term);
  switch (m.type) {
    case MessageType::kApp:
      s += " prev=" + std::to_string(m.index) + "/t" + std::to_string(m.log_term);
      if (!m.entries.empty()) {
        s += " ents=[" + std::to_string(m.entries.front().index) + ".." +
             std::to_string(m.entries.back().index) + "]";
      }
      s += " commit=" + std::to_string(m.commit);
      break;
    case MessageType::kAppResp:
      s += " idx=" + std::to_string(m.index);
      if (m.reject) {
        s += " REJECT hint=" + std::to_string(m.reject_hint) + "/t" + std::to_string(m.log_term);
      }
      break;
    case MessageType::kVote:
    case MessageType::kPreVote:
      s += " last=" + std::to_string(m.index) + "/t" + std::to_string(m.log_term);
      if (m.leader_transfer) s += " transfer";
      break;
    case MessageType::kVoteResp:
    case MessageType::kPreVoteResp:
      s += m.reject ? " REJECT" : " GRANT";
      break;
    case MessageType::kSnap:
      if (m.snapshot) {
        s += " snap=" + std::to_string(m.snapshot->metadata.index) + "/t" +
             std::to_string(m.snapshot->metadata.term) + " off=" +
             std::to_string(m.snapshot->offset) + "+" + std::to_string(m.snapshot->data.size()) +
             "/" + std::to_string(m.snapshot->total_bytes);
      }
      break;
    case MessageType::kSnapResp:
      s += " snap=" + std::to_string(m.index) + " off=" + std::to_string(m.offset);
      if (m.reject) s += " REJECT";
      break;
    case MessageType::kHeartbeat:
      s += " commit=" + std::to_string(m.commit);
      if (!m.context.empty()) s += " ctx";
      break;
    case MessageType::kReadIndexResp:
      s += " idx=" + std::to_string(m.index);
      break;
    case MessageType::kPersisted:
      s += " upto=" + std::to_string(m.index) + "/t" + std::to_string(m.log_term);
      break;
    default:
      break;
  }
  return s;
}

}  // namespace pledger::consensus
