"""Central's service layer: everything the API, the CLI and the staff web admin do, as plain
methods on one ``Central`` object. Route functions and admin pages stay thin and call these."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from nacl.exceptions import CryptoError
from nacl.public import SealedBox

from central import content, db, device_config, reference, usage, vote_checks
from central.blobs import BlobStore
from central.cache import ServingCache, Snapshot
from central.changes import bump_stamp, stamp_path
from central.config import (
    DEFAULT_CODE_TTL,
    DEFAULT_COMMAND_TTL,
    MAX_COMMAND_TTL,
    Settings,
    ensure_home,
    load_settings,
)
from central.db import utcnow
from central.errors import CentralError, Conflict, Gone, NotFound, Unauthorized
from central.keys import load_site_keys
from central.orm import AuditEntry, Device, DeviceCommand, EnrollmentCode, Submission
from kiosk import protocol

log = logging.getLogger("central.service")

STAFF_ROLES = ("editor", "publisher", "analyst", "admin")  # central.staff.CAN
# Letters and digits that survive being read aloud or copied from a screen (no 0/O, 1/I/L).
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_KNOWN_FIELDS = ("id", "fingerprint", "receipt", "received_at", "reference", "device_id")
# The audit action that marks an item whose reference a kiosk also gave another visitor.
REFERENCE_CLASH = "reference_clash"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normalise_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


_OPEN_STATES = ("queued", "delivered")
TECHNICIAN_KEPT = 30  # technician mode events kept per kiosk, for its page
_EXPIRED_RESULT = "not delivered in time: no heartbeat from the kiosk took it before it expired"


def _command_state(c: Any, now: datetime) -> str:
    """A command's state; rows from before states had only their times."""
    state = c.state or ("done" if c.done_at else "delivered" if c.delivered_at else "queued")
    if state == "queued" and c.expires_at is not None and c.expires_at <= now:
        return "expired"
    return state


@dataclass(frozen=True)
class EnrollmentCodeInfo:
    code: str
    location: str | None
    expires_at: datetime


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    name: str | None
    location: str | None
    enrolled_at: datetime
    revoked: bool
    last_seen_at: datetime | None
    app_version: str | None
    content_version: int | None
    content_source: str | None
    stale: bool | None
    last_sync_at: datetime | None
    outbox_pending: int | None
    outbox_dead: int | None
    outbox_oldest_age_s: int | None
    problems: list
    config: dict
    pending_commands: list[dict]
    config_version: int | None = None
    config_applied_version: int | None = None
    config_state: str = "waiting"  # "applied" once the kiosk reports this version
    technician_events: list = field(default_factory=list)  # newest last
    technician_active: bool | None = None


@dataclass(frozen=True)
class _StoredSubmission:
    """What a replay needs of a row stored earlier in the same batch."""

    id: str
    fingerprint: str
    receipt: str
    received_at: datetime
    reference: str
    device_id: str  # the kiosk that sent it: a receipt goes back to that kiosk only


@dataclass(frozen=True)
class PollOptionResult:
    id: str
    label: dict
    votes: int


@dataclass(frozen=True)
class PollResults:
    poll_id: str
    question: dict
    options: list[PollOptionResult]
    total_votes: int
    other_votes: int  # votes for options the poll no longer has


