"""Fixtures for the checks tests: the KB of tests/checks/kb.py in the database, and helpers that
annotate an article directly (as a person or extraction would) so that a test controls every span."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.annotations.models import Claim, DateMention, EntityMention, Origin, Quote
from apps.articles.models import Article
from apps.articles.services import body_sha256
from apps.knowledge.models import Entity, EntityAlias, Tenure, normalize_alias
from tests.checks import kb as K


class KB(dict):
    """name -> Entity for the people and offices of tests/checks/kb.py."""


def kb_create() -> KB:
    entities = KB()
    for key, label in K.PEOPLE.items():
        entities[key] = Entity.objects.create(label=label, kind=Entity.Kind.PERSON)
    for key, (label, aliases) in K.OFFICES.items():
        office = Entity.objects.create(label=label, kind=Entity.Kind.OFFICE)
        entities[key] = office
        for i, alias in enumerate([label, *aliases]):
            EntityAlias.objects.create(
                entity=office, alias=alias, normalized=normalize_alias(alias), is_label=i == 0
            )
    for person, office, start, end in K.TENURES:
        Tenure.objects.create(
            person=entities[person],
            office=entities[office],
            start=start,
            end=end,
            source_url="https://www.wikidata.org/wiki/Q0",
        )
    return entities


@pytest.fixture
def kb(db) -> KB:
    return kb_create()


def article_create(
    body: str, *, published_on=dt.date(2026, 1, 7), event_on=None, title=None, external_id=None
) -> Article:
    return Article.objects.create(
        title=title or body[:40],
        body=body,
        body_sha256=body_sha256(body),
        published_on=published_on,
        event_on=event_on,
        external_id=external_id,
    )


def _locate(article: Article, text: str, occurrence: int = 1) -> tuple[int, int]:
    position = -1
    for _ in range(occurrence):
        position = article.body.index(text, position + 1)
    return position, position + len(text)


def _span(article: Article, text: str, occurrence: int = 1) -> dict:
    start, end = _locate(article, text, occurrence)
    return {
        "article": article,
        "start": start,
        "end": end,
        "exact": text,
        "origin": Origin.AUTOMATIC,
    }


def add_title(
    article,
    title: str,
    name: str,
    person: Entity,
    office: Entity | None,
    modifier: str = "",
    occurrence: int = 1,
) -> EntityMention:
    """ "<title> <name>" as a titled person mention; `title` may start with the modifier word."""
    start, _ = _locate(article, f"{title} {name}", occurrence)
    name_start = start + len(title) + 1
    return EntityMention.objects.create(
        article=article,
        start=name_start,
        end=name_start + len(name),
        exact=name,
        origin=Origin.AUTOMATIC,
        entity=person,
        title_start=start,
        title_end=start + len(title),
        title_text=title.removeprefix("former ").removeprefix("then-").removeprefix("ex-"),
        title_modifier=modifier,
        office=office,
    )


def add_mention(article, name: str, entity: Entity, occurrence: int = 1) -> EntityMention:
    return EntityMention.objects.create(**_span(article, name, occurrence), entity=entity)


def add_date(
    article,
    text: str,
    value: dt.date,
    precision: str = "day",
    relative: bool = False,
    occurrence: int = 1,
) -> DateMention:
    return DateMention.objects.create(
        **_span(article, text, occurrence), value=value, precision=precision, is_relative=relative
    )


def add_quote(article, text: str, speaker: Entity | None = None, speaker_text: str = "") -> Quote:
    return Quote.objects.create(
        **_span(article, text),
        speaker=speaker,
        speaker_text=speaker_text or (speaker.label if speaker else ""),
    )


def add_claim(article, text: str, kind: str = Claim.Kind.OTHER, verified: bool = False) -> Claim:
    extra = {}
    if verified:
        extra = {"verdict": Claim.Verdict.ACCURATE, "verdict_state": Claim.VerdictState.VERIFIED}
    return Claim.objects.create(**_span(article, text), kind=kind, **extra)


SEED_LIKE = (
    "Ukraine’s allies announced on January 6, 2024, that they have agreed to provide guarantees "
    "at a meeting in Paris.\n"
    "UK Prime Minister Keir Starmer called the talks productive. Ukrainian President Volodymyr "
    "Zelensky said, “We determined what forces are needed and how they will operate.”\n"
    "French President Emmanuel Macron described it as a “significant step” toward peace.\n"
    "Leaders also discussed recent comments from former President Donald Trump about Greenland."
)


def seed_like_article(entities: KB, **kwargs) -> Article:
    """An article built like the seed (not the seed itself), annotated by hand."""
    article = article_create(SEED_LIKE, **kwargs)
    add_date(article, "January 6, 2024", dt.date(2024, 1, 6))
    add_title(article, "UK Prime Minister", "Keir Starmer", entities[K.STARMER], entities[K.UK_PM])
    add_title(
        article,
        "Ukrainian President",
        "Volodymyr Zelensky",
        entities[K.ZELENSKY],
        entities[K.UA_PRESIDENT],
    )
    add_title(
        article, "French President", "Emmanuel Macron", entities[K.MACRON], entities[K.FR_PRESIDENT]
    )
    add_title(
        article,
        "former President",
        "Donald Trump",
        entities[K.TRUMP],
        entities[K.US_PRESIDENT],
        modifier="former",
    )
    add_quote(
        article,
        "“We determined what forces are needed and how they will operate.”",
        entities[K.ZELENSKY],
    )
    return article
