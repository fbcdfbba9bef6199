#include "node/api/access.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <array>
#include <initializer_list>

#include "contracts/pool_keys.h"
#include "contracts/queries.h"
#include "contracts/state_keys.h"
#include "ledger/bytes.h"
#include "ledger/io/api_json.h"

namespace pledger::node {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The policy of every route, by id. docs/api.md prints this table; the unit
// test "every route has a policy" walks the route table against it.
constexpr std::array kPolicies{
    RoutePolicy{"node.health", RouteAccess::kPublic, "anyone, even when the node refuses anonymous readers"},
    RoutePolicy{"node.metrics", RouteAccess::kPublic, "anyone: node figures only, nothing per bank or borrower"},
    RoutePolicy{"node.status", RouteAccess::kPublic, "anyone"},
    RoutePolicy{"node.genesis", RouteAccess::kPublic, "anyone: organisations, account keys, validators, parameters"},
    RoutePolicy{"auth.token", RouteAccess::kSigned, "an account, by a signed request"},
    RoutePolicy{"auth.whoami", RouteAccess::kPublic, "anyone: says who the node takes the reader for"},
    RoutePolicy{"txs.submit", RouteAccess::kPublic, "anyone: a transaction carries its own signatures"},
    RoutePolicy{"txs.batch", RouteAccess::kPublic,
                "anyone: each transaction carries its own signatures (as txs.submit)"},
    RoutePolicy{"txs.simulate", RouteAccess::kScoped,
                "its signers, the parties it needs and full readers: the receipt only; others refused"},
    RoutePolicy{"txs.get", RouteAccess::kScoped, "signers and full readers in full; others its place, gazetted action, result"},
    RoutePolicy{"blocks.list", RouteAccess::kPublic, "anyone: headers, transaction ids, attestations"},
    RoutePolicy{"blocks.get", RouteAccess::kPublic, "anyone: header, transaction ids, attestations"},
    RoutePolicy{"blocks.attestations", RouteAccess::kPublic, "anyone: validators' signatures over headers"},
    RoutePolicy{"raw.blocks", RouteAccess::kFull, "IP offices, auditors, regulators"},
    RoutePolicy{"history.entity", RouteAccess::kScoped, "parties and full readers in full; others gazetted actions"},
    RoutePolicy{"patents.get", RouteAccess::kScoped, "anyone the register; licence terms, pledge terms, valuations to parties"},
    RoutePolicy{"patents.history", RouteAccess::kScoped, "as history.entity"},
    RoutePolicy{"pledges.get", RouteAccess::kScoped, "parties and full readers in full; others the gazette fields"},
    RoutePolicy{"pledges.list", RouteAccess::kScoped, "each pledge as pledges.get"},
    RoutePolicy{"valuations.get", RouteAccess::kScoped, "appraiser, owners, lending banks, full readers; others refused"},
    RoutePolicy{"accounts.get", RouteAccess::kPublic, "anyone: key, organisation, roles, suspension"},
    RoutePolicy{"orgs.list", RouteAccess::kPublic, "anyone: names, kinds, addresses, a bank's published lending policy"},
    RoutePolicy{"orgs.get", RouteAccess::kPublic, "as orgs.list"},
    RoutePolicy{"orgs.lending", RouteAccess::kScoped, "the bank itself and full readers; others refused"},
    RoutePolicy{"pools.list", RouteAccess::kScoped, "trustee and full readers in full; others the gazette fields"},
    RoutePolicy{"pools.get", RouteAccess::kScoped, "trustee, guarantor, full readers in full; investors their holdings; others gazette"},
    RoutePolicy{"pools.statement", RouteAccess::kScoped, "trustee, guarantor, full readers; investors their payments; others refused"},
    RoutePolicy{"pools.preview", RouteAccess::kScoped, "trustee, guarantor, full readers; others refused"},
    RoutePolicy{"holdings.list", RouteAccess::kScoped, "the investor and full readers; others refused"},
    RoutePolicy{"validators.list", RouteAccess::kPublic, "anyone"},
    RoutePolicy{"params.get", RouteAccess::kPublic, "anyone"},
    RoutePolicy{"stats.pledges", RouteAccess::kScoped, "full readers every bank; a bank its own figures; others refused"},
    RoutePolicy{"stats.outstanding", RouteAccess::kScoped, "as stats.pledges"},
    RoutePolicy{"stats.borrowers", RouteAccess::kScoped, "as stats.pledges"},
    RoutePolicy{"stats.renewals", RouteAccess::kScoped, "as stats.pledges"},
    RoutePolicy{"stats.distributions", RouteAccess::kScoped, "as stats.pledges"},
    RoutePolicy{"stats.cautions", RouteAccess::kScoped, "as stats.pledges"},
    RoutePolicy{"stats.valuations", RouteAccess::kScoped, "full readers every appraiser; an appraiser its own; others refused"},
    RoutePolicy{"explorer.index", RouteAccess::kPublic, "anyone, even when the node refuses anonymous readers: no data"},
    RoutePolicy{"explorer.assets", RouteAccess::kPublic, "as explorer.index"},
};

// Action names whose existence the register announces (R10: registration,
// change, cancellation; the patent register's own entries; governance).
// Anything else, including any action added later, is withheld from
// non-parties until listed here.
constexpr std::array<std::string_view, 23> kGazetteActions{
    "noop",           "org_add",           "account_add",       "account_suspend",   "account_rotate_key",
    "role_grant",     "role_revoke",       "params_set",        "validator_add",     "validator_promote",
    "validator_remove", "org_replica_grant", "org_remove",      "validator_rotate_key", "org_tls_roots_set",
    "patent_register",   "patent_status",
    "patent_assign",  "licence_file",      "pledge_register",   "pledge_change",     "pledge_cancel",
    "pool_create",
};

// The gazette fields of each record (R10; docs/api.md "Who may read what").
constexpr std::array<std::string_view, 9> kPledgeGazette{
    "id", "state", "pledgee_org_id", "pledgor_org_ids", "patent_nos", "reg_date", "reg_height", "reg_index",
    "cancel_date"};
constexpr std::array<std::string_view, 8> kLicenceGazette{
    "id", "licensee_org_id", "type", "sublicence", "territory", "start_date", "end_date", "filed_date"};
constexpr std::array<std::string_view, 10> kPoolGazette{
    "id", "name", "trustee_org_id", "model", "state", "created_date", "created_height", "legal_maturity_date",
    "issue_date", "wound_down_date"};
constexpr std::array<std::string_view, 5> kPoolMemberGazette{"pool_id", "ref", "kind", "state", "admitted_date"};

std::string Join(std::string_view path, std::string_view field) {
  if (path.empty()) return std::string(field);
  std::string s(path);
  s += '.';
  s += field;
  return s;
}

// Clears every field of `m` not in `keep` and names each in `out` (set or
// not: which fields were zero is itself information).
template <size_t N>
void KeepOnly(Message* m, const std::array<std::string_view, N>& keep, std::string_view path, Withheld* out) {
  const auto* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (std::find(keep.begin(), keep.end(), f->name()) != keep.end()) continue;
    r->ClearField(m, f);
    out->Add(Join(path, f->name()));
  }
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool OwnsPatent(const Reader& reader, const contracts::Patent& p) {
  for (const auto& o : p.owners()) {
    if (reader.Is(o.org_id())) return true;
  }
  return false;
}

// Reads and parses one state record; nullopt if absent.
template <typename T>
Result<std::optional<T>> ReadRecord(const ledger::StateReader& s, const std::string& key) {
  PLEDGER_ASSIGN_OR_RETURN(auto v, s.Get(key));
  if (!v) return std::optional<T>();
  T msg;
  if (!msg.ParseFromString(*v)) {
    return Status::Corruption("STATE_RECORD_CORRUPT", "state record " + key + " does not parse");
  }
  return std::optional<T>(std::move(msg));
}

Result<bool> IsPartyToPledgeId(const Reader& reader, const ledger::StateReader& s, std::string_view id) {
  PLEDGER_ASSIGN_OR_RETURN(auto p, ReadRecord<contracts::Pledge>(s, contracts::keys::Pledge(id)));
  return p && IsPartyToPledge(reader, *p);
}

Result<bool> IsPartyToPool(const Reader& reader, const ledger::StateReader& s, std::string_view pool_id) {
  PLEDGER_ASSIGN_OR_RETURN(auto p, ReadRecord<contracts::Pool>(s, contracts::keys::Pool(pool_id)));
  return p && IsPoolManager(reader, *p);
}

}  // namespace

