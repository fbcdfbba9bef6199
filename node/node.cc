// pledgerd: lifecycle, the Raft thread, the proposer, admission and peers.
// The applier is in applier.cc, the HTTP API in api.cc.
#include <leveldb/env.h>
#include <pthread.h>

// <utility> before Boost.Asio: this Boost's awaitable.hpp uses std::exchange
// without including it.
#include <mutex>
#include <utility>
#include <boost/asio.hpp>
#include <cstdlib>
#include <ctime>
#include <tuple>
#include <filesystem>
#include <random>

#include "consensus/codec.h"
#include "contracts/genesis.h"
#include "contracts/queries.h"
#include "ledger/block.h"
#include "ledger/crypto.h"
#include "ledger/keys.h"
#include "ledger/raft_log_store.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "node/log.h"
#include "node/node.h"
#include "node/node_impl.h"
#include "ledger/io/pki.h"

namespace pledger::node {
namespace {

using Clock = std::chrono::steady_clock;

std::string Resolve(const std::string& base, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return base + "/" + path;
}

Result<std::pair<std::string, std::uint16_t>> SplitHostPort(const std::string& hp,
                                                            const std::string& field) {
  auto colon = hp.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("CONFIG_INVALID", field + " must be host:port, got '" + hp + "'");
  }
  std::string port = hp.substr(colon + 1);
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) {
    return Status::InvalidArgument("CONFIG_INVALID", field + " has a bad port: '" + hp + "'");
  }
  return std::make_pair(hp.substr(0, colon), static_cast<std::uint16_t>(p));
}

// The manifest a Raft snapshot carries: where the ledger stood at that index.
// The state itself is fetched from peers (node/catchup.cc).
std::string EncodeManifest(const ledger::Tip& tip, std::uint64_t index) {
  ledger::ChainTip t;
  t.set_height(tip.height);
  t.set_block_hash(std::string(ledger::AsStringView(tip.block_hash)));
  t.set_state_root(std::string(ledger::AsStringView(tip.state_root)));
  t.set_results_root(std::string(ledger::AsStringView(tip.results_root)));
  (void)index;
  return ledger::SerializeCanonical(t);
}

}  // namespace

std::uint64_t RaftIdOf(const std::string& node_id) {
  ledger::Hash256 h = ledger::Sha256("pledger-raft-id:" + node_id);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | h[i];
  v &= 0x7fffffffffffffffULL;
  return v == 0 ? 1 : v;
}

// ---------------------------------------------------------------------------
// Lifecycle

NodeImpl::NodeImpl(config::NodeConfig config, std::string base_dir, const io::Clock& clock)
    : config_(std::move(config)), clock_(clock), base_dir_(std::move(base_dir)) {}

NodeImpl::~NodeImpl() { Stop(); }

