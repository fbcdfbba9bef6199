// Test support for pledger-wallet: runs commands in-process with captured
// output, a private wallet home, fixed "today", cheap key derivation, a fixed
// nonce and either no network (every connection fails with
// NODE_UNREACHABLE) or a FakeNode that answers the node API from maps.
//
// Test-only; not thread-safe.
#ifndef PLEDGER_TESTS_UNIT_TOOLS_WALLET_HARNESS_H_
#define PLEDGER_TESTS_UNIT_TOOLS_WALLET_HARNESS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/crypto.h"
#include "ledger/proto/ledger.pb.h"
#include "tests/support/test_util.h"
#include "tools/wallet/txfile.h"
#include "tools/wallet/wallet.h"

namespace pledger::test {

// 2026-11-27 (a Friday), the "today" of every wallet unit test.
std::int32_t WalletToday();

// What a fake node knows and what it was sent.
struct FakeNodeState {
  std::string chain_id = "test-chain";
  std::uint64_t height = 40;
  contracts::Params params;
  std::map<std::string, contracts::Account> accounts;        // by key hex
  std::map<std::string, contracts::PatentView> patents;      // by patent no
  std::map<std::string, contracts::Pledge> pledges;          // by id
  std::map<std::string, contracts::Organisation> orgs;       // by id (also GET /v1/orgs?kind=)
  std::map<std::string, contracts::PoolView> pools;          // by pool id
  // GET /v1/pools/{id}/preview: by "<pool id>/<YYYY-MM-DD>", with "/no-draw"
  // appended for ?no_shortfall_draw=true. A date not listed is refused with
  // `preview_refusal` (HTTP 409), as the node refuses a pool not issued.
  std::map<std::string, contracts::PoolStatement> previews;
  std::string preview_refusal = "TRANCHE_NOT_ISSUED";
  std::map<std::string, contracts::PoolStatement> statements;  // by "<pool id>/<YYYY-MM-DD>"
  std::map<std::string, contracts::HoldingList> holdings;      // by investor org
  contracts::ValidatorSet validators;                          // GET /v1/validators
  contracts::Genesis genesis;
  // The receipt a submitted transaction gets (code "OK" by default).
  ledger::Receipt receipt;
  // An admission refusal instead: HTTP status and error code ("" = admit).
  int refuse_status = 0;
  std::string refuse_code;
  std::vector<ledger::Transaction> submitted;
  std::vector<std::string> requests;  // "GET /v1/status", ...
  std::vector<std::string> targets;   // the same with their query strings
  // Who each request was sent as: "anonymous", "key:<public key hex>" (a
  // signed request; the chain id it signs for in `signed_chains`) or
  // "bearer:<token>".
  std::vector<std::string> auth;
  std::vector<std::string> signed_chains;

  // POST /v1/auth/token: a signed request gets "token<N>" for the account of
  // its key (404 ROUTE_NOT_FOUND when !issue_tokens, as an older node),
  // expiring `token_life_ms` after `now_ms`.
  bool issue_tokens = true;
  std::uint64_t now_ms = 0;
  std::uint64_t token_life_ms = 15 * 60 * 1000;
  int tokens_issued = 0;
  // Answers that replace the fake's own, by "METHOD /path" (no query): the
  // HTTP status and the exact body (an access refusal, a trimmed record).
  std::map<std::string, std::pair<int, std::string>> canned;

  // Adds an account with one role.
  void AddAccount(const ledger::SecretKey& key, const std::string& org, contracts::Role role);
};

// A fake node with the default chain parameters (window 3600 blocks).
std::shared_ptr<FakeNodeState> MakeFakeNode();

struct WalletRun {
  int code = -1;
  std::string out;
  std::string err;
};

class WalletHarness {
 public:
  WalletHarness();

  const std::string& home() const { return dir_.path(); }
  std::string Path(const std::string& name) const { return dir_.Sub(name); }

  // Runs `pledger-wallet args...` with --home pointing at this harness.
  WalletRun Run(std::vector<std::string> args);

  // Environment seen by the wallet (PW holds the test passphrase).
  std::map<std::string, std::string> env;
  // Set to give the wallet a node; unset, every connection is unreachable.
  std::shared_ptr<FakeNodeState> node;
  // The wallet's clock (Unix ms): noon CST of WalletToday(), unless moved.
  std::uint64_t now_ms;

  // Imports `key` under `name` with passphrase $PW, through `key import`
  // of a PEM file as pledger-admin writes them.
  void ImportKey(const std::string& name, const ledger::SecretKey& key);

 private:
  TempDir dir_;
};

// Offline drafts in the transaction-building tests: `Offline` adds the flags
// that fix chain id, nonce and expiry and write an unsigned file to `out`;
// `Body` is the body such a draft must hold; `ReadTxFile` parses the file.
ledger::TxBody Body(const contracts::Action& a, std::uint64_t expiry = 100);
std::vector<std::string> Offline(std::vector<std::string> args, const std::string& out);
tools::TxFile ReadTxFile(const std::string& path);

}  // namespace pledger::test

#endif  // PLEDGER_TESTS_UNIT_TOOLS_WALLET_HARNESS_H_
