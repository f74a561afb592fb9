"""Where the device API's database work runs: its views (central.api) are async and hand every
call that touches the database to ``in_thread``, a bounded pool of threads of their own. Each
thread keeps its database connection between requests (central.db), and each call starts and
ends by dropping the thread's connections that failed or grew too old (db.fresh_connections),
so a PostgreSQL restart costs one failed request per thread, not every request after it.

Django would run sync views on one thread per request (thread_sensitive), opening a connection
each time, and its staff site's sign-ins hash passwords on threads of theirs: neither takes one
of these threads, and heartbeats run side by side up to the pool's size."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from central import db

T = TypeVar("T")

# As many as the thread pool FastAPI's sync routes had (anyio's 40): requests beyond it wait
# their turn on the event loop, and each thread holds at most one connection per database.
API_THREADS = 40
_pool = concurrent.futures.ThreadPoolExecutor(API_THREADS, thread_name_prefix="central-api")


def per_request(func: Callable[..., T]) -> Callable[..., T]:
    """``func`` with fresh connections around each call."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        db.fresh_connections()
        try:
            return func(*args, **kwargs)
        finally:
            db.fresh_connections()

    return wrapper


async def in_thread(func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` on the API's pool with fresh connections around it."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, functools.partial(per_request(func), *args))
