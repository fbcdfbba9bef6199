// Merkle trees in the shape of RFC 6962 (Certificate Transparency), as restated
// in RFC 9162 section 2.1:
//   MTH({})      = SHA-256()
//   leaf hash    = SHA-256(0x00 || data)
//   node hash    = SHA-256(0x01 || left || right)
//   MTH(D[n])    = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
// so odd counts are not padded or duplicated (the Bitcoin flaw): the right
// subtree is simply smaller. The domain separation makes a leaf impossible to
// pass off as an inner node.
//
// Functions take leaf *hashes* (LeafHash of each datum) so callers can cache them.
// All functions are pure and thread-safe.
#ifndef PLEDGER_LEDGER_MERKLE_H_
#define PLEDGER_LEDGER_MERKLE_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "consensus/status.h"
#include "ledger/bytes.h"

namespace pledger::ledger {

Hash256 MerkleLeafHash(ByteSpan data);
inline Hash256 MerkleLeafHash(std::string_view data) { return MerkleLeafHash(AsBytes(data)); }
Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right);

// MTH over the leaves whose leaf hashes are given; SHA-256("") for none.
Hash256 MerkleRoot(std::span<const Hash256> leaf_hashes);
// Convenience: MerkleRoot of MerkleLeafHash of each item.
Hash256 MerkleRootOfData(std::span<const std::string> items);

// Audit path PATH(index, D[n]) of RFC 6962 2.1.1. Fails (INVALID_ARGUMENT,
// MERKLE_INDEX_OUT_OF_RANGE) if index >= n.
Result<std::vector<Hash256>> MerkleInclusionProof(std::span<const Hash256> leaf_hashes,
                                                  std::uint64_t index);

// RFC 9162 2.1.3.2: true iff `proof` proves that `leaf_hash` is leaf `index` of a
// tree of `tree_size` leaves with root `root`.
bool VerifyMerkleInclusion(const Hash256& leaf_hash, std::uint64_t index,
                           std::uint64_t tree_size, std::span<const Hash256> proof,
                           const Hash256& root);

// Consistency proof PROOF(m, D[n]) of RFC 6962 2.1.2, for 0 < m <= n.
Result<std::vector<Hash256>> MerkleConsistencyProof(std::span<const Hash256> leaf_hashes,
                                                    std::uint64_t old_size);

// RFC 9162 2.1.4.2: true iff the tree of `old_size` leaves with `old_root` is a
// prefix of the tree of `new_size` leaves with `new_root`.
bool VerifyMerkleConsistency(std::uint64_t old_size, std::uint64_t new_size,
                             const Hash256& old_root, const Hash256& new_root,
                             std::span<const Hash256> proof);

}  // namespace pledger::ledger

#endif  // PLEDGER_LEDGER_MERKLE_H_
