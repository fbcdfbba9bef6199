// Conversions between the in-memory types (types.h) and their protobuf wire
// and disk forms (proto/raft.proto).
//
// Decoders take bytes from peers and disks: they never crash on hostile input
// and report it as INVALID_ARGUMENT / RAFT_DECODE_FAILED (unparsable) or
// RAFT_MESSAGE_INVALID (parsable, but out of range: an unknown type, a local
// message type, an oversized field). Encoders cannot fail.
//
// Thread safety: pure functions.
#ifndef PLEDGER_CONSENSUS_CODEC_H_
#define PLEDGER_CONSENSUS_CODEC_H_

#include <string>
#include <string_view>

#include "consensus/proto/raft.pb.h"
#include "consensus/status.h"
#include "consensus/types.h"

namespace pledger::consensus {

void ToProto(const Entry& e, raftpb::Entry* out);
// Moves the payload out of `in` (no copy of the bytes).
Result<Entry> FromProto(raftpb::Entry* in);

void ToProto(const HardState& hs, raftpb::HardState* out);
HardState FromProto(const raftpb::HardState& in);

void ToProto(const ConfState& cs, raftpb::ConfState* out);
// Sorts and checks: ids non-zero, lists disjoint, no duplicates, within limits.
Result<ConfState> FromProto(const raftpb::ConfState& in);

void ToProto(const SnapshotMetadata& m, raftpb::SnapshotMetadata* out);
Result<SnapshotMetadata> FromProto(const raftpb::SnapshotMetadata& in);

void ToProto(const Message& m, raftpb::Message* out);
Result<Message> FromProto(raftpb::Message* in);

// Wire form of a message.
std::string EncodeMessage(const Message& m);
Result<Message> DecodeMessage(std::string_view bytes);

// The data of a CONF_CHANGE entry.
std::string EncodeConfChange(const ConfChange& cc);
Result<ConfChange> DecodeConfChange(std::string_view bytes);

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_CODEC_H_
