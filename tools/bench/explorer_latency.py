#!/usr/bin/env python3
"""Latency of the explorer's pages (docs/explorer.md) on a running node, as the
API requests each page makes.

  tools/bench/explorer_latency.py --node https://127.0.0.1:26601 --ca devnet/consortium-ca.crt \
      --token "$(pledger-wallet --profile demo-regulator login --print-token --passphrase-env PW)" \
      [--reps 100] [--seed N]

For every page, the requests its script (node/explorer/*.js) sends, one
after another on one keep-alive HTTPS connection: a browser sends some of
them in parallel, so these are upper bounds of the network part. The page's
own work in the browser (drawing, the SHA-256 and Ed25519 checks) is not
counted. Targets are drawn at random over the whole chain (heights, the
transactions of those blocks, pledges and their patents from random pages of
the register), from --seed (printed; the same seed replays the same
targets). Prints p50/p99/max per page in milliseconds and the requests and
bytes of one page load. Read as a full reader (IP office, auditor,
regulator), so nothing is trimmed. A program that prints figures, not a
test (docs/performance.md "Explorer and statistics at 10^6 transactions").
"""
import argparse
import http.client
import json
import random
import ssl
import sys
import time
import urllib.parse


class Node:
    def __init__(self, url, ca, token):
        u = urllib.parse.urlparse(url)
        if u.scheme == "https":
            ctx = ssl.create_default_context(cafile=ca)
            ctx.check_hostname = False  # node certificates name the node; the devnet dials 127.0.0.1
            self.conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=60)
        else:
            self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.headers = {"Authorization": "Bearer " + token}
        self.requests = 0
        self.bytes = 0

    def get(self, path):
        self.conn.request("GET", path, headers=self.headers)
        r = self.conn.getresponse()
        body = r.read()
        self.requests += 1
        self.bytes += len(body)
        if r.status != 200:
            raise RuntimeError(f"GET {path}: {r.status} {body[:200]!r}")
        return json.loads(body)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--node", required=True)
    ap.add_argument("--ca", help="CA bundle to pin (HTTPS)")
    ap.add_argument("--token", required=True, help="bearer token of a full reader")
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    rng = random.Random(seed)
    n = Node(args.node, args.ca, args.token)
    status = n.get("/v1/status")
    height = int(status["height"])
    banks = [o["id"] for o in n.get("/v1/orgs?kind=ORG_BANK").get("organisations", [])]
    register = {b: 0 for b in banks}  # pledges per bank, found by paging
    for b in banks:
        after = 0
        while True:
            page = n.get(f"/v1/pledges?bank={b}&limit=1000&after={after}")
            register[b] += len(page.get("pledges", []))
            if not page.get("next_cursor"):
                break
            after = int(page["next_cursor"])
    print(f"node {args.node}, height {height}, pledges by bank {register}, seed {seed}, "
          f"{args.reps} loads per page, one connection")

    def random_block():
        return rng.randint(1, height)

    def random_tx():
        while True:
            b = n.get(f"/v1/blocks/{random_block()}")
            if b.get("tx_ids"):
                return rng.choice(b["tx_ids"])

    def random_pledge():
        bank = rng.choice([b for b in banks if register[b] > 0])
        after = rng.randrange(register[bank])
        return n.get(f"/v1/pledges?bank={bank}&limit=1&after={after}")["pledges"][0]["pledge"]

    # Each page: (name, setup() -> target, load(target)), setup not timed.
    def chain_home(_):
        n.get("/v1/status")
        vals = n.get("/v1/validators")
        blocks = n.get("/v1/blocks")["blocks"]
        for b in blocks[:12]:
            n.get(f"/v1/blocks/{b['height']}/attestations")
        return vals

    def block_list(h):
        n.get(f"/v1/blocks?from={max(1, h - 49)}&to={h}")

    def block_page(h):
        n.get(f"/v1/blocks/{h}")
        n.get(f"/v1/blocks/{h}/attestations")
        n.get("/v1/validators")

    def tx_page(tx_id):
        tv = n.get(f"/v1/txs/{tx_id}?wait=0")
        h = tv["height"]
        n.get(f"/v1/blocks/{h}")
        n.get(f"/v1/blocks/{h}/attestations")
        n.get("/v1/validators")
        for s in tv.get("tx", {}).get("signatures", []):
            n.get(f"/v1/accounts/{s['public_key']}")

    def patent_page(no):
        pv = n.get(f"/v1/patents/{urllib.parse.quote(no)}")
        n.get(f"/v1/patents/{urllib.parse.quote(no)}/history?limit=1000")
        for pid in pv.get("pledge_ids", []):
            n.get(f"/v1/pledges/{pid}")

    def pledge_page(pid):
        n.get(f"/v1/pledges/{pid}")

    def register_page(bank):
        n.get(f"/v1/pledges?bank={bank}")  # the first page of 1,000, as the register shows it

    def dashboard(_):
        for route in ("pledges?by=day", "pledges?by=month", "outstanding?by=month", "borrowers",
                      "renewals?by=month", "distributions", "cautions", "valuations?by=month"):
            n.get("/v1/stats/" + route)

    pages = [
        ("chain (home)", lambda: None, chain_home),
        ("blocks list, random 50", random_block, block_list),
        ("block", random_block, block_page),
        ("transaction (proof, attestations)", random_tx, tx_page),
        ("patent (pledges, history)", lambda: random_pledge()["patent_nos"][0], patent_page),
        ("pledge", lambda: random_pledge()["id"], pledge_page),
        ("pledge register, one bank", lambda: rng.choice(banks), register_page),
        ("supervision dashboard (8 stats)", lambda: None, dashboard),
    ]
    print(f"{'page':36} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'requests':>9} {'bytes':>10}")
    for name, setup, load in pages:
        times = []
        reqs = bytes_ = 0
        for _ in range(args.reps):
            target = setup()
            r0, b0 = n.requests, n.bytes
            t0 = time.perf_counter()
            load(target)
            times.append((time.perf_counter() - t0) * 1000)
            reqs, bytes_ = n.requests - r0, n.bytes - b0
        print(f"{name:36} {pct(times, 50):8.2f} {pct(times, 99):8.2f} {max(times):8.2f} {reqs:9d} {bytes_:10d}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
