#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <random>

#include "ledger/ledger.h"
#include "ledger/state_store.h"
#include "tests/support/test_util.h"

namespace pledger::ledger {
namespace {

Hash256 Commit(Database* db, StateStore* st, const WriteSet& ws) {
  leveldb::WriteBatch batch;
  auto staged = st->Stage(ws, &batch);
  REQUIRE(staged.ok());
  REQUIRE(db->Write(&batch, false).ok());
  st->Publish(*staged);
  return staged->root;
}

TEST_CASE("state: the empty state has a fixed root", "[state]") {
  test::TempDir dir;
  auto db = Database::Open(dir.Sub("db"));
  REQUIRE(db.ok());
  StateStore st(db->get());
  REQUIRE(st.Load().ok());
  CHECK(st.root() == StateStore::RootOf({}));
}

TEST_CASE("state: writes, overwrites and deletes, root depends on content only", "[state]") {
  test::TempDir dir;
  auto db = Database::Open(dir.Sub("db"));
  REQUIRE(db.ok());
  StateStore st(db->get());
  REQUIRE(st.Load().ok());
  Hash256 empty = st.root();

  Hash256 r1 = Commit(db->get(), &st, {{"patent/1", "a"}, {"patent/2", "b"}});
  CHECK(r1 != empty);
  CHECK(*st.Get("patent/1") == std::optional<std::string>("a"));
  CHECK(r1 == StateStore::RootOf({{"patent/1", "a"}, {"patent/2", "b"}}));

  Hash256 r2 = Commit(db->get(), &st, {{"patent/1", "c"}});
  CHECK(r2 != r1);
  CHECK(r2 == StateStore::RootOf({{"patent/1", "c"}, {"patent/2", "b"}}));

  Hash256 r3 = Commit(db->get(), &st, {{"patent/1", std::nullopt}, {"patent/2", std::nullopt}});
  CHECK(r3 == empty);
  CHECK_FALSE(st.Get("patent/2")->has_value());
}

TEST_CASE("state: staging is invisible until published, and reload rebuilds the root", "[state]") {
  test::TempDir dir;
  Hash256 root;
  {
    auto db = Database::Open(dir.Sub("db"));
    REQUIRE(db.ok());
    StateStore st(db->get());
    REQUIRE(st.Load().ok());
    Hash256 before = st.root();
    leveldb::WriteBatch batch;
    auto staged = st.Stage({{"k", "v"}}, &batch);
    REQUIRE(staged.ok());
    CHECK(st.root() == before);
    REQUIRE((*db)->Write(&batch, true).ok());
    st.Publish(*staged);
    root = st.root();
  }
  auto db = Database::Open(dir.Sub("db"));
  REQUIRE(db.ok());
  StateStore st(db->get());
  REQUIRE(st.Load().ok());
  CHECK(st.root() == root);
}

// Commits `blocks` random blocks of 1..max_writes writes to keys drawn by
// `pick`, deleting one in `delete_one_in`, and checks each block's root
// against the root of the model (the whole state, recomputed from scratch).
void RandomBlocks(std::mt19937_64& rng, Database* db, StateStore* st,
                  std::map<std::string, std::string, std::less<>>* model, int blocks, int max_writes,
                  int delete_one_in, const std::function<std::string()>& pick) {
  for (int block = 0; block < blocks; ++block) {
    WriteSet ws;
    const int n = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(max_writes));
    for (int i = 0; i < n; ++i) {
      const std::string key = pick();
      if (rng() % static_cast<std::uint64_t>(delete_one_in) == 0) {
        ws[key] = std::nullopt;
        model->erase(key);
      } else {
        std::string v = std::to_string(rng());
        ws[key] = v;
        (*model)[key] = v;
      }
    }
    INFO("block " << block);
    REQUIRE(Commit(db, st, ws) == StateStore::RootOf(*model));
  }
}

TEST_CASE("state: random workloads give the same root in any write order", "[state]") {
  std::uint64_t seed = test::TestSeed("state random workload");
  INFO("seed " << seed << " (replay with PLEDGER_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  std::map<std::string, std::string, std::less<>> model;
  test::TempDir dir;
  auto db = Database::Open(dir.Sub("db"));
  REQUIRE(db.ok());
  StateStore st(db->get());
  REQUIRE(st.Load().ok());
  RandomBlocks(rng, db->get(), &st, &model, 30, 200, 4, [&] { return "k/" + std::to_string(rng() % 500); });
}

// Stage merges a bucket's committed entries with the block's writes in one
// pass; with keys spread over 65,536 buckets the random test above rarely
// puts two keys in one bucket, so here every key shares one of two buckets.
TEST_CASE("state: crowded buckets merge committed entries and writes in key order", "[state]") {
  std::uint64_t seed = test::TestSeed("state crowded buckets");
  INFO("seed " << seed << " (replay with PLEDGER_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  const std::uint16_t b0 = StateStore::BucketOf("c/0"), b1 = StateStore::BucketOf("c/1");
  std::vector<std::string> keys{"c/0", "c/1"};
  size_t in0 = 1, in1 = 1;
  for (std::uint64_t i = 2; in0 < 12 || in1 < 12; ++i) {
    std::string k = "c/" + std::to_string(i);
    const std::uint16_t b = StateStore::BucketOf(k);
    if (b == b0 && in0 < 12) {
      keys.push_back(k);
      ++in0;
    } else if (b == b1 && in1 < 12) {
      keys.push_back(k);
      ++in1;
    }
  }
  std::map<std::string, std::string, std::less<>> model;
  test::TempDir dir;
  auto db = Database::Open(dir.Sub("db"));
  REQUIRE(db.ok());
  StateStore st(db->get());
  REQUIRE(st.Load().ok());
  RandomBlocks(rng, db->get(), &st, &model, 60, 8, 3, [&] { return keys[rng() % keys.size()]; });
  // Reloading from the stored bucket hashes gives the same root.
  StateStore again(db->get());
  REQUIRE(again.Load().ok());
  CHECK(again.root() == StateStore::RootOf(model));
}

// Every operation of a batch, in order, as text.
std::string BatchText(const leveldb::WriteBatch& batch) {
  struct Text : leveldb::WriteBatch::Handler {
    std::string out;
    void Put(const leveldb::Slice& k, const leveldb::Slice& v) override {
      out += "put " + HexEncode(k.ToString()) + " " + HexEncode(v.ToString()) + "\n";
    }
    void Delete(const leveldb::Slice& k) override { out += "del " + HexEncode(k.ToString()) + "\n"; }
  } text;
  REQUIRE(batch.Iterate(&text).ok());
  return text.out;
}

// The writer's copy of buckets must change nothing but speed: stores with no
// copy, a copy that fills up part way, and an unbounded one stage the same
// batches and roots for the same blocks, including blocks staged and then
// abandoned (never written, never published).
TEST_CASE("state: the bucket copy, whole, partial or absent, stages exactly what the database would",
          "[state]") {
  std::uint64_t seed = test::TestSeed("state bucket copy");
  INFO("seed " << seed << " (replay with PLEDGER_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  struct Store {
    test::TempDir dir;
    std::unique_ptr<Database> db;
    std::unique_ptr<StateStore> st;
  };
  const size_t limits[] = {0, 4096, StateStore::kBucketCacheBytes};
  std::vector<std::unique_ptr<Store>> stores;
  for (size_t limit : limits) {
    auto s = std::make_unique<Store>();
    auto db = Database::Open(s->dir.Sub("db"));
    REQUIRE(db.ok());
    s->db = std::move(*db);
    s->st = std::make_unique<StateStore>(s->db.get(), limit);
    REQUIRE(s->st->Load().ok());
    stores.push_back(std::move(s));
  }
  std::map<std::string, std::string, std::less<>> model;
  // 300 keys over few buckets (those of 40 seed keys) and many others.
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back("p/" + std::to_string(i));
  for (int block = 0; block < 120; ++block) {
    WriteSet ws;
    const int n = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      const std::string& key = keys[rng() % keys.size()];
      if (rng() % 4 == 0) {
        ws[key] = std::nullopt;
      } else {
        ws[key] = std::to_string(rng());
      }
    }
    const bool abandon = rng() % 5 == 0;
    INFO("block " << block << (abandon ? " (abandoned)" : ""));
    std::vector<std::string> reps;
    std::vector<Hash256> roots;
    for (auto& s : stores) {
      leveldb::WriteBatch batch;
      auto staged = s->st->Stage(ws, &batch);
      REQUIRE(staged.ok());
      reps.push_back(BatchText(batch));
      roots.push_back(staged->root);
      if (!abandon) {
        REQUIRE(s->db->Write(&batch, false).ok());
        s->st->Publish(*staged);
      }
    }
    for (size_t i = 1; i < stores.size(); ++i) {
      CHECK(reps[i] == reps[0]);
      CHECK(roots[i] == roots[0]);
    }
    if (!abandon) {
      for (const auto& [k, v] : ws) {
        if (v) {
          model[k] = *v;
        } else {
          model.erase(k);
        }
      }
      REQUIRE(stores[0]->st->root() == StateStore::RootOf(model));
    }
  }
  CHECK(stores[0]->st->bucket_cache_bytes() == 0);
  CHECK(stores[1]->st->bucket_cache_bytes() > 0);
  CHECK(stores[1]->st->bucket_cache_bytes() <= 4096);
  CHECK(stores[2]->st->bucket_cache_bytes() > 4096);
  for (auto& s : stores) CHECK(s->st->root() == StateStore::RootOf(model));
}

TEST_CASE("state: oversize keys are refused before anything is written", "[state]") {
  test::TempDir dir;
  auto db = Database::Open(dir.Sub("db"));
  REQUIRE(db.ok());
  StateStore st(db->get());
  REQUIRE(st.Load().ok());
  leveldb::WriteBatch batch;
  CHECK(st.Stage({{std::string(kMaxStateKeyBytes + 1, 'k'), "v"}}, &batch).status().reason() ==
        "STATE_KEY_INVALID");
  CHECK(st.Stage({{"", "v"}}, &batch).status().reason() == "STATE_KEY_INVALID");
}

}  // namespace
}  // namespace pledger::ledger
