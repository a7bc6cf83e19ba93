#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/openapi.yaml against a real `arbdash --headless`.

Starts arbdash on a loopback port the kernel picks, with the demo bot (a
simulator) and three tokens, feeds it a batch of its own, then calls every
operation of the document (and the error answers of each: 400, 401, 403,
404, 405, 409, 413, 429) and validates every JSON answer against the schema
that the document gives for that route and status (Draft 2020-12, the
dialect of OpenAPI 3.1). It fails when:

- a route of the server's table (src/server/arb-rest.c) is missing from the
  document, has another role there, or the document has an operation the
  server does not serve;
- an answer's status or content type is not documented for its route;
- an answer does not validate;
- an operation of the document was never called.

Exit 77 (skipped) without python3-yaml or python3-jsonschema, or without the
binary. Environment: ARBDASH_BIN (the built arbdash), G_TEST_SRCDIR (tests/).
"""

import json
import os
import re
import sys
import time
import urllib.parse

try:
    import yaml
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError as e:  # Debian: python3-yaml, python3-jsonschema
    print(f"SKIP: {e} (install python3-yaml and python3-jsonschema)")
    sys.exit(77)

SRCDIR = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.abspath(__file__)))
TOP = os.path.dirname(os.path.abspath(SRCDIR))
sys.path.insert(0, SRCDIR)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from arbdash_server import BIN, WAIT_S, Server, until  # noqa: E402

TOKENS = {
    "bot": "openapi-bot-secret-0123456789",
    "viewer": "openapi-viewer-secret-0123456789",
    "operator": "openapi-operator-secret-0123456789",
}
WRONG = "openapi-wrong-secret-0123456789"
BOT_ID = "openapi-bot"

# Operations the document has beside the REST table: served by other handlers
# (src/server/arb-metrics.c, arb-bot-endpoint.c, arb-stream.c).
EXTRA_OPERATIONS = {
    ("GET", "/metrics"): "viewer",
    ("GET", "/api/v1/bot"): "bot",
    ("GET", "/api/v1/stream"): "viewer",
}

failures = []
covered = {}  # (METHOD, template) -> set of statuses validated


def fail(message):
    failures.append(message)
    print(f"FAIL: {message}", flush=True)


# ------------------------------------------------------------------ the document

with open(os.path.join(TOP, "docs", "openapi.yaml"), encoding="utf-8") as f:
    DOC = yaml.safe_load(f)


def pointer(ref):
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are used: {ref}")
    node = DOC
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline(node, depth=0):
    """The node with every $ref replaced by what it names (the document has no
    recursive schemas); members beside a $ref are kept, as OpenAPI 3.1 allows."""
    if depth > 64:
        raise ValueError("$ref nesting too deep (a cycle?)")
    if isinstance(node, dict):
        if "$ref" in node:
            target = inline(pointer(node["$ref"]), depth + 1)
            rest = {k: inline(v, depth + 1) for k, v in node.items() if k != "$ref"}
            if not rest:
                return target
            return {"allOf": [target], **rest}
        return {k: inline(v, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(v, depth + 1) for v in node]
    return node


def check_document():
    if not str(DOC.get("openapi", "")).startswith("3.1."):
        fail("docs/openapi.yaml is not OpenAPI 3.1")
    try:  # not in Debian 12: used where it is installed (pip install openapi-spec-validator)
        from openapi_spec_validator import validate as validate_spec
    except ImportError:
        print("(openapi-spec-validator is not installed: the document's structure is checked "
              "by this test only)")
    else:
        try:
            validate_spec(DOC)
            print("docs/openapi.yaml is a valid OpenAPI 3.1 document (openapi-spec-validator)")
        except Exception as e:  # its error classes differ between releases
            fail(f"docs/openapi.yaml is not a valid OpenAPI document: {e}")
    for name, schema in DOC["components"]["schemas"].items():
        try:
            Draft202012Validator.check_schema(inline(schema))
        except jsonschema.exceptions.SchemaError as e:
            fail(f"schema {name} is not valid Draft 2020-12: {e.message}")
    for template, item in DOC["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if "x-arbdash-role" not in op:
                fail(f"{method.upper()} {template} has no x-arbdash-role")
            if not op.get("responses"):
                fail(f"{method.upper()} {template} has no responses")


def operations():
    ops = {}
    for template, item in DOC["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops[(method.upper(), template)] = op
    return ops


def server_routes():
    """The REST table of src/server/arb-rest.c: (method, path, role)."""
    with open(os.path.join(TOP, "src", "server", "arb-rest.c"), encoding="utf-8") as f:
        src = f.read()
    table = re.search(r"static const Route routes\[\] = \{(.*?)\n\};", src, re.S)
    if table is None:
        fail("cannot find the route table in src/server/arb-rest.c")
        return []
    rows = re.findall(r'\{\s*"([A-Z]+)",\s*"([^"]+)",\s*ARB_ROLE_([A-Z]+),\s*\w+\s*\}',
                      table.group(1))
    if not rows:
        fail("the route table of src/server/arb-rest.c has no rows this test can read")
    return [(m, p, r.lower()) for m, p, r in rows]


def check_routes():
    ops = operations()
    matched = set()
    for method, path, role in server_routes():
        if path.endswith("/"):
            # a prefix route: the document names its full form
            keys = [k for k in ops if k[0] == method and k[1].startswith(path)]
        else:
            keys = [(method, path)] if (method, path) in ops else []
        if not keys:
            fail(f"the server serves {method} {path} (src/server/arb-rest.c) but "
                 "docs/openapi.yaml does not describe it")
            continue
        for k in keys:
            matched.add(k)
            if ops[k].get("x-arbdash-role") != role:
                fail(f"{k[0]} {k[1]}: the server wants role {role}, the document says "
                     f"{ops[k].get('x-arbdash-role')}")
    for k, role in EXTRA_OPERATIONS.items():
        if k not in ops:
            fail(f"docs/openapi.yaml does not describe {k[0]} {k[1]}")
        elif ops[k].get("x-arbdash-role") != role:
            fail(f"{k[0]} {k[1]}: role {role} expected in the document")
        matched.add(k)
    for k in ops:
        if k not in matched:
            fail(f"docs/openapi.yaml describes {k[0]} {k[1]}, which the server does not serve")


# ------------------------------------------------------------------ the server

# ------------------------------------------------------------------ validation

def validate(method, template, answer, what=""):
    """Validates @answer against the document's response for its status."""
    where = f"{method} {template} {what}".strip()
    op = DOC["paths"].get(template, {}).get(method.lower())
    if op is None:
        fail(f"{where}: not in the document")
        return None
    response = op["responses"].get(str(answer.status))
    if response is None:
        fail(f"{where}: status {answer.status} is not documented "
             f"(body {answer.body[:200]!r})")
        return None
    response = inline(response)
    content = response.get("content")
    covered.setdefault((method, template), set()).add(answer.status)
    if content is None:
        return None
    ctype = answer.content_type()
    if ctype not in content:
        fail(f"{where}: {answer.status} answered {ctype}, the document has {list(content)}")
        return None
    if ctype != "application/json":
        return answer.body.decode("utf-8")
    try:
        value = answer.json()
    except ValueError as e:
        fail(f"{where}: {answer.status} is not JSON: {e}")
        return None
    schema = content[ctype].get("schema", {})
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
    for e in errors[:5]:
        path = "/".join(str(p) for p in e.absolute_path)
        fail(f"{where}: {answer.status} at /{path}: {e.message}")
    return value


