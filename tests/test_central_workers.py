"""Several central processes on one PostgreSQL database: `serve --workers 4` on one host and a
second host (its own $CENTRAL_HOME with the same keys) beside it. A publish, a revocation and a
config change made through the staff pages of one are served by every worker of both within
1 s (central.cache.MAX_AGE_S): each request that starts 1 s after the change was confirmed gets
the new state, from whichever worker the kernel hands the connection to."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from central.cache import MAX_AGE_S
from tests.conftest import CentralDB, CentralServer, start_central
from tests.test_central_admin import PASSWORD, csrf, login

pytestmark = pytest.mark.central_db_only("postgresql")

# Requests sampled after the change is due everywhere, per server. Each on a new connection,
# so the kernel spreads them over the workers.
SAMPLES = 40


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
          module_central_db: CentralDB) -> Iterator[tuple[CentralServer, CentralServer]]:
    first_home = tmp_path_factory.mktemp("host_a")
    first = start_central(first_home, db=module_central_db, workers=4)
    second = None
    try:
        first.cli("import-demo", "--dir", str(central_catalogue_dir))
        first.cli("publish")
        first.cli("create-staff", "fatma", "--role", "admin", input=PASSWORD + "\n")
        # A second host: the same database and keys (as deployed: keys/ is copied with the
        # database), nothing else shared, not even the change stamp.
        second_home = tmp_path_factory.mktemp("host_b")
        shutil.copytree(first_home / "keys", second_home / "keys")
        second = start_central(second_home, db=module_central_db, workers=1)
        yield first, second
    finally:
        first.stop()
        if second is not None:
            second.stop()


def fresh(url: str, path: str, **kw) -> requests.Response:
    # "Connection: close" and no session: every request is a new connection.
    return requests.get(url + path, headers={"Connection": "close", **kw.pop("headers", {})},
                        timeout=30, **kw)


def after_the_change(changed_at: float, servers: tuple[CentralServer, ...],
                     ask: Callable[[str], object]) -> dict[str, list[object]]:
    """What each server answers to requests started at least MAX_AGE_S after ``changed_at``
    (the monotonic time the change was confirmed): SAMPLES answers per server."""
    due = changed_at + MAX_AGE_S
    while time.monotonic() < due:
        time.sleep(0.05)  # until the bound the caches promise, not a wait for the change
    return {s.url: [ask(s.url) for _ in range(SAMPLES)] for s in servers}


def test_a_publish_through_one_worker_is_served_by_every_worker_of_both_hosts(hosts):
    first, second = hosts
    device = first.enroll()
    auth = first.auth(device)
    version = lambda url: fresh(url, "/api/v1/manifest", headers=auth).headers.get(  # noqa: E731
        "X-Content-Version")
    assert {version(first.url), version(second.url)} == {"1"}  # both caches hold version 1

    s = login(first, "fatma")
    page = s.get(first.url + "/admin/content", timeout=30)
    r = s.post(first.url + "/admin/content/publish", data={"csrf": csrf(page.text)},
               timeout=120)
    changed_at = time.monotonic()
    assert r.status_code == 200 and "published=2" in r.url, r.text[:500]

    seen = after_the_change(changed_at, hosts, version)
    assert seen == {first.url: ["2"] * SAMPLES, second.url: ["2"] * SAMPLES}


def test_a_revocation_through_one_host_shuts_the_kiosk_out_of_both(hosts):
    first, second = hosts
    device = first.enroll()
    auth = first.auth(device)
    status = lambda url: fresh(url, "/api/v1/manifest", headers=auth).status_code  # noqa: E731
    # Every worker has seen the token now (or will look it up): it is in their caches.
    assert {status(first.url) for _ in range(SAMPLES)} == {200}
    assert status(second.url) == 200

    s = login(second, "fatma")
    page = s.get(f"{second.url}/admin/devices/{device['device_id']}", timeout=30)
    r = s.post(f"{second.url}/admin/devices/{device['device_id']}/revoke",
               data={"csrf": csrf(page.text)}, timeout=30)
    changed_at = time.monotonic()
    assert r.status_code == 200 and "Kiosk revoked." in r.text, r.text[:500]

    seen = after_the_change(changed_at, hosts, status)
    assert seen == {first.url: [401] * SAMPLES, second.url: [401] * SAMPLES}


def test_a_config_change_through_one_host_reaches_the_kiosk_through_any_worker(hosts):
    first, second = hosts
    device = first.enroll()
    auth = first.auth(device)

    def idle_timeout(url: str) -> object:
        r = requests.post(url + "/api/v1/heartbeat", headers={"Connection": "close", **auth},
                          timeout=30, json={
                              "app_version": "0.1.0", "content_version": 1,
                              "content_source": "central", "stale": False,
                              "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5})
        assert r.status_code == 200, r.text
        return r.json()["config"].get("idle_timeout_s")

    before = idle_timeout(first.url)
    s = login(second, "fatma")
    page = s.get(f"{second.url}/admin/devices/{device['device_id']}", timeout=30)
    r = s.post(f"{second.url}/admin/devices/{device['device_id']}/config", timeout=30,
               data={"csrf": csrf(page.text), "action": "set", "key": "idle_timeout_s",
                     "value": "135"})
    changed_at = time.monotonic()
    assert r.status_code == 200 and "idle_timeout_s set for kiosk" in r.text, r.text[:500]
    assert before != 135

    seen = after_the_change(changed_at, hosts, idle_timeout)
    assert seen == {first.url: [135] * SAMPLES, second.url: [135] * SAMPLES}
