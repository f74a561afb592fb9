"""The kiosk's log: $KIOSK_HOME/logs/kiosk.log, rotated, so a technician can see why a kiosk is
unhappy after the fact (sync failures, refused content, upload problems)."""

from __future__ import annotations

import logging
import logging.handlers

from kiosk.config import KioskPaths

MAX_BYTES = 1024 * 1024
BACKUPS = 5


def setup_logging(paths: KioskPaths | None = None, level: int = logging.INFO) -> None:
    paths = paths or KioskPaths.default()
    # A log line that can not be written (full disk) is dropped, not printed as a traceback
    # over the technician's terminal.
    logging.raiseExceptions = False
    root = logging.getLogger()
    if any(getattr(h, "_kiosk", False) for h in root.handlers):
        return
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.log_dir / "kiosk.log", maxBytes=MAX_BYTES, backupCount=BACKUPS,
            encoding="utf-8")
    except OSError:
        # A read-only or full disk must not stop the kiosk from showing content.
        handler = logging.StreamHandler()
    handler._kiosk = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
