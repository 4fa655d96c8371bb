"""Things a page makes the same way every time for the same inputs (a form's HTML, a chart, a
list rendered from data of one version), made once and kept: per app, per area, at most `kept`
of each, all dropped when an area is full (no bookkeeping on a hit). The key must hold every input:
never a person's own details, a CSRF token or a nonce, unless they are in the key."""

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def remember(area: str, key: Hashable, make: Callable[[], T], kept: int = 256) -> T:
    """The value kept for `key` in `area`, or `make()`'s, kept for next time. If `make` raises,
    nothing is kept."""
    cache: dict[Hashable, T] = current_app.extensions.setdefault("render_cache", {}).setdefault(area, {})
    try:
        return cache[key]
    except KeyError:
        pass
    value = make()
    if len(cache) >= kept:
        cache.clear()
    cache[key] = value
    return value
