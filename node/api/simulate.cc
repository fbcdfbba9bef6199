// Pre-flight (POST /v1/txs/simulate): the receipt a transaction would get in
// the next block now, for its parties; node/simulate.h does the work.
#include <algorithm>
#include <memory>

#include "contracts/action_name.h"
#include "contracts/engine.h"
#include "ledger/bytes.h"
#include "ledger/io/json.h"
#include "ledger/tx.h"
#include "node/api/handlers.h"
#include "node/simulate.h"

namespace pledger::node {
namespace {

constexpr std::string_view kSimulators =
    "the transaction's signers, the parties it needs (contracts' required signers), IP offices, auditors and "
    "regulators";

// Work pool: the access check, then one execution over a snapshot.
void Simulate(ApiBackend& backend, std::string raw, const Reader& reader, const HttpResponder& respond) {
  auto decoded = DecodeForSimulation(raw);
  if (!decoded.ok()) return respond(Error(decoded.status()));
  auto body = ledger::DecodeTxBody(decoded->body());
  if (!body.ok()) return respond(Error(body.status()));
  // A snapshot and the height it is the state after: a block committed
  // between the two reads would pair them wrongly, so read the tip on both
  // sides and retry (a few times; blocks are rare next to this).
  std::unique_ptr<ledger::StateReader> snap;
  std::uint64_t height = 0, time_ms = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::uint64_t before = backend.ledger().blocks().tip().height;
    time_ms = backend.last_block_time_ms();
    snap = backend.ledger().state().SnapshotReader();
    height = backend.ledger().blocks().tip().height;
    if (height == before) break;
  }
  // Who may simulate: what the answer tells (grounds naming amounts, an LTV,
  // a valuation) is what the parties see once they sign and it commits.
  if (!reader.full()) {
    bool allowed = false;
    if (!reader.anonymous) {
      const std::string me = ledger::HexEncode(ledger::ByteSpan(reader.key));
      for (const auto& sig : decoded->signatures()) allowed = allowed || ledger::HexEncode(std::string_view(sig.public_key())) == me;
      if (!allowed) {
        auto party = IsRequiredParty(*snap, time_ms, body->action(), reader.org_id, reader.roles, me);
        if (!party.ok()) return respond(Error(party.status()));
        allowed = *party;
      }
    }
    if (!allowed) {
      return respond(AuthError(Forbidden(reader, "a simulation of transaction " +
                                                     ledger::HexEncode(ledger::TxId(*decoded)),
                                         kSimulators),
                               backend.chain_id()));
    }
  }
  SimulationPoint at;
  at.chain_id = backend.chain_id();
  at.state_height = height;
  at.last_time_ms = time_ms;
  at.next_time_ms = std::max(time_ms + 1, backend.next_block_time_ms());
  const ledger::Hash256 id = ledger::TxId(*decoded);
  // The chain's replay rule comes before the contracts: a committed id only
  // ever reports its old receipt.
  if (auto loc = backend.ledger().blocks().LocateTx(id); loc.ok()) {
    api::SimulateView v;
    v.set_tx_id(ledger::HexEncode(id));
    v.set_action(contracts::ActionName(*body));
    v.set_height(height + 1);
    v.set_block_time_ms(at.next_time_ms);
    v.set_advisory(true);
    v.set_code("TX_ALREADY_COMMITTED");
    v.set_message("transaction " + v.tx_id() + " is already in block " + std::to_string(loc->height()) +
                  "; GET /v1/txs/" + v.tx_id() + " for its receipt");
    return respond(Json(200, v));
  }
  auto v = SimulateTransaction(*snap, at, raw);
  if (!v.ok()) return respond(Error(v.status()));
  if (backend.InMempool(id)) v->add_notes("this transaction is already waiting in the node's mempool");
  respond(Json(200, *v));
}

}  // namespace

void HandleSimulateTx(ApiCall& call) {
  auto body = TxBytesOfRequest(call);
  if (!body.ok()) return call.respond(Error(body.status()));
  std::string raw = std::move(*body);
  auto respond = std::make_shared<HttpResponder>(std::move(call.respond));
  ApiBackend* backend = &call.backend;
  bool queued = backend->RunOnWorkPool([backend, raw = std::move(raw), reader = call.reader, respond]() mutable {
    Simulate(*backend, std::move(raw), reader, *respond);
  });
  if (!queued) (*respond)(Error(Status::ResourceExhausted("NODE_BUSY", "the node is busy; retry shortly")));
}

}  // namespace pledger::node
