// The handlers of the route table (routes.cc), one unit per resource family,
// and what they share. Internal to node/api/.
#ifndef PLEDGER_NODE_API_HANDLERS_H_
#define PLEDGER_NODE_API_HANDLERS_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <string>

#include "consensus/status.h"
#include "ledger/io/proto/api.pb.h"
#include "node/api/response.h"
#include "node/api/routes.h"

namespace pledger::node {

// ---- node_info.cc: the node itself ----
void HandleHealth(ApiCall& call);
void HandleMetrics(ApiCall& call);
void HandleStatus(ApiCall& call);
void HandleGenesis(ApiCall& call);

// ---- auth.cc: tokens and who-am-I ----
void HandleAuthToken(ApiCall& call);
void HandleWhoAmI(ApiCall& call);

// ---- txs.cc ----
void HandleSubmitTx(ApiCall& call);
// The transaction bytes of a submit or simulate request: the body itself
// with Content-Type application/x-protobuf, else the JSON envelope encoded
// (moves the body out). Reason: TX_JSON_INVALID (400).
Result<std::string> TxBytesOfRequest(ApiCall& call);
void HandleGetTx(ApiCall& call);
// The committed transaction `id` with its receipt, inclusion proof and the
// attestation status of its block. Reasons: TX_NOT_FOUND (not in the chain),
// INDEX_CORRUPT, RECEIPT_CORRUPT, and the ledger's read errors. Work pool:
// it hashes every transaction of the block for the proof.
Result<api::TxView> TxViewOf(ApiBackend& backend, const ledger::Hash256& id);
// A submitter's answer once its transaction is committed (POST /v1/txs?wait:
// 200 SubmitResponse), as `reader` may see it (access.h ScopeTxView).
HttpResponse CommittedView(const Reader& reader, const std::string& hex, api::TxView view);
// Whether `reader` sees transaction `raw` whole (a full reader or a signer):
// then the applier's answer to a waiter can go out as it is.
bool SeesWhole(const Reader& reader, const std::string& raw);

// ---- txs_batch.cc: POST /v1/txs/batch (docs/api.md "Batches") ----
void HandleSubmitTxBatch(ApiCall& call);

// ---- simulate.cc: pre-flight ----
void HandleSimulateTx(ApiCall& call);

// ---- blocks.cc ----
void HandleBlockList(ApiCall& call);
void HandleBlock(ApiCall& call);
void HandleBlockAttestations(ApiCall& call);

// ---- raw_blocks.cc ----
void HandleRawBlocks(ApiCall& call);

// ---- history.cc: history pages and records as of a height ----
void HandleHistory(ApiCall& call);
void HandlePatentHistory(ApiCall& call);

// ---- patents.cc ----
void HandlePatent(ApiCall& call);

// ---- pledges.cc ----
void HandlePledge(ApiCall& call);
void HandlePledgeList(ApiCall& call);
void HandleValuation(ApiCall& call);

// ---- pools.cc ----
void HandlePoolList(ApiCall& call);
void HandlePool(ApiCall& call);
void HandlePoolStatement(ApiCall& call);
void HandlePoolPreview(ApiCall& call);
void HandleHoldings(ApiCall& call);

// ---- registers.cc: accounts, organisations, validators, parameters ----
void HandleAccount(ApiCall& call);
void HandleOrgList(ApiCall& call);
void HandleOrg(ApiCall& call);
void HandleOrgLending(ApiCall& call);
void HandleValidators(ApiCall& call);
void HandleParams(ApiCall& call);

// ---- stats.cc: the statistics index (node/stats.h, docs/api.md "Statistics") ----
void HandleStatsPledges(ApiCall& call);
void HandleStatsOutstanding(ApiCall& call);
void HandleStatsBorrowers(ApiCall& call);
void HandleStatsRenewals(ApiCall& call);
void HandleStatsDistributions(ApiCall& call);
void HandleStatsCautions(ApiCall& call);
void HandleStatsValuations(ApiCall& call);

// ---- explorer.cc: the explorer's static files (node/explorer/) ----
// /explorer/ answers index.html; /explorer/{path...} the file of that exact
// name, or 404 FILE_NOT_FOUND; /explorer/routes.json lists the route table
// (ids, methods, patterns). Public, and served even where anonymous reads
// are refused: none of it is ledger data.
void HandleExplorerIndex(ApiCall& call);
void HandleExplorerAsset(ApiCall& call);

// ---- shared ----

// 200 with the value, or the error.
template <typename T>
void Reply(ApiCall& call, const Result<T>& result) {
  if (!result.ok()) return call.respond(Error(result.status()));
  call.respond(Json(200, *result));
}

// 200 with `record` as the reader may see it: complete, or with what
// access.h withheld named (ScopedJson).
void ReplyScoped(ApiCall& call, const google::protobuf::Message& record, const Withheld& withheld);

// ?height=H of single-record routes: 0 (absent) means now. Reason: PARAM_INVALID.
Result<std::uint64_t> AsOfHeight(const ApiCall& call);

// Reads the record at state key `key` as it was after block `height`
// (history.cc) into *msg. On failure answers the call itself and returns
// false: 404 NOT_FOUND_AT_HEIGHT if it did not exist, 500
// STATE_RECORD_CORRUPT if the stored version does not parse as `*msg`. The
// caller scopes the record (access.h) as it would the record now.
bool LoadAsOf(ApiCall& call, const std::string& key, std::uint64_t height, google::protobuf::Message* msg);

// Whether the node's validators signed the block at `height` (blocks.cc).
Result<api::AttestationStatus> AttestationStatusOf(ApiBackend& backend, std::uint64_t height);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_API_HANDLERS_H_