def validate_error(answer, where):
    """An answer no route describes (an unknown path, another method): the
    protocol's error shape."""
    schema = inline({"$ref": "#/components/schemas/Error"})
    try:
        value = answer.json()
    except ValueError:
        fail(f"{where}: {answer.status} is not JSON")
        return None
    for e in Draft202012Validator(schema).iter_errors(value):
        fail(f"{where}: {e.message}")
    return value


def expect(cond, message):
    if not cond:
        fail(message)


def call(server, method, template, path=None, token=None, body=None, headers=None,
         status=None, what=""):
    answer = server.request(method, path or template, token=token, body=body, headers=headers)
    label = what or (path or template)
    if status is not None and answer.status != status:
        fail(f"{method} {label}: expected {status}, got {answer.status} "
             f"{answer.body[:300]!r}")
    value = validate(method, template, answer, label)
    if isinstance(value, dict) and answer.status >= 400 and "error" in value:
        print(f"  {answer.status} {method} {label}: {value['error'].get('code')} "
              f"{value['error'].get('field', '')}", flush=True)
    else:
        print(f"  {answer.status} {method} {label}", flush=True)
    return answer, value


# ------------------------------------------------------------------ the calls

V, O, B = TOKENS["viewer"], TOKENS["operator"], TOKENS["bot"]


def trade(seq, tid, **extra):
    t = {"type": "trade", "seq": seq, "ts": int(time.time() * 1000) - 1000 + seq, "id": tid,
         "pair": "WETH/USDC", "buy_venue": "uniswap", "sell_venue": "sushiswap",
         "status": "filled", "profit": 12.5}
    t.update(extra)
    return t


