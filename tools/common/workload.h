// Workload: realistic signed transactions for pledger-bench and the
// integration tests: patent registrations (an IP office signs), valuations
// (an appraiser signs) and pledge registrations (bank, owner and IP office
// sign), with dates relative to today so the contracts accept them.
//
// Not thread-safe: one Workload per client thread (give each its own
// `client` number so patent numbers never collide).
#ifndef PLEDGER_TOOLS_COMMON_WORKLOAD_H_
#define PLEDGER_TOOLS_COMMON_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <string>

#include "ledger/bytes.h"
#include "ledger/crypto.h"

namespace pledger::tools {

struct WorkloadParties {
  std::string chain_id;
  std::shared_ptr<const ledger::SecretKey> ip_office;
  std::shared_ptr<const ledger::SecretKey> bank;
  std::shared_ptr<const ledger::SecretKey> owner;
  std::shared_ptr<const ledger::SecretKey> appraiser;
  std::string bank_org;
  std::string owner_org;
};

struct WorkloadTx {
  std::string raw;         // serialized, signed Transaction
  ledger::Hash256 id{};
  std::string object_id;   // for valuations and pledges: the id the contracts give them
  std::string patent_no;   // the patent it concerns
  // The party that submits it (the IP office registers, the appraiser
  // values, the bank files the pledge): whose key signs the HTTP request.
  std::shared_ptr<const ledger::SecretKey> submitter;
};

class Workload {
 public:
  // `run` and `client` make patent numbers unique per run and client.
  Workload(WorkloadParties parties, std::uint32_t run, std::uint32_t client);

  WorkloadTx PatentRegister(std::uint64_t expiry_height);
  WorkloadTx Valuation(const std::string& patent_no, std::uint64_t expiry_height);
  WorkloadTx Pledge(const std::string& patent_no, const std::string& valuation_id,
                    std::uint64_t expiry_height);

  // Today in the contracts' calendar (days since 1970-01-01, China Standard Time).
  static std::int32_t Today();
  // A valid patent number (R25 check digit) for year/type/serial.
  static std::string PatentNumber(int year, int type, std::uint32_t serial);

 private:
  WorkloadTx Sign(const std::string& body_bytes, std::initializer_list<const ledger::SecretKey*> keys);
  WorkloadParties p_;
  std::uint32_t run_;
  std::uint32_t client_;
  std::uint32_t next_;
  std::uint64_t nonce_;
};

}  // namespace pledger::tools

#endif  // PLEDGER_TOOLS_COMMON_WORKLOAD_H_
