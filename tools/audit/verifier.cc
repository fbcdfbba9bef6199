#include "tools/audit/verifier.h"

#include <pthread.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "contracts/engine.h"
#include "contracts/genesis.h"
#include "contracts/queries.h"
#include "ledger/attestation.h"
#include "ledger/block.h"
#include "ledger/block_time.h"
#include "ledger/crypto.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/tx.h"
#include "contracts/history.h"
#include "contracts/replay.h"
#include "ledger/io/work_pool.h"
#include "tools/audit/bundle.h"
#include "tools/audit/validators.h"
#include "tools/common/access.h"

namespace pledger::tools::audit {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kReplicaMetaName[] = "audit";
constexpr std::uint32_t kReplicaFormat = 1;
// How much the fetch thread prepares ahead of execution.
constexpr size_t kMaxQueuedTxs = 20000;
constexpr size_t kMaxQueuedBlocks = 256;
constexpr std::uint64_t kBlocksPerRead = 500;

std::string Str(const ledger::Hash256& h) { return std::string(ledger::AsStringView(h)); }
std::string H(std::uint64_t v) { return std::to_string(v); }

// What an attestation must sign for a height: block hash, state and results root.
struct Roots {
  std::string block_hash, state_root, results_root;
};

// ---------------------------------------------------------------------------
// Fetch thread: reads blocks in order and prepares their transactions (decode
// + signatures) on the pool, ahead of the executing thread.

struct Item {
  RawBlock raw;
  ledger::Block block;
  bool parsed = false;
  std::vector<contracts::PreparedTx> prepared;
  Status error;     // the source failed here
  bool end = false;
};

class Fetcher {
 public:
  // `threads` threads prepare transactions: this fetch thread and threads - 1
  // pool workers (none for 1).
  Fetcher(ChainSource* source, std::uint64_t from, std::uint64_t to, bool prepare, size_t threads)
      : source_(source), from_(from), to_(to), prepare_(prepare), threads_(threads) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Fetcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  Item Next() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !queue_.empty(); });
    Item it = std::move(queue_.front());
    queue_.pop_front();
    queued_txs_ -= it.prepared.size();
    cv_.notify_all();
    return it;
  }

 private:
  void Push(Item it) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_ || (queue_.size() < kMaxQueuedBlocks && queued_txs_ < kMaxQueuedTxs); });
    queued_txs_ += it.prepared.size();
    queue_.push_back(std::move(it));
    cv_.notify_all();
  }
  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }

  void Run() {
    // Named so profiles and `top -H` tell preparation from execution; the
    // pool's workers, created here, inherit the name.
    pthread_setname_np(pthread_self(), "audit-prepare");
    if (prepare_ && threads_ > 1) pool_ = std::make_unique<io::WorkPool>(threads_ - 1, 1);
    std::uint64_t h = from_;
    while (h <= to_ && !Stopping()) {
      auto blocks = source_->ReadBlocks(h, std::min(to_, h + kBlocksPerRead - 1));
      if (!blocks.ok() || blocks->empty()) {
        Item it;
        it.raw.height = h;
        it.error = blocks.ok() ? Status::NotFound("BLOCK_MISSING", "the source has no block " + H(h) +
                                                                       " although its tip is higher")
                               : blocks.status();
        Push(std::move(it));
        return;
      }
      for (auto& raw : *blocks) {
        if (raw.height != h || Stopping()) break;
        Item it;
        it.raw = std::move(raw);
        it.parsed = it.block.ParseFromString(it.raw.block);
        if (it.parsed && prepare_) {
          const size_t n = static_cast<size_t>(it.block.txs_size());
          it.prepared.resize(n);
          auto prepare = [&](size_t i) { it.prepared[i] = contracts::PrepareTx(it.block.txs(static_cast<int>(i))); };
          if (pool_) {
            pool_->ParallelFor(n, prepare);
          } else {
            for (size_t i = 0; i < n; ++i) prepare(i);
          }
        }
        Push(std::move(it));
        ++h;
      }
    }
    Item end;
    end.end = true;
    Push(std::move(end));
  }

  ChainSource* source_;
  const std::uint64_t from_, to_;
  const bool prepare_;
  const size_t threads_;
  std::unique_ptr<io::WorkPool> pool_;  // created and used by the fetch thread
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // guarded by mu_
  size_t queued_txs_ = 0;   // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  std::thread thread_;
};

// A temporary directory removed when the run ends.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/pledger-audit-XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A printable name for a database key: prefix, readable parts, heights.
std::string DescribeKey(std::string_view k) {
  if (k.empty()) return "(empty key)";
  const char p = k[0];
  std::string_view rest = k.substr(1);
  auto printable = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  };
  switch (p) {
    case ledger::keys::kState: return "state record " + std::string(rest);
    case ledger::keys::kCommit:
      return rest.size() >= 2 ? "state commitment of " + std::string(rest.substr(2)) : "state commitment record";
    case ledger::keys::kBucket:
      return rest.size() == 2 ? "state bucket " + H((static_cast<std::uint8_t>(rest[0]) << 8) | static_cast<std::uint8_t>(rest[1]))
                              : "state bucket record";
    case ledger::keys::kBlockHash: return "block-hash index entry " + ShortHex(rest);
    case ledger::keys::kTx: return "transaction index entry " + ShortHex(rest);
    case ledger::keys::kHistory:
      if (auto x = contracts::ParseHistoryKey(k)) {
        return "history entry of " + std::string(x->entity) + " at block " + H(x->height) + " index " + H(x->index);
      }
      return "history record";
    case ledger::keys::kVersion:
      if (auto x = contracts::ParseVersionKey(k)) {
        return "version of " + std::string(x->state_key) + " before block " + H(x->height);
      }
      return "version record";
    case ledger::keys::kAttestation:
      if (rest.size() > 8) {
        return "attestation index entry for block " + H(ledger::GetBigEndian64(rest.data())) + " by " +
               std::string(rest.substr(8));
      }
      return "attestation index record";
    case ledger::keys::kMeta: return "meta record " + std::string(rest);
    default: return printable(k) ? std::string(k) : ledger::HexEncode(k);
  }
}

