// Helpers shared by pledger-audit's tests: running the CLI in-process,
// copying and fingerprinting data directories, and rewriting records of a
// (copied) node database the way an attacker with disk access would.
// Test-only; header-only.
#ifndef PLEDGER_TESTS_UNIT_TOOLS_AUDIT_TESTING_H_
#define PLEDGER_TESTS_UNIT_TOOLS_AUDIT_TESTING_H_

#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ledger/block.h"
#include "ledger/crypto.h"
#include "ledger/db.h"
#include "ledger/keys.h"
#include "ledger/tx.h"
#include "tools/audit/audit.h"

namespace pledger::test {

struct CliResult {
  int code = -1;
  std::string out, err;
};

inline CliResult RunCli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  tools::audit::AuditIo io{&out, &err};
  CliResult r;
  r.code = tools::audit::RunAudit(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// Parses --json output (throws on failure so a test sees why).
template <typename M>
M ParseJsonOut(const std::string& json) {
  M m;
  google::protobuf::util::JsonParseOptions o;
  if (!google::protobuf::util::JsonStringToMessage(json, &m, o).ok()) {
    throw std::runtime_error("unparsable JSON output: " + json.substr(0, 400));
  }
  return m;
}

inline void CopyDir(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

// SHA-256 of every file's bytes, by relative path: equal maps = the
// directory is unchanged.
inline std::map<std::string, std::string> Fingerprint(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out[std::filesystem::relative(e.path(), dir).string()] = ledger::HexEncode(ledger::Sha256(ss.str()));
  }
  return out;
}

// Opens a database for tampering (the caller closes it before auditing).
inline std::unique_ptr<ledger::Database> OpenForTampering(const std::string& dir) {
  ledger::DatabaseOptions o;
  o.create_if_missing = false;
  auto db = ledger::Database::Open(dir, o);
  if (!db.ok()) throw std::runtime_error(db.status().ToString());
  return std::move(*db);
}

inline std::string MustGet(ledger::Database& db, const std::string& key) {
  auto v = db.Get(key);
  if (!v.ok() || !v->has_value()) throw std::runtime_error("missing key in test database");
  return **v;
}

inline void MustPut(ledger::Database& db, const std::string& key, const std::string& value) {
  auto s = db.Put(key, value, /*sync=*/true);
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

}  // namespace pledger::test

#endif  // PLEDGER_TESTS_UNIT_TOOLS_AUDIT_TESTING_H_
