"""A release fan-out from the content mirror: central with 10,000 seeded products publishes
into a directory a real nginx serves (deploy/nginx/made-in-oman-release-mirror.conf, started
by tests/nginx.py); a kiosk syncs it fully from the mirror; then 1 % of the products change
(text and picture, bench_sync.change_products) and 1,000 kiosks at the old version fetch the
new version from the mirror within one sync interval.

Every kiosk starts at a random moment of the kiosk's default sync interval
(DeviceConfig.sync_interval_s, 300 s) after the publish: the kiosks' own +-20 % jitter
(offline_cache.sync.next_delay) means a fleet is spread over its interval when a release lands.
A few kiosks (FANOUT_REAL) run the kiosk's real sync (KioskDevice.sync, each with its own copy
of the synced store); the first of them syncs at the publish and the mirror's log of its
requests is the list the others replay with one requests.Session each, checking what a kiosk
checks: the manifest's signature with the pinned key, the index delta applied to the old index
against the signed hash, and every record and picture against the SHA-256 it is named by.
Identical bytes are checked once (a signature check of the same manifest gives the same
answer), so the load generator spends its CPU on HTTP, not on repeating the same proof.

A smaller run for development: FANOUT_KIOSKS (1000), FANOUT_PRODUCTS (10000),
FANOUT_INTERVAL_S (the default sync interval), FANOUT_REAL (10), FANOUT_THREADS (64)."""

from __future__ import annotations

import hashlib
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from kiosk.protocol import Index
    from tests.nginx import Served

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# What central serves that is content (the mirror's job once kiosks are told to use it).
CONTENT = re.compile(r'"(?:GET|POST|HEAD) /api/v1/(manifest|records|blobs)\b')
CENTRAL_REQUEST = re.compile(r'"(?:GET|POST|HEAD|PUT|DELETE) /\S* HTTP/[\d.]+"')


def default_interval() -> float:
    from kiosk.protocol import DeviceConfig

    return float(DeviceConfig.model_fields["sync_interval_s"].default)


