// node/auth: RequestAuthenticator (signed requests and bearer tokens), the
// nonce cache, and the token layout. Pure in-process: a fake clock, a map of
// accounts and a map of validator keys.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/io/request_auth.h"
#include "node/auth/authenticator.h"
#include "node/auth/nonce_cache.h"
#include "node/auth/token.h"
#include "node/limits.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

constexpr std::uint64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr std::string_view kChain = "auth-test-chain";

class FakeClock : public io::Clock {
 public:
  std::uint64_t NowMs() const override { return now.load(); }
  std::string Describe() const override { return "fake"; }
  std::atomic<std::uint64_t> now{kT0};
};

class MapDirectory : public AccountDirectory {
 public:
  Result<AccountInfo> LookupAccount(const ledger::PublicKey& key) const override {
    io::MutexLock lock(&mu);
    auto it = accounts.find(key);
    if (it == accounts.end()) return AccountInfo{};
    return it->second;
  }
  void Put(const ledger::PublicKey& key, AccountInfo info) {
    io::MutexLock lock(&mu);
    info.exists = true;
    accounts[key] = std::move(info);
  }
  AccountInfo& At(const ledger::PublicKey& key) NO_THREAD_SAFETY_ANALYSIS { return accounts.at(key); }

  mutable io::Mutex mu;
  std::map<ledger::PublicKey, AccountInfo> accounts GUARDED_BY(mu);
};

// An account, two validators and one outsider node key.
struct Fixture {
  Fixture() {
    dir.Put(bank.public_key(), AccountInfo{true, false, false, "bank-a", false,
                                           {contracts::ROLE_BANK}});
    dir.Put(owner.public_key(), AccountInfo{true, false, false, "sme-1", false,
                                            {contracts::ROLE_OWNER}});
    validators["node-1"] = node1.public_key();
    validators["node-2"] = node2.public_key();
  }

  AuthenticatorOptions Options(std::string_view chain = kChain, std::string node_id = "node-1",
                               const ledger::SecretKey* key = nullptr) {
    AuthenticatorOptions o;
    o.chain_id = std::string(chain);
    o.clock = &clock;
    o.accounts = &dir;
    o.validator_keys = [this](std::string_view id) -> std::optional<IssuerKeys> {
      auto it = validators.find(std::string(id));
      if (it == validators.end()) return std::nullopt;
      IssuerKeys k;
      k.current = it->second;
      if (auto p = previous.find(std::string(id)); p != previous.end()) {
        k.previous = p->second.first;
        k.previous_until_ms = p->second.second;
      }
      return k;
    };
    o.node_id = std::move(node_id);
    const ledger::SecretKey* k = key ? key : &node1;
    o.node_key = [k] { return std::shared_ptr<const ledger::SecretKey>(k, [](const ledger::SecretKey*) {}); };
    return o;
  }

  // A request signed by `key` at `ts` with a fresh random nonce.
  io::HttpRequest Signed(const ledger::SecretKey& key, std::string method, std::string target,
                         std::string body, std::uint64_t ts, std::string_view chain = kChain,
                         std::optional<io::RequestNonce> nonce = std::nullopt) {
    io::HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.path = r.target.substr(0, r.target.find('?'));
    r.body = std::move(body);
    r.headers["authorization"] =
        io::SignRequestHeader(key, chain, r.method, r.target, r.body, ts,
                              nonce ? *nonce : io::RandomRequestNonce())
            .value();
    return r;
  }

  FakeClock clock;
  MapDirectory dir;
  std::map<std::string, ledger::PublicKey> validators;
  // node id -> (key before its rotation, ledger time the rotation took effect)
  std::map<std::string, std::pair<ledger::PublicKey, std::uint64_t>> previous;
  ledger::SecretKey bank = test::TestKey(11);
  ledger::SecretKey owner = test::TestKey(12);
  ledger::SecretKey stranger = test::TestKey(13);  // no account
  ledger::SecretKey node1 = test::TestKey(21);
  ledger::SecretKey node2 = test::TestKey(22);
  ledger::SecretKey outsider = test::TestKey(23);  // a node key not in the validator set
};

