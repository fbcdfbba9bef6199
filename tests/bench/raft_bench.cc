// pledger-raft-bench: throughput of the Raft core, printed (a program, not a
// timed test; docs/performance.md "Consensus" records the figures).
//
//  1. Committed entries per second through a 3-node in-memory cluster:
//     200-byte entries, proposals batched on the leader, every node persisting
//     to MemoryLogStorage, applying, and compacting now and then. One thread
//     runs all three nodes, so the figure is for one core doing the work of
//     the whole cluster (a real node does a third of it).
//  2. Simulator steps per second (tests/sim), the cost of one simulated
//     delivery or tick including the invariant checks.
//
//   pledger-raft-bench [--entries N] [--batch B] [--bytes S] [--seeds K]
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "consensus/random.h"
#include "consensus/raw_node.h"
#include "consensus/storage.h"
#include "tests/sim/sim.h"

namespace {

using namespace pledger::consensus;  // NOLINT: a benchmark over one namespace

struct BenchNode {
  std::unique_ptr<MemoryLogStorage> storage;
  std::unique_ptr<SeededRandom> random;
  std::unique_ptr<RawNode> node;
  std::uint64_t applied = 0;
  std::uint64_t applied_bytes = 0;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// CPU time of this thread: the figure that does not depend on what else the
// (shared) machine is doing.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int ClusterBench(std::uint64_t entries, std::uint64_t batch, std::size_t bytes) {
  constexpr std::uint64_t kCompactEvery = 100000;
  std::vector<BenchNode> nodes(3);
  std::vector<std::uint64_t> ids = {1, 2, 3};
  for (std::uint64_t i = 0; i < 3; ++i) {
    BenchNode& n = nodes[i];
    n.storage = std::make_unique<MemoryLogStorage>();
    n.random = std::make_unique<SeededRandom>(i + 1);
    if (!Bootstrap(n.storage.get(), ids).ok()) return 1;
    Config c;
    c.id = i + 1;
    c.storage = n.storage.get();
    c.random = n.random.get();
    c.max_size_per_msg = 1 << 20;
    c.max_inflight_msgs = 256;
    c.max_uncommitted_bytes = 0;
    c.max_committed_size_per_ready = 16 << 20;
    auto node = RawNode::Create(c);
    if (!node.ok()) {
      std::fprintf(stderr, "%s\n", node.status().ToString().c_str());
      return 1;
    }
    n.node = std::move(node).value();
  }
  std::deque<Message> net;
  auto handle = [&](BenchNode& n) {
    while (n.node->HasReady()) {
      Ready rd = n.node->GetReady();
      for (Message& m : rd.messages) net.push_back(std::move(m));
      (void)WriteReady(n.storage.get(), rd, false);
      for (const Entry& e : rd.committed_entries) {
        n.applied = e.index;
        n.applied_bytes += e.data.size();
      }
      n.node->Advance(rd);
      for (Message& m : rd.persisted_messages) {
        if (m.to == n.node->id()) {
          (void)n.node->Step(std::move(m));
        } else {
          net.push_back(std::move(m));
        }
      }
      if (n.applied >= n.storage->FirstIndex() + kCompactEvery) {
        const std::uint64_t at = n.applied;
        (void)n.storage->CreateSnapshot(at, *n.node->ConfStateAt(at), Payload("state"));
        (void)n.storage->Compact(at);
      }
    }
  };
  auto pump = [&]() {
    for (BenchNode& n : nodes) handle(n);
    while (!net.empty()) {
      Message m = std::move(net.front());
      net.pop_front();
      BenchNode& to = nodes[m.to - 1];
      (void)to.node->Step(std::move(m));
      handle(to);
    }
  };
  (void)nodes[0].node->Campaign();
  pump();
  if (nodes[0].node->role() != Role::kLeader) return 1;
  const std::uint64_t start_index = nodes[0].node->last_index();
  const std::uint64_t target = start_index + entries;
  const std::string payload(bytes, 'b');
  auto all_applied = [&]() {
    for (const BenchNode& n : nodes) {
      if (n.applied < target) return false;
    }
    return true;
  };
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = ThreadCpuSeconds();
  std::uint64_t proposed = 0;
  while (!all_applied()) {
    // Keep a few batches in flight: propose while the pipeline is short.
    RawNode& leader = *nodes[0].node;
    if (proposed < entries && leader.last_index() - leader.commit_index() < 4 * batch) {
      for (std::uint64_t k = 0; k < batch && proposed < entries; ++k, ++proposed) {
        (void)leader.Propose(payload);
      }
    }
    pump();
  }
  const double secs = Seconds(t0);
  const double cpu = ThreadCpuSeconds() - cpu0;
  std::printf("cluster: 3 nodes in one thread, %" PRIu64 " entries of %zu bytes, batch %" PRIu64
              ": %.0f entries/s per CPU-second (%.3f s CPU), %.0f entries/s wall (%.3f s); "
              "committed and applied on all nodes\n",
              entries, bytes, batch, static_cast<double>(entries) / cpu, cpu,
              static_cast<double>(entries) / secs, secs);
  return 0;
}

int SimBench(int seeds) {
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = ThreadCpuSeconds();
  std::uint64_t steps = 0, ticks = 0;
  for (int s = 1; s <= seeds; ++s) {
    pledger::sim::SimOptions opt;
    opt.seed = static_cast<std::uint64_t>(s);
    opt.ticks = 5000;
    pledger::sim::SimResult r = pledger::sim::RunSimulation(opt);
    if (!r.ok) {
      std::fprintf(stderr, "simulation failed: %s\n", r.violation.c_str());
      return 1;
    }
    steps += r.steps;
    ticks += r.ticks;
  }
  const double secs = Seconds(t0);
  const double cpu = ThreadCpuSeconds() - cpu0;
  std::printf("simulator: %d seeds x 5000 ticks, %" PRIu64 " steps: %.0f steps per CPU-second, "
              "%.0f simulated ticks per CPU-second, %.1f CPU-ms per seed (%.2f s CPU, %.2f s "
              "wall)\n",
              seeds, steps, static_cast<double>(steps) / cpu, static_cast<double>(ticks) / cpu,
              1000.0 * cpu / seeds, cpu, secs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t entries = 2000000, batch = 1024;
  std::size_t bytes = 200;
  int seeds = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--entries")) entries = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--batch")) batch = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--bytes")) bytes = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--seeds")) seeds = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: pledger-raft-bench [--entries N] [--batch B] [--bytes S] [--seeds K]\n");
      return 2;
    }
  }
  if (int rc = ClusterBench(entries, batch, bytes); rc != 0) return rc;
  return SimBench(seeds);
}
