// Human-readable output: receipts, tables and field lists. Scripts use --json,
// whose shapes are the protobuf JSON mapping of the API's and the wallet's
// messages; nothing here is meant to be parsed.
#include <algorithm>
#include <map>
#include <ostream>

#include "tools/wallet/cli.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {
namespace {

// Short titles of the domain rules (../shared/domain/RULES.md), so a refusal
// reads "R7i: another pledge is still active" rather than a bare id.
const std::map<std::string, std::string>& RuleTitles() {
  static const std::map<std::string, std::string> kTitles = {
      {"R1", "pledgor and pledgee apply jointly; the pledge arises on registration"},
      {"R2", "a written pledge contract"},
      {"R3", "the contract data the register requires"},
      {"R4", "the filing set, including the appraisal report"},
      {"R5", "foreign parties act through a patent agency"},
      {"R6", "co-owned patents need every co-owner"},
      {"R7a", "refused: the pledgors are not the registered patentees"},
      {"R7b", "refused: the patent is terminated, waived, invalidated or expired"},
      {"R7c", "refused: the patent is not yet granted"},
      {"R7d", "refused: annual fees are unpaid"},
      {"R7e", "refused: suspension or court preservation"},
      {"R7f", "refused: the debt falls due after the patent expires"},
      {"R7g", "refused: the contract data are incomplete"},
      {"R7h", "refused: a co-owner has not consented"},
      {"R7i", "refused: another pledge is still active"},
      {"R7j", "a utility model with a same-day twin invention application"},
      {"R7k", "invalidation proceedings have started"},
      {"R8", "forfeiture clause: priority payment only, never a transfer"},
      {"R9", "registration decision time"},
      {"R10", "gazette announcement"},
      {"R11", "changes and extensions of a registered pledge"},
      {"R12", "cancellation; repayment lifts the locks"},
      {"R13", "a pledged patent is locked: the pledgee must consent"},
      {"R14", "the pledgee is notified of register events"},
      {"R15", "court preservation or a dispute suspension freezes procedures"},
      {"R16", "payments go to costs, then interest, then principal"},
      {"R17", "enforcement: the bank gets at most its claim"},
      {"R18", "priority by registration time"},
      {"R19", "patent terms"},
      {"R20", "annual fees, grace period and termination"},
      {"R21", "waiver and invalidation"},
      {"R22", "assignment needs a written basis and registration"},
      {"R23", "co-owners' rights"},
      {"R24", "licences: types, term, filing"},
      {"R25", "patent number format and check character"},
      {"R26", "register status"},
      {"R27", "appraisers and valuation methods"},
      {"R28", "a valuation is valid one year from its base date"},
      {"R29", "the bank's lending policy (LTV cap, remaining life)"},
      {"R30", "IP-pledge non-performing loan reporting"},
      {"R31", "patent pools lock their patents"},
      {"R32", "tranches"},
      {"R33", "partner-bank caution: a small borrower already served by many banks"},
      {"R34", "renewal without principal repayment keeps the risk class"},
      {"R35", "inclusive-finance reporting"},
      // The waterfall of a pool's payment date (RULES.md section H; docs/contracts.md).
      {"H1", "taxes and fees are paid first"},
      {"H2", "senior, then mezzanine interest"},
      {"H3", "senior principal, sequentially"},
      {"H4", "mezzanine principal once the seniors are repaid"},
      {"H5", "the shortfall provider pays what senior interest and principal lack"},
      {"H6", "the residual goes to the subordinated holder"},
      {"H7", "cash collected is paid out on the next payment date"},
      {"H8", "after a trigger event all cash goes to senior"},
  };
  return kTitles;
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "principal_fen=500000000" reads better as "principal=5,000,000.00 yuan".
std::string Attribute(const ledger::Attribute& a) {
  const std::string& k = a.key();
  if (k.size() > 4 && k.substr(k.size() - 4) == "_fen" && AllDigits(a.value()) && a.value().size() < 16) {
    return k.substr(0, k.size() - 4) + "=" + FormatYuan(std::stoll(a.value())) + " yuan";
  }
  if (k.size() > 4 && k.substr(k.size() - 4) == "_bps" && AllDigits(a.value()) && a.value().size() < 10) {
    return k.substr(0, k.size() - 4) + "=" + FormatBps(static_cast<std::uint32_t>(std::stoul(a.value())));
  }
  return k + "=" + a.value();
}

}  // namespace

std::string RuleTitle(const std::string& rule) {
  const auto& t = RuleTitles();
  if (auto it = t.find(rule); it != t.end()) return it->second;
  return "";
}

size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0 && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
      len = 4;
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      len = 3;
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      len = 2;
    }
    // CJK ideographs, kana, Hangul and full-width forms take two columns.
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
    i += len;
  }
  return width;
}

