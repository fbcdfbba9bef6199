// PeerProxies: an in-process TCP proxy on every directed link between the
// nodes of a TestCluster, so a fault test can partition one node and heal it.
//
// Node i reaches node j through its own listener (127.0.0.1:port(i, j)), so
// cutting node k's links touches exactly the 2(N-1) listeners that have k at
// one end. A cut is a black hole, not a reset: bytes already in flight and
// bytes sent later are read and dropped, new connections are accepted and
// never forwarded, as when a cable is pulled. On heal the connections that
// lived through the cut are closed (their TLS streams lost bytes and cannot
// resume) and new ones are forwarded again.
//
// Thread safety: every method may be called from any thread; the relaying
// runs on one internal thread.
#ifndef PLEDGER_TESTS_FAULTS_PROXY_H_
#define PLEDGER_TESTS_FAULTS_PROXY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pledger::faults {

class PeerProxies {
 public:
  // One listener per directed pair (from, to) of `target_ports.size()` nodes,
  // forwarding to 127.0.0.1:target_ports[to].
  explicit PeerProxies(const std::vector<std::uint16_t>& target_ports);
  ~PeerProxies();
  PeerProxies(const PeerProxies&) = delete;
  PeerProxies& operator=(const PeerProxies&) = delete;

  // "127.0.0.1:<port>" that node `from` must dial to reach node `to`.
  std::string Address(int from, int to) const;
  // Black-holes every link to and from node k; returns once in force.
  void Cut(int k);
  // Forwards node k's links again (those whose other end is not cut).
  void Heal(int k);
  // Bytes forwarded so far, all links together (to show the proxy carried
  // the cluster's traffic).
  std::uint64_t BytesForwarded() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pledger::faults

#endif  // PLEDGER_TESTS_FAULTS_PROXY_H_
