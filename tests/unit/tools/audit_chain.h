// TestChain: a real chain on disk for pledger-audit's tests and benchmark,
// built the way pledgerd's applier builds it (node/applier.cc, node/attest.cc)
// without a cluster: contracts execution, ledger::Ledger::CommitBlock with the
// node's history records (contracts::StageHistoryRecords) and attestation index,
// and validators that sign every block and have their attestations carried by
// the next one.
//
// Test-only. Not thread-safe.
#ifndef PLEDGER_TESTS_UNIT_TOOLS_AUDIT_CHAIN_H_
#define PLEDGER_TESTS_UNIT_TOOLS_AUDIT_CHAIN_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "contracts/engine.h"
#include "contracts/proto/state.pb.h"
#include "ledger/ledger.h"
#include "tools/common/workload.h"

namespace pledger::test {

struct TestChainOptions {
  int validators = 3;      // voters v1..vN at genesis
  // Skip Ed25519 signing and verification (benchmarks of the indexes only):
  // transactions carry dummy signatures and are executed as if verified.
  bool unsigned_txs = false;
  // Validators sign and blocks carry attestations.
  bool attest = true;
  // Which validators attest (by id); empty: every voter.
  std::vector<std::string> attesters;
  // Headers carry the roots of block height - state_lag (a pipelining
  // leader's two blocks in flight: 2; BlockHeader.state_root_height).
  std::uint64_t state_lag = 1;
  // Pool parties in the genesis too: trustee "spv" (TRUSTEE),
  // investors "inv-a" and "inv-b" (INVESTOR), guarantor "guar" (GUARANTOR).
  bool pool_parties = false;
};

class TestChain {
 public:
  // Creates dir/genesis.json and the node data directory dir/data.
  explicit TestChain(const std::string& dir, TestChainOptions options = {});
  ~TestChain();

  const std::string& genesis_bytes() const { return genesis_bytes_; }
  std::string genesis_path() const { return dir_ + "/genesis.json"; }
  std::string data_dir() const { return dir_ + "/data"; }
  const contracts::Genesis& genesis() const { return genesis_; }
  std::uint64_t height() const;  // also after Close

  // Moves the block clock forward (blocks are otherwise 1 ms apart): the
  // contracts' "today" is the block's date, e.g. a pool's payment dates.
  void AdvanceDays(int days) { time_ms_ += static_cast<std::uint64_t>(days) * 86'400'000ull; }
  std::uint64_t time_ms() const { return time_ms_; }

  // Applies one block of raw transactions (plus the pending attestations).
  // Returns the receipts' codes.
  std::vector<std::string> AddBlock(const std::vector<std::string>& raw_txs);
  // A block with no transactions: carries the attestations of the last one.
  void Flush() { AddBlock({}); }

  // Signed transactions.
  tools::Workload& workload() { return *workload_; }
  std::string Sign(const ledger::TxBody& body, const std::vector<std::string>& signers);
  ledger::TxBody Body();  // chain id, a fresh nonce, a wide expiry
  // Governance: both IP offices sign.
  std::string ValidatorAdd(const std::string& id, const ledger::SecretKey& key, contracts::ValidatorRole role);
  // Self-signed by an account of `org` (the node's operator) with both
  // proofs. The caller switches the node's signing key (AddValidatorKey)
  // after the block applies: its attestation of that block is still the
  // old key's.
  std::string ValidatorRotateKey(const std::string& id, const ledger::SecretKey& old_key,
                                 const ledger::SecretKey& new_key, const std::string& org);
  std::string ValidatorPromote(const std::string& id);
  std::string ValidatorRemove(const std::string& id);
  std::string PledgeCancel(const std::string& pledge_id);
  std::string PledgeChange(const std::string& pledge_id, std::int64_t new_principal_fen);
  // A pledge transaction whose bank signature is broken (receipt SIGNATURE_INVALID).
  std::string BadSignature(const std::string& raw_tx);

  // A random workload of `txs` transactions in blocks of 1..max_block:
  // patents, valuations, pledges (some refused: already pledged), changes,
  // cancellations and the odd bad signature. Deterministic for a seed.
  void RandomWorkload(std::uint64_t seed, size_t txs, size_t max_block);

  // Validator keys (v1.. from TestKey(100 + i)); extra validators may be added.
  const ledger::SecretKey& ValidatorKey(const std::string& id) const { return *validator_keys_.at(id); }
  void AddValidatorKey(const std::string& id, std::shared_ptr<const ledger::SecretKey> key) {
    validator_keys_[id] = std::move(key);
  }
  void SetAttesters(std::vector<std::string> ids) { options_.attesters = std::move(ids); }
  // Has the next block carry `attestation` (serialized) besides the others.
  void CarryAttestation(std::string attestation) { pending_attestations_.push_back(std::move(attestation)); }
  // A validator whose own execution diverged still signs with its real key,
  // and the next block carries (and indexes) what it signed: the fault may
  // change the roots `validator` signs for block `height`. Empty: honest.
  using AttestationFault = std::function<void(const std::string& validator, std::uint64_t height, ledger::Tip* signs)>;
  void SetAttestationFault(AttestationFault fault) { attestation_fault_ = std::move(fault); }
  // Ledger time (ledger/block_time.h): every voter with a key reads the test
  // clock (time_ms()) plus its skew, and the block takes the time its
  // readings give. SetClockSkew moves one validator's clock; SetTimeFault
  // makes the next block's header claim `delta` ms more than that (a leader
  // that ignores the rule).
  void SetClockSkew(const std::string& validator, std::int64_t skew_ms) { clock_skew_[validator] = skew_ms; }
  void SetTimeFault(std::int64_t delta_ms) { time_fault_ms_ = delta_ms; }

  ledger::Ledger& ledger() { return *ledger_; }
  // Closes the database (so a reader can take its lock); Reopen continues
  // the chain where it stopped.
  void Close();
  void Reopen();

  // Ids of what the workload created, for tests that look things up.
  const std::vector<std::string>& patents() const { return patents_; }
  const std::vector<std::string>& pledges() const { return pledges_; }
  const std::vector<ledger::Hash256>& tx_ids() const { return tx_ids_; }

 private:
  std::string dir_;
  TestChainOptions options_;
  contracts::Genesis genesis_;
  std::string genesis_bytes_;
  std::unique_ptr<ledger::Ledger> ledger_;
  contracts::Engine engine_;
  std::map<std::string, std::shared_ptr<const ledger::SecretKey>> accounts_;
  std::map<std::string, std::shared_ptr<const ledger::SecretKey>> validator_keys_;
  std::unique_ptr<tools::Workload> workload_;
  std::vector<std::string> pending_attestations_;
  std::uint64_t time_ms_ = 0;
  std::uint64_t closed_height_ = 0;
  std::uint64_t nonce_ = 1;
  std::vector<std::string> patents_, pledges_;
  std::map<std::string, std::string> valuation_of_;  // patent -> valuation id
  std::vector<ledger::Hash256> tx_ids_;
  AttestationFault attestation_fault_;
  std::map<std::string, std::int64_t> clock_skew_;
  std::int64_t time_fault_ms_ = 0;
};

}  // namespace pledger::test

#endif  // PLEDGER_TESTS_UNIT_TOOLS_AUDIT_CHAIN_H_