// ---------------------------------------------------------------------------
// Readers and routes

bool Reader::HasRole(contracts::Role role) const {
  return !anonymous && std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Reader::full() const {
  return HasRole(contracts::ROLE_IP_OFFICE) || HasRole(contracts::ROLE_AUDITOR) ||
         HasRole(contracts::ROLE_REGULATOR);
}

std::string Reader::Describe() const {
  if (anonymous) return "an anonymous reader";
  std::string hex = ledger::HexEncode(ledger::ByteSpan(key));
  std::string s = "account " + hex.substr(0, 8) + "… of " + org_id + " (";
  for (size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) s += ", ";
    s += contracts::Role_Name(roles[i]);
  }
  return s + ")";
}

std::span<const RoutePolicy> RoutePolicies() { return kPolicies; }

const RoutePolicy* FindRoutePolicy(std::string_view route_id) {
  for (const RoutePolicy& p : kPolicies) {
    if (p.route_id == route_id) return &p;
  }
  return nullptr;
}

Status CheckRouteAccess(const RoutePolicy& policy, const Reader& reader, bool anonymous_allowed) {
  if (reader.anonymous) {
    // The explorer's files hold no ledger data, and a closed node's readers
    // need them to sign in (they send the token with the API calls, which a
    // browser cannot add to a page load).
    if (policy.route_id == "node.health" || policy.route_id == "explorer.index" ||
        policy.route_id == "explorer.assets") {
      return Status::OK();
    }
    if (!anonymous_allowed) {
      return Status::Unauthenticated("AUTH_MISSING",
                                     "this node serves accounts only: sign the request with your account key, "
                                     "or send a token from POST /v1/auth/token (docs/api.md, Access)");
    }
    if (policy.access == RouteAccess::kSigned || policy.access == RouteAccess::kFull) {
      return Status::Unauthenticated("AUTH_MISSING", std::string(policy.route_id) + " is for " +
                                                         std::string(policy.rule) +
                                                         ": sign the request with your account key (docs/api.md, Access)");
    }
    return Status::OK();
  }
  if (policy.access == RouteAccess::kSigned && reader.via_token) {
    return Status::Unauthenticated("AUTH_SIGNATURE_REQUIRED",
                                   std::string(policy.route_id) + " needs a signed request; a token cannot renew itself");
  }
  if (policy.access == RouteAccess::kFull && !reader.full()) {
    return Status::PermissionDenied("READ_FORBIDDEN", std::string(policy.route_id) + " is for " +
                                                          std::string(policy.rule) + "; you read as " +
                                                          reader.Describe());
  }
  return Status::OK();
}

