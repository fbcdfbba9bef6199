#include "contracts/internal/records.h"

#include <algorithm>
#include <set>

#include "contracts/internal/validate.h"
#include "contracts/patent_number.h"
#include "contracts/state_keys.h"

namespace pledger::contracts::internal {

Status LoadAccount(TxContext& c, std::string_view key_hex, Account* a) {
  if (!ValidHex64(key_hex)) {
    return Fail("ACCOUNT_KEY_INVALID", "public key " + Quote(key_hex) +
                                           " must be 64 lower-case hex characters (Ed25519)");
  }
  c.Touch(keys::Account(key_hex));
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Account(key_hex), a, &found));
  if (!found) {
    return Fail("ACCOUNT_NOT_FOUND", "no account has key " + std::string(key_hex.substr(0, 16)) +
                                         "…; check the key or add the account first");
  }
  if (!a->rotated_to_hex().empty()) {
    return Fail("ACCOUNT_RETIRED", "key " + std::string(key_hex.substr(0, 16)) +
                                       "… was rotated; use the account's current key");
  }
  return Status::OK();
}

Status LoadOrg(TxContext& c, std::string_view id, Organisation* org) {
  const Organisation* ref = nullptr;
  Status s = LoadOrgRef(c, id, org, &ref);
  if (ref != nullptr && ref != org) *org = *ref;
  return s;
}

Status ReadOrg(TxContext& c, std::string_view id, Organisation* org) {
  const Organisation* ref = nullptr;
  Status s = ReadOrgRef(c, id, org, &ref);
  if (ref != nullptr && ref != org) *org = *ref;
  return s;
}

Status LoadOrgRef(TxContext& c, std::string_view id, Organisation* storage, const Organisation** org) {
  PLEDGER_RETURN_IF_ERROR(ReadOrgRef(c, id, storage, org));
  if ((*org)->removed()) {
    return Fail("ORG_REMOVED", "organisation " + std::string(id) + " was removed at height " +
                                   std::to_string((*org)->removed_height()) +
                                   "; it can be party to nothing new: name another organisation");
  }
  return Status::OK();
}

Status ReadOrgRef(TxContext& c, std::string_view id, Organisation* storage, const Organisation** org) {
  *org = nullptr;
  if (!ValidId(id)) {
    return Fail("ORG_ID_INVALID", "organisation id " + Quote(id) + " must match [a-z0-9._-]{1,64}");
  }
  const std::string key = keys::Org(id);
  c.Touch(key);
  // Most transactions name the same few banks and offices: serve parsed
  // organisations from the block's cache unless this transaction wrote one.
  // The cache is cleared only between transactions (BlockState::Apply), and
  // its elements do not move when it grows, so the pointer holds for the
  // rest of this transaction.
  auto& cache = c.state().block()->org_cache();
  const bool own = c.state().Writes(key);
  if (!own) {
    if (auto it = cache.find(id); it != cache.end()) {
      *org = &it->second;
      return Status::OK();
    }
  }
  bool found = false;
  if (!own) {
    // Parse straight into a new cache entry rather than copying it there.
    auto it = cache.try_emplace(std::string(id)).first;
    Status s = c.Read(key, &it->second, &found);
    if (s.ok() && found) {
      *org = &it->second;
      return Status::OK();
    }
    cache.erase(it);
    PLEDGER_RETURN_IF_ERROR(s);
    storage->Clear();
  } else {
    PLEDGER_RETURN_IF_ERROR(c.Read(key, storage, &found));
  }
  *org = storage;
  if (!found) return Fail("ORG_NOT_FOUND", "no organisation " + Quote(id) + "; add it with OrgAdd first");
  return Status::OK();
}

Status LoadPatent(TxContext& c, std::string_view patent_no, Patent* p) {
  auto type = ParsePatentNumber(patent_no);
  if (!type.ok()) return Fail(type.status().reason(), std::string(type.status().message()));
  std::string key = keys::Patent(patent_no);
  bool found = false;
  Status s = c.Read(key, p, &found);
  c.Touch(std::move(key));  // touched either way; the list is sorted at the end
  PLEDGER_RETURN_IF_ERROR(s);
  if (!found) {
    return Fail("PATENT_NOT_FOUND", "patent " + std::string(patent_no) +
                                        " is not in the register; an IP office must register it first");
  }
  return Status::OK();
}

Status LoadPledge(TxContext& c, std::string_view id, Pledge* p) {
  if (!ValidObjectId(id)) {
    return Fail("PLEDGE_ID_INVALID", "pledge id " + Quote(id) +
                                         " must be 32 lower-case hex characters (from the registering receipt)");
  }
  c.Touch(keys::Pledge(id));
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pledge(id), p, &found));
  if (!found) return Fail("PLEDGE_NOT_FOUND", "no pledge " + std::string(id) + "; check the id");
  return Status::OK();
}

std::vector<std::string> MissingOwnerSignatures(const TxContext& c,
                                                const google::protobuf::RepeatedPtrField<Owner>& owners) {
  std::vector<std::string> missing;
  for (const Owner& o : owners) {
    if (c.SignerWithRole(ROLE_OWNER, o.org_id()) == nullptr) missing.push_back(o.org_id());
  }
  return missing;
}

Status CheckOwners(TxContext& c, const google::protobuf::RepeatedPtrField<Owner>& owners,
                   google::protobuf::RepeatedPtrField<Owner>* sorted) {
  if (owners.empty() || static_cast<size_t>(owners.size()) > kMaxOwners) {
    return Fail("PATENT_OWNERS_INVALID", "a patent has 1 to 16 owners");
  }
  std::set<std::string> seen;
  std::int64_t total = 0;
  for (const Owner& o : owners) {
    if (!ValidId(o.org_id()) || !seen.insert(o.org_id()).second) {
      return Fail("PATENT_OWNERS_INVALID", "owner " + Quote(o.org_id()) + " is invalid or listed twice");
    }
    if (o.share_bps() == 0 || o.share_bps() > kOwnerSharesTotalBps) {
      return Fail("PATENT_OWNERS_INVALID", "owner " + o.org_id() + " needs a share of 1 to 10000 bps");
    }
    total += o.share_bps();
    Organisation storage;
    const Organisation* org = nullptr;
    PLEDGER_RETURN_IF_ERROR(LoadOrgRef(c, o.org_id(), &storage, &org));
    if (org->kind() == ORG_IP_OFFICE) {
      return Fail("PATENT_OWNERS_INVALID", "an IP office cannot own a patent on this register");
    }
  }
  if (total != kOwnerSharesTotalBps) {
    return Fail("PATENT_OWNERS_INVALID", "owner shares add up to " + std::to_string(total) +
                                             " bps; they must add up to 10000");
  }
  sorted->CopyFrom(owners);
  std::sort(sorted->begin(), sorted->end(),
            [](const Owner& a, const Owner& b) { return a.org_id() < b.org_id(); });
  return Status::OK();
}

Status NotifyPledgee(TxContext& c, const Patent& p, std::string_view what) {
  if (p.active_pledge_id().empty()) return Status::OK();
  Pledge pledge;
  bool found = false;
  PLEDGER_RETURN_IF_ERROR(c.Read(keys::Pledge(p.active_pledge_id()), &pledge, &found));
  c.Emit("pledgee.notice", {{"pledge_id", p.active_pledge_id()},
                            {"pledgee_org_id", pledge.pledgee_org_id()},
                            {"patent_no", p.patent_no()},
                            {"event", std::string(what)},
                            {"rule", "R14"}});
  return Status::OK();
}

}  // namespace pledger::contracts::internal
