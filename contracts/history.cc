#include "contracts/history.h"

#include <google/protobuf/descriptor.h>

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

std::string ActionName(const ledger::TxBody& body) {
  if (!body.has_action()) return "";
  const auto& a = body.action();
  const auto* oneof = a.GetDescriptor()->FindOneofByName("kind");
  if (oneof == nullptr) return "";
  const auto* field = a.GetReflection()->GetOneofFieldDescriptor(a, oneof);
  return field ? field->name() : "";
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

Result<HistoryPage> QueryHistory(const ledger::Database& db, const std::string& entity,
                                 const std::string& cursor, size_t limit) {
  limit = std::clamp<size_t>(limit, 1, 1000);
  std::string prefix = HistoryPrefix(entity);
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
  size_t n = 0;
  bool more = false;
  PLEDGER_RETURN_IF_ERROR(db.Scan(prefix, start, [&](std::string_view k, std::string_view v) {
    if (n == limit) {
      more = true;
      return false;
    }
    HistoryEntry e;
    if (e.ParseFromArray(v.data(), static_cast<int>(v.size()))) *page.add_entries() = e;
    last = std::string(k.substr(prefix.size()));
    ++n;
    return true;
  }));
  if (more) page.set_next_cursor(ledger::HexEncode(last));
  return page;
}

Result<std::optional<std::string>> StateAsOf(const ledger::Database& db, const std::string& key,
                                             std::uint64_t height, const ledger::WriteSet* genesis) {
  auto as_genesis_left_it = [&]() -> std::optional<std::string> {
    if (genesis == nullptr) return std::nullopt;
    auto it = genesis->find(key);
    return it == genesis->end() ? std::nullopt : it->second;
  };
  std::string prefix = VersionPrefix(key);
  std::string seek = prefix;
  ledger::PutBigEndian64(&seek, height + 1);
  std::unique_ptr<leveldb::Iterator> it = db.NewIterator();
  it->Seek(seek);
  if (it->Valid()) {
    it->Prev();
  } else {
    it->SeekToLast();
  }
  PLEDGER_RETURN_IF_ERROR(ledger::Database::FromLevelDb(it->status(), "reading history"));
  if (!it->Valid()) return as_genesis_left_it();
  std::string_view k(it->key().data(), it->key().size());
  if (k.size() != prefix.size() + 8 || k.substr(0, prefix.size()) != prefix) {
    return as_genesis_left_it();
  }
  std::string_view v(it->value().data(), it->value().size());
  if (v.empty() || v[0] == '\0') return std::optional<std::string>();
  return std::optional<std::string>(std::string(v.substr(1)));
}

}  // namespace pledger::contracts
