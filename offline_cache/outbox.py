"""What visitors said, kept until central has it: feedback, survey answers, poll votes and
accessibility reports, committed to disk before the visitor is thanked, sent in batches, never
dropped. Contact details are sealed to central's key at once and never stored in the clear.
Receipts of delivered items are pruned on their own after a retention period."""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from kiosk.errors import ContactNotAccepted
from kiosk.protocol import (
    ProtocolError,
    Submission,
    SubmissionResult,
    canonical_json,
    iso,
    parse_submission,
    seal_contact,
)
from offline_cache.db import SQLiteFile, statements

State = Literal["queued", "sending", "acked", "rejected"]
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 3600.0
# How long the receipt of a delivered submission is kept for a technician to look up.
DELIVERED_RETENTION_S = 7 * 86400.0
# Pruning is one small DELETE, but it takes the write lock: not more than once an hour.
_PRUNE_EVERY_S = 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submission (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    created_ts  REAL NOT NULL,
    test        INTEGER NOT NULL DEFAULT 0,
    -- The exact bytes sent, so a retry carries the same body and central can match it.
    -- Erased once central has acknowledged the item: the kiosk then keeps only the receipt.
    body        TEXT,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'acked', 'rejected')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_try_ts REAL,
    done_ts     REAL,
    receipt     TEXT,
    reason      TEXT
);
CREATE INDEX IF NOT EXISTS submission_by_state ON submission(state, seq);
"""


@dataclass(frozen=True)
class OutboxItem:
    """One submission as a technician sees it (the visitor's words are not shown)."""

    id: str
    type: str
    state: State
    created_at: datetime
    attempts: int
    test: bool
    receipt: dict | None
    reason: str | None


@dataclass
class FlushReport:
    acked: int = 0
    rejected: int = 0
    failures: int = 0
    delays: list[float] = field(default_factory=list)
    last_error: str | None = None
    pending: int = 0


def backoff_delay(failures: int, rand: Callable[[], float] = random.random,
                  base: float = BACKOFF_BASE_S, cap: float = BACKOFF_CAP_S) -> float:
    """Seconds to wait after ``failures`` failed attempts in a row: exponential with full jitter,
    so a fleet coming back online does not knock on central's door all at once."""
    ceiling = min(cap, base * (2 ** min(max(failures - 1, 0), 32)))
    return rand() * ceiling


class Outbox(SQLiteFile):
    """Submissions in one SQLite file. Queued and rejected items stay until central has them or
    a technician looks; delivered ones keep only their receipt, for ``retention_s`` seconds."""

    def __init__(self, path: str | os.PathLike[str], clock: Callable[[], float] = time.time,
                 retention_s: float = DELIVERED_RETENTION_S):
        if not retention_s >= 0:
            raise ValueError(f"retention_s must be 0 or more seconds, not {retention_s!r}")
        super().__init__(path)
        self._clock = clock
        self.retention_s = float(retention_s)
        self._pruned_at: float | None = None
        with self._write() as c:
            for stmt in statements(_SCHEMA):
                c.execute(stmt)
        self._prune_if_due()

    def __enter__(self) -> Outbox:
        return self

    # -- taking a submission ---------------------------------------------------------------

    def enqueue(self, type: str, payload: dict[str, Any], lang: str, content_version: int,
                contact: dict[str, str] | None = None,
                submission_public_key: str | None = None, test: bool = False,
                reference: str | None = None) -> str:
        """Keep one submission on disk and return its id. When this returns, the submission
        survives a crash or power cut; thank the visitor only then. ``reference``: the
        visitor's reference for following it up (kiosk.protocol.reference), sent with it."""
        contact = {k: v.strip() for k, v in (contact or {}).items()
                   if isinstance(v, str) and v.strip()}
        sealed = None
        if contact:
            if not submission_public_key:
                raise ContactNotAccepted(
                    "This kiosk can not take contact details yet because it is not connected "
                    "to the portal. Please send your message without them, or call 80000070."
                )
            sealed = seal_contact(contact, submission_public_key)
        now = self._clock()
        data: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "type": type,
            "created_at": iso(datetime.fromtimestamp(now, UTC)),
            "lang": lang,
            "content_version": content_version,
            "payload": payload,
            "test": bool(test),
        }
        if sealed is not None:
            data["sealed_contact"] = sealed
        if reference is not None:
            data["reference"] = reference
        sub = parse_submission(data)
        body = canonical_json(sub.model_dump(mode="json", exclude_none=True)).decode("utf-8")
        # One autocommit INSERT under synchronous=FULL: the WAL is fsynced before it returns.
        self._execute(
            "INSERT INTO submission(id, type, created_ts, test, body, state) "
            "VALUES (?, ?, ?, ?, ?, 'queued')", (sub.id, sub.type, now, int(sub.test), body))
        return sub.id

    # -- sending ---------------------------------------------------------------------------

    def next_batch(self, limit: int = 100) -> list[Submission]:
        """The oldest queued submissions, marked as sending before they are posted, so a crash
        mid-post is visible (``release_sending`` puts them back at start-up)."""
        now = self._clock()
        with self._write() as c:
            rows = c.execute("SELECT seq, body FROM submission WHERE state = 'queued' "
                             "ORDER BY seq LIMIT ?", (max(1, int(limit)),)).fetchall()
            c.executemany("UPDATE submission SET state = 'sending', attempts = attempts + 1, "
                          "last_try_ts = ? WHERE seq = ?", [(now, r[0]) for r in rows])
        return [parse_submission(json.loads(body)) for _, body in rows]

    def mark_results(self, results: Iterable[SubmissionResult | dict]) -> tuple[int, int]:
        """Apply central's per-item answers: stored/duplicate -> acked (the text is erased, the
        receipt kept); conflict/invalid -> rejected with the reason, kept for a technician.
        Returns (acked, rejected)."""
        now = self._clock()
        acked = rejected = 0
        parsed = [r if isinstance(r, SubmissionResult) else SubmissionResult.model_validate(r)
                  for r in results]
        with self._write() as c:
            for r in parsed:
                if r.status in ("stored", "duplicate"):
                    receipt = (json.dumps(r.receipt.model_dump(mode="json"))
                               if r.receipt else None)
                    n = c.execute(
                        "UPDATE submission SET state = 'acked', body = NULL, receipt = ?, "
                        "reason = NULL, done_ts = ? WHERE id = ? AND state IN ('sending', "
                        "'queued')", (receipt, now, r.id)).rowcount
                    acked += n
                else:
                    reason = f"{r.status} ({r.code}): {r.error or 'no detail given'}"
                    n = c.execute(
                        "UPDATE submission SET state = 'rejected', reason = ?, done_ts = ? "
                        "WHERE id = ? AND state IN ('sending', 'queued')",
                        (reason, now, r.id)).rowcount
                    rejected += n
        return acked, rejected

    def release_sending(self, ids: Sequence[str] | None = None) -> int:
        """Put items marked as sending back in the queue: all of them at start-up (after a
        crash), or just ``ids`` after a failed post. Returns how many."""
        with self._write() as c:
            if ids is None:
                return c.execute("UPDATE submission SET state = 'queued' "
                                 "WHERE state = 'sending'").rowcount
            return sum(c.execute("UPDATE submission SET state = 'queued' "
                                 "WHERE id = ? AND state = 'sending'", (i,)).rowcount
                       for i in ids)

    def flush(self, post_batch: Callable[[list[Submission]], Iterable[SubmissionResult | dict]],
              *, sleep: Callable[[float], None] = time.sleep,
              rand: Callable[[], float] = random.random, batch_size: int = 100,
              max_failures: int | None = None,
              should_stop: Callable[[], bool] = lambda: False) -> FlushReport:
        """Send everything queued, batch by batch, through ``post_batch`` (which POSTs one batch
        and returns central's per-item results, or raises). After a failure it waits with
        capped exponential backoff and tries again; queued items are never given up.
        ``max_failures`` and ``should_stop`` only end this call (for the CLI and shutdown)."""
        report = FlushReport()
        in_a_row = 0
        while not should_stop():
            batch = self.next_batch(batch_size)
            if not batch:
                break
            ids = [s.id for s in batch]
            try:
                results = list(post_batch(batch))
                acked, rejected = self.mark_results(results)
                error = None
            except Exception as e:  # noqa: BLE001 - any failure to deliver means: try later
                acked = rejected = 0
                error = f"{type(e).__name__}: {e}"
            report.acked += acked
            report.rejected += rejected
            # Anything central did not answer for goes back in the queue.
            unanswered = self.release_sending(ids)
            if error is None and not unanswered:
                in_a_row = 0
                continue
            in_a_row += 1
            report.failures += 1
            report.last_error = error or f"central did not answer for {unanswered} items"
            if max_failures is not None and report.failures >= max_failures:
                break
            delay = backoff_delay(in_a_row, rand)
            report.delays.append(delay)
            sleep(delay)
        report.pending = self.stats()["pending"]
        self._prune_if_due()
        return report

    def forget_acked(self, older_than_s: float | None = None) -> int:
        """Drop the receipts of items central acknowledged more than ``older_than_s`` seconds
        ago (default: the retention period); returns how many. Pending and rejected items are
        never dropped."""
        age = self.retention_s if older_than_s is None else older_than_s
        with self._write() as c:
            return c.execute("DELETE FROM submission WHERE state = 'acked' AND done_ts < ?",
                             (self._clock() - age,)).rowcount

    def _prune_if_due(self) -> None:
        # Called at open and after each flush, so the file stays small without a timer.
        now = self._clock()
        if self._pruned_at is not None and now - self._pruned_at < _PRUNE_EVERY_S:
            return
        self._pruned_at = now
        self.forget_acked()

    # -- looking at it ---------------------------------------------------------------------

    def stats(self) -> dict[str, int | None]:
        """``pending`` (queued or sending), ``oldest_age_s`` (of the oldest pending, or None),
        ``dead`` (rejected by central, kept for a technician)."""
        with self._read() as c:
            pending, oldest = c.execute(
                "SELECT count(*), min(created_ts) FROM submission "
                "WHERE state IN ('queued', 'sending')").fetchone()
            dead = c.execute(
                "SELECT count(*) FROM submission WHERE state = 'rejected'").fetchone()[0]
        age = None if oldest is None else max(0, int(self._clock() - oldest))
        return {"pending": pending, "oldest_age_s": age, "dead": dead}

    _COLS = "id, type, state, created_ts, attempts, test, receipt, reason"

    @staticmethod
    def _item(r: tuple) -> OutboxItem:
        return OutboxItem(id=r[0], type=r[1], state=r[2],
                          created_at=datetime.fromtimestamp(r[3], UTC), attempts=r[4],
                          test=bool(r[5]), receipt=json.loads(r[6]) if r[6] else None,
                          reason=r[7])

    def items(self, state: State | None = None, limit: int = 1000) -> list[OutboxItem]:
        """Submissions oldest first, optionally in one state (for technicians)."""
        where, args = ("WHERE state = ?", (state,)) if state else ("", ())
        with self._read() as c:
            rows = c.execute(f"SELECT {self._COLS} FROM submission {where} ORDER BY seq "
                             "LIMIT ?", (*args, limit)).fetchall()
        return [self._item(r) for r in rows]

    def get(self, submission_id: str) -> OutboxItem | None:
        with self._read() as c:
            row = c.execute(f"SELECT {self._COLS} FROM submission WHERE id = ?",
                            (submission_id,)).fetchone()
        return self._item(row) if row else None

    def pending_reference(self, reference: str) -> bool:
        """Whether an item with this reference (12 plain digits) is still on this kiosk, not
        yet acknowledged by central: its follow-up has to wait until it is delivered."""
        with self._read() as c:
            row = c.execute("SELECT 1 FROM submission WHERE state IN ('queued', 'sending') "
                            "AND body IS NOT NULL AND json_extract(body, '$.reference') = ? "
                            "LIMIT 1", (reference,)).fetchone()
        return row is not None

    def pending_votes(self, poll_id: str) -> dict[str, int]:
        """This kiosk's votes for ``poll_id`` that central has not acknowledged yet, per option:
        exactly the votes central's totals do not include (a delivered item's body is erased)."""
        counts: dict[str, int] = {}
        with self._read() as c:
            rows = c.execute("SELECT body FROM submission WHERE type = 'poll_vote' "
                             "AND state IN ('queued', 'sending') AND body IS NOT NULL").fetchall()
        for (body,) in rows:
            try:
                payload = json.loads(body)["payload"]
                if payload.get("poll_id") != poll_id:
                    continue
                option = payload["option_id"]
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a damaged row must not hide the other votes
            counts[option] = counts.get(option, 0) + 1
        return counts


__all__ = ["DELIVERED_RETENTION_S", "Outbox", "OutboxItem", "FlushReport", "ContactNotAccepted",
           "ProtocolError", "backoff_delay"]
