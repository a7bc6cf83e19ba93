#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A complete minimal arbdash bot: protocol v1 over the WebSocket /api/v1/bot.

Python 3 standard library and the `websockets` package (Debian:
python3-websockets, 10.4 on Debian 12; newer releases work too). Read it with
docs/bots.md, which explains each part.

What it does, as every bot should:

- says `hello`, and takes the `welcome`'s `last_seq`, the highest seq the
  dashboard has stored for this bot;
- numbers every event with `seq` (1, 2, 3, ...), keeps the number and every
  unacknowledged event in a state file, so that neither a reconnect nor a
  restart of the bot loses or repeats anything;
- keeps each event until an `ack` covers it, and after a reconnect resends
  the unacknowledged ones from `last_seq + 1`;
- sends heartbeats, and answers the commands `pause`, `resume` and `stop` with
  a `command_result`;
- prints the dashboard's `error`s: a refused event is kept in the dashboard's
  log of refused messages (GET /api/v1/rejected, operator token).

THE TRADES ARE MADE UP: `make_trade()` stands for your bot's real work. Put
your own trades (and opportunities, logs, metrics) there.

    ARBDASH_BOT_TOKEN=... python3 docs/examples/bot.py --url http://127.0.0.1:8080 \\
        --bot-id my-bot --state my-bot.state.json

Exit status: 0 after `--trades N` trades are all acknowledged or after a
`stop` command; 1 on a fatal error (a token the dashboard refuses); 2 on a
usage error.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import time

try:
    import websockets
except ImportError:
    print("bot.py needs the websockets package (Debian: apt install python3-websockets)",
          file=sys.stderr)
    sys.exit(2)

BACKOFF_MIN_S = 0.1
BACKOFF_MAX_S = 10.0
WINDOW = 1000          # unacknowledged events before the bot stops producing
COMMANDS = ["pause", "resume", "stop"]


class Fatal(Exception):
    """The dashboard refused us for good (a wrong token or role): retrying will not help."""


def now_ms():
    return int(time.time() * 1000)


def connect(url, token):
    """A WebSocket to /api/v1/bot with the token, in the API of the websockets
    release at hand (10.x to 12.x take extra_headers, 13 and later
    additional_headers)."""
    headers = {"Authorization": f"Bearer {token}"}
    try:
        from websockets.asyncio.client import connect as connect_new
    except ImportError:
        return websockets.connect(url, extra_headers=headers, subprotocols=["arbdash.v1"],
                                  open_timeout=15, close_timeout=3)
    return connect_new(url, additional_headers=headers, subprotocols=["arbdash.v1"],
                       open_timeout=15, close_timeout=3)


def refused_status(error):
    """The HTTP status of a refused upgrade (websockets 10 to 12: InvalidStatusCode
    with status_code; 13 and later: InvalidStatus with response.status_code)."""
    status = getattr(error, "status_code", None)
    response = getattr(error, "response", None)
    return status if status is not None else getattr(response, "status_code", None)


class State:
    """The bot's offset (next seq) and its outbox, on disk: written before an
    event is sent, so an event the dashboard may have stored is never sent
    again under another seq."""

    def __init__(self, path):
        self.path = path
        self.next_seq = 1
        self.outbox = {}  # seq -> event (a dict), in seq order
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                saved = json.load(f)
            self.next_seq = int(saved["next_seq"])
            self.outbox = {e["seq"]: e for e in saved["outbox"]}

    def save(self):
        if not self.path:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"next_seq": self.next_seq, "outbox": list(self.outbox.values())}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)  # atomic: the old state or the new, never half

    def add(self, event):
        event["seq"] = self.next_seq
        self.next_seq += 1
        self.outbox[event["seq"]] = event
        self.save()
        return event

    def acked(self, seq):
        done = [s for s in self.outbox if s <= seq]
        for s in done:
            del self.outbox[s]
        if done:
            self.save()

    def welcome(self, last_seq):
        """After a (re)connect: what the dashboard stored is done; the rest
        goes again from last_seq + 1."""
        self.acked(last_seq)
        if self.next_seq <= last_seq:
            # the dashboard knows more than our state file (it was lost or is
            # older): carry on after what it has
            self.next_seq = last_seq + 1
        pending = list(self.outbox.values())
        if pending and pending[0]["seq"] != last_seq + 1:
            # the dashboard has less than it acknowledged to us (its database
            # was replaced or restored from a backup): what it lost is lost;
            # number what is left from its last_seq on, so that nothing mixes
            print(f"bot.py: warning: the dashboard has this bot's events only up to seq "
                  f"{last_seq}, below what it acknowledged; sending the {len(pending)} "
                  f"unacknowledged events as {last_seq + 1} on", file=sys.stderr)
            for i, event in enumerate(pending):
                event["seq"] = last_seq + 1 + i
            self.outbox = {e["seq"]: e for e in pending}
            self.next_seq = last_seq + 1 + len(pending)
        self.save()
        return list(self.outbox.values())


