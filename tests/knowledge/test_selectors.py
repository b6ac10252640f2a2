from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.knowledge.models import Entity
from apps.knowledge.selectors import (
    entity_get_for_user,
    entity_search,
    office_holders_on,
    tenures_of_office,
    tenures_of_person,
)
from tests.factories import EntityFactory, TenureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(db):
    zelensky = EntityFactory(
        label="Volodymyr Zelensky", aliases=["Zelensky", "Zelenskyy"], wikidata_id="Q900000005"
    )
    zelda = EntityFactory(label="Zelda Fitzgerald")
    macron = EntityFactory(label="Emmanuel Macron", aliases=["Macron"])
    office = EntityFactory(
        label="President of Ukraine", kind=Entity.Kind.OFFICE, aliases=["Ukrainian President"]
    )
    return {"zelensky": zelensky, "zelda": zelda, "macron": macron, "office": office}


def test_search_matches_an_alias_prefix_whatever_the_case(annotator, kb):
    assert entity_search(user=annotator, query="ZELENSKYY") == [kb["zelensky"]]
    assert entity_search(user=annotator, query="zel") == [kb["zelensky"], kb["zelda"]]


def test_search_matches_a_word_inside_an_alias_after_prefixes(annotator, kb):
    assert entity_search(user=annotator, query="president") == [kb["office"]]
    assert entity_search(user=annotator, query="macr") == [kb["macron"]]
    assert entity_search(user=annotator, query="ukrainian pres") == [kb["office"]]


def test_search_filters_by_kind_and_finds_a_wikidata_id(annotator, kb):
    assert entity_search(user=annotator, query="zel", kind="office") == []
    assert entity_search(user=annotator, query="q900000005") == [kb["zelensky"]]
    assert entity_search(user=annotator, query="   ") == []


def test_search_and_reads_need_a_role(outsider, kb):
    with pytest.raises(PermissionDenied):
        entity_search(user=outsider, query="zel")
    with pytest.raises(PermissionDenied):
        entity_get_for_user(user=outsider, entity_uuid=kb["zelensky"].uuid)


def test_an_entity_is_loaded_by_its_public_id(annotator, kb):
    assert entity_get_for_user(user=annotator, entity_uuid=kb["macron"].uuid) == kb["macron"]
    with pytest.raises(Http404):
        entity_get_for_user(user=annotator, entity_uuid="not-a-uuid")


def test_tenures_come_oldest_first(kb):
    office = kb["office"]
    later = TenureFactory(person=kb["zelensky"], office=office, start=dt.date(2019, 5, 20))
    earlier = TenureFactory(office=office, start=dt.date(2014, 6, 7), end=dt.date(2019, 5, 20))
    assert tenures_of_office(office=office) == [earlier, later]
    assert tenures_of_person(person=kb["zelensky"]) == [later]
    assert office_holders_on(office=office, on=dt.date(2020, 1, 1)) == [later]
    assert office_holders_on(office=office, on=dt.date(2019, 5, 20)) == [earlier, later]
    assert office_holders_on(office=office, on=dt.date(2010, 1, 1)) == []