namespace {

// "2027-01-31 12:00:00 UTC" for log lines and messages.
std::string FormatUtc(std::int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// Whether `host` (from a host:port setting) names the loopback interface.
bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

}  // namespace

Status NodeImpl::Start() {
  // ---- configuration, each field checked and named ----
  node_id_ = config_.node_id();
  if (Status s = io::ValidateNodeId(node_id_); !s.ok()) {
    return Status::InvalidArgument("CONFIG_INVALID", "node_id: " + std::string(s.message()));
  }
  raft_id_ = RaftIdOf(node_id_);
  if (const char* fail = std::getenv(kTestFailApplyEnv); fail != nullptr && *fail != '\0') {
    fail_apply_at_height_ = std::strtoull(fail, nullptr, 10);
    PLOG(kWarn, "node") << kTestFailApplyEnv << " is set: applying block " << fail_apply_at_height_
                        << " will fail, for tests only";
  }
  if (const char* fail = std::getenv(kTestFailRaftWriteEnv); fail != nullptr && *fail != '\0') {
    fail_raft_write_at_ = std::strtoull(fail, nullptr, 10);
    PLOG(kWarn, "node") << kTestFailRaftWriteEnv << " is set: writing Raft entry " << fail_raft_write_at_
                        << " will fail, for tests only";
  }
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"data_dir", config_.data_dir()},
                                                        {"genesis_file", config_.genesis_file()},
                                                        {"peer_listen", config_.peer_listen()},
                                                        {"api_listen", config_.api_listen()},
                                                        {"tls_cert_file", config_.tls_cert_file()},
                                                        {"tls_key_file", config_.tls_key_file()}}) {
    if (value.empty()) {
      return Status::InvalidArgument("CONFIG_INVALID", field + " is missing from the configuration");
    }
  }
  if (!config_.log_level().empty()) {
    PLEDGER_ASSIGN_OR_RETURN(LogLevel lvl, ParseLogLevel(config_.log_level()));
    SetLogLevel(lvl);
  }
  SetLogPrefix(node_id_ + " ");
  if (config_.has_raft() && config_.raft().tick_ms()) tick_ = std::chrono::milliseconds(config_.raft().tick_ms());
  if (config_.has_block()) {
    if (config_.block().interval_ms()) block_interval_ = std::chrono::milliseconds(config_.block().interval_ms());
    if (config_.block().max_txs()) block_max_txs_ = config_.block().max_txs();
    if (config_.block().max_bytes()) block_max_bytes_ = config_.block().max_bytes();
  }
  if (block_max_txs_ > ledger::kMaxTxsPerBlock || block_max_bytes_ > limits::kBlockBytesMax) {
    return Status::InvalidArgument("CONFIG_INVALID", "block.max_txs is at most " + std::to_string(ledger::kMaxTxsPerBlock) +
                                                          " and block.max_bytes at most " +
                                                          std::to_string(limits::kBlockBytesMax >> 20) + " MiB");
  }
  if (config_.raft_log_retain()) log_retain_ = config_.raft_log_retain();
  else log_retain_ = limits::kLogRetainDefault;

  std::string key_file = Resolve(base_dir_, config_.tls_key_file());
  const std::string cert_file = Resolve(base_dir_, config_.tls_cert_file());
  // A key rotation installs <key>.next and <cert>.next by renaming, the
  // certificate first: a crash between the two leaves the new certificate
  // beside the old key, which is finished here.
  if (io::FileExists(key_file + ".next") && !io::FileExists(cert_file + ".next")) {
    auto next_pem = io::ReadFile(key_file + ".next", limits::kKeyFileBytesMax);
    auto next = next_pem.ok() ? io::Ed25519KeyFromPem(*next_pem) : Result<ledger::SecretKey>(next_pem.status());
    auto cert_now = io::ReadFile(cert_file);
    auto cert_id = cert_now.ok() ? io::IdentityFromCertPem(*cert_now) : Result<io::CertIdentity>(cert_now.status());
    if (next.ok() && cert_id.ok() && cert_id->key == next->public_key()) {
      PLOG(kWarn, "node") << "finishing an interrupted key installation: " << key_file << ".next -> " << key_file;
      PLEDGER_RETURN_IF_ERROR(io::RenameFile(key_file + ".next", key_file));
    }
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string key_pem, io::ReadFile(key_file, limits::kKeyFileBytesMax));
  auto key = io::Ed25519KeyFromPem(key_pem);
  if (!key.ok()) return key.status().WithContext("tls_key_file " + key_file);
  {
    io::MutexLock lock(&key_mu_);
    node_key_ = std::make_shared<const ledger::SecretKey>(std::move(*key));
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string cert_pem, io::ReadFile(cert_file));
  PLEDGER_ASSIGN_OR_RETURN(io::CertIdentity cert_id, io::IdentityFromCertPem(cert_pem));
  if (cert_id.node_id != node_id_ || cert_id.key != NodeKey()->public_key()) {
    return Status::InvalidArgument("CONFIG_INVALID",
                                   "tls_cert_file is for node '" + cert_id.node_id +
                                       "' or another key; node_id and tls_key_file must match it");
  }
  // An expired certificate would be refused by every peer and client: say
  // which one, now, rather than fail every handshake later.
  {
    PLEDGER_ASSIGN_OR_RETURN(io::CertValidity own, io::CertValidityFromPem(cert_pem));
    {
      io::MutexLock lock(&key_mu_);
      own_cert_ = own;
    }
    std::vector<std::tuple<std::string, std::string, io::CertValidity>> check{{"node certificate", cert_file, own}};
    // The CA file is optional: trust comes from the roots on the ledger. If
    // given, it is trusted for peers the ledger does not know yet (a node
    // joining from a stale genesis) and organisations that list no roots.
    if (!config_.tls_ca_file().empty()) {
      const std::string ca_path = Resolve(base_dir_, config_.tls_ca_file());
      PLEDGER_ASSIGN_OR_RETURN(std::string ca_pem, io::ReadFile(ca_path));
      auto ca = io::CertValidityFromPem(ca_pem);
      if (!ca.ok()) return ca.status().WithContext("tls_ca_file " + ca_path);
      ca_cert_ = *ca;
      check.emplace_back("CA certificate", ca_path, *ca);
      auto roots = io::CertsPemToDer(ca_pem);
      if (!roots.ok()) return roots.status().WithContext("tls_ca_file " + ca_path);
      local_roots_ = std::move(*roots);
    }
    const auto now_s = static_cast<std::int64_t>(io::SystemClock().NowMs() / 1000);
    for (const auto& [what, path, v] : check) {
      if (v.not_after_s <= now_s) {
        return Status::FailedPrecondition(
            "CERT_EXPIRED", std::string("the ") + what + " " + path + " (" + v.subject + ") expired on " +
                                FormatUtc(v.not_after_s) + ": install a renewed one (docs/operations.md) and restart");
      }
      if (v.not_before_s > now_s) {
        return Status::FailedPrecondition(
            "CERT_NOT_YET_VALID", std::string("the ") + what + " " + path + " (" + v.subject +
                                      ") is valid only from " + FormatUtc(v.not_before_s) +
                                      ": check this machine's clock or the certificate");
      }
    }
  }

  PLEDGER_ASSIGN_OR_RETURN(genesis_bytes_, io::ReadFile(Resolve(base_dir_, config_.genesis_file())));
  auto g = contracts::ParseGenesis(genesis_bytes_);
  if (!g.ok()) return g.status().WithContext("genesis_file");
  genesis_ = std::move(*g);
  PLEDGER_ASSIGN_OR_RETURN(genesis_state_, contracts::GenesisState(genesis_));
  if (!config_.chain_id().empty() && config_.chain_id() != genesis_.chain_id()) {
    return Status::InvalidArgument("CONFIG_INVALID", "chain_id '" + config_.chain_id() +
                                                         "' differs from the genesis file's '" +
                                                         genesis_.chain_id() + "'");
  }

  // ---- storage ----
  ledger::DatabaseOptions db_options;
  const std::string& compression = config_.storage().compression();
  if (compression == "snappy") {
    db_options.compress = true;
  } else if (!compression.empty() && compression != "none") {
    return Status::InvalidArgument("CONFIG_INVALID", "storage.compression must be \"none\" or \"snappy\", got '" +
                                                         compression + "'");
  }
  std::string data_dir = Resolve(base_dir_, config_.data_dir());
  PLEDGER_RETURN_IF_ERROR(io::MakeDirs(data_dir, 0700));
  // LevelDB compacts on the one background thread of its default Env, which
  // the first Schedule starts and which keeps the name of the thread that
  // called it (`apply` or `raft` under load). Starting it here, with a first
  // task that names it, keeps compaction apart from the node's stages in
  // `top -H` and in per-thread profiles (docs/performance.md).
  static std::once_flag leveldb_thread_named;
  std::call_once(leveldb_thread_named, [] {
    leveldb::Env::Default()->Schedule([](void*) { pthread_setname_np(pthread_self(), "leveldb-bg"); }, nullptr);
  });
  PLEDGER_ASSIGN_OR_RETURN(ledger_, ledger::Ledger::Open(data_dir + "/db", db_options));
  Status loaded = ledger_->Load();
  if (loaded.reason() == "CHAIN_NOT_INITIALISED") {
    PLEDGER_RETURN_IF_ERROR(ledger_->Initialize(genesis_.chain_id(), genesis_bytes_, genesis_state_));
    PLOG(kInfo, "node") << "initialised chain '" << genesis_.chain_id() << "' from genesis "
                        << ledger::HexEncode(ledger::GenesisHash(genesis_bytes_)).substr(0, 16);
  } else if (!loaded.ok()) {
    return loaded;
  } else if (ledger_->blocks().identity().genesis_hash != ledger::GenesisHash(genesis_bytes_)) {
    return Status::FailedPrecondition(
        "CHAIN_MISMATCH", "data_dir " + data_dir +
                              " holds another chain (its genesis differs from genesis_file); "
                              "point data_dir at this chain's data or an empty directory");
  }
  applied_height_ = ledger_->blocks().tip().height;
  if (applied_height_ > 0) {
    auto b = ledger_->blocks().GetBlock(applied_height_);
    if (b.ok()) {
      auto h = ledger::DecodeBlockHeader(*b);
      if (h.ok()) last_applied_time_ms_ = h->time_ms();
    }
  }

  PLEDGER_ASSIGN_OR_RETURN(raft_storage_, ledger::LevelDbLogStorage::Open(&ledger_->db()));
  PLEDGER_ASSIGN_OR_RETURN(auto applied_raw, ledger_->db().Get(ledger::keys::Meta("applied")));
  std::uint64_t applied = 0;
  if (applied_raw && applied_raw->size() == 8) applied = ledger::GetBigEndian64(applied_raw->data());
  applied_index_ = applied;

  bool fresh = raft_storage_->LastIndex() == 0 && raft_storage_->FirstIndex() <= 1;
  if (fresh && !config_.join()) {
    std::vector<std::uint64_t> voters;
    for (const auto& v : genesis_.validators()) {
      if (v.role() == contracts::VALIDATOR_VOTER) voters.push_back(RaftIdOf(v.node_id()));
    }
    PLEDGER_RETURN_IF_ERROR(consensus::Bootstrap(raft_storage_.get(), voters));
    PLOG(kInfo, "raft") << "bootstrapped a new cluster with " << voters.size() << " voters";
  }
  // Entries covered by the Raft snapshot but not by our ledger: only after a
  // crash in the middle of a catch-up. Re-fetch before anything else.
  PLEDGER_ASSIGN_OR_RETURN(consensus::Snapshot snap, raft_storage_->GetSnapshot());
  if (snap.metadata.index > applied) {
    PLOG(kWarn, "node") << "ledger is behind the Raft snapshot (applied " << applied
                        << ", snapshot " << snap.metadata.index << "); catching up from peers";
    applied = snap.metadata.index;  // catch-up runs before the first apply (applier.cc)
    io::MutexLock lock(&apply_mu_);
    pending_snapshot_ = snap;
  }

  std::uint64_t seed;
  {
    std::random_device rd;
    seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ raft_id_;
  }
  random_ = std::make_unique<consensus::SeededRandom>(seed);
  consensus::Config rc;
  rc.id = raft_id_;
  rc.election_tick = config_.has_raft() && config_.raft().election_ticks() ? config_.raft().election_ticks() : limits::kElectionTicksDefault;
  rc.heartbeat_tick = config_.has_raft() && config_.raft().heartbeat_ticks() ? config_.raft().heartbeat_ticks() : limits::kHeartbeatTicksDefault;
  rc.applied = applied;
  rc.storage = raft_storage_.get();
  rc.random = random_.get();
  rc.max_size_per_msg = limits::kRaftMsgBytesMax;
  rc.max_entry_bytes = limits::kRaftEntryBytesMax;
  PLEDGER_ASSIGN_OR_RETURN(raw_, consensus::RawNode::Create(rc));

  // ---- execution helpers ----
  size_t mp_txs = config_.has_mempool() && config_.mempool().max_txs() ? config_.mempool().max_txs() : limits::kMempoolTxsDefault;
  size_t mp_bytes = config_.has_mempool() && config_.mempool().max_bytes() ? config_.mempool().max_bytes() : limits::kMempoolBytesDefault;
  mempool_ = std::make_unique<Mempool>(mp_txs, mp_bytes);
  {
    AdmissionGate::Options go;
    if (config_.mempool().has_admission_target_ms()) {
      go.target = std::chrono::milliseconds(config_.mempool().admission_target_ms());
    } else {
      go.target = std::chrono::milliseconds(limits::kAdmissionTargetMsDefault);
    }
    go.interval = std::chrono::milliseconds(limits::kAdmissionIntervalMs);
    go.min_limit = limits::kAdmissionLimitMin;
    go.initial_limit = limits::kAdmissionLimitInitial;
    go.max_limit = mp_txs;
    admission_ = std::make_unique<AdmissionGate>(go);
  }
  size_t threads = config_.verify_threads() ? config_.verify_threads() : std::max(1u, std::thread::hardware_concurrency());
  pool_ = std::make_unique<io::WorkPool>(threads, limits::kWorkQueueMax);

  // ---- networking ----
  RefreshMembers();
  MaybeInstallRotatedKey();  // a rotation applied while this node was down
  PLEDGER_ASSIGN_OR_RETURN(auto peer_hp, SplitHostPort(config_.peer_listen(), "peer_listen"));
  TransportOptions to;
  to.node_id = node_id_;
  to.listen_host = peer_hp.first;
  to.listen_port = peer_hp.second;
  to.cert_file = cert_file;
  to.key_file = key_file;
  transport_ = std::make_unique<PeerTransport>(
      peer_io_, to,
      [this](const std::string& from, std::string frame) { OnRaftFrame(from, std::move(frame)); },
      [this](const PeerCertificate& peer) { return Authorize(peer); });
  PLEDGER_RETURN_IF_ERROR(transport_->Start());

  // ---- API: who is asking, then what they may read (node/api/access.h) ----
  accounts_ = std::make_unique<StateAccountDirectory>(ledger_->state());
  AuthenticatorOptions ao;
  ao.chain_id = config_.chain_id();
  // Clients sign with their system clock (ledger/io/http_client.cc), so the
  // window is judged on ours, not on the test seam that moves block times.
  ao.clock = &io::SystemClock();
  ao.accounts = accounts_.get();
  // From the members (refreshed with every validator change), which also
  // know when a rotation took effect: tokens signed by the previous key
  // before that stay good for their short life.
  ao.validator_keys = [this](std::string_view id) -> std::optional<IssuerKeys> {
    io::MutexLock lock(&members_mu_);
    auto it = members_.find(std::string(id));
    if (it == members_.end() || !it->second.on_ledger || !it->second.key) return std::nullopt;
    IssuerKeys k;
    k.current = *it->second.key;
    k.previous = it->second.previous_key;
    k.previous_until_ms = it->second.key_time_ms;
    return k;
  };
  ao.node_id = node_id_;
  ao.node_key = [this] { return NodeKey(); };
  auth_ = std::make_unique<RequestAuthenticator>(std::move(ao));

  PLEDGER_ASSIGN_OR_RETURN(auto api_hp, SplitHostPort(config_.api_listen(), "api_listen"));
  const bool api_tls = !config_.has_api_tls() || config_.api_tls();
  if (!api_tls && !IsLoopbackHost(api_hp.first)) {
    return Status::InvalidArgument(
        "CONFIG_INVALID", "api_tls is false, but plain HTTP is served only on a loopback address and api_listen is " +
                              config_.api_listen() + ": serve HTTPS (drop api_tls or set it true), or listen on 127.0.0.1");
  }
  HttpOptions ho;
  ho.host = api_hp.first;
  ho.port = api_hp.second;
  if (api_tls) {
    ho.tls_cert_file = to.cert_file;
    ho.tls_key_file = key_file;
  }
  http_ = std::make_unique<HttpServer>(api_io_, ho, [this](HttpRequest req, HttpResponder r) {
    HandleHttp(std::move(req), std::move(r));
  });
  PLEDGER_RETURN_IF_ERROR(http_->Start());
  if (!config_.metrics_listen().empty()) {
    PLEDGER_ASSIGN_OR_RETURN(auto m_hp, SplitHostPort(config_.metrics_listen(), "metrics_listen"));
    HttpOptions mo;
    mo.host = m_hp.first;
    mo.port = m_hp.second;
    metrics_http_ = std::make_unique<HttpServer>(api_io_, mo, [this](HttpRequest req, HttpResponder r) {
      HandleMetricsHttp(std::move(req), std::move(r));
    });
    PLEDGER_RETURN_IF_ERROR(metrics_http_->Start());
  }
  RefreshMembers();  // now that the transport exists: dial the peers

  WarnCertExpiry();  // at start, then daily from the raft thread's housekeeping

  // ---- threads ----
  // Each thread carries its role's name (at most 15 characters), so an
  // operator's `top -H` or a profile says which stage is busy.
  threads_.emplace_back([this] {
    pthread_setname_np(pthread_self(), "peer-io");
    auto work = boost::asio::make_work_guard(peer_io_);
    peer_io_.run();
  });
  threads_.emplace_back([this] {
    pthread_setname_np(pthread_self(), "api-io");
    auto work = boost::asio::make_work_guard(api_io_);
    api_io_.run();
  });
  threads_.emplace_back([this] {
    pthread_setname_np(pthread_self(), "apply");
    ApplyLoop();
  });
  threads_.emplace_back([this] {
    pthread_setname_np(pthread_self(), "raft");
    RaftLoop();
  });
  PLOG(kInfo, "node") << "started: peers on " << config_.peer_listen() << ", API on "
                      << (api_tls ? "https://" : "http://") << api_hp.first << ":" << http_->port()
                      << (AnonymousReadsAllowed() ? " (anonymous readers get the public view)" : " (accounts only)")
                      << (metrics_http_ ? ", metrics on " + config_.metrics_listen() : std::string())
                      << ", chain height " << applied_height_.load()
                      << ", applied index " << applied_index_.load();
  if (&clock_ != &io::SystemClock()) {
    PLOG(kWarn, "node") << "block times come from the " << clock_.Describe()
                        << " clock, not the system clock: for tests only";
  }
  return Status::OK();
}

