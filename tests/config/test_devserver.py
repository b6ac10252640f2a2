"""`manage.py runserver` (apps/devserver, what `make run` serves with): every answer arrives
whole, and its status line, headers and first body chunk leave in one write to the socket (with
TCP_NODELAY each write is a packet that wakes the client: five of them per answer before)."""

from __future__ import annotations

import socket
import socketserver
import threading

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from apps.devserver.management.commands.runserver import NoDelayWSGIServer


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/stream":  # no Content-Length: chunks as they come, then the connection closes
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"one,", b"two,", b"three"])
    if path == "/empty":
        start_response("304 Not Modified", [("ETag", '"x"')])
        return []
    body = b'{"hello": "world"}'
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class _Server(socketserver.ThreadingMixIn, NoDelayWSGIServer):
    daemon_threads = True  # as runserver's own threaded server


@pytest.fixture
def server(monkeypatch):
    writes: list[bytes] = []
    real_write = socketserver._SocketWriter.write

    def recording(self, data):
        writes.append(bytes(data))
        return real_write(self, data)

    monkeypatch.setattr(socketserver._SocketWriter, "write", recording)
    httpd = _Server(("127.0.0.1", 0), WSGIRequestHandler)
    httpd.set_app(app)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address, writes
    httpd.shutdown()
    httpd.server_close()


def _read_answer(sock: socket.socket, *, until_close: bool = False, has_body: bool = True) -> bytes:
    data = b""
    while True:
        chunk = sock.recv(65536)
        data += chunk
        if not chunk:
            return data
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep and not has_body:
            return data
        if sep and not until_close:
            length = [
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ]
            if length and len(body) >= length[0]:
                return data


def test_it_sends_an_answer_in_one_write_and_keeps_the_connection(server):
    address, writes = server
    with socket.create_connection(address) as sock:
        for _ in range(2):  # keep-alive: the second request on the same connection
            writes.clear()
            sock.sendall(b"GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = _read_answer(sock)

            assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
            assert b"\r\nContent-Length: 18\r\n" in answer and b"\r\nDate: " in answer
            assert answer.endswith(b'\r\n\r\n{"hello": "world"}')
            assert writes == [answer]


def test_it_sends_a_streamed_answers_later_chunks_as_they_come(server):
    address, writes = server
    with socket.create_connection(address) as sock:
        sock.sendall(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = _read_answer(sock, until_close=True)

    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"\r\n\r\none,two,three")
    assert b"\r\nConnection: close\r\n" in answer
    assert (
        len(writes) == 3
        and writes[0].endswith(b"\r\n\r\none,")
        and writes[1:]
        == [
            b"two,",
            b"three",
        ]
    )


@pytest.mark.parametrize(
    "request_line,status", [("HEAD /small", b"200 OK"), ("GET /empty", b"304 Not Modified")]
)
def test_it_sends_an_answer_without_a_body_in_one_write(server, request_line, status):
    address, writes = server
    with socket.create_connection(address) as sock:
        sock.sendall(f"{request_line} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        answer = _read_answer(sock, has_body=False)
        # The connection stays usable after it.
        sock.sendall(b"GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        after = _read_answer(sock)

    assert answer.startswith(b"HTTP/1.1 " + status + b"\r\n") and answer.endswith(b"\r\n\r\n")
    assert writes[0] == answer
    assert after.endswith(b'{"hello": "world"}')


@pytest.mark.django_db
def test_it_keeps_no_sql_under_debug_but_a_forced_debug_cursor_still_counts(monkeypatch, settings):
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.test.utils import CaptureQueriesContext

    from apps.devserver.management.commands.runserver import stop_keeping_sql

    settings.DEBUG = True
    # Put back after the test (the server changes it for its whole process).
    monkeypatch.setattr(BaseDatabaseWrapper, "queries_logged", BaseDatabaseWrapper.queries_logged)
    reset_queries()
    User.objects.count()
    assert len(connection.queries) == 1  # Django's own DEBUG behaviour, before

    stop_keeping_sql()
    reset_queries()
    User.objects.count()

    assert connection.queries == []
    with CaptureQueriesContext(connection) as captured:
        User.objects.count()
    assert len(captured) == 1
