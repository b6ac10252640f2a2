"""Import form: an HTML file's headline as the title (and not as the body's first line), the
file's text kept when the form comes back with an error, event date and language, and a warning
(with a link) when the article has the URL or the text of one already there."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.articles.models import Article
from tests.articles.views_helpers import HTMX, hx, text_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = "/articles/import/"
PARAGRAPH = (
    "Officials from several countries met in Paris on Tuesday to discuss security guarantees, "
    "and the talks went on late into the night."
)
PAGE = f"""<!doctype html><html><head><title>Allies meet in Paris | Example News</title></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>Allies meet in Paris</h1><p>{PARAGRAPH}</p>
<p>A second paragraph says that the coalition promised air, land and sea support.</p></article>
<footer>Copyright 2026 Example News.</footer></body></html>"""


def page_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("talks.html", PAGE.encode(), content_type="text/html")


def field_value(html: str, name: str) -> str:
    if name == "text":
        return unescape(re.search(r'<textarea name="text"[^>]*>\n?(.*?)</textarea>', html, re.S)[1])
    return unescape(re.search(rf'<input type="[a-z]+" name="{name}" value="([^"]*)"', html)[1])


@HTMX
def test_an_html_files_headline_is_the_title_and_not_the_first_line(client, annotator, htmx):
    client.force_login(annotator)

    response = client.post(URL, {"title": "", "file": page_file()}, headers=hx(htmx))

    assert response.status_code in (200, 302)
    article = Article.objects.get()
    assert article.title == "Allies meet in Paris"
    assert article.body.startswith("Officials from several countries")


def test_a_typed_title_wins_over_the_files(client, annotator):
    client.force_login(annotator)
    client.post(URL, {"title": "Paris talks", "file": page_file()})
    assert Article.objects.get().title == "Paris talks"


@HTMX
def test_the_files_text_is_kept_when_the_form_comes_back_with_an_error(client, annotator, htmx):
    client.force_login(annotator)

    refused = client.post(
        URL, {"title": "", "url": "javascript:alert(1)", "file": page_file()}, headers=hx(htmx)
    )

    assert refused.status_code == 422
    html = text_of(refused)
    assert "Enter a web address that starts with http://" in html
    assert "The text of talks.html is kept below" in html
    assert field_value(html, "title") == "Allies meet in Paris"
    kept = field_value(html, "text")
    assert kept.startswith(PARAGRAPH)
    assert not Article.objects.exists()
    # Sent again as it came back (no file chosen again), with the address fixed: imported.
    again = client.post(
        URL, {"title": "Allies meet in Paris", "url": "https://example.org/talks", "text": kept}
    )
    assert again.status_code == 302
    assert Article.objects.get().body.startswith(PARAGRAPH)


def test_it_saves_the_event_date_and_the_language(client, annotator):
    client.force_login(annotator)

    client.post(
        URL,
        {
            "title": "Rencontre",
            "text": "Les alliés se sont réunis.",
            "event_on": "2026-01-06",
            "language": "fr",
        },
    )

    article = Article.objects.get()
    assert (article.event_on, article.language) == (dt.date(2026, 1, 6), "fr")


def test_it_refuses_a_language_that_is_not_a_code(client, annotator):
    client.force_login(annotator)
    response = client.post(URL, {"title": "T", "text": "Some text.", "language": "French!"})
    assert response.status_code == 422
    assert "Enter a language code like en, fr or pt-BR." in text_of(response)
    assert not Article.objects.exists()


@pytest.mark.parametrize("same", ["url", "body"])
def test_it_imports_a_duplicate_but_warns_with_a_link_to_the_existing_article(
    client, annotator, same
):
    existing = ArticleFactory(
        title="Allies in Paris", url="https://example.org/talks", body="Allies met in Paris."
    )
    client.force_login(annotator)
    fields = {"title": "Again", "url": "https://example.org/other", "text": "Other words."}
    fields["url" if same == "url" else "text"] = existing.url if same == "url" else existing.body

    response = client.post(URL, fields, follow=True)

    assert Article.objects.count() == 2  # imported all the same
    warning = text_of(response).split('<li class="warning">', 1)[1].split("</li>", 1)[0]
    why = "the same URL" if same == "url" else "the same text"
    assert f'<a href="/articles/{existing.uuid}/">Allies in Paris</a> ({why})' in warning


def test_a_new_article_gets_no_duplicate_warning(client, annotator):
    ArticleFactory(url="https://example.org/one", body="One text.")
    client.force_login(annotator)
    response = client.post(
        URL, {"title": "Two", "url": "https://example.org/two", "text": "Two text."}, follow=True
    )
    assert 'class="warning"' not in text_of(response)
