// `login`, `logout` and `whoami`: signing in once per session instead of
// once per command (signin.h says why and how the token is kept).
#include <algorithm>

#include "ledger/proto/contract_types.pb.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "ledger/io/request_auth.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/describe.h"

namespace pledger::tools::wallet {
namespace {

// What a node may put in a token (docs/api.md "Bearer tokens"): base64url,
// at most io::kBearerTokenCharsMax characters. Anything else would make every
// later request malformed, so it is refused before it is saved.
bool LooksLikeToken(const std::string& t) {
  if (t.empty() || t.size() > io::kBearerTokenCharsMax) return false;
  return std::all_of(t.begin(), t.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
  });
}

std::string RolesInWords(const google::protobuf::RepeatedPtrField<std::string>& roles) {
  std::string out;
  for (const auto& r : roles) {
    contracts::Role role;
    std::string word = contracts::Role_Parse(r, &role) ? RoleWord(role) : r;
    out += (out.empty() ? "" : ", ") + word;
  }
  return out;
}

SignInView ViewOf(Context& c, const SavedToken& t) {
  SignInView v;
  v.set_profile(t.profile());
  v.set_signed_in(true);
  v.set_chain_id(t.chain_id());
  v.set_node_url(t.node_url());
  v.set_account(t.account());
  v.set_org_id(t.org_id());
  *v.mutable_roles() = t.roles();
  v.set_expires_ms(t.expires_ms());
  v.set_expires(FormatTimeCst(t.expires_ms()));
  v.set_token_file(c.tokens().PathFor(t.profile()));
  return v;
}

// The minutes left, rounded down, for people ("for 14 more minutes").
std::string MinutesLeft(std::uint64_t expires_ms, std::uint64_t now_ms) {
  if (expires_ms <= now_ms) return "expired";
  const std::uint64_t min = (expires_ms - now_ms) / 60'000;
  if (min == 0) return "less than a minute left";
  return std::to_string(min) + (min == 1 ? " minute" : " minutes") + " left";
}

int RunLogin(Context& c) {
  auto settings = c.settings();
  if (!settings.ok()) return c.Fail(settings.status());
  const Settings& s = *settings;
  if (s.profile.empty()) {
    return c.Fail(UsageError("--profile: a sign-in is saved with a profile; give --profile NAME or add one with "
                             "`pledger-wallet profile add NAME --node URL --key KEY`"));
  }
  if (s.key.empty()) {
    return c.Fail(UsageError("profile '" + s.profile + "' has no key to sign in with; add one with `pledger-wallet "
                             "profile add " + s.profile + " --node URL --key KEY --force`"));
  }
  if (s.node_url.empty()) return c.Fail(UsageError("--node: profile '" + s.profile + "' names no node"));
  if (s.chain_id.empty()) {
    return c.Fail(UsageError("--chain-id: profile '" + s.profile + "' records no chain id; give --chain-id ID"));
  }
  auto info = c.keystore().Info(s.key);
  if (!info.ok()) return c.Fail(info.status());
  auto key = c.UnlockKey(s.key, "Passphrase for key '" + s.key + "' (signs you in for the token's life): ");
  if (!key.ok()) return c.Fail(key.status());
  NodeEndpoint e;
  e.url = s.node_url;
  e.ca_file = s.ca_file;
  e.credentials.key = *key;
  e.credentials.chain_id = s.chain_id;
  auto node = c.Connect(e);
  if (!node.ok()) return c.Fail(node.status());
  auto answer = (*node)->IssueToken();
  c.Observe(answer.status());
  if (!answer.ok()) return c.Fail(answer.status());
  const std::string me = info->public_key_hex();
  if (!LooksLikeToken(answer->token()) || answer->account() != me) {
    return c.Fail(Status::Internal("NODE_RESPONSE_INVALID",
                                   "the node at " + s.node_url + " answered the sign-in with " +
                                       (answer->account() != me ? "a token for another account (" + answer->account() + ")"
                                                                : std::string("a token that is not base64url text")) +
                                       "; nothing was saved"));
  }
  const std::uint64_t now = c.NowMs();
  if (answer->expires_ms() <= now + kTokenExpiryMarginMs) {
    return c.Fail(Status::FailedPrecondition(
        "TOKEN_EXPIRED_ON_ARRIVAL", "the node's token expires at " + FormatTimeCst(answer->expires_ms()) +
                                        ", which this computer's clock says is already past (it reads " +
                                        FormatTimeCst(now) + "): check the clock (NTP); nothing was saved"));
  }
  SavedToken t;
  t.set_version(1);
  t.set_profile(s.profile);
  t.set_node_url(s.node_url);
  t.set_chain_id(s.chain_id);
  t.set_account(me);
  t.set_org_id(answer->org_id());
  *t.mutable_roles() = answer->roles();
  t.set_token(answer->token());
  t.set_expires_ms(answer->expires_ms());
  t.set_saved_ms(now);
  if (Status st = c.tokens().Save(t); !st.ok()) return c.Fail(st);
  if (c.args().Has("print-token")) {
    c.out() << t.token() << "\n";
  } else if (c.json()) {
    c.out() << io::ApiJsonFromMessage(ViewOf(c, t), {.pretty = true}) << "\n";
  } else {
    c.out() << "Signed in to chain " << t.chain_id() << " as " << (t.org_id().empty() ? "account" : t.org_id())
            << (t.roles().empty() ? "" : " (" + RolesInWords(t.roles()) + ")") << " with key '" << s.key << "'.\n";
    PrintFields(c.out(), {{"Account", me},
                          {"Until", FormatTimeCst(t.expires_ms()) + " (" + MinutesLeft(t.expires_ms(), now) + ")"},
                          {"Saved in", c.tokens().PathFor(s.profile) + " (mode 0600)"}});
    c.out() << "Reads with profile '" << s.profile << "' now carry this token, on any node of the chain; after "
            << "it expires they are signed with the key again (and ask for the passphrase). "
            << "`pledger-wallet logout` deletes it.\n";
  }
  return kExitOk;
}

int RunLogout(Context& c) {
  std::vector<std::string> profiles;
  if (c.args().Has("all")) {
    auto cfg = c.config().Load();
    if (!cfg.ok()) return c.Fail(cfg.status());
    for (const Profile& p : cfg->profiles()) profiles.push_back(p.name());
  } else {
    auto settings = c.settings();
    if (!settings.ok()) return c.Fail(settings.status());
    if (settings->profile.empty()) {
      return c.Fail(UsageError("--profile: give the profile to sign out of (or --all)"));
    }
    profiles.push_back(settings->profile);
  }
  SignInView last;
  int removed = 0;
  for (const std::string& p : profiles) {
    // A file with the wrong mode is deleted too: that is the way out the
    // TOKEN_FILE_PERMISSIONS message names.
    auto gone = c.tokens().Remove(p);
    if (!gone.ok()) return c.Fail(gone.status());
    if (*gone) {
      ++removed;
      if (!c.json()) c.out() << "Signed out of profile '" << p << "' (deleted " << c.tokens().PathFor(p) << ").\n";
    }
    last.set_profile(p);
  }
  if (c.json()) {
    last.set_signed_in(false);
    if (c.args().Has("all")) last.clear_profile();
    c.out() << io::ApiJsonFromMessage(last, {.pretty = true}) << "\n";
  } else if (removed == 0) {
    c.out() << (c.args().Has("all") ? std::string("No profile was signed in.\n")
                                    : "Profile '" + profiles[0] + "' was not signed in.\n");
  } else {
    c.out() << "A copy of a token, if anyone made one, still works until it expires (15 minutes from sign-in at "
               "most): nodes cannot revoke it sooner.\n";
  }
  return kExitOk;
}

int RunWhoAmI(Context& c) {
  auto settings = c.settings();
  if (!settings.ok()) return c.Fail(settings.status());
  auto n = c.node();
  if (!n.ok()) return c.Fail(n.status());
  auto body = (*n)->GetBody("/v1/auth/whoami");
  c.Observe(body.status());
  if (!body.ok()) {
    if (body.status().reason() == "ROUTE_NOT_FOUND") {
      return c.Fail(Status::FailedPrecondition("AUTH_UNSUPPORTED",
                                               "the node at " + (*n)->url() + " does not check who reads (a pledgerd "
                                               "before request authentication): every reader sees everything"));
    }
    return c.Fail(body.status());
  }
  if (c.json()) {
    c.out() << *body << (body->empty() || body->back() != '\n' ? "\n" : "");
    return kExitOk;
  }
  WhoAmIAnswer w;
  if (Status s = ParseApiJson(*body, &w, "GET /v1/auth/whoami"); !s.ok()) return c.Fail(s);
  std::string as = "anonymous";
  if (w.via() != "anonymous" && !w.account().empty()) {
    as = "account " + Short(w.account()) + " of " + w.org_id() +
         (w.roles().empty() ? "" : " (" + RolesInWords(w.roles()) + ")");
  }
  std::string via = w.via();
  if (via == "signature") via = "a signature on every request, by key '" + settings->key + "'";
  if (via == "token") via = "the saved sign-in of profile '" + settings->profile + "'";
  if (via == "anonymous") via = "nothing (an anonymous request)";
  std::string view = w.view();
  if (view == "full") view = "full: every record (IP offices, auditors, regulators)";
  if (view == "party") view = "party: your organisation's records in full, others' as the gazette shows them";
  if (view == "gazette") view = "gazette: the public register; amounts, rates and valuations withheld";
  PrintFields(c.out(), {{"Node", (*n)->url()}, {"Reading as", as}, {"Proved by", via}, {"View", view}});
  if (!settings->profile.empty()) {
    auto saved = c.tokens().Load(settings->profile);
    if (saved.ok() && *saved) {
      c.out() << "Saved sign-in of profile '" << settings->profile << "': until "
              << FormatTimeCst((*saved)->expires_ms()) << " (" << MinutesLeft((*saved)->expires_ms(), c.NowMs())
              << ").\n";
    } else if (saved.ok()) {
      c.out() << "Profile '" << settings->profile << "' is not signed in (`pledger-wallet login`).\n";
    }
  }
  return kExitOk;
}

Command Row(std::string name, std::string summary, std::string details, std::vector<FlagDef> flags,
            std::vector<std::string> examples, std::function<int(Context&)> run, CommandKind kind) {
  Command c;
  c.name = std::move(name);
  c.summary = std::move(summary);
  c.details = std::move(details);
  c.flags = std::move(flags);
  c.examples = std::move(examples);
  c.run = std::move(run);
  c.kind = kind;
  return c;
}

}  // namespace

