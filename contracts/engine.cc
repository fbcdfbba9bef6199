#include "contracts/engine.h"

#include <algorithm>
#include <map>
#include <set>

#include "contracts/codes.h"
#include "contracts/encode.h"
#include "contracts/internal/context.h"
#include "contracts/internal/pools.h"
#include "contracts/internal/validate.h"
#include "contracts/state_keys.h"
#include "ledger/tx.h"

namespace pledger::contracts {
namespace {

using internal::BlockState;
using internal::Signer;
using internal::TxContext;

std::string HexId(const ledger::Hash256& id) { return ledger::HexEncode(ledger::ByteSpan(id)); }

// Chain, expiry window and replay: the part of admission that execution
// repeats. `params` may be null when the parameters cannot be read.
Status CheckEnvelope(const ledger::TxBody& body, std::string_view chain_id, std::uint64_t height,
                     const Params& params) {
  if (body.chain_id() != chain_id) {
    return Fail("TX_WRONG_CHAIN", "transaction is for chain " + internal::Quote(body.chain_id()) + ", this is " +
                                      std::string(chain_id) + "; rebuild it with the right chain id");
  }
  if (body.expiry_height() < height) {
    return Fail("TX_EXPIRED", "transaction expired at height " + std::to_string(body.expiry_height()) +
                                  " before block " + std::to_string(height) + "; rebuild it with a later expiry");
  }
  if (body.expiry_height() - height > params.max_expiry_window()) {
    return Fail("TX_EXPIRY_TOO_FAR", "expiry_height may be at most " + std::to_string(params.max_expiry_window()) +
                                         " blocks ahead (height " + std::to_string(height) + "); choose a nearer expiry");
  }
  if (!body.has_action() || body.action().kind_case() == Action::KIND_NOT_SET) {
    return Fail("ACTION_MISSING", "the transaction carries no action");
  }
  return Status::OK();
}

// Accounts resolved earlier in the block, by key. Cleared whenever an accepted
// transaction writes any account or organisation record (an organisation's
// removal silences its accounts), so it never serves a stale signer.
using SignerCache = std::map<ledger::PublicKey, Signer>;

// Resolves verified signer keys to active accounts.
// With a cache, *out (if given) gets pointers to the cache's entries: they
// stay valid until the cache is cleared (between transactions).
// `org_of(org_id, &org)` gives the parsed organisation record, nullptr if
// there is none (Corruption if it does not parse).
template <typename GetFn, typename OrgFn>
Status ResolveSigners(const std::vector<ledger::PublicKey>& keys_in, GetFn&& get, OrgFn&& org_of,
                      std::vector<const Signer*>* out, SignerCache* cache = nullptr) {
  for (const ledger::PublicKey& k : keys_in) {
    if (cache != nullptr) {
      if (auto it = cache->find(k); it != cache->end()) {
        if (out) out->push_back(&it->second);
        continue;
      }
    }
    Signer s;
    s.key_hex = ledger::HexEncode(ledger::ByteSpan(k));
    const std::string* raw = nullptr;
    PLEDGER_RETURN_IF_ERROR(get(keys::Account(s.key_hex), &raw));
    if (raw == nullptr) {
      return Fail("SIGNER_UNKNOWN", "signer " + s.key_hex.substr(0, 16) +
                                        "… is not an account on this ledger; ask the IP offices to add it");
    }
    if (!s.account.ParseFromString(*raw)) {
      return Status::Corruption("STATE_RECORD_CORRUPT", "account record of " + s.key_hex + " does not parse");
    }
    if (s.account.suspended() || !s.account.rotated_to_hex().empty()) {
      return Fail("SIGNER_SUSPENDED", "signer " + s.key_hex.substr(0, 16) + "… is suspended or retired; " +
                                          "sign with an active account");
    }
    // An account outlives its organisation's removal (the record stays for
    // history), so the organisation is what decides whether it still signs.
    const Organisation* org = nullptr;
    PLEDGER_RETURN_IF_ERROR(org_of(s.account.org_id(), &org));
    if (org != nullptr && org->removed()) {
      return Fail("ACCOUNT_ORG_REMOVED", "signer " + s.key_hex.substr(0, 16) + "… belongs to " +
                                             s.account.org_id() + ", removed at height " +
                                             std::to_string(org->removed_height()) +
                                             "; its accounts sign nothing: drop this signature");
    }
    if (cache != nullptr) {
      const Signer* kept = &cache->emplace(k, std::move(s)).first->second;
      if (out) out->push_back(kept);
    }
  }
  return Status::OK();
}

Status OrgParseError(std::string_view org_id) {
  return Status::Corruption("STATE_RECORD_CORRUPT", "organisation record of " + std::string(org_id) +
                                                        " does not parse");
}

Status Dispatch(TxContext& c, const Action& a) {
  using namespace internal;  // NOLINT: the handler names
  switch (a.kind_case()) {
    case Action::kNoop:
      return Fail("ACTION_NOT_SUPPORTED", "Noop does nothing and is not accepted; send a real action");
    case Action::kOrgAdd: return ExecOrgAdd(c, a.org_add());
    case Action::kAccountAdd: return ExecAccountAdd(c, a.account_add());
    case Action::kAccountSuspend: return ExecAccountSuspend(c, a.account_suspend());
    case Action::kAccountRotateKey: return ExecAccountRotateKey(c, a.account_rotate_key());
    case Action::kRoleGrant: return ExecRoleGrant(c, a.role_grant());
    case Action::kRoleRevoke: return ExecRoleRevoke(c, a.role_revoke());
    case Action::kParamsSet: return ExecParamsSet(c, a.params_set());
    case Action::kValidatorAdd: return ExecValidatorAdd(c, a.validator_add());
    case Action::kValidatorPromote: return ExecValidatorPromote(c, a.validator_promote());
    case Action::kValidatorRemove: return ExecValidatorRemove(c, a.validator_remove());
    case Action::kOrgReplicaGrant: return ExecOrgReplicaGrant(c, a.org_replica_grant());
    case Action::kOrgRemove: return ExecOrgRemove(c, a.org_remove());
    case Action::kValidatorRotateKey: return ExecValidatorRotateKey(c, a.validator_rotate_key());
    case Action::kOrgTlsRootsSet: return ExecOrgTlsRootsSet(c, a.org_tls_roots_set());
    case Action::kBankPolicySet: return ExecBankPolicySet(c, a.bank_policy_set());
    case Action::kPatentRegister: return ExecPatentRegister(c, a.patent_register());
    case Action::kPatentStatus: return ExecPatentStatus(c, a.patent_status());
    case Action::kPatentAssign: return ExecPatentAssign(c, a.patent_assign());
    case Action::kLicenceFile: return ExecLicenceFile(c, a.licence_file());
    case Action::kValuationRecord: return ExecValuationRecord(c, a.valuation_record());
    case Action::kPledgeRegister: return ExecPledgeRegister(c, a.pledge_register());
    case Action::kPledgeChange: return ExecPledgeChange(c, a.pledge_change());
    case Action::kLoanAccrue: return ExecLoanAccrue(c, a.loan_accrue());
    case Action::kLoanRepay: return ExecLoanRepay(c, a.loan_repay());
    case Action::kLoanRenew: return ExecLoanRenew(c, a.loan_renew());
    case Action::kLoanClassify: return ExecLoanClassify(c, a.loan_classify());
    case Action::kPledgeCancel: return ExecPledgeCancel(c, a.pledge_cancel());
    case Action::kPledgeEnforce: return ExecPledgeEnforce(c, a.pledge_enforce());
    case Action::kPoolCreate: return ExecPoolCreate(c, a.pool_create());
    case Action::kPoolAdmitPatents: return ExecPoolAdmitPatents(c, a.pool_admit_patents());
    case Action::kPoolAdmitPledges: return ExecPoolAdmitPledges(c, a.pool_admit_pledges());
    case Action::kPoolRemove: return ExecPoolRemove(c, a.pool_remove());
    case Action::kTrancheIssue: return ExecTrancheIssue(c, a.tranche_issue());
    case Action::kHoldingTransfer: return ExecHoldingTransfer(c, a.holding_transfer());
    case Action::kPoolCollect: return ExecPoolCollect(c, a.pool_collect());
    case Action::kPoolPay: return ExecPoolPay(c, a.pool_pay());
    case Action::kPoolTrigger: return ExecPoolTrigger(c, a.pool_trigger());
    case Action::kPoolWindDown: return ExecPoolWindDown(c, a.pool_wind_down());
    case Action::KIND_NOT_SET:
      break;
  }
  return Fail("ACTION_MISSING", "the transaction carries no action");
}

void Reject(ledger::Receipt* r, const Status& s) {
  r->set_code(std::string(s.reason()));
  r->set_message(std::string(s.message()));
  r->set_rule(std::string(RuleOf(s.reason())));
}

}  // namespace

std::string ObjectIdFromTxId(const ledger::Hash256& tx_id) {
  return ledger::HexEncode(ledger::ByteSpan(tx_id.data(), 16));
}

PreparedTx PrepareTx(std::string_view raw) {
  PreparedTx p;
  p.raw.assign(raw);
  auto tx = ledger::DecodeTransaction(raw);
  if (!tx.ok()) {
    p.id = ledger::TxIdOfBytes(raw);  // the id the block store indexes these bytes under
    p.status = tx.status();
    return p;
  }
  p.tx = std::move(*tx);
  p.id = ledger::TxId(p.tx);
  auto body = ledger::DecodeTxBody(p.tx.body());
  if (!body.ok()) {
    p.status = body.status();
    return p;
  }
  p.body = std::move(*body);
  p.status = ledger::VerifyTxSignatures(p.tx);
  if (p.status.ok()) p.signers = ledger::TxSigners(p.tx);
  return p;
}

std::vector<const PreparedTx*> PointersTo(std::span<const PreparedTx> txs) {
  std::vector<const PreparedTx*> out;
  out.reserve(txs.size());
  for (const PreparedTx& p : txs) out.push_back(&p);
  return out;
}

BlockOutcome Engine::ExecuteBlock(const ledger::StateReader& committed, const BlockContext& ctx,
                                  std::span<const PreparedTx> txs) const {
  return ExecuteBlock(committed, ctx, std::span<const PreparedTx* const>(PointersTo(txs)));
}

BlockOutcome Engine::ExecuteBlock(const ledger::StateReader& committed, const BlockContext& ctx,
                                  std::span<const PreparedTx* const> txs) const {
  BlockOutcome out;
  BlockState bs(committed);
  out.txs.reserve(txs.size());
  out.receipts.reserve(txs.size());
  SignerCache signer_cache;
  // Replay across blocks is the chain's rule (contracts/replay.h: the executor
  // refuses a transaction the tx index already holds before the contracts
  // run). Within the block being executed only the engine sees the repeat.
  std::set<ledger::Hash256> ids_in_block;

  for (std::uint32_t i = 0; i < txs.size(); ++i) {
    const PreparedTx& p = *txs[i];
    const bool repeated = !ids_in_block.insert(p.id).second;
    TxOutcome o;
    ledger::Receipt& r = o.receipt;
    r.set_tx_id(std::string(ledger::AsStringView(ledger::ByteSpan(p.id))));
    if (!p.status.ok()) {
      Reject(&r, p.status);
    } else {
      TxContext c(&bs, ctx, i, p.id);
      Status s;
      const Params* params = nullptr;
      s = c.LoadParams(&params);
      if (s.ok()) s = CheckEnvelope(p.body, ctx.chain_id, ctx.height, *params);
      if (s.ok() && repeated) {
        s = Fail("TX_REPLAYED", "transaction " + HexId(p.id).substr(0, 16) +
                                    "… appears earlier in this block; build a new one (another nonce) to repeat it");
      }
      std::vector<const Signer*> signers;
      if (s.ok()) {
        // Organisations through the block's parsed cache (internal::ReadOrgRef
        // shares it): the transaction has written nothing yet, so the cache
        // holds exactly what it would read.
        auto org_of = [&](std::string_view org_id, const Organisation** org) -> Status {
          *org = nullptr;
          auto& orgs = bs.org_cache();
          if (auto it = orgs.find(org_id); it != orgs.end()) {
            *org = &it->second;
            return Status::OK();
          }
          const std::string* raw = nullptr;
          PLEDGER_RETURN_IF_ERROR(c.FindRaw(keys::Org(org_id), &raw));
          if (raw == nullptr) return Status::OK();
          auto it = orgs.try_emplace(std::string(org_id)).first;
          if (!it->second.ParseFromString(*raw)) {
            orgs.erase(it);
            return OrgParseError(org_id);
          }
          *org = &it->second;
          return Status::OK();
        };
        s = ResolveSigners(p.signers, [&](std::string_view k, const std::string** v) { return c.FindRaw(k, v); },
                           org_of, &signers, &signer_cache);
        if (!s.ok() && s.code() == StatusCode::kCorruption) (void)c.Fatal(s);
      }
      for (const Signer* sg : signers) c.Touch(keys::Account(sg->key_hex));
      if (s.ok()) {
        c.SetSigners(std::move(signers));
        s = Dispatch(c, p.body.action());
      }
      if (!c.fatal().ok()) {
        out.status = c.fatal();
        return out;
      }
      if (s.ok()) {
        ledger::WriteSet writes = c.state().TakeWrites();
        for (std::string_view prefix : {std::string_view("account/"), std::string_view("org/")}) {
          auto it = writes.lower_bound(prefix);
          if (it != writes.end() && it->first.rfind(prefix, 0) == 0) signer_cache.clear();
        }
        bs.Apply(std::move(writes));
        r.set_code("OK");
        r.mutable_events()->Swap(&c.events());  // r has no events yet
      } else {
        Reject(&r, s);
        for (const auto& g : c.grounds()) {
          std::string rule(RuleOf(g.code));
          r.add_grounds(g.code + (rule.empty() ? "" : " (" + rule + ")") + ": " + g.message);
        }
      }
      o.touched = c.TakeTouched();
    }
    out.receipts.push_back(EncodeRecord(r));  // == SerializeCanonical, see encode.h
    out.txs.push_back(std::move(o));
  }
  out.writes = bs.TakePending();
  return out;
}

Status CheckAdmission(const ledger::StateReader& committed, const PreparedTx& tx, std::uint64_t next_height) {
  PLEDGER_RETURN_IF_ERROR(tx.status);
  auto chain = committed.Get(keys::kChain);
  if (!chain.ok()) return std::move(chain).TakeStatus();
  auto raw_params = committed.Get(keys::kParams);
  if (!raw_params.ok()) return std::move(raw_params).TakeStatus();
  Params params;
  if (!chain->has_value() || !raw_params->has_value() || !params.ParseFromString(**raw_params)) {
    return Status::FailedPrecondition("STATE_PARAMS_MISSING", "the node has no genesis state yet");
  }
  PLEDGER_RETURN_IF_ERROR(CheckEnvelope(tx.body, **chain, next_height, params));
  std::optional<std::string> held;  // the value *v points at, until the next read
  auto get = [&](std::string_view k, const std::string** v) -> Status {
    auto r = committed.Get(k);
    if (!r.ok()) return std::move(r).TakeStatus();
    held = std::move(*r);
    *v = held ? &*held : nullptr;
    return Status::OK();
  };
  Organisation org_read;
  auto org_of = [&](std::string_view org_id, const Organisation** org) -> Status {
    *org = nullptr;
    const std::string* raw = nullptr;
    PLEDGER_RETURN_IF_ERROR(get(keys::Org(org_id), &raw));
    if (raw == nullptr) return Status::OK();
    if (!org_read.ParseFromString(*raw)) return OrgParseError(org_id);
    *org = &org_read;
    return Status::OK();
  };
  return ResolveSigners(tx.signers, get, org_of, nullptr);
}

}  // namespace pledger::contracts
