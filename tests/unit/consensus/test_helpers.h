// Small helpers for driving a single RawNode by hand in unit tests.
#ifndef PLEDGER_TESTS_UNIT_CONSENSUS_TEST_HELPERS_H_
#define PLEDGER_TESTS_UNIT_CONSENSUS_TEST_HELPERS_H_

#include <algorithm>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include "consensus/random.h"
#include "consensus/raw_node.h"
#include "consensus/storage.h"
#include "tests/unit/consensus/test_network.h"

namespace pledger::consensus::testnet {

inline Message Msg(MessageType type, std::uint64_t from, std::uint64_t to, std::uint64_t term) {
  Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

inline std::vector<Entry> Ents(std::uint64_t first_index, const std::vector<std::uint64_t>& terms) {
  std::vector<Entry> out;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    Entry e;
    e.index = first_index + i;
    e.term = terms[i];
    e.data = Payload("x" + std::to_string(first_index + i));
    out.push_back(std::move(e));
  }
  return out;
}

// One node with its storage, driven by hand.
struct Solo {
  std::unique_ptr<MemoryLogStorage> storage;
  SeededRandom random;
  std::unique_ptr<RawNode> node;
  std::vector<Entry> applied;

  Solo(std::uint64_t id, const std::vector<std::uint64_t>& voters,
       const std::vector<std::uint64_t>& terms, HardState hs = {},
       const std::function<void(Config*)>& tweak = {}, std::uint64_t seed = 1)
      : storage(StorageWithLog(voters, terms, hs)), random(seed) {
    Config c = TestConfig(id, storage.get(), &random);
    if (tweak) tweak(&c);
    auto n = RawNode::Create(c);
    if (!n.ok()) throw std::runtime_error(n.status().ToString());
    node = std::move(n).value();
  }
  // Handles all Readies; returns what the node sent.
  std::vector<Message> Drain() { return DrainNode(node.get(), storage.get(), &applied); }
  std::vector<Message> Step(Message m) {
    Status s = node->Step(std::move(m));
    if (!s.ok()) throw std::runtime_error(s.ToString());
    return Drain();
  }
  std::vector<Message> Tick(int n = 1) {
    std::vector<Message> out;
    for (int i = 0; i < n; ++i) {
      node->Tick();
      auto m = Drain();
      out.insert(out.end(), m.begin(), m.end());
    }
    return out;
  }
  // Campaigns and collects grants from `granters`: becomes leader of the next term.
  std::vector<Message> BecomeLeader(const std::vector<std::uint64_t>& granters) {
    if (!node->Campaign().ok()) throw std::runtime_error("campaign");
    Drain();
    std::vector<Message> out;
    for (std::uint64_t g : granters) {
      auto m = Step(Msg(MessageType::kVoteResp, g, node->id(), node->term()));
      out.insert(out.end(), m.begin(), m.end());
    }
    return out;
  }
  std::vector<std::uint64_t> LogTerms() const {
    std::vector<std::uint64_t> t;
    for (std::uint64_t i = storage->FirstIndex(); i <= storage->LastIndex(); ++i) {
      t.push_back(*storage->Term(i));
    }
    return t;
  }
};

inline std::vector<Message> OfType(const std::vector<Message>& msgs, MessageType t) {
  std::vector<Message> out;
  for (const Message& m : msgs) {
    if (m.type == t) out.push_back(m);
  }
  return out;
}

}  // namespace pledger::consensus::testnet

#endif  // PLEDGER_TESTS_UNIT_CONSENSUS_TEST_HELPERS_H_