void AddSessionCommands(std::vector<Command>* out) {
  out->push_back(Row(
      "login", "Sign in once: a token for 15 minutes of reads without the passphrase",
      "Unlocks the profile's key (one passphrase), sends the node one signed request (POST /v1/auth/token) and "
      "saves the token it answers in ~/.pledger/tokens/PROFILE.json (mode 0600). Until it expires, reads with the "
      "profile carry the token instead of asking for the passphrase; any node of the chain accepts it. The token is "
      "a bearer credential: whoever copies the file reads as you until it expires. Transactions are still signed "
      "with the key.",
      {{"passphrase-fd", "N", "read the key's passphrase from file descriptor N", false, false},
       {"passphrase-env", "VAR", "read the key's passphrase from environment variable VAR", false, false},
       {"print-token", "", "print only the token on standard output (for curl -H \"Authorization: Bearer ...\")",
        false, false}},
      {"pledger-wallet login", "pledger-wallet --profile qtbank login --passphrase-env PW"}, RunLogin,
      CommandKind::kLocal));
  out->push_back(Row("logout", "Delete the profile's saved sign-in (or every profile's, with --all)",
                     "Deletes ~/.pledger/tokens/PROFILE.json. A copy of the token made elsewhere keeps working until "
                     "it expires: nodes cannot revoke tokens.",
                     {{"all", "", "every profile's saved sign-in", false, false}},
                     {"pledger-wallet logout", "pledger-wallet logout --all"}, RunLogout, CommandKind::kLocal));
  out->push_back(Row("whoami", "Who the node takes you for, and what you see (full, party or gazette view)",
                     "Asks GET /v1/auth/whoami the way every read asks (saved sign-in, signature, or --anonymous) and "
                     "says how long the profile's saved sign-in lasts.",
                     {}, {"pledger-wallet whoami", "pledger-wallet whoami --anonymous"}, RunWhoAmI,
                     CommandKind::kQuery));
}

}  // namespace pledger::tools::wallet
