#include "node/api/waiters.h"

#include "ledger/bytes.h"
#include "ledger/io/proto/api.pb.h"
#include "node/api/response.h"
#include "node/submit_json.h"

namespace pledger::node {

WaiterTable::WaiterTable(std::size_t max_waiters) : max_waiters_(max_waiters) {}

std::optional<WaiterTable::Ticket> WaiterTable::Add(const ledger::Hash256& id, Waiter waiter) {
  if (waiters_.size() >= max_waiters_) return std::nullopt;
  Ticket t{id, next_seq_++};
  waiters_.emplace(std::make_pair(id, t.seq), std::move(waiter));
  return t;
}

std::optional<Waiter> WaiterTable::Remove(const Ticket& ticket) {
  auto it = waiters_.find(std::make_pair(ticket.id, ticket.seq));
  if (it == waiters_.end()) return std::nullopt;
  Waiter w = std::move(it->second);
  waiters_.erase(it);
  return w;
}

std::vector<Waiter> WaiterTable::Take(const ledger::Hash256& id) {
  std::vector<Waiter> out;
  auto first = waiters_.lower_bound(std::make_pair(id, std::uint64_t{0}));
  auto it = first;
  for (; it != waiters_.end() && it->first.first == id; ++it) out.push_back(std::move(it->second));
  waiters_.erase(first, it);
  return out;
}

std::vector<Waiter> WaiterTable::TakeExpired(std::chrono::steady_clock::time_point now) {
  std::vector<Waiter> out;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (it->second.deadline <= now) {
      out.push_back(std::move(it->second));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

HttpResponse CommittedAnswer(const ledger::Hash256& id, const ledger::Receipt& receipt,
                             std::uint64_t height, std::uint32_t index) {
  api::SubmitResponse resp;
  resp.set_tx_id(ledger::HexEncode(id));
  resp.set_status("COMMITTED");
  auto* tx = resp.mutable_tx();
  tx->set_tx_id(resp.tx_id());
  tx->set_status("COMMITTED");
  tx->set_height(height);
  tx->set_index(index);
  *tx->mutable_receipt() = ReceiptViewOf(receipt);
  tx->set_receipt_code(receipt.code());
  HttpResponse r;
  r.status = 200;
  r.body = SubmitResponseJson(resp);
  return r;
}

HttpResponse StillPendingAnswer(const std::string& tx_id_hex) {
  api::SubmitResponse resp;
  resp.set_tx_id(tx_id_hex);
  resp.set_status("PENDING");
  resp.set_message("not committed within the wait time; ask again with GET /v1/txs/" + tx_id_hex + "?wait=MS");
  return Json(202, resp);
}

}  // namespace pledger::node
