"""The site's private keys: Ed25519 for signing content, Curve25519 for opening sealed contact
details. Created once under $CENTRAL_HOME/keys (directory 0700, files 0600); never in the repo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nacl.public import PrivateKey
from nacl.signing import SigningKey

from kiosk import protocol


@dataclass(frozen=True)
class SiteKeys:
    signing: SigningKey
    submission: PrivateKey

    @property
    def content_public_key(self) -> str:
        return protocol.b64(bytes(self.signing.verify_key))

    @property
    def content_key_id(self) -> str:
        return protocol.key_id(self.signing.verify_key)

    @property
    def submission_public_key(self) -> str:
        return protocol.b64(bytes(self.submission.public_key))


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL: two processes starting at once must not overwrite each other's new key.
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process won the race; then we use theirs
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def _load_or_create(path: Path) -> bytes:
    if not path.exists():
        _write_private(path, protocol.b64(os.urandom(32)).encode("ascii") + b"\n")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        os.chmod(path, 0o600)
    seed = protocol.unb64(path.read_text("ascii").strip(), f"key file {path}")
    if len(seed) != 32:
        raise ValueError(f"{path} is not a 32-byte key; restore it from backup")
    return seed


def load_site_keys(key_dir: Path) -> SiteKeys:
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(key_dir, 0o700)
    signing = SigningKey(_load_or_create(key_dir / "signing.key"))
    submission = PrivateKey(_load_or_create(key_dir / "submission.key"))
    return SiteKeys(signing=signing, submission=submission)


# Kiosks refuse a manifest whose version is lower than one they already trust (rollback
# protection). If the database were lost or rebuilt while the signing key survived, publishing
# would restart at version 1 and every kiosk would refuse it; so the highest version ever
# signed with this key is also kept beside the key.
_VERSION_FILE = "last_published_version"


def published_version_floor(key_dir: Path) -> int:
    try:
        return int((key_dir / _VERSION_FILE).read_text("ascii").strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def remember_published_version(key_dir: Path, version: int) -> None:
    if version <= published_version_floor(key_dir):
        return
    path = key_dir / _VERSION_FILE
    tmp = path.with_name(f".{_VERSION_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, f"{version}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
