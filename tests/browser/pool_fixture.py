"""A real patent pool for the explorer's browser test: a licence pool of two
of the SME's patents, three tranches, four holdings and one payment date,
built with pledger-wallet in the steps of tests/integration/pool_e2e_test.cc
(licences to the trustee, creation, admission co-signed by the owner,
issuance, royalties, a payment date).

A payment date must come after the issue date and not after today (H7), so
the cluster runs on the test clock (cluster.py): the pool is issued today,
then every node's and wallet's clock moves to noon of the next day, and the
trustee runs the waterfall on that date. The figures below are worked out by
hand from RULES.md section H (ACT/365 fixed, interest rounded down to the
fen, holders paid pro rata by units, the odd fen to the largest remainder),
not read back from the node, so a wrong figure anywhere fails the test.
"""
import os

PATENTS = (("ZL201510215001.2", "Pooled invention: torque sensor housing", "2015-03-02", "2017-01-10"),
           ("ZL201610481234.1", "Pooled invention: strain gauge bridge", "2016-05-11", "2018-02-20"))
POOL_NAME = "Hangzhou SME patent pool 2026-1"
TRUSTEE, GUARANTOR = "zjspv", "zjguar"
DOC = "5d41402abc4b2a76b9719d911017c592" * 2  # a document hash (64 hex)

# The deal, in fen. Issued on day d, paid on day d + 1 (one day of interest).
DEAL_SIZE = 1_000_000_00
TRANCHES = [
    # rank, class (API enum), principal, coupon bps, rating, allocations {org: units}
    (1, "TRANCHE_SENIOR", 800_000_00, 385, "AAA", {"inv-a": 5000, "inv-b": 3000}),
    (2, "TRANCHE_MEZZANINE", 150_000_00, 730, "AA", {"inv-a": 1500}),
    (3, "TRANCHE_SUBORDINATED", 50_000_00, 0, "", {"lianke": 500}),
]
ROYALTIES = (312_345_67, 98_765_43)  # one per patent
SENIOR_STEP_1 = 300_000_00           # scheduled on the first payment date
FEE = 500_00                         # "manager" fixed fee per payment date (H1)


def expected_waterfall():
    """The first payment date's statement, by hand (docs/contracts.md H1-H6)."""
    cash = sum(ROYALTIES)                                   # 411,111.10
    senior_interest = 800_000_00 * 385 * 1 // (10000 * 365)  # 84.38 (84.3835... rounded down)
    mezz_interest = 150_000_00 * 730 * 1 // (10000 * 365)    # 30.00
    residual = cash - FEE - senior_interest - mezz_interest - SENIOR_STEP_1
    tranches = {
        1: {"interest": senior_interest, "principal": SENIOR_STEP_1, "residual": 0,
            "balance_after": 800_000_00 - SENIOR_STEP_1},
        2: {"interest": mezz_interest, "principal": 0, "residual": 0, "balance_after": 150_000_00},
        3: {"interest": 0, "principal": 0, "residual": residual, "balance_after": 50_000_00},
    }
    # Holders by units: 84.38 yuan over 5,000 + 3,000 senior units is
    # 52.7375 / 31.6425 -> 52.73 / 31.64 and the odd fen to the larger
    # remainder (inv-a): 52.74 / 31.64.
    holders = {(1, "inv-a"): {"units": 5000, "interest": 52_74, "principal": 187_500_00, "residual": 0},
               (1, "inv-b"): {"units": 3000, "interest": 31_64, "principal": 112_500_00, "residual": 0},
               (2, "inv-a"): {"units": 1500, "interest": 30_00, "principal": 0, "residual": 0},
               (3, "lianke"): {"units": 500, "interest": 0, "principal": 0, "residual": residual}}
    assert cash == 411_111_10 and senior_interest == 84_38 and mezz_interest == 30_00 and residual == 110_496_72
    return {"cash_in": cash, "fees": FEE, "carried_out": 0, "tranches": tranches, "holders": holders}


