// Who must sign an action: the parties whose signatures the contracts require,
// derived from the action and, where the contracts decide from ledger state
// (the owners of a patent, the pledgee of a pledge, a pool's trustee and
// guarantor, the size of the governance quorum), from a lookup of that state.
//
// One rule for every client: the wallet implements LedgerLookup over a node's
// HTTP API (or passes null offline); StateLedgerLookup implements it over a
// committed state. The parties mirror docs/contracts.md ("Authorisation",
// "Actions" column "Who signs", "Pools and tranches" "Who signs"). The engine
// still makes its own checks with its own result codes: a transaction signed
// by these parties can fail for other reasons, and one that misses a party is
// refused (tests/unit/contracts/signers_test.cc checks the two agree).
//
// RequiredSigners is pure over its inputs and thread-safe as far as the lookup
// is. StateLedgerLookup is thread-safe as far as its reader is.
#ifndef PLEDGER_CONTRACTS_SIGNERS_H_
#define PLEDGER_CONTRACTS_SIGNERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/state_store.h"

namespace pledger::contracts {

// How many IP-office organisations the governance quorum counts.
struct IpOfficeCount {
  int count = 0;
  // True when read from the ledger's current organisations; false when only
  // the genesis could be read (an estimate: IP offices may have been added, or
  // removed with OrgRemove, since).
  bool exact = true;
};

// Ledger state that decides some signer requirements (assignment, licence,
// waiver, the pledge and pool actions, the governance quorum).
class LedgerLookup {
 public:
  virtual ~LedgerLookup() = default;
  virtual Result<PatentView> Patent(const std::string& patent_no) = 0;
  virtual Result<contracts::Pledge> Pledge(const std::string& pledge_id) = 0;
  virtual Result<PoolView> Pool(const std::string& pool_id) = 0;
  // What PoolPay would do on `payment_date` now (QueryPoolPaymentPreview):
  // its guarantor_draw_fen decides whether the guarantor co-signs (H5).
  virtual Result<PoolStatement> PoolPaymentPreview(const std::string& pool_id, std::int32_t payment_date,
                                                   bool allow_draw) = 0;
  virtual Result<IpOfficeCount> IpOffices() = 0;
  // A node's validator record (whose organisation may self-sign its key
  // rotation). The default knows none: the party is then named with
  // orgs_known = false.
  virtual Result<contracts::Validator> ValidatorRecord(const std::string& node_id) {
    return Status::Unavailable("LOOKUP_UNSUPPORTED", "validator " + node_id + " cannot be looked up here");
  }
};

// One party whose signature the action needs: a signer holding `role` (any
// role if ROLE_UNSPECIFIED), of one of `orgs` (any organisation if empty),
// and, if key_hex is set, that very account key (a self-signed rotation).
struct Party {
  std::string label;                 // "bank qtbank (pledgee)"
  Role role = ROLE_UNSPECIFIED;
  std::vector<std::string> orgs;     // any one of these organisations; empty = any
  bool orgs_known = true;            // false: depends on ledger state that could not be read
  int quorum = 0;                    // >0: distinct IP offices needed; -1: a quorum of unknown size
  std::string key_hex;               // non-empty: only this account key satisfies the party
};

struct Requirements {
  std::vector<Party> parties;
  std::vector<std::string> notes;    // e.g. "could not read patent ZL…: node unreachable"
};

// `lookup` may be null (offline): state-dependent parties then have
// orgs_known = false. A PoolPay with payment_date 0 (the block's date) names
// the guarantor with orgs_known = false: the draw depends on the date.
Requirements RequiredSigners(const Action& action, LedgerLookup* lookup);

// LedgerLookup over one consistent committed state (the queries of
// queries.h and pool_queries.h). `as_of_ms` (usually the last block's time)
// decides a patent's effective status. IpOffices is exact.
class StateLedgerLookup final : public LedgerLookup {
 public:
  StateLedgerLookup(const ledger::StateReader& state, std::uint64_t as_of_ms) : state_(state), as_of_ms_(as_of_ms) {}
  Result<PatentView> Patent(const std::string& patent_no) override;
  Result<contracts::Pledge> Pledge(const std::string& pledge_id) override;
  Result<PoolView> Pool(const std::string& pool_id) override;
  Result<PoolStatement> PoolPaymentPreview(const std::string& pool_id, std::int32_t payment_date,
                                           bool allow_draw) override;
  Result<IpOfficeCount> IpOffices() override;
  Result<contracts::Validator> ValidatorRecord(const std::string& node_id) override;

 private:
  const ledger::StateReader& state_;
  std::uint64_t as_of_ms_;
};

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_SIGNERS_H_
