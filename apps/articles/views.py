"""Article pages: list, import, the workspace (body, annotations, detail, findings), body edit.

Function views; every write is a real form that posts and redirects without JavaScript. With
htmx the same URL answers with the partial of articles/workspace.html that changed (the view picks
it). The annotation and finding actions live in apps.annotations.views and apps.checks.views; all
three render through apps.articles.workspace_page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts import roles
from apps.accounts.decorators import login_required_htmx
from apps.articles import workspace
from apps.articles.duplicates import duplicate_article_warning
from apps.articles.forms import ArticleBodyForm, ArticleDetailsForm, ArticleImportForm
from apps.articles.models import Article
from apps.articles.selectors import (
    DEFAULT_SORT,
    article_get_for_user,
    article_list_for_user,
    parse_sort,
    without_jit,
)
from apps.articles.services import (
    ArticleConflict,
    ArticleError,
    ArticleNotAllowed,
    article_import,
    article_update_body,
    article_update_metadata,
)
from apps.articles.workspace_page import (
    annotation_base,
    render_workspace,
    workspace_context,
    workspace_url,
)

LIST_PAGE_SIZE = 50


# --- List and import ------------------------------------------------------------------------------


# The sortable columns of the list: sort key (apps.articles.selectors.LIST_SORTS), header, and
# the direction of a first click (counts and dates: largest or newest first).
LIST_COLUMNS: list[tuple[str, str, str]] = [
    ("title", "Title", ""),
    ("source", "Source", ""),
    ("published", "Published", "-"),
    ("proposals", "Proposals open", "-"),
    ("claims", "Claims verified", "-"),
    ("findings", "Findings open", "-"),
]


def _sort_headers(sort: str, filters: dict[str, str]) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (the other way round when it is the
    current sort, keeping the filters, back to page 1) and its `aria-sort` when it is sorted."""
    headers = {}
    for key, label, first in LIST_COLUMNS:
        current = sort.removeprefix("-") == key
        descending = sort.startswith("-")
        if current:
            target = key if descending else f"-{key}"
        else:
            target = f"{first}{key}"
        headers[key] = {
            "label": label,
            "query": urlencode({**filters, "sort": target}),
            "aria_sort": ("descending" if descending else "ascending") if current else "",
        }
    return headers


@require_GET
@login_required_htmx
def article_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    source = request.GET.get("source", "")
    if status not in Article.Status.values:
        status = ""
    sort = parse_sort(request.GET.get("sort", ""))
    articles = article_list_for_user(
        user=request.user, search=search, status=status, source=source, sort=sort
    )
    with without_jit():
        page = Paginator(articles, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)  # the page's query runs here, without JIT
    filters = {k: v for k, v in {"q": search, "status": status, "source": source}.items() if v}
    paged = {**filters, **({"sort": sort} if sort != DEFAULT_SORT else {})}
    context = {
        "page": page,
        "q": search,
        "status": status,
        "source": source,
        "sort": sort,
        "sort_default": sort == DEFAULT_SORT,
        "headers": _sort_headers(sort, filters),
        "filter_query": urlencode(paged),
        "statuses": Article.Status.choices,
        "sources": Article.objects.exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct(),
    }
    if request.htmx:
        return render(request, "articles/list.html#results", context)
    return render(request, "articles/list.html", context)


@require_http_methods(["GET", "POST"])
@login_required_htmx
def article_import_view(request: HttpRequest) -> HttpResponse:
    if not roles.can_annotate(request.user):
        raise PermissionDenied("Only annotators and editors can import articles.")
    status = 200
    if request.method == "POST":
        form = ArticleImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = article_import(
                    title=data["title"],
                    body=data["body"],
                    source=data["source"],
                    byline=data["byline"],
                    url=data["url"],
                    language=data["language"],
                    published_on=data["published_on"],
                    event_on=data["event_on"],
                    created_by=request.user,
                )
            except ArticleNotAllowed as exc:
                raise PermissionDenied(exc.message) from None
            except ArticleError as exc:
                field = "text" if exc.field == "body" else exc.field  # a file's text is kept there
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                warning = duplicate_article_warning(article)
                if warning is not None:  # imported all the same: it may be a new version
                    messages.warning(request, warning)
                url = reverse("articles:detail", args=[article.uuid])
                if request.htmx:
                    return HttpResponseClientRedirect(url)
                return redirect(url)
        form.keep_upload()
        status = 422
    else:
        form = ArticleImportForm()
    template = "articles/import.html#import-form" if request.htmx else "articles/import.html"
    return render(request, template, {"form": form}, status=status)


# --- The workspace ----------------------------------------------------------------------------------


@require_GET
@login_required_htmx
def article_detail(request: HttpRequest, article_uuid) -> HttpResponse:
    """The workspace. `?open=<kind>/<uuid>` opens an annotation's detail in the side panel."""
    article = article_get_for_user(article_uuid=article_uuid, user=request.user)
    context = workspace_context(
        request,
        article,
        open_key=request.GET.get("open", ""),
        state=request.GET.get("state", ""),
    )
    return render_workspace(request, context)


