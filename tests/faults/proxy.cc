#include "tests/faults/proxy.h"

#include <array>
#include <atomic>
#include <functional>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include <boost/asio.hpp>

namespace pledger::faults {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct Conn {
  explicit Conn(asio::io_context& io) : client(io), upstream(io) {}
  tcp::socket client;
  tcp::socket upstream;
  bool blackholed = false;  // dropping both directions: it lived through a cut
  bool closed = false;
  std::array<std::array<char, 64 * 1024>, 2> buf;
};

}  // namespace

struct PeerProxies::Impl {
  struct Link {
    int from = 0;
    int to = 0;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::set<std::shared_ptr<Conn>> conns;
  };

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::vector<std::uint16_t> targets;
  std::vector<Link> links;  // index from * n + to (the diagonal unused)
  std::vector<bool> node_cut;  // io thread only
  std::atomic<std::uint64_t> forwarded{0};
  std::thread thread;

  int n() const { return static_cast<int>(targets.size()); }
  Link& link(int from, int to) { return links[static_cast<size_t>(from * n() + to)]; }
  bool LinkCut(const Link& l) const { return node_cut[static_cast<size_t>(l.from)] || node_cut[static_cast<size_t>(l.to)]; }

  void Accept(Link& l) {
    l.acceptor->async_accept([this, &l](const boost::system::error_code& ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) Serve(l, std::move(s));
      Accept(l);
    });
  }

  void Serve(Link& l, tcp::socket s) {
    auto c = std::make_shared<Conn>(io);
    c->client = std::move(s);
    l.conns.insert(c);
    if (LinkCut(l)) {
      // Accepted but never forwarded: the dialer sees a peer that says nothing.
      c->blackholed = true;
      Read(l, c, 0);
      return;
    }
    c->upstream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), targets[static_cast<size_t>(l.to)]),
                              [this, &l, c](const boost::system::error_code& ec) {
                                if (ec || c->closed) return Close(l, c);
                                Read(l, c, 0);
                                Read(l, c, 1);
                              });
  }

  // dir 0: dialer to target; dir 1: back.
  void Read(Link& l, const std::shared_ptr<Conn>& c, int dir) {
    tcp::socket& from = dir == 0 ? c->client : c->upstream;
    from.async_read_some(asio::buffer(c->buf[static_cast<size_t>(dir)]),
                         [this, &l, c, dir](const boost::system::error_code& ec, size_t n) {
                           if (ec || c->closed) return Close(l, c);
                           if (c->blackholed) return Read(l, c, dir);  // dropped on the floor
                           tcp::socket& to = dir == 0 ? c->upstream : c->client;
                           asio::async_write(to, asio::buffer(c->buf[static_cast<size_t>(dir)].data(), n),
                                             [this, &l, c, dir, n](const boost::system::error_code& wec, size_t) {
                                               if (wec || c->closed) return Close(l, c);
                                               forwarded += n;
                                               Read(l, c, dir);
                                             });
                         });
  }

  void Close(Link& l, const std::shared_ptr<Conn>& c) {
    if (c->closed) return;
    c->closed = true;
    boost::system::error_code ignored;
    c->client.close(ignored);
    c->upstream.close(ignored);
    l.conns.erase(c);
  }

  // Runs `f` on the relaying thread and waits for it.
  void Run(std::function<void()> f) {
    std::promise<void> done;
    asio::post(io, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
};

PeerProxies::PeerProxies(const std::vector<std::uint16_t>& target_ports) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.targets = target_ports;
  m.node_cut.assign(target_ports.size(), false);
  m.links.resize(target_ports.size() * target_ports.size());
  for (int from = 0; from < m.n(); ++from) {
    for (int to = 0; to < m.n(); ++to) {
      if (from == to) continue;
      Impl::Link& l = m.link(from, to);
      l.from = from;
      l.to = to;
      l.acceptor = std::make_unique<tcp::acceptor>(m.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      m.Accept(l);
    }
  }
  m.thread = std::thread([&m] { m.io.run(); });
}

PeerProxies::~PeerProxies() {
  impl_->Run([&] {
    for (auto& l : impl_->links) {
      if (!l.acceptor) continue;
      boost::system::error_code ignored;
      l.acceptor->close(ignored);
      auto conns = l.conns;
      for (const auto& c : conns) impl_->Close(l, c);
    }
  });
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

std::string PeerProxies::Address(int from, int to) const {
  if (from == to || from < 0 || to < 0 || from >= impl_->n() || to >= impl_->n()) {
    throw std::invalid_argument("no proxy link from a node to itself or out of range");
  }
  return "127.0.0.1:" + std::to_string(impl_->link(from, to).acceptor->local_endpoint().port());
}

void PeerProxies::Cut(int k) {
  impl_->Run([&] {
    impl_->node_cut[static_cast<size_t>(k)] = true;
    for (auto& l : impl_->links) {
      if (l.from != k && l.to != k) continue;
      for (const auto& c : l.conns) c->blackholed = true;
    }
  });
}

void PeerProxies::Heal(int k) {
  impl_->Run([&] {
    impl_->node_cut[static_cast<size_t>(k)] = false;
    for (auto& l : impl_->links) {
      if (!l.acceptor || impl_->LinkCut(l)) continue;
      std::vector<std::shared_ptr<Conn>> through;
      for (const auto& c : l.conns) {
        if (c->blackholed) through.push_back(c);
      }
      for (const auto& c : through) impl_->Close(l, c);
    }
  });
}

std::uint64_t PeerProxies::BytesForwarded() const { return impl_->forwarded.load(); }

}  // namespace pledger::faults
