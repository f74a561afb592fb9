"""Where central keeps its data and how it is tuned: $CENTRAL_HOME, the database URL, lifetimes
and limits. Everything else reads a Settings object, never the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

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
    extra: dict = field(default_factory=dict)

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def key_dir(self) -> Path:
        return self.home / "keys"


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
    return Settings(
        home=home_path,
        db_url=url,
        manifest_ttl=ttl,
        manifest_refresh=_env_bool("CENTRAL_MANIFEST_REFRESH", True),
    )


def ensure_home(settings: Settings) -> None:
    """Create $CENTRAL_HOME with private permissions: it holds keys and sealed feedback."""
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.blob_dir.mkdir(exist_ok=True, mode=0o700)
