// pledger-wallet reading as an account: signed reads, `login` and its saved
// token (expiry, file mode, chain and key it is for), `logout`, `whoami`,
// access refusals in words, and trimmed (gazette) answers.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/bytes.h"
#include "ledger/io/files.h"
#include "tests/unit/tools/wallet_harness.h"
#include "tools/common/access.h"
#include "tools/wallet/wallet.h"

namespace pledger::test {
namespace {

using tools::wallet::kExitDenied;
using tools::wallet::kExitOk;
using tools::wallet::kExitOther;
using tools::wallet::kExitUsage;

constexpr char kPledge[] = "0123456789abcdef0123456789abcdef";

std::string ErrorBody(const std::string& code, const std::string& message) {
  return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
}

// A wallet with key 'qtbank' (an account of bank qtbank on the fake node) and
// a profile 'qt' for it on a loopback node.
struct Bank {
  WalletHarness h;
  ledger::SecretKey key = TestKey(1);
  std::string hex = ledger::HexEncode(key.public_key());
  Bank() {
    h.node = MakeFakeNode();
    h.node->AddAccount(key, "qtbank", contracts::ROLE_BANK);
    h.ImportKey("qtbank", key);
    WalletRun r = h.Run({"profile", "add", "qt", "--node", "http://127.0.0.1:1", "--key", "qtbank", "--chain-id",
                         "test-chain"});
    INFO(r.err);
    REQUIRE(r.code == kExitOk);
  }
  std::string TokenFile() const { return h.home() + "/tokens/qt.json"; }
  WalletRun Login() {
    WalletRun r = h.Run({"login", "--passphrase-env", "PW"});
    INFO(r.out << r.err);
    REQUIRE(r.code == kExitOk);
    return r;
  }
};

TEST_CASE("wallet signin: reads are signed with the profile's key, or anonymous on request", "[unit][wallet]") {
  Bank b;
  // No terminal, no passphrase source, no saved sign-in: a clear error that
  // names the ways out, not a hang and not a silent anonymous read.
  WalletRun r = b.h.Run({"status"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("PASSPHRASE_UNAVAILABLE") != std::string::npos);
  CHECK(r.err.find("pledger-wallet login") != std::string::npos);
  CHECK(r.err.find("--anonymous") != std::string::npos);

  r = b.h.Run({"status", "--passphrase-env", "PW"});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(b.h.node->auth.back() == "key:" + b.hex);
  CHECK(b.h.node->signed_chains.back() == "test-chain");

  r = b.h.Run({"patent", "show", "ZL201410362077.3", "--anonymous"});
  CHECK(b.h.node->auth.back() == "anonymous");

  // A profile without a key reads anonymously and asks for nothing.
  r = b.h.Run({"profile", "add", "public", "--node", "http://127.0.0.1:1", "--chain-id", "test-chain"});
  REQUIRE(r.code == kExitOk);
  CHECK(r.err.find("has no key") != std::string::npos);
  r = b.h.Run({"--profile", "public", "status"});
  CHECK(r.code == kExitOk);
  CHECK(b.h.node->auth.back() == "anonymous");

  // A signature or a token never goes over plain http to another machine.
  r = b.h.Run({"profile", "add", "far", "--node", "http://10.1.2.3:26601", "--key", "qtbank", "--chain-id",
               "test-chain"});
  REQUIRE(r.code == kExitOk);
  const size_t sent = b.h.node->auth.size();
  r = b.h.Run({"--profile", "far", "status", "--passphrase-env", "PW"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--node: http://10.1.2.3:26601 is plain http to another machine") != std::string::npos);
  CHECK(b.h.node->auth.size() == sent);
  r = b.h.Run({"--profile", "far", "status", "--anonymous"});
  CHECK(r.code == kExitOk);
}

TEST_CASE("wallet signin: one passphrase signs a transaction and the reads around it", "[unit][wallet]") {
  Bank b;
  contracts::Organisation org;
  org.set_id("qtbank");
  org.set_kind(contracts::ORG_BANK);
  b.h.node->orgs["qtbank"] = org;
  // One line on the descriptor: a second read of it would fail.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::string line = b.h.env["PW"] + "\n";
  REQUIRE(::write(fds[1], line.data(), line.size()) == static_cast<ssize_t>(line.size()));
  ::close(fds[1]);
  WalletRun r = b.h.Run({"bank", "policy-set", "--bank", "qtbank", "--ltv-cap", "50", "--passphrase-fd",
                         std::to_string(fds[0])});
  ::close(fds[0]);
  INFO(r.out << r.err);
  CHECK(r.code == kExitOk);
  REQUIRE(b.h.node->submitted.size() == 1);
  for (size_t i = 0; i < b.h.node->auth.size(); ++i) {
    INFO(b.h.node->targets[i]);
    CHECK(b.h.node->auth[i] == "key:" + b.hex);
  }
}

TEST_CASE("wallet signin: login saves a token that reads carry until it expires, logout deletes it",
          "[unit][wallet]") {
  Bank b;
  WalletRun r = b.Login();
  CHECK(r.out.find("Signed in to chain test-chain as qtbank (bank)") != std::string::npos);
  CHECK(r.out.find("15 minutes left") != std::string::npos);
  // The token is a credential: never printed unless asked for.
  CHECK(r.out.find("token1") == std::string::npos);
  CHECK(r.err.find("token1") == std::string::npos);
  CHECK(r.out.find(b.h.env["PW"]) == std::string::npos);
  CHECK(b.h.node->auth.back() == "key:" + b.hex);  // the token is asked for with a signature

  struct stat st {};
  REQUIRE(::stat(b.TokenFile().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((b.h.home() + "/tokens").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  auto saved = io::ReadFile(b.TokenFile());
  REQUIRE(saved.ok());
  CHECK(saved->find("\"token\": \"token1\"") != std::string::npos);
  CHECK(saved->find(b.hex) != std::string::npos);
  CHECK(saved->find("test-chain") != std::string::npos);

  // Reads now carry the token and ask for no passphrase.
  r = b.h.Run({"status"});
  INFO(r.err);
  CHECK(r.code == kExitOk);
  CHECK(b.h.node->auth.back() == "bearer:token1");
  r = b.h.Run({"pledge", "show", kPledge});
  CHECK(b.h.node->auth.back() == "bearer:token1");
  // ... and so do submissions and their waits.
  r = b.h.Run({"whoami"});
  CHECK(b.h.node->auth.back() == "bearer:token1");

  // 29 seconds before expiry it is no longer used (a read could outlive it).
  b.h.now_ms = b.h.node->now_ms + b.h.node->token_life_ms - 29'000;
  r = b.h.Run({"status"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("not using the saved sign-in of profile 'qt': it expired at") != std::string::npos);
  CHECK(r.err.find("PASSPHRASE_UNAVAILABLE") != std::string::npos);
  r = b.h.Run({"status", "--passphrase-env", "PW"});
  CHECK(r.code == kExitOk);
  CHECK(b.h.node->auth.back() == "key:" + b.hex);

  // A new login replaces it; --print-token prints the token alone, for curl.
  b.h.node->now_ms = b.h.now_ms;
  r = b.h.Run({"login", "--passphrase-env", "PW", "--print-token"});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out == "token2\n");
  r = b.h.Run({"status"});
  CHECK(b.h.node->auth.back() == "bearer:token2");
  r = b.h.Run({"login", "--passphrase-env", "PW", "--json"});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("\"signed_in\": true") != std::string::npos);
  CHECK(r.out.find("token3") == std::string::npos);

  r = b.h.Run({"logout"});
  CHECK(r.code == kExitOk);
  CHECK(r.out.find("Signed out of profile 'qt'") != std::string::npos);
  CHECK_FALSE(io::FileExists(b.TokenFile()));
  r = b.h.Run({"status"});
  CHECK(r.code == kExitOther);  // back to asking for the passphrase
  r = b.h.Run({"logout"});
  CHECK(r.code == kExitOk);
  CHECK(r.out.find("was not signed in") != std::string::npos);
}

TEST_CASE("wallet signin: a saved sign-in stands only for its chain and its key", "[unit][wallet]") {
  Bank b;
  b.Login();
  // The profile now names another chain: the token is not sent, the read is
  // signed for the profile's chain, and the note says why.
  WalletRun r = b.h.Run({"profile", "add", "qt", "--node", "http://127.0.0.1:1", "--key", "qtbank", "--chain-id",
                         "other-chain", "--force"});
  REQUIRE(r.code == kExitOk);
  r = b.h.Run({"status", "--passphrase-env", "PW"});
  CHECK(r.code == kExitOk);
  CHECK(r.err.find("it is for chain 'test-chain', not 'other-chain'") != std::string::npos);
  CHECK(b.h.node->auth.back() == "key:" + b.hex);
  CHECK(b.h.node->signed_chains.back() == "other-chain");

  // Another key in the profile: the token is not that key's.
  b.h.ImportKey("other", TestKey(7));
  r = b.h.Run({"profile", "add", "qt", "--node", "http://127.0.0.1:1", "--key", "other", "--chain-id", "test-chain",
               "--force"});
  REQUIRE(r.code == kExitOk);
  r = b.h.Run({"status", "--passphrase-env", "PW"});
  CHECK(r.err.find("it is for another key than the profile's") != std::string::npos);
  CHECK(b.h.node->auth.back() == "key:" + ledger::HexEncode(TestKey(7).public_key()));

  // --key NAME reads as that key, whatever the profile saved.
  r = b.h.Run({"profile", "add", "qt", "--node", "http://127.0.0.1:1", "--key", "qtbank", "--chain-id", "test-chain",
               "--force"});
  REQUIRE(r.code == kExitOk);
  r = b.h.Run({"status"});
  CHECK(b.h.node->auth.back() == "bearer:token1");
  r = b.h.Run({"status", "--key", "other", "--passphrase-env", "PW"});
  CHECK(r.code == kExitOk);
  CHECK(b.h.node->auth.back() == "key:" + ledger::HexEncode(TestKey(7).public_key()));
}

TEST_CASE("wallet signin: a token file others can read, or a damaged one, is refused", "[unit][wallet]") {
  Bank b;
  b.Login();
  REQUIRE(::chmod(b.TokenFile().c_str(), 0644) == 0);
  WalletRun r = b.h.Run({"status"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("TOKEN_FILE_PERMISSIONS") != std::string::npos);
  CHECK(r.err.find("mode 0644") != std::string::npos);
  CHECK(r.err.find("token1") == std::string::npos);
  r = b.h.Run({"logout"});  // the way out the message names
  CHECK(r.code == kExitOk);
  CHECK_FALSE(io::FileExists(b.TokenFile()));

  REQUIRE(io::MakeDirs(b.h.home() + "/tokens", 0700).ok());
  REQUIRE(io::WriteFileAtomic(b.TokenFile(), "{\"version\": 1, \"token\": ", 0600).ok());
  r = b.h.Run({"status"});
  CHECK(r.err.find("TOKEN_FILE_CORRUPT") != std::string::npos);
}

TEST_CASE("wallet signin: login refusals", "[unit][wallet]") {
  Bank b;
  // A key that is no account: the node's code, in words, exit 5.
  b.h.ImportKey("stranger", TestKey(9));
  REQUIRE(b.h.Run({"profile", "add", "st", "--node", "http://127.0.0.1:1", "--key", "stranger", "--chain-id",
                   "test-chain"})
              .code == kExitOk);
  WalletRun r = b.h.Run({"--profile", "st", "login", "--passphrase-env", "PW"});
  CHECK(r.code == kExitDenied);
  CHECK(r.err.find("AUTH_UNKNOWN_ACCOUNT: this key is not an account on this chain: check the profile's key and "
                   "chain") != std::string::npos);
  CHECK_FALSE(io::FileExists(b.h.home() + "/tokens/st.json"));

  // A node from before request authentication issues no tokens.
  b.h.node->issue_tokens = false;
  r = b.h.Run({"login", "--passphrase-env", "PW"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("TOKENS_UNSUPPORTED") != std::string::npos);
  b.h.node->issue_tokens = true;

  // A profile without a key has nothing to sign in with.
  REQUIRE(b.h.Run({"profile", "add", "public", "--node", "http://127.0.0.1:1", "--chain-id", "test-chain"}).code ==
          kExitOk);
  r = b.h.Run({"--profile", "public", "login"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("has no key to sign in with") != std::string::npos);

  // An answer for another account is not saved.
  b.h.node->canned["POST /v1/auth/token"] = {
      200, "{\"token\":\"abc\",\"expires_ms\":\"" + std::to_string(b.h.now_ms + 900000) + "\",\"account\":\"" +
               std::string(64, 'a') + "\"}"};
  r = b.h.Run({"login", "--passphrase-env", "PW"});
  CHECK(r.code == kExitOther);
  CHECK(r.err.find("NODE_RESPONSE_INVALID") != std::string::npos);
  CHECK_FALSE(io::FileExists(b.TokenFile()));
}

TEST_CASE("wallet signin: access refusals are printed in words, --json keeps the node's code", "[unit][wallet]") {
  Bank b;
  struct Case {
    int status;
    std::string code;
    std::string words;
  };
  const std::vector<Case> cases = {
      {401, "AUTH_REPLAYED", "the node saw this request's nonce before (clock or proxy replay); retry"},
      {401, "AUTH_UNKNOWN_ACCOUNT", "this key is not an account on this chain: check the profile's key and chain"},
      {401, "AUTH_EXPIRED", "the request's timestamp is too far off the node's clock"},
      {401, "AUTH_SIGNATURE_INVALID", "the chain id you sign for is not this node's chain"},
      {401, "AUTH_SUSPENDED", "this account may not read"},
      {401, "AUTH_MISSING", "the node answers only readers who say who they are"},
      {503, "AUTH_BUSY", "retry in a moment"},
      {403, "READ_FORBIDDEN", "the lending figures of qtbank are for qtbank and full readers; sign in with an "
                              "account entitled to it"},
  };
  for (const Case& k : cases) {
    INFO(k.code);
    b.h.node->canned["GET /v1/orgs/qtbank/lending"] = {
        k.status, ErrorBody(k.code, k.code == "READ_FORBIDDEN" ? "the lending figures of qtbank are for qtbank and "
                                                                 "full readers."
                                                               : "node detail")};
    WalletRun r = b.h.Run({"org", "lending", "qtbank", "--passphrase-env", "PW"});
    CHECK(r.code == kExitDenied);
    CHECK(r.err.find("pledger-wallet: " + k.code + ": ") != std::string::npos);
    CHECK(r.err.find(k.words) != std::string::npos);
    if (k.code != "READ_FORBIDDEN") CHECK(r.err.find("(the node said: node detail)") != std::string::npos);
    r = b.h.Run({"org", "lending", "qtbank", "--passphrase-env", "PW", "--json"});
    CHECK(r.code == kExitDenied);
    CHECK(r.out.find("\"code\": \"" + k.code + "\"") != std::string::npos);
  }
  // With a token, an expired one is the token's fault, and the way out is login.
  b.Login();
  b.h.node->canned["GET /v1/orgs/qtbank/lending"] = {401, ErrorBody("AUTH_EXPIRED", "token expired at ...")};
  WalletRun r = b.h.Run({"org", "lending", "qtbank"});
  CHECK(r.code == kExitDenied);
  CHECK(r.err.find("AUTH_EXPIRED: your sign-in has expired; sign in again: run `pledger-wallet login`") !=
        std::string::npos);
}

TEST_CASE("wallet signin: a trimmed answer says which fields were withheld and why, --json passes it through",
          "[unit][wallet]") {
  Bank b;
  const std::string body =
      "{\"id\":\"" + std::string(kPledge) +
      "\",\"state\":\"PLEDGE_REGISTERED\",\"patent_nos\":[\"ZL201410362077.3\"],\"pledgee_org_id\":\"xhbank\","
      "\"pledgor_org_ids\":[\"lianke\"],\"view\":\"gazette\",\"redacted\":[\"pledge.principal_fen\","
      "\"pledge.interest_rate_bps\",\"pledge.outstanding_principal_fen\"]}";
  b.h.node->canned["GET /v1/pledges/" + std::string(kPledge)] = {200, body};
  b.Login();
  WalletRun r = b.h.Run({"pledge", "show", kPledge});
  INFO(r.out << r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("principal (withheld), interest (withheld)") != std::string::npos);
  CHECK(r.out.find("0.00 yuan") != std::string::npos);  // interest and costs outstanding were not withheld
  CHECK(r.out.find("Amounts withheld (principal, interest rate, outstanding principal) (--json lists them): you are "
                   "not a party to this pledge (gazette view)") != std::string::npos);
  r = b.h.Run({"pledge", "show", kPledge, "--json"});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out == body + "\n");
  r = b.h.Run({"pledge", "show", kPledge, "--anonymous"});
  CHECK(r.out.find("you read anonymously (gazette view)") != std::string::npos);
  // An answer with nothing withheld says nothing about it.
  b.h.node->canned.clear();
  contracts::Pledge p;
  p.set_id(kPledge);
  p.set_principal_fen(500'000'000);
  b.h.node->pledges[kPledge] = p;
  r = b.h.Run({"pledge", "show", kPledge});
  CHECK(r.out.find("5,000,000.00 yuan") != std::string::npos);
  CHECK(r.out.find("withheld") == std::string::npos);
}

TEST_CASE("wallet signin: the words of access codes and trimmed answers", "[unit][wallet]") {
  using tools::ReaderKind;
  CHECK(tools::IsAccessRefusal("AUTH_BUSY"));
  CHECK(tools::IsAccessRefusal("READ_FORBIDDEN"));
  CHECK_FALSE(tools::IsAccessRefusal("PLEDGE_NOT_FOUND"));
  CHECK(tools::AccessWords("PLEDGE_NOT_FOUND", ReaderKind::kSigned, "x", "y").empty());
  for (std::string code : {"AUTH_MISSING", "AUTH_MALFORMED", "AUTH_EXPIRED", "AUTH_SIGNATURE_INVALID",
                           "AUTH_UNKNOWN_ACCOUNT", "AUTH_SUSPENDED", "AUTH_REPLAYED", "AUTH_BUSY", "READ_FORBIDDEN"}) {
    for (ReaderKind k : {ReaderKind::kAnonymous, ReaderKind::kSigned, ReaderKind::kToken}) {
      INFO(code << " " << static_cast<int>(k));
      CHECK_FALSE(tools::AccessWords(code, k, "run `x login`", "detail").empty());
    }
  }
  tools::ReadMark m = tools::ReadMarkOf(
      "{\"id\":\"x\",\"view\":\"party\",\"redacted\":[\"pledges[].pledge.principal_fen\",\"holdings[].units\"]}");
  CHECK(m.view == "party");
  CHECK(m.Withheld("principal_fen"));
  CHECK(m.Withheld("units"));
  CHECK_FALSE(m.Withheld("fen"));
  CHECK(tools::WithheldWords(m.redacted) == "principal, units");
  CHECK(tools::WithheldLine(m, ReaderKind::kToken, "this pool", "") ==
        "amounts withheld (principal) with 1 other field (--json lists them): your account sees this pool as one of "
        "its parties, and a party sees only its share (party view)");
  // Many amounts: the first eight named; other fields counted.
  tools::ReadMark many;
  for (const char* f : {"a_fen", "b_fen", "c_fen", "d_fen", "e_fen", "f_fen", "g_fen", "h_fen", "i_fen", "ltv_bps",
                        "valuations[]", "scope", "debt_type"}) {
    many.redacted.push_back(std::string("active_pledge.") + f);
  }
  CHECK(tools::WithheldLine(many, ReaderKind::kSigned, "this patent's pledge", "") ==
        "amounts withheld (a, b, c, d, e, f, g, h, ...) with 2 other fields (--json lists them): you are not a party "
        "to this patent's pledge (gazette view)");
  CHECK(tools::WithheldWords({"x.ltv_bps", "valuations[]"}) == "LTV, valuations");
  CHECK_FALSE(tools::ReadMarkOf("[1,2]").trimmed());
  CHECK_FALSE(tools::ReadMarkOf("not json").trimmed());
  CHECK(tools::WithheldLine(tools::ReadMarkOf("{\"id\":\"x\"}"), ReaderKind::kSigned, "this pledge", "").empty());
}

}  // namespace
}  // namespace pledger::test
