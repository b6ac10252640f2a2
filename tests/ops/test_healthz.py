from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_it_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["database"]["ok"] is True
    assert data["broker"]["ok"] is True


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_down(client, monkeypatch):
    from config.celery import app

    previous = app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    data = response.json()
    assert data["ok"] is False
    assert data["broker"]["ok"] is False
    assert data["database"]["ok"] is True


@pytest.mark.django_db
def test_it_tells_an_anonymous_caller_nothing_about_the_internals(client, monkeypatch, settings):
    """Down or up, the database's host and port, the engine and the broker's address stay out
    of the anonymous answer."""
    from config.celery import app

    database = settings.DATABASES["default"]
    previous = app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        down = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    up = client.get("/healthz")
    for response in (down, up):
        text = response.content.decode()
        assert response.json().keys() == {"ok", "database", "broker"}
        for secret in ("127.0.0.1", ":1", "redis", "postgres", "sqlite", database["NAME"]):
            assert secret not in text, (secret, text)
        if database.get("PORT"):
            assert str(database["PORT"]) not in text
    assert down.status_code == 503 and down.json()["broker"] == {"ok": False}


@pytest.mark.django_db
def test_a_superuser_sees_why(client, django_user_model, monkeypatch):
    from config.celery import app

    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    previous = app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["broker"]["error"]
