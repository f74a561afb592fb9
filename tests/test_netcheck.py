"""The setup wizard's network check (kiosk/services/netcheck.py) against real sockets: a host
that does not exist, a port nobody listens on, a TLS server with a self-signed certificate,
something that is not central, and a real central on 127.0.0.1; each failure is a sentence in
both languages naming what was wrong."""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from kiosk.services.netcheck import check_central


def names(checks) -> list[tuple[str, bool]]:
    return [(c.name, c.ok) for c in checks]


def test_a_host_that_does_not_exist_is_named():
    checks = check_central("https://no-such-central.invalid")
    assert names(checks) == [("url", True), ("dns", False)]
    assert checks[-1].text("en") == ("No such host: no-such-central.invalid. Check the "
                                     "spelling, or the kiosk's DNS server.")
    assert "no-such-central.invalid" in checks[-1].text("ar")
    assert checks[-1].text("ar") != checks[-1].text("en")


def test_a_refused_port_is_named():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nobody listens there now
    checks = check_central(f"http://127.0.0.1:{port}")
    assert names(checks) == [("url", True), ("dns", True), ("tcp", False)]
    assert checks[-1].text("en").startswith(f"Connection refused on port {port} of 127.0.0.1")
    assert str(port) in checks[-1].text("ar")


def test_plain_http_to_another_machine_and_no_url_are_refused_in_words():
    assert check_central("http://central.example.om")[-1].text("en").startswith(
        "Plain http is only allowed to this machine")
    assert check_central("central")[-1].text("en").startswith("central is not a web address")


@pytest.fixture
def self_signed_tls_server(tmp_path: Path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1024)
            except (ssl.SSLError, OSError):
                pass  # the client refused our certificate, as it should
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield port
    stop.set()
    listener.close()
    t.join(5)


def test_a_self_signed_certificate_is_not_trusted(self_signed_tls_server):
    port = self_signed_tls_server
    checks = check_central(f"https://localhost:{port}")
    assert names(checks) == [("url", True), ("dns", True), ("tcp", True), ("tls", False)]
    text = checks[-1].text("en")
    assert text.startswith("The certificate of localhost is not trusted (self-signed "
                           "certificate)"), text
    assert "localhost" in checks[-1].text("ar")


def test_something_that_is_not_central_is_told_apart(tmp_path):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class NotCentral(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server name
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_a):
            pass
    server = HTTPServer(("127.0.0.1", 0), NotCentral)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        checks = check_central(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
    assert names(checks)[-1] == ("central", False)
    assert "is not the kiosk's central (HTTP 404)" in checks[-1].text("en")


def test_a_real_central_passes_every_check(central_server):
    seen = []
    checks = check_central(central_server.url, on_check=seen.append)
    assert names(checks) == [("url", True), ("dns", True), ("tcp", True), ("tls", True),
                             ("central", True), ("clock", True)]
    assert seen == checks
    assert checks[-1].text("en").startswith("The kiosk's clock agrees with central's")


def test_a_clock_far_off_is_said_in_seconds(central_server):
    import time

    checks = check_central(central_server.url, now=lambda: time.time() + 3600)
    assert names(checks)[-1] == ("clock", False)
    said = re.match(r"The kiosk's clock is \+(\d+) seconds off central's\. Set the time",
                    checks[-1].text("en"))
    assert said, checks[-1].text("en")
    # Central's Date has whole seconds; a loaded machine adds a second of round trip at most.
    assert abs(int(said.group(1)) - 3600) <= 1, checks[-1].text("en")
