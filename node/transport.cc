#include "node/transport.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <deque>
#include <list>
#include <mutex>

#include "ledger/io/pki.h"
#include "node/limits.h"
#include "node/log.h"

namespace pledger::node {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using SslStream = ssl::stream<tcp::socket>;

constexpr size_t kMaxInbound = limits::kPeerInboundMax;
// Queued frames written together (see `current` below).
constexpr size_t kCoalesceBytes = 256u << 10;

// Trust is decided after the handshake on the whole chain (the Authorizer:
// the ledger's roots for the peer's organisation), so OpenSSL's own chain
// check is replaced by one that accepts any certificate. The handshake still
// proves the peer holds the certificate's key (TLS 1.3 CertificateVerify is
// checked regardless), and a peer must present one (verify_fail_if_no_peer_cert).
int AcceptAnyChain(X509_STORE_CTX*, void*) { return 1; }

Result<std::shared_ptr<ssl::context>> MakeContext(ssl::context::method method, const std::string& cert_file,
                                                  const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(method);
  error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::no_tlsv1_2,
                   ec);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_3_VERSION);
  if (!ec) ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return Status::InvalidArgument("TLS_CONFIG_INVALID",
                                   "cannot load node certificate " + cert_file + ": " + ec.message());
  }
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument("TLS_CONFIG_INVALID",
                                   "cannot load node key " + key_file + ": " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Status::InvalidArgument("TLS_CONFIG_INVALID",
                                   "the node key " + key_file + " is not the key of certificate " + cert_file);
  }
  SSL_CTX_set_cert_verify_callback(ctx->native_handle(), AcceptAnyChain, nullptr);
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  return ctx;
}

std::string Der(X509* cert) {
  unsigned char* buf = nullptr;
  int n = i2d_X509(cert, &buf);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

Result<PeerCertificate> PeerCert(SslStream& s) {
  X509* leaf = SSL_get0_peer_certificate(s.native_handle());
  if (leaf == nullptr) return Status::InvalidArgument("CERT_INVALID", "the peer presented no certificate");
  PLEDGER_ASSIGN_OR_RETURN(io::CertIdentity id, io::IdentityFromX509(leaf));
  PeerCertificate pc;
  pc.node_id = id.node_id;
  pc.key = id.key;
  pc.not_after_s = id.not_after_s;
  pc.chain_der.push_back(Der(leaf));
  // A client's chain as the server sees it lacks the leaf; a server's, as the
  // client sees it, starts with it. Either way: leaf first, once.
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(s.native_handle()); chain != nullptr) {
    for (int i = 0; i < sk_X509_num(chain) && pc.chain_der.size() < 8; ++i) {
      X509* c = sk_X509_value(chain, i);
      if (X509_cmp(c, leaf) == 0) continue;
      pc.chain_der.push_back(Der(c));
    }
  }
  return pc;
}

}  // namespace

struct PeerTransport::Impl : std::enable_shared_from_this<PeerTransport::Impl> {
  struct Inbound;
  struct Outbound;

  Impl(asio::io_context& io_, TransportOptions o, FrameHandler f, Authorizer a)
      : io(io_), opt(std::move(o)), on_frame(std::move(f)), authorize(std::move(a)), acceptor(io_) {}

  asio::io_context& io;
  TransportOptions opt;
  FrameHandler on_frame;
  Authorizer authorize;
  // Replaced whole by ReloadCertificate (on the io thread); a connection holds
  // the context it was made with.
  std::shared_ptr<ssl::context> server_ctx;
  std::shared_ptr<ssl::context> client_ctx;
  tcp::acceptor acceptor;
  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> stopped{false};

  mutable std::mutex mu;  // guards outbound and received
  std::map<std::string, std::shared_ptr<Outbound>> outbound;
  std::map<std::string, std::uint64_t> received;
  std::list<std::weak_ptr<Inbound>> inbound;  // io thread only

  void Accept();
  void Count(const std::string& from) {
    std::lock_guard<std::mutex> lock(mu);
    ++received[from];
  }
};

// ---- inbound: accept, authenticate, read frames --------------------------------

struct PeerTransport::Impl::Inbound : std::enable_shared_from_this<Inbound> {
  Inbound(std::shared_ptr<Impl> impl_, tcp::socket socket)
      : impl(std::move(impl_)), ctx(impl->server_ctx), stream(std::move(socket), *ctx), timer(impl->io) {}