std::string Reason(const Result<AuthenticatedReader>& r) {
  return r.ok() ? "OK" : std::string(r.status().reason());
}

TEST_CASE("auth: a good signature is accepted and names the account", "[unit][node][auth]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  auto r = auth.Authenticate(f.Signed(f.bank, "GET", "/v1/pledges?bank=bank-a&limit=10", "", kT0));
  REQUIRE(r.ok());
  CHECK(r->account_key == f.bank.public_key());
  CHECK(r->org_id == "bank-a");
  CHECK(r->HasRole(contracts::ROLE_BANK));
  CHECK_FALSE(r->HasRole(contracts::ROLE_IP_OFFICE));
  CHECK(r->via == AuthenticatedReader::Via::kSignature);
  CHECK(r->account_hex() == ledger::HexEncode(ledger::ByteSpan(f.bank.public_key())));

  // With a body, and at both edges of the window.
  CHECK(auth.Authenticate(f.Signed(f.bank, "POST", "/v1/txs?wait=10", "{\"x\":1}", kT0)).ok());
  CHECK(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0 - limits::kAuthClockSkewMs)).ok());
  CHECK(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0 + limits::kAuthClockSkewMs)).ok());
}

TEST_CASE("auth: no header is AUTH_MISSING, a malformed one AUTH_MALFORMED", "[unit][node][auth]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  io::HttpRequest r = f.Signed(f.bank, "GET", "/v1/status", "", kT0);
  io::HttpRequest none = r;
  none.headers.clear();
  auto m = auth.Authenticate(none);
  CHECK(Reason(m) == "AUTH_MISSING");
  CHECK(m.status().code() == StatusCode::kUnauthenticated);

  const std::string good = r.headers["authorization"];
  std::vector<std::string> bad = {
      "",
      std::string(16 << 10, 'x'),                           // 16 KiB
      good + std::string(16 << 10, ' '),                    // 16 KiB of padding
      good + ", extra=1",                                   // extra field
      good + ", " + good.substr(good.find("ts=")),          // duplicate fields
      good.substr(0, good.find(", sig=")),                  // missing sig
      "Pledger-Ed25519 " + good.substr(good.find("ts=")),   // missing key
  };
  std::string wrong_hex = good;
  wrong_hex[good.find("key=") + 4] = 'g';
  bad.push_back(wrong_hex);
  std::string upper = good;
  upper[good.find("sig=") + 5] = 'A';
  bad.push_back(upper);
  for (const std::string& h : bad) {
    INFO("header of " << h.size() << " bytes: " << h.substr(0, 100));
    io::HttpRequest x = r;
    x.headers["authorization"] = h;
    auto res = auth.Authenticate(x);
    CHECK(Reason(res) == "AUTH_MALFORMED");
    CHECK(res.status().message().size() < 400);
  }
  // None of them took nonce-cache room.
  CHECK(auth.nonce_cache().size() == 0);
}

