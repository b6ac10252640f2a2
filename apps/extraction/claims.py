"""Candidate claims: the sentences worth checking, with why and how check-worthy.

A sentence is a candidate when it carries a title of office, a date, a number, or an
attribution (a quote, or a person with a speech verb: "Starmer stated that …"). The kind follows
the strongest signal (title → role, date → event date, number → quantity, else attribution);
check-worthiness combines the signals (1 − Π(1 − weight)), so a sentence with a title and a
date ranks above one with a number alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apps.extraction.dates import DateFound
from apps.extraction.entities import PERSON, MentionFound
from apps.extraction.quotes import _SPEAKER_GAP, _VERB, QuoteFound

ROLE, EVENT_DATE, QUANTITY, ATTRIBUTION = "role", "event_date", "quantity", "attribution"
WEIGHTS = {ROLE: 0.5, EVENT_DATE: 0.4, QUANTITY: 0.3, ATTRIBUTION: 0.3}
MAX_REASON = 300

_NUMBER = re.compile(
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


def _inside(start: int, end: int, s: int, e: int) -> bool:
    return s <= start and end <= e


def _overlap(start: int, end: int, s: int, e: int) -> bool:
    return start < e and s < end


def find(
    body: str,
    *,
    sentences: list[tuple[int, int]],
    dates: list[DateFound],
    mentions: list[MentionFound],
    quotes: list[QuoteFound],
) -> list[ClaimFound]:
    claims: list[ClaimFound] = []
    for s, e in sentences:
        reasons: list[str] = []
        signals: set[str] = set()
        titled = [m for m in mentions if m.title and _inside(m.title.start, m.end, s, e)]
        if titled:
            signals.add(ROLE)
            shown = ", ".join(body[m.title.start : m.end] for m in titled[:3])  # type: ignore[union-attr]
            reasons.append(f"title of office: {shown}")
        in_dates = [d for d in dates if _inside(d.start, d.end, s, e)]
        if in_dates:
            signals.add(EVENT_DATE)
            reasons.append("date: " + ", ".join(body[d.start : d.end] for d in in_dates[:3]))
        numbers = [
            m
            for m in _NUMBER.finditer(body, s, e)
            if not any(_overlap(m.start(), m.end(), d.start, d.end) for d in dates)
        ]
        if numbers:
            signals.add(QUANTITY)
            reasons.append("number: " + ", ".join(m.group(0) for m in numbers[:3]))
        attribution = _attribution(body, s, e, mentions, quotes)
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


def _attribution(
    body: str, s: int, e: int, mentions: list[MentionFound], quotes: list[QuoteFound]
) -> str:
    for quote in quotes:
        if _overlap(quote.start, quote.end, s, e) or (
            quote.attribution_start is not None
            and _overlap(quote.attribution_start, quote.attribution_end or 0, s, e)
        ):
            speaker = quote.speaker_text or "unknown speaker"
            return f"quote of {speaker}"
    for mention in mentions:
        if mention.kind != PERSON or not _inside(mention.start, mention.end, s, e):
            continue
        verb = _VERB.search(body, mention.end, e)
        if verb and _SPEAKER_GAP.fullmatch(body, mention.end, verb.start()):
            return body[mention.start : verb.end()]
    return ""
