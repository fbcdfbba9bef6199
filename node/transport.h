// PeerTransport: the validators' mutual-TLS mesh.
//
// Every node listens for peers and dials every peer it knows. A connection
// carries frames in one direction only: a node sends on the connection it
// dialled and receives on the ones it accepted. That keeps each side's state
// simple (no duplicate-connection tie-breaking) and makes a half-dead peer
// cost only its own queue.
//
// Security: TLS 1.3 only; both sides present certificates and prove they hold
// the key (TLS CertificateVerify). Which certificates to trust is not a fixed
// CA file but the ledger's: the handshake accepts any chain, and the
// Authorizer then decides on the peer's whole certificate chain — its node id
// (certificate CN) and Ed25519 key must be admitted on chain, and the chain
// must lead to a trust root of that node's organisation in force now
// (node.cc Authorize). So a governance change of roots or members takes
// effect without restarting anything. A dialled peer must also be the node
// id we meant to reach.
//
// Certificate reload: ReloadCertificate swaps the certificate and key used
// for new connections (a renewal, or a key rotation); open connections keep
// theirs until they close.
//
// Framing: 4-byte big-endian length, then that many bytes (a serialized
// node PeerMessage). Frames above max_frame_bytes close the connection.
//
// Bounds: each outbound peer has a queue of at most max_queue_frames frames /
// max_queue_bytes bytes; Send() returns false when it is full (Raft tolerates
// lost messages; the caller counts drops). Handshakes and reads time out;
// reconnects back off exponentially.
//
// Threading: all socket work runs on the io_context passed in, which must be
// run by exactly one thread (handlers then never run concurrently). Send,
// SetPeers, Revalidate, Stats and Stop may be called from any thread.
#ifndef PLEDGER_NODE_TRANSPORT_H_
#define PLEDGER_NODE_TRANSPORT_H_

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "consensus/status.h"
#include "ledger/crypto.h"
#include "node/limits.h"

namespace pledger::node {

struct TransportOptions {
  std::string node_id;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;  // 0 = pick a free port (tests)
  std::string cert_file;
  std::string key_file;
  // Defaults and their reasons: node/limits.h.
  size_t max_frame_bytes = limits::kPeerFrameBytesMax;
  size_t max_queue_frames = limits::kPeerQueueFramesMax;
  size_t max_queue_bytes = limits::kPeerQueueBytesMax;
  std::chrono::milliseconds handshake_timeout{limits::kPeerHandshakeTimeoutMs};
  // Silence this long on an inbound connection means the peer is gone. Raft
  // heartbeats flow only from the leader, so an outbound connection with
  // nothing to send writes an empty keepalive frame every idle_timeout / 3:
  // followers keep their links to each other up for the next election
  // instead of redialling (a TLS handshake) every idle_timeout.
  std::chrono::milliseconds idle_timeout{limits::kPeerIdleTimeoutMs};
  std::chrono::milliseconds write_timeout{limits::kPeerWriteTimeoutMs};
  std::chrono::milliseconds reconnect_min{limits::kPeerReconnectMinMs};
  std::chrono::milliseconds reconnect_max{limits::kPeerReconnectMaxMs};
};

struct PeerAddress {
  std::string host;
  std::uint16_t port = 0;
};

struct PeerStats {
  bool connected = false;      // our outbound connection is up
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_dropped = 0;  // queue full or peer unknown
  std::uint64_t frames_received = 0;
  std::uint64_t connects = 0;  // outbound connections established; more than 1 = it redialled
  size_t queued_frames = 0;
  // End of validity of the certificate the peer presented when we last
  // connected to it (Unix seconds; 0 before the first connection).
  std::int64_t cert_not_after_s = 0;
};

// What a peer presented in its handshake.
struct PeerCertificate {
  std::string node_id;                 // leaf subject CN
  ledger::PublicKey key{};             // leaf Ed25519 key (proved by the handshake)
  std::int64_t not_after_s = 0;        // leaf end of validity
  std::vector<std::string> chain_der;  // leaf first, then what the peer sent with it
};

class PeerTransport {
 public:
  using FrameHandler = std::function<void(const std::string& from_node, std::string frame)>;
  // OK if the peer may talk to us now; otherwise the refusal, for the log.
  // Called on the transport's thread, at every handshake and Revalidate.
  using Authorizer = std::function<Status(const PeerCertificate& peer)>;

  PeerTransport(boost::asio::io_context& io, TransportOptions options, FrameHandler on_frame,
                Authorizer authorize);
  ~PeerTransport();
  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;

  // Loads the TLS material and starts listening. Reasons: TLS_CONFIG_INVALID,
  // LISTEN_FAILED.
  Status Start();
  std::uint16_t port() const;

  // The peers to dial (not including ourselves). Peers no longer listed are
  // disconnected; new ones are dialled.
  void SetPeers(const std::map<std::string, PeerAddress>& peers);
  // Queues a frame for `to`. False if the peer is unknown, its queue is full,
  // or the frame is empty or over max_frame_bytes.
  bool Send(const std::string& to, std::string frame);
  // Re-runs the Authorizer over every open connection and closes the refused
  // (after a membership or trust-root change).
  void Revalidate();
  // Loads a new certificate chain and key for new connections; open ones keep
  // theirs. Reason: TLS_CONFIG_INVALID (nothing changes then).
  Status ReloadCertificate(const std::string& cert_file, const std::string& key_file);
  std::map<std::string, PeerStats> Stats() const;
  // Closes everything; handlers stop being called. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace pledger::node

#endif  // PLEDGER_NODE_TRANSPORT_H_