def feed(server):
    now = int(time.time() * 1000)
    events = [
        {"type": "hello", "bot_id": BOT_ID, "name": "OpenAPI test bot", "version": "1.0",
         "strategy": "cross-dex", "quote": "USD", "commands": ["pause"]},
        trade(1, "t-1"),
        trade(2, "t-2", chain="ethereum", amount_in="1500.25", amount_out="1501",
              gas_used=210000, gas_price_gwei=31.5, gas_cost=4.2, fees=0.5,
              latency_ms=850, tx_hash="0xabc", status="reverted", profit=-4.7),
        trade(3, "t-3", status="failed", profit=-1),
        {"type": "trade", "seq": 4, "ts": now, "id": "t-4"},  # refused: no pair
        {"type": "opportunity", "seq": 5, "ts": now, "pair": "WETH/USDC",
         "buy_venue": "uniswap", "sell_venue": "curve", "spread_bps": 12.5,
         "expected_profit": 3.25, "taken": False, "reason": "gas too high"},
        {"type": "resources", "seq": 6, "ts": now, "pool": {"size": 8, "in_use": 3},
         "tasks": {"running": 2, "queued": 0, "completed": 10, "failed": 1},
         "memory": {"rss_bytes": 1048576}, "cache": {"entries": 5, "hits": 9}},
        {"type": "metric", "seq": 7, "ts": now, "name": "rpc.latency", "value": 42,
         "unit": "ms"},
        {"type": "log", "seq": 8, "ts": now, "level": "info", "message": "started",
         "component": "main"},
        {"type": "heartbeat", "seq": 9, "ts": now, "state": "running"},
        {"type": "trade", "seq": 10, "ts": now, "id": "t-10", "pair": "WETH/USDC",
         "buy_venue": "a", "sell_venue": "b", "status": "filled", "profit": "12"},  # refused
    ]
    _, answer = call(server, "POST", "/api/v1/events", token=B,
                     body={"bot_id": BOT_ID, "events": events}, status=200)
    if answer:
        expect(answer["ack"] == 10, f"POST /events: ack {answer['ack']}, 10 expected")
        fields = sorted((e["index"], e.get("field"), e.get("seq")) for e in answer["errors"])
        expect(fields == [(4, "pair", 4), (10, "profit", 10)],
               f"POST /events: errors {answer['errors']}")
    # the same batch again: nothing new, nothing refused twice
    _, again = call(server, "POST", "/api/v1/events", token=B,
                    body={"bot_id": BOT_ID, "events": events[1:4]}, status=200,
                    what="/api/v1/events (resent)")
    if again:
        expect(again == {"ack": 10, "errors": []}, f"resent batch answered {again}")


def events_errors(server):
    call(server, "POST", "/api/v1/events", token=B, body={"events": []}, status=400,
         what="/api/v1/events (no bot_id)")
    call(server, "POST", "/api/v1/events", token=B, body="{not json", status=400,
         what="/api/v1/events (not JSON)")
    call(server, "POST", "/api/v1/events", body={"bot_id": BOT_ID, "events": []}, status=401,
         what="/api/v1/events (no token)")
    call(server, "POST", "/api/v1/events", token=V, body={"bot_id": BOT_ID, "events": []},
         status=403, what="/api/v1/events (viewer token)")
    call(server, "POST", "/api/v1/events", token=B,
         body={"bot_id": BOT_ID, "events": [{}] * 1001}, status=413,
         what="/api/v1/events (1,001 events)")
    big = server.raw("POST /api/v1/events HTTP/1.1\r\n"
                     f"Host: 127.0.0.1:{server.port}\r\nAuthorization: Bearer {B}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n")
    expect(big.status == 413, f"a 2 MB body got {big.status}")
    validate("POST", "/api/v1/events", big, "(Content-Length 2,000,000)")


def trades(server):
    _, page = call(server, "GET", "/api/v1/trades", f"/api/v1/trades?bot_id={BOT_ID}&limit=2",
                   token=V, status=200)
    if page:
        expect([t["id"] for t in page["trades"]] == ["t-3", "t-2"],
               f"first page: {[t['id'] for t in page['trades']]}")
        expect(isinstance(page["next_cursor"], str), "first page has no next_cursor")
        t2 = page["trades"][1]
        expect(t2.get("amount_in") == "1500.25" and t2.get("gas_used") == 210000,
               f"trade t-2 read back as {t2}")
        cursor = urllib.parse.quote(page["next_cursor"], safe="")
        _, page2 = call(server, "GET", "/api/v1/trades",
                        f"/api/v1/trades?bot_id={BOT_ID}&limit=2&cursor={cursor}", token=V,
                        status=200, what="/api/v1/trades (next page)")
        if page2:
            expect([t["id"] for t in page2["trades"]] == ["t-1"] and page2["next_cursor"] is None,
                   f"second page: {page2}")
        call(server, "GET", "/api/v1/trades",
             f"/api/v1/trades?bot_id={BOT_ID}&limit=2&sort=profit&cursor={cursor}", token=V,
             status=400, what="/api/v1/trades (cursor of another order)")
    call(server, "GET", "/api/v1/trades",
         "/api/v1/trades?sort=profit&order=asc&status=filled&pair=WETH%2FUSDC&limit=1000",
         token=V, status=200, what="/api/v1/trades (sorted, filtered)")
    call(server, "GET", "/api/v1/trades", "/api/v1/trades?after=0&before=9999999999999",
         token=O, status=200, what="/api/v1/trades (operator, range)")
    for query, field in (("limit=0", "limit"), ("limit=1001", "limit"),
                         ("status=won", "status"), ("sort=size", "sort"),
                         ("order=up", "order"), ("cursor=garbage", "cursor"),
                         ("bot_id=no%20spaces", "bot_id"), ("after=soon", "after")):
        _, err = call(server, "GET", "/api/v1/trades", f"/api/v1/trades?{query}", token=V,
                      status=400)
        if err:
            expect(err["error"].get("field") == field, f"?{query}: field {err['error']}")
    call(server, "GET", "/api/v1/trades", status=401, what="/api/v1/trades (no token)")
    a, _ = call(server, "GET", "/api/v1/trades", token=WRONG, status=401,
                what="/api/v1/trades (wrong token)")
    call(server, "GET", "/api/v1/trades", token=B, status=403, what="/api/v1/trades (bot token)")
    no_token = server.request("GET", "/api/v1/trades")
    expect((no_token.header("www-authenticate") or "").startswith("Bearer"),
           "401 without a token has no WWW-Authenticate: Bearer")


