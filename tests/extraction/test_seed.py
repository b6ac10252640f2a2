"""The seed article (loaded by `loadseeds` with its KB): what extraction must propose on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from apps.annotations.models import DateMention, EntityMention, Origin, Quote, ReviewState
from apps.articles.models import Article
from apps.knowledge.models import Entity


@pytest.fixture
def seed(db, django_capture_on_commit_callbacks):
    # The import enqueues extraction after commit; tasks run inline in tests.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loadseeds", verbosity=0)
    return Article.objects.get(external_id="seed:paris-coalition-meeting.txt")


def entity(label: str) -> Entity:
    return Entity.objects.get(label=label)


def test_it_runs_after_the_import_and_records_what_it_extracted(seed):
    assert seed.extracted_sha256 == seed.body_sha256
    assert seed.extracted_at is not None
    spans = [
        *DateMention.objects.filter(article=seed),
        *EntityMention.objects.filter(article=seed),
        *Quote.objects.filter(article=seed),
    ]
    assert spans
    for span in spans:
        assert seed.body[span.start : span.end] == span.exact
        assert span.origin == Origin.AUTOMATIC
        assert span.review_state == ReviewState.PROPOSED
        assert span.extractor_version


def test_it_proposes_the_stated_date(seed):
    date = DateMention.objects.get(article=seed, exact="January 6, 2024")
    assert (date.value, date.precision, date.is_relative) == (dt.date(2024, 1, 6), "day", False)


def test_it_proposes_the_three_quotes_with_their_speakers(seed):
    quotes = list(Quote.objects.filter(article=seed).order_by("start"))
    assert [(q.exact, q.speaker.label if q.speaker else None) for q in quotes] == [
        (
            "We determined what forces are needed and how these forces will be operated at "
            "different command levels.",
            "Volodymyr Zelensky",
        ),
        ("significant step", "Emmanuel Macron"),
        (
            "If they are not ready at all, then it is not really a ‘coalition of the willing.’",
            "Volodymyr Zelensky",
        ),
    ]
    zelensky_named, _, zelensky_he = quotes
    assert zelensky_named.attribution_text == "Zelensky explained"
    assert zelensky_named.verb == "explained"
    assert zelensky_he.speaker_text == "He"
    assert zelensky_he.speaker_confidence < zelensky_named.speaker_confidence


def test_it_makes_no_quote_from_the_nested_quote_or_an_apostrophe(seed):
    texts = list(Quote.objects.filter(article=seed).values_list("exact", flat=True))
    assert "coalition of the willing." not in texts
    assert len(texts) == 3  # the body has many ’ (Ukraine’s, Russia’s, nation’s): none is a quote


def test_it_proposes_the_four_titles_linked_to_office_and_person(seed):
    titled = EntityMention.objects.filter(article=seed, title_start__isnull=False).order_by("start")
    assert [
        (m.title_text, m.exact, m.entity.label, m.office.label, m.title_modifier) for m in titled
    ] == [
        (
            "UK Prime Minister",
            "Keir Starmer",
            "Keir Starmer",
            "Prime Minister of the United Kingdom",
            "",
        ),
        (
            "Ukrainian President",
            "Volodymyr Zelensky",
            "Volodymyr Zelensky",
            "President of Ukraine",
            "",
        ),
        ("French President", "Emmanuel Macron", "Emmanuel Macron", "President of France", ""),
        ("President", "Donald Trump", "Donald Trump", "President of the United States", "former"),
    ]


def test_it_mentions_every_kb_entity_the_article_names(seed):
    named = set(
        EntityMention.objects.filter(article=seed, entity__isnull=False).values_list(
            "entity__label", flat=True
        )
    ) | set(
        EntityMention.objects.filter(article=seed, office__isnull=False).values_list(
            "office__label", flat=True
        )
    )
    assert named == {
        "Ukraine",
        "Russia",
        "Paris",
        "Canada",
        "United States",
        "European Union",
        "NATO",
        "Keir Starmer",
        "Prime Minister of the United Kingdom",
        "Volodymyr Zelensky",
        "President of Ukraine",
        "Emmanuel Macron",
        "President of France",
        "Donald Trump",
        "President of the United States",
        "Greenland",
        "France",
        "Germany",
        "Italy",
        "Poland",
        "Spain",
        "United Kingdom",
        "Security Service of Ukraine",
        "Kostroma Oblast",
        "Lipetsk",
    }
