// Logging for pledgerd: one line per event, to stderr,
//   2026-11-27T10:00:00.123Z INFO  raft: became leader term=3
// with a level filter. Thread-safe (one mutex around the write).
//
// Never log secrets: no private key, seed or passphrase may reach a log line.
// Functions that handle keys take care not to pass them here; callers must
// not format key material into messages.
#ifndef PLEDGER_NODE_LOG_H_
#define PLEDGER_NODE_LOG_H_

#include <sstream>
#include <string>
#include <string_view>

#include "consensus/status.h"

namespace pledger::node {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug", "info", "warn", "error". Reason: LOG_LEVEL_INVALID.
Result<LogLevel> ParseLogLevel(std::string_view name);
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Prefix for every line (e.g. the node id) so interleaved devnet logs read well.
void SetLogPrefix(std::string prefix);
void LogLine(LogLevel level, std::string_view component, std::string_view message);
// Routes protobuf's own log messages (e.g. "invalid UTF-8" when a hostile
// peer or client sends a bad string field) to LogLine at debug level, so
// nobody can flood the node's log by sending garbage.
void InstallProtobufLogHandler();

// Stream-style helper: LOG(kInfo, "raft") << "became leader term=" << term;
class LogMessage {
 public:
  LogMessage(LogLevel level, std::string_view component) : level_(level), component_(component) {}
  ~LogMessage() { LogLine(level_, component_, stream_.str()); }
  template <typename T>
  LogMessage& operator<<(const T& v) {
    stream_ << v;
    return *this;
  }

 private:
  LogLevel level_;
  std::string component_;
  std::ostringstream stream_;
};

// Turns the stream expression into void so PLOG can sit in a ?: (glog's trick:
// no dangling else, and nothing is formatted below the level).
struct LogVoidify {
  void operator&(const LogMessage&) {}
};

}  // namespace pledger::node

#define PLOG(level, component)                                                 \
  (::pledger::node::LogLevel::level < ::pledger::node::GetLogLevel())         \
      ? (void)0                                                                \
      : ::pledger::node::LogVoidify() &                                        \
            ::pledger::node::LogMessage(::pledger::node::LogLevel::level, component)

#endif  // PLEDGER_NODE_LOG_H_
