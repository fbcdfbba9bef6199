// Test harness for the contracts: an in-memory committed state, a genesis with
// a small consortium, named keys, and helpers that build, sign and execute
// transactions one block at a time. Test-only.
#ifndef PLEDGER_TESTS_UNIT_CONTRACTS_HARNESS_H_
#define PLEDGER_TESTS_UNIT_CONTRACTS_HARNESS_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "contracts/contracts.h"
#include "ledger/tx.h"
#include "tests/support/test_util.h"

namespace pledger::contracts::test {

// Committed state as a sorted map; applies block write sets.
class MemState final : public ledger::StateReader {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = data_.find(key);
    if (it == data_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    for (auto it = data_.lower_bound(prefix); it != data_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      if (!fn(it->first, it->second)) break;
    }
    return Status::OK();
  }
  void Apply(const ledger::WriteSet& ws) {
    for (const auto& [k, v] : ws) {
      if (v) data_[k] = *v; else data_.erase(k);
    }
  }
  const std::map<std::string, std::string, std::less<>>& data() const { return data_; }

 private:
  std::map<std::string, std::string, std::less<>> data_;
};

// A valid patent number: year, type digit, serial (7 digits), with its check character.
std::string Zl(int year, int type_digit, int serial);

inline constexpr const char* kChain = "pledger-test";

// The consortium every test starts from (see harness.cc for the list).
Genesis TestGenesis();

class World {
 public:
  World();

  // Key of a named account ("ipo-a", "bank-a", "sme-1" …); see harness.cc.
  const ledger::SecretKey& Key(std::string_view name) const;
  std::string KeyHex(std::string_view name) const;

  // Builds a signed transaction for `action` at the next height.
  std::string Build(const Action& action, std::initializer_list<std::string_view> signers);
  std::string Build(const Action& action, const std::vector<std::string>& signers);
  // Executes one block holding the given raw transactions; applies its writes.
  BlockOutcome Block(const std::vector<std::string>& raw_txs);
  // Executes `action` alone in a block; returns its receipt.
  ledger::Receipt Run(const Action& action, std::initializer_list<std::string_view> signers);
  ledger::Receipt Run(const Action& action, const std::vector<std::string>& signers);
  // The id the created pledge/valuation/licence gets (from the last Run).
  std::string last_object_id() const { return last_object_id_; }
  const TxOutcome& last_outcome() const { return last_outcome_; }

  // Moves block time to the given date (08:00 Beijing) for the next block.
  void SetToday(std::int32_t day);
  std::int32_t today() const { return DateOfBlockTime(time_ms_); }
  std::uint64_t height() const { return height_; }
  // The last block's time.
  std::uint64_t time_ms() const { return time_ms_; }

  MemState& state() { return state_; }
  Patent GetPatent(std::string_view no) const;
  Pledge GetPledge(std::string_view id) const;
  // Any record by key; the test fails if it is absent or does not parse.
  template <typename M>
  M Get(std::string_view key) const {
    M m;
    auto raw = state_.Get(key);
    REQUIRE(raw.ok());
    REQUIRE(raw->has_value());
    REQUIRE(m.ParseFromString(**raw));
    return m;
  }
  bool Has(std::string_view key) const {
    auto raw = state_.Get(key);
    REQUIRE(raw.ok());
    return raw->has_value();
  }

  // Convenience actions.
  ledger::Receipt RegisterPatent(const std::string& no, std::vector<std::pair<std::string, std::uint32_t>> owners,
                                 std::int32_t filing = 0, std::int32_t grant = 0);
  Action PledgeAction(const std::string& bank, std::vector<std::string> pledgors, std::vector<std::string> patents,
                      std::int64_t principal = 100'000'000, std::string valuation = {});
  ledger::Receipt Valuate(std::vector<std::string> patents, std::int64_t value, std::int64_t realisable);

 private:
  MemState state_;
  Engine engine_;
  std::map<std::string, ledger::SecretKey, std::less<>> keys_;
  std::uint64_t height_ = 0;
  std::uint64_t time_ms_ = 0;
  std::uint64_t nonce_ = 0;
  std::string last_object_id_;
  TxOutcome last_outcome_;
};

// A hash-looking hex string derived from `seed`.
std::string Hash(std::string_view seed);

}  // namespace pledger::contracts::test

#endif  // PLEDGER_TESTS_UNIT_CONTRACTS_HARNESS_H_
