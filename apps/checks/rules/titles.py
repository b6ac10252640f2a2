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
from apps.checks.registry import (
    ERROR,
    INFO,
    WARNING,
    CheckContext,
    FindingDraft,
    register,
    span_ref,
)
from apps.checks.snapshot import ArticleSnapshot, DateValue, MentionSnap
from apps.extraction.titles import Resolution

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
    resolution: Resolution
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
        mine = kb.offices_of(person)
        resolution = kb.resolve(mention.title_text, person)
        if mention.office_id is not None and mention.office_id in mine:
            # Linked (by extraction or a person) to an office the person held: checked by date.
            office, held = mention.office_id, True
        else:
            # Otherwise the wording decides: only a title that names one office is held against
            # the person (an unlinked or wrongly linked title is read again from its words).
            office = resolution.office
            held = office is not None and office in mine
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
                resolution=resolution,
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


def _on(reference: DateValue) -> str:
    if reference.precision == "day":
        return f"on {human_date(reference.first)}"
    if reference.precision == "month":
        return f"in {reference.first.strftime('%B')} {reference.first.year}"
    return f"in {reference.first.year}"


def _in_quote(snapshot: ArticleSnapshot, use: TitleUse) -> bool:
    start, end = use.mention.title_span
    return any(q.start <= start and end <= q.end for q in snapshot.quotes)


@register(
    "ROLE_AT_DATE",
    version="2",
    description="A title of office is false for that person at its reference date.",
)
def role_at_date(snapshot: ArticleSnapshot, context: CheckContext) -> list[FindingDraft]:
    kb = context.kb
    findings = []
    for use in _uses(snapshot, context):
        person = kb.label(use.person_id)
        written = use.written(snapshot.body)
        # A title inside a quote (a signature, a courtesy title) is the speaker's wording, not the
        # article's claim: at most a warning.
        severity = WARNING if _in_quote(snapshot, use) else ERROR
        if not use.held:
            finding = _not_held(snapshot, kb, use, person, written, severity)
            if finding is not None:
                findings.append(finding)
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
                severity=severity,
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


# At most this many offices are offered to the editor who adds the wording as an alias.
MAX_CANDIDATES = 8


def _not_held(
    snapshot, kb: KBView, use: TitleUse, person: str, written: str, severity: str
) -> FindingDraft | None:
    """A title that is not one of the person's offices: an error only when its wording names,
    unambiguously, an office the KB says the person never held; otherwise the check abstains
    with an `info` finding saying what the KB lacks."""
    mine = kb.offices_of(use.person_id)
    resolution = use.resolution
    if resolution.how == "named" and use.office_id is not None:
        if mine:
            return _never_held(snapshot, kb, use, person, written, severity)
        if use.reference is not None:
            others = [
                t
                for t in kb.holders(use.office_id, use.reference.first, use.reference.last)
                if t.person_id != use.person_id and t.certain
            ]
            # Only for an office held by one person at a time (a senator shares the office).
            if len(others) == 1 and kb.single_holder(use.office_id):
                return _held_by_others(snapshot, kb, use, person, written, severity, others)
        return None  # the KB knows nothing of the person's offices: nothing to check against
    if not mine:
        return None
    title = use.mention.title_text
    if resolution.how == "ambiguous":
        names = _join([kb.label(o) for o in resolution.candidates[:MAX_CANDIDATES]])
        why = f"it fits several offices ({names}), and the knowledge base cannot tell which one is meant."
    elif resolution.how == "generic":
        names = _join([kb.label(o) for o in resolution.candidates[:MAX_CANDIDATES]])
        why = (
            f"without a country it only fits offices {person} never held ({names}), and it may "
            f"name one the knowledge base does not list; {person} holds or held {_join([kb.label(o) for o in mine])}."
        )
    else:
        why = f"{person} holds or held {_join([kb.label(o) for o in mine])}."
    message = (
        f"Cannot check “{written}”: the knowledge base does not know the title “{title}”; {why} "
        "An editor can add the wording as an alias of the office it names."
    )
    candidates = list(dict.fromkeys([*mine, *resolution.candidates]))[:MAX_CANDIDATES]
    return FindingDraft(
        code="ROLE_AT_DATE",
        severity=INFO,
        message=message,
        key=f"{use.mention.uuid}:unknown_title",
        spans=(use.span(snapshot.body),),
        # What the findings panel offers an editor: add the wording as an alias of one of these.
        kb_facts=(
            {"type": "unknown_title", "title": title},
            *(
                {"type": "office_candidate", "office_id": o, "office": kb.label(o)}
                for o in candidates
            ),
        ),
        inputs={"title": title, "how": resolution.how, "candidates": candidates},
    )


