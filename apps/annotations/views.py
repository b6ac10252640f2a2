"""Annotation actions of the workspace: create from a selection (or typed offsets / exact text),
edit fields, review, delete, and for claims the verdict, its verification and the evidence.

Each view parses a form and makes one service call. Without JavaScript a success redirects back
to the workspace with the item open (post/redirect/get); with htmx it answers with the detail
partial plus out-of-band copies of the list, the body and the findings panel. A refusal keeps
everything the person typed and answers with the service's message and status: 422 for input to
fix, 403 for a role that may not, 409 when someone else changed the item first (the partial then
shows the item as it is now; nothing was overwritten)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET, require_POST

from apps.accounts import roles
from apps.accounts.decorators import login_required_htmx, role_required
from apps.annotations import services
from apps.annotations.excerpts import excerpt
from apps.annotations.forms import (
    FIELD_FORMS,
    AnnotationCreateForm,
    EvidenceForm,
    ReattachForm,
    ReturnForm,
    ReviewForm,
    VerdictForm,
    VersionForm,
)
from apps.annotations.models import AnchoredSpan, Claim, Evidence
from apps.annotations.selectors import span_duplicates
from apps.articles import workspace
from apps.articles.models import Article
from apps.articles.selectors import article_get_for_user
from apps.articles.workspace_page import (
    panel_context,
    render_workspace,
    workspace_context,
    workspace_url,
)
from apps.ui_errors import ui_status


def span_get_for_user(*, kind: str, span_uuid, user) -> AnchoredSpan:
    """Load a span for a signed-in newsroom member (every role may read every annotation)."""
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to work on annotations.")
    span = workspace.span_detail_get(kind=kind, span_uuid=span_uuid)
    if span is None:
        raise Http404("No such annotation; it may have been deleted.")
    return span


# --- Responses --------------------------------------------------------------------------------------


def _success(
    request: HttpRequest,
    article: Article,
    span: AnchoredSpan | None,
    message: str,
    *,
    level: str = "success",
) -> HttpResponse:
    if not request.htmx:
        messages.add_message(request, getattr(messages, level.upper()), message)
        key = workspace.span_key(span) if span is not None else ""
        return redirect(workspace_url(article, open_key=key, anchor="detail"))
    context = workspace_context(
        request, article, open_span=span, message=message, message_level=level
    )
    return render_workspace(request, context, partial="after-write")


def _refusal(
    request: HttpRequest,
    article: Article,
    *,
    span: AnchoredSpan | None,
    status: int,
    message: str = "",
    bound: dict[str, Any] | None = None,
    create_form: AnnotationCreateForm | None = None,
    exc: services.AnnotationError | None = None,
) -> HttpResponse:
    """The detail (or create form) again, with the message and the item as it is now. After a
    conflict the forms show the current state, and what the person sent is listed with the
    message (not saved, not lost)."""
    sent: list[tuple[str, str]] = []
    if isinstance(exc, services.Conflict) and bound:
        for form in bound.values():
            sent += _sent_values(form)
        bound = None
    fresh = None
    if span is not None:
        fresh = workspace.span_detail_get(kind=workspace.span_kind(span), span_uuid=span.uuid)
        if fresh is None:
            message = message or "This annotation was deleted by someone else."
    if request.htmx:
        # Only the panel: no need to load every span of the article.
        context = panel_context(
            request,
            article,
            open_span=fresh,
            bound=bound if fresh is not None else None,
            create_form=create_form,
            message=message,
            message_level="error",
            sent=sent,
        )
        response = render_workspace(request, context, partial="detail", status=status)
        if status == 403:
            response["X-Inline-Message"] = "1"  # static/js/workspace.js swaps it in place
        return response
    context = workspace_context(
        request,
        article,
        open_span=fresh,
        bound=bound if fresh is not None else None,
        create_form=create_form,
        message=message,
        message_level="error",
        sent=sent,
    )
    return render_workspace(request, context, status=status)


def _sent_values(form) -> list[tuple[str, str]]:
    """The visible values of a valid form, as label and text (choices by their label)."""
    if not form.is_valid():
        return []
    values = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if field.widget.is_hidden or value in (None, "", False):
            continue
        choices = getattr(field, "choices", None)
        if choices is not None and not hasattr(field, "queryset"):
            value = dict(choices).get(value, value)
        values.append((str(field.label or name.replace("_", " ").capitalize()), str(value)))
    return values


def _form_message(form) -> str:
    errors = form.non_field_errors()
    return " ".join(errors) if errors else "Check the highlighted fields."


# --- Views --------------------------------------------------------------------------------------------


@require_GET
@role_required(roles.can_read, "You need a Factdesk role to work on annotations.")
def annotation_index(request: HttpRequest) -> HttpResponse:
    return redirect("articles:list")


@require_GET
@login_required_htmx
def annotation_detail(request: HttpRequest, kind: str, span_uuid) -> HttpResponse:
    """The detail partial for the side panel; without htmx, the workspace with it open."""
    span = span_get_for_user(kind=kind, span_uuid=span_uuid, user=request.user)
    if not request.htmx:
        return redirect(
            workspace_url(span.article, open_key=f"{kind}/{span.uuid}", anchor="detail")
        )
    context = panel_context(request, span.article, open_span=span)
    return render_workspace(request, context, partial="detail")


@require_POST
@login_required_htmx
def annotation_create(request: HttpRequest, article_uuid) -> HttpResponse:
    article = article_get_for_user(article_uuid=article_uuid, user=request.user)
    form = AnnotationCreateForm(request.POST)
    if not form.is_valid():
        return _refusal(request, article, span=None, status=422, create_form=form)
    data = form.cleaned_data
    try:
        if data["start"] is not None:
            start, end = data["start"], data["end"]
        else:
            start, end = services.span_locate(
                body=article.body, exact=data["exact"], occurrence=data["occurrence"] or 1
            )
        span = services.annotation_create(
            article=article,
            kind=data["kind"],
            start=start,
            end=end,
            exact=data["exact"],
            user=request.user,
        )
    except services.AnnotationError as exc:
        if isinstance(exc, services.NotAllowed):
            raise PermissionDenied(exc.message) from None
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _refusal(request, article, span=None, status=ui_status(exc), create_form=form)
    name = workspace.KIND_NAMES[data["kind"]]
    message = f"{name} created: “{excerpt(span.exact)}”."
    duplicates = span_duplicates(span=span)
    if duplicates:  # created all the same (two readings of one span can both be meant)
        links = format_html_join(
            ", ",
            '<a href="{}">{} by {}</a>',
            (
                (
                    workspace_url(article, open_key=workspace.span_key(other), anchor="detail"),
                    f"the {other.get_review_state_display()} one",
                    other.created_by or "extraction",
                )
                for other in duplicates
            ),
        )
        warning = format_html(
            "{} Another {} is on exactly this text: {}.",
            message,
            name.lower(),
            links,
        )
        return _success(request, article, span, warning, level="warning")
    return _success(request, article, span, message)


def _fields_from(kind: str, form, span: AnchoredSpan) -> dict[str, Any]:
    data = form.cleaned_data
    if kind == "claim":
        return {"kind": data["kind"]}
    if kind == "mention":
        return {"entity": data["entity"], "title_modifier": data["title_modifier"] or ""}
    if kind == "date":
        return {k: data[k] for k in ("value", "precision", "is_relative")}
    fields = {
        "speaker": data["speaker"],
        "speaker_text": data["speaker_text"].strip(),
        "verb": data["verb"].strip(),
    }
    attribution = data["attribution_text"].strip()
    if attribution != (span.attribution_text or ""):
        if attribution:
            found = _nearest(span.article.body, attribution, span.start)
            if found is None:
                form.add_error(
                    "attribution_text",
                    "These words do not occur in the article; copy them exactly.",
                )
                raise ValueError
            fields.update(
                attribution_start=found[0], attribution_end=found[1], attribution_text=attribution
            )
        else:
            fields.update(attribution_start=None, attribution_end=None, attribution_text="")
    return fields


def _nearest(body: str, text: str, around: int) -> tuple[int, int] | None:
    """The occurrence of `text` closest to the quote (attributions sit next to their quote)."""
    best: tuple[int, int] | None = None
    position = body.find(text)
    while position >= 0:
        if best is None or abs(position - around) < abs(best[0] - around):
            best = (position, position + len(text))
        position = body.find(text, position + 1)
    return best


@require_POST
@login_required_htmx
def annotation_update(request: HttpRequest, kind: str, span_uuid) -> HttpResponse:
    span = span_get_for_user(kind=kind, span_uuid=span_uuid, user=request.user)
    form = FIELD_FORMS[kind](request.POST, prefix="f")
    bound = {"fields": form}
    if not form.is_valid():
        return _refusal(
            request, span.article, span=span, status=422, message=_form_message(form), bound=bound
        )
    try:
        fields = _fields_from(kind, form, span)
    except ValueError:
        return _refusal(
            request, span.article, span=span, status=422, message=_form_message(form), bound=bound
        )
    try:
        span = services.annotation_update(
            span=span,
            user=request.user,
            expected_version=form.cleaned_data["version"],
            fields=fields,
        )
    except services.AnnotationError as exc:
        return _refusal(
            request,
            span.article,
            span=span,
            status=ui_status(exc),
            message=exc.message,
            bound=bound,
            exc=exc,
        )
    return _success(request, span.article, span, "Saved.")


@require_POST
@login_required_htmx
def annotation_review(request: HttpRequest, kind: str, span_uuid) -> HttpResponse:
    span = span_get_for_user(kind=kind, span_uuid=span_uuid, user=request.user)
    form = ReviewForm(request.POST, prefix="r")
    if not form.is_valid():
        return _refusal(
            request,
            span.article,
            span=span,
            status=422,
            message=_form_message(form),
            bound={"review": form},
        )
    approve = form.cleaned_data["decision"] == "approve"
    try:
        span = services.annotation_review(
            span=span,
            user=request.user,
            approve=approve,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except services.AnnotationError as exc:
        if exc.field == "note":
            form.add_error("note", exc.message)
        return _refusal(
            request,
            span.article,
            span=span,
            status=ui_status(exc),
            message=exc.message,
            bound={"review": form},
            exc=exc,
        )
    return _success(request, span.article, span, "Approved." if approve else "Rejected.")


@require_POST
@login_required_htmx
def annotation_reattach(request: HttpRequest, kind: str, span_uuid) -> HttpResponse:
    span = span_get_for_user(kind=kind, span_uuid=span_uuid, user=request.user)
    form = ReattachForm(request.POST, prefix="m")
    if not form.is_valid():
        return _refusal(request, span.article, span=span, status=422, message=_form_message(form))
    data = form.cleaned_data
    article = Article.objects.only("id", "body").get(pk=span.article_id)
    try:
        if data["start"] is not None:
            start, end = data["start"], data["end"]  # span_check holds them to the exact text
        else:
            start, end = services.span_locate(
                body=article.body, exact=data["exact"], occurrence=data["occurrence"] or 1
            )
        span = services.annotation_reattach(
            span=span,
            user=request.user,
            expected_version=data["version"],
            start=start,
            end=end,
            exact=data["exact"],
        )
    except services.AnnotationError as exc:
        return _refusal(
            request, span.article, span=span, status=ui_status(exc), message=exc.message, exc=exc
        )
    return _success(request, span.article, span, f"Re-attached to “{span.exact[:60]}”.")


@require_POST
@login_required_htmx
def annotation_delete(request: HttpRequest, kind: str, span_uuid) -> HttpResponse:
    span = span_get_for_user(kind=kind, span_uuid=span_uuid, user=request.user)
    form = VersionForm(request.POST, prefix="d")
    if not form.is_valid():
        return _refusal(request, span.article, span=span, status=422, message=_form_message(form))
    try:
        services.annotation_delete(
            span=span, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except services.AnnotationError as exc:
        return _refusal(
            request, span.article, span=span, status=ui_status(exc), message=exc.message
        )
    message = f"Deleted — {workspace.KIND_NAMES[kind]} “{span.exact[:60]}”."
    if not request.htmx:
        return _success(request, span.article, None, message)
    context = workspace_context(request, span.article, message=message, message_level="success")
    # "Deleted — Undo": the restore form is shown with the message (templates/articles/workspace.html).
    context["undo_url"] = reverse("annotations:restore", args=[kind, span.uuid])
    return render_workspace(request, context, partial="after-write")


@require_POST
@login_required_htmx
def annotation_restore(request: HttpRequest, kind: str, span_uuid) -> HttpResponse:
    """Undo a delete (services.annotation_restore): the annotation comes back as it was."""
    if not roles.can_read(request.user):
        raise PermissionDenied("You need a Factdesk role to work on annotations.")
    try:
        span = services.annotation_restore(kind=kind, span_uuid=span_uuid, user=request.user)
    except services.NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except services.AnnotationError as exc:
        last = services.deleted_span_get(kind=kind, span_uuid=span_uuid)
        existing = workspace.span_detail_get(kind=kind, span_uuid=span_uuid)
        if existing is None and last is None:
            raise Http404(exc.message) from None
        article = (
            existing.article if existing is not None else Article.objects.get(pk=last.article_id)
        )
        return _refusal(request, article, span=existing, status=409, message=exc.message)
    span = workspace.span_detail_get(kind=kind, span_uuid=span.uuid)
    return _success(request, span.article, span, f"Restored: “{span.exact[:60]}”.")


def _claim_for_user(request: HttpRequest, span_uuid) -> Claim:
    return span_get_for_user(kind="claim", span_uuid=span_uuid, user=request.user)


@require_POST
@login_required_htmx
def claim_verdict(request: HttpRequest, span_uuid) -> HttpResponse:
    claim = _claim_for_user(request, span_uuid)
    form = VerdictForm(request.POST, prefix="v")
    if not form.is_valid():
        return _refusal(
            request,
            claim.article,
            span=claim,
            status=422,
            message=_form_message(form),
            bound={"verdict": form},
        )
    data = form.cleaned_data
    try:
        claim = services.claim_verdict_propose(
            claim=claim,
            user=request.user,
            verdict=data["verdict"],
            expected_version=data["version"],
            rating=data["rating"],
            rating_label=data["rating_label"],
            summary=data["summary"],
        )
    except services.AnnotationError as exc:
        return _refusal(
            request,
            claim.article,
            span=claim,
            status=ui_status(exc),
            message=exc.message,
            bound={"verdict": form},
            exc=exc,
        )
    return _success(
        request, claim.article, claim, f"Verdict proposed: {claim.get_verdict_display()}."
    )


@require_POST
@login_required_htmx
def claim_verify(request: HttpRequest, span_uuid) -> HttpResponse:
    claim = _claim_for_user(request, span_uuid)
    form = VersionForm(request.POST, prefix="y")
    if not form.is_valid():
        return _refusal(request, claim.article, span=claim, status=422, message=_form_message(form))
    try:
        claim = services.claim_verify(
            claim=claim, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except services.AnnotationError as exc:
        return _refusal(
            request, claim.article, span=claim, status=ui_status(exc), message=exc.message
        )
    return _success(request, claim.article, claim, "Verdict verified.")


@require_POST
@login_required_htmx
def claim_return(request: HttpRequest, span_uuid) -> HttpResponse:
    claim = _claim_for_user(request, span_uuid)
    form = ReturnForm(request.POST, prefix="b")
    if not form.is_valid():
        return _refusal(
            request,
            claim.article,
            span=claim,
            status=422,
            message=_form_message(form),
            bound={"return": form},
        )
    try:
        claim = services.claim_verdict_return(
            claim=claim,
            user=request.user,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except services.AnnotationError as exc:
        if exc.field == "note":
            form.add_error("note", exc.message)
        return _refusal(
            request,
            claim.article,
            span=claim,
            status=ui_status(exc),
            message=exc.message,
            bound={"return": form},
            exc=exc,
        )
    return _success(request, claim.article, claim, "Verdict sent back.")


@require_POST
@login_required_htmx
def evidence_add(request: HttpRequest, span_uuid) -> HttpResponse:
    claim = _claim_for_user(request, span_uuid)
    form = EvidenceForm(request.POST, prefix="e")
    if not form.is_valid():
        return _refusal(
            request,
            claim.article,
            span=claim,
            status=422,
            message=_form_message(form),
            bound={"evidence": form},
        )
    try:
        services.evidence_add(claim=claim, user=request.user, **form.cleaned_data)
    except services.AnnotationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _refusal(
            request,
            claim.article,
            span=claim,
            status=ui_status(exc),
            message=exc.message,
            bound={"evidence": form},
        )
    return _success(request, claim.article, claim, "Evidence added.")


@require_POST
@login_required_htmx
def evidence_remove(request: HttpRequest, evidence_uuid) -> HttpResponse:
    if not roles.can_read(request.user):
        raise PermissionDenied("You need a Factdesk role to work on annotations.")
    evidence = Evidence.objects.select_related("claim__article").filter(uuid=evidence_uuid).first()
    if evidence is None:
        raise Http404("No such evidence; it may have been removed already.")
    claim = evidence.claim
    try:
        services.evidence_remove(evidence=evidence, user=request.user)
    except services.AnnotationError as exc:
        return _refusal(
            request, claim.article, span=claim, status=ui_status(exc), message=exc.message
        )
    return _success(request, claim.article, claim, "Evidence removed.")


def annotation_url(kind: str, span_uuid) -> str:
    return reverse("annotations:detail", args=[kind, span_uuid])
