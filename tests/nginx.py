"""Debian's nginx started as deployed, for the tests and the benchmarks: a site file from
deploy/nginx/ with its placeholders filled (ports on 127.0.0.1, a self-signed certificate,
paths), wrapped in a minimal nginx.conf in a temporary prefix, run in the foreground (not as a
daemon) and stopped at the end. The release mirror (deploy/nginx/made-in-oman-release-mirror.conf)
is used by tests/test_release_mirror.py and bench/bench_fanout.py."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRROR_SITE = ROOT / "deploy" / "nginx" / "made-in-oman-release-mirror.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
MISSING = ("nginx or openssl is not installed: run scripts/system-deps as root (it installs "
           "Debian's nginx and openssl)")
# nginx's "combined" format, then how long the request took (s, ms resolution), the bytes sent
# with headers and when it was logged (Unix time, ms): the fan-out benchmark reads the last three.
LOG_FORMAT = ('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
              '"$http_referer" "$http_user_agent" $request_time $bytes_sent $msec')
REQUEST = re.compile(r'"(GET|HEAD) (\S+) HTTP/[\d.]+" (\d{3})')
TIMED = re.compile(r'"(GET|HEAD) (\S+) HTTP/[\d.]+" (\d{3}) .* ([\d.]+) (\d+) ([\d.]+)$', re.M)


def programs_missing() -> bool:
    return NGINX is None or shutil.which("openssl") is None


def self_signed(where: Path) -> tuple[Path, Path]:
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True, timeout=60)
    key.chmod(0o600)
    return cert, key


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the site file no longer has exactly one {old!r}"
    return text.replace(old, new)


def on_localhost(site: str, http_port: int, https_port: int, cert: Path, key: Path, *,
                 http2: bool = True) -> str:
    """A deploy/nginx site file's listen lines on 127.0.0.1's ports (no IPv6) and its
    certificate placeholders given ``cert`` and ``key``."""
    tls = "ssl http2" if http2 else "ssl"
    site = replace_once(site, "listen 80;", f"listen 127.0.0.1:{http_port};")
    site = replace_once(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} {tls};")
    site = replace_once(site, "    listen [::]:80;\n", "")
    site = replace_once(site, "    listen [::]:443 ssl http2;\n", "")
    site = replace_once(site, "/etc/ssl/made-in-oman/fullchain.pem;", f"{cert};")
    return replace_once(site, "/etc/ssl/made-in-oman/privkey.pem;", f"{key};")


def nginx_conf(prefix: Path, *, worker_connections: int = 128) -> str:
    """The minimal nginx.conf around ``prefix``/conf/site.conf: logs and temporary files in the
    prefix, one worker."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers reach the test's dirs
    tmp = prefix / "tmp"
    return (
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/logs/error.log;\n"
        f"events {{ worker_connections {worker_connections}; }}\n"
        "http {\n"
        f"  log_format timed '{LOG_FORMAT}';\n"
        f"  access_log {prefix}/logs/access.log timed;\n"
        f"  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;\n"
        f"  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi;\n"
        f"  scgi_temp_path {tmp}/scgi;\n"
        "  include site.conf;\n"
        "}\n")


def wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, f"nginx exited:\n{log.read_text()[-2000:]}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nginx did not listen:\n{log.read_text()[-2000:]}") from None
            time.sleep(0.05)  # polling for the port, not a fixed wait


@contextmanager
def foreground(prefix: Path, conf: Path, port: int) -> Iterator[subprocess.Popen]:
    """nginx -t, then nginx in the foreground until the block ends, once ``port`` listens."""
    errlog = prefix / "logs" / "error.log"
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=open(errlog, "ab"))  # noqa: SIM115
    try:
        wait_for_port(port, proc, errlog)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@dataclass(frozen=True)
class Served:
    """One request as the mirror logged it."""

    path: str
    status: int
    seconds: float  # nginx's $request_time
    bytes_sent: int  # with headers
    at: float  # Unix time it was logged


@dataclass
class Mirror:
    base: str
    root: Path  # the directory nginx serves
    access_log: Path
    cert: Path

    def serve(self, release_dir: Path) -> None:
        """Make the mirror serve a copy of ``release_dir`` (so a test may damage it)."""
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.copytree(release_dir, self.root)

    def mark(self) -> int:
        return self.access_log.stat().st_size

    def _since(self, mark: int) -> str:
        with open(self.access_log, "rb") as f:
            f.seek(mark)
            return f.read().decode()

    def requests_since(self, mark: int) -> list[tuple[str, int]]:
        return [(m.group(2), int(m.group(3))) for m in REQUEST.finditer(self._since(mark))]

    def served_since(self, mark: int) -> list[Served]:
        return [Served(m.group(2), int(m.group(3)), float(m.group(4)), int(m.group(5)),
                       float(m.group(6))) for m in TIMED.finditer(self._since(mark))]


@contextmanager
def release_mirror(where: Path, http_port: int, https_port: int, root: Path | None = None, *,
                   worker_connections: int = 128) -> Iterator[Mirror]:
    """The release mirror's site file as an admin installs it, serving ``root`` (default:
    ``where``/served, filled by Mirror.serve) over TLS on ``https_port`` with a self-signed
    certificate for localhost (Mirror.cert: give it to the kiosk as REQUESTS_CA_BUNDLE)."""
    for d in ("conf", "logs", "tmp"):
        (where / d).mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(where / "conf")
    root = root or where / "served"
    site = on_localhost(MIRROR_SITE.read_text(), http_port, https_port, cert, key, http2=False)
    site = replace_once(site, "root /srv/made-in-oman/releases;", f"root {root};")
    (where / "conf" / "site.conf").write_text(site)
    conf = where / "conf" / "nginx.conf"
    conf.write_text(nginx_conf(where, worker_connections=worker_connections))
    access = where / "logs" / "access.log"
    with foreground(where, conf, https_port):
        yield Mirror(f"https://localhost:{https_port}", root, access, cert)
