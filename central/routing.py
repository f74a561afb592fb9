"""FastAPI routes whose sync endpoints use the database: each call starts and ends by dropping
the serving thread's connections that failed or grew too old (db.fresh_connections), so a
PostgreSQL restart costs one failed request per thread, not every request after it."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute

from central import db


def per_request(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with fresh connections around each call; its signature (annotations resolved
    in its own module, as FastAPI would) is kept, so FastAPI reads the same parameters."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        db.fresh_connections()
        try:
            return func(*args, **kwargs)
        finally:
            db.fresh_connections()

    wrapper.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
    return wrapper


class DbRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = per_request(endpoint)
        super().__init__(path, endpoint, **kwargs)
