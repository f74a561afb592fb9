"""Where central keeps its data and how it is tuned: $CENTRAL_HOME, the database URL, lifetimes
and limits. Everything else reads a Settings object, never the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_MANIFEST_TTL = timedelta(days=7)
DEFAULT_CODE_TTL = timedelta(hours=24)
# A command no heartbeat has taken by then expires: a kiosk off for a day must not restart on
# coming back because someone asked yesterday.
DEFAULT_COMMAND_TTL = timedelta(hours=1)
MAX_COMMAND_TTL = timedelta(days=7)
MAX_REQUEST_BYTES = 1024 * 1024  # one API request body

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO_ROOT / "assets" / "demo"


def default_home() -> Path:
    env = os.environ.get("CENTRAL_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("kiosk-central", "made-in-oman"))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


@dataclass
class Settings:
    home: Path
    db_url: str
    manifest_ttl: timedelta = DEFAULT_MANIFEST_TTL
    # TUF-style timestamp refresh of the newest manifest; only tests that need to see an
    # expired manifest on the wire turn it off (CENTRAL_MANIFEST_REFRESH=0).
    manifest_refresh: bool = True
    max_request_bytes: int = MAX_REQUEST_BYTES
    # Where every publish also writes the release as static files (central/release_files.py);
    # None: $CENTRAL_HOME/releases. Off (CENTRAL_RELEASES_DIR=off): not written.
    releases_dir: Path | None = None
    releases_off: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def key_dir(self) -> Path:
        return self.home / "keys"

    @property
    def release_dir(self) -> Path | None:
        """The static copy of the releases that publishing keeps up to date, or None."""
        if self.releases_off:
            return None
        return self.releases_dir or self.home / "releases"


def load_settings(home: str | Path | None = None, db_url: str | None = None) -> Settings:
    """Settings from arguments, then the environment, then defaults."""
    home_path = Path(home).expanduser() if home else default_home()
    url = db_url or os.environ.get("CENTRAL_DB_URL") or ""
    if not url:
        url = f"sqlite:///{(home_path / 'central.sqlite3').resolve()}"
    ttl = DEFAULT_MANIFEST_TTL
    ttl_env = os.environ.get("CENTRAL_MANIFEST_TTL_S")
    if ttl_env:
        ttl = timedelta(seconds=int(ttl_env))
    releases = os.environ.get("CENTRAL_RELEASES_DIR", "").strip()
    off = releases.lower() in ("off", "none", "0", "false", "no")
    return Settings(
        home=home_path,
        db_url=url,
        manifest_ttl=ttl,
        manifest_refresh=_env_bool("CENTRAL_MANIFEST_REFRESH", True),
        releases_dir=Path(releases).expanduser() if releases and not off else None,
        releases_off=off,
    )


def ensure_home(settings: Settings) -> None:
    """Create $CENTRAL_HOME with private permissions: it holds keys, the database and sealed
    feedback. Whatever existed before, every folder under it ends 0700 and every file 0600, and
    what this process creates afterwards is private too (umask 077)."""
    os.umask(0o077)
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.blob_dir.mkdir(exist_ok=True, mode=0o700)
    private_tree(settings.home)


def private_tree(root: Path) -> None:
    """chmod 0700 on ``root`` and the folders under it, 0600 on the files (symbolic links are
    left alone: they may point outside)."""
    for dirpath, dirnames, filenames in os.walk(root):
        _chmod(Path(dirpath), 0o700)
        for name in filenames:
            path = Path(dirpath) / name
            if not path.is_symlink():
                _chmod(path, 0o600)
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:  # gone meanwhile, or not ours: the rest still gets its modes
        pass


_PG_SCHEMES = ("postgresql", "postgresql+psycopg", "postgresql+psycopg2", "postgres",
               "postgresql+psycopg3")
# Seconds a process keeps a PostgreSQL connection (checked before each request and reopened
# when the server went away); SQLite connections are local files and are kept for good.
PG_CONN_MAX_AGE = 300


def database_settings(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a database URL. Accepts the forms central always took:
    ``sqlite:///ABSOLUTE/PATH`` and ``postgresql[+psycopg]://user:password@host:port/name``,
    with libpq parameters in the query (``?host=/run/socket&port=5433&sslmode=require``)."""
    from central.errors import CentralError

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("sqlite", "sqlite+pysqlite"):
        path = unquote(url.split("://", 1)[1])
        # As SQLAlchemy read them: sqlite:///rel.db is relative, sqlite:////abs.db absolute.
        path = path[1:] if path.startswith("/") else path
        path = path.split("?", 1)[0]
        if not path or path == ":memory:":
            raise CentralError("central needs a database file: give sqlite:////path/to/file")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                "timeout": 30,
                # Writers take the write lock up front: a deferred transaction that reads and
                # then writes fails at once with "database is locked" if another writer
                # committed in between (the busy timeout does not apply to that upgrade).
                "transaction_mode": "IMMEDIATE",
                # WAL: the CLI (publish, enrollment-code) writes while `serve` reads. FULL: a
                # receipt sent to a kiosk means the submission survives a power cut here.
                "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                 "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000"),
            },
        }
    if scheme in _PG_SCHEMES:
        query = dict(parse_qsl(parts.query, keep_blank_values=False))
        host = query.pop("host", None) or (unquote(parts.hostname) if parts.hostname else "")
        port = query.pop("port", None) or (str(parts.port) if parts.port else "")
        user = query.pop("user", None) or (unquote(parts.username) if parts.username else "")
        password = query.pop("password", None) or (
            unquote(parts.password) if parts.password else "")
        name = query.pop("dbname", None) or unquote(parts.path.lstrip("/")) or "postgres"
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name, "USER": user, "PASSWORD": password, "HOST": host, "PORT": port,
            "CONN_MAX_AGE": PG_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": query,  # sslmode, connect_timeout, application_name ... as libpq has them
        }
    raise CentralError(f"the database URL must start with sqlite:/// or postgresql://, not "
                       f"{scheme or url[:20]!r}; see central/README.md")
