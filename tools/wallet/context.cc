#include <unistd.h>

#include <map>

#include "ledger/io/clock.h"
#include "ledger/io/json.h"
#include "ledger/io/proto/api.pb.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/errors.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {

// Ledger look-ups through the node, with answers cached for one invocation
// (inspect asks for the same patent, pledge or pool for several parties).
class Context::NodeLookup : public contracts::LedgerLookup {
 public:
  explicit NodeLookup(Context* c) : c_(c) {}
  Result<contracts::PatentView> Patent(const std::string& no) override {
    if (auto it = patents_.find(no); it != patents_.end()) return it->second;
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c_->node());
    auto v = n->Patent(no);
    c_->Observe(v.status());
    patents_.emplace(no, v);
    return v;
  }
  Result<contracts::Pledge> Pledge(const std::string& id) override {
    if (auto it = pledges_.find(id); it != pledges_.end()) return it->second;
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c_->node());
    auto v = n->Pledge(id);
    c_->Observe(v.status());
    pledges_.emplace(id, v);
    return v;
  }
  Result<contracts::PoolView> Pool(const std::string& id) override {
    if (auto it = pools_.find(id); it != pools_.end()) return it->second;
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c_->node());
    auto v = n->Pool(id);
    c_->Observe(v.status());
    pools_.emplace(id, v);
    return v;
  }
  Result<contracts::PoolStatement> PoolPaymentPreview(const std::string& id, std::int32_t date,
                                                      bool allow_draw) override {
    const std::string key = id + "/" + std::to_string(date) + (allow_draw ? "" : "/no-draw");
    if (auto it = previews_.find(key); it != previews_.end()) return it->second;
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c_->node());
    auto v = n->PoolPreview(id, date, allow_draw);
    c_->Observe(v.status());
    previews_.emplace(key, v);
    return v;
  }
  // The ledger's IP-office organisations now (GET /v1/orgs?kind=ORG_IP_OFFICE);
  // from a node without that route, the genesis's (a lower bound).
  Result<contracts::IpOfficeCount> IpOffices() override {
    if (ip_offices_) return *ip_offices_;
    PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c_->node());
    auto list = n->Orgs(contracts::ORG_IP_OFFICE);
    c_->Observe(list.status());
    if (list.ok() && list->organisations_size() > 0 && !list->truncated()) {
      // A removed office keeps its record but no longer counts for the quorum.
      int count = 0;
      for (const auto& o : list->organisations()) count += o.removed() ? 0 : 1;
      ip_offices_ = contracts::IpOfficeCount{count, true};
      return *ip_offices_;
    }
    if (!list.ok() && list.status().reason() != "ROUTE_NOT_FOUND") return list.status();
    auto g = n->Genesis();
    c_->Observe(g.status());
    if (!g.ok()) return g.status();
    int count = 0;
    for (const auto& o : g->organisations()) count += o.kind() == contracts::ORG_IP_OFFICE ? 1 : 0;
    ip_offices_ = contracts::IpOfficeCount{count, false};
    return *ip_offices_;
  }
  // A node's record, for who may self-sign its key rotation.
  Result<contracts::Validator> ValidatorRecord(const std::string& node_id) override {
    if (!validators_) {
      PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c_->node());
      auto v = n->Validators();
      c_->Observe(v.status());
      if (!v.ok()) return v.status();
      validators_ = *v;
    }
    for (const auto& v : validators_->validators()) {
      if (v.node_id() == node_id) return v;
    }
    return Status::NotFound("VALIDATOR_NOT_FOUND", "no node " + node_id + " in the validator set");
  }

 private:
  Context* c_;
  std::optional<contracts::ValidatorSet> validators_;
  std::optional<contracts::IpOfficeCount> ip_offices_;
  std::map<std::string, Result<contracts::PatentView>> patents_;
  std::map<std::string, Result<contracts::Pledge>> pledges_;
  std::map<std::string, Result<contracts::PoolView>> pools_;
  std::map<std::string, Result<contracts::PoolStatement>> previews_;
};

Context::Context(WalletIo& io, const Command& command, Args args)
    : io_(io),
      command_(command),
      args_(std::move(args)),
      today_(io.today ? *io.today : TodayCst()),
      home_([&] {
        if (auto h = args_.Get("home"); h && !h->empty()) return *h;
        if (io.getenv) {
          if (auto h = io.getenv("PLEDGER_HOME"); h && !h->empty()) return *h;
          if (auto h = io.getenv("HOME"); h && !h->empty()) return *h + "/.pledger";
        }
        return std::string("./.pledger");
      }()),
      keystore_(home_) {}

Context::~Context() = default;

