// Transaction commands: one builder per contract action, turning flags in the
// users' terms into the action message, with every local check that can be
// made before signing (docs/contracts.md lists the checks the engine makes
// again). This file holds the flag readers and row helpers the domains share
// (actions.h) and the table of every domain's rows.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "contracts/dates.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/json.h"
#include "tools/wallet/actions.h"

namespace pledger::tools::wallet {
namespace actions {

// ---- flag readers ---------------------------------------------------------------

Result<std::string> Required(Context& c, const std::string& flag) { return c.args().Require(flag); }

Result<std::string> Text(Context& c, const std::string& flag, size_t max, bool required) {
  auto v = c.args().Get(flag);
  if (!v || v->empty()) {
    if (required) return UsageError("missing required flag --" + flag);
    return std::string();
  }
  if (v->size() > max) return FlagError(flag, "is " + std::to_string(v->size()) + " bytes; at most " + std::to_string(max));
  return *v;
}

Result<std::string> Patent(Context& c, const std::string& flag) {
  PLEDGER_ASSIGN_OR_RETURN(std::string v, Required(c, flag));
  return ParsePatentNo(flag, v);
}

Result<std::vector<std::string>> Patents(Context& c, const std::string& flag) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& v : c.args().GetAll(flag)) {
    PLEDGER_ASSIGN_OR_RETURN(std::string no, ParsePatentNo(flag, v));
    if (!seen.insert(no).second) return FlagError(flag, no + " is given twice");
    out.push_back(no);
  }
  if (out.empty()) return UsageError("missing required flag --" + flag);
  if (out.size() > kMaxPatentsPerAction) return FlagError(flag, "at most 64 patents in one transaction");
  return out;
}

Result<std::string> Org(Context& c, const std::string& flag, bool required) {
  auto v = c.args().Get(flag);
  if (!v) {
    if (required) return UsageError("missing required flag --" + flag);
    return std::string();
  }
  return ParseOrgId(flag, *v);
}

Result<std::int32_t> Date(Context& c, const std::string& flag) {
  PLEDGER_ASSIGN_OR_RETURN(std::string v, Required(c, flag));
  return ParseDate(flag, v, c.today());
}

Result<std::int32_t> OptDate(Context& c, const std::string& flag) {
  auto v = c.args().Get(flag);
  if (!v) return 0;
  return ParseDate(flag, *v, c.today());
}

Result<std::int64_t> Yuan(Context& c, const std::string& flag, bool required, bool allow_zero) {
  auto v = c.args().Get(flag);
  if (!v) {
    if (required) return UsageError("missing required flag --" + flag);
    return 0;
  }
  return ParseYuan(flag, *v, allow_zero);
}

Result<std::string> Object(Context& c, const std::string& flag) {
  PLEDGER_ASSIGN_OR_RETURN(std::string v, Required(c, flag));
  return ParseObjectId(flag, v);
}

Result<std::string> DocHash(Context& c, const std::string& name, bool required) {
  auto hex = c.args().Get(name + "-hash");
  auto file = c.args().Get(name);
  if (hex && file) return UsageError("give --" + name + "-hash or --" + name + ", not both");
  if (hex) return ParseHex64(name + "-hash", *hex);
  if (file) return HashOfFile(name, *file);
  if (required) {
    return UsageError("missing required flag --" + name + "-hash HEX (or --" + name +
                      " FILE to hash the document here)");
  }
  return std::string();
}

Status Owners(Context& c, const std::string& flag, google::protobuf::RepeatedPtrField<contracts::Owner>* out) {
  std::vector<std::string> values = c.args().GetAll(flag);
  if (values.empty()) return UsageError("missing required flag --" + flag + " ORG[:SHARE%]");
  if (values.size() > kMaxOwners) return FlagError(flag, "at most 16 owners");
  std::set<std::string> seen;
  std::int64_t total = 0;
  bool any_without_share = false;
  for (const std::string& v : values) {
    size_t colon = v.find(':');
    PLEDGER_ASSIGN_OR_RETURN(std::string org, ParseOrgId(flag, v.substr(0, colon)));
    if (!seen.insert(org).second) return FlagError(flag, "owner " + org + " is given twice");
    std::uint32_t share = 0;
    if (colon == std::string::npos) {
      any_without_share = true;
      share = kOwnerSharesTotalBps;
    } else {
      PLEDGER_ASSIGN_OR_RETURN(share, ParseBps(flag, v.substr(colon + 1), kOwnerSharesTotalBps));
      if (share == 0) return FlagError(flag, "owner " + org + " has a share of 0");
    }
    auto* o = out->Add();
    o->set_org_id(org);
    o->set_share_bps(share);
    total += share;
  }
  if (any_without_share && values.size() > 1) {
    return FlagError(flag, "with several owners give each one's share, e.g. --" + flag + " lianke:60% --" + flag +
                               " zju:40%");
  }
  if (total != kOwnerSharesTotalBps) {
    return FlagError(flag, "shares add up to " + FormatBps(static_cast<std::uint32_t>(total)) + "; they must add up to 100 %");
  }
  return Status::OK();
}

Status NotPast(const std::string& flag, std::int32_t day, std::int32_t today) {
  if (day < today) return FlagError(flag, FormatDay(day) + " is in the past (today is " + FormatDay(today) + ")");
  return Status::OK();
}

Status NotFuture(const std::string& flag, std::int32_t day, std::int32_t today) {
  if (day > today) return FlagError(flag, FormatDay(day) + " is in the future (today is " + FormatDay(today) + ")");
  return Status::OK();
}

// ---- command rows -----------------------------------------------------------------

FlagDef F(std::string name, std::string value, std::string help, bool required) {
  return FlagDef{std::move(name), std::move(value), std::move(help), false, required};
}
FlagDef Many(std::string name, std::string value, std::string help, bool required) {
  return FlagDef{std::move(name), std::move(value), std::move(help), true, required};
}
FlagDef Switch(std::string name, std::string help) { return FlagDef{std::move(name), "", std::move(help), false, false}; }
FlagDef Doc(const std::string& name, const std::string& what, bool required) {
  return FlagDef{name + "-hash", "HEX", "SHA-256 of " + what + " (or --" + name + " FILE to hash the file here)",
                 false, required};
}
FlagDef DocFile(const std::string& name, const std::string& what) {
  return FlagDef{name, "FILE", what + " to hash (instead of --" + name + "-hash)", false, false};
}

Command Tx(std::string group, std::string name, std::string summary, std::string details,
           std::vector<FlagDef> flags, std::vector<std::string> examples,
           std::function<Result<Action>(Context&)> build) {
  Command c;
  c.group = std::move(group);
  c.name = std::move(name);
  c.summary = std::move(summary);
  c.details = std::move(details);
  c.flags = std::move(flags);
  c.examples = std::move(examples);
  c.kind = CommandKind::kTx;
  c.build = std::move(build);
  return c;
}

}  // namespace actions

void AddTxCommands(std::vector<Command>* out) {
  actions::AddPatentCommands(out);
  actions::AddPledgeCommands(out);
  actions::AddGovernanceCommands(out);
  actions::AddPoolCommands(out);
}

}  // namespace pledger::tools::wallet
