#include "contracts/history.h"

#include <algorithm>
#include <memory>

#include "ledger/bytes.h"
#include "ledger/keys.h"

namespace pledger::contracts {
namespace {

std::string HistoryPrefix(const std::string& entity) {
  std::string k(1, ledger::keys::kHistory);
  k += entity;
  k.push_back('\0');
  return k;
}

std::string VersionPrefix(std::string_view key) {
  std::string k(1, ledger::keys::kVersion);
  k.append(key);
  k.push_back('\0');
  return k;
}

}  // namespace

bool IsVersionedKey(std::string_view key) {
  for (std::string_view p : {"patent/", "pledge/", "valuation/", "account/", "org/", "validator/",
                             "pool/", "tranche/", "holding/", "params"}) {
    if (key.substr(0, p.size()) == p) return true;
  }
  return false;
}

void StageHistoryRecords(const ledger::BlockHeader& header,
                         const std::vector<contracts::PreparedTx>& txs,
                         const contracts::BlockOutcome& outcome, leveldb::WriteBatch* batch) {
  StageHistoryRecords(header, contracts::PointersTo(txs), outcome, batch);
}

void StageHistoryRecords(const ledger::BlockHeader& header,
                         std::span<const contracts::PreparedTx* const> txs,
                         const contracts::BlockOutcome& outcome, leveldb::WriteBatch* batch) {
  for (size_t i = 0; i < outcome.txs.size(); ++i) {
    const auto& o = outcome.txs[i];
    HistoryEntry e;
    e.set_tx_id(ledger::HexEncode(o.receipt.tx_id()));
    e.set_height(header.height());
    e.set_index(static_cast<std::uint32_t>(i));
    e.set_time_ms(header.time_ms());
    e.set_code(o.receipt.code());
    if (i < txs.size() && txs[i]->status.ok()) e.set_action(ActionName(txs[i]->body));
    std::string value = e.SerializeAsString();
    for (const auto& entity : o.touched) {
      std::string k = HistoryPrefix(entity);
      ledger::PutBigEndian64(&k, header.height());
      ledger::PutBigEndian32(&k, static_cast<std::uint32_t>(i));
      batch->Put(k, value);
    }
  }
  for (const auto& [key, value] : outcome.writes) {
    if (!IsVersionedKey(key)) continue;
    std::string k = VersionPrefix(key);
    ledger::PutBigEndian64(&k, header.height());
    batch->Put(k, value ? "\x01" + *value : std::string("\x00", 1));
  }
}

Status DatabaseIndexReader::Error(const leveldb::Status& s) const {
  return ledger::Database::FromLevelDb(s, "reading the history indexes of " + db_.path());
}

std::optional<HistoryKeyParts> ParseHistoryKey(std::string_view key) {
  if (key.empty() || key[0] != ledger::keys::kHistory) return std::nullopt;
  std::string_view rest = key.substr(1);
  const size_t z = rest.find('\0');  // entities hold no 0x00
  if (z == std::string_view::npos || rest.size() != z + 1 + 12) return std::nullopt;
  return HistoryKeyParts{rest.substr(0, z), ledger::GetBigEndian64(rest.data() + z + 1),
                         ledger::GetBigEndian32(rest.data() + z + 9)};
}

std::optional<VersionKeyParts> ParseVersionKey(std::string_view key) {
  if (key.empty() || key[0] != ledger::keys::kVersion) return std::nullopt;
  std::string_view rest = key.substr(1);
  // Found by length: the height's own bytes may hold zeros.
  if (rest.size() < 9 || rest[rest.size() - 9] != '\0') return std::nullopt;
  return VersionKeyParts{rest.substr(0, rest.size() - 9), ledger::GetBigEndian64(rest.data() + rest.size() - 8)};
}

Result<std::optional<std::string>> ParseVersionValue(std::string_view value) {
  if (value.size() == 1 && value[0] == '\0') return std::optional<std::string>();
  if (value.empty() || value[0] != '\x01') {
    return Status::Corruption("VERSION_RECORD_CORRUPT",
                              "a version record is neither a value (0x01 ...) nor a deletion (0x00): the "
                              "version index is damaged");
  }
  return std::optional<std::string>(std::string(value.substr(1)));
}

Result<HistoryPage> QueryHistory(const IndexReader& reader, const std::string& entity,
                                 const std::string& cursor, size_t limit) {
  limit = std::clamp<size_t>(limit, 1, 1000);
  const std::string prefix = HistoryPrefix(entity);
  std::string start = prefix;
  if (!cursor.empty()) {
    auto raw = ledger::HexDecode(cursor);
    if (!raw.ok() || raw->size() != 12) {
      return Status::InvalidArgument("CURSOR_INVALID",
                                     "cursor must be the next_cursor of a previous page");
    }
    start += *raw;
    start.push_back('\0');  // strictly after the cursor position
  }
  HistoryPage page;
  page.set_entity(entity);
  std::string last;
  std::unique_ptr<leveldb::Iterator> it = reader.NewIterator();
  for (it->Seek(start); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (k.substr(0, prefix.size()) != prefix) break;
    if (static_cast<size_t>(page.entries_size()) == limit) {
      page.set_next_cursor(ledger::HexEncode(last));
      break;
    }
    if (k.size() != prefix.size() + 12 ||
        !page.add_entries()->ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Corruption("HISTORY_RECORD_CORRUPT",
                                "a history record of " + entity + " (key " + ledger::HexEncode(k) +
                                    ") does not parse: the history index is damaged");
    }
    last = std::string(k.substr(prefix.size()));
  }
  if (!it->status().ok()) return reader.Error(it->status());
  return page;
}

Result<HistoryPage> QueryHistory(const ledger::Database& db, const std::string& entity,
                                 const std::string& cursor, size_t limit) {
  return QueryHistory(DatabaseIndexReader(db), entity, cursor, limit);
}

Result<std::optional<std::string>> StateAsOf(const IndexReader& reader, const std::string& key,
                                             std::uint64_t height, const ledger::WriteSet* genesis) {
  auto as_genesis_left_it = [&]() -> std::optional<std::string> {
    if (genesis == nullptr) return std::nullopt;
    auto it = genesis->find(key);
    return it == genesis->end() ? std::nullopt : it->second;
  };
  // The last version at or below `height`: the greatest key <= prefix be64(height).
  const std::string prefix = VersionPrefix(key);
  std::string bound = prefix;
  ledger::PutBigEndian64(&bound, height);
  std::unique_ptr<leveldb::Iterator> it = reader.NewIterator();
  it->Seek(bound);
  if (!it->Valid()) {
    it->SeekToLast();
  } else if (std::string_view(it->key().data(), it->key().size()) != bound) {
    it->Prev();
  }
  if (!it->status().ok()) return reader.Error(it->status());
  if (!it->Valid()) return as_genesis_left_it();
  std::string_view k(it->key().data(), it->key().size());
  if (k.size() != prefix.size() + 8 || k.substr(0, prefix.size()) != prefix) {
    return as_genesis_left_it();
  }
  auto value = ParseVersionValue(std::string_view(it->value().data(), it->value().size()));
  if (!value.ok()) {
    return Status::Corruption("VERSION_RECORD_CORRUPT",
                              "the version of " + key + " after block " +
                                  std::to_string(ledger::GetBigEndian64(k.data() + prefix.size())) + ": " +
                                  std::string(value.status().message()));
  }
  return value;
}

Result<std::optional<std::string>> StateAsOf(const ledger::Database& db, const std::string& key,
                                             std::uint64_t height, const ledger::WriteSet* genesis) {
  return StateAsOf(DatabaseIndexReader(db), key, height, genesis);
}

}  // namespace pledger::contracts
