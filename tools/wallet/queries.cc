// Query commands: readable tables by default, the node's protobuf JSON with
// --json (docs/api.md gives the shapes). Queries never need a key.
#include <cctype>
#include <cstdio>
#include <limits>
#include <ostream>
#include <type_traits>

#include "contracts/dates.h"
#include "contracts/limits.h"
#include "ledger/io/json.h"
#include "contracts/proto/history.pb.h"
#include "tools/wallet/cli.h"
#include "tools/common/text.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Result<std::string> Operand(Context& c, const std::string& what) {
  const auto& pos = c.args().positional();
  if (pos.empty()) return UsageError("give the " + what + ": pledger-wallet " + c.command().Words() + " " + what);
  if (pos.size() > 1) return UsageError("unexpected argument '" + pos[1] + "'");
  return pos[0];
}

// GETs `target` and prints the node's answer unchanged (with --json) or `msg`
// through `print`; a printer that takes the answer's ReadMark as well shows
// withheld fields as such. A trimmed answer ends with one line saying which
// fields were withheld and why; `what` names the record there ("this
// pledge"). Returns the exit code.
template <typename M, typename P>
int Query(Context& c, const std::string& target, P print, const std::string& what = "this record") {
  auto n = c.node();
  if (!n.ok()) return c.Fail(n.status());
  auto body = (*n)->GetBody(target);
  c.Observe(body.status());
  if (!body.ok()) return c.Fail(body.status());
  if (c.json()) {
    c.out() << *body << (body->empty() || body->back() != '\n' ? "\n" : "");
    return kExitOk;
  }
  M msg;
  if (Status s = ParseApiJson(*body, &msg, "GET " + target); !s.ok()) return c.Fail(s);
  const ReadMark mark = ReadMarkOf(*body);
  if constexpr (std::is_invocable_v<P, const M&, const ReadMark&>) {
    print(msg, mark);
  } else {
    print(msg);
  }
  std::string line = WithheldLine(mark, (*n)->reader(), what, SignInHint((*n)->reader()));
  if (!line.empty()) {
    line[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(line[0])));
    c.out() << "\n" << line << "\n";
  }
  return kExitOk;
}

// `text`, or "(withheld)" when the node left `field` out for this reader.
std::string Shown(const ReadMark& m, std::string_view field, const std::string& text) {
  return m.Withheld(field) ? "(withheld)" : text;
}

std::string Yuan(std::int64_t fen) { return FormatYuan(fen) + " yuan"; }
std::string PatentStatusWord(contracts::PatentStatus s) { return Friendly(contracts::PatentStatus_Name(s), "PATENT_"); }
std::string PledgeStateWord(contracts::PledgeState s) { return Friendly(contracts::PledgeState_Name(s), "PLEDGE_"); }
std::string RiskWord(contracts::RiskClass r) {
  return r == contracts::RISK_CLASS_UNSPECIFIED ? "normal" : Friendly(contracts::RiskClass_Name(r), "RISK_");
}

void PrintPledge(std::ostream& o, const contracts::Pledge& p, const ReadMark& m) {
  // Fields a node withholds from a non-party read "(withheld)", not 0.00.
  auto money = [&](std::string_view field, std::int64_t fen) { return Shown(m, field, Yuan(fen)); };
  Fields f{{"Pledge", p.id()},
           {"State", PledgeStateWord(p.state())},
           {"Patents", Join(p.patent_nos())},
           {"Pledgee (bank)", p.pledgee_org_id()},
           {"Pledgors", Join(p.pledgor_org_ids())},
           {"Debtor", p.debtor_org_id()},
           {"Debt", Shown(m, "debt_type", p.debt_type()) + ", principal " + money("principal_fen", p.principal_fen()) +
                        ", interest " + Shown(m, "interest_rate_bps", FormatBps(p.interest_rate_bps()))},
           {"Due", Shown(m, "due_date", FormatDay(p.due_date()))},
           {"Outstanding", "principal " + money("outstanding_principal_fen", p.outstanding_principal_fen()) +
                               ", interest " + money("outstanding_interest_fen", p.outstanding_interest_fen()) +
                               ", costs " + money("outstanding_costs_fen", p.outstanding_costs_fen())},
           {"Repaid", money("repaid_fen", p.repaid_fen())},
           {"Scope", Shown(m, "scope", p.scope())},
           // ltv_bps is 0 only when no valid valuation backed the pledge (a
           // principal is at least 1 fen): "no valuation", never "0.00 %".
           {"Valuation", m.Withheld("valuation_id") ? "(withheld)"
                         : p.valuation_id().empty()  ? "(none): no LTV measured"
                         : !m.Withheld("ltv_bps") && p.ltv_bps() == 0
                             ? p.valuation_id() + ", lapsed at registration: no LTV measured"
                             : p.valuation_id() + ", LTV " + Shown(m, "ltv_bps", FormatBps(p.ltv_bps()))},
           {"Risk class", RiskWord(p.risk_class())},
           {"Registered", FormatDay(p.reg_date()) + " at height " + std::to_string(p.reg_height()) + " (rank order R18)"},
           {"Changes / renewals", std::to_string(p.changes()) + " / " + std::to_string(p.renewals())},
           {"Contract", Shown(m, "contract_hash", "sha256 " + p.contract_hash())}};
  if (p.forfeiture_clause()) f.emplace_back("Forfeiture clause", "yes (R8: priority payment only)");
  if (p.caution_ack()) f.emplace_back("Caution acknowledged", "yes (R33)");
  if (p.state() == contracts::PLEDGE_CANCELLED) {
    f.emplace_back("Cancelled", FormatDay(p.cancel_date()) + ", " +
                                    Friendly(contracts::CancelGround_Name(p.cancel_ground()), "CANCEL_"));
  }
  if (p.state() == contracts::PLEDGE_ENFORCED) {
    const auto& e = p.enforcement();
    f.emplace_back("Enforced", FormatDay(e.date()) + " by " + Friendly(contracts::EnforceMethod_Name(e.method()), "ENFORCE_") +
                                   ": proceeds " + money("proceeds_fen", e.proceeds_fen()) + ", to the bank " +
                                   money("to_pledgee_fen", e.to_pledgee_fen()) + ", surplus " +
                                   money("surplus_fen", e.surplus_fen()) + ", shortfall " +
                                   money("shortfall_fen", e.shortfall_fen()));
    f.emplace_back("Assigned to", p.assigned_to_org_ids().empty() ? "(not yet: the patents stay locked)"
                                                                  : p.assigned_to_org_ids());
  }
  PrintFields(o, f);
}

