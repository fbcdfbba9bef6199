#include "node/auth/authenticator.h"

#include <algorithm>
#include <utility>

#include "ledger/bytes.h"
#include "node/auth/token.h"

namespace pledger::node {
namespace {

constexpr std::string_view kSignHint =
    " (docs/api.md, \"Access\")";

Status Unauth(std::string_view reason, std::string message) {
  message += kSignHint;
  return Status::Unauthenticated(reason, message);
}

std::string Ms(std::uint64_t v) { return std::to_string(v) + " ms"; }

}  // namespace

bool AuthenticatedReader::HasRole(contracts::Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string AuthenticatedReader::account_hex() const {
  return ledger::HexEncode(ledger::ByteSpan(account_key));
}

RequestAuthenticator::RequestAuthenticator(AuthenticatorOptions options)
    : options_(std::move(options)), nonces_(options_.nonce_cache_max) {}

Result<AuthenticatedReader> RequestAuthenticator::CheckAccount(const ledger::PublicKey& key) const {
  PLEDGER_ASSIGN_OR_RETURN(AccountInfo info, options_.accounts->LookupAccount(key));
  const std::string hex = ledger::HexEncode(ledger::ByteSpan(key));
  if (!info.exists) {
    return Unauth("AUTH_UNKNOWN_ACCOUNT",
                  "key " + hex + " is not an account on this chain: ask your organisation's "
                  "administrator to register it (AccountAdd), or sign with a registered key");
  }
  if (info.retired) {
    return Unauth("AUTH_SUSPENDED", "key " + hex + " was retired by a key rotation: sign with the "
                                    "account's new key");
  }
  if (info.suspended) {
    return Unauth("AUTH_SUSPENDED", "account " + hex + " is suspended on chain: ask the IP office "
                                    "to reinstate it, or sign with another account");
  }
  if (info.org_removed) {
    return Unauth("AUTH_SUSPENDED", "the organisation " + info.org_id + " of account " + hex +
                                    " was removed from the consortium");
  }
  AuthenticatedReader r;
  r.account_key = key;
  r.org_id = std::move(info.org_id);
  r.roles = std::move(info.roles);
  return r;
}

Result<AuthenticatedReader> RequestAuthenticator::Authenticate(const io::HttpRequest& req) {
  auto it = req.headers.find("authorization");
  if (it == req.headers.end()) {
    return Unauth("AUTH_MISSING",
                  "this request carries no Authorization header: sign it with your account key "
                  "(Pledger-Ed25519) or send a bearer token");
  }
  PLEDGER_ASSIGN_OR_RETURN(io::ParsedAuth auth, io::ParseAuthorization(it->second));
  const std::uint64_t now = options_.clock->NowMs();
  if (auth.kind == io::ParsedAuth::Kind::kBearer) return VerifyToken(auth.token, now);

  const std::uint64_t skew = limits::kAuthClockSkewMs;
  if (auth.timestamp_ms + skew < now) {
    return Unauth("AUTH_EXPIRED", "the request's ts is " + Ms(now - auth.timestamp_ms) +
                                      " behind this node's clock (" + std::to_string(now) +
                                      "); at most " + Ms(skew) +
                                      " is accepted: sign each request when you send it, and "
                                      "check your clock");
  }
  if (auth.timestamp_ms > now + skew) {
    return Unauth("AUTH_EXPIRED", "the request's ts is " + Ms(auth.timestamp_ms - now) +
                                      " ahead of this node's clock (" + std::to_string(now) +
                                      "); at most " + Ms(skew) + " is accepted: check your clock");
  }
  io::RequestAuthFields f;
  f.chain_id = options_.chain_id;
  f.method = req.method;
  f.target = req.target;
  f.body = req.body;
  f.timestamp_ms = auth.timestamp_ms;
  f.nonce = auth.nonce;
  f.public_key = auth.public_key;
  const std::string signed_bytes = io::RequestSigningBytes(f);
  if (!ledger::Verify(auth.public_key, ledger::AsBytes(signed_bytes), auth.signature)) {
    return Unauth("AUTH_SIGNATURE_INVALID",
                  "the signature does not match this request on chain " + options_.chain_id +
                      ": sign the chain id, the method, the target exactly as sent (path and "
                      "query), SHA-256 of the exact body, ts, nonce and key");
  }
  PLEDGER_ASSIGN_OR_RETURN(AuthenticatedReader reader, CheckAccount(auth.public_key));
  switch (nonces_.Insert(auth.public_key, auth.nonce, auth.timestamp_ms + skew, now)) {
    case NonceCache::Outcome::kFresh:
      break;
    case NonceCache::Outcome::kReplayed:
      return Unauth("AUTH_REPLAYED",
                    "this nonce was already used: sign every request with a fresh random nonce");
    case NonceCache::Outcome::kFull:
      return Status::ResourceExhausted(
          "AUTH_BUSY", "this node is tracking as many signed requests as it can; retry in a few "
                       "seconds, or use a bearer token, which needs no nonce");
  }
  reader.via = AuthenticatedReader::Via::kSignature;
  return reader;
}

Result<std::string> RequestAuthenticator::MintToken(const AuthenticatedReader& reader,
                                                    std::uint64_t now_ms) const {
  std::shared_ptr<const ledger::SecretKey> key = options_.node_key ? options_.node_key() : nullptr;
  if (key == nullptr || options_.node_id.empty()) {
    return Status::FailedPrecondition("AUTH_TOKENS_UNAVAILABLE",
                                      "this node issues no tokens; use signed requests");
  }
  if (reader.via != AuthenticatedReader::Via::kSignature) {
    return Unauth("AUTH_SIGNATURE_REQUIRED",
                  "a token is issued only for a signed request, not for another token");
  }
  TokenFields t;
  t.issuer_node_id = options_.node_id;
  t.account_key = reader.account_key;
  t.issued_ms = now_ms;
  t.expires_ms = now_ms + limits::kAuthTokenLifetimeMs;
  return EncodeToken(options_.chain_id, t, *key);
}

Result<AuthenticatedReader> RequestAuthenticator::VerifyToken(std::string_view token,
                                                              std::uint64_t now_ms) const {
  return CheckToken(token, now_ms, /*verify=*/true, nullptr);
}

std::optional<Result<AuthenticatedReader>> RequestAuthenticator::AuthenticateKnownToken(
    const io::HttpRequest& req) const {
  auto it = req.headers.find("authorization");
  if (it == req.headers.end()) return std::nullopt;
  auto auth = io::ParseAuthorization(it->second);
  if (!auth.ok() || auth->kind != io::ParsedAuth::Kind::kBearer) return std::nullopt;
  bool unverified = false;
  auto r = CheckToken(auth->token, options_.clock->NowMs(), /*verify=*/false, &unverified);
  if (unverified) return std::nullopt;
  return r;
}

Result<AuthenticatedReader> RequestAuthenticator::CheckToken(std::string_view token, std::uint64_t now_ms,
                                                             bool verify, bool* unverified) const {
  PLEDGER_ASSIGN_OR_RETURN(DecodedToken d, DecodeToken(token));
  const TokenFields& t = d.fields;
  if (t.expires_ms <= t.issued_ms || t.expires_ms - t.issued_ms > limits::kAuthTokenLifetimeMs) {
    return Unauth("AUTH_MALFORMED", "the token's lifetime is not one this chain issues: ask a "
                                    "node for a new token");
  }
  if (now_ms >= t.expires_ms) {
    return Unauth("AUTH_EXPIRED", "the token expired " + Ms(now_ms - t.expires_ms) +
                                      " ago: ask a node for a new one with a signed request");
  }
  if (t.issued_ms > now_ms + limits::kAuthClockSkewMs) {
    return Unauth("AUTH_EXPIRED", "the token was issued " + Ms(t.issued_ms - now_ms) +
                                      " ahead of this node's clock; its issuer's clock or this "
                                      "node's is wrong: ask for a new token");
  }
  std::optional<IssuerKeys> issuer;
  if (options_.validator_keys) issuer = options_.validator_keys(t.issuer_node_id);
  if (!issuer) {
    return Unauth("AUTH_SIGNATURE_INVALID",
                  "the token's issuer " + t.issuer_node_id +
                      " is not a validator of this chain now: ask a node for a new token");
  }
  // The key that may have signed it: the current one, or (issued before a
  // rotation took effect) the one before.
  std::vector<ledger::PublicKey> candidates{issuer->current};
  if (issuer->previous && t.issued_ms < issuer->previous_until_ms) candidates.push_back(*issuer->previous);
  bool known = false;
  {
    io::MutexLock lock(&tokens_mu_);
    auto hit = verified_tokens_.find(std::string(token));
    known = hit != verified_tokens_.end() &&
            std::find(candidates.begin(), candidates.end(), hit->second.issuer_key) != candidates.end();
  }
  if (!known) {
    if (!verify) {
      *unverified = true;  // the caller verifies on the work pool; this answer is never sent
      return Status::Internal("TOKEN_NOT_VERIFIED", "the token's signature is not checked yet");
    }
    const std::string signing = TokenSigningBytes(options_.chain_id, d.payload);
    const ledger::PublicKey* signer = nullptr;
    for (const auto& k : candidates) {
      if (ledger::Verify(k, ledger::AsBytes(signing), d.signature)) {
        signer = &k;
        break;
      }
    }
    if (signer == nullptr) {
      return Unauth("AUTH_SIGNATURE_INVALID",
                    "the token's signature does not verify for issuer " + t.issuer_node_id +
                        " on chain " + options_.chain_id + ": ask a node of this chain for a token");
    }
    io::MutexLock lock(&tokens_mu_);
    if (verified_tokens_.size() >= limits::kAuthVerifiedTokensMax) {
      std::erase_if(verified_tokens_, [&](const auto& e) { return e.second.expires_ms <= now_ms; });
      // Still full of live tokens: start over rather than grow; they are
      // verified again as they come back.
      if (verified_tokens_.size() >= limits::kAuthVerifiedTokensMax) verified_tokens_.clear();
    }
    verified_tokens_[std::string(token)] = VerifiedToken{*signer, t.expires_ms};
  }
  PLEDGER_ASSIGN_OR_RETURN(AuthenticatedReader reader, CheckAccount(t.account_key));
  reader.via = AuthenticatedReader::Via::kToken;
  reader.token_issuer = t.issuer_node_id;
  reader.token_expires_ms = t.expires_ms;
  return reader;
}

std::size_t RequestAuthenticator::verified_tokens() const {
  io::MutexLock lock(&tokens_mu_);
  return verified_tokens_.size();
}

}  // namespace pledger::node
