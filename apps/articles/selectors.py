"""Reads for articles, with the permission check in one place (STYLE rule 4)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from apps.accounts import roles
from apps.annotations.models import SPAN_MODELS, Claim, ReviewState
from apps.articles.models import Article
from apps.checks.models import Finding


def article_get_for_user(*, article_uuid, user, for_update: bool = False) -> Article:
    """Every signed-in newsroom member may read every article; writes are checked by services."""
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to read articles.")
    queryset = Article.objects.select_related("created_by")
    if for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(uuid=article_uuid)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


# The article list's sort keys (`?sort=key`, `?sort=-key` for descending) → the columns ordered
# by; anything else is ignored (the default order), never an error: a stale link still works.
# Every order ends with the id, so that pages never overlap.
LIST_SORTS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "source": ("source",),
    "published": ("published_on",),
    "proposals": ("proposals_open",),
    "claims": ("claims_verified", "claims_total"),
    "findings": ("findings_open",),
}
DEFAULT_SORT = "-published"


def _count_of(model, **conditions) -> Coalesce:
    """COUNT(*) of `model`'s rows of each article matching `conditions`, as a correlated
    subquery: one per column on the list's one query, whatever the number of articles (a join
    would multiply the rows of each table by the others')."""
    rows = (
        model.objects.filter(article_id=OuterRef("pk"), **conditions)
        .order_by()
        .values("article_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_progress(queryset):
    """Each article's progress: proposals open (annotations of the four types awaiting review,
    and verdicts awaiting verification: what the review queue holds), claims verified and
    claims, findings open (acknowledged, resolved and dismissed ones are not open)."""
    proposals = _count_of(Claim, verdict_state=Claim.VerdictState.PROPOSED)
    for model in SPAN_MODELS.values():
        proposals = proposals + _count_of(model, review_state=ReviewState.PROPOSED)
    return queryset.annotate(
        proposals_open=proposals,
        claims_verified=_count_of(Claim, verdict_state=Claim.VerdictState.VERIFIED),
        claims_total=_count_of(Claim),
        findings_open=_count_of(Finding, state=Finding.State.OPEN),
    )


@contextmanager
def without_jit() -> Iterator[None]:
    """PostgreSQL: no JIT compilation for the queries inside (a transaction with SET LOCAL).
    Sorting the list by a count makes the planner's estimate large enough to JIT-compile the
    query, which then costs more than running it (1.7 s of 2.0 s with 20,000 articles,
    bench/article_list.py). Nothing on SQLite."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def parse_sort(value: str) -> str:
    """The sort asked for if it is one of LIST_SORTS (with an optional "-"), else the default."""
    value = (value or "").strip()
    return value if value.removeprefix("-") in LIST_SORTS else DEFAULT_SORT


def article_list_for_user(
    *, user, search: str = "", status: str = "", source: str = "", sort: str = DEFAULT_SORT
):
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to read articles.")
    queryset = with_progress(Article.objects.for_list().search(search))
    if status:
        queryset = queryset.filter(status=status)
    if source:
        queryset = queryset.filter(source=source)
    sort = parse_sort(sort)
    descending = sort.startswith("-")
    # Plain DESC/ASC (no NULLS LAST): the default order is then the one article_published_idx
    # serves, as before.
    order = [
        F(column).desc() if descending else F(column).asc()
        for column in LIST_SORTS[sort.removeprefix("-")]
    ]
    return queryset.order_by(*order, "-id" if descending else "id")
