// pledger-audit: the auditor's command-line tool (docs/audit.md).
//
//   history ENTITY   every transaction that touched a patent, pledge, pool,
//                    tranche, account or organisation (table, --json, --csv);
//                    --as-of HEIGHT for a patent, pledge, pool or tranche
//                    record as it was after a block
//   proof TX_ID      an offline evidence bundle (--out FILE)
//   check-proof FILE verifies a bundle with nothing but --genesis
//   verify           replays and checks the whole chain from the genesis file
//   export           the pledge register and its gazette announcements
//
// The library runs a command with given arguments and streams, so tests run
// commands in-process; audit_main.cc only hands it the process's.
//
// Exit codes: 0 everything checked; 1 a check failed, or another error;
// 2 usage error; 3 the node did not answer.
//
// Not thread-safe per call (one invocation at a time per AuditIo).
#ifndef PLEDGER_TOOLS_AUDIT_AUDIT_H_
#define PLEDGER_TOOLS_AUDIT_AUDIT_H_

#include <ostream>
#include <string>
#include <vector>

namespace pledger::tools::audit {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

struct AuditIo {
  std::ostream* out = nullptr;  // results (tables, JSON, CSV)
  std::ostream* err = nullptr;  // errors, warnings and progress
};

int RunAudit(const std::vector<std::string>& args, AuditIo& io);

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_AUDIT_H_
