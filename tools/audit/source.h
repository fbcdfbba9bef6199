// Where pledger-audit reads a chain from: a node's HTTP API (NodeSource) or a
// data directory on disk (DirSource: a stopped node's, or a replica that
// `verify --keep` built), behind one interface.
//
// Nothing a source returns is trusted: blocks and results are exact bytes
// that the callers hash and check (verifier.h, prover.h, bundle.h); history
// pages and records are what the node's indexes say, checked where they can
// be (docs/audit.md, "What each command trusts").
//
// Errors: NODE_UNREACHABLE (the node did not answer; exit code 3),
// NODE_RESPONSE_INVALID (an answer that does not parse), the API's own codes
// (e.g. BLOCK_NOT_FOUND; the access refusals AUTH_* and READ_FORBIDDEN, exit
// code 5), DB_LOCKED (a running node holds the directory),
// DB_NOT_FOUND, DB_CORRUPT, DB_IO, CHAIN_NOT_INITIALISED.
//
// Thread safety: one source per thread. verify reads blocks on its fetch
// thread only; everything else is single-threaded.
#ifndef PLEDGER_TOOLS_AUDIT_SOURCE_H_
#define PLEDGER_TOOLS_AUDIT_SOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "contracts/history.h"
#include "contracts/proto/history.pb.h"
#include "ledger/io/http_client.h"
#include "tools/common/access.h"

namespace leveldb {
class DB;
class Env;
class Logger;
}  // namespace leveldb

namespace pledger::tools::audit {

// One block as stored: exact serialized ledger.Block and ledger.BlockResults.
struct RawBlock {
  std::uint64_t height = 0;
  std::string block;
  std::string results;
};

class ChainSource {
 public:
  virtual ~ChainSource() = default;

  // "node http://…" or "data directory /…", for reports.
  virtual std::string Describe() const = 0;
  // The last block height the source says it has. Only where to stop reading.
  virtual Result<std::uint64_t> TipHeight() = 0;
  // Blocks from..to inclusive, in order. May return fewer than asked (the
  // node pages its answers) but at least one if from <= the tip; none above
  // the tip.
  virtual Result<std::vector<RawBlock>> ReadBlocks(std::uint64_t from, std::uint64_t to) = 0;
  // The attestations of block `height` the source has indexed (carried by
  // later blocks), serialized ledger.Attestation.
  virtual Result<std::vector<std::string>> Attestations(std::uint64_t height) = 0;
  // One page of an entity's history index ("patent/ZL…"), after `cursor`.
  virtual Result<contracts::HistoryPage> History(const std::string& entity, const std::string& cursor,
                                            size_t limit) = 0;
  // The serialized record (contracts Patent, Pledge, Pool, Tranche …) stored
  // under state `key` after block `height`; nullopt if it did not exist then.
  // NodeSource serves patents, pledges and pools (the API's ?height=).
  virtual Result<std::optional<std::string>> RecordAsOf(const std::string& key, std::uint64_t height) = 0;
  // Node ids of the validators the source lists now: only a starting point
  // for discovering validator-set changes (prover.h).
  virtual Result<std::vector<std::string>> ValidatorIds() = 0;
  // Where a committed transaction is. Reasons: TX_NOT_FOUND, TX_PENDING.
  virtual Result<std::pair<std::uint64_t, std::uint32_t>> LocateTx(const std::string& tx_id_hex) = 0;
};

// An open, read-only LevelDB: a stopped node's data directory or a replica.
// Opened through the read-only Env (readonly_env.h): the directory's files are
// never modified. History and past records are read by the node's own index
// queries (contracts/history.h) over this database.
class DirSource final : public ChainSource, public contracts::IndexReader {
 public:
  // `dir` is the LevelDB directory or a node's data_dir (whose LevelDB is
  // data_dir/db). Reasons: DB_LOCKED (with what to do), DB_NOT_FOUND,
  // DB_CORRUPT, DB_IO, CHAIN_NOT_INITIALISED.
  static Result<std::unique_ptr<DirSource>> Open(const std::string& dir);
  ~DirSource() override;