class Central:
    """One central site: its settings, database, blob store and keys."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        ensure_home(self.settings)
        # The connection alias of this site's database (central.db): every query goes
        # through self.q(Model), every read-then-write through `with self.write():`.
        self.db = db.alias_for(self.settings.db_url)
        db.ensure_migrated(self.db, self.settings.db_url)
        self.blobs = BlobStore(self.settings.blob_dir)
        self.keys = load_site_keys(self.settings.key_dir)
        self.cache = ServingCache(self)
        # What every heartbeat reads and staff seldom change, read once a second for them all.
        stamp = stamp_path(self.settings)
        self.stored_config = Snapshot(lambda: device_config.all_stored(self.db), stamp)
        self.commands_waiting = Snapshot(self._devices_with_open_commands, stamp)

    def close(self) -> None:
        self.cache.close()
        db.close(self.db)

    def q(self, model: Any) -> Any:
        """``model``'s rows in this site's database."""
        return model.objects.using(self.db)

    def write(self, durable: bool = True) -> Any:
        """A read-then-write transaction (see db.write: serialised on SQLite; ``durable=False``
        for what the client sends again anyway)."""
        return db.write(self.db, durable)

    # -----------------------------------------------------------------------------------------
    # Content (see central.content)

    def import_catalogue_dir(self, path: Path | str | None = None,
                             replace_all: bool = False) -> content.ImportReport:
        return content.import_catalogue_dir(self, path, replace_all=replace_all)

    def save_records(self, records: list[tuple[str, dict]]) -> int:
        return content.save_records(self, records)

    def replace_records(self, kinds: list[str], records: list[tuple[str, dict]]) -> int:
        """The drafts of ``kinds`` become exactly ``records`` (the CMS's publish)."""
        return content.save_records(self, records, replace_kinds=kinds)

    def save_record(self, kind: str, data: dict) -> None:
        content.save_records(self, [(kind, data)])

    def delete_record(self, kind: str, record_id: str) -> None:
        content.delete_record(self, kind, record_id)

    def list_records(self, kind: str | None = None) -> list[dict]:
        return content.list_records(self, kind)

    def get_record(self, kind: str, record_id: str) -> dict | None:
        return content.get_record(self, kind, record_id)

    def save_media(self, data: bytes, media_type: str) -> str:
        return content.save_media(self, data, media_type)

    def seed(self, products: int) -> int:
        return content.seed_products(self, products)

    def publish(self, ttl: timedelta | None = None, backdate: timedelta | None = None,
                published_by: str | None = None,
                only_if_changed: bool = False) -> content.ReleaseInfo:
        return content.publish(self, ttl=ttl, backdate=backdate, published_by=published_by,
                               only_if_changed=only_if_changed)

    def list_releases(self, limit: int = 50) -> list[content.ReleaseInfo]:
        return content.list_releases(self, limit)

    def current_manifest(self) -> content.SignedManifest | None:
        return content.current_manifest(self)

    def serving_manifest(self) -> content.SignedManifest | None:
        """The manifest kiosks are served: ``current_manifest`` through the in-memory cache
        (central.cache says how fresh it is kept)."""
        self.cache.ensure_fresh()
        return self.cache.manifest()

    def find_blob(self, sha256: str) -> content.StoredBlob | None:
        return content.find_blob(self, sha256)

    def published_records(self, hashes: list[str]) -> dict[str, dict]:
        return content.published_records(self, hashes)

    def published_catalogue(self) -> content.PublishedCatalogue | None:
        return content.published_catalogue(self)

    # -----------------------------------------------------------------------------------------
    # Enrolment and the fleet

    def create_enrollment_code(self, location: str | None = None,
                               ttl: timedelta = DEFAULT_CODE_TTL,
                               now: datetime | None = None) -> EnrollmentCodeInfo:
        """A one-time code for ``kiosk provision``; stored only as a hash. ``now`` lets a test
        make a code as if it had been issued earlier."""
        if ttl.total_seconds() <= 0:
            raise CentralError("an enrolment code must be valid for some time; use --ttl-hours > 0")
        if location is not None and len(location) > 200:
            raise CentralError("the location is over 200 characters; shorten it")
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        now = now or utcnow()
        with self.write():
            self.q(EnrollmentCode).create(code_hash=_sha(_normalise_code(code)),
                                          location=location, created_at=now,
                                          expires_at=now + ttl)
        return EnrollmentCodeInfo(code, location, now + ttl)

    def enroll(self, req: protocol.EnrollRequest) -> protocol.EnrollResponse:
        code_hash = _sha(_normalise_code(req.code))
        now = utcnow()
        device_id = "kiosk-" + uuid.uuid4().hex[:12]
        token = secrets.token_urlsafe(32)
        with self.write():
            row = self.q(EnrollmentCode).filter(code_hash=code_hash).first()
            if row is None:
                raise CentralError("this enrolment code is not known; check it, or ask staff "
                                   "for a new one", status=403)
            if row.used_at is not None:
                raise Gone("this enrolment code has already been used; ask staff for a new one")
            if row.expires_at <= now:
                raise Gone("this enrolment code has expired; ask staff for a new one")
            # The conditional UPDATE makes the code single-use even under concurrent attempts.
            claimed = self.q(EnrollmentCode).filter(
                code_hash=code_hash, used_at__isnull=True).update(used_at=now,
                                                                  device_id=device_id)
            if claimed != 1:
                raise Gone("this enrolment code has already been used; ask staff for a new one")
            dev = Device(id=device_id, token_hash=_sha(token), name=req.name,
                         location=req.location or row.location, enrolled_at=now,
                         problems=[], app_version=req.app_version)
            config = device_config.refresh_version(self.db, dev).wire()
            dev.save(using=self.db, force_insert=True)
        return protocol.EnrollResponse(
            device_id=device_id,
            device_token=token,
            content_public_key=self.keys.content_public_key,
            content_key_id=self.keys.content_key_id,
            submission_public_key=self.keys.submission_public_key,
            config=config,
        )

    def authenticate_device(self, token: str | None) -> str:
        """The device id for a bearer token; Unauthorized when missing, unknown or revoked."""
        if not token:
            raise Unauthorized("this call needs a device token: 'Authorization: Bearer <token>'")
        if len(token) > 200:
            raise Unauthorized("the device token is not valid")
        token_hash = _sha(token)
        self.cache.ensure_fresh()
        known = self.cache.device_for(token_hash)
        if known is not None:
            return known
        generation = self.cache.generation
        dev = self.q(Device).filter(token_hash=token_hash).only("id", "revoked_at").first()
        if dev is None:
            raise Unauthorized("the device token is not valid; provision the kiosk again")
        if dev.revoked_at is not None:
            raise Unauthorized("this kiosk has been revoked by staff; provision it again")
        self.cache.remember(token_hash, dev.id, generation)
        return dev.id

    def _device_info(self, d: Device) -> DeviceInfo:
        now = utcnow()
        cmds = [c for c in self.q(DeviceCommand).filter(device_id=d.id, done_at__isnull=True)
                .order_by("queued_at") if _command_state(c, now) in _OPEN_STATES]
        return DeviceInfo(
            id=d.id, name=d.name, location=d.location, enrolled_at=d.enrolled_at,
            revoked=d.revoked_at is not None, last_seen_at=d.last_seen_at,
            app_version=d.app_version, content_version=d.content_version,
            content_source=d.content_source, stale=d.stale, last_sync_at=d.last_sync_at,
            outbox_pending=d.outbox_pending, outbox_dead=d.outbox_dead,
            outbox_oldest_age_s=d.outbox_oldest_age_s, problems=list(d.problems or []),
            config=device_config.for_device(self.db, d).wire(),
            config_version=d.config_version, config_applied_version=d.config_applied_version,
            config_state=device_config.config_state(d),
            technician_events=list(d.technician_events or []),
            technician_active=d.technician_active,
            pending_commands=[
                {"id": c.id, "name": c.name, "state": _command_state(c, now),
                 "queued_at": c.queued_at, "delivered_at": c.delivered_at} for c in cmds
            ],
        )

    def list_devices(self) -> list[DeviceInfo]:
        return [self._device_info(d) for d in self.q(Device).order_by("enrolled_at")]

    def get_device(self, device_id: str) -> DeviceInfo:
        d = self.q(Device).filter(id=device_id).first()
        if d is None:
            raise NotFound(f"there is no kiosk {device_id!r}")
        return self._device_info(d)

    def revoke_device(self, device_id: str) -> None:
        with self.write():
            if not self.q(Device).filter(id=device_id).exists():
                raise NotFound(f"there is no kiosk {device_id!r}")
            self.q(Device).filter(id=device_id, revoked_at__isnull=True).update(
                revoked_at=utcnow())
        self.cache.forget_device(device_id)
        bump_stamp(self.settings)  # other central processes on this host drop it too

    def set_device_config(self, device_id: str, overrides: dict[str, Any]) -> dict:
        """Per-kiosk settings (see set_config); returns the kiosk's effective config."""
        self.set_config(overrides, device_id=device_id)
        return self.get_device(device_id).config

    def set_config(self, values: dict[str, Any], *, device_id: str | None = None,
                   location: str | None = None, by: str | None = None) -> dict[str, Any]:
        """Store device config values for the fleet (neither given), a location or a kiosk;
        every value checked against protocol.DeviceConfig first, none stored if one is bad."""
        return device_config.set_values(self, values, device_id=device_id, location=location,
                                        by=by)

    def unset_config(self, keys: list[str], *, device_id: str | None = None,
                     location: str | None = None) -> list[str]:
        """Remove values from one scope; returns those that were set there."""
        return device_config.unset_values(self, keys, device_id=device_id, location=location)

    def show_config(self, device_id: str | None = None) -> dict[str, Any]:
        return device_config.show(self, device_id)

    def queue_command(self, device_id: str, name: str, queued_by: str | None = None,
                      ttl: timedelta = DEFAULT_COMMAND_TTL) -> str:
        """Queue an allow-listed command for the kiosk's next heartbeat; it expires if no
        heartbeat takes it within ``ttl``."""
        if name not in protocol.DEVICE_COMMANDS:
            raise CentralError(f"{name!r} is not a kiosk command; allowed: "
                               f"{', '.join(protocol.DEVICE_COMMANDS)}")
        if not timedelta(0) < ttl <= MAX_COMMAND_TTL:
            raise CentralError("a command must wait for its kiosk more than 0 minutes and at "
                               f"most {MAX_COMMAND_TTL.days} days; check the time given")
        cmd_id = uuid.uuid4().hex
        now = utcnow()
        with self.write():
            d = self.q(Device).filter(id=device_id).only("id", "revoked_at").first()
            if d is None:
                raise NotFound(f"there is no kiosk {device_id!r}")
            if d.revoked_at is not None:
                raise Conflict(f"kiosk {device_id} is revoked; it will not pick up commands")
            self.q(DeviceCommand).create(id=cmd_id, device_id=device_id, name=name,
                                         state="queued", queued_at=now, queued_by=queued_by,
                                         expires_at=now + ttl)
        bump_stamp(self.settings)  # this host's servers send it with the kiosk's next heartbeat
        return cmd_id

    def list_commands(self, device_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """A kiosk's commands, newest first, each with its state and result."""
        now = utcnow()
        if not self.q(Device).filter(id=device_id).exists():
            raise NotFound(f"there is no kiosk {device_id!r}; 'kiosk-central devices' "
                           "lists them")
        rows = self.q(DeviceCommand).filter(device_id=device_id).order_by("-queued_at")[:limit]
        return [{"id": c.id, "name": c.name, "state": _command_state(c, now),
                     "result": c.result if c.result is not None else _EXPIRED_RESULT
                     if _command_state(c, now) == "expired" else None,
                     "queued_at": c.queued_at, "queued_by": c.queued_by,
                     "expires_at": c.expires_at, "delivered_at": c.delivered_at,
                     "finished_at": c.done_at} for c in rows]

    def heartbeat(self, device_id: str, hb: protocol.Heartbeat) -> protocol.HeartbeatReply:
        now = utcnow()
        # A heartbeat that only says how the kiosk is does not wait for the disk: the next one
        # says it again a minute later (db.write). One that ends commands, reports technician
        # visits or hands over usage counts does, as the kiosk forgets those once answered.
        durable = bool(hb.command_results or hb.done_commands or hb.technician or hb.usage)
        with self.write(durable):
            # Locked (on PostgreSQL) until the commit: two heartbeats of one kiosk, or one
            # racing a config change, must not both number the same config version.
            d = self.q(Device).select_for_update().filter(id=device_id).first()
            if d is None:
                raise Unauthorized("this kiosk is not enrolled; provision it again")
            d.last_seen_at = now
            d.app_version = hb.app_version
            d.content_version = hb.content_version
            d.content_source = hb.content_source
            d.stale = hb.stale
            d.last_sync_at = hb.last_sync_at
            d.outbox_pending = hb.outbox_pending
            d.outbox_dead = hb.outbox_dead
            d.outbox_oldest_age_s = hb.outbox_oldest_age_s
            d.uptime_s = hb.uptime_s
            d.problems = [p if isinstance(p, str) else p.model_dump(mode="json")
                          for p in hb.problems]
            if hb.config_version is not None:
                d.config_applied_version = hb.config_version
            if hb.technician:
                d.technician_events = (list(d.technician_events or []) + [
                    e.model_dump(mode="json") for e in hb.technician])[-TECHNICIAN_KEPT:]
            if hb.technician_active is not None:
                d.technician_active = hb.technician_active
            self._record_command_results(device_id, hb, now)
            if hb.usage:
                usage.store(d, hb.usage, now)
            pending = []
            # The copy may be a second old: a command queued meanwhile on another host goes
            # out with the next heartbeat (one queued on this one moves the change stamp).
            waiting = self.q(DeviceCommand).none()
            if device_id in self.commands_waiting.get():
                waiting = self.q(DeviceCommand).filter(
                    device_id=device_id, done_at__isnull=True,
                    name__in=protocol.DEVICE_COMMANDS).order_by("queued_at")
            for c in waiting:
                state = _command_state(c, now)
                if state == "expired":
                    c.state, c.result = "expired", _EXPIRED_RESULT
                    c.save(update_fields=["state", "result"])
                elif state in _OPEN_STATES:
                    if c.state != "delivered" or c.delivered_at is None:
                        c.state = "delivered"
                        c.delivered_at = c.delivered_at or now
                        c.save(update_fields=["state", "delivered_at"])
                    pending.append(c)
            # Commands are re-sent until the kiosk reports how they ended: a lost reply must not
            # lose a command (the kiosk carries out each id once).
            commands = tuple(protocol.DeviceCommand(id=c.id, name=c.name) for c in pending)
            config = device_config.refresh_version(self.db, d, self.stored_config.get())
            d.save()
            # Only a kiosk that reports config versions is told them: an older kiosk's strict
            # reading of the reply would refuse the field.
            version = d.config_version if hb.config_version is not None else None
            return protocol.HeartbeatReply(config=config.wire(), config_version=version,
                                           commands=commands)

    def _devices_with_open_commands(self) -> frozenset[str]:
        """Kiosks with a command not yet ended (queued or delivered; expired or done ones are
        not waiting), for Snapshot."""
        rows = self.q(DeviceCommand).filter(done_at__isnull=True).filter(
            Q(state__isnull=True) | Q(state__in=_OPEN_STATES)).values_list("device_id",
                                                                           flat=True)
        return frozenset(rows)

    def _record_command_results(self, device_id: str, hb: protocol.Heartbeat,
                                now: datetime) -> None:
        results = {r.id: r for r in hb.command_results}
        ids = set(results) | set(hb.done_commands)
        if not ids:
            return
        for c in self.q(DeviceCommand).filter(device_id=device_id, id__in=sorted(ids),
                                              done_at__isnull=True):
            r = results.get(c.id)
            c.done_at = now
            if r is None:  # an older kiosk: it took the command, and said no more
                c.state, c.result = "done", None
            else:
                c.state, c.result = ("done" if r.ok else "failed"), r.result
            c.save(update_fields=["done_at", "state", "result"])

    # -----------------------------------------------------------------------------------------
    # Submissions

    def accept_submissions(self, device_id: str,
                           items: list[Any]) -> list[protocol.SubmissionResult]:
        """Store each item on its own: one bad item never costs the others. The whole batch is
        one transaction with a savepoint per item, so it costs one durable commit (one fsync on
        SQLite) instead of one per item; no receipt is returned before that commit."""
        results: list[protocol.SubmissionResult | None] = [None] * len(items)
        valid: list[tuple[int, protocol.Submission, str]] = []
        forms: vote_checks.PublishedForms | None = None
        now = utcnow()
        for i, item in enumerate(items):
            checked = self._check_item(item)
            if isinstance(checked, protocol.SubmissionResult):
                results[i] = checked
                continue
            sub = checked[0]
            if sub.type in ("poll_vote", "survey"):
                # Against what kiosks can show: the poll or survey, its options, its dates.
                forms = forms or vote_checks.PublishedForms(self)
                why = vote_checks.refusal(forms, sub, now)
                if why is not None:
                    results[i] = protocol.SubmissionResult(id=sub.id, status="invalid",
                                                           code=422, error=why)
                    continue
            valid.append((i, *checked))
        if valid:
            for i, result in self._store_items(device_id, valid).items():
                results[i] = result
        return results  # type: ignore[return-value]  # every slot is filled

    @staticmethod
    def _check_item(item: Any) -> protocol.SubmissionResult | tuple[protocol.Submission, str]:
        raw_id = item.get("id") if isinstance(item, dict) else None
        shown_id = raw_id[:64] if isinstance(raw_id, str) else ""
        try:
            sub = protocol.parse_submission(item)
            return sub, protocol.submission_fingerprint(sub)
        except UnicodeError:
            return protocol.SubmissionResult(
                id=shown_id, status="invalid", code=422,
                error="the submission contains text that is not valid Unicode")
        except (protocol.ProtocolError, ValueError, TypeError) as e:
            return protocol.SubmissionResult(id=shown_id, status="invalid", code=422,
                                             error=str(e)[:2000])

    def _store_items(self, device_id: str, valid: list[tuple[int, protocol.Submission, str]]
                     ) -> dict[int, protocol.SubmissionResult]:
        now = utcnow()
        with self.write():
            seen: dict[str, Any] = {r.id: r for r in self._known(
                sorted({sub.id for _, sub, _ in valid}))}
            first: dict[str, int] = {}  # new id -> the item that stores it
            rows = []
            # In id order: two batches that share ids (a kiosk's retry racing its first try)
            # then wait for each other's rows in the same order; PostgreSQL would otherwise
            # deadlock them. The sort is stable, so repeats in one batch keep their order.
            for i, sub, fp in sorted(valid, key=lambda v: v[1].id):
                if sub.id not in seen and sub.id not in first:
                    first[sub.id] = i
                    rows.append(self._submission_row(device_id, sub, fp, now))
            kiosk_made = {sub.id: sub.reference for _i, sub, _fp in valid if sub.reference}
            # Votes over the kiosk's rate limit are stored held (the kiosk's row locked first,
            # so its batches take turns on PostgreSQL too).
            vote_checks.hold_over_limit(self, device_id, rows, now)
            stored = self._insert_submissions(rows, seen, now, kiosk_made)
            for row in stored.values():
                seen[row["id"]] = _StoredSubmission(row["id"], row["fingerprint"],
                                                    row["receipt"], now, row["reference"],
                                                    row["device_id"])
        # Committed: only now may a receipt leave.
        out: dict[int, protocol.SubmissionResult] = {}
        for i, sub, fp in valid:
            if sub.id in stored and first[sub.id] == i:
                out[i] = protocol.SubmissionResult(
                    id=sub.id, status="stored", code=200,
                    receipt=protocol.SubmissionReceipt(
                        id=sub.id, receipt=stored[sub.id]["receipt"], received_at=now,
                        reference=reference.shown(stored[sub.id]["reference"])))
            else:
                out[i] = self._replay_result(seen[sub.id], fp, device_id)
        return out

    def _submission_row(self, device_id: str, sub: protocol.Submission, fp: str,
                        now: datetime) -> dict[str, Any]:
        vote = sub.type == "poll_vote"
        return {"id": sub.id, "fingerprint": fp, "receipt": self._new_receipt(now),
                # The kiosk's own reference when it made one (the visitor saw it on the thanks
                # screen, maybe offline); a clash with a stored one draws a new one below.
                "reference": sub.reference or reference.new_reference(),
                "type": sub.type, "device_id": device_id, "created_at": sub.created_at,
                "received_at": now, "lang": sub.lang, "content_version": sub.content_version,
                "payload": sub.payload, "sealed_contact": sub.sealed_contact, "test": sub.test,
                "poll_id": sub.payload.get("poll_id") if vote else None,
                "option_id": sub.payload.get("option_id") if vote else None,
                "held": False, "held_reason": None}

    def _known(self, ids: list[str]) -> list[_StoredSubmission]:
        return [_StoredSubmission(*row) for row in
                self.q(Submission).filter(id__in=ids).values_list(*_KNOWN_FIELDS)]

    def _insert_submissions(self, rows: list[dict[str, Any]], seen: dict[str, Any],
                            now: datetime, kiosk_made: dict[str, str] | None = None
                            ) -> dict[str, dict[str, Any]]:
        """Insert ``rows``; the ones stored, by id. An id someone else stored first goes into
        ``seen`` instead. All at once when nothing clashes (the usual case); otherwise item by
        item, each in its own savepoint, so one clash costs no other item. ``kiosk_made``: the
        references kiosks made, by item id (their visitors have already seen them)."""
        if not rows:
            return {}
        try:
            with transaction.atomic(using=self.db):  # a savepoint
                self.q(Submission).bulk_create([Submission(**r) for r in rows])
            return {r["id"]: r for r in rows}
        except IntegrityError:
            pass
        stored = {}
        for row in rows:
            for _attempt in range(3):
                try:
                    with transaction.atomic(using=self.db):  # a savepoint
                        self.q(Submission).create(**row)
                except IntegrityError:
                    # Another batch stored this id first (PostgreSQL lets it commit while we
                    # run), or the random receipt or reference clashed: look again, else a
                    # new receipt and reference.
                    prior = self._known([row["id"]])
                    if prior:
                        seen[row["id"]] = prior[0]
                        break
                    taken = (self.q(Submission).filter(reference=row["reference"])
                             .values_list("id", flat=True).first())
                    if taken is not None:
                        # By chance (N in 10^11 with N items stored) or a kiosk reusing one:
                        # the first item keeps it, a reference never moves to another item,
                        # and the receipt carries the new one.
                        log.warning("submission %s: its reference was taken; central gave "
                                    "it another", row["id"])
                        if row["reference"] == (kiosk_made or {}).get(row["id"]):
                            # This visitor was shown that reference on the kiosk and must not
                            # read the other item's reply with it: neither item can be
                            # followed up by it any more (central.followup); staff see why
                            # in the first item's history.
                            self.q(AuditEntry).create(
                                at=now, actor="central", action=REFERENCE_CLASH,
                                target=f"submission:{taken}",
                                detail=f"a kiosk gave submission {row['id']} this item's "
                                       "reference too; it can no longer be followed up by it")
                    row = {**row, "receipt": self._new_receipt(now),
                           "reference": reference.new_reference()}
                    continue
                stored[row["id"]] = row
                break
            else:
                raise CentralError("could not store the submission; try again", status=503)
        return stored

    @staticmethod
    def _replay_result(row: _StoredSubmission, fingerprint: str,
                       device_id: str) -> protocol.SubmissionResult:
        if row.device_id != device_id:
            # Another kiosk's item: its receipt and reference are not this kiosk's to learn,
            # and the item is not counted again.
            return protocol.SubmissionResult(
                id=row.id, status="conflict", code=409,
                error="a submission with this id was already received from another kiosk; "
                      "a new submission needs a new id")
        if row.fingerprint != fingerprint:
            return protocol.SubmissionResult(
                id=row.id, status="conflict", code=409,
                error="a different submission with this id was already received; "
                      "a new submission needs a new id",
            )
        return protocol.SubmissionResult(
            id=row.id, status="duplicate", code=200,
            receipt=protocol.SubmissionReceipt(id=row.id, receipt=row.receipt,
                                               received_at=row.received_at,
                                               reference=reference.shown(row.reference)),
        )

    @staticmethod
    def _new_receipt(now: datetime) -> str:
        tail = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        return f"MIO-{now:%y%m%d}-{tail}"

    @functools.cached_property
    def follow_up_limits(self) -> Any:
        from central.followup import Limits

        return Limits()

    def follow_up(self, text: str, *, address: str | None = None,
                  device_id: str | None = None) -> protocol.FollowUpAnswer:
        """A visitor's look-up of their reference: the item's state and reply only, rate
        limited per client address or per kiosk (central.followup)."""
        from central.followup import follow_up

        return follow_up(self, text, address=address, device_id=device_id)

    def open_contact(self, sealed: str | None) -> dict | None:
        """Open a sealed contact with the site's private key. Staff only."""
        if not sealed:
            return None
        try:
            plain = SealedBox(self.keys.submission).decrypt(protocol.unb64(sealed))
            value = json.loads(plain)
            return value if isinstance(value, dict) else {"value": value}
        except (CryptoError, ValueError, protocol.ProtocolError):
            return {"error": "the contact details could not be opened with this site's key"}

    def list_submissions(self, *, type: str | None = None, include_test: bool = True,
                         open_contacts: bool = False, limit: int | None = None,
                         offset: int = 0) -> list[dict]:
        """Submissions as staff see them, newest first. ``open_contacts`` decrypts contact
        details; only staff entitled to read them should ask for it."""
        q = self.q(Submission).order_by("-received_at", "id")
        if type:
            q = q.filter(type=type)
        if not include_test:
            q = q.filter(test=False)
        rows = list(q[offset:offset + limit] if limit is not None else q[offset:])
        names = dict(self.q(Device).values_list("id", "name"))
        out = []
        for r in rows:
            item = {
                "reference": reference.shown(r.reference), "status": r.status,
                "receipt": r.receipt, "id": r.id, "type": r.type, "test": r.test,
                "device_id": r.device_id, "device_name": names.get(r.device_id),
                "created_at": protocol.iso(r.created_at),
                "received_at": protocol.iso(r.received_at), "lang": r.lang,
                "content_version": r.content_version, "payload": r.payload,
                "has_contact": r.sealed_contact is not None, "hidden": r.hidden,
                "held": r.held, "held_reason": r.held_reason,
                "assigned_to": r.assigned_to,
            }
            if open_contacts:
                item["contact"] = self.open_contact(r.sealed_contact)
            out.append(item)
        return out

    def count_submissions(self, include_test: bool = True) -> dict[str, int]:
        q = self.q(Submission)
        if not include_test:
            q = q.filter(test=False)
        return {r["type"]: r["n"] for r in q.values("type").annotate(n=Count("id"))
                .order_by("type")}

    def poll_results(self, poll_id: str, published_only: bool = False) -> PollResults:
        """Vote counts for a poll, labelled from the published poll (or, for staff, the draft
        when it was never published). ``published_only`` keeps drafts private."""
        poll = None
        pub = self.published_catalogue()
        if pub is not None:
            poll = pub.records.get("poll", {}).get(poll_id)
        if poll is None and not published_only:
            poll = self.get_record("poll", poll_id)
        if poll is None:
            raise NotFound(f"there is no poll {poll_id!r}")
        counts = {r["option_id"]: r["n"] for r in
                  self.q(Submission).filter(poll_id=poll_id, test=False, hidden=False,
                                            held=False)
                  .values("option_id").annotate(n=Count("id")).order_by("option_id")}
        options = [PollOptionResult(o["id"], dict(o["label"]), int(counts.pop(o["id"], 0)))
                   for o in poll["options"]]
        other = int(sum(counts.values()))
        return PollResults(poll_id, dict(poll["question"]), options,
                           sum(o.votes for o in options), other)

    # -----------------------------------------------------------------------------------------
    # Staff accounts

    def create_staff(self, username: str, password: str, role: str) -> None:
        """A staff account in Django's auth (central.staff signs people in with it): the
        password argon2-hashed, the role a group."""
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group, User

        if role not in STAFF_ROLES:
            raise CentralError(f"role must be one of {', '.join(STAFF_ROLES)}")
        if not username or len(username) > 64 or not username.replace("_", "").replace(
                ".", "").replace("-", "").isalnum():
            raise CentralError("a user name is 1-64 letters, digits, '.', '-' or '_'")
        if len(password) < 10:
            raise CentralError("the password needs at least 10 characters")
        if len(password) > 1024:
            raise CentralError("the password is over 1024 characters")
        hashed = make_password(password)
        try:
            with self.write():
                users = User.objects.db_manager(self.db)
                if users.filter(username=username).exists():
                    raise Conflict(f"a staff account {username!r} already exists")
                user = users.create(username=username, password=hashed, is_active=True,
                                    date_joined=utcnow())
                group, _ = Group.objects.db_manager(self.db).get_or_create(name=role)
                user.groups.add(group)
        except IntegrityError:
            raise Conflict(f"a staff account {username!r} already exists") from None

    def list_staff(self) -> list[dict]:
        from django.contrib.auth.models import User

        out = []
        for u in User.objects.using(self.db).prefetch_related("groups").order_by("username"):
            role = next((g.name for g in u.groups.all() if g.name in STAFF_ROLES), None)
            out.append({"username": u.username, "role": role, "created_at": u.date_joined,
                        "disabled": not u.is_active})
        return out


def as_dict(obj: Any) -> dict:
    return asdict(obj)
