"""DATE_VS_PUBLICATION: dates that do not fit the publication date or their own weekday."""

from __future__ import annotations

import re

from apps.checks.kbview import human_date
from apps.checks.registry import ERROR, WARNING, CheckContext, FindingDraft, register, span_ref
from apps.checks.snapshot import ArticleSnapshot

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_BEFORE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b,?\s*(?:the\s+)?$", re.I
)
_WEEKDAY_INSIDE = re.compile(
    r"^\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I
)
# A lead that looks back ("two years ago", "on the anniversary") is not news of that date.
_RETROSPECTIVE = re.compile(
    r"\b(ago|anniversary|years? after|years? since|back in|recalled|remembered|looking back|"
    r"in retrospect|history|historic day|decades?)\b",
    re.I,
)
_FUTURE = re.compile(
    r"\b(will|would|shall|to be held|is expected|are expected|expects?|plans?|planned|"
    r"scheduled|is due|are due|due to|set to|next|upcoming|ahead of|until|forecast|could|may|"
    r"might|intends?|is to|are to)\b",
    re.I,
)
# A sentence that plans or agrees a future event tells it in the past tense ("agreed to meet again
# on June 13", "is eyeing a comeback in 2026"): the plan is past, the event is not.
_PLANNED = re.compile(
    r"\b(agreed|agree|agrees|promised|pledged|vowed|decided|arranged|invited|aims?|aimed|"
    r"hopes?|hoped|eyes|eyed|eyeing|targets?|targeted|intended|planning|prepar(?:e|es|ed|ing)|"
    r"comeback|return|set (?:a|the) date|booked|postponed|rescheduled|moved|delayed|"
    r"deadline|by the end of|in time for)\b",
    re.I,
)
# "to meet", "to return": an infinitive before the date, unless a place follows "to".
_INFINITIVE_BEFORE = re.compile(
    r"\b[Tt]o (?!the\b|a\b|an\b|his\b|her\b|their\b|its\b|our\b|this\b|that\b)[a-z]+\b"
)
_PAST = re.compile(
    r"\b(said|announced|met|held|agreed|signed|told|reported|confirmed|visited|took|declared|"
    r"launched|stated|noted|approved|voted|won|lost|died|arrived|left|was|were|had|did|"
    r"\w{3,}ed)\b",
    re.I,
)


def _about(days: int) -> str:
    if days >= 330:
        years = round(days / 365.25)
        return f"about {years} year{'s' if years != 1 else ''}"
    if days >= 45:
        months = round(days / 30.44)
        return f"about {months} months"
    return f"{days} days"


@register(
    "DATE_VS_PUBLICATION",
    version="2",
    description="Dates that contradict the publication date or their weekday.",
)
def date_vs_publication(snapshot: ArticleSnapshot, context: CheckContext) -> list[FindingDraft]:
    body = snapshot.body
    findings: list[FindingDraft] = []
    for date in snapshot.dates:
        if date.value is None or date.is_relative or date.precision != "day":
            continue
        match = _WEEKDAY_INSIDE.match(date.exact) or _WEEKDAY_BEFORE.search(
            body[max(0, date.start - 16) : date.start]
        )
        if match is None:
            continue
        written = match.group(1).casefold()
        actual = WEEKDAYS[date.value.weekday()]
        if written != actual:
            start = (
                date.start if _WEEKDAY_INSIDE.match(date.exact) else date.start - 16 + match.start()
            )
            start = max(start, 0)
            findings.append(
                FindingDraft(
                    code="DATE_VS_PUBLICATION",
                    severity=ERROR,
                    message=(
                        f"“{body[start : date.end]}”: {human_date(date.value)} was a "
                        f"{actual.capitalize()}, not a {written.capitalize()}."
                    ),
                    key=f"{date.uuid}:weekday",
                    spans=(span_ref("date", date.uuid, start, date.end, body),),
                    inputs={"value": date.value.isoformat(), "weekday": written},
                )
            )

    published = snapshot.published_on
    if published is None:
        return findings

    event = snapshot.event_date
    if event is not None:
        value, source = event
        days = (published - value.last).days
        lead_text = body[: snapshot.lead_end]
        if days > context.settings.stale_event_days and not _RETROSPECTIVE.search(lead_text):
            lead = snapshot.lead_date
            spans = (span_ref("date", lead.uuid, lead.start, lead.end, body),) if lead else ()
            what = "The stated date" if lead and snapshot.event_on is None else "The event date"
            findings.append(
                FindingDraft(
                    code="DATE_VS_PUBLICATION",
                    severity=WARNING,
                    message=(
                        f"{what} {human_date(value.first) if value.precision == 'day' else value.first.year} "
                        f"is {days} days ({_about(days)}) before publication on "
                        f"{human_date(published)}, yet the lead reports it as news. Is the year wrong?"
                    ),
                    key="stale_event",
                    spans=spans,
                    inputs={
                        "event": value.first.isoformat(),
                        "published": published.isoformat(),
                        "threshold": context.settings.stale_event_days,
                        "source": source,
                    },
                )
            )

    for date in snapshot.dates:
        if date.value is None or date.date is None or date.date.first <= published:
            continue
        start, end = snapshot.sentence_of(date.start)
        sentence = body[start:end]
        if _FUTURE.search(sentence) or not _PAST.search(sentence) or _PLANNED.search(sentence):
            continue
        before = body[max(start, date.start - 60) : date.start]
        if _INFINITIVE_BEFORE.search(before):
            continue
        findings.append(
            FindingDraft(
                code="DATE_VS_PUBLICATION",
                severity=WARNING,
                message=(
                    f"“{date.exact}” is after the publication date {human_date(published)}, "
                    "but the sentence tells it in the past tense."
                ),
                key=f"{date.uuid}:after_publication",
                spans=(span_ref("date", date.uuid, date.start, date.end, body),),
                inputs={
                    "value": date.value.isoformat(),
                    "published": published.isoformat(),
                    "sentence": sentence,
                },
            )
        )
    return findings
