// Driver for the fuzz targets when built without libFuzzer (the default,
// g++): feeds each target a few thousand inputs mutated from its seed inputs
// (bit flips, truncations, insertions, splices), from one printed seed, so
// the targets run in every CI build as ordinary tests. With clang and
// -DPLEDGER_FUZZ=ON the same targets link against libFuzzer instead
// (build/bin/fuzz-<name>) for long coverage-guided runs.
//
//   fuzz-<name>-replay [iterations]        PLEDGER_SEED=N replays one run
//   fuzz-<name>-replay --seeds DIR         writes the seed inputs to DIR (a
//                                          starting corpus for libFuzzer)
//   fuzz-<name>-replay --corpus DIR        runs every file of DIR once: the
//                                          corpus kept from the long libFuzzer
//                                          runs (tests/fuzz/corpus/<name>) is a
//                                          regression suite in every build
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "node/log.h"
#include "tests/fuzz/fuzz.h"
#include "tests/support/test_util.h"

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--seeds") {
    std::vector<std::string> seeds = pledger::fuzz::SeedInputs();
    for (size_t i = 0; i < seeds.size(); ++i) {
      const std::string path = std::string(argv[2]) + "/seed-" + std::to_string(i);
      std::FILE* f = std::fopen(path.c_str(), "wb");
      if (f == nullptr || std::fwrite(seeds[i].data(), 1, seeds[i].size(), f) != seeds[i].size()) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return 1;
      }
      std::fclose(f);
    }
    std::printf("%s: %zu seed inputs written to %s\n", pledger::fuzz::kTargetName, seeds.size(), argv[2]);
    return 0;
  }
  if (argc == 3 && std::string(argv[1]) == "--corpus") {
    pledger::node::InstallProtobufLogHandler();
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(argv[2], ec)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    if (ec || files.empty()) {
      std::fprintf(stderr, "%s: no corpus files in %s\n", pledger::fuzz::kTargetName, argv[2]);
      return 1;
    }
    std::sort(files.begin(), files.end());  // the same order every run
    for (const auto& path : files) {
      std::ifstream in(path, std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      pledger::fuzz::FuzzOne(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    }
    std::printf("%s: %zu corpus inputs from %s, no crash\n", pledger::fuzz::kTargetName, files.size(), argv[2]);
    return 0;
  }
  long iterations = argc > 1 ? std::atol(argv[1]) : 3000;
  pledger::node::InstallProtobufLogHandler();  // as in pledgerd: no log spam from bad input
  std::uint64_t seed = pledger::test::TestSeed(pledger::fuzz::kTargetName);
  std::mt19937_64 rng(seed);
  std::vector<std::string> seeds = pledger::fuzz::SeedInputs();
  seeds.push_back("");
  for (long i = 0; i < iterations; ++i) {
    std::string in = seeds[rng() % seeds.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      switch (rng() % 6) {
        case 0:  // flip a bit
          if (!in.empty()) in[rng() % in.size()] ^= static_cast<char>(1u << (rng() % 8));
          break;
        case 1:  // truncate
          if (!in.empty()) in.resize(rng() % in.size());
          break;
        case 2:  // insert random bytes
          in.insert(in.begin() + static_cast<long>(in.empty() ? 0 : rng() % in.size()),
                    static_cast<size_t>(1 + rng() % 8), static_cast<char>(rng()));
          break;
        case 3:  // overwrite a byte with an interesting value
          if (!in.empty()) {
            const char interesting[] = {0, 1, 0x7f, static_cast<char>(0x80), static_cast<char>(0xff)};
            in[rng() % in.size()] = interesting[rng() % sizeof(interesting)];
          }
          break;
        case 4: {  // splice with another seed
          const std::string& other = seeds[rng() % seeds.size()];
          if (!other.empty()) in += other.substr(rng() % other.size());
          break;
        }
        default:  // duplicate a chunk
          if (!in.empty()) {
            size_t a = rng() % in.size();
            in += in.substr(a, rng() % (in.size() - a + 1));
          }
      }
      if (in.size() > (1u << 16)) in.resize(1u << 16);
    }
    pledger::fuzz::FuzzOne(reinterpret_cast<const std::uint8_t*>(in.data()), in.size());
  }
  std::printf("%s: %ld inputs, no crash\n", pledger::fuzz::kTargetName, iterations);
  return 0;
}
