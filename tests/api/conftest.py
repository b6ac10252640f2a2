from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.accounts.api_keys import api_key_create

ROLES = ("anonymous", "read_key", "write_key", "annotator", "reviewer", "editor")


@pytest.fixture(autouse=True)
def _api_defaults(settings):
    """Throttle counters start empty; list pages show changes at once (the sync test sets the
    settle delay itself)."""
    cache.clear()
    settings.API_SYNC_SETTLE_SECONDS = 0
    yield
    cache.clear()


@pytest.fixture
def read_key(db):
    return api_key_create(name="Data desk", scope="read", by=None)


@pytest.fixture
def write_key(db):
    return api_key_create(name="CMS", scope="write", by=None)


def key_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=secret)
    return client


def user_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def clients(db, read_key, write_key, annotator, reviewer, editor):
    """One API client per role, by name (see ROLES)."""
    return {
        "anonymous": APIClient(),
        "read_key": key_client(read_key.secret),
        "write_key": key_client(write_key.secret),
        "annotator": user_client(annotator),
        "reviewer": user_client(reviewer),
        "editor": user_client(editor),
    }
