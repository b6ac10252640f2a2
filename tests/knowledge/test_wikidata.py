"""The pure Wikidata reader: dates and precision, as Wikidata writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.knowledge.wikidata import WikidataDate, WikidataFormatError, parse_time

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
