// pledgerd as a library: one validator (or learner) node of a Pledger
// consortium. node/pledgerd_main.cc wraps it; tests start real nodes through
// the binary (multi-process), not this class.
//
// Lifecycle: FromConfigFile validates and loads the configuration; Start opens
// the data directory (refusing another chain's or a locked one), initialises
// the chain from genesis on first start, bootstraps or joins Raft, and starts
// the peer listener, the HTTP API and the worker threads; Stop shuts all of
// it down cleanly (idempotent; also done by the destructor).
//
// Thread safety: Start and Stop from one thread; everything else inside runs
// on the node's own threads (node/node_impl.h).
#ifndef PLEDGER_NODE_NODE_H_
#define PLEDGER_NODE_NODE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "consensus/status.h"
#include "ledger/io/clock.h"
#include "ledger/io/proto/config.pb.h"

namespace pledger::node {

class NodeImpl;

// Parses a node configuration (JSON); errors name the field. `what` names
// the source in messages. Reason: CONFIG_INVALID.
Status ParseNodeConfig(const std::string& json, config::NodeConfig* out, const std::string& what);

class Node {
 public:
  // `clock` is where block times come from (ledger/io/clock.h); it must
  // outlive the node.
  static Result<std::unique_ptr<Node>> FromConfigFile(const std::string& path,
                                                      const io::Clock& clock = io::ProcessClock());
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  Status Start();
  void Stop();
  // The first failure that stopped the node taking part (a failed write of
  // the Raft log or the ledger); OK while it runs normally. Thread-safe.
  Status Failure() const;
  std::uint16_t api_port() const;
  std::uint16_t peer_port() const;
  // Re-reads the node certificate (tls_cert_file) after a renewal and serves
  // new peer and API connections with it; open connections keep theirs
  // (pledgerd calls it on SIGHUP). The certificate must name this node and
  // its key in force and be valid now. Reasons: CONFIG_INVALID,
  // CERT_EXPIRED, CERT_NOT_YET_VALID, TLS_CONFIG_INVALID; nothing changes then.
  Status ReloadCertificates();

 private:
  explicit Node(std::unique_ptr<NodeImpl> impl);
  std::unique_ptr<NodeImpl> impl_;
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_NODE_H_
