"""A catalogue directory on disk (``catalogue.json`` plus ``media/<sha256>.<ext>``), as the
bundled demo in assets/demo/ is: read here, checked by the wire format's rules."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.protocol import Catalogue, ProtocolError, load_catalogue


def load_catalogue_dir(path: str | os.PathLike[str],
                       ) -> tuple[Catalogue, dict[str, tuple[str, int, str]]]:
    """The catalogue and, for each media file it references, ``sha256 -> (file path, size,
    media type)``; ProtocolError says what is wrong."""
    root = Path(path)
    cat_file = root / "catalogue.json"
    if not cat_file.is_file():
        raise ProtocolError(f"{cat_file} is missing: a catalogue directory holds catalogue.json")
    media_dir = root / "media"
    files = {f.stem: str(f) for f in media_dir.iterdir()} if media_dir.is_dir() else {}
    return load_catalogue(cat_file.read_bytes(), files, lambda name: Path(name).read_bytes(),
                          where=str(cat_file))
