"""Media files on the kiosk, each named by its SHA-256: written to a .part, checked against the
manifest's size and hash, synced to disk, then renamed into place. Downloads can resume."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from kiosk.protocol import BlobRef, ProtocolError, check_blob

_PART = ".part"
_HEX = set("0123456789abcdef")


class IncompleteBlob(ProtocolError):
    """The stream ended before the manifest's size; the .part is kept for resuming."""


def _check_name(sha: str) -> str:
    # Names reach the file system, so only a bare hash is ever turned into a path.
    if len(sha) != 64 or not set(sha) <= _HEX:
        raise ProtocolError(f"not a SHA-256 hash: {sha[:80]!r}")
    return sha


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    """A directory of media files named ``ab/cd/<sha256>``."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        # A power cut between the last write and the rename leaves a complete .part; finish it
        # now rather than asking central for a range past the end of the file.
        for part in self.root.glob("??/??/*" + _PART):
            self._finish_if_complete(part.name.removesuffix(_PART))

    def path(self, sha: str) -> Path:
        """Where the file for ``sha`` lives (whether or not it is there yet)."""
        _check_name(sha)
        return self.root / sha[:2] / sha[2:4] / sha

    def _part(self, sha: str) -> Path:
        return self.path(sha).with_name(sha + _PART)

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def partial_size(self, sha: str, size: int | None = None) -> int:
        """Bytes already downloaded for ``sha``: where a Range request should continue. A .part
        that is already whole is put in place (then 0 is returned and ``has`` is true); given the
        expected ``size``, a .part that long but wrong is thrown away."""
        part = self._part(sha)
        try:
            have = part.stat().st_size
        except FileNotFoundError:
            return 0
        if self._finish_if_complete(sha):
            return 0
        if size is not None and have >= size:
            part.unlink(missing_ok=True)
            return 0
        return have

    def _finish_if_complete(self, sha: str) -> bool:
        try:
            _check_name(sha)
        except ProtocolError:
            return False
        part = self._part(sha)
        digest = hashlib.sha256()
        try:
            with open(part, "rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
                if digest.hexdigest() != sha:
                    return False
                os.fsync(f.fileno())
        except FileNotFoundError:
            return False
        os.replace(part, self.path(sha))
        _fsync_dir(part.parent)
        return True

    def put_bytes(self, ref: BlobRef, data: bytes) -> Path:
        check_blob(data, ref)
        return self.put_stream(ref, [data])

    def put_stream(self, ref: BlobRef, chunks: Iterable[bytes]) -> Path:
        """Store a blob from the start, discarding any earlier partial download."""
        return self._write(ref, chunks, resume=False)

    def append(self, ref: BlobRef, chunks: Iterable[bytes]) -> Path:
        """Continue a partial download with the bytes from ``partial_size(ref.sha256)`` on."""
        return self._write(ref, chunks, resume=True)

    def _write(self, ref: BlobRef, chunks: Iterable[bytes], resume: bool) -> Path:
        final = self.path(ref.sha256)
        if final.is_file():
            return final  # content addressing: that name already holds exactly these bytes
        final.parent.mkdir(parents=True, exist_ok=True)
        part = self._part(ref.sha256)
        digest = hashlib.sha256()
        size = 0
        if resume and part.is_file():
            with open(part, "rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
                    size += len(block)
        # An exception from ``chunks`` itself (a dropped connection) leaves the .part to resume;
        # only bytes proven wrong are thrown away.
        try:
            with open(part, "ab" if resume else "wb") as f:
                for chunk in chunks:
                    size += len(chunk)
                    if size > ref.size:
                        break
                    digest.update(chunk)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            if size > ref.size:
                raise ProtocolError(
                    f"blob {ref.sha256[:12]} is longer than the {ref.size} bytes the manifest "
                    "gives; the download starts again"
                )
            if size < ref.size:
                raise IncompleteBlob(
                    f"blob {ref.sha256[:12]}: {size} of {ref.size} bytes so far; resume later"
                )
            if digest.hexdigest() != ref.sha256:
                raise ProtocolError(
                    f"blob {ref.sha256[:12]} does not match its hash; the download starts again"
                )
        except IncompleteBlob:
            raise
        except ProtocolError:
            part.unlink(missing_ok=True)
            raise
        os.replace(part, final)
        _fsync_dir(final.parent)
        return final

    def verify(self, ref: BlobRef) -> bool:
        """Re-read a stored blob and check it (for technicians; downloads are checked already)."""
        try:
            data = self.path(ref.sha256).read_bytes()
            check_blob(data, ref)
        except (OSError, ProtocolError):
            return False
        return True

    def stored(self) -> set[str]:
        """Every complete blob on disk."""
        out: set[str] = set()
        for p in self.root.glob("??/??/*"):
            if len(p.name) == 64 and p.is_file():
                out.add(p.name)
        return out

    def gc(self, keep: set[str]) -> int:
        """Delete blobs and partial downloads that no kept snapshot uses; returns files removed."""
        removed = 0
        for p in self.root.glob("??/??/*"):
            sha = p.name.removesuffix(_PART)
            if sha not in keep and p.is_file():
                p.unlink(missing_ok=True)
                removed += 1
        return removed