TEST_CASE("auth: anything signed that differs is AUTH_SIGNATURE_INVALID", "[unit][node][auth]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  const io::HttpRequest good = f.Signed(f.bank, "POST", "/v1/txs?wait=5000", "{\"body\":\"AA==\"}", kT0);

  SECTION("tampered signature") {
    io::HttpRequest r = good;
    std::string& h = r.headers["authorization"];
    const std::size_t at = h.find("sig=") + 4 + 10;
    h[at] = h[at] == '0' ? '1' : '0';
    CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
  }
  SECTION("tampered key (another account's key, same signature)") {
    io::HttpRequest r = good;
    std::string& h = r.headers["authorization"];
    const std::size_t at = h.find("key=") + 4;
    h.replace(at, 64, ledger::HexEncode(ledger::ByteSpan(f.owner.public_key())));
    CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
  }
  SECTION("tampered ts and nonce") {
    io::HttpRequest r = good;
    std::string& h = r.headers["authorization"];
    const std::size_t ts = h.find("ts=") + 3;
    h[ts + 12] = h[ts + 12] == '0' ? '1' : '0';
    CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
    io::HttpRequest n = good;
    std::string& hn = n.headers["authorization"];
    const std::size_t at = hn.find("nonce=") + 6;
    hn[at] = hn[at] == 'a' ? 'b' : 'a';
    CHECK(Reason(auth.Authenticate(n)) == "AUTH_SIGNATURE_INVALID");
  }
  SECTION("tampered method") {
    io::HttpRequest r = good;
    r.method = "GET";
    CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
  }
  SECTION("tampered path") {
    io::HttpRequest r = good;
    r.target = "/v1/tx?wait=5000";
    CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
  }
  SECTION("tampered query, including its order and encoding") {
    for (std::string t : {"/v1/txs?wait=5001", "/v1/txs", "/v1/txs?wait=5000&x=1",
                          "/v1/txs?wait=%35000", "/v1/txs/?wait=5000"}) {
      io::HttpRequest r = good;
      r.target = t;
      INFO(t);
      CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
    }
    io::HttpRequest q = f.Signed(f.bank, "GET", "/v1/pledges?bank=b&limit=2", "", kT0);
    q.target = "/v1/pledges?limit=2&bank=b";
    CHECK(Reason(auth.Authenticate(q)) == "AUTH_SIGNATURE_INVALID");
  }
  SECTION("tampered body") {
    io::HttpRequest r = good;
    r.body += " ";
    CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
    r.body = "";
    CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
  }
  SECTION("signed for another chain") {
    io::HttpRequest r = f.Signed(f.bank, "GET", "/v1/status", "", kT0, "other-chain");
    CHECK(Reason(auth.Authenticate(r)) == "AUTH_SIGNATURE_INVALID");
  }
  SECTION("the untampered request still passes") {
    CHECK(auth.Authenticate(good).ok());
  }
  // A refused request takes no nonce-cache room.
  CHECK(auth.nonce_cache().size() <= 1);
}

