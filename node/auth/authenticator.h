// RequestAuthenticator: who is asking. Checks an API request's Authorization
// header (a signed request or a bearer token, ledger/io/request_auth.h) and
// answers with the on-chain account behind it, or with the reason it cannot.
// It decides identity only: which routes need it and what each reader may see
// is the read policy's business (node/api/access.h; docs/api.md, "Who may read what").
//
// Checks, in this order, each with its stable reason (all Unauthenticated,
// HTTP 401, except AUTH_BUSY):
//   no Authorization header ............................. AUTH_MISSING
//   header or token not exactly as specified ............ AUTH_MALFORMED
//   ts more than kAuthClockSkewMs from the node's clock,
//     or a token past expires_ms / issued in the future . AUTH_EXPIRED
//   signature wrong (anything signed differs, another
//     chain id), token issuer not a validator now ....... AUTH_SIGNATURE_INVALID
//   key not an account on chain ......................... AUTH_UNKNOWN_ACCOUNT
//   account suspended, key retired by rotation, or its
//     organisation removed .............................. AUTH_SUSPENDED
//   (signed requests) nonce seen within the window ...... AUTH_REPLAYED
//   (signed requests) nonce cache full .................. AUTH_BUSY (ResourceExhausted, 503)
// The signature is checked before the account is looked up, so an
// unauthenticated caller learns nothing about which keys are accounts; the
// nonce is recorded last, so only authenticated requests take cache room.
// The account is looked up on every request, token or not: a suspension
// takes effect from the block that records it.
//
// Tokens (token.h): MintToken signs with this node's key; VerifyToken accepts
// a token of any node whose id the validator-key source knows now, so a
// client may take its token to any node of the consortium, and a removed
// validator's tokens stop working with its removal.
//
// Thread safety: Authenticate, MintToken and VerifyToken may be called from
// any number of threads at once (the nonce cache takes its own lock); the
// AccountDirectory and the validator-key source must be thread-safe too.
// Nothing here logs, and no message carries a key's secret part.
#ifndef PLEDGER_NODE_AUTH_AUTHENTICATOR_H_
#define PLEDGER_NODE_AUTH_AUTHENTICATOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/status.h"
#include "ledger/crypto.h"
#include "ledger/io/clock.h"
#include "ledger/io/http_message.h"
#include "ledger/io/request_auth.h"
#include "ledger/io/sync.h"
#include "ledger/proto/contract_types.pb.h"
#include "node/auth/nonce_cache.h"
#include "node/limits.h"

namespace pledger::node {

// What the chain says about an account key, as of the last applied block.
struct AccountInfo {
  bool exists = false;
  bool suspended = false;
  bool retired = false;  // the key was rotated away (AccountRotateKey)
  std::string org_id;
  bool org_removed = false;
  std::vector<contracts::Role> roles;
};

// The node implements this over its state (contracts queries); tests over a map.
// Thread-safe: called from the API thread and the work pool at once.
class AccountDirectory {
 public:
  virtual ~AccountDirectory() = default;
  // exists = false for a key the chain does not know. An error only when the
  // node cannot read its own state (it becomes the answer: 500).
  virtual Result<AccountInfo> LookupAccount(const ledger::PublicKey& key) const = 0;
};

// A validator's keys as the validator set stands now (voters and learners).
// After a key rotation the previous key still verifies the tokens it signed
// that say they were issued before the rotating block's time: tokens live at
// most kAuthTokenLifetimeMs, so the old key's tokens are gone that long after
// the rotation, and a client holding one is not refused because of it.
struct IssuerKeys {
  ledger::PublicKey current{};
  std::optional<ledger::PublicKey> previous;
  std::uint64_t previous_until_ms = 0;  // the rotating block's ledger time; 0: previous never
};
// nullopt for a node id not in the set. Thread-safe.
using ValidatorKeySource = std::function<std::optional<IssuerKeys>(std::string_view node_id)>;

// Who is asking: the account and what the chain says of it.
struct AuthenticatedReader {
  enum class Via { kSignature, kToken };
  ledger::PublicKey account_key{};
  std::string org_id;
  std::vector<contracts::Role> roles;
  Via via = Via::kSignature;
  // Via::kToken only: the node that issued it and when it expires.
  std::string token_issuer;
  std::uint64_t token_expires_ms = 0;

