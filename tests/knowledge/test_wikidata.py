"""The pure Wikidata reader: dates and precision, as Wikidata writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.knowledge.wikidata import WikidataDate, WikidataFormatError, parse_entity, parse_time
from tests.knowledge.wd import entity as wd_entity
from tests.knowledge.wd import held, item_snak

GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
JULIAN = "http://www.wikidata.org/entity/Q1985786"


def time_value(text: str, precision: int, calendar: str = GREGORIAN) -> dict:
    return {"time": text, "precision": precision, "calendarmodel": calendar}


@pytest.mark.parametrize(
    "text,precision,expected",
    [
        ("+2024-07-05T00:00:00Z", 11, WikidataDate(dt.date(2024, 7, 5), "day")),
        ("+2024-07-00T00:00:00Z", 10, WikidataDate(dt.date(2024, 7, 1), "month")),
        ("+2024-00-00T00:00:00Z", 9, WikidataDate(dt.date(2024, 1, 1), "year")),
        ("+2024-07-05T00:00:00Z", 9, WikidataDate(dt.date(2024, 1, 1), "year")),
        ("+2024-07-05T13:00:00Z", 14, WikidataDate(dt.date(2024, 7, 5), "day")),
        ("+2010-00-00T00:00:00Z", 8, None),  # a decade: too vague to date a tenure
        ("-0044-03-15T00:00:00Z", 11, None),  # before year 1
    ],
)
def test_it_reads_a_time_as_its_first_day_and_precision(text, precision, expected):
    assert parse_time(time_value(text, precision)) == expected


def test_a_julian_calendar_day_is_converted_to_the_gregorian_calendar():
    # Peter the Great's accession, 27 April 1682 (Julian) = 7 May 1682 (Gregorian).
    value = time_value("+1682-04-27T00:00:00Z", 11, JULIAN)
    assert parse_time(value) == WikidataDate(dt.date(1682, 5, 7), "day")


@pytest.mark.parametrize("value", [{"time": "yesterday", "precision": 11}, {"precision": 11}])
def test_a_time_that_is_not_a_wikidata_time_is_an_error(value):
    with pytest.raises(WikidataFormatError):
        parse_time(value, qid="Q1")


# --- What the sync and import_kb read beyond labels and P39 ------------------------------------


def statement(prop: str, snak: dict, rank: str = "normal") -> dict:
    return {"mainsnak": snak, "type": "statement", "id": f"X${prop}", "rank": rank}


def demonym(text: str, language: str = "en") -> dict:
    return {
        "snaktype": "value",
        "property": "P1549",
        "datavalue": {"value": {"text": text, "language": language}, "type": "monolingualtext"},
        "datatype": "monolingualtext",
    }


@pytest.mark.parametrize(
    "item,gender",
    [
        ("Q6581097", "male"),
        ("Q6581072", "female"),
        ("Q1052281", "female"),  # trans woman
        ("Q2449503", "male"),  # trans man
        ("Q48270", "other"),  # non-binary
    ],
)
def test_it_reads_the_gender(item, gender):
    data = wd_entity("Q1", "Someone", instance_of=["Q5"])
    data["claims"]["P21"] = [statement("P21", item_snak("P21", item))]
    assert parse_entity(data).gender == gender


def test_no_gender_statement_leaves_it_unknown():
    assert parse_entity(wd_entity("Q1", "Someone", instance_of=["Q5"])).gender == ""


def test_it_reads_english_demonyms_preferred_first_without_deprecated_ones():
    data = wd_entity("Q145", "United Kingdom", instance_of=["Q6256"])
    data["claims"]["P1549"] = [
        statement("P1549", demonym("Britisher"), "deprecated"),
        statement("P1549", demonym("UK")),
        statement("P1549", demonym("britannique", "fr")),
        statement("P1549", demonym("British"), "preferred"),
    ]
    assert parse_entity(data).demonyms == ["British", "UK"]


def test_the_jurisdiction_is_p1001_else_p17_and_a_country_is_not_its_own():
    office = wd_entity("Q14211", "Prime Minister of the United Kingdom", instance_of=["Q4164871"])
    office["claims"]["P17"] = [statement("P17", item_snak("P17", "Q174193"))]
    assert parse_entity(office).jurisdiction_id == "Q174193"
    office["claims"]["P1001"] = [
        statement("P1001", item_snak("P1001", "Q21"), "deprecated"),
        statement("P1001", item_snak("P1001", "Q145")),
    ]
    assert parse_entity(office).jurisdiction_id == "Q145"
    country = wd_entity("Q145", "United Kingdom", instance_of=["Q6256"])
    country["claims"]["P17"] = [statement("P17", item_snak("P17", "Q145"))]
    assert parse_entity(country).jurisdiction_id is None


def test_a_subclass_of_an_office_class_is_an_office():
    data = wd_entity("Q14211", "Prime Minister of the United Kingdom")
    data["claims"]["P279"] = [statement("P279", item_snak("P279", "Q14212"))]
    assert parse_entity(data).kind == "office"


def test_it_reads_the_revision_and_the_predecessor_and_successor_of_a_term():
    term = held("Q2$1", "Q14211", "2022-10-25", "2024-07-05")
    term["qualifiers"]["P1365"] = [item_snak("P1365", "Q3")]
    term["qualifiers"]["P1366"] = [item_snak("P1366", "Q1")]
    data = wd_entity("Q2", "Rishi Sunak", instance_of=["Q5"], held_offices=[term])
    data["lastrevid"] = 2401002
    record = parse_entity(data)
    assert record.revision == 2401002
    assert (record.tenures[0].replaces, record.tenures[0].replaced_by) == ("Q3", "Q1")
