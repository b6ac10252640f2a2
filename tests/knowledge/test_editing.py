"""The editors' services the KB browser calls: validated, recorded, and reported to the checks."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.knowledge.models import Entity, EntityAlias, Tenure
from apps.knowledge.services import (
    Conflict,
    KnowledgeError,
    NotAllowed,
    entity_alias_add,
    entity_alias_remove,
    entity_create,
    entity_update,
    tenure_create,
    tenure_delete,
    tenure_update,
)
from tests.factories import EntityFactory, TenureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def uk_pm(db):
    return EntityFactory(
        label="Prime Minister of the United Kingdom",
        kind=Entity.Kind.OFFICE,
        aliases=["UK Prime Minister"],
    )


@pytest.fixture
def sunak(db):
    return EntityFactory(label="Rishi Sunak", aliases=["Sunak"])


def test_it_creates_an_entity_with_its_label_and_aliases(editor, kb_changes):
    entity = entity_create(
        user=editor,
        label="  Keir   Starmer ",
        kind="person",
        description="UK Prime Minister",
        aliases=["Starmer", "keir starmer"],
    )

    assert entity.label == "Keir Starmer"
    assert set(entity.aliases.values_list("alias", "is_label", "origin")) == {
        ("Keir Starmer", True, "manual"),
        ("Starmer", False, "manual"),
    }
    assert entity.history.first().history_user == editor
    assert kb_changes[-1] == [entity.pk]


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"label": "   ", "kind": "person"}, "cannot be empty"),
        ({"label": "x" * 301, "kind": "person"}, "limit is 300"),
        ({"label": "Someone", "kind": "robot"}, "Unknown kind 'robot'"),
        ({"label": "Someone", "kind": "person", "wikidata_id": "Q 1"}, "not a Wikidata id"),
    ],
)
def test_it_refuses_an_entity_it_cannot_store(editor, fields, message):
    with pytest.raises(KnowledgeError, match=message):
        entity_create(user=editor, **fields)
    assert Entity.objects.count() == 0


def test_a_wikidata_id_belongs_to_one_entity(editor):
    first = entity_create(user=editor, label="Donald Trump", kind="person", wikidata_id="Q22686")
    with pytest.raises(KnowledgeError, match="already the Wikidata id of “Donald Trump”"):
        entity_create(user=editor, label="Trump", kind="person", wikidata_id="Q22686")
    assert list(Entity.objects.all()) == [first]


@pytest.mark.parametrize("who", ["annotator", "reviewer", "outsider"])
def test_only_editors_change_the_knowledge_base(request, who, sunak, uk_pm):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        entity_create(user=user, label="Someone", kind="person")
    with pytest.raises(NotAllowed):
        entity_update(user=user, entity=sunak, label="Rishi")
    with pytest.raises(NotAllowed):
        entity_alias_add(user=user, entity=sunak, alias="Rishi")
    with pytest.raises(NotAllowed):
        tenure_create(user=user, person=sunak, office=uk_pm, start=dt.date(2022, 10, 25))
    assert sunak.aliases.count() == 2
    assert Tenure.objects.count() == 0


def test_renaming_keeps_the_old_label_as_an_alias(editor, sunak, kb_changes):
    entity_update(user=editor, entity=sunak, label="Rishi Sunak MP", description="MP")

    sunak.refresh_from_db()
    assert (sunak.label, sunak.description) == ("Rishi Sunak MP", "MP")
    assert set(sunak.aliases.values_list("alias", "is_label")) == {
        ("Rishi Sunak MP", True),
        ("Rishi Sunak", False),
        ("Sunak", False),
    }
    assert kb_changes[-1] == [sunak.pk]


def test_an_entity_holding_offices_stays_a_person(editor, uk_pm):
    tenure = TenureFactory(office=uk_pm)
    with pytest.raises(KnowledgeError, match="only a person can"):
        entity_update(user=editor, entity=tenure.person, kind="organisation")
    with pytest.raises(KnowledgeError, match="has to stay an office"):
        entity_update(user=editor, entity=uk_pm, kind="place")
    tenure.person.refresh_from_db()
    assert tenure.person.kind == Entity.Kind.PERSON


def test_a_stale_entity_edit_is_refused(editor, sunak):
    opened_at = sunak.updated_at
    entity_update(user=editor, entity=sunak, description="first edit")
    with pytest.raises(Conflict) as raised:
        entity_update(
            user=editor, entity=sunak, description="second edit", expected_updated_at=opened_at
        )
    assert raised.value.current.description == "first edit"


def test_aliases_are_added_once_and_the_label_cannot_be_removed(editor, sunak, kb_changes):
    alias = entity_alias_add(user=editor, entity=sunak, alias="Rishi")
    assert kb_changes[-1] == [sunak.pk]
    with pytest.raises(KnowledgeError, match="already has the alias “Rishi”"):
        entity_alias_add(user=editor, entity=sunak, alias="  RISHI ")
    with pytest.raises(KnowledgeError, match="change the label instead"):
        entity_alias_remove(user=editor, alias=sunak.aliases.get(is_label=True))

    entity_alias_remove(user=editor, alias=alias)

    assert not EntityAlias.objects.filter(alias="Rishi").exists()
    assert EntityAlias.history.filter(alias="Rishi", history_type="-").get().history_user == editor


def test_it_records_a_tenure_and_tells_the_checks(editor, sunak, uk_pm, kb_changes):
    tenure = tenure_create(
        user=editor,
        person=sunak,
        office=uk_pm,
        start=dt.date(2022, 10, 25),
        end=dt.date(2024, 7, 5),
        source_url="https://www.gov.uk/government/history/past-prime-ministers",
    )
    assert (tenure.start, tenure.end, tenure.is_current) == (
        dt.date(2022, 10, 25),
        dt.date(2024, 7, 5),
        False,
    )
    assert tenure.statement_id is None
    assert kb_changes[-1] == sorted([sunak.pk, uk_pm.pk])


@pytest.mark.parametrize(
    "fields,message",
    [
        (
            {"start": dt.date(2024, 7, 5), "end": dt.date(2022, 10, 25)},
            r"ends \(2022-10-25\) before it starts",
        ),
        (
            {"start": dt.date(2022, 10, 25), "end": dt.date(2023, 1, 1), "end_unknown": True},
            "not both",
        ),
        ({"start": dt.date(2022, 10, 25), "start_precision": "week"}, "Unknown precision"),
        ({"start": dt.date(2022, 10, 25), "source_url": "gov.uk page"}, "not a web address"),
        ({"start": "2022-10-25"}, "must be a date"),
    ],
)
def test_it_refuses_an_impossible_tenure(editor, sunak, uk_pm, fields, message):
    with pytest.raises(KnowledgeError, match=message):
        tenure_create(user=editor, person=sunak, office=uk_pm, **fields)
    assert Tenure.objects.count() == 0


def test_only_a_person_holds_only_an_office(editor, sunak, uk_pm):
    place = EntityFactory(label="Paris", kind=Entity.Kind.PLACE)
    with pytest.raises(
        KnowledgeError, match="“Prime Minister of the United Kingdom” is not a person"
    ):
        tenure_create(user=editor, person=uk_pm, office=uk_pm, start=dt.date(2020, 1, 1))
    with pytest.raises(KnowledgeError, match="“Paris” is not an office"):
        tenure_create(user=editor, person=sunak, office=place, start=dt.date(2020, 1, 1))


def test_a_year_precision_end_in_the_start_year_is_accepted(editor, sunak, uk_pm):
    tenure = tenure_create(
        user=editor,
        person=sunak,
        office=uk_pm,
        start=dt.date(2022, 10, 25),
        end=dt.date(2022, 6, 1),
        end_precision="year",
    )
    assert tenure.end_latest == dt.date(2022, 12, 31)
    assert tenure.start <= tenure.end


def test_overlapping_terms_in_the_same_office_are_refused_but_consecutive_ones_are_not(
    editor, sunak, uk_pm
):
    tenure_create(
        user=editor,
        person=sunak,
        office=uk_pm,
        start=dt.date(2017, 5, 14),
        end=dt.date(2022, 5, 14),
    )
    with pytest.raises(KnowledgeError, match="would overlap"):
        tenure_create(user=editor, person=sunak, office=uk_pm, start=dt.date(2020, 1, 1))
    second = tenure_create(user=editor, person=sunak, office=uk_pm, start=dt.date(2022, 5, 14))
    assert second.is_current


def test_it_updates_and_deletes_a_tenure(editor, sunak, uk_pm, kb_changes):
    tenure = tenure_create(user=editor, person=sunak, office=uk_pm, start=dt.date(2022, 10, 25))
    opened_at = tenure.updated_at

    tenure_update(
        user=editor, tenure=tenure, end=dt.date(2024, 7, 5), expected_updated_at=opened_at
    )

    tenure.refresh_from_db()
    assert tenure.end == dt.date(2024, 7, 5)
    with pytest.raises(Conflict):
        tenure_update(
            user=editor, tenure=tenure, end=dt.date(2024, 7, 6), expected_updated_at=opened_at
        )
    with pytest.raises(KnowledgeError, match="before it starts"):
        tenure_update(user=editor, tenure=tenure, end=dt.date(2020, 1, 1))
    with pytest.raises(KnowledgeError, match="Cannot change statement_id"):
        tenure_update(user=editor, tenure=tenure, statement_id="Q1$x")
    tenure.refresh_from_db()
    assert tenure.end == dt.date(2024, 7, 5)

    kb_changes.clear()
    tenure_delete(user=editor, tenure=tenure)
    assert Tenure.objects.count() == 0
    assert kb_changes == [sorted([sunak.pk, uk_pm.pk])]
