// The statistics index (issue 19; docs/api.md "Statistics", docs/formats.md
// "Statistics index"): per ledger date, per bank (and for all banks), what
// the accepted transactions did — registrations, repayments, closures,
// renewals by risk class, partner-bank cautions, rate and LTV buckets,
// first-time borrowers — and the stocks after each day (outstanding
// principal, active pledges, borrowers with outstanding loans); per date and
// appraiser, the valuations recorded. The /v1/stats routes answer from it with
// one range read per series, whatever the chain's length.
//
// What it is derived from: each block's ledger time (its China-time date,
// contracts::DateOfBlockTime), its transactions' decoded bodies and their
// receipts (code and events). Nothing else of the chain is read, so the index
// of a block is the same whether the node executed it (ApplyBlock, staged in
// the block's own write batch: a crash never leaves it half-written) or only
// stored it (a data directory written before the index existed, or by a
// version whose catch-up did not execute blocks): CatchUpStats then builds it
// from the stored blocks and receipts.
// The one state read is an organisation's kind, for a debtor seen for the
// first time (SME or not).
//
// It lives outside the state root (keyspace 'Y', ledger/keys.h): derived
// data, like the history indexes. 'Y' 'h' holds the height it includes;
// the index must be exactly one block behind a block it is given.
//
// Determinism: integer fen and basis points only, ordered containers, no
// clock. Amount sums saturate at the int64 limits rather than wrap.
//
// Thread safety: a StatsBuilder is used by one thread (the applier); the
// query functions read one LevelDB iterator (a consistent view) each and may
// run on any thread.
#ifndef PLEDGER_NODE_STATS_H_
#define PLEDGER_NODE_STATS_H_

#include <leveldb/write_batch.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/status.h"
#include "ledger/db.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/ledger.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/state_store.h"
#include "node/proto/stats.pb.h"

namespace pledger::node::stats {

// The keyspace's prefix byte (ledger/keys.h lists it).
inline constexpr char kPrefix = 'Y';

// Fixed buckets, by lower bound in basis points (the last has no upper
// bound). Changing them changes the index: rebuild it (docs/formats.md).
inline constexpr std::array<std::uint32_t, 8> kRateBuckets{0, 300, 350, 400, 450, 500, 600, 800};
// Bucket 0 of the LTV is "no valid valuation" (ltv_bps 0); the others start
// at their bound.
inline constexpr std::array<std::uint32_t, 8> kLtvBuckets{0, 1, 1000, 2000, 3000, 4000, 5000, 6000};
size_t RateBucket(std::uint32_t bps);
size_t LtvBucket(std::uint32_t bps);

// One transaction as the index sees it: its decoded body (null if it did not
// decode; its receipt then is a refusal) and its receipt.
struct StatsTx {
  const ledger::TxBody* body = nullptr;
  const ledger::Receipt* receipt = nullptr;
};

// Accumulates the records of consecutive blocks over the stored index, then
// stages them into a write batch. Reads the database for records it has not
// touched yet; nothing is visible to readers until the batch is written.
class StatsBuilder {
 public:
  // `db` holds the index as of height(); `state` answers organisations'
  // kinds. Both must outlive the builder.
  StatsBuilder(const ledger::Database& db, const ledger::StateReader& state);

  // Loads the indexed height. Reasons: STATS_RECORD_CORRUPT, the db's.
  Status Open();
  std::uint64_t height() const { return height_; }

  // Adds block `height` (must be height() + 1). Reasons:
  // STATS_HEIGHT_MISMATCH, STATS_RECORD_CORRUPT, the readers' errors.
  Status AddBlock(std::uint64_t height, std::uint64_t time_ms, std::span<const StatsTx> txs);

  // Puts every record changed since the last Stage, and the height, into
  // `batch`, and forgets them (they are the database's once it is written).
  void Stage(leveldb::WriteBatch* batch);
  size_t pending() const { return pending_.size(); }

