// NodeImpl's side of the HTTP/JSON API (docs/api.md): requests go to the
// route table (node/api/routes.h), whose handlers reach the node only through
// the ApiBackend methods here; and the waiter table, which the applier
// answers as transactions commit.
#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <sstream>

#include "ledger/bytes.h"
#include "ledger/io/api_json.h"
#include "ledger/io/proto/api.pb.h"
#include "node/api/response.h"
#include "node/log.h"
#include "node/api/routes.h"
#include "node/node_impl.h"

namespace pledger::node {
namespace {

constexpr char kVersion[] = "pledgerd 0.1.0";

}  // namespace

void NodeImpl::HandleHttp(HttpRequest req, HttpResponder respond) {
  DispatchApi(*this, std::move(req), std::move(respond));
}

void NodeImpl::HandleMetricsHttp(HttpRequest req, HttpResponder respond) {
  if (req.method != "GET") {
    HttpResponse r = Error(405, "METHOD_NOT_ALLOWED", "the metrics listener serves GET only");
    r.headers.emplace_back("Allow", "GET");
    return respond(r);
  }
  if (req.path == "/metrics") {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = MetricsText();
    return respond(r);
  }
  if (req.path == "/v1/status") {
    // The operator's view when the API itself is flooded.
    HttpResponse r;
    r.body = StatusJson();
    return respond(r);
  }
  if (req.path == "/healthz") {
    // The same answer as the API's /healthz (node_info.cc).
    Status health = Health();
    HttpResponse r;
    r.content_type = "text/plain";
    r.status = health.ok() ? 200 : 503;
    r.body = health.ok() ? "ok\n" : "unhealthy: " + health.ToString() + "\n";
    return respond(r);
  }
  respond(Error(404, "ROUTE_NOT_FOUND", "the metrics listener serves /metrics, /healthz and /v1/status only"));
}

// ---------------------------------------------------------------------------
// Certificates

namespace {

// "10 days", "1 day": whole days left, rounded up (a certificate with 2 hours
// left expires "in 1 day", not "in 0 days").
std::string DaysLeft(std::int64_t seconds) {
  const std::int64_t days = (seconds + 86399) / 86400;
  return std::to_string(days) + (days == 1 ? " day" : " days");
}

}  // namespace

std::vector<api::CertificateView> NodeImpl::Certificates() {
  const auto now_s = static_cast<std::int64_t>(io::SystemClock().NowMs() / 1000);
  std::vector<api::CertificateView> out;
  auto add = [&](const char* kind, const std::string& subject, std::int64_t not_after_s) {
    api::CertificateView c;
    c.set_kind(kind);
    c.set_subject(subject);
    c.set_not_after_ms(static_cast<std::uint64_t>(std::max<std::int64_t>(not_after_s, 0)) * 1000);
    c.set_seconds_left(not_after_s - now_s);
    c.set_expiring(not_after_s - now_s <= limits::kCertWarnDays * 86400);
    out.push_back(std::move(c));
  };
  {
    io::MutexLock lock(&key_mu_);
    add("node", node_id_, own_cert_.not_after_s);
  }
  if (ca_cert_) add("ca", ca_cert_->subject, ca_cert_->not_after_s);
  // This node's organisation's roots on the ledger: when one expires, every
  // certificate it issued stops being accepted.
  std::vector<std::string> roots;
  {
    io::MutexLock lock(&members_mu_);
    if (auto it = members_.find(node_id_); it != members_.end()) roots = it->second.tls_roots;
  }
  for (const auto& der : roots) {
    if (auto v = io::CertValidityFromDer(der); v.ok()) add("root", v->subject, v->not_after_s);
  }
  if (transport_) {
    for (const auto& [id, st] : transport_->Stats()) {
      if (st.cert_not_after_s > 0) add("peer", id, st.cert_not_after_s);
    }
  }
  return out;
}

void NodeImpl::WarnCertExpiry() {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& c : Certificates()) {
    if (!c.expiring()) continue;
    auto& last = cert_warned_[c.kind() + "/" + c.subject()];
    if (last != std::chrono::steady_clock::time_point{} && now - last < std::chrono::hours(24)) continue;
    last = now;
    PLOG(kWarn, "tls") << c.kind() << " certificate " << c.subject()
                       << (c.seconds_left() <= 0 ? " has expired"
                                                 : " expires in " + DaysLeft(c.seconds_left()))
                       << " (not after " << c.not_after_ms() / 1000 << " Unix s): renew it before peers and clients refuse it";
  }
}

