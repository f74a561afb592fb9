"""Central under load on this machine, on SQLite and on PostgreSQL (a throwaway cluster): the
manifest poll every kiosk makes (answered 304) at 50 concurrent clients, as a ratio to Debian's
nginx answering a static file's 304 in the same run; heartbeats at 10 clients, measured with
wrk; a batch of 100 submissions to a stored receipt; publishing 10,000 products; and the
CMS's product list with those 10,000 products, as a signed-in editor sees it."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def central(home: Path, *args: str, db_url: str | None = None, stdin: str | None = None) -> str:
    env = {**os.environ, "CENTRAL_HOME": str(home)}
    if db_url:
        env["CENTRAL_DB_URL"] = db_url
    out = subprocess.run([str(BIN / "kiosk-central"), *args], env=env, check=True,
                         capture_output=True, text=True, timeout=1800, input=stdin)
    return out.stdout.strip()


@contextmanager
def database(db: str) -> Iterator[tuple[str | None, int | None]]:
    """The database URL (None: SQLite in the home) and, for our own throwaway PostgreSQL
    cluster (tests/pg.py), its postmaster's pid (to measure PostgreSQL too)."""
    if db == "sqlite":
        yield None, None
        return
    if db != "postgresql":
        yield db, None
        return
    from tests.pg import Cluster

    cluster = Cluster.start(free_port())
    try:
        with cluster.database() as url:
            pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
            yield url, pid
    finally:
        cluster.stop()


