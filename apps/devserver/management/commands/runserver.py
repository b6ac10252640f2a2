"""`manage.py runserver`: Django's (with staticfiles' handler, as before), on a server that

- sends each answer without waiting: TCP_NODELAY on every accepted connection. The server
  writes the headers and the body of an answer in separate sends; with Nagle's algorithm on,
  the body waited for the client's (delayed) ACK of the headers, up to 40 ms per request on a
  keep-alive connection (bench/peer_ops.py, bench/README.md "Peer operations");
- closes the database connections of a client's thread when the client disconnects, as
  Django's own threaded test server does: connections are kept between the requests of one
  keep-alive client (CONN_MAX_AGE) and never outlive it."""

from __future__ import annotations

import socket

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver
from django.core.servers.basehttp import WSGIServer
from django.db import connections


class NoDelayWSGIServer(WSGIServer):
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


class Command(StaticRunserver):
    server_cls = NoDelayWSGIServer
