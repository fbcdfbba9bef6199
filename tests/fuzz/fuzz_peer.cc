// Fuzz target: a frame from a peer (after TLS): the node's PeerMessage, the
// Raft message inside it, and the ledger records peers send during catch-up
// (blocks, results, attestations).
#include "consensus/codec.h"
#include "ledger/attestation.h"
#include "ledger/block.h"
#include "ledger/block_time.h"
#include "ledger/clock_reading.h"
#include "ledger/tx.h"
#include "node/proto/node.pb.h"
#include "tests/fuzz/fuzz.h"
#include "tests/support/test_util.h"

namespace pledger::fuzz {

const char kTargetName[] = "peer";

namespace {

const ledger::SecretKey& FuzzVoterKey() {
  static const ledger::SecretKey key = test::TestKey(3);
  return key;
}

const ledger::VoterKeys& FuzzVoters() {
  static const ledger::VoterKeys voters = {{"v1", FuzzVoterKey().public_key()}};
  return voters;
}

}  // namespace

int FuzzOne(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  node::PeerMessage m;
  if (m.ParseFromArray(data, static_cast<int>(size))) {
    if (m.has_raft()) (void)consensus::DecodeMessage(m.raft());
    if (m.has_block_response()) {
      for (const auto& raw : m.block_response().blocks()) {
        ledger::Block b;
        if (b.ParseFromString(raw)) {
          auto h = ledger::DecodeBlockHeader(b);
          if (h.ok()) (void)ledger::CheckBlockContent(b, *h);
        }
      }
    }
    if (m.has_clock_reading()) {
      auto r = ledger::DecodeClockReading(m.clock_reading());
      if (r.ok()) (void)ledger::VerifyClockReading("fuzz", *r, FuzzVoterKey().public_key());
    }
    if (m.has_attestation()) {
      ledger::Attestation a;
      if (a.ParseFromString(m.attestation())) {
        (void)ledger::VerifyAttestation("fuzz", a, test::TestKey(2).public_key());
      }
    }
  }
  (void)consensus::DecodeMessage(bytes);
  ledger::Block b;
  if (b.ParseFromArray(data, static_cast<int>(size))) {
    auto h = ledger::DecodeBlockHeader(b);
    if (h.ok()) {
      (void)ledger::CheckBlockContent(b, *h);
      // Clock readings: strict decoding, order, the time rule.
      (void)ledger::CheckBlockTime("fuzz", *h, b, 0, FuzzVoters());
    }
  }
  return 0;
}

std::vector<std::string> SeedInputs() {
  std::vector<std::string> out;
  ledger::BlockDraft d;
  d.chain_id = "fuzz";
  d.height = 1;
  d.txs = {"tx-a", "tx-b"};
  d.clock_readings = {ledger::SerializeCanonical(
      ledger::SignClockReading("fuzz", "v1", 0, 1'800'000'000'000ull, FuzzVoterKey()))};
  d.time_ms = 1'800'000'000'000ull;
  ledger::Block block = ledger::SealBlock(d);
  out.push_back(block.SerializeAsString());
  node::PeerMessage m;
  m.mutable_block_response()->add_blocks(block.SerializeAsString());
  out.push_back(m.SerializeAsString());
  consensus::Message rm;
  rm.type = consensus::MessageType::kApp;
  rm.from = 1;
  rm.to = 2;
  rm.term = 3;
  consensus::Entry e;
  e.term = 3;
  e.index = 7;
  e.data = consensus::Payload(block.SerializeAsString());
  rm.entries.push_back(e);
  node::PeerMessage pm;
  pm.set_raft(consensus::EncodeMessage(rm));
  out.push_back(pm.SerializeAsString());
  ledger::Attestation a = ledger::SignAttestation("fuzz", "n1", 1, ledger::BlockHash(block), {}, {},
                                                  test::TestKey(2));
  node::PeerMessage am;
  am.set_attestation(a.SerializeAsString());
  out.push_back(am.SerializeAsString());
  return out;
}

}  // namespace pledger::fuzz
