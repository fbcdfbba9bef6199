// The HTTP/JSON API (docs/api.md). Handlers run on the API thread and must not
// block: anything that verifies signatures or may wait goes to the work pool
// or the waiter table. Every error is a JSON ErrorView with a stable code.
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <optional>
#include <set>
#include <sstream>

#include "contracts/dates.h"
#include "contracts/pool_keys.h"
#include "contracts/pool_queries.h"
#include "contracts/queries.h"
#include "contracts/state_keys.h"
#include "ledger/attestation.h"
#include "ledger/block.h"
#include "ledger/keys.h"
#include "ledger/merkle.h"
#include "ledger/tx.h"
#include "contracts/history.h"
#include "ledger/io/json.h"
#include "node/submit_json.h"
#include "node/log.h"
#include "node/node_impl.h"
#include "ledger/io/proto/api.pb.h"

namespace pledger::node {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kMaxWait{60000};
constexpr size_t kMaxWaiters = 20000;
constexpr std::uint64_t kMaxBlockRange = 100;
constexpr char kVersion[] = "pledgerd 0.1.0";

HttpResponse Json(int status, const google::protobuf::Message& m) {
  HttpResponse r;
  r.status = status;
  r.body = io::ToJson(m, /*pretty=*/false);
  return r;
}

int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnauthenticated: return 400;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

HttpResponse Error(const Status& s) {
  api::ErrorView v;
  v.mutable_error()->set_code(s.reason().empty() ? std::string(StatusCodeName(s.code())) : std::string(s.reason()));
  v.mutable_error()->set_message(std::string(s.message()));
  HttpResponse r = Json(HttpStatusOf(s), v);
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse Error(int status, const std::string& code, const std::string& message) {
  api::ErrorView v;
  v.mutable_error()->set_code(code);
  v.mutable_error()->set_message(message);
  return Json(status, v);
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

Result<std::chrono::milliseconds> WaitParam(const HttpRequest& req) {
  auto it = req.query.find("wait");
  if (it == req.query.end()) return std::chrono::milliseconds(0);
  char* end = nullptr;
  long v = std::strtol(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || v < 0) {
    return Status::InvalidArgument("WAIT_INVALID", "wait must be a number of milliseconds");
  }
  return std::min(std::chrono::milliseconds(v), kMaxWait);
}

Result<std::uint64_t> UintParam(const HttpRequest& req, const std::string& name, std::uint64_t def) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return def;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || errno != 0 || it->second[0] == '-') {
    return Status::InvalidArgument("PARAM_INVALID", name + " must be a non-negative integer");
  }
  return static_cast<std::uint64_t>(v);
}

std::string Hex(const std::string& raw) { return ledger::HexEncode(raw); }

// "YYYY-MM-DD" as days since 1970-01-01; nullopt unless it is a calendar date
// within the range the contracts accept.
std::optional<std::int32_t> ParseIsoDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int y = std::stoi(s.substr(0, 4));
  const auto m = static_cast<unsigned>(std::stoi(s.substr(5, 2)));
  const auto d = static_cast<unsigned>(std::stoi(s.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1 || d > contracts::DaysInMonth(y, m)) return std::nullopt;
  const std::int32_t day = contracts::DaysFromCivil(y, m, d);
  if (day < contracts::kMinDate || day > contracts::kMaxDate) return std::nullopt;
  return day;
}

// At most this many organisations in one GET /v1/orgs answer.
constexpr size_t kMaxOrgList = 1000;

// The organisations of `kind` (every organisation for ORG_KIND_UNSPECIFIED),
// in id order: a scan of the state's "org/" records.
Result<api::OrgList> OrgsOfKind(const ledger::StateReader& s, contracts::OrgKind kind) {
  api::OrgList out;
  Status bad;
  PLEDGER_RETURN_IF_ERROR(s.Scan(contracts::keys::Org(""), [&](std::string_view k, std::string_view v) {
    contracts::Organisation o;
    if (!o.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = Status::Corruption("STATE_RECORD_CORRUPT", "organisation record " + std::string(k) + " does not parse");
      return false;
    }
    if (kind != contracts::ORG_KIND_UNSPECIFIED && o.kind() != kind) return true;
    if (static_cast<size_t>(out.organisations_size()) == kMaxOrgList) {
      out.set_truncated(true);
      return false;
    }
    *out.add_organisations() = std::move(o);
    return true;
  }));
  PLEDGER_RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Waiters

void NodeImpl::NotifyWaiters(const ledger::Hash256& id, const ledger::Receipt& receipt,
                             std::uint64_t height, std::uint32_t index) {
  std::vector<Waiter> ready;
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    auto range = waiters_.equal_range(id);
    for (auto it = range.first; it != range.second; ++it) ready.push_back(std::move(it->second));
    waiters_.erase(range.first, range.second);
  }
  if (ready.empty()) return;
  api::SubmitResponse resp;
  resp.set_tx_id(ledger::HexEncode(id));
  resp.set_status("COMMITTED");
  auto* tx = resp.mutable_tx();
  tx->set_tx_id(resp.tx_id());
  tx->set_status("COMMITTED");
  tx->set_height(height);
  tx->set_index(index);
  *tx->mutable_receipt() = receipt;
  tx->set_receipt_code(receipt.code());
  HttpResponse r;
  r.status = 200;
  r.body = SubmitResponseJson(resp);
  for (auto& w : ready) w.respond(r);
}

void NodeImpl::ExpireWaiters() {
  auto now = Clock::now();
  std::vector<Waiter> expired;
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& w : expired) {
    api::SubmitResponse resp;
    resp.set_tx_id(w.tx_id_hex);
    resp.set_status("PENDING");
    resp.set_message("not committed within the wait time; ask again with GET /v1/txs/" +
                     w.tx_id_hex + "?wait=MS");
    w.respond(Json(202, resp));
  }
}

