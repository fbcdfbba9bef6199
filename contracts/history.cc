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

Status StageHistoryRecords(const ledger::BlockHeader& header,
                           const std::vector<contracts::PreparedTx>& txs,
                           const contracts::BlockOutcome& outcome, const ledger::StateReader& before,
                           leveldb::WriteBatch* batch) {
  return StageHistoryRecords(header, contracts::PointersTo(txs), outcome, before, batch);
}

Status StageHistoryRecords(const ledger::BlockHeader& header,
                           std::span<const contracts::PreparedTx* const> txs,
                           const contracts::BlockOutcome& outcome, const ledger::StateReader& before,
                           leveldb::WriteBatch* batch) {
  std::string key;
  std::string value;
  for (size_t i = 0; i < outcome.txs.size(); ++i) {
    const auto& o = outcome.txs[i];
    if (o.touched.empty()) continue;
    HistoryRecord r;
    r.set_tx_id(o.receipt.tx_id());
    r.set_time_ms(header.time_ms());
    r.set_code(o.receipt.code());
    if (i < txs.size() && txs[i]->status.ok()) r.set_action(ActionNumber(txs[i]->body));
    value.clear();
    r.SerializeToString(&value);
    for (const auto& entity : o.touched) {
      key = HistoryPrefix(entity);
      ledger::PutBigEndian64(&key, header.height());
      ledger::PutBigEndian32(&key, static_cast<std::uint32_t>(i));
      batch->Put(key, value);
    }
  }
  // Each version record keeps the value the block replaced (an undo record):
  // a record created by the block costs one byte here, not a second copy of
  // what 'S' already holds.
  for (const auto& [state_key, unused] : outcome.writes) {
    if (!IsVersionedKey(state_key)) continue;
    auto prior = before.Get(state_key);
    if (!prior.ok()) {
      return prior.status().WithContext("reading " + state_key + " before block " + std::to_string(header.height()) +
                                        " for its version record");
    }
    key = VersionPrefix(state_key);
    ledger::PutBigEndian64(&key, header.height());
    batch->Put(key, prior->has_value() ? "\x01" + **prior : std::string("\x00", 1));
  }
  return Status::OK();
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
    HistoryRecord r;
    if (k.size() != prefix.size() + 12 ||
        !r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) || r.tx_id().size() != 32) {
      return Status::Corruption("HISTORY_RECORD_CORRUPT",
                                "a history record of " + entity + " (key " + ledger::HexEncode(k) +
                                    ") does not parse: the history index is damaged");
    }
    HistoryEntry* e = page.add_entries();
    e->set_tx_id(ledger::HexEncode(r.tx_id()));
    e->set_height(ledger::GetBigEndian64(k.data() + prefix.size()));
    e->set_index(ledger::GetBigEndian32(k.data() + prefix.size() + 8));
    e->set_time_ms(r.time_ms());
    e->set_code(r.code());
    e->set_action(ActionNameOfNumber(r.action()));
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
                                             std::uint64_t height) {
  // The first block after `height` that wrote the record kept the value it
  // replaced, which is the value at `height`; with no such block the record is
  // as the current state has it. One iterator: one consistent view of both.
  const std::string prefix = VersionPrefix(key);
  std::unique_ptr<leveldb::Iterator> it = reader.NewIterator();
  if (height < UINT64_MAX) {
    std::string after = prefix;
    ledger::PutBigEndian64(&after, height + 1);
    it->Seek(after);
    if (!it->status().ok()) return reader.Error(it->status());
    if (it->Valid()) {
      std::string_view k(it->key().data(), it->key().size());
      if (k.size() == prefix.size() + 8 && k.substr(0, prefix.size()) == prefix) {
        auto value = ParseVersionValue(std::string_view(it->value().data(), it->value().size()));
        if (!value.ok()) {
          return Status::Corruption("VERSION_RECORD_CORRUPT",
                                    "the version of " + key + " before block " +
                                        std::to_string(ledger::GetBigEndian64(k.data() + prefix.size())) + ": " +
                                        std::string(value.status().message()));
        }
        return value;
      }
    }
  }
  const std::string state_key = ledger::keys::State(key);
  it->Seek(state_key);
  if (!it->status().ok()) return reader.Error(it->status());
  if (it->Valid() && std::string_view(it->key().data(), it->key().size()) == state_key) {
    return std::optional<std::string>(std::string(it->value().data(), it->value().size()));
  }
  return std::optional<std::string>();
}

Result<std::vector<RecordChange>> RecordChanges(const IndexReader& reader, std::string_view state_prefix) {
  std::vector<RecordChange> out;
  const std::string prefix = std::string(1, ledger::keys::kVersion) + std::string(state_prefix);
  std::unique_ptr<leveldb::Iterator> it = reader.NewIterator();
  // Within one key the records come by height: each one's value is what the
  // previous change left, and the last change left the current state.
  auto close_key = [&](size_t first) -> Status {
    if (first == out.size()) return Status::OK();
    for (size_t j = first; j + 1 < out.size(); ++j) out[j].after = out[j + 1].after;
    auto now = StateAsOf(reader, out.back().key, UINT64_MAX);
    if (!now.ok()) return now.status();
    out.back().after = std::move(*now);
    return Status::OK();
  };
  size_t first = 0;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (k.substr(0, prefix.size()) != prefix) break;
    auto parts = ParseVersionKey(k);
    if (!parts) continue;
    auto before = ParseVersionValue(std::string_view(it->value().data(), it->value().size()));
    if (!before.ok()) return before.status();
    if (first == out.size() || out[first].key != parts->state_key) {
      PLEDGER_RETURN_IF_ERROR(close_key(first));
      first = out.size();
    }
    // `after` holds the value before this block until close_key shifts it.
    out.push_back(RecordChange{std::string(parts->state_key), parts->height, std::move(*before)});
  }
  if (!it->status().ok()) return reader.Error(it->status());
  PLEDGER_RETURN_IF_ERROR(close_key(first));
  return out;
}

Result<std::optional<std::string>> StateAsOf(const ledger::Database& db, const std::string& key,
                                             std::uint64_t height) {
  return StateAsOf(DatabaseIndexReader(db), key, height);
}

}  // namespace pledger::contracts
