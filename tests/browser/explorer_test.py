#!/usr/bin/env python3
"""The explorer (node/explorer/, docs/explorer.md) in a real headless Chromium
against a real 3-node cluster.

  explorer_test.py --bin BUILD/bin --source REPO --artifacts DIR --work DIR

Starts three pledgerd (tests/browser/cluster.py), builds a small chain with
pledger-wallet (two banks' pledges and a refused one, then a patent pool),
puts a proxy in front
of node 1 (tests/browser/proxy.py), and drives Chromium through
chromedriver (python3-selenium). It checks that

  - every page loads with no console error (the browser's log, read after
    each page), at 1280 px and 390 px, in Chinese and in English;
  - the patent shows its pledge and its history;
  - a transaction's inclusion proof and attestations verify in the browser,
    with the validators of this node and of a pinned genesis file; and with
    one byte of the served proof altered by the proxy, the page says
    "not verified" and why;
  - a bank signed in with a token sees its own pledge's terms and not the
    other bank's; the public view has the gazette's columns only;
  - a phone width does not overflow the page sideways;
  - a real patent pool (tests/browser/pool_fixture.py: tranches, holdings,
    one payment date, the cluster's test clock moved a day for it) shows in
    the pool list and on its page with its members, tranches and holdings,
    and its payment date's waterfall as a Chart.js chart and in figures,
    to the fen of what the fixture worked out by hand, in both languages and
    widths; the public view withholds tranches, holdings and payment dates.

Screenshots of every page go to --artifacts. Exit status 0 when every check
passes; every process started is stopped either way.
"""
import argparse
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster  # noqa: E402
from proxy import Proxy  # noqa: E402
import stats_fixture  # noqa: E402
import pool_fixture  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


class Browser:
    def __init__(self, base, artifacts):
        self.base = base
        self.artifacts = artifacts
        self.n = 0
        o = Options()
        o.binary_location = "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1280,900", "--lang=zh-CN"):
            o.add_argument(a)
        o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
        self.d.set_page_load_timeout(30)
        self.width = 1280

    def quit(self):
        self.d.quit()

    def size(self, width):
        self.width = width
        self.d.set_window_size(width, 900 if width > 800 else 844)

    def storage(self, key, value):
        """Sets (or with None removes) a localStorage or sessionStorage key on the explorer's origin."""
        if self.d.current_url.find(self.base) != 0:
            self.d.get(self.base + "/explorer/")
        store = "sessionStorage" if key == "pledger.token" else "localStorage"
        if value is None:
            self.d.execute_script("%s.removeItem(arguments[0])" % store, key)
        else:
            self.d.execute_script("%s.setItem(arguments[0], arguments[1])" % store, key, value)

    def page(self, route, shot, settle=0.6):
        """Loads the explorer at #route afresh, waits for the page to render,
        checks the console, saves a screenshot; returns the main text."""
        self.n += 1
        self.d.get_log("browser")  # drain what came before
        self.d.get("%s/explorer/?load=%d#%s" % (self.base, self.n, route))
        WebDriverWait(self.d, 30).until(
            lambda d: d.execute_script("return document.getElementById('app').dataset.ready || ''") != "")
        time.sleep(settle)  # charts and badges filled in after the page's own answers
        errors = [e["message"] for e in self.d.get_log("browser") if e["level"] == "SEVERE"]
        check(not errors, "%s at %d px: no console errors %s" % (route, self.width, errors[:3] if errors else ""))
        overflow = self.d.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(overflow <= 1, "%s at %d px: nothing wider than the window (overflow %s px)" % (route, self.width, overflow))
        self.d.save_screenshot(os.path.join(self.artifacts, "%s-%d.png" % (shot, self.width)))
        return self.d.find_element(By.ID, "app").text

    def attr(self, css, name):
        els = self.d.find_elements(By.CSS_SELECTOR, css)
        return els[0].get_attribute(name) if els else None

    def text(self, css):
        els = self.d.find_elements(By.CSS_SELECTOR, css)
        return els[0].text if els else ""


