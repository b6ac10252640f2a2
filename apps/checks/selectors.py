"""Reads about findings and the check state of articles (for the findings panel and the API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from apps.accounts import roles
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.errors import NotAllowed
from apps.knowledge.models import Entity, EntityKind, normalize_alias

_SEVERITY_RANK = Case(
    When(severity=Finding.Severity.ERROR, then=Value(0)),
    When(severity=Finding.Severity.WARNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
_STATE_RANK = Case(
    When(state=Finding.State.OPEN, then=Value(0)),
    When(state=Finding.State.ACKNOWLEDGED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def office_by_name(*, name: str) -> list[Entity]:
    """Offices one of whose names is exactly this (case-insensitively), or whose Wikidata id it
    is: what an editor types to name the office a title means."""
    text = normalize_alias(name or "")
    if not text:
        return []
    found = Entity.objects.filter(kind=EntityKind.OFFICE).filter(
        Q(aliases__normalized=text) | Q(wikidata_id__iexact=name.strip())
    )
    return list(found.distinct().order_by("label", "id")[:5])


def findings_for_article(*, article: Article, include_closed: bool = True) -> QuerySet[Finding]:
    """The article's findings for the panel: open first, errors before warnings, then by check
    and age (id as the tie-breaker)."""
    qs = Finding.objects.filter(article_id=article.pk).select_related("state_by")
    if not include_closed:
        qs = qs.filter(state__in=[Finding.State.OPEN, Finding.State.ACKNOWLEDGED])
    return qs.annotate(state_rank=_STATE_RANK, severity_rank=_SEVERITY_RANK).order_by(
        "state_rank", "severity_rank", "code", "created_at", "id"
    )


@dataclass(frozen=True)
class CheckStatus:
    state: str
    label: str  # "pending", "running", "done", "failed", "not checked yet"
    requested_at: dt.datetime | None
    started_at: dt.datetime | None
    done_at: dt.datetime | None
    error: str
    open_errors: int
    open_warnings: int
    open_infos: int

    @property
    def is_busy(self) -> bool:
        """Whether a result is still to come (the panel keeps polling while it is)."""
        return self.state in (Article.CheckState.PENDING, Article.CheckState.RUNNING)


def article_check_status(*, article: Article) -> CheckStatus:
    row = (
        Article.objects.filter(pk=article.pk)
        .values(
            "check_state", "check_requested_at", "check_started_at", "check_done_at", "check_error"
        )
        .get()
    )
    counts = {
        severity: 0
        for severity in (Finding.Severity.ERROR, Finding.Severity.WARNING, Finding.Severity.INFO)
    }
    for severity in (
        Finding.objects.open().filter(article_id=article.pk).values_list("severity", flat=True)
    ):
        counts[severity] = counts.get(severity, 0) + 1
    return CheckStatus(
        state=row["check_state"],
        label=Article.CheckState(row["check_state"]).label,
        requested_at=row["check_requested_at"],
        started_at=row["check_started_at"],
        done_at=row["check_done_at"],
        error=row["check_error"],
        open_errors=counts[Finding.Severity.ERROR],
        open_warnings=counts[Finding.Severity.WARNING],
        open_infos=counts[Finding.Severity.INFO],
    )


def finding_get_for_user(*, uuid, user) -> Finding:
    """A finding by its public id, for someone allowed to read findings (Finding.DoesNotExist
    when there is none)."""
    if not roles.can_read(user):
        raise NotAllowed("You need a Factdesk role to see findings.")
    return Finding.objects.select_related("article").get(uuid=uuid)