// "valid since 2016-01-06"; a patent whose term ended before the office
// recorded its expiry is "expired (recorded: valid) since" the day after the
// term's last day, not since the date of the status it still has on record.
std::string StatusLine(const contracts::PatentView& v) {
  const auto& p = v.patent();
  std::string out = PatentStatusWord(v.effective_status());
  std::int32_t since = p.status_date();
  if (v.effective_status() != p.status()) {
    out += " (recorded: " + PatentStatusWord(p.status()) + ")";
    if (v.effective_status() == contracts::PATENT_EXPIRED) since = p.expiry_date() + 1;
  }
  out += " since " + FormatDay(since);
  if (v.effective_status() == contracts::PATENT_EXPIRED) out += " (the term ended " + FormatDay(p.expiry_date()) + ")";
  return out;
}

void PrintPatent(std::ostream& o, const contracts::PatentView& v, const ReadMark& m) {
  auto money = [&](std::string_view field, std::int64_t fen) { return Shown(m, field, Yuan(fen)); };
  const auto& p = v.patent();
  std::string owners;
  for (const auto& ow : p.owners()) owners += (owners.empty() ? "" : ", ") + ow.org_id() + " " + FormatBps(ow.share_bps());
  std::string flags;
  auto flag = [&](bool on, const char* word) {
    if (on) flags += (flags.empty() ? "" : ", ") + std::string(word);
  };
  flag(v.pledged(), "pledged");
  flag(v.licensed(), "licensed");
  flag(p.open_licensed(), "open licence");
  flag(p.preserved(), "court preservation");
  flag(p.suspended(), "ownership-dispute suspension");
  flag(p.invalidation_pending(), "invalidation pending");
  flag(!p.pool_id().empty(), "pooled");
  Fields f{{"Patent", p.patent_no()},
           {"Title", p.title()},
           {"Type", Friendly(contracts::PatentType_Name(p.type()), "PATENT_")},
           {"Main IPC", p.main_ipc()},
           {"Status", StatusLine(v)},
           {"Filed / granted", FormatDay(p.filing_date()) + " / " + FormatDay(p.grant_date())},
           {"Expires", FormatDay(p.expiry_date())},
           {"Fees paid through", FormatDay(p.fee_paid_through()) +
                                     (p.grace_end() ? ", grace until " + FormatDay(p.grace_end()) : "")},
           {"Owners", owners},
           {"Flags", flags.empty() ? "none" : flags}};
  if (!p.twin_patent_no().empty()) f.emplace_back("Twin application", p.twin_patent_no());
  PrintFields(o, f);
  if (v.has_active_pledge() && !v.active_pledge().id().empty()) {
    const auto& a = v.active_pledge();
    o << "\nActive pledge " << a.id() << " (" << PledgeStateWord(a.state()) << "): bank " << a.pledgee_org_id()
      << ", " << money("principal_fen", a.principal_fen()) << " due "
      << Shown(m, "due_date", FormatDay(a.due_date())) << ", outstanding principal "
      << money("outstanding_principal_fen", a.outstanding_principal_fen()) << "\n";
  } else {
    o << "\nNo active pledge.\n";
  }
  if (p.licences_size() > 0) {
    o << "\nLicences:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : p.licences()) {
      rows.push_back({l.id(), Friendly(contracts::LicenceType_Name(l.type()), "LICENCE_"),
                      l.licensee_org_id().empty() ? "(open)" : l.licensee_org_id(),
                      FormatDay(l.start_date()) + " .. " + FormatDay(l.end_date()), money("royalty_fen", l.royalty_fen()),
                      l.filed_late() ? "filed late" : ""});
    }
    PrintTable(o, {"ID", "TYPE", "LICENSEE", "TERM", "ROYALTY", ""}, rows);
  }
  if (v.valuations_size() > 0) {
    o << "\nValuations:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& val : v.valuations()) {
      rows.push_back({val.id(), val.appraiser_org_id(), Friendly(contracts::ValuationMethod_Name(val.method()), "VALUATION_"),
                      FormatDay(val.base_date()), FormatDay(val.valid_until()), money("value_fen", val.value_fen()),
                      money("realisable_value_fen", val.realisable_value_fen())});
    }
    PrintTable(o, {"ID", "APPRAISER", "METHOD", "BASE DATE", "VALID UNTIL", "VALUE", "REALISABLE"}, rows);
  }
  if (v.pledge_ids_size() > 0) o << "\nPledges ever registered (R18 order): " << Join(v.pledge_ids()) << "\n";
}

void PrintHistory(std::ostream& o, const contracts::HistoryPage& h) {
  if (h.entries_size() == 0) {
    o << "No transactions touched " << h.entity() << ".\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : h.entries()) {
    rows.push_back({std::to_string(e.height()) + "." + std::to_string(e.index()), FormatTimeCst(e.time_ms()),
                    ActionWords(e.action()), e.code(), e.tx_id()});
  }
  o << "History of " << h.entity() << " (oldest first):\n";
  PrintTable(o, {"BLOCK", "TIME", "ACTION", "RESULT", "TRANSACTION"}, rows);
  if (!h.next_cursor().empty()) o << "More: add --after " << h.next_cursor() << "\n";
}

std::string HistoryTarget(Context& c, const std::string& entity, Status* error) {
  std::string target = "/v1/history/" + entity;
  std::string q;
  if (auto l = c.args().Get("limit")) {
    auto n = ParseInt("limit", *l, 1, 1000);
    if (!n.ok()) *error = n.status();
    q += "limit=" + *l;
  }
  if (auto a = c.args().Get("after")) {
    bool hex = !a->empty();
    for (char ch : *a) hex = hex && std::isxdigit(static_cast<unsigned char>(ch));
    if (!hex) *error = FlagError("after", "is not a cursor (hex) from a previous page");
    q += std::string(q.empty() ? "" : "&") + "after=" + *a;
  }
  return q.empty() ? target : target + "?" + q;
}

