"""`manage.py runserver`: Django's (with staticfiles' handler, as before), on a server that

- sends each answer without waiting: TCP_NODELAY on every accepted connection. The server
  writes the headers and the body of an answer in separate sends; with Nagle's algorithm on,
  the body waited for the client's (delayed) ACK of the headers, up to 40 ms per request on a
  keep-alive connection (bench/peer_ops.py, bench/README.md "Peer operations");
- gives freed heap back to the system after a request that grew the process (an export, a
  bulk import: config.memory), once the answer is sent. The objects of the loaded app are
  frozen (gc.freeze()) before the first request, as the worker and gunicorn do, so that the full
  collection before the trim reads only what requests left: 1-3 ms instead of ~100-300 ms;
- closes the database connections of a client's thread when the client disconnects, as
  Django's own threaded test server does: connections are kept between the requests of one
  keep-alive client (CONN_MAX_AGE) and never outlive it."""

from __future__ import annotations

import gc
import socket

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver
from django.core.servers.basehttp import WSGIServer
from django.db import connections

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


def _trimming(handler_class):
    class TrimmingHandler(handler_class):
        def handle_one_request(self) -> None:
            super().handle_one_request()
            # After the answer is sent: an export or a bulk import left tens of MB of freed
            # heap that glibc keeps (config.memory).
            trim_if_grown()

    return TrimmingHandler


class Command(StaticRunserver):
    server_cls = NoDelayWSGIServer

    def get_handler(self, *args, **options):
        # After the system checks (which load the URLconf) and the handler's middleware.
        handler = super().get_handler(*args, **options)
        gc.collect()
        gc.freeze()
        return handler
