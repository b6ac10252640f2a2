"""The KB browser pages: search, autocomplete fragment, entity page with its timeline, and the
editors' changes (plain and htmx paths, every role)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from apps.knowledge.models import Entity, EntityAlias, Tenure
from tests.factories import EntityFactory, TenureFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def kb(db):
    office = EntityFactory(
        label="Prime Minister of the United Kingdom",
        kind=Entity.Kind.OFFICE,
        aliases=["UK Prime Minister", "British Prime Minister"],
    )
    starmer = EntityFactory(label="Keir Starmer", aliases=["Starmer"])
    sunak = EntityFactory(label="Rishi Sunak")
    TenureFactory(person=starmer, office=office, start=dt.date(2024, 7, 5))
    TenureFactory(person=sunak, office=office, start=dt.date(2022, 10, 25), end=dt.date(2024, 7, 5))
    return {"office": office, "starmer": starmer, "sunak": sunak}


def entity_url(entity) -> str:
    return reverse("knowledge:entity", args=[entity.uuid])


def result_labels(html: str) -> list[str]:
    body = html.split('id="kb-results"', 1)[1]
    return re.findall(r'<td><a href="/kb/[0-9a-f-]+/">(.*?)</a></td>', body)


# --- Reading ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_finds_entities_by_label_and_by_alias(client, annotator, kb):
    client.force_login(annotator)

    by_alias = client.get(reverse("knowledge:search") + "?q=british prime").content.decode()
    assert result_labels(by_alias) == ["Prime Minister of the United Kingdom"]
    assert "<td>British Prime Minister</td>" in by_alias  # why it matched

    by_label = client.get(reverse("knowledge:search") + "?q=rishi").content.decode()
    assert result_labels(by_label) == ["Rishi Sunak"]

    people = client.get(reverse("knowledge:search") + "?kind=person").content.decode()
    assert result_labels(people) == ["Keir Starmer", "Rishi Sunak"]


@pytest.mark.django_db
def test_it_lists_entities_in_a_fixed_number_of_queries(
    client, annotator, kb, django_assert_num_queries
):
    client.force_login(annotator)
    url = reverse("knowledge:search") + "?q=minister"
    # session, user, roles, search (prefix, word, wikidata id, entities), 2 tenure counts, aliases
    with django_assert_num_queries(10):
        client.get(url)
    for n in range(10):
        EntityFactory(label=f"Minister {n}", kind=Entity.Kind.OFFICE)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert len(result_labels(response.content.decode())) == 11


@pytest.mark.django_db
def test_it_answers_the_autocomplete_with_radio_options(client, annotator, kb):
    client.force_login(annotator)

    response = client.get(
        reverse("knowledge:autocomplete"), {"q": "star", "kind": "person", "name": "speaker"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    starmer = kb["starmer"]
    assert f'<input type="radio" name="speaker" value="{starmer.uuid}">' in html
    assert f'data-entity-uuid="{starmer.uuid}" data-entity-label="Keir Starmer"' in html
    assert "Rishi" not in html


@pytest.mark.django_db
def test_it_reads_the_autocomplete_text_from_the_named_field(client, annotator, kb):
    client.force_login(annotator)
    html = client.get(
        reverse("knowledge:autocomplete"),
        {"other_name": "uk prime", "field": "other_name", "kind": "office", "name": "other"},
    ).content.decode()
    assert f'name="other" value="{kb["office"].uuid}"' in html
    empty = client.get(reverse("knowledge:autocomplete"), {"q": "zzz"}).content.decode()
    assert "No entity matches “zzz”." in empty


@pytest.mark.django_db
def test_it_draws_an_offices_holders_on_a_timeline(client, annotator, kb):
    client.force_login(annotator)

    html = client.get(entity_url(kb["office"])).content.decode()

    svg = html[html.index("<svg") : html.index("</svg>")]
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*class="([^"]+)">', svg)
    assert [b[2] for b in bars] == ["tl-bar", "tl-bar tl-current"]  # Sunak, then Starmer
    sunak_x, sunak_w = float(bars[0][0]), float(bars[0][1])
    starmer_x = float(bars[1][0])
    assert abs(sunak_x + sunak_w - starmer_x) < 0.5  # one ends the day the other starts
    assert "Rishi Sunak: 2022-10-25 – 2024-07-05" in svg
    assert "Keir Starmer: 2024-07-05 – in office" in svg
    assert " style=" not in html  # the CSP forbids inline styles
    assert "UK Prime Minister" in html  # aliases listed


@pytest.mark.django_db
def test_it_draws_the_offices_a_person_held(client, annotator, kb):
    client.force_login(annotator)
    html = client.get(entity_url(kb["starmer"])).content.decode()
    assert "<h3>Offices held</h3>" in html
    assert "Prime Minister of the United Kingdom: 2024-07-05 – in office" in html
    assert "Add a tenure" not in html  # annotators do not edit the KB


@pytest.mark.django_db
def test_it_refuses_the_kb_to_outsiders_and_sends_anonymous_users_to_login(client, outsider, kb):
    for url in (
        reverse("knowledge:search"),
        entity_url(kb["office"]),
        reverse("knowledge:autocomplete") + "?q=k",
    ):
        assert client.get(url).status_code == 302
        assert client.get(url, headers=HTMX).status_code == 401
    client.force_login(outsider)
    assert client.get(entity_url(kb["office"])).status_code == 403
    assert client.get(reverse("knowledge:autocomplete") + "?q=k").status_code == 403


# --- Editing: who may ---------------------------------------------------------------------------


def _writes(kb) -> list[tuple[str, dict]]:
    starmer = kb["starmer"]
    tenure = Tenure.objects.get(person=starmer)
    return [
        (reverse("knowledge:entity_edit", args=[starmer.uuid]), {"label": "X", "kind": "person"}),
        (reverse("knowledge:alias_add", args=[starmer.uuid]), {"alias": "Sir Keir"}),
        (reverse("knowledge:alias_remove", args=[starmer.uuid]), {"alias": "Starmer"}),
        (reverse("knowledge:tenure_add", args=[starmer.uuid]), {"other_name": "UK Prime Minister"}),
        (reverse("knowledge:tenure_edit", args=[tenure.uuid]), {"other_name": "UK Prime Minister"}),
        (reverse("knowledge:tenure_delete", args=[tenure.uuid]), {}),
        (reverse("knowledge:entity_new"), {"label": "New", "kind": "person"}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["annotator", "reviewer", "outsider"])
@pytest.mark.parametrize("htmx", [False, True])
def test_it_lets_only_editors_change_the_kb(client, request, kb, role, htmx):
    client.force_login(request.getfixturevalue(role))
    before = (Entity.objects.count(), EntityAlias.objects.count(), Tenure.objects.count())
    for url, data in _writes(kb):
        response = client.post(url, data, headers=HTMX if htmx else {})
        assert response.status_code == 403, url
    assert (Entity.objects.count(), EntityAlias.objects.count(), Tenure.objects.count()) == before
    assert Entity.objects.get(pk=kb["starmer"].pk).label == "Keir Starmer"


@pytest.mark.django_db
def test_it_sends_anonymous_kb_edits_to_login(client, kb):
    for url, data in _writes(kb):
        assert client.post(url, data).status_code == 302
        assert client.post(url, data, headers=HTMX).status_code == 401
    assert Tenure.objects.count() == 2


# --- Editing: entity ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_edits_an_entitys_label_kind_and_description(client, editor, kb, htmx):
    sunak = kb["sunak"]
    client.force_login(editor)

    response = client.post(
        reverse("knowledge:entity_edit", args=[sunak.uuid]),
        {
            "label": "Rishi Sunak MP",
            "kind": "person",
            "description": "British politician",
            "version": sunak.updated_at.isoformat(),
        },
        headers=HTMX if htmx else {},
    )

    sunak.refresh_from_db()
    assert (sunak.label, sunak.description) == ("Rishi Sunak MP", "British politician")
    if htmx:
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="kb-summary"')
        assert "Saved." in html and "Rishi Sunak MP" in html
    else:
        assert response.status_code == 302 and response["Location"] == entity_url(sunak)
    assert sunak.history.first().history_user == editor


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_a_stale_entity_edit_with_the_current_state(client, editor, kb, htmx):
    sunak = kb["sunak"]
    seen = sunak.updated_at.isoformat()
    client.force_login(editor)
    client.post(
        reverse("knowledge:entity_edit", args=[sunak.uuid]),
        {"label": "Rishi Sunak (first edit)", "kind": "person", "version": seen},
    )

    response = client.post(
        reverse("knowledge:entity_edit", args=[sunak.uuid]),
        {"label": "Second edit", "kind": "person", "version": seen},
        headers=HTMX if htmx else {},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert 'value="Rishi Sunak (first edit)"' in html  # the form shows what is there now
    assert Entity.objects.get(pk=sunak.pk).label == "Rishi Sunak (first edit)"


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_a_kind_change_the_tenures_forbid(client, editor, kb, htmx):
    client.force_login(editor)
    response = client.post(
        reverse("knowledge:entity_edit", args=[kb["starmer"].uuid]),
        {"label": "Keir Starmer", "kind": "place"},
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    assert "holds offices" in response.content.decode()
    assert Entity.objects.get(pk=kb["starmer"].pk).kind == "person"


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_creates_an_entity_with_aliases(client, editor, db, htmx):
    client.force_login(editor)

    response = client.post(
        reverse("knowledge:entity_new"),
        {"label": "Emmanuel Macron", "kind": "person", "aliases": "Macron\nPresident Macron"},
        headers=HTMX if htmx else {},
    )

    entity = Entity.objects.get(label="Emmanuel Macron")
    if htmx:
        assert response["HX-Redirect"] == entity_url(entity)
    else:
        assert response["Location"] == entity_url(entity)
    assert sorted(entity.aliases.values_list("alias", flat=True)) == [
        "Emmanuel Macron",
        "Macron",
        "President Macron",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_an_entity_without_a_label(client, editor, db, htmx):
    client.force_login(editor)
    response = client.post(
        reverse("knowledge:entity_new"),
        {"label": "  ", "kind": "person"},
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert not Entity.objects.exists()


# --- Editing: aliases -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_adds_and_removes_an_alias(client, editor, kb, htmx):
    starmer = kb["starmer"]
    client.force_login(editor)
    headers = HTMX if htmx else {}

    added = client.post(
        reverse("knowledge:alias_add", args=[starmer.uuid]), {"alias": "Sir Keir"}, headers=headers
    )
    removed = client.post(
        reverse("knowledge:alias_remove", args=[starmer.uuid]),
        {"alias": "starmer"},
        headers=headers,
    )

    assert sorted(starmer.aliases.values_list("alias", flat=True)) == ["Keir Starmer", "Sir Keir"]
    if htmx:
        assert "Alias “Sir Keir” added." in added.content.decode()
        assert removed.content.decode().lstrip().startswith('<section id="kb-aliases"')
        assert "Alias “Starmer” removed." in removed.content.decode()
    else:
        assert added.status_code == removed.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_a_duplicate_alias_and_removing_the_label(client, editor, kb, htmx):
    starmer = kb["starmer"]
    client.force_login(editor)
    headers = HTMX if htmx else {}

    duplicate = client.post(
        reverse("knowledge:alias_add", args=[starmer.uuid]), {"alias": "STARMER"}, headers=headers
    )
    label = client.post(
        reverse("knowledge:alias_remove", args=[starmer.uuid]),
        {"alias": "Keir Starmer"},
        headers=headers,
    )
    unknown = client.post(
        reverse("knowledge:alias_remove", args=[starmer.uuid]), {"alias": "Nobody"}, headers=headers
    )

    assert duplicate.status_code == 422 and "already has the alias" in duplicate.content.decode()
    assert label.status_code == 422 and "change the label instead" in label.content.decode()
    assert unknown.status_code == 409
    assert starmer.aliases.count() == 2


# --- Editing: tenures -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_adds_a_tenure_by_the_office_name_typed(client, editor, kb, htmx):
    starmer = kb["starmer"]
    foreign = EntityFactory(label="Leader of the Opposition", kind=Entity.Kind.OFFICE)
    client.force_login(editor)

    response = client.post(
        reverse("knowledge:tenure_add", args=[starmer.uuid]),
        {
            "other_name": "leader of the opposition",
            "start": "2020-04-04",
            "start_precision": "day",
            "end": "2024-07-05",
            "end_precision": "day",
            "source_url": "https://www.wikidata.org/wiki/Q6555046",
        },
        headers=HTMX if htmx else {},
    )

    tenure = Tenure.objects.get(person=starmer, office=foreign)
    assert (tenure.start, tenure.end) == (dt.date(2020, 4, 4), dt.date(2024, 7, 5))
    if htmx:
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="kb-tenures"')
        assert "Leader of the Opposition: 2020-04-04 – 2024-07-05" in html  # on the timeline
    else:
        assert response.status_code == 302


@pytest.mark.django_db
def test_it_adds_a_tenure_by_the_office_picked_in_the_autocomplete(client, editor, kb):
    office = EntityFactory(label="Home Secretary", kind=Entity.Kind.OFFICE)
    client.force_login(editor)
    response = client.post(
        reverse("knowledge:tenure_add", args=[kb["sunak"].uuid]),
        {
            "other": str(office.uuid),
            "other_name": "whatever was typed",
            "start": "2019-07-24",
            "start_precision": "day",
            "end_precision": "day",
        },
    )
    assert response.status_code == 302
    assert Tenure.objects.filter(person=kb["sunak"], office=office).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_offers_the_candidates_when_the_office_name_is_ambiguous(client, editor, kb, htmx):
    EntityFactory(label="Minister of State for Trade", kind=Entity.Kind.OFFICE)
    EntityFactory(label="Minister of State for Health", kind=Entity.Kind.OFFICE)
    client.force_login(editor)

    response = client.post(
        reverse("knowledge:tenure_add", args=[kb["sunak"].uuid]),
        {"other_name": "Minister of State", "start_precision": "day", "end_precision": "day"},
        headers=HTMX if htmx else {},
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "Several entities match “Minister of State”; pick one." in html
    assert html.count('type="radio" name="other"') == 2
    assert Tenure.objects.filter(person=kb["sunak"]).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    "data, message",
    [
        ({"other_name": "UK Prime Minister", "start": "2024-01-01"}, "would overlap"),
        ({"other_name": "UK Prime Minister", "start": "2010-01-01", "end": "2009-01-01"}, "ends"),
        ({"other_name": "No Such Office", "start": "2010-01-01"}, "No office named"),
        ({"other_name": "UK Prime Minister", "start": "2010-13-45"}, "Enter a valid date"),
        ({"other_name": "", "start": "2010-01-01"}, "Name the office"),
    ],
)
def test_it_refuses_a_bad_tenure_and_changes_nothing(client, editor, kb, htmx, data, message):
    client.force_login(editor)
    response = client.post(
        reverse("knowledge:tenure_add", args=[kb["starmer"].uuid]),
        {"start_precision": "day", "end_precision": "day", **data},
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Tenure.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_edits_a_tenure_and_refuses_a_stale_edit(client, editor, kb, htmx):
    tenure = Tenure.objects.get(person=kb["sunak"])
    url = reverse("knowledge:tenure_edit", args=[tenure.uuid])
    client.force_login(editor)
    form = client.get(url).content.decode()
    version = re.search(r'name="version" value="([^"]+)"', form).group(1)
    data = {
        "other": str(kb["office"].uuid),
        "other_name": "Prime Minister of the United Kingdom",
        "start": "2022-10-25",
        "start_precision": "day",
        "end": "2024-07-04",
        "end_precision": "day",
        "version": version,
    }

    saved = client.post(url, data, headers=HTMX if htmx else {})
    stale = client.post(url, {**data, "end": "2024-07-01"}, headers=HTMX if htmx else {})

    tenure.refresh_from_db()
    assert tenure.end == dt.date(2024, 7, 4)
    if htmx:
        assert saved["HX-Redirect"] == entity_url(kb["sunak"])
    else:
        assert saved["Location"] == entity_url(kb["sunak"])
    assert stale.status_code == 409
    assert 'value="2024-07-04"' in stale.content.decode()  # the current end date


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_deletes_a_tenure_and_keeps_its_history(client, editor, kb, htmx):
    tenure = Tenure.objects.get(person=kb["sunak"])
    client.force_login(editor)

    response = client.post(
        reverse("knowledge:tenure_delete", args=[tenure.uuid]), headers=HTMX if htmx else {}
    )

    assert not Tenure.objects.filter(pk=tenure.pk).exists()
    target = response["HX-Redirect"] if htmx else response["Location"]
    assert target == entity_url(kb["sunak"])
    page = client.get(reverse("history:detail", args=["tenure", tenure.uuid])).content.decode()
    assert "has been deleted" in page and "edith" in page


@pytest.mark.django_db
def test_it_reads_an_entity_page_in_a_fixed_number_of_queries(
    client, editor, kb, django_assert_num_queries
):
    office = kb["office"]
    client.force_login(editor)
    # session, user, roles, entity, held, holders, aliases, mentions
    with django_assert_num_queries(8):
        client.get(entity_url(office))
    for year in range(1990, 2000):
        TenureFactory(
            person=EntityFactory(label=f"Holder {year}"),
            office=office,
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
        )
        EntityAlias.objects.create(entity=office, alias=f"PM {year}", normalized=f"pm {year}")
    with django_assert_num_queries(8):
        response = client.get(entity_url(office))
    assert response.content.decode().count('class="tl-bar') == 12
