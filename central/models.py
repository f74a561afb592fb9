"""Central's database as Django models. Portable types only, so the same models run on SQLite
(the default, development, tests) and PostgreSQL (production). Table and column names are those
central used before it moved to Django, so a database made by an older central is taken over
by the first migration (``migrate --fake-initial``, which central.db runs) instead of recreated.

Times are stored in UTC and come back UTC-aware (USE_TZ)."""

from __future__ import annotations

from typing import Any

from django.db import models


class JSONField(models.JSONField):
    """Django's JSONField, also reading values the database already decoded: a column an older
    central declared as JSON has numeric affinity on SQLite (120 comes back as an integer),
    and PostgreSQL's driver decodes its ``json`` columns itself."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is not None and not isinstance(value, (str, bytes, bytearray)):
            return value
        return super().from_db_value(value, expression, connection)


class Record(models.Model):
    """One draft content record; validated with protocol.parse_record before it is written."""

    pk = models.CompositePrimaryKey("kind", "record_id")
    kind = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64)
    data = JSONField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "record"


class Blob(models.Model):
    """A media file; its bytes live on disk under blobs/ab/<sha256>."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.IntegerField()
    media_type = models.CharField(max_length=40)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "blob"


class Piece(models.Model):
    """A published record body or index, by hash. Kept in the DB rather than as files because
    a catalogue has tens of thousands of them and kiosks fetch them in batches."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    kind = models.CharField(max_length=32)  # a record kind, "index" or "delta"
    body = models.BinaryField()

    class Meta:
        db_table = "piece"


class Release(models.Model):
    version = models.BigIntegerField(primary_key=True)
    manifest = models.BinaryField()
    etag = models.CharField(max_length=64)
    index_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    lifetime_s = models.BigIntegerField()
    published_by = models.CharField(max_length=100, null=True)
    record_count = models.IntegerField()

    class Meta:
        db_table = "release"


class EnrollmentCode(models.Model):
    code_hash = models.CharField(max_length=64, primary_key=True)
    location = models.CharField(max_length=200, null=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True)
    device_id = models.CharField(max_length=64, null=True)

    class Meta:
        db_table = "enrollment_code"


class Device(models.Model):
    id = models.CharField(max_length=64, primary_key=True)
    token_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, null=True)
    location = models.CharField(max_length=200, null=True)
    enrolled_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True)
    # The device config's version for this kiosk: grows by one whenever its effective config
    # changes (central.device_config); the fingerprint tells whether it did.
    config_version = models.BigIntegerField(null=True)
    config_fingerprint = models.CharField(max_length=64, null=True)
    # The version the kiosk last reported as applied in its heartbeat.
    config_applied_version = models.BigIntegerField(null=True)
    # Latest heartbeat, as the device reported it.
    last_seen_at = models.DateTimeField(null=True)
    app_version = models.CharField(max_length=40, null=True)
    content_version = models.BigIntegerField(null=True)
    content_source = models.CharField(max_length=16, null=True)
    stale = models.BooleanField(null=True)
    last_sync_at = models.DateTimeField(null=True)
    outbox_pending = models.BigIntegerField(null=True)
    outbox_dead = models.BigIntegerField(null=True)
    outbox_oldest_age_s = models.BigIntegerField(null=True)
    uptime_s = models.BigIntegerField(null=True)
    problems = JSONField(default=list)
    # The technician mode: its last events at the kiosk's door (newest last) and whether it is
    # open, as the kiosk's heartbeats reported them.
    technician_events = JSONField(null=True)
    technician_active = models.BooleanField(null=True)

    class Meta:
        db_table = "device"


class ConfigSetting(models.Model):
    """One device config value staff set: for the whole fleet (target ""), for every kiosk at a
    location (target: the location), or for one kiosk (target: its id). Values are stored as
    they travel, checked with protocol.check_config_values first."""

    pk = models.CompositePrimaryKey("scope", "target", "key")
    scope = models.CharField(max_length=16)  # fleet|location|device
    target = models.CharField(max_length=200)
    key = models.CharField(max_length=64)
    value = JSONField(null=True)
    updated_at = models.DateTimeField()
    updated_by = models.CharField(max_length=100, null=True)

    class Meta:
        db_table = "config_setting"


class DeviceCommand(models.Model):
    id = models.CharField(max_length=64, primary_key=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, db_column="device_id",
                               related_name="commands")
    name = models.CharField(max_length=32)
    queued_at = models.DateTimeField()
    queued_by = models.CharField(max_length=100, null=True)
    delivered_at = models.DateTimeField(null=True)
    done_at = models.DateTimeField(null=True)  # finished
    # protocol.COMMAND_STATES; rows from before states have none (read from the times).
    state = models.CharField(max_length=16, null=True)
    result = models.TextField(null=True)
    expires_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "device_command"


class UsageCount(models.Model):
    """A kiosk's anonymous use count for one of its days (kiosk/usage.py): how many visits,
    screens opened, searches that found nothing, languages and settings used. A heartbeat
    carries each day's totals so far, which replace the day's rows."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, db_column="device_id",
                               related_name="usage")
    day = models.DateField()  # the kiosk's local day (Asia/Muscat)
    key = models.CharField(max_length=60)
    count = models.BigIntegerField()

    class Meta:
        db_table = "usage_count"
        constraints = [models.UniqueConstraint(fields=["device", "day", "key"],
                                               name="usage_count_one_per_key")]
        indexes = [models.Index(fields=["day"], name="usage_count_day")]


