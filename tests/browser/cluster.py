"""A real 3-node Pledger cluster on 127.0.0.1 for the explorer's browser test.

The devnet's way (tools/devnet.sh): tools/devnet/consortium.json with this
run's free ports, `pledger-admin init`, three `pledgerd` processes, and the
demo's chain built with `pledger-wallet` (docs/wallet-tour.md). The APIs are
plain HTTP on loopback (`"api_tls": false`, which a node accepts only there)
so that Chromium needs no CA; the consortium has the pool's parties too
(a trustee, a guarantor, two investors: POOL_ORGS); and every node and
wallet reads the date through the test clock (PLEDGER_TEST_CLOCK_FILE,
ledger/io/clock.h), at offset 0 until the pool fixture moves it a day on for
a payment date. Everything else is as on the devnet.

Every process started here is stopped by stop(), also on failure.
"""
import json
import mmap
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request

PASS_ENV = "PLEDGER_BROWSER_TEST_PW"
CLOCK_ENV = "PLEDGER_TEST_CLOCK_FILE"  # ledger/io/clock.h: the test clock's offset file

# The securitisation's parties (tests/browser/pool_fixture.py), added to the
# devnet's consortium as tests/integration/pool_e2e_test.cc adds them to its
# cluster (ClusterOptions extra_orgs / extra_accounts).
POOL_ORGS = [
    {"id": "zjspv", "name": "Zhejiang Patent Securitisation Trust (demo SPV)", "kind": "ORG_TRUSTEE",
     "address": "Hangzhou, Zhejiang"},
    {"id": "zjguar", "name": "Zhejiang Credit Guarantee Co. (demo)", "kind": "ORG_GUARANTOR",
     "address": "Hangzhou, Zhejiang"},
    {"id": "inv-a", "name": "West Lake Asset Management (demo investor)", "kind": "ORG_INVESTOR",
     "address": "Hangzhou, Zhejiang"},
    {"id": "inv-b", "name": "Qiantang Securities (demo investor)", "kind": "ORG_INVESTOR",
     "address": "Hangzhou, Zhejiang"},
]
POOL_ACCOUNTS = [
    {"name": "spv", "org_id": "zjspv", "roles": ["ROLE_TRUSTEE"]},
    {"name": "guar", "org_id": "zjguar", "roles": ["ROLE_GUARANTOR"]},
    {"name": "inv-a", "org_id": "inv-a", "roles": ["ROLE_INVESTOR"]},
    {"name": "inv-b", "org_id": "inv-b", "roles": ["ROLE_INVESTOR"]},
]


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


