"""A well-behaved HTTP client for Wikidata: the Query Service (SPARQL) for lists, the Action API
(`wbgetentities`, 50 ids a request; `wbsearchentities`) for entities.

Wikimedia's robot policy asks for a descriptive User-Agent with a contact, one request at a time,
and backing off when told to: a 429 or 503 carries `Retry-After`, and the Action API answers a
lagged database with `{"error": {"code": "maxlag"}}` and a `Retry-After` header. This client
waits at least the configured interval between requests, honours `Retry-After` (capped), backs
off exponentially on 5xx and connection errors, and gives up after the configured number of
attempts with an error that names the request that failed. It counts requests and the seconds
spent on the network (waits included), so that a sync can report its own time apart.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

# The Action API's limit for ids per wbgetentities request (for clients without the apihighlimits
# right).
ENTITIES_PER_REQUEST = 50
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class WikidataUnavailable(Exception):
    """Wikidata did not answer usefully after the retries; `what` names the request."""

    def __init__(self, message: str, *, what: str) -> None:
        super().__init__(message)
        self.message = message
        self.what = what


@dataclass(frozen=True)
class ClientSettings:
    api_url: str
    sparql_url: str
    user_agent: str
    min_interval: float
    timeout: float
    attempts: int
    backoff: float
    max_wait: float

    @classmethod
    def from_django(cls) -> ClientSettings:
        return cls(
            api_url=settings.WIKIDATA_API_URL,
            sparql_url=settings.WIKIDATA_SPARQL_URL,
            user_agent=settings.WIKIDATA_USER_AGENT,
            min_interval=settings.KB_SYNC_REQUEST_INTERVAL_MS / 1000,
            timeout=settings.KB_SYNC_TIMEOUT_SECONDS,
            attempts=settings.KB_SYNC_ATTEMPTS,
            backoff=settings.KB_SYNC_BACKOFF_MS / 1000,
            max_wait=settings.KB_SYNC_MAX_WAIT_SECONDS,
        )


def chunks(items: Iterable[str], size: int = ENTITIES_PER_REQUEST) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class WikidataClient:
    def __init__(self, config: ClientSettings | None = None) -> None:
        self.config = config or ClientSettings.from_django()
        self.session = requests.Session()
        self.session.headers.update(
            {"User-Agent": self.config.user_agent, "Accept": "application/json"}
        )
        self.requests = 0
        self.network_seconds = 0.0
        self._last_request = 0.0

    def close(self) -> None:
        self.session.close()

    # --- The three calls Factdesk makes ---------------------------------------------------------

    def sparql(self, query: str, *, what: str) -> list[dict[str, Any]]:
        """The bindings of a SELECT query (SPARQL 1.1 JSON results), each as {var: value}.
        POST, so that a long VALUES list fits."""
        data = self._request(
            "POST",
            self.config.sparql_url,
            what=what,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            bindings = data["results"]["bindings"]
            return [
                {name: cell["value"] for name, cell in row.items() if isinstance(cell, dict)}
                for row in bindings
            ]
        except (KeyError, TypeError):
            raise WikidataUnavailable(
                f"{what}: the Query Service's answer is not SPARQL JSON results", what=what
            )

    def entities(
        self, ids: list[str], *, what: str, props: str = "info|labels|aliases|descriptions|claims"
    ) -> dict[str, Any]:
        """Entity JSON (the shape of Special:EntityData) of up to 50 ids, without the sitelinks
        (a head of state's links to every Wikipedia would double the download for nothing)."""
        if len(ids) > ENTITIES_PER_REQUEST:
            raise ValueError(f"at most {ENTITIES_PER_REQUEST} ids per request")
        params = {
            "action": "wbgetentities",
            "ids": "|".join(ids),
            "format": "json",
            "maxlag": "5",
        }
        params["props"] = props
        data = self._request("GET", self.config.api_url, what=what, params=params)
        found = data.get("entities") if isinstance(data, dict) else None
        if not isinstance(found, dict):
            raise WikidataUnavailable(
                f'{what}: the answer has no "entities" (not a wbgetentities answer)', what=what
            )
        return found

    def search(self, text: str, *, limit: int = 10, language: str = "en") -> list[dict[str, Any]]:
        what = f"searching Wikidata for “{text}”"
        data = self._request(
            "GET",
            self.config.api_url,
            what=what,
            params={
                "action": "wbsearchentities",
                "search": text,
                "language": language,
                "uselang": language,
                "type": "item",
                "limit": str(limit),
                "format": "json",
                "formatversion": "2",
            },
        )
        results = data.get("search") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise WikidataUnavailable(f'{what}: the answer has no "search" list', what=what)
        return [r for r in results if isinstance(r, dict) and isinstance(r.get("id"), str)]

    # --- Politeness ---------------------------------------------------------------------------------

    def _request(self, method: str, url: str, *, what: str, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return self._attempts(method, url, what=what, **kwargs)
        finally:
            self.network_seconds += time.monotonic() - started

    def _attempts(self, method: str, url: str, *, what: str, **kwargs: Any) -> Any:
        attempts = max(1, self.config.attempts)
        problem = ""
        for attempt in range(1, attempts + 1):
            self._pace()
            self.requests += 1
            wait: float | None = None
            try:
                response = self.session.request(method, url, timeout=self.config.timeout, **kwargs)
            except requests.Timeout:
                problem = f"no answer within {self.config.timeout:g} s"
            except requests.ConnectionError as exc:
                problem = f"cannot connect ({_short(exc)})"
            else:
                if response.status_code in RETRY_STATUSES:
                    problem = f"HTTP {response.status_code}"
                    wait = _retry_after(response.headers.get("Retry-After"))
                elif response.status_code >= 400:
                    raise WikidataUnavailable(
                        f"{what}: Wikidata answered HTTP {response.status_code}", what=what
                    )
                else:
                    try:
                        data = response.json()
                    except ValueError:
                        raise WikidataUnavailable(f"{what}: the answer is not JSON", what=what)
                    error = data.get("error") if isinstance(data, dict) else None
                    if isinstance(error, dict):
                        if error.get("code") != "maxlag":
                            raise WikidataUnavailable(
                                f"{what}: Wikidata refused the request "
                                f"({error.get('code')}: {error.get('info', '')})",
                                what=what,
                            )
                        problem = "the servers are lagged (maxlag)"
                        wait = _retry_after(response.headers.get("Retry-After"))
                    else:
                        return data
            if attempt == attempts:
                break
            if wait is None:
                wait = self.config.backoff * 2 ** (attempt - 1)
            if wait > self.config.max_wait:
                raise WikidataUnavailable(
                    f"{what}: {problem}; Wikidata asks to wait {wait:.0f} s, more than "
                    f"KB_SYNC_MAX_WAIT_SECONDS ({self.config.max_wait:g} s)",
                    what=what,
                )
            time.sleep(wait)
        raise WikidataUnavailable(f"{what}: {problem} after {attempts} attempts", what=what)

    def _pace(self) -> None:
        gap = time.monotonic() - self._last_request
        if self._last_request and gap < self.config.min_interval:
            time.sleep(self.config.min_interval - gap)
        self._last_request = time.monotonic()


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:200] + "…"
