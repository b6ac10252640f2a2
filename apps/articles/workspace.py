"""Reads and rendering for the article workspace: the body with every span highlighted, the
annotation list, the findings and the open annotation's detail.

The body is rendered from a boundary sweep over the spans' offsets, never by replacing strings:
the body is cut at every start and end, each piece is HTML-escaped, and a piece covered by one or
more spans becomes a <mark> naming all of them (shortest first). The text inside the container is
therefore exactly `article.body`, which is what static/js/workspace.js counts code points in.

The number of queries is fixed (article, one per span type, the findings, the open item and its
evidence), whatever the number of annotations; tests/articles pin it."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# The stdlib function behind django.utils.html.escape, without its lazy-text wrapper (hot loop).
from html import escape
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from apps.annotations.models import (
    SPAN_MODELS,
    AnchoredSpan,
    AnchorState,
    Claim,
    Origin,
    ReviewState,
)
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.checks.selectors import findings_for_article as findings_query

KIND_LABELS = {"claim": "Claims", "quote": "Quotes", "mention": "Mentions", "date": "Dates"}
KIND_NAMES = {"claim": "Claim", "quote": "Quote", "mention": "Entity mention", "date": "Date"}
KIND_KEYS = {"claim": "c", "quote": "q", "mention": "e", "date": "d"}
# Work owed for longer than this (no worker running, the broker down) is said to be waiting, and
# the page asks for it every 30 s instead of every 2 s.
EXTRACTION_WAIT = dt.timedelta(minutes=10)

# What the body and the list need of each span, read as plain rows (no model instances: an
# article can have thousands of spans, and building models is most of the cost).
_COMMON_FIELDS = ("uuid", "start", "end", "exact", "review_state", "origin", "anchor_state")
_LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "claim": ("verdict", "verdict_state"),
    "quote": ("speaker__label", "speaker_text", "speaker_id"),
    "mention": ("entity__label", "title_start", "title_end", "entity_id"),
    "date": ("value",),
}


class SpanRow:
    """One span as the body and the list show it."""

    __slots__ = (
        "kind",
        "key",
        "uuid",
        "start",
        "end",
        "exact",
        "review_state",
        "origin",
        "anchor_state",
        "verdict",
        "verdict_state",
        "who",
        "title_start",
        "title_end",
        "value",
        "entity_id",
    )

    def __init__(self, kind: str, values: tuple) -> None:
        self.kind = kind
        (
            self.uuid,
            self.start,
            self.end,
            self.exact,
            self.review_state,
            self.origin,
            self.anchor_state,
        ) = values[:7]
        self.key = f"{kind}/{self.uuid}"
        self.verdict = self.verdict_state = self.who = self.value = None
        self.title_start = self.title_end = self.entity_id = None
        extra = values[7:]
        if kind == "claim":
            self.verdict, self.verdict_state = extra
        elif kind == "quote":
            self.who = extra[0] or extra[1]
            self.entity_id = extra[2]  # the speaker
        elif kind == "mention":
            self.who, self.title_start, self.title_end, self.entity_id = extra
        else:
            (self.value,) = extra


_DETAIL_RELATED: dict[str, tuple[str, ...]] = {
    "claim": ("created_by", "edited_by", "reviewed_by", "verdict_by", "verified_by"),
    "quote": ("created_by", "edited_by", "reviewed_by", "speaker"),
    "mention": ("created_by", "edited_by", "reviewed_by", "entity", "office"),
    "date": ("created_by", "edited_by", "reviewed_by"),
}


def span_kind(span: AnchoredSpan) -> str:
    for kind, model in SPAN_MODELS.items():
        if isinstance(span, model):
            return kind
    raise TypeError(f"not an annotation: {span!r}")


def span_key(span: AnchoredSpan) -> str:
    """How the page names a span: "<kind>/<uuid>" (also the tail of its URL)."""
    return f"{span_kind(span)}/{span.uuid}"


# --- The body -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    kind: str  # css type: claim, quote, mention, date, title
    key: str  # the span it opens: "<kind>/<uuid>"


def body_html(body: str, marks: list[Mark]) -> SafeString:
    """The body as HTML with every mark highlighted; overlaps and nesting included.

    A sweep over the sorted boundaries: at each boundary the marks ending there leave the active
    set and those starting there join it; the text up to the next boundary is emitted once,
    escaped, wrapped in one <mark> that lists every active span (shortest first, so a click
    opens the innermost). Linear in the body plus O(m log m) for the marks."""
    length = len(body)
    starts: dict[int, list[Mark]] = defaultdict(list)
    ends: dict[int, list[Mark]] = defaultdict(list)
    points = {0, length}
    for mark in marks:
        if not 0 <= mark.start < mark.end <= length:
            continue  # a stale offset never breaks the page; the list still shows the span
        starts[mark.start].append(mark)
        ends[mark.end].append(mark)
        points.add(mark.start)
        points.add(mark.end)
    ordered = sorted(points)
    active: dict[tuple[str, str], Mark] = {}
    out: list[str] = []
    for here, following in zip(ordered, ordered[1:], strict=False):
        for mark in ends.get(here, ()):
            active.pop((mark.kind, mark.key), None)
        for mark in starts.get(here, ()):
            active[(mark.kind, mark.key)] = mark
        text = escape(body[here:following], quote=False)
        if not active:
            out.append(text)
            continue
        if len(active) == 1:
            (mark,) = active.values()
            kinds, keys = f"t-{mark.kind}", mark.key
        else:
            inner = sorted(active.values(), key=lambda m: (m.end - m.start, m.start, m.key))
            kinds = " ".join(sorted({f"t-{m.kind}" for m in inner}))
            keys = " ".join(dict.fromkeys(m.key for m in inner))
        out.append(f'<mark class="hl {kinds}" data-ids="{keys}">{text}</mark>')
    # Every piece of article text above went through escape(); the tags are ours.
    return mark_safe("".join(out))  # noqa: S308


def marks_for(spans_by_kind: dict[str, list[SpanRow]]) -> list[Mark]:
    """What the body highlights: every anchored span that is not rejected, plus the title of
    office of each mention (its own type, opening the mention)."""
    marks: list[Mark] = []
    for kind, spans in spans_by_kind.items():
        for span in spans:
            if span.anchor_state != AnchorState.ANCHORED or span.review_state == "rejected":
                continue
            key = span.key
            marks.append(Mark(span.start, span.end, kind, key))
            if kind == "mention" and span.title_start is not None and span.title_end is not None:
                marks.append(Mark(span.title_start, span.title_end, "title", key))
    return marks


def speaker_links(spans_by_kind: dict[str, list[SpanRow]]) -> dict[str, list[str]]:
    """Each quote whose speaker is linked → the mentions of that person in the text (the page
    highlights them while the quote has the pointer or the focus)."""
    mentions: dict[int, list[str]] = defaultdict(list)
    for span in spans_by_kind.get("mention", ()):
        if span.entity_id is not None and span.anchor_state == AnchorState.ANCHORED:
            mentions[span.entity_id].append(span.key)
    return {
        span.key: mentions[span.entity_id]
        for span in spans_by_kind.get("quote", ())
        if span.entity_id is not None and mentions.get(span.entity_id)
    }


# --- The annotation list ------------------------------------------------------------------------


@dataclass
class Group:
    kind: str
    label: str
    shortcut: str
    rows: list[SpanRow]
    total: int
    counts: list[tuple[str, str, int]]  # (state value, label, count)
    rows_html: SafeString = field(default_factory=lambda: mark_safe(""))


def spans_for_article(article: Article) -> dict[str, list[SpanRow]]:
    """All spans of the article for the body and the list, in text order: one query per type."""
    result: dict[str, list[SpanRow]] = {}
    for kind, model in SPAN_MODELS.items():
        rows = (
            model.objects.filter(article_id=article.pk)
            .order_by("start", "end", "id")
            .values_list(*_COMMON_FIELDS, *_LIST_FIELDS[kind])
        )
        result[kind] = [SpanRow(kind, values) for values in rows]
    return result


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _badge(css: str, text: str) -> str:
    return f'<span class="badge {css}">{escape(text)}</span>'


def _row_meta(span: SpanRow, flags: int) -> str:
    parts = [_badge(f"st-{span.review_state}", span.review_state)]
    if span.origin == Origin.AUTOMATIC:
        parts.append(_badge("auto", "auto"))
    if span.anchor_state == AnchorState.ORPHANED:
        parts.append(_badge("orphan", "orphaned"))
    if span.kind == "claim":
        if span.verdict != "not_rated":
            parts.append(_badge(f"v-{span.verdict}", span.verdict))
        if span.verdict_state == "verified":
            parts.append(_badge("verified", "verified"))
        elif span.verdict_state == "returned":
            parts.append(_badge("returned", "sent back"))
    elif span.kind == "mention" and not span.who:
        parts.append(_badge("unlinked", "not linked"))
    elif span.who:
        parts.append(f'<span class="who">{escape(span.who, quote=False)}</span>')
    elif span.value:
        parts.append(f'<span class="who">{span.value.isoformat()}</span>')
    if flags:
        parts.append(f'<span class="badge flag" title="open findings">⚑ {flags}</span>')
    return "".join(parts)


def rows_html(
    rows: list[SpanRow],
    *,
    open_key: str = "",
    flags: dict[str, int] | None = None,
) -> SafeString:
    """The list rows of one type. Built here rather than in the template: an article can have
    thousands of annotations, and a template loop costs ~0.3 ms a row against ~5 µs here. Each
    row is a plain link to the workspace with the span open; static/js/workspace.js opens it in
    the side panel instead (one delegated listener rather than an hx-get on each of thousands of
    rows). Every piece of text goes through escape(); keys are "<kind>/<uuid>", made by us."""
    flags = flags or {}
    out = []
    for span in rows:
        key = span.key
        current = " current" if key == open_key else ""
        out.append(
            f'<li class="row st-{span.review_state}{current}" data-key="{key}">'
            f'<a href="?open={key}#detail">{escape(_truncate(span.exact, 90), quote=False)}</a> '
            f'<span class="row-meta">{_row_meta(span, flags.get(key, 0))}</span></li>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def groups_for(
    spans_by_kind: dict[str, list[SpanRow]],
    *,
    state: str = "",
    open_key: str = "",
    flags: dict[str, int] | None = None,
) -> list[Group]:
    groups = []
    for name, spans in spans_by_kind.items():
        counter = Counter(span.review_state for span in spans)
        counts = [(value, label, counter.get(value, 0)) for value, label in ReviewState.choices]
        rows = [span for span in spans if span.review_state == state] if state else spans
        groups.append(
            Group(
                kind=name,
                label=KIND_LABELS[name],
                shortcut=KIND_KEYS[name],
                rows=rows,
                total=len(spans),
                counts=counts,
                rows_html=rows_html(
                    rows,
                    open_key=open_key,
                    flags=flags,
                ),
            )
        )
    return groups


# --- Findings -----------------------------------------------------------------------------------


@dataclass
class FindingView:
    finding: Finding
    spans: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """Still needs someone: not yet acknowledged, resolved or dismissed (what "n open" counts)."""
        return self.finding.state == Finding.State.OPEN

    @property
    def is_closed(self) -> bool:
        return self.finding.state in (Finding.State.RESOLVED, Finding.State.DISMISSED)


_FINDING_SPAN_KINDS = {"title": "mention"}


def findings_for_article(article: Article, known_keys: set[str] | None = None) -> list[FindingView]:
    """The article's findings in the panel's order (open first, errors first), each with the
    spans it concerns, linked when the span still exists (known_keys; None = do not check)."""
    findings = list(findings_query(article=article))
    views = []
    for finding in findings:
        spans = []
        for ref in finding.spans or []:
            if not isinstance(ref, dict):
                continue
            kind, uuid = str(ref.get("type", "")), str(ref.get("uuid", ""))
            # A title of office is part of its mention (the checks name it "title").
            kind = _FINDING_SPAN_KINDS.get(kind, kind)
            key = f"{kind}/{uuid}" if kind in SPAN_MODELS and uuid else ""
            if known_keys is not None and key not in known_keys:
                key = ""
            spans.append({"key": key, "uuid": uuid, "exact": str(ref.get("exact", ""))})
        views.append(FindingView(finding=finding, spans=spans))
    return views


def finding_keys(findings: list[FindingView]) -> dict[str, int]:
    """How many open findings concern each span (shown on the span's row)."""
    counter: Counter[str] = Counter()
    for view in findings:
        if view.finding.state == Finding.State.OPEN:
            for ref in view.spans:
                if ref["key"]:
                    counter[ref["key"]] += 1
    return dict(counter)


def background_status(article: Article, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the findings panel says about the background work, and whether it keeps polling.
    It reads the recorded state (apps.articles.processing): extraction and checks of the current
    revision are shown done only after a run on it finished."""
    now = now or timezone.now()
    extracting = article.extraction_state == Article.ExtractionState.PENDING
    checking = article.check_state in (Article.CheckState.PENDING, Article.CheckState.RUNNING)
    requested = article.extraction_requested_at if extracting else article.check_requested_at
    # Work owed for long (no worker, the broker down): keep asking, less often.
    waited_long = requested is not None and now - requested > EXTRACTION_WAIT
    return {
        "extracting": extracting,
        "checking": checking,
        "polling": extracting or checking,
        "poll_every": "30s" if waited_long else "2s",
        "waited_long": waited_long,
        "extracted_mark": article.extracted_at.isoformat() if article.extracted_at else "",
    }


# --- The open annotation --------------------------------------------------------------------------


def span_detail_get(*, kind: str, span_uuid, article: Article | None = None) -> AnchoredSpan | None:
    """One span with everything its detail shows (one query), or None."""
    model = SPAN_MODELS.get(kind)
    if model is None:
        return None
    queryset = model.objects.select_related("article", *_DETAIL_RELATED[kind])
    if article is not None:
        queryset = queryset.filter(article_id=article.pk)
    return queryset.filter(uuid=span_uuid).first()


def evidence_for(span: AnchoredSpan) -> list:
    if not isinstance(span, Claim):
        return []
    return list(span.evidence.select_related("created_by").order_by("created_at", "id"))


def parse_key(value: str) -> tuple[str, str] | None:
    kind, _, uuid = (value or "").partition("/")
    if kind not in SPAN_MODELS or len(uuid) != 36:
        return None
    return kind, uuid
