"""Dates in the text: absolute ("January 6, 2024", "6 Jan 2024", "2024-01-06"), partial ("March
2025" → month precision, "in 2019" → year precision) and relative ("yesterday", "last week", "on
Tuesday") resolved against the publication date.

A cheap regex finds the candidate substrings (a month name next to a day or a year, an ISO date,
a weekday, a relative expression); only those go to dateparser, with fixed settings and the
publication date as RELATIVE_BASE (a year alone needs no parser). A bare number is never a
candidate, so no date is made from one. dateparser's own search over the whole text is ~20x
slower and finds less."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateparser.date import DateDataParser

DAY, MONTH, YEAR = "day", "month", "year"

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAYNUM = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_NUMBER_WORD = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,3})"
_UNIT = r"(?:day|week|month|year)s?"
# Lowercase words that may follow a year; any other lowercase word makes "in 2000 cases" a count.
_AFTER_YEAR_OK = (
    r"(?:and|or|to|when|the|a|as|after|before|but|that|with|was|were|is|has|had|at|for|he|she"
    r"|they|it|we|while|until|amid|on|in|of|by)"
)

_CANDIDATE = re.compile(
    rf"""
    (?<![\w-])(?:
      (?P<mdy>(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAYNUM}(?:,?\s+{_YEAR})?)(?![\w-])
    | (?P<dmy>(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAYNUM}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?)(?![\w-])
    | (?P<my>{_MONTH},?\s+{_YEAR})(?![\w-])
    | (?P<iso>{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\w-])
    | (?P<ago>{_NUMBER_WORD}\s+{_UNIT}\s+ago)\b
    | (?P<rel>(?:[Ee]arlier\s+|[Ll]ater\s+)?(?:[Ll]ast|[Nn]ext|[Tt]his)\s+(?:week|month|year))\b
    | (?P<deictic>[Yy]esterday|[Tt]oday|[Tt]omorrow)\b
    | (?P<wd>(?:(?:[Ll]ast|[Nn]ext|[Tt]his)\s+)?{_WEEKDAY})\b
    )
    | \b(?:in|In|since|Since|until|Until|during|During|throughout|early|late|mid-?)\s
      (?P<year>{_YEAR})(?!\s*(?:[-–%]|per\s?cent|\d))(?=[\s,.;:)’'”]|$)(?!\s+(?!{_AFTER_YEAR_OK}\b)[a-z])
    """,
    re.VERBOSE,
)

_RELATIVE_GROUPS = {"ago", "rel", "deictic", "wd"}
_PERIOD_PRECISION = {"day": DAY, "week": DAY, "month": MONTH, "year": YEAR}
_NO_BASE = dt.datetime(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class DateFound:
    start: int
    end: int
    value: dt.date | None
    precision: str
    is_relative: bool
    confidence: float


def candidates(body: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every substring worth giving to the date parser."""
    found = []
    for match in _CANDIDATE.finditer(body):
        kind = match.lastgroup or ""
        start, end = match.start(kind), match.end(kind)
        if body.startswith("the ", start):  # "the 6th of January": the date is "6th of January"
            start += 4
        found.append((start, end, kind))
    return found


def _parser(base: dt.datetime, *, relative: bool) -> DateDataParser:
    # Only the parsers a candidate of that kind can need: a third less time per call.
    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "DMY",
            "PARSERS": ["relative-time", "absolute-time"] if relative else ["absolute-time"],
        },
    )


def _nearest_year(value: dt.date, base: dt.date) -> dt.date:
    """A day and month without a year: the occurrence nearest the publication date."""
    best = value
    for year in (base.year - 1, base.year + 1):
        try:
            other = value.replace(year=year)
        except ValueError:  # 29 February
            continue
        if abs((other - base).days) < abs((best - base).days):
            best = other
    return best


def _normalised(text: str) -> str:
    # dateparser knows "this week" but not "earlier this week"; the week is the same.
    return re.sub(r"^(?:[Ee]arlier|[Ll]ater)\s+", "", text)


def find(body: str, *, published_on: dt.date | None) -> list[DateFound]:
    base = dt.datetime.combine(published_on, dt.time()) if published_on else _NO_BASE
    absolute_parser = _parser(base, relative=False)
    relative_parser = _parser(base, relative=True)
    found: list[DateFound] = []
    for start, end, kind in candidates(body):
        text = body[start:end]
        if kind == "year":
            # The regex matched four digits and nothing else, and a year stands for its first
            # day at year precision whatever dateparser makes of it: nothing to ask it (a test
            # checks it reads every such year as that year).
            found.append(DateFound(start, end, dt.date(int(text), 1, 1), YEAR, False, 0.6))
            continue
        has_year = kind in {"iso", "my", "year"} or (
            kind in {"mdy", "dmy"} and re.search(rf"{_YEAR}$", text) is not None
        )
        relative = kind in _RELATIVE_GROUPS or not has_year
        if relative and published_on is None:
            # Nothing to resolve it against: keep the mention, without a value.
            found.append(DateFound(start, end, None, DAY, True, 0.3))
            continue
        parser = relative_parser if kind in _RELATIVE_GROUPS else absolute_parser
        data = parser.get_date_data(_normalised(text))
        if data.date_obj is None:
            continue
        value = data.date_obj.date()
        precision = _PERIOD_PRECISION.get(data.period or "day", DAY)
        if kind in {"mdy", "dmy"} and not has_year and published_on:
            value = _nearest_year(value, published_on)
        # A month or a year stands for its first day (dateparser fills in the base's day/month).
        if precision == MONTH:
            value = value.replace(day=1)
        elif precision == YEAR:
            value = value.replace(month=1, day=1)
        confidence = 0.95 if not relative else 0.8
        if data.period == "week":
            confidence = 0.6
        found.append(DateFound(start, end, value, precision, relative, confidence))
    return found