std::string Short(const std::string& hex, size_t keep) {
  return hex.size() <= keep ? hex : hex.substr(0, keep) + "…";
}

void PrintFields(std::ostream& o, const std::vector<std::pair<std::string, std::string>>& fields,
                 const std::string& indent) {
  size_t width = 0;
  for (const auto& [label, value] : fields) width = std::max(width, DisplayWidth(label));
  for (const auto& [label, value] : fields) {
    // Values come from the ledger, which anyone with an account writes to.
    o << indent << label << ":" << std::string(width - DisplayWidth(label) + 2, ' ') << Printable(value) << "\n";
  }
}

void PrintTable(std::ostream& o, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& raw_rows) {
  std::vector<std::vector<std::string>> rows = raw_rows;
  for (auto& r : rows) {
    for (auto& cell : r) cell = Printable(cell);
  }
  std::vector<size_t> width(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) width[i] = DisplayWidth(header[i]);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], DisplayWidth(r[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      s += cell;
      if (i + 1 < width.size()) s += std::string(width[i] - DisplayWidth(cell) + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    o << s << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

void PrintReceipt(std::ostream& o, const SubmitResult& r) {
  const bool ok = r.code() == "OK";
  o << (ok ? "Committed" : "REFUSED") << " at height " << r.height() << ": " << r.code() << "\n";
  std::vector<std::pair<std::string, std::string>> f;
  f.emplace_back("transaction", r.tx_id());
  if (!r.object_id().empty()) {
    std::string word = r.action().substr(0, r.action().find('_'));
    f.emplace_back(word + " id", r.object_id());
  }
  if (!ok) {
    if (!r.rule().empty()) {
      std::string title = RuleTitle(r.rule());
      f.emplace_back("rule", r.rule() + (title.empty() ? "" : " (" + title + ")"));
    }
    f.emplace_back("why", r.message());
  }
  PrintFields(o, f, "  ");
  if (r.grounds_size() > 0) {
    o << "  every ground that failed:\n";
    for (const auto& g : r.grounds()) o << "    - " << Printable(g) << "\n";
  }
  if (r.events_size() > 0) {
    o << "Events:\n";
    for (const auto& e : r.events()) {
      std::string attrs;
      std::string rule;
      for (const auto& a : e.attributes()) {
        if (a.key() == "rule") rule = a.value();
        attrs += (attrs.empty() ? "" : ", ") + Attribute(a);
      }
      const bool caution = e.type().rfind("caution.", 0) == 0 || e.type() == "loan.renewal_flagged" ||
                           e.type() == "valuation.stale" || e.type() == "licence.filed_late" ||
                           e.type() == "pledge.forfeiture_clause";
      o << "  " << (caution ? "CAUTION " : "") << e.type();
      if (caution && !rule.empty()) {
        std::string title = RuleTitle(rule);
        if (!title.empty()) o << " (" << rule << ": " << title << ")";
      }
      o << (attrs.empty() ? "" : ": " + Printable(attrs)) << "\n";
    }
  }
}

}  // namespace pledger::tools::wallet
