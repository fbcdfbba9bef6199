// Protobuf <-> JSON for the tools' files and outputs (protobuf's JSON mapping,
// the one JSON format of the project).
#ifndef PLEDGER_LEDGER_IO_JSON_H_
#define PLEDGER_LEDGER_IO_JSON_H_

#include <google/protobuf/message.h>

#include <string>

#include "consensus/status.h"

namespace pledger::io {

// Strict parse: unknown fields are errors. Reason: JSON_INVALID, with the
// parser's message (which names the field) and `what` (e.g. the file name).
Status ParseJson(const std::string& json, google::protobuf::Message* msg, const std::string& what);
// Reads and parses a JSON file (size-limited).
Status ReadJsonFile(const std::string& path, google::protobuf::Message* msg);
// Pretty JSON with proto field names (snake_case), defaults included.
std::string ToJson(const google::protobuf::Message& msg, bool pretty = true);

}  // namespace pledger::io

#endif  // PLEDGER_LEDGER_IO_JSON_H_
