#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "ledger/io/files.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

TEST_CASE("files: atomic writes keep the requested mode and never half-write", "[files]") {
  test::TempDir dir;
  std::string path = dir.Sub("key.pem");
  REQUIRE(io::WriteFileAtomic(path, "secret", 0600).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(*io::ReadFile(path) == "secret");
  CHECK(io::WriteFileAtomic(path, "other", 0600, /*exclusive=*/true).reason() == "FILE_EXISTS");
  CHECK(*io::ReadFile(path) == "secret");
  REQUIRE(io::WriteFileAtomic(path, "replaced", 0600).ok());
  CHECK(*io::ReadFile(path) == "replaced");
}

TEST_CASE("files: missing, oversize and non-regular files are errors", "[files]") {
  test::TempDir dir;
  CHECK(io::ReadFile(dir.Sub("missing")).status().reason() == "FILE_NOT_FOUND");
  REQUIRE(io::WriteFileAtomic(dir.Sub("big"), std::string(100, 'x')).ok());
  CHECK(io::ReadFile(dir.Sub("big"), 10).status().reason() == "FILE_TOO_LARGE");
  CHECK(io::ReadFile(dir.path()).status().reason() == "FILE_IO");
}

}  // namespace
}  // namespace pledger::node
