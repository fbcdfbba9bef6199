// TxContext: everything one contract action sees and produces (internal).
//
// An action handler reads typed records through the context (committed state +
// this block's earlier writes + its own writes), checks the verified signers,
// and produces writes, events, touched entities and, for rules that list
// several grounds (R7), every failed ground. It returns OK or a Status whose
// reason is a stable result code from contracts/codes.h.
//
// A failure of the underlying reader is remembered as fatal(): the engine then
// abandons the block instead of writing a receipt that another node (whose
// disk is fine) would not write.
//
// Not thread-safe; lives for one transaction.
#ifndef PLEDGER_CONTRACTS_INTERNAL_CONTEXT_H_
#define PLEDGER_CONTRACTS_INTERNAL_CONTEXT_H_

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "contracts/codes.h"
#include "contracts/encode.h"
#include "contracts/engine.h"
#include "contracts/internal/state_view.h"
#include "contracts/proto/state.pb.h"
#include "ledger/tx.h"

namespace pledger::contracts::internal {

struct Signer {
  std::string key_hex;
  Account account;
};

struct Ground {
  std::string code;
  std::string message;
};

class TxContext {
 public:
  TxContext(BlockState* block, const BlockContext& ctx, std::uint32_t index, const ledger::Hash256& id)
      : state_(block), ctx_(ctx), index_(index), id_(id), today_(DateOfBlockTimeChecked(ctx.time_ms)) {}

  // ---- block facts
  const std::string& chain_id() const { return ctx_.chain_id; }
  std::uint64_t height() const { return ctx_.height; }
  std::uint64_t time_ms() const { return ctx_.time_ms; }
  std::int32_t today() const { return today_; }
  std::uint32_t index() const { return index_; }
  const ledger::Hash256& tx_id() const { return id_; }
  // Id for a record this transaction creates (ObjectIdFromTxId).
  std::string NewObjectId() const { return ObjectIdFromTxId(id_); }

  // ---- reads. NotFound is not an error: *found says whether the key exists.
  Status GetRaw(std::string_view key, std::optional<std::string>* out);
  // GetRaw without the copy: *out points into the state views (nullptr when
  // absent) and is valid only until the next read or write of this context.
  Status FindRaw(std::string_view key, const std::string** out);
  template <typename M>
  Status Read(std::string_view key, M* msg, bool* found) {
    const std::string* raw = nullptr;
    PLEDGER_RETURN_IF_ERROR(FindRaw(key, &raw));
    *found = raw != nullptr;
    if (raw == nullptr) msg->Clear();  // ParseFromString clears first itself
    if (raw != nullptr && !msg->ParseFromString(*raw)) {
      return Fatal(Status::Corruption("STATE_RECORD_CORRUPT",
                                      "state record " + std::string(key) +
                                          " does not parse; the state is damaged, resynchronise"));
    }
    return Status::OK();
  }
  Status Scan(std::string_view prefix, const ScanFn& fn);
  // The chain parameters (read once per transaction).
  Status LoadParams(const Params** out);

  // ---- writes (dropped if the action fails)
  void Put(std::string key, std::string value) { state_.Put(std::move(key), std::move(value)); }
  void Write(std::string key, const google::protobuf::Message& msg) {
    state_.Put(std::move(key), EncodeRecord(msg));
  }
  void Erase(std::string key) { state_.Erase(std::move(key)); }
  TxState& state() { return state_; }

  // ---- receipt
  // Values are views: a temporary string in the braced list lives until the
  // end of the call's full expression, which is all Emit needs.
  void Emit(std::string_view type,
            std::initializer_list<std::pair<std::string_view, std::string_view>> attributes);
  void Touch(std::string entity) { touched_.push_back(std::move(entity)); }
  void AddGround(std::string_view code, std::string message) {
    grounds_.push_back(Ground{std::string(code), std::move(message)});
  }
  // The Status for the first recorded ground (call only if any).
  Status RefuseWithGrounds() const;
  bool has_grounds() const { return !grounds_.empty(); }

  // Built in place, in the receipt's own container type, so that an accepted
  // transaction hands them over with one swap.
  google::protobuf::RepeatedPtrField<ledger::Event>& events() { return events_; }
  const std::vector<Ground>& grounds() const { return grounds_; }
  // Sorted and unique.
  std::vector<std::string> TakeTouched() {
    std::sort(touched_.begin(), touched_.end());
    touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
    return std::move(touched_);
  }

