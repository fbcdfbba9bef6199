#include "ledger/io/api_json.h"

#include <google/protobuf/util/json_util.h>

#include <utility>
#include <vector>

#include "ledger/bytes.h"

namespace pledger::io {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// ---------------------------------------------------------------------------
// Civil dates: Howard Hinnant's algorithms, as in contracts/dates.cc, in
// 64-bit so that every int32 day count is safe.

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil CivilOf(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{y + (m <= 2 ? 1 : 0), m, d};
}

std::int64_t DaysOf(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned MonthDays(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return m == 2 && leap ? 29 : kDays[m - 1];
}

void PutDigits(std::string* out, std::uint64_t v, int width) {
  std::string s(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i, v /= 10) s[static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
  out->append(s);
}

void PutCivil(std::string* out, const Civil& c) {
  PutDigits(out, static_cast<std::uint64_t>(c.year), 4);
  out->push_back('-');
  PutDigits(out, c.month, 2);
  out->push_back('-');
  PutDigits(out, c.day, 2);
}

// Reads exactly `n` digits at s[*i].
bool Digits(std::string_view s, size_t* i, int n, unsigned* v) {
  if (*i + static_cast<size_t>(n) > s.size()) return false;
  unsigned r = 0;
  for (int k = 0; k < n; ++k) {
    const char c = s[*i + static_cast<size_t>(k)];
    if (c < '0' || c > '9') return false;
    r = r * 10 + static_cast<unsigned>(c - '0');
  }
  *i += static_cast<size_t>(n);
  *v = r;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

// "YYYY-MM-DD" at s[*i] as a day count.
bool ParseDatePart(std::string_view s, size_t* i, std::int64_t* days) {
  unsigned y, m, d;
  if (!Digits(s, i, 4, &y) || !Expect(s, i, '-') || !Digits(s, i, 2, &m) || !Expect(s, i, '-') ||
      !Digits(s, i, 2, &d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > MonthDays(y, m)) return false;
  *days = DaysOf(y, m, d);
  return true;
}

constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr std::int64_t kChinaOffsetMs = 8LL * 3600 * 1000;

// ---------------------------------------------------------------------------
// A JSON tree that keeps every scalar as its exact source text, so that what
// is not rewritten is reproduced byte for byte (protobuf's escaping included).

// A named member of an object. Declared apart (not std::pair<std::string,
// Node>) because a pair needs a complete Node, which clang's library checks.
struct Member;
struct Node {
  enum class Kind { kObject, kArray, kScalar };
  Kind kind = Kind::kScalar;
  std::string raw;                                   // scalars: the token ("\"x\"", 12, true, null)
  std::vector<Member> members;                       // objects
  std::vector<Node> items;                           // arrays
};
struct Member {
  std::string first;  // the key as written, without quotes
  Node second;
};

constexpr int kMaxDepth = 100;  // protobuf's own recursion limit

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Status Parse(Node* out) {
    PLEDGER_RETURN_IF_ERROR(Value(out, 0));
    Space();
    if (i_ != s_.size()) return Fail("trailing characters");
    return Status::OK();
  }

 private:
  Status Fail(const std::string& what) const {
    return Status::InvalidArgument("JSON_INVALID", what + " at offset " + std::to_string(i_));
  }
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }
  Status String(std::string* raw) {
    const size_t start = i_;
    ++i_;  // opening quote
    while (i_ < s_.size() && s_[i_] != '"') {
      if (static_cast<unsigned char>(s_[i_]) < 0x20) return Fail("control character in a string");
      i_ += s_[i_] == '\\' ? 2 : 1;
    }
    if (i_ >= s_.size()) return Fail("unterminated string");
    ++i_;
    *raw = std::string(s_.substr(start, i_ - start));
    return Status::OK();
  }
  Status Value(Node* n, int depth) {
    if (depth > kMaxDepth) return Fail("nested too deeply");
    Space();
    if (i_ >= s_.size()) return Fail("unexpected end");
    const char c = s_[i_];
    if (c == '{') {
      n->kind = Node::Kind::kObject;
      ++i_;
      Space();
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return Status::OK();
      }
      for (;;) {
        Space();
        if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a member name");
        std::string key;
        PLEDGER_RETURN_IF_ERROR(String(&key));
        Space();
        if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
        ++i_;
        Node v;
        PLEDGER_RETURN_IF_ERROR(Value(&v, depth + 1));
        n->members.push_back(Member{key.substr(1, key.size() - 2), std::move(v)});
        Space();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == '}') {
          ++i_;
          return Status::OK();
        }
        return Fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      n->kind = Node::Kind::kArray;
      ++i_;
      Space();
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return Status::OK();
      }
      for (;;) {
        Node v;
        PLEDGER_RETURN_IF_ERROR(Value(&v, depth + 1));
        n->items.push_back(std::move(v));
        Space();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == ']') {
          ++i_;
          return Status::OK();
        }
        return Fail("expected ',' or ']'");
      }
    }
    n->kind = Node::Kind::kScalar;
    if (c == '"') return String(&n->raw);
    const size_t start = i_;
    while (i_ < s_.size()) {
      const char d = s_[i_];
      const bool token = (d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') || d == '-' || d == '+' || d == '.' ||
                         d == 'E';
      if (!token) break;
      ++i_;
    }
    if (i_ == start) return Fail("unexpected character");
    n->raw = std::string(s_.substr(start, i_ - start));
    return Status::OK();
  }

  std::string_view s_;
  size_t i_ = 0;
};

void Indent(std::string* out, int depth) {
  out->push_back('\n');
  out->append(static_cast<size_t>(depth) * 2, ' ');
}

void Write(const Node& n, std::string* out, bool pretty, int depth) {
  switch (n.kind) {
    case Node::Kind::kScalar: out->append(n.raw); return;
    case Node::Kind::kArray:
      out->push_back('[');
      for (size_t k = 0; k < n.items.size(); ++k) {
        if (k > 0) out->push_back(',');
        if (pretty) Indent(out, depth + 1);
        Write(n.items[k], out, pretty, depth + 1);
      }
      if (pretty && !n.items.empty()) Indent(out, depth);
      out->push_back(']');
      return;
    case Node::Kind::kObject:
      out->push_back('{');
      for (size_t k = 0; k < n.members.size(); ++k) {
        if (k > 0) out->push_back(',');
        if (pretty) Indent(out, depth + 1);
        out->append("\"" + n.members[k].first + "\":");
        if (pretty) out->push_back(' ');
        Write(n.members[k].second, out, pretty, depth + 1);
      }
      if (pretty && !n.members.empty()) Indent(out, depth);
      out->push_back('}');
      return;
  }
}

// ---------------------------------------------------------------------------
// The rewrite.

enum class Direction { kToApi, kFromApi };
enum class Special { kNone, kBytes, kDate, kInstant };

Special SpecialOf(const FieldDescriptor& f) {
  if (f.type() == FieldDescriptor::TYPE_BYTES) return Special::kBytes;
  if (IsApiDateField(f)) return Special::kDate;
  if (IsApiInstantField(f)) return Special::kInstant;
  return Special::kNone;
}

bool Unquote(const std::string& raw, std::string_view* inner) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return false;
  *inner = std::string_view(raw).substr(1, raw.size() - 2);
  return inner->find('\\') == std::string_view::npos;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Rewrites one scalar. Sets *drop when the member is to be left out (an unset
// date or instant on the way out).
Status Scalar(Direction dir, Special sp, const FieldDescriptor& f, bool in_list, Node* n, bool* drop) {
  const auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("JSON_INVALID", "field " + std::string(f.name()) + ": " + what);
  };
  if (n->raw == "null") return Status::OK();  // the mapping's "default value"
  std::string_view inner;
  switch (sp) {
    case Special::kNone: return Status::OK();
    case Special::kBytes:
      if (!Unquote(n->raw, &inner)) return bad("expected a string");
      if (dir == Direction::kToApi) {
        auto b = ledger::Base64Decode(inner);
        if (!b.ok()) return bad("not base64");
        n->raw = "\"" + ledger::HexEncode(*b) + "\"";
      } else {
        auto b = ledger::HexDecode(inner);
        if (!b.ok()) return bad("expected lower-case hex");
        n->raw = "\"" + ledger::Base64Encode(*b) + "\"";
      }
      return Status::OK();
    case Special::kDate:
      if (dir == Direction::kToApi) {
        // int32: the mapping prints a JSON number.
        std::int64_t v = 0;
        bool neg = false;
        std::string_view t = n->raw;
        if (!t.empty() && t.front() == '-') {
          neg = true;
          t.remove_prefix(1);
        }
        if (!AllDigits(t) || t.size() > 10) return bad("expected an integer");
        for (char c : t) v = v * 10 + (c - '0');
        if (neg) v = -v;
        if (v == 0 && !in_list) {
          *drop = true;
          return Status::OK();
        }
        if (auto iso = IsoDate(static_cast<std::int32_t>(v))) n->raw = "\"" + *iso + "\"";
        return Status::OK();
      }
      if (n->raw.front() != '"') return Status::OK();  // a day count, as the mapping has it
      if (!Unquote(n->raw, &inner)) return bad("expected YYYY-MM-DD");
      if (auto d = ParseIsoDate(inner)) {
        n->raw = std::to_string(*d);
        return Status::OK();
      }
      return bad("expected a date YYYY-MM-DD, got \"" + std::string(inner) + "\"");
    case Special::kInstant:
      if (!Unquote(n->raw, &inner)) {
        // The mapping prints uint64 as a string but accepts a number.
        if (dir == Direction::kFromApi) return Status::OK();
        return bad("expected a string");
      }
      if (dir == Direction::kToApi) {
        if (!AllDigits(inner)) return bad("expected a decimal string");
        std::uint64_t v = 0;
        for (char c : inner) v = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (v == 0 && !in_list) {
          *drop = true;
          return Status::OK();
        }
        if (auto t = Rfc3339China(v)) n->raw = "\"" + *t + "\"";
        return Status::OK();
      }
      if (AllDigits(inner)) return Status::OK();
      if (auto ms = ParseRfc3339(inner)) {
        n->raw = "\"" + std::to_string(*ms) + "\"";
        return Status::OK();
      }
      return bad("expected an RFC 3339 date-time, got \"" + std::string(inner) + "\"");
  }
  return Status::OK();
}

Status Rewrite(Direction dir, const Descriptor& type, Node* obj, int depth);

// A field's value: a message (recurse) or a scalar.
Status FieldValue(Direction dir, const FieldDescriptor& f, bool in_list, Node* v, bool* drop, int depth) {
  if (f.type() == FieldDescriptor::TYPE_MESSAGE || f.type() == FieldDescriptor::TYPE_GROUP) {
    const Descriptor* sub = f.message_type();
    // Well-known types have their own JSON forms: left as the mapping has them.
    if (sub->file()->package() == "google.protobuf") return Status::OK();
    if (v->kind != Node::Kind::kObject) return Status::OK();  // null
    return Rewrite(dir, *sub, v, depth + 1);
  }
  return Scalar(dir, SpecialOf(f), f, in_list, v, drop);
}

Status Rewrite(Direction dir, const Descriptor& type, Node* obj, int depth) {
  if (depth > kMaxDepth) return Status::InvalidArgument("JSON_INVALID", "nested too deeply");
  std::vector<Member> kept;
  kept.reserve(obj->members.size());
  for (auto& [key, value] : obj->members) {
    const FieldDescriptor* f = type.FindFieldByName(key);
    if (f == nullptr) f = type.FindFieldByCamelcaseName(key);  // the mapping accepts lowerCamelCase too
    bool drop = false;
    if (f != nullptr && f->is_map()) {
      const FieldDescriptor* vf = f->message_type()->map_value();
      if (value.kind == Node::Kind::kObject) {
        for (auto& [k, item] : value.members) {
          bool unused = false;
          PLEDGER_RETURN_IF_ERROR(FieldValue(dir, *vf, /*in_list=*/true, &item, &unused, depth));
        }
      }
    } else if (f != nullptr && f->is_repeated()) {
      if (value.kind == Node::Kind::kArray) {
        for (Node& item : value.items) {
          bool unused = false;
          PLEDGER_RETURN_IF_ERROR(FieldValue(dir, *f, /*in_list=*/true, &item, &unused, depth));
        }
      }
    } else if (f != nullptr) {
      PLEDGER_RETURN_IF_ERROR(FieldValue(dir, *f, /*in_list=*/false, &value, &drop, depth));
    }
    if (!drop) kept.push_back(Member{std::move(key), std::move(value)});
  }
  obj->members = std::move(kept);
  return Status::OK();
}

Result<std::string> Transform(Direction dir, std::string_view json, const Descriptor& type, bool pretty) {
  Node root;
  PLEDGER_RETURN_IF_ERROR(Parser(json).Parse(&root));
  if (root.kind != Node::Kind::kObject) {
    return Status::InvalidArgument("JSON_INVALID", "expected a JSON object of " + std::string(type.name()));
  }
  PLEDGER_RETURN_IF_ERROR(Rewrite(dir, type, &root, 0));
  std::string out;
  out.reserve(json.size() + 64);
  Write(root, &out, pretty, 0);
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<std::string> IsoDate(std::int32_t days) {
  const Civil c = CivilOf(days);
  if (c.year < 0 || c.year > 9999) return std::nullopt;
  std::string out;
  out.reserve(10);
  PutCivil(&out, c);
  return out;
}

std::optional<std::int32_t> ParseIsoDate(std::string_view s) {
  size_t i = 0;
  std::int64_t days;
  if (!ParseDatePart(s, &i, &days) || i != s.size()) return std::nullopt;
  return static_cast<std::int32_t>(days);  // years 0000-9999 fit easily
}

std::optional<std::string> Rfc3339China(std::uint64_t ms) {
  // Year 9999 ends 253402300800000 ms after the epoch (UTC); stay inside in
  // China time too.
  constexpr std::uint64_t kEnd = 253402300800000ULL - static_cast<std::uint64_t>(kChinaOffsetMs);
  if (ms >= kEnd) return std::nullopt;
  const std::uint64_t local = ms + static_cast<std::uint64_t>(kChinaOffsetMs);
  const auto days = static_cast<std::int64_t>(local / kMsPerDay);
  std::uint64_t rest = local % kMsPerDay;
  std::string out;
  out.reserve(29);
  PutCivil(&out, CivilOf(days));
  out.push_back('T');
  PutDigits(&out, rest / 3'600'000, 2);
  rest %= 3'600'000;
  out.push_back(':');
  PutDigits(&out, rest / 60'000, 2);
  rest %= 60'000;
  out.push_back(':');
  PutDigits(&out, rest / 1000, 2);
  out.push_back('.');
  PutDigits(&out, rest % 1000, 3);
  out.append("+08:00");
  return out;
}

std::optional<std::uint64_t> ParseRfc3339(std::string_view s) {
  size_t i = 0;
  std::int64_t days;
  if (!ParseDatePart(s, &i, &days)) return std::nullopt;
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't')) return std::nullopt;
  ++i;
  unsigned h, m, sec;
  if (!Digits(s, &i, 2, &h) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &m) || !Expect(s, &i, ':') ||
      !Digits(s, &i, 2, &sec)) {
    return std::nullopt;
  }
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;  // no leap seconds: Unix time has none
  std::int64_t frac_ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n == 3) return std::nullopt;  // finer than the ledger's milliseconds
      frac_ms = frac_ms * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return std::nullopt;
    for (; n < 3; ++n) frac_ms *= 10;
  }
  std::int64_t offset_ms = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const bool neg = s[i] == '-';
    ++i;
    unsigned oh, om;
    if (!Digits(s, &i, 2, &oh) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_ms = (static_cast<std::int64_t>(oh) * 60 + om) * 60'000 * (neg ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t local = days * kMsPerDay + ((static_cast<std::int64_t>(h) * 60 + m) * 60 + sec) * 1000 + frac_ms;
  const std::int64_t utc = local - offset_ms;
  if (utc < 0) return std::nullopt;
  return static_cast<std::uint64_t>(utc);
}

