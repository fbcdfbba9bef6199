#include "tools/wallet/secret.h"

#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tools/common/args.h"

namespace pledger::tools::wallet {

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}

Secret::~Secret() { Wipe(); }

void Secret::Wipe() {
  if (!value_.empty()) sodium_memzero(value_.data(), value_.size());
  value_.clear();
}

namespace {

// Reads a line into `out` (reserved up front so it never reallocates and
// leaves copies of the secret behind in freed memory).
Status ReadLine(int fd, std::string* out, bool* got_any) {
  out->reserve(kMaxPassphraseBytes + 1);
  *got_any = false;
  for (;;) {
    char c = 0;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::Unavailable("PASSPHRASE_UNAVAILABLE",
                                 std::string("cannot read the passphrase: ") + std::strerror(errno));
    }
    if (n == 0) break;
    *got_any = true;
    if (c == '\n') break;
    if (out->size() >= kMaxPassphraseBytes) {
      return Status::InvalidArgument("PASSPHRASE_TOO_LONG", "the passphrase is longer than 1024 bytes");
    }
    out->push_back(c);
  }
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return Status::OK();
}

// Terminal state to restore if a signal arrives while echo is off.
int g_tty_fd = -1;
struct termios g_saved_termios;
struct sigaction g_old_int, g_old_term, g_old_hup;

void RestoreAndReraise(int sig) {
  if (g_tty_fd >= 0) {
    ::tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
    (void)!::write(g_tty_fd, "\n", 1);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

Result<Secret> ReadPassphraseFromFd(int fd) {
  std::string line;
  bool got_any = false;
  Status s = ReadLine(fd, &line, &got_any);
  if (!s.ok()) {
    sodium_memzero(line.data(), line.size());
    return s;
  }
  if (!got_any) {
    return Status::Unavailable("PASSPHRASE_UNAVAILABLE",
                               "file descriptor " + std::to_string(fd) + " gave no passphrase (end of input)");
  }
  return Secret(std::move(line));
}

Result<Secret> PromptOnTty(const std::string& prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Unavailable("PASSPHRASE_UNAVAILABLE",
                               "no terminal to ask for the passphrase; give it with --passphrase-fd N or "
                               "--passphrase-env VAR");
  }
  struct termios old_t;
  bool echo_off = false;
  if (::tcgetattr(fd, &old_t) == 0) {
    g_saved_termios = old_t;
    g_tty_fd = fd;
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = RestoreAndReraise;
    ::sigaction(SIGINT, &sa, &g_old_int);
    ::sigaction(SIGTERM, &sa, &g_old_term);
    ::sigaction(SIGHUP, &sa, &g_old_hup);
    struct termios t = old_t;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    t.c_lflag |= ECHONL;
    echo_off = ::tcsetattr(fd, TCSAFLUSH, &t) == 0;
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  std::string line;
  bool got_any = false;
  Status s = ReadLine(fd, &line, &got_any);
  if (echo_off) {
    ::tcsetattr(fd, TCSAFLUSH, &old_t);
  }
  if (g_tty_fd == fd) {
    ::sigaction(SIGINT, &g_old_int, nullptr);
    ::sigaction(SIGTERM, &g_old_term, nullptr);
    ::sigaction(SIGHUP, &g_old_hup, nullptr);
    g_tty_fd = -1;
  }
  if (!echo_off) (void)!::write(fd, "\n", 1);
  ::close(fd);
  if (!s.ok()) {
    sodium_memzero(line.data(), line.size());
    return s;
  }
  return Secret(std::move(line));
}

Result<Secret> ReadPassphrase(const PassphraseSource& source, const std::string& flag_prefix,
                              const std::string& prompt, bool confirm, const SecretIo& io) {
  Secret secret;
  if (source.fd) {
    PLEDGER_ASSIGN_OR_RETURN(secret, ReadPassphraseFromFd(*source.fd));
  } else if (source.env_var) {
    auto value = io.getenv ? io.getenv(*source.env_var) : std::nullopt;
    if (!value) {
      return UsageError("--" + flag_prefix + "-env: environment variable " + *source.env_var + " is not set");
    }
    secret = Secret(std::move(*value));
  } else {
    if (!io.prompt) {
      return Status::Unavailable("PASSPHRASE_UNAVAILABLE",
                                 "no terminal to ask for the passphrase; give it with --" + flag_prefix +
                                     "-fd N or --" + flag_prefix + "-env VAR");
    }
    PLEDGER_ASSIGN_OR_RETURN(secret, io.prompt(prompt));
    if (confirm && !secret.empty()) {
      PLEDGER_ASSIGN_OR_RETURN(Secret again, io.prompt("Repeat it: "));
      if (again.view() != secret.view()) {
        return Status::InvalidArgument("PASSPHRASE_MISMATCH", "the two passphrases differ; nothing was changed");
      }
    }
  }
  if (secret.empty()) {
    return Status::InvalidArgument("PASSPHRASE_EMPTY", "the passphrase is empty; a key needs a passphrase");
  }
  return secret;
}

}  // namespace pledger::tools::wallet
