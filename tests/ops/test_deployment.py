"""Docker does not run on the CI machine, so the deployment files are checked by reading them:
the compose file has the production topology and every command names code that exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else command.split()


def test_it_has_the_production_services_with_healthchecks_and_volumes():
    compose = _compose()
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    assert {"postgres-data", "redis-data"} <= set(compose["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("web", "worker", "beat"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )


def test_it_points_every_command_at_code_that_exists():
    services = _compose()["services"]
    gunicorn = _command(services["web"])
    assert gunicorn[:3] == ["gunicorn", "-c", "config/gunicorn.conf.py"]
    assert (ROOT / gunicorn[2]).exists()
    module, attribute = gunicorn[3].split(":")
    assert hasattr(importlib.import_module(module), attribute)
    for name in ("worker", "beat"):
        command = _command(services[name])
        assert command[:3] == ["celery", "-A", "config"], command
        assert command[3] == {"worker": "worker", "beat": "beat"}[name]
        assert importlib.import_module("config").celery_app.main == "factdesk"
    migrate = _command(services["migrate"])
    assert migrate[:3] == ["python", "manage.py", "migrate"]
    assert (ROOT / "manage.py").exists()


def test_it_builds_the_image_from_the_same_lock_as_make():
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"pip install -r requirements\.lock", dockerfile)
    assert "pip install --quiet -r requirements.lock" in makefile
    env_example = (ROOT / ".env.example").read_text()
    for variable in (
        "SECRET_KEY",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "CACHE_URL",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
    ):
        assert re.search(rf"^{variable}=", env_example, re.M), variable


def test_it_runs_the_procfile_processes_from_real_modules():
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, command = line.split(":", 1)
        if "gunicorn" in command:
            assert "config.wsgi:application" in command
        else:
            assert "celery -A config" in command, name