TEST_CASE("auth: stale and future timestamps are AUTH_EXPIRED", "[unit][node][auth]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  const std::uint64_t w = limits::kAuthClockSkewMs;
  auto stale = auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0 - w - 1));
  CHECK(Reason(stale) == "AUTH_EXPIRED");
  CHECK_THAT(std::string(stale.status().message()), Catch::Contains("behind"));
  auto future = auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0 + w + 1));
  CHECK(Reason(future) == "AUTH_EXPIRED");
  CHECK_THAT(std::string(future.status().message()), Catch::Contains("ahead"));
  CHECK(Reason(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", 0))) == "AUTH_EXPIRED");
  CHECK(Reason(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", 9'999'999'999'999'999))) ==
        "AUTH_EXPIRED");
  // A good request becomes stale as the clock moves on.
  io::HttpRequest r = f.Signed(f.bank, "GET", "/v1/status", "", kT0);
  f.clock.now = kT0 + w + 1;
  CHECK(Reason(auth.Authenticate(r)) == "AUTH_EXPIRED");
}

TEST_CASE("auth: a replayed nonce is AUTH_REPLAYED", "[unit][node][auth]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  const io::HttpRequest r = f.Signed(f.bank, "GET", "/v1/status", "", kT0);
  REQUIRE(auth.Authenticate(r).ok());
  CHECK(Reason(auth.Authenticate(r)) == "AUTH_REPLAYED");
  // Still refused later in the window, then stale once the window has passed.
  f.clock.now = kT0 + limits::kAuthClockSkewMs;
  CHECK(Reason(auth.Authenticate(r)) == "AUTH_REPLAYED");
  f.clock.now = kT0 + limits::kAuthClockSkewMs + 1;
  CHECK(Reason(auth.Authenticate(r)) == "AUTH_EXPIRED");

  // The same nonce on another request of the same account: refused too.
  f.clock.now = kT0;
  const io::RequestNonce n = io::RandomRequestNonce();
  REQUIRE(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/a", "", kT0, kChain, n)).ok());
  CHECK(Reason(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/b", "", kT0 + 5, kChain, n))) ==
        "AUTH_REPLAYED");
  // Another account's nonce space is its own.
  CHECK(auth.Authenticate(f.Signed(f.owner, "GET", "/v1/a", "", kT0, kChain, n)).ok());
}

TEST_CASE("auth: unknown, suspended, retired accounts and removed organisations", "[unit][node][auth]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  auto u = auth.Authenticate(f.Signed(f.stranger, "GET", "/v1/status", "", kT0));
  CHECK(Reason(u) == "AUTH_UNKNOWN_ACCOUNT");
  CHECK_THAT(std::string(u.status().message()),
             Catch::Contains(ledger::HexEncode(ledger::ByteSpan(f.stranger.public_key()))));

  f.dir.At(f.bank.public_key()).suspended = true;
  CHECK(Reason(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0))) == "AUTH_SUSPENDED");
  f.dir.At(f.bank.public_key()).suspended = false;
  f.dir.At(f.bank.public_key()).retired = true;
  auto ret = auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0));
  CHECK(Reason(ret) == "AUTH_SUSPENDED");
  CHECK_THAT(std::string(ret.status().message()), Catch::Contains("rotation"));
  f.dir.At(f.bank.public_key()).retired = false;
  f.dir.At(f.bank.public_key()).org_removed = true;
  auto rem = auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0));
  CHECK(Reason(rem) == "AUTH_SUSPENDED");
  CHECK_THAT(std::string(rem.status().message()), Catch::Contains("bank-a"));
  f.dir.At(f.bank.public_key()).org_removed = false;
  CHECK(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0)).ok());
  // Refusals took no nonce-cache room; the one success did.
  CHECK(auth.nonce_cache().size() == 1);
}

TEST_CASE("auth: a full nonce cache refuses with AUTH_BUSY and recovers as entries expire", "[unit][node][auth]") {
  Fixture f;
  AuthenticatorOptions o = f.Options();
  o.nonce_cache_max = 3;
  RequestAuthenticator auth(std::move(o));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0 + i)).ok());
  }
  auto full = auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", kT0));
  CHECK(Reason(full) == "AUTH_BUSY");
  CHECK(full.status().code() == StatusCode::kResourceExhausted);
  CHECK(auth.nonce_cache().size() == 3);
  // The first entry (ts kT0) expires once its ts leaves the window.
  f.clock.now = kT0 + limits::kAuthClockSkewMs + 1;
  CHECK(auth.Authenticate(f.Signed(f.bank, "GET", "/v1/status", "", f.clock.now)).ok());
  CHECK(auth.nonce_cache().size() == 3);
}

TEST_CASE("auth: NonceCache expires entries by their own deadline, not by insertion order", "[unit][node][auth]") {
  NonceCache c(10);
  const ledger::PublicKey k = test::TestKey(1).public_key();
  io::RequestNonce a{}, b{}, d{};
  a[0] = 1;
  b[0] = 2;
  d[0] = 3;
  CHECK(c.Insert(k, a, 200, 100) == NonceCache::Outcome::kFresh);
  CHECK(c.Insert(k, b, 150, 100) == NonceCache::Outcome::kFresh);
  CHECK(c.Insert(k, a, 200, 150) == NonceCache::Outcome::kReplayed);
  CHECK(c.Insert(k, b, 150, 150) == NonceCache::Outcome::kReplayed);  // still live at its deadline
  CHECK(c.Insert(k, d, 400, 151) == NonceCache::Outcome::kFresh);     // b expired
  CHECK(c.size() == 2);
  CHECK(c.Insert(k, b, 300, 151) == NonceCache::Outcome::kFresh);
  CHECK(c.Insert(k, a, 999, 201) == NonceCache::Outcome::kFresh);     // a expired, then re-added
}

