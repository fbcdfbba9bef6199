#include <algorithm>
#include <set>
#include <sstream>

#include "ledger/io/api_json.h"
#include "tests/faults/suite.h"

namespace pledger::faults {

using namespace std::chrono_literals;

namespace {

struct BlockInfo {
  std::string hash;
  std::string state_root;
  std::string results_root;
  std::string prev_hash;
  std::string prev_state_root;
  std::uint64_t state_root_height = 0;
  std::vector<std::string> tx_ids;
};

// Blocks 1..height as node i has them, 100 per request (the API's page).
Result<std::vector<BlockInfo>> Blocks(io::HttpClient& http, std::uint64_t height) {
  std::vector<BlockInfo> out;
  out.reserve(height);
  for (std::uint64_t from = 1; from <= height; from += 100) {
    const std::uint64_t to = std::min(height, from + 99);
    PLEDGER_ASSIGN_OR_RETURN(io::HttpResponse r,
                             http.Get("/v1/blocks?from=" + std::to_string(from) + "&to=" + std::to_string(to)));
    if (r.status != 200) return Status::Internal("BLOCKS", "GET /v1/blocks answered " + std::to_string(r.status));
    api::BlockList list;
    PLEDGER_RETURN_IF_ERROR(io::ApiJsonToMessage(r.body, &list, "/v1/blocks"));
    if (list.blocks_size() != static_cast<int>(to - from + 1)) {
      return Status::Internal("BLOCKS", "asked for blocks " + std::to_string(from) + ".." + std::to_string(to) +
                                            ", got " + std::to_string(list.blocks_size()));
    }
    for (const auto& b : list.blocks()) {
      if (b.height() != out.size() + 1) {
        return Status::Internal("BLOCKS", "block list out of order at " + std::to_string(b.height()));
      }
      BlockInfo info;
      info.hash = b.hash();
      info.state_root = b.state_root();
      info.results_root = b.results_root();
      info.prev_hash = ledger::HexEncode(b.header().prev_hash());
      info.prev_state_root = ledger::HexEncode(b.header().prev_state_root());
      info.state_root_height = b.header().state_root_height();
      info.tx_ids.assign(b.tx_ids().begin(), b.tx_ids().end());
      out.push_back(std::move(info));
    }
  }
  return out;
}

std::string Describe(const std::vector<Result<api::StatusView>>& st) {
  std::ostringstream o;
  for (size_t i = 0; i < st.size(); ++i) {
    o << " [node " << i << ": ";
    if (!st[i].ok()) {
      o << st[i].status().ToString() << "]";
      continue;
    }
    o << st[i]->role() << " height " << st[i]->height() << " commit " << st[i]->commit_index() << " applied "
      << st[i]->applied_index() << " mempool " << st[i]->mempool_txs() << " hash "
      << st[i]->last_block_hash().substr(0, 12) << "]";
  }
  return o.str();
}

}  // namespace

CheckReport CheckCluster(test::TestCluster& c, const std::vector<Ack>& acks, std::chrono::seconds settle) {
  CheckReport rep;
  rep.acked = acks.size();
  const auto start = Clock::now();
  const int n = c.size();
  auto fail = [&](std::string why) {
    rep.ok = false;
    rep.failure = std::move(why);
    return rep;
  };
  // 1. Idle and agreeing: the same tip everywhere, nothing left to commit,
  // and still so a moment later.
  std::vector<Result<api::StatusView>> st;
  std::string agreed;
  auto sample = [&] {
    st.clear();
    for (int i = 0; i < n; ++i) st.push_back(c.Status(i));
    std::ostringstream key;
    for (int i = 0; i < n; ++i) {
      if (!st[static_cast<size_t>(i)].ok()) return std::string();
      const auto& v = *st[static_cast<size_t>(i)];
      if (v.role() == "STOPPED" || v.mempool_txs() != 0 || v.catching_up() || v.applied_index() < v.commit_index()) {
        return std::string();
      }
      std::ostringstream k;
      k << v.height() << "/" << v.last_block_hash() << "/" << v.state_root();
      if (i > 0 && k.str() != key.str()) return std::string();
      key.str(k.str());
    }
    return key.str();
  };
  bool idle = false;
  while (Clock::now() - start < settle) {
    std::string k1 = sample();
    if (!k1.empty()) {
      std::this_thread::sleep_for(1500ms);
      if (sample() == k1) {
        idle = true;
        break;
      }
    }
    std::this_thread::sleep_for(200ms);
  }
  if (!idle) return fail("the cluster did not settle (same tip, empty mempools) within " +
                         std::to_string(settle.count()) + " s:" + Describe(st));
  rep.settle_s = std::chrono::duration<double>(Clock::now() - start).count();
  rep.height = st[0]->height();
  for (int i = 0; i < n; ++i) {
    if (st[static_cast<size_t>(i)]->state_root_mismatches() != 0) {
      return fail("node " + std::to_string(i) + " counted " +
                  std::to_string(st[static_cast<size_t>(i)]->state_root_mismatches()) + " state-root mismatches");
    }
  }

  // 2. Blocks 1..H: equal everywhere, chained, and the state each header
  // vouches for is the state every node computed.
  std::vector<std::vector<BlockInfo>> chains;
  for (int i = 0; i < n; ++i) {
    auto b = Blocks(c.Client(i), rep.height);
    if (!b.ok()) return fail("node " + std::to_string(i) + ": " + b.status().ToString());
    chains.push_back(std::move(*b));
  }
  for (std::uint64_t h = 1; h <= rep.height; ++h) {
    const BlockInfo& ref = chains[0][h - 1];
    for (int i = 1; i < n; ++i) {
      const BlockInfo& b = chains[static_cast<size_t>(i)][h - 1];
      if (b.hash != ref.hash) return fail("block " + std::to_string(h) + ": hash " + ref.hash + " on node 0, " + b.hash + " on node " + std::to_string(i));
      if (b.state_root != ref.state_root) return fail("block " + std::to_string(h) + ": state root " + ref.state_root + " on node 0, " + b.state_root + " on node " + std::to_string(i));
      if (b.results_root != ref.results_root) return fail("block " + std::to_string(h) + ": results root differs on node " + std::to_string(i));
    }
    if (h > 1 && ref.prev_hash != chains[0][h - 2].hash) return fail("block " + std::to_string(h) + ": prev_hash is not block " + std::to_string(h - 1) + "'s hash");
    for (int i = 0; i < n; ++i) {
      const auto& chain = chains[static_cast<size_t>(i)];
      const std::uint64_t s = chain[h - 1].state_root_height;
      if (s == 0) continue;
      if (s >= h) return fail("block " + std::to_string(h) + " vouches for the state after block " + std::to_string(s));
      if (chain[h - 1].prev_state_root != chain[s - 1].state_root) {
        return fail("node " + std::to_string(i) + ": block " + std::to_string(h) + "'s header says the state after block " +
                    std::to_string(s) + " is " + chain[h - 1].prev_state_root + ", the node computed " + chain[s - 1].state_root);
      }
    }
  }
  if (rep.height > 0 && chains[0].back().state_root != st[0]->state_root()) {
    return fail("node 0's status state root is not its tip's");
  }
  std::map<std::string, std::uint64_t> in_chain;  // tx id (hex) -> height
  for (std::uint64_t h = 1; h <= rep.height; ++h) {
    for (const auto& id : chains[0][h - 1].tx_ids) {
      if (!in_chain.emplace(id, h).second) return fail("transaction " + id + " is in the chain twice (blocks " + std::to_string(in_chain[id]) + " and " + std::to_string(h) + ")");
    }
  }
  rep.chain_txs = in_chain.size();

  // 3. Every acknowledged transaction: in the chain, and each node serves its
  // committed receipt from the same block. One reader thread per node.
  std::set<std::string> ids;
  for (const Ack& a : acks) ids.insert(ledger::HexEncode(a.id));
  const auto now = Clock::now();
  for (const Ack& a : acks) {
    const std::string id = ledger::HexEncode(a.id);
    if (in_chain.count(id)) continue;
    return fail("acknowledged transaction " + id + " is not in the chain (height " + std::to_string(rep.height) +
                "): " + (a.committed ? "200 COMMITTED" : "202 PENDING") + " from node " + std::to_string(a.node) +
                ", submitted at t=" + std::to_string(std::chrono::duration<double>(a.sent - Origin()).count()) +
                "s, acknowledged at t=" + std::to_string(std::chrono::duration<double>(a.at - Origin()).count()) +
                "s, checked at t=" + std::to_string(std::chrono::duration<double>(now - Origin()).count()) + "s");
  }
  std::vector<std::string> node_failure(static_cast<size_t>(n));
  std::vector<std::thread> readers;
  for (int i = 0; i < n; ++i) {
    readers.emplace_back([&, i] {
      auto http = c.ClientAs(i, "ipo-a");  // an IP office reads every transaction in full
      for (const auto& id : ids) {
        auto r = http->Get("/v1/txs/" + id);
        api::TxView v;
        std::string why;
        if (!r.ok()) why = r.status().ToString();
        else if (r->status != 200) why = "status " + std::to_string(r->status);
        else if (!io::ApiJsonToMessage(r->body, &v, "/v1/txs").ok()) why = "unparsable TxView";
        else if (v.status() != "COMMITTED" || v.receipt_code().empty()) why = "status " + v.status() + ", receipt '" + v.receipt_code() + "'";
        else if (v.height() != in_chain.at(id) || v.block_hash() != chains[0][v.height() - 1].hash) why = "receipt from another block";
        if (!why.empty()) {
          node_failure[static_cast<size_t>(i)] = "node " + std::to_string(i) + ", acknowledged transaction " + id + ": " + why;
          return;
        }
      }
    });
  }
  for (auto& t : readers) t.join();
  for (const auto& f : node_failure) {
    if (!f.empty()) return fail(f);
  }
  rep.committed = ids.size();
  rep.acked = ids.size();
  rep.ok = true;
  return rep;
}

}  // namespace pledger::faults
