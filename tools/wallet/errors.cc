#include "tools/wallet/errors.h"

#include <cctype>
#include <string_view>

#include "ledger/io/json.h"
#include "tools/wallet/cli.h"

namespace pledger::tools::wallet {
namespace {

// "--name..." at `at` in `m`: the flag's name (letters, digits, '-').
std::string FlagAt(std::string_view m, size_t at) {
  if (at == std::string_view::npos || m.substr(at, 2) != "--") return "";
  size_t end = at + 2;
  while (end < m.size() && (std::isalnum(static_cast<unsigned char>(m[end])) || m[end] == '-')) ++end;
  return std::string(m.substr(at + 2, end - at - 2));
}

bool StartsWith(std::string_view m, std::string_view p) { return m.substr(0, p.size()) == p; }

// The specific code of a usage error, from the shapes its message takes
// (tools/common/args.cc, units.cc FlagError, the command table's checks).
// Every shape here is one the parsers build; a test pins each.
void RefineUsage(std::string_view m, WalletError* e) {
  auto set = [&](const char* code, std::string flag) {
    e->set_code(code);
    e->set_flag(std::move(flag));
  };
  if (StartsWith(m, "unknown flag ")) return set("FLAG_UNKNOWN", FlagAt(m, m.find("--")));
  if (StartsWith(m, "missing required flag ")) return set("FLAG_MISSING", FlagAt(m, m.find("--")));
  if (StartsWith(m, "flag --")) return set("FLAG_INVALID", FlagAt(m, 5));
  if (StartsWith(m, "give ") && m.find("not both") != std::string_view::npos) {
    return set("FLAG_CONFLICT", FlagAt(m, m.find("--")));
  }
  if (StartsWith(m, "--")) {
    std::string flag = FlagAt(m, 0);
    if (!flag.empty()) return set("FLAG_INVALID", flag);
  }
  if (StartsWith(m, "unknown command ")) return set("COMMAND_UNKNOWN", "");
  if (StartsWith(m, "unexpected argument ")) return set("ARGUMENT_UNEXPECTED", "");
  if (StartsWith(m, "give the ")) return set("ARGUMENT_MISSING", "");
}

}  // namespace

WalletError ErrorOf(const Status& s) {
  WalletError e;
  e.set_code(std::string(s.reason()));
  e.set_message(std::string(s.message()));
  e.set_exit_code(ExitCodeFor(s));
  if (s.reason() == "USAGE") RefineUsage(s.message(), &e);
  return e;
}

void PrintJsonError(std::ostream& out, const WalletError& e) {
  WalletErrorView v;
  *v.mutable_error() = e;
  out << io::ToJson(v) << "\n";
}

}  // namespace pledger::tools::wallet
