// Read-only queries over pools and tranches, for the node's HTTP
// API, the wallet and the auditor tool; same conventions as queries.h: one
// consistent StateReader, proto results served through protobuf's JSON
// mapping, thread-safe as far as the reader is.
//
// Errors: InvalidArgument POOL_ID_INVALID / ORG_ID_INVALID for malformed ids,
// NotFound POOL_NOT_FOUND / POOL_STATEMENT_NOT_FOUND, Corruption
// STATE_RECORD_CORRUPT if a record does not parse, the reader's own errors,
// and for the preview the waterfall's reasons (TRANCHE_NOT_ISSUED,
// POOL_PAYMENT_DATE_INVALID, POOL_AMOUNT_OVERFLOW).
#ifndef PLEDGER_CONTRACTS_POOL_QUERIES_H_
#define PLEDGER_CONTRACTS_POOL_QUERIES_H_

#include <cstdint>
#include <string_view>

#include "consensus/status.h"
#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/state_store.h"

namespace pledger::contracts {

// The pool with its members (removed and released ones too), tranches,
// holdings and the dates of its statements.
Result<PoolView> QueryPool(const ledger::StateReader& s, std::string_view pool_id);
// The statement of one payment date.
Result<PoolStatement> QueryPoolStatement(const ledger::StateReader& s, std::string_view pool_id,
                                         std::int32_t payment_date);
// Every holding of an investor organisation, by pool id then rank.
Result<HoldingList> QueryHoldingsOfInvestor(const ledger::StateReader& s, std::string_view investor_org_id);
// A trustee's pools in creation order. Bounded by `limit` (0 = 1000).
Result<PoolList> QueryPoolsOfTrustee(const ledger::StateReader& s, std::string_view trustee_org_id,
                                     size_t limit = 0);
// What PoolPay would do on `payment_date` with the collections recorded so
// far, without writing anything: the statement, including the shortfall
// provider's draw (guarantor_draw_fen) that then needs its co-signature.
// `allow_draw` = !PoolPay.no_shortfall_draw.
Result<PoolStatement> QueryPoolPaymentPreview(const ledger::StateReader& s, std::string_view pool_id,
                                              std::int32_t payment_date, bool allow_draw = true);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_POOL_QUERIES_H_
