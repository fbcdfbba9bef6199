// The transaction flow shared by every transaction command, and the file
// commands built on it: sign, inspect, submit (docs/wallet.md).
//
//   build action (flags)  ->  chain id, expiry, nonce  ->  [--dry-run: explain]
//   -> sign with the profile's key (unless --no-sign)
//   -> --out FILE: write the draft and say who still has to sign
//   -> else: check every required party signed, submit, wait, print the receipt
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <sstream>

#include "contracts/engine.h"
#include "ledger/tx.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/errors.h"
#include "tools/wallet/preflight.h"
#include "tools/wallet/txfile.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A transaction submitted right away needs far fewer blocks of validity than
// a draft travelling between signers (which gets the whole window).
constexpr std::uint64_t kDirectExpiryBlocks = 1000;
constexpr std::int64_t kDefaultWaitSeconds = 120;

Result<std::int64_t> TimeoutSeconds(Context& c) {
  auto v = c.args().Get("timeout");
  if (!v) return kDefaultWaitSeconds;
  std::string t = *v;
  if (!t.empty() && t.back() == 's') t.pop_back();
  return ParseInt("timeout", t, 1, 3600);
}

// Local key names by public key, to show "your key 'qtbank'".
std::map<std::string, std::string> LocalKeys(Context& c) {
  std::map<std::string, std::string> out;
  auto list = c.keystore().List();
  if (list.ok()) {
    for (const KeyFile& f : *list) out.emplace(f.public_key_hex(), f.name());
  }
  return out;
}

std::string PartyList(const std::vector<RequirementView>& req, const std::string& state) {
  std::string out;
  for (const auto& r : req) {
    if (r.state() == state) out += (out.empty() ? "" : "; ") + r.party();
  }
  return out;
}

}  // namespace