TEST_CASE("auth: concurrent requests, each nonce accepted exactly once", "[unit][node][auth]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  constexpr int kRequests = 200;
  std::vector<io::HttpRequest> reqs;
  for (int i = 0; i < kRequests; ++i) {
    reqs.push_back(f.Signed(i % 2 ? f.bank : f.owner, "GET", "/v1/status?i=" + std::to_string(i), "", kT0));
  }
  std::atomic<int> ok{0}, replayed{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (const io::HttpRequest& r : reqs) {  // every thread sends every request
        auto res = auth.Authenticate(r);
        if (res.ok()) {
          ++ok;
        } else if (res.status().reason() == "AUTH_REPLAYED") {
          ++replayed;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == kRequests);
  CHECK(replayed == 3 * kRequests);
  CHECK(other == 0);
}

// ---- tokens ---------------------------------------------------------------------

io::HttpRequest WithBearer(const std::string& token) {
  io::HttpRequest r;
  r.method = "GET";
  r.target = r.path = "/v1/status";
  r.headers["authorization"] = "Bearer " + token;
  return r;
}

TEST_CASE("auth: token round trip, on the issuing node and on another", "[unit][node][auth][token]") {
  Fixture f;
  RequestAuthenticator node1(f.Options(kChain, "node-1", &f.node1));
  RequestAuthenticator node2(f.Options(kChain, "node-2", &f.node2));
  auto reader = node1.Authenticate(f.Signed(f.bank, "POST", "/v1/auth/token", "", kT0));
  REQUIRE(reader.ok());
  auto token = node1.MintToken(*reader, kT0);
  REQUIRE(token.ok());
  CHECK(token->size() <= io::kBearerTokenCharsMax);
  for (RequestAuthenticator* a : {&node1, &node2}) {
    auto r = a->Authenticate(WithBearer(*token));
    REQUIRE(r.ok());
    CHECK(r->account_key == f.bank.public_key());
    CHECK(r->org_id == "bank-a");
    CHECK(r->HasRole(contracts::ROLE_BANK));
    CHECK(r->via == AuthenticatedReader::Via::kToken);
    CHECK(r->token_issuer == "node-1");
    CHECK(r->token_expires_ms == kT0 + limits::kAuthTokenLifetimeMs);
  }
  // The same token again (tokens carry no nonce), and late in its life.
  f.clock.now = kT0 + limits::kAuthTokenLifetimeMs - 1;
  CHECK(node2.Authenticate(WithBearer(*token)).ok());
  CHECK(node1.nonce_cache().size() == 1);  // only the signed request

  // Layout: the documented fields at the documented offsets.
  auto d = DecodeToken(*token);
  REQUIRE(d.ok());
  CHECK(d->fields.issuer_node_id == "node-1");
  CHECK(d->payload.size() == 2 + 6 + 32 + 8 + 8);
  CHECK(Base64UrlDecode(*token)->size() == d->payload.size() + 64);
  CHECK(d->payload[0] == 1);
  CHECK(d->payload[1] == 6);
}

TEST_CASE("auth: expired tokens and tokens from the future are AUTH_EXPIRED", "[unit][node][auth][token]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  AuthenticatedReader reader;
  reader.account_key = f.bank.public_key();
  const std::string token = auth.MintToken(reader, kT0).value();
  CHECK(auth.VerifyToken(token, kT0).ok());
  CHECK(Reason(auth.VerifyToken(token, kT0 + limits::kAuthTokenLifetimeMs)) == "AUTH_EXPIRED");
  f.clock.now = kT0 + limits::kAuthTokenLifetimeMs + 1;
  CHECK(Reason(auth.Authenticate(WithBearer(token))) == "AUTH_EXPIRED");
  // Issued by a node whose clock runs ahead of ours by more than the skew.
  const std::string ahead = auth.MintToken(reader, kT0 + limits::kAuthClockSkewMs + 1).value();
  CHECK(Reason(auth.VerifyToken(ahead, kT0)) == "AUTH_EXPIRED");
  CHECK(auth.VerifyToken(ahead, kT0 + 1).ok());
}

TEST_CASE("auth: a token for another chain is AUTH_SIGNATURE_INVALID", "[unit][node][auth][token]") {
  Fixture f;
  RequestAuthenticator here(f.Options(kChain));
  RequestAuthenticator there(f.Options("other-chain"));  // same validator ids and keys
  AuthenticatedReader reader;
  reader.account_key = f.bank.public_key();
  const std::string token = there.MintToken(reader, kT0).value();
  CHECK(there.VerifyToken(token, kT0).ok());
  CHECK(Reason(here.VerifyToken(token, kT0)) == "AUTH_SIGNATURE_INVALID");
}

TEST_CASE("auth: a token not signed by a current validator is AUTH_SIGNATURE_INVALID", "[unit][node][auth][token]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  AuthenticatedReader reader;
  reader.account_key = f.bank.public_key();
  // A node key outside the validator set, claiming a validator's id...
  RequestAuthenticator impostor(f.Options(kChain, "node-1", &f.outsider));
  CHECK(Reason(auth.VerifyToken(impostor.MintToken(reader, kT0).value(), kT0)) ==
        "AUTH_SIGNATURE_INVALID");
  // ...or its own id, unknown to the chain.
  RequestAuthenticator rogue(f.Options(kChain, "node-9", &f.outsider));
  auto r = auth.VerifyToken(rogue.MintToken(reader, kT0).value(), kT0);
  CHECK(Reason(r) == "AUTH_SIGNATURE_INVALID");
  CHECK_THAT(std::string(r.status().message()), Catch::Contains("node-9"));
  // A validator removed after issuing: its tokens stop working.
  const std::string t2 = RequestAuthenticator(f.Options(kChain, "node-2", &f.node2)).MintToken(reader, kT0).value();
  CHECK(auth.VerifyToken(t2, kT0).ok());
  f.validators.erase("node-2");
  CHECK(Reason(auth.VerifyToken(t2, kT0)) == "AUTH_SIGNATURE_INVALID");
}

TEST_CASE("auth: a token's signature is verified once, then remembered under the key it verified with",
          "[unit][node][auth][token]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  AuthenticatedReader reader;
  reader.account_key = f.bank.public_key();
  const std::string token = RequestAuthenticator(f.Options(kChain, "node-2", &f.node2)).MintToken(reader, kT0).value();
  CHECK(auth.verified_tokens() == 0);
  // The API thread's shortcut declines a token it has not verified...
  f.clock.now = kT0;
  CHECK_FALSE(auth.AuthenticateKnownToken(WithBearer(token)).has_value());
  REQUIRE(auth.VerifyToken(token, kT0).ok());
  CHECK(auth.verified_tokens() == 1);
  // ...and answers for one it has, with every check but the signature's.
  auto known = auth.AuthenticateKnownToken(WithBearer(token));
  REQUIRE(known.has_value());
  REQUIRE(known->ok());
  CHECK((*known)->via == AuthenticatedReader::Via::kToken);
  f.dir.At(f.bank.public_key()).suspended = true;
  CHECK(Reason(*auth.AuthenticateKnownToken(WithBearer(token))) == "AUTH_SUSPENDED");
  f.dir.At(f.bank.public_key()).suspended = false;
  CHECK_FALSE(auth.AuthenticateKnownToken(f.Signed(f.bank, "GET", "/v1/status", "", kT0)).has_value());
  REQUIRE(auth.VerifyToken(token, kT0 + 1).ok());
  CHECK(auth.verified_tokens() == 1);
  // The remembered signature paired with another payload is another token:
  // verified afresh, and refused.
  auto raw = Base64UrlDecode(token).value();
  // expires_ms one millisecond earlier (big-endian, with the borrow).
  for (size_t i = raw.size() - 64 - 1;; --i) {
    if (raw[i]-- != 0) break;
  }
  CHECK(Reason(auth.VerifyToken(Base64UrlEncode(raw), kT0)) == "AUTH_SIGNATURE_INVALID");
  // The issuer's key rotated: the remembered check no longer counts.
  f.validators["node-2"] = f.outsider.public_key();
  CHECK(Reason(auth.VerifyToken(token, kT0 + 2)) == "AUTH_SIGNATURE_INVALID");
}

// A validator key rotation (issue 16): tokens the old key signed before the
// rotating block's time live out their short life; the old key cannot mint
// new ones that pass, and the new key's tokens are good at once.
TEST_CASE("auth: tokens across an issuer's key rotation", "[unit][node][auth][token]") {
  Fixture f;
  ledger::SecretKey next = ledger::SecretKey::Generate();
  RequestAuthenticator old_issuer(f.Options(kChain, "node-1", &f.node1));
  RequestAuthenticator new_issuer(f.Options(kChain, "node-1", &next));
  auto reader = old_issuer.Authenticate(f.Signed(f.bank, "POST", "/v1/auth/token", "", kT0));
  REQUIRE(reader.ok());
  const std::string before = old_issuer.MintToken(*reader, kT0).value();
  REQUIRE(old_issuer.VerifyToken(before, kT0 + 1).ok());
  // The rotation applies at ledger time kT0 + 1000.
  f.previous["node-1"] = {f.node1.public_key(), kT0 + 1000};
  f.validators["node-1"] = next.public_key();
  RequestAuthenticator verifier(f.Options(kChain, "node-2", &f.node2));
  CHECK(verifier.VerifyToken(before, kT0 + 2000).ok());
  CHECK(old_issuer.VerifyToken(before, kT0 + 2000).ok());  // remembered, still in force
  // Signed by the old key but claiming a later issue time: refused.
  const std::string late = old_issuer.MintToken(*reader, kT0 + 1000).value();
  CHECK(Reason(verifier.VerifyToken(late, kT0 + 2000)) == "AUTH_SIGNATURE_INVALID");
  // The new key's tokens verify at once.
  const std::string fresh = new_issuer.MintToken(*reader, kT0 + 1500).value();
  CHECK(verifier.VerifyToken(fresh, kT0 + 2000).ok());
  // Without a recorded rotation time the old key counts for nothing.
  f.previous["node-1"].second = 0;
  RequestAuthenticator strict(f.Options(kChain, "node-2", &f.node2));
  CHECK(Reason(strict.VerifyToken(before, kT0 + 2000)) == "AUTH_SIGNATURE_INVALID");
}

TEST_CASE("auth: a token stops working once its account is suspended", "[unit][node][auth][token]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  auto reader = auth.Authenticate(f.Signed(f.bank, "POST", "/v1/auth/token", "", kT0));
  REQUIRE(reader.ok());
  const std::string token = auth.MintToken(*reader, kT0).value();
  REQUIRE(auth.Authenticate(WithBearer(token)).ok());
  f.dir.At(f.bank.public_key()).suspended = true;  // the next block suspends it
  CHECK(Reason(auth.Authenticate(WithBearer(token))) == "AUTH_SUSPENDED");
  f.dir.At(f.bank.public_key()).suspended = false;  // reinstated
  CHECK(auth.Authenticate(WithBearer(token)).ok());
  // A token for a key that is no account (minted by a buggy or hostile path).
  AuthenticatedReader ghost;
  ghost.account_key = f.stranger.public_key();
  CHECK(Reason(auth.VerifyToken(auth.MintToken(ghost, kT0).value(), kT0)) == "AUTH_UNKNOWN_ACCOUNT");
}

TEST_CASE("auth: minting rules", "[unit][node][auth][token]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  auto reader = auth.Authenticate(f.Signed(f.bank, "POST", "/v1/auth/token", "", kT0));
  REQUIRE(reader.ok());
  const std::string token = auth.MintToken(*reader, kT0).value();
  auto via_token = auth.Authenticate(WithBearer(token));
  REQUIRE(via_token.ok());
  auto again = auth.MintToken(*via_token, kT0);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().reason() == "AUTH_SIGNATURE_REQUIRED");

  AuthenticatorOptions o = f.Options();
  o.node_key = nullptr;  // no issuer key: mints nothing
  RequestAuthenticator keyless(std::move(o));
  auto none = keyless.MintToken(*reader, kT0);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().reason() == "AUTH_TOKENS_UNAVAILABLE");
  CHECK(keyless.VerifyToken(token, kT0).ok());  // still verifies others' tokens
}