@dataclass(frozen=True)
class FanoutConfig:
    kiosks: int = 1000
    products: int = 10_000
    interval_s: float = field(default_factory=default_interval)
    real: int = 10  # kiosks running the kiosk's own sync, each with its own store
    threads: int = 64
    seed: int = 7

    @classmethod
    def from_env(cls) -> FanoutConfig:
        env = os.environ.get
        return cls(kiosks=int(env("FANOUT_KIOSKS", 1000)),
                   products=int(env("FANOUT_PRODUCTS", 10_000)),
                   interval_s=float(env("FANOUT_INTERVAL_S", default_interval())),
                   real=int(env("FANOUT_REAL", 10)),
                   threads=int(env("FANOUT_THREADS", 64)))

    @property
    def changed(self) -> int:
        return max(1, self.products // 100)


@dataclass
class KioskRun:
    """One kiosk's sync during the fan-out."""

    real: bool
    start_at: float  # seconds after the publish it was due
    version: int | None = None  # the version it ended on
    bytes: int = 0  # bodies, as the kiosk counts them (SyncResult.bytes_received)
    requests: int = 0
    failed: int = 0
    began_at: float = 0.0  # seconds after the publish it began (later when the pool is busy)
    finished_at: float = 0.0  # seconds after the publish
    latencies: list[float] = field(default_factory=list)  # per request, replaying kiosks only
    message: str = ""


@dataclass
class FanoutResult:
    config: FanoutConfig
    old_version: int
    new_version: int
    full_bytes: int  # bodies, as the kiosk counts them
    full_requests: int  # as the kiosk counts them
    full_s: float
    full_served: list[Served]  # what the mirror served for the full sync
    publish_s: float
    plan: list[str]  # the paths the first real kiosk fetched from the mirror, in order
    kiosks: list[KioskRun]
    mirror: list[Served]  # what the mirror served during the fan-out
    central_requests_before: int  # enrolment and the like: the log is read
    central_requests: int
    central_content_requests: int
    client_cpu_s: float


class ReplayCheck:
    """What a kiosk checks, for the replaying kiosks: the manifest's signature with the pinned
    key, the index delta applied to the kiosk's index giving the signed index hash, every other
    file's SHA-256 against its name. Bytes already checked are not checked again."""

    def __init__(self, verify_key_b64: str, old_index: Index, new_version: int):
        from nacl.signing import VerifyKey

        from kiosk import protocol

        self.protocol = protocol
        self.key = VerifyKey(protocol.unb64(verify_key_b64, "content public key"))
        self.old_index = old_index
        self.new_version = new_version
        self.manifest = None
        self._checked: set[str] = set()
        self._lock = threading.Lock()

    def check(self, path: str, body: bytes) -> None:
        """Raises ValueError for bytes a kiosk would refuse."""
        digest = hashlib.sha256(body).hexdigest()
        kind, _, name = path.strip("/").partition("/")
        if kind in ("records", "blobs", "index"):
            if digest != name:
                raise ValueError(f"{path} does not match its hash")
            return
        with self._lock:
            if digest in self._checked:
                return
            p = self.protocol
            if path == "/manifest.json":
                manifest = p.verify_manifest(body, self.key)
                if manifest.version != self.new_version or manifest.is_expired():
                    raise ValueError(f"the mirror serves version {manifest.version}")
                self.manifest = manifest
            elif kind == "deltas":
                ref = next((d for d in self.manifest.deltas if d.sha256 == name), None)
                if ref is None or digest != name:
                    raise ValueError(f"{path} is not the signed delta")
                p.apply_delta(self.old_index, body, ref, self.manifest.index)
            else:
                raise ValueError(f"{path} is not a file of a release")
            self._checked.add(digest)


def replay(base: str, plan: list[str], etag: str | None, check: ReplayCheck,
           run: KioskRun, t0: float) -> None:
    """One kiosk fetching ``plan`` as the kiosk's sync does: its own session (a TLS
    connection kept for the sync), the manifest asked with the ETag it has, each file read
    whole and checked."""
    from kiosk.central_client import CONNECT_TIMEOUT, READ_TIMEOUT

    with requests.Session() as http:
        for path in plan:
            headers = {"User-Agent": "made-in-oman-kiosk (fan-out replay)"}
            if path == "/manifest.json" and etag:
                headers["If-None-Match"] = etag
            t = time.perf_counter()
            try:
                r = http.get(base + path, headers=headers,
                             timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
                body = r.content
            except requests.RequestException as e:
                run.failed += 1
                run.message = f"{path}: {e}"
                continue
            run.latencies.append(time.perf_counter() - t)
            run.requests += 1
            run.bytes += len(body)
            if r.status_code != 200:
                run.failed += 1
                run.message = f"{path} answered {r.status_code}"
                continue
            try:
                check.check(path, body)
            except ValueError as e:
                run.failed += 1
                run.message = str(e)
    if not run.failed:
        run.version = check.new_version
    run.finished_at = time.perf_counter() - t0


def real_sync(home: Path, run: KioskRun, t0: float) -> None:
    """One kiosk's own sync (KioskDevice.sync) on its own store."""
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    dev = KioskDevice(KioskPaths(home))
    try:
        r = dev.sync()
        run.bytes, run.requests = r.bytes_received, r.requests
        run.message = r.message
        if r.outcome != "updated" or r.source != "mirror":
            run.failed += 1
        run.version = dev.store.active_version()
    finally:
        dev.close()
        run.finished_at = time.perf_counter() - t0


def _copy_kiosk(src: Path, dst: Path) -> None:
    """A kiosk's home copied (a closed store): pictures linked (they are never changed in
    place, only added by rename), the rest copied."""
    def copy(a: str, b: str) -> None:
        if "blobs" in Path(a).relative_to(src).parts:
            os.link(a, b)
        else:
            shutil.copy2(a, b)
    shutil.copytree(src, dst, copy_function=copy)


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def fanout(cfg: FanoutConfig | None = None) -> FanoutResult:
    from bench.bench_central import free_port, serving
    from bench.bench_sync import central_cli, change_products
    from central.config import load_settings
    from central.service import Central
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice
    from offline_cache.sync import SyncState
    from tests.nginx import programs_missing, release_mirror

    cfg = cfg or FanoutConfig.from_env()
    if programs_missing():
        raise RuntimeError("the fan-out needs Debian's nginx and openssl: run "
                           "scripts/system-deps as root")
    tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    home, released = tmp / "central", tmp / "releases"
    env = {"CENTRAL_RELEASES_DIR": str(released)}  # outside the home: world-readable files
    try:
        central_cli(home, "seed", "--products", str(cfg.products), env=env)
        central_cli(home, "publish", env=env)
        with release_mirror(tmp / "nginx", free_port(), free_port(), released,
                            worker_connections=1024) as mirror, \
                _environ(REQUESTS_CA_BUNDLE=str(mirror.cert), **env):
            central_cli(home, "config", "set", f"content_mirror={mirror.base}", env=env)
            code = central_cli(home, "enrollment-code", env=env).split()[-1]
            central_log = tmp / "central.log"
            with serving(home, free_port(), log=central_log, env=env) as url:
                first_home = tmp / "kiosks" / "0"
                dev = KioskDevice(KioskPaths(first_home))
                dev.provision(url, code, name="fan-out bench")
                assert dev.config.content_mirror == mirror.base, dev.config.content_mirror
                mark = mirror.mark()
                t = time.perf_counter()
                full = dev.sync()
                full_s = time.perf_counter() - t
                assert (full.outcome, full.source) == ("updated", "mirror"), full.message
                full_served = mirror.served_since(mark)
                old_index = dev.store.active_index()
                verify_key = dev.require_credentials().content_public_key
                dev.close()
                etag = SyncState.load(KioskPaths(first_home).sync_state).mirror_etag
                real = max(1, min(cfg.real, cfg.kiosks))
                for i in range(1, real):
                    _copy_kiosk(first_home, tmp / "kiosks" / str(i))

                svc = Central(load_settings(home=home))
                try:
                    change_products(svc, cfg.products, cfg.changed)
                    t = time.perf_counter()
                    new_version = svc.publish(published_by="fan-out bench").version
                    t0 = time.perf_counter()
                    publish_s = t0 - t
                finally:
                    svc.close()
                mirror_mark, central_mark = mirror.mark(), central_log.stat().st_size
                cpu0 = _cpu_s()

                rng = random.Random(cfg.seed)
                starts = sorted(rng.uniform(0, cfg.interval_s) for _ in range(cfg.kiosks - 1))
                runs = [KioskRun(True, 0.0)]
                # The real kiosks are spread among the others, at random places in the order.
                real_at = set(rng.sample(range(len(starts)), real - 1))
                runs += [KioskRun(i in real_at, s) for i, s in enumerate(starts)]
                # The first real kiosk syncs at the publish; the mirror's log of it is the plan.
                real_sync(first_home, runs[0], t0)
                assert not runs[0].failed, runs[0].message
                plan = [p for p, _status in mirror.requests_since(mirror_mark)]
                check = ReplayCheck(verify_key, old_index, new_version)
                homes = iter(range(1, real))

                def one(run: KioskRun, home: Path | None) -> None:
                    delay = t0 + run.start_at - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)  # this kiosk's sync falls due
                    run.began_at = time.perf_counter() - t0
                    if home is not None:
                        real_sync(home, run, t0)
                    else:
                        replay(mirror.base, plan, etag, check, run, t0)

                with ThreadPoolExecutor(cfg.threads) as pool:
                    jobs = [pool.submit(one, run, tmp / "kiosks" / str(next(homes))
                                        if run.real else None) for run in runs[1:]]
                    for job in jobs:
                        job.result()
                client_cpu = _cpu_s() - cpu0
                served = mirror.served_since(mirror_mark)
                log_text = central_log.read_bytes()
                central_text = log_text[central_mark:].decode(errors="replace")
                central_before = len(CENTRAL_REQUEST.findall(
                    log_text[:central_mark].decode(errors="replace")))
        return FanoutResult(
            config=cfg, old_version=full.version, new_version=new_version,
            full_bytes=full.bytes_received, full_requests=full.requests, full_s=full_s, full_served=full_served,
            publish_s=publish_s, plan=plan, kiosks=runs, mirror=served,
            central_requests_before=central_before,
            central_requests=len(CENTRAL_REQUEST.findall(central_text)),
            central_content_requests=len(CONTENT.findall(central_text)), client_cpu_s=client_cpu)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _cpu_s() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _ms(seconds: float) -> str:
    # nginx logs whole milliseconds: a static file sent from the page cache takes "0.000".
    return "< 1" if seconds < 0.001 else f"{1000 * seconds:.1f}"


def rows(res: FanoutResult) -> list[dict]:
    cfg, n = res.config, len(res.kiosks)
    real = sum(r.real for r in res.kiosks)
    on_new = sum(r.version == res.new_version for r in res.kiosks)
    last = max(r.finished_at for r in res.kiosks)
    mean_bytes = statistics.fmean(r.bytes for r in res.kiosks)
    served = res.mirror
    wire, full_wire = (sum(s.bytes_sent for s in x) for x in (served, res.full_served))
    span = max(s.at for s in served) - min(s.at for s in served) if len(served) > 1 else 0.0
    per_second = Counter(int(s.at) for s in served)
    bad = sum(s.status not in (200, 304) for s in served)
    latencies = [x for r in res.kiosks for x in r.latencies]
    took = [r.finished_at - r.began_at for r in res.kiosks]
    interval = f"{cfg.interval_s:,.0f} s"
    who = (f"{real} running the kiosk's sync, each with its own store; "
           f"{n - real:,} replaying the {len(res.plan)} requests of the first, checking "
           "signature and hashes")
    return [
        {"metric": f"full sync of {cfg.products:,} products from the mirror (nginx): bytes "
                   "received", "value": res.full_bytes, "unit": "B", "goal": ""},
        {"metric": "full sync from the mirror: requests (time)",
         "value": f"{len(res.full_served):,} ({res.full_s:.1f} s)", "unit": "", "goal": ""},
        {"metric": f"publish {cfg.changed} changed products (text + picture), release files "
                   "written", "value": res.publish_s, "unit": "s", "goal": ""},
        {"metric": f"fan-out: kiosks on the new version ({who})", "value": on_new,
         "unit": f"of {n:,}", "goal": f"{n:,}"},
        # The last kiosk's sync falls due just before the interval ends: it is on the new version
        # at its first sync after the publish, within the interval and that sync's own time.
        {"metric": f"fan-out: publish to the last kiosk on it (starts spread over one sync "
                   f"interval, {interval}; the last at {max(r.start_at for r in res.kiosks):.1f} s)",
         "value": last, "unit": "s", "goal": f"<= {interval} + its sync"},
        {"metric": "fan-out: one kiosk's sync, p50 (p99; the kiosk's own sync, mean)",
         "value": f"{statistics.median(took):.2f} ({_p99(took):.2f}; "
                  f"{statistics.fmean(r.finished_at - r.began_at for r in res.kiosks if r.real):.2f})",
         "unit": "s", "goal": ""},
        {"metric": "fan-out: bytes per kiosk, mean (with HTTP headers, as nginx sent them)",
         "value": f"{mean_bytes:,.0f} ({wire / n:,.0f})", "unit": "B", "goal": ""},
        {"metric": "fan-out: bytes per kiosk as a share of the full sync (with headers)",
         "value": f"{100.0 * mean_bytes / max(1, res.full_bytes):.2f} "
                  f"({100.0 * wire / n / max(1, full_wire):.2f})", "unit": "%", "goal": "<= 2"},
        {"metric": "fan-out: requests per kiosk (as the mirror logged them)",
         "value": len(served) / n, "unit": "", "goal": ""},
        {"metric": "mirror (nginx): requests per second, mean (busiest second)",
         "value": f"{len(served) / max(span, 1e-9):,.0f} ({max(per_second.values(), default=0):,})",
         "unit": "/s", "goal": ""},
        {"metric": "mirror (nginx): p99 request time as nginx logs it (kiosk side, with TLS)",
         "value": f"{_ms(_p99([s.seconds for s in served]))} ({_ms(_p99(latencies))})",
         "unit": "ms", "goal": ""},
        {"metric": "fan-out: failed requests (kiosk side; mirror answers other than 200/304)",
         "value": f"{sum(r.failed for r in res.kiosks)} ({bad})", "unit": "", "goal": "0 (0)"},
        {"metric": "central during the fan-out: content requests (all requests; heartbeats "
                   "are not simulated)",
         "value": f"{res.central_content_requests} ({res.central_requests})", "unit": "",
         "goal": "0"},
        {"metric": "fan-out load generator (this process): CPU", "value": res.client_cpu_s,
         "unit": "s", "goal": ""},
    ]


def run() -> list[dict]:
    return rows(fanout())
