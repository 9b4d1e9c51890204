"""Rate-limit counters in a shared cache (Redis in production, CACHE_URL): every process sees the
same count. The test uses the suite's own Redis database (TEST_CELERY_BROKER_URL)."""

import os

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

REDIS_URL = os.environ.get("CELERY_BROKER_URL", "")
needs_redis = pytest.mark.skipif(
    not REDIS_URL.startswith("redis://"), reason="the suite runs without Redis"
)


def _rates(settings, user: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": user,
        },
    }


@needs_redis
def test_a_second_process_sees_the_same_throttle_count(settings, api_client_for, agent):
    location = REDIS_URL
    shared = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"throttle-test-{os.getpid()}",
        }
    }
    _rates(settings, "3/minute")
    client = api_client_for(agent)
    # A context, not the settings fixture: the suite's cache.clear() must never flush Redis.
    with override_settings(CACHES=shared):
        _count_across_processes(client, location, agent)


def _count_across_processes(client, location: str, agent) -> None:
    try:
        assert [client.get("/api/v1/tickets/").status_code for _ in range(3)] == [200] * 3
        # Another process: its own connection to the same Redis, nothing shared in memory.
        elsewhere = RedisCache(location, {"KEY_PREFIX": f"throttle-test-{os.getpid()}"})
        assert len(elsewhere.get(f"throttle_user_{agent.pk}")) == 3
        assert client.get("/api/v1/tickets/").status_code == 429
    finally:
        RedisCache(location, {"KEY_PREFIX": f"throttle-test-{os.getpid()}"}).delete(
            f"throttle_user_{agent.pk}"
        )


def test_an_unreachable_cache_lets_requests_through(settings, api_client_for, agent):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    _rates(settings, "3/minute")
    client = api_client_for(agent)
    with override_settings(CACHES=unreachable):
        assert client.get("/api/v1/tickets/").status_code == 200
