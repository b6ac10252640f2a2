"""What the checks read about one article: plain, frozen data with no database behind it.

`apps.checks.loading` builds snapshots from the database in bulk; tests build them by hand. Only
annotations that are not rejected count; anchored ones feed the checks, orphaned ones (their text
was lost in an edit) feed ANCHORS (and QUOTE_INTEGRITY for quotes)."""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from apps.extraction.sentences import split as _split_sentences


@dataclass(frozen=True)
class DateValue:
    """A date as written: day precision is one day; month or year precision is every day of it."""

    value: dt.date
    precision: str = "day"

    @property
    def first(self) -> dt.date:
        if self.precision == "year":
            return dt.date(self.value.year, 1, 1)
        if self.precision == "month":
            return dt.date(self.value.year, self.value.month, 1)
        return self.value

    @property
    def last(self) -> dt.date:
        if self.precision == "year":
            return dt.date(self.value.year, 12, 31)
        if self.precision == "month":
            days = calendar.monthrange(self.value.year, self.value.month)[1]
            return dt.date(self.value.year, self.value.month, days)
        return self.value

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class MentionSnap:
    uuid: str
    start: int
    end: int
    exact: str
    entity_id: int | None = None
    title_start: int | None = None
    title_end: int | None = None
    title_text: str = ""
    title_modifier: str = ""
    office_id: int | None = None

    @property
    def has_title(self) -> bool:
        return bool(self.title_text) and self.title_start is not None

    @property
    def title_span(self) -> tuple[int, int]:
        """The title together with the name ("UK Prime Minister Keir Starmer")."""
        if self.title_start is None or self.title_end is None:
            return self.start, self.end
        return min(self.title_start, self.start), max(self.title_end, self.end)


@dataclass(frozen=True)
class DateSnap:
    uuid: str
    start: int
    end: int
    exact: str
    value: dt.date | None
    precision: str = "day"
    is_relative: bool = False

    @property
    def date(self) -> DateValue | None:
        return DateValue(self.value, self.precision) if self.value else None


@dataclass(frozen=True)
class QuoteSnap:
    uuid: str
    start: int
    end: int
    exact: str
    speaker_id: int | None = None
    speaker_text: str = ""


@dataclass(frozen=True)
class ClaimSnap:
    uuid: str
    start: int
    end: int
    exact: str
    kind: str = "other"
    verdict: str = "not_rated"
    verdict_state: str = "unverified"


@dataclass(frozen=True)
class OrphanSnap:
    """An annotation whose text could not be found again after a body edit."""

    kind: str  # claim, quote, mention, date
    uuid: str
    start: int
    end: int
    exact: str
    review_state: str = "proposed"
    verdict_state: str = ""


@dataclass(frozen=True)
class ArticleSnapshot:
    id: int
    uuid: str
    title: str
    body: str
    published_on: dt.date | None = None
    event_on: dt.date | None = None
    mentions: tuple[MentionSnap, ...] = ()
    dates: tuple[DateSnap, ...] = ()
    quotes: tuple[QuoteSnap, ...] = ()
    claims: tuple[ClaimSnap, ...] = ()
    orphans: tuple[OrphanSnap, ...] = ()

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return split_sentences(self.body)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [start for start, _ in self.sentences]

    def sentence_of(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._sentence_starts, position) - 1
        if index >= 0:
            start, end = self.sentences[index]
            if start <= position < end:
                return start, end
        return 0, len(self.body)

    @cached_property
    def lead_end(self) -> int:
        """End of the lead paragraph (the first non-empty line)."""
        text = self.body
        offset = len(text) - len(text.lstrip())
        newline = text.find("\n", offset)
        return len(text) if newline < 0 else newline

    @cached_property
    def lead_date(self) -> DateSnap | None:
        """The first explicit (not relative) date written in the lead paragraph."""
        candidates = [
            d
            for d in self.dates
            if d.value is not None and not d.is_relative and d.start < self.lead_end
        ]
        return min(candidates, key=lambda d: (d.start, d.end)) if candidates else None

    @cached_property
    def event_date(self) -> tuple[DateValue, str] | None:
        """(the date the article is about, where it comes from)."""
        if self.event_on is not None:
            return DateValue(self.event_on), "the article's event date"
        lead = self.lead_date
        if lead is not None and lead.date is not None:
            return lead.date, "the date stated in the lead"
        return None

    def dates_in(self, start: int, end: int) -> list[DateSnap]:
        return [d for d in self.dates if d.value is not None and start <= d.start and d.end <= end]

    def mentions_in(self, start: int, end: int) -> list[MentionSnap]:
        return [m for m in self.mentions if start <= m.start and m.end <= end]


# --- Sentences ------------------------------------------------------------------------------------
# The same splitter as extraction (sentencex, line by line): checks only need to know which
# sentence a title and a date share, and should draw the sentences where extraction drew them.
# Abbreviations and initials do not end a sentence ("U.S. President", "Gen. Smith", "J. Doe").


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, end exclusive, whitespace trimmed, in text order."""
    return _split_sentences(text)
