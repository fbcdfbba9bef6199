// Status and Result<T>: the one error type of every Pledger module.
//
// Why it lives in consensus/: dependencies point one way (consensus <- ledger
// <- contracts <- node <- tools), and consensus is the bottom of that chain, so
// the type every module shares must live here. It has nothing to do with Raft.
//
// A Status is either OK or carries
//   - a Code: a coarse category that callers branch on (NotFound, Corruption…);
//   - a reason: a stable, machine-readable name in UPPER_SNAKE_CASE that never
//     changes once published (e.g. "SIGNATURE_INVALID"); the HTTP API, the CLIs
//     and the docs use it;
//   - a message: for people. It says what went wrong and what to do about it.
//
// OK is a null pointer, so success costs nothing (the LevelDB trick). Errors are
// values: no exception crosses a module boundary. Propagate with
//   PLEDGER_RETURN_IF_ERROR(expr);
//   PLEDGER_ASSIGN_OR_RETURN(auto x, ResultReturningCall());
//
// Thread safety: a Status or Result is a plain value; distinct objects may be
// used from different threads, one object is not synchronised.
#ifndef PLEDGER_CONSENSUS_STATUS_H_
#define PLEDGER_CONSENSUS_STATUS_H_

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace pledger {

// Stable categories. Values are persisted nowhere, but names are part of the
// API (StatusCodeName) and must not be renamed.
enum class StatusCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument,     // the input is malformed or violates a documented limit
  kNotFound,            // the thing asked for does not exist (yet)
  kAlreadyExists,       // a duplicate of something already stored
  kFailedPrecondition,  // valid input, but the system is not in a state to take it
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // signature / certificate missing or wrong
  kResourceExhausted,   // a bounded queue or quota is full; retry later
  kUnavailable,         // a dependency (peer, leader, disk) cannot be reached now
  kDeadlineExceeded,    // an operation timed out
  kCorruption,          // stored or received data fails an integrity check
  kIOError,             // the operating system reported an I/O failure
  kCompacted,           // asked for log entries that were compacted away
  kAborted,             // the operation was cancelled (shutdown, leadership lost)
  kInternal,            // a bug: an invariant of ours does not hold
};

// "INVALID_ARGUMENT", "NOT_FOUND", ... ("OK" for kOk).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK
  Status(StatusCode code, std::string_view reason, std::string_view message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kInvalidArgument, reason, msg);
  }
  static Status NotFound(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kNotFound, reason, msg);
  }
  static Status AlreadyExists(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kAlreadyExists, reason, msg);
  }
  static Status FailedPrecondition(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kFailedPrecondition, reason, msg);
  }
  static Status PermissionDenied(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kPermissionDenied, reason, msg);
  }
  static Status Unauthenticated(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kUnauthenticated, reason, msg);
  }
  static Status ResourceExhausted(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kResourceExhausted, reason, msg);
  }
  static Status Unavailable(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kUnavailable, reason, msg);
  }
  static Status DeadlineExceeded(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kDeadlineExceeded, reason, msg);
  }
  static Status Corruption(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kCorruption, reason, msg);
  }
  static Status IOError(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kIOError, reason, msg);
  }
  static Status Compacted(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kCompacted, reason, msg);
  }
  static Status Aborted(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kAborted, reason, msg);
  }
  static Status Internal(std::string_view reason, std::string_view msg) {
    return Status(StatusCode::kInternal, reason, msg);
  }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // Stable machine-readable name; "" when OK.
  std::string_view reason() const;
  // Human-readable explanation; "" when OK.
  std::string_view message() const;

  bool Is(StatusCode c) const { return code() == c; }
  bool IsNotFound() const { return code() == StatusCode::kNotFound; }

  // Returns a copy whose message is prefixed with `context: `, same code and reason.
  Status WithContext(std::string_view context) const;

  // "OK", or "NOT_FOUND TX_UNKNOWN: no transaction with id ab12…".
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string reason;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "use Status directly");

 public:
  Result(T value) : v_(std::in_place_index<1>, std::move(value)) {}  // NOLINT
  Result(Status status) : v_(std::in_place_index<0>, std::move(status)) {  // NOLINT
    assert(!std::get<0>(v_).ok() && "Result built from an OK Status has no value");
    if (std::get<0>(v_).ok()) {
      std::get<0>(v_) = Status::Internal("RESULT_WITHOUT_VALUE",
                                         "a Result was built from an OK status");
    }
  }

  bool ok() const { return v_.index() == 1; }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<0>(v_);
  }
  // Precondition: ok().
  T& value() & { return std::get<1>(v_); }
  const T& value() const& { return std::get<1>(v_); }
  T&& value() && { return std::get<1>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Moves the error out, for returning it from a function with another Result type.
  Status TakeStatus() && { return ok() ? Status() : std::get<0>(std::move(v_)); }

 private:
  std::variant<Status, T> v_;
};

namespace internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(Result<T>&& r) {
  return std::move(r).TakeStatus();
}
}  // namespace internal

}  // namespace pledger

#define PLEDGER_CONCAT_INNER_(a, b) a##b
#define PLEDGER_CONCAT_(a, b) PLEDGER_CONCAT_INNER_(a, b)

#define PLEDGER_RETURN_IF_ERROR(expr)                                  \
  do {                                                                 \
    ::pledger::Status pledger_status_ = ::pledger::internal::AsStatus((expr)); \
    if (!pledger_status_.ok()) return pledger_status_;                 \
  } while (0)

#define PLEDGER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).TakeStatus();   \
  lhs = std::move(tmp).value()

#define PLEDGER_ASSIGN_OR_RETURN(lhs, expr) \
  PLEDGER_ASSIGN_OR_RETURN_IMPL_(PLEDGER_CONCAT_(pledger_result_, __LINE__), lhs, expr)

#endif  // PLEDGER_CONSENSUS_STATUS_H_
