#include "ledger/merkle.h"

#include "ledger/crypto.h"

namespace pledger::ledger {
namespace {

// Largest power of two strictly smaller than n (n >= 2).
std::uint64_t SplitPoint(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

Hash256 Root(std::span<const Hash256> leaves) {
  if (leaves.size() == 1) return leaves[0];
  std::uint64_t k = SplitPoint(leaves.size());
  return MerkleNodeHash(Root(leaves.subspan(0, k)), Root(leaves.subspan(k)));
}

void Path(std::uint64_t m, std::span<const Hash256> leaves, std::vector<Hash256>* out) {
  if (leaves.size() <= 1) return;
  std::uint64_t k = SplitPoint(leaves.size());
  if (m < k) {
    Path(m, leaves.subspan(0, k), out);
    out->push_back(Root(leaves.subspan(k)));
  } else {
    Path(m - k, leaves.subspan(k), out);
    out->push_back(Root(leaves.subspan(0, k)));
  }
}

void SubProof(std::uint64_t m, std::span<const Hash256> leaves, bool complete,
              std::vector<Hash256>* out) {
  std::uint64_t n = leaves.size();
  if (m == n) {
    if (!complete) out->push_back(Root(leaves));
    return;
  }
  std::uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(m, leaves.subspan(0, k), complete, out);
    out->push_back(Root(leaves.subspan(k)));
  } else {
    SubProof(m - k, leaves.subspan(k), false, out);
    out->push_back(Root(leaves.subspan(0, k)));
  }
}

}  // namespace

Hash256 MerkleLeafHash(ByteSpan data) {
  thread_local Sha256Hasher h;
  static constexpr std::uint8_t kLeafPrefix = 0x00;
  h.Update(ByteSpan(&kLeafPrefix, 1)).Update(data);
  return h.Finish();
}

Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right) {
  thread_local Sha256Hasher h;
  static constexpr std::uint8_t kNodePrefix = 0x01;
  h.Update(ByteSpan(&kNodePrefix, 1)).Update(left).Update(right);
  return h.Finish();
}

Hash256 MerkleRoot(std::span<const Hash256> leaf_hashes) {
  if (leaf_hashes.empty()) return Sha256(std::string_view());
  return Root(leaf_hashes);
}

Hash256 MerkleRootOfData(std::span<const std::string> items) {
  std::vector<Hash256> leaves;
  leaves.reserve(items.size());
  for (const auto& item : items) leaves.push_back(MerkleLeafHash(item));
  return MerkleRoot(leaves);
}

Result<std::vector<Hash256>> MerkleInclusionProof(std::span<const Hash256> leaf_hashes,
                                                  std::uint64_t index) {
  if (index >= leaf_hashes.size()) {
    return Status::InvalidArgument("MERKLE_INDEX_OUT_OF_RANGE",
                                   "leaf " + std::to_string(index) + " is not in a tree of " +
                                       std::to_string(leaf_hashes.size()) + " leaves");
  }
  std::vector<Hash256> proof;
  Path(index, leaf_hashes, &proof);
  return proof;
}

bool VerifyMerkleInclusion(const Hash256& leaf_hash, std::uint64_t index,
                           std::uint64_t tree_size, std::span<const Hash256> proof,
                           const Hash256& root) {
  if (index >= tree_size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash256 r = leaf_hash;
  for (const Hash256& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = MerkleNodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

Result<std::vector<Hash256>> MerkleConsistencyProof(std::span<const Hash256> leaf_hashes,
                                                    std::uint64_t old_size) {
  if (old_size == 0 || old_size > leaf_hashes.size()) {
    return Status::InvalidArgument("MERKLE_INDEX_OUT_OF_RANGE",
                                   "a consistency proof needs 0 < old size <= new size, got " +
                                       std::to_string(old_size) + " and " +
                                       std::to_string(leaf_hashes.size()));
  }
  std::vector<Hash256> proof;
  SubProof(old_size, leaf_hashes, true, &proof);
  return proof;
}

bool VerifyMerkleConsistency(std::uint64_t old_size, std::uint64_t new_size,
                             const Hash256& old_root, const Hash256& new_root,
                             std::span<const Hash256> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();  // the empty tree is a prefix of every tree
  std::vector<Hash256> path;
  // When old_size is a power of two the old root is a node of the new tree and
  // the proof leaves it out.
  if ((old_size & (old_size - 1)) == 0) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  if (path.empty()) return false;
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash256 fr = path[0];
  Hash256 sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash256& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = MerkleNodeHash(c, fr);
      sr = MerkleNodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = MerkleNodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

}  // namespace pledger::ledger
