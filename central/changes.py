"""A change stamp under $CENTRAL_HOME that every central process on this machine bumps after it
publishes, re-signs a manifest or revokes a kiosk, so a serving process's in-memory caches
(central.cache) notice at once instead of at their next periodic check of the database."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from central.config import Settings

log = logging.getLogger("central.changes")

STAMP_NAME = "change-stamp"


def stamp_path(settings: Settings) -> Path:
    return settings.home / STAMP_NAME


def read_stamp(path: Path) -> tuple[int, int, int] | None:
    """What identifies the stamp's current version; None when there is none yet.

    A bump replaces the file, so the inode changes even when two bumps share an mtime tick."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def bump_stamp(settings: Settings) -> None:
    """Call after the change is committed: a reader that sees the new stamp must find the
    change in the database."""
    path = stamp_path(settings)
    tmp = path.with_name(f".{STAMP_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        tmp.write_text(secrets.token_hex(8))
        os.replace(tmp, path)
    except OSError as e:
        # Not fatal: serving processes still re-read the database within their cache bound.
        log.warning("could not update %s (%s); servers see the change within a second", path, e)
        try:
            tmp.unlink()
        except OSError:
            pass