void NodeImpl::Stop() {
  if (stopped_.exchange(true)) return;
  PLOG(kInfo, "node") << "stopping";
  if (http_) http_->Stop();
  if (metrics_http_) metrics_http_->Stop();
  if (transport_) transport_->Stop();
  {
    io::MutexLock lock(&raft_mu_);
    stopping_ = true;
  }
  raft_cv_.NotifyAll();
  {
    io::MutexLock lock(&apply_mu_);
    apply_stopping_ = true;
  }
  apply_cv_.NotifyAll();
  peer_io_.stop();
  api_io_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  pool_.reset();  // finishes queued verification jobs
  // Answer every waiting client so no connection hangs on shutdown.
  {
    io::MutexLock lock(&wait_mu_);
    waiters_.clear();
  }
  if (raft_storage_) (void)raft_storage_->Sync();
  raw_.reset();
  raft_storage_.reset();
  ledger_.reset();  // closes LevelDB and releases the directory lock
  PLOG(kInfo, "node") << "stopped";
}

std::uint16_t NodeImpl::api_port() const { return http_ ? http_->port() : 0; }
std::uint16_t NodeImpl::peer_port() const { return transport_ ? transport_->port() : 0; }

// ---------------------------------------------------------------------------
// Raft thread

void NodeImpl::PostRaft(std::function<void()> task) {
  {
    io::MutexLock lock(&raft_mu_);
    if (stopping_) return;
    raft_tasks_.push_back(std::move(task));
  }
  raft_cv_.NotifyOne();
}

