"""An editor adds a person from Wikidata in Chromium: search by name (results as one types),
preview the positions, import; Wikidata is the hand-made fake of tests/knowledge/fixtures/wikidata,
served over HTTP by a local server (the live server is another thread, `responses` is not in the
way of a real socket)."""

from __future__ import annotations

import pytest

from apps.knowledge.models import Entity, Tenure
from tests.browser.conftest import login
from tests.knowledge.fake_wikidata import FakeWikidata, FakeWikidataServer

pytestmark = pytest.mark.browser


@pytest.fixture
def wikidata(settings):
    fake = FakeWikidata()
    with FakeWikidataServer(fake) as server:
        settings.WIKIDATA_API_URL = server.api_url
        settings.WIKIDATA_SPARQL_URL = server.sparql_url
        settings.KB_SYNC_REQUEST_INTERVAL_MS = 0
        yield fake


def test_an_editor_finds_previews_and_imports_a_person_from_wikidata(page, editor, wikidata):
    login(page, editor)

    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("link", name="Add from Wikidata").click()
    page.get_by_label("Name on Wikidata").fill("starmer")
    page.get_by_role("button", name="Search Wikidata").click()
    page.get_by_role("link", name="Keir Starmer").click()

    table = page.get_by_role("table")
    table.get_by_text("Prime Minister of the United Kingdom").wait_for()
    assert "5 July 2024" in table.inner_text() and "in office" in table.inner_text()
    assert "Member of the Parliament of the United Kingdom" in table.inner_text()
    page.get_by_role("button", name="Import with their offices").click()

    page.get_by_text("“Keir Starmer” imported from Wikidata with 2 tenures.").wait_for()
    assert page.get_by_role("heading", name="Keir Starmer").is_visible()
    assert page.locator("svg.timeline rect").count() == 2
    starmer = Entity.objects.get(wikidata_id="Q910000001")
    office = Tenure.objects.get(person=starmer, office__wikidata_id="Q14211").office
    assert office.jurisdiction.demonyms == ["British"]
    actions = [params.get("action") for kind, params in wikidata.requests if kind == "api"]
    assert actions[0] == "wbsearchentities" and "wbgetentities" in actions

    # Searching again shows that he is in the knowledge base now.
    page.goto("/kb/wikidata/?q=keir")
    page.get_by_text("already in the knowledge base as").wait_for()
    assert page.errors == []
