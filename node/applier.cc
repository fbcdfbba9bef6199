// The applier: runs committed blocks through the contracts and commits each
// block, its receipts, its state writes, its indexes and the applied Raft
// index in one LevelDB batch.
//
// Invalid entries: a committed entry that is not a valid next block (it does
// not parse, does not link to the tip, carries the wrong Raft term/index or a
// time other than the one its clock readings give, ledger/block_time.h) is
// skipped. Every node sees the same log and
// the same tip, so every node skips the same entries and stays in step. A
// block at or below the tip is one this node already has (after a catch-up);
// it is skipped too.
#include <chrono>
#include <cstdlib>
#include <thread>

#include "contracts/queries.h"
#include "ledger/attestation.h"
#include "ledger/block.h"
#include "ledger/block_time.h"
#include "ledger/keys.h"
#include "ledger/tx.h"
#include "node/block_txs.h"
#include "contracts/history.h"
#include "node/log.h"
#include "node/node_impl.h"
#include "node/stats.h"

namespace pledger::node {
namespace {

std::string AppliedValue(std::uint64_t index) {
  std::string v;
  ledger::PutBigEndian64(&v, index);
  return v;
}

// Test seam (docs/node.md "Test seams"): PLEDGER_TEST_APPLY_DELAY_MS makes
// every block's execution that much slower, so a cluster test can hold a
// node behind the chain (NODE_BEHIND) or slow a catch-up down enough to cut
// it off mid-way. Read once; unset, it costs one branch per block.
std::chrono::milliseconds TestApplyDelay() {
  const char* v = std::getenv("PLEDGER_TEST_APPLY_DELAY_MS");
  if (v == nullptr || *v == '\0') return std::chrono::milliseconds(0);
  const auto ms = std::chrono::milliseconds(std::strtoull(v, nullptr, 10));
  PLOG(kWarn, "apply") << "PLEDGER_TEST_APPLY_DELAY_MS is set: every block is applied " << ms.count()
                       << " ms late, for tests only";
  return ms;
}

}  // namespace

void NodeImpl::EnqueueApply(std::vector<consensus::Entry> entries) {
  {
    io::MutexLock lock(&apply_mu_);
    for (auto& e : entries) {
      ApplyItem item;
      item.entry = std::move(e);
      apply_queue_.push_back(std::move(item));
    }
  }
  apply_cv_.NotifyOne();
}

void NodeImpl::EnqueueSnapshot(const consensus::Snapshot& snap) {
  {
    io::MutexLock lock(&apply_mu_);
    ApplyItem item;
    item.snapshot = snap;
    apply_queue_.push_back(std::move(item));
  }
  apply_cv_.NotifyOne();
}

void NodeImpl::ApplyLoop() {
  apply_thread_.Assume();
  {
    // A snapshot left by the last run (the ledger is behind it) comes before
    // any entry, with the same retries as one that arrives later.
    io::MutexLock lock(&apply_mu_);
    if (pending_snapshot_) {
      ApplyItem item;
      item.snapshot = std::move(*pending_snapshot_);
      pending_snapshot_.reset();
      apply_queue_.push_front(std::move(item));
    }
  }
  CatchUpStatsIndex();
  for (;;) {
    ApplyItem item;
    {
      io::MutexLock lock(&apply_mu_);
      apply_cv_.Wait(&apply_mu_, [this]() REQUIRES(apply_mu_) { return apply_stopping_ || !apply_queue_.empty(); });
      if (apply_stopping_) return;
      item = std::move(apply_queue_.front());
      apply_queue_.pop_front();
    }
    if (!Fatal().ok()) continue;  // stopped applying; keep draining so Raft is not blocked
    Status s;
    if (item.snapshot) {
      apply_voters_.reset();
      s = InstallSnapshot(*item.snapshot);
      // A failed write here, or a chain that is not the consortium's, will
      // not mend by retrying: fail-stop (SetFatal below). Anything else is a
      // peer's problem: retry, from the leader first.
      bool final = s.Is(StatusCode::kIOError) || s.reason() == "CATCHUP_FORK";
      if (!s.ok() && !final) {
        // Retry later from another peer: put it back at the front.
        PLOG(kWarn, "catchup") << "catch-up failed: " << s.ToString() << "; retrying";
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        io::MutexLock lock(&apply_mu_);
        apply_queue_.push_front(std::move(item));
        continue;
      }
    } else {
      s = ApplyEntry(item.entry);
    }
    if (!s.ok()) {
      SetFatal(s);
      PLOG(kError, "apply") << (item.snapshot ? std::string("cannot catch up")
                                              : "cannot apply entry " + std::to_string(item.entry.index))
                            << ": " << s.ToString()
                            << "; this node stops applying blocks. Fix the cause and restart it";
    }
    PostRaft([] {});  // the proposer may go on
  }
}

Status NodeImpl::Fatal() const {
  io::MutexLock lock(&fatal_mu_);
  return fatal_;
}

void NodeImpl::SetFatal(const Status& s) {
  io::MutexLock lock(&fatal_mu_);
  if (fatal_.ok()) fatal_ = s;
}

Status NodeImpl::RecordApplied(std::uint64_t index) {
  if (index <= applied_index_.load()) return Status::OK();
  PLEDGER_RETURN_IF_ERROR(
      ledger_->db().Put(ledger::keys::Meta("applied"), AppliedValue(index), /*sync=*/false));
  applied_index_ = index;
  return Status::OK();
}

Status NodeImpl::ApplyEntry(const consensus::Entry& e) {
  if (e.index <= applied_index_.load()) return Status::OK();  // replay after a restart
  if (e.type == consensus::EntryType::kConfChange) {
    PLEDGER_RETURN_IF_ERROR(RecordApplied(e.index));
    PLOG(kInfo, "raft") << "membership change applied at index " << e.index;
    return Status::OK();
  }
  if (e.data.empty()) return RecordApplied(e.index);  // a new leader's no-op

  ledger::Block block;
  auto skip = [&](const std::string& why) {
    ++metrics_.blocks_skipped;
    PLOG(kWarn, "apply") << "skipping Raft entry " << e.index << " (term " << e.term << "): " << why;
    return RecordApplied(e.index);
  };
  if (!block.ParseFromArray(e.data.view().data(), static_cast<int>(e.data.size()))) {
    return skip("not a block");
  }
  auto header = ledger::DecodeBlockHeader(block);
  if (!header.ok()) return skip(header.status().ToString());
  if (header->height() <= applied_height_.load()) {
    // Already in our ledger (fetched during a catch-up).
    return RecordApplied(e.index);
  }
  if (header->raft_index() != e.index || header->raft_term() != e.term) {
    return skip("block carries Raft position " + std::to_string(header->raft_term()) + "/" +
                std::to_string(header->raft_index()) + " but sits at " + std::to_string(e.term) + "/" +
                std::to_string(e.index));
  }
  if (header->tx_count() > ledger::kMaxTxsPerBlock) return skip("too many transactions");
  auto checked = ledger_->blocks().CheckAppend(block);
  if (!checked.ok()) return skip(checked.status().ToString());
  // Ledger time: the header's time must be the one its clock readings give,
  // judged by the voters in our state, which is the state after height - 1.
  ledger::ClockTally clock;
  const std::uint64_t prev_time = header->height() == 1 ? genesis_.genesis_time_ms() : last_applied_time_ms_.load();
  Status timed =
      ledger::CheckBlockTime(genesis_.chain_id(), *header, block, prev_time, ApplyVoters(), &clock, &verified_sigs_);
  if (!timed.ok()) return skip(timed.ToString());
  if (header->height() == fail_apply_at_height_) {
    return Status::IOError("TEST_FAULT_INJECTED", "block " + std::to_string(header->height()) + " not written: " +
                                                      kTestFailApplyEnv + " asked for a failure here");
  }
  return ApplyBlock(e.index, block, *header, clock);
}

// The statistics index (node/stats.h) is derived data: a failure to build it
// must not stop the node applying blocks. Nothing is staged then and the
// index's height stays behind, so the next block first rebuilds the missing
// heights from the stored blocks.
void NodeImpl::StageStats(const ledger::BlockHeader& header, std::span<const contracts::PreparedTx* const> txs,
                          const contracts::BlockOutcome& outcome, leveldb::WriteBatch* batch) {
  std::vector<stats::StatsTx> stx(txs.size());
  for (size_t i = 0; i < txs.size() && i < outcome.txs.size(); ++i) {
    stx[i].body = txs[i]->status.ok() ? &txs[i]->body : nullptr;
    stx[i].receipt = &outcome.txs[i].receipt;
  }
  Status s = stats::StageBlockStats(*ledger_, header, stx, batch);
  if (!s.ok()) {
    PLOG(kWarn, "stats") << "statistics of block " << header.height() << " not indexed: " << s.ToString()
                         << "; retried with the next block";
  }
}

void NodeImpl::CatchUpStatsIndex() {
  auto n = stats::CatchUpStats(*ledger_);
  if (!n.ok()) {
    PLOG(kWarn, "stats") << "statistics index not rebuilt: " << n.status().ToString()
                         << "; retried with the next block";
  } else if (*n > 0) {
    PLOG(kInfo, "stats") << "statistics index built for " << *n << " stored block(s)";
  }
}

Status NodeImpl::ApplyBlock(std::uint64_t raft_index, const ledger::Block& block, const ledger::BlockHeader& header,
                            const ledger::ClockTally& clock, const ledger::BlockResults* expected) {
  static const std::chrono::milliseconds test_delay = TestApplyDelay();
  // In slices, so that stopping the node is not held up by the delay.
  for (auto left = test_delay; left.count() > 0 && !stopped_.load(); left -= std::chrono::milliseconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto start = std::chrono::steady_clock::now();
  const BlockTxs prepared = BlockTxs::Prepare(block, *mempool_, *pool_, ledger_->blocks());
  std::span<const contracts::PreparedTx* const> txs = prepared.txs();
  const size_t n = txs.size();

  contracts::BlockContext ctx{header.chain_id(), header.height(), header.time_ms()};
  contracts::BlockOutcome outcome = engine_.ExecuteBlock(ledger_->state(), ctx, txs);
  if (!outcome.status.ok()) return outcome.status.WithContext("executing block " + std::to_string(header.height()));

  leveldb::WriteBatch extra;
  extra.Put(ledger::keys::Meta("applied"), AppliedValue(raft_index));
  PLEDGER_RETURN_IF_ERROR(contracts::StageHistoryRecords(header, txs, outcome, ledger_->state(), &extra));
  StageStats(header, txs, outcome, &extra);
  StageAttestations(block, header, &extra);
  std::vector<ledger::Hash256> ids;
  ids.reserve(n);
  for (const auto* p : txs) ids.push_back(p->id);
  PLEDGER_RETURN_IF_ERROR(ledger_->CommitBlock(block, outcome.receipts, outcome.writes,
                                               /*sync=*/false, &extra, &ids, expected));
  // The block's transactions leave the mempool before the proposer can see
  // this block as applied: with its pipeline released (a new leader, a
  // skipped block), it would otherwise take one of them into the next block,
  // where it is refused as TX_REPLAYED but sits in the chain twice.
  if (std::chrono::steady_clock::duration shortest{}; mempool_->Remove(ids, &shortest)) {
    admission_->OnCommitted(std::chrono::steady_clock::now(), shortest);
  }
  // Height and time before the index: MaybePropose reads the index, then the
  // height, and one that saw this block's index with the height before it
  // took the block for skipped and proposed its transactions again (CI,
  // faults-partition: a transaction in blocks 1084 and 1085).
  applied_height_ = header.height();
  last_applied_time_ms_ = header.time_ms();
  applied_index_ = raft_index;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
                .count();
  metrics_.apply_us_last = static_cast<std::uint64_t>(us);
  metrics_.apply_us_total += static_cast<std::uint64_t>(us);
  ++metrics_.blocks_applied;
  NoteBlockClock(header, clock);
  AfterBlock(header, ledger::BlockHash(block), std::move(outcome));
  return Status::OK();
}

void NodeImpl::AfterBlock(const ledger::BlockHeader& header, const ledger::Hash256& hash,
                          contracts::BlockOutcome outcome) {
  std::vector<ledger::Hash256> ids;
  ids.reserve(outcome.txs.size());
  bool membership = false;
  for (const auto& tx : outcome.txs) {
    const auto& r = tx.receipt;
    ledger::Hash256 id{};
    if (r.tx_id().size() == 32) std::copy(r.tx_id().begin(), r.tx_id().end(), id.begin());
    ids.push_back(id);
    if (r.code() == "OK") {
      ++metrics_.txs_committed;
    } else {
      ++metrics_.txs_rejected;
    }
    for (const auto& ev : r.events()) {
      // Who may connect: members and keys, and organisations' roots or removal.
      if (ev.type().rfind("validator.", 0) == 0 || ev.type() == "org.tls_roots_set" || ev.type() == "org.removed") {
        membership = true;
      }
    }
  }
  // (ApplyBlock has taken the block's transactions out of the mempool.)
  // Answering waiting clients builds JSON per transaction: keep it off the
  // apply thread, which is the node's one serial stage.
  bool any_waiters;
  {
    io::MutexLock lock(&wait_mu_);
    any_waiters = !waiters_.empty();
  }
  if (any_waiters) {
    auto receipts = std::make_shared<std::vector<ledger::Receipt>>();
    receipts->reserve(outcome.txs.size());
    for (auto& tx : outcome.txs) receipts->push_back(std::move(tx.receipt));
    std::uint64_t height = header.height();
    auto job = [this, receipts, ids, height] {
      for (size_t i = 0; i < ids.size(); ++i) {
        NotifyWaiters(ids[i], (*receipts)[i], height, static_cast<std::uint32_t>(i));
      }
    };
    if (!pool_->Submit(job)) job();
  }
  if (membership) {
    RefreshMembers();
    apply_voters_.reset();  // the next block's voters are this block's result
  }
  // A block fetched by a catch-up is history: the leader neither needs an
  // attestation of it nor a clock reading for it.
  if (!catching_up_.load()) Attest(header, hash);  // with the key in force for this block, before a rotation it made
  if (membership) MaybeInstallRotatedKey();
  if (!catching_up_.load()) SendClockReading();  // the leader's next blocks need a recent reading
}

}  // namespace pledger::node
