"""When the kiosk tries again: the sync interval with jitter, backoff after failures, central's
Retry-After, and an immediate try when the network comes back."""

from __future__ import annotations

import random
import threading

import pytest

from offline_cache.sync import BACKOFF_CAP_S, Repeater, next_delay


def test_success_waits_the_interval_plus_or_minus_20_percent():
    rng = random.Random(1)
    delays = [next_delay(True, 0, 300, rng=rng) for _ in range(2000)]
    assert min(delays) >= 240 and max(delays) <= 360
    assert max(delays) - min(delays) > 100  # really jittered, not a fixed 300


def test_failures_back_off_exponentially_with_full_jitter_capped_at_an_hour():
    rng = random.Random(2)
    for failures in (1, 3, 6, 10):
        ceiling = [next_delay(False, failures, 300, rng=rng) for _ in range(500)]
        assert min(ceiling) < max(ceiling) / 4  # full jitter reaches down towards zero
    many = [next_delay(False, 40, 300, rng=rng) for _ in range(2000)]
    assert max(many) <= BACKOFF_CAP_S
    assert max(many) > BACKOFF_CAP_S * 0.9
    early = max(next_delay(False, 1, 300, rng=rng) for _ in range(500))
    late = max(next_delay(False, 8, 300, rng=rng) for _ in range(500))
    assert late > 10 * early


def test_retry_after_is_never_undercut():
    rng = random.Random(3)
    assert all(next_delay(False, 1, 300, retry_after=600, rng=rng) >= 600 for _ in range(200))
    assert all(next_delay(True, 0, 300, retry_after=900, rng=rng) >= 900 for _ in range(200))
    assert next_delay(False, 1, 300, retry_after=10**9, rng=rng) <= BACKOFF_CAP_S


def test_the_work_runs_again_as_soon_as_the_network_returns():
    runs: list[bool] = []
    network_up = threading.Event()
    first_run, second_run = threading.Event(), threading.Event()

    def work():
        runs.append(network_up.is_set())
        (second_run if len(runs) >= 2 else first_run).set()
        return network_up.is_set(), None

    loop = Repeater("test", work, interval=lambda: 3600.0, probe=network_up.is_set,
                    probe_every=0.02)
    loop.failures = 20  # deep in backoff: without the probe the next try is up to an hour away
    loop.start()
    try:
        assert first_run.wait(10)
        network_up.set()
        assert second_run.wait(10), "the loop did not notice the network coming back"
    finally:
        loop.stop()
    assert runs[:2] == [False, True]


def test_poke_runs_the_work_at_once():
    ran = threading.Semaphore(0)

    def work():
        ran.release()
        return True, None

    loop = Repeater("test", work, interval=lambda: 3600.0)
    loop.start()
    try:
        assert ran.acquire(timeout=10)
        loop.poke()
        assert ran.acquire(timeout=10), "poke did not wake the loop"
    finally:
        loop.stop()


@pytest.mark.parametrize("boom", [RuntimeError("bug"), ValueError("bad")])
def test_an_unexpected_error_does_not_end_the_loop(boom):
    calls = threading.Semaphore(0)
    state = {"n": 0}

    def work():
        state["n"] += 1
        calls.release()
        if state["n"] == 1:
            raise boom
        return True, None

    loop = Repeater("test", work, interval=lambda: 3600.0, probe=lambda: True, probe_every=0.01)
    loop.start()
    try:
        assert calls.acquire(timeout=10) and calls.acquire(timeout=10)
    finally:
        loop.stop()
