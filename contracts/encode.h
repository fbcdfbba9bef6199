// Encoding of state records and receipts on the execution hot path.
//
// Every node must write byte-identical records and receipts (they feed the
// state root and the results root). ledger::SerializeCanonical gives that
// through protobuf's deterministic mode, whose only effect is on map fields
// and unknown fields. Contract records and receipts have neither (no `map<>`
// in their .proto files, and they are built by the engine, never parsed from
// a peer), so plain serialization is byte-identical to SerializeCanonical and
// about twice as fast: it sizes the message once and writes one buffer. A unit
// test (basics_test.cc) walks the message descriptors and fails if a map field
// ever appears, and compares both encodings on sample records.
//
// Pure, thread-safe.
#ifndef PLEDGER_CONTRACTS_ENCODE_H_
#define PLEDGER_CONTRACTS_ENCODE_H_

#include <string>

#include <google/protobuf/message.h>

namespace pledger::contracts {

inline std::string EncodeRecord(const google::protobuf::Message& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

}  // namespace pledger::contracts

#endif  // PLEDGER_CONTRACTS_ENCODE_H_
