"""Import page: paste or upload (.txt, .md, .html), for each role, plain and htmx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from apps.articles.models import Article
from tests.articles.views_helpers import EACH_ROLE, HTMX, assert_refused, hx, sign_in, text_of

pytestmark = pytest.mark.django_db

URL = "/articles/import/"
FIELDS = {
    "title": "Coalition talks",
    "source": "Test Wire",
    "byline": "A. Reporter",
    "url": "https://example.org/talks",
    "published_on": "2026-01-07",
}


@EACH_ROLE
@HTMX
def test_it_imports_pasted_text_for_annotators_and_editors(client, request, role, htmx):
    sign_in(client, request, role)
    response = client.post(
        URL,
        {**FIELDS, "text": "Allies met in Paris.\r\nThe talks went on late.  \n"},
        headers=hx(htmx),
    )
    articles = list(Article.objects.all())
    if role in ("annotator", "editor"):
        [article] = articles
        assert article.body == "Allies met in Paris.\nThe talks went on late."
        assert (article.title, article.source, article.byline, article.url) == (
            "Coalition talks",
            "Test Wire",
            "A. Reporter",
            "https://example.org/talks",
        )
        assert article.published_on == dt.date(2026, 1, 7)
        workspace = f"/articles/{article.uuid}/"
        if htmx:
            assert response.status_code == 200
            assert response["HX-Redirect"] == workspace
        else:
            assert response.status_code == 302 and response["Location"] == workspace
    else:
        assert articles == []
        assert_refused(response, role, htmx)


@EACH_ROLE
def test_it_shows_the_import_form_only_to_those_who_may_import(client, request, role):
    sign_in(client, request, role)
    response = client.get(URL)
    if role in ("annotator", "editor"):
        assert response.status_code == 200
        html = text_of(response)
        for label in (
            "Title",
            "Source",
            "Byline",
            "URL",
            "Published on",
            "Event on",
            "Language",
            "Article text",
        ):
            assert f">{label}</label>" in html
    else:
        assert_refused(response, role, False)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_file(client, annotator, name, data, htmx=False):
    client.force_login(annotator)
    return client.post(URL, {**FIELDS, "file": upload(name, data)}, headers=hx(htmx))


def test_it_imports_a_text_file(client, annotator):
    response = post_file(client, annotator, "talks.txt", "Café talks 😀 ended.\n".encode())
    assert response.status_code == 302
    assert Article.objects.get().body == "Café talks 😀 ended."


def test_it_reduces_markdown_to_its_text(client, annotator):
    source = (
        "# Talks in Paris\n\nAllies *met* in [Paris](https://example.org) on\nTuesday.\n\n"
        "- first point\n- second point\n\n> a quote\n"
    )
    response = post_file(client, annotator, "talks.md", source.encode())
    assert response.status_code == 302
    assert Article.objects.get().body == (
        "Talks in Paris\n\nAllies met in Paris on Tuesday.\n\nfirst point\n\nsecond point"
        "\n\na quote"
    )


def test_it_keeps_only_the_main_text_of_an_html_page(client, annotator):
    paragraph = (
        "Officials from several countries met in Paris on Tuesday to discuss security "
        "guarantees, and the talks went on late into the night &amp; beyond."
    )
    html = f"""<!doctype html><html><head><title>Talks</title></head><body>
      <nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
      <article><h1>Talks in Paris</h1><p>{paragraph}</p>
      <p>A second paragraph says that the coalition promised air, land and sea support.</p>
      </article><footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>"""
    response = post_file(client, annotator, "talks.html", html.encode())
    assert response.status_code == 302
    body = Article.objects.get().body
    assert "Officials from several countries met in Paris on Tuesday" in body
    assert "late into the night & beyond." in body
    assert "coalition promised air, land and sea support" in body
    assert "Copyright" not in body and "Sport" not in body


@HTMX
def test_it_refuses_a_file_that_is_not_utf8_and_says_where(client, annotator, htmx):
    response = post_file(client, annotator, "talks.txt", b"Line one\nCaf\xe9 talks\n", htmx)
    assert response.status_code == 422
    html = text_of(response)
    assert "talks.txt is not valid UTF-8 (byte 0xe9 on line 2)" in html
    assert 'value="Coalition talks"' in html  # what was typed is kept
    assert not Article.objects.exists()
    if htmx:
        assert html.lstrip().startswith('<form id="import-form"')


def test_it_refuses_other_file_types(client, annotator):
    response = post_file(client, annotator, "talks.pdf", b"%PDF-1.4")
    assert response.status_code == 422
    assert "upload a .txt, .md or .html file" in text_of(response)
    assert not Article.objects.exists()


@override_settings(ARTICLE_MAX_CHARS=1000)
@HTMX
def test_it_refuses_an_article_over_the_size_limit(client, annotator, htmx):
    client.force_login(annotator)
    response = client.post(URL, {**FIELDS, "text": "word " * 400}, headers=hx(htmx))
    assert response.status_code == 422
    html = text_of(response)
    assert "the limit is 1,000" in html
    textarea = html[html.index('<textarea name="text"') :]
    assert 'aria-invalid="true"' in textarea[: textarea.index(">")]  # the error is on the text
    assert not Article.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_it_refuses_a_file_over_the_upload_limit(client, annotator):
    response = post_file(client, annotator, "big.txt", b"x" * 10_000)
    assert response.status_code == 413
    assert "The upload is too large" in text_of(response)
    assert not Article.objects.exists()


def test_it_asks_for_text_or_a_file_but_not_both(client, annotator):
    client.force_login(annotator)
    response = client.post(URL, FIELDS)
    assert response.status_code == 422
    assert "Paste the article text or upload a file." in text_of(response)
    response = client.post(
        URL, {**FIELDS, "text": "Some text.", "file": upload("a.txt", b"Other text.")}
    )
    assert response.status_code == 422
    assert "not both" in text_of(response)
    assert not Article.objects.exists()


def test_it_needs_a_title(client, annotator):
    client.force_login(annotator)
    response = client.post(URL, {**FIELDS, "title": "   ", "text": "Some text."})
    assert response.status_code == 422
    assert not Article.objects.exists()
