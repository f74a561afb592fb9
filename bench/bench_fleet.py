"""A simulated fleet: thousands of kiosks (locust users, bench/fleet_kiosk.py) against
`kiosk-central serve --workers 2` on a throwaway PostgreSQL, each with its own enrolled device
token, heartbeating, polling the manifest with its ETag and sending visitors' feedback, survey
answers and votes, with a publish in the middle that every kiosk must pick up. Reports request
rates and p50/p99 per route, errors, and the CPU and memory central and PostgreSQL used.

Full scale (10,000 kiosks for 600 s) is the default; smaller runs through the environment:
``FLEET_KIOSKS``, ``FLEET_SECONDS``, ``FLEET_WORKERS`` (central's), ``FLEET_PROCESSES``
(locust's), ``FLEET_DB`` (``postgresql``, the default, or ``sqlite``), and for a short run the
kiosks' intervals ``FLEET_HEARTBEAT_S`` (60) and ``FLEET_POLL_S`` (300). Load generator, central
and PostgreSQL share this machine's cores, so figures are the whole system's, not central's
alone.

Why locust: it is the maintained load tool whose users are written as plain Python, so a kiosk
is its schedules (offline_cache.sync's +-20 % jitter, a random start in each interval), not a
constant request rate; its gevent users cost little while they sleep, which a fleet mostly does
(10,000 kiosks make about 200 requests a second). Its percentiles are rounded (to 1 ms under
100 ms, to 10 ms under 1 s), finer than these goals need.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).resolve().parent / "fleet_kiosk.py"
ROUTES = ("POST /api/v1/heartbeat", "GET /api/v1/manifest", "POST /api/v1/submissions")
MiB = 1024 * 1024
_T0 = time.monotonic()


def say(what: str) -> None:
    """Progress on stderr: a full run takes some 15 minutes."""
    print(f"bench: fleet: {time.monotonic() - _T0:6.0f} s  {what}", file=sys.stderr, flush=True)


@dataclass
class FleetConfig:
    """How big and how busy the simulated fleet is. Rates are per kiosk: a busy kiosk in a mall
    hears from a few visitors a day who leave feedback or answer the survey, and some more who
    vote."""

    kiosks: int = 10_000
    seconds: float = 600.0
    workers: int = 2  # central's server processes
    processes: int = 1  # locust's (one is enough for ~200 requests/s and leaves a core)
    db: str = "postgresql"  # "postgresql" (a throwaway cluster), "sqlite", or a database URL
    heartbeat_s: float = 60.0  # kiosk.protocol.DeviceConfig.heartbeat_interval_s
    poll_s: float = 300.0  # DeviceConfig.sync_interval_s
    feedback_per_day: float = 4.0
    surveys_per_day: float = 4.0
    votes_per_day: float = 20.0
    publish_at: float | None = None  # seconds into the run; None: publish_at_s decides

    @classmethod
    def from_env(cls) -> FleetConfig:
        env = os.environ
        return cls(kiosks=int(env.get("FLEET_KIOSKS", cls.kiosks)),
                   seconds=float(env.get("FLEET_SECONDS", cls.seconds)),
                   workers=int(env.get("FLEET_WORKERS", cls.workers)),
                   processes=int(env.get("FLEET_PROCESSES", cls.processes)),
                   db=env.get("FLEET_DB", cls.db),
                   heartbeat_s=float(env.get("FLEET_HEARTBEAT_S", cls.heartbeat_s)),
                   poll_s=float(env.get("FLEET_POLL_S", cls.poll_s)))

    @property
    def publish_at_s(self) -> float:
        """When the publish happens: as near the middle as lets every kiosk's next poll
        (at most 1.2 poll intervals later) fall inside the run."""
        if self.publish_at is not None:
            return self.publish_at
        margin = max(4.0, 0.05 * self.seconds)  # the publish itself takes seconds
        return max(self.seconds * 0.2, min(self.seconds / 2,
                                           self.seconds - 1.2 * self.poll_s - margin))


@dataclass
class RouteStats:
    requests: int
    failures: int
    rate: float  # requests/s over the run
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass
class ProcessUse:
    """CPU seconds and the peak of the summed RSS of one process tree over the run."""

    cpu_s: float = 0.0
    peak_rss: int = 0


@dataclass
class FleetResult:
    config: FleetConfig
    seconds: float  # how long locust ran
    routes: dict[str, RouteStats]
    errors: int
    error_samples: list[str]
    kiosks_started: int
    manifest_200: int
    manifest_304: int
    submissions: dict[str, int]
    old_version: int
    new_version: int
    kiosks_on_new_version: int
    publish_at_s: float  # since the run started
    publish_s: float  # how long `seed` and `publish` took
    slow: int  # requests over fleet_kiosk.SLOW_MS
    slow_during_publish: int  # of those, how many from the publish's start to 10 s after it
    last_kiosk_updated_s: float | None  # from the publish to the last kiosk that took it
    held_votes: int
    central: ProcessUse
    postgres: ProcessUse | None
    load_generator: ProcessUse
    enrol_s: float
    load_average: float = 0.0  # the machine's 1-minute load average, mean over the run
    extra_rows: list[dict] = field(default_factory=list)  # a later part (the fan-out) adds here

    def rows(self) -> list[dict]:
        c = self.config
        db = "PostgreSQL" if c.db == "postgresql" or c.db.startswith("postgres") else "SQLite"
        scale = f"{c.kiosks:,} kiosks, {self.seconds:.0f} s, {c.workers} workers, {db}"
        rows = [
            {"metric": f"simulated fleet: {scale}", "value": self.kiosks_started,
             "unit": "kiosks", "goal": f"{c.kiosks:,}"},
            {"metric": "enrol every kiosk over HTTP (its own device token)", "value":
             self.enrol_s, "unit": "s", "goal": ""},
        ]
        expected = {"POST /api/v1/heartbeat": c.kiosks / c.heartbeat_s,
                    "GET /api/v1/manifest": c.kiosks / c.poll_s}
        for name in ROUTES:
            r = self.routes.get(name)
            if r is None:
                continue
            want = expected.get(name)
            rows += [
                {"metric": f"{name}: rate", "value": r.rate, "unit": "req/s",
                 "goal": f"~{want:,.0f} (the fleet's schedule)" if want else ""},
                {"metric": f"{name}: p50", "value": r.p50_ms, "unit": "ms", "goal": ""},
                {"metric": f"{name}: p99", "value": r.p99_ms, "unit": "ms",
                 "goal": "< 1,000"},
            ]
        rows += [
            {"metric": "fleet: failed requests (all routes)", "value": self.errors,
             "unit": "", "goal": "0"},
            {"metric": f"fleet: requests over 500 ms (of them from the publish's start to "
                       f"10 s after it, {self.publish_s:.0f} s long)", "value":
             f"{self.slow} ({self.slow_during_publish})", "unit": "", "goal": ""},
            {"metric": f"fleet: kiosks that took version {self.new_version} (published at "
                       f"{self.publish_at_s:.0f} s)", "value": self.kiosks_on_new_version,
             "unit": "kiosks", "goal": f"{self.kiosks_started:,}"},
            {"metric": "fleet: publish to the last kiosk on it", "value":
             self.last_kiosk_updated_s if self.last_kiosk_updated_s is not None else "none",
             "unit": "s", "goal": f"<= {1.2 * c.poll_s:.0f} (one poll interval +20 %)"},
            {"metric": "fleet: feedback / survey answers / votes stored", "value":
             f"{self.submissions.get('feedback', 0)} / {self.submissions.get('survey', 0)} / "
             f"{self.submissions.get('poll_vote', 0)}", "unit": "", "goal": ""},
            {"metric": "fleet: votes held by the per-kiosk rate limit", "value":
             self.held_votes, "unit": "", "goal": "0"},
            {"metric": "central: CPU time (all server processes)", "value": self.central.cpu_s,
             "unit": "s", "goal": ""},
            {"metric": "central: mean cores busy", "value": self.central.cpu_s / self.seconds,
             "unit": "cores", "goal": f"< {c.workers}"},
            {"metric": "central: CPU per request (all routes)", "value":
             1000 * self.central.cpu_s / max(1, sum(r.requests for r in self.routes.values())),
             "unit": "ms", "goal": ""},
            {"metric": "central: peak memory (PSS, sum of its processes)", "value":
             self.central.peak_rss / MiB, "unit": "MiB", "goal": ""},
        ]
        if self.postgres is not None:
            rows += [
                {"metric": "PostgreSQL: CPU time (all its processes)", "value":
                 self.postgres.cpu_s, "unit": "s", "goal": ""},
                {"metric": "PostgreSQL: peak memory (PSS, sum of its processes)",
                 "value": self.postgres.peak_rss / MiB, "unit": "MiB", "goal": ""},
            ]
        rows += [
            {"metric": "load generator (locust, same cores): CPU time", "value":
             self.load_generator.cpu_s, "unit": "s", "goal": ""},
            {"metric": "machine's load average during the run (everything on its "
                       f"{os.cpu_count()} cores)", "value": self.load_average, "unit": "",
             "goal": ""},
        ]
        return rows + self.extra_rows


def run() -> list[dict]:
    res = simulate(FleetConfig.from_env())
    for line in res.error_samples[:20]:
        say(f"failed: {line}")
    return res.rows()


# -- running it --------------------------------------------------------------------------------


def simulate(cfg: FleetConfig) -> FleetResult:
    if str(ROOT) not in sys.path:  # tests.pg, when run as `python -m bench`
        sys.path.insert(0, str(ROOT))
    from bench.bench_central import database
    home = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    try:
        with database(cfg.db) as (db_url, postmaster_pid):
            env = {**os.environ, "CENTRAL_HOME": str(home)}
            if db_url:
                env["CENTRAL_DB_URL"] = db_url
            return _simulate(cfg, home, env, db_url, postmaster_pid)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _simulate(cfg: FleetConfig, home: Path, env: dict, db_url: str | None,
              postmaster_pid: int | None) -> FleetResult:
    from bench.bench_central import free_port, wait_until_up

    def cli(*args: str) -> str:
        return subprocess.run([str(BIN / "kiosk-central"), *args], env=env, check=True,
                              capture_output=True, text=True, timeout=1800).stdout

    say(f"central on {'SQLite' if db_url is None else 'PostgreSQL'}: import-demo, publish")
    cli("import-demo")
    old_version = int(cli("publish").split()[0])
    say(f"making {cfg.kiosks:,} enrolment codes")
    codes = cli("enrollment-code", "--count", str(cfg.kiosks), "--location", "fleet").split()
    say(f"starting serve --workers {cfg.workers}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(home / "central.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(BIN / "kiosk-central"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(cfg.workers), "--log-level", "warning", "--no-access-log"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(url, server, deadline_s=300)
        say(f"enrolling {cfg.kiosks:,} kiosks over HTTP")
        t0 = time.monotonic()
        kiosks = enrol(url, codes)
        enrol_s = time.monotonic() - t0
        say(f"running the fleet for {cfg.seconds:.0f} s (publish at {cfg.publish_at_s:.0f} s)")
        first = requests.get(f"{url}/api/v1/manifest", timeout=30,
                             headers={"Authorization": f"Bearer {kiosks[0]['token']}"})
        first.raise_for_status()
        plan = home / "plan.json"
        out = home / "seen"
        plan.write_text(json.dumps({
            "kiosks": kiosks, "etag": first.headers["ETag"], "version": old_version,
            "heartbeat_s": cfg.heartbeat_s, "poll_s": cfg.poll_s,
            "feedback_per_day": cfg.feedback_per_day, "surveys_per_day": cfg.surveys_per_day,
            "votes_per_day": cfg.votes_per_day, **demo_poll_and_survey(), "out": str(out),
        }), encoding="utf-8")
        result = run_locust(cfg, url, plan, home, server.pid, postmaster_pid, cli)
        result.old_version, result.enrol_s = old_version, enrol_s
        result.held_votes = held_votes(db_url, home)
        say(f"done: {result.errors} failed requests")
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def enrol(url: str, codes: list[str], threads: int = 8) -> list[dict]:
    """Every code exchanged for a device token through POST /api/v1/enroll, as a kiosk's
    provisioning does."""
    local = threading.local()

    def one(i_code: tuple[int, str]) -> dict:
        i, code = i_code
        s = getattr(local, "s", None) or requests.Session()
        local.s = s
        r = s.post(f"{url}/api/v1/enroll", timeout=60,
                   json={"code": code, "name": f"fleet kiosk {i}", "app_version": "fleet-sim"})
        r.raise_for_status()
        body = r.json()
        return {"id": body["device_id"], "token": body["device_token"]}

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, enumerate(codes)))


def demo_poll_and_survey() -> dict:
    """The demo catalogue's poll and survey, as a kiosk showing them would send votes and
    answers to them."""
    cat = json.loads((ROOT / "assets" / "demo" / "catalogue.json").read_text(encoding="utf-8"))
    poll, survey = cat["poll"][0], cat["survey"][0]
    return {"poll": {"id": poll["id"], "options": [o["id"] for o in poll["options"]]},
            "survey": {"id": survey["id"], "questions": {
                q["id"]: [c["id"] for c in q["choices"]] for q in survey["questions"]}}}


def run_locust(cfg: FleetConfig, url: str, plan: Path, home: Path, server_pid: int,
               postmaster_pid: int | None, cli) -> FleetResult:
    prefix = home / "locust"
    spawn_rate = max(100, cfg.kiosks // 10)
    cmd = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host", url,
           "-u", str(cfg.kiosks), "-r", str(spawn_rate),
           "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
           "--exit-code-on-error", "0"]
    if cfg.processes > 1:
        cmd += ["--processes", str(cfg.processes)]
    log = open(home / "locust.log", "wb")  # noqa: SIM115 - closed below
    meters = {"central": Meter(server_pid)}
    if postmaster_pid:
        meters["postgres"] = Meter(postmaster_pid)
    for m in meters.values():
        m.sample()
    loads: list[float] = []
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env={**os.environ, "FLEET_PLAN": str(plan)}, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    meters["locust"] = Meter(proc.pid)
    publish_wall: list[float] = []

    def publish() -> None:
        # A change staff make (one more product), then `kiosk-central publish`.
        publish_wall.append(time.time())
        say("publishing a change")
        cli("seed", "--products", "1")
        cli("publish")
        publish_wall.append(time.time())
        say(f"published in {publish_wall[1] - publish_wall[0]:.1f} s")

    publisher = threading.Timer(cfg.publish_at_s, publish)
    publisher.start()
    # The run lasts cfg.seconds, or longer if the publish ended too late for every kiosk's
    # next poll to fall inside it (a loaded machine); then locust is stopped with SIGTERM,
    # which makes it write its statistics.
    try:
        while proc.poll() is None:
            for m in meters.values():
                m.sample()
            loads.append(os.getloadavg()[0])
            time.sleep(1.0)
            now = time.monotonic()
            if len(publish_wall) == 2:
                end = max(cfg.seconds, cfg.publish_at_s + publish_wall[1] - publish_wall[0]
                          + 1.2 * cfg.poll_s + 2.0)
                if now - started >= end:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=120)
            elif now - started > cfg.seconds + 600:
                proc.kill()
                raise RuntimeError("the publish in the middle of the run took over 10 minutes")
    finally:
        publisher.cancel()
        publisher.join()
        log.close()
    ran_s = time.monotonic() - started
    use = {name: m.use() for name, m in meters.items()}
    if len(publish_wall) != 2:
        raise RuntimeError("the publish in the middle of the run did not happen")
    routes, errors, samples = read_locust_csv(prefix, home / "locust.log")
    seen = merge_seen(home)
    new_versions = sorted(int(v) for v in seen["new_version_at"])
    new_version = new_versions[-1] if new_versions else 0
    times = seen["new_version_at"].get(str(new_version), [])
    return FleetResult(
        config=cfg, seconds=ran_s, routes=routes, errors=errors, error_samples=samples,
        kiosks_started=seen["kiosks"], manifest_200=seen["manifest_200"],
        manifest_304=seen["manifest_304"], submissions=seen["submissions"], old_version=0,
        new_version=new_version, kiosks_on_new_version=len(times),
        publish_at_s=cfg.publish_at_s,
        last_kiosk_updated_s=(max(times) - publish_wall[1]) if times else None,
        publish_s=publish_wall[1] - publish_wall[0], slow=sum(seen["slow_per_s"].values()),
        slow_during_publish=sum(n for t, n in seen["slow_per_s"].items()
                                if publish_wall[0] - 1 <= int(t) <= publish_wall[1] + 10),
        held_votes=0, central=use["central"], postgres=use.get("postgres"),
        load_generator=use["locust"], enrol_s=0.0,
        load_average=sum(loads) / len(loads) if loads else 0.0)


class Meter:
    """CPU time and summed RSS of a process and its descendants, sampled (psutil). CPU of
    children that exited is counted through their parent's children times."""

    def __init__(self, pid: int):
        import psutil

        self.root = psutil.Process(pid)
        self.base: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.peak_rss = 0

    def _tree(self) -> list:
        import psutil

        with suppress(psutil.Error):
            return [self.root, *self.root.children(recursive=True)]
        return []

    def sample(self) -> None:
        import psutil

        rss = 0
        for p in self._tree():
            with suppress(psutil.Error):
                t = p.cpu_times()
                cpu = t.user + t.system
                if p.pid == self.root.pid:
                    cpu += t.children_user + t.children_system
                self.base.setdefault(p.pid, cpu)
                self.last[p.pid] = cpu
                rss += _pss(p)
        self.peak_rss = max(self.peak_rss, rss)

    def use(self) -> ProcessUse:
        return ProcessUse(sum(self.last[p] - self.base[p] for p in self.last), self.peak_rss)