// The height named in a key, where it has one (history, versions, attestations).
std::uint64_t HeightInKey(std::string_view k) {
  if (k.empty()) return 0;
  std::string_view rest = k.substr(1);
  if (k[0] == ledger::keys::kAttestation && rest.size() > 8) return ledger::GetBigEndian64(rest.data());
  if (auto x = contracts::ParseHistoryKey(k)) return x->height;
  if (auto x = contracts::ParseVersionKey(k)) return x->height;
  return 0;
}

class Run {
 public:
  Run(ChainSource* source, const VerifyOptions& o) : source_(source), o_(o) {}

  Result<VerifyReport> Go() {
    start_ = Clock::now();
    PLEDGER_ASSIGN_OR_RETURN(genesis_, contracts::ParseGenesis(o_.genesis_bytes));
    PLEDGER_ASSIGN_OR_RETURN(ValidatorSet gset, ValidatorSet::FromGenesis(genesis_));
    timeline_ = std::make_unique<ValidatorTimeline>(std::move(gset));
    genesis_hash_ = ledger::GenesisHash(o_.genesis_bytes);
    report_.set_source(source_->Describe());
    PLEDGER_ASSIGN_OR_RETURN(std::uint64_t tip, source_->TipHeight());
    report_.set_tip_height(tip);
    const std::uint64_t target = o_.to_height == 0 ? tip : std::min(o_.to_height, tip);
    if (o_.to_height > tip) {
      report_.add_warnings("the source's tip is " + H(tip) + ", below --to " + H(o_.to_height) + ": verified to its tip");
    }
    prev_hash_ = genesis_hash_;
    if (o_.execute) {
      keep_indexes_ = !o_.keep_dir.empty() || dynamic_cast<DirSource*>(source_) != nullptr;
      PLEDGER_RETURN_IF_ERROR(OpenReplica());
    } else {
      PLEDGER_ASSIGN_OR_RETURN(auto ws, contracts::GenesisState(genesis_));
      std::map<std::string, std::string, std::less<>> state;
      for (auto& [k, v] : ws) state[k] = *v;
      genesis_state_ = Str(ledger::StateStore::RootOf(state));
    }
    const std::uint64_t from = verified_ + 1;
    report_.set_from_height(from);
    report_.set_verified_height(verified_);
    report_.set_attested_height(attested_height_);
    if (from <= target) {
      size_t threads = o_.threads ? o_.threads : std::max<size_t>(1, std::thread::hardware_concurrency());
      Fetcher fetcher(source_, from, target, o_.execute, threads);
      for (std::uint64_t h = from; h <= target; ++h) {
        Item it = fetcher.Next();
        if (it.end) {
          Fail(h, "BLOCK_MISSING", "the source ended before block " + H(h));
          break;
        }
        if (!it.error.ok()) {
          const std::string_view r = it.error.reason();
          // Errors of the source, not findings about the chain: the node did
          // not answer, refused the reader, or the directory is unreadable.
          if (r == "NODE_UNREACHABLE" || r.rfind("DB_", 0) == 0 || IsAccessRefusal(r)) return it.error;
          Fail(h, std::string(r), std::string(it.error.message()));
          break;
        }
        auto ok = Block(it);
        if (!ok.ok()) return std::move(ok).TakeStatus();
        if (!*ok) break;
        Progress(target, false);
      }
    }
    if (report_.ok() || report_.reason().empty()) {
      report_.set_ok(true);
      PLEDGER_RETURN_IF_ERROR(EndChecks(target, tip));
    }
    if (report_.ok()) Summarise();
    Progress(target, true);
    const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    report_.set_seconds(secs);
    report_.set_tx_per_second(secs > 0 ? static_cast<double>(report_.transactions()) / secs : 0);
    return report_;
  }

 private:
  // Records the first failure; returns false (stop).
  bool Fail(std::uint64_t height, std::string reason, std::string detail) {
    if (!report_.reason().empty()) return false;
    report_.set_ok(false);
    report_.set_first_bad_height(height);
    report_.set_reason(std::move(reason));
    report_.set_detail(std::move(detail));
    return false;
  }

  void Progress(std::uint64_t target, bool last) {
    if (!o_.progress) return;
    auto now = Clock::now();
    if (!last && now - last_progress_ < std::chrono::milliseconds(o_.progress_every_ms)) return;
    last_progress_ = now;
    VerifyProgress p;
    p.height = verified_;
    p.target = target;
    p.transactions = report_.transactions();
    p.attested_height = attested_height_;
    p.seconds = std::chrono::duration<double>(now - start_).count();
    o_.progress(p);
  }