void NodeImpl::OnRaftFrame(const std::string& from, std::string bytes) {
  PeerMessage msg;
  if (!msg.ParseFromString(bytes)) {
    PLOG(kWarn, "peer") << "undecodable frame from " << from << " (" << bytes.size() << " bytes)";
    return;
  }
  OnPeerMessage(from, std::move(msg));
}

void NodeImpl::OnPeerMessage(const std::string& from, PeerMessage msg) {
  switch (msg.kind_case()) {
    case PeerMessage::kRaft: {
      auto m = consensus::DecodeMessage(msg.raft());
      if (!m.ok()) {
        PLOG(kWarn, "raft") << "bad raft message from " << from << ": " << m.status().ToString();
        return;
      }
      if (m->from != RaftIdOf(from)) {
        PLOG(kWarn, "raft") << "peer " << from << " sent a raft message claiming another sender";
        return;
      }
      {
        io::MutexLock lock(&raft_mu_);
        if (raft_tasks_.size() >= limits::kRaftTasksMax) {
          ++metrics_.raft_msgs_dropped;
          return;
        }
        raft_tasks_.push_back([this, m = std::move(*m)]() mutable {
          raft_thread_.Assume();  // raft_tasks_ run on the raft thread
          (void)raw_->Step(std::move(m));
        });
      }
      raft_cv_.NotifyOne();
      return;
    }
    case PeerMessage::kForward: {
      auto txs = std::make_shared<ForwardTxs>(std::move(*msg.mutable_forward()));
      for (int i = 0; i < txs->txs_size(); ++i) {
        std::string raw = std::move(*txs->mutable_txs(i));
        pool_->Submit([this, raw = std::move(raw)]() mutable {
          ledger::Hash256 id;
          (void)Admit(std::move(raw), /*from_peer=*/true, &id);
        });
      }
      return;
    }
    case PeerMessage::kAttestation:
      OnAttestation(from, msg.attestation());
      return;
    case PeerMessage::kClockReading:
      OnClockReading(from, msg.clock_reading());
      return;
    case PeerMessage::kClockRequest:
      OnClockRequest(from);
      return;
    case PeerMessage::kBlockRequest:
      pool_->Submit([this, from, msg = std::move(msg)] { ServeCatchup(from, msg); });
      return;
    case PeerMessage::kBlockResponse:
      OnCatchupResponse(from, std::move(msg));
      return;
    case PeerMessage::KIND_NOT_SET:
      PLOG(kWarn, "peer") << "empty message from " << from;
      return;
  }
}

void NodeImpl::RaftLoop() {
  raft_thread_.Assume();
  auto next_tick = Clock::now() + tick_;
  auto next_housekeeping = Clock::now() + std::chrono::milliseconds(limits::kHousekeepingIntervalMs);
  for (;;) {
    std::deque<std::function<void()>> tasks;
    {
      io::MutexLock lock(&raft_mu_);
      auto wake = next_tick;
      if (raw_->role() == consensus::Role::kLeader && mempool_->proposable() > 0) {
        wake = std::min(wake, Clock::now() + std::chrono::milliseconds(1));
      }
      raft_cv_.WaitUntil(&raft_mu_, wake, [this]() REQUIRES(raft_mu_) { return stopping_ || !raft_tasks_.empty(); });
      if (stopping_) return;
      tasks.swap(raft_tasks_);
    }
    for (auto& t : tasks) t();
    auto now = Clock::now();
    if (now >= next_tick) {
      raw_->Tick();
      next_tick += tick_;
      if (next_tick < now) next_tick = now + tick_;  // fell behind: do not tick in a burst
    }
    while (raw_->HasReady() && Fatal().ok()) HandleReady();
    // Fail-stop (issue 17): a failed write of the Raft log (HandleReady), of
    // the ledger (the applier) or consensus' own storage failure ends this
    // node's part at once: no vote, no acknowledgement, no proposal. /healthz
    // answers 503 with the reason and pledgerd exits (pledgerd_main.cc).
    if (!raw_->failure().ok()) SetFatal(raw_->failure().WithContext("consensus failed"));
    if (Status f = Fatal(); !f.ok()) {
      PLOG(kError, "raft") << "this node stops taking part in consensus: " << f.ToString()
                           << ". Fix the cause (a full disk?), then restart it: it catches up from its peers";
      io::MutexLock lock(&raft_mu_);
      stopping_ = true;
      return;
    }
    MaybePropose();
    while (raw_->HasReady() && Fatal().ok()) HandleReady();
    PublishRaftStatus();
    if (now >= next_housekeeping) {
      next_housekeeping = now + std::chrono::milliseconds(limits::kHousekeepingIntervalMs);
      MaybeCompact();
      ReconcileMembership();
      mempool_->RemoveExpired(applied_height_ + 1);
      pool_->Submit([this] { SweepMempool(); });
      SendClockReading();  // idle or not, the leader holds a recent reading of ours
      pool_->Submit([this] { ExpireWaiters(); });
      WarnCertExpiry();
    }
  }
}

void NodeImpl::HandleReady() {
  consensus::Ready rd = raw_->GetReady();
  auto send = [this](const consensus::Message& m) {
    std::string to = NodeIdOfRaft(m.to);
    if (to.empty()) return;
    PeerMessage pm;
    pm.set_raft(consensus::EncodeMessage(m));
    transport_->Send(to, pm.SerializeAsString());
  };
  for (const auto& m : rd.messages) send(m);
  if (rd.snapshot) {
    // The snapshot's manifest names a ledger position ahead of ours: fetch the
    // state and blocks from peers before applying anything after it.
    PLOG(kInfo, "raft") << "received a snapshot at index " << rd.snapshot->metadata.index
                        << "; catching up from peers";
  }
  bool wrote = rd.hard_state || !rd.entries.empty() || rd.snapshot;
  if (wrote) {
    Status s = fail_raft_write_at_ != 0 && !rd.entries.empty() && rd.entries.back().index >= fail_raft_write_at_
                   ? Status::IOError("TEST_FAULT_INJECTED", "Raft entry " + std::to_string(rd.entries.back().index) +
                                                                " not written: " + kTestFailRaftWriteEnv)
                   : consensus::WriteReady(raft_storage_.get(), rd, rd.must_sync);
    if (!s.ok()) {
      PLOG(kError, "raft") << "cannot write the Raft log: " << s.ToString()
                           << "; stopping (the disk must be fixed before restart)";
      SetFatal(s.WithContext("cannot write the Raft log"));  // the raft loop stops on it
      return;
    }
  }
  if (rd.snapshot) EnqueueSnapshot(*rd.snapshot);
  // A copy: Advance reads the committed entries to move Raft's applied index
  // (payloads are shared, so this copies no block bytes).
  if (!rd.committed_entries.empty()) EnqueueApply(rd.committed_entries);
  raw_->Advance(rd);
  for (auto& m : rd.persisted_messages) {
    if (m.to == raft_id_) {
      (void)raw_->Step(std::move(m));
    } else {
      send(m);
    }
  }
}

