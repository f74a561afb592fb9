"""The setup wizard's network check: can this kiosk reach central at a URL the technician typed?
Checked in order, each step only after the one before it passed: the URL itself, DNS, a TCP
connection, TLS (for https, with the system's trusted certificates), central's own answer
(/healthz) and the clock difference (central's Date header against the kiosk's clock). Each
outcome is a sentence in the technician's language saying what was found and what to do.

Real sockets, no Kivy: the wizard runs ``check_central`` on a thread of its own."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from kiosk.i18n import _

TIMEOUT_S = 5.0
# Beyond this, signed content looks expired or not yet valid and TLS may refuse certificates.
CLOCK_TOLERANCE_S = 60
MAX_URL_LENGTH = 300
CHECKS = ("url", "dns", "tcp", "tls", "central", "clock")
CHECK_NAMES = {"url": "Address", "dns": "Name lookup (DNS)", "tcp": "Connection (TCP)",
               "tls": "Secure connection (TLS)", "central": "Central's answer",
               "clock": "Clock"}

# The English msgids of every sentence a check says (assets/locale translates them).
MESSAGES = {
    "url_bad": "{url} is not a web address. Type central's address, for example "
               "https://central.example.om",
    "url_http": "Plain http is only allowed to this machine. Type central's address starting "
                "with https://",
    "url_ok": "The address is well formed.",
    "dns_fail": "No such host: {host}. Check the spelling, or the kiosk's DNS server.",
    "dns_ok": "{host} is at {address}.",
    "tcp_refused": "Connection refused on port {port} of {host}: central is not running "
                   "there, or a firewall refuses the connection.",
    "tcp_timeout": "No answer from {host} on port {port} within {seconds} seconds: check the "
                   "network cable, the Wi-Fi or the firewall.",
    "tcp_fail": "Can not connect to {host} on port {port}: {reason}.",
    "tcp_ok": "Connected to {host} on port {port}.",
    "tls_untrusted": "The certificate of {host} is not trusted ({reason}). Install a "
                     "certificate from a trusted authority on central, or check the address.",
    "tls_name": "The certificate of {host} is for another name ({reason}). Check the address.",
    "tls_expired": "The certificate of {host} has expired, or the kiosk's clock is wrong "
                   "({reason}).",
    "tls_fail": "The secure connection to {host} failed ({reason}).",
    "tls_ok": "The certificate of {host} is trusted.",
    "tls_none": "Plain http to this machine: no certificate to check.",
    "central_fail": "Central did not answer at {url} ({reason}).",
    "central_wrong": "Something answered at {url}, but it is not the kiosk's central "
                     "(HTTP {status}). Check the address.",
    "central_ok": "Central answers.",
    "clock_none": "Central sent no time, so the kiosk's clock could not be compared.",
    "clock_off": "The kiosk's clock is {seconds} seconds off central's. Set the time (NTP), "
                 "or content will look out of date.",
    "clock_ok": "The kiosk's clock agrees with central's (within {seconds} seconds).",
    "skipped": "Not checked: an earlier check failed.",
}


@dataclass(frozen=True)
class Check:
    """One check's outcome: which (one of CHECKS), whether it passed, and its sentence (a key
    of MESSAGES with the values it names)."""

    name: str
    ok: bool
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return _(MESSAGES[self.message], lang).format(**self.params)

    def label(self, lang: str) -> str:
        return _(CHECK_NAMES[self.name], lang)


def _reason(e: BaseException) -> str:
    return (getattr(e, "verify_message", None) or getattr(e, "reason", None)
            or getattr(e, "strerror", None) or str(e) or type(e).__name__)


def check_central(url: str, timeout: float = TIMEOUT_S,
                  now: Callable[[], float] = time.time,
                  on_check: Callable[[Check], None] | None = None) -> list[Check]:
    """Every check in order until one fails (the rest are not run); ``on_check`` hears each
    outcome as it comes, for a progress display."""
    from kiosk.central_client import is_loopback  # the client's own rule for plain http

    out: list[Check] = []

    def done(check: Check) -> bool:
        out.append(check)
        if on_check is not None:
            on_check(check)
        return check.ok

    url = url.strip().rstrip("/")
    parts = urlsplit(url) if len(url) <= MAX_URL_LENGTH else None
    try:
        port = parts.port if parts is not None else None
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        done(Check("url", False, "url_bad", {"url": url[:80] or '""'}))
        return out
    host = parts.hostname
    if parts.scheme == "http" and not is_loopback(host):
        done(Check("url", False, "url_http"))
        return out
    done(Check("url", True, "url_ok"))
    port = port or (443 if parts.scheme == "https" else 80)

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        done(Check("dns", False, "dns_fail", {"host": host}))
        return out
    address = infos[0][4][0]
    if not done(Check("dns", True, "dns_ok", {"host": host, "address": address})):
        return out

    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        done(Check("tcp", False, "tcp_refused", {"host": host, "port": port}))
        return out
    except TimeoutError:
        done(Check("tcp", False, "tcp_timeout", {"host": host, "port": port,
                                                 "seconds": f"{timeout:g}"}))
        return out
    except OSError as e:
        done(Check("tcp", False, "tcp_fail", {"host": host, "port": port, "reason": _reason(e)}))
        return out
    done(Check("tcp", True, "tcp_ok", {"host": host, "port": port}))

    try:
        if parts.scheme == "https":
            context = ssl.create_default_context()
            try:
                tls = context.wrap_socket(sock, server_hostname=host)
            except ssl.SSLCertVerificationError as e:
                code = getattr(e, "verify_code", None)
                key = {62: "tls_name", 10: "tls_expired", 9: "tls_expired"}.get(
                    code, "tls_untrusted")
                done(Check("tls", False, key, {"host": host, "reason": _reason(e)}))
                return out
            except (ssl.SSLError, OSError) as e:
                done(Check("tls", False, "tls_fail", {"host": host, "reason": _reason(e)}))
                return out
            sock = tls
            done(Check("tls", True, "tls_ok", {"host": host}))
        else:
            done(Check("tls", True, "tls_none"))
        sent_at = now()
        status, is_central, date = _healthz(sock, host, port, parts.path or "", timeout)
    except (OSError, ValueError) as e:
        done(Check("central", False, "central_fail", {"url": url, "reason": _reason(e)}))
        return out
    finally:
        sock.close()
    if not is_central:
        done(Check("central", False, "central_wrong", {"url": url, "status": status}))
        return out
    done(Check("central", True, "central_ok"))

    if date is None:
        done(Check("clock", False, "clock_none"))
        return out
    # The Date header has whole seconds, cut down (central wrote it somewhere in the second after
    # `date`, on average half-way); half the round trip is when central wrote it.
    local = (sent_at + now()) / 2
    diff = round(local - (date + 0.5))
    if abs(diff) > CLOCK_TOLERANCE_S:
        done(Check("clock", False, "clock_off", {"seconds": f"{diff:+d}"}))
    else:
        done(Check("clock", True, "clock_ok", {"seconds": CLOCK_TOLERANCE_S}))
    return out


def _healthz(sock: socket.socket, host: str, port: int, base: str,
             timeout: float) -> tuple[int, bool, float | None]:
    """GET {base}/healthz on the open connection: the status and central's Date (epoch s).
    A real central answers {"status": "ok"}; anything else is not central."""
    import http.client
    import json

    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn.sock = sock
    try:
        conn.request("GET", f"{base}/healthz", headers={"User-Agent": "made-in-oman-kiosk"})
        resp = conn.getresponse()
        body = resp.read(4096)
        date_header = resp.getheader("Date")
    finally:
        conn.close()
    is_central = False
    if resp.status == 200:
        try:
            is_central = json.loads(body).get("status") == "ok"
        except (ValueError, AttributeError):
            is_central = False
    date = None
    if date_header:
        try:
            date = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            date = None
    return resp.status, is_central, date
