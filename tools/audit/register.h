// The pledge register export: folds the gazette (R10) out of the chain's
// receipts, block by block, into one row per pledge and patent (registered,
// changed, cancelled, enforced) and the list of announcements, with the
// organisations' names from the genesis file and later org_add transactions.
//
// Why receipts and not the node's state queries: the receipts are what the
// chain commits to (results roots, attested by the validators), and the
// contracts emit exactly the gazette's columns in them (`gazette.*` events,
// docs/contracts.md), so the export can be checked block by block like
// everything else; the node has no query listing every pledge either.
//
// Not thread-safe; one builder per export.
#ifndef PLEDGER_TOOLS_AUDIT_REGISTER_H_
#define PLEDGER_TOOLS_AUDIT_REGISTER_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "consensus/status.h"
#include "contracts/proto/state.pb.h"
#include "ledger/proto/ledger.pb.h"
#include "tools/proto/audit.pb.h"

namespace pledger::tools::audit {

class RegisterBuilder {
 public:
  explicit RegisterBuilder(const contracts::Genesis& genesis);

  // Folds one checked block (a verifier.h BlockVisitor).
  Status Visit(const ledger::BlockHeader& header, const ledger::Block& block, const ledger::BlockResults& results);

  // The register: rows in registration order (R18), then patent number.
  RegisterExport Finish(bool active_only) const;

 private:
  std::string Name(const std::string& org_id) const;
  std::string Names(const std::string& comma_ids) const;

  std::map<std::string, std::string> names_;  // org id -> legal name
  // (registration height, index, pledge id, patent no) -> row.
  std::map<std::tuple<std::uint64_t, std::uint32_t, std::string, std::string>, RegisterRow> rows_;
  std::map<std::string, std::vector<decltype(rows_)::key_type>> by_pledge_;
  std::vector<Announcement> announcements_;
  std::uint64_t height_ = 0;
};

// CSV with a header line; fields quoted where needed (RFC 4180).
std::string RegisterCsv(const RegisterExport& e);
std::string AnnouncementsCsv(const RegisterExport& e);
std::string CsvField(const std::string& s);

}  // namespace pledger::tools::audit

#endif  // PLEDGER_TOOLS_AUDIT_REGISTER_H_