  // ---- the replica ---------------------------------------------------------

  Status OpenReplica() {
    std::string dir = o_.keep_dir;
    if (dir.empty()) {
      if (scratch_.path().empty()) return Status::IOError("SCRATCH_FAILED", "cannot create a temporary directory");
      dir = scratch_.path();
    }
    // A node's data directory keeps its LevelDB in db/: opening the directory
    // itself with create-if-missing would quietly put a second database
    // beside the node's. (A node's db/ itself is refused by Resume: it has
    // no replica record.)
    std::error_code ec;
    if (!o_.keep_dir.empty() && std::filesystem::exists(dir + "/db", ec)) {
      return Status::FailedPrecondition("REPLICA_MISMATCH", dir + " holds db/, like a node's data directory; give "
                                                                  "--keep a new or empty directory");
    }
    ledger::DatabaseOptions dbo;
    dbo.create_if_missing = true;
    PLEDGER_ASSIGN_OR_RETURN(ledger_, ledger::Ledger::Open(dir, dbo));
    PLEDGER_ASSIGN_OR_RETURN(auto chain, ledger_->db().Get(ledger::keys::Meta("chain")));
    if (!chain) {
      PLEDGER_ASSIGN_OR_RETURN(auto ws, contracts::GenesisState(genesis_));
      PLEDGER_RETURN_IF_ERROR(ledger_->Initialize(genesis_.chain_id(), o_.genesis_bytes, ws));
      PLEDGER_RETURN_IF_ERROR(WriteMeta(0));
    } else {
      PLEDGER_RETURN_IF_ERROR(Resume(dir));
    }
    ledger::Tip t = ledger_->blocks().tip();
    verified_ = t.height;
    prev_hash_ = t.block_hash;
    genesis_state_ = Str(ledger_->blocks().identity().genesis_state_root);
    if (t.height > 0) {
      PLEDGER_ASSIGN_OR_RETURN(ledger::Block b, ledger_->blocks().GetBlock(t.height));
      PLEDGER_ASSIGN_OR_RETURN(ledger::BlockHeader bh, ledger::DecodeBlockHeader(b));
      prev_time_ = bh.time_ms();
    }
    return Status::OK();
  }

  Status WriteMeta(std::uint64_t height) {
    ReplicaMeta m;
    m.set_format(kReplicaFormat);
    m.set_genesis_hash(Str(genesis_hash_));
    m.set_verified_height(height);
    m.set_attested_height(attested_height_);
    m.set_source(source_->Describe());
    return ledger_->db().Put(ledger::keys::Meta(kReplicaMetaName), ledger::SerializeCanonical(m), /*sync=*/false);
  }

  Status Resume(const std::string& dir) {
    PLEDGER_RETURN_IF_ERROR(ledger_->Load());
    const auto& id = ledger_->blocks().identity();
    PLEDGER_ASSIGN_OR_RETURN(auto meta_bytes, ledger_->db().Get(ledger::keys::Meta(kReplicaMetaName)));
    ReplicaMeta meta;
    if (!meta_bytes || !meta.ParseFromString(*meta_bytes)) {
      return Status::FailedPrecondition("REPLICA_MISMATCH", dir + " holds a chain that pledger-audit did not "
                                                                  "build (a node's data directory?); give --keep a new "
                                                                  "or empty directory");
    }
    if (id.chain_id != genesis_.chain_id() || id.genesis_hash != genesis_hash_) {
      return Status::FailedPrecondition("REPLICA_MISMATCH", "the replica in " + dir + " was built from another genesis file");
    }
    if (meta.verified_height() != ledger_->blocks().tip().height) {
      return Status::FailedPrecondition(
          "REPLICA_INCONSISTENT", "the replica in " + dir + " holds blocks up to " + H(ledger_->blocks().tip().height) +
                                      " but was verified only to " + H(meta.verified_height()) +
                                      " (a run stopped mid-block or failed there); delete it and verify again");
    }
    attested_height_ = meta.attested_height();
    // The validator sets by height: genesis, then every change to the
    // validator records the replay wrote (contracts/history.h 'V' records).
    std::map<std::uint64_t, std::vector<std::pair<std::string, std::optional<std::string>>>> changes;
    PLEDGER_ASSIGN_OR_RETURN(std::vector<contracts::RecordChange> versions,
                             contracts::RecordChanges(contracts::DatabaseIndexReader(ledger_->db()), "validator/"));
    for (auto& c : versions) changes[c.height].emplace_back(std::move(c.key), std::move(c.after));
    std::map<std::string, contracts::Validator> records;
    for (const auto& v : genesis_.validators()) records["validator/" + v.node_id()] = v;
    for (const auto& [height, list] : changes) {
      for (const auto& [key, value] : list) {
        if (!value) {
          records.erase(key);
          continue;
        }
        contracts::Validator v;
        if (!v.ParseFromString(*value)) return Status::Corruption("REPLICA_CORRUPT", "a validator version does not parse");
        records[key] = v;
      }
      std::vector<contracts::Validator> list_now;
      for (const auto& [k, v] : records) list_now.push_back(v);
      PLEDGER_ASSIGN_OR_RETURN(ValidatorSet set, ValidatorSet::FromRecords(list_now));
      timeline_->SetAfter(height, std::move(set));
    }
    // Attestations already seen for blocks not yet attested.
    std::string from(1, ledger::keys::kAttestation);
    ledger::PutBigEndian64(&from, attested_height_ + 1);
    const std::string aprefix(1, ledger::keys::kAttestation);
    Status bad;
    PLEDGER_RETURN_IF_ERROR(ledger_->db().Scan(aprefix, from, [&](std::string_view, std::string_view v) {
      ledger::Attestation a;
      if (!a.ParseFromArray(v.data(), static_cast<int>(v.size()))) return true;
      const ValidatorSet& set = timeline_->InForce(a.height());
      if (!CheckAttestation(genesis_.chain_id(), a, a.height(), set).ok()) return true;
      auto roots = RootsOf(a.height());
      if (!roots.ok()) {
        bad = roots.status();
        return false;
      }
      if (roots->block_hash == a.block_hash() && roots->state_root == a.state_root() &&
          roots->results_root == a.results_root()) {
        Count(a.height(), a.validator_id(), set);
      }
      return true;
    }));
    return bad;
  }