Status Forbidden(const Reader& reader, std::string_view what, std::string_view who) {
  if (reader.anonymous) {
    return Status::Unauthenticated("AUTH_MISSING", std::string(what) + " is visible to " + std::string(who) +
                                                       ": sign the request with such an account's key "
                                                       "(docs/api.md, Access)");
  }
  return Status::PermissionDenied("READ_FORBIDDEN", std::string(what) + " is visible to " + std::string(who) +
                                                        "; you read as " + reader.Describe());
}

// ---------------------------------------------------------------------------
// Pledges and patents

bool IsPartyToPledge(const Reader& reader, const contracts::Pledge& p) {
  if (reader.full()) return true;
  return reader.Is(p.pledgee_org_id()) || reader.Is(p.debtor_org_id()) || reader.Is(p.agency_org_id()) ||
         (!reader.anonymous && Contains(p.pledgor_org_ids(), reader.org_id));
}

void ScopePledge(const Reader& reader, contracts::Pledge* p, std::string_view path, Withheld* out) {
  if (IsPartyToPledge(reader, *p)) return;
  KeepOnly(p, kPledgeGazette, path, out);
}

void ScopePledgeList(const Reader& reader, contracts::PledgeList* list, Withheld* out) {
  for (auto& rp : *list->mutable_pledges()) ScopePledge(reader, rp.mutable_pledge(), "pledges[].pledge", out);
}

