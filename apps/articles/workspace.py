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
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.annotations.models import (
    SPAN_MODELS,
    AnchoredSpan,
    AnchorState,
    Claim,
    ReviewState,
)
from apps.articles.models import Article
from apps.checks.models import Finding

KIND_LABELS = {"claim": "Claims", "quote": "Quotes", "mention": "Mentions", "date": "Dates"}
KIND_NAMES = {"claim": "Claim", "quote": "Quote", "mention": "Entity mention", "date": "Date"}
KIND_KEYS = {"claim": "c", "quote": "q", "mention": "e", "date": "d"}
# How long after a change the page keeps asking whether extraction has run (it may never run,
# e.g. with no worker; the status then says so instead of polling forever).
EXTRACTION_WAIT = dt.timedelta(minutes=10)

_COMMON_FIELDS = (
    "id",
    "uuid",
    "article_id",
    "start",
    "end",
    "exact",
    "review_state",
    "origin",
    "anchor_state",
    "created_by_id",
    "edited_by_id",
    "version",
)
_LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "claim": ("kind", "verdict", "verdict_state", "rating", "rating_label"),
    "quote": ("speaker__id", "speaker__uuid", "speaker__label", "speaker_text"),
    "mention": (
        "entity__id",
        "entity__uuid",
        "entity__label",
        "title_start",
        "title_end",
        "title_text",
        "title_modifier",
    ),
    "date": ("value", "precision", "is_relative"),
}
_LIST_RELATED: dict[str, tuple[str, ...]] = {"quote": ("speaker",), "mention": ("entity",)}
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
        text = escape(body[here:following])
        if not active:
            out.append(text)
            continue
        inner = sorted(active.values(), key=lambda m: (m.end - m.start, m.start, m.key))
        kinds = " ".join(sorted({f"t-{m.kind}" for m in inner}))
        keys = " ".join(dict.fromkeys(m.key for m in inner))
        out.append(f'<mark class="hl {kinds}" data-ids="{keys}" data-o="{here}">{text}</mark>')
    # Every piece of article text above went through escape(); the tags are ours.
    return mark_safe("".join(out))  # noqa: S308


def marks_for(spans_by_kind: dict[str, list[AnchoredSpan]]) -> list[Mark]:
    """What the body highlights: every anchored span that is not rejected, plus the title of
    office of each mention (its own type, opening the mention)."""
    marks: list[Mark] = []
    for kind, spans in spans_by_kind.items():
        for span in spans:
            if span.anchor_state != AnchorState.ANCHORED or span.review_state == "rejected":
                continue
            key = f"{kind}/{span.uuid}"
            marks.append(Mark(span.start, span.end, kind, key))
            if kind == "mention" and span.title_start is not None and span.title_end is not None:
                marks.append(Mark(span.title_start, span.title_end, "title", key))
    return marks


# --- The annotation list ------------------------------------------------------------------------


@dataclass
class Group:
    kind: str
    label: str
    shortcut: str
    rows: list[AnchoredSpan]
    total: int
    counts: list[tuple[str, str, int]]  # (state value, label, count)


def spans_for_article(article: Article) -> dict[str, list[AnchoredSpan]]:
    """All spans of the article for the body and the list: one query per type."""
    result: dict[str, list[AnchoredSpan]] = {}
    for kind, model in SPAN_MODELS.items():
        queryset = model.objects.filter(article_id=article.pk)
        related = _LIST_RELATED.get(kind, ())
        if related:
            queryset = queryset.select_related(*related)
        result[kind] = list(
            queryset.only(*_COMMON_FIELDS, *_LIST_FIELDS[kind]).order_by("start", "end", "id")
        )
    return result


def groups_for(
    spans_by_kind: dict[str, list[AnchoredSpan]], *, state: str = "", kind: str = ""
) -> list[Group]:
    groups = []
    for name, spans in spans_by_kind.items():
        counter = Counter(span.review_state for span in spans)
        counts = [(value, label, counter.get(value, 0)) for value, label in ReviewState.choices]
        if kind and name != kind:
            rows: list[AnchoredSpan] = []
        elif state:
            rows = [span for span in spans if span.review_state == state]
        else:
            rows = spans
        for span in rows:
            span.key = f"{name}/{span.uuid}"
        groups.append(
            Group(
                kind=name,
                label=KIND_LABELS[name],
                shortcut=KIND_KEYS[name],
                rows=rows,
                total=len(spans),
                counts=counts,
            )
        )
    return groups


# --- Findings -----------------------------------------------------------------------------------


@dataclass
class FindingView:
    finding: Finding
    spans: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.finding.state in (Finding.State.RESOLVED, Finding.State.DISMISSED)


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_STATE_ORDER = {"open": 0, "acknowledged": 1, "resolved": 2, "dismissed": 3}


def findings_for_article(article: Article, known_keys: set[str] | None = None) -> list[FindingView]:
    """The article's findings, open ones first, errors first; each with the spans it concerns,
    linked when the span still exists (known_keys; None = do not check)."""
    findings = list(Finding.objects.filter(article_id=article.pk).order_by("created_at", "id"))
    findings.sort(key=lambda f: (_STATE_ORDER.get(f.state, 9), _SEVERITY_ORDER.get(f.severity, 9)))
    views = []
    for finding in findings:
        spans = []
        for ref in finding.spans or []:
            if not isinstance(ref, dict):
                continue
            kind, uuid = str(ref.get("type", "")), str(ref.get("uuid", ""))
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
    """What the findings panel says about the background work, and whether it keeps polling."""
    now = now or timezone.now()
    checking = article.check_state in (Article.CheckState.PENDING, Article.CheckState.RUNNING)
    extracting = (
        not checking
        and article.extracted_sha256 != article.body_sha256
        and article.updated_at is not None
        and now - article.updated_at < EXTRACTION_WAIT
    )
    return {
        "extracting": extracting,
        "checking": checking,
        "polling": extracting or checking,
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
