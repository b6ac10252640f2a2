"""Rate limits: one bucket per API key (`api_key` rate), one per signed-in person (`user`), one per
address for requests without credentials (`anon`).

The counting is django-ratelimit's: a fixed window per bucket, counted with the cache's atomic
`add` and `incr` (on Redis, SET NX and INCRBY). DRF's own SimpleRateThrottle reads the list of
recent requests, appends and writes it back, so concurrent requests of one key overwrite each
other's entries and more than the rate got through (+15% with 16 clients). Counters live in
Django's cache: with several web processes, configure a shared cache (CACHE_URL=redis://…) so that
the limit holds across them.

The address of an anonymous client is DRF's `get_ident`: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT
(REST_FRAMEWORK["NUM_PROXIES"]) set, the address that many proxies back in X-Forwarded-For; a
client-sent X-Forwarded-For is never trusted otherwise.

The rates are read from settings at request time (not at import, as DRF's classes do), so that a
change of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] applies without a restart of the tests."""

from __future__ import annotations

import logging

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from apps.accounts.authentication import api_key_of

logger = logging.getLogger("apps.api")


def _rate(scope: str) -> str | None:
    return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope)


class _WindowThrottle(BaseThrottle):
    """One fixed-window counter per (scope, ident); `ident` None means "not this throttle's"."""

    scope: str

    def ident(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        self.seconds_left = 0
        rate = _rate(self.scope)
        ident = self.ident(request, view) if rate else None
        if ident is None:
            return True
        # "600/minute" as DRF reads it (the first letter of the period counts).
        limit, period = SimpleRateThrottle.parse_rate(self, rate)
        try:
            usage = get_usage(
                request,
                group=f"api-{self.scope}",
                key=lambda group, request: ident,
                rate=(limit, period),
                increment=True,
            )
        except Exception:  # the cache is down: serve rather than refuse every request
            logger.warning("API throttle %s not counted: the cache did not answer", self.scope)
            return True
        if usage is None or usage["time_left"] < 0:  # disabled, or the count failed
            return True
        self.seconds_left = usage["time_left"]
        return not usage["should_limit"]

    def wait(self) -> float | None:
        return max(1, self.seconds_left)


class APIKeyThrottle(_WindowThrottle):
    scope = "api_key"

    def ident(self, request, view) -> str | None:
        key = api_key_of(request)
        return None if key is None else key.prefix


class PersonThrottle(_WindowThrottle):
    scope = "user"

    def ident(self, request, view) -> str | None:
        if api_key_of(request) is not None or not request.user.is_authenticated:
            return None
        return str(request.user.pk)


class AnonymousThrottle(_WindowThrottle):
    scope = "anon"

    def ident(self, request, view) -> str | None:
        if api_key_of(request) is not None or request.user.is_authenticated:
            return None
        return self.get_ident(request)