def raw_get(url, target):
    """GET with the target sent byte for byte (no client-side normalisation)."""
    import http.client
    import urllib.parse
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.putrequest("GET", target, skip_accept_encoding=True)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def check_serving(cluster):
    """The node's side (node/api/explorer.cc): types, headers, no way out of the table."""
    import json
    url = cluster.url(1)
    for target, ctype in (("/explorer/", "text/html"), ("/explorer", "text/html"), ("/explorer/app.js", "text/javascript"),
                          ("/explorer/app.css", "text/css"), ("/explorer/chart.js", "text/javascript"),
                          ("/explorer/icon.svg", "image/svg+xml")):
        status, headers, body = raw_get(url, target)
        csp = headers.get("content-security-policy", "")
        check(status == 200 and headers.get("content-type", "").startswith(ctype) and "script-src 'self'" in csp
              and "unsafe-inline" not in csp and headers.get("x-content-type-options") == "nosniff"
              and "cache-control" in headers and len(body) > 0,
              "GET %s: 200 %s with CSP, nosniff, Cache-Control" % (target, ctype))
    status, headers, body = raw_get(url, "/explorer/chart.js")
    check(b"Chart.js v" in body[:200], "chart.js is Debian's Chart.js, built in")
    for target in ("/explorer/../v1/genesis", "/explorer/%2e%2e/v1/genesis", "/explorer/..%2fv1%2fgenesis",
                   "/explorer/a/b.js", "/explorer/index.html%00.js", "/explorer/nope.js", "/explorer/.git/config"):
        status, headers, body = raw_get(url, target)
        try:
            code = json.loads(body)["error"]["code"]
        except Exception:
            code = body[:80]
        check(status in (400, 404) and code in ("FILE_NOT_FOUND", "URL_INVALID", "ROUTE_NOT_FOUND"),
              "GET %s: %d %s (the table has no such file)" % (target, status, code))
    status, headers, body = raw_get(url, "/explorer/routes.json")
    ids = [r["id"] for r in json.loads(body)["routes"]] if status == 200 else []
    check("explorer.assets" in ids and "txs.get" in ids, "routes.json lists the route table")

def rows_of(b, css):
    """The cells' text of every body row of the table under css."""
    return b.d.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))",
        css)