  std::shared_ptr<Impl> impl;
  std::shared_ptr<ssl::context> ctx;
  SslStream stream;
  asio::steady_timer timer;
  std::string peer_id;
  PeerCertificate cert;
  std::array<unsigned char, 4> header{};
  std::string body;
  bool closed = false;

  void Arm(std::chrono::milliseconds d) {
    timer.expires_after(d);
    timer.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->Close("timeout");
    });
  }

  void Close(std::string_view why) {
    if (closed) return;
    closed = true;
    if (!peer_id.empty()) PLOG(kDebug, "peer") << "inbound from " << peer_id << " closed: " << why;
    timer.cancel();
    error_code ec;
    stream.lowest_layer().close(ec);
  }

  void Start() {
    Arm(impl->opt.handshake_timeout);
    stream.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
      self->OnHandshake(ec);
    });
  }

  void OnHandshake(error_code ec) {
    if (ec) {
      std::string remote = "?";
      error_code rec;
      auto ep = stream.lowest_layer().remote_endpoint(rec);
      if (!rec) remote = ep.address().to_string();
      PLOG(kWarn, "peer") << "refused inbound connection from " << remote
                          << ": TLS handshake failed (" << ec.message() << ")";
      return Close("handshake");
    }
    auto pc = PeerCert(stream);
    Status allowed = pc.ok() ? impl->authorize(*pc) : pc.status();
    if (!allowed.ok()) {
      PLOG(kWarn, "peer") << "refused inbound peer " << (pc.ok() ? "'" + pc->node_id + "'" : std::string("?"))
                          << ": " << allowed.ToString();
      return Close("unauthorised");
    }
    peer_id = pc->node_id;
    cert = std::move(*pc);
    PLOG(kDebug, "peer") << "inbound connection from " << peer_id;
    ReadHeader();
  }

  void ReadHeader() {
    Arm(impl->opt.idle_timeout);
    asio::async_read(stream, asio::buffer(header),
                     [self = shared_from_this()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(error_code ec) {
    if (ec) return Close(ec.message());
    std::uint32_t len = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                        (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
    if (len == 0) return ReadHeader();  // a keepalive: nothing to hand on
    if (len > impl->opt.max_frame_bytes) {
      PLOG(kWarn, "peer") << "peer " << peer_id << " sent a " << len
                          << "-byte frame over the limit; closing";
      return Close("frame too large");
    }
    body.assign(len, '\0');
    asio::async_read(stream, asio::buffer(body),
                     [self = shared_from_this()](error_code e, size_t) { self->OnBody(e); });
  }

  void OnBody(error_code ec) {
    if (ec) return Close(ec.message());
    if (impl->stopped) return Close("stopped");
    impl->Count(peer_id);
    impl->on_frame(peer_id, std::move(body));
    body.clear();
    ReadHeader();
  }
};

// ---- outbound: dial, authenticate, write frames -------------------------------

struct PeerTransport::Impl::Outbound : std::enable_shared_from_this<Outbound> {
  Outbound(std::shared_ptr<Impl> impl_, std::string id, PeerAddress a)
      : impl(std::move(impl_)), node_id(std::move(id)), addr(std::move(a)), resolver(impl->io),
        timer(impl->io), retry(impl->io), keepalive(impl->io), backoff(impl->opt.reconnect_min) {}

  std::shared_ptr<Impl> impl;
  std::string node_id;
  PeerAddress addr;
  tcp::resolver resolver;
  asio::steady_timer timer;  // timeout of the operation in progress
  asio::steady_timer retry;
  asio::steady_timer keepalive;  // armed while connected with nothing to write
  std::unique_ptr<SslStream> stream;
  std::shared_ptr<ssl::context> ctx;  // the one `stream` was made with
  std::chrono::milliseconds backoff;
  std::chrono::steady_clock::time_point connected_at;  // of the link that is up
  std::uint64_t generation = 0;  // bumps on every (re)connect; stale handlers check it
  bool connected = false;        // io thread
  bool writing = false;          // io thread
  bool closed = false;           // io thread
  PeerCertificate cert;  // what the peer presented at the last handshake
  std::array<char, 1> probe{};
  // What is being written: every frame queued when the write started, each
  // behind its 4-byte length, in one buffer. One buffer, because the TLS
  // stream turns each buffer of a write into its own record and send(2): a
  // frame and its header written apart cost two of each, and under load
  // there are thousands of small frames a second (issue 20's profile: 47 µs
  // of socket calls per transaction on peer-io).
  std::string current;
  size_t current_frames = 0;  // non-empty frames in `current` (keepalives are not frames)

  // Queue: shared with Send() callers on other threads.
  std::mutex qmu;
  std::deque<std::string> queue;
  size_t queued_bytes = 0;
  std::atomic<std::uint64_t> sent{0}, dropped{0}, connects{0};
  std::atomic<bool> up{false};
  std::atomic<std::int64_t> cert_not_after_s{0};  // of the peer's certificate, last handshake

  bool Enqueue(std::string frame) {
    std::lock_guard<std::mutex> lock(qmu);
    if (queue.size() >= impl->opt.max_queue_frames ||
        queued_bytes + frame.size() > impl->opt.max_queue_bytes) {
      ++dropped;
      return false;
    }
    queued_bytes += frame.size();
    queue.push_back(std::move(frame));
    return true;
  }

  void Arm(std::chrono::milliseconds d, std::uint64_t gen) {
    timer.expires_after(d);
    timer.async_wait([self = shared_from_this(), gen](error_code ec) {
      if (!ec && gen == self->generation) self->Fail("timeout");
    });
  }

  void Connect() {
    if (closed || impl->stopped) return;
    std::uint64_t gen = ++generation;
    stream = std::make_unique<SslStream>(impl->io, *impl->client_ctx);
    ctx = impl->client_ctx;
    Arm(impl->opt.handshake_timeout, gen);
    resolver.async_resolve(addr.host, std::to_string(addr.port),
                           [self = shared_from_this(), gen](error_code ec,
                                                            tcp::resolver::results_type results) {
                             if (gen != self->generation) return;
                             if (ec) return self->Fail("resolve: " + ec.message());
                             asio::async_connect(self->stream->lowest_layer(), results,
                                                 [self, gen](error_code e, const tcp::endpoint&) {
                                                   self->OnConnect(e, gen);
                                                 });
                           });
  }

  void OnConnect(error_code ec, std::uint64_t gen) {
    if (gen != generation) return;
    if (ec) return Fail("connect: " + ec.message());
    error_code nd;
    stream->lowest_layer().set_option(tcp::no_delay(true), nd);
    stream->async_handshake(ssl::stream_base::client,
                            [self = shared_from_this(), gen](error_code e) { self->OnHandshake(e, gen); });
  }

  void OnHandshake(error_code ec, std::uint64_t gen) {
    if (gen != generation) return;
    if (ec) return Fail("TLS handshake: " + ec.message());
    auto pc = PeerCert(*stream);
    if (!pc.ok()) return Fail(pc.status().ToString());
    if (pc->node_id != node_id) {
      return Fail("certificate names node '" + pc->node_id + "', expected '" + node_id + "'");
    }
    if (Status allowed = impl->authorize(*pc); !allowed.ok()) {
      // Worth a warning, unlike an unreachable peer: it answers with a
      // certificate this node does not trust.
      PLOG(kWarn, "peer") << "refused peer " << node_id << ": " << allowed.ToString();
      return Fail(allowed.ToString());
    }
    cert_not_after_s = pc->not_after_s;
    cert = std::move(*pc);
    timer.cancel();
    connected = true;
    up = true;
    connected_at = std::chrono::steady_clock::now();
    ++connects;
    PLOG(kInfo, "peer") << "connected to " << node_id << " at " << addr.host << ":" << addr.port;
    // The peer never writes on this connection; a read completes only when it closes.
    asio::async_read(*stream, asio::buffer(probe), [self = shared_from_this(), gen](error_code, size_t) {
      if (gen == self->generation) self->Fail("closed by peer");
    });
    DoWrite();
  }

  void DoWrite() {
    if (!connected || writing || closed) return;
    {
      std::lock_guard<std::mutex> lock(qmu);
      if (queue.empty()) {
        ArmKeepalive();
        return;
      }
      current.clear();
      current_frames = 0;
      // At least one frame; more while they fit kCoalesceBytes, so a large
      // frame is not copied behind many others and a write's time stays
      // bounded by the write timeout's assumptions.
      while (!queue.empty() && (current.empty() || current.size() + 4 + queue.front().size() <= kCoalesceBytes)) {
        const std::string& f = queue.front();
        const std::uint32_t len = static_cast<std::uint32_t>(f.size());
        const char h[4] = {static_cast<char>(len >> 24), static_cast<char>(len >> 16), static_cast<char>(len >> 8),
                           static_cast<char>(len)};
        current.append(h, 4);
        current.append(f);
        if (!f.empty()) ++current_frames;
        queued_bytes -= f.size();
        queue.pop_front();
      }
    }
    writing = true;
    std::uint64_t gen = generation;
    Arm(impl->opt.write_timeout, gen);
    asio::async_write(*stream, asio::buffer(current), [self = shared_from_this(), gen](error_code ec, size_t) {
      if (gen != self->generation) return;
      self->writing = false;
      self->timer.cancel();
      if (ec) return self->Fail("write: " + ec.message());
      self->sent += self->current_frames;
      self->current.clear();
      self->current_frames = 0;
      self->DoWrite();
    });
  }

  // Re-arming cancels the previous wait, so the frame goes out only after a
  // full period without writes. An empty frame bypasses the queue's limits:
  // it is sent only when the queue is empty.
  void ArmKeepalive() {
    std::uint64_t gen = generation;
    keepalive.expires_after(impl->opt.idle_timeout / 3);
    keepalive.async_wait([self = shared_from_this(), gen](error_code ec) {
      if (ec || gen != self->generation || !self->connected || self->writing || self->closed) return;
      {
        std::lock_guard<std::mutex> lock(self->qmu);
        if (self->queue.empty()) self->queue.emplace_back();
      }
      self->DoWrite();
    });
  }

  void Fail(const std::string& why) {
    if (closed) return;
    if (connected) {
      PLOG(kWarn, "peer") << "lost connection to " << node_id << ": " << why;
      if (std::chrono::steady_clock::now() - connected_at >= std::chrono::milliseconds(limits::kPeerStableLinkMs)) {
        backoff = impl->opt.reconnect_min;
      }
    } else {
      PLOG(kDebug, "peer") << "cannot reach " << node_id << ": " << why;
    }
    ++generation;
    connected = false;
    up = false;
    writing = false;
    timer.cancel();
    keepalive.cancel();
    if (stream) {
      error_code ec;
      stream->lowest_layer().close(ec);
    }
    retry.expires_after(backoff);
    backoff = std::min(backoff * 2, impl->opt.reconnect_max);
    retry.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->Connect();
    });
  }

  void Close() {
    closed = true;
    ++generation;
    connected = false;
    up = false;
    timer.cancel();
    retry.cancel();
    keepalive.cancel();
    resolver.cancel();
    if (stream) {
      error_code ec;
      stream->lowest_layer().close(ec);
    }
  }
};

void PeerTransport::Impl::Accept() {
  acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) {
      self->inbound.remove_if([](const std::weak_ptr<Inbound>& w) { return w.expired(); });
      if (self->inbound.size() >= kMaxInbound) {
        PLOG(kWarn, "peer") << "too many inbound connections; refusing one";
        error_code ignored;
        socket.close(ignored);
      } else {
        auto session = std::make_shared<Inbound>(self, std::move(socket));
        self->inbound.push_back(session);
        session->Start();
      }
    }
    self->Accept();
  });
}

