// Read-only queries over contract state, for the node's HTTP API, the wallet
// and the auditor tool. They return proto messages (contracts/proto/*.proto)
// so the node can serve them through protobuf's JSON mapping.
//
// Each function reads one consistent StateReader (pass the committed state;
// do not pass a reader that a writer changes mid-query). Thread-safe as far as
// the reader is. Errors: NotFound with a stable reason (PATENT_NOT_FOUND,
// PLEDGE_NOT_FOUND, VALUATION_NOT_FOUND, ACCOUNT_NOT_FOUND, ORG_NOT_FOUND),
// InvalidArgument for malformed ids, Corruption if a record does not parse,
// and the reader's own errors.
//
// The history of an entity (every transaction that touched it, in order) is
// not here: the node indexes TxOutcome::touched (ledger history indexes).
#ifndef PLEDGER_CONTRACTS_QUERIES_H_
#define PLEDGER_CONTRACTS_QUERIES_H_

#include <cstdint>
#include <string_view>

#include "consensus/status.h"
#include "contracts/proto/query.pb.h"
#include "contracts/proto/state.pb.h"
#include "ledger/state_store.h"

namespace pledger::contracts {

// Checks the id in a history entity or versioned state key ("patent/ZL…",
// "pledge/<id>", "valuation/<id>", "account/<hex>", "org/<id>", "pool/<id>",
// "tranche/<pool id>/<rank>") with the reason the current-state query of that
// record gives a malformed id: PATENT_NUMBER_INVALID,
// PATENT_CHECK_DIGIT_INVALID, PLEDGE_ID_INVALID, VALUATION_ID_INVALID,
// ACCOUNT_KEY_INVALID, ORG_ID_INVALID, POOL_ID_INVALID (all InvalidArgument).
// Other entities ("params", "validator/…") are not checked. So history and
// as-of reads of a malformed id answer the same 400 as the current record,
// never "not found".
Status CheckEntityId(std::string_view entity);

// The patent with its active pledge, valuations and pledge history. `as_of_ms`
// (usually the last block's time) decides the effective status (EXPIRED).
// A malformed number: PATENT_NUMBER_INVALID or PATENT_CHECK_DIGIT_INVALID.
Result<PatentView> QueryPatent(const ledger::StateReader& s, std::string_view patent_no, std::uint64_t as_of_ms);
Result<Pledge> QueryPledge(const ledger::StateReader& s, std::string_view pledge_id);
// The pledges of a pledgee bank / of a borrower, in R18 order (registration
// time), ranked from 1: at most `limit` (0 = 1000) of them, those ranked
// after `after` (0 = from the first). `next_cursor` is the rank to pass as
// `after` for the next page, "" when there is none.
Result<PledgeList> QueryPledgesOfBank(const ledger::StateReader& s, std::string_view bank_org_id, size_t limit = 0,
                                      std::uint64_t after = 0);
Result<PledgeList> QueryPledgesOfBorrower(const ledger::StateReader& s, std::string_view debtor_org_id,
                                          size_t limit = 0, std::uint64_t after = 0);
// The pledges an organisation gave as pledgor (its patents secure them),
// whoever the debtor; same order and limit.
Result<PledgeList> QueryPledgesOfPledgor(const ledger::StateReader& s, std::string_view pledgor_org_id,
                                         size_t limit = 0);
Result<Valuation> QueryValuation(const ledger::StateReader& s, std::string_view valuation_id);
Result<Account> QueryAccount(const ledger::StateReader& s, std::string_view public_key_hex);
Result<Organisation> QueryOrganisation(const ledger::StateReader& s, std::string_view org_id);
Result<ValidatorSet> QueryValidators(const ledger::StateReader& s);
Result<Params> QueryParams(const ledger::StateReader& s);
// R30 / R35 figures for one bank.
Result<LendingReport> QueryLendingReport(const ledger::StateReader& s, std::string_view bank_org_id);

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_QUERIES_H_
