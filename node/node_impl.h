// NodeImpl: the inside of pledgerd (node/node.h is the outside).
//
// Threads and what they own (checked by clang: fields are GUARDED_BY a lock
// or by the role of the one thread that owns them, ledger/io/sync.h):
//   raft thread   the RawNode, the proposer, Raft log storage writes
//                 (raft_thread_). Everything else talks to it by posting
//                 tasks (PostRaft).
//   apply thread  executes committed blocks through the contracts and commits
//                 them to the ledger (ApplyLoop); signs attestations
//                 (apply_thread_).
//   peer io       the mutual-TLS transport (one thread: its handlers never race).
//   api io        the HTTP server.
//   work pool     signature verification and other CPU work (both cores).
//
// Ready handling (raft thread, HandleReady), in the order consensus/raw_node.h
// prescribes: send the messages that may go early; write snapshot, entries and
// hard state to the LevelDB log (fsync when must_sync); hand committed entries
// to the applier; Advance; then send the messages that wait for durability.
// The applier writes blocks without fsync: they share the one LevelDB write-
// ahead log with the Raft log, so the next synced Raft write covers them, and
// after a crash the node re-applies from its durable applied index (kept in
// the same batch as each block).
//
// Proposing: only the leader. With nothing of its own in flight it first
// waits until every entry in its log is applied (so the block links to the
// true tip); then it pipelines, keeping up to limits::kPipelineDepth blocks
// between proposal and execution, each header naming the roots of the latest
// block it has executed. See docs/node.md.
#ifndef PLEDGER_NODE_NODE_IMPL_H_
#define PLEDGER_NODE_NODE_IMPL_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "consensus/random.h"
#include "consensus/raw_node.h"
#include "consensus/storage.h"
#include "contracts/engine.h"
#include "contracts/proto/state.pb.h"
#include "ledger/block_time.h"
#include "ledger/io/clock.h"
#include "ledger/io/proto/config.pb.h"
#include "ledger/io/sync.h"
#include "ledger/io/work_pool.h"
#include "ledger/ledger.h"
#include "node/api/backend.h"
#include "node/api/waiters.h"
#include "node/auth/authenticator.h"
#include "node/auth/state_directory.h"
#include "ledger/io/pki.h"
#include "node/http_server.h"
#include "node/admission.h"
#include "node/limits.h"
#include "node/mempool.h"
#include "node/proto/node.pb.h"
#include "node/transport.h"

namespace pledger::node {

// Raft ids are 64-bit; node ids are names. The mapping is a hash, the same on
// every node: the first 8 bytes of SHA-256("pledger-raft-id:" + node id), with
// the top bit cleared and 0 avoided.
std::uint64_t RaftIdOf(const std::string& node_id);

// What the node knows about another member (from the ledger's validator set
// and the configuration file).
struct Member {
  std::string node_id;
  std::uint64_t raft_id = 0;
  std::optional<ledger::PublicKey> key;  // from the ledger; absent for config-only peers
  // The key before the last rotation, and the block that rotated it: blocks
  // up to key_height were attested with previous_key (KeyAt).
  std::optional<ledger::PublicKey> previous_key;
  std::uint64_t key_height = 0;
  std::uint64_t key_time_ms = 0;  // ledger time of block key_height (0: not stored here)
  std::string org_id;
  std::vector<std::string> tls_roots;    // DER: its organisation's roots on the ledger
  bool org_removed = false;
  std::string address;                   // host:port of its peer listener
  bool voter = false;                    // on-ledger role VOTER
  bool on_ledger = false;
};

// Counters for /metrics and /v1/status.
struct Metrics {
  std::atomic<std::uint64_t> txs_committed{0};
  std::atomic<std::uint64_t> txs_rejected{0};     // committed with a non-OK receipt
  std::atomic<std::uint64_t> txs_submitted{0};    // admitted through this node's API
  std::atomic<std::uint64_t> txs_refused{0};      // refused at admission
  std::atomic<std::uint64_t> blocks_applied{0};
  std::atomic<std::uint64_t> blocks_skipped{0};   // invalid entries ignored by every node
  std::atomic<std::uint64_t> blocks_proposed{0};
  std::atomic<std::uint64_t> apply_us_total{0};
  std::atomic<std::uint64_t> apply_us_last{0};
  std::atomic<std::uint64_t> raft_msgs_dropped{0};
  std::atomic<std::uint64_t> state_root_mismatches{0};
  std::atomic<std::uint64_t> key_install_failures{0};  // the ledger rotated our key; none staged
};

class NodeImpl : public ApiBackend {
 public:
  NodeImpl(config::NodeConfig config, std::string base_dir, const io::Clock& clock);
  ~NodeImpl();

