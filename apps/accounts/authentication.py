"""API key authentication for newsroom systems (the browser uses Django's session instead).

A client sends the key printed when it was created, in `X-Api-Key: <key>` (or
`Authorization: Api-Key <key>`). Only a SHA-512 hash of the key is stored
(djangorestframework-api-key); the request then acts as the key's service user
(see apps.accounts.api_keys), and `request.auth` is the ScopedAPIKey."""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apps.accounts.models import ScopedAPIKey

KEYWORDS = (b"api-key", b"bearer")


def api_key_of(request) -> ScopedAPIKey | None:
    """The key a DRF request was authenticated with, or None for a person (or nobody)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ScopedAPIKey) else None


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
        key = ScopedAPIKey.objects.select_related("user").filter(prefix=prefix).first()
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
