// `key` and `profile` commands: the encrypted key store and everyday settings.
// No command here ever prints a secret; exports are encrypted unless the
// caller writes the one flag that says otherwise.
#include <sodium.h>

#include <filesystem>

#include "ledger/io/files.h"
#include "ledger/io/http_client.h"
#include "ledger/io/json.h"
#include "ledger/io/pki.h"
#include "ledger/tx.h"
#include "tools/wallet/cli.h"
#include "tools/wallet/units.h"

namespace pledger::tools::wallet {
namespace {

Result<std::string> NameOperand(Context& c, const std::string& what) {
  const auto& pos = c.args().positional();
  if (pos.empty()) return UsageError("give the " + what + ": pledger-wallet " + c.command().Words() + " " + what);
  if (pos.size() > 1) return UsageError("unexpected argument '" + pos[1] + "'");
  return pos[0];
}

KeyView ViewOf(Context& c, const KeyFile& f) {
  KeyView v;
  v.set_name(f.name());
  v.set_public_key_hex(f.public_key_hex());
  v.set_created(f.created());
  v.set_path(c.keystore().KeyPath(f.name()));
  return v;
}

void PrintKey(Context& c, const KeyView& v) {
  std::vector<std::pair<std::string, std::string>> f{{"Key", v.name()},
                                                     {"Public key", v.public_key_hex()},
                                                     {"Created", v.created()},
                                                     {"File", v.path()}};
  if (!v.account_org_id().empty()) {
    std::string roles;
    for (const auto& r : v.account_roles()) roles += (roles.empty() ? "" : ", ") + r;
    f.emplace_back("Account", v.account_org_id() + " (" + roles + ")");
  }
  PrintFields(c.out(), f);
}

// Wipes a string holding key material when it leaves scope.
struct WipeOnExit {
  std::string& s;
  ~WipeOnExit() { sodium_memzero(s.data(), s.size()); }
};

int KeyNew(Context& c) {
  auto name = NameOperand(c, "NAME");
  if (!name.ok()) return c.Fail(name.status());
  if (Status s = ValidateKeyName(*name); !s.ok()) return c.Fail(UsageError(std::string(s.message())));
  if (io::FileExists(c.keystore().KeyPath(*name))) {
    return c.Fail(Status::AlreadyExists("KEY_EXISTS", "a key named '" + *name + "' already exists"));
  }
  auto pass = c.ReadSecret("passphrase", "New passphrase for key '" + *name + "': ", /*confirm=*/true);
  if (!pass.ok()) return c.Fail(pass.status());
  ledger::SecretKey key = ledger::SecretKey::Generate();
  Status s = c.keystore().Save(*name, key, pass->view(), c.kdf());
  if (!s.ok()) return c.Fail(s);
  auto info = c.keystore().Info(*name);
  if (!info.ok()) return c.Fail(info.status());
  KeyView v = ViewOf(c, *info);
  if (c.json()) {
    c.out() << io::ToJson(v) << "\n";
  } else {
    c.out() << "Created key '" << v.name() << "'.\n";
    PrintKey(c, v);
    c.out() << "Give the public key to your consortium's IP offices to become an account "
               "(`pledger-wallet gov account-add`). Keep the passphrase safe: nobody can recover it.\n";
  }
  return kExitOk;
}

int KeyImport(Context& c) {
  auto name = NameOperand(c, "NAME");
  if (!name.ok()) return c.Fail(name.status());
  if (Status s = ValidateKeyName(*name); !s.ok()) return c.Fail(UsageError(std::string(s.message())));
  auto from = c.args().Require("from");
  if (!from.ok()) return c.Fail(from.status());
  if (io::FileExists(c.keystore().KeyPath(*name))) {
    return c.Fail(Status::AlreadyExists("KEY_EXISTS", "a key named '" + *name + "' already exists"));
  }
  auto data = io::ReadFile(*from, 64 << 10);
  if (!data.ok()) return c.Fail(FlagError("from", "cannot read " + *from + ": " + std::string(data.status().message())));
  WipeOnExit wipe{*data};
  const bool pem = data->find("-----BEGIN") != std::string::npos;
  std::optional<ledger::SecretKey> key;
  std::optional<Secret> pass;
  if (pem) {
    auto k = io::Ed25519KeyFromPem(*data);
    if (!k.ok()) {
      return c.Fail(FlagError("from", *from + " is not an Ed25519 private key in PKCS#8 PEM (as pledger-admin writes "
                                      "them): " + std::string(k.status().message())));
    }
    key.emplace(std::move(*k));
    auto p = c.ReadSecret("passphrase", "New passphrase for key '" + *name + "': ", /*confirm=*/true);
    if (!p.ok()) return c.Fail(p.status());
    pass.emplace(std::move(*p));
  } else {
    auto file = Keystore::ParseKeyFile(*data);
    if (!file.ok()) {
      return c.Fail(FlagError("from", *from + " is neither a PEM private key nor a pledger-wallet key file (" +
                                          std::string(file.status().message()) + ")"));
    }
    auto p = c.ReadSecret("passphrase", "Passphrase of the key file " + *from + ": ", /*confirm=*/false);
    if (!p.ok()) return c.Fail(p.status());
    auto k = Keystore::Decrypt(*file, p->view());
    if (!k.ok()) return c.Fail(k.status());
    key.emplace(std::move(*k));
    if (c.SourceFor("new-passphrase").Given() || c.args().Has("change-passphrase")) {
      auto np = c.ReadSecret("new-passphrase", "New passphrase for key '" + *name + "': ", /*confirm=*/true);
      if (!np.ok()) return c.Fail(np.status());
      pass.emplace(std::move(*np));
    } else {
      pass.emplace(std::move(*p));  // keeps the file's passphrase
    }
  }
  Status s = c.keystore().Save(*name, *key, pass->view(), c.kdf());
  if (!s.ok()) return c.Fail(s);
  auto info = c.keystore().Info(*name);
  if (!info.ok()) return c.Fail(info.status());
  KeyView v = ViewOf(c, *info);
  if (c.json()) {
    c.out() << io::ToJson(v) << "\n";
  } else {
    c.out() << "Imported key '" << v.name() << "' from " << *from << ".\n";
    PrintKey(c, v);
  }
  if (pem) {
    c.Note("note: " + *from + " still holds the key unencrypted; once you have a safe backup, delete it "
           "(e.g. shred -u " + *from + ")");
  }
  return kExitOk;
}

int KeyExport(Context& c) {
  auto name = NameOperand(c, "NAME");
  if (!name.ok()) return c.Fail(name.status());
  auto out = c.args().Require("out");
  if (!out.ok()) return c.Fail(out.status());
  if (*out == "-") return c.Fail(FlagError("out", "keys are never written to standard output; give a file"));
  const bool plaintext = c.args().Has("insecure-plaintext-pem");
  auto info = c.keystore().Info(*name);
  if (!info.ok()) return c.Fail(info.status());
  auto key_pass = c.ReadSecret("passphrase", "Passphrase for key '" + *name + "': ", /*confirm=*/false);
  if (!key_pass.ok()) return c.Fail(key_pass.status());
  auto key = c.keystore().Load(*name, key_pass->view());
  if (!key.ok()) return c.Fail(key.status());
  std::string data;
  WipeOnExit wipe{data};
  if (plaintext) {
    auto pem = io::Ed25519KeyToPem(*key);
    if (!pem.ok()) return c.Fail(pem.status());
    data = std::move(*pem);
  } else {
    // Re-encrypted under a fresh salt and nonce; the same passphrase unless
    // a new one is asked for.
    std::optional<Secret> pass;
    if (c.SourceFor("new-passphrase").Given() || c.args().Has("change-passphrase")) {
      auto np = c.ReadSecret("new-passphrase", "Passphrase for the exported file: ", /*confirm=*/true);
      if (!np.ok()) return c.Fail(np.status());
      pass.emplace(std::move(*np));
    }
    const std::string& passphrase = pass ? pass->view() : key_pass->view();
    auto file = Keystore::Encrypt(*name, *key, passphrase, c.kdf());
    if (!file.ok()) return c.Fail(file.status());
    data = Keystore::KeyFileToJson(*file);
  }
  Status s = io::WriteFileAtomic(*out, data, 0600, /*exclusive=*/true);
  if (s.reason() == "FILE_EXISTS") return c.Fail(FlagError("out", *out + " already exists; keys never overwrite files"));
  if (!s.ok()) return c.Fail(s);
  if (c.json()) {
    KeyView v;
    v.set_name(*name);
    v.set_public_key_hex(ledger::HexEncode(key->public_key()));
    v.set_path(*out);
    c.out() << io::ToJson(v) << "\n";
  } else {
    c.out() << "Exported key '" << *name << "' to " << *out << (plaintext ? " as an UNENCRYPTED PEM file" : " (encrypted)")
            << ", mode 0600.\n";
  }
  if (plaintext) {
    c.Note("WARNING: " + *out + " holds the private key in the clear. Anyone who reads it can sign as you. Move it "
           "only where it is needed and delete it (shred -u " + *out + ").");
  } else {
    c.Note("import it elsewhere with `pledger-wallet key import " + *name + " --from " + *out + "`");
  }
  return kExitOk;
}

int KeyList(Context& c) {
  auto list = c.keystore().List();
  if (!list.ok()) return c.Fail(list.status());
  // A file the store cannot use (permissions, damage) is reported, not hidden.
  for (const auto& name : c.keystore().Names()) {
    auto info = c.keystore().Info(name);
    if (!info.ok()) c.Note("warning: key '" + name + "' is not usable: " + std::string(info.status().message()));
  }
  tools::KeyList out;
  for (const auto& f : *list) *out.add_keys() = ViewOf(c, f);
  if (c.json()) {
    c.out() << io::ToJson(out) << "\n";
    return kExitOk;
  }
  if (list->empty()) {
    c.out() << "No keys in " << c.home() << "/keys. Create one with `pledger-wallet key new NAME` or import one "
            << "with `pledger-wallet key import NAME --from FILE`.\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& k : out.keys()) rows.push_back({k.name(), k.public_key_hex(), k.created()});
  PrintTable(c.out(), {"NAME", "PUBLIC KEY", "CREATED"}, rows);
  return kExitOk;
}

int KeyShow(Context& c) {
  auto name = NameOperand(c, "NAME");
  if (!name.ok()) return c.Fail(name.status());
  auto info = c.keystore().Info(*name);
  if (!info.ok()) return c.Fail(info.status());
  KeyView v = ViewOf(c, *info);
  std::string note;
  c.ReadWithoutKey();  // key show asks for no passphrase
  if (c.lookup() != nullptr) {
    auto n = c.node();
    if (n.ok()) {
      auto acc = (*n)->Account(v.public_key_hex());
      c.Observe(acc.status());
      if (acc.ok()) {
        v.set_account_org_id(acc->org_id());
        for (int r : acc->roles()) v.add_account_roles(RoleWord(static_cast<contracts::Role>(r)));
        if (acc->suspended()) note = "the account is SUSPENDED: its signatures count for nothing";
        if (!acc->rotated_to_hex().empty()) note = "this key was RETIRED (rotated to " + acc->rotated_to_hex() + ")";
      } else if (acc.status().IsNotFound()) {
        note = "this key is not an account on the chain yet";
      } else {
        note = "the node did not answer: " + std::string(acc.status().message());
      }
    }
  }
  if (c.json()) {
    c.out() << io::ToJson(v) << "\n";
  } else {
    PrintKey(c, v);
    if (!note.empty()) c.out() << "Note: " << note << "\n";
  }
  return kExitOk;
}

// ---- key rotate ------------------------------------------------------------------

// Self-signed AccountRotateKey (docs/wallet.md "Rotating your key"). The new
// key is saved (as NAME.next) before anything is sent, so no outcome can
// lose it; NAME changes only once the chain committed the rotation. A run
// after an interruption picks up NAME.next and finishes the swap.
int KeyRotate(Context& c) {
  auto name = NameOperand(c, "NAME");
  if (!name.ok()) return c.Fail(name.status());
  if (c.args().Has("no-wait")) {
    return c.Fail(UsageError("--no-wait: key rotate waits for the commit before it changes your key store"));
  }
  auto info = c.keystore().Info(*name);
  if (!info.ok()) return c.Fail(info.status());
  const std::string staged = *name + ".next";
  const std::string retired = *name + ".old-" + info->public_key_hex().substr(0, 8);
  if (!ValidateKeyName(staged).ok() || !ValidateKeyName(retired).ok()) {
    return c.Fail(UsageError("key name '" + *name + "' is too long to keep its rotated copies (" + retired +
                             "); import it under a shorter name first"));
  }
  auto pass = c.ReadSecret("passphrase", "Passphrase for key '" + *name + "': ", /*confirm=*/false);
  if (!pass.ok()) return c.Fail(pass.status());
  auto old_key = c.keystore().Load(*name, pass->view());
  if (!old_key.ok()) return c.Fail(old_key.status());
  const std::string old_hex = ledger::HexEncode(old_key->public_key());

  // The chain first: the account must be this key's, active.
  c.ReadWithoutKey();  // one passphrase: reads are anonymous or use a saved sign-in
  if (!c.HasNodeUrl()) return c.Fail(UsageError("--node: key rotate submits to a node; give --node URL or a profile"));
  auto n = c.node();
  if (!n.ok()) return c.Fail(n.status());
  auto st = (*n)->NodeStatus();
  c.Observe(st.status());
  if (!st.ok()) return c.Fail(st.status());
  auto settings = c.settings();
  if (!settings.ok()) return c.Fail(settings.status());
  if (!settings->chain_id.empty() && settings->chain_id != st->chain_id()) {
    return c.Fail(UsageError("the profile says chain '" + settings->chain_id + "' but the node runs '" +
                             st->chain_id() + "'; fix the profile"));
  }
  auto acc = (*n)->Account(old_hex);
  c.Observe(acc.status());
  if (!acc.ok()) {
    if (acc.status().IsNotFound()) {
      return c.Fail(Status::FailedPrecondition("ACCOUNT_NOT_FOUND", "key '" + *name + "' (" + Short(old_hex) +
                                                                        ") is not an account on this chain: nothing to "
                                                                        "rotate"));
    }
    return c.Fail(acc.status());
  }

  // The new key: the one staged by an earlier run, else a fresh one.
  std::optional<ledger::SecretKey> new_key;
  if (io::FileExists(c.keystore().KeyPath(staged))) {
    auto k = c.keystore().Load(staged, pass->view());
    if (!k.ok()) return c.Fail(k.status().WithContext("opening the staged new key '" + staged + "'"));
    new_key.emplace(std::move(*k));
    c.Note("using the new key staged by an earlier run ('" + staged + "')");
  } else {
    if (!acc->rotated_to_hex().empty() || acc->suspended()) {
      return c.Fail(Status::FailedPrecondition(
          "ACCOUNT_RETIRED", "the account of key '" + *name + "' is " +
                                 (acc->rotated_to_hex().empty() ? "suspended" : "already retired (rotated to " +
                                                                                    Short(acc->rotated_to_hex()) + ")") +
                                 "; it cannot rotate itself"));
    }
    new_key.emplace(ledger::SecretKey::Generate());
    Status s = c.keystore().Save(staged, *new_key, pass->view(), c.kdf());
    if (!s.ok()) return c.Fail(s);
  }
  const std::string new_hex = ledger::HexEncode(new_key->public_key());

  int code = kExitOk;
  if (acc->rotated_to_hex() == new_hex) {
    c.Note("the chain already moved the account to the staged key; finishing the key store");
  } else {
    auto params = (*n)->Params();
    c.Observe(params.status());
    if (!params.ok()) return c.Fail(params.status());
    contracts::Action a;
    auto* x = a.mutable_account_rotate_key();
    x->set_old_public_key_hex(old_hex);
    x->set_new_public_key_hex(new_hex);
    const std::string msg = ledger::KeyRotationMessage(st->chain_id(), "account:" + old_hex, old_hex, new_hex);
    x->set_new_key_proof(ledger::ToString(ledger::ByteSpan(new_key->Sign(msg))));
    ledger::TxBody body;
    body.set_chain_id(st->chain_id());
    body.set_nonce(c.io().nonce ? c.io().nonce() : 0);
    body.set_expiry_height(st->height() + std::min<std::uint64_t>(std::max<std::uint64_t>(1, params->max_expiry_window()), 1000));
    *body.mutable_action() = a;
    ledger::Transaction tx = ledger::MakeTransaction(body);
    ledger::SignTransaction(&tx, *old_key);
    code = SubmitAndReport(c, tx, body);
    if (code != kExitOk) {
      c.Note("the rotation did not commit: key '" + *name + "' is unchanged; the new key stays staged as '" + staged +
             "' and the next `pledger-wallet key rotate " + *name + "` reuses it");
      return code;
    }
  }
  // Committed: keep the old key as retired, then make NAME the new key
  // (atomically), then drop the staged copy.
  if (!io::FileExists(c.keystore().KeyPath(retired))) {
    Status s = c.keystore().Save(retired, *old_key, pass->view(), c.kdf());
    if (!s.ok()) return c.Fail(s.WithContext("keeping the retired key"));
  }
  auto file = Keystore::Encrypt(*name, *new_key, pass->view(), c.kdf());
  if (!file.ok()) return c.Fail(file.status());
  Status s = io::WriteFileAtomic(c.keystore().KeyPath(*name), Keystore::KeyFileToJson(*file), 0600);
  if (!s.ok()) return c.Fail(s.WithContext("replacing key '" + *name + "' (the new key is safe as '" + staged + "')"));
  std::error_code ec;
  std::filesystem::remove(c.keystore().KeyPath(staged), ec);
  if (!c.json()) {
    c.out() << "Key '" << *name << "' is now " << new_hex << ".\n"
            << "The retired key " << old_hex << " is kept as '" << retired
            << "' (the chain refuses its signatures from now on).\n";
  } else {
    c.Note("key '" + *name + "' is now " + new_hex + "; the retired key is kept as '" + retired + "'");
  }
  if (auto t = c.tokens().Load(settings->profile); t.ok() && t->has_value()) {
    c.Note("note: a saved sign-in of the old key no longer works; run `pledger-wallet login` again");
  }
  return kExitOk;
}

// ---- profiles ------------------------------------------------------------------

void PrintProfile(Context& c, const Profile& p, bool current) {
  PrintFields(c.out(), {{"Profile", p.name() + (current ? " (current)" : "")},
                        {"Node", p.node_url()},
                        {"Key", p.key().empty() ? "(none: reads the public view, signs nothing)" : p.key()},
                        {"Chain", p.chain_id()},
                        {"CA file", p.ca_file().empty() ? "(none: plain http)" : p.ca_file()}});
}

int ProfileAdd(Context& c) {
  auto name = NameOperand(c, "NAME");
  if (!name.ok()) return c.Fail(name.status());
  if (Status s = ValidateProfileName(*name); !s.ok()) return c.Fail(UsageError(std::string(s.message())));
  auto url = c.args().Require("node");
  if (!url.ok()) return c.Fail(url.status());
  auto parsed = io::ParseUrl(*url);
  if (!parsed.ok()) return c.Fail(FlagError("node", std::string(parsed.status().message())));
  // A profile without a key reads the public (gazette) view and signs nothing.
  const std::string key = c.args().Get("key").value_or("");
  if (!key.empty()) {
    if (Status s = ValidateKeyName(key); !s.ok()) return c.Fail(FlagError("key", std::string(s.message())));
  }
  std::string ca = c.args().Get("ca").value_or("");
  if (parsed->tls && ca.empty()) return c.Fail(FlagError("ca", "an https node URL needs the consortium CA file"));
  if (!ca.empty() && !io::FileExists(ca)) return c.Fail(FlagError("ca", ca + " does not exist"));
  // Stored absolute, so the profile works from any directory.
  if (!ca.empty()) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(ca, ec);
    if (!ec) ca = abs.lexically_normal().string();
  }
  auto cfg = c.config().Load();
  if (!cfg.ok()) return c.Fail(cfg.status());
  if (FindProfile(*cfg, *name) != nullptr && !c.args().Has("force")) {
    return c.Fail(Status::AlreadyExists("PROFILE_EXISTS", "profile '" + *name + "' exists; add --force to replace it"));
  }
  std::string chain = c.args().Get("chain-id").value_or("");
  if (chain.empty()) {
    c.ReadWithoutKey();  // the chain id is public; the new profile's key may not even exist yet
    auto n = c.node();
    if (!n.ok()) return c.Fail(n.status());
    auto st = (*n)->NodeStatus();
    if (!st.ok()) {
      return c.Fail(FlagError("chain-id", "the node at " + *url + " did not answer (" +
                                              std::string(st.status().message()) + "), so the chain id could not be "
                                              "read from it; give --chain-id"));
    }
    chain = st->chain_id();
  }
  Profile p;
  p.set_name(*name);
  p.set_node_url(*url);
  p.set_key(key);
  p.set_chain_id(chain);
  p.set_ca_file(ca);
  WalletConfig updated;
  for (const Profile& q : cfg->profiles()) {
    if (q.name() != *name) *updated.add_profiles() = q;
  }
  *updated.add_profiles() = p;
  updated.set_current_profile(cfg->current_profile());
  const bool make_current = c.args().Has("use") || cfg->current_profile().empty();
  if (make_current) updated.set_current_profile(*name);
  Status s = c.config().Save(updated);
  if (!s.ok()) return c.Fail(s);
  if (c.json()) {
    c.out() << io::ToJson(p) << "\n";
  } else {
    c.out() << "Saved profile '" << *name << "'" << (make_current ? " (now current)" : "") << ".\n";
    PrintProfile(c, p, make_current);
  }
  if (key.empty()) {
    c.Note("note: profile '" + *name + "' has no key: it reads the public (gazette) view and cannot sign");
  } else if (!io::FileExists(c.keystore().KeyPath(key))) {
    c.Note("note: there is no key '" + key + "' yet; create or import it with `pledger-wallet key new " + key +
           "` or `pledger-wallet key import " + key + " --from FILE`");
  }
  return kExitOk;
}

int ProfileUse(Context& c) {
  auto name = NameOperand(c, "NAME");
  if (!name.ok()) return c.Fail(name.status());
  auto cfg = c.config().Load();
  if (!cfg.ok()) return c.Fail(cfg.status());
  if (FindProfile(*cfg, *name) == nullptr) {
    return c.Fail(UsageError("no profile named '" + *name + "'; see `pledger-wallet profile list`"));
  }
  cfg->set_current_profile(*name);
  Status s = c.config().Save(*cfg);
  if (!s.ok()) return c.Fail(s);
  if (c.json()) {
    c.out() << io::ToJson(*FindProfile(*cfg, *name)) << "\n";
  } else {
    c.out() << "Now using profile '" << *name << "'.\n";
  }
  return kExitOk;
}

int ProfileList(Context& c) {
  auto cfg = c.config().Load();
  if (!cfg.ok()) return c.Fail(cfg.status());
  if (c.json()) {
    c.out() << io::ToJson(*cfg) << "\n";
    return kExitOk;
  }
  if (cfg->profiles().empty()) {
    c.out() << "No profiles. Add one with `pledger-wallet profile add NAME --node URL --key KEY`.\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const Profile& p : cfg->profiles()) {
    rows.push_back({p.name() == cfg->current_profile() ? "*" : "", p.name(), p.node_url(), p.key(), p.chain_id()});
  }
  PrintTable(c.out(), {"", "PROFILE", "NODE", "KEY", "CHAIN"}, rows);
  return kExitOk;
}

int ProfileShow(Context& c) {
  auto cfg = c.config().Load();
  if (!cfg.ok()) return c.Fail(cfg.status());
  std::string name = c.args().positional().empty() ? cfg->current_profile() : c.args().positional()[0];
  if (name.empty()) return c.Fail(UsageError("no current profile; give a NAME or add one with `pledger-wallet profile add`"));
  const Profile* p = FindProfile(*cfg, name);
  if (p == nullptr) return c.Fail(UsageError("no profile named '" + name + "'; see `pledger-wallet profile list`"));
  if (c.json()) {
    c.out() << io::ToJson(*p) << "\n";
  } else {
    PrintProfile(c, *p, name == cfg->current_profile());
  }
  return kExitOk;
}

int ProfileRemove(Context& c) {
  auto name = NameOperand(c, "NAME");
  if (!name.ok()) return c.Fail(name.status());
  auto cfg = c.config().Load();
  if (!cfg.ok()) return c.Fail(cfg.status());
  if (FindProfile(*cfg, *name) == nullptr) return c.Fail(UsageError("no profile named '" + *name + "'"));
  WalletConfig updated;
  for (const Profile& q : cfg->profiles()) {
    if (q.name() != *name) *updated.add_profiles() = q;
  }
  updated.set_current_profile(cfg->current_profile() == *name ? "" : cfg->current_profile());
  Status s = c.config().Save(updated);
  if (!s.ok()) return c.Fail(s);
  if (!c.json()) c.out() << "Removed profile '" << *name << "' (its key stays in the key store).\n";
  if (c.json()) c.out() << io::ToJson(updated) << "\n";
  return kExitOk;
}

Command Local(std::string group, std::string name, std::string operands, std::string summary, std::string details,
              std::vector<FlagDef> flags, std::vector<std::string> examples, std::function<int(Context&)> run) {
  Command c;
  c.group = std::move(group);
  c.name = std::move(name);
  c.operands = std::move(operands);
  c.summary = std::move(summary);
  c.details = std::move(details);
  c.flags = std::move(flags);
  c.examples = std::move(examples);
  c.run = std::move(run);
  return c;
}

const FlagDef kPassFd{"passphrase-fd", "N", "read the passphrase from file descriptor N (one line)", false, false};
const FlagDef kPassEnv{"passphrase-env", "VAR", "read the passphrase from environment variable VAR", false, false};
const FlagDef kNewPassFd{"new-passphrase-fd", "N", "read the new passphrase from file descriptor N", false, false};
const FlagDef kNewPassEnv{"new-passphrase-env", "VAR", "read the new passphrase from environment variable VAR", false, false};
const FlagDef kChangePass{"change-passphrase", "", "prompt for a new passphrase", false, false};

}  // namespace

void AddKeyCommands(std::vector<Command>* out) {
  const std::string pass_note =
      " The passphrase comes from --passphrase-fd N, --passphrase-env VAR, or a no-echo prompt on the terminal.";
  out->push_back(Local("key", "new", "NAME", "Create a new Ed25519 key, encrypted in the key store",
                       "Writes ~/.pledger/keys/NAME.json (mode 0600; $PLEDGER_HOME or --home move it), encrypted "
                       "with a key derived from your passphrase (Argon2id, XChaCha20-Poly1305)." + pass_note,
                       {kPassFd, kPassEnv}, {"pledger-wallet key new qtbank"}, KeyNew));
  out->push_back(Local("key", "import", "NAME", "Import a key from a pledger-admin PEM file or an exported key file",
                       "A PEM file (accounts/NAME.key from pledger-admin) is encrypted under a new passphrase; delete "
                       "the PEM afterwards. An exported key file is opened with its passphrase and stored under NAME, "
                       "with the same passphrase unless --change-passphrase or --new-passphrase-* is given." + pass_note,
                       {{"from", "FILE", "the PEM or key file to import", false, true}, kPassFd, kPassEnv, kNewPassFd,
                        kNewPassEnv, kChangePass},
                       {"pledger-wallet key import qtbank --from devnet/accounts/qtbank.key",
                        "pledger-wallet key import qtbank --from qtbank-backup.json"},
                       KeyImport));
  out->push_back(Local("key", "export", "NAME", "Export a key to a file, re-encrypted (never in the clear by default)",
                       "Writes an encrypted key file (fresh salt and nonce) for another machine, with the key's own "
                       "passphrase or a new one (--change-passphrase, --new-passphrase-*). "
                       "--insecure-plaintext-pem writes an UNENCRYPTED PKCS#8 PEM instead: only for tools that need "
                       "it. Files are created with mode 0600 and never overwrite anything; keys never go to the "
                       "terminal." + pass_note,
                       {{"out", "FILE", "the file to create", false, true}, kPassFd, kPassEnv, kNewPassFd, kNewPassEnv,
                        kChangePass,
                        {"insecure-plaintext-pem", "", "DANGEROUS: write the private key unencrypted", false, false}},
                       {"pledger-wallet key export qtbank --out /media/usb/qtbank.json"}, KeyExport));
  out->push_back(Local("key", "list", "", "List the keys in the key store", "Names, public keys and creation times.",
                       {}, {"pledger-wallet key list"}, KeyList));
  out->push_back(Local("key", "show", "NAME", "Show a key's public key and, with a node, its account",
                       "No passphrase needed: only public information is shown.", {}, {"pledger-wallet key show qtbank"},
                       KeyShow));
  out->push_back(Local("key", "rotate", "NAME", "Move your account to a new key, self-signed (the old key retires)",
                       "Generates a new key, has the chain move your account (organisation and roles) to it with a "
                       "self-signed AccountRotateKey (signed by the old key, carrying the new key's proof; no IP "
                       "office needs to sign), waits for the commit, and then makes NAME the new key. The old key "
                       "stays in the store as NAME.old-<first 8 hex of the old key>, retired on the chain. The new "
                       "key uses NAME's passphrase and is saved as NAME.next before anything is sent, so an "
                       "interrupted rotation is finished by running the command again." + pass_note,
                       {kPassFd, kPassEnv,
                        {"timeout", "SECONDS", "how long to wait for the commit (default 120)", false, false}},
                       {"pledger-wallet key rotate qtbank"}, KeyRotate));
  out->push_back(Local("profile", "add", "NAME", "Save a profile: node URL, key, chain id, CA file",
                       "The first profile becomes current (or give --use). Without --chain-id the chain id is read "
                       "from the node. https URLs need --ca, the consortium CA certificate (pledger-admin writes it "
                       "as consortium-ca.crt). Reads are signed with the key (or carry the token of "
                       "`pledger-wallet login`); a profile without --key reads the public (gazette) view.",
                       {{"node", "URL", "the node's API, e.g. http://127.0.0.1:26601", false, true},
                        {"key", "NAME", "the key to sign and read with (none: read the public view only)", false,
                         false},
                        {"chain-id", "ID", "the chain id (default: asked from the node)", false, false},
                        {"ca", "FILE", "consortium CA certificate for https", false, false},
                        {"use", "", "make it the current profile", false, false},
                        {"force", "", "replace an existing profile of that name", false, false}},
                       {"pledger-wallet profile add qtbank --node https://127.0.0.1:26601 --key qtbank --ca "
                        "devnet/consortium-ca.crt"},
                       ProfileAdd));
  out->push_back(Local("profile", "use", "NAME", "Make a profile the current one",
                       "PLEDGER_PROFILE or --profile override it for one command.", {},
                       {"pledger-wallet profile use lianke"}, ProfileUse));
  out->push_back(Local("profile", "list", "", "List profiles (* marks the current one)", "", {},
                       {"pledger-wallet profile list"}, ProfileList));
  out->push_back(Local("profile", "show", "[NAME]", "Show a profile (default: the current one)", "", {},
                       {"pledger-wallet profile show"}, ProfileShow));
  out->push_back(Local("profile", "remove", "NAME", "Remove a profile (its key stays)", "", {},
                       {"pledger-wallet profile remove old"}, ProfileRemove));
}

}  // namespace pledger::tools::wallet