  // What the replay computed for block `height` (full mode: the replica;
  // light mode: kept in memory).
  Result<Roots> RootsOf(std::uint64_t height) {
    if (height == 0) return Roots{Str(genesis_hash_), genesis_state_, Str(ledger::ResultsRoot({}))};
    if (o_.execute) {
      PLEDGER_ASSIGN_OR_RETURN(ledger::BlockResults r, ledger_->blocks().GetResults(height));
      return Roots{r.block_hash(), r.state_root(), r.results_root()};
    }
    if (height >= light_roots_.size()) return Status::NotFound("BLOCK_NOT_FOUND", "no block " + H(height) + " yet");
    const auto& r = light_roots_[height];
    const char* p = reinterpret_cast<const char*>(r.data());
    return Roots{std::string(p, 32), std::string(p + 32, 32), std::string(p + 64, 32)};
  }

  void Count(std::uint64_t height, const std::string& validator, const ValidatorSet& set) {
    if (height < attested_.size() && attested_[height]) return;
    auto& signers = agree_[height];
    signers.insert(validator);
    if (signers.size() >= set.quorum()) {
      if (attested_.size() <= height) attested_.resize(height + 1);
      attested_[height] = true;
      attested_height_ = std::max(attested_height_, height);
      agree_.erase(height);
    }
  }

  // ---- one block -------------------------------------------------------------