int RunStatus(Context& c) {
  return Query<api::StatusView>(c, "/v1/status", [&](const api::StatusView& s) {
    PrintFields(c.out(), {{"Node", s.node_id() + " (" + s.version() + ")"},
                          {"Chain", s.chain_id()},
                          {"Role", s.role() + ", term " + std::to_string(s.term()) + ", leader " + s.leader()},
                          {"Height", std::to_string(s.height()) + ", last block " + FormatTimeCst(s.last_block_time_ms())},
                          {"State root", s.state_root()},
                          {"Mempool", std::to_string(s.mempool_txs()) + " transactions"},
                          {"Catching up", s.catching_up() ? "yes" : "no"},
                          {"State-root mismatches", std::to_string(s.state_root_mismatches())}});
    if (s.peers_size() > 0) {
      c.out() << "\nPeers:\n";
      std::vector<std::vector<std::string>> rows;
      for (const auto& p : s.peers()) {
        rows.push_back({p.node_id(), p.connected() ? "connected" : "DISCONNECTED", p.raft_role(),
                        s.role() == "LEADER" ? std::to_string(p.lag()) : "-"});
      }
      PrintTable(c.out(), {"PEER", "LINK", "RAFT", "LAG"}, rows);
    }
    if (s.certificates_size() > 0) {
      c.out() << "\nCertificates:\n";
      std::vector<std::vector<std::string>> rows;
      for (const auto& cert : s.certificates()) {
        rows.push_back({cert.kind(), cert.subject(), FormatTimeCst(cert.not_after_ms()),
                        cert.seconds_left() <= 0 ? "EXPIRED"
                        : cert.expiring()        ? "EXPIRES IN " + std::to_string((cert.seconds_left() + 86399) / 86400) + " DAYS"
                                                 : std::to_string(cert.seconds_left() / 86400) + " days"});
      }
      PrintTable(c.out(), {"CERTIFICATE", "SUBJECT", "NOT AFTER", "LEFT"}, rows);
    }
    // What the operator must act on, last, where it is seen (30 days ahead
    // for certificates).
    for (const auto& w : s.warnings()) c.out() << "\nWarning: " << w << "\n";
  });
}

int RunValidators(Context& c) {
  return Query<contracts::ValidatorSet>(c, "/v1/validators", [&](const contracts::ValidatorSet& v) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& x : v.validators()) {
      rows.push_back({x.node_id(), Friendly(contracts::ValidatorRole_Name(x.role()), "VALIDATOR_"), x.org_id(),
                      x.peer_address(), x.api_address(), Short(x.public_key_hex())});
    }
    PrintTable(c.out(), {"NODE", "ROLE", "OPERATOR", "PEER", "API", "KEY"}, rows);
  });
}

int RunPatentShow(Context& c) {
  auto op = Operand(c, "PATENT");
  if (!op.ok()) return c.Fail(op.status());
  auto no = ParsePatentNo("patent", *op);
  if (!no.ok()) return c.Fail(no.status());
  return Query<contracts::PatentView>(
      c, "/v1/patents/" + *no,
      [&](const contracts::PatentView& v, const ReadMark& m) { PrintPatent(c.out(), v, m); },
      "this patent's pledge, licences and valuations");
}

int RunPatentHistory(Context& c) {
  auto op = Operand(c, "PATENT");
  if (!op.ok()) return c.Fail(op.status());
  auto no = ParsePatentNo("patent", *op);
  if (!no.ok()) return c.Fail(no.status());
  Status err;
  std::string target = HistoryTarget(c, "patent/" + *no, &err);
  if (!err.ok()) return c.Fail(err);
  return Query<contracts::HistoryPage>(c, target, [&](const contracts::HistoryPage& h) { PrintHistory(c.out(), h); });
}

int RunHistory(Context& c) {
  auto op = Operand(c, "ENTITY");
  if (!op.ok()) return c.Fail(op.status());
  // Entities are kind/id, except the one chain-wide record, "params".
  bool ok = *op == "params" || op->find('/') != std::string::npos;
  for (char ch : *op) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '.' || ch == '-' || ch == '_');
  if (!ok) {
    return c.Fail(UsageError("'" + *op + "' is not an entity; write patent/ZL…, pledge/ID, valuation/ID, pool/ID, "
                             "tranche/POOL/RANK, org/ID, account/KEY, validator/ID or params"));
  }
  Status err;
  std::string target = HistoryTarget(c, *op, &err);
  if (!err.ok()) return c.Fail(err);
  return Query<contracts::HistoryPage>(c, target, [&](const contracts::HistoryPage& h) { PrintHistory(c.out(), h); });
}

// `path`, asking for the record as it was after block --height when given.
Result<std::string> AsOfTarget(Context& c, std::string path) {
  if (auto h = c.args().Get("height")) {
    auto n = ParseInt("height", *h, 1, std::int64_t{1} << 62);
    if (!n.ok()) return n.status();
    path += "?height=" + *h;
  }
  return path;
}

int RunPledgeShow(Context& c) {
  auto op = Operand(c, "ID");
  if (!op.ok()) return c.Fail(op.status());
  auto id = ParseObjectId("pledge", *op);
  if (!id.ok()) return c.Fail(id.status());
  auto target = AsOfTarget(c, "/v1/pledges/" + *id);
  if (!target.ok()) return c.Fail(target.status());
  return Query<contracts::Pledge>(
      c, *target, [&](const contracts::Pledge& p, const ReadMark& m) { PrintPledge(c.out(), p, m); }, "this pledge");
}

