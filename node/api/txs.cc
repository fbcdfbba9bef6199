// Transactions: submit (POST /v1/txs) and read (GET /v1/txs/{id}), both with
// an optional ?wait=MS for the receipt. Batches (POST /v1/txs/batch) are in
// txs_batch.cc and share the committed views below (handlers.h).
#include <chrono>
#include <memory>

#include "contracts/action_name.h"
#include "ledger/block.h"
#include "ledger/bytes.h"
#include "ledger/io/json.h"
#include "ledger/merkle.h"
#include "ledger/tx.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

Result<api::TxView> TxViewOf(ApiBackend& backend, const ledger::Hash256& id) {
  ledger::BlockStore& blocks = backend.ledger().blocks();
  PLEDGER_ASSIGN_OR_RETURN(ledger::TxLocation loc, blocks.LocateTx(id));
  PLEDGER_ASSIGN_OR_RETURN(ledger::Block b, blocks.GetBlock(loc.height()));
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockHeader h, ledger::DecodeBlockHeader(b));
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockResults results, blocks.GetResults(loc.height()));
  if (loc.index() >= static_cast<std::uint32_t>(b.txs_size()) ||
      loc.index() >= static_cast<std::uint32_t>(results.receipts_size())) {
    return Status::Corruption("INDEX_CORRUPT", "tx index points outside its block");
  }
  const int index = static_cast<int>(loc.index());
  api::TxView v;
  v.set_tx_id(ledger::HexEncode(id));
  v.set_status("COMMITTED");
  v.set_height(loc.height());
  v.set_index(loc.index());
  v.set_block_hash(ledger::HexEncode(ledger::BlockHash(b)));
  v.set_block_time_ms(h.time_ms());
  // A block may carry bytes that do not decode (they are refused with a
  // receipt); the view shows what parses of them.
  (void)v.mutable_tx()->ParseFromString(b.txs(index));
  (void)v.mutable_body()->ParseFromString(v.tx().body());
  ledger::Receipt receipt;
  if (!receipt.ParseFromString(results.receipts(index))) {
    return Status::Corruption("RECEIPT_CORRUPT", "the stored receipt of transaction " + v.tx_id() +
                                                     " at height " + std::to_string(loc.height()) +
                                                     " does not parse");
  }
  *v.mutable_receipt() = ReceiptViewOf(receipt);
  v.set_receipt_code(v.receipt().code());
  v.set_action(contracts::ActionName(v.body()));
  std::vector<ledger::Hash256> leaves;
  leaves.reserve(static_cast<size_t>(b.txs_size()));
  for (const auto& raw : b.txs()) leaves.push_back(ledger::MerkleLeafHash(raw));
  PLEDGER_ASSIGN_OR_RETURN(std::vector<ledger::Hash256> proof, ledger::MerkleInclusionProof(leaves, loc.index()));
  auto* p = v.mutable_proof();
  p->set_leaf_index(loc.index());
  p->set_tree_size(leaves.size());
  for (const auto& node : proof) p->add_path(ledger::HexEncode(node));
  p->set_tx_root(ledger::HexEncode(h.tx_root()));
  PLEDGER_ASSIGN_OR_RETURN(*v.mutable_attestation(), AttestationStatusOf(backend, loc.height()));
  return v;
}

namespace {

// The committed transaction as `reader` may see it (access.h).
HttpResponse ScopedTxAnswer(const Reader& reader, api::TxView view) {
  Withheld w;
  ScopeTxView(reader, &view, &w);
  HttpResponse r;
  r.body = ScopedJson(view, w);
  return r;
}

}  // namespace

// A submitter is not necessarily a signer (anyone may relay signed bytes),
// and the receipt's events carry figures the body does not (an LTV).
HttpResponse CommittedView(const Reader& reader, const std::string& hex, api::TxView view) {
  Withheld inner;
  ScopeTxView(reader, &view, &inner);
  api::SubmitResponse resp;
  resp.set_tx_id(hex);
  resp.set_status("COMMITTED");
  *resp.mutable_tx() = std::move(view);
  Withheld outer;
  for (const std::string& p : inner.paths()) outer.Add("tx." + p);
  HttpResponse r;
  r.body = ScopedJson(resp, outer);
  return r;
}

bool SeesWhole(const Reader& reader, const std::string& raw) {
  if (reader.full()) return true;
  if (reader.anonymous) return false;
  ledger::Transaction tx;
  if (!tx.ParseFromString(raw)) return false;
  for (const auto& sig : tx.signatures()) {
    if (sig.public_key() == ledger::AsStringView(ledger::ByteSpan(reader.key))) return true;
  }
  return false;
}

