#include "tests/integration/cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "contracts/genesis.h"
#include "contracts/proto/state.pb.h"
#include "ledger/io/files.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "tools/admin/consortium.h"

#ifndef PLEDGER_BIN_DIR
#error "PLEDGER_BIN_DIR must point at build/bin"
#endif

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

[[noreturn]] void Die(const std::string& what) { throw std::runtime_error(what); }

}  // namespace

std::uint16_t FreePort() {
  // The kernel may hand the same ephemeral port to two binds in a row once
  // the first socket is closed, so remember what this process gave out and
  // ask again on a repeat (two nodes of one cluster must never share one).
  static std::mutex mu;
  static std::set<std::uint16_t> given;
  std::lock_guard<std::mutex> lock(mu);
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Die("bind");
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    const std::uint16_t port = ntohs(addr.sin_port);
    if (given.insert(port).second) return port;
  }
  Die("no free port that this test has not used already");
}

RunResult RunPledgerd(const std::string& config, std::chrono::milliseconds timeout) {
  return RunProgram("pledgerd", {"--config", config}, timeout);
}

RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     std::chrono::milliseconds timeout) {
  RunResult out;
  char tmpl[] = "/tmp/pledgerd-run-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) Die("mkstemp");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::string bin = std::string(PLEDGER_BIN_DIR) + "/" + program;
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool done = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      done = true;
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  if (!done) {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, &status, 0);
  }
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ::close(fd);
  std::ifstream in(tmpl);
  out.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  ::unlink(tmpl);
  return out;
}

TestCluster::TestCluster(ClusterOptions options) : options_(options) {
  tools::ConsortiumSpec spec;
  spec.set_chain_id(chain_id());
  spec.set_api_tls(false);  // tests talk plain HTTP on loopback
  auto org = [&](const char* id, contracts::OrgKind kind) {
    auto* o = spec.add_organisations();
    o->set_id(id);
    o->set_name(std::string("Test ") + id);
    o->set_kind(kind);
    o->set_address("Hangzhou");
    if (kind == contracts::ORG_BANK) {
      o->mutable_lending_policy()->set_ltv_cap_bps(5000);
      o->mutable_lending_policy()->set_valuation_required(true);
    }
  };
  org("ipo-a", contracts::ORG_IP_OFFICE);
  org("ipo-b", contracts::ORG_IP_OFFICE);
  org("bank-a", contracts::ORG_BANK);
  org("bank-b", contracts::ORG_BANK);
  org("appraiser", contracts::ORG_APPRAISER);
  org("sme", contracts::ORG_SME);
  for (const auto& o : options_.extra_orgs) org(o.id.c_str(), o.kind);
  for (int i = 0; i < options_.nodes; ++i) {
    Proc p;
    p.id = "n" + std::to_string(i + 1);
    p.peer_port = FreePort();
    p.api_port = FreePort();
    auto* n = spec.add_nodes();
    n->set_id(p.id);
    n->set_org_id(i % 2 == 0 ? "ipo-a" : "ipo-b");
    n->set_peer_address("127.0.0.1:" + std::to_string(p.peer_port));
    n->set_api_address("127.0.0.1:" + std::to_string(p.api_port));
    nodes_.push_back(std::move(p));
  }
  auto account = [&](const char* name, const char* org_id, contracts::Role role) {
    auto* a = spec.add_accounts();
    a->set_name(name);
    a->set_org_id(org_id);
    a->add_roles(role);
  };
  account("ipo-a", "ipo-a", contracts::ROLE_IP_OFFICE);
  account("ipo-b", "ipo-b", contracts::ROLE_IP_OFFICE);
  account("bank-a", "bank-a", contracts::ROLE_BANK);
  account("bank-b", "bank-b", contracts::ROLE_BANK);
  account("appraiser", "appraiser", contracts::ROLE_APPRAISER);
  account("sme", "sme", contracts::ROLE_OWNER);
  std::vector<std::string> names = {"ipo-a", "ipo-b", "bank-a", "bank-b", "appraiser", "sme"};
  for (const auto& a : options_.extra_accounts) {
    account(a.name.c_str(), a.org_id.c_str(), a.role);
    names.push_back(a.name);
  }
  auto files = tools::CreateConsortium(spec, dir_.path());
  if (!files.ok()) Die(files.status().ToString());
  for (int i = 0; i < options_.nodes; ++i) {
    Proc& p = nodes_[i];
    p.dir = dir_.path() + "/nodes/" + p.id;
    p.config = files->node_configs[i];
    config::NodeConfig c;
    if (!io::ReadJsonFile(p.config, &c).ok()) Die("config");
    c.mutable_raft()->set_tick_ms(options_.tick_ms);
    if (options_.raft_log_retain) c.set_raft_log_retain(options_.raft_log_retain);
    if (!io::WriteFileAtomic(p.config, io::ToJson(c), 0600).ok()) Die("config write");
    auto cert = io::ReadFile(p.dir + "/node.crt");
    if (cert.ok()) {
      auto id = io::IdentityFromCertPem(*cert);
      if (id.ok()) p.public_key_hex = ledger::HexEncode(id->key);
    }
  }
  for (const std::string& name : names) {
    auto pem = io::ReadFile(dir_.path() + "/accounts/" + name + ".key");
    if (!pem.ok()) Die(pem.status().ToString());
    auto key = io::Ed25519KeyFromPem(*pem);
    if (!key.ok()) Die(key.status().ToString());
    accounts_[name] = std::make_shared<const ledger::SecretKey>(std::move(*key));
  }
}

