#include "tools/wallet/preflight.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <array>
#include <cctype>
#include <utility>

#include "contracts/patent_number.h"
#include "ledger/bytes.h"
#include "ledger/tx.h"
#include "tools/wallet/errors.h"

namespace pledger::tools::wallet {
namespace {

// What fixes each refusal the wallet can name a fix for. The flags are those
// of the command that drafts the action (docs/wallet.md "Every command");
// codes not listed are shown with the ledger's own message.
constexpr std::array kRemedies{
    Remedy{"PLEDGE_CAUTION_ACK_REQUIRED", "--caution-ack",
           "the bank acknowledges the partner-bank caution (R33): draft again with --caution-ack"},
    Remedy{"PLEDGE_TWIN_APPLICATION_UNACKNOWLEDGED", "--risk-ack",
           "the parties proceed despite the same-day twin application (R7j): draft again with --risk-ack"},
    Remedy{"PLEDGE_INVALIDATION_PENDING_UNACKNOWLEDGED", "--risk-ack",
           "the parties proceed despite the pending invalidation (R7k): draft again with --risk-ack"},
    Remedy{"PLEDGE_LTV_EXCEEDED", "--principal",
           "lower --principal, or give a --valuation with a higher realisable value (R29)"},
    Remedy{"PLEDGE_VALUATION_NOT_FOUND", "--valuation", "give the id of a valuation on the ledger (R4)"},
    Remedy{"PLEDGE_VALUATION_MISMATCH", "--valuation", "give a valuation that covers every pledged patent (R4)"},
    Remedy{"PLEDGE_VALUATION_LAPSED", "--valuation", "record a new valuation and give its id (R28)"},
    Remedy{"PLEDGE_CONTRACT_MISSING", "--contract", "give the written pledge contract: --contract FILE or --contract-hash HEX (R2)"},
    Remedy{"PLEDGE_CONTRACT_DATA_MISSING", "--due", "give --debt-type, --principal and a --due date before the patents expire (R3)"},
    Remedy{"PLEDGE_DEBT_DUE_AFTER_EXPIRY", "--due", "choose a --due date before the patent expires (R7f)"},
    Remedy{"PLEDGE_AGENCY_REQUIRED", "--agency", "name the patent agency acting for the foreign party: --agency ORG (R5)"},
    Remedy{"PLEDGE_PLEDGOR_NOT_PATENTEE", "--pledgor", "give every registered owner as --pledgor (or leave --pledgor out: the wallet reads the owners)"},
    Remedy{"PLEDGE_PATENT_UNKNOWN", "--patent", "check the patent number: it is not on the register"},
    Remedy{"PLEDGE_PATENT_LIFE_TOO_SHORT", "--due", "the patent's remaining life is below the bank's minimum (R29): pledge another patent"},
    Remedy{"PLEDGE_CO_OWNER_CONSENT_MISSING", "", "every co-owner signs: each runs `pledger-wallet sign FILE` (R6)"},
    Remedy{"PLEDGE_PLEDGOR_SIGNATURE_MISSING", "", "the pledgor signs: `pledger-wallet sign FILE` with an OWNER account of it (R1)"},
    Remedy{"POOL_SHORTFALL_SIGNATURE_MISSING", "--no-shortfall-draw",
           "have the guarantor co-sign (`pledger-wallet sign FILE`), or give --no-shortfall-draw if it did not pay (H5)"},
    Remedy{"PATENT_NUMBER_INVALID", "--patent", "check the patent number's shape: ZL + 12 digits + . + check character (R25)"},
    Remedy{"PATENT_CHECK_DIGIT_INVALID", "--patent", "a digit of the patent number is wrong: check it against the certificate (R25)"},
    Remedy{"TX_EXPIRED", "--expires-in", "the draft expired: draft it again"},
    Remedy{"TX_EXPIRY_TOO_FAR", "--expires-in", "choose a nearer expiry (--expires-in N blocks)"},
    Remedy{"AUTH_ROLE_MISSING", "", "a required party has not signed: `pledger-wallet sign FILE` with its account"},
    Remedy{"GOV_QUORUM_NOT_MET", "", "more IP offices must sign: each runs `pledger-wallet sign FILE`"},
};

// Contract field names as the wallet's flags, for messages that name fields.
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kFieldFlags{{
    {"caution_ack", "--caution-ack"},
    {"risk_ack", "--risk-ack"},
    {"no_shortfall_draw", "--no-shortfall-draw"},
    {"valuation_id", "--valuation"},
    {"debtor_org_id", "--debtor"},
    {"agency_org_id", "--agency"},
    {"contract_hash", "--contract"},
    {"principal_fen", "--principal"},
    {"due_date", "--due"},
    {"interest_rate_bps", "--rate"},
    {"pledgor_org_ids", "--pledgor"},
    {"patent_nos", "--patent"},
}};

// Every string field named like a patent number in `m`, recursively.
void CollectPatentNumbers(const google::protobuf::Message& m, std::vector<std::string>* out) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int j = 0; j < r->FieldSize(m, f); ++j) CollectPatentNumbers(r->GetRepeatedMessage(m, f, j), out);
      } else if (r->HasField(m, f)) {
        CollectPatentNumbers(r->GetMessage(m, f), out);
      }
      continue;
    }
    if (f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) continue;
    const std::string& name = f->name();
    if (name.find("patent_no") == std::string::npos) continue;
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(m, f); ++j) out->push_back(r->GetRepeatedString(m, f, j));
    } else {
      std::string v = r->GetString(m, f);
      if (!v.empty()) out->push_back(std::move(v));
    }
  }
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "; ") + s;
  return out;
}

