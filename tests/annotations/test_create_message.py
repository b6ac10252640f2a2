"""The message after creating an annotation quotes its text, cut at a word boundary."""

from __future__ import annotations

import pytest

from apps.annotations.excerpts import excerpt
from tests.articles.views_helpers import HTMX, hx, text_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SENTENCE = (
    "The government announced on Tuesday that the national minimum wage would rise by 9.8 percent "
    "from April."
)


@HTMX
def test_it_cuts_the_created_message_at_a_word_boundary_with_an_ellipsis(client, annotator, htmx):
    article = ArticleFactory(body=SENTENCE)
    client.force_login(annotator)

    response = client.post(
        f"/annotations/new/{article.uuid}/",
        {"kind": "claim", "start": 0, "end": len(SENTENCE), "exact": SENTENCE},
        headers=hx(htmx),
        follow=not htmx,
    )

    html = text_of(response)
    quoted = html.split("Claim created: “", 1)[1].split("”", 1)[0]
    assert quoted == "The government announced on Tuesday that the national…"


def test_a_short_text_is_quoted_whole_and_a_single_long_word_is_cut_inside():
    assert excerpt("Keir Starmer") == "Keir Starmer"
    assert excerpt("x" * 70) == "x" * 60 + "…"
    assert excerpt("line one\nline two", limit=12) == "line one…"
