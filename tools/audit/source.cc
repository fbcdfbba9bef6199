#include "tools/audit/source.h"

#include <google/protobuf/util/json_util.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#include <sys/stat.h>

#include "contracts/proto/query.pb.h"
#include "contracts/queries.h"
#include "contracts/proto/state.pb.h"
#include "ledger/bytes.h"
#include "ledger/keys.h"
#include "ledger/tx.h"
#include "ledger/io/api_json.h"
#include "ledger/io/http_client.h"
#include "ledger/io/proto/api.pb.h"
#include "tools/audit/readonly_env.h"
#include "tools/common/args.h"

namespace pledger::tools::audit {
namespace {

// What one ReadBlocks call returns at most, like the node's raw endpoint.
constexpr size_t kMaxBlocksPerRead = 500;
constexpr size_t kMaxBytesPerRead = 16u << 20;

Status FromLevelDb(const leveldb::Status& s, const std::string& dir) {
  if (s.ok()) return Status::OK();
  std::string detail = s.ToString();
  if (s.IsIOError() && detail.find("lock") != std::string::npos) {
    return Status::FailedPrecondition(
        "DB_LOCKED", "the data directory " + dir +
                         " is in use: a running pledgerd holds its lock (" + detail +
                         "). Stop the node first, audit a copy of the directory, or verify the "
                         "running node through its API with --node URL");
  }
  if (s.IsInvalidArgument() && detail.find("does not exist") != std::string::npos) {
    return Status::NotFound("DB_NOT_FOUND", dir + " holds no LevelDB database (" + detail +
                                                "); give a node's data_dir");
  }
  if (s.IsCorruption()) {
    return Status::Corruption("DB_CORRUPT", "the database in " + dir + " is damaged: " + detail);
  }
  if (s.IsNotFound()) return Status::NotFound("DB_NOT_FOUND", detail);
  return Status::IOError("DB_IO", "reading " + dir + ": " + detail);
}

Status ParseLenient(const std::string& json, google::protobuf::Message* msg, const std::string& what) {
  // API JSON (ISO dates, RFC 3339 instants, hex bytes) back into the view;
  // a newer node may add fields.
  auto st = io::ApiJsonToMessage(json, msg, what, /*ignore_unknown_fields=*/true);
  if (!st.ok()) {
    return Status::Corruption("NODE_RESPONSE_INVALID",
                              "the node's answer to " + what + " does not parse: " + std::string(st.message()));
  }
  return Status::OK();
}

Status ApiStatus(const io::HttpResponse& r, const std::string& target, ReaderKind reader) {
  api::ErrorView e;
  std::string code = "HTTP_" + std::to_string(r.status);
  std::string message = "the node answered " + std::to_string(r.status) + " to GET " + target;
  if (ParseLenient(r.body, &e, target).ok() && !e.error().code().empty()) {
    code = e.error().code();
    message = e.error().message();
  }
  if (IsAccessRefusal(code)) return AccessRefusal(r.status, code, reader, kAuditorSignIn, message);
  switch (r.status) {
    case 400: return Status::InvalidArgument(code, message);
    case 404: return Status::NotFound(code, message);
    case 409: return Status::FailedPrecondition(code, message);
    case 503: return Status::Unavailable(code, message);
    default: return Status::Internal(code, message);
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// DirSource

DirSource::~DirSource() { db_.reset(); }

Result<std::unique_ptr<DirSource>> DirSource::Open(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::NotFound("DB_NOT_FOUND", "no directory " + dir + "; give a node's data_dir");
  }
  std::unique_ptr<DirSource> src(new DirSource());
  src->dir_ = dir;
  // pledgerd keeps its LevelDB in data_dir/db: accept the node's data_dir.
  struct stat db_st {};
  const std::string sub = dir + "/db";
  if (::stat((dir + "/CURRENT").c_str(), &st) != 0 && ::stat((sub + "/CURRENT").c_str(), &db_st) == 0) {
    src->dir_ = sub;
  }
  src->env_ = NewReadOnlyEnv(leveldb::Env::Default());
  src->logger_ = NewNullLogger();
  leveldb::Options opts;
  opts.env = src->env_.get();
  opts.info_log = src->logger_.get();
  opts.create_if_missing = false;
  opts.paranoid_checks = true;
  // The node writes Bloom filters; reading them makes absent-key reads cheap.
  static const leveldb::FilterPolicy* bloom = leveldb::NewBloomFilterPolicy(10);
  opts.filter_policy = bloom;
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(opts, src->dir_, &raw);
  if (!s.ok()) return FromLevelDb(s, src->dir_);
  src->db_.reset(raw);
  PLEDGER_ASSIGN_OR_RETURN(auto meta, src->Get(ledger::keys::Meta("chain")));
  if (!meta) {
    return Status::NotFound("CHAIN_NOT_INITIALISED", src->dir_ + " holds a database but no chain");
  }
  ledger::ChainMeta m;
  if (!m.ParseFromString(*meta)) return Status::Corruption("CHAIN_META_CORRUPT", "chain identity record damaged");
  if (m.format_version() != ledger::keys::kDiskFormatVersion) {
    return Status::FailedPrecondition("DISK_FORMAT_UNSUPPORTED",
                                      src->dir_ + " has disk format " + std::to_string(m.format_version()) +
                                          "; this pledger-audit reads format " +
                                          std::to_string(ledger::keys::kDiskFormatVersion));
  }
  return src;
}

Result<std::optional<std::string>> DirSource::Get(std::string_view key) const {
  std::string v;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromLevelDb(s, dir_);
  return std::optional<std::string>(std::move(v));
}

Status DirSource::Scan(std::string_view prefix, std::string_view start,
                       const std::function<bool(std::string_view, std::string_view)>& fn) const {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  std::string_view from = start < prefix ? prefix : start;
  for (it->Seek(leveldb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (k.substr(0, prefix.size()) != prefix) break;
    if (!fn(k, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromLevelDb(it->status(), dir_);
}

Result<std::uint64_t> DirSource::TipHeight() {
  PLEDGER_ASSIGN_OR_RETURN(auto bytes, Get(ledger::keys::Meta("tip")));
  ledger::ChainTip tip;
  if (!bytes || !tip.ParseFromString(*bytes)) {
    return Status::Corruption("CHAIN_TIP_CORRUPT", "the chain tip record in " + dir_ + " is missing or damaged");
  }
  return tip.height();
}

Result<std::vector<RawBlock>> DirSource::ReadBlocks(std::uint64_t from, std::uint64_t to) {
  PLEDGER_ASSIGN_OR_RETURN(std::uint64_t tip, TipHeight());
  std::vector<RawBlock> out;
  size_t bytes = 0;
  for (std::uint64_t h = std::max<std::uint64_t>(from, 1); h <= std::min(to, tip); ++h) {
    PLEDGER_ASSIGN_OR_RETURN(auto b, Get(ledger::keys::Block(h)));
    PLEDGER_ASSIGN_OR_RETURN(auto r, Get(ledger::keys::Results(h)));
    if (!b || !r) {
      if (!out.empty()) break;
      return Status::NotFound("BLOCK_NOT_FOUND", "block " + std::to_string(h) + (b ? " has no results" : " is missing") +
                                                     " in " + dir_ + " (its tip record says " +
                                                     std::to_string(tip) + ")");
    }
    bytes += b->size() + r->size();
    out.push_back(RawBlock{h, std::move(*b), std::move(*r)});
    if (out.size() >= kMaxBlocksPerRead || bytes > kMaxBytesPerRead) break;
  }
  return out;
}

Result<std::vector<std::string>> DirSource::Attestations(std::uint64_t height) {
  std::string prefix(1, ledger::keys::kAttestation);
  ledger::PutBigEndian64(&prefix, height);
  std::vector<std::string> out;
  PLEDGER_RETURN_IF_ERROR(Scan(prefix, prefix, [&](std::string_view, std::string_view v) {
    out.emplace_back(v);
    return true;
  }));
  return out;
}

std::unique_ptr<leveldb::Iterator> DirSource::NewIterator() const {
  return std::unique_ptr<leveldb::Iterator>(db_->NewIterator(leveldb::ReadOptions()));
}

Status DirSource::Error(const leveldb::Status& s) const { return FromLevelDb(s, dir_); }

Result<contracts::HistoryPage> DirSource::History(const std::string& entity, const std::string& cursor, size_t limit) {
  return contracts::QueryHistory(*this, entity, cursor, limit);
}

Result<std::optional<std::string>> DirSource::RecordAsOf(const std::string& key, std::uint64_t height) {
  // Without the genesis state: the records asked for (patents, pledges, pools,
  // tranches) are created by blocks, never by the genesis.
  return contracts::StateAsOf(*this, key, height);
}

Result<std::vector<std::string>> DirSource::ValidatorIds() {
  std::string prefix = ledger::keys::State("validator/");
  std::vector<std::string> ids;
  PLEDGER_RETURN_IF_ERROR(Scan(prefix, prefix, [&](std::string_view k, std::string_view) {
    ids.emplace_back(k.substr(prefix.size()));
    return true;
  }));
  return ids;
}

Result<std::pair<std::uint64_t, std::uint32_t>> DirSource::LocateTx(const std::string& tx_id_hex) {
  auto id = ledger::HashFromHex(tx_id_hex);
  if (!id.ok()) return UsageError("a transaction id is 64 hex characters");
  PLEDGER_ASSIGN_OR_RETURN(auto bytes, Get(ledger::keys::Tx(*id)));
  ledger::TxLocation loc;
  if (!bytes) return Status::NotFound("TX_NOT_FOUND", "no committed transaction " + tx_id_hex + " in " + dir_);
  if (!loc.ParseFromString(*bytes)) return Status::Corruption("INDEX_CORRUPT", "the transaction index is damaged");
  return std::make_pair(loc.height(), loc.index());
}

// ---------------------------------------------------------------------------
// NodeSource

NodeSource::~NodeSource() = default;

Result<std::unique_ptr<NodeSource>> NodeSource::Connect(const std::string& url, const std::string& ca_file,
                                                        io::RequestCredentials credentials) {
  io::HttpClientOptions o;
  o.ca_file = ca_file;
  const ReaderKind reader = credentials.key ? ReaderKind::kSigned
                            : credentials.bearer_token.empty() ? ReaderKind::kAnonymous
                                                               : ReaderKind::kToken;
  o.credentials = std::move(credentials);
  o.timeout = std::chrono::milliseconds(60000);
  o.response_limit = 64u << 20;
  PLEDGER_ASSIGN_OR_RETURN(auto client, io::HttpClient::Create(url, o));
  std::unique_ptr<NodeSource> src(new NodeSource());
  src->url_ = url;
  src->reader_ = reader;
  src->client_ = std::move(client);
  return src;
}

Result<std::string> NodeSource::Get(const std::string& target) {
  PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r, client_->Get(target));
  if (r.status < 200 || r.status > 299) return ApiStatus(r, target, reader_);
  return std::move(r.body);
}

Result<std::string> NodeSource::GetJson(const std::string& target, google::protobuf::Message* msg) {
  PLEDGER_ASSIGN_OR_RETURN(std::string body, Get(target));
  PLEDGER_RETURN_IF_ERROR(ParseLenient(body, msg, "GET " + target));
  return body;
}

Result<std::uint64_t> NodeSource::TipHeight() {
  api::StatusView v;
  PLEDGER_RETURN_IF_ERROR(GetJson("/v1/status", &v).status());
  return v.height();
}

Result<std::vector<RawBlock>> NodeSource::ReadBlocks(std::uint64_t from, std::uint64_t to) {
  const std::string target = "/v1/raw/blocks?from=" + std::to_string(from) + "&to=" + std::to_string(to);
  PLEDGER_ASSIGN_OR_RETURN(std::string body, Get(target));
  api::BlockResponse resp;
  if (!resp.ParseFromString(body) || resp.blocks_size() != resp.results_size()) {
    return Status::Corruption("NODE_RESPONSE_INVALID", "the node's raw blocks " + std::to_string(from) + ".." +
                                                           std::to_string(to) + " do not parse");
  }
  if (!resp.error().empty()) return Status::Unavailable("NODE_ERROR", resp.error());
  std::vector<RawBlock> out;
  out.reserve(static_cast<size_t>(resp.blocks_size()));
  for (int i = 0; i < resp.blocks_size(); ++i) {
    out.push_back(RawBlock{from + static_cast<std::uint64_t>(i), std::move(*resp.mutable_blocks(i)),
                           std::move(*resp.mutable_results(i))});
  }
  return out;
}

Result<std::vector<std::string>> NodeSource::Attestations(std::uint64_t height) {
  api::AttestationList list;
  PLEDGER_RETURN_IF_ERROR(GetJson("/v1/blocks/" + std::to_string(height) + "/attestations", &list).status());
  std::vector<std::string> out;
  // The JSON carries every field of the signed content; the signature covers
  // a fixed layout (ledger/attestation.h), not this encoding.
  for (const auto& a : list.attestations()) out.push_back(ledger::SerializeCanonical(a));
  return out;
}

Result<contracts::HistoryPage> NodeSource::History(const std::string& entity, const std::string& cursor, size_t limit) {
  std::string target = "/v1/history/" + entity + "?limit=" + std::to_string(limit);
  if (!cursor.empty()) target += "&after=" + cursor;
  contracts::HistoryPage page;
  PLEDGER_RETURN_IF_ERROR(GetJson(target, &page).status());
  return page;
}

Result<std::optional<std::string>> NodeSource::RecordAsOf(const std::string& key, std::uint64_t height) {
  std::string target;
  std::unique_ptr<google::protobuf::Message> msg;
  if (key.rfind("patent/", 0) == 0) {
    target = "/v1/patents/" + key.substr(7);
    msg = std::make_unique<contracts::Patent>();
  } else if (key.rfind("pledge/", 0) == 0) {
    target = "/v1/pledges/" + key.substr(7);
    msg = std::make_unique<contracts::Pledge>();
  } else if (key.rfind("pool/", 0) == 0) {
    target = "/v1/pools/" + key.substr(5);
    msg = std::make_unique<contracts::Pool>();
  } else {
    return Status::InvalidArgument("USAGE", "the node's API serves past states of patents, pledges and pools only; "
                                            "read other records from a data directory (--data-dir)");
  }
  if (height == 0) return Status::InvalidArgument("USAGE", "--as-of needs a height of at least 1");
  auto got = GetJson(target + "?height=" + std::to_string(height), msg.get());
  if (!got.ok()) {
    if (got.status().IsNotFound()) return std::optional<std::string>();
    return std::move(got).TakeStatus();
  }
  return std::optional<std::string>(ledger::SerializeCanonical(*msg));
}

Result<std::vector<std::string>> NodeSource::ValidatorIds() {
  contracts::ValidatorSet set;
  PLEDGER_RETURN_IF_ERROR(GetJson("/v1/validators", &set).status());
  std::vector<std::string> ids;
  for (const auto& v : set.validators()) ids.push_back(v.node_id());
  return ids;
}

Result<std::pair<std::uint64_t, std::uint32_t>> NodeSource::LocateTx(const std::string& tx_id_hex) {
  if (!ledger::HashFromHex(tx_id_hex).ok()) return UsageError("a transaction id is 64 hex characters");
  api::TxView v;
  PLEDGER_RETURN_IF_ERROR(GetJson("/v1/txs/" + tx_id_hex, &v).status());
  if (v.status() != "COMMITTED" || v.height() == 0) {
    return Status::FailedPrecondition("TX_PENDING", "transaction " + tx_id_hex +
                                                        " is not committed yet; prove it once it is in a block");
  }
  return std::make_pair(v.height(), v.index());
}

Result<std::string> NodeSource::GenesisBytes() { return Get("/v1/genesis"); }

// ---------------------------------------------------------------------------

namespace {

// A pool id as the contracts write it: 32 lower-case hex characters (the
// first half of the creating transaction's id). Upper case is accepted.
std::optional<std::string> PoolId(std::string id) {
  if (id.size() != 32) return std::nullopt;
  for (char& ch : id) {
    if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return std::nullopt;
  }
  return id;
}

}  // namespace

Result<std::string> EntityFromWords(const std::vector<std::string>& words) {
  static const char* kKinds[] = {"patent", "pledge", "account", "org", "valuation", "validator", "pool", "tranche"};
  const std::string kinds = "patent, pledge, account, org, valuation, validator, pool or tranche";
  std::string kind, id;
  if (words.size() == 1) {
    size_t slash = words[0].find('/');
    if (slash == std::string::npos) {
      return UsageError("give an entity as KIND ID or KIND/ID, e.g. `patent ZL201410362077.3`");
    }
    kind = words[0].substr(0, slash);
    id = words[0].substr(slash + 1);
  } else if (words.size() == 2) {
    kind = words[0];
    id = words[1];
  } else if (words.size() == 3 && words[0] == "tranche") {
    kind = words[0];
    id = words[1] + "/" + words[2];
  } else {
    return UsageError("give one entity: KIND ID (" + kinds + "; a tranche as `tranche POOL RANK`)");
  }
  if (kind == "organisation" || kind == "organization") kind = "org";
  bool known = false;
  for (const char* k : kKinds) known = known || kind == k;
  if (!known) return UsageError("unknown entity kind '" + kind + "': use " + kinds);
  // The contracts' history keys of pools and tranches are "pool/<id>" and
  // "tranche/<pool id>/<rank>" (contracts/pool_keys.h).
  if (kind == "pool") {
    auto pool = PoolId(id);
    if (!pool) return UsageError("'" + id + "' is not a pool id: 32 hex characters (the first half of the pool create transaction's id)");
    return "pool/" + *pool;
  }
  if (kind == "tranche") {
    const size_t slash = id.find('/');
    auto pool = PoolId(id.substr(0, slash));
    const std::string rank = slash == std::string::npos ? "" : id.substr(slash + 1);
    if (!pool || rank.size() != 1 || rank[0] < '1' || rank[0] > '9') {
      return UsageError("'" + id + "' is not a tranche: give `tranche POOL RANK` or `tranche POOL/RANK` with the 32-hex "
                        "pool id and a rank from 1 (the most senior) to 9");
    }
    return "tranche/" + *pool + "/" + rank;
  }
  if (id.empty() || id.size() > 128 ||
      id.find_first_of("/?&#% \t\r\n") != std::string::npos) {
    return UsageError("'" + id + "' is not a " + kind + " id");
  }
  // The node answers a malformed id with a 400 (a data directory would
  // answer an empty history): say so here, for either source.
  if (Status s = contracts::CheckEntityId(kind + "/" + id); !s.ok()) return UsageError(std::string(s.message()));
  return kind + "/" + id;
}

}  // namespace pledger::tools::audit