@require_GET
@login_required_htmx
def article_annotations(request: HttpRequest, article_uuid) -> HttpResponse:
    """The annotation list (filtered by state), and with `with_body=1` the body too (after the
    background extraction added proposals)."""
    article = article_get_for_user(article_uuid=article_uuid, user=request.user)
    state = request.GET.get("state", "")
    if not request.htmx:
        url = reverse("articles:detail", args=[article.uuid])
        return redirect(f"{url}?{urlencode({'state': state})}" if state else url)
    context = workspace_context(request, article, state=state)
    partial = "annotations-and-body" if request.GET.get("with_body") else "annotations"
    return render_workspace(request, context, partial=partial)


@require_GET
@login_required_htmx
def article_findings(request: HttpRequest, article_uuid) -> HttpResponse:
    """The findings panel; it polls this URL while the checks (or extraction) are pending."""
    article = article_get_for_user(article_uuid=article_uuid, user=request.user)
    if not request.htmx:
        return redirect(workspace_url(article, anchor="findings"))
    known = None  # spans are not loaded here; links to deleted spans fail softly in the detail
    findings = workspace.findings_for_article(article, known)
    bg = workspace.background_status(article)
    context = {
        "article": article,
        "findings": findings,
        "findings_open": sum(1 for f in findings if f.is_open),
        "bg": bg,
        "workspace_url": reverse("articles:detail", args=[article.uuid]),
        "annotation_base": annotation_base(),
        "can_review": roles.can_review(request.user),
    }
    response = render_workspace(request, context, partial="findings")
    if request.GET.get("polling") and request.GET.get("ex", "") != bg["extracted_mark"]:
        # Extraction ran since the page was drawn: the list and the body fetch their new spans.
        response["HX-Trigger"] = "annotationsChanged"
    return response


def _to_workspace(request: HttpRequest, article: Article) -> HttpResponse:
    """After a saved edit: back to the workspace (htmx follows HX-Redirect)."""
    url = workspace_url(article)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- Body edit --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required_htmx
def article_edit_body(request: HttpRequest, article_uuid) -> HttpResponse:
    article = article_get_for_user(article_uuid=article_uuid, user=request.user)
    if not roles.can_annotate(request.user):
        raise PermissionDenied("Only annotators and editors can edit an article's text.")
    status, conflict = 200, None
    if request.method == "POST":
        form = ArticleBodyForm(request.POST)
        if form.is_valid():
            try:
                article_update_body(
                    article=article,
                    body=form.cleaned_data["body"],
                    user=request.user,
                    expected_revision=form.cleaned_data["revision"],
                    note=form.cleaned_data["note"],
                )
            except ArticleConflict as exc:
                conflict = exc
                article = exc.current
                # Keep what the person wrote; the form now says which revision they saw last, so
                # saving again is a deliberate choice made with the current text in view.
                data = request.POST.copy()
                data["revision"] = str(article.revision)
                form = ArticleBodyForm(data)
                form.is_valid()
                status = 409
            except ArticleError as exc:
                form.add_error("body", exc.message)
                status = 422
            else:
                return _to_workspace(request, article)
        else:
            status = 422
    else:
        form = ArticleBodyForm(initial={"body": article.body, "revision": article.revision})
    context = {"article": article, "form": form, "conflict": conflict}
    template = "articles/edit_body.html#body-form" if request.htmx else "articles/edit_body.html"
    return render(request, template, context, status=status)


# --- Details (title and metadata) ---------------------------------------------------------------


def _details_of(article: Article) -> dict[str, Any]:
    return {name: getattr(article, name) for name in ArticleDetailsForm.FIELDS}


@require_http_methods(["GET", "POST"])
@login_required_htmx
def article_edit_details(request: HttpRequest, article_uuid) -> HttpResponse:
    """Title, source, byline, address, publication and event dates. Only the fields the person
    changed are written; when someone else changed one of those since the form was opened,
    nothing is saved and both values are shown (the person's input stays in the form)."""
    article = article_get_for_user(article_uuid=article_uuid, user=request.user)
    if not roles.can_annotate(request.user):
        raise PermissionDenied("Only annotators and editors can change an article's details.")
    status, clashes = 200, []
    if request.method == "POST":
        form = ArticleDetailsForm(request.POST, initial=_details_of(article))
        if form.is_valid():
            changed = form.changed_data
            try:
                article_update_metadata(
                    article=article,
                    user=request.user,
                    seen={name: form.seen(name) for name in changed},
                    **{name: form.cleaned_data[name] for name in changed},
                )
            except ArticleConflict as exc:
                current = _details_of(exc.current)
                clashes = [
                    (form.fields[name].label or name.capitalize(), current[name])
                    for name in exc.fields
                ]
                # Keep what the person typed; the hidden "seen" values become the current ones,
                # so saving again is a deliberate choice made with the other edit in view.
                data = request.POST.copy()
                for name, value in current.items():
                    data[form.add_initial_prefix(name)] = "" if value is None else str(value)
                form = ArticleDetailsForm(data, initial=current)
                form.is_valid()
                status = 409
            except ArticleError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 422
            else:
                return _to_workspace(request, article)
        else:
            status = 422
    else:
        form = ArticleDetailsForm(initial=_details_of(article))
    context = {"article": article, "form": form, "clashes": clashes}
    template = (
        "articles/edit_details.html#details-form" if request.htmx else "articles/edit_details.html"
    )
    return render(request, template, context, status=status)
