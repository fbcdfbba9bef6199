#include "consensus/codec.h"

#include <algorithm>
#include <string>

#include "consensus/limits.h"

namespace pledger::consensus {

namespace {

Status Invalid(const std::string& what) {
  return Status::InvalidArgument("RAFT_MESSAGE_INVALID", what);
}

Status CheckIdList(const std::vector<std::uint64_t>& ids, const char* what) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == 0) return Invalid(std::string(what) + " contains node id 0");
    if (i > 0 && ids[i] == ids[i - 1]) return Invalid(std::string(what) + " has a duplicate id");
  }
  return Status::OK();
}

}  // namespace

void ToProto(const Entry& e, raftpb::Entry* out) {
  out->set_term(e.term);
  out->set_index(e.index);
  out->set_type(e.type == EntryType::kConfChange ? raftpb::ENTRY_CONF_CHANGE
                                                  : raftpb::ENTRY_NORMAL);
  out->set_data(e.data.view().data(), e.data.size());
}

Result<Entry> FromProto(raftpb::Entry* in) {
  Entry e;
  e.term = in->term();
  e.index = in->index();
  switch (in->type()) {
    case raftpb::ENTRY_NORMAL: e.type = EntryType::kNormal; break;
    case raftpb::ENTRY_CONF_CHANGE: e.type = EntryType::kConfChange; break;
    default: return Invalid("unknown entry type " + std::to_string(in->type()));
  }
  if (in->data().size() > limits::kMaxEntryBytes) {
    return Invalid("entry of " + std::to_string(in->data().size()) +
                   " bytes exceeds limits::kMaxEntryBytes");
  }
  e.data = Payload(std::move(*in->mutable_data()));
  return e;
}

void ToProto(const HardState& hs, raftpb::HardState* out) {
  out->set_term(hs.term);
  out->set_vote(hs.vote);
  out->set_commit(hs.commit);
}

HardState FromProto(const raftpb::HardState& in) {
  return HardState{in.term(), in.vote(), in.commit()};
}

void ToProto(const ConfState& cs, raftpb::ConfState* out) {
  out->mutable_voters()->Assign(cs.voters.begin(), cs.voters.end());
  out->mutable_learners()->Assign(cs.learners.begin(), cs.learners.end());
}

Result<ConfState> FromProto(const raftpb::ConfState& in) {
  if (static_cast<std::uint64_t>(in.voters_size()) > limits::kMaxVoters ||
      static_cast<std::uint64_t>(in.learners_size()) > limits::kMaxLearners) {
    return Invalid("configuration exceeds limits::kMaxVoters or kMaxLearners");
  }
  ConfState cs;
  cs.voters.assign(in.voters().begin(), in.voters().end());
  cs.learners.assign(in.learners().begin(), in.learners().end());
  std::sort(cs.voters.begin(), cs.voters.end());
  std::sort(cs.learners.begin(), cs.learners.end());
  PLEDGER_RETURN_IF_ERROR(CheckIdList(cs.voters, "voters"));
  PLEDGER_RETURN_IF_ERROR(CheckIdList(cs.learners, "learners"));
  for (std::uint64_t id : cs.learners) {
    if (std::binary_search(cs.voters.begin(), cs.voters.end(), id)) {
      return Invalid("node " + std::to_string(id) + " is both voter and learner");
    }
  }
  return cs;
}

void ToProto(const SnapshotMetadata& m, raftpb::SnapshotMetadata* out) {
  out->set_index(m.index);
  out->set_term(m.term);
  ToProto(m.conf_state, out->mutable_conf_state());
}

Result<SnapshotMetadata> FromProto(const raftpb::SnapshotMetadata& in) {
  SnapshotMetadata m;
  m.index = in.index();
  m.term = in.term();
  PLEDGER_ASSIGN_OR_RETURN(m.conf_state, FromProto(in.conf_state()));
  return m;
}

void ToProto(const Message& m, raftpb::Message* out) {
  out->set_type(static_cast<raftpb::MessageType>(m.type));
  out->set_from(m.from);
  out->set_to(m.to);
  out->set_term(m.term);
  out->set_log_term(m.log_term);
  out->set_index(m.index);
  out->mutable_entries()->Reserve(static_cast<int>(m.entries.size()));
  for (const Entry& e : m.entries) ToProto(e, out->add_entries());
  out->set_commit(m.commit);
  out->set_reject(m.reject);
  out->set_reject_hint(m.reject_hint);
  out->set_context(m.context);
  if (m.snapshot) {
    raftpb::SnapshotChunk* c = out->mutable_snapshot();
    ToProto(m.snapshot->metadata, c->mutable_metadata());
    c->set_total_bytes(m.snapshot->total_bytes);
    c->set_offset(m.snapshot->offset);
    c->set_data(m.snapshot->data.view().data(), m.snapshot->data.size());
  }
  out->set_offset(m.offset);
  out->set_leader_transfer(m.leader_transfer);
}

