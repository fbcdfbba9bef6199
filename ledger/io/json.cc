#include "ledger/io/json.h"

#include <google/protobuf/util/json_util.h>

#include "ledger/io/files.h"

namespace pledger::io {

Status ParseJson(const std::string& json, google::protobuf::Message* msg, const std::string& what) {
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(json, msg, opts);
  if (!st.ok()) {
    return Status::InvalidArgument("JSON_INVALID",
                                   what + " is not valid: " + std::string(st.message()));
  }
  return Status::OK();
}

Status ReadJsonFile(const std::string& path, google::protobuf::Message* msg) {
  PLEDGER_ASSIGN_OR_RETURN(std::string json, ReadFile(path));
  return ParseJson(json, msg, path);
}

std::string ToJson(const google::protobuf::Message& msg, bool pretty) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = pretty;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(msg, &out, opts);
  return out;
}

}  // namespace pledger::io
