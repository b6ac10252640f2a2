"""Production settings, as a real process started with a production environment sees them
(config/settings.py reads the environment once, at import, so this needs a process of its own)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    # A production process starts from a clean environment: nothing the test run set (such as
    # DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests, or DEBUG) may leak into it.
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TZ"}}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),  # 67 characters
            "ALLOWED_HOSTS": "factdesk.example.org",
            "CSRF_TRUSTED_ORIGINS": "https://factdesk.example.org",
            "DATABASE_URL": "postgres://factdesk:pw@db.internal:5432/factdesk",
            "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
            "FACTDESK_VAR_DIR": str(tmp_path / "var"),
        }
    )
    env.update(overrides)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_passes_the_deploy_check_with_production_settings(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_it_would_notice_a_deploy_warning(tmp_path):
    """The same check fails when production is misconfigured (here: HSTS switched off)."""
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _production_env(tmp_path, SECURE_HSTS_SECONDS="0"),
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_it_uses_secure_cookies_hsts_and_https_in_production(tmp_path):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: getattr(s, n) for n in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'CSRF_COOKIE_HTTPONLY', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', "
        "'DATA_UPLOAD_MAX_MEMORY_SIZE', 'AXES_FAILURE_LIMIT']}))"
    )
    env = _production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings")
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 5 * 1024 * 1024,
        "AXES_FAILURE_LIMIT": 6,
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps' is not a boolean"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is required when DEBUG is off"),
        ({"SECRET_KEY": "s3cret-but-short"}, "SECRET_KEY is too weak for production"),
        ({"DATABASE_URL": "mysql://app@db/factdesk"}, "must point at PostgreSQL"),
        ({"CELERY_BROKER_URL": "amqp://guest@rabbit//"}, "not a broker URL"),
        (
            {"DATABASE_OWNER_URL": "postgres://owner:pw@elsewhere:5432/factdesk"},
            "DATABASE_OWNER_URL='postgres://owner:***@elsewhere:5432/factdesk' points at another",
        ),
    ],
    ids=["debug", "no-secret-key", "weak-secret-key", "database", "broker", "owner"],
)
def test_it_refuses_to_start_with_a_bad_setting(tmp_path, overrides, message):
    result = _run(["manage.py", "check"], _production_env(tmp_path, **overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_reads_the_app_s_role_and_the_owner_s_apart(tmp_path):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['USER'], s.DATABASE_APP, s.DATABASE_OWNER]))"
    )
    env = _production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://factdesk_app:app-pw@db.internal:5432/factdesk",
        DATABASE_OWNER_URL="postgres://factdesk:owner-pw@db.internal:5432/factdesk",
    )
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "factdesk_app",
        {"USER": "factdesk_app", "PASSWORD": "app-pw"},
        {"USER": "factdesk", "PASSWORD": "owner-pw"},
    ]
    # Without an owner URL, one role does everything (local use): nothing to tell apart.
    env.pop("DATABASE_OWNER_URL")
    result = _run(["-c", code], env)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["factdesk_app", None, None]
