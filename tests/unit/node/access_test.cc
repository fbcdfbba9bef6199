// The read policy's record rules (node/api/access.h): who is a party, which
// fields the gazette view keeps, and how a cut answer names what it left
// out. The role x route matrix on a real cluster is in
// tests/integration/access_test.cc.
#include <catch2/catch.hpp>

#include "ledger/bytes.h"
#include "node/api/access.h"
#include "tests/support/test_util.h"

namespace pledger::node {
namespace {

Reader Account(const std::string& org, contracts::Role role, std::uint8_t key = 9) {
  Reader r;
  r.anonymous = false;
  r.key = test::TestKey(key).public_key();
  r.org_id = org;
  r.roles = {role};
  return r;
}

contracts::Pledge SamplePledge() {
  contracts::Pledge p;
  p.set_id("0123456789abcdef0123456789abcdef");
  p.set_state(contracts::PLEDGE_REGISTERED);
  p.set_pledgee_org_id("bank-a");
  p.add_pledgor_org_ids("sme");
  p.set_debtor_org_id("sme");
  p.set_principal_fen(150000000);
  p.set_interest_rate_bps(365);
  p.set_ltv_bps(4000);
  p.add_patent_nos("ZL201810234567.3");
  p.set_reg_date(20000);
  p.set_outstanding_principal_fen(150000000);
  return p;
}

TEST_CASE("access: full readers are IP offices, auditors and regulators", "[access]") {
  CHECK(Account("ipo-a", contracts::ROLE_IP_OFFICE).full());
  CHECK(Account("audit", contracts::ROLE_AUDITOR).full());
  CHECK(Account("fso", contracts::ROLE_REGULATOR).full());
  CHECK_FALSE(Account("bank-a", contracts::ROLE_BANK).full());
  CHECK_FALSE(Reader{}.full());
  CHECK_FALSE(Reader{}.Is(""));  // an anonymous reader is no organisation, not even ""
}

TEST_CASE("access: a pledge in full for its parties, the gazette fields for others", "[access]") {
  for (const Reader& party : {Account("bank-a", contracts::ROLE_BANK), Account("sme", contracts::ROLE_OWNER),
                              Account("ipo-b", contracts::ROLE_IP_OFFICE)}) {
    contracts::Pledge p = SamplePledge();
    Withheld w;
    ScopePledge(party, &p, "", &w);
    CHECK(w.empty());
    CHECK(p.principal_fen() == 150000000);
  }
  for (const Reader& other : {Reader{}, Account("bank-b", contracts::ROLE_BANK),
                              Account("appraiser", contracts::ROLE_APPRAISER)}) {
    contracts::Pledge p = SamplePledge();
    Withheld w;
    ScopePledge(other, &p, "", &w);
    CHECK(p.principal_fen() == 0);
    CHECK(p.interest_rate_bps() == 0);
    CHECK(p.ltv_bps() == 0);
    CHECK(p.debtor_org_id().empty());
    // R10's fields stay.
    CHECK(p.pledgee_org_id() == "bank-a");
    CHECK(p.pledgor_org_ids(0) == "sme");
    CHECK(p.patent_nos(0) == "ZL201810234567.3");
    CHECK(p.reg_date() == 20000);
    // Every hidden field is named, zero or not: which were zero is information.
    CHECK(w.paths().count("principal_fen") == 1);
    CHECK(w.paths().count("outstanding_costs_fen") == 1);
    CHECK(w.paths().count("pledgee_org_id") == 0);
  }
}

TEST_CASE("access: a cut answer says so in front, without default values", "[access]") {
  contracts::Pledge p = SamplePledge();
  Withheld w;
  ScopePledge(Reader{}, &p, "", &w);
  const std::string json = ScopedJson(p, w);
  CHECK(json.rfind("{\"view\":\"gazette\",\"redacted\":[", 0) == 0);
  CHECK(json.find("\"principal_fen\":") == std::string::npos);
  CHECK(json.find("\"pledgee_org_id\":\"bank-a\"") != std::string::npos);
  // A complete answer is protobuf's JSON with defaults, nothing added.
  contracts::Pledge full = SamplePledge();
  const std::string whole = ScopedJson(full, Withheld());
  CHECK(whole.find("\"view\"") == std::string::npos);
  CHECK(whole.find("\"renewals\":0") != std::string::npos);
}

TEST_CASE("access: licence terms to the owners and the licensee only", "[access]") {
  contracts::Patent p;
  p.set_patent_no("ZL201810234567.3");
  auto* o = p.add_owners();
  o->set_org_id("sme");
  o->set_share_bps(10000);
  auto* l = p.add_licences();
  l->set_id("L1");
  l->set_licensee_org_id("maker");
  l->set_royalty_fen(500000);
  l->set_contract_hash("ab");
  for (const char* org : {"sme", "maker"}) {
    contracts::Patent q = p;
    Withheld w;
    ScopePatent(Account(org, contracts::ROLE_OWNER), &q, "patent", &w);
    CHECK(q.licences(0).royalty_fen() == 500000);
  }
  contracts::Patent q = p;
  Withheld w;
  ScopePatent(Account("bank-b", contracts::ROLE_BANK), &q, "patent", &w);
  CHECK(q.licences(0).royalty_fen() == 0);
  CHECK(q.licences(0).licensee_org_id() == "maker");
  CHECK(w.paths().count("patent.licences[].royalty_fen") == 1);
}

TEST_CASE("access: a transaction whole for its signers, its place and gazetted action for others", "[access]") {
  const Reader signer = Account("bank-a", contracts::ROLE_BANK, 3);
  api::TxView v;
  v.set_tx_id("ab");
  v.set_height(7);
  v.set_action("loan_repay");
  v.set_receipt_code("OK");
  v.mutable_receipt()->set_code("OK");
  v.mutable_receipt()->set_message("repaid 1,000.00 yuan");
  auto* sig = v.mutable_tx()->add_signatures();
  sig->set_public_key(std::string(ledger::AsStringView(ledger::ByteSpan(signer.key))));
  {
    api::TxView c = v;
    Withheld w;
    ScopeTxView(signer, &c, &w);
    CHECK(w.empty());
  }
  {
    api::TxView c = v;
    Withheld w;
    ScopeTxView(Account("bank-b", contracts::ROLE_BANK, 4), &c, &w);
    CHECK(c.height() == 7);
    CHECK(c.action().empty());  // loan_repay is not gazetted
    CHECK(c.receipt().message().empty());
    CHECK(c.tx().signatures_size() == 0);
    CHECK(w.paths().count("action") == 1);
  }
  {
    api::TxView c = v;
    c.set_action("pledge_cancel");
    Withheld w;
    ScopeTxView(Reader{}, &c, &w);
    CHECK(c.action() == "pledge_cancel");  // R10: cancellations are announced
    CHECK(c.receipt().code() == "OK");
    CHECK(c.receipt().message().empty());
  }
}

TEST_CASE("access: history entries of ungazetted actions lose their action for non-parties", "[access]") {
  contracts::HistoryPage page;
  auto* a = page.add_entries();
  a->set_action("pledge_register");
  a->set_code("OK");
  auto* b = page.add_entries();
  b->set_action("loan_classify");
  b->set_code("OK");
  contracts::HistoryPage party = page;
  Withheld none;
  ScopeHistoryPage(Account("bank-a", contracts::ROLE_BANK), /*party=*/true, &party, &none);
  CHECK(none.empty());
  Withheld w;
  ScopeHistoryPage(Reader{}, /*party=*/false, &page, &w);
  CHECK(page.entries(0).action() == "pledge_register");
  CHECK(page.entries(1).action().empty());
  CHECK(page.entries(1).code().empty());
  CHECK(page.entries_size() == 2);  // the entry stays: something happened, and when
}

TEST_CASE("access: route guards", "[access]") {
  const RoutePolicy* raw = FindRoutePolicy("raw.blocks");
  REQUIRE(raw != nullptr);
  CHECK(CheckRouteAccess(*raw, Reader{}, true).reason() == "AUTH_MISSING");
  CHECK(CheckRouteAccess(*raw, Account("bank-a", contracts::ROLE_BANK), true).reason() == "READ_FORBIDDEN");
  CHECK(CheckRouteAccess(*raw, Account("fso", contracts::ROLE_REGULATOR), true).ok());
  const RoutePolicy* status = FindRoutePolicy("node.status");
  CHECK(CheckRouteAccess(*status, Reader{}, true).ok());
  CHECK(CheckRouteAccess(*status, Reader{}, false).reason() == "AUTH_MISSING");
  CHECK(CheckRouteAccess(*FindRoutePolicy("node.health"), Reader{}, false).ok());
  Reader by_token = Account("bank-a", contracts::ROLE_BANK);
  by_token.via_token = true;
  CHECK(CheckRouteAccess(*FindRoutePolicy("auth.token"), by_token, true).reason() == "AUTH_SIGNATURE_REQUIRED");
}

}  // namespace
}  // namespace pledger::node