  Status Start();
  void Stop();
  std::uint16_t api_port() const;
  std::uint16_t peer_port() const;
  // Node::ReloadCertificates.
  Status ReloadCertificates();

  // ---- ApiBackend (api.cc): all the HTTP handlers see of the node ----
  ledger::Ledger& ledger() override;
  const std::string& genesis_file() const override;
  std::uint64_t last_block_time_ms() const override;
  std::uint64_t next_block_time_ms() const override;
  Result<std::vector<ledger::Attestation>> BlockAttestations(std::uint64_t height) override;
  std::set<std::string> VotingValidators() override;
  Status Health() override;
  std::string StatusJson() override;
  std::string MetricsText() override;
  bool InMempool(const ledger::Hash256& id) override;
  bool RunOnWorkPool(std::function<void()> job) override;
  Status AdmitFromClient(std::string raw, ledger::Hash256* id) override;
  std::optional<WaiterTable::Ticket> AddWaiter(const ledger::Hash256& id, Waiter waiter) override;
  std::optional<Waiter> RemoveWaiter(const WaiterTable::Ticket& ticket) override;
  Result<AuthenticatedReader> Authenticate(const HttpRequest& req) override;
  std::optional<Result<AuthenticatedReader>> AuthenticateCheap(const HttpRequest& req) override;
  Result<api::TokenView> IssueToken(const AuthenticatedReader& reader) override;
  bool AnonymousReadsAllowed() const override;
  const std::string& chain_id() const override { return config_.chain_id(); }

 private:
  // ---- raft thread (node.cc) ----
  void PostRaft(std::function<void()> task);
  void RaftLoop();  // the raft thread's body: assumes raft_thread_
  void HandleReady() REQUIRES(raft_thread_);
  void MaybePropose() REQUIRES(raft_thread_);
  void MaybeCompact() REQUIRES(raft_thread_);
  void ReconcileMembership() REQUIRES(raft_thread_);
  void PublishRaftStatus() REQUIRES(raft_thread_);
  void OnRaftFrame(const std::string& from, std::string bytes);

  // ---- apply thread (applier.cc) ----
  struct ApplyItem {
    consensus::Entry entry;
    std::optional<consensus::Snapshot> snapshot;  // set: install this snapshot
  };
  void EnqueueApply(std::vector<consensus::Entry> entries);
  void EnqueueSnapshot(const consensus::Snapshot& snap);
  void ApplyLoop();  // the apply thread's body: assumes apply_thread_
  // The statistics index (node/stats.h): staged with each block; rebuilt
  // from stored blocks after a catch-up, at start, or when it fell behind.
  void StageStats(const ledger::BlockHeader& header, std::span<const contracts::PreparedTx* const> txs,
                  const contracts::BlockOutcome& outcome, leveldb::WriteBatch* batch) REQUIRES(apply_thread_);
  void CatchUpStatsIndex();
  Status ApplyEntry(const consensus::Entry& e) REQUIRES(apply_thread_);
  // Executes and commits a checked block; `raft_index` is recorded as
  // applied with it. `expected`: the results a peer recorded (catch-up); the
  // block is not written unless this node's execution gives the same roots.
  Status ApplyBlock(std::uint64_t raft_index, const ledger::Block& block, const ledger::BlockHeader& header,
                    const ledger::ClockTally& clock, const ledger::BlockResults* expected = nullptr)
      REQUIRES(apply_thread_);
  Status RecordApplied(std::uint64_t index);
  // OK while the applier runs; the error that stopped it after.
  Status Fatal() const EXCLUDES(fatal_mu_);
  void SetFatal(const Status& s) EXCLUDES(fatal_mu_);
  void AfterBlock(const ledger::BlockHeader& header, const ledger::Hash256& hash,
                  contracts::BlockOutcome outcome) REQUIRES(apply_thread_);  // takes the receipts for waiting clients

  // ---- catch-up (catchup.cc) ----
  // True while this node's ledger is behind what Raft has committed (a
  // catch-up, or entries not yet applied). Any thread.
  bool Lagging() EXCLUDES(status_mu_);
  Status InstallSnapshot(const consensus::Snapshot& snap) REQUIRES(apply_thread_);
  // Fetches blocks up to `target` from `peer` and executes each (catch-up).
  Status FetchAndExecute(const std::string& peer, std::uint64_t target) REQUIRES(apply_thread_);
  Status ExecuteFetchedBlock(const ledger::Block& block, const ledger::BlockResults& results)
      REQUIRES(apply_thread_);
  bool CatchupIdle() const;
  void ServeCatchup(const std::string& from, const PeerMessage& msg);  // work pool
  void OnCatchupResponse(const std::string& from, PeerMessage msg);   // peer io
  Result<PeerMessage> CatchupRequest(const std::string& peer, PeerMessage req);