Result<Message> FromProto(raftpb::Message* in) {
  if (in->type() < raftpb::MSG_APP || in->type() > raftpb::MSG_READ_INDEX_RESP) {
    return Invalid("unknown or node-local message type " + std::to_string(in->type()));
  }
  if (static_cast<std::uint64_t>(in->entries_size()) > limits::kMaxEntriesPerMsg) {
    return Invalid("message carries more than limits::kMaxEntriesPerMsg entries");
  }
  if (in->context().size() > limits::kMaxReadContextBytes) {
    return Invalid("message context exceeds limits::kMaxReadContextBytes");
  }
  Message m;
  m.type = static_cast<MessageType>(in->type());
  m.from = in->from();
  m.to = in->to();
  m.term = in->term();
  m.log_term = in->log_term();
  m.index = in->index();
  m.entries.reserve(static_cast<std::size_t>(in->entries_size()));
  for (raftpb::Entry& pe : *in->mutable_entries()) {
    PLEDGER_ASSIGN_OR_RETURN(Entry e, FromProto(&pe));
    m.entries.push_back(std::move(e));
  }
  m.commit = in->commit();
  m.reject = in->reject();
  m.reject_hint = in->reject_hint();
  m.context = std::move(*in->mutable_context());
  if (in->has_snapshot()) {
    raftpb::SnapshotChunk* c = in->mutable_snapshot();
    if (c->data().size() > limits::kMaxSnapshotChunkBytes) {
      return Invalid("snapshot chunk exceeds limits::kMaxSnapshotChunkBytes");
    }
    SnapshotChunk chunk;
    PLEDGER_ASSIGN_OR_RETURN(chunk.metadata, FromProto(c->metadata()));
    chunk.total_bytes = c->total_bytes();
    chunk.offset = c->offset();
    chunk.data = Payload(std::move(*c->mutable_data()));
    m.snapshot = std::move(chunk);
  }
  m.offset = in->offset();
  m.leader_transfer = in->leader_transfer();
  return m;
}

std::string EncodeMessage(const Message& m) {
  raftpb::Message pb;
  ToProto(m, &pb);
  return pb.SerializeAsString();
}

Result<Message> DecodeMessage(std::string_view bytes) {
  raftpb::Message pb;
  if (!pb.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("RAFT_DECODE_FAILED", "bytes are not a raftpb.Message");
  }
  return FromProto(&pb);
}

std::string EncodeConfChange(const ConfChange& cc) {
  raftpb::ConfChange pb;
  pb.set_type(static_cast<raftpb::ConfChangeType>(cc.type));
  pb.set_node_id(cc.node_id);
  pb.set_context(cc.context);
  return pb.SerializeAsString();
}

Result<ConfChange> DecodeConfChange(std::string_view bytes) {
  raftpb::ConfChange pb;
  if (!pb.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("RAFT_DECODE_FAILED", "bytes are not a raftpb.ConfChange");
  }
  if (pb.type() < raftpb::CONF_CHANGE_ADD_LEARNER || pb.type() > raftpb::CONF_CHANGE_REMOVE_NODE) {
    return Invalid("unknown conf change type " + std::to_string(pb.type()));
  }
  if (pb.node_id() == 0) return Invalid("conf change names node id 0");
  if (pb.context().size() > limits::kMaxConfChangeContextBytes) {
    return Invalid("conf change context exceeds limits::kMaxConfChangeContextBytes");
  }
  ConfChange cc;
  cc.type = static_cast<ConfChangeType>(pb.type());
  cc.node_id = pb.node_id();
  cc.context = std::move(*pb.mutable_context());
  return cc;
}

}  // namespace pledger::consensus

// The in-memory enums are cast to and from the protobuf ones.
static_assert(static_cast<int>(pledger::consensus::MessageType::kApp) == pledger::raftpb::MSG_APP);
static_assert(static_cast<int>(pledger::consensus::MessageType::kReadIndexResp) ==
              pledger::raftpb::MSG_READ_INDEX_RESP);
static_assert(static_cast<int>(pledger::consensus::ConfChangeType::kRemoveNode) ==
              pledger::raftpb::CONF_CHANGE_REMOVE_NODE);
