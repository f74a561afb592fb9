"""Central's database on Django's ORM: setting Django up, one connection alias per database URL,
write transactions, and migrations. The models are in central.models, their migrations in
central/migrations.

Connections are per thread and kept (the API's worker threads reuse theirs; PostgreSQL's are
checked before each request, see ``fresh_connections``). SQLite takes one writer at a time:
writers open their transaction with BEGIN IMMEDIATE and, within one process, queue on a lock
so each starts the moment the previous one committed. PostgreSQL writers lock the rows they
read and change (select_for_update) and rely on unique keys where two may insert the same row.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from central.errors import CentralError

WRITE_WAIT_S = 30  # as long as SQLite's busy timeout
_setup_lock = threading.Lock()
_aliases: dict[str, str] = {}
_write_turns: dict[str, threading.Lock] = {}


def utcnow() -> datetime:
    return datetime.now(UTC)


def setup() -> None:
    """Configure Django for central once per process (central.settings unless
    DJANGO_SETTINGS_MODULE names another module)."""
    import django
    from django.apps import apps

    if apps.ready:
        return
    with _setup_lock:
        if apps.ready:
            return
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.settings")
        django.setup()
        from asgiref.local import Local
        from django.db import connections

        # One connection per thread, kept between requests: Django's default keeps connections
        # in a context variable, so on the API's thread pool (where each request may run in a
        # copy of the context) every request would open a new connection and leave the old
        # one to the garbage collector.
        connections._connections = Local(thread_critical=True)


def alias_for(url: str) -> str:
    """The connection alias for a database URL, registering it on first use; "default" for
    the one central.settings configured."""
    setup()
    from django.conf import settings
    from django.db import connections

    with _setup_lock:
        if url in _aliases:
            return _aliases[url]
        if url == getattr(settings, "CENTRAL_DB_URL", None):
            alias = "default"
        else:
            from central.config import database_settings

            alias = "db_" + hashlib.sha256(url.encode()).hexdigest()[:16]
            conf = connections.configure_settings(
                {"default": settings.DATABASES["default"], alias: database_settings(url)})
            settings.DATABASES[alias] = conf[alias]
            connections.settings[alias] = conf[alias]
        _aliases[url] = alias
        _write_turns.setdefault(alias, threading.Lock())
        return alias


def vendor(alias: str) -> str:
    from django.db import connections

    return connections[alias].vendor  # "sqlite" or "postgresql"


@contextlib.contextmanager
def write(alias: str, durable: bool = True) -> Iterator[None]:
    """A read-then-write transaction. On SQLite: BEGIN IMMEDIATE, one at a time in this process
    (a writer that finds the database locked polls with growing sleeps, so queueing here is
    fairer and faster); other processes meet SQLite's busy timeout.

    ``durable=False`` is for writes the client repeats anyway (a heartbeat's status): the commit
    returns without waiting for the disk (SQLite's synchronous=NORMAL in WAL mode, PostgreSQL's
    synchronous_commit off). A crash may lose the last such commits, never an earlier durable
    one and never the database's consistency: the log is written in order, so the next durable
    commit makes everything before it durable too."""
    from django.db import connections, transaction

    if vendor(alias) != "sqlite":
        with transaction.atomic(using=alias):
            if not durable:
                with connections[alias].cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit TO OFF")
            yield
        return
    turn = _write_turns[alias]
    if not turn.acquire(timeout=WRITE_WAIT_S):
        raise CentralError("the database is busy; try again in a moment", status=503)
    try:
        if durable:
            with transaction.atomic(using=alias):
                yield
            return
        # The safety level can only change outside a transaction; it is put back before the
        # write lock is released, so no other write on this connection runs at NORMAL.
        connection = connections[alias]
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=NORMAL")
        try:
            with transaction.atomic(using=alias):
                yield
        finally:
            if connection.connection is not None:
                with connection.cursor() as cur:
                    cur.execute("PRAGMA synchronous=FULL")
    finally:
        turn.release()


def fresh_connections() -> None:
    """Call at the start and end of each request in the thread that serves it: drops this
    thread's connections that failed or outlived CONN_MAX_AGE (PostgreSQL restarted, say)."""
    from django.db import close_old_connections

    close_old_connections()


def close(alias: str) -> None:
    from django.db import connections

    connections[alias].close()


# ---------------------------------------------------------------------------------------------
# Migrations


def unapplied(alias: str) -> list[str]:
    """Migrations this database lacks, as "app.name"."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def migrate(alias: str, verbosity: int = 0, stdout: Any = None) -> list[str]:
    """Apply every migration this database lacks; returns those applied. Tables an older
    central made itself (before migrations) are taken over, not recreated (--fake-initial)."""
    from django.core.management import call_command

    if alias != "default":
        return _migrate_in_own_process(alias, "migrate")
    with _migration_lock(alias):
        todo = unapplied(alias)
        if todo:
            call_command("migrate", database=alias, interactive=False, fake_initial=True,
                         verbosity=verbosity, stdout=stdout or _Null())
        return todo


def _migrate_in_own_process(alias: str, how: str) -> list[str]:
    """Migrate a database that is not this process's default in a process of its own where it
    is. Wagtail's migrations assume the database migrated is the default one: some pick their
    operations by ``django.db.connection.vendor`` when imported, some fill the page tree
    through default managers and ``transaction.atomic()``. Run here against another alias they
    would write to the default database, or fail where it can not be opened."""
    import json
    import subprocess
    import sys

    url = next((u for u, a in _aliases.items() if a == alias), None)
    if url is None:
        raise CentralError(f"no database is registered as {alias!r}")
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "CENTRAL_DB_URL": url,
           "PYTHONPATH": os.pathsep.join(p for p in (str(repo), os.environ.get("PYTHONPATH"))
                                         if p)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = ("import json, sys\nfrom central import db\n"
            "print(json.dumps(db._migrate_here(sys.argv[1])))\n")
    res = subprocess.run([sys.executable, "-c", code, how], env=env, cwd=repo,
                         capture_output=True, text=True)
    if res.returncode != 0:
        lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
        raise CentralError("migrating the database failed: "
                           + (lines[-1] if lines else f"exit status {res.returncode}"))
    return json.loads(res.stdout.strip().splitlines()[-1])


def _migrate_here(how: str) -> list[str]:
    """The other process's side of _migrate_in_own_process: its default database."""
    setup()
    todo = unapplied("default")
    if how == "sqlite":
        _migrate_sqlite("default")
    else:
        migrate("default")
    return todo


def ensure_migrated(alias: str, url: str) -> None:
    """What every central process does on opening its database: SQLite (the no-setup default)
    and an empty PostgreSQL database are migrated at once; a PostgreSQL database that has
    tables but lacks migrations is refused with a sentence (upgrading production is a step
    staff take on purpose: `kiosk-central migrate`)."""
    if not unapplied(alias):
        return
    if vendor(alias) == "sqlite":
        _migrate_sqlite(alias)
        return
    if not _has_tables(alias):
        migrate(alias)
        return
    todo = unapplied(alias)
    if todo:
        raise CentralError(
            f"the database is not up to date ({len(todo)} migration(s) not applied, first "
            f"{todo[0]}); back it up, then run 'kiosk-central migrate' and start again")


# ---------------------------------------------------------------------------------------------
# A new SQLite database from a migrated copy: the CMS's Wagtail brings some 150 migrations, and
# Django renders the models' state for each, some 14 s of CPU for an empty database (every test
# central pays it). The first empty database migrated on a machine is kept (VACUUM INTO) under
# the user's cache, named by the hash of every migration file; the next empty one is that copy.
# Another set of migrations has another name, so a copy never stands for other migrations.


def _migrate_sqlite(alias: str) -> None:
    from django.db import connections

    conn = connections[alias]
    with _migration_lock(alias):
        if not unapplied(alias):
            return
        path = Path(conn.settings_dict["NAME"])
        template = _template_path(alias)
        if template is not None and not _has_tables(alias) and template.is_file():
            conn.close()
            tmp = path.with_name(path.name + ".template-tmp")
            tmp.write_bytes(template.read_bytes())
            os.chmod(tmp, 0o600)
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    path.with_name(path.name + suffix).unlink()
            os.replace(tmp, path)
            if not unapplied(alias):
                return
        if alias == "default":
            empty = not _has_tables(alias)
            from django.core.management import call_command

            call_command("migrate", database=alias, interactive=False, fake_initial=True,
                         verbosity=0, stdout=_Null())
            if empty and template is not None:
                _keep_template(alias, template)
            return
    # Outside the lock: the other process takes it (and keeps the template if this is empty).
    conn.close()
    _migrate_in_own_process(alias, "sqlite")


def _template_path(alias: str) -> Path | None:
    if os.environ.get("CENTRAL_SQLITE_TEMPLATE", "1") == "0":
        return None
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    h = hashlib.sha256(b"central-sqlite-template-1")
    for key in sorted(loader.disk_migrations):
        module = __import__(loader.disk_migrations[key].__module__, fromlist=["_"])
        h.update(repr(key).encode())
        with contextlib.suppress(OSError, TypeError):
            h.update(Path(module.__file__).read_bytes())
    # What runs after every migrate belongs to the template too: the CMS roles' permissions
    # (central/cms/roles.py), so a role given a new kind's permissions is not served from an
    # older template that lacks them.
    h.update((Path(__file__).resolve().parent / "cms" / "roles.py").read_bytes())
    from platformdirs import user_cache_dir

    root = Path(os.environ.get("CENTRAL_TEMPLATE_DIR") or user_cache_dir("kiosk-central"))
    return root / f"empty-{h.hexdigest()[:32]}.sqlite3"


def _keep_template(alias: str, template: Path) -> None:
    from django.db import connections

    try:
        template.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = template.with_name(f"{template.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        with connections[alias].cursor() as cur:
            cur.execute("VACUUM INTO %s", [str(tmp)])
        os.chmod(tmp, 0o600)
        os.replace(tmp, template)
    except OSError:
        pass  # a read-only cache only costs the next empty database its migrations


def _has_tables(alias: str) -> bool:
    from django.db import connections

    conn = connections[alias]
    with conn.cursor() as cur:
        return bool(conn.introspection.table_names(cur))


@contextlib.contextmanager
def _migration_lock(alias: str) -> Iterator[None]:
    """One migrating process at a time: a file lock beside a SQLite database, an advisory lock
    on PostgreSQL."""
    from django.db import connections

    conn = connections[alias]
    if conn.vendor == "sqlite":
        path = Path(conn.settings_dict["NAME"]).with_name(".migrate.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
        return
    key = 0x6B696F736B  # "kiosk"
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [key])


class _Null:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass
