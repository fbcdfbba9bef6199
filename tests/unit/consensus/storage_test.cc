#include <catch2/catch.hpp>

#include "consensus/codec.h"
#include "consensus/conf_change.h"
#include "consensus/storage.h"
#include "tests/unit/consensus/test_helpers.h"

namespace pledger::consensus {
namespace {

using testnet::Ents;

TEST_CASE("MemoryLogStorage: bounds, terms and the named errors", "[storage]") {
  MemoryLogStorage s;
  CHECK(s.FirstIndex() == 1);
  CHECK(s.LastIndex() == 0);
  REQUIRE(s.Append(Ents(1, {1, 1, 2, 3})).ok());
  CHECK(s.LastIndex() == 4);
  CHECK(*s.Term(3) == 2);
  CHECK(s.Term(5).status().reason() == "LOG_UNAVAILABLE");
  auto e = s.Entries(2, 5, 0);  // a byte budget of 0 still returns one entry
  REQUIRE(e.ok());
  CHECK(e->size() == 1);
  CHECK(s.Entries(2, 6, UINT64_MAX).status().code() == StatusCode::kUnavailable);
  // Conflicting suffix replaced.
  REQUIRE(s.Append(Ents(3, {4})).ok());
  CHECK(s.LastIndex() == 3);
  CHECK(*s.Term(3) == 4);
  CHECK(s.Append(Ents(9, {4})).reason() == "LOG_GAP");
}

TEST_CASE("MemoryLogStorage: snapshots and compaction", "[storage]") {
  MemoryLogStorage s;
  REQUIRE(s.Append(Ents(1, {1, 1, 2, 2, 3})).ok());
  CHECK(s.Compact(3).reason() == "COMPACT_BEYOND_SNAPSHOT");
  ConfState cs;
  cs.voters = {1, 2, 3};
  REQUIRE(s.CreateSnapshot(4, cs, Payload("state")).ok());
  REQUIRE(s.Compact(3).ok());
  CHECK(s.FirstIndex() == 4);
  CHECK(*s.Term(3) == 2);  // the compaction point keeps its term
  CHECK(s.Term(2).status().code() == StatusCode::kCompacted);
  CHECK(s.Entries(3, 5, UINT64_MAX).status().reason() == "LOG_COMPACTED");
  auto snap = s.GetSnapshot();
  REQUIRE(snap.ok());
  CHECK(snap->metadata.index == 4);
  CHECK(snap->metadata.term == 2);
  CHECK(snap->data.ToString() == "state");
  CHECK(s.CreateSnapshot(2, cs, Payload()).reason() == "SNAPSHOT_OUT_OF_DATE");
  // Installing a newer snapshot drops the whole log.
  Snapshot newer;
  newer.metadata = {10, 4, cs};
  REQUIRE(s.ApplySnapshot(newer).ok());
  CHECK(s.FirstIndex() == 11);
  CHECK(s.LastIndex() == 10);
  CHECK(*s.GetInitialState()->conf_state.voters.begin() == 1);
}

TEST_CASE("Bootstrap writes the founding configuration, once", "[storage]") {
  MemoryLogStorage s;
  REQUIRE(Bootstrap(&s, {1, 2, 3}).ok());
  CHECK(s.LastIndex() == 3);
  CHECK(s.hard_state().commit == 3);
  auto confs = s.ConfEntries(1, 4);
  REQUIRE(confs.ok());
  CHECK(confs->size() == 3);
  CHECK(Bootstrap(&s, {1, 2, 3}).reason() == "STORAGE_NOT_EMPTY");
}

TEST_CASE("ApplyConfChange: one server at a time, with named refusals", "[storage]") {
  ConfState cs;
  cs.voters = {1, 2, 3};
  auto add = ApplyConfChange(cs, {ConfChangeType::kAddLearner, 4, ""});
  REQUIRE(add.ok());
  CHECK(add->learners == std::vector<std::uint64_t>{4});
  auto promote = ApplyConfChange(*add, {ConfChangeType::kAddVoter, 4, ""});
  REQUIRE(promote.ok());
  CHECK(promote->voters == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(promote->learners.empty());
  CHECK(ApplyConfChange(cs, {ConfChangeType::kAddLearner, 2, ""}).status().reason() ==
        "CONF_CHANGE_INVALID");
  CHECK(!ApplyConfChange(cs, {ConfChangeType::kRemoveNode, 9, ""}).ok());
  ConfState one;
  one.voters = {1};
  CHECK(!ApplyConfChange(one, {ConfChangeType::kRemoveNode, 1, ""}).ok());
}

}  // namespace
}  // namespace pledger::consensus
