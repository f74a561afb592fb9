"""The feedback workflow: what staff do with a submission. States new -> in_progress ->
answered -> closed (answered needs a reply), assignment to a staff member, internal notes,
moderation (hidden from every public use, with the reason), contact details opened on request,
"add to FAQ" (an FAQ draft that the next publish carries), the age in working hours. Every
change, and every opening of contact details, is an ``AuditEntry``.

Functions take the ``Central`` service; ``Central`` exposes them as methods."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from central import hooks, reference, working_hours
from central.db import utcnow
from central.errors import CentralError, NotFound
from central.orm import AuditEntry, Submission, SubmissionNote
from kiosk import protocol

if TYPE_CHECKING:
    from central.service import Central

STATES = ("new", "in_progress", "answered", "closed")
STATE_LABELS = {"new": "new", "in_progress": "in progress", "answered": "answered",
                "closed": "closed"}
OPEN_STATES = ("new", "in_progress")
# What the list can show: what kiosks send, and the public's requests for open data
# (central.opendata, POST /open-data/requests).
KINDS = (*protocol.SUBMISSION_PAYLOADS, "data_request")
FEEDBACK_ROLES = ("analyst", "admin")  # central.staff.CAN["feedback"]
MAX_NOTE = 4000
MAX_REPLY = 8000
MAX_REASON = 500
# The service charter's target: an answer within 5 working days (35 working hours).
DEFAULT_TARGET_HOURS = 35.0


def target_hours() -> float:
    """``CENTRAL_FEEDBACK_TARGET_HOURS``: working hours before an open item is overdue."""
    raw = os.environ.get("CENTRAL_FEEDBACK_TARGET_HOURS")
    try:
        value = float(raw) if raw else DEFAULT_TARGET_HOURS
    except ValueError:
        value = DEFAULT_TARGET_HOURS
    return value if value > 0 else DEFAULT_TARGET_HOURS


def office(central: Central) -> working_hours.Office:
    pub = central.published_catalogue()
    site = pub.records.get("site", {}).get("site") if pub else None
    return working_hours.office_from_site(site)


def audit(central: Central, actor: str, action: str, target: str, detail: str = "") -> None:
    central.q(AuditEntry).create(at=utcnow(), actor=actor[:150], action=action[:32],
                                 target=target[:64], detail=detail[:2000])


def audit_log(central: Central, target: str | None = None, limit: int = 500) -> list[dict]:
    q = central.q(AuditEntry).order_by("-at", "-id")
    if target:
        q = q.filter(target=target)
    return [{"at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
             "detail": e.detail} for e in q[:limit]]


def _target(sub_id: str) -> str:
    return f"submission:{sub_id}"


def _get(central: Central, sub_id: str, lock: bool = False) -> Any:
    """The row; ``lock`` (inside ``central.write()``) holds it until the commit on PostgreSQL,
    so two staff members changing one item take turns (SQLite's writers do anyway)."""
    q = central.q(Submission).filter(id=sub_id[:36])
    row = (q.select_for_update() if lock else q).first()
    if row is None:
        raise NotFound("There is no such submission. Check the link or the reference.")
    return row


def find_by_reference(central: Central, text: str) -> str:
    """The id of the submission with this reference; a sentence when it was mistyped."""
    verdict = reference.check(text)
    if verdict == "malformed":
        raise CentralError("A reference is 12 digits, like 4821-0937-5526.", status=422)
    if verdict == "mistyped":
        raise CentralError("This reference has a typing mistake (its last digit does not "
                           "match). Check each digit again.", status=422)
    row = central.q(Submission).filter(reference=reference.normalise(text)).first()
    if row is None:
        raise NotFound("No submission has this reference.")
    return row.id


def _view(central: Central, r: Any, now: Any, off: working_hours.Office,
          target: float) -> dict:
    age = working_hours.working_hours_between(r.received_at, now, off)
    return {
        "id": r.id, "reference": reference.shown(r.reference), "receipt": r.receipt,
        "type": r.type, "status": r.status, "status_label": STATE_LABELS.get(r.status, r.status),
        "assigned_to": r.assigned_to, "received_at": r.received_at, "created_at": r.created_at,
        "lang": r.lang, "payload": r.payload, "test": r.test, "device_id": r.device_id,
        "has_contact": r.sealed_contact is not None, "reply_text": r.reply_text,
        "replied_at": r.replied_at, "replied_by": r.replied_by, "hidden": r.hidden,
        "hidden_reason": r.hidden_reason, "hidden_by": r.hidden_by, "hidden_at": r.hidden_at,
        "age_hours": age, "overdue": r.status in OPEN_STATES and age > target,
    }


def list_items(central: Central, *, status: str | None = None, kind: str | None = None,
               assigned_to: str | None = None, overdue: bool = False,
               include_test: bool = False, limit: int = 50, offset: int = 0) -> list[dict]:
    """Submissions for the staff list, newest first, with their working-hours age."""
    q = central.q(Submission).order_by("-received_at", "id")
    if status in STATES:
        q = q.filter(status=status)
    if kind in KINDS:
        q = q.filter(type=kind)
    if assigned_to:
        q = q.filter(assigned_to=assigned_to)
    if not include_test:
        q = q.filter(test=False)
    now, off, target = utcnow(), office(central), target_hours()
    if overdue:
        q = q.filter(status__in=OPEN_STATES)
        items = [v for v in (_view(central, r, now, off, target) for r in q.iterator())
                 if v["overdue"]]
        return items[offset:offset + limit]
    return [_view(central, r, now, off, target) for r in q[offset:offset + limit]]


def open_counts(central: Central) -> dict[str, int]:
    """Items waiting for staff (new or in progress, tests left out), and how many are overdue."""
    q = central.q(Submission).filter(status__in=OPEN_STATES, test=False)
    now, off, target = utcnow(), office(central), target_hours()
    ages = [working_hours.working_hours_between(t, now, off)
            for t in q.values_list("received_at", flat=True).iterator()]
    return {"open": len(ages), "overdue": sum(1 for a in ages if a > target)}


def get_item(central: Central, sub_id: str) -> dict:
    r = _get(central, sub_id)
    item = _view(central, r, utcnow(), office(central), target_hours())
    item["notes"] = [{"author": n.author, "at": n.created_at, "text": n.text}
                     for n in central.q(SubmissionNote).filter(submission_id=r.id)]
    item["audit"] = list(reversed(audit_log(central, _target(r.id))))
    return item


def _text(value: str, what: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise CentralError(f"Write the {what} first; it can not be empty.", status=422)
    if len(text) > limit:
        raise CentralError(f"The {what} is too long: at most {limit} characters "
                           f"(this one has {len(text)}).", status=422)
    return text


def assign(central: Central, sub_id: str, to: str | None, by: str) -> None:
    from django.contrib.auth import get_user_model

    to = (to or "").strip()[:150] or None
    if to is not None and not get_user_model().objects.using(central.db).filter(
            username=to, is_active=True, groups__name__in=FEEDBACK_ROLES).exists():
        raise CentralError(f"{to!r} is not an analyst or admin account, who answer feedback. "
                           "Pick a name from the list.", status=422)
    with central.write():
        r = _get(central, sub_id, lock=True)
        r.assigned_to = to
        if to and r.status == "new":
            r.status = "in_progress"
        r.save(using=central.db, update_fields=["assigned_to", "status"])
        audit(central, by, "assign", _target(r.id), f"to {to}" if to else "unassigned")


def set_status(central: Central, sub_id: str, status: str, by: str) -> None:
    if status not in STATES:
        raise CentralError(f"Unknown state {status!r}: use one of {', '.join(STATES)}.",
                           status=422)
    with central.write():
        r = _get(central, sub_id, lock=True)
        if status == "answered" and not r.reply_text:
            raise CentralError("An item is answered only with a reply: write the reply "
                               "below and send it.", status=422)
        old = r.status
        r.status = status
        r.save(using=central.db, update_fields=["status"])
        audit(central, by, "status", _target(r.id),
              f"{STATE_LABELS[old]} -> {STATE_LABELS[status]}")


def add_note(central: Central, sub_id: str, text: str, by: str) -> None:
    text = _text(text, "note", MAX_NOTE)
    with central.write():
        r = _get(central, sub_id, lock=True)
        central.q(SubmissionNote).create(submission_id=r.id, author=by[:150],
                                         created_at=utcnow(), text=text)
        audit(central, by, "note", _target(r.id), text[:200])


def reply(central: Central, sub_id: str, text: str, by: str) -> None:
    text = _text(text, "reply", MAX_REPLY)
    with central.write():
        r = _get(central, sub_id, lock=True)
        r.reply_text, r.replied_at, r.replied_by = text, utcnow(), by[:150]
        old, r.status = r.status, "answered"
        r.save(using=central.db, update_fields=["reply_text", "replied_at", "replied_by",
                                                "status"])
        audit(central, by, "reply", _target(r.id),
              f"{STATE_LABELS[old]} -> answered: {text[:200]}")


def hide(central: Central, sub_id: str, reason: str, by: str) -> None:
    reason = _text(reason, "reason for hiding", MAX_REASON)
    with central.write():
        r = _get(central, sub_id, lock=True)
        r.hidden, r.hidden_reason, r.hidden_by, r.hidden_at = True, reason, by[:150], utcnow()
        r.save(using=central.db, update_fields=["hidden", "hidden_reason", "hidden_by",
                                                "hidden_at"])
        audit(central, by, "hide", _target(r.id), reason)


def unhide(central: Central, sub_id: str, by: str) -> None:
    with central.write():
        r = _get(central, sub_id, lock=True)
        r.hidden = False
        r.save(using=central.db, update_fields=["hidden"])
        audit(central, by, "unhide", _target(r.id), f"was hidden: {r.hidden_reason or ''}")


def open_contact(central: Central, sub_id: str, by: str) -> dict | None:
    """The contact details, opened for one staff member and logged."""
    r = _get(central, sub_id)
    with central.write():
        audit(central, by, "contact", _target(r.id), "contact details opened")
    return central.open_contact(r.sealed_contact)


def faq_prefill(central: Central, sub_id: str) -> dict[str, str]:
    """An FAQ draft's fields from an item: the question in its language, the reply as the
    answer; the other language is left for the staff member to write."""
    r = _get(central, sub_id)
    text = (r.payload.get("text") or r.payload.get("comment") or "")[:200]
    other = "en" if r.lang == "ar" else "ar"
    return {f"question_{r.lang}": text, f"question_{other}": "",
            f"answer_{r.lang}": r.reply_text or "", f"answer_{other}": ""}


def add_to_faq(central: Central, sub_id: str, form: dict[str, str], by: str) -> str:
    """Save an FAQ entry as a draft (in the ``record`` table and in the CMS): it reaches
    kiosks with the next publish (and shows in its diff); the CMS's publish sends it once a
    publisher approved it. Returns the FAQ record's id."""
    r = _get(central, sub_id)
    rid = "faq-" + r.reference
    existing = [f["data"].get("order", 0) for f in central.list_records("faq")]
    record = {"id": rid,
              "question": {"ar": (form.get("question_ar") or "").strip(),
                           "en": (form.get("question_en") or "").strip()},
              "answer": {"ar": (form.get("answer_ar") or "").strip(),
                         "en": (form.get("answer_en") or "").strip()},
              "order": min(10_000, max(existing, default=0) + 10)}
    try:
        central.save_record("faq", record)
    except protocol.ProtocolError as e:
        raise CentralError(_faq_error(str(e)), status=422) from None
    for listener in hooks.faq_draft_listeners:
        listener(central, record, by)
    with central.write():
        audit(central, by, "faq", _target(r.id), f"FAQ draft {rid} made from this item")
    return rid




def _faq_error(text: str) -> str:
    for field, words in (("question.ar", "Arabic question"), ("question.en", "English question"),
                         ("answer.ar", "Arabic answer"), ("answer.en", "English answer")):
        if field in text:
            return f"Write the {words}: an FAQ entry needs the question and the answer in " \
                   "Arabic and English."
    return f"The FAQ entry was not saved: {text}"
