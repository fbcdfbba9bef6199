// The HTTP API's JSON (docs/api.md "JSON conventions", API version 2): the
// protobuf JSON mapping of the API views with three rewrites, made here and
// nowhere else, by field type and field-name convention:
//
//   - bytes fields: lower-case hex (the mapping says base64);
//   - dates (int32 days since 1970-01-01, China time; IsApiDateField):
//     ISO 8601 calendar dates, "2028-12-05";
//   - instants (uint64 ms since the Unix epoch; IsApiInstantField): RFC 3339
//     in China time with milliseconds, "2026-12-06T20:15:00.123+08:00".
//
// An unset date or instant (0) is left out of the object, as proto3 leaves
// out defaults; 1970-01-01 therefore has no representation, as in the
// contracts, where day 0 means "unset". A value outside years 0000-9999 (only
// a refused transaction's body can carry one) keeps the mapping's form: a
// date the JSON number of days, an instant the decimal string of ms.
//
// ApiJsonFromMessage renders answers (pledgerd); ApiJsonToMessage is its
// inverse for every client that parses answers back into the view protos
// (pledger-wallet, pledger-audit, pledger-bench, the integration tests). The
// inverse also accepts each field in the mapping's own form (numbers for
// dates, decimal strings for instants; not base64 for bytes, which would be
// ambiguous with hex).
//
// Date arithmetic is Howard Hinnant's civil_from_days / days_from_civil, the
// same integer algorithm as contracts/dates.cc (unit-tested against it).
// Pure functions: thread-safe.
#ifndef PLEDGER_LEDGER_IO_API_JSON_H_
#define PLEDGER_LEDGER_IO_API_JSON_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/status.h"

namespace pledger::io {

// The version of the API's JSON conventions, in GET /v1/status as
// "api_version". 1: the plain protobuf JSON mapping (day counts, ms numbers,
// base64 bytes). 2: this file's rewrites (docs/api.md "Changes").
inline constexpr std::uint32_t kApiVersion = 2;

// "YYYY-MM-DD" of a day count (days since 1970-01-01); nullopt outside years
// 0000-9999.
std::optional<std::string> IsoDate(std::int32_t days);
// The day count of "YYYY-MM-DD" (a real calendar day, years 0000-9999).
std::optional<std::int32_t> ParseIsoDate(std::string_view s);
// RFC 3339 of Unix ms in China time (+08:00), always with 3 fraction digits;
// nullopt for years after 9999.
std::optional<std::string> Rfc3339China(std::uint64_t ms);
// Unix ms of an RFC 3339 date-time with any offset ("Z", "+08:00", "-05:30"),
// 0 to 3 fraction digits, 'T' or 't' between date and time; nullopt before
// 1970-01-01T00:00:00Z or if malformed.
std::optional<std::uint64_t> ParseRfc3339(std::string_view s);

// Field classification (by type and name; the unit test walks every field
// reachable from the API's views so that a new field is classified):
//   date:    int32 (or repeated int32) named *_date, *_dates, date, holidays,
//            valid_until, grace_end, fee_paid_through, paid_through;
//   instant: uint64 named *_ms, except limits named *_max_ms (durations).
bool IsApiDateField(const google::protobuf::FieldDescriptor& f);
bool IsApiInstantField(const google::protobuf::FieldDescriptor& f);

// Options of the mapping underneath: print default values (full answers) or
// not (cut answers, docs/api.md "A cut answer says so").
struct ApiJsonOptions {
  bool print_defaults = true;
  bool pretty = false;  // indentation, for files and terminals
};

// `m` as API JSON. Never fails on protobuf's own output; should the rewrite
// fail (a bug), the result is the error object
// {"error":{"code":"API_JSON_INTERNAL",...}}.
std::string ApiJsonFromMessage(const google::protobuf::Message& m, const ApiJsonOptions& opts = {});

// Rewrites protobuf JSON of `type` into API JSON (ApiJsonFromMessage's second
// half, for callers that already hold the mapping's output).
Result<std::string> ApiJsonFromProtoJson(std::string_view json, const google::protobuf::Descriptor& type,
                                         bool pretty = false);
// Rewrites API JSON of `type` back into protobuf JSON (ApiJsonToMessage's
// first half). Members that are no field of `type` pass unchanged.
Result<std::string> ProtoJsonFromApiJson(std::string_view json, const google::protobuf::Descriptor& type);

// Parses API JSON into `msg`. Unknown fields are ignored when
// `ignore_unknown_fields` (a newer node may add fields). Reason on failure:
// JSON_INVALID, naming `what` and the field.
Status ApiJsonToMessage(std::string_view json, google::protobuf::Message* msg, const std::string& what,
                        bool ignore_unknown_fields = true);

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_API_JSON_H_
