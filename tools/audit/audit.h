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
// Reading a node: nodes serve the raw blocks every check starts from only to
// IP offices, auditors and regulators, so every request is signed with the
// key of such an account: --key FILE (a PEM as pledger-admin writes it, or an
// exported wallet key file) or --profile NAME (a pledger-wallet profile: its
// key, and its node and CA unless given). The chain id signed for is the
// genesis file's. A data directory is read without any key.
//
// Exit codes: 0 everything checked; 1 a check failed, or another error;
// 2 usage error; 3 the node did not answer; 5 the node refused the reader
// (AUTH_*, READ_FORBIDDEN).
//
// Not thread-safe per call (one invocation at a time per AuditIo).
#ifndef PLEDGER_TOOLS_AUDIT_AUDIT_H_
#define PLEDGER_TOOLS_AUDIT_AUDIT_H_

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "tools/wallet/secret.h"

namespace pledger::tools::audit {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitDenied = 5;

struct AuditIo {
  std::ostream* out = nullptr;  // results (tables, JSON, CSV)
  std::ostream* err = nullptr;  // errors, warnings and progress
  // Where a key's passphrase comes from (--passphrase-env, the prompt);
  // unset: no environment and no terminal (the program sets both).
  std::function<std::optional<std::string>(const std::string& name)> getenv = nullptr;
  std::function<Result<wallet::Secret>(const std::string& prompt)> prompt = nullptr;
};

int RunAudit(const std::vector<std::string>& args, AuditIo& io);

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_AUDIT_H_
