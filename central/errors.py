"""Errors that a person reads: the CLI prints them as one line, the API as a JSON body."""

from __future__ import annotations

from typing import Any


class CentralError(Exception):
    """Something a staff member or a device can fix. ``status`` is the HTTP code to answer."""

    status = 400

    def __init__(self, message: str, detail: Any = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        if status is not None:
            self.status = status


class NotFound(CentralError):
    status = 404


class Unauthorized(CentralError):
    status = 401


class Conflict(CentralError):
    status = 409


class Gone(CentralError):
    status = 410
