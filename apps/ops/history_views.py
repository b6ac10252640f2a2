"""History pages: who changed an item, when, and what changed (read-only: history is kept
append-only; there is no way to edit it from the UI)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.accounts import roles
from apps.accounts.decorators import role_required
from apps.ops.history import item_history

PAGE_SIZE = 50


def _live_url(kind: str, history) -> str:
    """Where the item itself can be seen now ("" when it has been deleted)."""
    if history.deleted:
        return ""
    if kind == "article":
        return reverse("articles:detail", args=[history.uuid])
    if kind in ("claim", "quote", "mention", "date"):
        return reverse("annotations:detail", args=[kind, history.uuid])
    if kind == "entity":
        return reverse("knowledge:entity", args=[history.uuid])
    return ""


@require_GET
@role_required(roles.can_read, "You need a Factdesk role to read the history.")
def detail(request: HttpRequest, kind: str, item_uuid) -> HttpResponse:
    history = item_history(kind=kind, item_uuid=item_uuid, user=request.user)
    page = Paginator(history.entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "history/detail.html",
        {"history": history, "page": page, "live_url": _live_url(kind, history)},
    )
