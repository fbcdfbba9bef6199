#include "node/submit_json.h"

#include <cstdint>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/io/api_json.h"

namespace pledger::node {
namespace {

// Appends `s` as a JSON string the way protobuf's printer does, or returns
// false if `s` holds a character whose escaping is not reproduced here.
bool AppendString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '<': out->append("\\u003c"); break;
        case '>': out->append("\\u003e"); break;
        default: out->push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // A multi-byte UTF-8 sequence passes through unchanged if it is valid
    // (shortest form, no surrogates, at most U+10FFFF).
    size_t len;
    std::uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp == 0x2028 || cp == 0x2029) {
      return false;
    }
    out->append(s.substr(i, len));
    i += len;
  }
  out->push_back('"');
  return true;
}

void AppendKey(std::string* out, std::string_view key) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

bool StringField(std::string* out, std::string_view key, std::string_view value, bool first = false) {
  if (!first) out->push_back(',');
  AppendKey(out, key);
  return AppendString(out, value);
}

bool Receipt(std::string* out, const api::ReceiptView& r) {
  out->push_back('{');
  if (!StringField(out, "tx_id", r.tx_id(), /*first=*/true)) return false;
  if (!StringField(out, "code", r.code()) || !StringField(out, "message", r.message())) return false;
  out->append(",\"events\":[");
  for (int i = 0; i < r.events_size(); ++i) {
    const ledger::Event& e = r.events(i);
    if (i > 0) out->push_back(',');
    out->push_back('{');
    if (!StringField(out, "type", e.type(), /*first=*/true)) return false;
    out->append(",\"attributes\":[");
    for (int k = 0; k < e.attributes_size(); ++k) {
      const ledger::Attribute& a = e.attributes(k);
      if (k > 0) out->push_back(',');
      out->push_back('{');
      if (!StringField(out, "key", a.key(), /*first=*/true) || !StringField(out, "value", a.value())) return false;
      out->push_back('}');
    }
    out->append("]}");
  }
  out->append("],\"grounds\":[");
  for (int i = 0; i < r.grounds_size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!AppendString(out, r.grounds(i))) return false;
  }
  out->push_back(']');
  if (!StringField(out, "rule", r.rule())) return false;
  out->push_back('}');
  return true;
}

}  // namespace

bool FastSubmitResponseJson(const api::SubmitResponse& response, std::string* out) {
  out->clear();
  out->reserve(512);
  out->push_back('{');
  if (!StringField(out, "tx_id", response.tx_id(), /*first=*/true) ||
      !StringField(out, "status", response.status()) || !StringField(out, "message", response.message())) {
    return false;
  }
  if (response.has_tx()) {
    const api::TxView& t = response.tx();
    if (t.has_tx() || t.has_body() || t.has_proof() || t.has_attestation()) {
      return false;
    }
    out->append(",\"tx\":{");
    if (!StringField(out, "tx_id", t.tx_id(), /*first=*/true) || !StringField(out, "status", t.status())) {
      return false;
    }
    out->append(",\"height\":\"" + std::to_string(t.height()) + "\",\"index\":" + std::to_string(t.index()));
    if (!StringField(out, "block_hash", t.block_hash())) return false;
    if (t.block_time_ms() != 0) {  // an unset instant is left out (ledger/io/api_json.h)
      auto when = io::Rfc3339China(t.block_time_ms());
      out->append(",\"block_time_ms\":\"" + (when ? *when : std::to_string(t.block_time_ms())) + "\"");
    }
    if (t.has_receipt()) {
      out->append(",\"receipt\":");
      if (!Receipt(out, t.receipt())) return false;
    }
    if (!StringField(out, "receipt_code", t.receipt_code())) return false;
    if (!StringField(out, "action", t.action())) return false;
    out->push_back('}');
  }
  out->push_back('}');
  return true;
}

std::string SubmitResponseJson(const api::SubmitResponse& response) {
  std::string out;
  if (FastSubmitResponseJson(response, &out)) return out;
  return io::ApiJsonFromMessage(response);
}

}  // namespace pledger::node
