"""The production web process (gunicorn with config/gunicorn.conf.py) keeps serving while clients
upload slowly: three uploads trickling in do not hold it, /healthz still answers at once, and an
upload that stops arriving is cut off after WEB_BODY_TIMEOUT instead of holding a thread."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.contrib.auth.models import Group

from apps.accounts import roles
from apps.accounts.api_keys import api_key_create
from apps.articles.models import Article
from tests.config.gunicorn_server import GunicornServer

BODY_TIMEOUT = 4


@pytest.fixture
def server(transactional_db, tmp_path):
    # A write key acts as an annotator: the role group (made by a data migration, which a
    # transactional test's flush removes).
    Group.objects.get_or_create(name=roles.ANNOTATOR)
    server = GunicornServer(tmp_path, WEB_BODY_TIMEOUT=str(BODY_TIMEOUT))
    server.start()
    yield server
    server.stop()


def _slow_upload(server: GunicornServer, key: str) -> socket.socket:
    """An article import announcing 2 MB of JSON, of which only the first bytes are sent."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(
        b"POST /api/v1/articles HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\n"
        b"X-Api-Key: " + key.encode() + b"\r\n"
        b"Content-Length: 2000000\r\n\r\n"
        b'{"title": "Slow", "body": "'
    )
    return sock


def _healthz_seconds(server: GunicornServer) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
        assert response.status == 200
    return time.monotonic() - started


def test_three_slow_uploads_do_not_stop_the_server(server):
    key = api_key_create(name=f"CMS {uuid.uuid4().hex[:6]}", scope="write", by=None).secret
    assert "Using worker: gthread" in server.log()
    uploads = [_slow_upload(server, key) for _ in range(3)]
    try:
        time.sleep(0.5)  # each upload now holds a thread, reading its body
        for step in range(3):
            for sock in uploads:
                sock.sendall(b"x" * 10)  # still arriving, slowly
            assert _healthz_seconds(server) < 2, server.log()[-2000:]
            time.sleep(0.3 * step)
    finally:
        for sock in uploads:
            sock.close()


def test_an_upload_that_stops_arriving_is_cut_off(server):
    key = api_key_create(name=f"CMS {uuid.uuid4().hex[:6]}", scope="write", by=None).secret
    sock = _slow_upload(server, key)
    try:
        started = time.monotonic()
        answer = b""
        while chunk := sock.recv(65536):  # the server answers, then closes the connection
            answer += chunk
        waited = time.monotonic() - started
    finally:
        sock.close()
    assert BODY_TIMEOUT - 1 < waited < BODY_TIMEOUT + 10, waited
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"stopped arriving" in answer
    assert not Article.objects.filter(title="Slow").exists()
    assert _healthz_seconds(server) < 2


def test_the_real_server_refuses_control_characters_and_answers_options(server):
    """Through gunicorn, not the test client: the raw %0A reaches Django as a newline."""
    for path, kind in (("/api/v1/articles%0A", "application/json"), ("/review/%0A", "text/html")):
        request = urllib.request.Request(f"{server.url}{path}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400
        assert refused.value.headers["Content-Type"].startswith(kind)
        assert "control character (%0A)" in refused.value.read().decode()
    request = urllib.request.Request(f"{server.url}/healthz", method="OPTIONS")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert "GET" in response.headers["Allow"]
