// Test-only access to Config's injected-bug switch (consensus/config.h).
// Defined here, under tests/, and nowhere else: production code has no way
// to set the private field.
#ifndef PLEDGER_TESTS_SIM_BUG_INJECTOR_H_
#define PLEDGER_TESTS_SIM_BUG_INJECTOR_H_

#include <cstdint>

#include "consensus/config.h"

namespace pledger::consensus::test {

struct BugInjector {
  static void Inject(Config* config, std::uint32_t bugs) { config->injected_bugs_ = bugs; }
};

}  // namespace pledger::consensus::test

#endif  // PLEDGER_TESTS_SIM_BUG_INJECTOR_H_
