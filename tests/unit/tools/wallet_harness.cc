#include "tests/unit/tools/wallet_harness.h"

#include <catch2/catch.hpp>

#include <sstream>

#include "contracts/dates.h"
#include "contracts/genesis.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "ledger/io/proto/api.pb.h"

namespace pledger::test {
namespace {

using tools::wallet::NodeTransport;

io::HttpResponse Json(int status, const google::protobuf::Message& m) {
  io::HttpResponse r;
  r.status = status;
  r.body = io::ApiJsonFromMessage(m);  // as pledgerd renders answers
  return r;
}

io::HttpResponse Error(int status, const std::string& code, const std::string& message) {
  api::ErrorView v;
  v.mutable_error()->set_code(code);
  v.mutable_error()->set_message(message);
  return Json(status, v);
}

class FakeTransport : public NodeTransport {
 public:
  FakeTransport(std::shared_ptr<FakeNodeState> s, io::RequestCredentials credentials)
      : s_(std::move(s)), credentials_(std::move(credentials)) {}

  Result<io::HttpResponse> Request(const std::string& method, const std::string& target, const std::string& body,
                                     const std::string&, std::chrono::milliseconds) override {
    std::string path = target.substr(0, target.find('?'));
    const std::map<std::string, std::string> query = Query(target);
    s_->requests.push_back(method + " " + path);
    s_->targets.push_back(method + " " + target);
    if (credentials_.key) {
      s_->auth.push_back("key:" + ledger::HexEncode(credentials_.key->public_key()));
      s_->signed_chains.push_back(credentials_.chain_id);
    } else {
      s_->auth.push_back(credentials_.bearer_token.empty() ? "anonymous" : "bearer:" + credentials_.bearer_token);
    }
    if (auto it = s_->canned.find(method + " " + path); it != s_->canned.end()) {
      io::HttpResponse r;
      r.status = it->second.first;
      r.body = it->second.second;
      return r;
    }
    auto starts = [&](const std::string& p) { return path.rfind(p, 0) == 0; };
    if (method == "POST" && path == "/v1/auth/token") return IssueToken();
    if (method == "POST" && path == "/v1/txs") return Submit(body);
    if (path == "/v1/status") {
      api::StatusView v;
      v.set_node_id("fake1");
      v.set_chain_id(s_->chain_id);
      v.set_role("LEADER");
      v.set_height(s_->height);
      return Json(200, v);
    }
    if (path == "/v1/params") return Json(200, s_->params);
    if (path == "/v1/genesis") return Json(200, s_->genesis);
    if (path == "/v1/validators") return Json(200, s_->validators);
    if (starts("/v1/accounts/")) {
      auto it = s_->accounts.find(path.substr(13));
      if (it == s_->accounts.end()) return Error(404, "ACCOUNT_NOT_FOUND", "no account");
      return Json(200, it->second);
    }
    if (starts("/v1/patents/")) {
      auto it = s_->patents.find(path.substr(12));
      if (it == s_->patents.end()) return Error(404, "PATENT_NOT_FOUND", "no patent");
      return Json(200, it->second);
    }
    if (starts("/v1/pledges/")) {
      auto it = s_->pledges.find(path.substr(12));
      if (it == s_->pledges.end()) return Error(404, "PLEDGE_NOT_FOUND", "no pledge");
      return Json(200, it->second);
    }
    if (path == "/v1/orgs") {
      api::OrgList l;
      for (const auto& [id, o] : s_->orgs) {
        if (!query.count("kind") || contracts::OrgKind_Name(o.kind()) == query.at("kind")) *l.add_organisations() = o;
      }
      return Json(200, l);
    }
    if (path == "/v1/pools") {
      contracts::PoolList l;
      for (const auto& [id, v] : s_->pools) {
        if (query.count("trustee") && v.pool().trustee_org_id() == query.at("trustee")) *l.add_pools() = v.pool();
      }
      return Json(200, l);
    }
    if (starts("/v1/pools/")) return Pool(path.substr(10), query);
    if (path == "/v1/holdings") {
      auto it = s_->holdings.find(query.count("investor") ? query.at("investor") : "");
      return Json(200, it == s_->holdings.end() ? contracts::HoldingList() : it->second);
    }
    if (starts("/v1/orgs/")) {
      auto it = s_->orgs.find(path.substr(9));
      if (it == s_->orgs.end()) return Error(404, "ORG_NOT_FOUND", "no organisation");
      return Json(200, it->second);
    }
    return Error(404, "ROUTE_NOT_FOUND", "fake node has no " + path);
  }

