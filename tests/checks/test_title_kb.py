"""Titles as wire copy writes them, through the whole path: a KB in the database that holds only
the offices' own labels (their country as `jurisdiction`, countries with their demonyms), real
extraction, the checks, and the editor's action that teaches the KB an unknown wording."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.annotations.models import EntityMention
from apps.articles.services import article_import
from apps.checks.models import Finding
from apps.knowledge.models import Entity, EntityAlias, Tenure, normalize_alias
from tests.articles.views_helpers import HTMX, hx, text_of

pytestmark = pytest.mark.django_db
D = dt.date


def _entity(label, kind, *, aliases=(), demonyms=(), jurisdiction=None) -> Entity:
    entity = Entity.objects.create(
        label=label, kind=kind, demonyms=list(demonyms), jurisdiction=jurisdiction
    )
    for i, alias in enumerate([label, *aliases]):
        EntityAlias.objects.create(
            entity=entity, alias=alias, normalized=normalize_alias(alias), is_label=i == 0
        )
    return entity


@pytest.fixture
def kb(db) -> dict[str, Entity]:
    """Offices by their label only; the countries' own names and demonyms make the wordings."""
    places = {
        "us": _entity("United States", "place", aliases=["U.S.", "US"], demonyms=["American"]),
        "uk": _entity("United Kingdom", "place", aliases=["UK", "Britain"], demonyms=["British"]),
        "de": _entity("Germany", "place", demonyms=["German"]),
        "in": _entity("India", "place", demonyms=["Indian"]),
        "cn": _entity(
            "People's Republic of China", "place", aliases=["China"], demonyms=["Chinese"]
        ),
    }
    offices = {
        "sec_state": _entity("Secretary of State", "office", jurisdiction=places["us"]),
        "us_president": _entity(
            "President of the United States", "office", jurisdiction=places["us"]
        ),
        "chancellor": _entity("Chancellor of Germany", "office", jurisdiction=places["de"]),
        "exchequer": _entity("Chancellor of the Exchequer", "office", jurisdiction=places["uk"]),
        "uk_pm": _entity(
            "Prime Minister of the United Kingdom", "office", jurisdiction=places["uk"]
        ),
        "in_pm": _entity("Prime Minister of India", "office", jurisdiction=places["in"]),
        "cds": _entity("Chief of the Defence Staff", "office", jurisdiction=places["uk"]),
        "cn_president": _entity(
            "President of the People's Republic of China", "office", jurisdiction=places["cn"]
        ),
    }
    people = {
        key: _entity(label, "person")
        for key, label in {
            "blinken": "Antony Blinken",
            "biden": "Joe Biden",
            "scholz": "Olaf Scholz",
            "sunak": "Rishi Sunak",
            "modi": "Narendra Modi",
            "radakin": "Tony Radakin",
            "xi": "Xi Jinping",
        }.items()
    }
    for person, office, start, end in [
        ("blinken", "sec_state", D(2021, 1, 26), D(2025, 1, 20)),
        ("biden", "us_president", D(2021, 1, 20), D(2025, 1, 20)),
        ("scholz", "chancellor", D(2021, 12, 8), D(2025, 5, 6)),
        ("sunak", "exchequer", D(2020, 2, 13), D(2022, 7, 5)),
        ("sunak", "uk_pm", D(2022, 10, 25), D(2024, 7, 5)),
        ("modi", "in_pm", D(2014, 5, 26), None),
        ("radakin", "cds", D(2021, 11, 30), D(2025, 9, 30)),
        ("xi", "cn_president", D(2013, 3, 14), None),
    ]:
        Tenure.objects.create(person=people[person], office=offices[office], start=start, end=end)
    return {**places, **offices, **people}


def _import(body: str, published_on: dt.date, capture):
    with capture(execute=True):
        article = article_import(title="Wire copy", body=body, published_on=published_on)
    article.refresh_from_db()
    assert article.check_state == "done"
    return article


CORRECT = (
    "WASHINGTON — U.S. Secretary of State Antony Blinken met Chinese President Xi Jinping on "
    "March 3, 2023, a day after Germany’s Chancellor Olaf Scholz called current president Joe "
    "Biden.\n"
    "PM Modi and Chief of the Defence Staff Admiral Sir Tony Radakin joined by video. "
    "American Secretary of State Antony Blinken later met German Chancellor Olaf Scholz and "
    "Indian Prime Minister Narendra Modi."
)


def test_correct_wordings_raise_no_role_error_with_a_label_only_kb(
    kb, django_capture_on_commit_callbacks
):
    article = _import(CORRECT, D(2023, 3, 4), django_capture_on_commit_callbacks)
    titled = {
        (m.title_text, m.entity.label)
        for m in EntityMention.objects.filter(article=article).exclude(title_text="")
    }
    assert {
        ("U.S. Secretary of State", "Antony Blinken"),
        ("Chinese President", "Xi Jinping"),
        ("Germany’s Chancellor", "Olaf Scholz"),
        ("president", "Joe Biden"),
        ("PM", "Narendra Modi"),
        ("Chief of the Defence Staff", "Tony Radakin"),
        ("American Secretary of State", "Antony Blinken"),
        ("German Chancellor", "Olaf Scholz"),
        ("Indian Prime Minister", "Narendra Modi"),
    } <= titled
    role = Finding.objects.filter(article=article, code__in=["ROLE_AT_DATE", "TEMPORAL_COHERENCE"])
    assert list(role.values_list("severity", "message")) == []


