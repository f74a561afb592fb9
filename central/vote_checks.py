"""Public results that can be trusted: poll votes and survey answers are checked against the
published content a kiosk could show (the poll or survey exists, the option or choice is one of
its own, the time is inside the poll's dates and not in the future), and each kiosk's votes are
held above what visitors at one screen can produce. Held votes are stored and shown to staff,
who release (count) or reject them; until then no result counts them.

Functions take the ``Central`` service; central/README.md ("Votes and answers that can be
trusted") says the rules and why the numbers are what they are."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from central.db import utcnow
from central.errors import CentralError
from central.orm import AuditEntry, Device, Piece, Release, Submission
from kiosk import protocol

if TYPE_CHECKING:
    from central.service import Central

# A kiosk's clock may be a little off central's: times this far past a poll's dates or ahead of
# central's clock are still taken as the kiosk's honest time.
CLOCK_SKEW = timedelta(minutes=10)
# The published versions a vote may name as the one its kiosk showed: the newest and the ones
# before it that central still sends deltas from (a kiosk a few syncs behind).
KEPT_VERSIONS = protocol.MAX_DELTAS
# What visitors at one screen can produce. Voting takes a visitor at least some 20 s (open the
# poll, read the question and up to 12 options aloud or on screen, choose, confirm, see the
# thanks screen); a sustained vote a minute for an hour is already a queue all hour long; and a
# kiosk offline for a day brings a day's votes at once, so the day's cap is by arrival.
VOTE_GAP_S = 20  # counted votes on one poll from one kiosk are at least this far apart
VOTES_PER_HOUR = 60  # counted votes on one poll from one kiosk in one clock hour (UTC)
VOTES_PER_DAY = 600  # counted votes on one poll from one kiosk received in one UTC day
HOLD_REASONS = ("gap", "hour", "day")
MAX_REJECT_REASON = 500


# ---------------------------------------------------------------------------------------------
# Checks against the published content


@dataclass(frozen=True)
class _Forms:
    """The polls and surveys of one published version."""

    polls: dict[str, dict]
    surveys: dict[str, dict]


_forms_cache: dict[tuple[int, str], _Forms] = {}
_forms_lock = threading.Lock()


def _forms_of(central: Central, version: int, index_sha256: str) -> _Forms:
    key = (version, index_sha256)
    with _forms_lock:
        cached = _forms_cache.get(key)
    if cached is not None:
        return cached
    index = central.q(Piece).filter(sha256=index_sha256).values_list("body", flat=True).first()
    records = json.loads(bytes(index))["records"] if index is not None else {}
    found: dict[str, dict[str, dict]] = {"poll": {}, "survey": {}}
    for kind, out in found.items():
        by_hash = {h: rid for rid, h in records.get(kind, {}).items()}
        for sha, body in central.q(Piece).filter(sha256__in=list(by_hash)).values_list(
                "sha256", "body"):
            out[by_hash[sha]] = json.loads(bytes(body))
    forms = _Forms(found["poll"], found["survey"])
    with _forms_lock:
        if len(_forms_cache) > 4 * KEPT_VERSIONS:
            _forms_cache.clear()
        _forms_cache[key] = forms
    return forms


class PublishedForms:
    """What one batch's votes and answers are checked against: the newest published version
    and the kept versions before it (read once per batch, each version's forms cached)."""

    def __init__(self, central: Central):
        self._central = central
        self._kept = list(central.q(Release).order_by("-version").values_list(
            "version", "index_sha256")[:KEPT_VERSIONS + 1])

    def candidates(self, content_version: int) -> list[_Forms]:
        """The newest version's forms, then those of the version the item says its kiosk
        showed, when that is one of the kept ones."""
        if not self._kept:
            return []
        chosen = [self._kept[0]]
        chosen += [k for k in self._kept[1:] if k[0] == content_version]
        return [_forms_of(self._central, v, h) for v, h in chosen]


def _when(t: datetime) -> str:
    return protocol.iso(t)


def refusal(forms: PublishedForms, sub: protocol.Submission, now: datetime) -> str | None:
    """Why this vote or survey answer can not be taken (a sentence), or None."""
    if sub.type not in ("poll_vote", "survey"):
        return None
    if sub.created_at > now + CLOCK_SKEW:
        return (f"created_at {_when(sub.created_at)} is in the future (central's clock reads "
                f"{_when(now)}); set the kiosk's clock right and send a new item")
    found = forms.candidates(sub.content_version)
    if sub.type == "poll_vote":
        return _vote_refusal(found, sub)
    return _answer_refusal(found, sub)


def _vote_refusal(found: list[_Forms], sub: protocol.Submission) -> str | None:
    poll_id, option_id = sub.payload["poll_id"], sub.payload["option_id"]
    polls = [f.polls[poll_id] for f in found if poll_id in f.polls]
    if not polls:
        return (f"there is no poll {poll_id!r} in the content kiosks are shown (the newest "
                "published version or one a kiosk may still show); the vote is not counted")
    with_option = [p for p in polls if any(o["id"] == option_id for o in p["options"])]
    if not with_option:
        return f"{option_id!r} is not one of the options of poll {poll_id!r}"
    for p in with_option:
        opens = datetime.fromisoformat(p["opens_at"])
        closes = datetime.fromisoformat(p["closes_at"])
        if opens - CLOCK_SKEW <= sub.created_at <= closes + CLOCK_SKEW:
            return None
    p = with_option[0]
    return (f"the vote was made at {_when(sub.created_at)}, when poll {poll_id!r} was not open "
            f"(it is open from {p['opens_at']} to {p['closes_at']})")


def _answer_refusal(found: list[_Forms], sub: protocol.Submission) -> str | None:
    survey_id, answers = sub.payload["survey_id"], sub.payload["answers"]
    surveys = [f.surveys[survey_id] for f in found if survey_id in f.surveys]
    if not surveys:
        return (f"there is no survey {survey_id!r} in the content kiosks are shown (the newest "
                "published version or one a kiosk may still show)")
    first = None
    for s in surveys:
        questions = {q["id"]: {c["id"] for c in q["choices"]} for q in s["questions"]}
        wrong = None
        for qid, value in sorted(answers.items()):
            if qid not in questions:
                wrong = f"survey {survey_id!r} has no question {qid!r}"
            elif value not in questions[qid]:
                wrong = (f"{value!r} is not an answer question {qid!r} of survey "
                         f"{survey_id!r} offers (it offers {', '.join(sorted(questions[qid]))})")
            if wrong:
                break
        if wrong is None:
            return None
        first = first or wrong
    return first


# ---------------------------------------------------------------------------------------------
# The rate limit, inside the transaction that stores the batch


def _hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def hold_over_limit(central: Central, device_id: str, rows: list[dict[str, Any]],
                    now: datetime) -> None:
    """Mark the new vote rows over this kiosk's limits as held (``held``, ``held_reason``).
    Call inside the write transaction that inserts ``rows``: the kiosk's row is locked first
    (PostgreSQL; SQLite has one writer already), so two batches of one kiosk take turns and
    the second counts the first's votes."""
    votes = [r for r in rows if r["type"] == "poll_vote" and not r["test"]]
    if not votes:
        return
    list(central.q(Device).select_for_update().filter(id=device_id).values_list("id",
                                                                                flat=True))
    by_poll: dict[str, list[dict[str, Any]]] = {}
    for r in votes:
        by_poll.setdefault(r["poll_id"], []).append(r)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for poll_id, group in sorted(by_poll.items()):
        group.sort(key=lambda r: (r["created_at"], r["id"]))
        counted_q = central.q(Submission).filter(device_id=device_id, poll_id=poll_id,
                                                 type="poll_vote", test=False, held=False,
                                                 hidden=False)
        lo = group[0]["created_at"] - timedelta(hours=1)
        hi = group[-1]["created_at"] + timedelta(hours=1)
        counted = list(counted_q.filter(created_at__gte=lo, created_at__lte=hi)
                       .values_list("created_at", flat=True))
        today = counted_q.filter(received_at__gte=day_start).count()
        for r in group:
            t = r["created_at"]
            reason = None
            if any(abs((t - c).total_seconds()) < VOTE_GAP_S for c in counted):
                reason = "gap"
            elif sum(1 for c in counted if _hour(c) == _hour(t)) >= VOTES_PER_HOUR:
                reason = "hour"
            elif today >= VOTES_PER_DAY:
                reason = "day"
            if reason:
                r["held"], r["held_reason"] = True, reason
            else:
                counted.append(t)
                today += 1


# ---------------------------------------------------------------------------------------------
# Staff: the held votes, released or rejected


def held_votes(central: Central, limit: int = 500) -> dict[str, Any]:
    """Held votes, newest first (at most ``limit``), and a summary per kiosk and poll."""
    q = central.q(Submission).filter(type="poll_vote", held=True)
    devices = {d.id: d for d in central.q(Device).only("id", "name", "location")}
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for dev, poll, option, reason in q.values_list("device_id", "poll_id", "option_id",
                                                   "held_reason"):
        g = groups.setdefault((dev, poll), {"device_id": dev, "poll_id": poll, "count": 0,
                                            "options": {}, "reasons": {}})
        g["count"] += 1
        g["options"][option] = g["options"].get(option, 0) + 1
        g["reasons"][reason] = g["reasons"].get(reason, 0) + 1
    for g in groups.values():
        d = devices.get(g["device_id"])
        g["device_name"] = d.name if d else None
        g["location"] = d.location if d else None
    votes = [{"id": r.id, "device_id": r.device_id,
              "device_name": getattr(devices.get(r.device_id), "name", None),
              "poll_id": r.poll_id, "option_id": r.option_id, "created_at": r.created_at,
              "received_at": r.received_at, "reason": r.held_reason}
             for r in q.order_by("-received_at", "-created_at", "id")[:limit]]
    return {"total": q.count(), "groups": sorted(groups.values(),
                                                 key=lambda g: (-g["count"], g["device_id"],
                                                                g["poll_id"])),
            "votes": votes}


def _selected(central: Central, ids: list[str], device_id: str | None,
              poll_id: str | None) -> Any:
    q = central.q(Submission).select_for_update().filter(type="poll_vote", held=True)
    if ids:
        return q.filter(id__in=[i[:36] for i in ids[:1000]])
    if device_id and poll_id:
        return q.filter(device_id=device_id[:64], poll_id=poll_id[:64])
    raise CentralError("choose the votes first: tick them, or use a kiosk's row", status=422)


def release(central: Central, by: str, ids: list[str] | None = None,
            device_id: str | None = None, poll_id: str | None = None) -> int:
    """Count held votes (those ticked, or all of one kiosk on one poll); how many."""
    now = utcnow()
    with central.write():
        chosen = list(_selected(central, ids or [], device_id, poll_id))
        for r in chosen:
            r.held = False
            r.save(using=central.db, update_fields=["held"])
            central.q(AuditEntry).create(at=now, actor=by[:150], action="release_vote",
                                         target=f"submission:{r.id}",
                                         detail=f"held ({r.held_reason}), now counted")
    return len(chosen)


def reject(central: Central, by: str, reason: str, ids: list[str] | None = None,
           device_id: str | None = None, poll_id: str | None = None) -> int:
    """Never count held votes: they leave the queue hidden from every public use, with the
    reason (the feedback moderation's ``hidden``); how many."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise CentralError("say why the votes are rejected; the reason is kept with them",
                           status=422)
    if len(reason) > MAX_REJECT_REASON:
        raise CentralError(f"the reason is over {MAX_REJECT_REASON} characters; shorten it",
                           status=422)
    now = utcnow()
    with central.write():
        chosen = list(_selected(central, ids or [], device_id, poll_id))
        for r in chosen:
            r.held = False
            r.hidden, r.hidden_reason, r.hidden_by, r.hidden_at = True, reason, by[:150], now
            r.save(using=central.db,
                   update_fields=["held", "hidden", "hidden_reason", "hidden_by", "hidden_at"])
            central.q(AuditEntry).create(at=now, actor=by[:150], action="reject_vote",
                                         target=f"submission:{r.id}",
                                         detail=f"held ({r.held_reason}): {reason}"[:2000])
    return len(chosen)
