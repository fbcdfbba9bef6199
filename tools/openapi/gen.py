#!/usr/bin/env python3
"""Generates docs/openapi.yaml: the OpenAPI 3.0 description of pledgerd's API.

Paths come from ROUTES below, which mirrors the route table in
node/api/routes.cc (the unit test "openapi: the description lists exactly the
route table" in tests/unit/node/openapi_test.cc fails when the two differ).
Schemas are derived from the .proto files the answers are rendered from, with
the API's JSON conventions (ledger/io/api_json.h, API version 2): bytes as
lower-case hex, dates as ISO 8601, instants as RFC 3339 in China time, 64-bit
integers as decimal strings (the protobuf JSON mapping).

  tools/openapi/gen.py            rewrite docs/openapi.yaml
  tools/openapi/gen.py --check    exit 1 if docs/openapi.yaml is not current
"""
import argparse
import os
import re
import sys

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "docs", "openapi.yaml")
PROTOS = [
    "ledger/proto/contract_types.proto",
    "ledger/proto/actions.proto",
    "ledger/proto/ledger.proto",
    "contracts/proto/state.proto",
    "contracts/proto/query.proto",
    "contracts/proto/history.proto",
    "ledger/io/proto/api.proto",
]

# ---------------------------------------------------------------------------
# .proto reading: enough for this project's files (proto3, no nested types, no
# maps, oneofs).

TOKEN = re.compile(r"^\s*(repeated\s+|optional\s+)?([A-Za-z_][\w.]*)\s+(\w+)\s*=\s*(\d+)\s*(?:\[[^\]]*\])?\s*;\s*(?://\s?(.*))?$")
ENUM_VALUE = re.compile(r"^\s*(\w+)\s*=\s*(-?\d+)\s*;\s*(?://\s?(.*))?$")


def read_protos():
    messages, enums = {}, {}
    for rel in PROTOS:
        package = None
        comments = []
        stack = []  # ("message"|"enum"|"oneof", name)
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            for line in f:
                s = line.strip()
                if s.startswith("//"):
                    comments.append(s[2:].strip())
                    continue
                m = re.match(r"^package\s+([\w.]+);", s)
                if m:
                    package = m.group(1)
                    comments = []
                    continue
                m = re.match(r"^(message|enum)\s+(\w+)\s*\{\s*(.*)$", s)
                if m and not stack:
                    kind, name, rest = m.groups()
                    full = package + "." + name
                    if kind == "message":
                        messages[full] = {"name": name, "package": package, "fields": [],
                                          "doc": " ".join(comments)}
                    else:
                        enums[full] = {"name": name, "values": []}
                    stack.append((kind, full))
                    comments = []
                    if rest.startswith("}"):  # message X { ... } on one line
                        body = rest
                        stack.pop()
                    elif rest:
                        body = rest.rstrip("}").strip()
                        for part in body.split(";"):
                            if part.strip():
                                add_field(messages[full], part.strip() + ";", package)
                        if rest.rstrip().endswith("}"):
                            stack.pop()
                    continue
                m = re.match(r"^oneof\s+(\w+)\s*\{", s)
                if m:
                    stack.append(("oneof", m.group(1)))
                    comments = []
                    continue
                if s.startswith("}"):
                    if stack:
                        stack.pop()
                    comments = []
                    continue
                if not stack or not s:
                    comments = []
                    continue
                kind, full = next((k, n) for k, n in reversed(stack) if k in ("message", "enum"))
                if kind == "enum":
                    m = ENUM_VALUE.match(s)
                    if m:
                        enums[full]["values"].append(m.group(1))
                elif not s.startswith("reserved") and not re.match(r"option\s", s):
                    add_field(messages[full], s, package, " ".join(comments))
                comments = []
    return messages, enums


def add_field(msg, text, package, leading=""):
    m = TOKEN.match(text)
    if not m:
        raise SystemExit("gen.py: cannot read field %r of %s" % (text, msg["name"]))
    repeated, ftype, name, _, trailing = m.groups()
    doc = " ".join(x for x in (leading, trailing or "") if x).strip()
    msg["fields"].append({"name": name, "type": ftype, "repeated": (repeated or "").startswith("repeated"), "doc": doc,
                          "package": package})


