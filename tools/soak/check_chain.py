#!/usr/bin/env python3
"""Compares the nodes' chains block by block (tools/soak.sh, issue 17).

    check_chain.py [--ca FILE] [--settle S] URL URL ...

Waits up to --settle seconds (default 120) for every node to report the same
height, then reads every block header from every node (GET /v1/blocks, 100
at a time: public, no account needed) and checks that at each height all
nodes have the same block hash and the same state and results roots after
the block. Prints one line per node and one verdict; exits 1 on any
difference, a node that does not answer, or heights that never meet.
"""
import argparse
import json
import ssl
import sys
import time
import urllib.request


def get(url, ctx):
    with urllib.request.urlopen(url, context=ctx, timeout=10) as r:
        return json.load(r)


def height(url, ctx):
    return int(get(url + "/v1/status", ctx)["height"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca")
    ap.add_argument("--settle", type=float, default=120)
    ap.add_argument("urls", nargs="+")
    a = ap.parse_args()
    ctx = ssl.create_default_context(cafile=a.ca) if a.ca else None

    deadline = time.time() + a.settle
    while True:
        try:
            hs = [height(u, ctx) for u in a.urls]
        except OSError as e:
            hs = None
            err = e
        if hs is not None and len(set(hs)) == 1:
            break
        if time.time() > deadline:
            print("check_chain: heights never met: %s" % (hs if hs is not None else err))
            return 1
        time.sleep(1)
    top = hs[0]

    first_diff = None
    for frm in range(1, top + 1, 100):
        to = min(top, frm + 99)
        pages = []
        for u in a.urls:
            blocks = get("%s/v1/blocks?from=%d&to=%d" % (u, frm, to), ctx).get("blocks", [])
            pages.append({int(b["height"]): (b["hash"], b.get("state_root"), b.get("results_root"))
                          for b in blocks})
        for h in range(frm, to + 1):
            seen = [p.get(h) for p in pages]
            if any(s is None for s in seen):
                print("check_chain: block %d missing on %s" % (h, [u for u, s in zip(a.urls, seen) if s is None]))
                return 1
            if len(set(seen)) != 1 and first_diff is None:
                first_diff = (h, seen)
    for u in a.urls:
        print("check_chain: %s: height %d" % (u, top))
    if first_diff is not None:
        h, seen = first_diff
        print("check_chain: DIFFERENT at height %d: %s" % (h, seen))
        return 1
    print("check_chain: %d nodes agree on every block hash, state root and results root up to height %d"
          % (len(a.urls), top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
