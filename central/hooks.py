"""Where one part of central lets another act on its events without importing it (the
importing direction would make a cycle). A leaf module: it imports nothing of central.

- ``faq_draft_listeners``: called as ``listener(central, record, by)`` after "Add to the
  FAQ" (central.feedback) saved an FAQ draft. The CMS adds its own (central.cms.apps): it
  edits the FAQ, and its publish makes the ``record`` table's FAQ exactly its live snippets,
  so the entry must wait for approval there too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

faq_draft_listeners: list[Callable[[Any, dict, str], None]] = []