  // ---- signers (resolved to active accounts by the engine before dispatch)
  // The signers live in the engine's per-block cache, which outlives the
  // transaction (it is cleared only between transactions).
  void SetSigners(std::vector<const Signer*> signers) { signers_ = std::move(signers); }
  const std::vector<const Signer*>& signers() const { return signers_; }
  // A signer holding `role`, of organisation `org` if org is non-empty.
  const Signer* SignerWithRole(Role role, std::string_view org = {}) const;
  // AUTH_ROLE_MISSING unless SignerWithRole(role, org).
  Status RequireRole(Role role, std::string_view org, std::string_view action) const;
  // Organisations with at least one signer holding `role`.
  std::set<std::string> SigningOrgs(Role role) const;
  // GOV_QUORUM_NOT_MET unless more than half of the IP-office organisations
  // signed through an IP_OFFICE account.
  Status RequireGovernanceQuorum(std::string_view action);

  // ---- fatal reader failures
  Status Fatal(Status s) {
    if (fatal_.ok()) fatal_ = s;
    return s;
  }
  const Status& fatal() const { return fatal_; }

 private:
  static std::int32_t DateOfBlockTimeChecked(std::uint64_t time_ms);

  TxState state_;
  const BlockContext& ctx_;
  std::uint32_t index_;
  ledger::Hash256 id_;
  std::int32_t today_;
  std::vector<const Signer*> signers_;
  google::protobuf::RepeatedPtrField<ledger::Event> events_;
  std::vector<Ground> grounds_;
  std::vector<std::string> touched_;
  std::optional<Params> params_;
  Status fatal_;
};

// Handlers, one per action (governance.cc, patents.cc, valuations.cc, pledges.cc).
Status ExecOrgAdd(TxContext& c, const OrgAdd& a);
Status ExecAccountAdd(TxContext& c, const AccountAdd& a);
Status ExecAccountSuspend(TxContext& c, const AccountSuspend& a);
Status ExecAccountRotateKey(TxContext& c, const AccountRotateKey& a);
Status ExecRoleGrant(TxContext& c, const RoleGrant& a);
Status ExecRoleRevoke(TxContext& c, const RoleRevoke& a);
Status ExecParamsSet(TxContext& c, const ParamsSet& a);
Status ExecValidatorAdd(TxContext& c, const ValidatorAdd& a);
Status ExecValidatorPromote(TxContext& c, const ValidatorPromote& a);
Status ExecValidatorRemove(TxContext& c, const ValidatorRemove& a);
Status ExecOrgReplicaGrant(TxContext& c, const OrgReplicaGrant& a);
Status ExecOrgRemove(TxContext& c, const OrgRemove& a);
Status ExecValidatorRotateKey(TxContext& c, const ValidatorRotateKey& a);
Status ExecOrgTlsRootsSet(TxContext& c, const OrgTlsRootsSet& a);
Status ExecBankPolicySet(TxContext& c, const BankPolicySet& a);
Status ExecPatentRegister(TxContext& c, const PatentRegister& a);
Status ExecPatentStatus(TxContext& c, const PatentStatusUpdate& a);
Status ExecPatentAssign(TxContext& c, const PatentAssign& a);
Status ExecLicenceFile(TxContext& c, const LicenceFile& a);
Status ExecValuationRecord(TxContext& c, const ValuationRecord& a);
Status ExecPledgeRegister(TxContext& c, const PledgeRegister& a);
Status ExecPledgeChange(TxContext& c, const PledgeChange& a);
Status ExecLoanAccrue(TxContext& c, const LoanAccrue& a);
Status ExecLoanRepay(TxContext& c, const LoanRepay& a);
Status ExecLoanRenew(TxContext& c, const LoanRenew& a);
Status ExecLoanClassify(TxContext& c, const LoanClassify& a);
Status ExecPledgeCancel(TxContext& c, const PledgeCancel& a);
Status ExecPledgeEnforce(TxContext& c, const PledgeEnforce& a);

}  // namespace pledger::contracts::internal

#endif  // PLEDGER_CONTRACTS_INTERNAL_CONTEXT_H_
