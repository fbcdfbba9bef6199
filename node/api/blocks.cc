// Blocks: headers by range, one block by height or hash, its attestations.
#include <algorithm>
#include <set>

#include "ledger/block.h"
#include "ledger/bytes.h"
#include "ledger/tx.h"
#include "node/api/handlers.h"
#include "node/api/params.h"

namespace pledger::node {
namespace {

// The block at `height` as the API shows it. Transaction ids are those of
// the receipts and the transaction index (ledger::TxIdOfBytes), also for
// bytes that do not decode as a transaction.
Result<api::BlockView> BlockViewOf(ApiBackend& backend, std::uint64_t height, bool with_attestations) {
  ledger::BlockStore& blocks = backend.ledger().blocks();
  PLEDGER_ASSIGN_OR_RETURN(ledger::Block b, blocks.GetBlock(height));
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockHeader h, ledger::DecodeBlockHeader(b));
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockResults results, blocks.GetResults(height));
  api::BlockView v;
  v.set_height(height);
  v.set_hash(ledger::HexEncode(ledger::BlockHash(b)));
  *v.mutable_header() = h;
  v.set_header_hex(ledger::HexEncode(b.header()));
  for (const auto& raw : b.txs()) v.add_tx_ids(ledger::HexEncode(ledger::TxIdOfBytes(raw)));
  v.set_state_root(ledger::HexEncode(results.state_root()));
  v.set_results_root(ledger::HexEncode(results.results_root()));
  if (with_attestations) {
    PLEDGER_ASSIGN_OR_RETURN(*v.mutable_attestation(), AttestationStatusOf(backend, height));
    for (const auto& raw : b.attestations()) {
      ledger::Attestation a;
      if (a.ParseFromString(raw)) *v.add_attestations() = a;
    }
  }
  return v;
}

// A block height in a path: 1 or more. Reason: BLOCK_ID_INVALID.
Result<std::uint64_t> HeightParam(std::string_view text) {
  return ParseUintParam("block height", text, 1, UINT64_MAX, "BLOCK_ID_INVALID");
}

}  // namespace

// "attested" here is the node's own quick view: agreeing signatures of the
// validators that vote now. pledger-audit judges each block against the set
// in force at that block (docs/audit.md); the two differ only around a
// membership change.
Result<api::AttestationStatus> AttestationStatusOf(ApiBackend& backend, std::uint64_t height) {
  api::AttestationStatus st;
  const std::set<std::string> voters = backend.VotingValidators();
  st.set_validators(static_cast<std::uint32_t>(voters.size()));
  PLEDGER_ASSIGN_OR_RETURN(ledger::BlockResults ours, backend.ledger().blocks().GetResults(height));
  PLEDGER_ASSIGN_OR_RETURN(std::vector<ledger::Attestation> atts, backend.BlockAttestations(height));
  size_t voting_agree = 0;
  for (const auto& a : atts) {
    if (a.state_root() == ours.state_root() && a.block_hash() == ours.block_hash() &&
        a.results_root() == ours.results_root()) {
      st.add_signed_by(a.validator_id());
      if (voters.count(a.validator_id())) ++voting_agree;  // a learner's signature does not count
    } else {
      st.add_disagreeing(a.validator_id());
    }
  }
  st.set_signatures(static_cast<std::uint32_t>(st.signed_by_size()));
  st.set_attested(!voters.empty() && voting_agree * 2 > voters.size());
  return st;
}

void HandleBlockList(ApiCall& call) {
  const std::uint64_t max = call.route.limits.items_max;
  const std::uint64_t tip = call.backend.ledger().blocks().tip().height;
  auto to = QueryUint(call.req, "to", tip, 1, UINT64_MAX);
  if (!to.ok()) return call.respond(Error(to.status()));
  const std::uint64_t def_from = *to > max ? *to - max + 1 : 1;
  auto from = QueryUint(call.req, "from", def_from, 1, UINT64_MAX);
  if (!from.ok()) return call.respond(Error(from.status()));
  api::BlockList list;
  if (tip == 0 && *to == 0) return call.respond(Json(200, list));  // no blocks yet
  if (*to < *from || *to - *from + 1 > max) {
    return call.respond(Error(400, "RANGE_INVALID",
                              "from must be >= 1, to >= from, at most " + std::to_string(max) + " blocks"));
  }
  for (std::uint64_t h = *from; h <= std::min(*to, tip); ++h) {
    auto v = BlockViewOf(call.backend, h, /*with_attestations=*/false);
    if (!v.ok()) return call.respond(Error(v.status()));
    *list.add_blocks() = std::move(*v);
  }
  call.respond(Json(200, list));
}

void HandleBlock(ApiCall& call) {
  const std::string& id = call.Param("id");
  std::uint64_t height = 0;
  if (id.size() == 64) {
    auto hash = ledger::HashFromHex(id);
    if (!hash.ok()) return call.respond(Error(400, "BLOCK_ID_INVALID", "give a height or a 64-hex block hash"));
    auto h = call.backend.ledger().blocks().HeightOfHash(*hash);
    if (!h.ok()) return call.respond(Error(h.status()));
    height = *h;
  } else {
    auto h = HeightParam(id);
    if (!h.ok()) {
      return call.respond(Error(400, "BLOCK_ID_INVALID", "give a height (>= 1) or a 64-hex block hash"));
    }
    height = *h;
  }
  Reply(call, BlockViewOf(call.backend, height, /*with_attestations=*/true));
}

void HandleBlockAttestations(ApiCall& call) {
  auto height = HeightParam(call.Param("height"));
  if (!height.ok()) return call.respond(Error(400, "BLOCK_ID_INVALID", "give a block height (>= 1)"));
  auto atts = call.backend.BlockAttestations(*height);
  if (!atts.ok()) return call.respond(Error(atts.status()));
  api::AttestationList list;
  list.set_height(*height);
  for (auto& a : *atts) *list.add_attestations() = std::move(a);
  call.respond(Json(200, list));
}

}  // namespace pledger::node
