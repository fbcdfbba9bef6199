// TestCluster: a real multi-process Pledger consortium on 127.0.0.1 for
// integration tests: generated PKI and genesis (tools/admin/consortium.h),
// free ports, one pledgerd process per node, logs in the temp directory
// (printed when a test fails), every process killed when the cluster dies.
#ifndef PLEDGER_TESTS_INTEGRATION_CLUSTER_H_
#define PLEDGER_TESTS_INTEGRATION_CLUSTER_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/crypto.h"
#include "ledger/proto/contract_types.pb.h"
#include "ledger/io/http_client.h"
#include "ledger/io/proto/api.pb.h"
#include "node/proto/node.pb.h"
#include "tests/support/test_util.h"
#include "tools/common/workload.h"

namespace pledger::test {

struct ClusterOptions {
  int nodes = 3;
  std::uint32_t raft_log_retain = 0;  // 0: node default
  std::uint32_t tick_ms = 50;
  // Organisations and accounts in the genesis besides the standard ones
  // (ipo-a, ipo-b, bank-a, bank-b, appraiser, sme); each account's key is
  // written to dir()/accounts/<name>.key like theirs.
  struct ExtraOrg {
    std::string id;
    contracts::OrgKind kind;
  };
  struct ExtraAccount {
    std::string name;
    std::string org_id;
    contracts::Role role;
  };
  std::vector<ExtraOrg> extra_orgs;
  std::vector<ExtraAccount> extra_accounts;
  // Environment variables of every pledgerd process (e.g. a test clock).
  std::map<std::string, std::string> env;
};

class TestCluster {
 public:
  explicit TestCluster(ClusterOptions options = {});
  ~TestCluster();

  // A cluster with no node, genesis or account of its own, for nodes whose
  // files were made elsewhere (pledger-admin org init in per-organisation
  // directories): add them with AddNode and the accounts with AddAccount.
  // Options apply as to the other constructor (tick_ms, raft_log_retain, env).
  static std::unique_ptr<TestCluster> Empty(const std::string& chain_id, ClusterOptions options = {});
  // Adds a prepared node (not started) from its config.json: the harness sets
  // the Raft tick and log retention, reads its id, addresses and key. Its log
  // goes to pledgerd.log beside the config. Returns its index.
  int AddNode(const std::string& config_path);
  // An account key (PKCS#8 PEM file) under `name`, for Account() and ClientAs().
  void AddAccount(const std::string& name, const std::string& key_file);
  // The account Client(i) reads as (default "ipo-a").
  void SetReader(const std::string& account) { reader_ = account; }
  // The CA file (or bundle) HTTPS clients pin, for nodes whose API serves
  // HTTPS (the standard cluster's nodes serve plain HTTP).
  void SetApiCaFile(const std::string& path) { api_ca_file_ = path; }

  int size() const { return static_cast<int>(nodes_.size()); }
  const std::string& dir() const { return dir_.path(); }
  std::string chain_id() const { return chain_id_; }

  void Start(int i);
  void StartAll();
  // Environment variables for node i's next Start, on top of options.env.
  void SetNodeEnv(int i, std::map<std::string, std::string> env) { node_env_[i] = std::move(env); }
  // Extra pledgerd arguments for node i's next Start (e.g. --stay-up-on-failure).
  void SetNodeArgs(int i, std::vector<std::string> args) { node_args_[i] = std::move(args); }
  // Waits for node i to exit on its own: its exit code (128 + signal if
  // killed), or -1 if it still runs after `timeout`.
  int WaitForExit(int i, std::chrono::milliseconds timeout);
  void Kill(int i);                 // SIGKILL
  // SIGKILL to every running node first, then reaps them: all die within
  // the same moment, as in a power cut.
  void KillAll();
  void Signal(int i, int sig);      // e.g. SIGHUP (reload the certificate)
  void Stop(int i);                 // SIGTERM, then wait (SIGKILL after 10 s)
  bool Running(int i) const;
  pid_t Pid(int i) const { return nodes_[i].pid; }  // -1 when not running

