"""Candidate claims: the sentences worth checking, with why and how check-worthy.

A sentence is a candidate when it carries a title of office, a date, a number, or an
attribution (a quote, or a person with a speech verb: "Starmer stated that …"). The kind follows
the strongest signal (title → role, date → event date, number → quantity, else attribution);
check-worthiness combines the signals (1 − Π(1 − weight)), so a sentence with a title and a
date ranks above one with a number alone."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from apps.extraction.dates import DateFound
from apps.extraction.entities import PERSON, MentionFound
from apps.extraction.quotes import _SPEAKER_GAP, _VERB, QuoteFound

ROLE, EVENT_DATE, QUANTITY, ATTRIBUTION = "role", "event_date", "quantity", "attribution"
WEIGHTS = {ROLE: 0.5, EVENT_DATE: 0.4, QUANTITY: 0.3, ATTRIBUTION: 0.3}
MAX_REASON = 300

NUMBER = re.compile(
    r"(?<![\w.])(?:\d[\d,.]*\d|\d)(?:\s?(?:%|percent|per cent|million|billion|trillion|thousand))?"
    r"|(?<![\w-])(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|"
    r"dozens|half|quarter)(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ClaimFound:
    start: int
    end: int
    kind: str
    reason: str
    check_worthiness: float


class _ByStart:
    """Items (with .start) sorted by start, for "those starting in [s, e)" in O(log n)."""

    def __init__(self, items: list, start=lambda item: item.start) -> None:
        self.items = sorted(items, key=start)
        self.starts = [start(item) for item in self.items]

    def starting_in(self, s: int, e: int) -> list:
        return self.items[bisect.bisect_left(self.starts, s) : bisect.bisect_left(self.starts, e)]


def find(
    body: str,
    *,
    sentences: list[tuple[int, int]],
    dates: list[DateFound],
    mentions: list[MentionFound],
    quotes: list[QuoteFound],
) -> list[ClaimFound]:
    titled = _ByStart([m for m in mentions if m.title], start=lambda m: m.title.start)
    people = _ByStart([m for m in mentions if m.kind == PERSON])
    by_date = _ByStart(dates)
    # A quote counts for every sentence it or its attribution touches.
    quote_spans = _ByStart(
        [
            (min(q.start, q.attribution_start or q.start), max(q.end, q.attribution_end or 0), q)
            for q in quotes
        ],
        start=lambda t: t[0],
    )
    claims: list[ClaimFound] = []
    for s, e in sentences:
        reasons: list[str] = []
        signals: set[str] = set()
        in_titles = [m for m in titled.starting_in(s, e) if m.end <= e]
        if in_titles:
            signals.add(ROLE)
            shown = ", ".join(body[m.title.start : m.end] for m in in_titles[:3])
            reasons.append(f"title of office: {shown}")
        near_dates = by_date.starting_in(s - 64, e)  # dates are short: one may start before s
        in_dates = [d for d in near_dates if s <= d.start and d.end <= e]
        if in_dates:
            signals.add(EVENT_DATE)
            reasons.append("date: " + ", ".join(body[d.start : d.end] for d in in_dates[:3]))
        numbers = [
            m
            for m in NUMBER.finditer(body, s, e)
            if not any(m.start() < d.end and d.start < m.end() for d in near_dates)
        ]
        if numbers:
            signals.add(QUANTITY)
            reasons.append("number: " + ", ".join(m.group(0) for m in numbers[:3]))
        attribution = _attribution(body, s, e, people, quote_spans)
        if attribution:
            signals.add(ATTRIBUTION)
            reasons.append(f"attribution: {attribution}")
        if not signals:
            continue
        kind = next(k for k in (ROLE, EVENT_DATE, QUANTITY, ATTRIBUTION) if k in signals)
        remaining = 1.0
        for signal in signals:
            remaining *= 1 - WEIGHTS[signal]
        reason = "; ".join(reasons)
        if len(reason) > MAX_REASON:
            reason = reason[: MAX_REASON - 1] + "…"
        claims.append(ClaimFound(s, e, kind, reason, round(1 - remaining, 2)))
    return claims


def _attribution(body: str, s: int, e: int, people: _ByStart, quote_spans: _ByStart) -> str:
    # Quotes and their attributions are at most a paragraph long: look back one line's worth.
    for start, end, quote in quote_spans.starting_in(s - 2000, e):
        if start < e and s < end:
            return f"quote of {quote.speaker_text or 'unknown speaker'}"
    for mention in people.starting_in(s, e):
        if mention.end > e:
            continue
        verb = _VERB.search(body, mention.end, e)
        if verb and _SPEAKER_GAP.fullmatch(body, mention.end, verb.start()):
            return body[mention.start : verb.end()]
    return ""
