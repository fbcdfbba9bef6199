// Command-line parsing shared by the pledger-* tools.
//
// Grammar: positional words and `--name value` / `--name=value` flags, plus
// boolean flags (`--json`). Each command declares the flags it takes; an
// unknown flag (with a "did you mean" hint when a declared flag is close), a
// missing value (including `--out --json`, where the next word is itself a
// declared flag) or a repeated single flag is a usage error that names the
// flag (reason USAGE), never a silent default. `--` ends the flags.
//
// Not thread-safe (a value used by one command invocation).
#ifndef PLEDGER_TOOLS_COMMON_ARGS_H_
#define PLEDGER_TOOLS_COMMON_ARGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/status.h"

namespace pledger::tools {

struct FlagSpec {
  FlagSpec(const char* n, bool value = true, bool many = false)  // NOLINT: brace lists read well
      : name(n), takes_value(value), repeated(many) {}
  std::string name;  // without dashes
  bool takes_value;  // false: a boolean switch
  bool repeated;     // may be given more than once
};

class Args {
 public:
  // Parses argv[first..] against `flags`.
  static Result<Args> Parse(int argc, char** argv, int first, const std::vector<FlagSpec>& flags);
  static Result<Args> Parse(const std::vector<std::string>& words, const std::vector<FlagSpec>& flags);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& flag) const { return values_.count(flag) > 0; }
  std::optional<std::string> Get(const std::string& flag) const;
  std::vector<std::string> GetAll(const std::string& flag) const;
  // The value or a USAGE error naming the flag.
  Result<std::string> Require(const std::string& flag) const;
  // Integer flags with range checks. Reason USAGE.
  Result<std::int64_t> GetInt(const std::string& flag, std::int64_t def, std::int64_t min,
                              std::int64_t max) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> values_;
};

// "Usage error: ..." status.
Status UsageError(const std::string& message);

// The flag name in `flags` closest to a mistyped `name` (at most two edits
// away), or "" if none is close: for "did you mean --x?" hints.
std::string ClosestFlag(const std::string& name, const std::vector<FlagSpec>& flags);

}  // namespace pledger::tools

#endif  // PLEDGER_TOOLS_COMMON_ARGS_H_