class Cluster:
    def __init__(self, bin_dir, source_dir, work_dir, log=print):
        self.bin = bin_dir
        self.src = source_dir
        self.dir = work_dir
        self.log = log
        self.procs = []
        self.api_ports = []
        # Every node and wallet reads the date through the test clock (offset
        # 0 until move_clock_to_noon_of), so that a pool's payment date can
        # come after its issue date within one run.
        self.clock_file = os.path.join(work_dir, "clock")
        self.clock = None
        self.env = dict(os.environ, PLEDGER_HOME=os.path.join(work_dir, "wallet"),
                        **{PASS_ENV: "browser test only", CLOCK_ENV: self.clock_file})
        self.env.pop("PLEDGER_PROFILE", None)

    # ---- set-up
    def create(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        ports = free_ports(6)
        self.api_ports = ports[:3]
        with open(os.path.join(self.src, "tools/devnet/consortium.json")) as f:
            spec = f.read()
        for i in range(3):
            spec = spec.replace("127.0.0.1:%d" % (26601 + i), "127.0.0.1:%d" % ports[i])
            spec = spec.replace("127.0.0.1:%d" % (26701 + i), "127.0.0.1:%d" % ports[3 + i])
        spec = re.sub(r'"api_tls":\s*true', '"api_tls": false', spec)
        doc = json.loads(spec)
        doc["organisations"] += POOL_ORGS
        doc["accounts"] += POOL_ACCOUNTS
        spec = json.dumps(doc, indent=1)
        with open(self.clock_file, "wb") as f:
            f.write(b"\0" * 8)
        f = open(self.clock_file, "r+b")
        self.clock = mmap.mmap(f.fileno(), 8)
        f.close()
        with open(os.path.join(self.dir, "consortium.json"), "w") as f:
            f.write(spec)
        self.run("pledger-admin", "init", "--spec", os.path.join(self.dir, "consortium.json"), "--out", self.dir)
        for i in range(3):
            cfg = os.path.join(self.dir, "nodes", "node%d" % (i + 1), "config.json")
            with open(cfg) as f:
                text = f.read()
            if '"api_tls": false' not in text:
                raise RuntimeError("pledger-admin did not write api_tls false into " + cfg)
            # Blocks wait up to 250 ms for company (default 5 ms), so that
            # transactions sent together share a block: a proof with a path.
            doc = json.loads(text)
            doc["block"] = {"interval_ms": 250}
            with open(cfg, "w") as f:
                json.dump(doc, f, indent=1)

    def url(self, i=0):
        return "http://127.0.0.1:%d" % self.api_ports[i]

    def genesis_path(self):
        return os.path.join(self.dir, "genesis.json")

    def start(self):
        for i in range(3):
            d = os.path.join(self.dir, "nodes", "node%d" % (i + 1))
            logf = open(os.path.join(d, "pledgerd.log"), "ab")
            p = subprocess.Popen([os.path.join(self.bin, "pledgerd"), "--config", os.path.join(d, "config.json")],
                                 stdout=logf, stderr=subprocess.STDOUT, start_new_session=True, env=self.env)
            self.procs.append(p)
        deadline = time.time() + 60
        while time.time() < deadline:
            for i, p in enumerate(self.procs):
                if p.poll() is not None:
                    raise RuntimeError("node%d exited (%s); see %s" % (i + 1, p.returncode, self.dir))
            try:
                st = self.get_json("/v1/status")
                if st.get("leader") and int(st.get("height", 0)) >= 0:
                    return st
            except Exception:
                pass
            time.sleep(0.2)
        raise RuntimeError("no leader after 60 s; see " + self.dir)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []

    # ---- the test clock (tests/integration/wallet_runner.h TestClock, in Python)
    def move_clock_to_noon_of(self, day):
        """Moves every node's and wallet's clock to 12:00 China time of `day`
        (days since 1970-01-01); only ever forward (block times increase)."""
        import struct
        noon_ms = day * 86400000 + 4 * 3600000  # 12:00 in UTC+8 is 04:00 UTC
        offset = noon_ms - int(time.time() * 1000)
        if offset < struct.unpack_from("<q", self.clock, 0)[0]:
            raise RuntimeError("the test clock only moves forward")
        struct.pack_into("<q", self.clock, 0, offset)

    def clock_offset_ms(self):
        import struct
        return struct.unpack_from("<q", self.clock, 0)[0] if self.clock else 0

    # ---- helpers
    def run(self, prog, *args, check=True):
        r = subprocess.run([os.path.join(self.bin, prog)] + list(args), env=self.env, capture_output=True, text=True,
                           timeout=120)
        if check and r.returncode != 0:
            raise RuntimeError("%s %s: exit %d\n%s\n%s" % (prog, " ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout.strip()

    def wallet(self, *args, check=True):
        return self.run("pledger-wallet", *args, check=check)

    def signing(self, *args, check=True):
        return self.wallet(*args, "--passphrase-env", PASS_ENV, check=check)

    def get_json(self, path, token=None, i=0):
        req = urllib.request.Request(self.url(i) + path)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def post(self, path, body, i=0):
        req = urllib.request.Request(self.url(i) + path, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    # ---- the chain: the tour's pledge (qtbank), and a second bank's pledge
    # of another patent (xhbank), so each bank has terms the other must not see.
    def build_chain(self):
        keys = ["zjipo-clerk", "nbipo-clerk", "qtbank", "xhbank", "appraiser", "lianke-owner", "auditor", "regulator"]
        for k in keys:
            self.signing("key", "import", k, "--from", os.path.join(self.dir, "accounts", k + ".key"))
        profiles = {"zjipo": (0, "zjipo-clerk"), "nbipo": (1, "nbipo-clerk"), "qtbank": (2, "qtbank"),
                    "xhbank": (1, "xhbank"), "appraiser": (0, "appraiser"), "lianke": (2, "lianke-owner"),
                    "auditor": (0, "auditor"), "regulator": (1, "regulator")}
        for name, (node, key) in profiles.items():
            self.wallet("profile", "add", name, "--node", self.url(node), "--key", key, "--chain-id", "pledger-devnet",
                        "--force")
        report = os.path.join(self.dir, "report.txt")
        contract = os.path.join(self.dir, "contract.txt")
        with open(report, "w") as f:
            f.write("Appraisal report ZJ-2026-117\n")
        with open(contract, "w") as f:
            f.write("Pledge contract QT-2026-0042\n")
        out = {}
        for patent, bank, principal, rate, title in (
                ("ZL201410362077.3", "qtbank", "5,000,000.00", "3.85", "Calibration method for a torque sensor"),
                ("ZL201810234567.3", "xhbank", "1,200,000.00", "4.10", "Self-compensating strain gauge")):
            self.signing("--profile", "zjipo", "patent", "register", "--patent", patent, "--title", title,
                         "--ipc", "G01L 25/00", "--filed", "2014-07-28", "--granted", "2016-03-02", "--owner", "lianke",
                         "--fee-paid-through", "today+365", "--quiet")
            valuation = self.signing("--profile", "appraiser", "valuation", "record", "--patent", patent,
                                     "--method", "income", "--base-date", "today", "--value", "20000000",
                                     "--realisable", "12000000", "--report", report, "--licence-no", "ZJ-AP-2024-017",
                                     "--quiet")
            draft = os.path.join(self.dir, bank + "-pledge.json")
            self.signing("--profile", bank, "pledge", "register", "--patent", patent, "--pledgee", bank,
                         "--debt-type", "working-capital loan", "--principal", principal, "--rate", rate,
                         "--due", "today+730", "--valuation", valuation, "--contract", contract, "--out", draft,
                         "--quiet")
            self.signing("--profile", "lianke", "sign", draft)
            self.signing("--profile", "zjipo", "sign", draft)
            pledge = self.signing("--profile", bank, "submit", draft, "--quiet")
            out[bank] = {"patent": patent, "pledge": pledge, "valuation": valuation, "principal": principal}
        # Three valuations drafted, then sent at once, so that a block holds
        # several transactions and an inclusion proof has a path to alter.
        drafts = []
        for i in range(3):
            f = os.path.join(self.dir, "valuation-%d.json" % i)
            self.signing("--profile", "appraiser", "valuation", "record", "--patent", "ZL201810234567.3",
                         "--method", "income", "--base-date", "today", "--value", str(21000000 + i),
                         "--realisable", "12000000", "--report", report, "--licence-no", "ZJ-AP-2024-017",
                         "--quiet", "--out", f)
            with open(f) as fh:
                drafts.append(json.dumps(json.load(fh)["tx"]).encode())
        threads = [threading.Thread(target=self.post, args=("/v1/txs?wait=20000", d)) for d in drafts]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        # A refused transaction (R7i: the patent is already pledged), for a
        # receipt with grounds.
        second = os.path.join(self.dir, "second.json")
        self.signing("--profile", "xhbank", "pledge", "register", "--patent", "ZL201410362077.3", "--pledgee", "xhbank",
                     "--debt-type", "working-capital loan", "--principal", "1000000", "--rate", "4.10",
                     "--due", "today+365", "--valuation", out["qtbank"]["valuation"], "--contract", contract,
                     "--out", second, "--quiet", "--force")
        self.signing("--profile", "lianke", "sign", second, "--force")
        self.signing("--profile", "nbipo", "sign", second, "--force")
        self.refused = self.signing("--profile", "xhbank", "submit", second, "--force", check=False)
        return out

    def settle(self, timeout=30):
        """Waits until the three nodes have applied the same height (a wallet
        returns once its own node has the block; the others follow)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            heights = {self.get_json("/v1/status", i=i)["height"] for i in range(3)}
            if len(heights) == 1:
                return int(heights.pop())
            time.sleep(0.2)
        raise RuntimeError("the nodes did not reach one height in %d s" % timeout)

    def token(self, profile):
        return self.signing("--profile", profile, "login", "--print-token")
