#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python example bot of docs/bots.md (docs/examples/bot.py) against a
real `arbdash --headless --no-demo` on a loopback port the kernel picks.

1. It makes 5 trades and one invalid event, exits once all are acknowledged;
   the 5 trades read back through GET /api/v1/trades, the invalid one through
   GET /api/v1/rejected.
2. Run again on its state file, it carries on with the next seq: 3 more
   trades, none stored twice.
3. pause, resume and stop through POST /api/v1/bots/{bot_id}/commands: each
   is answered (`done`), the heartbeat shows the state, stop ends the bot.
4. arbdash is killed (SIGKILL, a crash) while the bot trades and started
   again on the same port and database: the bot reconnects, resends what was
   not acknowledged, and every one of its 40 trades is stored exactly once.

Exit 77 without python3-websockets or the binary.
"""

import json
import shutil
import signal
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

try:
    import websockets  # noqa: F401  (the example bot's one dependency)
except ImportError as e:
    print(f"SKIP: {e} (install python3-websockets)")
    sys.exit(77)

SRCDIR = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.abspath(__file__)))
TOP = os.path.dirname(os.path.abspath(SRCDIR))
sys.path.insert(0, SRCDIR)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from arbdash_server import BIN, Server, until  # noqa: E402

BOT_PY = os.path.join(TOP, "docs", "examples", "bot.py")
TOKENS = {
    "bot": "example-bot-secret-0123456789",
    "viewer": "example-viewer-secret-0123456789",
    "operator": "example-operator-secret-0123456789",
}
BOT_WAIT_S = 90

failures = []


def expect(cond, message):
    if not cond:
        failures.append(message)
        print(f"FAIL: {message}", flush=True)
    return cond


class BotProcess:
    def __init__(self, server, folder, bot_id, *args):
        self.log_path = os.path.join(folder, f"{bot_id}.log")
        self.log = open(self.log_path, "ab")
        env = dict(os.environ, ARBDASH_BOT_TOKEN=TOKENS["bot"])
        self.proc = subprocess.Popen(
            [sys.executable, BOT_PY, "--url", f"http://127.0.0.1:{server.port}",
             "--bot-id", bot_id, "--state", os.path.join(folder, f"{bot_id}.json"),
             "--heartbeat", "0.5", *args],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, what):
        try:
            code = self.proc.wait(timeout=BOT_WAIT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = "killed after a timeout"
        self.log.close()
        expect(code == 0, f"{what}: the bot exited with {code}:\n{self.output()}")
        return code

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def get(server, path, token=TOKENS["viewer"]):
    a = server.request("GET", path, token=token)
    if a.status != 200:
        raise RuntimeError(f"GET {path}: {a.status} {a.body[:300]!r}")
    return a.json()


def all_trades(server, bot_id):
    """Every trade of @bot_id, page by page (bounded)."""
    trades, cursor = [], None
    for _ in range(100):
        q = f"bot_id={bot_id}&limit=1000&order=asc"
        if cursor:
            q += "&cursor=" + urllib.parse.quote(cursor, safe="")
        page = get(server, f"/api/v1/trades?{q}")
        trades += page["trades"]
        cursor = page["next_cursor"]
        if cursor is None:
            return trades
    raise RuntimeError("more than 100 pages of trades")


def command(server, bot_id, name):
    a = server.request("POST", f"/api/v1/bots/{bot_id}/commands", token=TOKENS["operator"],
                       body={"name": name, "args": {}})
    ok = expect(a.status == 200, f"{name}: HTTP {a.status} {a.body[:300]!r}")
    if ok:
        c = a.json()["command"]
        expect(c["status"] == "done" and c["ok"], f"{name}: {c}")
        print(f"  {name}: {c['status']} ({c['message']})", flush=True)


def bot_state(server, bot_id):
    for b in get(server, "/api/v1/bots")["bots"]:
        if b["bot_id"] == bot_id:
            return b
    return None


def trades_and_rejected(server, folder):
    bot = BotProcess(server, folder, "example-bot", "--trades", "5", "--interval", "0.02",
                     "--invalid")
    bot.wait("5 trades")
    trades = all_trades(server, "example-bot")
    expect(len(trades) == 5, f"{len(trades)} trades read back, 5 expected")
    expect(all(t["bot_id"] == "example-bot" and t["pair"] for t in trades),
           f"trades read back: {trades}")
    rejected = get(server, "/api/v1/rejected?bot_id=example-bot", token=TOKENS["operator"])
    fields = [(r["field"], r["code"]) for r in rejected["rejected"]]
    expect(fields == [("profit", "bad_request")], f"refused messages: {fields}")
    print(f"  5 trades read back, refused: {fields}", flush=True)
    return trades


def restart_of_the_bot(server, folder, before):
    bot = BotProcess(server, folder, "example-bot", "--trades", "3", "--interval", "0.02")
    bot.wait("3 more trades")
    trades = all_trades(server, "example-bot")
    seqs = [t["seq"] for t in trades]
    expect(len(trades) == 8 and len(set(seqs)) == 8, f"after a restart: seqs {seqs}")
    expect(min(seqs[5:]) > max(t["seq"] for t in before),
           f"the restarted bot did not carry on after its seq: {seqs}")
    print(f"  after a restart of the bot: 8 trades, seqs {seqs}", flush=True)


def commands(server, folder):
    bot = BotProcess(server, folder, "command-bot", "--interval", "0.1")
    until("the bot's connection", lambda: (bot_state(server, "command-bot") or {})
          .get("connections") == 1, BOT_WAIT_S)
    command(server, "command-bot", "pause")
    until("the paused heartbeat",
          lambda: bot_state(server, "command-bot")["run_state"] == "paused", BOT_WAIT_S)
    paused = len(all_trades(server, "command-bot"))
    command(server, "command-bot", "resume")
    until("trades after resume",
          lambda: len(all_trades(server, "command-bot")) > paused, BOT_WAIT_S)
    command(server, "command-bot", "stop")
    bot.wait("stop")
    state = bot_state(server, "command-bot")
    expect(state["run_state"] == "stopped", f"after stop: {state}")
    audit = get(server, "/api/v1/audit?bot_id=command-bot", token=TOKENS["operator"])
    names = [c["name"] for c in audit["commands"]]
    expect(names == ["stop", "resume", "pause"], f"audit: {names}")


def outbox(folder, bot_id):
    """The unacknowledged events in the bot's state file (written atomically)."""
    try:
        with open(os.path.join(folder, f"{bot_id}.json"), encoding="utf-8") as f:
            return json.load(f)["outbox"]
    except FileNotFoundError:
        return []


