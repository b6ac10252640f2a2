"""The environment readers in config/env.py stop the process with a clear message on a bad value,
instead of starting with a wrong setting that fails later, on a request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_broker_url,
    env_database_owner,
    env_database_url,
    env_int,
    env_secret_key,
)

STRONG_KEY = "k3Jx9-pQ2vL8mN4rT6wY1zA5cE7gI0oU_sD2fH4jK6lZ8xC0vB"  # 51 characters


def _never() -> str:
    raise AssertionError("the local fallback must not be used")


@pytest.mark.parametrize("value", ["maybe", "2", "enabled", "tru"])
def test_it_refuses_a_boolean_it_cannot_read(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured, match=f"DEBUG='{value}' is not a boolean; use one of"):
        env_bool("DEBUG", False)


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), (" TRUE ", True), ("off", False), ("0", False)]
)
def test_it_reads_booleans(monkeypatch, value, expected):
    monkeypatch.setenv("DEBUG", value)
    assert env_bool("DEBUG", not expected) is expected


def test_it_refuses_an_integer_it_cannot_read_or_below_its_minimum(monkeypatch):
    monkeypatch.setenv("AXES_FAILURE_LIMIT", "six")
    with pytest.raises(ImproperlyConfigured, match="'six' is not an integer"):
        env_int("AXES_FAILURE_LIMIT", 6, minimum=1)
    monkeypatch.setenv("AXES_FAILURE_LIMIT", "0")
    with pytest.raises(ImproperlyConfigured, match="must be at least 1"):
        env_int("AXES_FAILURE_LIMIT", 6, minimum=1)


def test_it_requires_a_secret_key_in_production(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required when DEBUG is off"):
        env_secret_key("SECRET_KEY", debug=False, fallback=_never)
    monkeypatch.setenv("SECRET_KEY", "   ")
    with pytest.raises(ImproperlyConfigured, match="required"):
        env_secret_key("SECRET_KEY", debug=False, fallback=_never)


@pytest.mark.parametrize(
    "key",
    [
        STRONG_KEY[:49],  # too short
        "ab" * 30,  # long but only 2 different characters
        "django-insecure-" + STRONG_KEY,  # Django's generated development key
    ],
)
def test_it_refuses_a_weak_secret_key_in_production(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ImproperlyConfigured, match="too weak for production.*50\\+ random"):
        env_secret_key("SECRET_KEY", debug=False, fallback=_never)


def test_it_refuses_the_placeholder_secret_key_of_env_example(monkeypatch):
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    placeholder = re.search(r"^SECRET_KEY=(.*)$", example, re.M).group(1)
    monkeypatch.setenv("SECRET_KEY", placeholder)
    with pytest.raises(ImproperlyConfigured, match="still the placeholder from .env.example"):
        env_secret_key("SECRET_KEY", debug=False, fallback=_never)


def test_it_takes_a_strong_secret_key_and_keeps_a_local_one_for_debug(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", f"  {STRONG_KEY} ")
    assert env_secret_key("SECRET_KEY", debug=False, fallback=_never) == STRONG_KEY
    monkeypatch.delenv("SECRET_KEY")
    assert env_secret_key("SECRET_KEY", debug=True, fallback=lambda: "local") == "local"


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("mysql://app@db/factdesk", "must point at PostgreSQL .* or SQLite"),
        ("postgress://app@db/factdesk", "is not a database URL"),
        ("factdesk", "is not a database URL"),
        ("postgres://app@db:5432/", "names no database"),
        ("postgres://app@db:port/factdesk", "is not a database URL"),
        ("sqlite://", "in-memory SQLite"),
    ],
)
def test_it_refuses_a_database_url_it_cannot_use(monkeypatch, url, match):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match=match):
        env_database_url("DATABASE_URL", "sqlite:////tmp/default.sqlite3")


def test_it_never_shows_the_database_password_in_its_message(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:s3cret-pw@db:5432/")
    with pytest.raises(ImproperlyConfigured) as caught:
        env_database_url("DATABASE_URL", "sqlite:////tmp/default.sqlite3")
    assert "s3cret-pw" not in str(caught.value)
    assert "app:***@db" in str(caught.value)


APP_URL = "postgres://factdesk_app:app-pw@db.internal:5432/factdesk"


def _app_database(monkeypatch, url: str = APP_URL) -> dict:
    monkeypatch.setenv("DATABASE_URL", url)
    return env_database_url("DATABASE_URL", "sqlite:////tmp/x.sqlite3")


def test_it_reads_the_owner_of_the_tables_apart_from_the_app_s_role(monkeypatch):
    database = _app_database(monkeypatch)
    monkeypatch.setenv(
        "DATABASE_OWNER_URL", "postgres://factdesk:owner-pw@db.internal:5432/factdesk"
    )
    assert env_database_owner("DATABASE_OWNER_URL", database) == {
        "USER": "factdesk",
        "PASSWORD": "owner-pw",
    }
    # Unset, or the app's own role: one role does everything (local use).
    monkeypatch.delenv("DATABASE_OWNER_URL")
    assert env_database_owner("DATABASE_OWNER_URL", database) is None
    monkeypatch.setenv("DATABASE_OWNER_URL", APP_URL)
    assert env_database_owner("DATABASE_OWNER_URL", database) is None


@pytest.mark.parametrize(
    ("app_url", "owner_url", "match"),
    [
        (APP_URL, "postgres://factdesk:pw@other-host:5432/factdesk", "another database"),
        (APP_URL, "postgres://factdesk:pw@db.internal:5432/elsewhere", "another database"),
        ("sqlite:////tmp/x.sqlite3", "postgres://factdesk@db:5432/factdesk", "PostgreSQL only"),
        (APP_URL, "sqlite:////tmp/x.sqlite3", "PostgreSQL only"),
        (APP_URL, "mysql://factdesk@db/factdesk", "must point at PostgreSQL"),
        ("postgres://db.internal:5432/factdesk", APP_URL.replace("_app", ""), "names no user"),
    ],
    ids=["other-host", "other-database", "sqlite-app", "sqlite-owner", "mysql", "no-app-user"],
)
def test_it_refuses_an_owner_url_for_another_database(monkeypatch, app_url, owner_url, match):
    database = _app_database(monkeypatch, app_url)
    monkeypatch.setenv("DATABASE_OWNER_URL", owner_url)
    with pytest.raises(ImproperlyConfigured, match=match) as caught:
        env_database_owner("DATABASE_OWNER_URL", database)
    assert "DATABASE_OWNER_URL" in str(caught.value)
    assert ":pw@" not in str(caught.value)


def test_it_reads_postgres_and_sqlite_urls(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@db.internal:5433/factdesk")
    config = env_database_url("DATABASE_URL", "sqlite:////tmp/x.sqlite3", conn_max_age=60)
    assert (config["ENGINE"], config["NAME"], config["HOST"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "factdesk",
        "db.internal",
        5433,
    )
    assert config["CONN_MAX_AGE"] == 60
    monkeypatch.setenv("DATABASE_URL", "")
    config = env_database_url("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.sqlite3", "/tmp/x.sqlite3")


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("amqp://guest@rabbit//", "not a broker URL this project supports"),
        ("redis:/localhost", "not a broker URL"),
        ("localhost:6379", "not a broker URL"),
        ("redis://", "is not a Redis URL"),
        ("redis://cache:port/0", "is not a Redis URL"),
        ("redis://cache:6379/zero", "is not a Redis URL"),
    ],
)
def test_it_refuses_a_broker_url_it_cannot_use(monkeypatch, url, match):
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    with pytest.raises(ImproperlyConfigured, match=match):
        env_broker_url("CELERY_BROKER_URL", "filesystem://")


def test_it_reads_broker_urls_without_showing_their_password(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://:s3cret@cache:6379/7")
    assert env_broker_url("CELERY_BROKER_URL", "filesystem://") == "redis://:s3cret@cache:6379/7"
    monkeypatch.setenv("CELERY_BROKER_URL", "rediss://:s3cret@cache:port/7")
    with pytest.raises(ImproperlyConfigured) as caught:
        env_broker_url("CELERY_BROKER_URL", "filesystem://")
    assert "s3cret" not in str(caught.value)
    monkeypatch.delenv("CELERY_BROKER_URL")
    assert env_broker_url("CELERY_BROKER_URL", "filesystem://") == "filesystem://"


def test_it_uses_a_shared_redis_cache_when_asked_and_refuses_other_caches(monkeypatch):
    from config.env import env_cache

    monkeypatch.delenv("CACHE_URL", raising=False)
    assert env_cache("CACHE_URL")["BACKEND"].endswith("LocMemCache")
    monkeypatch.setenv("CACHE_URL", "redis://:s3cret@cache:6379/1")
    assert env_cache("CACHE_URL") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://:s3cret@cache:6379/1",
    }
    for bad in ("memcached://cache:11211", "redis://cache:port/1"):
        monkeypatch.setenv("CACHE_URL", bad)
        with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
            env_cache("CACHE_URL")