TestCluster::TestCluster(EmptyTag, const std::string& chain_id, ClusterOptions options)
    : chain_id_(chain_id), options_(std::move(options)) {}

std::unique_ptr<TestCluster> TestCluster::Empty(const std::string& chain_id, ClusterOptions options) {
  return std::unique_ptr<TestCluster>(new TestCluster(EmptyTag{}, chain_id, std::move(options)));
}

int TestCluster::AddNode(const std::string& config_path) {
  config::NodeConfig c;
  pledger::Status s = io::ReadJsonFile(config_path, &c);
  if (!s.ok()) Die(s.ToString());
  c.mutable_raft()->set_tick_ms(options_.tick_ms);
  if (options_.raft_log_retain) c.set_raft_log_retain(options_.raft_log_retain);
  s = io::WriteFileAtomic(config_path, io::ToJson(c), 0600);
  if (!s.ok()) Die(s.ToString());
  Proc p;
  p.id = c.node_id();
  p.config = config_path;
  p.dir = config_path.substr(0, config_path.rfind('/'));
  auto port = [](const std::string& hp) {
    return static_cast<std::uint16_t>(std::stoi(hp.substr(hp.rfind(':') + 1)));
  };
  p.peer_port = port(c.peer_listen());
  p.api_port = port(c.api_listen());
  p.https = !c.has_api_tls() || c.api_tls();
  std::string cert_file = c.tls_cert_file();
  if (cert_file.empty() || cert_file[0] != '/') cert_file = p.dir + "/" + cert_file;
  auto cert = io::ReadFile(cert_file);
  if (!cert.ok()) Die(cert.status().ToString());
  auto id = io::IdentityFromCertPem(*cert);
  if (!id.ok()) Die(id.status().ToString());
  p.public_key_hex = ledger::HexEncode(id->key);
  nodes_.push_back(std::move(p));
  return size() - 1;
}

void TestCluster::AddAccount(const std::string& name, const std::string& key_file) {
  auto pem = io::ReadFile(key_file);
  if (!pem.ok()) Die(pem.status().ToString());
  auto key = io::Ed25519KeyFromPem(*pem);
  if (!key.ok()) Die(key.status().ToString());
  accounts_[name] = std::make_shared<const ledger::SecretKey>(std::move(*key));
}

TestCluster::~TestCluster() {
  for (int i = 0; i < size(); ++i) {
    if (nodes_[i].pid > 0) Kill(i);
  }
}

void TestCluster::Start(int i) {
  Proc& p = nodes_[i];
  if (p.pid > 0) return;
  std::string log = p.dir + "/pledgerd.log";
  pid_t pid = ::fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    for (const auto& [name, value] : options_.env) ::setenv(name.c_str(), value.c_str(), 1);
    if (auto it = node_env_.find(i); it != node_env_.end()) {
      for (const auto& [name, value] : it->second) ::setenv(name.c_str(), value.c_str(), 1);
    }
    std::string bin = std::string(PLEDGER_BIN_DIR) + "/pledgerd";
    std::vector<std::string> args = {"pledgerd", "--config", p.config};
    if (auto it = node_args_.find(i); it != node_args_.end()) args.insert(args.end(), it->second.begin(), it->second.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    _exit(127);
  }
  p.pid = pid;
}

int TestCluster::WaitForExit(int i, std::chrono::milliseconds timeout) {
  Proc& p = nodes_[i];
  if (p.pid <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(p.pid, &status, WNOHANG) == p.pid) {
      p.pid = -1;
      p.client.reset();
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(50ms);
  }
}