def crash_and_resend(server, folder):
    total = 40
    bot = BotProcess(server, folder, "resend-bot", "--trades", str(total), "--interval", "0.05")
    until("the first trades", lambda: len(all_trades(server, "resend-bot")) >= 5, BOT_WAIT_S)
    port = server.port
    # stopped, arbdash reads and acknowledges nothing: what the bot sends now stays in
    # its outbox (and its state file), and the kill loses whatever the kernel buffered
    server.proc.send_signal(signal.SIGSTOP)
    # made after the stop: never read by arbdash, so they must be resent
    before = len(outbox(folder, "resend-bot"))
    until("unacknowledged events", lambda: len(outbox(folder, "resend-bot")) >= before + 5,
          BOT_WAIT_S)
    server.kill()
    print("  arbdash stopped, then killed, with the bot's trades coming in", flush=True)
    until("the bot to see the connection go", lambda: "connection lost" in bot.output(),
          BOT_WAIT_S)
    server = Server(TOKENS, ["--no-demo"], port=port, folder=server.dir)
    bot.wait("40 trades across a crash")
    trades = all_trades(server, "resend-bot")
    ids = [t["id"] for t in trades]
    expect(len(trades) == total and len(set(ids)) == total,
           f"after the crash: {len(trades)} trades, {len(set(ids))} distinct, {total} expected")
    resent = [int(line.split("resending ")[1]) for line in bot.output().splitlines()
              if "resending" in line]
    expect(len(resent) >= 2 and resent[-1] >= 5,
           f"the bot did not resend its unacknowledged events after the crash: {resent}")
    print(f"  {len(trades)} trades across the crash; resent after each welcome: {resent}",
          flush=True)
    return server


def main():
    if not BIN or not os.access(BIN, os.X_OK):
        print("SKIP: ARBDASH_BIN does not name the built arbdash")
        return 77
    folder = tempfile.mkdtemp(prefix="arbdash-example-bot-")
    server = Server(TOKENS, ["--no-demo"])
    out = ""
    try:
        print(f"arbdash on port {server.port}", flush=True)
        before = trades_and_rejected(server, folder)
        restart_of_the_bot(server, folder, before)
        commands(server, folder)
        server = crash_and_resend(server, folder)
    except Exception as e:
        expect(False, f"{type(e).__name__}: {e}")
    finally:
        code, out = server.stop()
        expect(code == 0, f"arbdash exited with {code}")
        shutil.rmtree(folder, ignore_errors=True)
    if failures:
        print(f"\n{len(failures)} failure(s); server output (tail):\n{out[-3000:]}")
        return 1
    print("the example bot works")
    return 0


if __name__ == "__main__":
    sys.exit(main())