int RunPledgeList(Context& c) {
  const bool bank = c.args().Has("bank");
  if (bank == c.args().Has("borrower")) return c.Fail(UsageError("give --bank ORG or --borrower ORG"));
  const std::string flag = bank ? "bank" : "borrower";
  auto org = ParseOrgId(flag, *c.args().Get(flag));
  if (!org.ok()) return c.Fail(org.status());
  auto print = [&](const contracts::PledgeList& l, const ReadMark& m) {
    if (l.pledges_size() == 0) {
      c.out() << "No pledges for " << flag << " " << *org << ".\n";
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : l.pledges()) {
      const auto& p = r.pledge();
      // The marks are for the whole list and a reader may be a party to some
      // of its pledges: a pledge's principal is never 0, so an absent one is
      // the sign that this entry was trimmed.
      const bool trimmed = m.Withheld("principal_fen") && p.principal_fen() == 0;
      auto cell = [&](const std::string& text) { return trimmed ? std::string("(withheld)") : text; };
      rows.push_back({std::to_string(r.rank()), p.id(), PledgeStateWord(p.state()), p.pledgee_org_id(), p.debtor_org_id(),
                      cell(FormatYuan(p.principal_fen())), cell(FormatYuan(p.outstanding_principal_fen())),
                      m.Withheld("due_date") && p.due_date() == 0 ? "(withheld)" : FormatDay(p.due_date()),
                      Join(p.patent_nos())});
    }
    PrintTable(c.out(), {"RANK", "PLEDGE", "STATE", "BANK", "DEBTOR", "PRINCIPAL", "OUTSTANDING", "DUE", "PATENTS"}, rows);
    if (!l.next_cursor().empty()) c.out() << "More: add --after " << l.next_cursor() << "\n";
  };
  std::string target = "/v1/pledges?" + flag + "=" + *org;
  if (auto l = c.args().Get("limit")) {
    auto n = ParseInt("limit", *l, 1, 1000);
    if (!n.ok()) return c.Fail(n.status());
    target += "&limit=" + std::to_string(*n);
  }
  if (auto a = c.args().Get("after")) {
    auto n = ParseInt("after", *a, 0, std::numeric_limits<std::uint32_t>::max());
    if (!n.ok()) return c.Fail(n.status());
    target += "&after=" + std::to_string(*n);
  }
  return Query<contracts::PledgeList>(c, target, print, "the pledges marked (withheld)");
}

int RunValuationShow(Context& c) {
  auto op = Operand(c, "ID");
  if (!op.ok()) return c.Fail(op.status());
  auto id = ParseObjectId("valuation", *op);
  if (!id.ok()) return c.Fail(id.status());
  return Query<contracts::Valuation>(c, "/v1/valuations/" + *id, [&](const contracts::Valuation& v) {
    PrintFields(c.out(), {{"Valuation", v.id()},
                          {"Patents", Join(v.patent_nos())},
                          {"Appraiser", v.appraiser_org_id() + " (licence " + v.appraiser_licence_no() + ")"},
                          {"Method", Friendly(contracts::ValuationMethod_Name(v.method()), "VALUATION_")},
                          {"Base date", FormatDay(v.base_date())},
                          {"Valid until", FormatDay(v.valid_until()) + (v.valid_until() < c.today() ? " (LAPSED, R28)" : "")},
                          {"Value", Yuan(v.value_fen())},
                          {"Realisable value", Yuan(v.realisable_value_fen())},
                          {"Report", "sha256 " + v.report_hash()},
                          {"Recorded at height", std::to_string(v.recorded_height())}});
  });
}

int RunAccountShow(Context& c) {
  auto op = Operand(c, "KEY");
  if (!op.ok()) return c.Fail(op.status());
  std::string hex = *op;
  if (!ParseHex64("key", hex).ok()) {
    // A key name from this wallet's key store.
    auto info = c.keystore().Info(*op);
    if (!info.ok()) {
      return c.Fail(UsageError("'" + *op + "' is neither a 64-hex public key nor a key in this wallet"));
    }
    hex = info->public_key_hex();
  } else {
    hex = *ParseHex64("key", hex);
  }
  auto target = AsOfTarget(c, "/v1/accounts/" + hex);
  if (!target.ok()) return c.Fail(target.status());
  return Query<contracts::Account>(c, *target, [&](const contracts::Account& a) {
    std::string roles;
    for (int r : a.roles()) roles += (roles.empty() ? "" : ", ") + RoleWord(static_cast<contracts::Role>(r));
    Fields f{{"Account", a.public_key_hex()}, {"Organisation", a.org_id()}, {"Roles", roles},
             {"Since height", std::to_string(a.created_height())}};
    if (a.suspended()) f.emplace_back("Suspended", "yes: its signatures count for nothing");
    if (!a.rotated_to_hex().empty()) f.emplace_back("Retired", "rotated to " + a.rotated_to_hex());
    PrintFields(c.out(), f);
  });
}

int RunOrgShow(Context& c) {
  auto op = Operand(c, "ID");
  if (!op.ok()) return c.Fail(op.status());
  auto id = ParseOrgId("org", *op);
  if (!id.ok()) return c.Fail(id.status());
  auto target = AsOfTarget(c, "/v1/orgs/" + *id);
  if (!target.ok()) return c.Fail(target.status());
  auto print = [&](const contracts::Organisation& o, const ReadMark& m) {
    Fields f{{"Organisation", o.id()},
             {"Name", o.name()},
             {"Kind", Friendly(contracts::OrgKind_Name(o.kind()), "ORG_")},
             {"Address", o.address()}};
    if (o.foreign_non_resident()) f.emplace_back("Foreign non-resident", "yes (R5)");
    if (o.kind() == contracts::ORG_BANK && (m.Withheld("lending_policy") || m.Withheld("ltv_cap_bps"))) {
      f.emplace_back("Lending policy", "(withheld)");
    } else if (o.kind() == contracts::ORG_BANK) {
      const auto& p = o.lending_policy();
      f.emplace_back("LTV cap", p.ltv_cap_bps() == 0 ? "none" : FormatBps(p.ltv_cap_bps()));
      f.emplace_back("Minimum remaining life", std::to_string(p.min_life_days_invention()) + " days (inventions), " +
                                                   std::to_string(p.min_life_days_other()) + " days (others)");
      f.emplace_back("Valuation required", p.valuation_required() ? "yes" : "no");
    }
    PrintFields(c.out(), f);
  };
  return Query<contracts::Organisation>(c, *target, print, "this bank's lending policy");
}