class Bot:
    def __init__(self, args, token):
        self.args = args
        self.url = args.url.rstrip("/").replace("http", "ws", 1) + "/api/v1/bot"
        self.token = token
        self.state = State(args.state)
        self.run_state = "running"   # running, paused or stopped
        self.made = 0                # trades made by this process
        self.invalid_sent = False
        self.ws = None
        self.done = asyncio.Event()  # set when the bot should exit
        self.can_send = asyncio.Event()

    def log(self, message):
        if not self.args.quiet:
            print(f"bot.py: {message}", file=sys.stderr, flush=True)

    # -- events ---------------------------------------------------------

    def make_trade(self):
        """A MADE-UP trade: your bot puts its real trade here."""
        self.made += 1
        profit = round(random.gauss(2.0, 4.0), 2)
        return {
            "type": "trade", "ts": now_ms(), "id": f"{self.args.bot_id}-{self.state.next_seq}",
            "pair": random.choice(["WETH/USDC", "WBTC/USDC", "ARB/USDC"]),
            "buy_venue": "uniswap-v3", "sell_venue": "sushiswap",
            "status": "filled" if profit > 0 else "reverted", "profit": profit,
            "chain": "arbitrum", "amount_in": "1000", "amount_out": f"{1000 + profit:.2f}",
            "gas_used": 180000, "gas_cost": 0.12, "latency_ms": random.randint(80, 400),
        }

    async def send(self, event):
        if self.ws is not None:
            try:
                await self.ws.send(json.dumps(event))
            except websockets.ConnectionClosed:
                pass  # the reconnect resends it from the outbox

    async def emit(self, event):
        await self.send(self.state.add(event))

    # -- the connection -------------------------------------------------

    async def session(self):
        async with connect(self.url, self.token) as ws:
            await ws.send(json.dumps({
                "type": "hello", "bot_id": self.args.bot_id, "name": self.args.name,
                "version": "1.0", "strategy": "example (made-up trades)", "quote": "USD",
                "commands": COMMANDS, "heartbeat_ms": int(self.args.heartbeat * 1000),
            }))
            welcome = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if welcome.get("type") != "welcome":
                raise Fatal(f"the dashboard answered hello with {welcome}")
            pending = self.state.welcome(welcome["last_seq"])
            self.log(f"welcome: last_seq {welcome['last_seq']}, resending {len(pending)}")
            self.ws = ws
            for event in pending:
                await ws.send(json.dumps(event))
            await self.heartbeat()
            tasks = [asyncio.create_task(t) for t in (self.reader(ws), self.producer(),
                                                       self.beats())]
            stop = asyncio.create_task(self.done.wait())
            try:
                await asyncio.wait(tasks + [stop], return_when=asyncio.FIRST_COMPLETED)
            finally:
                self.ws = None
                for t in tasks + [stop]:
                    t.cancel()
                for t in tasks:
                    if t.done() and not t.cancelled() and t.exception() is not None:
                        raise t.exception()

    async def reader(self, ws):
        async for text in ws:
            msg = json.loads(text)
            kind = msg.get("type")
            if kind == "ack":
                self.state.acked(msg["seq"])
                self.can_send.set()
                self.check_finished()
            elif kind == "command":
                await self.command(msg)
            elif kind == "error":
                # a refused event is settled (the ack passes its seq) and kept in
                # the dashboard's log of refused messages: fix the bot, do not resend
                self.log(f"error {msg.get('code')} (seq {msg.get('seq')}, field "
                         f"{msg.get('field')}): {msg.get('message')}")
                if msg.get("field") == "seq" and msg.get("code") == "bad_request":
                    return  # a gap: reconnect, and resend from the welcome's last_seq
            elif kind == "welcome":
                pass

    async def command(self, msg):
        name = msg.get("name")
        ok, message = True, None
        if name == "pause":
            message = "already paused" if self.run_state == "paused" else "paused"
            self.run_state = "paused"
        elif name == "resume":
            self.run_state = "running"
            message = "running"
        elif name == "stop":
            self.run_state = "stopped"
            message = "stopping: the last events go out, then the bot exits"
        else:
            ok, message = False, f"unknown command {name!r}"
        # command_result is an answer, not an event: no seq, not acked
        await self.send({"type": "command_result", "id": msg.get("id"), "ok": ok,
                         "message": message})
        self.log(f"command {name}: {message}")
        if ok and name in ("pause", "resume", "stop"):
            await self.heartbeat()
        self.check_finished()

    async def heartbeat(self):
        await self.emit({"type": "heartbeat", "ts": now_ms(), "state": self.run_state})

    async def beats(self):
        while True:
            await asyncio.sleep(self.args.heartbeat)
            await self.heartbeat()

    async def producer(self):
        while True:
            await asyncio.sleep(self.args.interval)
            if self.run_state != "running" or self.quota_reached():
                continue
            if len(self.state.outbox) >= WINDOW:
                # the dashboard is behind: wait for acks rather than grow
                self.can_send.clear()
                await self.can_send.wait()
                continue
            await self.emit(self.make_trade())
            if self.args.invalid and not self.invalid_sent:
                # --invalid: one event the dashboard must refuse (profit is not a
                # number), to show the log of refused messages
                self.invalid_sent = True
                bad = self.make_trade()
                self.made -= 1  # not one of the --trades
                await self.emit({**bad, "profit": "lots"})

    def quota_reached(self):
        return self.args.trades > 0 and self.made >= self.args.trades

    def check_finished(self):
        # exit once asked to (stop, or --trades reached) and everything is acknowledged
        if (self.run_state == "stopped" or self.quota_reached()) and not self.state.outbox:
            self.done.set()

    async def run(self):
        backoff = BACKOFF_MIN_S
        while not self.done.is_set():
            started = time.monotonic()
            try:
                await self.session()
            except Fatal:
                raise
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as e:
                status = refused_status(e)
                if status in (401, 403):
                    raise Fatal(f"the dashboard refused the token (HTTP {status})")
                self.log(f"connection lost: {e or type(e).__name__}")
            if self.done.is_set():
                break
            if time.monotonic() - started > 10:
                backoff = BACKOFF_MIN_S  # it was up for a while: start over
            # exponential backoff with jitter, so that many bots do not return at once
            await asyncio.sleep(backoff * random.uniform(0.5, 1.5))
            backoff = min(backoff * 2, BACKOFF_MAX_S)