// ---------------------------------------------------------------------------
// Views

namespace {

// "attested" here is the node's own quick view: agreeing signatures of the
// validators that vote now. pledger-audit judges each block against the set
// in force at that block (docs/audit.md); the two differ only around a
// membership change.
api::AttestationStatus AttestationView(NodeImpl* n, std::uint64_t height) {
  api::AttestationStatus st;
  std::set<std::string> voters;
  {
    std::lock_guard<std::mutex> lock(n->members_mu_);
    for (const auto& [id, m] : n->members_) {
      if (m.on_ledger && m.voter) voters.insert(id);
    }
  }
  st.set_validators(static_cast<std::uint32_t>(voters.size()));
  auto ours = n->ledger_->blocks().GetResults(height);
  auto atts = n->AttestationsOf(height);
  size_t voting_agree = 0;
  if (ours.ok() && atts.ok()) {
    for (const auto& a : *atts) {
      if (a.state_root() == ours->state_root() && a.block_hash() == ours->block_hash() &&
          a.results_root() == ours->results_root()) {
        st.add_signed_by(a.validator_id());
        if (voters.count(a.validator_id())) ++voting_agree;  // a learner's signature does not count
      } else {
        st.add_disagreeing(a.validator_id());
      }
    }
  }
  st.set_signatures(static_cast<std::uint32_t>(st.signed_by_size()));
  st.set_attested(!voters.empty() && voting_agree * 2 > voters.size());
  return st;
}

Result<api::BlockView> BlockViewOf(NodeImpl* n, std::uint64_t height, bool with_atts) {
  PLEDGER_ASSIGN_OR_RETURN(ledger::Block b, n->ledger_->blocks().GetBlock(height));
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockHeader h, ledger::DecodeBlockHeader(b));
  api::BlockView v;
  v.set_height(height);
  v.set_hash(ledger::HexEncode(ledger::BlockHash(b)));
  *v.mutable_header() = h;
  v.set_header_hex(Hex(b.header()));
  for (const auto& raw : b.txs()) {
    ledger::Transaction tx;
    tx.ParseFromString(raw);
    v.add_tx_ids(ledger::HexEncode(ledger::TxId(tx)));
  }
  auto r = n->ledger_->blocks().GetResults(height);
  if (r.ok()) {
    v.set_state_root(Hex(r->state_root()));
    v.set_results_root(Hex(r->results_root()));
  }
  if (with_atts) {
    *v.mutable_attestation() = AttestationView(n, height);
    for (const auto& raw : b.attestations()) {
      ledger::Attestation a;
      if (a.ParseFromString(raw)) *v.add_attestations() = a;
    }
  }
  return v;
}

