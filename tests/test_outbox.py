"""The outbox: what a visitor said is on disk before they are thanked, contact details are
sealed at once, every item ends acknowledged or visibly rejected, and nothing is given up."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from nacl.public import PrivateKey, SealedBox

from kiosk.protocol import ProtocolError, SubmissionResult, b64, unb64
from offline_cache.outbox import BACKOFF_CAP_S, ContactNotAccepted, Outbox, backoff_delay
from tests.helpers import ROOT

COMMENT = {"kind": "comment", "text": "الخط صغير جداً على الشاشة"}


class FakeClock:
    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def outbox(tmp_path, clock):
    box = Outbox(tmp_path / "outbox.db", clock=clock)
    yield box
    box.close()


def stored(sub_id: str) -> dict:
    at = datetime(2026, 11, 28, tzinfo=UTC).isoformat()
    return {"id": sub_id, "status": "stored", "code": 200,
            "receipt": {"id": sub_id, "receipt": "R-" + sub_id[:8], "received_at": at}}


def test_enqueue_returns_a_uuid_and_the_item_is_queued(outbox):
    sub_id = outbox.enqueue("feedback", COMMENT, "ar", 3)
    assert uuid.UUID(sub_id).version == 4
    item = outbox.get(sub_id)
    assert item.state == "queued" and item.type == "feedback" and not item.test
    assert outbox.stats() == {"pending": 1, "oldest_age_s": 0, "dead": 0}


def test_a_submission_survives_closing_and_reopening(tmp_path):
    box = Outbox(tmp_path / "o.db")
    ids = [box.enqueue("poll_vote", {"poll_id": "p1", "option_id": "yes"}, "en", 1)
           for _ in range(5)]
    box.close()
    again = Outbox(tmp_path / "o.db")
    assert [i.id for i in again.items()] == ids
    again.close()


def test_contact_details_are_sealed_and_never_stored_in_the_clear(tmp_path):
    key = PrivateKey.generate()
    box = Outbox(tmp_path / "o.db")
    contact = {"name": "Salim Al Harthy", "phone": "99887766"}
    sub_id = box.enqueue("feedback", COMMENT, "en", 1, contact=contact,
                         submission_public_key=b64(bytes(key.public_key)))
    [sub] = box.next_batch()
    assert sub.id == sub_id
    opened = json.loads(SealedBox(key).decrypt(unb64(sub.sealed_contact)))
    assert opened == contact
    box.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"Salim" not in raw and b"99887766" not in raw


def test_contact_is_refused_with_a_plain_sentence_before_provisioning(outbox):
    with pytest.raises(ContactNotAccepted, match="without them"):
        outbox.enqueue("feedback", COMMENT, "ar", 1, contact={"phone": "99887766"})
    assert outbox.stats()["pending"] == 0
    # Empty contact fields are no contact at all.
    outbox.enqueue("feedback", COMMENT, "ar", 1, contact={"phone": "  "})
    assert outbox.stats()["pending"] == 1


def test_a_malformed_submission_is_refused_at_once(outbox):
    with pytest.raises(ProtocolError):
        outbox.enqueue("feedback", {"kind": "praise", "text": "x"}, "ar", 1)
    with pytest.raises(ProtocolError):
        outbox.enqueue("feedback", COMMENT, "fr", 1)
    assert outbox.stats()["pending"] == 0


def test_test_submissions_are_marked(outbox):
    sub_id = outbox.enqueue("accessibility", {"text": "technician test"}, "en", 1, test=True)
    assert outbox.get(sub_id).test
    assert outbox.next_batch()[0].test


def test_next_batch_marks_items_as_sending_oldest_first(outbox):
    ids = [outbox.enqueue("feedback", COMMENT, "ar", 1) for _ in range(5)]
    batch = outbox.next_batch(limit=3)
    assert [s.id for s in batch] == ids[:3]
    assert [outbox.get(i).state for i in ids] == ["sending"] * 3 + ["queued"] * 2
    assert [s.id for s in outbox.next_batch()] == ids[3:]
    assert outbox.next_batch() == []


def test_items_left_sending_by_a_crash_go_back_to_the_queue_at_start_up(tmp_path):
    box = Outbox(tmp_path / "o.db")
    ids = [box.enqueue("feedback", COMMENT, "ar", 1) for _ in range(3)]
    box.next_batch()
    box.close()
    again = Outbox(tmp_path / "o.db")
    assert again.release_sending() == 3
    assert [again.get(i).state for i in ids] == ["queued"] * 3
    assert again.stats()["pending"] == 3
    again.close()


def test_results_map_to_acked_and_rejected(outbox, clock):
    a, b, c, d = (outbox.enqueue("feedback", COMMENT, "ar", 1) for _ in range(4))
    outbox.next_batch()
    results = [
        SubmissionResult.model_validate(stored(a)),
        {"id": b, "status": "duplicate", "code": 200, "receipt": stored(b)["receipt"]},
        {"id": c, "status": "conflict", "code": 409, "error": "same id, other body"},
        {"id": d, "status": "invalid", "code": 422, "error": "text is empty"},
    ]
    assert outbox.mark_results(results) == (2, 2)
    assert outbox.get(a).state == outbox.get(b).state == "acked"
    assert outbox.get(a).receipt["receipt"] == "R-" + a[:8]
    assert outbox.get(c).state == "rejected" and "same id, other body" in outbox.get(c).reason
    assert outbox.get(d).state == "rejected" and "text is empty" in outbox.get(d).reason
    clock.t += 10
    assert outbox.stats() == {"pending": 0, "oldest_age_s": None, "dead": 2}


def test_an_acknowledged_submission_keeps_its_receipt_but_not_the_visitors_words(tmp_path):
    box = Outbox(tmp_path / "o.db")
    sub_id = box.enqueue("feedback", {"kind": "comment", "text": "UNIQUE-WORDS-42"}, "en", 1)
    box.next_batch()
    box.mark_results([stored(sub_id)])
    body = box._conn().execute("SELECT body FROM submission").fetchone()[0]
    assert body is None
    box._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    box._conn().execute("VACUUM")
    box.close()
    assert b"UNIQUE-WORDS-42" not in (tmp_path / "o.db").read_bytes()


def test_stats_report_the_age_of_the_oldest_pending_item(outbox, clock):
    outbox.enqueue("feedback", COMMENT, "ar", 1)
    clock.t += 90
    outbox.enqueue("feedback", COMMENT, "ar", 1)
    clock.t += 30
    assert outbox.stats() == {"pending": 2, "oldest_age_s": 120, "dead": 0}


def test_flush_sends_everything_in_batches(outbox):
    ids = [outbox.enqueue("feedback", COMMENT, "ar", 1) for _ in range(250)]
    batches: list[int] = []

    def post(batch):
        batches.append(len(batch))
        return [stored(s.id) for s in batch]

    report = outbox.flush(post, sleep=pytest.fail)
    assert batches == [100, 100, 50]
    assert report.acked == 250 and report.pending == 0 and report.failures == 0
    assert {outbox.get(i).state for i in ids} == {"acked"}


def test_flush_backs_off_exponentially_with_jitter_capped_at_an_hour(outbox):
    outbox.enqueue("feedback", COMMENT, "ar", 1)
    failures = 25
    calls = {"n": 0}

    def flaky(batch):
        calls["n"] += 1
        if calls["n"] <= failures:
            raise ConnectionError("central unreachable")
        return [stored(s.id) for s in batch]

    slept: list[float] = []
    report = outbox.flush(flaky, sleep=slept.append, rand=lambda: 1.0)
    assert report.acked == 1 and report.pending == 0
    assert len(slept) == failures
    assert slept[:4] == [2.0, 4.0, 8.0, 16.0]
    assert max(slept) == BACKOFF_CAP_S and slept[-1] == BACKOFF_CAP_S

    rng = random.Random(3)
    jittered = [backoff_delay(n, rng.random) for n in range(1, 40)]
    assert all(0 <= d <= min(BACKOFF_CAP_S, 2.0 * 2 ** (n - 1))
               for n, d in zip(range(1, 40), jittered, strict=True))
    assert len(set(jittered)) == len(jittered)  # full jitter: no two waits alike


def test_flush_never_gives_up_on_queued_items(outbox):
    sub_id = outbox.enqueue("feedback", COMMENT, "ar", 1)

    def down(batch):
        raise TimeoutError("no network")

    report = outbox.flush(down, sleep=lambda s: None, max_failures=40)
    assert report.failures == 40 and report.pending == 1
    assert "no network" in report.last_error
    item = outbox.get(sub_id)
    assert item.state == "queued" and item.attempts == 40


def test_items_central_did_not_answer_for_are_queued_again(outbox):
    a, b = (outbox.enqueue("feedback", COMMENT, "ar", 1) for _ in range(2))
    answers = iter([[stored(a)], [stored(b)]])
    slept: list[float] = []
    report = outbox.flush(lambda batch: next(answers), sleep=slept.append, rand=lambda: 0.5)
    assert report.acked == 2 and report.failures == 1 and slept == [1.0]


def test_flush_stops_when_asked(outbox):
    outbox.enqueue("feedback", COMMENT, "ar", 1)
    report = outbox.flush(pytest.fail, should_stop=lambda: True)
    assert report.pending == 1


_ENQUEUER = r"""
import sys
from offline_cache.outbox import Outbox
box = Outbox(sys.argv[1])
while True:
    sub_id = box.enqueue("feedback", {"kind": "comment", "text": "x" * 500}, "ar", 1)
    print(sub_id, flush=True)
