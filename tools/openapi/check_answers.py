#!/usr/bin/env python3
"""Validates real API answers against docs/openapi.yaml.

  check_answers.py OPENAPI.yaml DIR      every DIR/NNNN.meta ("METHOD PATH STATUS
                                         CONTENT-TYPE") with its NNNN.body
  check_answers.py --self-test OPENAPI.yaml

An answer passes when its path and method are described, its status is one of
the operation's responses, its content type is the documented one and, for
JSON, its body validates against the response's schema (JSON Schema via
Debian's python3-jsonschema; the OpenAPI 3.0 schema objects used by
tools/openapi/gen.py are plain JSON Schema). Written by access_test
(tests/integration/access_test.cc), which runs this on every answer of its
route x reader matrix. Exit status 0 when all pass.
"""
import json
import os
import sys
import warnings

import jsonschema
import yaml

# Debian 12 ships jsonschema 4.10; newer ones deprecate RefResolver, which
# both still have.
warnings.filterwarnings("ignore", category=DeprecationWarning)


class Checker:
    def __init__(self, openapi_path):
        with open(openapi_path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.resolver = jsonschema.RefResolver.from_schema(self.doc)

    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            obj = self.resolver.resolve(obj["$ref"])[1]
        return obj

    def check(self, method, path, status, content_type, body):
        """A list of problems, empty if the answer is as described."""
        op = self.doc["paths"].get(path, {}).get(method.lower())
        if op is None:
            return ["%s %s is not in docs/openapi.yaml" % (method, path)]
        resp = op["responses"].get(str(status))
        if resp is None:
            return ["status %s is not a documented response of %s %s" % (status, method, path)]
        resp = self.deref(resp)
        content = resp.get("content", {})
        media = content_type.split(";")[0].strip()
        if media not in content:
            return ["content type %s, documented: %s" % (media, ", ".join(content) or "none")]
        if media != "application/json":
            return []
        try:
            value = json.loads(body)
        except ValueError as e:
            return ["body is not JSON: %s" % e]
        schema = content[media]["schema"]
        validator = jsonschema.Draft7Validator(schema, resolver=self.resolver)
        problems = []
        for err in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            problems.append("%s: %s" % (where, err.message[:300]))
        return problems


def check_dir(checker, directory):
    metas = sorted(n for n in os.listdir(directory) if n.endswith(".meta"))
    failed, seen = 0, set()
    for name in metas:
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            method, path, status, content_type = f.read().strip().split(" ", 3)
        with open(os.path.join(directory, name[:-5] + ".body"), "rb") as f:
            body = f.read().decode("utf-8", errors="replace")  # binary answers (raw blocks) are not parsed
        problems = checker.check(method, path, int(status), content_type, body)
        seen.add((method, path, status))
        if problems:
            failed += 1
            print("openapi: %s %s %s (%s) does not match docs/openapi.yaml:" % (method, path, status, name))
            for p in problems[:10]:
                print("    " + p)
            print("    body: " + body[:400])
    ops = sum(len(v) for v in checker.doc["paths"].values())
    covered = {(m, p) for (m, p, _) in seen}
    print("openapi: %d answers, %d not as described; %d of %d operations answered (%d method/path/status "
          "combinations)" % (len(metas), failed, len(covered), ops, len(seen)))
    return 0 if failed == 0 and metas else 1


def self_test(checker):
    """The checker refuses what the schemas do not allow."""
    cases = [
        # (method, path, status, content type, body, should pass)
        ("GET", "/v1/status", 200, "application/json",
         '{"node_id":"n1","height":"5","last_block_time_ms":"2026-12-06T20:15:00.123+08:00","api_version":2}', True),
        ("GET", "/v1/status", 200, "application/json", '{"height":5}', False),  # uint64 is a string
        ("GET", "/v1/status", 200, "application/json", '{"last_block_time_ms":"1765023300123"}', True),
        ("GET", "/v1/status", 200, "application/json", '{"last_block_time_ms":"2026-12-06"}', False),
        ("GET", "/v1/status", 200, "application/json", '{"no_such_field":1}', False),
        ("GET", "/v1/pledges/{id}", 200, "application/json",
         '{"view":"gazette","redacted":["due_date"],"id":"3f","reg_date":"2024-02-29"}', True),
        ("GET", "/v1/pledges/{id}", 200, "application/json", '{"due_date":21523}', True),  # out-of-range form
        ("GET", "/v1/pledges/{id}", 200, "application/json", '{"due_date":"05/12/2028"}', False),
        ("GET", "/v1/txs/{id}", 200, "application/json", '{"tx":{"body":"0a05"}}', True),
        ("GET", "/v1/txs/{id}", 200, "application/json", '{"tx":{"body":"CgVoZWxsbw=="}}', False),  # base64
        ("GET", "/v1/txs/{id}", 404, "application/json", '{"error":{"code":"TX_NOT_FOUND","message":"x"}}', True),
        ("GET", "/v1/txs/{id}", 418, "application/json", '{}', False),
        ("GET", "/v1/nowhere", 200, "application/json", '{}', False),
        ("DELETE", "/v1/status", 200, "application/json", '{}', False),
        ("GET", "/healthz", 200, "text/plain", "ok\n", True),
        ("GET", "/healthz", 200, "application/json", "{}", False),
    ]
    bad = 0
    for method, path, status, ctype, body, ok in cases:
        problems = checker.check(method, path, status, ctype, body)
        if bool(problems) == ok:
            bad += 1
            print("self-test: %s %s %s %s: expected %s, got %s" %
                  (method, path, status, body, "pass" if ok else "refusal", problems or "pass"))
    print("self-test: %d cases, %d wrong" % (len(cases), bad))
    return 1 if bad else 0


def main(argv):
    if len(argv) == 3 and argv[0] == "--self-test":
        return self_test(Checker(argv[1]))
    if len(argv) == 2 and argv[0] == "--self-test":
        return self_test(Checker(argv[1]))
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    return check_dir(Checker(argv[0]), argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