void TestCluster::StartAll() {
  for (int i = 0; i < size(); ++i) Start(i);
}

void TestCluster::Kill(int i) {
  Proc& p = nodes_[i];
  if (p.pid <= 0) return;
  ::kill(p.pid, SIGKILL);
  ::waitpid(p.pid, nullptr, 0);
  p.pid = -1;
  p.client.reset();
}

void TestCluster::KillAll() {
  for (auto& p : nodes_) {
    if (p.pid > 0) ::kill(p.pid, SIGKILL);
  }
  for (auto& p : nodes_) {
    if (p.pid <= 0) continue;
    ::waitpid(p.pid, nullptr, 0);
    p.pid = -1;
    p.client.reset();
  }
}

void TestCluster::RoutePeers(const std::function<std::string(int from, int to)>& address) {
  std::map<std::string, int> index;
  for (int i = 0; i < size(); ++i) index[nodes_[i].id] = i;
  std::vector<std::string> genesis_files = {dir_.path() + "/genesis.json"};
  for (int i = 0; i < size(); ++i) {
    config::NodeConfig c;
    if (!io::ReadJsonFile(nodes_[i].config, &c).ok()) Die("config of " + nodes_[i].id);
    for (auto& peer : *c.mutable_peers()) {
      auto it = index.find(peer.node_id());
      if (it != index.end() && it->second != i) peer.set_address(address(i, it->second));
    }
    if (!io::WriteFileAtomic(nodes_[i].config, io::ToJson(c), 0600).ok()) Die("config write");
    std::string g = c.genesis_file();
    genesis_files.push_back(g.empty() || g[0] == '/' ? g : nodes_[i].dir + "/" + g);
  }
  for (const auto& file : genesis_files) {
    auto bytes = io::ReadFile(file);
    if (!bytes.ok()) continue;  // an Empty() cluster has no top-level copy
    auto g = contracts::ParseGenesis(*bytes);
    if (!g.ok()) Die(g.status().ToString());
    for (auto& v : *g->mutable_validators()) v.clear_peer_address();
    if (!io::WriteFileAtomic(file, contracts::GenesisToJson(*g), 0644).ok()) Die("genesis write");
  }
}

void TestCluster::Signal(int i, int sig) {
  if (nodes_[i].pid > 0) ::kill(nodes_[i].pid, sig);
}

void TestCluster::Stop(int i) {
  Proc& p = nodes_[i];
  if (p.pid <= 0) return;
  ::kill(p.pid, SIGTERM);
  for (int k = 0; k < 200; ++k) {
    if (::waitpid(p.pid, nullptr, WNOHANG) == p.pid) {
      p.pid = -1;
      p.client.reset();
      return;
    }
    std::this_thread::sleep_for(50ms);
  }
  Kill(i);
}

bool TestCluster::Running(int i) const { return nodes_[i].pid > 0; }

std::string TestCluster::ApiUrl(int i) const {
  return std::string(nodes_[i].https ? "https" : "http") + "://127.0.0.1:" + std::to_string(nodes_[i].api_port);
}

io::HttpClient& TestCluster::Client(int i) {
  Proc& p = nodes_[i];
  if (!p.client) p.client = ClientAs(i, reader_);
  return *p.client;
}

std::unique_ptr<io::HttpClient> TestCluster::ClientAs(int i, const std::string& account) {
  io::HttpClientOptions o;
  o.timeout = 10s;
  if (nodes_[i].https) o.ca_file = api_ca_file_;
  if (!account.empty()) {
    o.credentials.chain_id = chain_id();
    o.credentials.key = accounts_.at(account);
  }
  auto c = io::HttpClient::Create(ApiUrl(i), o);
  if (!c.ok()) Die(c.status().ToString());
  return std::move(*c);
}

Result<api::StatusView> TestCluster::Status(int i) {
  if (!Running(i)) return pledger::Status::Unavailable("NOT_RUNNING", "node not running");
  PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r, Client(i).Get("/v1/status"));
  if (r.status != 200) return pledger::Status::Unavailable("STATUS", "status " + std::to_string(r.status));
  api::StatusView v;
  if (!io::ApiJsonToMessage(r.body, &v, "/v1/status").ok()) {
    return pledger::Status::Internal("STATUS", "unparsable status");
  }
  return v;
}

bool TestCluster::WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return cond();
}

