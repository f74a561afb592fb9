"""Errors people read, raised by more than one layer and caught by the CLI. A leaf: it imports
nothing of ours, so any layer can raise these without pulling in the layer that reports them."""

from __future__ import annotations


class UserError(Exception):
    """An error a person will read: one sentence saying what is wrong and what to do next.
    The `kiosk` command prints it as one line and exits 1."""


class CommandError(UserError):
    """A technician's command could not do what was asked."""


class NotProvisioned(UserError):
    """This kiosk has no credentials yet."""


class ContactNotAccepted(UserError, ValueError):
    """Contact details were offered but the kiosk has no key to seal them with yet. Raised by
    the outbox, answered by the screen the visitor is on with its own sentence."""