def _pss(p) -> int:
    """Proportional set size: shared pages (PostgreSQL's shared buffers, a forked worker's
    copy-on-write pages) counted once across processes, not once per process."""
    try:
        return p.memory_full_info().pss
    except (AttributeError, OSError):
        return p.memory_info().rss


def read_locust_csv(prefix: Path, log: Path) -> tuple[dict[str, RouteStats], int, list[str]]:
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        raise RuntimeError(f"locust wrote no statistics; its log ends:\n{tail}")
    routes: dict[str, RouteStats] = {}
    errors = 0
    with stats.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                errors = int(row["Failure Count"])
                continue
            routes[row["Name"]] = RouteStats(
                requests=int(row["Request Count"]), failures=int(row["Failure Count"]),
                rate=float(row["Requests/s"]), p50_ms=float(row["50%"]),
                p99_ms=float(row["99%"]), max_ms=float(row["Max Response Time"]))
    samples = []
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as f:
            samples = [f"{r['Occurrences']} x {r['Name']}: {r['Error']}"
                       for r in csv.DictReader(f)]
    return routes, errors, samples


def merge_seen(home: Path) -> dict:
    total: dict = {"kiosks": 0, "manifest_200": 0, "manifest_304": 0, "new_version_at": {},
                   "submissions": {}, "not_stored": 0, "slow_per_s": {}}
    for f in home.glob("seen.*.json"):
        s = json.loads(f.read_text(encoding="utf-8"))
        for k in ("kiosks", "manifest_200", "manifest_304", "not_stored"):
            total[k] += s[k]
        for kind, n in s["submissions"].items():
            total["submissions"][kind] = total["submissions"].get(kind, 0) + n
        for t, n in s["slow_per_s"].items():
            total["slow_per_s"][t] = total["slow_per_s"].get(t, 0) + n
        for v, times in s["new_version_at"].items():
            total["new_version_at"].setdefault(v, []).extend(times)
    return total


def held_votes(db_url: str | None, home: Path) -> int:
    query = "SELECT count(*) FROM submission WHERE type = 'poll_vote' AND held"
    if db_url is None:
        import sqlite3

        with sqlite3.connect(home / "central.sqlite3") as conn:
            return conn.execute(query).fetchone()[0]
    import psycopg

    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(query).fetchone()[0]


if __name__ == "__main__":
    res = simulate(FleetConfig.from_env())
    for r in res.rows():
        print(f"{r['metric']}: {r['value']} {r['unit']}  (goal {r['goal']})")
    for s in res.error_samples:
        print("error:", s)
