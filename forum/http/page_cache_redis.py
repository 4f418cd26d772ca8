"""The page cache's Redis store (forum.http.page_cache), for sites served by more than one machine.

A module of its own so redis, 6 MB resident once imported, is loaded only where HORSESHOE_REDIS_URL is
set: forum.http.page_cache.init_app imports it then, and every other process (the job worker
included, issue 21) keeps the pages in the data directory's SQLite file without it.
"""

from __future__ import annotations

import secrets

import redis


class RedisStore:
    """Pages as expiring Redis keys; the generation is one counter (INCR is atomic across servers).

    Old generations' pages are never read again and expire on their own, so memory stays bounded by
    the pages visited within one TTL (plus the server's maxmemory policy).
    """

    errors = (redis.RedisError,)  # a timeout or a refused connection: page_cache serves without the cache

    def __init__(self, url: str, prefix: str = "horseshoe:page-cache:") -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix

    def generation(self) -> int:
        value = self.client.get(self.prefix + "generation")
        if value is None:
            self._start_generation()
            value = self.client.get(self.prefix + "generation")
        return int(value or 0)

    def bump(self) -> None:
        self._start_generation()
        self.client.incr(self.prefix + "generation")

    def _start_generation(self) -> None:
        """Start a missing counter at a random point, never at 0.

        The counter is an ordinary key: maxmemory eviction or a flush can drop it while pages stored
        under older generations live on. Counting again from 0 would climb back to those keys and
        serve retired pages (hidden posts included); a random 62-bit start never meets them.
        """
        self.client.set(self.prefix + "generation", secrets.randbits(62), nx=True)

    def get(self, key: str) -> bytes | None:
        return self.client.get(self.prefix + key)

    def put(self, key: str, value: bytes, ttl_s: int) -> None:
        self.client.set(self.prefix + key, value, ex=ttl_s)
