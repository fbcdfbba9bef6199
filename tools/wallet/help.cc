// Help text, generated from the command table so it always matches what the
// parser accepts.
#include <algorithm>
#include <ostream>
#include <set>

#include "tools/wallet/cli.h"

namespace pledger::tools::wallet {
namespace {

// Groups in the order a new user meets them.
const std::vector<std::pair<std::string, std::string>>& Groups() {
  static const std::vector<std::pair<std::string, std::string>> kGroups = {
      {"key", "Keys (encrypted on disk)"},
      {"profile", "Profiles (node, key, chain)"},
      {"patent", "Patent register"},
      {"licence", "Licences"},
      {"valuation", "Valuations"},
      {"pledge", "Pledges and the secured loans"},
      {"bank", "A bank's own policy"},
      {"pool", "Patent pools and their payment dates (trustee)"},
      {"tranche", "Securitisation tranches (trustee)"},
      {"holding", "Tranche holdings (investors)"},
      {"gov", "Governance (IP-office quorum)"},
      {"account", "Accounts"},
      {"org", "Organisations"},
      {"tx", "Transactions"},
      {"params", "Chain parameters"},
  };
  return kGroups;
}

// Splits `text` into lines of at most `width` display columns, at spaces.
std::vector<std::string> WrapLines(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    if (!word.empty()) {
      if (!line.empty() && DisplayWidth(line) + 1 + DisplayWidth(word) > width) {
        lines.push_back(line);
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string Wrap(const std::string& text, size_t indent, size_t width = 80) {
  std::string out;
  for (const auto& l : WrapLines(text, width > indent + 20 ? width - indent : 20)) {
    out += std::string(indent, ' ') + l + "\n";
  }
  return out;
}

void PrintFlags(std::ostream& o, const std::vector<FlagDef>& flags) {
  size_t width = 0;
  auto head = [](const FlagDef& f) { return "--" + f.name + (f.value.empty() ? "" : " " + f.value); };
  for (const auto& f : flags) width = std::max(width, DisplayWidth(head(f)));
  width = std::min<size_t>(width, 30);
  for (const auto& f : flags) {
    const std::string h = head(f);
    const std::string help = f.help + (f.required ? " (required)" : "") + (f.repeated ? " (repeatable)" : "");
    std::vector<std::string> lines = WrapLines(help, 80 - width - 4);
    if (DisplayWidth(h) > width) {
      o << "  " << h << "\n";
    } else {
      o << "  " << h << std::string(width - DisplayWidth(h) + 2, ' ') << (lines.empty() ? "" : lines[0]) << "\n";
      if (!lines.empty()) lines.erase(lines.begin());
    }
    for (const auto& l : lines) o << std::string(width + 4, ' ') << l << "\n";
  }
}

// "  words<pad>summary", the summary wrapped under itself.
void PrintEntry(std::ostream& o, const std::string& words, const std::string& summary, size_t column) {
  std::vector<std::string> lines = WrapLines(summary, 80 > column + 20 ? 80 - column : 40);
  o << "  " << words;
  if (words.size() + 2 >= column) {
    o << "\n" << std::string(column, ' ');
  } else {
    o << std::string(column - words.size() - 2, ' ');
  }
  for (size_t i = 0; i < lines.size(); ++i) o << (i ? std::string(column, ' ') : "") << lines[i] << "\n";
}

}  // namespace

void PrintMainHelp(std::ostream& o) {
  o << "pledger-wallet: keys, transactions and queries for the Pledger patent-pledge ledger\n\n"
       "Usage: pledger-wallet [--profile NAME] COMMAND [flags]\n"
       "       pledger-wallet COMMAND --help      (or: pledger-wallet help COMMAND)\n\n";
  for (const auto& [group, title] : Groups()) {
    o << title << ":\n";
    for (const auto& c : Commands()) {
      if (c.group != group) continue;
      PrintEntry(o, c.Words() + (c.operands.empty() ? "" : " " + c.operands), c.summary, 32);
    }
    o << "\n";
  }
  o << "Files, node and help:\n";
  for (const auto& c : Commands()) {
    if (!c.group.empty()) continue;
    PrintEntry(o, c.Words() + (c.operands.empty() ? "" : " " + c.operands), c.summary, 32);
  }
  o << "\nFlags for every command:\n";
  PrintFlags(o, GlobalFlags());
  o << "\n"
    << Wrap("Values: amounts in yuan with up to two decimals (5000000.00 or 5,000,000.00); rates in percent "
            "(3.85) or basis points (385bps); dates as YYYY-MM-DD, today, today+N or today-N; patent numbers as "
            "ZL201410362077.3.", 0)
    << "\n"
    << Wrap("Reading: every read is signed as the profile's account (its key's passphrase is asked for), or "
            "carries the token `pledger-wallet login` saved for 15 minutes; --anonymous reads the public view.", 0)
    << "\n"
    << Wrap("Exit codes: 0 ok, 2 usage error (the message names the flag), 3 node unreachable, 4 transaction "
            "rejected, 5 the node refused you (not signed in, not entitled), 1 anything else.", 0)
    << "\n"
    << Wrap("Files live in ~/.pledger ($PLEDGER_HOME or --home): keys/NAME.json (encrypted, mode 0600) and "
            "config.json (profiles), tokens/PROFILE.json (saved sign-ins, mode 0600). Reference: docs/wallet.md.", 0);
}

void PrintGroupHelp(std::ostream& o, const std::string& group) {
  std::string title = group;
  for (const auto& [g, t] : Groups()) {
    if (g == group) title = t;
  }
  o << title << ":\n";
  for (const auto& c : Commands()) {
    if (c.group != group) continue;
    PrintEntry(o, "pledger-wallet " + c.Words() + (c.operands.empty() ? "" : " " + c.operands), c.summary, 44);
  }
  o << "\nRun `pledger-wallet " << group << " COMMAND --help` for a command's flags.\n";
}

void PrintCommandHelp(std::ostream& o, const Command& c) {
  o << "pledger-wallet " << c.Words() << ": " << c.summary << "\n\n";
  std::string synopsis = "Usage: pledger-wallet " + c.Words() + (c.operands.empty() ? "" : " " + c.operands);
  for (const auto& f : c.flags) {
    if (f.required) synopsis += " --" + f.name + (f.value.empty() ? "" : " " + f.value);
  }
  synopsis += " [flags]";
  o << Wrap(synopsis, 0) << "\n";
  if (!c.details.empty()) o << Wrap(c.details, 0) << "\n";
  if (!c.flags.empty()) {
    o << "Flags:\n";
    PrintFlags(o, c.flags);
    o << "\n";
  }
  if (c.kind == CommandKind::kTx) {
    o << "Transaction flags:\n";
    PrintFlags(o, TxFlags());
    o << "\n";
  }
  if (c.kind == CommandKind::kQuery) {
    o << "Reading flags (reads are signed as your account, or carry the token of `pledger-wallet login`):\n";
    PrintFlags(o, ReadFlags());
    o << "\n";
  }
  o << "Global flags:\n";
  PrintFlags(o, GlobalFlags());
  if (!c.examples.empty()) {
    o << "\nExamples:\n";
    for (const auto& e : c.examples) {
      // Long examples continue on indented lines, shell style, breaking only
      // before a flag so each flag stays with its value.
      std::vector<std::string> lines;
      size_t start = 0;
      while (start < e.size()) {
        size_t next = e.find(" --", start + 1);
        std::string piece = e.substr(start, next == std::string::npos ? std::string::npos : next - start);
        if (!lines.empty() && DisplayWidth(lines.back()) + DisplayWidth(piece) <= 74) {
          lines.back() += piece;
        } else {
          lines.push_back(piece[0] == ' ' ? piece.substr(1) : piece);
        }
        if (next == std::string::npos) break;
        start = next;
      }
      for (size_t i = 0; i < lines.size(); ++i) {
        o << (i ? "      " : "  ") << lines[i] << (i + 1 < lines.size() ? " \\" : "") << "\n";
      }
    }
  }
}

}  // namespace pledger::tools::wallet
