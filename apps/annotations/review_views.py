"""The review queue: reviewers approve or reject proposed annotations and verify or send back
proposed verdicts, one by one or in bulk. Every write is one call to apps.annotations.services.

Each action is a real form (post/redirect/get without JavaScript). With htmx the view answers
with the item's partial in its new state; when the service refuses (a conflict, one's own work,
a missing reason) the partial carries the message and the current state, with the service's
status (409, 403, 422), and the no-JavaScript path re-renders the page with the same message."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from apps.accounts import roles
from apps.accounts.decorators import login_required_htmx, role_required
from apps.annotations import services
from apps.annotations.excerpts import excerpt
from apps.annotations.models import ClaimKind, Origin
from apps.annotations.review_forms import BulkActionForm, ItemActionForm
from apps.annotations.review_selectors import (
    QUEUE_TYPES,
    QueueFilters,
    QueueItem,
    queue_articles,
    queue_item_get,
    queue_page,
)
from apps.ui_errors import ui_status

TEMPLATE = "review/queue.html"

# action name → (verb shown to the user, the service call)
ACTIONS = {
    "approve": "approved",
    "reject": "rejected",
    "verify": "verified",
    "return": "sent back",
}


def _queue_context(request: HttpRequest, query: QueryDict, acted: list[QueueItem]) -> dict:
    filters = QueueFilters.from_query(query)
    page = queue_page(user=request.user, filters=filters, page_number=query.get("page"))
    acted_keys = {item.key for item in acted}
    page.object_list = [item for item in page.object_list if item.key not in acted_keys]
    # A reviewer's own items (last in the queue's order) are shown apart: they cannot act on them.
    apart = roles.can_review(request.user)
    filter_query = QueryDict(mutable=True)
    filter_query.update(filters.as_query())
    here = _queue_url(filters, query.get("page"))
    return {
        "page": page,
        "items": [item for item in page.object_list if not (apart and item.is_own)],
        "own_items": [item for item in page.object_list if apart and item.is_own],
        "compact": filters.rows == "compact",
        "rows_url": _queue_url(
            replace(filters, rows="" if filters.rows else "compact"), query.get("page")
        ),
        "select_all": query.get("select") == "all",
        "select_all_url": here + ("&" if "?" in here else "?") + "select=all",
        "select_none_url": here,
        "has_filters": any((filters.type, filters.article, filters.origin, filters.kind)),
        "filters": filters,
        "filter_query": filter_query.urlencode(),
        "queue_types": QUEUE_TYPES,
        "origins": Origin.choices,
        "claim_kinds": ClaimKind.choices,
        "articles": queue_articles(),
        "acted": acted,
        "next": _queue_url(filters, query.get("page")),
    }


def _queue_url(filters: QueueFilters, page: str | None = None) -> str:
    query = QueryDict(mutable=True)
    query.update(filters.as_query())
    if page and page != "1":
        query["page"] = page
    url = reverse("review:queue")
    return f"{url}?{query.urlencode()}" if query else url


def _safe_next(request: HttpRequest) -> str:
    """The queue page (with its filters) the form was posted from; never another site."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        if urlsplit(candidate).path == reverse("review:queue"):
            return candidate
    return reverse("review:queue")


def _next_query(next_url: str) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in parse_qs(urlsplit(next_url).query).items():
        query.setlist(key, values)
    return query


@require_GET
@role_required(roles.can_read, "You need a Factdesk role to see the review queue.")
def queue(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request, request.GET, acted=[])
    if request.htmx and request.htmx.target == "review-list":
        return render(request, f"{TEMPLATE}#list", context)
    return render(request, TEMPLATE, context)


def _perform(*, action: str, item: QueueItem, user, version: int | None, note: str) -> None:
    span = item.span
    if action in ("approve", "reject"):
        services.annotation_review(
            span=span, user=user, approve=action == "approve", expected_version=version, note=note
        )
    elif action == "verify":
        services.claim_verify(claim=span, user=user, expected_version=version)
    else:
        services.claim_verdict_return(claim=span, user=user, expected_version=version, note=note)