void NodeImpl::MaybePropose() {
  std::uint64_t leader = raw_->leader_id();
  if (leader != last_leader_) {
    last_leader_ = leader;
    mempool_->ReleaseInFlight();
    in_flight_.reset();
    if (leader != 0 && leader != raft_id_) {
      SendClockReading(leader);  // a new leader needs readings before its first block
      // A new leader: hand it what we hold, it may not have seen it.
      // To this leader by id: the published status (PublishRaftStatus) is
      // not updated yet and still names no leader or the old one, which left
      // these transactions with no leader holding them (issue 17).
      auto pending = mempool_->PendingRaw(limits::kForwardOnLeaderChangeMax);
      if (!pending.empty()) pool_->Submit([this, pending, leader] { ForwardPending(pending, leader); });
    }
  }
  if (raw_->role() != consensus::Role::kLeader) {
    in_flight_.reset();
    return;
  }
  if (in_flight_ && in_flight_->term != raw_->term()) in_flight_.reset();
  if (!CatchupIdle()) return;
  std::uint64_t applied_index = applied_index_.load();
  std::uint64_t applied_height = applied_height_.load();
  if (in_flight_ && applied_index >= in_flight_->raft_index) {
    if (applied_height < in_flight_->height) {
      // Our block was skipped by the appliers (it cannot link any more):
      // start again from the real tip.
      PLOG(kWarn, "propose") << "block " << in_flight_->height << " was not applied; resuming from height "
                             << applied_height + 1;
      mempool_->ReleaseInFlight();
    }
    in_flight_.reset();  // everything we proposed is applied: the pipeline is empty
  }
  // Pipelining: a header carries the roots of the latest block this node has
  // executed (state_root_height), so the leader may propose while up to
  // kPipelineDepth blocks are between proposal and execution. With nothing of
  // ours in flight (new leader, or idle), everything in the log must be
  // applied first, so the block links to the true tip.
  if (in_flight_) {
    if (in_flight_->height + 1 > applied_height + limits::kPipelineDepth) return;
  } else if (applied_index < raw_->last_index()) {
    return;
  }
  size_t ready = mempool_->proposable();
  bool attest = HasPendingAttestations();
  if (ready == 0 && !attest) return;
  // Transactions wait for a full block or the interval even when attestations
  // are pending: under load every block has some, and cutting at once made
  // blocks of ~20 transactions whose per-block costs (fsync, roots, Raft
  // round) dominated. Attestations alone (an idle chain) go out at once.
  if (ready > 0 && ready < block_max_txs_ && mempool_->OldestAge() < block_interval_) return;

  ledger::Tip tip = ledger_->blocks().tip();  // the base: our latest executed block
  const std::uint64_t height = in_flight_ ? in_flight_->height + 1 : tip.height + 1;
  // Ledger time (docs/node.md): readings from the voters, taken after the
  // oldest waiting transaction reached us (so its block cannot date it
  // earlier), the time computed from them as every applier will.
  const ledger::VoterKeys voters = MemberVoters();
  const auto fresh_after = ready > 0 ? Clock::now() - mempool_->OldestAge()
                                     : Clock::now() - std::chrono::milliseconds(limits::kClockReadingFreshMs);
  std::vector<std::string> readings;
  if (!ClockReadingsFor(height, voters, fresh_after, &readings)) return;  // asked for them; a reading wakes us
  const std::uint64_t prev_time = height == 1 ? genesis_.genesis_time_ms()
                                  : in_flight_ ? in_flight_->time_ms
                                               : last_applied_time_ms_.load();
  auto time_ms = ledger::LedgerTime(genesis_.chain_id(), height, prev_time, voters,
                                    std::vector<std::string_view>(readings.begin(), readings.end()),
                                    /*tally=*/nullptr, &verified_sigs_);
  if (!time_ms.ok()) {
    PLOG(kDebug, "propose") << "block " << height << " waits: " << time_ms.status().ToString();
    return;
  }
  std::vector<PreparedTxPtr> txs = mempool_->TakeForBlock(block_max_txs_, block_max_bytes_);
  ledger::BlockDraft d;
  d.chain_id = genesis_.chain_id();
  d.height = height;
  d.prev_hash = in_flight_ ? in_flight_->hash : tip.block_hash;
  d.prev_state_root = tip.state_root;
  d.prev_results_root = tip.results_root;
  d.state_root_height = tip.height;
  d.time_ms = *time_ms;
  d.clock_readings = std::move(readings);
  d.proposer_id = node_id_;
  d.raft_term = raw_->term();
  d.raft_index = raw_->last_index() + 1;
  d.txs.reserve(txs.size());
  for (const auto& t : txs) d.txs.push_back(t->raw);
  d.attestations = TakeAttestations(tip.height + 1);
  ledger::Block block = SealBlock(d);
  consensus::EntryId appended;
  Status s = raw_->Propose(block.SerializeAsString(), &appended);
  if (!s.ok() || appended.index != d.raft_index) {
    // Not proposed (or at an unexpected index, which every node will reject
    // when applying): the transactions stay in the mempool.
    if (!s.ok()) PLOG(kDebug, "propose") << "block " << d.height << " not proposed: " << s.ToString();
    if (in_flight_ == std::nullopt) mempool_->ReleaseInFlight();
    ReturnAttestations(d.attestations);
    return;
  }
  in_flight_ = InFlight{d.height, ledger::BlockHash(block), d.time_ms, appended.index, d.raft_term};
  ++metrics_.blocks_proposed;
  PLOG(kDebug, "propose") << "proposed block " << d.height << " with " << txs.size()
                          << " txs at index " << appended.index << " (state of block " << tip.height << ")";
}

void NodeImpl::MaybeCompact() {
  // Only once the applier has caught up with everything Raft handed out, so
  // ConfStateAt is defined and the snapshot names an applied ledger position.
  std::uint64_t applied = applied_index_.load();
  if (applied != raw_->applied_index() || applied == 0) return;
  if (applied < raft_storage_->FirstIndex() + log_retain_) return;
  auto cs = raw_->ConfStateAt(applied);
  if (!cs.ok()) return;
  std::string manifest = EncodeManifest(ledger_->blocks().tip(), applied);
  Status s = raft_storage_->CreateSnapshot(applied, *cs, consensus::Payload(manifest));
  // Keep a short tail so followers slightly behind get entries, not a snapshot.
  std::uint64_t keep = std::min<std::uint64_t>(log_retain_ / 4, applied);
  if (s.ok()) s = raft_storage_->Compact(applied - keep);
  if (!s.ok()) {
    PLOG(kWarn, "raft") << "log compaction failed: " << s.ToString();
  } else {
    PLOG(kDebug, "raft") << "compacted the Raft log up to " << applied - keep;
  }
}

