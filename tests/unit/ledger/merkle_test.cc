#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "ledger/merkle.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

using test::Unhex;
using test::UnhexHash;

// The Certificate Transparency reference leaves and roots (RFC 6962 test data
// of the reference implementation, merkle_tree_test): roots for sizes 0..8.
const char* kLeaves[] = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                         "606162636465666768696a6b6c6d6e6f"};
const char* kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash256> LeafHashes(size_t n) {
  std::vector<Hash256> out;
  for (size_t i = 0; i < n; ++i) out.push_back(MerkleLeafHash(Unhex(kLeaves[i])));
  return out;
}

std::vector<Hash256> Hashes(std::initializer_list<const char*> hex) {
  std::vector<Hash256> out;
  for (const char* h : hex) out.push_back(UnhexHash(h));
  return out;
}

TEST_CASE("Merkle: roots match the RFC 6962 reference for 0..8 leaves", "[merkle]") {
  for (size_t n = 0; n <= 8; ++n) {
    INFO("size " << n);
    CHECK(HexEncode(MerkleRoot(LeafHashes(n))) == kRoots[n]);
  }
}

TEST_CASE("Merkle: inclusion proofs match the reference audit paths", "[merkle]") {
  struct Case {
    std::uint64_t index, size;
    std::vector<Hash256> path;
  };
  const Case cases[] = {
      {0, 8,
       Hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hashes({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, Hashes({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hashes({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const auto& c : cases) {
    INFO("leaf " << c.index << " of " << c.size);
    auto leaves = LeafHashes(c.size);
    auto proof = MerkleInclusionProof(leaves, c.index);
    REQUIRE(proof.ok());
    CHECK(*proof == c.path);
    Hash256 root = UnhexHash(kRoots[c.size]);
    CHECK(VerifyMerkleInclusion(leaves[c.index], c.index, c.size, c.path, root));
    CHECK_FALSE(VerifyMerkleInclusion(leaves[c.index], c.index, c.size, c.path,
                                      UnhexHash(kRoots[0])));
  }
}

TEST_CASE("Merkle: consistency proofs match the reference", "[merkle]") {
  struct Case {
    std::uint64_t m, n;
    std::vector<Hash256> proof;
  };
  const Case cases[] = {
      {1, 1, {}},
      {1, 8,
       Hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hashes({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hashes({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const auto& c : cases) {
    INFO(c.m << " -> " << c.n);
    auto proof = MerkleConsistencyProof(LeafHashes(c.n), c.m);
    REQUIRE(proof.ok());
    CHECK(*proof == c.proof);
    CHECK(VerifyMerkleConsistency(c.m, c.n, UnhexHash(kRoots[c.m]), UnhexHash(kRoots[c.n]),
                                  c.proof));
  }
}

TEST_CASE("Merkle: every leaf of every size up to 40 proves, and tampering fails", "[merkle]") {
  // Deterministic data; no randomness needed to cover every tree shape.
  std::vector<Hash256> all;
  for (int i = 0; i < 40; ++i) all.push_back(MerkleLeafHash(std::string(i, static_cast<char>(i))));
  for (size_t n = 1; n <= all.size(); ++n) {
    std::span<const Hash256> leaves(all.data(), n);
    Hash256 root = MerkleRoot(leaves);
    for (size_t i = 0; i < n; ++i) {
      auto proof = MerkleInclusionProof(leaves, i);
      REQUIRE(proof.ok());
      REQUIRE(VerifyMerkleInclusion(leaves[i], i, n, *proof, root));
      if (n > 1) CHECK_FALSE(VerifyMerkleInclusion(leaves[(i + 1) % n], i, n, *proof, root));
      if (!proof->empty()) {
        auto bad = *proof;
        bad.back()[0] ^= 1;
        CHECK_FALSE(VerifyMerkleInclusion(leaves[i], i, n, bad, root));
      }
    }
    for (size_t m = 1; m <= n; ++m) {
      auto proof = MerkleConsistencyProof(leaves, m);
      REQUIRE(proof.ok());
      Hash256 old_root = MerkleRoot(leaves.subspan(0, m));
      REQUIRE(VerifyMerkleConsistency(m, n, old_root, root, *proof));
      Hash256 wrong = old_root;
      wrong[31] ^= 1;
      CHECK_FALSE(VerifyMerkleConsistency(m, n, wrong, root, *proof));
    }
  }
}

TEST_CASE("Merkle: out-of-range requests are errors, not crashes", "[merkle]") {
  auto leaves = LeafHashes(3);
  CHECK(MerkleInclusionProof(leaves, 3).status().reason() == "MERKLE_INDEX_OUT_OF_RANGE");
  CHECK(MerkleConsistencyProof(leaves, 0).status().reason() == "MERKLE_INDEX_OUT_OF_RANGE");
  CHECK(MerkleConsistencyProof(leaves, 4).status().reason() == "MERKLE_INDEX_OUT_OF_RANGE");
  CHECK_FALSE(VerifyMerkleInclusion(leaves[0], 5, 3, {}, MerkleRoot(leaves)));
}

}  // namespace
}  // namespace pledger::ledger