int RunOrgLending(Context& c) {
  auto op = Operand(c, "BANK");
  if (!op.ok()) return c.Fail(op.status());
  auto id = ParseOrgId("bank", *op);
  if (!id.ok()) return c.Fail(id.status());
  return Query<contracts::LendingReport>(c, "/v1/orgs/" + *id + "/lending", [&](const contracts::LendingReport& r) {
    PrintFields(c.out(), {{"Bank", r.bank_org_id()},
                          {"Pledges", std::to_string(r.pledges_active()) + " active of " + std::to_string(r.pledges_total())},
                          {"Active principal", Yuan(r.active_principal_fen())},
                          {"Non-performing (R30)", Yuan(r.npl_principal_fen()) + ", " + FormatBps(r.npl_ratio_bps())},
                          {"Renewals (R34)", std::to_string(r.renewals())},
                          {"Borrowers", std::to_string(r.borrowers()) + ", of which first-time " +
                                            std::to_string(r.first_time_borrowers()) + " (R35)"}});
  });
}

int RunParamsShow(Context& c) {
  auto target = AsOfTarget(c, "/v1/params");
  if (!target.ok()) return c.Fail(target.status());
  return Query<contracts::Params>(c, *target, [&](const contracts::Params& p) {
    contracts::Action a;
    *a.mutable_params_set()->mutable_params() = p;
    Description d = Describe(a);
    PrintFields(c.out(), d.fields);
  });
}

int RunTxShow(Context& c) {
  auto op = Operand(c, "ID");
  if (!op.ok()) return c.Fail(op.status());
  auto id = ParseHex64("id", *op);
  if (!id.ok()) return c.Fail(UsageError("'" + *op + "' is not a transaction id (64 hex characters)"));
  return Query<api::TxView>(c, "/v1/txs/" + *id, [&](const api::TxView& v) {
    if (v.status() == "PENDING") {
      c.out() << "Transaction " << *id << " is waiting in a mempool (not committed yet).\n";
      return;
    }
    c.out() << "Transaction " << v.tx_id() << "\n";
    PrintFields(c.out(), {{"Block", std::to_string(v.height()) + " (index " + std::to_string(v.index()) + "), " +
                                        FormatTimeCst(v.block_time_ms())},
                          {"Block hash", v.block_hash()},
                          {"Attested", std::string(v.attestation().attested() ? "yes" : "not yet") + " (" +
                                           std::to_string(v.attestation().signatures()) + " of " +
                                           std::to_string(v.attestation().validators()) + " validators)"},
                          {"Chain / expiry", v.body().chain_id() + ", valid up to block " +
                                                 std::to_string(v.body().expiry_height())}},
                "  ");
    c.out() << "\nWhat it did:\n";
    for (const auto& line : Describe(v.body().action()).Lines()) c.out() << "  " << line << "\n";
    c.out() << "\nSigned by:\n";
    for (const auto& s : v.tx().signatures()) c.out() << "  " << ledger::HexEncode(s.public_key()) << "\n";
    c.out() << "\n";
    SubmitResult r;
    r.set_tx_id(v.tx_id());
    r.set_status(v.status());
    r.set_height(v.height());
    r.set_code(v.receipt().code());
    r.set_message(v.receipt().message());
    r.set_rule(v.receipt().rule());
    r.set_action(contracts::ActionName(v.body().action()));
    for (const auto& g : v.receipt().grounds()) r.add_grounds(g);
    for (const auto& e : v.receipt().events()) *r.add_events() = e;
    PrintReceipt(c.out(), r);
  });
}

// ---- pools and tranches --------------------------------------------------------------

std::string PoolStateWord(contracts::PoolState s) { return Friendly(contracts::PoolState_Name(s), "POOL_"); }
std::string ModelWord(contracts::PoolModel m) {
  return m == contracts::POOL_LICENSE ? "licence" : m == contracts::POOL_LOAN ? "loan" : "unspecified";
}
std::string ClassWord(contracts::TrancheClass c) { return Friendly(contracts::TrancheClass_Name(c), "TRANCHE_"); }