namespace {

// A waiter's responder that cuts the applier's committed answer to what
// `reader` may see, re-reading the transaction on the work pool.
HttpResponder ScopedWaiter(ApiBackend* backend, const ledger::Hash256& id, const Reader& reader,
                           HttpResponder respond, bool submit) {
  return [backend, id, reader, respond = std::move(respond), submit](HttpResponse r) {
    if (!submit && r.status == 202) {
      // The wait ran out. GET answers a TxView either way (docs/openapi.yaml);
      // the waiter's own answer is POST's SubmitResponse.
      api::TxView v;
      v.set_tx_id(ledger::HexEncode(id));
      v.set_status("PENDING");
      return respond(Json(202, v));
    }
    if (r.status != 200) return respond(std::move(r));
    bool queued = backend->RunOnWorkPool([backend, id, reader, respond, submit] {
      auto v = TxViewOf(*backend, id);
      if (!v.ok()) return respond(Error(v.status()));
      respond(submit ? CommittedView(reader, ledger::HexEncode(id), std::move(*v)) : ScopedTxAnswer(reader, std::move(*v)));
    });
    if (!queued) respond(Error(Status::ResourceExhausted("NODE_BUSY", "the node is busy; retry shortly")));
  };
}

// Work pool: admit the transaction, then answer now or register a waiter.
void AdmitAndAnswer(ApiBackend& backend, std::string raw, std::chrono::milliseconds wait, const Reader& reader,
                    const std::shared_ptr<HttpResponder>& respond) {
  const bool whole = SeesWhole(reader, raw);
  ledger::Hash256 id{};
  Status s = backend.AdmitFromClient(std::move(raw), &id);
  if (!s.ok() && s.reason() != "TX_ALREADY_COMMITTED") return (*respond)(Error(s));
  const std::string hex = ledger::HexEncode(id);
  if (wait.count() > 0) {
    HttpResponder on_commit = whole ? *respond : ScopedWaiter(&backend, id, reader, *respond, /*submit=*/true);
    auto ticket = backend.AddWaiter(id, Waiter{on_commit, Clock::now() + wait, hex});
    if (!ticket) {
      return (*respond)(Error(Status::ResourceExhausted(
          "TOO_MANY_WAITERS", "too many clients are waiting; retry without wait or later")));
    }
    // Committed meanwhile (or before)? Then answer now, withdrawing only this
    // client's waiter: others may wait for the same transaction.
    auto view = TxViewOf(backend, id);
    if (!view.ok() && view.status().IsNotFound()) return;  // the applier answers when it commits
    if (!backend.RemoveWaiter(*ticket)) return;            // it did already
    if (!view.ok()) return (*respond)(Error(view.status()));
    return (*respond)(CommittedView(reader, hex, std::move(*view)));
  }
  api::SubmitResponse resp;
  resp.set_tx_id(hex);
  resp.set_status(s.ok() ? "PENDING" : "COMMITTED");
  resp.set_message(s.ok() ? "admitted; GET /v1/txs/" + hex + " for the receipt" : std::string(s.message()));
  (*respond)(Json(s.ok() ? 202 : 200, resp));
}

}  // namespace

Result<std::string> TxBytesOfRequest(ApiCall& call) {
  auto ct = call.req.headers.find("content-type");
  if (ct != call.req.headers.end() && ct->second.find("application/x-protobuf") != std::string::npos) {
    return std::move(call.req.body);
  }
  ledger::Transaction tx;
  Status s = io::ParseJson(call.req.body, &tx, "request body");
  if (!s.ok()) {
    return Status::InvalidArgument("TX_JSON_INVALID",
                                   std::string(s.message()) +
                                       "; send {\"body\": base64, \"signatures\": [{\"public_key\": base64, "
                                       "\"signature\": base64}]} (signatures may be empty for a simulation)");
  }
  return tx.SerializeAsString();
}

void HandleSubmitTx(ApiCall& call) {
  auto wait = QueryWait(call.req, call.route.limits.wait_ms_max);
  if (!wait.ok()) return call.respond(Error(wait.status()));
  auto body = TxBytesOfRequest(call);
  if (!body.ok()) return call.respond(Error(body.status()));
  std::string raw = std::move(*body);
  auto respond = std::make_shared<HttpResponder>(std::move(call.respond));
  ApiBackend* backend = &call.backend;
  bool queued = backend->RunOnWorkPool([backend, raw = std::move(raw), wait = *wait, reader = call.reader, respond]() mutable {
    AdmitAndAnswer(*backend, std::move(raw), wait, reader, respond);
  });
  if (!queued) (*respond)(Error(Status::ResourceExhausted("NODE_BUSY", "the node is busy; retry shortly")));
}

void HandleGetTx(ApiCall& call) {
  const std::string& hex = call.Param("id");
  auto id = ledger::HashFromHex(hex);
  if (!id.ok()) return call.respond(Error(400, "TX_ID_INVALID", "a transaction id is 64 hex characters"));
  auto wait = QueryWait(call.req, call.route.limits.wait_ms_max);
  if (!wait.ok()) return call.respond(Error(wait.status()));
  auto view = TxViewOf(call.backend, *id);
  if (view.ok()) return call.respond(ScopedTxAnswer(call.reader, std::move(*view)));
  if (!view.status().IsNotFound()) return call.respond(Error(view.status()));
  const bool pending = call.backend.InMempool(*id);
  if (wait->count() > 0 && pending) {
    // The applier answers waiters with POST's SubmitResponse, built from the
    // receipt it has in hand. GET promises a TxView (with the block hash and
    // inclusion proof), cut to the reader: re-read the committed view. (Every
    // reader used to get the SubmitResponse, whose `tx` a TxView parser reads
    // as the transaction and drops: pledger-wallet reported such a receipt as
    // empty.)
    HttpResponder scoped = ScopedWaiter(&call.backend, *id, call.reader, call.respond, /*submit=*/false);
    auto ticket = call.backend.AddWaiter(*id, Waiter{scoped, Clock::now() + *wait, hex});
    if (ticket) {
      // Committed between the read above and the registration? The applier
      // may have answered the waiters before this one existed.
      auto again = TxViewOf(call.backend, *id);
      if (!again.ok() && again.status().IsNotFound()) return;
      if (!call.backend.RemoveWaiter(*ticket)) return;
      if (!again.ok()) return call.respond(Error(again.status()));
      return call.respond(ScopedTxAnswer(call.reader, std::move(*again)));
    }
  }
  if (pending) {
    api::TxView v;
    v.set_tx_id(hex);
    v.set_status("PENDING");
    return call.respond(Json(202, v));
  }
  call.respond(Error(view.status()));
}

}  // namespace pledger::node
