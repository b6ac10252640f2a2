"""Dates in the text: absolute ("January 6, 2024", "6 Jan 2024", "2024-01-06"), partial ("March
2025" → month precision, "in 2019" → year precision) and relative ("yesterday", "last week", "on
Tuesday") resolved against the publication date.

A cheap regex finds the candidate substrings (a month name next to a day or a year, an ISO date,
a weekday, a relative expression); only those go to dateparser, with fixed settings and the
publication date as RELATIVE_BASE (a year alone needs no parser). An absolute candidate goes with
the strptime format of its shape, written from its own tokens ("Jan. 6th, 2024" → "%b. %dth,
%Y"): dateparser tries given formats first, ~40x cheaper than its full parse, and falls back to
the full parse when the format does not match, so the answer is the same (issue 15). A bare number is never a
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
_WEEKDAYS = _WEEKDAY[3:-1].split("|")
_DAYNUM = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_NUMBER_WORD = (
    r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,3}(?:\.\d+)?)"
)
_FULL_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_UNIT = r"(?:day|week|month|year|decade)s?"
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
    | (?P<num>(?:[0-3]?\d)/(?:[0-3]?\d)/(?:\d{{4}}|\d\d)|(?:[0-3]?\d)\.(?:[0-3]?\d)\.\d{{4}})
      (?![\w/]|\.\d)
    | (?P<monpos>(?!May){_FULL_MONTH})(?=[’']s\s)
    )
    | \b(?:(?:[Ii]n|[Ss]ince|[Uu]ntil|[Dd]uring|[Tt]hroughout|[Ee]arly|[Ll]ate|mid|[Bb]etween|[Ff]rom
          |[Aa]fter|[Tt]hrough|[Bb]y|[Bb]efore|last|next|(?:end|start|beginning|middle|half|quarter
          |spring|summer|autumn|fall|winter|rest)\s+of)\s|mid-)
      (?:(?P<year>{_YEAR})(?!\s*(?:[-–%]|per\s?cent|\d))(?=[\s,.;:)’'”]|$)
         (?!\s+(?!{_AFTER_YEAR_OK}\b)[a-z])
      | (?P<mon>{_FULL_MONTH})(?![\w-])(?!,?\s+(?:{_DAYNUM}|{_YEAR})(?![\w-])))
    """,
    re.VERBOSE,
)

