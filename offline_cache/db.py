"""One SQLite file shared between threads: a connection per thread, WAL so readers never wait
for a writer, and synchronous=FULL so a commit that returned survives a power cut. Closing
waits for the transactions other threads are running: a connection closed under a running
statement crashes the process."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

# How long close() waits for other threads' transactions to finish (a demo install, a sync's
# write) before it gives up on their connections and leaves them to the process's exit.
CLOSE_WAIT_S = 30.0


class SQLiteFile:
    def __init__(self, path: str | os.PathLike[str]):
        self.path = os.fspath(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Transactions running, by connection (id): close() waits for them.
        self._busy: dict[int, int] = {}
        self._idle = threading.Condition(self._lock)

    def _conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            # Autocommit mode: every transaction here is explicit, so none is left open by
            # accident across a visitor's session.
            c = sqlite3.connect(self.path, isolation_level=None, timeout=30,
                                check_same_thread=False)
            c.execute("PRAGMA busy_timeout=30000")
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=FULL")
            self._local.conn = c
            with self._lock:
                self._all.append(c)
        return c

    def close(self, wait_s: float = CLOSE_WAIT_S) -> None:
        """Close every thread's connection once no other thread runs a transaction on it
        (waiting up to ``wait_s``); one still busy then is left open, not pulled away."""
        own = getattr(self._local, "conn", None)

        def others_busy() -> set[int]:
            return set(self._busy) - {id(own)}

        with self._idle:
            self._idle.wait_for(lambda: not others_busy(), wait_s)
            busy = others_busy()
            if busy:
                log.warning("%s: %d connection(s) still busy after %.0f s are left open",
                            self.path, len(busy), wait_s)
            for c in self._all:
                if id(c) in busy:
                    continue
                try:
                    c.close()
                except sqlite3.Error:
                    pass
            self._all = [c for c in self._all if id(c) in busy]
        self._local = threading.local()

    @contextmanager
    def _in_use(self, c: sqlite3.Connection) -> Iterator[None]:
        with self._lock:
            self._busy[id(c)] = self._busy.get(id(c), 0) + 1
        try:
            yield
        finally:
            with self._idle:
                left = self._busy.pop(id(c)) - 1
                if left:
                    self._busy[id(c)] = left
                else:
                    self._idle.notify_all()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE so two writers queue instead of deadlocking."""
        c = self._conn()
        with self._in_use(c):
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

    def _execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        """One statement in its own (autocommit) transaction."""
        c = self._conn()
        with self._in_use(c):
            return c.execute(sql, params)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction, so several queries see the same committed state."""
        c = self._conn()
        if c.in_transaction:
            yield c
            return
        with self._in_use(c):
            c.execute("BEGIN")
            try:
                yield c
            finally:
                c.execute("COMMIT")


def statements(script: str) -> list[str]:
    """Split a schema script into statements (none of ours holds a ';' inside a literal)."""
    out = []
    for part in script.split(";"):
        lines = [ln for ln in part.splitlines() if not ln.strip().startswith("--")]
        stmt = "\n".join(lines).strip()
        if stmt:
            out.append(stmt)
    return out