  // Returns false when the run stops (the report says why); a Status for
  // failures of our own scratch database.
  Result<bool> Block(Item& it) {
    const std::uint64_t h = it.raw.height;
    if (!it.parsed) return Fail(h, "BLOCK_MALFORMED", "the block's bytes do not parse as a Block");
    const ledger::Block& block = it.block;
    auto header_r = ledger::DecodeBlockHeader(block);
    if (!header_r.ok()) return Fail(h, "BLOCK_HEADER_MALFORMED", std::string(header_r.status().message()));
    const ledger::BlockHeader& header = *header_r;
    const ledger::Hash256 hash = ledger::BlockHash(block);
    // The results were recorded with the hash of the header as applied: a
    // header changed since is named as such before anything else about it.
    ledger::BlockResults results;
    if (!results.ParseFromString(it.raw.results)) return Fail(h, "RESULTS_MALFORMED", "the block's results do not parse");
    if (results.block_hash() != Str(hash)) {
      return Fail(h, "BLOCK_HASH_MISMATCH",
                  "the header hashes to " + ShortHex(Str(hash)) + " but the source recorded its results for " +
                      ShortHex(results.block_hash()) + " when the block was applied (the header changed since)");
    }
    if (header.height() != h) return Fail(h, "BLOCK_HEIGHT_MISMATCH", "the header says height " + H(header.height()));
    if (header.chain_id() != genesis_.chain_id()) {
      return Fail(h, "BLOCK_WRONG_CHAIN", "the header names chain '" + header.chain_id() + "'");
    }
    if (header.prev_hash() != Str(prev_hash_)) {
      return Fail(h, "BLOCK_PREV_HASH_MISMATCH",
                  "prev_hash is " + ShortHex(header.prev_hash()) + " but " +
                      (h == 1 ? "the genesis file hashes to " : "block " + H(h - 1) + " hashes to ") +
                      ShortHex(Str(prev_hash_)) + (h == 1 ? " (another genesis file?)" : ""));
    }
    if (Status s = ledger::CheckBlockContent(block, header); !s.ok()) {
      return Fail(h, std::string(s.reason()), std::string(s.message()));
    }
    if (header.tx_count() > ledger::kMaxTxsPerBlock) return Fail(h, "BLOCK_TOO_LARGE", H(header.tx_count()) + " transactions");
    // Ledger time (ledger/block_time.h, the function every node's applier
    // runs): the header's time must be the one its clock readings give,
    // judged by the voters in force for this block (the state after h - 1).
    {
      ledger::VoterKeys voters;
      for (const auto& [id, v] : timeline_->InForce(h).members()) {
        if (v.voter) voters[id] = v.key;
      }
      const std::uint64_t prev = h == 1 ? genesis_.genesis_time_ms() : prev_time_;
      if (Status s = ledger::CheckBlockTime(genesis_.chain_id(), header, block, prev, voters); !s.ok()) {
        std::string why(s.message());
        if (header.time_ms() <= prev) {
          why += " (and it is not after " + (h == 1 ? std::string("the genesis time ") : "block " + H(h - 1) + "'s ") +
                 FormatTimeMs(prev) + ")";
        }
        return Fail(h, "BLOCK_TIME_INVALID", why);
      }
    }
    // The header carries the state and results roots of an earlier block it
    // names (state_root_height: the latest its proposer had executed, at most
    // kMaxStateRootLag back; docs/formats.md).
    const std::uint64_t base = header.state_root_height();
    if (base >= h || h - base > ledger::kMaxStateRootLag) {
      return Fail(h, "BLOCK_STATE_ROOT_HEIGHT_INVALID", "the header names the state of block " + H(base) +
                                                            ", not one of the " + H(ledger::kMaxStateRootLag) +
                                                            " blocks before it");
    }
    auto base_roots = RootsOf(base);
    if (!base_roots.ok()) return base_roots.status();
    if (header.prev_state_root() != base_roots->state_root) {
      return Fail(h, "BLOCK_PREV_STATE_ROOT_MISMATCH",
                  "the header says the state root after block " + H(base) + " is " + ShortHex(header.prev_state_root()) +
                      ", the " + (o_.execute ? std::string("replay computed ") : std::string("source's results say ")) +
                      ShortHex(base_roots->state_root));
    }
    if (header.prev_results_root() != base_roots->results_root) {
      return Fail(h, "BLOCK_PREV_RESULTS_ROOT_MISMATCH",
                  "the header says block " + H(base) + "'s results root is " + ShortHex(header.prev_results_root()) +
                      ", the " + (o_.execute ? std::string("replay computed ") : std::string("source's receipts hash to ")) +
                      ShortHex(base_roots->results_root));
    }
    if (results.receipts_size() != block.txs_size()) {
      return Fail(h, "RESULTS_COUNT_MISMATCH", H(results.receipts_size()) + " receipts for " + H(block.txs_size()) + " transactions");
    }
    std::vector<std::string> theirs(results.receipts().begin(), results.receipts().end());
    const std::string their_root = Str(ledger::ResultsRoot(theirs));
    if (results.results_root() != their_root || results.state_root().size() != 32) {
      return Fail(h, "RESULTS_ROOT_MISMATCH", "the source's receipts do not hash to the results root it stored");
    }
    report_.set_transactions(report_.transactions() + static_cast<std::uint64_t>(block.txs_size()));
    if (block.txs_size() > 0) last_tx_height_ = h;

    contracts::BlockOutcome outcome;
    if (o_.execute) {
      for (const auto& p : it.prepared) {
        if (p.status.ok()) {
          report_.set_signatures(report_.signatures() + p.signers.size());
        } else if (p.status.reason() == "SIGNATURE_INVALID") {
          report_.set_invalid_signature_txs(report_.invalid_signature_txs() + 1);
        }
      }
      // The node's chain-level rule first (contracts/replay.h): its refusals are
      // receipts in the results root like the contracts' own.
      contracts::RefuseChainReplays(ledger_->blocks(), it.prepared);
      contracts::BlockContext ctx{header.chain_id(), h, header.time_ms()};
      outcome = engine_.ExecuteBlock(ledger_->state(), ctx, it.prepared);
      if (!outcome.status.ok()) return outcome.status.WithContext("re-executing block " + H(h) + " in the replica");
      for (size_t i = 0; i < outcome.receipts.size(); ++i) {
        if (outcome.receipts[i] != theirs[i]) return Fail(h, "RECEIPT_MISMATCH", DescribeReceiptDiff(i, theirs[i], outcome.receipts[i]));
      }
      if (Str(ledger::ResultsRoot(outcome.receipts)) != their_root) {
        return Fail(h, "RESULTS_ROOT_MISMATCH", "the replay's receipts hash to another results root");
      }
    }

    leveldb::WriteBatch extra;
    if (!CheckCarriedAttestations(h, block, &extra)) return false;

    if (o_.execute) {
      // The history indexes serve a kept replica's queries and the comparison
      // with a data directory's own; a throw-away replay of a node needs none.
      if (keep_indexes_) {
        PLEDGER_RETURN_IF_ERROR(contracts::StageHistoryRecords(header, it.prepared, outcome, ledger_->state(), &extra));
      }
      std::vector<ledger::Hash256> ids;
      ids.reserve(it.prepared.size());
      for (const auto& p : it.prepared) ids.push_back(p.id);
      PLEDGER_RETURN_IF_ERROR(
          ledger_->CommitBlock(block, outcome.receipts, outcome.writes, /*sync=*/false, &extra, &ids));
      const std::string ours = Str(ledger_->blocks().tip().state_root);
      if (ours != results.state_root()) {
        return Fail(h, "STATE_ROOT_MISMATCH",
                    "the source says the state root after block " + H(h) + " is " + ShortHex(results.state_root()) +
                        ", the replay computed " + ShortHex(ours) + " (receipts agree; the writes differ)");
      }
      if (ChangesValidators(outcome.receipts)) {
        PLEDGER_ASSIGN_OR_RETURN(contracts::ValidatorSet vs, contracts::QueryValidators(ledger_->state()));
        std::vector<contracts::Validator> list(vs.validators().begin(), vs.validators().end());
        PLEDGER_ASSIGN_OR_RETURN(ValidatorSet set, ValidatorSet::FromRecords(list));
        timeline_->SetAfter(h, std::move(set));
      }
    } else {
      if (!FollowValidatorChanges(h, block, results)) return false;
      if (light_roots_.size() <= h) light_roots_.resize(h + 1);
      std::string packed = Str(hash) + results.state_root() + their_root;
      std::copy(packed.begin(), packed.end(), light_roots_[h].begin());
    }
    prev_hash_ = hash;
    prev_time_ = header.time_ms();
    verified_ = h;
    report_.set_verified_height(h);
    report_.set_attested_height(attested_height_);
    if (o_.execute) PLEDGER_RETURN_IF_ERROR(WriteMeta(h));
    if (o_.visitor) {
      Status s = o_.visitor(header, block, results);
      if (!s.ok()) return Fail(h, std::string(s.reason()), std::string(s.message()));
    }
    return true;
  }

