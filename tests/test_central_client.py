"""The kiosk's HTTP client turns every way of failing to reach central into a sentence a
technician can act on."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.central_client import CentralClient, CentralError, check_api_url


class _Plain(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        body = b'{"error": "busy"}'
        self.send_response(503)
        self.send_header("Retry-After", "42")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture
def plain_server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Plain)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def test_dns_failure_names_the_host_and_the_fix():
    with pytest.raises(CentralError, match="'central.invalid' could not be resolved; check"):
        CentralClient("https://central.invalid", timeout=(3, 3)).manifest(None)


def test_tls_failure_is_reported_as_tls_not_as_a_crash(plain_server):
    # An https client talking to a plain-http port: the TLS handshake fails.
    with pytest.raises(CentralError, match="TLS"):
        CentralClient(f"https://127.0.0.1:{plain_server}", timeout=(3, 3)).manifest(None)


def test_plain_http_is_refused_except_to_this_machine():
    with pytest.raises(CentralError, match="must be reached over https"):
        check_api_url("http://192.0.2.10")
    assert check_api_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    with pytest.raises(CentralError, match="not a web address"):
        check_api_url("central.example.om")


def test_a_busy_central_gives_its_status_and_retry_after(plain_server):
    with pytest.raises(CentralError) as e:
        CentralClient(f"http://127.0.0.1:{plain_server}").manifest(None)
    assert e.value.status == 503 and e.value.retry_after == 42 and e.value.transient


def test_nothing_listening_says_central_could_not_be_reached():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CentralError, match="could not be reached"):
        CentralClient(f"http://127.0.0.1:{port}", timeout=(2, 2)).manifest(None)
    assert not CentralClient(f"http://127.0.0.1:{port}").reachable(timeout=1)
