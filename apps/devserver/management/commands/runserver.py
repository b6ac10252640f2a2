"""`manage.py runserver`: Django's (with staticfiles' handler, as before), on a server that

- sends each answer without waiting: TCP_NODELAY on every accepted connection. The server
  writes the headers and the body of an answer in separate sends; with Nagle's algorithm on,
  the body waited for the client's (delayed) ACK of the headers, up to 40 ms per request on a
  keep-alive connection (bench/peer_ops.py, bench/README.md "Peer operations");
- sends the status line, the headers and the first chunk of the body in one write instead of
  five (wsgiref writes the status line, Date, Server, the other headers and each body chunk
  apart): with TCP_NODELAY each write was a packet of its own that woke the client up;
  a streamed answer (the export) still sends each later chunk as it comes;
- gives freed heap back to the system after a request that grew the process (an export, a
  bulk import: config.memory), once the answer is sent. The objects of the loaded app are
  frozen (gc.freeze()) before the first request, as the worker and gunicorn do, so that the full
  collection before the trim reads only what requests left: 1-3 ms instead of ~100-300 ms;
- closes the database connections of a client's thread when the client disconnects, as
  Django's own threaded test server does: connections are kept between the requests of one
  keep-alive client (CONN_MAX_AGE) and never outlive it;
- does not keep the SQL of every query under DEBUG (`make run`): nothing in this server reads
  it (no debug toolbar; a request starts by clearing it), and on SQLite keeping it cost a
  second query per statement (Django quotes the parameters with `SELECT QUOTE(?)`), about a
  fifteenth of a 20-span annotation. A forced debug cursor (CaptureQueriesContext, the tests'
  query counts) still records."""

from __future__ import annotations

import gc
import socket

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver
from django.core.servers.basehttp import ServerHandler, WSGIRequestHandler, WSGIServer
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from config.memory import trim_if_grown


class NoDelayWSGIServer(WSGIServer):
    def __init__(self, server_address, handler_class, *args, **kwargs) -> None:
        super().__init__(server_address, _trimming(handler_class), *args, **kwargs)

    def get_request(self):
        conn, address = super().get_request()
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not TCP (never with runserver's address; harmless)
            pass
        return conn, address

    def close_request(self, request):
        connections.close_all()
        super().close_request(request)


class OneWriteServerHandler(ServerHandler):
    """Holds what wsgiref writes before the body (status line, Date, Server, headers) and sends
    it with the first body chunk, or at the end of an answer without a body."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[bytes] | None = []

    def _write(self, data: bytes) -> None:
        if self._held is None:
            super()._write(data)
        else:
            self._held.append(data)

    def _release(self) -> None:
        held, self._held = self._held, None
        if held:
            super()._write(b"".join(held))

    def write(self, data: bytes) -> None:
        super().write(data)  # the headers first if they were not sent yet, then the chunk
        self._release()

    def finish_content(self) -> None:
        super().finish_content()  # an answer without a body: the headers alone
        self._release()

    def close(self) -> None:
        try:
            self._release()  # HEAD: Django's finish_response sends the headers, then closes
        finally:
            super().close()


def _one_request(handler: WSGIRequestHandler) -> None:
    """Django's WSGIRequestHandler.handle_one_request with OneWriteServerHandler."""
    handler.raw_requestline = handler.rfile.readline(65537)
    if len(handler.raw_requestline) > 65536:
        handler.requestline = ""
        handler.request_version = ""
        handler.command = ""
        handler.send_error(414)
        return
    if not handler.parse_request():  # an error answer was sent
        return
    server_handler = OneWriteServerHandler(
        handler.rfile, handler.wfile, handler.get_stderr(), handler.get_environ()
    )
    server_handler.request_handler = handler  # for logging and closing the connection
    server_handler.run(handler.server.get_app())


def _trimming(handler_class):
    class TrimmingHandler(handler_class):
        def handle_one_request(self) -> None:
            _one_request(self)
            # After the answer is sent: an export or a bulk import left tens of MB of freed
            # heap that glibc keeps (config.memory).
            trim_if_grown()

    return TrimmingHandler


def stop_keeping_sql() -> None:
    """Connections of this process record their queries only when a debug cursor is forced."""
    BaseDatabaseWrapper.queries_logged = property(lambda self: self.force_debug_cursor)


class Command(StaticRunserver):
    server_cls = NoDelayWSGIServer

    def get_handler(self, *args, **options):
        # After the system checks (which load the URLconf) and the handler's middleware.
        handler = super().get_handler(*args, **options)
        gc.collect()
        gc.freeze()
        return handler

    def inner_run(self, *args, **options):
        stop_keeping_sql()
        super().inner_run(*args, **options)