  static bool ChangesValidators(const std::vector<std::string>& receipts) {
    for (const auto& raw : receipts) {
      // Cheap filter before parsing: only receipts with a validator.* event.
      if (raw.find("validator.") == std::string::npos) continue;
      ledger::Receipt r;
      if (!r.ParseFromString(raw) || r.code() != "OK") continue;
      for (const auto& e : r.events()) {
        if (e.type().rfind("validator.", 0) == 0) return true;
      }
    }
    return false;
  }

  // Light mode: the set follows the receipts of accepted changes.
  bool FollowValidatorChanges(std::uint64_t h, const ledger::Block& block, const ledger::BlockResults& results) {
    std::vector<std::string> receipts(results.receipts().begin(), results.receipts().end());
    if (!ChangesValidators(receipts)) return true;
    ValidatorSet next = timeline_->InForce(h + 1);
    for (int i = 0; i < block.txs_size(); ++i) {
      ledger::Receipt r;
      if (!r.ParseFromString(results.receipts(i)) || r.code() != "OK") continue;
      ledger::Transaction tx;
      if (!tx.ParseFromString(block.txs(i))) continue;
      auto body = ledger::DecodeTxBody(tx.body());
      if (!body.ok() || !IsValidatorChange(*body)) continue;
      if (Status s = next.Apply(*body, r, h); !s.ok()) return Fail(h, std::string(s.reason()), std::string(s.message()));
    }
    timeline_->SetAfter(h, std::move(next));
    return true;
  }

  bool CheckCarriedAttestations(std::uint64_t h, const ledger::Block& block, leveldb::WriteBatch* extra) {
    const ValidatorSet& before = timeline_->InForce(h);  // the state before this block
    for (int i = 0; i < block.attestations_size(); ++i) {
      ledger::Attestation a;
      if (!a.ParseFromString(block.attestations(i)) || ledger::HasUnknownFields(a)) {
        return Fail(h, "ATTESTATION_MALFORMED", "attestation " + H(static_cast<std::uint64_t>(i)) + " carried by block " +
                                                    H(h) + " does not parse");
      }
      if (a.height() == 0 || a.height() >= h) {
        return Fail(h, "ATTESTATION_WRONG_HEIGHT", "block " + H(h) + " carries an attestation of block " + H(a.height()) +
                                                       ", which is not below it");
      }
      report_.set_attestations(report_.attestations() + 1);
      const ValidatorSet& set = timeline_->InForce(a.height());
      Status s = CheckAttestation(genesis_.chain_id(), a, a.height(), set);
      bool counted = s.ok();
      // The key the signature is known to verify with, so that indexing it
      // below does not check the same signature again: Ed25519 checks are
      // most of verify's time, and this was one more per attestation.
      std::optional<ledger::PublicKey> verified_with;
      if (counted) verified_with = set.Find(a.validator_id())->key;
      if (!counted) {
        // Not a voter for that block (a validator added or promoted at or
        // after it attests too): acceptable if its key is on the ledger when
        // this block was made, as the node accepts it; it does not count.
        const ValidatorInfo* v = before.Find(a.validator_id());
        bool valid_later = v != nullptr && ledger::VerifyAttestation(genesis_.chain_id(), a, v->KeyFor(a.height())).ok();
        if (valid_later) verified_with = v->KeyFor(a.height());
        const bool not_counted_kind = s.reason() == "ATTESTATION_NOT_A_VOTER" || s.reason() == "ATTESTATION_UNKNOWN_VALIDATOR";
        if (!not_counted_kind || !valid_later) {
          if (not_counted_kind && v != nullptr) {
            return Fail(h, "ATTESTATION_SIGNATURE_INVALID",
                        "block " + H(h) + " carries an attestation of block " + H(a.height()) + " by " + a.validator_id() +
                            " whose signature does not verify (forged or altered)");
          }
          return Fail(h, std::string(s.reason()), "carried by block " + H(h) + ": " + std::string(s.message()));
        }
      }
      auto roots = RootsOf(a.height());
      if (!roots.ok()) return Fail(a.height(), "ATTESTATION_UNCHECKABLE", std::string(roots.status().message()));
      std::string what;
      if (a.block_hash() != roots->block_hash) {
        what = "block hash " + ShortHex(a.block_hash()) + ", the chain's is " + ShortHex(roots->block_hash);
      } else if (a.state_root() != roots->state_root) {
        what = "state root " + ShortHex(a.state_root()) + ", the " + (o_.execute ? "replay" : "source") + " computed " +
               ShortHex(roots->state_root);
      } else if (a.results_root() != roots->results_root) {
        what = "results root " + ShortHex(a.results_root()) + ", the " + (o_.execute ? "replay" : "source") + " has " +
               ShortHex(roots->results_root);
      }
      if (!what.empty()) {
        return Fail(a.height(), "ATTESTATION_DISAGREES",
                    "validator " + a.validator_id() + " signed " + what + " for block " + H(a.height()) +
                        " (carried by block " + H(h) + "): a validator computed a different result");
      }
      if (counted) Count(a.height(), a.validator_id(), set);
      // The node indexes attestations whose signer is on the ledger when the
      // carrying block is applied and that verify with the key its record
      // says was in force for the attested block (node/attest.cc: previous key
      // up to key_height, the current one after); the replica does the same,
      // so a data directory's index can be compared with it.
      const ValidatorInfo* v = before.Find(a.validator_id());
      if (o_.execute && v != nullptr &&
          ((verified_with && *verified_with == v->KeyFor(a.height())) ||
           ledger::VerifyAttestation(genesis_.chain_id(), a, v->KeyFor(a.height())).ok())) {
        std::string key(1, ledger::keys::kAttestation);
        ledger::PutBigEndian64(&key, a.height());
        key += a.validator_id();
        extra->Put(key, block.attestations(i));
      }
    }
    return true;
  }

