// In-memory value types of the Raft core: entries, hard state, configurations,
// snapshots and messages.
//
// These mirror consensus/proto/raft.proto (the wire and disk format); codec.h
// converts. They exist because entry payloads are large (one serialized ledger
// block, up to several MiB) and travel to many places at once: the unstable
// log, the Ready handed to storage, one AppendEntries per follower, the
// committed entries handed to the application. A Payload is an immutable,
// reference-counted byte buffer, so all of those share one copy of the bytes.
//
// Thread safety: all types are plain values. A Payload's bytes are immutable,
// so copies of one Payload may be read from several threads at once.
#ifndef PLEDGER_CONSENSUS_TYPES_H_
#define PLEDGER_CONSENSUS_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pledger::consensus {

// Immutable shared bytes, or a slice of them. Copying is a reference-count
// increment; the bytes are freed with the last copy.
class Payload {
 public:
  Payload() = default;
  explicit Payload(std::string bytes)
      : buf_(bytes.empty() ? nullptr : std::make_shared<const std::string>(std::move(bytes))),
        size_(buf_ ? buf_->size() : 0) {}

  std::string_view view() const {
    return buf_ ? std::string_view(buf_->data() + offset_, size_) : std::string_view();
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string ToString() const { return std::string(view()); }

  // Bytes [pos, pos + len) of this payload, sharing the buffer. Clamped to size().
  Payload Slice(std::size_t pos, std::size_t len) const {
    Payload p;
    if (pos >= size_ || len == 0) return p;
    p.buf_ = buf_;
    p.offset_ = offset_ + pos;
    p.size_ = len < size_ - pos ? len : size_ - pos;
    return p;
  }

  friend bool operator==(const Payload& a, const Payload& b) { return a.view() == b.view(); }

 private:
  std::shared_ptr<const std::string> buf_;
  std::size_t offset_ = 0;
  std::size_t size_ = 0;
};

enum class EntryType : std::uint8_t { kNormal = 0, kConfChange = 1 };

struct Entry {
  std::uint64_t term = 0;
  std::uint64_t index = 0;
  EntryType type = EntryType::kNormal;
  Payload data;  // NORMAL: opaque (empty = leader no-op); CONF_CHANGE: a ConfChange
};

// (index, term) names one entry of one log.
struct EntryId {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  friend bool operator==(const EntryId&, const EntryId&) = default;
};

struct HardState {
  std::uint64_t term = 0;
  std::uint64_t vote = 0;    // 0 = none
  std::uint64_t commit = 0;
  friend bool operator==(const HardState&, const HardState&) = default;
  bool empty() const { return term == 0 && vote == 0 && commit == 0; }
};

// Voters and learners, each sorted ascending, disjoint, no duplicates.
struct ConfState {
  std::vector<std::uint64_t> voters;
  std::vector<std::uint64_t> learners;
  friend bool operator==(const ConfState&, const ConfState&) = default;
  bool IsVoter(std::uint64_t id) const;
  bool IsLearner(std::uint64_t id) const;
  bool IsMember(std::uint64_t id) const { return IsVoter(id) || IsLearner(id); }
  std::string ToString() const;  // "voters=[1,2,3] learners=[4]"
};

enum class ConfChangeType : std::uint8_t { kAddLearner = 0, kAddVoter = 1, kRemoveNode = 2 };

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddLearner;
  std::uint64_t node_id = 0;
  std::string context;  // opaque to consensus (e.g. the peer's address)
};

struct SnapshotMetadata {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  ConfState conf_state;
  friend bool operator==(const SnapshotMetadata&, const SnapshotMetadata&) = default;
};

struct Snapshot {
  SnapshotMetadata metadata;
  Payload data;  // opaque application state as of metadata.index
  bool empty() const { return metadata.index == 0; }
};

enum class MessageType : std::uint8_t {
  kApp = 1,
  kAppResp = 2,
  kVote = 3,
  kVoteResp = 4,
  kPreVote = 5,
  kPreVoteResp = 6,
  kSnap = 7,
  kSnapResp = 8,
  kHeartbeat = 9,
  kHeartbeatResp = 10,
  kTimeoutNow = 11,
  kReadIndex = 12,
  kReadIndexResp = 13,
  // Node-local: addressed by a node to itself in Ready::persisted_messages, to
  // be stepped back once storage has made that Ready durable. Never on the
  // wire (the codec refuses it).
  kPersisted = 14,
};

// One InstallSnapshot chunk (MessageType::kSnap).
struct SnapshotChunk {
  SnapshotMetadata metadata;
  std::uint64_t total_bytes = 0;
  std::uint64_t offset = 0;
  Payload data;
};

struct Message {
  MessageType type = MessageType::kApp;
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::uint64_t term = 0;
  std::uint64_t log_term = 0;
  std::uint64_t index = 0;
  std::vector<Entry> entries;
  std::uint64_t commit = 0;
  bool reject = false;
  std::uint64_t reject_hint = 0;
  std::string context;
  std::optional<SnapshotChunk> snapshot;
  std::uint64_t offset = 0;
  bool leader_transfer = false;
};

// The answer to a ReadIndex request: once the application has applied
// `index`, a read of its state is linearizable for the request `context`.
struct ReadState {
  std::uint64_t index = 0;
  std::string context;
};

enum class Role : std::uint8_t { kFollower, kPreCandidate, kCandidate, kLeader, kLearner };

std::string_view RoleName(Role r);             // "FOLLOWER", "LEADER", ...
std::string_view MessageTypeName(MessageType t);  // "APP", "VOTE_RESP", ...
std::string_view ConfChangeTypeName(ConfChangeType t);
// "APP 1->2 t5 idx=7 lt=5 ents=[8..10] commit=6" — for traces and logs.
std::string DescribeMessage(const Message& m);

// Bytes an entry adds to a message: the payload plus a fixed allowance for
// the protobuf framing of term, index and type. Used for every size limit.
inline std::uint64_t EntrySizeBytes(const Entry& e) { return e.data.size() + 24; }

}  // namespace pledger::consensus

#endif  // PLEDGER_CONSENSUS_TYPES_H_