  // ---- attestations (attest.cc) ----
  void Attest(const ledger::BlockHeader& header, const ledger::Hash256& hash) REQUIRES(apply_thread_);
  void AddPendingAttestation(std::string bytes, std::uint64_t height);
  void OnAttestation(const std::string& from, const std::string& bytes);  // peer io
  bool HasPendingAttestations();
  std::vector<std::string> TakeAttestations(std::uint64_t height);
  void ReturnAttestations(const std::vector<std::string>& taken);
  void StageAttestations(const ledger::Block& block, const ledger::BlockHeader& header,
                         leveldb::WriteBatch* batch) REQUIRES(apply_thread_);
  Result<std::vector<ledger::Attestation>> AttestationsOf(std::uint64_t height);

  // ---- ledger time (clock.cc; docs/node.md "Ledger time") ----
  // Voters with keys in members_ (the state after the latest applied block).
  ledger::VoterKeys MemberVoters();
  // Marks a reading or attestation this node signed as verified, so its own
  // signatures are never checked by itself (verified_sigs_).
  void RememberOwn(const std::string& signed_bytes, const std::string& signature);
  // Voters in the state after the latest applied block, for the applier
  // (cached until a block changes the validator set, or a catch-up).
  const ledger::VoterKeys& ApplyVoters() REQUIRES(apply_thread_);
  // A voter signs (applied height, clock_.NowMs()) and sends it to the
  // leader (`leader`, or the one in raft_status_ for 0). Any thread; no-op on
  // the leader itself and on non-voters.
  void SendClockReading(std::uint64_t leader = 0);
  void OnClockReading(const std::string& from, const std::string& bytes);  // peer io
  void OnClockRequest(const std::string& from);                           // peer io
  // Leader: the readings for block `height` into *out (its own, fresh, and
  // every voter's latest received at or after `fresh_after`, sorted by
  // validator), and true, once it has them from every voter heard from
  // lately, or from a majority after kClockWaitAllMs. Until then false, and
  // the missing voters are asked (at most every kClockRequestIntervalMs).
  bool ClockReadingsFor(std::uint64_t height, const ledger::VoterKeys& voters,
                        std::chrono::steady_clock::time_point fresh_after, std::vector<std::string>* out)
      REQUIRES(raft_thread_);
  // After applying a block: the offsets for status and metrics, and the
  // once-a-minute warning when this node's own clock is off.
  void NoteBlockClock(const ledger::BlockHeader& header, const ledger::ClockTally& clock) REQUIRES(apply_thread_);

  // ---- admission (node.cc) ----
  // Decodes, verifies and admits a client transaction; forwards it to the
  // leader when this node is not the leader. Called on the work pool.
  Status Admit(std::string raw, bool from_peer, ledger::Hash256* id);
  // To `leader` (a Raft id; 0: the leader in the published status).
  void ForwardPending(const std::vector<std::string>& raw, std::uint64_t leader = 0);
  // Mempool hygiene (issue 17, mempool.h): stale transactions removed when
  // committed or inadmissible, otherwise forwarded to the leader again.
  // Work pool.
  void SweepMempool();
  void OnPeerMessage(const std::string& from, PeerMessage msg);

  // ---- membership (node.cc) ----
  void RefreshMembers();
  // Whether a peer may talk to us (transport.h Authorizer): admitted on the
  // ledger with the key it presents, its organisation not removed, and its
  // certificate chains to a root of that organisation in force now (the
  // tls_ca_file only for peers the ledger does not know, or whose
  // organisation lists no roots).
  Status Authorize(const PeerCertificate& peer);
  // The key `m` signed block `height`'s attestation with.
  static std::optional<ledger::PublicKey> KeyAt(const Member& m, std::uint64_t height);
  // The node key in force now (attestations, clock readings, tokens). A
  // rotation swaps it; holders of the old pointer finish with the old key.
  std::shared_ptr<const ledger::SecretKey> NodeKey() const;
  // After a block changed validators: if the ledger now names another key
  // for this node, install the staged one (<tls_key_file>.next and
  // <tls_cert_file>.next, from pledger-admin rotate-key): files, signing key
  // and TLS contexts. Logs loudly if none is staged.
  void MaybeInstallRotatedKey();
  Status InstallStagedKey(const ledger::PublicKey& want);
  std::string NodeIdOfRaft(std::uint64_t raft_id);