  std::string Describe() const override { return "data directory " + dir_; }
  Result<std::uint64_t> TipHeight() override;
  Result<std::vector<RawBlock>> ReadBlocks(std::uint64_t from, std::uint64_t to) override;
  Result<std::vector<std::string>> Attestations(std::uint64_t height) override;
  Result<contracts::HistoryPage> History(const std::string& entity, const std::string& cursor,
                                    size_t limit) override;
  Result<std::optional<std::string>> RecordAsOf(const std::string& key, std::uint64_t height) override;
  Result<std::vector<std::string>> ValidatorIds() override;
  Result<std::pair<std::uint64_t, std::uint32_t>> LocateTx(const std::string& tx_id_hex) override;

  // Raw access for the end-of-run comparisons of verify.
  Result<std::optional<std::string>> Get(std::string_view key) const;
  // fn(key, value) for keys starting with `prefix`, in key order, from `start`.
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn) const;
  const std::string& dir() const { return dir_; }

  // contracts::IndexReader.
  std::unique_ptr<leveldb::Iterator> NewIterator() const override;
  Status Error(const leveldb::Status& s) const override;

 private:
  DirSource() = default;
  std::string dir_;
  std::unique_ptr<leveldb::Env> env_;
  std::unique_ptr<leveldb::Logger> logger_;
  std::unique_ptr<leveldb::DB> db_;  // declared last: closed first
};

// How an access refusal tells the auditor to sign in.
inline constexpr std::string_view kAuditorSignIn =
    "give the key of an auditor, regulator or IP-office account with --key FILE or --profile NAME";

// A node's HTTP API (docs/api.md). Nodes serve raw blocks only to IP
// offices, auditors and regulators, so an auditor reads with `credentials`:
// every request signed with the account's key (afresh on a retry). Access
// refusals keep the node's code (AUTH_*, READ_FORBIDDEN) with a message in
// words (tools/common/access.h).
class NodeSource final : public ChainSource {
 public:
  // `ca_file`: the consortium CA for an https URL. Reasons: URL_INVALID,
  // TLS_CONFIG_INVALID.
  static Result<std::unique_ptr<NodeSource>> Connect(const std::string& url, const std::string& ca_file,
                                                     io::RequestCredentials credentials = {});
  ~NodeSource() override;

  std::string Describe() const override { return "node " + url_; }
  Result<std::uint64_t> TipHeight() override;
  Result<std::vector<RawBlock>> ReadBlocks(std::uint64_t from, std::uint64_t to) override;
  Result<std::vector<std::string>> Attestations(std::uint64_t height) override;
  Result<contracts::HistoryPage> History(const std::string& entity, const std::string& cursor,
                                    size_t limit) override;
  Result<std::optional<std::string>> RecordAsOf(const std::string& key, std::uint64_t height) override;
  Result<std::vector<std::string>> ValidatorIds() override;
  Result<std::pair<std::uint64_t, std::uint32_t>> LocateTx(const std::string& tx_id_hex) override;
  // The node's genesis file (compared with the auditor's own, never trusted).
  Result<std::string> GenesisBytes();

 private:
  NodeSource() = default;
  // GET `target`; 2xx answers only (others become the API's error).
  Result<std::string> Get(const std::string& target);
  Result<std::string> GetJson(const std::string& target, google::protobuf::Message* msg);
  std::string url_;
  ReaderKind reader_ = ReaderKind::kAnonymous;
  std::unique_ptr<io::HttpClient> client_;
};

// Entities history understands: "patent/ZL…", "pledge/<id>", "account/<hex>",
// "org/<id>", "valuation/<id>", "validator/<id>", "pool/<id>" and
// "tranche/<pool id>/<rank>" (the contracts' touched-entity keys). Accepts
// "patent ZL…" as two words too, and a tranche as "tranche POOL RANK" or
// "tranche POOL/RANK"; pool ids are lower-cased. Reason: USAGE.
Result<std::string> EntityFromWords(const std::vector<std::string>& words);

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_SOURCE_H_
