"""A tiny run of the release fan-out (bench/bench_fanout.py, which `make bench` runs with 1,000
kiosks and 10,000 products): central publishing into a directory a real nginx serves, a kiosk
synced fully from it, a 1 % change, and a few kiosks at the old version fetching it from the
mirror, two with the kiosk's own sync and the rest replaying its requests. Figures are
measured, not asserted: this checks that every kiosk ends on the new version with a fraction
of a full sync, without central serving content."""

from __future__ import annotations

from bench.bench_fanout import FanoutConfig, fanout, rows
from tests.test_nginx_central import _need_programs


def test_every_kiosk_takes_the_change_from_the_mirror_with_a_fraction_of_a_full_sync():
    _need_programs()
    cfg = FanoutConfig(kiosks=5, products=300, interval_s=2.0, real=2, threads=4)
    res = fanout(cfg)
    assert res.new_version == res.old_version + 1
    assert len(res.kiosks) == 5 and sum(k.real for k in res.kiosks) == 2
    assert all(k.version == res.new_version for k in res.kiosks), [k.message for k in res.kiosks]
    assert all(k.failed == 0 for k in res.kiosks)
    # What the kiosk's sync fetched from the mirror: the manifest, the index delta from the old
    # version, and the 3 changed records and pictures; the replaying kiosks fetched the same.
    assert res.plan[0] == "/manifest.json" and res.plan[1].startswith("/deltas/")
    assert sorted(p.split("/")[1] for p in res.plan[2:]) == ["blobs"] * 3 + ["records"] * 3
    assert len({k.bytes for k in res.kiosks}) == 1
    # The kiosk counts its requests to the mirror as the mirror logged them (one per file).
    assert {k.requests for k in res.kiosks} == {len(res.plan)}
    assert len(res.full_served) == res.full_requests
    assert 0 < res.kiosks[0].bytes < res.full_bytes
    assert len(res.mirror) == 5 * len(res.plan)
    assert all(s.status == 200 for s in res.mirror)
    # Central's log is read (it shows the enrolment) and shows no content request.
    assert res.central_requests_before > 0 and res.central_content_requests == 0
    metrics = {r["metric"].split(" (")[0] for r in rows(res)}
    assert {"fan-out: kiosks on the new version", "fan-out: publish to the last kiosk on it",
            "fan-out: bytes per kiosk as a share of the full sync",
            "fan-out: requests per kiosk", "fan-out: failed requests",
            "central during the fan-out: content requests"} <= metrics
