#!/usr/bin/env python3
"""Latency of the /v1/stats routes (docs/api.md "Statistics") on a running node.

  tools/bench/stats_latency.py --node https://127.0.0.1:26601 --ca devnet/consortium-ca.crt \
      --token "$(pledger-wallet --profile zjipo login --print-token --passphrase-env PW)" [--reps 200]

One keep-alive HTTPS connection, requests one after another (a dashboard's
page load), each route with the dashboard's ranges: 30 days by day, 12 months
by month, a year's distribution. Prints p50/p99/max in milliseconds per
route, the chain's height and the answer's size. Read as a full reader
(IP office, auditor, regulator) so the per-bank breakdown is computed too.
A program that prints figures, not a test (docs/performance.md
"Statistics API").
"""
import argparse
import http.client
import json
import ssl
import sys
import time
import urllib.parse

ROUTES = [
    ("pledges by=day, 30 days", "/v1/stats/pledges?by=day"),
    ("pledges by=month, 12 months", "/v1/stats/pledges?by=month"),
    ("outstanding by=month", "/v1/stats/outstanding?by=month"),
    ("borrowers by=day", "/v1/stats/borrowers"),
    ("renewals by=month", "/v1/stats/renewals?by=month"),
    ("distributions, 366 days", "/v1/stats/distributions"),
    ("cautions by=day", "/v1/stats/cautions"),
    ("valuations by=month", "/v1/stats/valuations?by=month"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--node", required=True)
    ap.add_argument("--ca", help="CA bundle to pin (HTTPS)")
    ap.add_argument("--token", required=True, help="bearer token of a full reader")
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args()
    url = urllib.parse.urlparse(args.node)
    if url.scheme == "https":
        ctx = ssl.create_default_context(cafile=args.ca)
        ctx.check_hostname = False  # node certificates name the node, the devnet dials 127.0.0.1
        conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=30)
    else:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Authorization": "Bearer " + args.token}

    def get(path):
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()

    status, body = get("/v1/status")
    height = json.loads(body).get("height") if status == 200 else "?"
    print(f"node {args.node}, height {height}, {args.reps} requests per route, one connection")
    print(f"{'route':34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'bytes':>8}")
    worst = 0
    for name, path in ROUTES:
        ms = []
        size = 0
        for _ in range(args.reps):
            t0 = time.perf_counter()
            status, body = get(path)
            ms.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                print(f"{path}: HTTP {status} {body[:200]!r}", file=sys.stderr)
                return 1
            size = len(body)
        ms.sort()
        p50 = ms[len(ms) // 2]
        p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
        worst = max(worst, p99)
        print(f"{name:34} {p50:8.2f} {p99:8.2f} {ms[-1]:8.2f} {size:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