void NodeImpl::PublishRaftStatus() {
  consensus::NodeStatus st = raw_->GetStatus();
  io::MutexLock lock(&status_mu_);
  raft_status_ = std::move(st);
}

// ---------------------------------------------------------------------------
// Membership

void NodeImpl::RefreshMembers() {
  std::map<std::string, Member> next;
  for (const auto& p : config_.peers()) {
    Member m;
    m.node_id = p.node_id();
    m.raft_id = RaftIdOf(p.node_id());
    m.address = p.address();
    next[m.node_id] = m;
  }
  if (ledger_) {
    auto snap = ledger_->state().SnapshotReader();
    auto vs = contracts::QueryValidators(*snap);
    std::map<std::string, contracts::Organisation> orgs;
    if (vs.ok()) {
      for (const auto& v : vs->validators()) {
        Member& m = next[v.node_id()];
        m.node_id = v.node_id();
        m.raft_id = RaftIdOf(v.node_id());
        auto k = ledger::PublicKeyFromHex(v.public_key_hex());
        if (k.ok()) m.key = *k;
        m.previous_key.reset();
        if (!v.previous_public_key_hex().empty()) {
          if (auto pk = ledger::PublicKeyFromHex(v.previous_public_key_hex()); pk.ok()) m.previous_key = *pk;
        }
        m.key_height = v.key_height();
        m.key_time_ms = 0;
        if (m.key_height > 0) {
          if (auto b = ledger_->blocks().GetBlock(m.key_height); b.ok()) {
            if (auto h = ledger::DecodeBlockHeader(*b); h.ok()) m.key_time_ms = h->time_ms();
          }
        }
        m.voter = v.role() == contracts::VALIDATOR_VOTER;
        m.on_ledger = true;
        m.org_id = v.org_id();
        if (!orgs.count(v.org_id())) {
          auto org = contracts::QueryOrganisation(*snap, v.org_id());
          orgs[v.org_id()] = org.ok() ? *org : contracts::Organisation{};
        }
        const auto& org = orgs[v.org_id()];
        m.tls_roots.assign(org.tls_roots().begin(), org.tls_roots().end());
        m.org_removed = org.removed();
        if (!v.peer_address().empty()) m.address = v.peer_address();
      }
    }
  }
  // Once this node is on the ledger, the ledger alone says who is a member:
  // a peer its configuration names but the ledger does not (removed, or
  // never admitted) is neither dialled nor accepted. Before that (a node
  // joining, catching up to its own admission) the configured peers are how
  // it reaches the consortium.
  const bool self_on_ledger = next.count(node_id_) && next[node_id_].on_ledger;
  std::map<std::string, PeerAddress> dial;
  for (const auto& [id, m] : next) {
    if (id == node_id_ || m.address.empty()) continue;
    if (self_on_ledger && !m.on_ledger) continue;
    auto hp = SplitHostPort(m.address, "peer address of " + id);
    if (!hp.ok()) continue;
    dial[id] = PeerAddress{hp->first, hp->second};
  }
  {
    io::MutexLock lock(&members_mu_);
    members_ = std::move(next);
    self_on_ledger_ = self_on_ledger;
  }
  if (transport_) {
    transport_->SetPeers(dial);
    transport_->Revalidate();
  }
}

Status NodeImpl::Authorize(const PeerCertificate& peer) {
  std::vector<std::string> roots;
  std::string whose;
  {
    io::MutexLock lock(&members_mu_);
    auto it = members_.find(peer.node_id);
    if (it == members_.end()) {
      return Status::PermissionDenied("NODE_NOT_ADMITTED", "node '" + peer.node_id +
                                                               "' is not in the validator/learner set on the ledger");
    }
    const Member& m = it->second;
    if (m.on_ledger) {
      // The ledger names the key; the handshake proved the peer holds the
      // certificate's. After a rotation the old key is refused from the
      // rotating block on.
      if (!m.key || *m.key != peer.key) {
        return Status::PermissionDenied(
            "NODE_KEY_MISMATCH", "node '" + peer.node_id + "' presents key " +
                                     ledger::HexEncode(peer.key).substr(0, 16) + "…, the ledger names " +
                                     (m.key ? ledger::HexEncode(*m.key).substr(0, 16) + "…" : std::string("none")) +
                                     (m.key_height ? " (rotated at height " + std::to_string(m.key_height) + ")" : ""));
      }
      if (m.org_removed) {
        return Status::PermissionDenied("ORG_REMOVED", "node '" + peer.node_id + "' belongs to " + m.org_id +
                                                           ", which the consortium removed");
      }
      roots = m.tls_roots;
      whose = "organisation " + m.org_id + "'s roots on the ledger";
    } else if (self_on_ledger_) {
      return Status::PermissionDenied("NODE_NOT_ADMITTED", "node '" + peer.node_id +
                                                               "' is not in the validator/learner set on the ledger "
                                                               "(removed, or never admitted)");
    }
  }
  if (roots.empty()) {
    // A peer only this node's configuration names, or an organisation that
    // lists no roots: the operator's own CA file, if any.
    roots = local_roots_;
    whose = "this node's tls_ca_file";
  }
  if (roots.empty()) {
    return Status::PermissionDenied("CERT_UNTRUSTED", "no trust root is in force for node '" + peer.node_id +
                                                          "': its organisation lists none on the ledger and this "
                                                          "node has no tls_ca_file");
  }
  const auto now_s = static_cast<std::int64_t>(io::SystemClock().NowMs() / 1000);
  Status s = io::VerifyCertChain(peer.chain_der, roots, now_s);
  if (!s.ok()) return s.WithContext("node '" + peer.node_id + "' against " + whose);
  return Status::OK();
}

std::optional<ledger::PublicKey> NodeImpl::KeyAt(const Member& m, std::uint64_t height) {
  if (height <= m.key_height && m.previous_key) return m.previous_key;
  return m.key;
}

std::shared_ptr<const ledger::SecretKey> NodeImpl::NodeKey() const {
  io::MutexLock lock(&key_mu_);
  return node_key_;
}

void NodeImpl::MaybeInstallRotatedKey() {
  std::optional<ledger::PublicKey> on_ledger;
  std::uint64_t height = 0;
  {
    io::MutexLock lock(&members_mu_);
    auto it = members_.find(node_id_);
    if (it == members_.end() || !it->second.on_ledger) return;
    on_ledger = it->second.key;
    height = it->second.key_height;
  }
  if (!on_ledger || *on_ledger == NodeKey()->public_key()) return;
  Status s = InstallStagedKey(*on_ledger);
  if (!s.ok()) {
    PLOG(kError, "node") << "the ledger rotated this node's key to " << ledger::HexEncode(*on_ledger).substr(0, 16)
                         << "… at height " << height << ", but " << s.ToString()
                         << ": peers refuse this node until the new key and certificate are installed "
                            "(docs/operations.md, \"Rotating a node's key\")";
    ++metrics_.key_install_failures;
  }
}