int ExitCodeFor(const Status& s) {
  if (s.ok()) return kExitOk;
  if (s.reason() == "USAGE" || s.reason() == "SIGNATURE_MISSING") return kExitUsage;
  if (s.reason() == "NODE_UNREACHABLE") return kExitUnreachable;
  if (IsAccessRefusal(s.reason())) return kExitDenied;
  return kExitOther;
}

int Context::Fail(const Status& s) {
  err() << "pledger-wallet: " << (s.reason() == "USAGE" ? "usage error" : std::string(s.reason())) << ": "
        << s.message() << "\n";
  if (s.reason() == "USAGE") err() << "See `pledger-wallet " << command_.Words() << " --help`.\n";
  WalletError e = ErrorOf(s);
  if (json()) PrintJsonError(out(), e);
  return e.exit_code();
}

int Context::Fail(const WalletError& e) {
  err() << "pledger-wallet: " << e.code() << ": " << e.message() << "\n";
  if (json()) PrintJsonError(out(), e);
  return e.exit_code();
}

Result<Settings> Context::settings() {
  if (settings_) return *settings_;
  PLEDGER_ASSIGN_OR_RETURN(WalletConfig cfg, config().Load());
  Settings s;
  std::string name;
  if (auto p = args_.Get("profile")) {
    name = *p;
    if (FindProfile(cfg, name) == nullptr) {
      return UsageError("--profile: no profile named '" + name + "'; see `pledger-wallet profile list`");
    }
  } else if (auto e = io_.getenv ? io_.getenv("PLEDGER_PROFILE") : std::nullopt; e && !e->empty()) {
    name = *e;
    if (FindProfile(cfg, name) == nullptr) {
      return UsageError("PLEDGER_PROFILE names no profile '" + name + "'; see `pledger-wallet profile list`");
    }
  } else {
    name = cfg.current_profile();
  }
  if (const Profile* p = FindProfile(cfg, name)) {
    s.profile = p->name();
    s.node_url = p->node_url();
    s.key = p->key();
    s.chain_id = p->chain_id();
    s.ca_file = p->ca_file();
  }
  if (auto v = args_.Get("node")) s.node_url = *v;
  if (auto v = args_.Get("chain-id")) s.chain_id = *v;
  if (auto v = args_.Get("ca")) s.ca_file = *v;
  if (auto v = args_.Get("key")) s.key = *v;
  settings_ = s;
  return s;
}

bool Context::HasNodeUrl() {
  auto s = settings();
  return s.ok() && !s->node_url.empty();
}

namespace {

// Loopback hosts, where plain http never leaves the machine.
bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

}  // namespace

// The system clock, not the process clock a test may move: request
// signatures (io::HttpClient) and the nodes' token expiries are both on it.
std::uint64_t Context::NowMs() const { return io_.now_ms ? io_.now_ms() : io::SystemClock().NowMs(); }

Result<NodeEndpoint> Context::Endpoint() {
  PLEDGER_ASSIGN_OR_RETURN(Settings s, settings());
  NodeEndpoint e;
  e.url = s.node_url;
  e.ca_file = s.ca_file;
  if (args_.Has("anonymous") || s.key.empty()) return e;
  auto info = keystore_.Info(s.key);
  if (!info.ok()) {
    if (info.status().reason() != "KEY_NOT_FOUND") return info.status();
    Note("note: there is no key '" + s.key + "' in this wallet, so this reads anonymously (the public view); "
         "import it with `pledger-wallet key import " + s.key + " --from FILE`");
    return e;
  }
  // A saved sign-in belongs to its profile's key: --key NAME reads as another.
  if (!s.profile.empty() && !args_.Has("key")) {
    PLEDGER_ASSIGN_OR_RETURN(std::optional<SavedToken> saved, tokens().Load(s.profile));
    if (saved) {
      const std::string why = WhyNotUsable(*saved, s.chain_id, info->public_key_hex(), NowMs());
      if (why.empty()) {
        e.credentials.bearer_token = saved->token();
        return e;
      }
      Note("note: not using the saved sign-in of profile '" + s.profile + "': " + why +
           (read_without_key_ ? "" : "; signing with key '" + s.key + "' instead") +
           " (`pledger-wallet login` signs in again)");
    }
  }
  if (read_without_key_ && unlocked_.count(s.key) == 0) return e;
  std::string chain = s.chain_id;
  if (chain.empty() && !s.node_url.empty()) {
    // A signature is for one chain. Without a profile that records it, the
    // node says which one it runs (/v1/status needs no signature); a wrong
    // answer only makes the node refuse the signature.
    auto anon = Connect(e);
    if (anon.ok()) {
      auto st = (*anon)->NodeStatus();
      if (st.ok()) chain = st->chain_id();
    }
  }
  if (chain.empty()) {
    return UsageError("--chain-id: reading as key '" + s.key + "' signs for one chain; give --chain-id ID or use a "
                      "profile (it records the chain), or read the public view with --anonymous");
  }
  auto key = UnlockKey(s.key, "Passphrase for key '" + s.key + "' (to sign your reads; `pledger-wallet login` asks "
                              "once for 15 minutes): ");
  if (!key.ok()) {
    if (key.status().reason() != "PASSPHRASE_UNAVAILABLE") return key.status();
    return Status(key.status().code(), key.status().reason(),
                  std::string(key.status().message()) + ". Reads are signed with key '" + s.key +
                      "': sign in once with `pledger-wallet login`, or read the public view with --anonymous");
  }
  e.credentials.key = *key;
  e.credentials.chain_id = chain;
  return e;
}