# ---------------------------------------------------------------------------
# The API's conventions (ledger/io/api_json.cc: IsApiDateField,
# IsApiInstantField).

DATE_NAMES = {"date", "valid_until", "grace_end", "fee_paid_through", "paid_through"}


def is_date(f):
    if f["type"] != "int32":
        return False
    n = f["name"]
    if f["repeated"]:
        return n.endswith("_dates") or n == "holidays"
    return n.endswith("_date") or n in DATE_NAMES


def is_instant(f):
    return f["type"] == "uint64" and f["name"].endswith("_ms") and not f["name"].endswith("_max_ms")


SCALARS = {
    "string": {"type": "string"},
    "bool": {"type": "boolean"},
    "int32": {"type": "integer", "format": "int32"},
    "sint32": {"type": "integer", "format": "int32"},
    "sfixed32": {"type": "integer", "format": "int32"},
    "uint32": {"type": "integer", "format": "int32", "minimum": 0},
    "fixed32": {"type": "integer", "format": "int32", "minimum": 0},
    "int64": {"$ref": "#/components/schemas/Int64"},
    "sint64": {"$ref": "#/components/schemas/Int64"},
    "sfixed64": {"$ref": "#/components/schemas/Int64"},
    "uint64": {"$ref": "#/components/schemas/Uint64"},
    "fixed64": {"$ref": "#/components/schemas/Uint64"},
    "double": {"type": "number"},
    "float": {"type": "number"},
    "bytes": {"$ref": "#/components/schemas/Hex"},
}

