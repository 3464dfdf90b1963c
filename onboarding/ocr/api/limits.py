"""Per-client request rate limit through Django's cache (shared across processes when it is Redis)."""

from __future__ import annotations

import time

from django.core.cache import cache


def rate_limit_exceeded(*, key: str, limit: int, now: float | None = None) -> bool:
    """Count one request in the current one-second window; True when `key` is over `limit` in it.

    A fixed window keyed by the second: one atomic increment per request, and every process that
    shares the cache shares the count.
    """
    if limit <= 0:
        return False
    window = int(time.time() if now is None else now)
    cache_key = f"ocr-api-rate:{key}:{window}"
    cache.add(cache_key, 0, timeout=5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(cache_key, 1, timeout=5)
        count = 1
    return count > limit