_RELATIVE_GROUPS = {"ago", "rel", "deictic", "wd"}
# The tokens of an absolute candidate and their strptime directives; anything else (",", ".",
# "of", "the", spaces: strptime reads a space in a format as any run of whitespace) is literal.
_FORMAT_TOKEN = re.compile(
    rf"(?P<A>{_WEEKDAY})|(?P<B>{_FULL_MONTH})"
    r"|(?P<b>(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)(?![a-z]))"
    r"|(?P<Y>\d{4})|(?P<d>\d{1,2})(?P<suffix>st|nd|rd|th)?"
)
_SHAPED_KINDS = {"mdy", "dmy", "my"}
_MONTH_NUMBER = {name: i for i, name in enumerate(_FULL_MONTH[3:-1].split("|"), start=1)}
# A sentence that plans or announces: a weekday or a month in it lies ahead, not behind.
_FUTURE = re.compile(
    r"(?<![\w-])(?:will|shall|won[’']t|is to|are to|(?:is|are|was|were) (?:due|set|expected|scheduled"
    r"|slated|poised) to|plans? to|planned to|intends? to|going to|would|next|upcoming|ahead of"
    r"|(?:scheduled|set|slated|due|planned) (?:for|on))"
    r"(?![\w-])|[’']ll(?![\w-])",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
_UNIT_DAYS = {"day": 1, "week": 7}
_UNIT_MONTHS = {"month": 1, "year": 12, "decade": 120}
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
# Publications that write numeric dates month first ("07/22/2022"), when the article's
# language does not say (en-US does).
_US_SOURCES = re.compile(
    r"Associated Press|\bAP\b|Washington Post|New York Times|Wall Street Journal|USA Today|CNN"
    r"|\bCBS\b|\bNBC\b|\bABC News|\bNPR\b|Fox News|Politico|The Hill|Axios|Bloomberg"
    r"|Los Angeles Times|Chicago Tribune|Boston Globe|MSNBC|Newsweek|\bTIME\b|Huffington",
    re.IGNORECASE,
)
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


def _format(text: str, kind: str) -> list[str] | None:
    """The strptime format of an absolute candidate's shape, for dateparser's fast path."""
    if kind == "iso":
        return ["%Y-%m-%d"]
    if kind not in _SHAPED_KINDS or "%" in text:
        return None

    def directive(match: re.Match) -> str:
        if match.group("d"):  # "6th": the day, then its suffix as it is written
            return "%d" + (match.group("suffix") or "")
        return "%" + (match.lastgroup or "")

    return [_FORMAT_TOKEN.sub(directive, text)]


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


# A day and month told without a year and without a future tense lie this far ahead at most;
# further, they are the last such day ("the talks collapsed on Jan. 6", written in July).
_AHEAD_DAYS = 60


def _nearest_year(value: dt.date, base: dt.date, *, ahead: bool = False) -> dt.date:
    """A day and month without a year: the occurrence nearest the publication date; the coming
    one in a sentence about what lies ahead; not one months ahead in any other sentence."""
    options = []
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            options.append(value.replace(year=year))
        except ValueError:  # 29 February
            continue
    if ahead:
        coming = [o for o in options if o >= base]
        if coming:
            return min(coming)
    best = min(options, key=lambda o: abs((o - base).days))
    if (best - base).days > _AHEAD_DAYS:
        past = [o for o in options if o <= base]
        if past:
            return max(past)
    return best


def _normalised(text: str) -> str:
    # dateparser knows "this week" but not "earlier this week"; the week is the same.
    return re.sub(r"^(?:[Ee]arlier|[Ll]ater)\s+", "", text)


def month_first(*, language: str = "", source: str = "") -> bool:
    """Does the publication write numeric dates month first (US usage)?"""
    if language:
        return language.lower().replace("_", "-") == "en-us"
    return bool(source) and _US_SOURCES.search(source) is not None


def _future(body: str, position: int) -> bool:
    """Is the sentence up to `position` about what lies ahead ("will brief premiers on")?"""
    start = max(0, position - 250)
    ends = list(_SENTENCE_END.finditer(body, start, position))
    if ends:
        start = ends[-1].end()
    return _FUTURE.search(body, start, position) is not None


def _numeric(text: str, *, month_first: bool) -> tuple[dt.date, float] | None:
    """ "07/22/2022": read in the publication's order; a reading that cannot be a date (a 22nd
    month) gives way to the other; both impossible, no date."""
    a, b, year = (int(part) for part in re.split(r"[/.]", text))
    if year < 100:
        year += 2000
    readings = [(a, b), (b, a)] if month_first else [(b, a), (a, b)]
    for number, (month, day) in enumerate(readings):
        try:
            value = dt.date(year, month, day)
        except ValueError:
            continue
        # The other reading possible too: the publication's convention decided.
        ambiguous = number == 0 and a != b and a <= 12 and b <= 12
        return value, 0.8 if ambiguous else 0.95
    return None


def _ago(text: str, published_on: dt.date) -> tuple[dt.date, str] | None:
    """ "2.5 years ago", "three days ago" (not "5 years ago" out of "2.5 years ago")."""
    amount, unit = text.split()[:2]
    number = _WORD_NUMBERS.get(amount.lower())
    value = float(amount) if number is None else float(number)
    unit = unit.lower().rstrip("s")
    if unit in _UNIT_DAYS:
        return published_on - dt.timedelta(days=round(value * _UNIT_DAYS[unit])), DAY
    months = value * _UNIT_MONTHS[unit]
    whole = round(months)
    index = published_on.year * 12 + published_on.month - 1 - whole
    day = dt.date(index // 12, index % 12 + 1, 1)
    if unit in ("year", "decade") and whole % 12 == 0:
        return dt.date(day.year, 1, 1), YEAR
    return day, MONTH


def _month_alone(month: int, published_on: dt.date, *, ahead: bool, word: str) -> dt.date:
    """ "at the end of April", "September's summit": the last such month up to the publication,
    the coming one in a sentence about what lies ahead ("will meet in March", "next April")."""
    here = published_on.year * 12 + published_on.month - 1
    options = [(published_on.year + k) * 12 + month - 1 for k in (-1, 0, 1)]
    if word == "last":
        chosen = max(o for o in options if o < here)
    elif word == "next":
        chosen = min(o for o in options if o > here)
    elif ahead:
        chosen = min(o for o in options if o >= here)
    else:  # told as something that happened, or is under way
        chosen = max(o for o in options if o <= here)
    return dt.date(chosen // 12, chosen % 12 + 1, 1)


def find(
    body: str, *, published_on: dt.date | None, language: str = "", source: str = ""
) -> list[DateFound]:
    """`language` and `source`: the article's, for the order of numeric dates."""
    base = dt.datetime.combine(published_on, dt.time()) if published_on else _NO_BASE
    absolute_parser = _parser(base, relative=False)
    relative_parser = _parser(base, relative=True)
    us_order = month_first(language=language, source=source)
    found: list[DateFound] = []
    for start, end, kind in candidates(body):
        text = body[start:end]
        if kind == "year":
            # The regex matched four digits and nothing else, and a year stands for its first
            # day at year precision whatever dateparser makes of it: nothing to ask it (a test
            # checks it reads every such year as that year).
            found.append(DateFound(start, end, dt.date(int(text), 1, 1), YEAR, False, 0.6))
            continue
        if kind == "num":
            read = _numeric(text, month_first=us_order)
            if read is not None:
                found.append(DateFound(start, end, read[0], DAY, False, read[1]))
            continue
        if kind in ("mon", "monpos"):
            if published_on is None:
                found.append(DateFound(start, end, None, MONTH, True, 0.3))
                continue
            word = body[max(0, start - 5) : start].strip().lower()
            value = _month_alone(
                _MONTH_NUMBER[text],
                published_on,
                ahead=_future(body, start),
                word=word if word in ("last", "next") else "",
            )
            found.append(DateFound(start, end, value, MONTH, True, 0.6))
            continue
        has_year = kind in {"iso", "my", "year"} or (
            kind in {"mdy", "dmy"} and re.search(rf"{_YEAR}$", text) is not None
        )
        relative = kind in _RELATIVE_GROUPS or not has_year
        if relative and published_on is None:
            # Nothing to resolve it against: keep the mention, without a value.
            found.append(DateFound(start, end, None, DAY, True, 0.3))
            continue
        if kind == "ago" and ("." in text or "decade" in text):
            value, precision = _ago(text, published_on)
            found.append(DateFound(start, end, value, precision, True, 0.6))
            continue
        if kind == "wd" and text in _WEEKDAYS and _future(body, start):
            # "will brief premiers on Wednesday": the coming one (dateparser takes the last).
            ahead = (_WEEKDAYS.index(text) - published_on.weekday()) % 7
            value = published_on + dt.timedelta(days=ahead)
            found.append(DateFound(start, end, value, DAY, True, 0.7))
            continue
        parser = relative_parser if kind in _RELATIVE_GROUPS else absolute_parser
        data = parser.get_date_data(_normalised(text), date_formats=_format(text, kind))
        if data.date_obj is None:
            continue
        value = data.date_obj.date()
        precision = _PERIOD_PRECISION.get(data.period or "day", DAY)
        if kind in {"mdy", "dmy"} and not has_year and published_on:
            value = _nearest_year(value, published_on, ahead=_future(body, start))
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
