// pledger-wallet's pool, tranche and holding commands: bodies built
// byte-exactly, every bad flag a usage error naming the flag (offline, and
// with the checks that need the node's pool), what `inspect` says each action
// does and who must sign it (trustee, owners, pledgees, the guarantor when the
// waterfall draws on it), the guarantor's co-signing flow on a file, and the
// pool queries. A fake node answers from maps (wallet_harness.h).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <tuple>

#include "contracts/dates.h"
#include "contracts/engine.h"
#include "ledger/bytes.h"
#include "ledger/tx.h"
#include "ledger/io/files.h"
#include "ledger/io/api_json.h"
#include "ledger/io/json.h"
#include "tests/unit/tools/wallet_harness.h"
#include "tools/proto/wallet.pb.h"
#include "tools/wallet/txfile.h"

namespace pledger::test {
namespace {

using contracts::Action;
using contracts::DaysFromCivil;
using tools::wallet::kExitOk;
using tools::wallet::kExitUsage;

const std::string kHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kPool = "5be1c0ffee0123456789abcdef012345";
const std::string kPledge1 = "0123456789abcdef0123456789abcdef";
const std::string kPledge2 = "fedcba9876543210fedcba9876543210";
const std::string kP1 = "ZL201410362077.3";
const std::string kP2 = "ZL201420362077.9";
constexpr std::int64_t kYuan = 100;  // fen

// The wallet's body must be exactly SerializeCanonical of the hand-built one.
tools::TxFile ExpectBody(const std::vector<std::string>& args, const Action& expected) {
  WalletHarness h;
  WalletRun r = h.Run(Offline(args, h.Path("t.json")));
  INFO(args[0] << " " << args[1] << ": " << r.err);
  REQUIRE(r.code == kExitOk);
  tools::TxFile f = ReadTxFile(h.Path("t.json"));
  const std::string want = ledger::SerializeCanonical(Body(expected));
  if (f.tx().body() != want) {
    ledger::TxBody got;
    got.ParseFromString(f.tx().body());
    INFO("got:  " << got.ShortDebugString());
    INFO("want: " << Body(expected).ShortDebugString());
    CHECK(f.tx().body() == want);
  }
  CHECK(f.tx_id() == ledger::HexEncode(ledger::TxId(want)));
  CHECK_FALSE(f.description().empty());
  return f;
}

// The deal of the examples: 1,000,000 yuan in three tranches.
std::vector<std::string> IssueArgs() {
  return {"tranche",    "issue",
          "--pool",     kPool,
          "--tranche",  "1:senior:800000:3.65:AAA",
          "--schedule", "1:2027-06-01:400000",
          "--schedule", "1:2027-12-01:400000",
          "--tranche",  "2:mezzanine:150000:7.30:AA",
          "--schedule", "2:2028-06-01",
          "--tranche",  "3:subordinated:50000",
          "--allocate", "1:inv-a:5000",
          "--allocate", "1:inv-b:3000",
          "--allocate", "2:inv-a:1500",
          "--allocate", "3:lianke:500",
          "--offering-hash", kHash};
}

std::vector<std::string> CreateArgs() {
  return {"pool",       "create",   "--name",    "Hangzhou SME patent pool 2027-1", "--trustee", "spv",
          "--model",    "license",  "--maturity", "2029-06-30", "--deal-size", "1000000", "--deed-hash", kHash};
}

// Replaces the value of the first `flag` (or appends flag value).
std::vector<std::string> With(std::vector<std::string> args, const std::string& flag, const std::string& value) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) {
      args[i + 1] = value;
      return args;
    }
  }
  args.push_back(flag);
  args.push_back(value);
  return args;
}

// Removes every `flag value` pair whose value starts with `prefix`.
std::vector<std::string> Without(std::vector<std::string> args, const std::string& flag, const std::string& prefix = "") {
  for (size_t i = 0; i + 1 < args.size();) {
    if (args[i] == flag && args[i + 1].rfind(prefix, 0) == 0) {
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    } else {
      ++i;
    }
  }
  return args;
}

