"""A short run of the simulated fleet (bench/bench_fleet.py, which `make bench` runs with
10,000 kiosks for 10 minutes): a few kiosks, each with its own enrolled token, against
`kiosk-central serve --workers 2`, heartbeating, polling the manifest with its ETag and sending
feedback, survey answers and votes, with a publish in the middle."""

from __future__ import annotations

import pytest

from bench.bench_fleet import FleetConfig, simulate

pytestmark = pytest.mark.central_db_only("sqlite")


def test_a_small_fleet_heartbeats_polls_and_takes_the_publish_without_errors(central_db):
    # Intervals shortened from 60 s and 300 s so a 25 s run holds many of each; a visitor
    # sends something every few seconds at each kiosk.
    cfg = FleetConfig(kiosks=20, seconds=25, workers=2, db=central_db.url or "sqlite",
                      heartbeat_s=1.0, poll_s=2.0, publish_at=5.0, feedback_per_day=20_000,
                      surveys_per_day=20_000, votes_per_day=20_000)
    res = simulate(cfg)
    assert res.errors == 0, res.error_samples
    assert res.kiosks_started == 20
    hb, manifest = res.routes["POST /api/v1/heartbeat"], res.routes["GET /api/v1/manifest"]
    assert hb.requests >= 20 * 10 and hb.failures == 0
    assert manifest.requests >= 20 * 5 and manifest.failures == 0
    assert res.manifest_304 > 0
    # Every kiosk saw the publish: one 200 each with the new version, 304 before and after.
    assert res.new_version == res.old_version + 1
    assert res.kiosks_on_new_version == 20 and res.manifest_200 == 20
    assert all(res.submissions.get(kind, 0) > 0 for kind in ("feedback", "survey", "poll_vote"))
    assert res.held_votes == 0
    assert res.central.cpu_s > 0 and res.central.peak_rss > 0
    assert {r["metric"] for r in res.rows()} >= {"fleet: failed requests (all routes)",
                                                 "POST /api/v1/heartbeat: p99"}
