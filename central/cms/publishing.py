"""Publishing beyond "publish now": a publish to kiosks scheduled for a time, a rollback to an
earlier version, and the content audit trail.

- **Scheduled publish.** A publisher sets a time (shown in Asia/Muscat, stored in UTC). At that
  time central publishes what is live (approved) in the CMS then, with the other kinds' drafts,
  as the next version, exactly as "Publish to kiosks" would. ``run_due`` does it: each due row
  is claimed by a conditional update (``pending`` -> ``running`` where it is still pending), so
  of several processes (``serve --workers``, a cron ``kiosk-central publish-scheduled``, another
  host on the same PostgreSQL) exactly one publishes it. ``Scheduler`` runs ``run_due`` every few
  seconds in a thread of each ``serve`` process.
- **A record's own schedule.** Wagtail's "Set schedule" on a record's edit page gives it a
  go-live and an expiry time in the CMS. ``run_due_records`` carries them out (Wagtail's
  ``publish_scheduled`` command does the same, but two processes running it at once both
  publish): each due revision is claimed by clearing its ``approved_go_live_at`` where it is
  still set, each expired record by turning ``live`` off where it is still on. A record going
  live or expiring changes the CMS only; kiosks get it with the next publish to kiosks (at
  once, or scheduled for the same time).
- **Rollback.** The records of an earlier version become the drafts again and are published
  as a **new, higher** version (kiosks refuse a lower one); the CMS's live snippets are set to
  that version's content too, so the next "Publish to kiosks" does not undo it.
- **Audit.** Every publish, schedule, cancellation, rollback and import is an ``AuditEntry``
  (central.feedback.audit); ``content_history`` merges them with Wagtail's own log of who
  created, changed, submitted, approved and rejected each snippet.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from central import db, feedback
from central.cms import kiosk
from central.db import utcnow
from central.errors import CentralError, NotFound
from central.orm import AuditEntry, PublishSchedule

log = logging.getLogger("central.publishing")

MUSCAT = ZoneInfo("Asia/Muscat")
MAX_PENDING = 50
MAX_AHEAD = timedelta(days=366)
MAX_NOTE = 200
# How often each serve process looks for due schedules (CENTRAL_SCHEDULE_POLL_S).
DEFAULT_POLL_S = 5.0

# The content actions of the audit log (central.feedback's are the feedback workflow's).
PUBLISH = "kiosk_publish"
SCHEDULE = "schedule"
UNSCHEDULE = "unschedule"
SCHEDULED_PUBLISH = "scheduled_publish"
SCHEDULE_FAILED = "schedule_failed"
ROLLBACK = "rollback"
IMPORT = "import"
EXPORT = "export"
CONTENT_ACTIONS = (PUBLISH, SCHEDULE, UNSCHEDULE, SCHEDULED_PUBLISH, SCHEDULE_FAILED, ROLLBACK,
                   IMPORT, EXPORT)


def parse_local_time(text: str) -> datetime:
    """A time typed in Asia/Muscat (``2026-12-03T14:30``, a browser's datetime-local) as UTC."""
    text = (text or "").strip()[:32]
    if not text:
        raise CentralError(_("Give the date and time to publish at."), status=422)
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        raise CentralError(_("The time is not a date and time (e.g. 2026-12-03 14:30)."),
                           status=422) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=MUSCAT)
    return local.astimezone(UTC)


def muscat(t: datetime | None) -> str:
    if t is None:
        return ""
    return t.astimezone(MUSCAT).strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------------------------------------
# Scheduled publishes


def schedule(central: Any, due_at: datetime, by: str, note: str = "",
             now: datetime | None = None) -> Any:
    now = now or utcnow()
    if due_at.tzinfo is None:
        raise CentralError("the time must carry its time zone", status=422)
    if due_at < now - timedelta(seconds=1):
        raise CentralError(_("That time has passed. Choose a time from now on (now it is "
                             "%(now)s in Muscat).") % {"now": muscat(now)}, status=422)
    if due_at > now + MAX_AHEAD:
        raise CentralError(_("Choose a time within a year from now."), status=422)
    q = central.q(PublishSchedule)
    if q.filter(state="pending").count() >= MAX_PENDING:
        raise CentralError(_("There are already %(n)s publishes waiting; cancel some first.")
                           % {"n": MAX_PENDING}, status=422)
    row = q.create(due_at=due_at, created_at=now, created_by=by[:150],
                   note=(note or "").strip()[:MAX_NOTE])
    feedback.audit(central, by, SCHEDULE, f"schedule:{row.id}",
                   f"publish to kiosks at {muscat(due_at)} Muscat ({due_at:%Y-%m-%d %H:%M:%S} "
                   f"UTC){': ' + row.note if row.note else ''}")
    return row


