"""Reads for the review queue: proposed annotations of all four types and proposed verdicts,
across articles, in one ordered, paginated list.

The four span tables are merged with one UNION of (type, id, created_at) rows, so that paging is
done by the database; the page's items are then loaded per type with their relations. The number
of queries is fixed (count, page, one per type present on the page, the article choices) whatever
the length of the queue. For a reviewer, the items they wrote part of (which they may not approve
or verify) come after all the others: an EXISTS in the same UNION orders them last."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.http import Http404

from apps.accounts import roles
from apps.annotations import rules
from apps.annotations.models import (
    SPAN_MODELS,
    AnchoredSpan,
    Claim,
    ClaimKind,
    ClaimVerdictState,
    Evidence,
    Origin,
    ReviewState,
)
from apps.annotations.selectors import contributed_by
from apps.articles.models import Article
from apps.checks.blocking import (
    BLOCKING_STATES,
    claim_blocked_message,
    findings_blocking_claim,
)
from apps.checks.models import Finding

PAGE_SIZE = 25

# The "type" filter: the four annotation types, plus claims whose verdict awaits verification.
QUEUE_TYPES: list[tuple[str, str]] = [
    ("claim", "claims"),
    ("quote", "quotes"),
    ("mention", "entity mentions"),
    ("date", "dates"),
    ("verdict", "proposed verdicts"),
]

# What each span type brings along for the queue row (never the article body).
_RELATED: dict[str, tuple[str, ...]] = {
    "claim": ("article", "created_by", "edited_by", "verdict_by"),
    "quote": ("article", "created_by", "edited_by", "speaker"),
    "mention": ("article", "created_by", "edited_by", "entity", "office"),
    "date": ("article", "created_by", "edited_by"),
}
_ARTICLE_FIELDS = ("article__id", "article__uuid", "article__title", "article__source")


ROW_STYLES = ("", "compact")  # "": full rows; "compact": one line per item, details on demand


@dataclass
class QueueFilters:
    type: str = ""
    article: str = ""  # article uuid, as text
    origin: str = ""
    kind: str = ""  # claim kind
    rows: str = ""  # how rows are shown (ROW_STYLES), kept in the queue's links like a filter

    @classmethod
    def from_query(cls, data: Any) -> QueueFilters:
        """Unknown values are dropped (shown as "any"), never an error: a stale link still works."""
        filters = cls(
            type=data.get("type", "").strip(),
            article=data.get("article", "").strip(),
            origin=data.get("origin", "").strip(),
            kind=data.get("kind", "").strip(),
            rows=data.get("rows", "").strip(),
        )
        if filters.rows not in ROW_STYLES:
            filters.rows = ""
        if filters.type not in dict(QUEUE_TYPES):
            filters.type = ""
        if filters.origin not in Origin.values:
            filters.origin = ""
        if filters.kind not in ClaimKind.values:
            filters.kind = ""
        if filters.article and not _is_uuid(filters.article):
            filters.article = ""
        return filters

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@dataclass
class QueueItem:
    """One row of the queue: a span, with what a reviewer may do to it."""

    kind: str  # claim, quote, mention, date
    span: AnchoredSpan
    message: str = ""  # inline message after an action (conflict, refusal, bad input)
    message_level: str = ""  # "error" or "success"
    extra: dict = field(default_factory=dict)
    viewer: Any = None  # who the row is shown to: what it offers is theirs
    # Why its proposed verdict cannot be verified ("" when nothing blocks it); None until it is
    # looked up (queue_items_load does it for a page at once, `offers` for a single item).
    blocked_by: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.span.uuid}"

    @property
    def evidence(self) -> list:
        return list(self.span.evidence.all()) if self.kind == "claim" else []

    @property
    def dom_id(self) -> str:
        return f"review-{self.kind}-{self.span.uuid}"

    @property
    def review_pending(self) -> bool:
        return self.span.review_state == ReviewState.PROPOSED

    @property
    def verdict_pending(self) -> bool:
        return (
            self.kind == "claim"
            and getattr(self.span, "verdict_state", "") == ClaimVerdictState.PROPOSED
        )

    @property
    def pending(self) -> bool:
        return self.review_pending or self.verdict_pending

    @property
    def is_own(self) -> bool:
        """The viewer wrote part of it (four eyes): approve and verify are not offered."""
        return bool(getattr(self.span, "is_own", False))

    @cached_property
    def offers(self) -> dict[str, bool]:
        """The actions the row offers its viewer. The queue offers only the pending work:
        approve and reject while the review is pending, verify and send back while the verdict
        is (a verified verdict is sent back, an approved item rejected, from the workspace);
        of that, exactly what apps.annotations.rules lets the viewer do."""
        user, span, own = self.viewer, self.span, self.is_own
        offers = dict.fromkeys(("approve", "reject", "verify", "return"), False)
        if user is None or not roles.can_review(user):
            return offers
        if self.review_pending:
            offers["approve"] = rules.may_review(user=user, span=span, approve=True, is_own=own)
            offers["reject"] = rules.may_review(user=user, span=span, approve=False, is_own=own)
        if self.verdict_pending:
            offers["return"] = rules.may_return_verdict(user=user, claim=span)
            if rules.may_verify(user=user, claim=span, is_own=own):
                if self.blocked_by is None:
                    _look_up_blockers([self])
                offers["verify"] = not self.blocked_by
        return offers


def _span_filter(kind: str, filters: QueueFilters) -> Q | None:
    """The WHERE clause of one span type, or None when the filters exclude the type."""
    if filters.type == "verdict":
        if kind != "claim":
            return None
        condition = Q(verdict_state=ClaimVerdictState.PROPOSED)
    elif filters.type and filters.type != kind:
        return None
    elif kind == "claim":
        condition = Q(review_state=ReviewState.PROPOSED) | Q(
            verdict_state=ClaimVerdictState.PROPOSED
        )
    else:
        condition = Q(review_state=ReviewState.PROPOSED)
    if filters.kind:
        if kind != "claim":
            return None
        condition &= Q(kind=filters.kind)
    if filters.origin:
        condition &= Q(origin=filters.origin)
    if filters.article:
        condition &= Q(article__uuid=filters.article)
    return condition


def queue_rows(*, filters: QueueFilters, own_last_for=None) -> models.QuerySet:
    """(type, id, created_at, own) of every pending item, oldest first (a queue is worked in
    order); with `own_last_for` (a reviewer) the items that user wrote part of come last."""
    parts = []
    for kind, model in SPAN_MODELS.items():
        condition = _span_filter(kind, filters)
        if condition is None:
            continue
        own = (
            contributed_by(model, own_last_for)
            if own_last_for is not None
            else Value(False, output_field=models.BooleanField())
        )
        parts.append(
            model.objects.filter(condition)
            .annotate(qtype=Value(kind, output_field=models.CharField()), qown=own)
            .values_list("qtype", "id", "created_at", "qown")
            .order_by()
        )
    if not parts:
        return SPAN_MODELS["claim"].objects.none().values_list("id", "id", "created_at", "id")
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("qown", "created_at", "qtype", "id")


def queue_items_load(rows: list[tuple[str, int, Any]], *, user=None) -> list[QueueItem]:
    """Load the spans named by (type, id, ...) rows, in the rows' order: one query per type
    (whether `user` contributed to each is an EXISTS in the same query)."""
    ids_by_kind: dict[str, list[int]] = {}
    for kind, pk, *_ in rows:
        ids_by_kind.setdefault(kind, []).append(pk)
    loaded: dict[tuple[str, int], QueueItem] = {}
    for kind, ids in ids_by_kind.items():
        for span in _span_queryset(kind, user=user).filter(id__in=ids):
            loaded[(kind, span.pk)] = QueueItem(kind=kind, span=span, viewer=user)
    items = [loaded[(kind, pk)] for kind, pk, *_ in rows if (kind, pk) in loaded]
    if user is not None and roles.can_review(user):
        _look_up_blockers([item for item in items if item.verdict_pending and not item.is_own])
    return items


def _look_up_blockers(items: list[QueueItem]) -> None:
    """Set `blocked_by` on each item (claims whose verdict a reviewer could verify): the error
    findings that concern it, as claim_verify refuses them. The findings of all their articles
    in one query, and the articles' text only when there are any (the common case costs one)."""
    if not items:
        return
    article_ids = {item.span.article_id for item in items}
    findings: dict[int, list[Finding]] = {}
    for finding in Finding.objects.filter(
        article_id__in=article_ids, severity=Finding.Severity.ERROR, state__in=BLOCKING_STATES
    ).order_by("created_at", "id"):
        findings.setdefault(finding.article_id, []).append(finding)
    bodies = (
        dict(Article.objects.filter(pk__in=list(findings)).values_list("id", "body"))
        if findings
        else {}
    )
    for item in items:
        span = item.span
        blocking = findings_blocking_claim(
            findings=findings.get(span.article_id, []),
            body=bodies.get(span.article_id, ""),
            start=span.start,
            end=span.end,
        )
        item.blocked_by = claim_blocked_message(findings=blocking, article_uuid=span.article.uuid)


