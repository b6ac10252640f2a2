from __future__ import annotations

import pytest

from apps.annotations import services
from tests.factories import ArticleFactory

BODY = (
    "UK Prime Minister Keir Starmer met Emmanuel Macron in Paris on Tuesday, January 6, 2024. "
    "Zelensky explained, “We need guarantees.” The talks went on late."
)


def _at(text: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = BODY.index(text, start + 1)
    return start, start + len(text)


def make(kind: str, text: str, *, user=None, article=None, **extra):
    article = article or ArticleFactory(body=BODY)
    start, end = _at(text)
    return services.annotation_create(
        article=article,
        kind=kind,
        start=start,
        end=end,
        exact=text,
        user=user,
        origin=extra.pop("origin", "manual"),
        **extra,
    )


@pytest.fixture
def article(db):
    return ArticleFactory(title="Paris coalition meeting", body=BODY)


@pytest.fixture
def claim(article, annotator):
    """A claim by the annotator, with a proposed verdict (the review queue's main case)."""
    claim = make("claim", "Keir Starmer met Emmanuel Macron", user=annotator, article=article)
    return services.claim_verdict_propose(
        claim=claim, user=annotator, verdict="inaccurate", expected_version=claim.version
    )


@pytest.fixture
def quote(article, annotator):
    return make("quote", "We need guarantees.", user=annotator, article=article)


@pytest.fixture
def auto_date(article):
    return make(
        "date",
        "Tuesday, January 6, 2024",
        article=article,
        origin="automatic",
        extractor_version="dates-1",
    )


@pytest.fixture
def mention(article, editor):
    return make("mention", "Emmanuel Macron", user=editor, article=article)
