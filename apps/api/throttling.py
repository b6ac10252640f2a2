"""Rate limits: one bucket per API key (`api_key` rate), one per signed-in person (`user`), one per
address for requests without credentials (`anon`). Counters live in Django's cache: with several
web processes, configure a shared cache (Redis) so that the limit holds across them.

The rates are read from settings at request time (not at import, as DRF's classes do), so that a
change of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] applies without a restart of the tests."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from apps.accounts.authentication import api_key_of


def _rate(scope: str) -> str | None:
    return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope)


class APIKeyThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        key = api_key_of(request)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.prefix}


class PersonThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if api_key_of(request) is not None or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class AnonymousThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        return _rate(self.scope)