void ScopePatent(const Reader& reader, contracts::Patent* p, std::string_view path, Withheld* out) {
  if (reader.full() || OwnsPatent(reader, *p)) return;
  for (auto& l : *p->mutable_licences()) {
    if (reader.Is(l.licensee_org_id())) continue;
    KeepOnly(&l, kLicenceGazette, Join(path, "licences[]"), out);
  }
}

Status ScopePatentView(const Reader& reader, const ledger::StateReader& s, contracts::PatentView* v, Withheld* out) {
  ScopePatent(reader, v->mutable_patent(), "patent", out);
  if (v->has_active_pledge()) ScopePledge(reader, v->mutable_active_pledge(), "active_pledge", out);
  if (reader.full() || OwnsPatent(reader, v->patent())) return Status::OK();
  // Keep the valuations the reader may read; name the others' removal.
  google::protobuf::RepeatedPtrField<contracts::Valuation> kept;
  for (auto& val : *v->mutable_valuations()) {
    PLEDGER_ASSIGN_OR_RETURN(bool ok, MayReadValuation(reader, s, val));
    if (ok) {
      *kept.Add() = std::move(val);
    } else {
      out->Add("valuations[]");
    }
  }
  v->mutable_valuations()->Swap(&kept);
  return Status::OK();
}

Result<bool> MayReadValuation(const Reader& reader, const ledger::StateReader& s, const contracts::Valuation& v) {
  if (reader.anonymous) return false;
  if (reader.full() || reader.Is(v.appraiser_org_id())) return true;
  // Owners of a valued patent, and a bank with a pledge that names this
  // valuation: found through each patent's pledge index (a few entries).
  for (const std::string& no : v.patent_nos()) {
    PLEDGER_ASSIGN_OR_RETURN(auto patent, ReadRecord<contracts::Patent>(s, contracts::keys::Patent(no)));
    if (patent && OwnsPatent(reader, *patent)) return true;
    Status bad;
    bool found = false;
    PLEDGER_RETURN_IF_ERROR(s.Scan(contracts::keys::PatentPledgePrefix(no), [&](std::string_view, std::string_view id) {
      auto p = ReadRecord<contracts::Pledge>(s, contracts::keys::Pledge(id));
      if (!p.ok()) {
        bad = p.status();
        return false;
      }
      if (*p && (*p)->valuation_id() == v.id() && reader.Is((*p)->pledgee_org_id())) found = true;
      return !found;
    }));
    PLEDGER_RETURN_IF_ERROR(bad);
    if (found) return true;
  }
  return false;
}

bool MayReadLending(const Reader& reader, std::string_view bank_org_id) {
  return reader.full() || reader.Is(bank_org_id);
}

// ---------------------------------------------------------------------------
// Statistics

// Market figures are not gazetted (R10): full readers see every series with
// the breakdown; a bank or an appraiser its own series only.
namespace {
Result<StatsScope> ScopeStats(const Reader& reader, std::string_view requested, contracts::Role own_role,
                              std::string_view what) {
  if (reader.full()) return StatsScope{std::string(requested), requested.empty()};
  if (!reader.anonymous && !reader.org_id.empty() && reader.HasRole(own_role)) {
    if (requested.empty() || reader.Is(requested)) return StatsScope{reader.org_id, false};
    return Forbidden(reader, std::string(what) + " of " + std::string(requested),
                     "full readers (IP offices, auditors, regulators) and " + std::string(requested) + " itself");
  }
  return Forbidden(reader, what, "full readers (IP offices, auditors, regulators) and each " +
                                     std::string(own_role == contracts::ROLE_BANK ? "bank" : "appraiser") +
                                     " for its own figures");
}
}  // namespace

