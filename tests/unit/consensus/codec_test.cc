#include <catch2/catch.hpp>

#include "consensus/codec.h"
#include "consensus/limits.h"

namespace pledger::consensus {
namespace {

TEST_CASE("codec: every message type survives a round trip", "[codec]") {
  for (int t = 1; t <= 13; ++t) {
    Message m;
    m.type = static_cast<MessageType>(t);
    m.from = 3;
    m.to = 4;
    m.term = 9;
    m.log_term = 8;
    m.index = 77;
    m.commit = 70;
    m.reject = t % 2 == 0;
    m.reject_hint = 5;
    m.context = "ctx";
    m.offset = 11;
    m.leader_transfer = true;
    Entry e;
    e.term = 9;
    e.index = 78;
    e.type = EntryType::kConfChange;
    e.data = Payload(std::string("\0bytes\xff", 7));
    m.entries = {e, e};
    SnapshotChunk c;
    c.metadata.index = 60;
    c.metadata.term = 7;
    c.metadata.conf_state.voters = {1, 2, 3};
    c.metadata.conf_state.learners = {9};
    c.total_bytes = 10;
    c.offset = 4;
    c.data = Payload("abc");
    m.snapshot = c;
    auto d = DecodeMessage(EncodeMessage(m));
    REQUIRE(d.ok());
    CHECK(d->type == m.type);
    CHECK(d->from == 3);
    CHECK(d->to == 4);
    CHECK(d->term == 9);
    CHECK(d->log_term == 8);
    CHECK(d->index == 77);
    CHECK(d->commit == 70);
    CHECK(d->reject == m.reject);
    CHECK(d->reject_hint == 5);
    CHECK(d->context == "ctx");
    CHECK(d->offset == 11);
    CHECK(d->leader_transfer);
    REQUIRE(d->entries.size() == 2);
    CHECK(d->entries[1].data == e.data);
    CHECK(d->entries[1].type == EntryType::kConfChange);
    REQUIRE(d->snapshot.has_value());
    CHECK(d->snapshot->metadata == c.metadata);
    CHECK(d->snapshot->data.ToString() == "abc");
  }
}

TEST_CASE("codec: hostile bytes are refused, never crash", "[codec]") {
  CHECK(DecodeMessage("\xff\xff\xff garbage").status().reason() == "RAFT_DECODE_FAILED");
  Message m;
  m.type = MessageType::kPersisted;  // node-local: never valid from the wire
  CHECK(DecodeMessage(EncodeMessage(m)).status().reason() == "RAFT_MESSAGE_INVALID");
  raftpb::Message pb;
  pb.set_type(raftpb::MSG_APP);
  pb.mutable_snapshot()->mutable_metadata()->mutable_conf_state()->add_voters(0);
  CHECK(DecodeMessage(pb.SerializeAsString()).status().reason() == "RAFT_MESSAGE_INVALID");
  pb.Clear();
  pb.set_type(raftpb::MSG_APP);
  pb.set_context(std::string(limits::kMaxReadContextBytes + 1, 'c'));
  CHECK(!DecodeMessage(pb.SerializeAsString()).ok());
  pb.Clear();
  pb.set_type(raftpb::MSG_APP);
  pb.add_entries()->set_type(static_cast<raftpb::EntryType>(7));
  CHECK(!DecodeMessage(pb.SerializeAsString()).ok());
  // Every truncation of a valid message decodes or fails cleanly.
  Message ok;
  ok.type = MessageType::kApp;
  ok.entries.resize(3);
  ok.entries[2].data = Payload("payload");
  const std::string wire = EncodeMessage(ok);
  for (std::size_t n = 0; n < wire.size(); ++n) (void)DecodeMessage(wire.substr(0, n));
}

TEST_CASE("codec: conf changes round trip and are validated", "[codec]") {
  ConfChange cc{ConfChangeType::kAddLearner, 42, "10.0.0.7:7000"};
  auto d = DecodeConfChange(EncodeConfChange(cc));
  REQUIRE(d.ok());
  CHECK(d->type == ConfChangeType::kAddLearner);
  CHECK(d->node_id == 42);
  CHECK(d->context == "10.0.0.7:7000");
  CHECK(!DecodeConfChange(EncodeConfChange(ConfChange{ConfChangeType::kRemoveNode, 0, ""})).ok());
}

}  // namespace
}  // namespace pledger::consensus
