"""API key authentication for newsroom systems (the browser uses Django's session instead).

A client sends the key printed when it was created, in `X-Api-Key: <key>` (or
`Authorization: Api-Key <key>`). Only a SHA-512 hash of the key is stored
(djangorestframework-api-key); the request then acts as the key's service user
(see apps.accounts.api_keys), and `request.auth` is the ScopedAPIKey.

Every request reads its key and the key's user from the database (one query): a revoked key, a
deactivated user, an expiry take effect at the next request, whatever process serves it. The
query is compiled to SQL once per database connection (apps.compiled_queries: Django's compiler
took longer than the query, about a tenth of a small API request)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apps.accounts.models import ScopedAPIKey
from apps.compiled_queries import CompiledValues, compiled

KEYWORDS = (b"api-key", b"bearer")


def api_key_of(request) -> ScopedAPIKey | None:
    """The key a DRF request was authenticated with, or None for a person (or nobody)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ScopedAPIKey) else None


@functools.cache
def _names() -> tuple[list[str], list[str]]:
    """The key's and its user's columns, in the order of the compiled query's row."""
    return (
        [f.attname for f in ScopedAPIKey._meta.concrete_fields],
        [f.attname for f in get_user_model()._meta.concrete_fields],
    )


def _key_query(connection) -> CompiledValues:
    key_names, user_names = _names()
    return CompiledValues(
        ScopedAPIKey.objects.filter(prefix="?").values(
            *key_names, *(f"user__{name}" for name in user_names)
        ),
        connection,
    )


def _key_with_user(prefix: str) -> ScopedAPIKey | None:
    """`ScopedAPIKey.objects.select_related("user").get(prefix=prefix)` (None if there is none)
    in one query compiled once per connection; the same instances, from the same row."""
    connection = connections[ScopedAPIKey.objects.db]
    rows = compiled(connection, "api-key-with-user", _key_query).rows(connection, prefix)
    if not rows:
        return None
    row = rows[0]  # the prefix is unique
    key_names, user_names = _names()
    key = ScopedAPIKey.from_db(connection.alias, key_names, row[: len(key_names)])
    user = None
    if key.user_id is not None:
        user = get_user_model().from_db(connection.alias, user_names, row[len(key_names) :])
    ScopedAPIKey.user.field.set_cached_value(key, user)
    return key


class APIKeyAuthentication(BaseAuthentication):
    header_hint = "X-Api-Key"

    def _raw_key(self, request) -> str | None:
        custom = request.META.get(settings.API_KEY_CUSTOM_HEADER)
        if custom is not None:
            return custom.strip()
        parts = get_authorization_header(request).split()
        if parts and parts[0].lower() in KEYWORDS:
            if len(parts) != 2:
                raise exceptions.AuthenticationFailed(
                    "Malformed Authorization header: send `Authorization: Api-Key <key>` "
                    "or `X-Api-Key: <key>`, with the key exactly as it was printed."
                )
            try:
                return parts[1].decode("ascii")
            except UnicodeDecodeError:
                raise exceptions.AuthenticationFailed("The API key contains non-ASCII characters.")
        return None

    def authenticate(self, request):
        raw = self._raw_key(request)
        if raw is None:
            return None
        prefix, dot, secret = raw.partition(".")
        if not (prefix and dot and secret):
            raise exceptions.AuthenticationFailed(
                "This is not an API key: a key looks like `AbCd1234.<32 characters>`. Send the "
                "whole key printed when it was created."
            )
        key = _key_with_user(prefix)
        if key is None or not key.is_valid(raw):
            raise exceptions.AuthenticationFailed(
                "Unknown API key. Check that the whole key was sent; an editor can create a new "
                "one at /accounts/keys/."
            )
        if key.revoked:
            raise exceptions.AuthenticationFailed(
                f"The API key {key.name!r} ({key.prefix}) was revoked. Ask an editor for a new key."
            )
        if key.has_expired:
            raise exceptions.AuthenticationFailed(
                f"The API key {key.name!r} ({key.prefix}) expired on {key.expiry_date:%Y-%m-%d}. "
                "Ask an editor for a new key."
            )
        if key.user is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed(
                f"The API key {key.name!r} ({key.prefix}) has no active service user (it was "
                "made outside Factdesk's key page). Create keys at /accounts/keys/ or with "
                "`manage.py create_api_key`."
            )
        return key.user, key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when no credentials were sent.
        return 'Api-Key realm="factdesk", header="X-Api-Key"'
