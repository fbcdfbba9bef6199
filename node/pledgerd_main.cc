// pledgerd: a Pledger validator (or learner) node.
//
//   pledgerd --config nodes/node1/config.json
//
// Runs until SIGINT or SIGTERM, then shuts down cleanly (in-flight writes
// finish, the data directory lock is released). Exit codes: 0 after a clean
// stop, 2 for a usage or configuration error, 1 when the node cannot start,
// 3 when storage failed: a failed write of the Raft log or the ledger while
// running, or an I/O error opening them at start (e.g. a full disk:
// docs/operations.md). With
// --stay-up-on-failure it stays up after such a failure instead, answering
// /healthz 503 and /v1/status with the reason, until stopped.
// SIGHUP re-reads the node certificate (a renewal) without a restart.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "node/log.h"
#include "node/node.h"

int main(int argc, char** argv) {
  std::string config;
  bool stay_up_on_failure = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--stay-up-on-failure") {
      stay_up_on_failure = true;
    } else if ((a == "--config" || a == "-c") && i + 1 < argc) {
      config = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      config = a.substr(9);
    } else if (a == "--help" || a == "-h") {
      std::puts("usage: pledgerd --config FILE [--stay-up-on-failure]\n"
                "  FILE is a node configuration written by pledger-admin.\n"
                "  --stay-up-on-failure: after a storage failure, stay up for inspection instead of exiting 3.");
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
  // Sockets (API connections up to their cap, peers) and LevelDB's files
  // share one descriptor limit; the usual soft limit of 1,024 is below what
  // the caps add up to, so take the hard limit the system allows.
  if (rlimit rl{}; getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
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
    // A storage failure at start (a full disk, say) gets the running
    // fail-stop's code: a supervisor treats both alike (docs/operations.md).
    if (s.Is(pledger::StatusCode::kIOError)) return 3;
    return s.reason() == "CONFIG_INVALID" ? 2 : 1;
  }
  // Fail-stop (issue 17): the node stops taking part at the first failed
  // write on its own; this thread notices within 200 ms and exits.
  int sig = 0;
  for (;;) {
    timespec poll{0, 200'000'000};
    sig = sigtimedwait(&set, nullptr, &poll);
    if (sig == SIGHUP) {
      pledger::Status r = (*node)->ReloadCertificates();
      if (!r.ok()) PLOG(kError, "tls") << "SIGHUP: certificate not reloaded: " << r.ToString();
      continue;
    }
    if (sig > 0) break;
    if (stay_up_on_failure) continue;
    if (pledger::Status f = (*node)->Failure(); !f.ok()) {
      PLOG(kError, "node") << "exiting after a failure: " << f.ToString()
                           << ". Fix the cause (a full disk?), then restart: the node catches up from its peers";
      (*node)->Stop();
      std::fprintf(stderr, "pledgerd: stopped after a failure: %s\n", f.ToString().c_str());
      std::fflush(stderr);
      return 3;
    }
  }
  PLOG(kInfo, "node") << "received " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << "; shutting down";
  (*node)->Stop();
  return 0;
}
