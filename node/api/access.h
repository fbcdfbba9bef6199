// The read policy: who may read what through the API (docs/api.md, "Who may
// read what"). Everything the API decides about visibility is here, in one
// place: the access class of every route (RoutePolicies, checked by the
// dispatcher before a handler runs), and the record-level rules the handlers
// apply to what they found (who is a party to a pledge, a valuation, a pool;
// which fields the public "gazette" view keeps). Handlers never decide
// visibility themselves; they call the functions below.
//
// Principles:
//   - A reader is anonymous or an on-chain account (node/auth/); decisions
//     are made on the account's organisation and roles as of the last block.
//   - IP offices (the registrar), auditors and regulators read everything.
//   - A party reads its own records in full: the pledgee, pledgors and debtor
//     of a pledge; the owners of a patent; the appraiser of a valuation; the
//     trustee and guarantor of a pool; an investor its own holdings.
//   - Everyone else, anonymous readers included, gets the gazette view (R10:
//     pledgor, pledgee, patent number, main IPC, grant, registration and
//     cancellation dates; legal status; owners as registered) and never
//     amounts, rates, LTV, valuations, lending figures or pool cash flows.
//   - The gazette view is a whitelist: a field added to a record later stays
//     hidden from non-parties until this file says otherwise.
//   - What is withheld is named in the answer ("redacted"), never silently
//     dropped, and a record a reader may not see at all is 403 READ_FORBIDDEN
//     (401 AUTH_MISSING for an anonymous reader, who may sign and retry).
//
// Thread safety: pure functions over their arguments; the StateReader ones
// read a snapshot the caller holds. No logging.
#ifndef PLEDGER_NODE_API_ACCESS_H_
#define PLEDGER_NODE_API_ACCESS_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/history.pb.h"
#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/crypto.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/state_store.h"

namespace pledger::node {

// Who is asking, as the policy sees it.
struct Reader {
  bool anonymous = true;
  ledger::PublicKey key{};
  std::string org_id;
  std::vector<contracts::Role> roles;
  bool via_token = false;

  bool HasRole(contracts::Role role) const;
  // IP office, auditor or regulator: everything, raw blocks included.
  bool full() const;
  // An account of organisation `org` (never true for an anonymous reader).
  bool Is(std::string_view org) const { return !anonymous && !org.empty() && org_id == org; }
  // "anonymous" or "account 1a2b…9f of qtbank (ROLE_BANK)": for messages.
  std::string Describe() const;
};

// How a route is guarded before its handler runs.
enum class RouteAccess {
  kPublic,  // anyone, anonymous readers included (unless the node refuses them)
  kScoped,  // anyone may ask; the answer is cut to what the reader may see
  kSigned,  // an account, proved by a signed request (a token is not enough)
  kFull,    // IP offices, auditors and regulators only
};

struct RoutePolicy {
  std::string_view route_id;  // as in the route table (routes.cc)
  RouteAccess access;
  std::string_view rule;      // one line for docs/api.md and error messages
};

// Every route's policy. A route without one is refused (500
// ROUTE_POLICY_MISSING) and fails the unit test that walks the route table.
std::span<const RoutePolicy> RoutePolicies();
const RoutePolicy* FindRoutePolicy(std::string_view route_id);

// Whether `reader` passes `policy` before the handler runs: OK, 401
// AUTH_MISSING (anonymous reader where an account is needed, or anonymous
// readers refused by this node), 403 READ_FORBIDDEN. `anonymous_allowed` is
// the node's setting; /healthz stays open regardless.
Status CheckRouteAccess(const RoutePolicy& policy, const Reader& reader, bool anonymous_allowed);

// What an answer left out: field paths ("pledge.principal_fen",
// "pledges[].pledge.interest_rate_bps") and the view the reader got.
class Withheld {
 public:
  void Add(std::string path) { paths_.insert(std::move(path)); }
  bool empty() const { return paths_.empty(); }
  const std::set<std::string>& paths() const { return paths_; }
  // "gazette" (the public view), or "party" when a party sees its own share
  // of a record (an investor's holdings in a pool).
  const std::string& view() const { return view_; }
  void set_view(std::string view) { view_ = std::move(view); }