def check_pool_pages(b, pool, lang, shot):
    """The pool list and the pool page as a full reader (tranches, members,
    holdings, the payment date's waterfall as a chart and in figures), against
    the figures pool_fixture.py worked out by hand, to the fen."""
    zh = lang == "zh"
    exp = pool["expected"]
    Y = lambda fen: "¥" + pool_fixture.yuan(fen)  # noqa: E731
    text = b.page("/pools", "pools-%s-%s" % (shot, lang), settle=0.3)
    rows = rows_of(b, "#pool-list")
    row = [r for r in rows if r and r[0] == pool_fixture.POOL_NAME]
    check(len(row) == 1 and row[0][1] == pool_fixture.TRUSTEE and row[0][2] == ("已发行" if zh else "issued")
          and row[0][-1] == Y(pool_fixture.DEAL_SIZE),
          "pool list (%s, %s): the pool, its trustee, state and deal size %s" % (lang, b.width, row))
    text = b.page("/pool/%s" % pool["pool"], "pool-%s-%s" % (shot, lang), settle=0.3)  # the waterfall is waited for below
    check(not any(w in text.split() for w in ("null", "undefined", "NaN")), "pool page: no null, undefined or NaN shown")
    cls = {1: ("优先级", "senior"), 2: ("中间级", "mezzanine"), 3: ("次级", "subordinated")}
    want = []
    for rank, _, principal, coupon, rating, alloc in pool_fixture.TRANCHES:
        after = exp["tranches"][rank]["balance_after"]
        want.append([str(rank), cls[rank][0 if zh else 1], rating or "—", Y(principal),
                     ("%g%%" % (coupon / 100)) if coupon else "—", Y(after), str(len(alloc))])
    got = rows_of(b, "#pool-tranches")
    check(got == want, "pool page (%s, %d px): tranches by rank with class, rating, principal, coupon, outstanding %s"
          % (lang, b.width, got if got != want else ""))
    members = b.text("#pool-members")
    check(all(no in members for no in pool["patents"]) and members.count("专利" if zh else "patent") >= 2,
          "pool page: its member patents")
    got = rows_of(b, "#pool-holdings")
    want = []
    for (rank, org), hx in sorted(pool_fixture.expected_waterfall()["holders"].items()):
        want.append(["%d · %s" % (rank, cls[rank][0 if zh else 1]), org, "{:,}".format(hx["units"]), Y(hx["interest"]),
                     Y(hx["principal"]), Y(hx["residual"])])
    check(got == want, "pool page (%s): holdings, units and what each holder received, to the fen %s"
          % (lang, got if got != want else ""))
    # The payment date's waterfall: drawn by Chart.js, then in figures.
    try:
        WebDriverWait(b.d, 10).until(lambda d: d.execute_script(
            "const c = document.querySelector('.waterfall-card'); return c && c.dataset.ready"))
    except Exception:
        pass
    b.d.execute_script("const c = document.querySelector('.waterfall-card'); if (c) c.scrollIntoView()")
    b.d.save_screenshot(os.path.join(b.artifacts, "pool-waterfall-%s-%s-%d.png" % (shot, lang, b.width)))
    cards = b.d.execute_script("return [...document.querySelectorAll('.waterfall-card')].map(c => [c.dataset.date, c.dataset.ready])")
    check(cards == [[pool["pay_date"], "chart"]], "pool page: one waterfall, of %s, drawn (%s)" % (pool["pay_date"], cards))
    chart = b.d.execute_script(
        "const c = document.querySelector('.waterfall-card canvas'); const ch = c && window.Chart && Chart.getChart(c);"
        "return ch ? {type: ch.config.type, labels: ch.data.labels, data: ch.data.datasets[0].data, h: c.height} : null")
    t1, t2, t3 = (exp["tranches"][r] for r in (1, 2, 3))
    # cash in, the five steps that moved money (H1 fee, H2 interest x2, H3
    # senior principal, H6 residual), carried: bar heights in fen.
    bars = [exp["cash_in"], exp["fees"], t1["interest"], t2["interest"], t1["principal"], t3["residual"], exp["carried_out"]]
    heights = [round((hi - lo) * 100) for lo, hi in chart["data"]] if chart else []
    check(chart is not None and chart["type"] == "bar" and chart["h"] > 50 and len(chart["data"]) == len(bars),
          "waterfall chart: a Chart.js bar chart with %d bars (%s)" % (len(bars), len(chart["data"]) if chart else None))
    check(heights == bars, "waterfall chart (%s): each bar's amount to the fen %s" % (lang, heights if heights != bars else ""))
    labels = chart["labels"] if chart else []
    words = ("可分配现金", "费用 manager", "利息", "本金", "剩余收益", "结转") if zh else ("cash in", "fee manager", "interest", "principal", "residual", "carried")
    check(len(labels) == len(bars) and all(any(w in l for l in labels) for w in words)
          and (not zh or not any(w in " ".join(labels) for w in ("interest", "residual", "cash"))),
          "waterfall chart labels in %s: %s" % (lang, labels))
    got = rows_of(b, ".waterfall-card .waterfall-table")
    want = [["%d · %s" % (r, cls[r][0 if zh else 1]), Y(x["interest"]), Y(x["principal"]), Y(x["residual"]), Y(x["balance_after"])]
            for r, x in sorted(exp["tranches"].items())]
    check(got == want, "waterfall (%s): every tranche's interest, principal, residual and balance, to the fen %s"
          % (lang, got if got != want else ""))
    figures = b.text(".waterfall-card dl")
    check(Y(exp["cash_in"]) in figures and Y(exp["fees"]) in figures, "waterfall: cash in %s and fees %s" % (Y(exp["cash_in"]), Y(exp["fees"])))