def trades_csv(server):
    a, text = call(server, "GET", "/api/v1/trades.csv", f"/api/v1/trades.csv?bot_id={BOT_ID}",
                   token=V, status=200)
    if text is not None:
        lines = text.split("\r\n")
        expect(lines[0].startswith("bot_id,seq,ts,time,id,pair"), f"CSV header {lines[0]!r}")
        expect(len([l for l in lines[1:] if l]) == 3, f"CSV rows: {lines}")
        expect("trades.csv" in (a.header("content-disposition") or ""),
               "CSV without Content-Disposition")
    call(server, "GET", "/api/v1/trades.csv", "/api/v1/trades.csv?limit=5", token=V, status=400,
         what="/api/v1/trades.csv (limit)")
    call(server, "GET", "/api/v1/trades.csv", status=401, what="/api/v1/trades.csv (no token)")
    call(server, "GET", "/api/v1/trades.csv", token=B, status=403,
         what="/api/v1/trades.csv (bot token)")


def summary(server):
    call(server, "GET", "/api/v1/summary", token=V, status=200)
    _, s = call(server, "GET", "/api/v1/summary",
                f"/api/v1/summary?window=1h&bot_id={BOT_ID}&tz=Europe%2FBerlin", token=V,
                status=200, what="/api/v1/summary (1h, one bot, tz)")
    if s:
        expect("net_profit_today" in s, "summary with tz has no net_profit_today")
        expect(s["trades"]["total"] == 3, f"summary of {BOT_ID}: {s['trades']}")
    for w in ("24h", "7d", "all"):
        call(server, "GET", "/api/v1/summary", f"/api/v1/summary?window={w}", token=V,
             status=200)
    call(server, "GET", "/api/v1/summary", "/api/v1/summary?window=2d", token=V, status=400)
    call(server, "GET", "/api/v1/summary", "/api/v1/summary?tz=..%2Fetc", token=V, status=400)
    call(server, "GET", "/api/v1/summary", status=401, what="/api/v1/summary (no token)")
    call(server, "GET", "/api/v1/summary", token=B, status=403, what="/api/v1/summary (bot)")


def system(server):
    def sample():
        a = server.request("GET", "/api/v1/system", token=V)
        validate("GET", "/api/v1/system", a, "(waiting for a sample)")
        return a.status == 200
    until("a system sample", sample)
    call(server, "GET", "/api/v1/system", token=V, status=200)
    call(server, "GET", "/api/v1/system", status=401, what="/api/v1/system (no token)")
    call(server, "GET", "/api/v1/system", token=B, status=403, what="/api/v1/system (bot)")


def bots(server):
    _, b = call(server, "GET", "/api/v1/bots", token=V, status=200)
    if b:
        ids = {x["bot_id"] for x in b["bots"]}
        expect({"demo", BOT_ID} <= ids, f"/bots has {ids}")
    call(server, "GET", "/api/v1/bots", status=401, what="/api/v1/bots (no token)")
    call(server, "GET", "/api/v1/bots", token=B, status=403, what="/api/v1/bots (bot)")