Status NodeImpl::InstallStagedKey(const ledger::PublicKey& want) {
  const std::string key_file = Resolve(base_dir_, config_.tls_key_file());
  const std::string cert_file = Resolve(base_dir_, config_.tls_cert_file());
  const std::string next_key = key_file + ".next", next_cert = cert_file + ".next";
  if (!io::FileExists(next_key) || !io::FileExists(next_cert)) {
    return Status::NotFound("KEY_NOT_STAGED", "no staged key " + next_key + " and certificate " + next_cert +
                                                  " (pledger-admin rotate-key writes them)");
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string key_pem, io::ReadFile(next_key, limits::kKeyFileBytesMax));
  PLEDGER_ASSIGN_OR_RETURN(ledger::SecretKey key, io::Ed25519KeyFromPem(key_pem));
  if (key.public_key() != want) {
    return Status::FailedPrecondition("KEY_STAGED_MISMATCH", "the staged key " + next_key + " is " +
                                                                 ledger::HexEncode(key.public_key()).substr(0, 16) +
                                                                 "…, not the key the ledger names");
  }
  PLEDGER_ASSIGN_OR_RETURN(std::string cert_pem, io::ReadFile(next_cert));
  PLEDGER_ASSIGN_OR_RETURN(io::CertIdentity id, io::IdentityFromCertPem(cert_pem));
  if (id.node_id != node_id_ || id.key != want) {
    return Status::FailedPrecondition("KEY_STAGED_MISMATCH", "the staged certificate " + next_cert +
                                                                 " is not for this node and the new key");
  }
  PLEDGER_ASSIGN_OR_RETURN(io::CertValidity validity, io::CertValidityFromPem(cert_pem));
  // Certificate first: Start finishes a move interrupted between the two.
  PLEDGER_RETURN_IF_ERROR(io::RenameFile(next_cert, cert_file));
  PLEDGER_RETURN_IF_ERROR(io::RenameFile(next_key, key_file));
  {
    io::MutexLock lock(&key_mu_);
    node_key_ = std::make_shared<const ledger::SecretKey>(std::move(key));
    own_cert_ = validity;
  }
  if (transport_) PLEDGER_RETURN_IF_ERROR(transport_->ReloadCertificate(cert_file, key_file));
  if (http_) PLEDGER_RETURN_IF_ERROR(http_->ReloadCertificate(cert_file, key_file));
  PLOG(kInfo, "node") << "installed the rotated node key " << ledger::HexEncode(want).substr(0, 16)
                      << "… and its certificate; attestations, clock readings, tokens and TLS use it from now on";
  return Status::OK();
}

Status NodeImpl::ReloadCertificates() {
  const std::string key_file = Resolve(base_dir_, config_.tls_key_file());
  const std::string cert_file = Resolve(base_dir_, config_.tls_cert_file());
  PLEDGER_ASSIGN_OR_RETURN(std::string cert_pem, io::ReadFile(cert_file));
  PLEDGER_ASSIGN_OR_RETURN(io::CertIdentity id, io::IdentityFromCertPem(cert_pem));
  if (id.node_id != node_id_ || id.key != NodeKey()->public_key()) {
    return Status::InvalidArgument("CONFIG_INVALID", "the certificate " + cert_file + " is for node '" + id.node_id +
                                                         "' or another key; not reloaded");
  }
  PLEDGER_ASSIGN_OR_RETURN(io::CertValidity v, io::CertValidityFromPem(cert_pem));
  const auto now_s = static_cast<std::int64_t>(io::SystemClock().NowMs() / 1000);
  if (v.not_after_s <= now_s) {
    return Status::FailedPrecondition("CERT_EXPIRED", "the certificate " + cert_file + " expired on " +
                                                          FormatUtc(v.not_after_s) + "; not reloaded");
  }
  if (v.not_before_s > now_s) {
    return Status::FailedPrecondition("CERT_NOT_YET_VALID", "the certificate " + cert_file + " is valid only from " +
                                                                FormatUtc(v.not_before_s) + "; not reloaded");
  }
  // Peers will check it against our organisation's roots: say so now if
  // they will refuse it, but install it anyway (the roots may be about to
  // change by governance).
  std::vector<std::string> roots;
  {
    io::MutexLock lock(&members_mu_);
    if (auto it = members_.find(node_id_); it != members_.end()) roots = it->second.tls_roots;
  }
  if (!roots.empty()) {
    auto der = io::CertPemToDer(cert_pem);
    Status chained = der.ok() ? io::VerifyCertChain({*der}, roots, now_s) : der.status();
    if (!chained.ok()) {
      PLOG(kWarn, "tls") << "the reloaded certificate does not chain to this organisation's roots on the ledger ("
                         << chained.ToString() << "): peers will refuse new connections from this node";
    }
  }
  if (transport_) PLEDGER_RETURN_IF_ERROR(transport_->ReloadCertificate(cert_file, key_file));
  if (http_) PLEDGER_RETURN_IF_ERROR(http_->ReloadCertificate(cert_file, key_file));
  {
    io::MutexLock lock(&key_mu_);
    own_cert_ = v;
  }
  PLOG(kInfo, "tls") << "reloaded the node certificate " << cert_file << " (valid until " << FormatUtc(v.not_after_s)
                     << "); new connections use it";
  return Status::OK();
}

std::string NodeImpl::NodeIdOfRaft(std::uint64_t raft_id) {
  io::MutexLock lock(&members_mu_);
  for (const auto& [id, m] : members_) {
    if (m.raft_id == raft_id) return id;
  }
  return "";
}

void NodeImpl::ReconcileMembership() {
  // The leader moves the Raft configuration toward the ledger's validator set,
  // one change at a time: add missing nodes as learners, promote learners the
  // ledger lists as voters once they have caught up, remove nodes the ledger
  // no longer lists. The ledger changes only by governance transactions
  // approved by a majority of IP offices (contracts).
  if (raw_->role() != consensus::Role::kLeader) return;
  std::map<std::string, Member> members;
  {
    io::MutexLock lock(&members_mu_);
    members = members_;
  }
  const consensus::ConfState& cs = raw_->conf_state();
  std::set<std::uint64_t> wanted;
  for (const auto& [id, m] : members) {
    if (!m.on_ledger) continue;
    wanted.insert(m.raft_id);
    consensus::ConfChange cc;
    cc.node_id = m.raft_id;
    cc.context = id;
    if (!cs.IsMember(m.raft_id)) {
      cc.type = consensus::ConfChangeType::kAddLearner;
    } else if (m.voter && cs.IsLearner(m.raft_id)) {
      bool caught_up = false;
      for (const auto& p : raw_->Progress()) {
        if (p.id == m.raft_id && p.match + limits::kLearnerCaughtUpEntries >= raw_->commit_index()) caught_up = true;
      }
      if (!caught_up) continue;
      cc.type = consensus::ConfChangeType::kAddVoter;
    } else {
      continue;
    }
    Status s = raw_->ProposeConfChange(cc);
    PLOG(kInfo, "raft") << "membership: " << consensus::ConfChangeTypeName(cc.type) << " " << id
                        << (s.ok() ? "" : " refused: " + s.ToString());
    return;
  }
  for (std::uint64_t id : cs.voters) {
    if (wanted.count(id) || id == raft_id_) continue;
    consensus::ConfChange cc{consensus::ConfChangeType::kRemoveNode, id, NodeIdOfRaft(id)};
    Status s = raw_->ProposeConfChange(cc);
    PLOG(kInfo, "raft") << "membership: remove " << cc.context << (s.ok() ? "" : " refused: " + s.ToString());
    return;
  }
  for (std::uint64_t id : cs.learners) {
    if (wanted.count(id)) continue;
    consensus::ConfChange cc{consensus::ConfChangeType::kRemoveNode, id, NodeIdOfRaft(id)};
    (void)raw_->ProposeConfChange(cc);
    return;
  }
}

// ---------------------------------------------------------------------------
// Admission

