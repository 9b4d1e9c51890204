"""Rate limits per anonymous address, per signed-in user, and for the token endpoint.

DRF's throttles copy the rates when their module is imported; these read them on every request,
so a deployment (or a test) that changes REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] takes effect.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _LiveRates:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRates, throttling.AnonRateThrottle):
    pass


class UserThrottle(_LiveRates, throttling.UserRateThrottle):
    pass


class TokenRequestThrottle(_LiveRates, throttling.SimpleRateThrottle):
    """Attempts to get a token, per client address, whoever they claim to be."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