void PrintPool(std::ostream& o, const contracts::PoolView& v) {
  const auto& p = v.pool();
  Fields f{{"Pool", p.id()},
           {"Name", p.name()},
           {"Trustee", p.trustee_org_id()},
           {"Model", ModelWord(p.model()) + (p.model() == contracts::POOL_LICENSE ? " (royalties)" : " (loan repayments)")},
           {"State", PoolStateWord(p.state()) + (p.triggered() ? ", TRIGGERED on " + FormatDay(p.trigger_date()) + " (" +
                                                                      Friendly(contracts::PoolTriggerReason_Name(p.trigger_reason()), "POOL_TRIGGER_") + ", H8)"
                                                                : "")},
           {"Created", FormatDay(p.created_date()) + " at height " + std::to_string(p.created_height())},
           {"Legal maturity", FormatDay(p.legal_maturity_date())},
           {"Deal size", Yuan(p.deal_size_fen())},
           {"Members", std::to_string(p.active_members()) + " active"}};
  if (p.issue_date() != 0) {
    f.emplace_back("Issued", FormatDay(p.issue_date()) + ", " + std::to_string(p.tranche_count()) + " tranches");
    f.emplace_back("Payment dates", std::to_string(p.payment_count()) + ", the last " + FormatDay(p.last_payment_date()));
  }
  f.emplace_back("Cash", "collected " + Yuan(p.collected_total_fen()) + " in all; waiting for the next payment date " +
                             Yuan(p.period_collections_fen()) + ", reserve " + Yuan(p.carried_fen()));
  for (int i = 0; i < p.fees_size(); ++i) {
    const auto& fee = p.fees(i);
    std::string what = fee.payee_org_id() + ": " + (fee.fixed_fen() ? Yuan(fee.fixed_fen()) + " per date" : "");
    if (fee.rate_bps()) what += std::string(fee.fixed_fen() ? " + " : "") + FormatBps(fee.rate_bps()) + " a year";
    if (i < p.fee_arrears_fen_size() && p.fee_arrears_fen(i) > 0) what += ", arrears " + Yuan(p.fee_arrears_fen(i));
    f.emplace_back("Fee " + fee.name(), what);
  }
  if (!p.guarantor_org_id().empty()) {
    f.emplace_back("Guarantor", p.guarantor_org_id() + ": drawn " + Yuan(p.guarantor_drawn_fen()) + " of " +
                                    Yuan(p.guarantee_limit_fen()) + " (H5)");
  }
  if (p.reserve_target_fen() > 0) f.emplace_back("Reserve target", Yuan(p.reserve_target_fen()));
  if (p.losses_fen() > 0) f.emplace_back("Losses", Yuan(p.losses_fen()) + " (R32)");
  if (p.state() == contracts::POOL_WOUND_DOWN) f.emplace_back("Wound down", FormatDay(p.wound_down_date()));
  PrintFields(o, f);
  if (v.members_size() > 0) {
    o << "\nMembers:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : v.members()) {
      rows.push_back({m.ref(), Friendly(contracts::PoolMemberState_Name(m.state()), "POOL_MEMBER_"),
                      Join(m.owner_org_ids()), m.pledgee_org_id().empty() ? "-" : m.pledgee_org_id(),
                      FormatDay(m.admitted_date()), FormatDay(m.left_date()), FormatYuan(m.collected_fen())});
    }
    PrintTable(o, {"MEMBER", "STATE", "OWNERS", "PLEDGEE", "ADMITTED", "LEFT", "COLLECTED"}, rows);
  }
  if (v.tranches_size() > 0) {
    o << "\nTranches:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : v.tranches()) {
      rows.push_back({std::to_string(t.rank()), ClassWord(t.tranche_class()), t.rating().empty() ? "-" : t.rating(),
                      FormatBps(t.coupon_bps()), FormatYuan(t.principal_fen()), FormatYuan(t.outstanding_fen()),
                      FormatYuan(t.interest_paid_fen()), FormatYuan(t.principal_paid_fen() + t.residual_paid_fen()),
                      FormatYuan(t.interest_arrears_fen()), FormatYuan(t.losses_fen()), std::to_string(t.holders())});
    }
    PrintTable(o, {"RANK", "CLASS", "RATING", "COUPON", "PRINCIPAL", "OUTSTANDING", "INTEREST PAID", "PRINCIPAL PAID",
                   "ARREARS", "LOSSES", "HOLDERS"},
               rows);
  }
  if (v.holdings_size() > 0) {
    o << "\nHoldings:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& h : v.holdings()) {
      rows.push_back({std::to_string(h.rank()), h.investor_org_id(), Count(h.units()), FormatYuan(h.interest_received_fen()),
                      FormatYuan(h.principal_received_fen()), FormatYuan(h.residual_received_fen())});
    }
    PrintTable(o, {"RANK", "INVESTOR", "UNITS", "INTEREST", "PRINCIPAL", "RESIDUAL"}, rows);
  }
  if (v.statement_dates_size() > 0) {
    std::string dates;
    for (int d : v.statement_dates()) dates += (dates.empty() ? "" : ", ") + FormatDay(d);
    o << "\nStatements: " << dates << " (`pledger-wallet pool statement " << p.id() << " --date DATE`)\n";
  }
}

void PrintStatement(std::ostream& o, const contracts::PoolStatement& s) {
  PrintFields(o, {{"Pool", s.pool_id()},
                  {"Payment date", FormatDay(s.payment_date()) + " (no. " + std::to_string(s.sequence()) + ")" +
                                       (s.triggered() ? ", trigger order (H8)" : "")},
                  {"Period", FormatDay(s.period_start_date()) + " to " + FormatDay(s.payment_date()) + ", " +
                                 std::to_string(s.days()) + " days (ACT/365)"},
                  {"Cash in", Yuan(s.cash_in_fen()) + " = carried " + FormatYuan(s.carried_in_fen()) + " + collected " +
                                  FormatYuan(s.collections_fen()) + " + guarantor " + FormatYuan(s.guarantor_draw_fen())},
                  {"Cash out", "fees " + FormatYuan(s.fees_paid_fen()) + ", interest " + FormatYuan(s.interest_paid_fen()) +
                                   ", principal " + FormatYuan(s.principal_paid_fen()) + ", residual " +
                                   FormatYuan(s.residual_paid_fen()) + ", kept " + FormatYuan(s.carried_out_fen())},
                  {"Guarantor (H5)", "needed " + Yuan(s.guarantor_draw_needed_fen()) + ", drawn " + Yuan(s.guarantor_draw_fen())},
                  {"Senior shortfall", Yuan(s.senior_shortfall_fen()) +
                                           (s.senior_shortfall_fen() > 0 ? " unpaid: grounds for a trigger (H8)" : "")}});
  o << "\nWaterfall:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& st : s.steps()) {
    rows.push_back({st.step(), st.what(), st.rank() == 0 ? "-" : std::to_string(st.rank()), FormatYuan(st.amount_fen())});
  }
  PrintTable(o, {"STEP", "WHAT", "RANK", "AMOUNT"}, rows);
  if (s.tranches_size() > 0) {
    o << "\nTranches:\n";
    rows.clear();
    for (const auto& t : s.tranches()) {
      rows.push_back({std::to_string(t.rank()), ClassWord(t.tranche_class()), FormatYuan(t.balance_before_fen()),
                      FormatYuan(t.interest_due_fen()), FormatYuan(t.interest_paid_fen()),
                      FormatYuan(t.principal_due_fen()), FormatYuan(t.principal_paid_fen()),
                      FormatYuan(t.guarantor_interest_fen() + t.guarantor_principal_fen()),
                      FormatYuan(t.residual_paid_fen()), FormatYuan(t.balance_after_fen())});
    }
    PrintTable(o, {"RANK", "CLASS", "BALANCE", "INTEREST DUE", "PAID", "PRINCIPAL DUE", "PAID", "BY GUARANTOR",
                   "RESIDUAL", "BALANCE AFTER"},
               rows);
  }
  if (s.holders_size() > 0) {
    o << "\nHolders paid:\n";
    rows.clear();
    for (const auto& h : s.holders()) {
      rows.push_back({std::to_string(h.rank()), h.investor_org_id(), Count(h.units()), FormatYuan(h.interest_fen()),
                      FormatYuan(h.principal_fen()), FormatYuan(h.residual_fen())});
    }
    PrintTable(o, {"RANK", "INVESTOR", "UNITS", "INTEREST", "PRINCIPAL", "RESIDUAL"}, rows);
  }
}

