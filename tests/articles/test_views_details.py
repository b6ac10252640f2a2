"""The details page of an article (title, source, byline, address, dates): for each role, plain
and htmx; only what the person changed is written; a concurrent change of the same field is
shown, not overwritten."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from apps.articles.models import Article
from apps.articles.services import article_update_metadata
from tests.articles.views_helpers import EACH_ROLE, HTMX, assert_refused, hx, sign_in, text_of
from tests.factories import ArticleFactory
from tests.snapshots import db_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return ArticleFactory(title="Talks in Paris", byline="A. Reporter", url="")


def url_of(article) -> str:
    return f"/articles/{article.uuid}/details/"


def opened(client, article) -> dict[str, str]:
    """The form as the browser would send it back untouched: every input with its value."""
    return inputs_of(text_of(client.get(url_of(article))))


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") not in (None, "csrfmiddlewaretoken"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def inputs_of(page: str) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(page.split('id="details-form"', 1)[1].split("</form>", 1)[0])
    return parser.values


@EACH_ROLE
@HTMX
def test_it_lets_annotators_and_editors_change_the_details(client, request, article, role, htmx):
    user = sign_in(client, request, role)
    sent = {
        "title": "Talks in Paris",
        "initial-title": "Talks in Paris",
        "byline": "B. Reporter",
        "initial-byline": "A. Reporter",
        "event_on": "2026-01-06",
        "initial-event_on": "",
    }
    response = client.post(url_of(article), sent, headers=hx(htmx))

    article.refresh_from_db()
    if role in ("annotator", "editor"):
        workspace = f"/articles/{article.uuid}/"
        if htmx:
            assert response["HX-Redirect"] == workspace
        else:
            assert response.status_code == 302 and response["Location"] == workspace
        assert (article.byline, article.event_on) == ("B. Reporter", dt.date(2026, 1, 6))
        record = article.history.latest()
        assert (record.history_user, record.history_change_reason) == (user, "metadata edited")
    else:
        assert_refused(response, role, htmx)
        assert (article.byline, article.event_on) == ("A. Reporter", None)


def test_it_shows_the_form_with_the_current_values_and_links_it_from_the_workspace(
    client, annotator, article
):
    client.force_login(annotator)
    assert url_of(article) in text_of(client.get(f"/articles/{article.uuid}/"))
    form = opened(client, article)
    assert form["title"] == "Talks in Paris" and form["initial-byline"] == "A. Reporter"


def test_it_writes_only_what_the_person_changed(client, annotator, editor, article):
    client.force_login(annotator)
    form = opened(client, article)
    # Meanwhile an editor corrects the byline.
    article_update_metadata(article=article, user=editor, byline="C. Correspondent")

    response = client.post(url_of(article), {**form, "title": "Talks in Paris end late"})

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.byline) == ("Talks in Paris end late", "C. Correspondent")


def test_it_shows_a_concurrent_change_of_the_same_field_and_saves_nothing(
    client, annotator, editor, article
):
    client.force_login(annotator)
    form = opened(client, article)
    article_update_metadata(article=article, user=editor, title="Allies meet in Paris")
    before = db_snapshot()

    response = client.post(url_of(article), {**form, "title": "Paris talks"})

    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed title" in page and "Allies meet in Paris" in page
    assert 'value="Paris talks"' in page  # what the person typed is still there
    assert db_snapshot() == before
    # Saving again, now knowingly, replaces the other edit.
    again = inputs_of(page)
    assert client.post(url_of(article), again).status_code == 302
    article.refresh_from_db()
    assert article.title == "Paris talks"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "", "This field is required."),
        ("url", "javascript:alert(1)", "starts with http:// or https://"),
        ("published_on", "7 Januar 2026", "Enter a valid date."),
    ],
)
def test_it_refuses_bad_input_with_a_message_and_changes_nothing(
    client, annotator, article, field, value, message
):
    client.force_login(annotator)
    form = opened(client, article)
    before = db_snapshot()

    response = client.post(url_of(article), {**form, field: value}, headers=hx(True))

    assert response.status_code == 422
    assert message in text_of(response)
    assert db_snapshot() == before
    assert Article.objects.get(pk=article.pk).title == "Talks in Paris"
