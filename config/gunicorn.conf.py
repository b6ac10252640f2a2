"""gunicorn settings of the web process (Dockerfile, docker-compose.yml and Procfile start
`gunicorn -c config/gunicorn.conf.py config.wsgi:application`).

Threaded workers (gthread): a sync worker serves one request at a time, so three clients that
upload slowly (or one slow database query per worker) held every worker and the health check
timed out. With threads, a slow request holds one thread of one worker; the others, and the
worker's main loop (which keeps slow clients that have not sent a request yet out of the pool),
go on serving. Each setting can be changed by an environment variable (WEB_…)."""

from __future__ import annotations

import gc
import os
import socket


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name}={value!r} is not a whole number") from None
    if number < 1:
        raise SystemExit(f"{name}={value!r} must be at least 1")
    return number


bind = os.environ.get("WEB_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
worker_class = "gthread"
# The app is loaded once, in the master, before the workers are forked: they share its pages
# instead of each loading (and holding) its own copy; pre_fork below keeps them shared. A code
# change then needs a restart of the master (SIGHUP reloads the workers from the same code).
preload_app = True
# One worker process of 8 threads by default. Python runs one thread of a process at a time, so
# a second process only helps when a core is idle, and on the small machine the design targets (2
# cores) the Celery worker takes the other core; each process also holds its own ~50-80 MiB once
# it has served an export or a bulk import (web + worker PSS on PostgreSQL after bench/peer_ops.py:
# 343 MiB with two, 276 with one; bench/README.md). Raise it with the cores (WEB_CONCURRENCY).
workers = _int("WEB_CONCURRENCY", 1)
threads = _int("WEB_THREADS", 8)
# A worker whose main loop is stuck this long is restarted (threads waiting on a slow client do
# not count: the main loop goes on).
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# A client that stops sending in the middle of a request body: the read gives up after this many
# seconds of silence, the thread is freed and the request fails (see pre_request below).
REQUEST_BODY_TIMEOUT = _int("WEB_BODY_TIMEOUT", 30)
# Headers: gunicorn's limits, stated (a request line longer than this is refused with 414).
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"


def pre_request(worker, req) -> None:
    """Bound the silence between two reads of the request body. gthread waits for the request
    line and headers in its main loop, but once a thread has the request it reads the body with
    a blocking socket and no time limit; a socket timeout makes a stalled upload fail (and free
    its thread) instead of holding it for as long as the client likes."""
    sock = getattr(getattr(req, "unreader", None), "sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(REQUEST_BODY_TIMEOUT)


def pre_fork(server, worker) -> None:
    """Leave the objects of the loaded app out of the workers' garbage collections: a collection
    writes to every object it examines, and each page it writes to becomes the worker's own copy
    (copy-on-write) instead of staying shared with the master and the other workers."""
    gc.freeze()


def post_request(worker, req, environ, resp) -> None:
    """Once the answer is sent: give back the heap a large request (an export, a bulk import)
    left, as runserver does (config.memory)."""
    from config.memory import trim_if_grown

    trim_if_grown()
