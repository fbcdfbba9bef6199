// ApiBackend: what the API's handlers may use of the node. Handlers see only
// this interface, never the node's fields; NodeImpl implements it, and unit
// tests implement it over a ledger of their own.
//
// Thread safety: every method may be called from the API thread and the work
// pool at once, except where noted.
#ifndef PLEDGER_NODE_API_BACKEND_H_
#define PLEDGER_NODE_API_BACKEND_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/ledger.h"
#include "ledger/io/proto/api.pb.h"
#include "ledger/proto/ledger.pb.h"
#include "node/auth/authenticator.h"
#include "node/api/waiters.h"

namespace pledger::node {

class ApiBackend {
 public:
  virtual ~ApiBackend() = default;

  // ---- reads ----
  // The node's ledger, for reads only (blocks, state snapshots, indexes).
  virtual ledger::Ledger& ledger() = 0;
  // The genesis file as the node runs it.
  virtual const std::string& genesis_file() const = 0;
  // Time of the last applied block ("now" for queries that depend on it).
  virtual std::uint64_t last_block_time_ms() const = 0;
  // The node's view of the next block's ledger time (pre-flight): its own
  // clock, never before the last block's time + 1.
  virtual std::uint64_t next_block_time_ms() const { return last_block_time_ms() + 1; }
  // The attestations of the block at `height` carried by later blocks.
  virtual Result<std::vector<ledger::Attestation>> BlockAttestations(std::uint64_t height) = 0;
  // Node ids of the validators that vote now.
  virtual std::set<std::string> VotingValidators() = 0;

  // ---- access (node/auth/, node/api/access.h) ----
  // Who sent `req`: its Authorization header checked against the chain's
  // accounts as of the last block. Verifies Ed25519: work pool only.
  // Reasons: the AUTH_ codes of node/auth/authenticator.h.
  virtual Result<AuthenticatedReader> Authenticate(const HttpRequest& req) = 0;
  // Authenticate's answer when it needs no signature verification (a token
  // already verified), for the API thread; nullopt: use Authenticate.
  virtual std::optional<Result<AuthenticatedReader>> AuthenticateCheap(const HttpRequest& req) = 0;
  // A bearer token for a reader authenticated by a signed request.
  virtual Result<api::TokenView> IssueToken(const AuthenticatedReader& reader) = 0;
  // Whether this node answers requests that carry no credentials (with the
  // public view); the node's `api_anonymous_reads` setting.
  virtual bool AnonymousReadsAllowed() const = 0;
  // The chain id (the realm of a 401's WWW-Authenticate).
  virtual const std::string& chain_id() const = 0;

  // ---- the node itself ----
  // OK while the node applies blocks; else the error that stopped it.
  virtual Status Health() = 0;
  virtual std::string StatusJson() = 0;
  virtual std::string MetricsText() = 0;

  // ---- transactions ----
  virtual bool InMempool(const ledger::Hash256& id) = 0;
  // Runs `job` on the work pool; false when the pool's queue is full.
  virtual bool RunOnWorkPool(std::function<void()> job) = 0;
  // Decodes, verifies and admits a client's transaction (sets *id as soon as
  // it is known). Work pool only: it verifies signatures.
  virtual Status AdmitFromClient(std::string raw, ledger::Hash256* id) = 0;
  // Registers a client waiting for `id`'s receipt; nullopt when too many wait.
  virtual std::optional<WaiterTable::Ticket> AddWaiter(const ledger::Hash256& id, Waiter waiter) = 0;
  // Withdraws one waiter; nullopt if the node already answered it.
  virtual std::optional<Waiter> RemoveWaiter(const WaiterTable::Ticket& ticket) = 0;
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_API_BACKEND_H_
