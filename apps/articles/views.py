"""Article pages: list, import, the workspace (body, annotations, detail, findings), body edit.

Function views; every write is a real form that posts and redirects without JavaScript. With
htmx the same URL answers with the partial of articles/workspace.html that changed (the view picks
it). The annotation and finding actions live in apps.annotations.views and apps.checks.views and
render through `workspace_context` and `render_workspace` below."""

from __future__ import annotations

import json
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
from apps.annotations import rules
from apps.annotations.forms import (
    FIELD_FORMS,
    AnnotationCreateForm,
    EvidenceForm,
    ReturnForm,
    ReviewForm,
    VerdictForm,
)
from apps.annotations.models import AnchoredSpan, Claim, Origin, ReviewState
from apps.annotations.selectors import span_has_contributor
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
from apps.checks.selectors import claim_blocked_by

WORKSPACE = "articles/workspace.html"
LIST_PAGE_SIZE = 50
ENTITY_MATCHES = 10


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


def annotation_base() -> str:
    """The URL prefix of every annotation ("/annotations/"); rows and marks append "<kind>/<uuid>/"
    instead of reversing a URL for each of thousands of rows."""
    return reverse("annotations:index")


def workspace_url(article: Article, *, open_key: str = "", anchor: str = "") -> str:
    url = reverse("articles:detail", args=[article.uuid])
    if open_key:
        url += "?" + urlencode({"open": open_key}, safe="/")
    return url + (f"#{anchor}" if anchor else "")


def _entity_matches(query: str, user) -> list:
    """The no-JavaScript side of the entity picker: the KB autocomplete's search, server-side."""
    from apps.knowledge import browse, selectors

    if not query:
        return []
    matches = selectors.entity_search(user=user, query=query, limit=ENTITY_MATCHES)
    browse.attach_matched_aliases(matches, query=query)
    return matches


def detail_context(
    *,
    span: AnchoredSpan,
    user,
    bound: dict[str, Any] | None = None,
    entity_query: str = "",
) -> dict[str, Any]:
    """Everything the detail partial shows for one span: its forms (bound ones, with errors,
    replace the blank ones) and what this user may do with it."""
    kind = workspace.span_kind(span)
    bound = bound or {}
    version = {"version": span.version}
    fields_form = bound.get("fields")
    if fields_form is None:
        initial: dict[str, Any] = dict(version)
        if kind == "claim":
            initial["kind"] = span.kind
        elif kind == "quote":
            initial.update(
                speaker=span.speaker.uuid if span.speaker else None,
                speaker_text=span.speaker_text,
                attribution_text=span.attribution_text,
                verb=span.verb,
            )
        elif kind == "mention":
            initial.update(
                entity=span.entity.uuid if span.entity else None,
                title_modifier=span.title_modifier,
            )
        else:
            initial.update(value=span.value, precision=span.precision, is_relative=span.is_relative)
        fields_form = FIELD_FORMS[kind](initial=initial, prefix="f")
    entity_field = {"quote": "speaker", "mention": "entity"}.get(kind)
    entity_matches = _entity_matches(entity_query, user) if entity_field else []
    # Four eyes: anyone who wrote part of the item (not only its last editor). Only a reviewer
    # is offered approve/verify, so only for them is it looked up (one query). What is offered
    # is what apps.annotations.rules allows: the services refuse through the same rules.
    own = roles.can_review(user) and span_has_contributor(span=span, user=user)
    review_initial: dict[str, Any] = dict(version)
    if span.origin == Origin.AUTOMATIC and span.review_state == ReviewState.PROPOSED:
        # Rejecting an automatic proposal is one key ("r"); the reason says what happened.
        review_initial["note"] = (
            f"Not a correct {workspace.KIND_NAMES[kind].lower()} (automatic proposal)."
        )
    context: dict[str, Any] = {
        "span": span,
        "kind": kind,
        "key": f"{kind}/{span.uuid}",
        "kind_label": workspace.KIND_NAMES[kind],
        "fields_form": fields_form,
        "entity_field": entity_field,
        "entity": getattr(span, entity_field) if entity_field else None,
        "entity_query": entity_query,
        "entity_matches": entity_matches,
        "entity_errors": fields_form.errors.get(entity_field, [])
        if entity_field and fields_form.is_bound
        else [],
        "review_form": bound.get("review") or ReviewForm(initial=review_initial, prefix="r"),
        "is_own": own,
        "can_update": rules.may_update(user=user, span=span),
        "can_reattach": rules.may_reattach(user=user, span=span),
        "can_approve": rules.may_review(user=user, span=span, approve=True, is_own=own),
        "can_reject": rules.may_review(user=user, span=span, approve=False, is_own=own),
        "can_delete": rules.may_delete(user=user, span=span),
        "is_automatic": span.origin == Origin.AUTOMATIC,
    }
    if isinstance(span, Claim):
        verdict_initial = {
            **version,
            "verdict": span.verdict if span.verdict != Claim.Verdict.NOT_RATED else "",
            "rating": span.rating,
            "rating_label": span.rating_label,
            "summary": span.summary,
        }
        evidence = workspace.evidence_for(span)
        for item in evidence:
            item.can_remove = rules.may_remove_evidence(user=user, evidence=item, claim=span)
        blocked_by = ""
        if rules.may_verify(user=user, claim=span, is_own=own):
            # The findings are read only when nothing else stands in the way (two queries).
            blocked_by = claim_blocked_by(claim=span)
        context.update(
            verdict_form=bound.get("verdict") or VerdictForm(initial=verdict_initial, prefix="v"),
            return_form=bound.get("return") or ReturnForm(initial=version, prefix="b"),
            evidence_form=bound.get("evidence") or EvidenceForm(prefix="e"),
            evidence=evidence,
            blocked_by=blocked_by,
            can_verify=rules.may_verify(user=user, claim=span, is_own=own, blocked_by=blocked_by),
            can_return=rules.may_return_verdict(user=user, claim=span),
            can_propose=rules.may_propose_verdict(user=user, claim=span),
            can_add_evidence=rules.may_add_evidence(user=user, claim=span),
        )
    return context