bool IsApiDateField(const FieldDescriptor& f) {
  if (f.cpp_type() != FieldDescriptor::CPPTYPE_INT32) return false;
  const std::string& n = f.name();
  if (f.is_repeated()) return EndsWith(n, "_dates") || n == "holidays";
  return EndsWith(n, "_date") || n == "date" || n == "valid_until" || n == "grace_end" ||
         n == "fee_paid_through" || n == "paid_through";
}

bool IsApiInstantField(const FieldDescriptor& f) {
  if (f.cpp_type() != FieldDescriptor::CPPTYPE_UINT64) return false;
  const std::string& n = f.name();
  return EndsWith(n, "_ms") && !EndsWith(n, "_max_ms");
}

std::string ApiJsonFromMessage(const google::protobuf::Message& m, const ApiJsonOptions& opts) {
  std::string json;
  google::protobuf::util::JsonPrintOptions p;
  p.preserve_proto_field_names = true;
  p.always_print_primitive_fields = opts.print_defaults;
  (void)google::protobuf::util::MessageToJsonString(m, &json, p);
  auto api = ApiJsonFromProtoJson(json, *m.GetDescriptor(), opts.pretty);
  if (api.ok()) return std::move(*api);
  return "{\"error\":{\"code\":\"API_JSON_INTERNAL\",\"message\":\"the node could not render its answer\"}}";
}

Result<std::string> ApiJsonFromProtoJson(std::string_view json, const Descriptor& type, bool pretty) {
  return Transform(Direction::kToApi, json, type, pretty);
}

Result<std::string> ProtoJsonFromApiJson(std::string_view json, const Descriptor& type) {
  return Transform(Direction::kFromApi, json, type, /*pretty=*/false);
}

Status ApiJsonToMessage(std::string_view json, google::protobuf::Message* msg, const std::string& what,
                        bool ignore_unknown_fields) {
  auto proto_json = ProtoJsonFromApiJson(json, *msg->GetDescriptor());
  if (!proto_json.ok()) {
    return Status::InvalidArgument("JSON_INVALID", what + " is not valid: " + std::string(proto_json.status().message()));
  }
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = ignore_unknown_fields;
  auto st = google::protobuf::util::JsonStringToMessage(*proto_json, msg, opts);
  if (!st.ok()) {
    return Status::InvalidArgument("JSON_INVALID", what + " is not valid: " + std::string(st.message()));
  }
  return Status::OK();
}

}  // namespace pledger::io