Status NodeImpl::Admit(std::string raw, bool from_peer, ledger::Hash256* id) {
  if (Status f = Fatal(); !f.ok()) {
    return Status::Unavailable("NODE_FAILED", "this node has stopped after a failure (" + std::string(f.reason()) +
                                                  "); submit to another node");
  }
  // Before any work on it: a refusal here must cost less than admitting.
  if (!from_peer && !admission_->Allow(mempool_->local())) {
    return Status::Unavailable("TX_BACKLOG",
                               "this node's clients already have " + std::to_string(mempool_->local()) +
                                   " transactions waiting to commit, as many as it lets wait now; retry in " +
                                   std::to_string(limits::kAdmissionRetryAfterMs) +
                                   " ms (retry_after_ms) or submit to another node");
  }
  auto prepared = std::make_shared<contracts::PreparedTx>(contracts::PrepareTx(raw));
  *id = prepared->id;
  if (!prepared->status.ok()) {
    if (!from_peer) ++metrics_.txs_refused;
    return prepared->status;
  }
  if (mempool_->Contains(prepared->id)) return Status::OK();  // idempotent resubmission
  {
    auto loc = ledger_->blocks().LocateTx(prepared->id);
    if (loc.ok()) {
      return Status::AlreadyExists("TX_ALREADY_COMMITTED",
                                   "transaction " + ledger::HexEncode(prepared->id) +
                                       " is already in block " + std::to_string(loc->height()));
    }
  }
  auto snap = ledger_->state().SnapshotReader();
  Status s = contracts::CheckAdmission(*snap, *prepared, applied_height_.load() + 1);
  if (!s.ok()) {
    if (!from_peer) ++metrics_.txs_refused;
    if (s.reason() == "TX_EXPIRY_TOO_FAR" && Lagging()) {
      // The window is judged from this node's height, which is behind the
      // chain's: a transaction built against the chain's height looks too
      // far ahead here though it is not (14,286 such refusals in the soak,
      // docs/reliability.md). Say so, retryably.
      return Status::Unavailable("NODE_BEHIND",
                                 "this node is at height " + std::to_string(applied_height_.load()) +
                                     ", behind the chain (catching up), and cannot judge the transaction's "
                                     "expiry yet; retry shortly or submit to another node");
    }
    return s;
  }
  std::uint64_t expiry = prepared->body.expiry_height();
  std::string raw_copy = prepared->raw;
  s = mempool_->Add(prepared, expiry, /*local=*/!from_peer);
  if (s.reason() == "TX_DUPLICATE") return Status::OK();
  if (!s.ok()) return s;
  // The block carrying it may have been applied (and the mempool swept of
  // it) between the look-up above and Add: it would stay, and could be
  // proposed again (issue 17). The applier indexes a block before it sweeps
  // the mempool, so a second look closes the gap.
  if (auto loc = ledger_->blocks().LocateTx(prepared->id); loc.ok()) {
    mempool_->Remove({prepared->id});
    return Status::AlreadyExists("TX_ALREADY_COMMITTED", "transaction " + ledger::HexEncode(prepared->id) +
                                                             " is already in block " + std::to_string(loc->height()));
  }
  if (!from_peer) ++metrics_.txs_submitted;
  // Followers pass it on to the leader (and keep their copy, in case the
  // leader changes before it commits). The leader's proposer wakes up.
  std::uint64_t leader;
  {
    io::MutexLock lock(&status_mu_);
    leader = raft_status_.leader_id;
  }
  if (leader == raft_id_) {
    PostRaft([] {});
  } else if (leader != 0 && !from_peer) {
    ForwardPending({raw_copy});
  }
  return Status::OK();
}

bool NodeImpl::Lagging() {
  if (catching_up_.load()) return true;
  io::MutexLock lock(&status_mu_);
  return raft_status_.commit_index > applied_index_.load();
}

void NodeImpl::ForwardPending(const std::vector<std::string>& raw, std::uint64_t leader) {
  if (leader == 0) {
    io::MutexLock lock(&status_mu_);
    leader = raft_status_.leader_id;
  }
  std::string to = NodeIdOfRaft(leader);
  if (to.empty() || to == node_id_) return;
  // Frames stay well under the transport limit.
  PeerMessage pm;
  size_t bytes = 0;
  for (const auto& tx : raw) {
    pm.mutable_forward()->add_txs(tx);
    bytes += tx.size();
    if (bytes > limits::kForwardFrameBytes) {
      transport_->Send(to, pm.SerializeAsString());
      pm.Clear();
      bytes = 0;
    }
  }
  if (pm.has_forward()) transport_->Send(to, pm.SerializeAsString());
}

void NodeImpl::SweepMempool() {
  std::vector<PreparedTxPtr> stale =
      mempool_->Stale(std::chrono::milliseconds(limits::kMempoolSweepAgeMs), limits::kMempoolSweepMax);
  if (stale.empty()) return;
  std::vector<ledger::Hash256> drop;
  std::vector<std::string> forward;
  auto snap = ledger_->state().SnapshotReader();
  const std::uint64_t next_height = applied_height_.load() + 1;
  for (const auto& tx : stale) {
    // Committed (admitted just after its block was applied, or committed
    // through another node), expired, or refused now: it can never be
    // proposed usefully.
    if (ledger_->blocks().LocateTx(tx->id).ok() || !contracts::CheckAdmission(*snap, *tx, next_height).ok()) {
      drop.push_back(tx->id);
    } else {
      forward.push_back(tx->raw);
    }
  }
  if (!drop.empty()) {
    mempool_->Remove(drop);
    PLOG(kInfo, "mempool") << "removed " << drop.size()
                           << " stale transaction(s) that are committed or no longer admissible";
  }
  std::uint64_t leader;
  {
    io::MutexLock lock(&status_mu_);
    leader = raft_status_.leader_id;
  }
  if (forward.empty() || leader == 0) return;
  if (leader == raft_id_) {
    PostRaft([] {});  // ours to propose
  } else {
    PLOG(kDebug, "mempool") << "forwarding " << forward.size() << " stale transaction(s) to the leader again";
    ForwardPending(forward, leader);
  }
}

// ---------------------------------------------------------------------------
// Node (the public face)

Status ParseNodeConfig(const std::string& json, config::NodeConfig* out, const std::string& what) {
  Status s = io::ParseJson(json, out, what);
  if (!s.ok()) return Status::InvalidArgument("CONFIG_INVALID", std::string(s.message()));
  return Status::OK();
}

Node::Node(std::unique_ptr<NodeImpl> impl) : impl_(std::move(impl)) {}
Node::~Node() = default;

Result<std::unique_ptr<Node>> Node::FromConfigFile(const std::string& path, const io::Clock& clock) {
  PLEDGER_ASSIGN_OR_RETURN(std::string json, io::ReadFile(path));
  config::NodeConfig config;
  PLEDGER_RETURN_IF_ERROR(ParseNodeConfig(json, &config, path));
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return std::unique_ptr<Node>(new Node(std::make_unique<NodeImpl>(std::move(config), dir, clock)));
}

Status Node::Start() { return impl_->Start(); }
Status Node::Failure() const { return impl_->Health(); }
void Node::Stop() { impl_->Stop(); }
std::uint16_t Node::api_port() const { return impl_->api_port(); }
std::uint16_t Node::peer_port() const { return impl_->peer_port(); }
Status Node::ReloadCertificates() { return impl_->ReloadCertificates(); }

}  // namespace pledger::node
