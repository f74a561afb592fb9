"""Central under load on this machine: the manifest poll every kiosk makes (answered 304) at 50
concurrent clients and heartbeats (a durable write each) at 10, measured with wrk; and a batch
of 100 submissions to a stored receipt."""

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


def central(home: Path, *args: str) -> str:
    env = {**os.environ, "CENTRAL_HOME": str(home)}
    out = subprocess.run([str(BIN / "kiosk-central"), *args], env=env, check=True,
                         capture_output=True, text=True, timeout=600)
    return out.stdout.strip()


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


def run() -> list[dict]:
    home = Path(tempfile.mkdtemp(prefix="bench-central-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    rows: list[dict] = []
    central(home, "import-demo")
    central(home, "publish")
    code = central(home, "enrollment-code", "--location", "bench").split()[-1]
    try:
        with serving(home, port):
            s = requests.Session()
            enrolled = s.post(f"{url}/api/v1/enroll", json={"code": code, "name": "bench"},
                              timeout=10).json()
            token = enrolled["device_token"]
            auth = {"Authorization": f"Bearer {token}"}
            first = s.get(f"{url}/api/v1/manifest", headers=auth, timeout=10)
            etag = first.headers["ETag"]
            assert s.get(f"{url}/api/v1/manifest", headers={**auth, "If-None-Match": etag},
                         timeout=10).status_code == 304
            rows += manifest_under_load(url, token, etag)
            rows += heartbeats_under_load(url, token)
            rows += submission_batches(s, url, auth)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return rows


def manifest_under_load(url: str, token: str, etag: str) -> list[dict]:
    wrk = shutil.which("wrk")
    if wrk is None:
        return [{"metric": "manifest 304 at 50 clients", "value": "wrk missing",
                 "unit": "", "goal": "apt-get install wrk"}]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_P95)
        script = f.name
    out = subprocess.run(
        [wrk, "-t2", "-c50", "-d10s", "--timeout", "5s", "-s", script,
         "-H", f"Authorization: Bearer {token}", "-H", f"If-None-Match: {etag}",
         f"{url}/api/v1/manifest"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95_ms = int(re.search(r"P95_US (\d+)", out).group(1)) / 1000
    errs = int(re.search(r"ERRS (\d+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = errs + (int(non2xx.group(1)) if non2xx else 0)
    return [
        {"metric": "GET /api/v1/manifest answered 304, 50 clients", "value": rps,
         "unit": "req/s", "goal": ">= 1,000"},
        {"metric": "same, p95 latency", "value": p95_ms, "unit": "ms", "goal": "< 20"},
        {"metric": "same, failed or non-304 responses", "value": bad, "unit": "", "goal": "0"},
    ]


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
    wrk = shutil.which("wrk")
    if wrk is None:
        return []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_HEARTBEAT % json.dumps(json.dumps(HEARTBEAT)))
        script = f.name
    out = subprocess.run(
        [wrk, "-t2", "-c10", "-d5s", "--timeout", "5s", "-s", script,
         "-H", f"Authorization: Bearer {token}", f"{url}/api/v1/heartbeat"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99_ms = int(re.search(r"P99_US (\d+)", out).group(1)) / 1000
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return [
        {"metric": "POST /api/v1/heartbeat, 10 clients", "value": rps, "unit": "req/s",
         "goal": ""},
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
