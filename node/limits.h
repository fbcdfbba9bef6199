// Named limits of pledgerd, each with the reason for its value. Limits the
// chain itself enforces (transaction size, the per-block cap every node and
// auditor must agree on) live below the node, with the rules they belong to;
// the ones here bound what one node holds in memory, waits for or answers.
//
// Constants only; thread-safe.
#ifndef PLEDGER_NODE_LIMITS_H_
#define PLEDGER_NODE_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "ledger/block.h"
#include "ledger/tx.h"

namespace pledger::node::limits {

// ---- HTTP server -----------------------------------------------------------

// A signed transaction is at most 64 KiB (ledger/tx.h); as JSON with base64 it
// is about 4/3 of that. 1 MiB leaves room and caps a hostile client.
inline constexpr std::size_t kHttpBodyBytesMax = 1u << 20;
// Headers of a real client are a few hundred bytes.
inline constexpr std::size_t kHttpHeaderBytesMax = 16u << 10;
// A client that dribbles a request is cut off after this.
inline constexpr std::uint64_t kHttpReadTimeoutMs = 15'000;
// Time to write one response; long-polls hold a connection by their own limit.
inline constexpr std::uint64_t kHttpWriteTimeoutMs = 15'000;
// Concurrent connections: each costs a socket and a buffer. Admission
// (node/http_server.h): past 3/4 of this, each new connection closes the
// oldest connection that is waiting for a request (idle, or dribbling one),
// taken from the address holding the most; when every connection is busy
// with a request, a new one gets 503 and Retry-After. A connection costs a
// socket and a few KiB; pledgerd raises its descriptor limit to allow this.
inline constexpr std::size_t kHttpConnectionsMax = 1024;
// One client address may hold at most this many; past it, its own oldest
// waiting connection makes room (or, if all are busy, 503). A bank's proxy
// or core system is one address with hundreds of long-polls in flight (as
// pledger-bench's 256 clients are); half the whole serves it and leaves the
// other half to everyone else.
inline constexpr std::size_t kHttpConnectionsPerAddressMax = kHttpConnectionsMax / 2;
// Refusals answered at once with 503 (each costs a TLS handshake on HTTPS);
// past this, excess connections are closed without an answer.
inline constexpr std::size_t kHttpRefusalsInFlightMax = 64;
// A refused or evicted connection is logged at most once per this interval,
// with the counts since the last line (a flood must not flood the log).
inline constexpr std::uint64_t kHttpRefusalLogIntervalMs = 10'000;

// ---- API answers -----------------------------------------------------------

// ?wait=MS on POST /v1/txs and GET /v1/txs/{id}: a long-poll holds a
// connection and a waiter entry; a minute covers any healthy commit.
inline constexpr std::uint64_t kWaitMsMax = 60'000;
// POST /v1/txs/batch: transactions in one request. One work-pool job
// admits the whole batch (a signature check and a mempool insert each, some
// 50-100 us), so 256 hold one worker for tens of milliseconds at most, and
// with ?wait take 256 of kWaitersMax; a bank's system gains little beyond
// this, as the per-request cost is already under 1 us a transaction.
inline constexpr std::size_t kTxBatchTxsMax = 256;
// Bytes of the batch's transactions (serialized, summed). A pledge is about
// 1 KiB, so 256 of them fit with room; the bound keeps the JSON form (base64,
// 4/3) under kHttpBodyBytesMax so a client meets this code, not 413
// REQUEST_TOO_LARGE from the HTTP layer, for a batch just too big.
inline constexpr std::size_t kTxBatchBytesMax = 512u << 10;
// Clients waiting at once (?wait); then 503 TOO_MANY_WAITERS. A waiter is a
// callback and an id, so the table stays under a few MiB; it is larger than
// kHttpConnectionsMax because a waiter whose client left stays until it expires.
inline constexpr std::size_t kWaitersMax = 20'000;
// Headers in one GET /v1/blocks answer: each is decoded and re-encoded as JSON.
inline constexpr std::uint64_t kBlockListMax = 100;
// Blocks and bytes in one GET /v1/raw/blocks answer (pledger-audit reads in
// pages of this size); the byte bound keeps one answer well under a second.
inline constexpr std::uint64_t kRawBlocksMax = 500;
inline constexpr std::size_t kRawBlocksBytesMax = 16u << 20;
// Organisations in one GET /v1/orgs answer; more set `truncated`.
inline constexpr std::size_t kOrgListMax = 1'000;
// History entries per page (contracts::QueryHistory clamps to the same
// bound), and the page size when the client names none.
inline constexpr std::uint64_t kHistoryPageMax = 1'000;
inline constexpr std::uint64_t kHistoryPageDefault = 100;

// ---- blocks the leader cuts ------------------------------------------------

// Defaults of block.max_txs / block.max_bytes / block.interval_ms: large
// enough to amortise a block's fsync and Raft round, small enough that one
// block applies in tens of milliseconds.
inline constexpr std::size_t kBlockTxsDefault = 2'000;
inline constexpr std::size_t kBlockBytesDefault = 4u << 20;
inline constexpr std::uint64_t kBlockIntervalMsDefault = 5;
// Upper bound of block.max_bytes: one block is one Raft entry and must fit
// kRaftEntryBytesMax and the 32 MiB peer frame with room to spare. (The cap
// on block.max_txs is the chain's own per-block cap, ledger::kMaxTxsPerBlock.)
inline constexpr std::size_t kBlockBytesMax = 8u << 20;
// Blocks the leader keeps between proposal and execution. Two overlap one
// block's replication with the previous block's execution; more buys little
// (execution is the serial stage) and each must stay within kMaxStateRootLag.
inline constexpr std::uint64_t kPipelineDepth = 2;

// ---- Raft driver -----------------------------------------------------------

// Default tick (raft.tick_ms) and election/heartbeat timeouts in ticks: a
// leader is replaced within 1-2 s and heartbeats cost little.
inline constexpr std::uint64_t kTickMsDefault = 100;
inline constexpr int kElectionTicksDefault = 10;
inline constexpr int kHeartbeatTicksDefault = 1;
// Bytes of entries in one AppendEntries message (consensus Config): batches
// catch-up without holding more than this per message in memory.
inline constexpr std::uint64_t kRaftMsgBytesMax = 4u << 20;
// Largest Raft entry a node accepts: a maximal block plus its header.
inline constexpr std::uint64_t kRaftEntryBytesMax = 16u << 20;
// Raft messages and forwarded transactions waiting for the Raft thread. A
// node that cannot keep up drops Raft messages beyond this (Raft retransmits)
// rather than queue without bound.
inline constexpr std::size_t kRaftTasksMax = 20'000;
// Applied entries kept in the Raft log before the node snapshots the ledger
// position and compacts (default of raft_log_retain).
inline constexpr std::uint64_t kLogRetainDefault = 1'000;
// A learner is promoted to voter once its log is within this many entries of
// the commit index, so the promotion does not stall commits.
inline constexpr std::uint64_t kLearnerCaughtUpEntries = 10;

// ---- mempool, admission and forwarding ---------------------------------------

// Default mempool bounds (mempool.max_txs / max_bytes); then 503 MEMPOOL_FULL.
inline constexpr std::size_t kMempoolTxsDefault = 100'000;
inline constexpr std::size_t kMempoolBytesDefault = 256u << 20;
// Mempool hygiene (issue 17): a transaction still pending this long after it
// arrived (or after it was last looked at) is checked again: removed if a
// block already carries it or it is no longer admissible (expired, replayed),
// otherwise forwarded to the leader again (a forward can be lost while
// leadership moves). Commit takes well under a second, so 10 s is "stuck",
// and a backlog costs the leader at most one extra check per transaction per
// 10 s.
inline constexpr std::uint64_t kMempoolSweepAgeMs = 10'000;
// Transactions looked at per sweep (one sweep per housekeeping interval).
inline constexpr std::size_t kMempoolSweepMax = 1'024;
// Jobs queued on the work pool (signature checks, catch-up serving); beyond
// this submissions get 503 NODE_BUSY instead of growing the queue.
inline constexpr std::size_t kWorkQueueMax = 65'536;
// Pending transactions a follower hands a new leader at once.
inline constexpr std::size_t kForwardOnLeaderChangeMax = 20'000;
// Bytes of forwarded transactions per peer frame: well under the frame limit.
inline constexpr std::size_t kForwardFrameBytes = 4u << 20;

// The Raft thread's housekeeping period: expiring ?wait clients, checking for
// log compaction, releasing idle catch-up sessions. A waiter is answered at
// most this late after its deadline.
inline constexpr std::uint64_t kHousekeepingIntervalMs = 1'000;

// ---- ledger time (docs/node.md "Ledger time") -------------------------------

// A voter sends the leader a signed clock reading after every block it
// applies and, while idle, every housekeeping period (1 s).
// The leader asks the voters for fresh readings when it lacks a majority of
// readings received after its oldest waiting transaction arrived (so a block
// never dates a transaction before it reached the leader), at most this
// often: one round trip between peers, well under the 5 ms block interval
// times a few.
inline constexpr std::uint64_t kClockRequestIntervalMs = 20;
// How long the leader waits for the readings of every voter it has heard
// from in the last 2 s before it settles for a majority: a full set keeps the
// date between honest clocks even when the leader's own clock is slow; a
// voter that stopped answering must not stall every block.
inline constexpr std::uint64_t kClockWaitAllMs = 100;
// A block with no transactions (attestations only) takes readings received
// in the last 2 s: two of the idle sends.
inline constexpr std::uint64_t kClockReadingFreshMs = 2'000;
// The node logs that its own clock is off at most this often.
inline constexpr std::uint64_t kClockSkewWarnIntervalMs = 60'000;

// ---- attestations ----------------------------------------------------------

// Attestations waiting at the leader. Beyond this (a long leaderless spell)
// the oldest are dropped: they only delay the "attested" status.
inline constexpr std::size_t kPendingAttestationsMax = 20'000;
// Attestations the leader puts in one block: a few blocks' worth of every
// validator's signature, a small share of the block's bytes.
inline constexpr std::size_t kAttestationsPerBlockMax = 2'000;

// ---- admission control (node/admission.h) ----------------------------------

// The wait, admission to commit, above which a queue is taken to stand in
// front of every transaction. The leader commits a transaction in 5-20 ms
// when it is not queued (one block interval, a Raft round with fsync, the
// apply); a follower's clients wait a forward and a commit notice more, and
// at saturation a follower applies some tens of ms behind the leader. 50 ms
// throttled the followers' clients at full load and cost 10-15 % of the
// throughput; 100 ms keeps p99 near 150 ms at 256 clients for about 3 %
// (docs/performance.md, issue 20).
inline constexpr std::uint64_t kAdmissionTargetMsDefault = 100;
inline constexpr std::uint64_t kAdmissionIntervalMs = 100;
// The limit never drops below this many in flight per node, so a node whose
// commits are slow for other reasons (a slow disk) still takes some work.
inline constexpr std::size_t kAdmissionLimitMin = 8;
inline constexpr std::size_t kAdmissionLimitInitial = 256;
// The hint a refused client gets: about one interval, by when the limit has
// been judged again and some transactions have committed.
inline constexpr std::uint64_t kAdmissionRetryAfterMs = 100;

// Clock readings and attestations whose signatures the node remembers having
// verified (ledger/verified_signatures.h): a block's few readings and
// attestations are met up to four times between arrival and apply, within a
// few blocks; 8,192 digests (~1 MB) cover hundreds of blocks.
inline constexpr std::size_t kVerifiedSignaturesMax = 8'192;

// ---- catch-up (blocks fetched from a peer and executed) --------------------

// A peer that has not answered a catch-up request by then is given up on,
// and the next one is asked.
inline constexpr std::uint64_t kCatchupRequestTimeoutMs = 15'000;
// Blocks and bytes in one block response: one peer frame, well under
// kPeerFrameBytesMax.
inline constexpr std::size_t kCatchupBlocksPerResponse = 256;
inline constexpr std::size_t kCatchupResponseBytesMax = 8u << 20;

// ---- peer transport --------------------------------------------------------

// A block entry carries up to kBlockBytesMax of transactions and a Raft
// append batches a few entries; 32 MiB leaves room and caps a hostile peer's
// allocation.
inline constexpr std::size_t kPeerFrameBytesMax = 32u << 20;
// Frames and bytes queued for one peer: Raft tolerates drops, memory must not grow.
inline constexpr std::size_t kPeerQueueFramesMax = 4'096;
inline constexpr std::size_t kPeerQueueBytesMax = 64u << 20;
// Concurrent inbound connections: more means someone is opening sockets at
// us; the extra are closed at once.
inline constexpr std::size_t kPeerInboundMax = 64;
// TLS handshake, idle inbound link (keepalives flow every third of it), and
// one frame's write.
inline constexpr std::uint64_t kPeerHandshakeTimeoutMs = 5'000;
inline constexpr std::uint64_t kPeerIdleTimeoutMs = 15'000;
inline constexpr std::uint64_t kPeerWriteTimeoutMs = 10'000;
// Redial back-off: fast after a blip, at most a few seconds after an outage.
inline constexpr std::uint64_t kPeerReconnectMinMs = 100;
inline constexpr std::uint64_t kPeerReconnectMaxMs = 5'000;
// A link that stayed up this long earns the fast redial again. One cut sooner
// is a peer that completes the TLS handshake and then refuses us (under TLS
// 1.3 the client is done before the server has checked its certificate): it
// keeps backing off, so a refused node redials, and logs, once every 5 s
// (kPeerReconnectMaxMs) rather than ten times a second.
inline constexpr std::uint64_t kPeerStableLinkMs = 1'000;

// ---- files ---------------------------------------------------------------------

// The node's key file is one PEM key; anything larger is not a key file.
inline constexpr std::size_t kKeyFileBytesMax = 64u << 10;

// ---- request authentication (node/auth/) ------------------------------------

// A signed request's timestamp may differ from the node's clock by at most
// this, either way. Clients keep time by NTP to well under a second; a minute
// absorbs a badly kept clock, and bounds how long a captured request stays
// usable and how long the node must remember its nonce.
inline constexpr std::uint64_t kAuthClockSkewMs = 60'000;
// Nonces of accepted signed requests, remembered until their timestamp leaves
// the window (at most 2 x kAuthClockSkewMs). An entry costs about 100 bytes,
// so the cache stays under ~25 MiB; 250,000 covers ~4,000 signed requests a
// second for a minute. When full, signed requests are refused (503
// AUTH_BUSY) rather than the cache growing; bearer tokens need no nonce, so
// busy clients use one.
inline constexpr std::size_t kAuthNonceCacheMax = 250'000;
// Tokens whose signature was checked, remembered so a session's later
// requests skip the Ed25519 verification (node/auth/authenticator.h). An
// entry is ~300 bytes; 20,000 live sessions is ~6 MiB. When full of live
// tokens it is emptied, not grown: tokens are then verified again.
inline constexpr std::size_t kAuthVerifiedTokensMax = 20'000;
// Lifetime of a bearer token: long enough for a browser session's burst of
// reads, short enough that a leaked token is soon worthless. Suspension takes
// effect at once regardless (checked on every use).
inline constexpr std::uint64_t kAuthTokenLifetimeMs = 15 * 60'000;

static_assert(kPipelineDepth >= 1 && kPipelineDepth <= ledger::kMaxStateRootLag,
              "a header may only name the state of the last kMaxStateRootLag blocks");
static_assert(kBlockBytesDefault <= kBlockBytesMax);
static_assert(kBlockBytesMax < kRaftEntryBytesMax, "a maximal block must fit one Raft entry");
static_assert(ledger::kMaxTxBytes * 4 / 3 + 1024 < kHttpBodyBytesMax,
              "a maximal transaction as JSON must fit the HTTP body limit");
static_assert(kHistoryPageDefault <= kHistoryPageMax);
static_assert(kTxBatchBytesMax * 4 / 3 + kTxBatchTxsMax * 1024 < kHttpBodyBytesMax,
              "a batch at the byte limit as JSON must fit the HTTP body limit");
static_assert(kTxBatchBytesMax >= ledger::kMaxTxBytes, "a batch must hold at least one maximal transaction");
static_assert(kTxBatchTxsMax * 8 <= kWaitersMax, "a batch ?wait must take a small share of the waiter table");

static_assert(kRaftEntryBytesMax < kPeerFrameBytesMax, "a maximal Raft entry must fit one peer frame");
static_assert(kCatchupResponseBytesMax + kBlockBytesMax < kPeerFrameBytesMax,
              "a catch-up response must fit one peer frame");
static_assert(kForwardFrameBytes < kPeerFrameBytesMax);
static_assert(kAuthClockSkewMs < kAuthTokenLifetimeMs);

// Certificates: operators are warned (status, wallet status, a daily log
// line) this many days before one expires: a month leaves time to obtain and
// roll out a renewal across organisations.
inline constexpr std::int64_t kCertWarnDays = 30;

}  // namespace pledger::node::limits

#endif  // PLEDGER_NODE_LIMITS_H_