BASE_SCHEMAS = {
    "Date": {
        "description": "A calendar day in China time (UTC+8), ISO 8601 \"YYYY-MM-DD\". Absent when unset. "
                       "A value outside years 0000-9999 (only a refused transaction's body can carry one) "
                       "is the plain day count since 1970-01-01.",
        "oneOf": [{"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                  {"type": "integer", "format": "int32"}],
        "example": "2028-12-05",
    },
    "Instant": {
        "description": "An instant, RFC 3339 in China time with milliseconds. Absent when unset. "
                       "A value after year 9999 is the decimal string of Unix milliseconds.",
        "type": "string",
        "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}\\+08:00|[0-9]+)$",
        "example": "2026-12-06T20:15:00.123+08:00",
    },
    "Hex": {
        "description": "Bytes as lower-case hex (ids, hashes, keys, signatures, serialized messages).",
        "type": "string",
        "pattern": "^([0-9a-f]{2})*$",
    },
    "Int64": {"description": "A 64-bit integer as a decimal string (protobuf JSON mapping).",
              "type": "string", "pattern": "^-?[0-9]+$"},
    "Uint64": {"description": "An unsigned 64-bit integer as a decimal string (protobuf JSON mapping).",
               "type": "string", "pattern": "^[0-9]+$"},
    "Redaction": {
        "description": "Present only in a cut answer (docs/api.md \"A cut answer says so\").",
        "type": "string", "enum": ["gazette", "party"],
    },
}

# Records a scoped route may cut: they may start with "view" and "redacted".
SCOPED = {"TxView", "SubmitResponse", "TxBatchResult", "Patent", "PatentView", "Pledge", "PledgeList", "Pool", "PoolView",
          "PoolList", "PoolStatement", "HistoryPage"}


def field_schema(f, messages, enums):
    if is_date(f):
        item = {"$ref": "#/components/schemas/Date"}
    elif is_instant(f):
        item = {"$ref": "#/components/schemas/Instant"}
    elif f["type"] in SCALARS:
        item = dict(SCALARS[f["type"]])
    else:
        full = resolve(f["type"], f["package"], messages, enums)
        item = {"$ref": "#/components/schemas/" + schema_name(full, messages, enums)}
    if f["repeated"]:
        s = {"type": "array", "items": item}
    else:
        s = item
    if f["doc"]:
        if "$ref" in s:  # OpenAPI 3.0 ignores siblings of $ref: wrap
            s = {"allOf": [s], "description": f["doc"]}
        else:
            s = dict(s, description=f["doc"])
    return s


def resolve(t, package, messages, enums):
    for cand in (t, package + "." + t, "pledger." + t):
        if cand in messages or cand in enums:
            return cand
    for full in list(messages) + list(enums):
        if full.endswith("." + t):
            return full
    raise SystemExit("gen.py: unknown type " + t)


def schema_name(full, messages, enums):
    """Short names, qualified only where two packages share one."""
    short = full.rsplit(".", 1)[1]
    same = [n for n in list(messages) + list(enums) if n.rsplit(".", 1)[1] == short]
    if len(same) == 1:
        return short
    return full.split(".")[-2].capitalize() + short


def collect(roots, messages, enums):
    out, todo = [], list(roots)
    seen = set()
    while todo:
        full = todo.pop(0)
        if full in seen:
            continue
        seen.add(full)
        out.append(full)
        if full in messages:
            for f in messages[full]["fields"]:
                if f["type"] not in SCALARS:
                    todo.append(resolve(f["type"], f["package"], messages, enums))
    return out


def build_schemas(roots, messages, enums):
    schemas = dict(BASE_SCHEMAS)
    for full in sorted(collect(roots, messages, enums), key=lambda n: schema_name(n, messages, enums)):
        name = schema_name(full, messages, enums)
        if full in enums:
            schemas[name] = {"type": "string", "enum": enums[full]["values"]}
            continue
        m = messages[full]
        props = {}
        if m["name"] in SCOPED:
            props["view"] = {"$ref": "#/components/schemas/Redaction"}
            props["redacted"] = {"type": "array", "items": {"type": "string"},
                                 "description": "field paths withheld from this reader"}
        for f in m["fields"]:
            props[f["name"]] = field_schema(f, messages, enums)
        s = {"type": "object"}
        if m["doc"]:
            s["description"] = m["doc"]
        s["properties"] = props
        s["additionalProperties"] = False
        schemas[name] = s
    return schemas


# ---------------------------------------------------------------------------
# Routes: node/api/routes.cc, in its order.

P = "pledger.api."
C = "pledger.contracts."

HEIGHT = {"name": "height", "in": "query", "required": False,
          "description": "as the record was after block H (as-of read; omit for now)",
          "schema": {"type": "integer", "format": "int64", "minimum": 1}}
WAIT = {"name": "wait", "in": "query", "required": False,
        "description": "milliseconds to wait for the commit (0 to 60000)",
        "schema": {"type": "integer", "minimum": 0, "maximum": 60000}}


def q(name, desc, schema=None, required=False):
    return {"name": name, "in": "query", "required": required, "description": desc,
            "schema": schema or {"type": "string"}}


def path(name, desc, schema=None):
    return {"name": name, "in": "path", "required": True, "description": desc,
            "schema": schema or {"type": "string"}}


HISTORY_QUERY = [q("after", "next_cursor of the previous page"),
                 q("limit", "entries per page (1 to 1000, default 100)",
                   {"type": "integer", "minimum": 1, "maximum": 1000})]

ROUTES = [
    # id, method, path, summary, access, params, {status: schema full name | special}
    ("node.health", "GET", "/healthz", "Liveness: 200 ok, 503 once the node stopped applying blocks", "public",
     [], {"200": "text", "503": "text"}),
    ("node.metrics", "GET", "/metrics", "Prometheus metrics (node figures only)", "public", [], {"200": "text"}),
    ("node.status", "GET", "/v1/status", "The node's state, its clocks and api_version", "public", [],
     {"200": P + "StatusView"}),
    ("node.genesis", "GET", "/v1/genesis",
     "The genesis file this node runs, byte for byte (the file's own format: protobuf JSON of "
     "pledger.contracts.Genesis, not rewritten by the API conventions); compare its hash with your copy",
     "public", [], {"200": "genesis"}),
    ("auth.token", "POST", "/v1/auth/token", "A bearer token for the account that signed this request (empty body)",
     "signed", [], {"200": P + "TokenView"}),
    ("auth.whoami", "GET", "/v1/auth/whoami", "Who the node takes the reader for", "public", [],
     {"200": P + "WhoAmIView"}),
    ("txs.submit", "POST", "/v1/txs", "Submit a signed transaction", "public", [WAIT],
     {"200": P + "SubmitResponse", "202": P + "SubmitResponse"}),
    ("txs.batch", "POST", "/v1/txs/batch",
     "Submit up to 256 signed transactions (512 KiB) at once; each is admitted on its own and answered in "
     "request order (PENDING, COMMITTED or REFUSED with its code and whether a retry may pass)", "public", [WAIT],
     {"200": P + "TxBatchResponse"}),
    ("txs.simulate", "POST", "/v1/txs/simulate",
     "Pre-flight: the receipt a transaction (signed or not, signatures complete or not) would get in the next "
     "block now; advisory, nothing is written or admitted", "scoped", [], {"200": P + "SimulateView"}),
    ("txs.get", "GET", "/v1/txs/{id}", "A transaction, its receipt and inclusion proof", "scoped",
     [path("id", "transaction id, 64 hex", {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}), WAIT],
     {"200": P + "TxView", "202": P + "TxView"}),
    ("blocks.list", "GET", "/v1/blocks", "Up to 100 block headers", "public",
     [q("from", "first height", {"type": "integer", "minimum": 1}),
      q("to", "last height", {"type": "integer", "minimum": 1})], {"200": P + "BlockList"}),
    ("blocks.get", "GET", "/v1/blocks/{id}", "A block by height or hash", "public",
     [path("id", "height (decimal) or block hash (64 hex)")], {"200": P + "BlockView"}),
    ("blocks.attestations", "GET", "/v1/blocks/{height}/attestations",
     "The validators' attestations of a block, exactly as signed", "public",
     [path("height", "block height", {"type": "integer", "minimum": 1})], {"200": P + "AttestationList"}),
    ("raw.blocks", "GET", "/v1/raw/blocks", "Exact block and results bytes (pledger.api.BlockResponse, binary)",
     "full", [q("from", "first height", {"type": "integer", "minimum": 1}, True),
              q("to", "last height", {"type": "integer", "minimum": 1})], {"200": "protobuf"}),
    ("history.entity", "GET", "/v1/history/{entity}",
     "History of any entity: patent/NO, pledge/ID, account/KEY, org/ID, valuation/ID, validator/ID, pool/ID, "
     "tranche/POOL/RANK, params", "scoped",
     [path("entity", "the entity, which may contain '/' (e.g. patent/ZL201410362077.3, tranche/POOL/1)")]
     + HISTORY_QUERY, {"200": C + "HistoryPage"}),
    ("patents.get", "GET", "/v1/patents/{no}", "A patent's register entry (with ?height, the Patent record)",
     "scoped", [path("no", "patent number, e.g. ZL201410362077.3"), HEIGHT],
     {"200": [C + "PatentView", C + "Patent"]}),
    ("patents.history", "GET", "/v1/patents/{no}/history", "Every transaction that touched a patent", "scoped",
     [path("no", "patent number")] + HISTORY_QUERY, {"200": C + "HistoryPage"}),
    ("pledges.get", "GET", "/v1/pledges/{id}", "A pledge", "scoped", [path("id", "pledge id, 32 hex"), HEIGHT],
     {"200": C + "Pledge"}),
    ("pledges.list", "GET", "/v1/pledges", "A bank's or a borrower's pledges in R18 order", "scoped",
     [q("bank", "pledgee organisation id"), q("borrower", "pledgor or debtor organisation id"),
      q("after", "next_cursor of the previous page (a rank)", {"type": "integer", "minimum": 0}),
      q("limit", "pledges per page (1 to 1000, default 1000)", {"type": "integer", "minimum": 1, "maximum": 1000})],
     {"200": C + "PledgeList"}),
    ("valuations.get", "GET", "/v1/valuations/{id}", "A valuation", "scoped", [path("id", "valuation id")],
     {"200": C + "Valuation"}),
    ("accounts.get", "GET", "/v1/accounts/{key}", "An account", "public",
     [path("key", "Ed25519 public key, 64 hex", {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}), HEIGHT],
     {"200": C + "Account"}),
    ("orgs.list", "GET", "/v1/orgs", "Organisations in id order (at most 1000)", "public",
     [q("kind", "only organisations of this OrgKind, e.g. ORG_BANK")], {"200": P + "OrgList"}),
    ("orgs.get", "GET", "/v1/orgs/{id}", "An organisation", "public", [path("id", "organisation id"), HEIGHT],
     {"200": C + "Organisation"}),
    ("orgs.lending", "GET", "/v1/orgs/{id}/lending", "A bank's R30/R35 lending figures", "scoped",
     [path("id", "the bank's organisation id")], {"200": C + "LendingReport"}),
    ("pools.list", "GET", "/v1/pools", "A trustee's pools in creation order", "scoped",
     [q("trustee", "trustee organisation id", required=True)], {"200": C + "PoolList"}),
    ("pools.get", "GET", "/v1/pools/{id}", "A pool with members, tranches, holdings (with ?height, the Pool record)",
     "scoped", [path("id", "pool id"), HEIGHT], {"200": [C + "PoolView", C + "Pool"]}),
    ("pools.statement", "GET", "/v1/pools/{id}/statements/{date}", "The statement of one payment date",
     "scoped", [path("id", "pool id"), path("date", "payment date", {"type": "string", "format": "date"})],
     {"200": C + "PoolStatement"}),
    ("pools.preview", "GET", "/v1/pools/{id}/preview",
     "The statement PoolPay would write on that date now (nothing is written)", "scoped",
     [path("id", "pool id"), q("date", "payment date YYYY-MM-DD", {"type": "string", "format": "date"}, True),
      q("no_shortfall_draw", "true: without the guarantor's draw (H5)", {"type": "boolean"})],
     {"200": C + "PoolStatement"}),
    ("holdings.list", "GET", "/v1/holdings", "An investor's tranche holdings", "scoped",
     [q("investor", "investor organisation id", required=True)], {"200": C + "HoldingList"}),
    ("validators.list", "GET", "/v1/validators", "The validator set", "public", [], {"200": C + "ValidatorSet"}),
    ("params.get", "GET", "/v1/params", "Chain parameters", "public", [HEIGHT], {"200": C + "Params"}),
    ("explorer.index", "GET", "/explorer", "The explorer's page (docs/explorer.md); /explorer/ too", "public", [],
     {"200": "asset"}),
    ("explorer.assets", "GET", "/explorer/{path}", "One of the explorer's files, built into the node", "public",
     [path("path", "the file's name, e.g. app.js (no directories; anything else is 404 FILE_NOT_FOUND)")],
     {"200": "asset"}),
]

STATS_COMMON = [
    q("from", "first ledger date counted, YYYY-MM-DD (China time); default 29 days (by=day) or 11 months "
              "(by=month) before to", {"type": "string", "format": "date"}),
    q("to", "last ledger date counted, YYYY-MM-DD; default the last block's date", {"type": "string", "format": "date"}),
]
STATS_BY = [q("by", "one point per day or per calendar month (the range widens to whole months); "
                    "at most 366 days or 120 months", {"type": "string", "enum": ["day", "month"]})]
STATS_BANK = [q("bank", "one bank's organisation id (a bank reader gets its own figures whatever it asks)")]


def stats_route(rid, path, summary, view, by=True, series=None):
    params = STATS_COMMON + (STATS_BY if by else []) + (series or STATS_BANK)
    return (rid, "GET", path, summary + " (docs/api.md \"Statistics\"): full readers every bank with the "
            "per-bank breakdown, a bank its own figures, others refused", "scoped", params, {"200": P + view})


ROUTES += [
    stats_route("stats.pledges", "/v1/stats/pledges", "Pledge financing registered, repaid, closed per day or month",
                "PledgeStatsView"),
    stats_route("stats.outstanding", "/v1/stats/outstanding", "Outstanding principal and active pledges at each "
                "period's close", "OutstandingStatsView"),
    stats_route("stats.borrowers", "/v1/stats/borrowers", "SMEs financed, first-time borrowers, borrowers with "
                "outstanding loans", "BorrowerStatsView"),
    stats_route("stats.renewals", "/v1/stats/renewals", "Renewals by risk class, with and without principal "
                "repaid (R34)", "RenewalStatsView"),
    stats_route("stats.distributions", "/v1/stats/distributions", "Interest-rate and LTV distributions of the "
                "registrations in the range (at most 3,660 days)", "DistributionStatsView", by=False),
    stats_route("stats.cautions", "/v1/stats/cautions", "Partner-bank caution events (R33)", "CautionStatsView"),
    stats_route("stats.valuations", "/v1/stats/valuations", "Valuations recorded, by appraiser (full readers every "
                "appraiser, an appraiser its own)", "ValuationStatsView",
                series=[q("appraiser", "one appraiser's organisation id")]),
]

ERRORS = {
    "400": "malformed input (TX_JSON_INVALID, PARAM_INVALID, DATE_INVALID, ...)",
    "401": "who is asking could not be established (AUTH_...); WWW-Authenticate names the schemes",
    "403": "the reader may not see this record (READ_FORBIDDEN)",
    "404": "no such thing (TX_NOT_FOUND, PATENT_NOT_FOUND, NOT_FOUND_AT_HEIGHT, ...)",
    "405": "no route for this method; Allow lists the methods",
    "409": "the request conflicts with the node's state",
    "413": "body or headers over the limits",
    "500": "the node could not read its own data",
    "503": "back-pressure; retry after Retry-After seconds",
    "504": "the node could not finish in time",
}

ACCESS = {
    "public": "public: anyone (anonymous too, unless the node refuses anonymous readers)",
    "signed": "signed: an account, by a signed request (Pledger-Ed25519), never a token",
    "full": "full: IP offices, auditors and regulators only",
    "scoped": "scoped: anyone may ask; the answer is cut to the reader (docs/api.md \"Who may read what\")",
}


def ref(full, messages, enums):
    return {"$ref": "#/components/schemas/" + schema_name(full, messages, enums)}


def response(kind, messages, enums, status):
    desc = "OK" if status == "200" else ("Accepted (pending)" if status == "202" else "Unavailable")
    if kind == "text":
        return {"description": desc, "content": {"text/plain": {"schema": {"type": "string"}}}}
    if kind == "protobuf":
        return {"description": desc,
                "content": {"application/x-protobuf": {"schema": {"type": "string", "format": "binary"}}}}
    if kind == "asset":
        return {"description": desc, "content": {
            t: {"schema": {"type": "string"}} for t in
            ("text/html", "text/javascript", "text/css", "image/svg+xml", "image/png", "application/json")}}
    if kind == "genesis":
        return {"description": desc, "content": {"application/json": {"schema": {"type": "object"}}}}
    if isinstance(kind, list):
        schema = {"anyOf": [ref(k, messages, enums) for k in kind]}
    else:
        schema = ref(kind, messages, enums)
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


def build(messages, enums):
    roots = [P + "ErrorView", P + "BlockResponse", "pledger.ledger.Transaction"]
    for r in ROUTES:
        for kind in r[6].values():
            for k in (kind if isinstance(kind, list) else [kind]):
                if "." in k:
                    roots.append(k)
    paths = {}
    for rid, method, pattern, summary, access, params, responses in ROUTES:
        op = {"operationId": rid, "summary": summary, "description": ACCESS[access],
              "tags": [rid.split(".")[0]]}
        if params:
            op["parameters"] = params
        if access == "signed":
            op["security"] = [{"PledgerEd25519": []}]
        elif access == "full":
            op["security"] = [{"PledgerEd25519": []}, {"BearerToken": []}]
        elif rid in ("node.health", "node.metrics", "explorer.index", "explorer.assets"):
            op["security"] = []
        if rid in ("txs.submit", "txs.simulate"):
            op["requestBody"] = {
                "required": True,
                "description": "The signed transaction: protobuf JSON of pledger.ledger.Transaction in the "
                               "plain mapping (body and signatures base64, as a wallet's transaction file "
                               "holds them), or its exact serialized bytes",
                "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "body": {"type": "string", "format": "byte"},
                        "signatures": {"type": "array", "items": {"type": "object", "properties": {
                            "public_key": {"type": "string", "format": "byte"},
                            "signature": {"type": "string", "format": "byte"}}}}}}},
                    "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        if rid == "txs.batch":
            tx = {"type": "object", "properties": {
                "body": {"type": "string", "format": "byte"},
                "signatures": {"type": "array", "items": {"type": "object", "properties": {
                    "public_key": {"type": "string", "format": "byte"},
                    "signature": {"type": "string", "format": "byte"}}}}}}
            op["requestBody"] = {
                "required": True,
                "description": "The signed transactions: {\"txs\": [...]}, each as POST /v1/txs takes it (the "
                               "plain mapping, base64), or pledger.api.TxBatch (repeated bytes txs = 1, each a "
                               "serialized pledger.ledger.Transaction)",
                "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "txs": {"type": "array", "items": tx}}}},
                    "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        resp = {}
        for status, kind in responses.items():
            resp[status] = response(kind, messages, enums, status)
        for status in ERRORS:
            if status not in resp:
                resp[status] = {"$ref": "#/components/responses/Error" + status}
        op["responses"] = resp
        paths.setdefault(pattern, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Pledger node API",
            "version": "2",
            "description": "Generated by tools/openapi/gen.py from the route table (node/api/routes.cc) and "
                           "the .proto views; do not edit by hand. docs/api.md is the prose reference. "
                           "API version 2 (GET /v1/status api_version): dates are ISO 8601 in China time, "
                           "instants RFC 3339, bytes lower-case hex, 64-bit integers decimal strings; unset "
                           "dates and instants are absent. A complete answer prints every other field; a cut "
                           "answer (\"view\", \"redacted\") leaves out defaults.",
        },
        "servers": [{"url": "https://127.0.0.1:26601", "description": "devnet node 1"}],
        "security": [{}, {"PledgerEd25519": []}, {"BearerToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "PledgerEd25519": {
                    "type": "http",
                    "scheme": "Pledger-Ed25519",
                    "description": "Authorization: Pledger-Ed25519 key=<64 hex>, ts=<unix ms>, nonce=<32 hex>, "
                                   "sig=<128 hex>: an Ed25519 signature over the canonical request bytes "
                                   "(docs/api.md \"Signed requests\")",
                },
                "BearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "pledger-token-v1 (base64url)",
                    "description": "A token from POST /v1/auth/token, valid 15 minutes on any node",
                },
            },
            "responses": {
                "Error" + status: {
                    "description": desc,
                    "content": {"application/json": {"schema": ref(P + "ErrorView", messages, enums)}},
                }
                for status, desc in ERRORS.items()
            },
            "schemas": build_schemas(roots, messages, enums),
        },
    }


def render():
    messages, enums = read_protos()
    doc = build(messages, enums)
    head = "# GENERATED by tools/openapi/gen.py from node/api/routes.cc's table (mirrored in gen.py)\n" \
           "# and the .proto files. Do not edit: run tools/openapi/gen.py.\n"
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if docs/openapi.yaml is not current")
    args = ap.parse_args()
    text = render()
    if args.check:
        try:
            with open(OUT, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            print("docs/openapi.yaml is not current: run tools/openapi/gen.py", file=sys.stderr)
            return 1
        print("docs/openapi.yaml is current")
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
