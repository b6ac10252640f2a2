"""Dates: absolute, partial and relative ones, each with a case that must not become a date."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.extraction import dates

PUBLISHED = dt.date(2026, 1, 7)  # a Wednesday


def found(text: str, published_on: dt.date | None = PUBLISHED) -> list[tuple]:
    return [
        (text[d.start : d.end], d.value, d.precision, d.is_relative)
        for d in dates.find(text, published_on=published_on)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Allies met on January 6, 2024, in Paris.", ("January 6, 2024", dt.date(2024, 1, 6))),
        ("Allies met on 6 Jan 2024 in Paris.", ("6 Jan 2024", dt.date(2024, 1, 6))),
        ("The filing is dated 2024-01-06.", ("2024-01-06", dt.date(2024, 1, 6))),
        ("It was signed on Sept. 5, 2024.", ("Sept. 5, 2024", dt.date(2024, 9, 5))),
        (
            "It was signed on the 5th of September 2024.",
            ("5th of September 2024", dt.date(2024, 9, 5)),
        ),
    ],
)
def test_it_reads_absolute_dates_with_day_precision(text, expected):
    assert found(text) == [(*expected, "day", False)]


def test_it_keeps_the_weekday_written_with_a_date_so_the_checks_can_compare_them():
    assert found("Talks began on Tuesday, January 6, 2024.") == [
        ("Tuesday, January 6, 2024", dt.date(2024, 1, 6), "day", False)
    ]


def test_it_reads_a_month_and_year_as_month_precision():
    assert found("The ceasefire collapsed in March 2025.") == [
        ("March 2025", dt.date(2025, 3, 1), "month", False)
    ]


def test_it_reads_a_year_after_a_preposition_as_year_precision():
    text = "The treaty has been in force since 2019, officials said."
    for published in (PUBLISHED, dt.date(2025, 9, 17)):
        assert found(text, published) == [("2019", dt.date(2019, 1, 1), "year", False)]
    assert found("In March 2025 it ended.", dt.date(2025, 9, 17)) == [
        ("March 2025", dt.date(2025, 3, 1), "month", False)
    ]


def test_a_year_alone_is_read_as_dateparser_reads_it():
    # The date step does not ask dateparser about a lone year ("in 2019"): the year it would
    # read is the one written, for every year the candidate pattern admits.
    parser = dates._parser(dt.datetime(2026, 1, 7), relative=False)
    for year in range(1800, 2100):
        assert parser.get_date_data(str(year)).date_obj.year == year
        (date,) = dates.find(f"It began in {year}.", published_on=PUBLISHED)
        assert (date.value, date.precision, date.is_relative) == (
            dt.date(year, 1, 1),
            "year",
            False,
        )


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("The minister resigned yesterday.", "yesterday", dt.date(2026, 1, 6)),
        ("The vote was held on Tuesday.", "Tuesday", dt.date(2026, 1, 6)),
        ("The vote was held last Friday.", "last Friday", dt.date(2026, 1, 2)),
        ("The deal was struck three days ago.", "three days ago", dt.date(2026, 1, 4)),
        ("The summit opened last week.", "last week", dt.date(2025, 12, 31)),
        ("The meeting is on January 9.", "January 9", dt.date(2026, 1, 9)),
        ("Gifts were exchanged on December 25.", "December 25", dt.date(2025, 12, 25)),
    ],
)
def test_it_resolves_relative_dates_against_the_publication_date(text, span, value):
    (result,) = found(text)
    assert result[0] == span
    assert result[1] == value
    assert result[3] is True


def test_it_resolves_last_month_to_month_precision():
    assert found("Prices rose last month.") == [("last month", dt.date(2025, 12, 1), "month", True)]


def test_it_keeps_a_relative_date_without_a_value_when_the_publication_date_is_unknown():
    assert found("The minister resigned yesterday.", published_on=None) == [
        ("yesterday", None, "day", True)
    ]
    # An absolute date needs no publication date.
    assert found("Allies met on January 6, 2024.", published_on=None) == [
        ("January 6, 2024", dt.date(2024, 1, 6), "day", False)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The coalition pledged 2024 troops and 300 tanks.",
        "A 2024 total of 35 people was reported.",
        "In 2000 cases the checks found nothing.",
        "He may go to the summit, and they march on.",
        "The vote was 6 to 1, with 12 abstentions.",
        "Room 1215 was booked for the 45 delegates.",
        "Shares fell 3.5 per cent.",
    ],
)
def test_it_makes_no_date_from_a_bare_number_or_a_month_like_word(text):
    assert found(text) == []


def test_it_rejects_an_impossible_date():
    assert found("The memo is dated February 30, 2024.") == []


# --- dates as wire copy writes them (issue 11) -------------------------------------------------


def test_a_weekday_in_a_sentence_about_what_lies_ahead_is_the_coming_one():
    # 7 January 2026 is a Wednesday.
    assert found("The minister will brief premiers on Friday.") == [
        ("Friday", dt.date(2026, 1, 9), "day", True)
    ]
    assert found("Leaders are due to meet on Monday in Rome.")[0][1] == dt.date(2026, 1, 12)
    # The same weekday in a past-tense sentence is the last one.
    assert found("The minister briefed premiers on Friday.") == [
        ("Friday", dt.date(2026, 1, 2), "day", True)
    ]


def test_a_fraction_of_years_ago_is_read_whole():
    assert found("The law passed 2.5 years ago.") == [
        ("2.5 years ago", dt.date(2023, 7, 1), "month", True)
    ]
    assert found("The law passed 5 years ago.")[0][:2] == ("5 years ago", dt.date(2021, 1, 1))


def test_numeric_dates_follow_the_publications_convention():
    text = "The memo is dated 07/08/2022."
    us = dates.find(text, published_on=PUBLISHED, language="en-US")
    uk = dates.find(text, published_on=PUBLISHED, language="en-GB")
    assert [d.value for d in us] == [dt.date(2022, 7, 8)]
    assert [d.value for d in uk] == [dt.date(2022, 8, 7)]
    # A US publication named as the source, when the language does not say.
    (d,) = dates.find(text, published_on=PUBLISHED, source="The Washington Post")
    assert d.value == dt.date(2022, 7, 8)


def test_an_impossible_reading_of_a_numeric_date_gives_way_or_gives_nothing():
    (d,) = dates.find("Filed 07/22/2022.", published_on=PUBLISHED, language="en-GB")
    assert d.value == dt.date(2022, 7, 22)
    (d,) = dates.find("Filed 22/07/2022.", published_on=PUBLISHED, language="en-US")
    assert d.value == dt.date(2022, 7, 22)
    assert dates.find("Filed 31/31/2022.", published_on=PUBLISHED) == []
    assert dates.find("The score was 3/4 and the version 1.2.3.", published_on=PUBLISHED) == []


def test_by_the_end_of_a_year_is_that_year():
    assert found("Troops will leave by the end of 2024.") == [
        ("2024", dt.date(2024, 1, 1), "year", False)
    ]
    assert found("The plan covers 2024 projects.") == []


def test_month_names_used_as_dates_have_month_precision():
    # Published 7 January 2026: the nearest April is the last one.
    assert found("The talks collapsed at the end of April.") == [
        ("April", dt.date(2025, 4, 1), "month", True)
    ]
    assert found("Leaders prepared for September’s summit.") == [
        ("September", dt.date(2025, 9, 1), "month", True)
    ]
    assert found("The leaders will meet again in March.") == [
        ("March", dt.date(2026, 3, 1), "month", True)
    ]


def test_a_month_name_that_is_not_a_date_is_left_alone():
    assert found("Theresa May’s government fell. April Ryan asked a question.") == []
    assert found("The deal was signed in March 2025.") == [
        ("March 2025", dt.date(2025, 3, 1), "month", False)
    ]


def test_mid_month_mid_year_ranges_and_decades():
    assert found("Talks resumed in mid-March.") == [("March", dt.date(2025, 3, 1), "month", True)]
    assert found("Prices rose by mid-2024.") == [("2024", dt.date(2024, 1, 1), "year", False)]
    assert [d[0] for d in found("Rates rose between 2019 and 2021.")] == ["2019"]
    assert found("The law passed a decade ago.") == [
        ("a decade ago", dt.date(2016, 1, 1), "year", True)
    ]
    assert found("The midfield held.") == []


def test_a_weekday_a_meeting_is_scheduled_for_lies_ahead():
    assert found("The vote is scheduled for Thursday.") == [
        ("Thursday", dt.date(2026, 1, 8), "day", True)
    ]


def test_a_day_without_a_year_is_not_months_ahead_unless_the_sentence_looks_ahead():
    july = dt.date(2024, 7, 24)
    assert dates.find("The talks collapsed on Jan. 6.", published_on=july)[0].value == dt.date(
        2024, 1, 6
    )
    assert dates.find("The talks will resume on Jan. 6.", published_on=july)[0].value == dt.date(
        2025, 1, 6
    )
    assert dates.find("The summit is on Aug. 2.", published_on=july)[0].value == dt.date(2024, 8, 2)


# Every shape the fast path writes a format for (weekday, "the", ordinal, "of", abbreviation with
# and without its full stop, commas, a line break), read to the same date as the full parse.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tuesday, the 6th of January, 2024", (dt.date(2024, 1, 6), "day", False)),
        ("Jan. 6th, 2024", (dt.date(2024, 1, 6), "day", False)),
        ("Jan 6 2024", (dt.date(2024, 1, 6), "day", False)),
        ("Sept 3, 2023", (dt.date(2023, 9, 3), "day", False)),
        ("22nd of June 2024", (dt.date(2024, 6, 22), "day", False)),
        ("Dec.  2,\n2021", (dt.date(2021, 12, 2), "day", False)),
        ("March, 2025", (dt.date(2025, 3, 1), "month", False)),
        ("Oct. 2019", (dt.date(2019, 10, 1), "month", False)),
        ("May 3rd", (dt.date(2025, 5, 3), "day", True)),
        ("1 December", (dt.date(2025, 12, 1), "day", True)),
    ],
)
def test_it_reads_every_written_shape_of_an_absolute_date(text, expected):
    assert found(f"It was {text} there.") == [(text, *expected)]


def test_a_day_that_does_not_exist_is_no_date_and_29_february_finds_its_leap_year():
    assert found("It was signed on February 30, 2024 and on February 29, 2023.") == []
    assert found("It was signed on February 29.", published_on=dt.date(2024, 3, 1)) == [
        ("February 29", dt.date(2024, 2, 29), "day", True)
    ]