Result<StatsScope> ScopeBankStats(const Reader& reader, std::string_view requested_bank) {
  return ScopeStats(reader, requested_bank, contracts::ROLE_BANK, "a pledge financing statistics series");
}

Result<StatsScope> ScopeAppraiserStats(const Reader& reader, std::string_view requested_appraiser) {
  return ScopeStats(reader, requested_appraiser, contracts::ROLE_APPRAISER, "a valuation statistics series");
}

// ---------------------------------------------------------------------------
// Pools

bool IsPoolManager(const Reader& reader, const contracts::Pool& p) {
  return reader.full() || reader.Is(p.trustee_org_id()) || reader.Is(p.guarantor_org_id());
}

void ScopePool(const Reader& reader, contracts::Pool* p, std::string_view path, Withheld* out) {
  if (IsPoolManager(reader, *p)) return;
  KeepOnly(p, kPoolGazette, path, out);
}

void ScopePoolView(const Reader& reader, contracts::PoolView* v, Withheld* out) {
  if (IsPoolManager(reader, v->pool())) return;
  bool investor = false;
  for (const auto& h : v->holdings()) investor = investor || reader.Is(h.investor_org_id());
  if (investor) {
    // An investor reads the pool as its trustee reports it, but not who else
    // holds what.
    google::protobuf::RepeatedPtrField<contracts::Holding> own;
    for (auto& h : *v->mutable_holdings()) {
      if (reader.Is(h.investor_org_id())) {
        *own.Add() = std::move(h);
      } else {
        out->Add("holdings[]");
      }
    }
    v->mutable_holdings()->Swap(&own);
    if (!out->empty()) out->set_view("party");
    return;
  }
  ScopePool(reader, v->mutable_pool(), "pool", out);
  for (auto& m : *v->mutable_members()) KeepOnly(&m, kPoolMemberGazette, "members[]", out);
  if (v->tranches_size() > 0) out->Add("tranches[]");
  if (v->holdings_size() > 0) out->Add("holdings[]");
  if (v->statement_dates_size() > 0) out->Add("statement_dates");
  v->clear_tranches();
  v->clear_holdings();
  v->clear_statement_dates();
}

void ScopePoolList(const Reader& reader, contracts::PoolList* list, Withheld* out) {
  for (auto& p : *list->mutable_pools()) ScopePool(reader, &p, "pools[]", out);
}

Status ScopePoolStatement(const Reader& reader, const contracts::PoolView& pool, contracts::PoolStatement* st,
                          Withheld* out) {
  if (IsPoolManager(reader, pool.pool())) return Status::OK();
  bool investor = false;
  for (const auto& h : pool.holdings()) investor = investor || reader.Is(h.investor_org_id());
  if (!investor) {
    return Forbidden(reader, "pool " + pool.pool().id() + "'s statements",
                     "its trustee, its guarantor, its investors, IP offices, auditors and regulators");
  }
  google::protobuf::RepeatedPtrField<contracts::HolderPayment> own;
  for (auto& h : *st->mutable_holders()) {
    if (reader.Is(h.investor_org_id())) {
      *own.Add() = std::move(h);
    } else {
      out->Add("holders[]");
    }
  }
  st->mutable_holders()->Swap(&own);
  if (!out->empty()) out->set_view("party");
  return Status::OK();
}

bool MayReadHoldings(const Reader& reader, std::string_view investor_org_id) {
  return reader.full() || reader.Is(investor_org_id);
}

// ---------------------------------------------------------------------------
// History and transactions