  std::string DescribeReceiptDiff(size_t index, const std::string& theirs, const std::string& ours) {
    ledger::Receipt t, o;
    std::string head = "transaction " + H(index) + ": ";
    if (!t.ParseFromString(theirs)) return head + "the source's receipt does not parse";
    o.ParseFromString(ours);
    head += ShortHex(o.tx_id()) + ": ";
    if (t.tx_id() != o.tx_id()) return head + "the source's receipt names transaction " + ShortHex(t.tx_id());
    if (t.code() != o.code()) return head + "the source's receipt says " + t.code() + ", the replay " + o.code();
    if (t.message() != o.message()) return head + "receipt messages differ: source '" + t.message() + "', replay '" + o.message() + "'";
    if (t.events_size() != o.events_size()) {
      return head + "the source's receipt has " + H(t.events_size()) + " events, the replay " + H(o.events_size());
    }
    for (int i = 0; i < t.events_size(); ++i) {
      if (t.events(i).SerializeAsString() != o.events(i).SerializeAsString()) {
        return head + "event " + H(i) + " (" + o.events(i).type() + ") differs";
      }
    }
    return head + "the receipts' bytes differ (grounds, rule or encoding)";
  }

  // ---- after the last block -------------------------------------------------

  Status EndChecks(std::uint64_t target, std::uint64_t tip) {
    auto* dir = dynamic_cast<DirSource*>(source_);
    if (!o_.execute || dir == nullptr || !report_.ok()) return Status::OK();
    if (target != tip) {
      report_.add_warnings("verified to block " + H(target) + ", below the directory's tip " + H(tip) +
                           ": its state and indexes (as of the tip) were not compared");
      return Status::OK();
    }
    // The directory's own records, as of its tip, against the replica's.
    struct Area {
      char prefix;
      const char* reason;
    };
    for (const Area& a : {Area{ledger::keys::kState, "STATE_RECORD_MISMATCH"},
                          Area{ledger::keys::kCommit, "STATE_COMMITMENT_MISMATCH"},
                          Area{ledger::keys::kBucket, "STATE_COMMITMENT_MISMATCH"},
                          Area{ledger::keys::kBlockHash, "INDEX_MISMATCH"}, Area{ledger::keys::kTx, "INDEX_MISMATCH"},
                          Area{ledger::keys::kHistory, "HISTORY_INDEX_MISMATCH"},
                          Area{ledger::keys::kVersion, "HISTORY_INDEX_MISMATCH"},
                          Area{ledger::keys::kAttestation, "ATTESTATION_INDEX_MISMATCH"}}) {
      PLEDGER_ASSIGN_OR_RETURN(bool same, ComparePrefix(dir, std::string(1, a.prefix), a.reason, tip));
      if (!same) return Status::OK();
    }
    for (const char* name : {"chain", "tip"}) {
      PLEDGER_ASSIGN_OR_RETURN(auto theirs, dir->Get(ledger::keys::Meta(name)));
      PLEDGER_ASSIGN_OR_RETURN(auto ours, ledger_->db().Get(ledger::keys::Meta(name)));
      if (theirs != ours) {
        Fail(tip, "CHAIN_META_MISMATCH", std::string("the directory's ") + name +
                                             " record differs from the replica's (identity or tip tampered with)");
        return Status::OK();
      }
    }
    return Status::OK();
  }