def parse_args():
    p = argparse.ArgumentParser(description="A minimal arbdash bot (made-up trades).")
    p.add_argument("--url", default="http://127.0.0.1:8080", help="the dashboard's address")
    p.add_argument("--bot-id", default="example-bot", help="1 to 128 of A-Z a-z 0-9 . _ : -")
    p.add_argument("--name", default="Example bot", help="the name the dashboard shows")
    p.add_argument("--state", help="file that keeps the next seq and the unacknowledged "
                   "events across restarts (without it, they live in memory only)")
    p.add_argument("--trades", type=int, default=0,
                   help="make N trades, then exit once all are acknowledged (0: run on)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between trades")
    p.add_argument("--heartbeat", type=float, default=5.0, help="seconds between heartbeats")
    p.add_argument("--invalid", action="store_true",
                   help="also send one invalid trade, to see the log of refused messages")
    p.add_argument("--quiet", action="store_true", help="print nothing but fatal errors")
    args = p.parse_args()
    if not 0.001 <= args.interval <= 3600 or not 0.1 <= args.heartbeat <= 600:
        p.error("--interval must be 0.001 to 3600 and --heartbeat 0.1 to 600 seconds")
    return args


def main():
    args = parse_args()
    token = os.environ.get("ARBDASH_BOT_TOKEN")
    if not token:
        print("bot.py: set ARBDASH_BOT_TOKEN to a bot token of the dashboard", file=sys.stderr)
        return 2
    bot = Bot(args, token)

    async def run():
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # the state file has everything: a restart carries on where this left off
            loop.add_signal_handler(sig, bot.done.set)
        await bot.run()

    try:
        asyncio.run(run())
    except Fatal as e:
        print(f"bot.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