 private:
  // "a=1&b=2" after the '?', undecoded (the wallet sends plain words).
  static std::map<std::string, std::string> Query(const std::string& target) {
    std::map<std::string, std::string> q;
    const size_t mark = target.find('?');
    if (mark == std::string::npos) return q;
    std::string rest = target.substr(mark + 1);
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string pair = rest.substr(0, amp);
      const size_t eq = pair.find('=');
      q[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
      rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
    }
    return q;
  }

  // /v1/pools/{id}, /v1/pools/{id}/preview?date=, /v1/pools/{id}/statements/{date}.
  io::HttpResponse Pool(const std::string& rest, const std::map<std::string, std::string>& query) {
    const size_t slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    const std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
    auto pool = s_->pools.find(id);
    if (pool == s_->pools.end()) return Error(404, "POOL_NOT_FOUND", "no pool " + id);
    if (sub.empty()) return Json(200, pool->second);
    if (sub == "preview") {
      std::string key = id + "/" + (query.count("date") ? query.at("date") : "");
      if (query.count("no_shortfall_draw") && query.at("no_shortfall_draw") == "true") key += "/no-draw";
      auto it = s_->previews.find(key);
      if (it == s_->previews.end()) return Error(409, s_->preview_refusal, "refused by the fake node");
      return Json(200, it->second);
    }
    if (sub.rfind("statements/", 0) == 0) {
      auto it = s_->statements.find(id + "/" + sub.substr(11));
      if (it == s_->statements.end()) return Error(404, "POOL_STATEMENT_NOT_FOUND", "no statement");
      return Json(200, it->second);
    }
    return Error(404, "ROUTE_NOT_FOUND", "fake node has no pool route " + sub);
  }

  io::HttpResponse IssueToken() {
    if (!s_->issue_tokens) return Error(404, "ROUTE_NOT_FOUND", "no route POST /v1/auth/token");
    if (!credentials_.key) return Error(401, "AUTH_MISSING", "a token is issued for a signed request only");
    const std::string hex = ledger::HexEncode(credentials_.key->public_key());
    auto it = s_->accounts.find(hex);
    if (it == s_->accounts.end()) return Error(401, "AUTH_UNKNOWN_ACCOUNT", "no such account");
    tools::TokenAnswer t;
    t.set_token("token" + std::to_string(++s_->tokens_issued));
    t.set_expires_ms(s_->now_ms + s_->token_life_ms);
    t.set_account(hex);
    t.set_org_id(it->second.org_id());
    for (int r : it->second.roles()) t.add_roles(contracts::Role_Name(static_cast<contracts::Role>(r)));
    return Json(200, t);
  }