"""

_FLUSHER = r"""
import sys
from datetime import UTC, datetime
from offline_cache.outbox import Outbox

class Reporting(Outbox):
    def mark_results(self, results):
        out = super().mark_results(results)
        print("acked", " ".join(r["id"] for r in results), flush=True)
        return out

box = Reporting(sys.argv[1])
box.release_sending()
for _ in range(400):
    print("queued", box.enqueue("poll_vote", {"poll_id": "p", "option_id": "o"}, "en", 1),
          flush=True)
at = datetime.now(UTC).isoformat()
def post(batch):
    print("posting", len(batch), flush=True)
    return [{"id": s.id, "status": "stored", "code": 200,
             "receipt": {"id": s.id, "receipt": "r", "received_at": at}} for s in batch]
box.flush(post, batch_size=20)
print("done", flush=True)
"""


def run_and_kill(script: str, db: Path, stop: int) -> list[str]:
    proc = subprocess.Popen([sys.executable, "-c", script, str(db)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if len(lines) >= stop:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    return lines


def test_kill_9_mid_enqueue_loses_nothing_that_was_reported_committed(tmp_path):
    db = tmp_path / "o.db"
    reported: list[str] = []
    for stop in (1, 37, 120, 260, 5):
        reported += run_and_kill(_ENQUEUER, db, stop)
        box = Outbox(db)
        have = {i.id for i in box.items(limit=10_000)}
        assert set(reported) <= have
        assert box._conn().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        box.close()


def test_kill_9_mid_flush_leaves_every_item_queued_or_acknowledged(tmp_path):
    db = tmp_path / "o.db"
    rng = random.Random(5)
    queued: set[str] = set()
    acked: set[str] = set()
    for _ in range(4):
        for line in run_and_kill(_FLUSHER, db, 400 + rng.randrange(2, 30)):
            word, _, rest = line.partition(" ")
            if word == "queued":
                queued.add(rest)
            elif word == "acked":
                acked.update(rest.split())
        box = Outbox(db)
        box.release_sending()
        states = {i.id: i.state for i in box.items(limit=100_000)}
        assert queued <= set(states)
        assert all(states[i] == "acked" for i in acked)
        assert set(states.values()) <= {"queued", "acked"}
        box.close()
    assert acked  # the kills did land mid-flush at least once


def test_old_receipts_can_be_forgotten_but_rejected_items_stay(outbox, clock):
    a, b = (outbox.enqueue("feedback", COMMENT, "ar", 1) for _ in range(2))
    outbox.next_batch()
    outbox.mark_results([stored(a), {"id": b, "status": "invalid", "code": 422, "error": "x"}])
    clock.t += 40 * 86400
    assert outbox.forget_acked() == 1
    assert outbox.get(a) is None and outbox.get(b).state == "rejected"


def _deliver(box: Outbox, sub_id: str) -> None:
    box.mark_results([stored(sub_id)])


def test_a_flush_prunes_delivered_items_past_retention_and_keeps_pending_and_dead(outbox,
                                                                                  clock):
    old, dead, sending = (outbox.enqueue("feedback", COMMENT, "ar", 1) for _ in range(3))
    outbox.next_batch()  # all three are being sent; central answers for two of them
    outbox.mark_results([stored(old), {"id": dead, "status": "invalid", "code": 422,
                                       "error": "text is empty"}])
    queued = outbox.enqueue("feedback", COMMENT, "ar", 1)
    clock.t += 7 * 86400 + 1
    recent = outbox.enqueue("feedback", COMMENT, "ar", 1)
    _deliver(outbox, recent)
    assert outbox.get(old).state == "acked"  # nothing pruned it yet

    def unreachable(batch):
        raise ConnectionError("central unreachable")

    outbox.flush(unreachable, sleep=lambda s: None, max_failures=1)
    assert outbox.get(old) is None
    assert outbox.get(dead).state == "rejected"
    assert outbox.get(sending).state == "sending"
    assert outbox.get(queued).state == "queued"
    assert outbox.get(recent).state == "acked"
    assert outbox.stats()["pending"] == 2 and outbox.stats()["dead"] == 1


def test_opening_the_outbox_prunes_with_the_retention_it_is_given(tmp_path, clock):
    box = Outbox(tmp_path / "o.db", clock=clock)
    delivered = box.enqueue("feedback", COMMENT, "ar", 1)
    _deliver(box, delivered)
    pending = box.enqueue("feedback", COMMENT, "ar", 1)
    box.close()
    clock.t += 2 * 86400
    box = Outbox(tmp_path / "o.db", clock=clock)  # two days is within the default week
    assert box.get(delivered).state == "acked"
    box.close()
    box = Outbox(tmp_path / "o.db", clock=clock, retention_s=86400)
    assert box.get(delivered) is None and box.get(pending).state == "queued"
    box.close()


def test_a_negative_retention_is_refused(tmp_path):
    with pytest.raises(ValueError, match="retention_s"):
        Outbox(tmp_path / "o.db", retention_s=-1)


def vote(box: Outbox, poll_id: str, option_id: str) -> str:
    return box.enqueue("poll_vote", {"poll_id": poll_id, "option_id": option_id}, "en", 1)


def test_pending_votes_count_only_this_polls_votes_central_has_not_acknowledged(outbox):
    delivered = vote(outbox, "favourite", "dates")
    _deliver(outbox, delivered)
    being_sent = vote(outbox, "favourite", "dates")
    outbox.next_batch()  # marked as sending, no answer yet: central may not have counted it
    refused = vote(outbox, "favourite", "halwa")
    outbox.next_batch()
    outbox.mark_results([{"id": refused, "status": "conflict", "code": 409,
                          "error": "same id, other body"}])
    vote(outbox, "favourite", "dates")
    vote(outbox, "favourite", "frankincense")
    vote(outbox, "other-poll", "dates")
    outbox.enqueue("feedback", COMMENT, "ar", 1)
    assert outbox.get(being_sent).state == "sending"
    assert outbox.pending_votes("favourite") == {"dates": 2, "frankincense": 1}
    assert outbox.pending_votes("other-poll") == {"dates": 1}
    assert outbox.pending_votes("no-such-poll") == {}