TEST_CASE("auth: damaged tokens are refused, never accepted", "[unit][node][auth][token]") {
  Fixture f;
  RequestAuthenticator auth(f.Options());
  AuthenticatedReader reader;
  reader.account_key = f.bank.public_key();
  const std::string token = auth.MintToken(reader, kT0).value();
  const std::string raw = Base64UrlDecode(token).value();

  for (std::string bad : {std::string(""), std::string("A"), token + "A", token.substr(1),
                          token.substr(0, token.size() - 1), std::string(300, 'A')}) {
    INFO(bad);
    auto r = auth.VerifyToken(bad, kT0);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "AUTH_MALFORMED");
  }
  auto with = [&](std::size_t at, char v) {
    std::string b = raw;
    b[at] = v;
    return Base64UrlEncode(b);
  };
  CHECK(Reason(auth.VerifyToken(with(0, 2), kT0)) == "AUTH_MALFORMED");    // version
  CHECK(Reason(auth.VerifyToken(with(1, 0), kT0)) == "AUTH_MALFORMED");    // node id length
  CHECK(Reason(auth.VerifyToken(with(1, 65), kT0)) == "AUTH_MALFORMED");
  CHECK(Reason(auth.VerifyToken(with(2, 'N'), kT0)) == "AUTH_MALFORMED");  // node id charset
  CHECK(Reason(auth.VerifyToken(Base64UrlEncode(raw + std::string(1, '\0')), kT0)) == "AUTH_MALFORMED");
  // A lifetime no node issues (expires_ms moved out by a day): malformed even before the signature.
  {
    std::string b = raw;
    const std::size_t off = 42 + 6;
    std::string e;
    ledger::PutBigEndian64(&e, kT0 + 86'400'000);
    b.replace(off, 8, e);
    CHECK(Reason(auth.VerifyToken(Base64UrlEncode(b), kT0)) == "AUTH_MALFORMED");
  }

  const std::uint64_t seed = test::TestSeed("auth token flips");
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 3000; ++i) {
    std::string b = raw;
    const std::size_t at = rng() % b.size();
    const auto flip = static_cast<char>(1u << (rng() % 8));
    b[at] = static_cast<char>(b[at] ^ flip);
    INFO("byte " << at << " xor " << int(static_cast<unsigned char>(flip)));
    auto r = auth.VerifyToken(Base64UrlEncode(b), kT0);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE("auth: base64url is strict and round-trips", "[unit][node][auth][token]") {
  const std::uint64_t seed = test::TestSeed("auth base64url");
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 200, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    const std::string t = Base64UrlEncode(s);
    CHECK(t.find_first_of("+/=") == std::string::npos);
    auto back = Base64UrlDecode(t);
    REQUIRE(back.ok());
    CHECK(*back == s);
  }
  CHECK(Base64UrlEncode("\xfb\xff") == "-_8");
  CHECK_FALSE(Base64UrlDecode("-_9").ok());  // stray low bits
  CHECK_FALSE(Base64UrlDecode("AAAAA").ok());
  CHECK_FALSE(Base64UrlDecode("AA==").ok());
  CHECK_FALSE(Base64UrlDecode("A+/A").ok());
}

}  // namespace
}  // namespace pledger::node