def commands(server):
    t = "/api/v1/bots/{bot_id}/commands"
    for name in ("pause", "resume"):
        _, c = call(server, "POST", t, "/api/v1/bots/demo/commands", token=O,
                    body={"name": name, "args": {}}, status=200, what=f"demo {name}")
        if c:
            expect(c["command"]["status"] == "done", f"{name}: {c['command']}")
    _, c = call(server, "POST", t, "/api/v1/bots/demo/commands", token=O,
                body={"name": "dance"}, status=409, what="demo dance")
    if c:
        expect(c["error"]["field"] == "name", f"dance refused for {c['error']}")
    _, c = call(server, "POST", t, f"/api/v1/bots/{BOT_ID}/commands", token=O,
                body={"name": "pause"}, status=409, what=f"{BOT_ID} (not connected)")
    if c:
        expect(c["error"]["field"] == "bot_id", f"not connected refused for {c['error']}")
    _, c = call(server, "POST", t, "/api/v1/bots/nobody/commands", token=O,
                body={"name": "pause"}, status=404, what="unknown bot")
    call(server, "POST", t, "/api/v1/bots/demo/other", token=O, body={"name": "pause"},
         status=404, what="/api/v1/bots/demo/other")
    call(server, "POST", t, "/api/v1/bots/demo/commands", token=O, body={"name": 5},
         status=400, what="name not a string")
    call(server, "POST", t, "/api/v1/bots/demo/commands", token=O,
         body={"name": "pause", "args": []}, status=400, what="args not an object")
    call(server, "POST", t, "/api/v1/bots/demo/commands", body={"name": "pause"}, status=401,
         what="no token")
    call(server, "POST", t, "/api/v1/bots/demo/commands", token=V, body={"name": "pause"},
         status=403, what="viewer token")
    big = server.raw("POST /api/v1/bots/demo/commands HTTP/1.1\r\n"
                     f"Host: 127.0.0.1:{server.port}\r\nAuthorization: Bearer {O}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    expect(big.status == 413, f"a 100 kB command got {big.status}")
    validate("POST", t, big, "(Content-Length 100,000)")


def audit(server):
    # the audit is written by the store's writer, after the answer: wait for the four
    until("the four commands in the audit", lambda: len(server.request(
        "GET", "/api/v1/audit", token=O).json()["commands"]) >= 4)
    _, a = call(server, "GET", "/api/v1/audit", token=O, status=200)
    if a:
        statuses = sorted(c["status"] for c in a["commands"])
        expect(statuses == ["done", "done", "rejected", "rejected"], f"audit: {statuses}")
    call(server, "GET", "/api/v1/audit", "/api/v1/audit?bot_id=demo&limit=1", token=O,
         status=200, what="/api/v1/audit (one bot, limit)")
    call(server, "GET", "/api/v1/audit", "/api/v1/audit?limit=0", token=O, status=400)
    call(server, "GET", "/api/v1/audit", status=401, what="/api/v1/audit (no token)")
    call(server, "GET", "/api/v1/audit", token=V, status=403, what="/api/v1/audit (viewer)")


def rejected(server):
    """Walks the refused messages of the test's bot a page of one at a time:
    the two refused events and the bodies refused whole, newest first."""
    seen = []
    path = f"/api/v1/rejected?bot_id={BOT_ID}&limit=1"
    for _ in range(20):
        _, r = call(server, "GET", "/api/v1/rejected", path, token=O, status=200,
                    what="/api/v1/rejected (a page of one)")
        if not r:
            break
        expect(len(r["rejected"]) <= 1, f"a page of one has {len(r['rejected'])}")
        seen += r["rejected"]
        if r["next_cursor"] is None:
            break
        cursor = urllib.parse.quote(r["next_cursor"], safe="")
        path = f"/api/v1/rejected?bot_id={BOT_ID}&limit=1&cursor={cursor}"
    seqs = [x["seq"] for x in seen if x["seq"] is not None]
    expect(seqs == [10, 4], f"refused seqs {seqs}, [10, 4] expected")
    expect(any(x["code"] == "too_large" and x["seq"] is None for x in seen),
           "the batch of 1,001 events is not in the refused log")
    for x in seen:
        if x["seq"] == 4:
            raw = json.loads(x["raw"])
            expect(raw.get("id") == "t-4" and x["field"] == "pair", f"refused seq 4: {x}")
    call(server, "GET", "/api/v1/rejected", token=O, status=200, what="/api/v1/rejected (all)")
    call(server, "GET", "/api/v1/rejected", "/api/v1/rejected?cursor=t1:5", token=O, status=400)
    call(server, "GET", "/api/v1/rejected", "/api/v1/rejected?limit=1001", token=O, status=400)
    call(server, "GET", "/api/v1/rejected", status=401, what="/api/v1/rejected (no token)")
    call(server, "GET", "/api/v1/rejected", token=V, status=403,
         what="/api/v1/rejected (viewer)")


def logs(server):
    _, page = call(server, "GET", "/api/v1/logs", f"/api/v1/logs?bot_id={BOT_ID}&limit=1",
                   token=V, status=200)
    if page:
        expect([(x["message"], x.get("component")) for x in page["logs"]] == [("started", "main")],
               f"/logs of {BOT_ID}: {page['logs']}")
    _, page = call(server, "GET", "/api/v1/logs",
                   f"/api/v1/logs?bot_id={BOT_ID}&level=warning&component=main&text=START",
                   token=V, status=200, what="/api/v1/logs (filtered)")
    if page:
        expect(page == {"logs": [], "next_cursor": None}, f"/logs at warning: {page}")
    # two stored messages of the demo bot or ours: the first page names the next
    until("two stored log messages", lambda: len(server.request(
        "GET", "/api/v1/logs?limit=2", token=V).json().get("logs", [])) == 2)
    _, first = call(server, "GET", "/api/v1/logs", "/api/v1/logs?limit=1", token=V, status=200,
                    what="/api/v1/logs (first page)")
    if first:
        expect(first["next_cursor"] is not None, "/logs?limit=1 names no next page")
        call(server, "GET", "/api/v1/logs", f"/api/v1/logs?limit=1&cursor={first['next_cursor']}",
             token=V, status=200, what="/api/v1/logs (next page)")
    for query in ("limit=0", "limit=501", "level=loud", "cursor=garbage!", "text=%FF"):
        call(server, "GET", "/api/v1/logs", f"/api/v1/logs?{query}", token=V, status=400)
    call(server, "GET", "/api/v1/logs", status=401, what="/api/v1/logs (no token)")
    call(server, "GET", "/api/v1/logs", token=B, status=403, what="/api/v1/logs (bot)")


def series(server):
    until("the cpu.total series",
          lambda: server.request("GET", "/api/v1/series?metric=cpu.total", token=V).status == 200)
    _, s = call(server, "GET", "/api/v1/series", "/api/v1/series?metric=cpu.total&points=10",
                token=V, status=200)
    if s:
        expect(len(s["points"]) >= 1, "cpu.total has no points")
    now = int(time.time() * 1000)
    call(server, "GET", "/api/v1/series",
         f"/api/v1/series?metric=bot.{BOT_ID}.rpc.latency&after={now - 600000}&before={now + 1000}",
         token=V, status=200, what="a bot's metric")
    for query in ("", "metric=", "metric=cpu.total&points=0", "metric=cpu.total&points=10001",
                  "metric=cpu.total&after=5&before=5", "metric=cpu.total&before=-1"):
        call(server, "GET", "/api/v1/series", f"/api/v1/series?{query}", token=V, status=400)
    # count=1: a fifth element per point, the number of its values (0: a gap, no figures)
    _, c = call(server, "GET", "/api/v1/series", "/api/v1/series?metric=cpu.total&points=10&count=1",
                token=V, status=200, what="/api/v1/series (count=1)")
    if c:
        expect(len(c["points"]) >= 1, "cpu.total with count=1 has no points")
        for p in c["points"]:
            expect(len(p) == 5 and isinstance(p[4], int) and p[4] >= 0,
                   f"a point with count=1 has no count: {p}")
            expect((p[4] == 0) == (p[2] is None), f"a point's count and avg disagree: {p}")
        expect(any(p[4] > 0 for p in c["points"]), f"count=1: every point is a gap: {c}")
    _, c = call(server, "GET", "/api/v1/series", "/api/v1/series?metric=cpu.total&points=10&count=0",
                token=V, status=200, what="/api/v1/series (count=0)")
    if c:
        expect(all(len(p) == 4 for p in c["points"]), "count=0 gave points of 5 elements")
    for query in ("metric=cpu.total&count=2", "metric=cpu.total&count=-1",
                  "metric=cpu.total&count=yes"):
        _, e = call(server, "GET", "/api/v1/series", f"/api/v1/series?{query}", token=V,
                    status=400)
        if e:
            expect(e["error"].get("field") == "count", f"{query}: field {e['error']}")
    call(server, "GET", "/api/v1/series", "/api/v1/series?metric=no.such", token=V, status=404)
    call(server, "GET", "/api/v1/series", "/api/v1/series?metric=cpu.total", status=401,
         what="/api/v1/series (no token)")
    call(server, "GET", "/api/v1/series", "/api/v1/series?metric=cpu.total", token=B,
         status=403, what="/api/v1/series (bot)")


def series_names(server):
    T = "/api/v1/series/names"
    _, n = call(server, "GET", T, token=V, status=200)
    if n:
        names = n["names"]
        expect(names == sorted(names, key=lambda x: x.encode()), f"names not sorted: {names}")
        expect("cpu.total" in names and f"bot.{BOT_ID}.rpc.latency" in names,
               f"names lack cpu.total or the bot's metric: {names}")
        # every name it gives is a series /series serves (no 404)
        for name in ("cpu.total", f"bot.{BOT_ID}.rpc.latency"):
            a = server.request("GET", f"/api/v1/series?metric={name}", token=V)
            expect(a.status == 200, f"/series of listed {name}: {a.status}")
    _, n = call(server, "GET", T, f"{T}?prefix=cpu.", token=V, status=200)
    if n:
        expect("cpu.total" in n["names"] and all(x.startswith("cpu.") for x in n["names"]),
               f"prefix=cpu.: {n['names']}")
    _, n = call(server, "GET", T, f"{T}?prefix=bot.{BOT_ID}.", token=V, status=200)
    if n:
        expect(f"bot.{BOT_ID}.rpc.latency" in n["names"] and
               all(x.startswith(f"bot.{BOT_ID}.") for x in n["names"]),
               f"prefix=bot.{BOT_ID}.: {n['names']}")
    _, n = call(server, "GET", T, f"{T}?prefix=no.such.", token=V, status=200)
    if n:
        expect(n["names"] == [], f"prefix=no.such.: {n['names']}")
    _, n = call(server, "GET", T, f"{T}?prefix=", token=V, status=200, what=f"{T} (empty prefix)")
    _, every = call(server, "GET", T, token=V, status=200)
    if n and every:
        expect(set(every["names"]) <= set(n["names"]), "an empty prefix left names out")
    # the prefix is decoded strictly, as every parameter: one that is not UTF-8 is
    # refused naming it (a broken %-escape never reaches the route: libsoup refuses it)
    _, e = call(server, "GET", T, f"{T}?prefix=%FF", token=V, status=400)
    if e:
        expect(e["error"].get("field") == "prefix", f"prefix=%FF: field {e['error']}")
    call(server, "GET", T, status=401, what=f"{T} (no token)")
    call(server, "GET", T, token=B, status=403, what=f"{T} (bot)")


def resources(server):
    _, r = call(server, "GET", "/api/v1/resources", token=V, status=200)
    if r:
        ids = {b["bot_id"] for b in r["bots"]}
        expect({"demo", BOT_ID} <= ids, f"/resources has bots {ids}")
        expect("cpu_pct" in r["dashboard"], "/resources has no cpu_pct after a sample")
    call(server, "GET", "/api/v1/resources", status=401, what="/api/v1/resources (no token)")
    call(server, "GET", "/api/v1/resources", token=B, status=403,
         what="/api/v1/resources (bot)")


def alerts(server):
    call(server, "GET", "/api/v1/alerts", token=V, status=200)
    call(server, "GET", "/api/v1/alerts", "/api/v1/alerts?limit=5", token=V, status=200)
    call(server, "GET", "/api/v1/alerts", "/api/v1/alerts?limit=0", token=V, status=400)
    call(server, "GET", "/api/v1/alerts", status=401, what="/api/v1/alerts (no token)")
    call(server, "GET", "/api/v1/alerts", token=B, status=403, what="/api/v1/alerts (bot)")


def session(server):
    p = "/api/v1/session"
    _, s = call(server, "GET", p, status=200, what="signed out")
    expect(s == {"role": None}, f"signed out: {s}")
    _, s = call(server, "GET", p, token=O, status=200, what="operator bearer")
    expect(s == {"role": "operator"}, f"operator bearer: {s}")
    a, s = call(server, "POST", p, body={"token": V}, status=200, what="sign in")
    cookie = (a.header("set-cookie") or "").split(";")[0]
    expect(cookie.startswith("arbdash_session="), f"sign-in set {a.header('set-cookie')}")
    _, s = call(server, "GET", p, headers={"Cookie": cookie}, status=200, what="cookie")
    expect(s == {"role": "viewer"}, f"cookie: {s}")
    call(server, "GET", "/api/v1/trades", "/api/v1/trades?limit=1", headers={"Cookie": cookie},
         status=200, what="/api/v1/trades (cookie)")
    call(server, "DELETE", p, headers={"Cookie": cookie}, status=403, what="without Origin")
    call(server, "DELETE", p, headers={"Cookie": cookie, "Origin": server.origin}, status=200,
         what="sign out")
    call(server, "GET", p, headers={"Cookie": cookie}, what="ended cookie")
    call(server, "DELETE", p, status=200, what="sign out without a session")
    call(server, "POST", p, body={"token": B}, status=401, what="bot token")
    call(server, "POST", p, body={}, status=400, what="no token")
    call(server, "POST", p, body="[1,", status=400, what="not JSON")
    call(server, "POST", p, body={"login_code": 5}, status=400, what="login_code not a string")
    call(server, "POST", p, body={"login_code": "0" * 48}, status=401, what="unknown login code")
    big = server.raw(f"POST {p} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    expect(big.status == 413, f"a 100 kB sign-in got {big.status}")
    validate("POST", p, big, "(Content-Length 100,000)")


def metrics(server):
    _, text = call(server, "GET", "/metrics", token=V, status=200)
    if text is not None:
        expect("arbdash_trades_total" in text, "/metrics has no arbdash_trades_total")
    call(server, "GET", "/metrics", status=401, what="/metrics (no token)")
    call(server, "GET", "/metrics", token=B, status=403, what="/metrics (bot token)")
    a = server.request("POST", "/metrics", token=V, body=b"")
    expect(a.status == 405 and a.header("allow") == "GET", f"POST /metrics: {a.status}")
    validate_error(a, "POST /metrics")


def upgrade(server, path, token=None, origin=None):
    head = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: arbdash.v1\r\n")
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if origin:
        head += f"Origin: {origin}\r\n"
    return server.raw(head + "\r\n")


def websockets(server):
    for path, token in (("/api/v1/bot", B), ("/api/v1/stream", V)):
        for tok, origin, status in ((token, None, 101), (None, None, 401),
                                    (token, "http://evil.example", 403)):
            a = upgrade(server, path, tok, origin)
            expect(a.status == status, f"upgrade {path} ({tok and 'token'}, {origin}): "
                                       f"{a.status}, {status} expected")
            validate("GET", path, a, f"(upgrade, {status})")
            print(f"  {a.status} GET {path} (upgrade)", flush=True)
    a = upgrade(server, "/api/v1/bot", V)
    expect(a.status == 403, f"bot upgrade with a viewer token: {a.status}")
    validate("GET", "/api/v1/bot", a, "(viewer token)")


def generic(server):
    _, h = call(server, "GET", "/api/v1/health", status=200)
    if h:
        expect(h["status"] == "ok", f"health {h}")
    a = server.request("GET", "/api/v1/health", headers={"Host": "rebinding.example"})
    expect(a.status == 403, f"a foreign Host got {a.status}")
    validate("GET", "/api/v1/health", a, "(foreign Host)")
    a = server.request("POST", "/api/v1/health", body=b"")
    expect(a.status == 405 and a.header("allow") == "GET", f"POST /health: {a.status}")
    validate_error(a, "POST /api/v1/health")
    a = server.request("GET", "/api/v1/nothing-here", token=V)
    expect(a.status == 404, f"an unknown route got {a.status}")
    validate_error(a, "GET /api/v1/nothing-here")


def rate_limited(server):
    """Last: past 10 wrong tokens this peer's tokens are refused for a while."""
    a = None
    for _ in range(20):
        a = server.request("GET", "/api/v1/trades", token=WRONG)
        if a.status == 429:
            break
        validate("GET", "/api/v1/trades", a, "(wrong token)")
    expect(a is not None and a.status == 429, "20 wrong tokens never got 429")
    if a.status == 429:
        retry = a.header("retry-after")
        expect(retry is not None and 1 <= int(retry) <= 6, f"429 with Retry-After {retry}")
        validate("GET", "/api/v1/trades", a, "(too many wrong tokens)")
        print("  429 GET /api/v1/trades (wrong tokens)", flush=True)
        for method, path, token in (("GET", "/api/v1/summary", V), ("GET", "/metrics", V),
                                    ("GET", "/api/v1/session", V)):
            b = server.request(method, path, token=token)
            expect(b.status == 429, f"{method} {path} while limited: {b.status}")
            validate(method, path, b, "(limited)")
        b = server.request("POST", "/api/v1/session", body={"token": V})
        expect(b.status == 429, f"sign-in while limited: {b.status}")
        validate("POST", "/api/v1/session", b, "(limited)")
        b = upgrade(server, "/api/v1/bot", B)
        expect(b.status == 429, f"bot upgrade while limited: {b.status}")
        validate("GET", "/api/v1/bot", b, "(limited)")


def main():
    if not BIN or not os.access(BIN, os.X_OK):
        print("SKIP: ARBDASH_BIN does not name the built arbdash")
        return 77
    check_document()
    check_routes()
    server = Server(TOKENS)
    try:
        print(f"arbdash on port {server.port}", flush=True)
        generic(server)
        feed(server)
        events_errors(server)
        system(server)
        # the demo bot (a simulator) trades at its own pace: wait for one
        until("a trade of the demo bot", lambda: server.request(
            "GET", "/api/v1/trades?bot_id=demo&limit=1", token=V).json().get("trades"))
        trades(server)
        trades_csv(server)
        call(server, "GET", "/api/v1/trades", "/api/v1/trades?bot_id=demo&limit=1000", token=V,
             status=200, what="/api/v1/trades (the demo bot's)")
        summary(server)
        bots(server)
        commands(server)
        audit(server)
        rejected(server)
        logs(server)
        series(server)
        series_names(server)
        resources(server)
        alerts(server)
        session(server)
        metrics(server)
        websockets(server)
        rate_limited(server)
    except Exception as e:  # a timeout or a broken connection: say what and where
        fail(f"{type(e).__name__}: {e}")
    code, out = server.stop()
    if code != 0:
        fail(f"arbdash exited with {code}")
    if re.search(r"AddressSanitizer|LeakSanitizer|runtime error:|CRITICAL", out):
        fail("arbdash reported a problem:\n" + out[-4000:])

    ops = operations()
    print("\ncoverage (operation: statuses validated):")
    for key in sorted(ops, key=lambda k: (k[1], k[0])):
        statuses = sorted(covered.get(key, ()))
        documented = sorted(int(s) for s in ops[key]["responses"])
        print(f"  {key[0]:6} {key[1]:34} {statuses}  (documented {documented})")
        if not statuses:
            fail(f"{key[0]} {key[1]} was never called")
    if failures:
        print(f"\n{len(failures)} failure(s)")
        if code != 0 or True:
            print("server output (tail):\n" + out[-2000:])
        return 1
    print("\nall answers validate against docs/openapi.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