def cancel(central: Any, schedule_id: int, by: str) -> None:
    n = central.q(PublishSchedule).filter(id=schedule_id, state="pending").update(
        state="cancelled", cancelled_by=by[:150], finished_at=utcnow())
    if not n:
        if not central.q(PublishSchedule).filter(id=schedule_id).exists():
            raise NotFound(_("There is no such scheduled publish."))
        raise CentralError(_("That publish is no longer waiting (it ran or was cancelled)."),
                           status=409)
    feedback.audit(central, by, UNSCHEDULE, f"schedule:{schedule_id}", "cancelled")


def pending(central: Any) -> list[Any]:
    return list(central.q(PublishSchedule).filter(state__in=("pending", "running"))
                .order_by("due_at", "id"))


def recent(central: Any, limit: int = 10) -> list[Any]:
    return list(central.q(PublishSchedule).exclude(state__in=("pending", "running"))
                .order_by("-due_at", "-id")[:limit])


@dataclass(frozen=True)
class Outcome:
    schedule_id: int
    state: str  # published, unchanged, failed
    version: int | None
    message: str


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def run_due(central: Any, now: datetime | None = None, worker: str | None = None
            ) -> list[Outcome]:
    """Publish every schedule that is due and still pending, each by exactly one process."""
    now = now or utcnow()
    worker = worker or worker_name()
    out: list[Outcome] = []
    q = central.q(PublishSchedule)
    for sid in list(q.filter(state="pending", due_at__lte=now).order_by("due_at", "id")
                    .values_list("id", flat=True)[:MAX_PENDING]):
        # The claim: only one process turns this row from pending to running.
        if not q.filter(id=sid, state="pending").update(state="running", claimed_at=utcnow(),
                                                        claimed_by=worker):
            continue
        out.append(_run_one(central, q.get(id=sid)))
    return out


def _run_one(central: Any, row: Any) -> Outcome:
    by = row.created_by
    target = f"schedule:{row.id}"
    try:
        p = kiosk.plan(central)
        if p.problems:
            raise CentralError("Not published: " + "; ".join(p.problems[:10]), status=422)
        if not p.changes and p.live_version is not None:
            state, version = "unchanged", p.live_version
            message = f"nothing had changed: kiosks keep version {version}"
        else:
            rel = kiosk.publish(central, by, None, p)
            state, version = "published", rel.version
            message = f"version {rel.version} published ({rel.records} records)"
    except Exception as e:  # noqa: BLE001 - stored on the row for staff to read
        msg = e.message if isinstance(e, CentralError) else f"{type(e).__name__}: {e}"
        central.q(PublishSchedule).filter(id=row.id).update(
            state="failed", result=msg[:2000], finished_at=utcnow())
        feedback.audit(central, by, SCHEDULE_FAILED, target, msg)
        log.warning("scheduled publish %s failed: %s", row.id, msg)
        return Outcome(row.id, "failed", None, msg)
    central.q(PublishSchedule).filter(id=row.id).update(
        state=state, version=version, result=message, finished_at=utcnow())
    feedback.audit(central, by, SCHEDULED_PUBLISH, f"version:{version}",
                   f"scheduled for {muscat(row.due_at)} Muscat: {message}")
    return Outcome(row.id, state, version, message)


@dataclass(frozen=True)
class RecordOutcome:
    record: str  # "<kind> <record id>"
    state: str  # "live" (went live) or "expired"


def run_due_records(now: datetime | None = None) -> list[RecordOutcome]:
    """Every record whose scheduled go-live or expiry time has come, each by one process."""
    from django.apps import apps
    from wagtail.models import DraftStateMixin, Revision

    now = now or utcnow()
    out: list[RecordOutcome] = []
    for model in apps.get_models():
        if not issubclass(model, DraftStateMixin):
            continue
        for obj in list(model.objects.filter(live=True, expire_at__lt=now)
                        .order_by("expire_at")[:MAX_PENDING]):
            if model.objects.filter(pk=obj.pk, live=True).update(live=False):  # the claim
                obj.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
                out.append(RecordOutcome(_record_name(obj), "expired"))
    for rev in list(Revision.objects.filter(approved_go_live_at__lt=now)
                    .order_by("approved_go_live_at")[:MAX_PENDING]):
        if not Revision.objects.filter(pk=rev.pk, approved_go_live_at__isnull=False).update(
                approved_go_live_at=None):
            continue  # another process took it
        rev.approved_go_live_at = None
        rev.publish(log_action="wagtail.publish.scheduled")
        out.append(RecordOutcome(_record_name(rev.as_object()), "live"))
    return out


