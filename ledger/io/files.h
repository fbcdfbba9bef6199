// Small, careful file helpers shared by pledgerd and the tools.
//
// WriteFileAtomic never leaves a half-written file: it writes a temporary file
// in the same directory, fsyncs it, renames it over the target and fsyncs the
// directory. Files holding keys are created with mode 0600 from the start
// (never chmod-ed after the secret is in them).
//
// Errors (reasons): FILE_NOT_FOUND, FILE_TOO_LARGE, FILE_IO, FILE_EXISTS.
// Thread-safe (no shared state).
#ifndef PLEDGER_LEDGER_IO_FILES_H_
#define PLEDGER_LEDGER_IO_FILES_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "consensus/status.h"

namespace pledger::io {

inline constexpr size_t kMaxConfigFileBytes = 16 << 20;

// Reads a whole file, refusing files over max_bytes.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = kMaxConfigFileBytes);

// Atomically replaces (or creates) `path` with `data`, created with `mode`.
// With exclusive, fails with FILE_EXISTS if the target exists.
Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode = 0644,
                       bool exclusive = false);

// mkdir -p with the given mode for directories it creates.
Status MakeDirs(const std::string& path, unsigned mode = 0755);

bool FileExists(const std::string& path);

// rename(2) then fsync of the target's directory, so the move survives a
// crash. Reason: FILE_IO.
Status RenameFile(const std::string& from, const std::string& to);

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_FILES_H_
