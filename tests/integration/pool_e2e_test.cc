// Patent pools and securitisation end to end: the real
// pledger-wallet binary against a real 3-node cluster, every party with its
// own wallet home, files carried between them, one small LICENSE deal from
// creation to wind-down:
//
//   the IP office registers two of the SME's patents and files the SME's
//   exclusive licence of each to the trustee (R31); the trustee creates the
//   pool and admits both patents, co-signed by the owner; while pooled, an
//   assignment (PATENT_POOLED) and a new pledge (PLEDGE_PATENT_POOLED) are
//   refused (R31); the trustee issues a senior, a mezzanine and a
//   subordinated tranche (R32) and an investor sells units to another;
//   royalties are collected; three payment dates run the waterfall (H1-H8):
//   a normal one, one whose senior interest the guarantor makes up and
//   co-signs (H5), and, after a trigger (H8), one that repays every rated
//   tranche; the pool is wound down, which frees the patents, and the same
//   pledge, drafted again, is registered. pledger-audit lists the deal's
//   transactions in the pool's history.
//
// The payment dates need the ledger's date to move: nodes and wallets run
// with the test clock (TestClock, ledger/io/clock.h), which the test sets to
// noon of the deal's days. Label `integration`. Needs build/bin/pledgerd,
// pledger-wallet and pledger-audit.
#include <catch2/catch.hpp>

#include <chrono>
#include <tuple>

#include "contracts/dates.h"
#include "contracts/proto/query.pb.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "tests/integration/cluster.h"
#include "tests/integration/wallet_runner.h"
#include "tools/common/workload.h"
#include "tools/proto/audit.pb.h"
#include "tools/proto/wallet.pb.h"

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kYuan = 100;  // fen

ClusterOptions PoolParties() {
  ClusterOptions o;
  o.extra_orgs = {{"spv", contracts::ORG_TRUSTEE},
                  {"guar", contracts::ORG_GUARANTOR},
                  {"inv-a", contracts::ORG_INVESTOR},
                  {"inv-b", contracts::ORG_INVESTOR},
                  {"buyer", contracts::ORG_ENTERPRISE}};
  o.extra_accounts = {{"spv", "spv", contracts::ROLE_TRUSTEE},
                      {"guar", "guar", contracts::ROLE_GUARANTOR},
                      {"inv-a", "inv-a", contracts::ROLE_INVESTOR},
                      {"inv-b", "inv-b", contracts::ROLE_INVESTOR},
                      {"buyer", "buyer", contracts::ROLE_OWNER}};
  return o;
}

bool HasEvent(const tools::SubmitResult& r, const std::string& type) {
  for (const auto& e : r.events()) {
    if (e.type() == type) return true;
  }
  return false;
}

const contracts::Tranche& TrancheOf(const contracts::PoolView& v, std::uint32_t rank) {
  for (const auto& t : v.tranches()) {
    if (t.rank() == rank) return t;
  }
  FAIL("pool " << v.pool().id() << " has no tranche " << rank);
  return v.tranches(0);
}

const contracts::Holding* HoldingOf(const contracts::HoldingList& l, const std::string& pool, std::uint32_t rank) {
  for (const auto& h : l.holdings()) {
    if (h.pool_id() == pool && h.rank() == rank) return &h;
  }
  return nullptr;
}