// ---------------------------------------------------------------------------
// Access

Result<AuthenticatedReader> NodeImpl::Authenticate(const HttpRequest& req) { return auth_->Authenticate(req); }

std::optional<Result<AuthenticatedReader>> NodeImpl::AuthenticateCheap(const HttpRequest& req) {
  return auth_->AuthenticateKnownToken(req);
}

Result<api::TokenView> NodeImpl::IssueToken(const AuthenticatedReader& reader) {
  const std::uint64_t now = io::SystemClock().NowMs();
  PLEDGER_ASSIGN_OR_RETURN(std::string token, auth_->MintToken(reader, now));
  api::TokenView v;
  v.set_token(std::move(token));
  v.set_expires_ms(now + limits::kAuthTokenLifetimeMs);
  v.set_account(reader.account_hex());
  v.set_org_id(reader.org_id);
  for (contracts::Role r : reader.roles) v.add_roles(r);
  v.set_issuer(node_id_);
  return v;
}

bool NodeImpl::AnonymousReadsAllowed() const {
  return !config_.has_api_anonymous_reads() || config_.api_anonymous_reads();
}

// ---------------------------------------------------------------------------
// Waiters

void NodeImpl::NotifyWaiters(const ledger::Hash256& id, const ledger::Receipt& receipt,
                             std::uint64_t height, std::uint32_t index) {
  std::vector<Waiter> ready;
  {
    io::MutexLock lock(&wait_mu_);
    ready = waiters_.Take(id);
  }
  if (ready.empty()) return;
  HttpResponse r = CommittedAnswer(id, receipt, height, index);
  for (auto& w : ready) w.respond(r);
}

void NodeImpl::ExpireWaiters() {
  std::vector<Waiter> expired;
  {
    io::MutexLock lock(&wait_mu_);
    expired = waiters_.TakeExpired(std::chrono::steady_clock::now());
  }
  for (auto& w : expired) w.respond(StillPendingAnswer(w.tx_id_hex));
}

std::optional<WaiterTable::Ticket> NodeImpl::AddWaiter(const ledger::Hash256& id, Waiter waiter) {
  io::MutexLock lock(&wait_mu_);
  return waiters_.Add(id, std::move(waiter));
}

std::optional<Waiter> NodeImpl::RemoveWaiter(const WaiterTable::Ticket& ticket) {
  io::MutexLock lock(&wait_mu_);
  return waiters_.Remove(ticket);
}

// ---------------------------------------------------------------------------
// What the handlers read and do

ledger::Ledger& NodeImpl::ledger() { return *ledger_; }
const std::string& NodeImpl::genesis_file() const { return genesis_bytes_; }
std::uint64_t NodeImpl::last_block_time_ms() const { return last_applied_time_ms_.load(); }
std::uint64_t NodeImpl::next_block_time_ms() const {
  return std::max(last_applied_time_ms_.load() + 1, clock_.NowMs());
}

Result<std::vector<ledger::Attestation>> NodeImpl::BlockAttestations(std::uint64_t height) {
  return AttestationsOf(height);
}

std::set<std::string> NodeImpl::VotingValidators() {
  std::set<std::string> voters;
  io::MutexLock lock(&members_mu_);
  for (const auto& [id, m] : members_) {
    if (m.on_ledger && m.voter) voters.insert(id);
  }
  return voters;
}

Status NodeImpl::Health() {
  if (Status f = Fatal(); !f.ok()) return f;
  if (stopped_.load()) return Status::Unavailable("NODE_STOPPED", "the node is stopping");
  return Status::OK();
}

bool NodeImpl::InMempool(const ledger::Hash256& id) { return mempool_->Contains(id); }

bool NodeImpl::RunOnWorkPool(std::function<void()> job) { return pool_->Submit(std::move(job)); }

