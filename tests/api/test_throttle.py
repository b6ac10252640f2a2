"""The API throttles hold under concurrency and cannot be dodged.

The concurrency test runs the production web process (gunicorn with config/gunicorn.conf.py: two
worker processes, threads in each) on the shared Redis cache, as deployed, and sends requests of
one key from 16 client threads at once: no more than the rate may get through."""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
import requests

from apps.accounts.api_keys import api_key_create
from tests.config.gunicorn_server import GunicornServer
from tests.services import require_redis

RATE = 40
CLIENTS = 16
REQUESTS_EACH = 6  # 96 requests in all, more than twice the rate


@pytest.fixture
def server(transactional_db, tmp_path):
    redis_url = require_redis()
    # A day-long window: the burst below cannot straddle two windows and be allowed twice.
    server = GunicornServer(
        tmp_path,
        CACHE_URL=redis_url,
        API_THROTTLE_RATE=f"{RATE}/day",
        API_ANON_THROTTLE_RATE="2/day",
    )
    server.start()
    yield server
    server.stop()


def _burst(url: str, headers: dict[str, str]) -> list[requests.Response]:
    responses: list[requests.Response] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client() -> None:
        with requests.Session() as session:
            start.wait()
            for _ in range(REQUESTS_EACH):
                response = session.get(url, headers=headers, timeout=30)
                with lock:
                    responses.append(response)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


def test_a_key_gets_no_more_than_its_rate_from_16_concurrent_clients(server):
    key = api_key_create(name=f"Busy {uuid.uuid4().hex[:6]}", scope="read", by=None)
    other = api_key_create(name=f"Quiet {uuid.uuid4().hex[:6]}", scope="read", by=None)

    responses = _burst(f"{server.url}/api/v1/entities", {"X-Api-Key": key.secret})

    statuses = Counter(r.status_code for r in responses)
    assert sum(statuses.values()) == CLIENTS * REQUESTS_EACH, server.log()[-2000:]
    assert statuses == {200: RATE, 429: CLIENTS * REQUESTS_EACH - RATE}, statuses
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["code"] == "throttled"
    assert int(refused.headers["Retry-After"]) > 0
    # Another key has a bucket of its own.
    response = requests.get(
        f"{server.url}/api/v1/entities", headers={"X-Api-Key": other.secret}, timeout=30
    )
    assert response.status_code == 200


def test_the_anonymous_throttle_ignores_a_client_sent_forwarded_for(server):
    url = f"{server.url}/api/schema/"
    statuses = [
        requests.get(url, headers={"X-Forwarded-For": f"203.0.113.{n}"}, timeout=60).status_code
        for n in range(1, 5)
    ]
    # All four come from 127.0.0.1, whatever they claim: two answered, then refused.
    assert statuses == [200, 200, 429, 429]


@pytest.fixture
def anon_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "2/day",
        },
    }


def _schema_statuses(client, forwarded: list[str]) -> list[int]:
    return [
        client.get("/api/schema/", HTTP_X_FORWARDED_FOR=xff, REMOTE_ADDR="10.0.0.9").status_code
        for xff in forwarded
    ]


@pytest.mark.django_db
def test_forwarded_for_is_not_trusted_without_a_proxy(client, anon_rate, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0 == settings.REST_FRAMEWORK["NUM_PROXIES"]
    assert _schema_statuses(client, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [200, 200, 429]


@pytest.mark.django_db
def test_with_a_trusted_proxy_the_address_it_saw_counts(client, anon_rate, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # Our proxy appends the address it saw; what the client wrote before it is not trusted.
    seen = ["6.6.6.6, 1.1.1.1", "7.7.7.7, 1.1.1.1", "8.8.8.8, 1.1.1.1", "2.2.2.2"]
    assert _schema_statuses(client, seen) == [200, 200, 429, 200]
