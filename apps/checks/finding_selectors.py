"""Reads for the findings page: findings across articles with kind, severity and state filters,
paginated. A fixed number of queries whatever the length of the list: the count and the page
(each finding with its article joined, never the article's body)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from apps.accounts import roles
from apps.checks.models import Finding
from apps.checks.registry import all_checks

PAGE_SIZE = 50


def finding_kinds() -> list[tuple[str, str]]:
    """The kind filter's choices: the code of every registered check, with its description."""
    return [(check.code, check.code) for check in all_checks()]


@dataclass
class FindingFilters:
    q: str = ""  # the message, the article's title or source
    kind: str = ""  # check code
    severity: str = ""
    state: str = ""

    @classmethod
    def from_query(cls, data: Any) -> FindingFilters:
        """Unknown values are dropped (shown as "any"), never an error: a stale link still works."""
        filters = cls(**{name: data.get(name, "").strip() for name in cls.__dataclass_fields__})
        if filters.kind not in dict(finding_kinds()):
            filters.kind = ""
        if filters.severity not in Finding.Severity.values:
            filters.severity = ""
        if filters.state not in Finding.State.values:
            filters.state = ""
        return filters

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def finding_list_for_user(*, user, filters: FindingFilters) -> QuerySet:
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to read findings.")
    findings = Finding.objects.select_related("article", "state_by").defer(
        "article__body", "kb_facts"
    )
    if filters.q:
        findings = findings.filter(
            Q(message__icontains=filters.q)
            | Q(article__title__icontains=filters.q)
            | Q(article__source__icontains=filters.q)
        )
    if filters.kind:
        findings = findings.filter(code=filters.kind)
    if filters.severity:
        findings = findings.filter(severity=filters.severity)
    if filters.state:
        findings = findings.filter(state=filters.state)
    # Most recently changed first (finding_recent_idx), id as tie-breaker.
    return findings.order_by("-updated_at", "-id")


def finding_page(*, user, filters: FindingFilters, page_number: str | None) -> Page:
    return Paginator(finding_list_for_user(user=user, filters=filters), PAGE_SIZE).get_page(
        page_number
    )