def _held_by_others(snapshot, kb, use, person, written, severity, others) -> FindingDraft:
    office = kb.label(use.office_id)
    names = _join(sorted({kb.label(t.person_id) for t in others}))
    when = f"{_on(use.reference)} ({use.reference_source})"
    return FindingDraft(
        code="ROLE_AT_DATE",
        severity=severity,
        message=(
            f"“{written}”: according to the knowledge base {names} held {office} {when}; "
            f"it records no office for {person}."
        ),
        key=f"{use.mention.uuid}:never_held",
        spans=(use.span(snapshot.body),),
        kb_facts=tuple({**t.fact(kb.labels), "type": "holder"} for t in others),
        inputs={"title": use.mention.title_text, "office": use.office_id},
    )


def _never_held(
    snapshot, kb: KBView, use: TitleUse, person: str, written: str, severity: str
) -> FindingDraft:
    held = [kb.label(o) for o in kb.offices_of(use.person_id)]
    named = kb.label(use.office_id)
    message = (
        f"“{written}”: according to the knowledge base {person} never held {named}; "
        f"{person} holds or held {_join(held)}."
    )
    facts = [t.fact(kb.labels) for t in kb.tenures_by_person.get(use.person_id, [])]
    return FindingDraft(
        code="ROLE_AT_DATE",
        severity=severity,
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
    version="2",
    description="No date makes all the article's titles true together with its dates.",
)
def temporal_coherence(snapshot: ArticleSnapshot, context: CheckContext) -> list[FindingDraft]:
    kb = context.kb
    # A title inside a quote is the speaker's wording (a courtesy title in a signature): it does
    # not bind the article's dates.
    uses = [
        u
        for u in _uses(snapshot, context)
        if u.held
        and u.tenures
        and u.article_present
        and u.modifier not in ("then", "incoming")
        and not _in_quote(snapshot, u)
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
            use = _bounding(uses, window, day)
            if use is not None and use not in conflicting:
                conflicting.append(use)
        fits = "; ".join(interval_text(i) for i in window)
        dates = _join([f"the {name} {human_date(day.first)}" for name, day in excluded])
        message = (
            f"The titles {_join([f'“{u.written(body)}”' for u in conflicting])} are true together "
            f"only {fits}, which excludes {dates}."
        )
        if len(conflicting) == 1:
            message = (
                f"The title “{conflicting[0].written(body)}” bounds the dates on which all the "
                f"titles are true together ({fits}), which excludes {dates}."
            )
    if len(conflicting) == 1 and not _true_at_reference(conflicting[0]):
        return []  # one title false at its own date: ROLE_AT_DATE says it already
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


def _true_at_reference(use: TitleUse) -> bool:
    return use.reference is None or use.true_at(use.reference.first, use.reference.last)


def _bounding(uses: list[TitleUse], window: list[Interval], day: DateValue) -> TitleUse | None:
    """The title whose interval bounds the window on the side of an excluded day: for a day
    before the window, the title that starts latest (the window starts when it does); for a day
    after, the one that ends first."""
    outside = [u for u in uses if not u.true_at(day.first, day.last)]
    if not outside:
        return None
    if day.last < window[0][0]:
        edge = window[0][0]
        return max(outside, key=lambda u: _around(u, edge)[0])
    if day.first > window[-1][1]:
        edge = window[-1][1]
        return min(outside, key=lambda u: _around(u, edge)[1])
    return outside[0]


def _around(use: TitleUse, day: dt.date) -> Interval:
    """The interval of the title's days that holds the day (every title of the window does)."""
    for interval in use.days():
        if interval[0] <= day <= interval[1]:
            return interval
    return (MIN_DAY, MAX_DAY)


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
