"""Typed readers for environment variables. A bad value stops the process with a clear message."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- The settings that must never be wrong in production ---------------------------------------

_WEAK_KEY_PREFIX = "django-insecure"
_PLACEHOLDER = re.compile(r"change[-_ ]?me", re.IGNORECASE)


def env_secret_key(name: str = "SECRET_KEY", *, debug: bool, fallback: Callable[[], str]) -> str:
    """The secret key. With DEBUG off it is required and must pass Django's own deploy check
    (50+ characters, 5+ different ones, not a generated `django-insecure-` key); with DEBUG on,
    an unset key comes from `fallback` (a key kept on the local machine)."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        if debug:
            return fallback()
        raise ImproperlyConfigured(
            f"{name} is required when DEBUG is off. Set {name} to 50+ random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or DEBUG=1 for a local run that keeps a generated key under var/."
        )
    if not debug and _PLACEHOLDER.search(value):
        raise ImproperlyConfigured(
            f"{name} is still the placeholder from .env.example: set it to 50+ random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if not debug and (len(value) < 50 or len(set(value)) < 5 or value.startswith(_WEAK_KEY_PREFIX)):
        raise ImproperlyConfigured(
            f"{name} is too weak for production ({len(value)} characters, {len(set(value))} "
            "different): use 50+ random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    return value


def env_database_url(name: str, default: str, *, conn_max_age: int = 0) -> dict[str, Any]:
    """A Django DATABASES entry from a PostgreSQL or SQLite URL; anything else stops the process
    with the reason (a typo here would otherwise surface as a 500 on the first request)."""
    import dj_database_url

    url = (os.environ.get(name) or "").strip() or default
    shown = _without_password(url)
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    except Exception as exc:  # UnknownSchemeError, ParseError, ValueError: all mean a bad URL
        raise ImproperlyConfigured(
            f"{name}={shown!r} is not a database URL ({exc}). Use "
            "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////absolute/path.sqlite3."
        ) from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured(
                f"{name}={shown!r} names no database: add it after the last '/' "
                "(postgres://USER@HOST:5432/NAME)."
            )
    elif engine == "django.db.backends.sqlite3":
        if config.get("NAME") in ("", ":memory:"):
            raise ImproperlyConfigured(
                f"{name}={shown!r} is an in-memory SQLite database, which the web server and the "
                "worker cannot share: give a file, sqlite:////absolute/path.sqlite3."
            )
    else:
        raise ImproperlyConfigured(
            f"{name}={shown!r} must point at PostgreSQL (postgres://...) or SQLite (sqlite:///...)."
        )
    return config


def env_database_owner(name: str, database: dict[str, Any]) -> dict[str, Any] | None:
    """The credentials of the role that owns the tables (PostgreSQL), for `manage.py migrate`,
    when the app's own DATABASE_URL connects as another role. None when unset or when it names the
    app's role itself (then one role does everything, as in local use)."""
    url = (os.environ.get(name) or "").strip()
    if not url:
        return None
    owner = env_database_url(name, url)
    shown = _without_password(url)
    if (
        database["ENGINE"] != "django.db.backends.postgresql"
        or owner["ENGINE"] != database["ENGINE"]
    ):
        raise ImproperlyConfigured(
            f"{name}={shown!r}: a separate owner role is for PostgreSQL only; "
            "both it and DATABASE_URL must be postgres:// URLs."
        )
    where = ("HOST", "PORT", "NAME")
    if [owner[key] for key in where] != [database[key] for key in where]:
        raise ImproperlyConfigured(
            f"{name}={shown!r} points at another database than DATABASE_URL: "
            "both must name the same host, port and database, with different users."
        )
    if not owner.get("USER") or owner["USER"] == database.get("USER"):
        return None
    if not database.get("USER"):
        raise ImproperlyConfigured(
            f"{name} is set but DATABASE_URL names no user: give the app's role "
            "(postgres://factdesk_app:PASSWORD@HOST:5432/NAME)."
        )
    return {"USER": owner["USER"], "PASSWORD": owner.get("PASSWORD", "")}


_BROKER_SCHEMES = {"redis", "rediss", "filesystem", "memory"}


def env_broker_url(name: str, default: str) -> str:
    """The Celery broker: Redis in production, kombu's filesystem transport locally."""
    url = (os.environ.get(name) or "").strip() or default
    shown = _without_password(url)
    parts = urlsplit(url)
    if parts.scheme not in _BROKER_SCHEMES or "://" not in url:
        raise ImproperlyConfigured(
            f"{name}={shown!r} is not a broker URL this project supports: use "
            "redis://HOST:6379/0 (rediss:// for TLS) or filesystem:// (local, no server)."
        )
    if parts.scheme in {"redis", "rediss"}:
        try:
            port = parts.port
        except ValueError:
            port = -1
        database = parts.path.strip("/")
        if not parts.hostname or port == -1 or (database and not database.isdigit()):
            raise ImproperlyConfigured(
                f"{name}={shown!r} is not a Redis URL: use redis://[:PASSWORD@]HOST[:PORT][/DB] "
                "with a numeric port and database number."
            )
    return url


def env_cache(name: str) -> dict[str, Any]:
    """The default cache (API throttling counts live there): each process's memory when unset —
    fine for one process — or a Redis server shared by every web process in production."""
    url = (os.environ.get(name) or "").strip()
    if not url or url == "locmem://":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if urlsplit(url).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(
            f"{name}={_without_password(url)!r} is not a cache this project supports: use "
            "redis://HOST:6379/1 (shared by all web processes) or leave it unset (per process)."
        )
    env_broker_url(name, url)  # the same checks of host, port and database number
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def _without_password(url: str) -> str:
    """The URL as it may appear in an error message."""
    try:
        parts = urlsplit(url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        pass
    return url
