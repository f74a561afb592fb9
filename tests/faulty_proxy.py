"""A fault-injecting HTTP proxy for tests: sits between a kiosk and a real central on
127.0.0.1 and, for requests whose path matches, drops the connection, answers 5xx, delays,
truncates the body or flips a byte. Everything else passes through unchanged."""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Fault:
    kind: str  # "drop", "503", "delay", "truncate", "flip", "replace"
    path: str = ".*"  # regex on the request path
    times: int = 1_000_000  # how many matching requests it applies to
    delay_s: float = 0.0
    retry_after: int | None = None
    body: bytes = b""  # for "replace": answer 200 with this body instead of central's


class FaultyProxy:
    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname, parts.port
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []  # (method, path, status or -1 for drop)
        self.ranges: list[tuple[str, str]] = []  # (path, Range header) of ranged requests
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy._take(self.path)
                if self.headers.get("Range"):
                    with proxy._lock:
                        proxy.ranges.append((self.path, self.headers["Range"]))
                if fault and fault.kind == "replace":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(fault.body)))
                    self.end_headers()
                    self.wfile.write(fault.body)
                    proxy._record(self.command, self.path, 200)
                    return
                if fault and fault.kind == "drop":
                    proxy._record(self.command, self.path, -1)
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault and fault.kind == "503":
                    payload = b'{"error":"central is busy","detail":null}'
                    self.send_response(503)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    if fault.retry_after is not None:
                        self.send_header("Retry-After", str(fault.retry_after))
                    self.end_headers()
                    self.wfile.write(payload)
                    proxy._record(self.command, self.path, 503)
                    return
                if fault and fault.kind == "delay":
                    time.sleep(fault.delay_s)  # the fault under test is a slow network
                conn = http.client.HTTPConnection(proxy.host, proxy.port, timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                sent = data
                if fault and fault.kind == "flip" and data:
                    i = len(data) // 2
                    sent = data[:i] + bytes([data[i] ^ 0x20]) + data[i + 1:]
                if fault and fault.kind == "truncate":
                    sent = data[: len(data) // 2]
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                # A truncated body still announces its full length, as a cut connection would.
                self.send_header("Content-Length", str(len(data)))
                if fault and fault.kind == "truncate":
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD" and resp.status not in (204, 304):
                    self.wfile.write(sent)
                if fault and fault.kind == "truncate":
                    self.close_connection = True
                proxy._record(self.command, self.path, resp.status)

            do_GET = do_POST = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def _take(self, path: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.times > 0 and re.search(f.path, path):
                    f.times -= 1
                    return f
        return None

    def _record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.log.append((method, path, status))
