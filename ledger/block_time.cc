#include "ledger/block_time.h"

#include <algorithm>
#include <functional>
#include <limits>

#include "ledger/clock_reading.h"

namespace pledger::ledger {

Result<std::uint64_t> LedgerTime(const std::string& chain_id, std::uint64_t height, std::uint64_t prev_time_ms,
                                 const VoterKeys& voters, const std::vector<std::string_view>& readings,
                                 ClockTally* tally, VerifiedSignatures* memo) {
  if (readings.size() > kMaxClockReadingsPerBlock) {
    return Status::InvalidArgument("CLOCK_READINGS_TOO_MANY",
                                   std::to_string(readings.size()) + " clock readings, at most " +
                                       std::to_string(kMaxClockReadingsPerBlock));
  }
  if (prev_time_ms == std::numeric_limits<std::uint64_t>::max()) {
    return Status::InvalidArgument("BLOCK_TIME_OVERFLOW", "the previous block's time is the largest possible");
  }
  const std::uint64_t oldest = height > kClockReadingMaxAge ? height - kClockReadingMaxAge : 0;
  std::vector<std::uint64_t> counted;
  std::vector<std::pair<std::string, std::uint64_t>> who;
  std::string last_id;
  for (size_t i = 0; i < readings.size(); ++i) {
    auto r = DecodeClockReading(readings[i]);
    if (!r.ok()) return r.status().WithContext("clock reading " + std::to_string(i));
    if (i > 0 && r->validator_id() <= last_id) {
      return Status::InvalidArgument("CLOCK_READINGS_UNSORTED",
                                     "clock reading " + std::to_string(i) + " (" + r->validator_id() +
                                         ") is not after " + last_id + ": readings are sorted by validator id, "
                                         "one per validator");
    }
    last_id = r->validator_id();
    auto v = voters.find(r->validator_id());
    if (v == voters.end()) continue;  // not a voter (a learner, or unknown): ignored
    if (r->after_height() < oldest || r->after_height() + 1 > height) continue;  // stale or from the future
    if (!VerifyClockReading(chain_id, *r, v->second, memo).ok()) continue;
    counted.push_back(r->clock_ms());
    who.emplace_back(r->validator_id(), r->clock_ms());
  }
  const size_t n_voters = voters.size();
  const size_t quorum = n_voters / 2 + 1;
  const size_t faulty = n_voters - quorum;
  if (tally != nullptr) {
    tally->counted = who;
    tally->voters = n_voters;
  }
  if (counted.size() < quorum) {
    return Status::InvalidArgument("CLOCK_READINGS_NO_MAJORITY",
                                   std::to_string(counted.size()) + " valid clock readings from the " +
                                       std::to_string(n_voters) + " voters, " + std::to_string(quorum) +
                                       " needed");
  }
  // The (f+1)-th largest: nth_element in descending order.
  std::nth_element(counted.begin(), counted.begin() + static_cast<std::ptrdiff_t>(faulty), counted.end(),
                   std::greater<std::uint64_t>());
  return std::max(prev_time_ms + 1, counted[faulty]);
}

Status CheckBlockTime(const std::string& chain_id, const BlockHeader& header, const Block& block,
                      std::uint64_t prev_time_ms, const VoterKeys& voters, ClockTally* tally,
                      VerifiedSignatures* memo) {
  std::vector<std::string_view> readings(block.clock_readings().begin(), block.clock_readings().end());
  auto t = LedgerTime(chain_id, header.height(), prev_time_ms, voters, readings, tally, memo);
  if (!t.ok()) {
    return Status::Corruption("BLOCK_TIME_INVALID", "block " + std::to_string(header.height()) + ": " +
                                                        std::string(t.status().reason()) + ": " +
                                                        std::string(t.status().message()));
  }
  if (*t != header.time_ms()) {
    return Status::Corruption("BLOCK_TIME_INVALID",
                              "block " + std::to_string(header.height()) + " says time " +
                                  std::to_string(header.time_ms()) + " ms, its clock readings give " +
                                  std::to_string(*t) + " ms");
  }
  return Status::OK();
}

}  // namespace pledger::ledger