std::vector<SignerInfo> ResolveSigners(Context& c, const ledger::Transaction& tx) {
  std::vector<SignerInfo> out;
  for (const auto& sig : tx.signatures()) {
    SignerInfo s;
    s.public_key_hex = ledger::HexEncode(sig.public_key());
    if (c.lookup() != nullptr) {
      auto n = c.node();
      if (n.ok()) {
        auto acc = (*n)->Account(s.public_key_hex);
        c.Observe(acc.status());
        if (acc.ok()) {
          s.resolved = true;
          s.account = *acc;
        } else if (acc.status().IsNotFound()) {
          s.resolved = true;
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<RequirementView> EvaluateRequirements(const contracts::Requirements& req,
                                                  const std::vector<SignerInfo>& signers, bool* complete,
                                                  bool* any_missing) {
  std::vector<RequirementView> out;
  *complete = true;
  *any_missing = false;
  for (const contracts::Party& p : req.parties) {
    std::vector<std::string> by;
    PartyState st = EvaluateParty(p, signers, &by);
    RequirementView v;
    v.set_party(p.label);
    v.set_state(PartyStateName(st));
    for (auto& k : by) v.add_signed_by(k);
    if (st != PartyState::kSigned) *complete = false;
    if (st == PartyState::kMissing) *any_missing = true;
    out.push_back(std::move(v));
  }
  return out;
}

namespace {

// What `inspect` shows, also printed after writing a draft or signing.
InspectView BuildInspect(Context& c, const LoadedTx& t) {
  InspectView v;
  v.set_tx_id(ledger::HexEncode(t.id));
  v.set_chain_id(t.body.chain_id());
  v.set_action(contracts::ActionName(t.body.action()));
  for (const auto& line : Describe(t.body.action()).Lines()) v.add_description(line);
  if (!t.body.memo().empty()) v.add_description("  Memo: " + Printable(t.body.memo()));
  v.set_expiry_height(t.body.expiry_height());
  if (CreatesObject(t.body.action())) v.set_object_id(contracts::ObjectIdFromTxId(t.id));
  if (!t.file.description().empty() && t.file.description() != DescriptionText(t.body)) {
    v.add_notes("the file's description text differs from what its signed body says (edited, or written by "
                "another wallet version); the explanation here is read from the signed body");
  }
  if (c.HasNodeUrl() && !c.node_down()) {
    auto n = c.node();
    if (n.ok()) {
      auto st = (*n)->NodeStatus();
      c.Observe(st.status());
      if (st.ok()) {
        v.set_node_height(st->height());
        if (st->chain_id() != t.body.chain_id()) {
          v.add_notes("this transaction is for chain '" + t.body.chain_id() + "' but the node at " + (*n)->url() +
                      " runs '" + st->chain_id() + "': it cannot be submitted there");
        }
        if (st->height() >= t.body.expiry_height()) {
          v.add_notes("EXPIRED: the chain is at height " + std::to_string(st->height()) +
                      ", so this transaction (valid up to block " + std::to_string(t.body.expiry_height()) +
                      ") can never be committed; draft it again");
        }
      } else {
        v.add_notes("node " + (*n)->url() + " did not answer (" + std::string(st.status().message()) +
                    "); signers cannot be matched to organisations");
      }
    }
  } else if (c.node_down()) {
    v.add_notes("the node did not answer: signers cannot be matched to organisations");
  } else {
    v.add_notes("no node configured: signers cannot be matched to organisations (give --node URL or use a profile)");
  }
  std::vector<SignerInfo> signers = ResolveSigners(c, t.file.tx());
  auto local = LocalKeys(c);
  for (size_t i = 0; i < signers.size(); ++i) {
    SignerView s;
    s.set_public_key_hex(signers[i].public_key_hex);
    s.set_signature_valid(i < t.signature_valid.size() && t.signature_valid[i]);
    if (signers[i].account) {
      s.set_org_id(signers[i].account->org_id());
      for (int r : signers[i].account->roles()) s.add_roles(RoleWord(static_cast<contracts::Role>(r)));
      s.set_suspended(signers[i].account->suspended() || !signers[i].account->rotated_to_hex().empty());
    }
    if (auto it = local.find(signers[i].public_key_hex); it != local.end()) s.set_local_key(it->second);
    *v.add_signatures() = s;
  }
  // Only valid signatures count towards the requirements.
  std::vector<SignerInfo> valid;
  for (size_t i = 0; i < signers.size(); ++i) {
    if (i < t.signature_valid.size() && t.signature_valid[i]) valid.push_back(signers[i]);
  }
  contracts::Requirements req = contracts::RequiredSigners(t.body.action(), c.lookup());
  bool complete = false, missing = false;
  for (auto& r : EvaluateRequirements(req, valid, &complete, &missing)) *v.add_required() = r;
  v.set_complete(complete && !req.parties.empty());
  for (const auto& n : req.notes) v.add_notes(n);
  return v;
}

void PrintInspect(std::ostream& o, const InspectView& v) {
  o << "Transaction " << v.tx_id() << "\n";
  std::vector<std::pair<std::string, std::string>> head{{"Chain", v.chain_id()}};
  std::string exp = "valid up to block " + std::to_string(v.expiry_height());
  if (v.node_height() > 0) exp += " (the chain is at " + std::to_string(v.node_height()) + ")";
  head.emplace_back("Expires", exp);
  if (!v.object_id().empty()) head.emplace_back("Creates", v.action().substr(0, v.action().find('_')) + " " + v.object_id());
  PrintFields(o, head, "  ");
  o << "\nWhat it does:\n";
  for (const auto& line : v.description()) o << "  " << line << "\n";
  o << "\nSignatures (" << v.signatures_size() << "):\n";
  if (v.signatures_size() == 0) o << "  none yet\n";
  for (const auto& s : v.signatures()) {
    std::string who;
    if (!s.org_id().empty()) {
      std::string roles;
      for (const auto& r : s.roles()) roles += (roles.empty() ? "" : ", ") + r;
      who = s.org_id() + " (" + roles + ")" + (s.suspended() ? " SUSPENDED OR RETIRED" : "");
    }
    if (!s.local_key().empty()) who += std::string(who.empty() ? "" : ", ") + "your key '" + s.local_key() + "'";
    o << "  " << (s.signature_valid() ? "[valid]  " : "[INVALID]") << " " << s.public_key_hex() << (who.empty() ? "" : "  " + who)
      << "\n";
  }
  o << "\nRequired signers:\n";
  for (const auto& r : v.required()) {
    std::string tag = r.state() == "SIGNED" ? "[signed] " : r.state() == "MISSING" ? "[MISSING]" : "[unknown]";
    o << "  " << tag << " " << r.party() << "\n";
  }
  std::vector<RequirementView> req(v.required().begin(), v.required().end());
  o << "\n";
  if (v.complete()) {
    o << "Complete: every required party signed. Submit with `pledger-wallet submit FILE`.\n";
  } else {
    std::string missing = PartyList(req, "MISSING");
    std::string unknown = PartyList(req, "UNKNOWN");
    if (!missing.empty()) o << "Still to sign: " << missing << "\n";
    if (!unknown.empty()) o << "Cannot tell without a node whether these signed: " << unknown << "\n";
  }
  for (const auto& n : v.notes()) o << "Note: " << n << "\n";
}

SubmitResult ResultFromView(const api::TxView& view, const ledger::TxBody& body, const std::string& id_hex) {
  SubmitResult r;
  r.set_tx_id(id_hex);
  r.set_status(view.status().empty() ? "COMMITTED" : view.status());
  r.set_height(view.height());
  r.set_index(view.index());
  r.set_action(contracts::ActionName(body.action()));
  const api::ReceiptView& rc = view.receipt();
  r.set_code(rc.code().empty() ? view.receipt_code() : rc.code());
  r.set_message(rc.message());
  r.set_rule(rc.rule());
  for (const auto& g : rc.grounds()) r.add_grounds(g);
  for (const auto& e : rc.events()) *r.add_events() = e;
  if (r.code() == "OK" && CreatesObject(body.action())) {
    auto id = ledger::HashFromHex(id_hex);
    if (id.ok()) r.set_object_id(contracts::ObjectIdFromTxId(*id));
  }
  return r;
}

bool IsAdmissionRefusal(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kPermissionDenied ||
         s.code() == StatusCode::kFailedPrecondition || s.code() == StatusCode::kUnauthenticated ||
         s.code() == StatusCode::kNotFound;
}

// The profiles of this wallet whose key is an account that satisfies
// `party` (asked of the node): whom to tell to sign.
std::vector<std::string> ProfilesFor(Context& c, const contracts::Party& party) {
  std::vector<std::string> out;
  if (c.lookup() == nullptr) return out;
  auto cfg = c.config().Load();
  auto n = c.node();
  if (!cfg.ok() || !n.ok()) return out;
  for (const Profile& p : cfg->profiles()) {
    if (p.key().empty()) continue;
    auto info = c.keystore().Info(p.key());
    if (!info.ok()) continue;
    SignerInfo s;
    s.public_key_hex = info->public_key_hex();
    auto acc = (*n)->Account(s.public_key_hex);
    c.Observe(acc.status());
    if (!acc.ok()) continue;
    s.resolved = true;
    s.account = *acc;
    std::vector<std::string> by;
    if (EvaluateParty(party, {s}, &by) == PartyState::kSigned) out.push_back(p.name());
  }
  return out;
}

// Refuses to submit when a required party certainly has not signed (the
// contracts would refuse it) and says who must still sign and how: for a
// file, `pledger-wallet sign FILE` with a profile of that party (the
// wallet's own profiles that fit are named); for a direct command, write a
// draft with --out first. nullopt: go on.
std::optional<int> CheckSignersBeforeSubmit(Context& c, const ledger::Transaction& tx, const ledger::TxBody& body,
                                            const std::string& file = "") {
  if (c.args().Has("force")) return std::nullopt;
  std::vector<SignerInfo> signers = ResolveSigners(c, tx);
  contracts::Requirements req = contracts::RequiredSigners(body.action(), c.lookup());
  bool complete = false, missing = false;
  auto views = EvaluateRequirements(req, signers, &complete, &missing);
  if (!missing) return std::nullopt;
  WalletError e;
  e.set_code("SIGNATURE_MISSING");
  e.set_exit_code(kExitUsage);
  std::string how;
  for (size_t i = 0; i < views.size() && i < req.parties.size(); ++i) {
    if (views[i].state() != "MISSING") continue;
    e.add_missing(views[i].party());
    if (file.empty()) continue;
    std::vector<std::string> profiles = ProfilesFor(c, req.parties[i]);
    std::string cmd;
    for (const auto& p : profiles) {
      cmd += std::string(cmd.empty() ? "" : " or ") + "`pledger-wallet --profile " + p + " sign " + file + "`";
    }
    how += "\n  " + views[i].party() + ": " +
           (cmd.empty() ? "an account of that party runs `pledger-wallet sign " + file +
                              "` (with its own profile, or --key NAME)"
                        : cmd + " (your profile" + (profiles.size() > 1 ? "s" : "") + " for that party)");
  }
  if (file.empty()) {
    e.set_message("this transaction also needs the signature of: " + PartyList(views, "MISSING") +
                  ". Write it to a file with --out FILE, have them run `pledger-wallet sign FILE`, then "
                  "`pledger-wallet submit FILE` (or --force to submit anyway)");
  } else {
    e.set_message(file + " still needs the signature of: " + PartyList(views, "MISSING") + "." + how +
                  "\nThen run `pledger-wallet submit " + file + "` again (--force submits it as it is; the ledger "
                  "would refuse it)");
  }
  return c.Fail(e);
}

// --quiet: only the id of what was created (or the transaction id) on
// stdout, for `ID=$(pledger-wallet ... --quiet)`; refusals go to stderr.
bool Quiet(Context& c) { return c.args().Has("quiet") && !c.json(); }

std::string QuietId(const SubmitResult& r) { return r.object_id().empty() ? r.tx_id() : r.object_id(); }

// Prints a committed transaction's outcome; returns 0 or 4.
int Report(Context& c, const SubmitResult& r) {
  if (c.json()) {
    c.out() << io::ApiJsonFromMessage(r, {.pretty = true}) << "\n";
  } else if (Quiet(c)) {
    if (r.code() == "OK") {
      c.out() << QuietId(r) << "\n";
    } else {
      c.err() << "pledger-wallet: REFUSED: " << r.code() << (r.rule().empty() ? "" : " (" + r.rule() + ")") << ": "
              << r.message() << "\n";
    }
  } else {
    PrintReceipt(c.out(), r);
  }
  return r.code() == "OK" ? kExitOk : kExitRejected;
}

}  // namespace

int SubmitAndReport(Context& c, const ledger::Transaction& tx, const ledger::TxBody& body) {
  const std::string id_hex = ledger::HexEncode(ledger::TxId(tx));
  auto timeout = TimeoutSeconds(c);
  if (!timeout.ok()) return c.Fail(timeout.status());
  const bool wait = !c.args().Has("no-wait");
  auto n = c.node();
  if (!n.ok()) return c.Fail(n.status());
  const auto deadline = std::chrono::steady_clock::now() + seconds(*timeout);
  // A transaction id names one body forever: once committed (accepted or
  // refused) the node only reports the old receipt. Say so rather than
  // presenting it as the outcome of this submission.
  {
    api::TxView earlier;
    Status s = c.Observe((*n)->Get("/v1/txs/" + id_hex, &earlier));
    if (s.ok() && earlier.status() == "COMMITTED") {
      SubmitResult r = ResultFromView(earlier, body, id_hex);
      if (!c.json() && !Quiet(c)) {
        c.out() << "This transaction was already committed at height " << earlier.height()
                << " (submitted before); its receipt:\n";
      }
      int code = Report(c, r);
      if (code != kExitOk && !c.json()) {
        c.err() << "A refused transaction stays refused under its id: to try again, draft a new one.\n";
      }
      return code;
    }
    if (s.reason() == "NODE_UNREACHABLE") return c.Fail(s);
  }
  const std::string raw = ledger::SerializeCanonical(tx);
  auto resp = (*n)->Submit(raw, wait ? std::min<milliseconds>(seconds(*timeout), milliseconds(60000)) : milliseconds(0));
  // The node answered the look-up above, so it went away while it held the
  // request (killed, restarting): the transaction may be admitted, committed
  // or lost. Waiting finds out, and hands it over again if it was lost.
  bool sent_unanswered = false;
  if (!resp.ok() && wait && resp.status().reason() == "NODE_UNREACHABLE") {
    c.Observe(resp.status());
    sent_unanswered = true;
    resp = api::SubmitResponse();
  }
  if (!resp.ok()) {
    c.Observe(resp.status());
    if (IsAdmissionRefusal(resp.status())) {
      SubmitResult r;
      r.set_tx_id(id_hex);
      r.set_status("REFUSED");
      r.set_code(std::string(resp.status().reason()));
      r.set_message(std::string(resp.status().message()));
      r.set_action(contracts::ActionName(body.action()));
      if (c.json()) {
        c.out() << io::ApiJsonFromMessage(r, {.pretty = true}) << "\n";
      } else {
        (Quiet(c) ? c.err() : c.out()) << "REFUSED by the node before ordering: " << r.code() << "\n  "
                                       << r.message() << "\n  transaction " << id_hex << "\n";
      }
      return kExitRejected;
    }
    return c.Fail(resp.status());
  }
  if (!wait) {
    SubmitResult r;
    r.set_tx_id(id_hex);
    r.set_status(resp->status().empty() ? "PENDING" : resp->status());
    r.set_action(contracts::ActionName(body.action()));
    if (c.json()) {
      c.out() << io::ApiJsonFromMessage(r, {.pretty = true}) << "\n";
    } else if (Quiet(c)) {
      c.out() << id_hex << "\n";
    } else {
      c.out() << "Submitted " << id_hex << " (" << r.status() << "); see the receipt with `pledger-wallet tx show "
              << id_hex << "`\n";
    }
    return kExitOk;
  }
  api::TxView view;
  if (resp->status() == "COMMITTED" && resp->has_tx()) {
    view = resp->tx();
  } else {
    if (c.io().interactive) {
      c.Note(sent_unanswered ? "the node did not answer; waiting for " + id_hex + " to be committed..."
                             : "waiting for " + id_hex + " to be committed...");
    }
    auto w = (*n)->WaitForTx(id_hex, deadline, &raw);
    if (!w.ok()) {
      c.Observe(w.status());
      return c.Fail(w.status());
    }
    view = *w;
  }
  if (view.status() != "COMMITTED") {
    SubmitResult r;
    r.set_tx_id(id_hex);
    r.set_status("PENDING");
    r.set_action(contracts::ActionName(body.action()));
    if (c.json()) c.out() << io::ApiJsonFromMessage(r, {.pretty = true}) << "\n";
    c.err() << "pledger-wallet: not committed within " << *timeout << " s; it may still be. Check with "
            << "`pledger-wallet tx show " << id_hex << "`\n";
    return kExitOther;
  }
  return Report(c, ResultFromView(view, body, id_hex));
}

namespace {

// Flags of a transaction command that conflict, or need another.
Status CheckTxFlags(Context& c) {
  const bool draft = c.args().Has("out");
  const bool dry = c.args().Has("dry-run");
  if (c.args().Has("no-sign") && !draft && !dry) {
    return UsageError("--no-sign: an unsigned transaction can only be written with --out FILE");
  }
  if (c.args().Has("wait") && c.args().Has("no-wait")) return UsageError("give --wait or --no-wait, not both");
  return TimeoutSeconds(c).status();
}

// What the configured node says about the chain: needed to submit; otherwise
// for the chain id and height, unless they are given.
struct NodeView {
  std::optional<api::StatusView> status;  // absent: no node configured, or it did not answer
  Status error;                           // why a configured node gave no status
};

Result<NodeView> AskNode(Context& c) {
  NodeView v;
  if (!c.HasNodeUrl()) return v;
  PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
  auto st = n->NodeStatus();
  c.Observe(st.status());
  if (st.ok()) {
    v.status = *st;
  } else {
    v.error = st.status();
  }
  return v;
}

// The chain id of the settings, which must be the node's; the node's if the
// settings have none.
Result<std::string> ChainId(const Settings& settings, const NodeView& node) {
  std::string chain = settings.chain_id;
  if (node.status) {
    if (chain.empty()) chain = node.status->chain_id();
    if (chain != node.status->chain_id()) {
      return UsageError("--chain-id: the profile says chain '" + chain + "' but the node at " + settings.node_url +
                        " runs '" + node.status->chain_id() + "'; fix the profile");
    }
  }
  if (chain.empty()) {
    return UsageError("--chain-id: no chain id; give --chain-id ID, set it in the profile, or reach a node");
  }
  return chain;
}

// The last block the transaction may enter: --expiry-height, or the node's
// height plus --expires-in blocks (by default the chain's whole window for a
// draft, at most kDirectExpiryBlocks for a direct submission).
Result<std::uint64_t> ExpiryHeight(Context& c, const NodeView& node, bool draft) {
  if (c.args().Has("expiry-height") && c.args().Has("expires-in")) {
    return UsageError("give --expiry-height or --expires-in, not both");
  }
  if (auto v = c.args().Get("expiry-height")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t h, ParseInt("expiry-height", *v, 1, std::int64_t{1} << 62));
    const auto expiry = static_cast<std::uint64_t>(h);
    if (node.status && expiry <= node.status->height()) {
      return FlagError("expiry-height", "block " + std::to_string(expiry) + " is already past (the chain is at " +
                                            std::to_string(node.status->height()) + ")");
    }
    return expiry;
  }
  if (!node.status) {
    std::string why = c.HasNodeUrl() ? " (" + std::string(node.error.message()) + ")" : "";
    return UsageError("--expiry-height: no reachable node to learn the chain height from" + why +
                      "; give --expiry-height H to draft offline (the transaction is valid up to block H)");
  }
  PLEDGER_ASSIGN_OR_RETURN(NodeClient * n, c.node());
  auto params = n->Params();
  c.Observe(params.status());
  if (!params.ok()) return params.status();
  const std::uint64_t window = std::max<std::uint64_t>(1, params->max_expiry_window());
  std::uint64_t blocks = draft ? window : std::min(window, kDirectExpiryBlocks);
  if (auto in = c.args().Get("expires-in")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t b, ParseInt("expires-in", *in, 1, static_cast<std::int64_t>(window)));
    blocks = static_cast<std::uint64_t>(b);
  }
  return node.status->height() + blocks;
}

// The body carrying `action`: the chain, --nonce (or a fresh one), the
// expiry and --memo.
Result<ledger::TxBody> MakeBody(Context& c, const std::string& chain, std::uint64_t expiry,
                                const contracts::Action& action) {
  std::uint64_t nonce = 0;
  if (auto v = c.args().Get("nonce")) {
    PLEDGER_ASSIGN_OR_RETURN(std::int64_t n, ParseInt("nonce", *v, 0, std::numeric_limits<std::int64_t>::max()));
    nonce = static_cast<std::uint64_t>(n);
  } else {
    nonce = c.io().nonce ? c.io().nonce() : 0;
  }
  std::string memo = c.args().Get("memo").value_or("");
  if (memo.size() > ledger::kMaxMemoBytes) return FlagError("memo", "at most 256 bytes");
  ledger::TxBody body;
  body.set_chain_id(chain);
  body.set_nonce(nonce);
  body.set_expiry_height(expiry);
  body.set_memo(memo);
  *body.mutable_action() = action;
  return body;
}

// --dry-run: shows what would be signed; nothing is signed, written or sent.
int ShowDryRun(Context& c, const ledger::Transaction& tx, const ledger::TxBody& body) {
  LoadedTx t;
  t.body = body;
  t.id = ledger::TxId(tx);
  *t.file.mutable_tx() = tx;
  InspectView v = BuildInspect(c, t);
  if (c.json()) {
    c.out() << io::ApiJsonFromMessage(v, {.pretty = true}) << "\n";
  } else if (Quiet(c)) {
    c.out() << (v.object_id().empty() ? v.tx_id() : v.object_id()) << "\n";
  } else {
    PrintInspect(c.out(), v);
    c.out() << "Dry run: nothing was signed, written or sent.\n";
  }
  return kExitOk;
}

// Unlocks the settings' key to sign `action`, after showing an interactive
// user what it will sign: the passphrase is consent to exactly this. Done
// before the node is asked anything, so reads signed with the same key do
// not ask first, with other words.
Status UnlockToSign(Context& c, const Settings& settings, const contracts::Action& action) {
  if (settings.key.empty()) {
    return UsageError("--key: no key to sign with; give --key NAME or set one in the profile "
                      "(`pledger-wallet profile add`), or use --no-sign with --out");
  }
  if (c.io().interactive) {
    c.err() << "You are about to sign:\n";
    for (const auto& line : Describe(action).Lines()) c.err() << "  " << line << "\n";
  }
  return c.UnlockKey(settings.key).status();
}

Status SignWithOwnKey(Context& c, const Settings& settings, ledger::Transaction* tx) {
  PLEDGER_ASSIGN_OR_RETURN(std::shared_ptr<const ledger::SecretKey> key, c.UnlockKey(settings.key));
  ledger::SignTransaction(tx, *key);
  return Status::OK();
}

// --out FILE: writes the draft, then shows it and who still has to sign.
int WriteDraft(Context& c, const ledger::Transaction& tx, bool signed_by_us) {
  auto file = MakeTxFile(tx, NowRfc3339());
  if (!file.ok()) return c.Fail(file.status());
  const std::string path = *c.args().Get("out");
  Status s = WriteTxFile(path, *file, c.args().Has("force"));
  if (!s.ok()) return c.Fail(s);
  auto loaded = ReadTxFile(path);
  if (!loaded.ok()) return c.Fail(loaded.status());
  InspectView v = BuildInspect(c, *loaded);
  if (c.json()) {
    c.out() << io::ApiJsonFromMessage(v, {.pretty = true}) << "\n";
  } else if (Quiet(c)) {
    c.out() << (v.object_id().empty() ? v.tx_id() : v.object_id()) << "\n";
  } else {
    c.out() << "Wrote " << path << " (" << (signed_by_us ? "signed by you" : "unsigned") << ").\n\n";
    PrintInspect(c.out(), v);
    if (!v.complete()) {
      c.out() << "\nNext: send " << path << " to each missing party; they run `pledger-wallet sign " << path
              << "`; then `pledger-wallet submit " << path << "`.\n";
    }
  }
  return kExitOk;
}

}  // namespace

// Build the action from the flags, wrap it in a body, then one of: show it
// (--dry-run), write a draft (--out), or check the signers and submit.
int RunTxCommand(Context& c) {
  const bool draft = c.args().Has("out");
  const bool dry = c.args().Has("dry-run");
  const bool no_sign = c.args().Has("no-sign");
  if (Status s = CheckTxFlags(c); !s.ok()) return c.Fail(s);
  auto settings = c.settings();
  if (!settings.ok()) return c.Fail(settings.status());

  auto action = c.command().build(c);
  if (!action.ok()) return c.Fail(action.status());
  if (!dry && !no_sign) {
    if (Status s = UnlockToSign(c, *settings, *action); !s.ok()) return c.Fail(s);
  }

  auto node = AskNode(c);
  if (!node.ok()) return c.Fail(node.status());
  if (!node->status && !draft && !dry) {
    if (!c.HasNodeUrl()) {
      return c.Fail(UsageError("--node: no node to submit to; give --node URL or set up a profile, or write the "
                               "transaction to a file with --out FILE"));
    }
    return c.Fail(node->error);
  }
  auto chain = ChainId(*settings, *node);
  if (!chain.ok()) return c.Fail(chain.status());
  auto expiry = ExpiryHeight(c, *node, draft);
  if (!expiry.ok()) return c.Fail(expiry.status());
  auto body = MakeBody(c, *chain, *expiry, *action);
  if (!body.ok()) return c.Fail(body.status());
  ledger::Transaction tx = ledger::MakeTransaction(*body);
  if (tx.ByteSizeLong() + 16 * 100 > ledger::kMaxTxBytes) {
    return c.Fail(UsageError("the transaction would be larger than the 64 KiB limit; split it"));
  }

  // Pre-flight: ask the node what receipt this would get, before anyone signs.
  if (auto stop = Preflight(c, tx, *body, dry ? PreflightStage::kDryRun : PreflightStage::kDraft,
                            draft ? *c.args().Get("out") : std::string())) {
    return *stop;
  }
  if (dry) return ShowDryRun(c, tx, *body);
  if (!no_sign) {
    if (Status s = SignWithOwnKey(c, *settings, &tx); !s.ok()) return c.Fail(s);
  }
  if (draft) return WriteDraft(c, tx, !no_sign);
  if (auto stop = CheckSignersBeforeSubmit(c, tx, *body)) return *stop;
  return SubmitAndReport(c, tx, *body);
}

// ---- file commands -----------------------------------------------------------------

namespace {

Result<std::string> OneOperand(Context& c, const std::string& what) {
  const auto& pos = c.args().positional();
  if (pos.empty()) return UsageError("give the " + what + ": pledger-wallet " + c.command().Words() + " " + what);
  if (pos.size() > 1) return UsageError("unexpected argument '" + pos[1] + "'");
  return pos[0];
}

int RunInspect(Context& c) {
  auto path = OneOperand(c, "FILE");
  if (!path.ok()) return c.Fail(path.status());
  auto t = ReadTxFile(*path);
  if (!t.ok()) return c.Fail(t.status());
  InspectView v = BuildInspect(c, *t);
  if (c.json()) {
    c.out() << io::ApiJsonFromMessage(v, {.pretty = true}) << "\n";
  } else {
    PrintInspect(c.out(), v);
  }
  return kExitOk;
}

int RunSign(Context& c) {
  auto path = OneOperand(c, "FILE");
  if (!path.ok()) return c.Fail(path.status());
  auto t = ReadTxFile(*path);
  if (!t.ok()) return c.Fail(t.status());
  if (!t->AllSignaturesValid()) {
    return c.Fail(Status::InvalidArgument("SIGNATURE_INVALID", *path + " carries a signature that does not verify "
                                                               "over its body; it was tampered with. Run "
                                                               "`pledger-wallet inspect " + *path + "`"));
  }
  auto settings = c.settings();
  if (!settings.ok()) return c.Fail(settings.status());
  if (!settings->chain_id.empty() && settings->chain_id != t->body.chain_id() && !c.args().Has("force")) {
    return c.Fail(UsageError("this transaction is for chain '" + t->body.chain_id() + "' but your profile uses '" +
                             settings->chain_id + "'; sign only what you expect (or --force)"));
  }
  if (settings->key.empty()) {
    return c.Fail(UsageError("--key: no key to sign with; give --key NAME or set one in the profile"));
  }
  if (static_cast<size_t>(t->file.tx().signatures_size()) >= ledger::kMaxSignaturesPerTx) {
    return c.Fail(UsageError("the transaction already carries the maximum of 16 signatures"));
  }
  // Show what is being signed before the passphrase is asked for: the
  // passphrase is the signer's consent to exactly this.
  std::ostream& show = c.json() ? c.err() : c.out();
  show << "Signing transaction " << ledger::HexEncode(t->id) << ":\n";
  for (const auto& line : Describe(t->body.action()).Lines()) show << "  " << line << "\n";
  // A signature by a key that is not an account makes the node refuse the
  // whole transaction (SIGNER_UNKNOWN), and signatures cannot be taken back
  // with this tool: check first when a node can tell.
  auto info = c.keystore().Info(settings->key);
  if (!info.ok()) return c.Fail(info.status());
  // Unlocked now, after the description: the one passphrase also signs the
  // account look-up below when there is no saved sign-in.
  auto key = c.UnlockKey(settings->key);
  if (!key.ok()) return c.Fail(key.status());
  if (c.lookup() != nullptr && !c.args().Has("force")) {
    auto n = c.node();
    if (n.ok()) {
      auto acc = (*n)->Account(info->public_key_hex());
      c.Observe(acc.status());
      if (!acc.ok() && acc.status().IsNotFound()) {
        return c.Fail(UsageError("key '" + settings->key + "' (" + info->public_key_hex() +
                                 ") is not an account on this chain; its signature would make the node refuse the "
                                 "transaction (SIGNER_UNKNOWN). Sign with your account's key (or --force)"));
      }
    }
  }
  // Pre-flight: what the ledger would answer now, before this signature is added.
  if (auto stop = Preflight(c, t->file.tx(), t->body, PreflightStage::kSign, *path)) return *stop;
  const std::string me = ledger::HexEncode((*key)->public_key());
  bool already = false;
  for (const auto& s : t->file.tx().signatures()) already = already || ledger::HexEncode(s.public_key()) == me;
  ledger::Transaction tx = t->file.tx();
  ledger::SignTransaction(&tx, **key);
  TxFile updated = t->file;
  *updated.mutable_tx() = tx;
  // The description is regenerated from the signed body, never carried over.
  updated.set_description(DescriptionText(t->body));
  const std::string out_path = c.args().Get("out").value_or(*path);
  Status s = WriteTxFile(out_path, updated, /*overwrite=*/out_path == *path || c.args().Has("force"));
  if (!s.ok()) return c.Fail(s);
  auto reread = ReadTxFile(out_path);
  if (!reread.ok()) return c.Fail(reread.status());
  InspectView v = BuildInspect(c, *reread);
  if (c.json()) {
    c.out() << io::ApiJsonFromMessage(v, {.pretty = true}) << "\n";
  } else {
    c.out() << (already ? "Already signed by key '" + settings->key + "'; signature kept.\n"
                        : "Added the signature of key '" + settings->key + "' (" + me + ") to " + out_path + ".\n")
            << "Transaction id unchanged: " << v.tx_id() << "\n\n";
    PrintInspect(c.out(), v);
  }
  return kExitOk;
}

// One file of a multi-file submit: what is sent and how to name it.
struct BatchEntry {
  std::string path;
  ledger::Transaction tx;
  ledger::TxBody body;
  std::string raw;
  std::string id_hex;
};

// The line `submit` prints for one file of a batch, and whether the ledger
// or the node refused it.
std::string BatchLine(const BatchEntry& e, const api::TxBatchResult& r, const SubmitResult& receipt, bool* refused) {
  std::string line = e.path + ": ";
  if (r.status() == "REFUSED") {
    *refused = true;
    line += "REFUSED by the node before ordering: " + r.code() + ": " + r.message();
    if (r.retryable()) line += " (the node is busy or catching up: submit it again later)";
  } else if (r.status() == "COMMITTED" && !receipt.code().empty()) {
    const bool ok = receipt.code() == "OK";
    *refused = *refused || !ok;
    line += (ok ? "Committed at height " : "REFUSED at height ") + std::to_string(receipt.height()) + ": " +
            receipt.code();
    if (!ok && !receipt.rule().empty()) line += " (" + receipt.rule() + ")";
    if (!ok) line += ": " + receipt.message();
    if (ok && !receipt.object_id().empty()) line += ", id " + receipt.object_id();
  } else {
    line += r.status().empty() ? "PENDING" : r.status();
  }
  return line + "; transaction " + e.id_hex;
}

// submit FILE FILE...: every file checked as a single submit checks it, then
// all sent in one batch request per kBatchTxsMax (POST /v1/txs/batch); one
// line per file. Exit code 4 if the node or the ledger refused any, 1 if
// any is still pending when --timeout ends.
int RunSubmitFiles(Context& c, const std::vector<std::string>& paths) {
  auto timeout = TimeoutSeconds(c);
  if (!timeout.ok()) return c.Fail(timeout.status());
  const bool wait = !c.args().Has("no-wait");
  std::vector<BatchEntry> entries;
  for (const std::string& path : paths) {
    auto t = ReadTxFile(path);
    if (!t.ok()) return c.Fail(t.status());
    if (!t->AllSignaturesValid()) {
      return c.Fail(Status::InvalidArgument("SIGNATURE_INVALID", path + " carries a signature that does not "
                                                                 "verify; run `pledger-wallet inspect " + path +
                                                                 "`; nothing was submitted"));
    }
    if (t->file.tx().signatures_size() == 0) {
      return c.Fail(Status::InvalidArgument("SIGNATURE_MISSING", path + " carries no signature; sign it first "
                                                                 "with `pledger-wallet sign " + path +
                                                                 "`; nothing was submitted"));
    }
    if (auto stop = CheckSignersBeforeSubmit(c, t->file.tx(), t->body, path)) return *stop;
    if (auto stop = Preflight(c, t->file.tx(), t->body, PreflightStage::kSubmit, path)) return *stop;
    BatchEntry e{path, t->file.tx(), t->body, ledger::SerializeCanonical(t->file.tx()),
                 ledger::HexEncode(ledger::TxId(t->file.tx()))};
    entries.push_back(std::move(e));
  }
  auto n = c.node();
  if (!n.ok()) return c.Fail(n.status());
  const auto deadline = std::chrono::steady_clock::now() + seconds(*timeout);
  const milliseconds server_wait = wait ? std::min<milliseconds>(seconds(*timeout), milliseconds(60000))
                                        : milliseconds(0);
  api::TxBatchResponse all;
  for (size_t first = 0, end = 0; first < entries.size(); first = end) {
    // As many as the node takes in one request, by count and by bytes.
    std::vector<std::string> raws;
    size_t bytes = 0;
    for (end = first; end < entries.size() && raws.size() < NodeClient::kBatchTxsMax; ++end) {
      if (!raws.empty() && bytes + entries[end].raw.size() > NodeClient::kBatchBytesMax) break;
      bytes += entries[end].raw.size();
      raws.push_back(entries[end].raw);
    }
    auto resp = (*n)->SubmitBatch(raws, server_wait);
    if (!resp.ok()) {
      c.Observe(resp.status());
      if (first > 0 && !c.json()) {
        c.err() << "pledger-wallet: the first " << first << " files were sent and may be committed (check each "
                << "with `pledger-wallet tx show ID`); the rest were not sent\n";
      }
      return c.Fail(resp.status());
    }
    for (auto& r : *resp->mutable_results()) *all.add_results() = std::move(r);
  }
  bool refused = false, pending = false;
  for (int i = 0; i < all.results_size(); ++i) {
    const BatchEntry& e = entries[static_cast<size_t>(i)];
    api::TxBatchResult* r = all.mutable_results(i);
    if (r->tx_id().empty()) r->set_tx_id(e.id_hex);
    // Still pending when the node's wait ended: wait on, up to --timeout.
    if (wait && r->status() == "PENDING") {
      auto w = (*n)->WaitForTx(e.id_hex, deadline, &e.raw);
      c.Observe(w.status());
      if (w.ok() && w->status() == "COMMITTED") {
        r->set_status("COMMITTED");
        *r->mutable_tx() = *w;
      }
    }
    SubmitResult receipt;
    if (r->status() == "COMMITTED" && r->has_tx()) receipt = ResultFromView(r->tx(), e.body, e.id_hex);
    if (r->status() == "PENDING") pending = pending || wait;
    const std::string line = BatchLine(e, *r, receipt, &refused);
    if (c.json()) continue;
    if (Quiet(c)) {
      const bool accepted = r->status() != "REFUSED" && (receipt.code().empty() || receipt.code() == "OK");
      if (accepted) {
        c.out() << (receipt.tx_id().empty() ? e.id_hex : QuietId(receipt)) << "\n";
      } else {
        c.err() << "pledger-wallet: " << line << "\n";
      }
      continue;
    }
    c.out() << line << "\n";
  }
  if (c.json()) c.out() << io::ApiJsonFromMessage(all, {.pretty = true}) << "\n";
  if (refused) return kExitRejected;
  if (pending) {
    c.err() << "pledger-wallet: not all committed within " << *timeout << " s; they may still be. Check with "
            << "`pledger-wallet tx show ID`\n";
    return kExitOther;
  }
  return kExitOk;
}

int RunSubmit(Context& c) {
  if (c.args().positional().size() > 1) {
    if (c.args().Has("wait") && c.args().Has("no-wait")) {
      return c.Fail(UsageError("give --wait or --no-wait, not both"));
    }
    return RunSubmitFiles(c, c.args().positional());
  }
  auto path = OneOperand(c, "FILE");
  if (!path.ok()) return c.Fail(path.status());
  if (c.args().Has("wait") && c.args().Has("no-wait")) return c.Fail(UsageError("give --wait or --no-wait, not both"));
  auto t = ReadTxFile(*path);
  if (!t.ok()) return c.Fail(t.status());
  if (!t->AllSignaturesValid()) {
    return c.Fail(Status::InvalidArgument("SIGNATURE_INVALID", *path + " carries a signature that does not verify; "
                                                               "run `pledger-wallet inspect " + *path + "`"));
  }
  if (t->file.tx().signatures_size() == 0) {
    return c.Fail(Status::InvalidArgument("SIGNATURE_MISSING", *path + " carries no signature; sign it first with "
                                                               "`pledger-wallet sign " + *path + "`"));
  }
  if (auto stop = CheckSignersBeforeSubmit(c, t->file.tx(), t->body, *path)) return *stop;
  if (auto stop = Preflight(c, t->file.tx(), t->body, PreflightStage::kSubmit, *path)) return *stop;
  return SubmitAndReport(c, t->file.tx(), t->body);
}

}  // namespace

void AddFileCommands(std::vector<Command>* out) {
  const FlagDef key{"key", "NAME", "sign with this key instead of the profile's", false, false};
  const FlagDef pfd{"passphrase-fd", "N", "read the key's passphrase from file descriptor N", false, false};
  const FlagDef penv{"passphrase-env", "VAR", "read the key's passphrase from environment variable VAR", false, false};
  Command sign;
  sign.name = "sign";
  sign.operands = "FILE";
  sign.summary = "Add your signature to a transaction file (offline co-signing)";
  sign.details =
      "Shows what the transaction does, asks for your key's passphrase, adds your signature over the exact body "
      "bytes and writes the file back (or to --out). The transaction id never changes. Works without a node (on an "
      "air-gapped machine: a profile without a node); with one, it first asks the node whether the ledger would "
      "accept the transaction now (pre-flight) and stops before signing one it would refuse (--force signs "
      "anyway), and says who still has to sign.";
  sign.flags = {key, pfd, penv, {"out", "FILE", "write the signed file here instead of in place", false, false},
                {"force", "",
                 "sign even if the chain id differs from your profile's, the pre-flight check says the ledger would "
                 "refuse it or the node does not answer; overwrite --out",
                 false, false}};
  sign.examples = {"pledger-wallet sign pledge.json", "pledger-wallet --profile lianke sign pledge.json"};
  sign.run = RunSign;
  out->push_back(sign);

  Command inspect;
  inspect.name = "inspect";
  inspect.operands = "FILE";
  inspect.summary = "Explain a transaction file: what it does, who signed, who still has to";
  inspect.details =
      "Reads the signed body (never the file's own description), verifies every signature and lists the parties "
      "the action needs (docs/contracts.md). With a reachable node, signer keys are matched to their organisations "
      "and roles, and ledger state that decides the signers (owners, pledgee) is read.";
  inspect.flags = {};
  inspect.examples = {"pledger-wallet inspect pledge.json", "pledger-wallet inspect pledge.json --json"};
  inspect.run = RunInspect;
  inspect.kind = CommandKind::kQuery;
  out->push_back(inspect);

  Command submit;
  submit.name = "submit";
  submit.operands = "FILE [FILE...]";
  submit.summary = "Submit signed transaction files and wait for their receipts";
  submit.details =
      "Refuses a file whose signatures do not verify, or (unless --force) one that a required party has certainly "
      "not signed yet (saying who must still sign and with which profile) or that the node's pre-flight says the "
      "ledger would refuse. Waits for the receipt unless --no-wait; exit code 4 if the ledger refused it. With "
      "several files, each is checked first (nothing is sent if one fails), then all go in one request (POST "
      "/v1/txs/batch, 256 a request): one line per file, in order, and exit code 4 if the node or the ledger "
      "refused any of them (the others still count).";
  submit.flags = {{"wait", "", "wait for the receipt (the default)", false, false},
                  {"no-wait", "", "return once the node admitted it", false, false},
                  {"timeout", "SECONDS", "how long to wait for the receipt (default 120)", false, false},
                  {"force", "", "submit even if a required signature seems missing or the pre-flight check says the "
                                "ledger would refuse it", false, false},
                  {"quiet", "", "print only the created object's id (or the transaction id)", false, false}};
  // Submitting and waiting read from the node as the profile's account.
  for (const auto& f : ReadFlags()) submit.flags.push_back(f);
  submit.examples = {"pledger-wallet submit pledge.json", "pledger-wallet submit renew-1.json renew-2.json renew-3.json"};
  submit.run = RunSubmit;
  out->push_back(submit);
}

}  // namespace pledger::tools::wallet
