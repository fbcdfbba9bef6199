// pledger-audit: the program. Everything happens in the library
// (tools/audit/audit.h, docs/audit.md).
#include <google/protobuf/stubs/logging.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "tools/audit/audit.h"

int main(int argc, char** argv) {
  // Hostile input makes protobuf log parse complaints (invalid UTF-8 in a
  // string field of a bundle...); every failure is reported by the check
  // itself, with its reason, so these lines would only confuse.
  google::protobuf::SetLogHandler(nullptr);
  std::vector<std::string> args(argv + 1, argv + argc);
  pledger::tools::audit::AuditIo io{&std::cout, &std::cerr, {}, {}};
  io.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
  };
  io.prompt = pledger::tools::wallet::PromptOnTty;
  return pledger::tools::audit::RunAudit(args, io);
}
