# SPDX-License-Identifier: GPL-3.0-or-later
"""A real `arbdash --headless` for the Python tests (tests/test-openapi.py,
tests/test-example-bot.py): on a loopback port the kernel picks, with its own
folder, database and configuration, stopped with SIGTERM."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BIN = os.environ.get("ARBDASH_BIN")
WAIT_S = 120  # the longest any condition is waited for


def until(what, predicate, seconds=WAIT_S):
    """Polls @predicate until it gives something true, for at most @seconds."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> list of values
        self.body = body

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def content_type(self):
        value = self.header("content-type")
        return value.split(";")[0].strip() if value else None


class Server:
    def __init__(self, tokens, extra_args=(), port=0, folder=None):
        """@tokens: role -> secret. @port and @folder: those of a server
        stopped before, to start it again on its database."""
        self.dir = folder or tempfile.mkdtemp(prefix="arbdash-test-")
        self.log_path = os.path.join(self.dir, "server.log")
        conf = os.path.join(self.dir, "arbdash.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write("[server]\n")
        os.chmod(conf, 0o600)
        env = dict(os.environ)
        env.update({
            "HOME": self.dir,
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_DATA_HOME": os.path.join(self.dir, "data"),
            "LC_ALL": "C.UTF-8",
        })
        for role, secret in tokens.items():
            env[f"ARBDASH_{role.upper()}_TOKEN"] = secret
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "LANGUAGE"):
            env.pop(name, None)
        self.log = open(self.log_path, "ab")
        self.log_start = self.log.tell()
        self.proc = subprocess.Popen(
            [BIN, "--headless", "--port", str(port), "--db", os.path.join(self.dir, "arbdash.db"),
             "--config", conf, "--sample-interval", "500", *extra_args],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        self.conn = None
        deadline = time.monotonic() + WAIT_S
        while self.port is None:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_start)
                m = re.search(rb"serving http://127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("arbdash did not start:\n" + self.output())
            else:
                time.sleep(0.05)
        self.origin = f"http://127.0.0.1:{self.port}"

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, keep=False):
        """SIGTERM: arbdash exits 0 once everything is committed. @keep: keep
        the folder, to start the server again on it."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = "killed"
        self.log.close()
        out = self.output()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return code, out

    def request(self, method, path, token=None, body=None, headers=None):
        """One request on a kept-alive connection, as real clients do (a new
        connection per request would also measure how fast the server lets
        closed ones go). A connection the server closed while idle (its
        request timeout) is opened again once: the request never reached it."""
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode("utf-8")
        for attempt in (1, 2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if fresh or attempt == 2:
                    raise
                continue
            except Exception:
                self.conn.close()
                self.conn = None
                raise
            headers_out = {}
            for k, v in r.getheaders():
                headers_out.setdefault(k.lower(), []).append(v)
            if r.will_close:
                self.conn.close()
                self.conn = None
            return Answer(r.status, headers_out, data)

    def raw(self, head):
        """Sends a request head alone (no body) and reads the answer until the
        server closes: for refusals that come from the headers."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        try:
            s.sendall(head.encode("ascii"))
            data = b""
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                head_end = data.find(b"\r\n\r\n")
                if head_end >= 0:
                    m = re.search(rb"\r\ncontent-length:\s*(\d+)", data[:head_end], re.I)
                    if m and len(data) >= head_end + 4 + int(m.group(1)):
                        break
                    if data.startswith(b"HTTP/1.1 101"):
                        break
        finally:
            s.close()
        head_bytes, _, body = data.partition(b"\r\n\r\n")
        lines = head_bytes.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        return Answer(status, headers, body)



    def kill(self):
        """SIGKILL, as a crash: what was acknowledged must survive it."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self.proc.kill()
        self.proc.wait()
        self.log.close()