Result<std::string> PoolOperand(Context& c) {
  PLEDGER_ASSIGN_OR_RETURN(std::string op, Operand(c, "POOL"));
  return ParseObjectId("pool", op);
}

int RunPoolShow(Context& c) {
  auto id = PoolOperand(c);
  if (!id.ok()) return c.Fail(id.status());
  return Query<contracts::PoolView>(c, "/v1/pools/" + *id, [&](const contracts::PoolView& v) { PrintPool(c.out(), v); });
}

int RunPoolStatement(Context& c) {
  auto id = PoolOperand(c);
  if (!id.ok()) return c.Fail(id.status());
  auto text = c.args().Require("date");
  if (!text.ok()) return c.Fail(text.status());
  auto date = ParseDate("date", *text, c.today());
  if (!date.ok()) return c.Fail(date.status());
  return Query<contracts::PoolStatement>(c, "/v1/pools/" + *id + "/statements/" + FormatDay(*date),
                                         [&](const contracts::PoolStatement& s) { PrintStatement(c.out(), s); });
}

int RunPoolPreview(Context& c) {
  auto id = PoolOperand(c);
  if (!id.ok()) return c.Fail(id.status());
  std::int32_t date = c.today();
  if (auto text = c.args().Get("date")) {
    auto d = ParseDate("date", *text, c.today());
    if (!d.ok()) return c.Fail(d.status());
    date = *d;
  }
  const bool no_draw = c.args().Has("no-shortfall-draw");
  std::string target = "/v1/pools/" + *id + "/preview?date=" + FormatDay(date);
  if (no_draw) target += "&no_shortfall_draw=true";
  return Query<contracts::PoolStatement>(c, target, [&](const contracts::PoolStatement& s) {
    c.out() << "Preview of the payment date " << FormatDay(date)
            << " with the collections recorded so far (nothing is written; `pool pay` runs it):\n\n";
    PrintStatement(c.out(), s);
    if (s.guarantor_draw_fen() > 0) {
      c.out() << "\nThe waterfall draws " << Yuan(s.guarantor_draw_fen())
              << " from the guarantor (H5): its GUARANTOR account co-signs `pool pay`.\n";
    }
  });
}

int RunPools(Context& c) {
  auto v = c.args().Require("trustee");
  if (!v.ok()) return c.Fail(v.status());
  auto org = ParseOrgId("trustee", *v);
  if (!org.ok()) return c.Fail(org.status());
  return Query<contracts::PoolList>(c, "/v1/pools?trustee=" + *org, [&](const contracts::PoolList& l) {
    if (l.pools_size() == 0) {
      c.out() << "No pools of trustee " << *org << ".\n";
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : l.pools()) {
      rows.push_back({p.id(), p.name(), ModelWord(p.model()), PoolStateWord(p.state()) + (p.triggered() ? ", triggered" : ""),
                      FormatDay(p.legal_maturity_date()), FormatYuan(p.deal_size_fen()), std::to_string(p.active_members()),
                      std::to_string(p.payment_count())});
    }
    PrintTable(c.out(), {"POOL", "NAME", "MODEL", "STATE", "MATURITY", "DEAL SIZE", "MEMBERS", "PAYMENTS"}, rows);
  });
}

int RunHoldings(Context& c) {
  auto v = c.args().Require("investor");
  if (!v.ok()) return c.Fail(v.status());
  auto org = ParseOrgId("investor", *v);
  if (!org.ok()) return c.Fail(org.status());
  return Query<contracts::HoldingList>(c, "/v1/holdings?investor=" + *org, [&](const contracts::HoldingList& l) {
    if (l.holdings_size() == 0) {
      c.out() << "No holdings of " << *org << ".\n";
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& h : l.holdings()) {
      rows.push_back({h.pool_id(), std::to_string(h.rank()), Count(h.units()), FormatYuan(h.units() * contracts::kUnitFaceFen),
                      FormatYuan(h.interest_received_fen()), FormatYuan(h.principal_received_fen()),
                      FormatYuan(h.residual_received_fen())});
    }
    PrintTable(c.out(), {"POOL", "RANK", "UNITS", "FACE", "INTEREST", "PRINCIPAL", "RESIDUAL"}, rows);
  });
}

int RunOrgList(Context& c) {
  std::string target = "/v1/orgs";
  if (auto k = c.args().Get("kind")) {
    // The friendly kind words of `gov org-add --kind`.
    std::string word = NormaliseWord(*k);
    std::string name = "ORG_";
    for (char ch : word) name += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    contracts::OrgKind kind;
    if (!contracts::OrgKind_Parse(name, &kind) || kind == contracts::ORG_KIND_UNSPECIFIED) {
      return c.Fail(FlagError("kind", "'" + *k + "' is not one of: ip-office, bank, appraiser, trustee, guarantor, "
                                          "auditor, sme, individual-business, enterprise, patent-agency, investor"));
    }
    target += "?kind=" + name;
  }
  return Query<api::OrgList>(c, target, [&](const api::OrgList& l) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& o : l.organisations()) {
      rows.push_back({o.id(), Friendly(contracts::OrgKind_Name(o.kind()), "ORG_"), o.name(), o.address()});
    }
    PrintTable(c.out(), {"ID", "KIND", "NAME", "ADDRESS"}, rows);
    if (l.truncated()) c.out() << "(more organisations than shown)\n";
  });
}