  // Walks one key prefix of the directory and of the replica together.
  Result<bool> ComparePrefix(DirSource* dir, const std::string& prefix, const char* reason, std::uint64_t tip) {
    std::unique_ptr<leveldb::Iterator> it = ledger_->db().NewIterator();
    it->Seek(prefix);
    auto ours_valid = [&] { return it->Valid() && it->key().starts_with(prefix); };
    std::string diff_key, diff;
    auto differ = [&](std::string_view key, std::string what) {
      diff_key = std::string(key);
      diff = DescribeKey(key) + " " + std::move(what);
      return false;
    };
    PLEDGER_RETURN_IF_ERROR(dir->Scan(prefix, prefix, [&](std::string_view k, std::string_view v) {
      if (ours_valid()) {
        std::string_view ok(it->key().data(), it->key().size());
        if (ok < k) return differ(ok, "is missing from the data directory");
        if (ok == k) {
          std::string_view ov(it->value().data(), it->value().size());
          if (ov != v) {
            return differ(k, "differs: the directory's value hashes to " + ShortHex(Str(ledger::Sha256(v))) +
                                 ", the replay's to " + ShortHex(Str(ledger::Sha256(ov))) + ForgeryNote(k, v));
          }
          it->Next();
          return true;
        }
      }
      return differ(k, "is in the data directory but not in the replay" + ForgeryNote(k, v));
    }));
    PLEDGER_RETURN_IF_ERROR(ledger::Database::FromLevelDb(it->status(), "reading the replica"));
    if (diff.empty() && ours_valid()) {
      differ(std::string_view(it->key().data(), it->key().size()), "is missing from the data directory");
    }
    if (diff.empty()) return true;
    std::uint64_t at = HeightInKey(diff_key);
    Fail(at ? at : tip, reason, diff);
    return false;
  }

  // For attestation index records: whether the record's signature verifies.
  std::string ForgeryNote(std::string_view key, std::string_view value) {
    if (key.empty() || key[0] != ledger::keys::kAttestation) return "";
    ledger::Attestation a;
    if (!a.ParseFromArray(value.data(), static_cast<int>(value.size()))) return " (it does not parse)";
    // The key in force for the attested block, or (the node's index rule)
    // the latest record's key for that height: across a rotation they differ.
    const ValidatorInfo* latest = timeline_->Latest().Find(a.validator_id());
    const ValidatorInfo* then = timeline_->InForce(a.height()).Find(a.validator_id());
    if (latest == nullptr && then == nullptr) return " (by a validator the chain does not know)";
    const bool verifies =
        (then != nullptr && ledger::VerifyAttestation(genesis_.chain_id(), a, then->key).ok()) ||
        (latest != nullptr && ledger::VerifyAttestation(genesis_.chain_id(), a, latest->KeyFor(a.height())).ok());
    return verifies ? " (its signature verifies, but no block carries it)" : " (its signature does not verify: forged)";
  }

  void Summarise() {
    const std::uint64_t top = report_.verified_height();
    if (top > 0 && attested_height_ < top) {
      report_.add_warnings("blocks " + H(attested_height_ + 1) + ".." + H(top) +
                           " are not attested by a majority of their validators yet: they rest on the source alone "
                           "until later blocks carry their attestations");
      // A block's attestations ride in later blocks, so the last blocks of
      // any run are unattested; what matters is that no transaction rests on
      // the source alone. Empty blocks after the last transaction carry only
      // attestations and never prompt another block.
      if (o_.require_attested && last_tx_height_ > attested_height_) {
        Fail(attested_height_ + 1, "NOT_ATTESTED",
             "--require-attested: block " + H(last_tx_height_) + " has transactions but blocks above " +
                 H(attested_height_) +
                 " are not attested by a majority of their validators yet; wait for the next blocks and run again");
      }
    }
    if (o_.execute && ledger_) (void)WriteMeta(verified_);
  }

  ChainSource* source_;
  const VerifyOptions& o_;
  Clock::time_point start_, last_progress_{};
  VerifyReport report_;
  contracts::Genesis genesis_;
  ledger::Hash256 genesis_hash_{};
  std::unique_ptr<ValidatorTimeline> timeline_;
  ScratchDir scratch_;
  std::unique_ptr<ledger::Ledger> ledger_;
  contracts::Engine engine_;
  std::uint64_t verified_ = 0;
  std::uint64_t last_tx_height_ = 0;  // highest verified block with transactions
  bool keep_indexes_ = true;  // stage history and version records in the replica
  ledger::Hash256 prev_hash_{};
  std::string genesis_state_;  // the state root of the genesis file
  std::uint64_t prev_time_ = 0;
  std::uint64_t attested_height_ = 0;
  std::vector<bool> attested_;  // by height: reached a majority in this run
  std::map<std::uint64_t, std::set<std::string>> agree_;  // signers of blocks not yet attested
  // Light mode: block hash, state root, results root of each height.
  std::vector<std::array<std::uint8_t, 96>> light_roots_;
};

}  // namespace

Result<VerifyReport> Verify(ChainSource* source, const VerifyOptions& options) {
  Run run(source, options);
  return run.Go();
}

Result<bool> IsReplica(DirSource* dir, ReplicaMeta* meta) {
  PLEDGER_ASSIGN_OR_RETURN(auto bytes, dir->Get(ledger::keys::Meta(kReplicaMetaName)));
  if (!bytes) return false;
  if (!meta->ParseFromString(*bytes)) return Status::Corruption("REPLICA_CORRUPT", "the replica's audit record is damaged");
  return true;
}

}  // namespace pledger::tools::audit