  // ---- API (api.cc) ----
  // Requests go through the route table (node/api/routes.h); the handlers
  // reach the node only through its ApiBackend side below.
  void HandleHttp(HttpRequest req, HttpResponder respond);
  // Certificates and their expiry (api.cc): own, CA, and each peer's as
  // presented at its last connection; and the daily warning in the last
  // kCertWarnDays (raft thread's housekeeping).
  std::vector<api::CertificateView> Certificates();
  void WarnCertExpiry();
  // The metrics listener (metrics_listen): /metrics and /healthz only.
  void HandleMetricsHttp(HttpRequest req, HttpResponder respond);
  void NotifyWaiters(const ledger::Hash256& id, const ledger::Receipt& receipt,
                     std::uint64_t height, std::uint32_t index);
  void ExpireWaiters();

  // ---- thread roles ----
  // State one thread owns is GUARDED_BY its role (ledger/io/sync.h): code
  // that touches it REQUIRES the role, and only that thread's loop (and the
  // tasks posted to it) assumes it, so clang refuses a read from elsewhere.
  io::ThreadRole raft_thread_;
  io::ThreadRole apply_thread_;

  // ---- configuration ----
  config::NodeConfig config_;
  const io::Clock& clock_;  // block times (leader); thread-safe
  std::string base_dir_;
  std::string node_id_;
  std::uint64_t raft_id_ = 0;
  mutable io::Mutex key_mu_;
  std::shared_ptr<const ledger::SecretKey> node_key_ GUARDED_BY(key_mu_);
  std::vector<std::string> local_roots_;  // DER, from tls_ca_file (optional); set in Start
  std::string genesis_bytes_;
  contracts::Genesis genesis_;
  // The state genesis_ makes: what a record unchanged since genesis was at
  // any height (history has no version record for it).
  ledger::WriteSet genesis_state_;
  std::chrono::milliseconds tick_{limits::kTickMsDefault};
  std::chrono::milliseconds block_interval_{limits::kBlockIntervalMsDefault};
  size_t block_max_txs_ = limits::kBlockTxsDefault;
  size_t block_max_bytes_ = limits::kBlockBytesDefault;
  std::uint64_t log_retain_ = limits::kLogRetainDefault;
  // Test seam: the environment variable below makes the applier fail, as a
  // failed write would, at this height (0: never), so tests can watch the
  // node stop applying and report it. Like the test clock, no config field
  // or request can set it, and the node warns at start when it is set.
  static constexpr const char* kTestFailApplyEnv = "PLEDGER_TEST_FAIL_APPLY_AT";
  std::uint64_t fail_apply_at_height_ = 0;
  // Tests: writing Raft log entries at or past this index fails (issue 17).
  static constexpr const char* kTestFailRaftWriteEnv = "PLEDGER_TEST_FAIL_RAFT_WRITE_AT";
  std::uint64_t fail_raft_write_at_ = 0;

  // ---- storage and execution ----
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<consensus::MutableLogStorage> raft_storage_;
  std::unique_ptr<consensus::SeededRandom> random_;
  std::unique_ptr<consensus::RawNode> raw_ PT_GUARDED_BY(raft_thread_);
  contracts::Engine engine_;
  std::unique_ptr<Mempool> mempool_;
  std::unique_ptr<AdmissionGate> admission_;  // clients' transactions in flight (issue 20)
  std::unique_ptr<io::WorkPool> pool_;
  // Readings' and attestations' signatures verified once per node, not at
  // arrival, proposal and apply each (issue 20). Thread-safe.
  ledger::VerifiedSignatures verified_sigs_{limits::kVerifiedSignaturesMax};

  // ---- networking ----
  boost::asio::io_context peer_io_;
  boost::asio::io_context api_io_;
  std::unique_ptr<PeerTransport> transport_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<HttpServer> metrics_http_;  // null without metrics_listen
  // Who is asking (node/auth/): accounts and validator keys from the state.
  std::unique_ptr<StateAccountDirectory> accounts_;
  std::unique_ptr<RequestAuthenticator> auth_;
  io::CertValidity own_cert_ GUARDED_BY(key_mu_);  // replaced by a reload or rotation
  std::optional<io::CertValidity> ca_cert_;  // tls_ca_file's first certificate; set in Start
  // When each certificate (by kind/subject) was last warned about; raft thread.
  std::map<std::string, std::chrono::steady_clock::time_point> cert_warned_;
  std::vector<std::thread> threads_;

