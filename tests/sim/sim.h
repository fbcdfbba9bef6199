// The deterministic cluster simulator (TigerBeetle's VOPR, etcd's rafttest).
//
// One seed chooses everything: cluster size (3, 5 or 7 voters), fault rates,
// and every drop, delay, duplicate, partition (symmetric and one-way), crash
// (losing whatever was not synced), restart, client proposal, membership
// change and snapshot. Invariants are checked after every step; after the
// fault phase the network heals and every crashed node restarts, and the
// cluster must elect a leader and commit every pending client request within
// a stated bound of ticks (SimResult::liveness_bound_ticks).
//
// RunSimulation is a pure function of SimOptions: a failing seed replays
// exactly, with `pledger-sim --seed S`.
//
// Thread safety: RunSimulation may run on several threads at once (no
// shared state).
#ifndef PLEDGER_TESTS_SIM_SIM_H_
#define PLEDGER_TESTS_SIM_SIM_H_

#include <cstdint>
#include <string>

namespace pledger::sim {

struct SimOptions {
  std::uint64_t seed = 1;
  // Voters at start: 3, 5 or 7; 0 picks one from the seed.
  int nodes = 0;
  // Ticks of the fault phase (the liveness phase comes after).
  int ticks = 5000;
  // Fault intensity in [0, 1]; negative picks one from the seed.
  double faults = -1;
  // Known bugs to inject (consensus::InjectedBug bit flags), for the
  // simulator's self-test.
  std::uint32_t bugs = 0;
  // Events kept for the trace printed on failure.
  int trace_events = 80;
  // Print every event as it happens (debugging one seed).
  bool verbose = false;
};

struct SimResult {
  bool ok = true;
  std::string violation;  // which invariant, and the evidence
  std::string trace;      // the last trace_events events, one per line
  std::string summary;    // the scenario the seed chose, and counts
  std::uint64_t steps = 0;
  std::uint64_t ticks = 0;
  std::uint64_t committed = 0;  // highest committed index
  std::uint64_t acked_requests = 0;
  int liveness_bound_ticks = 0;
  int liveness_ticks_used = 0;
};

SimResult RunSimulation(const SimOptions& options);

}  // namespace pledger::sim

#endif  // PLEDGER_TESTS_SIM_SIM_H_