def test_a_wrong_wording_is_still_an_error(kb, django_capture_on_commit_callbacks):
    body = "U.S. Secretary of State Antony Blinken met Indian Prime Minister Xi Jinping on March 3, 2026."
    article = _import(body, D(2026, 3, 4), django_capture_on_commit_callbacks)
    messages = sorted(
        Finding.objects.filter(article=article, code="ROLE_AT_DATE", severity="error").values_list(
            "message", flat=True
        )
    )
    assert len(messages) == 2
    assert "Antony Blinken was not Secretary of State on 3 March 2026" in messages[0]
    assert "Xi Jinping never held Prime Minister of India" in messages[1]


@HTMX
def test_an_unknown_wording_is_info_until_an_editor_adds_it_as_an_alias(
    client, editor, kb, htmx, django_capture_on_commit_callbacks
):
    body = "On March 3, 2023, finance minister Rishi Sunak met bankers in London."
    article = _import(body, D(2023, 3, 4), django_capture_on_commit_callbacks)
    [finding] = Finding.objects.filter(article=article, code="ROLE_AT_DATE")
    assert finding.severity == "info"
    assert "does not know the title “finance minister”" in finding.message
    assert not Finding.objects.filter(article=article, severity="error").exists()

    client.force_login(editor)
    page = client.get(f"/articles/{article.uuid}/")
    assert 'action="/checks/findings/' in text_of(page) and "Teach the knowledge base" in text_of(
        page
    )
    offered = [f["office"] for f in finding.kb_facts if f["type"] == "office_candidate"]
    position = offered.index("Chancellor of the Exchequer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/checks/findings/{finding.uuid}/title-alias/",
            {"alias": "finance minister", "office": str(position)},
            headers=hx(htmx),
        )
    assert response.status_code == (200 if htmx else 302)
    assert kb["exchequer"].aliases.filter(normalized="finance minister").exists()
    # The KB change re-checked the article: the wording now names the office, and Sunak was
    # Prime Minister, not Chancellor of the Exchequer, on that day.
    [real] = Finding.objects.filter(article=article, code="ROLE_AT_DATE")
    assert real.severity == "error"
    assert "Rishi Sunak was not Chancellor of the Exchequer on 3 March 2023" in real.message


def test_only_editors_may_add_an_alias_from_a_finding(
    client, reviewer, kb, django_capture_on_commit_callbacks
):
    body = "On March 3, 2023, finance minister Rishi Sunak met bankers in London."
    article = _import(body, D(2023, 3, 4), django_capture_on_commit_callbacks)
    [finding] = Finding.objects.filter(article=article, code="ROLE_AT_DATE")
    client.force_login(reviewer)
    assert "Teach the knowledge base" not in text_of(client.get(f"/articles/{article.uuid}/"))
    response = client.post(
        f"/checks/findings/{finding.uuid}/title-alias/",
        {"alias": "finance minister", "office": "0"},
        headers=hx(True),
    )
    assert response.status_code == 403
    assert not EntityAlias.objects.filter(normalized="finance minister").exists()


def test_an_alias_form_with_no_office_or_an_unknown_one_changes_nothing(
    client, editor, kb, django_capture_on_commit_callbacks
):
    body = "On March 3, 2023, finance minister Rishi Sunak met bankers in London."
    article = _import(body, D(2023, 3, 4), django_capture_on_commit_callbacks)
    [finding] = Finding.objects.filter(article=article, code="ROLE_AT_DATE")
    client.force_login(editor)
    url = f"/checks/findings/{finding.uuid}/title-alias/"
    for data, says in [
        ({"alias": "finance minister"}, "Choose the office the title names."),
        ({"alias": "finance minister", "office": "99"}, "Choose one of the offices offered"),
        ({"alias": "finance minister", "office_name": "Minister of Magic"}, "No office"),
        ({"alias": "", "office": "0"}, "Give the wording"),
    ]:
        response = client.post(url, data, headers=hx(True))
        assert response.status_code == 422, data
        assert says in text_of(response)
    assert not EntityAlias.objects.filter(normalized="finance minister").exists()
    response = client.post(
        url,
        {"alias": "finance minister", "office_name": "chancellor of the exchequer"},
        headers=hx(True),
    )
    assert response.status_code == 200
    assert kb["exchequer"].aliases.filter(normalized="finance minister").exists()


def test_only_an_office_or_place_change_rechecks_the_articles_with_unknown_titles(
    editor, kb, django_capture_on_commit_callbacks
):
    from apps.knowledge.services import entity_alias_add

    body = "On March 3, 2023, finance minister Rishi Sunak met bankers in London."
    article = _import(body, D(2023, 3, 4), django_capture_on_commit_callbacks)
    done_at = article.check_done_at
    with django_capture_on_commit_callbacks(execute=True):
        entity_alias_add(user=editor, entity=kb["modi"], alias="Modi-ji")
    article.refresh_from_db()
    assert article.check_done_at == done_at  # a person nobody here names: not re-checked
    with django_capture_on_commit_callbacks(execute=True):
        entity_alias_add(user=editor, entity=kb["in"], alias="Bharat")
    article.refresh_from_db()
    assert article.check_done_at > done_at
