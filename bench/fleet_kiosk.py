"""One kiosk of the simulated fleet, as a locust user (run by bench/bench_fleet.py, never
imported by it: locust patches the standard library with gevent when it loads).

A kiosk does what kiosk/device.py's loops do, on their schedules: a heartbeat every
``heartbeat_s`` and a manifest poll with its ETag every ``poll_s``, each interval +-20 % as
offline_cache.sync.next_delay draws it; the first of each at a random point of its interval, so
the fleet is spread as a fleet running for days is; each next one counted from the end of the
last, and after a failure the kiosk's backoff (cut short by its 15 s reachability probe). Visitors' feedback, survey answers and poll
votes arrive at random (Poisson) at the rates per kiosk and day the plan gives, each sent at once
as a batch of one (the outbox is poked when a visitor sends). Votes keep to central's rate limit
for one kiosk and poll (central/vote_checks.py: 20 s apart, 60 an hour), as a kiosk's visitors
can not vote faster. A manifest answered 200 with a new version is the publish arriving; what a
kiosk then fetches (the index, records, pictures) is the release fan-out, left to
``on_new_version``.

The plan is a JSON file named by ``$FLEET_PLAN``: ``kiosks`` (``[{"id", "token"}]``), ``etag``
and ``version`` (what every kiosk has when the run starts), ``heartbeat_s``, ``poll_s``,
``feedback_per_day``, ``surveys_per_day``, ``votes_per_day``, ``poll`` (``{"id", "options"}``),
``survey`` (``{"id", "questions": {question id: [choice ids]}}``) and ``out``: the file each
locust process writes what its kiosks saw to (``out`` + ``.<pid>.json``) when the run stops.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from locust import FastHttpUser, constant, events, task

PLAN = json.loads(Path(os.environ["FLEET_PLAN"]).read_text(encoding="utf-8"))
JITTER = 0.2  # offline_cache.sync.next_delay: the interval +-20 %
VOTE_GAP_S = 20.5  # central/vote_checks.py VOTE_GAP_S = 20, and a little for clock rounding
VOTES_PER_HOUR = 60
DAY_S = 86_400.0

# What this process's kiosks saw, written out when the run stops.
SEEN: dict = {"kiosks": 0, "manifest_200": 0, "manifest_304": 0, "new_version_at": {},
              "submissions": {"feedback": 0, "survey": 0, "poll_vote": 0}, "not_stored": 0,
              "slow_per_s": {}}
SLOW_MS = 500  # requests slower than this are counted by the second they ended in
BACKOFF_BASE_S, PROBE_EVERY_S = 5.0, 15.0  # offline_cache.sync, kiosk/device.py
_next_kiosk = itertools.count()


def _now_z() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _jittered(interval: float) -> float:
    return interval * random.uniform(1 - JITTER, 1 + JITTER)


def _after_failure(failures: int) -> float:
    """offline_cache.sync.next_delay after a failure: full-jitter exponential backoff, cut
    short by the reachability probe (kiosk/device.py), which finds a busy central reachable
    within PROBE_EVERY_S."""
    return min(random.random() * BACKOFF_BASE_S * 2 ** min(failures - 1, 32), PROBE_EVERY_S)


def _poisson_gap(per_day: float) -> float:
    return random.expovariate(per_day / DAY_S) if per_day > 0 else float("inf")


class Kiosk(FastHttpUser):
    # The kiosk's own client timeouts (kiosk/central_client.py: connect 5 s, read 30 s).
    connection_timeout = 5.0
    network_timeout = 30.0
    wait_time = constant(0)  # each task sleeps until the kiosk's next due event itself

    def on_start(self) -> None:
        runner = self.environment.runner
        index, count = getattr(runner, "worker_index", 0), getattr(runner, "worker_count", 1)
        n = next(_next_kiosk) * max(count, 1) + index
        kiosks = PLAN["kiosks"]
        me = kiosks[n % len(kiosks)]
        self.device_id = me["id"]
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        self.etag, self.version = PLAN["etag"], PLAN["version"]
        self.config_version: int | None = None
        self.started = time.monotonic()
        self.last_votes: list[float] = []  # wall times of this kiosk's recent votes
        self.failures = {"heartbeat": 0, "manifest": 0}
        now = time.monotonic()
        hb, poll = PLAN["heartbeat_s"], PLAN["poll_s"]
        self.due = {
            "heartbeat": now + random.uniform(0, hb),
            "manifest": now + random.uniform(0, poll),
            "feedback": now + _poisson_gap(PLAN["feedback_per_day"]),
            "survey": now + _poisson_gap(PLAN["surveys_per_day"]),
            "poll_vote": now + _poisson_gap(PLAN["votes_per_day"]),
        }
        SEEN["kiosks"] += 1

    @task
    def next_due(self) -> None:
        what, at = min(self.due.items(), key=lambda kv: kv[1])
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)  # gevent's sleep (locust patches time): other kiosks run meanwhile
        getattr(self, what)()

    # -- the kiosk's loops ---------------------------------------------------------------------

    def _next(self, loop: str, ok: bool) -> None:
        """The loop's next run, counted from the end of this one as kiosk/device.py's
        Repeater does."""
        self.failures[loop] = 0 if ok else self.failures[loop] + 1
        interval = PLAN["heartbeat_s" if loop == "heartbeat" else "poll_s"]
        self.due[loop] = time.monotonic() + (_jittered(interval) if ok else
                                             _after_failure(self.failures[loop]))

    def heartbeat(self) -> None:
        ok = False
        try:
            ok = self._heartbeat()
        finally:
            self._next("heartbeat", ok)

    def _heartbeat(self) -> bool:
        body = {"app_version": "fleet-sim", "content_version": self.version,
                "content_source": "central", "stale": False, "outbox_pending": 0,
                "outbox_dead": 0, "uptime_s": int(time.monotonic() - self.started),
                "last_sync_at": _now_z()}
        if self.config_version is not None:
            body["config_version"] = self.config_version
        with self.client.post("/api/v1/heartbeat", json=body, headers=self.headers,
                              name="POST /api/v1/heartbeat", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"heartbeat answered {r.status_code}" if r.status_code else
                          f"heartbeat failed: {getattr(r, 'error', None)!r}"[:200])
                return False
            self.config_version = r.json().get("config_version")
            return True

    def manifest(self) -> None:
        ok = False
        try:
            ok = self._manifest()
        finally:
            self._next("manifest", ok)

    def _manifest(self) -> bool:
        with self.client.get("/api/v1/manifest", headers={**self.headers,
                                                           "If-None-Match": self.etag},
                             name="GET /api/v1/manifest", catch_response=True) as r:
            if r.status_code == 304:
                SEEN["manifest_304"] += 1
                return True
            if r.status_code != 200:
                r.failure(f"manifest answered {r.status_code}" if r.status_code else
                          f"manifest failed: {getattr(r, 'error', None)!r}"[:200])
                return False
            SEEN["manifest_200"] += 1
            version = int(r.headers.get("X-Content-Version", "0"))
            if version <= self.version:
                r.failure(f"manifest answered 200 with version {version}, not newer than "
                          f"{self.version} (the ETag sent was not recognised)")
                return False
            self.etag, self.version = r.headers["ETag"], version
            SEEN["new_version_at"].setdefault(str(version), []).append(time.time())
        self.on_new_version(version)
        return True

    def on_new_version(self, version: int) -> None:
        """Where the release fan-out goes: the index, changed records and pictures."""

    # -- visitors ------------------------------------------------------------------------------

    def feedback(self) -> None:
        self.due["feedback"] = time.monotonic() + _poisson_gap(PLAN["feedback_per_day"])
        kind = random.choice(["comment", "suggestion", "complaint"])
        self._submit("feedback", {"kind": kind, "text": "Fleet simulation: the kiosk was easy "
                                  "to use, but the map of the mall was hard to find."})

    def survey(self) -> None:
        self.due["survey"] = time.monotonic() + _poisson_gap(PLAN["surveys_per_day"])
        s = PLAN["survey"]
        answers = {q: random.choice(choices) for q, choices in s["questions"].items()}
        self._submit("survey", {"survey_id": s["id"], "answers": answers})

    def poll_vote(self) -> None:
        now = time.time()
        self.last_votes = [t for t in self.last_votes if t > now - 3600]
        allowed_at = now  # a kiosk's visitors can not vote faster than this
        if self.last_votes:
            allowed_at = max(allowed_at, self.last_votes[-1] + VOTE_GAP_S)
        if len(self.last_votes) >= VOTES_PER_HOUR:
            allowed_at = max(allowed_at, self.last_votes[0] + 3600)
        if allowed_at > now:
            self.due["poll_vote"] = time.monotonic() + (allowed_at - now)
            return
        self.due["poll_vote"] = time.monotonic() + _poisson_gap(PLAN["votes_per_day"])
        self.last_votes.append(now)
        p = PLAN["poll"]
        self._submit("poll_vote", {"poll_id": p["id"], "option_id": random.choice(p["options"])})

    def _submit(self, kind: str, payload: dict) -> None:
        item = {"id": str(uuid.uuid4()), "type": kind, "created_at": _now_z(),
                "lang": random.choice(["ar", "en"]), "content_version": self.version,
                "payload": payload}
        with self.client.post("/api/v1/submissions", json={"items": [item]},
                              headers={**self.headers, "X-Receipt-Fields": "reference"},
                              name="POST /api/v1/submissions", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"submissions answered {r.status_code}" if r.status_code else
                          f"submissions failed: {getattr(r, 'error', None)!r}"[:200])
                return
            results = r.json().get("results", [])
            if [x.get("status") for x in results] != ["stored"]:
                SEEN["not_stored"] += 1
                r.failure(f"a {kind} was not stored: {json.dumps(results)[:300]}")
                return
            SEEN["submissions"][kind] += 1


@events.request.add_listener
def _note_slow(name: str, response_time: float, **_kw) -> None:
    if response_time > SLOW_MS:
        second = str(int(time.time()))
        SEEN["slow_per_s"][second] = SEEN["slow_per_s"].get(second, 0) + 1


@events.test_stop.add_listener
def _write_seen(environment, **_kw) -> None:
    out = Path(f"{PLAN['out']}.{os.getpid()}.json")
    out.write_text(json.dumps(SEEN), encoding="utf-8")