PeerTransport::PeerTransport(asio::io_context& io, TransportOptions options, FrameHandler on_frame,
                             Authorizer authorize)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(on_frame), std::move(authorize))) {}

PeerTransport::~PeerTransport() { Stop(); }

Status PeerTransport::Start() {
  PLEDGER_ASSIGN_OR_RETURN(impl_->server_ctx, MakeContext(ssl::context::tls_server, impl_->opt.cert_file, impl_->opt.key_file));
  PLEDGER_ASSIGN_OR_RETURN(impl_->client_ctx, MakeContext(ssl::context::tls_client, impl_->opt.cert_file, impl_->opt.key_file));
  error_code ec;
  auto addr = asio::ip::make_address(impl_->opt.listen_host, ec);
  if (ec) {
    return Status::InvalidArgument("LISTEN_FAILED", "peer listen host '" + impl_->opt.listen_host +
                                                        "' is not an IP address");
  }
  tcp::endpoint ep(addr, impl_->opt.listen_port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("LISTEN_FAILED", "cannot listen for peers on " +
                                                    impl_->opt.listen_host + ":" +
                                                    std::to_string(impl_->opt.listen_port) + ": " +
                                                    ec.message());
  }
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::post(impl_->io, [impl = impl_] { impl->Accept(); });
  return Status::OK();
}