def panel_context(
    request: HttpRequest,
    article: Article,
    *,
    open_span: AnchoredSpan | None = None,
    create_form: AnnotationCreateForm | None = None,
    bound: dict[str, Any] | None = None,
    message: str = "",
    message_level: str = "info",
    sent: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """What the detail partial needs: the open item with its forms, or the create form."""
    context: dict[str, Any] = {
        "article": article,
        "workspace_url": reverse("articles:detail", args=[article.uuid]),
        "annotation_base": annotation_base(),
        "message": message,
        "message_level": message_level,
        "sent": sent or [],
        "create_form": create_form or AnnotationCreateForm(initial={"occurrence": 1}),
        "can_annotate": roles.can_annotate(request.user),
        "can_review": roles.can_review(request.user),
    }
    if open_span is not None:
        context.update(
            detail_context(
                span=open_span,
                user=request.user,
                bound=bound,
                entity_query=request.GET.get("q", "").strip()[:200],
            )
        )
        context["open_key"] = context["key"]
    return context


def workspace_context(
    request: HttpRequest,
    article: Article,
    *,
    open_span: AnchoredSpan | None = None,
    open_key: str = "",
    state: str = "",
    create_form: AnnotationCreateForm | None = None,
    bound: dict[str, Any] | None = None,
    message: str = "",
    message_level: str = "info",
    finding_message: tuple[str, str] | None = None,
    sent: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The whole workspace. Queries: one per span type, the findings, and (when an item is open)
    the item with its relations and, for a claim, its evidence; never one per annotation."""
    spans = workspace.spans_for_article(article)
    known = {span.key for rows in spans.values() for span in rows}
    if open_span is None and open_key in known:
        kind, uuid = open_key.split("/", 1)
        open_span = workspace.span_detail_get(kind=kind, span_uuid=uuid, article=article)
    if state not in ReviewState.values:
        state = ""
    findings = workspace.findings_for_article(article, known)
    open_key = f"{workspace.span_kind(open_span)}/{open_span.uuid}" if open_span else ""
    groups = workspace.groups_for(
        spans,
        state=state,
        open_key=open_key,
        flags=workspace.finding_keys(findings),
    )
    context = panel_context(
        request,
        article,
        open_span=open_span,
        create_form=create_form,
        bound=bound,
        message=message,
        message_level=message_level,
        sent=sent,
    )
    context.update(
        {
            "body_html": workspace.body_html(article.body, workspace.marks_for(spans)),
            "speaker_links": json.dumps(workspace.speaker_links(spans), separators=(",", ":")),
            "groups": groups,
            "state": state,
            "states": ReviewState.choices,
            "annotation_count": sum(len(rows) for rows in spans.values()),
            "findings": findings,
            "findings_open": sum(1 for f in findings if f.is_open),
            "finding_message": finding_message,
            "bg": workspace.background_status(article),
            "can_edit_body": roles.can_annotate(request.user),
        }
    )
    return context


def render_workspace(
    request: HttpRequest, context: dict[str, Any], *, partial: str = "", status: int = 200
) -> HttpResponse:
    template = f"{WORKSPACE}#{partial}" if partial else WORKSPACE
    return render(request, template, context, status=status)


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
