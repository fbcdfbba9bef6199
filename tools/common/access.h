// Reading as an account (docs/api.md "Access (authentication)"), as the tools
// explain it to people: the words for a node's access refusals, and the mark
// a node puts on an answer it trimmed for this reader.
//
// A node refuses a reader with 401 and one of the AUTH_* codes, with 403
// READ_FORBIDDEN, or with 503 AUTH_BUSY. The node's own message says what it
// saw; the words here say what that means for the person at the keyboard and
// what to do next, which depends on how they asked (anonymously, with a
// signature per request, or with a saved token). The code itself is never
// replaced: scripts and --json outputs keep the node's code.
//
// Pure functions; thread-safe.
#ifndef PLEDGER_TOOLS_COMMON_ACCESS_H_
#define PLEDGER_TOOLS_COMMON_ACCESS_H_

#include <string>
#include <string_view>
#include <vector>

#include "consensus/status.h"

namespace pledger::tools {

// How a request proved (or did not prove) who asks.
enum class ReaderKind { kAnonymous, kSigned, kToken };

// True for the codes a node answers when it refuses the reader rather than
// the request: AUTH_MISSING, AUTH_MALFORMED, AUTH_EXPIRED,
// AUTH_SIGNATURE_INVALID, AUTH_UNKNOWN_ACCOUNT, AUTH_SUSPENDED, AUTH_REPLAYED,
// AUTH_BUSY and READ_FORBIDDEN.
bool IsAccessRefusal(std::string_view code);

// One sentence: what `code` means for a `reader` and what to do.
// `sign_in` is how this tool signs in, ending a sentence ("run `pledger-wallet
// login`", "give an auditor's key with --key FILE or --profile NAME").
// `node_message` is the node's own message: READ_FORBIDDEN's words start with
// it (the node knows what was refused), the others quote it at the end.
// "" for codes that are not access refusals.
std::string AccessWords(std::string_view code, ReaderKind reader, std::string_view sign_in,
                        std::string_view node_message);

// The refusal as a Status: the node's code as reason, the category of the
// HTTP status (401 Unauthenticated, 403 PermissionDenied, 503
// ResourceExhausted) and AccessWords as message.
Status AccessRefusal(int http_status, std::string_view code, ReaderKind reader, std::string_view sign_in,
                     std::string_view node_message);

// The marks a node puts at the top of an answer it trimmed for this reader:
// "view" ("full", "party" or "gazette"; "" when the node said nothing) and
// "redacted", the field paths left out ("pledge.principal_fen").
struct ReadMark {
  std::string view;
  std::vector<std::string> redacted;
  bool trimmed() const { return !redacted.empty(); }
  // True when `field` (a proto field name, "principal_fen") was left out at
  // any depth: a path matches on its last component.
  bool Withheld(std::string_view field) const;
};

// Reads the marks of a JSON object answer; empty marks for anything else.
ReadMark ReadMarkOf(const std::string& json);

// The withheld fields in words, each once, in the node's order:
// "principal, interest rate, outstanding principal".
std::string WithheldWords(const std::vector<std::string>& paths);

// One line for people about a trimmed answer: which fields were withheld and
// why ("amounts withheld (principal, ...): you are not a party to this pledge
// (gazette view)"). `what` names the record as the sentence needs it ("this
// pledge", "the pledges marked (withheld)"); `sign_in` as for AccessWords.
// "" when nothing was withheld.
std::string WithheldLine(const ReadMark& mark, ReaderKind reader, std::string_view what, std::string_view sign_in);

}  // namespace pledger::tools

#endif  // PLEDGER_TOOLS_COMMON_ACCESS_H_
