#include "tools/common/access.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <array>

#include "tools/proto/wallet.pb.h"

namespace pledger::tools {
namespace {

constexpr std::array<std::string_view, 9> kAccessCodes = {
    "AUTH_MISSING",          "AUTH_MALFORMED",       "AUTH_EXPIRED",   "AUTH_SIGNATURE_INVALID",
    "AUTH_UNKNOWN_ACCOUNT",  "AUTH_SUSPENDED",       "AUTH_REPLAYED",  "AUTH_BUSY",
    "READ_FORBIDDEN",
};

std::string Quoted(std::string_view node_message) {
  if (node_message.empty()) return "";
  return " (the node said: " + std::string(node_message) + ")";
}

// "outstanding_principal_fen" -> "outstanding principal"; the unit suffixes
// say how the ledger stores a value, not what it is.
std::string FieldWords(std::string_view path) {
  const size_t dot = path.rfind('.');
  std::string f(dot == std::string_view::npos ? path : path.substr(dot + 1));
  if (f.size() > 2 && f.compare(f.size() - 2, 2, "[]") == 0) f.resize(f.size() - 2);
  if (f == "ltv_bps") return "LTV";
  for (std::string_view unit : {"_fen", "_bps", "_hex"}) {
    if (f.size() > unit.size() && f.compare(f.size() - unit.size(), unit.size(), unit) == 0) {
      f.resize(f.size() - unit.size());
      break;
    }
  }
  std::replace(f.begin(), f.end(), '_', ' ');
  return f;
}

// Money and rates: what a reader misses most, so named one by one; a whole
// list of valuations counts as money too.
bool IsAmount(const std::string& p) {
  auto ends = [&](std::string_view x) {
    return p.size() >= x.size() && p.compare(p.size() - x.size(), x.size(), x) == 0;
  };
  return ends("_fen") || ends("_bps") || ends("valuations[]") || ends("valuations");
}

// At most this many names in the one line; --json lists every path.
constexpr size_t kNamesInLine = 8;

}  // namespace

bool IsAccessRefusal(std::string_view code) {
  return std::find(kAccessCodes.begin(), kAccessCodes.end(), code) != kAccessCodes.end();
}

std::string AccessWords(std::string_view code, ReaderKind reader, std::string_view sign_in,
                        std::string_view node_message) {
  const std::string q = Quoted(node_message);
  const std::string hint(sign_in);
  if (code == "AUTH_MISSING") {
    return "the node answers only readers who say who they are; sign in: " + hint + q;
  }
  if (code == "AUTH_MALFORMED") {
    if (reader == ReaderKind::kToken) {
      return "the node could not read the saved sign-in (damaged, or from another version); sign in again: " + hint +
             q;
    }
    return "the node could not read this request's Authorization header (a proxy in between may rewrite it)" + q;
  }
  if (code == "AUTH_EXPIRED") {
    if (reader == ReaderKind::kToken) return "your sign-in has expired; sign in again: " + hint + q;
    return "the request's timestamp is too far off the node's clock: check this computer's clock (NTP); a saved "
           "sign-in may have expired too: " + hint + q;
  }
  if (code == "AUTH_SIGNATURE_INVALID") {
    if (reader == ReaderKind::kToken) {
      return "the node does not accept the saved sign-in: it was issued for another chain, or by a node that is no "
             "longer a validator; sign in again: " + hint + q;
    }
    return "the node does not accept the request's signature: the chain id you sign for is not this node's chain "
           "(check the profile's chain id), or something between you and the node changed the request" + q;
  }
  if (code == "AUTH_UNKNOWN_ACCOUNT") {
    return "this key is not an account on this chain: check the profile's key and chain" + q;
  }
  if (code == "AUTH_SUSPENDED") {
    return "this account may not read: it is suspended, its key was retired by a rotation, or its organisation was "
           "removed; ask your IP office, or use your current key" + q;
  }
  if (code == "AUTH_REPLAYED") {
    return "the node saw this request's nonce before (clock or proxy replay); retry" + q;
  }
  if (code == "AUTH_BUSY") {
    return "the node is checking as many signed requests as it can hold; retry in a moment, or sign in once so "
           "requests carry a token: " + hint + q;
  }
  if (code == "READ_FORBIDDEN") {
    std::string m = node_message.empty() ? std::string("the node does not show this to you") : std::string(node_message);
    while (!m.empty() && (m.back() == '.' || m.back() == ' ')) m.pop_back();
    if (reader == ReaderKind::kAnonymous) return m + "; sign in with an account entitled to it: " + hint;
    return m + "; sign in with an account entitled to it";
  }
  return "";
}

Status AccessRefusal(int http_status, std::string_view code, ReaderKind reader, std::string_view sign_in,
                     std::string_view node_message) {
  const std::string words = AccessWords(code, reader, sign_in, node_message);
  switch (http_status) {
    case 401: return Status::Unauthenticated(code, words);
    case 403: return Status::PermissionDenied(code, words);
    default: return Status::ResourceExhausted(code, words);
  }
}

bool ReadMark::Withheld(std::string_view field) const {
  for (const std::string& p : redacted) {
    std::string_view path(p);
    if (path == field) return true;
    if (path.size() > field.size() && path.substr(path.size() - field.size()) == field &&
        path[path.size() - field.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

ReadMark ReadMarkOf(const std::string& json) {
  ReadMark mark;
  ReadMarkJson m;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(json, &m, opts).ok()) return mark;
  mark.view = m.view();
  mark.redacted.assign(m.redacted().begin(), m.redacted().end());
  return mark;
}

std::string WithheldWords(const std::vector<std::string>& paths) {
  std::vector<std::string> words;
  for (const std::string& p : paths) {
    std::string w = FieldWords(p);
    if (!w.empty() && std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
  }
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string WithheldLine(const ReadMark& mark, ReaderKind reader, std::string_view what, std::string_view sign_in) {
  if (!mark.trimmed()) return "";
  std::vector<std::string> amounts;
  size_t others = 0;
  for (const std::string& p : mark.redacted) {
    if (IsAmount(p)) {
      amounts.push_back(p);
    } else {
      ++others;
    }
  }
  std::string head;
  if (!amounts.empty()) {
    std::string names = WithheldWords(amounts);
    size_t shown = 0, cut = std::string::npos;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names.compare(i, 2, ", ") == 0 && ++shown == kNamesInLine) cut = i;
    }
    if (cut != std::string::npos) names = names.substr(0, cut) + ", ...";
    head = "amounts withheld (" + names + ")";
    if (others > 0) head += " with " + std::to_string(others) + (others == 1 ? " other field" : " other fields");
  } else {
    head = std::to_string(others) + (others == 1 ? " field withheld" : " fields withheld");
  }
  head += " (--json lists them)";
  const std::string view = mark.view.empty() ? "gazette" : mark.view;
  const std::string w = what.empty() ? std::string("this record") : std::string(what);
  std::string why;
  if (reader == ReaderKind::kAnonymous) {
    why = "you read anonymously (" + view + " view); to see them, sign in with an account entitled to them: " +
          std::string(sign_in);
  } else if (view == "party") {
    why = "your account sees " + w + " as one of its parties, and a party sees only its share (party view)";
  } else {
    why = "you are not a party to " + w + " (" + view + " view)";
  }
  return head + ": " + why;
}

}  // namespace pledger::tools