 private:
  struct Block;
  Result<std::optional<std::string>> Get(const std::string& key) const;
  template <typename M>
  Status Load(const std::string& key, M* m, bool* found) const;
  template <typename M>
  void Put(const std::string& key, const M& m);

  // The day record and stock of `series` in block `b`, loaded on first use.
  Status Touch(Block& b, const std::string& series, StatsDay** day, StatsStock** stock);
  Status Apply(Block& b, const ledger::TxBody& body, const ledger::Receipt& r);
  Status Register(Block& b, const ledger::Receipt& r, const std::string& pledge_id, const std::string& bank,
                  const std::string& debtor, std::int64_t principal, std::uint32_t rate_bps, std::uint32_t ltv_bps,
                  bool caution);
  Status Deactivate(Block& b, StatsPledge& p);
  Status Finish(Block& b);

  const ledger::Database& db_;
  const ledger::StateReader& state_;
  std::uint64_t height_ = 0;
  std::map<std::string, std::string> pending_;  // key -> serialized record, not yet staged
};

// Stages block `header`'s statistics into `batch` (the block's own batch):
// `txs` and `receipts` in block order. If the stored index is behind (a
// directory from before the index, an interrupted rebuild), it is first
// brought up to height - 1 from the stored blocks (CatchUpStats). Errors are
// the node's to treat as storage failures.
Status StageBlockStats(ledger::Ledger& ledger, const ledger::BlockHeader& header,
                       std::span<const StatsTx> txs, leveldb::WriteBatch* batch);

// Builds the index from the stored blocks and receipts up to the ledger's tip,
// in batches of `blocks_per_batch`, each with its height (a crash resumes
// where the last batch ended). Returns the number of blocks indexed.
// Reasons: STATS_BLOCK_UNREADABLE, STATS_RECORD_CORRUPT, the db's.
Result<std::uint64_t> CatchUpStats(ledger::Ledger& ledger, std::uint64_t blocks_per_batch = 500);

// ---- queries (the /v1/stats routes) ----

inline constexpr std::int32_t kMaxDaySpan = 366;      // by=day
inline constexpr std::int32_t kMaxMonthSpan = 120;    // by=month
inline constexpr std::int32_t kMaxDistributionSpan = 3660;

struct Query {
  std::int32_t from = 0;  // first day counted (widened to the month with monthly)
  std::int32_t to = 0;    // last day counted
  bool monthly = false;
  std::string series;     // a bank's (or appraiser's) org id; "" = all
  bool breakdown = false; // add the per-bank (per-appraiser) rows
};

// The periods of a query: [start, end] days, in order.
std::vector<std::pair<std::int32_t, std::int32_t>> Periods(const Query& q);

Result<api::PledgeStatsView> QueryPledges(const ledger::Database& db, const Query& q);
Result<api::OutstandingStatsView> QueryOutstanding(const ledger::Database& db, const Query& q);
Result<api::BorrowerStatsView> QueryBorrowers(const ledger::Database& db, const Query& q);
Result<api::RenewalStatsView> QueryRenewals(const ledger::Database& db, const Query& q);
Result<api::DistributionStatsView> QueryDistributions(const ledger::Database& db, const Query& q);
Result<api::CautionStatsView> QueryCautions(const ledger::Database& db, const Query& q);
Result<api::ValuationStatsView> QueryValuations(const ledger::Database& db, const Query& q);

// The indexed height and the date of the last indexed block, as stored.
struct Indexed {
  std::uint64_t height = 0;
  std::int32_t last_date = 0;
};
Result<Indexed> IndexedAt(const ledger::Database& db);

// Keys (exposed for tests and docs/formats.md).
std::string HeightKey();
std::string DayKey(std::string_view series, std::int32_t day);
std::string StockKey(std::string_view series);
std::string ValuationDayKey(std::string_view appraiser, std::int32_t day);
std::string AppraiserKey(std::string_view appraiser);
std::string PledgeKey(std::string_view pledge_id);
std::string BorrowerKey(std::string_view debtor);

}  // namespace pledger::node::stats

#endif  // PLEDGER_NODE_STATS_H_
