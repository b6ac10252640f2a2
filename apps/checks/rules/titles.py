"""ROLE_AT_DATE and TEMPORAL_COHERENCE: titles of office against who held which office when."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from apps.checks.kbview import (
    MAX_DAY,
    MIN_DAY,
    Interval,
    KBView,
    TenureFact,
    bare_title_days,
    former_title_days,
    human_date,
    interval_text,
    intervals_contain,
    intervals_intersect,
)
from apps.checks.registry import ERROR, CheckContext, FindingDraft, register, span_ref
from apps.checks.snapshot import ArticleSnapshot, DateValue, MentionSnap

FORMER = {"former", "ex"}
_MODIFIER_BEFORE = re.compile(
    r"\b(former|ex|then|acting|outgoing|incoming|interim)(?:-|\s+)$", re.IGNORECASE
)
INCOMING_DAYS = 183  # "incoming X" is fine if the tenure starts within about six months


@dataclass
class TitleUse:
    mention: MentionSnap
    person_id: int
    office_id: int | None
    held: bool
    tenures: list[TenureFact]
    modifier: str
    reference: DateValue | None
    reference_source: str
    # True when the reference is the article's own present (event or publication date).
    article_present: bool

    @property
    def is_former(self) -> bool:
        return self.modifier in FORMER

    def days(self) -> list[Interval]:
        if self.is_former:
            return former_title_days(self.tenures)
        return bare_title_days(self.tenures)

    def true_at(self, first: dt.date, last: dt.date) -> bool:
        if self.modifier == "incoming":
            return intervals_contain(
                self.days(),
                first,
                min(MAX_DAY - dt.timedelta(days=INCOMING_DAYS), last)
                + dt.timedelta(days=INCOMING_DAYS),
            )
        return intervals_contain(self.days(), first, last)

    def bounds(self, body: str) -> tuple[int, int]:
        """The title with the name and, when it stands right before the title, the modifier
        ("former President Donald Trump" even if the title span starts at "President")."""
        start, end = self.mention.title_span
        if self.modifier:
            match = _MODIFIER_BEFORE.search(body, max(0, start - 12), start)
            if match and match.group(1).casefold().startswith(self.modifier):
                start = match.start(1)
        return start, end

    def written(self, body: str) -> str:
        start, end = self.bounds(body)
        return body[start:end]

    def span(self, body: str) -> dict:
        start, end = self.bounds(body)
        return span_ref("title", self.mention.uuid, start, end, body)


def title_uses(snapshot: ArticleSnapshot, kb: KBView) -> list[TitleUse]:
    uses = []
    event = snapshot.event_date
    published = DateValue(snapshot.published_on) if snapshot.published_on else None
    for mention in snapshot.mentions:
        if not mention.has_title or mention.entity_id is None:
            continue
        person = mention.entity_id
        if mention.office_id is not None:
            office, held = mention.office_id, mention.office_id in kb.offices_of(person)
        else:
            office, held = kb.resolve_title(mention.title_text, person)
        modifier = mention.title_modifier or ""
        reference, source, present = None, "", False
        if modifier in FORMER:
            if published is not None:
                reference, source, present = published, "the publication date", True
        else:
            stated = _sentence_date(snapshot, mention)
            if stated is not None:
                reference, source = stated.date, "the date stated in the same sentence"
                present = event is not None and stated.date == event[0]
            elif event is not None:
                reference, source, present = event[0], event[1], True
            elif published is not None:
                reference, source, present = published, "the publication date", True
        uses.append(
            TitleUse(
                mention=mention,
                person_id=person,
                office_id=office,
                held=held,
                tenures=kb.tenures(person, office) if office is not None and held else [],
                modifier=modifier,
                reference=reference,
                reference_source=source,
                article_present=present,
            )
        )
    return uses


def _uses(snapshot: ArticleSnapshot, context: CheckContext) -> list[TitleUse]:
    key = ("title-uses", snapshot.id, id(snapshot))
    if key not in context.memo:
        context.memo.clear()  # one article at a time
        context.memo[key] = title_uses(snapshot, context.kb)
    return context.memo[key]


def _sentence_date(snapshot: ArticleSnapshot, mention: MentionSnap):
    start, end = snapshot.sentence_of(mention.title_span[0])
    dates = snapshot.dates_in(start, end)
    if not dates:
        return None
    position = mention.title_span[0]
    return min(dates, key=lambda d: (abs(d.start - position), d.start))


def _knows(kb: KBView, use: TitleUse) -> bool:
    """Whether the KB says anything about this person or office (else nothing can be checked)."""
    return bool(kb.tenures_by_person.get(use.person_id)) or bool(
        use.office_id is not None and kb.tenures_by_office.get(use.office_id)
    )


def _on(reference: DateValue) -> str:
    if reference.precision == "day":
        return f"on {human_date(reference.first)}"
    if reference.precision == "month":
        return f"in {reference.first.strftime('%B')} {reference.first.year}"
    return f"in {reference.first.year}"


@register(
    "ROLE_AT_DATE",
    version="1",
    description="A title of office is false for that person at its reference date.",
)
def role_at_date(snapshot: ArticleSnapshot, context: CheckContext) -> list[FindingDraft]:
    kb = context.kb
    findings = []
    for use in _uses(snapshot, context):
        if not _knows(kb, use):
            continue
        person = kb.label(use.person_id)
        written = use.written(snapshot.body)
        if not use.held:
            findings.append(_never_held(snapshot, kb, use, person, written))
            continue
        if use.reference is None:
            continue
        first, last = use.reference.first, use.reference.last
        if use.true_at(first, last):
            continue
        office = kb.label(use.office_id)
        others = [t for t in kb.holders(use.office_id, first, last) if t.person_id != use.person_id]
        when = f"{_on(use.reference)} ({use.reference_source})"
        if use.is_former:
            message = (
                f"{person} was not a former {office} {when}, as “{written}” says: "
                + _why_not_former(use, first, last)
            )
        else:
            message = (
                f"{person} was not {office} {when}, as “{written}” says: "
                + _why_not_in_office(use, first, last)
            )
            if others:
                names = _join(sorted({kb.label(t.person_id) for t in others}))
                message += f" {names} held the office then."
        findings.append(
            FindingDraft(
                code="ROLE_AT_DATE",
                severity=ERROR,
                message=message,
                key=f"{use.mention.uuid}:at_date",
                spans=(use.span(snapshot.body),),
                kb_facts=tuple(
                    [t.fact(kb.labels) for t in use.tenures]
                    + [{**t.fact(kb.labels), "type": "holder"} for t in others]
                ),
                inputs={
                    "reference": [first.isoformat(), last.isoformat()],
                    "modifier": use.modifier,
                },
            )
        )
    return findings


def _never_held(snapshot, kb: KBView, use: TitleUse, person: str, written: str) -> FindingDraft:
    held = [kb.label(o) for o in kb.offices_of(use.person_id)]
    named = kb.label(use.office_id) if use.office_id is not None else f"“{use.mention.title_text}”"
    if held:
        message = (
            f"“{written}”: according to the knowledge base {person} never held {named}; "
            f"{person} holds or held {_join(held)}."
        )
    else:
        message = f"“{written}”: the knowledge base records no office for {person}, and {named} has other holders."
    facts = [t.fact(kb.labels) for t in kb.tenures_by_person.get(use.person_id, [])]
    return FindingDraft(
        code="ROLE_AT_DATE",
        severity=ERROR,
        message=message,
        key=f"{use.mention.uuid}:never_held",
        spans=(use.span(snapshot.body),),
        kb_facts=tuple(facts),
        inputs={"title": use.mention.title_text, "office": use.office_id},
    )


def _why_not_in_office(use: TitleUse, first: dt.date, last: dt.date) -> str:
    later = [t for t in use.tenures if t.start and t.start > last]
    earlier = [t for t in use.tenures if t.has_ended and t.possible[1] < first]
    if later and not earlier:
        return f"{use_name(use)} took office on {_date(later[0].start, later[0].start_precision)}."
    if earlier and not later:
        last_one = earlier[-1]
        if last_one.end is None:
            return f"{use_name(use)} left office on a date the knowledge base does not record."
        return f"{use_name(use)} left office on {_date(last_one.end, last_one.end_precision)}."
    if earlier and later:
        return (
            f"{use_name(use)} was out of office between {_date(earlier[-1].end, earlier[-1].end_precision)} "
            f"and {_date(later[0].start, later[0].start_precision)}."
        )
    return f"{use_name(use)} held it only {', '.join(interval_text(i) for i in use.days())}."


def _why_not_former(use: TitleUse, first: dt.date, last: dt.date) -> str:
    holding = [t for t in use.tenures if t.certain and t.certain[0] < first and t.certain[1] > last]
    if holding:
        tenure = holding[-1]
        again = " again" if any(t.has_ended and t is not tenure for t in use.tenures) else ""
        return f"{use_name(use)} has held the office{again} since {_date(tenure.start, tenure.start_precision)}."
    started = [t for t in use.tenures if t.start]
    if started:
        return f"{use_name(use)}’s tenure, begun on {_date(started[0].start, started[0].start_precision)}, had not ended by then."
    return f"{use_name(use)} had not left the office by then."


def use_name(use: TitleUse) -> str:
    return use.mention.exact


def _date(day: dt.date | None, precision: str = "day") -> str:
    if day is None:
        return "an unknown date"
    if precision == "year":
        return f"some day in {day.year}"
    if precision == "month":
        return f"some day in {day.strftime('%B')} {day.year}"
    return human_date(day)


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- TEMPORAL_COHERENCE ---------------------------------------------------------------------------


def _window_fact(window: list[Interval]) -> dict:
    return {
        "type": "window",
        "intervals": [
            [None if s == MIN_DAY else s.isoformat(), None if e == MAX_DAY else e.isoformat()]
            for s, e in window
        ],
    }


@register(
    "TEMPORAL_COHERENCE",
    version="1",
    description="No date makes all the article's titles true together with its dates.",
)
def temporal_coherence(snapshot: ArticleSnapshot, context: CheckContext) -> list[FindingDraft]:
    kb = context.kb
    uses = [
        u
        for u in _uses(snapshot, context)
        if u.held and u.tenures and u.article_present and u.modifier not in ("then", "incoming")
    ]
    if len(uses) < 2:
        return []
    # Titles that are each true at their own reference date are coherent enough: a "former"
    # title speaks of the writer's present, a bare one of the event.
    if all(u.reference is None or u.true_at(u.reference.first, u.reference.last) for u in uses):
        return []
    window = [(MIN_DAY, MAX_DAY)]
    for use in uses:
        window = intervals_intersect(window, use.days())
    anchors: list[tuple[str, DateValue]] = []
    event = snapshot.event_date
    if event is not None:
        anchors.append((event[1].replace("the ", "", 1), event[0]))
    if snapshot.published_on is not None:
        anchors.append(("publication date", DateValue(snapshot.published_on)))
    excluded = [(name, d) for name, d in anchors if not intervals_contain(window, d.first, d.last)]
    if window and not excluded:
        return []
    body = snapshot.body
    if not window:
        conflicting = _smallest_empty_set(uses)
        message = (
            "No single date makes these titles true at once: "
            + _join([f"“{u.written(body)}”" for u in conflicting])
            + "."
        )
    else:
        conflicting = []
        for _, day in excluded:
            for use in uses:
                if not use.true_at(day.first, day.last) and use not in conflicting:
                    conflicting.append(use)
                    break
        fits = "; ".join(interval_text(i) for i in window)
        dates = _join([f"the {name} {human_date(day.first)}" for name, day in excluded])
        message = (
            f"The titles {_join([f'“{u.written(body)}”' for u in conflicting])} are true together "
            f"only {fits}, which excludes {dates}."
        )
    conflicting.sort(key=lambda u: u.bounds(body))
    facts = [t.fact(kb.labels) for u in conflicting for t in u.tenures]
    return [
        FindingDraft(
            code="TEMPORAL_COHERENCE",
            severity=ERROR,
            message=message,
            key="titles",
            spans=tuple(u.span(body) for u in conflicting),
            kb_facts=(_window_fact(window), *facts),
            inputs={
                "window": _window_fact(window),
                "excluded": [[name, d.first.isoformat()] for name, d in excluded],
            },
        )
    ]


def _smallest_empty_set(uses: list[TitleUse]) -> list[TitleUse]:
    for size in (2, 3):
        if size > len(uses) or len(uses) > 12:
            break
        for combo in itertools.combinations(uses, size):
            window = [(MIN_DAY, MAX_DAY)]
            for use in combo:
                window = intervals_intersect(window, use.days())
            if not window:
                return list(combo)
    return list(uses)