  // ---- raft thread queue ----
  io::Mutex raft_mu_;
  io::CondVar raft_cv_;
  std::deque<std::function<void()>> raft_tasks_ GUARDED_BY(raft_mu_);
  bool stopping_ GUARDED_BY(raft_mu_) = false;
  std::atomic<bool> stopped_{false};
  // Raft thread: our latest proposed block not yet known to be applied.
  struct InFlight {
    std::uint64_t height = 0;
    ledger::Hash256 hash{};
    std::uint64_t time_ms = 0;
    std::uint64_t raft_index = 0;
    std::uint64_t term = 0;
  };
  std::optional<InFlight> in_flight_ GUARDED_BY(raft_thread_);
  std::uint64_t last_leader_ GUARDED_BY(raft_thread_) = 0;  // to re-forward on leader change

  // ---- apply queue ----
  io::Mutex apply_mu_;
  io::CondVar apply_cv_;
  std::deque<ApplyItem> apply_queue_ GUARDED_BY(apply_mu_);
  // To install before anything else.
  std::optional<consensus::Snapshot> pending_snapshot_ GUARDED_BY(apply_mu_);
  bool apply_stopping_ GUARDED_BY(apply_mu_) = false;
  std::atomic<std::uint64_t> applied_index_{0};
  std::atomic<std::uint64_t> applied_height_{0};
  std::atomic<std::uint64_t> last_applied_time_ms_{0};  // written by the apply thread
  // The first error that stopped the applier. Written by the apply thread,
  // read by the API thread (health, status): hence the lock.
  mutable io::Mutex fatal_mu_;
  Status fatal_ GUARDED_BY(fatal_mu_);

  // ---- catch-up ----
  std::atomic<bool> catching_up_{false};
  io::Mutex catchup_mu_;
  io::CondVar catchup_cv_;
  std::uint64_t catchup_request_id_ GUARDED_BY(catchup_mu_) = 0;
  std::string catchup_peer_ GUARDED_BY(catchup_mu_);
  std::optional<PeerMessage> catchup_reply_ GUARDED_BY(catchup_mu_);

  // ---- attestations ----
  io::Mutex attest_mu_;
  // (height, bytes)
  std::deque<std::pair<std::uint64_t, std::string>> pending_attestations_ GUARDED_BY(attest_mu_);
  std::map<std::uint64_t, std::uint32_t> recent_tx_counts_ GUARDED_BY(attest_mu_);  // height -> tx count
  // Apply thread only: (state root, block hash) of the last 256 applied
  // blocks, to check attestations without parsing stored results.
  std::map<std::uint64_t, std::pair<ledger::Hash256, ledger::Hash256>> recent_roots_ GUARDED_BY(apply_thread_);

  // ---- ledger time ----
  struct HeldReading {
    std::uint64_t after_height = 0;
    std::uint64_t clock_ms = 0;
    std::string bytes;  // exact, as signed
    std::chrono::steady_clock::time_point received;
  };
  io::Mutex clock_mu_;
  std::map<std::string, HeldReading> held_readings_ GUARDED_BY(clock_mu_);  // leader: latest per voter
  std::vector<std::pair<std::string, std::int64_t>> clock_offsets_ GUARDED_BY(clock_mu_);  // last block
  bool clock_skewed_ GUARDED_BY(clock_mu_) = false;
  std::uint64_t clock_skew_max_ms_ GUARDED_BY(clock_mu_) = 0;
  std::chrono::steady_clock::time_point last_clock_request_ GUARDED_BY(raft_thread_){};
  std::chrono::steady_clock::time_point clock_wait_since_ GUARDED_BY(raft_thread_){};
  std::chrono::steady_clock::time_point last_skew_warning_ GUARDED_BY(apply_thread_){};
  std::optional<ledger::VoterKeys> apply_voters_ GUARDED_BY(apply_thread_);

  // ---- members ----
  io::Mutex members_mu_;
  std::map<std::string, Member> members_ GUARDED_BY(members_mu_);  // by node id
  bool self_on_ledger_ GUARDED_BY(members_mu_) = false;  // this node is admitted on its ledger

  // ---- status published by the raft thread ----
  mutable io::Mutex status_mu_;
  consensus::NodeStatus raft_status_ GUARDED_BY(status_mu_);

  // ---- waiters ----
  io::Mutex wait_mu_;
  WaiterTable waiters_ GUARDED_BY(wait_mu_){limits::kWaitersMax};

  Metrics metrics_;
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_NODE_IMPL_H_
