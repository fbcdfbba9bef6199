// pledger-sim: runs the deterministic cluster simulator over one or many
// seeds (tests/sim/sim.h). Exits 0 when every seed passes; on the first
// violation prints the seed, the violated invariant, the last events and the
// command that replays it, and exits 1.
//
//   pledger-sim --seed 42                 one seed (replay a failure)
//   pledger-sim --seed 1 --seeds 1000     seeds 1..1000
//   pledger-sim --seeds 1000000 --jobs 2  a long run (docs/consensus.md)
//   options: --nodes 3|5|7  --ticks N  --faults F  --trace N  --verbose
//            --bug commit-old-term|forget-vote|vote-ignores-log|ack-before-persist
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "consensus/config.h"
#include "tests/sim/sim.h"

namespace {

void Usage() {
  std::fprintf(stderr,
               "usage: pledger-sim [--seed S] [--seeds N] [--nodes 3|5|7] [--ticks T]\n"
               "                   [--faults F] [--jobs J] [--trace N] [--verbose] [--quiet]\n"
               "                   [--bug commit-old-term|forget-vote|vote-ignores-log|"
               "ack-before-persist]\n");
}

bool ParseBug(const char* name, std::uint32_t* bugs) {
  using pledger::consensus::InjectedBug;
  struct {
    const char* name;
    InjectedBug bug;
  } table[] = {{"commit-old-term", InjectedBug::kCommitOldTermByCount},
               {"forget-vote", InjectedBug::kForgetVote},
               {"vote-ignores-log", InjectedBug::kVoteIgnoresLog},
               {"ack-before-persist", InjectedBug::kAckBeforePersist}};
  for (const auto& t : table) {
    if (std::strcmp(t.name, name) == 0) {
      *bugs |= static_cast<std::uint32_t>(t.bug);
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  pledger::sim::SimOptions base;
  std::uint64_t first_seed = 1;
  std::uint64_t seeds = 1;
  int jobs = 1;
  bool quiet = false;
  std::string bug_names;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        Usage();
        std::exit(2);
      }
      return argv[++i];
    };
    const char* a = argv[i];
    if (!std::strcmp(a, "--seed")) {
      first_seed = std::strtoull(next(), nullptr, 10);
    } else if (!std::strcmp(a, "--seeds")) {
      seeds = std::strtoull(next(), nullptr, 10);
    } else if (!std::strcmp(a, "--nodes")) {
      base.nodes = std::atoi(next());
    } else if (!std::strcmp(a, "--ticks")) {
      base.ticks = std::atoi(next());
    } else if (!std::strcmp(a, "--faults")) {
      base.faults = std::atof(next());
    } else if (!std::strcmp(a, "--jobs")) {
      jobs = std::max(1, std::atoi(next()));
    } else if (!std::strcmp(a, "--trace")) {
      base.trace_events = std::atoi(next());
    } else if (!std::strcmp(a, "--verbose")) {
      base.verbose = true;
    } else if (!std::strcmp(a, "--quiet")) {
      quiet = true;
    } else if (!std::strcmp(a, "--bug")) {
      const char* b = next();
      if (!ParseBug(b, &base.bugs)) {
        Usage();
        return 2;
      }
      bug_names += std::string(" --bug ") + b;
    } else {
      Usage();
      return 2;
    }
  }
  if (base.nodes != 0 && base.nodes != 3 && base.nodes != 5 && base.nodes != 7) {
    Usage();
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> next_seed{first_seed};
  std::atomic<bool> failed{false};
  std::atomic<std::uint64_t> done{0}, steps{0}, max_liveness{0};
  std::mutex mu;
  auto worker = [&]() {
    for (;;) {
      if (failed.load()) return;
      const std::uint64_t seed = next_seed.fetch_add(1);
      if (seed >= first_seed + seeds) return;
      pledger::sim::SimOptions opt = base;
      opt.seed = seed;
      pledger::sim::SimResult r = pledger::sim::RunSimulation(opt);
      steps += r.steps;
      std::uint64_t used = static_cast<std::uint64_t>(r.liveness_ticks_used);
      std::uint64_t prev = max_liveness.load();
      while (used > prev && !max_liveness.compare_exchange_weak(prev, used)) {
      }
      std::lock_guard<std::mutex> lock(mu);
      if (!r.ok) {
        if (failed.exchange(true)) return;  // report only the first
        std::printf("FAILED seed %" PRIu64 "\n  %s\n  %s\nlast events:\n%s", seed,
                    r.violation.c_str(), r.summary.c_str(), r.trace.c_str());
        std::printf("replay: pledger-sim --seed %" PRIu64 " --ticks %d%s%s%s --verbose\n", seed,
                    base.ticks, base.nodes ? (" --nodes " + std::to_string(base.nodes)).c_str() : "",
                    base.faults >= 0 ? (" --faults " + std::to_string(base.faults)).c_str() : "",
                    bug_names.c_str());
        std::fflush(stdout);
        return;
      }
      ++done;
      if (!quiet && (seeds == 1 || base.verbose)) std::printf("ok %s\n", r.summary.c_str());
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed.load()) return 1;
  std::printf("pledger-sim: %" PRIu64 " seeds from %" PRIu64 " passed (%d ticks each); %" PRIu64
              " steps in %.1f s (%.0f steps/s); slowest liveness %" PRIu64 " ticks\n",
              done.load(), first_seed, base.ticks, steps.load(), secs,
              static_cast<double>(steps.load()) / secs, max_liveness.load());
  return 0;
}