@contextmanager
def serving(home: Path, port: int, *extra: str, log: Path | None = None,
            env: dict[str, str] | None = None) -> Iterator[str]:
    """`kiosk-central serve` on 127.0.0.1:``port`` over ``home`` while the block runs; yields
    its URL once it answers. ``log``: a file for its output (its access log among it);
    ``env``: added to its environment."""
    url = f"http://127.0.0.1:{port}"
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(BIN / "kiosk-central"), "serve", "--host", "127.0.0.1", "--port", str(port),
         *extra],
        env={**os.environ, **(env or {}), "CENTRAL_HOME": str(home)}, cwd=ROOT,
        stdout=out, stderr=out,
    )
    try:
        wait_until_up(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


def wait_until_up(url: str, proc: subprocess.Popen, deadline_s: float = 60) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("central exited before it answered")
        try:
            requests.get(url + "/openapi.json", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError("central did not answer in time")


WRK_P95 = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95.0)))
  io.write(string.format("REQS %d ERRS %d\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


PRODUCTS = int(os.environ.get("BENCH_CENTRAL_PRODUCTS", "10000"))  # fewer: a quick try
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
EDITOR = ("bench-editor", "a long bench password 4821")


def run() -> list[dict]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # tests.pg and tests.nginx
    rows: list[dict] = []
    nginx_rps = nginx_304()
    if nginx_rps is not None:
        rows.append({"metric": "baseline: nginx (Debian, 1 worker) answering a static file's 304, "
                     "50 clients", "value": nginx_rps, "unit": "req/s", "goal": ""})
    for db, name in DATABASES.items():
        rows += [{**r, "metric": f"{name}: {r['metric']}"} for r in on_database(db, nginx_rps)]
    return rows


def on_database(db: str, nginx_rps: float | None) -> list[dict]:
    home = Path(tempfile.mkdtemp(prefix="bench-central-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    rows: list[dict] = []
    try:
        with database(db) as (db_url, _pid):
            def cli(*args: str, stdin: str | None = None) -> str:
                return central(home, *args, db_url=db_url, stdin=stdin)

            cli("import-demo")
            cli("seed", "--products", str(PRODUCTS))
            t0 = time.perf_counter()
            cli("publish")
            rows.append({"metric": f"publish {PRODUCTS:,} products (check, hash, sign, store)",
                         "value": time.perf_counter() - t0, "unit": "s", "goal": ""})
            t0 = time.perf_counter()
            cli("cms-import")
            rows.append({"metric": f"import the {PRODUCTS:,} products into the CMS (cms-import)",
                         "value": time.perf_counter() - t0, "unit": "s", "goal": ""})
            cli("create-staff", EDITOR[0], "--role", "editor", stdin=EDITOR[1] + "\n")
            code = cli("enrollment-code", "--location", "bench").split()[-1]
            with serving(home, port, env={"CENTRAL_DB_URL": db_url} if db_url else None):
                s = requests.Session()
                enrolled = s.post(f"{url}/api/v1/enroll", json={"code": code, "name": "bench"},
                                  timeout=10).json()
                token = enrolled["device_token"]
                auth = {"Authorization": f"Bearer {token}"}
                first = s.get(f"{url}/api/v1/manifest", headers=auth, timeout=30)
                etag = first.headers["ETag"]
                assert s.get(f"{url}/api/v1/manifest", headers={**auth, "If-None-Match": etag},
                             timeout=10).status_code == 304
                rows += manifest_under_load(url, token, etag, nginx_rps)
                rows += heartbeats_under_load(url, token)
                rows += submission_batches(s, url, auth)
                rows += cms_product_list(url)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return rows


def wrk_run(url: str, clients: int, seconds: int, script: str, *headers: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        return subprocess.run(
            [shutil.which("wrk") or "wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout",
             "5s", "-s", path, *[a for h in headers for a in ("-H", h)], url],
            capture_output=True, text=True, timeout=120, check=True).stdout
    finally:
        os.unlink(path)


NGINX_SITE = """server {
    listen 127.0.0.1:%d;
    access_log off;
    root %s;
}
"""


def nginx_304() -> float | None:
    """Requests per second of Debian's nginx (one worker, as tests/nginx.py runs it) answering
    If-None-Match on a static file the size of a manifest: the yardstick for central's poll."""
    from tests import nginx

    if nginx.programs_missing() or shutil.which("wrk") is None:
        return None
    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    try:
        for d in ("conf", "logs", "tmp", "www"):
            (prefix / d).mkdir()
        (prefix / "www" / "manifest.json").write_text(json.dumps({"pad": "x" * 1500}))
        port = free_port()
        (prefix / "conf" / "site.conf").write_text(NGINX_SITE % (port, prefix / "www"))
        conf = prefix / "conf" / "nginx.conf"
        conf.write_text(nginx.nginx_conf(prefix, worker_connections=256))
        with nginx.foreground(prefix, conf, port):
            target = f"http://127.0.0.1:{port}/manifest.json"
            etag = requests.get(target, timeout=10).headers["ETag"]
            assert requests.get(target, headers={"If-None-Match": etag},
                                timeout=10).status_code == 304
            out = wrk_run(target, 50, 10, WRK_P95, f"If-None-Match: {etag}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def manifest_under_load(url: str, token: str, etag: str,
                        nginx_rps: float | None = None) -> list[dict]:
    if shutil.which("wrk") is None:
        return [{"metric": "manifest 304 at 50 clients", "value": "wrk missing",
                 "unit": "", "goal": "apt-get install wrk"}]
    out = wrk_run(f"{url}/api/v1/manifest", 50, 10, WRK_P95, f"Authorization: Bearer {token}",
                  f"If-None-Match: {etag}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95_ms = int(re.search(r"P95_US (\d+)", out).group(1)) / 1000
    errs = int(re.search(r"ERRS (\d+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = errs + (int(non2xx.group(1)) if non2xx else 0)
    rows = [
        {"metric": "GET /api/v1/manifest answered 304, 50 clients", "value": rps,
         "unit": "req/s", "goal": ">= 1,000"},
        {"metric": "same, p95 latency", "value": p95_ms, "unit": "ms", "goal": "< 20"},
        {"metric": "same, failed or non-304 responses", "value": bad, "unit": "", "goal": "0"},
    ]
    if nginx_rps:
        ratio = rps / nginx_rps
        rows.insert(1, {"metric": "same, as a share of nginx's 304s in this run" + verdict(
            ratio >= 0.10), "value": ratio, "unit": "x", "goal": ">= 0.10"})
    return rows


def verdict(ok: bool) -> str:
    return "" if ok else " (misses goal)"


WRK_HEARTBEAT = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format("P99_US %%d\\n", latency:percentile(99.0)))
end
"""

HEARTBEAT = {"app_version": "bench", "content_version": 1, "content_source": "central",
             "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 60}


def heartbeats_under_load(url: str, token: str) -> list[dict]:
    if shutil.which("wrk") is None:
        return []
    out = wrk_run(f"{url}/api/v1/heartbeat", 10, 5,
                  WRK_HEARTBEAT % json.dumps(json.dumps(HEARTBEAT)),
                  f"Authorization: Bearer {token}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99_ms = int(re.search(r"P99_US (\d+)", out).group(1)) / 1000
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return [
        {"metric": "POST /api/v1/heartbeat, 10 clients" + verdict(rps >= 300), "value": rps,
         "unit": "req/s", "goal": ">= 300"},
        {"metric": "same, p99 latency", "value": p99_ms, "unit": "ms", "goal": ""},
        {"metric": "same, failed responses", "value": int(non2xx.group(1)) if non2xx else 0,
         "unit": "", "goal": "0"},
    ]


def submission_batches(s: requests.Session, url: str, auth: dict, batches: int = 30) -> list[dict]:
    times = []
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    for _ in range(batches):
        items = [{"id": str(uuid.uuid4()), "type": "feedback", "created_at": now, "lang": "en",
                  "content_version": 1, "test": True,
                  "payload": {"kind": "comment", "text": "Benchmark comment " * 5}}
                 for _ in range(100)]
        t0 = time.perf_counter()
        r = s.post(f"{url}/api/v1/submissions", headers=auth, json={"items": items}, timeout=60)
        times.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        assert all(x["status"] == "stored" for x in r.json()["results"]), r.text[:300]
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return [
        {"metric": "POST 100 submissions to stored receipts, p50", "value": statistics.median(times),
         "unit": "ms", "goal": ""},
        {"metric": "same, p95", "value": p95, "unit": "ms", "goal": ""},
    ]


def cms_product_list(url: str, pages: int = 30) -> list[dict]:
    """An editor signed in to the CMS opens the product list (its first page, a page deep in
    the list, and a search), ``pages`` times each; p95 of the whole page's time."""
    s = requests.Session()
    form = s.get(f"{url}/admin/login", timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = s.post(f"{url}/admin/login", data={"csrf": csrf, "username": EDITOR[0],
                                           "password": EDITOR[1], "next": "/cms/"}, timeout=60)
    r.raise_for_status()
    listing = f"{url}/cms/snippets/cms/product/"
    rows = []
    for what, query in (("first page", ""), ("page 200", "?p=200"),
                        ("search for a word", "?q=Mountain")):
        times = []
        for _ in range(pages):
            t0 = time.perf_counter()
            page = s.get(listing + query, timeout=60)
            times.append((time.perf_counter() - t0) * 1000)
            # Each page lists products ("... No. 123"); a refusal would be the sign-in page.
            assert page.status_code == 200 and " No. " in page.text, (what, page.url)
        times.sort()
        rows.append({"metric": f"CMS product list ({PRODUCTS:,} products), {what}: p95",
                     "value": times[int(len(times) * 0.95) - 1], "unit": "ms", "goal": ""})
    return rows
