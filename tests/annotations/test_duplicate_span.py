"""Creating an annotation of the same type over exactly the same text as another: it is
created, with a warning linking the one already there."""

from __future__ import annotations

import pytest

from apps.annotations.models import EntityMention
from tests.articles.views_helpers import HTMX, hx, text_of
from tests.factories import ArticleFactory, annotate

pytestmark = pytest.mark.django_db

BODY = "UK Prime Minister Keir Starmer met allies in Paris."


def create(client, article, kind, text, htmx):
    start = BODY.index(text)
    return client.post(
        f"/annotations/new/{article.uuid}/",
        {"kind": kind, "start": start, "end": start + len(text), "exact": text},
        headers=hx(htmx),
        follow=not htmx,
    )


@HTMX
def test_it_creates_a_duplicate_span_but_warns_with_a_link_to_the_existing_one(
    client, annotator, editor, htmx
):
    article = ArticleFactory(body=BODY)
    existing = annotate(article, "mention", "Keir Starmer", editor)
    client.force_login(annotator)

    response = create(client, article, "mention", "Keir Starmer", htmx)

    assert EntityMention.objects.filter(article=article).count() == 2  # created all the same
    html = text_of(response)
    warning = html.split('class="msg msg-warning"' if htmx else 'class="warning"', 1)[1]
    warning = warning.split("</p>" if htmx else "</li>", 1)[0]
    assert "Another entity mention is on exactly this text" in warning
    link = f"/articles/{article.uuid}/?open=mention/{existing.uuid}#detail"
    assert f'<a href="{link}">the proposed one by {editor.username}</a>' in warning


@HTMX
def test_another_type_or_other_offsets_get_no_warning(client, annotator, htmx):
    article = ArticleFactory(body=BODY)
    annotate(article, "mention", "Keir Starmer", annotator)
    annotate(article, "claim", BODY, annotator)
    client.force_login(annotator)

    other_offsets = create(client, article, "mention", "Starmer", htmx)
    other_type = create(client, article, "claim", "Keir Starmer met allies", htmx)

    for response in (other_offsets, other_type):
        html = text_of(response)
        assert "on exactly this text" not in html and "created:" in html
