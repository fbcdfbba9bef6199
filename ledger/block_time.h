// Ledger time: how a block's time follows from the clock readings it carries.
//
// The block's time decides the ledger's date (fee grace, valuation validity,
// due dates, enforcement, pool payment dates), so no single clock may set
// it. Every voting validator signs readings of its own clock
// (ledger/clock_reading.h); the leader carries the latest ones in the block,
// and the header's time_ms must equal LedgerTime over them. Every node's
// applier and pledger-audit's replay evaluate this same function on the same
// inputs (the block's bytes, the previous block's time and the voters in the
// state after the previous block), so they agree on which blocks are valid.
//
// The rule, for block `height` with V voters in the state after height - 1,
// q = V/2 + 1 (a majority) and f = V - q (the most faulty clocks tolerated):
//   - every carried reading must decode strictly (else the block is invalid);
//     readings are sorted by validator_id with no validator twice, and at most
//     kMaxClockReadingsPerBlock (else invalid);
//   - a reading counts if its validator is a voter of that set, its signature
//     verifies with the voter's key, and
//     height - kClockReadingMaxAge <= after_height <= height - 1;
//     others are ignored;
//   - fewer than q counted readings: the block is invalid;
//   - otherwise time = max(prev_time_ms + 1, the (f+1)-th largest counted
//     clock_ms). For three voters that is the lower median of the counted
//     readings (the median of three, the lower of two).
// At least one of the f+1 largest counted readings comes from an honest
// clock, so up to f faulty clocks can never move the date ahead of every
// honest clock; when all voters' readings are counted (2f+1 of them) the
// value also lies at or above an honest clock. With fewer, a slow clock can
// only hold the date back, never forward: the rule prefers a date that lags
// to one that jumps (early enforcement or lapsed valuations cannot be undone).
//
// Pure functions, thread-safe.
#ifndef PLEDGER_LEDGER_BLOCK_TIME_H_
#define PLEDGER_LEDGER_BLOCK_TIME_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "ledger/crypto.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/verified_signatures.h"

namespace pledger::ledger {

// How many blocks old a reading may be: after_height >= height - 8. Under
// load a follower is a block or two behind the leader, and the leader keeps
// kPipelineDepth (2) blocks in flight, so a reading sent after a follower's
// latest block is usually 1-4 heights behind the block that carries it; 8
// leaves room for a slow follower without letting a leader reuse readings
// from long ago. (A stale reading can only pull the date back, and the
// monotonic floor keeps time increasing, so the bound is about freshness,
// not safety.)
inline constexpr std::uint64_t kClockReadingMaxAge = 8;

// The most readings one block may carry: one per validator, and more
// validators than this is far beyond any consortium's size.
inline constexpr size_t kMaxClockReadingsPerBlock = 256;

// Voting validators as of the state after block height - 1: node id -> key.
using VoterKeys = std::map<std::string, PublicKey>;

// What the readings said, for status and metrics.
struct ClockTally {
  // Counted readings: (validator id, clock_ms), in validator id order.
  std::vector<std::pair<std::string, std::uint64_t>> counted;
  std::uint64_t voters = 0;
};

// The time block `height` must carry, given the exact reading bytes it
// carries (in order). Reasons: CLOCK_READING_MALFORMED,
// CLOCK_READINGS_UNSORTED (also a validator twice), CLOCK_READINGS_TOO_MANY,
// CLOCK_READINGS_NO_MAJORITY, BLOCK_TIME_OVERFLOW. `memo` (optional) skips
// signatures this process has verified before; the answer is the same.
Result<std::uint64_t> LedgerTime(const std::string& chain_id, std::uint64_t height, std::uint64_t prev_time_ms,
                                 const VoterKeys& voters, const std::vector<std::string_view>& readings,
                                 ClockTally* tally = nullptr, VerifiedSignatures* memo = nullptr);

// LedgerTime over the block's readings, compared with its header's time_ms.
// `prev_time_ms` is block height-1's time (the genesis file's
// genesis_time_ms for height 1). Reason: BLOCK_TIME_INVALID, the message
// saying why (a reason of LedgerTime above, or the two times).
Status CheckBlockTime(const std::string& chain_id, const BlockHeader& header, const Block& block,
                      std::uint64_t prev_time_ms, const VoterKeys& voters, ClockTally* tally = nullptr,
                      VerifiedSignatures* memo = nullptr);

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_BLOCK_TIME_H_