int TestCluster::WaitForLeader(std::chrono::milliseconds timeout) {
  int leader = -1;
  WaitFor(
      [&] {
        for (int i = 0; i < size(); ++i) {
          auto s = Status(i);
          if (s.ok() && s->role() == "LEADER") {
            leader = i;
            return true;
          }
        }
        return false;
      },
      timeout);
  return leader;
}

bool TestCluster::WaitForHeight(int i, std::uint64_t height, std::chrono::milliseconds timeout) {
  return WaitFor(
      [&] {
        auto s = Status(i);
        return s.ok() && s->height() >= height;
      },
      timeout);
}

Result<int> TestCluster::Submit(int i, const std::string& raw_tx) {
  PLEDGER_ASSIGN_OR_RETURN(
      io::HttpResponse r,
      Client(i).Request("POST", "/v1/txs", raw_tx, {{"Content-Type", "application/x-protobuf"}}));
  return r.status;
}

Result<std::string> TestCluster::ReceiptCode(int i, const ledger::Hash256& id) {
  PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r, Client(i).Get("/v1/txs/" + ledger::HexEncode(id)));
  if (r.status != 200) return std::string();
  api::TxView v;
  if (!io::ApiJsonToMessage(r.body, &v, "/v1/txs").ok()) {
    return pledger::Status::Internal("TX_VIEW", "unparsable tx view");
  }
  return v.receipt_code();
}

const ledger::SecretKey& TestCluster::Account(const std::string& name) const { return *accounts_.at(name); }

std::shared_ptr<const ledger::SecretKey> TestCluster::SharedAccount(const std::string& name) const {
  return accounts_.at(name);
}

tools::WorkloadParties TestCluster::Parties() const {
  tools::WorkloadParties p;
  p.chain_id = chain_id();
  p.ip_office = accounts_.at("ipo-a");
  p.bank = accounts_.at("bank-a");
  p.owner = accounts_.at("sme");
  p.appraiser = accounts_.at("appraiser");
  p.bank_org = "bank-a";
  p.owner_org = "sme";
  return p;
}

int TestCluster::PrepareJoiningNode() {
  Proc p;
  int i = size();
  p.id = "n" + std::to_string(i + 1);
  p.peer_port = FreePort();
  p.api_port = FreePort();
  p.dir = dir_.path() + "/nodes/" + p.id;
  tools::NewNode n;
  n.node_id = p.id;
  n.org_id = "ipo-a";
  n.peer_address = "127.0.0.1:" + std::to_string(p.peer_port);
  n.api_address = "127.0.0.1:" + std::to_string(p.api_port);
  std::vector<config::PeerConfig> peers;
  for (const auto& other : nodes_) {
    config::PeerConfig pc;
    pc.set_node_id(other.id);
    pc.set_address("127.0.0.1:" + std::to_string(other.peer_port));
    peers.push_back(pc);
  }
  pledger::Status s = tools::CreateNodeFiles(dir_.path() + "/ca", dir_.path() + "/genesis.json", peers, &n, p.dir, 30);
  if (!s.ok()) Die(s.ToString());
  p.config = p.dir + "/config.json";
  config::NodeConfig c;
  if (!io::ReadJsonFile(p.config, &c).ok()) Die("config");
  c.mutable_raft()->set_tick_ms(options_.tick_ms);
  if (options_.raft_log_retain) c.set_raft_log_retain(options_.raft_log_retain);
  if (!io::WriteFileAtomic(p.config, io::ToJson(c), 0600).ok()) Die("config write");
  p.public_key_hex = n.public_key_hex;
  nodes_.push_back(std::move(p));
  return i;
}

bool TestCluster::LogContains(int i, const std::string& text, size_t from_line) const {
  std::ifstream in(nodes_[i].dir + "/pledgerd.log");
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    if (n >= from_line && line.find(text) != std::string::npos) return true;
  }
  return false;
}

size_t TestCluster::LogLines(int i) const {
  std::ifstream in(nodes_[i].dir + "/pledgerd.log");
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

void TestCluster::DumpLogs(size_t lines) const {
  for (const auto& p : nodes_) {
    std::ifstream in(p.dir + "/pledgerd.log");
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) all.push_back(line);
    std::fprintf(stderr, "----- %s (last %zu lines) -----\n", p.id.c_str(), lines);
    for (size_t k = all.size() > lines ? all.size() - lines : 0; k < all.size(); ++k) {
      std::fprintf(stderr, "%s\n", all[k].c_str());
    }
  }
}

}  // namespace pledger::test
