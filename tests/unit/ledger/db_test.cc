#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "ledger/db.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

TEST_CASE("db: a missing directory is NOT_FOUND when creation is off", "[db]") {
  test::TempDir dir;
  DatabaseOptions opts;
  opts.create_if_missing = false;
  auto db = Database::Open(dir.Sub("nope"), opts);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().reason() == "DB_NOT_FOUND");
}

TEST_CASE("db: a directory open in this process is refused as locked", "[db]") {
  test::TempDir dir;
  auto first = Database::Open(dir.Sub("db"));
  REQUIRE(first.ok());
  auto second = Database::Open(dir.Sub("db"));
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().reason() == "DB_LOCKED");
  CHECK(second.status().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("db: a directory locked by another process is refused and left intact", "[db]") {
  test::TempDir dir;
  std::string path = dir.Sub("db");
  {
    auto db = Database::Open(path);
    REQUIRE(db.ok());
    REQUIRE((*db)->Put("k", "v", true).ok());
  }
  int ready[2], release[2];
  REQUIRE(pipe(ready) == 0);
  REQUIRE(pipe(release) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Child: hold the database open until the parent closes `release`.
    close(release[1]);
    auto db = Database::Open(path);
    char c = db.ok() ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(2);
    if (read(release[0], &c, 1) < 0) _exit(3);
    _exit(0);
  }
  close(release[0]);
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  auto second = Database::Open(path);
  CHECK_FALSE(second.ok());
  CHECK(second.status().reason() == "DB_LOCKED");
  close(release[1]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  CHECK(WIFEXITED(wstatus));
  // Once the other process is gone the data is all there.
  auto again = Database::Open(path);
  REQUIRE(again.ok());
  auto v = (*again)->Get("k");
  REQUIRE(v.ok());
  CHECK(v->value() == "v");
  close(ready[0]);
  close(ready[1]);
}

TEST_CASE("db: scan stays inside its prefix, in key order", "[db]") {
  test::TempDir dir;
  auto db = Database::Open(dir.Sub("db"));
  REQUIRE(db.ok());
  for (const char* k : {"a1", "b3", "b1", "b2", "c1"}) REQUIRE((*db)->Put(k, k, false).ok());
  std::vector<std::string> seen;
  REQUIRE((*db)->Scan("b", "b", [&](std::string_view k, std::string_view) {
                  seen.emplace_back(k);
                  return true;
                }).ok());
  CHECK(seen == std::vector<std::string>{"b1", "b2", "b3"});
  seen.clear();
  REQUIRE((*db)->Scan("b", "b2", [&](std::string_view k, std::string_view) {
                  seen.emplace_back(k);
                  return false;
                }).ok());
  CHECK(seen == std::vector<std::string>{"b2"});
}

}  // namespace
}  // namespace pledger::ledger
