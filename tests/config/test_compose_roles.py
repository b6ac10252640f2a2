"""The compose topology runs migrate as the owner of the tables and everything else as the app's
role (Docker does not run on the CI machine: the files are read, and their database URLs are put
through the same readers as config/settings.py)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from config.env import env_database_owner, env_database_url

ROOT = Path(__file__).resolve().parents[2]


def _services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_it_gives_the_owner_s_credentials_to_migrate_only(monkeypatch):
    services = _services()
    example = _env_example()
    owner_url = services["migrate"]["environment"]["DATABASE_OWNER_URL"].replace(
        "${POSTGRES_PASSWORD}", example["POSTGRES_PASSWORD"]
    )
    monkeypatch.setenv("DATABASE_URL", example["DATABASE_URL"])
    monkeypatch.setenv("DATABASE_OWNER_URL", owner_url)
    app = env_database_url("DATABASE_URL", "sqlite:////tmp/unused.sqlite3")
    owner = env_database_owner("DATABASE_OWNER_URL", app)

    assert owner == {"USER": "factdesk", "PASSWORD": example["POSTGRES_PASSWORD"]}
    assert owner["USER"] == services["postgres"]["environment"]["POSTGRES_USER"]
    assert app["USER"] == "factdesk_app"
    assert services["migrate"]["command"][:3] == ["python", "manage.py", "migrate"]
    for name in ("web", "worker", "beat", "migrate"):
        environment = services[name].get("environment", {})
        # .env holds the owner's password for the postgres service: blanked for the app.
        assert environment.get("POSTGRES_PASSWORD") == "", name
        if name != "migrate":
            assert "DATABASE_OWNER_URL" not in environment, name


def test_it_never_names_the_owner_in_the_app_s_database_url():
    example = (ROOT / ".env.example").read_text()
    (url,) = re.findall(r"^DATABASE_URL=(.*)$", example, re.M)
    assert not url.startswith("postgres://factdesk:")
    assert "DATABASE_OWNER_URL" not in example  # only the migrate service builds it