def _act(*, request: HttpRequest, item: QueueItem, action: str, version: int | None, note: str):
    """Run one action; returns the item reloaded in its current state with its message, and the
    HTTP status to answer with."""
    try:
        _perform(action=action, item=item, user=request.user, version=version, note=note)
    except services.AnnotationError as exc:
        fresh = queue_item_get(kind=item.kind, span_uuid=item.span.uuid, user=request.user)
        fresh.message, fresh.message_level = exc.message, "error"
        return fresh, ui_status(exc)
    fresh = queue_item_get(kind=item.kind, span_uuid=item.span.uuid, user=request.user)
    fresh.message, fresh.message_level = f"{item.kind.capitalize()} {ACTIONS[action]}.", "success"
    return fresh, 200


def _item_response(request: HttpRequest, item: QueueItem, status: int) -> HttpResponse:
    response = render(
        request,
        f"{TEMPLATE}#item",
        {"item": item, "next": _safe_next(request)},
        status=status,
    )
    # static/js/review.js swaps refusals (403) into the row too, not only 409/422.
    response["X-Inline-Message"] = "1"
    if status == 200:
        response["HX-Trigger"] = "reviewChanged"
    return response


@require_POST
@role_required(roles.can_review, "Only reviewers and editors can approve or reject.")
def item_action(request: HttpRequest, kind: str, span_uuid, action: str) -> HttpResponse:
    if action not in ACTIONS or (action in ("verify", "return") and kind != "claim"):
        raise Http404("No such action.")
    item = queue_item_get(kind=kind, span_uuid=span_uuid, user=request.user)
    form = ItemActionForm(request.POST, note_required=action in ("reject", "return"))
    if not form.is_valid():
        item.message, item.message_level = form.first_error(), "error"
        acted, status = item, 422
    else:
        acted, status = _act(
            request=request,
            item=item,
            action=action,
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    if request.htmx:
        return _item_response(request, acted, status)
    if status == 200:
        messages.success(request, f"{acted.message} “{excerpt(acted.span.exact, limit=80)}”")
        return redirect(_safe_next(request))
    next_url = _safe_next(request)
    context = _queue_context(request, _next_query(next_url), acted=[acted])
    return render(request, TEMPLATE, context, status=status)


@require_POST
@role_required(roles.can_review, "Only reviewers and editors can approve or reject.")
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Approve (or verify) / reject (or send back) every selected item, each in its own
    transaction: one item's conflict does not undo the others."""
    next_url = _safe_next(request)
    form = BulkActionForm(request.POST)
    acted: list[QueueItem] = []
    status = 200
    if not form.is_valid():
        status = 422
        error = form.first_error()
    else:
        error = ""
        for kind, span_uuid, version in form.cleaned_data["items"]:
            try:
                item = queue_item_get(kind=kind, span_uuid=span_uuid, user=request.user)
            except Http404:
                continue  # deleted meanwhile: nothing to do, nothing to report
            result, item_status = _act(
                request=request,
                item=item,
                action=form.action_for(item),
                version=version,
                note=form.cleaned_data["note"],
            )
            acted.append(result)
            if item_status != 200 and status == 200:
                status = item_status
    failed = [item for item in acted if item.message_level == "error"]
    if request.htmx:
        context = _queue_context(request, _next_query(next_url), acted=acted)
        context["bulk_error"] = error
        response = render(request, f"{TEMPLATE}#list", context, status=200 if acted else status)
        if acted:
            response["HX-Trigger"] = "reviewChanged"
        return response
    if error == "" and not failed:
        messages.success(request, f"{len(acted)} item(s) done.")
        return redirect(next_url)
    context = _queue_context(request, _next_query(next_url), acted=acted)
    context["bulk_error"] = error
    return render(request, TEMPLATE, context, status=status)


@require_GET
@login_required_htmx
def item_detail(request: HttpRequest, kind: str, span_uuid) -> HttpResponse:
    """One item of the queue on its own (the no-JavaScript way to see its current state)."""
    item = queue_item_get(kind=kind, span_uuid=span_uuid, user=request.user)
    if request.htmx:
        return render(request, f"{TEMPLATE}#item", {"item": item, "next": _safe_next(request)})
    return render(request, "review/item.html", {"item": item, "next": reverse("review:queue")})