std::uint16_t PeerTransport::port() const { return impl_->port; }

void PeerTransport::SetPeers(const std::map<std::string, PeerAddress>& peers) {
  std::vector<std::shared_ptr<Impl::Outbound>> to_close, to_start;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto it = impl_->outbound.begin(); it != impl_->outbound.end();) {
      auto want = peers.find(it->first);
      if (want == peers.end() || want->second.host != it->second->addr.host ||
          want->second.port != it->second->addr.port) {
        to_close.push_back(it->second);
        it = impl_->outbound.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [id, addr] : peers) {
      if (id == impl_->opt.node_id || impl_->outbound.count(id)) continue;
      auto o = std::make_shared<Impl::Outbound>(impl_, id, addr);
      impl_->outbound[id] = o;
      to_start.push_back(o);
    }
  }
  asio::post(impl_->io, [to_close, to_start] {
    for (auto& o : to_close) o->Close();
    for (auto& o : to_start) o->Connect();
  });
}

bool PeerTransport::Send(const std::string& to, std::string frame) {
  std::shared_ptr<Impl::Outbound> o;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->outbound.find(to);
    if (it == impl_->outbound.end() || impl_->stopped) return false;
    o = it->second;
  }
  if (frame.empty() || frame.size() > impl_->opt.max_frame_bytes) {  // empty = keepalive on the wire
    ++o->dropped;
    return false;
  }
  if (!o->Enqueue(std::move(frame))) return false;
  asio::post(impl_->io, [o] { o->DoWrite(); });
  return true;
}

