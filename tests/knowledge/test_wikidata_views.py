"""Editors' "add from Wikidata" in the KB browser: search (wbsearchentities), preview a person
with their positions, import them with their offices (the same sync as `manage.py kb_sync`).
Wikidata is the hand-made fake of fixtures/wikidata/, replayed with `responses`."""

from __future__ import annotations

import datetime as dt

import pytest
import responses
from django.urls import reverse

from apps.knowledge.models import Entity, Tenure, WikidataSyncTarget
from tests.knowledge.fake_wikidata import API_URL, SPARQL_URL, FakeWikidata, install

HTMX = {"HX-Request": "true", "HX-Target": "wd-results"}
TRUMP, POTUS, US = "Q22686", "Q11696", "Q30"


@pytest.fixture
def wikidata(settings):
    settings.WIKIDATA_API_URL = API_URL
    settings.WIKIDATA_SPARQL_URL = SPARQL_URL
    settings.KB_SYNC_REQUEST_INTERVAL_MS = 0
    settings.KB_SYNC_BACKOFF_MS = 10
    settings.KB_SYNC_ATTEMPTS = 2
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        install(mock, FakeWikidata())
        yield mock


def search_url(q: str = "") -> str:
    return reverse("knowledge:wikidata_search") + (f"?q={q}" if q else "")


def preview_url(qid: str) -> str:
    return reverse("knowledge:wikidata_preview", args=[qid])


def import_url(qid: str) -> str:
    return reverse("knowledge:wikidata_import", args=[qid])


@pytest.mark.parametrize("htmx", [False, True])
def test_it_searches_wikidata_by_name_for_an_editor(client, editor, wikidata, htmx):
    client.force_login(editor)

    response = client.get(search_url("trump"), headers=HTMX if htmx else {})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{preview_url(TRUMP)}">Donald Trump</a>' in html
    assert "1 result on Wikidata for “trump”" in html
    assert ("<h1>" in html) is not htmx  # htmx gets the results only
    [call] = wikidata.calls
    assert "action=wbsearchentities" in call.request.url and "search=trump" in call.request.url


def test_a_search_marks_who_is_already_in_the_knowledge_base(client, editor, wikidata):
    client.force_login(editor)
    client.post(import_url(TRUMP))

    html = client.get(search_url("donald")).content.decode()

    trump = Entity.objects.get(wikidata_id=TRUMP)
    assert f'already in the knowledge base as <a href="/kb/{trump.uuid}/">Donald Trump</a>' in html


def test_the_preview_shows_the_person_with_their_positions_and_dates(client, editor, wikidata):
    client.force_login(editor)

    response = client.get(preview_url("Q910000003"))  # Liz Truss

    html = response.content.decode()
    assert response.status_code == 200
    assert "Liz Truss" in html and "female" in html
    assert "<td>Prime Minister of the United Kingdom <small>Q14211</small></td>" in html
    assert "<td>September 2022</td><td>25 October 2022</td>" in html  # month precision kept
    assert "Import with their offices" in html
    assert not Entity.objects.exists()  # a preview writes nothing


def test_it_imports_the_person_with_their_offices_and_countries(client, editor, wikidata):
    client.force_login(editor)

    response = client.post(import_url(TRUMP))

    trump = Entity.objects.get(wikidata_id=TRUMP)
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:entity", args=[trump.uuid])
    office = Entity.objects.get(wikidata_id=POTUS)
    assert (office.label, office.kind, office.jurisdiction.wikidata_id) == (
        "President of the United States",
        "office",
        US,
    )
    assert office.jurisdiction.demonyms == ["American", "U.S."]
    assert list(
        Tenure.objects.filter(person=trump).order_by("start").values_list("start", "end")
    ) == [(dt.date(2017, 1, 20), dt.date(2021, 1, 20)), (dt.date(2025, 1, 20), None)]
    assert WikidataSyncTarget.objects.filter(kind="person", key=TRUMP).exists()
    # The history says who imported it.
    assert {row.history_user for row in trump.history.all()} == {editor}
    assert {row.history_user for row in Tenure.history.filter(person_id=trump.pk)} == {editor}
    page = client.get(response["Location"]).content.decode()
    assert "“Donald Trump” imported from Wikidata with 2 tenures." in page


def test_an_htmx_import_redirects_the_page(client, editor, wikidata):
    client.force_login(editor)

    response = client.post(import_url(TRUMP), headers={"HX-Request": "true"})

    assert response.status_code == 204
    trump = Entity.objects.get(wikidata_id=TRUMP)
    assert response["HX-Redirect"] == reverse("knowledge:entity", args=[trump.uuid])


def test_when_wikidata_fails_the_import_says_so_and_writes_nothing(client, editor, wikidata):
    client.force_login(editor)
    wikidata.reset()
    wikidata.add("GET", API_URL, status=503, body="down")

    response = client.post(import_url(TRUMP))

    assert response.status_code == 502
    html = response.content.decode()
    assert "HTTP 503 after 2 attempts" in html and "The knowledge base was not changed." in html
    assert not Entity.objects.exists()


def test_a_person_not_on_wikidata_is_refused_with_a_clear_message(client, editor, wikidata):
    client.force_login(editor)

    response = client.get(preview_url("Q999999999"))

    assert response.status_code == 422
    assert "Q999999999 is not on Wikidata." in response.content.decode()


@pytest.mark.parametrize("path", ["/kb/wikidata/Trump/", "/kb/wikidata/Q0/import/"])
def test_a_malformed_id_is_not_found(client, editor, path):
    client.force_login(editor)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_only_editors_may_search_preview_or_import(client, role, request, wikidata):
    client.force_login(request.getfixturevalue(role))

    assert client.get(search_url("trump")).status_code == 403
    assert client.get(preview_url(TRUMP)).status_code == 403
    assert client.post(import_url(TRUMP)).status_code == 403
    assert not Entity.objects.exists()
    assert len(wikidata.calls) == 0  # nothing asked of Wikidata on their behalf


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(search_url("trump"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(import_url(TRUMP)).status_code == 302
    assert not Entity.objects.exists()


def test_the_search_page_links_to_it_for_editors_only(client, editor, annotator):
    client.force_login(editor)
    assert "Add from Wikidata" in client.get(reverse("knowledge:search")).content.decode()
    client.force_login(annotator)
    assert "Add from Wikidata" not in client.get(reverse("knowledge:search")).content.decode()
