// TxIdSet: an in-memory set of 64-bit fingerprints of the transaction ids in
// the tx index, kept in front of it by BlockStore.
//
// Why: every executor asks, for every transaction, whether the chain already
// holds it (the replay rule, contracts/replay.h), admission asks again, and staging
// a block asks once more. Almost every answer is "no", and a LevelDB read of
// an absent key still walks the memtable's skip list and probes each table's
// filter: about a dozen such reads per transaction across a three-node
// cluster. Here "no" costs one hash probe.
//
// Contract: MayContain never answers false for an inserted id; it may answer
// true for one never inserted (two ids sharing their first 8 bytes), so a
// "maybe" is settled by reading the index. The set therefore changes how fast
// an answer comes, never what it is, and holding extra ids (from a batch that
// was staged but not written) is harmless.
//
// Slots are chosen with a keyed hash (SipHash, key drawn at construction):
// transaction ids can be ground to share bits, and a public slot function
// would let a submitter build long probe chains. The key never affects an
// answer.
//
// Memory: 8 bytes per slot, kept at most half full (16-32 bytes per id).
// Thread-safe: readers share a lock, inserts take it exclusively.
#ifndef PLEDGER_LEDGER_TX_ID_SET_H_
#define PLEDGER_LEDGER_TX_ID_SET_H_

#include <array>
#include <cstdint>
#include <shared_mutex>
#include <span>
#include <vector>

#include "ledger/bytes.h"

namespace pledger::ledger {

class TxIdSet {
 public:
  TxIdSet();

  void Insert(const Hash256& id);
  void InsertAll(std::span<const Hash256> ids);
  bool MayContain(const Hash256& id) const;
  // Fingerprints held (ids sharing a fingerprint count once).
  size_t size() const;
  // Takes `other`'s contents in one step, so readers see the old set or the
  // new one, never an empty one in between. `other` is left empty.
  void Replace(TxIdSet&& other);

 private:
  static std::uint64_t Fingerprint(const Hash256& id);
  size_t SlotOf(std::uint64_t fp) const;
  void InsertLocked(std::uint64_t fp);
  void Grow();

  std::array<unsigned char, 16> key_{};
  mutable std::shared_mutex mu_;
  std::vector<std::uint64_t> slots_;  // 0 marks an empty slot; guarded by mu_
  size_t count_ = 0;                  // guarded by mu_
};

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_TX_ID_SET_H_
