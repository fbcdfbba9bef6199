"""A tiny HTTP proxy in front of one node, for the browser test: it passes
every request through unchanged, except that, while tampering is on, it
alters one byte of the inclusion proof in answers of GET /v1/txs/{id}
(the first hash of `proof.path`, or `proof.tx_root` when the path is
empty). The node is never changed; the explorer must notice on its own.

    python3 proxy.py UPSTREAM_URL [--static DIR]   (standalone, for development:
                                                    serves /explorer/ from DIR)
"""
import http.client
import http.server
import json
import os
import sys
import threading
import urllib.parse


def alter_hex(h):
    # Flip the low bit of the first byte: one byte changed, still valid hex.
    b = int(h[0:2], 16) ^ 0x01
    return "%02x" % b + h[2:]


class Proxy:
    def __init__(self, upstream, static_dir=None, chart_js=None):
        self.upstream = urllib.parse.urlparse(upstream)
        self.tamper = False
        self.tampered = 0
        self.static_dir = static_dir
        # A node built before the statistics API (docs/api.md "Statistics")
        # can still show the dashboard its documented answers: set to a
        # fixture (stats_fixture.py) and the proxy answers /v1/stats/* itself
        # where the node has no such route, and lists the routes.
        self.stats_fixture = None
        self.chart_js = chart_js
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.handle(self)

            def do_POST(self):
                proxy.handle(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def handle(self, req):
        path = req.path
        if self.static_dir and path.startswith("/explorer"):
            return self.serve_static(req, path)
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else None
        headers = {k: v for k, v in req.headers.items() if k.lower() not in ("host", "connection", "accept-encoding")}
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=70)
        try:
            conn.request(req.command, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            status, rheaders = r.status, r.getheaders()
        finally:
            conn.close()
        if self.tamper and req.command == "GET" and path.startswith("/v1/txs/") and status == 200:
            data = self.alter_proof(data)
        if self.stats_fixture is not None:
            status, data, rheaders = self.fake_stats(path, status, data, rheaders)
        req.send_response(status)
        for k, v in rheaders:
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                req.send_header(k, v)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def fake_stats(self, path, status, data, rheaders):
        route = path.split("?")[0]
        if route == "/explorer/routes.json" and status == 200:
            doc = json.loads(data)
            if not any(r["id"] == "stats.pledges" for r in doc["routes"]):
                for name in ("pledges", "outstanding", "borrowers", "renewals", "distributions", "cautions", "valuations"):
                    doc["routes"].append({"id": "stats." + name, "method": "GET", "pattern": "/v1/stats/" + name})
                data = json.dumps(doc).encode()
        elif route.startswith("/v1/stats/") and status == 404:
            query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
            answer = self.stats_fixture(route[len("/v1/stats/"):], {k: v[0] for k, v in query.items()})
            if answer is not None:
                status, data = 200, json.dumps(answer).encode()
                rheaders = [("Content-Type", "application/json")]
        return status, data, rheaders

    def alter_proof(self, data):
        doc = json.loads(data)
        proof = doc.get("proof") or (doc.get("tx") or {}).get("proof")
        if not proof:
            return data
        if proof.get("path"):
            proof["path"][0] = alter_hex(proof["path"][0])
        elif proof.get("tx_root"):
            proof["tx_root"] = alter_hex(proof["tx_root"])
        else:
            return data
        self.tampered += 1
        return json.dumps(doc).encode()

    def serve_static(self, req, path):
        name = path.split("?")[0][len("/explorer"):].lstrip("/") or "index.html"
        if name == "routes.json":  # an old node has no route table to show: say it has no statistics
            data = b'{"routes":[]}'
            if self.stats_fixture is not None:
                _, data, _ = self.fake_stats("/explorer/routes.json", 200, data, [])
            req.send_response(200)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data)
            return
        types = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
        f = self.chart_js if name == "chart.js" else os.path.join(self.static_dir, name)
        if "/" in name or not os.path.isfile(f):
            req.send_response(404)
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        data = open(f, "rb").read()
        req.send_response(200)
        req.send_header("Content-Type", types.get(os.path.splitext(name)[1], "application/octet-stream"))
        req.send_header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                        "img-src 'self' data:; connect-src 'self'")
        req.send_header("Cache-Control", "no-store")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)


if __name__ == "__main__":
    static = None
    if "--static" in sys.argv:
        static = sys.argv[sys.argv.index("--static") + 1]
    p = Proxy(sys.argv[1], static, "/usr/share/javascript/chart.js/chart.min.js").start()
    if "--tamper" in sys.argv:
        p.tamper = True
    print(p.url(), flush=True)
    p.thread.join()
