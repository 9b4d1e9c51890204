"""Rate limits per anonymous address, per signed-in user, and for the token endpoint.

The counters live in Django's default cache: Redis in production (CACHE_URL), so every gunicorn
worker and every host behind the load balancer counts against the same allowance; a per-process
memory cache in the embedded run and the tests.

DRF's throttles copy the rates when their module is imported; these read them on every request,
so a deployment (or a test) that changes REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] takes effect.
If the cache server is unreachable the request is let through (and logged): an outage of the
counter store must not take the whole API down with it.
"""

import logging

from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


class _LiveRates:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache backend's own connection errors vary by backend
            logger.warning(
                "Rate-limit cache unreachable; letting the request through", exc_info=True
            )
            return True


class AnonThrottle(_LiveRates, throttling.AnonRateThrottle):
    pass


class UserThrottle(_LiveRates, throttling.UserRateThrottle):
    pass


class TokenRequestThrottle(_LiveRates, throttling.SimpleRateThrottle):
    """Attempts to get a token, per client address, whoever they claim to be."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