Result<std::unique_ptr<NodeClient>> Context::Connect(const NodeEndpoint& endpoint) {
  if (!io_.connect) return Status::Unavailable("NODE_UNREACHABLE", "this wallet has no network access");
  auto url = io::ParseUrl(endpoint.url);
  if (!url.ok()) return UsageError("--node: " + std::string(url.status().message()));
  // A signature or a token sent in the clear to another machine could be
  // read on the way (a token stands for the account, for whoever holds it).
  if (endpoint.reader() != ReaderKind::kAnonymous && !url->tls && !IsLoopback(url->host)) {
    return FlagError("node", endpoint.url + " is plain http to another machine: your signature or token would cross "
                                            "the network in the clear. Use the node's https URL with --ca (the "
                                            "consortium CA), or --anonymous for the public view");
  }
  auto transport = io_.connect(endpoint);
  if (!transport.ok()) {
    if (transport.status().reason() == "URL_INVALID") return UsageError("--node: " + std::string(transport.status().message()));
    return transport.status();
  }
  return std::make_unique<NodeClient>(std::move(*transport), endpoint.url, endpoint.reader());
}

Result<NodeClient*> Context::node() {
  if (node_) return node_.get();
  PLEDGER_ASSIGN_OR_RETURN(Settings s, settings());
  if (s.node_url.empty()) {
    return UsageError("--node: no node to talk to; give --node URL or set up a profile with "
                      "`pledger-wallet profile add NAME --node URL --key KEY`");
  }
  PLEDGER_ASSIGN_OR_RETURN(NodeEndpoint endpoint, Endpoint());
  PLEDGER_ASSIGN_OR_RETURN(node_, Connect(endpoint));
  return node_.get();
}

const Status& Context::Observe(const Status& s) {
  if (s.reason() == "NODE_UNREACHABLE") node_down_ = true;
  return s;
}

contracts::LedgerLookup* Context::lookup() {
  if (!HasNodeUrl() || node_down_) return nullptr;
  if (!lookup_) lookup_ = std::make_unique<NodeLookup>(this);
  return lookup_.get();
}

PassphraseSource Context::SourceFor(const std::string& prefix) const {
  PassphraseSource src;
  if (auto fd = args_.Get(prefix + "-fd")) {
    // Validated by the caller through ReadSecret.
    char* end = nullptr;
    long v = std::strtol(fd->c_str(), &end, 10);
    src.fd = (!fd->empty() && *end == '\0' && v >= 0 && v < 65536) ? static_cast<int>(v) : -1;
  }
  if (auto env = args_.Get(prefix + "-env")) src.env_var = *env;
  return src;
}

Result<Secret> Context::ReadSecret(const std::string& prefix, const std::string& prompt, bool confirm) {
  PassphraseSource src = SourceFor(prefix);
  if (src.fd && src.env_var) {
    return UsageError("give one of --" + prefix + "-fd and --" + prefix + "-env, not both");
  }
  if (src.fd && *src.fd < 0) return FlagError(prefix + "-fd", "must be a file descriptor number such as 3");
  SecretIo sio{io_.getenv, io_.prompt};
  return ReadPassphrase(src, prefix, prompt, confirm, sio);
}

KdfLimits Context::kdf() const { return io_.kdf ? *io_.kdf : DefaultKdfLimits(); }

Result<std::shared_ptr<const ledger::SecretKey>> Context::UnlockKey(const std::string& name,
                                                                    const std::string& prompt) {
  if (auto it = unlocked_.find(name); it != unlocked_.end()) return it->second;
  // Check the key exists (and its permissions) before asking for anything.
  PLEDGER_ASSIGN_OR_RETURN(KeyFile info, keystore_.Info(name));
  PLEDGER_ASSIGN_OR_RETURN(
      Secret pass,
      ReadSecret("passphrase", prompt.empty() ? "Passphrase for key '" + info.name() + "': " : prompt, /*confirm=*/false));
  PLEDGER_ASSIGN_OR_RETURN(ledger::SecretKey key, keystore_.Load(name, pass.view()));
  auto shared = std::make_shared<const ledger::SecretKey>(std::move(key));
  unlocked_.emplace(name, shared);
  return shared;
}

}  // namespace pledger::tools::wallet
