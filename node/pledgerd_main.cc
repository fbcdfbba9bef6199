// pledgerd: a Pledger validator (or learner) node.
//
//   pledgerd --config nodes/node1/config.json
//
// Runs until SIGINT or SIGTERM, then shuts down cleanly (in-flight writes
// finish, the data directory lock is released). Exit codes: 0 after a clean
// stop, 2 for a usage or configuration error, 1 when the node cannot start.
// SIGHUP re-reads the node certificate (a renewal) without a restart.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "node/log.h"
#include "node/node.h"

int main(int argc, char** argv) {
  std::string config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--config" || a == "-c") && i + 1 < argc) {
      config = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      config = a.substr(9);
    } else if (a == "--help" || a == "-h") {
      std::puts("usage: pledgerd --config FILE\n  FILE is a node configuration written by pledger-admin.");
      return 0;
    } else {
      std::fprintf(stderr, "pledgerd: unknown argument '%s' (usage: pledgerd --config FILE)\n", a.c_str());
      return 2;
    }
  }
  if (config.empty()) {
    std::fprintf(stderr, "pledgerd: missing --config FILE\n");
    return 2;
  }
  // Block the shutdown signals in every thread; this one waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // reload the node certificate (docs/operations.md)
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  pledger::node::InstallProtobufLogHandler();

  auto node = pledger::node::Node::FromConfigFile(config);
  if (!node.ok()) {
    std::fprintf(stderr, "pledgerd: %s\n", node.status().ToString().c_str());
    return 2;
  }
  pledger::Status s = (*node)->Start();
  if (!s.ok()) {
    std::fprintf(stderr, "pledgerd: cannot start: %s\n", s.ToString().c_str());
    (*node)->Stop();
    return s.reason() == "CONFIG_INVALID" ? 2 : 1;
  }
  int sig = 0;
  while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
    pledger::Status r = (*node)->ReloadCertificates();
    if (!r.ok()) PLOG(kError, "tls") << "SIGHUP: certificate not reloaded: " << r.ToString();
  }
  PLOG(kInfo, "node") << "received " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << "; shutting down";
  (*node)->Stop();
  return 0;
}
