"""Central's database: SQLAlchemy 2 models and the engine. Portable types only, so the same
models run on SQLite (development, tests) and PostgreSQL (production)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from central.errors import CentralError

WRITE_WAIT_S = 30  # as long as SQLite's busy timeout


class UtcDateTime(TypeDecorator):
    """Stores naive UTC and hands back aware UTC: SQLite forgets time zones, PostgreSQL's
    'timestamp without time zone' is the portable common ground."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Record(Base):
    """One draft content record; validated with protocol.parse_record before it is written."""

    __tablename__ = "record"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Blob(Base):
    """A media file; its bytes live on disk under blobs/ab/<sha256>."""

    __tablename__ = "blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Piece(Base):
    """A published record body or index, by hash. Kept in the DB rather than as files because
    a catalogue has tens of thousands of them and kiosks fetch them in batches."""

    __tablename__ = "piece"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # a record kind, or "index"
    body: Mapped[bytes] = mapped_column(LargeBinary)


class Release(Base):
    __tablename__ = "release"
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    manifest: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    index_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lifetime_s: Mapped[int] = mapped_column(BigInteger)
    published_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    record_count: Mapped[int] = mapped_column(Integer)


class EnrollmentCode(Base):
    __tablename__ = "enrollment_code"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Device(Base):
    __tablename__ = "device"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The device config's version for this kiosk: grows by one whenever its effective config
    # changes (central.device_config); the fingerprint tells whether it did.
    config_version: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    config_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The version the kiosk last reported as applied in its heartbeat.
    config_applied_version: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Latest heartbeat, as the device reported it.
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    app_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    content_version: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    content_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    stale: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    outbox_pending: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    outbox_dead: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    outbox_oldest_age_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    uptime_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    # The technician mode: its last events at the kiosk's door (newest last) and whether it is
    # open, as the kiosk's heartbeats reported them.
    technician_events: Mapped[list | None] = mapped_column(JSON, nullable=True)
    technician_active: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class ConfigSetting(Base):
    """One device config value staff set: for the whole fleet (target ""), for every kiosk at a
    location (target: the location), or for one kiosk (target: its id). Values are stored as
    they travel, checked with protocol.check_config_values first."""

    __tablename__ = "config_setting"
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # fleet|location|device
    target: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class DeviceCommandRow(Base):
    __tablename__ = "device_command"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    queued_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # finished
    # protocol.COMMAND_STATES; rows from before states have none (read from the times).
    state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SubmissionRow(Base):
    """A visitor's submission. ``id`` is the kiosk's UUID: unique forever, so retries are
    idempotent; ``fingerprint`` tells a true retry from a different body reusing an id."""

    __tablename__ = "submission"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    lang: Mapped[str] = mapped_column(String(2))
    content_version: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict] = mapped_column(JSON)
    # Opened only by a staff export that holds the private key.
    sealed_contact: Mapped[str | None] = mapped_column(Text, nullable=True)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    # Denormalised so poll counts are one indexed GROUP BY, not a JSON scan.
    poll_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    option_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (Index("ix_submission_poll", "poll_id", "option_id"),)


class StaffUser(Base):
    __tablename__ = "staff_user"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_pre_ping=False,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # We issue BEGIN ourselves (below); pysqlite's own transaction handling would not.
            dbapi_conn.isolation_level = None
            # WAL: the CLI (publish, enrollment-code) writes while `serve` reads.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: a receipt sent to a kiosk means the submission survives a power cut here;
            # NORMAL in WAL mode could lose the last commits and the kiosk would not resend.
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A deferred transaction that reads and then writes fails at once with "database is
            # locked" if another writer committed in between (the busy timeout does not apply).
            # Writers therefore take the write lock up front; readers stay deferred.
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Tables a database lacks are created; columns added to a table since it was created are
    added (all such columns are nullable), so a database made by an older central keeps
    working."""
    Base.metadata.create_all(engine)
    inspector = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.exec_driver_sql(
                        f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')


def make_sessionmaker(engine: Engine) -> sessionmaker:
    """Sessions for reading (and short writes that do not read first)."""
    return sessionmaker(engine, expire_on_commit=False)


class _QueuedWriteSessions(sessionmaker):
    """SQLite takes one writer at a time, and a writer that finds the database locked polls
    with growing sleeps (up to 100 ms each), so under load some requests waited over a second
    while others went straight through. Writers in this process queue on a lock instead and
    start the moment the previous one has committed; other processes still meet SQLite's
    busy timeout."""

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self._turn = threading.Lock()

    @contextmanager
    def begin(self) -> Iterator[Session]:  # type: ignore[override]
        if not self._turn.acquire(timeout=WRITE_WAIT_S):
            raise CentralError("the database is busy; try again in a moment", status=503)
        try:
            with super().begin() as s:
                yield s
        finally:
            self._turn.release()


def make_write_sessionmaker(engine: Engine) -> sessionmaker:
    """Sessions for read-then-write transactions: on SQLite they BEGIN IMMEDIATE, one at a
    time per process."""
    if engine.dialect.name == "sqlite":
        return _QueuedWriteSessions(engine.execution_options(sqlite_begin="IMMEDIATE"),
                                    expire_on_commit=False)
    return sessionmaker(engine, expire_on_commit=False)