class Submission(models.Model):
    """A visitor's submission. ``id`` is the kiosk's UUID: unique forever, so retries are
    idempotent; ``fingerprint`` tells a true retry from a different body reusing an id."""

    id = models.CharField(max_length=36, primary_key=True)
    fingerprint = models.CharField(max_length=64)
    receipt = models.CharField(max_length=32, unique=True)
    # What staff and the visitor read out: 12 digits, the last a Damm check digit
    # (central.reference); shown as 4821-0937-5526.
    reference = models.CharField(max_length=12, unique=True)
    # The feedback workflow (central.feedback): new, in_progress, answered, closed.
    status = models.CharField(max_length=16, default="new", db_index=True)
    assigned_to = models.CharField(max_length=150, null=True, db_index=True)  # a user name
    reply_text = models.TextField(null=True)
    replied_at = models.DateTimeField(null=True)
    replied_by = models.CharField(max_length=150, null=True)
    # Moderation: a hidden item is left out of every public use (poll results, open data).
    hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(null=True)
    hidden_by = models.CharField(max_length=150, null=True)
    hidden_at = models.DateTimeField(null=True)
    type = models.CharField(max_length=16, db_index=True)
    device_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()
    received_at = models.DateTimeField(db_index=True)
    lang = models.CharField(max_length=2)
    content_version = models.BigIntegerField()
    payload = JSONField()
    # Opened only by a staff export that holds the private key.
    sealed_contact = models.TextField(null=True)
    test = models.BooleanField(default=False)
    # Denormalised so poll counts are one indexed GROUP BY, not a JSON scan.
    poll_id = models.CharField(max_length=64, null=True)
    option_id = models.CharField(max_length=64, null=True)
    # A vote over its kiosk's rate limit (central.vote_checks): stored, not counted until
    # staff release it; ``held_reason`` says which limit it went over.
    held = models.BooleanField(default=False)
    held_reason = models.TextField(null=True)

    class Meta:
        db_table = "submission"
        indexes = [models.Index(fields=["poll_id", "option_id"], name="ix_submission_poll"),
                   # A kiosk's votes on one poll by time: the rate limit's look-ups.
                   models.Index(fields=["device_id", "poll_id", "created_at"],
                                name="ix_submission_vote_rate")]


class SubmissionNote(models.Model):
    """An internal note on a submission: staff only, never sent to the visitor."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="notes")
    author = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        db_table = "submission_note"
        ordering = ("created_at", "id")


class AuditEntry(models.Model):
    """Who did what, when: each change to a submission, each opening of contact details."""

    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=32)
    target = models.CharField(max_length=64, db_index=True)  # e.g. "submission:<uuid>"
    detail = models.TextField(default="")

    class Meta:
        db_table = "audit_entry"
        ordering = ("at", "id")


class PublishSchedule(models.Model):
    """A "Publish to kiosks" set for a time (central.publishing). ``state``: pending, running
    (claimed by one process: a conditional update from pending, so it runs once), published,
    unchanged (nothing differed from the live release at its time), failed (``result`` says
    why), cancelled."""

    due_at = models.DateTimeField(db_index=True)  # UTC
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    state = models.CharField(max_length=16, default="pending", db_index=True)
    note = models.CharField(max_length=200, default="")
    claimed_at = models.DateTimeField(null=True)
    claimed_by = models.CharField(max_length=100, default="")
    finished_at = models.DateTimeField(null=True)
    cancelled_by = models.CharField(max_length=150, default="")
    version = models.BigIntegerField(null=True)
    result = models.TextField(default="")

    class Meta:
        db_table = "publish_schedule"
        ordering = ("due_at", "id")
