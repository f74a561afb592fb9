"""The wire format shared by kiosk and central, defined once: content records, the record
index, the signed manifest, submissions, and what kiosks and central say to each other.

Content travels as content-addressed pieces so a kiosk downloads only what changed:

- every record (one product, one FAQ entry, ...) is canonical JSON named by its SHA-256;
- the *index* lists every record as ``{kind: {record_id: sha256}}`` and is itself hashed;
- the *manifest* names the index hash and every media blob (hash, size, media type), with a
  monotonic version, creation and expiry times, and is signed with Ed25519 over canonical JSON.

The package is pure (no file or network I/O): ``base`` (limits, canonical JSON, field types),
``records``, ``snapshot`` (index, deltas, manifest, signatures), ``submissions`` and
``devices``. Everything is importable from ``kiosk.protocol`` itself, except ``readability``
(Easy Read's check for writers, with textstat behind it), imported by name where it is used.
"""

from kiosk.protocol.base import *  # noqa: F403
from kiosk.protocol.devices import *  # noqa: F403
from kiosk.protocol.records import *  # noqa: F403
from kiosk.protocol.snapshot import *  # noqa: F403
from kiosk.protocol.submissions import *  # noqa: F403