Result<api::TxView> TxViewOf(NodeImpl* n, const ledger::Hash256& id) {
  PLEDGER_ASSIGN_OR_RETURN(ledger::TxLocation loc, n->ledger_->blocks().LocateTx(id));
  PLEDGER_ASSIGN_OR_RETURN(ledger::Block b, n->ledger_->blocks().GetBlock(loc.height()));
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockHeader h, ledger::DecodeBlockHeader(b));
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockResults results, n->ledger_->blocks().GetResults(loc.height()));
  if (loc.index() >= static_cast<std::uint32_t>(b.txs_size()) ||
      loc.index() >= static_cast<std::uint32_t>(results.receipts_size())) {
    return Status::Corruption("INDEX_CORRUPT", "tx index points outside its block");
  }
  api::TxView v;
  v.set_tx_id(ledger::HexEncode(id));
  v.set_status("COMMITTED");
  v.set_height(loc.height());
  v.set_index(loc.index());
  v.set_block_hash(ledger::HexEncode(ledger::BlockHash(b)));
  v.set_block_time_ms(h.time_ms());
  v.mutable_tx()->ParseFromString(b.txs(static_cast<int>(loc.index())));
  v.mutable_body()->ParseFromString(v.tx().body());
  v.mutable_receipt()->ParseFromString(results.receipts(static_cast<int>(loc.index())));
  v.set_receipt_code(v.receipt().code());
  std::vector<ledger::Hash256> leaves;
  leaves.reserve(b.txs_size());
  for (const auto& raw : b.txs()) leaves.push_back(ledger::MerkleLeafHash(raw));
  auto proof = ledger::MerkleInclusionProof(leaves, loc.index());
  if (proof.ok()) {
    auto* p = v.mutable_proof();
    p->set_leaf_index(loc.index());
    p->set_tree_size(leaves.size());
    for (const auto& node : *proof) p->add_path(ledger::HexEncode(node));
    p->set_tx_root(Hex(h.tx_root()));
  }
  *v.mutable_attestation() = AttestationView(n, loc.height());
  return v;
}

}  // namespace