  Result<io::HttpResponse> Submit(const std::string& raw) {
    auto tx = ledger::DecodeTransaction(raw);
    if (!tx.ok()) return Error(400, std::string(tx.status().reason()), std::string(tx.status().message()));
    if (s_->refuse_status != 0) return Error(s_->refuse_status, s_->refuse_code, "refused by the fake node");
    s_->submitted.push_back(*tx);
    api::SubmitResponse resp;
    std::string id = ledger::HexEncode(ledger::TxId(*tx));
    resp.set_tx_id(id);
    resp.set_status("COMMITTED");
    auto* v = resp.mutable_tx();
    v->set_tx_id(id);
    v->set_status("COMMITTED");
    v->set_height(s_->height + 1);
    api::ReceiptView* rc = v->mutable_receipt();
    rc->set_tx_id(ledger::HexEncode(ledger::AsBytes(s_->receipt.tx_id())));
    rc->set_code(s_->receipt.code());
    rc->set_message(s_->receipt.message());
    *rc->mutable_events() = s_->receipt.events();
    *rc->mutable_grounds() = s_->receipt.grounds();
    rc->set_rule(s_->receipt.rule());
    v->set_receipt_code(s_->receipt.code());
    return Json(200, resp);
  }
  std::shared_ptr<FakeNodeState> s_;
  io::RequestCredentials credentials_;
};

}  // namespace

std::int32_t WalletToday() { return contracts::DaysFromCivil(2026, 11, 27); }

void FakeNodeState::AddAccount(const ledger::SecretKey& key, const std::string& org, contracts::Role role) {
  contracts::Account a;
  a.set_public_key_hex(ledger::HexEncode(key.public_key()));
  a.set_org_id(org);
  a.add_roles(role);
  accounts[a.public_key_hex()] = a;
}

std::shared_ptr<FakeNodeState> MakeFakeNode() {
  auto s = std::make_shared<FakeNodeState>();
  s->now_ms = static_cast<std::uint64_t>(WalletToday()) * 86'400'000 + 4 * 3'600'000;
  s->params = contracts::DefaultParams();
  s->receipt.set_code("OK");
  return s;
}

WalletHarness::WalletHarness() : now_ms(static_cast<std::uint64_t>(WalletToday()) * 86'400'000 + 4 * 3'600'000) {
  env["PW"] = "correct horse battery staple";
}

WalletRun WalletHarness::Run(std::vector<std::string> args) {
  std::ostringstream out, err;
  tools::wallet::WalletIo io;
  io.out = &out;
  io.err = &err;
  io.getenv = [this](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  // No terminal: a command that would prompt fails like a script without a tty.
  io.connect = [this](const tools::wallet::NodeEndpoint& endpoint) -> Result<std::unique_ptr<NodeTransport>> {
    const std::string& url = endpoint.url;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      return Status::InvalidArgument("URL_INVALID", "node URL '" + url + "' must start with http:// or https://");
    }
    if (!node) {
      struct Down : NodeTransport {
        Result<io::HttpResponse> Request(const std::string&, const std::string&, const std::string&,
                                           const std::string&, std::chrono::milliseconds) override {
          return Status::Unavailable("NODE_UNREACHABLE", "connect: connection refused (test)");
        }
      };
      return std::unique_ptr<NodeTransport>(std::make_unique<Down>());
    }
    return std::unique_ptr<NodeTransport>(std::make_unique<FakeTransport>(node, endpoint.credentials));
  };
  io.now_ms = [this] { return now_ms; };
  io.nonce = [] { return std::uint64_t{42}; };
  io.today = WalletToday();
  io.kdf = tools::KdfLimits{1, 8192};
  args.insert(args.begin(), {"--home", dir_.path()});
  WalletRun r;
  r.code = tools::wallet::RunWallet(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

void WalletHarness::ImportKey(const std::string& name, const ledger::SecretKey& key) {
  auto pem = io::Ed25519KeyToPem(key);
  REQUIRE(pem.ok());
  std::string path = dir_.Sub(name + ".pem");
  REQUIRE(io::WriteFileAtomic(path, *pem, 0600).ok());
  WalletRun r = Run({"key", "import", name, "--from", path, "--passphrase-env", "PW"});
  INFO(r.err);
  REQUIRE(r.code == 0);
}

ledger::TxBody Body(const contracts::Action& a, std::uint64_t expiry) {
  ledger::TxBody b;
  b.set_chain_id("test-chain");
  b.set_nonce(7);
  b.set_expiry_height(expiry);
  *b.mutable_action() = a;
  return b;
}

std::vector<std::string> Offline(std::vector<std::string> args, const std::string& out) {
  for (const char* w : {"--chain-id", "test-chain", "--nonce", "7", "--expiry-height", "100", "--no-sign", "--out"}) {
    args.push_back(w);
  }
  args.push_back(out);
  return args;
}

tools::TxFile ReadTxFile(const std::string& path) {
  auto json = io::ReadFile(path);
  REQUIRE(json.ok());
  tools::TxFile f;
  REQUIRE(io::ParseJson(*json, &f, path).ok());
  return f;
}

}  // namespace pledger::test
