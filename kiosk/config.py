"""Where the kiosk keeps its data ($KIOSK_HOME) and the device credentials it got at enrolment.

Credentials are written atomically with mode 0600: they hold the device token."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_CATALOGUE = REPO_ROOT / "assets" / "demo"


def kiosk_home() -> Path:
    env = os.environ.get("KIOSK_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("kiosk", "made-in-oman"))


@dataclass(frozen=True)
class KioskPaths:
    home: Path

    @classmethod
    def default(cls) -> KioskPaths:
        return cls(kiosk_home())

    @property
    def credentials(self) -> Path:
        return self.home / "credentials.json"

    @property
    def content_db(self) -> Path:
        return self.home / "content.sqlite3"

    @property
    def outbox_db(self) -> Path:
        return self.home / "outbox.sqlite3"

    @property
    def blobs(self) -> Path:
        return self.home / "blobs"

    @property
    def thumbnails(self) -> Path:
        """Thumbnails of content pictures, by blob hash and size (offline_cache/thumbnails.py);
        deleting the folder only costs making them again."""
        return self.home / "cache" / "thumbnails"

    @property
    def sync_state(self) -> Path:
        return self.home / "sync-state.json"

    @property
    def device_config(self) -> Path:
        """The device config central sent last, with its version (kiosk/remote_config.py)."""
        return self.home / "device-config.json"

    @property
    def local_config(self) -> Path:
        """What a technician set on the kiosk itself (the setup wizard), applied over central's
        device config (kiosk/remote_config.py)."""
        return self.home / "local-config.json"

    @property
    def setup_report(self) -> Path:
        """What the setup wizard found and set, step by step (kiosk/services/setup.py)."""
        return self.home / "setup-report.json"

    @property
    def command_results(self) -> Path:
        """How central's commands ended, until a heartbeat has told central."""
        return self.home / "command-results.json"

    @property
    def problems(self) -> Path:
        """The kiosk's current problems and since when (kiosk/problems.py)."""
        return self.home / "problems.json"

    @property
    def app_running(self) -> Path:
        """Made when the visitor app starts, removed when it stops cleanly: found at a start,
        the last run crashed."""
        return self.home / "app-running"

    @property
    def speech_status(self) -> Path:
        """What the visitor app last found about its voice (written by screens/speech.py)."""
        return self.home / "speech-status.json"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def usage(self) -> Path:
        """Anonymous use counts per day, until central has taken them (kiosk/usage.py)."""
        return self.home / "usage.json"

    @property
    def technician(self) -> Path:
        """The technician mode's door: wrong PINs, the lock, events for central
        (kiosk/technician.py)."""
        return self.home / "technician.json"

    @property
    def diagnostics(self) -> Path:
        """Diagnostics bundles the technician panel writes (kiosk/services/technician.py)."""
        return self.home / "diagnostics"

    def ensure(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)


@dataclass
class Credentials:
    """What enrolment gave this kiosk. The content key is pinned: only manifests it signed are
    accepted; the submission key seals visitors' contact details for central's eyes only."""

    api: str
    device_id: str
    device_token: str
    content_public_key: str
    content_key_id: str
    submission_public_key: str
    name: str | None = None
    location: str | None = None
    provisioned_at: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    # Set with `kiosk provision --pin`: an argon2 hash, never the PIN (kiosk/technician_pin.py).
    technician_pin_hash: str | None = None

    def save(self, path: Path) -> None:
        write_private_json(path, asdict(self))

    @classmethod
    def load(cls, path: Path) -> Credentials | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as e:
            raise ValueError(
                f"{path} is damaged ({e}); provision the kiosk again with 'kiosk provision'"
            ) from None
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object kept by the kiosk (one write_private_json wrote), or {} when the file is
    missing, unreadable or not an object: such state starts again empty, never crashes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_private_json(path: Path, data: Any) -> None:
    """Write JSON readable only by this user, atomically: a crash leaves the old file or the
    new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
