"""Reads for articles, with the permission check in one place (STYLE rule 4)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.accounts import roles
from apps.articles.models import Article


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


def article_list_for_user(*, user, search: str = "", status: str = "", source: str = ""):
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to read articles.")
    queryset = Article.objects.for_list().search(search)
    if status:
        queryset = queryset.filter(status=status)
    if source:
        queryset = queryset.filter(source=source)
    return queryset.order_by("-published_on", "-id")
