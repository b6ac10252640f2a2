"""`manage.py loadseeds`: the seed article with its metadata and the knowledge base it needs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from apps.articles.models import Article, ArticleRevision
from apps.knowledge.models import Entity, EntityAlias, Tenure

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("loadseeds", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "entities": Entity.objects.count(),
        "aliases": EntityAlias.objects.count(),
        "tenures": Tenure.objects.count(),
        "articles": Article.objects.count(),
        "revisions": ArticleRevision.objects.count(),
        "history": Entity.history.count()
        + EntityAlias.history.count()
        + Tenure.history.count()
        + Article.history.count(),
    }


def test_loading_twice_changes_nothing():
    load()
    first = counts()
    article = Article.objects.get()

    output = load()

    assert counts() == first
    assert "0 created, 0 updated" in output
    assert "articles: 0 created, 0 updated, 1 unchanged" in output
    article.refresh_from_db()
    assert article.revision == 1


def test_the_seed_article_has_its_metadata():
    load()
    article = Article.objects.get(external_id="seed:paris-coalition-meeting.txt")
    assert article.title == "Ukraine's allies agree security guarantees at Paris meeting"
    assert article.published_on == dt.date(2026, 1, 7)
    assert article.source == "Demo Wire"
    assert article.body.startswith("Ukraine’s allies announced on January 6, 2024,")
    assert "former President Donald Trump" in article.body
    assert article.revision == 1
    assert not article.revisions.exists()  # the body is stored once (revisions: earlier bodies)


def holders(office_label: str) -> list[tuple[str, dt.date, dt.date | None]]:
    office = Entity.objects.get(label=office_label, kind=Entity.Kind.OFFICE)
    return [
        (t.person.label, t.start, t.end)
        for t in Tenure.objects.filter(office=office).select_related("person").order_by("start")
    ]


def test_the_seed_kb_knows_who_held_the_offices_the_article_names():
    load()
    assert holders("Prime Minister of the United Kingdom") == [
        ("Boris Johnson", dt.date(2019, 7, 24), dt.date(2022, 9, 6)),
        ("Liz Truss", dt.date(2022, 9, 6), dt.date(2022, 10, 25)),
        ("Rishi Sunak", dt.date(2022, 10, 25), dt.date(2024, 7, 5)),
        ("Keir Starmer", dt.date(2024, 7, 5), None),
    ]
    assert holders("President of the United States") == [
        ("Barack Obama", dt.date(2009, 1, 20), dt.date(2017, 1, 20)),
        ("Donald Trump", dt.date(2017, 1, 20), dt.date(2021, 1, 20)),
        ("Joe Biden", dt.date(2021, 1, 20), dt.date(2025, 1, 20)),
        ("Donald Trump", dt.date(2025, 1, 20), None),
    ]
    assert Entity.objects.get(wikidata_id="Q22686").label == "Donald Trump"
    assert Entity.objects.get(wikidata_id="Q14211").kind == Entity.Kind.OFFICE


@pytest.mark.parametrize(
    "alias,label,kind",
    [
        ("Zelenskyy", "Volodymyr Zelensky", "person"),
        ("Starmer", "Keir Starmer", "person"),
        ("UK Prime Minister", "Prime Minister of the United Kingdom", "office"),
        ("Ukrainian President", "President of Ukraine", "office"),
        ("French President", "President of France", "office"),
        ("SBU", "Security Service of Ukraine", "organisation"),
        ("Kostroma region", "Kostroma Oblast", "place"),
        ("US", "United States", "place"),
    ],
)
def test_the_names_in_the_article_are_aliases_in_the_kb(alias, label, kind):
    load()
    entity = EntityAlias.objects.select_related("entity").get(alias=alias).entity
    assert (entity.label, entity.kind) == (label, kind)