Command Q(std::string group, std::string name, std::string operands, std::string summary, std::string details,
          std::vector<FlagDef> flags, std::vector<std::string> examples, std::function<int(Context&)> run) {
  Command c;
  c.group = std::move(group);
  c.name = std::move(name);
  c.operands = std::move(operands);
  c.summary = std::move(summary);
  c.details = std::move(details);
  c.flags = std::move(flags);
  c.examples = std::move(examples);
  c.kind = CommandKind::kQuery;
  c.run = std::move(run);
  return c;
}

}  // namespace

void AddQueryCommands(std::vector<Command>* out) {
  const std::vector<FlagDef> page = {{"limit", "N", "at most N entries (1-1000, default 100)", false, false},
                                     {"after", "CURSOR", "continue after this cursor (printed as 'More:')", false, false}};
  out->push_back(Q("", "status", "", "Show the node: chain, Raft role, height, peers", "", {},
                   {"pledger-wallet status"}, RunStatus));
  out->push_back(Q("", "validators", "", "List the validator set (nodes, roles, operators, addresses)", "", {},
                   {"pledger-wallet validators"}, RunValidators));
  out->push_back(Q("", "history", "ENTITY", "History of any entity: patent/…, pledge/…, pool/…, org/…, account/…, params",
                   "Every transaction that named the entity, accepted or refused, oldest first.", page,
                   {"pledger-wallet history pledge/3f2a…", "pledger-wallet history org/qtbank"}, RunHistory));
  out->push_back(Q("patent", "show", "PATENT", "Show a patent: status, owners, active pledge, licences, valuations",
                   "", {}, {"pledger-wallet patent show ZL201410362077.3"}, RunPatentShow));
  out->push_back(Q("patent", "history", "PATENT", "Every transaction that touched a patent, in order", "", page,
                   {"pledger-wallet patent history ZL201410362077.3"}, RunPatentHistory));
  out->push_back(Q("pledge", "show", "ID", "Show a pledge (now, or after block --height)", "",
                   {{"height", "H", "the pledge as it was after block H", false, false}},
                   {"pledger-wallet pledge show 3f2a…"}, RunPledgeShow));
  out->push_back(Q("pledge", "list", "", "A bank's or a borrower's pledges, ranked by registration (R18)", "",
                   {{"bank", "ORG", "pledges of this bank", false, false},
                    {"borrower", "ORG", "pledges securing this borrower's debts", false, false},
                    {"limit", "N", "pledges per page (1-1000, default 1000)", false, false},
                    {"after", "RANK", "continue after this rank (printed as 'More:')", false, false}},
                   {"pledger-wallet pledge list --bank qtbank", "pledger-wallet pledge list --borrower lianke",
                    "pledger-wallet pledge list --bank qtbank --after 1000"},
                   RunPledgeList));
  out->push_back(Q("valuation", "show", "ID", "Show a valuation", "", {}, {"pledger-wallet valuation show 9c1d…"},
                   RunValuationShow));
  out->push_back(Q("account", "show", "KEY", "Show the account of a public key (or of a key in this wallet)", "",
                   {{"height", "H", "the account as it was after block H", false, false}},
                   {"pledger-wallet account show qtbank", "pledger-wallet account show 8a88e3dd…"}, RunAccountShow));
  out->push_back(Q("org", "show", "ID", "Show an organisation (and a bank's lending policy)", "",
                   {{"height", "H", "the organisation as it was after block H", false, false}},
                   {"pledger-wallet org show qtbank", "pledger-wallet org show qtbank --height 17"}, RunOrgShow));
  out->push_back(Q("org", "lending", "BANK", "A bank's pledge figures: NPL (R30), renewals, borrowers (R35)", "", {},
                   {"pledger-wallet org lending qtbank"}, RunOrgLending));
  out->push_back(Q("tx", "show", "ID", "Show a committed transaction with its receipt", "", {},
                   {"pledger-wallet tx show 5f3c…"}, RunTxShow));
  out->push_back(Q("params", "show", "", "Show the chain parameters (now, or after block --height)", "",
                   {{"height", "H", "the parameters as they were after block H", false, false}},
                   {"pledger-wallet params show", "pledger-wallet history params"}, RunParamsShow));
  out->push_back(Q("org", "list", "", "List organisations (of one kind)", "",
                   {{"kind", "KIND", "ip-office, bank, appraiser, trustee, guarantor, auditor, sme, individual-business, "
                                     "enterprise, patent-agency or investor", false, false}},
                   {"pledger-wallet org list --kind trustee"}, RunOrgList));
  out->push_back(Q("pool", "show", "POOL", "Show a pool: members, tranches, holdings, statement dates", "", {},
                   {"pledger-wallet pool show 5be1…"}, RunPoolShow));
  out->push_back(Q("pool", "statement", "POOL", "Show the statement of one payment date (the waterfall, step by step)",
                   "", {{"date", "DATE", "the payment date", false, true}},
                   {"pledger-wallet pool statement 5be1… --date 2027-12-01"}, RunPoolStatement));
  out->push_back(Q("pool", "preview", "POOL", "What `pool pay` would do on a date, including the guarantor's draw",
                   "Runs the ledger's waterfall over the collections recorded so far without writing anything: the "
                   "statement the payment date would leave. A guarantor checks here what it co-signs (H5); dates "
                   "after today are allowed for planning.",
                   {{"date", "DATE", "the payment date (default today)", false, false},
                    {"no-shortfall-draw", "", "as if the guarantor did not pay", false, false}},
                   {"pledger-wallet pool preview 5be1… --date 2027-12-01"}, RunPoolPreview));
  out->push_back(Q("", "pools", "", "A trustee's pools, in creation order", "",
                   {{"trustee", "ORG", "the trustee", false, true}}, {"pledger-wallet pools --trustee spv1"}, RunPools));
  out->push_back(Q("", "holdings", "", "An investor's tranche holdings", "",
                   {{"investor", "ORG", "the investor organisation", false, true}},
                   {"pledger-wallet holdings --investor inv-a"}, RunHoldings));
}

}  // namespace pledger::tools::wallet
