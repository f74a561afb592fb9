"""Releases as plain, content-addressed files that any static web server, CDN or object store
can serve unchanged (central/README.md, "Releases as static files"). Every file but the
manifest is named by the SHA-256 of its bytes, so it never changes and may be cached for ever;
the manifest is signed, so a copy served by anyone is as good as central's, and a kiosk
refuses any byte that is not. Nothing here is secret: only what kiosks are sent anyway.

    manifest.json            the newest version's signed manifest (cache briefly: no-cache)
    versions/<V>.json        each exported version's signed manifest, as it was exported
    index/<sha256>           a version's record index
    deltas/<sha256>          the changes from an earlier index to a version's
    records/<sha256>         one record (canonical JSON)
    blobs/<sha256>           one image
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db.models.functions import Length

from central.errors import CentralError, NotFound
from central.orm import Piece, Release
from kiosk import protocol

if TYPE_CHECKING:
    from central.service import Central

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
VERSIONS = "versions"
INDEX, DELTAS, RECORDS, BLOBS = "index", "deltas", "records", "blobs"
_CHUNK = 500


@dataclass(frozen=True)
class ExportReport:
    version: int
    out: Path
    written: int  # files written now
    kept: int  # files already there with the right bytes
    manifest_version: int  # the version manifest.json names afterwards


def kept_versions(central: Central) -> list[int]:
    return list(central.q(Release).order_by("version").values_list("version", flat=True))


def _versions_text(versions: list[int]) -> str:
    if not versions:
        return "none: nothing has been published yet"
    if versions == list(range(versions[0], versions[-1] + 1)):
        return f"{versions[0]} to {versions[-1]}" if len(versions) > 1 else str(versions[0])
    shown = ", ".join(map(str, versions[-10:]))
    return shown if len(versions) <= 10 else f"... {shown}"


def export_release(central: Central, out: Path | str, version: int | None = None,
                   verify: bool = True) -> ExportReport:
    """Write version ``version`` (default: the newest) to ``out`` in the layout above. Files
    already there with the right bytes are kept (``verify`` False: with the right size, which
    publishing uses, as reading back ten thousand records at every publish is slow; the
    command re-reads them, so it also repairs a damaged copy). Each new file is written to a
    temporary name and renamed; the files are flushed to disk together, then the manifest is
    written, so a server never names a file it lacks, even after a crash. manifest.json only
    moves forward: exporting an older version into a directory that serves a newer one leaves
    it (that version's manifest is in versions/)."""
    out = Path(out).expanduser()
    q = central.q(Release)
    rel = (q.filter(version=version) if version is not None else q.order_by("-version")).first()
    if rel is None:
        kept = _versions_text(kept_versions(central))
        if version is None:
            raise CentralError("there is no release to export yet; publish content first")
        raise NotFound(f"there is no version {version} to export; the kept versions are "
                       f"{kept}. Give one of them with --version, or leave --version out for "
                       "the newest.")
    signed = bytes(rel.manifest)
    doc = json.loads(signed)
    # Public content, readable by a web server: 0644. Inside $CENTRAL_HOME, which is private
    # (config.ensure_home), it is kept private like everything there.
    mode = 0o600 if out.resolve().is_relative_to(central.settings.home.resolve()) else 0o644
    manifest = protocol.Manifest.model_validate(doc["manifest"])
    try:
        for d in (out, *(out / d for d in (VERSIONS, INDEX, DELTAS, RECORDS, BLOBS))):
            d.mkdir(parents=True, exist_ok=True)
            d.chmod(mode | 0o100 | (mode & 0o044) >> 2)
    except OSError as e:
        raise CentralError(f"could not create the release directory {out} "
                           f"({e.strerror or e}); choose a directory central may write to"
                           ) from None
    counts = [0, 0]
    written: list[Path] = []

    def put(path: Path, data: bytes) -> None:
        # One fsync per file would take a minute for ten thousand records: they are flushed
        # together below, before the manifest names them.
        if _put(path, data, mode, verify=verify, durable=False):
            counts[0] += 1
            written.append(path)
        else:
            counts[1] += 1

    pieces = [(INDEX, manifest.index.sha256)] + [(DELTAS, d.sha256) for d in manifest.deltas]
    try:
        for folder, sha in pieces:
            put(out / folder / sha, _piece(central, sha, version=manifest.version))
        index = protocol.Index.model_validate(json.loads(_piece(central, manifest.index.sha256,
                                                                version=manifest.version)))
        hashes = sorted(index.hashes())
        if not verify:  # only the records not already there at their size are read
            sizes = _record_sizes(central, hashes)
            have = [h for h in hashes if _size(out / RECORDS / h) == sizes.get(h)]
            counts[1] += len(have)
            hashes = sorted(set(hashes) - set(have))
        for sha, body in _records(central, hashes, manifest.version):
            put(out / RECORDS / sha, body)
        for ref in manifest.blobs:
            if not verify and _size(out / BLOBS / ref.sha256) == ref.size:
                counts[1] += 1
                continue
            path = central.blobs.path(ref.sha256)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise CentralError(f"image {ref.sha256} of version {manifest.version} is "
                                   f"missing from {path.parent.parent}; restore it from a "
                                   "backup, then export again") from None
            put(out / BLOBS / ref.sha256, data)
        _flush(written)
        _put(out / VERSIONS / f"{manifest.version}.json", signed, mode)
        current = _manifest_version(out / MANIFEST)
        if current is None or current <= manifest.version:
            _put(out / MANIFEST, signed, mode)
            current = manifest.version
    except OSError as e:
        raise CentralError(f"could not write the release to {out} ({e.strerror or e}); free "
                           "disk space or check the directory's permissions, then export "
                           "again") from None
    return ExportReport(manifest.version, out, counts[0], counts[1], current)


def after_publish(central: Central, version: int) -> None:
    """Publishing's own export to the configured directory. The release is published
    whatever happens here: a failure is logged with what to do."""
    out = central.settings.release_dir
    if out is None:
        return
    try:
        export_release(central, out, version, verify=False)
    except CentralError as e:
        log.error("version %s is published, but its static copy was not written: %s (then "
                  "run 'kiosk-central export-release --out %s')", version, e.message, out)


def after_resign(central: Central, version: int, signed: bytes) -> None:
    """Central re-signed ``version`` with a later expiry: the static manifest follows, so a
    mirror's kiosks do not see it expire."""
    out = central.settings.release_dir
    if out is None or _manifest_version(out / MANIFEST) != version:
        return
    mode = stat.S_IMODE((out / MANIFEST).stat().st_mode) if (out / MANIFEST).exists() else 0o644
    try:
        _put(out / MANIFEST, signed, mode)
        _put(out / VERSIONS / f"{version}.json", signed, mode)
    except OSError as e:
        log.error("the re-signed manifest of version %s was not written to %s (%s); run "
                  "'kiosk-central export-release --out %s'", version, out, e, out)


def _manifest_version(path: Path) -> int | None:
    try:
        version = json.loads(path.read_bytes())["manifest"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return version if isinstance(version, int) else None


def _piece(central: Central, sha: str, *, version: int) -> bytes:
    p = central.q(Piece).filter(sha256=sha).only("body").first()
    if p is None:
        raise CentralError(f"version {version} is missing its piece {sha[:12]}; it can not be "
                           "exported", status=500)
    return bytes(p.body)


def _flush(paths: list[Path]) -> None:
    """Make the files written durable: each fsynced when they are few (a publish's new
    records, pictures and deltas), else the whole disk at once (a first export)."""
    if len(paths) > 200:
        os.sync()
        return
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _record_sizes(central: Central, hashes: list[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for i in range(0, len(hashes), _CHUNK):
        sizes.update(central.q(Piece).filter(sha256__in=hashes[i:i + _CHUNK]).annotate(
            n=Length("body")).values_list("sha256", "n"))
    return sizes


def _records(central: Central, hashes: list[str], version: int
             ) -> Iterable[tuple[str, bytes]]:
    for i in range(0, len(hashes), _CHUNK):
        chunk = hashes[i:i + _CHUNK]
        got = dict(central.q(Piece).filter(sha256__in=chunk).values_list("sha256", "body"))
        for sha in chunk:
            if sha not in got:
                raise CentralError(f"version {version} is missing its record {sha[:12]}; it "
                                   "can not be exported", status=500)
            yield sha, bytes(got[sha])


def _put(path: Path, data: bytes, mode: int, verify: bool = True, durable: bool = True) -> bool:
    """Write ``data`` at ``path`` atomically with ``mode``; False when the file already holds
    these bytes (``verify`` False: as many bytes). ``durable``: fsynced before the rename."""
    try:
        if path.stat().st_size == len(data) and (not verify or path.read_bytes() == data):
            return False
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode)  # the process's umask (077 in central) must not decide
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    return True