std::string_view StageVerb(PreflightStage stage) {
  switch (stage) {
    case PreflightStage::kDraft: return "signing or writing it";
    case PreflightStage::kSign: return "signing it";
    case PreflightStage::kSubmit: return "submitting it";
    case PreflightStage::kDryRun: return "";
  }
  return "";
}

}  // namespace

const Remedy* RemedyFor(std::string_view code) {
  for (const Remedy& r : kRemedies) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

std::string InWalletTerms(std::string text) {
  for (const auto& [field, flag] : kFieldFlags) {
    for (std::string_view verb : {"set ", "give "}) {
      const std::string from = std::string(verb) + std::string(field);
      const std::string to = "give " + std::string(flag);
      for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        const size_t end = at + from.size();
        if (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) continue;
        text.replace(at, from.size(), to);
      }
    }
  }
  return text;
}

std::string GroundCode(std::string_view ground) {
  size_t end = 0;
  while (end < ground.size() && (std::isupper(static_cast<unsigned char>(ground[end])) || ground[end] == '_' ||
                                 std::isdigit(static_cast<unsigned char>(ground[end])))) {
    ++end;
  }
  return std::string(ground.substr(0, end));
}

std::vector<std::string> LocalBodyProblems(const contracts::Action& action) {
  std::vector<std::string> nos, out;
  CollectPatentNumbers(action, &nos);
  for (const auto& no : nos) {
    auto t = contracts::ParsePatentNumber(no);
    if (!t.ok()) out.push_back(std::string(t.status().reason()) + ": patent number '" + no + "': " +
                               std::string(t.status().message()));
  }
  return out;
}

