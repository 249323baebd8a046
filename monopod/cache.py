"""Django's Redis cache, keeping one client per connection pool instead of building one per call; and
counters (throttles) counted in the same round trip as the reads that go with them.

Django makes a new ``redis.Redis`` for every cache operation, and each one sets up some 170 response
callbacks: about a tenth of a millisecond of CPU, several times per API request (user, permissions,
throttle). A client is safe to share between threads (its pool hands out connections), so one per pool
is kept and reused.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient


def _redis_parts(backend: redis.RedisCache, key: str) -> tuple[str, Any, Any]:
    """``key`` as the Redis cache stores it, the client that writes it, and the cache's serializer."""
    full_key = backend.make_and_validate_key(key)
    return full_key, backend._cache.get_client(full_key, write=True), backend._cache._serializer  # type: ignore[attr-defined]


def get_many_and_count(keys: list[str], counter: str, *, timeout: int) -> tuple[dict[str, Any], int]:
    """``cache.get_many(keys)`` and one hit on the counter ``counter`` (made to live ``timeout`` seconds).

    On Redis both go in one round trip (MGET, INCR, EXPIRE NX): an API request reads its user and
    counts itself against its throttle together. Other backends make the calls one by one.
    """
    backend = caches["default"]
    if not isinstance(backend, redis.RedisCache):
        return backend.get_many(keys), counter_hit(counter, timeout=timeout)
    full_keys = [backend.make_and_validate_key(key) for key in keys]
    full_counter, client, serializer = _redis_parts(backend, counter)
    pipeline = client.pipeline(transaction=False)
    pipeline.mget(full_keys)
    pipeline.incr(full_counter)
    pipeline.expire(full_counter, timeout, nx=True)
    values, count, _expiry_set = pipeline.execute()
    loads = serializer.loads
    found = {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}
    return found, int(count)


def add_or_get(backend: Any, key: str, value: Any, *, timeout: int) -> tuple[bool, Any]:
    """``backend.add(key, value)``, and when the key was there already, its value: ``(added, value)``.

    On Redis one round trip (``SET NX GET``); other backends add, then get (the key may be gone by
    then: ``(False, None)``).
    """
    if not isinstance(backend, redis.RedisCache):
        if backend.add(key, value, timeout=timeout):
            return True, value
        return False, backend.get(key)
    full_key, client, serializer = _redis_parts(backend, key)
    previous = client.set(full_key, serializer.dumps(value), nx=True, ex=timeout, get=True)
    if previous is None:
        return True, value
    return False, serializer.loads(previous)


_DELETE_IF_UNCHANGED = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


def delete_if_unchanged(backend: Any, key: str, value: Any) -> bool:
    """Delete ``key`` if it still holds ``value``; whether it did.

    On Redis atomically (a script); other backends compare, then delete.
    """
    if not isinstance(backend, redis.RedisCache):
        if backend.get(key) != value:
            return False
        return bool(backend.delete(key))
    full_key, client, serializer = _redis_parts(backend, key)
    return bool(client.eval(_DELETE_IF_UNCHANGED, 1, full_key, serializer.dumps(value)))


_SET_IF_UNCHANGED = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
    return 1
end
return 0
"""


def set_if_unchanged(backend: Any, key: str, value: Any, new_value: Any, *, timeout: int) -> bool:
    """Set ``key`` to ``new_value`` (for ``timeout`` seconds) if it still holds ``value``; whether it did.

    On Redis atomically (a script); other backends compare, then set.
    """
    if not isinstance(backend, redis.RedisCache):
        if backend.get(key) != value:
            return False
        backend.set(key, new_value, timeout=timeout)
        return True
    full_key, client, serializer = _redis_parts(backend, key)
    dumps = serializer.dumps
    return bool(client.eval(_SET_IF_UNCHANGED, 1, full_key, dumps(value), dumps(new_value), timeout))


def counter_hit(counter: str, *, timeout: int) -> int:
    """Count one hit on ``counter``, which lives ``timeout`` seconds from its first hit; returns the count."""
    backend = caches["default"]
    if isinstance(backend, redis.RedisCache):  # INCR and EXPIRE NX in one round trip
        full_key, client, _serializer = _redis_parts(backend, counter)
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, timeout, nx=True)
        count, _expiry_set = pipeline.execute()
        return int(count)
    if backend.add(counter, 1, timeout=timeout):
        return 1
    try:
        return int(backend.incr(counter))
    except ValueError:  # expired between the two calls: this hit opens the counter again
        backend.add(counter, 1, timeout=timeout)
        return 1
