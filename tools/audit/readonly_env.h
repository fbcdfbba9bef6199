// A LevelDB Env that never changes the directory it reads: opening a node's
// data directory for an audit must not alter the evidence.
//
// Why an Env and not a flag: LevelDB has no read-only mode. Opening a
// database replays its write-ahead log into a new table file, writes a new
// MANIFEST, renames CURRENT, deletes obsolete files and may compact in the
// background. This Env lets all of that happen in memory: files LevelDB
// creates live in an in-process overlay, files it deletes are only hidden,
// and reads fall through to the disk for everything else. The directory's
// bytes are the same afterwards (tests/unit/tools/audit_verify_test.cc and
// tests/integration/audit_test.cc check).
//
// Live nodes: LockFile takes a shared fcntl read lock on LOCK, opened
// read-only. pledgerd holds the exclusive LevelDB lock while it runs, so the
// read lock is refused and opening fails with an IOError whose message
// contains "lock" (DirSource reports it as DB_LOCKED). The shared lock is also
// what lets two audits read one stopped directory at once.
//
// Memory: the overlay holds what LevelDB writes: the recovered log (at most a
// few write buffers) and any compaction output. Reads of a large database can
// trigger LevelDB's seek compactions, so the overlay can grow with the files
// they rewrite; it is freed when the database is closed.
//
// Thread safety: safe for LevelDB's concurrent use (one mutex over the
// overlay). Ownership: the Env must outlive every DB opened with it; `target`
// (usually Env::Default()) is not owned.
#ifndef PLEDGER_TOOLS_AUDIT_READONLY_ENV_H_
#define PLEDGER_TOOLS_AUDIT_READONLY_ENV_H_

#include <leveldb/env.h>

#include <memory>

namespace pledger::tools::audit {

// A new read-only overlay over `target`.
std::unique_ptr<leveldb::Env> NewReadOnlyEnv(leveldb::Env* target);

// A Logger that drops everything (so LevelDB does not rotate LOG files).
std::unique_ptr<leveldb::Logger> NewNullLogger();

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_READONLY_ENV_H_
