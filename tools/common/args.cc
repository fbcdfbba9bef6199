#include "tools/common/args.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace pledger::tools {
namespace {

// Levenshtein distance, for "did you mean" hints on mistyped flags.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    prev.swap(cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string ClosestFlag(const std::string& name, const std::vector<FlagSpec>& flags) {
  std::string best;
  size_t best_distance = 3;  // at most two edits away, or no suggestion
  for (const auto& f : flags) {
    size_t d = Distance(name, f.name);
    if (d < best_distance) {
      best_distance = d;
      best = f.name;
    }
  }
  return best;
}

Status UsageError(const std::string& message) { return Status::InvalidArgument("USAGE", message); }

Result<Args> Args::Parse(int argc, char** argv, int first, const std::vector<FlagSpec>& flags) {
  std::vector<std::string> words;
  for (int i = first; i < argc; ++i) words.emplace_back(argv[i]);
  return Parse(words, flags);
}

Result<Args> Args::Parse(const std::vector<std::string>& words, const std::vector<FlagSpec>& flags) {
  std::map<std::string, const FlagSpec*> by_name;
  for (const auto& f : flags) by_name[f.name] = &f;
  Args out;
  bool only_positional = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (only_positional || w.size() < 3 || w.substr(0, 2) != "--") {
      if (w == "--") {
        only_positional = true;
        continue;
      }
      out.positional_.push_back(w);
      continue;
    }
    std::string name = w.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      std::string close = ClosestFlag(name, flags);
      return UsageError("unknown flag --" + name +
                        (close.empty() ? " (see --help)" : " (did you mean --" + close + "?)"));
    }
    const FlagSpec& spec = *it->second;
    if (!spec.takes_value) {
      if (value) return UsageError("flag --" + name + " takes no value");
      value = "true";
    } else if (!value) {
      if (i + 1 >= words.size()) return UsageError("flag --" + name + " needs a value");
      // `--out --json` is a forgotten value, not a file called "--json".
      const std::string& next = words[i + 1];
      if (next.size() > 2 && next.substr(0, 2) == "--" &&
          by_name.count(next.substr(2, next.find('=') == std::string::npos ? std::string::npos : next.find('=') - 2))) {
        return UsageError("flag --" + name + " needs a value (found the flag " + next + " instead)");
      }
      value = words[++i];
    }
    auto& slot = out.values_[name];
    if (!slot.empty() && !spec.repeated) return UsageError("flag --" + name + " given twice");
    slot.push_back(*value);
  }
  return out;
}

std::optional<std::string> Args::Get(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

std::vector<std::string> Args::GetAll(const std::string& flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Result<std::string> Args::Require(const std::string& flag) const {
  auto v = Get(flag);
  if (!v || v->empty()) return UsageError("missing required flag --" + flag);
  return *v;
}

Result<std::int64_t> Args::GetInt(const std::string& flag, std::int64_t def, std::int64_t min,
                                  std::int64_t max) const {
  auto v = Get(flag);
  if (!v) return def;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno != 0 || n < min || n > max) {
    return UsageError("flag --" + flag + " must be an integer from " + std::to_string(min) +
                      " to " + std::to_string(max) + ", got '" + *v + "'");
  }
  return static_cast<std::int64_t>(n);
}

}  // namespace pledger::tools
