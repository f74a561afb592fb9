"""Media files on disk, named by SHA-256 under $CENTRAL_HOME/blobs/ab/<sha256>. Written to a
temporary name, fsynced and renamed, so a crash never leaves a half file under a real name."""

from __future__ import annotations

import os
import re
from pathlib import Path

from kiosk import protocol

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


def is_sha256(value: str) -> bool:
    return bool(_SHA_RE.match(value))


class BlobStore:
    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError("not a SHA-256 hash")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes, expected_sha256: str | None = None) -> str:
        digest = protocol.sha256_hex(data)
        if expected_sha256 is not None and digest != expected_sha256:
            raise protocol.ProtocolError(
                f"file does not match its hash {expected_sha256[:12]} (corrupted copy?)"
            )
        final = self.path(digest)
        if final.is_file() and final.stat().st_size == len(data):
            return digest
        final.parent.mkdir(exist_ok=True, mode=0o700)
        tmp = final.with_name(f".{digest}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()