def yuan(fen):
    return "%s.%02d" % ("{:,}".format(fen // 100), fen % 100)


def plain(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def days_of(iso):
    import datetime
    return (datetime.date.fromisoformat(iso) - datetime.date(1970, 1, 1)).days


def build_pool(c):
    """Builds the pool on cluster `c` (after Cluster.build_chain, whose keys
    and profiles it reuses). Moves the cluster's clock to the next day.
    Returns {"pool", "issue_date", "pay_date", "patents", "expected"}."""
    for k in ("spv", "guar", "inv-a", "inv-b"):
        c.signing("key", "import", k, "--from", os.path.join(c.dir, "accounts", k + ".key"))
    for name, node in (("spv", 0), ("guar", 1), ("inv-a", 2), ("inv-b", 0)):
        c.wallet("profile", "add", name, "--node", c.url(node), "--key", name, "--chain-id", "pledger-devnet", "--force")

    # 1. Two patents of the SME, each licensed exclusively to the trustee
    #    beyond the legal maturity (R31): the owner drafts, the IP office files.
    for no, title, filed, granted in PATENTS:
        c.signing("--profile", "zjipo", "patent", "register", "--patent", no, "--title", title, "--ipc", "G01L 1/22",
                  "--filed", filed, "--granted", granted, "--owner", "lianke", "--fee-paid-through", "today+365",
                  "--quiet")
        draft = os.path.join(c.dir, "licence-%s.json" % no)
        c.signing("--profile", "lianke", "licence", "file", "--patent", no, "--type", "exclusive", "--licensee", TRUSTEE,
                  "--territory", "PRC", "--start", "today", "--end", "today+1095", "--contract-hash", DOC,
                  "--out", draft, "--quiet")
        c.signing("--profile", "zjipo", "sign", draft)
        c.signing("--profile", "zjipo", "submit", draft, "--quiet")

    # 2. The trustee creates the pool (a fixed manager fee, a guarantor).
    pool = c.signing("--profile", "spv", "pool", "create", "--name", POOL_NAME, "--trustee", TRUSTEE, "--model", "license",
                     "--maturity", "today+730", "--deal-size", plain(DEAL_SIZE), "--fee", "manager:%s:%s" % (TRUSTEE, plain(FEE)),
                     "--guarantor", GUARANTOR, "--guarantee-limit", "100000", "--deed-hash", DOC, "--quiet")
    if len(pool) != 32:
        raise RuntimeError("pool create printed %r" % pool)

    # 3. Admission: the trustee drafts, the owner co-signs (R31).
    admit = os.path.join(c.dir, "admit.json")
    args = ["--profile", "spv", "pool", "admit-patents", "--pool", pool]
    for no, *_ in PATENTS:
        args += ["--patent", no]
    c.signing(*args, "--out", admit, "--quiet")
    c.signing("--profile", "lianke", "sign", admit)
    c.signing("--profile", "lianke", "submit", admit, "--quiet")

    # 4. Tranches (R32): senior 800,000 (300,000 tomorrow, the rest in 90
    #    days), mezzanine 150,000 bullet, subordinated 50,000 to the originator.
    args = ["--profile", "spv", "tranche", "issue", "--pool", pool,
            "--tranche", "1:senior:800000:3.85:AAA", "--schedule", "1:today+1:%s" % plain(SENIOR_STEP_1),
            "--schedule", "1:today+90:500000", "--tranche", "2:mezzanine:150000:7.30:AA", "--schedule", "2:today+120",
            "--tranche", "3:subordinated:50000", "--offering-hash", DOC, "--quiet"]
    for rank, _, _, _, _, alloc in TRANCHES:
        for org, units in alloc.items():
            args += ["--allocate", "%d:%s:%d" % (rank, org, units)]
    c.signing(*args)

    # 5. Royalties collected before the payment date (H7).
    c.signing("--profile", "spv", "pool", "collect", "--pool", pool,
              "--royalty", "%s:%s" % (PATENTS[0][0], plain(ROYALTIES[0])),
              "--royalty", "%s:%s" % (PATENTS[1][0], plain(ROYALTIES[1])), "--quiet")
    # The public (gazette) view of a pool has no tranches, holdings or
    # statements: read as the trustee.
    issue_date = c.get_json("/v1/pools/" + pool, token=c.token("spv"))["pool"]["issue_date"]

    # 6. The next day: the payment date's waterfall (fees, interest, the
    #    scheduled senior step, the rest to the subordinated holder).
    c.move_clock_to_noon_of(days_of(issue_date) + 1)
    c.signing("--profile", "spv", "pool", "pay", "--pool", pool, "--quiet")
    view = c.get_json("/v1/pools/" + pool, token=c.token("spv"))  # a new token: the old one is a day old now
    dates = view.get("statement_dates") or []
    if len(dates) != 1:
        raise RuntimeError("the pool has %d statement dates, expected 1: %s" % (len(dates), view))
    return {"pool": pool, "issue_date": issue_date, "pay_date": dates[0], "patents": [p[0] for p in PATENTS],
            "expected": expected_waterfall()}