void PeerTransport::Revalidate() {
  asio::post(impl_->io, [impl = impl_] {
    for (auto& w : impl->inbound) {
      if (auto s = w.lock(); s && !s->peer_id.empty() && !s->closed) {
        if (Status allowed = impl->authorize(s->cert); !allowed.ok()) {
          PLOG(kInfo, "peer") << "closing connection from " << s->peer_id << ": " << allowed.ToString();
          s->Close("revoked");
        }
      }
    }
    std::vector<std::pair<std::shared_ptr<Impl::Outbound>, std::string>> cut;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      for (auto& [id, o] : impl->outbound) {
        if (!o->connected) continue;
        if (Status allowed = impl->authorize(o->cert); !allowed.ok()) cut.emplace_back(o, allowed.ToString());
      }
    }
    for (auto& [o, why] : cut) o->Fail("no longer trusted: " + why);
  });
}

Status PeerTransport::ReloadCertificate(const std::string& cert_file, const std::string& key_file) {
  // Built here, so a bad file changes nothing; swapped on the io thread,
  // which is the only one that reads the pointers.
  PLEDGER_ASSIGN_OR_RETURN(auto server, MakeContext(ssl::context::tls_server, cert_file, key_file));
  PLEDGER_ASSIGN_OR_RETURN(auto client, MakeContext(ssl::context::tls_client, cert_file, key_file));
  asio::post(impl_->io, [impl = impl_, server, client] {
    impl->server_ctx = server;
    impl->client_ctx = client;
  });
  return Status::OK();
}

std::map<std::string, PeerStats> PeerTransport::Stats() const {
  std::map<std::string, PeerStats> out;
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const auto& [id, o] : impl_->outbound) {
    PeerStats& s = out[id];
    s.connected = o->up;
    s.frames_sent = o->sent;
    s.frames_dropped = o->dropped;
    s.connects = o->connects;
    s.cert_not_after_s = o->cert_not_after_s;
    std::lock_guard<std::mutex> ql(o->qmu);
    s.queued_frames = o->queue.size();
  }
  for (const auto& [id, n] : impl_->received) out[id].frames_received = n;
  return out;
}

void PeerTransport::Stop() {
  if (impl_->stopped.exchange(true)) return;
  std::vector<std::shared_ptr<Impl::Outbound>> all;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& [id, o] : impl_->outbound) all.push_back(o);
    impl_->outbound.clear();
  }
  asio::post(impl_->io, [impl = impl_, all] {
    error_code ec;
    impl->acceptor.close(ec);
    for (auto& o : all) o->Close();
    for (auto& w : impl->inbound) {
      if (auto s = w.lock()) s->Close("stopped");
    }
  });
}

}  // namespace pledger::node