def _span_queryset(kind: str, *, user=None) -> models.QuerySet:
    model = SPAN_MODELS[kind]
    queryset = model.objects.select_related(*_RELATED[kind]).only(
        *[f.name for f in model._meta.concrete_fields],
        *_ARTICLE_FIELDS,
        *[
            f"{rel}__{name}"
            for rel in _RELATED[kind]
            if rel != "article"
            for name in (("id", "username") if rel.endswith("_by") else ("id", "uuid", "label"))
        ],
    )
    if kind == "claim":
        # The reviewer verifies a verdict against its evidence: shown in the row.
        queryset = queryset.prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "id"))
        )
    if user is not None and user.pk is not None:
        queryset = queryset.annotate(is_own=contributed_by(model, user))
    return queryset


def queue_page(*, user, filters: QueueFilters, page_number: Any = 1) -> Page:
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to see the review queue.")
    own_last_for = user if roles.can_review(user) else None
    paginator = Paginator(queue_rows(filters=filters, own_last_for=own_last_for), PAGE_SIZE)
    page = paginator.get_page(page_number)
    page.object_list = queue_items_load(list(page.object_list), user=user)
    return page


def queue_articles() -> list[tuple[str, str]]:
    """(uuid, title) of the articles that have anything in the queue, for the article filter."""
    pending = Q()
    for kind, model in SPAN_MODELS.items():
        condition = _span_filter(kind, QueueFilters())
        pending |= Exists(model.objects.filter(condition, article=OuterRef("pk")))
    return [
        (str(uuid), title)
        for uuid, title in Article.objects.filter(pending)
        .order_by("title", "id")
        .values_list("uuid", "title")
    ]


def queue_item_get(*, kind: str, span_uuid, user) -> QueueItem:
    """One item of the queue (whatever its state now), with the read permission checked."""
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to see annotations.")
    if kind not in SPAN_MODELS:
        raise Http404("No such annotation type.")
    try:
        span = _span_queryset(kind, user=user).get(uuid=span_uuid)
    except SPAN_MODELS[kind].DoesNotExist:
        raise Http404("No such annotation; it may have been deleted.") from None
    return QueueItem(kind=kind, span=span, viewer=user)


def queue_counts_for_reviewer(*, user) -> dict[str, int]:
    """How many pending items a reviewer could act on (none they wrote part of), by type."""
    counts: dict[str, int] = {}
    if not roles.can_review(user):
        return counts
    for kind, model in SPAN_MODELS.items():
        counts[kind] = (
            model.objects.filter(review_state=ReviewState.PROPOSED)
            .exclude(contributed_by(model, user))
            .count()
        )
    counts["verdict"] = (
        Claim.objects.filter(verdict_state=ClaimVerdictState.PROPOSED)
        .exclude(contributed_by(Claim, user))
        .count()
    )
    return counts
