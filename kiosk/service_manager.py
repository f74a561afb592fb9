"""Telling the service manager (systemd) how the kiosk is doing: the sd_notify protocol, one
unix datagram per message to $NOTIFY_SOCKET (READY=1, STATUS=..., WATCHDOG=1, STOPPING=1).
Without that socket, as under a terminal or `make run`, every call does nothing."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)

# A STATUS= line is one line a technician reads in `systemctl status`; more says nothing more.
MAX_STATUS_CHARS = 200


def socket_address(value: str | None) -> str | bytes | None:
    """$NOTIFY_SOCKET as an address for socket.sendto: a path, or a name in the abstract
    namespace ('@' stands for the leading NUL byte); None when there is none to talk to."""
    if not value or len(value) < 2 or value[0] not in "/@":
        return None
    if value[0] == "@":
        return b"\0" + value[1:].encode()
    return value


def watchdog_interval_s(environ: Mapping[str, str] | None = None,
                        pid: int | None = None) -> float | None:
    """How often to ping the watchdog (half of $WATCHDOG_USEC, as systemd advises), or None
    when the service manager does not watch this process: no $WATCHDOG_USEC, a value that
    is not a positive number, or a $WATCHDOG_PID naming another process (a child that
    inherited the environment must not ping for its parent)."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    watched = env.get("WATCHDOG_PID")
    if watched is not None:
        try:
            if int(watched) != (os.getpid() if pid is None else pid):
                return None
        except ValueError:
            return None
    return usec / 2_000_000


class ServiceManager:
    """The link to the service manager that started the kiosk. Sending never raises: the
    kiosk runs on whether or not anybody listens."""

    def __init__(self, address: str | bytes | None) -> None:
        self.address = address
        self._sock: socket.socket | None = None
        self._last_status: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ServiceManager:
        env = os.environ if environ is None else environ
        return cls(socket_address(env.get("NOTIFY_SOCKET")))

    @property
    def present(self) -> bool:
        return self.address is not None

    def notify(self, *assignments: str) -> bool:
        """Send ``assignments`` ("READY=1", "STATUS=...") as one message; whether it went."""
        if self.address is None:
            return False
        message = "\n".join(assignments).encode()
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message, self.address)
            return True
        except OSError as e:
            # A full or vanished socket is the service manager's business; the kiosk goes on.
            log.warning("could not tell the service manager %s: %s",
                        assignments[0].split("=")[0], e)
            return False

    def ready(self, status: str | None = None) -> bool:
        return self.notify("READY=1", *self._status_line(status))

    def status(self, text: str) -> bool:
        """STATUS=text, sent only when it differs from the last one."""
        if text == self._last_status:
            return False
        return self.notify(*self._status_line(text))

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self, status: str | None = None) -> bool:
        return self.notify("STOPPING=1", *self._status_line(status))

    def reloading(self, status: str | None = None) -> bool:
        """The process starts again in place (same pid): "reloading" until its next READY=1,
        rather than STOPPING=1, after which systemd would wait for it to exit."""
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.notify("RELOADING=1", f"MONOTONIC_USEC={usec}", *self._status_line(status))

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _status_line(self, text: str | None) -> list[str]:
        if text is None:
            return []
        text = " ".join(text.split())[:MAX_STATUS_CHARS]
        self._last_status = text
        return [f"STATUS={text}"]