  // Before the first start: node `from` dials node `to` at address(from, to)
  // (e.g. a proxy the test controls) instead of its real peer port. The
  // ledger's validator addresses win over configured peers once a node is on
  // the ledger (node/node.cc RefreshMembers), so they are cleared from every
  // copy of the genesis too. Throws on a write error.
  void RoutePeers(const std::function<std::string(int from, int to)>& address);

  std::string ApiUrl(int i) const;
  std::string NodeId(int i) const { return nodes_[i].id; }
  std::string ConfigPath(int i) const { return nodes_[i].config; }
  std::string NodeDir(int i) const { return nodes_[i].dir; }
  // Node i's API, read as the registrar (account "ipo-a": every record in full).
  io::HttpClient& Client(int i);
  // A new client reading as `account` (a name as for Account()), or
  // anonymously for "".
  std::unique_ptr<io::HttpClient> ClientAs(int i, const std::string& account);

  Result<api::StatusView> Status(int i);
  // Index of the node that says it is leader (and that the others follow), or -1.
  int WaitForLeader(std::chrono::milliseconds timeout);
  bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout);
  bool WaitForHeight(int i, std::uint64_t height, std::chrono::milliseconds timeout);

  // Submits a transaction; returns the HTTP status (202/200) or an error.
  Result<int> Submit(int i, const std::string& raw_tx);
  // The committed receipt code, "" if not committed yet.
  Result<std::string> ReceiptCode(int i, const ledger::Hash256& id);

  // Keys of the accounts in the genesis (test-only keys).
  const ledger::SecretKey& Account(const std::string& name) const;
  std::shared_ptr<const ledger::SecretKey> SharedAccount(const std::string& name) const;
  tools::WorkloadParties Parties() const;

  // Adds node N+1's files (not started, not on the ledger): for join tests.
  int PrepareJoiningNode();
  std::string PublicKeyHex(int i) const { return nodes_[i].public_key_hex; }
  std::string PeerAddress(int i) const { return "127.0.0.1:" + std::to_string(nodes_[i].peer_port); }
  std::string ApiAddress(int i) const { return "127.0.0.1:" + std::to_string(nodes_[i].api_port); }

  // True if node i's log has a line containing `text` (from line `from_line`
  // on, counting from 0).
  bool LogContains(int i, const std::string& text, size_t from_line = 0) const;
  // The number of lines in node i's log so far.
  size_t LogLines(int i) const;

  // Prints the tail of every node's log to stderr (on failure).
  void DumpLogs(size_t lines = 60) const;

 private:
  struct Proc {
    std::string id;
    std::string dir;
    std::string config;
    std::uint16_t peer_port = 0;
    std::uint16_t api_port = 0;
    std::string public_key_hex;
    pid_t pid = -1;
    bool https = false;
    std::unique_ptr<io::HttpClient> client;
  };
  struct EmptyTag {};
  TestCluster(EmptyTag, const std::string& chain_id, ClusterOptions options);

  std::string chain_id_ = "pledger-it";
  std::string reader_ = "ipo-a";
  std::string api_ca_file_;
  ClusterOptions options_;
  std::map<int, std::map<std::string, std::string>> node_env_;
  std::map<int, std::vector<std::string>> node_args_;
  TempDir dir_;
  std::vector<Proc> nodes_;
  std::map<std::string, std::shared_ptr<const ledger::SecretKey>> accounts_;
};

// Runs pledgerd with `config` in the foreground until it exits or
// `timeout` passes (then SIGTERM). Returns the exit code and its output.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult RunPledgerd(const std::string& config, std::chrono::milliseconds timeout);
// Runs build/bin/<program> with `args` the same way (e.g. "pledger-admin").
RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     std::chrono::milliseconds timeout);

// A free TCP port on 127.0.0.1 (bind to 0, read, close).
std::uint16_t FreePort();

}  // namespace pledger::test

#endif  // PLEDGER_TESTS_INTEGRATION_CLUSTER_H_
