"""API key authentication for newsroom systems (the browser uses Django's session instead).

A client sends the key printed when it was created, in `X-Api-Key: <key>` (or
`Authorization: Api-Key <key>`). Only a SHA-512 hash of the key is stored
(djangorestframework-api-key); the request then acts as the key's service user
(see apps.accounts.api_keys), and `request.auth` is the ScopedAPIKey.

Every request reads its key and the key's user from the database (one query): a revoked key, a
deactivated user, an expiry take effect at the next request, whatever process serves it. The
query's SQL is compiled once per database connection (Django's compiler took longer than the
query itself, about a tenth of a small API request)."""

from __future__ import annotations

import weakref

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apps.accounts.models import ScopedAPIKey

KEYWORDS = (b"api-key", b"bearer")


def api_key_of(request) -> ScopedAPIKey | None:
    """The key a DRF request was authenticated with, or None for a person (or nobody)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ScopedAPIKey) else None


class _KeyQuery:
    """`ScopedAPIKey.objects.select_related("user").filter(prefix=…)` compiled to SQL once for
    a connection, run with each request's prefix; rows become the same instances (Model.from_db,
    with the database's converters) as the ORM's."""

    _PLACEHOLDER = "prefix?"

    def __init__(self, connection) -> None:
        user_model = get_user_model()
        self.key_names = [f.attname for f in ScopedAPIKey._meta.concrete_fields]
        self.user_names = [f.attname for f in user_model._meta.concrete_fields]
        queryset = ScopedAPIKey.objects.filter(prefix=self._PLACEHOLDER).values(
            *self.key_names, *(f"user__{name}" for name in self.user_names)
        )
        self.compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = self.compiler.as_sql()
        if list(params) != [self._PLACEHOLDER]:
            raise AssertionError(f"expected the prefix as the only parameter, got {params!r}")
        fields = [col[0] for col in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(fields)
        self.user_model = user_model

    def key(self, connection, prefix: str) -> ScopedAPIKey | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, (prefix,))
            rows = cursor.fetchall()
        if not rows:
            return None
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        row = rows[0]  # the prefix is unique
        split = len(self.key_names)
        key = ScopedAPIKey.from_db(connection.alias, self.key_names, row[:split])
        user = None
        if key.user_id is not None:
            user = self.user_model.from_db(connection.alias, self.user_names, row[split:])
        ScopedAPIKey.user.field.set_cached_value(key, user)
        return key


_key_queries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _key_with_user(prefix: str) -> ScopedAPIKey | None:
    """The key with this prefix and its user, in one query; None if there is none."""
    connection = connections[ScopedAPIKey.objects.db]
    query = _key_queries.get(connection)
    if query is None:
        query = _key_queries[connection] = _KeyQuery(connection)
    return query.key(connection, prefix)


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
