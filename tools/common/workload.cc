#include "tools/common/workload.h"

#include <chrono>
#include <cstdio>

#include "contracts/dates.h"
#include "contracts/engine.h"
#include "contracts/patent_number.h"
#include "ledger/io/clock.h"
#include "ledger/tx.h"

namespace pledger::tools {

Workload::Workload(WorkloadParties parties, std::uint32_t run, std::uint32_t client)
    : p_(std::move(parties)), run_(run), client_(client),
      // Each run starts its serials at its own offset as well as its own
      // year, so two runs against one chain collide only if both match.
      next_((run / 40) % 20000u),
      nonce_((static_cast<std::uint64_t>(run) << 40) ^ (static_cast<std::uint64_t>(client) << 24)) {}

std::int32_t Workload::Today() { return contracts::DateOfBlockTime(io::ProcessClock().NowMs()); }

std::string Workload::PatentNumber(int year, int type, std::uint32_t serial) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%04d%d%07u", year, type, serial % 10000000u);
  return std::string("ZL") + digits + "." + contracts::PatentCheckChar(digits);
}

WorkloadTx Workload::Sign(const std::string& body_bytes,
                          std::initializer_list<const ledger::SecretKey*> keys) {
  ledger::Transaction tx;
  tx.set_body(body_bytes);
  for (const auto* k : keys) ledger::SignTransaction(&tx, *k);
  WorkloadTx out;
  out.raw = tx.SerializeAsString();
  out.id = ledger::TxId(tx);
  return out;
}

namespace {

ledger::TxBody Body(const std::string& chain, std::uint64_t nonce, std::uint64_t expiry) {
  ledger::TxBody b;
  b.set_chain_id(chain);
  b.set_nonce(nonce);
  b.set_expiry_height(expiry);
  return b;
}

std::string ReportHash(const std::string& what) { return ledger::HexEncode(ledger::Sha256(what)); }

}  // namespace

WorkloadTx Workload::PatentRegister(std::uint64_t expiry_height) {
  std::int32_t today = Today();
  // Invention patents filed about three years ago: 17 years of term left,
  // well above any bank's minimum remaining life (R29).
  // 20,000 serials per client slot and 500 slots per year. The year, the
  // slots and the serial offset all follow from the run, so runs against one
  // chain rarely collide (PATENT_EXISTS is refused by the contract and would
  // count as cheap work done): a soak of sixty 4-client runs once re-used a
  // tenth of its numbers when every run's clients took slots 0-3.
  int year = 1986 + static_cast<int>((run_ + client_ / 500) % 40);
  const std::uint32_t slot = (client_ + (run_ / 40) * 7919u) % 500u;
  std::uint32_t serial = slot * 20000u + (next_++ % 20000u);
  std::string no = PatentNumber(year, 1, serial);
  ledger::TxBody b = Body(p_.chain_id, ++nonce_, expiry_height);
  auto* r = b.mutable_action()->mutable_patent_register();
  r->set_patent_no(no);
  r->set_type(contracts::PATENT_INVENTION);
  r->set_title("Sensor calibration method " + no.substr(2, 12));
  r->set_main_ipc("G01D 18/00");
  r->set_filing_date(today - 3 * 365);
  r->set_grant_date(today - 365);
  r->set_fee_paid_through(today + 365);
  auto* o = r->add_owners();
  o->set_org_id(p_.owner_org);
  o->set_share_bps(10000);
  WorkloadTx tx = Sign(ledger::SerializeCanonical(b), {p_.ip_office.get()});
  tx.submitter = p_.ip_office;
  tx.patent_no = no;
  return tx;
}

WorkloadTx Workload::Valuation(const std::string& patent_no, std::uint64_t expiry_height) {
  ledger::TxBody b = Body(p_.chain_id, ++nonce_, expiry_height);
  auto* v = b.mutable_action()->mutable_valuation_record();
  v->add_patent_nos(patent_no);
  v->set_method(contracts::VALUATION_INCOME);
  v->set_base_date(Today() - 10);
  v->set_value_fen(2000000000);            // 20,000,000.00 yuan
  v->set_realisable_value_fen(1200000000);  // 12,000,000.00 yuan
  v->set_report_hash(ReportHash("appraisal report " + patent_no));
  v->set_appraiser_licence_no("ZJ-AP-2024-017");
  WorkloadTx tx = Sign(ledger::SerializeCanonical(b), {p_.appraiser.get()});
  tx.submitter = p_.appraiser;
  tx.object_id = contracts::ObjectIdFromTxId(tx.id);
  tx.patent_no = patent_no;
  return tx;
}

WorkloadTx Workload::Pledge(const std::string& patent_no, const std::string& valuation_id,
                            std::uint64_t expiry_height) {
  ledger::TxBody b = Body(p_.chain_id, ++nonce_, expiry_height);
  auto* p = b.mutable_action()->mutable_pledge_register();
  p->set_pledgee_org_id(p_.bank_org);
  p->add_pledgor_org_ids(p_.owner_org);
  p->set_debtor_org_id(p_.owner_org);
  p->set_debt_type("working-capital loan");
  p->set_principal_fen(300000000);  // 3,000,000.00 yuan: 25 % of the realisable value
  p->set_interest_rate_bps(385);
  p->set_due_date(Today() + 2 * 365);
  p->set_scope("principal, interest, penalty, damages and enforcement costs");
  p->add_patent_nos(patent_no);
  p->set_valuation_id(valuation_id);
  p->set_contract_hash(ReportHash("loan contract " + patent_no));
  WorkloadTx tx = Sign(ledger::SerializeCanonical(b), {p_.bank.get(), p_.owner.get(), p_.ip_office.get()});
  tx.submitter = p_.bank;
  tx.object_id = contracts::ObjectIdFromTxId(tx.id);
  tx.patent_no = patent_no;
  return tx;
}

}  // namespace pledger::tools
