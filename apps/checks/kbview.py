"""What the checks know about the world: the knowledge base (who held which office when) and the
other articles (their quotes and verified claims). Plain data, loaded in bulk by
`apps.checks.loading`, built by hand in tests.

Dates are days; intervals are closed ([start, end], both days included), so on a handover day
both the outgoing and the incoming holder hold the office. A tenure date with month or year
precision stands for any day of that month or year: `earliest`/`latest` bound it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from apps.extraction.titles import Resolution, TitleIndex
from apps.knowledge.models import bound_latest

MIN_DAY = dt.date.min
MAX_DAY = dt.date.max
ONE_DAY = dt.timedelta(days=1)

Interval = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class TenureFact:
    id: int
    uuid: str
    person_id: int
    office_id: int
    start: dt.date | None
    end: dt.date | None
    start_precision: str = "day"
    end_precision: str = "day"
    end_unknown: bool = False
    source_url: str = ""

    @property
    def is_current(self) -> bool:
        return self.end is None and not self.end_unknown

    @property
    def has_ended(self) -> bool:
        return self.end is not None or self.end_unknown

    # The widest the tenure can be (what the KB does not rule out) ...
    @cached_property
    def possible(self) -> Interval:
        start = self.start or MIN_DAY
        if self.end is not None:
            end = bound_latest(self.end, self.end_precision) or MAX_DAY
        else:
            end = MAX_DAY  # current, or ended on a day the KB does not know
        return start, end

    # ... and the days it certainly covers (empty when the KB is too vague).
    @cached_property
    def certain(self) -> Interval | None:
        start = bound_latest(self.start, self.start_precision) if self.start else MIN_DAY
        if self.is_current:
            end = MAX_DAY
        elif self.end is not None:
            end = self.end
        else:
            return None
        return (start, end) if start <= end else None

    @property
    def ended_no_later_than(self) -> dt.date | None:
        """The earliest day by which the tenure may have ended (None while current)."""
        if self.end is not None:
            return self.end
        if self.end_unknown:
            return self.start or MIN_DAY
        return None

    def fact(self, labels: dict[int, str]) -> dict:
        return {
            "type": "tenure",
            "tenure": self.uuid,
            "person": labels.get(self.person_id, f"#{self.person_id}"),
            "person_id": self.person_id,
            "office": labels.get(self.office_id, f"#{self.office_id}"),
            "office_id": self.office_id,
            "start": _iso(self.start),
            "start_precision": self.start_precision,
            "end": _iso(self.end),
            "end_precision": self.end_precision,
            "end_unknown": self.end_unknown,
            "source": self.source_url,
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass
class KBView:
    labels: dict[int, str] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    tenures_by_person: dict[int, list[TenureFact]] = field(default_factory=dict)
    tenures_by_office: dict[int, list[TenureFact]] = field(default_factory=dict)
    # The wordings of every office's title (see apps.extraction.titles.TitleIndex).
    titles: TitleIndex = field(default_factory=TitleIndex)

    @property
    def titles_of_office(self) -> dict[int, set[str]]:
        return self.titles.wordings_of

    @classmethod
    def build(
        cls,
        *,
        labels: dict[int, str],
        kinds: dict[int, str] | None = None,
        tenures: list[TenureFact],
        office_aliases: dict[int, list[str]] | None = None,
        places: dict[int, list[str]] | None = None,
        jurisdictions: dict[int, int] | None = None,
    ) -> KBView:
        """office_aliases: office id → its aliases; places: place id → names and demonyms;
        jurisdictions: office id → place id. The title wordings are derived here, once per KB
        snapshot."""
        view = cls(labels=dict(labels), kinds=dict(kinds or {}))
        for tenure in sorted(tenures, key=lambda t: (t.start or MIN_DAY, t.id)):
            view.tenures_by_person.setdefault(tenure.person_id, []).append(tenure)
            view.tenures_by_office.setdefault(tenure.office_id, []).append(tenure)
        offices: dict[int, list[str]] = {}
        for office_id, aliases in (office_aliases or {}).items():
            label = labels.get(office_id, "")
            offices[office_id] = [n for n in [label, *aliases] if n]
        view.titles = TitleIndex.build(
            offices=offices, places=places or {}, jurisdictions=jurisdictions or {}
        )
        return view

    def label(self, entity_id: int | None) -> str:
        if entity_id is None:
            return "?"
        return self.labels.get(entity_id, f"entity #{entity_id}")

    def tenures(self, person_id: int, office_id: int) -> list[TenureFact]:
        return [t for t in self.tenures_by_person.get(person_id, []) if t.office_id == office_id]

    def offices_of(self, person_id: int) -> list[int]:
        seen: dict[int, None] = {}
        for tenure in self.tenures_by_person.get(person_id, []):
            seen.setdefault(tenure.office_id, None)
        return list(seen)

    def holders(self, office_id: int, first: dt.date, last: dt.date) -> list[TenureFact]:
        """Tenures of the office that may cover a day between first and last."""
        return [
            t
            for t in self.tenures_by_office.get(office_id, [])
            if t.possible[0] <= last and t.possible[1] >= first
        ]

    def single_holder(self, office_id: int) -> bool:
        """Whether the KB shows the office held by one person at a time (tenures meet at most on
        a handover day); a seat many share (a senator) is not."""
        tenures = sorted(self.tenures_by_office.get(office_id, []), key=lambda t: t.possible[0])
        for before, after in zip(tenures, tenures[1:], strict=False):
            if before.person_id != after.person_id and after.possible[0] < before.possible[1]:
                return False
        return True

    def resolve(self, title_text: str, person_id: int | None) -> Resolution:
        """The office a written title names for this person (see TitleIndex.resolve)."""
        held = self.offices_of(person_id) if person_id is not None else []
        return self.titles.resolve(title_text, held=held)

    def resolve_title(self, title_text: str, person_id: int | None) -> tuple[int | None, bool]:
        """(office id, whether the person held it) of a written title; (None, False) when the
        KB cannot tell which office it is."""
        resolution = self.resolve(title_text, person_id)
        if resolution.office is None:
            return None, False
        held = person_id is not None and resolution.office in self.offices_of(person_id)
        return resolution.office, held


# --- Interval sets ------------------------------------------------------------------------------


def intervals_normalize(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] <= i[1]):
        if merged and start <= _next(merged[-1][1]):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intervals_intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for s1, e1 in a:
        for s2, e2 in b:
            start, end = max(s1, s2), min(e1, e2)
            if start <= end:
                out.append((start, end))
    return intervals_normalize(out)


def intervals_subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out = list(a)
    for s2, e2 in b:
        nxt: list[Interval] = []
        for s1, e1 in out:
            if e2 < s1 or s2 > e1:
                nxt.append((s1, e1))
                continue
            if s1 < s2:
                nxt.append((s1, _prev(s2)))
            if e2 < e1:
                nxt.append((_next(e2), e1))
        out = nxt
    return intervals_normalize(out)


def intervals_contain(intervals: list[Interval], first: dt.date, last: dt.date) -> bool:
    """Whether any day of [first, last] lies in the set."""
    return any(s <= last and e >= first for s, e in intervals)


def _next(day: dt.date) -> dt.date:
    return day if day == MAX_DAY else day + ONE_DAY


def _prev(day: dt.date) -> dt.date:
    return day if day == MIN_DAY else day - ONE_DAY


def bare_title_days(tenures: list[TenureFact]) -> list[Interval]:
    """Days on which "<Office> <Person>" may be true: inside a tenure."""
    return intervals_normalize([t.possible for t in tenures])


def former_title_days(tenures: list[TenureFact]) -> list[Interval]:
    """Days on which "former <Office> <Person>" may be true: once a tenure has ended, and not
    strictly inside another one (the first and last day of a tenure pass either way)."""
    ends = [t.ended_no_later_than for t in tenures if t.has_ended]
    if not ends:
        return []
    interiors = []
    for tenure in tenures:
        certain = tenure.certain
        if certain is None:
            continue
        interiors.append(
            (_next(certain[0]), _prev(certain[1]) if certain[1] != MAX_DAY else MAX_DAY)
        )
    return intervals_subtract([(min(ends), MAX_DAY)], interiors)


def interval_text(interval: Interval) -> str:
    start, end = interval
    if start == MIN_DAY and end == MAX_DAY:
        return "at any date"
    if start == MIN_DAY:
        return f"until {human_date(end)}"
    if end == MAX_DAY:
        return f"from {human_date(start)} on"
    if start == end:
        return f"on {human_date(start)}"
    return f"from {human_date(start)} to {human_date(end)}"


def human_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


# --- Other articles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OtherQuote:
    article_id: int
    article_title: str
    quote_uuid: str
    exact: str
    speaker_id: int | None
    speaker_text: str


@dataclass(frozen=True)
class OtherClaim:
    article_id: int
    article_title: str
    claim_uuid: str
    exact: str
    kind: str
    entity_ids: frozenset[int]
    dates: tuple[dt.date, ...]
    numbers: tuple[str, ...]
    words: frozenset[str] = frozenset()


@dataclass
class CorpusView:
    """Quotes and verified claims of other articles that may bear on the article checked."""

    quotes_by_key: dict[str, list[OtherQuote]] = field(default_factory=dict)
    quotes_by_speaker: dict[int, list[OtherQuote]] = field(default_factory=dict)
    verified_claims: list[OtherClaim] = field(default_factory=list)
    # Results of pure comparisons, shared by the articles of a batch.
    memo: dict = field(default_factory=dict, repr=False, compare=False)