Result<bool> IsPartyToEntity(const Reader& reader, const ledger::StateReader& s, std::string_view entity) {
  if (reader.full()) return true;
  if (reader.anonymous) return false;
  const size_t slash = entity.find('/');
  const std::string_view kind = entity.substr(0, slash);
  const std::string_view rest = slash == std::string_view::npos ? std::string_view() : entity.substr(slash + 1);
  if (kind == "patent") {
    PLEDGER_ASSIGN_OR_RETURN(auto p, ReadRecord<contracts::Patent>(s, contracts::keys::Patent(rest)));
    return p && OwnsPatent(reader, *p);
  }
  if (kind == "pledge") return IsPartyToPledgeId(reader, s, rest);
  if (kind == "valuation") {
    PLEDGER_ASSIGN_OR_RETURN(auto v, ReadRecord<contracts::Valuation>(s, contracts::keys::Valuation(rest)));
    if (!v) return false;
    return MayReadValuation(reader, s, *v);
  }
  if (kind == "pool" || kind == "tranche") return IsPartyToPool(reader, s, rest.substr(0, rest.find('/')));
  if (kind == "holding") {
    // holding/<pool>/<rank>/<investor>
    const size_t last = rest.rfind('/');
    if (last != std::string_view::npos && reader.Is(rest.substr(last + 1))) return true;
    return IsPartyToPool(reader, s, rest.substr(0, rest.find('/')));
  }
  if (kind == "org") return reader.Is(rest);
  if (kind == "account") {
    PLEDGER_ASSIGN_OR_RETURN(auto a, ReadRecord<contracts::Account>(s, contracts::keys::Account(rest)));
    return a && reader.Is(a->org_id());
  }
  return false;
}

bool IsGazetteAction(std::string_view action_name) {
  return std::find(kGazetteActions.begin(), kGazetteActions.end(), action_name) != kGazetteActions.end();
}

void ScopeHistoryPage(const Reader& reader, bool party, contracts::HistoryPage* page, Withheld* out) {
  if (party || reader.full()) return;
  for (auto& e : *page->mutable_entries()) {
    if (IsGazetteAction(e.action())) continue;
    e.clear_action();
    e.clear_code();
    out->Add("entries[].action");
    out->Add("entries[].code");
  }
}

void ScopeTxView(const Reader& reader, api::TxView* v, Withheld* out) {
  if (reader.full()) return;
  if (!reader.anonymous) {
    for (const auto& sig : v->tx().signatures()) {
      if (sig.public_key() == ledger::AsStringView(ledger::ByteSpan(reader.key))) return;
    }
  }
  // Which parties signed is as telling as what they signed; the body holds
  // the terms. The register's entry for the record says what is public.
  v->clear_tx();
  v->clear_body();
  out->Add("tx");
  out->Add("body");
  if (IsGazetteAction(v->action())) {
    const std::string code = v->receipt().code();
    v->clear_receipt();
    v->mutable_receipt()->set_code(code);
    out->Add("receipt.message");
    out->Add("receipt.events");
    out->Add("receipt.grounds");
    out->Add("receipt.rule");
    return;
  }
  v->clear_action();
  v->clear_receipt();
  v->clear_receipt_code();
  out->Add("action");
  out->Add("receipt");
  out->Add("receipt_code");
}

// ---------------------------------------------------------------------------
// Answers

std::string ScopedJson(const Message& m, const Withheld& withheld) {
  std::string body = io::ApiJsonFromMessage(m, {.print_defaults = withheld.empty()});
  if (withheld.empty()) return body;
  std::string head = "{\"view\":\"" + withheld.view() + "\",\"redacted\":[";
  bool first = true;
  for (const std::string& p : withheld.paths()) {
    if (!first) head += ',';
    first = false;
    head += '"' + p + '"';  // paths are field names, dots and "[]": nothing to escape
  }
  head += ']';
  // body is a JSON object: "{}" or "{...}".
  if (body.size() > 2) head += ',';
  return head + body.substr(1);
}

}  // namespace pledger::node