Status NodeImpl::AdmitFromClient(std::string raw, ledger::Hash256* id) {
  return Admit(std::move(raw), /*from_peer=*/false, id);
}

// ---------------------------------------------------------------------------
// Status and metrics

std::string NodeImpl::StatusJson() {
  consensus::NodeStatus rs;
  {
    io::MutexLock lock(&status_mu_);
    rs = raft_status_;
  }
  api::StatusView v;
  v.set_node_id(node_id_);
  v.set_chain_id(genesis_.chain_id());
  v.set_role(std::string(consensus::RoleName(rs.role)));
  v.set_term(rs.term);
  v.set_leader(NodeIdOfRaft(rs.leader_id));
  v.set_commit_index(rs.commit_index);
  v.set_applied_index(applied_index_.load());
  ledger::Tip tip = ledger_->blocks().tip();
  v.set_height(tip.height);
  v.set_last_block_hash(ledger::HexEncode(tip.block_hash));
  v.set_state_root(ledger::HexEncode(tip.state_root));
  v.set_last_block_time_ms(last_applied_time_ms_.load());
  v.set_mempool_txs(mempool_->size());
  v.set_state_root_mismatches(metrics_.state_root_mismatches.load());
  v.set_genesis_hash(ledger::HexEncode(ledger_->blocks().identity().genesis_hash));
  v.set_catching_up(catching_up_.load());
  v.set_version(kVersion);
  v.set_raft_first_index(rs.first_index);
  if (Status f = Fatal(); !f.ok()) {
    // Stopped after a storage failure (issue 17): the Raft role and height
    // above are where it stopped, not a live view.
    v.set_role("STOPPED");
    v.add_warnings("this node stopped taking part after a failure: " + f.ToString() +
                   "; fix the cause and restart it");
  }
  v.set_api_version(io::kApiVersion);
  for (auto& c : Certificates()) {
    if (c.expiring()) {
      v.add_warnings(c.kind() + " certificate " + c.subject() +
                     (c.seconds_left() <= 0 ? " has expired"
                                            : " expires in " + DaysLeft(c.seconds_left())) +
                     ": renew it (docs/operations.md)");
    }
    *v.add_certificates() = std::move(c);
  }
  {
    // The ledger rotated this node's key and the new one is not installed:
    // every peer refuses it until it is.
    std::optional<ledger::PublicKey> on_ledger;
    {
      io::MutexLock lock(&members_mu_);
      if (auto it = members_.find(node_id_); it != members_.end() && it->second.on_ledger) on_ledger = it->second.key;
    }
    if (on_ledger && *on_ledger != NodeKey()->public_key()) {
      v.add_warnings("the ledger names another key for this node (rotated) and it is not installed: stage it with "
                     "pledger-admin rotate-key's files and restart (docs/operations.md)");
    }
  }
  {
    io::MutexLock lock(&clock_mu_);
    for (const auto& [id, off] : clock_offsets_) {
      auto* c = v.add_clock_offsets();
      c->set_node_id(id);
      c->set_offset_ms(off);
    }
    v.set_clock_skewed(clock_skewed_);
    v.set_clock_skew_max_ms(clock_skew_max_ms_);
    if (clock_skewed_) {
      v.add_warnings("this node's clock is off the ledger time by more than " +
                     std::to_string(clock_skew_max_ms_) + " ms: fix its time source (docs/node.md, \"Ledger time\")");
    }
  }
  auto stats = transport_->Stats();
  std::map<std::uint64_t, consensus::PeerProgress> progress;
  for (const auto& p : rs.progress) progress[p.id] = p;
  std::map<std::string, Member> members;
  {
    io::MutexLock lock(&members_mu_);
    members = members_;
  }
  for (const auto& [id, m] : members) {
    if (id == node_id_) continue;
    auto* p = v.add_peers();
    p->set_node_id(id);
    p->set_connected(stats[id].connected);
    p->set_raft_role(rs.conf_state.IsVoter(m.raft_id)     ? "VOTER"
                     : rs.conf_state.IsLearner(m.raft_id) ? "LEARNER"
                                                          : "NONE");
    auto pr = progress.find(m.raft_id);
    if (pr != progress.end()) {
      p->set_match_index(pr->second.match);
      p->set_lag(rs.last_index > pr->second.match ? rs.last_index - pr->second.match : 0);
      p->set_recent_active(pr->second.recent_active);
    }
  }
  return io::ApiJsonFromMessage(v);
}