 private:
  std::set<std::string> paths_;
  std::string view_ = "gazette";
};

// The answer a reader is not entitled to at all: 401 AUTH_MISSING for an
// anonymous reader, else 403 READ_FORBIDDEN; `what` names the record and
// `who` who may read it.
Status Forbidden(const Reader& reader, std::string_view what, std::string_view who);

// ---- Records ----

// Pledges: parties (pledgee, pledgors, debtor, agency) and full readers see
// everything; others the gazette fields.
bool IsPartyToPledge(const Reader& reader, const contracts::Pledge& p);
void ScopePledge(const Reader& reader, contracts::Pledge* p, std::string_view path, Withheld* out);
void ScopePledgeList(const Reader& reader, contracts::PledgeList* list, Withheld* out);

// Patents: the record is public but for licence terms (royalty, contract
// hash), which its owners and the licensee see. The view's active pledge is
// scoped as a pledge; its valuations are listed for those who may read them.
void ScopePatent(const Reader& reader, contracts::Patent* p, std::string_view path, Withheld* out);
Status ScopePatentView(const Reader& reader, const ledger::StateReader& s, contracts::PatentView* v, Withheld* out);

// Valuations: the appraiser, the owners of a valued patent, a bank that
// lends against it (a pledge of that bank names it), full readers.
// Errors: the state reader's.
Result<bool> MayReadValuation(const Reader& reader, const ledger::StateReader& s, const contracts::Valuation& v);

// A bank's lending figures: the bank itself and full readers.
bool MayReadLending(const Reader& reader, std::string_view bank_org_id);

// Statistics (/v1/stats, docs/api.md "Statistics"): which series a reader
// gets for `requested` ("" = all). Full readers: the series asked for, with
// the per-bank (per-appraiser) breakdown when they asked for all. An account
// of a bank (ScopeBankStats) or of an appraiser (ScopeAppraiserStats) with
// that role: its own series, whether it asked for all or for itself, and no
// breakdown; another's is Forbidden. Anyone else: Forbidden.
struct StatsScope {
  std::string series;
  bool breakdown = false;
};
Result<StatsScope> ScopeBankStats(const Reader& reader, std::string_view requested_bank);
Result<StatsScope> ScopeAppraiserStats(const Reader& reader, std::string_view requested_appraiser);

// Pools: trustee, guarantor and full readers see everything; an investor
// sees the pool with its own holdings only; others the gazette fields (the
// pool, its trustee and state, which patents it locks: R31).
bool IsPoolManager(const Reader& reader, const contracts::Pool& p);
void ScopePool(const Reader& reader, contracts::Pool* p, std::string_view path, Withheld* out);
void ScopePoolView(const Reader& reader, contracts::PoolView* v, Withheld* out);
void ScopePoolList(const Reader& reader, contracts::PoolList* list, Withheld* out);
// A payment date's statement: managers and full readers in full, an
// investor of the pool with only its own payments; Forbidden otherwise.
Status ScopePoolStatement(const Reader& reader, const contracts::PoolView& pool, contracts::PoolStatement* st,
                          Withheld* out);
// An investor's holdings: the investor and full readers.
bool MayReadHoldings(const Reader& reader, std::string_view investor_org_id);

// ---- History and transactions ----

// Whether the reader is a party to `entity` ("patent/ZL…", "pledge/P1",
// "valuation/V1", "pool/…", "tranche/…", "holding/…", "org/…",
// "account/…"), judged on the records as they stand now. Errors: the state
// reader's.
Result<bool> IsPartyToEntity(const Reader& reader, const ledger::StateReader& s, std::string_view entity);
// Whether an action's existence is gazetted (R10: registrations, changes,
// cancellations; the register's and governance's own actions).
bool IsGazetteAction(std::string_view action_name);
// History entries: non-parties see which transaction touched the entity and
// when; the action and its result only for gazetted actions.
void ScopeHistoryPage(const Reader& reader, bool party, contracts::HistoryPage* page, Withheld* out);
// A transaction: its signers and full readers see it whole; others its
// place in the chain, its action name if gazetted, and its result code.
void ScopeTxView(const Reader& reader, api::TxView* v, Withheld* out);

// ---- Answers ----

// The record as JSON: complete (no withheld fields) with default values
// printed as usual; else without default values and with two members in
// front, {"view": "gazette", "redacted": [paths...], ...}.
std::string ScopedJson(const google::protobuf::Message& m, const Withheld& withheld);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_API_ACCESS_H_
