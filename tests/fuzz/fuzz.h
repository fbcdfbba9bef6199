// One fuzz target per file: FuzzOne must accept any bytes without crashing,
// hanging or leaking (ASan/UBSan check the rest). SeedInputs gives valid
// examples to mutate.
#ifndef PLEDGER_TESTS_FUZZ_FUZZ_H_
#define PLEDGER_TESTS_FUZZ_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pledger::fuzz {

extern const char kTargetName[];
int FuzzOne(const std::uint8_t* data, std::size_t size);
std::vector<std::string> SeedInputs();

}  // namespace pledger::fuzz

#ifdef PLEDGER_LIBFUZZER
#include <google/protobuf/stubs/logging.h>

// Protobuf logs every invalid UTF-8 string it parses; at millions of inputs
// that is most of the fuzzer's time, so its log is off (pledgerd sends it to
// its own log at debug level).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return pledger::fuzz::FuzzOne(data, size);
}
#endif

#endif  // PLEDGER_TESTS_FUZZ_FUZZ_H_
