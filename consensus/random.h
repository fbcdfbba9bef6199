// Random: the one source of randomness of the Raft core (election jitter).
//
// The core never touches a global generator or the clock: the caller injects
// a Random, so a simulation is a pure function of its seed, and a test can pin
// the jitter. SeededRandom is a small, fast, well-distributed PRNG
// (xoshiro256**, seeded through SplitMix64); it is not cryptographic and does
// not need to be.
//
// Thread safety: none; one Random per RawNode, used from its thread.
#ifndef PLEDGER_CONSENSUS_RANDOM_H_
#define PLEDGER_CONSENSUS_RANDOM_H_

#include <cstdint>

namespace pledger::consensus {

class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed 64-bit value.
  virtual std::uint64_t Next() = 0;
  // Uniform in [0, n); n > 0. Modulo of 64 random bits: the bias is below
  // n / 2^64, far under anything a test could see for the small n used here.
  std::uint64_t Uniform(std::uint64_t n) { return Next() % n; }
  // True with probability num/den.
  bool OneIn(std::uint64_t den) { return den <= 1 || Uniform(den) == 0; }
  // Uniform in [0, 1).
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
};

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);
  std::uint64_t Next() override;

 private:
  std::uint64_t s_[4];
};

// SplitMix64: a good 64-bit mixer, used to derive independent seeds.
std::uint64_t SplitMix64(std::uint64_t* state);

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_RANDOM_H_