def _record_name(obj: Any) -> str:
    return f"{getattr(obj, 'kind', type(obj).__name__.lower())} " \
           f"{getattr(obj, 'record_id', obj.pk)}"


class Scheduler:
    """``run_due`` and ``run_due_records`` every ``interval_s`` in a daemon thread of a serve
    process."""

    def __init__(self, central: Any, interval_s: float | None = None):
        self.central = central
        self.interval_s = interval_s if interval_s is not None else poll_interval()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="publish-scheduler",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        worker = worker_name()
        while not self._stop.wait(self.interval_s):
            try:
                db.fresh_connections()
                for r in run_due_records():
                    log.info("scheduled in the CMS: %s %s", r.record, r.state)
                for o in run_due(self.central, worker=worker):
                    log.info("scheduled publish %s: %s", o.schedule_id, o.message)
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("the publish scheduler's round failed")
            finally:
                db.fresh_connections()
        db.fresh_connections()


def poll_interval() -> float:
    raw = os.environ.get("CENTRAL_SCHEDULE_POLL_S", "")
    try:
        value = float(raw) if raw else DEFAULT_POLL_S
    except ValueError:
        value = DEFAULT_POLL_S
    return min(max(value, 0.1), 300.0)


def scheduler_enabled() -> bool:
    return os.environ.get("CENTRAL_SCHEDULER", "1") != "0"


# ---------------------------------------------------------------------------------------------
# Rollback


def rollback(central: Any, to_version: int, by: str) -> Any:
    """Publish version ``to_version``'s content again as the next version; the CMS's live
    snippets become that content too. Returns the new release."""
    from central import content
    from central.cms.importer import import_into_cms
    from central.cms.models import KINDS
    from kiosk import protocol

    kiosk._check_default_database(central)
    old = content.release_catalogue(central, to_version)
    newest = central.list_releases(limit=1)
    if newest and newest[0].version == to_version:
        raise CentralError(_("Version %(v)s is what kiosks have now: choose an earlier one.")
                           % {"v": to_version}, status=422)
    records = [(kind, rec) for kind in protocol.RECORD_KINDS
               for rec in old.records.get(kind, {}).values()]
    content.save_records(central, records, replace_all=True)
    rel = central.publish(published_by=by)
    # The CMS follows: its live snippets are the rolled-back content, so the publish page
    # shows nothing to publish and the next publish does not undo the rollback.
    import_into_cms(central)
    for kind in reversed(list(KINDS)):
        keep = set(old.records.get(kind, {}))
        for obj in KINDS[kind].objects.filter(live=True).exclude(record_id__in=keep):
            obj.unpublish(log_action=False)
    feedback.audit(central, by, ROLLBACK, f"version:{rel.version}",
                   f"version {rel.version} has the content of version {to_version}")
    return rel


# ---------------------------------------------------------------------------------------------
# The audit trail


_WAGTAIL_ACTIONS = ("wagtail.create", "wagtail.edit", "wagtail.publish", "wagtail.unpublish",
                    "wagtail.delete", "wagtail.revert", "wagtail.workflow.start",
                    "wagtail.workflow.approve", "wagtail.workflow.reject",
                    "wagtail.workflow.resume", "wagtail.workflow.cancel",
                    "wagtail.publish.schedule", "wagtail.publish.scheduled",
                    "wagtail.unpublish.scheduled", "wagtail.schedule.cancel")


def content_history(central: Any, limit: int = 300) -> list[dict]:
    """Newest first: central's content actions and Wagtail's log of the CMS's snippets (who
    changed, submitted, approved each), as ``{at, actor, action, target, detail}``."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    from central.cms.images import KioskImage
    from central.cms.models import KINDS

    out = [{"at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
            "detail": e.detail}
           for e in central.q(AuditEntry).filter(action__in=CONTENT_ACTIONS)
           .order_by("-at", "-id")[:limit]]
    types = {ContentType.objects.get_for_model(m).id: kind
             for kind, m in {**KINDS, "picture": KioskImage}.items()}
    for e in (ModelLogEntry.objects.filter(content_type_id__in=list(types),
                                           action__in=_WAGTAIL_ACTIONS)
              .select_related("user").order_by("-timestamp", "-id")[:limit]):
        out.append({"at": e.timestamp,
                    "actor": e.user.get_username() if e.user_id and e.user else "",
                    "action": e.action, "target": f"{types[e.content_type_id]}:{e.object_id}",
                    "detail": e.label})
    out.sort(key=lambda e: e["at"], reverse=True)
    return out[:limit]