TEST_CASE("pool e2e: a licence pool from creation to wind-down, three payment dates, locks and audit",
          "[integration]") {
  ClusterOptions options = PoolParties();
  TempDir clock_dir;  // outlives the cluster, whose processes map the file
  TestClock clock(clock_dir.Sub("clock"));
  options.env = clock.Env();
  // Day 0 of the deal: tomorrow, at noon (the clock only moves forward).
  const std::int32_t d0 = TestClock::RealToday() + 1;
  clock.SetNoonOf(d0);
  TestCluster c(options);
  c.StartAll();
  REQUIRE(c.WaitForLeader(30s) >= 0);

  const std::string root = c.dir();
  const auto env = clock.Env();
  Wallet ipo(root, "ipo-a", env), sme(root, "sme", env), appraiser(root, "appraiser", env), bank(root, "bank-a", env);
  Wallet spv(root, "spv", env), guar(root, "guar", env), inv_a(root, "inv-a", env), inv_b(root, "inv-b", env);
  Wallet buyer(root, "buyer", env);
  ipo.Setup(c, "ipo-a", 0);
  sme.Setup(c, "sme", 1);
  appraiser.Setup(c, "appraiser", 2);
  bank.Setup(c, "bank-a", 2);
  spv.Setup(c, "spv", 0);
  guar.Setup(c, "guar", 1);
  inv_a.Setup(c, "inv-a", 2);
  inv_b.Setup(c, "inv-b", 0);
  buyer.Setup(c, "buyer", 1);
  const std::string doc = ledger::HexEncode(ledger::Sha256(std::string("pool e2e document")));
  const std::string p1 = "ZL201410362077.3";
  const std::string p2 = tools::Workload::PatentNumber(2015, 1, 215001);
  std::vector<std::string> pool_txs;  // every transaction naming the pool, in order
  auto submitted = [&](const Run& r) {
    tools::SubmitResult s = ParseOut<tools::SubmitResult>(r);
    INFO(r.command << "\n" << r.out << r.err);
    CHECK(s.code() == "OK");
    return s;
  };

  // 1. Two patents of the SME; a valuation (the bank's policy wants one);
  //    each patent licensed exclusively to the trustee beyond the legal
  //    maturity, as R31 requires of a licence pool.
  REQUIRE(clock.Today() == d0);
  for (const auto& [no, filed, granted] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {p1, "2014-07-28", "2016-03-02"}, {p2, "2015-03-02", "2017-01-10"}}) {
    EXPECT_EXIT(c,
                ipo({"patent", "register", "--patent", no, "--title", "Pooled invention " + no, "--ipc", "G01L 25/00",
                     "--filed", filed, "--granted", granted, "--owner", "sme", "--fee-paid-through", "today+365",
                     "--passphrase-env", "PW"}),
                0);
    const std::string file = "licence-" + no + ".json";
    EXPECT_EXIT(c,
                sme({"licence", "file", "--patent", no, "--type", "exclusive", "--licensee", "spv", "--territory",
                     "PRC", "--start", "today", "--end", "today+1095", "--contract-hash", doc, "--passphrase-env",
                     "PW", "--out", sme.Path(file)}),
                0);
    Carry(sme, ipo, file);
    Run filed_licence = ipo({"sign", ipo.Path(file), "--passphrase-env", "PW"});
    EXPECT_EXIT(c, filed_licence, 0);
    CHECK(filed_licence.out.find("Complete: every required party signed") != std::string::npos);
    EXPECT_EXIT(c, ipo({"submit", ipo.Path(file), "--passphrase-env", "PW"}), 0);
  }
  Run val = appraiser({"valuation", "record", "--patent", p1, "--method", "income", "--base-date", "today", "--value",
                       "20,000,000", "--realisable", "12,000,000", "--report-hash", doc, "--licence-no",
                       "ZJ-AP-2024-017", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, val, 0);
  const std::string valuation_id = submitted(val).object_id();

  // 2. The trustee creates the pool: a fee, a guarantor up to 100,000 yuan.
  Run created = spv({"pool", "create", "--name", "Hangzhou SME patent pool e2e", "--trustee", "spv", "--model",
                     "license", "--maturity", "today+730", "--deal-size", "1,000,000", "--fee", "manager:spv:500",
                     "--guarantor", "guar", "--guarantee-limit", "100000", "--deed-hash", doc, "--passphrase-env", "PW",
                     "--json"});
  EXPECT_EXIT(c, created, 0);
  tools::SubmitResult create_result = submitted(created);
  const std::string pool = create_result.object_id();
  REQUIRE(pool.size() == 32);
  CHECK(HasEvent(create_result, "pool.created"));
  pool_txs.push_back(create_result.tx_id());

  // 3. Admission: the trustee drafts, the owner co-signs (R31).
  Run drafted = spv({"pool", "admit-patents", "--pool", pool, "--patent", p1, "--patent", p2, "--passphrase-env",
                     "PW", "--out", spv.Path("admit.json")});
  EXPECT_EXIT(c, drafted, 0);
  CHECK(drafted.out.find("[MISSING] owner sme (admits its patent, R31)") != std::string::npos);
  Carry(spv, sme, "admit.json");
  EXPECT_EXIT(c, sme({"sign", sme.Path("admit.json"), "--passphrase-env", "PW"}), 0);
  Run admitted = sme({"submit", sme.Path("admit.json"), "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, admitted, 0);
  tools::SubmitResult admit_result = submitted(admitted);
  CHECK(HasEvent(admit_result, "pool.patent_admitted"));
  pool_txs.push_back(admit_result.tx_id());
  Run patent = bank({"patent", "show", p1, "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, patent, 0);
  CHECK(ParseOut<contracts::PatentView>(patent).patent().pool_id() == pool);

  // 4. The pool lock (R31): the wallet's pre-flight stops the assignment
  //    before anyone signs (exit 4, the ledger's code); forced through and
  //    signed by everyone, the ledger refuses it ...
  Run stopped = ipo({"patent", "assign", "--patent", p1, "--to", "buyer", "--document-hash", doc,
                     "--passphrase-env", "PW", "--json", "--out", ipo.Path("assign.json")});
  EXPECT_EXIT(c, stopped, 4);
  tools::WalletErrorView stop_view = ParseOut<tools::WalletErrorView>(stopped);
  CHECK(stop_view.error().code() == "PATENT_POOLED");
  CHECK(stop_view.error().simulated());
  CHECK(stop_view.error().exit_code() == 4);
  EXPECT_EXIT(c,
              ipo({"patent", "assign", "--patent", p1, "--to", "buyer", "--document-hash", doc, "--passphrase-env",
                   "PW", "--force", "--out", ipo.Path("assign.json")}),
              0);
  Carry(ipo, sme, "assign.json");
  EXPECT_EXIT(c, sme({"sign", sme.Path("assign.json"), "--force", "--passphrase-env", "PW"}), 0);
  Carry(sme, buyer, "assign.json");
  EXPECT_EXIT(c, buyer({"sign", buyer.Path("assign.json"), "--force", "--passphrase-env", "PW"}), 0);
  Run assign = buyer({"submit", buyer.Path("assign.json"), "--force", "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, assign, 4);
  tools::SubmitResult assign_result = ParseOut<tools::SubmitResult>(assign);
  CHECK(assign_result.code() == "PATENT_POOLED");
  CHECK(assign_result.rule() == "R31");
  CHECK(assign_result.message().find(pool) != std::string::npos);

  // ... and so is a new pledge, with the pool lock among its grounds.
  auto draft_pledge = [&](const std::string& file) {
    EXPECT_EXIT(c,
                bank({"pledge", "register", "--patent", p1, "--pledgee", "bank-a", "--debt-type",
                      "working-capital loan", "--principal", "1,000,000", "--rate", "3.85", "--due", "today+365",
                      "--valuation", valuation_id, "--contract-hash", doc, "--passphrase-env", "PW", "--force",
                      "--out", bank.Path(file)}),
                0);
    Carry(bank, sme, file);
    EXPECT_EXIT(c, sme({"sign", sme.Path(file), "--force", "--passphrase-env", "PW"}), 0);
    Carry(sme, ipo, file);
    EXPECT_EXIT(c, ipo({"sign", ipo.Path(file), "--force", "--passphrase-env", "PW"}), 0);
    Carry(ipo, bank, file);
  };
  draft_pledge("pledge.json");
  Run pledge = bank({"submit", bank.Path("pledge.json"), "--force", "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, pledge, 4);
  tools::SubmitResult pledge_result = ParseOut<tools::SubmitResult>(pledge);
  CHECK(pledge_result.code() == "PLEDGE_PATENT_POOLED");
  CHECK(pledge_result.rule() == "R31");
  REQUIRE(pledge_result.grounds_size() >= 1);
  CHECK(pledge_result.grounds(0).find("PLEDGE_PATENT_POOLED") != std::string::npos);

  // 5. Tranches (R32): senior 800,000 in two steps, mezzanine 150,000 bullet,
  //    subordinated 50,000 kept by the originator.
  Run issued = spv({"tranche", "issue", "--pool", pool, "--tranche", "1:senior:800000:3.65:AAA", "--schedule",
                    "1:today+30:400000", "--schedule", "1:today+90:400000", "--tranche", "2:mezzanine:150000:7.30:AA",
                    "--schedule", "2:today+120", "--tranche", "3:subordinated:50000", "--allocate", "1:inv-a:5000",
                    "--allocate", "1:inv-b:3000", "--allocate", "2:inv-a:1500", "--allocate", "3:sme:500",
                    "--offering-hash", doc, "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, issued, 0);
  tools::SubmitResult issue_result = submitted(issued);
  CHECK(HasEvent(issue_result, "pool.issued"));
  pool_txs.push_back(issue_result.tx_id());
  const std::int32_t issue_date = d0;

  // 6. inv-a sells 1,000 senior units to inv-b: now 4,000 each.
  Run moved = inv_a({"holding", "transfer", "--pool", pool, "--rank", "1", "--from", "inv-a", "--to", "inv-b",
                     "--units", "1000", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, moved, 0);
  pool_txs.push_back(submitted(moved).tx_id());
  // Selling units it does not hold: the pre-flight stops it before signing;
  // forced, the ledger refuses it (R32).
  Run presold = inv_b({"holding", "transfer", "--pool", pool, "--rank", "1", "--from", "inv-b", "--to", "inv-a",
                       "--units", "4001", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, presold, 4);
  CHECK(ParseOut<tools::WalletErrorView>(presold).error().code() == "HOLDING_INSUFFICIENT");
  Run oversold = inv_b({"holding", "transfer", "--pool", pool, "--rank", "1", "--from", "inv-b", "--to", "inv-a",
                        "--units", "4001", "--force", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, oversold, 4);
  tools::SubmitResult oversold_result = ParseOut<tools::SubmitResult>(oversold);
  CHECK(oversold_result.code() == "HOLDING_INSUFFICIENT");
  pool_txs.push_back(oversold_result.tx_id());

  // 7. Royalties: 420,000 yuan before the first payment date (H7).
  Run collected = spv({"pool", "collect", "--pool", pool, "--royalty", p1 + ":300000", "--royalty", p2 + ":120000",
                       "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, collected, 0);
  pool_txs.push_back(submitted(collected).tx_id());

  auto statement = [&](std::int32_t date) {
    Run r = inv_a({"pool", "statement", pool, "--date", contracts::FormatDate(date), "--json", "--passphrase-env", "PW"});
    EXPECT_EXIT(c, r, 0);
    return ParseOut<contracts::PoolStatement>(r);
  };
  auto pool_view = [&] {
    Run r = inv_b({"pool", "show", pool, "--json", "--passphrase-env", "PW"});
    EXPECT_EXIT(c, r, 0);
    return ParseOut<contracts::PoolView>(r);
  };
  auto holdings = [&](const Wallet& w, const std::string& org) {
    Run r = w({"holdings", "--investor", org, "--json", "--passphrase-env", "PW"});
    EXPECT_EXIT(c, r, 0);
    return ParseOut<contracts::HoldingList>(r);
  };

  // 8. Payment date 1 (issue + 30 days): fees 500, interest 2,400 + 900,
  //    the first senior step 400,000, the rest (16,200) to the subordinated
  //    holder (H1-H6).
  clock.SetNoonOf(issue_date + 30);
  Run preview = spv({"pool", "preview", pool, "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, preview, 0);
  CHECK(ParseOut<contracts::PoolStatement>(preview).guarantor_draw_fen() == 0);
  Run paid = spv({"pool", "pay", "--pool", pool, "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, paid, 0);
  tools::SubmitResult pay1 = submitted(paid);
  CHECK(HasEvent(pay1, "pool.paid"));
  pool_txs.push_back(pay1.tx_id());
  contracts::PoolStatement s1 = statement(issue_date + 30);
  CHECK(s1.sequence() == 1);
  CHECK(s1.days() == 30);
  CHECK(s1.cash_in_fen() == 420'000 * kYuan);
  CHECK(s1.fees_paid_fen() == 500 * kYuan);
  CHECK(s1.interest_paid_fen() == (2'400 + 900) * kYuan);
  CHECK(s1.principal_paid_fen() == 400'000 * kYuan);
  CHECK(s1.residual_paid_fen() == 16'200 * kYuan);
  CHECK(s1.carried_out_fen() == 0);
  CHECK(s1.guarantor_draw_fen() == 0);
  CHECK(s1.senior_shortfall_fen() == 0);
  // Holders are paid by units: inv-a and inv-b hold 4,000 senior units each.
  contracts::HoldingList a1 = holdings(inv_a, "inv-a");
  const contracts::Holding* a_senior = HoldingOf(a1, pool, 1);
  const contracts::Holding* a_mezz = HoldingOf(a1, pool, 2);
  REQUIRE(a_senior != nullptr);
  REQUIRE(a_mezz != nullptr);
  CHECK(a_senior->units() == 4000);
  CHECK(a_senior->interest_received_fen() == 1'200 * kYuan);
  CHECK(a_senior->principal_received_fen() == 200'000 * kYuan);
  CHECK(a_mezz->interest_received_fen() == 900 * kYuan);
  contracts::HoldingList b1 = holdings(inv_b, "inv-b");
  REQUIRE(HoldingOf(b1, pool, 1) != nullptr);
  CHECK(HoldingOf(b1, pool, 1)->units() == 4000);
  CHECK(HoldingOf(b1, pool, 1)->interest_received_fen() == 1'200 * kYuan);
  contracts::HoldingList o1 = holdings(sme, "sme");
  REQUIRE(HoldingOf(o1, pool, 3) != nullptr);
  CHECK(HoldingOf(o1, pool, 3)->residual_received_fen() == 16'200 * kYuan);

  // 9. Payment date 2 (+60): only 1,000 yuan came in. After fees, senior
  //    interest (1,200) is 700 short: the guarantor pays it (H5) and must
  //    co-sign; the mezzanine interest (900) becomes arrears.
  Run small = spv({"pool", "collect", "--pool", pool, "--royalty", p2 + ":1000", "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, small, 0);
  pool_txs.push_back(submitted(small).tx_id());
  clock.SetNoonOf(issue_date + 60);
  preview = guar({"pool", "preview", pool, "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, preview, 0);
  CHECK(ParseOut<contracts::PoolStatement>(preview).guarantor_draw_fen() == 700 * kYuan);
  Run alone = spv({"pool", "pay", "--pool", pool, "--passphrase-env", "PW"});
  EXPECT_EXIT(c, alone, 2);  // held back: the guarantor has not signed
  CHECK(alone.err.find("also needs the signature of: guarantor guar") != std::string::npos);
  drafted = spv({"pool", "pay", "--pool", pool, "--passphrase-env", "PW", "--out", spv.Path("pay2.json")});
  EXPECT_EXIT(c, drafted, 0);
  CHECK(drafted.out.find("draws 700.00 yuan from it, H5") != std::string::npos);
  Carry(spv, guar, "pay2.json");
  Run cosigned = guar({"sign", guar.Path("pay2.json"), "--passphrase-env", "PW"});
  EXPECT_EXIT(c, cosigned, 0);
  CHECK(cosigned.out.find("Complete: every required party signed") != std::string::npos);
  Run pay2_run = guar({"submit", guar.Path("pay2.json"), "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, pay2_run, 0);
  tools::SubmitResult pay2 = submitted(pay2_run);
  CHECK(HasEvent(pay2, "pool.shortfall_drawn"));
  pool_txs.push_back(pay2.tx_id());
  contracts::PoolStatement s2 = statement(issue_date + 60);
  CHECK(s2.sequence() == 2);
  CHECK(s2.collections_fen() == 1'000 * kYuan);
  CHECK(s2.guarantor_draw_fen() == 700 * kYuan);
  CHECK(s2.interest_paid_fen() == 1'200 * kYuan);
  CHECK(s2.senior_shortfall_fen() == 0);
  CHECK(s2.principal_paid_fen() == 0);
  contracts::PoolView v2 = pool_view();
  CHECK(v2.pool().guarantor_drawn_fen() == 700 * kYuan);
  CHECK(TrancheOf(v2, 2).interest_arrears_fen() == 900 * kYuan);
  CHECK(TrancheOf(v2, 1).outstanding_fen() == 400'000 * kYuan);

  // 10. The trustee declares a trigger event (H8): from now on all cash goes to senior.
  Run triggered = spv({"pool", "trigger", "--pool", pool, "--reason", "senior-shortfall", "--notice-hash", doc,
                       "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, triggered, 0);
  pool_txs.push_back(submitted(triggered).tx_id());

  // 11. Payment date 3 (+90): 600,000 yuan repays senior and mezzanine in
  //     full (trigger order), arrears included; what is left goes to the
  //     subordinated tranche.
  Run big = spv({"pool", "collect", "--pool", pool, "--royalty", p1 + ":300000", "--royalty", p2 + ":300000",
                 "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, big, 0);
  pool_txs.push_back(submitted(big).tx_id());
  clock.SetNoonOf(issue_date + 90);
  Run pay3_run = spv({"pool", "pay", "--pool", pool, "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, pay3_run, 0);
  pool_txs.push_back(submitted(pay3_run).tx_id());
  contracts::PoolStatement s3 = statement(issue_date + 90);
  CHECK(s3.triggered());
  CHECK(s3.cash_in_fen() == 600'000 * kYuan);
  CHECK(s3.guarantor_draw_fen() == 0);
  CHECK(s3.fees_paid_fen() + s3.interest_paid_fen() + s3.principal_paid_fen() + s3.residual_paid_fen() +
            s3.carried_out_fen() ==
        s3.cash_in_fen());
  CHECK(s3.interest_paid_fen() == (1'200 + 900 + 900) * kYuan);
  CHECK(s3.carried_out_fen() == 0);
  contracts::PoolView v3 = pool_view();
  CHECK(v3.pool().triggered());
  CHECK(v3.pool().payment_count() == 3);
  CHECK(TrancheOf(v3, 1).outstanding_fen() == 0);
  CHECK(TrancheOf(v3, 2).outstanding_fen() == 0);
  CHECK(TrancheOf(v3, 2).interest_arrears_fen() == 0);
  CHECK(v3.statement_dates_size() == 3);
  contracts::HoldingList b3 = holdings(inv_b, "inv-b");
  CHECK(HoldingOf(b3, pool, 1)->principal_received_fen() == 400'000 * kYuan);  // half of 800,000

  // 12. Wind-down: every rated tranche repaid, no cash left. The locks go.
  Run wound = spv({"pool", "wind-down", "--pool", pool, "--passphrase-env", "PW", "--json"});
  EXPECT_EXIT(c, wound, 0);
  tools::SubmitResult wind = submitted(wound);
  CHECK(HasEvent(wind, "pool.wound_down"));
  CHECK(HasEvent(wind, "pool.locks_lifted"));
  pool_txs.push_back(wind.tx_id());
  contracts::PoolView v4 = pool_view();
  CHECK(v4.pool().state() == contracts::POOL_WOUND_DOWN);
  for (const auto& m : v4.members()) CHECK(m.state() == contracts::POOL_MEMBER_RELEASED);
  patent = bank({"patent", "show", p1, "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, patent, 0);
  CHECK(ParseOut<contracts::PatentView>(patent).patent().pool_id().empty());
  // The closed pool takes nothing more.
  Run late = spv({"pool", "collect", "--pool", pool, "--royalty", p1 + ":1", "--force", "--passphrase-env", "PW",
                  "--json"});
  EXPECT_EXIT(c, late, 4);
  tools::SubmitResult late_result = ParseOut<tools::SubmitResult>(late);
  CHECK(late_result.code() == "POOL_CLOSED");
  pool_txs.push_back(late_result.tx_id());

  // 13. The same pledge, drafted again, now registers.
  draft_pledge("pledge2.json");
  Run pledged = bank({"submit", bank.Path("pledge2.json"), "--json", "--passphrase-env", "PW"});
  EXPECT_EXIT(c, pledged, 0);
  CHECK(submitted(pledged).code() == "OK");

  // 14. The auditor's history of the pool: exactly the deal's transactions,
  //     in order, refusals included, each checked against its block.
  Run audit = RunProgram("pledger-audit",
                         {"history", "pool", pool, "--node", c.ApiUrl(1), "--genesis", root + "/genesis.json", "--json",
                          "--key", root + "/accounts/ipo-a.key"},
                         env, root);
  INFO(audit.command << "\n" << audit.out << audit.err);
  REQUIRE(audit.code == 0);
  tools::audit::HistoryReport report = ParseOut<tools::audit::HistoryReport>(audit);
  CHECK(report.entity() == "pool/" + pool);
  REQUIRE(report.entries_size() == static_cast<int>(pool_txs.size()));
  for (size_t i = 0; i < pool_txs.size(); ++i) {
    INFO(i);
    CHECK(report.entries(static_cast<int>(i)).tx_id() == pool_txs[i]);
  }
  CHECK(report.entries(0).action() == "pool_create");
  CHECK(report.entries(report.entries_size() - 1).code() == "POOL_CLOSED");
  // The pool as it was right after its creation, through the node's API (--as-of).
  audit = RunProgram("pledger-audit",
                     {"history", "pool", pool, "--as-of", std::to_string(report.entries(0).height()), "--node",
                      c.ApiUrl(0), "--genesis", root + "/genesis.json", "--json", "--key", root + "/accounts/ipo-a.key"},
                     env, root);
  INFO(audit.command << "\n" << audit.out << audit.err);
  REQUIRE(audit.code == 0);
  tools::audit::AsOfReport then = ParseOut<tools::audit::AsOfReport>(audit);
  REQUIRE(then.found());
  contracts::Pool created_pool;
  REQUIRE(google::protobuf::util::JsonStringToMessage(then.record_json(), &created_pool).ok());
  CHECK(created_pool.id() == pool);
  CHECK(created_pool.state() == contracts::POOL_OPEN);
  CHECK(created_pool.active_members() == 0);
  // And a tranche's: issuance, the transfer, the refused transfer, the payment dates.
  audit = RunProgram("pledger-audit",
                     {"history", "tranche", pool, "1", "--node", c.ApiUrl(2), "--genesis", root + "/genesis.json",
                      "--json", "--key", root + "/accounts/ipo-a.key"},
                     env, root);
  INFO(audit.command << "\n" << audit.out << audit.err);
  REQUIRE(audit.code == 0);
  report = ParseOut<tools::audit::HistoryReport>(audit);
  REQUIRE(report.entries_size() >= 3);
  CHECK(report.entries(0).tx_id() == issue_result.tx_id());
  CHECK(report.entries(1).action() == "holding_transfer");
  CHECK(report.entries(2).code() == "HOLDING_INSUFFICIENT");
}

}  // namespace
}  // namespace pledger::test