std::string NodeImpl::MetricsText() {
  consensus::NodeStatus rs;
  {
    io::MutexLock lock(&status_mu_);
    rs = raft_status_;
  }
  std::ostringstream o;
  auto metric = [&](const char* name, const char* type, const char* help, double value,
                    const std::string& labels = "") {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
      << name << labels << " " << value << "\n";
  };
  metric("pledger_txs_committed_total", "counter", "Transactions committed with an OK receipt.",
         static_cast<double>(metrics_.txs_committed.load()));
  metric("pledger_txs_rejected_total", "counter", "Transactions committed with a refusal receipt.",
         static_cast<double>(metrics_.txs_rejected.load()));
  metric("pledger_txs_submitted_total", "counter", "Transactions admitted through this node's API.",
         static_cast<double>(metrics_.txs_submitted.load()));
  metric("pledger_txs_refused_total", "counter", "Transactions refused at admission.",
         static_cast<double>(metrics_.txs_refused.load()));
  metric("pledger_block_height", "gauge", "Height of the last applied block.",
         static_cast<double>(applied_height_.load()));
  metric("pledger_blocks_applied_total", "counter", "Blocks applied.",
         static_cast<double>(metrics_.blocks_applied.load()));
  metric("pledger_blocks_skipped_total", "counter", "Committed entries skipped as invalid blocks.",
         static_cast<double>(metrics_.blocks_skipped.load()));
  metric("pledger_raft_term", "gauge", "Current Raft term.", static_cast<double>(rs.term));
  metric("pledger_raft_is_leader", "gauge", "1 if this node is the Raft leader.",
         rs.role == consensus::Role::kLeader ? 1.0 : 0.0);
  metric("pledger_raft_commit_index", "gauge", "Raft commit index.", static_cast<double>(rs.commit_index));
  metric("pledger_raft_applied_index", "gauge", "Raft index applied to the ledger.",
         static_cast<double>(applied_index_.load()));
  metric("pledger_raft_messages_dropped_total", "counter", "Raft messages dropped under overload.",
         static_cast<double>(metrics_.raft_msgs_dropped.load()));
  std::uint64_t blocks = metrics_.blocks_applied.load();
  metric("pledger_apply_seconds_last", "gauge", "Time to apply the last block.",
         static_cast<double>(metrics_.apply_us_last.load()) / 1e6);
  metric("pledger_apply_seconds_mean", "gauge", "Mean time to apply a block.",
         blocks ? static_cast<double>(metrics_.apply_us_total.load()) / 1e6 / static_cast<double>(blocks) : 0.0);
  metric("pledger_mempool_txs", "gauge", "Transactions waiting in the mempool.",
         static_cast<double>(mempool_->size()));
  metric("pledger_tx_index_memory_ids", "gauge",
         "Transaction ids held in memory in front of the tx index (16-32 bytes each).",
         static_cast<double>(ledger_->blocks().tx_front_size()));
  metric("pledger_state_bucket_copy_bytes", "gauge",
         "Bytes of state buckets the applier keeps in memory (bounded at 128 MiB).",
         static_cast<double>(ledger_->state().bucket_cache_bytes()));
  metric("pledger_state_root_mismatches_total", "counter",
         "Attestations whose state root differs from this node's.",
         static_cast<double>(metrics_.state_root_mismatches.load()));
  metric("pledger_admission_limit", "gauge",
         "Client transactions this node now lets wait to commit at once (admission control; 0: off).",
         admission_->enabled() ? static_cast<double>(admission_->limit()) : 0.0);
  metric("pledger_admission_refused_total", "counter",
         "Client transactions refused with 503 TX_BACKLOG by admission control.",
         static_cast<double>(admission_->refused()));
  metric("pledger_admission_shortest_wait_seconds", "gauge",
         "Shortest admission-to-commit wait of this node's clients' transactions in the last judged interval.",
         static_cast<double>(admission_->last_shortest_wait_us()) / 1e6);
  metric("pledger_mempool_local_txs", "gauge", "Transactions waiting in the mempool that this node's clients sent.",
         static_cast<double>(mempool_->local()));
  metric("pledger_signature_checks_remembered_total", "counter",
         "Clock-reading and attestation signatures found already verified (or signed) by this node.",
         static_cast<double>(verified_sigs_.hits()));
  metric("pledger_signature_checks_done_total", "counter",
         "Clock-reading and attestation signatures this node verified.",
         static_cast<double>(verified_sigs_.misses()));
  metric("pledger_key_install_failures_total", "counter",
         "Times the ledger rotated this node's key and no matching staged key was found.",
         static_cast<double>(metrics_.key_install_failures.load()));
  if (http_) {
    const HttpStats h = http_->Stats();
    metric("pledger_http_connections_open", "gauge", "API connections open now.", static_cast<double>(h.open));
    metric("pledger_http_connections_accepted_total", "counter", "API connections admitted.",
           static_cast<double>(h.accepted));
    o << "# HELP pledger_http_connections_closed_total API connections closed or refused by admission, by reason.\n"
      << "# TYPE pledger_http_connections_closed_total counter\n"
      << "pledger_http_connections_closed_total{reason=\"evicted_waiting\"} " << h.evicted_waiting << "\n"
      << "pledger_http_connections_closed_total{reason=\"refused_full\"} " << h.refused_full << "\n"
      << "pledger_http_connections_closed_total{reason=\"refused_address\"} " << h.refused_address << "\n"
      << "pledger_http_connections_closed_total{reason=\"dropped\"} " << h.dropped << "\n";
    o << "# HELP pledger_http_request_seconds API request latency, parsed request to answer written.\n"
      << "# TYPE pledger_http_request_seconds histogram\n";
    for (size_t i = 0; i < std::size(HttpStats::kLatencyBounds); ++i) {
      o << "pledger_http_request_seconds_bucket{le=\"" << HttpStats::kLatencyBounds[i] << "\"} "
        << h.latency_buckets[i] << "\n";
    }
    o << "pledger_http_request_seconds_bucket{le=\"+Inf\"} " << h.latency_buckets[std::size(HttpStats::kLatencyBounds)]
      << "\n"
      << "pledger_http_request_seconds_sum " << h.latency_sum_s << "\n"
      << "pledger_http_request_seconds_count " << h.requests << "\n";
  }
  o << "# HELP pledger_cert_expiry_seconds Seconds until a certificate expires (negative: expired).\n"
    << "# TYPE pledger_cert_expiry_seconds gauge\n";
  for (const auto& c : Certificates()) {
    o << "pledger_cert_expiry_seconds{kind=\"" << c.kind() << "\",subject=\"" << c.subject() << "\"} "
      << c.seconds_left() << "\n";
  }
  {
    io::MutexLock lock(&clock_mu_);
    metric("pledger_clock_skewed", "gauge",
           "1 if this node's clock is off the ledger time by more than clock_skew_max_ms.",
           clock_skewed_ ? 1.0 : 0.0);
    o << "# HELP pledger_validator_clock_offset_ms A voter's clock minus the ledger time, per its reading in the "
         "last block.\n"
      << "# TYPE pledger_validator_clock_offset_ms gauge\n";
    for (const auto& [id, off] : clock_offsets_) {
      o << "pledger_validator_clock_offset_ms{node=\"" << id << "\"} " << off << "\n";
    }
  }
  o << "# HELP pledger_peer_lag_entries Raft entries a peer is behind the leader (leader only).\n"
    << "# TYPE pledger_peer_lag_entries gauge\n";
  for (const auto& p : rs.progress) {
    if (p.id == raft_id_) continue;
    o << "pledger_peer_lag_entries{peer=\"" << NodeIdOfRaft(p.id) << "\"} "
      << (rs.last_index > p.match ? rs.last_index - p.match : 0) << "\n";
  }
  return o.str();
}

}  // namespace pledger::node
