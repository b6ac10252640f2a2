from __future__ import annotations

import pytest
import responses

from tests.knowledge.fake_wikidata import API_URL, SPARQL_URL, FakeWikidata, install


@pytest.fixture
def kb_changes(monkeypatch):
    """The entity ids every KB writer reports to the checks (`kb_changed`), one list per call.
    The real function still runs: this only listens."""
    import apps.checks.kb_changes as checks

    calls: list[list[int]] = []
    original = checks.kb_changed

    def listening(*, entity_ids):
        calls.append(list(entity_ids))
        return original(entity_ids=entity_ids)

    monkeypatch.setattr(checks, "kb_changed", listening)
    return calls


@pytest.fixture
def fake():
    return FakeWikidata()


@pytest.fixture
def wikidata(fake, settings):
    """Wikidata answered by the fake through `responses`; no request leaves the process."""
    settings.WIKIDATA_API_URL = API_URL
    settings.WIKIDATA_SPARQL_URL = SPARQL_URL
    settings.KB_SYNC_REQUEST_INTERVAL_MS = 0
    settings.KB_SYNC_BACKOFF_MS = 10
    settings.KB_SYNC_ATTEMPTS = 3
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        install(mock, fake)
        yield mock