std::string Words(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

std::vector<std::string> Plus(std::vector<std::string> args, std::vector<std::string> more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// ---- a fake node with the deal on it ------------------------------------------

contracts::PoolView IssuedPool(bool with_guarantor = true) {
  contracts::PoolView v;
  auto* p = v.mutable_pool();
  p->set_id(kPool);
  p->set_name("Hangzhou SME patent pool 2027-1");
  p->set_trustee_org_id("spv");
  p->set_model(contracts::POOL_LICENSE);
  p->set_state(contracts::POOL_ISSUED);
  p->set_created_date(WalletToday() - 40);
  p->set_created_height(12);
  p->set_legal_maturity_date(DaysFromCivil(2029, 6, 30));
  p->set_deal_size_fen(1'000'000 * kYuan);
  p->set_active_members(2);
  p->set_issue_date(WalletToday() - 30);
  p->set_tranche_count(3);
  p->set_last_payment_date(WalletToday() - 30);
  if (with_guarantor) {
    p->set_guarantor_org_id("guar");
    p->set_guarantee_limit_fen(100'000 * kYuan);
  }
  auto* f = p->add_fees();
  f->set_name("manager");
  f->set_payee_org_id("spv");
  f->set_fixed_fen(500 * kYuan);
  p->add_fee_arrears_fen(0);
  for (const std::string& no : {kP1, kP2}) {
    auto* m = v.add_members();
    m->set_pool_id(kPool);
    m->set_ref(no);
    m->set_kind(contracts::POOL_MEMBER_PATENT);
    m->set_state(contracts::POOL_MEMBER_ACTIVE);
    m->add_owner_org_ids("lianke");
    m->set_admitted_date(WalletToday() - 35);
    m->set_collected_fen(12'000 * kYuan);
  }
  auto tranche = [&](std::uint32_t rank, contracts::TrancheClass cls, std::int64_t yuan, std::uint32_t bps,
                     const char* rating) {
    auto* t = v.add_tranches();
    t->set_pool_id(kPool);
    t->set_rank(rank);
    t->set_tranche_class(cls);
    t->set_principal_fen(yuan * kYuan);
    t->set_outstanding_fen(yuan * kYuan);
    t->set_units(yuan / 100);
    t->set_coupon_bps(bps);
    t->set_rating(rating);
    t->set_holders(1);
  };
  tranche(1, contracts::TRANCHE_SENIOR, 800'000, 365, "AAA");
  tranche(2, contracts::TRANCHE_MEZZANINE, 150'000, 730, "AA");
  tranche(3, contracts::TRANCHE_SUBORDINATED, 50'000, 0, "");
  auto holding = [&](std::uint32_t rank, const char* org, std::int64_t units) {
    auto* h = v.add_holdings();
    h->set_pool_id(kPool);
    h->set_rank(rank);
    h->set_investor_org_id(org);
    h->set_units(units);
  };
  holding(1, "inv-a", 8000);
  holding(2, "inv-a", 1500);
  holding(3, "lianke", 500);
  return v;
}

// The trustee, two owners, a bank, an investor and the guarantor, each on its
// own machine, and the node they all talk to.
struct Deal {
  std::shared_ptr<FakeNodeState> node = MakeFakeNode();
  WalletHarness trustee, guarantor, investor;
  Deal() {
    trustee.ImportKey("spv", TestKey(6));
    guarantor.ImportKey("guar", TestKey(8));
    investor.ImportKey("inv-a", TestKey(7));
    for (WalletHarness* h : {&trustee, &guarantor, &investor}) h->node = node;
    node->AddAccount(TestKey(1), "qtbank", contracts::ROLE_BANK);
    node->AddAccount(TestKey(2), "lianke", contracts::ROLE_OWNER);
    node->AddAccount(TestKey(3), "zju", contracts::ROLE_OWNER);
    node->AddAccount(TestKey(6), "spv", contracts::ROLE_TRUSTEE);
    node->AddAccount(TestKey(7), "inv-a", contracts::ROLE_INVESTOR);
    node->AddAccount(TestKey(8), "guar", contracts::ROLE_GUARANTOR);
    node->pools[kPool] = IssuedPool();
  }
  // `pledger-wallet --node ... args` with the party's key.
  static std::vector<std::string> Online(std::vector<std::string> args, const std::string& key) {
    args.insert(args.begin(), {"--node", "http://127.0.0.1:1"});
    for (const std::string& w : {std::string("--chain-id"), std::string("test-chain"), std::string("--key"), key,
                                 std::string("--passphrase-env"), std::string("PW")}) {
      args.push_back(w);
    }
    return args;
  }
};

contracts::PatentView Patent(const std::string& no, std::vector<std::string> owners, const std::string& pledgee = "") {
  contracts::PatentView v;
  v.mutable_patent()->set_patent_no(no);
  for (const auto& o : owners) {
    auto* w = v.mutable_patent()->add_owners();
    w->set_org_id(o);
    w->set_share_bps(static_cast<std::uint32_t>(10000 / owners.size()));
  }
  if (!pledgee.empty()) {
    v.mutable_patent()->set_active_pledge_id(kPledge1);
    v.mutable_active_pledge()->set_id(kPledge1);
    v.mutable_active_pledge()->set_pledgee_org_id(pledgee);
  }
  return v;
}

contracts::PoolStatement Preview(std::int64_t draw_fen) {
  contracts::PoolStatement s;
  s.set_pool_id(kPool);
  s.set_payment_date(WalletToday());
  s.set_period_start_date(WalletToday() - 30);
  s.set_days(30);
  s.set_sequence(1);
  s.set_collections_fen(24'000 * kYuan);
  s.set_guarantor_draw_fen(draw_fen);
  s.set_guarantor_draw_needed_fen(draw_fen);
  s.set_cash_in_fen(24'000 * kYuan + draw_fen);
  s.set_fees_paid_fen(500 * kYuan);
  s.set_interest_paid_fen(3'300 * kYuan);
  s.set_principal_paid_fen(20'200 * kYuan + draw_fen);
  auto* step = s.add_steps();
  step->set_step("H2");
  step->set_what("senior interest");
  step->set_rank(1);
  step->set_amount_fen(2'400 * kYuan);
  return s;
}

// ---- building -------------------------------------------------------------------

TEST_CASE("wallet pool: every pool action is built byte-exactly", "[unit][wallet]") {
  {
    Action a;
    auto* x = a.mutable_pool_create();
    x->set_name("Hangzhou SME patent pool 2027-1");
    x->set_trustee_org_id("spv");
    x->set_model(contracts::POOL_LICENSE);
    x->set_legal_maturity_date(DaysFromCivil(2029, 6, 30));
    x->set_deal_size_fen(1'000'000 * kYuan);
    auto* e = x->mutable_eligibility();
    e->add_patent_types(contracts::PATENT_INVENTION);  // sorted, whatever the order given
    e->add_patent_types(contracts::PATENT_UTILITY);
    e->set_min_life_beyond_maturity_days(365);
    e->set_max_members(20);
    e->set_valuation_required(true);
    auto* f = x->add_fees();
    f->set_name("manager");
    f->set_payee_org_id("spv");
    f->set_fixed_fen(500 * kYuan);
    f = x->add_fees();
    f->set_name("custodian");
    f->set_payee_org_id("qtbank");
    f->set_rate_bps(5);
    x->set_guarantor_org_id("guar");
    x->set_guarantee_limit_fen(100'000 * kYuan);
    x->set_reserve_target_fen(1'000 * kYuan);
    x->set_document_hash(kHash);
    tools::TxFile file = ExpectBody(
        Plus(CreateArgs(), {"--patent-type", "utility-model", "--patent-type", "invention",
                            "--min-life-beyond-maturity-days", "365", "--max-members", "20", "--valuation-required",
                            "--fee", "manager:spv:500", "--fee", "custodian:qtbank:0:0.05%", "--guarantor", "guar",
                            "--guarantee-limit", "100,000", "--reserve", "1000.00"}),
        a);
    // The pool id is known before submitting: the first half of the transaction id.
    CHECK(file.object_id() == file.tx_id().substr(0, 32));
    CHECK(file.action() == "pool_create");

    // The smallest loan pool; the deed hashed from its file.
    WalletHarness tmp;
    REQUIRE(io::WriteFileAtomic(tmp.Path("deed.pdf"), "trust deed 2027-1").ok());
    Action b;
    auto* y = b.mutable_pool_create();
    y->set_name("Loan pool");
    y->set_trustee_org_id("spv");
    y->set_model(contracts::POOL_LOAN);
    y->set_legal_maturity_date(WalletToday() + 400);
    y->set_deal_size_fen(1'000'000 * kYuan);
    y->mutable_eligibility();
    y->set_document_hash(ledger::HexEncode(ledger::Sha256("trust deed 2027-1")));
    ExpectBody({"pool", "create", "--name", "Loan pool", "--trustee", "spv", "--model", "loan", "--maturity",
                "today+400", "--deal-size", "1000000", "--deed", tmp.Path("deed.pdf")},
               b);
  }
  {
    Action a;
    a.mutable_pool_admit_patents()->set_pool_id(kPool);
    a.mutable_pool_admit_patents()->add_patent_nos(kP1);
    a.mutable_pool_admit_patents()->add_patent_nos(kP2);
    ExpectBody({"pool", "admit-patents", "--pool", kPool, "--patent", "ZL 2014 1 0362077.3", "--patent", kP2}, a);
    Action b;
    b.mutable_pool_admit_pledges()->set_pool_id(kPool);
    b.mutable_pool_admit_pledges()->add_pledge_ids(kPledge1);
    b.mutable_pool_admit_pledges()->add_pledge_ids(kPledge2);
    // A 64-hex transaction id stands for the pledge it created.
    ExpectBody({"pool", "admit-pledges", "--pool", kPool, "--pledge", kPledge1 + std::string(32, 'a'), "--pledge",
                kPledge2},
               b);
  }
  {
    Action a;
    auto* x = a.mutable_pool_remove();
    x->set_pool_id(kPool);
    x->set_member(kP1);
    x->set_reason(contracts::POOL_REMOVE_WITHDRAWN);
    ExpectBody({"pool", "remove", "--pool", kPool, "--member", kP1, "--reason", "withdrawn"}, a);
    x->set_member(kPledge1);
    x->set_reason(contracts::POOL_REMOVE_DEFAULT);
    x->set_loss_fen(25'000 * kYuan);
    x->set_document_hash(kHash);
    ExpectBody({"pool", "remove", "--pool", kPool, "--member", kPledge1, "--reason", "default", "--loss", "25000",
                "--document-hash", kHash},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_tranche_issue();
    x->set_pool_id(kPool);
    auto* t = x->add_tranches();
    t->set_tranche_class(contracts::TRANCHE_SENIOR);
    t->set_rank(1);
    t->set_principal_fen(800'000 * kYuan);
    t->set_coupon_bps(365);
    t->set_rating("AAA");
    auto* s = t->add_schedule();
    s->set_date(DaysFromCivil(2027, 6, 1));
    s->set_amount_fen(400'000 * kYuan);
    s = t->add_schedule();
    s->set_date(DaysFromCivil(2027, 12, 1));
    s->set_amount_fen(400'000 * kYuan);
    t = x->add_tranches();
    t->set_tranche_class(contracts::TRANCHE_MEZZANINE);
    t->set_rank(2);
    t->set_principal_fen(150'000 * kYuan);
    t->set_coupon_bps(730);
    t->set_rating("AA");
    s = t->add_schedule();  // a bullet: one step of the whole principal
    s->set_date(DaysFromCivil(2028, 6, 1));
    s->set_amount_fen(150'000 * kYuan);
    t = x->add_tranches();
    t->set_tranche_class(contracts::TRANCHE_SUBORDINATED);
    t->set_rank(3);
    t->set_principal_fen(50'000 * kYuan);
    for (auto [rank, org, units] : std::vector<std::tuple<std::uint32_t, std::string, std::int64_t>>{
             {1, "inv-a", 5000}, {1, "inv-b", 3000}, {2, "inv-a", 1500}, {3, "lianke", 500}}) {
      auto* u = x->add_allocations();
      u->set_rank(rank);
      u->set_investor_org_id(org);
      u->set_units(units);
    }
    x->set_document_hash(kHash);
    ExpectBody(IssueArgs(), a);
    // Tranches are written in rank order whatever order they are given in.
    std::vector<std::string> shuffled = {"tranche", "issue", "--pool", kPool, "--tranche", "3:subordinated:50000",
                                         "--tranche", "2:MEZZANINE:150,000:730bps:AA", "--tranche",
                                         "1:senior:800000:3.65%:AAA"};
    for (const char* v : {"1:2027-06-01:400000", "1:2027-12-01:400000", "2:2028-06-01"}) {
      shuffled.insert(shuffled.end(), {"--schedule", v});
    }
    for (const char* v : {"1:inv-a:5000", "1:inv-b:3000", "2:inv-a:1500", "3:lianke:500"}) {
      shuffled.insert(shuffled.end(), {"--allocate", v});
    }
    shuffled.insert(shuffled.end(), {"--offering-hash", kHash});
    ExpectBody(shuffled, a);
  }
  {
    Action a;
    auto* x = a.mutable_holding_transfer();
    x->set_pool_id(kPool);
    x->set_rank(1);
    x->set_from_org_id("inv-a");
    x->set_to_org_id("inv-b");
    x->set_units(1000);
    ExpectBody({"holding", "transfer", "--pool", kPool, "--rank", "1", "--from", "inv-a", "--to", "inv-b", "--units",
                "1000"},
               a);
  }
  {
    Action a;
    auto* x = a.mutable_pool_collect();
    x->set_pool_id(kPool);
    x->set_collection_date(DaysFromCivil(2026, 11, 20));
    auto item = [&](const std::string& member, contracts::CollectionKind kind, std::int64_t fen) {
      auto* i = x->add_items();
      i->set_member(member);
      i->set_kind(kind);
      i->set_amount_fen(fen);
    };
    // Royalties, then repayments, then recoveries, each in the order given.
    item(kP1, contracts::COLLECTION_ROYALTY, 5'000 * kYuan);
    item(kP2, contracts::COLLECTION_ROYALTY, 123'456);
    item(kPledge1, contracts::COLLECTION_LOAN_REPAYMENT, 7'000 * kYuan);
    item(kP2, contracts::COLLECTION_RECOVERY, 1 * kYuan);
    ExpectBody({"pool", "collect", "--pool", kPool, "--recovery", kP2 + ":1", "--royalty", kP1 + ":5,000",
                "--repayment", kPledge1 + ":7000", "--royalty", kP2 + ":1234.56", "--date", "2026-11-20"},
               a);
    x->set_collection_date(WalletToday());  // default: today
    x->clear_items();
    item(kP1, contracts::COLLECTION_ROYALTY, 5'000 * kYuan);
    ExpectBody({"pool", "collect", "--pool", kPool, "--royalty", kP1 + ":5000"}, a);
  }
  {
    Action a;
    a.mutable_pool_pay()->set_pool_id(kPool);
    a.mutable_pool_pay()->set_payment_date(WalletToday());
    ExpectBody({"pool", "pay", "--pool", kPool}, a);
    a.mutable_pool_pay()->set_payment_date(DaysFromCivil(2026, 11, 1));
    a.mutable_pool_pay()->set_no_shortfall_draw(true);
    ExpectBody({"pool", "pay", "--pool", kPool, "--date", "2026-11-01", "--no-shortfall-draw"}, a);
  }
  {
    Action a;
    a.mutable_pool_trigger()->set_pool_id(kPool);
    a.mutable_pool_trigger()->set_reason(contracts::POOL_TRIGGER_SENIOR_SHORTFALL);
    a.mutable_pool_trigger()->set_document_hash(kHash);
    ExpectBody({"pool", "trigger", "--pool", kPool, "--reason", "senior-shortfall", "--notice-hash", kHash}, a);
    Action b;
    b.mutable_pool_wind_down()->set_pool_id(kPool);
    ExpectBody({"pool", "wind-down", "--pool", kPool}, b);
  }
}

// ---- flag validation -----------------------------------------------------------

struct BadCase {
  std::vector<std::string> args;
  std::string expect;  // text the usage error must contain, flag first
};

void ExpectUsageErrors(const std::vector<BadCase>& cases, const std::shared_ptr<FakeNodeState>& node = nullptr) {
  for (const BadCase& c : cases) {
    WalletHarness h;
    h.node = node;
    std::vector<std::string> args = c.args;
    if (node) args.insert(args.begin(), {"--node", "http://127.0.0.1:1"});
    args = Offline(args, h.Path("t.json"));
    WalletRun r = h.Run(args);
    INFO(Words(c.args) << "\n -> " << r.err);
    CHECK(r.code == kExitUsage);
    CHECK(r.err.find("usage error: " + c.expect) != std::string::npos);
    CHECK_FALSE(io::FileExists(h.Path("t.json")));  // nothing written on a usage error
  }
}

TEST_CASE("wallet pool: bad tranche specs are usage errors naming the flag and the rule", "[unit][wallet]") {
  auto tranche2 = [](const std::string& spec) { return With(IssueArgs(), "--tranche", spec); };
  ExpectUsageErrors({
      {tranche2("1:senior:800000:3.65:AAA:extra"), "--tranche: '1:senior:800000:3.65:AAA:extra' is not RANK:CLASS:"},
      {tranche2("1:senior"), "--tranche: '1:senior' is not RANK:CLASS:PRINCIPAL"},
      {tranche2("0:senior:800000:3.65:AAA"), "--tranche:"},
      {tranche2("10:senior:800000:3.65:AAA"), "--tranche:"},
      {tranche2("one:senior:800000:3.65:AAA"), "--tranche:"},
      {tranche2("1:super-senior:800000:3.65:AAA"), "--tranche: 'super-senior' is not one of"},
      {tranche2("1:senior:800050:3.65:AAA"), "--tranche: rank 1: 800,050.00 yuan is not a whole number of units"},
      {tranche2("1:senior:-800000:3.65:AAA"), "--tranche:"},
      {tranche2("1:senior:0:3.65:AAA"), "--tranche:"},
      {tranche2("1:senior:800000:101%:AAA"), "--tranche:"},
      {tranche2("1:senior:800000:3.65"), "--tranche: rank 1: a senior or mezzanine tranche needs its rating"},
      {tranche2("1:senior:800000:3.65:AAAAAAAAAAAAAAAAA"), "--tranche: rank 1: a rating label is at most 16 bytes"},
      {With(IssueArgs(), "--tranche", "2:mezzanine:800000:3.65:AAA"), "--tranche: rank 2 is given twice; ranks are unique (R32)"},
      // The subordinated tranche: no coupon, no schedule (H6).
      {Plus(Without(IssueArgs(), "--tranche", "3:"), {"--tranche", "3:subordinated:50000:2.5"}),
       "--tranche: rank 3: the subordinated tranche has no coupon; it takes the residual (H6)"},
      {Plus(IssueArgs(), {"--schedule", "3:2028-06-01"}), "--schedule: the subordinated tranche has no schedule"},
      // Structure (R32).
      {Plus(Without(IssueArgs(), "--tranche"), {"--tranche", "1:senior:1000000:3:AAA"}),
       "--tranche: a deal has at least one senior tranche and the subordinated one (R32)"},
      {Plus(Without(IssueArgs(), "--tranche", "1:"), {"--tranche", "1:mezzanine:800000:3.65:A"}),
       "--tranche: a deal has at least one senior tranche and exactly one subordinated tranche (R32)"},
      {Plus(Without(IssueArgs(), "--tranche", "2:"), {"--tranche", "2:subordinated:150000"}),
       "--tranche: a deal has at least one senior tranche and exactly one subordinated tranche (R32)"},
      {Plus(Without(Without(IssueArgs(), "--tranche", "1:"), "--tranche", "2:"),
            {"--tranche", "1:mezzanine:800000:3.65:A", "--tranche", "2:senior:150000:7.3:AA"}),
       "--tranche: rank 2 (senior) ranks below a more junior class; ranks run senior, mezzanine, subordinated (R32)"},
      {Without(IssueArgs(), "--tranche"), "missing required flag --tranche RANK:CLASS:PRINCIPAL"},
  });
}

TEST_CASE("wallet pool: bad schedules and allocations name the flag", "[unit][wallet]") {
  ExpectUsageErrors({
      {Without(IssueArgs(), "--schedule", "2:"), "missing required flag --schedule 2:DATE[:YUAN] for rank 2"},
      {With(IssueArgs(), "--schedule", "1:2027-06-01:300000"),
       "--schedule: rank 1: the steps add up to 700,000.00 yuan, not its principal 800,000.00 yuan (H3)"},
      {With(IssueArgs(), "--schedule", "1:2027-12-01:400000"), "--schedule: rank 1: dates must increase"},
      {With(IssueArgs(), "--schedule", "1:2026-11-27:400000"), "--schedule: rank 1: 2026-11-27 is not after today"},
      {With(IssueArgs(), "--schedule", "1:2027-06-01"),
       "--schedule: rank 1: give each step's amount (RANK:DATE:YUAN) when there are several"},
      {With(IssueArgs(), "--schedule", "4:2027-06-01:400000"), "--schedule: rank 4 is not a --tranche"},
      {With(IssueArgs(), "--schedule", "1:June:400000"), "--schedule:"},
      {With(IssueArgs(), "--schedule", "1"), "--schedule: '1' is not RANK:DATE[:YUAN]"},
      // Principal is sequential: the mezzanine is not repaid before the senior (H3, H4).
      {Plus(Without(IssueArgs(), "--schedule", "2:"), {"--schedule", "2:2027-09-01"}),
       "--schedule: rank 2 would receive principal from 2027-09-01, before the tranche above it is repaid (2027-12-01)"},
      {With(IssueArgs(), "--allocate", "1:inv-a:4000"),
       "--allocate: rank 1 issues 8,000 units (its principal in units of 100 yuan); the allocations place 7,000 (R32)"},
      {Plus(IssueArgs(), {"--allocate", "1:inv-a:1"}), "--allocate: inv-a is allocated rank 1 twice"},
      {Plus(IssueArgs(), {"--allocate", "5:inv-c:1"}), "--allocate: rank 5 is not a --tranche"},
      {Plus(IssueArgs(), {"--allocate", "1:inv-c"}), "--allocate: '1:inv-c' is not RANK:ORG:UNITS"},
      {Plus(IssueArgs(), {"--allocate", "1:Inv C:1"}), "--allocate:"},
      {Plus(IssueArgs(), {"--allocate", "1:inv-c:0"}), "--allocate:"},
      {Without(IssueArgs(), "--allocate", "3:"),
       "--allocate: rank 3 issues 500 units (its principal in units of 100 yuan); the allocations place 0 (R32)"},
      {Without(IssueArgs(), "--offering-hash"), "missing required flag --offering-hash HEX"},
      {With(IssueArgs(), "--pool", "5be1"), "--pool:"},
  });
}

TEST_CASE("wallet pool: bad flags of the other pool actions name the flag", "[unit][wallet]") {
  const std::string pool = kPool;
  ExpectUsageErrors({
      {With(CreateArgs(), "--model", "lease"), "--model: 'lease' is not one of"},
      {Without(CreateArgs(), "--model"), "missing required flag --model (one of: license, licence, loan)"},
      {With(CreateArgs(), "--maturity", "today"), "--maturity: 2026-11-27 is not after today (2026-11-27)"},
      {With(CreateArgs(), "--deal-size", "0"), "--deal-size:"},
      {Without(CreateArgs(), "--trustee"), "missing required flag --trustee"},
      {Without(CreateArgs(), "--deed-hash"), "missing required flag --deed-hash HEX"},
      {With(CreateArgs(), "--name", std::string(300, 'n')), "--name: is 300 bytes; at most 256"},
      {Plus(CreateArgs(), {"--patent-type", "invention", "--patent-type", "invention"}),
       "--patent-type: invention is given twice"},
      {Plus(CreateArgs(), {"--patent-type", "software"}), "--patent-type: 'software' is not one of"},
      {Plus(CreateArgs(), {"--max-members", "513"}), "--max-members:"},
      {Plus(CreateArgs(), {"--min-life-beyond-maturity-days", "-1"}), "--min-life-beyond-maturity-days:"},
      {Plus(CreateArgs(), {"--fee", "manager:spv"}), "--fee: 'manager:spv' is not NAME:PAYEE:YUAN[:RATE]"},
      {Plus(CreateArgs(), {"--fee", "manager:spv:500", "--fee", "manager:qtbank:5"}), "--fee: fee 'manager' is given twice"},
      {Plus(CreateArgs(), {"--fee", "manager:spv:0"}), "--fee: fee 'manager' is zero"},
      {Plus(CreateArgs(), {"--fee", "manager:SPV 1:5"}), "--fee:"},
      {Plus(CreateArgs(), {"--fee", ":spv:5"}), "--fee: a fee's name is 1 to 64 bytes"},
      {[&] {
         auto a = CreateArgs();
         for (int i = 0; i < 9; ++i) a = Plus(a, {"--fee", "f" + std::to_string(i) + ":spv:1"});
         return a;
       }(),
       "--fee: at most 8 fee lines (H1)"},
      {Plus(CreateArgs(), {"--guarantor", "guar"}), "missing required flag --guarantee-limit YUAN"},
      {Plus(CreateArgs(), {"--guarantee-limit", "1000"}), "--guarantee-limit: goes with --guarantor ORG (H5)"},
      {Plus(CreateArgs(), {"--reserve", "-1"}), "--reserve:"},
      {{"pool", "admit-patents", "--pool", pool, "--patent", kP1, "--patent", "zl 2014 1 0362077.3"},
       "--patent: ZL201410362077.3 is given twice"},
      {{"pool", "admit-patents", "--pool", pool}, "missing required flag --patent"},
      {{"pool", "admit-patents", "--pool", pool, "--patent", "ZL201910123456.7"}, "--patent: ZL201910123456.7 fails the check digit"},
      {{"pool", "admit-pledges", "--pool", pool, "--pledge", kPledge1, "--pledge", kPledge1},
       "--pledge: " + kPledge1 + " is given twice"},
      {{"pool", "admit-pledges", "--pool", pool}, "missing required flag --pledge ID"},
      {{"pool", "remove", "--pool", pool, "--member", kP1, "--reason", "withdrawn", "--loss", "5"},
       "--loss: a loss goes only with --reason default (R32)"},
      {{"pool", "remove", "--pool", pool, "--member", kP1, "--reason", "default"}, "missing required flag --document-hash"},
      {{"pool", "remove", "--pool", pool, "--member", "ZL123", "--reason", "withdrawn"},
       "--member: 'ZL123' is neither a patent number (ZL…) nor a pledge id (32 hex)"},
      {{"pool", "remove", "--pool", pool, "--member", kP1, "--reason", "sold"}, "--reason: 'sold' is not one of"},
      {{"holding", "transfer", "--pool", pool, "--rank", "1", "--from", "inv-a", "--to", "inv-a", "--units", "5"},
       "--to: is the holder itself (--from inv-a)"},
      {{"holding", "transfer", "--pool", pool, "--rank", "1", "--from", "inv-a", "--to", "inv-b", "--units", "0"}, "--units:"},
      {{"holding", "transfer", "--pool", pool, "--rank", "0", "--from", "inv-a", "--to", "inv-b", "--units", "5"}, "--rank:"},
      {{"holding", "transfer", "--pool", pool, "--rank", "1", "--from", "inv-a", "--to", "inv-b"},
       "missing required flag --units"},
      {{"pool", "collect", "--pool", pool}, "missing required flag: give --royalty PATENT:YUAN"},
      {{"pool", "collect", "--pool", pool, "--royalty", kP1}, "--royalty: 'ZL201410362077.3' is not MEMBER:YUAN"},
      {{"pool", "collect", "--pool", pool, "--royalty", kPledge1 + ":5"}, "--royalty:"},
      {{"pool", "collect", "--pool", pool, "--repayment", kP1 + ":5"}, "--repayment:"},
      {{"pool", "collect", "--pool", pool, "--royalty", kP1 + ":0"}, "--royalty:"},
      {{"pool", "collect", "--pool", pool, "--royalty", kP1 + ":5", "--date", "today+1"},
       "--date: 2026-11-28 is in the future (today is 2026-11-27)"},
      {{"pool", "pay", "--pool", pool, "--date", "2026-12-01"}, "--date: 2026-12-01 is in the future"},
      {{"pool", "trigger", "--pool", pool, "--reason", "panic", "--notice-hash", kHash}, "--reason: 'panic' is not one of"},
      {{"pool", "trigger", "--pool", pool, "--reason", "other"}, "missing required flag --notice-hash"},
      {{"pool", "wind-down", "--pool", "not-a-pool"}, "--pool: 'not-a-pool' is not an id"},
      {{"pool", "wind-down"}, "missing required flag --pool"},
  });
  // More than 64 collections in one transaction.
  std::vector<std::string> many = {"pool", "collect", "--pool", pool};
  for (int i = 0; i < 65; ++i) many = Plus(many, {"--royalty", kP1 + ":" + std::to_string(i + 1)});
  ExpectUsageErrors({{many, "at most 64 collections in one transaction"}});
}

TEST_CASE("wallet pool: with a node the wallet checks the deal against the pool (R32, H7)", "[unit][wallet]") {
  auto node = MakeFakeNode();
  contracts::PoolView open = IssuedPool();
  open.mutable_pool()->set_state(contracts::POOL_OPEN);
  open.mutable_pool()->set_issue_date(0);
  open.mutable_pool()->set_legal_maturity_date(DaysFromCivil(2028, 3, 31));
  open.mutable_pool()->set_deal_size_fen(1'200'000 * kYuan);
  node->pools[kPool] = open;
  ExpectUsageErrors(
      {
          {IssueArgs(), "--tranche: the tranches add up to 1,000,000.00 yuan; the deal size of pool " + kPool +
                            " is 1,200,000.00 yuan (R32)"},
          {With(IssueArgs(), "--pool", kPledge1), "--pool: there is no pool " + kPledge1 + " on the ledger"},
          // Preview refusals name the flag at fault.
          {{"pool", "pay", "--pool", kPool}, "--pool: refused by the fake node"},
          {{"pool", "pay", "--pool", kPledge1}, "--pool: there is no pool " + kPledge1},
      },
      node);
  open.mutable_pool()->set_deal_size_fen(1'000'000 * kYuan);
  node->pools[kPool] = open;
  ExpectUsageErrors({{IssueArgs(), "--schedule: rank 2: 2028-06-01 is after the pool's legal maturity 2028-03-31"}},
                    node);
  node->pools[kPool] = IssuedPool();
  node->preview_refusal = "POOL_PAYMENT_DATE_INVALID";
  ExpectUsageErrors({{{"pool", "pay", "--pool", kPool, "--date", "2026-10-01"}, "--date: refused by the fake node"}},
                    node);

  // The deal as the pool has it passes, and the draft asked the node once per look-up.
  WalletHarness h;
  h.node = node;
  open.mutable_pool()->set_legal_maturity_date(DaysFromCivil(2029, 6, 30));
  node->pools[kPool] = open;
  WalletRun r = h.Run(Plus({"--node", "http://127.0.0.1:1"}, Offline(IssueArgs(), h.Path("t.json"))));
  INFO(r.err);
  CHECK(r.code == kExitOk);
  CHECK(std::count(node->requests.begin(), node->requests.end(), "GET /v1/pools/" + kPool) >= 1);

  // --json: the stable code (the flag at fault) and the message.
  WalletHarness j;
  r = j.Run(Plus(Offline(With(IssueArgs(), "--allocate", "1:inv-a:1"), j.Path("t.json")), {"--json"}));
  CHECK(r.code == kExitUsage);
  CHECK(r.out.find("\"code\": \"FLAG_INVALID\"") != std::string::npos);
  CHECK(r.out.find("\"flag\": \"allocate\"") != std::string::npos);
  CHECK(r.out.find("the allocations place 3,001 (R32)") != std::string::npos);
}

// ---- what inspect says, and who signs ---------------------------------------------

// Drafts `args` unsigned on `h` and returns `inspect`'s text.
std::string DraftAndInspect(WalletHarness& h, std::vector<std::string> args, bool online) {
  if (online) args.insert(args.begin(), {"--node", "http://127.0.0.1:1"});
  WalletRun r = h.Run(Offline(args, h.Path("d.json")));
  INFO(Words(args) << "\n" << r.err);
  REQUIRE(r.code == kExitOk);
  std::vector<std::string> inspect = {"inspect", h.Path("d.json")};
  if (online) inspect.insert(inspect.begin(), {"--node", "http://127.0.0.1:1"});
  r = h.Run(inspect);
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  REQUIRE(::unlink(h.Path("d.json").c_str()) == 0);
  return r.out;
}

TEST_CASE("wallet pool: inspect describes each pool action and its signers offline", "[unit][wallet]") {
  WalletHarness h;
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {Plus(CreateArgs(), {"--fee", "manager:spv:500", "--guarantor", "guar", "--guarantee-limit", "100000"}),
       {"Create pool 'Hangzhou SME patent pool 2027-1' of 1,000,000.00 yuan run by trustee spv, legal maturity 2029-06-30",
        "Creates:  pool ", "Fee 1 (H1):", "manager to spv: 500.00 yuan per payment date",
        "guar, pays senior shortfalls up to 100,000.00 yuan in all (H5)", "[MISSING] trustee spv (creates the pool)"}},
      {{"pool", "admit-patents", "--pool", kPool, "--patent", kP1},
       {"Admit 1 patent into pool " + kPool + " and lock them (R31)", "[MISSING] the trustee of pool " + kPool,
        "[MISSING] every owner of " + kP1 + " (R31)", "[MISSING] the pledgee bank, if " + kP1 + " is pledged (R13)"}},
      {{"pool", "admit-pledges", "--pool", kPool, "--pledge", kPledge1},
       {"Sell the loans of 1 pledge to pool " + kPool + " (R31)",
        "[MISSING] the pledgee bank of pledge " + kPledge1 + " (sells the loan, R31)"}},
      {{"pool", "remove", "--pool", kPool, "--member", kP1, "--reason", "default", "--loss", "25000",
        "--document-hash", kHash},
       {"Remove " + kP1 + " from pool " + kPool + " (default)", "25,000.00 yuan, written off the lowest rank first (R32)",
        "[MISSING] the trustee of pool " + kPool}},
      {IssueArgs(),
       {"Issue 3 tranches of pool " + kPool + " (1,000,000.00 yuan)",
        "senior, 800,000.00 yuan (8,000 units), coupon 3.65 % a year (ACT/365), rated AAA; principal 400,000.00 yuan on "
        "2027-06-01, 400,000.00 yuan on 2027-12-01",
        "subordinated, 50,000.00 yuan (500 units), takes the residual (H6)", "inv-a 5,000, inv-b 3,000",
        "[MISSING] the trustee of pool " + kPool}},
      {{"holding", "transfer", "--pool", kPool, "--rank", "1", "--from", "inv-a", "--to", "inv-b", "--units", "1000"},
       {"Transfer 1,000 units of rank 1 of pool " + kPool + " from inv-a to inv-b", "1,000 (100,000.00 yuan face)",
        "[MISSING] investor inv-a (the holder gives the units)"}},
      {{"pool", "collect", "--pool", kPool, "--royalty", kP1 + ":5000", "--recovery", kPledge1 + ":10"},
       {"Record 5,010.00 yuan collected for pool " + kPool + " (2 items, H7)", "royalty 5,000.00 yuan",
        "recovery 10.00 yuan", "[MISSING] the trustee of pool " + kPool}},
      {{"pool", "pay", "--pool", kPool, "--date", "2026-11-20"},
       {"Run the payment date 2026-11-20 of pool " + kPool + " (waterfall H1-H6)",
        "[MISSING] the trustee of pool " + kPool, "[MISSING] the pool's guarantor, if the waterfall draws on it (H5)"}},
      {{"pool", "trigger", "--pool", kPool, "--reason", "collateral-default", "--notice-hash", kHash},
       {"Declare a trigger event on pool " + kPool + ": collateral default (irreversible, H8)",
        "[MISSING] the trustee of pool " + kPool}},
      {{"pool", "wind-down", "--pool", kPool},
       {"Wind down pool " + kPool + " (releases every lock)", "[MISSING] the trustee of pool " + kPool}},
  };
  for (const Case& c : cases) {
    const std::string out = DraftAndInspect(h, c.args, false);
    INFO(out);
    for (const auto& e : c.expect) {
      INFO(e);
      CHECK(out.find(e) != std::string::npos);
    }
  }
  // Without a guarantor's draw there is no guarantor to ask.
  const std::string out = DraftAndInspect(h, {"pool", "pay", "--pool", kPool, "--no-shortfall-draw"}, false);
  CHECK(out.find("not drawn: it did not pay") != std::string::npos);
  CHECK(out.find("guarantor, if") == std::string::npos);
}

TEST_CASE("wallet pool: with a node the signers are the pool's own parties", "[unit][wallet]") {
  Deal d;
  d.node->patents[kP1] = Patent(kP1, {"lianke"});
  d.node->patents[kP2] = Patent(kP2, {"lianke", "zju"}, "qtbank");
  contracts::Pledge pledge;
  pledge.set_id(kPledge1);
  pledge.set_pledgee_org_id("qtbank");
  d.node->pledges[kPledge1] = pledge;
  pledge.set_id(kPledge2);
  d.node->pledges[kPledge2] = pledge;
  WalletHarness& h = d.trustee;

  // Admission: the trustee, each owner once however many patents it owns, the pledgee of a pledged patent.
  std::string out = DraftAndInspect(h, {"pool", "admit-patents", "--pool", kPool, "--patent", kP1, "--patent", kP2}, true);
  CHECK(out.find("[MISSING] trustee spv (runs the pool)") != std::string::npos);
  CHECK(out.find("[MISSING] owner lianke (admits its patent, R31)") != std::string::npos);
  CHECK(out.find("[MISSING] owner zju (admits its patent, R31)") != std::string::npos);
  CHECK(out.find("[MISSING] bank qtbank (pledgee of " + kP2 + ", R13)") != std::string::npos);
  CHECK(out.find("[MISSING] owner lianke", out.find("[MISSING] owner lianke") + 1) == std::string::npos);
  CHECK(out.find("if " + kP1 + " is pledged") == std::string::npos);
  // Loans: the trustee and each selling bank once.
  out = DraftAndInspect(h, {"pool", "admit-pledges", "--pool", kPool, "--pledge", kPledge1, "--pledge", kPledge2}, true);
  CHECK(out.find("[MISSING] trustee spv (runs the pool)") != std::string::npos);
  CHECK(out.find("[MISSING] bank qtbank (sells the loan, R31)") != std::string::npos);
  CHECK(out.find("[MISSING] bank qtbank", out.find("[MISSING] bank qtbank") + 1) == std::string::npos);

  // A payment date that draws on the guarantor: it must co-sign, and the label says how much (H5).
  d.node->previews[kPool + "/2026-11-27"] = Preview(1'234'567);
  d.node->previews[kPool + "/2026-11-27/no-draw"] = Preview(0);
  out = DraftAndInspect(h, {"pool", "pay", "--pool", kPool}, true);
  CHECK(out.find("[MISSING] trustee spv (runs the pool)") != std::string::npos);
  CHECK(out.find("[MISSING] guarantor guar (shortfall provider: the waterfall on 2026-11-27 draws 12,345.67 yuan "
                 "from it, H5)") != std::string::npos);
  CHECK(out.find("pledger-wallet pool preview " + kPool + " --date 2026-11-27") != std::string::npos);
  // Asked not to draw, or a waterfall that needs no draw: the trustee alone.
  out = DraftAndInspect(h, {"pool", "pay", "--pool", kPool, "--no-shortfall-draw"}, true);
  CHECK(out.find("guarantor guar") == std::string::npos);
  d.node->previews[kPool + "/2026-11-27"] = Preview(0);
  out = DraftAndInspect(h, {"pool", "pay", "--pool", kPool}, true);
  CHECK(out.find("guarantor guar") == std::string::npos);
  CHECK(out.find("[MISSING] trustee spv (runs the pool)") != std::string::npos);
  // A pool without a guarantor never asks for one.
  d.node->pools[kPool] = IssuedPool(/*with_guarantor=*/false);
  d.node->previews[kPool + "/2026-11-27"] = Preview(1'234'567);
  out = DraftAndInspect(h, {"pool", "pay", "--pool", kPool}, true);
  CHECK(out.find("[MISSING] trustee spv (runs the pool)") != std::string::npos);
  CHECK(out.find("[MISSING] guarantor") == std::string::npos);
  CHECK(out.find("[MISSING] the pool's guarantor") == std::string::npos);
}

TEST_CASE("wallet pool: the trustee submits alone, the guarantor co-signs a drawing payment date", "[unit][wallet]") {
  Deal d;
  // A one-party action goes straight through, and --quiet prints the new pool's id.
  WalletRun r = d.trustee.Run(Deal::Online(Plus(CreateArgs(), {"--quiet"}), "spv"));
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  REQUIRE(d.node->submitted.size() == 1);
  CHECK(r.out == contracts::ObjectIdFromTxId(ledger::TxId(d.node->submitted[0])) + "\n");

  // The waterfall draws on the guarantor: submitting with the trustee's key alone is held back.
  d.node->previews[kPool + "/2026-11-27"] = Preview(1'234'567);
  r = d.trustee.Run(Deal::Online({"pool", "pay", "--pool", kPool}, "spv"));
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("also needs the signature of: guarantor guar") != std::string::npos);
  // The builder's preview note tells the trustee before anything is signed.
  CHECK(r.err.find("guarantor 12,345.67") != std::string::npos);
  CHECK(d.node->submitted.size() == 1);

  // Draft, the guarantor signs on its machine, the trustee submits.
  r = d.trustee.Run(Deal::Online({"pool", "pay", "--pool", kPool, "--out", d.trustee.Path("pay.json")}, "spv"));
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("[signed]  trustee spv (runs the pool)") != std::string::npos);
  CHECK(r.out.find("[MISSING] guarantor guar") != std::string::npos);
  auto data = io::ReadFile(d.trustee.Path("pay.json"));
  REQUIRE(data.ok());
  REQUIRE(io::WriteFileAtomic(d.guarantor.Path("pay.json"), *data).ok());
  r = d.guarantor.Run({"--node", "http://127.0.0.1:1", "sign", d.guarantor.Path("pay.json"), "--key", "guar",
                       "--passphrase-env", "PW"});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("[signed]  guarantor guar") != std::string::npos);
  data = io::ReadFile(d.guarantor.Path("pay.json"));
  REQUIRE(data.ok());
  REQUIRE(io::WriteFileAtomic(d.trustee.Path("pay.json"), *data).ok());
  r = d.trustee.Run({"--node", "http://127.0.0.1:1", "submit", d.trustee.Path("pay.json")});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  REQUIRE(d.node->submitted.size() == 2);
  CHECK(d.node->submitted[1].signatures_size() == 2);
  ledger::TxBody body;
  REQUIRE(body.ParseFromString(d.node->submitted[1].body()));
  CHECK(body.action().pool_pay().payment_date() == WalletToday());

  // An investor transfers its own units.
  r = d.investor.Run(Deal::Online({"holding", "transfer", "--pool", kPool, "--rank", "1", "--from", "inv-a", "--to",
                                   "inv-b", "--units", "1000"},
                                  "inv-a"));
  INFO(r.err);
  CHECK(r.code == kExitOk);
  CHECK(d.node->submitted.size() == 3);
  // Someone else's units: the holder must sign.
  r = d.investor.Run(Deal::Online({"holding", "transfer", "--pool", kPool, "--rank", "1", "--from", "inv-b", "--to",
                                   "inv-a", "--units", "1000"},
                                  "inv-a"));
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("also needs the signature of: investor inv-b (the holder gives the units)") != std::string::npos);
}

// ---- queries ----------------------------------------------------------------------

TEST_CASE("wallet pool: queries show the pool, statements, previews, holdings and organisations", "[unit][wallet]") {
  Deal d;
  WalletHarness& h = d.investor;
  WalletRun r = h.Run({"--node", "http://127.0.0.1:1", "pool", "show", kPool});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("State:") != std::string::npos);
  CHECK(r.out.find("issued") != std::string::npos);
  CHECK(r.out.find("Guarantor:") != std::string::npos);
  CHECK(r.out.find("guar: drawn 0.00 yuan of 100,000.00 yuan (H5)") != std::string::npos);
  CHECK(r.out.find(kP1) != std::string::npos);
  CHECK(r.out.find("800,000.00") != std::string::npos);
  CHECK(r.out.find("8,000") != std::string::npos);  // inv-a's units
  r = h.Run({"--node", "http://127.0.0.1:1", "pool", "show", kPool, "--json"});
  REQUIRE(r.code == kExitOk);
  contracts::PoolView v;
  REQUIRE(io::ApiJsonToMessage(r.out, &v, "pool show", /*ignore_unknown_fields=*/false).ok());  // the node's answer, unchanged
  CHECK(v.pool().deal_size_fen() == 1'000'000 * kYuan);
  CHECK(v.tranches_size() == 3);

  r = h.Run({"--node", "http://127.0.0.1:1", "pool", "show", kPledge1});
  CHECK(r.code != kExitOk);
  CHECK(r.err.find("POOL_NOT_FOUND") != std::string::npos);

  d.node->previews[kPool + "/2026-11-27"] = Preview(1'234'567);
  r = h.Run({"--node", "http://127.0.0.1:1", "pool", "preview", kPool});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("Preview of the payment date 2026-11-27") != std::string::npos);
  CHECK(r.out.find("The waterfall draws 12,345.67 yuan from the guarantor (H5)") != std::string::npos);
  CHECK(d.node->targets.back() == "GET /v1/pools/" + kPool + "/preview?date=2026-11-27");
  d.node->previews[kPool + "/2026-12-31/no-draw"] = Preview(0);
  r = h.Run({"--node", "http://127.0.0.1:1", "pool", "preview", kPool, "--date", "2026-12-31", "--no-shortfall-draw"});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);  // a planning date after today is allowed
  CHECK(r.out.find("draws") == std::string::npos);
  CHECK(d.node->targets.back() == "GET /v1/pools/" + kPool + "/preview?date=2026-12-31&no_shortfall_draw=true");

  contracts::PoolStatement st = Preview(0);
  st.set_payment_date(DaysFromCivil(2026, 11, 20));
  st.set_senior_shortfall_fen(50'000);
  d.node->statements[kPool + "/2026-11-20"] = st;
  r = h.Run({"--node", "http://127.0.0.1:1", "pool", "statement", kPool, "--date", "2026-11-20"});
  INFO(r.err);
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("500.00 yuan unpaid: grounds for a trigger (H8)") != std::string::npos);
  CHECK(r.out.find("senior interest") != std::string::npos);
  r = h.Run({"--node", "http://127.0.0.1:1", "pool", "statement", kPool});
  CHECK(r.code == kExitUsage);
  r = h.Run({"--node", "http://127.0.0.1:1", "pool", "statement", kPool, "--date", "2026-11-21"});
  CHECK(r.err.find("POOL_STATEMENT_NOT_FOUND") != std::string::npos);

  r = h.Run({"--node", "http://127.0.0.1:1", "pools", "--trustee", "spv"});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find(kPool) != std::string::npos);
  r = h.Run({"--node", "http://127.0.0.1:1", "pools", "--trustee", "nobody"});
  CHECK(r.out.find("No pools of trustee nobody.") != std::string::npos);

  contracts::HoldingList hl;
  auto* hold = hl.add_holdings();
  hold->set_pool_id(kPool);
  hold->set_rank(1);
  hold->set_investor_org_id("inv-a");
  hold->set_units(8000);
  hold->set_interest_received_fen(240'000);
  d.node->holdings["inv-a"] = hl;
  r = h.Run({"--node", "http://127.0.0.1:1", "holdings", "--investor", "inv-a"});
  REQUIRE(r.code == kExitOk);
  CHECK(r.out.find("800,000.00") != std::string::npos);  // face of 8,000 units
  CHECK(r.out.find("2,400.00") != std::string::npos);
  r = h.Run({"--node", "http://127.0.0.1:1", "holdings"});
  CHECK(r.code == kExitUsage);

  for (auto [id, kind] : std::vector<std::pair<std::string, contracts::OrgKind>>{
           {"spv", contracts::ORG_TRUSTEE}, {"zjipo", contracts::ORG_IP_OFFICE}, {"guar", contracts::ORG_GUARANTOR}}) {
    d.node->orgs[id].set_id(id);
    d.node->orgs[id].set_kind(kind);
  }
  r = h.Run({"--node", "http://127.0.0.1:1", "org", "list", "--kind", "trustee"});
  REQUIRE(r.code == kExitOk);
  CHECK(d.node->targets.back() == "GET /v1/orgs?kind=ORG_TRUSTEE");
  CHECK(r.out.find("spv") != std::string::npos);
  CHECK(r.out.find("guar") == std::string::npos);
  r = h.Run({"--node", "http://127.0.0.1:1", "org", "list", "--kind", "pirate"});
  CHECK(r.code == kExitUsage);
  CHECK(r.err.find("--kind: 'pirate' is not one of") != std::string::npos);
}

TEST_CASE("wallet pool: the governance quorum counts today's IP offices when the node lists them", "[unit][wallet]") {
  Deal d;
  d.trustee.ImportKey("zjipo", TestKey(3));
  d.node->AddAccount(TestKey(3), "zjipo", contracts::ROLE_IP_OFFICE);
  auto* g = d.node->genesis.add_organisations();  // the genesis knew two offices
  g->set_id("zjipo");
  g->set_kind(contracts::ORG_IP_OFFICE);
  g = d.node->genesis.add_organisations();
  g->set_id("nbipo");
  g->set_kind(contracts::ORG_IP_OFFICE);
  const std::vector<std::string> org_add = {"gov", "org-add", "--id", "inv-c", "--name", "Investor C", "--kind",
                                            "investor", "--address", "Hangzhou"};
  // A node that lists no organisations: the genesis, with a note that it is a lower bound.
  std::string out = DraftAndInspect(d.trustee, org_add, true);
  CHECK(out.find("IP offices of 2 different IP-office organisations (more than half of 2)") != std::string::npos);
  CHECK(out.find("the quorum counts the IP offices in the genesis") != std::string::npos);
  // Three offices on the ledger now: two are needed, and no note.
  for (const char* id : {"zjipo", "nbipo", "jsipo"}) {
    d.node->orgs[id].set_id(id);
    d.node->orgs[id].set_kind(contracts::ORG_IP_OFFICE);
  }
  d.node->orgs["spv"].set_id("spv");
  d.node->orgs["spv"].set_kind(contracts::ORG_TRUSTEE);
  out = DraftAndInspect(d.trustee, org_add, true);
  CHECK(out.find("IP offices of 2 different IP-office organisations (more than half of 3)") != std::string::npos);
  CHECK(out.find("in the genesis") == std::string::npos);
  CHECK(std::find(d.node->targets.begin(), d.node->targets.end(), "GET /v1/orgs?kind=ORG_IP_OFFICE") !=
        d.node->targets.end());
}

}  // namespace
}  // namespace pledger::test