def check_pool_public(b, pool):
    """The gazette view of a pool: the pool, its members; no amounts, and
    tranches, holdings and payment dates withheld (not empty)."""
    text = b.page("/pools", "pools-public-zh")
    check(pool_fixture.POOL_NAME in b.text("#pool-list") and "不予公开" in b.text("#pool-list"),
          "pool list, public: the pool, its deal size withheld")
    text = b.page("/pool/%s" % pool["pool"], "pool-public-zh")
    check(all(no in b.text("#pool-members") for no in pool["patents"]), "pool page, public: its member patents")
    check(all(b.text(css) == "不予公开" for css in ("#pool-tranches", "#pool-holdings", "#pool-dates")) and "¥" not in text,
          "pool page, public: tranches, holdings and payment dates withheld, no amounts")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--dev-static", action="store_true",
                    help="development only: the proxy serves /explorer/ from the source tree, so that edits show "
                         "without rebuilding pledgerd (ctest never passes this)")
    args = ap.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    started = time.time()
    cluster = Cluster(args.bin, args.source, args.work)
    proxy = browser = None
    try:
        cluster.create()
        cluster.start()
        chain = cluster.build_chain()
        t_pool = time.time()
        pool = pool_fixture.build_pool(cluster)  # moves the cluster's clock to tomorrow
        print("pool %s built in %.1f s" % (pool["pool"], time.time() - t_pool), flush=True)
        cluster.settle()
        print("chain built in %.1f s: %s" % (time.time() - started, chain), flush=True)
        qt, xh = chain["qtbank"], chain["xhbank"]
        hist = cluster.get_json("/v1/patents/%s/history" % qt["patent"])["entries"]
        qt_tx = [e for e in hist if e.get("action") == "pledge_register" and e.get("code") == "OK"][0]
        refused = [e for e in hist if e.get("action") == "pledge_register" and e.get("code") != "OK"][0]
        if not args.dev_static:  # an old node serves no explorer
            check_serving(cluster)

        # A transaction in a block of several (the parallel valuations), for a proof with a path.
        multi = None
        for e in cluster.get_json("/v1/patents/%s/history" % xh["patent"])["entries"]:
            blk = cluster.get_json("/v1/blocks/%s" % e["height"])
            if int(blk["header"].get("tx_count", 0)) >= 2:
                multi = e
        check(multi is not None, "the chain has a block of several transactions")
        auditor_token = cluster.token("auditor")
        regulator_token = cluster.token("regulator")
        qt_token = cluster.token("qtbank")
        xh_token = cluster.token("xhbank")
        proxy = Proxy(cluster.url(0), os.path.join(args.source, "node/explorer") if args.dev_static else None,
                      "/usr/share/javascript/chart.js/Chart.min.js").start()
        browser = Browser(proxy.url(), args.artifacts)
        b = browser

        # ---- The public view, in Chinese (the default), at desktop width.
        b.size(1280)
        b.storage("pledger.lang", "zh")
        b.storage("pledger.token", None)
        b.storage("pledger.genesis", None)
        text = b.page("/", "chain-zh")
        check("区块高度" in text and "node1" in text and "主节点" in text, "chain page: height, nodes and roles (zh)")
        check(b.d.execute_script("return document.documentElement.lang") == "zh-CN", "html lang is zh-CN")
        check(b.d.find_element(By.CSS_SELECTOR, "canvas#tpm").size["height"] > 50, "chain page: the throughput chart is drawn")
        WebDriverWait(b.d, 10).until(lambda d: "已见证" in d.find_element(By.ID, "app").text)
        check("✓ 已见证" in b.d.find_element(By.ID, "app").text, "chain page: recent blocks attested (checked in the browser)")
        text = b.page("/blocks", "blocks-zh")
        check(str(qt_tx["height"]) in text, "block list lists the pledge's block")
        text = b.page("/block/%s" % qt_tx["height"], "block-zh")
        check(b.attr("#att-verdict", "class") == "verdict ok", "block page: attestations verified in the browser")
        check(qt_tx["tx_id"][:24] in text, "block page lists the pledge's transaction")
        text = b.page("/patent/%s" % qt["patent"], "patent-zh")
        check(qt["pledge"][:12] in b.text("#patent-pledges"), "patent page shows its pledge")
        history = b.d.find_elements(By.CSS_SELECTOR, "#history li")
        check(len(history) >= 3 and "质押登记" in b.text("#history"), "patent page shows its history as a timeline (%d entries)" % len(history))
        check("有效" in b.text("#legal-status"), "patent page: legal status")
        check("不予公开" in text and "5,000,000" not in text, "patent page, public: the pledge's terms withheld")
        text = b.page("/pledges", "pledges-public-zh")
        check(b.attr("#pledge-table", "data-terms") == "false", "pledge register, public: the gazette's columns only")
        heads = [e.text for e in b.d.find_elements(By.CSS_SELECTOR, "#pledge-table th")]
        check(heads == ["质押编号", "专利", "出质人", "质权人", "登记日", "状态", "注销日"], "pledge register headers: %s" % heads)
        check("¥" not in text, "pledge register, public: no amounts")
        b.page("/tx/%s" % qt_tx["tx_id"], "tx-public-zh")
        check(b.attr("#verdict", "data-verdict") == "unverifiable", "tx page, public: bytes withheld, says it cannot verify")
        check_pool_public(b, pool)
        b.page("/trust", "trust-zh")
        b.page("/signin", "signin-zh")
        text = b.page("/supervision", "supervision-zh")
        check(len(text) > 0, "supervision page renders")

        # ---- A real patent pool, read as the regulator (a full reader).
        b.storage("pledger.token", regulator_token)
        check_pool_pages(b, pool, "zh", "regulator")
        b.storage("pledger.lang", "en")
        check_pool_pages(b, pool, "en", "regulator")
        b.storage("pledger.token", None)

        # ---- English.
        b.storage("pledger.lang", "en")
        text = b.page("/", "chain-en")
        check("Height" in text and "Recent blocks" in text, "chain page in English")
        check(b.d.execute_script("return document.documentElement.lang") == "en", "html lang is en")
        check(b.d.find_element(By.CSS_SELECTOR, "[data-i18n='nav.chain']").text == "Chain", "navigation in English")
        text = b.page("/patent/%s" % qt["patent"], "patent-en")
        check("withheld" in text and "Pledge registered" in text, "patent page in English, terms withheld")

        # ---- Signed in as qtbank: its own pledge's terms, not xhbank's.
        b.storage("pledger.token", qt_token)
        text = b.page("/signin", "signin-qtbank-en")
        check("qtbank" in b.text("#whoami"), "sign-in: the node takes the reader for qtbank")
        text = b.page("/pledges", "pledges-qtbank-en")
        check(b.attr("#pledge-table", "data-terms") == "true", "pledge register, qtbank: terms columns")
        rows = {r.text.split(" ")[0]: r.text for r in b.d.find_elements(By.CSS_SELECTOR, "#pledge-table tbody tr")}
        qrow = [v for k, v in rows.items() if qt["pledge"].startswith(k.rstrip("…"))]
        xrow = [v for k, v in rows.items() if xh["pledge"].startswith(k.rstrip("…"))]
        check(qrow and "¥5,000,000.00" in qrow[0] and "3.85%" in qrow[0], "qtbank sees its own pledge's principal and rate")
        check(xrow and "withheld" in xrow[0] and "1,200,000" not in text, "qtbank does not see xhbank's terms")
        text = b.page("/pledge/%s" % xh["pledge"], "pledge-other-bank-en")
        check(b.text("#principal") == "withheld", "xhbank's pledge page, as qtbank: principal withheld")
        text = b.page("/pledge/%s" % qt["pledge"], "pledge-own-en")
        check(b.text("#principal") == "¥5,000,000.00", "qtbank's pledge page, as qtbank: principal shown")

        # ---- Verification in the browser.
        text = b.page("/tx/%s" % qt_tx["tx_id"], "tx-verified-node-en", settle=0.3)
        check(b.attr("#verdict", "data-verdict") == "verified", "tx page: proof and attestations verified (%s)" % b.text("#verdict"))
        check("not independently pinned" in b.text("#trust-source"), "tx page says the validators come from this node")
        check("Register a pledge of 1 patent(s) to bank qtbank" in b.text("#tx-title"), "tx page: the action in words")
        b.storage("pledger.token", xh_token)  # the refused transaction's signer sees its receipt in full
        text = b.page("/tx/%s" % refused["tx_id"], "tx-refused-en")
        b.storage("pledger.token", qt_token)
        check(b.text("#result-code") == "PLEDGE_PATENT_ALREADY_PLEDGED" and "R7i" in text and b.text("#grounds") != "",
              "refused tx: result code, rule and grounds")
        # Pin the genesis file through the page, then verify against it.
        b.page("/trust", "trust-en")
        with open(cluster.genesis_path()) as f:
            genesis = f.read()
        b.d.execute_script("const a = document.getElementById('genesis-text'); a.value = arguments[0];", genesis)
        b.d.find_element(By.ID, "pin").click()
        WebDriverWait(b.d, 10).until(lambda d: "pinned" in d.find_element(By.ID, "app").text)
        b.d.save_screenshot(os.path.join(args.artifacts, "trust-pinned-%d.png" % b.width))
        b.page("/tx/%s" % qt_tx["tx_id"], "tx-verified-pinned-en", settle=0.3)
        check(b.attr("#verdict", "data-verdict") == "verified" and "pinned genesis" in b.text("#trust-source"),
              "tx page: verified against the pinned genesis file")
        # The picture in README.md and docs/explorer.md (docs/img/explorer-tx.png).
        b.size(1000)
        b.d.set_window_size(1000, 860)
        b.page("/tx/%s" % qt_tx["tx_id"], "readme-explorer-tx", settle=0.3)
        b.size(1280)
        # One byte of the served proof altered on the way.
        proxy.tamper = True
        b.page("/tx/%s" % qt_tx["tx_id"], "tx-tampered-en", settle=0.3)
        proxy.tamper = False
        check(proxy.tampered >= 1, "the proxy altered the served proof")
        check(b.attr("#verdict", "data-verdict") == "not_verified" and "not verified" in b.text("#verdict")
              and "tx_root" in b.text("#verdict"), "tampered proof: 'not verified' and why (%s)" % b.text("#verdict"))
        # The same with a real audit path: a transaction in a block of several,
        # read as the auditor (a full reader), its first path hash altered.
        if multi:
            b.storage("pledger.token", auditor_token)
            b.page("/tx/%s" % multi["tx_id"], "tx-path-verified-en", settle=0.3)
            check(b.attr("#verdict", "data-verdict") == "verified", "tx with an audit path: verified (%s)" % b.text("#verdict"))
            before = proxy.tampered
            proxy.tamper = True
            b.page("/tx/%s" % multi["tx_id"], "tx-path-tampered-en", settle=0.3)
            proxy.tamper = False
            check(proxy.tampered > before and b.attr("#verdict", "data-verdict") == "not_verified"
                  and "≠ header tx_root" in b.text("#verdict"),
                  "one byte of the audit path altered: 'not verified' and why (%s)" % b.text("#verdict"))
            b.storage("pledger.token", qt_token)
        b.storage("pledger.genesis", None)

        # ---- The supervision dashboard, as a regulator, a bank, and nobody.
        # On the real statistics API when the node serves it (the chain's own
        # totals: 5,000,000.00 + 1,200,000.00 yuan registered today, the
        # refused pledge not counted); otherwise on the documented answers of
        # stats_fixture.py, served by the proxy where the node has no route.
        real_stats = False
        if not args.dev_static:
            st, _, body = raw_get(cluster.url(0), "/explorer/routes.json")
            real_stats = st == 200 and b'"stats.pledges"' in body
        if not real_stats:
            proxy.stats_fixture = stats_fixture.answer
        total, qt_total = ("¥6,200,000.00", "¥5,000,000.00") if real_stats else ("¥7,200,000.00", "¥6,000,000.00")
        b.storage("pledger.token", regulator_token)
        text = b.page("/supervision", "supervision-regulator-en", settle=1.0)
        canvases = b.d.execute_script("return [...document.querySelectorAll('#app canvas')].filter(c => c.height > 50).length")
        check(canvases >= 6, "dashboard (%s): its charts are drawn (%d)" % ("real API" if real_stats else "fixture", canvases))
        check(total in b.text("#stats-tiles"), "dashboard: registered principal %s, to the fen (%s)" % (total, b.text("#stats-tiles")))
        check(qt_total in text and "xhbank" in text, "dashboard: the per-bank breakdown")
        check("zjappraisal" in text, "dashboard: valuations by appraiser")
        b.storage("pledger.token", qt_token)
        text = b.page("/supervision", "supervision-qtbank-en", settle=1.0)
        check("qtbank" in text and "zjappraisal" not in text, "dashboard as qtbank: its own figures, no appraisers")
        b.storage("pledger.token", None)
        b.page("/supervision", "supervision-anonymous-en")
        check(b.text("#stats-refused") != "", "dashboard, anonymous: asks to sign in")
        b.storage("pledger.token", qt_token)

        # ---- Phone width, Chinese, signed in: every page again.
        b.size(390)
        b.storage("pledger.lang", "zh")
        for route, shot in (("/", "chain"), ("/blocks", "blocks"), ("/block/%s" % qt_tx["height"], "block"),
                            ("/tx/%s" % qt_tx["tx_id"], "tx"), ("/patent/%s" % qt["patent"], "patent"),
                            ("/pledges", "pledges"), ("/pledge/%s" % qt["pledge"], "pledge"), ("/pools", "pools"),
                            ("/supervision", "supervision"), ("/trust", "trust"), ("/signin", "signin")):
            b.page(route, shot + "-zh")
        check(b.d.find_element(By.ID, "menu").is_displayed(), "390 px: the menu button is shown")
        check(not b.d.find_element(By.ID, "nav").is_displayed(), "390 px: the navigation folds away")
        b.storage("pledger.token", regulator_token)
        check_pool_pages(b, pool, "zh", "regulator")
        b.storage("pledger.lang", "en")
        check_pool_pages(b, pool, "en", "regulator")
    except Exception:
        traceback.print_exc()
        failures.append("exception")
    finally:
        if browser:
            browser.quit()
        if proxy:
            proxy.stop()
        cluster.stop()
    print("browser test: %d failure(s), %.1f s" % (len(failures), time.time() - started), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
