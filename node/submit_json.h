// The JSON answer to a waiting client (POST /v1/txs?wait): the one API
// response built once per transaction, so it has its own encoder.
//
// The API's JSON printer (ledger/io/api_json.h, over protobuf's) serialises the message to binary
// and walks it again through its type resolver; for this small message that
// was 3-7 % of a node's CPU under load (docs/performance.md, "Node"). The
// encoder here writes the same bytes directly. It handles the shape
// CommittedAnswer (node/api/waiters.h) builds and strings of printable ASCII
// and valid UTF-8; for anything else (another field set, a control character,
// invalid UTF-8, U+2028/U+2029) it falls back to the generic printer, so its
// output is always exactly io::ApiJsonFromMessage(response).
//
// Stateless and thread-safe.
#ifndef PLEDGER_NODE_SUBMIT_JSON_H_
#define PLEDGER_NODE_SUBMIT_JSON_H_

#include <string>

#include "ledger/io/proto/api.pb.h"

namespace pledger::node {

std::string SubmitResponseJson(const api::SubmitResponse& response);

// The fast encoder alone: false (and *out unspecified) where it would fall
// back. For tests.
bool FastSubmitResponseJson(const api::SubmitResponse& response, std::string* out);

}  // namespace pledger::node

#endif  // PLEDGER_NODE_SUBMIT_JSON_H_