std::optional<int> Preflight(Context& c, const ledger::Transaction& tx, const ledger::TxBody& body,
                             PreflightStage stage, const std::string& file) {
  const bool force = c.args().Has("force");
  const bool dry = stage == PreflightStage::kDryRun;
  const bool quiet = c.args().Has("quiet") || c.json();
  // The local check first: it needs no node.
  std::vector<std::string> local = LocalBodyProblems(body.action());
  for (const auto& p : local) c.err() << "WARNING: " << p << "\n";
  if (!local.empty() && !force && !dry) {
    WalletError e;
    e.set_code(GroundCode(local.front()));
    e.set_message("the transaction names an invalid patent number (" + local.front() +
                  "); the ledger refuses it (R25). Stopped before " + std::string(StageVerb(stage)) +
                  " (--force goes on anyway)");
    e.set_flag("patent");
    e.set_exit_code(kExitUsage);
    e.add_remedies("--patent: check the number against the certificate; the wallet never suggests a check character");
    return c.Fail(e);
  }
  if (!c.HasNodeUrl()) {
    if (!quiet) c.Note("Pre-flight: no node configured, so the ledger was not asked whether it would accept this");
    return std::nullopt;
  }
  auto n = c.node();
  if (!n.ok()) {
    if (!quiet) c.Note("Pre-flight skipped: " + std::string(n.status().message()));
    return std::nullopt;
  }
  auto sim = (*n)->Simulate(ledger::SerializeCanonical(tx));
  c.Observe(sim.status());
  if (!sim.ok()) {
    const Status& s = sim.status();
    if (s.reason() == "NODE_UNREACHABLE") {
      if (force || dry) {
        c.Note("Pre-flight: the node did not answer (" + std::string(s.message()) + ")" +
               (force ? "; going on without it (--force)" : ""));
        return std::nullopt;
      }
      return c.Fail(Status::Unavailable(
          "NODE_UNREACHABLE", std::string(s.message()) + ". The pre-flight check needs the node before " +
                                  std::string(StageVerb(stage)) +
                                  "; --force goes on without it (sign offline with a profile without a node)"));
    }
    // Not a verdict on the transaction: an older node, or a reader the node
    // does not simulate for. Say so and go on.
    if (!quiet) c.Note("Pre-flight not available: " + std::string(s.reason()) + ": " + std::string(s.message()));
    return std::nullopt;
  }
  const api::SimulateView& v = *sim;
  std::ostream& o = c.err();
  const std::string when = "(the node's simulation as block " + std::to_string(v.height()) +
                           "; advisory: the ledger may change before it is committed)";
  if (v.code() == "OK") {
    if (!quiet) {
      o << "Pre-flight: the ledger would accept this transaction now " << when << ".\n";
      if (v.missing_size() > 0) {
        o << "  Signatures not checked: still to sign: " << Join(v.missing()) << "\n";
      }
      for (const auto& k : v.invalid_signatures()) o << "  INVALID signature by " << k << "\n";
    }
    return std::nullopt;
  }
  WalletError e;
  e.set_code(v.code());
  e.set_rule(v.rule());
  e.set_simulated(true);
  e.set_exit_code(kExitRejected);
  for (const auto& m : v.missing()) e.add_missing(m);
  o << "Pre-flight: the ledger would REFUSE this transaction now " << when << ":\n";
  o << "  " << v.code() << (v.rule().empty() ? "" : " (" + v.rule() + ")") << ": " << InWalletTerms(v.message())
    << "\n";
  std::vector<std::string> grounds(v.grounds().begin(), v.grounds().end());
  if (grounds.empty()) grounds.push_back(v.code() + ": " + v.message());
  if (v.grounds_size() > 0) o << "  Grounds:\n";
  for (const auto& g : grounds) {
    const std::string words = InWalletTerms(g);
    e.add_grounds(words);
    if (v.grounds_size() > 0) o << "  - " << words << "\n";
    if (const Remedy* r = RemedyFor(GroundCode(g))) {
      std::string fix = r->flag.empty() ? std::string(r->words) : std::string(r->flag) + ": " + std::string(r->words);
      o << "      fix: " << fix << "\n";
      e.add_remedies(fix);
    }
  }
  if (v.missing_size() > 0) o << "  (signatures not checked; still to sign: " << Join(v.missing()) << ")\n";
  if (dry) return std::nullopt;
  const std::string what = file.empty() ? "draft it again with the flags above" : "ask whoever drafted " + file +
                                                                                       " to draft it again";
  if (force) {
    o << "--force: " << (stage == PreflightStage::kSubmit ? "submitting" : "signing")
      << " anyway; a refusal is recorded on the chain for good.\n";
    return std::nullopt;
  }
  e.set_message("the ledger would refuse this transaction (" + v.code() + "): stopped before " +
                std::string(StageVerb(stage)) + ". Fix it (" + what + "), or --force to go on anyway");
  return c.Fail(e);
}

}  // namespace pledger::tools::wallet
