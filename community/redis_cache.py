"""Django's Redis cache, keeping its Redis client instead of building one per call.

`RedisCacheClient.get_client()` makes a new `redis.Redis` for every cache operation; building
one fills its table of about 170 response callbacks, which costs more than the round trip to
a local Redis. The client is thread-safe and its pool is already kept, so it is kept too.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