  bool HasRole(contracts::Role role) const;
  std::string account_hex() const;
};

struct AuthenticatorOptions {
  std::string chain_id;
  const io::Clock* clock = nullptr;              // required
  const AccountDirectory* accounts = nullptr;    // required
  ValidatorKeySource validator_keys;             // required for tokens
  // This node, as the issuer of the tokens it mints: the node key in force
  // now (a rotation replaces it, and the tokens signed with the old one stop
  // verifying when the rotation's block applies). Without a key the node
  // mints none (MintToken: AUTH_TOKENS_UNAVAILABLE) but still verifies others'.
  // Called on API and worker threads: must be thread-safe.
  std::string node_id;
  std::function<std::shared_ptr<const ledger::SecretKey>()> node_key;
  std::size_t nonce_cache_max = limits::kAuthNonceCacheMax;
};

class RequestAuthenticator {
 public:
  explicit RequestAuthenticator(AuthenticatorOptions options);
  RequestAuthenticator(const RequestAuthenticator&) = delete;
  RequestAuthenticator& operator=(const RequestAuthenticator&) = delete;

  // Reads the `authorization` header (lower-cased name, as http_server
  // stores it), the method, the target as sent and the body, and the clock
  // once. Verifies an Ed25519 signature: call it from the work pool.
  Result<AuthenticatedReader> Authenticate(const io::HttpRequest& req);

  // The same answer as Authenticate when it needs no signature check: a
  // bearer token whose issuer signature was already verified (every check
  // but that one runs). nullopt when a verification is needed: call
  // Authenticate on the work pool. Cheap enough for the API thread.
  std::optional<Result<AuthenticatedReader>> AuthenticateKnownToken(const io::HttpRequest& req) const;

  // A bearer token for `reader`, valid kAuthTokenLifetimeMs from now_ms.
  // Only for a reader authenticated by a signed request (a token does not
  // extend itself): AUTH_SIGNATURE_REQUIRED otherwise.
  Result<std::string> MintToken(const AuthenticatedReader& reader, std::uint64_t now_ms) const;

  // Checks a token (layout, times, issuer's signature over this chain id)
  // and looks its account up now.
  Result<AuthenticatedReader> VerifyToken(std::string_view token, std::uint64_t now_ms) const;

  const NonceCache& nonce_cache() const { return nonces_; }
  // Tokens whose issuer signature was verified (tests read the count).
  std::size_t verified_tokens() const;

 private:
  Result<AuthenticatedReader> CheckAccount(const ledger::PublicKey& key) const;
  // VerifyToken; with `verify` false, sets *unverified (and answers nothing
  // meaningful) instead of verifying a signature not seen before.
  Result<AuthenticatedReader> CheckToken(std::string_view token, std::uint64_t now_ms, bool verify,
                                         bool* unverified) const;

  const AuthenticatorOptions options_;
  NonceCache nonces_;
  // A token is sent with every request of a session; its issuer's signature
  // is checked once, then remembered by the token's exact text (the whole
  // text: a signature paired with another payload is another key) with the
  // issuer key it verified under, until it expires. A hit still checks
  // expiry, that the issuer's key in force is the same one, and the account.
  struct VerifiedToken {
    ledger::PublicKey issuer_key{};
    std::uint64_t expires_ms = 0;
  };
  mutable io::Mutex tokens_mu_;
  mutable std::map<std::string, VerifiedToken> verified_tokens_ GUARDED_BY(tokens_mu_);
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_AUTH_AUTHENTICATOR_H_
