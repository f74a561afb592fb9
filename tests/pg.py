"""A throwaway PostgreSQL cluster for a test session, and a fresh database in it per test.

``Cluster.start()`` runs Debian's initdb and pg_ctl (from /usr/lib/postgresql/<version>/bin,
installed by scripts/system-deps) into a private temporary directory: the server listens only on
a unix socket in that directory (no TCP), with fsync, synchronous_commit and full_page_writes off
(a test database need not survive a power cut, and this makes it several times faster). As root,
PostgreSQL refuses to run, so the server runs as the ``postgres`` user (runuser) and owns its
directory, which sits directly under the system temporary directory so that user can reach it.

``Cluster.database()`` creates a new database for one test (or one test module's central) and
drops it afterwards, so tests stay independent and can run in parallel on one cluster. With
``migrated=True`` it is a copy (CREATE DATABASE ... TEMPLATE) of one database the cluster
migrated once with `kiosk-central migrate`, so a test's central starts without running every
migration again (central's, Django's and Wagtail's take a minute on a loaded machine); the
migration tests ask for an empty one. Central
gets it as a URL, ``postgresql+psycopg://postgres@/NAME?host=SOCKDIR&port=PORT``: the one
interface between the tests and central's database layer."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

MISSING = ("PostgreSQL's server programs (initdb, pg_ctl) are not installed, so the tests "
           "cannot run central on PostgreSQL: run scripts/system-deps as root (or "
           "`sudo make deps`), or choose SQLite only with `pytest --central-db=sqlite`.")
START_TIMEOUT_S = 120


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says what to do."""


def server_bin(name: str) -> str | None:
    """``name`` (initdb, pg_ctl) from the newest /usr/lib/postgresql/*/bin, else from PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                      reverse=True)
    for d in versions:
        if (d / name).is_file():
            return str(d / name)
    return shutil.which(name)


@dataclass
class Cluster:
    root: Path
    port: int
    prefix: list[str] = field(default_factory=list)  # runuser -u postgres -- (as root)
    pg_ctl: str = ""
    started: bool = False
    template: str | None = None  # the migrated database new ones copy (migrated_template)

    @property
    def sockdir(self) -> Path:
        return self.root / "sock"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @classmethod
    def start(cls, port: int) -> Cluster:
        initdb, pg_ctl = server_bin("initdb"), server_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise PostgresUnavailable(MISSING)
        prefix: list[str] = []
        owner: str | None = None
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root, PostgreSQL must run as the 'postgres' user, and there is "
                    "none: run scripts/system-deps as root (Debian's postgresql package makes "
                    "it), or run the tests as an ordinary user.") from None
            if not runuser:
                raise PostgresUnavailable("running as root, PostgreSQL must run as 'postgres' "
                                          "through runuser (util-linux), which is missing.")
            prefix, owner = [runuser, "-u", "postgres", "--"], "postgres"
        # Under the system temporary directory (sticky, world-writable), not pytest's per-user
        # 0700 one, so the postgres user can reach it without loosening anyone's permissions.
        root = Path(tempfile.mkdtemp(prefix="mio-pg-"))
        (root / "sock").mkdir()
        if owner:
            for p in (root, root / "sock"):
                shutil.chown(p, owner, owner)
        cluster = cls(root, port, prefix, pg_ctl)
        cluster._run([initdb, "-D", str(cluster.data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        opts = (f"-k {cluster.sockdir} -p {port} -c listen_addresses='' -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        try:
            cluster._run([pg_ctl, "-D", str(cluster.data), "-l", str(root / "server.log"),
                          "-w", "-t", str(START_TIMEOUT_S), "-o", opts, "start"])
        except PostgresUnavailable:
            cluster.remove()
            raise
        cluster.started = True
        return cluster

    def _run(self, cmd: list[str]) -> None:
        res = subprocess.run([*self.prefix, *cmd], capture_output=True, text=True,
                             timeout=START_TIMEOUT_S)
        if res.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{Path(cmd[0]).name} failed ({res.returncode}): "
                                      f"{res.stderr.strip()[-2000:]}\n{tail}")

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.sockdir}&port={self.port}"

    def _admin(self):  # noqa: ANN202 - a psycopg connection
        import psycopg

        return psycopg.connect(host=str(self.sockdir), port=self.port, user="postgres",
                               dbname="postgres", autocommit=True)

    def migrated_template(self) -> str:
        """The name of a database with central's migrations applied, made on first use."""
        if self.template is None:
            name = "t_template_" + uuid.uuid4().hex[:8]
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            home = Path(tempfile.mkdtemp(prefix="mio-pg-template-"))
            try:
                env = {**os.environ, "CENTRAL_HOME": str(home),
                       "CENTRAL_DB_URL": self.url(name)}
                res = subprocess.run([sys.executable, "-m", "central.cli", "migrate"],
                                     cwd=Path(__file__).resolve().parent.parent, env=env,
                                     capture_output=True, text=True, timeout=900)
            finally:
                shutil.rmtree(home, ignore_errors=True)
            if res.returncode != 0:
                raise PostgresUnavailable(f"kiosk-central migrate failed on the template "
                                          f"database: {res.stderr.strip()[-2000:]}")
            self.template = name
        return self.template

    @contextmanager
    def database(self, migrated: bool = False) -> Iterator[str]:
        """A new database for the duration, empty or (``migrated``) with central's schema;
        yields its URL, then drops it (closing whatever connections a server left open)."""
        name = "t_" + uuid.uuid4().hex[:16]
        template = f' TEMPLATE "{self.migrated_template()}"' if migrated else ""
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"{template}')
        try:
            yield self.url(name)
        finally:
            with self._admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.started:
            subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "immediate",
                            "stop"], capture_output=True, timeout=60)
            self.started = False
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
