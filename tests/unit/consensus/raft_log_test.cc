#include <catch2/catch.hpp>

#include "consensus/raft_log.h"
#include "tests/unit/consensus/test_helpers.h"

namespace pledger::consensus {
namespace {

using testnet::Ents;

struct LogFixture {
  MemoryLogStorage storage;
  RaftLog log{&storage};
  explicit LogFixture(const std::vector<std::uint64_t>& terms) {
    REQUIRE(storage.Append(Ents(1, terms)).ok());
    log.Reset();
  }
};

TEST_CASE("RaftLog: FindConflict finds the first differing or new entry", "[raft_log]") {
  LogFixture f({1, 2, 3});
  CHECK(*f.log.FindConflict(Ents(1, {1, 2, 3})) == 0);
  CHECK(*f.log.FindConflict(Ents(2, {2, 3, 4})) == 4);
  CHECK(*f.log.FindConflict(Ents(2, {2, 4})) == 3);
  CHECK(*f.log.FindConflict(Ents(1, {4})) == 1);
}

TEST_CASE("RaftLog: FindConflictByTerm skips whole terms", "[raft_log]") {
  LogFixture f({1, 2, 2, 2, 5, 5});
  CHECK(f.log.FindConflictByTerm(6, 3)->index == 4);
  CHECK(f.log.FindConflictByTerm(6, 3)->term == 2);
  CHECK(f.log.FindConflictByTerm(6, 5)->index == 6);
  CHECK(f.log.FindConflictByTerm(10, 1)->index == 1);
  CHECK(f.log.FindConflictByTerm(3, 0)->index == 0);
}

TEST_CASE("RaftLog: append truncates a conflicting unstable or stored suffix", "[raft_log]") {
  LogFixture f({1, 1, 1});
  f.log.Append(Ents(4, {2, 2}));
  CHECK(f.log.LastIndex() == 5);
  f.log.Append(Ents(2, {3}));  // below the unstable offset: replaces
  CHECK(f.log.LastIndex() == 2);
  CHECK(*f.log.Term(2) == 3);
  CHECK(*f.log.Term(1) == 1);
  auto s = f.log.Slice(1, 3, UINT64_MAX);
  REQUIRE(s.ok());
  CHECK(s->size() == 2);
  CHECK((*s)[1].term == 3);
}

TEST_CASE("RaftLog: IsUpToDate compares last term first, then length", "[raft_log]") {
  LogFixture f({1, 2});
  CHECK(*f.log.IsUpToDate(2, 2));
  CHECK(*f.log.IsUpToDate(1, 3));
  CHECK_FALSE(*f.log.IsUpToDate(1, 2));
  CHECK_FALSE(*f.log.IsUpToDate(9, 1));
}

TEST_CASE("RaftLog: the commit rule only counts an entry of the given term", "[raft_log]") {
  LogFixture f({1, 2, 3});
  CHECK_FALSE(*f.log.MaybeCommit(2, 3));
  CHECK(*f.log.MaybeCommit(3, 3));
  CHECK(f.log.committed() == 3);
  CHECK(f.log.HasNextCommittedEntries());
  auto next = f.log.NextCommittedEntries(UINT64_MAX);
  REQUIRE(next.ok());
  CHECK(next->size() == 3);
}

}  // namespace
}  // namespace pledger::consensus
