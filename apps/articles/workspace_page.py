"""The workspace page, rendered: the contexts of the whole page, of the side panel and of an open
annotation's detail (its forms and what this user may do with it), and the one render call.

apps.articles.views, apps.annotations.views and apps.checks.views all answer with this page or
one of its partials, so they call these functions; view modules never import each other. The
data (spans, marks, findings) comes from apps.articles.workspace."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.accounts import roles
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
from apps.articles.models import Article
from apps.checks.blocking import claim_blocked_by
from apps.knowledge import browse
from apps.knowledge import selectors as knowledge_selectors

WORKSPACE = "articles/workspace.html"
ENTITY_MATCHES = 10


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
    if not query:
        return []
    matches = knowledge_selectors.entity_search(user=user, query=query, limit=ENTITY_MATCHES)
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
        "can_create": rules.may_create(user=request.user),
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