std::string NodeImpl::StatusJson() {
  consensus::NodeStatus rs;
  {
    std::lock_guard<std::mutex> lock(status_mu_);
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
  auto stats = transport_->Stats();
  std::map<std::uint64_t, consensus::PeerProgress> progress;
  for (const auto& p : rs.progress) progress[p.id] = p;
  std::map<std::string, Member> members;
  {
    std::lock_guard<std::mutex> lock(members_mu_);
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
  return io::ToJson(v, /*pretty=*/false);
}

std::string NodeImpl::MetricsText() {
  consensus::NodeStatus rs;
  {
    std::lock_guard<std::mutex> lock(status_mu_);
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
  o << "# HELP pledger_peer_lag_entries Raft entries a peer is behind the leader (leader only).\n"
    << "# TYPE pledger_peer_lag_entries gauge\n";
  for (const auto& p : rs.progress) {
    if (p.id == raft_id_) continue;
    o << "pledger_peer_lag_entries{peer=\"" << NodeIdOfRaft(p.id) << "\"} "
      << (rs.last_index > p.match ? rs.last_index - p.match : 0) << "\n";
  }
  return o.str();
}

// ---------------------------------------------------------------------------
// Routing

void NodeImpl::HandleHttp(HttpRequest req, HttpResponder respond) {
  std::vector<std::string> parts = SplitPath(req.path);
  const std::string& m = req.method;
  auto get = [&](size_t n) -> const std::string& {
    static const std::string kEmpty;
    return n < parts.size() ? parts[n] : kEmpty;
  };

  if (m == "GET" && req.path == "/healthz") {
    HttpResponse r;
    r.content_type = "text/plain";
    bool ok = fatal_.ok() && !stopped_.load();
    r.status = ok ? 200 : 503;
    r.body = ok ? "ok\n" : "unhealthy: " + fatal_.ToString() + "\n";
    return respond(r);
  }
  if (m == "GET" && req.path == "/metrics") {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = MetricsText();
    return respond(r);
  }
  if (get(0) != "v1") {
    return respond(Error(404, "ROUTE_NOT_FOUND", "no such endpoint: " + req.path + "; see docs/api.md"));
  }

  // POST /v1/txs
  if (parts.size() == 2 && get(1) == "txs") {
    if (m != "POST") return respond(Error(405, "METHOD_NOT_ALLOWED", "use POST /v1/txs"));
    auto wait = WaitParam(req);
    if (!wait.ok()) return respond(Error(wait.status()));
    std::string raw;
    auto ct = req.headers.find("content-type");
    if (ct != req.headers.end() && ct->second.find("application/x-protobuf") != std::string::npos) {
      raw = std::move(req.body);
    } else {
      ledger::Transaction tx;
      Status s = io::ParseJson(req.body, &tx, "request body");
      if (!s.ok()) {
        return respond(Error(400, "TX_JSON_INVALID",
                             std::string(s.message()) +
                                 "; send {\"body\": base64, \"signatures\": [{\"public_key\": base64, "
                                 "\"signature\": base64}]}"));
      }
      raw = tx.SerializeAsString();
    }
    auto shared = std::make_shared<HttpResponder>(std::move(respond));
    bool queued = pool_->Submit([this, raw = std::move(raw), wait = *wait, shared]() mutable {
      ledger::Hash256 id{};
      Status s = Admit(std::move(raw), /*from_peer=*/false, &id);
      if (!s.ok() && s.reason() != "TX_ALREADY_COMMITTED") return (*shared)(Error(s));
      std::string hex = ledger::HexEncode(id);
      if (wait.count() > 0) {
        {
          std::lock_guard<std::mutex> lock(wait_mu_);
          if (waiters_.size() >= kMaxWaiters) {
            return (*shared)(Error(Status::ResourceExhausted(
                "TOO_MANY_WAITERS", "too many clients are waiting; retry without wait or later")));
          }
          waiters_.emplace(id, Waiter{*shared, Clock::now() + wait, hex});
        }
        // Committed meanwhile (or before)? Then answer now.
        auto view = TxViewOf(this, id);
        if (view.ok()) {
          std::lock_guard<std::mutex> lock(wait_mu_);
          auto range = waiters_.equal_range(id);
          for (auto it = range.first; it != range.second;) it = waiters_.erase(it);
        } else {
          return;
        }
        api::SubmitResponse resp;
        resp.set_tx_id(hex);
        resp.set_status("COMMITTED");
        *resp.mutable_tx() = *view;
        return (*shared)(Json(200, resp));
      }
      api::SubmitResponse resp;
      resp.set_tx_id(hex);
      resp.set_status(s.ok() ? "PENDING" : "COMMITTED");
      resp.set_message(s.ok() ? "admitted; GET /v1/txs/" + hex + " for the receipt" : std::string(s.message()));
      (*shared)(Json(s.ok() ? 202 : 200, resp));
    });
    if (!queued) {
      (*shared)(Error(Status::ResourceExhausted("NODE_BUSY", "the node is busy; retry shortly")));
    }
    return;
  }

  if (m != "GET") return respond(Error(405, "METHOD_NOT_ALLOWED", "only GET here"));

  // GET /v1/status
  if (parts.size() == 2 && get(1) == "status") {
    HttpResponse r;
    r.body = StatusJson();
    return respond(r);
  }

  // GET /v1/txs/{id}
  if (parts.size() == 3 && get(1) == "txs") {
    auto id = ledger::HashFromHex(get(2));
    if (!id.ok()) return respond(Error(400, "TX_ID_INVALID", "a transaction id is 64 hex characters"));
    auto wait = WaitParam(req);
    if (!wait.ok()) return respond(Error(wait.status()));
    auto view = TxViewOf(this, *id);
    if (view.ok()) return respond(Json(200, *view));
    if (!view.status().IsNotFound()) return respond(Error(view.status()));
    bool pending = mempool_->Contains(*id);
    if (wait->count() > 0 && pending) {
      std::lock_guard<std::mutex> lock(wait_mu_);
      if (waiters_.size() < kMaxWaiters) {
        waiters_.emplace(*id, Waiter{std::move(respond), Clock::now() + *wait, get(2)});
        return;
      }
    }
    if (pending) {
      api::TxView v;
      v.set_tx_id(get(2));
      v.set_status("PENDING");
      return respond(Json(202, v));
    }
    return respond(Error(view.status()));
  }

  // GET /v1/blocks?from=&to= and /v1/blocks/{height|hash}
  if (get(1) == "blocks") {
    if (parts.size() == 2) {
      std::uint64_t tip = ledger_->blocks().tip().height;
      auto to = UintParam(req, "to", tip);
      if (!to.ok()) return respond(Error(to.status()));
      std::uint64_t def_from = *to > kMaxBlockRange ? *to - kMaxBlockRange + 1 : 1;
      auto from = UintParam(req, "from", def_from);
      if (!from.ok()) return respond(Error(from.status()));
      if (*from == 0 || *to < *from || *to - *from + 1 > kMaxBlockRange) {
        return respond(Error(400, "RANGE_INVALID", "from must be >= 1, to >= from, at most 100 blocks"));
      }
      api::BlockList list;
      for (std::uint64_t h = *from; h <= std::min(*to, tip); ++h) {
        auto v = BlockViewOf(this, h, /*with_atts=*/false);
        if (!v.ok()) return respond(Error(v.status()));
        *list.add_blocks() = *v;
      }
      return respond(Json(200, list));
    }
    if (parts.size() == 3) {
      std::uint64_t height = 0;
      if (get(2).size() == 64) {
        auto hash = ledger::HashFromHex(get(2));
        if (!hash.ok()) return respond(Error(400, "BLOCK_ID_INVALID", "give a height or a 64-hex block hash"));
        auto h = ledger_->blocks().HeightOfHash(*hash);
        if (!h.ok()) return respond(Error(h.status()));
        height = *h;
      } else {
        char* end = nullptr;
        height = std::strtoull(get(2).c_str(), &end, 10);
        if (get(2).empty() || *end != '\0' || height == 0) {
          return respond(Error(400, "BLOCK_ID_INVALID", "give a height (>= 1) or a 64-hex block hash"));
        }
      }
      auto v = BlockViewOf(this, height, /*with_atts=*/true);
      if (!v.ok()) return respond(Error(v.status()));
      return respond(Json(200, *v));
    }
  }

  // GET /v1/blocks/{height}/attestations
  if (parts.size() == 4 && get(1) == "blocks" && get(3) == "attestations") {
    char* end = nullptr;
    std::uint64_t height = std::strtoull(get(2).c_str(), &end, 10);
    if (get(2).empty() || *end != '\0' || height == 0) {
      return respond(Error(400, "BLOCK_ID_INVALID", "give a block height (>= 1)"));
    }
    auto atts = AttestationsOf(height);
    if (!atts.ok()) return respond(Error(atts.status()));
    api::AttestationList list;
    list.set_height(height);
    for (auto& a : *atts) *list.add_attestations() = std::move(a);
    return respond(Json(200, list));
  }

  // GET /v1/raw/blocks?from=&to=: exact block and results bytes for auditors
  // (a BlockResponse, protobuf binary), so nothing is re-encoded on the way.
  if (parts.size() == 3 && get(1) == "raw" && get(2) == "blocks") {
    auto from = UintParam(req, "from", 1);
    auto to = UintParam(req, "to", 0);
    if (!from.ok() || !to.ok() || *from == 0 || *to < *from) {
      return respond(Error(400, "RANGE_INVALID", "give from >= 1 and to >= from"));
    }
    PeerMessage pm;
    pm.mutable_block_request()->set_from_height(*from);
    pm.mutable_block_request()->set_to_height(*to);
    api::BlockResponse out;
    std::uint64_t tip = ledger_->blocks().tip().height;
    size_t bytes = 0;
    for (std::uint64_t h = *from; h <= std::min(*to, tip); ++h) {
      auto b = ledger_->db().Get(ledger::keys::Block(h));
      auto r = ledger_->db().Get(ledger::keys::Results(h));
      if (!b.ok() || !r.ok() || !b->has_value() || !r->has_value()) break;
      bytes += (*b)->size() + (*r)->size();
      out.add_blocks(std::move(**b));
      out.add_results(std::move(**r));
      if (out.blocks_size() >= 500 || bytes > (16u << 20)) break;
    }
    HttpResponse r;
    r.content_type = "application/x-protobuf";
    r.body = out.SerializeAsString();
    return respond(r);
  }

  // GET /v1/genesis: the genesis file this node runs (auditors bring their own
  // copy and compare hashes; never trust this one alone).
  if (parts.size() == 2 && get(1) == "genesis") {
    HttpResponse r;
    r.body = genesis_bytes_;
    return respond(r);
  }

  // GET /v1/history/{entity...}?after=&limit= (entities are one segment,
  // "params", or several: "patent/ZL…", "tranche/<pool>/<rank>")
  if (get(1) == "history" && parts.size() >= 3) {
    std::string entity = get(2);
    for (size_t i = 3; i < parts.size(); ++i) entity += "/" + parts[i];
    auto limit = UintParam(req, "limit", 100);
    if (!limit.ok()) return respond(Error(limit.status()));
    auto page = contracts::QueryHistory(ledger_->db(), entity, req.query.count("after") ? req.query["after"] : "",
                             static_cast<size_t>(*limit));
    if (!page.ok()) return respond(Error(page.status()));
    return respond(Json(200, *page));
  }

  // Contract queries over one consistent snapshot of the state.
  auto state = ledger_->state().SnapshotReader();
  auto as_of = UintParam(req, "height", 0);
  if (!as_of.ok()) return respond(Error(as_of.status()));
  auto reply = [&](const auto& result) {
    if (!result.ok()) return respond(Error(result.status()));
    respond(Json(200, *result));
  };
  // Past state of one record: ?height=H on a single-record endpoint.
  auto past = [&](const std::string& key, google::protobuf::Message* msg) {
    auto v = contracts::StateAsOf(ledger_->db(), key, *as_of, &genesis_state_);
    if (!v.ok()) return respond(Error(v.status()));
    if (!v->has_value() || !msg->ParseFromString(**v)) {
      return respond(Error(404, "NOT_FOUND_AT_HEIGHT", key + " did not exist at height " + std::to_string(*as_of)));
    }
    respond(Json(200, *msg));
  };
  if (parts.size() == 3 && get(1) == "patents") {
    if (*as_of > 0) {
      contracts::Patent p;
      return past("patent/" + get(2), &p);
    }
    return reply(contracts::QueryPatent(*state, get(2), last_applied_time_ms_.load()));
  }
  if (parts.size() == 4 && get(1) == "patents" && get(3) == "history") {
    auto limit = UintParam(req, "limit", 100);
    if (!limit.ok()) return respond(Error(limit.status()));
    auto page = contracts::QueryHistory(ledger_->db(), "patent/" + get(2),
                             req.query.count("after") ? req.query["after"] : "", *limit);
    if (!page.ok()) return respond(Error(page.status()));
    return respond(Json(200, *page));
  }
  if (parts.size() == 3 && get(1) == "pledges") {
    if (*as_of > 0) {
      contracts::Pledge p;
      return past("pledge/" + get(2), &p);
    }
    return reply(contracts::QueryPledge(*state, get(2)));
  }
  if (parts.size() == 2 && get(1) == "pledges") {
    if (req.query.count("bank")) return reply(contracts::QueryPledgesOfBank(*state, req.query["bank"]));
    if (req.query.count("borrower")) {
      return reply(contracts::QueryPledgesOfBorrower(*state, req.query["borrower"]));
    }
    return respond(Error(400, "QUERY_INVALID", "give ?bank=ORG or ?borrower=ORG"));
  }
  if (parts.size() == 3 && get(1) == "valuations") return reply(contracts::QueryValuation(*state, get(2)));
  if (parts.size() == 3 && get(1) == "accounts") {
    if (*as_of > 0) {
      contracts::Account a;
      return past(contracts::keys::Account(get(2)), &a);
    }
    return reply(contracts::QueryAccount(*state, get(2)));
  }
  if (parts.size() == 2 && get(1) == "orgs") {
    contracts::OrgKind kind = contracts::ORG_KIND_UNSPECIFIED;
    if (req.query.count("kind") &&
        (!contracts::OrgKind_Parse(req.query["kind"], &kind) || kind == contracts::ORG_KIND_UNSPECIFIED)) {
      return respond(Error(400, "QUERY_INVALID", "kind must be an OrgKind name such as ORG_IP_OFFICE or ORG_TRUSTEE"));
    }
    return reply(OrgsOfKind(*state, kind));
  }
  if (parts.size() == 3 && get(1) == "orgs") {
    if (*as_of > 0) {
      contracts::Organisation o;
      return past(contracts::keys::Org(get(2)), &o);
    }
    return reply(contracts::QueryOrganisation(*state, get(2)));
  }
  if (parts.size() == 4 && get(1) == "orgs" && get(3) == "lending") {
    return reply(contracts::QueryLendingReport(*state, get(2)));
  }
  // Pools and tranches (issue 8; contracts/pool_queries.h).
  if (parts.size() == 2 && get(1) == "pools") {
    if (!req.query.count("trustee")) return respond(Error(400, "QUERY_INVALID", "give ?trustee=ORG"));
    return reply(contracts::QueryPoolsOfTrustee(*state, req.query["trustee"]));
  }
  if (parts.size() == 3 && get(1) == "pools") {
    if (*as_of > 0) {
      contracts::Pool p;
      return past(contracts::keys::Pool(get(2)), &p);
    }
    return reply(contracts::QueryPool(*state, get(2)));
  }
  if (parts.size() == 5 && get(1) == "pools" && get(3) == "statements") {
    auto day = ParseIsoDate(get(4));
    if (!day) return respond(Error(400, "DATE_INVALID", "a statement's payment date is YYYY-MM-DD"));
    return reply(contracts::QueryPoolStatement(*state, get(2), *day));
  }
  if (parts.size() == 4 && get(1) == "pools" && get(3) == "preview") {
    auto day = req.query.count("date") ? ParseIsoDate(req.query["date"]) : std::nullopt;
    if (!day) return respond(Error(400, "DATE_INVALID", "give the payment date: ?date=YYYY-MM-DD"));
    bool allow_draw = true;
    if (req.query.count("no_shortfall_draw")) {
      const std::string& v = req.query["no_shortfall_draw"];
      if (v != "true" && v != "false") {
        return respond(Error(400, "PARAM_INVALID", "no_shortfall_draw must be true or false"));
      }
      allow_draw = v == "false";
    }
    return reply(contracts::QueryPoolPaymentPreview(*state, get(2), *day, allow_draw));
  }
  if (parts.size() == 2 && get(1) == "holdings") {
    if (!req.query.count("investor")) return respond(Error(400, "QUERY_INVALID", "give ?investor=ORG"));
    return reply(contracts::QueryHoldingsOfInvestor(*state, req.query["investor"]));
  }
  if (parts.size() == 2 && get(1) == "validators") return reply(contracts::QueryValidators(*state));
  if (parts.size() == 2 && get(1) == "params") {
    if (*as_of > 0) {
      contracts::Params p;
      return past(std::string(contracts::keys::kParams), &p);
    }
    return reply(contracts::QueryParams(*state));
  }

  respond(Error(404, "ROUTE_NOT_FOUND", "no such endpoint: " + req.path + "; see docs/api.md"));
}

}  // namespace pledger::node
