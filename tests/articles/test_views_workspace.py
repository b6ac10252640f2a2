"""The workspace page and its partials (annotation list, findings panel), the article list, and
the body edit; the number of queries of the workspace is pinned."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.annotations import services
from apps.annotations.models import Claim, DateMention, EntityMention, Quote
from apps.articles.models import Article
from apps.articles.services import article_update_body
from apps.checks.models import Finding
from tests.articles.views_helpers import (
    EACH_ROLE,
    HTMX,
    assert_refused,
    hx,
    redirect_path,
    sign_in,
    text_of,
)
from tests.factories import ArticleFactory, annotate

pytestmark = pytest.mark.django_db

BODY = "UK Prime Minister Keir Starmer met allies in Paris on January 6, 2024. The talks ran late."


def make(article, kind, text, user, **fields):
    return annotate(article, kind, text, user, **fields)


@pytest.fixture
def article(db):
    return ArticleFactory(title="Paris <meeting>", body=BODY)


# --- the page -----------------------------------------------------------------------------------


@EACH_ROLE
def test_it_shows_the_workspace_to_every_newsroom_role(client, request, article, annotator, role):
    claim = make(article, "claim", BODY[: BODY.index(" The talks")], annotator)
    sign_in(client, request, role)
    response = client.get(f"/articles/{article.uuid}/")
    if role in ("annotator", "reviewer", "editor"):
        html = text_of(response)
        assert response.status_code == 200
        assert "Paris &lt;meeting&gt;" in html
        assert f'data-ids="claim/{claim.uuid}"' in html
        # Only annotators and editors get the selection menu and the create form.
        assert ('id="selection-menu"' in html) == (role != "reviewer")
    else:
        assert_refused(response, role, False)


def test_it_highlights_nested_spans_and_opens_one(client, annotator, article):
    sentence = BODY[: BODY.index(" The talks")]
    claim = make(article, "claim", sentence, annotator)
    mention = make(
        article,
        "mention",
        "Keir Starmer",
        annotator,
        title_start=0,
        title_end=17,
        title_text="UK Prime Minister",
    )
    date = make(article, "date", "January 6, 2024", annotator, value=dt.date(2024, 1, 6))
    client.force_login(annotator)
    response = client.get(f"/articles/{article.uuid}/", {"open": f"date/{date.uuid}"})
    html = text_of(response)
    body = html[
        html.index('id="article-body"') : html.index("</div>", html.index('id="article-body"'))
    ]
    assert (
        f'<mark class="hl t-claim t-title" data-ids="mention/{mention.uuid} claim/{claim.uuid}">'
        "UK Prime Minister</mark>"
    ) in body
    assert (
        f'<mark class="hl t-claim t-date" data-ids="date/{date.uuid} claim/{claim.uuid}">'
        "January 6, 2024</mark>"
    ) in body
    assert body.endswith(" The talks ran late.")  # outside every span: plain text
    assert 'data-key="date/' in html and "2024-01-06" in html  # the open date's detail


@HTMX
def test_it_serves_the_annotation_list_filtered_by_state(
    client, reviewer, annotator, article, htmx
):
    approved = make(article, "mention", "Keir Starmer", annotator)
    services.annotation_review(span=approved, user=reviewer, approve=True, expected_version=1)
    proposed = make(article, "mention", "Paris", annotator)
    client.force_login(reviewer)
    response = client.get(
        f"/articles/{article.uuid}/annotations/", {"state": "approved"}, headers=hx(htmx)
    )
    if not htmx:
        assert redirect_path(response) == f"/articles/{article.uuid}/?state=approved"
        response = client.get(f"/articles/{article.uuid}/", {"state": "approved"})
    html = text_of(response)
    rows = html[html.index('id="annotations"') :]
    assert f'data-key="mention/{approved.uuid}"' in rows
    assert f'data-key="mention/{proposed.uuid}"' not in rows
    if htmx:
        assert html.lstrip().startswith('<section id="annotations"')
        assert 'id="article-body"' not in html


def test_it_sends_the_body_with_the_list_after_extraction(client, annotator, article):
    client.force_login(annotator)
    response = client.get(
        f"/articles/{article.uuid}/annotations/", {"with_body": "1"}, headers=hx(True)
    )
    html = text_of(response)
    assert html.lstrip().startswith('<section id="annotations"')
    assert re.search(
        rf'<div id="article-body" class="ws-body" lang="en" data-length="{len(BODY)}" '
        r'data-speakers="[^"]*" hx-swap-oob="true">',
        html,
    )


@EACH_ROLE
@HTMX
def test_it_serves_the_findings_panel(client, request, article, role, htmx):
    Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity="error",
        message="Starmer was not PM <then>.",
        fingerprint="a",
    )
    sign_in(client, request, role)
    response = client.get(f"/articles/{article.uuid}/findings/", headers=hx(htmx))
    if role in ("annotator", "reviewer", "editor"):
        if htmx:
            html = text_of(response)
            assert html.lstrip().startswith('<section id="findings"')
            assert "Starmer was not PM &lt;then&gt;." in html
            # Only reviewers and editors get the actions.
            assert ("Acknowledge" in html) == (role != "annotator")
        else:
            assert redirect_path(response) == f"/articles/{article.uuid}/"
    else:
        assert_refused(response, role, htmx)


def test_it_links_a_finding_on_a_title_of_office_to_its_mention(
    client, reviewer, annotator, article
):
    mention = make(
        article,
        "mention",
        "Keir Starmer",
        annotator,
        title_start=0,
        title_end=17,
        title_text="UK Prime Minister",
    )
    Finding.objects.create(
        article=article,
        code="ROLE_AT_DATE",
        check_version="1",
        severity="error",
        message="Keir Starmer was not UK Prime Minister then.",
        fingerprint="t",
        spans=[
            {"type": "title", "uuid": str(mention.uuid), "exact": "UK Prime Minister Keir Starmer"}
        ],
    )
    client.force_login(reviewer)
    html = text_of(client.get(f"/articles/{article.uuid}/"))
    assert f'data-flash="mention/{mention.uuid}"' in html
    row = html[html.index(f'data-key="mention/{mention.uuid}"') :]
    assert '<span class="badge flag" title="open findings">⚑ 1</span>' in row[: row.index("</li>")]


def test_it_polls_the_findings_while_checks_run_and_stops_when_done(client, annotator, article):
    Article.objects.filter(pk=article.pk).update(
        extracted_sha256=article.body_sha256, check_state=Article.CheckState.RUNNING
    )
    client.force_login(annotator)
    url = f"/articles/{article.uuid}/findings/"
    html = text_of(client.get(url, {"polling": "1"}, headers=hx(True)))
    assert 'hx-trigger="every 2s"' in html and "Checks are running" in html

    Article.objects.filter(pk=article.pk).update(check_state=Article.CheckState.DONE)
    response = client.get(url, {"polling": "1"}, headers=hx(True))
    html = text_of(response)
    assert "hx-trigger" not in html[: html.index(">")]  # the new panel no longer polls
    assert "Checks done" in html
    assert "HX-Trigger" not in response  # extraction did not run in between


def test_it_tells_the_list_to_reload_when_extraction_ran_meanwhile(client, annotator, article):
    Article.objects.filter(pk=article.pk).update(
        check_state=Article.CheckState.PENDING, extracted_sha256=""
    )
    client.force_login(annotator)
    url = f"/articles/{article.uuid}/findings/"
    first = text_of(client.get(f"/articles/{article.uuid}/"))
    assert "Finding proposals in the text" not in first  # the checks state wins
    assert "Checks are queued" in first
    Article.objects.filter(pk=article.pk).update(
        extracted_sha256=article.body_sha256,
        extracted_at=dt.datetime(2026, 1, 7, 12, tzinfo=dt.UTC),
        check_state=Article.CheckState.DONE,
    )
    response = client.get(url, {"polling": "1", "ex": ""}, headers=hx(True))
    assert response["HX-Trigger"] == "annotationsChanged"


def test_it_pins_the_queries_of_the_workspace_whatever_the_number_of_annotations(
    client, annotator, django_assert_max_num_queries
):
    """100,000 characters with 2,000 annotations take the same number of queries as a short
    article with four."""
    small = ArticleFactory(body=BODY)
    big = ArticleFactory(body=_long_body(100_000))
    for article, count in ((small, 4), (big, 2000)):
        _bulk_annotations(article, count, annotator)
    finding_spans = [{"type": "claim", "uuid": str(Claim.objects.filter(article=big).first().uuid)}]
    for article in (small, big):
        Finding.objects.create(
            article=article,
            code="X",
            check_version="1",
            severity="warning",
            message="m",
            fingerprint="f",
            spans=finding_spans,
        )
    client.force_login(annotator)

    def count(article) -> int:
        claim = Claim.objects.filter(article=article).order_by("id").first()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/articles/{article.uuid}/", {"open": f"claim/{claim.uuid}"})
        assert response.status_code == 200
        return len(queries)

    count(small)  # warm up: session, content types
    small_count = count(small)
    with django_assert_max_num_queries(12):
        big_count = count(big)
    assert big_count == small_count
    html = text_of(client.get(f"/articles/{big.uuid}/"))
    assert html.count('<li class="row ') == 2000
    assert html.count("<mark ") >= 2000


def _long_body(length: int) -> str:
    rng = random.Random(5)
    words = [
        "Paris",
        "allies",
        "met",
        "on",
        "Tuesday",
        "and",
        "the",
        "talks",
        "went",
        "late",
        "Starmer",
        "said",
        "😀",
        "coalition",
        "support",
        "2024",
    ]
    parts, size = [], 0
    while size < length:
        sentence = " ".join(rng.choice(words) for _ in range(12)).capitalize() + ". "
        parts.append(sentence)
        size += len(sentence)
    return "".join(parts)[:length].rstrip() + "."


def _bulk_annotations(article, count: int, user) -> None:
    """`count` spans of the four types, some nested or overlapping, straight into the tables."""
    body, models = article.body, [Claim, Quote, EntityMention, DateMention]
    rows = {model: [] for model in models}
    step = max(1, len(body) // count)
    for i in range(count):
        start = min(i * step, len(body) - 40)
        end = start + (60 if i % 4 == 0 else 12)
        end = min(end, len(body))
        while not body[start:end].strip():
            end += 1
        model = models[i % 4]
        rows[model].append(
            model(article=article, start=start, end=end, exact=body[start:end], created_by=user)
        )
    for model, objects in rows.items():
        model.objects.bulk_create(objects)


# --- the article list ---------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_lists_articles_with_search_and_filters(client, request, role, htmx):
    ArticleFactory(title="Budget vote delayed", source="Daily Wire")
    ArticleFactory(title="Paris talks", source="Test Wire", status="checked")
    ArticleFactory(title="Budget passes", source="Test Wire")
    sign_in(client, request, role)
    response = client.get("/articles/", {"q": "budget", "source": "Test Wire"}, headers=hx(htmx))
    if role in ("annotator", "reviewer", "editor"):
        html = text_of(response)
        assert "Budget passes" in html
        assert "Budget vote delayed" not in html and "Paris talks" not in html
        assert "1 article match" in html
        assert html.lstrip().startswith('<div id="article-results">') == htmx
    else:
        assert_refused(response, role, htmx)


def test_it_pages_the_article_list_keeping_the_filters(client, annotator):
    for i in range(55):
        ArticleFactory(title=f"Story {i:02}", source="Test Wire", published_on=dt.date(2026, 1, 1))
    client.force_login(annotator)
    html = text_of(client.get("/articles/", {"source": "Test Wire"}))
    assert "Page 1 of 2" in html
    assert 'href="?source=Test+Wire&amp;page=2"' in html
    html = text_of(client.get("/articles/", {"source": "Test Wire", "page": "2"}))
    assert html.count('<tr><td><a href="/articles/') == 5


# --- body edit ----------------------------------------------------------------------------------


@EACH_ROLE
@HTMX
def test_it_lets_annotators_and_editors_edit_the_text(
    client, request, article, annotator, role, htmx
):
    mention = make(article, "mention", "Keir Starmer", annotator)
    sign_in(client, request, role)
    new_body = "Today, " + BODY
    response = client.post(
        f"/articles/{article.uuid}/edit/",
        {"body": new_body, "revision": 1, "note": "added a word"},
        headers=hx(htmx),
    )
    article.refresh_from_db()
    mention.refresh_from_db()
    if role in ("annotator", "editor"):
        assert (article.body, article.revision) == (new_body, 2)
        assert mention.start == new_body.index("Keir Starmer")  # moved along with its text
        workspace = f"/articles/{article.uuid}/"
        if htmx:
            assert response["HX-Redirect"] == workspace
        else:
            assert redirect_path(response) == workspace
    else:
        assert (article.body, article.revision) == (BODY, 1)
        assert_refused(response, role, htmx)


@HTMX
def test_it_keeps_my_text_and_shows_theirs_when_the_body_changed_meanwhile(
    client, annotator, editor, article, htmx
):
    article_update_body(article=article, body=BODY + " Theirs.", user=editor, expected_revision=1)
    client.force_login(annotator)
    mine = BODY + " Mine."
    response = client.post(
        f"/articles/{article.uuid}/edit/", {"body": mine, "revision": 1}, headers=hx(htmx)
    )
    assert response.status_code == 409
    html = text_of(response)
    assert "changed by someone else" in html
    assert f">\n{mine}</textarea>" in html  # nothing I wrote is lost
    assert '<pre class="current-body">' in html and "Theirs." in html
    assert 'name="revision" value="2"' in html
    article.refresh_from_db()
    assert article.body == BODY + " Theirs."


def test_it_refuses_an_empty_text(client, annotator, article):
    client.force_login(annotator)
    response = client.post(f"/articles/{article.uuid}/edit/", {"body": "   ", "revision": 1})
    assert response.status_code == 422
    article.refresh_from_db()
    assert article.body == BODY
